//! `syn-flood`: `Possible SYN flooding on port P` in the kernel log (knowledge protocol-layers
//! §8.2, §10): a listener's SYN queue was full. `Dropping request` means the SYNs were dropped
//! (syncookies off): a warning, critical from [`SYN_FLOOD_DROP_CRIT_LINES`] lines. `Sending
//! cookies` means the handshake went on with a SYN cookie: no drop, so info, although a cookie
//! connection keeps window scaling and SACK only when TCP timestamps are on (and not at all
//! before 2.6.26), and the full queue usually means a small backlog or a slow `accept()`, not
//! an attack. One finding per port (subject `port P`), on the `log` basis.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "syn-flood",
    title: "A TCP listener's SYN queue was full (Possible SYN flooding)",
    default_severity: Severity::Warning,
    references: &[
        "net/ipv4/tcp_input.c tcp_syn_flood_action: \"Possible SYN flooding on port %d. %s.  Check SNMP counters.\" (Sending cookies / Dropping request), once per listener (synflood_warned)",
        "Documentation/networking/ip-sysctl.rst: tcp_max_syn_backlog, tcp_syncookies, somaxconn",
    ],
    check,
};

/// No interface to draw: the evidence as bars.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. A listener's SYN queue. Its lines count episodes (one per socket and minute), not SYNs, so it adds no packets.
pub const STAGE: Stage = Stage::rx(StageId::Socket).without_loss();

const DROPPING: &str = "Dropping request";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::SynFlood]);
    // The port as the kernel printed it (`80`, `127.0.0.1:23456`, `[::]:20002`); `?` when
    // the line was cut before it.
    by_subject(&events, "?")
        .into_iter()
        .map(|(port, of_port)| finding(host, port, &of_port))
        .collect()
}

fn finding(host: &Host, port: &str, events: &[&LogEvent]) -> Finding {
    let dropped: u64 = events
        .iter()
        .filter(|e| e.detail.as_deref() == Some(DROPPING))
        .map(|e| lower_bound(e))
        .sum();
    let severity = match dropped {
        0 => Severity::Info,
        n if n >= SYN_FLOOD_DROP_CRIT_LINES => Severity::Critical,
        _ => Severity::Warning,
    };
    let parts: Vec<String> = events
        .iter()
        .map(|e| format!("\"{}\": {}", action(e), log_phrase(e)))
        .collect();
    let meaning = if dropped > 0 {
        "the listener's SYN queue was full and syncookies were off, so connection attempts (SYNs) were dropped; clients retry after 1 s, 3 s, 7 s"
    } else {
        "the listener's SYN queue was full; the kernel answered with SYN cookies, so no SYN was dropped, but a cookie connection loses window scaling and SACK unless TCP timestamps are on, and a full queue usually means a small backlog or a slow accept(), more often than an attack"
    };
    let mut f = RULE.finding(
        severity,
        &format!("port {port}"),
        format!(
            "Kernel log: Possible SYN flooding on port {port}: {meaning}. {}. The kernel prints this once per listening socket (until it is created again), so the lines count episodes, not SYNs: the counters say how many.",
            parts.join("; ")
        ),
    );
    let labelled: Vec<(&LogEvent, String)> = events
        .iter()
        .map(|e| (*e, format!("Possible SYN flooding on port {port} ({})", action(e))))
        .collect();
    stand_on_log(&mut f, &labelled);
    f.remediation = remediation(host, port, dropped > 0);
    f
}

fn action(e: &LogEvent) -> &str {
    e.detail.as_deref().unwrap_or("action not logged")
}

/// The port number alone (`80` of `127.0.0.1:80` or `[::]:80`), for `ss`.
fn port_number(port: &str) -> Option<&str> {
    let n = port.rsplit(':').next()?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

fn remediation(host: &Host, port: &str, dropped: bool) -> Vec<String> {
    let mut r = Vec::new();
    match port_number(port) {
        Some(n) => r.push(format!(
            "ss -lnt sport = :{n}   # the listener: Recv-Q reaching Send-Q (its backlog) is a full accept queue"
        )),
        None => r.push("ss -lnt   # the listeners and their backlogs (Send-Q)".to_string()),
    }
    r.push("nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies   # run twice, 10 s apart: growing drops are current".to_string());
    r.push(match sysctl_u64(host, "net.ipv4.tcp_max_syn_backlog") {
        Some(now) => format!(
            "sysctl -w net.ipv4.tcp_max_syn_backlog={}   # now {now}: the SYN queue",
            (now * 2).max(SOMAXCONN_RAISED)
        ),
        None => "sysctl net.ipv4.tcp_max_syn_backlog   # not in the data: read it, then raise it (sysctl -w net.ipv4.tcp_max_syn_backlog=<twice that>)".to_string(),
    });
    r.push(match sysctl_u64(host, "net.core.somaxconn") {
        Some(now) => format!(
            "sysctl -w net.core.somaxconn={}   # now {now}: caps every listen() backlog",
            (now * 2).max(SOMAXCONN_RAISED)
        ),
        None => format!(
            "sysctl net.core.somaxconn   # not in the data: read it, then raise it (at least {SOMAXCONN_RAISED})"
        ),
    });
    r.push("Raise the application's own listen backlog too (the SYN and accept queues are sized from min(listen() backlog, somaxconn)), e.g. nginx `listen 80 backlog=4096;`, and check that it calls accept() fast enough.".to_string());
    if dropped {
        let now = sysctl(host, "net.ipv4.tcp_syncookies")
            .map(|v| format!("now {}", v.trim()))
            .unwrap_or_else(|| "not in the data".to_string());
        r.push(format!(
            "sysctl -w net.ipv4.tcp_syncookies=1   # {now}: with 1, a full SYN queue answers with cookies instead of dropping"
        ));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_contains, assert_any_starts_with, at, log, HostBuilder};

    const COOKIES: &str = "Sending cookies";

    fn syn(port: &str, detail: &str, count: u64) -> LogEvent {
        LogEvent {
            detail: Some(detail.to_string()),
            example: format!("TCP: request_sock_TCP: Possible SYN flooding on port {port}. {detail}.  Check SNMP counters."),
            ..log(LogMessage::SynFlood, port, count, 0, 3600)
        }
    }

    #[test]
    fn dropped_requests_warn_with_the_lines_times_and_the_port() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(syn("80", DROPPING, 2));
                h.sysctl.insert("net.ipv4.tcp_max_syn_backlog".into(), "512".into());
                h.sysctl.insert("net.ipv4.tcp_syncookies".into(), "0".into());
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].subject.as_str()), (Severity::Warning, "port 80"));
        assert_eq!((f[0].basis, f[0].total), ("log", 2.0));
        let s = &f[0].summary;
        assert!(s.contains("\"Dropping request\": 2 lines from 2024-03-01T10:00:00+00:00 (sos_commands/kernel/dmesg:1) to 2024-03-01T11:00:00+00:00 (sos_commands/kernel/dmesg:2)"), "{s}");
        assert!(s.contains("e.g. \"TCP: request_sock_TCP: Possible SYN flooding on port 80. Dropping request."), "{s}");
        let e = &f[0].evidence[0];
        assert_eq!((e.value, e.start, e.end, e.basis), (Some(2.0), at(0), at(3600), "log"));
        assert_eq!(f[0].evidence[1].source, "sos_commands/kernel/dmesg:2");
        assert_any_starts_with(&f[0].remediation, "ss -lnt sport = :80");
        // 512 doubled is below the 4096 floor.
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.tcp_max_syn_backlog=4096   # now 512");
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.tcp_syncookies=1   # now 0");
        assert_any_contains(&f[0].remediation, "TcpExtTCPReqQFullDrop");
    }

    #[test]
    fn ten_dropping_lines_are_critical_and_cookies_alone_are_info() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(syn("127.0.0.1:23456", DROPPING, 10));
                h.kernel_log.push(syn("[::]:20002", COOKIES, 40));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 2);
        let by = |s: &str| f.iter().find(|x| x.subject == s).unwrap();
        assert_eq!(by("port 127.0.0.1:23456").severity, Severity::Critical);
        assert_any_starts_with(&by("port 127.0.0.1:23456").remediation, "ss -lnt sport = :23456");
        let cookies = by("port [::]:20002");
        assert_eq!(cookies.severity, Severity::Info);
        assert!(cookies.summary.contains("no SYN was dropped"), "{}", cookies.summary);
        // Cookies already on: no advice to turn them on.
        assert!(!cookies.remediation.iter().any(|r| r.contains("tcp_syncookies=1")));
        assert_any_starts_with(&cookies.remediation, "ss -lnt sport = :20002");
    }

    #[test]
    fn both_actions_on_one_port_are_one_finding_judged_on_the_drops() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(syn("443", COOKIES, 3));
                h.kernel_log.push(syn("443", DROPPING, 1));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].total, 4.0);
        assert!(f[0].summary.contains("\"Dropping request\": 1 line at 2024-03-01T10:00:00+00:00"), "{}", f[0].summary);
    }

    #[test]
    fn no_syn_flood_line_no_finding() {
        let host = HostBuilder::new("h")
            .with(|h| h.kernel_log.push(log(LogMessage::ConntrackTableFull, "", 5, 0, 10)))
            .build();
        assert!(check(&host).is_empty());
    }
}
