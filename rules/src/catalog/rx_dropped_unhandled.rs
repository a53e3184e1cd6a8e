//! `rx-dropped-unhandled`: `rx_dropped` grows (or is non-zero since boot) while every resource
//! counter is clean: no NIC buffer overflow (`rx_missed_errors`, `rx_over_errors`,
//! `rx_fifo_errors`), no driver ring counter (`ethtool -S`), no softnet backlog drop. What is
//! left is the core demux of `__netif_receive_skb_core()` (knowledge §10.7): frames no protocol
//! handler takes (LLDP/CDP/STP without a daemon, VLAN tags without a VLAN device, IPv6 while it
//! is disabled) are counted in `rx_dropped` since 2.6.37. Always `info`: usually benign.
//!
//! Not on `lo`, not on interfaces that are down and idle, and not on backup bond slaves (that is
//! `bond-backup-slave-drops`). A bond is judged on what its slaves do not explain (it folds
//! their counters into its own). The folded /proc/net/dev / ifconfig `drop` column also holds
//! `rx_missed_errors`, so it is used only when `ethtool -S` shows `rx_missed_errors` clean.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "rx-dropped-unhandled",
    title: "rx_dropped with clean resource counters: frames for protocols nobody handles",
    default_severity: Severity::Info,
    references: &[
        "net/core/dev.c __netif_receive_skb_core(): SKB_DROP_REASON_UNHANDLED_PROTO counts rx_dropped (commit caf586e5f23c, 2.6.37)",
        "include/uapi/linux/if_link.h: rx_dropped \"… e.g. due to lack of resources or unsupported protocol\"",
        "SUSE TID 7007165: rx_dropped causes since 2.6.37 (unknown protocols, unintended VLAN tags, IPv6 when not configured)",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. Frames the core receive path (`__netif_receive_skb_core`) has no handler for.
pub const STAGE: Stage = Stage::rx(StageId::Softnet);

/// Generic counters of NIC buffer exhaustion that would explain `rx_dropped` otherwise.
const RESOURCE: [&str; 3] = ["rx_missed_errors", "rx_over_errors", "rx_fifo_errors"];

/// One resource check: clean (`Some(evidence)`), dirty (`Err`), or not in the data (`None`).
type Check = Option<Result<Evidence, ()>>;

fn clean_item(g: &Growth, metric: String, source: String, end: Option<Timestamp>) -> Evidence {
    Evidence {
        source,
        start: None,
        end,
        metric,
        value: None,
        delta: Some(0.0),
        rate: None,
        basis: match (g.live(), g.seconds.is_some()) {
            (true, _) => "interval",
            (false, true) => "since-boot",
            (false, false) => "snapshot",
        },
    }
}

fn generic_check(iface: &Interface) -> Check {
    let present: Vec<&str> = RESOURCE
        .iter()
        .copied()
        .filter(|k| has_counter(iface, k))
        .collect();
    if present.is_empty() {
        return None;
    }
    let g = counter_growth(iface, &present, &[])?;
    if g.total > 0.0 {
        return Some(Err(()));
    }
    let last = iface.samples.last()?;
    Some(Ok(clean_item(
        &g,
        present.join("+"),
        last.source.clone(),
        last.time,
    )))
}

fn ring_check(iface: &Interface) -> Check {
    let mut keys: Vec<&str> = iface
        .ethtool
        .iter()
        .flat_map(|e| e.stats.keys())
        .map(String::as_str)
        .filter(|k| is_ring_counter(k, iface.driver.as_deref()))
        .collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return None;
    }
    let g = ethtool_growth(iface, &keys, &[])?;
    if g.total > 0.0 {
        return Some(Err(()));
    }
    let last = iface.ethtool.last()?;
    let metric = if keys.len() > 4 {
        format!(
            "{} and {} more driver ring counters",
            keys[..4].join("+"),
            keys.len() - 4
        )
    } else {
        keys.join("+")
    };
    Some(Ok(clean_item(&g, metric, last.source.clone(), last.time)))
}

/// Softnet backlog drops (col 2) over the same kind of window as `g`.
fn softnet_check(host: &Host, g: &Growth) -> Check {
    let dropped = |iv: &SoftnetInterval| -> u64 {
        iv.cpus.iter().filter_map(|c| c.deltas.get("dropped")).sum()
    };
    let (total, source, end) = if g.live() {
        let live: Vec<_> = host
            .softnet_deltas
            .iter()
            .filter(|iv| iv.kind.is_live() && !iv.reset)
            .collect();
        let last = live.last()?;
        (
            live.iter().map(|iv| dropped(iv)).sum::<u64>(),
            last.end_source.clone(),
            last.end,
        )
    } else {
        let s = host.softnet.last()?;
        (
            s.cpus.iter().map(|c| c.dropped).sum::<u64>(),
            s.source.clone(),
            s.time,
        )
    };
    // Backlog drops are counted in the device's rx_dropped too, but only explain it when they
    // are of the same order: 2 backlog drops do not explain 5 million rx_dropped.
    if total as f64 >= 0.5 * g.total {
        return Some(Err(()));
    }
    let mut item = clean_item(g, "softnet dropped (all CPUs)".into(), source, end);
    if total > 0 {
        item.metric = "softnet dropped (all CPUs): too few to explain these".into();
        item.delta = Some(total as f64);
    }
    Some(Ok(item))
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if quiet_interface(iface) || is_backup_slave(iface) {
            continue;
        }
        let Some((key, g)) = unhandled_growth(host, iface) else {
            continue;
        };
        let missed_clean = missed_clean_in_ethtool(iface);
        let (generic, ring, softnet) = (
            generic_check(iface),
            ring_check(iface),
            softnet_check(host, &g),
        );
        let mut unknown = Vec::new();
        if generic.is_none() && !missed_clean {
            unknown.push("the NIC's missed/fifo counters");
        }
        if iface.ethtool.is_empty() {
            unknown.push("ethtool -S");
        }
        if softnet.is_none() {
            unknown.push("/proc/net/softnet_stat");
        }
        let checks = [generic, ring, softnet];
        if checks.iter().any(|c| matches!(c, Some(Err(())))) {
            continue;
        }
        let clean: Vec<Evidence> = checks.into_iter().flatten().flatten().collect();
        let summary = summary(iface, key, &g, !clean.is_empty(), missed_clean, &unknown);
        let mut f = RULE.finding(Severity::Info, &iface.name, summary);
        stand_on(&mut f, &g);
        f.evidence.extend(clean);
        f.remediation = remediation(iface);
        out.push(f);
    }
    out
}

/// True when `ethtool -S` reads `rx_missed_errors` and it did not grow.
fn missed_clean_in_ethtool(iface: &Interface) -> bool {
    iface
        .ethtool
        .iter()
        .any(|e| e.stats.contains_key("rx_missed_errors"))
        && ethtool_growth(iface, &["rx_missed_errors"], &[]).is_some_and(|g| g.total == 0.0)
}

/// The interface's own growth of `rx_dropped` (else the folded `drop` column), with the key
/// read; `None` when it did not grow, or when a veth's peer explains it.
fn unhandled_growth(host: &Host, iface: &Interface) -> Option<(&'static str, Growth)> {
    let key = if has_counter(iface, "rx_dropped") {
        "rx_dropped"
    } else if has_counter(iface, "proc_rx_drop") {
        "proc_rx_drop"
    } else {
        return None;
    };
    let g = own_growth(host, iface, &[key], &["rx_packets"])?;
    if g.total <= 0.0 {
        return None;
    }
    // A veth counts in rx_dropped the frames its peer could not hand over (longer than this
    // end's MTU): those show as the peer's tx_dropped, and they are not unhandled protocols.
    if let Some(peer) = veth_peer(host, iface) {
        if counter_growth(peer, &["tx_dropped"], &[])
            .is_some_and(|p| p.total > 0.0 && p.basis == g.basis)
        {
            return None;
        }
    }
    Some((key, g))
}

fn summary(
    iface: &Interface,
    key: &str,
    g: &Growth,
    any_clean: bool,
    missed_clean: bool,
    unknown: &[&str],
) -> String {
    let mut summary = format!(
        "{}{}: rx_dropped counted {}, while {}: most likely frames for protocols nothing on this host handles (LLDP/CDP/STP without a daemon, VLAN tags without a VLAN device, IPv6 while disabled). Informational: no traffic anyone listens for is lost.",
        iface.name,
        netns_note(iface),
        describe_included(g, "received frames"),
        if any_clean {
            "the NIC buffer, ring and backlog counters in the data stayed clean".to_string()
        } else {
            "no resource counter explains them".to_string()
        }
    );
    if key == "proc_rx_drop" && missed_clean {
        summary.push_str(" (Read from the /proc/net/dev or ifconfig `drop` column, which also folds rx_missed_errors; ethtool shows rx_missed_errors clean.)");
    } else if key == "proc_rx_drop" {
        summary.push_str(&format!(
            " (Read from the /proc/net/dev or ifconfig `drop` column, which also folds rx_missed_errors, frames the NIC dropped for want of ring space; nothing in the data tells the two apart: `ip -s -s link show dev {}` does.)",
            iface.name
        ));
    }
    if !unknown.is_empty() {
        summary.push_str(&format!(
            " Not in the data, so not ruled out: {}.",
            unknown.join(", ")
        ));
    }
    if iface
        .driver
        .as_deref()
        .is_some_and(|d| d == "ice" || d == "i40e")
    {
        summary.push_str(" On ice/i40e, rx_dropped can also count ring exhaustion: compare with ethtool's rx_unknown_protocol.");
    }
    if let Some(o) = counter_growth(iface, &["rx_otherhost_dropped"], &[]).filter(|o| o.total > 0.0)
    {
        summary.push_str(&format!(
            " Separately, {} frames not addressed to this host were dropped (rx_otherhost_dropped: another host's MAC, or on current kernels a VLAN tag with no VLAN device here), also harmless.",
            fmt_count(o.total)
        ));
    }
    summary
}

fn remediation(iface: &Interface) -> Vec<String> {
    let dev = &iface.name;
    vec![
        "Informational: nothing to tune unless an application misses traffic that arrives on this interface.".to_string(),
        format!("tcpdump -i {dev} -e -nn -c 100 'not ip and not ip6 and not arp'   # shows the EtherType of the unhandled frames: 0x88cc LLDP, 802.3 LLC frames for STP/CDP, `vlan N` tags, 0x86dd IPv6"),
        format!("ip -s -s link show dev {dev}   # nohandler (bond inactive ports) and otherhost (foreign MAC) are counted apart from these rx_dropped"),
        format!("ethtool -S {dev} | grep -i unknown_protocol   # ice/i40e count unknown-protocol frames in rx_unknown_protocol"),
        format!("If they matter: run lldpd/lldpad for LLDP; create the VLAN device for tagged frames (ip link add link {dev} name {dev}.<id> type vlan id <id>) or stop the switch from sending that VLAN; enable IPv6 or filter it on the switch."),
    ]
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use crate::test_support::assert_any_starts_with;
    use super::*;
    use crate::test_support::{add, add_veth0_into_small_mtu, at};
    use crate::model::{BondRole, EthtoolSample, InterfaceKind, SoftnetCpu, SoftnetSample};

    fn softnet(host: &mut Host, dropped: [u64; 2]) {
        for (i, d) in dropped.iter().enumerate() {
            host.softnet.push(SoftnetSample {
                time: at(10 * i as u32),
                source: format!("capture.log:{}", 500 + i),
                cpu_ids_exact: true,
                cpus: vec![SoftnetCpu {
                    cpu: 0,
                    processed: 1000 * i as u64,
                    dropped: *d,
                    time_squeeze: 0,
                    received_rps: None,
                    flow_limit_count: None,
                    backlog_len: None,
                }],
            });
        }
    }

    fn unhandled(dropped: [u64; 2], missed: [u64; 2]) -> Vec<(u32, Vec<(&'static str, u64)>)> {
        (0..2)
            .map(|i| {
                (
                    10 * i as u32,
                    vec![
                        ("rx_dropped", dropped[i]),
                        ("rx_missed_errors", missed[i]),
                        ("rx_fifo_errors", 0),
                        ("rx_packets", 100_000 * (i as u64 + 1)),
                        ("rx_otherhost_dropped", 0),
                    ],
                )
            })
            .collect()
    }

    /// A host whose only interface is the physical `eth0` with these readings.
    fn eth0_host(s: &[(u32, Vec<(&'static str, u64)>)]) -> Host {
        let mut host = Host::new("h");
        add_owned(&mut host, "eth0", InterfaceKind::Physical, s);
        host
    }

    fn add_owned(
        host: &mut Host,
        name: &str,
        kind: InterfaceKind,
        s: &[(u32, Vec<(&'static str, u64)>)],
    ) {
        let refs: Vec<(u32, &[(&str, u64)])> =
            s.iter().map(|(t, kv)| (*t, kv.as_slice())).collect();
        add(host, name, kind, &refs);
    }

    #[test]
    fn rising_rx_dropped_with_clean_counters_is_info_with_tcpdump() {
        let mut host = eth0_host(&unhandled([0, 50_000], [0, 0]));
        softnet(&mut host, [7, 7]);
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_any_starts_with(&f[0].remediation, "tcpdump -i eth0 -e -nn");
        // The clean counters are part of the evidence.
        assert!(f[0]
            .evidence
            .iter()
            .any(|e| e.metric.contains("rx_missed_errors") && e.delta == Some(0.0)));
        assert!(f[0]
            .evidence
            .iter()
            .any(|e| e.metric.starts_with("softnet")));
    }

    #[test]
    fn resource_drops_anywhere_mean_it_is_not_unhandled() {
        // missed grows
        let mut host = eth0_host(&unhandled([0, 500], [0, 20]));
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
        // softnet drops grow
        let mut host = eth0_host(&unhandled([0, 500], [0, 0]));
        softnet(&mut host, [0, 500]);
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
        // a driver ring counter grows
        let mut host = eth0_host(&unhandled([0, 500], [0, 0]));
        let i = host.interface_mut("eth0", None);
        i.driver = Some("igb".into());
        for (sec, v) in [(0u32, 0u64), (10, 30)] {
            i.ethtool.push(EthtoolSample {
                time: at(sec),
                source: format!("capture.log:{}", 900 + sec),
                stats: [("rx_no_buffer_count".to_string(), v)]
                    .into_iter()
                    .collect(),
            });
        }
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
    }

    #[test]
    fn lo_backup_slaves_and_bonds_of_backup_drops_are_skipped() {
        let mut host = Host::new("h");
        add_owned(
            &mut host,
            "lo",
            InterfaceKind::Loopback,
            &unhandled([0, 500], [0, 0]),
        );
        add_owned(
            &mut host,
            "bond0",
            InterfaceKind::Bond,
            &unhandled([0, 500], [0, 0]),
        );
        add_owned(
            &mut host,
            "eth0",
            InterfaceKind::BondSlave,
            &unhandled([0, 0], [0, 0]),
        );
        add_owned(
            &mut host,
            "eth1",
            InterfaceKind::BondSlave,
            &unhandled([0, 500], [0, 0]),
        );
        for (n, role) in [("eth0", BondRole::Active), ("eth1", BondRole::Backup)] {
            let s = host.interface_mut(n, None);
            s.master = Some("bond0".into());
            s.bond_role = Some(role);
        }
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty(), "{:?}", check(&host));
    }

    #[test]
    fn folded_drop_column_says_what_it_cannot_tell_apart() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(
                0,
                &[
                    ("proc_rx_drop", 7402),
                    ("rx_fifo_errors", 0),
                    ("rx_packets", 978_620_538),
                ],
            )],
        );
        crate::timeline::compute(&mut host);
        // Without ethtool the 7 402 drops may be rx_missed_errors: reported, and the ambiguity
        // named with the command that resolves it.
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0]
            .summary
            .contains("nothing in the data tells the two apart"));
        assert!(f[0].summary.contains("ip -s -s link show dev eth0"));
        host.interface_mut("eth0", None)
            .ethtool
            .push(EthtoolSample {
                time: at(0),
                source: "ethtool_-S_eth0".into(),
                stats: [("rx_missed_errors".to_string(), 0)].into_iter().collect(),
            });
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert!(f[0]
            .summary
            .contains("ethtool shows rx_missed_errors clean"));
    }

    #[test]
    fn a_veth_peers_tx_drops_are_not_unhandled_protocols() {
        // veth0 (MTU 1500) into veth1 (MTU 1450): the long frames show as veth0 tx_dropped and
        // as veth1 rx_dropped (shape of the sandbox capture in tx-queue-drop-pos-sandbox-veth-mtu).
        let mut host = Host::new("h");
        add_veth0_into_small_mtu(&mut host);
        add(
            &mut host,
            "veth1",
            InterfaceKind::Veth,
            &[
                (
                    0,
                    &[
                        ("rx_dropped", 90),
                        ("rx_missed_errors", 0),
                        ("rx_packets", 1709),
                    ],
                ),
                (
                    25,
                    &[
                        ("rx_dropped", 1342),
                        ("rx_missed_errors", 0),
                        ("rx_packets", 25_496),
                    ],
                ),
            ],
        );
        host.interface_mut("veth1", None).link_peer = Some("veth0".into());
        host.interface_mut("veth0", None).link_peer = Some("veth1".into());
        crate::timeline::compute(&mut host);
        assert!(check(&host).is_empty());
        // Without the peer in the data (veth1@if5) the drops read as unhandled.
        host.interface_mut("veth1", None).link_peer = Some("if5".into());
        assert_eq!(check(&host).len(), 1);
    }
}
