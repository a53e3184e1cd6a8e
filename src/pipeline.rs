//! The whole pipeline for a set of inputs, in one place.

use std::path::PathBuf;

use rules::model::{Report, SCHEMA};

use crate::assemble::{assemble, merge_hosts};
use crate::source::{self, entry_source};

/// Reads every input, builds and merges the hosts. Inputs that fail are listed with their error.
pub fn run(inputs: &[PathBuf]) -> Report {
    let mut infos = Vec::new();
    let mut hosts = Vec::new();
    let mut problems = Vec::new();
    for path in inputs {
        for opened in source::open(path) {
            let label = opened.info.path.clone();
            for bundle in &opened.bundles {
                let origin = entry_source(&label, &bundle.root);
                hosts.push(assemble(bundle, &origin, &mut problems));
            }
            hosts.extend(opened.hosts);
            problems.extend(opened.problems);
            infos.push(opened.info);
        }
    }
    problems.sort();
    problems.dedup();
    Report {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        inputs: infos,
        hosts: merge_hosts(hosts),
        problems,
    }
}

/// True when nothing at all could be read (exit code 3).
pub fn nothing_read(report: &Report) -> bool {
    report.hosts.is_empty()
}
