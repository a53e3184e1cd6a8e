//! `ethtool -l` (knowledge §7.3). Layout: see the module doc of `ethtool`.

use std::collections::BTreeSet;

use super::{
    classify_settings_line, excerpt, num_or_na, ChannelSet, Channels, NumOrNa, Section,
    SettingsLine, ToolErrors,
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
                let Some(sec) = section else {
                    problems.push(Problem::warning(
                        n,
                        format!(
                            "setting before `Pre-set maximums:`/`Current hardware settings:`: {:?}",
                            excerpt(raw)
                        ),
                    ));
                    continue;
                };
                let set = match sec {
                    Section::Max => &mut out.max,
                    Section::Current => &mut out.current,
                };
                let Some(slot) = field(set, label) else {
                    problems.push(Problem::warning(
                        n,
                        format!("expected `RX`, `TX`, `Other` or `Combined`, got {label:?}"),
                    ));
                    continue;
                };
                if !seen.insert((sec, label.to_string())) {
                    problems.push(Problem::warning(
                        n,
                        format!(
                            "duplicate `{label}` in section {}; keeping the first",
                            sec.key()
                        ),
                    ));
                    continue;
                }
                match num_or_na(val) {
                    Ok((_, NumOrNa::Num(v))) => *slot = Some(v),
                    Ok((_, NumOrNa::Na)) => *slot = None,
                    Err(_) => problems.push(Problem::warning(
                        n,
                        format!("expected a channel count or `n/a` for `{label}`, got {val:?}"),
                    )),
                }
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
