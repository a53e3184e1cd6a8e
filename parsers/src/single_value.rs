//! One-value files: `/sys/class/net/<dev>/statistics/<counter>`, `/proc/sys/net/core/<knob>`.
//!
//! * [`parse_u64`]: exactly one decimal unsigned integer and its trailing newline. Surrounding
//!   blanks are tolerated with a warning; anything else (sign, hex, a second token or line,
//!   overflow) is an error and gives `None`.
//! * [`parse_sysctl_value`]: the file's content trimmed, every whitespace run (spaces, tabs,
//!   newlines) collapsed to one TAB, see [`normalize_value`]. `sysctl -a` prints the file content
//!   verbatim, and multi-number files (`tcp_rmem`, `ip_local_port_range`, …) already separate
//!   their numbers by TABs, so the normalised forms compare equal.
//!
//! ```
//! use parsers::single_value::{parse_sysctl_value, parse_u64};
//! assert_eq!(parse_u64("1234\n").value, Some(1234));
//! assert_eq!(parse_u64("-1\n").value, None);
//! assert_eq!(
//!     parse_sysctl_value("4096 131072  6291456\n").value.as_deref(),
//!     Some("4096\t131072\t6291456")
//! );
//! ```

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// The file's single unsigned integer.
pub fn parse_u64(text: &str) -> Parsed<Option<u64>> {
    let mut problems = Vec::new();
    let mut found: Option<(usize, &str)> = None;
    let mut extra = false;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if found.is_some() {
            problems.push(Problem::error(
                no,
                format!("expected a single integer, found a further line {trimmed:?}"),
            ));
            extra = true;
            continue;
        }
        found = Some((no, trimmed));
        if trimmed.len() != line.len() {
            problems.push(Problem::warning(
                no,
                "blanks around the integer (expected only the number and a newline)",
            ));
        }
    }
    let Some((no, token)) = found else {
        problems.push(Problem::error(
            0,
            "empty file: expected one unsigned integer",
        ));
        return Parsed::new(None, problems);
    };
    if text.lines().count() > 1 && !extra {
        // Blank lines around the number: tolerated (already warned above only for blanks on
        // the number's own line).
        problems.push(Problem::warning(no, "blank lines around the integer"));
    }
    match token_u64(token) {
        Some(v) if !extra => Parsed::new(Some(v), problems),
        Some(_) => Parsed::new(None, problems),
        None => {
            problems.push(Problem::error(
                no,
                format!("expected one unsigned decimal integer, found {token:?}"),
            ));
            Parsed::new(None, problems)
        }
    }
}

/// The file's trimmed content as a sysctl value (whitespace runs collapsed to one tab, as `sysctl` prints them).
pub fn parse_sysctl_value(text: &str) -> Parsed<Option<String>> {
    Parsed::clean(Some(normalize_value(text)))
}

/// A sysctl value in canonical form: trimmed, each whitespace run (spaces, tabs, newlines)
/// replaced by one TAB. Use it on both `sysctl -a` values and `/proc/sys` file contents
/// before comparing them.
pub fn normalize_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixtures, never_panics};

    fn fixture(name: &str) -> &'static str {
        match name {
            "rx_dropped" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../testdata/parsers/single_value/sandbox-lo.rx_dropped"
            )),
            "netdev_max_backlog" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../testdata/parsers/single_value/sandbox.netdev_max_backlog"
            )),
            "tcp_rmem" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../testdata/parsers/single_value/sandbox.tcp_rmem"
            )),
            "core_pattern" => include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../testdata/parsers/single_value/sandbox.core_pattern"
            )),
            _ => "",
        }
    }

    #[test]
    fn real_counter_and_knob() {
        // `cat /sys/class/net/lo/statistics/rx_dropped` in the sandbox: "0\n".
        let p = parse_u64(fixture("rx_dropped"));
        assert_eq!(p.value, Some(0));
        assert!(p.problems.is_empty());
        // `cat /proc/sys/net/core/netdev_max_backlog`: "1000\n".
        let p = parse_u64(fixture("netdev_max_backlog"));
        assert_eq!(p.value, Some(1000));
        assert!(p.problems.is_empty());
    }

    #[test]
    fn u64_edge_cases() {
        assert_eq!(parse_u64("18446744073709551615\n").value, Some(u64::MAX));
        let p = parse_u64("18446744073709551616\n");
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 1);
        assert_eq!(parse_u64("42").value, Some(42));
        assert_eq!(parse_u64("42\r\n").value, Some(42));
        let p = parse_u64(" 42 \n");
        assert_eq!(p.value, Some(42));
        assert_eq!(p.problems.len(), 1);
        assert_eq!(parse_u64("-1\n").value, None);
        assert_eq!(parse_u64("0x10\n").value, None);
        assert_eq!(parse_u64("1 2\n").value, None);
        let p = parse_u64("1\n2\n");
        assert_eq!(p.value, None);
        assert_eq!(p.problems[0].line, 2);
        let p = parse_u64("");
        assert_eq!(p.value, None);
        assert_eq!(p.problems[0].line, 0);
        let p = parse_u64(
            "cat: /sys/class/net/eth0/statistics/rx_dropped: No such file or directory\n",
        );
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn sysctl_values() {
        // `cat /proc/sys/net/ipv4/tcp_rmem` in the sandbox: "4096\t131072\t33554432\n".
        let p = parse_sysctl_value(fixture("tcp_rmem"));
        assert_eq!(p.value.as_deref(), Some("4096\t131072\t33554432"));
        assert!(p.problems.is_empty());
        // `cat /proc/sys/kernel/core_pattern`: "core\n".
        assert_eq!(
            parse_sysctl_value(fixture("core_pattern")).value.as_deref(),
            Some("core")
        );
        assert_eq!(parse_sysctl_value("1000\n").value.as_deref(), Some("1000"));
        assert_eq!(
            parse_sysctl_value("  4096   87380\t 6291456 \r\n")
                .value
                .as_deref(),
            Some("4096\t87380\t6291456")
        );
        assert_eq!(parse_sysctl_value("\n").value.as_deref(), Some(""));
        assert_eq!(normalize_value("a  b\nc"), "a\tb\tc");
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        let mut inputs: Vec<String> = [
            "",
            "\n",
            "\r",
            "\r\n\r\n",
            "\u{0}",
            "ÿÿ",
            "１２３",
            "99999999999999999999999999999",
            "+5",
            "5 5",
            "\t",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for name in [
            "rx_dropped",
            "netdev_max_backlog",
            "tcp_rmem",
            "core_pattern",
        ] {
            let text = fixture(name);
            for (i, _) in text.char_indices() {
                inputs.push(text[..i].to_string());
            }
        }
        for input in &inputs {
            let _ = parse_u64(input);
            let _ = parse_sysctl_value(input);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        // Both parsers over every capture, its own kind and the other.
        let all = fixtures("single_value");
        never_panics(&all, parse_u64);
        never_panics(&all, parse_sysctl_value);
    }
}
