//! Inputs people send: zip archives (built on the fly from the shipped sosreport or from
//! synthetic sos trees), and archives found inside a sosreport root (`proc.tar.gz`, `var.tgz`).

use std::io::{Cursor, Read, Write};

use crate::util::*;
use rules::model::{ProblemSeverity, Report};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A zip holding every entry of a tar (files deflated, links as zip symlinks).
fn zip_of_tar(tar_bytes: &[u8]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut archive = tar::Archive::new(tar_bytes);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            out.add_directory(path, deflated()).unwrap();
        } else if kind.is_symlink() {
            let target = entry.link_name().unwrap().unwrap();
            out.add_symlink(path, target.to_string_lossy(), deflated())
                .unwrap();
        } else if kind.is_file() {
            let mut body = Vec::new();
            entry.read_to_end(&mut body).unwrap();
            out.start_file(path, deflated()).unwrap();
            out.write_all(&body).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A zip of the given (name, body) files.
fn zip_files(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in files {
        out.start_file(*name, deflated().large_file(body.len() > u32::MAX as usize))
            .unwrap();
        out.write_all(body).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn corpus_tar() -> Vec<u8> {
    let mut tar = Vec::new();
    liblzma::read::XzDecoder::new(std::fs::File::open(CORPUS).unwrap())
        .read_to_end(&mut tar)
        .unwrap();
    tar
}

fn findings(report: &Report) -> Vec<String> {
    report
        .hosts
        .iter()
        .flat_map(|h| &h.findings)
        .map(|f| serde_json::to_string(f).unwrap())
        .collect()
}

#[test]
fn a_zip_of_a_sosreport_reads_like_its_tar_xz() {
    let zip = zip_of_tar(&corpus_tar());
    // No `.zip` in the name: zips are recognised by their first bytes.
    let (_dir, path) = write_temp("upload-from-customer", &zip);
    let from_zip = run(&[&path]);
    let from_xz = run(&[std::path::Path::new(CORPUS)]);
    assert_eq!(from_zip.hosts.len(), 1, "{}", problems_text(&from_zip));
    assert!(
        !from_zip
            .problems
            .iter()
            .any(|p| p.severity == ProblemSeverity::Error),
        "{}",
        problems_text(&from_zip)
    );
    let host = &from_zip.hosts[0];
    assert_eq!(host.hostname, from_xz.hosts[0].hostname);
    assert_eq!(host.kernel.as_deref(), Some("4.18.0-80.11.2.el8_0.x86_64"));
    // Read by hand from proc/net/dev of the shipped sosreport (tests/it/corpus.rs has the same).
    let eth0 = iface(host, "eth0");
    assert_eq!(counter(eth0, "proc/net/dev", "rx_packets"), 340_494);
    // proc/net/dev is a symlink chain (proc/net -> self/net): followed inside the zip too.
    assert_eq!(findings(&from_zip), findings(&from_xz));
    assert!(!findings(&from_zip).is_empty());
    assert_eq!(from_zip.inputs[0].error, None);
    assert_eq!(
        from_zip.inputs[0].entries_read,
        from_xz.inputs[0].entries_read
    );
}

#[test]
fn a_zip_on_standard_input_is_read_from_memory() {
    let tar = sos_root("sosreport-z", "zipstdin")
        .file(
            "sosreport-z/proc/net/dev",
            b"Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: 1000 10 0 7 0 0 0 0 2000 20 0 0 0 0 0 0\n",
        )
        .finish();
    let zip = zip_of_tar(&tar);
    let opened = analyze::ingest::open_reader(Box::new(Cursor::new(zip)), "stdin", "stdin".into());
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].info.error, None, "{:?}", opened[0].problems);
    assert_eq!(opened[0].bundles.len(), 1);
    let sources: Vec<&str> = opened[0].bundles[0]
        .captures
        .iter()
        .map(|c| c.source.as_str())
        .collect();
    assert!(sources.contains(&"proc/net/dev"), "{sources:?}");
    assert!(
        sources.contains(&"sos_commands/host/hostname"),
        "{sources:?}"
    );
}

#[test]
fn a_zip_with_path_traversal_names_is_reported_and_the_rest_read() {
    let dev = b"Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: 1000 10 0 7 0 0 0 0 2000 20 0 0 0 0 0 0\n";
    let zip = zip_files(&[
        ("sosreport-t/version.txt", b"sosreport: 4.0\n"),
        ("sosreport-t/sos_commands/host/hostname", b"traversal\n"),
        ("../../../etc/cron.d/evil", b"* * * * * root sh\n"),
        ("sosreport-t/../../proc/net/dev", dev),
        ("sosreport-t/proc/net/dev", dev),
    ]);
    let (_dir, path) = write_temp("t.zip", &zip);
    let report = run(&[&path]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    assert_eq!(report.hosts[0].hostname, "traversal");
    assert_eq!(
        counter(
            iface(&report.hosts[0], "eth0"),
            "proc/net/dev",
            "proc_rx_drop"
        ),
        7
    );
    assert!(
        has_problem(
            &report,
            "t.zip!../../../etc/cron.d/evil",
            "entry name contains `..`; skipped"
        ),
        "{}",
        problems_text(&report)
    );
    assert!(has_problem(
        &report,
        "t.zip!sosreport-t/../../proc/net/dev",
        "contains `..`"
    ));
}

#[test]
fn a_zip_entry_over_the_cap_is_cut_and_reported() {
    // A wanted entry of 64 MiB + 1 KiB: the readings are at its start, the rest is padding.
    let mut dev = b"Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: 1000 10 0 7 0 0 0 0 2000 20 0 0 0 0 0 0\n".to_vec();
    dev.resize((64 << 20) + 1024, b'\n');
    let zip = zip_files(&[
        ("sosreport-c/version.txt", b"sosreport: 4.0\n"),
        ("sosreport-c/sos_commands/host/hostname", b"capped\n"),
        ("sosreport-c/proc/net/dev", &dev),
    ]);
    assert!(zip.len() < 1 << 20, "deflate packs the padding");
    let (_dir, path) = write_temp("c.zip", &zip);
    let report = run(&[&path]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    assert!(
        has_problem(
            &report,
            "c.zip!sosreport-c/proc/net/dev",
            "entry is larger than 64 MiB; only the start was read"
        ),
        "{}",
        problems_text(&report)
    );
    assert_eq!(
        counter(
            iface(&report.hosts[0], "eth0"),
            "proc/net/dev",
            "proc_rx_drop"
        ),
        7
    );
}

#[test]
fn a_truncated_zip_is_read_up_to_the_damage_and_names_its_path() {
    let dev = b"Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: 1000 10 0 7 0 0 0 0 2000 20 0 0 0 0 0 0\n";
    let filler: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let zip = zip_files(&[
        ("sosreport-h/version.txt", b"sosreport: 4.0\n"),
        ("sosreport-h/sos_commands/host/hostname", b"halfzip\n"),
        ("sosreport-h/proc/net/dev", dev),
        ("sosreport-h/var/log/big", &filler),
    ]);
    // Cut inside the last entry: the central directory at the end is gone.
    let cut = &zip[..zip.len() / 2];
    let (_dir, path) = write_temp("half.zip", cut);
    let report = run(&[&path]);
    assert_eq!(report.hosts.len(), 1, "{}", problems_text(&report));
    assert_eq!(report.hosts[0].hostname, "halfzip");
    let error = report.inputs[0].error.as_deref().expect("an input error");
    assert!(error.contains("zip archive"), "{error}");
    let shown = path.display().to_string();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.severity == ProblemSeverity::Error && p.source == shown),
        "{}",
        problems_text(&report)
    );
}

/// A kernel line of a syslog (the knowledge file's §8 text), in a log that only a nested
/// archive holds.
const DROP_LINE: &[u8] =
    b"Dec  2 10:00:00 host kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n";

/// Lines of `table full` counted in the host's kernel log.
fn logged_table_full(host: &rules::model::Host) -> u64 {
    host.kernel_log
        .iter()
        .filter(|e| e.message == rules::model::LogMessage::ConntrackTableFull)
        .map(|e| e.count)
        .sum()
}

const PROC_NET_DEV: &[u8] = b"Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: 5000 50 0 3 0 0 0 0 6000 60 0 0 0 0 0 0\n";

#[test]
fn archives_inside_a_sos_root_belong_to_that_host() {
    // proc.tar.gz made as `tar -C / -czf proc.tar.gz proc/net`; var.tgz holds only logs (the
    // host's kernel log, scanned); kallsyms.tgz a file this tool does not read.
    let proc = gz(&TarBuilder::new()
        .file("proc/net/dev", PROC_NET_DEV)
        .finish());
    let var = gz(&TarBuilder::new()
        .file("var/log/messages", DROP_LINE)
        .finish());
    let kallsyms = gz(&TarBuilder::new()
        .file("kallsyms", b"ffffffff81000000 T _stext\n")
        .finish());
    let tar = sos_root("sosreport-n", "nestedhost")
        .file("sosreport-n/proc.tar.gz", &proc)
        .file("sosreport-n/var.tgz", &var)
        .file("sosreport-n/kallsyms.tgz", &kallsyms)
        .finish();
    let (_dir, path) = write_temp("sosreport-n.tar.xz", &xz(&tar));
    let report = run(&[&path]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["nestedhost"], "{}", problems_text(&report));
    assert_eq!(report.inputs.len(), 1);
    let eth0 = iface(&report.hosts[0], "eth0");
    assert_eq!(counter(eth0, "proc/net/dev", "rx_packets"), 50);
    assert_eq!(counter(eth0, "proc/net/dev", "proc_rx_drop"), 3);
    assert!(
        has_problem(
            &report,
            "sosreport-n/kallsyms.tgz",
            "holds no file this tool reads; passed over"
        ),
        "{}",
        problems_text(&report)
    );
    assert!(!has_problem(&report, "proc.tar.gz", ""));
    assert!(!has_problem(&report, "var.tgz", ""));
    assert_eq!(logged_table_full(&report.hosts[0]), 1);
    assert_eq!(report.inputs[0].error, None);
}

#[test]
fn an_archive_of_a_directory_inside_a_sos_root_is_placed_under_its_name() {
    // proc.tgz made as `tar -C /proc -czf proc.tgz net`: its entries sit under proc/.
    let proc = gz(&TarBuilder::new().file("net/dev", PROC_NET_DEV).finish());
    let zip = zip_of_tar(
        &sos_root("sosreport-s", "stemhost")
            .file("sosreport-s/proc.tgz", &proc)
            .finish(),
    );
    let (_dir, path) = write_temp("s.zip", &zip);
    let report = run(&[&path]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["stemhost"], "{}", problems_text(&report));
    let eth0 = iface(&report.hosts[0], "eth0");
    assert_eq!(counter(eth0, "proc/net/dev", "tx_packets"), 60);
}

#[test]
fn input_errors_name_their_path_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nosuch.tar.xz");
    let binary = dir.path().join("photo.jpg");
    std::fs::write(
        &binary,
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', 0xFF, 0],
    )
    .unwrap();
    let noroot = dir.path().join("noroot.tar");
    std::fs::write(
        &noroot,
        TarBuilder::new()
            .file("x/picture.png", &[0x89, b'P', b'N', b'G', 0, 0xFF])
            .finish(),
    )
    .unwrap();
    let truncated = dir.path().join("cut.tar.xz");
    let tar = xz(&sos_root("sosreport-cut", "cut")
        .file("sosreport-cut/proc/net/dev", PROC_NET_DEV)
        .file("sosreport-cut/var/log/big", &vec![7u8; 300_000])
        .finish());
    std::fs::write(&truncated, &tar[..tar.len() / 2]).unwrap();
    let notzip = dir.path().join("broken.zip");
    std::fs::write(&notzip, b"PK\x03\x04 this is not really a zip archive").unwrap();
    for path in [&missing, &binary, &noroot, &truncated, &notzip] {
        let report = run(&[path]);
        let shown = path.display().to_string();
        // The input's own error: its source is the path (the report and stderr print both).
        let errors: Vec<_> = report
            .problems
            .iter()
            .filter(|p| p.severity == ProblemSeverity::Error && p.source == shown)
            .collect();
        assert!(!errors.is_empty(), "{shown}: {}", problems_text(&report));
        for e in errors {
            assert!(
                ["check", "ask", "pass", "extract", "save"]
                    .iter()
                    .any(|w| e.message.contains(w)),
                "{shown}: error says nothing to do: {}",
                e.message
            );
        }
        // A binary file is not also called text with bad bytes.
        assert!(
            !has_problem(&report, &shown, "invalid UTF-8") || path != &binary,
            "{}",
            problems_text(&report)
        );
    }
}

#[test]
fn archives_inside_an_extracted_sos_directory_belong_to_that_host() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sosreport-d");
    std::fs::create_dir_all(root.join("sos_commands/host")).unwrap();
    std::fs::write(root.join("sos_commands/host/hostname"), b"dirhost\n").unwrap();
    std::fs::write(
        root.join("proc.tar.gz"),
        gz(&TarBuilder::new()
            .file("proc/net/dev", PROC_NET_DEV)
            .finish()),
    )
    .unwrap();
    std::fs::write(
        root.join("var.tgz"),
        gz(&TarBuilder::new()
            .file("var/log/messages", DROP_LINE)
            .finish()),
    )
    .unwrap();
    // A rotated log is not an archive, whatever its compression.
    std::fs::write(root.join("messages-1.gz"), gz(b"Dec  1 10:00:00 host x\n")).unwrap();
    let report = run(&[dir.path()]);
    let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
    assert_eq!(names, vec!["dirhost"], "{}", problems_text(&report));
    assert_eq!(report.inputs.len(), 1);
    assert_eq!(report.inputs[0].error, None, "{}", problems_text(&report));
    let eth0 = iface(&report.hosts[0], "eth0");
    assert_eq!(counter(eth0, "proc/net/dev", "proc_rx_drop"), 3);
    assert!(
        !has_problem(&report, "var.tgz", ""),
        "{}",
        problems_text(&report)
    );
    assert_eq!(logged_table_full(&report.hosts[0]), 1);
    assert!(!has_problem(&report, "messages-1.gz", ""));
}

#[test]
fn a_zip_in_a_ticket_tarball_or_folder_is_an_input_of_its_own() {
    let zip = zip_of_tar(
        &sos_root("sosreport-k", "ticketzip")
            .file("sosreport-k/proc/net/dev", PROC_NET_DEV)
            .finish(),
    );
    // Inside a tarball without a root (recognised by its bytes: no `.zip` in the name).
    let outer = TarBuilder::new()
        .file("case-123/notes.txt", b"customer says it drops\n")
        .file("case-123/upload", &zip)
        .finish();
    let (_d, tarball) = write_temp("case-123.tar", &outer);
    // And in a ticket folder.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("sosreport-k.zip"), &zip).unwrap();
    for path in [tarball.as_path(), folder.path()] {
        let report = run(&[path]);
        let names: Vec<&str> = report.hosts.iter().map(|h| h.hostname.as_str()).collect();
        assert_eq!(names, vec!["ticketzip"], "{}", problems_text(&report));
        let eth0 = iface(&report.hosts[0], "eth0");
        assert_eq!(counter(eth0, "proc/net/dev", "rx_packets"), 50);
    }
}
