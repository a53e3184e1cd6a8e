//! `ip -j [-p] [-d] -s [-s] link` (iproute2 ≥ v4.14 JSON), knowledge §2.5.
//!
//! The output is one JSON array of link objects (several arrays when a paste holds several
//! runs; each becomes its own set of links, in order). Keys read:
//!
//! | JSON | kept as ([`IpLink`], shared with the text parser) |
//! |---|---|
//! | `ifindex`, `ifname`, `link` (the `@peer`), `flags`, `mtu`, `qdisc`, `master`, `operstate`, `txqlen`, `link_type`, `address`, `ifalias`, `altnames` | index, name, link_peer, flags, mtu, qdisc, master, state, qlen, link_type, address, alias, altnames |
//! | `linkinfo.info_kind`, `linkinfo.info_data.type` (tun), `linkinfo.info_slave_kind`, `linkinfo.info_slave_data.state` | kind, tun_type, slave_kind, bond_slave_state |
//! | `stats64` (or `stats`; `stats644` in v4.14) `.rx` / `.tx` | counters |
//!
//! Counter keys (`struct rtnl_link_stats64` names). The JSON keys did not change at v5.10:
//! `rx.over_errors` stays on the first level and `missed_errors` comes only with `-s -s`.
//!
//! | object | JSON key | key |
//! |---|---|---|
//! | rx | bytes packets errors dropped | rx_bytes rx_packets rx_errors rx_dropped |
//! | rx | over_errors multicast compressed | rx_over_errors multicast rx_compressed |
//! | rx | length_errors crc_errors frame_errors fifo_errors missed_errors | rx_length_errors rx_crc_errors rx_frame_errors rx_fifo_errors rx_missed_errors |
//! | rx | nohandler otherhost | rx_nohandler rx_otherhost_dropped |
//! | tx | bytes packets errors dropped carrier_errors collisions compressed | tx_bytes tx_packets tx_errors tx_dropped tx_carrier_errors collisions tx_compressed |
//! | tx | aborted_errors fifo_errors window_errors heartbeat_errors carrier_changes | tx_aborted_errors tx_fifo_errors tx_window_errors tx_heartbeat_errors carrier_changes |
//!
//! Problems (never a silent skip): lines before the JSON (a prompt), JSON that does not parse
//! (an error with its line; the arrays before it are kept), a link without `ifname`, an
//! unknown stats key or a value that is not an unsigned integer (left out), text after the
//! JSON.
//!
//! ```
//! use parsers::ipjson;
//! let text = r#"[{"ifindex":2,"ifname":"eth0","flags":["UP"],"mtu":1500,"operstate":"UP",
//!   "stats64":{"rx":{"bytes":20000,"packets":100,"dropped":3},"tx":{"bytes":4000,"packets":50}}}]"#;
//! let links = ipjson::parse(text).value;
//! assert_eq!(links[0].name, "eth0");
//! assert_eq!(links[0].mtu, Some(1500));
//! assert_eq!(links[0].counters["rx_dropped"], 3);
//! assert_eq!(links[0].counters["tx_packets"], 50);
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::iplink::IpLink;
use crate::{Parsed, Problem};

fn rx_key(k: &str) -> Option<&'static str> {
    Some(match k {
        "bytes" => "rx_bytes",
        "packets" => "rx_packets",
        "errors" => "rx_errors",
        "dropped" => "rx_dropped",
        "over_errors" => "rx_over_errors",
        "multicast" => "multicast",
        "compressed" => "rx_compressed",
        "length_errors" => "rx_length_errors",
        "crc_errors" => "rx_crc_errors",
        "frame_errors" => "rx_frame_errors",
        "fifo_errors" => "rx_fifo_errors",
        "missed_errors" => "rx_missed_errors",
        "nohandler" => "rx_nohandler",
        "otherhost" => "rx_otherhost_dropped",
        _ => return None,
    })
}

fn tx_key(k: &str) -> Option<&'static str> {
    Some(match k {
        "bytes" => "tx_bytes",
        "packets" => "tx_packets",
        "errors" => "tx_errors",
        "dropped" => "tx_dropped",
        "carrier_errors" => "tx_carrier_errors",
        "collisions" => "collisions",
        "compressed" => "tx_compressed",
        "aborted_errors" => "tx_aborted_errors",
        "fifo_errors" => "tx_fifo_errors",
        "window_errors" => "tx_window_errors",
        "heartbeat_errors" => "tx_heartbeat_errors",
        "carrier_changes" => "carrier_changes",
        _ => return None,
    })
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn string(o: &Map<String, Value>, k: &str) -> Option<String> {
    o.get(k).and_then(Value::as_str).map(str::to_string)
}

/// An array of strings; empty when the key is missing or not an array (non-strings skipped).
fn strings(o: &Map<String, Value>, k: &str) -> Vec<String> {
    o.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn link(o: &Map<String, Value>, line: usize, problems: &mut Vec<Problem>) -> Option<IpLink> {
    let Some(name) = string(o, "ifname") else {
        problems.push(Problem::warning(
            line,
            "link object without `ifname`; skipped",
        ));
        return None;
    };
    let mut l = IpLink {
        index: o
            .get("ifindex")
            .and_then(Value::as_u64)
            .and_then(|i| u32::try_from(i).ok()),
        link_peer: string(o, "link"),
        flags: strings(o, "flags"),
        mtu: o.get("mtu").and_then(Value::as_u64),
        qdisc: string(o, "qdisc"),
        master: string(o, "master"),
        state: string(o, "operstate"),
        qlen: o.get("txqlen").and_then(Value::as_u64),
        link_type: string(o, "link_type"),
        address: string(o, "address"),
        alias: string(o, "ifalias"),
        altnames: strings(o, "altnames"),
        line,
        name,
        ..IpLink::default()
    };
    if let Some(info) = o.get("linkinfo").and_then(Value::as_object) {
        apply_link_info(&mut l, info);
    }
    let stats = ["stats64", "stats", "stats644"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_object));
    if let Some(stats) = stats {
        l.counters = counters(stats, &l.name, line, problems);
    }
    Some(l)
}

/// The `linkinfo` object: kind, tun type, slave kind and bond slave state.
fn apply_link_info(l: &mut IpLink, info: &Map<String, Value>) {
    l.kind = string(info, "info_kind");
    l.tun_type = info
        .get("info_data")
        .and_then(|d| d.get("type"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|_| l.kind.as_deref() == Some("tun"));
    l.slave_kind = string(info, "info_slave_kind");
    if l.slave_kind.as_deref() == Some("bond") {
        l.bond_slave_state = info
            .get("info_slave_data")
            .and_then(|d| d.get("state"))
            .and_then(Value::as_str)
            .map(str::to_string);
    }
}

/// The `rx` and `tx` counters of a `stats64`/`stats` object of link `name`; a statistic with no
/// known key or not an unsigned integer is reported and left out.
fn counters(
    stats: &Map<String, Value>,
    name: &str,
    line: usize,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, u64> {
    let mut counters = BTreeMap::new();
    for (dir, key_of) in [
        ("rx", rx_key as fn(&str) -> Option<&'static str>),
        ("tx", tx_key),
    ] {
        let Some(obj) = stats.get(dir).and_then(Value::as_object) else {
            continue;
        };
        for (k, v) in obj {
            let Some(key) = key_of(k) else {
                problems.push(Problem::warning(
                    line,
                    format!("link `{name}`: unknown `{dir}.{k}` statistic; left out"),
                ));
                continue;
            };
            match v.as_u64() {
                Some(v) => {
                    counters.insert(key.to_string(), v);
                }
                None => problems.push(Problem::warning(
                    line,
                    format!("link `{name}`: `{dir}.{k}` is {v}, not an unsigned integer; left out"),
                )),
            }
        }
    }
    counters
}

/// Byte offset where the JSON starts: lines before it (a prompt kept in a paste) are
/// reported and skipped, so that serde_json does not stop at the first of them.
fn skip_preamble(text: &str, problems: &mut Vec<Problem>) -> usize {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let t = l.trim();
        if t.starts_with('[') || t.starts_with('{') {
            break;
        }
        if !t.is_empty() {
            problems.push(Problem::warning(
                i + 1,
                "line before the JSON of `ip -j link`; not read",
            ));
        }
        start += l.len();
    }
    start
}

/// Parses `ip -j … link` output.
pub fn parse(text: &str) -> Parsed<Vec<IpLink>> {
    let mut links = Vec::new();
    let mut problems = Vec::new();
    let start = skip_preamble(text, &mut problems);
    let body = &text[start..];
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<Value>();
    loop {
        let at = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                let line = line_of(text, start + at + leading_blank(&body[at..]));
                let objects: Vec<&Map<String, Value>> = match &v {
                    Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
                    Value::Object(o) => vec![o],
                    _ => Vec::new(),
                };
                if objects.is_empty() && !matches!(&v, Value::Array(a) if a.is_empty()) {
                    problems.push(Problem::warning(
                        line,
                        "JSON value is not an array of link objects; not read",
                    ));
                }
                links.extend(
                    objects
                        .into_iter()
                        .filter_map(|o| link(o, line, &mut problems)),
                );
            }
            Some(Err(e)) => {
                // serde_json counts the end of a text that ends in a newline as one more line;
                // the problem is then on the last line the text has.
                let last_line = text.lines().count().max(1);
                let line = (line_of(text, start) + e.line().saturating_sub(1)).min(last_line);
                problems.push(Problem::error(
                    line,
                    format!("JSON of `ip -j link` cannot be read from here on: {e}"),
                ));
                break;
            }
        }
    }
    if links.is_empty() && !text.trim().is_empty() && problems.is_empty() {
        problems.push(Problem::error(0, "no link found in the `ip -j link` JSON"));
    }
    Parsed::new(links, problems)
}

fn leading_blank(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::{assert_counters, fixture, fixtures, never_panics, random_texts};

    const S_S: &str = fixture!("ipjson", "sandbox-iproute2-6.1-ip-j-s-s-link.json");
    const S: &str = fixture!("ipjson", "sandbox-iproute2-6.1-ip-j-s-link.json");
    const PRETTY_D: &str = fixture!("ipjson", "sandbox-iproute2-6.1-ip-j-p-s-s-d-link.json");
    const KNOWLEDGE: &str = fixture!("ipjson", "knowledge-s2.5-constructed.json");

    fn get<'a>(links: &'a [IpLink], name: &str) -> &'a IpLink {
        links.iter().find(|l| l.name == name).expect(name)
    }

    fn c(l: &IpLink, k: &str) -> u64 {
        *l.counters
            .get(k)
            .unwrap_or_else(|| panic!("{} lacks {k}", l.name))
    }

    #[test]
    fn sandbox_s_s_has_the_error_breakdown() {
        let p = parse(S_S);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let names: Vec<&str> = p.value.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["lo", "ifb0", "ifb1", "eth0"]);
        let e = get(&p.value, "eth0");
        assert_eq!(e.index, Some(4));
        assert_eq!(e.mtu, Some(1400));
        assert_eq!(e.qlen, Some(1000));
        assert_eq!(e.link_type.as_deref(), Some("ether"));
        assert_eq!(e.address.as_deref(), Some("02:fc:00:00:00:01"));
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_packets", 1198),
                ("tx_packets", 704),
                ("rx_missed_errors", 0),
                ("carrier_changes", 2),
            ],
        );
        assert_eq!(e.counters.len(), 22);
    }

    #[test]
    fn sandbox_single_s_and_pretty_with_details() {
        let p = parse(S);
        assert!(p.problems.is_empty());
        let lo = get(&p.value, "lo");
        assert_eq!(lo.counters.len(), 12);
        assert!(!lo.counters.contains_key("rx_missed_errors"));
        let p = parse(PRETTY_D);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let ifb = get(&p.value, "ifb0");
        assert_eq!(ifb.kind.as_deref(), Some("ifb"));
        assert_eq!(ifb.line, 1);
        assert_eq!(c(get(&p.value, "eth0"), "rx_bytes"), 30807757);
    }

    #[test]
    fn knowledge_sample_maps_over_and_missed() {
        let p = parse(KNOWLEDGE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let e = get(&p.value, "eth0");
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_dropped", 1298),
                ("rx_over_errors", 0),
                ("rx_missed_errors", 4321),
                ("carrier_changes", 6),
            ],
        );
    }

    #[test]
    fn constructed_bond_slave_two_runs_prompt_and_cut() {
        // Synthetic: a prompt, two runs of one link, the second cut by the paste.
        let text = "$ ip -j -d -s link show eth1\n\
            [{\"ifindex\":3,\"ifname\":\"eth1\",\"master\":\"bond0\",\"linkinfo\":{\"info_slave_kind\":\"bond\",\"info_slave_data\":{\"state\":\"BACKUP\"}},\"stats64\":{\"rx\":{\"dropped\":5,\"nohandler\":7},\"tx\":{\"dropped\":-1}}}]\n\
            [{\"ifindex\":3,\"ifname\":\"eth1\",\"stats64\":{\"rx\":{\"dropped\":9,\"weird\":1}}}]\n\
            [{\"ifindex\":3,\"ifn";
        let p = parse(text);
        assert_eq!(p.value.len(), 2);
        let a = &p.value[0];
        assert_eq!(a.bond_slave_state.as_deref(), Some("BACKUP"));
        assert_eq!(a.slave_kind.as_deref(), Some("bond"));
        assert_eq!(a.master.as_deref(), Some("bond0"));
        assert_eq!(c(a, "rx_nohandler"), 7);
        assert!(!a.counters.contains_key("tx_dropped"));
        assert_eq!(a.line, 2);
        assert_eq!(c(&p.value[1], "rx_dropped"), 9);
        assert_eq!(p.value[1].line, 3);
        let lines: Vec<(usize, crate::Severity)> =
            p.problems.iter().map(|p| (p.line, p.severity)).collect();
        assert_eq!(
            lines,
            [
                (1, crate::Severity::Warning),
                (2, crate::Severity::Warning),
                (3, crate::Severity::Warning),
                (4, crate::Severity::Error)
            ]
        );
    }

    #[test]
    fn never_panics_on_prefixes_and_bytes() {
        let alphabet = b"[]{}\",:0123456789-.e \nifnamestats64rxtx";
        random_texts(0x9e37_79b9_7f4a_7c15, 3000, 120, alphabet, |t| {
            let _ = parse(t);
        });
        assert!(parse("").value.is_empty());
        assert!(parse("").problems.is_empty());
        let deep = "[".repeat(10_000);
        assert!(!parse(&deep).problems.is_empty());
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("ipjson"), parse);
    }

    #[test]
    fn json_cut_after_a_newline_is_a_problem_on_the_last_line() {
        // serde_json puts the end of "[\n" on line 2; the text has one line.
        let p = parse("[\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 1);
        let p = parse("\n[\n  {\"ifname\": \"lo\"\n");
        assert_eq!(p.problems[0].line, 3);
    }
}
