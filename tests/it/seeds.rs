//! The captures quoted in the field notes this project grew from, exactly as published, cut into `testdata/seeds/` (see its PROVENANCE.md): each is a single snapshot
//! without uptime, and each must give the ring-overflow warning its author diagnosed, with the
//! remediation the author applied or the command that finds it.

use std::path::Path;

use rules::finding::{Finding, Severity};

use crate::util::*;

fn findings(file: &str) -> Vec<Finding> {
    let path = Path::new(TESTDATA).join("seeds").join(file);
    let report = run(&[&path]);
    assert_eq!(report.hosts.len(), 1, "{file}: one host");
    report.hosts[0].findings.clone()
}

fn ring_warning<'a>(findings: &'a [Finding], subject: &str) -> &'a Finding {
    let f = findings
        .iter()
        .find(|f| f.rule == "nic-rx-ring-overflow" && f.subject == subject)
        .unwrap_or_else(|| panic!("no nic-rx-ring-overflow on {subject}: {findings:#?}"));
    assert_eq!(f.severity, Severity::Warning, "{subject}: {}", f.summary);
    assert_eq!(f.basis, "unknown-window");
    assert!(
        f.summary
            .starts_with("Window unknown (a total since the counters started, no uptime read with it): not proven current."),
        "{}",
        f.summary
    );
    f
}

/// Seed 001 (001_3920918d03cb3ab8.txt lines 28–39): `cat /proc/net/dev` of an LVS director.
/// eth2's fifo column holds 19 769 362 of 1 242 429 666 624 received packets (0.0016 %);
/// bond1's fifo shows the same number because a bond adds up its slaves' counters.
#[test]
fn seed001_proc_net_dev_fifo_is_a_ring_overflow_on_eth2_seen_on_bond1() {
    let all = findings("seed001-proc-net-dev.txt");
    let f = ring_warning(&all, "eth2");
    assert_eq!(f.total, 19_769_362.0);
    assert!(f.summary.contains("19769362 frames (0.0016 % of packets)"));
    assert_eq!(f.seen_on, ["bond1"]);
    // Reported once: not again on bond1.
    assert!(!all
        .iter()
        .any(|f| f.subject == "bond1" && f.severity != Severity::Info));
    // No ring size in the paste: read it first.
    assert!(f.remediation[0].starts_with("ethtool -g eth2"));
    assert!(f.remediation.iter().any(|r| r.contains("netdev_budget")));
    // eth1 and eth3 drop every frame they receive: inactive slaves, by design.
    for slave in ["eth1", "eth3"] {
        let b = all
            .iter()
            .find(|f| f.subject == slave)
            .unwrap_or_else(|| panic!("{slave}: {all:#?}"));
        assert_eq!(b.rule, "bond-backup-slave-drops");
        assert_eq!(b.severity, Severity::Info);
    }
}

/// Seed 003 (003_42bcaf3b63fb080c.txt lines 6–16): `ip -s -s link ls p4p2` pasted with its
/// indentation stripped and its header cut: 146 442 overruns of 1 534 610 082 packets.
#[test]
fn seed003_ip_paste_overruns_are_a_ring_overflow_on_p4p2() {
    let all = findings("seed003-ip-p4p2.txt");
    let f = ring_warning(&all, "p4p2");
    assert_eq!(f.total, 146_442.0);
    assert!(f.summary.contains("(rx_over_errors)"));
    assert!(f.remediation[0].starts_with("ethtool -g p4p2"));
    // Its own two-sample command, then the capture script (a total of unknown window).
    let n = f.remediation.len();
    assert!(f.remediation[n - 2]
        .starts_with("for i in 1 2; do date; ip -s -s link show p4p2; sleep 10; done"));
    assert!(f.remediation[n - 1].starts_with("analyze capture-script > capture-drops.sh"));
}

/// Seed 003 (lines 67–110): the marked ifconfig block (71 111 overruns of 1 419 121 922
/// packets), prose, then `ethtool -g eth0` before (RX 256 of 4096) and after `ethtool -G`.
#[test]
fn seed003_ifconfig_overruns_with_a_small_ring_give_the_seeds_fix() {
    let all = findings("seed003-ifconfig-ring.txt");
    let f = ring_warning(&all, "eth0");
    assert_eq!(f.total, 71_111.0);
    assert!(f.summary.contains("Room to act: RX ring 256 of 4096."));
    assert!(
        f.remediation[0]
            .starts_with("ethtool -G eth0 rx 4096   # RX ring 256 when the frames were lost"),
        "{:?}",
        f.remediation
    );
    assert!(f.remediation[0].contains("a later reading shows RX 4096"));
}

/// What the customer sends back after running a finding's two-sample command (SYNTHETIC
/// output in the exact shape those loops print): the two readings become a live interval,
/// and the finding a live rate. eth2 `rx_fifo_errors` 19 769 362 → 19 771 362 (+2 000) and
/// rx_packets +1 000 000 in 10 s: 200/s (≥ 100/s), critical, as only live loss can be.
#[test]
fn the_two_sample_commands_read_back_as_a_live_interval() {
    let dir = tempfile::tempdir().unwrap();
    let ip = |date: &str, packets: u64, fifo: u64| {
        format!(
            "{date}\n2: eth2: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 1500 qdisc mq master bond1 state UP mode DEFAULT group default qlen 1000\n    link/ether 00:1b:21:aa:bb:cc brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast\n    900000000 {packets} {fifo} {fifo} 0 0\n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0 {fifo} 0\n    TX:  bytes packets errors dropped carrier collsns\n    500000000 2000000 0 0 0 0\n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       1\n"
        )
    };
    let log = format!(
        "{}{}",
        ip("Wed Dec  2 15:27:36 UTC 2026", 1_000_000_000, 19_769_362),
        ip("Wed Dec  2 15:27:46 UTC 2026", 1_001_000_000, 19_771_362)
    );
    let path = dir.path().join("confirm-ip.txt");
    std::fs::write(&path, log).unwrap();
    let report = run(&[&path]);
    let f = report.hosts[0]
        .findings
        .iter()
        .find(|f| f.rule == "nic-rx-ring-overflow")
        .expect("ring finding");
    assert_eq!(f.basis, "live");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.total, 2000.0);
    assert!((f.impact - 200.0).abs() < 1e-9, "{}", f.impact);

    let ethtool = |date: &str, nobuf: u64, packets: u64| {
        format!(
            "{date}\n# ethtool -S eth2\nNIC statistics:\n     rx_packets: {packets}\n     rx_no_buffer_count: {nobuf}\n     rx_missed_errors: 0\n"
        )
    };
    let log = format!(
        "{}{}",
        ethtool("Wed Dec  2 15:27:36 UTC 2026", 220_474, 1_000_000_000),
        ethtool("Wed Dec  2 15:27:46 UTC 2026", 221_474, 1_001_000_000)
    );
    let path = dir.path().join("confirm-ethtool.txt");
    std::fs::write(&path, log).unwrap();
    let report = run(&[&path]);
    let f = report.hosts[0]
        .findings
        .iter()
        .find(|f| f.rule == "nic-rx-ring-overflow" && f.subject == "eth2")
        .expect("ring finding on eth2 from ethtool -S");
    assert_eq!(f.basis, "live");
    // 1 000 rx_no_buffer_count in 10 s: 100/s is critical.
    assert_eq!(f.total, 1000.0);
    assert_eq!(f.severity, Severity::Critical);
}
