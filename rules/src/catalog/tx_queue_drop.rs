//! `tx-queue-drop`: packets dropped on their way out of a physical or virtual NIC (knowledge
//! §1 `tx_dropped`: "dropped on their way to transmission, e.g. due to lack of resources";
//! §10.10: qdisc/driver drops, `txqueuelen` sizes the qdisc, `ethtool -G tx` the TX ring).
//! Tap-like devices (tap*, vnet*, tun*, macvtap*) are `tap-tx-drop`'s: their TX is a guest's RX.
//!
//! A bond's counters are the sum of its slaves' plus its own (`bond_get_stats()` folds the
//! slaves' `rtnl_link_stats64`), so a bond is judged only on what its slaves do not explain.
//!
//! This file also holds the counter helpers shared with `nic-phy-errors`,
//! `rx-dropped-unhandled` and `bond-backup-slave-drops`.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "tx-queue-drop",
    title: "Packets were dropped on transmit (qdisc, driver or TX ring)",
    default_severity: Severity::Warning,
    references: &[
        "include/uapi/linux/if_link.h: tx_dropped, \"dropped on their way to transmission, e.g. due to lack of resources\"",
        "man tc-pfifo_fast / tc(8): txqueuelen is the default qdisc limit",
        "ethtool(8): -g / -G tx (TX ring size)",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. `tx_dropped`: the device's transmit (driver or TX ring).
pub const STAGE: Stage = Stage::tx(StageId::Driver);

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if quiet_interface(iface) || is_tap(iface) || is_backup_slave(iface) {
            continue;
        }
        let Some(mut g) = own_growth(host, iface, &["tx_dropped"], &["tx_packets"]) else {
            continue;
        };
        let overlay = is_overlay(iface);
        if !overlay {
            g.room = queue_room(iface);
        }
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        let mut f = RULE.finding(severity, &iface.name, summary(host, iface, &g, overlay));
        stand_on(&mut f, &g);
        f.evidence.extend(txqueuelen_evidence(iface));
        f.remediation = if overlay {
            overlay_remediation(iface)
        } else {
            remediation(host, iface)
        };
        if !g.live() {
            f.remediation.push(confirm_ip(iface, "TX dropped"));
        }
        out.push(f);
    }
    out
}

/// A default-sized `txqueuelen` on a device that queues: room to grow, which makes even a
/// since-boot total worth acting on.
fn queue_room(iface: &Interface) -> Option<String> {
    // txqueuelen is the limit of a queue only where there is one: a known qdisc other
    // than noqueue, or a NIC (whose default qdisc queues).
    let queues = match iface.qdisc.as_deref() {
        Some(q) => q != "noqueue",
        None => matches!(
            iface.kind,
            InterfaceKind::Physical | InterfaceKind::BondSlave
        ),
    };
    if !queues {
        return None;
    }
    iface
        .qlen
        .filter(|q| *q <= DEFAULT_TXQUEUELEN)
        .map(|q| format!("txqueuelen {q}"))
}

/// What was dropped and by what: an overlay has no queue of its own, so its drops are
/// explained differently from a NIC's; a bond's count is only its own share; a veth into a
/// smaller-MTU peer says so, since that alone drops every long frame.
fn summary(host: &Host, iface: &Interface, g: &Growth, overlay: bool) -> String {
    let bond_note = if iface.kind == InterfaceKind::Bond && !slaves_of(host, iface).is_empty() {
        " (beyond what its slaves dropped themselves)"
    } else {
        ""
    };
    let mtu_note = match mtu_mismatch(host, iface) {
        Some((peer, own, theirs)) => format!(
            " Its peer {peer} has a smaller MTU ({theirs} < {own}): a veth drops every frame longer than its peer accepts."
        ),
        None => String::new(),
    };
    let mechanism = if overlay {
        format!(
            "{} is a tunnel/overlay device{}: it has no queue or ring of its own, so these are packets its driver could not encapsulate or send (no forwarding entry or route to the remote end, the underlay down or refusing the packet, an unresolved neighbour), not a full queue",
            iface.name,
            iface.qdisc.as_deref().map(|q| format!(" (qdisc {q})")).unwrap_or_default()
        )
    } else {
        "They were discarded on their way out (queue discipline, driver or TX ring), so the sender sees loss or retransmits".to_string()
    };
    format!(
        "{}{} dropped packets on transmit{bond_note}: {}. {mechanism}.{mtu_note}",
        iface.name,
        netns_note(iface),
        describe(g, "packets"),
    )
}

/// A tunnel or overlay device (VXLAN, GENEVE, GRE, IPIP, WireGuard, flannel, Ubuntu FAN …):
/// by kind, or a `noqueue` device that is none of the stacked kinds whose TX drops have their
/// own explanation (bond, VLAN, bridge, veth).
pub(crate) fn is_overlay(iface: &Interface) -> bool {
    iface.kind == InterfaceKind::Tunnel
        || (iface.qdisc.as_deref() == Some("noqueue") && matches!(iface.kind, InterfaceKind::Other))
}

fn overlay_remediation(iface: &Interface) -> Vec<String> {
    let dev = &iface.name;
    vec![
        format!("ip -d link show dev {dev}   # the tunnel's type, remote/underlay device and local address"),
        format!("bridge fdb show dev {dev}   # VXLAN/FAN: is there a forwarding entry for the destination? A missing one drops on transmit"),
        "# Check that the remote end of the tunnel is routable from the underlay: ip route get <remote address>".to_string(),
        format!("# Raising txqueuelen or a ring does not help: {dev} queues nothing. Check the underlay device's own drops and the overlay's control plane (flanneld, fan, the SDN agent)."),
    ]
}

/// A veth whose peer (in the data) has a smaller MTU: `(peer, own mtu, peer mtu)`.
fn mtu_mismatch<'a>(host: &'a Host, iface: &Interface) -> Option<(&'a str, u64, u64)> {
    let peer = veth_peer(host, iface)?;
    let (own, theirs) = (iface.mtu?, peer.mtu?);
    (theirs < own).then_some((peer.name.as_str(), own, theirs))
}

fn remediation(host: &Host, iface: &Interface) -> Vec<String> {
    let dev = &iface.name;
    let mut r = Vec::new();
    if let Some((peer, own, theirs)) = mtu_mismatch(host, iface) {
        r.push(format!(
            "ip link set dev {peer} mtu {own}   # MTU mismatch: {dev} sends frames up to {own} bytes, its peer {peer} accepts {theirs}; give both ends the same MTU (or lower {dev} to {theirs} if the path needs it)"
        ));
    }
    r.push(format!(
        "tc -s qdisc show dev {dev}   # which queue discipline drops (its `dropped`/`overlimits`); drops there but not in the qdisc point to the driver or TX ring"
    ));
    let target = iface
        .qlen
        .map_or(TX_QUEUELEN_RAISED, |q| (q * 2).max(TX_QUEUELEN_RAISED));
    r.push(format!(
        "ip link set dev {dev} txqueuelen {target}   # {}; it is the default qdisc limit, so a longer queue absorbs bursts (no effect on `qdisc noqueue` devices)",
        iface.qlen.map_or(format!("current txqueuelen not in the data (ip link show dev {dev} shows it)"), |q| format!("txqueuelen now {q}"))
    ));
    let hardware = matches!(
        iface.kind,
        InterfaceKind::Physical | InterfaceKind::BondSlave | InterfaceKind::Other
    );
    match iface.ring.as_ref().map(|x| (x.tx, x.tx_max, &x.source)) {
        Some((Some(cur), Some(max), _)) if cur < max => r.push(format!(
            "ethtool -G {dev} tx {max}   # TX ring now {cur}, pre-set maximum {max}: a longer ring absorbs bursts before the driver drops"
        )),
        Some((Some(cur), Some(_), _)) => r.push(format!(
            "# The TX ring of {dev} is already at its maximum ({cur}): look at the qdisc and at what sends the bursts (ethtool -S {dev} | grep -i drop for the driver's own TX drop counters)."
        )),
        _ if hardware => r.push(format!(
            "ethtool -g {dev}   # ring sizes not in the data: if TX is below its pre-set maximum, ethtool -G {dev} tx <max>"
        )),
        _ => {}
    }
    match iface.kind {
        InterfaceKind::Bond => {
            let slaves: Vec<&str> = slaves_of(host, iface).iter().map(|s| s.name.as_str()).collect();
            r.push(format!(
                "cat /proc/net/bonding/{dev}   # a bond drops on its own when no slave can send (all down) or the chosen slave refuses the frame{}",
                if slaves.is_empty() { String::new() } else { format!("; check the slaves' qdisc and ring: {}", slaves.join(", ")) }
            ));
        }
        InterfaceKind::Vlan => r.push(format!(
            "# A VLAN device drops when its lower device refuses the frame: check the qdisc and TX ring of {} instead.",
            iface.link_peer.as_deref().unwrap_or("the lower device")
        )),
        InterfaceKind::Veth => r.push(format!(
            "# A veth drops on transmit when its peer{} cannot take the frame (peer down, frame longer than the peer's MTU, its backlog or XDP ring full): compare the MTUs and check the softnet drops (/proc/net/softnet_stat column 2).",
            iface.link_peer.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
        )),
        InterfaceKind::Bridge => r.push(format!(
            "bridge link show   # a bridge drops on transmit when a member port refuses the frame: check the members of {dev}"
        )),
        InterfaceKind::Tunnel => r.push(format!(
            "# A tunnel drops on transmit when the underlay has no route or neighbour to the remote end: check `ip -d link show dev {dev}` and `ip route get <remote>`."
        )),
        _ => {}
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use crate::test_support::assert_any_starts_with;
    use super::*;
    use crate::test_support::{add, add_veth0_into_small_mtu};

    #[test]
    fn growing_tx_drops_on_a_physical_nic_with_ring_below_max() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[
                (0, &[("tx_dropped", 100), ("tx_packets", 1_000_000)]),
                (10, &[("tx_dropped", 600), ("tx_packets", 1_100_000)]),
            ],
        );
        let i = host.interface_mut("eth0", None);
        i.qlen = Some(1000);
        i.ring = Some(Ring {
            rx: Some(512),
            rx_max: Some(4096),
            tx: Some(512),
            tx_max: Some(4096),
            source: "ethtool_-g_eth0".into(),
        });
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        // 500 / 100 500 = 0.5 %, 50/s: warning.
        assert_eq!(f[0].severity, Severity::Warning);
        assert_any_starts_with(&f[0].remediation, "ethtool -G eth0 tx 4096");
        assert_any_starts_with(&f[0].remediation, "ip link set dev eth0 txqueuelen 10000");
        assert_any_starts_with(&f[0].remediation, "tc -s qdisc show dev eth0");
        assert!(!f[0].evidence.is_empty());
    }

    #[test]
    fn taps_lo_down_idle_and_backup_slaves_are_not_this_rules() {
        let mut host = Host::new("h");
        let drops: &[(u32, &[(&str, u64)])] = &[
            (0, &[("tx_dropped", 0), ("tx_packets", 1000)]),
            (10, &[("tx_dropped", 5000), ("tx_packets", 2000)]),
        ];
        add(&mut host, "vnet3", InterfaceKind::Other, drops);
        add(&mut host, "lo", InterfaceKind::Loopback, drops);
        add(&mut host, "eth1", InterfaceKind::BondSlave, drops);
        host.interface_mut("eth1", None).bond_role = Some(BondRole::Backup);
        add(
            &mut host,
            "eth9",
            InterfaceKind::Physical,
            &[(
                0,
                &[("tx_dropped", 513), ("tx_packets", 0), ("rx_packets", 0)],
            )],
        );
        host.interface_mut("eth9", None).state = Some("DOWN".into());
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
    }

    #[test]
    fn small_totals_since_boot_stay_info() {
        let mut host = Host::new("h");
        // One snapshot, no uptime: totals, 11 drops on a vxlan (sandbox-like numbers).
        add(
            &mut host,
            "vxlan42",
            InterfaceKind::Tunnel,
            &[(0, &[("tx_dropped", 11), ("tx_packets", 0)])],
        );
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(0, &[("tx_dropped", 900), ("tx_packets", 90_000_000)])],
        );
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.severity == Severity::Info));
        // A large total that is a visible share of the traffic is a warning, never critical.
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(0, &[("tx_dropped", 50_000), ("tx_packets", 1_000_000)])],
        );
        crate::timeline::compute(&mut host);
        assert_eq!(check(&host)[0].severity, Severity::Warning);
    }

    #[test]
    fn a_bond_is_judged_on_what_its_slaves_do_not_explain() {
        let mut host = Host::new("h");
        let s = |d: u64, p: u64| -> Vec<(&'static str, u64)> {
            vec![("tx_dropped", d), ("tx_packets", p)]
        };
        let (a0, a1, b0, b1) = (s(0, 0), s(4000, 100_000), s(0, 0), s(4000, 100_000));
        add(
            &mut host,
            "bond0",
            InterfaceKind::Bond,
            &[(0, &b0), (10, &b1)],
        );
        add(
            &mut host,
            "eth0",
            InterfaceKind::BondSlave,
            &[(0, &a0), (10, &a1)],
        );
        host.interface_mut("eth0", None).master = Some("bond0".into());
        crate::timeline::compute(&mut host);
        let f = check(&host);
        // The slave's 4000 drops are reported on the slave only.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject, "eth0");
    }

    #[test]
    fn a_bond_with_backup_slaves_read_elsewhere_is_quiet() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "bond0",
            InterfaceKind::Bond,
            &[
                (0, &[("tx_dropped", 0), ("tx_packets", 0)]),
                (10, &[("tx_dropped", 4000), ("tx_packets", 100_000)]),
            ],
        );
        // Backup slave known from /proc/net/bonding, its counters only as a snapshot.
        add(
            &mut host,
            "eth1",
            InterfaceKind::BondSlave,
            &[(0, &[("tx_dropped", 4000), ("tx_packets", 10)])],
        );
        let s = host.interface_mut("eth1", None);
        s.master = Some("bond0".into());
        s.bond_role = Some(BondRole::Backup);
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
    }

    #[test]
    fn a_veth_into_a_smaller_mtu_peer_gets_the_mtu_fix_first() {
        let mut host = Host::new("h");
        add_veth0_into_small_mtu(&mut host);
        add(
            &mut host,
            "veth1",
            InterfaceKind::Veth,
            &[
                (0, &[("rx_packets", 1709)]),
                (25, &[("rx_packets", 25_496)]),
            ],
        );
        for (n, p, m) in [("veth0", "veth1", 1500), ("veth1", "veth0", 1450)] {
            let i = host.interface_mut(n, None);
            i.link_peer = Some(p.into());
            i.mtu = Some(m);
        }
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        // 1252 of 25 039 = 5 %: critical.
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].remediation[0].starts_with("ip link set dev veth1 mtu 1500"),
            "{:?}",
            f[0].remediation
        );
        assert!(f[0].summary.contains("smaller MTU (1450 < 1500)"));
    }

    #[test]
    fn tx_drops_on_a_noqueue_overlay_are_not_called_queue_drops() {
        // A flannel VXLAN device (qdisc noqueue) with 2 000 TX drops of 1 000 000 packets in a
        // paste without uptime: a warning on the unknown window (ratio 0.2 %), named as what it
        // is and without txqueuelen or ring advice.
        let mut host = Host::new("h");
        add(
            &mut host,
            "flannel.1",
            InterfaceKind::Tunnel,
            &[(0, &[("tx_dropped", 2_000), ("tx_packets", 1_000_000)])],
        );
        host.interface_mut("flannel.1", None).qdisc = Some("noqueue".into());
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0]
            .summary
            .contains("is a tunnel/overlay device (qdisc noqueue)"));
        assert!(!f[0].summary.contains("queue discipline, driver or TX ring"));
        assert_any_starts_with(&f[0].remediation, "bridge fdb show dev flannel.1");
        assert!(!f[0]
            .remediation
            .iter()
            .any(|r| r.contains("txqueuelen 10000")));
        assert!(f[0]
            .remediation
            .last()
            .unwrap()
            .starts_with("for i in 1 2; do date; ip -s -s link show flannel.1"));
    }

    #[test]
    fn a_bond_with_inferred_slaves_is_judged_on_its_own_share() {
        // Bond and two slaves read once, no bonding file: the bond's 5 000 TX drops are its
        // slaves' 3 000 + 2 000, so only the slaves are judged.
        let mut host = Host::new("h");
        for (name, kind, drop, rx, tx) in [
            (
                "bond0",
                InterfaceKind::Bond,
                5_000u64,
                3_000_000u64,
                2_000_000u64,
            ),
            ("eth0", InterfaceKind::Physical, 3_000, 2_000_000, 1_500_000),
            ("eth1", InterfaceKind::Physical, 2_000, 1_000_000, 500_000),
        ] {
            add(
                &mut host,
                name,
                kind,
                &[(
                    0,
                    &[("tx_dropped", drop), ("rx_packets", rx), ("tx_packets", tx)],
                )],
            );
        }
        crate::timeline::compute(&mut host);
        crate::catalog::judge(&mut host);
        let subjects: Vec<&str> = host
            .findings
            .iter()
            .filter(|f| f.rule == "tx-queue-drop")
            .map(|f| f.subject.as_str())
            .collect();
        assert_eq!(subjects, ["eth0", "eth1"]);
        assert!(host.interface("eth0").unwrap().inferred[0].contains("slave of bond0"));
        let bond = host
            .loss_counters
            .iter()
            .find(|l| l.subject == "bond0")
            .unwrap();
        assert_eq!(bond.finding, None);
        assert!(bond
            .reason
            .as_deref()
            .unwrap()
            .starts_with("counted on its slaves eth0, eth1"));
    }
}
