//! `ethtool -i` (driver information). Layout: see the module doc of `ethtool`.

use std::collections::BTreeMap;

use nom::bytes::complete::take_while1;
use nom::character::complete::char;
use nom::combinator::rest;
use nom::IResult;
use nom::Parser;

use super::{excerpt, is_tool_error, DriverInfo, ToolErrors};
use crate::text::numbered_lines;
use crate::{Parsed, Problem};

/// `key: value` with a key of letters, digits, `-` and `_`; the value may be empty.
fn info_line(line: &str) -> IResult<&str, (&str, &str)> {
    let (input, (key, _, val)) = (
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        char(':'),
        rest,
    )
        .parse(line)?;
    Ok((input, (key, val.trim())))
}

/// Typed string fields: empty and the `N/A` placeholder mean "not given".
fn typed(val: &str) -> Option<String> {
    (!val.is_empty() && val != "N/A").then(|| val.to_string())
}

pub fn parse_driver_info(text: &str) -> Parsed<DriverInfo> {
    let mut out = DriverInfo::default();
    let mut problems = Vec::new();
    let mut errors = ToolErrors::default();
    let mut first_seen: BTreeMap<String, usize> = BTreeMap::new();

    for (n, raw) in numbered_lines(text) {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if is_tool_error(t) {
            errors.push(t);
            continue;
        }
        let Ok((_, (key, val))) = info_line(t) else {
            problems.push(Problem::warning(
                n,
                format!("expected `key: value`: {:?}", excerpt(raw)),
            ));
            continue;
        };
        if let Some(first) = first_seen.get(key) {
            problems.push(Problem::warning(
                n,
                format!("duplicate `{key}` (first on line {first}); keeping the first"),
            ));
            continue;
        }
        first_seen.insert(key.to_string(), n);
        out.fields.insert(key.to_string(), val.to_string());

        problems.extend(typed_field(&mut out, n, key, val));
    }

    if out.fields.is_empty() && errors.is_empty() && !problems.is_empty() {
        problems.push(Problem::error(0, "no ethtool -i driver information found"));
    }
    out.tool_error = errors.finish();
    Parsed::new(out, problems)
}

/// Copies a known key into its typed field (strings as given, `supports-*` flags as
/// `yes`/`no`); returns the problem a flag that is neither raises. Unknown keys are only in
/// `fields`.
fn typed_field(out: &mut DriverInfo, n: usize, key: &str, val: &str) -> Option<Problem> {
    let flag = match key {
        "driver" => {
            out.driver = typed(val);
            None
        }
        "version" => {
            out.version = typed(val);
            None
        }
        "firmware-version" => {
            out.firmware_version = typed(val);
            None
        }
        "expansion-rom-version" => {
            out.expansion_rom_version = typed(val);
            None
        }
        "bus-info" => {
            out.bus_info = typed(val);
            None
        }
        "supports-statistics" => Some(&mut out.supports_statistics),
        "supports-test" => Some(&mut out.supports_test),
        "supports-eeprom-access" => Some(&mut out.supports_eeprom_access),
        "supports-register-dump" => Some(&mut out.supports_register_dump),
        "supports-priv-flags" => Some(&mut out.supports_priv_flags),
        _ => None,
    }?;
    match val {
        "yes" => *flag = Some(true),
        "no" => *flag = Some(false),
        _ => {
            return Some(Problem::warning(
                n,
                format!("expected `yes` or `no` for `{key}`, got {val:?}"),
            ))
        }
    }
    None
}
