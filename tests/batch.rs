//! `analyze batch`: good archives, a corrupt one, a nested `sos collect` bundle and a
//! non-archive file → reports for the good ones, an index listing all, a failure row, a
//! skipped row for the notes and exit 4; shards partition the inputs exactly; re-runs skip
//! up-to-date reports; report directories are stable per input and the index follows the
//! current input set.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;

fn batch(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_analyze"))
        .arg("batch")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The input tree (synthetic arrangement of real archives): the corpus sosreport, the seed
/// capture log, a truncated copy of the corpus, a `sos collect` bundle of two tiny reports,
/// and a text file that is not a capture.
fn tickets() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("case-1")).unwrap();
    std::fs::create_dir_all(root.join("case-2")).unwrap();
    std::fs::copy(CORPUS, root.join("case-1/sosreport-master1.tar.xz")).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/capture/seed000-tap-tx-drops.log"
        ),
        root.join("case-1/capture.log"),
    )
    .unwrap();
    let corpus = std::fs::read(CORPUS).unwrap();
    std::fs::write(root.join("case-2/broken.tar.xz"), &corpus[..20_000]).unwrap();
    std::fs::write(root.join("case-2/notes.txt"), "customer says: it is slow\n").unwrap();
    let ip = include_str!("../testdata/e2e/ip_-s_-d_link.eth0");
    let inner = |host: &str| {
        let top = format!("sosreport-{host}-2024-01-01-abcdefg");
        xz(&sos_root(&top, host)
            .file(
                &format!("{top}/sos_commands/networking/ip_-s_-d_link"),
                ip.as_bytes(),
            )
            .finish())
    };
    let bundle = TarBuilder::new()
        .file("sos-collector-x/sos_logs/sos.log", b"log\n")
        .file(
            "sos-collector-x/sosreport-web01-2024-01-01-abcdefg.tar.xz",
            &inner("web01"),
        )
        .file(
            "sos-collector-x/sosreport-db01-2024-01-01-hijklmn.tar.xz",
            &inner("db01"),
        )
        .finish();
    std::fs::write(root.join("case-2/sos-collector-x.tar"), bundle).unwrap();
    dir
}

fn report_dirs(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("report.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_mixed_ticket_tree_gives_reports_an_index_and_a_failure_row() {
    let input = tickets();
    let out = tempfile::tempdir().unwrap();
    let (code, log) = batch(&[
        input.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    // 4, not 3 (before issue 13): reports were written, one input failed; 3 is kept for
    // "nothing could be read", as in single runs.
    assert_eq!(code, 4, "a failed input makes the exit non-zero\n{log}");
    // notes.txt is not an input: skipped, no report directory.
    assert_eq!(
        report_dirs(out.path()),
        ["broken", "capture", "sos-collector-x", "sosreport-master1"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    for good in ["capture", "sosreport-master1", "sos-collector-x"] {
        for f in ["report.html", "report.md", "report.json"] {
            assert!(out.path().join(good).join(f).is_file(), "{good}/{f}");
        }
    }
    // The bundle's report holds both nested hosts.
    let bundle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("sos-collector-x/report.json")).unwrap(),
    )
    .unwrap();
    let hosts: Vec<&str> = bundle["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hostname"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, vec!["web01", "db01"]);
    // The index lists every input, with the failure and the skipped notes marked.
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(index.matches("<tr>").count(), 1 + 5);
    assert!(index.contains("broken.tar.xz") && index.contains("notes.txt"));
    assert_eq!(index.matches("class=\"failed\"").count(), 1, "{index}");
    assert_eq!(index.matches("class=\"skipped\"").count(), 1, "{index}");
    assert!(
        log.contains("skipped: ") && log.contains("notes.txt — not an input"),
        "{log}"
    );
    assert!(index.contains("tap-tx-drop"));
    // findings.jsonl: one JSON object per line, with the archive path.
    let jsonl = std::fs::read_to_string(out.path().join("findings.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().any(|l| l["finding"]["rule"] == "tap-tx-drop"
        && l["archive"].as_str().unwrap().ends_with("capture.log")));

    // A re-run skips what is up to date (and still reports the failures).
    let (code, log) = batch(&[
        input.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 4);
    assert_eq!(log.matches("] up to date:").count(), 3, "{log}");
    let (_, log) = batch(&[
        input.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(log.matches("] up to date:").count(), 0, "{log}");
}

#[test]
fn shards_partition_the_inputs_exactly() {
    let input = tickets();
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    let outs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (k, out) in outs.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        batch(&[
            input.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--shard",
            &shard,
        ]);
        seen.push(report_dirs(out.path()));
    }
    let all: BTreeSet<String> = seen.iter().flatten().cloned().collect();
    // Five inputs, of which notes.txt is skipped (no report directory).
    assert_eq!(all.len(), 4, "every input in some shard: {seen:?}");
    assert_eq!(
        seen.iter().map(BTreeSet::len).sum::<usize>(),
        4,
        "no input in two shards: {seen:?}"
    );
    // Bad shard syntax is a usage error.
    let (code, _) = batch(&[
        input.path().to_str().unwrap(),
        "--out",
        "/tmp/x",
        "--shard",
        "4/3",
    ]);
    assert_eq!(code, 2);
}
