//! `socket-mem-pressure`: TCP or UDP socket memory at or near its global limit (protocol-layers
//! knowledge §5, §10). `/proc/net/sockstat` `TCP: … mem N` and `UDP: … mem N` are pages in use,
//! against `net.ipv4.tcp_mem` / `net.ipv4.udp_mem` (`min pressure max`, pages). At `max` the
//! kernel refuses socket memory: TCP aborts connections (`TCPAbortOnMemory`), UDP drops
//! datagrams (`UdpMemErrors`). Above `pressure` TCP shrinks buffers (`TCPMemoryPressures`
//! counts the entries into that state): not a drop in itself.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "socket-mem-pressure",
    title: "Socket memory at its global limit",
    default_severity: Severity::Warning,
    references: &[
        "net/ipv4/tcp.c tcp_out_of_memory / sk_memory_allocated vs sysctl_mem (tcp_mem, udp_mem in pages)",
        "https://docs.kernel.org/networking/ip-sysctl.html (tcp_mem, udp_mem)",
    ],
    check,
};

/// The evidence as bars or steps (no interface to draw).
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. Socket memory at its limit: its failure counters (TCP aborts, UDP memory errors) are the loss; a level alone counts none.
pub const STAGE: Stage = Stage::rx(StageId::Socket);

/// One protocol's memory: the sockstat level, the sysctl that limits it, the drop counters.
struct Proto {
    name: &'static str,
    level: &'static str,
    sysctl: &'static str,
    drops: &'static [&'static str],
}

const PROTOS: [Proto; 2] = [
    Proto {
        name: "TCP",
        level: "TCP_mem",
        sysctl: "net.ipv4.tcp_mem",
        drops: &["TcpExtTCPAbortOnMemory"],
    },
    Proto {
        name: "UDP",
        level: "UDP_mem",
        sysctl: "net.ipv4.udp_mem",
        drops: &["UdpMemErrors", "Udp6MemErrors"],
    },
];

fn check(host: &Host) -> Vec<Finding> {
    PROTOS.iter().filter_map(|p| judge(host, p)).collect()
}

/// `min pressure max` of a `tcp_mem`-style sysctl.
fn limits(host: &Host, key: &str) -> Option<[u64; 3]> {
    let v: Vec<u64> = sysctl(host, key)?
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    <[u64; 3]>::try_from(v).ok().filter(|l| l[2] > 0)
}

fn judge(host: &Host, p: &Proto) -> Option<Finding> {
    let peak = host.sockstat.peaks.get(p.level);
    let limits = limits(host, p.sysctl);
    let fill = peak.zip(limits).map(|(pk, l)| pk.value as f64 / l[2] as f64);
    let fill_severity = match fill {
        Some(f) if f >= 1.0 => Some(Severity::Critical),
        Some(f) if f >= SOCKET_MEM_WARN_FILL => Some(Severity::Warning),
        _ => None,
    };
    let drops = protocol_growth(host, p.drops, &[]).filter(|g| g.total > 0.0);
    let drop_sev = drops.as_ref().and_then(drop_severity);
    let severity = [fill_severity, drop_sev].into_iter().flatten().min()?;
    let mut parts = Vec::new();
    if let Some(g) = &drops {
        parts.push(describe(g, &format!("{} socket-memory failures ({})", p.name, p.drops.join(" + "))));
    }
    if let (Some(pk), Some(l), Some(f)) = (peak, limits, fill) {
        parts.push(format!(
            "{} sockets used {} pages at the fullest reading, {} of {} max {} (pressure at {})",
            p.name,
            pk.value,
            fmt_pct(f),
            p.sysctl,
            l[2],
            l[1]
        ));
    }
    let mut f = RULE.finding(severity, "host", format!("{}.", parts.join("; ")));
    f.subject = format!("host ({})", p.name);
    match &drops {
        Some(g) => stand_on(&mut f, g),
        None => f.basis = "snapshot",
    }
    if let (Some(pk), Some(l)) = (peak, limits) {
        f.evidence.push(Evidence {
            source: pk.source.clone(),
            start: None,
            end: pk.time,
            metric: format!("{} (pages, of {} max {})", p.level, p.sysctl, l[2]),
            value: Some(pk.value as f64),
            delta: None,
            rate: None,
            basis: "snapshot",
        });
    }
    f.remediation = remediation(p, limits);
    Some(f)
}

fn remediation(p: &Proto, limits: Option<[u64; 3]>) -> Vec<String> {
    let mut out = vec![
        "cat /proc/net/sockstat   # mem is in pages; compare with the limit below".to_string(),
        "ss -tmp | grep -B1 skmem | head -40   # which sockets hold the memory (r = receive queue, t = send)".to_string(),
    ];
    match limits {
        Some([min, pressure, max]) => out.push(format!(
            "sysctl -w {}=\"{min} {} {}\"   # now \"{min} {pressure} {max}\" (pages of 4 KiB)",
            p.sysctl,
            pressure.saturating_mul(2),
            max.saturating_mul(2)
        )),
        None => out.push(format!(
            "sysctl {}   # read the limits (pages), then raise pressure and max",
            p.sysctl
        )),
    }
    out.push(
        "# raising the limit only helps if memory is free: a socket that never drains its queue (a stuck reader) fills any limit"
            .to_string(),
    );
    out
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::CounterSample;
    use crate::test_support::{add_protocol, assert_any_starts_with, at};

    fn sockstat(host: &mut Host, tcp: u64, udp: u64) {
        host.sockstat.add(CounterSample {
            time: at(0),
            source: "proc/net/sockstat".into(),
            counters: [("TCP_mem".to_string(), tcp), ("UDP_mem".to_string(), udp)].into(),
            approximate: false,
        });
    }

    #[test]
    fn tcp_at_its_max_is_critical_and_a_roomy_udp_is_quiet() {
        let mut h = Host::new("h");
        sockstat(&mut h, 180_000, 3);
        h.sysctl.insert("net.ipv4.tcp_mem".into(), "88104\t117473\t176208".into());
        h.sysctl.insert("net.ipv4.udp_mem".into(), "176208 234944 352416".into());
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject, "host (TCP)");
        assert!(f[0].summary.contains("180000 pages"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.tcp_mem=\"88104 234946 352416\"");
    }

    #[test]
    fn udp_memory_errors_without_levels_are_never_silent() {
        let mut h = Host::new("h");
        add_protocol(&mut h, &[(0, &[("UdpMemErrors", 12)])]);
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].subject, "host (UDP)");
        assert_any_starts_with(&f[0].remediation, "sysctl net.ipv4.udp_mem");
    }

    #[test]
    fn below_85_percent_without_failures_is_quiet() {
        let mut h = Host::new("h");
        sockstat(&mut h, 140_000, 3);
        h.sysctl.insert("net.ipv4.tcp_mem".into(), "88104 117473 176208".into());
        crate::timeline::compute(&mut h);
        assert!(check(&h).is_empty());
    }
}
