//! `ethtool -g` (knowledge §7.1 ioctl, §7.2 netlink). Layout: see the module doc of `ethtool`.

use super::{duplicate_setting, store_setting, walk_settings, RingParams, Section};
use crate::Parsed;

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
    // Each `label: value` is stored in the section it is under. Labels without a typed field
    // (drivers add their own, such as `RX Buf Len`) are kept verbatim in `extra` as
    // `<section>/<label>`.
    let walk = walk_settings(text, "Ring", "-g", |sec, seen, n, label, val| {
        if !seen.insert((sec, label.to_string())) {
            return Some(duplicate_setting(n, label, sec));
        }
        let Some(field) = numeric_field(&mut out, sec, label) else {
            out.extra
                .insert(format!("{}/{label}", sec.key()), val.to_string());
            return None;
        };
        store_setting(field, val, n, label, "a ring size")
    });
    out.ifname = walk.ifname;
    out.tool_error = walk.tool_error;
    Parsed::new(out, walk.problems)
}
