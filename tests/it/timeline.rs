//! Timelines end to end: capture logs, wraps, resets, several archives of one host.
//! Expected deltas and rates are computed by hand in the comments.

use std::path::Path;

use crate::util::*;
use rules::model::{InterfaceKind, IntervalKind};

#[test]
fn seed_capture_log_gives_hand_computed_deltas_and_rates() {
    // The CLI, as an engineer runs it: `analyze --format json capture.log`.
    let json = run_bin_json(["--format", "json", SEED_TAP_LOG]);
    let host = &json["hosts"][0];
    // From the shell prompt `[root@ibm-x3550m4-9 ~]#`.
    assert_eq!(host["hostname"], "ibm-x3550m4-9");
    let tap = host["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "tapc18eb09e-01")
        .unwrap();
    assert_eq!(tap["kind"], "tap");
    assert_eq!(tap["samples"].as_array().unwrap().len(), 10);
    // The first block starts on line 8 of the log.
    assert!(tap["samples"][0]["source"]
        .as_str()
        .unwrap()
        .ends_with("seed000-tap-tx-drops.log:8"));
    let deltas = tap["deltas"].as_array().unwrap();
    assert_eq!(deltas.len(), 9);
    // 12:28:22 → 12:28:27: TX packets 81741449 → 82139038 = 397589 in 5 s = 79517.8/s;
    // TX dropped 11155280 both times.
    assert_eq!(deltas[0]["start"], "2016-11-29T12:28:22-05:00");
    assert_eq!(deltas[0]["end"], "2016-11-29T12:28:27-05:00");
    assert_eq!(deltas[0]["seconds"], 5.0);
    assert_eq!(deltas[0]["deltas"]["tx_packets"], 397_589);
    assert_eq!(deltas[0]["rates"]["tx_packets"], 79_517.8);
    assert_eq!(deltas[0]["deltas"]["tx_dropped"], 0);
    // After dd is pinned to the guest's pCPU:
    // 12:28:47 → :52  11155280 → 11188074 = 32794 → 6558.8/s
    // 12:28:52 → :57  11188074 → 11223096 = 35022 → 7004.4/s
    // 12:28:57 → :02  11223096 → 11260740 = 37644 → 7528.8/s
    // 12:29:02 → :07  11260740 → 11302179 = 41439 → 8287.8/s
    let expect = [
        (5, 32_794, 6558.8),
        (6, 35_022, 7004.4),
        (7, 37_644, 7528.8),
        (8, 41_439, 8287.8),
    ];
    for (i, delta, rate) in expect {
        assert_eq!(deltas[i]["deltas"]["tx_dropped"], delta, "interval {i}");
        assert_eq!(deltas[i]["rates"]["tx_dropped"], rate, "interval {i}");
        assert_eq!(deltas[i]["kind"], "interval");
    }
}

/// A synthetic capture log (labelled so): `date` + `cat /proc/net/dev` three times, in the
/// layout of a 32-bit kernel whose byte counter wraps, then a reboot that resets everything.
const WRAP_LOG: &str = "\
[root@old32 ~]# date
Mon Jan  1 10:00:00 UTC 2024
[root@old32 ~]# cat /proc/net/dev
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0: 4294960000 5000    0    7    0     0          0         0     1000      10    0    0    0     0       0          0
[root@old32 ~]# date
Mon Jan  1 10:00:10 UTC 2024
[root@old32 ~]# cat /proc/net/dev
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0:    2704    6000    0    9    0     0          0         0     2000      20    0    0    0     0       0          0
[root@old32 ~]# date
Mon Jan  1 10:05:00 UTC 2024
[root@old32 ~]# cat /proc/net/dev
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0:     100       1    0    0    0     0          0         0       50       1    0    0    0     0       0          0
[root@old32 ~]# date
Mon Jan  1 10:05:20 UTC 2024
[root@old32 ~]# cat /proc/net/dev
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0:    2100      41    0    4    0     0          0         0      450      21    0    0    0     0       0          0
";

#[test]
fn wraps_are_corrected_and_resets_split_the_series() {
    let (_d, path) = write_temp("wrap.log", WRAP_LOG.as_bytes());
    let report = run(&[&path]);
    let host = &report.hosts[0];
    assert_eq!(host.hostname, "old32");
    let eth0 = iface(host, "eth0");
    assert_eq!(eth0.samples.len(), 4);
    let d = &eth0.deltas;
    assert_eq!(d.len(), 3);
    // 1) rx_bytes 4294960000 → 2704 wrapped: 2^32 − 4294960000 + 2704 = 7296 + 2704 = 10000 in 10 s.
    assert_eq!(d[0].wrapped, vec!["rx_bytes".to_string()]);
    assert_eq!(d[0].deltas["rx_bytes"], 10_000);
    assert_eq!(d[0].rates["rx_bytes"], 1_000.0);
    assert_eq!(d[0].deltas["rx_packets"], 1_000);
    assert_eq!(d[0].deltas["proc_rx_drop"], 2);
    assert_eq!(d[0].rates["proc_rx_drop"], 0.2);
    // 2) packets 6000 → 1: a reboot; no deltas rather than a huge one.
    assert!(d[1].reset);
    assert!(d[1].deltas.is_empty());
    // 3) after the reset, 20 s: rx_packets 1 → 41 = 40 → 2/s; drop 0 → 4 → 0.2/s.
    assert!(!d[2].reset);
    assert_eq!(d[2].seconds, Some(20.0));
    assert_eq!(d[2].deltas["rx_packets"], 40);
    assert_eq!(d[2].rates["rx_packets"], 2.0);
    assert_eq!(d[2].rates["proc_rx_drop"], 0.2);
}

#[test]
fn undated_repeats_are_ordered_by_position_without_rates() {
    // Synthetic: two `ip -s link` outputs of lo pasted one after the other, no dates.
    let log = "\
$ ip -s link show lo
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    RX:  bytes packets errors dropped  missed   mcast
          1000      10      0       0       0       0
    TX:  bytes packets errors dropped carrier collsns
          1000      10      0       0       0       0
$ ip -s link show lo
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    RX:  bytes packets errors dropped  missed   mcast
          1500      15      0       0       0       0
    TX:  bytes packets errors dropped carrier collsns
          1500      15      0       0       0       0
";
    let (_d, path) = write_temp("lo.txt", log.as_bytes());
    let report = run(&[&path]);
    let lo = iface(&report.hosts[0], "lo");
    assert_eq!(lo.kind, InterfaceKind::Loopback);
    assert_eq!(lo.samples.len(), 2);
    assert!(lo.samples.iter().all(|s| s.time.is_none()));
    assert_eq!(lo.deltas.len(), 1);
    assert_eq!(lo.deltas[0].deltas["rx_packets"], 5);
    assert!(lo.deltas[0].rates.is_empty());
    assert_eq!(lo.deltas[0].seconds, None);
}

#[test]
fn a_directory_of_two_archives_of_one_host_is_one_timeline() {
    let ip = include_str!(testdata!("e2e/ip_-s_-d_link.eth0"));
    let tiny = |top: &str, date: &str, ip: &str| {
        xz(&sos_root(top, "web01")
            .file(&format!("{top}/sos_commands/date/date"), date.as_bytes())
            .file(
                &format!("{top}/sos_commands/networking/ip_-s_-d_link"),
                ip.as_bytes(),
            )
            .finish())
    };
    let dir = tempfile::tempdir().unwrap();
    // The later archive is the corpus block with rx_packets raised by 10000 (synthetic).
    std::fs::write(
        dir.path().join("before.tar.xz"),
        tiny("sosreport-web01-a", "Wed Oct  2 02:54:30 UTC 2019\n", ip),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("after.tar.xz"),
        tiny(
            "sosreport-web01-b",
            "Wed Oct  2 03:54:30 UTC 2019\n",
            &ip.replace("340518", "350518"),
        ),
    )
    .unwrap();
    let report = run(&[dir.path()]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    let eth0 = iface(&report.hosts[0], "eth0");
    let intervals: Vec<_> = eth0
        .deltas
        .iter()
        .filter(|d| d.kind == IntervalKind::Interval)
        .collect();
    assert_eq!(intervals.len(), 1);
    // 10000 packets in 3600 s = 2.777778/s.
    assert_eq!(intervals[0].seconds, Some(3600.0));
    assert_eq!(intervals[0].deltas["rx_packets"], 10_000);
    assert_eq!(intervals[0].rates["rx_packets"], 2.777778);
    assert_eq!(intervals[0].deltas["tx_packets"], 0);
}

#[test]
fn a_single_sosreport_gets_since_boot_averages() {
    let report = run(&[Path::new(CORPUS)]);
    let eth0 = iface(&report.hosts[0], "eth0");
    let ip = eth0
        .deltas
        .iter()
        .find(|d| d.series == "sos_commands/networking/ip_-s_-d_link")
        .unwrap();
    assert_eq!(ip.kind, IntervalKind::SinceBoot);
    // rx_packets 340518 over the 35 min uptime (2100 s) = 162.151429/s.
    assert_eq!(ip.seconds, Some(2100.0));
    assert_eq!(ip.rates["rx_packets"], 162.151429);
    let softnet = report.hosts[0]
        .softnet_deltas
        .iter()
        .find(|d| d.kind == IntervalKind::SinceBoot)
        .unwrap();
    // CPU0 time_squeeze 0x5b = 91 over 2100 s = 0.043333/s.
    assert_eq!(softnet.cpus[0].rates["time_squeeze"], 0.043333);
}

#[test]
fn a_mixed_log_of_date_top_and_ifconfig() {
    // Real procps-ng 4.0.2 and net-tools 2.10 captures (testdata/parsers/*/PROVENANCE.md),
    // joined into one log behind a `date` line and a prompt (the joining is synthetic).
    let top = include_str!(testdata!(
        "parsers/top/sandbox-procps-ng-4.0.2-top_-b_-1_-n_2_-w_200.txt"
    ));
    let ifconfig = include_str!(testdata!(
        "parsers/ifconfig/sandbox-net-tools-2.10-ifconfig_-a.txt"
    ));
    let log = format!("Sat Nov 21 21:40:00 UTC 2026\n{top}$ ifconfig -a\n{ifconfig}");
    let (_d, path) = write_temp("mixed.log", log.as_bytes());
    let report = run(&[&path]);
    let host = &report.hosts[0];
    // One `top -n 2` run: two frames, the second not a first iteration.
    assert_eq!(host.cpu.len(), 2);
    assert!(host.cpu[0].first_iteration);
    assert!(!host.cpu[1].first_iteration);
    // Header clocks on the day of the `date` line: "top - 21:27:14", "top - 21:27:15".
    assert_eq!(
        host.cpu[0].time.unwrap().to_string(),
        "2026-11-21T21:27:14+00:00"
    );
    assert_eq!(
        host.cpu[1].time.unwrap().to_string(),
        "2026-11-21T21:27:15+00:00"
    );
    // Frame 1: "%Cpu1  :100.0 us"; frame 2: "%Cpu1  : 98.5 us, … 1.5 st".
    assert_eq!(host.cpu[0].cpus[1].us, Some(100.0));
    assert_eq!(host.cpu[1].cpus[1].us, Some(98.5));
    assert_eq!(host.cpu[1].cpus[1].st, Some(1.5));
    assert_eq!(host.cpu[0].processes[0].command, "rustc");
    // ifconfig: veth1 "RX errors 0  dropped 123457".
    let veth1 = iface(host, "veth1");
    assert_eq!(veth1.samples[0].counters["proc_rx_drop"], 123_457);
}
