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

use crate::classify::{classify_argv, CaptureKind};

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
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("capture regex"))
}

/// The command of a command-echo line, and the host of its prompt if any.
fn command_echo(line: &str) -> Option<(String, Option<String>)> {
    static BRACKET: OnceLock<Regex> = OnceLock::new();
    static USER_AT: OnceLock<Regex> = OnceLock::new();
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    let first = *line.as_bytes().first()?;
    // Every form starts with one of these bytes or holds `user@host`.
    if !matches!(first, b'[' | b'#' | b'$' | b'+') && !line.contains('@') {
        return None;
    }
    if let Some(c) = re(&BRACKET, r"^\[([^@\]\s]+)@([^\]\s]+)[^\]]*\][#$]\s*(.*)$").captures(line) {
        return Some((c[3].to_string(), Some(c[2].to_string())));
    }
    if let Some(c) = re(
        &USER_AT,
        r"^([A-Za-z0-9_.-]+)@([A-Za-z0-9_.-]+):[^#$\s]*[#$]\s*(.*)$",
    )
    .captures(line)
    {
        return Some((c[3].to_string(), Some(c[2].to_string())));
    }
    if let Some(c) = re(&PLAIN, r"^(?:[#$]|\+{1,3})\s+(.+)$").captures(line) {
        return Some((c[1].to_string(), None));
    }
    None
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
            return crate::classify::classify_proc_path(path);
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

/// `N:` at the start of the line, as `ip link` numbers its interfaces.
fn starts_with_index_colon(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line.as_bytes().get(digits) == Some(&b':')
}

/// The kind whose output starts on this line, when it is recognisable on its own.
fn output_start(line: &str) -> Option<CaptureKind> {
    static IP: OnceLock<Regex> = OnceLock::new();
    static IFCONFIG: OnceLock<Regex> = OnceLock::new();
    static CPU_HEADER: OnceLock<Regex> = OnceLock::new();
    static RING: OnceLock<Regex> = OnceLock::new();
    let first = *line.as_bytes().first()?;
    if first == b' ' || first == b'\t' {
        // Indented: only a /proc/interrupts or /proc/softirqs CPU header starts an output
        // (`           CPU0       CPU1`); softnet rows may be indented by a paste.
        let body = line.trim_start();
        if body.starts_with("CPU")
            && re(&CPU_HEADER, r"^\s+CPU\d+(?:\s+CPU\d+)*\s*$").is_match(line)
        {
            // Resolved to softirqs when the table holds NET_RX (see `close`).
            return Some(CaptureKind::Interrupts);
        }
        return softnet_row(body).then_some(CaptureKind::Softnet);
    }
    // A `top` frame, or a pasted part of one that starts at its CPU summary line.
    if parsers::top::is_header(line) || line.starts_with("%Cpu(s):") || line.starts_with("Cpu(s):")
    {
        return Some(CaptureKind::Top);
    }
    if starts_with_index_colon(line) && re(&IP, r"^\d+:\s+\S+:\s+<[A-Z0-9_,-]*>").is_match(line) {
        return Some(CaptureKind::IpLink);
    }
    if line.starts_with("Inter-|") {
        return Some(CaptureKind::ProcNetDev);
    }
    if (line.contains("flags=") || line.contains("Link encap:"))
        && re(
            &IFCONFIG,
            r"^[A-Za-z0-9_.:@-]+(?::\s+flags=\d+<|\s+Link encap:)",
        )
        .is_match(line)
    {
        return Some(CaptureKind::Ifconfig);
    }
    if line == "NIC statistics:" || line == "PHY statistics:" {
        return Some(CaptureKind::EthtoolStats {
            dev: String::new(),
            ns: None,
        });
    }
    if line.starts_with("Ring") || line.starts_with("Channel") {
        if let Some(c) = re(&RING, r"^(Ring|Channel) parameters for ([^:@\s]+)").captures(line) {
            let dev = c[2].to_string();
            return Some(if &c[1] == "Ring" {
                CaptureKind::EthtoolRing { dev, ns: None }
            } else {
                CaptureKind::EthtoolChannels { dev, ns: None }
            });
        }
    }
    if line.starts_with("Ethernet Channel Bonding Driver") {
        return Some(CaptureKind::Bonding {
            bond: String::new(),
        });
    }
    if line.starts_with("IP Virtual Server version") || line.starts_with("IPVS connection entries")
    {
        return Some(CaptureKind::Ipvsadm {
            args: String::new(),
        });
    }
    if softnet_row(line.trim()) {
        return Some(CaptureKind::Softnet);
    }
    None
}

/// A /proc/net/softnet_stat row: 9 to 15 columns of 8 hex digits (at least 80 bytes).
fn softnet_row(line: &str) -> bool {
    static SOFTNET: OnceLock<Regex> = OnceLock::new();
    let line = line.trim_end();
    line.len() >= 80
        && line.as_bytes()[..8].iter().all(u8::is_ascii_hexdigit)
        && re(&SOFTNET, r"^[0-9a-f]{8}(?: [0-9a-f]{8}){8,14}$").is_match(line)
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
    /// Buffer size for the next segment (the last one's), to avoid regrowing.
    capacity: usize,
}

impl Segmenter {
    pub fn new() -> Self {
        Segmenter::default()
    }

    /// Reads line `n` (1-based; a trailing CR is removed here). A segment that this line ends
    /// is passed to `emit`.
    pub fn line(&mut self, n: usize, raw: &str, emit: &mut impl FnMut(Segment)) {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(d) = parsers::date::parse_line(line) {
            self.close(emit);
            self.time = Some(Timestamp::new(d.local, d.offset_seconds));
            self.dates += 1;
            return;
        }
        if let Some((command, host)) = command_echo(line) {
            if host.is_some() && self.prompt_host.is_none() {
                self.prompt_host = host;
            }
            self.close(emit);
            self.announced = command_kind(&command);
            return;
        }
        // A bare command line printed by `echo` in a script (`ip -s -s link ls dev tap0`).
        if self.open.is_none() || !line.starts_with(' ') {
            if let Some(kind) = bare_command_kind(line).filter(|_| output_start(line).is_none()) {
                if line.split_whitespace().count() >= 2 || matches!(kind, CaptureKind::Top) {
                    self.close(emit);
                    self.announced = Some(kind);
                    return;
                }
            }
        }
        let starts = output_start(line);
        // ip and ifconfig continue only on indented lines: anything else ends their block.
        if starts.is_none()
            && !line.is_empty()
            && !line.starts_with([' ', '\t'])
            && self
                .open
                .as_ref()
                .is_some_and(|o| matches!(o.kind, CaptureKind::IpLink | CaptureKind::Ifconfig))
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
            });
        }
        match &mut self.open {
            Some(o) => {
                o.text.push_str(line);
                if !line.trim().is_empty() {
                    o.content_end = o.text.len();
                    if o.kind == CaptureKind::Interrupts && line.trim_start().starts_with("NET_RX:")
                    {
                        o.net_rx = true;
                    }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../testdata/capture/seed000-tap-tx-drops.log");

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
    fn garbage_does_not_panic() {
        for text in [
            "",
            "\n\n",
            "# \n$ \n+ ",
            "   CPU0\n",
            "top - x",
            "\u{0}\u{FFFD}",
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
