//! Archive layouts other than a plain sosreport: supportconfig, sos collect bundles, several
//! archives of one host, namespaced ethtool, single pasted files. The archives are synthetic
//! (built here); the command outputs inside them are real captures from testdata/ (see the
//! PROVENANCE.md files there), so the expected values are read off those files.

use crate::util::*;
use rules::model::{BondRole, InputKind, InterfaceKind, IntervalKind};

const IP_ETH0: &str = include_str!(testdata!("e2e/ip_-s_-d_link.eth0"));
const IP_CORPUS: &str = include_str!(testdata!(
    "parsers/iplink/sos-coreos-master1-ip_-s_-d_link.txt"
));
const PROC_DEV: &str = include_str!(testdata!(
    "parsers/procnetdev/sos-coreos-master1-proc-3255-net-dev.txt"
));
const SOFTNET: &str = include_str!(testdata!(
    "parsers/softnet/coreos-master1-4.18.0-80.softnet_stat"
));
const ETHTOOL_S: &str = include_str!(testdata!("parsers/ethtool/S_real_virtio_net_eth0.txt"));
const ETHTOOL_G: &str = include_str!(testdata!("parsers/ethtool/g_real_virtio_netlink_eth0.txt"));
const BOND: &str = include_str!(testdata!("parsers/bonding/insights-active-backup.bond0"));
const UNAME: &str = include_str!(testdata!("parsers/uname/coreos-master1.uname_-a"));

/// A supportconfig section as supportutils writes it (53-character header, `# cmd`, output).
fn section(title: &str, command: &str, body: &str) -> String {
    let mut header = format!("#==[ {title} ]");
    while header.len() < 52 {
        header.push('=');
    }
    header.push('#');
    format!("{header}\n# {command}\n{}\n\n", body.trim_end())
}

/// Sections of one title, `(command or file, body)` each, one after the other.
fn sections(title: &str, parts: &[(&str, &str)]) -> String {
    parts
        .iter()
        .map(|(command, body)| section(title, command, body))
        .collect()
}

fn supportconfig_tar() -> Vec<u8> {
    let top = "scc_web01_240521_1030";
    let network = sections(
        "Command",
        &[
            ("/sbin/ip -stats link", IP_CORPUS),
            ("/usr/sbin/ethtool -S eth0", ETHTOOL_S),
            ("/usr/sbin/ethtool -g eth0", ETHTOOL_G),
            (
                "/usr/sbin/ethtool -S eth1",
                "ERROR: Command not found or not executable",
            ),
            ("/bin/hostname", "web01"),
        ],
    );
    let proc = sections(
        "Configuration File",
        &[
            ("/proc/net/dev", PROC_DEV),
            ("/proc/net/softnet_stat", SOFTNET),
            ("/proc/net/bonding/bond0", BOND),
            ("/proc/sys/net/core/netdev_max_backlog", "2000"),
        ],
    );
    let env = section(
        "Command",
        "/sbin/sysctl -a",
        "net.core.netdev_budget = 600\nnet.core.netdev_max_backlog = 2000\n",
    );
    let basic = sections(
        "Command",
        &[
            ("/bin/date", "Tue May 21 10:30:00 UTC 2024"),
            ("/bin/uname -a", UNAME),
        ],
    );
    TarBuilder::new()
        .file(&format!("{top}/basic-environment.txt"), basic.as_bytes())
        .file(&format!("{top}/network.txt"), network.as_bytes())
        .file(&format!("{top}/proc.txt"), proc.as_bytes())
        .file(&format!("{top}/env.txt"), env.as_bytes())
        .file(&format!("{top}/messages.txt"), b"not wanted\n")
        .finish()
}

#[test]
fn supportconfig_sections_are_classified_by_command() {
    let (_d, path) = write_temp("scc_web01_240521_1030.txz", &xz(&supportconfig_tar()));
    let report = run(&[&path]);
    assert_eq!(report.inputs[0].kind, InputKind::Supportconfig);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    let host = &report.hosts[0];
    assert_eq!(host.hostname, "web01");
    assert_eq!(host.kernel.as_deref(), Some("4.18.0-80.11.2.el8_0.x86_64"));
    assert_eq!(
        host.collected_at.map(|t| t.to_string()).as_deref(),
        Some("2024-05-21T10:30:00+00:00")
    );

    let eth0 = iface(host, "eth0");
    // The first section's command is on line 2 of network.txt.
    assert_eq!(counter(eth0, "network.txt:2", "rx_packets"), 340_518);
    let proc_source = &eth0
        .samples
        .iter()
        .find(|s| s.source.starts_with("proc.txt:"))
        .unwrap()
        .source;
    assert_eq!(counter(eth0, proc_source, "rx_packets"), 340_494);
    // Real virtio_net capture: "rx_kicks: 292", "tx_kicks: 2094".
    assert_eq!(eth0.ethtool.len(), 1);
    assert_eq!(eth0.ethtool[0].stats.get("rx_kicks"), Some(&292));
    assert_eq!(eth0.ethtool[0].stats.get("tx_kicks"), Some(&2094));
    let ring = eth0.ring.as_ref().unwrap();
    assert_eq!((ring.rx, ring.rx_max), (Some(256), Some(256)));
    assert_eq!(host.softnet[0].cpus[0].processed, 0x29ba9);
    assert_eq!(
        host.sysctl
            .get("net.core.netdev_budget")
            .map(String::as_str),
        Some("600")
    );
    assert_eq!(
        host.sysctl
            .get("net.core.netdev_max_backlog")
            .map(String::as_str),
        Some("2000")
    );
    // insights active-backup fixture: "Currently Active Slave: enp17s0f0".
    let active = iface(host, "enp17s0f0");
    assert_eq!(active.kind, InterfaceKind::BondSlave);
    assert_eq!(active.master.as_deref(), Some("bond0"));
    assert_eq!(active.bond_role, Some(BondRole::Active));
    assert_eq!(iface(host, "enp17s0f1").bond_role, Some(BondRole::Backup));
    assert_eq!(iface(host, "bond0").kind, InterfaceKind::Bond);
    assert!(
        has_problem(&report, "network.txt", "ethtool -S eth1` was not available"),
        "{}",
        problems_text(&report)
    );
}

fn tiny_sos(top: &str, host: &str, date: &str, ip: &str) -> Vec<u8> {
    sos_root(top, host)
        .file(&format!("{top}/sos_commands/date/date"), date.as_bytes())
        .file(
            &format!("{top}/sos_commands/networking/ip_-s_-d_link"),
            ip.as_bytes(),
        )
        .finish()
}

#[test]
fn sos_collect_bundle_yields_one_host_per_nested_archive() {
    let web = xz(&tiny_sos(
        "sosreport-web01-2024-01-01-abcdefg",
        "web01",
        "Mon Jan  1 10:00:00 UTC 2024\n",
        IP_ETH0,
    ));
    let db = xz(&tiny_sos(
        "sosreport-db01-2024-01-01-hijklmn",
        "db01",
        "Mon Jan  1 10:00:05 UTC 2024\n",
        IP_ETH0,
    ));
    let outer = TarBuilder::new()
        .file(
            "sos-collector-2024-01-01-abcde/sos_logs/sos.log",
            b"collect log\n",
        )
        .file(
            "sos-collector-2024-01-01-abcde/sos_reports/manifest.json",
            b"{}",
        )
        .file(
            "sos-collector-2024-01-01-abcde/sosreport-web01-2024-01-01-abcdefg.tar.xz",
            &web,
        )
        .file(
            "sos-collector-2024-01-01-abcde/sosreport-db01-2024-01-01-hijklmn.tar.xz",
            &db,
        )
        .finish();
    let (_d, path) = write_temp("sos-collector-2024-01-01-abcde.tar", &outer);
    let report = run(&[&path]);
    let kinds: Vec<_> = report.inputs.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        vec![
            InputKind::SosCollect,
            InputKind::Sosreport,
            InputKind::Sosreport
        ]
    );
    assert!(report.inputs[1]
        .path
        .ends_with("!sos-collector-2024-01-01-abcde/sosreport-web01-2024-01-01-abcdefg.tar.xz"));
    let names: Vec<_> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["web01", "db01"]);
    for h in &report.hosts {
        assert_eq!(
            counter(
                iface(h, "eth0"),
                "sos_commands/networking/ip_-s_-d_link",
                "rx_packets"
            ),
            340_518
        );
    }
}

#[test]
fn two_archives_of_one_host_merge_in_time_order() {
    // The second archive is the corpus eth0 block with rx_packets raised (synthetic).
    let later_ip = IP_ETH0.replace("340518", "350518");
    let early = xz(&tiny_sos(
        "sosreport-web01-a",
        "web01",
        "Wed Oct  2 02:54:30 UTC 2019\n",
        IP_ETH0,
    ));
    let late = xz(&tiny_sos(
        "sosreport-web01-b",
        "web01",
        "Wed Oct  2 03:54:30 UTC 2019\n",
        &later_ip,
    ));
    let (_d1, early_path) = write_temp("a.tar.xz", &early);
    let (_d2, late_path) = write_temp("b.tar.xz", &late);
    // Given in the "wrong" order on purpose.
    let report = run(&[&late_path, &early_path]);
    assert_eq!(report.hosts.len(), 1);
    let host = &report.hosts[0];
    assert_eq!(host.sources.len(), 2);
    assert_eq!(
        host.collected_at.map(|t| t.to_string()).as_deref(),
        Some("2019-10-02T03:54:30+00:00")
    );
    let eth0 = iface(host, "eth0");
    let seq: Vec<(String, u64)> = eth0
        .samples
        .iter()
        .map(|s| (s.time.unwrap().to_string(), s.counters["rx_packets"]))
        .collect();
    assert_eq!(
        seq,
        vec![
            ("2019-10-02T02:54:30+00:00".to_string(), 340_518),
            ("2019-10-02T03:54:30+00:00".to_string(), 350_518)
        ]
    );
}

#[test]
fn namespaced_ethtool_keeps_its_namespace() {
    let tar = sos_root("sosreport-ns", "nshost")
        .file(
            "sosreport-ns/sos_commands/networking/namespaces/blue/ip_netns_exec_blue_ethtool_-S_veth0",
            b"NIC statistics:\n     peer_ifindex: 7\n",
        )
        .file("sosreport-ns/sos_commands/networking/ethtool_-S_veth0", b"NIC statistics:\n     peer_ifindex: 9\n")
        .finish();
    let (_d, path) = write_temp("ns.tar", &tar);
    let report = run(&[&path]);
    let host = &report.hosts[0];
    let in_ns = host
        .interfaces
        .iter()
        .find(|i| i.name == "veth0" && i.namespace.as_deref() == Some("blue"))
        .expect("namespaced veth0");
    assert_eq!(in_ns.ethtool[0].stats.get("peer_ifindex"), Some(&7));
    assert_eq!(
        iface(host, "veth0").ethtool[0].stats.get("peer_ifindex"),
        Some(&9)
    );
}

#[test]
fn a_pasted_single_file_is_sniffed() {
    let (_d, path) = write_temp("eth0.txt", ETHTOOL_S.replace('\n', "\r\n").as_bytes());
    let report = run(&[&path]);
    assert_eq!(report.inputs[0].kind, InputKind::Capture);
    let eth0 = iface(&report.hosts[0], "eth0");
    assert_eq!(eth0.ethtool[0].stats.get("tx_kicks"), Some(&2094));
    let (_d, path) = write_temp("softnet", SOFTNET.as_bytes());
    let report = run(&[&path]);
    assert_eq!(report.hosts[0].softnet[0].cpus[1].time_squeeze, 0x46);
}

#[test]
fn an_extracted_sos_collect_tree_yields_each_report() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sos_logs")).unwrap();
    std::fs::write(root.join("sos_logs/sos.log"), "collect\n").unwrap();
    for host in ["web01", "db01"] {
        let r = root.join(format!("sosreport-{host}"));
        std::fs::create_dir_all(r.join("sos_commands/host")).unwrap();
        std::fs::create_dir_all(r.join("sos_commands/networking")).unwrap();
        std::fs::write(r.join("sos_commands/host/hostname"), format!("{host}\n")).unwrap();
        std::fs::write(r.join("sos_commands/networking/ip_-s_-d_link"), IP_ETH0).unwrap();
    }
    let report = run(&[root]);
    let mut names: Vec<_> = report.hosts.iter().map(|h| h.hostname.clone()).collect();
    names.sort();
    assert_eq!(names, vec!["db01", "web01"], "{}", problems_text(&report));
}

#[test]
fn the_same_archive_twice_does_not_double_samples() {
    let tar = xz(&tiny_sos(
        "sosreport-w",
        "web01",
        "Wed Oct  2 02:54:30 UTC 2019\n",
        IP_ETH0,
    ));
    let (_d, path) = write_temp("w.tar.xz", &tar);
    let report = run(&[&path, &path]);
    assert_eq!(report.hosts.len(), 1);
    assert_eq!(iface(&report.hosts[0], "eth0").samples.len(), 1);
}

#[test]
fn supportconfig_missing_proc_files_are_reported() {
    let proc = section(
        "Configuration File",
        "/proc/net/softnet_stat - File not found",
        "",
    );
    let tar = TarBuilder::new()
        .file(
            "scc_x_240521_1030/basic-environment.txt",
            section("Command", "/bin/uname -a", UNAME).as_bytes(),
        )
        .file("scc_x_240521_1030/proc.txt", proc.as_bytes())
        .finish();
    let (_d, path) = write_temp("scc.tar", &tar);
    let report = run(&[&path]);
    assert!(
        has_problem(
            &report,
            "scc_x_240521_1030/proc.txt",
            "/proc/net/softnet_stat` did not exist"
        ),
        "{}",
        problems_text(&report)
    );
}

#[test]
fn sar_text_in_a_sosreport_becomes_series() {
    // Real `sar -A` text from sysstat 12.6.1 (testdata/parsers/sar/PROVENANCE.md) placed where
    // sos writes it; the archive around it is synthetic.
    let sar = include_str!(testdata!("parsers/sar/sandbox-sysstat12.6.1-C.sar"));
    let tar = sos_root("sosreport-s", "vm")
        .file(
            "sosreport-s/sos_commands/date/date",
            b"Sat Nov 21 21:35:00 UTC 2026\n",
        )
        .file("sosreport-s/sos_commands/sar/sar21", sar.as_bytes())
        .finish();
    let (_d, path) = write_temp("s.tar.xz", &xz(&tar));
    let report = run(&[&path]);
    let host = &report.hosts[0];
    // DEV "21:30:57 lo 6000.00 6000.00 492.19 …" → reported rates, kB/s × 1024.
    let lo = iface(host, "lo");
    let first = lo
        .deltas
        .iter()
        .find(|d| d.kind == IntervalKind::Reported)
        .unwrap();
    assert_eq!(first.end.unwrap().to_string(), "2026-11-21T21:30:57+00:00");
    assert_eq!(first.rates["rx_packets"], 6000.0);
    assert!((first.rates["rx_bytes"] - 492.19 * 1024.0).abs() < 1e-6);
    // SOFT "21:30:57 0 4898.00 0.00 0.00 …" → CPU 0 processed 4898/s.
    let soft = host
        .softnet_deltas
        .iter()
        .find(|d| d.kind == IntervalKind::Reported)
        .unwrap();
    assert_eq!(soft.cpus[0].cpu, 0);
    assert_eq!(soft.cpus[0].rates["processed"], 4898.0);
    // CPU "21:30:57 all 76.12 0.00 21.89 0.00 1.00 0.00 1.00 …".
    let cpu = host
        .cpu
        .iter()
        .find(|c| c.source == "sos_commands/sar/sar21")
        .unwrap();
    assert_eq!(cpu.cpus[0].cpu, "all");
    assert_eq!(
        (cpu.cpus[0].us, cpu.cpus[0].st, cpu.cpus[0].si),
        (Some(76.12), Some(1.0), Some(1.0))
    );
}
