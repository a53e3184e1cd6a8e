//! `/proc/net/snmp`, `/proc/net/netstat` and `/proc/net/snmp6` (protocol-layers knowledge §2),
//! and [`ProtoCounters`], the counter map that [`crate::nstat`] and [`crate::netstat_s`] fill
//! too.
//!
//! * `snmp` and `netstat` are pairs of lines: a header `Group: Name1 Name2 …` and a value line
//!   `Group: v1 v2 …`. Values pair with names by position **within the pair** (fields are added
//!   in almost every kernel release, so no fixed position is assumed). A group may come back
//!   (`IcmpMsg:` starts a new pair every 16 ICMP types): its pairs are merged.
//! * `snmp6` is one `Name value` per line (`Ip6InReceives   2`); the name is kept as it is.
//!   Both layouts may be mixed in one text (a paste of several files).
//! * Keys are the nstat names: group and field concatenated (`TcpExtListenOverflows`,
//!   `UdpRcvbufErrors`, `IcmpMsgInType3`), which is exactly what `nstat` prints.
//! * Negative values are kept in [`ProtoCounters::signed`], not reported: `Tcp MaxConn` is `-1`
//!   by design.
//!
//! Problems (warnings, with the 1-based line): a header without a value line, a value line
//! without a header, a value line whose group differs from its header's, different name and
//! value counts (the first `min(names, values)` are still paired), a value that is not a
//! number (the others are kept), a name seen twice (the first value is kept), and any other
//! line. An empty text or one without any counter is an error on line 0.
//!
//! ```
//! use parsers::snmp;
//! let text = "\
//! Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens RetransSegs
//! Tcp: 1 200 120000 -1 18023 153
//! TcpExt: SyncookiesSent ListenOverflows ListenDrops
//! TcpExt: 0 22438 49148
//! ";
//! let parsed = snmp::parse(text);
//! assert!(parsed.problems.is_empty());
//! let counters = parsed.value;
//! assert_eq!(counters.get("TcpExtListenOverflows"), Some(22438));
//! assert_eq!(counters.get("TcpRetransSegs"), Some(153));
//! assert_eq!(counters.signed["TcpMaxConn"], -1);
//! assert_eq!(counters.get("TcpMaxConn"), None);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// Protocol counters keyed by their nstat name (`TcpExtListenOverflows`). One type for the
/// three inputs (`/proc/net/snmp`+`netstat`, `nstat`, `netstat -s`), so their keys compare.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProtoCounters {
    /// Every non-negative value, by nstat name.
    pub counters: BTreeMap<String, u64>,
    /// Values printed negative (only `TcpMaxConn`, `-1`, on the kernels seen), by nstat name.
    /// A name is in at most one of the two maps.
    pub signed: BTreeMap<String, i64>,
}

impl ProtoCounters {
    /// The non-negative value of `name` (nstat spelling), if the input had it.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.counters.get(name).copied()
    }

    /// Number of names held, in both maps.
    pub fn len(&self) -> usize {
        self.counters.len() + self.signed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `name` is already held (in either map).
    pub fn contains(&self, name: &str) -> bool {
        self.counters.contains_key(name) || self.signed.contains_key(name)
    }

    /// Stores `name = value` read on line `no`; a name already held keeps its first value and
    /// the repeat is a warning.
    pub(crate) fn record(
        &mut self,
        name: &str,
        value: Value,
        no: usize,
        problems: &mut Vec<Problem>,
    ) {
        if self.contains(name) {
            problems.push(Problem::warning(
                no,
                format!("{name} appears again; the first value is kept"),
            ));
            return;
        }
        match value {
            Value::Unsigned(v) => self.counters.insert(name.to_owned(), v).map(|_| ()),
            Value::Signed(v) => self.signed.insert(name.to_owned(), v).map(|_| ()),
        };
    }
}

/// The groups of `/proc/net/snmp` (`Ip` … `UdpLite`) and `/proc/net/netstat` (`TcpExt`,
/// `IpExt`, `MPTcpExt`), each printed as `Group: …` line pairs and as `Group:` headers by
/// `netstat -s`.
pub const PAIR_GROUPS: &[&str] = &[
    "Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite", "TcpExt", "IpExt", "MPTcpExt",
];

/// The groups of `/proc/net/snmp6`, whose counter names carry them (`Ip6InReceives`), and
/// `netstat -s -6`'s headers.
pub const SNMP6_GROUPS: &[&str] = &["Ip6", "Icmp6", "Udp6", "UdpLite6"];

/// The group of an nstat counter name, the longest that prefixes it before a capital letter
/// (`TcpExtListenDrops` → `TcpExt`, `Icmp6InErrors` → `Icmp6`); `None` for a name of no
/// kernel group (`Ipsum`, `MemTotal`).
///
/// ```
/// use parsers::snmp::group_of;
/// assert_eq!(group_of("TcpExtListenDrops"), Some("TcpExt"));
/// assert_eq!(group_of("Udp6RcvbufErrors"), Some("Udp6"));
/// assert_eq!(group_of("IcmpMsgInType3"), Some("IcmpMsg"));
/// assert_eq!(group_of("Ipsum"), None);
/// ```
pub fn group_of(name: &str) -> Option<&'static str> {
    PAIR_GROUPS
        .iter()
        .chain(SNMP6_GROUPS)
        .filter(|g| {
            name.strip_prefix(**g)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
        .max_by_key(|g| g.len())
        .copied()
}

/// A counter value as printed: unsigned, or negative (`-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    Unsigned(u64),
    Signed(i64),
}

/// A decimal `u64`, or a negative `i64` (`-1`); `None` for anything else.
pub(crate) fn value_token(token: &str) -> Option<Value> {
    if let Some(v) = token_u64(token) {
        return Some(Value::Unsigned(v));
    }
    let digits = token.strip_prefix('-')?;
    token_u64(digits)?;
    token.parse().ok().map(Value::Signed)
}

/// A counter or group name: ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_name(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphabetic())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// At most 120 characters of `s`, for messages.
pub(crate) fn clip(s: &str) -> &str {
    match s.char_indices().nth(120) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// A header line waiting for its value line.
struct Header<'a> {
    no: usize,
    group: &'a str,
    names: Vec<&'a str>,
}

pub fn parse(text: &str) -> Parsed<ProtoCounters> {
    let mut counters = ProtoCounters::default();
    let mut problems = Vec::new();
    let mut pending: Option<Header> = None;
    let mut any_line = false;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        any_line = true;
        // A paste may indent every line (a Markdown code block, a quote in a ticket).
        let line = line.trim_start();
        match group_line(line) {
            Some((group, tokens)) if starts_with_value(&tokens) => match pending.take() {
                Some(header) => {
                    pair(&header, no, group, &tokens, &mut counters, &mut problems);
                }
                None => problems.push(Problem::warning(
                    no,
                    format!("{group}: values without a header line before them"),
                )),
            },
            Some((group, names)) if names.iter().all(|n| is_name(n)) => {
                if let Some(old) = pending.replace(Header { no, group, names }) {
                    problems.push(unpaired(&old));
                }
            }
            _ => {
                if let Some(old) = pending.take() {
                    problems.push(unpaired(&old));
                }
                snmp6_line(line, no, &mut counters, &mut problems);
            }
        }
    }
    if let Some(old) = pending {
        problems.push(unpaired(&old));
    }
    if !any_line {
        problems.push(Problem::error(
            0,
            "empty text: expected `Group: names` / `Group: values` line pairs",
        ));
    } else if counters.is_empty() {
        problems.push(Problem::error(0, "no counter found"));
    }
    problems.sort_by_key(|p| p.line);
    Parsed::new(counters, problems)
}

/// `Group: tok tok …` with a name before the colon; `None` for any other line.
fn group_line(line: &str) -> Option<(&str, Vec<&str>)> {
    let (group, rest) = line.split_once(':')?;
    if !is_name(group) {
        return None;
    }
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    Some((group, tokens))
}

/// A value line starts with a number (`1`, `-1`); a header with a name.
fn starts_with_value(tokens: &[&str]) -> bool {
    tokens
        .first()
        .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
}

fn unpaired(header: &Header) -> Problem {
    Problem::warning(
        header.no,
        format!("{}: header line without its value line", header.group),
    )
}

/// Pairs the value line `no` with its header by position and records the counters.
fn pair(
    header: &Header,
    no: usize,
    group: &str,
    values: &[&str],
    counters: &mut ProtoCounters,
    problems: &mut Vec<Problem>,
) {
    if group != header.group {
        problems.push(Problem::warning(
            no,
            format!(
                "values for {group} follow the {} header of line {}; not paired",
                header.group, header.no
            ),
        ));
        return;
    }
    if values.len() != header.names.len() {
        problems.push(Problem::warning(
            no,
            format!(
                "{group}: {} values for {} names (line {}); the first {} are paired",
                values.len(),
                header.names.len(),
                header.no,
                values.len().min(header.names.len())
            ),
        ));
    }
    for (name, token) in header.names.iter().zip(values) {
        let key = format!("{group}{name}");
        match value_token(token) {
            Some(value) => counters.record(&key, value, no, problems),
            None => problems.push(Problem::warning(
                no,
                format!("{key}: {:?} is not a number", clip(token)),
            )),
        }
    }
}

/// A `/proc/net/snmp6` line, `Name value`; anything else is a warning.
fn snmp6_line(line: &str, no: usize, counters: &mut ProtoCounters, problems: &mut Vec<Problem>) {
    let mut tokens = line.split_whitespace();
    if let (Some(name), Some(token), None) = (tokens.next(), tokens.next(), tokens.next()) {
        if is_name(name) {
            if let Some(value) = value_token(token) {
                counters.record(name, value, no, problems);
                return;
            }
        }
    }
    problems.push(Problem::warning(
        no,
        format!(
            "expected `Group: names`, `Group: values` or `Name value`, found {:?}",
            clip(line)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS_SNMP: &str = fixture!("snmp", "coreos-master1-4.18.0-80.snmp");
    const COREOS_NETSTAT: &str = fixture!("snmp", "coreos-master1-4.18.0-80.netstat");
    const COREOS_SNMP6: &str = fixture!("snmp", "coreos-master1-4.18.0-80.snmp6");
    const SANDBOX_SNMP: &str = fixture!("snmp", "sandbox-6.18.44.snmp");
    const SANDBOX_NETSTAT: &str = fixture!("snmp", "sandbox-6.18.44.netstat");
    const SANDBOX_SNMP6: &str = fixture!("snmp", "sandbox-6.18.44.snmp6");
    const OLD_KERNEL: &str = fixture!("snmp", "insights-old-kernel.snmp");
    const HOTSOS: &str = fixture!("snmp", "knowledge-hotsos-5.4-excerpt.snmp");
    const ICMPMSG: &str = fixture!("snmp", "constructed-icmpmsg-two-pairs.snmp");
    const MISMATCHES: &str = fixture!("snmp", "constructed-mismatches-crlf.snmp");

    fn clean(text: &str) -> ProtoCounters {
        crate::test_support::clean(parse(text))
    }

    #[test]
    fn coreos_4_18_snmp() {
        let c = clean(COREOS_SNMP);
        assert_eq!(c.get("IpForwarding"), Some(1));
        assert_eq!(c.get("IpOutNoRoutes"), Some(4165));
        assert_eq!(c.get("IpInAddrErrors"), Some(4));
        assert_eq!(c.get("IcmpInErrors"), Some(423));
        assert_eq!(c.get("IcmpMsgOutType3"), Some(714));
        assert_eq!(c.get("TcpRetransSegs"), Some(441));
        assert_eq!(c.get("TcpOutSegs"), Some(286_018));
        assert_eq!(c.get("TcpAttemptFails"), Some(53221));
        assert_eq!(c.signed.get("TcpMaxConn"), Some(&-1));
        assert_eq!(c.get("UdpIgnoredMulti"), Some(15));
        assert_eq!(c.get("UdpInDatagrams"), Some(55718));
        // 4.18 has no Udp MemErrors and no Ip OutTransmits
        assert_eq!(c.get("UdpMemErrors"), None);
        assert_eq!(c.get("IpOutTransmits"), None);
        assert_eq!(c.get("UdpLiteIgnoredMulti"), Some(0));
        // 19 Ip + 27 Icmp + 2 IcmpMsg + 15 Tcp + 8 Udp + 8 UdpLite
        assert_eq!(c.len(), 19 + 27 + 2 + 15 + 8 + 8);
    }

    #[test]
    fn coreos_4_18_netstat() {
        let c = clean(COREOS_NETSTAT);
        assert_eq!(c.get("TcpExtTW"), Some(1));
        assert_eq!(c.get("TcpExtDelayedACKs"), Some(20901));
        assert_eq!(c.get("TcpExtListenOverflows"), Some(0));
        assert_eq!(c.get("TcpExtTCPTimeouts"), Some(668));
        assert_eq!(c.get("TcpExtTCPSpuriousRtxHostQueues"), Some(432));
        assert_eq!(c.get("TcpExtTCPWqueueTooBig"), Some(0));
        // 4.18 has no TCPZeroWindowDrop / TCPRcvQDrop yet
        assert_eq!(c.get("TcpExtTCPRcvQDrop"), None);
        assert_eq!(c.get("IpExtInNoRoutes"), Some(2));
        assert_eq!(c.get("IpExtInOctets"), Some(282_603_325));
        assert_eq!(c.get("IpExtReasmOverlaps"), Some(0));
    }

    #[test]
    fn coreos_4_18_snmp6() {
        let c = clean(COREOS_SNMP6);
        assert_eq!(c.len(), 85);
        assert_eq!(c.get("Ip6InReceives"), Some(126));
        assert_eq!(c.get("Udp6InErrors"), Some(0));
    }

    #[test]
    fn sandbox_6_18_all_three_files() {
        let c = clean(SANDBOX_SNMP);
        assert_eq!(c.get("IpForwarding"), Some(2));
        assert_eq!(c.get("IpOutTransmits"), Some(5092));
        assert_eq!(c.get("IcmpOutRateLimitHost"), Some(0));
        assert_eq!(c.get("IcmpMsgInType3"), Some(2));
        assert_eq!(c.get("TcpOutRsts"), Some(8));
        assert_eq!(c.get("UdpMemErrors"), Some(0));
        let c = clean(SANDBOX_NETSTAT);
        assert_eq!(c.get("TcpExtTW"), Some(277));
        assert_eq!(c.get("TcpExtTCPRcvCoalesce"), Some(4276));
        assert_eq!(c.get("TcpExtTCPRcvQDrop"), Some(0));
        assert_eq!(c.get("TcpExtTCPAODroppedIcmps"), Some(0));
        assert_eq!(c.get("IpExtInOctets"), Some(270_075_718));
        assert_eq!(c.get("MPTcpExtWinProbe"), Some(0));
        let c = clean(SANDBOX_SNMP6);
        assert_eq!(c.get("Ip6InReceives"), Some(2));
        assert_eq!(c.get("Icmp6OutType135"), Some(13));
    }

    #[test]
    fn pasted_files_concatenated() {
        let text = format!("{COREOS_SNMP}{COREOS_NETSTAT}{COREOS_SNMP6}");
        let c = clean(&text);
        assert_eq!(c.get("TcpRetransSegs"), Some(441));
        assert_eq!(c.get("IpExtInNoRoutes"), Some(2));
        assert_eq!(c.get("Ip6InReceives"), Some(126));
    }

    #[test]
    fn old_kernel_without_csum_fields() {
        let c = clean(OLD_KERNEL);
        assert_eq!(c.get("IpReasmFails"), Some(10));
        assert_eq!(c.get("IpInAddrErrors"), Some(2));
        assert_eq!(c.get("IcmpOutMsgs"), Some(2));
        assert_eq!(c.get("IcmpInCsumErrors"), None);
        assert_eq!(c.get("TcpOutRsts"), Some(9));
        assert_eq!(c.get("TcpInCsumErrors"), None);
        assert_eq!(c.get("UdpRcvbufErrors"), Some(1));
        assert_eq!(c.get("UdpSndbufErrors"), Some(4));
        assert_eq!(c.get("UdpInCsumErrors"), None);
        assert_eq!(c.get("UdpLiteSndbufErrors"), Some(100));
        assert_eq!(c.signed["TcpMaxConn"], -1);
    }

    #[test]
    fn hotsos_5_4_excerpt() {
        let c = clean(HOTSOS);
        assert_eq!(c.get("UdpInErrors"), Some(1234));
        assert_eq!(c.get("UdpInCsumErrors"), Some(22));
        assert_eq!(c.get("UdpIgnoredMulti"), Some(427));
        assert_eq!(c.get("TcpOutRsts"), Some(30562));
        assert_eq!(c.get("IpOutNoRoutes"), Some(15));
    }

    #[test]
    fn icmpmsg_pairs_are_merged() {
        let c = clean(ICMPMSG);
        assert_eq!(c.get("IcmpMsgInType0"), Some(1));
        assert_eq!(c.get("IcmpMsgInType15"), Some(16));
        assert_eq!(c.get("IcmpMsgInType16"), Some(17));
        assert_eq!(c.get("IcmpMsgOutType8"), Some(800));
        assert_eq!(c.get("TcpInCsumErrors"), Some(3));
        assert_eq!(c.get("TcpInErrs"), Some(4));
    }

    #[test]
    fn indented_lines_read_like_the_file() {
        // The same file pasted as a Markdown code block (four spaces), and with a tab.
        for indent in ["    ", "\t"] {
            let text: String = ICMPMSG.lines().map(|l| format!("{indent}{l}\n")).collect();
            let p = parse(&text);
            assert!(p.problems.is_empty(), "{:?}", p.problems);
            assert_eq!(p.value, parse(ICMPMSG).value);
            assert_eq!(p.value.get("IcmpMsgOutType3"), Some(300));
        }
    }

    #[test]
    fn mismatches_are_problems_and_the_readable_part_is_kept() {
        let p = parse(MISMATCHES);
        let c = &p.value;
        // line 2: 2 values for 3 names, the first two paired
        assert_eq!(c.get("TcpActiveOpens"), Some(1));
        assert_eq!(c.get("TcpPassiveOpens"), Some(2));
        assert_eq!(c.get("TcpRetransSegs"), None);
        // line 4: Ip values under a Udp header: not paired
        assert_eq!(c.get("UdpInDatagrams"), Some(7));
        // line 6: `x8` is not a number
        assert_eq!(c.get("UdpRcvbufErrors"), None);
        assert_eq!(c.get("IpExtInNoRoutes"), Some(9));
        assert_eq!(c.get("Ip6InDiscards"), Some(42));
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 2 count, 4 group, 6 non-number, 7 header without values, 10 values without
        // header, 11 garbage, 13 repeated name, 14 header at the end
        assert_eq!(lines, vec![2, 4, 6, 7, 10, 11, 13, 14]);
        assert!(p.problems[6].message.contains("Ip6InDiscards"));
    }

    #[test]
    fn empty_and_error_text() {
        let p = parse("");
        assert!(p.value.is_empty());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 0);
        let p = parse("cat: /proc/net/snmp: No such file or directory\n");
        assert!(p.value.is_empty());
        assert_eq!(
            p.problems.iter().map(|q| q.line).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("snmp"), parse);
    }
}
