//! `udp-bad-checksum`: `UDP: bad checksum. From A:p to B:q ulen N` (also `UDPv6`,
//! `UDPLite`; knowledge protocol-layers §8.2, §10): a datagram arrived with a wrong checksum
//! and was dropped (counted in `UdpInCsumErrors`, which `protocol-discards` judges). The line is
//! printed at debug level only (dynamic debug on), so its absence means nothing. A few corrupt
//! datagrams are the background of any network: info; from [`UDP_CSUM_LOG_WARN_LINES`] a
//! source or a path that keeps corrupting them (NIC, offload, virtio): a warning. Never
//! critical: the lines are rate-limited debug output, and the rate is in the counters. One
//! finding per destination port (subject `port Q`), on the `log` basis.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "udp-bad-checksum",
    title: "UDP datagrams dropped for a bad checksum (kernel log)",
    default_severity: Severity::Info,
    references: &[
        "net/ipv4/udp.c __udp4_lib_rcv csum_error: net_dbg_ratelimited(\"UDP%s: bad checksum. From %pI4:%u to %pI4:%u ulen %d\\n\"), UDP_MIB_CSUMERRORS, then the skb freed",
    ],
    check,
};

/// No interface to draw: the evidence as bars.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. UDP's receive, before any socket.
pub const STAGE: Stage = Stage::rx(StageId::Socket);

const LOGGED: &str = "UDP: bad checksum";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::UdpBadChecksum]);
    by_subject(&events, "?")
        .into_iter()
        .map(|(p, of)| {
            let severity = if lines_of(&of) >= UDP_CSUM_LOG_WARN_LINES { Severity::Warning } else { Severity::Info };
            let head = format!("UDP datagrams to port {p} arrived with a bad checksum and were dropped (corrupted on the wire, by a NIC or by checksum offload; the line names the sender). It is debug output, rate-limited, so more were dropped than logged.");
            let mut f = log_finding(&RULE, severity, &format!("port {p}"), &head, &[(LOGGED, &of)]);
            f.remediation = remediation();
            f
        })
        .collect()
}

fn remediation() -> Vec<String> {
    vec![
        "nstat -az UdpInCsumErrors Udp6InCsumErrors   # run twice, 10 s apart: growing means datagrams are corrupted now".to_string(),
        "ip -s -s link   # RX CRC/frame errors on the receiving interface point at the wire or the NIC".to_string(),
        "ethtool -k IF | grep checksum   # on the receiving interface; in a VM, try ethtool -K IF rx off (broken virtio/offload checksums have caused this)".to_string(),
        "# the sender the lines name (From A:p): check its NIC, offload and path; a single sender is usually its fault".to_string(),
    ]
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{log, HostBuilder};

    #[test]
    fn a_few_lines_are_info_and_ten_a_warning_per_port() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(log(LogMessage::UdpBadChecksum, "53", 2, 0, 60));
                h.kernel_log.push(LogEvent { suppressed: 8, ..log(LogMessage::UdpBadChecksum, "123", 2, 0, 60) });
            })
            .build();
        let f = check(&host);
        assert_eq!((f[0].subject.as_str(), f[0].severity, f[0].total), ("port 123", Severity::Warning, 10.0));
        assert_eq!((f[1].subject.as_str(), f[1].severity, f[1].basis), ("port 53", Severity::Info, "log"));
    }
}
