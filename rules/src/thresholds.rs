//! Every threshold the rules use, in one place, with why.
//!
//! Principle: growth *during the capture* is the strongest evidence, so live intervals are
//! judged with low, volume-gated thresholds (more sensitive than since-boot tools); since-boot
//! totals cannot say *when* drops happened, so they are judged with a ratio gate and are never
//! `critical` (quieter than hotsos/SCA, which alarm on totals). Peers for comparison: netdata
//! warns at a 2 % drop ratio with > 10 000 packets in the window, softnet > 10/s over a
//! minute; SUSE SCA warns at 0.25 % and is critical at 5 %; hotsos at > 500 absolute or > 1 %.

/// Fewer drops than this over the whole capture is noise (one burst of a few packets).
pub const LIVE_MIN_EVENTS: f64 = 10.0;
/// Live drops per packet at or above which loss is worth a warning: 1 in 10 000 is already
/// visible to TCP (retransmits) on a busy link; below it only a rate matters.
pub const LIVE_WARN_RATIO: f64 = 0.0001;
/// Live drops per second that warrant a warning whatever the traffic (sustained loss).
pub const LIVE_WARN_RATE: f64 = 1.0;
/// Live loss at or above 1 % of packets, or 100 drops/s, breaks applications: critical.
pub const LIVE_CRIT_RATIO: f64 = 0.01;
pub const LIVE_CRIT_RATE: f64 = 100.0;
/// A since-boot total is a warning only when it is both large and a visible fraction of the
/// traffic: at least 1000 drops and 0.1 % of packets (SCA's 0.25 % misses slow leaks on big
/// links; hotsos's 500 absolute alarms on long uptimes).
pub const BOOT_MIN_EVENTS: f64 = 1000.0;
pub const BOOT_WARN_RATIO: f64 = 0.001;

/// softnet `time_squeeze` is not a drop: packets waited. Warn when it grows ≥ 10/s during the
/// capture (netdata's threshold), or since boot when it averages ≥ 1/s.
pub const SQUEEZE_LIVE_WARN_RATE: f64 = 10.0;
pub const SQUEEZE_BOOT_WARN_RATE: f64 = 1.0;

/// CPU steal (top `st`, sar `%steal`): 10 % of a vCPU taken by the host is visible as latency
/// and queue drops; 30 % means the host is badly overcommitted.
pub const STEAL_WARN_PCT: f64 = 10.0;
pub const STEAL_CRIT_PCT: f64 = 30.0;

/// One CPU's softirq share (`si`) is saturating at 50 % while the others stay under 15 %.
pub const SOFTIRQ_HOT_PCT: f64 = 50.0;
pub const SOFTIRQ_OTHERS_MAX_PCT: f64 = 15.0;
/// Or one CPU took ≥ 90 % of NET_RX softirqs / NIC queue interrupts in an interval with at
/// least 1000 events/s (enough traffic for the imbalance to matter).
pub const SOFTIRQ_CONCENTRATION: f64 = 0.9;
pub const SOFTIRQ_MIN_RATE: f64 = 1000.0;

/// IPVS: average hash chain length (entries per bucket). The kernel's Kconfig advice is a
/// table "not far less than" the live entries; past 8 per bucket lookups walk long chains.
pub const IPVS_WARN_PER_BUCKET: f64 = 8.0;
pub const IPVS_CRIT_PER_BUCKET: f64 = 64.0;

/// Physical errors (CRC, frame, symbol) have no benign cause: a few per capture are worth a
/// warning; a total since boot needs the same gate as drops.
pub const PHY_LIVE_MIN_EVENTS: f64 = 10.0;

/// Recommended tap txqueuelen when raising it (the value the field write-ups used).
pub const TAP_TXQUEUELEN: u64 = 10_000;

/// `softirq-single-cpu` is critical when the hot CPU spends ≥ 90 % in softirq during the
/// capture: it is saturated, so its queue backs up and drops (first `top` frames excluded).
pub const SOFTIRQ_CRIT_PCT: f64 = 90.0;

/// ENA `*_allowance_exceeded` growing ≥ 10 packets/s during the capture: the hypervisor is
/// shaping this instance continuously, not in a rare burst: critical.
pub const CLOUD_ALLOWANCE_CRIT_RATE: f64 = 10.0;

/// `tx-queue-drop`: txqueuelen to suggest on a physical/virtual NIC (the default qdisc limit;
/// 1000 by default). 10 000 is the value the field write-ups used (see `TAP_TXQUEUELEN`): ten
/// times the default, under 1 ms of minimum-size frames at 10G line rate; when it is already that
/// large, double it.
pub const TX_QUEUELEN_RAISED: u64 = 10_000;
