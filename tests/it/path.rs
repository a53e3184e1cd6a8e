//! The packet path (`hosts[].path`, README "JSON output"): every host shows every stage, and
//! the path's numbers are the findings' numbers.

use std::path::Path;

use analyze::pipeline::{render, Format};
use rules::model::Host;
use rules::path::{PathStage, StageId};

use crate::util::{run, TESTDATA};

fn stage(row: &[PathStage], id: StageId) -> &PathStage {
    row.iter().find(|s| s.id == id).unwrap()
}

/// testdata/scenarios/nic-rx-ring-overflow-pos-lvs-fifo/capture.log, read by hand: eth2's
/// `rx_fifo_errors` grows 12 000 in 60 s (200/s); bond1 sums it; the bond's other slaves and
/// eth3 hold `/proc/net/dev` drops that did not grow or are an inactive slave's; no conntrack,
/// protocol or qdisc capture.
#[test]
fn the_lvs_fifo_capture_reads_as_a_ring_loss() {
    let input = Path::new(TESTDATA).join("scenarios/nic-rx-ring-overflow-pos-lvs-fifo/capture.log");
    let report = run(&[&input]);
    let h = &report.hosts[0];
    let nic = stage(&h.path.rx, StageId::Nic);
    let lost = nic.lost.as_ref().unwrap();
    assert_eq!(
        (lost.total, lost.rate, lost.basis),
        (Some(12_000.0), Some(200.0), "live")
    );
    assert_eq!(nic.findings[0].rule, "nic-rx-ring-overflow");
    assert_eq!(nic.findings[0].subject, "eth2");
    let softnet = stage(&h.path.rx, StageId::Softnet);
    assert!(softnet.lost.is_none());
    let eth1 = softnet
        .unreported
        .iter()
        .find(|c| c.subject == "eth1")
        .unwrap();
    assert_eq!(
        (eth1.counter.as_str(), eth1.value),
        ("proc_rx_drop", 95_903_801)
    );
    for id in [StageId::Filter, StageId::Socket] {
        assert!(!stage(&h.path.rx, id).read, "{id:?}");
    }
    assert_eq!(
        stage(&h.path.tx, StageId::Qdisc).missing,
        Some("tc -s qdisc")
    );
    let driver = stage(&h.path.tx, StageId::Driver);
    assert!(driver.read && driver.findings.is_empty() && driver.unreported.is_empty());

    let md = render(&report, Format::Md).unwrap();
    assert!(
        md.contains(
            "| Receive | NIC ring | 200/s live (12000 lost) | critical nic-rx-ring-overflow eth2"
        ),
        "{md}"
    );
    // bond1's info finding: its fifo column stayed at 19769362 between the two readings.
    assert!(md.contains(
        "info nic-rx-ring-overflow bond1 (none during the capture (its loss is from before it))"
    ));
    assert!(md
        .contains("| Receive | IP / conntrack / filter | not captured | would tell: conntrack -S"));
    let html = render(&report, Format::Html).unwrap();
    assert!(html.contains(r#"<li class="critical" data-stage="nic"><span class="stage">NIC ring</span><span class="fig">200&#x2f;s live (12000 lost)</span>"#));
    assert!(html.contains(r##"<a href="#lvs01-nic-rx-ring-overflow-eth2">"##));
}

/// Every finding lies on exactly one stage with its own numbers, every unreported loss counter
/// on exactly one, and each stage's loss is the sum of its findings of the strongest basis.
fn check(path: &Path, h: &Host) -> Vec<String> {
    let mut errors = Vec::new();
    let mut err = |m: String| errors.push(format!("{} {}: {m}", path.display(), h.hostname));
    let ids = |row: &[PathStage]| row.iter().map(|s| s.id).collect::<Vec<_>>();
    if ids(&h.path.rx) != StageId::RX || ids(&h.path.tx) != StageId::TX {
        err("a stage is missing".into());
    }
    let stages: Vec<&PathStage> = h.path.rx.iter().chain(&h.path.tx).collect();
    for f in &h.findings {
        let on: Vec<_> = stages
            .iter()
            .flat_map(|s| &s.findings)
            .filter(|p| p.rule == f.rule && p.subject == f.subject)
            .collect();
        if on.len() != 1 || on[0].total.is_some_and(|t| t != f.total) {
            err(format!("{} {} on {} stages", f.rule, f.subject, on.len()));
        }
    }
    for l in h.loss_counters.iter().filter(|l| l.finding.is_none()) {
        let on = stages
            .iter()
            .flat_map(|s| &s.unreported)
            .filter(|c| c.subject == l.subject && c.counter == l.counter)
            .count();
        if on != 1 {
            err(format!("{} {} on {on} stages", l.subject, l.counter));
        }
    }
    for s in &stages {
        if !s.read && (s.missing.is_none() || !s.findings.is_empty()) {
            err(format!("{:?} unread without saying what would tell", s.id));
        }
        let Some(l) = &s.lost else { continue };
        let added = s.findings.iter().filter(|f| f.loss && f.basis == l.basis);
        let sum: Option<f64> = added.clone().map(|f| f.total).sum();
        if sum != l.total || added.count() != l.findings {
            err(format!(
                "{:?}: lost {:?} is not its findings' sum {sum:?}",
                s.id, l.total
            ));
        }
    }
    errors
}

#[test]
fn every_host_of_testdata_shows_every_stage_with_the_findings_numbers() {
    let mut errors = Vec::new();
    let mut lost_stages = 0;
    for path in crate::accounting::inputs() {
        let report = analyze::pipeline::run(std::slice::from_ref(&path));
        for h in &report.hosts {
            errors.extend(check(&path, h));
            lost_stages += h
                .path
                .rx
                .iter()
                .chain(&h.path.tx)
                .filter(|s| s.lost.is_some())
                .count();
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        lost_stages > 20,
        "only {lost_stages} stages with loss in testdata"
    );
}

/// testdata/scenarios/tcp-listen-overflow-pos-coreos-sos-clean-below-socket/sos, read by hand:
/// 4 200 000 accept-queue overflows since boot (proc/net/netstat and netstat -s, one counter
/// from two sources), while ip -s -d link, /proc/net/dev, softnet_stat column 2,
/// /proc/net/stat/nf_conntrack and tc -s qdisc hold no drop or error. The loss lies on the
/// receive socket stage alone, with the finding's total; every stage below it was read and
/// lost nothing (softnet's time squeezes are listed there, but count no packet).
#[test]
fn listen_overflows_with_a_clean_stack_below_lie_on_the_socket_stage_only() {
    let input = Path::new(TESTDATA)
        .join("scenarios/tcp-listen-overflow-pos-coreos-sos-clean-below-socket/sos");
    let report = run(&[&input]);
    let h = &report.hosts[0];
    let overflow: Vec<_> = h
        .findings
        .iter()
        .filter(|f| f.rule == "tcp-listen-overflow")
        .collect();
    assert_eq!(overflow.len(), 1);
    assert_eq!(overflow[0].total, 4_200_000.0);
    let socket = stage(&h.path.rx, StageId::Socket);
    let lost = socket.lost.as_ref().expect("the socket stage lost packets");
    assert_eq!(
        (lost.total, lost.rate, lost.basis, lost.findings),
        (Some(overflow[0].total), None, "since-boot", 1)
    );
    assert_eq!(socket.findings[0].rule, "tcp-listen-overflow");
    for id in [
        StageId::Wire,
        StageId::Nic,
        StageId::Softnet,
        StageId::Filter,
    ] {
        let s = stage(&h.path.rx, id);
        assert!(s.read, "{id:?} was read");
        assert!(s.lost.is_none(), "{id:?} lost {:?}", s.lost);
        assert!(
            s.findings.iter().all(|f| !f.loss),
            "{id:?}: {:?}",
            s.findings
        );
        assert!(s.unreported.is_empty(), "{id:?}: {:?}", s.unreported);
    }
    for id in [StageId::Socket, StageId::Qdisc, StageId::Driver] {
        let s = stage(&h.path.tx, id);
        assert!(s.read && s.lost.is_none(), "tx {id:?}: {s:?}");
    }
    // Only the time squeezes of cpu0 (0x5b = 91) and cpu1 (0x46 = 70) besides: no loss.
    let others: Vec<_> = h
        .findings
        .iter()
        .filter(|f| f.rule != "tcp-listen-overflow")
        .map(|f| (f.rule, f.subject.as_str(), f.total))
        .collect();
    assert_eq!(
        others,
        [
            ("softnet-time-squeeze", "cpu0", 91.0),
            ("softnet-time-squeeze", "cpu1", 70.0)
        ]
    );
}

/// Its healthy twin (the corpus values: ListenOverflows 0, ListenDrops 0): no listener
/// finding at all, not even a note, and no loss on any stage.
#[test]
fn the_healthy_twin_has_no_listener_finding_and_no_loss_anywhere() {
    let input = Path::new(TESTDATA).join("scenarios/tcp-listen-overflow-neg-coreos-sos-zeros/sos");
    let report = run(&[&input]);
    let h = &report.hosts[0];
    assert!(
        !h.findings.iter().any(|f| f.rule == "tcp-listen-overflow"),
        "{:?}",
        h.findings
    );
    for s in h.path.rx.iter().chain(&h.path.tx) {
        assert!(s.read && s.lost.is_none(), "{:?}: {s:?}", s.id);
    }
}

/// testdata/scenarios/socket-mem-pressure-pos-coreos-sos-tcp-near-max: TCP memory at 88 % of
/// `tcp_mem` max and no TCPAbortOnMemory or UdpMemErrors. The warning stands on the socket
/// stage as a cause; the stage never says "0 lost".
#[test]
fn memory_pressure_without_failures_is_a_cause_not_a_zero_loss() {
    let input =
        Path::new(TESTDATA).join("scenarios/socket-mem-pressure-pos-coreos-sos-tcp-near-max/sos");
    let h = &run(&[&input]).hosts[0];
    let socket = stage(&h.path.rx, StageId::Socket);
    assert_eq!(socket.findings.len(), 1, "{socket:?}");
    assert_eq!(socket.findings[0].rule, "socket-mem-pressure");
    assert!(!socket.findings[0].loss);
    assert!(socket.lost.is_none(), "{socket:?}");
}
