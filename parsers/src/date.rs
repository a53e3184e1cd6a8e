//! `date` output in its common forms, and `timedatectl`.
//!
//! [`parse_line`] recognises one whole line (leading/trailing blanks and a CR allowed, any run
//! of blanks between tokens) in these forms, and nothing else:
//!
//! | form | example |
//! |---|---|
//! | C locale / POSIX (also `ctime` without zone) | `Wed Oct  2 02:54:30 UTC 2019`, `Wed Oct 2 02:54:30 UTC 2019` |
//! | en_US, glibc ≥ 2.29 | `Sat Nov 21 08:53:29 PM UTC 2026` |
//! | en_US, older glibc (RHEL 7/8) | `Sat 21 Nov 2026 08:53:29 PM UTC` |
//! | RHEL 7 `hwclock` | `Sat 21 Nov 2026 08:53:29 PM UTC  -0.942284 seconds` |
//! | en_GB | `Sat 21 Nov 20:53:29 UTC 2026` |
//! | `date -R` | `Sat, 21 Nov 2026 20:53:29 +0000` |
//! | `date --rfc-3339=seconds/ns`, `hwclock` (util-linux ≥ 2.32) | `2026-11-21 20:53:29+00:00`, `2026-11-21 20:53:29.123456789+00:00` |
//! | `date -I…` | `2026-11-21T20:53:29+00:00`, `2026-11-21T20:53:29,123456789+00:00`, `2026-11-21T20:53:29Z` |
//! | plain / scripted | `2026-11-21 20:53:29`, `2026-11-21 20:53:29 +0000`, `2026-11-21 20:53:29 UTC` |
//! | ja_JP, zh_CN | `2026年 11月 21日 土曜日 20:53:29 JST`, `2026年  2月  3日 火曜日 04:05:06 UTC`, `… 星期日 …` |
//! | ko_KR | `2026. 11. 22. (일) 05:53:29 KST` |
//! | `timedatectl` | `Local time: Sat 2026-11-21 20:53:29 UTC` (only this line of its output) |
//!
//! Weekday and month names must be the English abbreviations in the Latin forms; the weekday is
//! not checked against the date. Seconds `60` (leap second) are kept as chrono's leap second.
//!
//! **Offset** ([`DateStamp::offset_seconds`]): a numeric offset when printed (`+0000`,
//! `+00:00`, `-03:30`, `+03` as `%Z` of zones without an abbreviation), `Z` → 0, else the
//! abbreviation looked up in [`zone_offset`]. For `timedatectl`, the numeric offset of its
//! `Time zone: Area/City (ABBR, +HHMM)` line wins.
//!
//! ```
//! use parsers::date;
//! let stamp = date::parse("Sat Nov 21 20:53:29 UTC 2026\n").value.expect("one date line");
//! assert_eq!(stamp.local.to_string(), "2026-11-21 20:53:29");
//! assert_eq!(stamp.offset_seconds, Some(0));
//! assert_eq!(stamp.zone.as_deref(), Some("UTC"));
//! ```

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_till1, take_while_m_n};
use nom::character::complete::{char, digit1, one_of, satisfy, space0, space1};
use nom::combinator::{all_consuming, map_res, not, opt, peek, recognize, value};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};
use serde::Serialize;

use crate::text::{clip, numbered_lines};
use crate::{Parsed, Problem};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateStamp {
    /// The wall-clock time as printed.
    pub local: NaiveDateTime,
    /// Offset east of UTC in seconds, when the text gives it (numeric, or an unambiguous zone name).
    pub offset_seconds: Option<i32>,
    /// Zone abbreviation as printed (`UTC`, `CEST`, `JST`, …).
    pub zone: Option<String>,
}

/// Parses a whole `date` (or `timedatectl`) capture.
pub fn parse(text: &str) -> Parsed<Option<DateStamp>> {
    let timedatectl = numbered_lines(text).any(|(_, l)| l.trim_start().starts_with("Local time:"));
    if timedatectl {
        return parse_timedatectl(text);
    }
    let mut problems = Vec::new();
    let mut found: Option<DateStamp> = None;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Some(d) if found.is_none() => found = Some(d),
            Some(_) => problems.push(Problem::warning(no, "a further date line, ignored")),
            None => problems.push(Problem::warning(
                no,
                format!("expected a date line, found {:?}", clip(line)),
            )),
        }
    }
    if found.is_none() {
        problems.push(Problem::error(0, "no date line found"));
    }
    Parsed::new(found, problems)
}

/// Recognises one line as a date stamp (used to split capture logs into samples).
pub fn parse_line(line: &str) -> Option<DateStamp> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !may_start_a_date(line.trim_start().as_bytes()) {
        return None;
    }
    all_consuming(delimited(space0, date_forms, space0))
        .parse(line)
        .ok()
        .and_then(|(_, d)| d)
}

/// Every form starts with an English weekday, a four-digit year followed by `-`, `.` or `年`,
/// or `Local time:`. Checking that first keeps capture-log segmentation, which asks about
/// every line, from running eight parsers on each `top` process row.
fn may_start_a_date(b: &[u8]) -> bool {
    match b.first() {
        Some(d) if d.is_ascii_digit() => {
            b.len() > 4
                && b[..4].iter().all(u8::is_ascii_digit)
                && (matches!(b[4], b'-' | b'.') || b[4..].starts_with("年".as_bytes()))
        }
        Some(b'M' | b'T' | b'W' | b'F' | b'S' | b'L') => {
            let day = b.get(..3).unwrap_or(b);
            matches!(
                day,
                b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun"
            ) || b.starts_with(b"Local time:")
        }
        _ => false,
    }
}

/// Offset east of UTC, in seconds, of a zone abbreviation as `date` prints it (`%Z`), or `None`
/// when the abbreviation is unknown or ambiguous. `date` is the local date the abbreviation was
/// printed with (it matters for `MSK` and `KST`).
///
/// The table was checked against tzdata 2025b (every zone, January and July of 2010, 2016 and
/// 2026):
///
/// | offset | abbreviations |
/// |---|---|
/// | 0 | `UTC`, `UT`, `GMT`, `Z`, `WET` |
/// | +1 | `CET`, `MET`, `WEST`, `WAT` |
/// | +2 | `CEST`, `MEST`, `EET`, `CAT`, `SAST` |
/// | +3 | `EEST`, `EAT`, `IDT`, `MSK` (+4 from 2011-03-27 to 2014-10-25, when Moscow kept summer time) |
/// | +4 | `MSD` |
/// | +5 | `PKT` |
/// | +7 | `WIB`, `ICT` (tzdata < 2017) |
/// | +8 | `WITA`, `HKT`, `AWST`, `SGT`, `MYT`, `PHT` (the last three: tzdata < 2017) |
/// | +9 | `WIT`, `JST`, `KST` (except 2015-08-15 … 2018-05-04: Pyongyang used KST = +8:30 → `None`) |
/// | +9:30, +10:30 | `ACST`, `ACDT` |
/// | +10, +11 | `AEST`, `ChST`; `AEDT` |
/// | +12, +13 | `NZST`, `NZDT` |
/// | −2:30, −3:30 | `NDT`, `NST` |
/// | −3 | `ADT` |
/// | −4 | `EDT` |
/// | −5 | `EST` |
/// | −6 | `MDT` |
/// | −7 | `MST`, `PDT` |
/// | −8, −9 | `AKDT`; `AKST`, `HDT` |
/// | −10, −11 | `HST`; `SST` |
///
/// Ambiguous, hence `None`: `CST` (US Central −6, China/Taiwan/Macau +8, Cuba −5), `IST`
/// (India +5:30, Ireland +1, Israel +2), `BST` (British +1, Bangladesh +6 in old tzdata), `AST`
/// (Atlantic −4, Arabia +3 in old tzdata), `CDT` (US Central −5, Cuba −4), `PST` (US Pacific −8,
/// Philippines +8 since tzdata 2017).
pub fn zone_offset(abbr: &str, date: NaiveDate) -> Option<i32> {
    const H: i32 = 3600;
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let within = |from: Option<NaiveDate>, until: Option<NaiveDate>| match (from, until) {
        (Some(f), Some(u)) => date >= f && date < u,
        _ => false,
    };
    let secs = match abbr {
        "UTC" | "UT" | "GMT" | "Z" | "WET" => 0,
        "CET" | "MET" | "WEST" | "WAT" => H,
        "CEST" | "MEST" | "EET" | "CAT" | "SAST" => 2 * H,
        "MSK" if within(ymd(2011, 3, 27), ymd(2014, 10, 26)) => 4 * H,
        "EEST" | "EAT" | "IDT" | "MSK" => 3 * H,
        "MSD" => 4 * H,
        "PKT" => 5 * H,
        "WIB" | "ICT" => 7 * H,
        "WITA" | "HKT" | "AWST" | "SGT" | "MYT" | "PHT" => 8 * H,
        "KST" if within(ymd(2015, 8, 15), ymd(2018, 5, 5)) => return None,
        "WIT" | "JST" | "KST" => 9 * H,
        "ACST" => 9 * H + 1800,
        "AEST" | "ChST" => 10 * H,
        "ACDT" => 10 * H + 1800,
        "AEDT" => 11 * H,
        "NZST" => 12 * H,
        "NZDT" => 13 * H,
        "NDT" => -(2 * H + 1800),
        "ADT" => -3 * H,
        "NST" => -(3 * H + 1800),
        "EDT" => -4 * H,
        "EST" => -5 * H,
        "MDT" => -6 * H,
        "MST" | "PDT" => -7 * H,
        "AKDT" => -8 * H,
        "AKST" | "HDT" => -9 * H,
        "HST" => -10 * H,
        "SST" => -11 * H,
        _ => return None,
    };
    Some(secs)
}

/* ---------- timedatectl ---------- */

fn parse_timedatectl(text: &str) -> Parsed<Option<DateStamp>> {
    let mut problems = Vec::new();
    let mut local: Option<DateStamp> = None;
    let mut zone_line: Option<(usize, Option<(String, i32)>)> = None;
    let mut in_block = false;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("Local time:") {
            problems.extend(local_time(no, line, &mut local));
            in_block = true;
        } else if let Some(rest) = trimmed.strip_prefix("Time zone:") {
            let parsed = timezone_paren(rest);
            if parsed.is_none() {
                problems.push(Problem::warning(
                    no,
                    format!(
                        "expected `Time zone: NAME (ABBR, +HHMM)`, found {:?}",
                        clip(line)
                    ),
                ));
            }
            zone_line = Some((no, parsed));
            in_block = true;
        } else if is_key_line(trimmed) {
            in_block = true;
        } else if in_block && line.starts_with([' ', '\t']) {
            // continuation of `Last/Next DST change:` (systemd < 239)
        } else {
            problems.push(Problem::warning(
                no,
                format!(
                    "expected a `Key: value` line of timedatectl, found {:?}",
                    clip(line)
                ),
            ));
        }
    }
    if let (Some(d), Some((no, Some(zone)))) = (local.as_mut(), zone_line.as_ref()) {
        problems.extend(apply_zone(d, *no, zone));
    }
    if local.is_none() {
        problems.push(Problem::error(0, "no readable `Local time:` line"));
    }
    Parsed::new(local, problems)
}

/// The `Local time:` line; only the first one is kept. Returns the problem the line raises.
fn local_time(no: usize, line: &str, local: &mut Option<DateStamp>) -> Option<Problem> {
    match parse_line(line) {
        Some(d) if local.is_none() => {
            *local = Some(d);
            None
        }
        Some(_) => Some(Problem::warning(no, "a further `Local time:` line")),
        None => Some(Problem::warning(
            no,
            format!(
                "expected `Local time: Www YYYY-MM-DD HH:MM:SS ZONE`, found {:?}",
                clip(line)
            ),
        )),
    }
}

/// The `Time zone:` line gives the UTC offset that `Local time:` lacks (it only names the
/// zone); a different abbreviation on the two lines is reported, and the offset used anyway.
fn apply_zone(d: &mut DateStamp, no: usize, (abbr, offset): &(String, i32)) -> Option<Problem> {
    d.offset_seconds = Some(*offset);
    d.zone.as_deref().is_some_and(|z| z != abbr).then(|| {
        Problem::warning(
            no,
            format!("time zone abbreviation {abbr} differs from the local time's"),
        )
    })
}

/// `Key words: value` as timedatectl prints them.
fn is_key_line(trimmed: &str) -> bool {
    match trimmed.split_once(':') {
        Some((key, _)) => {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == '_')
        }
        None => false,
    }
}

/// ` Etc/UTC (UTC, +0000)` → (`UTC`, 0).
fn timezone_paren(rest: &str) -> Option<(String, i32)> {
    let open = rest.rfind('(')?;
    let inner = rest.get(open + 1..)?.trim_end().strip_suffix(')')?;
    let (abbr, off) = inner.split_once(',')?;
    let (_, (secs, _)) = all_consuming(numeric_offset).parse(off.trim()).ok()?;
    Some((abbr.trim().to_string(), secs))
}

/* ---------- line grammar ---------- */

/// A zone as printed: its text and, when known, its offset.
#[derive(Clone, Copy)]
struct Zone<'a> {
    text: &'a str,
    offset: Option<i32>,
    named: bool,
}

#[derive(Clone, Copy)]
struct Hms {
    h: u32,
    m: u32,
    s: u32,
    nanos: u32,
}

type Res<'a, T> = IResult<&'a str, T>;

fn not_alnum(input: &str) -> Res<'_, ()> {
    not(peek(satisfy(|c: char| c.is_alphanumeric()))).parse(input)
}

fn weekday_en(input: &str) -> Res<'_, ()> {
    value(
        (),
        terminated(
            alt((
                tag("Mon"),
                tag("Tue"),
                tag("Wed"),
                tag("Thu"),
                tag("Fri"),
                tag("Sat"),
                tag("Sun"),
            )),
            not_alnum,
        ),
    )
    .parse(input)
}

fn month_en(input: &str) -> Res<'_, u32> {
    terminated(
        alt((
            value(1, tag("Jan")),
            value(2, tag("Feb")),
            value(3, tag("Mar")),
            value(4, tag("Apr")),
            value(5, tag("May")),
            value(6, tag("Jun")),
            value(7, tag("Jul")),
            value(8, tag("Aug")),
            value(9, tag("Sep")),
            value(10, tag("Oct")),
            value(11, tag("Nov")),
            value(12, tag("Dec")),
        )),
        not_alnum,
    )
    .parse(input)
}

fn digits(min: usize, max: usize) -> impl Fn(&str) -> Res<'_, u32> {
    move |input| {
        terminated(
            map_res(
                take_while_m_n(min, max, |c: char| c.is_ascii_digit()),
                str::parse::<u32>,
            ),
            not(peek(satisfy(|c: char| c.is_ascii_digit()))),
        )
        .parse(input)
    }
}

fn year(input: &str) -> Res<'_, i32> {
    map_res(digits(4, 4), i32::try_from).parse(input)
}

/// `.123` or `,123456789` → nanoseconds (digits past the ninth dropped).
fn fraction(input: &str) -> Res<'_, u32> {
    map_res(preceded(one_of(".,"), digit1), |d: &str| {
        let mut nanos: u32 = 0;
        for i in 0..9 {
            let digit = d.as_bytes().get(i).map_or(0, |b| u32::from(b - b'0'));
            nanos = nanos * 10 + digit;
        }
        Ok::<u32, ()>(nanos)
    })
    .parse(input)
}

fn hms(input: &str) -> Res<'_, Hms> {
    let (input, (h, _, m, _, s, nanos)) = (
        digits(1, 2),
        char(':'),
        digits(2, 2),
        char(':'),
        digits(2, 2),
        opt(fraction),
    )
        .parse(input)?;
    Ok((
        input,
        Hms {
            h,
            m,
            s,
            nanos: nanos.unwrap_or(0),
        },
    ))
}

/// AM/PM marker: `true` for PM. Also the Japanese/Korean words.
fn ampm(input: &str) -> Res<'_, bool> {
    alt((
        value(false, terminated(tag_no_case("AM"), not_alnum)),
        value(true, terminated(tag_no_case("PM"), not_alnum)),
        value(false, alt((tag("午前"), tag("오전")))),
        value(true, alt((tag("午後"), tag("오후")))),
    ))
    .parse(input)
}

/// `+0000`, `+00:00`, `-0330`, `+03` → (seconds, text).
fn numeric_offset(input: &str) -> Res<'_, (i32, &str)> {
    let two = || take_while_m_n(2, 2, |c: char| c.is_ascii_digit());
    let (rest, text) = terminated(
        recognize((one_of("+-"), two(), opt((opt(char(':')), two())))),
        not(peek(satisfy(|c: char| c.is_ascii_digit()))),
    )
    .parse(input)?;
    let (sign, body) = text.split_at(1);
    let body: String = body.chars().filter(char::is_ascii_digit).collect();
    let hh: i32 = body.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(99);
    let mm: i32 = body.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    if hh > 18 || mm > 59 {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Verify,
        )));
    }
    let secs = (hh * 3600 + mm * 60) * if sign == "-" { -1 } else { 1 };
    Ok((rest, (secs, text)))
}

/// A `%Z` token: a numeric offset or 1–6 letters.
fn zone(input: &str) -> Res<'_, Zone<'_>> {
    alt((
        numeric_offset.map(|(secs, text)| Zone {
            text,
            offset: Some(secs),
            named: false,
        }),
        terminated(
            take_while_m_n(1, 6, |c: char| c.is_ascii_alphabetic()),
            not_alnum,
        )
        .map(|text| Zone {
            text,
            offset: None,
            named: true,
        }),
    ))
    .parse(input)
}

/// Assembles a stamp; `None` when the fields do not make a valid date and time.
fn build(
    y: i32,
    mo: u32,
    d: u32,
    t: Hms,
    pm: Option<bool>,
    zone: Option<Zone<'_>>,
) -> Option<DateStamp> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let h = match pm {
        None => t.h,
        Some(pm) => {
            if !(1..=12).contains(&t.h) {
                return None;
            }
            t.h % 12 + if pm { 12 } else { 0 }
        }
    };
    let time = if t.s == 60 {
        NaiveTime::from_hms_nano_opt(h, t.m, 59, t.nanos.checked_add(1_000_000_000)?)?
    } else {
        NaiveTime::from_hms_nano_opt(h, t.m, t.s, t.nanos)?
    };
    let (offset_seconds, zone) = match zone {
        None => (None, None),
        Some(z) => {
            let off = if z.named {
                zone_offset(z.text, date)
            } else {
                z.offset
            };
            (off, Some(z.text.to_string()))
        }
    };
    Some(DateStamp {
        local: NaiveDateTime::new(date, time),
        offset_seconds,
        zone,
    })
}

/// C locale, en_US (glibc ≥ 2.29) and asctime: `Www Mmm dd HH:MM:SS [AM|PM] [ZONE] YYYY`.
fn form_c(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (_, _, mo, _, d, _, t, pm, z, _, y)) = (
        weekday_en,
        space1,
        month_en,
        space1,
        digits(1, 2),
        space1,
        hms,
        opt(preceded(space1, ampm)),
        opt(preceded(space1, zone)),
        space1,
        year,
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, pm, z)))
}

/// en_US (older glibc) and RHEL 7 hwclock: `Www dd Mmm YYYY HH:MM:SS [AM|PM] [ZONE] [ -0.9 seconds]`.
fn form_us_old(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (_, _, d, _, mo, _, y, _, t, pm, z, _)) = (
        weekday_en,
        space1,
        digits(1, 2),
        space1,
        month_en,
        space1,
        year,
        space1,
        hms,
        opt(preceded(space1, ampm)),
        opt(preceded(space1, zone)),
        opt((
            space1,
            opt(char('-')),
            digit1,
            opt((char('.'), digit1)),
            space1,
            tag("seconds"),
        )),
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, pm, z)))
}

/// en_GB: `Www dd Mmm HH:MM:SS [AM|PM] ZONE YYYY`.
fn form_gb(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (_, _, d, _, mo, _, t, pm, _, z, _, y)) = (
        weekday_en,
        space1,
        digits(1, 2),
        space1,
        month_en,
        space1,
        hms,
        opt(preceded(space1, ampm)),
        space1,
        zone,
        space1,
        year,
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, pm, Some(z))))
}

/// RFC 2822 (`date -R`): `Www, dd Mmm YYYY HH:MM:SS +hhmm`.
fn form_rfc2822(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (_, _, _, d, _, mo, _, y, _, t, _, z)) = (
        weekday_en,
        char(','),
        space1,
        digits(1, 2),
        space1,
        month_en,
        space1,
        year,
        space1,
        hms,
        space1,
        zone,
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, None, Some(z))))
}

/// ISO 8601 / RFC 3339: `YYYY-MM-DD[T ]HH:MM:SS[.,frac][Z|±hh:mm|±hhmm][ ±hhmm| ZONE]`.
fn form_iso(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (y, _, mo, _, d, _, t)) = (
        year,
        char('-'),
        digits(2, 2),
        char('-'),
        digits(2, 2),
        one_of("T "),
        hms,
    )
        .parse(input)?;
    let z_utc = value(
        Zone {
            text: "Z",
            offset: Some(0),
            named: false,
        },
        terminated(char('Z'), not_alnum),
    );
    let attached = numeric_offset.map(|(secs, _)| Zone {
        text: "",
        offset: Some(secs),
        named: false,
    });
    let (input, z) = opt(alt((z_utc, attached, preceded(space1, zone)))).parse(input)?;
    // An attached numeric offset is not a zone name: keep `zone` empty for it.
    let stamp = build(y, mo, d, t, None, z).map(|mut s| {
        if s.zone.as_deref() == Some("") {
            s.zone = None;
        }
        s
    });
    Ok((input, stamp))
}

/// ja_JP / zh_CN: `YYYY年 M月 D日 <weekday> [午前|午後] HH:MM:SS [ZONE]`.
fn form_cjk(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (y, _, _, mo, _, _, d, _, _, _, pm, t, z)) = (
        year,
        char('年'),
        space0,
        digits(1, 2),
        char('月'),
        space0,
        digits(1, 2),
        char('日'),
        space1,
        take_till1(char::is_whitespace),
        opt(preceded(space1, ampm)),
        preceded(space1, hms),
        opt(preceded(space1, zone)),
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, pm, z)))
}

/// ko_KR: `YYYY. MM. DD. (요일) [오전|오후] HH:MM:SS [ZONE]`.
fn form_ko(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (y, _, _, mo, _, _, d, _, _, _, pm, t, z)) = (
        year,
        char('.'),
        space1,
        digits(1, 2),
        char('.'),
        space1,
        digits(1, 2),
        char('.'),
        space1,
        delimited(char('('), take_till1(|c: char| c == ')'), char(')')),
        opt(preceded(space1, ampm)),
        preceded(space1, hms),
        opt(preceded(space1, zone)),
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, pm, z)))
}

/// timedatectl: `Local time: Www YYYY-MM-DD HH:MM:SS [ZONE]`.
fn form_timedatectl(input: &str) -> Res<'_, Option<DateStamp>> {
    let (input, (_, _, _, _, y, _, mo, _, d, _, t, z)) = (
        tag("Local time:"),
        space1,
        weekday_en,
        space1,
        year,
        char('-'),
        digits(2, 2),
        char('-'),
        digits(2, 2),
        space1,
        hms,
        opt(preceded(space1, zone)),
    )
        .parse(input)?;
    Ok((input, build(y, mo, d, t, None, z)))
}

fn date_forms(input: &str) -> Res<'_, Option<DateStamp>> {
    alt((
        form_c,
        form_us_old,
        form_gb,
        form_rfc2822,
        form_iso,
        form_cjk,
        form_ko,
        form_timedatectl,
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS_DATE: &str = fixture!("date", "coreos-master1.date");
    const COREOS_UTC: &str = fixture!("date", "coreos-master1.date_--utc");
    const COREOS_HWCLOCK: &str = fixture!("date", "coreos-master1.hwclock");
    const SB_DATE: &str = fixture!("date", "sandbox.date");
    const SB_R: &str = fixture!("date", "sandbox.date_-R");
    const SB_NS: &str = fixture!("date", "sandbox.date_--rfc-3339=ns");
    const SB_SECONDS: &str = fixture!("date", "sandbox.date_--rfc-3339=seconds");
    const SB_INS: &str = fixture!("date", "sandbox.date_-Ins");
    const SB_ISECONDS: &str = fixture!("date", "sandbox.date_-Iseconds");
    const SB_NO_SYSTEMD: &str = fixture!("date", "sandbox-no-systemd.timedatectl");
    const SB_FORMS: &str = fixture!("date", "sandbox-coreutils-9.1.dates");
    const SEED: &str = fixture!("date", "seed-000-capture-loop.txt");
    const TIMEDATECTL: &str = fixture!("date", "constructed-timedatectl.txt");
    const TIMEDATECTL_OLD: &str = fixture!("date", "constructed-timedatectl-systemd219.txt");
    const OTHER: &str = fixture!("date", "constructed-other-forms.dates");
    const NOT_DATES: &str = fixture!("date", "not-dates.txt");

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_nano_opt(h, mi, s, nanos))
            .expect("valid test date")
    }

    fn stamp(local: NaiveDateTime, off: Option<i32>, zone: Option<&str>) -> DateStamp {
        DateStamp {
            local,
            offset_seconds: off,
            zone: zone.map(str::to_string),
        }
    }

    const H: i32 = 3600;

    #[test]
    fn coreos_real_captures() {
        // `Wed Oct  2 02:54:30 UTC 2019`
        let want = stamp(dt(2019, 10, 2, 2, 54, 30, 0), Some(0), Some("UTC"));
        let p = parse(COREOS_DATE);
        assert!(p.problems.is_empty());
        assert_eq!(p.value, Some(want.clone()));
        assert_eq!(parse(COREOS_UTC).value, Some(want));
        // hwclock: `2019-10-02 02:54:24.942284+00:00`
        let p = parse(COREOS_HWCLOCK);
        assert_eq!(
            p.value,
            Some(stamp(
                dt(2019, 10, 2, 2, 54, 24, 942_284_000),
                Some(0),
                None
            ))
        );
    }

    #[test]
    fn sandbox_single_captures() {
        // These were captured one after the other; values read off each file.
        // `Sat Nov 21 20:56:46 UTC 2026`
        assert_eq!(
            parse(SB_DATE).value,
            Some(stamp(dt(2026, 11, 21, 20, 56, 46, 0), Some(0), Some("UTC")))
        );
        // `Sat, 21 Nov 2026 20:56:46 +0000`
        assert_eq!(
            parse(SB_R).value,
            Some(stamp(
                dt(2026, 11, 21, 20, 56, 46, 0),
                Some(0),
                Some("+0000")
            ))
        );
        // `2026-11-21 20:56:46.791049203+00:00`
        assert_eq!(
            parse(SB_NS).value,
            Some(stamp(
                dt(2026, 11, 21, 20, 56, 46, 791_049_203),
                Some(0),
                None
            ))
        );
        // `2026-11-21 20:56:46+00:00`
        assert_eq!(
            parse(SB_SECONDS).value,
            Some(stamp(dt(2026, 11, 21, 20, 56, 46, 0), Some(0), None))
        );
        // `2026-11-21T20:56:46,793074235+00:00`
        assert_eq!(
            parse(SB_INS).value,
            Some(stamp(
                dt(2026, 11, 21, 20, 56, 46, 793_074_235),
                Some(0),
                None
            ))
        );
        // `2026-11-21T20:56:46+00:00`
        assert_eq!(
            parse(SB_ISECONDS).value,
            Some(stamp(dt(2026, 11, 21, 20, 56, 46, 0), Some(0), None))
        );
    }

    #[test]
    fn sandbox_timedatectl_without_systemd() {
        let p = parse(SB_NO_SYSTEMD);
        assert_eq!(p.value, None);
        // two unreadable lines and the final error
        assert_eq!(p.problems.len(), 3);
        assert_eq!(p.problems[2].line, 0);
    }

    #[test]
    fn sandbox_forms_line_by_line() {
        let n = 123_456_789;
        let expect: Vec<DateStamp> = vec![
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            stamp(dt(2026, 2, 3, 4, 5, 6, 0), Some(0), Some("UTC")),
            stamp(dt(2026, 11, 22, 5, 53, 29, 0), Some(9 * H), Some("JST")),
            stamp(dt(2026, 11, 21, 21, 53, 29, 0), Some(H), Some("CET")),
            stamp(dt(2026, 7, 1, 14, 0, 0, 0), Some(2 * H), Some("CEST")),
            stamp(dt(2026, 11, 21, 15, 53, 29, 0), Some(-5 * H), Some("EST")),
            stamp(dt(2026, 7, 1, 8, 0, 0, 0), Some(-4 * H), Some("EDT")),
            stamp(dt(2026, 11, 22, 2, 23, 29, 0), None, Some("IST")),
            stamp(dt(2026, 11, 22, 4, 53, 29, 0), None, Some("CST")),
            stamp(dt(2026, 7, 1, 13, 0, 0, 0), None, Some("BST")),
            stamp(dt(2026, 11, 21, 23, 53, 29, 0), Some(3 * H), Some("+03")),
            stamp(
                dt(2026, 11, 21, 17, 23, 29, 0),
                Some(-(3 * H + 1800)),
                Some("NST"),
            ),
            stamp(dt(2026, 11, 22, 7, 53, 29, 0), Some(11 * H), Some("AEDT")),
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("+0000")),
            stamp(
                dt(2026, 11, 22, 2, 23, 29, 0),
                Some(5 * H + 1800),
                Some("+0530"),
            ),
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), None),
            stamp(dt(2026, 11, 21, 20, 53, 29, n), Some(0), None),
            stamp(dt(2026, 11, 21, 17, 23, 29, n), Some(-(3 * H + 1800)), None),
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), None),
            stamp(dt(2026, 11, 22, 5, 53, 29, n), Some(9 * H), None),
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("Z")),
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), None, None),
            // en_US: `Sat Nov 21 08:53:29 PM UTC 2026`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // en_US: `Mon Feb  2 11:05:06 PM EST 2026`
            stamp(dt(2026, 2, 2, 23, 5, 6, 0), Some(-5 * H), Some("EST")),
            // en_GB
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // ja_JP
            stamp(dt(2026, 11, 22, 5, 53, 29, 0), Some(9 * H), Some("JST")),
            stamp(dt(2026, 2, 3, 4, 5, 6, 0), Some(0), Some("UTC")),
            // zh_CN: CST is ambiguous
            stamp(dt(2026, 11, 22, 4, 53, 29, 0), None, Some("CST")),
            // ko_KR
            stamp(dt(2026, 11, 22, 5, 53, 29, 0), Some(9 * H), Some("KST")),
        ];
        let lines: Vec<&str> = SB_FORMS.lines().collect();
        assert_eq!(lines.len(), expect.len());
        for (line, want) in lines.iter().zip(expect) {
            assert_eq!(parse_line(line), Some(want), "{line}");
        }
    }

    #[test]
    fn seed_capture_loop() {
        // seeds/000: a loop of `date` + `ip -s -s link ls dev tap…`, 10 samples, EST.
        let stamps: Vec<(usize, DateStamp)> = SEED
            .lines()
            .enumerate()
            .filter_map(|(i, l)| parse_line(l).map(|d| (i + 1, d)))
            .collect();
        assert_eq!(stamps.len(), 10);
        assert_eq!(stamps[0].0, 1);
        assert_eq!(
            stamps[0].1,
            stamp(dt(2016, 11, 29, 12, 28, 22, 0), Some(-5 * H), Some("EST"))
        );
        assert_eq!(stamps[9].1.local, dt(2016, 11, 29, 12, 29, 7, 0));
        // every 5 seconds
        for w in stamps.windows(2) {
            assert_eq!((w[1].1.local - w[0].1.local).num_seconds(), 5);
        }
    }

    #[test]
    fn timedatectl_captures() {
        let p = parse(TIMEDATECTL);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(
            p.value,
            Some(stamp(
                dt(2026, 11, 22, 5, 53, 29, 0),
                Some(9 * H),
                Some("JST")
            ))
        );
        // systemd 219 layout with DST continuation lines; ambiguous CDT resolved by
        // `(CDT, -0500)`
        let p = parse(TIMEDATECTL_OLD);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(
            p.value,
            Some(stamp(
                dt(2019, 10, 1, 21, 54, 30, 0),
                Some(-5 * H),
                Some("CDT")
            ))
        );
        // Only the `Local time:` line is a date line for splitting.
        let matched: Vec<&str> = TIMEDATECTL_OLD
            .lines()
            .filter(|l| parse_line(l).is_some())
            .collect();
        assert_eq!(matched.len(), 1);
    }

    #[test]
    fn other_constructed_forms() {
        let expect: Vec<DateStamp> = vec![
            // `Wed Oct 2 02:54:30 UTC 2019` (collapsed spaces)
            stamp(dt(2019, 10, 2, 2, 54, 30, 0), Some(0), Some("UTC")),
            // `Sat 21 Nov 2026 08:53:29 PM UTC`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // `Sat Nov 21 08:53:29 PM UTC 2026`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // `Wed 02 Oct 2019 02:54:24 AM UTC  -0.942284 seconds` (RHEL 7 hwclock)
            stamp(dt(2019, 10, 2, 2, 54, 24, 0), Some(0), Some("UTC")),
            // `Sat 21 Nov 12:00:00 AM UTC 2026`
            stamp(dt(2026, 11, 21, 0, 0, 0, 0), Some(0), Some("UTC")),
            // `Thu Nov 24 18:22:48 1986` (asctime, no zone)
            stamp(dt(1986, 11, 24, 18, 22, 48, 0), None, None),
            // `2026-11-21 20:53:29 +0900`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(9 * H), Some("+0900")),
            // `2026-11-21 20:53:29 UTC`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // `2026-11-21T20:53:29.5-0330`
            stamp(
                dt(2026, 11, 21, 20, 53, 29, 500_000_000),
                Some(-(3 * H + 1800)),
                None,
            ),
            // `2016年 11月 29日 火曜日 12:28:22 JST`
            stamp(dt(2016, 11, 29, 12, 28, 22, 0), Some(9 * H), Some("JST")),
            // `2016. 11. 29. (화) 오후 12:28:22 KST` — KST in the Pyongyang window → None
            stamp(dt(2016, 11, 29, 12, 28, 22, 0), None, Some("KST")),
            // `Sun Mar  1 12:00:00 MSK 2012` — Moscow at +4 then
            stamp(dt(2012, 3, 1, 12, 0, 0, 0), Some(4 * H), Some("MSK")),
            // `Wed Dec 31 23:59:60 UTC 2016` (leap second)
            stamp(
                dt(2016, 12, 31, 23, 59, 59, 1_000_000_000),
                Some(0),
                Some("UTC"),
            ),
            // `  Local time: Sat 2026-11-21 20:53:29 UTC\r` (CRLF, indented)
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(0), Some("UTC")),
            // `Sat Nov 21 20:53:29 PST 2026` — PST ambiguous
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), None, Some("PST")),
            // `Sat Nov 21 20:53:29 PDT 2026`
            stamp(dt(2026, 11, 21, 20, 53, 29, 0), Some(-7 * H), Some("PDT")),
        ];
        let lines: Vec<&str> = OTHER.lines().collect();
        assert_eq!(lines.len(), expect.len());
        for (line, want) in lines.iter().zip(expect) {
            assert_eq!(parse_line(line), Some(want), "{line:?}");
        }
    }

    #[test]
    fn non_dates_are_rejected() {
        for line in NOT_DATES.lines() {
            assert_eq!(parse_line(line), None, "{line:?}");
        }
        let p = parse(NOT_DATES);
        assert_eq!(p.value, None);
        assert_eq!(p.problems.last().map(|q| q.line), Some(0));
    }

    #[test]
    fn zone_table() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        assert_eq!(zone_offset("UTC", d), Some(0));
        assert_eq!(zone_offset("CEST", d), Some(7200));
        assert_eq!(zone_offset("CST", d), None);
        assert_eq!(zone_offset("IST", d), None);
        assert_eq!(zone_offset("BST", d), None);
        assert_eq!(zone_offset("KST", d), Some(9 * H));
        assert_eq!(zone_offset("MSK", d), Some(3 * H));
        assert_eq!(zone_offset("XYZ", d), None);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            "年",
            "2026年",
            "2026年 99月 99日 x 99:99:99",
            "Sat Nov 99 20:53:29 UTC 2026",
            "Sat Nov 21 25:53:29 UTC 2026",
            "Sat Nov 21 13:53:29 PM UTC 2026",
            "2026-02-30 00:00:00",
            "2026-11-21T20:53:29,",
            "2026-11-21T20:53:29+99:00",
            "2026-11-21T20:53:29.99999999999999999999",
            "Local time:",
            "Time zone: (",
            "Time zone: x (UTC, +)",
            "\u{0}",
            "Sat,",
            "2026. 1. 1. (",
            "Local time: Sat 2026-11-21 20:53:29 UTC\nTime zone: ((((",
            "Sat Nov 21 20:53:60 UTC 2026",
        ] {
            let _ = parse(g);
            let _ = parse_line(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("date"), parse);
    }
}
