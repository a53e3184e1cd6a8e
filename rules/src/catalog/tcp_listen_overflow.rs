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

/// The rates its severity turns on (drawn on its chart).
pub const MARKS: &[Mark] = &[
    Mark::warning(LISTEN_LIVE_WARN_RATE),
    Mark::critical(LISTEN_LIVE_CRIT_RATE),
];

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
    let full = full_listeners(host);
    if let Some(named) = name_listeners(host, &full) {
        summary.push(' ');
        summary.push_str(&named);
    }
    let mut f = RULE.finding(severity, "host", summary);
    stand_on(&mut f, &g);
    for other in drops.iter().chain(reqq.iter()) {
        f.evidence.extend(other.evidence.iter().cloned());
    }
    f.remediation = remediation(host, &g, syn_queue);
    if let Some(first) = full.first() {
        f.remediation.insert(1, listener_remedy(host, first));
    }
    vec![f]
}

/// How many full listeners a summary names.
const LISTENERS_NAMED: usize = 5;

/// The listeners `ss` showed at or near their backlog (Recv-Q ≥ 90 % of Send-Q; the kernel
/// lets the queue reach Send-Q + 1), fullest first (the model keeps them in that order).
fn full_listeners(host: &Host) -> Vec<&SocketInfo> {
    host.sockets
        .iter()
        .filter(|s| s.is_listener() && s.send_q > 0 && s.recv_q * 10 >= s.send_q * 9)
        .collect()
}

/// `ss shows … : 0.0.0.0:8080 (java, pid 1234): accept queue 129 of backlog 128 (the
/// application's listen() backlog; somaxconn is 4096)`, or, when `ss` was read and no listener
/// was full, that it was not at that moment.
fn name_listeners(host: &Host, full: &[&SocketInfo]) -> Option<String> {
    if !host.sockets.iter().any(SocketInfo::is_listener) {
        return None;
    }
    if full.is_empty() {
        return Some("ss showed no listener at its backlog when it was read (Recv-Q below Send-Q everywhere): the overflows came in bursts, or earlier.".to_string());
    }
    let named: Vec<String> = full
        .iter()
        .take(LISTENERS_NAMED)
        .map(|s| {
            format!(
                "{}: accept queue {} of backlog {} ({})",
                socket_name(s),
                s.recv_q,
                s.send_q,
                backlog_origin(host, s)
            )
        })
        .collect();
    let more = full.len().saturating_sub(LISTENERS_NAMED);
    let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
    Some(format!(
        "ss shows the full listener{}: {}{tail}.",
        if full.len() == 1 { "" } else { "s" },
        named.join("; ")
    ))
}

/// Whether a listener's backlog (Send-Q) is `net.core.somaxconn` (equal to it) rather than
/// the application's listen() backlog (smaller). Without the sysctl, 128 and 4096 (its
/// defaults before and since Linux 5.4) point to it.
fn capped_by_somaxconn(host: &Host, s: &SocketInfo) -> bool {
    match sysctl_u64(host, "net.core.somaxconn") {
        Some(max) => s.send_q >= max,
        None => matches!(s.send_q, 128 | 4096),
    }
}

/// Where a listener's backlog comes from, in words (see [`capped_by_somaxconn`]).
fn backlog_origin(host: &Host, s: &SocketInfo) -> String {
    let sysctl = capped_by_somaxconn(host, s);
    match (sysctl_u64(host, "net.core.somaxconn"), sysctl) {
        (Some(max), true) => format!("the limit is net.core.somaxconn = {max}"),
        (Some(max), false) => format!("the backlog comes from the application's listen(); somaxconn is {max}"),
        (None, true) => "probably net.core.somaxconn's default; the sysctl was not read".to_string(),
        (None, false) => "probably the application's listen() backlog; somaxconn was not read".to_string(),
    }
}

/// The first thing to change for the fullest listener: the sysctl or the application.
fn listener_remedy(host: &Host, s: &SocketInfo) -> String {
    let name = socket_name(s);
    if capped_by_somaxconn(host, s) {
        return format!(
            "# {name}: its backlog {} is capped by net.core.somaxconn: raise the sysctl (below) and the application's own backlog, then restart it (the backlog is fixed at listen())",
            s.send_q
        );
    }
    let allows = sysctl_u64(host, "net.core.somaxconn")
        .map(|max| format!(" (somaxconn {max} already allows more)"))
        .unwrap_or_default();
    format!(
        "# {name}: its backlog {} is the application's own{allows}: raise the backlog in its configuration (listen() argument, e.g. nginx `backlog=`, Tomcat `acceptCount`) and make it accept() faster",
        s.send_q
    )
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

    fn listener(local: &str, process: Option<(&str, u64)>, recv_q: u64, send_q: u64) -> SocketInfo {
        SocketInfo {
            protocol: "tcp".into(),
            state: "LISTEN".into(),
            local: local.into(),
            process: process.map(|p| p.0.to_string()),
            pid: process.map(|p| p.1),
            recv_q,
            send_q,
            rcvbuf: None,
            drops: None,
            time: None,
            source: "ss_-lntp".into(),
        }
    }

    #[test]
    fn ss_names_the_full_listener_and_where_its_backlog_comes_from() {
        // 0.0.0.0:8080 holds 129 waiting connections against a backlog of 128 while somaxconn
        // is 4096: the application asked for 128. 0.0.0.0:22 has 0 of 128: not named.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.sysctl.insert("net.core.somaxconn".into(), "4096".into());
                add_protocol(h, &[(0, &[(OVERFLOWS, 22_438), (DROPS, 22_438)])]);
                h.sockets = vec![
                    listener("0.0.0.0:8080", Some(("java", 1234)), 129, 128),
                    listener("0.0.0.0:22", Some(("sshd", 800)), 0, 128),
                ];
            })
            .build();
        let f = &check(&host)[0];
        assert!(
            f.summary.contains("ss shows the full listener: 0.0.0.0:8080 (java, pid 1234): accept queue 129 of backlog 128 (the backlog comes from the application's listen(); somaxconn is 4096)."),
            "{}",
            f.summary
        );
        assert!(!f.summary.contains(":22"));
        assert_any_starts_with(&f.remediation, "# 0.0.0.0:8080 (java, pid 1234): its backlog 128 is the application's own (somaxconn 4096 already allows more)");
    }

    #[test]
    fn a_backlog_equal_to_somaxconn_is_the_sysctl_and_an_idle_ss_is_said() {
        // The kube-proxy write-up: 129 of 128 with somaxconn 128 (the sysctl is the limit);
        // 3 of 128 is not near full.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.sysctl.insert("net.core.somaxconn".into(), "128".into());
                add_protocol(h, &[(0, &[(OVERFLOWS, 900)])]);
                h.sockets = vec![
                    listener(":::30720", Some(("kube-proxy", 1448)), 129, 128),
                    listener(":::31460", Some(("kube-proxy", 1448)), 3, 128),
                ];
            })
            .build();
        let f = &check(&host)[0];
        assert!(f.summary.contains(":::30720 (kube-proxy, pid 1448): accept queue 129 of backlog 128 (the limit is net.core.somaxconn = 128)"), "{}", f.summary);
        assert!(!f.summary.contains("31460"));
        assert_any_contains(&f.remediation, "is capped by net.core.somaxconn");
        // ss read, no listener full at that moment: said, not silent.
        let idle = HostBuilder::new("h")
            .with(|h| {
                add_protocol(h, &[(0, &[(OVERFLOWS, 900)])]);
                h.sockets = vec![listener("*:80", None, 0, 511)];
            })
            .build();
        assert!(check(&idle)[0].summary.contains("ss showed no listener at its backlog"));
        // No ss: the summary is unchanged.
        let none = HostBuilder::new("h").with(|h| add_protocol(h, &[(0, &[(OVERFLOWS, 900)])])).build();
        assert!(!check(&none)[0].summary.contains("ss "));
    }
}
