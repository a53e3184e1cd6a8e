//! `/proc/net/bonding/<bond>`: the bond's mode and its slaves (applied at the end of the
//! bundle, see [`super::Deferred`]).

use rules::model::{BondRole, Host, InterfaceKind};

use super::{named, row, CaptureKind, Kind, Read, Sniff, Start};

pub static BONDING: Kind = Kind {
    label: |k| match k {
        CaptureKind::Bonding { bond } => format!("/proc/net/bonding/{bond}"),
        _ => String::new(),
    },
    paths: &[row!(
        Sos,
        ["proc", "net", "bonding"],
        "(?P<bond>.+)",
        |_, c| Some(CaptureKind::Bonding {
            bond: named(c, "bond")?
        })
    )],
    argv: None,
    sniff: Some(Sniff {
        order: 10,
        test: |h| {
            h.first
                .starts_with("Ethernet Channel Bonding Driver")
                .then(|| CaptureKind::Bonding {
                    bond: h.device_from_name(),
                })
        },
    }),
    starts: &[Start {
        order: 19,
        indented: false,
        test: |line| {
            line.starts_with("Ethernet Channel Bonding Driver")
                .then(|| CaptureKind::Bonding {
                    bond: String::new(),
                })
        },
    }],
    read: Read::Data(|r, c, _| {
        let CaptureKind::Bonding { bond } = &c.kind else {
            return;
        };
        let b = r.take(parsers::bonding::parse(&c.text));
        let what = "the bonding status (without its /proc/net/bonding path)";
        let bond = r.device_or_unnamed(bond, 1, what).to_string();
        r.deferred.bonding.push((bond, b));
    }),
};

/// Marks the bond, its slaves and (active-backup) their roles.
pub(super) fn apply(host: &mut Host, bond: &str, b: &parsers::bonding::Bonding) {
    host.interface_mut(bond, None).kind = InterfaceKind::Bond;
    let active_backup = b
        .mode
        .as_deref()
        .is_some_and(|m| m.contains("active-backup"));
    for slave in &b.slaves {
        let iface = host.interface_mut(&slave.name, None);
        iface.kind = InterfaceKind::BondSlave;
        iface.master.get_or_insert_with(|| bond.to_string());
        // `ip -d` state (per slave, any mode) wins over the active-backup reading.
        if iface.bond_role.is_none() && active_backup {
            iface.bond_role = Some(
                if b.currently_active_slave.as_deref() == Some(slave.name.as_str()) {
                    BondRole::Active
                } else {
                    BondRole::Backup
                },
            );
        }
    }
}
