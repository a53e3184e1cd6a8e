//! `ethtool -g` (knowledge §7.1 ioctl, §7.2 netlink). Layout: see the module doc of `ethtool`.

use std::collections::BTreeSet;

use super::{
    classify_settings_line, duplicate_setting, excerpt, setting_before_section, store_setting,
    RingParams, Section, SettingsLine, ToolErrors,
};
use crate::text::numbered_lines;
use crate::{Parsed, Problem};

fn numeric_field<'a>(
    ring: &'a mut RingParams,
    section: Section,
    label: &str,
) -> Option<&'a mut Option<u64>> {
    Some(match (section, label) {
        (Section::Max, "RX") => &mut ring.rx_max,
        (Section::Max, "RX Mini") => &mut ring.rx_mini_max,
        (Section::Max, "RX Jumbo") => &mut ring.rx_jumbo_max,
        (Section::Max, "TX") => &mut ring.tx_max,
        (Section::Current, "RX") => &mut ring.rx,
        (Section::Current, "RX Mini") => &mut ring.rx_mini,
        (Section::Current, "RX Jumbo") => &mut ring.rx_jumbo,
        (Section::Current, "TX") => &mut ring.tx,
        _ => return None,
    })
}

pub fn parse_ring(text: &str) -> Parsed<RingParams> {
    let mut out = RingParams::default();
    let mut problems = Vec::new();
    let mut errors = ToolErrors::default();
    let mut section: Option<Section> = None;
    let mut seen: BTreeSet<(Section, String)> = BTreeSet::new();
    let mut saw_structure = false;

    for (n, raw) in numbered_lines(text) {
        match classify_settings_line(raw, "Ring parameters for ") {
            SettingsLine::Blank => {}
            SettingsLine::ToolError => errors.push(raw),
            SettingsLine::Heading(dev) => {
                saw_structure = true;
                if out.ifname.is_some() {
                    problems.push(Problem::warning(n, "second `Ring parameters for` heading"));
                } else {
                    out.ifname = Some(dev.to_string());
                }
            }
            SettingsLine::Section(s) => {
                saw_structure = true;
                section = Some(s);
            }
            SettingsLine::Setting(label, val) => {
                problems.extend(ring_setting(
                    &mut out, &mut seen, section, n, raw, label, val,
                ));
            }
            SettingsLine::Unknown => problems.push(Problem::warning(
                n,
                format!(
                    "expected a ring heading, section or `label: value`: {:?}",
                    excerpt(raw)
                ),
            )),
        }
    }

    if seen.is_empty() && !saw_structure && errors.is_empty() && !problems.is_empty() {
        problems.push(Problem::error(0, "no ethtool -g ring parameters found"));
    }
    out.tool_error = errors.finish();
    Parsed::new(out, problems)
}

/// One `label: value` line, stored in the section it is under; returns the problem it
/// raises, if any. Labels without a typed field (drivers add their own, such as `RX Buf
/// Len`) are kept verbatim in `extra` as `<section>/<label>`.
fn ring_setting(
    out: &mut RingParams,
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
    if !seen.insert((sec, label.to_string())) {
        return Some(duplicate_setting(n, label, sec));
    }
    let Some(field) = numeric_field(out, sec, label) else {
        out.extra
            .insert(format!("{}/{label}", sec.key()), val.to_string());
        return None;
    };
    store_setting(field, val, n, label, "a ring size")
}
