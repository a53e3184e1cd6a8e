//! The whole pipeline, top-down. Each stage is one call and no stage calls a later one:
//!
//! 1. **ingest** — open each input (file, directory, archive, standard input), find its
//!    archive roots and captures and classify them ([`ingest::open`]); a capture log too long
//!    to hold is left as a reader.
//! 2. **parse and assemble** — parse every capture into the host it describes
//!    ([`assemble::assemble_named`]; a long log while it is read, [`assemble::stream::read`]),
//!    with **retention** bounding memory as samples arrive ([`retention::bound`]).
//! 3. **merge** — parts of one machine (several archives, loose files) become one host
//!    ([`merge_parts`]).
//! 4. **timeline** — deltas and rates between readings ([`timeline::compute`]).
//! 5. **rules** — the catalog's findings and the loss accounting ([`catalog::judge`]).
//! 6. **render** — HTML, Markdown or JSON ([`render`], [`render_to`]; called by `main` and
//!    `batch` on the [`Report`] this returns).

use std::path::PathBuf;

use rules::model::{Host, InputInfo, ProblemRecord, Report, SCHEMA};
use rules::{catalog, retention, timeline};

use crate::assemble::hosts::{merge_parts, Part};
use crate::assemble::{self, assemble_named, fallback_hostname};
use crate::damage::mark_damage;
use crate::ingest::{self, entry_source, Bundle, Opened};
pub use crate::render::{render, render_to, Format};

/// Reads every input, builds, merges and judges the hosts. Inputs that fail are listed with
/// their error.
pub fn run(inputs: &[PathBuf]) -> Report {
    let mut infos = Vec::new();
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    for path in inputs {
        for opened in ingest::open(path) {
            infos.push(read_input(opened, &mut parts, &mut problems));
        }
    }
    let mut hosts = merge_parts(parts, &mut problems);
    judge(&mut hosts);
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

/// Parses one opened input into host parts; returns what the report says of the input.
fn read_input(
    mut opened: Opened<'_>,
    parts: &mut Vec<Part>,
    problems: &mut Vec<ProblemRecord>,
) -> InputInfo {
    let label = opened.info.path.clone();
    for bundle in &opened.bundles {
        parts.push(part(bundle, &label, problems));
    }
    if let Some(log) = opened.log.take() {
        let read = assemble::stream::read(log.reader, &label, &log.name, retention::bound);
        opened.info.captures_parsed = read.captures;
        opened.info.error = read.error;
        opened.problems.extend(read.problems);
        parts.push(read.part);
    }
    mark_damage(&mut opened.info, &opened.problems);
    problems.append(&mut opened.problems);
    opened.info
}

/// The timeline and the rules, host by host.
pub fn judge(hosts: &mut [Host]) {
    for h in hosts {
        timeline::compute(h);
        catalog::judge(h);
    }
}

/// The host one bundle describes. An archive root is named as it always was; a loose file
/// (the input itself, or one file of a directory or tar without a root) is a part of its own,
/// named after the file until its data names the machine (see `assemble::hosts`).
fn part(bundle: &Bundle, label: &str, problems: &mut Vec<ProblemRecord>) -> Part {
    if bundle.layout.is_some() {
        let origin = entry_source(label, &bundle.root);
        let (host, _) = assemble_named(bundle, &origin, problems, retention::bound);
        return Part::archive(host, label);
    }
    // Problems name the file through its sample sources (`input!file`), so the origin is
    // the input.
    let (mut host, named) = assemble_named(bundle, label, problems, retention::bound);
    if bundle.root.is_empty() {
        let file = label.rsplit('/').next().unwrap_or(label);
        Part::loose(host, named, file, &fallback_hostname("", label), label)
    } else {
        host.sources = vec![entry_source(label, &bundle.root)];
        Part::loose(host, named, &bundle.root, &bundle.root, label)
    }
}
