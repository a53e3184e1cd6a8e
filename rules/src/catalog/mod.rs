//! The rule catalog: one file per rule. Ids are a public contract (README lists them).
//!
//! Each rule file declares `RULE` (id, title, default severity, references and the `check`
//! function over the host's timeline), `CHART` (how the report draws its evidence) and `STAGE`
//! (where on the packet path its findings lie, `crate::path`), and
//! imports only `common`, where everything rules share lives. [`judge`] runs the catalog on a
//! host; [`run`] applies every rule, folds a bond's finding into its slaves' and links findings
//! that explain each other (`correlate`), makes remediation pasteable (`remediation`), and
//! sorts the findings by severity, then impact.

use crate::finding::{Finding, Rule};
use crate::model::Host;
use crate::path::Stage;

mod common;
mod correlate;
pub mod counters;
mod kernel_log;
mod remediation;
#[cfg(test)]
mod tests;

// Helpers `accounting` uses by these paths.
pub use common::{is_backup_slave, is_ring_counter, lower_devices, quiet_interface};
pub use remediation::is_shell_safe;

/// A rate the rule judges against, drawn as a dashed line on its chart: loss per second
/// from which its findings are warnings or critical. Each rule declares its own as `MARKS`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub per_second: f64,
    pub severity: crate::finding::Severity,
}

impl Mark {
    pub const fn warning(per_second: f64) -> Mark {
        Mark {
            per_second,
            severity: crate::finding::Severity::Warning,
        }
    }
    pub const fn critical(per_second: f64) -> Mark {
        Mark {
            per_second,
            severity: crate::finding::Severity::Critical,
        }
    }
}

/// The marks of the rules judged by `evidence::drop_severity`: live loss is a warning from
/// `LIVE_WARN_RATE` and critical from `LIVE_CRIT_RATE` per second.
pub const DROP_MARKS: &[Mark] = &[
    Mark::warning(crate::thresholds::LIVE_WARN_RATE),
    Mark::critical(crate::thresholds::LIVE_CRIT_RATE),
];

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

/// Declares the rule modules once, in listing order, and builds [`ALL`], the chart table and
/// the stage table from each module's `RULE`, `CHART` and `STAGE`, so a rule is added in one
/// line.
macro_rules! catalog {
    ($($rule:ident),+ $(,)?) => {
        $(pub mod $rule;)+

        /// Every rule, in the order their findings are listed at equal severity and impact.
        pub static ALL: &[&Rule] = &[$(&$rule::RULE),+];

        /// Each rule's chart kind, in the order of [`ALL`].
        static CHARTS: &[Chart] = &[$($rule::CHART),+];

        /// Each rule's place on the packet path, in the order of [`ALL`].
        static STAGES: &[Stage] = &[$($rule::STAGE),+];

        /// Each rule's threshold marks, in the order of [`ALL`].
        static MARKS: &[&[Mark]] = &[$($rule::MARKS),+];
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
    tcp_out_of_resources,
    neighbour_table_overflow,
    over_mtu_drop,
    page_allocation_failure,
    udp_bad_checksum,
    martian_destination,
    protocol_discards,
}

/// The chart kind of the rule with this id; [`Chart::Counters`] for an id not in the catalog.
pub fn chart_of(id: &str) -> Chart {
    ALL.iter()
        .position(|r| r.id == id)
        .map_or(Chart::Counters, |i| CHARTS[i])
}

/// The rates the rule with this id judges against (none for an id not in the catalog).
pub fn marks_of(id: &str) -> &'static [Mark] {
    ALL.iter()
        .position(|r| r.id == id)
        .map_or(&[], |i| MARKS[i])
}

/// Where on the packet path the findings of the rule with this id lie; `None` for an id not
/// in the catalog.
pub fn stage_of(id: &str) -> Option<Stage> {
    ALL.iter().position(|r| r.id == id).map(|i| STAGES[i])
}

/// Judges one host: infers what the data implies but does not say (`infer`), runs the
/// catalog, accounts for every non-zero loss counter (`accounting`), and lays the findings
/// and the unreported counters out along the packet path (`path`).
pub fn judge(host: &mut Host) {
    crate::infer::infer(host);
    host.findings = run(host);
    crate::accounting::account(host);
    host.path = crate::path::trace(host);
}

/// Runs the catalog over one host.
pub fn run(host: &Host) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ALL.iter().flat_map(|r| (r.check)(host)).collect();
    correlate::attribute(host, &mut findings);
    correlate::correlate(&mut findings);
    correlate::fill_basis(&mut findings);
    remediation::make_pasteable(host, &mut findings);
    remediation::point_to_capture_script(&mut findings);
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
