//! `/proc/net/bonding/<bond>` (kernel `drivers/net/bonding/bond_procfs.c`).
//!
//! Layout: `Ethernet Channel Bonding Driver: v…`, a blank line, the bond section
//! (`Bonding Mode:`, `Transmit Hash Policy:`, `Primary Slave:`, `Currently Active Slave:`,
//! `MII Status:`, delays, ARP settings, then for 802.3ad a `802.3ad info` line, LACP settings and
//! `Active Aggregator Info:` with TAB-indented sub-lines, or `bond <name> has no active
//! aggregator`), then one block per slave starting at `Slave Interface: <name>` (802.3ad adds
//! `Aggregator ID`, churn states and the 4-space-indented `details actor lacp pdu:` /
//! `details partner lacp pdu:` sub-blocks).
//!
//! Lines are split at the first `": "` (keys never contain it; values such as MAC addresses
//! contain `:`; the IPv6 key `NS IPv6 target/s (xx::xx form)` contains `::`), or are a key ending
//! in `:` with an empty value. Indented lines under a heading (a key with an empty value) are
//! stored in `fields` as `"<heading>: <key>"`, e.g. `Active Aggregator Info: Aggregator ID`,
//! `details actor lacp pdu: port state`. Headings themselves are stored with an empty value.
//!
//! Typed values: `mode` without the ` (fail_over_mac …)` suffix (kept in `fail_over_mac`),
//! `primary_slave` without ` (primary_reselect …)` (kept in `primary_reselect`), `None` printed
//! for the primary or active slave becomes `None`. Lines that fill the stub's typed fields are
//! not repeated in `fields`; everything else is, verbatim.
//!
//! ```
//! use parsers::bonding;
//! let text = "\
//! Ethernet Channel Bonding Driver: v5.14.0
//!
//! Bonding Mode: fault-tolerance (active-backup)
//! Primary Slave: None
//! Currently Active Slave: eth0
//! MII Status: up
//!
//! Slave Interface: eth0
//! MII Status: up
//! Speed: 1000 Mbps
//! Duplex: full
//! Link Failure Count: 2
//! Permanent HW addr: 52:54:00:00:00:01
//! ";
//! let bond = bonding::parse(text).value;
//! assert_eq!(bond.mode.as_deref(), Some("fault-tolerance (active-backup)"));
//! assert_eq!(bond.currently_active_slave.as_deref(), Some("eth0"));
//! assert_eq!(bond.slaves[0].name, "eth0");
//! assert_eq!(bond.slaves[0].speed_mbps, Some(1000));
//! assert_eq!(bond.slaves[0].link_failure_count, Some(2));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BondSlave {
    pub name: String,
    pub mii_status: Option<String>,
    pub speed: Option<String>,
    pub duplex: Option<String>,
    pub link_failure_count: Option<u64>,
    pub permanent_hw_addr: Option<String>,
    /// Other `key: value` lines of the slave block, verbatim.
    pub fields: BTreeMap<String, String>,
    /// `Speed: 1000 Mbps` → 1000 (`Unknown` → `None`).
    pub speed_mbps: Option<u64>,
    /// 802.3ad: `Aggregator ID:` (`N/A` → `None`; the text stays in `fields`).
    pub aggregator_id: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bonding {
    /// `Bonding Mode:` text, e.g. `fault-tolerance (active-backup)`.
    pub mode: Option<String>,
    pub primary_slave: Option<String>,
    pub currently_active_slave: Option<String>,
    pub mii_status: Option<String>,
    pub slaves: Vec<BondSlave>,
    /// Other `key: value` lines of the bond section, verbatim.
    pub fields: BTreeMap<String, String>,
    /// `Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)` → `v3.7.1 (April 27, 2011)`;
    /// kernels ≥ 5.x print the kernel release (`v5.15.0-91-generic`).
    pub driver_version: Option<String>,
    /// `(fail_over_mac active)` after an active-backup mode → `active`.
    pub fail_over_mac: Option<String>,
    /// `Primary Slave: em3 (primary_reselect failure)` → `failure`.
    pub primary_reselect: Option<String>,
    /// 802.3ad: `Aggregator ID` under `Active Aggregator Info:`.
    pub active_aggregator_id: Option<u64>,
}

impl Bonding {
    /// True for `fault-tolerance (active-backup)`.
    pub fn is_active_backup(&self) -> bool {
        self.mode
            .as_deref()
            .is_some_and(|m| m.contains("active-backup"))
    }
}

/// `key: value`, or `key:` with an empty value.
fn split_key_value(trimmed: &str) -> Option<(&str, &str)> {
    match trimmed.split_once(": ") {
        Some((k, v)) => Some((k.trim(), v.trim())),
        None => trimmed.strip_suffix(':').map(|k| (k.trim(), "")),
    }
}

/// `text (word rest)` → (`text`, Some(`rest`)) when the trailing parenthesis starts with `word`.
fn split_suffix<'a>(text: &'a str, word: &str) -> (&'a str, Option<&'a str>) {
    let open = format!("({word} ");
    match text.rfind(&open) {
        Some(i) if text.ends_with(')') => {
            let inner = text
                .get(i + open.len()..text.len().saturating_sub(1))
                .unwrap_or("");
            (text.get(..i).unwrap_or(text).trim_end(), Some(inner))
        }
        _ => (text, None),
    }
}

fn none_word(v: &str) -> Option<String> {
    (!v.is_empty() && v != "None").then(|| v.to_string())
}

fn insert_field(
    fields: &mut BTreeMap<String, String>,
    key: String,
    value: &str,
    no: usize,
    problems: &mut Vec<Problem>,
) {
    match fields.entry(key) {
        std::collections::btree_map::Entry::Occupied(e) => problems.push(Problem::warning(
            no,
            format!(
                "{:?} repeated in the same section; first value kept",
                e.key()
            ),
        )),
        std::collections::btree_map::Entry::Vacant(e) => {
            e.insert(value.to_string());
        }
    }
}

/// The lines that are not `Key: value`: the driver banner, the `802.3ad info` heading and
/// the `bond0 has no active aggregator` note (kept under the key it stands in for). Returns
/// whether the line was one.
fn free_text_line(
    bond: &mut Bonding,
    trimmed: &str,
    no: usize,
    problems: &mut Vec<Problem>,
) -> bool {
    if let Some(v) = trimmed.strip_prefix("Ethernet Channel Bonding Driver:") {
        bond.driver_version = Some(v.trim().to_string());
        return true;
    }
    if trimmed == "802.3ad info" {
        return true;
    }
    if trimmed.starts_with("bond ") && trimmed.ends_with(" has no active aggregator") {
        insert_field(
            &mut bond.fields,
            "Active Aggregator Info".to_string(),
            trimmed,
            no,
            problems,
        );
        return true;
    }
    false
}

/// `Key: value` with a non-empty key; anything else is reported and gives `None`.
fn key_value<'t>(
    trimmed: &'t str,
    no: usize,
    problems: &mut Vec<Problem>,
) -> Option<(&'t str, &'t str)> {
    let Some((key, value)) = split_key_value(trimmed) else {
        problems.push(Problem::warning(
            no,
            format!("expected `Key: value`, found {trimmed:?}"),
        ));
        return None;
    };
    if key.is_empty() {
        problems.push(Problem::warning(no, format!("empty key in {trimmed:?}")));
        return None;
    }
    Some((key, value))
}

pub fn parse(text: &str) -> Parsed<Bonding> {
    let mut problems = Vec::new();
    let mut bond = Bonding::default();
    let mut heading: Option<String> = None;
    let mut any = false;

    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            heading = None;
            continue;
        }
        any = true;
        let indented = line.starts_with([' ', '\t']);
        if !indented {
            heading = None;
        }
        if free_text_line(&mut bond, trimmed, no, &mut problems) {
            continue;
        }
        let Some((key, value)) = key_value(trimmed, no, &mut problems) else {
            continue;
        };

        if !indented && key == "Slave Interface" {
            if value.is_empty() {
                problems.push(Problem::warning(no, "`Slave Interface:` without a name"));
            }
            bond.slaves.push(BondSlave {
                name: value.to_string(),
                ..BondSlave::default()
            });
            continue;
        }

        // Full key: sub-lines of a heading are prefixed with it.
        let full_key = match (&heading, indented) {
            (Some(h), true) => format!("{h}: {key}"),
            _ => key.to_string(),
        };
        if !indented && value.is_empty() {
            heading = Some(key.to_string());
        }

        match bond.slaves.last_mut() {
            None => bond_line(&mut bond, full_key, value, no, &mut problems),
            Some(slave) => slave_line(slave, full_key, value, no, &mut problems),
        }
    }

    if !any {
        problems.push(Problem::error(0, "empty bonding file"));
    } else if bond.mode.is_none() && bond.slaves.is_empty() {
        problems.push(Problem::error(
            0,
            "no `Bonding Mode:` and no slave: not a bonding file",
        ));
    }
    Parsed::new(bond, problems)
}

fn bond_line(bond: &mut Bonding, key: String, value: &str, no: usize, problems: &mut Vec<Problem>) {
    let dup = |problems: &mut Vec<Problem>, set: bool| {
        if set {
            problems.push(Problem::warning(
                no,
                format!("{key:?} repeated; last value kept"),
            ));
        }
    };
    match key.as_str() {
        "Bonding Mode" => {
            dup(problems, bond.mode.is_some());
            let (mode, fom) = split_suffix(value, "fail_over_mac");
            bond.mode = Some(mode.to_string());
            bond.fail_over_mac = fom.map(str::to_string);
        }
        "Primary Slave" => {
            dup(problems, bond.primary_slave.is_some());
            let (name, reselect) = split_suffix(value, "primary_reselect");
            bond.primary_slave = none_word(name);
            bond.primary_reselect = reselect.map(str::to_string);
        }
        "Currently Active Slave" => {
            dup(problems, bond.currently_active_slave.is_some());
            bond.currently_active_slave = none_word(value);
        }
        "MII Status" => {
            dup(problems, bond.mii_status.is_some());
            bond.mii_status = Some(value.to_string());
        }
        _ => {
            if key == "Active Aggregator Info: Aggregator ID" {
                bond.active_aggregator_id = value.parse().ok();
            }
            insert_field(&mut bond.fields, key, value, no, problems);
        }
    }
}

fn slave_line(
    slave: &mut BondSlave,
    key: String,
    value: &str,
    no: usize,
    problems: &mut Vec<Problem>,
) {
    let set = |slot: &mut Option<String>, problems: &mut Vec<Problem>| {
        if slot.is_some() {
            problems.push(Problem::warning(
                no,
                format!("{key:?} repeated; last value kept"),
            ));
        }
        *slot = Some(value.to_string());
    };
    match key.as_str() {
        "MII Status" => set(&mut slave.mii_status, problems),
        "Speed" => {
            set(&mut slave.speed, problems);
            slave.speed_mbps = value
                .strip_suffix(" Mbps")
                .and_then(|n| n.trim().parse().ok());
        }
        "Duplex" => set(&mut slave.duplex, problems),
        "Permanent HW addr" => set(&mut slave.permanent_hw_addr, problems),
        "Link Failure Count" => match value.parse::<u64>() {
            Ok(n) => slave.link_failure_count = Some(n),
            Err(_) => {
                problems.push(Problem::warning(
                    no,
                    format!("Link Failure Count is not a number: {value:?}"),
                ));
                insert_field(&mut slave.fields, key, value, no, problems);
            }
        },
        _ => {
            if key == "Aggregator ID" {
                slave.aggregator_id = value.parse().ok();
            }
            insert_field(&mut slave.fields, key, value, no, problems);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const AB: &str = fixture!("bonding", "insights-active-backup.bond0");
    const ARP: &str = fixture!("bonding", "insights-arp-monitor.bond0");
    const OLD_LACP: &str = fixture!("bonding", "insights-8023ad-v3.2.4-stray-line.bond0");
    const FOM: &str = fixture!("bonding", "yogsottot-fail-over-mac.bond0");
    const LACP: &str = fixture!("bonding", "blackmetalz-8023ad.bond0");
    const NEW: &str = fixture!("bonding", "constructed-6.12-no-aggregator.bond1");

    fn field<'a>(m: &'a BTreeMap<String, String>, k: &str) -> Option<&'a str> {
        m.get(k).map(String::as_str)
    }

    #[test]
    fn active_backup() {
        let p = parse(AB);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = &p.value;
        assert_eq!(b.driver_version.as_deref(), Some("v3.7.1 (April 27, 2011)"));
        assert_eq!(b.mode.as_deref(), Some("fault-tolerance (active-backup)"));
        assert!(b.is_active_backup());
        assert_eq!(b.primary_slave, None);
        assert_eq!(b.currently_active_slave.as_deref(), Some("enp17s0f0"));
        assert_eq!(b.mii_status.as_deref(), Some("up"));
        assert_eq!(field(&b.fields, "MII Polling Interval (ms)"), Some("100"));
        assert_eq!(field(&b.fields, "Down Delay (ms)"), Some("0"));
        let names: Vec<&str> = b.slaves.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["enp17s0f0", "enp17s0f1"]);
        let s = &b.slaves[1];
        assert_eq!(s.mii_status.as_deref(), Some("up"));
        assert_eq!(s.speed.as_deref(), Some("10000 Mbps"));
        assert_eq!(s.speed_mbps, Some(10000));
        assert_eq!(s.duplex.as_deref(), Some("full"));
        assert_eq!(s.link_failure_count, Some(0));
        assert_eq!(s.permanent_hw_addr.as_deref(), Some("00:1f:f3:af:d3:f1"));
        assert_eq!(field(&s.fields, "Slave queue ID"), Some("0"));
        assert_eq!(s.fields.len(), 1);
    }

    #[test]
    fn arp_monitor_and_primary_reselect() {
        let p = parse(ARP);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = &p.value;
        assert_eq!(b.primary_slave.as_deref(), Some("em3"));
        assert_eq!(b.primary_reselect.as_deref(), Some("failure"));
        assert_eq!(field(&b.fields, "ARP Polling Interval (ms)"), Some("1000"));
        assert_eq!(
            field(&b.fields, "ARP IP target/s (n.n.n.n form)"),
            Some("10.152.1.1")
        );
        assert_eq!(field(&b.fields, "MII Polling Interval (ms)"), Some("0"));
        let fails: Vec<Option<u64>> = b.slaves.iter().map(|s| s.link_failure_count).collect();
        assert_eq!(fails, vec![Some(92028), Some(71524)]);
    }

    #[test]
    fn fail_over_mac() {
        let p = parse(FOM);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = &p.value;
        assert_eq!(b.mode.as_deref(), Some("fault-tolerance (active-backup)"));
        assert_eq!(b.fail_over_mac.as_deref(), Some("active"));
        assert_eq!(b.primary_slave.as_deref(), Some("eth1"));
        assert_eq!(b.primary_reselect.as_deref(), Some("always"));
        assert_eq!(field(&b.fields, "Up Delay (ms)"), Some("200"));
        assert_eq!(
            b.slaves[1].permanent_hw_addr.as_deref(),
            Some("08:00:27:d1:fc:5b")
        );
    }

    #[test]
    fn lacp_with_pdu_details() {
        let p = parse(LACP);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = &p.value;
        assert_eq!(
            b.mode.as_deref(),
            Some("IEEE 802.3ad Dynamic link aggregation")
        );
        assert!(!b.is_active_backup());
        assert_eq!(b.currently_active_slave, None);
        assert_eq!(
            field(&b.fields, "Transmit Hash Policy"),
            Some("layer3+4 (1)")
        );
        assert_eq!(field(&b.fields, "LACP rate"), Some("fast"));
        assert_eq!(
            field(&b.fields, "System MAC address"),
            Some("00:25:90:85:81:f2")
        );
        assert_eq!(field(&b.fields, "Active Aggregator Info"), Some(""));
        assert_eq!(
            field(&b.fields, "Active Aggregator Info: Number of ports"),
            Some("1")
        );
        assert_eq!(
            field(&b.fields, "Active Aggregator Info: Partner Mac Address"),
            Some("00:00:00:00:00:00")
        );
        assert_eq!(b.active_aggregator_id, Some(2));
        let s0 = &b.slaves[0];
        assert_eq!(s0.name, "enp1s0f0");
        assert_eq!(s0.mii_status.as_deref(), Some("down"));
        assert_eq!(s0.speed.as_deref(), Some("Unknown"));
        assert_eq!(s0.speed_mbps, None);
        assert_eq!(s0.duplex.as_deref(), Some("Unknown"));
        assert_eq!(s0.link_failure_count, Some(2));
        assert_eq!(s0.aggregator_id, Some(1));
        assert_eq!(field(&s0.fields, "Actor Churn State"), Some("churned"));
        assert_eq!(
            field(&s0.fields, "details actor lacp pdu: port state"),
            Some("71")
        );
        assert_eq!(
            field(&s0.fields, "details partner lacp pdu: oper key"),
            Some("1")
        );
        let s1 = &b.slaves[1];
        assert_eq!(s1.aggregator_id, Some(2));
        assert_eq!(
            field(&s1.fields, "details actor lacp pdu: port state"),
            Some("79")
        );
        assert_eq!(
            field(&s1.fields, "details actor lacp pdu: system mac address"),
            Some("00:25:90:85:81:f2")
        );
        assert_eq!(field(&s1.fields, "Partner Churned Count"), Some("3"));
    }

    #[test]
    fn old_lacp_with_stray_line() {
        let p = parse(OLD_LACP);
        // `Speed` alone on line 31 (as in the insights fixture)
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, 31);
        let b = &p.value;
        assert_eq!(
            b.driver_version.as_deref(),
            Some("v3.2.4 (January 28, 2008)")
        );
        // space-indented sub-lines are read like TAB-indented ones
        assert_eq!(b.active_aggregator_id, Some(3));
        assert_eq!(
            field(&b.fields, "Active Aggregator Info: Actor Key"),
            Some("17")
        );
        let aggs: Vec<Option<u64>> = b.slaves.iter().map(|s| s.aggregator_id).collect();
        assert_eq!(aggs, vec![Some(3), Some(2)]);
        assert_eq!(b.slaves[1].link_failure_count, Some(0));
    }

    #[test]
    fn constructed_new_kernel() {
        let p = parse(NEW);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = &p.value;
        assert_eq!(b.driver_version.as_deref(), Some("v6.12.10"));
        assert_eq!(b.mii_status.as_deref(), Some("down"));
        assert_eq!(field(&b.fields, "ARP Missed Max"), Some("2"));
        assert_eq!(
            field(&b.fields, "ARP IP target/s (n.n.n.n form)"),
            Some("192.0.2.1, 192.0.2.2")
        );
        assert_eq!(field(&b.fields, "NS IPv6 target/s (xx::xx form)"), Some(""));
        assert_eq!(field(&b.fields, "LACP active"), Some("on"));
        assert_eq!(
            field(&b.fields, "Active Aggregator Info"),
            Some("bond bond1 has no active aggregator")
        );
        assert_eq!(b.active_aggregator_id, None);
        let s = &b.slaves[0];
        assert_eq!(s.aggregator_id, None);
        assert_eq!(field(&s.fields, "Aggregator ID"), Some("N/A"));
        assert_eq!(s.link_failure_count, Some(4_294_967_295));
    }

    #[test]
    fn crlf_and_garbage_lines() {
        let text = AB.replace('\n', "\r\n");
        let p = parse(&text);
        assert!(p.problems.is_empty());
        assert_eq!(p.value.slaves.len(), 2);
        let p = parse("");
        assert_eq!(p.problems.len(), 1);
        let p = parse("cat: /proc/net/bonding/bond0: No such file or directory\n");
        assert_eq!(p.problems.last().map(|q| q.line), Some(0));
        let p = parse("Slave Interface: eth0\nLink Failure Count: lots\n");
        assert_eq!(p.value.slaves[0].link_failure_count, None);
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            ":",
            ": ",
            "::",
            "Slave Interface:",
            "Bonding Mode: (fail_over_mac )",
            "Primary Slave: x (primary_reselect",
            "\tAggregator ID: 1",
            "details actor lacp pdu:\n    port state: x",
            "bond  has no active aggregator",
            "年: 年",
            "Bonding Mode: )",
            "Primary Slave: (primary_reselect )",
        ] {
            let _ = parse(g);
        }
        for text in [AB, ARP, OLD_LACP, FOM, LACP, NEW] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("bonding"), parse);
    }
}
