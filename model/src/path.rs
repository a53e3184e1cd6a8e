//! The packet path of a host (`hosts[].path`): the receive path (wire → NIC ring → backlog →
//! conntrack/filter → socket) and the transmit path (socket → qdisc → driver/tap) as rows of
//! stages, each with the packets lost there and the findings that explain them, so a reader
//! sees at a glance where the loss is. The `rules` crate fills it (`rules::path`) from the
//! findings and the loss accounting; it adds no number of its own.

use serde::Serialize;

use crate::finding::Severity;

/// Which way the packets travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Rx,
    Tx,
}

/// A stage of the path. Its JSON id is the lower-case name; `socket` is on both paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageId {
    /// The cable, optics and PHY: CRC, frame and symbol errors, link flaps.
    Wire,
    /// The adapter's receive ring and FIFO, and a cloud NIC's allowances.
    Nic,
    /// The CPU's share: the per-CPU backlog, the NAPI budget, the core receive demux.
    Softnet,
    /// Netfilter: connection tracking, IPVS, reverse-path filtering.
    Filter,
    /// Sockets and the protocols above IP: accept queues, receive and send buffers.
    Socket,
    /// The transmit queueing discipline (`tc`).
    Qdisc,
    /// The driver's transmit ring, a tap's queue to its guest, the NIC's transmit.
    Driver,
}

impl StageId {
    /// The receive path, in the order packets cross it.
    pub const RX: [StageId; 5] = [
        StageId::Wire,
        StageId::Nic,
        StageId::Softnet,
        StageId::Filter,
        StageId::Socket,
    ];
    /// The transmit path, in the order packets cross it.
    pub const TX: [StageId; 3] = [StageId::Socket, StageId::Qdisc, StageId::Driver];

    /// How the report names the stage.
    pub fn label(self) -> &'static str {
        match self {
            StageId::Wire => "Wire / PHY",
            StageId::Nic => "NIC ring",
            StageId::Softnet => "Backlog / budget",
            StageId::Filter => "IP / conntrack / filter",
            StageId::Socket => "Socket",
            StageId::Qdisc => "Qdisc",
            StageId::Driver => "Driver / tap",
        }
    }
}

/// Both rows of stages.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PacketPath {
    pub rx: Vec<PathStage>,
    pub tx: Vec<PathStage>,
}

/// One stage: whether its data was read, what was lost there and what explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStage {
    pub id: StageId,
    pub label: &'static str,
    /// Whether a capture that counts this stage's loss was read (or a finding or loss counter
    /// lies here). When `false` the stage says nothing about loss: it was not looked at.
    pub read: bool,
    /// When not read: the capture that would have told.
    pub missing: Option<&'static str>,
    /// The most severe finding of the stage, `null` when none lies here.
    pub severity: Option<Severity>,
    /// Packets lost here, added up from the findings that count them (see [`Lost`]); `null`
    /// when no such finding lies here.
    pub lost: Option<Lost>,
    /// The findings that lie here, in the order of `hosts[].findings`.
    pub findings: Vec<StageFinding>,
    /// Non-zero loss counters of this stage that no finding reports, with why
    /// (`hosts[].loss_counters` entries without a `finding`).
    pub unreported: Vec<StageCounter>,
}

/// The stage's lost packets: the sum over its loss-counting findings of the strongest time
/// basis present (live, else since-boot, else unknown-window); findings on a weaker basis are
/// listed but not added, because a count during the capture and a count since boot do not add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lost {
    /// The sum of those findings' totals; `null` when one of them records no total (see
    /// [`StageFinding::total`]).
    pub total: Option<f64>,
    /// Live only: the sum of their rates (per second), `null` when one has no rate (a paste
    /// without times) or the basis is not live.
    pub rate: Option<f64>,
    /// `live`, `since-boot`, `unknown-window` or `snapshot`, as `findings[].basis`.
    pub basis: &'static str,
    /// How many findings were added.
    pub findings: usize,
}

/// A finding as the stage shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFinding {
    pub rule: &'static str,
    pub subject: String,
    pub severity: Severity,
    pub basis: &'static str,
    /// Whether the finding counts packets lost at this stage (its `total`, and its `rate`
    /// when live). `false` for a cause that drops nothing itself (time squeezes, CPU steal,
    /// a small hash table, memory pressure without failures) or loss by design (a backup
    /// bond slave): listed, never added.
    pub loss: bool,
    /// The finding's loss total over its window (the number its summary states); `null` when
    /// the rule records none although its evidence grew (then read the finding's evidence).
    pub total: Option<f64>,
    /// Per second during the capture: present only for a live finding with timed readings.
    pub rate: Option<f64>,
}

/// A non-zero loss counter no finding reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageCounter {
    pub subject: String,
    pub counter: String,
    pub value: u64,
    pub reason: Option<String>,
}
