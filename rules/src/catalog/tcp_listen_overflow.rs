//! `tcp-listen-overflow`: a listening socket's accept queue was full, so completed handshakes
//! were dropped (knowledge protocol-layers §2.4, §9 guard 1, §10). `ListenDrops` counts every
//! listener drop, overflows included (`ListenDrops ≥ ListenOverflows` by construction), so the
//! accept queue is judged on `ListenOverflows` alone and the two are never added; the excess
//! `ListenDrops − ListenOverflows` (SYN queue full, allocation failure) is named beside it.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "tcp-listen-overflow",
    title: "A TCP listener's accept queue overflowed",
    default_severity: Severity::Warning,
    references: &[
        "Documentation/networking/ip-sysctl.rst: somaxconn, tcp_max_syn_backlog",
        "listen(2): the backlog is capped by net.core.somaxconn",
        "hotsos: ListenOverflows/ListenDrops > 500",
    ],
    check,
};

/// A host-level counter: the evidence is drawn as steps (live) or bars (totals).
pub const CHART: Chart = Chart::Counters;

/// Where its findings lie on the packet path. A listener's accept queue.
pub const STAGE: Stage = Stage::rx(StageId::Socket);

const OVERFLOWS: &str = "TcpExtListenOverflows";
const DROPS: &str = "TcpExtListenDrops";
const REQQ_FULL: &str = "TcpExtTCPReqQFullDrop";

fn check(host: &Host) -> Vec<Finding> {
    let Some(g) = protocol_growth(host, &[OVERFLOWS], &[]) else {
        return other_listener_drops(host).into_iter().collect();
    };
    let Some(severity) = listen_severity(&g) else {
        return other_listener_drops(host).into_iter().collect();
    };
    let drops = protocol_growth(host, &[DROPS], &[]).filter(|d| d.basis == g.basis);
    let reqq = protocol_growth(host, &[REQQ_FULL], &[]).filter(|d| d.basis == g.basis);
    // The listener drops the accept queue does not explain: SYN queue or other causes.
    let excess = drops.as_ref().map_or(0.0, |d| (d.total - g.total).max(0.0));
    let syn_queue = excess > 0.0 || reqq.as_ref().is_some_and(|r| r.total > 0.0);
    let mut summary = format!(
        "Accept queues of listening TCP sockets overflowed: {} (TcpExtListenOverflows); each is a completed handshake the kernel dropped, and the client must retry.",
        describe(&g, "overflows")
    );
    if let Some(d) = &drops {
        summary.push_str(&format!(
            " TcpExtListenDrops {} includes them (never added)",
            fmt_count(d.total)
        ));
        summary.push_str(&if excess > 0.0 {
            format!("; its excess of {} is SYN-queue or other listener drops.", fmt_count(excess))
        } else {
            "; no other listener drops.".to_string()
        });
    }
    let mut f = RULE.finding(severity, "host", summary);
    stand_on(&mut f, &g);
    for other in drops.iter().chain(reqq.iter()) {
        f.evidence.extend(other.evidence.iter().cloned());
    }
    f.remediation = remediation(host, &g, syn_queue);
    vec![f]
}

/// No accept-queue overflow, but `ListenDrops` or `TCPReqQFullDrop` grew: listener drops from
/// the SYN queue or other causes. A note, so that they are never silent (principle one).
fn other_listener_drops(host: &Host) -> Option<Finding> {
    let g = [DROPS, REQQ_FULL]
        .into_iter()
        .find_map(|key| protocol_growth(host, &[key], &[]).filter(|g| g.total > 0.0))?;
    let mut f = RULE.finding(
        Severity::Info,
        "host",
        format!(
            "No accept-queue overflow, but listening sockets dropped {} ({}): the SYN queue was full, or a request failed (allocation, route, ICMP error).",
            describe(&g, "connection requests"),
            g.evidence.first().map_or(DROPS, |e| e.metric.as_str())
        ),
    );
    stand_on(&mut f, &g);
    f.remediation = remediation(host, &g, true);
    Some(f)
}

/// Live growth: warning at `LISTEN_LIVE_WARN_RATE` or `LIVE_MIN_EVENTS`, critical at
/// `LISTEN_LIVE_CRIT_RATE`, else a note. A total over another window: warning above
/// `TCP_BOOT_WARN_EVENTS`, else a note, never silent when non-zero (principle one).
fn listen_severity(g: &Growth) -> Option<Severity> {
    if g.total <= 0.0 {
        return g.history.filter(|h| *h > 0.0).map(|_| Severity::Info);
    }
    if g.live() {
        let rate = g.mean_rate();
        if rate.is_some_and(|r| r >= LISTEN_LIVE_CRIT_RATE) {
            return Some(Severity::Critical);
        }
        let warn = rate.is_some_and(|r| r >= LISTEN_LIVE_WARN_RATE) || g.total >= LIVE_MIN_EVENTS;
        return Some(if warn { Severity::Warning } else { Severity::Info });
    }
    Some(if g.total > TCP_BOOT_WARN_EVENTS {
        Severity::Warning
    } else {
        Severity::Info
    })
}

fn remediation(host: &Host, g: &Growth, syn_queue: bool) -> Vec<String> {
    let mut r = vec![
        "ss -lnt   # a listener whose Recv-Q (connections waiting for accept()) reaches its Send-Q (the backlog) is the full one".to_string(),
        match sysctl_u64(host, "net.core.somaxconn") {
            Some(now) => format!(
                "sysctl -w net.core.somaxconn={}   # now {now}; persist in /etc/sysctl.d/90-listen.conf",
                (now * 2).max(SOMAXCONN_RAISED)
            ),
            None => format!(
                "sysctl net.core.somaxconn   # not in the data: read it first, then raise it (sysctl -w net.core.somaxconn=<twice that, at least {SOMAXCONN_RAISED}>)"
            ),
        },
        "Raise the application's own listen backlog too: the queue is min(listen() backlog, somaxconn), e.g. nginx `listen 80 backlog=4096;`, and check that it calls accept() fast enough (a stalled worker fills the queue).".to_string(),
    ];
    if syn_queue {
        r.push(match sysctl_u64(host, "net.ipv4.tcp_max_syn_backlog") {
            Some(now) => format!(
                "sysctl -w net.ipv4.tcp_max_syn_backlog={}   # now {now}: ListenDrops beyond the overflows, or TCPReqQFullDrop, mean the SYN queue is full too",
                now * 2
            ),
            None => "sysctl net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_syncookies   # ListenDrops beyond the overflows, or TCPReqQFullDrop, mean the SYN queue is full too: raise the backlog, keep syncookies=1".to_string(),
        });
    }
    if !g.live() {
        r.push(confirm_nstat(&[OVERFLOWS, DROPS]));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{add_protocol, assert_any_contains, assert_any_starts_with, HostBuilder};

    #[test]
    fn overflows_since_boot_above_500_warn_and_drops_are_not_added() {
        // The ddcode netstat -s numbers: 22438 overflows, 49148 listener drops, 41 days up.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.uptime_seconds = Some(41 * 86_400);
                h.collected_at = crate::test_support::at(0);
                h.sysctl.insert("net.core.somaxconn".into(), "128".into());
                add_protocol(h, &[(0, &[(OVERFLOWS, 22_438), (DROPS, 49_148)])]);
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "since-boot");
        assert_eq!(f[0].total, 22_438.0);
        // 49148 - 22438 = 26710 SYN-queue or other drops.
        assert!(f[0].summary.contains("excess of 26710"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.core.somaxconn=4096   # now 128");
        assert_any_contains(&f[0].remediation, "tcp_max_syn_backlog");
        assert_any_contains(&f[0].remediation, "nstat -asz TcpExtListenOverflows");
    }

    #[test]
    fn a_small_total_is_a_note_and_zero_is_silent() {
        let small = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(OVERFLOWS, 37), (DROPS, 37)])]))
            .build();
        let f = check(&small);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0].summary.contains("no other listener drops"));
        // somaxconn not read: never "unknown", read it first.
        assert_any_starts_with(&f[0].remediation, "sysctl net.core.somaxconn   # not in the data");
        let zero = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(OVERFLOWS, 0), (DROPS, 0)])]))
            .build();
        assert!(check(&zero).is_empty());
        // Listener drops without an overflow (SYN queue): a note, never silent.
        let syn = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(OVERFLOWS, 0), (DROPS, 12)])]))
            .build();
        let f = check(&syn);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("dropped 12 connection requests"), "{}", f[0].summary);
        assert_any_contains(&f[0].remediation, "tcp_max_syn_backlog");
    }

    #[test]
    fn live_growth_is_judged_on_its_rate() {
        // 1200 overflows in 10 s = 120/s: critical.
        let host = HostBuilder::new("h")
            .with(|h| {
                add_protocol(
                    h,
                    &[(0, &[(OVERFLOWS, 5_000), (DROPS, 5_000)]), (10, &[(OVERFLOWS, 6_200), (DROPS, 6_200)])],
                )
            })
            .build();
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].basis, "live");
        assert_eq!(f[0].total, 1_200.0);
        assert!(!f[0].remediation.iter().any(|l| l.contains("tcp_max_syn_backlog")));
        // No growth during the capture over an old total: a note about the past.
        let quiet = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(OVERFLOWS, 5_000)]), (10, &[(OVERFLOWS, 5_000)])]))
            .build();
        let f = check(&quiet);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.starts_with("Not growing"));
    }
}
