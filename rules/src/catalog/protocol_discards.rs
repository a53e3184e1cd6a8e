//! `protocol-discards`: packets the IP, TCP or UDP layer discarded for reasons no dedicated
//! rule judges (knowledge protocol-layers §2.4, §10), so that none of them is silent
//! (principle one): IP input and output discards, failed reassemblies, bad TCP/UDP checksums,
//! TCP header errors beyond the checksum ones, UDP receive errors beyond the buffer, memory and
//! checksum errors that `udp-rcvbuf-errors` and `socket-mem-pressure` report, and TCP segments
//! that arrived into a zero window. Each part is judged with the generic drop gates; the
//! finding takes the worst. `InErrs`/`InErrors` hold their parts, so only their excess counts.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "protocol-discards",
    title: "The IP, TCP or UDP layer discarded packets",
    default_severity: Severity::Warning,
    references: &[
        "RFC 4293 (IP-MIB): ipSystemStatsInDiscards, OutDiscards, ReasmFails",
        "net/ipv4/tcp_ipv4.c tcp_v4_rcv, net/ipv4/udp.c __udp4_lib_rcv: csum_error counts InCsumErrors and InErrs/InErrors",
        "net/ipv4/tcp_input.c tcp_data_queue: TCPZeroWindowDrop",
    ],
    check,
};

/// A host-level counter: the evidence is drawn as steps (live) or bars (totals).
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. The IP layer and the transport checksums, between the backlog and the sockets.
pub const STAGE: Stage = Stage::rx(StageId::Filter);

/// One kind of discard: counters summed, counters it excludes (parts reported elsewhere or
/// listed apart), the traffic it is a share of, and what it means.
struct Part {
    keys: &'static [&'static str],
    minus: &'static [&'static str],
    traffic: &'static [&'static str],
    meaning: &'static str,
}

const PARTS: [Part; 7] = [
    Part {
        keys: &["IpInDiscards"],
        minus: &[],
        traffic: &["IpInReceives"],
        meaning: "IP input discards (IpInDiscards: a packet with nothing wrong in it thrown away, for lack of memory or by a policy check)",
    },
    Part {
        keys: &["IpOutDiscards"],
        minus: &[],
        traffic: &[],
        meaning: "IP output discards (IpOutDiscards: locally sent packets refused below IP, e.g. a full device queue or an unresolved neighbour)",
    },
    Part {
        keys: &["IpReasmFails"],
        minus: &[],
        traffic: &[],
        meaning: "failed reassemblies (IpReasmFails: a fragment was lost or timed out, so the whole datagram is lost)",
    },
    Part {
        keys: &["TcpInCsumErrors", "UdpInCsumErrors", "Udp6InCsumErrors"],
        minus: &[],
        traffic: &[],
        meaning: "bad checksums (TcpInCsumErrors, UdpInCsumErrors, Udp6InCsumErrors: corrupted on the wire, by the NIC, or by a virtual NIC's checksum offload)",
    },
    Part {
        keys: &["TcpInErrs"],
        minus: &["TcpInCsumErrors"],
        traffic: &["TcpInSegs"],
        meaning: "other TCP receive errors (TcpInErrs beyond TcpInCsumErrors: malformed or truncated segments)",
    },
    Part {
        keys: &["UdpInErrors", "Udp6InErrors"],
        minus: &[
            "UdpRcvbufErrors",
            "UdpMemErrors",
            "UdpInCsumErrors",
            "Udp6RcvbufErrors",
            "Udp6MemErrors",
            "Udp6InCsumErrors",
        ],
        traffic: &["UdpInDatagrams", "Udp6InDatagrams"],
        meaning: "other UDP receive errors (InErrors beyond RcvbufErrors, MemErrors and InCsumErrors: short or malformed datagrams, or a socket filter or encapsulation handler refusing them)",
    },
    Part {
        keys: &["TcpExtTCPZeroWindowDrop"],
        minus: &[],
        traffic: &["TcpInSegs"],
        meaning: "segments dropped into a zero window (TCPZeroWindowDrop: the application stopped reading, so its receive window was closed)",
    },
];

fn check(host: &Host) -> Vec<Finding> {
    let judged: Vec<(&Part, Growth, Severity)> = PARTS
        .iter()
        .filter_map(|p| {
            let g = part_growth(host, p)?;
            let s = drop_severity(&g)?;
            Some((p, g, s))
        })
        .collect();
    let Some(severity) = judged.iter().map(|(_, _, s)| *s).min() else {
        return Vec::new();
    };
    let phrases: Vec<String> = judged
        .iter()
        .map(|(p, g, _)| format!("{}: {}", p.meaning, describe(g, "packets")))
        .collect();
    let mut f = RULE.finding(
        severity,
        "host",
        format!("{}.", phrases.join("; ")),
    );
    // The finding stands on its worst part (the first at the finding's severity); the other
    // parts' evidence follows.
    let main = judged.iter().position(|(_, _, s)| *s == severity).unwrap_or(0);
    stand_on(&mut f, &judged[main].1);
    for (i, (_, g, _)) in judged.iter().enumerate() {
        if i != main {
            f.evidence.extend(g.evidence.iter().cloned());
        }
    }
    f.remediation = remediation(&judged);
    vec![f]
}

/// The part's growth less the growth of its `minus` counters on the same basis; `None` when
/// nothing is left (a total that its parts explain, or counters not read).
fn part_growth(host: &Host, p: &Part) -> Option<Growth> {
    let mut g = protocol_growth(host, p.keys, p.traffic)?;
    if !p.minus.is_empty() {
        let listed = protocol_growth(host, p.minus, &[]).filter(|m| m.basis == g.basis);
        let listed_total = listed.as_ref().map_or(0.0, |m| m.total);
        g.total = (g.total - listed_total).max(0.0);
        g.history = None;
        if let Some(m) = listed.filter(|m| m.total > 0.0) {
            for e in &mut g.evidence {
                e.metric = format!("{} (of which {} listed apart)", e.metric, fmt_count(m.total));
            }
        }
    }
    (g.total > 0.0 || g.history.is_some_and(|h| h > 0.0)).then_some(g)
}

fn remediation(judged: &[(&Part, Growth, Severity)]) -> Vec<String> {
    let has = |k: &str| judged.iter().any(|(p, _, _)| p.keys.contains(&k));
    let mut r = Vec::new();
    if has("TcpInCsumErrors") || has("TcpInErrs") {
        r.push("ethtool -S <device> | grep -iE 'crc|csum|err'   # bad checksums with NIC CRC errors point at the wire or optics; without them at the NIC or, in a VM, its checksum offload (try: ethtool -K <device> rx off)".to_string());
    }
    if has("IpReasmFails") {
        r.push("sysctl net.ipv4.ipfrag_high_thresh net.ipv4.ipfrag_time   # reassembly memory and timeout; better: avoid fragmentation (path MTU, or a smaller MTU/MSS on the sender)".to_string());
    }
    if has("IpInDiscards") || has("IpOutDiscards") {
        r.push("tc -s qdisc show   # output discards follow a full device queue; input discards follow memory shortage or an IPsec policy check (ip xfrm policy)".to_string());
    }
    if has("TcpExtTCPZeroWindowDrop") {
        r.push("ss -tnoi   # the connections with a zero receive window: the application behind them stopped reading".to_string());
    }
    let keys: Vec<&str> = judged.iter().flat_map(|(p, _, _)| p.keys.iter().copied()).collect();
    if !judged.iter().all(|(_, g, _)| g.live()) {
        r.push(confirm_nstat(&keys));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{add_protocol, assert_any_contains, HostBuilder};

    #[test]
    fn udp_errors_beyond_their_parts_and_checksums_are_reported() {
        // The knowledge file's hotsos sample: InErrors 1234, InCsumErrors 22, RcvbufErrors 0.
        let host = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[("UdpInDatagrams", 1704), ("UdpInErrors", 1234), ("UdpRcvbufErrors", 0), ("UdpInCsumErrors", 22)])]))
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        // 1234 - 22 = 1212 other errors, 1212 / (1704 + 1212) = 41.6 %, >= 1000: warning.
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].total, 1212.0);
        assert!(f[0].summary.contains("bad checksums"), "{}", f[0].summary);
        assert!(f[0].evidence.iter().any(|e| e.metric == "UdpInCsumErrors" && e.value == Some(22.0)));
        assert_any_contains(&f[0].remediation, "ethtool -S");
    }

    #[test]
    fn errors_their_parts_explain_are_silent_and_small_totals_are_notes() {
        // InErrors = RcvbufErrors: udp-rcvbuf-errors reports them, nothing left here.
        let parts = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[("UdpInErrors", 500), ("UdpRcvbufErrors", 500), ("IpInDiscards", 0)])]))
            .build();
        assert!(check(&parts).is_empty());
        let small = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[("IpInDiscards", 7), ("IpInReceives", 1000), ("IpReasmFails", 2)])]))
            .build();
        let f = check(&small);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("IP input discards"), "{}", f[0].summary);
        assert!(f[0].summary.contains("failed reassemblies"), "{}", f[0].summary);
        assert_any_contains(&f[0].remediation, "nstat -asz IpInDiscards");
    }

    #[test]
    fn live_zero_window_drops_are_judged_on_their_rate() {
        // 2000 in 10 s = 200/s: critical.
        let host = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[("TcpExtTCPZeroWindowDrop", 100), ("TcpInSegs", 1_000_000)]), (10, &[("TcpExtTCPZeroWindowDrop", 2_100), ("TcpInSegs", 1_500_000)])]))
            .build();
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].basis, "live");
        assert_eq!(f[0].total, 2000.0);
        assert!(!f[0].remediation.iter().any(|l| l.contains("nstat -asz")));
    }
}
