//! `tcp-out-of-resources`: the kernel killed TCP connections for want of resources (knowledge
//! protocol-layers §8.2, §10): `TCP: too many orphaned sockets` (more orphans, sockets the
//! application closed that still hold data or wait for the peer, than
//! `net.ipv4.tcp_max_orphans`) and `TCP: out of memory -- consider tuning tcp_mem` (TCP's
//! memory above `net.ipv4.tcp_mem`'s max). Both come from one check, `tcp_check_oom()`, and
//! have one effect: `tcp_out_of_resources()` and `tcp_close()` send the peer a reset and
//! destroy the socket (counted in `TCPAbortOnMemory`), so the data it still held is lost. One
//! rule for both: same place, same consequence; the remediation names the limit of each
//! message logged. Subject `host (TCP)`; warning from the first line, critical from
//! [`TCP_OUT_OF_RESOURCES_CRIT_LINES`], on the `log` basis.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "tcp-out-of-resources",
    title: "TCP connections reset for want of memory or orphan slots",
    default_severity: Severity::Warning,
    references: &[
        "net/ipv4/tcp.c tcp_check_oom: net_info_ratelimited(\"too many orphaned sockets\") / (\"out of memory -- consider tuning tcp_mem\"); tcp_close then sends a reset (TCPAbortOnMemory)",
        "net/ipv4/tcp_timer.c tcp_out_of_resources: tcp_send_active_reset, tcp_done, LINUX_MIB_TCPABORTONMEMORY",
        "Documentation/networking/ip-sysctl.rst: tcp_max_orphans, tcp_mem, tcp_orphan_retries",
    ],
    check,
};

/// No interface to draw: the evidence as bars.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The sockets themselves were destroyed: its lines count killed connections, not packets.
pub const STAGE: Stage = Stage::tx(StageId::Socket).without_loss();

const ORPHANS: &str = "TCP: too many orphaned sockets";
const MEMORY: &str = "TCP: out of memory -- consider tuning tcp_mem";

fn check(host: &Host) -> Vec<Finding> {
    let orphans = log_events(host, &[LogMessage::TooManyOrphans]);
    let memory = log_events(host, &[LogMessage::TcpOutOfMemory]);
    if orphans.is_empty() && memory.is_empty() {
        return Vec::new();
    }
    let lines = lines_of(&orphans) + lines_of(&memory);
    let mut f = log_finding(
        &RULE,
        lines_severity(lines, TCP_OUT_OF_RESOURCES_CRIT_LINES),
        "host (TCP)",
        "the kernel reset TCP connections and destroyed their sockets because it ran out of resources for them (tcp_check_oom): the peers saw a reset, and the data those sockets still held was lost. The messages are rate-limited, so more connections were reset than logged.",
        &[(ORPHANS, &orphans), (MEMORY, &memory)],
    );
    f.remediation = remediation(host, !orphans.is_empty(), !memory.is_empty());
    vec![f]
}

fn remediation(host: &Host, orphans: bool, memory: bool) -> Vec<String> {
    let mut r = vec![
        "cat /proc/net/sockstat   # TCP: orphan (orphaned sockets now) and mem (pages TCP holds now)".to_string(),
        "nstat -az TcpExtTCPAbortOnMemory   # run twice, 10 s apart: growing means connections are being reset now".to_string(),
    ];
    if orphans {
        r.push(match sysctl_u64(host, "net.ipv4.tcp_max_orphans") {
            Some(now) => format!(
                "sysctl -w net.ipv4.tcp_max_orphans={}   # now {now}: each orphan costs up to ~64 KiB of unswappable memory",
                now.saturating_mul(2)
            ),
            None => "sysctl net.ipv4.tcp_max_orphans   # not in the data: read it, then raise it (sysctl -w net.ipv4.tcp_max_orphans=<twice that>) if memory allows".to_string(),
        });
        r.push("Orphans are connections the application closed while the peer has not finished: find who closes many connections with unread or unsent data (ss -tan state fin-wait-1 state last-ack | wc -l), and shorten their life with net.ipv4.tcp_orphan_retries / tcp_fin_timeout.".to_string());
    }
    if memory {
        r.push(match tcp_mem(host) {
            Some([low, pressure, max]) => format!(
                "sysctl -w net.ipv4.tcp_mem=\"{} {} {}\"   # now \"{low} {pressure} {max}\" (pages of 4 KiB): double it if the machine has the memory",
                low.saturating_mul(2),
                pressure.saturating_mul(2),
                max.saturating_mul(2)
            ),
            None => "sysctl net.ipv4.tcp_mem   # not in the data: read it (min pressure max, in 4 KiB pages), then raise all three (sysctl -w net.ipv4.tcp_mem=\"<2×min> <2×pressure> <2×max>\") if the machine has the memory".to_string(),
        });
        r.push("ss -tmn | sort -t: -k2 -n | tail   # the sockets holding the most memory (skmem r/t): a slow reader or a stuck peer".to_string());
    }
    r
}

/// `net.ipv4.tcp_mem` as its three numbers (min, pressure, max), when read.
fn tcp_mem(host: &Host) -> Option<[u64; 3]> {
    let v: Vec<u64> = sysctl(host, "net.ipv4.tcp_mem")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    #[test]
    fn orphan_lines_with_suppressed_ones_are_critical_with_the_limit_doubled() {
        // 24 lines + 981 suppressed = 1005 ≥ 10: critical.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(LogEvent { suppressed: 981, ..log(LogMessage::TooManyOrphans, "", 24, 0, 60) });
                h.sysctl.insert("net.ipv4.tcp_max_orphans".into(), "65536".into());
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].subject.as_str(), f[0].basis, f[0].total), (Severity::Critical, "host (TCP)", "log", 1005.0));
        assert!(f[0].summary.contains("\"TCP: too many orphaned sockets\": 24 lines (at least 1005 with the 981 the kernel suppressed)"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.tcp_max_orphans=131072   # now 65536");
        assert!(!f[0].remediation.iter().any(|r| r.contains("tcp_mem")));
    }

    #[test]
    fn one_out_of_memory_line_is_a_warning_that_asks_for_tcp_mem_when_unread() {
        let host = HostBuilder::new("h")
            .with(|h| h.kernel_log.push(log(LogMessage::TcpOutOfMemory, "", 1, 0, 0)))
            .build();
        let f = check(&host);
        assert_eq!((f[0].severity, f[0].total), (Severity::Warning, 1.0));
        assert!(f[0].summary.contains("\"TCP: out of memory -- consider tuning tcp_mem\": 1 line at"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl net.ipv4.tcp_mem   # not in the data");
        assert!(!f[0].remediation.iter().any(|r| r.contains("unknown")));
    }

    #[test]
    fn both_messages_make_one_finding_with_both_limits() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(log(LogMessage::TooManyOrphans, "", 3, 0, 60));
                h.kernel_log.push(log(LogMessage::TcpOutOfMemory, "", 2, 0, 60));
                h.sysctl.insert("net.ipv4.tcp_mem".into(), "94011\t125350\t188022".into());
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].total, 5.0);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.tcp_mem=\"188022 250700 376044\"   # now \"94011 125350 188022\"");
        assert_any_starts_with(&f[0].remediation, "sysctl net.ipv4.tcp_max_orphans   # not in the data");
    }

    #[test]
    fn other_messages_are_not_this_rule() {
        let host = HostBuilder::new("h")
            .with(|h| h.kernel_log.push(log(LogMessage::ConntrackTableFull, "", 5, 0, 10)))
            .build();
        assert!(check(&host).is_empty());
    }
}
