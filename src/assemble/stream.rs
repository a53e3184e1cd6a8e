//! A single capture log, read as a stream: each line goes through the [`Segmenter`] and each
//! segment is parsed into the host as soon as it ends. Only the open segment is held, so a log
//! of any size is read whole in one pass, with memory that grows with the samples kept, not
//! with the text.
//!
//! Small files, and files whose first MiB is one capture rather than a log, take the
//! in-memory path (`loose::captures_from_text`), which also knows supportconfig files.

use std::borrow::Cow;
use std::io::BufRead;

use std::sync::mpsc::sync_channel;

use rules::model::{Host, ProblemRecord, ProblemSeverity};

use super::hosts::Part;
use super::{preparse, Assembler, Preparsed};
use crate::ingest::capture::{Segment, Segmenter};
use crate::ingest::kernel_logs::found_in;
use crate::ingest::{loose, problem, Capture};
use parsers::kernel_log::Scanner;

/// Longer lines are cut here (the rest of the line is skipped and reported).
const LINE_CAP: usize = 1 << 20;

/// What reading a whole log gave.
pub struct Streamed {
    /// The log's host, named by its prompt when it shows one.
    pub part: Part,
    /// Captures parsed (segments, and the prompt's host name).
    pub captures: u64,
    /// A read error that ended the log early.
    pub error: Option<String>,
    pub problems: Vec<ProblemRecord>,
}

/// Segments are handed to the parsing thread this many at a time: enough to make the hand-over
/// cheap, few enough that the text in flight stays small (a few hundred KiB).
const BATCH: usize = 64;
/// Batches waiting between two stages; the reader blocks beyond that, so memory stays flat.
const IN_FLIGHT: usize = 4;

/// Bytes of lines collected before they are scanned for kernel messages.
const KERNEL_BLOCK: usize = 256 * 1024;

/// Reads the whole log from `reader` (positioned at its start). `bound` keeps the host's
/// memory bounded as samples arrive (the retention stage, `rules::retention::bound`).
///
/// Three stages run at once: this thread reads lines and cuts segments, a second thread
/// parses the captures that can be parsed on their own (`assemble::preparse`), and a third
/// adds them to the host in input order, so the result is the same as one thread's.
pub fn read<R: BufRead>(mut reader: R, label: &str, name: &str, bound: fn(&mut Host)) -> Streamed {
    let mut assembler = Assembler::new(label, bound);
    assembler.start_data();
    let mut segmenter = Segmenter::new();
    let mut problems = Vec::new();
    let mut bad_utf8: Option<(usize, usize)> = None;
    let mut long_lines: Option<(usize, usize)> = None;
    let mut error = None;
    let mut line = Vec::with_capacity(256);
    let mut n = 0;
    // Kernel messages among the captures (`dmesg | tail` in the loop), scanned in blocks of
    // lines so that the scan costs a copy per line, not a search.
    let mut kernel = Scanner::summaries_only();
    let mut block: Vec<u8> = Vec::with_capacity(KERNEL_BLOCK);
    let mut assembler = std::thread::scope(|scope| {
        let (to_parse, parse_queue) = sync_channel::<Vec<Capture>>(IN_FLIGHT);
        let (to_apply, apply_queue) = sync_channel::<Vec<(Capture, Preparsed)>>(IN_FLIGHT);
        scope.spawn(move || {
            for batch in parse_queue {
                let parsed = batch
                    .into_iter()
                    .map(|c| {
                        let p = preparse(&c);
                        (c, p)
                    })
                    .collect();
                if to_apply.send(parsed).is_err() {
                    break;
                }
            }
        });
        let applier = scope.spawn(move || {
            for batch in apply_queue {
                for (c, p) in batch {
                    assembler.data_with(&c, p);
                }
            }
            assembler
        });
        let mut batch: Vec<Capture> = Vec::with_capacity(BATCH);
        {
            let mut emit = |s: Segment| {
                batch.push(Capture {
                    kind: s.kind,
                    source: format!("{name}:{}", s.first_line),
                    line_offset: s.first_line - 1,
                    text: s.text,
                    time: Some(s.time),
                });
                if batch.len() == BATCH {
                    // The parser only stops early if a later stage panicked; join reports it.
                    let _ = to_parse.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            };
            loop {
                line.clear();
                let cut = match read_line_capped(&mut reader, &mut line) {
                    Ok(None) => break,
                    Ok(Some(cut)) => cut,
                    Err(e) => {
                        error = Some(format!("read error after line {n}: {e}"));
                        break;
                    }
                };
                n += 1;
                if cut {
                    count(&mut long_lines, n);
                }
                let body = line.strip_suffix(b"\n").unwrap_or(&line);
                let text = match std::str::from_utf8(body) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => {
                        count(&mut bad_utf8, n);
                        String::from_utf8_lossy(body)
                    }
                };
                segmenter.line(n, &text, &mut emit);
                block.extend_from_slice(&line);
                if !line.ends_with(b"\n") {
                    // A line cut at LINE_CAP (or the last one) ends here for the scan too.
                    block.push(b'\n');
                }
                if block.len() >= KERNEL_BLOCK {
                    kernel.feed(&block);
                    block.clear();
                }
            }
            kernel.feed(&block);
            segmenter.finish(&mut emit);
        }
        if !batch.is_empty() {
            let _ = to_parse.send(batch);
        }
        drop(to_parse);
        match applier.join() {
            Ok(assembler) => assembler,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    if let Some(host) = &segmenter.prompt_host {
        assembler.prompt_host(host);
    }
    problems.extend(loose::ignored_lines_problem(label, segmenter.ignored));
    problems.extend(loose::recovery_problems(label, &segmenter.recovered));
    if let Some((lines, first)) = bad_utf8 {
        problems.push(problem(
            label,
            Some(first),
            ProblemSeverity::Warning,
            format!("invalid UTF-8 on {lines} line(s); bad bytes were replaced with U+FFFD"),
        ));
    }
    if let Some((lines, first)) = long_lines {
        problems.push(problem(
            label,
            Some(first),
            ProblemSeverity::Warning,
            format!(
                "{lines} line(s) longer than {} MiB were cut there",
                LINE_CAP >> 20
            ),
        ));
    }
    if let Some(e) = &error {
        problems.push(problem(label, None, ProblemSeverity::Error, e.clone()));
    }
    let captures = segmenter.segments as u64 + u64::from(segmenter.prompt_host.is_some());
    let named = assembler.named();
    let (mut host, found) = assembler.finish("");
    problems.extend(found);
    let logs: Vec<_> = found_in(name, kernel.finish().value).into_iter().collect();
    host.kernel_log = super::kernel_log::events(&host, &logs);
    host.kernel_log_files = super::kernel_log::files_read(&logs);
    let fallback = host.hostname.clone();
    Streamed {
        part: Part::loose(host, named, name, &fallback, label),
        captures,
        error,
        problems,
    }
}

/// Counts a line with some property: (lines, first line).
fn count(seen: &mut Option<(usize, usize)>, n: usize) {
    match seen {
        Some((lines, _)) => *lines += 1,
        None => *seen = Some((1, n)),
    }
}

/// Reads one line (with its `\n`) into `buf`, at most [`LINE_CAP`] bytes of it; the rest of
/// a longer line is skipped. `None` at the end of the input; `Some(true)` when cut.
fn read_line_capped<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    let read = std::io::Read::take(&mut *reader, LINE_CAP as u64).read_until(b'\n', buf)?;
    if read == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') || read < LINE_CAP {
        return Ok(Some(false));
    }
    // Skip to the end of the line without keeping it.
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(Some(true));
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(Some(true));
            }
            None => {
                let len = available.len();
                reader.consume(len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::assemble::assemble;
    use crate::ingest::log::HEAD;
    use crate::ingest::{loose, open_reader, Bundle};

    /// Opens `bytes` as the pipeline does; they must be a log too long to hold.
    fn stream(bytes: Vec<u8>) -> Streamed {
        let mut opened = open_reader(Box::new(Cursor::new(bytes)), "log", "log".into());
        assert_eq!(opened.len(), 1);
        assert!(opened[0].bundles.is_empty(), "a long log is streamed");
        let log = opened[0].log.take().expect("a long log is streamed");
        read(log.reader, "log", &log.name, rules::retention::bound)
    }

    /// What the pipeline does next: merge hosts, compute the timeline, run the rules.
    fn judged(host: &Host) -> Host {
        let mut hosts = crate::assemble::merge_hosts(vec![host.clone()]);
        crate::pipeline::judge(&mut hosts);
        hosts.remove(0)
    }

    const SEED: &str = include_str!("../../testdata/capture/seed000-tap-tx-drops.log");

    /// SYNTHETIC: the first sample of the real seed 000 capture (its `date` line, echoed
    /// command and `ip -s -s link` block, lines 6–18), repeated `n` times with the clock
    /// advanced 5 s each time, plus a `top` frame every other sample.
    fn long_log(n: usize) -> String {
        let block: Vec<&str> = SEED.lines().skip(6).take(13).collect();
        let start = chrono::NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(12, 28, 22)
            .unwrap();
        let mut out = String::from("[root@ibm-x3550m4-9 ~]# ./generate-tx-drops.sh\n");
        for i in 0..n {
            let t = start + chrono::Duration::seconds(5 * i as i64);
            out.push_str(&t.format("%a %b %e %H:%M:%S EST %Y\n").to_string());
            for line in &block {
                out.push_str(line);
                out.push('\n');
            }
            if i % 2 == 0 {
                out.push_str(
                    &t.format(
                        "top - %H:%M:%S up 34 min,  0 user,  load average: 2.26, 2.31, 2.28\n",
                    )
                    .to_string(),
                );
                out.push_str(
                    "Tasks:  88 total,   2 running,  86 sleeping,   0 stopped,   0 zombie\n",
                );
                out.push_str("%Cpu(s): 12.5 us,  3.1 sy,  0.0 ni, 80.0 id,  0.0 wa,  0.0 hi,  4.4 si,  0.0 st\n\n");
                out.push_str("  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n");
                out.push_str("15718 root      20   0  589420 255360  71868 S  93.8   1.0   0:12.01 qemu-kvm\n");
                out.push_str("    2 root      20   0       0      0      0 S   0.0   0.0   0:00.00 kthreadd\n");
            }
        }
        out
    }

    #[test]
    fn streamed_log_gives_the_same_host_as_the_in_memory_path() {
        let text = long_log(5000);
        assert!(
            text.len() > 2 * HEAD,
            "the log must be longer than the head"
        );
        let read = stream(text.clone().into_bytes());
        let streamed = &read.part.host;

        let mut problems = Vec::new();
        let captures =
            loose::captures_from_text("log", &text, false, "log", &mut problems).unwrap();
        let bundle = Bundle {
            root: String::new(),
            layout: None,
            captures,
            logs: Vec::new(),
        };
        let in_memory = assemble(&bundle, "log", &mut problems);
        assert_eq!(
            serde_json::to_value(streamed).unwrap(),
            serde_json::to_value(&in_memory).unwrap()
        );

        // Read by hand off the seed: TX dropped 11155280 on tapc18eb09e-01, prompt host.
        assert_eq!(streamed.hostname, "ibm-x3550m4-9");
        let streamed = &judged(streamed);
        let tap = streamed.interface("tapc18eb09e-01").unwrap();
        let last = tap.samples.last().unwrap();
        assert_eq!(last.counters["tx_dropped"], 11155280);
        assert_eq!(last.time.unwrap().to_string(), "2016-11-29T19:24:57-05:00");
        // Retention thinned the 5 000 samples, but their 4 999 intervals of 5 s are all there.
        assert!(tap.samples.len() <= rules::retention::TRIGGER + 1);
        let dropped = |list: &str| {
            streamed
                .thinned
                .iter()
                .find(|t| t.list == list && t.series == "log")
                .map_or(0, |t| t.samples_dropped)
        };
        assert_eq!(
            tap.samples.len() as u64 + dropped("interfaces[tapc18eb09e-01].samples"),
            5000
        );
        let merged: u32 = tap.deltas.iter().map(|d| d.merged).sum();
        let seconds: f64 = tap.deltas.iter().filter_map(|d| d.seconds).sum();
        assert_eq!((merged, seconds), (4999, 24_995.0));
        assert!(tap.deltas.len() <= rules::retention::TRIGGER);
        let frames: u32 = streamed.cpu.iter().map(|c| c.represents).sum();
        assert_eq!(frames, 2500);
        assert_eq!(streamed.cpu.len() as u64 + dropped("cpu"), 2500);
        assert_eq!(streamed.cpu[0].processes.len(), 1, "idle rows are not kept");
        assert_eq!(read.captures, 7500 + 1);
    }

    #[test]
    fn long_lines_and_bad_bytes_are_reported_not_fatal() {
        let mut bytes = long_log(3000).into_bytes();
        bytes.extend_from_slice(b"\xff\xfe broken\n");
        bytes.extend(std::iter::repeat_n(b'x', LINE_CAP + 10));
        bytes.extend_from_slice(b"\nTue Nov 29 23:00:00 EST 2016\n");
        let read = stream(bytes);
        let messages: Vec<&str> = read.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("invalid UTF-8 on 1 line")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("1 line(s) longer than 1 MiB")),
            "{messages:?}"
        );
        let host = &judged(&read.part.host);
        let seconds: f64 = host.interfaces[0]
            .deltas
            .iter()
            .filter_map(|d| d.seconds)
            .sum();
        assert_eq!(seconds, 2999.0 * 5.0, "all 3000 samples were read");
        assert!(read.error.is_none());
    }
}
