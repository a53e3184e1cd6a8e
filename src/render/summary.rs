//! The report's first screen, across all hosts: one row per finding that needs action (its
//! host, subject, result with its number, time basis, link and first command), and per host
//! one line of coverage, so that an all-clear says what it rests on.

use rules::finding::{Finding, Severity};
use rules::model::{Host, HostnameFrom, Report, Timestamp};
use serde::Serialize;

use super::steps::{first_command, steps};
use super::view::HostFacts;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The page title: the hosts' names.
    pub title: String,
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
    /// One sentence: how many findings need action on how many hosts, or the all-clear.
    pub verdict: String,
    /// Warning and critical findings of every host, most severe first.
    pub rows: Vec<SummaryRow>,
    pub coverage: Vec<Coverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub severity: Severity,
    pub host: String,
    /// The finding card's id.
    pub anchor: String,
    pub rule: &'static str,
    pub subject: String,
    pub title: String,
    /// Its number: packets lost and at what rate, or the evidence that raised it.
    pub result: String,
    /// How the time basis reads (`live`, `since boot`, …).
    pub basis: &'static str,
    pub command: Option<String>,
}

/// What one host's verdict rests on.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub host: String,
    pub anchor: String,
    /// `live, 60 samples over 5 min (… → …)`, `one snapshot, counters since boot (12 d 3 h)`.
    pub read: String,
    /// What was not captured and would have helped (`label` is its short name).
    pub missing: Vec<super::view::Missing>,
    /// `2 critical, 1 warning`, `no packet loss that needs action`, ….
    pub verdict: String,
}

pub fn summary(report: &Report, views: &[HostFacts]) -> Summary {
    let mut rows: Vec<SummaryRow> = report
        .hosts
        .iter()
        .zip(views)
        .flat_map(|(h, v)| {
            h.findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.severity != Severity::Info)
                .map(move |(n, f)| row(h, v, n, f))
        })
        .collect();
    // Hosts keep their order within a severity; findings are most severe first per host.
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let count = |sev| {
        report
            .hosts
            .iter()
            .flat_map(|h| &h.findings)
            .filter(|f| f.severity == sev)
            .count()
    };
    let (critical, warning, info) = (
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info),
    );
    Summary {
        title: title(views),
        critical,
        warning,
        info,
        verdict: verdict(report, critical, warning),
        rows,
        coverage: report
            .hosts
            .iter()
            .zip(views)
            .map(|(h, v)| coverage(h, v))
            .collect(),
    }
}

/// How a host is named on the page: never empty, and a file name is not passed off as the
/// machine's name.
pub fn display_name(host: &Host) -> String {
    match (host.hostname_from, host.hostname.trim()) {
        (_, "") => "unknown host".to_string(),
        (HostnameFrom::Input, name) => format!("unknown host (from {name})"),
        (_, name) => name.to_string(),
    }
}

/// An element id from its parts: names from customer data may hold characters that break a
/// fragment link (spaces, `#`, quotes), so anything but letters, digits and `-_.:` becomes `_`.
pub fn anchor(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_alphanumeric() || "-_.:".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn title(views: &[HostFacts]) -> String {
    match views.len() {
        0 => "analyze: no host".to_string(),
        1..=4 => format!(
            "analyze: {}",
            views
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        n => format!(
            "analyze: {}, {} and {} more",
            views[0].name,
            views[1].name,
            n - 2
        ),
    }
}

fn verdict(report: &Report, critical: usize, warning: usize) -> String {
    let hosts = report.hosts.len();
    let loud = report
        .hosts
        .iter()
        .filter(|h| h.findings.iter().any(|f| f.severity != Severity::Info))
        .count();
    let unjudged: usize = report.hosts.iter().map(unjudged).sum();
    let of_hosts = if hosts == 1 {
        String::new()
    } else {
        format!(" on {loud} of {hosts} hosts")
    };
    match (critical, warning) {
        (0, 0) if hosts == 0 => "No host could be read.".to_string(),
        (0, 0) if unjudged > 0 => format!(
            "No finding needs action, but {unjudged} loss counter(s) no rule judges are not ruled out."
        ),
        (0, 0) => format!(
            "No packet loss that needs action{}.",
            if hosts == 1 {
                String::new()
            } else {
                format!(" on any of the {hosts} hosts")
            }
        ),
        (c, w) => format!("Packet loss that needs action: {}{of_hosts}.", counts(c, w)),
    }
}

fn counts(critical: usize, warning: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (critical, warning) {
        (0, w) => plural(w, "warning"),
        (c, 0) => format!("{c} critical"),
        (c, w) => format!("{c} critical, {}", plural(w, "warning")),
    }
}

fn unjudged(host: &Host) -> usize {
    host.loss_counters
        .iter()
        .filter(|l| {
            l.finding.is_none() && l.reason.as_deref() == Some(rules::accounting::NOT_JUDGED)
        })
        .count()
}

fn row(host: &Host, view: &HostFacts, n: usize, f: &Finding) -> SummaryRow {
    let steps = steps(&f.remediation);
    SummaryRow {
        severity: f.severity,
        host: view.name.clone(),
        anchor: view.finding_anchors[n].clone(),
        rule: f.rule,
        subject: f.subject.clone(),
        title: f.title.clone(),
        result: result(host, f),
        basis: super::basis_label(f.basis),
        command: first_command(&steps).map(str::to_string),
    }
}

/// The finding's number: its packets lost on the packet path, else its first evidence.
fn result(host: &Host, f: &Finding) -> String {
    let counted = host
        .path
        .rx
        .iter()
        .chain(&host.path.tx)
        .flat_map(|s| &s.findings)
        .find(|s| s.rule == f.rule && s.subject == f.subject && s.loss);
    if let Some(s) = counted {
        return super::view::loss_figure(s.total, s.rate, s.basis);
    }
    let Some(e) = f.evidence.first() else {
        return String::new();
    };
    let num = super::format_number;
    match (e.rate, e.delta, e.value) {
        (Some(r), _, _) => format!("{} {}/s", e.metric, rules::evidence::fmt_num(r)),
        (None, Some(d), _) => format!("{} +{}", e.metric, num(d)),
        (None, None, Some(v)) => format!("{} {}", e.metric, num(v)),
        _ => e.metric.clone(),
    }
}

fn coverage(host: &Host, view: &HostFacts) -> Coverage {
    let verdict = match (view.critical, view.warning) {
        (0, 0) if unjudged(host) > 0 => {
            format!("{} loss counter(s) no rule judges", unjudged(host))
        }
        (0, 0) => "no packet loss that needs action".to_string(),
        (c, w) => counts(c, w),
    };
    Coverage {
        host: view.name.clone(),
        anchor: view.anchor.clone(),
        read: readings(host, view),
        missing: view.missing.clone(),
        verdict,
    }
}

/// How much the verdict rests on: samples, their span and their time basis.
fn readings(host: &Host, view: &HostFacts) -> String {
    // The layers above the NIC count too: a pasted `netstat -s` is a snapshot, and a
    // capture of `nstat` alone is live.
    let series = || {
        host.interfaces
            .iter()
            .flat_map(|i| {
                // sar's rates are intervals without samples: each one a reading.
                let readings = i.samples.len().max(i.deltas.len());
                [(readings, &i.deltas), (i.ethtool.len(), &i.ethtool_deltas)]
            })
            .chain(host.stack_counters().map(|c| (c.samples.len(), &c.deltas)))
    };
    let samples = series()
        .map(|(n, _)| n)
        .chain([host.softnet.len(), host.cpu.len(), host.ipvs.len()])
        .chain([host.softirqs.len(), host.interrupts.len()])
        .max()
        .unwrap_or(0);
    let live = series().flat_map(|(_, d)| d).any(|d| d.kind.is_live())
        || host.softnet_deltas.iter().any(|d| d.kind.is_live());
    let span = match (view.span_start, view.span_end) {
        (Some(a), Some(b)) if b > a => Some((a, b)),
        _ => None,
    };
    let logs = logs_read(host);
    let counters = match (samples, span) {
        (0, _) => return logs.map_or("no counters".into(), |l| format!("{l} only, no counters")),
        (n, Some((a, b))) if live => format!(
            "live, {n} samples over {} ({a} → {b})",
            human_duration((b.epoch_seconds() - a.epoch_seconds()) as f64)
        ),
        (n, None) if live => format!("{n} samples without times: growth between them, no rates"),
        // Readings over time without a loss counter between them (CPU use alone).
        (n, Some((a, b))) if n > 1 => format!(
            "{n} samples over {} ({a} → {b}), no loss counter measured between them",
            human_duration((b.epoch_seconds() - a.epoch_seconds()) as f64)
        ),
        // Several captures of one moment (a sosreport's `ip -s link`, `/proc/net/dev`, …) are
        // one snapshot, not a series.
        (n, None) if n > 1 && host.collected_at.is_none() => {
            format!("{n} readings without times: ordered by position, no rates")
        }
        _ => snapshot(host, host.collected_at.or(view.span_start)),
    };
    match logs {
        Some(l) => format!("{counters}; {l}"),
        None => counters,
    }
}

/// The kernel logs read (`kernel log var/log/messages (12034 lines)`, `3 kernel logs (…)`),
/// message or not: a log without a drop message is evidence too.
fn logs_read(host: &Host) -> Option<String> {
    let files = &host.kernel_log_files;
    let lines: u64 = files.iter().map(|f| f.lines).sum();
    match files.as_slice() {
        [] => None,
        [one] => Some(format!("kernel log {} ({lines} lines)", one.file)),
        all => Some(format!("{} kernel logs ({lines} lines)", all.len())),
    }
}

fn snapshot(host: &Host, at: Option<Timestamp>) -> String {
    let at = at.map(|t| format!(" at {t}")).unwrap_or_default();
    match host.uptime_seconds {
        Some(up) => format!(
            "one snapshot{at}: counters since boot ({} of uptime), not proven current",
            human_duration(up as f64)
        ),
        None => format!("one snapshot{at}: totals over an unknown window, not proven current"),
    }
}

/// A duration as people write it: `45 s`, `5 min`, `2 h 5 min`, `12 d 3 h`.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match s {
        0..=119 => format!("{s} s"),
        120..=3_599 if s % 60 == 0 => format!("{m} min"),
        120..=3_599 => format!("{m} min {} s", s % 60),
        3_600..=86_399 if m == 0 => format!("{h} h"),
        3_600..=86_399 => format!("{h} h {m} min"),
        _ if h == 0 => format!("{d} d"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(45.0), "45 s");
        assert_eq!(human_duration(300.0), "5 min");
        assert_eq!(human_duration(295.0), "4 min 55 s");
        assert_eq!(human_duration(7_500.0), "2 h 5 min");
        // 1 047 840 s: the uptime the issue quotes, 12 days, 3 hours and 4 minutes.
        assert_eq!(human_duration(1_047_840.0), "12 d 3 h");
        assert_eq!(human_duration(86_400.0), "1 d");
    }

    #[test]
    fn anchors_keep_plain_names_and_neutralise_the_rest() {
        assert_eq!(
            anchor(&["web01", "nic-rx-ring-overflow", "eth0"]),
            "web01-nic-rx-ring-overflow-eth0"
        );
        assert_eq!(anchor(&["a b", "r", "x#\"y"]), "a_b-r-x__y");
    }

    #[test]
    fn a_host_named_after_its_file_is_an_unknown_host() {
        let mut h = Host::new("capture.log");
        h.hostname_from = HostnameFrom::Input;
        assert_eq!(display_name(&h), "unknown host (from capture.log)");
        assert_eq!(display_name(&Host::new("")), "unknown host");
        assert_eq!(display_name(&Host::new("web01")), "web01");
    }
}
