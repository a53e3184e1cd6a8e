//! The rule catalog: one file per rule. Ids are a public contract (README lists them).
//!
//! Each rule file declares `RULE` (id, title, default severity, references and the `check`
//! function over the host's timeline) and `CHART` (how the report draws its evidence), and
//! imports only `common`, where everything rules share lives. [`judge`] runs the catalog on a
//! host; [`run`] applies every rule, folds a bond's finding into its slaves' and links findings
//! that explain each other (`correlate`), makes remediation pasteable (`remediation`), and
//! sorts the findings by severity, then impact.

use crate::finding::{Finding, Rule};
use crate::model::Host;

mod common;
mod correlate;
pub mod counters;
mod kernel_log;
mod remediation;
#[cfg(test)]
mod tests;

// Helpers `accounting` uses by these paths.
pub use common::{is_backup_slave, lower_devices, quiet_interface};
pub use remediation::is_shell_safe;

/// How the report draws a finding's evidence. Each rule declares its kind as `CHART` next to
/// its `RULE`; the renderer asks [`chart_of`] instead of matching rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The subject interface's loss counters over time; without those, the evidence as steps
    /// (live intervals) or bars (one value per counter).
    Counters,
    /// Per-CPU steal over the `top`/`sar` frames (`cpu-steal`).
    Steal,
    /// The subject CPU's softnet `dropped` column over time (`softnet-backlog-drop`).
    SoftnetDropped,
    /// The subject CPU's softnet `time_squeeze` column over time (`softnet-time-squeeze`).
    SoftnetSqueeze,
    /// The signal the finding rests on first: per-CPU `si`, NET_RX softirqs or queue interrupts
    /// per CPU (`softirq-single-cpu`).
    Softirq,
    /// IPVS connections against the hash table's buckets (`ipvs-conn-table-small`).
    Ipvs,
}

/// Declares the rule modules once, in listing order, and builds [`ALL`] and the chart table
/// from each module's `RULE` and `CHART`, so a rule is added in one line.
macro_rules! catalog {
    ($($rule:ident),+ $(,)?) => {
        $(pub mod $rule;)+

        /// Every rule, in the order their findings are listed at equal severity and impact.
        pub static ALL: &[&Rule] = &[$(&$rule::RULE),+];

        /// Each rule's chart kind, in the order of [`ALL`].
        static CHARTS: &[Chart] = &[$($rule::CHART),+];
    };
}

catalog! {
    nic_rx_ring_overflow,
    softnet_backlog_drop,
    softnet_time_squeeze,
    tap_tx_drop,
    cpu_steal,
    softirq_single_cpu,
    ipvs_conn_table_small,
    nic_phy_errors,
    rx_dropped_unhandled,
    bond_backup_slave_drops,
    tx_queue_drop,
    cloud_allowance_exceeded,
    nic_tx_errors,
    conntrack_table_full,
    tcp_listen_overflow,
    tcp_rcvq_drop,
    udp_rcvbuf_errors,
    qdisc_drop,
    socket_mem_pressure,
    syn_flood,
    nic_tx_timeout,
    link_flap,
    rp_filter_drop,
    protocol_discards,
}

/// The chart kind of the rule with this id; [`Chart::Counters`] for an id not in the catalog.
pub fn chart_of(id: &str) -> Chart {
    ALL.iter()
        .position(|r| r.id == id)
        .map_or(Chart::Counters, |i| CHARTS[i])
}

/// Judges one host: infers what the data implies but does not say (`infer`), runs the
/// catalog, and accounts for every non-zero loss counter (`accounting`).
pub fn judge(host: &mut Host) {
    crate::infer::infer(host);
    host.findings = run(host);
    crate::accounting::account(host);
}

/// Runs the catalog over one host.
pub fn run(host: &Host) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ALL.iter().flat_map(|r| (r.check)(host)).collect();
    correlate::attribute(host, &mut findings);
    correlate::correlate(&mut findings);
    correlate::fill_basis(&mut findings);
    remediation::make_pasteable(host, &mut findings);
    let order = |id: &str| ALL.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.impact.total_cmp(&a.impact))
            .then(order(a.rule).cmp(&order(b.rule)))
            .then(a.subject.cmp(&b.subject))
    });
    findings
}
