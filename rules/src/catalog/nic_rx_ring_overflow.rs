//! `nic-rx-ring-overflow`: the NIC dropped frames because its RX ring or FIFO was full
//! (knowledge §10.3, §10.4, §6.3). Generic counters: ip `missed` (`rx_missed_errors`), old ip
//! `overrun` (`rx_over_errors`), RX `fifo` (`rx_fifo_errors`, also ifconfig `overruns` and the
//! /proc/net/dev fifo column). Driver counters from `ethtool -S` (igb `rx_no_buffer_count`,
//! ixgbe `rx_no_dma_resources`, mlx5 `rx_out_of_buffer`/`rx_discards_phy`, bnxt
//! `[N]: rx_discards`, vmxnet3 `pkts rx OOB`, …) are preferred when present, because drivers
//! disagree on which generic field a ring drop lands in (vmxnet3's in none).

use super::common::*;
// `accounting` names ring counters by this path.
pub use super::common::is_ring_counter;

pub static RULE: Rule = Rule {
    id: "nic-rx-ring-overflow",
    title: "The NIC dropped frames: its RX ring or FIFO was full",
    default_severity: Severity::Warning,
    references: &[
        "include/uapi/linux/if_link.h: rx_missed_errors, rx_fifo_errors, rx_over_errors",
        "Documentation/networking/scaling.rst (RSS, RPS, IRQ affinity)",
        "RHEL 8/9 docs: Increasing the ring buffer size to reduce a high packet drop rate",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. Ring and FIFO overflows: the adapter had no buffer for the frame.
pub const STAGE: Stage = Stage::rx(StageId::Nic);

/// Generic (rtnl) fields that count ring/FIFO overflow.
const GENERIC: [&str; 3] = ["rx_missed_errors", "rx_over_errors", "rx_fifo_errors"];

fn ring_keys(iface: &Interface) -> Vec<String> {
    let mut keys: Vec<String> = iface
        .ethtool
        .iter()
        .flat_map(|e| e.stats.keys())
        .filter(|k| is_ring_counter(k, iface.driver.as_deref()))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The stronger of generic and driver evidence: loss beats none, then live beats since-boot
/// beats an unknown window, then the larger total. Live growth of zero speaks only for the
/// counters it watched: a driver counter read once with millions is still reported on its own
/// basis, whereas live growth decides over a total of the same evidence kind.
fn best(a: Option<Growth>, b: Option<Growth>) -> Option<Growth> {
    match (a, b) {
        (Some(x), Some(y)) => {
            let rank = |g: &Growth| (g.total > 0.0, g.basis);
            if rank(&y) > rank(&x) || (rank(&y) == rank(&x) && y.total > x.total) {
                Some(y)
            } else {
                Some(x)
            }
        }
        (x, None) => x,
        (None, y) => y,
    }
}

/// The `ethtool -g` reading in effect while the counters grew: for live growth the latest; for
/// a total read once, the first reading (a paste of `ethtool -g` before and after `-G` shows
/// what was set when the packets were lost).
fn ring_in_effect(iface: &Interface, live: bool) -> Option<&Ring> {
    match iface.ring_readings.first() {
        Some(first) if !live => Some(first),
        _ => iface.ring.as_ref(),
    }
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if quiet_interface(iface) || is_backup_slave(iface) || is_tap(iface) {
            continue;
        }
        let Some(mut g) = overflow_growth(iface) else {
            continue;
        };
        let ring = ring_in_effect(iface, g.live());
        g.room = room(host, ring);
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        let counters = counter_names(&g);
        let mut f = RULE.finding(
            severity,
            &iface.name,
            format!(
                "{} lost frames in the NIC before the kernel saw them ({}): {}. The receive ring or FIFO was full, because the CPU emptying it could not keep up or bursts outran the ring.{}",
                iface.name,
                if counters.is_empty() { "ring/FIFO counters".to_string() } else { counters.clone() },
                describe(&g, "frames"),
                g.room.as_ref().map(|r| format!(" Room to act: {r}.")).unwrap_or_default()
            ),
        );
        stand_on(&mut f, &g);
        f.remediation = remediation(host, iface, ring);
        if !g.live() {
            f.remediation.push(confirm_step(iface, &g, counters));
        }
        out.push(f);
    }
    out
}

/// Ring/FIFO overflow from the generic counters or the driver's, whichever says more (see
/// [`best`]): drivers disagree on which generic field a ring drop lands in.
fn overflow_growth(iface: &Interface) -> Option<Growth> {
    let generic = counter_growth(iface, &GENERIC, &["rx_packets"]);
    let keys = ring_keys(iface);
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let driver = (!key_refs.is_empty())
        .then(|| ethtool_growth(iface, &key_refs, &["rx_packets"]))
        .flatten();
    best(generic, driver)
}

/// Configuration that leaves room to act: an RX ring below its pre-set maximum, else a NAPI
/// budget at its default (each poll could empty more of the ring).
fn room(host: &Host, ring: Option<&Ring>) -> Option<String> {
    let budget = sysctl_u64(host, "net.core.netdev_budget");
    ring.and_then(|r| match (r.rx, r.rx_max) {
        (Some(cur), Some(max)) if cur < max => Some(format!("RX ring {cur} of {max}")),
        _ => None,
    })
    .or_else(|| {
        budget
            .filter(|b| *b <= DEFAULT_NETDEV_BUDGET)
            .map(|b| format!("net.core.netdev_budget at its default {b}"))
    })
}

/// The counters the evidence stands on, sorted and once each ("rx_missed_errors, …").
fn counter_names(g: &Growth) -> String {
    let mut m: Vec<&str> = g.evidence.iter().map(|e| e.metric.as_str()).collect();
    m.sort();
    m.dedup();
    m.join(", ")
}

/// For a total not measured live: how to watch the same counters grow, with the tool that
/// reads them (`ethtool -S` for driver counters, `ip -s` for generic ones).
fn confirm_step(iface: &Interface, g: &Growth, counters: String) -> String {
    let from_driver = g
        .evidence
        .iter()
        .any(|e| !GENERIC.contains(&e.metric.as_str()));
    let what = if counters.is_empty() {
        "the RX missed/fifo counter".to_string()
    } else {
        counters
    };
    if from_driver {
        confirm_ethtool(iface, &what)
    } else {
        confirm_ip(iface, &what)
    }
}

/// A bigger ring first, or spreading the load first when the ring is already at its maximum
/// (then a bigger ring is not an option and is only mentioned after).
fn remediation(host: &Host, iface: &Interface, ring: Option<&Ring>) -> Vec<String> {
    let (ring_steps, ring_at_max) = ring_advice(iface, ring);
    let spread = spread_advice(host, iface);
    if ring_at_max {
        spread.into_iter().chain(ring_steps).collect()
    } else {
        ring_steps.into_iter().chain(spread).collect()
    }
}

/// What to do with the RX ring in effect when the frames were lost, and whether it was
/// already at its maximum.
fn ring_advice(iface: &Interface, ring: Option<&Ring>) -> (Vec<String>, bool) {
    let dev = &iface.name;
    let mut ring_steps = Vec::new();
    // A later reading that differs (the ring was changed after the loss).
    let later = iface
        .ring
        .as_ref()
        .filter(|latest| ring.is_some_and(|r| r.rx != latest.rx))
        .and_then(|latest| latest.rx)
        .map(|rx| {
            format!("; a later reading shows RX {rx}: check that it was raised and persisted")
        })
        .unwrap_or_default();
    let ring_at_max = match ring {
        Some(r) => match (r.rx, r.rx_max) {
            (Some(cur), Some(max)) if cur < max => {
                ring_steps.push(format!(
                    "ethtool -G {dev} rx {max}   # RX ring {cur} when the frames were lost, pre-set maximum {max}{later} (persist it in the NIC's connection profile, e.g. nmcli connection modify <conn> ethtool.ring-rx {max})"
                ));
                false
            }
            (Some(cur), Some(_)) => {
                ring_steps.push(format!("# The RX ring of {dev} is already at its maximum ({cur}): spread the load instead."));
                true
            }
            _ => false,
        },
        None => {
            ring_steps.push(format!(
                "ethtool -g {dev}   # not in the data: read the current and pre-set maximum RX ring, then raise it with ethtool -G {dev} rx <max>"
            ));
            false
        }
    };
    (ring_steps, ring_at_max)
}

/// Ways to empty the ring faster: more receive queues (RSS), their IRQs on more CPUs, and a
/// larger NAPI budget per poll.
fn spread_advice(host: &Host, iface: &Interface) -> Vec<String> {
    let dev = &iface.name;
    let mut spread = Vec::new();
    let cpus = host.cpu_count;
    match &iface.channels {
        Some(ch) => {
            let cur = ch.combined.or(ch.rx);
            let max = ch.combined_max.or(ch.rx_max);
            if let (Some(cur), Some(max)) = (cur, max) {
                // More queues than CPUs spread nothing further.
                let want = cpus.map_or(max, |c| max.min(u64::from(c)));
                if cur < want {
                    spread.push(format!(
                        "ethtool -L {dev} combined {want}   # now {cur} queue(s), maximum {max}{}: spread receive work over more CPUs (RSS)",
                        cpus.map(|c| format!(", {c} CPUs")).unwrap_or_default()
                    ));
                }
            }
        }
        None => spread.push(format!(
            "ethtool -l {dev}   # not in the data: if the NIC has more channels than in use, ethtool -L {dev} combined <number of CPUs>"
        )),
    }
    spread.push(format!(
        "grep -E '{dev}|TxRx|rx-' /proc/interrupts   # check that the queue IRQs are spread over CPUs; set their smp_affinity or let irqbalance do it"
    ));
    spread.push(double_netdev_budget(host, ": lets each NAPI poll empty more of the ring"));
    spread
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_counter_names() {
        assert!(is_ring_counter("rx_no_dma_resources", Some("ixgbe")));
        assert!(is_ring_counter("[3]: rx_discards", Some("bnxt_en")));
        assert!(is_ring_counter("Rx Queue#0/pkts rx OOB", Some("vmxnet3")));
        assert!(is_ring_counter("rx_queue_2_drops", Some("igb")));
        assert!(!is_ring_counter("rx_queue_2_drops", Some("virtio_net")));
        assert!(!is_ring_counter("rx_packets", Some("igb")));
    }

    use crate::test_support::{add, at};
    use crate::model::{EthtoolSample, InterfaceKind};

    /// Synthetic igb host: `ip` read twice 10 s apart (`live_missed` drops between them) and
    /// one `ethtool -S` reading with 39.7 million `rx_no_buffer_count` since boot (41 days).
    fn igb(live_missed: u64, ring: Option<(u64, u64)>) -> Host {
        let mut host = Host::new("h");
        host.uptime_seconds = Some(41 * 86_400);
        host.collected_at = at(10);
        add(
            &mut host,
            "eth2",
            InterfaceKind::Physical,
            &[
                (0, &[("rx_missed_errors", 0), ("rx_packets", 1_000_000)]),
                (
                    10,
                    &[("rx_missed_errors", live_missed), ("rx_packets", 2_000_000)],
                ),
            ],
        );
        let iface = host.interface_mut("eth2", None);
        iface.driver = Some("igb".into());
        iface.ethtool.push(EthtoolSample {
            time: at(10),
            source: "sos_commands/networking/ethtool_-S_eth2".into(),
            stats: [
                ("rx_no_buffer_count".to_string(), 39_700_000),
                ("rx_packets".to_string(), 1_300_000_000_000),
            ]
            .into_iter()
            .collect(),
        });
        iface.ring = ring.map(|(rx, rx_max)| Ring {
            rx: Some(rx),
            rx_max: Some(rx_max),
            tx: None,
            tx_max: None,
            source: "sos_commands/networking/ethtool_-g_eth2".into(),
        });
        crate::timeline::compute(&mut host);
        host
    }

    #[test]
    fn live_evidence_decides_over_a_larger_since_boot_total() {
        // 5 drops during the capture (below LIVE_MIN_EVENTS) beside 39.7 million since boot:
        // the live interval decides, so this is a note, not the since-boot warning.
        let f = check(&igb(5, None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].basis, "live");
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("5 frames"));
        // No growth of rx_missed_errors during the capture says nothing about
        // rx_no_buffer_count, which was read once: that total stands on its own basis.
        let f = check(&igb(0, None));
        assert_eq!(f[0].basis, "since-boot");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0]
            .summary
            .starts_with("Since boot, 41 days: 11.2/s on average"));
    }

    #[test]
    fn a_large_since_boot_total_with_room_in_the_ring_is_a_warning() {
        // Without the ip readings, the ethtool total since boot stands alone: 39.7 million
        // over 41 days is 11.2/s (0.003 % of the packets), ring 256 of 4096.
        let mut host = igb(0, Some((256, 4096)));
        host.interface_mut("eth2", None).samples.clear();
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f[0].basis, "since-boot");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0]
            .summary
            .starts_with("Since boot, 41 days: 11.2/s on average; not proven current."));
        assert!(f[0].summary.contains("Room to act: RX ring 256 of 4096."));
        assert!(f[0].remediation[0].starts_with("ethtool -G eth2 rx 4096"));
        assert!(f[0].remediation.last().unwrap().starts_with(
            "for i in 1 2; do date; echo '# ethtool -S eth2'; ethtool -S eth2; sleep 10; done"
        ));
    }

    #[test]
    fn the_ring_in_effect_for_a_total_is_the_first_reading() {
        // ethtool -g before and after `ethtool -G eth2 rx 4096` (seed 003's shape).
        let mut host = igb(0, Some((4096, 4096)));
        host.interface_mut("eth2", None).samples.clear();
        let before = Ring {
            rx: Some(256),
            rx_max: Some(4096),
            tx: None,
            tx_max: None,
            source: "paste:1".into(),
        };
        let iface = host.interface_mut("eth2", None);
        let after = iface.ring.clone().unwrap();
        iface.ring_readings = vec![before, after];
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert!(f[0].remediation[0]
            .starts_with("ethtool -G eth2 rx 4096   # RX ring 256 when the frames were lost"));
        assert!(f[0].remediation[0].contains("a later reading shows RX 4096"));
    }
}
