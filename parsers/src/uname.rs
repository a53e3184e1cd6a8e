//! `uname -a`.
//!
//! coreutils prints `kernel-name nodename kernel-release kernel-version machine [processor]
//! [hardware-platform] operating-system`, leaving out processor/platform when they are
//! `unknown` (newer coreutils) and printing them otherwise (`x86_64 x86_64 x86_64`,
//! `x86_64 unknown unknown`). The kernel version contains blanks (`#1 SMP PREEMPT_DYNAMIC Debian
//! 6.1.76-1 (2024-02-01)`), so the line is split from both ends: the first three words, then
//! from the end an operating-system word (`GNU/Linux`, `Linux`, `Android`), then a run of up to
//! three architecture words (`x86_64`, `aarch64`, `ppc64le`, `s390x`, `unknown`, …) of which the
//! first is `machine`. When no such run precedes the OS word (Gentoo prints the CPU model as
//! processor: `x86_64 Intel(R) Core(TM) … GenuineIntel GNU/Linux`), the first architecture word
//! after the version start is `machine`. The version keeps its original spacing.
//!
//! ```
//! use parsers::uname;
//! let text = "Linux sandbox 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n";
//! let uname = uname::parse(text).value.expect("one uname line");
//! assert_eq!(uname.nodename, "sandbox");
//! assert_eq!(uname.kernel_release, "6.1.0-18-amd64");
//! assert_eq!(uname.kernel_version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)");
//! assert_eq!(uname.machine.as_deref(), Some("x86_64"));
//! assert_eq!(uname.operating_system.as_deref(), Some("GNU/Linux"));
//! ```

use serde::Serialize;

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Uname {
    pub kernel_name: String,
    pub nodename: String,
    pub kernel_release: String,
    pub kernel_version: String,
    pub machine: Option<String>,
    /// `uname -p` when printed (may be `unknown`).
    pub processor: Option<String>,
    /// `uname -i` when printed (may be `unknown`).
    pub hardware_platform: Option<String>,
    /// `uname -o` when printed (`GNU/Linux`).
    pub operating_system: Option<String>,
}

pub fn parse(text: &str) -> Parsed<Option<Uname>> {
    let mut problems = Vec::new();
    let mut value = None;
    let mut seen = false;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        if seen {
            problems.push(Problem::warning(
                no,
                format!("expected a single `uname -a` line, found a further line {line:?}"),
            ));
            continue;
        }
        seen = true;
        value = parse_line(line, no, &mut problems);
    }
    if !seen {
        problems.push(Problem::error(0, "empty uname capture"));
    }
    Parsed::new(value, problems)
}

/// Byte spans of the blank-separated words of a line.
fn word_spans(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, line.len()));
    }
    spans
}

fn is_arch(t: &str) -> bool {
    const EXACT: [&str; 19] = [
        "x86_64",
        "amd64",
        "i386",
        "i486",
        "i586",
        "i686",
        "ia64",
        "alpha",
        "m68k",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "parisc",
        "parisc64",
        "loongarch64",
        "sh3",
        "sh4",
        "unknown",
    ];
    const PREFIX: [&str; 6] = ["aarch64", "arm", "ppc", "powerpc", "riscv", "mips"];
    EXACT.contains(&t)
        || (PREFIX.iter().any(|p| t.starts_with(p))
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn is_os(t: &str) -> bool {
    t.contains("Linux") || t == "Android" || t == "GNU"
}

/// The words of a line, addressed by index, with the text between them kept verbatim.
struct Words<'a> {
    line: &'a str,
    spans: Vec<(usize, usize)>,
}

impl<'a> Words<'a> {
    fn new(line: &'a str) -> Self {
        Words {
            line,
            spans: word_spans(line),
        }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    /// Word `i`, or `""` past the end.
    fn word(&self, i: usize) -> &'a str {
        self.spans
            .get(i)
            .and_then(|&(s, e)| self.line.get(s..e))
            .unwrap_or("")
    }

    /// Text from the start of word `a` to the end of word `b - 1` (inner blanks as given:
    /// the kernel version is one field with spaces in it).
    fn slice(&self, a: usize, b: usize) -> String {
        match (
            self.spans.get(a),
            b.checked_sub(1).and_then(|l| self.spans.get(l)),
        ) {
            (Some(&(s, _)), Some(&(_, e))) if a < b => {
                self.line.get(s..e).unwrap_or("").to_string()
            }
            _ => String::new(),
        }
    }
}

fn parse_line(line: &str, no: usize, problems: &mut Vec<Problem>) -> Option<Uname> {
    let w = Words::new(line);
    let n = w.len();
    if n < 3 {
        problems.push(Problem::error(
            no,
            format!("expected `kernel-name nodename release version machine …`, found {line:?}"),
        ));
        return None;
    }
    let mut u = Uname {
        kernel_name: w.word(0).to_string(),
        nodename: w.word(1).to_string(),
        kernel_release: w.word(2).to_string(),
        ..Uname::default()
    };
    let mut end = n;
    if n > 4 && is_os(w.word(n - 1)) {
        u.operating_system = Some(w.word(n - 1).to_string());
        end = n - 1;
    }
    if !machine_and_version(&mut u, &w, end) {
        u.kernel_version = w.slice(3, end);
        problems.push(Problem::warning(
            no,
            "no machine (architecture) word recognised at the end of the line",
        ));
    }
    if u.kernel_version.is_empty() {
        problems.push(Problem::warning(no, "no kernel version"));
    }
    Some(u)
}

/// Splits words `3..end` into the kernel version and the machine, processor and hardware
/// platform that follow it. The version is free text, so the machine is found by its word:
/// first as a trailing run of architecture words, else as the first architecture word after
/// the version. Returns false when no architecture word is found.
fn machine_and_version(u: &mut Uname, w: &Words<'_>, end: usize) -> bool {
    // Trailing run of architecture words, at most three, leaving word 3 to the version.
    let mut j = end;
    while j > 4 && end - j < 3 && is_arch(w.word(j - 1)) {
        j -= 1;
    }
    if j < end {
        u.machine = Some(w.word(j).to_string());
        u.processor = (j + 1 < end).then(|| w.word(j + 1).to_string());
        u.hardware_platform = (j + 2 < end).then(|| w.word(j + 2).to_string());
        u.kernel_version = w.slice(3, j);
        return true;
    }
    let Some(k) = (4..end).find(|&k| is_arch(w.word(k)) && w.word(k) != "unknown") else {
        return false;
    };
    u.machine = Some(w.word(k).to_string());
    if k + 2 < end {
        u.processor = Some(w.slice(k + 1, end - 1));
        u.hardware_platform = Some(w.word(end - 1).to_string());
    } else if k + 1 < end {
        u.processor = Some(w.word(k + 1).to_string());
    }
    u.kernel_version = w.slice(3, k);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("uname", "coreos-master1.uname_-a");
    const SANDBOX: &str = fixture!("uname", "sandbox.uname_-a");
    const OTHERS: &str = fixture!("uname", "constructed-other-layouts.txt");

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn coreos_rhel8() {
        let p = parse(COREOS);
        assert!(p.problems.is_empty());
        let u = p.value.expect("uname");
        assert_eq!(u.kernel_name, "Linux");
        assert_eq!(u.nodename, "localhost.localdomain");
        assert_eq!(u.kernel_release, "4.18.0-80.11.2.el8_0.x86_64");
        assert_eq!(u.kernel_version, "#1 SMP Sun Sep 15 11:24:21 UTC 2019");
        assert_eq!(u.machine, s("x86_64"));
        assert_eq!(u.processor, s("x86_64"));
        assert_eq!(u.hardware_platform, s("x86_64"));
        assert_eq!(u.operating_system, s("GNU/Linux"));
    }

    #[test]
    fn sandbox_debian12() {
        // `Linux vm 6.18.44-fc-v669 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux`
        let p = parse(SANDBOX);
        assert!(p.problems.is_empty());
        let u = p.value.expect("uname");
        assert_eq!(u.nodename, "vm");
        assert_eq!(u.kernel_release, "6.18.44-fc-v669");
        assert_eq!(u.kernel_version, "#1 SMP PREEMPT_DYNAMIC @0");
        assert_eq!(u.machine, s("x86_64"));
        assert_eq!(u.processor, None);
        assert_eq!(u.operating_system, s("GNU/Linux"));
    }

    #[test]
    fn other_layouts() {
        let got: Vec<Uname> = OTHERS.lines().filter_map(|l| parse(l).value).collect();
        let want = [
            // Debian 12 (the brief's example)
            (
                "vm",
                "6.1.0-18-amd64",
                "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
                s("x86_64"),
                None,
                None,
            ),
            // unknown processor and platform printed
            (
                "h",
                "5.14.0-1.el9.aarch64",
                "#1 SMP PREEMPT_DYNAMIC Mon Jan  1 00:00:00 UTC 2024",
                s("aarch64"),
                s("unknown"),
                s("unknown"),
            ),
            // Gentoo: CPU model as processor
            (
                "g",
                "5.15.0-gentoo",
                "#1 SMP PREEMPT Tue Feb 1 10:00:00 CET 2022",
                s("x86_64"),
                s("Intel(R) Core(TM) i7-2600 CPU @ 3.40GHz"),
                s("GenuineIntel"),
            ),
            // BusyBox/Alpine: OS word `Linux`
            (
                "a",
                "6.6.7-0-lts",
                "#1-Alpine SMP PREEMPT_DYNAMIC 2023-12-13 08:40:02",
                s("ppc64le"),
                None,
                None,
            ),
        ];
        assert_eq!(got.len(), want.len());
        for (u, (node, rel, ver, m, p, hw)) in got.iter().zip(want) {
            assert_eq!(
                (
                    u.nodename.as_str(),
                    u.kernel_release.as_str(),
                    u.kernel_version.as_str()
                ),
                (node, rel, ver)
            );
            assert_eq!(
                (&u.machine, &u.processor, &u.hardware_platform),
                (&m, &p, &hw)
            );
        }
    }

    #[test]
    fn problems() {
        let p = parse("Linux host\n");
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
        let p = parse("Linux host 5.0 #1 SMP whatever\n");
        assert_eq!(p.value.as_ref().and_then(|u| u.machine.clone()), None);
        assert_eq!(p.problems.len(), 1);
        let p = parse("");
        assert_eq!(p.problems[0].line, 0);
        let p = parse("Linux h 5.0 #1 SMP x86_64 GNU/Linux\r\nextra\n");
        assert_eq!(
            p.value.as_ref().and_then(|u| u.machine.clone()),
            s("x86_64")
        );
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 2);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            "a",
            "a b c",
            "a b c d",
            "a b c d e",
            "x86_64 x86_64 x86_64 x86_64 x86_64 GNU/Linux",
            "Linux Linux Linux Linux Linux",
            "\u{0} \u{0} \u{0}",
            "年 年 年 年 年 年",
        ] {
            let _ = parse(g);
        }
        for text in [COREOS, SANDBOX, OTHERS] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("uname"), parse);
    }
}
