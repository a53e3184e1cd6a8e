//! `conntrack-table-full`: new connections dropped because the connection-tracking table is
//! full (protocol-layers knowledge §7, §10). `conntrack -S` (or `/proc/net/stat/nf_conntrack`)
//! `drop` counts packets dropped when `nf_conntrack_count` reached `nf_conntrack_max` and
//! `early_drop` found no entry to evict; `early_drop` itself is pressure (an unassured entry was
//! evicted to make room), not loss. `insert_failed` is a different drop (an insert race or NAT
//! clash): reported here with its own explanation so that no conntrack drop is silent.
//! Without counters, a table filled to [`CONNTRACK_FILL_WARN`] of its maximum is a warning:
//! the next burst of new flows is dropped.
//!
//! The kernel log's `nf_conntrack: table full, dropping packet` (§8.2) is each a dropped packet
//! (rate-limited, so `count + suppressed` is a lower bound): with counters, the lines are more
//! evidence and make the finding at least a warning; without them, the lines alone are a
//! warning on the `log` basis (hotsos alarms on any occurrence).

use super::common::*;

pub static RULE: Rule = Rule {
    id: "conntrack-table-full",
    title: "Connection-tracking table full: new flows dropped",
    default_severity: Severity::Warning,
    references: &[
        "net/netfilter/nf_conntrack_core.c __nf_conntrack_alloc: \"nf_conntrack: table full, dropping packet\" and NF_CT_STAT_INC(net, drop)",
        "https://docs.kernel.org/networking/nf_conntrack-sysctl.html",
    ],
    check,
};

/// The evidence as bars or steps (no interface to draw).
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. Connection tracking dropped packets of new connections.
pub const STAGE: Stage = Stage::rx(StageId::Filter);

const MAX: &str = "net.netfilter.nf_conntrack_max";
const COUNT: &str = "net.netfilter.nf_conntrack_count";

fn check(host: &Host) -> Vec<Finding> {
    let logged = log_events(host, &[LogMessage::ConntrackTableFull]);
    let Some(mut f) = from_counters(host, !logged.is_empty()) else {
        return (!logged.is_empty())
            .then(|| from_log(host, &logged))
            .into_iter()
            .collect();
    };
    for e in logged {
        // The messages prove the table was full, whatever the counters' window.
        f.severity = f.severity.min(Severity::Warning);
        f.evidence.extend(log_evidence(e, LOGGED));
        f.summary.push_str(&format!(" Kernel log: \"{LOGGED}\": {}.", log_phrase(e)));
    }
    vec![f]
}

/// The message as the kernel prints it (doubled `nf_conntrack:` on recent kernels).
const LOGGED: &str = "nf_conntrack: table full, dropping packet";

/// The messages alone, with no conntrack counter that shows the drops.
fn from_log(host: &Host, events: &[&LogEvent]) -> Finding {
    let phrases: Vec<String> = events.iter().map(|e| log_phrase(e)).collect();
    let mut f = RULE.finding(
        Severity::Warning,
        "host",
        format!(
            "Kernel log: \"{LOGGED}\": {}. Each line is a packet of a new connection dropped because the connection-tracking table was full; the message is rate-limited, so more were dropped than logged.",
            phrases.join("; ")
        ),
    );
    let labelled: Vec<(&LogEvent, String)> = events.iter().map(|e| (*e, LOGGED.to_string())).collect();
    stand_on_log(&mut f, &labelled);
    f.remediation = remediation(host, true, false);
    f
}

/// The finding the counters and the table's fill make, if any; `logged`: the kernel log
/// says the table was full (the limit advice applies).
fn from_counters(host: &Host, logged: bool) -> Option<Finding> {
    let deltas = &host.conntrack.deltas;
    let drops = growth(deltas, &["drop"], &[]).filter(|g| g.total > 0.0);
    let clashes = growth(deltas, &["insert_failed"], &[]).filter(|g| g.total > 0.0);
    let fill = fill(host);
    let full = fill.as_ref().filter(|f| f.ratio >= CONNTRACK_FILL_WARN);
    let (severity, g) = match (&drops, &clashes) {
        (Some(g), _) => (drop_severity(g), Some(g)),
        (None, Some(g)) => (drop_severity(g), Some(g)),
        (None, None) if full.is_some() => (Some(Severity::Warning), None),
        (None, None) => return None,
    };
    let mut severity = severity?;
    if full.is_some() && severity == Severity::Info {
        // A table at its limit is what the drops mean: not a since-boot curiosity.
        severity = Severity::Warning;
    }
    let mut f = RULE.finding(severity, "host", summary(&drops, &clashes, &fill));
    if let Some(g) = g {
        stand_on(&mut f, g);
        if let (Some(d), Some(c)) = (&drops, &clashes) {
            f.evidence.extend(c.evidence.iter().cloned());
            f.total = d.total + c.total;
        }
    } else {
        f.basis = "snapshot";
    }
    if let Some(fl) = &fill {
        f.evidence.push(fl.evidence.clone());
    }
    f.remediation = remediation(
        host,
        drops.is_some() || full.is_some() || logged,
        clashes.is_some(),
    );
    Some(f)
}

/// The table's highest fill: the peak `nf_conntrack_count` against `nf_conntrack_max`.
struct Fill {
    count: u64,
    max: u64,
    ratio: f64,
    evidence: Evidence,
}

fn fill(host: &Host) -> Option<Fill> {
    let max = sysctl_u64(host, MAX).filter(|m| *m > 0)?;
    let peak = host.conntrack_count.peaks.get(COUNT)?;
    Some(Fill {
        count: peak.value,
        max,
        ratio: peak.value as f64 / max as f64,
        evidence: Evidence {
            source: peak.source.clone(),
            start: None,
            end: peak.time,
            metric: format!("nf_conntrack_count (of nf_conntrack_max {max})"),
            value: Some(peak.value as f64),
            delta: None,
            rate: None,
            basis: "snapshot",
        },
    })
}

fn summary(drops: &Option<Growth>, clashes: &Option<Growth>, fill: &Option<Fill>) -> String {
    let mut parts = Vec::new();
    if let Some(g) = drops {
        parts.push(format!(
            "{}: the table was full, so packets of new connections were dropped",
            describe(g, "conntrack drops")
        ));
    }
    if let Some(g) = clashes {
        parts.push(format!(
            "{}: packets dropped because their entry could not be inserted (a race or NAT clash, not a full table)",
            describe(g, "conntrack insert failures")
        ));
    }
    if let Some(f) = fill {
        parts.push(format!(
            "the table held {} of {} entries ({}) at its fullest reading",
            fmt_count(f.count as f64),
            fmt_count(f.max as f64),
            fmt_pct(f.ratio)
        ));
    }
    let mut s = parts.join("; ");
    s.push('.');
    s
}

fn remediation(host: &Host, full: bool, clashes: bool) -> Vec<String> {
    let mut out = vec![
        "conntrack -S; sleep 10; conntrack -S   # do drop/insert_failed still grow?".to_string(),
        "cat /proc/sys/net/netfilter/nf_conntrack_count /proc/sys/net/netfilter/nf_conntrack_max".to_string(),
        "dmesg -T | grep -c 'table full, dropping packet'".to_string(),
    ];
    if full {
        match sysctl_u64(host, MAX) {
            Some(max) => {
                let new = max.saturating_mul(2);
                out.push(format!(
                    "sysctl -w {MAX}={new}   # now {max}; each entry costs about 320 bytes of kernel memory"
                ));
                out.push(format!(
                    "echo {} > /sys/module/nf_conntrack/parameters/hashsize   # hash buckets: keep about max/4",
                    new / 4
                ));
                out.push(format!(
                    "echo '{MAX} = {new}' > /etc/sysctl.d/90-conntrack.conf   # keep it after reboot"
                ));
            }
            None => out.push(format!(
                "sysctl {MAX}   # read the current limit, then: sysctl -w {MAX}=<twice that>"
            )),
        }
        out.push(
            "sysctl net.netfilter.nf_conntrack_tcp_timeout_established   # default 432000 s (5 days): shorter timeouts free entries sooner"
                .to_string(),
        );
        out.push(
            "# traffic that needs no state (DNS to a local resolver, monitoring) can skip tracking: iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack"
                .to_string(),
        );
    }
    if clashes {
        out.push(
            "# insert_failed: parallel UDP flows with the same tuple (DNS A/AAAA over one socket) clash in NAT; options single-request-reopen in /etc/resolv.conf, or a kernel with clash resolution (5.x)"
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::CounterSample;
    use crate::test_support::{assert_any_starts_with, at, log};

    fn conntrack(host: &mut Host, readings: &[(u32, u64, u64)]) {
        for (i, (sec, drop, insert_failed)) in readings.iter().enumerate() {
            host.conntrack.samples.push(CounterSample {
                time: at(*sec),
                source: format!("capture.log:{}", i * 10 + 1),
                counters: [
                    ("drop".to_string(), *drop),
                    ("insert_failed".to_string(), *insert_failed),
                    ("early_drop".to_string(), 0),
                ]
                .into(),
                approximate: false,
            });
        }
    }

    fn count(host: &mut Host, count: u64, max: u64) {
        host.sysctl.insert(MAX.into(), max.to_string());
        host.conntrack_count.add(CounterSample {
            time: at(0),
            source: "proc/sys/net/netfilter/nf_conntrack_count".into(),
            counters: [(COUNT.to_string(), count)].into(),
            approximate: false,
        });
    }

    #[test]
    fn live_drops_at_a_full_table_are_critical_with_a_doubled_limit() {
        let mut h = Host::new("h");
        // 0 → 3000 drops in 10 s: 300/s.
        conntrack(&mut h, &[(0, 0, 0), (10, 3000, 0)]);
        count(&mut h, 262_100, 262_144);
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].basis, "live");
        assert!(f[0].summary.contains("3000 conntrack drops during the capture"), "{}", f[0].summary);
        assert!(f[0].summary.contains("262100 of 262144 entries (100.0 %)"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.netfilter.nf_conntrack_max=524288");
        assert_any_starts_with(&f[0].remediation, "echo 131072 > /sys/module/nf_conntrack/parameters/hashsize");
    }

    #[test]
    fn a_nearly_full_table_without_drops_is_a_warning_and_a_roomy_one_is_quiet() {
        let mut h = Host::new("h");
        conntrack(&mut h, &[(0, 0, 0)]);
        count(&mut h, 950, 1000);
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "snapshot");
        let mut h = Host::new("h");
        conntrack(&mut h, &[(0, 0, 0)]);
        count(&mut h, 804, 262_144);
        crate::timeline::compute(&mut h);
        assert!(check(&h).is_empty());
    }

    #[test]
    fn a_few_insert_failures_since_the_counters_started_are_never_silent() {
        let mut h = Host::new("h");
        conntrack(&mut h, &[(0, 0, 7)]);
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0].summary.contains("not a full table"), "{}", f[0].summary);
        // No limit advice without a full table: the remedy for clashes differs.
        assert!(!f[0].remediation.iter().any(|r| r.starts_with("sysctl -w")));
    }

    fn table_full(count: u64, suppressed: u64) -> LogEvent {
        LogEvent {
            suppressed,
            example: "nf_conntrack: nf_conntrack: table full, dropping packet".into(),
            ..log(LogMessage::ConntrackTableFull, "", count, 0, 3600)
        }
    }

    #[test]
    fn the_log_alone_is_a_warning_with_its_lower_bound() {
        // 2 lines, 3939 suppressed between them: at least 3941 packets, no counters.
        let mut h = Host::new("h");
        h.kernel_log.push(table_full(2, 3939));
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].basis, f[0].total), (Severity::Warning, "log", 3941.0));
        assert!(f[0].summary.contains("2 lines (at least 3941 with the 3939 the kernel suppressed) from 2024-03-01T10:00:00+00:00 (sos_commands/kernel/dmesg:1) to 2024-03-01T11:00:00+00:00 (sos_commands/kernel/dmesg:2)"), "{}", f[0].summary);
        let values: Vec<Option<f64>> = f[0].evidence.iter().map(|e| e.value).collect();
        assert_eq!(values, [Some(2.0), None, Some(3941.0)]);
        assert_any_starts_with(&f[0].remediation, "sysctl net.netfilter.nf_conntrack_max   # read the current limit");
    }

    #[test]
    fn with_counters_the_log_is_more_evidence_and_at_least_a_warning() {
        // 7 insert failures since the counters started: info alone (see above); the log
        // says the table was full: a warning, still on the counters' basis.
        let mut h = Host::new("h");
        conntrack(&mut h, &[(0, 0, 7)]);
        h.kernel_log.push(table_full(1, 0));
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].basis), (Severity::Warning, "unknown-window"));
        assert!(f[0].summary.contains("Kernel log: \"nf_conntrack: table full, dropping packet\": 1 line at"), "{}", f[0].summary);
        assert_eq!(f[0].evidence.last().unwrap().basis, "log");
        // The limit advice applies now that the table is known to have been full.
        assert_any_starts_with(&f[0].remediation, "sysctl net.netfilter.nf_conntrack_max");
    }
}
