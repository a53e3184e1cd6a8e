//! `tc -s qdisc show` and `tc -s [-d] qdisc show dev DEV` (protocol-layers knowledge §6).
//!
//! Every qdisc is a header line
//! `qdisc KIND HANDLE: [dev DEV] (root|parent MAJ:MIN) [refcnt N] OPTIONS…` followed by indented
//! lines:
//!
//! - ` Sent N bytes N pkt (dropped N, overlimits N requeues N)`, or the legacy
//!   ` Sent N bytes N pkts (dropped N, overlimits N)` (no requeues);
//! - ` backlog SIZE Np requeues N`, optionally preceded by ` rate RATE Npps` on the same line
//!   (iproute2 3.10 whenever the kernel sent a rate; iproute2 6.1 seen in this project's sandbox
//!   when an estimator exists) or on a line of its own;
//! - anything else (fq_codel's `maxpacket N drop_overlimit N new_flow_count N ecn_mark N[ ce_mark
//!   N][ memory_used N][ drop_overmemory N]`, fq's flow lines, cake's tin table, …) is kind detail:
//!   kept verbatim in [`Qdisc::detail`], and its `name N` pairs (and table rows `name N N N`,
//!   summed over the columns, e.g. cake's per-tin `drops`) go to [`Qdisc::xstats`].
//!
//! Trailing spaces (older iproute2) are ignored. Handles and parents are hex (`parent :a` is minor
//! 10; `:1` under `mq` is TX queue 0). `dev DEV` is printed only without a `dev` filter; for the
//! per-device form use [`parse_dev`], which fills in the device. Rates are read with tc's decimal
//! units (`bit`, `Kbit`, `Mbit`, `Gbit`, `Tbit`; `Kpps`, `Mpps`), sizes with its binary ones
//! (`b`, `Kb` = 1024 b, `Mb`, `Gb`); tc rounds them, so they are approximate.
//!
//! **Double counting (§6.2).** Counters propagate up the tree: an `mq`/`mqprio` root reports the
//! sum of its per-TX-queue children ([`Qdisc::sums_children`]), and a classful parent (`htb`,
//! `prio`, `tbf` with a child, …) counts again every drop its children report. Each qdisc knows
//! its parent and children on the same device ([`Qdisc::parent_index`], [`Qdisc::children`]);
//! count either roots or [`QdiscShow::leaves`], never both. Counters are u32 in the kernel
//! (`dropped`, `overlimits`, `requeues`; `pkt` unless 64-bit stats) and wrap.
//!
//! **fq_codel (§6.4).** `dropped` includes CoDel's by-design AQM drops; [`Qdisc::fq_codel_drops`]
//! separates them from the overflow drops (`drop_overlimit`, of which `drop_overmemory` is the
//! part caused by `memory_limit`: the kernel adds to both). For shapers, `overlimits` counts
//! throttling, not drops.
//!
//! Problems: a line before the first header, a header that does not follow the grammar (the
//! qdisc is skipped, and so are its lines), a `Sent`/`backlog` line that does not follow it, a
//! number that does not fit in `u64`, an unindented line that is not a header (a shell prompt).
//! An empty text gives one error on line 0.
//!
//! ```
//! use parsers::qdisc;
//! let text = "\
//! qdisc mq 0: dev eth0 root
//!  Sent 112993511508 bytes 76805125 pkt (dropped 28660, overlimits 0 requeues 243670)
//!  backlog 0b 0p requeues 243670
//! qdisc fq_codel 0: dev eth0 parent :4 limit 10240p flows 1024 quantum 1514 target 5ms interval 100ms memory_limit 32Mb ecn drop_batch 64
//!  Sent 27343755018 bytes 18597950 pkt (dropped 7051, overlimits 0 requeues 62037)
//!  backlog 0b 0p requeues 62037
//!   maxpacket 66308 drop_overlimit 0 new_flow_count 56220 ecn_mark 22
//!   new_flows_len 0 old_flows_len 0
//! ";
//! let show = qdisc::parse(text).value;
//! let (mq, child) = (&show.qdiscs[0], &show.qdiscs[1]);
//! assert_eq!((mq.kind.as_str(), mq.root, mq.sums_children), ("mq", true, true));
//! assert_eq!(mq.dropped, Some(28660));
//! assert_eq!((child.parent_index, child.tx_queue), (Some(0), Some(3)));
//! assert_eq!(child.sent_packets, Some(18597950));
//! let fq = child.fq_codel_drops().unwrap();
//! assert_eq!((fq.dropped, fq.drop_overlimit, fq.aqm_drops), (7051, 0, 7051));
//! assert_eq!(show.leaves().count(), 1);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One qdisc with its statistics, in the order printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Qdisc {
    /// 1-based line of the `qdisc …` header.
    pub line: usize,
    pub kind: String,
    /// The handle as printed (`0:`, `1:`, `ffff:`).
    pub handle: String,
    pub handle_major: u32,
    /// From `dev DEV`, or from [`parse_dev`]; `None` for `tc qdisc show dev X` read by [`parse`].
    pub dev: Option<String>,
    /// True for `root`.
    pub root: bool,
    /// `parent MAJ:MIN` as printed (`:4`, `1:10`, `ffff:fff1`); `None` for a root.
    pub parent: Option<String>,
    pub parent_major: Option<u32>,
    pub parent_minor: Option<u32>,
    /// `refcnt N` (printed only when ≠ 1).
    pub refcnt: Option<u64>,
    /// The rest of the header (kind options), verbatim.
    pub options: String,
    pub sent_bytes: Option<u64>,
    pub sent_packets: Option<u64>,
    pub dropped: Option<u64>,
    /// For shapers a throttle count, not drops.
    pub overlimits: Option<u64>,
    pub requeues: Option<u64>,
    /// Rate estimator, bits per second (approximate: tc rounds).
    pub rate_bps: Option<u64>,
    pub rate_pps: Option<u64>,
    /// Instantaneous queue depth, bytes (approximate above 1 Kb: tc rounds).
    pub backlog_bytes: Option<u64>,
    pub backlog_packets: Option<u64>,
    /// `name N` pairs of the kind-specific lines; table rows summed over their columns.
    pub xstats: BTreeMap<String, u64>,
    /// Kind-specific lines, trimmed, verbatim (blank lines left out).
    pub detail: Vec<String>,
    /// Index in [`QdiscShow::qdiscs`] of the parent qdisc on the same device.
    pub parent_index: Option<usize>,
    /// Indexes of the child qdiscs on the same device.
    pub children: Vec<usize>,
    /// True for `mq`/`mqprio`: its counters are the sum of its children's.
    pub sums_children: bool,
    /// Under `mq`/`mqprio`: the TX queue (parent minor − 1).
    pub tx_queue: Option<u32>,
}

/// fq_codel's drops split by cause (§6.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FqCodelDrops {
    /// `dropped` of the Sent line: every drop.
    pub dropped: u64,
    /// Packets dropped because the queue was over `limit` or `memory_limit` (real overflow).
    pub drop_overlimit: u64,
    /// The part of `drop_overlimit` caused by `memory_limit` (0 when not printed).
    pub drop_overmemory: u64,
    /// `dropped − drop_overlimit`: CoDel drops made on purpose to hold delay near `target`.
    pub aqm_drops: u64,
    /// Packets ECN-marked instead of dropped.
    pub ecn_mark: u64,
}

impl Qdisc {
    /// The drop breakdown of an fq_codel qdisc; `None` for other kinds or without xstats.
    pub fn fq_codel_drops(&self) -> Option<FqCodelDrops> {
        if self.kind != "fq_codel" {
            return None;
        }
        let drop_overlimit = *self.xstats.get("drop_overlimit")?;
        let dropped = self.dropped.unwrap_or(0);
        Some(FqCodelDrops {
            dropped,
            drop_overlimit,
            drop_overmemory: self.xstats.get("drop_overmemory").copied().unwrap_or(0),
            aqm_drops: dropped.saturating_sub(drop_overlimit),
            ecn_mark: self.xstats.get("ecn_mark").copied().unwrap_or(0),
        })
    }

    /// True for the ingress hooks (`ingress`, `clsact`): their drops are policing/filter drops.
    pub fn is_ingress_hook(&self) -> bool {
        self.kind == "ingress" || self.kind == "clsact"
    }
}

/// The whole output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QdiscShow {
    pub qdiscs: Vec<Qdisc>,
}

impl QdiscShow {
    /// Device names in the order first seen (qdiscs without a device are left out).
    pub fn devices(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for dev in self.qdiscs.iter().filter_map(|q| q.dev.as_deref()) {
            if !out.contains(&dev) {
                out.push(dev);
            }
        }
        out
    }

    /// The qdiscs of one device, in order.
    pub fn on_device<'a>(&'a self, dev: &'a str) -> impl Iterator<Item = &'a Qdisc> + 'a {
        self.qdiscs
            .iter()
            .filter(move |q| q.dev.as_deref() == Some(dev))
    }

    /// The qdiscs without a child qdisc: summing these counts every drop once.
    pub fn leaves(&self) -> impl Iterator<Item = &Qdisc> {
        self.qdiscs.iter().filter(|q| q.children.is_empty())
    }
}

/// Parses `tc -s qdisc show` (all devices, `dev DEV` on each header).
pub fn parse(text: &str) -> Parsed<QdiscShow> {
    let mut problems = Vec::new();
    let mut qdiscs: Vec<Qdisc> = Vec::new();
    // false after a header that could not be read: its lines are skipped with it.
    let mut in_qdisc = false;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            in_qdisc = trimmed.starts_with("qdisc")
                && read_header(no, trimmed, &mut problems)
                    .map(|q| qdiscs.push(q))
                    .is_some();
            if !trimmed.starts_with("qdisc") {
                problems.push(Problem::warning(
                    no,
                    format!("not tc qdisc output: {trimmed:?}"),
                ));
            }
            continue;
        }
        match (in_qdisc, qdiscs.last_mut()) {
            (true, Some(q)) => read_body_line(no, line, q, &mut problems),
            (_, None) => problems.push(Problem::warning(
                no,
                "statistics line before any `qdisc` header; skipped",
            )),
            (false, Some(_)) => {}
        }
    }
    if qdiscs.is_empty() && problems.is_empty() {
        problems.push(Problem::error(0, "no `qdisc` header found"));
    }
    link(&mut qdiscs);
    Parsed::new(QdiscShow { qdiscs }, problems)
}

/// Parses `tc -s qdisc show dev DEV`: headers without `dev` get `dev`.
pub fn parse_dev(text: &str, dev: &str) -> Parsed<QdiscShow> {
    let mut parsed = parse(text);
    for q in &mut parsed.value.qdiscs {
        if q.dev.is_none() {
            q.dev = Some(dev.to_string());
        }
    }
    parsed
}

/// `qdisc KIND HANDLE: [dev DEV] (root|parent X:Y) [refcnt N] options…`.
fn read_header(no: usize, line: &str, problems: &mut Vec<Problem>) -> Option<Qdisc> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let bad = |problems: &mut Vec<Problem>, why: &str| {
        problems.push(Problem::warning(
            no,
            format!("qdisc header {why}; qdisc skipped: {line:?}"),
        ));
    };
    let (Some(&"qdisc"), Some(kind), Some(handle)) = (tokens.first(), tokens.get(1), tokens.get(2))
    else {
        bad(problems, "without kind and handle");
        return None;
    };
    let Some(handle_major) = handle.strip_suffix(':').and_then(hex_or_zero) else {
        bad(problems, "with a handle that is not `HEX:`");
        return None;
    };
    let mut q = Qdisc {
        line: no,
        kind: (*kind).to_string(),
        handle: (*handle).to_string(),
        handle_major,
        ..Qdisc::default()
    };
    let mut i = 3;
    if tokens.get(i) == Some(&"dev") {
        q.dev = tokens.get(i + 1).map(|d| (*d).to_string());
        i += 2;
    }
    match tokens.get(i) {
        Some(&"root") => {
            q.root = true;
            i += 1;
        }
        Some(&"parent") => {
            let Some((major, minor)) = tokens.get(i + 1).and_then(|p| parent_id(p)) else {
                bad(problems, "with a parent that is not `HEX:HEX`");
                return None;
            };
            q.parent = tokens.get(i + 1).map(|p| (*p).to_string());
            (q.parent_major, q.parent_minor) = (Some(major), Some(minor));
            i += 2;
        }
        _ => {
            bad(problems, "without `root` or `parent`");
            return None;
        }
    }
    if tokens.get(i) == Some(&"refcnt") {
        q.refcnt = tokens.get(i + 1).and_then(|t| token_u64(t));
        i += 2;
    }
    q.options = tokens.get(i..).unwrap_or_default().join(" ");
    Some(q)
}

/// A hex number, empty meaning 0 (`:4` has major 0).
fn hex_or_zero(s: &str) -> Option<u32> {
    if s.is_empty() {
        return Some(0);
    }
    if s.len() > 8 {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// `MAJ:MIN`, both hex, either may be empty.
fn parent_id(s: &str) -> Option<(u32, u32)> {
    let (major, minor) = s.split_once(':')?;
    Some((hex_or_zero(major)?, hex_or_zero(minor)?))
}

/// A line under a header: `Sent …`, `[rate …] backlog …`, `rate …`, or kind detail.
fn read_body_line(no: usize, line: &str, q: &mut Qdisc, problems: &mut Vec<Problem>) {
    let trimmed = line.trim();
    // Kind tables (cake) have their own `backlog` rows, indented by two.
    let main = !line.starts_with("  ");
    if main && trimmed.starts_with("Sent ") {
        if read_sent(trimmed, q).is_none() {
            problems.push(Problem::warning(
                no,
                format!("expected ` Sent N bytes N pkt (dropped N, overlimits N requeues N)`, found {trimmed:?}"),
            ));
        }
        return;
    }
    if main && (trimmed.starts_with("backlog ") || trimmed.starts_with("rate ")) {
        if read_rate_backlog(trimmed, q).is_none() {
            problems.push(Problem::warning(
                no,
                format!("expected ` [rate R Npps] backlog SIZE Np requeues N`, found {trimmed:?}"),
            ));
        }
        return;
    }
    read_detail(trimmed, q);
}

/// `Sent N bytes N pkt[s] (dropped N, overlimits N[ requeues N])`.
fn read_sent(line: &str, q: &mut Qdisc) -> Option<()> {
    let cleaned: String = line
        .chars()
        .map(|c| if matches!(c, '(' | ')' | ',') { ' ' } else { c })
        .collect();
    let t: Vec<&str> = cleaned.split_whitespace().collect();
    if t.len() < 5 || t[2] != "bytes" || !matches!(t[4], "pkt" | "pkts") {
        return None;
    }
    let (bytes, packets) = (token_u64(t[1])?, token_u64(t[3])?);
    let mut values = BTreeMap::new();
    for pair in t[5..].chunks(2) {
        let [name, value] = pair else { return None };
        values.insert(*name, token_u64(value)?);
    }
    q.sent_bytes = Some(bytes);
    q.sent_packets = Some(packets);
    q.dropped = values.get("dropped").copied();
    q.overlimits = values.get("overlimits").copied();
    q.requeues = values.get("requeues").copied();
    Some(())
}

/// `[rate R Npps] [backlog SIZE Np requeues N]`, in one line or two.
fn read_rate_backlog(line: &str, q: &mut Qdisc) -> Option<()> {
    let t: Vec<&str> = line.split_whitespace().collect();
    let mut i = 0;
    if t.first() == Some(&"rate") {
        q.rate_bps = Some(with_unit(t.get(1)?, RATE_UNITS)?);
        q.rate_pps = Some(with_unit(t.get(2)?.strip_suffix("pps")?, PPS_UNITS)?);
        i = 3;
    }
    if i == t.len() {
        return Some(());
    }
    if t.get(i) != Some(&"backlog") {
        return None;
    }
    let bytes = with_unit(t.get(i + 1)?, SIZE_UNITS)?;
    let packets = token_u64(t.get(i + 2)?.strip_suffix('p')?)?;
    if t.get(i + 3) != Some(&"requeues") || t.len() != i + 5 {
        return None;
    }
    token_u64(t[i + 4])?;
    q.backlog_bytes = Some(bytes);
    q.backlog_packets = Some(packets);
    Some(())
}

const RATE_UNITS: &[(&str, u64)] = &[
    ("Tbit", 1_000_000_000_000),
    ("Gbit", 1_000_000_000),
    ("Mbit", 1_000_000),
    ("Kbit", 1_000),
    ("bit", 1),
];
const PPS_UNITS: &[(&str, u64)] = &[("M", 1_000_000), ("K", 1_000), ("", 1)];
const SIZE_UNITS: &[(&str, u64)] = &[("Gb", 1 << 30), ("Mb", 1 << 20), ("Kb", 1 << 10), ("b", 1)];

/// `12Kb`, `114317Kbit`, `1.5Mb`: the number times the first unit that ends the token.
fn with_unit(token: &str, units: &[(&str, u64)]) -> Option<u64> {
    let (number, factor) = units
        .iter()
        .find_map(|(suffix, f)| Some((token.strip_suffix(suffix)?, *f)))?;
    if let Some(n) = token_u64(number) {
        return n.checked_mul(factor);
    }
    let valid = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    let value: f64 = if valid {
        number.parse().ok()?
    } else {
        return None;
    };
    let scaled = (value * factor as f64).round();
    // u64::MAX as f64 rounds up to 2^64, so the bound is exclusive.
    (scaled < u64::MAX as f64).then_some(scaled as u64)
}

/// Kind detail: kept verbatim; `name N` pairs and `name N N N` rows go to xstats.
fn read_detail(line: &str, q: &mut Qdisc) {
    q.detail.push(line.to_string());
    let t: Vec<&str> = line.split_whitespace().collect();
    let numbers: Option<Vec<u64>> = t.iter().skip(1).map(|v| token_u64(v)).collect();
    if let (Some(name), Some(numbers)) = (t.first(), numbers) {
        if t.len() > 2 && is_name(name) {
            let sum = numbers.iter().fold(0u64, |a, b| a.saturating_add(*b));
            q.xstats.entry((*name).to_string()).or_insert(sum);
            return;
        }
    }
    let mut i = 0;
    while i + 1 < t.len() {
        match (is_name(t[i]), token_u64(t[i + 1])) {
            (true, Some(v)) => {
                q.xstats.entry(t[i].to_string()).or_insert(v);
                i += 2;
            }
            _ => i += 1,
        }
    }
}

fn is_name(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphabetic())
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Sets parent/children links within each device, the `mq` sums and TX queues.
fn link(qdiscs: &mut [Qdisc]) {
    for i in 0..qdiscs.len() {
        let Some(major) = qdiscs[i].parent_major else {
            continue;
        };
        let all: &[Qdisc] = qdiscs;
        let candidates: Vec<usize> = (0..all.len())
            .filter(|&j| j != i && all[j].dev == all[i].dev && all[j].handle_major == major)
            .collect();
        // Children of `mq 0:` have handle `0:` too: the root is the parent.
        let parent = candidates
            .iter()
            .copied()
            .find(|&j| all[j].root)
            .or_else(|| candidates.first().copied());
        qdiscs[i].parent_index = parent;
    }
    for i in 0..qdiscs.len() {
        if let Some(p) = qdiscs[i].parent_index {
            qdiscs[p].children.push(i);
        }
    }
    for i in 0..qdiscs.len() {
        qdiscs[i].sums_children = matches!(qdiscs[i].kind.as_str(), "mq" | "mqprio");
        let under_mq = qdiscs[i]
            .parent_index
            .is_some_and(|p| matches!(qdiscs[p].kind.as_str(), "mq" | "mqprio"));
        if under_mq {
            qdiscs[i].tx_queue = qdiscs[i].parent_minor.and_then(|m| m.checked_sub(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const HOTSOS: &str = fixture!("qdisc", "hotsos-openstack-5.4.tc_-s_qdisc_show");
    const QOSMATE: &str = fixture!("qdisc", "knowledge-qosmate-65-mq-fq_codel.tc_-s_qdisc_show");
    const HOST: &str = fixture!("qdisc", "sandbox-6.18.44-host.tc_-s_qdisc_show");
    const SHAPERS: &str = fixture!(
        "qdisc",
        "sandbox-6.18.44-htb-tbf-clsact-ingress.tc_-s_qdisc_show"
    );
    const MQ: &str = fixture!("qdisc", "sandbox-6.18.44-mq-children-rate.tc_-s_qdisc_show");
    const MQ_DEV: &str = fixture!("qdisc", "sandbox-6.18.44-mq-dev-v0.tc_-s_qdisc_show_dev");
    const HTB_DEV: &str = fixture!("qdisc", "sandbox-6.18.44-htb-dev-v1.tc_-s_qdisc_show_dev");
    const OVERMEM: &str = fixture!(
        "qdisc",
        "constructed-htb-fq_codel-overmemory-fq.tc_-s_qdisc_show"
    );
    const OLD: &str = fixture!("qdisc", "constructed-old-iproute2-shapes.tc_-s_qdisc_show");
    const CAKE: &str = fixture!("qdisc", "constructed-cake-three-tins.tc_-s_qdisc_show");
    const MALFORMED: &str = fixture!("qdisc", "constructed-malformed.tc_-s_qdisc_show");

    fn clean(text: &str) -> QdiscShow {
        crate::test_support::clean(parse(text))
    }

    #[test]
    fn hotsos_fq_codel_and_noqueue_with_trailing_spaces() {
        let s = clean(HOTSOS);
        assert_eq!(s.qdiscs.len(), 19);
        assert_eq!(s.devices().len(), 19);
        let lo = &s.qdiscs[0];
        assert_eq!(
            (lo.kind.as_str(), lo.handle.as_str(), lo.root),
            ("noqueue", "0:", true)
        );
        assert_eq!((lo.dev.as_deref(), lo.refcnt), (Some("lo"), Some(2)));
        let ens3 = s.on_device("ens3").next().unwrap();
        assert_eq!(ens3.kind, "fq_codel");
        assert_eq!(ens3.options, "limit 10240p flows 1024 quantum 1514 target 5.0ms interval 100.0ms memory_limit 32Mb ecn");
        assert_eq!(
            (ens3.sent_bytes, ens3.sent_packets),
            (Some(12_813_259_743), Some(31_001_186))
        );
        assert_eq!(
            (ens3.dropped, ens3.overlimits, ens3.requeues),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(
            (ens3.backlog_bytes, ens3.backlog_packets),
            (Some(0), Some(0))
        );
        assert_eq!(ens3.xstats["maxpacket"], 68130);
        assert_eq!(ens3.xstats["new_flow_count"], 122_947);
        assert_eq!(ens3.xstats["old_flows_len"], 0);
        assert_eq!(ens3.detail.len(), 2);
        let fq = ens3.fq_codel_drops().unwrap();
        assert_eq!(fq, FqCodelDrops::default());
        let tap = s.on_device("tap0e778df8-ca").next().unwrap();
        assert_eq!((tap.sent_bytes, tap.sent_packets), (Some(10115), Some(108)));
        assert!(s
            .qdiscs
            .iter()
            .all(|q| q.children.is_empty() && q.parent_index.is_none()));
        assert!(lo.fq_codel_drops().is_none());
    }

    #[test]
    fn qosmate_mq_root_sums_its_fq_codel_child() {
        let s = clean(QOSMATE);
        let (mq, child) = (&s.qdiscs[0], &s.qdiscs[1]);
        assert!(mq.sums_children);
        assert_eq!(mq.children, vec![1]);
        assert_eq!((mq.dropped, mq.requeues), (Some(28660), Some(243_670)));
        assert_eq!(child.parent.as_deref(), Some(":4"));
        assert_eq!((child.parent_major, child.parent_minor), (Some(0), Some(4)));
        assert_eq!(child.tx_queue, Some(3));
        let fq = child.fq_codel_drops().unwrap();
        assert_eq!(
            (fq.dropped, fq.drop_overlimit, fq.drop_overmemory),
            (7051, 0, 0)
        );
        assert_eq!((fq.aqm_drops, fq.ecn_mark), (7051, 22));
    }

    #[test]
    fn sandbox_host_pfifo_fast() {
        let s = clean(HOST);
        assert_eq!(s.devices(), vec!["lo", "eth0"]);
        let eth0 = &s.qdiscs[1];
        assert_eq!(eth0.kind, "pfifo_fast");
        assert_eq!(
            eth0.options,
            "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1"
        );
        assert!(eth0.sent_packets.is_some());
        assert_eq!(eth0.dropped, Some(0));
    }

    #[test]
    fn sandbox_htb_tbf_drops_counted_at_both_levels_and_ingress_hooks() {
        let s = clean(SHAPERS);
        assert_eq!(s.qdiscs.len(), 8);
        let htb = &s.qdiscs[1];
        let tbf = &s.qdiscs[2];
        assert_eq!(
            (htb.kind.as_str(), htb.handle_major, htb.refcnt),
            ("htb", 1, Some(5))
        );
        assert_eq!((htb.dropped, htb.overlimits), (Some(163_544), Some(2)));
        assert_eq!(
            (tbf.handle.as_str(), tbf.parent.as_deref()),
            ("10:", Some("1:10"))
        );
        assert_eq!(
            (tbf.dropped, tbf.overlimits),
            (Some(163_544), Some(163_409))
        );
        assert_eq!(
            (tbf.sent_bytes, tbf.sent_packets),
            (Some(311_602), Some(263))
        );
        assert_eq!(tbf.options, "rate 1Mbit burst 4Kb lat 400ms");
        assert_eq!((tbf.parent_index, htb.children.clone()), (Some(1), vec![2]));
        assert!(!htb.sums_children);
        assert_eq!(tbf.tx_queue, None);
        let clsact = &s.qdiscs[3];
        assert!(clsact.is_ingress_hook());
        assert_eq!(
            (clsact.handle_major, clsact.parent_minor),
            (0xffff, Some(0xfff1))
        );
        assert_eq!(clsact.parent_index, None);
        let ingress = &s.qdiscs[6];
        assert_eq!(
            (ingress.kind.as_str(), ingress.options.as_str()),
            ("ingress", "----------------")
        );
        let pfifo = &s.qdiscs[5];
        assert_eq!(
            (pfifo.handle.as_str(), pfifo.options.as_str()),
            ("8001:", "limit 10p")
        );
        // every qdisc but htb is a leaf: tbf's drops are counted once
        assert_eq!(s.leaves().count(), 7);
        let leaf_drops: u64 = s.leaves().filter_map(|q| q.dropped).sum();
        assert_eq!(leaf_drops, 163_544);
    }

    #[test]
    fn sandbox_mq_children_with_rate_on_the_backlog_line() {
        let s = clean(MQ);
        let mq = &s.qdiscs[1];
        assert_eq!((mq.kind.as_str(), mq.handle.as_str()), ("mq", "1:"));
        assert!(mq.sums_children);
        assert_eq!(mq.children, vec![2, 3, 4, 5]);
        let queues: Vec<Option<u32>> = s.qdiscs[2..].iter().map(|q| q.tx_queue).collect();
        assert_eq!(queues, vec![Some(3), Some(2), Some(0), Some(1)]);
        let bfifo = &s.qdiscs[4];
        assert_eq!((bfifo.rate_bps, bfifo.rate_pps), (Some(27_216), Some(2)));
        assert_eq!(
            (bfifo.backlog_bytes, bfifo.backlog_packets),
            (Some(0), Some(0))
        );
        assert_eq!(bfifo.dropped, Some(1));
        // the root is the sum of its children
        let child_bytes: u64 = mq
            .children
            .iter()
            .filter_map(|&i| s.qdiscs[i].sent_bytes)
            .sum();
        assert_eq!(mq.sent_bytes, Some(child_bytes));
        assert_eq!(child_bytes, 107_276_508);
        assert!(s.qdiscs[0].rate_bps.is_none());
    }

    #[test]
    fn per_device_form_has_no_dev_and_parse_dev_fills_it() {
        let p = parse(MQ_DEV);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(p.value.qdiscs.iter().all(|q| q.dev.is_none()));
        assert!(p.value.devices().is_empty());
        // linking works without a device name too
        assert_eq!(p.value.qdiscs[0].children.len(), 4);
        let s = parse_dev(MQ_DEV, "v0").value;
        assert_eq!(s.devices(), vec!["v0"]);
        assert_eq!(s.on_device("v0").count(), 5);
        let bfifo = &s.qdiscs[3];
        // 114317Kbit, 11505pps
        assert_eq!(
            (bfifo.rate_bps, bfifo.rate_pps),
            (Some(114_317_000), Some(11505))
        );
        assert_eq!((bfifo.sent_packets, bfifo.dropped), (Some(31083), Some(1)));
        let s = parse_dev(HTB_DEV, "v1").value;
        assert_eq!(s.qdiscs.len(), 3);
        assert_eq!(s.qdiscs[1].parent_index, Some(0));
        assert_eq!(s.qdiscs[1].dev.as_deref(), Some("v1"));
    }

    #[test]
    fn fq_codel_overmemory_is_part_of_overlimit_and_fq_detail() {
        let s = clean(OVERMEM);
        let htb = &s.qdiscs[0];
        assert_eq!(htb.children, vec![1, 2]);
        // 12Kb = 12 × 1024
        assert_eq!(
            (htb.backlog_bytes, htb.backlog_packets),
            (Some(12_288), Some(8))
        );
        let fq = s.qdiscs[1].fq_codel_drops().unwrap();
        assert_eq!(
            (fq.dropped, fq.drop_overlimit, fq.drop_overmemory),
            (250, 200, 120)
        );
        assert_eq!((fq.aqm_drops, fq.ecn_mark), (50, 7));
        assert_eq!(s.qdiscs[1].xstats["memory_used"], 131_072);
        assert_eq!(s.qdiscs[1].xstats["ce_mark"], 3);
        let fq2 = s.qdiscs[2].fq_codel_drops().unwrap();
        assert_eq!((fq2.aqm_drops, fq2.drop_overmemory), (50, 0));
        let sch_fq = &s.qdiscs[3];
        assert_eq!(
            (sch_fq.kind.as_str(), sch_fq.dev.as_deref()),
            ("fq", Some("eth1"))
        );
        assert!(sch_fq.fq_codel_drops().is_none());
        // rate 5Mbit 420pps backlog 3Mb 2100p
        assert_eq!(
            (sch_fq.rate_bps, sch_fq.rate_pps),
            (Some(5_000_000), Some(420))
        );
        assert_eq!(
            (sch_fq.backlog_bytes, sch_fq.backlog_packets),
            (Some(3 << 20), Some(2100))
        );
        assert_eq!(sch_fq.xstats["flows"], 120);
        assert_eq!(sch_fq.xstats["gc"], 0);
        assert_eq!(sch_fq.xstats["throttled"], 17);
        assert_eq!(sch_fq.xstats["flows_plimit"], 12);
        assert!(!sch_fq.xstats.contains_key("latency"));
    }

    #[test]
    fn old_iproute2_one_line_rate_and_legacy_pkts_without_requeues() {
        let s = clean(OLD);
        let pf = &s.qdiscs[0];
        assert_eq!((pf.dropped, pf.requeues), (Some(17), Some(5)));
        assert_eq!(
            (pf.rate_bps, pf.rate_pps, pf.backlog_bytes),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(
            pf.options,
            "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1"
        );
        let tbf = &s.qdiscs[1];
        assert_eq!((tbf.sent_bytes, tbf.sent_packets), (Some(70000), Some(60)));
        assert_eq!(
            (tbf.dropped, tbf.overlimits, tbf.requeues),
            (Some(4), Some(30), None)
        );
        assert_eq!(tbf.backlog_bytes, None);
        let ingress = &s.qdiscs[2];
        // rate 1Gbit 2Mpps backlog 1514b 1p
        assert_eq!(
            (ingress.rate_bps, ingress.rate_pps),
            (Some(1_000_000_000), Some(2_000_000))
        );
        assert_eq!(
            (ingress.backlog_bytes, ingress.backlog_packets),
            (Some(1514), Some(1))
        );
    }

    #[test]
    fn cake_tin_table_rows_summed_and_its_backlog_row_not_taken_for_the_queue() {
        let s = clean(CAKE);
        let cake = &s.qdiscs[0];
        assert_eq!((cake.dropped, cake.overlimits), (Some(130), Some(5000)));
        assert_eq!(
            (cake.backlog_bytes, cake.backlog_packets),
            (Some(3028), Some(2))
        );
        assert_eq!(cake.xstats["drops"], 130);
        assert_eq!(cake.xstats["marks"], 5);
        assert_eq!(cake.xstats["ack_drop"], 0);
        assert_eq!(cake.xstats["pkts"], 40130);
        assert!(!cake.xstats.contains_key("thresh"));
        assert!(cake
            .detail
            .contains(&"memory used: 120000b of 4Mb".to_string()));
        assert_eq!(cake.detail.len(), 15);
    }

    #[test]
    fn malformed_lines_become_problems() {
        let p = parse(MALFORMED);
        let kept: Vec<usize> = p.value.qdiscs.iter().map(|q| q.line).collect();
        assert_eq!(kept, vec![4, 7]);
        // line 5: the bytes do not fit u64, so the Sent line is not read
        assert_eq!(p.value.qdiscs[0].sent_bytes, None);
        assert_eq!(p.value.qdiscs[1].dropped, Some(1));
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 1 before any header; 2, 3 bad headers; 5 Sent; 6 backlog; 10 no root/parent; 11 prompt
        assert_eq!(lines, vec![1, 2, 3, 5, 6, 10, 11]);
    }

    #[test]
    fn units() {
        assert_eq!(with_unit("12Kb", SIZE_UNITS), Some(12_288));
        assert_eq!(with_unit("1.5Mb", SIZE_UNITS), Some(1_572_864));
        assert_eq!(with_unit("1024Kbit", RATE_UNITS), Some(1_024_000));
        assert_eq!(with_unit("5Mb", SIZE_UNITS), Some(5 << 20));
        assert_eq!(with_unit("Kb", SIZE_UNITS), None);
        assert_eq!(with_unit("1e3b", SIZE_UNITS), None);
        assert_eq!(with_unit("99999999999999999999Gbit", RATE_UNITS), None);
    }

    #[test]
    fn empty_text_is_an_error() {
        let p = parse("");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 0);
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("qdisc"), parse);
    }
}
