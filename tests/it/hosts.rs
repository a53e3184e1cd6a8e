//! One host is one host: loose files are merged only when their data says they are the same
//! machine, and the same readings given twice are read once (issue 12, item 6).
//!
//! Inputs: the scenario logs shipped in testdata/scenarios (lvs01: `nic-rx-ring-overflow-pos-
//! lvs-fifo`; db-7: `nic-phy-errors-pos-constructed-crc-rising`), the corpus sosreport, and
//! small pastes written here (synthetic; each test says what it writes). Expected values are
//! read off those files by hand.

use std::path::Path;

use crate::util::{self, iface, problems_text, run, testdata, CORPUS, NIC_RING_LOG, SEED_TAP_LOG};
use rules::model::{Host, Report};

/// lvs01's log: the ring-overflow scenario.
const LVS01_LOG: &str = NIC_RING_LOG;
const DB7_LOG: &str = testdata!("scenarios/nic-phy-errors-pos-constructed-crc-rising/capture.log");

fn host<'a>(report: &'a Report, name: &str) -> &'a Host {
    report
        .hosts
        .iter()
        .find(|h| h.hostname == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
            panic!("no host {name} in {names:?}")
        })
}

fn rules_on(host: &Host) -> Vec<(String, String)> {
    host.findings
        .iter()
        .map(|f| (f.rule.to_string(), f.subject.clone()))
        .collect()
}

fn has_rule(host: &Host, rule: &str, subject: &str) -> bool {
    host.findings
        .iter()
        .any(|f| f.rule == rule && f.subject == subject)
}

fn duplicate_warnings(report: &Report) -> Vec<String> {
    report
        .problems
        .iter()
        .filter(|p| p.message.contains("duplicate reading(s) ignored"))
        .map(|p| format!("{}: {}", p.source, p.message))
        .collect()
}

fn copy(from: &str, dir: &Path, name: &str) {
    let to = dir.join(name);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

/// An `ip -s -s link show dev eno1` paste (synthetic, no prompt, no date) with this MAC.
fn eno1_paste(mac: &str) -> String {
    format!(
        "2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\n\
         \x20   link/ether {mac} brd ff:ff:ff:ff:ff:ff\n\
         \x20   RX:  bytes packets errors dropped  missed   mcast\n\
         \x20   7403000000000 9515000000  48400       0       0 1288412\n\
         \x20   RX errors:  length    crc   frame    fifo overrun\n\
         \x20                     0  48392       8       0       0\n\
         \x20   TX:  bytes packets errors dropped carrier collsns\n\
         \x20   2201000000000 6122000000      0       0       0       0\n\
         \x20   TX errors: aborted   fifo  window heartbt transns\n\
         \x20                     0      0       0       0       4\n"
    )
}

#[test]
fn two_hosts_side_by_side_stay_two_hosts() {
    let dir = tempfile::tempdir().unwrap();
    copy(LVS01_LOG, dir.path(), "lvs01.log");
    copy(DB7_LOG, dir.path(), "db7.log");
    let report = run(&[dir.path()]);
    assert_eq!(report.hosts.len(), 2, "{}", problems_text(&report));

    let lvs = host(&report, "lvs01");
    assert!(
        has_rule(lvs, "nic-rx-ring-overflow", "eth2"),
        "{:?}",
        rules_on(lvs)
    );
    assert!(lvs.interface("eno1").is_none(), "db-7's NIC is not lvs01's");
    // Read off the log: eth2 fifo 19769362 at 10:00:00, 19781362 at 10:01:00.
    let eth2 = iface(lvs, "eth2");
    let live: Vec<_> = eth2
        .deltas
        .iter()
        .filter(|d| d.seconds == Some(60.0))
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].deltas["rx_fifo_errors"], 12_000);
    assert_eq!(
        lvs.sources,
        vec![format!("{}!lvs01.log", dir.path().display())]
    );

    let db7 = host(&report, "db-7");
    assert!(
        has_rule(db7, "nic-phy-errors", "eno1"),
        "{:?}",
        rules_on(db7)
    );
    assert!(db7.interface("eth2").is_none(), "lvs01's NIC is not db-7's");
    assert!(!has_rule(db7, "nic-rx-ring-overflow", "eth2"));
    // crc 48203 at 14:02:10 → 48373 at 14:02:40, in three 10 s intervals.
    let crc: u64 = iface(db7, "eno1")
        .deltas
        .iter()
        .filter(|d| d.series == "db7.log")
        .map(|d| d.deltas["rx_crc_errors"])
        .sum();
    assert_eq!(crc, 48_373 - 48_203);
    assert!(duplicate_warnings(&report).is_empty());
}

#[test]
fn a_directory_of_many_loose_logs_keeps_each_hosts_findings() {
    // Like `analyze testdata`: logs of several hosts, single captures without any identity,
    // and the first /proc/net/dev reading of lvs01 saved again on its own (seed 001).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy(LVS01_LOG, d, "scenarios/lvs-fifo/capture.log");
    copy(DB7_LOG, d, "scenarios/crc/capture.log");
    copy(SEED_TAP_LOG, d, "capture/seed000.log");
    copy(
        testdata!("seeds/seed001-proc-net-dev.txt"),
        d,
        "seeds/seed001.txt",
    );
    copy(
        testdata!("parsers/softnet/insights-rhel8.softnet_stat"),
        d,
        "parsers/rhel8.softnet_stat",
    );
    let report = run(&[d]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    // In the order the directory walk met them; the softnet paste names no host and has no
    // interface to match, so it stays a host of its own, named after the file.
    assert_eq!(
        names,
        vec![
            "ibm-x3550m4-9",
            "parsers/rhel8.softnet_stat",
            "db-7",
            "lvs01"
        ],
        "{}",
        problems_text(&report)
    );
    let lvs = host(&report, "lvs01");
    assert!(
        has_rule(lvs, "nic-rx-ring-overflow", "eth2"),
        "{:?}",
        rules_on(lvs)
    );
    // The seed names no host, but its interfaces (bond0, bond1, eth0–eth3, VLANs) and no
    // MACs are exactly lvs01's: it belongs there.
    assert!(lvs
        .sources
        .iter()
        .any(|s| s.ends_with("!seeds/seed001.txt")));
    assert!(has_rule(host(&report, "db-7"), "nic-phy-errors", "eno1"));
    let tap = host(&report, "ibm-x3550m4-9");
    assert!(
        has_rule(tap, "tap-tx-drop", "tapc18eb09e-01"),
        "{:?}",
        rules_on(tap)
    );
    assert!(tap.interface("eth2").is_none() && tap.interface("eno1").is_none());
}

#[test]
fn the_same_archive_twice_reads_like_once() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("customer-reupload.tar.xz");
    std::fs::copy(CORPUS, &renamed).unwrap();
    let corpus = Path::new(CORPUS);
    let once = run(&[corpus]);
    assert!(duplicate_warnings(&once).is_empty());
    let one = &once.hosts[0];
    // Read off the archive: eth0 RX packets 340518 (ip -s -d link), uptime 35 min; softnet
    // cpu0 time_squeeze 0x5b.
    let since_boot = |h: &Host| {
        let d = iface(h, "eth0")
            .deltas
            .iter()
            .find(|d| d.series == "sos_commands/networking/ip_-s_-d_link")
            .cloned()
            .expect("since-boot interval");
        (format!("{:?}", d.kind), d.seconds, d.deltas["rx_packets"])
    };
    assert_eq!(
        since_boot(one),
        ("SinceBoot".to_string(), Some(2100.0), 340_518)
    );
    let squeeze = |h: &Host| {
        h.softnet_deltas
            .iter()
            .map(|d| (format!("{:?}", d.kind), d.cpus[0].deltas["time_squeeze"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(squeeze(one), vec![("SinceBoot".to_string(), 0x5b)]);

    for second in [corpus, renamed.as_path()] {
        let twice = run(&[corpus, second]);
        assert_eq!(twice.hosts.len(), 1);
        let h = &twice.hosts[0];
        assert_eq!(json(&h.findings), json(&one.findings), "{second:?}");
        assert_eq!(since_boot(h), since_boot(one));
        assert_eq!(squeeze(h), squeeze(one));
        for (a, b) in h.interfaces.iter().zip(&one.interfaces) {
            assert_eq!(a.samples.len(), b.samples.len(), "{}", a.name);
            assert_eq!(json(&a.deltas), json(&b.deltas), "{}", a.name);
        }
        assert_eq!(json(&h.softnet_deltas), json(&one.softnet_deltas));
        assert_eq!(h.softnet.len(), 1);
        assert_eq!(h.softirqs.len(), 1);
        let warnings = duplicate_warnings(&twice);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // 3 samples each of lo and eth0 (ip, /proc/net/dev, sysfs), softnet, softirqs.
        assert!(
            warnings[0].contains(": 8 duplicate reading(s)"),
            "{warnings:?}"
        );
        if second != corpus {
            assert!(
                warnings[0].contains("customer-reupload.tar.xz"),
                "{warnings:?}"
            );
        }
    }
}

#[test]
fn a_capture_log_saved_twice_in_a_directory_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    copy(LVS01_LOG, dir.path(), "lvs01.log");
    copy(LVS01_LOG, dir.path(), "lvs01 (1).log");
    let report = run(&[dir.path()]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    let lvs = &report.hosts[0];
    let eth2 = iface(lvs, "eth2");
    assert_eq!(eth2.samples.len(), 2);
    assert_eq!(eth2.deltas.len(), 1);
    assert_eq!(eth2.deltas[0].deltas["rx_fifo_errors"], 12_000);
    assert!(has_rule(lvs, "nic-rx-ring-overflow", "eth2"));
    assert_eq!(
        duplicate_warnings(&report).len(),
        1,
        "{}",
        problems_text(&report)
    );
}

#[test]
fn a_paste_without_identity_joins_the_host_whose_interfaces_and_mac_it_matches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy(LVS01_LOG, d, "lvs01.log");
    copy(DB7_LOG, d, "db7.log");
    // db-7's eno1 is link/ether 3c:ec:ef:5a:10:4e in its log.
    std::fs::write(d.join("same-mac.txt"), eno1_paste("3c:ec:ef:5a:10:4e")).unwrap();
    std::fs::write(d.join("other-mac.txt"), eno1_paste("3c:ec:ef:00:00:01")).unwrap();
    let report = run(&[d]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["db-7", "lvs01", "other-mac.txt"]);

    let db7 = host(&report, "db-7");
    assert!(db7.sources.iter().any(|s| s.ends_with("!same-mac.txt")));
    let eno1 = iface(db7, "eno1");
    // Four samples from the log, one from the paste (its own series, crc 48392).
    assert_eq!(eno1.samples.len(), 5);
    assert_eq!(util::counter(eno1, "same-mac.txt", "rx_crc_errors"), 48_392);
    assert!(has_rule(db7, "nic-phy-errors", "eno1"));

    // Same interface name, another MAC: another machine, named after its file.
    let other = host(&report, "other-mac.txt");
    assert_eq!(other.interfaces.len(), 1);
    assert_eq!(
        iface(other, "eno1").mac.as_deref(),
        Some("3c:ec:ef:00:00:01")
    );
    assert!(host(&report, "lvs01").interface("eno1").is_none());
}

#[test]
fn pastes_of_a_host_that_no_file_names_form_one_host_unless_their_macs_differ() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("case-42");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("ip.txt"), eno1_paste("3c:ec:ef:5a:10:4e")).unwrap();
    std::fs::write(
        d.join("eno1.txt"),
        "NIC statistics:\n     rx_packets: 9515000000\n     rx_crc_errors: 48392\n",
    )
    .unwrap();
    let report = run(&[&d]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    // Named after the directory, as before.
    assert_eq!(report.hosts[0].hostname, "case-42");
    let eno1 = iface(&report.hosts[0], "eno1");
    assert_eq!(
        (eno1.samples.len(), eno1.ethtool.len()),
        (1, 1),
        "the ip paste and the ethtool paste describe one eno1"
    );

    // A third paste: eno1 with another MAC. Nothing says which files belong together.
    std::fs::write(d.join("other.txt"), eno1_paste("3c:ec:ef:00:00:01")).unwrap();
    let report = run(&[&d]);
    let mut names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["eno1.txt", "ip.txt", "other.txt"]);
}

/// Compares values through their JSON form (the model types have no `Eq`).
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn a_log_that_names_no_host_given_twice_is_one_host() {
    // The lvs01 log with its prompts replaced by `# ` (synthetic edit): dated, but nameless.
    let text = std::fs::read_to_string(LVS01_LOG)
        .unwrap()
        .replace("[root@lvs01 ~]# ", "# ");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("anon.log");
    let copy = dir.path().join("anon (1).log");
    std::fs::write(&log, &text).unwrap();
    std::fs::write(&copy, &text).unwrap();
    for second in [&log, &copy] {
        let report = run(&[&log, second]);
        assert_eq!(report.hosts.len(), 1, "{second:?}");
        let h = &report.hosts[0];
        assert_eq!(h.hostname, "anon.log");
        let eth2 = iface(h, "eth2");
        assert_eq!(eth2.deltas.len(), 1);
        assert_eq!(eth2.deltas[0].deltas["rx_fifo_errors"], 12_000);
        assert!(has_rule(h, "nic-rx-ring-overflow", "eth2"));
        assert_eq!(duplicate_warnings(&report).len(), 1);
    }
    // Another nameless file given beside it is not taken for the same machine.
    let seed = testdata!("seeds/seed001-proc-net-dev.txt");
    let report = run(&[&log, Path::new(seed)]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["anon.log", "seed001-proc-net-dev.txt"]);
}

#[test]
fn a_tarball_of_two_hosts_logs_gives_two_hosts() {
    let tar = util::TarBuilder::new()
        .file("ticket-1234/lvs01.log", &std::fs::read(LVS01_LOG).unwrap())
        .file("ticket-1234/db7.log", &std::fs::read(DB7_LOG).unwrap())
        .finish();
    let (_d, path) = util::write_temp("ticket-1234.tar.xz", &util::xz(&tar));
    let report = run(&[&path]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["lvs01", "db-7"], "{}", problems_text(&report));
    assert!(has_rule(
        host(&report, "lvs01"),
        "nic-rx-ring-overflow",
        "eth2"
    ));
    assert!(host(&report, "lvs01").interface("eno1").is_none());
    assert!(has_rule(host(&report, "db-7"), "nic-phy-errors", "eno1"));
    assert_eq!(
        host(&report, "db-7").sources,
        vec![format!("{}!ticket-1234/db7.log", path.display())]
    );
}

#[test]
fn sar_history_in_two_sosreports_of_one_host_is_counted_once() {
    // Real `sar -A` text (testdata/parsers/sar/PROVENANCE.md) in two synthetic sosreports of
    // host `vm` taken a day apart: both keep the same sar21 file, as sos does for sa history.
    let sar = include_str!(testdata!("parsers/sar/sandbox-sysstat12.6.1-C.sar"));
    let sos = |top: &str, date: &str| {
        util::xz(
            &util::sos_root(top, "vm")
                .file(&format!("{top}/sos_commands/date/date"), date.as_bytes())
                .file(&format!("{top}/sos_commands/sar/sar21"), sar.as_bytes())
                .finish(),
        )
    };
    let (_d1, first) = util::write_temp(
        "a.tar.xz",
        &sos("sosreport-a", "Sat Nov 21 21:35:00 UTC 2026\n"),
    );
    let (_d2, second) = util::write_temp(
        "b.tar.xz",
        &sos("sosreport-b", "Sun Nov 22 21:35:00 UTC 2026\n"),
    );
    let reported = |r: &Report| -> (usize, usize, usize) {
        let h = &r.hosts[0];
        let kind = rules::model::IntervalKind::Reported;
        (
            iface(h, "lo")
                .deltas
                .iter()
                .filter(|d| d.kind == kind)
                .count(),
            h.softnet_deltas.iter().filter(|d| d.kind == kind).count(),
            h.cpu.len(),
        )
    };
    let once = run(&[&first]);
    let both = run(&[&first, &second]);
    assert_eq!(both.hosts.len(), 1);
    let (lo, soft, cpu) = reported(&once);
    assert!(lo > 0 && soft > 0 && cpu > 0);
    assert_eq!(reported(&both), (lo, soft, cpu));
    let warnings = duplicate_warnings(&both);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("b.tar.xz!sosreport-b"), "{warnings:?}");
}
