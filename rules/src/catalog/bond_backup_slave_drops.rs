//! `bond-backup-slave-drops`: receive drops on the backup slave of an active-backup bond are
//! by design (knowledge §10.8). `bond_should_deliver_exact_match()` makes the bond drop frames
//! that arrive on an inactive slave; they are counted in `rx_nohandler` (kernel ≥ 4.6) or
//! `rx_dropped` (2.6.37–4.5). The role comes from `ip -d link` (`bond_slave state BACKUP`) or
//! `/proc/net/bonding/<bond>` (`Currently Active Slave:` names another slave). Always `info`,
//! nothing to do: it explains the large drop counts that other tools alarm on (netdata #2285).

use super::common::*;

pub static RULE: Rule = Rule {
    id: "bond-backup-slave-drops",
    title: "Drops on a bond's backup slave are by design",
    default_severity: Severity::Info,
    references: &[
        "Documentation/networking/bonding.rst: all_slaves_active (default 0: drop duplicate frames received on inactive ports)",
        "drivers/net/bonding/bond_main.c: bond_should_deliver_exact_match(), bond_handle_frame() → RX_HANDLER_EXACT",
        "net/core/dev.c: rx_nohandler (commit 6e7333d315a7, kernel 4.6)",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The bond's receive handler drops frames on an inactive port by design: listed, not counted as loss.
pub const STAGE: Stage = Stage::rx(StageId::Softnet).without_loss();

/// What bonding.rst says about `all_slaves_active` (quoted in knowledge §10.8).
const BONDING_RST: &str = "bonding.rst, all_slaves_active: \"Normally, bonding will drop duplicate frames (received on inactive ports), which is desirable for most users.\"";

fn keys(iface: &Interface) -> &'static [&'static str] {
    if has_counter(iface, "rx_dropped") || has_counter(iface, "rx_nohandler") {
        &["rx_dropped", "rx_nohandler"]
    } else {
        // /proc/net/dev or ifconfig only: `drop` = rx_dropped + rx_missed_errors.
        &["proc_rx_drop"]
    }
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in host.interfaces.iter().filter(|i| is_backup_slave(i)) {
        let keys = keys(iface);
        let Some(g) = counter_growth(iface, keys, &["rx_packets"]) else {
            continue;
        };
        if g.total <= 0.0 {
            continue;
        }
        let bond = iface.master.as_deref().unwrap_or("its bond");
        let mut summary = format!(
            "{}{} is the backup slave of {bond}: it dropped {}, frames the bond discards by design on an inactive port (counted in rx_nohandler since kernel 4.6, in rx_dropped before). {BONDING_RST} Nothing is lost; {bond}'s own counters include these drops, since a bond adds up its slaves'.",
            iface.name,
            netns_note(iface),
            describe_included(&g, "received frames"),
        );
        if keys == ["proc_rx_drop"] {
            let fifo = counter_growth(iface, &["rx_fifo_errors"], &[]).map_or(0.0, |f| f.total);
            summary.push_str(&format!(
                " (Read from the /proc/net/dev or ifconfig `drop` column, which also folds rx_missed_errors; the fifo column shows {}.)",
                fmt_count(fifo)
            ));
        }
        let mut f = RULE.finding(Severity::Info, &iface.name, summary);
        f.basis = g.basis.label();
        f.total = g.total;
        f.impact = g.impact();
        f.evidence = g.evidence.clone();
        f.remediation = vec![
            "Nothing to do: these drops are by design and do not affect traffic.".to_string(),
            format!(
                "cat /proc/net/bonding/{bond}   # confirms the role: `Currently Active Slave:` names another slave (or ip -d link show dev {} shows `bond_slave state BACKUP`)",
                iface.name
            ),
            format!(
                "Only if something must see the frames of the inactive port (rare: monitoring): echo 1 > /sys/class/net/{bond}/bonding/all_slaves_active; the default 0 is right for almost everyone."
            ),
        ];
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::add;
    use crate::model::{BondRole, InterfaceKind};

    fn bond(role: BondRole, kv0: &[(&str, u64)], kv1: &[(&str, u64)]) -> Host {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth1",
            InterfaceKind::BondSlave,
            &[(0, kv0), (10, kv1)],
        );
        let s = host.interface_mut("eth1", None);
        s.master = Some("bond0".into());
        s.bond_role = Some(role);
        crate::timeline::compute(&mut host);
        host
    }

    #[test]
    fn backup_slave_nohandler_is_info_by_design() {
        let host = bond(
            BondRole::Backup,
            &[
                ("rx_dropped", 0),
                ("rx_nohandler", 100),
                ("rx_packets", 1000),
            ],
            &[
                ("rx_dropped", 0),
                ("rx_nohandler", 5100),
                ("rx_packets", 6000),
            ],
        );
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].subject, "eth1");
        assert!(f[0].summary.contains("by design") && f[0].summary.contains("all_slaves_active"));
        assert!(f[0].remediation[0].starts_with("Nothing to do"));
        assert!(!f[0].evidence.is_empty());
    }

    #[test]
    fn active_slaves_and_clean_backups_get_nothing() {
        let kv0: &[(&str, u64)] = &[("rx_dropped", 0), ("rx_packets", 1000)];
        let kv1: &[(&str, u64)] = &[("rx_dropped", 900), ("rx_packets", 6000)];
        assert!(check(&bond(BondRole::Active, kv0, kv1)).is_empty());
        assert!(check(&bond(BondRole::Backup, kv0, kv0)).is_empty());
    }

    #[test]
    fn proc_net_dev_snapshot_of_a_backup_slave() {
        // Shape of seed 001's eth1 (drops ≈ packets), one reading without uptime.
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth1",
            InterfaceKind::BondSlave,
            &[(
                0,
                &[
                    ("proc_rx_drop", 95_903_801),
                    ("rx_fifo_errors", 0),
                    ("rx_packets", 95_903_847),
                ],
            )],
        );
        let s = host.interface_mut("eth1", None);
        s.master = Some("bond0".into());
        s.bond_role = Some(BondRole::Backup);
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert!(f[0].summary.contains("folds rx_missed_errors"));
    }
}
