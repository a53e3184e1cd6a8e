//! `over-mtu-drop`: Open vSwitch's `tap0e778df8-ca: dropped over-mtu packet: 8950 > 1450`
//! (knowledge protocol-layers §8.2, §10): the datapath had a packet longer than the output
//! port's MTU and dropped it (no fragmentation, no ICMP back): an MTU mismatch between a
//! guest or namespace and its overlay, usually a guest MTU larger than the tunnel leaves room
//! for. One finding per port, warning from the first line, critical from
//! [`OVER_MTU_CRIT_LINES`], on the `log` basis. A port the host's interface list no longer
//! holds (a deleted VM's tap) is history: info (hotsos judges only existing interfaces).

use super::common::*;

pub static RULE: Rule = Rule {
    id: "over-mtu-drop",
    title: "Open vSwitch dropped packets longer than the port's MTU",
    default_severity: Severity::Warning,
    references: &[
        "net/openvswitch/vport.c ovs_vport_send: net_warn_ratelimited(\"%s: dropped over-mtu packet: %d > %d\\n\") and the packet freed",
        "hotsos defs/scenarios/kernel/network/misc_over_mtu_dropped_packets.yaml (any line on an existing, non-bridge interface)",
    ],
    check,
};

/// The subject port's loss counters over time, when it has any.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The datapath's output to the port (a tap or an OVS internal port).
pub const STAGE: Stage = Stage::tx(StageId::Driver);

const LOGGED: &str = "dropped over-mtu packet";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::OverMtuDrop]);
    by_subject(&events, "?")
        .into_iter()
        .map(|(port, of)| finding(host, port, &of))
        .collect()
}

fn finding(host: &Host, port: &str, events: &[&LogEvent]) -> Finding {
    let gone = !host.interfaces.is_empty() && host.interface(port).is_none();
    let severity = if gone {
        Severity::Info
    } else {
        lines_severity(lines_of(events), OVER_MTU_CRIT_LINES)
    };
    let sizes = events.first().and_then(|e| sizes(&e.example));
    let what = match sizes {
        Some((len, mtu)) => format!(" (e.g. {len} bytes against an MTU of {mtu})"),
        None => String::new(),
    };
    let history = if gone {
        " The port is not in this host's interface list any more (its VM or namespace is gone), so these drops are history."
    } else {
        ""
    };
    let head = format!(
        "Open vSwitch dropped packets to {port} that were longer than its MTU{what}: they were lost without fragmentation or an ICMP error, so the sender keeps sending them too large; the message is rate-limited, so more were dropped than logged.{history}"
    );
    let mut f = log_finding(&RULE, severity, port, &head, &[(LOGGED, events)]);
    f.remediation = remediation(host, port, sizes);
    f
}

/// `8950 > 1450` of the line: the packet's length and the port's MTU.
fn sizes(line: &str) -> Option<(u64, u64)> {
    let rest = &line[line.find(LOGGED)? + LOGGED.len()..];
    let (len, mtu) = rest.trim_start_matches(':').split_once('>')?;
    Some((len.trim().parse().ok()?, mtu.split_whitespace().next()?.parse().ok()?))
}

fn remediation(host: &Host, port: &str, sizes: Option<(u64, u64)>) -> Vec<String> {
    let mtu = host.interface(port).and_then(|i| i.mtu).or(sizes.map(|s| s.1));
    let mut r = vec![format!("ip link show dev {port}   # its MTU; then the MTU of the bridge, the tunnel and the physical NIC under it (ip link; ovs-vsctl show)")];
    match mtu {
        Some(m) => r.push(format!(
            "Set the guest's (or namespace's) interface MTU to {m}, this port's MTU, e.g. inside the guest: ip link set dev eth0 mtu {m}; or raise the underlay so the overlay fits the guest's packets (OpenStack: global_physnet_mtu / path_mtu, and DHCP option 26 for guests)."
        )),
        None => r.push("Set the guest's (or namespace's) interface MTU to this port's MTU (read above), or raise the underlay MTU so the overlay fits the guest's packets (OpenStack: global_physnet_mtu / path_mtu).".to_string()),
    }
    r.push(format!("dmesg | grep -c '{port}: {LOGGED}'   # run twice, a minute apart: growing means it is still happening"));
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_contains, assert_any_starts_with, log, HostBuilder};

    fn over(port: &str, count: u64) -> LogEvent {
        LogEvent {
            example: format!("{port}: dropped over-mtu packet: 8950 > 1450"),
            ..log(LogMessage::OverMtuDrop, port, count, 0, 60)
        }
    }

    #[test]
    fn lines_on_an_existing_port_warn_then_go_critical_and_name_the_mtu() {
        let host = HostBuilder::new("h")
            .interface("tap1", InterfaceKind::Tap, &[(0, &[("tx_packets", 100)])])
            .with(|h| {
                h.kernel_log.push(over("tap1", 5));
                h.kernel_log.push(over("tap2", 10));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].subject.as_str(), f[0].severity, f[0].total), ("tap1", Severity::Warning, 5.0));
        assert!(f[0].summary.contains("(e.g. 8950 bytes against an MTU of 1450)"), "{}", f[0].summary);
        assert_any_contains(&f[0].remediation, "ip link set dev eth0 mtu 1450");
        // tap2 is not in the interface list: a deleted VM's port, history.
        assert_eq!((f[1].subject.as_str(), f[1].severity), ("tap2", Severity::Info));
        assert_any_starts_with(&f[1].remediation, "ip link show dev tap2");
    }

    #[test]
    fn without_interfaces_ten_lines_are_critical() {
        let host = HostBuilder::new("h").with(|h| h.kernel_log.push(over("tap2", 10))).build();
        assert_eq!(check(&host)[0].severity, Severity::Critical);
    }
}
