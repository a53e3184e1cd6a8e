//! `ethtool -l` (knowledge §7.3). Layout: see the module doc of `ethtool`.

use std::collections::BTreeSet;

use super::{
    classify_settings_line, duplicate_setting, excerpt, setting_before_section, store_setting,
    ChannelSet, Channels, Section, SettingsLine, ToolErrors,
};
use crate::text::numbered_lines;
use crate::{Parsed, Problem};

fn field<'a>(set: &'a mut ChannelSet, label: &str) -> Option<&'a mut Option<u64>> {
    Some(match label {
        "RX" => &mut set.rx,
        "TX" => &mut set.tx,
        "Other" => &mut set.other,
        "Combined" => &mut set.combined,
        _ => return None,
    })
}

pub fn parse_channels(text: &str) -> Parsed<Channels> {
    let mut out = Channels::default();
    let mut problems = Vec::new();
    let mut errors = ToolErrors::default();
    let mut section: Option<Section> = None;
    let mut seen: BTreeSet<(Section, String)> = BTreeSet::new();
    let mut saw_structure = false;

    for (n, raw) in numbered_lines(text) {
        match classify_settings_line(raw, "Channel parameters for ") {
            SettingsLine::Blank => {}
            SettingsLine::ToolError => errors.push(raw),
            SettingsLine::Heading(dev) => {
                saw_structure = true;
                if out.ifname.is_some() {
                    problems.push(Problem::warning(
                        n,
                        "second `Channel parameters for` heading",
                    ));
                } else {
                    out.ifname = Some(dev.to_string());
                }
            }
            SettingsLine::Section(s) => {
                saw_structure = true;
                section = Some(s);
            }
            SettingsLine::Setting(label, val) => {
                problems.extend(channel_setting(
                    &mut out, &mut seen, section, n, raw, label, val,
                ));
            }
            SettingsLine::Unknown => problems.push(Problem::warning(
                n,
                format!(
                    "expected a channel heading, section or `label: value`: {:?}",
                    excerpt(raw)
                ),
            )),
        }
    }

    if seen.is_empty() && !saw_structure && errors.is_empty() && !problems.is_empty() {
        problems.push(Problem::error(0, "no ethtool -l channel parameters found"));
    }
    out.tool_error = errors.finish();
    Parsed::new(out, problems)
}

/// One `label: value` line, stored in the section it is under; returns the problem it
/// raises, if any. An unknown label is not remembered, so a repeat of it is reported as
/// unknown again rather than as a duplicate.
fn channel_setting(
    out: &mut Channels,
    seen: &mut BTreeSet<(Section, String)>,
    section: Option<Section>,
    n: usize,
    raw: &str,
    label: &str,
    val: &str,
) -> Option<Problem> {
    let Some(sec) = section else {
        return Some(setting_before_section(n, raw));
    };
    let set = match sec {
        Section::Max => &mut out.max,
        Section::Current => &mut out.current,
    };
    let Some(slot) = field(set, label) else {
        return Some(Problem::warning(
            n,
            format!("expected `RX`, `TX`, `Other` or `Combined`, got {label:?}"),
        ));
    };
    if !seen.insert((sec, label.to_string())) {
        return Some(duplicate_setting(n, label, sec));
    }
    store_setting(slot, val, n, label, "a channel count")
}
