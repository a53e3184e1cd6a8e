//! The rule catalog: one file per rule. Ids are a public contract (README lists them).
//!
//! [`run`] applies every rule to a host, links findings that explain each other, and sorts
//! them by severity, then impact.

use crate::finding::{Finding, Rule};
use crate::model::{BondRole, Host, Interface, InterfaceKind};

pub mod bond_backup_slave_drops;
pub mod cloud_allowance_exceeded;
pub mod counters;
pub mod cpu_steal;
pub mod ipvs_conn_table_small;
pub mod nic_phy_errors;
pub mod nic_rx_ring_overflow;
pub mod nic_tx_errors;
pub mod rx_dropped_unhandled;
pub mod softirq_single_cpu;
pub mod softnet_backlog_drop;
pub mod softnet_time_squeeze;
pub mod tap_tx_drop;
pub mod tx_queue_drop;

/// Every rule, in the order their findings are listed at equal severity and impact.
pub fn all() -> [&'static Rule; 13] {
    [
        &nic_rx_ring_overflow::RULE,
        &softnet_backlog_drop::RULE,
        &softnet_time_squeeze::RULE,
        &tap_tx_drop::RULE,
        &cpu_steal::RULE,
        &softirq_single_cpu::RULE,
        &ipvs_conn_table_small::RULE,
        &nic_phy_errors::RULE,
        &rx_dropped_unhandled::RULE,
        &bond_backup_slave_drops::RULE,
        &tx_queue_drop::RULE,
        &cloud_allowance_exceeded::RULE,
        &nic_tx_errors::RULE,
    ]
}

/// Judges one host: infers what the data implies but does not say (`infer`), runs the
/// catalog, and accounts for every non-zero loss counter (`accounting`).
pub fn judge(host: &mut Host) {
    crate::infer::infer(host);
    host.findings = run(host);
    crate::accounting::account(host);
}

/// Runs the catalog over one host.
pub fn run(host: &Host) -> Vec<Finding> {
    let rules = all();
    let mut findings: Vec<Finding> = rules.iter().flat_map(|r| (r.check)(host)).collect();
    attribute(host, &mut findings);
    correlate(&mut findings);
    for f in &mut findings {
        if f.basis.is_empty() {
            f.basis = basis_from_evidence(f);
        }
    }
    // Interface names come from the customer's data and may hold shell metacharacters
    // (`$(reboot)` is a valid 9-character name): a command naming one is not pasteable as is.
    let unsafe_names: Vec<&str> = host
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .filter(|n| !is_shell_safe(n))
        .collect();
    for f in &mut findings {
        for r in &mut f.remediation {
            if !is_command(r) {
                *r = format!("# {r}");
            } else if !r.starts_with('#') && unsafe_names.iter().any(|n| r.contains(n)) {
                *r = format!("# (quote the interface name before running this) {r}");
            }
        }
    }
    let order = |id: &str| rules.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.impact.total_cmp(&a.impact))
            .then(order(a.rule).cmp(&order(b.rule)))
            .then(a.subject.cmp(&b.subject))
    });
    findings
}

/// Characters that never need shell quoting in an interface name.
pub fn is_shell_safe(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b'-' | b'@' | b':' | b'+' | b'=' | b',')
        })
}

/// Remediation lines are either commands/config lines a customer can paste, or advice; advice
/// is turned into a `# ` comment so a block of remediation stays pasteable into a shell.
fn is_command(line: &str) -> bool {
    const COMMANDS: [&str; 21] = [
        "#",
        "for",
        "bridge",
        "ethtool",
        "ip",
        "sysctl",
        "grep",
        "echo",
        "tc",
        "ipvsadm",
        "tcpdump",
        "virsh",
        "nmcli",
        "cat",
        "modprobe",
        "options",
        "systemctl",
        "taskset",
        "lsmod",
        "irqbalance",
        "sar",
    ];
    let first = line.split_whitespace().next().unwrap_or("");
    COMMANDS.contains(&first) || first.starts_with('#') || first.starts_with('/')
}

/// The basis of a finding whose rule did not set one, from its evidence: any interval or sar
/// rate makes it live; else a since-boot average; else a state read once.
fn basis_from_evidence(f: &Finding) -> &'static str {
    let has = |b: &str| f.evidence.iter().any(|e| e.basis == b);
    if has("interval") || has("reported") {
        "live"
    } else if has("since-boot") {
        "since-boot"
    } else {
        "snapshot"
    }
}

/// Rules about one device's counters, where a bond or team shows the same loss as the slave
/// below it.
///
/// Only rules that judge the bond's whole counter: `tx-queue-drop`, `rx-dropped-unhandled` and
/// `nic-tx-errors` already judge a bond on its own share, beyond its slaves' (`own_growth`).
const STACKED_RULES: [&str; 2] = ["nic-rx-ring-overflow", "nic-phy-errors"];

/// How many stacked layers sit below a device (0 for a device with nothing below it).
fn height(host: &Host, iface: &Interface, depth: usize) -> usize {
    if depth > 8 {
        return depth;
    }
    lower_devices(host, iface)
        .iter()
        .map(|l| 1 + height(host, l, depth + 1))
        .max()
        .unwrap_or(0)
}

/// Every device below a stacked one, transitively.
fn all_below<'a>(host: &'a Host, iface: &Interface, out: &mut Vec<&'a Interface>) {
    for l in lower_devices(host, iface) {
        if out.len() < 64 && !out.iter().any(|o| std::ptr::eq(*o, l)) {
            out.push(l);
            all_below(host, l, out);
        }
    }
}

/// Reports loss once, on the device that lost it: a finding on a bond or team whose total the
/// same rule's findings on its slaves account for is folded into those, which say "seen on
/// bond1 too" (`bond_get_stats()` adds up the slaves' counters).
fn attribute(host: &Host, findings: &mut Vec<Finding>) {
    let iface_of = |f: &Finding| host.interfaces.iter().find(|i| i.name == f.subject);
    let mut order: Vec<(usize, usize)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| STACKED_RULES.contains(&f.rule))
        .filter_map(|(i, f)| {
            let h = height(host, iface_of(f)?, 0);
            (h > 0).then_some((h, i))
        })
        .collect();
    order.sort();
    let mut folded = vec![false; findings.len()];
    for (_, i) in order {
        let Some(upper) = iface_of(&findings[i]) else {
            continue;
        };
        let mut below = Vec::new();
        all_below(host, upper, &mut below);
        let names: Vec<&str> = below.iter().map(|b| b.name.as_str()).collect();
        let matching: Vec<usize> = (0..findings.len())
            .filter(|&j| {
                j != i
                    && !folded[j]
                    && findings[j].rule == findings[i].rule
                    && findings[j].basis == findings[i].basis
                    && names.contains(&findings[j].subject.as_str())
            })
            .collect();
        let sum: f64 = matching.iter().map(|&j| findings[j].total).sum();
        if matching.is_empty() || sum < 0.99 * findings[i].total {
            continue;
        }
        // A bond that is more severe than each of its slaves (live loss spread thinly over
        // them) keeps its own finding: folding it would lower what the report says.
        let worst_below = matching.iter().map(|&j| findings[j].severity).min();
        if worst_below.is_some_and(|w| findings[i].severity < w) {
            continue;
        }
        folded[i] = true;
        let upper_name = findings[i].subject.clone();
        for j in matching {
            let f = &mut findings[j];
            f.seen_on.push(upper_name.clone());
            f.summary.push_str(&format!(
                " The same loss is counted on {upper_name} too, which adds up its slaves' counters."
            ));
        }
    }
    let mut k = 0;
    findings.retain(|_| {
        k += 1;
        !folded[k - 1]
    });
}

/// Findings that explain each other say so: tap drops with CPU steal (the guest's vCPU is
/// starved); ring overflow with softirq concentration or squeeze (spread the load first).
fn correlate(findings: &mut [Finding]) {
    let present = |id: &str, f: &[Finding]| {
        f.iter()
            .any(|x| x.rule == id && x.severity != crate::finding::Severity::Info)
    };
    let steal = present("cpu-steal", findings);
    let tap = present("tap-tx-drop", findings);
    let single = present("softirq-single-cpu", findings);
    let squeeze = present("softnet-time-squeeze", findings);
    for f in findings.iter_mut() {
        match f.rule {
            "tap-tx-drop" if steal => {
                f.related.push("cpu-steal");
                f.summary.push_str(" CPU steal was also high in this data: the guest's vCPU is starved, so it cannot drain its queue.");
            }
            "cpu-steal" if tap => {
                f.related.push("tap-tx-drop");
                f.summary.push_str(" Tap/vnet TX drops on the host side are the network symptom of the same starvation.");
            }
            "nic-rx-ring-overflow" if single || squeeze => {
                if single {
                    f.related.push("softirq-single-cpu");
                }
                if squeeze {
                    f.related.push("softnet-time-squeeze");
                }
                f.summary.push_str(" The CPU draining the ring is itself saturated, so spreading the load comes before a bigger ring.");
                // Lead with the load-spreading steps.
                let (spread, rest): (Vec<String>, Vec<String>) =
                    f.remediation.drain(..).partition(|r| {
                        r.contains("ethtool -L")
                            || r.contains("affinity")
                            || r.contains("netdev_budget")
                            || r.contains("rps_cpus")
                    });
                f.remediation = spread.into_iter().chain(rest).collect();
            }
            _ => {}
        }
    }
}

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

/// The latest value of a sysctl, shown in remediation.
pub fn sysctl<'a>(host: &'a Host, key: &str) -> Option<&'a str> {
    host.sysctl.get(key).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_interface_names_are_not_pasteable() {
        assert!(is_shell_safe("eth0.100"));
        assert!(is_shell_safe("tapc18eb09e-01"));
        assert!(!is_shell_safe("$(reboot)"));
        assert!(!is_shell_safe("a'b"));
        assert!(!is_shell_safe("x|y"));
    }

    #[test]
    fn commands_naming_a_hostile_interface_are_commented_out() {
        use crate::model::{CounterSample, InterfaceKind, Timestamp};
        // Synthetic: a tap named `$(reboot)` (a valid Linux name) dropping heavily.
        let mut host = Host::new("h");
        let iface = host.interface_mut("$(reboot)", None);
        iface.kind = InterfaceKind::Tap;
        for (n, (d, p)) in [(0u64, 0u64), (50_000, 500_000)].into_iter().enumerate() {
            let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 10 * n as u32)
                .unwrap();
            iface.samples.push(CounterSample {
                time: Some(Timestamp::new(t, Some(0))),
                source: format!("c.log:{n}"),
                counters: [("tx_dropped".to_string(), d), ("tx_packets".to_string(), p)]
                    .into_iter()
                    .collect(),
                approximate: false,
            });
        }
        crate::timeline::compute(&mut host);
        let findings = run(&host);
        let tap = findings.iter().find(|f| f.rule == "tap-tx-drop").unwrap();
        for line in tap.remediation.iter().filter(|l| l.contains("$(reboot)")) {
            assert!(line.starts_with('#'), "pasteable: {line}");
        }
        assert!(tap.remediation.iter().any(|l| l.contains("$(reboot)")));
    }

    // --- Cases found in review (synthetic hosts, numbers chosen by hand). ---

    use crate::catalog::tx_queue_drop::tests::{add, at};
    use crate::model::{SoftnetCpu, SoftnetSample};

    fn judged(mut host: Host) -> Host {
        crate::timeline::compute(&mut host);
        judge(&mut host);
        host
    }

    fn find<'a>(host: &'a Host, rule: &str, subject: &str) -> Option<&'a Finding> {
        host.findings
            .iter()
            .find(|f| f.rule == rule && f.subject == subject)
    }

    #[test]
    fn a_bonds_own_tx_drops_are_not_folded_into_a_slave() {
        // bond0 dropped 10 M on transmit, its slaves 5 M and 0: 5 M are the bond's own.
        let mut host = Host::new("h");
        for (name, kind, drop, tx) in [
            ("bond0", InterfaceKind::Bond, 10_000_000u64, 300_000_000u64),
            ("eth0", InterfaceKind::Physical, 5_000_000, 200_000_000),
            ("eth1", InterfaceKind::Physical, 0, 100_000_000),
        ] {
            add(
                &mut host,
                name,
                kind,
                &[(
                    0,
                    &[("tx_dropped", drop), ("rx_packets", tx), ("tx_packets", tx)],
                )],
            );
        }
        let host = judged(host);
        let bond = find(&host, "tx-queue-drop", "bond0").expect("bond0's own share");
        assert_eq!(bond.total, 5_000_000.0);
        assert!(find(&host, "tx-queue-drop", "eth0")
            .unwrap()
            .seen_on
            .is_empty());
    }

    #[test]
    fn a_bond_more_severe_than_its_slaves_keeps_its_finding() {
        // Live: bond0 fifo +12 of 400 packets in 10 s (2.9 %: critical); each slave +6 of 200
        // (below the 10-event noise floor: info).
        let mut host = Host::new("h");
        for (name, kind, fifo, rx) in [
            ("bond0", InterfaceKind::Bond, 12u64, 400u64),
            ("eth0", InterfaceKind::BondSlave, 6, 200),
            ("eth1", InterfaceKind::BondSlave, 6, 200),
        ] {
            add(
                &mut host,
                name,
                kind,
                &[
                    (0, &[("rx_fifo_errors", 0), ("rx_packets", 0)]),
                    (10, &[("rx_fifo_errors", fifo), ("rx_packets", rx)]),
                ],
            );
            if name != "bond0" {
                host.interface_mut(name, None).master = Some("bond0".into());
            }
        }
        let host = judged(host);
        let bond = find(&host, "nic-rx-ring-overflow", "bond0").expect("bond0 kept");
        assert_eq!(bond.severity, crate::finding::Severity::Critical);
    }

    #[test]
    fn a_zero_since_boot_reading_does_not_hide_a_total_read_elsewhere() {
        // One source read fifo 0 with an uptime, another 5 000 000 without: the loss wins.
        let mut host = Host::new("h");
        host.uptime_seconds = Some(86_400);
        host.collected_at = at(0);
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(0, &[("rx_fifo_errors", 0), ("rx_packets", 1_000_000)])],
        );
        let iface = host.interface_mut("eth0", None);
        let mut other = iface.samples[0].clone();
        other.time = None;
        other.source = "proc/net/dev".into();
        other.counters.insert("rx_fifo_errors".into(), 5_000_000);
        iface.samples.push(other);
        let host = judged(host);
        let f = find(&host, "nic-rx-ring-overflow", "eth0").expect("finding");
        assert_eq!(f.total, 5_000_000.0);
        assert_eq!(f.basis, "unknown-window");
    }

    fn softnet(time: u32, dropped: u64) -> SoftnetSample {
        SoftnetSample {
            time: at(time),
            source: "capture.log:1".into(),
            cpu_ids_exact: true,
            cpus: vec![SoftnetCpu {
                cpu: 1,
                processed: 10_000_000,
                dropped,
                time_squeeze: 0,
                received_rps: None,
                flow_limit_count: None,
                backlog_len: None,
            }],
        }
    }

    #[test]
    fn softnet_readings_across_a_reset_still_report_the_latest_totals() {
        // 2 000 000 → 1 048 576 backlog drops: a reboot between the readings, no interval.
        let mut host = Host::new("h");
        host.softnet = vec![softnet(0, 2_000_000), softnet(10, 1_048_576)];
        host.softnet[1].cpus[0].processed = 5_000_000;
        let host = judged(host);
        let f = find(&host, "softnet-backlog-drop", "cpu1").expect("finding");
        assert_eq!(f.basis, "unknown-window");
        assert_eq!(f.total, 1_048_576.0);
    }

    #[test]
    fn two_different_readings_at_one_instant_are_an_ordered_pair() {
        // Two pastes of `ip -s -s link` under one `date`: missed 250 000 → 251 000.
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth2",
            InterfaceKind::Physical,
            &[
                (
                    0,
                    &[("rx_missed_errors", 250_000), ("rx_packets", 12_000_000)],
                ),
                (
                    0,
                    &[("rx_missed_errors", 251_000), ("rx_packets", 12_100_000)],
                ),
            ],
        );
        let host = judged(host);
        let f = find(&host, "nic-rx-ring-overflow", "eth2").expect("finding");
        assert_eq!(f.basis, "live");
        assert_eq!(f.total, 1000.0);
        assert!(f.summary.contains("between samples (times unknown)"));
    }

    #[test]
    fn otherhost_drops_are_accounted_with_their_reason() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(0, &[("rx_otherhost_dropped", 53), ("rx_packets", 1_000)])],
        );
        let host = judged(host);
        let l = &host.loss_counters[0];
        assert_eq!((l.counter.as_str(), l.value), ("rx_otherhost_dropped", 53));
        assert!(l
            .reason
            .as_deref()
            .unwrap()
            .starts_with("frames addressed to another host"));
    }

    #[test]
    fn a_few_backlog_drops_do_not_explain_millions_of_rx_dropped() {
        // eth0 drop column 5 000 000 of 20 000 000 packets; cpu1 dropped 2 since boot.
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[(
                0,
                &[
                    ("proc_rx_drop", 5_000_000),
                    ("rx_fifo_errors", 0),
                    ("rx_packets", 20_000_000),
                ],
            )],
        );
        host.softnet = vec![softnet(0, 2)];
        let host = judged(host);
        assert!(
            find(&host, "rx-dropped-unhandled", "eth0").is_some(),
            "{:#?}",
            host.findings
        );
    }

    #[test]
    fn a_bridge_port_that_drops_is_not_an_inactive_bond_slave() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "br0",
            InterfaceKind::Bridge,
            &[(0, &[("rx_packets", 10)])],
        );
        add(
            &mut host,
            "eth1",
            InterfaceKind::Physical,
            &[(0, &[("rx_dropped", 99_000), ("rx_packets", 100_000)])],
        );
        host.interface_mut("eth1", None).master = Some("br0".into());
        let host = judged(host);
        assert_eq!(host.interface("eth1").unwrap().bond_role, None);
        assert!(find(&host, "rx-dropped-unhandled", "eth1").is_some());
    }
}
