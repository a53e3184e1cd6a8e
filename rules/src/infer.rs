//! What the data implies but does not say, inferred before the rules run. A pasted
//! `/proc/net/dev` or `ip -s link` often lacks the bonding files, so the rules would not know
//! that eth1 is bond0's inactive slave, nor that bond1's FIFO errors are eth2's. The counters
//! tell: a bond's packet counters are the sum of its slaves' (`bond_get_stats()`), and an
//! inactive slave drops nearly every frame it receives (`bond_should_deliver_exact_match()`).
//! Every inference is written into `Interface.inferred`, so the reader sees what was assumed.

use std::collections::BTreeMap;

use crate::model::{BondRole, Host, Interface, InterfaceKind};

/// Counters of one reading must add up within this share (or `SUM_SLACK` packets): /proc/net/dev
/// and `ip -s link` read each device at a slightly different instant, so a busy bond and its
/// slaves differ by a few packets (seed 001: 58 of 1.24 trillion). Tight enough that leaving
/// out a slave with 0.0024 % of the traffic (seed 001's eth3) breaks the sum.
const SUM_TOLERANCE: f64 = 1e-6;
const SUM_SLACK: f64 = 64.0;
/// At most this many slaves per inferred bond, and this many candidate devices: the subsets
/// tried stay below 45 000.
const MAX_SLAVES: usize = 4;
const MAX_CANDIDATES: usize = 24;
/// An inactive slave drops (almost) every frame it receives; an active one a tiny share.
const BACKUP_DROP_SHARE: f64 = 0.95;
/// …over enough frames that the share means something.
const BACKUP_MIN_PACKETS: u64 = 1000;

/// Applies every inference to the host.
pub fn infer(host: &mut Host) {
    bond_members(host);
    backup_slaves(host);
}

/// The latest reading of an interface's generic counters.
pub fn latest(iface: &Interface) -> Option<&BTreeMap<String, u64>> {
    iface
        .samples
        .iter()
        .rev()
        .find(|s| !s.approximate)
        .map(|s| &s.counters)
}

/// A bond or team: by kind, or by name when nothing else says what the device is.
pub fn is_bond_like(iface: &Interface) -> bool {
    iface.kind == InterfaceKind::Bond
        || ((iface.name.starts_with("bond") || iface.name.starts_with("team"))
            && !iface.name.contains('.'))
}

fn packets(c: &BTreeMap<String, u64>) -> Option<(u64, u64)> {
    Some((*c.get("rx_packets")?, *c.get("tx_packets")?))
}

fn close(sum: u64, total: u64) -> bool {
    let diff = sum.abs_diff(total) as f64;
    diff <= (total as f64 * SUM_TOLERANCE).max(SUM_SLACK)
}

/// Bonds (and teams) with no known member: the one smallest set of up to four devices whose
/// received and sent packets add up to the bond's.
fn bond_members(host: &mut Host) {
    for b in bonds_without_members(host) {
        let Some((rx, tx)) = latest(&host.interfaces[b]).and_then(packets) else {
            continue;
        };
        // A bond that passed no packets has no sum to match.
        if rx == 0 && tx == 0 {
            continue;
        }
        if let Some(members) = sole_member_set(host, b, rx, tx) {
            record_members(host, b, &members);
        }
    }
}

/// Indices of the bond-like devices no other device names as its master.
fn bonds_without_members(host: &Host) -> Vec<usize> {
    (0..host.interfaces.len())
        .filter(|&b| {
            let bond = &host.interfaces[b];
            is_bond_like(bond)
                && !host.interfaces.iter().any(|i| {
                    i.master.as_deref() == Some(bond.name.as_str()) && i.namespace == bond.namespace
                })
        })
        .collect()
}

/// Devices that could be the bond's slaves, with their received and sent packets: in the
/// bond's namespace, enslaved to nothing, of a kind a bond takes, and not idle.
fn member_candidates(host: &Host, b: usize) -> Vec<(usize, u64, u64)> {
    let bond = &host.interfaces[b];
    host.interfaces
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            *i != b
                && c.namespace == bond.namespace
                && c.master.is_none()
                && matches!(
                    c.kind,
                    InterfaceKind::Physical | InterfaceKind::Other | InterfaceKind::BondSlave
                )
                && !is_bond_like(c)
        })
        .filter_map(|(i, c)| {
            let (r, t) = latest(c).and_then(packets)?;
            (r > 0 || t > 0).then_some((i, r, t))
        })
        .take(MAX_CANDIDATES)
        .collect()
}

/// The one smallest set of candidates whose packets add up to the bond's `rx` and `tx`, as
/// interface indices; `None` when no set adds up or two do.
fn sole_member_set(host: &Host, b: usize, rx: u64, tx: u64) -> Option<Vec<usize>> {
    let candidates = member_candidates(host, b);
    let mut matches: Vec<Vec<usize>> = Vec::new();
    subsets(&candidates, MAX_SLAVES, &mut Vec::new(), 0, &mut |set| {
        let (r, t) = set.iter().fold((0u64, 0u64), |(r, t), &k| {
            (
                r.saturating_add(candidates[k].1),
                t.saturating_add(candidates[k].2),
            )
        });
        if close(r, rx) && close(t, tx) {
            matches.push(set.iter().map(|&k| candidates[k].0).collect());
        }
    });
    // The fewest devices that add up (an idle device with a handful of packets fits into
    // the slack of any sum); two such sets are ambiguous.
    let fewest = matches.iter().map(Vec::len).min().unwrap_or(0);
    matches.retain(|m| m.len() == fewest);
    if matches.len() == 1 {
        matches.pop()
    } else {
        None
    }
}

/// Makes `members` the slaves of bond `b`, and says on every device involved that this was
/// inferred and from what, so the reader can weigh it.
fn record_members(host: &mut Host, b: usize, members: &[usize]) {
    let bond_name = host.interfaces[b].name.clone();
    let names: Vec<String> = members
        .iter()
        .map(|&m| host.interfaces[m].name.clone())
        .collect();
    let why = format!(
        "the received and sent packets of {} add up to {bond_name}'s",
        names.join(" + ")
    );
    for &m in members {
        let slave = &mut host.interfaces[m];
        slave.master = Some(bond_name.clone());
        slave.kind = InterfaceKind::BondSlave;
        slave
            .inferred
            .push(format!("slave of {bond_name} (inferred: {why})"));
    }
    let bond = &mut host.interfaces[b];
    bond.kind = InterfaceKind::Bond;
    bond.inferred.push(format!(
        "slaves {} (inferred: {why}; no bonding file in the data)",
        names.join(", ")
    ));
}

/// Calls `f` with every subset of `0..items.len()` of 1 to `max` elements.
fn subsets<T>(
    items: &[T],
    max: usize,
    current: &mut Vec<usize>,
    from: usize,
    f: &mut impl FnMut(&[usize]),
) {
    for i in from..items.len() {
        current.push(i);
        f(current);
        if current.len() < max {
            subsets(items, max, current, i + 1, f);
        }
        current.pop();
    }
}

/// Slaves whose role the data does not give, that drop nearly every frame they receive: the
/// signature of the inactive port of an active-backup bond.
fn backup_slaves(host: &mut Host) {
    // Masters that are bonds or teams: a bridge port or a VRF member is no bond slave.
    let bonds: Vec<(String, Option<String>)> = host
        .interfaces
        .iter()
        .filter(|i| is_bond_like(i))
        .map(|i| (i.name.clone(), i.namespace.clone()))
        .collect();
    for iface in &mut host.interfaces {
        let bond_master = iface
            .master
            .as_ref()
            .is_some_and(|m| bonds.iter().any(|(b, ns)| b == m && *ns == iface.namespace));
        let slave = bond_master
            || iface.kind == InterfaceKind::BondSlave
            || (iface.master.is_none() && iface.flags.iter().any(|f| f == "SLAVE"));
        if !slave || iface.bond_role.is_some() {
            continue;
        }
        let Some(c) = latest(iface) else { continue };
        let rx = c.get("rx_packets").copied().unwrap_or(0);
        let drops = if c.contains_key("rx_dropped") || c.contains_key("rx_nohandler") {
            c.get("rx_dropped").copied().unwrap_or(0) + c.get("rx_nohandler").copied().unwrap_or(0)
        } else {
            c.get("proc_rx_drop").copied().unwrap_or(0)
        };
        if rx < BACKUP_MIN_PACKETS || (drops as f64) < BACKUP_DROP_SHARE * rx as f64 {
            continue;
        }
        iface.bond_role = Some(BondRole::Backup);
        iface.inferred.push(format!(
            "inactive (backup) slave (inferred: it dropped {drops} of the {rx} frames it received, as a bond does on an inactive port)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CounterSample;

    /// The `/proc/net/dev` rows of seed 001 (an LVS director, no bonding file in the paste):
    /// rx packets, drop, tx packets, read off the seed by hand.
    fn seed001() -> Host {
        let mut host = Host::new("lvs");
        for (name, rx, drop, tx) in [
            (
                "bond1",
                1_242_460_031_644u64,
                50_134_427u64,
                1_104_977_661u64,
            ),
            ("bond0", 978_716_441_978, 95_911_204, 2_213_999_050_962),
            ("eth0", 978_620_538_142, 7_402, 2_213_999_050_966),
            ("eth1", 95_903_847, 95_903_801, 31),
            ("eth2", 1_242_429_666_624, 19_769_362, 1_104_977_621),
            ("eth3", 30_365_078, 30_365_065, 40),
        ] {
            let iface = host.interface_mut(name, None);
            iface.kind = if name.starts_with("bond") {
                InterfaceKind::Bond
            } else {
                InterfaceKind::Physical
            };
            iface.samples.push(CounterSample {
                time: None,
                source: "proc/net/dev".into(),
                counters: [
                    ("rx_packets".to_string(), rx),
                    ("proc_rx_drop".to_string(), drop),
                    ("tx_packets".to_string(), tx),
                ]
                .into_iter()
                .collect(),
                approximate: false,
            });
        }
        host
    }

    #[test]
    fn seed001_bonds_and_inactive_slaves_are_inferred_from_counters() {
        let mut host = seed001();
        infer(&mut host);
        let master = |n: &str| host.interface(n).unwrap().master.clone();
        assert_eq!(master("eth0").as_deref(), Some("bond0"));
        assert_eq!(master("eth1").as_deref(), Some("bond0"));
        assert_eq!(master("eth2").as_deref(), Some("bond1"));
        assert_eq!(master("eth3").as_deref(), Some("bond1"));
        let role = |n: &str| host.interface(n).unwrap().bond_role;
        // eth1 dropped 95 903 801 of 95 903 847, eth3 30 365 065 of 30 365 078: inactive.
        assert_eq!(role("eth1"), Some(BondRole::Backup));
        assert_eq!(role("eth3"), Some(BondRole::Backup));
        // eth0 dropped 7 402 of 978 billion, eth2 19.7 million of 1.24 trillion: active.
        assert_eq!(role("eth0"), None);
        assert_eq!(role("eth2"), None);
        assert!(host.interface("eth2").unwrap().inferred[0].contains("eth2 + eth3"));
    }

    #[test]
    fn counters_that_do_not_add_up_infer_nothing() {
        let mut host = seed001();
        // eth3's packets off by 1 %: bond1's sum no longer matches (synthetic change).
        host.interface_mut("eth3", None).samples[0]
            .counters
            .insert("tx_packets".into(), 11_049_777);
        infer(&mut host);
        assert_eq!(host.interface("eth2").unwrap().master, None);
        assert_eq!(host.interface("eth3").unwrap().master, None);
        // Without a master or SLAVE flag, eth3's drops alone say nothing about a bond.
        assert_eq!(host.interface("eth3").unwrap().bond_role, None);
    }
}
