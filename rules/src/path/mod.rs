//! The packet path of a host (`hosts[].path`, model in `model::path`): every stage of the
//! receive and transmit paths, each with the findings that lie there, the packets they count
//! as lost, and the loss counters no finding reports. Built after the findings and the loss
//! accounting (`catalog::judge`); it adds no number of its own, so the path's numbers are the
//! findings' numbers.
//!
//! Each rule declares its stage next to its `RULE` (`pub const STAGE: Stage`); `catalog!`
//! gathers them, so no rule id is matched here. A loss counter without a finding is placed by
//! its name, subject and source ([`counter_stage`]).

pub use ::model::path::{Direction, StageId};
pub use ::model::path::{Lost, PacketPath, PathStage, StageCounter, StageFinding};

use crate::accounting::LossCounter;
use crate::catalog::{is_ring_counter, nic_phy_errors::is_phy_counter, stage_of};
use crate::finding::Finding;
#[cfg(test)]
use crate::finding::Severity;
use crate::model::Host;

/// Where on the packet path a rule's findings lie, and whether they count lost packets there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    pub direction: Direction,
    pub id: StageId,
    /// The finding's `total` (and rate) counts packets lost at this stage.
    pub counts_loss: bool,
}

impl Stage {
    /// A stage of the receive path whose findings count the packets lost there.
    pub const fn rx(id: StageId) -> Stage {
        Stage {
            direction: Direction::Rx,
            id,
            counts_loss: true,
        }
    }

    /// A stage of the transmit path whose findings count the packets lost there.
    pub const fn tx(id: StageId) -> Stage {
        Stage {
            direction: Direction::Tx,
            id,
            counts_loss: true,
        }
    }

    /// The rule's findings lie here but count no packets lost: a cause (time squeezes, CPU
    /// steal, a small hash table) or loss by design (a backup bond slave). Listed, never added.
    pub const fn without_loss(self) -> Stage {
        Stage {
            counts_loss: false,
            ..self
        }
    }
}

/// Both paths of the host, every stage present.
pub fn trace(host: &Host) -> PacketPath {
    let row = |direction: Direction, ids: &[StageId]| {
        ids.iter()
            .map(|&id| stage(host, direction, id))
            .collect::<Vec<_>>()
    };
    PacketPath {
        rx: row(Direction::Rx, &StageId::RX),
        tx: row(Direction::Tx, &StageId::TX),
    }
}

fn stage(host: &Host, direction: Direction, id: StageId) -> PathStage {
    let findings: Vec<StageFinding> = host
        .findings
        .iter()
        .filter_map(|f| {
            let s = stage_of(f.rule)?;
            (s.direction == direction && s.id == id).then(|| stage_finding(f, s))
        })
        .collect();
    let unreported: Vec<StageCounter> = host
        .loss_counters
        .iter()
        .filter(|l| l.finding.is_none() && counter_stage(l) == (direction, id))
        .map(|l| StageCounter {
            subject: l.subject.clone(),
            counter: l.counter.clone(),
            value: l.value,
            reason: l.reason.clone(),
        })
        .collect();
    let read = captured(host, direction, id) || !findings.is_empty() || !unreported.is_empty();
    PathStage {
        id,
        label: id.label(),
        read,
        missing: (!read).then(|| would_tell(direction, id)),
        severity: findings.iter().map(|f| f.severity).min(),
        lost: lost(&findings),
        findings,
        unreported,
    }
}

fn stage_finding(f: &Finding, s: Stage) -> StageFinding {
    // Live growth of zero is 0/s whether or not the readings were timed.
    let timed = f.evidence.iter().any(|e| e.rate.is_some()) || f.total == 0.0;
    StageFinding {
        rule: f.rule,
        subject: f.subject.clone(),
        severity: f.severity,
        basis: f.basis,
        // A finding that counted nothing outside a capture (socket memory near its limit,
        // a conntrack table nearly full) is a cause here, not a zero loss: "0 lost" would
        // contradict its warning. Live growth of zero stays a loss figure ("0/s live").
        loss: s.counts_loss && (f.total > 0.0 || f.basis == "live" || untold_total(f)),
        total: (f.total > 0.0 || !untold_total(f)).then_some(f.total),
        rate: (f.basis == "live" && timed).then_some(f.impact),
    }
}

/// A finding with no total recorded although its evidence counts something: growth during
/// the capture, or a counter's total read once. Its total is unknown here, never a zero the
/// card would contradict (`cloud-allowance-exceeded` records none).
fn untold_total(f: &Finding) -> bool {
    let counted = |e: &crate::finding::Evidence| match f.basis {
        "live" => e.delta.is_some_and(|d| d > 0.0),
        "since-boot" | "unknown-window" => e.delta.or(e.value).is_some_and(|v| v > 0.0),
        _ => false,
    };
    f.total <= 0.0 && (f.impact > 0.0 || f.evidence.iter().any(counted))
}

/// Strongest first: a count during the capture outranks one since boot, which outranks one
/// over an unknown window.
fn basis_rank(basis: &str) -> u8 {
    match basis {
        "live" => 0,
        "since-boot" => 1,
        "unknown-window" => 2,
        _ => 3,
    }
}

/// The stage's lost packets: its loss-counting findings of the strongest basis, added up.
fn lost(findings: &[StageFinding]) -> Option<Lost> {
    let counted = || findings.iter().filter(|f| f.loss);
    let best = counted().map(|f| basis_rank(f.basis)).min()?;
    let added: Vec<&StageFinding> = counted().filter(|f| basis_rank(f.basis) == best).collect();
    let basis = added[0].basis;
    Some(Lost {
        total: added.iter().map(|f| f.total).sum(),
        rate: if basis == "live" {
            added.iter().map(|f| f.rate).sum()
        } else {
            None
        },
        basis,
        findings: added.len(),
    })
}

/// Was a capture read that counts this stage's loss?
fn captured(host: &Host, direction: Direction, id: StageId) -> bool {
    let counters = || host.interfaces.iter().any(|i| !i.samples.is_empty());
    let ethtool = || host.interfaces.iter().any(|i| !i.ethtool.is_empty());
    match (direction, id) {
        (_, StageId::Wire) | (_, StageId::Nic) => counters() || ethtool(),
        (_, StageId::Softnet) => !host.softnet.is_empty(),
        (_, StageId::Filter) => !host.conntrack.is_empty() || !host.conntrack_count.is_empty(),
        (_, StageId::Socket) => !host.protocol.is_empty(),
        (_, StageId::Qdisc) => !host.qdiscs.is_empty(),
        (_, StageId::Driver) => counters(),
    }
}

/// The capture that would have told what a stage lost.
fn would_tell(direction: Direction, id: StageId) -> &'static str {
    match (direction, id) {
        (_, StageId::Wire) => "ip -s -s link (CRC and frame errors) or ethtool -S",
        (_, StageId::Nic) => "ip -s -s link (missed and FIFO errors) or ethtool -S",
        (_, StageId::Softnet) => "cat /proc/net/softnet_stat",
        (_, StageId::Filter) => "conntrack -S (or /proc/net/stat/nf_conntrack)",
        (Direction::Rx, StageId::Socket) => "nstat -az (or /proc/net/netstat and /proc/net/snmp)",
        (Direction::Tx, StageId::Socket) => "nstat -az (send buffer errors; or /proc/net/snmp)",
        (_, StageId::Qdisc) => "tc -s qdisc",
        (_, StageId::Driver) => "ip -s -s link (TX drops and errors)",
    }
}

/// The stage of a loss counter no finding reports, from its subject, source and name: a CPU's
/// softnet drops; conntrack and protocol counters (subject `host`, or read from their files);
/// a qdisc's; then an interface counter by its name.
pub fn counter_stage(l: &LossCounter) -> (Direction, StageId) {
    use Direction::{Rx, Tx};
    let source = l.source.to_ascii_lowercase();
    let name = l.counter.as_str();
    let n = name.to_ascii_lowercase();
    let cpu = l
        .subject
        .strip_prefix("cpu")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()));
    if cpu {
        return (Rx, StageId::Softnet);
    }
    if source.contains("conntrack") || n.contains("conntrack") {
        return (Rx, StageId::Filter);
    }
    let qdisc_key = QDISC_KEYS.contains(&name);
    if source.contains("qdisc") || n.contains("qdisc") || qdisc_key {
        return (Tx, StageId::Qdisc);
    }
    if is_protocol_counter(name) {
        let sending = ["Snd", "Out", "Retrans"].iter().any(|w| name.contains(w));
        return match name {
            _ if name.starts_with("Ip") && !sending => (Rx, StageId::Filter),
            _ if sending => (Tx, StageId::Socket),
            _ => (Rx, StageId::Socket),
        };
    }
    // The host's other counters are conntrack's (`drop`, `insert_failed`, `early_drop`).
    if l.subject.starts_with("host") {
        return (Rx, StageId::Filter);
    }
    interface_counter_stage(name, &n)
}

/// The counter keys of `hosts[].qdiscs[].counters` that count drops or pushback.
const QDISC_KEYS: [&str; 5] = [
    "dropped",
    "overlimits",
    "requeues",
    "drop_overlimit",
    "drop_overmemory",
];

/// `nstat` names: a protocol group in capitals first (`TcpExt…`, `Udp6…`, `IpExt…`).
fn is_protocol_counter(name: &str) -> bool {
    ["Tcp", "Udp", "Ip", "Icmp", "Sctp"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// An interface counter (README's key table or an `ethtool -S` name) by what it counts.
fn interface_counter_stage(name: &str, n: &str) -> (Direction, StageId) {
    use Direction::{Rx, Tx};
    let last = n.rsplit([':', '/', '.']).next().unwrap_or(n).trim();
    if last.starts_with("tx") || n.contains("_tx_") || n.contains("collision") {
        return (Tx, StageId::Driver);
    }
    if is_phy_counter(name)
        || [
            "rx_crc_errors",
            "rx_frame_errors",
            "rx_length_errors",
            "proc_rx_frame",
        ]
        .contains(&n)
    {
        return (Rx, StageId::Wire);
    }
    let nic = [
        "missed",
        "fifo",
        "over",
        "no_buf",
        "out_of_buffer",
        "allowance",
        "rx_errors",
    ];
    if is_ring_counter(name, None) || nic.iter().any(|w| n.contains(w)) || n == "netstat_rx_err" {
        return (Rx, StageId::Nic);
    }
    // rx_dropped, rx_nohandler, proc_rx_drop, a driver's other receive drops: the core's.
    (Rx, StageId::Softnet)
}

#[cfg(test)]
mod tests;
