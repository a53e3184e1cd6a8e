//! `top -b` batch output (procps 3.2 and procps-ng 3.3/4.x, per-CPU lines, process table),
//! knowledge §8.
//!
//! A capture is a sequence of frames, each starting with a header `top - HH:MM:SS up …` (or a
//! window name such as `1:Def - …`, alternate-window mode); see [`is_header`]. The uptime part is
//! read by [`crate::uptime::parse_line`]. Inside a frame (any order, every line optional):
//!
//! * `Tasks: N total, N running, N sleeping, N stopped, N zombie` (also ≥ 4.0.5 `sleep`,
//!   `d-sleep`, and `Threads:` with `-H`): checked, not stored.
//! * CPU lines, kept in [`TopFrame::cpus`]. The label is `Cpu(s):` / `Cpu0  :` (procps 3.2),
//!   `%Cpu(s):` / `%Cpu0  :` (procps-ng), `%CpP0  :` / `%CpE1  :` (4.0.4 hybrid P-/E-cores,
//!   [`TopCpu::core_type`]); the summary line gives `cpu: None`, a per-CPU line `cpu: Some(n)`.
//!   Values are `number[%] state` pairs separated by commas, with any blank run or none
//!   (`:100.0 us,` glued to the colon, `0.3%us,` glued to `%`), decimal comma accepted
//!   (`2,3 us`). States: `us sy ni id wa hi si st`, and the very old 4/5-state words `user system
//!   nice idle IO-wait` (STATES_line2x4/2x5), mapped to us/sy/ni/id/wa. procps-ng 4 prints per-CPU
//!   lines two abreast (`%Cpu0  : … st   %Cpu1  : …`); both CPUs are kept. Those lines are cut at
//!   the screen width (80 columns in batch mode unless `-w`): a CPU cut in the middle keeps the
//!   states it has (warning), a CPU cut away entirely is lost — the frame gets a warning when per-CPU
//!   lines come with a `Mem` line but no `Swap` (the sign of the cut two-abreast layout).
//!   Graph-mode lines (`%Cpu(s):  12.5/3.1  16[|||  ]`) are reported, not read.
//! * `%Node0 :` NUMA lines: understood, skipped.
//! * Memory: `Mem:  16333836k total, …k used, …k free, …k buffers` / `Swap: … cached` (3.2, `k` or
//!   `K`), `KiB Mem:  … buffers` / `KiB Swap: … free. … cached Mem` (≤ 3.3.9), `KiB Mem : … total,
//!   … free, … used, … buff/cache` / `KiB Swap: … used. … avail Mem` (≥ 3.3.10); the unit word
//!   (`KiB MiB GiB TiB PiB EiB`, `-E`) scales fractional values (`24105.6`); procps-ng 4 two-abreast
//!   `MiB Mem : …   MiB Swap: …` on one line. Kept in [`TopFrame::memory`] as KiB.
//! * The process table: a header line with the column names (`PID USER PR NI VIRT RES SHR S %CPU
//!   %MEM TIME+ COMMAND`, old procps `  PID USER      PR  NI  VIRT  RES  SHR S %CPU %MEM    TIME+
//!   COMMAND`, or any other field set) and one row per task. Columns are **mapped by header name**;
//!   rows are split on blanks, and when `COMMAND` is the last column it is the rest of the row
//!   verbatim (with `-c` it holds arguments and spaces, and kernel threads show as
//!   `[ksoftirqd/0]`). Every row keeps pid, user, %CPU (decimal comma accepted) and command. At
//!   80 columns the command is cut and ends with `+` (`ksoftirqd+`: the CPU number is lost), see
//!   [`TopProcess::command_truncated`].
//!
//! Frames: procps-ng ends a batch frame with blank lines; a new header starts a new frame. Lines
//! of a frame whose header is not in the text (a slice that starts inside a frame, or a summary
//! pasted without its header line) start a frame without header (`window`/`clock`/`up_seconds`
//! `None`, warning); so does a summary line that comes after a process table, or a second
//! `Tasks:`/CPU summary line in one frame. [`TopFrame::first_iteration`] marks the first frame of a
//! `top` run: its CPU percentages are not an interval sample (since boot in procps 3.2, knowledge
//! §8.4; a sample of a few clock ticks in procps-ng 4.0.2, measured in this sandbox), so rules
//! should prefer later frames.
//!
//! Problems (never a silent skip; blank lines are ignored): a line that is none of the above; a
//! header whose uptime part cannot be read (the frame is kept, `up_seconds: None`); text left
//! after the values of a CPU, memory or tasks line; a process row that does not fit the header; a
//! CPU number above `u32`; no frame at all in a non-empty text (an error).
//!
//! ```
//! use parsers::top;
//! let text = "\
//! top - 20:53:29 up 3 days,  4:05,  2 users,  load average: 0.64, 0.37, 0.23
//! Tasks: 100 total,   1 running,  99 sleeping,   0 stopped,   0 zombie
//! %Cpu(s):  1.0 us,  2.0 sy,  0.0 ni, 96.0 id,  0.5 wa,  0.0 hi,  0.5 si,  0.0 st
//! ";
//! let frames = top::parse(text).value;
//! assert_eq!(frames[0].clock.map(|c| c.to_string()).as_deref(), Some("20:53:29"));
//! assert_eq!(frames[0].up_seconds, Some(3 * 86_400 + 4 * 3_600 + 5 * 60));
//! assert_eq!(frames[0].cpus[0].cpu, None);
//! assert_eq!((frames[0].cpus[0].us, frames[0].cpus[0].si), (Some(1.0), Some(0.5)));
//! ```

use chrono::NaiveTime;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_while1};
use nom::character::complete::{char, digit1, one_of, satisfy, space0, space1};
use nom::combinator::{map_res, not, opt, peek, recognize, value};
use nom::multi::many1;
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};
use serde::Serialize;

use crate::text::{clock, numbered_lines, word_offsets};
use crate::{Parsed, Problem};

/// One CPU line (`Cpu(s):`, `%Cpu(s):`, `%Cpu0  :`); percentages, `None` when not printed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopCpu {
    /// `None` for the summary line `Cpu(s)`, `Some(n)` for `%Cpu<n>`.
    pub cpu: Option<u32>,
    pub us: Option<f64>,
    pub sy: Option<f64>,
    pub ni: Option<f64>,
    pub id: Option<f64>,
    pub wa: Option<f64>,
    pub hi: Option<f64>,
    pub si: Option<f64>,
    pub st: Option<f64>,
    /// `P` or `E` for procps-ng 4.0.4 hybrid-core labels (`%CpP0`, `%CpE1`), else `None`.
    pub core_type: Option<char>,
    /// 1-based line the values were read from.
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopProcess {
    pub pid: Option<u64>,
    pub user: Option<String>,
    pub cpu_percent: Option<f64>,
    pub command: String,
    /// True when the command ends with top's truncation mark `+` (column cut at the screen
    /// width, e.g. `ksoftirqd+`).
    pub command_truncated: bool,
}

/// Memory and swap lines, in KiB (scaled from the printed unit; `None` when not printed).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopMemory {
    pub mem_total_kib: Option<f64>,
    pub mem_free_kib: Option<f64>,
    pub mem_used_kib: Option<f64>,
    /// `buffers` (procps 3.2, procps-ng ≤ 3.3.9).
    pub mem_buffers_kib: Option<f64>,
    /// `buff/cache` (procps-ng ≥ 3.3.10).
    pub mem_buff_cache_kib: Option<f64>,
    pub swap_total_kib: Option<f64>,
    pub swap_free_kib: Option<f64>,
    pub swap_used_kib: Option<f64>,
    /// `cached` on the Swap line (procps 3.2) or `cached Mem` (procps-ng ≤ 3.3.9).
    pub cached_kib: Option<f64>,
    /// `avail Mem` (procps-ng ≥ 3.3.10).
    pub avail_mem_kib: Option<f64>,
}

/// One iteration, from a `top - HH:MM:SS up …` header to the next (or, for lines whose header
/// is not in the text, a frame without header; see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopFrame {
    /// 1-based line of the header (of the first line for a frame without header).
    pub line: usize,
    pub clock: Option<NaiveTime>,
    pub up_seconds: Option<u64>,
    pub cpus: Vec<TopCpu>,
    pub processes: Vec<TopProcess>,
    /// The program or window name before ` - ` (`top`, `1:Def`); `None` for a frame whose header
    /// is not in the text.
    pub window: Option<String>,
    pub memory: Option<TopMemory>,
    /// True for the first frame of a `top` run (the first frame in the text, or one after lines
    /// that are not `top` output): its CPU percentages are not an interval sample.
    pub first_iteration: bool,
}

/// Parses `top -b` output (any number of frames, also slices of capture logs).
pub fn parse(text: &str) -> Parsed<Vec<TopFrame>> {
    parse_with(text, false)
}

/// As [`parse`], but keeps only process rows with a `%CPU` above zero (every row is still
/// checked and its problems reported). Long capture logs hold thousands of frames whose
/// tables are mostly idle processes; nothing downstream reads those.
pub fn parse_busy(text: &str) -> Parsed<Vec<TopFrame>> {
    parse_with(text, true)
}

fn parse_with(text: &str, busy_only: bool) -> Parsed<Vec<TopFrame>> {
    let mut st = State {
        busy_only,
        ..State::default()
    };
    for (no, line) in numbered_lines(text) {
        st.line(no, line);
    }
    st.finish(text)
}

pub fn is_header(line: &str) -> bool {
    header_prefix(line).is_ok()
}

/// `<name> - HH:MM:SS up `: the window name and the clock.
fn header_prefix(input: &str) -> IResult<&str, (&str, NaiveTime)> {
    let (rest, (_, name, _, _, _, clock, _, _, _)) = (
        space0,
        take_till1(|c: char| c.is_whitespace()),
        space1,
        char('-'),
        space1,
        clock,
        space1,
        tag("up"),
        space1,
    )
        .parse(input)?;
    Ok((rest, (name, clock)))
}

/// `12`, `12.5`, `12,5` (decimal comma locales) as text.
fn number_text(input: &str) -> IResult<&str, &str> {
    recognize((digit1, opt((one_of(".,"), digit1)))).parse(input)
}

/// A finite `f64` from [`number_text`] (hundreds of digits would give infinity: refused).
fn number(input: &str) -> IResult<&str, f64> {
    map_res(number_text, |s: &str| {
        // Most values carry a decimal point: parse them without a copy.
        let v = if s.contains(',') {
            s.replace(',', ".").parse::<f64>()
        } else {
            s.parse::<f64>()
        };
        v.ok().filter(|v| v.is_finite()).ok_or(())
    })
    .parse(input)
}

/// The end of a word: no letter follows.
fn word_end(input: &str) -> IResult<&str, ()> {
    not(peek(satisfy(|c: char| {
        c.is_alphanumeric() || c == '-' || c == '/'
    })))
    .parse(input)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CpuState {
    Us,
    Sy,
    Ni,
    Id,
    Wa,
    Hi,
    Si,
    St,
}

/// A state word: `us sy ni id wa hi si st`, or `user system nice idle IO-wait` (2x4/2x5).
fn cpu_state(input: &str) -> IResult<&str, CpuState> {
    let (rest, w) = take_while1(|c: char| c.is_ascii_alphabetic() || c == '-').parse(input)?;
    let state = match w {
        "us" | "user" => CpuState::Us,
        "sy" | "system" => CpuState::Sy,
        "ni" | "nice" => CpuState::Ni,
        "id" | "idle" => CpuState::Id,
        "wa" | "IO-wait" => CpuState::Wa,
        "hi" => CpuState::Hi,
        "si" => CpuState::Si,
        "st" => CpuState::St,
        _ => {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::Tag,
            )))
        }
    };
    Ok((rest, state))
}

/// `  0.3%us,` / ` 7.0 us,` / `100.0 us` / ` 0.3% user,`.
fn cpu_pair(input: &str) -> IResult<&str, (CpuState, f64)> {
    let (rest, (_, v, _, _, _, s, _, _)) = (
        space0,
        number,
        space0,
        opt(char('%')),
        space0,
        cpu_state,
        space0,
        opt(char(',')),
    )
        .parse(input)?;
    Ok((rest, (s, v)))
}

/// What a CPU label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CpuLabel<'a> {
    Summary,
    /// Digits of the CPU number and the core type (`u`, `P`, `E`).
    Cpu(&'a str, char),
}

/// `Cpu(s):`, `%Cpu(s):`, `Cpu0  :`, `%Cpu12 :`, `%CpP0  :`, `%CpE1  :`.
fn cpu_label(input: &str) -> IResult<&str, CpuLabel<'_>> {
    let (rest, (_, _, _, kind, label, _, _)) = (
        space0,
        opt(char('%')),
        tag("Cp"),
        one_of("uPE"),
        alt((value(None, tag("(s)")), digit1.map(Some))),
        space0,
        char(':'),
    )
        .parse(input)?;
    let label = match label {
        None if kind == 'u' => CpuLabel::Summary,
        None => {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::Tag,
            )))
        }
        Some(d) => CpuLabel::Cpu(d, kind),
    };
    Ok((rest, label))
}

/// One labelled CPU entry and its pairs.
type CpuEntry<'a> = (CpuLabel<'a>, Vec<(CpuState, f64)>);

fn cpu_entry(input: &str) -> IResult<&str, CpuEntry<'_>> {
    (cpu_label, many1(cpu_pair)).parse(input)
}

/// `%Node0 :` (NUMA toggles `2`/`3`).
fn node_label(input: &str) -> IResult<&str, ()> {
    value(
        (),
        (
            space0,
            opt(char('%')),
            tag("Node"),
            digit1,
            space0,
            char(':'),
        ),
    )
    .parse(input)
}

/// Graph mode: `12.5/3.1` right after a CPU or memory label.
fn graph_values(input: &str) -> IResult<&str, ()> {
    value((), (space0, number_text, char('/'), number_text)).parse(input)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemKind {
    Mem,
    Swap,
}

/// `Mem:`, `Swap:`, `KiB Mem :`, `MiB Swap:`; the unit's size in KiB (`None`: 3.2 with suffixes).
fn mem_label(input: &str) -> IResult<&str, (MemKind, Option<f64>)> {
    let unit = alt((
        value(1.0, tag("KiB")),
        value(1024.0, tag("MiB")),
        value(1024.0 * 1024.0, tag("GiB")),
        value(1024.0 * 1024.0 * 1024.0, tag("TiB")),
        value(1024.0 * 1024.0 * 1024.0 * 1024.0, tag("PiB")),
        value(1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0, tag("EiB")),
    ));
    let (rest, (_, unit, kind, _, _)) = (
        space0,
        opt(terminated(unit, space1)),
        alt((
            value(MemKind::Mem, tag("Mem")),
            value(MemKind::Swap, tag("Swap")),
        )),
        space0,
        char(':'),
    )
        .parse(input)?;
    Ok((rest, (kind, unit)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemWord {
    Total,
    Free,
    Used,
    Buffers,
    BuffCache,
    Cached,
    AvailMem,
}

fn mem_word(input: &str) -> IResult<&str, MemWord> {
    terminated(
        alt((
            value(MemWord::Total, tag("total")),
            value(MemWord::Free, tag("free")),
            value(MemWord::Used, tag("used")),
            value(MemWord::Buffers, tag("buffers")),
            value(MemWord::BuffCache, tag("buff/cache")),
            value(
                MemWord::AvailMem,
                (tag("avail"), space1, tag("Mem")).map(|_| ()),
            ),
            value(
                MemWord::Cached,
                (tag("cached"), opt((space1, tag("Mem")))).map(|_| ()),
            ),
        )),
        word_end,
    )
    .parse(input)
}

/// `  16333836k total,` / ` 24105.6 total,` / `0 used.`; the value scaled by a `k`/`m`/`g` suffix
/// (in KiB; `None` without suffix).
fn mem_pair(input: &str) -> IResult<&str, (MemWord, f64, Option<f64>)> {
    let suffix = alt((
        value(1.0, one_of("kK")),
        value(1024.0, one_of("mM")),
        value(1024.0 * 1024.0, one_of("gG")),
    ));
    let (rest, (_, v, suffix, _, w, _, _)) = (
        space0,
        number,
        opt(suffix),
        space1,
        mem_word,
        space0,
        opt(one_of(",.")),
    )
        .parse(input)?;
    Ok((rest, (w, v, suffix)))
}

type MemSegment = ((MemKind, Option<f64>), Vec<(MemWord, f64, Option<f64>)>);

fn mem_segment(input: &str) -> IResult<&str, MemSegment> {
    (mem_label, many1(mem_pair)).parse(input)
}

/// `Tasks:` / `Threads:` and the `N word` pairs.
fn tasks_line(input: &str) -> IResult<&str, ()> {
    let word = alt((
        tag("total"),
        tag("running"),
        tag("sleeping"),
        tag("sleep"),
        tag("d-sleep"),
        tag("stopped"),
        tag("zombie"),
    ));
    let pair = (
        space0,
        digit1,
        space1,
        word,
        word_end,
        space0,
        opt(char(',')),
    );
    value(
        (),
        (
            space0,
            alt((tag("Tasks"), tag("Threads"))),
            space0,
            char(':'),
            many1(pair),
        ),
    )
    .parse(input)
}

/// A process table header: column names, `PID` among them, no number.
fn table_header(t: &str) -> Option<Table> {
    if !t.contains("PID") {
        return None;
    }
    let cols: Vec<String> = t.split_whitespace().map(str::to_string).collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    let names_only = cols.iter().all(|c| {
        !c.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    });
    if cols.len() < 2 || !has("PID") || !names_only {
        return None;
    }
    if !(has("COMMAND") || has("USER") || has("%CPU")) {
        return None;
    }
    let pos = |n: &str| cols.iter().position(|c| c == n);
    Some(Table {
        pid: pos("PID"),
        user: pos("USER"),
        cpu: pos("%CPU"),
        command: pos("COMMAND"),
        cols: cols.len(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Table {
    pid: Option<usize>,
    user: Option<usize>,
    cpu: Option<usize>,
    command: Option<usize>,
    cols: usize,
}

impl Table {
    fn command_is_last(&self) -> bool {
        self.command == Some(self.cols.saturating_sub(1))
    }

    /// Reads one row; `Err` with the reason when it does not fit. With `busy_only`, a row
    /// whose `%CPU` is not above zero is checked but gives `None` (nothing is allocated).
    fn row(
        &self,
        t: &str,
        busy_only: bool,
    ) -> Result<(Option<TopProcess>, Option<String>), String> {
        // Most rows are ASCII with at most a dozen columns: word offsets on the stack.
        let mut words = [(0usize, 0usize); MAX_FAST_COLUMNS];
        let mut count = 0;
        if t.is_ascii() && self.cols <= MAX_FAST_COLUMNS {
            let bytes = t.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                if i == bytes.len() {
                    break;
                }
                let start = i;
                while i < bytes.len() && !is_space(bytes[i]) {
                    i += 1;
                }
                if count < MAX_FAST_COLUMNS {
                    words[count] = (start, i);
                }
                count += 1;
            }
        } else {
            let all = word_offsets(t);
            count = all.len();
            for (slot, (off, w)) in words.iter_mut().zip(&all) {
                *slot = (*off, off + w.len());
            }
            if self.cols > MAX_FAST_COLUMNS {
                return self.row_slow(t, &all, busy_only);
            }
        }
        self.check_fields(count)?;
        let word = |i: Option<usize>| i.filter(|&i| i < count).map(|i| &t[words[i].0..words[i].1]);
        let offset = |i: Option<usize>| i.filter(|&i| i < count).map(|i| words[i].0);
        self.finish_row(t, word, offset, busy_only)
    }

    /// A row has one field per column; a last COMMAND column may hold spaces.
    fn check_fields(&self, count: usize) -> Result<(), String> {
        let fits = if self.command_is_last() {
            count >= self.cols
        } else {
            count == self.cols
        };
        if fits {
            Ok(())
        } else {
            Err(format!(
                "process row with {count} fields for {} columns",
                self.cols
            ))
        }
    }

    /// A row of a table wider than [`MAX_FAST_COLUMNS`].
    fn row_slow(
        &self,
        t: &str,
        words: &[(usize, &str)],
        busy_only: bool,
    ) -> Result<(Option<TopProcess>, Option<String>), String> {
        self.check_fields(words.len())?;
        let word = |i: Option<usize>| i.and_then(|i| words.get(i)).map(|(_, w)| *w);
        let offset = |i: Option<usize>| i.and_then(|i| words.get(i)).map(|(o, _)| *o);
        self.finish_row(t, word, offset, busy_only)
    }

    fn finish_row<'t>(
        &self,
        t: &'t str,
        word: impl Fn(Option<usize>) -> Option<&'t str>,
        offset: impl Fn(Option<usize>) -> Option<usize>,
        busy_only: bool,
    ) -> Result<(Option<TopProcess>, Option<String>), String> {
        let pid = match word(self.pid) {
            Some(w) => Some(
                crate::text::token_u64(w).ok_or_else(|| format!("PID {w:?} is not a number"))?,
            ),
            None => None,
        };
        let mut note = None;
        let cpu_percent = match word(self.cpu) {
            Some(w) => {
                let v = all_number(w);
                if v.is_none() {
                    note = Some(format!("%CPU {w:?} is not a number"));
                }
                v
            }
            None => None,
        };
        if busy_only && !cpu_percent.is_some_and(|c| c > 0.0) {
            return Ok((None, note));
        }
        let command = if self.command_is_last() {
            offset(self.command)
                .and_then(|off| t.get(off..))
                .unwrap_or("")
                .trim_end()
                .to_string()
        } else {
            word(self.command).unwrap_or("").to_string()
        };
        Ok((
            Some(TopProcess {
                pid,
                user: word(self.user).map(str::to_string),
                cpu_percent,
                command_truncated: command.ends_with('+'),
                command,
            }),
            note,
        ))
    }
}

/// `char::is_whitespace` for ASCII bytes (which, unlike `u8::is_ascii_whitespace`, includes
/// the vertical tab), so both splitting paths agree.
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

/// Tables up to this many columns are split without allocating (top prints 12 by default).
const MAX_FAST_COLUMNS: usize = 24;

/// A whole token as a number (decimal point or comma).
fn all_number(w: &str) -> Option<f64> {
    // Idle rows, by far the most common, print exactly this.
    if w == "0.0" {
        return Some(0.0);
    }
    match number(w) {
        Ok(("", v)) => Some(v),
        _ => None,
    }
}

/// How a frame has been filled so far.
#[derive(Clone, Default)]
struct FrameState {
    frame: TopFrame,
    table: Option<Table>,
    seen_tasks: bool,
    seen_summary_cpu: bool,
    /// Process rows read (kept or not).
    rows: usize,
    /// Line of the first `Mem` segment and whether a `Swap` segment was seen.
    mem_line: Option<usize>,
    seen_swap: bool,
}

#[derive(Clone, Default)]
struct State {
    frames: Vec<TopFrame>,
    problems: Vec<Problem>,
    cur: Option<FrameState>,
    /// A line that is not `top` output was met since the last frame started.
    foreign_since_frame: bool,
    /// Rows without CPU use are checked but not kept ([`parse_busy`]).
    busy_only: bool,
}

/// What kind of line starts or continues a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Tasks,
    CpuSummary,
    /// Per-CPU, memory, NUMA node and graph lines.
    Other,
    /// The process table header.
    Table,
}

/// One CPU of a CPU line with its states; an error when the CPU number does not fit in u32.
fn top_cpu(no: usize, label: CpuLabel<'_>, pairs: Vec<(CpuState, f64)>) -> Result<TopCpu, String> {
    let mut cpu = TopCpu {
        line: no,
        ..TopCpu::default()
    };
    if let CpuLabel::Cpu(digits, kind) = label {
        let Ok(n) = digits.parse::<u32>() else {
            return Err(format!("CPU number {digits} does not fit in u32"));
        };
        cpu.cpu = Some(n);
        // `Cpu0` has no core type (its `u` is the `u` of `Cpu`); `CpP0`/`CpE1` are P-/E-cores.
        cpu.core_type = (kind != 'u').then_some(kind);
    }
    for (state, v) in pairs {
        let slot = match state {
            CpuState::Us => &mut cpu.us,
            CpuState::Sy => &mut cpu.sy,
            CpuState::Ni => &mut cpu.ni,
            CpuState::Id => &mut cpu.id,
            CpuState::Wa => &mut cpu.wa,
            CpuState::Hi => &mut cpu.hi,
            CpuState::Si => &mut cpu.si,
            CpuState::St => &mut cpu.st,
        };
        *slot = Some(v);
    }
    Ok(cpu)
}

impl State {
    fn warn(&mut self, no: usize, msg: impl Into<String>) {
        self.problems.push(Problem::warning(no, msg));
    }

    fn close_frame(&mut self) {
        if let Some(fs) = self.cur.take() {
            let per_cpu = fs.frame.cpus.iter().any(|c| c.cpu.is_some());
            if let (true, Some(mem_line), false) = (per_cpu, fs.mem_line, fs.seen_swap) {
                self.warn(
                    mem_line,
                    "per-CPU lines but no Swap: procps-ng 4 prints CPUs and memory two abreast and \
                     cuts them at the screen width (80 columns in batch mode unless `-w`), so \
                     per-CPU lines may be missing from this frame",
                );
            }
            self.frames.push(fs.frame);
        }
    }

    fn start_frame(&mut self, no: usize, window: Option<String>, clock: Option<NaiveTime>) {
        let first_iteration =
            (self.cur.is_none() && self.frames.is_empty()) || self.foreign_since_frame;
        self.close_frame();
        self.cur = Some(FrameState {
            frame: TopFrame {
                line: no,
                clock,
                window,
                first_iteration,
                ..TopFrame::default()
            },
            ..FrameState::default()
        });
        self.foreign_since_frame = false;
    }

    /// Makes sure a frame is open for a summary or table line: starts one without header when
    /// there is none, after a process table with rows, or on a second Tasks/CPU summary line.
    fn frame_for(&mut self, no: usize, kind: LineKind) {
        let need_new = match &self.cur {
            None => true,
            Some(fs) => {
                (kind != LineKind::Table && fs.rows > 0)
                    || (kind == LineKind::Tasks && fs.seen_tasks)
                    || (kind == LineKind::CpuSummary && fs.seen_summary_cpu)
            }
        };
        if need_new {
            self.warn(
                no,
                "`top` lines without a `top - HH:MM:SS up …` header before them: a frame \
                 without clock",
            );
            self.start_frame(no, None, None);
        }
    }

    fn line(&mut self, no: usize, raw: &str) {
        let t = raw.trim();
        if t.is_empty() {
            return;
        }
        // Inside a table most lines are rows: try that first when PID is the first column (a
        // summary or header line never reads as such a row: its first word is not a number).
        let table = self.cur.as_ref().and_then(|fs| fs.table);
        let fast = table.filter(|tb| tb.pid == Some(0));
        if let Some(Ok((p, note))) = fast.map(|tb| tb.row(t, self.busy_only)) {
            self.push_row(no, p, note);
            return;
        }
        if let Ok((_, (name, clock))) = header_prefix(t) {
            self.header(no, t, name, clock);
            return;
        }
        if tasks_line(t).is_ok() {
            self.tasks(no, t);
            return;
        }
        if self.summary_line(no, t) {
            return;
        }
        if let Some(header) = table_header(t) {
            self.open_table(no, header);
            return;
        }
        match table.map(|tb| tb.row(t, self.busy_only)) {
            Some(Ok((p, note))) => self.push_row(no, p, note),
            Some(Err(why)) => {
                self.foreign_since_frame = true;
                self.warn(no, format!("{why}: {t:?}"));
            }
            None => {
                self.foreign_since_frame = true;
                self.warn(no, format!("not a `top -b` line: {t:?}"));
            }
        }
    }

    /// A CPU, NUMA node or memory line of the summary area. Graph-mode lines (`t`/`m`
    /// toggles) only show bars, so they are reported and not read. Returns whether the line
    /// was one.
    fn summary_line(&mut self, no: usize, t: &str) -> bool {
        if let Ok((rest, _)) = cpu_label(t) {
            if graph_values(rest).is_ok() {
                self.frame_for(no, LineKind::Other);
                self.warn(no, "graph-mode CPU line (`t` toggle): not read");
                return true;
            }
            if cpu_entry(t).is_ok() {
                self.cpu_line(no, t);
                return true;
            }
        }
        if node_label(t).is_ok() {
            self.frame_for(no, LineKind::Other);
            return true;
        }
        if let Ok((rest, _)) = mem_label(t) {
            if graph_values(rest).is_ok() {
                self.frame_for(no, LineKind::Other);
                self.warn(no, "graph-mode memory line (`m` toggle): not read");
                return true;
            }
            if mem_segment(t).is_ok() {
                self.mem_line(no, t);
                return true;
            }
        }
        false
    }

    /// The process table header: its columns decide how the rows below are read.
    fn open_table(&mut self, no: usize, table: Table) {
        self.frame_for(no, LineKind::Table);
        let already = self
            .cur
            .as_mut()
            .is_some_and(|fs| fs.table.replace(table).is_some());
        if already {
            self.warn(no, "a second process table header in one frame");
        }
        if table.command.is_none() {
            self.warn(no, "process table without a COMMAND column");
        }
    }

    fn push_row(&mut self, no: usize, p: Option<TopProcess>, note: Option<String>) {
        if let Some(fs) = &mut self.cur {
            fs.rows += 1;
            fs.frame.processes.extend(p);
        }
        if let Some(n) = note {
            self.warn(no, n);
        }
    }

    fn header(&mut self, no: usize, t: &str, name: &str, clock: NaiveTime) {
        self.start_frame(no, Some(name.to_string()), Some(clock));
        let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let up = crate::uptime::parse_line(&collapsed).map(|u| u.up_seconds);
        if up.is_none() {
            self.warn(no, "could not read the uptime part of the header");
        }
        if let Some(fs) = &mut self.cur {
            fs.frame.up_seconds = up;
        }
    }

    fn tasks(&mut self, no: usize, t: &str) {
        self.frame_for(no, LineKind::Tasks);
        if let Some(fs) = self.cur.as_mut() {
            fs.seen_tasks = true;
        }
        if let Ok((rest, ())) = tasks_line(t) {
            let rest = rest.trim();
            if !rest.is_empty() {
                self.warn(
                    no,
                    format!("could not read the end of the Tasks line: {rest:?}"),
                );
            }
        }
    }

    fn cpu_line(&mut self, no: usize, t: &str) {
        let mut entries = Vec::new();
        let mut rest = t;
        while let Ok((r, e)) = preceded(space0, cpu_entry).parse(rest) {
            entries.push(e);
            rest = r;
        }
        let summary = entries
            .first()
            .is_some_and(|(l, _)| *l == CpuLabel::Summary);
        let kind = if summary {
            LineKind::CpuSummary
        } else {
            LineKind::Other
        };
        let most = entries.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
        let rest = rest.trim();
        let mut problems = Vec::new();
        self.frame_for(no, kind);
        let Some(fs) = self.cur.as_mut() else {
            return;
        };
        fs.seen_summary_cpu |= summary;
        for (label, pairs) in entries {
            if pairs.len() < most && rest.is_empty() {
                problems.push(format!(
                    "a CPU with {} of {most} states (line cut at the screen width?)",
                    pairs.len()
                ));
            }
            match top_cpu(no, label, pairs) {
                Ok(cpu) => fs.frame.cpus.push(cpu),
                Err(why) => problems.push(why),
            }
        }
        if !rest.is_empty() {
            problems.push(format!(
                "could not read the end of the CPU line (cut at the screen width?): {rest:?}"
            ));
        }
        for p in problems {
            self.warn(no, p);
        }
    }

    fn mem_line(&mut self, no: usize, t: &str) {
        let mut segments = Vec::new();
        let mut rest = t;
        while let Ok((r, s)) = preceded(space0, mem_segment).parse(rest) {
            segments.push(s);
            rest = r;
        }
        self.frame_for(no, LineKind::Other);
        let Some(fs) = self.cur.as_mut() else {
            return;
        };
        let mem = fs.frame.memory.get_or_insert_with(TopMemory::default);
        for ((kind, unit), pairs) in segments {
            match kind {
                MemKind::Mem => {
                    fs.mem_line.get_or_insert(no);
                }
                MemKind::Swap => fs.seen_swap = true,
            }
            for (word, v, suffix) in pairs {
                let kib = v * suffix.or(unit).unwrap_or(1.0);
                let slot = match (kind, word) {
                    (MemKind::Mem, MemWord::Total) => &mut mem.mem_total_kib,
                    (MemKind::Mem, MemWord::Free) => &mut mem.mem_free_kib,
                    (MemKind::Mem, MemWord::Used) => &mut mem.mem_used_kib,
                    (MemKind::Mem, MemWord::Buffers) => &mut mem.mem_buffers_kib,
                    (MemKind::Mem, MemWord::BuffCache) => &mut mem.mem_buff_cache_kib,
                    (MemKind::Swap, MemWord::Total) => &mut mem.swap_total_kib,
                    (MemKind::Swap, MemWord::Free) => &mut mem.swap_free_kib,
                    (MemKind::Swap, MemWord::Used) => &mut mem.swap_used_kib,
                    (_, MemWord::Cached) => &mut mem.cached_kib,
                    (_, MemWord::AvailMem) => &mut mem.avail_mem_kib,
                    (MemKind::Swap, MemWord::Buffers | MemWord::BuffCache) => {
                        &mut mem.mem_buff_cache_kib
                    }
                };
                *slot = Some(kib);
            }
        }
        let rest = rest.trim();
        if !rest.is_empty() {
            self.warn(
                no,
                format!(
                    "could not read the end of the memory line (cut at the screen width?): {rest:?}"
                ),
            );
        }
    }

    fn finish(mut self, text: &str) -> Parsed<Vec<TopFrame>> {
        self.close_frame();
        // Frame-level warnings were pushed when frames closed; keep problems in line order.
        self.problems.sort_by_key(|p| p.line);
        Parsed::blocks(
            self.frames,
            self.problems,
            text,
            "no `top -b` frame found (expected `top - HH:MM:SS up …`)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{
        assert_blank_is_clean_and_prose_is_an_error, fixture, fixtures, fold_matches_parse,
        never_panics,
    };
    use crate::Severity;

    const SB_N2: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-n_2_-d_0.5.txt");
    const SB_1_80: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-1_-n_2.txt");
    const SB_1_200: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-1_-n_2_-w_200.txt");
    const SB_EM: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-n1_-E_m.txt");
    const SB_EK: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-n1_-E_k_-p.txt");
    const SB_EG: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-n1_-E_g_-e_m_-p.txt");
    const SB_W100: &str = fixture!("top", "sandbox-procps-ng-4.0.2-top_-b_-1_-n1_-w_100_-p.txt");
    const SB_W160: &str = fixture!(
        "top",
        "sandbox-procps-ng-4.0.2-top_-b_-1_-n1_-w_160_-H_-p.txt"
    );
    const SB_C: &str = fixture!(
        "top",
        "sandbox-procps-ng-4.0.2-top_-b_-n_2_-c_-w_512_-p.txt"
    );
    const SEED_BEFORE: &str = fixture!("top", "seed-000-guest-before.txt");
    const SEED_DURING: &str = fixture!("top", "seed-000-guest-during-st.txt");
    const DREAM: &str = fixture!("top", "literal-dreamlate00-procps-3.2-summary.txt");
    const HACKER: &str = fixture!("top", "literal-hacker65536-myit-procps-3.2-and-ng.txt");
    const ALESSIO: &str = fixture!("top", "literal-alessio-gh-decimal-comma.txt");
    const CONSTRUCTED: &str = fixture!("top", "constructed-variants.txt");

    const MIB: f64 = 1024.0;
    const GIB: f64 = 1024.0 * 1024.0;

    fn t(h: u32, m: u32, s: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, s)
    }

    /// `(cpu, [us, sy, ni, id, wa, hi, si, st])`
    fn states(c: &TopCpu) -> (Option<u32>, [Option<f64>; 8]) {
        (c.cpu, [c.us, c.sy, c.ni, c.id, c.wa, c.hi, c.si, c.st])
    }

    fn all8(v: [f64; 8]) -> [Option<f64>; 8] {
        v.map(Some)
    }

    fn lines(p: &Parsed<Vec<TopFrame>>) -> Vec<usize> {
        p.problems.iter().map(|p| p.line).collect()
    }

    /// pid, user, %CPU, command
    type Row<'a> = (Option<u64>, Option<&'a str>, Option<f64>, &'a str);

    fn proc_by_pid(f: &TopFrame, pid: u64) -> &TopProcess {
        f.processes
            .iter()
            .find(|p| p.pid == Some(pid))
            .unwrap_or_else(|| panic!("no pid {pid}"))
    }

    #[test]
    fn sandbox_two_iterations() {
        let p = parse(SB_N2);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].line, f[1].line), (1, 97));
        // `top - 21:27:06 up 34 min,  0 user,  load average: 2.28, 2.32, 2.29` (both frames)
        for fr in f {
            assert_eq!(fr.window.as_deref(), Some("top"));
            assert_eq!(fr.clock, t(21, 27, 6));
            assert_eq!(fr.up_seconds, Some(34 * 60));
            // `Tasks:  88 total` and 88 rows
            assert_eq!(fr.processes.len(), 88);
            assert_eq!(fr.cpus.len(), 1);
        }
        assert_eq!((f[0].first_iteration, f[1].first_iteration), (true, false));
        // `%Cpu(s): 66.7 us, 33.3 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st `
        assert_eq!(
            states(&f[0].cpus[0]),
            (None, all8([66.7, 33.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
        );
        // `%Cpu(s): 96.2 us,  1.5 sy,  0.0 ni,  2.3 id, …`
        assert_eq!(
            states(&f[1].cpus[0]),
            (None, all8([96.2, 1.5, 0.0, 2.3, 0.0, 0.0, 0.0, 0.0]))
        );
        // `MiB Mem :  24105.6 total,  19928.6 free,    662.8 used,   3816.6 buff/cache`
        // `MiB Swap:      0.0 total,      0.0 free,      0.0 used.  23442.8 avail Mem`
        let m = f[0].memory.as_ref().expect("memory");
        assert_eq!(m.mem_total_kib, Some(24105.6 * MIB));
        assert_eq!(m.mem_free_kib, Some(19928.6 * MIB));
        assert_eq!(m.mem_used_kib, Some(662.8 * MIB));
        assert_eq!(m.mem_buff_cache_kib, Some(3816.6 * MIB));
        assert_eq!(m.swap_total_kib, Some(0.0));
        assert_eq!(m.avail_mem_kib, Some(23442.8 * MIB));
        assert_eq!(m.mem_buffers_kib, None);
        // `16505 root      20   0   72184  45264  25768 R  93.8   0.2   0:00.63 cc1`
        let cc1 = &f[0].processes[0];
        assert_eq!(
            (
                cc1.pid,
                cc1.user.as_deref(),
                cc1.cpu_percent,
                cc1.command.as_str()
            ),
            (Some(16505), Some("root"), Some(93.8), "cc1")
        );
        // `   14 root      20   0       0      0      0 S   0.0   0.0   0:00.15 ksoftirqd+`
        let ks = proc_by_pid(&f[0], 14);
        assert_eq!(ks.command, "ksoftirqd+");
        assert!(ks.command_truncated);
        assert!(!cc1.command_truncated);
    }

    #[test]
    fn sandbox_per_cpu_cut_at_80_columns() {
        let p = parse(SB_1_80);
        let f = &p.value;
        assert_eq!(f.len(), 2);
        // only `%Cpu0` survives the 80-column cut; the Swap line is gone too
        assert_eq!(f[0].cpus.len(), 1);
        assert_eq!(
            states(&f[0].cpus[0]),
            (Some(0), all8([0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
        );
        // frame 2: `%Cpu0  : 93.8 us,  0.0 sy,  0.0 ni,  4.6 id,  0.0 wa,  0.0 hi,  0.0 si,  1.5 st`
        assert_eq!(
            states(&f[1].cpus[0]),
            (Some(0), all8([93.8, 0.0, 0.0, 4.6, 0.0, 0.0, 0.0, 1.5]))
        );
        assert_eq!(f[0].memory.as_ref().and_then(|m| m.swap_total_kib), None);
        // one warning per frame, on its Mem line
        assert_eq!(lines(&p), [4, 99]);
        assert!(p.problems[0].message.contains("two abreast"));
    }

    #[test]
    fn sandbox_per_cpu_two_abreast() {
        let p = parse(SB_1_200);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `%Cpu0  : 97.0 us,  3.0 sy, … 0.0 st   %Cpu1  : 98.5 us,  0.0 sy, … 1.5 st`
        assert_eq!(f[1].cpus.len(), 2);
        assert_eq!(
            states(&f[1].cpus[0]),
            (Some(0), all8([97.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
        );
        assert_eq!(
            states(&f[1].cpus[1]),
            (Some(1), all8([98.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5]))
        );
        assert_eq!(f[1].cpus[1].line, 98);
        // `MiB Mem :  24105.6 total, … buff/cache       MiB Swap: … 23467.3 avail Mem`
        let m = f[0].memory.as_ref().expect("memory");
        assert_eq!(m.mem_free_kib, Some(19943.7 * MIB));
        assert_eq!(m.swap_used_kib, Some(0.0));
        assert_eq!(m.avail_mem_kib, Some(23467.3 * MIB));
        assert_eq!(f[0].clock, t(21, 27, 14));
        assert_eq!(f[1].clock, t(21, 27, 15));
    }

    #[test]
    fn sandbox_cut_inside_the_second_cpu() {
        // -w 100: `… 0.0 st   %Cpu1  :  0.0 us, ` and `… MiB Swap:      0.0`
        let p = parse(SB_W100);
        let f = &p.value[0];
        assert_eq!(f.cpus.len(), 2);
        assert_eq!(states(&f.cpus[1]).1[0], Some(0.0));
        assert_eq!(states(&f.cpus[1]).1[1], None);
        assert_eq!(lines(&p), [3, 4, 4]);
        // -w 160 with -H: `Threads:` line; CPU1 cut at `0.0 s` (st lost)
        let p = parse(SB_W160);
        let f = &p.value[0];
        assert_eq!(
            states(&f.cpus[1]),
            (
                Some(1),
                [
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(100.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    None
                ]
            )
        );
        assert_eq!(lines(&p), [3]);
        assert_eq!(proc_by_pid(f, 22).command, "ksoftirqd/1");
    }

    #[test]
    fn sandbox_units_kib_gib() {
        // `KiB Mem : 24684084 total, 20417168 free,   572400 used,  4006156 buff/cache`
        let m = parse(SB_EK).value[0].memory.clone().expect("memory");
        assert_eq!(m.mem_total_kib, Some(24684084.0));
        assert_eq!(m.mem_buff_cache_kib, Some(4006156.0));
        assert_eq!(m.avail_mem_kib, Some(24111684.0));
        // `GiB Mem :     23.5 total,     19.5 free,      0.5 used,      3.8 buff/cache`
        let p = parse(SB_EG);
        assert!(p.problems.is_empty());
        let m = p.value[0].memory.clone().expect("memory");
        assert_eq!(m.mem_total_kib, Some(23.5 * GIB));
        assert_eq!(m.mem_used_kib, Some(0.5 * GIB));
        assert_eq!(m.avail_mem_kib, Some(23.0 * GIB));
        // `-e m` scales the process memory columns (`2.9m`); the rows still read
        assert_eq!(p.value[0].processes.len(), 3);
        // LC_ALL=C -E m
        let p = parse(SB_EM);
        assert!(p.problems.is_empty());
        assert_eq!(p.value[0].up_seconds, Some(34 * 60));
        assert_eq!(
            p.value[0].memory.as_ref().and_then(|m| m.mem_free_kib),
            Some(19929.7 * MIB)
        );
    }

    #[test]
    fn sandbox_full_command_lines() {
        let p = parse(SB_C);
        assert!(p.problems.is_empty());
        let f = &p.value[1];
        // `18906 root … 0:00.00 my   daemon  --opt x 300`: spacing kept
        assert_eq!(proc_by_pid(f, 18906).command, "my   daemon  --opt x 300");
        assert_eq!(proc_by_pid(f, 14).command, "[ksoftirqd/0]");
        assert_eq!(
            states(&f.cpus[0]),
            (None, all8([99.2, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
        );
    }

    #[test]
    fn seed_000_guest_steal_without_header() {
        let p = parse(SEED_BEFORE);
        assert_eq!(lines(&p), [1]);
        let f = &p.value[0];
        assert_eq!(
            (f.window.as_deref(), f.clock, f.up_seconds),
            (None, None, None)
        );
        assert!(f.first_iteration);
        // `%Cpu(s): 22.3 us, 77.7 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st`
        assert_eq!(
            states(&f.cpus[0]),
            (None, all8([22.3, 77.7, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
        );
        // `30172 root      20   0  107936    620    528 R 99.9  0.0   0:05.89 dd`
        let dd = &f.processes[0];
        assert_eq!(
            (dd.pid, dd.cpu_percent, dd.command.as_str()),
            (Some(30172), Some(99.9), "dd")
        );
        // `KiB Mem :  1884108 total,  1445636 free,    90536 used,   347936 buff/cache`
        let m = f.memory.as_ref().expect("memory");
        assert_eq!(m.mem_total_kib, Some(1884108.0));
        assert_eq!(m.avail_mem_kib, Some(1618720.0));

        let p = parse(SEED_DURING);
        // 1: the Japanese prose line; 3: the frame without header
        assert_eq!(lines(&p), [1, 3]);
        let f = &p.value[0];
        assert_eq!(f.line, 3);
        // `%Cpu(s):  7.0 us, 27.5 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi, 20.2 si, 45.4 st`
        assert_eq!(
            states(&f.cpus[0]),
            (None, all8([7.0, 27.5, 0.0, 0.0, 0.0, 0.0, 20.2, 45.4]))
        );
        assert_eq!(f.processes[0].cpu_percent, Some(54.3));
    }

    #[test]
    fn literal_procps_3_2() {
        let p = parse(DREAM);
        assert!(p.problems.is_empty());
        let f = &p.value[0];
        // `top - 09:44:56 up 16 days, 21:23,  1 user,  load average: 9.59, 4.75, 1.92`
        assert_eq!(f.clock, t(9, 44, 56));
        assert_eq!(f.up_seconds, Some(16 * 86_400 + 21 * 3600 + 23 * 60));
        // `Cpu(s): 99.8%us,  0.1%sy,  0.0%ni,  0.2%id,  0.0%wa,  0.0%hi,  0.0%si,  0.0%st`
        assert_eq!(
            states(&f.cpus[0]),
            (None, all8([99.8, 0.1, 0.0, 0.2, 0.0, 0.0, 0.0, 0.0]))
        );
        // `Mem:   4147888k total,  2493092k used,  1654796k free,   158188k buffers`
        // `Swap:  5144568k total,       56k used,  5144512k free,  2013180k cached`
        let m = f.memory.as_ref().expect("memory");
        assert_eq!(m.mem_total_kib, Some(4147888.0));
        assert_eq!(m.mem_used_kib, Some(2493092.0));
        assert_eq!(m.mem_buffers_kib, Some(158188.0));
        assert_eq!(m.swap_used_kib, Some(56.0));
        assert_eq!(m.cached_kib, Some(2013180.0));
    }

    #[test]
    fn literal_old_table_and_command_with_space() {
        let p = parse(HACKER);
        // 1: `$ top -u apache`; 3: summary without its header line
        assert_eq!(lines(&p), [1, 3]);
        let f = &p.value;
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].window, None);
        // old procps header `  PID USER      PR  NI  VIRT  RES  SHR S %CPU %MEM    TIME+  COMMAND`
        let pids: Vec<Option<u64>> = f[0].processes.iter().map(|p| p.pid).collect();
        assert_eq!(
            pids,
            [Some(4016), Some(4017), Some(4018), Some(4020), Some(4022)]
        );
        assert!(f[0]
            .processes
            .iter()
            .all(|p| p.user.as_deref() == Some("apache") && p.command == "httpd"));
        assert_eq!(f[1].clock, t(9, 8, 14));
        assert_eq!(f[1].up_seconds, Some(2 * 3600 + 31 * 60));
        // ` 4882 ec2-user  20   0  146112   9256   5032 T   0.0  0.2   0:00.24 vim ec2.tf`
        assert_eq!(f[1].processes[0].command, "vim ec2.tf");
        assert_eq!(f[1].processes[1].command, "vim alb.tf");
        assert_eq!(f[1].processes[0].user.as_deref(), Some("ec2-user"));
    }

    #[test]
    fn literal_decimal_comma_and_indent() {
        let p = parse(ALESSIO);
        // line 10: `      ...` is not a process row
        assert_eq!(lines(&p), [10]);
        let f = &p.value[0];
        assert_eq!(f.clock, t(15, 21, 2));
        assert_eq!(f.up_seconds, Some(3 * 3600 + 12 * 60));
        // `%Cpu(s):  2,3 us,  9,3 sy,  0,0 ni, 83,7 id,  0,0 wa,  4,7 hi,  0,0 si,  0,0 st`
        assert_eq!(
            states(&f.cpus[0]),
            (None, all8([2.3, 9.3, 0.0, 83.7, 0.0, 4.7, 0.0, 0.0]))
        );
        // `MiB Mem :    735,4 total,     89,7 free,    524,4 used,    233,0 buff/cache`
        let m = f.memory.as_ref().expect("memory");
        assert_eq!(m.mem_total_kib, Some(735.4 * MIB));
        assert_eq!(m.swap_free_kib, Some(1899.7 * MIB));
        // `     3986 mele      20   0  225908   3968   3200 R  11,1   0,5   0:00.06 top`
        assert_eq!(f.processes[0].cpu_percent, Some(11.1));
        assert_eq!(f.processes.len(), 2);
    }

    #[test]
    fn constructed_variants() {
        let p = parse(CONSTRUCTED);
        let f = &p.value;
        let starts: Vec<usize> = f.iter().map(|f| f.line).collect();
        assert_eq!(starts, [1, 12, 14, 16, 18, 23, 36]);

        // procps 3.2 per-CPU `Cpu0  :` with `%us`, `K` memory, old table
        assert_eq!(f[0].up_seconds, Some(3 * 86_400 + 2 * 3600 + 44 * 60));
        assert_eq!(
            states(&f[0].cpus[0]),
            (Some(0), all8([1.0, 2.0, 0.0, 3.0, 0.0, 4.0, 90.0, 0.0]))
        );
        assert_eq!(f[0].cpus[1].cpu, Some(1));
        let m = f[0].memory.as_ref().expect("memory");
        assert_eq!(m.mem_total_kib, Some(16333836.0));
        assert_eq!(m.cached_kib, Some(12345678.0));
        let procs: Vec<(Option<u64>, Option<f64>, &str)> = f[0]
            .processes
            .iter()
            .map(|p| (p.pid, p.cpu_percent, p.command.as_str()))
            .collect();
        assert_eq!(
            procs,
            [
                (Some(4), Some(97.3), "ksoftirqd/0"),
                (Some(2841), Some(45.1), "qemu-kvm"),
                (Some(2850), Some(12.0), "vhost-2841")
            ]
        );

        // 2.6.0–2.6.10 seven states (`0.3% us`), then the 4- and 5-state words
        let none = None;
        assert_eq!(
            states(&f[1].cpus[0]).1,
            [
                Some(0.3),
                Some(0.1),
                Some(0.0),
                Some(99.5),
                Some(0.1),
                Some(0.0),
                Some(0.0),
                none
            ]
        );
        assert_eq!(
            states(&f[2].cpus[0]).1,
            [
                Some(0.3),
                Some(0.1),
                Some(0.0),
                Some(99.6),
                none,
                none,
                none,
                none
            ]
        );
        assert_eq!(
            states(&f[3].cpus[0]).1,
            [
                Some(0.3),
                Some(0.1),
                Some(0.0),
                Some(98.6),
                Some(1.0),
                none,
                none,
                none
            ]
        );

        // procps-ng ≤ 3.3.9 memory words
        let m = f[4].memory.as_ref().expect("memory");
        assert_eq!(m.mem_buffers_kib, Some(306532.0));
        assert_eq!(m.swap_used_kib, Some(18388.0));
        assert_eq!(m.cached_kib, Some(5612640.0));

        // `1:Def - …`, 4.0.5 Tasks, `%Node0` skipped, P/E cores, GiB, graph lines, tab table
        let g = &f[5];
        assert_eq!(g.window.as_deref(), Some("1:Def"));
        assert_eq!(g.up_seconds, Some(300));
        assert_eq!(g.cpus.len(), 2);
        assert_eq!((g.cpus[0].cpu, g.cpus[0].core_type), (Some(0), Some('P')));
        assert_eq!(g.cpus[0].us, Some(100.0));
        assert_eq!((g.cpus[1].cpu, g.cpus[1].core_type), (Some(1), Some('E')));
        assert_eq!(
            g.memory.as_ref().and_then(|m| m.mem_total_kib),
            Some(31.2 * GIB)
        );
        assert_eq!(g.processes.len(), 2);
        assert_eq!(g.processes[0].cpu_percent, Some(5.5));
        assert_eq!(g.processes[0].command, "kworker/0:1H-kblockd");
        assert_eq!(g.processes[1].cpu_percent, None);

        // the frame without header after the table, with a bad CPU number and trailing junk
        let h = &f[6];
        assert!(h.first_iteration);
        assert_eq!(h.window, None);
        assert_eq!(h.cpus.len(), 2);
        assert_eq!((h.cpus[1].cpu, h.cpus[1].us), (Some(2), Some(1.0)));

        // 30/31 graph lines, 34 `%CPU x`, 35 PID `oops`, 36 frame without header,
        // 37 CPU number above u32, 38 `junk`
        assert_eq!(lines(&p), [30, 31, 34, 35, 36, 37, 38]);
        assert!(p.problems.iter().all(|p| p.severity == Severity::Warning));
    }

    #[test]
    fn columns_by_name_not_position() {
        let text = "top - 10:00:00 up 1 min,  1 user,  load average: 0.00, 0.00, 0.00
 USER   %CPU   PID COMMAND
 root    0.5     1 /sbin/init splash
 qemu  150.2  2841 /usr/libexec/qemu-kvm -name guest=vm1
Tasks:   2 total,   0 running,   2 sleeping,   0 stopped,   0 zombie
   PID COMMAND  %CPU
     7 sshd      0.3
     8 a b       0.1
";
        let p = parse(text);
        let got: Vec<Row<'_>> = p.value[0]
            .processes
            .iter()
            .map(|p| (p.pid, p.user.as_deref(), p.cpu_percent, p.command.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(1), Some("root"), Some(0.5), "/sbin/init splash"),
                (
                    Some(2841),
                    Some("qemu"),
                    Some(150.2),
                    "/usr/libexec/qemu-kvm -name guest=vm1"
                )
            ]
        );
        // line 5: Tasks after the table starts a frame without header; line 8: 4 fields for
        // 3 columns when COMMAND is not the last column.
        assert_eq!(p.value.len(), 2);
        let second = &p.value[1].processes;
        assert_eq!(second.len(), 1);
        assert_eq!(
            (
                second[0].pid,
                second[0].cpu_percent,
                second[0].command.as_str()
            ),
            (Some(7), Some(0.3), "sshd")
        );
        assert_eq!(lines(&p), [5, 8]);
    }

    #[test]
    fn headers() {
        for yes in [
            "top - 21:27:06 up 34 min,  0 user,  load average: 2.28, 2.32, 2.29",
            "1:Def - 08:00:00 up 5 min,  1 user,  load average: 0.10, 0.20, 0.30",
            "  top - 15:21:02 up  3:12,  2 users,  load average: 0,00, 0,00, 0,00",
            "top\t-\t21:27:06\tup\t34 min\r",
        ] {
            assert!(is_header(yes), "{yes:?}");
        }
        for no in [
            " 21:27:06 up 34 min,  0 user,  load average: 2.28, 2.32, 2.29",
            "top - ",
            "top - 25:00:00 up 1 min",
            "Tasks:  88 total,   2 running",
            "%Cpu(s): 66.7 us",
            "",
        ] {
            assert!(!is_header(no), "{no:?}");
        }
        // A header whose uptime part is unreadable still starts a frame.
        let p = parse("top - 10:00:00 up garbage\n");
        assert_eq!(p.value.len(), 1);
        assert_eq!(p.value[0].clock, t(10, 0, 0));
        assert_eq!(p.value[0].up_seconds, None);
        assert_eq!(lines(&p), [1]);
    }

    #[test]
    fn crlf_tabs_and_collapsed_whitespace_read_the_same() {
        for text in [SB_N2, SB_1_200, SB_C, DREAM, HACKER, ALESSIO, SEED_DURING] {
            let base = parse(text);
            assert_eq!(parse(&text.replace('\n', "\r\n")), base);
            let collapsed: String = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
                .collect();
            let p = parse(&collapsed);
            assert_eq!(p.problems, base.problems);
            for (a, b) in p.value.iter().zip(base.value.iter()) {
                let mut b = b.clone();
                for pr in &mut b.processes {
                    pr.command = pr.command.split_whitespace().collect::<Vec<_>>().join(" ");
                }
                assert_eq!(*a, b);
            }
            let tabbed = parse(&text.replace("  ", "\t"));
            assert_eq!(tabbed.value.len(), base.value.len());
            assert_eq!(tabbed.problems.len(), base.problems.len());
        }
    }

    #[test]
    fn empty_and_garbage() {
        assert_blank_is_clean_and_prose_is_an_error(parse, "\n\r\n  \n");
    }

    #[test]
    fn never_panics_on_cuts_and_garbage() {
        // `parse` is a fold over lines: every line boundary is checked without re-reading
        // each prefix (see `fold_matches_parse`).
        fold_matches_parse(&fixtures("top"), State::line, State::finish, parse);
        for g in [
            "top - 1:2:3 up",
            "top - 99:99:99 up 1 min",
            "x - 00:00:00 up 99999999999999999999 days",
            "Cpu(s):",
            "%Cpu(s):1",
            "%Cpu(s): 1.",
            "%Cpu(s): 1.0 u",
            "%Cpu(s): 1/",
            "%CpX0 : 1.0 us",
            "%CpP(s): 1.0 us",
            "%Cpu0 :100.0 us%Cpu1 :",
            "Mem:",
            "KiB Mem : 1 total",
            "XiB Mem : 1 total",
            "Mem: 99999999999999999999999999999999999999999999999999k total",
            "Tasks:",
            "Tasks: 1",
            "PID",
            "PID USER\n1",
            "PID USER COMMAND\n 1 root",
            "PID COMMAND USER\n1 a b c",
            "%Node",
            "é: ü",
            "\u{0}\t\r",
        ] {
            let _ = parse(g);
            let _ = is_header(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        let all = fixtures("top");
        never_panics(&all, parse);
        never_panics(&all, parse_busy);
    }
}
