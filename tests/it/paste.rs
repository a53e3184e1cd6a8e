//! What people paste: the seed captures exactly as published, every prompt shape, and each
//! paste quirk (fences, comments, marks, lost indentation, wrapped or cut lines, outputs
//! without headers, repeats). Each test asserts the host model — interface, counters keyed as
//! README's table says, rings, host name — with values read off the input by hand. Inputs
//! marked "synthetic" were written for the test; the others are real.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::*;
use rules::model::{Host, Interface, ProblemSeverity, Report};

fn seed(name: &str) -> String {
    format!("{TESTDATA}/seeds/{name}")
}

/// Reads `text` as a pasted file named `name`.
fn read(name: &str, text: &str) -> (Report, tempfile::TempDir) {
    let (dir, path) = write_temp(name, text.as_bytes());
    (run(&[&path]), dir)
}

fn host(r: &Report) -> &Host {
    assert_eq!(r.hosts.len(), 1, "{}", problems_text(r));
    &r.hosts[0]
}

fn c(i: &Interface, n: usize, key: &str) -> u64 {
    *i.samples[n]
        .counters
        .get(key)
        .unwrap_or_else(|| panic!("{} sample {n} lacks {key}", i.name))
}

fn warnings(r: &Report) -> Vec<(Option<usize>, String)> {
    r.problems
        .iter()
        .filter(|p| p.severity == ProblemSeverity::Warning)
        .map(|p| (p.line, p.message.clone()))
        .collect()
}

fn json_iface<'a>(host: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    host["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

// ---- the seeds, exactly as published ----

#[test]
fn seed003_ip_p4p2_collapsed_paste_under_a_slash_prompt() {
    let json = run_bin_json(["--format", "json", &seed("seed003-ip-p4p2.txt")]);
    let host = &json["hosts"][0];
    // `[root@/ ~]#`: `/` is not a host name.
    assert_eq!(host["hostname"], "seed003-ip-p4p2.txt");
    let p = json_iface(host, "p4p2");
    assert_eq!(p["ifindex"], 11);
    assert_eq!(p["mac"], "00:10:18:ce:0c:0e");
    let s = &p["samples"].as_array().unwrap();
    assert_eq!(s.len(), 1);
    let k = &s[0]["counters"];
    // `3405890854 1534610082 146442 0 146442 13189` under `bytes packets errors dropped
    // overrun mcast` (iproute2 ≤ v5.9: `overrun` on RX: is rx_over_errors).
    assert_eq!(k["rx_bytes"], 3405890854u64);
    assert_eq!(k["rx_packets"], 1534610082u64);
    assert_eq!(k["rx_errors"], 146442);
    assert_eq!(k["rx_dropped"], 0);
    assert_eq!(k["rx_over_errors"], 146442);
    assert_eq!(k["multicast"], 13189);
    // `RX errors: length crc frame fifo missed` / `0 0 0 0 0`
    assert_eq!(k["rx_missed_errors"], 0);
    assert_eq!(k["rx_fifo_errors"], 0);
    // `3957714091 1198049468 0 0 0 0`
    assert_eq!(k["tx_bytes"], 3957714091u64);
    assert_eq!(k["tx_packets"], 1198049468u64);
    assert_eq!(k["tx_aborted_errors"], 0);
    // Only the cut header is reported; no line is left unread.
    let problems: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("cut before the closing `>`"));
}

#[test]
fn seed003_ifconfig_with_marks_and_two_ring_readings() {
    let json = run_bin_json(["--format", "json", &seed("seed003-ifconfig-ring.txt")]);
    let host = &json["hosts"][0];
    let e = json_iface(host, "eth0");
    assert_eq!(e["mac"], "d4:ae:52:34:e6:2e");
    assert_eq!(e["qlen"], 1000); // `collisions:0 txqueuelen:1000`
    assert_eq!(e["mtu"], 1500);
    let k = &e["samples"][0]["counters"];
    // `>> RX packets:1419121922 [errors:71111] dropped:0 [overruns:71111] frame:0 <<`
    assert_eq!(k["rx_packets"], 1419121922u64);
    assert_eq!(k["rx_errors"], 71111);
    assert_eq!(k["proc_rx_drop"], 0);
    assert_eq!(k["rx_fifo_errors"], 71111);
    assert_eq!(k["proc_rx_frame"], 0);
    // `TX packets:1515463943 errors:0 dropped:0 overruns:0 carrier:0`
    assert_eq!(k["tx_packets"], 1515463943u64);
    assert_eq!(k["proc_tx_carrier"], 0);
    // `RX bytes:864269160026 (804.9 GiB) TX bytes:1319266440662 (1.1 TiB)`
    assert_eq!(k["rx_bytes"], 864269160026u64);
    assert_eq!(k["tx_bytes"], 1319266440662u64);
    // `# ethtool -g eth0` before and after `# ethtool -G eth0 rx 4096 tx 4096`.
    let readings = e["ring_readings"].as_array().unwrap();
    assert_eq!(readings.len(), 2);
    assert_eq!(
        (&readings[0]["rx"], &readings[0]["rx_max"]),
        (&256.into(), &4096.into())
    );
    assert_eq!(readings[0]["tx"], 256);
    assert_eq!(
        (&readings[1]["rx"], &readings[1]["rx_max"]),
        (&4096.into(), &4096.into())
    );
    assert_eq!(e["ring"]["rx"], 4096);
    assert_eq!(e["ring"]["tx_max"], 4096);
    // The removed marks are listed (line 3), and so are the 12 prose lines (from line 8).
    let problems: Vec<(u64, &str)> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["message"].as_str().unwrap()))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, 3);
    assert!(problems[0].1.starts_with("marks added to pasted output"));
    assert_eq!(problems[1].0, 8);
    assert!(problems[1].1.starts_with("12 line(s) outside"));
}

#[test]
fn seed001_proc_net_dev_after_a_dollar_prompt_reads_clean() {
    let json = run_bin_json(["--format", "json", &seed("seed001-proc-net-dev.txt")]);
    assert!(json["problems"].as_array().unwrap().is_empty());
    let host = &json["hosts"][0];
    assert_eq!(host["interfaces"].as_array().unwrap().len(), 9);
    // `  eth2: 301300435242358 1242429666624    0 19769362 19769362     0          0  94522274 …`
    let k = &json_iface(host, "eth2")["samples"][0]["counters"];
    assert_eq!(k["rx_bytes"], 301300435242358u64);
    assert_eq!(k["rx_packets"], 1242429666624u64);
    assert_eq!(k["proc_rx_drop"], 19769362);
    assert_eq!(k["rx_fifo_errors"], 19769362);
    assert_eq!(k["multicast"], 94522274);
    assert_eq!(k["tx_packets"], 1104977621u64);
    let k = &json_iface(host, "bond0.12")["samples"][0]["counters"];
    assert_eq!(k["tx_bytes"], 72909647177800u64);
}

// ---- prompts ----

#[test]
fn every_prompt_shape_names_the_host_only_when_plausible() {
    // Synthetic: one `hostname`-less paste per prompt shape.
    let body = "\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    RX: bytes  packets  errors  dropped overrun mcast\n    100        2        0       0       0       0\n    TX: bytes  packets  errors  dropped carrier collsns\n    100        2        0       0       0       0\n";
    for (prompt, expected) in [
        ("[root@web01 ~]# ip -s link", "web01"),
        (
            "[admin@db-2.example.com network-scripts]$ ip -s link",
            "db-2.example.com",
        ),
        ("suse15:~ # ip -s link", "suse15"),
        ("geeko@suse15:~> ip -s link", "suse15"),
        ("ops@bastion:~$ ip -s link", "bastion"),
        ("ops@mac-mini ~ % ip -s link", "mac-mini"),
        ("root@lb7# ip -s link", "lb7"),
        ("[root@/ ~]# ip -s link", "paste.txt"),
        ("[root@localhost ~]# ip -s link", "paste.txt"),
        ("root@10.0.0.12:~# ip -s link", "paste.txt"),
        ("[root@~ ~]# ip -s link", "paste.txt"),
        ("$ ip -s link", "paste.txt"),
        ("# ip -s link", "paste.txt"),
        ("% ip -s link", "paste.txt"),
    ] {
        let (r, _d) = read("paste.txt", &format!("{prompt}{body}"));
        let h = host(&r);
        assert_eq!(h.hostname, expected, "{prompt}");
        assert_eq!(c(iface(h, "lo"), 0, "rx_packets"), 2, "{prompt}");
        assert!(r.problems.is_empty(), "{prompt}: {}", problems_text(&r));
    }
}

// ---- paste quirks ----

/// Synthetic: an `ip -s -s link` block (iproute2 ≥ v5.10 layout) as the quirk tests dress it.
const IP_BLOCK: &str = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    RX:  bytes packets errors dropped  missed   mcast
      90000     700      3       4      55       6
    RX errors:  length    crc   frame    fifo overrun
                     0      1       2       0       0
    TX:  bytes packets errors dropped carrier collsns
      80000     600      0       7       0       0
    TX errors: aborted   fifo  window heartbt transns
                     0      0       0       0       2
";

fn assert_ip_block(h: &Host) {
    let e = iface(h, "eth0");
    assert_eq!(e.samples.len(), 1, "{:?}", e.samples);
    assert_eq!(c(e, 0, "rx_packets"), 700);
    assert_eq!(c(e, 0, "rx_errors"), 3);
    assert_eq!(c(e, 0, "rx_dropped"), 4);
    assert_eq!(c(e, 0, "rx_missed_errors"), 55);
    assert_eq!(c(e, 0, "rx_crc_errors"), 1);
    assert_eq!(c(e, 0, "rx_frame_errors"), 2);
    assert_eq!(c(e, 0, "tx_dropped"), 7);
    assert_eq!(c(e, 0, "carrier_changes"), 2);
    assert_eq!(e.qlen, Some(1000));
    assert_eq!(e.mac.as_deref(), Some("52:54:00:12:34:56"));
}

#[test]
fn clean_block_gets_no_warning() {
    let (r, _d) = read("ip.txt", &format!("$ ip -s -s link show eth0\n{IP_BLOCK}"));
    assert_ip_block(host(&r));
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
}

#[test]
fn markdown_fence_crlf_and_stripped_indentation() {
    // Synthetic: a ticket comment, CRLF, the block inside a fence with its indentation lost.
    let flat: String = IP_BLOCK
        .lines()
        .map(|l| format!("{}\r\n", l.trim_start()))
        .collect();
    let text = format!(
        "Here is the output:\r\n```\r\n$ ip -s -s link show eth0\r\n{flat}```\r\nThanks\r\n"
    );
    let (r, _d) = read("ticket.md", &text);
    assert_ip_block(host(&r));
    // Only the two prose lines are left unread.
    assert_eq!(
        warnings(&r),
        [(
            Some(1),
            "2 line(s) outside any recognised command output were not read (first at line 1)"
                .to_string()
        )]
    );
}

#[test]
fn tab_expanded_and_tab_indented_blocks_read_the_same() {
    // Synthetic: the block with tabs for the indentation.
    let tabbed = IP_BLOCK.replace("    ", "\t");
    let (r, _d) = read("ip.txt", &format!("# ip -s -s link\n{tabbed}"));
    assert_ip_block(host(&r));
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
}

#[test]
fn output_commented_out_in_a_script() {
    // Synthetic: a script that keeps the output it saw as `# ` comments.
    let commented: String = IP_BLOCK.lines().map(|l| format!("# {l}\n")).collect();
    let text = format!("#!/bin/sh\n# before the change:\n# ip -s -s link show eth0\n{commented}ethtool -G eth0 rx 4096\n");
    let (r, _d) = read("fix.sh", &text);
    assert_ip_block(host(&r));
}

#[test]
fn ring_readings_commented_out_around_a_change() {
    // Synthetic: a tuning script that records `ethtool -g` before and after `-G` as comments.
    let text = "#!/bin/sh\n# ethtool -g eth1\n# Ring parameters for eth1:\n# Pre-set maximums:\n# RX:\t\t4096\n# RX Mini:\t0\n# RX Jumbo:\t0\n# TX:\t\t4096\n# Current hardware settings:\n# RX:\t\t512\n# RX Mini:\t0\n# RX Jumbo:\t0\n# TX:\t\t512\nethtool -G eth1 rx 4096\n# ethtool -g eth1\n# Ring parameters for eth1:\n# Pre-set maximums:\n# RX:\t\t4096\n# RX Mini:\t0\n# RX Jumbo:\t0\n# TX:\t\t4096\n# Current hardware settings:\n# RX:\t\t4096\n# RX Mini:\t0\n# RX Jumbo:\t0\n# TX:\t\t512\n";
    let (r, _d) = read("tune.sh", text);
    assert!(
        r.problems.iter().all(|p| p.line == Some(1)),
        "{}",
        problems_text(&r)
    );
    let e = iface(host(&r), "eth1");
    let rx: Vec<(Option<u64>, Option<u64>)> =
        e.ring_readings.iter().map(|g| (g.rx, g.rx_max)).collect();
    assert_eq!(rx, [(Some(512), Some(4096)), (Some(4096), Some(4096))]);
    assert_eq!(e.ring.as_ref().unwrap().tx, Some(512));
}

#[test]
fn output_quoted_in_a_c_comment() {
    // Synthetic: a driver patch that quotes the counters in its comment.
    let quoted: String = IP_BLOCK.lines().map(|l| format!(" * {l}\n")).collect();
    let text = format!("/*\n * $ ip -s -s link show eth0\n{quoted} */\nstatic int x;\n");
    let (r, _d) = read("patch.c", &text);
    assert_ip_block(host(&r));
}

#[test]
fn output_between_prose_lines() {
    // Synthetic: prose, the output (announced by nothing), prose again.
    let text =
        format!("We saw this on the host:\n{IP_BLOCK}After that the drops stopped.\nRegards\n");
    let (r, _d) = read("mail.txt", &text);
    assert_ip_block(host(&r));
    assert_eq!(warnings(&r).len(), 1);
    assert!(warnings(&r)[0].1.starts_with("3 line(s) outside"));
}

#[test]
fn wrapped_header_line_is_joined_and_reported() {
    // Synthetic: a forum wrapped the header after `state UP` and cut the flags of another.
    let wrapped = IP_BLOCK.replacen(
        " mode DEFAULT group default qlen 1000\n",
        "\nmode DEFAULT group default qlen 1000\n",
        1,
    );
    let (r, _d) = read("forum.txt", &format!("$ ip -s -s link\n{wrapped}"));
    assert_ip_block(host(&r));
    assert_eq!(iface(host(&r), "eth0").state.as_deref(), Some("UP"));
    let w = warnings(&r);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, Some(3));
    assert!(w[0].1.contains("wrapped onto the next line were joined"));

    let cut = IP_BLOCK.replacen("LOWER_UP> mtu", "LOWER_\nUP> mtu", 1);
    let (r, _d) = read("forum.txt", &format!("$ ip -s -s link\n{cut}"));
    assert_ip_block(host(&r));
    // Joined without a space: `<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 … state UP`.
    assert_eq!(iface(host(&r), "eth0").mtu, Some(1500));
    assert_eq!(iface(host(&r), "eth0").state.as_deref(), Some("UP"));
    let w = warnings(&r);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].1.contains("wrapped onto the next line were joined"));
}

#[test]
fn marks_bold_and_arrow_comments_are_removed_and_reported() {
    // Synthetic: an engineer points at the numbers.
    let marked = IP_BLOCK
        .replacen(
            "      55       6\n",
            "      **55**       6   <-- missed!\n",
            1,
        )
        .replacen(
            "       7       0       0\n",
            "       7       0       0 <<\n",
            1,
        );
    let (r, _d) = read("marked.txt", &format!("$ ip -s -s link\n{marked}"));
    assert_ip_block(host(&r));
    let w = warnings(&r);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, Some(5));
    assert!(w[0].1.contains("removed on 2 line(s)"));
}

#[test]
fn lone_ifconfig_rx_line_from_seed_001() {
    // Real: line 24 of shared/seeds/001_3920918d03cb3ab8.txt, between two prose lines.
    let text = "このようにifconfigのoverrunsというなかなか上がらないカウンターが昇竜拳していました。\n\nRX packets:1215382409979 errors:0 dropped:9836789 overruns:9836789 frame:0\n\n値の元になっている/proc/net/devをみてみます。\n";
    let (r, _d) = read("note.txt", text);
    let h = host(&r);
    let i = &h.interfaces[0];
    // No device name in the paste: a placeholder the reader replaces in the commands.
    assert_eq!(i.name, "IFACE");
    assert_eq!(c(i, 0, "rx_packets"), 1215382409979);
    assert_eq!(c(i, 0, "proc_rx_drop"), 9836789);
    assert_eq!(c(i, 0, "rx_fifo_errors"), 9836789);
    // The guess (no interface header) is listed.
    assert!(
        r.problems.iter().any(|p| p.line == Some(3)),
        "{}",
        problems_text(&r)
    );
}

#[test]
fn headerless_proc_net_dev_row_between_prose() {
    // Real row (seed 001, eth2) pasted alone between two synthetic prose lines.
    let text = "the fifo column keeps growing:\n  eth2: 301300435242358 1242429666624    0 19769362 19769362     0          0  94522274 59829396211 1104977621    0    0    0     0       0          0\nsee above\n";
    let (r, _d) = read("note.txt", text);
    let e = iface(host(&r), "eth2");
    assert_eq!(c(e, 0, "rx_fifo_errors"), 19769362);
    assert_eq!(c(e, 0, "proc_rx_drop"), 19769362);
    assert_eq!(c(e, 0, "tx_packets"), 1104977621);
    assert!(has_problem(
        &r,
        "note.txt",
        "assumed the standard 16-column layout"
    ));
}

#[test]
fn proc_net_dev_cut_at_terminal_width() {
    // Synthetic cut of the real seed 001 table: every line at 80 columns.
    let cut: String = std::fs::read_to_string(seed("seed001-proc-net-dev.txt"))
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", &l[..l.len().min(80)]))
        .collect();
    let (r, _d) = read("cut.txt", &cut);
    let e = iface(host(&r), "eth2");
    assert_eq!(c(e, 0, "rx_packets"), 1242429666624);
    assert_eq!(c(e, 0, "rx_fifo_errors"), 19769362);
    assert!(!e.samples[0].counters.contains_key("multicast"));
    assert!(has_problem(&r, "cut.txt", "cut at `packe`"));
    assert!(has_problem(
        &r,
        "cut.txt",
        "read as cut at the terminal width"
    ));
}

// ---- new inputs ----

#[test]
fn netstat_i_paste_in_the_host_model() {
    // Real: github.com/vgropp/bwm-ng issue #5 (CentOS 7.2), with its `netstat -i` line.
    let text = include_str!(testdata!(
        "parsers/netstat_iface/issue-bwm-ng-5-centos7-netstat-i.txt"
    ));
    let (r, _d) = read("netstat.txt", text);
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    let h = host(&r);
    // `eno1      1500 49629382      0      8 0      47076697      0      0      0 BMRU`
    let e = iface(h, "eno1");
    assert_eq!(e.mtu, Some(1500));
    assert_eq!(c(e, 0, "rx_packets"), 49629382);
    assert_eq!(c(e, 0, "proc_rx_drop"), 8);
    assert_eq!(c(e, 0, "rx_fifo_errors"), 0);
    assert_eq!(c(e, 0, "netstat_rx_err"), 0);
    assert_eq!(c(e, 0, "tx_packets"), 47076697);
    assert_eq!(c(iface(h, "lo"), 0, "tx_packets"), 36376);
}

#[test]
fn ip_json_paste_in_the_host_model() {
    // Real: `ip -j -p -s -s -d link` from this project's sandbox, after a prompt.
    let json = include_str!(testdata!(
        "parsers/ipjson/sandbox-iproute2-6.1-ip-j-p-s-s-d-link.json"
    ));
    let (r, _d) = read(
        "j.txt",
        &format!("[root@sandbox ~]# ip -j -p -s -s -d link\n{json}"),
    );
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    let h = host(&r);
    assert_eq!(h.hostname, "sandbox");
    let e = iface(h, "eth0");
    assert_eq!(e.ifindex, Some(4));
    assert_eq!(e.mtu, Some(1400));
    assert_eq!(e.qlen, Some(1000));
    assert_eq!(c(e, 0, "rx_bytes"), 30807757);
    assert_eq!(c(e, 0, "rx_packets"), 1198);
    assert_eq!(c(e, 0, "carrier_changes"), 2);
    assert_eq!(iface(h, "ifb0").kind, rules::model::InterfaceKind::Other);
}

// ---- the same command twice ----

/// Asserts two samples of `name` in input order with `key` = `a` then `b`, and their times.
fn two_samples(r: &Report, name: &str, key: &str, a: u64, b: u64, timed: bool) {
    let i = iface(host(r), name);
    assert_eq!(i.samples.len(), 2, "{name}: {:?}", i.samples);
    assert_eq!(c(i, 0, key), a);
    assert_eq!(c(i, 1, key), b);
    assert_eq!(i.samples[0].time.is_some(), timed);
    assert_eq!(i.samples[1].time.is_some(), timed);
    // One interval between them; a rate only with times.
    let d = &i.deltas[0];
    assert_eq!(d.deltas[key], b - a);
    assert_eq!(d.rates.is_empty(), !timed);
}

#[test]
fn two_ip_pastes_separated_by_prompts() {
    // Synthetic: the same block twice, rx_missed_errors 55 → 90.
    let later = IP_BLOCK.replacen("      55       6\n", "      90       6\n", 1);
    let text = format!(
        "$ ip -s -s link show eth0\n{IP_BLOCK}$ sleep 10\n$ ip -s -s link show eth0\n{later}"
    );
    let (r, _d) = read("twice.txt", &text);
    two_samples(&r, "eth0", "rx_missed_errors", 55, 90, false);
}

#[test]
fn two_proc_net_dev_pastes_separated_by_date() {
    // Synthetic around a real table: seed 001 twice, eth2 fifo 19769362 → 19769462, dated.
    let table = std::fs::read_to_string(seed("seed001-proc-net-dev.txt")).unwrap();
    let later = table.replacen("19769362 19769362", "19769462 19769462", 1);
    let text =
        format!("Tue Nov 29 12:28:22 EST 2016\n{table}Tue Nov 29 12:28:32 EST 2016\n{later}");
    let (r, _d) = read("twice.txt", &text);
    two_samples(&r, "eth2", "rx_fifo_errors", 19769362, 19769462, true);
    let d = &iface(host(&r), "eth2").deltas[0];
    assert_eq!(d.seconds, Some(10.0));
    assert_eq!(d.rates["rx_fifo_errors"], 10.0);
}

#[test]
fn two_ifconfig_pastes_with_nothing_between() {
    // Synthetic from the seed 003 block: overruns 71111 → 71311, back to back.
    let block = "eth0 Link encap:Ethernet HWaddr D4:AE:52:34:E6:2E\nUP BROADCAST RUNNING SLAVE MULTICAST MTU:1500 Metric:1\nRX packets:1419121922 errors:71111 dropped:0 overruns:71111 frame:0\nTX packets:1515463943 errors:0 dropped:0 overruns:0 carrier:0\ncollisions:0 txqueuelen:1000\nRX bytes:864269160026 (804.9 GiB) TX bytes:1319266440662 (1.1 TiB)\n";
    let later = block.replace("overruns:71111", "overruns:71311");
    let (r, _d) = read("twice.txt", &format!("{block}{later}"));
    two_samples(&r, "eth0", "rx_fifo_errors", 71111, 71311, false);
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
}

#[test]
fn two_ethtool_s_pastes_separated_by_prompts() {
    // Synthetic: igb counters, rx_no_buffer_count 527 → 600.
    let text = "# ethtool -S eth0\nNIC statistics:\n     rx_packets: 3811442771\n     rx_no_buffer_count: 527\n# ethtool -S eth0\nNIC statistics:\n     rx_packets: 3811442999\n     rx_no_buffer_count: 600\n";
    let (r, _d) = read("twice.txt", text);
    let e = iface(host(&r), "eth0");
    assert_eq!(e.ethtool.len(), 2);
    assert_eq!(e.ethtool[0].stats["rx_no_buffer_count"], 527);
    assert_eq!(e.ethtool[1].stats["rx_no_buffer_count"], 600);
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
}

#[test]
fn two_netstat_i_pastes_separated_by_dates() {
    // Synthetic around the real sandbox table: eth0 RX-OK 1198 → 1298.
    let table = include_str!(testdata!(
        "parsers/netstat_iface/sandbox-net-tools-2.10-netstat-ia.txt"
    ));
    let later = table.replacen("     1198 ", "     1298 ", 1);
    let text = format!("$ date\nWed Dec  2 15:35:00 UTC 2026\n$ netstat -ia\n{table}$ date\nWed Dec  2 15:35:20 UTC 2026\n$ netstat -ia\n{later}");
    let (r, _d) = read("twice.txt", &text);
    two_samples(&r, "eth0", "rx_packets", 1198, 1298, true);
    assert_eq!(iface(host(&r), "eth0").deltas[0].rates["rx_packets"], 5.0);
}

#[test]
fn two_pretty_ip_json_runs_without_prompts_separated_by_dates() {
    // Synthetic around the real sandbox capture: two dated runs, eth0 rx_packets 1198 → 1298.
    let json = include_str!(testdata!(
        "parsers/ipjson/sandbox-iproute2-6.1-ip-j-p-s-s-d-link.json"
    ));
    let later = json.replacen("\"packets\": 1198,", "\"packets\": 1298,", 1);
    assert_ne!(json, later);
    let text = format!("Wed Dec  2 15:35:00 UTC 2026\n{json}Wed Dec  2 15:35:10 UTC 2026\n{later}");
    let (r, _d) = read("twice.txt", &text);
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    two_samples(&r, "eth0", "rx_packets", 1198, 1298, true);
}

// ---- standard input ----

#[test]
fn dash_reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_analyze"))
        .args(["--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(seed("seed003-ip-p4p2.txt")).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["inputs"][0]["path"], "stdin");
    let host = &json["hosts"][0];
    assert_eq!(host["hostname"], "stdin");
    let p = json_iface(host, "p4p2");
    assert_eq!(p["samples"][0]["source"], "stdin:2");
    assert_eq!(p["samples"][0]["counters"]["rx_over_errors"], 146442);
    assert!(Path::new(env!("CARGO_BIN_EXE_analyze")).exists());
}

/// SYNTHETIC: a loop of `date; nstat -az; tc -s qdisc show; conntrack -S; cat
/// /proc/net/sockstat; cat /proc/sys/net/netfilter/nf_conntrack_count` without command echoes,
/// 10 s apart, numbers made up. Each output is recognised by its first line.
#[test]
fn layers_above_the_nic_in_a_capture_log_get_live_rates() {
    let sample = |time: &str, overflows: u64, dropped: u64, ct_drop: u64, mem: u64, count: u64| {
        format!(
            "{time}\n\
             #kernel\n\
             TcpExtListenOverflows           {overflows}                0.0\n\
             UdpRcvbufErrors                 5                  0.0\n\
             qdisc pfifo_fast 0: dev eth0 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n \
             Sent 1000 bytes 10 pkt (dropped {dropped}, overlimits 0 requeues 0)\n \
             backlog 0b 0p requeues 0\n\
             cpu=0   \tfound=0 invalid=0 ignore=0 insert=0 insert_failed=0 drop={ct_drop} early_drop=0 error=0 search_restart=0\n\
             sockets: used 100\n\
             TCP: inuse 3 orphan 0 tw 0 alloc 4 mem {mem}\n"
        ) + &format!("{count}\n")
    };
    let text = sample("Thu Dec  3 10:00:00 UTC 2026", 100, 2, 0, 50, 9)
        + &sample("Thu Dec  3 10:00:10 UTC 2026", 600, 22, 30, 80, 7);
    let (r, _dir) = read("drops.txt", &text);
    let h = host(&r);
    // nstat: ListenOverflows 100 → 600 in 10 s = 50/s.
    let live: Vec<_> = h
        .protocol
        .deltas
        .iter()
        .filter(|d| d.seconds == Some(10.0))
        .collect();
    assert_eq!(live.len(), 1, "{:#?}", h.protocol.deltas);
    assert_eq!(live[0].deltas["TcpExtListenOverflows"], 500);
    assert_eq!(live[0].rates["TcpExtListenOverflows"], 50.0);
    assert_eq!(live[0].deltas["UdpRcvbufErrors"], 0);
    // tc: pfifo_fast on eth0 dropped 2 → 22.
    assert_eq!(h.qdiscs.len(), 1);
    let q = &h.qdiscs[0];
    assert_eq!(
        (q.dev.as_str(), q.kind.as_str(), q.parent.as_deref()),
        ("eth0", "pfifo_fast", None)
    );
    assert_eq!(q.counters.deltas[0].deltas["dropped"], 20);
    assert_eq!(q.counters.deltas[0].rates["dropped"], 2.0);
    // conntrack -S: drop 0 → 30.
    assert_eq!(h.conntrack.deltas[0].deltas["drop"], 30);
    // sockstat: TCP mem peaked at 80 pages in the second sample.
    assert_eq!(h.sockstat.readings, 2);
    assert_eq!(h.sockstat.peaks["TCP_mem"].value, 80);
}

// ---- /proc/net/snmp and /proc/net/netstat: protocol counters, never interfaces ----

fn snmp_fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{TESTDATA}/parsers/snmp/{name}")).unwrap()
}

/// The counters of `constructed-icmpmsg-two-pairs.snmp` that the model keeps (its `Tcp:`
/// pair: `InSegs OutSegs RetransSegs InErrs … InCsumErrors` = `1000 2000 30 4 … 3`; the
/// `IcmpMsg:` types are not kept).
const TWO_PAIRS_TCP: &[(&str, u64)] = &[
    ("TcpInCsumErrors", 3),
    ("TcpInErrs", 4),
    ("TcpInSegs", 1000),
    ("TcpOutSegs", 2000),
    ("TcpRetransSegs", 30),
];

fn assert_two_pairs_read(h: &Host, source: &str) {
    let names: Vec<&str> = h.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert!(
        !names.contains(&"IcmpMsg") && !names.contains(&"Tcp"),
        "{names:?}"
    );
    let sample = h
        .protocol
        .samples
        .iter()
        .find(|s| s.source == source)
        .unwrap_or_else(|| panic!("no protocol sample from {source}: {:?}", h.protocol));
    let got: Vec<(&str, u64)> = sample
        .counters
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(got, TWO_PAIRS_TCP);
    for f in &h.findings {
        assert!(
            !names.is_empty() || f.subject == "host",
            "{} on {}",
            f.rule,
            f.subject
        );
        assert!(
            !f.remediation.iter().any(|r| r.contains("IcmpMsg")),
            "{}: {:?}",
            f.rule,
            f.remediation
        );
    }
}

#[test]
fn proc_net_snmp_pasted_alone_is_protocol_counters_not_an_interface() {
    // `IcmpMsg: 1 2 … 16` (16 numbers after a name and a colon) has the shape of a headerless
    // /proc/net/dev row: it was read as an interface `IcmpMsg` with a tx-queue-drop finding.
    let name = "constructed-icmpmsg-two-pairs.snmp";
    let (r, _d) = read(name, &snmp_fixture(name));
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    let h = host(&r);
    assert!(h.interfaces.is_empty(), "{:?}", h.interfaces);
    assert_two_pairs_read(h, name);
    // TcpInErrs 4, of which InCsumErrors 3: the IP/TCP layer discarded packets (the host's
    // finding, not a device's).
    let rules: Vec<(&str, &str)> = h
        .findings
        .iter()
        .map(|f| (f.rule, f.subject.as_str()))
        .collect();
    assert_eq!(rules, [("protocol-discards", "host")]);
}

#[test]
fn proc_net_snmp_indented_by_a_paste_is_still_protocol_counters() {
    // The same file as a Markdown code block (every line indented by four spaces).
    let text: String = snmp_fixture("constructed-icmpmsg-two-pairs.snmp")
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    let (r, _d) = read("ticket.txt", &text);
    let h = host(&r);
    assert!(h.interfaces.is_empty(), "{:?}", h.interfaces);
    assert_eq!(h.protocol.samples.len(), 1, "{:?}", h.protocol);
    let counters = &h.protocol.samples[0].counters;
    assert_eq!(counters["TcpInSegs"], 1000);
    assert_eq!(counters["TcpInCsumErrors"], 3);
}

/// SYNTHETIC log of real and constructed outputs: `cat /proc/net/snmp` (the two-`IcmpMsg`
/// file), `cat /proc/net/netstat` (coreos-master1's), then the seed 001 `/proc/net/dev` paste,
/// each after a prompt; then the snmp file again with no command before it.
#[test]
fn proc_net_snmp_and_netstat_in_a_capture_log_beside_proc_net_dev() {
    let snmp = snmp_fixture("constructed-icmpmsg-two-pairs.snmp");
    let netstat = snmp_fixture("coreos-master1-4.18.0-80.netstat");
    let dev = std::fs::read_to_string(seed("seed001-proc-net-dev.txt")).unwrap();
    let text = format!(
        "[root@web01 ~]# cat /proc/net/snmp\n{snmp}[root@web01 ~]# cat /proc/net/netstat\n{netstat}{dev}\
         Thu Dec  3 10:00:00 UTC 2026\n{snmp}"
    );
    let snmp_lines = snmp.lines().count();
    let (r, _d) = read("drops.log", &text);
    assert!(
        r.problems.iter().all(|p| !p.message.contains("IcmpMsg")),
        "{}",
        problems_text(&r)
    );
    let h = host(&r);
    // Only seed 001's nine devices.
    let mut names: Vec<&str> = h.interfaces.iter().map(|i| i.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["bond0", "bond0.11", "bond0.12", "bond1", "eth0", "eth1", "eth2", "eth3", "lo"]
    );
    assert_eq!(c(iface(h, "eth2"), 0, "rx_fifo_errors"), 19769362);
    // The snmp output starts on line 2 (after its prompt), and again after the date line.
    assert_two_pairs_read(h, "drops.log:2");
    let again = snmp_lines + netstat.lines().count() + dev.lines().count() + 4;
    assert_two_pairs_read(h, &format!("drops.log:{again}"));
    // /proc/net/netstat: `TcpExt: … ListenOverflows ListenDrops …` are 0 0 on coreos-master1.
    let netstat_sample = h
        .protocol
        .samples
        .iter()
        .find(|s| s.source == format!("drops.log:{}", snmp_lines + 3))
        .unwrap_or_else(|| panic!("{:?}", h.protocol.samples));
    assert_eq!(netstat_sample.counters["TcpExtListenOverflows"], 0);
    assert_eq!(netstat_sample.counters["TcpExtListenDrops"], 0);
    assert!(!netstat_sample.counters.contains_key("TcpInSegs"));
}

// ---- netstat -s, nstat and tc fragments as people paste them ----

fn fixture_text(dir: &str, name: &str) -> String {
    std::fs::read_to_string(format!("{TESTDATA}/parsers/{dir}/{name}")).unwrap()
}

/// The protocol counters of the one reading a paste gave.
fn protocol(r: &Report) -> Vec<(String, u64)> {
    let h = host(r);
    assert_eq!(h.protocol.samples.len(), 1, "{:?}", h.protocol);
    h.protocol.samples[0]
        .counters
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

fn rules_of(r: &Report) -> Vec<(&'static str, &str)> {
    host(r)
        .findings
        .iter()
        .map(|f| (f.rule, f.subject.as_str()))
        .collect()
}

fn owned(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn netstat_s_lines_grepped_without_their_section_header() {
    // `netstat -s | grep -i listen` as quoted in mongodb/support-tools#128: the second line
    // lost its indentation. Both wordings belong to TcpExt only.
    let name = "public-mongodb-support-tools-128-grep-listen.netstat-s";
    let (r, _d) = read(name, &fixture_text("netstat_s", name));
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    assert_eq!(
        protocol(&r),
        owned(&[
            ("TcpExtListenDrops", 30140232),
            ("TcpExtListenOverflows", 189088)
        ])
    );
    assert_eq!(rules_of(&r), [("tcp-listen-overflow", "host")]);
    // The knowledge file's quote: 22438 overflows, 49148 SYNs dropped.
    let name = "knowledge-ddcode-listen.netstat-s";
    let (r, _d) = read(name, &fixture_text("netstat_s", name));
    assert_eq!(
        protocol(&r),
        owned(&[
            ("TcpExtListenDrops", 49148),
            ("TcpExtListenOverflows", 22438)
        ])
    );
}

#[test]
fn netstat_s_pasted_from_a_section_other_than_ip() {
    // solana#1091's `netstat -suna`: starts at `Udp:`; 4238702717 receive buffer errors out of
    // 4487413003 datagrams received.
    let name = "knowledge-solana-1091-udp.netstat-s";
    let (r, _d) = read(name, &fixture_text("netstat_s", name));
    let counters = protocol(&r);
    assert!(counters.contains(&("UdpRcvbufErrors".to_string(), 4238702717)));
    assert!(counters.contains(&("UdpInDatagrams".to_string(), 4487413003)));
    assert_eq!(rules_of(&r), [("udp-rcvbuf-errors", "host")]);
    // `netstat -s -6` starts at `Ip6:`; it ends with the IPv4 `Tcp:` section (7917 segments in).
    let name = "sandbox-6.18.44.netstat-s-6";
    let (r, _d) = read(name, &fixture_text("netstat_s", name));
    assert!(protocol(&r).contains(&("TcpInSegs".to_string(), 7917)));
}

#[test]
fn nstat_rows_without_their_header_json_and_a_daemon_header() {
    // netdata#3234: `nstat -za TcpExtTCPReqQFullDrop` quoted without its `#kernel` line.
    let name = "public-netdata-3234-one-row.nstat";
    let (r, _d) = read(name, &fixture_text("nstat", name));
    assert!(r.problems.is_empty(), "{}", problems_text(&r));
    assert_eq!(protocol(&r), owned(&[("TcpExtTCPReqQFullDrop", 0)]));
    assert!(host(&r).findings.is_empty());
    // `nstat -ajs`: {"kernel":{"IpInReceives":7975, …}}.
    let name = "sandbox-6.18.44.nstat-ajs.json";
    let (r, _d) = read(name, &fixture_text("nstat", name));
    assert!(protocol(&r).contains(&("IpInReceives".to_string(), 7975)));
    // A daemon's `#12345.1804289383 sampling_interval=10 time_const=60`: 12 overflows, 15
    // listen drops.
    let name = "constructed-daemon-overflow-longname.nstat";
    let (r, _d) = read(name, &fixture_text("nstat", name));
    let counters = protocol(&r);
    assert!(counters.contains(&("TcpExtListenOverflows".to_string(), 12)));
    assert!(counters.contains(&("TcpExtListenDrops".to_string(), 15)));
}

/// SYNTHETIC: lines that look like counters but belong to no protocol group are no input.
#[test]
fn counter_shaped_lines_of_no_protocol_group_are_not_read() {
    for text in [
        "MemTotal:       16318412 kB\nMemFree:         1183412 kB\n",
        "Ipsum 12 0.0\n",
        "    12 apples in the basket\n",
    ] {
        let (r, _d) = read("notes.txt", text);
        assert!(r.hosts.is_empty(), "{text:?} was read");
        assert!(
            r.inputs[0]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("matches no known capture")),
            "{text:?}: {:?}",
            r.inputs[0].error
        );
    }
}

#[test]
fn tc_qdisc_show_dev_pasted_alone_keeps_its_drops() {
    // `tc -s qdisc show dev v1` prints no `dev`: its tbf dropped 163544 of 163817 packets
    // (273 sent). It was left out, and the report said "No packet loss that needs action".
    let name = "sandbox-6.18.44-htb-dev-v1.tc_-s_qdisc_show_dev";
    let (r, _d) = read(name, &fixture_text("qdisc", name));
    let h = host(&r);
    assert_eq!(rules_of(&r), [("qdisc-drop", "IFACE")]);
    assert_eq!(h.findings[0].evidence[0].value, Some(163544.0));
    assert!(h.qdiscs.iter().all(|q| q.dev == "IFACE"));
    assert!(
        warnings(&r)
            .iter()
            .any(|(line, m)| *line == Some(1) && m.contains("names no device")),
        "{:?}",
        warnings(&r)
    );
}

#[test]
fn sar_text_pasted_alone_is_read_by_its_banner() {
    // sysstat 12.6.1 `sar -A` text, 1-second intervals 21:30:57 → 21:31:06: h7v0's txdrop/s
    // column reads 60, 3, 54, 5, 54, 9, 50, 13, 44, 13 (average 30.50).
    let name = "sandbox-sysstat12.6.1-C.sar";
    let text = fixture_text("sar", name);
    assert!(text.starts_with("Linux 6.18.44-fc-v669 (vm) \t11/21/26 \t_x86_64_\t(2 CPU)"));
    let (r, _d) = read(name, &text);
    let h = host(&r);
    let tx: Vec<f64> = iface(h, "h7v0")
        .deltas
        .iter()
        .filter_map(|d| d.rates.get("tx_dropped").copied())
        .collect();
    assert_eq!(
        tx,
        [60.0, 3.0, 54.0, 5.0, 54.0, 9.0, 50.0, 13.0, 44.0, 13.0]
    );
    assert!(
        rules_of(&r).contains(&("tx-queue-drop", "h7v0")),
        "{:?}",
        rules_of(&r)
    );
    // The same text after a prompt in a capture log.
    let (r, _d) = read("drops.log", &format!("[root@vm ~]# sar -A 1 10\n{text}"));
    assert!(
        rules_of(&r).contains(&("tx-queue-drop", "h7v0")),
        "{:?}",
        rules_of(&r)
    );
}

// ---- a whole paste indented alike (Markdown code block, rst literal, quoted mail) ----

#[test]
fn ip_link_indented_as_an_rst_literal_block() {
    // statistics.rst's `ip -s -s link show dev ens4u1u1`, every line indented by two spaces:
    // RX bytes 74327665117, packets 69016965; TX bytes 21405556176, packets 44608960.
    let name = "knowledge-s2.2b-statistics-rst-literal.txt";
    let text = fixture_text("iplink", name);
    assert!(text.lines().all(|l| l.is_empty() || l.starts_with("  ")));
    for (label, body) in [
        ("as published", text.clone()),
        // And as a Markdown code block: four more spaces.
        (
            "markdown",
            text.lines().map(|l| format!("    {l}\n")).collect(),
        ),
    ] {
        let (r, _d) = read(name, &body);
        assert!(r.problems.is_empty(), "{label}: {}", problems_text(&r));
        let i = iface(host(&r), "ens4u1u1");
        assert_eq!(c(i, 0, "rx_bytes"), 74327665117, "{label}");
        assert_eq!(c(i, 0, "rx_packets"), 69016965, "{label}");
        assert_eq!(c(i, 0, "tx_bytes"), 21405556176, "{label}");
        assert_eq!(c(i, 0, "tx_packets"), 44608960, "{label}");
    }
}

#[test]
fn top_indented_with_decimal_commas() {
    // A de_DE `top` in a blog's code block, indented by two spaces:
    // `%Cpu(s):  2,3 us,  9,3 sy,  0,0 ni, 83,7 id,  0,0 wa,  4,7 hi,  0,0 si,  0,0 st`.
    let name = "literal-alessio-gh-decimal-comma.txt";
    let (r, _d) = read(name, &fixture_text("top", name));
    let h = host(&r);
    assert_eq!(h.cpu.len(), 1);
    let all = &h.cpu[0].cpus[0];
    assert_eq!(
        (all.us, all.sy, all.id, all.hi, all.si, all.st),
        (
            Some(2.3),
            Some(9.3),
            Some(83.7),
            Some(4.7),
            Some(0.0),
            Some(0.0)
        )
    );
    // The `...` line that stands for the rest of the process table is reported, not read.
    assert_eq!(warnings(&r).len(), 1, "{:?}", warnings(&r));
}

/// SYNTHETIC log: two `ethtool -S` outputs after dates, without their command line: the
/// device is not in the data. rx_missed_errors 1234 → 2234 in 10 s.
#[test]
fn ethtool_s_without_its_command_in_a_capture_log_is_an_unnamed_device() {
    let text = "Tue Dec  1 10:00:00 UTC 2026\nNIC statistics:\n     rx_packets: 1000\n     rx_missed_errors: 1234\n\
                Tue Dec  1 10:00:10 UTC 2026\nNIC statistics:\n     rx_packets: 2000\n     rx_missed_errors: 2234\n";
    let (r, _d) = read("drops.log", text);
    let h = host(&r);
    let names: Vec<&str> = h.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["IFACE"], "it was an interface named \"\"");
    let i = iface(h, "IFACE");
    let missed: Vec<u64> = i
        .ethtool
        .iter()
        .map(|s| s.stats["rx_missed_errors"])
        .collect();
    assert_eq!(missed, [1234, 2234]);
    assert_eq!(rules_of(&r), [("nic-rx-ring-overflow", "IFACE")]);
    assert!(
        warnings(&r)
            .iter()
            .any(|(_, m)| m.contains("names no device")),
        "{:?}",
        warnings(&r)
    );
}
