//! `tap-tx-drop`: a VM's tap/vnet/tun/macvtap queue overflowed on the host because the guest
//! did not drain it (knowledge §10.9). The host's TX on a tap is the guest's RX: the ring of
//! `txqueuelen` packets fills when the guest's vCPU does not run (steal, overcommit, pinning)
//! or its softirq is slow, and `tun_net_xmit()` drops into `tx_dropped`.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "tap-tx-drop",
    title: "A VM's tap queue overflowed: the guest is not draining it",
    default_severity: Severity::Warning,
    references: &[
        "https://docs.redhat.com/en/documentation/red_hat_openstack_platform/16.2/html/network_functions_virtualization_planning_and_configuration_guide/ (TX drops on tap interfaces)",
        "drivers/net/tun.c tun_net_xmit(): drops with SKB_DROP_REASON_FULL_RING when tx_ring (txqueuelen) is full",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. The tap's queue to its guest is the transmit end of this host.
pub const STAGE: Stage = Stage::tx(StageId::Driver);

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in host
        .interfaces
        .iter()
        .filter(|i| is_tap(i) && !quiet_interface(i))
    {
        let Some(mut g) = counter_growth(iface, &["tx_dropped"], &["tx_packets"]) else {
            continue;
        };
        // A default-sized queue can grow, which makes even a since-boot total worth acting on.
        g.room = iface
            .qlen
            .filter(|q| *q <= DEFAULT_TXQUEUELEN)
            .map(|q| format!("txqueuelen {q}"));
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        let mut f = RULE.finding(
            severity,
            &iface.name,
            format!(
                "{} dropped {} on its way into the guest: the tap queue{} was full because the VM did not take packets fast enough.",
                iface.name,
                describe(&g, "packets"),
                iface.qlen.map(|q| format!(" ({q} packets, txqueuelen)")).unwrap_or_default()
            ),
        );
        stand_on(&mut f, &g);
        f.evidence.extend(txqueuelen_evidence(iface));
        f.remediation = remediation(iface);
        if !g.live() {
            f.remediation.push(confirm_ip(iface, "TX dropped"));
        }
        out.push(f);
    }
    out
}

/// A longer tap queue buys time; the cure is a guest that drains it (vCPU time, vhost-net,
/// multiqueue).
fn remediation(iface: &Interface) -> Vec<String> {
    let qlen = iface.qlen;
    // Twice the current queue, and never below TAP_TXQUEUELEN.
    let target = qlen
        .map_or(TAP_TXQUEUELEN, |q| q.max(TAP_TXQUEUELEN / 2) * 2)
        .max(TAP_TXQUEUELEN);
    vec![
        format!(
            "ip link set dev {} txqueuelen {target}   # {}; absorbs short guest stalls (persist with a udev rule: KERNEL==\"tap*\", RUN+=\"/sbin/ip link set %k txqueuelen {target}\")",
            iface.name,
            qlen.map_or(format!("current length not in the data (ip link show dev {} shows it)", iface.name), |q| format!("now {q}"))
        ),
        "Find why the guest's vCPU is starved: check steal (`st` in top inside the guest, `%steal` in sar), host CPU overcommit, and vCPU pinning (`virsh vcpupin <domain>`; keep other busy processes off those pCPUs)."
            .to_string(),
        "Make sure the guest uses vhost-net (`lsmod | grep vhost_net` on the host; `<driver name='vhost'/>` in the domain XML) and enable virtio-net multiqueue (`<driver name='vhost' queues='N'/>`, then `ethtool -L eth0 combined N` in the guest)."
            .to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CounterSample;
    use crate::test_support::at;

    /// Synthetic host: one tap with two samples 5 s apart, numbers from seed 000.
    fn host_with_tap(name: &str, kind: InterfaceKind, dropped: [u64; 2]) -> Host {
        let mut host = Host::new("h");
        let iface = host.interface_mut(name, None);
        iface.kind = kind;
        iface.qlen = Some(1000);
        for (i, (d, p)) in dropped.iter().zip([83_704_477u64, 84_066_563]).enumerate() {
            iface.samples.push(CounterSample {
                time: at(5 * i as u32),
                source: format!("c.log:{}", i * 10 + 1),
                counters: [
                    ("tx_dropped".to_string(), *d),
                    ("tx_packets".to_string(), p),
                ]
                .into_iter()
                .collect(),
                approximate: false,
            });
        }
        crate::timeline::compute(&mut host);
        host
    }

    #[test]
    fn growing_tap_drops_are_critical_with_txqueuelen_remediation() {
        let host = host_with_tap("tap0", InterfaceKind::Tap, [11_155_280, 11_188_074]);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject, "tap0");
        assert!(f[0].remediation[0].starts_with("ip link set dev tap0 txqueuelen 10000"));
        assert!((f[0].impact - 6558.8).abs() < 1e-9);
    }

    #[test]
    fn no_growth_is_only_a_note_and_non_taps_are_not_this_rules() {
        // 5 drops counted before the capture and none during it: loss that is history.
        let f = check(&host_with_tap("tap0", InterfaceKind::Tap, [5, 5]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].basis, "live");
        assert!(f[0].summary.starts_with("Not growing during the capture"));
        assert!(f[0].summary.contains("no packets during the capture (5 s)"));
        assert!(f[0].summary.contains("hold 5 from before it"));
        assert!(check(&host_with_tap("eth0", InterfaceKind::Physical, [0, 40_000])).is_empty());
    }

    /// One reading of seed 000's tap (11 155 280 TX drops of 83 704 477 packets, 13.3 %),
    /// without uptime: a warning over an unknown window, never critical, with the two-sample
    /// command for this tap.
    #[test]
    fn a_single_reading_without_uptime_is_an_unknown_window_warning() {
        let mut host = host_with_tap("tap0", InterfaceKind::Tap, [11_155_280, 11_155_280]);
        host.interface_mut("tap0", None).samples.truncate(1);
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0].summary.starts_with("Window unknown"));
        assert!(f[0]
            .remediation
            .last()
            .unwrap()
            .starts_with("for i in 1 2; do date; ip -s -s link show tap0; sleep 10; done"));
    }
}
