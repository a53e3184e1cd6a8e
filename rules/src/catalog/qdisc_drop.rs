//! `qdisc-drop`: packets dropped by a device's transmit queue discipline (knowledge
//! protocol-layers §6). Counted once per device: a classful parent (htb, prio, tbf with a
//! child) counts its children's drops again, and an `mq`/`mqprio` root is the sum of its
//! children (`sums_children`), so the leaves are counted, plus what a parent dropped beyond
//! its children (htb's direct queue). fq_codel's `drop_overlimit` (which already includes
//! `drop_overmemory`) is the overflow; the rest of its `dropped` is CoDel dropping on purpose
//! to hold the delay near `target` (by design: kept apart, info at most). `overlimits` is
//! throttling, not drops. `noqueue`, `ingress` and `clsact` queue nothing on transmit.

use super::common::*;
use crate::model::Qdisc;

pub static RULE: Rule = Rule {
    id: "qdisc-drop",
    title: "The transmit queue discipline dropped packets",
    default_severity: Severity::Warning,
    references: &[
        "tc-s(8) / tc(8): Sent … (dropped N, overlimits N requeues N)",
        "man tc-pfifo_fast: each band holds txqueuelen packets",
        "man tc-fq_codel: limit, memory_limit (drop_overlimit, drop_overmemory)",
    ],
    check,
};

/// Evidence drawn as steps (live) or bars: no interface series holds qdisc counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. The transmit qdisc's drops.
pub const STAGE: Stage = Stage::tx(StageId::Qdisc);

/// Shapers: their drops are the configured rate at work.
const SHAPERS: [&str; 4] = ["tbf", "htb", "hfsc", "cake"];

fn check(host: &Host) -> Vec<Finding> {
    let mut devices: Vec<(Option<&str>, &str)> = Vec::new();
    for q in host.qdiscs.iter().filter(|q| !ignored(q)) {
        let key = (q.namespace.as_deref(), q.dev.as_str());
        if !devices.contains(&key) {
            devices.push(key);
        }
    }
    devices
        .into_iter()
        .filter_map(|(ns, dev)| judge_device(host, ns, dev))
        .collect()
}

/// Ingress hooks and `noqueue` queue nothing on transmit.
fn ignored(q: &Qdisc) -> bool {
    matches!(q.kind.as_str(), "noqueue" | "ingress" | "clsact")
        || q.handle.starts_with("ffff:")
        || q.parent.as_deref().is_some_and(|p| p.starts_with("ffff:"))
}

/// What one counted qdisc dropped: overflow (the finding) and AQM drops (by design).
struct Part<'a> {
    q: &'a Qdisc,
    overflow: Growth,
    aqm: Option<Growth>,
}

fn judge_device(host: &Host, ns: Option<&str>, dev: &str) -> Option<Finding> {
    let qdiscs: Vec<&Qdisc> = host
        .qdiscs
        .iter()
        .filter(|q| q.dev == dev && q.namespace.as_deref() == ns && !ignored(q))
        .collect();
    let parts = counted_parts(&qdiscs);
    let iface = host
        .interfaces
        .iter()
        .find(|i| i.name == dev && i.namespace.as_deref() == ns);
    let mut overflow = sum_growths(parts.iter().map(|p| p.overflow.clone()).collect())?;
    let aqm = sum_growths(parts.iter().filter_map(|p| p.aqm.clone()).collect());
    let fifo = parts.iter().any(|p| p.q.kind == "pfifo_fast" && p.overflow.total > 0.0);
    if fifo {
        overflow.room = iface
            .and_then(|i| i.qlen)
            .filter(|q| *q <= DEFAULT_TXQUEUELEN)
            .map(|q| format!("txqueuelen {q}"));
    }
    let aqm_total = aqm.as_ref().map_or(0.0, |g| g.total);
    let severity = match drop_severity(&overflow) {
        Some(s) => s,
        None if aqm_total > 0.0 => Severity::Info,
        None => return None,
    };
    let mut f = RULE.finding(severity, dev, summary(dev, ns, &parts, &overflow, aqm.as_ref()));
    if overflow.total > 0.0 || overflow.history.is_some() {
        stand_on(&mut f, &overflow);
    } else if let Some(a) = &aqm {
        // Only AQM drops: the finding shows them, as info.
        stand_on(&mut f, a);
    }
    if let Some(a) = aqm.filter(|_| overflow.total > 0.0) {
        f.evidence.extend(a.evidence);
    }
    f.evidence.extend(iface.and_then(txqueuelen_evidence));
    f.remediation = remediation(dev, ns, iface, &parts, overflow.live());
    Some(f)
}

/// The major number of a handle or parent (`1:10` → `1`, `:4` → `0`).
fn major(id: &str) -> &str {
    match id.split(':').next() {
        Some("") | None => "0",
        Some(m) => m,
    }
}

/// The qdiscs of `qdiscs` attached under `q`. A handle `0:` is a parent only at the root (an
/// `mq` root): its children carry `0:` handles too.
fn children<'a>(q: &Qdisc, qdiscs: &[&'a Qdisc]) -> Vec<&'a Qdisc> {
    if q.parent.is_some() && major(&q.handle) == "0" {
        return Vec::new();
    }
    qdiscs
        .iter()
        .filter(|c| c.parent.as_deref().is_some_and(|p| major(p) == major(&q.handle)))
        .filter(|c| !std::ptr::eq(**c, q))
        .copied()
        .collect()
}

/// The leaves, each with its overflow and AQM drops, and each parent's own drops beyond its
/// children's (for an `mq` root, which only sums its children: the queues not in the data).
fn counted_parts<'a>(qdiscs: &[&'a Qdisc]) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    for q in qdiscs {
        let kids = children(q, qdiscs);
        if kids.is_empty() {
            parts.extend(leaf_part(q));
            continue;
        }
        let traffic = ["sent_packets"];
        let own = growth(&q.counters.deltas, &["dropped"], &traffic);
        let below = sum_growths(
            kids.iter()
                .filter_map(|c| growth(&c.counters.deltas, &["dropped"], &traffic))
                .collect(),
        );
        let (Some(mut own), Some(below)) = (own, below) else {
            continue;
        };
        if own.basis != below.basis || own.total <= below.total {
            continue;
        }
        own.total -= below.total;
        collapse(&mut own);
        if q.sums_children {
            // An mq root beyond the children read: queues missing from the data, whose kind
            // (and so whether these are AQM drops) is unknown; counted, never assumed benign.
            own.traffic = (own.traffic - below.traffic).max(0.0);
            label(&mut own, q, "beyond the TX queues in the data");
        } else {
            // A classful parent's packets went through its children: no traffic of its own.
            own.traffic = 0.0;
            label(&mut own, q, "beyond its children's");
        }
        parts.push(Part {
            q,
            overflow: own,
            aqm: None,
        });
    }
    parts
}

/// A leaf's drops: fq_codel's overflow is `drop_overlimit` (when its statistics were read) and
/// the rest of `dropped` is AQM; any other kind's `dropped` is overflow.
fn leaf_part(q: &Qdisc) -> Option<Part<'_>> {
    let has = |k: &str| q.counters.samples.iter().any(|s| s.counters.contains_key(k));
    let traffic = ["sent_packets"];
    if q.kind == "fq_codel" && has("drop_overlimit") {
        let mut overflow = growth(&q.counters.deltas, &["drop_overlimit"], &traffic)?;
        let mut aqm = growth(&q.counters.deltas, &["dropped"], &[])?;
        aqm.total = (aqm.total - overflow.total).max(0.0);
        label(&mut overflow, q, "");
        label(&mut aqm, q, "(CoDel AQM: dropped − drop_overlimit)");
        collapse(&mut aqm);
        return Some(Part { q, overflow, aqm: Some(aqm) });
    }
    let mut overflow = growth(&q.counters.deltas, &["dropped"], &traffic)?;
    label(&mut overflow, q, "");
    Some(Part { q, overflow, aqm: None })
}

/// One evidence item for a difference of two counters (the window of the whole growth, the
/// difference as its value), none when the difference is zero.
fn collapse(g: &mut Growth) {
    let first = g.evidence.first().and_then(|e| e.start);
    let last = g.evidence.pop();
    g.evidence.clear();
    if let Some(mut e) = last.filter(|_| g.total > 0.0) {
        e.start = first;
        e.delta = e.delta.map(|_| g.total);
        e.value = e.value.map(|_| g.total);
        g.evidence.push(e);
    }
}

/// Where a qdisc sits, for the reader: `root`, `TX queue 3 (parent :4)`, `parent 1:10`.
fn place(q: &Qdisc) -> String {
    match q.parent.as_deref() {
        None => "root".to_string(),
        Some(p) if major(p) == "0" => match u32::from_str_radix(p.trim_start_matches(':'), 16) {
            Ok(n) if n > 0 => format!("TX queue {} (parent {p})", n - 1),
            _ => format!("parent {p}"),
        },
        Some(p) => format!("parent {p}"),
    }
}

/// Names the evidence after the qdisc it was read from.
fn label(g: &mut Growth, q: &Qdisc, note: &str) {
    for e in &mut g.evidence {
        e.metric = format!("{} {} {}{}", q.kind, place(q), e.metric, if note.is_empty() { String::new() } else { format!(" {note}") });
    }
}

fn summary(dev: &str, ns: Option<&str>, parts: &[Part], overflow: &Growth, aqm: Option<&Growth>) -> String {
    let ns_note = ns.map(|n| format!(" (network namespace {n})")).unwrap_or_default();
    let unknown_split = parts
        .iter()
        .filter(|p| p.overflow.total > 0.0)
        .all(|p| p.q.sums_children);
    let mut s = if overflow.total > 0.0 && unknown_split {
        format!(
            "The transmit qdisc of {dev}{ns_note} dropped packets in TX queues whose own qdiscs are not in the data (the {} root sums them): {}. Whether a queue was full or an AQM (fq_codel's CoDel) dropped them on purpose cannot be told without the per-queue statistics.",
            parts.iter().find(|p| p.q.sums_children).map_or("mq", |p| p.q.kind.as_str()),
            describe(overflow, "packets")
        )
    } else if overflow.total > 0.0 || overflow.history.is_some() {
        format!(
            "The transmit qdisc of {dev}{ns_note} dropped packets because its queue was full: {}. Packets arrived faster than the device drained them (link saturated or slowed by pause frames, a TX ring that fills, or bursts longer than the queue).",
            describe(overflow, "packets")
        )
    } else {
        format!("The transmit qdisc of {dev}{ns_note} dropped no packets for want of room.")
    };
    let queues: Vec<String> = parts
        .iter()
        .filter(|p| p.overflow.total > 0.0)
        .map(|p| format!("{} {} {}", p.q.kind, place(p.q), fmt_count(p.overflow.total)))
        .collect();
    if queues.len() > 1 || parts.iter().any(|p| p.q.parent.is_some() && p.overflow.total > 0.0) {
        s.push_str(&format!(" Per qdisc (counted once, not with the parent that sums them): {}.", queues.join(", ")));
    }
    if let Some(a) = aqm.filter(|a| a.total > 0.0) {
        s.push_str(&format!(
            " Apart from these, fq_codel's CoDel dropped {} on purpose to keep the queueing delay near its target (`dropped` − `drop_overlimit`): by design, TCP slows down in response; not a full queue.",
            describe(a, "packets")
        ));
    }
    let shapers: Vec<&str> = parts
        .iter()
        .filter(|p| p.overflow.total > 0.0 && SHAPERS.contains(&p.q.kind.as_str()))
        .map(|p| p.q.kind.as_str())
        .collect();
    if !shapers.is_empty() {
        s.push_str(&format!(
            " {} shapes traffic to a configured rate: drops are that rate limit at work, expected only if the rate is meant to be this low (check it with tc -d qdisc / tc class show); its `overlimits` count throttling, not drops.",
            shapers.join(", ")
        ));
    }
    s
}

fn remediation(dev: &str, ns: Option<&str>, iface: Option<&Interface>, parts: &[Part], live: bool) -> Vec<String> {
    let pre = ns.map(|n| format!("ip netns exec {n} ")).unwrap_or_default();
    let mut r = vec![format!(
        "{pre}tc -s qdisc show dev {dev}   # which qdisc drops: `dropped` (fq_codel: `drop_overlimit`), per TX queue under mq"
    )];
    let dropping = |kinds: &[&str]| parts.iter().find(|p| p.overflow.total > 0.0 && kinds.contains(&p.q.kind.as_str()));
    if dropping(&["pfifo_fast", "pfifo"]).is_some() {
        match iface.and_then(|i| i.qlen) {
            Some(q) => r.push(format!(
                "{pre}ip link set dev {dev} txqueuelen {}   # now {q}: txqueuelen is pfifo_fast's limit per band (and a new pfifo's default limit)",
                q * 2
            )),
            None => r.push(format!(
                "{pre}ip link show dev {dev}   # txqueuelen (qlen) not in the data: read it, then ip link set dev {dev} txqueuelen <twice that>"
            )),
        }
    }
    for p in parts
        .iter()
        .filter(|p| p.overflow.total > 0.0 && p.q.kind != "pfifo_fast" && !p.q.sums_children)
    {
        let at = match p.q.parent.as_deref() {
            None => "root".to_string(),
            Some(parent) => format!("parent {parent}"),
        };
        let line = match p.q.kind.as_str() {
            "fq_codel" => format!("{pre}tc qdisc change dev {dev} {at} fq_codel limit 20480 memory_limit 64Mb   # fq_codel drop_overlimit: its queue reached limit (default 10240p) or memory_limit (32Mb); raise them"),
            kind => format!("# Raise the limit of {kind} {} on {dev}: {pre}tc qdisc change dev {dev} {at} handle {} {kind} limit N, N twice the limit `tc -s qdisc show dev {dev}` prints for it (a shaper: first check that its rate is intended)", place(p.q), p.q.handle),
        };
        if !r.contains(&line) {
            r.push(line);
        }
    }
    r.push(format!("ethtool {dev} | grep -i speed; ethtool -S {dev} | grep -i pause; ethtool -g {dev}   # why the NIC does not drain: link speed, pause frames received from the switch, a TX ring below its maximum"));
    if !live {
        r.push(format!("{pre}tc -s qdisc show dev {dev}; sleep 10; {pre}tc -s qdisc show dev {dev}   # confirm live: do the drops still grow?"));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::{CounterSample, CounterSeries};
    use crate::test_support::{assert_any_contains, assert_any_starts_with, at, HostBuilder};

    /// Seconds after the base time (`None`: one pasted reading) and the counters read then.
    type Reading<'a> = (Option<u32>, &'a [(&'a str, u64)]);

    /// A qdisc of `eth0` read at each `(second, counters)`; `None` seconds = one pasted reading.
    fn qdisc(kind: &str, handle: &str, parent: Option<&str>, readings: &[Reading]) -> Qdisc {
        let samples = readings
            .iter()
            .map(|(sec, kv)| CounterSample {
                time: sec.and_then(at),
                source: format!("tc.txt:{}", sec.unwrap_or(0)),
                counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                approximate: false,
            })
            .collect();
        Qdisc {
            dev: "eth0".into(),
            namespace: None,
            kind: kind.into(),
            handle: handle.into(),
            parent: parent.map(str::to_string),
            sums_children: kind == "mq",
            counters: CounterSeries { samples, deltas: Vec::new() },
            backlog: None,
        }
    }

    #[test]
    fn mq_root_and_children_are_counted_once_and_queues_named() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.qdiscs.push(qdisc("mq", "0:", None, &[(Some(0), &[("dropped", 100), ("sent_packets", 10_000)]), (Some(10), &[("dropped", 700), ("sent_packets", 20_000)])]));
                h.qdiscs.push(qdisc("pfifo_fast", "0:", Some(":1"), &[(Some(0), &[("dropped", 100), ("sent_packets", 5_000)]), (Some(10), &[("dropped", 100), ("sent_packets", 10_000)])]));
                h.qdiscs.push(qdisc("pfifo_fast", "0:", Some(":2"), &[(Some(0), &[("dropped", 0), ("sent_packets", 5_000)]), (Some(10), &[("dropped", 600), ("sent_packets", 10_000)])]));
                h.interface_mut("eth0", None).qlen = Some(1000);
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        // Children: 0 + 600 = 600 in 10 s (the root's 600 is the same drops); 600 / 10 600.
        assert_eq!(f[0].total, 600.0);
        assert_eq!(f[0].subject, "eth0");
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].summary.contains("TX queue 1 (parent :2)"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "ip link set dev eth0 txqueuelen 2000   # now 1000");
    }

    #[test]
    fn fq_codel_aqm_drops_are_apart_and_info_only() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.qdiscs.push(qdisc("fq_codel", "0:", None, &[(None, &[("dropped", 28_660), ("drop_overlimit", 0), ("drop_overmemory", 0), ("sent_packets", 76_805_125)])]));
            })
            .build();
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].total, 28_660.0);
        assert!(f[0].summary.contains("CoDel"), "{}", f[0].summary);
    }

    #[test]
    fn fq_codel_overflow_is_drop_overlimit_never_plus_overmemory() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.qdiscs.push(qdisc("fq_codel", "0:", None, &[(None, &[("dropped", 9000), ("drop_overlimit", 5000), ("drop_overmemory", 5000), ("sent_packets", 100_000)])]));
            })
            .build();
        let f = check(&host);
        // 5000 overflow (overmemory is inside overlimit); 4000 AQM kept apart.
        assert_eq!(f[0].total, 5000.0);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].summary.contains("4 000") || f[0].summary.contains("4000"), "{}", f[0].summary);
        assert_any_contains(&f[0].remediation, "fq_codel limit");
    }

    #[test]
    fn a_classful_parent_does_not_count_its_childs_drops_again_and_ingress_is_ignored() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.qdiscs.push(qdisc("htb", "1:", None, &[(None, &[("dropped", 163_544), ("overlimits", 2), ("sent_packets", 263)])]));
                h.qdiscs.push(qdisc("tbf", "10:", Some("1:10"), &[(None, &[("dropped", 163_544), ("overlimits", 163_409), ("sent_packets", 263)])]));
                h.qdiscs.push(qdisc("clsact", "ffff:", Some("ffff:fff1"), &[(None, &[("dropped", 999), ("sent_packets", 0)])]));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].total, 163_544.0);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0].summary.contains("tbf shapes"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "tc -s qdisc show dev eth0; sleep 10; tc -s qdisc show dev eth0");
    }

    #[test]
    fn clean_and_noqueue_devices_are_quiet() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.qdiscs.push(qdisc("noqueue", "0:", None, &[(None, &[("dropped", 5), ("sent_packets", 0)])]));
                h.qdiscs.push(qdisc("fq_codel", "0:", None, &[(None, &[("dropped", 0), ("drop_overlimit", 0), ("sent_packets", 10)])]));
            })
            .build();
        assert!(check(&host).is_empty());
    }
}
