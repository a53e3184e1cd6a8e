//! `udp-rcvbuf-errors`: UDP datagrams dropped because a socket's receive buffer was full
//! (knowledge protocol-layers §2.4: `__udp_queue_rcv_skb` gets `-ENOMEM` from the enqueue,
//! counts `RcvbufErrors` and `InErrors`), and, as a second part, send-buffer failures
//! (`SndbufErrors`: `udp_sendmsg` got ENOBUFS). IPv4 (`Udp*`) and IPv6 (`Udp6*`) are distinct
//! counters and add up; the same counter read from several sources (`/proc/net/snmp`, `nstat`,
//! `netstat -s`) is read from one only (`growth` picks one series). `NoPorts` is not a buffer
//! drop and is not judged here; `InErrors` is not added (it already holds `RcvbufErrors`).

use super::common::*;

pub static RULE: Rule = Rule {
    id: "udp-rcvbuf-errors",
    title: "UDP datagrams were dropped: socket buffer full",
    default_severity: Severity::Warning,
    references: &[
        "net/ipv4/udp.c __udp_queue_rcv_skb: -ENOMEM counts UDP_MIB_RCVBUFERRORS (and INERRORS)",
        "man 7 socket: SO_RCVBUF, capped by net.core.rmem_max",
        "man 8 ss: -m, skmem:(... d<drops>)",
    ],
    check,
};

/// Evidence drawn as steps (live) or bars; no interface series holds these counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. A socket's receive buffer (send-buffer failures, second, are in the same finding).
pub const STAGE: Stage = Stage::rx(StageId::Socket);

const RCVBUF: [&str; 2] = ["UdpRcvbufErrors", "Udp6RcvbufErrors"];
const RECEIVED: [&str; 2] = ["UdpInDatagrams", "Udp6InDatagrams"];
const SNDBUF: [&str; 2] = ["UdpSndbufErrors", "Udp6SndbufErrors"];
const SENT: [&str; 2] = ["UdpOutDatagrams", "Udp6OutDatagrams"];

fn check(host: &Host) -> Vec<Finding> {
    let receive = udp_growth(host, &RCVBUF, &RECEIVED);
    let send = udp_growth(host, &SNDBUF, &SENT);
    // Severity orders most severe first: the finding takes the worse of the two parts.
    let Some(level) = [judged(&receive), judged(&send)]
        .into_iter()
        .flatten()
        .map(|(s, _)| s)
        .min()
    else {
        return Vec::new();
    };
    let mut text = summary(host, &receive, &send);
    if let Some(named) = name_dropping_sockets(host) {
        text.push(' ');
        text.push_str(&named);
    }
    let mut f = RULE.finding(level, "host", text);
    // The finding stands on the receive side when it has anything to say, else on the send side.
    let (main, other) = match (judged(&receive), judged(&send)) {
        (Some((_, r)), s) => (r, s.map(|(_, g)| g)),
        (None, Some((_, s))) => (s, None),
        (None, None) => return Vec::new(),
    };
    stand_on(&mut f, main);
    if let Some(o) = other.filter(|o| o.total > 0.0) {
        f.evidence.extend(o.evidence.iter().cloned());
    }
    f.remediation = remediation(host, &receive, &send);
    vec![f]
}

/// A part with its severity, when it has anything to report.
fn judged(g: &Option<Growth>) -> Option<(Severity, &Growth)> {
    let g = g.as_ref()?;
    Some((udp_severity(g)?, g))
}

/// The growth of the IPv4 and IPv6 counters, each on its best series, added together.
fn udp_growth(host: &Host, keys: &[&str], traffic: &[&str]) -> Option<Growth> {
    let parts: Vec<Growth> = keys
        .iter()
        .zip(traffic)
        .filter_map(|(k, t)| {
            let g = growth(&host.protocol.deltas, &[k], &[t])?;
            Some(g.with_history(latest(host, k)))
        })
        .collect();
    sum_growths(parts)
}

/// The counter's value at the latest reading holding it.
fn latest(host: &Host, key: &str) -> Option<f64> {
    host.protocol
        .samples
        .iter()
        .rev()
        .find_map(|s| s.counters.get(key))
        .map(|v| *v as f64)
}

/// `drop_severity`, with hotsos's pair of gates for totals that are not live (see
/// `UDP_BOOT_WARN_EVENTS`); any non-zero total is at least info.
fn udp_severity(g: &Growth) -> Option<Severity> {
    let generic = drop_severity(g)?;
    let hotsos = !g.live()
        && g.total > UDP_BOOT_WARN_EVENTS
        && g.ratio().is_some_and(|r| r > UDP_BOOT_WARN_RATIO);
    Some(if hotsos {
        generic.min(Severity::Warning)
    } else {
        generic
    })
}

fn summary(host: &Host, receive: &Option<Growth>, send: &Option<Growth>) -> String {
    let mut parts = Vec::new();
    if let Some(g) = receive.as_ref().filter(|g| g.total > 0.0 || g.history.is_some()) {
        parts.push(format!(
            "UDP receive buffer errors (RcvbufErrors, IPv4 + IPv6): {}. A socket's receive buffer was full, so the kernel discarded the datagram before the application read it: the application reads too slowly, or its SO_RCVBUF (capped by net.core.rmem_max{}) is too small for its bursts.",
            describe(g, "datagrams"),
            rmem_note(host)
        ));
    }
    if let Some(g) = send.as_ref().filter(|g| g.total > 0.0 || g.history.is_some()) {
        parts.push(format!(
            "UDP send buffer errors (SndbufErrors): {}. A send failed with ENOBUFS: the socket's send buffer (SO_SNDBUF, net.core.wmem_max) or the device queue below it was full.",
            describe(g, "datagrams")
        ));
    }
    if let Some(m) = latest(host, "UdpMemErrors").filter(|m| *m > 0.0) {
        parts.push(format!(
            "UdpMemErrors also holds {}: UDP's global memory limit (net.ipv4.udp_mem) refused datagrams too.",
            fmt_count(m)
        ));
    }
    parts.join(" ")
}

/// How many dropping sockets a summary names.
const SOCKETS_NAMED: usize = 5;

/// The UDP sockets `ss -m` showed with drops (`skmem` `d` > 0), most first (the model keeps
/// them in that order).
fn dropping_sockets(host: &Host) -> Vec<&SocketInfo> {
    host.sockets
        .iter()
        .filter(|s| s.protocol == "udp" && s.drops.is_some_and(|d| d > 0))
        .collect()
}

/// `ss -m shows the sockets dropping: 0.0.0.0:53 (named, pid 812): 4513 drops, receive buffer
/// 212992 bytes; …`.
fn name_dropping_sockets(host: &Host) -> Option<String> {
    let sockets = dropping_sockets(host);
    if sockets.is_empty() {
        return None;
    }
    let named: Vec<String> = sockets
        .iter()
        .take(SOCKETS_NAMED)
        .map(|s| {
            let buffer = s
                .rcvbuf
                .map(|rb| format!(", receive buffer {rb} bytes"))
                .unwrap_or_default();
            format!(
                "{}: {} drops{buffer}",
                socket_name(s),
                fmt_count(s.drops.unwrap_or(0) as f64)
            )
        })
        .collect();
    let more = sockets.len().saturating_sub(SOCKETS_NAMED);
    let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
    Some(format!(
        "ss -m shows the socket{} dropping (skmem d, since each was opened): {}{tail}.",
        if sockets.len() == 1 { "" } else { "s" },
        named.join("; ")
    ))
}

fn rmem_note(host: &Host) -> String {
    sysctl(host, "net.core.rmem_max")
        .map(|v| format!(" = {v}"))
        .unwrap_or_default()
}

fn remediation(host: &Host, receive: &Option<Growth>, send: &Option<Growth>) -> Vec<String> {
    let mut r = vec![
        "ss -lunm   # per UDP socket: skmem:(r<queued>,rb<rcvbuf>,...,d<drops>); the sockets with d > 0 are the ones dropping, and rb is the buffer they got".to_string(),
    ];
    match sysctl_u64(host, "net.core.rmem_max") {
        Some(cur) => r.push(format!(
            "sysctl -w net.core.rmem_max={}   # now {cur}: the ceiling of SO_RCVBUF; persist it in /etc/sysctl.d/ once it helps",
            (cur * 4).max(26_214_400)
        )),
        None => r.push(
            "sysctl net.core.rmem_max net.core.rmem_default   # not in the data: read them first, then raise rmem_max (e.g. sysctl -w net.core.rmem_max=26214400) and persist it in /etc/sysctl.d/".to_string(),
        ),
    }
    if let Some(first) = dropping_sockets(host).first() {
        r.push(format!(
            "# {} drops the most{}: raise its application's receive buffer first",
            socket_name(first),
            first.rcvbuf.map(|rb| format!(" with a {rb}-byte buffer")).unwrap_or_default()
        ));
    }
    r.push("# Then make the application ask for a larger buffer (setsockopt SO_RCVBUF, or its own setting: e.g. a DNS server's or syslog receiver's receive-buffer option): rmem_max only raises the ceiling, rmem_default the size of sockets that ask for none.".to_string());
    if send.as_ref().is_some_and(|g| g.total > 0.0) {
        match sysctl(host, "net.core.wmem_max") {
            Some(cur) => r.push(format!(
                "# Send side: net.core.wmem_max is {cur}; raise it and the application's SO_SNDBUF, and check the device's qdisc (tc -s qdisc) for drops."
            )),
            None => r.push("sysctl net.core.wmem_max   # send side: read it, then raise it and the application's SO_SNDBUF; check the device's qdisc (tc -s qdisc) too".to_string()),
        }
    }
    if !receive.as_ref().is_some_and(Growth::live) {
        r.push("nstat -az UdpRcvbufErrors Udp6RcvbufErrors; sleep 10; nstat -az UdpRcvbufErrors Udp6RcvbufErrors   # confirm live: do they still grow?".to_string());
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::CounterSample;
    use crate::test_support::{assert_any_contains, assert_any_starts_with, at, HostBuilder};

    fn reading(sec: Option<u32>, kv: &[(&str, u64)]) -> CounterSample {
        CounterSample {
            time: sec.and_then(at),
            source: format!("nstat.txt:{}", sec.unwrap_or(0)),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        }
    }

    #[test]
    fn growing_rcvbuf_errors_v4_and_v6_add_up_live() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.protocol.samples.push(reading(Some(0), &[("UdpRcvbufErrors", 1000), ("Udp6RcvbufErrors", 10), ("UdpInDatagrams", 100_000), ("Udp6InDatagrams", 0)]));
                h.protocol.samples.push(reading(Some(10), &[("UdpRcvbufErrors", 1500), ("Udp6RcvbufErrors", 110), ("UdpInDatagrams", 140_000), ("Udp6InDatagrams", 0)]));
                h.sysctl.insert("net.core.rmem_max".into(), "212992".into());
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        // 500 + 100 = 600 in 10 s, 60/s; 600 / 40 600 = 1.5 %: critical.
        assert_eq!(f[0].total, 600.0);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].basis, "live");
        assert_any_starts_with(&f[0].remediation, "ss -lunm");
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.core.rmem_max=26214400   # now 212992");
    }

    #[test]
    fn an_unknown_window_total_is_never_silent_and_warns_at_hotsos_pair() {
        let small = HostBuilder::new("h")
            .with(|h| h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 3), ("UdpInDatagrams", 1_000_000)])))
            .build();
        let f = check(&small);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].basis, "unknown-window");
        // rmem_max not read: never "unknown", tell them to read it.
        assert_any_starts_with(&f[0].remediation, "sysctl net.core.rmem_max net.core.rmem_default");
        assert_any_starts_with(&f[0].remediation, "nstat -az UdpRcvbufErrors");
        // 600 > 500 and 600 / 20 600 = 2.9 % > 1 %: warning (the generic gate needs 1000).
        let pair = HostBuilder::new("h")
            .with(|h| h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 600), ("UdpInDatagrams", 20_000)])))
            .build();
        assert_eq!(check(&pair)[0].severity, Severity::Warning);
    }

    #[test]
    fn one_counter_from_two_sources_is_counted_once_and_noports_is_not_a_drop() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.protocol.samples.push(CounterSample { source: "proc/net/snmp".into(), ..reading(None, &[("UdpRcvbufErrors", 2000), ("UdpInDatagrams", 10_000), ("UdpNoPorts", 99_999)]) });
                h.protocol.samples.push(CounterSample { source: "nstat".into(), ..reading(None, &[("UdpRcvbufErrors", 2000), ("UdpInDatagrams", 10_000)]) });
            })
            .build();
        let f = check(&host);
        assert_eq!(f[0].total, 2000.0);
        let none = HostBuilder::new("h")
            .with(|h| h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 0), ("UdpNoPorts", 99_999), ("UdpInDatagrams", 10)])))
            .build();
        assert!(check(&none).is_empty());
    }

    #[test]
    fn send_buffer_errors_alone_are_reported_with_the_send_side_advice() {
        let host = HostBuilder::new("h")
            .with(|h| h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 0), ("UdpSndbufErrors", 5000), ("UdpOutDatagrams", 100_000)])))
            .build();
        let f = check(&host);
        assert_eq!(f[0].total, 5000.0);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_any_contains(&f[0].remediation, "SO_SNDBUF");
    }

    fn udp(local: &str, process: Option<(&str, u64)>, drops: u64, rcvbuf: u64) -> crate::model::SocketInfo {
        crate::model::SocketInfo {
            protocol: "udp".into(),
            state: "UNCONN".into(),
            local: local.into(),
            process: process.map(|p| p.0.to_string()),
            pid: process.map(|p| p.1),
            recv_q: 0,
            send_q: 0,
            rcvbuf: Some(rcvbuf),
            drops: Some(drops),
            time: None,
            source: "ss_-lunmp".into(),
        }
    }

    #[test]
    fn ss_names_the_sockets_with_drops_most_first() {
        // The sandbox capture: 127.0.0.1:15353 (python3, pid 358) d494 with rb8192; a second,
        // made-up socket with 3 drops.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 497), ("UdpInDatagrams", 10_000)]));
                h.sockets = vec![udp("127.0.0.1:15353", Some(("python3", 358)), 494, 8192), udp("[::]:5353", None, 3, 212_992)];
            })
            .build();
        let f = &check(&host)[0];
        assert!(
            f.summary.contains("ss -m shows the sockets dropping (skmem d, since each was opened): 127.0.0.1:15353 (python3, pid 358): 494 drops, receive buffer 8192 bytes; [::]:5353: 3 drops, receive buffer 212992 bytes."),
            "{}",
            f.summary
        );
        assert_any_starts_with(&f.remediation, "# 127.0.0.1:15353 (python3, pid 358) drops the most with a 8192-byte buffer");
        // Without ss the summary names none.
        let none = HostBuilder::new("h")
            .with(|h| h.protocol.samples.push(reading(None, &[("UdpRcvbufErrors", 497), ("UdpInDatagrams", 10_000)])))
            .build();
        assert!(!check(&none)[0].summary.contains("ss -m"));
    }
}
