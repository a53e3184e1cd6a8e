//! `ifconfig [-a] [iface]` from net-tools: the old 1.60 layout and the new (≥ 2.0 snapshots,
//! 2.10) layout, knowledge §3.
//!
//! A capture is a sequence of interface blocks. A block starts with a header line:
//!
//! * old (`"%-9.9s Link encap:%s  "`): `eth0      Link encap:Ethernet  HWaddr 00:0C:29:AB:CD:EF`.
//!   The name is **cut to 9 characters** by `%-9.9s` (`verylongveth0` prints as `verylongv`), so a
//!   9-character old-format name may be a prefix of the real device name
//!   ([`IfconfigIface::name_may_be_truncated`]); map it back by prefix or MAC.
//! * new (`"%s: %s  mtu %d"`): `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500`. Names
//!   are printed in full. `flags=0<` (net-tools prints no `>` when no flag is set) is accepted.
//!
//! Alias blocks (`eth0:1`, `veth1:1:`) are blocks of their own; they carry no counter lines
//! (net-tools prints statistics only for the primary address), and neither do down interfaces in
//! some builds. A block's other lines:
//!
//! | old | new | kept as |
//! |---|---|---|
//! | `inet addr:… Bcast:… Mask:…`, `inet6 addr: …/64 Scope:Link`, IPX/EtherTalk/econet | `inet …  netmask …`, `inet6 …  prefixlen …`, `ipx`/`ddp`/`ec` | understood, not stored |
//! | `UP BROADCAST … MTU:1500  Metric:1` (`[NO FLAGS]`) | flags in the header | `flags`, `mtu` |
//! | `HWaddr` on the header | `ether 52:54:…  txqueuelen 1000  (Ethernet)` | `mac`, `txqueuelen`, `encap` |
//! | `RX packets:%llu errors:%lu dropped:%lu overruns:%lu frame:%lu` | `RX packets %llu  bytes %llu (…)` + `RX errors %lu  dropped %lu  overruns %lu  frame %lu` | counters |
//! | `TX packets:%llu errors:%lu dropped:%lu overruns:%lu carrier:%lu` | `TX packets …  bytes …` + `TX errors %lu  dropped %lu overruns %lu  carrier %lu  collisions %lu` | counters |
//! | `collisions:%lu [compressed:%lu] txqueuelen:%d` | – | `collisions`, `tx_compressed`, `txqueuelen` |
//! | `RX bytes:%llu (…)  TX bytes:%llu (…)` | – | `rx_bytes`, `tx_bytes` |
//! | `compressed:%lu` alone (1.60, CSLIP), `RX compressed:%lu` | `RX compressed %lu` / `RX compressed:%lu`, `TX compressed …` | `rx_compressed`, `tx_compressed` |
//! | `Interrupt:19 Base address:0x… Memory:f7e00000-f7e20000 DMA chan:…` | `device interrupt 19  memory 0x…` | understood, not stored |
//! | – | `media …` | understood, not stored |
//!
//! Counter lines are read as `word`/`word:` followed by a number (any blank run, also none or one
//! after the colon: `dropped: 0`; the single space before TX `overruns` in net-tools ≤ 2.10 is
//! just another blank run), with `RX`/`TX` switching the direction, and the parenthesized unit
//! text (`(3.4 TB)`, `(132.6 Kb)`, `(77.0 KiB)`, `(0.0 b)`) skipped: the integer is the value.
//! Keys are the /proc/net/dev aggregates ifconfig prints (§3.1): `proc_rx_drop` (= rx_dropped +
//! rx_missed_errors), `proc_rx_frame` (length + over + crc + frame errors), `proc_tx_carrier`
//! (carrier + aborted + window + heartbeat); `overruns` are `rx_fifo_errors`/`tx_fifo_errors`.
//!
//! Pasted captures: CR line ends, tabs, lost indentation and collapsed blanks read the same.
//! Annotation marks that people add to pasted lines (`>> RX packets:1 [errors:7] … <<`) are removed
//! with a warning and the values inside them are kept. Lines of a block whose header is not in the
//! text (a slice that starts inside a block) are kept under an unnamed interface (`name` empty)
//! with a warning. `ifconfig -s` / `netstat -i` short listings (`Iface  MTU … RX-OK RX-ERR …`) are
//! recognised and reported once (with their line range), not read.
//!
//! Only the C locale is understood: net-tools translates its words with gettext, so a translated
//! capture gives problems. Problems (never a silent skip; blank lines are ignored): a line that is
//! none of the above; a counter line with an unknown word (none of its values are kept); a value
//! above `u64`; a counter repeated within a block (the first value is kept); `error fetching
//! interface information` lines; no interface at all in a non-empty text (an error).
//! Counter width (§3.4): on 32-bit userlands the `%lu` counters wrap at 2^32; nothing here can
//! tell, the timeline has to.
//!
//! ```
//! use parsers::ifconfig;
//! let text = "\
//! eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
//!         ether 52:54:00:12:34:56  txqueuelen 1000  (Ethernet)
//!         RX packets 100  bytes 20000 (19.5 KiB)
//!         RX errors 0  dropped 3  overruns 0  frame 0
//!         TX packets 50  bytes 4000 (3.9 KiB)
//!         TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0
//! ";
//! let ifaces = ifconfig::parse(text).value;
//! assert_eq!(ifaces[0].name, "eth0");
//! assert_eq!(ifaces[0].mtu, Some(1500));
//! assert_eq!(ifaces[0].mac.as_deref(), Some("52:54:00:12:34:56"));
//! assert_eq!(ifaces[0].counters["rx_packets"], 100);
//! assert_eq!(ifaces[0].counters["proc_rx_drop"], 3); // the /proc/net/dev drop column
//! assert_eq!(ifaces[0].counters["tx_bytes"], 4000);
//! ```

use std::collections::BTreeMap;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_till1, take_until};
use nom::character::complete::{alpha1, char, digit1, hex_digit1, space0, space1};
use nom::combinator::{all_consuming, opt, value, verify};
use nom::multi::many0;
use nom::sequence::{delimited, preceded, terminated};
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::text::{numbered_lines, token_u64, word_offsets};
use crate::{Parsed, Problem};

/// One interface block. Counter keys follow the /proc/net/dev aggregates ifconfig prints
/// (knowledge §3.1): rx_packets rx_bytes rx_errors `proc_rx_drop` (dropped) rx_fifo_errors
/// (overruns) `proc_rx_frame` (frame) tx_packets tx_bytes tx_errors tx_dropped tx_fifo_errors
/// (TX overruns) `proc_tx_carrier` (carrier) collisions [rx_compressed tx_compressed].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IfconfigIface {
    /// Name as printed (old format cuts names at 9 characters; aliases such as `eth0:1` kept).
    /// Empty for lines whose block header is not in the text.
    pub name: String,
    /// 1-based line of the block's first line.
    pub line: usize,
    pub flags: Vec<String>,
    pub mtu: Option<u64>,
    pub txqueuelen: Option<u64>,
    pub mac: Option<String>,
    pub counters: BTreeMap<String, u64>,
    /// Which net-tools layout the block is in.
    pub layout: IfconfigLayout,
    /// Hardware type title: old `Link encap:<title>`, new `(<title>)` at the end of the
    /// hardware line (`Ethernet`, `Local Loopback`, `UNSPEC`, …).
    pub encap: Option<String>,
    /// True for an old-format name of exactly 9 characters: `%-9.9s` may have cut it.
    pub name_may_be_truncated: bool,
}

/// The two `ifconfig` layouts (knowledge §3.2, §3.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IfconfigLayout {
    /// Not known (a block without header and without counter lines).
    #[default]
    Unknown,
    /// net-tools 1.60: `Link encap:`, `RX packets:N errors:N …`.
    Old,
    /// net-tools ≥ 2.0 snapshots and 2.10: `flags=…<…>  mtu N`, `RX packets N  bytes N …`.
    New,
}

/// Parses an `ifconfig` capture (either layout, also both mixed in one capture log).
pub fn parse(text: &str) -> Parsed<Vec<IfconfigIface>> {
    let mut st = State::default();
    for (no, line) in numbered_lines(text) {
        st.line(no, line);
    }
    st.finish(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Rx,
    Tx,
}

/// One piece of a counter line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item<'a> {
    /// `RX` / `TX`.
    Dir(Dir),
    /// `word` or `word:` and the digits after it; the bool is true when a colon was there.
    Pair(&'a str, &'a str, bool),
    /// Parenthesized unit text such as `(3.4 TB)`.
    Unit,
}

fn item(input: &str) -> IResult<&str, Item<'_>> {
    preceded(
        space0,
        alt((
            value(
                Item::Unit,
                delimited(char('('), take_till(|c| c == ')'), char(')')),
            ),
            terminated(
                alt((value(Dir::Rx, tag("RX")), value(Dir::Tx, tag("TX")))),
                space1,
            )
            .map(Item::Dir),
            (alpha1, opt(char(':')), space0, digit1)
                .map(|(k, colon, _, v)| Item::Pair(k, v, colon.is_some())),
        )),
    )
    .parse(input)
}

/// A whole counter line as items; `None` when the line is not made of items only.
fn counter_items(line: &str) -> Option<Vec<Item<'_>>> {
    let (_, (items, _)) = all_consuming((many0(item), space0)).parse(line).ok()?;
    let starts_right = match items.first() {
        Some(Item::Dir(_)) => true,
        Some(Item::Pair(k, _, _)) => matches!(*k, "collisions" | "compressed"),
        _ => false,
    };
    let has_pair = items.iter().any(|i| matches!(i, Item::Pair(..)));
    (starts_right && has_pair).then_some(items)
}

/// Where one counter word goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Counter(&'static str),
    TxQueueLen,
}

/// Each value of a counter line (its digits) with where it goes.
type CounterPlan<'a> = Vec<(Target, &'a str)>;

/// Where each value of a counter line goes, and whether any word had a colon (the old
/// net-tools layout). Every word is checked before anything is stored: a line with an
/// unknown word keeps none of its values, and the error says which word.
fn plan_counters<'a>(items: &[Item<'a>]) -> Result<(CounterPlan<'a>, bool), String> {
    let mut dir = None;
    let mut plan = Vec::new();
    let mut any_colon = false;
    for it in items {
        match *it {
            Item::Dir(d) => dir = Some(d),
            Item::Unit => {}
            Item::Pair(word, digits, colon) => {
                any_colon |= colon;
                let Some(tg) = target(dir, word) else {
                    let side = match dir {
                        Some(Dir::Rx) => "RX ",
                        Some(Dir::Tx) => "TX ",
                        None => "",
                    };
                    return Err(format!(
                        "unknown counter `{side}{word}`; no value of this line kept"
                    ));
                };
                // net-tools 1.60 `collisions:0 compressed:0 txqueuelen:…`: that `compressed`
                // is tx_compressed, so the words after `collisions` count as TX.
                if word == "collisions" {
                    dir = Some(Dir::Tx);
                }
                plan.push((tg, digits));
            }
        }
    }
    Ok((plan, any_colon))
}

fn target(dir: Option<Dir>, word: &str) -> Option<Target> {
    use Target::Counter as C;
    Some(match (dir, word) {
        (_, "collisions") => C("collisions"),
        (_, "txqueuelen") => Target::TxQueueLen,
        // net-tools 1.60 prints `             compressed:%lu` on a line of its own after the RX
        // line (CSLIP devices): that is rx_compressed.
        (None, "compressed") => C("rx_compressed"),
        (Some(Dir::Rx), "packets") => C("rx_packets"),
        (Some(Dir::Rx), "bytes") => C("rx_bytes"),
        (Some(Dir::Rx), "errors") => C("rx_errors"),
        (Some(Dir::Rx), "dropped") => C("proc_rx_drop"),
        (Some(Dir::Rx), "overruns") => C("rx_fifo_errors"),
        (Some(Dir::Rx), "frame") => C("proc_rx_frame"),
        (Some(Dir::Rx), "compressed") => C("rx_compressed"),
        (Some(Dir::Tx), "packets") => C("tx_packets"),
        (Some(Dir::Tx), "bytes") => C("tx_bytes"),
        (Some(Dir::Tx), "errors") => C("tx_errors"),
        (Some(Dir::Tx), "dropped") => C("tx_dropped"),
        (Some(Dir::Tx), "overruns") => C("tx_fifo_errors"),
        (Some(Dir::Tx), "carrier") => C("proc_tx_carrier"),
        (Some(Dir::Tx), "compressed") => C("tx_compressed"),
        _ => return None,
    })
}

/// Removes the marks people add to pasted lines: `>>`/`<<`/`>`/`<` tokens and `[`/`]`. `None`
/// when there is nothing to remove.
fn strip_annotations(line: &str) -> Option<String> {
    let has_marks = line.contains('[')
        || line.contains(']')
        || line
            .split_whitespace()
            .any(|t| t.chars().all(|c| c == '<' || c == '>'));
    if !has_marks {
        return None;
    }
    let cleaned: Vec<String> = line
        .split_whitespace()
        .filter(|t| !t.chars().all(|c| c == '<' || c == '>'))
        .map(|t| t.replace(['[', ']'], ""))
        .filter(|t| !t.is_empty())
        .collect();
    Some(cleaned.join(" "))
}

/// A new-format header: `name: flags=N<A,B>  mtu N [outfill N  keepalive N] [metric N]`.
struct NewHeader<'a> {
    name: &'a str,
    flags: &'a str,
    closed: bool,
    tail: &'a str,
}

fn new_header(line: &str) -> Option<NewHeader<'_>> {
    let parsed: IResult<&str, _> = (
        space0,
        take_till1(|c: char| c.is_whitespace()),
        space1,
        tag("flags="),
        digit1,
        char('<'),
        take_till(|c: char| c == '>' || c.is_whitespace()),
        opt(char('>')),
    )
        .parse(line);
    let (tail, (_, name_colon, _, _, _, _, flags, close)) = parsed.ok()?;
    let name = name_colon.strip_suffix(':').filter(|n| !n.is_empty())?;
    Some(NewHeader {
        name,
        flags,
        closed: close.is_some(),
        tail,
    })
}

/// `word N` pairs after a new-format header's flags; `None` when something else is there.
fn word_numbers(input: &str) -> Option<Vec<(&str, &str)>> {
    fn pair(i: &str) -> IResult<&str, (&str, &str)> {
        preceded(space0, (alpha1, space1, digit1))
            .map(|(w, _, n)| (w, n))
            .parse(i)
    }
    let parsed: IResult<&str, _> = all_consuming(terminated(many0(pair), space0)).parse(input);
    parsed.ok().map(|(_, v)| v)
}

/// An old-format header: `name Link encap:<title>  [HWaddr <mac>]  [Media:…]`.
struct OldHeader<'a> {
    name: &'a str,
    encap: &'a str,
    mac: Option<&'a str>,
}

fn old_header(line: &str) -> Option<OldHeader<'_>> {
    let parsed: IResult<&str, _> = (
        space0,
        take_till1(|c: char| c.is_whitespace()),
        space1,
        tag("Link encap:"),
    )
        .parse(line);
    let (rest, (_, name, _, _)) = parsed.ok()?;
    // The title may hold spaces (`Local Loopback`); it ends where `HWaddr` or `Media:` starts.
    let mut encap_end = rest.len();
    let mut mac = None;
    let words: Vec<(usize, &str)> = word_offsets(rest);
    for (i, (off, w)) in words.iter().enumerate() {
        if *w == "HWaddr" || w.starts_with("Media:") {
            encap_end = encap_end.min(*off);
            if *w == "HWaddr" {
                mac = words.get(i + 1).map(|(_, m)| *m);
            }
        }
    }
    let encap = rest.get(..encap_end).unwrap_or(rest).trim();
    Some(OldHeader { name, encap, mac })
}

/// Old flags line: `UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1 [Outfill:N  Keepalive:N]`.
fn old_flags_line(line: &str) -> Option<(Vec<String>, Option<u64>)> {
    let parsed: IResult<&str, _> = (
        take_until("MTU:"),
        tag("MTU:"),
        space0,
        digit1,
        opt((space1, tag("Metric:"), space0, digit1)),
        opt((
            space1,
            tag("Outfill:"),
            space0,
            digit1,
            space1,
            tag("Keepalive:"),
            space0,
            digit1,
        )),
        space0,
    )
        .parse(line);
    let (rest, (words, _, _, mtu, _, _, _)) = parsed.ok()?;
    if !rest.is_empty() {
        return None;
    }
    let words = words.trim();
    let flags: Vec<String> = if words == "[NO FLAGS]" {
        Vec::new()
    } else {
        let list: Vec<&str> = words.split_whitespace().collect();
        if !list
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return None;
        }
        list.into_iter().map(str::to_string).collect()
    };
    Some((flags, token_u64(mtu)))
}

/// `hw->name` of the net-tools hardware types (`lib/hw.c` and the `lib/*.c` it lists).
const HW_NAMES: [&str; 29] = [
    "loop",
    "ether",
    "unspec",
    "slip",
    "cslip",
    "slip6",
    "cslip6",
    "adaptive",
    "ash",
    "ax25",
    "netrom",
    "rose",
    "tunnel",
    "ppp",
    "hdlc",
    "lapb",
    "arcnet",
    "dlci",
    "frad",
    "sit",
    "fddi",
    "hippi",
    "irda",
    "ec",
    "x25",
    "infiniband",
    "eui64",
    "strip",
    "tr",
];

/// New hardware line: `<hw> [<address>]  [txqueuelen N]  (<title>)`.
struct HwLine<'a> {
    address: Option<&'a str>,
    txqueuelen: Option<&'a str>,
    title: &'a str,
}

fn hw_line(line: &str) -> Option<HwLine<'_>> {
    let token = || take_till1(|c: char| c.is_whitespace() || c == '(');
    let parsed: IResult<&str, _> = (
        space0,
        verify(token(), |t: &str| HW_NAMES.contains(&t)),
        opt(preceded(
            space1,
            verify(token(), |t: &str| t != "txqueuelen"),
        )),
        opt(preceded((space1, tag("txqueuelen"), space1), digit1)),
        space1,
        char('('),
    )
        .parse(line);
    let (rest, (_, _, address, txqueuelen, _, _)) = parsed.ok()?;
    // The title runs to the last `)`: `((Cisco)-HDLC)` holds parentheses of its own.
    let title = rest.trim_end().strip_suffix(')')?;
    Some(HwLine {
        address,
        txqueuelen,
        title,
    })
}

/// An address line of either layout (`inet addr:…`, `inet6 addr: …`, `inet …  netmask …`, …).
fn is_address_line(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let (Some(first), Some(_)) = (words.next(), words.next()) else {
        return false;
    };
    matches!(
        first,
        "inet" | "inet6" | "ipx" | "ddp" | "ec" | "econet" | "IPX/Ethernet" | "EtherTalk"
    )
}

/// A device resource line: old `Interrupt:19 Base address:0xd020 Memory:f7e00000-f7e20000 DMA
/// chan:3`, new `device interrupt 19  base 0xd020  memory 0xf7e00000-f7e20000    dma 0x3`.
fn is_device_line(t: &str) -> bool {
    fn hexnum(i: &str) -> IResult<&str, &str> {
        preceded(opt(tag("0x")), hex_digit1).parse(i)
    }
    let old_item = alt((
        (tag("Interrupt:"), space0, digit1).map(|_| ()),
        (tag("Base address:"), space0, hexnum).map(|_| ()),
        (tag("Memory:"), space0, hexnum, char('-'), hex_digit1).map(|_| ()),
        (tag("DMA chan:"), space0, hex_digit1).map(|_| ()),
    ));
    let new_item = alt((
        (tag("interrupt"), space1, digit1).map(|_| ()),
        (tag("base"), space1, hexnum).map(|_| ()),
        (tag("memory"), space1, hexnum, char('-'), hex_digit1).map(|_| ()),
        (tag("dma"), space1, hexnum).map(|_| ()),
    ));
    let old = all_consuming((many0(preceded(space0, old_item)), space0))
        .parse(t)
        .is_ok_and(|(_, (v, _))| !v.is_empty());
    let new = all_consuming((tag("device"), many0(preceded(space0, new_item)), space0))
        .parse(t)
        .is_ok();
    old || new
}

/// `Iface  MTU [Met]  RX-OK RX-ERR RX-DRP RX-OVR  TX-OK …  Flg` (ifconfig -s, netstat -i).
fn is_short_header(t: &str) -> bool {
    t.split_whitespace().next() == Some("Iface") && t.contains("RX-OK")
}

/// A row of the short listing: `name  MTU …`.
fn is_short_row(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    words.len() >= 3 && words.get(1).and_then(|w| token_u64(w)).is_some()
}

#[derive(Clone, Default)]
struct State {
    ifaces: Vec<IfconfigIface>,
    problems: Vec<Problem>,
    /// True while lines belong to the last interface in `ifaces`.
    in_block: bool,
    /// `(header line, last row line)` of an `ifconfig -s` listing being read.
    short: Option<(usize, usize)>,
}

impl State {
    fn warn(&mut self, no: usize, msg: impl Into<String>) {
        self.problems.push(Problem::warning(no, msg));
    }

    fn line(&mut self, no: usize, raw: &str) {
        let t = raw.trim();
        if let Some((start, last)) = self.short {
            if !t.is_empty() && is_short_row(t) {
                self.short = Some((start, no));
                return;
            }
            self.end_short(start, last);
        }
        if t.is_empty() {
            return;
        }
        if let Some(h) = new_header(t) {
            self.new_block(no, h);
            return;
        }
        if let Some(h) = old_header(t) {
            self.old_block(no, h);
            return;
        }
        if is_short_header(t) {
            self.in_block = false;
            self.short = Some((no, no));
            return;
        }
        if t.contains("error fetching interface information") {
            self.warn(no, format!("ifconfig could not read an interface: {t:?}"));
            return;
        }
        self.body_line(no, t);
    }

    fn end_short(&mut self, start: usize, last: usize) {
        self.short = None;
        self.warn(
            start,
            format!(
                "lines {start}–{last}: `ifconfig -s` / `netstat -i` short listing, not read \
                 (use `ifconfig -a`, `ip -s link` or /proc/net/dev)"
            ),
        );
    }

    fn new_block(&mut self, no: usize, h: NewHeader<'_>) {
        let mut iface = IfconfigIface {
            name: h.name.to_string(),
            line: no,
            layout: IfconfigLayout::New,
            flags: h
                .flags
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            ..IfconfigIface::default()
        };
        if !h.closed && !h.flags.is_empty() {
            self.warn(no, "flags without the closing `>` (line cut?)");
        }
        match word_numbers(h.tail) {
            Some(pairs) => {
                for (w, n) in pairs {
                    match w {
                        "mtu" => iface.mtu = token_u64(n),
                        "outfill" | "keepalive" | "metric" => {}
                        _ => self.warn(no, format!("unknown header word `{w}`")),
                    }
                }
            }
            None => self.warn(
                no,
                format!("could not read the end of the header: {:?}", h.tail.trim()),
            ),
        }
        self.ifaces.push(iface);
        self.in_block = true;
    }

    fn old_block(&mut self, no: usize, h: OldHeader<'_>) {
        let name_len = h.name.chars().count();
        self.ifaces.push(IfconfigIface {
            name: h.name.to_string(),
            line: no,
            layout: IfconfigLayout::Old,
            encap: (!h.encap.is_empty()).then(|| h.encap.to_string()),
            mac: h.mac.map(str::to_string),
            name_may_be_truncated: name_len == 9,
            ..IfconfigIface::default()
        });
        self.in_block = true;
    }

    /// The block a body line belongs to; starts an unnamed one when there is none.
    fn current(&mut self, no: usize) -> usize {
        if !self.in_block {
            self.warn(
                no,
                "interface lines without an interface header before them: kept under an \
                 unnamed interface (shown as IFACE: put the device's name in its commands)",
            );
            self.ifaces.push(IfconfigIface {
                line: no,
                ..IfconfigIface::default()
            });
            self.in_block = true;
        }
        self.ifaces.len().saturating_sub(1)
    }

    fn body_line(&mut self, no: usize, t: &str) {
        if let Some(items) = counter_items(t) {
            self.counters(no, &items);
            return;
        }
        if let Some(cleaned) = strip_annotations(t) {
            if let Some(items) = counter_items(&cleaned) {
                self.warn(
                    no,
                    "annotation marks (`>>`, `<<`, `[ ]`) removed from a pasted counter line; \
                     the values inside them are kept",
                );
                self.counters(no, &items);
                return;
            }
        }
        if is_address_line(t) || is_device_line(t) || t.starts_with("media ") {
            self.current(no);
            return;
        }
        if let Some((flags, mtu)) = old_flags_line(t) {
            let i = self.current(no);
            if let Some(iface) = self.ifaces.get_mut(i) {
                iface.flags = flags;
                iface.mtu = mtu;
                iface.layout = IfconfigLayout::Old;
            }
            return;
        }
        if let Some(hw) = hw_line(t) {
            let i = self.current(no);
            let txq = hw.txqueuelen.and_then(token_u64);
            if let Some(iface) = self.ifaces.get_mut(i) {
                iface.mac = hw.address.map(str::to_string);
                iface.txqueuelen = txq;
                iface.encap = Some(hw.title.to_string());
                iface.layout = IfconfigLayout::New;
            }
            return;
        }
        self.warn(no, format!("not an ifconfig line: {t:?}"));
    }

    fn counters(&mut self, no: usize, items: &[Item<'_>]) {
        let (plan, any_colon) = match plan_counters(items) {
            Ok(planned) => planned,
            Err(why) => {
                self.warn(no, why);
                return;
            }
        };
        let i = self.current(no);
        let mut problems = Vec::new();
        if let Some(iface) = self.ifaces.get_mut(i) {
            if iface.layout == IfconfigLayout::Unknown {
                iface.layout = if any_colon {
                    IfconfigLayout::Old
                } else {
                    IfconfigLayout::New
                };
            }
            for (tg, digits) in plan {
                let Some(v) = token_u64(digits) else {
                    problems.push(format!("value {digits} does not fit in u64; left out"));
                    continue;
                };
                match tg {
                    Target::TxQueueLen => iface.txqueuelen = Some(v),
                    Target::Counter(key) => {
                        if iface.counters.contains_key(key) {
                            problems.push(format!("repeated counter `{key}`; first value kept"));
                        } else {
                            iface.counters.insert(key.to_string(), v);
                        }
                    }
                }
            }
        }
        for p in problems {
            self.warn(no, p);
        }
    }

    fn finish(mut self, text: &str) -> Parsed<Vec<IfconfigIface>> {
        if let Some((start, last)) = self.short {
            self.end_short(start, last);
        }
        Parsed::blocks(
            self.ifaces,
            self.problems,
            text,
            "no ifconfig interface block found (expected `eth0: flags=…` or `eth0 Link encap:…`)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{
        assert_blank_is_clean_and_prose_is_an_error, assert_counters, fixture, fixtures,
        fold_matches_parse, never_panics,
    };
    use crate::Severity;

    const SB_A: &str = fixture!("ifconfig", "sandbox-net-tools-2.10-ifconfig_-a.txt");
    const SB_S: &str = fixture!("ifconfig", "sandbox-net-tools-2.10-ifconfig_-s.txt");
    const SB_HOST: &str = fixture!("ifconfig", "sandbox-net-tools-2.10-ifconfig_eth0-host.txt");
    const K32: &str = fixture!("ifconfig", "knowledge-s3.2-old-1.60-constructed.txt");
    const K33: &str = fixture!("ifconfig", "knowledge-s3.3-new-constructed.txt");
    const KANTHI: &str = fixture!("ifconfig", "literal-kanthi-mdtemplate3-old-1.60.txt");
    const SEED_001: &str = fixture!("ifconfig", "seed-001-rx-overruns-line-only.txt");
    const SEED_003: &str = fixture!("ifconfig", "seed-003-old-collapsed-annotated.txt");
    const CONSTRUCTED: &str = fixture!("ifconfig", "constructed-variants.txt");

    fn iface<'a>(v: &'a [IfconfigIface], name: &str) -> &'a IfconfigIface {
        v.iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn c(i: &IfconfigIface, key: &str) -> u64 {
        *i.counters
            .get(key)
            .unwrap_or_else(|| panic!("{}: no {key}", i.name))
    }

    fn names(v: &[IfconfigIface]) -> Vec<&str> {
        v.iter().map(|i| i.name.as_str()).collect()
    }

    fn clean(text: &str) -> Vec<IfconfigIface> {
        crate::test_support::clean(parse(text))
    }

    fn problem_lines(text: &str) -> Vec<usize> {
        parse(text).problems.iter().map(|p| p.line).collect()
    }

    /// The 13 counters every new-format block with statistics has.
    const NEW_KEYS: [&str; 13] = [
        "collisions",
        "proc_rx_drop",
        "proc_rx_frame",
        "proc_tx_carrier",
        "rx_bytes",
        "rx_errors",
        "rx_fifo_errors",
        "rx_packets",
        "tx_bytes",
        "tx_dropped",
        "tx_errors",
        "tx_fifo_errors",
        "tx_packets",
    ];

    #[test]
    fn sandbox_new_format_netns() {
        let v = clean(SB_A);
        assert_eq!(
            names(&v),
            [
                "ifb9",
                "lo",
                "tap0",
                "tun0",
                "verylongveth0",
                "veth0",
                "veth1",
                "veth1:1",
                "vl1"
            ]
        );
        assert!(v.iter().all(|i| i.layout == IfconfigLayout::New));
        assert!(v.iter().all(|i| !i.name_may_be_truncated));

        let ifb = iface(&v, "ifb9");
        assert_eq!(ifb.line, 1);
        assert_eq!(ifb.flags, ["BROADCAST", "NOARP"]);
        assert_eq!(ifb.mtu, Some(1500));
        assert_eq!(ifb.txqueuelen, Some(32));
        assert_eq!(ifb.mac.as_deref(), Some("26:e5:fc:83:ca:36"));
        assert_eq!(ifb.encap.as_deref(), Some("Ethernet"));

        let lo = iface(&v, "lo");
        assert_eq!(lo.mtu, Some(65536));
        assert_eq!(lo.mac, None);
        assert_eq!(lo.encap.as_deref(), Some("Local Loopback"));
        assert_eq!(lo.txqueuelen, Some(1000));

        // `TX errors 0  dropped 2008 overruns 0  carrier 0  collisions 0`
        let tap = iface(&v, "tap0");
        assert_eq!(tap.flags, ["UP", "BROADCAST", "MULTICAST"]);
        assert_eq!(c(tap, "tx_dropped"), 2008);
        assert_eq!(c(tap, "tx_packets"), 0);

        let tun = iface(&v, "tun0");
        assert_eq!(tun.encap.as_deref(), Some("UNSPEC"));
        assert_eq!(
            tun.mac.as_deref(),
            Some("00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00")
        );
        assert_eq!(tun.txqueuelen, Some(500));

        // `RX packets 123464  bytes 7408006 (7.0 MiB)` / `RX errors 0  dropped 123457  …`
        let veth1 = iface(&v, "veth1");
        let expect = [
            ("rx_packets", 123464),
            ("rx_bytes", 7408006),
            ("rx_errors", 0),
            ("proc_rx_drop", 123457),
            ("rx_fifo_errors", 0),
            ("proc_rx_frame", 0),
            ("tx_packets", 7),
            ("tx_bytes", 586),
            ("tx_errors", 0),
            ("tx_dropped", 0),
            ("tx_fifo_errors", 0),
            ("proc_tx_carrier", 0),
            ("collisions", 0),
        ];
        for (k, val) in expect {
            assert_eq!(c(veth1, k), val, "{k}");
        }
        let keys: Vec<&str> = veth1.counters.keys().map(String::as_str).collect();
        assert_eq!(keys, NEW_KEYS);
        assert_eq!(c(iface(&v, "veth0"), "tx_packets"), 123464);

        // The alias block has no counter lines.
        let alias = iface(&v, "veth1:1");
        assert!(alias.counters.is_empty());
        assert_eq!(alias.mac.as_deref(), Some("8a:e3:c9:05:e3:d9"));
        assert_eq!(alias.line, 61);
    }

    #[test]
    fn sandbox_host_eth0_kib_mib() {
        let v = clean(SB_HOST);
        assert_eq!(names(&v), ["eth0"]);
        let e = &v[0];
        assert_eq!(e.mtu, Some(1400));
        // `RX packets 2939  bytes 48568605 (46.3 MiB)`, `TX packets 2712  bytes 216269 (211.2 KiB)`
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_packets", 2939),
                ("rx_bytes", 48568605),
                ("tx_packets", 2712),
                ("tx_bytes", 216269),
            ],
        );
    }

    #[test]
    fn short_listing_is_reported_once() {
        let p = parse(SB_S);
        assert!(p.value.is_empty());
        assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, 1);
        assert!(p.problems[0].message.contains("lines 1–9"));
        assert_eq!(p.problems[1].severity, Severity::Error);
    }

    #[test]
    fn knowledge_old_constructed() {
        let v = clean(K32);
        assert_eq!(names(&v), ["eth0"]);
        let e = &v[0];
        assert_eq!(e.layout, IfconfigLayout::Old);
        assert_eq!(e.encap.as_deref(), Some("Ethernet"));
        assert_eq!(e.mac.as_deref(), Some("00:0C:29:AB:CD:EF"));
        assert_eq!(e.flags, ["UP", "BROADCAST", "RUNNING", "MULTICAST"]);
        assert_eq!(e.mtu, Some(1500));
        assert_eq!(e.txqueuelen, Some(1000));
        let expect = [
            ("rx_packets", 2059646370),
            ("rx_errors", 0),
            ("proc_rx_drop", 7142467),
            ("rx_fifo_errors", 0),
            ("proc_rx_frame", 0),
            ("tx_packets", 1796),
            ("tx_errors", 0),
            ("tx_dropped", 0),
            ("tx_fifo_errors", 0),
            ("proc_tx_carrier", 0),
            ("collisions", 0),
            ("rx_bytes", 135844),
            ("tx_bytes", 124682),
        ];
        for (k, val) in expect {
            assert_eq!(c(e, k), val, "{k}");
        }
        assert_eq!(e.counters.len(), expect.len());
    }

    #[test]
    fn knowledge_new_constructed() {
        let v = clean(K33);
        let e = &v[0];
        assert_eq!(e.name, "eth0");
        assert_eq!(e.mac.as_deref(), Some("52:54:00:12:34:56"));
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_packets", 123),
                ("rx_bytes", 456),
                ("tx_packets", 456),
                ("tx_bytes", 78901),
            ],
        );
        assert_eq!(e.counters.len(), 13);
    }

    #[test]
    fn literal_old_format_with_prompt() {
        let p = parse(KANTHI);
        // line 1 is the shell prompt `king@sysadminlabs:~# ifconfig`
        assert_eq!(problem_lines(KANTHI), [1]);
        let v = p.value;
        assert_eq!(names(&v), ["eth1", "lo", "virbr0", "wlan0"]);
        let eth1 = iface(&v, "eth1");
        assert_eq!(eth1.line, 2);
        assert_eq!(eth1.mac.as_deref(), Some("f0:4d:a2:a2:b4:7a"));
        assert_eq!(c(eth1, "rx_packets"), 1158118);
        assert_eq!(c(eth1, "tx_packets"), 2254444);
        // `RX bytes:91967075 (91.9 MB)  TX bytes:3244257407 (3.2 GB)`
        assert_eq!(c(eth1, "rx_bytes"), 91967075);
        assert_eq!(c(eth1, "tx_bytes"), 3244257407);
        let lo = iface(&v, "lo");
        assert_eq!(lo.encap.as_deref(), Some("Local Loopback"));
        assert_eq!(lo.mac, None);
        assert_eq!(lo.mtu, Some(16436));
        assert_eq!(lo.txqueuelen, Some(0));
        assert_eq!(c(lo, "rx_bytes"), 1020);
        let wlan0 = iface(&v, "wlan0");
        assert_eq!(wlan0.flags, ["UP", "BROADCAST", "MULTICAST"]);
        assert_eq!(c(iface(&v, "virbr0"), "tx_bytes"), 5800);
    }

    #[test]
    fn seed_001_lone_rx_line() {
        let p = parse(SEED_001);
        // line 1: the Japanese prose line; line 3: the RX line starts an unnamed interface.
        assert_eq!(problem_lines(SEED_001), [1, 3]);
        let v = p.value;
        assert_eq!(v.len(), 1);
        let i = &v[0];
        assert_eq!(i.name, "");
        assert_eq!(i.line, 3);
        assert_eq!(i.layout, IfconfigLayout::Old);
        // `RX packets:1215382409979 errors:0 dropped:9836789 overruns:9836789 frame:0`
        assert_counters(
            &i.name,
            &i.counters,
            &[
                ("rx_packets", 1215382409979),
                ("rx_errors", 0),
                ("proc_rx_drop", 9836789),
                ("rx_fifo_errors", 9836789),
                ("proc_rx_frame", 0),
            ],
        );
    }

    #[test]
    fn seed_003_collapsed_annotated_paste() {
        let p = parse(SEED_003);
        let v = &p.value;
        assert_eq!(names(v), ["eth0"]);
        let e = &v[0];
        assert_eq!(e.line, 2);
        assert_eq!(e.mac.as_deref(), Some("D4:AE:52:34:E6:2E"));
        assert_eq!(
            e.flags,
            ["UP", "BROADCAST", "RUNNING", "SLAVE", "MULTICAST"]
        );
        // `>> RX packets:1419121922 [errors:71111] dropped:0 [overruns:71111] frame:0 <<`
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_packets", 1419121922),
                ("rx_errors", 71111),
                ("rx_fifo_errors", 71111),
                ("proc_rx_drop", 0),
                ("tx_packets", 1515463943),
            ],
        );
        // `RX bytes:864269160026 (804.9 GiB) TX bytes:1319266440662 (1.1 TiB)`
        assert_eq!(c(e, "rx_bytes"), 864269160026);
        assert_eq!(c(e, "tx_bytes"), 1319266440662);
        assert_eq!(e.txqueuelen, Some(1000));
        // 1: the prose line; 4: annotation marks removed; 9: `Environment`.
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 4, 9]);
        assert!(p.problems[1].message.contains("annotation"));
    }

    #[test]
    fn constructed_variants() {
        let p = parse(CONSTRUCTED);
        let v = &p.value;
        assert_eq!(
            names(v),
            [
                "verylongv",
                "eth0:1",
                "sl0",
                "eth2",
                "eth3",
                "bond0",
                "eth9:2",
                "ppp0",
                "eth4",
                "eth5",
                "eth6"
            ]
        );
        let long = iface(v, "verylongv");
        assert!(long.name_may_be_truncated);
        assert_eq!(long.flags, Vec::<String>::new()); // `[NO FLAGS]`
        assert_eq!(long.mtu, Some(1500));
        assert_eq!(c(long, "proc_rx_drop"), 5);
        // `RX bytes:3492834266631 (3.4 TB)  TX bytes:4635258443813 (4.6 TB)`
        assert_eq!(c(long, "rx_bytes"), 3492834266631);
        assert_eq!(c(long, "tx_bytes"), 4635258443813);

        let alias = iface(v, "eth0:1");
        assert!(alias.counters.is_empty());
        assert!(!alias.name_may_be_truncated);
        assert_eq!(alias.flags, ["UP", "BROADCAST", "RUNNING", "MULTICAST"]);

        // CSLIP on 1.60: `compressed:%lu` alone after the RX line, and on the collisions line.
        let sl0 = iface(v, "sl0");
        assert_eq!(c(sl0, "rx_compressed"), 17);
        assert_eq!(c(sl0, "tx_compressed"), 19);
        assert_eq!(sl0.txqueuelen, Some(10));
        assert_eq!(sl0.encap.as_deref(), Some("VJ Serial Line IP"));
        assert_eq!(sl0.flags, ["UP", "POINTOPOINT", "RUNNING"]);

        // web paste: `dropped: 0`, single spaces, `Interrupt:… Base address:… Memory:… DMA chan:…`
        let eth2 = iface(v, "eth2");
        assert_counters(
            &eth2.name,
            &eth2.counters,
            &[
                ("proc_rx_drop", 0),
                ("rx_fifo_errors", 12),
                ("proc_tx_carrier", 3),
                ("rx_bytes", 135844),
            ],
        );

        // new layout, 2.10 `RX compressed:` / TX `compressed`, `device interrupt …`
        let eth3 = iface(v, "eth3");
        assert_counters(
            &eth3.name,
            &eth3.counters,
            &[
                ("rx_compressed", 4),
                ("tx_compressed", 6),
                ("tx_fifo_errors", 2),
                ("collisions", 1),
            ],
        );

        // `flags=0<` (no closing bracket when no flag is set)
        let bond0 = iface(v, "bond0");
        assert!(bond0.flags.is_empty());
        assert_eq!(bond0.mtu, Some(1500));

        let alias2 = iface(v, "eth9:2");
        assert_eq!(alias2.layout, IfconfigLayout::New);
        assert!(alias2.counters.is_empty());

        let ppp0 = iface(v, "ppp0");
        assert_eq!(ppp0.mac, None);
        assert_eq!(ppp0.txqueuelen, Some(3));
        assert_eq!(ppp0.encap.as_deref(), Some("Point-to-Point Protocol"));

        // tabs and CR
        let eth4 = iface(v, "eth4");
        assert_eq!(c(eth4, "rx_packets"), 10);
        assert_eq!(c(eth4, "tx_dropped"), 4);

        // eth5: an unknown word keeps nothing from that line; eth6: u64 overflow
        let eth5 = iface(v, "eth5");
        assert!(!eth5.counters.contains_key("rx_errors"));
        assert_eq!(c(eth5, "rx_packets"), 1);
        let eth6 = iface(v, "eth6");
        assert!(!eth6.counters.contains_key("rx_packets"));
        assert_eq!(c(eth6, "rx_bytes"), 2);
        assert_eq!(c(eth6, "tx_packets"), 3); // the repeated value is not kept

        let msgs: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        let lines: Vec<usize> = msgs.iter().map(|m| m.0).collect();
        // 50: error fetching; 64: unknown `RX frobs`; 65: prose; 67: overflow; 69: repeated.
        assert_eq!(lines, [50, 64, 65, 67, 69], "{msgs:?}");
        assert!(msgs[1].1.contains("RX frobs"));
        assert!(msgs[3].1.contains("does not fit"));
        assert!(msgs[4].1.contains("repeated"));
    }

    #[test]
    fn crlf_tabs_and_collapsed_whitespace_read_the_same() {
        for text in [SB_A, SB_HOST, K32, K33, KANTHI, SEED_003] {
            let base = parse(text);
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(parse(&crlf), base);
            let collapsed: String = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
                .collect();
            let p = parse(&collapsed);
            assert_eq!(p.problems.len(), base.problems.len());
            for (a, b) in p.value.iter().zip(base.value.iter()) {
                let mut b = b.clone();
                b.encap = b
                    .encap
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
                assert_eq!(*a, b);
            }
            let tabbed = text.replace("  ", "\t");
            assert_eq!(parse(&tabbed).value.len(), base.value.len());
        }
    }

    #[test]
    fn empty_and_garbage() {
        assert_blank_is_clean_and_prose_is_an_error(parse, "\n \r\n");
    }

    #[test]
    fn never_panics_on_cuts_and_garbage() {
        // `parse` is a fold over lines: every line boundary is checked without re-reading
        // each prefix (see `fold_matches_parse`).
        fold_matches_parse(&fixtures("ifconfig"), State::line, State::finish, parse);
        for g in [
            ": flags=",
            "x: flags=1<",
            "x: flags=99999999999999999999999<A>  mtu 99999999999999999999999",
            "x: flags=1<A>  mtu",
            " Link encap:",
            "a Link encap:",
            "a Link encap:x HWaddr",
            "RX",
            "RX packets:",
            "RX packets:99999999999999999999999",
            "TX x:1",
            "collisions",
            "compressed:1",
            "(",
            "RX (",
            "[ ] >> <<",
            ">> RX packets:1 [",
            "MTU:",
            "UP MTU:1 Metric:",
            "ether (",
            "ether a txqueuelen (b)",
            "Interrupt:",
            "Memory:1-",
            "device interrupt",
            "Iface\nIface RX-OK\na 1 2\n",
            "é Link encap:ü",
            "\u{0}\t\r",
        ] {
            let _ = parse(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("ifconfig"), parse);
    }
}
