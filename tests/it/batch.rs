//! `analyze batch`: good archives, a corrupt one, a nested `sos collect` bundle and a
//! non-archive file → reports for the good ones, an index listing all, a failure row, a
//! skipped row for the notes and exit 4; shards partition the inputs exactly; re-runs skip
//! up-to-date reports; report directories are stable per input and the index follows the
//! current input set.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::*;

/// `analyze batch ARGS…`: (exit code, stderr).
fn batch(args: &[&str]) -> (i32, String) {
    let (code, _, stderr) = run_bin(std::iter::once("batch").chain(args.iter().copied()));
    (code, stderr)
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
    std::fs::copy(SEED_TAP_LOG, root.join("case-1/capture.log")).unwrap();
    let corpus = std::fs::read(CORPUS).unwrap();
    std::fs::write(root.join("case-2/broken.tar.xz"), &corpus[..20_000]).unwrap();
    std::fs::write(root.join("case-2/notes.txt"), "customer says: it is slow\n").unwrap();
    let ip = include_str!(testdata!("e2e/ip_-s_-d_link.eth0"));
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

/// `analyze batch ARGS…` in `cwd`: (exit code, stderr).
fn batch_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    let (code, _, stderr) = run_bin_in(cwd, std::iter::once("batch").chain(args.iter().copied()));
    (code, stderr)
}

/// The `<tr>` rows of the index, without its header row.
fn index_rows(out: &Path) -> Vec<String> {
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    index
        .split("<tr>")
        .skip(2)
        .map(|r| r.split("</tr>").next().unwrap().to_string())
        .collect()
}

fn jsonl(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_missing_batch_root_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let (code, log) = batch_in(dir.path(), &["--out", "r", "nosuchdir"]);
    assert_eq!(code, 3, "{log}");
    assert!(
        log.contains(
            "analyze batch: nosuchdir: cannot open: No such file or directory (os error 2) — check the path"
        ),
        "{log}"
    );
    assert!(log.contains("analyze batch: nothing could be read: no path given exists"));

    // With a good path beside it, the missing one is reported, not dropped: exit 4.
    std::fs::create_dir_all(dir.path().join("tickets/case1")).unwrap();
    std::fs::copy(SEED_TAP_LOG, dir.path().join("tickets/case1/capture.log")).unwrap();
    let (code, log) = batch_in(dir.path(), &["--out", "r", "tickets/case1", "nosuchdir"]);
    assert_eq!(code, 4, "{log}");
    assert!(
        log.contains("analyze batch: nosuchdir: cannot open:"),
        "{log}"
    );
    assert!(log.contains(
        "analyze batch: 1 done (0 partial), 0 skipped, 0 failed, 0 up to date, 1 path(s) missing; worst: critical; index: r/index.html"
    ), "{log}");
    let rows = index_rows(&dir.path().join("r"));
    assert_eq!(rows.len(), 2, "{rows:#?}");
    // Rows are by severity (issue 17: the capture's critical finding first), then path; the
    // index escapes `/` as `&#x2f;`.
    assert!(rows[1].contains("<code>nosuchdir</code>") && rows[1].contains("class=\"missing\""));
    assert!(rows[0].contains("case1&#x2f;capture.log") && rows[0].contains("class=\"ok\""));
}

#[test]
fn files_that_are_not_inputs_are_skipped_without_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("tickets/case1");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(SEED_TAP_LOG, case.join("capture.log")).unwrap();
    std::fs::write(case.join("notes.txt"), "customer says: it is slow\n").unwrap();
    std::fs::write(
        case.join("README"),
        "# Ticket 4711\nSee the attached logs.\n",
    )
    .unwrap();
    std::fs::write(case.join("screenshot.png"), b"\x89PNG\r\n\x1a\n....").unwrap();
    std::fs::write(
        case.join("reply.eml"),
        "From: a@b\nSubject: drops\n\nhello\n",
    )
    .unwrap();
    std::fs::write(case.join("sizing.pdf"), b"%PDF-1.4\n").unwrap();
    let (code, log) = batch_in(dir.path(), &["--out", "r", "tickets"]);
    assert_eq!(code, 0, "skipped files do not change the exit code\n{log}");
    assert_eq!(
        report_dirs(&dir.path().join("r")),
        ["capture".to_string()].into()
    );
    for (name, why) in [
        (
            "notes.txt",
            "not an input: not an archive, and its text matches no known capture",
        ),
        (
            "README",
            "not an input: not an archive, and its text matches no known capture",
        ),
        ("screenshot.png", "not an input: an image (.png)"),
        ("reply.eml", "not an input: an e-mail (.eml)"),
        ("sizing.pdf", "not an input: a PDF document (.pdf)"),
    ] {
        assert!(
            log.contains(&format!("skipped: tickets/case1/{name} — {why}")),
            "{name}\n{log}"
        );
    }
    assert!(log.ends_with(
        "analyze batch: 1 done (0 partial), 5 skipped, 0 failed, 0 up to date; worst: critical; index: r/index.html\n"
    ), "{log}");
    let rows = index_rows(&dir.path().join("r"));
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains("class=\"skipped\""))
            .count(),
        5
    );
    // Skipped rows link to no report.
    assert_eq!(rows.iter().filter(|r| r.contains("report.html")).count(), 1);

    // --strict: they are failures (each read, and failed), exit 4.
    let (code, log) = batch_in(dir.path(), &["--out", "strict", "--strict", "tickets"]);
    assert_eq!(code, 4, "{log}");
    assert_eq!(log.matches("] FAILED: ").count(), 5, "{log}");
    assert_eq!(report_dirs(&dir.path().join("strict")).len(), 6);
}

#[test]
fn folders_are_stable_per_input_and_the_index_follows_the_current_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("tickets/case1")).unwrap();
    std::fs::create_dir_all(root.join("tickets/case2")).unwrap();
    std::fs::copy(SEED_TAP_LOG, root.join("tickets/case1/capture.log")).unwrap();
    let (code, log) = batch_in(root, &["--out", "r", "tickets"]);
    assert_eq!(code, 0, "{log}");
    let out = root.join("r");
    assert_eq!(report_dirs(&out), ["capture".to_string()].into());
    // The seed log has one finding: tap-tx-drop on tapc18eb09e-01.
    assert_eq!(jsonl(&out).len(), 1);

    // A sibling with the same file name appears: the first keeps `capture/` and is not
    // read again; the new one gets `capture-<hash>/`.
    std::fs::copy(SEED_TAP_LOG, root.join("tickets/case2/capture.log")).unwrap();
    let (code, log) = batch_in(root, &["--out", "r", "tickets"]);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("] up to date: tickets/case1/capture.log"),
        "{log}"
    );
    assert!(log.contains("] ok: tickets/case2/capture.log"), "{log}");
    let dirs = report_dirs(&out);
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    assert!(dirs.contains("capture"));
    let second = dirs.iter().find(|d| *d != "capture").unwrap();
    assert!(second.starts_with("capture-") && second.len() == "capture-".len() + 8);
    let stamp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("capture/stamp.json")).unwrap()).unwrap();
    assert!(stamp["input"]
        .as_str()
        .unwrap()
        .ends_with("tickets/case1/capture.log"));
    assert_eq!(index_rows(&out).len(), 2, "two inputs, two rows");
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 2, "one finding per input, none twice");
    assert!(lines[0]["archive"]
        .as_str()
        .unwrap()
        .ends_with("case1/capture.log"));
    assert_eq!(lines[0]["report"], "capture/report.html");
    assert!(lines[1]["archive"]
        .as_str()
        .unwrap()
        .ends_with("case2/capture.log"));
    assert_eq!(lines[1]["report"], format!("{second}/report.html"));
    // A third run changes nothing.
    let (_, log) = batch_in(root, &["--out", "r", "tickets"]);
    assert_eq!(log.matches("] up to date: ").count(), 2, "{log}");
    assert_eq!(report_dirs(&out).len(), 2);

    // The first input is deleted: it disappears from the index and findings.jsonl.
    std::fs::remove_file(root.join("tickets/case1/capture.log")).unwrap();
    let (code, log) = batch_in(root, &["--out", "r", "tickets"]);
    assert_eq!(code, 0, "{log}");
    let rows = index_rows(&out);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(rows[0].contains("case2&#x2f;capture.log") && !rows[0].contains("case1"));
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["archive"]
        .as_str()
        .unwrap()
        .ends_with("case2/capture.log"));
}

#[test]
fn this_projects_testdata_skips_its_notes_and_fails_nothing() {
    let out = tempfile::tempdir().unwrap();
    let testdata = TESTDATA;
    let (code, log) = batch(&[
        testdata,
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(code, 0, "{log}");
    assert!(!log.contains("FAILED"), "{log}");
    let notes: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("/README") || l.contains("/PROVENANCE") || l.contains("/expected.json")
        })
        .collect();
    assert!(notes.len() >= 40, "{}", notes.len());
    for l in notes {
        assert!(l.contains("] skipped: "), "{l}");
    }
    assert!(log.contains(", 0 failed, 0 up to date; worst: critical; index: "));
}

#[test]
fn shards_into_one_directory_end_with_a_complete_index() {
    let input = tickets();
    // Both orders, so that notes.txt is skipped by the first shard to run in one of them
    // (the last shard then lists it from the skip marker).
    for order in [[1, 2], [2, 1]] {
        let out = tempfile::tempdir().unwrap();
        for k in order {
            let shard = format!("{k}/2");
            let (code, log) = batch(&[
                input.path().to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
                "--shard",
                &shard,
            ]);
            assert!(matches!(code, 0 | 3 | 4), "{log}");
        }
        // Five inputs, each in one shard: after the last shard none is pending, and
        // notes.txt is skipped whichever shard read it.
        let rows = index_rows(out.path());
        assert_eq!(rows.len(), 5, "{rows:#?}");
        assert!(
            rows.iter().all(|r| !r.contains("class=\"pending\"")),
            "{rows:#?}"
        );
        let notes: Vec<&String> = rows.iter().filter(|r| r.contains("notes.txt")).collect();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("class=\"skipped\""), "{}", notes[0]);
        assert!(notes[0]
            .contains("not an input: not an archive, and its text matches no known capture"));
        assert_eq!(report_dirs(out.path()).len(), 4);
    }
}
