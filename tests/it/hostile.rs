//! Hostile and broken inputs (synthetic archives built in the test). Each must give a listed
//! problem and never a panic.

use std::path::Path;

use crate::util::*;
use analyze::pipeline::{render, Format};
use rules::model::ProblemSeverity;

const UPTIME: &[u8] = b" 02:54:32 up 35 min,  1 user,  load average: 0.64, 0.37, 0.23\n";

/// `analyze --format json PATHS…`: (exit code, stdout, stderr).
fn exit_code(args: &[&Path]) -> (i32, String, String) {
    let format = ["--format", "json"].map(Path::new);
    run_bin(format.iter().chain(args))
}

#[test]
fn symlink_loop_is_reported() {
    let tar = sos_root("sosreport-loop", "loophost")
        .symlink("sosreport-loop/uptime", "sos_commands/host/uptime")
        .symlink("sosreport-loop/sos_commands/host/uptime", "../../uptime")
        .symlink("sosreport-loop/proc/net", "net")
        .finish();
    let (_d, path) = write_temp("loop.tar", &tar);
    let report = run(&[&path]);
    assert_eq!(report.hosts.len(), 1);
    assert_eq!(report.hosts[0].hostname, "loophost");
    assert_eq!(report.hosts[0].uptime_seconds, None);
    assert!(
        has_problem(&report, "sos_commands/host/uptime", "symlink loop"),
        "{}",
        problems_text(&report)
    );
}

#[test]
fn symlink_above_the_root_is_clamped_and_reported() {
    let tar = sos_root("sosreport-esc", "eschost")
        // Resolves, after clamping `..` at the root, to sos_strings/... inside the root.
        .symlink(
            "sosreport-esc/sos_commands/host/uptime",
            "../../../../../../sos_strings/host/uptime.tailed",
        )
        .file("sosreport-esc/sos_strings/host/uptime.tailed", UPTIME)
        // Points outside and names nothing inside: reported as missing.
        .symlink(
            "sosreport-esc/sos_commands/kernel/uname_-a",
            "../../../../../../etc/passwd",
        )
        .finish();
    let (_d, path) = write_temp("esc.tar", &tar);
    let report = run(&[&path]);
    let host = &report.hosts[0];
    assert_eq!(host.uptime_seconds, Some(35 * 60));
    assert!(
        has_problem(
            &report,
            "sos_commands/host/uptime",
            "above the archive root"
        ),
        "{}",
        problems_text(&report)
    );
    assert!(has_problem(
        &report,
        "sos_commands/host/uptime",
        "only the tail"
    ));
    assert!(has_problem(
        &report,
        "sos_commands/kernel/uname_-a",
        "not in the input"
    ));
    assert_eq!(host.kernel, None);
}

#[test]
fn links_before_and_after_their_targets_both_resolve() {
    let ip = include_bytes!(testdata!("e2e/ip_-s_-d_link.eth0"));
    // Link first, target later in the stream.
    let before = sos_root("sosreport-a", "ahost")
        .symlink("sosreport-a/proc/net", "self/net")
        .symlink("sosreport-a/proc/self", "4242")
        .symlink("sosreport-a/sos_commands/networking/ip_-s_-d_link", "../../sos_strings/networking/ip_-s_-d_link.tailed")
        .file("sosreport-a/proc/4242/net/softnet_stat", b"00000010 00000002 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n")
        .file("sosreport-a/sos_strings/networking/ip_-s_-d_link.tailed", ip)
        .finish();
    // Targets first, links later.
    let after = sos_root("sosreport-a", "ahost")
        .file("sosreport-a/proc/4242/net/softnet_stat", b"00000010 00000002 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n")
        .file("sosreport-a/sos_strings/networking/ip_-s_-d_link.tailed", ip)
        .symlink("sosreport-a/sos_commands/networking/ip_-s_-d_link", "../../sos_strings/networking/ip_-s_-d_link.tailed")
        .symlink("sosreport-a/proc/self", "4242")
        .symlink("sosreport-a/proc/net", "self/net")
        .finish();
    for (name, tar) in [("before.tar.xz", xz(&before)), ("after.tar.gz", gz(&after))] {
        let (_d, path) = write_temp(name, &tar);
        let report = run(&[&path]);
        let host = &report.hosts[0];
        assert_eq!(host.softnet.len(), 1, "{name}");
        assert_eq!(host.softnet[0].cpus[0].processed, 16, "{name}");
        assert_eq!(host.softnet[0].cpus[0].dropped, 2, "{name}");
        let eth0 = iface(host, "eth0");
        assert_eq!(
            counter(eth0, "sos_commands/networking/ip_-s_-d_link", "rx_packets"),
            340_518,
            "{name}"
        );
    }
}

#[test]
fn truncated_xz_still_reports_what_was_read() {
    let bytes = std::fs::read(CORPUS).unwrap();
    let cut = &bytes[..bytes.len() * 3 / 4];
    let (_d, path) = write_temp("cut.tar.xz", cut);
    let report = run(&[&path]);
    let input = &report.inputs[0];
    assert!(
        input.error.is_some(),
        "a truncated archive must carry its error"
    );
    assert!(
        input.entries_read > 100,
        "entries before the cut are read: {}",
        input.entries_read
    );
    assert!(report
        .problems
        .iter()
        .any(|p| p.severity == ProblemSeverity::Error && p.message.contains("truncated")));
    // Members are sorted; hostname, proc/ and sos_commands/ come before the cut.
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    assert_eq!(report.hosts[0].hostname, "localhost.localdomain");
    // The report still renders, and the CLI writes it but exits 4 (partial input, issue 13;
    // it was 0, which hid the damage at the terminal) with a stderr line naming the input.
    assert!(render(&report, Format::Html).unwrap().contains("truncated"));
    let (code, stdout, stderr) = exit_code(&[&path]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.contains("\"hosts\""));
    assert!(
        stderr.contains("cut.tar.xz: archive is corrupt or truncated"),
        "{stderr}"
    );
}

#[test]
fn corrupt_compressed_streams_are_errors_not_panics() {
    let mut gz_garbage = vec![0x1F, 0x8B, 0x08, 0x00];
    gz_garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let mut xz_garbage = vec![0xFD, b'7', b'z', b'X', b'Z', 0x00];
    xz_garbage.extend(std::iter::repeat_n(0x55, 100));
    for (name, bytes) in [("bad.tgz", gz_garbage), ("bad.txz", xz_garbage)] {
        let (_d, path) = write_temp(name, &bytes);
        let report = run(&[&path]);
        assert!(report.hosts.is_empty(), "{name}");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.severity == ProblemSeverity::Error),
            "{name}"
        );
        let (code, _, stderr) = exit_code(&[&path]);
        assert_eq!(code, 3, "{name}");
        assert!(!stderr.is_empty());
    }
}

#[test]
fn binary_and_empty_files_are_reported() {
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_246_822_519) >> 13) as u8 | 0x80)
        .collect();
    let (_d1, bin) = write_temp("blob.bin", &[&[0u8, 1, 2][..], &binary].concat());
    let (_d2, empty) = write_temp("empty.txt", b"");
    let report = run(&[&bin, &empty]);
    assert!(report.hosts.is_empty());
    assert!(
        has_problem(&report, "blob.bin", "binary"),
        "{}",
        problems_text(&report)
    );
    assert!(has_problem(&report, "empty.txt", "empty"));
    let (code, _, stderr) = exit_code(&[&bin, &empty]);
    assert_eq!(code, 3);
    assert!(stderr.contains("blob.bin"));
}

#[test]
fn zero_byte_capture_in_an_archive_is_reported() {
    let tar = sos_root("sosreport-z", "zhost")
        .file("sosreport-z/sos_commands/networking/ip_-s_-d_link", b"")
        .file("sosreport-z/sos_commands/host/uptime", UPTIME)
        .finish();
    let (_d, path) = write_temp("z.tar", &tar);
    let report = run(&[&path]);
    assert_eq!(report.hosts[0].uptime_seconds, Some(2100));
    assert!(report.hosts[0].interfaces.is_empty());
    assert!(
        has_problem(&report, "sos_commands/networking/ip_-s_-d_link", "empty"),
        "{}",
        problems_text(&report)
    );
}

#[test]
fn hostile_names_are_escaped_in_html_and_markdown() {
    let tar = TarBuilder::new()
        .file("sosreport-x/version.txt", b"sosreport: 4.0\n")
        .file(
            "sosreport-x/sos_commands/host/hostname",
            b"<script>alert(1)</script>\n",
        )
        .file(
            "sosreport-x/sos_commands/networking/ethtool_-S_<img src=x onerror=alert(2)>|x",
            b"NIC statistics:\n     rx_dropped: 7\n",
        )
        // Empty: reported as a problem, so the name also lands in the Markdown problem table.
        .file(
            "sosreport-x/sos_commands/networking/ethtool_-g_<img src=x onerror=alert(2)>|x",
            b"",
        )
        .finish();
    let (_d, path) = write_temp("x.tar", &tar);
    let report = run(&[&path]);
    let html = render(&report, Format::Html).unwrap();
    assert!(!html.contains("<script>alert"), "raw script in HTML");
    assert!(!html.contains("<img src=x"), "raw img in HTML");
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    let md = render(&report, Format::Md).unwrap();
    assert!(!md.contains("<script>"));
    assert!(!md.contains("<img"));
    // The `|` in the device name must not split a table row.
    assert!(md.contains("\\|x"));
}

#[test]
fn invalid_utf8_is_replaced_and_reported() {
    let tar = sos_root("sosreport-u", "ignored")
        .file(
            "sosreport-u/sos_commands/kernel/uname_-a",
            b"Linux h\xffst 5.14.0-1 #1 SMP x86_64 GNU/Linux\n",
        )
        .finish();
    let (_d, path) = write_temp("u.tar", &tar);
    let report = run(&[&path]);
    assert!(
        has_problem(&report, "uname_-a", "UTF-8"),
        "{}",
        problems_text(&report)
    );
}

#[test]
fn usage_errors_exit_2_and_missing_inputs_exit_3() {
    let (code, _, _) = run_bin([] as [&str; 0]);
    assert_eq!(code, 2);
    let (code, _, _) = run_bin(["--format", "pdf", CORPUS]);
    assert_eq!(code, 2);
    let (code, _, stderr) = exit_code(&[Path::new("/nonexistent/file.tar.xz")]);
    assert_eq!(code, 3);
    assert!(stderr.contains("/nonexistent/file.tar.xz"));
    assert!(run_bin_ok(["--help"]).contains("EXIT CODES"));
}

#[test]
fn output_file_option_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    run_bin_ok(["-o", out.to_str().unwrap(), CORPUS]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("localhost.localdomain"));
}

#[test]
fn a_lossy_name_cannot_redirect_a_directory_read_outside() {
    // Review finding: a real dir `r\xff` beside a symlink named `r\u{FFFD}` pointing outside.
    use std::os::unix::ffi::OsStrExt;
    let base = tempfile::tempdir().unwrap();
    let outside = base.path().join("evil");
    std::fs::create_dir_all(outside.join("sos_commands/host")).unwrap();
    std::fs::write(outside.join("sos_commands/host/hostname"), "FROM-OUTSIDE\n").unwrap();
    let input = base.path().join("input");
    let bad = input.join(std::ffi::OsStr::from_bytes(b"r\xff"));
    std::fs::create_dir_all(bad.join("sos_commands/host")).unwrap();
    std::fs::write(bad.join("sos_commands/host/hostname"), "inside\n").unwrap();
    std::os::unix::fs::symlink(&outside, input.join("r\u{FFFD}")).unwrap();
    let report = run(&[&input]);
    assert!(
        report.hosts.iter().all(|h| h.hostname != "FROM-OUTSIDE"),
        "{:?}",
        report.hosts
    );
    assert!(
        has_problem(&report, "input", "not valid UTF-8"),
        "{}",
        problems_text(&report)
    );
}

#[test]
fn a_report_deep_inside_a_customer_tarball_is_read() {
    let top = "case/uploads/2026/host/sosreport-deep";
    let tar = sos_root(top, "deephost")
        .file(&format!("{top}/sos_commands/host/uptime"), UPTIME)
        .finish();
    let (_d, path) = write_temp("deep.tar", &tar);
    let report = run(&[&path]);
    assert_eq!(report.hosts[0].hostname, "deephost");
    assert_eq!(report.hosts[0].uptime_seconds, Some(2100));
}

#[test]
fn a_truncated_plain_tar_keeps_the_partial_entry_and_says_so() {
    let stats: String = (0..3000).map(|i| format!("     stat_{i}: {i}\n")).collect();
    let body = format!("NIC statistics:\n{stats}");
    let tar = sos_root("sosreport-t", "thost")
        .file(
            "sosreport-t/sos_commands/networking/ethtool_-S_eth0",
            body.as_bytes(),
        )
        .finish();
    // Cut in the middle of the ethtool entry's data.
    let cut = &tar[..tar.len() - 1024 * 2 - 40_000];
    let (_d, path) = write_temp("t.tar", cut);
    let report = run(&[&path]);
    assert!(
        report.inputs[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("ends after"),
        "{:?}",
        report.inputs[0].error
    );
    let eth0 = iface(&report.hosts[0], "eth0");
    let n = eth0.ethtool[0].stats.len();
    assert!(n > 100 && n < 3000, "partial statistics kept: {n}");
}
