//! The loss accounting of the layers above the NIC: protocol counters (subject `host`), each
//! qdisc's `dropped` (subject: its device) and the conntrack drop counters (subject `host`).
//! Each non-zero counter of its latest reading is mapped to the rule that reports it, or given
//! the reason it is not lost traffic (knowledge protocol-layers §9, §10).

use super::{LossCounter, NOT_JUDGED};
use crate::finding::Finding;
use crate::model::{CounterSample, Host, Qdisc};

/// Protocol counters (nstat names, a subset of what the host model keeps) that count lost or
/// refused packets, with the rules that report them. Left out as not loss: traffic counters,
/// `TcpRetransSegs` (the effect of loss elsewhere), `SyncookiesSent`/`TCPReqQFullDoCookies`
/// (the connection was answered), `PruneCalled` and `TCPMemoryPressures` (pressure, not a
/// drop). `UdpNoPorts` and `IpOutNoRoutes` are listed with the reason they are not lost.
const PROTOCOL_LOSS: [(&str, &[&str]); 28] = [
    ("IpInDiscards", &["protocol-discards"]),
    ("IpOutDiscards", &["protocol-discards"]),
    ("IpOutNoRoutes", &[]),
    ("IpReasmFails", &["protocol-discards"]),
    ("TcpInErrs", &["protocol-discards"]),
    ("TcpInCsumErrors", &["protocol-discards"]),
    ("TcpExtListenOverflows", &["tcp-listen-overflow"]),
    ("TcpExtListenDrops", &["tcp-listen-overflow"]),
    ("TcpExtTCPReqQFullDrop", &["tcp-listen-overflow"]),
    ("TcpExtTCPBacklogDrop", &["tcp-rcvq-drop"]),
    ("TcpExtTCPRcvQDrop", &["tcp-rcvq-drop"]),
    ("TcpExtTCPOFODrop", &["tcp-rcvq-drop"]),
    ("TcpExtRcvPruned", &["tcp-rcvq-drop"]),
    ("TcpExtOfoPruned", &["tcp-rcvq-drop"]),
    ("TcpExtTCPZeroWindowDrop", &["protocol-discards"]),
    (
        "TcpExtTCPAbortOnMemory",
        &["socket-mem-pressure", "tcp-out-of-resources"],
    ),
    ("TcpExtIPReversePathFilter", &["rp-filter-drop"]),
    ("UdpInErrors", &["protocol-discards"]),
    ("UdpRcvbufErrors", &["udp-rcvbuf-errors"]),
    ("UdpSndbufErrors", &["udp-rcvbuf-errors"]),
    ("UdpMemErrors", &["socket-mem-pressure"]),
    ("UdpInCsumErrors", &["protocol-discards"]),
    ("UdpNoPorts", &[]),
    ("Udp6InErrors", &["protocol-discards"]),
    ("Udp6RcvbufErrors", &["udp-rcvbuf-errors"]),
    ("Udp6SndbufErrors", &["udp-rcvbuf-errors"]),
    ("Udp6MemErrors", &["socket-mem-pressure"]),
    ("Udp6InCsumErrors", &["protocol-discards"]),
];

/// Error totals that hold other counters listed apart: (total, its parts).
const SUMS: [(&str, &[&str]); 3] = [
    ("TcpInErrs", &["TcpInCsumErrors"]),
    (
        "UdpInErrors",
        &["UdpRcvbufErrors", "UdpMemErrors", "UdpInCsumErrors"],
    ),
    (
        "Udp6InErrors",
        &["Udp6RcvbufErrors", "Udp6MemErrors", "Udp6InCsumErrors"],
    ),
];

/// Conntrack statistics that count dropped packets, prefixed `conntrack ` in the counter key.
/// `early_drop` is left out (an unassured entry was evicted to make room: the new packet
/// passed), and so are `invalid`, `ignore` and `error` (conntrack did not track the packet; it
/// is dropped only by a firewall rule matching INVALID, which is the ruleset's decision).
const CONNTRACK_LOSS: [(&str, &[&str]); 3] = [
    ("drop", &["conntrack-table-full"]),
    ("insert_failed", &["conntrack-table-full"]),
    ("chaintoolong", &[]),
];

/// A finding of one of `rules` about the host (`host`, or `host (TCP)` / `host (UDP)`).
fn reported_on_host(findings: &[Finding], rules: &[&str]) -> Option<&'static str> {
    findings
        .iter()
        .find(|f| {
            rules.contains(&f.rule) && (f.subject == "host" || f.subject.starts_with("host ("))
        })
        .map(|f| f.rule)
}

/// The latest reading holding `key`, and its value there.
fn latest<'a>(samples: &'a [CounterSample], key: &str) -> Option<(&'a CounterSample, u64)> {
    samples
        .iter()
        .rev()
        .filter(|s| !s.approximate)
        .find_map(|s| Some((s, *s.counters.get(key)?)))
}

/// The non-zero protocol loss counters, each at the latest reading holding it.
pub(super) fn protocol(host: &Host) -> Vec<LossCounter> {
    let samples = &host.protocol.samples;
    let mut out = Vec::new();
    for (counter, rules) in &PROTOCOL_LOSS {
        let Some((sample, value)) = latest(samples, counter).filter(|(_, v)| *v > 0) else {
            continue;
        };
        let benign = protocol_reason(samples, counter, value);
        let finding = benign
            .is_none()
            .then(|| reported_on_host(&host.findings, rules))
            .flatten();
        out.push(LossCounter {
            subject: "host".into(),
            counter: counter.to_string(),
            value,
            source: sample.source.clone(),
            finding,
            reason: finding
                .is_none()
                .then(|| benign.unwrap_or_else(|| NOT_JUDGED.into())),
        });
    }
    out
}

/// Why a protocol counter is not lost traffic of its own, when it is not.
fn protocol_reason(samples: &[CounterSample], counter: &str, value: u64) -> Option<String> {
    match counter {
        "UdpNoPorts" => {
            return Some("datagrams to a port nobody listens on: answered with an ICMP port unreachable, not traffic lost on its way to an application".into())
        }
        "IpOutNoRoutes" => {
            return Some("locally sent packets with no route to their destination: the sending application got an error (network unreachable), nothing was lost on the way".into())
        }
        _ => {}
    }
    let (_, parts) = SUMS.iter().find(|(total, _)| *total == counter)?;
    let listed: u64 = parts
        .iter()
        .filter_map(|p| latest(samples, p).map(|(_, v)| v))
        .sum();
    (listed >= value).then(|| format!("the sum of {}, listed apart", parts.join(", ")))
}

/// Each qdisc's non-zero `dropped`, keyed `qdisc <kind> <handle> root|parent <parent>
/// dropped` on its device. An `mq`/`mqprio` root (`sums_children`) is skipped: its count is
/// its TX queues' qdiscs' again.
pub(super) fn qdiscs(host: &Host) -> Vec<LossCounter> {
    let mut out = Vec::new();
    for q in host.qdiscs.iter().filter(|q| !q.sums_children) {
        let Some((sample, value)) = latest(&q.counters.samples, "dropped").filter(|(_, v)| *v > 0)
        else {
            continue;
        };
        let finding = super::reported(&host.findings, &["qdisc-drop"], &q.dev);
        out.push(LossCounter {
            subject: q.dev.clone(),
            counter: qdisc_key(q),
            value,
            source: sample.source.clone(),
            finding,
            reason: finding.is_none().then(|| qdisc_reason(q)),
        });
    }
    out
}

/// `qdisc fq_codel 0: parent :4 dropped`, `qdisc pfifo_fast 0: root dropped`: the words `tc -s
/// qdisc show` prints for it.
pub fn qdisc_key(q: &Qdisc) -> String {
    let place = match q.parent.as_deref() {
        None => "root".to_string(),
        Some(p) => format!("parent {p}"),
    };
    format!("qdisc {} {} {place} dropped", q.kind, q.handle)
}

fn qdisc_reason(q: &Qdisc) -> String {
    let ingress = matches!(q.kind.as_str(), "ingress" | "clsact") || q.handle.starts_with("ffff:");
    if ingress {
        return "an ingress hook: its drops are tc filter actions (a policer or an explicit drop) configured on it, not a full queue".into();
    }
    let live = || {
        q.counters
            .deltas
            .iter()
            .filter(|iv| iv.kind.is_live() && !iv.reset)
    };
    if let Some(iv) = live().find(|iv| iv.deltas.contains_key("dropped")) {
        let grew: u64 = live().filter_map(|iv| iv.deltas.get("dropped")).sum();
        if grew == 0 {
            return format!(
                "did not grow during the capture (from {}): counted before it",
                iv.start_source.as_deref().unwrap_or(&iv.series)
            );
        }
    }
    NOT_JUDGED.into()
}

/// The non-zero conntrack drop counters of the latest reading, keyed `conntrack <name>`.
pub(super) fn conntrack(host: &Host) -> Vec<LossCounter> {
    let mut out = Vec::new();
    for (name, rules) in CONNTRACK_LOSS {
        let Some((sample, value)) = latest(&host.conntrack.samples, name).filter(|(_, v)| *v > 0)
        else {
            continue;
        };
        let finding = reported_on_host(&host.findings, rules);
        out.push(LossCounter {
            subject: "host".into(),
            counter: format!("conntrack {name}"),
            value,
            source: sample.source.clone(),
            finding,
            reason: finding.is_none().then(|| NOT_JUDGED.to_string()),
        });
    }
    out
}
