//! `sar -A` text (sysstat): `-n DEV`, `-n EDEV`, `-n SOFT` and CPU utilisation (`-u [ALL]`
//! with or without `-P ALL`), with the day taken from the file header.
//!
//! Where it comes from: sos `sos_commands/sar/sarDD` (`sar -A -f saDD`), the `sarDD` text files
//! that sysstat's `sa2` leaves beside the binary `saDD` files (sos `var/log/sa/sarDD`,
//! supportconfig `sar/sarDD`). Binary `saDD` files are not text and are not read here.
//!
//! # Layout
//!
//! * File header: `Linux <kernel> (<host>) \t<date> \t_<arch>_\t(<N> CPU)`; old sysstat prints
//!   only `Linux <kernel> (<host>) \t<date>`. Tabs or spaces are both accepted.
//! * Sections: a blank line, a header line `<time> <COLUMN> <col/s> …` (no numeric word after
//!   the time), rows `<time> <key> <value> …`, then `Average:`/`Summary:` lines (sysstat 12
//!   may print an `Average:` copy of the header line after a blank line). sysstat repeats a
//!   section's header line inside the section (after a blank line, with no `Average:` in
//!   between): that continues the section. Words are split on blanks (spaces, tabs).
//! * Kept sections, told by their column names (values are stored under the printed column
//!   name, so older and newer column sets both work):
//!   * DEV: first column `IFACE` and a `rxpck/s` column (`rxkB/s` or old `rxbyt/s`, with or
//!     without `%ifutil`);
//!   * EDEV: first column `IFACE` and a `rxerr/s` or `rxdrop/s` column;
//!   * SOFT: first column `CPU` and a `dropd/s` column (with or without `blg_len`);
//!   * CPU: first column `CPU` and a `%idle` column (`%usr %nice %sys … %gnice %idle` from
//!     `-u ALL`, or `%user %nice %system %iowait %steal %idle` from `-u`).
//!
//!   Every other section (memory, paging, disks, interrupts, TCP, `CPU MHz`, filesystems, PSI,
//!   …) is recognised by its header line and skipped whole; its rows are not checked.
//! * `LINUX RESTART` lines (`00:00:07     LINUX RESTART\t(2 CPU)`, older without the CPU count)
//!   go to `restarts` (each time once); `COM <text>` comment lines (`sar -C`) are understood and
//!   not kept.
//! * Times: `HH:MM:SS` (24 h) or `HH:MM:SS AM|PM` (12 h, `LC_TIME=en_US`, also `am`/`pm`;
//!   `12:xx AM` is 00:xx). Other clock formats (`23时09分11秒`, …) are not supported: such
//!   lines are reported.
//! * Values: `0.00`, `100.00`, integers (`blg_len`), a leading `-`, and a decimal comma
//!   (`0,00`, locales such as de_DE/fr_FR).
//! * Summary lines are ignored: a line whose first word ends with `:` (`Average:`,
//!   `Summary:`, and the translations, e.g. `Durchschn.:`, `Zusammenfassung:`) or whose second
//!   word is `:` (`Moyenne :`), with as many words after that label as its section has
//!   columns. They also close the section for the day logic below.
//!
//! # Dates
//!
//! The header date is printed with the locale's `%x` or, with `S_TIME_FORMAT=ISO`, as
//! `YYYY-MM-DD`. Accepted: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYY年MM月DD日`,
//! `DD.MM.YYYY` and `DD-MM-YYYY` (day first), and slash dates `MM/DD/YYYY` (C, en_US) or
//! `DD/MM/YYYY` (en_GB, fr_FR, …). Two-digit years are 1969–2068 (POSIX `%y`). A slash date is
//! day-first when its first number is above 12, month-first when its second is; when both are
//! 12 or less (and differ) the order is guessed — day-first if the file uses decimal commas
//! (such locales write the day first), month-first otherwise — and `header.date_guessed` is
//! set.
//!
//! Rows get `date + time`. Within one section the times only go forward, so a time earlier than
//! the one before it means the next day (a file that runs past midnight). A step back of one
//! hour or less is taken as a clock change (DST), not a new day, and reported as a warning. sar
//! prints every section from the start of the data again, and a `LINUX RESTART` splits the
//! whole `-A` output in two: all sections up to the restart, the restart line, then all
//! sections again from the restart on (seen with sysstat 12.6.1; older versions are assumed to
//! do the same, not verified). So each section starts on the day of the file header, or after a
//! restart on the restart's day (the restart's own time is read on the clock of the section
//! before it). A further `Linux …` header line inside an unfinished section (no `Average:` yet)
//! gives the day of that section's next row; anywhere else everything starts over from its date
//! (outputs of several days concatenated). The file's own header is the first one.
//!
//! With no readable header date, rows carry the placeholder date 1970-01-01 (plus any days
//! counted across midnight) and a warning says so; `header.date` stays `None`.
//!
//! # Problems
//!
//! Never a silent skip: a line that is not a header, a row, a restart, a comment, a summary or
//! blank is a warning with its line number; so are a row of a kept section whose value count
//! differs from its header (the row is dropped), a value that is not a number, a CPU key that
//! is neither `all` nor a number, a row after a blank line with no header, a summary line whose
//! width differs from its section's header, a bad time, and an unreadable file header or date.
//! A words-only line that follows rows with no blank line in between is a stray line (warning;
//! the section goes on) unless it is the header of a kept report, which is then taken with a
//! warning (output whose blank lines were removed). After 200 such line warnings the rest are
//! counted in one last warning.
//!
//! ```
//! use parsers::sar;
//! let text = "\
//! Linux 6.1.0-18-amd64 (sandbox) \t11/21/2026 \t_x86_64_\t(4 CPU)
//!
//! 20:00:01        IFACE   rxpck/s   txpck/s    rxkB/s    txkB/s   rxcmp/s   txcmp/s  rxmcst/s   %ifutil
//! 20:10:01         eth0      1.50      0.50      0.10      0.05      0.00      0.00      0.00      0.00
//! ";
//! let file = sar::parse(text).value;
//! assert_eq!(file.header.hostname.as_deref(), Some("sandbox"));
//! assert_eq!(file.header.cpus, Some(4));
//! assert_eq!(file.dev[0].time.to_string(), "2026-11-21 20:10:01");
//! assert_eq!(file.dev[0].key, "eth0");
//! assert_eq!(file.dev[0].values["rxpck/s"], 1.5);
//! ```

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::{all_consuming, map_res};
use nom::sequence::delimited;
use nom::{IResult, Parser};
use serde::Serialize;

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SarHeader {
    pub kernel: Option<String>,
    pub hostname: Option<String>,
    pub date: Option<NaiveDate>,
    pub cpus: Option<u32>,
    /// `x86_64` from `_x86_64_` (absent in old sysstat headers).
    pub arch: Option<String>,
    /// True when the day/month order of a slash date could not be told and was guessed (see
    /// the module docs).
    pub date_guessed: bool,
}

/// One row of a per-interface or per-CPU report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarRow {
    pub time: NaiveDateTime,
    /// `IFACE` for DEV/EDEV, `CPU` (`all` or a number) for CPU/SOFT.
    pub key: String,
    /// Column header → value (`rxpck/s`, `rxdrop/s`, `%steal`, `dropd/s`, …).
    pub values: BTreeMap<String, f64>,
    /// 1-based line of the row in the parsed text.
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SarFile {
    pub header: SarHeader,
    /// `LINUX RESTART` times (counter resets).
    pub restarts: Vec<NaiveDateTime>,
    pub dev: Vec<SarRow>,
    pub edev: Vec<SarRow>,
    pub soft: Vec<SarRow>,
    pub cpu: Vec<SarRow>,
}

/// Line warnings reported one by one before the rest are only counted.
const MAX_LINE_PROBLEMS: usize = 200;

/// A step back in time of at most this many seconds is a clock change, not a new day.
const CLOCK_CHANGE_SECONDS: i64 = 3600;

/// Which report a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dev,
    Edev,
    Soft,
    Cpu,
    /// Understood and skipped.
    Other,
}

impl Kind {
    fn of(columns: &[String]) -> Kind {
        let has = |c: &str| columns.iter().skip(1).any(|x| x == c);
        match columns.first().map(String::as_str) {
            Some("IFACE") if has("rxpck/s") => Kind::Dev,
            Some("IFACE") if has("rxerr/s") || has("rxdrop/s") => Kind::Edev,
            Some("CPU") if has("dropd/s") => Kind::Soft,
            Some("CPU") if has("%idle") => Kind::Cpu,
            _ => Kind::Other,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Dev => "DEV",
            Kind::Edev => "EDEV",
            Kind::Soft => "SOFT",
            Kind::Cpu => "CPU",
            Kind::Other => "other",
        }
    }
}

/// A day and the last time seen on it.
#[derive(Debug, Clone, Copy)]
struct Clock {
    date: NaiveDate,
    last: Option<NaiveTime>,
}

impl Clock {
    fn new(date: NaiveDate) -> Self {
        Clock { date, last: None }
    }

    /// Moves the clock to `t`; a time earlier than the last one is the next day, unless the
    /// step back is small (then `Some(seconds)` is returned for a warning).
    fn advance(&mut self, t: NaiveTime) -> (NaiveDateTime, Option<i64>) {
        let mut small_step_back = None;
        if let Some(last) = self.last {
            if t < last {
                let back = last.signed_duration_since(t).num_seconds();
                if back > CLOCK_CHANGE_SECONDS {
                    self.date = self.date.succ_opt().unwrap_or(self.date);
                } else {
                    small_step_back = Some(back);
                }
            }
        }
        self.last = Some(t);
        (self.date.and_time(t), small_step_back)
    }
}

/// One section of one chunk (between restarts): its columns and its clock.
#[derive(Debug, Clone)]
struct Run {
    columns: Vec<String>,
    kind: Kind,
    header_line: usize,
    /// An `Average:`/`Summary:` line was seen since the header.
    finished: bool,
    clock: Clock,
    /// Date of a `Linux …` header met inside the section: the next row is on that day.
    pending_date: Option<NaiveDate>,
}

struct State<'a> {
    file: SarFile,
    problems: Vec<Problem>,
    header_seen: bool,
    /// Use day-first for ambiguous slash dates (worked out only when needed).
    decimal_comma: Option<bool>,
    text: &'a str,
    /// Where every section of the current chunk starts.
    chunk: Clock,
    /// The current (or last) section.
    run: Option<Run>,
    /// False after a blank line until the next header line.
    in_section: bool,
    line_problems: usize,
    suppressed: usize,
    first_suppressed: usize,
    placeholder_rows: bool,
    /// Reused word buffer.
    words: Vec<&'a str>,
}

/// Parses one `sar -A` text file.
pub fn parse(text: &str) -> Parsed<SarFile> {
    let mut st = State {
        file: SarFile::default(),
        problems: Vec::new(),
        header_seen: false,
        decimal_comma: None,
        text,
        chunk: Clock::new(NaiveDate::default()),
        run: None,
        in_section: false,
        line_problems: 0,
        suppressed: 0,
        first_suppressed: 0,
        placeholder_rows: false,
        words: Vec::new(),
    };
    let mut any = false;
    for (no, line) in numbered_lines(text) {
        if !line.trim().is_empty() {
            any = true;
        }
        st.line(no, line);
    }
    if !any {
        st.problems.push(Problem::error(0, "empty sar file"));
    }
    st.finish()
}

impl<'a> State<'a> {
    fn warn(&mut self, line: usize, msg: impl Into<String>) {
        self.problems.push(Problem::warning(line, msg));
    }

    /// A warning about one line, subject to the cap.
    fn line_warn(&mut self, line: usize, msg: impl Into<String>) {
        if self.line_problems < MAX_LINE_PROBLEMS {
            self.line_problems += 1;
            self.warn(line, msg);
        } else {
            if self.suppressed == 0 {
                self.first_suppressed = line;
            }
            self.suppressed += 1;
        }
    }

    fn uses_decimal_comma(&mut self) -> bool {
        let text = self.text;
        *self
            .decimal_comma
            .get_or_insert_with(|| text.split_whitespace().any(is_comma_number))
    }

    fn finish(mut self) -> Parsed<SarFile> {
        if self.suppressed > 0 {
            let first = self.first_suppressed;
            let n = self.suppressed;
            self.warn(
                first,
                format!(
                    "{n} more lines not understood (from line {first} on); only the first \
                     {MAX_LINE_PROBLEMS} are listed"
                ),
            );
        }
        if self.placeholder_rows {
            let msg = if self.header_seen {
                "the file header has no readable date: times carry the placeholder date 1970-01-01"
            } else {
                "no `Linux …` file header: times carry the placeholder date 1970-01-01"
            };
            self.problems.push(Problem::warning(0, msg));
        }
        Parsed::new(self.file, self.problems)
    }

    fn line(&mut self, no: usize, raw: &'a str) {
        let t = raw.trim();
        if t.is_empty() {
            self.in_section = false;
            return;
        }
        if t == "Linux" || t.starts_with("Linux ") || t.starts_with("Linux\t") {
            self.file_header(no, t);
            return;
        }
        // One token buffer for every line (this runs on every line of large files).
        let mut words = std::mem::take(&mut self.words);
        if let Some(rest) = summary_rest(t) {
            tokenize(rest, &mut words);
            self.summary(no, t, words.len());
        } else {
            match time_prefix(t) {
                None => self.line_warn(no, format!("line not understood: {}", shorten(t))),
                Some((Err(msg), _)) => self.line_warn(no, format!("{msg}: {}", shorten(t))),
                Some((Ok(time), rest)) => {
                    tokenize(rest, &mut words);
                    self.timed(no, time, &words, t);
                }
            }
        }
        self.words = words;
    }

    /// An `Average:`/`Summary:` line with `width` words after its label.
    fn summary(&mut self, no: usize, t: &str, width: usize) {
        if let Some(run) = self.run.as_mut() {
            if width == run.columns.len() {
                run.finished = true;
                return;
            }
        }
        self.line_warn(no, format!("line not understood: {}", shorten(t)));
    }

    /// A line that starts with a time; `words` are the words after it.
    fn timed(&mut self, no: usize, time: NaiveTime, words: &[&str], t: &str) {
        match words {
            [] => self.line_warn(no, format!("a time with nothing after it: {}", shorten(t))),
            ["LINUX", "RESTART", ..] => self.restart(no, time),
            ["COM", ..] => {
                // `sar -C` comment record: understood, not kept; it still moves the clock.
                self.advance(no, time);
            }
            _ if words.iter().any(|w| is_number(w)) => {
                let skipped = self.run.as_ref().is_some_and(|r| r.kind == Kind::Other);
                if skipped && self.in_section {
                    // A row of a skipped section: only its time matters.
                    self.advance(no, time);
                } else {
                    self.row(no, time, words, t);
                }
            }
            _ => self.section_header(no, time, words, t),
        }
    }

    fn file_header(&mut self, no: usize, t: &str) {
        let (header, complete) = match file_header_parts(t) {
            Some(parts) => parts,
            None => {
                self.line_warn(
                    no,
                    format!(
                        "file header not understood (expected `Linux <kernel> (<host>) <date> …`): {}",
                        shorten(t)
                    ),
                );
                (RawHeader::default(), false)
            }
        };
        let date = match header.date_text.as_deref() {
            Some(d) => match parse_date(d, || self.uses_decimal_comma()) {
                Some(found) => Some(found),
                None => {
                    self.line_warn(no, format!("date {d:?} in the file header not understood"));
                    None
                }
            },
            None => {
                if complete {
                    self.line_warn(no, "no date in the file header");
                }
                None
            }
        };
        if !self.header_seen {
            self.header_seen = true;
            let h = &mut self.file.header;
            h.kernel = header.kernel;
            h.hostname = header.hostname;
            h.arch = header.arch;
            h.cpus = header.cpus;
            if let Some((d, guessed)) = date {
                h.date = Some(d);
                h.date_guessed = guessed;
                self.chunk = Clock::new(d);
            }
        } else if let Some((d, _)) = date {
            match self.run.as_mut() {
                // Inside an unfinished section: a day marker for that section.
                Some(run) if !run.finished => run.pending_date = Some(d),
                // Elsewhere: output of another day starts over.
                _ => {
                    self.chunk = Clock::new(d);
                    self.run = None;
                }
            }
            if self.file.header.date.is_none() {
                self.file.header.date = Some(d);
            }
        }
        self.in_section = false;
    }

    /// Moves the current section's clock (or the chunk's, before any section) to the time of
    /// a row, restart or comment.
    fn advance(&mut self, no: usize, time: NaiveTime) -> NaiveDateTime {
        if let Some(run) = self.run.as_mut() {
            if let Some(d) = run.pending_date.take() {
                run.clock = Clock::new(d);
            }
        }
        self.advance_clock(no, time)
    }

    /// Moves the current section's clock (or the chunk's) to `time`.
    fn advance_clock(&mut self, no: usize, time: NaiveTime) -> NaiveDateTime {
        let clock = match self.run.as_mut() {
            Some(run) => &mut run.clock,
            None => &mut self.chunk,
        };
        let (at, back) = clock.advance(time);
        if let Some(back) = back {
            self.warn(
                no,
                format!(
                    "time goes back {back} s within a section: taken as a clock change on the \
                     same day"
                ),
            );
        }
        if self.file.header.date.is_none() {
            self.placeholder_rows = true;
        }
        at
    }

    fn restart(&mut self, no: usize, time: NaiveTime) {
        let at = self.advance(no, time);
        if !self.file.restarts.contains(&at) {
            self.file.restarts.push(at);
        }
        // Every section starts again after the restart.
        self.chunk = Clock {
            date: at.date(),
            last: Some(at.time()),
        };
        self.run = None;
        self.in_section = false;
    }

    fn section_header(&mut self, no: usize, time: NaiveTime, tokens: &[&str], t: &str) {
        let columns: Vec<String> = tokens.iter().map(|s| (*s).to_string()).collect();
        let continues = self
            .run
            .as_ref()
            .is_some_and(|r| !r.finished && r.columns == columns);
        if self.in_section && !continues {
            // sar prints a blank line before every header line. Without one, only a kept
            // report's header is taken (output whose blank lines were removed); anything else
            // is a stray line and the section goes on.
            if Kind::of(&columns) == Kind::Other {
                self.line_warn(
                    no,
                    format!(
                        "line not understood (words only, inside a section): {}",
                        shorten(t)
                    ),
                );
                return;
            }
            self.line_warn(
                no,
                format!(
                    "section header with no blank line before it: {}",
                    shorten(t)
                ),
            );
        }
        if !continues {
            self.run = Some(Run {
                kind: Kind::of(&columns),
                columns,
                header_line: no,
                finished: false,
                clock: self.chunk,
                pending_date: None,
            });
        } else if let Some(run) = self.run.as_mut() {
            run.header_line = no;
        }
        // A repeated header carries the time of the record before it.
        self.advance_clock(no, time);
        self.in_section = true;
    }

    fn row(&mut self, no: usize, time: NaiveTime, tokens: &[&str], t: &str) {
        if !self.in_section || self.run.is_none() {
            self.line_warn(
                no,
                format!("row with no section header before it: {}", shorten(t)),
            );
            return;
        }
        let at = self.advance(no, time);
        let Some(run) = self.run.as_ref() else {
            return;
        };
        let kind = run.kind;
        if kind == Kind::Other {
            return;
        }
        match kept_row(run, at, no, tokens) {
            Ok(row) => match kind {
                Kind::Dev => self.file.dev.push(row),
                Kind::Edev => self.file.edev.push(row),
                Kind::Soft => self.file.soft.push(row),
                Kind::Cpu => self.file.cpu.push(row),
                Kind::Other => {}
            },
            Err(msg) => self.line_warn(no, format!("{msg}: {}", shorten(t))),
        }
    }
}

/// One row of a kept section, checked against its header.
fn kept_row(run: &Run, at: NaiveDateTime, no: usize, tokens: &[&str]) -> Result<SarRow, String> {
    let label = run.kind.label();
    let Some((key, rest)) = tokens.split_first() else {
        return Err(format!("{label} row is empty"));
    };
    if rest.len() + 1 != run.columns.len() {
        return Err(format!(
            "{label} row has {} values, its header on line {} has {}",
            rest.len(),
            run.header_line,
            run.columns.len().saturating_sub(1)
        ));
    }
    if matches!(run.kind, Kind::Cpu | Kind::Soft) && *key != "all" && !is_cpu_number(key) {
        return Err(format!(
            "{label} row: CPU {key:?} is neither `all` nor a number"
        ));
    }
    let mut values = BTreeMap::new();
    for (col, tok) in run.columns.iter().skip(1).zip(rest) {
        let Some(v) = number(tok) else {
            return Err(format!(
                "{label} row: {col} value {tok:?} is not a number; row skipped"
            ));
        };
        values.insert(col.clone(), v);
    }
    Ok(SarRow {
        time: at,
        key: (*key).to_string(),
        values,
        line: no,
    })
}

/// The text after a summary label (`Average:`, `Summary:`, `Durchschn.:`, `Moyenne :` …),
/// `None` when the line does not start with one.
fn summary_rest(t: &str) -> Option<&str> {
    let (first, rest) = split_token(t);
    if first.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if first.chars().count() > 1 && first.ends_with(':') {
        return Some(rest);
    }
    match split_token(rest) {
        (":", after) if !first.is_empty() => Some(after),
        _ => None,
    }
}

/// The leading time of a line and the text after it. `None` when the line does not start
/// with `digits:digits:digits`; `Some(Err)` when it does but the time is not valid.
fn time_prefix(t: &str) -> Option<(Result<NaiveTime, &'static str>, &str)> {
    let (tok, rest) = split_token(t);
    let (_, (h, m, s)) = clock_token(tok).ok()?;
    let (next, after) = split_token(rest);
    let (pm, rest) = match next {
        "AM" | "am" => (Some(false), after),
        "PM" | "pm" => (Some(true), after),
        _ => (None, rest),
    };
    let hour = match pm {
        None if h < 24 => Some(h),
        Some(is_pm) if (1..=12).contains(&h) => Some(h % 12 + if is_pm { 12 } else { 0 }),
        _ => None,
    };
    let time = hour
        .and_then(|h| NaiveTime::from_hms_opt(h, m, s))
        .ok_or("not a valid time of day");
    Some((time, rest))
}

/// `HH:MM:SS` as a whole token.
fn clock_token(tok: &str) -> IResult<&str, (u32, u32, u32)> {
    let two = || map_res(digit1, str::parse::<u32>);
    let (rest, (h, _, m, _, s)) =
        all_consuming((two(), char(':'), two(), char(':'), two())).parse(tok)?;
    Ok((rest, (h, m, s)))
}

/// Splits on ASCII blanks into `out` (sar separates columns with spaces and tabs).
fn tokenize<'a>(s: &'a str, out: &mut Vec<&'a str>) {
    out.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if let Some(w) = s.get(start..i).filter(|w| !w.is_empty()) {
            out.push(w);
        }
    }
}

/// The first blank-separated token and the text after it.
fn split_token(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b[start..]
        .iter()
        .position(u8::is_ascii_whitespace)
        .map_or(b.len(), |n| start + n);
    match (s.get(start..end), s.get(end..)) {
        (Some(tok), Some(rest)) => (tok, rest),
        _ => ("", ""),
    }
}

/// `-?digits([.,]digits)?` as a whole token (a hand-written scan: it runs on every token of
/// every line).
fn is_number(tok: &str) -> bool {
    let b = tok.as_bytes();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int == 0 {
        return false;
    }
    match b.get(int) {
        None => true,
        Some(b'.' | b',') => {
            let frac = &b[int + 1..];
            !frac.is_empty() && frac.iter().all(u8::is_ascii_digit)
        }
        Some(_) => false,
    }
}

fn is_comma_number(tok: &str) -> bool {
    tok.contains(',') && is_number(tok)
}

/// A value token as `f64` (decimal point or comma).
fn number(tok: &str) -> Option<f64> {
    if !is_number(tok) {
        return None;
    }
    if tok.contains(',') {
        tok.replace(',', ".").parse().ok()
    } else {
        tok.parse().ok()
    }
}

fn is_cpu_number(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) && key.parse::<u32>().is_ok()
}

#[derive(Debug, Default)]
struct RawHeader {
    kernel: Option<String>,
    hostname: Option<String>,
    date_text: Option<String>,
    arch: Option<String>,
    cpus: Option<u32>,
}

/// `Linux <kernel> (<host>)` at the start of the header line.
fn header_start(input: &str) -> IResult<&str, (&str, &str)> {
    let (rest, (_, _, kernel, _, host)) = (
        tag("Linux"),
        space1,
        take_till1(char::is_whitespace),
        space1,
        delimited(char('('), take_till1(|c| c == ')'), char(')')),
    )
        .parse(input)?;
    Ok((rest, (kernel, host)))
}

/// `(N CPU)` at the end of the header line.
fn cpu_count(input: &str) -> IResult<&str, u32> {
    let (rest, (_, _, n, _, _, _, _)) = (
        space0,
        char('('),
        map_res(digit1, str::parse::<u32>),
        space1,
        tag("CPU"),
        char(')'),
        space0,
    )
        .parse(input)?;
    Ok((rest, n))
}

/// Splits the file header; the bool is false when the line stops after the host.
fn file_header_parts(t: &str) -> Option<(RawHeader, bool)> {
    let (rest, (kernel, host)) = header_start(t).ok()?;
    let mut h = RawHeader {
        kernel: Some(kernel.to_string()),
        hostname: Some(host.to_string()),
        ..RawHeader::default()
    };
    let mut rest = rest.trim();
    if rest.is_empty() {
        return Some((h, false));
    }
    // `(N CPU)` at the end.
    if let Some(open) = rest.rfind('(') {
        if let Ok((tail, n)) = cpu_count(&rest[open..]) {
            if tail.is_empty() {
                h.cpus = Some(n);
                rest = rest[..open].trim_end();
            }
        }
    }
    let mut date_words = Vec::new();
    for w in rest.split_whitespace() {
        match w.strip_prefix('_').and_then(|a| a.strip_suffix('_')) {
            Some(arch) if !arch.is_empty() && h.arch.is_none() => h.arch = Some(arch.to_string()),
            _ => date_words.push(w),
        }
    }
    if !date_words.is_empty() {
        h.date_text = Some(date_words.join(" "));
    }
    Some((h, true))
}

/// Parses the header date (see the module docs); the bool is true when the day/month order
/// was guessed.
fn parse_date(s: &str, day_first_guess: impl FnOnce() -> bool) -> Option<(NaiveDate, bool)> {
    let s = s.trim();
    // `2026年11月21日`
    if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        let ymd = (num(y)?, num(m)?, num(d)?);
        return ymd_date(i32::try_from(ymd.0).ok()?, ymd.1, ymd.2).map(|d| (d, false));
    }
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let trimmed = s.strip_suffix(sep).unwrap_or(s);
    let parts: Vec<&str> = trimmed.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (na, nb, nc) = (num(a)?, num(b)?, num(c)?);
    if a.len() == 4 {
        return ymd_date(i32::try_from(na).ok()?, nb, nc).map(|d| (d, false));
    }
    let year = year_of(c)?;
    // Day first: always with `.` or `-`; with `/` when the first number cannot be a month
    // (or both are the same); guessed when either order works.
    let day_first_sure = sep != '/' || (na > 12 && nb <= 12) || na == nb;
    let (day, month, guessed) = if day_first_sure {
        (na, nb, false)
    } else if nb > 12 && na <= 12 {
        (nb, na, false)
    } else if day_first_guess() {
        (na, nb, true)
    } else {
        (nb, na, true)
    };
    ymd_date(year, month, day).map(|d| (d, guessed))
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A 2-digit (`%y`: 69–99 → 19xx, 00–68 → 20xx) or 4-digit year.
fn year_of(s: &str) -> Option<i32> {
    let n = i32::try_from(num(s)?).ok()?;
    match s.len() {
        2 if n >= 69 => Some(1900 + n),
        2 => Some(2000 + n),
        4 => Some(n),
        _ => None,
    }
}

fn ymd_date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The start of a line for a problem message.
fn shorten(t: &str) -> String {
    let mut s: String = t.chars().take(80).collect();
    if s.len() < t.len() {
        s.push('…');
    }
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const C: &str = fixture!("sar", "sandbox-sysstat12.6.1-C.sar");
    const EN_US: &str = fixture!("sar", "sandbox-sysstat12.6.1-en_US-12h.sar");
    const ISO: &str = fixture!("sar", "sandbox-sysstat12.6.1-ISO.sar");
    const DE: &str = fixture!("sar", "sandbox-sysstat12.6.1-de_DE.sar");
    const FR: &str = fixture!("sar", "sandbox-sysstat12.6.1-fr_FR.sar");
    const MID_C: &str = fixture!(
        "sar",
        "sandbox-sysstat12.6.1-faketime-midnight-restart-C.sar"
    );
    const MID_EN: &str = fixture!(
        "sar",
        "sandbox-sysstat12.6.1-faketime-midnight-restart-en_US-12h.sar"
    );
    const MID_U: &str = fixture!("sar", "sandbox-sysstat12.6.1-u-midnight-restart-C.sar");
    const F39: &str = fixture!("sar", "sarstats-f39-sysstat12-excerpt.sar");
    const EL7: &str = fixture!("sar", "sarstats-el7-sysstat10-excerpt.sar");
    const MALFORMED: &str = fixture!("sar", "constructed-malformed-crlf.sar");

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, mi, s))
            .expect("valid test date")
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn find<'a>(rows: &'a [SarRow], time: NaiveDateTime, key: &str) -> &'a SarRow {
        rows.iter()
            .find(|r| r.time == time && r.key == key)
            .unwrap_or_else(|| panic!("no row {key} at {time}"))
    }

    /// `rows` without their source lines: what two runs of `sar` over one binary file in two
    /// locales must agree on.
    fn strip(rows: &[SarRow]) -> Vec<(NaiveDateTime, String, BTreeMap<String, f64>)> {
        rows.iter()
            .map(|r| (r.time, r.key.clone(), r.values.clone()))
            .collect()
    }

    fn keys(rows: &[SarRow], time: NaiveDateTime) -> Vec<&str> {
        rows.iter()
            .filter(|r| r.time == time)
            .map(|r| r.key.as_str())
            .collect()
    }

    #[test]
    fn c_locale_all_four_sections() {
        let p = parse(C);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // Line 1: `Linux 6.18.44-fc-v669 (vm) \t11/21/26 \t_x86_64_\t(2 CPU)`
        assert_eq!(f.header.kernel.as_deref(), Some("6.18.44-fc-v669"));
        assert_eq!(f.header.hostname.as_deref(), Some("vm"));
        assert_eq!(f.header.date, date(2026, 11, 21));
        assert!(!f.header.date_guessed);
        assert_eq!(f.header.cpus, Some(2));
        assert_eq!(f.header.arch.as_deref(), Some("x86_64"));
        assert!(f.restarts.is_empty());
        // 10 records: CPU all/0/1, 6 interfaces, SOFT all/0/1.
        assert_eq!(
            (f.cpu.len(), f.dev.len(), f.edev.len(), f.soft.len()),
            (30, 60, 60, 30)
        );

        // `21:30:57        all     76.12      0.00     21.89      0.00      1.00      0.00      1.00 …`
        let r = &f.cpu[0];
        assert_eq!(
            (r.time, r.key.as_str(), r.line),
            (dt(2026, 11, 21, 21, 30, 57), "all", 4)
        );
        assert_eq!(r.values["%usr"], 76.12);
        assert_eq!(r.values["%sys"], 21.89);
        assert_eq!(r.values["%steal"], 1.00);
        assert_eq!(r.values["%soft"], 1.00);
        assert_eq!(r.values["%idle"], 0.0);
        assert_eq!(r.values.len(), 10);
        // `21:30:59          1     74.75      0.00      9.09      0.00     16.16 …`
        let r = find(&f.cpu, dt(2026, 11, 21, 21, 30, 59), "1");
        assert_eq!((r.values["%usr"], r.values["%steal"]), (74.75, 16.16));

        // DEV: `21:30:57           lo   6000.00   6000.00    492.19    492.19 …`
        let t57 = dt(2026, 11, 21, 21, 30, 57);
        assert_eq!(
            keys(&f.dev, t57),
            vec!["lo", "ifb0", "ifb1", "eth0", "h7v1", "h7v0"]
        );
        let r = find(&f.dev, t57, "lo");
        assert_eq!((r.values["rxpck/s"], r.values["txkB/s"]), (6000.0, 492.19));
        assert_eq!(r.values["%ifutil"], 0.0);
        // `21:30:58         h7v0      0.00     57.00      0.00     13.47 …`
        let r = find(&f.dev, dt(2026, 11, 21, 21, 30, 58), "h7v0");
        assert_eq!((r.values["txpck/s"], r.values["txkB/s"]), (57.0, 13.47));

        // EDEV: the veth pair drops: `21:30:57         h7v1 … 60.00` (rxdrop/s) and
        // `21:30:57         h7v0 … 60.00` (txdrop/s).
        let r = find(&f.edev, t57, "h7v1");
        assert_eq!((r.values["rxdrop/s"], r.values["txdrop/s"]), (60.0, 0.0));
        let r = find(&f.edev, t57, "h7v0");
        assert_eq!((r.values["rxdrop/s"], r.values["txdrop/s"]), (0.0, 60.0));
        let r = find(&f.edev, dt(2026, 11, 21, 21, 31, 6), "h7v1");
        assert_eq!(r.values["rxdrop/s"], 13.0);
        assert_eq!(r.values.len(), 9);

        // SOFT: `21:30:59          1   6003.00      0.00 … 0` (blg_len is an integer)
        let r = find(&f.soft, dt(2026, 11, 21, 21, 30, 59), "1");
        assert_eq!(r.values["total/s"], 6003.0);
        assert_eq!((r.values["dropd/s"], r.values["blg_len"]), (0.0, 0.0));
        assert_eq!(r.values.len(), 6);
        let r = find(&f.soft, dt(2026, 11, 21, 21, 31, 6), "all");
        assert_eq!(r.values["total/s"], 46.0);

        // `CPU MHz` (same `CPU` key column), INTR, FILESYSTEM (`Summary:`), TCP… are skipped.
        assert!(f.cpu.iter().all(|r| !r.values.contains_key("MHz")));
        assert!(f.soft.iter().all(|r| r.values.contains_key("dropd/s")));
    }

    #[test]
    fn en_us_twelve_hour_times() {
        let p = parse(EN_US);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `11/21/2026`: second number above 12, so month first.
        assert_eq!(f.header.date, date(2026, 11, 21));
        assert!(!f.header.date_guessed);
        // `09:30:57 PM     all     76.12 …` is 21:30:57.
        assert_eq!(f.cpu[0].time, dt(2026, 11, 21, 21, 30, 57));
        assert_eq!(f.cpu[0].values["%usr"], 76.12);
        assert_eq!(
            (f.cpu.len(), f.dev.len(), f.edev.len(), f.soft.len()),
            (30, 60, 60, 30)
        );
        // Same times, keys and numbers as the C-locale run of the same binary file.
        let c = parse(C).value;
        assert_eq!(strip(&f.edev), strip(&c.edev));
        assert_eq!(strip(&f.cpu), strip(&c.cpu));
        let r = find(&f.edev, dt(2026, 11, 21, 21, 30, 59), "h7v1");
        assert_eq!(r.values["rxdrop/s"], 54.0);
    }

    #[test]
    fn iso_date() {
        let p = parse(ISO);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.header.date, date(2026, 11, 21));
        assert_eq!(p.value.cpu.len(), 30);
        assert_eq!(p.value.edev.len(), 60);
        let r = find(&p.value.edev, dt(2026, 11, 21, 21, 31, 0), "h7v0");
        assert_eq!(r.values["txdrop/s"], 5.0);
    }

    #[test]
    fn de_de_decimal_comma_dotted_date_and_translated_average() {
        let p = parse(DE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `21.11.2026`
        assert_eq!(f.header.date, date(2026, 11, 21));
        // `21:30:58         h7v0      0,00     57,00      0,00     13,47 …`
        let r = find(&f.dev, dt(2026, 11, 21, 21, 30, 58), "h7v0");
        assert_eq!((r.values["txpck/s"], r.values["txkB/s"]), (57.0, 13.47));
        assert_eq!(r.line, 50);
        // `Durchschn.:` lines are summaries, not rows or problems.
        assert_eq!((f.cpu.len(), f.soft.len()), (30, 30));
        assert!(f
            .cpu
            .iter()
            .all(|r| r.time.date() == NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()));
    }

    #[test]
    fn fr_fr_day_first_slash_date_and_spaced_average() {
        let p = parse(FR);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // `21/11/2026`: first number above 12, so day first (no guess).
        assert_eq!(p.value.header.date, date(2026, 11, 21));
        assert!(!p.value.header.date_guessed);
        // `21:30:57         h7v1      0,00      0,00      0,00     60,00 …`
        let r = find(&p.value.edev, dt(2026, 11, 21, 21, 30, 57), "h7v1");
        assert_eq!((r.values["rxdrop/s"], r.line), (60.0, 43));
        // `Moyenne :` lines are summaries.
        assert_eq!(p.value.cpu.len(), 30);
    }

    #[test]
    fn midnight_and_restart_c_locale() {
        let p = parse(MID_C);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        assert_eq!(f.header.date, date(2026, 11, 21));
        // `00:00:07     LINUX RESTART\t(2 CPU)` after sections that ran past midnight.
        assert_eq!(f.restarts, vec![dt(2026, 11, 22, 0, 0, 7)]);
        // CPU: 11 records before the restart, 5 after; 3 rows each.
        assert_eq!(f.cpu.len(), 48);
        assert_eq!(f.cpu[0].time, dt(2026, 11, 21, 23, 59, 53));
        // `00:00:00        all     93.53 …` is the next day.
        let r = find(&f.cpu, dt(2026, 11, 22, 0, 0, 0), "all");
        assert_eq!(r.values["%usr"], 93.53);
        // After the restart the sections start again at 00:00:09 (22 Nov):
        // `00:00:14          1     42.86      0.00     40.95      0.00     10.48 … 5.71`
        let r = f.cpu.last().unwrap();
        assert_eq!((r.time, r.key.as_str()), (dt(2026, 11, 22, 0, 0, 14), "1"));
        assert_eq!((r.values["%usr"], r.values["%idle"]), (42.86, 5.71));
        // Every section rolls over on its own: EDEV `23:59:59 h7v1 … 49.00`,
        // `00:00:00 h7v1 … 12.00`, after the restart `00:00:10 h7v1 … 17.00`.
        let drops = |t| find(&f.edev, t, "h7v1").values["rxdrop/s"];
        assert_eq!(drops(dt(2026, 11, 21, 23, 59, 59)), 49.0);
        assert_eq!(drops(dt(2026, 11, 22, 0, 0, 0)), 12.0);
        assert_eq!(drops(dt(2026, 11, 22, 0, 0, 10)), 17.0);
        assert_eq!(drops(dt(2026, 11, 22, 0, 0, 13)), 38.61);
        // DEV `00:00:12         h7v1     36.00 …`
        assert_eq!(
            find(&f.dev, dt(2026, 11, 22, 0, 0, 12), "h7v1").values["rxpck/s"],
            36.0
        );
        // 16 records × 6 interfaces; SOFT 16 × 3.
        assert_eq!((f.dev.len(), f.edev.len(), f.soft.len()), (96, 96, 48));
        // Times never go back within a section's rows.
        for rows in [&f.cpu, &f.dev, &f.edev, &f.soft] {
            assert!(rows.windows(2).all(|w| w[0].time <= w[1].time));
        }
    }

    #[test]
    fn midnight_and_restart_twelve_hour() {
        let p = parse(MID_EN);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `11:59:59 PM` then `12:00:00 AM` (= 00:00:00 the next day).
        let r = find(&f.cpu, dt(2026, 11, 21, 23, 59, 59), "all");
        assert_eq!(r.values["%usr"], 96.48);
        let r = find(&f.cpu, dt(2026, 11, 22, 0, 0, 0), "0");
        assert_eq!(r.values["%usr"], 91.09);
        // `12:00:07 AM  LINUX RESTART\t(2 CPU)`
        assert_eq!(f.restarts, vec![dt(2026, 11, 22, 0, 0, 7)]);
        assert_eq!((f.cpu.len(), f.soft.len()), (48, 48));
        assert!(f.dev.is_empty() && f.edev.is_empty());
        // Same times and numbers as the C-locale run of the same binary file.
        let mid_c = parse(MID_C).value;
        assert_eq!(strip(&f.cpu), strip(&mid_c.cpu));
        assert_eq!(strip(&f.soft), strip(&mid_c.soft));
    }

    #[test]
    fn plain_u_columns_midnight_and_restart() {
        let p = parse(MID_U);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        assert_eq!(f.cpu.len(), 16);
        // `23:59:53        all     76.00      0.00     23.00      0.00      1.00      0.00`
        let r = &f.cpu[0];
        assert_eq!(r.time, dt(2026, 11, 21, 23, 59, 53));
        assert_eq!(
            (r.values["%user"], r.values["%system"], r.values["%steal"]),
            (76.0, 23.0, 1.0)
        );
        assert_eq!(r.values.len(), 6);
        // `00:00:03        all     68.32 …` → 22 Nov
        assert_eq!(f.cpu[10].time, dt(2026, 11, 22, 0, 0, 3));
        assert_eq!(f.restarts, vec![dt(2026, 11, 22, 0, 0, 7)]);
        // `00:00:14        all     50.00      0.00     39.71      0.00      6.86      3.43`
        let r = &f.cpu[15];
        assert_eq!(r.time, dt(2026, 11, 22, 0, 0, 14));
        assert_eq!((r.values["%user"], r.values["%idle"]), (50.0, 3.43));
    }

    #[test]
    fn sarstats_fedora39_restart_first_and_24_cpus() {
        let p = parse(F39);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `Linux 6.6.8-200.fc39.x86_64 (oshie) \t01/02/24 \t_x86_64_\t(24 CPU)`: the second
        // number is not above 12 and the first is not either: guessed month first.
        assert_eq!(f.header.date, date(2024, 1, 2));
        assert!(f.header.date_guessed);
        assert_eq!(f.header.cpus, Some(24));
        assert_eq!(f.header.hostname.as_deref(), Some("oshie"));
        // `12:54:25     LINUX RESTART\t(24 CPU)` before any section.
        assert_eq!(f.restarts, vec![dt(2024, 1, 2, 12, 54, 25)]);
        assert_eq!(f.cpu.len(), 25);
        // `13:10:30          0      0.63      0.00      0.15      0.01      0.00      0.45 …`
        let r = find(&f.cpu, dt(2024, 1, 2, 13, 10, 30), "0");
        assert_eq!(
            (r.values["%usr"], r.values["%irq"], r.values["%idle"]),
            (0.63, 0.45, 98.61)
        );
        // `13:50:30       enp5s0    244.61     79.95    316.86     16.41 …      0.09      0.26`
        let r = find(&f.dev, dt(2024, 1, 2, 13, 50, 30), "enp5s0");
        assert_eq!(
            (r.values["rxpck/s"], r.values["rxkB/s"], r.values["%ifutil"]),
            (244.61, 316.86, 0.26)
        );
        assert_eq!((f.dev.len(), f.edev.len()), (15, 15));
        assert!(f.edev.iter().all(|r| r.values.values().all(|v| *v == 0.0)));
        // `13:10:30          5    121.23 …`
        assert_eq!(f.soft.len(), 25);
        assert_eq!(
            find(&f.soft, dt(2024, 1, 2, 13, 10, 30), "5").values["total/s"],
            121.23
        );
    }

    #[test]
    fn sarstats_el7_iso_date_twelve_hour_and_repeated_headers() {
        let p = parse(EL7);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        // `2016-04-09` with 12-hour times.
        assert_eq!(f.header.date, date(2016, 4, 9));
        assert!(f.header.cpus == Some(2) && !f.header.date_guessed);
        // `12:10:01 AM     all      0.13 …` is 00:10:01.
        assert_eq!(f.cpu[0].time, dt(2016, 4, 9, 0, 10, 1));
        assert_eq!(f.cpu[0].values["%usr"], 0.13);
        // Repeated header `07:10:01 AM     CPU …` continues the section:
        // `07:20:01 AM     all      1.56      0.00      5.78`
        let r = find(&f.cpu, dt(2016, 4, 9, 7, 20, 1), "all");
        assert_eq!(r.values["%sys"], 5.78);
        // `12:10:01 PM       0      0.57` is 12:10:01, the same day; `02:30:01 PM` is 14:30:01.
        let r = find(&f.cpu, dt(2016, 4, 9, 12, 10, 1), "0");
        assert_eq!(r.values["%usr"], 0.57);
        let r = find(&f.cpu, dt(2016, 4, 9, 14, 30, 1), "1");
        assert_eq!(r.values["%idle"], 98.93);
        assert_eq!(f.cpu.len(), 22);
        assert!(f.cpu.windows(2).all(|w| w[0].time <= w[1].time));
    }

    #[test]
    fn malformed_lines_become_problems() {
        let p = parse(MALFORMED);
        let f = &p.value;
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 5: one value short; 6: `6O.00`; 8: hour 25; 9: garbage; 12: row after a blank line
        // with no header; 16: CPU `cpu0`; 20: `Average:` line one value short.
        assert_eq!(lines, vec![5, 6, 8, 9, 12, 16, 20], "{:?}", p.problems);
        assert!(p.problems.iter().all(|q| q.severity == Severity::Warning));
        // `03/04/26` cannot be told apart; the `3,00` value makes it a decimal-comma file, so
        // day first is guessed: 3 April 2026.
        assert_eq!(f.header.date, date(2026, 4, 3));
        assert!(f.header.date_guessed);
        let edev: Vec<(usize, &str, f64)> = f
            .edev
            .iter()
            .map(|r| (r.line, r.key.as_str(), r.values["rxdrop/s"]))
            .collect();
        assert_eq!(
            edev,
            vec![(4, "lo", 0.0), (7, "h7v1", 3.0), (10, "h7v1", 54.0)]
        );
        let soft: Vec<(usize, &str)> = f.soft.iter().map(|r| (r.line, r.key.as_str())).collect();
        assert_eq!(soft, vec![(15, "all"), (17, "1"), (19, "all")]);
        assert_eq!(f.restarts, vec![dt(2026, 4, 3, 21, 30, 59)]);
    }

    use crate::Severity;

    /// Constructed in the layout of sysstat 4/5 as quoted in the Advanced Bash-Scripting
    /// Guide (`sar` with no arch or CPU count in the header, `LINUX RESTART` with no count).
    const OLD: &str = "Linux 2.4.9 (brooks.seringas.fr) \t09/26/03\n\n\
10:30:00          CPU     %user     %nice   %system   %iowait     %idle\n\
10:40:00          all      2.21     10.90     65.48      0.00     21.41\n\
Average:          all      2.23      3.63     72.87      0.00     21.27\n\n\
14:32:30          LINUX RESTART\n\n\
15:00:00          CPU     %user     %nice   %system   %iowait     %idle\n\
15:10:00          all      8.59      2.40     17.47      0.00     71.54\n";

    #[test]
    fn old_header_and_restart_without_cpu_count() {
        let p = parse(OLD);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = &p.value;
        assert_eq!(f.header.date, date(2003, 9, 26));
        assert_eq!((f.header.cpus, f.header.arch.as_deref()), (None, None));
        assert_eq!(f.header.kernel.as_deref(), Some("2.4.9"));
        assert_eq!(f.restarts, vec![dt(2003, 9, 26, 14, 32, 30)]);
        let got: Vec<(NaiveDateTime, f64)> = f
            .cpu
            .iter()
            .map(|r| (r.time, r.values["%system"]))
            .collect();
        assert_eq!(
            got,
            vec![
                (dt(2003, 9, 26, 10, 40, 0), 65.48),
                (dt(2003, 9, 26, 15, 10, 0), 17.47)
            ]
        );
    }

    #[test]
    fn header_line_inside_a_section_sets_its_day_and_between_outputs_starts_over() {
        // Constructed: a day marker inside an unfinished section, then a second day's output.
        let text = "Linux 6.1 (h) \t2026-01-05 \t_x86_64_\t(1 CPU)\n\n\
23:50:00        IFACE   rxerr/s   txerr/s    coll/s  rxdrop/s  txdrop/s  txcarr/s  rxfram/s  rxfifo/s  txfifo/s\n\
23:55:00         eth0      0.00      0.00      0.00      1.00      0.00      0.00      0.00      0.00      0.00\n\n\
Linux 6.1 (h) \t2026-01-06 \t_x86_64_\t(1 CPU)\n\n\
23:55:00        IFACE   rxerr/s   txerr/s    coll/s  rxdrop/s  txdrop/s  txcarr/s  rxfram/s  rxfifo/s  txfifo/s\n\
00:05:00         eth0      0.00      0.00      0.00      2.00      0.00      0.00      0.00      0.00      0.00\n\
Average:         eth0      0.00      0.00      0.00      1.50      0.00      0.00      0.00      0.00      0.00\n\n\
Linux 6.1 (h) \t2026-02-01 \t_x86_64_\t(1 CPU)\n\n\
00:00:00        IFACE   rxerr/s   txerr/s    coll/s  rxdrop/s  txdrop/s  txcarr/s  rxfram/s  rxfifo/s  txfifo/s\n\
00:10:00         eth0      0.00      0.00      0.00      3.00      0.00      0.00      0.00      0.00      0.00\n";
        let p = parse(text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let got: Vec<(NaiveDateTime, f64)> = p
            .value
            .edev
            .iter()
            .map(|r| (r.time, r.values["rxdrop/s"]))
            .collect();
        assert_eq!(
            got,
            vec![
                (dt(2026, 1, 5, 23, 55, 0), 1.0),
                (dt(2026, 1, 6, 0, 5, 0), 2.0),
                (dt(2026, 2, 1, 0, 10, 0), 3.0),
            ]
        );
        // The first header is the file's.
        assert_eq!(p.value.header.date, date(2026, 1, 5));
    }

    #[test]
    fn words_only_line_inside_a_section_and_header_without_blank_line() {
        let text = "Linux 6.1 (h) \t2026-01-05 \t_x86_64_\t(1 CPU)\n\n\
10:00:00        IFACE   rxpck/s   txpck/s\n\
10:10:00         eth0      1.00      2.00\n\
10:10:00      garbage here\n\
10:20:00         eth0      3.00      4.00\n\
10:20:00        IFACE   rxerr/s  rxdrop/s\n\
10:30:00         eth0      0.00      5.00\n";
        let p = parse(text);
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 5: a stray words-only line (the DEV section goes on); 7: an EDEV header with no
        // blank line before it (taken, with a warning).
        assert_eq!(lines, vec![5, 7], "{:?}", p.problems);
        let dev: Vec<(usize, f64)> = p
            .value
            .dev
            .iter()
            .map(|r| (r.line, r.values["txpck/s"]))
            .collect();
        assert_eq!(dev, vec![(4, 2.0), (6, 4.0)]);
        assert_eq!(p.value.edev.len(), 1);
        assert_eq!(p.value.edev[0].values["rxdrop/s"], 5.0);
    }

    #[test]
    fn small_step_back_is_a_clock_change_with_a_warning() {
        let text = "Linux 6.1 (h) \t10/25/26 \t_x86_64_\t(1 CPU)\n\n\
02:40:00        CPU     %user     %nice   %system   %iowait    %steal     %idle\n\
02:50:00        all      1.00      0.00      1.00      0.00      0.00     98.00\n\
02:00:00        all      2.00      0.00      1.00      0.00      0.00     97.00\n\
02:10:00        all      3.00      0.00      1.00      0.00      0.00     96.00\n";
        let p = parse(text);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, 5);
        let times: Vec<NaiveDateTime> = p.value.cpu.iter().map(|r| r.time).collect();
        assert_eq!(
            times,
            vec![
                dt(2026, 10, 25, 2, 50, 0),
                dt(2026, 10, 25, 2, 0, 0),
                dt(2026, 10, 25, 2, 10, 0)
            ]
        );
    }

    #[test]
    fn no_header_uses_a_placeholder_date_and_says_so() {
        let text = "10:00:01        CPU   total/s   dropd/s squeezd/s  rx_rps/s flw_lim/s\n\
10:10:01        all    100.00      2.50      0.00      0.00      0.00\n";
        let p = parse(text);
        assert_eq!(p.value.soft.len(), 1);
        assert_eq!(p.value.soft[0].values["dropd/s"], 2.5);
        assert_eq!(p.value.soft[0].time, dt(1970, 1, 1, 10, 10, 1));
        assert_eq!(p.value.header.date, None);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 0);
    }

    #[test]
    fn dates() {
        let d = |s: &str, comma: bool| parse_date(s, || comma);
        let ymd = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(d("2026-11-21", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("11/21/26", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("21/11/2026", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("21.11.2026", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("05.03.26", false), Some((ymd(2026, 3, 5), false)));
        assert_eq!(d("21-11-26", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("2026年11月21日", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("2026/11/21", false), Some((ymd(2026, 11, 21), false)));
        assert_eq!(d("09/26/03", false), Some((ymd(2003, 9, 26), false)));
        assert_eq!(d("01/01/99", false), Some((ymd(1999, 1, 1), false)));
        // Ambiguous: month first unless the file uses decimal commas.
        assert_eq!(d("03/04/26", false), Some((ymd(2026, 3, 4), true)));
        assert_eq!(d("03/04/26", true), Some((ymd(2026, 4, 3), true)));
        assert_eq!(d("04/04/26", false), Some((ymd(2026, 4, 4), false)));
        for bad in [
            "",
            "13/13/26",
            "2026-02-30",
            "1/2",
            "26.11",
            "x/y/z",
            "2026. 11. 21.",
        ] {
            assert_eq!(d(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn times() {
        let t = |s: &str| time_prefix(s).and_then(|(r, _)| r.ok());
        let hms = |h, m, s| NaiveTime::from_hms_opt(h, m, s);
        assert_eq!(t("12:00:01 AM  all"), hms(0, 0, 1));
        assert_eq!(t("12:00:01 PM  all"), hms(12, 0, 1));
        assert_eq!(t("01:00:02 PM  all"), hms(13, 0, 2));
        assert_eq!(t("23:59:59  all"), hms(23, 59, 59));
        assert_eq!(t("00:00:00"), hms(0, 0, 0));
        assert_eq!(t("13:00:00 PM x"), None);
        assert_eq!(t("24:00:00 x"), None);
        assert_eq!(t("10:61:00 x"), None);
        assert!(time_prefix("Average: all").is_none());
        assert!(time_prefix("10:20 all").is_none());
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary_rest("Average:        all  1.00"),
            Some("        all  1.00")
        );
        assert!(summary_rest("Summary:  1 2").is_some());
        assert!(summary_rest("Durchschn.:  all").is_some());
        assert!(summary_rest("Moyenne :  all").is_some());
        assert!(summary_rest("21:30:57 all").is_none());
        assert!(summary_rest(": x").is_none());
    }

    #[test]
    fn problems_are_capped_with_a_count() {
        let mut text = String::from("Linux 6.1 (h) \t2026-01-05 \t_x86_64_\t(1 CPU)\n");
        for _ in 0..250 {
            text.push_str("garbage line\n");
        }
        let p = parse(&text);
        assert_eq!(p.problems.len(), MAX_LINE_PROBLEMS + 1);
        let last = p.problems.last().unwrap();
        assert_eq!(last.line, MAX_LINE_PROBLEMS + 2);
        assert!(
            last.message.starts_with("50 more lines"),
            "{}",
            last.message
        );
    }

    #[test]
    fn empty_and_nonsense() {
        let p = parse("");
        assert_eq!(p.value, SarFile::default());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].severity, Severity::Error);
        let p = parse("Linux\n");
        assert_eq!(p.problems.len(), 1);
        let p = parse("sar: command not found\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 1);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        let garbage = [
            "",
            "\n",
            "\r\n",
            "Linux",
            "Linux (",
            "Linux x (",
            "Linux x (h) \t99/99/99 \t__\t(99999999999 CPU)",
            "Linux x (h) 2026年13月1日",
            "Linux x (h) 2026年月日",
            "Linux x (h) 9999999-1-1",
            "Linux x (h) 262143-12-31",
            "99:99:99",
            "12:00:00 PM",
            "00:00:00 LINUX",
            "00:00:00 LINUX RESTART (",
            "00:00:00 CPU %idle\n00:00:01 all -1 ,5\n00:00:01 all -",
            "00:00:00 IFACE rxpck/s\n00:00:01 lo 1e9999\n00:00:01 lo 99999999999999999999999999",
            "Average:",
            ":",
            " : ",
            "年 年 年",
            "\u{0}:\u{0}:\u{0}",
            "00:00:00 CPU total/s dropd/s\nAverage: all 1 2\n\n00:00:01 all 1 2",
        ];
        for g in garbage {
            let _ = parse(g);
        }
        for text in fixtures("sar").iter().map(|(_, t)| t.as_str()) {
            let mut cut = 0;
            for line in text.split_inclusive('\n') {
                cut += line.len();
                let _ = parse(&text[..cut]);
            }
        }
        // Every character cut of the header and the first rows.
        for (i, _) in EL7.char_indices().take_while(|(i, _)| *i < 600) {
            let _ = parse(&EL7[..i]);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("sar"), parse);
    }
}
