//! `nic-tx-errors`: the NIC failed to send frames (knowledge §1: `tx_errors` and its breakdown).
//! `tx_carrier_errors` (carrier lost while sending), `tx_aborted_errors` (excessive collisions),
//! `tx_window_errors` (late collisions) and `tx_heartbeat_errors` (SQE test) point to the link:
//! cable, transceiver, or a duplex mismatch with the switch port. `tx_fifo_errors` is a TX
//! FIFO underrun: the NIC could not fetch the frame from memory in time (DMA/PCIe pressure).
//! /proc/net/dev and ifconfig fold the first four into `carrier` (`proc_tx_carrier`).
//! Judged by the drop gate (`drop_severity`); a bond is judged on what its slaves do not
//! explain.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "nic-tx-errors",
    title: "The NIC failed to send frames (carrier, collision or FIFO errors)",
    default_severity: Severity::Warning,
    references: &[
        "include/uapi/linux/if_link.h: tx_errors, tx_carrier_errors, tx_aborted_errors, tx_window_errors, tx_heartbeat_errors, tx_fifo_errors",
        "ethtool(8): speed, duplex, autoneg",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. The NIC failed to send.
pub const STAGE: Stage = Stage::tx(StageId::Driver);

/// The breakdown (`ip -s -s link`), and the folded /proc/net/dev column used without it.
const LINK: [&str; 4] = [
    "tx_carrier_errors",
    "tx_aborted_errors",
    "tx_window_errors",
    "tx_heartbeat_errors",
];
const FOLDED: &str = "proc_tx_carrier";
const FIFO: &str = "tx_fifo_errors";

fn keys(iface: &Interface) -> Vec<&'static str> {
    let has = |k: &str| iface.samples.iter().any(|s| s.counters.contains_key(k));
    let mut keys: Vec<&'static str> = LINK.iter().copied().filter(|k| has(k)).collect();
    if keys.is_empty() && has(FOLDED) {
        keys.push(FOLDED);
    }
    if has(FIFO) {
        keys.push(FIFO);
    }
    if keys.is_empty() && has("tx_errors") {
        keys.push("tx_errors");
    }
    keys
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if quiet_interface(iface) || is_backup_slave(iface) {
            continue;
        }
        let keys = keys(iface);
        if keys.is_empty() {
            continue;
        }
        let Some(g) = own_growth(host, iface, &keys, &["tx_packets"]) else {
            continue;
        };
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        let grew = |k: &[&str]| counter_growth(iface, k, &[]).is_some_and(|f| f.total > 0.0);
        let fifo = keys.contains(&FIFO) && grew(&[FIFO]);
        let link_keys: Vec<&str> = keys.iter().copied().filter(|k| *k != FIFO).collect();
        let link = !link_keys.is_empty() && grew(&link_keys);
        let cause = match (link, fifo) {
            (true, true) => "carrier/collision errors point to the link (cable, transceiver, duplex mismatch); FIFO underruns to the NIC starving for memory bandwidth",
            (false, true) => "TX FIFO underruns: the NIC could not fetch frames from memory in time (DMA or PCIe pressure, power saving)",
            _ => "carrier or collision errors: the link failed while sending (cable, transceiver, switch port, or a duplex mismatch: collisions only exist at half duplex)",
        };
        let mut f = RULE.finding(
            severity,
            &iface.name,
            format!(
                "{}{} failed to send {}: {cause}.",
                iface.name,
                netns_note(iface),
                describe(&g, "frames"),
            ),
        );
        stand_on(&mut f, &g);
        let dev = &iface.name;
        f.remediation = vec![
            format!("ethtool {dev}   # Speed, Duplex and Auto-negotiation must match the switch port: half duplex on one side shows as collisions and carrier errors"),
            format!("Check the cable/DAC and the transceiver of {dev} and the switch port's error counters; reseat or replace them."),
            format!("ethtool -S {dev} | grep -iE 'tx_.*(err|abort|carrier|fifo|underrun)'   # the driver's own transmit error counters"),
        ];
        if !g.live() {
            f.remediation
                .push(confirm_ip(iface, "the TX error counters"));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::add;
    use crate::model::InterfaceKind;

    fn host(samples: &[(u32, &[(&str, u64)])]) -> Host {
        let mut host = Host::new("h");
        add(&mut host, "eth0", InterfaceKind::Physical, samples);
        crate::timeline::compute(&mut host);
        host
    }

    #[test]
    fn growing_carrier_errors_point_to_the_link() {
        // 600 carrier errors in 60 s (10/s) against 1 000 000 packets sent.
        let h = host(&[
            (
                0,
                &[
                    ("tx_carrier_errors", 100),
                    ("tx_fifo_errors", 0),
                    ("tx_packets", 0),
                ],
            ),
            (
                60,
                &[
                    ("tx_carrier_errors", 700),
                    ("tx_fifo_errors", 0),
                    ("tx_packets", 1_000_000),
                ],
            ),
        ]);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "live");
        assert!((f[0].impact - 10.0).abs() < 1e-9);
        assert!(f[0].summary.contains("carrier or collision errors"));
        assert!(f[0].remediation[0].starts_with("ethtool eth0"));
    }

    #[test]
    fn a_folded_carrier_column_read_once_is_judged_on_the_unknown_window() {
        // /proc/net/dev `carrier` 150 000 of 10 000 000 packets, no uptime: a warning (1.5 %).
        let h = host(&[(
            0,
            &[("proc_tx_carrier", 150_000), ("tx_packets", 10_000_000)],
        )]);
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "unknown-window");
        // Clean counters give nothing.
        assert!(check(&host(&[(0, &[("proc_tx_carrier", 0), ("tx_packets", 10)])])).is_empty());
    }
}
