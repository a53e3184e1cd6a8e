//! `sysctl -a` (`key = value`).
//!
//! * A line is `key = value`; the key has no blanks, the value is kept verbatim after the first
//!   ` = ` (it may be empty, contain `=` or TABs, e.g. `net.ipv4.tcp_rmem = 4096\t131072\t6291456`).
//!   `key =` with nothing after it (trailing blank stripped by an editor) is an empty value.
//! * A key printed on several lines (multi-line files such as `dev.cdrom.info`) gets its lines
//!   joined with `\n`, in order; a key repeated after other keys is also a warning.
//! * Error lines of sysctl itself (procps-ng `sysctl: permission denied on key '…'`,
//!   `sysctl: reading key "…"`, `sysctl: unable to open directory "…"`, …; procps 3.2
//!   `error: … key '…'`) are understood and summarised in ONE warning with their count and the
//!   first key (or path) they name.
//! * Any other line is a warning with its line number.
//!
//! Compare values with [`crate::single_value::normalize_value`] to ignore blank differences.
//!
//! ```
//! use parsers::sysctl;
//! let parsed = sysctl::parse("net.core.netdev_max_backlog = 1000\nnet.ipv4.tcp_rmem = 4096\t131072\t6291456\n");
//! assert_eq!(parsed.value["net.core.netdev_max_backlog"], "1000");
//! assert_eq!(parsed.value["net.ipv4.tcp_rmem"], "4096\t131072\t6291456");
//! assert!(parsed.problems.is_empty());
//! ```

use std::collections::BTreeMap;

use crate::text::{clip, numbered_lines};
use crate::{Parsed, Problem};

pub fn parse(text: &str) -> Parsed<BTreeMap<String, String>> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut last_key: Option<&str> = None;
    let mut any_line = false;

    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        any_line = true;
        if let Some(what) = sysctl_error(line) {
            errors.push((no, what));
            continue;
        }
        match key_value(line) {
            Some((key, value)) => {
                problems.extend(add_value(&mut map, key, value, last_key, no));
                last_key = Some(key);
            }
            None => {
                problems.push(Problem::warning(
                    no,
                    format!("expected `key = value`, found {:?}", clip(line)),
                ));
                last_key = None;
            }
        }
    }

    if let Some((first_line, first_what)) = errors.first() {
        problems.push(Problem::warning(
            *first_line,
            format!(
                "{} sysctl error line(s) (keys not read); first: {first_what}",
                errors.len()
            ),
        ));
    }
    if !any_line {
        problems.push(Problem::error(
            0,
            "empty sysctl capture: expected `key = value` lines",
        ));
    } else if map.is_empty() {
        problems.push(Problem::error(0, "no `key = value` line found"));
    }
    problems.sort_by_key(|p| p.line);
    Parsed::new(map, problems)
}

/// Stores `key = value`. A key given again gets the value on a new line: sysctl prints a
/// multi-line file (such as `dev.cdrom.info`) as one `key = line` per line, always together,
/// so a repeat after other keys is odd; returns the problem it raises.
fn add_value(
    map: &mut BTreeMap<String, String>,
    key: &str,
    value: &str,
    last_key: Option<&str>,
    no: usize,
) -> Option<Problem> {
    let Some(existing) = map.get_mut(key) else {
        map.insert(key.to_string(), value.to_string());
        return None;
    };
    existing.push('\n');
    existing.push_str(value);
    (last_key != Some(key)).then(|| {
        Problem::warning(
            no,
            format!("key {key} repeated after other keys; value lines joined"),
        )
    })
}

/// `key = value` (value verbatim) or `key =` (empty value). The key has no blanks and no `=`.
/// (Plain string splitting: the grammar is one separator, and it keeps the parser fast enough
/// to be run on every prefix of large captures in the tests.)
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = match line.split_once(" = ") {
        Some((k, v)) => (k, v),
        None => {
            let k = line.trim_end().strip_suffix('=')?.trim_end();
            (k, "")
        }
    };
    let valid = !key.is_empty() && !key.contains(|c: char| c.is_whitespace() || c == '=');
    valid.then_some((key, value))
}

/// Recognises an error line printed by sysctl; returns the key (or path) it names, else the
/// whole message.
fn sysctl_error(line: &str) -> Option<String> {
    let msg = line
        .strip_prefix("sysctl: ")
        .or_else(|| line.strip_prefix("error: "))?;
    Some(quoted(msg).map_or_else(|| clip(msg).to_string(), |q| format!("{q} ({})", clip(msg))))
}

/// The first '…' or "…" quoted text of a message.
fn quoted(msg: &str) -> Option<&str> {
    let start = msg.find(['\'', '"'])?;
    let q = msg.get(start..start + 1)?;
    let rest = msg.get(start + 1..)?;
    let end = rest.find(q)?;
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};
    use crate::Severity;

    const COREOS: &str = fixture!("sysctl", "coreos-master1-trimmed.sysctl_-a");
    const SANDBOX: &str = fixture!("sysctl", "sandbox-debian12-trimmed.sysctl_-a");
    const NONROOT: &str = fixture!("sysctl", "sandbox-debian12-nonroot-trimmed.sysctl_-a");

    #[test]
    fn coreos_real_capture() {
        let p = parse(COREOS);
        let m = &p.value;
        assert_eq!(
            m.get("net.core.netdev_max_backlog").map(String::as_str),
            Some("1000")
        );
        assert_eq!(
            m.get("net.core.netdev_budget").map(String::as_str),
            Some("300")
        );
        assert_eq!(
            m.get("net.core.netdev_budget_usecs").map(String::as_str),
            Some("2000")
        );
        assert_eq!(m.get("net.core.dev_weight").map(String::as_str), Some("64"));
        assert_eq!(
            m.get("net.core.default_qdisc").map(String::as_str),
            Some("fq_codel")
        );
        assert_eq!(
            m.get("net.ipv4.tcp_rmem").map(String::as_str),
            Some("4096\t87380\t6291456")
        );
        assert_eq!(
            m.get("fs.dentry-state").map(String::as_str),
            Some("101373\t80467\t45\t0\t0\t0")
        );
        // value with ':' characters
        assert!(m
            .get("net.core.netdev_rss_key")
            .is_some_and(|v| v.starts_with("00:00:00:")));
        // multi-line dev.cdrom.info: lines 9..32 of the file, joined
        let info = m.get("dev.cdrom.info").map(String::as_str).unwrap_or("");
        let info_lines: Vec<&str> = info.split('\n').collect();
        assert_eq!(info_lines.len(), 24);
        assert_eq!(
            info_lines[0],
            "CD-ROM information, Id: cdrom.c 3.20 2003/12/17"
        );
        assert_eq!(info_lines[1], "");
        assert_eq!(info_lines[2], "drive name:\t\tsr0");
        assert_eq!(info_lines[21], "Can write RAM:\t\t0");
        assert_eq!(info_lines[23], "");
        // the single `sysctl: unable to open directory` line, summarised
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, 43);
        assert_eq!(p.problems[0].severity, Severity::Warning);
        assert!(p.problems[0].message.starts_with("1 sysctl error line(s)"));
        assert!(p.problems[0].message.contains("/proc/sys/fs/binfmt_misc/"));
        // 227 lines: 1 error line, 23 extra cdrom.info lines
        assert_eq!(m.len(), 227 - 1 - 23);
    }

    fn m_get<'a>(m: &'a BTreeMap<String, String>, k: &str) -> Option<&'a str> {
        m.get(k).map(String::as_str)
    }

    #[test]
    fn sandbox_root_capture() {
        let p = parse(SANDBOX);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // 292 lines, kernel.core_modes printed on 3 of them
        assert_eq!(p.value.len(), 290);
        assert_eq!(
            m_get(&p.value, "kernel.core_modes"),
            Some("file\npipe\nsocket")
        );
        let m = &p.value;
        assert_eq!(
            m.get("net.core.netdev_max_backlog").map(String::as_str),
            Some("1000")
        );
        assert_eq!(
            m.get("net.ipv4.tcp_rmem").map(String::as_str),
            Some("4096\t131072\t33554432")
        );
        assert_eq!(m.get("kernel.panic_sys_info").map(String::as_str), Some(""));
        assert_eq!(
            m.get("net.ipv4.ip_local_reserved_ports")
                .map(String::as_str),
            Some("")
        );
    }

    #[test]
    fn nonroot_permission_denied_summarised() {
        let p = parse(NONROOT);
        // lines 70, 187, 188, 201, 202, 203 are `sysctl: permission denied on key '…'`
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, 70);
        assert!(p.problems[0].message.starts_with("6 sysctl error line(s)"));
        assert!(p.problems[0].message.contains("kernel.cad_pid"));
        assert!(!p.value.contains_key("kernel.cad_pid"));
        // 260 lines: 6 error lines, kernel.core_modes on 3 lines
        assert_eq!(p.value.len(), 260 - 6 - 2);
        assert_eq!(
            p.value.get("net.core.bpf_jit_enable").map(String::as_str),
            Some("1")
        );
    }

    #[test]
    fn constructed_lines() {
        let text =
            "a.b = x = y\r\nc.d =\nsysctl: reading key \"net.ipv6.conf.all.stable_secret\"\n\
                    error: permission denied on key 'x.y'\nnot a sysctl line\ne.f = 1\nc.d = 2\n";
        let p = parse(text);
        assert_eq!(p.value.get("a.b").map(String::as_str), Some("x = y"));
        assert_eq!(p.value.get("c.d").map(String::as_str), Some("\n2"));
        assert_eq!(p.value.get("e.f").map(String::as_str), Some("1"));
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![3, 5, 7]);
        assert!(p.problems[0].message.starts_with("2 sysctl error line(s)"));
        assert!(p.problems[0]
            .message
            .contains("net.ipv6.conf.all.stable_secret"));
    }

    #[test]
    fn empty_and_garbage() {
        let p = parse("");
        assert!(p.value.is_empty());
        assert_eq!(p.problems[0].severity, Severity::Error);
        let p = parse("sysctl: command not found\n");
        assert!(p.value.is_empty());
        assert_eq!(p.problems.len(), 2);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            "=",
            " = ",
            "==",
            "a=",
            "= b",
            "\u{0} = \u{0}",
            "sysctl: '",
            "sysctl: \"",
            "error: ",
            "年 = 年",
            "\r\n",
            "a\t=\tb",
        ] {
            let _ = parse(g);
        }
        for text in [COREOS, SANDBOX, NONROOT] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("sysctl"), parse);
    }
}
