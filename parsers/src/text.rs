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

use nom::character::complete::{digit1, space0};
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
