//! Capture logs: what an engineer pasted from a loop such as
//! `while true; do date; ip -s -s link ls dev tap0; top -b -n1 | head -20; sleep 5; done`.
//!
//! The log is cut into segments, each one command's output:
//! - a `date` line (any format `parsers::date::parse_line` knows) sets the time of what follows;
//! - a `top - HH:MM:SS up …` header starts a `top` segment; its date comes from the last
//!   `date` line;
//! - a command echo (`# cmd`, `$ cmd`, `[root@host ~]# cmd`, `user@host:~$ cmd`, `+ cmd` from
//!   `set -x`, or a bare known command line printed by `echo`) starts a segment of the kind the
//!   command produces (`ethtool -S eth0` names the device);
//! - the first line of a recognisable output (`2: eth0: <…>`, `Inter-|`, `eth0: flags=`,
//!   `NIC statistics:`, …) starts a segment when no command announced it;
//! - repeats of the same output without any separator stay in one segment; their parsers
//!   return one record per repeat, ordered by position.
//!
//! Lines outside any segment (prose, prompts of unrelated commands) are counted and reported
//! once.
//!
//! [`Segmenter`] works line by line and hands each finished segment to a callback, so a log of
//! any size is read in one pass with only the open segment buffered. Most lines of a long log
//! are `top` process rows and indented `ip` counters; cheap first-byte checks turn them away
//! before any regex or date parser runs (the hot path of a 100 MB log).

use std::mem::discriminant;
use std::sync::OnceLock;

use chrono::Duration;
use regex::Regex;
use rules::model::Timestamp;

use crate::ingest::classify::{classify_argv, CaptureKind};
use crate::kinds::iplink::starts_with_index_colon;
use crate::kinds::{re, Start, KINDS};

/// One command's output inside a capture log.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub kind: CaptureKind,
    /// 1-based line of the segment's first output line.
    pub first_line: usize,
    /// The segment's lines (CR removed) joined by `\n`, without trailing blank lines.
    pub text: String,
    /// The last `date` seen before the segment (or the `top` header's clock on that date).
    pub time: Option<Timestamp>,
}

/// A whole log cut into segments (for logs held in memory; see [`Segmenter`] for streams).
#[derive(Debug, Default)]
pub struct Segmented {
    pub segments: Vec<Segment>,
    /// `date` lines seen (sample boundaries).
    pub dates: usize,
    /// Host name from shell prompts such as `[root@web01 ~]#`.
    pub prompt_host: Option<String>,
    /// Lines that belong to no segment: (count, first line number).
    pub ignored: (usize, usize),
    /// Guesses made to read pasted lines: (count, first line) per [`Recovery`].
    pub recovered: [(usize, usize); 2],
}

/// The command of a command-echo line, and the host of its prompt if any. Prompts:
/// `# cmd`, `$ cmd`, `% cmd`, `+ cmd` (`set -x`), `[user@host dir]# cmd`,
/// `user@host:~$ cmd`, `user@host ~ % cmd`, `user@host# cmd`, `user@host:~> cmd` and SUSE's
/// `host:~ # cmd`. The host part is returned as printed; see [`plausible_host`].
fn command_echo(line: &str) -> Option<(String, Option<String>)> {
    static BRACKET: OnceLock<Regex> = OnceLock::new();
    static USER_AT: OnceLock<Regex> = OnceLock::new();
    static SUSE: OnceLock<Regex> = OnceLock::new();
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    let first = *line.as_bytes().first()?;
    // Every form starts with one of these bytes, holds `user@host`, or is `host:~ #`.
    let suse = first.is_ascii_alphabetic() && suse_prompt_gate(line);
    if !matches!(first, b'[' | b'#' | b'$' | b'+' | b'%') && !suse && !line.contains('@') {
        return None;
    }
    if let Some(c) = re(&BRACKET, r"^\[([^@\]\s]+)@([^\]\s]+)[^\]]*\][#$%>]\s*(.*)$").captures(line)
    {
        return Some((c[3].to_string(), Some(c[2].to_string())));
    }
    if let Some(c) = re(
        &USER_AT,
        r"^([A-Za-z0-9_.-]+)@([A-Za-z0-9_.-]+)(?::[^\s#$%>]*|\s+[^\s#$%>]+)?\s*[#$%>]\s*(.*)$",
    )
    .captures(line)
    {
        return Some((c[3].to_string(), Some(c[2].to_string())));
    }
    if suse {
        if let Some(c) = re(
            &SUSE,
            r"^([A-Za-z][A-Za-z0-9_.-]*):[~/][^\s#$>]*\s?[#$>]\s*(.*)$",
        )
        .captures(line)
        {
            return Some((c[2].to_string(), Some(c[1].to_string())));
        }
    }
    if let Some(c) = re(&PLAIN, r"^(?:[#$%]|\+{1,3})\s+(.+)$").captures(line) {
        return Some((c[1].to_string(), None));
    }
    None
}

/// `host:~` or `host:/path` at the start of a line (a SUSE prompt), checked without a regex.
fn suse_prompt_gate(line: &str) -> bool {
    let head = &line.as_bytes()[..line.len().min(80)];
    let Some(colon) = head.iter().position(|&b| b == b':') else {
        return false;
    };
    matches!(head.get(colon + 1), Some(b'~' | b'/'))
        && head[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A prompt's host part names the host only when it could be a host name: RFC 1123 labels
/// (letters, digits, `-`), not `localhost`, not all digits (an IP address or a fragment), and
/// not a path such as `/` or `~`.
pub fn plausible_host(h: &str) -> bool {
    let lower = h.to_ascii_lowercase();
    if h.is_empty()
        || h.len() > 253
        || lower == "localhost"
        || lower.starts_with("localhost.")
        || h.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    h.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// What a command line produces, for the commands whose output we read.
fn command_kind(command: &str) -> Option<CaptureKind> {
    // Drop pipes and redirections: `top -b -n1 | head -20`, `ip -s link > x`.
    let command = command
        .split(['|', '>', ';', '&'])
        .next()
        .unwrap_or("")
        .trim();
    let words: Vec<&str> = command.split_whitespace().collect();
    let words: &[&str] = match words.first() {
        Some(&"sudo") => &words[1..],
        _ => &words,
    };
    if let Some(first) = words.first() {
        let name = first.rsplit('/').next().unwrap_or(first);
        if name == "top" {
            return Some(CaptureKind::Top);
        }
        if name == "cat" {
            let path = words.get(1)?;
            return crate::ingest::classify::classify_proc_path(path);
        }
    }
    classify_argv(words, None)
}

/// A bare command line (`ip -s -s link ls dev tap0` printed by `echo`): commands are written
/// in lower case or as a path, so lines starting otherwise (process rows, counters, headers)
/// are turned away before the words are looked at.
fn bare_command_kind(line: &str) -> Option<CaptureKind> {
    let first = *line.as_bytes().first()?;
    if !(first.is_ascii_lowercase() || first == b'/') {
        return None;
    }
    command_kind(line)
}

/// A command line of a tool people run between captures (`ethtool -G eth0 rx 4096`,
/// `sleep 5`): a known command word, a space, more words.
fn other_command_line(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "ethtool",
        "ip",
        "ifconfig",
        "netstat",
        "sysctl",
        "sleep",
        "echo",
        "cat",
        "tc",
        "sudo",
        "ss",
        "nstat",
        "watch",
        "ifup",
        "ifdown",
        "nmcli",
        "systemctl",
    ];
    if !line.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let mut words = line.split_ascii_whitespace();
    words.next().is_some_and(|w| WORDS.contains(&w)) && words.next().is_some()
}

/// The kind whose output starts on this line, when it is recognisable on its own: the kinds'
/// [`Start`] tests in their order, indented ones for an indented line.
fn output_start(line: &str) -> Option<CaptureKind> {
    static ORDERED: OnceLock<[Vec<&'static Start>; 2]> = OnceLock::new();
    let [plain, indented] = ORDERED.get_or_init(|| {
        let mut all: Vec<&Start> = KINDS.iter().flat_map(|k| k.starts).collect();
        all.sort_by_key(|s| s.order);
        let (indented, plain) = all.into_iter().partition(|s| s.indented);
        [plain, indented]
    });
    let first = *line.as_bytes().first()?;
    if first == b' ' || first == b'\t' {
        let body = line.trim_start();
        indented.iter().find_map(|s| (s.test)(body))
    } else {
        plain.iter().find_map(|s| (s.test)(line))
    }
}

/// A row of the `netstat -i` table: a name, then the MTU (or `- no statistics available -`).
fn netstat_row(line: &str) -> bool {
    let mut words = line.split_ascii_whitespace();
    words.next();
    words
        .next()
        .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
}

/// A line of an `ip link` block that a paste left without indentation.
fn ip_block_line(line: &str) -> bool {
    let first = line.split_ascii_whitespace().next().unwrap_or("");
    first.starts_with("link/")
        || matches!(first, "RX:" | "TX:" | "altname" | "alias" | "vf")
        || line.starts_with("RX errors:")
        || line.starts_with("TX errors:")
        || (!first.is_empty()
            && line
                .split_ascii_whitespace()
                .all(|t| t.as_bytes()[0].is_ascii_digit()))
}

/// A line of an `ifconfig` block that a paste left without indentation (both layouts).
fn ifconfig_block_line(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "RX packets",
        "TX packets",
        "RX bytes",
        "RX errors",
        "TX errors",
        "RX compressed",
        "TX compressed",
        "collisions",
        "txqueuelen",
        "inet ",
        "inet6 ",
        "inet addr:",
        "ether ",
        "loop ",
        "unspec ",
        "infiniband ",
        "Interrupt:",
        "Memory:",
        "Base address:",
        "device ",
        "[NO FLAGS]",
    ];
    const FLAGS: &[&str] = &[
        "UP",
        "BROADCAST",
        "LOOPBACK",
        "POINTOPOINT",
        "RUNNING",
        "NOARP",
        "PROMISC",
        "ALLMULTI",
        "MULTICAST",
        "SLAVE",
        "MASTER",
        "DYNAMIC",
        "NOTRAILERS",
    ];
    STARTS.iter().any(|s| line.starts_with(s))
        || line
            .split_ascii_whitespace()
            .next()
            .is_some_and(|w| FLAGS.contains(&w))
}

/// The second half of an `ip link` header line that a forum wrapped: `mtu 1500 qdisc …`, or
/// the rest of the flags (`UP> mtu …`) when the first half ended inside `<…`.
fn ip_header_rest(line: &str, flags_open: bool) -> bool {
    let t = line.trim_start();
    if flags_open {
        let n = t
            .bytes()
            .take_while(|b| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b',' | b'-')
            })
            .count();
        return t.as_bytes().get(n) == Some(&b'>');
    }
    matches!(
        t.split_ascii_whitespace().next(),
        Some("mtu" | "qdisc" | "master" | "state" | "mode" | "group" | "qlen")
    )
}

/// A Markdown code fence or a C comment delimiter (also ` */`): it ends the output before it.
fn is_fence(line: &str) -> bool {
    let t = line.strip_prefix(' ').unwrap_or(line);
    t.starts_with("```") || t.starts_with("~~~") || t.starts_with("/*") || t.starts_with("*/")
}

/// Output quoted in a C comment: ` * text` → `text` (also `* text` and a bare ` *`).
fn strip_c_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let star = match b.first() {
        Some(b'*') => 0,
        Some(b' ') if b.get(1) == Some(&b'*') => 1,
        _ => return line,
    };
    match b.get(star + 1) {
        None => "",
        Some(b' ') => &line[star + 2..],
        Some(b'\t') => &line[star + 2..],
        _ => line,
    }
}

/// Removes the marks people add when they paste output to point at a value: leading `>`/`>>`
/// tokens, trailing `<`/`<<` tokens, a trailing `<-- comment`, `**bold**`, and brackets around
/// `name:value` (`[errors:71111]`). `None` when the line has none (the common case, decided
/// by one scan for the four mark bytes).
fn strip_marks(line: &str) -> Option<String> {
    if !has_marks(line) {
        return None;
    }
    let mut s = line;
    let mut changed = false;
    if let Some(i) = s.find("<--").or_else(|| s.find("<==")) {
        s = s[..i].trim_end();
        changed = true;
    }
    let body = s.trim_start();
    let indent = &s[..s.len() - body.len()];
    let mut body = body;
    // Leading `>`/`>>` tokens (quoting or pointing), trailing `<`/`<<` tokens.
    loop {
        let tok = body.split_ascii_whitespace().next().unwrap_or("");
        if !tok.is_empty() && tok.bytes().all(|b| b == b'>') {
            body = body[tok.len()..].trim_start();
            changed = true;
        } else {
            break;
        }
    }
    loop {
        let tok = body.split_ascii_whitespace().next_back().unwrap_or("");
        if !tok.is_empty() && tok.bytes().all(|b| b == b'<') {
            body = body[..body.len() - tok.len()].trim_end();
            changed = true;
        } else {
            break;
        }
    }
    let mut out = String::with_capacity(line.len());
    out.push_str(indent);
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            rest = r;
            changed = true;
            continue;
        }
        if rest.starts_with('[') {
            if let Some(end) = rest.find(']') {
                let inner = &rest[1..end];
                if bracketed_value(inner) {
                    out.push_str(inner);
                    rest = &rest[end + 1..];
                    changed = true;
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    changed.then_some(out)
}

/// Whether `bytes` hold `[`, `*`, `<` or `>`: eight bytes at a time (SWAR), since every line
/// of a long log is checked and almost none holds one.
fn has_mark_byte(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // True when some byte of `v` is zero (exact for existence).
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI != 0;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        let v = u64::from_le_bytes(word);
        // `<` (0x3C) | 2 == `>` (0x3E): one test for both.
        if zero((v | (2 * LO)) ^ (u64::from(b'>') * LO))
            || zero(v ^ (u64::from(b'[') * LO))
            || zero(v ^ (u64::from(b'*') * LO))
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&c| (c | 2) == b'>' || c == b'[' || c == b'*')
}

/// Whether [`strip_marks`] has anything to remove, decided without allocating: most lines
/// hold none of the mark bytes, and `ip` headers (`<…>`) and `top` rows (`[kworker/0:1]`)
/// hold them without marks.
fn has_marks(line: &str) -> bool {
    if !has_mark_byte(line.as_bytes()) {
        return false;
    }
    let mut toks = line.split_ascii_whitespace();
    if toks.next().is_some_and(|t| t.bytes().all(|c| c == b'>')) {
        return true;
    }
    if toks
        .next_back()
        .is_some_and(|t| t.bytes().all(|c| c == b'<'))
    {
        return true;
    }
    if line.contains("<--") || line.contains("<==") || line.contains("**") {
        return true;
    }
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find(']') {
            if bracketed_value(&rest[..close]) {
                return true;
            }
        }
    }
    false
}

/// `errors:71111` or `RX errors: 5` inside brackets: a name, `:`, a number.
fn bracketed_value(inner: &str) -> bool {
    let Some((name, value)) = inner.split_once(':') else {
        return false;
    };
    let value = value.trim();
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' '))
        && name.as_bytes()[0].is_ascii_alphabetic()
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
}

fn same_kind(a: &CaptureKind, b: &CaptureKind) -> bool {
    discriminant(a) == discriminant(b)
}

/// The segment being read.
struct Open {
    kind: CaptureKind,
    first_line: usize,
    /// Lines so far, each followed by `\n`.
    text: String,
    /// Length of `text` up to the end of its last non-blank line.
    content_end: usize,
    time: Option<Timestamp>,
    /// A `NET_RX:` row was seen (a CPU table that is /proc/softirqs).
    net_rx: bool,
    /// The last line is an `ip link` header (`Some(true)`: cut inside its `<flags>`), so a
    /// wrapped rest of it may follow.
    ip_header: Option<bool>,
    /// The segment's lines are commented out in a script (`# ` before each).
    commented: bool,
}

/// A guess made to read a pasted line, reported once per kind with a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Marks around values removed (`>> … <<`, `[errors:5]`, `**5**`, `<-- look`).
    Marks,
    /// A wrapped `ip link` header line joined to the line before it.
    WrappedHeader,
}

impl Recovery {
    pub const ALL: [Recovery; 2] = [Recovery::Marks, Recovery::WrappedHeader];

    /// What was assumed, for the problem list.
    pub fn message(self, count: usize, first: usize) -> String {
        match self {
            Recovery::Marks => format!(
                "marks added to pasted output (`>>`, `<<`, `[name:value]`, `**…**`, `<--`) were removed on {count} line(s) (first at line {first}); the values inside were read"
            ),
            Recovery::WrappedHeader => format!(
                "{count} `ip link` header line(s) wrapped onto the next line were joined (first at line {first})"
            ),
        }
    }
}

/// Combines a `top` clock with the day of the last `date`; a clock well before that date's
/// time means top ran after midnight.
fn top_time(date: Option<Timestamp>, header: &str) -> Option<Timestamp> {
    let date = date?;
    let clock = parsers::uptime::parse_line(header).and_then(|u| u.clock)?;
    let mut local = date.local.date().and_time(clock);
    if date.local - local > Duration::hours(12) {
        local += Duration::days(1);
    }
    Some(Timestamp::new(local, date.offset_seconds))
}

/// Cuts a capture log into segments, one line at a time.
#[derive(Default)]
pub struct Segmenter {
    time: Option<Timestamp>,
    open: Option<Open>,
    /// A command announced the kind of the next output.
    announced: Option<CaptureKind>,
    /// `date` lines seen (sample boundaries).
    pub dates: usize,
    /// Segments handed out so far.
    pub segments: usize,
    /// Host name from shell prompts such as `[root@web01 ~]#`.
    pub prompt_host: Option<String>,
    /// Lines that belong to no segment: (count, first line number).
    pub ignored: (usize, usize),
    /// Guesses made to read pasted lines: (count, first line) per [`Recovery`].
    pub recovered: [(usize, usize); 2],
    /// Buffer size for the next segment (the last one's), to avoid regrowing.
    capacity: usize,
}

impl Segmenter {
    pub fn new() -> Self {
        Segmenter::default()
    }

    /// Reads line `n` (1-based; a trailing CR is removed here). A segment that this line ends
    /// is passed to `emit`.
    ///
    /// What a paste wraps around output is removed first, allocation-free unless the line has
    /// marks: Markdown fences and C comment delimiters end the open output, ` * ` of a C
    /// comment is dropped, and so are marks around values (`strip_marks`, reported).
    pub fn line(&mut self, n: usize, raw: &str, emit: &mut impl FnMut(Segment)) {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let first = line.as_bytes().first().copied();
        let fence_byte = match first {
            Some(b'`' | b'~' | b'/' | b'*') => true,
            Some(b' ') => line.as_bytes().get(1) == Some(&b'*'),
            _ => false,
        };
        if fence_byte && is_fence(line) {
            self.close(emit);
            return;
        }
        let line = strip_c_comment(line);
        // `top` process rows, most lines of a long log, are not where people put marks (and
        // their `[kworker/0:1]` must stay as it is).
        let in_top = self
            .open
            .as_ref()
            .is_some_and(|o| o.kind == CaptureKind::Top);
        let clean = if in_top { None } else { strip_marks(line) };
        match clean {
            Some(clean) => self.read(n, &clean, true, emit),
            None => self.read(n, line, false, emit),
        }
    }

    fn note(&mut self, what: Recovery, n: usize) {
        let slot = &mut self.recovered[what as usize];
        if slot.0 == 0 {
            slot.1 = n;
        }
        slot.0 += 1;
    }

    /// `# text` where a command echo is not meant: output commented out in a script.
    fn commented_output(&self, rest: &str) -> bool {
        if output_start(rest).is_some() {
            return true;
        }
        let Some(o) = &self.open else {
            return false;
        };
        if rest.starts_with([' ', '\t']) {
            return true;
        }
        let first = rest.split_ascii_whitespace().next().unwrap_or("");
        (o.commented
            && (rest.contains(':') || first.as_bytes().first().is_some_and(u8::is_ascii_digit)))
            || match o.kind {
                CaptureKind::IpLink => ip_block_line(rest),
                CaptureKind::Ifconfig => ifconfig_block_line(rest),
                _ => false,
            }
    }

    fn read(&mut self, n: usize, line: &str, marked: bool, emit: &mut impl FnMut(Segment)) {
        if let Some(d) = parsers::date::parse_line(line) {
            self.close(emit);
            self.time = Some(Timestamp::new(d.local, d.offset_seconds));
            self.dates += 1;
            return;
        }
        let mut commented = false;
        let mut line = line;
        if let Some((command, host)) = command_echo(line) {
            let kind = command_kind(&command);
            let rest = line
                .strip_prefix('#')
                .map(|r| r.strip_prefix(' ').unwrap_or(r));
            match rest {
                Some(rest) if kind.is_none() && self.commented_output(rest) => {
                    commented = true;
                    line = rest;
                }
                _ => {
                    if self.prompt_host.is_none() {
                        self.prompt_host = host.filter(|h| plausible_host(h));
                    }
                    self.close(emit);
                    self.announced = kind;
                    return;
                }
            }
        }
        // A bare command line printed by `echo` in a script (`ip -s -s link ls dev tap0`).
        if self.open.is_none() || !line.starts_with(' ') {
            if let Some(kind) = bare_command_kind(line).filter(|_| output_start(line).is_none()) {
                if line.split_whitespace().count() >= 2 || matches!(kind, CaptureKind::Top) {
                    self.close(emit);
                    self.announced = Some(kind);
                    return;
                }
            } else if self.open.is_some() && other_command_line(line) {
                // A command of a script whose output is not read (`ethtool -G eth0 rx 4096`)
                // ends the output before it.
                self.close(emit);
                self.announced = None;
                return;
            }
        }
        let starts = output_start(line);
        // A forum wrapped the `ip link` header line: join its rest to it.
        if starts.is_none() {
            if let Some(o) = self.open.as_mut() {
                if let Some(flags_open) = o.ip_header {
                    if ip_header_rest(line, flags_open) {
                        o.text.pop();
                        if !flags_open {
                            o.text.push(' ');
                        }
                        o.text.push_str(line.trim_start());
                        o.content_end = o.text.len();
                        o.text.push('\n');
                        o.ip_header = None;
                        self.note(Recovery::WrappedHeader, n);
                        return;
                    }
                }
            }
        }
        // ip and ifconfig continue only on indented lines, or on lines of their own that a
        // paste left without indentation: anything else ends their block.
        if starts.is_none()
            && !line.is_empty()
            && !line.starts_with([' ', '\t'])
            && self.open.as_ref().is_some_and(|o| match o.kind {
                CaptureKind::IpLink => !ip_block_line(line),
                CaptureKind::Ifconfig => !ifconfig_block_line(line),
                CaptureKind::NetstatIface => !netstat_row(line),
                _ => false,
            })
        {
            self.close(emit);
        }
        let start_new = match (&starts, &self.open) {
            // The next frame of the same `top -n N` run (no date or command in between).
            (Some(CaptureKind::Top), Some(o)) => o.kind != CaptureKind::Top,
            (Some(CaptureKind::Top), None) => true,
            (Some(k), Some(o)) => !same_kind(k, &o.kind),
            (Some(_), None) => true,
            (None, None) => self.announced.is_some() && !line.trim().is_empty(),
            (None, Some(_)) => false,
        };
        if start_new {
            self.close(emit);
            let kind = match (self.announced.take(), starts) {
                (Some(a), Some(s)) if same_kind(&a, &s) => a,
                (Some(a), None) => a,
                (_, Some(s)) => s,
                (None, None) => return,
            };
            let time = if kind == CaptureKind::Top {
                top_time(self.time, line).or(self.time)
            } else {
                self.time
            };
            self.open = Some(Open {
                kind,
                first_line: n,
                text: String::with_capacity(self.capacity),
                content_end: 0,
                time,
                net_rx: false,
                ip_header: None,
                commented,
            });
        }
        let mut used = false;
        match &mut self.open {
            Some(o) => {
                used = true;
                o.text.push_str(line);
                if !line.trim().is_empty() {
                    o.content_end = o.text.len();
                    if o.kind == CaptureKind::Interrupts && line.trim_start().starts_with("NET_RX:")
                    {
                        o.net_rx = true;
                    }
                    o.ip_header = (o.kind == CaptureKind::IpLink && starts_with_index_colon(line))
                        .then(|| !line.contains('>'));
                }
                o.text.push('\n');
            }
            None if !line.trim().is_empty() => {
                if self.ignored.0 == 0 {
                    self.ignored.1 = n;
                }
                self.ignored.0 += 1;
            }
            None => {}
        }
        if used && marked {
            self.note(Recovery::Marks, n);
        }
    }

    /// Ends the log: the open segment is handed out.
    pub fn finish(&mut self, emit: &mut impl FnMut(Segment)) {
        self.close(emit);
    }

    /// Ends the open segment: a CPU table holding `NET_RX` is `/proc/softirqs`; trailing
    /// blank lines are dropped; an all-blank segment is discarded.
    fn close(&mut self, emit: &mut impl FnMut(Segment)) {
        let Some(mut o) = self.open.take() else {
            return;
        };
        if o.kind == CaptureKind::Interrupts && o.net_rx {
            o.kind = CaptureKind::Softirqs;
        }
        if o.content_end == 0 {
            return;
        }
        o.text.truncate(o.content_end);
        self.capacity = o.text.len() + 1;
        self.segments += 1;
        emit(Segment {
            kind: o.kind,
            first_line: o.first_line,
            text: o.text,
            time: o.time,
        });
    }
}

/// Cuts a whole log held in memory.
pub fn segment(text: &str) -> Segmented {
    let mut segmenter = Segmenter::new();
    let mut segments = Vec::new();
    let mut emit = |s: Segment| segments.push(s);
    for (i, raw) in text.lines().enumerate() {
        segmenter.line(i + 1, raw, &mut emit);
    }
    segmenter.finish(&mut emit);
    Segmented {
        segments,
        dates: segmenter.dates,
        prompt_host: segmenter.prompt_host,
        ignored: segmenter.ignored,
        recovered: segmenter.recovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../testdata/capture/seed000-tap-tx-drops.log");

    #[test]
    fn seed_loop_splits_into_dated_ip_samples() {
        let s = segment(SEED);
        assert_eq!(s.dates, 10);
        let ip: Vec<&Segment> = s
            .segments
            .iter()
            .filter(|g| g.kind == CaptureKind::IpLink)
            .collect();
        assert_eq!(ip.len(), 10);
        // First sample: "Tue Nov 29 12:28:22 EST 2016" then the echoed command, then the block.
        assert_eq!(ip[0].time.unwrap().to_string(), "2016-11-29T12:28:22-05:00");
        assert!(ip[0].text.starts_with("69: tapc18eb09e-01:"));
        assert_eq!(ip[9].time.unwrap().to_string(), "2016-11-29T12:29:07-05:00");
        assert_eq!(s.prompt_host.as_deref(), Some("ibm-x3550m4-9"));
    }

    #[test]
    fn prompts_and_set_x_lines_are_commands() {
        assert_eq!(
            command_echo("[root@web01 ~]# ip -s link").unwrap().0,
            "ip -s link"
        );
        assert_eq!(
            command_echo("admin@db-2:/tmp$ ethtool -S eth0")
                .unwrap()
                .1
                .as_deref(),
            Some("db-2")
        );
        assert_eq!(command_echo("+ top -b -n1").unwrap().0, "top -b -n1");
        assert_eq!(
            command_kind("top -b -n1 | head -20"),
            Some(CaptureKind::Top)
        );
        assert_eq!(
            command_kind("cat /proc/net/softnet_stat"),
            Some(CaptureKind::Softnet)
        );
        assert_eq!(
            command_kind("ethtool -S eth0"),
            Some(CaptureKind::EthtoolStats {
                dev: "eth0".into(),
                ns: None
            })
        );
        assert_eq!(
            command_kind("ip -s -s link ls dev tap0"),
            Some(CaptureKind::IpLink)
        );
    }

    #[test]
    fn announced_ethtool_keeps_its_device() {
        let log = "$ ethtool -S eth1\nNIC statistics:\n     rx_missed_errors: 5\n$ date\nTue Nov 29 12:28:22 EST 2016\n";
        let s = segment(log);
        assert_eq!(s.segments.len(), 1);
        assert_eq!(
            s.segments[0].kind,
            CaptureKind::EthtoolStats {
                dev: "eth1".into(),
                ns: None
            }
        );
        assert_eq!(s.segments[0].first_line, 2);
    }

    #[test]
    fn prompt_shapes_and_plausible_hosts() {
        for (line, cmd, host) in [
            ("suse15:~ # ip -s link", "ip -s link", Some("suse15")),
            (
                "web01:/etc/sysconfig # ethtool -S eth0",
                "ethtool -S eth0",
                Some("web01"),
            ),
            ("geeko@suse15:~> ip -s link", "ip -s link", Some("suse15")),
            (
                "ops@mac-mini ~ % ip -s link",
                "ip -s link",
                Some("mac-mini"),
            ),
            ("root@lb7# ip -s link", "ip -s link", Some("lb7")),
            (
                "[root@/ ~]# ip -s -s link ls p4p2",
                "ip -s -s link ls p4p2",
                Some("/"),
            ),
            ("% netstat -i", "netstat -i", None),
        ] {
            let (c, h) = command_echo(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((c.as_str(), h.as_deref()), (cmd, host), "{line}");
        }
        // Output lines that must not be taken for prompts.
        for line in [
            "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500",
            "  eth0: 1 2 3",
            "5: eth0.100@eth0: <BROADCAST,MULTICAST> mtu 1500",
            "rx_packets: 5",
        ] {
            assert_eq!(command_echo(line), None, "{line}");
        }
        for h in ["web01", "db-2.example.com", "ip-10-0-0-1", "a"] {
            assert!(plausible_host(h), "{h}");
        }
        for h in [
            "/",
            "~",
            "localhost",
            "localhost.localdomain",
            "10.0.0.1",
            "1234",
            "",
            "-x",
            "a b",
            "host_1",
        ] {
            assert!(!plausible_host(h), "{h}");
        }
    }

    #[test]
    fn marks_are_stripped_only_where_they_are_marks() {
        assert_eq!(
            strip_marks(
                ">> RX packets:1419121922 [errors:71111] dropped:0 [overruns:71111] frame:0 <<"
            )
            .as_deref(),
            Some("RX packets:1419121922 errors:71111 dropped:0 overruns:71111 frame:0")
        );
        assert_eq!(
            strip_marks("    **146442**  0   <-- look").as_deref(),
            Some("    146442  0")
        );
        for clean in [
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500",
            "     [0]: rx_discards: 5",
            "  123 root  20   0  0 0 0 S  1.0  0.0   0:00.12 [kworker/0:1]",
            "ip -s link > out.txt",
            "  -> 10.0.0.2:80   Route   1   0   0",
        ] {
            assert_eq!(strip_marks(clean), None, "{clean}");
        }
    }

    #[test]
    fn headerless_rows_and_blocks_without_indentation() {
        let row = " eth2: 301300435242358 1242429666624 0 19769362 19769362 0 0 94522274 59829396211 1104977621 0 0 0 0 0 0";
        assert_eq!(output_start(row), Some(CaptureKind::ProcNetDev));
        assert_eq!(output_start(&row[..60]), None);
        assert_eq!(
            output_start(
                "RX packets:1215382409979 errors:0 dropped:9836789 overruns:9836789 frame:0"
            ),
            Some(CaptureKind::Ifconfig)
        );
        assert_eq!(
            output_start("11: p4p2: <BROADCAST,MULTICAST,UP,LOWER_"),
            Some(CaptureKind::IpLink)
        );
        assert_eq!(
            output_start(
                "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg"
            ),
            Some(CaptureKind::NetstatIface)
        );
        assert_eq!(output_start("[ {"), Some(CaptureKind::IpJson));
        assert_eq!(
            output_start("[{\"ifindex\":1,\"ifname\":\"lo\"}]"),
            Some(CaptureKind::IpJson)
        );
        assert!(ip_block_line("RX errors: length crc frame fifo missed"));
        assert!(ip_block_line("0 0 0 0 0"));
        assert!(!ip_block_line("Environment"));
        assert!(ifconfig_block_line(
            "UP BROADCAST RUNNING SLAVE MULTICAST MTU:1500 Metric:1"
        ));
        assert!(ifconfig_block_line("collisions:0 txqueuelen:1000"));
        assert!(!ifconfig_block_line("Resolution"));
        assert_eq!(
            command_kind("ip -j -s -s link show eth0"),
            Some(CaptureKind::IpJson)
        );
        assert_eq!(command_kind("netstat -in"), Some(CaptureKind::NetstatIface));
        assert_eq!(command_kind("ifconfig -s"), Some(CaptureKind::NetstatIface));
        assert_eq!(command_kind("netstat -tanp"), None);
    }

    #[test]
    fn proc_net_snmp_lines_are_never_proc_net_dev_rows() {
        // 16 numbers after a name and a colon, like a headerless /proc/net/dev row, plain and
        // indented: a /proc/net/snmp value line (the kernel prints 16 ICMP types per line).
        let icmp = "IcmpMsg: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16";
        assert_eq!(output_start(icmp), Some(CaptureKind::ProcNetSnmp));
        assert_eq!(
            output_start(&format!("  {icmp}")),
            Some(CaptureKind::ProcNetSnmp)
        );
        assert_eq!(
            output_start("Tcp: RtoAlgorithm RtoMin RtoMax MaxConn"),
            Some(CaptureKind::ProcNetSnmp)
        );
        assert_eq!(
            output_start("Tcp: 1 200 120000 -1"),
            Some(CaptureKind::ProcNetSnmp)
        );
        // `netstat -s` group lines, `ss -s` and sockstat are not.
        assert_eq!(output_start("Ip:"), Some(CaptureKind::NetstatS));
        assert_eq!(output_start("IcmpMsg:"), Some(CaptureKind::NetstatS));
        assert_eq!(output_start("Udp6:"), Some(CaptureKind::NetstatS));
        assert_eq!(output_start("Foo:"), None);
        assert_eq!(output_start("TCP:   5 (estab 1, closed 0)"), None);
        assert_eq!(output_start("Tcp: connection refused"), None);
        // A device named like no protocol group is still a row.
        let row = "eth2: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16";
        assert_eq!(output_start(row), Some(CaptureKind::ProcNetDev));

        // A paste cut mid-file: the second pair's header, then the 16 values, one output.
        let names: Vec<String> = (0..16).map(|t| format!("InType{t}")).collect();
        let text = format!(
            "IcmpMsg: {}\n{icmp}\nTcp: InSegs\nTcp: 9\n",
            names.join(" ")
        );
        let log = segment(&text);
        assert_eq!(log.ignored.0, 0);
        let kinds: Vec<_> = log.segments.iter().map(|s| s.kind.clone()).collect();
        assert_eq!(kinds, [CaptureKind::ProcNetSnmp]);
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "\n\n",
            "# \n$ \n+ ",
            "   CPU0\n",
            "top - x",
            "\u{0}\u{FFFD}",
            " *",
            "*",
            "[",
            "[a:",
            "**",
            "<--",
            "# ",
            "#",
            "x:~ #",
            "2: e: <",
            "```",
        ] {
            let _ = segment(text);
        }
        for end in 0..SEED.len() {
            if SEED.is_char_boundary(end) && end % 7 == 0 {
                let _ = segment(&SEED[..end]);
            }
        }
    }
}
