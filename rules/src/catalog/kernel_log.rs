//! What the rules on kernel-log messages share (`host.kernel_log`, knowledge protocol-layers
//! §8): the events of one message, and how a finding states them. A log line is an event at a
//! known time, not a counter read over a window: such a finding's basis is `log` (README,
//! "Time bases"), its evidence names the count, the first and last line's times and places,
//! and, when the kernel suppressed messages next to them, `count + suppressed` as the lower
//! bound it is. The rate of logged lines is not a drop rate (the messages are rate-limited or
//! printed once per listener), so `impact` stays 0.

use crate::finding::{Evidence, Finding, Rule, Severity};
use crate::model::{Host, LogEvent, LogMessage, Timestamp};

/// The `basis` of a finding and of its evidence that rest on kernel-log lines.
pub const LOG_BASIS: &str = "log";

/// The host's events of these messages, in the order they were read.
pub fn log_events<'a>(host: &'a Host, messages: &[LogMessage]) -> Vec<&'a LogEvent> {
    host.kernel_log
        .iter()
        .filter(|e| messages.contains(&e.message))
        .collect()
}

/// The events grouped by the subject their lines name (a port, a device, a table), the
/// subjects in sorted order and each group in the order read; `unnamed` stands for a line that
/// names none (cut before it, or an older kernel's wording).
pub fn by_subject<'a>(
    events: &[&'a LogEvent],
    unnamed: &'a str,
) -> Vec<(&'a str, Vec<&'a LogEvent>)> {
    let subject = |e: &&'a LogEvent| -> &'a str { e.subject.as_deref().unwrap_or(unnamed) };
    let mut subjects: Vec<&str> = events.iter().map(subject).collect();
    subjects.sort();
    subjects.dedup();
    subjects
        .into_iter()
        .map(|s| {
            (
                s,
                events.iter().copied().filter(|e| subject(e) == s).collect(),
            )
        })
        .collect()
}

/// At least this many messages: the lines, plus those the kernel said it suppressed.
pub fn lower_bound(e: &LogEvent) -> u64 {
    e.count.saturating_add(e.suppressed)
}

/// "3 lines (at least 3942 with the 3939 the kernel suppressed) from 2024-03-01T10:00:00+00:00
/// (dmesg:12) to … (dmesg:40), e.g. `…`".
pub fn log_phrase(e: &LogEvent) -> String {
    let mut s = lines(e.count);
    if e.suppressed > 0 {
        s.push_str(&format!(
            " (at least {} with the {} the kernel suppressed)",
            lower_bound(e),
            e.suppressed
        ));
    }
    let first = place(e.first.as_ref(), e.first_uptime, &e.first_source);
    if e.count > 1 {
        let last = place(e.last.as_ref(), e.last_uptime, &e.last_source);
        s.push_str(&format!(" from {first} to {last}"));
    } else if e.first_source != e.last_source {
        // One line that two logs repeat (dmesg and the journal): the same message.
        s.push_str(&format!(" at {first}, also in {}", e.last_source));
    } else {
        s.push_str(&format!(" at {first}"));
    }
    s.push_str(&format!(", e.g. \"{}\"", e.example));
    s
}

fn lines(n: u64) -> String {
    if n == 1 {
        "1 line".to_string()
    } else {
        format!("{n} lines")
    }
}

/// "2024-03-01T10:00:00+00:00 (dmesg:12)", "123.5 s after boot (dmesg:12)", "dmesg:12".
fn place(time: Option<&Timestamp>, uptime: Option<f64>, source: &str) -> String {
    match (time, uptime) {
        (Some(t), _) => format!("{t} ({source})"),
        (None, Some(u)) => format!("{u:.1} s after boot ({source})"),
        (None, None) => source.to_string(),
    }
}

/// The evidence of one event: its lines from the first to the last (value: the count, at the
/// first line's place); the last line's place when it is elsewhere; the lower bound with the
/// suppressed messages when there are any.
pub fn log_evidence(e: &LogEvent, what: &str) -> Vec<Evidence> {
    let item = |source: &str, start, end, metric: String, value: Option<u64>| Evidence {
        source: source.to_string(),
        start,
        end,
        metric,
        value: value.map(|v| v as f64),
        delta: None,
        rate: None,
        basis: LOG_BASIS,
    };
    let mut out = vec![item(
        &e.first_source,
        e.first.filter(|_| e.count > 1),
        e.last.or(e.first),
        format!("{what}: lines logged"),
        Some(e.count),
    )];
    if e.last_source != e.first_source {
        out.push(item(
            &e.last_source,
            None,
            e.last,
            format!("{what}: last line"),
            None,
        ));
    }
    if e.suppressed > 0 {
        out.push(item(
            &e.last_source,
            e.first.filter(|_| e.count > 1),
            e.last,
            format!("{what}: lines + suppressed (lower bound)"),
            Some(lower_bound(e)),
        ));
    }
    out
}

/// Rests a finding on kernel-log events alone: their evidence, the lines they prove as total,
/// and the `log` basis.
pub fn stand_on_log(f: &mut Finding, events: &[(&LogEvent, String)]) {
    for (e, what) in events {
        f.evidence.extend(log_evidence(e, what));
        f.total += lower_bound(e) as f64;
    }
    f.basis = LOG_BASIS;
}

/// The messages these events prove at least (`count + suppressed` summed).
pub fn lines_of(events: &[&LogEvent]) -> u64 {
    events.iter().map(|e| lower_bound(e)).sum()
}

/// Warning from the first line, critical from `critical_lines` (the lower bound): the severity
/// of a message that always means loss.
pub fn lines_severity(lines: u64, critical_lines: u64) -> Severity {
    if lines >= critical_lines {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// A finding that rests on kernel-log events alone: `head` (what the messages mean), then
/// each group's events (`"label": 3 lines from … to …, e.g. "…"`), their evidence labelled
/// with the group's label, the lines as its total, and the `log` basis.
pub fn log_finding(
    rule: &Rule,
    severity: Severity,
    subject: &str,
    head: &str,
    groups: &[(&str, &[&LogEvent])],
) -> Finding {
    let labelled: Vec<(&LogEvent, String)> = groups
        .iter()
        .flat_map(|(label, events)| events.iter().map(|e| (*e, label.to_string())))
        .collect();
    let parts: Vec<String> = labelled
        .iter()
        .map(|(e, label)| format!("\"{label}\": {}", log_phrase(e)))
        .collect();
    let mut f = rule.finding(
        severity,
        subject,
        format!("Kernel log: {head} {}.", parts.join("; ")),
    );
    stand_on_log(&mut f, &labelled);
    f
}

/// The later of two optional times of one log: by wall clock when both have one, else by
/// uptime; `None` when they cannot be ordered.
pub fn later(
    a: (Option<&Timestamp>, Option<f64>),
    b: (Option<&Timestamp>, Option<f64>),
) -> Option<std::cmp::Ordering> {
    match (a, b) {
        ((Some(x), _), (Some(y), _)) => Some(x.cmp(y)),
        ((_, Some(x)), (_, Some(y))) => x.partial_cmp(&y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::log;

    #[test]
    fn one_line_repeated_by_two_logs_reads_as_one_line() {
        let e = LogEvent {
            last_source: "sos_commands/logs/journalctl_--no-pager:5".into(),
            example: "bond0: link status definitely down for interface eth1, disabling it".into(),
            ..log(LogMessage::BondLinkDown, "eth1", 1, 0, 0)
        };
        assert_eq!(
            log_phrase(&e),
            "1 line at 2024-03-01T10:00:00+00:00 (sos_commands/kernel/dmesg:1), also in sos_commands/logs/journalctl_--no-pager:5, e.g. \"bond0: link status definitely down for interface eth1, disabling it\""
        );
        assert_eq!(log_evidence(&e, "eth1").len(), 2);
    }
}
