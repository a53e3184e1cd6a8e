//! A host's kernel-log events (`hosts[].kernel_log`) from the scanned logs of its root: one
//! [`LogEvent`] per message, subject and action, with its count and the times of its first
//! and last line.
//!
//! **Counting without double counting.** dmesg, `messages`, `kern.log`, `syslog` and each
//! journal capture repeat the same kernel messages, so files are never added together across
//! logs: an event's `count` and `suppressed` are those of the log group that proves the most
//! events (`count + suppressed`, a lower bound as the kernel suppressed some), where a group is one log with its rotations (`messages` + `messages-20240101`
//! cover different days and add up). Its first and last lines are the earliest and latest of
//! any file, when the lines can be placed in time.
//!
//! **Placing lines in time.** A dmesg stamp is time since boot: boot is the collection time
//! less the uptime. A syslog or journal stamp has no year and no zone: the year is the
//! collection's (the one before when that would put the line more than a day after the
//! collection) and the zone the collection's, as the machine logged in its own local time.
//! Lines that cannot be placed keep `first`/`last` empty but still count.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDateTime};
use parsers::kernel_log::{Kind, Seen, Stamp, Summary, WallClock};
use rules::model::{Host, LogEvent, LogFileRead, LogMessage, Timestamp};

use crate::ingest::kernel_logs::LogFile;

/// The events of one host's logs, ordered by message, subject and detail.
pub fn events(host: &Host, files: &[LogFile]) -> Vec<LogEvent> {
    let clock = Clock::of(host);
    let mut by_key: BTreeMap<Key, Tally> = BTreeMap::new();
    for file in files {
        for s in &file.log.summary {
            let Some(message) = message_of(s.kind) else {
                continue;
            };
            let key = (message, s.subject.clone(), key_detail(s.kind));
            by_key
                .entry(key)
                .or_default()
                .add(&file.group, &file.source, s, &clock);
        }
    }
    by_key
        .into_iter()
        .map(|((message, subject, detail), tally)| tally.event(message, subject, detail))
        .collect()
}

/// The logs read, one entry per rotation group with its lines, in group order.
pub fn files_read(files: &[LogFile]) -> Vec<LogFileRead> {
    let mut lines: BTreeMap<&str, u64> = BTreeMap::new();
    for f in files {
        *lines.entry(&f.group).or_default() += f.log.lines as u64;
    }
    lines
        .into_iter()
        .map(|(file, lines)| LogFileRead {
            file: file.to_string(),
            lines,
        })
        .collect()
}

/// Merges the logs read by another part of the same machine: a group read by both is the
/// same file seen twice (two sosreports overlap), so the longer reading stands.
pub fn merge_files(into: &mut Vec<LogFileRead>, other: Vec<LogFileRead>) {
    for f in other {
        match into.iter_mut().find(|i| i.file == f.file) {
            Some(i) => i.lines = i.lines.max(f.lines),
            None => into.push(f),
        }
    }
    into.sort_by(|a, b| a.file.cmp(&b.file));
}

/// Merges the events of another part of the same machine (a second sosreport): their logs
/// overlap, so counts are never added — the larger count stands, and the first and last
/// lines widen to cover both.
pub fn merge(into: &mut Vec<LogEvent>, other: Vec<LogEvent>) {
    for e in other {
        let same = into
            .iter_mut()
            .find(|i| (i.message, &i.subject, &i.detail) == (e.message, &e.subject, &e.detail));
        let Some(i) = same else {
            into.push(e);
            continue;
        };
        if e.count > i.count {
            i.count = e.count;
            i.suppressed = e.suppressed;
        }
        if earlier(&e.first, &i.first) {
            (i.first, i.first_uptime) = (e.first, e.first_uptime);
            i.first_source = e.first_source;
            i.example = e.example;
        }
        if earlier(&i.last, &e.last) {
            (i.last, i.last_uptime) = (e.last, e.last_uptime);
            i.last_source = e.last_source;
        }
    }
    into.sort_by(|a, b| {
        (a.message, &a.subject, &a.detail).cmp(&(b.message, &b.subject, &b.detail))
    });
}

/// True when `a` is known and before `b` (or `b` is unknown).
fn earlier(a: &Option<Timestamp>, b: &Option<Timestamp>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a < b,
        (Some(_), None) => true,
        _ => false,
    }
}

type Key = (LogMessage, Option<String>, Option<&'static str>);

/// The model's message for a parser kind; `None` for `callbacks suppressed` lines, whose
/// counts the parser already moved onto the messages they belong to.
fn message_of(kind: Kind) -> Option<LogMessage> {
    Some(match kind {
        Kind::ConntrackFull => LogMessage::ConntrackTableFull,
        Kind::CallbacksSuppressed => return None,
        Kind::SynFloodCookies | Kind::SynFloodDrop | Kind::SynFlood => LogMessage::SynFlood,
        Kind::TxTimeout => LogMessage::TxTimeout,
        Kind::TxUnitHang => LogMessage::TxUnitHang,
        Kind::LinkDown => LogMessage::LinkDown,
        Kind::LinkUp => LogMessage::LinkUp,
        Kind::BondLinkDown => LogMessage::BondLinkDown,
        Kind::BondLinkUp => LogMessage::BondLinkUp,
        Kind::UdpBadChecksum => LogMessage::UdpBadChecksum,
        Kind::TcpOutOfMemory => LogMessage::TcpOutOfMemory,
        Kind::TcpTooManyOrphans => LogMessage::TooManyOrphans,
        Kind::MartianSource => LogMessage::MartianSource,
        Kind::MartianDestination => LogMessage::MartianDestination,
        Kind::OverMtuDrop => LogMessage::OverMtuDrop,
        Kind::NeighbourTableOverflow => LogMessage::NeighbourTableOverflow,
        Kind::PageAllocationFailure => LogMessage::AllocationFailure,
    })
}

/// The part of the detail that tells events apart: a SYN flood that drops requests is not
/// one that sends cookies.
fn key_detail(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::SynFloodCookies => Some("Sending cookies"),
        Kind::SynFloodDrop => Some("Dropping request"),
        _ => None,
    }
}

/// The detail shown beside a transmit timeout: its queue, as the first line says it.
fn queue_of(example: &str) -> Option<String> {
    let at = example.find("transmit queue ")?;
    let rest = &example[at + "transmit queue ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("transmit queue {digits}"))
}

/// What places a line in time: the collection time and the boot time of the host.
struct Clock {
    collected: Option<Timestamp>,
    boot: Option<Timestamp>,
}

impl Clock {
    fn of(host: &Host) -> Self {
        let collected = host.collected_at;
        let boot = collected.zip(host.uptime_seconds).map(|(c, up)| {
            Timestamp::new(c.local - Duration::seconds(up as i64), c.offset_seconds)
        });
        Clock { collected, boot }
    }

    /// The time of a stamp, and its seconds after boot when known.
    fn place(&self, stamp: &Stamp) -> (Option<Timestamp>, Option<f64>) {
        match *stamp {
            Stamp::None => (None, None),
            Stamp::SinceBoot { micros } => {
                let time = self.boot.map(|b| {
                    Timestamp::new(
                        b.local + Duration::microseconds(micros as i64),
                        b.offset_seconds,
                    )
                });
                (time, Some(micros as f64 / 1e6))
            }
            Stamp::Wall { clock, since_boot } => {
                let time = self.wall(&clock);
                let uptime = since_boot.map(|m| m as f64 / 1e6).or_else(|| {
                    let (t, b) = (time?, self.boot?);
                    let seconds = t.epoch_seconds() - b.epoch_seconds();
                    (seconds >= 0).then_some(seconds as f64)
                });
                (time, uptime)
            }
        }
    }

    /// A wall-clock stamp as a time: the collection's year and zone when the stamp has none.
    fn wall(&self, clock: &WallClock) -> Option<Timestamp> {
        let offset = clock.offset_seconds.or(self.collected?.offset_seconds);
        if clock.year.is_some() {
            return Some(Timestamp::new(clock.naive(0)?, offset));
        }
        let collected = self.collected?.local;
        let this_year = clock.naive(collected.year())?;
        let local: NaiveDateTime = if this_year > collected + Duration::days(1) {
            clock.naive(collected.year() - 1)?
        } else {
            this_year
        };
        Some(Timestamp::new(local, offset))
    }
}

/// One line of a file, placed.
#[derive(Clone)]
struct Line {
    time: Option<Timestamp>,
    uptime: Option<f64>,
    source: String,
}

impl Line {
    fn of(seen: &Seen, source: &str, clock: &Clock) -> Self {
        let (time, uptime) = clock.place(&seen.stamp);
        Line {
            time,
            uptime,
            source: format!("{source}:{}", seen.line),
        }
    }
}

/// One event's lines over all files.
#[derive(Default)]
struct Tally {
    /// Per log group: lines and suppressed.
    groups: BTreeMap<String, (u64, u64)>,
    /// First and last line of each file with its example, in file order.
    spans: Vec<(String, Line, Line, String)>,
}

impl Tally {
    fn add(&mut self, group: &str, source: &str, s: &Summary, clock: &Clock) {
        let g = self.groups.entry(group.to_string()).or_default();
        g.0 += s.count;
        g.1 += s.suppressed;
        let first = Line::of(&s.first, source, clock);
        let last = Line::of(&s.last, source, clock);
        self.spans
            .push((group.to_string(), first, last, s.example.clone()));
    }

    fn event(self, message: LogMessage, subject: Option<String>, detail: Option<&str>) -> LogEvent {
        // The group that proves the most events (`count + suppressed` is a lower bound);
        // then the most lines, then the first in name order.
        let proven = |&(count, suppressed): &(u64, u64)| (count + suppressed, count);
        let (group, &(count, suppressed)) = self
            .groups
            .iter()
            .max_by(|a, b| proven(a.1).cmp(&proven(b.1)).then(b.0.cmp(a.0)))
            .expect("a tally has a group");
        let placed = self
            .spans
            .iter()
            .any(|(_, f, l, _)| f.time.is_some() || l.time.is_some());
        let (first, example, last) = if placed {
            let first = self
                .spans
                .iter()
                .filter(|(_, f, _, _)| f.time.is_some())
                .min_by_key(|(_, f, _, _)| f.time)
                .or(self.spans.first())
                .expect("a tally has a file");
            let last = self
                .spans
                .iter()
                .filter(|(_, _, l, _)| l.time.is_some())
                .max_by_key(|(_, _, l, _)| l.time)
                .or(self.spans.last())
                .expect("a tally has a file");
            (first.1.clone(), first.3.clone(), last.2.clone())
        } else {
            // Unplaced: the chosen log's first and last files, in path order.
            let mine: Vec<_> = self.spans.iter().filter(|(g, ..)| g == group).collect();
            let (f, l) = (mine[0], mine[mine.len() - 1]);
            (f.1.clone(), f.3.clone(), l.2.clone())
        };
        let detail = match message {
            LogMessage::TxTimeout => queue_of(&example),
            _ => detail.map(str::to_string),
        };
        LogEvent {
            message,
            subject,
            count,
            suppressed,
            first: first.time,
            last: last.time,
            first_uptime: first.uptime,
            last_uptime: last.uptime,
            first_source: first.source,
            last_source: last.source,
            example,
            detail,
        }
    }
}
