//! Kernel logs of an archive root (protocol-layers knowledge §8.1, sos-layout): which files
//! they are, and scanning them for drop-related messages while they are read.
//!
//! A kernel log can be hundreds of megabytes (a journal of months), so it is never kept as a
//! body: an archive entry is fed to [`parsers::kernel_log::Scanner`] chunk by chunk while it
//! is decompressed, and only the summary per (message, subject) is kept. A directory's file is
//! read the same way from disk.
//!
//! Which files: `sos_commands/kernel/dmesg` (and `dmesg_-T`), `var/log/messages*`,
//! `var/log/kern.log*`, `var/log/syslog*` (rotations too, not compressed ones),
//! `sos_commands/logs/journalctl_--no-pager*`, their `sos_strings/…​.tailed` tails (where sos
//! links the name when the file was over its size limit), and supportconfig's `messages.txt`
//! and `boot.txt`.
//!
//! Each file belongs to a *group* (its name without the rotation suffix): the rotations of one
//! log cover different days and add up, while different logs (dmesg, messages, the journal,
//! `kern.log` beside `syslog`) repeat the same messages and must never be added together
//! (`assemble::kernel_log`).

use std::io::Read;

use parsers::kernel_log::{line_shape, KernelLog, LineShape, Scanner, Stamp};
use parsers::Parsed;

use super::classify::Layout;

/// One kernel log file, scanned.
#[derive(Debug, Clone)]
pub struct LogFile {
    /// Where its lines are cited from (`input!path`, `path:line` is added per line).
    pub source: String,
    /// The rotation group: `var/log/messages` for `var/log/messages-20240101`.
    pub group: String,
    /// The scan: `matches` is empty (summaries only).
    pub log: KernelLog,
}

/// Bytes read from a log per call of the scanner: large enough that the scan runs at memory
/// speed, small enough to stay in cache.
const CHUNK: usize = 256 * 1024;

/// The rotation group of a kernel log, from its path relative to the root; `None` when the
/// file is no kernel log this module reads.
pub fn group(layout: Layout, rel: &str) -> Option<String> {
    match layout {
        Layout::Supportconfig => {
            matches!(rel, "messages.txt" | "boot.txt").then(|| rel.to_string())
        }
        Layout::Sos => sos_group(rel),
    }
}

/// True when some suffix of an archive path is a kernel log of either layout: decided while
/// the archive streams, before its root is known.
/// Called for every entry of an archive, so the suffixes are slices of `path` (normalised: no
/// empty components), never joined copies.
pub fn is_kernel_log(path: &str) -> bool {
    let starts = std::iter::once(0).chain(path.match_indices('/').map(|(i, _)| i + 1));
    starts
        .map(|start| &path[start..])
        .any(|rel| sos_group(rel).is_some() || group(Layout::Supportconfig, rel).is_some())
}

fn sos_group(rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/')?;
    let dmesg = |n: &str| matches!(n, "dmesg" | "dmesg_-T");
    let journal = |n: &str| n.starts_with("journalctl_--no-pager");
    match dir {
        "sos_commands/kernel" if dmesg(name) => Some(rel.to_string()),
        "sos_commands/logs" if journal(name) => Some(rel.to_string()),
        "var/log" => syslog_base(name).map(|b| format!("var/log/{b}")),
        // sos links the name to its tail here when the file was over the size limit.
        "sos_strings/kernel" => {
            let n = name.strip_suffix(".tailed").filter(|n| dmesg(n))?;
            Some(format!("sos_commands/kernel/{n}"))
        }
        "sos_strings/logs" => {
            let n = name.strip_suffix(".tailed")?;
            if journal(n) {
                return Some(format!("sos_commands/logs/{n}"));
            }
            let base = syslog_base(n.strip_prefix("var.log.")?)?;
            Some(format!("var/log/{base}"))
        }
        _ => None,
    }
}

/// `messages`, `kern.log` or `syslog` for the log or one of its plain rotations
/// (`messages-20240101` on RHEL and SUSE, `syslog.1` on Debian); compressed rotations
/// (`syslog.2.gz`) are not read.
fn syslog_base(name: &str) -> Option<&'static str> {
    ["messages", "kern.log", "syslog"].into_iter().find(|base| {
        let Some(rest) = name.strip_prefix(base) else {
            return false;
        };
        let digits = |d: &str, lens: std::ops::RangeInclusive<usize>| {
            lens.contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())
        };
        rest.is_empty()
            || rest.strip_prefix('-').is_some_and(|d| digits(d, 8..=8))
            || rest.strip_prefix('.').is_some_and(|d| digits(d, 1..=3))
    })
}

/// The kernel messages in a file that is not a kernel log by its place in an archive (a
/// pasted `dmesg`, a capture log that ran `dmesg | tail`): `None` when it holds none. Only
/// messages whose first line carries a timestamp count, unless the file is named for dmesg
/// (`dmesg -t` prints none): a note or a ticket that quotes a message is no log.
pub fn from_text(source: &str, text: &str) -> Option<LogFile> {
    let mut scanner = Scanner::summaries_only();
    scanner.feed(text.as_bytes());
    let mut log = scanner.finish().value;
    let name = source.rsplit(['/', '!']).next().unwrap_or(source);
    if !name.contains("dmesg") {
        log.summary.retain(|s| s.first.stamp != Stamp::None);
    }
    // A log with no message about packet loss is still a log read: the report says so.
    (!log.summary.is_empty() || is_log(text)).then(|| log_file(source, log))
}

/// True when a text is a kernel or system log: most of its first 40 lines, and at least two,
/// carry a log timestamp, and one of them is the kernel's.
fn is_log(text: &str) -> bool {
    let head: Vec<LineShape> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(40)
        .map(line_shape)
        .collect();
    let stamped = head.iter().filter(|s| **s != LineShape::Unstamped).count();
    head.contains(&LineShape::Kernel) && stamped >= 2 && stamped * 2 > head.len()
}

/// A file's scan as a [`LogFile`] of its own group, when it found any message.
pub fn found_in(source: &str, log: KernelLog) -> Option<LogFile> {
    (!log.summary.is_empty()).then(|| log_file(source, log))
}

/// A loose file's scan as a log of its own group.
fn log_file(source: &str, log: KernelLog) -> LogFile {
    LogFile {
        source: source.to_string(),
        group: source.to_string(),
        log,
    }
}

/// Scans a log from a reader, in chunks, keeping summaries only. An error that stops the
/// read is returned beside what was scanned before it.
pub fn scan<R: Read>(reader: &mut R) -> (Parsed<KernelLog>, Option<std::io::Error>) {
    let mut scanner = Scanner::summaries_only();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (scanner.finish(), None),
            Ok(n) => scanner.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (scanner.finish(), Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_text_is_a_log_by_its_stamped_lines() {
        let dmesg = include_str!("../../testdata/parsers/kernel_log/sandbox-6.18.44.dmesg");
        assert!(is_log(dmesg));
        let journal =
            include_str!("../../testdata/parsers/kernel_log/coreos-master1-journalctl-boot-1.txt");
        assert!(is_log(journal));
        // `date -Iseconds`: a stamp and nothing after it.
        assert!(!is_log("2026-11-21T20:56:46+00:00\n"));
        // SYNTHETIC: one stamped kernel line is not enough; another program's lines alone are
        // a system log without the kernel; prose quoting two lines is no log.
        assert!(!is_log("[   1.000000] e1000e: eth0 NIC Link is Up\n"));
        assert!(!is_log(
            "Jun  8 10:48:13 web sshd[712]: Accepted key\nJun  8 10:48:14 web sshd[712]: session\n"
        ));
        let note = "We saw this:\n[ 1.0] a\n[ 2.0] b\nthen it stopped\nand again\nno idea why\n";
        assert!(!is_log(note));
    }

    #[test]
    fn kernel_logs_by_layout_with_their_groups() {
        let sos = |p: &str| group(Layout::Sos, p);
        assert_eq!(
            sos("sos_commands/kernel/dmesg").as_deref(),
            Some("sos_commands/kernel/dmesg")
        );
        assert_eq!(sos("var/log/messages").as_deref(), Some("var/log/messages"));
        assert_eq!(
            sos("var/log/messages-20240101").as_deref(),
            Some("var/log/messages")
        );
        assert_eq!(sos("var/log/syslog.1").as_deref(), Some("var/log/syslog"));
        assert_eq!(sos("var/log/kern.log").as_deref(), Some("var/log/kern.log"));
        assert_eq!(
            sos("sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1").as_deref(),
            Some("sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1")
        );
        assert_eq!(
            sos("sos_strings/logs/var.log.messages.tailed").as_deref(),
            Some("var/log/messages")
        );
        assert_eq!(
            sos("sos_strings/logs/journalctl_--no-pager.tailed").as_deref(),
            Some("sos_commands/logs/journalctl_--no-pager")
        );
        for not in [
            "var/log/syslog.2.gz",
            "var/log/messages-2024",
            "var/log/messages.bak",
            "var/log/warn",
            "sos_commands/logs/journalctl_--disk-usage",
            "sos_commands/logs/journalctl_--list-boots",
            "sos_commands/kernel/dmesg.txt",
            "messages.txt",
        ] {
            assert_eq!(sos(not), None, "{not}");
        }
        assert_eq!(
            group(Layout::Supportconfig, "messages.txt").as_deref(),
            Some("messages.txt")
        );
        assert_eq!(
            group(Layout::Supportconfig, "boot.txt").as_deref(),
            Some("boot.txt")
        );
        assert_eq!(group(Layout::Supportconfig, "network.txt"), None);
        assert!(is_kernel_log("sosreport-a-2024/var/log/messages"));
        assert!(is_kernel_log("scc_host_240521/messages.txt"));
        assert!(!is_kernel_log("sosreport-a-2024/var/log/secure"));
    }

    #[test]
    fn a_quoted_message_without_a_stamp_is_no_log() {
        let quote = "| `nf_conntrack: table full, dropping packet` | the kernel message |\n";
        assert!(from_text("PROVENANCE.md", quote).is_none());
        let stamped = "[ 12.5] nf_conntrack: nf_conntrack: table full, dropping packet\n";
        assert!(from_text("ticket.txt", stamped).is_some());
        let bare = "nf_conntrack: nf_conntrack: table full, dropping packet\n";
        assert!(from_text("ticket.txt", bare).is_none());
        assert!(from_text("dmesg_-t.txt", bare).is_some());
    }

    #[test]
    fn scan_reads_in_chunks_and_keeps_summaries_only() {
        let text = "[ 1.0] e1000e: eth0 NIC Link is Down\n".repeat(CHUNK / 10);
        let (parsed, error) = scan(&mut text.as_bytes());
        assert!(error.is_none());
        assert!(parsed.value.matches.is_empty());
        assert_eq!(parsed.value.summary.len(), 1);
        assert_eq!(parsed.value.summary[0].count, (CHUNK / 10) as u64);
        assert_eq!(parsed.value.lines, CHUNK / 10);
    }
}
