//! End to end on the real sos 3.6 archive in testdata/ (provenance: testdata/PROVENANCE.md).
//! Every expected value below was read by hand from the extracted archive.

use std::path::Path;

use crate::util::*;
use rules::model::{InputKind, InterfaceKind, ProblemSeverity};

#[test]
fn corpus_sosreport_end_to_end() {
    let report = run(&[Path::new(CORPUS)]);
    assert_eq!(report.schema, "analyze/1");
    assert_eq!(report.inputs.len(), 1);
    let input = &report.inputs[0];
    assert_eq!(input.kind, InputKind::Sosreport);
    assert!(input.error.is_none());
    // `tar -tJf … | wc -l` lists 3683 members.
    assert_eq!(input.entries_read, 3683);

    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    let host = &report.hosts[0];
    // sos_commands/host/hostname
    assert_eq!(host.hostname, "localhost.localdomain");
    // sos_commands/kernel/uname_-a
    assert_eq!(host.kernel.as_deref(), Some("4.18.0-80.11.2.el8_0.x86_64"));
    // sos_commands/date/date: "Wed Oct  2 02:54:30 UTC 2019"
    assert_eq!(
        host.collected_at.map(|t| t.to_string()).as_deref(),
        Some("2019-10-02T02:54:30+00:00")
    );
    // sos_commands/host/uptime: " 02:54:32 up 35 min, ..."
    assert_eq!(host.uptime_seconds, Some(35 * 60));
    // sos_commands/processor/lscpu: "CPU(s): 2", "Hypervisor vendor: Microsoft"
    assert_eq!(host.cpu_count, Some(2));
    assert_eq!(host.hypervisor.as_deref(), Some("Microsoft"));

    let eth0 = iface(host, "eth0");
    assert_eq!(eth0.kind, InterfaceKind::Physical);
    assert_eq!(eth0.qlen, Some(1000));
    assert_eq!(eth0.mtu, Some(1500));
    // sos_commands/networking/ip_-s_-d_link (old iproute2: `overrun` on the RX line)
    let ip = "sos_commands/networking/ip_-s_-d_link";
    assert_counters(
        eth0,
        ip,
        &[
            ("rx_bytes", 281_235_503),
            ("rx_packets", 340_518),
            ("rx_errors", 0),
            ("rx_dropped", 0),
            ("rx_over_errors", 0),
            ("multicast", 3425),
            ("tx_bytes", 24_329_184),
            ("tx_packets", 175_205),
        ],
    );
    let ip_sample = eth0.samples.iter().find(|s| s.source == ip).unwrap();
    assert!(!ip_sample.counters.contains_key("rx_missed_errors"));

    // proc/net/dev reached through proc/net -> self/net, proc/self -> 3255.
    let dev = "proc/net/dev";
    assert_counters(
        eth0,
        dev,
        &[
            ("rx_bytes", 281_233_043),
            ("rx_packets", 340_494),
            ("proc_rx_drop", 0),
            ("multicast", 3424),
            ("tx_bytes", 24_326_548),
            ("tx_packets", 175_179),
        ],
    );

    // sys/class/net/eth0 -> ../../devices/LNXSYSTM:00/.../net/eth0
    let sysfs = "sys/class/net/eth0/statistics";
    assert_counters(
        eth0,
        sysfs,
        &[
            ("rx_bytes", 281_233_043),
            ("tx_packets", 175_179),
            ("multicast", 3424),
        ],
    );

    let lo = iface(host, "lo");
    assert_eq!(lo.kind, InterfaceKind::Loopback);
    assert_eq!(counter(lo, ip, "rx_packets"), 162_442);
    assert_eq!(counter(lo, ip, "rx_bytes"), 15_202_900);

    // proc/3255/net/softnet_stat: 11 columns, no CPU index column.
    assert_eq!(host.softnet.len(), 1);
    let softnet = &host.softnet[0];
    assert_eq!(softnet.source, "proc/net/softnet_stat");
    assert!(!softnet.cpu_ids_exact);
    assert_eq!(softnet.cpus.len(), 2);
    assert_eq!(
        (softnet.cpus[0].cpu, softnet.cpus[0].processed),
        (0, 0x29ba9)
    );
    assert_eq!(softnet.cpus[0].time_squeeze, 0x5b);
    assert_eq!(softnet.cpus[0].dropped, 0);
    assert_eq!(
        (softnet.cpus[1].cpu, softnet.cpus[1].processed),
        (1, 0x2749d)
    );
    assert_eq!(softnet.cpus[1].time_squeeze, 0x46);

    // sos_commands/kernel/sysctl_-a and proc/sys/net/core/*
    assert_eq!(
        host.sysctl
            .get("net.core.netdev_max_backlog")
            .map(String::as_str),
        Some("1000")
    );
    assert_eq!(
        host.sysctl
            .get("net.core.netdev_budget")
            .map(String::as_str),
        Some("300")
    );
    assert_eq!(
        host.sysctl
            .get("net.core.netdev_budget_usecs")
            .map(String::as_str),
        Some("2000")
    );
    assert_eq!(
        host.sysctl.get("net.core.dev_weight").map(String::as_str),
        Some("64")
    );

    // The archive's ethtool outputs are 0-byte files: reported, no stats invented.
    assert!(eth0.ethtool.is_empty());
    assert!(eth0.ring.is_none());
    assert!(has_problem(
        &report,
        "sos_commands/networking/ethtool_-S_eth0",
        "empty output"
    ));
    assert!(report
        .problems
        .iter()
        .all(|p| p.severity == ProblemSeverity::Warning));
}

#[test]
fn corpus_report_is_deterministic_in_every_format() {
    use analyze::pipeline::{render, Format};
    for format in [Format::Json, Format::Html, Format::Md] {
        let a = render(&run(&[Path::new(CORPUS)]), format).unwrap();
        let b = render(&run(&[Path::new(CORPUS)]), format).unwrap();
        assert_eq!(a, b, "{format:?} output differs between runs");
    }
}

#[test]
fn extracted_directory_reads_like_the_archive() {
    // Unpack the corpus into a temp dir (the test does; the tool never does).
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::open(CORPUS).unwrap();
    let mut archive = tar::Archive::new(liblzma::read::XzDecoder::new(file));
    archive.unpack(dir.path()).unwrap();
    let root = dir.path().join("sosreport-master1-coreos");
    let report = run(&[&root]);
    assert_eq!(report.inputs[0].kind, InputKind::Directory);
    let host = &report.hosts[0];
    assert_eq!(host.hostname, "localhost.localdomain");
    let eth0 = iface(host, "eth0");
    assert_eq!(counter(eth0, "proc/net/dev", "rx_packets"), 340_494);
    assert_eq!(
        counter(eth0, "sos_commands/networking/ip_-s_-d_link", "rx_packets"),
        340_518
    );
    assert_eq!(
        counter(eth0, "sys/class/net/eth0/statistics", "rx_bytes"),
        281_233_043
    );
    assert_eq!(host.softnet[0].cpus[1].processed, 0x2749d);
    // The parent directory of the root works too.
    let report = run(&[dir.path()]);
    assert_eq!(report.hosts.len(), 1);
    assert_eq!(report.hosts[0].hostname, "localhost.localdomain");
}

#[test]
fn every_compression_of_the_corpus_reads_the_same() {
    // Re-compress the real archive's tar stream as gzip, bzip2, zstd and plain tar.
    let mut tar_bytes = Vec::new();
    let file = std::fs::File::open(CORPUS).unwrap();
    std::io::Read::read_to_end(&mut liblzma::read::XzDecoder::new(file), &mut tar_bytes).unwrap();
    for (name, bytes) in [
        ("a.tar", tar_bytes.clone()),
        ("a.tgz", gz(&tar_bytes)),
        ("a.tbz", bz2(&tar_bytes)),
        ("a.tar.zst", zst(&tar_bytes)),
        ("renamed.bin", xz(&tar_bytes)),
    ] {
        let (_dir, path) = write_temp(name, &bytes);
        let report = run(&[&path]);
        assert_eq!(report.hosts.len(), 1, "{name}");
        let eth0 = iface(&report.hosts[0], "eth0");
        assert_eq!(
            counter(eth0, "proc/net/dev", "rx_packets"),
            340_494,
            "{name}"
        );
    }
}

#[test]
fn corpus_sosreport_layers_above_the_nic() {
    // proc/net -> self/net in this archive: the bodies are under proc/3255/net/ (read by hand
    // from the extracted archive; the same files are testdata/parsers/{snmp,sockstat,conntrack}/
    // coreos-master1-4.18.0-80.*).
    let report = run(&[Path::new(CORPUS)]);
    let host = &report.hosts[0];
    let sample = |source: &str| {
        host.protocol
            .samples
            .iter()
            .find(|s| s.source == source)
            .unwrap_or_else(|| panic!("no protocol sample from {source}"))
    };
    // proc/net/snmp: "Tcp: 1 200 120000 -1 54033 354 53221 21 13 271630 286018 441 0 2743 0"
    let snmp = sample("proc/net/snmp");
    assert_eq!(snmp.counters["TcpInSegs"], 271_630);
    assert_eq!(snmp.counters["TcpRetransSegs"], 441);
    // sos_commands/networking/netstat_-s, taken later: "271654 segments received".
    let netstat = sample("sos_commands/networking/netstat_-s");
    assert_eq!(netstat.counters["TcpInSegs"], 271_654);
    // One since-boot interval per series (uptime 35 min = 2100 s).
    let boot: Vec<_> = host
        .protocol
        .deltas
        .iter()
        .filter(|d| d.series == "proc/net/snmp")
        .collect();
    assert_eq!(boot.len(), 1);
    assert_eq!(boot[0].seconds, Some(2100.0));
    // proc/net/sockstat: "TCP: inuse 13 orphan 0 tw 0 alloc 28 mem 7", "UDP: inuse 5 mem 1".
    let sockstat = host.sockstat.latest.as_ref().unwrap();
    assert_eq!(sockstat.counters["TCP_mem"], 7);
    assert_eq!(sockstat.counters["UDP_mem"], 1);
    // proc/net/stat/nf_conntrack, two CPU rows: ignore 0x13a2b + 0x1430b, invalid 4 + 3.
    let ct = &host.conntrack.samples[0];
    assert_eq!(ct.counters["ignore"], 0x13a2b + 0x1430b);
    assert_eq!(ct.counters["invalid"], 7);
    assert!(!ct.counters.contains_key("entries"));
    // proc/sys/net/netfilter/nf_conntrack_{count,max}: 804 and 262144.
    assert_eq!(
        host.conntrack_count.peaks["net.netfilter.nf_conntrack_count"].value,
        804
    );
    assert_eq!(
        host.sysctl
            .get("net.netfilter.nf_conntrack_max")
            .map(String::as_str),
        Some("262144")
    );
    // No qdisc: sos_commands/networking/tc_-s_qdisc_show is empty in this archive.
    assert!(host.qdiscs.is_empty());
}
