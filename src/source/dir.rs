//! Extracted directories, read with `walkdir` into the same [`Vfs`] as archives.
//!
//! Links are never followed by the operating system: `walkdir` does not follow them, their
//! targets go into the index, and resolution happens inside the root exactly as for archives.
//! Bodies are read lazily from disk, and only for physical paths the index knows as regular
//! files, so a link cannot make us read outside the directory.

use std::fs::File;
use std::path::Path;

use rules::model::{InputInfo, InputKind, ProblemSeverity};
use walkdir::WalkDir;

use super::archive::{self, Body};
use super::vfs::{Node, Vfs};
use super::{bundles_from_vfs, entry_source, problem, Opened};

pub fn open_dir(path: &Path, label: &str) -> Opened {
    let mut vfs = Vfs::new();
    let mut problems = Vec::new();
    let mut entries = 0u64;
    for item in WalkDir::new(path).follow_links(false).sort_by_file_name() {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                problems.push(problem(
                    label,
                    None,
                    ProblemSeverity::Warning,
                    format!("cannot list: {e}"),
                ));
                continue;
            }
        };
        let Ok(rel) = item.path().strip_prefix(path) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.is_empty() {
            continue;
        }
        entries += 1;
        let ft = item.file_type();
        if ft.is_symlink() {
            let target = std::fs::read_link(item.path())
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            vfs.insert(&rel, Node::Symlink { target });
        } else if ft.is_dir() {
            vfs.insert(&rel, Node::Dir);
        } else if ft.is_file() {
            let size = item.metadata().map(|m| m.len()).unwrap_or(0);
            vfs.insert(&rel, Node::File { size });
        }
    }
    let read_body = |physical: &str| -> Option<Result<Body, String>> {
        if !matches!(vfs.get(physical), Some(Node::File { .. })) {
            return None;
        }
        let full = path.join(physical);
        Some(
            File::open(&full)
                .and_then(|mut f| archive::read_capped(&mut f))
                .map_err(|e| format!("cannot read: {e}")),
        )
    };
    let (bundles, kind) = bundles_from_vfs(&vfs, &read_body, label, &mut problems);
    if bundles.is_empty() {
        problems.push(problem(
            label,
            None,
            ProblemSeverity::Error,
            "no sosreport or supportconfig root found in this directory",
        ));
    }
    let kind = if bundles.is_empty() {
        InputKind::Directory
    } else {
        kind
    };
    let kind = if kind == InputKind::Sosreport {
        InputKind::Directory
    } else {
        kind
    };
    let captures = bundles.iter().map(|b| b.captures.len() as u64).sum();
    let _ = entry_source;
    Opened {
        info: InputInfo {
            path: label.to_string(),
            kind,
            entries_read: entries,
            captures_parsed: captures,
            error: None,
        },
        bundles,
        problems,
    }
}
