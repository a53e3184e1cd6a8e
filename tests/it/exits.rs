//! Exit codes and stderr never hide damage (issue 13): a missing, empty or truncated input
//! gives a one-line message naming it on stderr and exit 4 while the report is still written
//! and says "partial input" at its top; nothing readable gives 3 and no report; a report that
//! cannot be written gives 1 and names the path. The codes are README's "Exit codes" table.

use std::path::Path;

use crate::util::*;

/// A directory holding `good.log` (the seed capture log).
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SEED_TAP_LOG, dir.path().join("good.log")).unwrap();
    dir
}

#[test]
fn a_complete_run_exits_0_and_says_nothing() {
    let dir = workdir();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["--format", "md", "good.log"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert!(!stdout.contains("Partial input"));
}

#[test]
fn a_missing_path_is_named_on_stderr_and_exits_4_with_the_report_written() {
    let dir = workdir();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["good.log", "nosuch.txt"]);
    assert_eq!(code, 4, "{stderr}");
    // One line for the missing input: path, what happened, what to do.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("nosuch.txt"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "analyze: nosuch.txt: cannot open: No such file or directory (os error 2); check the path and that it is readable"
        ]
    );
    assert!(!stderr.contains("good.log"), "{stderr}");
    // The report of good.log is still written, and says at its top that input is missing.
    assert!(stdout.starts_with("<!DOCTYPE html>"));
    assert!(stdout.contains("tap-tx-drop"));
    let partial = stdout.find("Partial input:").expect("partial input line");
    let first_host = stdout.find("<section class=\"host\"").unwrap();
    assert!(
        partial < first_host,
        "the partial-input line is above the hosts"
    );
    assert!(stdout[partial..first_host].contains("<code>nosuch.txt</code>"));
    // …and in the host's verdict.
    assert!(stdout.contains("<strong class=\"warning\">partial input</strong></p>"));
}

#[test]
fn an_empty_file_has_its_error_in_json_and_exits_4() {
    let dir = workdir();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    let (code, stdout, stderr) =
        run_bin_in(dir.path(), ["--format", "json", "good.log", "empty.txt"]);
    assert_eq!(code, 4, "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(stdout.as_bytes()).unwrap();
    assert_eq!(json["inputs"][0]["path"], "good.log");
    assert_eq!(json["inputs"][0]["error"], serde_json::Value::Null);
    assert_eq!(json["inputs"][1]["path"], "empty.txt");
    assert_eq!(json["inputs"][1]["error"], "file is empty");
    assert!(
        stderr.contains("analyze: empty.txt: file is empty — "),
        "{stderr}"
    );
}

#[test]
fn a_truncated_archive_exits_4_with_stderr_and_a_partial_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(CORPUS).unwrap();
    // Three quarters of the corpus: hostname, proc/ and sos_commands/ come before the cut
    // (tests/it/hostile.rs).
    std::fs::write(dir.path().join("cut.tar.xz"), &bytes[..bytes.len() * 3 / 4]).unwrap();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["--format", "md", "cut.tar.xz"]);
    assert_eq!(code, 4, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("analyze: cut.tar.xz: archive is corrupt or truncated"))
        .unwrap_or_else(|| panic!("{stderr}"));
    // What to do, said once (by the source that met the damage).
    assert!(
        line.ends_with("the report holds what was read before the damage; ask for a complete copy of the archive"),
        "{line}"
    );
    assert_eq!(line.matches("ask for a complete copy").count(), 1, "{line}");
    // The Markdown says so before the first host's verdict.
    let partial = stdout
        .find("**Partial input:** 1 of 1 input(s)")
        .expect(&stdout);
    let host = stdout.find("## localhost.localdomain").unwrap();
    assert!(partial < host);

    // Cut so early that nothing is read: exit 3, no report, the reason on stderr.
    std::fs::write(dir.path().join("stub.tar.xz"), &bytes[..20_000]).unwrap();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["stub.tar.xz"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("analyze: stub.tar.xz: archive is corrupt or truncated"));
    assert!(stderr.contains("no input could be read"));
}

#[test]
fn nothing_readable_exits_3_and_names_every_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "customer says: it is slow\n").unwrap();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["notes.txt", "nosuch.txt"]);
    assert_eq!(code, 3);
    assert_eq!(stdout, "");
    assert!(stderr
        .contains("analyze: notes.txt: not an archive, and its text matches no known capture — "));
    assert!(stderr.contains("analyze: nosuch.txt: cannot open:"));
}

#[test]
fn an_impossible_output_path_exits_1_and_is_named() {
    let dir = workdir();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["-o", "/nonexistent/x.html", "good.log"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim_end(),
        "analyze: the report could not be written: cannot create /nonexistent/x.html: No such file or directory (os error 2)"
    );
}

#[test]
fn a_tarball_of_loose_captures_is_kind_archive() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read(SEED_TAP_LOG).unwrap();
    let tar = TarBuilder::new()
        .dir("captures")
        .file("captures/tap.log", &log)
        .finish();
    std::fs::write(dir.path().join("captures.tar.gz"), gz(&tar)).unwrap();
    let (code, stdout, stderr) = run_bin_in(dir.path(), ["--format", "json", "captures.tar.gz"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(stdout.as_bytes()).unwrap();
    assert_eq!(json["inputs"][0]["kind"], "archive");
    assert_eq!(json["inputs"][0]["error"], serde_json::Value::Null);
    // A single capture file keeps kind `capture`.
    let (_, stdout, _) = run_bin_in(
        Path::new(SEED_TAP_LOG).parent().unwrap(),
        ["--format", "json", SEED_TAP_LOG],
    );
    let json: serde_json::Value = serde_json::from_slice(stdout.as_bytes()).unwrap();
    assert_eq!(json["inputs"][0]["kind"], "capture");
}

#[test]
fn batch_into_an_impossible_output_directory_exits_1_and_names_it() {
    let dir = workdir();
    let (code, _, stderr) = run_bin_in(
        dir.path(),
        ["batch", "--out", "/proc/version/reports", "good.log"],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("analyze batch: cannot create /proc/version/reports: "),
        "{stderr}"
    );
}
