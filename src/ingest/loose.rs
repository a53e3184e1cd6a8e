//! Loose files: a single pasted capture, or the files of a directory or tarball that holds no
//! sosreport/supportconfig root. Each file is recognised by content: one known capture
//! (`ethtool -S` saved as `eth0.txt`), or a capture log of many samples (split by `capture`).

use rules::model::{ProblemRecord, ProblemSeverity};

use super::{expand_capture, problem, Capture};
use crate::ingest::capture;
use crate::ingest::classify::CaptureKind;
use crate::ingest::sniff;

/// What a file that is neither an archive nor text is called.
pub const BINARY: &str = "not an archive and not a text capture (binary data)";

/// The captures a loose file holds, or why it holds none. `name` is the file's path as shown
/// in sample sources; `label` names it in problems. A text that matches nothing as it is but
/// has every line indented alike (a Markdown code block, an rst literal, a quoted mail) is
/// read again without that indentation.
pub fn captures_from_text(
    name: &str,
    text: &str,
    empty_file: bool,
    label: &str,
    problems: &mut Vec<ProblemRecord>,
) -> Result<Vec<Capture>, String> {
    if empty_file || text.trim().is_empty() {
        return Err("file is empty".into());
    }
    match read_text(name, text, label, problems) {
        Err(why) if why == NO_CAPTURE => match dedent(text) {
            Some(plain) => read_text(name, &plain, label, problems),
            None => Err(why),
        },
        read => read,
    }
}

const NO_CAPTURE: &str = "not an archive, and its text matches no known capture";

/// `text` without the indentation every non-blank line shares; `None` when there is none.
fn dedent(text: &str) -> Option<String> {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()?;
    if indent == 0 {
        return None;
    }
    let lines = text
        .lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end_matches('\r'));
    Some(lines.map(|l| format!("{l}\n")).collect())
}

fn read_text(
    name: &str,
    text: &str,
    label: &str,
    problems: &mut Vec<ProblemRecord>,
) -> Result<Vec<Capture>, String> {
    let sniffed = sniff::sniff(text, name);
    let mut out = Vec::new();
    if sniffed == Some(CaptureKind::SupportconfigFile) {
        let capture = Capture::new(CaptureKind::SupportconfigFile, name, 0, text);
        expand_capture(capture, &mut out, problems, label);
        return Ok(out);
    }
    let mut log = capture::segment(text);
    let single = log.dates == 0 && log.segments.len() <= 1;
    if let (Some(kind), true) = (sniffed, single) {
        // One output: read whole, unless the segmenter found exactly that output and every
        // other line was a prompt or paste dressing (then read what the segmenter cut, which
        // leaves out the prompt and removed marks, fences and comment prefixes).
        let cut = log.ignored.0 == 0
            && log.segments.len() == 1
            && same_kind(&log.segments[0].kind, &kind)
            && !same_text(&log.segments[0].text, text);
        if !cut {
            out.push(Capture::new(kind, name, 0, text));
            return Ok(out);
        }
        let seg = &mut log.segments[0];
        seg.kind = richer(std::mem::replace(&mut seg.kind, CaptureKind::Date), kind);
    }
    if log.segments.is_empty() {
        return Err(if text.contains('\u{FFFD}') || text.contains('\0') {
            format!("{BINARY}; pass a sosreport or supportconfig (tar or zip), a directory, or a text capture")
        } else {
            NO_CAPTURE.into()
        });
    }
    if let Some(host) = &log.prompt_host {
        out.push(Capture::new(CaptureKind::Hostname, name, 0, host));
    }
    problems.extend(ignored_lines_problem(label, log.ignored));
    problems.extend(recovery_problems(label, &log.recovered));
    for seg in log.segments {
        let mut c = Capture::new(
            seg.kind,
            &format!("{name}:{}", seg.first_line),
            seg.first_line - 1,
            &seg.text,
        );
        c.time = Some(seg.time);
        out.push(c);
    }
    Ok(out)
}

/// The segment is the whole file but for blank lines (a clean capture): it is read as
/// before, named by the file.
fn same_text(segment: &str, text: &str) -> bool {
    fn lines(t: &str) -> impl Iterator<Item = &str> {
        t.lines().map(str::trim_end).filter(|l| !l.is_empty())
    }
    lines(segment).eq(lines(text))
}

fn same_kind(a: &CaptureKind, b: &CaptureKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Of two readings of one output's kind, the one that names its device: a command echo
/// (`ethtool -S eth1`) names it in the segment, a file name (`eth1.txt`) in the sniffed kind.
fn richer(segment: CaptureKind, sniffed: CaptureKind) -> CaptureKind {
    let dev = |k: &CaptureKind| match k {
        CaptureKind::EthtoolStats { dev, .. }
        | CaptureKind::EthtoolRing { dev, .. }
        | CaptureKind::EthtoolChannels { dev, .. }
        | CaptureKind::EthtoolInfo { dev, .. } => !dev.is_empty(),
        CaptureKind::Bonding { bond } => !bond.is_empty(),
        CaptureKind::Ipvsadm { args } => !args.is_empty(),
        _ => true,
    };
    if dev(&segment) {
        segment
    } else {
        sniffed
    }
}

/// One warning per kind of guess the segmenter made to read pasted lines (marks removed,
/// wrapped header lines joined), given as (count, first line) per [`capture::Recovery`].
pub fn recovery_problems(label: &str, recovered: &[(usize, usize)]) -> Vec<ProblemRecord> {
    capture::Recovery::ALL
        .iter()
        .zip(recovered)
        .filter(|(_, (count, _))| *count > 0)
        .map(|(what, &(count, first))| {
            problem(
                label,
                Some(first),
                ProblemSeverity::Warning,
                what.message(count, first),
            )
        })
        .collect()
}

/// The one warning for lines of a capture log that belong to no recognised output, given
/// (count, first line).
pub fn ignored_lines_problem(label: &str, (count, first): (usize, usize)) -> Option<ProblemRecord> {
    (count > 0).then(|| {
        problem(
            label,
            Some(first),
            ProblemSeverity::Warning,
            format!(
                "{count} line(s) outside any recognised command output were not read (first at line {first})"
            ),
        )
    })
}
