//! `hostname` output (also `hostname -f`, `/etc/hostname`).
//!
//! The value is the first non-blank line, trimmed. It must be one word: a line with several
//! words (typically an error message such as `hostname: Name or service not known`) gives no
//! value and an error. Characters outside `[A-Za-z0-9._-]` are kept with a warning. Further
//! non-blank lines are warnings.
//!
//! ```
//! use parsers::hostname;
//! let parsed = hostname::parse("db01.example.com\n");
//! assert_eq!(parsed.value.as_deref(), Some("db01.example.com"));
//! assert!(parsed.problems.is_empty());
//! ```

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

pub fn parse(text: &str) -> Parsed<Option<String>> {
    let mut problems = Vec::new();
    let mut value: Option<String> = None;
    let mut seen_first = false;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if seen_first {
            problems.push(Problem::warning(
                no,
                format!("expected only the host name, found a further line {trimmed:?}"),
            ));
            continue;
        }
        seen_first = true;
        if trimmed.split_whitespace().nth(1).is_some() {
            problems.push(Problem::error(
                no,
                format!("expected one host name, found several words {trimmed:?}"),
            ));
            continue;
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            problems.push(Problem::warning(
                no,
                format!("unusual characters in host name {trimmed:?}"),
            ));
        }
        value = Some(trimmed.to_string());
    }
    if !seen_first {
        problems.push(Problem::error(0, "empty hostname capture"));
    }
    Parsed::new(value, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("hostname", "coreos-master1.hostname");
    const COREOS_F: &str = fixture!("hostname", "coreos-master1.hostname_-f");
    const SANDBOX: &str = fixture!("hostname", "sandbox.hostname");

    #[test]
    fn real_captures() {
        let p = parse(COREOS);
        assert_eq!(p.value.as_deref(), Some("localhost.localdomain"));
        assert!(p.problems.is_empty());
        assert_eq!(parse(COREOS_F).value.as_deref(), Some("localhost"));
        assert_eq!(parse(SANDBOX).value.as_deref(), Some("vm"));
    }

    #[test]
    fn problems() {
        let p = parse("hostname: Name or service not known\n");
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 1);
        let p = parse("\n  web01.example.com \r\nsecond\n");
        assert_eq!(p.value.as_deref(), Some("web01.example.com"));
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 3);
        let p = parse("");
        assert_eq!(p.value, None);
        assert_eq!(p.problems[0].line, 0);
        let p = parse("host/1\n");
        assert_eq!(p.value.as_deref(), Some("host/1"));
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in ["", "\r", "\u{0}", "年 年", " \t\n\t ", "a\rb"] {
            let _ = parse(g);
        }
        for text in [COREOS, COREOS_F, SANDBOX] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("hostname"), parse);
    }
}
