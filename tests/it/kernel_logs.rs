//! Kernel logs of a sosreport (`testdata/kernel-logs/sosreport-lb01`, see its PROVENANCE.md):
//! scanned from a directory and from an archive alike, counted without adding dmesg, syslog
//! and the journal together, rotations added up, lines placed in time.

use std::path::Path;

use rules::model::{Host, LogEvent, LogMessage};

use crate::util::{run, write_temp, xz, TarBuilder, TESTDATA};

const TREE: &str = "kernel-logs/sosreport-lb01";

/// The tree as a tar.xz, its symlink kept as a symlink.
fn as_archive() -> Vec<u8> {
    let root = Path::new(TESTDATA).join(TREE);
    let mut tar = TarBuilder::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(root.parent().unwrap()).unwrap();
        let name = rel.to_str().unwrap();
        if entry.path_is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            tar = tar.symlink(name, target.to_str().unwrap());
        } else if entry.file_type().is_dir() {
            tar = tar.dir(name);
        } else {
            tar = tar.file(name, &std::fs::read(entry.path()).unwrap());
        }
    }
    xz(&tar.finish())
}

fn event(host: &Host, message: LogMessage) -> &LogEvent {
    host.kernel_log
        .iter()
        .find(|e| e.message == message)
        .unwrap_or_else(|| panic!("no {message:?} in {:?}", host.kernel_log))
}

fn check(host: &Host, prefix: &str) {
    assert_eq!(host.hostname, "lb01");
    assert_eq!(host.kernel_log.len(), 2, "{:?}", host.kernel_log);

    // dmesg: 3 `table full` lines and `net_ratelimit: 3939 callbacks suppressed`; messages
    // (rotation 2 + tail 1 = 3 lines) and the journal (3 lines) repeat the same events, so the
    // count is dmesg's, which proves the most (3 + 3939), not 3 + 3 + 3.
    let full = event(host, LogMessage::ConntrackTableFull);
    assert_eq!((full.count, full.suppressed), (3, 3939));
    // Booted 30 days before 2024-01-02 10:00 UTC = 2023-12-03 10:00; + 104235.156774 s.
    assert_eq!(full.first.unwrap().to_string(), "2023-12-04T14:57:15+00:00");
    assert_eq!(
        full.first_source,
        format!("{prefix}sos_commands/kernel/dmesg:1")
    );
    assert_eq!(
        full.example,
        "[104235.156774] nf_conntrack: nf_conntrack: table full, dropping packet"
    );
    // The last line is the syslog tail's `Jan  1 00:00:05` (year from the collection). The
    // rotation's `Dec 31 23:59:01` is 2023-12-31, the year before the collection: were it
    // placed in 2024, it would be the last line.
    assert_eq!(full.last.unwrap().to_string(), "2024-01-01T00:00:05+00:00");
    assert_eq!(
        full.last_source,
        format!("{prefix}sos_strings/logs/var.log.messages.tailed:1")
    );
    // 2024-01-01 00:00:05 is 28 days 14:00:05 after boot (2023-12-03 10:00 + 28 d = 12-31 10:00).
    assert_eq!(full.last_uptime, Some(28.0 * 86400.0 + 14.0 * 3600.0 + 5.0));

    let bond = event(host, LogMessage::BondLinkDown);
    assert_eq!(bond.subject.as_deref(), Some("enP4p1s0f1"));
    assert_eq!(bond.count, 1);
    assert_eq!(bond.first.unwrap().to_string(), "2024-01-02T09:16:55+00:00");
}

#[test]
fn kernel_logs_of_an_extracted_sosreport() {
    let dir = Path::new(TESTDATA).join(TREE);
    let report = run(&[&dir]);
    let prefix = format!("{}!", dir.display());
    check(&report.hosts[0], &prefix);
}

#[test]
fn kernel_logs_of_a_sosreport_archive_read_while_streaming() {
    let (_guard, path) = write_temp("sosreport-lb01.tar.xz", &as_archive());
    let report = run(&[&path]);
    let prefix = format!("{}!sosreport-lb01/", path.display());
    check(&report.hosts[0], &prefix);
}

#[test]
fn a_pasted_dmesg_alone_gives_its_events_without_a_time() {
    let path = Path::new(TESTDATA).join("parsers/kernel_log/public-conntrack-ratelimit.dmesg");
    let report = run(&[&path]);
    assert_eq!(report.inputs[0].error, None);
    let host = &report.hosts[0];
    let full = event(host, LogMessage::ConntrackTableFull);
    assert_eq!((full.count, full.suppressed), (3, 3939));
    // No collection time or uptime: the lines keep their uptime, not a date.
    assert_eq!((full.first, full.last), (None, None));
    assert_eq!(full.first_uptime, Some(104235.156774));
    assert_eq!(full.last_uptime, Some(104262.962157));
    assert_eq!(full.first_source, "public-conntrack-ratelimit.dmesg:1");
    assert_eq!(full.last_source, "public-conntrack-ratelimit.dmesg:4");
}

#[test]
fn kernel_lines_inside_a_long_capture_log_are_found_while_it_streams() {
    // The real seed capture (`date; ip -s -s link; top`) repeated past the size from which a
    // log is streamed, with the dmesg excerpt pasted once in the middle.
    let seed = std::fs::read_to_string(crate::util::SEED_TAP_LOG).unwrap();
    let dmesg = std::fs::read_to_string(
        Path::new(TESTDATA).join("parsers/kernel_log/public-conntrack-ratelimit.dmesg"),
    )
    .unwrap();
    let copies = (2 << 20) / seed.len() + 1;
    let mut log = seed.repeat(copies / 2);
    let dmesg_line = log.lines().count() + 1;
    log.push_str(&dmesg);
    log.push_str(&seed.repeat(copies / 2));
    assert!(log.len() > 2 << 20);
    let (_guard, path) = write_temp("drops.log", log.as_bytes());
    let host = &run(&[&path]).hosts[0];
    let full = event(host, LogMessage::ConntrackTableFull);
    assert_eq!((full.count, full.suppressed), (3, 3939));
    assert_eq!(full.first_source, format!("drops.log:{dmesg_line}"));
    assert_eq!(full.last_source, format!("drops.log:{}", dmesg_line + 3));
}

#[test]
fn the_packet_path_shows_the_logged_conntrack_drops_as_a_lower_bound() {
    let dir = Path::new(TESTDATA).join(TREE);
    let md = crate::util::run_bin_ok(["--format", "md", dir.to_str().unwrap()]);
    // 3 logged lines + 3939 suppressed, as the finding says.
    assert!(
        md.contains(
            "| Receive | IP / conntrack / filter | at least 3942 lost (kernel log) | warning conntrack-table-full host |"
        ),
        "{md}"
    );
    // A link change counts no packets: listed as a cause.
    assert!(md.contains(
        "| Receive | Wire / PHY | no packets counted lost | warning link-flap enP4p1s0f1 (a cause: counts no packets lost here) |"
    ));
}

/// `testdata/parsers/kernel_log/knowledge-literals.log`: message literals quoted one per line
/// from a knowledge file, some with a timestamp (`[ 5963.353429] …`, `May  6 10:49:21 …`),
/// most without. Loose, under a name that is not dmesg's, it is a note that quotes messages:
/// only the stamped lines count (`ingest::kernel_logs::from_text`), so the bare SYN-flooding,
/// `NETDEV WATCHDOG` and `kswapd0: page allocation failure` lines are left out on purpose.
/// Named for dmesg (`dmesg -t` prints no stamps) every line counts.
#[test]
fn a_loose_note_counts_only_stamped_kernel_lines_unless_named_for_dmesg() {
    let events = |host: &Host| -> Vec<(LogMessage, Option<String>, u64)> {
        let mut v: Vec<_> = host
            .kernel_log
            .iter()
            .map(|e| (e.message, e.subject.clone(), e.count))
            .collect();
        v.sort();
        v
    };
    let s = |x: &str| Some(x.to_string());
    let path = Path::new(TESTDATA).join("parsers/kernel_log/knowledge-literals.log");
    let note = run(&[&path]);
    let host = &note.hosts[0];
    assert_eq!(
        events(host),
        [
            // Lines 1 (`[Thu May 11 12:38:28 2023] …`) and 2 (`Jun  8 10:48:13 … [1694413.621694] …`).
            (LogMessage::ConntrackTableFull, None, 2),
            // Line 8: `[ 5963.353429] ixgbe 0000:03:00.0 enp3s0: Detected Tx Unit Hang`.
            (LogMessage::TxUnitHang, s("enp3s0"), 1),
            // Line 11: `… [13502680.515977] tap0e778df8-ca: dropped over-mtu packet: 8950 > 1450`.
            (LogMessage::OverMtuDrop, s("tap0e778df8-ca"), 1),
        ]
    );
    // Line 3, `net_ratelimit: 3939 callbacks suppressed`, follows the stamped conntrack line.
    assert_eq!(event(host, LogMessage::ConntrackTableFull).suppressed, 3939);

    let text = std::fs::read(&path).unwrap();
    let (_guard, dmesg) = write_temp("dmesg.txt", &text);
    let host = &run(&[&dmesg]).hosts[0];
    assert_eq!(
        events(host),
        [
            (LogMessage::ConntrackTableFull, None, 2),
            // Lines 4 to 6: `… Possible SYN flooding on port 80.`, `… port 127.0.0.1:23456.`,
            // `possible SYN flooding on port 4671.`
            (LogMessage::SynFlood, s("127.0.0.1:23456"), 1),
            (LogMessage::SynFlood, s("4671"), 1),
            (LogMessage::SynFlood, s("80"), 1),
            // Line 7: `NETDEV WATCHDOG: eth0 (ixgbe): transmit queue 3 timed out`.
            (LogMessage::TxTimeout, s("eth0"), 1),
            (LogMessage::TxUnitHang, s("enp3s0"), 1),
            // Line 10: `kswapd0: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), …`.
            (LogMessage::AllocationFailure, s("kswapd0"), 1),
            (LogMessage::OverMtuDrop, s("tap0e778df8-ca"), 1),
        ]
    );
    assert_eq!(
        event(host, LogMessage::AllocationFailure).first_source,
        "dmesg.txt:10"
    );
}
