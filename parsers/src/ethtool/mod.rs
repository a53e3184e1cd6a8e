//! `ethtool -S`, `-g`, `-l`, `-i` (knowledge §6, §7).
//!
//! Every parser reads one capture, as a support archive stores it: sos merges stderr into the
//! file, so the error text the tool prints instead of data (`no stats available`,
//! `Cannot get …: …`, `netlink error: …`, `ethtool: bad command line argument(s)`) is not a
//! parse problem: it goes to the value's `tool_error` (several such lines are joined with
//! `\n`). Empty or blank text gives the default value and no problem (the caller reports empty
//! files). Every other line that is not understood becomes a [`Problem`]
//! warning with its 1-based line number; when nothing at all could be read from a non-blank
//! capture, an error at line 0 is added.
//!
//! # `-S` statistic keys
//!
//! A line is `<indent><name>: <decimal u64>`; the name is everything before the **last** `": "`
//! (names may hold spaces, `.`, `[`, `]`, `#` and colons: bnxt `[0]: rx_discards`, be2net
//! `rxq0: rx_drops_no_frags`, i40e `port.rx_dropped`), kept verbatim minus the indentation.
//! Headers `NIC statistics:`, `PHY statistics:` and `Standard stats for <dev>:` start a new
//! section (the device name of the last one goes to [`EthtoolStats::ifname`]); a stat line
//! without any header (grep output) is accepted too.
//!
//! Indentation nests names, so that vmxnet3's per-queue blocks stay unique:
//!
//! * a line indented deeper than the line before it is a child of that line; its key is
//!   `<parent key>/<name>`. A line at the same or a shallower indentation closes every open
//!   level at that indentation or deeper (tabs count to the next multiple of 8 columns);
//! * a line whose name ends in `#` (vmxnet3 `Tx Queue#: 0`, `Rx Queue#: 1`) is a section
//!   header, not a counter: its children are keyed `<name><value>/…`, so `Tx Queue#0/…`;
//! * with flat output (every other driver) all lines share one indentation and keys are the
//!   plain names.
//!
//! So vmxnet3 gives `Tx Queue#0/ucast pkts tx`, `Tx Queue#0/drv dropped tx total`,
//! `Tx Queue#0/drv dropped tx total/giant hdr`, `Tx Queue#0/giant hdr`,
//! `Rx Queue#1/pkts rx OOB`, `Rx Queue#1/drv dropped rx total/fcs`, and the global
//! `tx timeout count` (back at the queue headers' indentation). The scheme depends only on
//! relative indentation, so pastes with shrunk indentation give the same keys. A key met twice
//! keeps its first value and the second line is reported.
//!
//! # `-g` and `-l`
//!
//! Heading `Ring parameters for <dev>:` / `Channel parameters for <dev>:` (kept in `ifname`),
//! sections `Pre-set maximums:` and `Current hardware settings:`, then `<label>:<spaces or
//! tabs><value>` (ioctl layout: two tabs after `RX:`; netlink: two or three; web pastes: one
//! space). `n/a` (netlink: attribute absent) is `None`; ioctl prints `0` instead and that stays
//! `Some(0)`: the parser reports what the tool printed. Ring labels other than `RX`,
//! `RX Mini`, `RX Jumbo`, `TX` (`RX Buf Len`, `CQE Size`, `TX Push`, `RX Push`,
//! `TX push buff len`, `TCP data split`, `HDS thresh`, and any later addition) go verbatim
//! (including `n/a`) to [`RingParams::extra`] keyed `max/<label>` or `current/<label>`.
//! Channel labels are `RX`, `TX`, `Other`, `Combined`; anything else is a problem.
//!
//! # `-i`
//!
//! `key: value` lines (split at the first `:`), all kept verbatim in [`DriverInfo::fields`];
//! the well-known ones are also typed. In the typed string fields an empty value and the
//! `N/A` placeholder (bridge) are `None`; `supports-*` are `yes`/`no`.
//!
//! ```
//! use parsers::ethtool::{parse_ring, parse_stats};
//! let stats = parse_stats("NIC statistics:\n     rx_dropped: 3\n     tx_packets: 50\n").value;
//! assert_eq!(stats.stats["rx_dropped"], 3);
//! assert_eq!(stats.stats["tx_packets"], 50);
//! let ring = parse_ring("\
//! Ring parameters for eth0:
//! Pre-set maximums:
//! RX:\t\t4096
//! TX:\t\t4096
//! Current hardware settings:
//! RX:\t\t256
//! TX:\t\t512
//! ").value;
//! assert_eq!((ring.rx_max, ring.rx, ring.tx), (Some(4096), Some(256), Some(512)));
//! assert_eq!(ring.ifname.as_deref(), Some("eth0"));
//! ```

mod channels;
mod info;
mod ring;
mod stats;

#[cfg(test)]
mod fixtures;

use std::collections::{BTreeMap, BTreeSet};

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{all_consuming, map, map_res, rest, value};
use nom::sequence::preceded;
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::text::numbered_lines;
use crate::Problem;

pub use channels::parse_channels;
pub use info::parse_driver_info;
pub use ring::parse_ring;
pub use stats::parse_stats;

/// `ethtool -S <dev>` (and `--phy-statistics`, standard-stats groups).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EthtoolStats {
    /// Counter name (qualified by indentation, see the module doc) → value.
    pub stats: BTreeMap<String, u64>,
    /// An error the tool printed instead of statistics (e.g. `no stats available`).
    pub tool_error: Option<String>,
    /// Device named by a `Standard stats for <dev>:` header (the ioctl headers name none).
    pub ifname: Option<String>,
}

/// `ethtool -g <dev>`; `None` fields are absent or `n/a`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RingParams {
    pub rx_max: Option<u64>,
    pub rx_mini_max: Option<u64>,
    pub rx_jumbo_max: Option<u64>,
    pub tx_max: Option<u64>,
    pub rx: Option<u64>,
    pub rx_mini: Option<u64>,
    pub rx_jumbo: Option<u64>,
    pub tx: Option<u64>,
    /// Other labelled settings verbatim (`RX Buf Len`, `TX Push`, `CQE Size`, …), keyed
    /// `"<section>/<label>"` with section `max` or `current`.
    pub extra: BTreeMap<String, String>,
    pub tool_error: Option<String>,
    /// Device named by the `Ring parameters for <dev>:` heading.
    pub ifname: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChannelSet {
    pub rx: Option<u64>,
    pub tx: Option<u64>,
    pub other: Option<u64>,
    pub combined: Option<u64>,
}

/// `ethtool -l <dev>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Channels {
    pub max: ChannelSet,
    pub current: ChannelSet,
    pub tool_error: Option<String>,
    /// Device named by the `Channel parameters for <dev>:` heading.
    pub ifname: Option<String>,
}

/// `ethtool -i <dev>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DriverInfo {
    pub driver: Option<String>,
    pub version: Option<String>,
    pub firmware_version: Option<String>,
    pub bus_info: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub tool_error: Option<String>,
    pub expansion_rom_version: Option<String>,
    pub supports_statistics: Option<bool>,
    pub supports_test: Option<bool>,
    pub supports_eeprom_access: Option<bool>,
    pub supports_register_dump: Option<bool>,
    pub supports_priv_flags: Option<bool>,
}

/// Error lines ethtool prints (to stderr, merged by sos) instead of data.
fn is_tool_error(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("Cannot ")
        || line.starts_with("netlink error: ")
        || line.starts_with("ethtool: ")
        || line == "no stats available"
        || line == "no memory available"
        || line == "For more information run ethtool -h"
}

/// Collects tool error lines in order.
#[derive(Default)]
struct ToolErrors(Vec<String>);

impl ToolErrors {
    fn push(&mut self, line: &str) {
        self.0.push(line.trim().to_string());
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn finish(self) -> Option<String> {
        if self.0.is_empty() {
            None
        } else {
            Some(self.0.join("\n"))
        }
    }
}

/// A decimal `u64` filling the whole token.
fn full_u64(input: &str) -> IResult<&str, u64> {
    all_consuming(map_res(digit1, str::parse::<u64>)).parse(input)
}

/// What a setting value means for a numeric `-g`/`-l` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumOrNa {
    Num(u64),
    Na,
}

fn num_or_na(input: &str) -> IResult<&str, NumOrNa> {
    all_consuming(alt((
        value(NumOrNa::Na, tag("n/a")),
        map(map_res(digit1, str::parse::<u64>), NumOrNa::Num),
    )))
    .parse(input)
}

/// `Ring parameters for bond0.102@bond0:` → `bond0.102@bond0`.
fn heading<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    fn after<'a>(line: &'a str, prefix: &str) -> IResult<&'a str, &'a str> {
        preceded(tag(prefix), rest).parse(line)
    }
    let (_, name) = after(line, prefix).ok()?;
    let name = name.strip_suffix(':')?;
    (!name.is_empty()).then_some(name)
}

/// The section headings of `-g` and `-l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Max,
    Current,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Max => "max",
            Section::Current => "current",
        }
    }
}

fn section_heading(line: &str) -> IResult<&str, Section> {
    all_consuming(alt((
        value(Section::Max, tag("Pre-set maximums:")),
        value(Section::Current, tag("Current hardware settings:")),
    )))
    .parse(line)
}

/// `<label>:<blanks><value>` of `-g`/`-l`, split at the first `:`. The value is non-empty.
fn setting(line: &str) -> Option<(&str, &str)> {
    fn split(line: &str) -> IResult<&str, (&str, char, &str, &str)> {
        (take_till1(|c| c == ':'), char(':'), space0, rest).parse(line)
    }
    let (_, (label, _, _, val)) = split(line).ok()?;
    let label = label.trim();
    let val = val.trim();
    (!label.is_empty() && !val.is_empty()).then_some((label, val))
}

/// The report for a `-g`/`-l` setting that comes before any section heading, so that it
/// cannot be told a maximum from a current value.
fn setting_before_section(n: usize, raw: &str) -> Problem {
    Problem::warning(
        n,
        format!(
            "setting before `Pre-set maximums:`/`Current hardware settings:`: {:?}",
            excerpt(raw)
        ),
    )
}

/// The report for a `-g`/`-l` label given twice in one section (the first value is kept).
/// Stores a `-g`/`-l` setting's value (a number, or `n/a` for none) in `slot`; anything else
/// is a problem naming what was expected (`what`: "a ring size", "a channel count").
fn store_setting(
    slot: &mut Option<u64>,
    val: &str,
    n: usize,
    label: &str,
    what: &str,
) -> Option<Problem> {
    match num_or_na(val) {
        Ok((_, NumOrNa::Num(v))) => *slot = Some(v),
        Ok((_, NumOrNa::Na)) => *slot = None,
        Err(_) => {
            return Some(Problem::warning(
                n,
                format!("expected {what} or `n/a` for `{label}`, got {val:?}"),
            ))
        }
    }
    None
}

fn duplicate_setting(n: usize, label: &str, section: Section) -> Problem {
    Problem::warning(
        n,
        format!(
            "duplicate `{label}` in section {}; keeping the first",
            section.key()
        ),
    )
}

/// What [`walk_settings`] reads from a `-g`/`-l` capture besides the settings themselves.
struct SettingsWalk {
    ifname: Option<String>,
    tool_error: Option<String>,
    problems: Vec<Problem>,
}

/// The line walk `-g` and `-l` share (their layouts differ only in the heading word and the
/// labels): blank lines, tool errors, the `<Kind> parameters for <dev>:` heading (a second one
/// is reported), section headings, and lines that are none of these. Each `label: value` under
/// a section goes to `setting` with that section and the `(section, label)` pairs stored so far
/// (the callback decides what counts as stored, for its duplicate check) and returns the problem
/// it raises, if any. `kind` is `Ring` or `Channel`, `flag` the ethtool option (`-g`, `-l`), for
/// the messages.
fn walk_settings(
    text: &str,
    kind: &str,
    flag: &str,
    mut setting: impl FnMut(
        Section,
        &mut BTreeSet<(Section, String)>,
        usize,
        &str,
        &str,
    ) -> Option<Problem>,
) -> SettingsWalk {
    let noun = kind.to_lowercase();
    let heading_prefix = format!("{kind} parameters for ");
    let mut ifname: Option<String> = None;
    let mut problems = Vec::new();
    let mut errors = ToolErrors::default();
    let mut section: Option<Section> = None;
    let mut seen: BTreeSet<(Section, String)> = BTreeSet::new();
    let mut saw_structure = false;

    for (n, raw) in numbered_lines(text) {
        match classify_settings_line(raw, &heading_prefix) {
            SettingsLine::Blank => {}
            SettingsLine::ToolError => errors.push(raw),
            SettingsLine::Heading(dev) => {
                saw_structure = true;
                if ifname.is_some() {
                    problems.push(Problem::warning(
                        n,
                        format!("second `{kind} parameters for` heading"),
                    ));
                } else {
                    ifname = Some(dev.to_string());
                }
            }
            SettingsLine::Section(s) => {
                saw_structure = true;
                section = Some(s);
            }
            SettingsLine::Setting(label, val) => {
                let problem = match section {
                    None => Some(setting_before_section(n, raw)),
                    Some(sec) => setting(sec, &mut seen, n, label, val),
                };
                problems.extend(problem);
            }
            SettingsLine::Unknown => problems.push(Problem::warning(
                n,
                format!(
                    "expected a {noun} heading, section or `label: value`: {:?}",
                    excerpt(raw)
                ),
            )),
        }
    }

    if seen.is_empty() && !saw_structure && errors.is_empty() && !problems.is_empty() {
        problems.push(Problem::error(
            0,
            format!("no ethtool {flag} {noun} parameters found"),
        ));
    }
    SettingsWalk {
        ifname,
        tool_error: errors.finish(),
        problems,
    }
}

/// One classified line of a `-g` or `-l` capture.
#[derive(Debug, PartialEq, Eq)]
enum SettingsLine<'a> {
    Blank,
    ToolError,
    Heading(&'a str),
    Section(Section),
    Setting(&'a str, &'a str),
    Unknown,
}

fn classify_settings_line<'a>(line: &'a str, heading_prefix: &str) -> SettingsLine<'a> {
    let t = line.trim();
    if t.is_empty() {
        SettingsLine::Blank
    } else if is_tool_error(t) {
        SettingsLine::ToolError
    } else if let Some(dev) = heading(t, heading_prefix) {
        SettingsLine::Heading(dev)
    } else if let Ok((_, s)) = section_heading(t) {
        SettingsLine::Section(s)
    } else if let Some((label, val)) = setting(t) {
        SettingsLine::Setting(label, val)
    } else {
        SettingsLine::Unknown
    }
}

/// Shortens a line for a problem message (by characters, never splitting one).
fn excerpt(line: &str) -> String {
    const MAX: usize = 80;
    let t = line.trim();
    if t.chars().count() <= MAX {
        t.to_string()
    } else {
        let cut: String = t.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_line_grammar() {
        assert_eq!(
            classify_settings_line("RX:\t\t\t4096", "Ring parameters for "),
            SettingsLine::Setting("RX", "4096")
        );
        assert_eq!(
            classify_settings_line("TX push buff len:\tn/a", "Ring parameters for "),
            SettingsLine::Setting("TX push buff len", "n/a")
        );
        assert_eq!(
            classify_settings_line(
                "Ring parameters for bond0.102@bond0:",
                "Ring parameters for "
            ),
            SettingsLine::Heading("bond0.102@bond0")
        );
        assert_eq!(
            classify_settings_line("Pre-set maximums:", "Ring parameters for "),
            SettingsLine::Section(Section::Max)
        );
        assert_eq!(
            classify_settings_line("RX:", "Ring parameters for "),
            SettingsLine::Unknown
        );
        assert_eq!(
            classify_settings_line("netlink error: Operation not supported", "x"),
            SettingsLine::ToolError
        );
    }

    #[test]
    fn num_or_na_values() {
        assert_eq!(num_or_na("n/a").map(|r| r.1), Ok(NumOrNa::Na));
        assert_eq!(num_or_na("4096").map(|r| r.1), Ok(NumOrNa::Num(4096)));
        assert!(num_or_na("off").is_err());
        assert!(num_or_na("18446744073709551616").is_err());
        assert!(num_or_na("-1").is_err());
    }

    #[test]
    fn excerpt_never_splits_a_char() {
        let long = "é".repeat(200);
        assert_eq!(excerpt(&long).chars().count(), 81);
    }
}
