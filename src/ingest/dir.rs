//! Extracted directories, read with `walkdir` into the same [`Vfs`] as archives.
//!
//! Links are never followed by the operating system: `walkdir` does not follow them, their
//! targets go into the index, and resolution happens inside the root exactly as for archives.
//! Bodies are read lazily from disk, and only for physical paths the index knows as regular
//! files, so a link cannot make us read outside the directory.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use rules::model::{InputInfo, InputKind, ProblemSeverity};

use crate::ingest::classify::Layout;
use walkdir::WalkDir;

use super::archive::{self, Body};
use super::kernel_logs;
use super::vfs::{Node, Vfs};
use super::{bundles_from_vfs, entry_source, problem, Opened};

pub fn open_dir(path: &Path, label: &str) -> Vec<Opened<'static>> {
    let mut vfs = Vfs::new();
    let mut problems = Vec::new();
    let mut entries = 0u64;
    let mut nested_error: Option<String> = None;
    // Index name → the real path walkdir found. Bodies are opened by these paths, never by a
    // path rebuilt from the (UTF-8) index name.
    let mut real: HashMap<String, PathBuf> = HashMap::new();
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
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            // A lossy name could collide with a real one (`r\xff` vs `r\u{FFFD}`): skip it.
            problems.push(problem(
                &format!("{label}/{}", rel.to_string_lossy()),
                None,
                ProblemSeverity::Warning,
                "file name is not valid UTF-8; not read",
            ));
            continue;
        };
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
            real.insert(super::vfs::normalize(&rel), item.path().to_path_buf());
        }
    }
    // Archives inside a sosreport root (`proc.tar.gz`, `var.tgz`) are part of that host.
    let mut grafted: HashMap<String, Body> = HashMap::new();
    let mut grafted_logs = HashMap::new();
    let roots = super::find_roots(&vfs);
    let inside: Vec<(String, String, Layout)> = vfs
        .paths()
        .filter(|(_, n)| matches!(n, Node::File { .. }))
        .filter_map(|(p, _)| {
            let (root, layout) = roots
                .iter()
                .filter(|(r, _)| r.is_empty() || p.starts_with(&format!("{r}/")))
                .max_by_key(|(r, _)| r.len())?;
            Some((p.to_string(), root.clone(), *layout))
        })
        .filter(|(p, _, _)| {
            // A zip by its bytes; a tarball by its name too, so that a rotated `messages.gz`
            // is not taken for one.
            real.get(p)
                .is_some_and(|full| is_zip(full) || (archive::tarball_name(p) && is_archive(full)))
        })
        .collect();
    for (p, root, layout) in inside {
        let Some(full) = real.get(&p) else { continue };
        let inner = match open_no_follow(full) {
            Ok(f) => archive::stream_nested_file(f, &p),
            Err(e) => {
                problems.push(problem(
                    &entry_source(label, &p),
                    None,
                    ProblemSeverity::Warning,
                    format!("cannot open: {e}"),
                ));
                continue;
            }
        };
        if !super::find_roots(&inner.vfs).is_empty() {
            continue;
        }
        entries += inner.entries;
        let src = format!("{}/{}", label.trim_end_matches('/'), p);
        if let Some(e) = super::graft(
            &mut vfs,
            (&mut grafted, &mut grafted_logs),
            &root,
            layout,
            &p,
            inner,
            &src,
            &mut problems,
        ) {
            nested_error.get_or_insert(super::advise(e));
        }
    }
    let grafted = std::cell::RefCell::new(grafted);
    let read_body = |physical: &str| -> Option<Result<Body, String>> {
        if let Some(body) = grafted.borrow_mut().remove(physical) {
            return Some(Ok(body));
        }
        if !matches!(vfs.get(physical), Some(Node::File { .. })) {
            return None;
        }
        let full = real.get(physical)?;
        Some(
            open_no_follow(full)
                .and_then(|mut f| archive::read_capped(&mut f))
                .map_err(|e| format!("cannot read: {e}")),
        )
    };
    let grafted_logs = std::cell::RefCell::new(grafted_logs);
    // A kernel log is scanned from disk as it is read, never held (see `kernel_logs`).
    let read_log = |physical: &str| {
        if let Some(log) = grafted_logs.borrow_mut().remove(physical) {
            return Some(Ok(log));
        }
        let full = real.get(physical)?;
        Some(match open_no_follow(full) {
            Ok(mut f) => match kernel_logs::scan(&mut f) {
                (log, None) => Ok(log),
                (_, Some(e)) => Err(format!("cannot read: {e}")),
            },
            Err(e) => Err(format!("cannot read: {e}")),
        })
    };
    let (bundles, kind) = bundles_from_vfs(&vfs, (&read_body, &read_log), label, &mut problems);
    let mut bundles = bundles;
    let mut archives = Vec::new();
    if bundles.is_empty() {
        // No archive root: archives in the directory are opened as inputs of their own
        // (several sosreports of one host merge later); other files are loose captures.
        let mut files: Vec<(String, u64)> = Vec::new();
        for (p, n) in vfs.paths() {
            if let Node::File { size } = n {
                let Some(full) = real.get(p) else { continue };
                if is_archive(full) {
                    let child = format!("{}/{}", label.trim_end_matches('/'), p);
                    let mut opened = super::open(full);
                    for o in &mut opened {
                        o.info.path = o.info.path.replacen(&full.display().to_string(), &child, 1);
                    }
                    archives.extend(opened);
                } else {
                    files.push((p.to_string(), *size));
                }
            }
        }
        bundles.extend(super::loose_bundles(
            label,
            files,
            &read_body,
            &mut problems,
        ));
    }
    if bundles.is_empty() && archives.is_empty() {
        problems.push(problem(
            label,
            None,
            ProblemSeverity::Error,
            "no sosreport or supportconfig root, and no file with a recognised capture; pass the sosreport or supportconfig itself, or the capture files",
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
    let this = Opened {
        info: InputInfo {
            path: label.to_string(),
            kind,
            entries_read: entries,
            captures_parsed: captures,
            error: nested_error,
        },
        bundles,
        log: None,
        problems,
    };
    let mut out = vec![this];
    out.extend(archives);
    out
}

/// Opens a regular file without following a symlink that may have replaced it since the walk.
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

fn is_zip(file: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    open_no_follow(file).is_ok_and(|mut f| f.read_exact(&mut head).is_ok())
        && archive::looks_like_zip(&head)
}

/// True when the file starts with a compression, tar or zip magic.
fn is_archive(file: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 512];
    let Ok(mut f) = open_no_follow(file) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    let head = &head[..n];
    archive::sniff_packing(head) != archive::Packing::Plain
        || archive::looks_like_tar(head)
        || archive::looks_like_zip(head)
}
