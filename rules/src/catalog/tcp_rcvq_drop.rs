//! `tcp-rcvq-drop`: TCP threw away segments the NIC had delivered because a socket's receive
//! memory was exhausted (knowledge protocol-layers §2.4, §10): `TCPRcvQDrop` (in-order segment,
//! rmem schedule failed), `TCPBacklogDrop` (socket backlog over its limit while the application
//! held the lock), `RcvPruned` and `OfoPruned` (pruning freed too little and dropped). Each is
//! a distinct drop site, so they add up. `TCPOFODrop` is shown beside them as supporting
//! evidence; `PruneCalled` alone is memory pressure, not loss (info at most), and collapsed
//! segments (`TCPRcvCollapsed`) are not dropped.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "tcp-rcvq-drop",
    title: "TCP dropped received segments: socket receive memory was full",
    default_severity: Severity::Warning,
    references: &[
        "Documentation/networking/ip-sysctl.rst: tcp_rmem, tcp_mem, tcp_adv_win_scale",
        "hotsos: TCPRcvQDrop > 500 or > 1 % of InSegs; RcvPruned/OfoPruned > 500",
    ],
    check,
};

/// A host-level counter: the evidence is drawn as steps (live) or bars (totals).
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. A socket's receive memory.
pub const STAGE: Stage = Stage::rx(StageId::Socket);

/// The drop counters this rule judges, summed (distinct kernel sites).
const DROPS: [&str; 4] = [
    "TcpExtTCPRcvQDrop",
    "TcpExtTCPBacklogDrop",
    "TcpExtRcvPruned",
    "TcpExtOfoPruned",
];
const OFO_DROP: &str = "TcpExtTCPOFODrop";
const PRUNE_CALLED: &str = "TcpExtPruneCalled";
const IN_SEGS: &str = "TcpInSegs";

fn check(host: &Host) -> Vec<Finding> {
    let g = protocol_growth(host, &DROPS, &[IN_SEGS]);
    match g.as_ref().and_then(rcvq_severity) {
        Some(severity) => vec![drop_finding(host, g.unwrap(), severity)],
        None => pressure_note(host).into_iter().collect(),
    }
}

fn drop_finding(host: &Host, g: Growth, severity: Severity) -> Finding {
    let mut f = RULE.finding(
        severity,
        "host",
        format!(
            "TCP dropped {} after the NIC delivered them, because a socket's receive memory was full (TCPRcvQDrop, TCPBacklogDrop, RcvPruned, OfoPruned).",
            describe(&g, "segments")
        ),
    );
    stand_on(&mut f, &g);
    if let Some(ofo) = protocol_growth(host, &[OFO_DROP], &[]).filter(|o| o.basis == g.basis) {
        f.evidence.extend(ofo.evidence);
    }
    f.remediation = remediation(host, g.live());
    f
}

/// Live growth: the drop gate against `TcpInSegs`. Another window: warning above
/// `TCP_BOOT_WARN_EVENTS` or at `TCP_RCVQ_WARN_RATIO` of segments (hotsos), else a note.
fn rcvq_severity(g: &Growth) -> Option<Severity> {
    if g.live() || g.total <= 0.0 {
        return drop_severity(g);
    }
    let share = g.ratio().is_some_and(|r| r >= TCP_RCVQ_WARN_RATIO) && g.total >= LIVE_MIN_EVENTS;
    Some(if g.total > TCP_BOOT_WARN_EVENTS || share {
        Severity::Warning
    } else {
        Severity::Info
    })
}

/// No judged drop counter grew, but `TCPOFODrop` (out-of-order segments dropped for memory) or
/// `PruneCalled` (memory pressure) did: a note, so that neither is silent (principle one).
fn pressure_note(host: &Host) -> Option<Finding> {
    // (counter, what counted, what it means): the first that grew is noted.
    let notes = [
        (OFO_DROP, "out-of-order segments dropped", "for lack of receive memory (TCPOFODrop; the sender retransmits them)"),
        (PRUNE_CALLED, "receive-queue prunes", "without a segment dropped (RcvPruned and OfoPruned did not grow): memory pressure, not loss"),
    ];
    let (g, what, meaning) = notes.into_iter().find_map(|(key, what, meaning)| {
        protocol_growth(host, &[key], &[])
            .filter(|g| g.total > 0.0)
            .map(|g| (g, what, meaning))
    })?;
    let mut f = RULE.finding(
        Severity::Info,
        "host",
        format!("TCP counted {} {meaning}.", describe(&g, what)),
    );
    stand_on(&mut f, &g);
    f.remediation = remediation(host, g.live());
    Some(f)
}

/// `tcp_rmem` as read (`min default max`) and with its max doubled, when it has three numbers.
fn raised_rmem(host: &Host) -> Option<(String, String)> {
    let values: Vec<u64> = sysctl(host, "net.ipv4.tcp_rmem")?
        .split_whitespace()
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let [min, default, max] = values[..] else {
        return None;
    };
    Some((
        format!("{min} {default} {max}"),
        format!("{min} {default} {}", max * 2),
    ))
}

fn remediation(host: &Host, live: bool) -> Vec<String> {
    let rmem = match raised_rmem(host) {
        Some((now, raised)) => format!(
            "sysctl -w net.ipv4.tcp_rmem=\"{raised}\"   # now \"{now}\": the third value is the most a socket may autotune to; persist in /etc/sysctl.d/90-tcp-rmem.conf"
        ),
        None => "sysctl net.ipv4.tcp_rmem net.ipv4.tcp_mem   # not in the data: read them first; raise tcp_rmem's third value (the most a socket may autotune to)".to_string(),
    };
    let rmem_max = match sysctl_u64(host, "net.core.rmem_max") {
        Some(now) => format!(
            "sysctl -w net.core.rmem_max={}   # now {now}: the cap for applications that set SO_RCVBUF themselves",
            now * 2
        ),
        None => "sysctl net.core.rmem_max   # not in the data: the cap for applications that set SO_RCVBUF themselves".to_string(),
    };
    let mut r = vec![
        "ss -tmi   # skmem of each socket: r (queued) near rb (receive buffer) marks the sockets whose receive queue is full".to_string(),
        rmem,
        rmem_max,
        "Check that the application reads its sockets fast enough: a reader that stalls fills its receive queue whatever the buffer size.".to_string(),
    ];
    if !live {
        r.push(confirm_nstat(&[
            "TcpExtTCPRcvQDrop",
            "TcpExtTCPBacklogDrop",
            "TcpExtRcvPruned",
            "TcpExtOfoPruned",
            "TcpInSegs",
        ]));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{add_protocol, assert_any_contains, HostBuilder};

    fn host(samples: &[(u32, &[(&str, u64)])], uptime: Option<u64>) -> Host {
        HostBuilder::new("h")
            .with(|h| {
                h.uptime_seconds = uptime;
                h.collected_at = crate::test_support::at(0);
                h.sysctl
                    .insert("net.ipv4.tcp_rmem".into(), "4096\t131072\t6291456".into());
                add_protocol(h, samples);
            })
            .build()
    }

    #[test]
    fn drop_counters_add_up_and_ofo_drop_is_only_evidence() {
        // 400 + 150 = 550 > 500 since boot: warning; TCPOFODrop 90 shown, not counted.
        let h = host(
            &[(
                0,
                &[
                    ("TcpExtTCPRcvQDrop", 400),
                    ("TcpExtRcvPruned", 150),
                    (OFO_DROP, 90),
                    (IN_SEGS, 10_000_000),
                ],
            )],
            Some(86_400),
        );
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].total, 550.0);
        assert_eq!(f[0].basis, "since-boot");
        assert!(f[0].evidence.iter().any(|e| e.metric == OFO_DROP));
        assert_any_contains(
            &f[0].remediation,
            "sysctl -w net.ipv4.tcp_rmem=\"4096 131072 12582912\"   # now \"4096 131072 6291456\"",
        );
        assert_any_contains(&f[0].remediation, "sysctl net.core.rmem_max   # not in the data");
    }

    #[test]
    fn small_totals_are_notes_unless_a_visible_share() {
        let few = host(&[(0, &[("TcpExtTCPRcvQDrop", 40), (IN_SEGS, 1_000_000)])], None);
        assert_eq!(check(&few)[0].severity, Severity::Info);
        // 40 of 2000 segments = 2 % ≥ 1 %: warning.
        let share = host(&[(0, &[("TcpExtTCPRcvQDrop", 40), (IN_SEGS, 1_960)])], None);
        assert_eq!(check(&share)[0].severity, Severity::Warning);
    }

    #[test]
    fn prune_called_alone_is_a_note_and_zero_is_silent() {
        let h = host(&[(0, &[(PRUNE_CALLED, 1_234), ("TcpExtRcvPruned", 0)])], None);
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("memory pressure, not loss"));
        // Out-of-order drops alone: a note too, never silent.
        let ofo = host(&[(0, &[(OFO_DROP, 7), (PRUNE_CALLED, 1_234)])], None);
        let f = check(&ofo);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("7 out-of-order segments dropped since the counters started for lack of receive memory"), "{}", f[0].summary);
        let zero = host(&[(0, &[("TcpExtTCPRcvQDrop", 0), (PRUNE_CALLED, 0)])], None);
        assert!(check(&zero).is_empty());
    }

    #[test]
    fn live_growth_uses_the_drop_gate_against_in_segs() {
        // 400 drops and 30 000 segments in 10 s: 40/s, 400 / 30 400 = 1.3 % ≥ 1 %: critical.
        let h = host(
            &[
                (0, &[("TcpExtTCPBacklogDrop", 1_000), (IN_SEGS, 100_000)]),
                (10, &[("TcpExtTCPBacklogDrop", 1_400), (IN_SEGS, 130_000)]),
            ],
            None,
        );
        let f = check(&h);
        assert_eq!(f[0].basis, "live");
        assert_eq!(f[0].total, 400.0);
        assert_eq!(f[0].severity, Severity::Critical);
    }
}
