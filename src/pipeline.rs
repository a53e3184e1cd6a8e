//! The whole pipeline for a set of inputs, in one place.

use std::path::PathBuf;

use rules::model::{ProblemRecord, Report, SCHEMA};

use crate::assemble::hosts::{merge_parts, Part};
use crate::assemble::{assemble_named, fallback_hostname};
use crate::source::{self, entry_source, Bundle};

/// Reads every input, builds and merges the hosts. Inputs that fail are listed with their error.
pub fn run(inputs: &[PathBuf]) -> Report {
    let mut infos = Vec::new();
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    for path in inputs {
        for opened in source::open(path) {
            let label = opened.info.path.clone();
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

/// True when nothing at all could be read (exit code 3).
pub fn nothing_read(report: &Report) -> bool {
    report.hosts.is_empty()
}
