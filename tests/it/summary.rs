//! The summary every report opens with (issue 17): the verdict across hosts, one row per
//! finding that needs action with its number and first command, and per host what the verdict
//! rests on. JSON carries it as `summary`; the page puts it before the first host.

use std::path::Path;

use crate::util::{run_bin_json, run_bin_ok};

const LVS: &str = "testdata/scenarios/nic-rx-ring-overflow-pos-lvs-fifo";
const COREOS: &str = "testdata/sosreport-3.6-coreos-master1.tar.xz";

fn json(inputs: &[&str]) -> serde_json::Value {
    let mut args = vec!["--format", "json"];
    args.extend(inputs);
    run_bin_json(args.iter().map(Path::new))
}

#[test]
fn a_live_capture_gives_its_loss_rate_first_command_and_span() {
    let s = &json(&[LVS])["summary"];
    assert_eq!(s["verdict"], "Packet loss that needs action: 1 critical.");
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "the info finding on bond1 is not a row");
    // capture.log: eth2's fifo column went 19769362 → 19781362 between 10:00:00 and 10:01:00,
    // 12000 frames in 60 s; `ethtool -g eth2` shows RX 256 of a 4096 maximum.
    assert_eq!(rows[0]["rule"], "nic-rx-ring-overflow");
    assert_eq!(rows[0]["subject"], "eth2");
    assert_eq!(rows[0]["result"], "200/s live (12000 lost)");
    assert_eq!(rows[0]["basis"], "live");
    assert_eq!(rows[0]["command"], "ethtool -G eth2 rx 4096");
    assert_eq!(rows[0]["anchor"], "lvs01-nic-rx-ring-overflow-eth2");
    let c = &s["coverage"][0];
    assert_eq!(c["host"], "lvs01");
    assert_eq!(
        c["read"],
        "live, 2 samples over 60 s (2019-03-05T10:00:00+09:00 → 2019-03-05T10:01:00+09:00)"
    );
    // No softnet_stat in the log: the coverage says so.
    assert!(c["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["label"] == "softnet_stat"));
}

#[test]
fn a_sosreport_all_clear_says_it_rests_on_one_snapshot() {
    let s = &json(&[COREOS])["summary"];
    assert_eq!(s["verdict"], "No packet loss that needs action.");
    assert_eq!(s["rows"].as_array().unwrap().len(), 0);
    // sos_commands/date/date: "Wed Oct  2 02:54:30 UTC 2019"; sos_commands/host/uptime: up 35 min.
    // Kernel logs: sos_commands/kernel/dmesg (504 lines, `wc -l`) and
    // sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1 (3665 lines), no drop message.
    assert_eq!(
        s["coverage"][0]["read"],
        "one snapshot at 2019-10-02T02:54:30+00:00: counters since boot (35 min of uptime), not proven current; 2 kernel logs (4169 lines)"
    );
}

#[test]
fn several_hosts_are_counted_and_the_page_opens_with_the_summary() {
    let s = &json(&[LVS, COREOS])["summary"];
    assert_eq!(
        s["verdict"],
        "Packet loss that needs action: 1 critical on 1 of 2 hosts."
    );
    assert_eq!(s["title"], "analyze: lvs01, localhost.localdomain");

    let html = run_bin_ok([LVS, COREOS].iter().map(Path::new));
    let summary = html.find("<section class=\"summary\"").expect("summary");
    let first_host = html.find("<section class=\"host\"").expect("host");
    assert!(summary < first_host, "the summary comes before the hosts");
    // Its row links to the card, which exists.
    assert!(html[summary..first_host].contains("href=\"#lvs01-nic-rx-ring-overflow-eth2\""));
    assert!(html.contains("id=\"lvs01-nic-rx-ring-overflow-eth2\""));
    // Each host's coverage line, linked to its section.
    assert!(html[summary..first_host].contains("<a href=\"#host-localhost.localdomain\">"));
}

#[test]
fn markdown_says_when_no_interface_has_drops_instead_of_an_empty_table() {
    // A pasted /proc/net/snmp: protocol counters, no interface at all.
    let md = run_bin_ok(
        [
            "--format",
            "md",
            "testdata/parsers/snmp/constructed-icmpmsg-two-pairs.snmp",
        ]
        .iter()
        .map(Path::new),
    );
    assert!(md.contains("No interface has a non-zero drop or error counter in its latest reading."));
    assert!(!md.contains("| Interface | Kind |"), "{md}");
    // Its summary comes first, as on the page.
    assert!(md.find("## Summary").unwrap() < md.find("### Packet path").unwrap());
}

#[test]
fn coverage_names_what_was_read_when_no_interface_was() {
    // Two TcpExt lines of `netstat -s` (no date, no uptime): one snapshot of protocol counters.
    let s = &json(&[
        "testdata/parsers/netstat_s/public-mongodb-support-tools-128-grep-listen.netstat-s",
    ])["summary"];
    assert_eq!(
        s["coverage"][0]["read"],
        "one snapshot: totals over an unknown window, not proven current"
    );
    // A pasted dmesg with conntrack "table full, dropping packet" lines (4 lines in all, `wc -l`).
    let s = &json(&["testdata/parsers/kernel_log/public-conntrack-ratelimit.dmesg"])["summary"];
    assert_eq!(
        s["coverage"][0]["read"],
        "kernel log public-conntrack-ratelimit.dmesg (4 lines) only, no counters"
    );
    // A dmesg with no message about loss is read too (it was "not an input"): 10 lines, `wc -l`.
    let s = &json(&["testdata/parsers/kernel_log/sandbox-6.18.44.dmesg"])["summary"];
    assert_eq!(s["verdict"], "No packet loss that needs action.");
    assert_eq!(
        s["coverage"][0]["read"],
        "kernel log sandbox-6.18.44.dmesg (10 lines) only, no counters"
    );
}
