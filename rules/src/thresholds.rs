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
/// A since-boot total above `BOOT_MIN_EVENTS` is also a warning when it averages at least one
/// loss per second over the whole uptime: 86 400 a day is steady loss on any link, however busy
/// (a 41-day igb host with 39.7 million `rx_missed_errors` is 0.003 % of its packets but
/// 11/s). hotsos judges absolute totals (> 500) instead, which alarms on long uptimes.
pub const BOOT_WARN_RATE: f64 = 1.0;
/// …or when the total is this large whatever the window: hundreds of thousands of lost frames
/// are what an engineer acts on ("raise the ring, then confirm it still grows"), even when the
/// window is unknown and the link so busy that the ratio is tiny (seed 001: 19.7 million FIFO
/// errors, 0.0016 % of 1.24 trillion packets; seed 003: 146 442 overruns, 0.0095 %).
pub const BOOT_VOLUME_WARN: f64 = 100_000.0;
// …or when the configuration that governs the mechanism leaves room (a rule sets
// `Growth::room`: RX ring below its maximum, `netdev_max_backlog` at its default, txqueuelen at
// 500/1000): then the loss has a known, cheap remedy, the strongest since-boot case there is.
// `critical` stays reserved for loss proven live.

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

/// The kernel's default `net.core.netdev_max_backlog`: at or below it the backlog has room to
/// grow (`softnet-backlog-drop`).
pub const DEFAULT_NETDEV_MAX_BACKLOG: u64 = 1000;
/// The kernel's default `net.core.netdev_budget`: at it, each NAPI poll may take more
/// (`nic-rx-ring-overflow` counts it as room, as the seed 001 engineer found).
pub const DEFAULT_NETDEV_BUDGET: u64 = 300;
/// txqueuelen at or below this (the defaults: 1000 for Ethernet, 500 for tun/tap before
/// 2017) leaves room to queue more on transmit.
pub const DEFAULT_TXQUEUELEN: u64 = 1000;

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

/// `conntrack-table-full`: a table whose highest `nf_conntrack_count` reading reached 90 % of
/// `nf_conntrack_max` is a warning even before `drop` grows: `early_drop` starts evicting near
/// the limit, and the next burst of new flows is dropped. hotsos has no rule on the fill (it
/// alarms only on the kernel's "table full" message).
pub const CONNTRACK_FILL_WARN: f64 = 0.9;

/// `tcp-listen-overflow` and `tcp-rcvq-drop`: a since-boot or unknown-window total above 500
/// is a warning (hotsos's threshold for ListenOverflows, ListenDrops, TCPRcvQDrop and the
/// prune counters); any non-zero total below it stays a note, never silent. Each counted
/// event is a connection refused or a segment thrown away after the NIC delivered it.
pub const TCP_BOOT_WARN_EVENTS: f64 = 500.0;
/// Live accept-queue overflow: each one is a handshake the client must retry (1 s, then 3 s
/// SYN/ACK backoff), so sustained growth of 1/s or 10 events in a capture is a warning, and
/// 100/s (a listener refusing connections continuously) is critical.
pub const LISTEN_LIVE_WARN_RATE: f64 = 1.0;
pub const LISTEN_LIVE_CRIT_RATE: f64 = 100.0;
/// `tcp-rcvq-drop` since boot: also a warning at 1 % of received segments (hotsos's ratio),
/// once at least `LIVE_MIN_EVENTS` were dropped.
pub const TCP_RCVQ_WARN_RATIO: f64 = 0.01;
/// `somaxconn` to propose when the current value is small: the kernel default since 5.4.
pub const SOMAXCONN_RAISED: u64 = 4096;
/// `udp-rcvbuf-errors`: a since-boot or unknown-window total of UDP buffer errors is a
/// warning when the generic since-boot gates say so (`drop_severity`), or at hotsos's own
/// threshold taken as a pair: more than 500 errors AND more than 1 % of the datagrams (hotsos
/// alarms on either; either alone alarms on long uptimes or on a handful of datagrams). Any
/// non-zero total is at least info: a full socket buffer is never reassuring.
pub const UDP_BOOT_WARN_EVENTS: f64 = 500.0;
pub const UDP_BOOT_WARN_RATIO: f64 = 0.01;

// `qdisc-drop` has no thresholds of its own: hotsos has no qdisc rule (knowledge
// protocol-layers §9), so qdisc overflow drops are judged like interface drops
// (`drop_severity`: LIVE_* during the capture, BOOT_* since boot). fq_codel's AQM drops
// (`dropped` − `drop_overlimit`) are by design and never more than info.

/// `socket-mem-pressure`: socket memory at 85 % of `tcp_mem`/`udp_mem` max is a warning
/// (hotsos's "high" level), at 100 % critical (the kernel refuses memory: aborts and drops).
pub const SOCKET_MEM_WARN_FILL: f64 = 0.85;

/// `syn-flood`: `Possible SYN flooding on port P. Dropping request` means SYNs were dropped
/// (cookies off, or `tcp_syncookies=0`): a warning at the first line. Since 3.1 the kernel
/// prints it once per listening socket (`synflood_warned`, reset only when the listener is
/// created again), 2.6 kernels at most once a minute: 10 lines for one port are ten restarts
/// of the service (or ten minutes) that each ran into a full SYN queue again, a recurring
/// outage rather than one burst: critical. hotsos has no SYN-flood log rule (knowledge §9).
/// `Sending cookies` alone is info: no SYN was dropped (knowledge §10, "DoCookies is not a
/// drop"), the handshake completed with a cookie; it still says the SYN queue was full.
pub const SYN_FLOOD_DROP_CRIT_LINES: u64 = 10;

/// `nic-tx-timeout`: each `NETDEV WATCHDOG … timed out` line and each Intel `Detected Tx Unit
/// Hang` is a transmit queue stuck long enough for the driver to reset the adapter, losing
/// what was queued and in flight: a warning at the first line. One hang prints `Tx Unit Hang`
/// on several watchdog runs (every 2 s) before the reset, and kernels before 6.x print the
/// watchdog line once per boot (`WARN_ONCE`), so 10 lines on one interface are several resets,
/// a NIC that keeps hanging: critical. hotsos has no rule on these lines (knowledge §9).
pub const TX_TIMEOUT_CRIT_LINES: u64 = 10;

/// `link-flap`: a link that went down and up once within the first minute after boot is the
/// driver starting and the link negotiating (knowledge §10, "at boot: benign"): no finding.
/// Later, or from the second down on, each transition loses what was in flight: a warning.
pub const LINK_BOOT_SECONDS: f64 = 60.0;
/// Downs on one interface that are a flap whenever they happened.
pub const LINK_FLAP_DOWNS: u64 = 2;
/// `rp-filter-drop`: a since-boot or unknown-window total of `TcpExtIPReversePathFilter` above
/// 500 is a warning (hotsos's threshold for it, > 500); any non-zero total below it stays a
/// note, never silent: a few rejected packets since boot are usually stray or spoofed sources,
/// and on multi-homed hosts strict mode may drop by design. Live growth is judged with the
/// generic gates (`LIVE_*`) against `IpInReceives`.
pub const RP_FILTER_BOOT_WARN_EVENTS: f64 = 500.0;

/// `tcp-out-of-resources`: each `TCP: too many orphaned sockets` or `TCP: out of memory --
/// consider tuning tcp_mem` line is a connection the kernel reset and destroyed
/// (`tcp_check_oom`, `TCPAbortOnMemory`): a warning at the first line. The messages are
/// rate-limited (`net_info_ratelimited`, 10 per 5 s by default), so 10 lines, with the
/// suppressed ones counted, are at least a full burst of the limiter: the host ran out of
/// orphan slots or TCP memory repeatedly, not for one socket: critical. hotsos has no rule on
/// these lines (knowledge §9); its `tcp_mem` check is the `socket-mem-pressure` fill level.
pub const TCP_OUT_OF_RESOURCES_CRIT_LINES: u64 = 10;

/// `neighbour-table-overflow`: each `neighbor table overflow!` line is a neighbour entry that
/// could not be made, so the packet waiting for it was dropped: a warning at the first line.
/// The message is rate-limited (`net_info_ratelimited`): 10 lines with the suppressed ones
/// are a table that stays full, not one burst: critical. hotsos has no rule on it (knowledge
/// §9).
pub const NEIGH_OVERFLOW_CRIT_LINES: u64 = 10;
/// The least `gc_thresh3` the remediation proposes: four times the kernel's default 1024,
/// the value commonly used on Kubernetes nodes and routers (twice the current value when
/// that is more).
pub const NEIGH_GC_THRESH3_FLOOR: u64 = 4096;

/// `over-mtu-drop`: each Open vSwitch `dropped over-mtu packet` line is a packet dropped
/// (hotsos alarms on any line for an existing interface): a warning at the first line. The
/// message is rate-limited (`net_warn_ratelimited`): 10 lines for one port are a sender that
/// keeps sending too large (no ICMP tells it otherwise), a blackhole for its large packets:
/// critical.
pub const OVER_MTU_CRIT_LINES: u64 = 10;

/// `page-allocation-failure` has no count threshold: a failure in softirq context (`swapper/N`,
/// `ksoftirqd/N`, where receive rings are refilled) is a warning from the first line, one in any
/// other task info (only its call trace shows the network path: knowledge §10, benign guard
/// "non-network call stacks"), and never critical, as the line counts neither packets nor, alone,
/// proves them.
///
/// `udp-bad-checksum`: a datagram with a bad checksum now and then is the background of any
/// network (bits flip on the wire, and one bad sender shows up everywhere): below 10 lines for a
/// port, with the suppressed ones, info; from 10 a source or path that keeps corrupting
/// (NIC, offload, virtio: knowledge §9 guard 2): a warning. Never critical: the line is
/// debug-level and rate-limited, and `protocol-discards` judges the rate from `UdpInCsumErrors`.
pub const UDP_CSUM_LOG_WARN_LINES: u64 = 10;

// `martian-destination` has no threshold: info at any count. Packets to 0.0.0.0 or loopback
// from the wire are stray or misconfigured senders, and the kernel drops them as it should;
// the finding names them so that they are never silent.
