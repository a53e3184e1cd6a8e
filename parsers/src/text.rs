//! Small shared helpers for line-oriented text: numbered lines with CR stripped, and nom
//! building blocks that every parser family uses.
//!
//! ```
//! use parsers::text::{numbered_lines, token_u64};
//! let lines: Vec<_> = numbered_lines("a\r\nb\n").collect();
//! assert_eq!(lines, [(1, "a"), (2, "b")]);
//! assert_eq!(token_u64("42"), Some(42));
//! assert_eq!(token_u64("99999999999999999999"), None);
//! ```

use chrono::NaiveTime;
use nom::bytes::complete::take_while_m_n;
use nom::character::complete::{char, digit1, space0};
use nom::combinator::map_res;
use nom::sequence::preceded;
use nom::IResult;
use nom::Parser;

/// Lines with their 1-based numbers; a trailing `\r` (CRLF files, web pastes) is removed.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// A decimal `u64`, after optional spaces. Fails (does not wrap) on overflow.
pub fn ws_u64(input: &str) -> IResult<&str, u64> {
    preceded(space0, map_res(digit1, str::parse::<u64>)).parse(input)
}

/// Parses a whole token as a decimal `u64`; `None` for anything else (including overflow).
pub fn token_u64(token: &str) -> Option<u64> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

/// Exactly two decimal digits (`05`, `59`): the minutes and seconds of a clock.
pub fn two_digits(input: &str) -> IResult<&str, u32> {
    map_res(
        take_while_m_n(2, 2, |c: char| c.is_ascii_digit()),
        str::parse::<u32>,
    )
    .parse(input)
}

/// A wall clock `H:MM:SS` or `HH:MM:SS` (as `top` and `uptime` print it); fails on a time
/// that does not exist (`25:00:00`).
pub fn clock(input: &str) -> IResult<&str, NaiveTime> {
    let hour = map_res(
        take_while_m_n(1, 2, |c: char| c.is_ascii_digit()),
        str::parse::<u32>,
    );
    map_res(
        (hour, char(':'), two_digits, char(':'), two_digits),
        |(h, _, m, _, s)| NaiveTime::from_hms_opt(h, m, s).ok_or(()),
    )
    .parse(input)
}

/// Whitespace-separated words with their byte offsets (for columns placed under a header):
/// `word_offsets(" a  bc")` is `[(1, "a"), (4, "bc")]`.
pub fn word_offsets(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

/// At most 120 characters of a line, for messages (cut at a char boundary).
pub fn clip(s: &str) -> &str {
    match s.char_indices().nth(120) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_offsets_are_byte_offsets_of_each_word() {
        assert_eq!(word_offsets(" a  bc"), [(1, "a"), (4, "bc")]);
        assert_eq!(word_offsets("µs x\t"), [(0, "µs"), (4, "x")]);
        assert!(word_offsets("  ").is_empty());
    }

    #[test]
    fn numbered_lines_strip_cr() {
        let lines: Vec<_> = numbered_lines("a\r\nb\n").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b")]);
    }

    #[test]
    fn token_u64_rejects_overflow_and_signs() {
        assert_eq!(token_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(token_u64("18446744073709551616"), None);
        assert_eq!(token_u64("-1"), None);
        assert_eq!(token_u64(""), None);
    }

    #[test]
    fn ws_u64_reads_leading_spaces() {
        assert_eq!(ws_u64("   42 rest"), Ok((" rest", 42)));
    }

    #[test]
    fn clock_reads_one_or_two_digit_hours_and_refuses_impossible_times() {
        assert_eq!(
            clock("9:05:07 up"),
            Ok((" up", NaiveTime::from_hms_opt(9, 5, 7).unwrap()))
        );
        assert_eq!(
            clock("23:59:59").map(|r| r.1),
            Ok(NaiveTime::from_hms_opt(23, 59, 59).unwrap())
        );
        assert!(clock("25:00:00").is_err());
        assert!(clock("10:5:00").is_err());
    }

    #[test]
    fn clip_keeps_120_chars() {
        let long = "é".repeat(130);
        assert_eq!(clip(&long).chars().count(), 120);
        assert_eq!(clip("short"), "short");
    }
}
