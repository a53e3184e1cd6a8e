//! The whole pipeline for a set of inputs, in one place.

use std::path::PathBuf;

use rules::model::{InputInfo, ProblemRecord, ProblemSeverity, Report, SCHEMA};

use crate::assemble::hosts::{merge_parts, Part};
use crate::assemble::{assemble_named, fallback_hostname};
use crate::source::{self, entry_source, Bundle};

/// Reads every input, builds and merges the hosts. Inputs that fail are listed with their error.
pub fn run(inputs: &[PathBuf]) -> Report {
    let mut infos = Vec::new();
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    for path in inputs {
        for mut opened in source::open(path) {
            let label = opened.info.path.clone();
            mark_damage(&mut opened.info, &opened.problems);
            for bundle in &opened.bundles {
                parts.push(part(bundle, &label, &mut problems));
            }
            parts.extend(opened.hosts);
            problems.extend(opened.problems);
            infos.push(opened.info);
        }
    }
    let hosts = merge_parts(parts, &mut problems);
    problems.sort();
    problems.dedup();
    Report {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        inputs: infos,
        hosts,
        problems,
    }
}

/// The host one bundle describes. An archive root is named as it always was; a loose file
/// (the input itself, or one file of a directory or tar without a root) is a part of its own,
/// named after the file until its data names the machine (see `assemble::hosts`).
fn part(bundle: &Bundle, label: &str, problems: &mut Vec<ProblemRecord>) -> Part {
    if bundle.layout.is_some() {
        let origin = entry_source(label, &bundle.root);
        let (host, _) = assemble_named(bundle, &origin, problems);
        return Part::archive(host, label);
    }
    // Problems name the file through its sample sources (`input!file`), so the origin is
    // the input.
    let (mut host, named) = assemble_named(bundle, label, problems);
    if bundle.root.is_empty() {
        let file = label.rsplit('/').next().unwrap_or(label);
        Part::loose(host, named, file, &fallback_hostname("", label), label)
    } else {
        host.sources = vec![entry_source(label, &bundle.root)];
        Part::loose(host, named, &bundle.root, &bundle.root, label)
    }
}

/// An input that could not be read, or only in part, says why in `inputs[].error`: the
/// first error met while opening it (an empty file, a text that matches no capture, a missing
/// path) when reading did not already stop with an error of its own.
fn mark_damage(info: &mut InputInfo, problems: &[ProblemRecord]) {
    if info.error.is_some() {
        return;
    }
    info.error = problems
        .iter()
        .find(|p| p.severity == ProblemSeverity::Error && p.source == info.path)
        .or_else(|| {
            // A single file larger than the cap: the report covers only its start.
            problems.iter().find(|p| {
                p.source == info.path
                    && p.line.is_none()
                    && p.message.contains("only the start was read")
            })
        })
        .map(|p| p.message.clone());
}

/// True when nothing at all could be read (exit code 3).
pub fn nothing_read(report: &Report) -> bool {
    report.hosts.is_empty()
}

/// The inputs that are missing, unreadable, damaged or read only in part (exit code 4 when
/// a report is still written): `(path, what happened)`.
pub fn damaged(report: &Report) -> Vec<(&str, &str)> {
    report
        .inputs
        .iter()
        .filter_map(|i| i.error.as_deref().map(|e| (i.path.as_str(), e)))
        .collect()
}

/// What to do about an input error, for the one-line message on stderr.
pub fn advice(error: &str) -> &'static str {
    let e = error.to_ascii_lowercase();
    if e.contains("permission denied") {
        "make it readable (chmod/chown) or run as a user who can read it"
    } else if e.contains("cannot open") || e.contains("no such file") {
        "check the path"
    } else if e.contains("file is empty") {
        "the file holds nothing: ask for the capture again"
    } else if e.contains("matches no known capture") || e.contains("binary data") {
        "not an input analyze reads: give a sosreport, a supportconfig or a capture (README \"What it reads\")"
    } else if e.contains("no sosreport or supportconfig root") {
        "the archive holds no sosreport/supportconfig root and no capture: check what was sent"
    } else if e.contains("only the start was read") {
        "split the file, or cut it to the period of interest"
    } else {
        "the report covers what was read before the damage: ask for a complete copy (compare size or checksum with the original)"
    }
}
