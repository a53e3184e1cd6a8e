//! The host model: what `analyze` knows about each machine after reading its captures.
//!
//! These types serialize to the public `analyze/1` JSON schema (documented in README.md).
//! Fields may be added; existing ones keep their names and meaning.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use serde::{Serialize, Serializer};

pub use crate::timeline::{Interval, IntervalKind, PerCpuInterval, SoftnetInterval};

/// The schema identifier written at the top of every JSON report.
pub const SCHEMA: &str = "analyze/1";

/// A wall-clock time as the capture printed it. When the capture gave a UTC offset, the time
/// is absolute; otherwise it is local time of the captured machine and is marked as such in
/// JSON by the missing offset (`2019-10-02T02:54:30` instead of `2019-10-02T02:54:30+00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub local: NaiveDateTime,
    pub offset_seconds: Option<i32>,
}

impl Timestamp {
    pub fn new(local: NaiveDateTime, offset_seconds: Option<i32>) -> Self {
        Timestamp {
            local,
            offset_seconds,
        }
    }

    /// Seconds since the epoch, treating a local time as UTC (only comparable with other
    /// local times of the same machine).
    pub fn epoch_seconds(&self) -> i64 {
        let utc = self.local.and_utc().timestamp();
        utc - i64::from(self.offset_seconds.unwrap_or(0))
    }

    /// From a UNIX epoch (floating seconds), as written in sos manifests: always UTC.
    pub fn from_epoch(seconds: f64) -> Option<Self> {
        if !seconds.is_finite() {
            return None;
        }
        let whole = seconds.floor();
        let nanos = ((seconds - whole) * 1e9) as u32;
        let dt = chrono::DateTime::from_timestamp(whole as i64, nanos)?;
        Some(Timestamp::new(dt.naive_utc(), Some(0)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.local.format("%Y-%m-%dT%H:%M:%S");
        match self
            .offset_seconds
            .and_then(FixedOffset::east_opt)
            .and_then(|o| o.from_local_datetime(&self.local).single())
        {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%:z")),
            None => write!(f, "{base}"),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch_seconds()
            .cmp(&other.epoch_seconds())
            .then(self.local.cmp(&other.local))
            .then(self.offset_seconds.cmp(&other.offset_seconds))
    }
}

/// Orders optional times with unknown times last, keeping the input order among equals.
pub fn cmp_time(a: &Option<Timestamp>, b: &Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemSeverity {
    Error,
    Warning,
}

/// Something that could not be read, with where it was met.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProblemRecord {
    /// The input path, or `input!path/inside/archive` for an entry of an archive.
    pub source: String,
    /// 1-based line within the entry; `null` when the problem concerns the whole entry.
    pub line: Option<usize>,
    pub severity: ProblemSeverity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    Sosreport,
    Supportconfig,
    Capture,
    Directory,
    SosCollect,
    /// A tarball without a sosreport/supportconfig root: an archive of loose captures.
    Archive,
}

/// One path given on the command line (or one archive nested in a `sos collect` bundle).
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub kind: InputKind,
    /// Archive entries (or directory entries, or 1 for a single file) seen while reading.
    pub entries_read: u64,
    /// Captures recognised and handed to a parser.
    pub captures_parsed: u64,
    /// Set when the input could not be read to its end (corrupt or truncated archive).
    pub error: Option<String>,
}

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

/// One reading of an interface's generic counters (ip, /proc/net/dev, sysfs, ifconfig).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterSample {
    pub time: Option<Timestamp>,
    pub source: String,
    /// Keys: `struct rtnl_link_stats64` field names where the source column is exactly one
    /// field; `proc_rx_drop`, `proc_rx_frame`, `proc_tx_carrier` for folded columns.
    pub counters: BTreeMap<String, u64>,
    /// True when the values were printed rounded (`ip -h`); no deltas are taken from them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

/// One reading of `ethtool -S`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EthtoolSample {
    pub time: Option<Timestamp>,
    pub source: String,
    pub stats: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ring {
    pub rx: Option<u64>,
    pub rx_max: Option<u64>,
    pub tx: Option<u64>,
    pub tx_max: Option<u64>,
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Channels {
    pub rx: Option<u64>,
    pub rx_max: Option<u64>,
    pub tx: Option<u64>,
    pub tx_max: Option<u64>,
    pub other: Option<u64>,
    pub other_max: Option<u64>,
    pub combined: Option<u64>,
    pub combined_max: Option<u64>,
    pub source: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoftnetCpu {
    pub cpu: u32,
    pub processed: u64,
    pub dropped: u64,
    pub time_squeeze: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_rps: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_limit_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog_len: Option<u64>,
}

impl SoftnetCpu {
    /// A softnet counter by its JSON key (`processed`, `dropped`, `time_squeeze`, …).
    pub fn counter(&self, key: &str) -> Option<u64> {
        match key {
            "processed" => Some(self.processed),
            "dropped" => Some(self.dropped),
            "time_squeeze" => Some(self.time_squeeze),
            "received_rps" => self.received_rps,
            "flow_limit_count" => self.flow_limit_count,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoftnetSample {
    pub time: Option<Timestamp>,
    pub source: String,
    /// False when rows were mapped to CPUs by position (kernels without the index column);
    /// exact only when every CPU was online.
    pub cpu_ids_exact: bool,
    pub cpus: Vec<SoftnetCpu>,
}

/// Per-CPU utilisation in percent (`top`, `sar -u`); filled from the next issue on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuUsage {
    /// `"all"` or the CPU number.
    pub cpu: String,
    pub us: Option<f64>,
    pub sy: Option<f64>,
    pub ni: Option<f64>,
    pub id: Option<f64>,
    pub wa: Option<f64>,
    pub hi: Option<f64>,
    pub si: Option<f64>,
    pub st: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuSample {
    pub time: Option<Timestamp>,
    pub source: String,
    /// True for the first frame of a `top` run: its percentages are not a real interval
    /// (since boot in old procps, a few clock ticks in procps-ng 4.x); prefer later frames.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub first_iteration: bool,
    pub cpus: Vec<CpuUsage>,
    /// Processes using CPU in this frame (`top`), busiest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<ProcessUsage>,
    /// Frames of the series this one stands for after retention thinned a long series
    /// (see `retention`); 1, and then not written, normally.
    #[serde(skip_serializing_if = "crate::timeline::is_one")]
    pub represents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessUsage {
    pub pid: Option<u64>,
    pub user: Option<String>,
    pub cpu_percent: f64,
    pub command: String,
}

/// Per-CPU counts of the network softirqs (`/proc/softirqs`) or of one NIC's interrupt
/// vectors (`/proc/interrupts`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerCpuCounts {
    pub time: Option<Timestamp>,
    pub source: String,
    pub cpus: Vec<u32>,
    /// `NET_RX`, `NET_TX`, or an IRQ vector such as `eth0-TxRx-3` → count per CPU.
    pub rows: BTreeMap<String, Vec<u64>>,
}

/// IPVS table state; filled from the next issue on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpvsSample {
    pub time: Option<Timestamp>,
    pub source: String,
    pub table_size: Option<u64>,
    pub connections: Option<u64>,
    pub services: Vec<serde_json::Value>,
    /// `ipvsadm -L --timeout`: tcp, tcpfin, udp seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<[u64; 3]>,
    /// Readings this one stands for after retention thinned a long series; 1, and then not
    /// written, normally.
    #[serde(skip_serializing_if = "crate::timeline::is_one")]
    pub represents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    pub hostname: String,
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
    /// Diagnoses of the rule catalog, most severe first.
    pub findings: Vec<crate::finding::Finding>,
    /// Every loss counter that is non-zero in the latest reading of an interface or CPU, with
    /// the finding that reports it or, when none does, why it is not a problem (see
    /// `accounting`): the report never says "no packet loss" next to a non-zero counter.
    pub loss_counters: Vec<crate::accounting::LossCounter>,
    /// Series so long that retention thinned their samples (merging their intervals);
    /// empty, and then not written, normally.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thinned: Vec<crate::retention::Thinned>,
}

impl Host {
    pub fn new(hostname: &str) -> Self {
        Host {
            hostname: hostname.to_string(),
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
            findings: Vec::new(),
            loss_counters: Vec::new(),
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

/// The whole result of one run: what `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// Version of the tool that wrote the report.
    pub tool_version: &'static str,
    pub inputs: Vec<InputInfo>,
    pub hosts: Vec<Host>,
    pub problems: Vec<ProblemRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2019, 10, 2)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    #[test]
    fn timestamp_prints_offset_only_when_known() {
        assert_eq!(
            Timestamp::new(at(2, 54, 30), Some(0)).to_string(),
            "2019-10-02T02:54:30+00:00"
        );
        assert_eq!(
            Timestamp::new(at(2, 54, 30), Some(9 * 3600)).to_string(),
            "2019-10-02T02:54:30+09:00"
        );
        assert_eq!(
            Timestamp::new(at(2, 54, 30), None).to_string(),
            "2019-10-02T02:54:30"
        );
    }

    #[test]
    fn timestamps_order_by_instant() {
        // 11:00 in Tokyo is 02:00 UTC, before 02:54 UTC.
        let tokyo = Timestamp::new(at(11, 0, 0), Some(9 * 3600));
        let utc = Timestamp::new(at(2, 54, 0), Some(0));
        assert!(tokyo < utc);
    }

    #[test]
    fn epoch_from_manifest_float() {
        let t = Timestamp::from_epoch(1_569_984_870.25).unwrap();
        assert_eq!(t.to_string(), "2019-10-02T02:54:30+00:00");
        assert!(Timestamp::from_epoch(f64::NAN).is_none());
    }
}
