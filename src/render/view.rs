//! What the report templates show beyond the model itself: the time span the samples cover,
//! what was missing that would have helped, the latest rates per interface, and the charts.
//! Derived here so that `report.rs` stays a thin renderer and templates stay declarative.

use std::collections::BTreeMap;

use rules::model::{Host, InterfaceKind, Report, Timestamp};
use rules::path::{PathStage, StageFinding, StageId};
use serde::Serialize;

mod cards;
mod ifaces;
mod percpu;

pub use cards::CardView;

pub use ifaces::{finding_anchor, FindingLink, InterfaceRow};
pub use percpu::{CpuRow, CpuSummary};

/// A capture to ask for: the command, and what it would have told.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// A short name for the coverage line (`softnet_stat`, `ring size of eth0`).
    pub label: String,
    pub what: String,
    pub why: String,
}

/// What the summary needs of a host, for every format (JSON included): cheap to derive, no
/// charts.
#[derive(Debug, Clone, Serialize)]
pub struct HostFacts {
    /// The host as the page names it (see [`super::summary::display_name`]).
    pub name: String,
    /// The host section's id, and each finding card's (in the order of `host.findings`).
    pub anchor: String,
    pub finding_anchors: Vec<String>,
    /// Earliest and latest sample time of any series.
    pub span_start: Option<Timestamp>,
    pub span_end: Option<Timestamp>,
    /// Captures that were not in the input and would have made the diagnosis firmer.
    pub missing: Vec<Missing>,
    /// Counts per severity.
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
}

pub fn host_facts(host: &Host) -> HostFacts {
    let mut times: Vec<Timestamp> = reading_times(host).into_iter().flatten().collect();
    times.sort();
    let count =
        |sev: rules::finding::Severity| host.findings.iter().filter(|f| f.severity == sev).count();
    HostFacts {
        name: super::summary::display_name(host),
        anchor: super::summary::anchor(&["host", &host.hostname]),
        finding_anchors: host
            .findings
            .iter()
            .map(|f| finding_anchor(host, f))
            .collect(),
        span_start: times.first().copied(),
        span_end: times.last().copied(),
        missing: missing(host),
        critical: count(rules::finding::Severity::Critical),
        warning: count(rules::finding::Severity::Warning),
        info: count(rules::finding::Severity::Info),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HostView {
    /// Name, anchors, span, missing captures and counts (flattened: templates read `v.name`).
    #[serde(flatten)]
    pub facts: HostFacts,
    /// Each finding's remediation as steps (in the order of `host.findings`).
    pub steps: Vec<Vec<super::steps::Step>>,
    /// The finding cards: one per rule and severity, in the order of their first finding.
    pub cards: Vec<CardView>,
    /// Interface → counter → per-second rate over its most recent live interval.
    pub rates: BTreeMap<String, BTreeMap<String, f64>>,
    /// SVG per finding, in the order of `host.findings` (`None`: nothing to draw).
    pub charts: Vec<Option<String>>,
    /// Section charts: softnet drops and squeezes per CPU, CPU use per sample, si per CPU.
    pub softnet_dropped_chart: Option<String>,
    pub softnet_squeeze_chart: Option<String>,
    pub cpu_chart: Option<String>,
    pub si_chart: Option<String>,
    /// Per interface (in host order): samples and `ethtool -S` readings in the whole report
    /// (the page shows only the latest of each).
    pub interface_samples: Vec<SampleCounts>,
    /// Samples in the whole report, where the page shows only the latest ones.
    pub cpu_samples: usize,
    pub softnet_samples: usize,
    pub ipvs_samples: usize,
    /// The packet path, receive then transmit.
    pub path: Vec<PathRowView>,

    // ---- Issue 17 items 3 and 7 (scale): per-CPU summary, interfaces table order ----
    /// One row per CPU over the whole capture, hottest first; where the folded raw tables start.
    pub cpu: CpuSummary,
    /// The interfaces table's rows: interfaces with findings first, their highlights and links.
    pub interface_rows: Vec<InterfaceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleCounts {
    pub samples: usize,
    pub ethtool: usize,
}

pub fn host_views(report: &Report) -> Vec<HostView> {
    report.hosts.iter().map(host_view).collect()
}

fn host_view(host: &Host) -> HostView {
    let steps: Vec<Vec<super::steps::Step>> = host
        .findings
        .iter()
        .map(|f| super::steps::steps(&f.remediation))
        .collect();
    HostView {
        facts: host_facts(host),
        steps: steps.clone(),
        cards: cards::cards(host, &steps),
        interface_samples: host
            .interfaces
            .iter()
            .map(|i| SampleCounts {
                samples: i.samples.len(),
                ethtool: i.ethtool.len(),
            })
            .collect(),
        cpu_samples: host.cpu.len(),
        softnet_samples: host.softnet.len(),
        ipvs_samples: host.ipvs.len(),
        rates: latest_rates(host),
        charts: host
            .findings
            .iter()
            .map(|f| crate::render::charts::for_finding(host, f))
            .collect(),
        softnet_dropped_chart: crate::render::charts::softnet_heatmap(host, "dropped"),
        softnet_squeeze_chart: crate::render::charts::softnet_heatmap(host, "time_squeeze"),
        cpu_chart: crate::render::charts::cpu_per_sample(host),
        si_chart: crate::render::charts::cpu_si_heatmap(host),
        path: path_rows(host),
        cpu: percpu::cpu_summary(host),
        interface_rows: ifaces::interface_rows(host),
    }
}

/// Rates shown in the interfaces table.
const RATE_KEYS: [&str; 8] = [
    "rx_packets",
    "tx_packets",
    "rx_dropped",
    "tx_dropped",
    "rx_missed_errors",
    "rx_fifo_errors",
    "proc_rx_drop",
    "rx_errors",
];

fn latest_rates(host: &Host) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for i in &host.interfaces {
        let latest = i
            .deltas
            .iter()
            .filter(|d| d.kind.is_live() && !d.reset && !d.rates.is_empty())
            .max_by(|a, b| rules::model::cmp_time(&a.end, &b.end));
        let Some(d) = latest else { continue };
        let rates: BTreeMap<String, f64> = RATE_KEYS
            .iter()
            .filter_map(|k| d.rates.get(*k).map(|r| (k.to_string(), *r)))
            .collect();
        if !rates.is_empty() {
            out.insert(i.name.clone(), rates);
        }
    }
    out
}

/// The time of every reading of the host's counters and CPU use (`None`: read without one),
/// in no order.
fn reading_times(host: &Host) -> Vec<Option<Timestamp>> {
    let mut times = Vec::new();
    for i in &host.interfaces {
        times.extend(i.samples.iter().map(|s| s.time));
        times.extend(i.ethtool.iter().map(|s| s.time));
        // sar's rates come as intervals without samples.
        times.extend(
            i.deltas
                .iter()
                .flat_map(|d| [d.start, d.end])
                .filter(Option::is_some),
        );
    }
    for series in host.stack_counters() {
        times.extend(series.samples.iter().map(|s| s.time));
    }
    times.extend(host.softnet.iter().map(|s| s.time));
    times.extend(host.softirqs.iter().chain(&host.interrupts).map(|s| s.time));
    times.extend(host.cpu.iter().map(|s| s.time));
    times.extend(host.ipvs.iter().map(|s| s.time));
    times
}

/// What an engineer would ask the customer for next.
fn missing(host: &Host) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    let mut push = |label: String, what: String, why: &str| {
        out.push(Missing {
            label,
            what,
            why: why.to_string(),
        })
    };
    let single_snapshot = host.interfaces.iter().all(|i| i.samples.len() <= 1);
    if host.uptime_seconds.is_none() && single_snapshot {
        push(
            "uptime".into(),
            "uptime".into(),
            "single snapshots cannot be turned into since-boot rates",
        );
    }
    // Readings made, none with a time (a kernel log alone has none to time).
    let times = reading_times(host);
    let untimed = !times.is_empty() && times.iter().all(Option::is_none);
    if host.collected_at.is_none() && untimed {
        push(
            "sample times".into(),
            "date".into(),
            "samples are ordered by position only and no rates are computed",
        );
    }
    if host.softnet.is_empty() {
        push(
            "softnet_stat".into(),
            "cat /proc/net/softnet_stat".into(),
            "backlog drops and time squeezes cannot be checked",
        );
    }
    if host.cpu.is_empty() {
        push(
            "per-CPU load".into(),
            "top -b -1 -n 3 -w 200 (or sar -P ALL)".into(),
            "per-CPU softirq concentration and CPU steal cannot be checked",
        );
    }
    if host.sysctl.is_empty() {
        push(
            "sysctls".into(),
            "sysctl -a".into(),
            "the current netdev_max_backlog / netdev_budget values are not in the data",
        );
    }
    if single_snapshot && !host.interfaces.is_empty() {
        push(
            "a capture over time".into(),
            "while true; do date; ip -s -s link; cat /proc/net/softnet_stat; top -b -1 -n 2 -w 200; sleep 5; done".into(),
            "one reading per counter: a capture over time would show what grows now",
        );
    }
    for i in &host.interfaces {
        if i.kind != InterfaceKind::Physical || i.namespace.is_some() {
            continue;
        }
        let drops = i.samples.iter().any(|s| {
            [
                "rx_missed_errors",
                "rx_fifo_errors",
                "rx_over_errors",
                "proc_rx_drop",
                "rx_dropped",
            ]
            .iter()
            .any(|k| s.counters.get(*k).copied().unwrap_or(0) > 0)
        });
        if i.ring.is_none() && drops {
            push(
                format!("ring size of {}", i.name),
                format!("ethtool -g {}", i.name),
                "cannot say whether its RX ring can grow",
            );
        }
        if i.ethtool.is_empty() && drops {
            push(
                format!("driver counters of {}", i.name),
                format!("ethtool -S {}", i.name),
                "driver counters would tell ring, FIFO and PHY drops apart",
            );
        }
    }
    out
}

/// One row of the packet path as the pages draw it: receive or transmit.
#[derive(Debug, Clone, Serialize)]
pub struct PathRowView {
    pub direction: &'static str,
    pub stages: Vec<StageView>,
}

/// A stage box: its label, the figure of its lost packets (or why there is none), and the
/// findings that explain it, each linking to its card.
#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub id: &'static str,
    pub label: &'static str,
    /// `critical`, `warning`, `info` (the worst finding), `unjudged` (a counter no rule
    /// judges), `benign`, `clean` (read, nothing lost) or `unread`.
    pub class: &'static str,
    pub figure: String,
    /// The capture that would have told, for an unread stage.
    pub missing: Option<&'static str>,
    pub findings: Vec<StageFindingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageFindingView {
    /// The finding card's id.
    pub anchor: String,
    pub rule: &'static str,
    pub subject: String,
    pub severity: rules::finding::Severity,
    /// Its own loss figure (`200/s live`, `12000 since boot`), or what it is when it counts no
    /// packets here (`cause`, `by design`).
    pub figure: String,
}

fn path_rows(host: &Host) -> Vec<PathRowView> {
    let row = |direction, stages: &[PathStage]| PathRowView {
        direction,
        stages: stages
            .iter()
            .map(|s| stage_view(s, &host.hostname))
            .collect(),
    };
    vec![
        row("Receive", &host.path.rx),
        row("Transmit", &host.path.tx),
    ]
}

fn stage_view(s: &PathStage, hostname: &str) -> StageView {
    let unjudged = s
        .unreported
        .iter()
        .any(|c| c.reason.as_deref() == Some(rules::accounting::NOT_JUDGED));
    let class = match s.severity {
        Some(sev) => severity_class(sev),
        None if !s.read => "unread",
        None if unjudged => "unjudged",
        None if !s.unreported.is_empty() => "benign",
        None => "clean",
    };
    StageView {
        id: stage_id(s.id),
        label: s.label,
        class,
        figure: stage_figure(s, unjudged),
        missing: s.missing,
        findings: s
            .findings
            .iter()
            .map(|f| StageFindingView {
                anchor: super::summary::anchor(&[hostname, f.rule, &f.subject]),
                rule: f.rule,
                subject: f.subject.clone(),
                severity: f.severity,
                figure: finding_figure(f),
            })
            .collect(),
    }
}

fn severity_class(sev: rules::finding::Severity) -> &'static str {
    match sev {
        rules::finding::Severity::Critical => "critical",
        rules::finding::Severity::Warning => "warning",
        rules::finding::Severity::Info => "info",
    }
}

fn stage_id(id: StageId) -> &'static str {
    match id {
        StageId::Wire => "wire",
        StageId::Nic => "nic",
        StageId::Softnet => "softnet",
        StageId::Filter => "filter",
        StageId::Socket => "socket",
        StageId::Qdisc => "qdisc",
        StageId::Driver => "driver",
    }
}

/// The stage's headline: lost packets on their basis, or why there is no number.
fn stage_figure(s: &PathStage, unjudged: bool) -> String {
    if !s.read {
        return "not captured".into();
    }
    if let Some(l) = &s.lost {
        return loss_figure(l.total, l.rate, l.basis);
    }
    let n = s.unreported.len();
    if !s.findings.is_empty() {
        "no packets counted lost".into()
    } else if unjudged {
        format!("{n} loss counter(s) no rule judges")
    } else if n > 0 {
        format!("{n} loss counter(s), explained as benign")
    } else {
        "no loss counted".into()
    }
}

fn finding_figure(f: &StageFinding) -> String {
    if !f.loss {
        return "a cause: counts no packets lost here".into();
    }
    // A live finding whose counter did not move during the capture (an info note on loss from
    // before it): "0/s live (0 lost)" would read like a measurement of nothing.
    if f.basis == "live" && f.rate.unwrap_or(0.0) == 0.0 && f.total.unwrap_or(0.0) == 0.0 {
        return "none during the capture (its loss is from before it)".into();
    }
    loss_figure(f.total, f.rate, f.basis)
}

/// `200/s live (12000 lost)`, `12000 lost since boot`, `12000 lost, window unknown`, `at least
/// 3942 lost (kernel log)` (logged lines and those the kernel said it suppressed).
pub(crate) fn loss_figure(total: Option<f64>, rate: Option<f64>, basis: &str) -> String {
    use crate::render::format_number as num;
    // Rates read as in the findings' summaries (`3264/s`); totals stay exact.
    let per_s = rules::evidence::fmt_num;
    let total = total.map(num);
    match (basis, rate, total) {
        ("live", Some(r), Some(t)) => format!("{}/s live ({t} lost)", per_s(r)),
        ("live", Some(r), None) => format!("{}/s live", per_s(r)),
        ("live", None, Some(t)) => format!("{t} lost during the capture"),
        (_, _, None) => "lost: total in the finding".into(),
        ("since-boot", _, Some(t)) => format!("{t} lost since boot"),
        ("unknown-window", _, Some(t)) => format!("{t} lost, window unknown"),
        ("log", _, Some(t)) => format!("at least {t} lost (kernel log)"),
        (_, _, Some(t)) => format!("{t} lost (one reading)"),
    }
}
