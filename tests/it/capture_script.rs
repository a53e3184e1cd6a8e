//! `scripts/capture-drops.sh` (issue 16): the script `analyze capture-script` prints, run for
//! real on this machine under every POSIX shell present, and its output read back with live
//! intervals. `shellcheck` is `#[ignore]`d (an optional tool): `.ci/run` runs it where it
//! installs, and without it the test skips with a message unless `ANALYZE_REQUIRE_SHELLCHECK`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rules::model::{Host, IntervalKind};

use crate::util::run;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/capture-drops.sh");

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The shells to run the script with: `sh` always, the others when installed.
fn shells() -> Vec<Vec<&'static str>> {
    let mut out = vec![vec!["sh"]];
    for (tool, argv) in [
        ("dash", vec!["dash"]),
        ("bash", vec!["bash", "--posix"]),
        ("busybox", vec!["busybox", "sh"]),
    ] {
        if have(tool) {
            out.push(argv);
        }
    }
    out
}

/// The file the script wrote: gzipped when gzip is present.
fn written(out: &Path) -> PathBuf {
    let gz = out.with_extension("txt.gz");
    if gz.exists() {
        gz
    } else {
        out.to_path_buf()
    }
}

/// Every interface and every CPU of the capture has a live interval.
fn assert_live(host: &Host, what: &str) {
    assert!(!host.interfaces.is_empty(), "{what}: no interface");
    for i in &host.interfaces {
        assert!(
            i.deltas.iter().any(|d| d.kind == IntervalKind::Interval),
            "{what}: {} has no live interval",
            i.name
        );
    }
    let cpus = host.softnet.first().map_or(0, |s| s.cpus.len());
    assert!(cpus > 0, "{what}: no softnet reading");
    for cpu in 0..cpus as u32 {
        let live = host
            .softnet_deltas
            .iter()
            .any(|d| d.kind == IntervalKind::Interval && d.cpus.iter().any(|c| c.cpu == cpu));
        assert!(live, "{what}: cpu{cpu} has no live softnet interval");
    }
    assert!(
        !host.protocol.deltas.is_empty(),
        "{what}: no protocol interval"
    );
    // The NIC queue lines of /proc/interrupts, where this machine has queue vectors the
    // script's pattern knows (virtio-net here, `TxRx`/`-rx-` on physical NICs).
    let queues = std::fs::read_to_string("/proc/interrupts").is_ok_and(|t| {
        t.lines().any(|l| {
            ["-input.", "-output.", "TxRx", "-rx-", "-tx-"]
                .iter()
                .any(|p| l.contains(p))
        })
    });
    if queues {
        assert_eq!(
            host.interrupts.len(),
            2,
            "{what}: a queue-interrupt reading per reading"
        );
        assert!(
            !host.interrupts_deltas.is_empty(),
            "{what}: no interrupt interval"
        );
    }
    // `top` is optional (a minimal container has no procps): a frame per reading when present.
    if have("top") {
        assert_eq!(host.cpu.len(), 2, "{what}: a top frame per reading");
    }
}

#[test]
fn the_subcommand_prints_the_script_in_the_repository() {
    let printed = crate::util::run_bin_ok(["capture-script"]);
    assert_eq!(printed, std::fs::read_to_string(SCRIPT).unwrap());
}

#[test]
fn two_readings_a_second_apart_give_live_intervals_under_every_shell() {
    for shell in shells() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("drops.txt");
        let status = Command::new(shell[0])
            .args(&shell[1..])
            .arg(SCRIPT)
            .args(["-i", "1", "-n", "2", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        let what = shell.join(" ");
        assert!(status.status.success(), "{what}: {status:?}");
        let stderr = String::from_utf8_lossy(&status.stderr);
        assert!(stderr.contains("2 readings written to"), "{what}: {stderr}");
        let report = run(&[&written(&out)]);
        assert_eq!(report.inputs[0].error, None, "{what}");
        assert_eq!(report.hosts.len(), 1, "{what}");
        assert_live(&report.hosts[0], &what);
        // The page says what its verdict rests on: two live samples, not a snapshot.
        let md = crate::util::run_bin_ok([Path::new("--format"), Path::new("md"), &written(&out)]);
        assert!(md.contains("read live, 2 samples over "), "{what}: {md}");
    }
}

#[test]
fn ctrl_c_midway_leaves_a_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("drops.txt");
    let child = Command::new("sh")
        .arg(SCRIPT)
        .args(["-i", "1", "-n", "100", "-o"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first reading to be written, then interrupt.
    for _ in 0..100 {
        let started = std::fs::read_to_string(&out).unwrap_or_default();
        if started.matches("# date").count() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success(), "{done:?}");
    let file = written(&out);
    let report = run(&[&file]);
    assert_eq!(report.inputs[0].error, None);
    let host = &report.hosts[0];
    assert!(host.interfaces.iter().all(|i| !i.samples.is_empty()));
    // The file says it was cut short (read from the plain or gzipped text).
    let text = if file.extension().is_some_and(|e| e == "gz") {
        let bytes = std::fs::read(&file).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut s)
            .unwrap();
        s
    } else {
        std::fs::read_to_string(&file).unwrap()
    };
    assert!(
        text.contains("# capture-drops.sh: interrupted after"),
        "{text}"
    );
}

#[test]
#[ignore = "needs shellcheck; .ci/run runs it where shellcheck installs"]
fn shellcheck_finds_nothing() {
    if !have("shellcheck") {
        assert!(
            std::env::var_os("ANALYZE_REQUIRE_SHELLCHECK").is_none(),
            "shellcheck is required here but not installed"
        );
        eprintln!("skipped: shellcheck is not installed");
        return;
    }
    let out = Command::new("shellcheck")
        .args(["--shell=sh", SCRIPT])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn findings_on_totals_point_to_the_script_and_live_ones_do_not() {
    let script_line = |f: &rules::finding::Finding| {
        f.remediation
            .iter()
            .any(|r| r.starts_with("analyze capture-script > capture-drops.sh"))
    };
    // Since boot: ListenOverflows 4 200 000 in a sosreport.
    let totals = crate::util::TESTDATA.to_string()
        + "/scenarios/tcp-listen-overflow-pos-coreos-sos-clean-below-socket/sos";
    let host = &run(&[Path::new(&totals)]).hosts[0];
    let f = host
        .findings
        .iter()
        .find(|f| f.rule == "tcp-listen-overflow")
        .unwrap();
    assert_eq!(f.basis, "since-boot");
    assert!(script_line(f), "{:?}", f.remediation);
    // Live: two readings 10 s apart in a console log.
    let live = crate::util::TESTDATA.to_string()
        + "/scenarios/socket-rules-ss-pos-sandbox-live/capture.log";
    let host = &run(&[Path::new(&live)]).hosts[0];
    for f in &host.findings {
        assert_eq!(f.basis, "live", "{}", f.rule);
        assert!(!script_line(f), "{}: {:?}", f.rule, f.remediation);
    }
}
