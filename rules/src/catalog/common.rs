//! What every rule file imports, and the only thing it imports from this crate
//! (`use super::common::*`): the model, finding, evidence, threshold and timeline items rules
//! use, and the helpers more than one rule needs. A rule never imports another rule: what two
//! rules share lives here, or in [`super::counters`] (counter growth) and `kernel_log` (log events), re-exported below.

pub(crate) use super::counters::{confirm_nstat, protocol_growth};
pub(crate) use super::counters::{
    counter_growth, cpu_growth, describe_included, ethtool_growth, has_counter, netns_note,
    own_growth, slaves_of, veth_peer,
};
pub(crate) use super::kernel_log::{
    by_subject, later, lines_of, lines_severity, log_events, log_evidence, log_finding, log_phrase,
    lower_bound, stand_on_log,
};
pub use super::{Chart, Mark, DROP_MARKS};
pub use crate::evidence::{
    confirm_ethtool, confirm_ip, confirm_softnet, describe, drop_severity, fmt_count, fmt_num,
    fmt_pct, growth, stand_on, Basis, Growth,
};
pub use crate::finding::{Evidence, Finding, Rule, Severity};
pub use crate::model::{
    cmp_time, BondRole, CpuSample, EthtoolSample, Host, Interface, InterfaceKind, IpvsSample,
    LogEvent, LogMessage, PerCpuInterval, Ring, SocketInfo, SoftnetInterval, Timestamp,
};
pub use crate::path::{Stage, StageId};
pub use crate::thresholds::*;
pub use crate::timeline::{seconds_between, series_of};

/// Interfaces that never deserve a warning: `lo`, and interfaces that are down and idle.
pub fn quiet_interface(iface: &Interface) -> bool {
    if iface.kind == InterfaceKind::Loopback {
        return true;
    }
    let down = iface.state.as_deref().is_some_and(|s| s == "DOWN");
    let idle = iface.samples.iter().all(|s| {
        s.counters.get("rx_packets").copied().unwrap_or(0) == 0
            && s.counters.get("tx_packets").copied().unwrap_or(0) == 0
    });
    down && idle
}

/// An inactive bond slave: it drops what it receives by design (`bond-backup-slave-drops`
/// explains it), so no other interface rule judges it.
pub fn is_backup_slave(iface: &Interface) -> bool {
    iface.bond_role == Some(BondRole::Backup)
}

/// A bond whose receive drops are all explained by its backup slaves (frames those drop by
/// design are counted on the bond too).
pub fn bond_drops_from_backups(host: &Host, bond: &Interface) -> bool {
    if bond.kind != InterfaceKind::Bond {
        return false;
    }
    let backups: Vec<&Interface> = host
        .interfaces
        .iter()
        .filter(|i| i.master.as_deref() == Some(bond.name.as_str()) && is_backup_slave(i))
        .collect();
    !backups.is_empty()
}

/// The devices whose counters a device adds up into its own: a bond's or team's slaves
/// (`bond_get_stats()` and `team_get_stats64()` sum them). A VLAN or bridge device keeps
/// counters of its own (`vlan_dev_get_stats64()` and `br_get_stats64()` read only the
/// device's per-CPU statistics), so it has none.
pub fn lower_devices<'a>(host: &'a Host, iface: &Interface) -> Vec<&'a Interface> {
    if !crate::infer::is_bond_like(iface) {
        return Vec::new();
    }
    host.interfaces
        .iter()
        .filter(|i| {
            i.master.as_deref() == Some(iface.name.as_str()) && i.namespace == iface.namespace
        })
        .collect()
}

/// How a finding names a socket `ss` showed: `0.0.0.0:8080 (java, pid 1234)`, or the address
/// alone without `ss -p`.
pub fn socket_name(s: &SocketInfo) -> String {
    match (&s.process, s.pid) {
        (Some(p), Some(pid)) => format!("{} ({p}, pid {pid})", s.local),
        (Some(p), None) => format!("{} ({p})", s.local),
        _ => s.local.clone(),
    }
}

/// The latest value of a sysctl, shown in remediation.
pub fn sysctl<'a>(host: &'a Host, key: &str) -> Option<&'a str> {
    host.sysctl.get(key).map(String::as_str)
}

/// The latest value of a numeric sysctl (`net.core.netdev_budget`), when it parses.
pub fn sysctl_u64(host: &Host, key: &str) -> Option<u64> {
    sysctl(host, key).and_then(|v| v.trim().parse::<u64>().ok())
}

/// The interface's `txqueuelen` as evidence, read where its latest counters were: the
/// remediation of the rules that judge TX drops proposes a value relative to it.
pub fn txqueuelen_evidence(iface: &Interface) -> Option<Evidence> {
    let q = iface.qlen?;
    Some(Evidence {
        source: iface
            .samples
            .last()
            .map(|s| s.source.clone())
            .unwrap_or_default(),
        start: None,
        end: iface.samples.last().and_then(|s| s.time),
        metric: "txqueuelen".into(),
        value: Some(q as f64),
        delta: None,
        rate: None,
        basis: "snapshot",
    })
}

/// tap/vnet/tun/macvtap devices by kind or, when the kind is unknown, by name. Their TX is a
/// guest's RX, so only `tap-tx-drop` judges them.
pub fn is_tap(iface: &Interface) -> bool {
    iface.kind == InterfaceKind::Tap
        || (iface.kind != InterfaceKind::Tunnel
            && ["tap", "vnet", "tun", "macvtap"]
                .iter()
                .any(|p| iface.name.starts_with(p)))
}

/// Driver counters of ring (host buffer) exhaustion or NIC buffer overflow, by exact name.
const RING_COUNTERS: [&str; 22] = [
    "rx_no_buffer_count",
    "rx_no_dma_resources",
    "rx_out_of_buffer",
    "rx_discards_phy",
    "rx_missed_errors",
    "rx_fifo_errors",
    "port.rx_discards",
    "port.rx_dropped",
    "rx_total_ring_discards",
    "rx_brb_discard",
    "rxbds_empty",
    "rx_discards",
    "rx_no_bufs",
    "rx_drops_no_pbuf",
    "rx_drops_no_erx_descr",
    "port_rx_nodesc_drops",
    "port_rx_overflow",
    "no_buff_discards",
    "brb_discards",
    "outbound_pci_buffer_overflow",
    "rx_dropped.nic",
    "dev_out_of_buffer",
];

/// Is this `ethtool -S` name a ring/FIFO overflow counter for this driver? `nic-rx-ring-overflow`
/// judges these; `rx-dropped-unhandled` leaves the drops they explain to it.
pub fn is_ring_counter(name: &str, driver: Option<&str>) -> bool {
    if RING_COUNTERS.contains(&name) {
        return true;
    }
    // bnxt/bnx2x per-ring `[0]: rx_discards`, be2net `rxq0: rx_drops_no_frags`.
    if name.ends_with(": rx_discards") || name.ends_with(": rx_drops_no_frags") {
        return true;
    }
    // vmxnet3 per-queue (keys qualified by the parser: `Rx Queue#0/pkts rx OOB`).
    if name.ends_with("pkts rx OOB") || name.ends_with("pkts rx out of buf") {
        return true;
    }
    // igb `rx_queue_N_drops` counts the hardware queue drop register (RQDPC); virtio_net
    // uses the same name for drops *inside the guest driver*, which are not ring overflow.
    if name.starts_with("rx_queue_") && name.ends_with("_drops") {
        return driver != Some("virtio_net");
    }
    false
}

/// Adds growths of distinct counters (IPv4 and IPv6 UDP errors, the qdiscs of one device) into
/// one. Only the parts on the strongest time basis count (live before since-boot before an
/// unknown window): a live delta and a total since boot cannot be added. The window is the
/// longest part's; the peak rate is the highest part's (a lower bound of the summed peak).
pub fn sum_growths(parts: Vec<Growth>) -> Option<Growth> {
    let basis = parts.iter().map(|g| g.basis).max()?;
    let mut sum = Growth::new(basis);
    for g in parts.into_iter().filter(|g| g.basis == basis) {
        sum.total += g.total;
        sum.traffic += g.traffic;
        sum.seconds = max_opt(sum.seconds, g.seconds);
        sum.peak_rate = max_opt(sum.peak_rate, g.peak_rate);
        sum.history = match (sum.history, g.history) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        sum.evidence.extend(g.evidence);
        sum.windows.extend(g.windows);
        sum.room = sum.room.or(g.room);
    }
    Some(sum)
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// The command that doubles the NAPI budget (`net.core.netdev_budget` and
/// `netdev_budget_usecs`, from their current values or the kernel defaults 300 and 2000), its
/// comment naming the values now and then `why` (`: lets each poll …`, `; persist …`).
pub fn double_netdev_budget(host: &Host, why: &str) -> String {
    let budget = sysctl_u64(host, "net.core.netdev_budget");
    let usecs = sysctl_u64(host, "net.core.netdev_budget_usecs");
    format!(
        "sysctl -w net.core.netdev_budget={} net.core.netdev_budget_usecs={}   # {}{why}",
        budget.unwrap_or(300) * 2,
        usecs.unwrap_or(2000) * 2,
        now_or_default(&[
            ("net.core.netdev_budget", budget, 300),
            ("net.core.netdev_budget_usecs", usecs, 2000),
        ])
    )
}

/// Settings' current values as a remediation names them: `now 300 and 2000`, or, where the
/// data does not hold them, the kernel defaults and the command that reads them. A page never
/// prints "unknown" as if it were a value. `settings`: (sysctl name, value read, default).
pub fn now_or_default(settings: &[(&str, Option<u64>, u64)]) -> String {
    let known: Vec<String> = settings
        .iter()
        .filter_map(|(_, v, _)| v.map(|v| v.to_string()))
        .collect();
    let missing: Vec<&(&str, Option<u64>, u64)> =
        settings.iter().filter(|(_, v, _)| v.is_none()).collect();
    let names = |of: &[&(&str, Option<u64>, u64)]| {
        of.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(" ")
    };
    let defaults = |of: &[&(&str, Option<u64>, u64)]| {
        of.iter()
            .map(|(_, _, d)| d.to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if missing.is_empty() {
        return format!("now {}", known.join(" and "));
    }
    let one = missing.len() == 1;
    let unread = format!(
        "{} not in the data (sysctl {} shows {}; kernel default{} {})",
        if one {
            "current value"
        } else {
            "current values"
        },
        names(&missing),
        if one { "it" } else { "them" },
        if one { "" } else { "s" },
        defaults(&missing)
    );
    if known.is_empty() {
        return unread;
    }
    let read: Vec<&(&str, Option<u64>, u64)> =
        settings.iter().filter(|(_, v, _)| v.is_some()).collect();
    format!("{} now {}; {}", names(&read), known.join(" and "), unread)
}

#[cfg(test)]
mod now_or_default_tests {
    use super::now_or_default;

    #[test]
    fn values_read_are_named_and_missing_ones_say_how_to_read_them() {
        let budget = "net.core.netdev_budget";
        let usecs = "net.core.netdev_budget_usecs";
        assert_eq!(
            now_or_default(&[(budget, Some(300), 300), (usecs, Some(2000), 2000)]),
            "now 300 and 2000"
        );
        assert_eq!(
            now_or_default(&[(budget, None, 300), (usecs, None, 2000)]),
            "current values not in the data (sysctl net.core.netdev_budget net.core.netdev_budget_usecs shows them; kernel defaults 300 and 2000)"
        );
        assert_eq!(
            now_or_default(&[(budget, Some(600), 300), (usecs, None, 2000)]),
            "net.core.netdev_budget now 600; current value not in the data (sysctl net.core.netdev_budget_usecs shows it; kernel default 2000)"
        );
    }
}
