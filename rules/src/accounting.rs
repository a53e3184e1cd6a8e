//! Every non-zero loss counter is either reported by a finding or explained as benign: the
//! report may say "no packet loss found" only when this list is empty, and otherwise says what
//! was seen and why it is not a problem (DESIGN.md, principle one).
//!
//! The list is built from the latest reading of each interface's generic counters, of its
//! `ethtool -S` ring and PHY counters, of each CPU's softnet backlog drops, and of the layers
//! above the NIC (`stack`: protocol counters, qdisc drops, conntrack drops), after the rules
//! ran. A counter is *reported* when a finding of a rule that reads it names the device (or
//! lists it in `seen_on`); otherwise it gets the first reason that applies.

use crate::catalog::nic_phy_errors::is_phy_counter;
use crate::catalog::nic_rx_ring_overflow::is_ring_counter;
use crate::catalog::{is_backup_slave, lower_devices, quiet_interface};
use crate::finding::Finding;
use crate::infer::latest;
use crate::model::{Host, Interface, InterfaceKind};

mod stack;

/// The record this module fills, part of the host model.
pub use ::model::loss::LossCounter;

/// The reason given when nothing explains a counter. No input in `testdata/` may produce it
/// (tests/it/accounting.rs): it marks a gap in the rule catalog.
pub const NOT_JUDGED: &str = "no rule judges this counter";

/// Which rules report an `ethtool -S` counter, for the names that count lost or failed
/// frames: the ring and PHY counters by their rules, the cloud allowances, and any other name
/// with a word starting `drop`, `discard`, `err`, `miss` or `fifo` (or `no_buf`,
/// `out_of_buffer`) by the rules of its direction. `None` for the other names.
fn driver_rules(name: &str, driver: Option<&str>) -> Option<&'static [&'static str]> {
    if is_ring_counter(name, driver) {
        return Some(&["nic-rx-ring-overflow"]);
    }
    if is_phy_counter(name) {
        return Some(&["nic-phy-errors"]);
    }
    if name.ends_with("_allowance_exceeded") {
        return Some(&["cloud-allowance-exceeded"]);
    }
    // By word, so that `tx_unmask_interrupt` is no error counter.
    let n = name.to_ascii_lowercase();
    let loss = n.contains("no_buf")
        || n.contains("out_of_buffer")
        || n.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            ["drop", "discard", "err", "miss", "fifo"]
                .iter()
                .any(|p| w.starts_with(p))
        });
    if !loss {
        return None;
    }
    Some(if n.contains("tx") {
        &["tx-queue-drop", "tap-tx-drop", "nic-tx-errors"]
    } else {
        &[
            "rx-dropped-unhandled",
            "nic-rx-ring-overflow",
            "nic-phy-errors",
            "bond-backup-slave-drops",
            "softnet-backlog-drop",
        ]
    })
}

/// Which rules report a generic counter.
fn rules_for(counter: &str) -> &'static [&'static str] {
    match counter {
        "rx_missed_errors" | "rx_over_errors" | "rx_fifo_errors" => &["nic-rx-ring-overflow"],
        "rx_crc_errors" | "rx_frame_errors" | "rx_length_errors" => &["nic-phy-errors"],
        "proc_rx_frame" => &["nic-phy-errors", "nic-rx-ring-overflow"],
        "rx_errors" | "netstat_rx_err" => &["nic-rx-ring-overflow", "nic-phy-errors"],
        "rx_dropped" | "rx_nohandler" | "rx_otherhost_dropped" => &[
            "rx-dropped-unhandled",
            "bond-backup-slave-drops",
            "softnet-backlog-drop",
            "nic-rx-ring-overflow",
        ],
        "proc_rx_drop" => &[
            "rx-dropped-unhandled",
            "bond-backup-slave-drops",
            "nic-rx-ring-overflow",
            "softnet-backlog-drop",
        ],
        "tx_dropped" => &["tx-queue-drop", "tap-tx-drop"],
        "tx_errors"
        | "tx_fifo_errors"
        | "tx_carrier_errors"
        | "tx_aborted_errors"
        | "tx_window_errors"
        | "tx_heartbeat_errors"
        | "proc_tx_carrier" => &["nic-tx-errors"],
        _ => &[],
    }
}

/// Is this generic counter key one that counts lost or failed packets? Every key with `drop`,
/// `err`, `missed`, `fifo` or `over` in its name (the words the report's interface table
/// highlights) or a carrier error column; `carrier_changes` counts link flaps, not packets.
pub fn is_loss_key(key: &str) -> bool {
    key != "carrier_changes"
        && (["drop", "err", "missed", "fifo", "over"]
            .iter()
            .any(|w| key.contains(w))
            || key == "proc_tx_carrier")
}

fn reported(findings: &[Finding], rules: &[&str], subject: &str) -> Option<&'static str> {
    findings
        .iter()
        .find(|f| {
            rules.contains(&f.rule)
                && (f.subject == subject || f.seen_on.iter().any(|s| s == subject))
        })
        .map(|f| f.rule)
}

/// Why a counter with no finding is not a problem: the first reason that applies, most
/// specific first, so the reader sees the cause rather than a generic note.
fn reason(host: &Host, iface: &Interface, counter: &str, value: u64) -> String {
    not_a_fault(host, iface, counter)
        .or_else(|| counted_on_another_device(host, iface, counter, value))
        .or_else(|| counted_before_the_capture(iface, counter))
        .or_else(|| {
            matches!(counter, "rx_errors" | "tx_errors" | "netstat_rx_err")
                .then(|| "the sum of the error breakdown, whose counters are listed apart".into())
        })
        .unwrap_or_else(|| NOT_JUDGED.into())
}

/// Counters that grow by design on this device: a loopback or idle interface, a bond's
/// inactive slave, frames for another host, and receive drops that are the CPU backlog's
/// (`softnet-backlog-drop` reports those).
fn not_a_fault(host: &Host, iface: &Interface, counter: &str) -> Option<String> {
    if iface.kind == InterfaceKind::Loopback {
        return Some("loopback: not a network link".into());
    }
    if quiet_interface(iface) {
        return Some("interface down and idle".into());
    }
    let rx_drop = matches!(counter, "rx_dropped" | "rx_nohandler" | "proc_rx_drop")
        || (counter.contains("rx") && counter.contains("drop"));
    if is_backup_slave(iface) && rx_drop {
        return Some(
            "inactive bond slave: a bond drops frames on its inactive ports by design".into(),
        );
    }
    if counter == "rx_otherhost_dropped" {
        return Some("frames addressed to another host's MAC (or a VLAN with no device here): not for this host"
            .into());
    }
    if matches!(counter, "rx_dropped" | "proc_rx_drop")
        && host
            .findings
            .iter()
            .any(|f| f.rule == "softnet-backlog-drop")
    {
        return Some(
            "the CPU backlog drops (softnet-backlog-drop) are counted in rx_dropped too".into(),
        );
    }
    None
}

/// Loss that another device counted first and is reported there: a veth's receive drops are
/// its peer's transmit drops, and a bond or team adds up its slaves' counters.
fn counted_on_another_device(
    host: &Host,
    iface: &Interface,
    counter: &str,
    value: u64,
) -> Option<String> {
    if let Some(peer) = crate::catalog::counters::veth_peer(host, iface) {
        let peer_tx = latest(peer).and_then(|c| c.get("tx_dropped")).copied();
        if counter == "rx_dropped" && peer_tx.is_some_and(|t| t > 0) {
            return Some(format!(
                "frames its veth peer {} could not hand over (too long for this end's MTU, or its backlog full): reported there as TX drops",
                peer.name
            ));
        }
    }
    let lower = lower_devices(host, iface);
    if lower.is_empty() {
        return None;
    }
    let below: u64 = lower
        .iter()
        .filter_map(|l| latest(l).and_then(|c| c.get(counter)))
        .sum();
    // Slaves read a moment apart from the bond may lag it by a little.
    if (below as f64) < 0.99 * value as f64 {
        return None;
    }
    let names: Vec<&str> = lower.iter().map(|l| l.name.as_str()).collect();
    Some(format!(
        "counted on its slaves {} too: {} adds up their counters (reported there)",
        names.join(", "),
        iface.name
    ))
}

/// A counter the capture watched that did not grow: its value is loss from before the capture.
fn counted_before_the_capture(iface: &Interface, counter: &str) -> Option<String> {
    // Generic counters and `ethtool -S` names live in separate interval lists.
    let live = || {
        iface
            .deltas
            .iter()
            .chain(&iface.ethtool_deltas)
            .filter(|iv| iv.kind.is_live() && !iv.reset)
    };
    let iv = live().find(|iv| iv.deltas.contains_key(counter))?;
    let grew: u64 = live().filter_map(|iv| iv.deltas.get(counter)).sum();
    (grew == 0).then(|| {
        format!(
            "did not grow during the capture (from {}): counted before it",
            iv.start_source.as_deref().unwrap_or(&iv.series)
        )
    })
}

/// Fills `host.loss_counters` from the host's latest readings and its findings.
pub fn account(host: &mut Host) {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if let Some(sample) = iface.samples.iter().rev().find(|s| !s.approximate) {
            for (key, &value) in &sample.counters {
                let key = key.as_str();
                if value == 0 || !is_loss_key(key) {
                    continue;
                }
                let finding = reported(&host.findings, rules_for(key), &iface.name);
                out.push(LossCounter {
                    subject: iface.name.clone(),
                    counter: key.to_string(),
                    value,
                    source: sample.source.clone(),
                    finding,
                    reason: finding.is_none().then(|| reason(host, iface, key, value)),
                });
            }
        }
        if let Some(e) = iface.ethtool.last() {
            for (name, &value) in &e.stats {
                if value == 0 {
                    continue;
                }
                let Some(rules) = driver_rules(name, iface.driver.as_deref()) else {
                    continue;
                };
                let finding = reported(&host.findings, rules, &iface.name);
                out.push(LossCounter {
                    subject: iface.name.clone(),
                    counter: name.clone(),
                    value,
                    source: e.source.clone(),
                    finding,
                    reason: finding.is_none().then(|| reason(host, iface, name, value)),
                });
            }
        }
    }
    if let Some(s) = host.softnet.last() {
        for c in s.cpus.iter().filter(|c| c.dropped > 0) {
            let subject = format!("cpu{}", c.cpu);
            let finding = reported(&host.findings, &["softnet-backlog-drop"], &subject);
            out.push(LossCounter {
                subject,
                counter: "dropped".into(),
                value: c.dropped,
                source: s.source.clone(),
                finding,
                reason: finding.is_none().then(|| NOT_JUDGED.to_string()),
            });
        }
    }
    out.extend(stack::protocol(host));
    out.extend(stack::qdiscs(host));
    out.extend(stack::conntrack(host));
    host.loss_counters = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_counters_are_loss_counters_by_word() {
        assert_eq!(
            driver_rules("rx_no_buffer_count", Some("igb")),
            Some(&["nic-rx-ring-overflow"][..])
        );
        assert_eq!(
            driver_rules("rx_crc_errors", Some("igb")),
            Some(&["nic-phy-errors"][..])
        );
        // virtio's per-queue drops are the guest driver's, not a ring: judged by direction.
        assert_eq!(
            driver_rules("rx_queue_0_drops", Some("virtio_net")).map(|r| r[0]),
            Some("rx-dropped-unhandled")
        );
        assert_eq!(
            driver_rules("tx_errors", None).map(|r| r[0]),
            Some("tx-queue-drop")
        );
        // `interrupt` holds `err` but is no error counter; packet counters are not loss.
        assert_eq!(
            driver_rules("queue_0_tx_unmask_interrupt", Some("ena")),
            None
        );
        assert_eq!(driver_rules("rx_packets", Some("igb")), None);
    }

    use crate::model::{CounterSample, Qdisc};
    use crate::test_support::{add_protocol, HostBuilder};

    fn entry<'a>(host: &'a Host, subject: &str, counter: &str) -> &'a LossCounter {
        host.loss_counters
            .iter()
            .find(|l| l.subject == subject && l.counter == counter)
            .unwrap_or_else(|| panic!("{subject} {counter} not listed: {:#?}", host.loss_counters))
    }

    #[test]
    fn protocol_counters_map_to_their_rule_or_a_reason() {
        // Synthetic totals, one reading: each value is read back as written.
        let host = HostBuilder::new("h")
            .with(|h| {
                add_protocol(
                    h,
                    &[(
                        0,
                        &[
                            ("IpInReceives", 100_000),
                            ("IpInDiscards", 7),
                            ("IpOutNoRoutes", 3),
                            ("TcpExtIPReversePathFilter", 2124),
                            ("TcpExtListenOverflows", 0),
                            ("TcpExtTCPReqQFullDoCookies", 26),
                            ("UdpInErrors", 5),
                            ("UdpRcvbufErrors", 5),
                            ("UdpNoPorts", 107),
                            ("UdpInDatagrams", 4901),
                        ],
                    )],
                );
            })
            .judged();
        assert_eq!(
            entry(&host, "host", "TcpExtIPReversePathFilter").finding,
            Some("rp-filter-drop")
        );
        assert_eq!(
            entry(&host, "host", "TcpExtIPReversePathFilter").value,
            2124
        );
        assert_eq!(
            entry(&host, "host", "IpInDiscards").finding,
            Some("protocol-discards")
        );
        assert_eq!(
            entry(&host, "host", "UdpRcvbufErrors").finding,
            Some("udp-rcvbuf-errors")
        );
        // InErrors 5 = RcvbufErrors 5: explained by its part, not counted twice.
        let in_errors = entry(&host, "host", "UdpInErrors");
        assert_eq!(in_errors.finding, None);
        assert!(in_errors
            .reason
            .as_deref()
            .unwrap()
            .starts_with("the sum of UdpRcvbufErrors"));
        assert!(entry(&host, "host", "UdpNoPorts")
            .reason
            .as_deref()
            .unwrap()
            .contains("ICMP port unreachable"));
        assert!(entry(&host, "host", "IpOutNoRoutes")
            .reason
            .as_deref()
            .unwrap()
            .contains("got an error"));
        // Zero, and not-loss counters (cookies answered the connection) are not listed.
        for absent in [
            "TcpExtListenOverflows",
            "TcpExtTCPReqQFullDoCookies",
            "IpInReceives",
        ] {
            assert!(
                !host.loss_counters.iter().any(|l| l.counter == absent),
                "{absent}"
            );
        }
    }

    fn qdisc(
        dev: &str,
        kind: &str,
        handle: &str,
        parent: Option<&str>,
        sums: bool,
        kv: &[(&str, u64)],
    ) -> Qdisc {
        let mut q = Qdisc {
            dev: dev.into(),
            namespace: None,
            kind: kind.into(),
            handle: handle.into(),
            parent: parent.map(Into::into),
            sums_children: sums,
            counters: Default::default(),
            backlog: None,
        };
        q.counters.samples.push(CounterSample {
            time: None,
            source: "tc.txt:1".into(),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        });
        q
    }

    #[test]
    fn qdisc_drops_are_listed_per_qdisc_without_the_mq_root_and_conntrack_drops_by_name() {
        let host = HostBuilder::new("h")
            .with(|h| {
                // An mq root summing two fq_codel queues: 40 + 2 = 42 (CoDel AQM drops only).
                h.qdiscs.push(qdisc(
                    "eth0",
                    "mq",
                    "0:",
                    None,
                    true,
                    &[("dropped", 42), ("sent_packets", 9000)],
                ));
                h.qdiscs.push(qdisc(
                    "eth0",
                    "fq_codel",
                    "0:",
                    Some(":1"),
                    false,
                    &[
                        ("dropped", 40),
                        ("drop_overlimit", 0),
                        ("sent_packets", 5000),
                    ],
                ));
                h.qdiscs.push(qdisc(
                    "eth0",
                    "fq_codel",
                    "0:",
                    Some(":2"),
                    false,
                    &[
                        ("dropped", 2),
                        ("drop_overlimit", 0),
                        ("sent_packets", 4000),
                    ],
                ));
                h.conntrack.samples.push(CounterSample {
                    time: None,
                    source: "conntrack_-S:1".into(),
                    counters: [
                        ("drop", 3000),
                        ("early_drop", 105),
                        ("invalid", 4),
                        ("insert_failed", 0),
                    ]
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
                    approximate: false,
                });
            })
            .judged();
        let q1 = entry(&host, "eth0", "qdisc fq_codel 0: parent :1 dropped");
        assert_eq!(q1.value, 40);
        assert_eq!(q1.finding, Some("qdisc-drop"));
        assert_eq!(
            entry(&host, "eth0", "qdisc fq_codel 0: parent :2 dropped").value,
            2
        );
        assert!(!host
            .loss_counters
            .iter()
            .any(|l| l.counter.starts_with("qdisc mq")));
        let drop = entry(&host, "host", "conntrack drop");
        assert_eq!(
            (drop.value, drop.finding),
            (3000, Some("conntrack-table-full"))
        );
        // early_drop and invalid are not drops of the packet; zero is not listed.
        for absent in [
            "conntrack early_drop",
            "conntrack invalid",
            "conntrack insert_failed",
        ] {
            assert!(
                !host.loss_counters.iter().any(|l| l.counter == absent),
                "{absent}"
            );
        }
    }
}
