use super::*;
use crate::model::InterfaceKind;
use crate::test_support::{add_protocol, HostBuilder};

fn rx(host: &Host, id: StageId) -> &PathStage {
    host.path.rx.iter().find(|s| s.id == id).unwrap()
}

fn tx(host: &Host, id: StageId) -> &PathStage {
    host.path.tx.iter().find(|s| s.id == id).unwrap()
}

#[test]
fn every_stage_is_present_in_path_order() {
    let host = HostBuilder::new("h").judged();
    let ids = |row: &[PathStage]| row.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(&host.path.rx), StageId::RX);
    assert_eq!(ids(&host.path.tx), StageId::TX);
}

#[test]
fn a_stage_with_a_live_finding_shows_its_rate_and_total() {
    // eth2 rx_fifo_errors 0 → 12000 in 60 s while 6 M packets arrive: 200/s.
    let host = HostBuilder::new("h")
        .interface(
            "eth2",
            InterfaceKind::Physical,
            &[
                (0, &[("rx_packets", 0), ("rx_fifo_errors", 0)]),
                (60, &[("rx_packets", 6_000_000), ("rx_fifo_errors", 12_000)]),
            ],
        )
        .judged();
    let nic = rx(&host, StageId::Nic);
    let f = host
        .findings
        .iter()
        .find(|f| f.rule == "nic-rx-ring-overflow")
        .unwrap();
    assert!(nic.read);
    assert_eq!(nic.severity, Some(f.severity));
    let lost = nic.lost.as_ref().unwrap();
    assert_eq!(
        (lost.total, lost.rate, lost.basis),
        (Some(12_000.0), Some(200.0), "live")
    );
    // The stage's numbers are the finding's.
    assert_eq!(lost.total, Some(f.total));
    assert_eq!(lost.rate, Some(f.impact));
    assert_eq!(nic.findings[0].subject, "eth2");
    // The wire was read (the same counters) and lost nothing.
    let wire = rx(&host, StageId::Wire);
    assert!(wire.read && wire.lost.is_none() && wire.findings.is_empty());
}

#[test]
fn a_since_boot_finding_shows_its_total_without_a_rate() {
    // 76 878 backlog drops on cpu1 over 41 days of uptime.
    let host = HostBuilder::new("h")
        .with(|h| {
            h.uptime_seconds = Some(41 * 86_400);
            h.collected_at = crate::test_support::at(0);
            h.sysctl
                .insert("net.core.netdev_max_backlog".into(), "1000".into());
            h.softnet.push(crate::model::SoftnetSample {
                time: crate::test_support::at(0),
                source: "proc/net/softnet_stat".into(),
                cpu_ids_exact: true,
                cpus: vec![crate::model::SoftnetCpu {
                    cpu: 1,
                    processed: 9_000_000_000,
                    dropped: 76_878,
                    time_squeeze: 0,
                    received_rps: None,
                    flow_limit_count: None,
                    backlog_len: None,
                }],
            });
        })
        .judged();
    let softnet = rx(&host, StageId::Softnet);
    let lost = softnet.lost.as_ref().unwrap();
    assert_eq!(
        (lost.total, lost.rate, lost.basis),
        (Some(76_878.0), None, "since-boot")
    );
    assert_eq!(softnet.findings[0].rule, "softnet-backlog-drop");
    assert_eq!(softnet.findings[0].subject, "cpu1");
    assert!(softnet.unreported.is_empty());
}

#[test]
fn a_stage_without_data_says_what_would_have_told() {
    let host = HostBuilder::new("h")
        .interface(
            "eth0",
            InterfaceKind::Physical,
            &[(0, &[("rx_packets", 10)])],
        )
        .judged();
    for id in [StageId::Softnet, StageId::Filter, StageId::Socket] {
        let s = rx(&host, id);
        assert!(!s.read, "{id:?}");
        assert!(s.lost.is_none() && s.severity.is_none());
    }
    assert_eq!(
        rx(&host, StageId::Softnet).missing,
        Some("cat /proc/net/softnet_stat")
    );
    assert_eq!(tx(&host, StageId::Qdisc).missing, Some("tc -s qdisc"));
    // Interface counters were read: the wire, the ring and the driver say so.
    assert!(rx(&host, StageId::Wire).read && tx(&host, StageId::Driver).read);
    assert_eq!(rx(&host, StageId::Wire).missing, None);
}

#[test]
fn findings_of_a_weaker_basis_are_listed_but_not_added() {
    let mut lost = vec![
        StageFinding {
            rule: "a",
            subject: "eth0".into(),
            severity: Severity::Warning,
            basis: "since-boot",
            loss: true,
            total: Some(5_000.0),
            rate: None,
        },
        StageFinding {
            rule: "a",
            subject: "eth1".into(),
            severity: Severity::Critical,
            basis: "live",
            loss: true,
            total: Some(600.0),
            rate: Some(10.0),
        },
        StageFinding {
            rule: "b",
            subject: "eth1".into(),
            severity: Severity::Warning,
            basis: "live",
            loss: true,
            total: Some(60.0),
            rate: Some(1.0),
        },
    ];
    let l = super::lost(&lost).unwrap();
    assert_eq!(
        (l.total, l.rate, l.basis, l.findings),
        (Some(660.0), Some(11.0), "live", 2)
    );
    // A cause counts no packets: it is not added.
    lost[1].loss = false;
    let l = super::lost(&lost).unwrap();
    assert_eq!((l.total, l.rate, l.findings), (Some(60.0), Some(1.0), 1));
    // A finding whose total is unknown makes the sum unknown, never smaller.
    lost[2].total = None;
    assert_eq!(super::lost(&lost).unwrap().total, None);
}

#[test]
fn a_cause_lies_on_its_stage_without_adding_loss() {
    // Time squeezes on cpu0 growing 0 → 600 in 60 s: 10/s, a warning, but no packet lost.
    let host = HostBuilder::new("h")
        .with(|h| {
            for (sec, squeeze) in [(0, 0), (60, 600)] {
                h.softnet.push(crate::model::SoftnetSample {
                    time: crate::test_support::at(sec),
                    source: format!("capture.log:{}", sec + 1),
                    cpu_ids_exact: true,
                    cpus: vec![crate::model::SoftnetCpu {
                        cpu: 0,
                        processed: 1_000_000 * u64::from(sec),
                        dropped: 0,
                        time_squeeze: squeeze,
                        received_rps: None,
                        flow_limit_count: None,
                        backlog_len: None,
                    }],
                });
            }
        })
        .judged();
    let softnet = rx(&host, StageId::Softnet);
    assert_eq!(softnet.findings[0].rule, "softnet-time-squeeze");
    assert!(!softnet.findings[0].loss);
    assert!(softnet.lost.is_none());
    assert_eq!(softnet.severity, Some(host.findings[0].severity));
}

#[test]
fn socket_counters_lie_on_the_socket_stages() {
    // 600 listen overflows in 60 s.
    let host = HostBuilder::new("h")
        .with(|h| {
            add_protocol(
                h,
                &[
                    (0, &[("TcpExtListenOverflows", 0), ("TcpExtListenDrops", 0)]),
                    (
                        60,
                        &[("TcpExtListenOverflows", 600), ("TcpExtListenDrops", 600)],
                    ),
                ],
            )
        })
        .judged();
    let socket = rx(&host, StageId::Socket);
    assert!(socket.read && tx(&host, StageId::Socket).read);
    let f = &socket.findings[0];
    assert_eq!(
        (f.rule, f.total, f.rate),
        ("tcp-listen-overflow", Some(600.0), Some(10.0))
    );
}

#[test]
fn unreported_counters_are_placed_by_name_subject_and_source() {
    let lc = |subject: &str, counter: &str, source: &str| LossCounter {
        subject: subject.into(),
        counter: counter.into(),
        value: 1,
        source: source.into(),
        finding: None,
        reason: None,
    };
    let at = |s, c, src| counter_stage(&lc(s, c, src));
    use Direction::{Rx, Tx};
    use StageId::{Driver, Filter, Nic, Qdisc, Socket, Softnet, Wire};
    let cases = [
        ("cpu3", "dropped", "proc/net/softnet_stat", Rx, Softnet),
        ("eth0", "rx_crc_errors", "x", Rx, Wire),
        ("eth0", "rx_missed_errors", "x", Rx, Nic),
        ("eth0", "rx_no_buffer_count", "x", Rx, Nic),
        ("eth0", "proc_rx_drop", "x", Rx, Softnet),
        ("eth0", "tx_dropped", "x", Tx, Driver),
        ("eth0", "proc_tx_carrier", "x", Tx, Driver),
        ("eth0", "dropped", "capture.log:9", Tx, Qdisc),
        ("host", "insert_failed", "capture.log:9", Rx, Filter),
        ("host", "drop", "proc/net/stat/nf_conntrack", Rx, Filter),
        ("host", "UdpRcvbufErrors", "proc/net/snmp", Rx, Socket),
        ("host", "UdpSndbufErrors", "proc/net/snmp", Tx, Socket),
    ];
    for (subject, counter, source, direction, stage) in cases {
        assert_eq!(
            at(subject, counter, source),
            (direction, stage),
            "{subject} {counter} {source}"
        );
    }
}

#[test]
fn a_benign_counter_is_shown_on_its_stage_not_as_loss() {
    // lo drops: loopback is no network link, but the counter is not hidden.
    let host = HostBuilder::new("h")
        .interface(
            "lo",
            InterfaceKind::Loopback,
            &[(0, &[("rx_packets", 10), ("rx_dropped", 4)])],
        )
        .judged();
    let softnet = rx(&host, StageId::Softnet);
    assert!(softnet.read && softnet.lost.is_none());
    assert_eq!(softnet.unreported.len(), 1);
    assert_eq!(softnet.unreported[0].counter, "rx_dropped");
    assert_eq!(softnet.unreported[0].value, 4);
}
