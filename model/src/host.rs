//! The host model: what `analyze` knows about each machine after reading its captures, its
//! samples, the intervals the timeline computed from them, and what the rules concluded.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::Finding;
use crate::interval::{Interval, PerCpuInterval, SoftnetInterval};
use crate::loss::LossCounter;
use crate::path::PacketPath;
use crate::sample::{
    Channels, CounterSample, CpuSample, EthtoolSample, IpvsSample, PerCpuCounts, Ring,
    SoftnetSample,
};
use crate::stack::{CounterSeries, Levels, LogEvent, LogFileRead, Qdisc, SocketInfo};
use crate::thinned::Thinned;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InterfaceKind {
    Physical,
    Bond,
    BondSlave,
    Vlan,
    Bridge,
    Tap,
    Veth,
    Loopback,
    Tunnel,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BondRole {
    Active,
    Backup,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interface {
    pub name: String,
    /// Interface index from `ip link` (orders the interfaces as `ip` lists them).
    pub ifindex: Option<u32>,
    /// Network namespace for captures taken inside one (`null` = the host's namespace).
    pub namespace: Option<String>,
    pub kind: InterfaceKind,
    pub master: Option<String>,
    pub bond_role: Option<BondRole>,
    pub driver: Option<String>,
    pub qlen: Option<u64>,
    pub mtu: Option<u64>,
    pub state: Option<String>,
    /// `veth1@if5` → `if5`, `eth0.100@eth0` → `eth0`.
    pub link_peer: Option<String>,
    pub alias: Option<String>,
    pub altnames: Vec<String>,
    pub samples: Vec<CounterSample>,
    pub ethtool: Vec<EthtoolSample>,
    /// The latest `ethtool -g` reading.
    pub ring: Option<Ring>,
    /// Every distinct `ethtool -g` reading in time (or input) order, when there was more than
    /// one (a paste of `ethtool -g` before and after `ethtool -G`): the first one is what was in
    /// effect when the counters grew. Empty when there was at most one reading.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ring_readings: Vec<Ring>,
    pub channels: Option<Channels>,
    /// The qdisc `ip link` printed (`mq`, `fq_codel`, `noqueue`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qdisc: Option<String>,
    /// The link-layer address (`link/ether …`, ifconfig `HWaddr`/`ether`), lower case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Flags printed by `ip link`/`ifconfig` that say how the device is used (`SLAVE`,
    /// `MASTER`), upper case, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// What the rules inferred about this device because the data did not say it (bond
    /// membership from counters that add up, an inactive slave from its drops), one sentence
    /// each: shown so that the reader sees what was assumed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
    /// Intervals between consecutive samples of each series, since-boot averages of single
    /// snapshots, and rates reported by sar (see `timeline`).
    pub deltas: Vec<Interval>,
    /// The same for `ethtool -S` series (driver counters).
    pub ethtool_deltas: Vec<Interval>,
}

impl Interface {
    pub fn new(name: &str, namespace: Option<&str>) -> Self {
        Interface {
            name: name.to_string(),
            ifindex: None,
            namespace: namespace.map(str::to_string),
            kind: InterfaceKind::Other,
            master: None,
            bond_role: None,
            driver: None,
            qlen: None,
            mtu: None,
            state: None,
            link_peer: None,
            alias: None,
            altnames: Vec::new(),
            samples: Vec::new(),
            ethtool: Vec::new(),
            ring: None,
            ring_readings: Vec::new(),
            channels: None,
            qdisc: None,
            mac: None,
            flags: Vec::new(),
            inferred: Vec::new(),
            deltas: Vec::new(),
            ethtool_deltas: Vec::new(),
        }
    }
}

/// Where a host's name comes from. Pages show a name taken from an input's file name as
/// "unknown host (from …)": a file name says nothing about which machine it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HostnameFrom {
    /// The machine's own captures: `hostname`, `uname -n`, a shell prompt.
    #[default]
    Captures,
    /// The archive's name (`sosreport-<host>-…`, `scc_<host>_…`) or its root folder.
    Archive,
    /// Nothing named the machine: the input's file name stands in.
    Input,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    pub hostname: String,
    pub hostname_from: HostnameFrom,
    pub kernel: Option<String>,
    pub collected_at: Option<Timestamp>,
    pub uptime_seconds: Option<u64>,
    pub cpu_count: Option<u32>,
    pub cpu_model: Option<String>,
    pub hypervisor: Option<String>,
    /// The inputs (and archive roots inside them) this host's data came from.
    pub sources: Vec<String>,
    pub interfaces: Vec<Interface>,
    pub softnet: Vec<SoftnetSample>,
    /// Per-CPU softnet intervals (see `timeline`).
    pub softnet_deltas: Vec<SoftnetInterval>,
    pub cpu: Vec<CpuSample>,
    /// `/proc/softirqs` NET_RX/NET_TX readings.
    pub softirqs: Vec<PerCpuCounts>,
    /// `/proc/interrupts` rows of network queue vectors.
    pub interrupts: Vec<PerCpuCounts>,
    /// Per-CPU NET_RX/NET_TX deltas between consecutive `/proc/softirqs` readings.
    pub softirqs_deltas: Vec<PerCpuInterval>,
    /// Per-CPU deltas of the network vectors between consecutive `/proc/interrupts` readings.
    pub interrupts_deltas: Vec<PerCpuInterval>,
    pub ipvs: Vec<IpvsSample>,
    pub sysctl: BTreeMap<String, String>,
    /// Protocol counters by their `nstat` names (`TcpExtListenOverflows`, `UdpRcvbufErrors`),
    /// from `/proc/net/snmp`, `/proc/net/netstat`, `nstat` or `netstat -s`.
    #[serde(skip_serializing_if = "CounterSeries::is_empty")]
    pub protocol: CounterSeries,
    /// `/proc/net/sockstat` levels (`TCP_mem`, `UDP_mem` in pages, `TCP_orphan`, …).
    #[serde(skip_serializing_if = "Levels::is_empty")]
    pub sockstat: Levels,
    /// `tc -s qdisc` qdiscs, in the order first read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qdiscs: Vec<Qdisc>,
    /// `conntrack -S` counters summed over CPUs (`drop`, `insert_failed`, `early_drop`, …).
    #[serde(skip_serializing_if = "CounterSeries::is_empty")]
    pub conntrack: CounterSeries,
    /// `nf_conntrack_count` readings (the table's fill level).
    #[serde(skip_serializing_if = "Levels::is_empty")]
    pub conntrack_count: Levels,
    /// Drop-related kernel messages, counted per message and subject.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kernel_log: Vec<LogEvent>,
    /// The kernel logs read, message or not (rotation groups, with their lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kernel_log_files: Vec<LogFileRead>,
    /// `ss` sockets the socket rules name: TCP listeners (accept queue and backlog) and UDP
    /// sockets with drops; the latest reading of each, capped (see `SocketInfo`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sockets: Vec<SocketInfo>,
    /// Diagnoses of the rule catalog, most severe first.
    pub findings: Vec<Finding>,
    /// Every loss counter that is non-zero in the latest reading of an interface or CPU, with
    /// the finding that reports it or, when none does, why it is not a problem (see
    /// `accounting`): the report never says "no packet loss" next to a non-zero counter.
    pub loss_counters: Vec<LossCounter>,
    /// The receive and transmit paths as stages, each with the loss the findings count there
    /// (see `path`): the report's one-glance view of where packets are lost.
    pub path: PacketPath,
    /// Series so long that retention thinned their samples (merging their intervals);
    /// empty, and then not written, normally.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thinned: Vec<Thinned>,
}

impl Host {
    /// The counter series of the layers above the NIC: protocol, conntrack, then each qdisc's.
    pub fn stack_counters(&self) -> impl Iterator<Item = &CounterSeries> {
        [&self.protocol, &self.conntrack]
            .into_iter()
            .chain(self.qdiscs.iter().map(|q| &q.counters))
    }

    pub fn new(hostname: &str) -> Self {
        Host {
            hostname: hostname.to_string(),
            hostname_from: HostnameFrom::Captures,
            kernel: None,
            collected_at: None,
            uptime_seconds: None,
            cpu_count: None,
            cpu_model: None,
            hypervisor: None,
            sources: Vec::new(),
            interfaces: Vec::new(),
            softnet: Vec::new(),
            softnet_deltas: Vec::new(),
            cpu: Vec::new(),
            softirqs: Vec::new(),
            interrupts: Vec::new(),
            softirqs_deltas: Vec::new(),
            interrupts_deltas: Vec::new(),
            ipvs: Vec::new(),
            sysctl: BTreeMap::new(),
            protocol: CounterSeries::default(),
            sockstat: Levels::default(),
            qdiscs: Vec::new(),
            conntrack: CounterSeries::default(),
            conntrack_count: Levels::default(),
            kernel_log: Vec::new(),
            kernel_log_files: Vec::new(),
            sockets: Vec::new(),
            findings: Vec::new(),
            loss_counters: Vec::new(),
            path: PacketPath::default(),
            thinned: Vec::new(),
        }
    }

    /// The interface with this name and namespace, created on first use.
    pub fn interface_mut(&mut self, name: &str, namespace: Option<&str>) -> &mut Interface {
        let pos = self
            .interfaces
            .iter()
            .position(|i| i.name == name && i.namespace.as_deref() == namespace);
        match pos {
            Some(p) => &mut self.interfaces[p],
            None => {
                self.interfaces.push(Interface::new(name, namespace));
                let last = self.interfaces.len() - 1;
                &mut self.interfaces[last]
            }
        }
    }

    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces
            .iter()
            .find(|i| i.name == name && i.namespace.is_none())
    }
}
