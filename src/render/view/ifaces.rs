//! The interfaces table's order and highlights (issue 17 item 7): interfaces with findings
//! first, each linked to its finding cards, and only the counters that grew during the capture
//! or that a finding rests on highlighted, so that the culprit stands out among counters that
//! are non-zero but flat since boot.

use std::collections::BTreeSet;

use rules::finding::{Finding, Severity};
use rules::model::{Host, Interface, Interval};
use serde::Serialize;

/// The `id` of a finding's card, and so the target of every link to it (the host views carry
/// it as `finding_anchors`; the packet path's links use the same parts).
pub fn finding_anchor(host: &Host, f: &Finding) -> String {
    crate::render::summary::anchor(&[&host.hostname, f.rule, &f.subject])
}

/// One row of the interfaces table.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceRow {
    /// Into `h.interfaces` (and `interface_samples`).
    pub index: usize,
    /// `ip -s` counters (and, in `ethtool_highlight`, `ethtool -S` counters) that grew in a
    /// live interval or back a finding on this interface.
    pub highlight: BTreeSet<String>,
    pub ethtool_highlight: BTreeSet<String>,
    /// Findings whose subject is this interface, in the host's order.
    pub findings: Vec<FindingLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLink {
    pub rule: &'static str,
    pub severity: Severity,
    pub anchor: String,
}

/// Interfaces with findings first (in the host's order), then the others in the same order.
pub fn interface_rows(host: &Host) -> Vec<InterfaceRow> {
    let rows: Vec<InterfaceRow> = host
        .interfaces
        .iter()
        .enumerate()
        .map(|(index, i)| interface_row(host, index, i))
        .collect();
    let (mut first, rest): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|r| !r.findings.is_empty());
    first.extend(rest);
    first
}

fn interface_row(host: &Host, index: usize, i: &Interface) -> InterfaceRow {
    let findings: Vec<&Finding> = host
        .findings
        .iter()
        .filter(|f| f.subject == i.name)
        .collect();
    // A finding's evidence names its counter as the metric, alone or as a word of it.
    let named: BTreeSet<String> = findings
        .iter()
        .flat_map(|f| &f.evidence)
        .flat_map(|e| {
            e.metric
                .split(|c: char| c.is_whitespace() || "()".contains(c))
        })
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let with_named = |mut grew: BTreeSet<String>, counters: Vec<&String>| {
        grew.extend(counters.into_iter().filter(|k| named.contains(*k)).cloned());
        grew
    };
    let ip_counters = i.samples.iter().flat_map(|s| s.counters.keys()).collect();
    let ethtool_counters = i.ethtool.iter().flat_map(|s| s.stats.keys()).collect();
    InterfaceRow {
        index,
        highlight: with_named(grew(&i.deltas), ip_counters),
        ethtool_highlight: with_named(grew(&i.ethtool_deltas), ethtool_counters),
        findings: findings
            .iter()
            .map(|f| FindingLink {
                rule: f.rule,
                severity: f.severity,
                anchor: finding_anchor(host, f),
            })
            .collect(),
    }
}

/// Loss and error counters with growth in a live interval (between two readings; not since
/// boot). Traffic counters grow on every healthy interface and are never highlighted.
fn grew(deltas: &[Interval]) -> BTreeSet<String> {
    deltas
        .iter()
        .filter(|d| d.kind.is_live() && !d.reset)
        .flat_map(|d| d.deltas.iter().filter(|(_, v)| **v > 0).map(|(k, _)| k))
        .filter(|k| is_loss_counter(k))
        .cloned()
        .collect()
}

/// The names the interfaces table has always treated as loss or error counters.
fn is_loss_counter(name: &str) -> bool {
    [
        "drop",
        "discard",
        "err",
        "miss",
        "fifo",
        "over",
        "no_buf",
        "out_of_buffer",
    ]
    .iter()
    .any(|p| name.contains(p))
}
