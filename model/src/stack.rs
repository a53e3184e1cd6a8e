//! The layers above the NIC: protocol counters (`/proc/net/snmp`, `/proc/net/netstat`, `nstat`,
//! `netstat -s`), socket memory (`/proc/net/sockstat`), transmit qdiscs (`tc -s qdisc`),
//! connection tracking (`conntrack -S`) and the drop-related kernel-log messages. Serialized
//! into `hosts[]` as `protocol`, `sockstat`, `qdiscs`, `conntrack` and `kernel_log`, each left
//! out when nothing of it was read.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::interval::Interval;
use crate::sample::CounterSample;
use crate::time::Timestamp;

/// Counters of one kind read over time, and the intervals the timeline computed from them.
/// A series is one source (see `delta`): `/proc/net/snmp` and `nstat` readings are never
/// differenced against each other.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CounterSeries {
    pub samples: Vec<CounterSample>,
    pub deltas: Vec<Interval>,
}

impl CounterSeries {
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty() && self.deltas.is_empty()
    }
}

/// One qdisc of `tc -s qdisc show`, identified by device, parent and handle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Qdisc {
    pub dev: String,
    /// Network namespace (`null` = the host's).
    pub namespace: Option<String>,
    /// `mq`, `fq_codel`, `pfifo_fast`, `htb`, …
    pub kind: String,
    /// `0:`, `1:`, `ffff:` as printed.
    pub handle: String,
    /// `null` for the root qdisc; else the parent class as printed (`:1`, `1:10`).
    pub parent: Option<String>,
    /// True for a qdisc whose counters are the sum of its children's (`mq`, `mqprio` roots):
    /// its drops are not added to theirs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sums_children: bool,
    /// Keys: `sent_bytes`, `sent_packets`, `dropped`, `overlimits`, `requeues`, and the
    /// kind's own drop counters (`drop_overlimit`, `drop_overmemory` for fq_codel, …).
    pub counters: CounterSeries,
    /// The latest `backlog` (a level, not a counter): bytes and packets queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog: Option<QdiscBacklog>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QdiscBacklog {
    pub bytes: u64,
    pub packets: u64,
}

/// Levels (not counters) read over time: the latest reading, and per level its highest value
/// with when and where it was read. Bounded whatever the number of readings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Levels {
    pub readings: u64,
    pub latest: Option<CounterSample>,
    pub peaks: BTreeMap<String, Peak>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peak {
    pub value: u64,
    pub time: Option<Timestamp>,
    pub source: String,
}

impl Levels {
    pub fn is_empty(&self) -> bool {
        self.readings == 0
    }

    /// Adds a reading: it becomes the latest, and raises the peaks it exceeds.
    pub fn add(&mut self, reading: CounterSample) {
        self.readings += 1;
        for (key, &value) in &reading.counters {
            let higher = self.peaks.get(key).is_none_or(|p| value > p.value);
            if higher {
                let peak = Peak {
                    value,
                    time: reading.time,
                    source: reading.source.clone(),
                };
                self.peaks.insert(key.clone(), peak);
            }
        }
        self.latest = Some(reading);
    }
}

/// Which drop-related kernel message a [`LogEvent`] counts. The ids are part of the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogMessage {
    /// `nf_conntrack: table full, dropping packet`.
    ConntrackTableFull,
    /// `Possible SYN flooding on port P. Sending cookies.` / `… Dropping request.`; the
    /// action is the event's `detail` (`Sending cookies`, `Dropping request`).
    SynFlood,
    /// `NETDEV WATCHDOG: eth0 (drv): transmit queue N timed out`; `detail`: the queue.
    TxTimeout,
    /// Intel `Detected Tx Unit Hang` / `Detected Hardware Unit Hang`.
    TxUnitHang,
    /// A NIC driver's `Link is Down` / `Link is Up`.
    LinkDown,
    LinkUp,
    /// Bonding: `link status definitely down/up for interface X` (subject: the slave).
    BondLinkDown,
    BondLinkUp,
    /// `page allocation failure` (subject: the task).
    AllocationFailure,
    /// `TCP: out of memory -- consider tuning tcp_mem`.
    TcpOutOfMemory,
    /// `TCP: too many orphaned sockets`.
    TooManyOrphans,
    /// `neighbour: arp_cache: neighbor table overflow!`.
    NeighbourTableOverflow,
    /// OVS `dropped over-mtu packet`.
    OverMtuDrop,
    /// `UDP: bad checksum` (subject: the destination port).
    UdpBadChecksum,
    /// `martian source` / `martian destination` (rp_filter, log_martians; subject: the device).
    MartianSource,
    MartianDestination,
}

/// A kernel log read for a host (a rotation group: `var/log/messages` for its `-2024…`
/// files), with its lines: what "no message about packet loss" rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogFileRead {
    pub file: String,
    pub lines: u64,
}

/// One kind of kernel message about one subject (a device, a port, or none), counted over a
/// log file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEvent {
    pub message: LogMessage,
    /// The device or port the message names, when it names one.
    pub subject: Option<String>,
    /// Lines matched.
    pub count: u64,
    /// Messages the kernel suppressed next to these (`net_ratelimit: N callbacks
    /// suppressed`): the real number is at least `count + suppressed`.
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: u64,
    /// Times of the first and last line, when the log's timestamps could be placed in time.
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Seconds after boot of the first and last line, when the line carries its uptime
    /// (`dmesg`, Debian syslog) or the host's boot time places it: a link that went down
    /// and up in the first minute is the driver starting, not a flap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_uptime: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_uptime: Option<f64>,
    /// `path:line` of the first and last line.
    pub first_source: String,
    pub last_source: String,
    /// The first line as logged (shortened), for the report.
    pub example: String,
    /// With `Dropping request` (a SYN flood without cookies), or a transmit timeout's queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(second: u32, kv: &[(&str, u64)]) -> CounterSample {
        CounterSample {
            time: None,
            source: format!("drops.txt:{second}"),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        }
    }

    #[test]
    fn levels_keep_the_latest_reading_and_each_peak_with_its_source() {
        let mut levels = Levels::default();
        assert!(levels.is_empty());
        levels.add(reading(1, &[("TCP_mem", 10), ("UDP_mem", 7)]));
        levels.add(reading(2, &[("TCP_mem", 90), ("UDP_mem", 3)]));
        levels.add(reading(3, &[("TCP_mem", 40), ("UDP_mem", 7)]));
        assert_eq!(levels.readings, 3);
        assert_eq!(levels.latest.as_ref().unwrap().source, "drops.txt:3");
        assert_eq!(levels.peaks["TCP_mem"].value, 90);
        assert_eq!(levels.peaks["TCP_mem"].source, "drops.txt:2");
        // A tie keeps the first reading that reached the value.
        assert_eq!(levels.peaks["UDP_mem"].source, "drops.txt:1");
    }
}

/// One socket `ss` showed that the socket rules name: a TCP listener (its accept queue) or a
/// UDP socket that dropped datagrams. Only the latest reading of each is kept, and at most
/// [`SOCKETS_KEPT`] of each kind (the fullest listeners, the UDP sockets with the most drops).
/// Serialized as `hosts[].sockets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketInfo {
    /// `tcp` or `udp`.
    pub protocol: String,
    /// As `ss` printed it: `LISTEN`, `UNCONN`, `ESTAB`.
    pub state: String,
    /// Local address and port as printed (`0.0.0.0:8080`, `[::]:53`, `127.0.0.53%lo:53`).
    pub local: String,
    /// The first process of `users:((…))` (`ss -p`), when printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u64>,
    /// Recv-Q: for a listener the connections waiting for accept(); else bytes queued.
    pub recv_q: u64,
    /// Send-Q: for a listener the accept queue's limit (min(listen() backlog, somaxconn)).
    pub send_q: u64,
    /// `skmem` `rb`: the receive buffer in bytes (`ss -m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcvbuf: Option<u64>,
    /// `skmem` `d`: packets dropped at this socket since it was opened (`ss -m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drops: Option<u64>,
    pub time: Option<Timestamp>,
    pub source: String,
}

/// How many listeners, and how many UDP sockets with drops, a host keeps (see [`SocketInfo`]).
pub const SOCKETS_KEPT: usize = 32;

impl SocketInfo {
    pub fn is_listener(&self) -> bool {
        self.protocol == "tcp" && self.state == "LISTEN"
    }

    /// The key a later reading of the same socket replaces: protocol, state and address.
    fn same_socket(&self, other: &SocketInfo) -> bool {
        self.protocol == other.protocol && self.state == other.state && self.local == other.local
    }

    /// The local port: the digits after the last `:`.
    pub fn port(&self) -> Option<u16> {
        self.local.rsplit_once(':')?.1.parse().ok()
    }
}

/// Adds one `ss` reading's sockets: each replaces the earlier reading of the same socket;
/// then each kind is ordered (listeners fullest first, UDP sockets most drops first) and cut to
/// [`SOCKETS_KEPT`]. A capture log that alternates `ss -lnt` and `ss -lunm` keeps both kinds.
pub fn merge_sockets(kept: &mut Vec<SocketInfo>, reading: Vec<SocketInfo>) {
    for s in reading {
        match kept.iter_mut().find(|k| k.same_socket(&s)) {
            Some(k) => *k = s,
            None => kept.push(s),
        }
    }
    let (mut listeners, mut others): (Vec<_>, Vec<_>) =
        kept.drain(..).partition(SocketInfo::is_listener);
    // Fullest first: Recv-Q against Send-Q (cross-multiplied, no division by a zero backlog).
    listeners.sort_by(|a, b| {
        (u128::from(b.recv_q) * u128::from(a.send_q.max(1)))
            .cmp(&(u128::from(a.recv_q) * u128::from(b.send_q.max(1))))
            .then(b.recv_q.cmp(&a.recv_q))
    });
    others.sort_by_key(|s| std::cmp::Reverse(s.drops));
    listeners.truncate(SOCKETS_KEPT);
    others.truncate(SOCKETS_KEPT);
    kept.extend(listeners);
    kept.extend(others);
}

#[cfg(test)]
mod socket_tests {
    use super::*;

    fn sock(
        protocol: &str,
        state: &str,
        local: &str,
        q: (u64, u64),
        drops: Option<u64>,
    ) -> SocketInfo {
        SocketInfo {
            protocol: protocol.into(),
            state: state.into(),
            local: local.into(),
            process: None,
            pid: None,
            recv_q: q.0,
            send_q: q.1,
            rcvbuf: None,
            drops,
            time: None,
            source: "ss".into(),
        }
    }

    #[test]
    fn a_later_reading_replaces_the_same_socket_and_kinds_are_ordered_and_capped() {
        let mut kept = Vec::new();
        merge_sockets(
            &mut kept,
            vec![sock("tcp", "LISTEN", "*:80", (0, 511), None)],
        );
        // ss -lunm after ss -lnt: the listener stays. Then *:80 reads 129 of 128 and *:81 9 of
        // 8: 9/8 = 1.125 > 129/128 = 1.008, so *:81 is the fuller and comes first.
        merge_sockets(
            &mut kept,
            vec![sock("udp", "UNCONN", "*:53", (0, 0), Some(7))],
        );
        merge_sockets(
            &mut kept,
            vec![
                sock("tcp", "LISTEN", "*:80", (129, 128), None),
                sock("tcp", "LISTEN", "*:81", (9, 8), None),
            ],
        );
        let locals: Vec<&str> = kept.iter().map(|s| s.local.as_str()).collect();
        assert_eq!(locals, ["*:81", "*:80", "*:53"]);
        assert_eq!(kept[1].recv_q, 129);
        let many: Vec<SocketInfo> = (0..40)
            .map(|i| sock("udp", "UNCONN", &format!("*:{i}"), (0, 0), Some(i)))
            .collect();
        merge_sockets(&mut kept, many);
        let udp: Vec<_> = kept.iter().filter(|s| s.protocol == "udp").collect();
        assert_eq!(udp.len(), SOCKETS_KEPT);
        assert_eq!(udp[0].drops, Some(39));
        assert_eq!(kept.len(), 2 + SOCKETS_KEPT);
    }
}
