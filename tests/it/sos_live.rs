//! A genuine sos 4.x archive of the machine running the tests, made by the real tool
//! (Debian's `sosreport` package), analysed end to end and compared with the machine's own
//! `/proc/net/dev` read just before and just after sos ran: every counter in the archive must
//! lie between the two readings (counters only grow), and counters that did not move must
//! match exactly.
//!
//! Needs `sos` and root, so it is `#[ignore]`d (a plain `cargo test` lists it as ignored).
//! `.ci/run` installs sos, sets ANALYZE_REQUIRE_SOS=1 (a missing prerequisite is then a
//! failure instead of a skip) and runs it with `cargo test --release --test it -- --ignored sos_live::`.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::util::*;
use parsers::procnetdev::STANDARD_COLUMNS;
use rules::model::InputKind;

/// The live file, read with a plain column split (independent of the parser's header reading;
/// the key names are the parser's standard layout, net/core/net-procfs.c `dev_seq_printf_stats()`).
fn live_proc_net_dev() -> BTreeMap<String, BTreeMap<&'static str, u64>> {
    let text = std::fs::read_to_string("/proc/net/dev").unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(2) {
        let (name, rest) = line.split_once(':').unwrap();
        let values: Vec<u64> = rest
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(values.len(), 16);
        out.insert(
            name.trim().to_string(),
            STANDARD_COLUMNS.iter().copied().zip(values).collect(),
        );
    }
    out
}

fn prerequisites() -> Result<(), String> {
    let sos = Command::new("sos").arg("--help").output();
    if !matches!(sos, Ok(ref o) if o.status.success()) {
        return Err("`sos` is not installed (apt-get install sosreport)".into());
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err("sos report needs root".into());
    }
    Ok(())
}

#[test]
#[ignore = "needs sos and root; .ci/run runs it with --ignored"]
fn genuine_sos4_archive_of_this_machine() {
    if let Err(why) = prerequisites() {
        if std::env::var_os("ANALYZE_REQUIRE_SOS").is_some() {
            panic!("ANALYZE_REQUIRE_SOS is set but {why}");
        }
        eprintln!("skipping the live sos test: {why}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let before = live_proc_net_dev();
    let status = Command::new("sos")
        .args(["report", "--batch", "--tmp-dir"])
        .arg(tmp.path())
        .args([
            "-o",
            "networking,host,date,kernel,process,hardware,system,processor",
        ])
        .output()
        .unwrap();
    let after = live_proc_net_dev();
    let ended = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        status.status.success(),
        "sos failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let archive = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("sosreport-") && (n.ends_with(".tar.xz") || n.ends_with(".tar.gz"))
        })
        .expect("sos wrote an archive");

    let report = run(&[&archive]);
    assert_eq!(report.inputs[0].kind, InputKind::Sosreport);
    assert!(report.inputs[0].error.is_none());
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    let host = &report.hosts[0];

    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(host.hostname, hostname.trim());
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(host.kernel.as_deref(), Some(release.trim()));
    let collected = host.collected_at.expect("collection time from `date`");
    if collected.offset_seconds.is_some() {
        let t = collected.epoch_seconds();
        assert!(
            t >= started - 2 && t <= ended + 2,
            "collected_at {collected} outside the run"
        );
    }

    let mut compared = 0;
    for (name, live_before) in &before {
        let Some(live_after) = after.get(name) else {
            continue;
        };
        let iface = iface(host, name);
        let sample = iface
            .samples
            .iter()
            .find(|s| s.source == "proc/net/dev")
            .unwrap_or_else(|| panic!("{name}: no proc/net/dev sample"));
        for (key, &lo) in live_before {
            let hi = live_after[key];
            let got = sample.counters[*key];
            assert!(
                lo <= got && got <= hi,
                "{name} {key}: {got} not within [{lo}, {hi}]"
            );
            if lo == hi {
                assert_eq!(
                    got, lo,
                    "{name} {key} did not move, so it must match exactly"
                );
            }
            compared += 1;
        }
    }
    assert!(
        compared >= 32,
        "at least lo and one more interface compared"
    );
    // The same machine's `ip -s -d link` and sysfs copies were read too.
    let lo = iface(host, "lo");
    assert!(lo
        .samples
        .iter()
        .any(|s| s.source == "sos_commands/networking/ip_-s_-d_link"));
    assert!(lo
        .samples
        .iter()
        .any(|s| s.source == "sys/class/net/lo/statistics"));
    assert!(!host.softnet.is_empty());
    assert!(host.sysctl.contains_key("net.core.netdev_max_backlog"));
}
