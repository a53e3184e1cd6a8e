//! Samples: single readings of one command or `/proc` file at one moment (interface counters,
//! `ethtool`, softnet, CPU usage, softirqs and interrupts, IPVS), as the parsers' results are
//! stored in the host model.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::time::Timestamp;

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
    #[serde(skip_serializing_if = "crate::interval::is_one")]
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
    #[serde(skip_serializing_if = "crate::interval::is_one")]
    pub represents: u32,
}
