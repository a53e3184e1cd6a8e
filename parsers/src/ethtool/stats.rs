//! `ethtool -S` (knowledge §6). Key scheme: see the module doc of `ethtool`.

use std::collections::BTreeMap;

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::combinator::{all_consuming, map, rest, value};
use nom::sequence::preceded;
use nom::IResult;
use nom::Parser;

use super::{excerpt, full_u64, is_tool_error, EthtoolStats, ToolErrors};
use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Header<'a> {
    Nic,
    Phy,
    Standard(&'a str),
}

fn header(line: &str) -> IResult<&str, Header<'_>> {
    alt((
        all_consuming(value(Header::Nic, tag("NIC statistics:"))),
        all_consuming(value(Header::Phy, tag("PHY statistics:"))),
        map(preceded(tag("Standard stats for "), rest), |s: &str| {
            Header::Standard(s.strip_suffix(':').unwrap_or(s))
        }),
    ))
    .parse(line)
}

/// Display width of the leading whitespace: tabs advance to the next multiple of 8.
fn indent_width(line: &str) -> usize {
    let mut width = 0usize;
    for c in line.chars() {
        match c {
            '\t' => width = (width / 8 + 1) * 8,
            c if c.is_whitespace() => width += 1,
            _ => break,
        }
    }
    width
}

/// Why a candidate stat line was rejected.
enum BadStat {
    NoSeparator,
    EmptyName,
    NotDecimal,
    TooLarge,
}

/// `<name>: <decimal>` split at the last `": "`; `body` has no surrounding whitespace.
fn stat_line(body: &str) -> Result<(&str, u64), BadStat> {
    let (name, val) = body.rsplit_once(": ").ok_or(BadStat::NoSeparator)?;
    let val = val.trim();
    if name.trim().is_empty() {
        return Err(BadStat::EmptyName);
    }
    match full_u64(val) {
        Ok((_, v)) => Ok((name, v)),
        Err(_) if !val.is_empty() && val.bytes().all(|b| b.is_ascii_digit()) => {
            Err(BadStat::TooLarge)
        }
        Err(_) => Err(BadStat::NotDecimal),
    }
}

/// One open nesting level: its indentation and the key prefix its children get.
struct Level {
    indent: usize,
    prefix: String,
}

/// The report for a line that is neither a header nor a statistic.
fn bad_stat(n: usize, raw: &str, why: BadStat) -> Problem {
    let what = match why {
        BadStat::NoSeparator | BadStat::EmptyName => {
            "expected a statistic `name: value` or a header"
        }
        BadStat::NotDecimal => "expected a decimal counter after the last `: `",
        BadStat::TooLarge => "counter does not fit in 64 bits",
    };
    Problem::warning(n, format!("{what}: {:?}", excerpt(raw)))
}

/// The key of a statistic at `indent`: closes the levels it is not inside of, then prefixes
/// the name with the innermost open level (drivers nest per-queue stats by indentation).
fn nested_key(levels: &mut Vec<Level>, indent: usize, name: &str) -> String {
    while levels.last().is_some_and(|l| l.indent >= indent) {
        levels.pop();
    }
    match levels.last() {
        Some(parent) => format!("{}/{}", parent.prefix, name),
        None => name.to_string(),
    }
}

/// Stores a statistic under its key unless the key was seen before (the first value is
/// kept); returns the problem a repeat raises.
fn store_stat(
    out: &mut EthtoolStats,
    first_seen: &mut BTreeMap<String, usize>,
    n: usize,
    key: &str,
    val: u64,
) -> Option<Problem> {
    if let Some(first) = first_seen.get(key) {
        return Some(Problem::warning(
            n,
            format!("duplicate statistic {key:?} (first on line {first}); keeping the first value"),
        ));
    }
    first_seen.insert(key.to_string(), n);
    out.stats.insert(key.to_string(), val);
    None
}

pub fn parse_stats(text: &str) -> Parsed<EthtoolStats> {
    let mut out = EthtoolStats::default();
    let mut problems = Vec::new();
    let mut errors = ToolErrors::default();
    let mut first_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut levels: Vec<Level> = Vec::new();
    let mut saw_header = false;

    for (n, raw) in numbered_lines(text) {
        let body = raw.trim();
        if body.is_empty() {
            continue;
        }
        if is_tool_error(body) {
            errors.push(body);
            continue;
        }
        if let Ok((_, h)) = header(body) {
            saw_header = true;
            levels.clear();
            if let Header::Standard(dev) = h {
                out.ifname = (!dev.is_empty()).then(|| dev.to_string());
            }
            continue;
        }
        let (name, val) = match stat_line(body) {
            Ok(nv) => nv,
            Err(why) => {
                problems.push(bad_stat(n, raw, why));
                continue;
            }
        };
        let indent = indent_width(raw);
        let key = nested_key(&mut levels, indent, name);
        if name.ends_with('#') {
            // vmxnet3 `Tx Queue#: N`: a section header whose value is the queue index.
            levels.push(Level {
                indent,
                prefix: format!("{key}{val}"),
            });
            continue;
        }
        problems.extend(store_stat(&mut out, &mut first_seen, n, &key, val));
        levels.push(Level {
            indent,
            prefix: key,
        });
    }

    if out.stats.is_empty() && errors.is_empty() && !saw_header && !problems.is_empty() {
        problems.push(Problem::error(0, "no ethtool -S statistics found"));
    }
    out.tool_error = errors.finish();
    Parsed::new(out, problems)
}
