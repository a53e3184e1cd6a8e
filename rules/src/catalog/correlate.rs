//! Findings in relation to each other: loss reported once, on the device that lost it
//! (`attribute`); findings that explain each other say so (`correlate`); and every finding
//! states the time basis of its evidence (`fill_basis`).

use super::common::lower_devices;
use crate::finding::{Finding, Severity};
use crate::model::{Host, Interface};

/// Gives a finding whose rule did not set a basis the one its evidence implies.
pub(super) fn fill_basis(findings: &mut [Finding]) {
    for f in findings {
        if f.basis.is_empty() {
            f.basis = basis_from_evidence(f);
        }
    }
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
pub(super) fn attribute(host: &Host, findings: &mut Vec<Finding>) {
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
pub(super) fn correlate(findings: &mut [Finding]) {
    let present = |id: &str, f: &[Finding]| {
        f.iter()
            .any(|x| x.rule == id && x.severity != Severity::Info)
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
    listeners(findings);
    resets(findings);
}

/// `syn-flood` and `tcp-listen-overflow` are the same listeners seen by the log and by the
/// counters: each says so, whatever their severity (cookies alone are info, and still name
/// the port the counters cannot).
fn listeners(findings: &mut [Finding]) {
    let ports: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == "syn-flood")
        .map(|f| f.subject.clone())
        .collect();
    if ports.is_empty() || !findings.iter().any(|f| f.rule == "tcp-listen-overflow") {
        return;
    }
    for f in findings.iter_mut() {
        match f.rule {
            "syn-flood" => {
                f.related.push("tcp-listen-overflow");
                f.summary.push_str(" The listen counters overflowed too (tcp-listen-overflow): the backlog of this listener is the first thing to raise.");
            }
            "tcp-listen-overflow" => {
                f.related.push("syn-flood");
                f.summary.push_str(&format!(
                    " The kernel log names the listener(s): Possible SYN flooding on {} (syn-flood).",
                    ports.join(", ")
                ));
            }
            _ => {}
        }
    }
}

/// A transmit timeout resets the adapter, and the link goes down and up with it: a
/// `link-flap` on an interface with a `nic-tx-timeout` says the flaps may be those resets.
fn resets(findings: &mut [Finding]) {
    let subjects = |id: &str, f: &[Finding]| -> Vec<String> {
        f.iter()
            .filter(|x| x.rule == id)
            .map(|x| x.subject.clone())
            .collect()
    };
    let reset = subjects("nic-tx-timeout", findings);
    let flapped = subjects("link-flap", findings);
    for f in findings.iter_mut() {
        if f.rule == "link-flap" && reset.contains(&f.subject) {
            f.related.push("nic-tx-timeout");
            f.summary.push_str(" This interface also had transmit timeouts (nic-tx-timeout): a driver's reset takes the link down and up, so some of these flaps may be those resets rather than the cable or switch.");
        } else if f.rule == "nic-tx-timeout" && flapped.contains(&f.subject) {
            f.related.push("link-flap");
            f.summary.push_str(" Its link flapped too (link-flap): the resets, or a link partner problem behind both.");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::{Finding, Severity};
    use crate::model::{Host, InterfaceKind};
    use crate::test_support::HostBuilder;

    fn find<'a>(host: &'a Host, rule: &str, subject: &str) -> Option<&'a Finding> {
        host.findings
            .iter()
            .find(|f| f.rule == rule && f.subject == subject)
    }

    #[test]
    fn a_bonds_own_tx_drops_are_not_folded_into_a_slave() {
        // bond0 dropped 10 M on transmit, its slaves 5 M and 0: 5 M are the bond's own.
        let mut b = HostBuilder::new("h");
        for (name, kind, drop, tx) in [
            ("bond0", InterfaceKind::Bond, 10_000_000u64, 300_000_000u64),
            ("eth0", InterfaceKind::Physical, 5_000_000, 200_000_000),
            ("eth1", InterfaceKind::Physical, 0, 100_000_000),
        ] {
            let reading = [("tx_dropped", drop), ("rx_packets", tx), ("tx_packets", tx)];
            b = b.interface(name, kind, &[(0, &reading)]);
        }
        let host = b.judged();
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
        let mut b = HostBuilder::new("h");
        for (name, kind, fifo, rx) in [
            ("bond0", InterfaceKind::Bond, 12u64, 400u64),
            ("eth0", InterfaceKind::BondSlave, 6, 200),
            ("eth1", InterfaceKind::BondSlave, 6, 200),
        ] {
            let (before, after) = (
                [("rx_fifo_errors", 0), ("rx_packets", 0)],
                [("rx_fifo_errors", fifo), ("rx_packets", rx)],
            );
            b = b.interface(name, kind, &[(0, &before), (10, &after)]);
            if name != "bond0" {
                b = b.with(|h| h.interface_mut(name, None).master = Some("bond0".into()));
            }
        }
        let host = b.judged();
        let bond = find(&host, "nic-rx-ring-overflow", "bond0").expect("bond0 kept");
        assert_eq!(bond.severity, Severity::Critical);
    }

    #[test]
    fn log_findings_name_the_findings_they_explain() {
        use crate::model::{LogEvent, LogMessage};
        use crate::test_support::{add_protocol, log};
        // Synthetic: 600 accept-queue overflows since the counters started, SYNs dropped on
        // port 80; eth0 timed out and its link went down twice.
        let host = HostBuilder::new("h")
            .with(|h| {
                add_protocol(h, &[(0, &[("TcpExtListenOverflows", 600)])]);
                h.kernel_log = vec![
                    LogEvent {
                        detail: Some("Dropping request".into()),
                        ..log(LogMessage::SynFlood, "80", 1, 0, 0)
                    },
                    log(LogMessage::TxTimeout, "eth0", 1, 100, 100),
                    log(LogMessage::LinkDown, "eth0", 2, 100, 900),
                    log(LogMessage::LinkUp, "eth0", 2, 104, 904),
                ];
            })
            .judged();
        let syn = find(&host, "syn-flood", "port 80").unwrap();
        assert_eq!(syn.related, ["tcp-listen-overflow"]);
        let listen = find(&host, "tcp-listen-overflow", "host").unwrap();
        assert!(
            listen
                .summary
                .contains("Possible SYN flooding on port 80 (syn-flood)"),
            "{}",
            listen.summary
        );
        assert_eq!(
            find(&host, "link-flap", "eth0").unwrap().related,
            ["nic-tx-timeout"]
        );
        assert_eq!(
            find(&host, "nic-tx-timeout", "eth0").unwrap().related,
            ["link-flap"]
        );
    }
}
