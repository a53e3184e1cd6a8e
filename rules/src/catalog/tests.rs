//! Cases found in review, judged as the pipeline does (synthetic hosts, numbers chosen by
//! hand).

use crate::finding::Finding;
use crate::model::{Host, InterfaceKind, SoftnetCpu, SoftnetSample};
use crate::test_support::{add, at, HostBuilder};

fn judged(host: Host) -> Host {
    HostBuilder::from(host).judged()
}

fn find<'a>(host: &'a Host, rule: &str, subject: &str) -> Option<&'a Finding> {
    host.findings
        .iter()
        .find(|f| f.rule == rule && f.subject == subject)
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
