//! `nstat` output (iproute2 `misc/nstat.c`; protocol-layers knowledge §3) into
//! [`ProtoCounters`], with the facts the output itself tells about how it was made.
//!
//! * First line `#kernel`, or `#<pid>.<rand> sampling_interval=<s> time_const=<s>` when an
//!   `nstat -d` daemon answered ([`NstatSource`]).
//! * Rows `fprintf("%-32s%-16llu%6.1f", name, value, rate)`, split on blanks. A name of 32 or
//!   more characters abuts its value (`<name><value>   0.0`): the trailing digits of the first
//!   token after position 32 are the value. Delta output may end a row with ` (overflow)`.
//! * `-j` output, `{"kernel":{"IpInReceives":2,…}}` (also pretty-printed with `-p`), is read
//!   too; its problems are on line 0.
//! * Names are used as printed; they are the keys [`crate::snmp`] builds. nstat never prints
//!   `IpForwarding IpDefaultTTL TcpRtoAlgorithm TcpRtoMin TcpRtoMax TcpMaxConn TcpCurrEstab`.
//! * The rate column is 0.0 unless a daemon samples; it is not kept.
//!
//! What the output alone cannot tell: whether values are **absolute since boot** (`-a`, as
//! in sos `nstat -zas` and supportconfig `nstat -az`) or **deltas** since the last run. Both
//! print the same rows, and nstat without `-a` prints absolute values too when it has no
//! history file. Only ` (overflow)` ([`Nstat::overflowed`]) proves delta output. Whether `-z`
//! was given shows only when some row is zero ([`Nstat::has_zero_rows`]). Take the command
//! line from the archive (file name, supportconfig header) for both.
//!
//! Problems (warnings, 1-based line): a row that is not `name value [rate]`, a value that is
//! not a number, a name seen twice, a `#` line after the first. No counter at all is an error
//! on line 0.
//!
//! ```
//! use parsers::nstat;
//! let text = "\
//! #kernel
//! IpInReceives                    2168061            0.0
//! TcpExtListenOverflows           0                  0.0
//! TcpExtIPReversePathFilter       2124               0.0
//! ";
//! let parsed = nstat::parse(text);
//! assert!(parsed.problems.is_empty());
//! let n = parsed.value;
//! assert_eq!(n.source, Some(nstat::NstatSource::Kernel));
//! assert_eq!(n.counters.get("TcpExtIPReversePathFilter"), Some(2124));
//! assert!(n.has_zero_rows);
//! assert!(n.overflowed.is_empty());
//! ```

use serde::Serialize;

use crate::snmp::{clip, is_name, ProtoCounters, Value};
use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// Who produced the numbers, from the `#` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NstatSource {
    /// `#kernel`: nstat read `/proc/net/*` itself.
    Kernel,
    /// `#<pid>.<rand> sampling_interval=<s> time_const=<s>`: an `nstat -d` daemon answered;
    /// the rates are averages over `time_const` seconds.
    Daemon {
        sampling_interval: Option<u64>,
        time_const: Option<u64>,
    },
    /// Any other `#` text, kept verbatim.
    Other(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Nstat {
    pub counters: ProtoCounters,
    /// From the first `#` line; `None` when the text has none (a cut paste).
    pub source: Option<NstatSource>,
    /// True when a row's value is 0: `-z` was given (nstat hides zero rows otherwise).
    pub has_zero_rows: bool,
    /// Names whose row ends with ` (overflow)`: the counter went backwards since the history
    /// snapshot. Only delta output prints this.
    pub overflowed: Vec<String>,
    /// True when the text was `-j` JSON.
    pub json: bool,
}

pub fn parse(text: &str) -> Parsed<Nstat> {
    if text.trim_start().starts_with("{") {
        return parse_json(text);
    }
    let mut nstat = Nstat::default();
    let mut problems = Vec::new();
    let mut seen_header = false;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(info) = line.strip_prefix('#') {
            if seen_header || !nstat.counters.is_empty() {
                problems.push(Problem::warning(
                    no,
                    format!("a second `#` line ({:?}); the first is kept", clip(line)),
                ));
            } else {
                nstat.source = Some(source(info));
            }
            seen_header = true;
            continue;
        }
        row(line, no, &mut nstat, &mut problems);
    }
    if nstat.counters.is_empty() {
        problems.push(Problem::error(0, "no nstat row found"));
    }
    Parsed::new(nstat, problems)
}

/// True for the line nstat prints first: `#kernel`, or an `nstat -d` daemon's
/// `#<pid>.<rand> sampling_interval=…`.
pub fn is_header(line: &str) -> bool {
    line.strip_prefix('#').is_some_and(|info| {
        matches!(
            source(info),
            NstatSource::Kernel | NstatSource::Daemon { .. }
        )
    })
}

/// True for one counter row as nstat prints it, named after a kernel group
/// (`TcpExtListenDrops  1234  0.0`; the rate column may be cut): how rows pasted without
/// their `#kernel` line (`nstat -az | grep -i drop`) are recognised.
pub fn is_counter_row(line: &str) -> bool {
    let mut nstat = Nstat::default();
    let mut problems = Vec::new();
    row(line.trim(), 0, &mut nstat, &mut problems);
    let named = |name: &String| crate::snmp::group_of(name).is_some();
    problems.is_empty() && nstat.counters.counters.keys().next().is_some_and(named)
}

fn source(info: &str) -> NstatSource {
    let info = info.trim();
    if info == "kernel" {
        return NstatSource::Kernel;
    }
    let mut tokens = info.split_whitespace();
    let daemon_id = tokens.next().is_some_and(|t| {
        t.split_once('.')
            .is_some_and(|(pid, rand)| token_u64(pid).is_some() && token_u64(rand).is_some())
    });
    if !daemon_id {
        return NstatSource::Other(info.to_owned());
    }
    let mut sampling_interval = None;
    let mut time_const = None;
    for token in tokens {
        match token.split_once('=') {
            Some(("sampling_interval", v)) => sampling_interval = token_u64(v),
            Some(("time_const", v)) => time_const = token_u64(v),
            _ => {}
        }
    }
    NstatSource::Daemon {
        sampling_interval,
        time_const,
    }
}

/// One `name value rate [(overflow)]` row.
fn row(line: &str, no: usize, nstat: &mut Nstat, problems: &mut Vec<Problem>) {
    let mut tokens: Vec<&str> = line.split_whitespace().collect();
    let overflow = tokens.last() == Some(&"(overflow)");
    if overflow {
        tokens.pop();
    }
    let (name, value) = match tokens.as_slice() {
        [name, value, rate] if is_rate(rate) => (*name, *value),
        [joined, rate] if is_rate(rate) => match split_long_name(joined) {
            Some(pair) => pair,
            None => {
                problems.push(bad_row(no, line));
                return;
            }
        },
        [name, value] => (*name, *value),
        _ => {
            problems.push(bad_row(no, line));
            return;
        }
    };
    if !is_name(name) {
        problems.push(bad_row(no, line));
        return;
    }
    let Some(v) = token_u64(value) else {
        problems.push(Problem::warning(
            no,
            format!("{name}: {:?} is not a number", clip(value)),
        ));
        return;
    };
    if v == 0 {
        nstat.has_zero_rows = true;
    }
    if overflow {
        nstat.overflowed.push(name.to_owned());
    }
    nstat
        .counters
        .record(name, Value::Unsigned(v), no, problems);
}

fn bad_row(no: usize, line: &str) -> Problem {
    Problem::warning(
        no,
        format!("expected `name value rate`, found {:?}", clip(line)),
    )
}

/// The `%6.1f` rate column: digits with one decimal point.
fn is_rate(token: &str) -> bool {
    token
        .split_once('.')
        .is_some_and(|(a, b)| token_u64(a).is_some() && token_u64(b).is_some())
}

/// A name of 32+ characters printed against its value (`%-32s` pads nothing): the value is
/// the trailing run of digits that starts at or after position 32.
fn split_long_name(joined: &str) -> Option<(&str, &str)> {
    let digits = joined.bytes().rev().take_while(u8::is_ascii_digit).count();
    let cut = joined.len().checked_sub(digits)?;
    if digits == 0 || cut < 32 {
        return None;
    }
    Some((joined.get(..cut)?, joined.get(cut..)?))
}

/// `nstat -j`: `{"<source>":{"Name":value,…}}`.
fn parse_json(text: &str) -> Parsed<Nstat> {
    let mut nstat = Nstat {
        json: true,
        ..Nstat::default()
    };
    let mut problems = Vec::new();
    let parsed: Result<serde_json::Map<String, serde_json::Value>, _> = serde_json::from_str(text);
    let Ok(outer) = parsed else {
        problems.push(Problem::error(0, "nstat -j output is not a JSON object"));
        return Parsed::new(nstat, problems);
    };
    for (info, inner) in &outer {
        if nstat.source.is_some() {
            problems.push(Problem::warning(
                0,
                format!("second source {info:?} ignored"),
            ));
            continue;
        }
        nstat.source = Some(source(info));
        let Some(rows) = inner.as_object() else {
            problems.push(Problem::warning(
                0,
                format!("{info:?} does not hold an object"),
            ));
            continue;
        };
        for (name, value) in rows {
            match value.as_u64() {
                Some(v) => {
                    nstat.has_zero_rows |= v == 0;
                    nstat
                        .counters
                        .record(name, Value::Unsigned(v), 0, &mut problems);
                }
                None => problems.push(Problem::warning(
                    0,
                    format!("{name}: {value} is not an unsigned number"),
                )),
            }
        }
    }
    if nstat.counters.is_empty() {
        problems.push(Problem::error(0, "no nstat counter found"));
    }
    Parsed::new(nstat, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const HOTSOS: &str = fixture!("nstat", "hotsos-openstack-5.4.nstat-zas");
    const ZAS: &str = fixture!("nstat", "sandbox-6.18.44.nstat-zas");
    const AS: &str = fixture!("nstat", "sandbox-6.18.44.nstat-as");
    const DELTA: &str = fixture!("nstat", "sandbox-6.18.44.nstat-delta");
    const JSON: &str = fixture!("nstat", "sandbox-6.18.44.nstat-ajs.json");
    const DAEMON: &str = fixture!("nstat", "constructed-daemon-overflow-longname.nstat");

    fn clean(text: &str) -> Nstat {
        crate::test_support::clean(parse(text))
    }

    #[test]
    fn hotsos_openstack_5_4_zas() {
        let n = clean(HOTSOS);
        assert_eq!(n.source, Some(NstatSource::Kernel));
        assert!(n.has_zero_rows);
        assert!(!n.json);
        let c = &n.counters;
        assert_eq!(c.get("IpInReceives"), Some(2_168_061));
        assert_eq!(c.get("IpOutNoRoutes"), Some(15));
        assert_eq!(c.get("IcmpInErrors"), Some(5));
        assert_eq!(c.get("TcpRetransSegs"), Some(153));
        assert_eq!(c.get("UdpIgnoredMulti"), Some(427));
        assert_eq!(c.get("Ip6InNoRoutes"), Some(91));
        assert_eq!(c.get("Icmp6OutType133"), Some(208));
        assert_eq!(c.get("TcpExtTCPLostRetransmit"), Some(5));
        assert_eq!(c.get("TcpExtIPReversePathFilter"), Some(2124));
        assert_eq!(c.get("TcpExtTCPFastOpenListenOverflow"), Some(0));
        assert_eq!(c.get("IpExtInOctets"), Some(16_725_926_486));
        assert_eq!(c.get("IpExtReasmOverlaps"), Some(0));
        // never printed by nstat
        assert_eq!(c.get("TcpMaxConn"), None);
        assert_eq!(c.get("IpForwarding"), None);
        assert_eq!(c.len(), 294);
    }

    #[test]
    fn sandbox_zas_as_and_delta() {
        let n = clean(ZAS);
        assert!(n.has_zero_rows);
        assert_eq!(n.counters.len(), 395);
        assert_eq!(n.counters.get("IpInReceives"), Some(7973));
        assert_eq!(n.counters.get("TcpExtTCPAODroppedIcmps"), Some(0));
        assert_eq!(n.counters.get("MPTcpExtWinProbe"), Some(0));
        let n = clean(AS);
        assert!(!n.has_zero_rows);
        assert_eq!(n.counters.len(), 59);
        assert_eq!(n.counters.get("TcpExtTCPRcvCoalesce"), Some(4276));
        let n = clean(DELTA);
        assert!(n.overflowed.is_empty());
        assert_eq!(n.counters.get("TcpAttemptFails"), Some(1));
        assert_eq!(n.counters.get("IpExtInOctets"), Some(100));
        assert_eq!(n.counters.len(), 12);
    }

    #[test]
    fn json_output() {
        let n = clean(JSON);
        assert!(n.json);
        assert_eq!(n.source, Some(NstatSource::Kernel));
        assert_eq!(n.counters.get("IpInReceives"), Some(7975));
        assert_eq!(n.counters.get("TcpOutRsts"), Some(9));
        assert_eq!(n.counters.get("IcmpMsgInType3"), Some(2));
    }

    #[test]
    fn daemon_overflow_long_name_and_bad_rows() {
        let p = parse(DAEMON);
        let n = &p.value;
        assert_eq!(
            n.source,
            Some(NstatSource::Daemon {
                sampling_interval: Some(10),
                time_const: Some(60)
            })
        );
        assert_eq!(n.overflowed, vec!["TcpExtListenOverflows".to_owned()]);
        assert_eq!(n.counters.get("TcpExtListenOverflows"), Some(12));
        assert_eq!(n.counters.get("TcpExtListenDrops"), Some(15));
        assert_eq!(n.counters.get("MPTcpExtMPJoinSynAckHMacFailureXY"), Some(7));
        assert_eq!(n.counters.get("TcpExtTCPBacklogDrop"), Some(3));
        assert!(!n.has_zero_rows);
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![6, 7]);
    }

    #[test]
    fn other_texts() {
        let p = parse("");
        assert_eq!(p.problems.len(), 1);
        let p = parse("nstat: open history file: Permission denied\n");
        assert!(p.value.counters.is_empty());
        assert_eq!(
            p.problems.iter().map(|q| q.line).collect::<Vec<_>>(),
            vec![1, 0]
        );
        let p = parse("{\"kernel\":{\"TcpInErrs\":-1}}");
        assert_eq!(p.problems.len(), 2);
        let p = parse("#kernel\n#kernel\nUdpInErrors 4\n");
        assert_eq!(p.value.counters.get("UdpInErrors"), Some(4));
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("nstat"), parse);
    }
}
