//! `uptime`, `uptime -p`, the `top - … up …` header (knowledge §8.1) and `/proc/uptime`.
//!
//! Accepted line (procps 3.2, procps-ng 3.3 and 4.x, BusyBox):
//! `[<name> - ][HH:MM:SS ]up <parts>[, N user(s)|? users][, load average(s): a, b, c]` where
//! `<parts>` are comma-separated `N day(s)`, `H:MM`, `N min`, and for `uptime -p`
//! `N decade(s)`/`year(s)`/`week(s)`/`day(s)`/`hour(s)`/`minute(s)` (procps-ng
//! `library/uptime.c`: a decade is 10×365 days, a year 365 days). Load averages may use a decimal
//! comma (`0,64, 0,37, 0,23`, locales such as de_DE). Any blank run is accepted between tokens.
//! The seconds of the boot time are not printed, so `up_seconds` has minute precision.
//!
//! ```
//! use parsers::uptime;
//! let parsed = uptime::parse(" 20:53:29 up 3 days,  4:05,  2 users,  load average: 0.64, 0.37, 0.23\n");
//! let up = parsed.value.expect("one uptime line");
//! assert_eq!(up.up_seconds, 3 * 86_400 + 4 * 3_600 + 5 * 60);
//! assert_eq!(up.users, Some(2));
//! assert_eq!(up.load, Some([0.64, 0.37, 0.23]));
//! assert_eq!(uptime::parse_proc_uptime("350735.47 234388.90\n").value, Some(350735.47));
//! ```

use chrono::NaiveTime;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{char, digit1, one_of, space0, space1};
use nom::combinator::{all_consuming, map_res, not, opt, peek, recognize, value};
use nom::multi::separated_list1;
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};
use serde::Serialize;

use crate::text::{clock, numbered_lines, two_digits};
use crate::{Parsed, Problem};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uptime {
    /// Wall-clock time printed at the start of the line, if any.
    pub clock: Option<NaiveTime>,
    /// Time since boot in seconds (minute precision, as printed).
    pub up_seconds: u64,
    pub users: Option<u32>,
    pub load: Option<[f64; 3]>,
}

/// Parses an `uptime` capture: the first line that is an uptime line is the value; other
/// non-blank lines are warnings.
pub fn parse(text: &str) -> Parsed<Option<Uptime>> {
    let mut problems = Vec::new();
    let mut found: Option<Uptime> = None;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Some(u) if found.is_none() => found = Some(u),
            Some(_) => problems.push(Problem::warning(no, "a further uptime line, ignored")),
            None => problems.push(Problem::warning(
                no,
                format!(
                    "expected an uptime line (`HH:MM:SS up …, load average: …`), found {line:?}"
                ),
            )),
        }
    }
    if found.is_none() {
        problems.push(Problem::error(0, "no uptime line found"));
    }
    Parsed::new(found, problems)
}

/// Recognises one `uptime`, `uptime -p` or `top` header line.
pub fn parse_line(line: &str) -> Option<Uptime> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    all_consuming(uptime_line).parse(line).ok().map(|(_, u)| u)
}

/// `/proc/uptime`: `<seconds since boot> <idle seconds summed over CPUs>`; the value is the
/// first number.
pub fn parse_proc_uptime(text: &str) -> Parsed<Option<f64>> {
    let mut problems = Vec::new();
    let mut value = None;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        if value.is_some() {
            problems.push(Problem::warning(
                no,
                format!("unexpected further line {line:?}"),
            ));
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        match tokens.first().and_then(|t| decimal(t)) {
            Some(v) => {
                value = Some(v);
                let idle_ok = tokens.get(1).and_then(|t| decimal(t)).is_some();
                if tokens.len() != 2 || !idle_ok {
                    problems.push(Problem::warning(
                        no,
                        "expected two numbers (uptime and idle seconds)",
                    ));
                }
            }
            None => problems.push(Problem::error(
                no,
                format!("expected `<uptime seconds> <idle seconds>`, found {line:?}"),
            )),
        }
    }
    if value.is_none() && problems.is_empty() {
        problems.push(Problem::error(0, "empty /proc/uptime capture"));
    }
    Parsed::new(value, problems)
}

/// `123.45` (digits, optional one fraction): no sign, no exponent, no `inf`/`nan`.
fn decimal(token: &str) -> Option<f64> {
    let (int, frac) = token.split_once('.').unwrap_or((token, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(int) && digits(frac) {
        token.parse().ok()
    } else {
        None
    }
}

fn num_u64(input: &str) -> IResult<&str, u64> {
    map_res(digit1, str::parse::<u64>).parse(input)
}

/// Seconds per unit word of the uptime text.
fn unit(input: &str) -> IResult<&str, u64> {
    const DAY: u64 = 86_400;
    terminated(
        alt((
            value(10 * 365 * DAY, alt((tag("decades"), tag("decade")))),
            value(365 * DAY, alt((tag("years"), tag("year")))),
            value(7 * DAY, alt((tag("weeks"), tag("week")))),
            value(DAY, alt((tag("days"), tag("day")))),
            value(
                3_600,
                alt((tag("hours"), tag("hour"), tag("hrs"), tag("hr"))),
            ),
            value(
                60,
                alt((tag("minutes"), tag("minute"), tag("mins"), tag("min"))),
            ),
            value(
                1,
                alt((tag("seconds"), tag("second"), tag("secs"), tag("sec"))),
            ),
        )),
        not(peek(one_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ))),
    )
    .parse(input)
}

/// One part of the `up` text, in seconds: `H:MM` or `N unit`.
fn up_part(input: &str) -> IResult<&str, Option<u64>> {
    let hhmm = (num_u64, char(':'), two_digits).map(|(h, _, m)| {
        h.checked_mul(3_600)
            .and_then(|s| s.checked_add(u64::from(m) * 60))
    });
    let counted = (num_u64, space1, unit).map(|(n, _, u)| n.checked_mul(u));
    alt((hhmm, counted)).parse(input)
}

fn sep(input: &str) -> IResult<&str, ()> {
    value((), (space0, char(','), space0)).parse(input)
}

fn users(input: &str) -> IResult<&str, Option<u32>> {
    let count = alt((
        map_res(digit1, |d: &str| d.parse::<u32>().map(Some)),
        value(None, char('?')),
    ));
    terminated(count, (space1, alt((tag("users"), tag("user"))))).parse(input)
}

/// A load average: digits with an optional `.`/`,` fraction (decimal comma locales).
fn load_value(input: &str) -> IResult<&str, f64> {
    map_res(
        recognize((digit1, opt((one_of(".,"), digit1)))),
        |s: &str| s.replace(',', ".").parse::<f64>(),
    )
    .parse(input)
}

fn load(input: &str) -> IResult<&str, [f64; 3]> {
    let (input, _) = (
        alt((tag("load averages"), tag("load average"))),
        space0,
        char(':'),
        space0,
    )
        .parse(input)?;
    let (input, (a, _, b, _, c)) = (load_value, sep, load_value, sep, load_value).parse(input)?;
    Ok((input, [a, b, c]))
}

fn uptime_line(input: &str) -> IResult<&str, Uptime> {
    let (input, _) = space0(input)?;
    // `top - `, `1:Def - ` (top alternate windows)
    let (input, _) = opt(terminated(take_till1(|c: char| c == ' '), tag(" - "))).parse(input)?;
    let (input, _) = space0(input)?;
    let (input, clock) = opt(terminated(clock, space1)).parse(input)?;
    let (input, _) = (tag("up"), space1).parse(input)?;
    let (input, parts) = separated_list1(sep, up_part).parse(input)?;
    let (input, users) = opt(preceded(sep, users)).parse(input)?;
    let (input, load) = opt(preceded(sep, load)).parse(input)?;
    let (input, _) = space0(input)?;

    let mut total: Option<u64> = Some(0);
    for p in parts {
        total = total.and_then(|t| p.and_then(|p| t.checked_add(p)));
    }
    let Some(up_seconds) = total else {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::TooLarge,
        )));
    };
    Ok((
        input,
        Uptime {
            clock,
            up_seconds,
            users: users.flatten(),
            load,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("uptime", "coreos-master1.uptime");
    const SANDBOX: &str = fixture!("uptime", "sandbox-debian12.uptime");
    const SANDBOX_FORMS: &str = fixture!("uptime", "sandbox-procps-ng-4.0.2-forms.txt");
    const LITERALS: &str = fixture!("uptime", "knowledge-8.1-and-constructed.txt");
    const PROC: &str = fixture!("uptime", "sandbox.proc_uptime");

    fn t(h: u32, m: u32, s: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, s)
    }

    #[test]
    fn coreos_real() {
        let p = parse(COREOS);
        assert!(p.problems.is_empty());
        let u = p.value.expect("uptime");
        // ` 02:54:32 up 35 min,  1 user,  load average: 0.64, 0.37, 0.23`
        assert_eq!(u.clock, t(2, 54, 32));
        assert_eq!(u.up_seconds, 35 * 60);
        assert_eq!(u.users, Some(1));
        assert_eq!(u.load, Some([0.64, 0.37, 0.23]));
    }

    #[test]
    fn sandbox_real() {
        // ` 20:56:46 up 4 min,  0 user,  load average: 0.30, 0.27, 0.11`
        let u = parse(SANDBOX).value.expect("uptime");
        assert_eq!(u.clock, t(20, 56, 46));
        assert_eq!(u.up_seconds, 240);
        assert_eq!(u.users, Some(0));
        assert_eq!(u.load, Some([0.30, 0.27, 0.11]));
    }

    #[test]
    fn sandbox_forms_line_by_line() {
        let got: Vec<Option<Uptime>> = SANDBOX_FORMS.lines().map(parse_line).collect();
        let expect = [
            // `uptime -p`: `up 21 minutes`
            (None, 21 * 60, None, None),
            // `LC_ALL=de_DE.UTF-8 uptime`: ` 21:14:01 up 21 min,  0 user,  load average: 2,77, 3,16, 2,24`
            (t(21, 14, 1), 21 * 60, Some(0), Some([2.77, 3.16, 2.24])),
            // `top -b -n1 | head -1`: `top - 21:14:02 up 21 min,  0 user,  load average: 2.55, 3.11, 2.22`
            (t(21, 14, 2), 21 * 60, Some(0), Some([2.55, 3.11, 2.22])),
        ];
        assert_eq!(got.len(), expect.len());
        for (g, (clock, up, users, load)) in got.iter().zip(expect) {
            let g = g.as_ref().expect("parsed");
            assert_eq!(
                (g.clock, g.up_seconds, g.users, g.load),
                (clock, up, users, load)
            );
        }
    }

    #[test]
    fn literal_and_constructed_forms() {
        let day = 86_400;
        type Want = (Option<NaiveTime>, u64, Option<u32>, Option<[f64; 3]>);
        let expect: [Want; 12] = [
            // top - 12:28:22 up 3 days,  2:44,  1 user,  load average: 0.00, 0.01, 0.05
            (
                t(12, 28, 22),
                3 * day + 2 * 3600 + 44 * 60,
                Some(1),
                Some([0.0, 0.01, 0.05]),
            ),
            // top - 09:01:07 up 50 min,  2 users,  load average: 1.05, 0.97, 0.88
            (t(9, 1, 7), 50 * 60, Some(2), Some([1.05, 0.97, 0.88])),
            // 10:00:00 up 1 day, 10 min,  0 users,  load average: 0.00, 0.00, 0.00
            (t(10, 0, 0), day + 600, Some(0), Some([0.0, 0.0, 0.0])),
            // 10:00:00 up  2:44,  3 users,  load average: 12.50, 7.25, 3.00
            (
                t(10, 0, 0),
                2 * 3600 + 44 * 60,
                Some(3),
                Some([12.5, 7.25, 3.0]),
            ),
            // up 2 hours, 3 minutes
            (None, 2 * 3600 + 180, None, None),
            // up 1 year, 2 weeks, 1 day, 1 hour, 1 minute
            (None, 365 * day + 14 * day + day + 3600 + 60, None, None),
            // 23:59:59 up 400 days, 23:59,  ? users,  load average: 0.00, 0.00, 0.00
            (
                t(23, 59, 59),
                400 * day + 23 * 3600 + 59 * 60,
                None,
                Some([0.0, 0.0, 0.0]),
            ),
            // 1:Def - 08:00:00 up 5 min,  1 user,  load average: 0,64, 0,37, 0,23
            (t(8, 0, 0), 300, Some(1), Some([0.64, 0.37, 0.23])),
            // BusyBox: 12:28:22 up 3 days,  2:44,  load average: 0.00, 0.01, 0.05
            (
                t(12, 28, 22),
                3 * day + 2 * 3600 + 44 * 60,
                None,
                Some([0.0, 0.01, 0.05]),
            ),
            // CRLF line: 02:54:32 up 35 min,  1 user,  load average: 0.64, 0.37, 0.23\r
            (t(2, 54, 32), 35 * 60, Some(1), Some([0.64, 0.37, 0.23])),
            // up 1 decade, 1 minute
            (None, 3650 * day + 60, None, None),
            // up 0 minute
            (None, 0, None, None),
        ];
        let lines: Vec<&str> = LITERALS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), expect.len() + 4, "{lines:?}");
        for (line, (clock, up, users, load)) in lines.iter().zip(expect) {
            let g = parse_line(line).unwrap_or_else(|| panic!("not parsed: {line:?}"));
            assert_eq!(
                (g.clock, g.up_seconds, g.users, g.load),
                (clock, up, users, load),
                "{line}"
            );
        }
        // The last four are not uptime lines.
        for line in &lines[expect.len()..] {
            assert_eq!(parse_line(line), None, "{line}");
        }
    }

    #[test]
    fn capture_with_noise() {
        let p = parse("Last login: yesterday\n 02:54:32 up 35 min,  1 user,  load average: 0.64, 0.37, 0.23\n");
        assert!(p.value.is_some());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 1);
        let p = parse("");
        assert!(p.value.is_none());
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn proc_uptime() {
        // sandbox `cat /proc/uptime`: `240.87 365.50`
        let p = parse_proc_uptime(PROC);
        assert_eq!(p.value, Some(240.87));
        assert!(p.problems.is_empty());
        assert_eq!(parse_proc_uptime("2100.53 4000.12\n").value, Some(2100.53));
        let p = parse_proc_uptime("2100.53\n");
        assert_eq!(p.value, Some(2100.53));
        assert_eq!(p.problems.len(), 1);
        let p = parse_proc_uptime("inf 1.0\n");
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
        let p = parse_proc_uptime("");
        assert_eq!(p.value, None);
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            "up",
            "up ",
            "up 99999999999999999999 days",
            "up 999999999999999 decades",
            "25:00:00 up 1 min",
            "top - ",
            " - ",
            "load average: 1, 2, 3",
            "up 1:",
            "up :",
            "\u{0}",
            "年 up 1 day",
            "up 1 day,",
            ",,,",
            "up 1 min, 1 user, load average: 1,",
        ] {
            let _ = parse(g);
            let _ = parse_line(g);
            let _ = parse_proc_uptime(g);
        }
        for text in [COREOS, SANDBOX, SANDBOX_FORMS, LITERALS, PROC] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
                let _ = parse_proc_uptime(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        // Both parsers over every capture, its own kind and the other.
        let all = fixtures("uptime");
        never_panics(&all, parse);
        never_panics(&all, parse_proc_uptime);
    }
}
