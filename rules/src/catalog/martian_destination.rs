//! `martian-destination`: `martian destination D from S, dev eth0` (knowledge protocol-layers
//! §8.2): a packet arrived for an address no packet may be sent to (0.0.0.0, a loopback
//! address on a wire, a zero network) and routing input dropped it; the line is printed only
//! with `log_martians` on. Usually stray or misconfigured senders: info, never silent. The one
//! case worth acting on: traffic DNATed to 127.0.0.0/8 (a NodePort or proxy on localhost)
//! needs `route_localnet`, said in the remediation. One finding per interface, on the `log`
//! basis.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "martian-destination",
    title: "Packets to impossible destination addresses dropped (martian destination)",
    default_severity: Severity::Info,
    references: &[
        "net/ipv4/route.c ip_route_input_slow martian_destination: RT_CACHE_STAT_INC(in_martian_dst), \"martian destination %pI4 from %pI4, dev %s\" when IN_DEV_LOG_MARTIANS, then -EINVAL (dropped)",
        "Documentation/networking/ip-sysctl.rst: log_martians, route_localnet",
    ],
    check,
};

/// The subject interface's loss counters over time, when it has any.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. Routing input, next to reverse-path filtering.
pub const STAGE: Stage = Stage::rx(StageId::Filter);

const LOGGED: &str = "martian destination";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::MartianDestination]);
    by_subject(&events, "?")
        .into_iter()
        .map(|(d, of)| {
            let head = format!("packets arriving on {d} for an address no packet may be sent to (0.0.0.0, loopback, a zero network) were dropped by routing; usually stray or misconfigured senders, logged because log_martians is on.");
            let mut f = log_finding(&RULE, Severity::Info, d, &head, &[(LOGGED, &of)]);
            f.remediation = remediation(host, d);
            f
        })
        .collect()
}

fn remediation(host: &Host, dev: &str) -> Vec<String> {
    let localnet = match sysctl(host, &format!("net.ipv4.conf.{dev}.route_localnet")) {
        Some(v) => format!("now {}", v.trim()),
        None => "not in the data".to_string(),
    };
    vec![
        format!("# the sender the lines name (from S): find why it sends there (a wrong route, a bad DHCP/ARP entry, a scan); tcpdump -ni {dev} 'dst net 0.0.0.0/8 or dst net 127.0.0.0/8' shows them live"),
        format!("sysctl -w net.ipv4.conf.{dev}.route_localnet=1   # {localnet}: only if traffic is DNATed to 127.0.0.0/8 on purpose (kube-proxy NodePort on localhost)"),
    ]
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    #[test]
    fn lines_are_an_info_per_interface_with_route_localnet() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(log(LogMessage::MartianDestination, "eth1", 40, 0, 60));
                h.kernel_log.push(log(LogMessage::MartianSource, "eth1", 4, 0, 60));
                h.sysctl.insert("net.ipv4.conf.eth1.route_localnet".into(), "0".into());
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].subject.as_str(), f[0].severity, f[0].total, f[0].basis), ("eth1", Severity::Info, 40.0, "log"));
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.conf.eth1.route_localnet=1   # now 0");
    }
}
