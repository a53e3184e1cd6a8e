//! `netstat -s` and `netstat -s -6` (net-tools `statistics.c`; protocol-layers knowledge §4)
//! into [`ProtoCounters`] keyed by nstat names.
//!
//! * A section header is `<Group>:` alone on a line (`Ip:`, `TcpExt:`, `IcmpMsg:`, `Ip6:`).
//! * A raw line `<Name>: <n>` (net-tools prints a field without a wording that way, only when
//!   non-zero) becomes `<Group><Name>` (`TCPBacklogDrop: 12` under `TcpExt:` →
//!   `TcpExtTCPBacklogDrop`); a name that already starts with its group (`Ip6InOctets`,
//!   `Icmp6OutType1`, `SctpCurrEstab`) is kept as it is. `-1` is kept in
//!   [`ProtoCounters::signed`].
//! * A prose line (`4165 dropped because of missing route`) is looked up, with the number
//!   replaced and a trailing `.` dropped, in the wording table of its section: every wording of
//!   net-tools v1.60 to v2.10+ for Ip, Icmp (with the input/output histograms), Tcp, Udp,
//!   TcpExt, Ip6, Icmp6 and Udp6, old spellings included (`segments retransmited`, `SYNs to
//!   LISTEN sockets ignored`, `packet reassembles failed`). A prose line before any header
//!   (a pasted fragment) is looked up in all sections when its wording is unique.
//! * A well-formed line whose wording is not in the table (informational wordings, localized
//!   output) is not a problem: it is kept in [`NetstatS::unmapped`].
//! * Problems (warnings, 1-based line): a line that is neither a header, a histogram title nor
//!   a counter line with a number (`exec of "netstat" failed: …`), a number that does not fit
//!   `u64`, a name seen twice. No counter at all is an error on line 0.
//!
//! ```
//! use parsers::netstat_s;
//! let text = "\
//! Tcp:
//!     441 segments retransmitted
//! Udp:
//!     0 packet receive errors
//!     RcvbufErrors: 12
//! TcpExt:
//!     22438 times the listen queue of a socket overflowed
//!     TCPBacklogDrop: 7
//!     98365 packet headers predicted
//!     42 frobnicated packets
//! ";
//! let parsed = netstat_s::parse(text);
//! assert!(parsed.problems.is_empty());
//! let n = parsed.value;
//! assert_eq!(n.counters.get("TcpRetransSegs"), Some(441));
//! assert_eq!(n.counters.get("UdpRcvbufErrors"), Some(12));
//! assert_eq!(n.counters.get("TcpExtListenOverflows"), Some(22438));
//! assert_eq!(n.counters.get("TcpExtTCPBacklogDrop"), Some(7));
//! assert_eq!(n.counters.get("TcpExtTCPHPHits"), Some(98365));
//! assert_eq!(n.unmapped.len(), 1);
//! assert_eq!(n.unmapped[0].line, 10);
//! ```

use serde::Serialize;

use crate::snmp::{clip, is_name, value_token, ProtoCounters, Value, PAIR_GROUPS, SNMP6_GROUPS};
use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetstatS {
    pub counters: ProtoCounters,
    /// Counter lines with a wording the table does not map, in order.
    pub unmapped: Vec<UnmappedLine>,
}

/// A well-formed counter line whose wording has no nstat name here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedLine {
    pub line: usize,
    /// The section header above it (`TcpExt`), empty before any header.
    pub section: String,
    /// The line without its indentation.
    pub text: String,
}

/// Where the reader is: the section, and which ICMP histogram (if any) it is inside.
#[derive(Default)]
struct Position<'a> {
    section: Option<&'a str>,
    histogram: Histogram,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Histogram {
    #[default]
    None,
    Input,
    Output,
}

pub fn parse(text: &str) -> Parsed<NetstatS> {
    let mut value = NetstatS::default();
    let mut problems = Vec::new();
    let mut at = Position::default();
    for (no, line) in numbered_lines(text) {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(group) = t.strip_suffix(':').filter(|g| is_name(g)) {
            at = Position {
                section: Some(group),
                histogram: Histogram::None,
            };
        } else if t == "ICMP input histogram:" {
            at.histogram = Histogram::Input;
        } else if t == "ICMP output histogram:" {
            at.histogram = Histogram::Output;
        } else if let Some((name, token)) = raw_line(t) {
            raw_counter(&at, name, token, no, &mut value.counters, &mut problems);
        } else {
            prose(&at, t, no, &mut value, &mut problems);
        }
    }
    if value.counters.is_empty() {
        problems.push(Problem::error(0, "no netstat -s counter found"));
    }
    Parsed::new(value, problems)
}

/// True for a section header of `netstat -s` or `netstat -s -6` (`TcpExt:`, `Udp6:`), named
/// after a kernel group; any indentation.
pub fn is_section_header(line: &str) -> bool {
    line.trim()
        .strip_suffix(':')
        .is_some_and(|g| PAIR_GROUPS.contains(&g) || SNMP6_GROUPS.contains(&g))
}

/// True for a prose counter line whose wording names one counter of one section
/// (`1234 times the listen queue of a socket overflowed`): how a fragment pasted without its
/// section header (`netstat -s | grep -i drop`) is recognised.
pub fn is_known_prose(line: &str) -> bool {
    let mut value = NetstatS::default();
    let mut problems = Vec::new();
    prose(
        &Position::default(),
        line.trim(),
        0,
        &mut value,
        &mut problems,
    );
    problems.is_empty() && !value.counters.is_empty()
}

/// `Name: value` with a single-word name.
fn raw_line(t: &str) -> Option<(&str, &str)> {
    let (name, rest) = t.split_once(": ")?;
    let token = rest.trim();
    (is_name(name) && !token.contains(char::is_whitespace)).then_some((name, token))
}

fn raw_counter(
    at: &Position,
    name: &str,
    token: &str,
    no: usize,
    counters: &mut ProtoCounters,
    problems: &mut Vec<Problem>,
) {
    let Some(value) = value_token(token) else {
        problems.push(Problem::warning(
            no,
            format!("{name}: {:?} is not a number", clip(token)),
        ));
        return;
    };
    let section = at.section.unwrap_or("");
    let prefixed = name
        .strip_prefix(section)
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
    let key = if prefixed || section.is_empty() {
        name.to_owned()
    } else {
        format!("{section}{name}")
    };
    counters.record(&key, value, no, problems);
}

/// A prose counter line: mapped through [`WORDINGS`], else kept as unmapped; a line without
/// a number is a problem.
fn prose(at: &Position, t: &str, no: usize, value: &mut NetstatS, problems: &mut Vec<Problem>) {
    let t = t.strip_suffix('.').unwrap_or(t);
    let tokens: Vec<&str> = t.split_whitespace().collect();
    let Some(index) = tokens
        .iter()
        .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    else {
        if !STATIC_WORDINGS.iter().any(|w| t.starts_with(w)) {
            problems.push(Problem::warning(
                no,
                format!("not a section header nor a counter line: {:?}", clip(t)),
            ));
            return;
        }
        return unmapped(at, t, no, value);
    };
    let Some(number) = token_u64(tokens[index]) else {
        problems.push(Problem::warning(
            no,
            format!(
                "{:?} is not a number that fits 64 bits",
                clip(tokens[index])
            ),
        ));
        return;
    };
    let mut template: Vec<&str> = tokens.clone();
    template[index] = "%";
    let template = template.join(" ");
    match lookup(at, &template) {
        Some(key) => value
            .counters
            .record(&key, Value::Unsigned(number), no, problems),
        None => unmapped(at, t, no, value),
    }
}

fn unmapped(at: &Position, t: &str, no: usize, value: &mut NetstatS) {
    value.unmapped.push(UnmappedLine {
        line: no,
        section: at.section.unwrap_or("").to_owned(),
        text: t.to_owned(),
    });
}

/// The nstat name of `template` in the reader's section (or, before any header, in the one
/// section whose table has it).
fn lookup(at: &Position, template: &str) -> Option<String> {
    if let Some(section) = at.section {
        let wanted = match (section, at.histogram) {
            ("Icmp", Histogram::Input) => "Icmp<",
            ("Icmp", Histogram::Output) => "Icmp>",
            _ => section,
        };
        // The histogram ends where the next plain wording (`… ICMP messages sent`) starts, so
        // both tables are tried.
        return WORDINGS
            .iter()
            .find(|(s, w, _)| (*s == wanted || *s == section) && *w == template)
            .map(|(_, _, field)| format!("{section}{field}"));
    }
    let mut hits = WORDINGS.iter().filter(|(_, w, _)| *w == template);
    let (section, _, field) = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    Some(format!("{}{field}", section.trim_end_matches(['<', '>'])))
}

/// Wordings printed without a number (`Forwarding is %s` is inverted in net-tools: it says
/// "enabled" for the value 2, which means off, so it is not mapped).
const STATIC_WORDINGS: [&str; 2] = ["Forwarding is ", "RTO algorithm is "];

/// (section, wording with `%` for the number, field). `Icmp<`/`Icmp>` are the ICMP input and
/// output histograms. From net-tools `statistics.c` v1.60, v2.10 and later, with the older
/// spellings its history replaced (2003, 2015-11, 2019).
const WORDINGS: &[(&str, &str, &str)] = &[
    ("Ip", "% total packets received", "InReceives"),
    ("Ip", "% with invalid headers", "InHdrErrors"),
    ("Ip", "% with invalid addresses", "InAddrErrors"),
    ("Ip", "% forwarded", "ForwDatagrams"),
    ("Ip", "% with unknown protocol", "InUnknownProtos"),
    ("Ip", "% incoming packets discarded", "InDiscards"),
    ("Ip", "% incoming packets delivered", "InDelivers"),
    ("Ip", "% requests sent out", "OutRequests"),
    ("Ip", "% outgoing packets dropped", "OutDiscards"),
    ("Ip", "% dropped because of missing route", "OutNoRoutes"),
    ("Ip", "% fragments dropped after timeout", "ReasmTimeout"),
    ("Ip", "% reassemblies required", "ReasmReqds"),
    ("Ip", "% packets reassembled ok", "ReasmOKs"),
    ("Ip", "% packet reassemblies failed", "ReasmFails"),
    ("Ip", "% packet reassembles failed", "ReasmFails"),
    ("Ip", "% outgoing packets fragmented ok", "FragOKs"),
    ("Ip", "% fragments received ok", "FragOKs"),
    ("Ip", "% outgoing packets failed fragmentation", "FragFails"),
    ("Ip", "% fragments failed", "FragFails"),
    ("Ip", "% fragments created", "FragCreates"),
    ("Ip", "Default TTL is %", "DefaultTTL"),
    ("Icmp", "% ICMP messages received", "InMsgs"),
    ("Icmp", "% input ICMP message failed", "InErrors"),
    ("Icmp", "% ICMP messages sent", "OutMsgs"),
    ("Icmp", "% ICMP messages failed", "OutErrors"),
    ("Icmp<", "destination unreachable: %", "InDestUnreachs"),
    ("Icmp<", "timeout in transit: %", "InTimeExcds"),
    ("Icmp<", "wrong parameters: %", "InParmProbs"),
    ("Icmp<", "source quenches: %", "InSrcQuenchs"),
    ("Icmp<", "redirects: %", "InRedirects"),
    ("Icmp<", "echo requests: %", "InEchos"),
    ("Icmp<", "echo replies: %", "InEchoReps"),
    ("Icmp<", "timestamp request: %", "InTimestamps"),
    ("Icmp<", "timestamp reply: %", "InTimestampReps"),
    ("Icmp<", "address mask request: %", "InAddrMasks"),
    ("Icmp<", "address mask replies: %", "InAddrMaskReps"),
    ("Icmp>", "destination unreachable: %", "OutDestUnreachs"),
    ("Icmp>", "time exceeded: %", "OutTimeExcds"),
    ("Icmp>", "wrong parameters: %", "OutParmProbs"),
    ("Icmp>", "source quench: %", "OutSrcQuenchs"),
    ("Icmp>", "redirect: %", "OutRedirects"),
    ("Icmp>", "echo requests: %", "OutEchos"),
    ("Icmp>", "echo request: %", "OutEchos"),
    ("Icmp>", "echo replies: %", "OutEchoReps"),
    ("Icmp>", "timestamp requests: %", "OutTimestamps"),
    ("Icmp>", "timestamp replies: %", "OutTimestampReps"),
    ("Icmp>", "address mask requests: %", "OutAddrMasks"),
    ("Icmp>", "address mask replies: %", "OutAddrMaskReps"),
    ("Tcp", "% active connection openings", "ActiveOpens"),
    ("Tcp", "% active connections openings", "ActiveOpens"),
    ("Tcp", "% active opens", "ActiveOpens"),
    ("Tcp", "% passive connection openings", "PassiveOpens"),
    ("Tcp", "% passive opens", "PassiveOpens"),
    ("Tcp", "% failed connection attempts", "AttemptFails"),
    ("Tcp", "% connection resets received", "EstabResets"),
    ("Tcp", "% connections established", "CurrEstab"),
    ("Tcp", "% segments received", "InSegs"),
    ("Tcp", "% segments sent out", "OutSegs"),
    ("Tcp", "% segments send out", "OutSegs"),
    ("Tcp", "% segments retransmitted", "RetransSegs"),
    ("Tcp", "% segments retransmited", "RetransSegs"),
    ("Tcp", "% bad segments received", "InErrs"),
    ("Tcp", "% resets sent", "OutRsts"),
    ("Udp", "% packets received", "InDatagrams"),
    ("Udp", "% packets to unknown port received", "NoPorts"),
    ("Udp", "% packet receive errors", "InErrors"),
    ("Udp", "% packets sent", "OutDatagrams"),
    ("Udp", "% packets send", "OutDatagrams"),
    ("Udp", "% receive buffer errors", "RcvbufErrors"),
    ("Udp", "% send buffer errors", "SndbufErrors"),
    ("Udp", "% packets with invalid checksum", "InCsumErrors"),
    ("Udp6", "% packets received", "InDatagrams"),
    ("Udp6", "% packets to unknown port received", "NoPorts"),
    ("Udp6", "% packet receive errors", "InErrors"),
    ("Udp6", "% packets sent", "OutDatagrams"),
    ("Udp6", "% receive buffer errors", "RcvbufErrors"),
    ("Udp6", "% send buffer errors", "SndbufErrors"),
    ("Udp6", "% packets with invalid checksum", "InCsumErrors"),
    ("Ip6", "% total packets received", "InReceives"),
    ("Ip6", "% with invalid headers", "InHdrErrors"),
    ("Ip6", "% with packets too big", "InTooBigErrors"),
    ("Ip6", "% incoming packets with no route", "InNoRoutes"),
    ("Ip6", "% with invalid addresses", "InAddrErrors"),
    ("Ip6", "% with unknown protocol", "InUnknownProtos"),
    ("Ip6", "% with truncated packets", "InTruncatedPkts"),
    ("Ip6", "% incoming packets discarded", "InDiscards"),
    ("Ip6", "% incoming packets delivered", "InDelivers"),
    ("Ip6", "% forwarded", "OutForwDatagrams"),
    ("Ip6", "% requests sent out", "OutRequests"),
    ("Ip6", "% outgoing packets dropped", "OutDiscards"),
    ("Ip6", "% dropped because of missing route", "OutNoRoutes"),
    ("Ip6", "% fragments dropped after timeout", "ReasmTimeout"),
    ("Ip6", "% reassemblies required", "ReasmReqds"),
    ("Ip6", "% packets reassembled ok", "ReasmOKs"),
    ("Ip6", "% packet reassemblies failed", "ReasmFails"),
    ("Ip6", "% packet reassembles failed", "ReasmFails"),
    ("Ip6", "% outgoing packets fragmented ok", "FragOKs"),
    (
        "Ip6",
        "% outgoing packets failed fragmentation",
        "FragFails",
    ),
    ("Ip6", "% fragments created", "FragCreates"),
    ("Ip6", "% incoming multicast packets", "InMcastPkts"),
    ("Ip6", "% outgoing multicast packets", "OutMcastPkts"),
    ("Icmp6", "% ICMP messages received", "InMsgs"),
    ("Icmp6", "% input ICMP message failed", "InErrors"),
    ("Icmp6", "% ICMP messages sent", "OutMsgs"),
    ("Icmp6", "% ICMP messages failed", "OutErrors"),
    ("TcpExt", "% SYN cookies sent", "SyncookiesSent"),
    ("TcpExt", "% SYN cookies received", "SyncookiesRecv"),
    (
        "TcpExt",
        "% invalid SYN cookies received",
        "SyncookiesFailed",
    ),
    (
        "TcpExt",
        "% resets received for embryonic SYN_RECV sockets",
        "EmbryonicRsts",
    ),
    (
        "TcpExt",
        "% packets pruned from receive queue because of socket buffer overrun",
        "PruneCalled",
    ),
    ("TcpExt", "% packets pruned from receive queue", "RcvPruned"),
    (
        "TcpExt",
        "% packets dropped from out-of-order queue because of socket buffer overrun",
        "OfoPruned",
    ),
    (
        "TcpExt",
        "% ICMP packets dropped because they were out-of-window",
        "OutOfWindowIcmps",
    ),
    (
        "TcpExt",
        "% ICMP packets dropped because socket was locked",
        "LockDroppedIcmps",
    ),
    (
        "TcpExt",
        "% TCP sockets finished time wait in fast timer",
        "TW",
    ),
    (
        "TcpExt",
        "% time wait sockets recycled by time stamp",
        "TWRecycled",
    ),
    (
        "TcpExt",
        "% TCP sockets finished time wait in slow timer",
        "TWKilled",
    ),
    (
        "TcpExt",
        "% passive connections rejected because of time stamp",
        "PAWSPassive",
    ),
    (
        "TcpExt",
        "% active connections rejected because of time stamp",
        "PAWSActive",
    ),
    (
        "TcpExt",
        "% packets rejected in established connections because of timestamp",
        "PAWSEstab",
    ),
    (
        "TcpExt",
        "% packets rejects in established connections because of timestamp",
        "PAWSEstab",
    ),
    (
        "TcpExt",
        "% packetes rejected in established connections because of timestamp",
        "PAWSEstab",
    ),
    ("TcpExt", "% delayed acks sent", "DelayedACKs"),
    (
        "TcpExt",
        "% delayed acks further delayed because of locked socket",
        "DelayedACKLocked",
    ),
    (
        "TcpExt",
        "Quick ack mode was activated % times",
        "DelayedACKLost",
    ),
    (
        "TcpExt",
        "% times the listen queue of a socket overflowed",
        "ListenOverflows",
    ),
    ("TcpExt", "% SYNs to LISTEN sockets dropped", "ListenDrops"),
    ("TcpExt", "% SYNs to LISTEN sockets ignored", "ListenDrops"),
    (
        "TcpExt",
        "% packets directly queued to recvmsg prequeue",
        "TCPPrequeued",
    ),
    (
        "TcpExt",
        "% bytes directly in process context from backlog",
        "TCPDirectCopyFromBacklog",
    ),
    (
        "TcpExt",
        "% packets directly received from backlog",
        "TCPDirectCopyFromBacklog",
    ),
    (
        "TcpExt",
        "% of bytes directly received from backlog",
        "TCPDirectCopyFromBacklog",
    ),
    (
        "TcpExt",
        "% bytes directly received in process context from prequeue",
        "TCPDirectCopyFromPrequeue",
    ),
    (
        "TcpExt",
        "% packets directly received from prequeue",
        "TCPDirectCopyFromPrequeue",
    ),
    (
        "TcpExt",
        "% of bytes directly received from prequeue",
        "TCPDirectCopyFromPrequeue",
    ),
    (
        "TcpExt",
        "% packets dropped from prequeue",
        "TCPPrequeueDropped",
    ),
    ("TcpExt", "% packet headers predicted", "TCPHPHits"),
    ("TcpExt", "% packets header predicted", "TCPHPHits"),
    (
        "TcpExt",
        "% packet headers predicted and directly queued to user",
        "TCPHPHitsToUser",
    ),
    (
        "TcpExt",
        "% packets header predicted and directly queued to user",
        "TCPHPHitsToUser",
    ),
    (
        "TcpExt",
        "Ran % times out of system memory during packet sending",
        "SockMallocOOM",
    ),
    (
        "TcpExt",
        "% acknowledgments not containing data payload received",
        "TCPPureAcks",
    ),
    (
        "TcpExt",
        "% acknowledgments not containing data received",
        "TCPPureAcks",
    ),
    ("TcpExt", "% predicted acknowledgments", "TCPHPAcks"),
    (
        "TcpExt",
        "% times recovered from packet loss due to fast retransmit",
        "TCPRenoRecovery",
    ),
    (
        "TcpExt",
        "% times recovered from packet loss by selective acknowledgements",
        "TCPSackRecovery",
    ),
    (
        "TcpExt",
        "% times recovered from packet loss due to SACK data",
        "TCPSackRecovery",
    ),
    ("TcpExt", "% bad SACK blocks received", "TCPSACKReneging"),
    ("TcpExt", "% bad SACKs received", "TCPSACKReneging"),
    (
        "TcpExt",
        "Detected reordering % times using FACK",
        "TCPFACKReorder",
    ),
    (
        "TcpExt",
        "Detected reordering % times using SACK",
        "TCPSACKReorder",
    ),
    (
        "TcpExt",
        "Detected reordering % times using reno fast retransmit",
        "TCPRenoReorder",
    ),
    (
        "TcpExt",
        "Detected reordering % times using time stamp",
        "TCPTSReorder",
    ),
    (
        "TcpExt",
        "% congestion windows fully recovered without slow start",
        "TCPFullUndo",
    ),
    (
        "TcpExt",
        "% congestion windows fully recovered",
        "TCPFullUndo",
    ),
    (
        "TcpExt",
        "% congestion windows partially recovered using Hoe heuristic",
        "TCPPartialUndo",
    ),
    (
        "TcpExt",
        "% congestion windows recovered without slow start by DSACK",
        "TCPDSACKUndo",
    ),
    // net-tools' own (stale) table title TCPDSackUndo; printed only for a field of that name.
    (
        "TcpExt",
        "% congestion window recovered without slow start using DSACK",
        "TCPDSackUndo",
    ),
    (
        "TcpExt",
        "% congestion window recovered using DSACK",
        "TCPDSackUndo",
    ),
    (
        "TcpExt",
        "% congestion windows recovered without slow start after partial ack",
        "TCPLossUndo",
    ),
    (
        "TcpExt",
        "% congestion windows recovered after partial ack",
        "TCPLossUndo",
    ),
    ("TcpExt", "% TCP data loss events", "TCPLoss"),
    // net-tools' table title is TCPLostRetransmits (the kernel field has no `s`).
    ("TcpExt", "% retransmits lost", "TCPLostRetransmits"),
    (
        "TcpExt",
        "% timeouts after reno fast retransmit",
        "TCPRenoFailures",
    ),
    (
        "TcpExt",
        "% timeouts after SACK recovery",
        "TCPSackFailures",
    ),
    ("TcpExt", "% timeouts in loss state", "TCPLossFailures"),
    ("TcpExt", "% fast retransmits", "TCPFastRetrans"),
    ("TcpExt", "% forward retransmits", "TCPForwardRetrans"),
    (
        "TcpExt",
        "% retransmits in slow start",
        "TCPSlowStartRetrans",
    ),
    ("TcpExt", "% other TCP timeouts", "TCPTimeouts"),
    (
        "TcpExt",
        "% reno fast retransmits failed",
        "TCPRenoRecoveryFailed",
    ),
    (
        "TcpExt",
        "% classic Reno fast retransmits failed",
        "TCPRenoRecoveryFail",
    ),
    ("TcpExt", "% SACK retransmits failed", "TCPSackRecoveryFail"),
    ("TcpExt", "% sack retransmits failed", "TCPSackRecoveryFail"),
    (
        "TcpExt",
        "% times receiver scheduled too late for direct processing",
        "TCPSchedulerFailed",
    ),
    (
        "TcpExt",
        "% packets collapsed in receive queue due to low socket buffer",
        "TCPRcvCollapsed",
    ),
    ("TcpExt", "% DSACKs sent for old packets", "TCPDSACKOldSent"),
    (
        "TcpExt",
        "% DSACKs sent for out of order packets",
        "TCPDSACKOfoSent",
    ),
    ("TcpExt", "% DSACKs received", "TCPDSACKRecv"),
    (
        "TcpExt",
        "% DSACKs for out of order packets received",
        "TCPDSACKOfoRecv",
    ),
    (
        "TcpExt",
        "% connections reset due to unexpected SYN",
        "TCPAbortOnSyn",
    ),
    (
        "TcpExt",
        "% connections reset due to unexpected data",
        "TCPAbortOnData",
    ),
    (
        "TcpExt",
        "% connections reset due to early user close",
        "TCPAbortOnClose",
    ),
    (
        "TcpExt",
        "% connections aborted due to memory pressure",
        "TCPAbortOnMemory",
    ),
    (
        "TcpExt",
        "% connections aborted due to timeout",
        "TCPAbortOnTimeout",
    ),
    (
        "TcpExt",
        "% connections aborted after user close in linger timeout",
        "TCPAbortOnLinger",
    ),
    (
        "TcpExt",
        "% times unable to send RST due to no memory",
        "TCPAbortFailed",
    ),
    (
        "TcpExt",
        "TCP ran low on memory % times",
        "TCPMemoryPressures",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("netstat_s", "coreos-master1-4.18.0-80.netstat-s");
    const SANDBOX: &str = fixture!("netstat_s", "sandbox-6.18.44.netstat-s");
    const SANDBOX6: &str = fixture!("netstat_s", "sandbox-6.18.44.netstat-s-6");
    const VAULT: &str = fixture!("netstat_s", "hotsos-vault.netstat-s");
    const EXEC_FAILED: &str = fixture!("netstat_s", "hotsos-openstack-netns-exec-failed.netstat-s");
    const OLD: &str = fixture!("netstat_s", "insights-old-wording.netstat-s");
    const WARNINGS: &str = fixture!("netstat_s", "insights-warning-lines.netstat-s");
    const SOLANA: &str = fixture!("netstat_s", "knowledge-solana-1091-udp.netstat-s");
    const DDCODE: &str = fixture!("netstat_s", "knowledge-ddcode-listen.netstat-s");
    const V160: &str = fixture!("netstat_s", "constructed-v1.60-drops.netstat-s");

    fn clean(text: &str) -> NetstatS {
        crate::test_support::clean(parse(text))
    }

    #[test]
    fn coreos_net_tools_2_0_rhel8() {
        let n = clean(COREOS);
        let c = &n.counters;
        assert_eq!(c.get("IpForwarding"), Some(1));
        assert_eq!(c.get("IpInReceives"), Some(328_107));
        assert_eq!(c.get("IpInAddrErrors"), Some(4));
        assert_eq!(c.get("IpOutNoRoutes"), Some(4165));
        assert_eq!(c.get("IcmpInErrors"), Some(423));
        assert_eq!(c.get("IcmpInDestUnreachs"), Some(714));
        assert_eq!(c.get("IcmpOutDestUnreachs"), Some(714));
        assert_eq!(c.get("IcmpMsgOutType3"), Some(714));
        assert_eq!(c.get("TcpRetransSegs"), Some(441));
        assert_eq!(c.get("TcpOutSegs"), Some(286_045));
        assert_eq!(c.get("TcpInErrs"), Some(0));
        assert_eq!(c.get("UdpRcvbufErrors"), Some(0));
        assert_eq!(c.get("UdpIgnoredMulti"), Some(15));
        assert_eq!(c.get("TcpExtTW"), Some(1));
        assert_eq!(c.get("TcpExtDelayedACKLost"), Some(3));
        assert_eq!(c.get("TcpExtTCPHPHits"), Some(98365));
        assert_eq!(c.get("TcpExtTCPTimeouts"), Some(668));
        assert_eq!(c.get("TcpExtTCPAbortOnData"), Some(322));
        assert_eq!(c.get("IpExtInNoRoutes"), Some(2));
        assert_eq!(c.get("IpExtInOctets"), Some(282_605_781));
        // opt_number fields are not printed when 0: an absent line is zero or no counter
        assert_eq!(c.get("TcpExtListenOverflows"), None);
        assert!(n.unmapped.is_empty(), "{:?}", n.unmapped);
    }

    #[test]
    fn sandbox_net_tools_2_10() {
        let n = clean(SANDBOX);
        let c = &n.counters;
        assert_eq!(c.get("IpForwarding"), Some(2));
        assert_eq!(c.get("IpOutTransmits"), Some(5094));
        assert_eq!(c.get("TcpOutRsts"), Some(9));
        assert_eq!(c.get("TcpExtTCPAbortOnClose"), Some(3));
        assert_eq!(c.get("TcpExtTcpTimeoutRehash"), Some(4));
        assert_eq!(c.get("IpExtInNoECTPkts"), Some(7975));
        assert!(n.unmapped.is_empty(), "{:?}", n.unmapped);
    }

    #[test]
    fn sandbox_ipv6() {
        let n = clean(SANDBOX6);
        let c = &n.counters;
        assert_eq!(c.get("Ip6InReceives"), Some(2));
        assert_eq!(c.get("Ip6OutRequests"), Some(21));
        assert_eq!(c.get("Ip6OutMcastPkts"), Some(17));
        assert_eq!(c.get("Ip6InOctets"), Some(256));
        assert_eq!(c.get("Icmp6InErrors"), Some(2));
        assert_eq!(c.get("Icmp6OutType135"), Some(13));
        assert_eq!(c.get("Udp6InErrors"), Some(0));
        assert_eq!(c.get("TcpActiveOpens"), Some(286));
        // ICMPv6 histogram wordings are not mapped
        let texts: Vec<&str> = n.unmapped.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "destination unreachable: 2",
                "destination unreachable: 2",
                "neighbor solicits: 13"
            ]
        );
    }

    #[test]
    fn hotsos_vault_and_exec_failure() {
        let n = clean(VAULT);
        let c = &n.counters;
        assert_eq!(c.get("IcmpInErrors"), Some(98));
        assert_eq!(c.get("UdpNoPorts"), Some(35));
        assert_eq!(c.get("UdpIgnoredMulti"), Some(278));
        assert_eq!(c.get("TcpExtTCPSACKReorder"), Some(8));
        assert_eq!(c.get("TcpExtTCPFastRetrans"), Some(8));
        assert_eq!(c.get("TcpExtTCPLostRetransmit"), Some(10));
        assert!(n.unmapped.is_empty(), "{:?}", n.unmapped);
        let p = parse(EXEC_FAILED);
        assert!(p.value.counters.is_empty());
        assert_eq!(
            p.problems.iter().map(|q| q.line).collect::<Vec<_>>(),
            vec![1, 0]
        );
    }

    #[test]
    fn old_wordings_from_insights() {
        let n = clean(OLD);
        let c = &n.counters;
        assert_eq!(c.get("IpOutDiscards"), Some(456));
        assert_eq!(c.get("IpFragOKs"), Some(4));
        assert_eq!(c.get("IcmpInErrors"), Some(0));
        assert_eq!(c.get("IcmpOutEchos"), Some(3));
        assert_eq!(c.get("IcmpInEchos"), Some(4));
        assert_eq!(c.get("TcpActiveOpens"), Some(1648));
        assert_eq!(c.get("TcpOutSegs"), Some(2_890_303));
        assert_eq!(c.get("TcpRetransSegs"), Some(428));
        assert_eq!(c.get("TcpInErrs"), Some(0));
        assert_eq!(c.get("UdpNoPorts"), Some(107));
        assert_eq!(c.get("TcpExtTCPPrequeued"), Some(999_263));
        assert_eq!(c.get("TcpExtTCPDirectCopyFromBacklog"), Some(8266));
        assert_eq!(c.get("TcpExtTCPHPHitsToUser"), Some(339_500));
        assert_eq!(c.get("TcpExtTCPAbortOnTimeout"), Some(53));
        assert_eq!(c.get("TcpExtIPReversePathFilter"), Some(1));
        assert_eq!(c.get("TcpExtTCPDeferAcceptDrop"), Some(537));
        assert_eq!(c.get("IpExtInNoRoutes"), Some(9));
        assert!(n.unmapped.is_empty(), "{:?}", n.unmapped);
    }

    #[test]
    fn warning_lines_from_insights() {
        let p = parse(WARNINGS);
        assert_eq!(p.value.counters.get("IpInAddrErrors"), Some(3));
        assert_eq!(p.value.counters.get("IpOutRequests"), Some(4777));
        // line 2 `error parsing …`, line 10 a wording without a number
        assert_eq!(
            p.problems.iter().map(|q| q.line).collect::<Vec<_>>(),
            vec![2, 10]
        );
    }

    #[test]
    fn knowledge_samples() {
        let n = clean(SOLANA);
        assert_eq!(n.counters.get("UdpInDatagrams"), Some(4_487_413_003));
        assert_eq!(n.counters.get("UdpNoPorts"), Some(8315));
        assert_eq!(n.counters.get("UdpInErrors"), Some(4_238_702_717));
        assert_eq!(n.counters.get("UdpRcvbufErrors"), Some(4_238_702_717));
        assert_eq!(n.counters.get("IpExtInMcastPkts"), Some(16));
        // a fragment without its section header: unique wordings still map
        let n = clean(DDCODE);
        assert_eq!(n.counters.get("TcpExtListenOverflows"), Some(22438));
        assert_eq!(n.counters.get("TcpExtListenDrops"), Some(49148));
    }

    #[test]
    fn v1_60_wordings_raw_fields_and_problems() {
        let p = parse(V160);
        let c = &p.value.counters;
        assert_eq!(c.get("IpForwarding"), Some(2));
        assert_eq!(c.get("IpInDiscards"), Some(7));
        assert_eq!(c.get("IpOutDiscards"), Some(5));
        assert_eq!(c.get("IpOutNoRoutes"), Some(3));
        assert_eq!(c.get("IpReasmFails"), Some(2));
        assert_eq!(c.get("TcpOutSegs"), Some(50));
        assert_eq!(c.get("TcpRetransSegs"), Some(4));
        assert_eq!(c.get("TcpInErrs"), Some(1));
        assert_eq!(c.get("TcpInCsumErrors"), Some(1));
        assert_eq!(c.get("UdpInErrors"), Some(2));
        assert_eq!(c.get("UdpRcvbufErrors"), Some(2));
        assert_eq!(c.get("UdpSndbufErrors"), Some(1));
        assert_eq!(c.get("UdpInCsumErrors"), Some(0));
        assert_eq!(c.get("TcpExtListenOverflows"), Some(11));
        assert_eq!(c.get("TcpExtListenDrops"), Some(12));
        assert_eq!(c.get("TcpExtPruneCalled"), Some(3));
        assert_eq!(c.get("TcpExtRcvPruned"), Some(2));
        assert_eq!(c.get("TcpExtOfoPruned"), Some(1));
        assert_eq!(c.get("TcpExtTCPRcvCollapsed"), Some(6));
        assert_eq!(c.get("TcpExtTCPMemoryPressures"), Some(4));
        assert_eq!(c.get("TcpExtTCPAbortOnMemory"), Some(8));
        assert_eq!(c.get("TcpExtSyncookiesSent"), Some(9));
        assert_eq!(c.get("TcpExtTCPBacklogDrop"), Some(21));
        assert_eq!(c.get("TcpExtTCPRcvQDrop"), Some(22));
        assert_eq!(c.get("TcpExtTCPZeroWindowDrop"), Some(23));
        assert_eq!(c.get("TcpExtTCPOFODrop"), Some(24));
        assert_eq!(c.get("TcpExtTCPReqQFullDrop"), Some(25));
        assert_eq!(c.get("TcpExtTCPReqQFullDoCookies"), Some(26));
        assert_eq!(c.get("TcpExtPFMemallocDrop"), Some(27));
        assert_eq!(p.value.counters.signed.get("TcpMaxConn"), Some(&-1));
        assert_eq!(p.value.unmapped.len(), 1);
        assert_eq!(p.value.unmapped[0].line, 36);
        assert_eq!(p.value.unmapped[0].section, "TcpExt");
        assert_eq!(
            p.problems.iter().map(|q| q.line).collect::<Vec<_>>(),
            vec![39]
        );
    }

    #[test]
    fn wording_table_has_no_duplicate_wording_per_section() {
        for (i, (s, w, _)) in WORDINGS.iter().enumerate() {
            assert!(
                !WORDINGS[i + 1..]
                    .iter()
                    .any(|(s2, w2, _)| s == s2 && w == w2),
                "{s} {w:?} twice"
            );
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("netstat_s"), parse);
    }
}
