//! `ethtool -l` (knowledge §7.3). Layout: see the module doc of `ethtool`.

use super::{duplicate_setting, store_setting, walk_settings, ChannelSet, Channels, Section};
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
    // Each `label: value` is stored in the section it is under. An unknown label is not
    // remembered, so a repeat of it is reported as unknown again rather than as a duplicate.
    let walk = walk_settings(text, "Channel", "-l", |sec, seen, n, label, val| {
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
    });
    out.ifname = walk.ifname;
    out.tool_error = walk.tool_error;
    Parsed::new(out, walk.problems)
}
