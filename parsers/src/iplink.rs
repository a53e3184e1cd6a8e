//! `ip link`, `ip -s link`, `ip -s -s link`, `ip -s -d link`, `ip -d -s -s link`, with or
//! without `-h`/`-iec` (knowledge §2, mapping §1.1 and §2.4).
//!
//! A capture is a sequence of link blocks. Each block starts with a header line
//! `N: name[@peer]: <FLAGS> mtu … qdisc … [master …] state … mode … group … qlen …`
//! and goes on with indented lines:
//!
//! * `link/<type> [address] [brd …] [-d details…]`;
//! * with `-d`: a kind line (`bond mode …`, `vlan protocol 802.1Q id 100 …`, `tun type tap …`,
//!   `veth`, `vxlan id …`, …), a `<kind>_slave …` line (`bond_slave state BACKUP …`,
//!   `bridge_slave …`) and other detail lines (`addrgenmode …`, `ingress-qos-map …`, …);
//! * `alias <text>`, `altname <name>`, `prog/xdp …`, `prop list …`;
//! * with `-s`: `RX:`/`TX:` header lines, each followed by a value line; with `-s -s` also
//!   `RX errors:`/`TX errors:`;
//! * SR-IOV `vf N …` lines, each with its own `RX: bytes packets mcast bcast [dropped]` and
//!   `TX: bytes packets [dropped]` lines. These come after the device's own counters; they are
//!   checked (token counts) but their values are not stored.
//!
//! Counter columns are mapped **by the header word on the line above, never by position**:
//! the word after `dropped` on `RX:` is `overrun` (iproute2 ≤ v5.9, rx_over_errors) or `missed`
//! (≥ v5.10, rx_missed_errors), optional columns (`compressed`, `nohandler`, `otherhost`,
//! `transns`) appear only in some captures, `heartbeat` became `heartbt` in v5.14, and values
//! wider than their field shift every following value (old left-aligned layout). Lines are
//! tokenized on whitespace, so left-aligned, right-aligned and whitespace-collapsed pastes all
//! read the same. Keys are `struct rtnl_link_stats64` field names:
//!
//! | line | header word | key |
//! |---|---|---|
//! | `RX:` | bytes packets errors dropped | rx_bytes rx_packets rx_errors rx_dropped |
//! | `RX:` | overrun / missed / mcast / compressed | rx_over_errors / rx_missed_errors / multicast / rx_compressed |
//! | `RX errors:` | length crc frame fifo | rx_length_errors rx_crc_errors rx_frame_errors rx_fifo_errors |
//! | `RX errors:` | missed / overrun / nohandler / otherhost | rx_missed_errors / rx_over_errors / rx_nohandler / rx_otherhost_dropped |
//! | `TX:` | bytes packets errors dropped | tx_bytes tx_packets tx_errors tx_dropped |
//! | `TX:` | carrier collsns compressed | tx_carrier_errors collisions tx_compressed |
//! | `TX errors:` | aborted fifo window | tx_aborted_errors tx_fifo_errors tx_window_errors |
//! | `TX errors:` | heartbeat or heartbt / transns | tx_heartbeat_errors / carrier_changes |
//!
//! `-h`/`-iec` values (`6.04T`, `67.7M`, `1.03k`, `244ki`, `334Mi`) are turned into an
//! approximate `u64` (decimal or binary multiples) and mark the link `approximate`.
//!
//! Problems (never a silent skip; blank lines are ignored): a line before the first header; a
//! header whose flags are cut (`<BROADCAST,MULTI`) — the link is still kept; a value line whose
//! token count differs from its header (none of that line's values are kept); a header word
//! that is not known (that column is left out); a value above `u64` (left out); a header line
//! not followed by a line of counters (a token such as `1.5` or `x` makes the line not one);
//! values with no header; a repeated counter; any other line. A detail line is accepted quietly only where `-d` details stand (after the
//! `link/` line, before the counters), when it is indented at least as deep as the `link/` line
//! and starts with a lowercase word (`[a-z0-9][a-z0-9_.-]*`, optional trailing `:`; not `inet`,
//! `inet6`, `valid_lft`, which are `ip addr` lines and reported); a value line
//! right after an all-words detail line with the same token count (the CAN `re-started
//! bus-errors …` xstats table) is accepted as part of the details. Lines from `ip -o link`
//! (one link per line, joined by `\`) are split back into lines. JSON (`ip -j`) is refused
//! with one error.
//!
//! ```
//! use parsers::iplink;
//! let text = "\
//! 2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000
//!     link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
//!     RX:  bytes packets errors dropped  missed   mcast
//!        20000     100      0       3       0       0
//!     TX:  bytes packets errors dropped carrier collsns
//!         4000      50      0       0       0       0
//! ";
//! let links = iplink::parse(text).value;
//! assert_eq!(links[0].index, Some(2));
//! assert_eq!(links[0].name, "eth0");
//! assert_eq!(links[0].state.as_deref(), Some("UP"));
//! assert_eq!(links[0].counters["rx_bytes"], 20000);
//! assert_eq!(links[0].counters["rx_dropped"], 3);
//! assert_eq!(links[0].counters["tx_packets"], 50);
//! ```

use std::collections::BTreeMap;

use nom::bytes::complete::{take_till, take_till1};
use nom::character::complete::{char, digit1, one_of, space0, space1};
use nom::combinator::{all_consuming, map_res, opt};
use nom::sequence::preceded;
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One link block of `ip [-d] -s [-s] link` output.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IpLink {
    pub index: Option<u32>,
    /// Device name with any `@peer` suffix removed.
    pub name: String,
    /// The text after `@` on the header line (`eth0` in `eth0.100@eth0`, `if5` in `veth1@if5`).
    pub link_peer: Option<String>,
    pub flags: Vec<String>,
    pub mtu: Option<u64>,
    pub qdisc: Option<String>,
    pub master: Option<String>,
    pub state: Option<String>,
    pub qlen: Option<u64>,
    /// `ether`, `loopback`, `none`, … from the `link/<type>` line.
    pub link_type: Option<String>,
    pub address: Option<String>,
    /// `alias <text>` line, verbatim.
    pub alias: Option<String>,
    /// `-d` link kind: first word of the kind detail line (`bond`, `vlan`, `bridge`, `veth`, `tun`, `vxlan`, …).
    pub kind: Option<String>,
    /// `tap` or `tun` from a `tun type tap` detail line.
    pub tun_type: Option<String>,
    /// `bond` for a `bond_slave` line, `bridge` for `bridge_slave`, `team` for `team_slave`, …
    pub slave_kind: Option<String>,
    /// `ACTIVE` or `BACKUP` from `bond_slave state X`.
    pub bond_slave_state: Option<String>,
    pub altnames: Vec<String>,
    /// Counters keyed by `struct rtnl_link_stats64` field names (plus `carrier_changes`).
    pub counters: BTreeMap<String, u64>,
    /// True when values were printed with `-h`/`-iec` suffixes (lossy; no deltas from these).
    pub approximate: bool,
    /// 1-based line of the block's header line in the parsed text (0 if unknown).
    pub line: usize,
    /// Number of SR-IOV `vf N` lines in the block (their counters are not kept).
    pub vf_count: usize,
}

/// Which counter line a header belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Rx,
    RxErrors,
    Tx,
    TxErrors,
    VfRx,
    VfTx,
}

impl Section {
    fn label(self) -> &'static str {
        match self {
            Section::Rx => "RX:",
            Section::RxErrors => "RX errors:",
            Section::Tx => "TX:",
            Section::TxErrors => "TX errors:",
            Section::VfRx => "vf RX:",
            Section::VfTx => "vf TX:",
        }
    }

    /// The rtnl key of a header word, `None` for an unknown word. VF columns map to `""`
    /// (known, not stored).
    fn key(self, word: &str) -> Option<&'static str> {
        Some(match (self, word) {
            (Section::Rx, "bytes") => "rx_bytes",
            (Section::Rx, "packets") => "rx_packets",
            (Section::Rx, "errors") => "rx_errors",
            (Section::Rx, "dropped") => "rx_dropped",
            (Section::Rx, "overrun") => "rx_over_errors",
            (Section::Rx, "missed") => "rx_missed_errors",
            (Section::Rx, "mcast") => "multicast",
            (Section::Rx, "compressed") => "rx_compressed",
            (Section::RxErrors, "length") => "rx_length_errors",
            (Section::RxErrors, "crc") => "rx_crc_errors",
            (Section::RxErrors, "frame") => "rx_frame_errors",
            (Section::RxErrors, "fifo") => "rx_fifo_errors",
            (Section::RxErrors, "missed") => "rx_missed_errors",
            (Section::RxErrors, "overrun") => "rx_over_errors",
            (Section::RxErrors, "nohandler") => "rx_nohandler",
            (Section::RxErrors, "otherhost") => "rx_otherhost_dropped",
            (Section::Tx, "bytes") => "tx_bytes",
            (Section::Tx, "packets") => "tx_packets",
            (Section::Tx, "errors") => "tx_errors",
            (Section::Tx, "dropped") => "tx_dropped",
            (Section::Tx, "carrier") => "tx_carrier_errors",
            (Section::Tx, "collsns") => "collisions",
            (Section::Tx, "compressed") => "tx_compressed",
            (Section::TxErrors, "aborted") => "tx_aborted_errors",
            (Section::TxErrors, "fifo") => "tx_fifo_errors",
            (Section::TxErrors, "window") => "tx_window_errors",
            (Section::TxErrors, "heartbeat" | "heartbt") => "tx_heartbeat_errors",
            (Section::TxErrors, "transns") => "carrier_changes",
            (Section::VfRx, "bytes" | "packets" | "mcast" | "bcast" | "dropped") => "",
            (Section::VfTx, "bytes" | "packets" | "dropped") => "",
            _ => return None,
        })
    }
}

/// Where in a block the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// After the header line, before the `link/` line.
    Head,
    /// After the `link/` line: `-d` detail lines may follow.
    Details,
    /// Inside the device's own `RX:`/`TX:` lines.
    Stats,
    /// After a `vf N` line: `RX:`/`TX:` lines belong to the VF.
    Vf,
}

#[derive(Clone)]
struct Block {
    link: IpLink,
    stage: Stage,
    /// Indentation of the `link/` line (0 in whitespace-collapsed pastes).
    link_indent: usize,
    /// Token count of the previous line when it was an all-words detail line.
    words_detail: Option<usize>,
}

#[derive(Clone)]
struct Pending<'a> {
    section: Section,
    line: usize,
    words: Vec<&'a str>,
}

/// A parsed counter token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// Plain decimal; `None` when it does not fit in `u64`.
    Exact(Option<u64>),
    /// `-h`/`-iec` scaled value; `None` when it does not fit in `u64`.
    Human(Option<u64>),
}

/// Integer digits, fraction digits, and the `-h` unit with its `i` (IEC) marker.
type NumberParts<'a> = (&'a str, Option<&'a str>, Option<(char, Option<char>)>);

/// `digits[.digits][kMGTPE[i]]`, the whole token.
fn number_token(input: &str) -> IResult<&str, NumberParts<'_>> {
    all_consuming((
        digit1,
        opt(preceded(char('.'), digit1)),
        opt((one_of("kKMGTPE"), opt(char('i')))),
    ))
    .parse(input)
}

/// Reads one counter token; `None` when the token is not a number at all.
fn counter_value(token: &str) -> Option<Value> {
    // Plain decimals are nearly every token: no need for the general grammar.
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Value::Exact(token_u64(token)));
    }
    let (_, (int, frac, suffix)) = number_token(token).ok()?;
    let Some((unit, iec)) = suffix else {
        if frac.is_some() {
            return None;
        }
        return Some(Value::Exact(token_u64(int)));
    };
    let frac = frac.unwrap_or("");
    let base: u128 = if iec.is_some() { 1024 } else { 1000 };
    let power = match unit {
        'k' | 'K' => 1,
        'M' => 2,
        'G' => 3,
        'T' => 4,
        'P' => 5,
        _ => 6, // 'E'
    };
    Some(Value::Human(scale(int, frac, base, power)))
}

/// `int.frac × base^power`, truncated; `None` when it does not fit in `u64`.
fn scale(int: &str, frac: &str, base: u128, power: u32) -> Option<u64> {
    if int.len() + frac.len() > 30 {
        return None;
    }
    let digits: u128 = format!("{int}{frac}").parse().ok()?;
    let divisor = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let v = digits.checked_mul(base.checked_pow(power)?)? / divisor;
    u64::try_from(v).ok()
}

/// Width of the leading whitespace, a tab counting to the next multiple of 8.
fn indent_width(raw: &str) -> usize {
    let mut w = 0;
    for c in raw.chars() {
        match c {
            ' ' => w += 1,
            '\t' => w = (w / 8 + 1) * 8,
            c if c.is_whitespace() => w += 1,
            _ => break,
        }
    }
    w
}

fn is_value_line(t: &str) -> bool {
    let mut any = false;
    for tok in t.split_whitespace() {
        if counter_value(tok).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// `N: name:` at the start of a header line.
fn header_start(input: &str) -> IResult<&str, (u32, &str)> {
    let (rest, (index, _, _, name, _)) = (
        map_res(digit1, str::parse::<u32>),
        char(':'),
        space1,
        take_till1(|c: char| c == ':' || c.is_whitespace()),
        char(':'),
    )
        .parse(input)?;
    Ok((rest, (index, name)))
}

/// `<FLAGS>` after the name; the bool is false when the closing `>` is missing (cut line).
fn flags_part(input: &str) -> IResult<&str, (&str, bool)> {
    let (rest, (_, _, inner, close)) =
        (space0, char('<'), take_till(|c| c == '>'), opt(char('>'))).parse(input)?;
    Ok((rest, (inner, close.is_some())))
}

/// A lowercase detail word: `[a-z0-9][a-z0-9_.-]*` with an optional trailing `:`.
fn is_detail_word(w: &str) -> bool {
    let w = w.strip_suffix(':').unwrap_or(w);
    let mut chars = w.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
}

/// First words of detail lines that are attributes, not a link kind.
const NOT_A_KIND: &[&str] = &[
    "addrgenmode",
    "numtxqueues",
    "numrxqueues",
    "gso_max_size",
    "gso_max_segs",
    "gso_ipv4_max_size",
    "gro_max_size",
    "gro_ipv4_max_size",
    "tso_max_size",
    "tso_max_segs",
    "promiscuity",
    "allmulti",
    "minmtu",
    "maxmtu",
    "portid",
    "portname",
    "portswitch",
    "switchid",
    "parentbus",
    "parentdev",
    "link-netnsid",
    "link-netns",
    "permaddr",
    "ingress-qos-map",
    "egress-qos-map",
    "re-started",
    "bitrate",
    "tq",
    "clock",
];

#[derive(Clone, Default)]
struct State<'a> {
    links: Vec<IpLink>,
    problems: Vec<Problem>,
    /// Boxed: it is taken out and put back on every line, and an `IpLink` is large.
    cur: Option<Box<Block>>,
    pending: Option<Pending<'a>>,
}

impl<'a> State<'a> {
    fn warn(&mut self, line: usize, msg: impl Into<String>) {
        self.problems.push(Problem::warning(line, msg));
    }

    fn finish_block(&mut self) {
        if let Some(b) = self.cur.take() {
            self.links.push(b.link);
        }
    }

    fn line(&mut self, n: usize, raw: &'a str) {
        // `ip -o link`: one link per line, sections joined by `\`.
        if raw.contains('\\') {
            if let Some((head, _)) = raw.split_once('\\') {
                if header_start(head.trim()).is_ok() {
                    for seg in raw.split('\\') {
                        self.segment(n, seg);
                    }
                    return;
                }
            }
        }
        self.segment(n, raw);
    }

    fn segment(&mut self, n: usize, raw: &'a str) {
        let t = raw.trim();
        if t.is_empty() {
            return;
        }
        let indent = indent_width(raw);

        if let Some(p) = self.pending.take() {
            if is_value_line(t) {
                self.apply_values(n, p, t);
                return;
            }
            self.warn(
                n,
                format!(
                    "expected the values of the `{}` header on line {}, found another line",
                    p.section.label(),
                    p.line
                ),
            );
        }

        if let Ok((rest, (index, name))) = header_start(t) {
            self.finish_block();
            self.start_block(n, index, name, rest);
            return;
        }

        let Some(mut b) = self.cur.take() else {
            self.warn(
                n,
                "expected a link header line `N: name: <FLAGS> mtu …` before this line",
            );
            return;
        };
        self.block_line(n, indent, raw, &mut b);
        self.cur = Some(b);
    }

    /// A header line `N: name[@peer]: <FLAGS> mtu …` opens a new block.
    fn start_block(&mut self, n: usize, index: u32, full_name: &str, rest: &str) {
        let (name, peer) = match full_name.split_once('@') {
            Some((a, p)) => (a, Some(p.to_string())),
            None => (full_name, None),
        };
        let mut link = IpLink {
            index: Some(index),
            name: name.to_string(),
            link_peer: peer,
            line: n,
            ..IpLink::default()
        };
        if name.is_empty() {
            self.warn(n, "header line has an empty device name before `@`");
        }
        let after_flags = self.header_flags(n, rest, &mut link);
        self.header_words(n, after_flags, &mut link);
        self.cur = Some(Box::new(Block {
            link,
            stage: Stage::Head,
            link_indent: 0,
            words_detail: None,
        }));
    }

    /// Reads `<FLAGS>` into `link.flags` and returns the text after them. A header without
    /// flags is reported and read on from where the flags should have been.
    fn header_flags<'r>(&mut self, n: usize, rest: &'r str, link: &mut IpLink) -> &'r str {
        let name = link.name.as_str();
        let Ok((after, (inner, closed))) = flags_part(rest) else {
            self.warn(
                n,
                format!("header line of `{name}` has no `<FLAGS>` after the name"),
            );
            return rest;
        };
        let mut flags: Vec<String> = inner
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        if !closed {
            // The last flag may be cut mid-word: keep only the complete ones.
            if !inner.ends_with(',') {
                flags.pop();
            }
            self.warn(
                n,
                format!("header line of `{name}` is cut before the closing `>` of its flags"),
            );
        }
        link.flags = flags;
        after
    }

    /// The `key value` pairs after the flags (`mtu 1500 qdisc … state UP …`).
    fn header_words(&mut self, n: usize, after_flags: &str, link: &mut IpLink) {
        let toks: Vec<&str> = after_flags.split_whitespace().collect();
        let mut i = 0;
        while i < toks.len() {
            let key = toks[i];
            let val = toks.get(i + 1).copied();
            let known = matches!(
                key,
                "mtu" | "qdisc" | "master" | "state" | "mode" | "group" | "qlen"
            );
            if !known {
                // `xdp`, `xdpgeneric/id:N`, `event …` (ip monitor) and future words.
                i += 1;
                continue;
            }
            let Some(val) = val else {
                self.warn(
                    n,
                    format!("header line ends after `{key}`, expected a value"),
                );
                break;
            };
            match key {
                "mtu" | "qlen" => match token_u64(val) {
                    Some(v) if key == "mtu" => link.mtu = Some(v),
                    Some(v) => link.qlen = Some(v),
                    None => self.warn(n, format!("`{key}` value `{val}` is not a decimal u64")),
                },
                "qdisc" => link.qdisc = Some(val.to_string()),
                "master" => link.master = Some(val.to_string()),
                "state" => link.state = Some(val.to_string()),
                _ => {} // mode, group: read, not kept
            }
            i += 2;
        }
    }

    /// One indented line inside a link block. Each kind of line is tried in turn; the first
    /// that recognises the line consumes it, and a line no step recognises is reported.
    fn block_line(&mut self, n: usize, indent: usize, raw: &'a str, b: &mut Block) {
        let t = raw.trim();
        // Only the line right after an all-words detail line may be its table of values.
        let words_detail = b.words_detail.take();
        let first = t.split_whitespace().next().unwrap_or("");

        if let Some(kind) = first.strip_prefix("link/") {
            self.link_type_line(n, indent, t, kind, b);
            return;
        }
        if self.counter_header(n, t, b) || self.named_line(n, raw, first, b) {
            return;
        }
        if first.starts_with("prog/") || t.starts_with("prop list") {
            return;
        }
        if is_value_line(t) {
            if b.stage == Stage::Details && words_detail == Some(t.split_whitespace().count()) {
                return; // values of an xstats table such as CAN's `re-started bus-errors …`
            }
            self.warn(
                n,
                "values without an `RX:`/`TX:`/`RX errors:`/`TX errors:` header line above",
            );
            return;
        }
        if matches!(first, "inet" | "inet6" | "valid_lft") {
            self.warn(
                n,
                format!(
                    "address line in link `{}` (`ip addr` output?); not part of `ip link`, skipped",
                    b.link.name
                ),
            );
            return;
        }
        if b.stage == Stage::Details && indent >= b.link_indent && is_detail_word(first) {
            self.detail_line(t, b);
            if t.split_whitespace().all(|w| counter_value(w).is_none()) {
                b.words_detail = Some(t.split_whitespace().count());
            }
            return;
        }
        self.unexpected_line(n, b);
    }

    /// `link/<type> [address] …`: ends the head of the block; `-d` details may follow.
    fn link_type_line(&mut self, n: usize, indent: usize, t: &str, kind: &str, b: &mut Block) {
        if b.stage != Stage::Head {
            self.warn(n, "second `link/` line in one link block");
            return;
        }
        b.link.link_type = Some(kind.to_string());
        // `link/none` and some tunnels print no address, so the next word may be `brd` etc.
        b.link.address = t
            .split_whitespace()
            .nth(1)
            .filter(|a| a.contains(':') || a.contains('.'))
            .map(str::to_string);
        b.link_indent = indent;
        b.stage = Stage::Details;
    }

    /// `RX:`/`TX:`/`RX errors:`/`TX errors:` header: its values come on the next line, so it
    /// is kept as pending. Returns whether the line was such a header.
    fn counter_header(&mut self, n: usize, t: &'a str, b: &mut Block) -> bool {
        // `RX errors:` before `RX:` so that the longer prefix wins.
        let section = [
            ("RX errors:", Section::RxErrors),
            ("TX errors:", Section::TxErrors),
            ("RX:", Section::Rx),
            ("TX:", Section::Tx),
        ]
        .into_iter()
        .find_map(|(prefix, sec)| t.strip_prefix(prefix).map(|r| (sec, r)));
        let Some((mut section, rest)) = section else {
            return false;
        };
        if b.stage == Stage::Vf {
            // Counters after a `vf N` line are the VF's, checked but not stored.
            section = match section {
                Section::Rx => Section::VfRx,
                Section::Tx => Section::VfTx,
                other => other,
            };
        } else {
            b.stage = Stage::Stats;
        }
        self.pending = Some(Pending {
            section,
            line: n,
            words: rest.split_whitespace().collect(),
        });
        true
    }

    /// `vf N …`, `altname NAME` and `alias TEXT` lines. Returns whether the line was one.
    fn named_line(&mut self, n: usize, raw: &str, first: &str, b: &mut Block) -> bool {
        let t = raw.trim();
        let mut toks = t.split_whitespace();
        match first {
            "vf" if toks.nth(1).and_then(token_u64).is_some() => {
                b.stage = Stage::Vf;
                b.link.vf_count += 1;
            }
            "altname" => {
                let names: Vec<&str> = t.split_whitespace().skip(1).collect();
                if names.len() == 1 {
                    b.link.altnames.push(names[0].to_string());
                } else {
                    self.warn(n, "expected `altname NAME` with one name");
                }
            }
            "alias" => {
                // Verbatim: everything after `alias ` (iproute2 prints `    alias %s`).
                let rest = raw.trim_start();
                let text = rest.strip_prefix("alias ").unwrap_or("");
                b.link.alias = Some(text.to_string());
            }
            _ => return false,
        }
        true
    }

    /// Reports a line that fits nowhere, saying what the current stage of the block allows.
    fn unexpected_line(&mut self, n: usize, b: &Block) {
        let expected = match b.stage {
            Stage::Head => "a `link/<type>` line",
            Stage::Details => "a `-d` detail line, `alias`, `altname` or an `RX:`/`TX:` header",
            Stage::Stats | Stage::Vf => {
                "an `RX:`/`TX:` header, a `vf N` line, `altname` or the next link header"
            }
        };
        self.warn(
            n,
            format!(
                "unexpected line in link `{}`: expected {expected}",
                b.link.name
            ),
        );
    }

    /// A `-d` detail line (indented, starts with a lowercase word, before the counters).
    fn detail_line(&mut self, t: &str, b: &mut Block) {
        let toks: Vec<&str> = t.split_whitespace().collect();
        let Some(first) = toks.first().copied() else {
            return;
        };
        if let Some(master_kind) = first.strip_suffix("_slave") {
            b.link.slave_kind = Some(master_kind.to_string());
            if master_kind == "bond" {
                if let Some(pos) = toks.iter().position(|w| *w == "state") {
                    b.link.bond_slave_state = toks.get(pos + 1).map(|s| s.to_string());
                }
            }
            return;
        }
        if NOT_A_KIND.contains(&first) || first.ends_with(':') || b.link.kind.is_some() {
            return;
        }
        b.link.kind = Some(first.to_string());
        if first == "tun" {
            if let Some(pos) = toks.iter().position(|w| *w == "type") {
                b.link.tun_type = toks.get(pos + 1).map(|s| s.to_string());
            }
        }
    }

    /// The line of values under a pending counter header: each value is stored under the
    /// key of the header word above it.
    fn apply_values(&mut self, n: usize, p: Pending<'a>, t: &str) {
        let values: Vec<&str> = t.split_whitespace().collect();
        let Some(mut b) = self.cur.take() else {
            return;
        };
        if values.len() != p.words.len() {
            // Columns cannot be matched up, so no value on the line can be trusted.
            self.warn(
                n,
                format!(
                    "link `{}`: `{}` header on line {} has {} columns but this line has {} values; none kept",
                    b.link.name,
                    p.section.label(),
                    p.line,
                    p.words.len(),
                    values.len()
                ),
            );
            self.cur = Some(b);
            return;
        }
        // Counters are filled apart from the block so that the name can be borrowed for
        // messages without a copy per line.
        let mut counters = std::mem::take(&mut b.link.counters);
        let mut approximate = false;
        let name = b.link.name.as_str();
        for (word, tok) in p.words.iter().zip(values.iter()) {
            approximate |= self.store_counter(n, &p, name, word, tok, &mut counters);
        }
        b.link.counters = counters;
        b.link.approximate |= approximate;
        self.cur = Some(b);
    }

    /// Stores one value under its header word's key, reporting an unknown word, a value
    /// above `u64` or a repeated key. Returns whether a `-h` (approximate) value was stored.
    fn store_counter(
        &mut self,
        n: usize,
        p: &Pending<'a>,
        name: &str,
        word: &str,
        tok: &str,
        counters: &mut BTreeMap<String, u64>,
    ) -> bool {
        let Some(key) = p.section.key(word) else {
            self.warn(
                p.line,
                format!(
                    "link `{name}`: unknown column `{word}` in the `{}` header; left out",
                    p.section.label()
                ),
            );
            return false;
        };
        let (v, human) = match counter_value(tok) {
            Some(Value::Exact(v)) => (v, false),
            Some(Value::Human(v)) => (v, true),
            None => (None, false), // cannot happen: is_value_line checked every token
        };
        let Some(v) = v else {
            self.warn(
                n,
                format!("link `{name}`: `{word}` value `{tok}` does not fit in u64; left out"),
            );
            return false;
        };
        if key.is_empty() {
            return false; // VF column: checked, not kept
        }
        if counters.contains_key(key) {
            self.warn(
                n,
                format!("link `{name}`: `{key}` given twice; kept the first value"),
            );
            return false;
        }
        counters.insert(key.to_string(), v);
        human
    }
}

/// Parses the text of `ip [-d] [-s [-s]] [-h] link [show …]`.
pub fn parse(text: &str) -> Parsed<Vec<IpLink>> {
    if let Some(refused) = refuse_json(text) {
        return refused;
    }
    let mut st = State::default();
    for (n, line) in numbered_lines(text) {
        st.line(n, line);
    }
    st.finish(text)
}

/// `ip -j` output is not read: one error instead of a problem per line.
fn refuse_json(text: &str) -> Option<Parsed<Vec<IpLink>>> {
    let first = text.trim_start();
    let json = first.starts_with('{')
        || first
            .strip_prefix('[')
            .is_some_and(|r| r.trim_start().starts_with(['{', ']']));
    json.then(|| {
        Parsed::new(
            Vec::new(),
            vec![Problem::error(
                0,
                "JSON output (`ip -j … link`) is not read by this parser; expected the text layout",
            )],
        )
    })
}

impl State<'_> {
    /// Closes the last block and reports what the end of the text left open.
    fn finish(mut self, text: &str) -> Parsed<Vec<IpLink>> {
        if let Some(p) = self.pending.take() {
            self.warn(
                p.line,
                format!(
                    "the text ends before the values of the `{}` header",
                    p.section.label()
                ),
            );
        }
        self.finish_block();
        Parsed::blocks(
            self.links,
            self.problems,
            text,
            "no link header line `N: name: <FLAGS> …` found",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{
        assert_blank_is_clean_and_prose_is_an_error, assert_counters, fixture, fixtures,
        never_panics,
    };
    use crate::Severity;

    const SOS_COREOS: &str = fixture!("iplink", "sos-coreos-master1-ip_-s_-d_link.txt");
    const SB_SS: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-s_-s_link.txt");
    const SB_SD: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-s_-d_link.txt");
    const SB_DSS: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-d_-s_-s_link.txt");
    const SB_SH: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-s_-h_link.txt");
    const SB_SSHIEC: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-s_-s_-h_-iec_link.txt");
    const SB_S: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-s_link.txt");
    const SB_BARE: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_link.txt");
    const SB_ONELINE: &str = fixture!("iplink", "sandbox-iproute2-6.1-ip_-o_-s_link.txt");
    const K_A: &str = fixture!("iplink", "knowledge-s2.2a-iproute2-3.10-constructed.txt");
    const K_B: &str = fixture!("iplink", "knowledge-s2.2b-iproute2-5.9-constructed.txt");
    const K_RST: &str = fixture!("iplink", "knowledge-s2.2b-statistics-rst-literal.txt");
    const K_C: &str = fixture!("iplink", "knowledge-s2.2c-iproute2-5.10-h-literal.txt");
    const K_D: &str = fixture!("iplink", "knowledge-s2.2d-iproute2-5.14-literal.txt");
    const VFS: &str = fixture!("iplink", "literal-example-cnf-ens2f0-sriov-vfs.txt");
    const CAN: &str = fixture!("iplink", "literal-jetson-can0-mttcan.txt");
    const BOND: &str = fixture!("iplink", "literal-netdev-2022-bond-active-backup.txt");
    const VLAN_CN: &str = fixture!("iplink", "literal-cn-note-ens33.100-vlan-d-s-s.txt");
    const CONSTRUCTED: &str = fixture!("iplink", "constructed-details-and-optional-columns.txt");
    const SEED_000: &str = fixture!("iplink", "seed-000-tap-tx-drops-capture-log.txt");
    const SEED_003: &str = fixture!("iplink", "seed-003-p4p2-overrun-web-paste.txt");
    const SEED_004: &str = fixture!("iplink", "seed-004-tap-header-only.txt");

    fn clean(text: &str) -> Vec<IpLink> {
        crate::test_support::clean(parse(text))
    }

    fn link<'a>(links: &'a [IpLink], name: &str) -> &'a IpLink {
        links
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("no link {name}"))
    }

    fn c(l: &IpLink, key: &str) -> u64 {
        *l.counters
            .get(key)
            .unwrap_or_else(|| panic!("{}: no {key} in {:?}", l.name, l.counters))
    }

    fn names(links: &[IpLink]) -> Vec<&str> {
        links.iter().map(|l| l.name.as_str()).collect()
    }

    const SANDBOX_NAMES: [&str; 10] = [
        "lo", "br0", "veth1", "veth0", "tap0", "ifb9", "mv0", "vxlan42", "mvt0", "tun0",
    ];

    #[test]
    fn real_sos_coreos_old_overrun_layout() {
        let links = clean(SOS_COREOS);
        assert_eq!(names(&links), ["lo", "eth0"]);
        let eth0 = link(&links, "eth0");
        assert_eq!(eth0.index, Some(2));
        assert_eq!(eth0.line, 7);
        assert_eq!(eth0.mtu, Some(1500));
        assert_eq!(eth0.qdisc.as_deref(), Some("mq"));
        assert_eq!(eth0.state.as_deref(), Some("UP"));
        assert_eq!(eth0.qlen, Some(1000));
        assert_eq!(eth0.link_type.as_deref(), Some("ether"));
        assert_eq!(eth0.address.as_deref(), Some("00:15:5d:b7:25:12"));
        assert_eq!(eth0.flags, ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
        assert_eq!(eth0.kind, None);
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 281235503),
                ("rx_packets", 340518),
                ("multicast", 3425),
                ("tx_bytes", 24329184),
                ("tx_packets", 175205),
            ],
        );
        // `overrun` column of the old RX: line is rx_over_errors, not missed.
        assert_eq!(c(eth0, "rx_over_errors"), 0);
        assert!(!eth0.counters.contains_key("rx_missed_errors"));
        assert_eq!(eth0.counters.len(), 12);
        let lo = link(&links, "lo");
        assert_eq!(lo.link_type.as_deref(), Some("loopback"));
        assert_eq!(c(lo, "rx_bytes"), 15202900);
        assert_eq!(c(lo, "tx_packets"), 162442);
    }

    #[test]
    fn real_sandbox_s_s_new_layout_with_otherhost() {
        let links = clean(SB_SS);
        assert_eq!(names(&links), SANDBOX_NAMES);
        let veth1 = link(&links, "veth1");
        assert_eq!(veth1.link_peer.as_deref(), Some("veth0"));
        assert_eq!(veth1.alias.as_deref(), Some("uplink to br0"));
        assert_eq!(veth1.altnames, ["uplink-veth-alt"]);
        assert_counters(
            &veth1.name,
            &veth1.counters,
            &[
                ("rx_bytes", 350007650),
                ("rx_packets", 250117),
                ("rx_dropped", 250037),
                ("rx_missed_errors", 0),
                ("rx_over_errors", 0),
                ("rx_otherhost_dropped", 53),
                ("carrier_changes", 2),
                ("tx_heartbeat_errors", 0),
            ],
        );
        assert!(!veth1.counters.contains_key("rx_nohandler"));
        assert_eq!(veth1.counters.len(), 23);
        let tap0 = link(&links, "tap0");
        assert_eq!(tap0.flags, ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
        assert_counters(
            &tap0.name,
            &tap0.counters,
            &[
                ("tx_dropped", 513),
                ("tx_packets", 0),
                ("carrier_changes", 3),
            ],
        );
        assert_eq!(c(link(&links, "vxlan42"), "tx_dropped"), 11);
        let veth0 = link(&links, "veth0");
        assert_eq!(veth0.master.as_deref(), Some("br0"));
        assert_eq!(c(veth0, "tx_bytes"), 350007650);
        assert_eq!(link(&links, "tun0").link_type.as_deref(), Some("none"));
        assert_eq!(link(&links, "tun0").address, None);
    }

    #[test]
    fn real_sandbox_details_kinds_and_slaves() {
        for text in [SB_DSS, SB_SD] {
            let links = clean(text);
            assert_eq!(names(&links), SANDBOX_NAMES);
            let kinds: Vec<Option<&str>> = links.iter().map(|l| l.kind.as_deref()).collect();
            assert_eq!(
                kinds,
                [
                    None,
                    Some("bridge"),
                    Some("veth"),
                    Some("veth"),
                    Some("tun"),
                    Some("ifb"),
                    Some("macvlan"),
                    Some("vxlan"),
                    Some("macvtap"),
                    Some("tun"),
                ]
            );
            let veth0 = link(&links, "veth0");
            assert_eq!(veth0.slave_kind.as_deref(), Some("bridge"));
            assert_eq!(veth0.bond_slave_state, None);
            assert_eq!(link(&links, "tap0").tun_type.as_deref(), Some("tap"));
            assert_eq!(link(&links, "tun0").tun_type.as_deref(), Some("tun"));
            let veth1 = link(&links, "veth1");
            assert_eq!(veth1.alias.as_deref(), Some("uplink to br0"));
            assert_eq!(veth1.altnames, ["uplink-veth-alt"]);
            assert_eq!(c(veth1, "rx_dropped"), 250037);
        }
        // single -s: no `RX errors:` keys
        let sd = clean(SB_SD);
        assert!(!link(&sd, "veth1")
            .counters
            .contains_key("rx_otherhost_dropped"));
        assert_eq!(link(&sd, "veth1").counters.len(), 12);
    }

    #[test]
    fn real_sandbox_single_s_and_bare_and_oneline() {
        let s = clean(SB_S);
        assert_eq!(names(&s), SANDBOX_NAMES);
        assert_eq!(c(link(&s, "tap0"), "tx_dropped"), 513);
        let bare = clean(SB_BARE);
        assert_eq!(names(&bare), SANDBOX_NAMES);
        assert!(bare.iter().all(|l| l.counters.is_empty()));
        assert_eq!(link(&bare, "mv0").link_peer.as_deref(), Some("veth1"));
        assert_eq!(link(&bare, "veth1").altnames, ["uplink-veth-alt"]);
        let one = clean(SB_ONELINE);
        assert_eq!(names(&one), SANDBOX_NAMES);
        let veth1 = link(&one, "veth1");
        assert_eq!(veth1.line, 3);
        assert_eq!(veth1.alias.as_deref(), Some("uplink to br0"));
        assert_eq!(c(veth1, "rx_dropped"), 250037);
        assert_eq!(c(veth1, "tx_packets"), 23);
        assert_eq!(c(link(&one, "tap0"), "tx_dropped"), 513);
    }

    #[test]
    fn real_sandbox_human_readable_is_approximate() {
        let links = clean(SB_SH);
        let veth1 = link(&links, "veth1");
        assert!(veth1.approximate);
        assert_counters(
            &veth1.name,
            &veth1.counters,
            &[
                ("rx_bytes", 350_000_000), // 350M
                ("rx_packets", 250_000),   // 250k
                ("rx_dropped", 250_000),
                ("tx_bytes", 1_820), // 1.82k
                ("tx_packets", 23),
            ],
        );
        assert_eq!(c(link(&links, "br0"), "rx_bytes"), 1_500); // 1.50k
                                                               // all values below 1000: printed exactly, not approximate
        let tap0 = link(&links, "tap0");
        assert!(!tap0.approximate);
        assert_eq!(c(tap0, "tx_dropped"), 513);

        let iec = clean(SB_SSHIEC);
        let veth1 = link(&iec, "veth1");
        assert!(veth1.approximate);
        assert_counters(
            &veth1.name,
            &veth1.counters,
            &[
                ("rx_bytes", 334 * 1024 * 1024), // 334Mi
                ("rx_packets", 244 * 1024),      // 244ki
                ("rx_otherhost_dropped", 53),
            ],
        );
    }

    #[test]
    fn knowledge_a_old_left_aligned_with_trailing_spaces() {
        let links = clean(K_A);
        let eth0 = link(&links, "eth0");
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 1542412487),
                ("rx_packets", 3417815),
                ("rx_dropped", 1298),
                ("rx_over_errors", 0),
                ("rx_missed_errors", 0),
                ("tx_bytes", 186204377),
                ("tx_heartbeat_errors", 0),
            ],
        );
        assert!(!eth0.counters.contains_key("carrier_changes"));
        assert_eq!(eth0.counters.len(), 21);
    }

    #[test]
    fn knowledge_b_nohandler_transns_and_statistics_rst() {
        let b = clean(K_B);
        let eth0 = link(&b, "eth0");
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_missed_errors", 4321),
                ("rx_nohandler", 101),
                ("carrier_changes", 6),
                ("rx_over_errors", 0),
            ],
        );

        let rst = clean(K_RST);
        let l = link(&rst, "ens4u1u1");
        assert_eq!(l.index, Some(6));
        // 11-digit bytes shift the following values: still read by token.
        assert_counters(
            &l.name,
            &l.counters,
            &[
                ("rx_bytes", 74327665117),
                ("rx_packets", 69016965),
                ("tx_bytes", 21405556176),
                ("tx_packets", 44608960),
                ("carrier_changes", 128),
            ],
        );
        assert_eq!(l.altnames, ["enp58s0u1u1"]);
    }

    #[test]
    fn knowledge_c_missed_promoted_with_h_values() {
        let links = clean(K_C);
        let eth0 = link(&links, "eth0");
        assert!(eth0.approximate);
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 6_040_000_000_000), // 6.04T
                ("rx_packets", 4_670_000_000),   // 4.67G
                ("rx_missed_errors", 7),         // `missed` on the RX: line
                ("multicast", 67_700_000),       // 67.7M
                ("rx_over_errors", 0),           // `overrun` on RX errors:
                ("tx_bytes", 3_130_000_000_000),
                ("tx_packets", 2_760_000_000),
                ("carrier_changes", 6),
            ],
        );
    }

    #[test]
    fn knowledge_d_right_aligned_heartbt_and_wide_values() {
        let links = clean(K_D);
        let eth0 = link(&links, "eth0");
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 8228633710),
                ("rx_packets", 8618408),
                ("tx_bytes", 692006303),
                ("tx_packets", 4727740),
                ("tx_heartbeat_errors", 0),
                ("carrier_changes", 10),
            ],
        );
        let eth1 = link(&links, "eth1");
        assert_counters(
            &eth1.name,
            &eth1.counters,
            &[
                ("rx_bytes", 126570234447969),
                ("rx_packets", 15016149200),
                ("rx_missed_errors", 0),
                ("rx_over_errors", 0),
            ],
        );
        assert!(!eth1.counters.contains_key("tx_bytes"));
        assert!(!eth0.approximate && !eth1.approximate);
    }

    #[test]
    fn literal_sriov_vf_blocks_are_not_device_counters() {
        let links = clean(VFS);
        assert_eq!(links.len(), 1);
        let l = &links[0];
        assert_eq!(l.name, "ens2f0");
        assert_eq!(l.vf_count, 16);
        assert_eq!(l.altnames, ["enp55s0f0"]);
        assert_counters(
            &l.name,
            &l.counters,
            &[
                ("rx_bytes", 670348),
                ("rx_packets", 9563),
                ("multicast", 3372),
                ("tx_bytes", 225778),
                ("tx_packets", 1382),
                ("rx_dropped", 0),
            ],
        );
        assert_eq!(l.counters.len(), 12);
    }

    #[test]
    fn literal_can_details_with_tabs_and_xstats_table() {
        let links = clean(CAN);
        let can0 = link(&links, "can0");
        assert_eq!(can0.kind.as_deref(), Some("can"));
        assert_eq!(can0.link_type.as_deref(), Some("can"));
        assert_eq!(can0.address, None);
        assert_eq!(can0.flags, ["NOARP", "UP", "LOWER_UP", "ECHO"]);
        assert_counters(
            &can0.name,
            &can0.counters,
            &[
                ("rx_packets", 1134825),
                ("rx_errors", 1134813),
                ("tx_dropped", 4),
                ("tx_bytes", 40),
            ],
        );
    }

    #[test]
    fn literal_bond_active_backup_slaves() {
        let links = clean(BOND);
        assert_eq!(names(&links), ["bond0", "link1_1", "link2_1"]);
        let bond0 = link(&links, "bond0");
        assert_eq!(bond0.kind.as_deref(), Some("bond"));
        assert!(bond0.counters.is_empty());
        for (name, peer, rx_packets) in [("link1_1", "if10", 5622), ("link2_1", "if12", 5776)] {
            let l = link(&links, name);
            assert_eq!(l.link_peer.as_deref(), Some(peer));
            assert_eq!(l.kind.as_deref(), Some("veth"));
            assert_eq!(l.slave_kind.as_deref(), Some("bond"));
            assert_eq!(l.bond_slave_state.as_deref(), Some("BACKUP"));
            assert_eq!(l.master.as_deref(), Some("bond0"));
            assert_eq!(c(l, "rx_packets"), rx_packets);
        }
    }

    #[test]
    fn literal_vlan_old_layout_with_details() {
        let links = clean(VLAN_CN);
        let l = link(&links, "ens33.100");
        assert_eq!(l.link_peer.as_deref(), Some("ens33"));
        assert_eq!(l.kind.as_deref(), Some("vlan"));
        assert_eq!(l.mtu, Some(9000));
        assert_counters(
            &l.name,
            &l.counters,
            &[
                ("tx_bytes", 738),
                ("tx_packets", 9),
                ("carrier_changes", 3),
                ("rx_over_errors", 0),
            ],
        );
    }

    #[test]
    fn constructed_details_and_optional_columns() {
        let links = clean(CONSTRUCTED);
        assert_eq!(
            names(&links),
            ["lo", "sit0", "eth0", "bond0", "bond0.100", "team0", "vnet3"]
        );
        let lo = link(&links, "lo");
        assert_eq!(lo.qdisc.as_deref(), Some("noqueue")); // `xdpgeneric` word skipped
        assert_eq!(lo.kind, None); // prog/xdp line is not a kind
        let sit0 = link(&links, "sit0");
        assert_eq!(sit0.link_peer.as_deref(), Some("NONE"));
        assert_eq!(sit0.kind.as_deref(), Some("sit"));
        assert_eq!(sit0.address.as_deref(), Some("0.0.0.0"));

        let eth0 = link(&links, "eth0");
        assert_eq!(eth0.slave_kind.as_deref(), Some("bond"));
        assert_eq!(eth0.bond_slave_state.as_deref(), Some("ACTIVE"));
        assert_eq!(eth0.kind, None);
        assert_eq!(eth0.altnames, ["enp1s0", "ens1"]);
        let expect = [
            ("rx_bytes", 91234567890123),
            ("rx_packets", 1234567890),
            ("rx_errors", 0),
            ("rx_dropped", 12),
            ("rx_missed_errors", 345),
            ("multicast", 678),
            ("rx_length_errors", 1),
            ("rx_crc_errors", 2),
            ("rx_frame_errors", 3),
            ("rx_fifo_errors", 4),
            ("rx_over_errors", 5),
            ("rx_nohandler", 6),
            ("rx_otherhost_dropped", 7),
            ("tx_bytes", 12345678901234),
            ("tx_packets", 987654321),
            ("tx_errors", 0),
            ("tx_dropped", 9),
            ("tx_carrier_errors", 0),
            ("collisions", 0),
            ("tx_compressed", 3),
            ("tx_aborted_errors", 0),
            ("tx_fifo_errors", 0),
            ("tx_window_errors", 0),
            ("tx_heartbeat_errors", 0),
            ("carrier_changes", 4),
        ];
        for (k, v) in expect {
            assert_eq!(c(eth0, k), v, "{k}");
        }
        assert_eq!(eth0.counters.len(), expect.len());

        assert_eq!(link(&links, "bond0").kind.as_deref(), Some("bond"));
        let vlan = link(&links, "bond0.100");
        assert_eq!(vlan.kind.as_deref(), Some("vlan"));
        assert!(vlan.approximate);
        assert_eq!(c(vlan, "rx_compressed"), 1_500); // 1.5k
        assert_eq!(c(vlan, "multicast"), 67_700_000);
        assert_eq!(link(&links, "team0").kind.as_deref(), Some("team"));
        let vnet3 = link(&links, "vnet3");
        assert_eq!(vnet3.kind.as_deref(), Some("tun"));
        assert_eq!(vnet3.tun_type.as_deref(), Some("tap"));
        assert_eq!(vnet3.slave_kind.as_deref(), Some("openvswitch"));
        assert_eq!(vnet3.master.as_deref(), Some("ovs-system"));
        assert_eq!(vnet3.alias.as_deref(), Some("  VM   web-01   "));
    }

    #[test]
    fn seed_000_capture_log_tap_tx_drops() {
        let p = parse(SEED_000);
        assert_eq!(p.value.len(), 10);
        assert!(p.value.iter().all(|l| l.name == "tapc18eb09e-01"
            && l.index == Some(69)
            && l.master.as_deref() == Some("qbrc18eb09e-01")));
        let tx_dropped: Vec<u64> = p.value.iter().map(|l| c(l, "tx_dropped")).collect();
        assert_eq!(
            tx_dropped,
            [
                11155280, 11155280, 11155280, 11155280, 11155280, 11155280, 11188074, 11223096,
                11260740, 11302179
            ]
        );
        let first = &p.value[0];
        assert_counters(
            &first.name,
            &first.counters,
            &[
                ("rx_bytes", 5500034259301),
                ("rx_packets", 132047795),
                ("tx_bytes", 5481296464),
                ("tx_packets", 81741449),
                ("carrier_changes", 0),
            ],
        );
        // Every line that is not `ip` output (prompt, dates, commands) is reported.
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(
            lines,
            [
                1, 2, 4, 5, 6, 7, 18, 19, 30, 31, 42, 43, 54, 55, 66, 67, 68, 69, 70, 71, 72, 83,
                84, 95, 96, 107, 108, 119, 120
            ]
        );
        assert!(p.problems.iter().all(|p| p.severity == Severity::Warning));
    }

    #[test]
    fn seed_003_collapsed_paste_with_cut_header() {
        let p = parse(SEED_003);
        assert_eq!(p.value.len(), 1);
        let l = &p.value[0];
        assert_eq!(l.name, "p4p2");
        assert_eq!(l.index, Some(11));
        assert_eq!(l.flags, ["BROADCAST", "MULTICAST", "UP"]);
        assert_eq!(l.mtu, None);
        assert_counters(
            &l.name,
            &l.counters,
            &[
                ("rx_bytes", 3405890854),
                ("rx_packets", 1534610082),
                ("rx_errors", 146442),
                ("rx_over_errors", 146442),
                ("multicast", 13189),
                ("rx_missed_errors", 0),
                ("tx_packets", 1198049468),
            ],
        );
        assert!(!l.counters.contains_key("carrier_changes"));
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 2]); // the shell prompt, the cut flags
        assert!(p.problems[1].message.contains("cut"));
    }

    #[test]
    fn seed_004_header_only() {
        let links = clean(SEED_004);
        let l = &links[0];
        assert_eq!(l.name, "tap30035i0");
        assert_eq!(l.index, Some(43));
        assert_eq!(l.master.as_deref(), Some("fwbr30035i0"));
        assert_eq!(l.state.as_deref(), Some("UNKNOWN"));
        assert_eq!(l.qlen, Some(1000));
        assert!(l.flags.contains(&"PROMISC".to_string()));
        assert!(l.counters.is_empty());
        assert_eq!(l.link_type, None);
    }

    #[test]
    fn crlf_and_collapsed_whitespace_read_the_same() {
        for text in [SB_DSS, SOS_COREOS, VFS, BOND, CONSTRUCTED] {
            let base = parse(text);
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(parse(&crlf), base);
            let collapsed: String = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
                .collect();
            let p = parse(&collapsed);
            assert_eq!(p.problems, base.problems);
            for (a, b) in p.value.iter().zip(base.value.iter()) {
                let mut b = b.clone();
                // alias text is verbatim, so collapsing changes it
                b.alias = b
                    .alias
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
                assert_eq!(*a, b);
            }
        }
    }

    fn problem_lines(text: &str) -> Vec<(usize, String)> {
        parse(text)
            .problems
            .into_iter()
            .map(|p| (p.line, p.message))
            .collect()
    }

    #[test]
    fn header_value_count_mismatch_keeps_nothing() {
        let text = "2: eth0: <UP> mtu 1500\n    link/ether 00:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n    RX: bytes packets errors dropped missed mcast\n    1 2 3 4 5\n    TX: bytes packets errors dropped carrier collsns\n    1 2 3 4 5 6\n";
        let p = parse(text);
        let l = &p.value[0];
        assert!(!l.counters.contains_key("rx_bytes"));
        assert_eq!(c(l, "tx_bytes"), 1);
        assert_eq!(c(l, "collisions"), 6);
        let lines = problem_lines(text);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, 4);
        assert!(lines[0].1.contains("6 columns but this line has 5 values"));
    }

    #[test]
    fn unknown_word_overflow_and_bad_tokens() {
        let text = "2: eth0: <UP> mtu 1500\n    link/ether 00:00:00:00:00:01\n    RX: bytes packets errors dropped missed mcast frobs\n    18446744073709551616 2 3 4 5 6 7\n    TX: bytes packets errors dropped carrier collsns\n    20E 18E 1.5 0 0 0\n";
        let p = parse(text);
        let l = &p.value[0];
        assert!(!l.counters.contains_key("rx_bytes"));
        assert_eq!(c(l, "rx_packets"), 2);
        assert_eq!(c(l, "multicast"), 6);
        assert_eq!(l.counters.len(), 5);
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        // line 3: unknown `frobs`; line 4: u64 overflow; line 6: `1.5` is not a counter, so the
        // whole line is not a value line (reported as expected values / unexpected line).
        assert_eq!(lines, [4, 3, 6, 6]);
        assert!(p.problems[0].message.contains("does not fit in u64"));
        assert!(p.problems[1].message.contains("unknown column `frobs`"));

        // Human values: 18E fits (1.8e19 < 2^64), 20E does not.
        let text = "2: eth0: <UP>\n    RX: bytes packets\n    20E 18E\n";
        let p = parse(text);
        assert_eq!(c(&p.value[0], "rx_packets"), 18_000_000_000_000_000_000);
        assert!(p.value[0].approximate);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 3);
    }

    #[test]
    fn misplaced_lines_are_problems() {
        let text = "\
garbage before
2: eth0: <UP> mtu 1500
    link/ether 00:00:00:00:00:01
    1 2 3
    RX: bytes packets errors dropped missed mcast
    TX: bytes packets errors dropped carrier collsns
    1 2 3 4 5 6
    bridge forward_delay 1500
    Something Else
    inet 10.0.0.1/24 scope global eth0
3: eth1: <UP>
    link/ether 00:00:00:00:00:02
unindented detail
    RX: bytes packets
";
        let p = parse(text);
        assert_eq!(names(&p.value), ["eth0", "eth1"]);
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        // 1: before any header; 4: values without header; 6: RX: not followed by values;
        // 8: detail after the counters; 9: uppercase word; 10: `ip addr` line;
        // 13: less indented than link/; 14: text ends before the values.
        assert_eq!(lines, [1, 4, 6, 8, 9, 10, 13, 14]);
        assert_eq!(c(&p.value[0], "tx_bytes"), 1);
        assert!(!p.value[0].counters.contains_key("rx_bytes"));
        assert_eq!(p.value[0].kind, None);
    }

    #[test]
    fn can_xstats_pure_value_line_is_a_detail() {
        let text = "3: can1: <NOARP,ECHO> mtu 16 qdisc noop state DOWN\n    link/can\n    can state STOPPED restart-ms 0\n          re-started bus-errors arbit-lost error-warn error-pass bus-off\n          0          0          0          0          0          0\n";
        let links = clean(text);
        assert_eq!(links[0].kind.as_deref(), Some("can"));
        assert!(links[0].counters.is_empty());
    }

    #[test]
    fn names_with_peers_and_odd_characters() {
        let text =
            "5: eth0.100@eth0: <UP>\n6: veth1@if5: <UP>\n7: eth0@NONE: <UP>\n8: my-dev_1.2: <UP>\n";
        let links = clean(text);
        let got: Vec<(&str, Option<&str>)> = links
            .iter()
            .map(|l| (l.name.as_str(), l.link_peer.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("eth0.100", Some("eth0")),
                ("veth1", Some("if5")),
                ("eth0", Some("NONE")),
                ("my-dev_1.2", None)
            ]
        );
    }

    #[test]
    fn json_empty_and_garbage() {
        assert_blank_is_clean_and_prose_is_an_error(parse, "\n  \n");
        let j = parse("[{\"ifindex\":1,\"ifname\":\"lo\"}]");
        assert_eq!(j.problems.len(), 1);
        assert_eq!(j.problems[0].severity, Severity::Error);
    }

    #[test]
    fn never_panics_on_truncations_and_garbage() {
        // `parse` is a fold over lines, so `parse(&text[..j])` equals: the state after the
        // complete lines before `j`, fed the cut line, then finished. That gives every char
        // boundary of every fixture without re-reading each prefix from the start (quadratic,
        // minutes in a debug build); a sample of boundaries is checked against `parse` itself.
        let mut checked = 0usize;
        for text in fixtures("iplink").iter().map(|(_, t)| t.as_str()) {
            let mut st = State::default();
            let mut line_start = 0usize;
            let mut n = 0usize;
            for (j, _) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                let cut = &text[line_start..j];
                let got = if refuse_json(&text[..j]).is_some() {
                    parse(&text[..j])
                } else {
                    let mut s2 = st.clone();
                    if !cut.is_empty() {
                        s2.line(n + 1, cut.strip_suffix('\r').unwrap_or(cut));
                    }
                    s2.finish(&text[..j])
                };
                if j % 97 == 0 {
                    assert_eq!(got, parse(&text[..j]), "boundary {j}");
                    checked += 1;
                }
                if text[j..].starts_with('\n') {
                    n += 1;
                    st.line(n, cut.strip_suffix('\r').unwrap_or(cut));
                    line_start = j + 1;
                }
            }
        }
        assert!(checked > 500);
        for text in fixtures("iplink").iter().map(|(_, t)| t.as_str()) {
            for i in (0..text.len())
                .filter(|i| text.is_char_boundary(*i))
                .step_by(53)
            {
                let _ = parse(&text[i..]);
            }
        }
        for g in [
            "1:",
            "1: :",
            "1: a:",
            "1: a: <",
            "1: a: <>",
            "1: @: <> mtu",
            "1: a@: <> mtu x qlen",
            "4294967296: a: <>",
            "1: a: <>\\",
            "\\\\\\",
            "1: a: <>\n RX:\n\n",
            "1: a: <>\n RX: a b\n 1E 2Ei\n",
            "1: a: <>\n RX: bytes\n 99999999999999999999999999999999999999999k\n",
            "1: a: <>\n RX: bytes\n 1.99999999999999999999999999999999999999E\n",
            "1: a: <>\n link/\n vf\n vf x\n altname\n alias\n prop list\n prog/\n",
            "1: a: <>\n\t\t\u{a0}x\n",
            "é: ü: <ß>",
            "[",
            "{",
            "\r\r\n",
        ] {
            let _ = parse(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("iplink"), parse);
    }
}
