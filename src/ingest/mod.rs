//! Source: turns an input path (archive, directory or single file) into captures.
//!
//! One pass over the bytes builds a [`Vfs`] of every name and keeps the bodies that the
//! classification table wants. Then each archive root (found by content) is walked
//! *logically* — through in-archive symlinks, resolved inside the root — and every wanted
//! logical path becomes a [`Capture`]. Nothing is ever written to disk.

pub mod archive;
pub mod capture;
pub mod classify;
pub mod dir;
pub mod kernel_logs;
pub mod log;
pub mod loose;
pub mod sniff;
pub mod vfs;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use parsers::kernel_log::KernelLog;
use parsers::Parsed;
use rules::model::{InputInfo, InputKind, ProblemRecord, ProblemSeverity};

pub use crate::kinds::Capture;
use archive::Body;
use classify::{CaptureKind, Layout};
use vfs::{Node, Vfs};

/// One archive root (or one loose file): the data of one host.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Physical path of the root within the input (`""` for the top). For a loose file of a
    /// directory or tar (`layout` is `None`): the file's path within the input; `""` when the
    /// input is that file.
    pub root: String,
    pub layout: Option<Layout>,
    pub captures: Vec<Capture>,
    /// The root's kernel logs, scanned (an archive root only).
    pub logs: Vec<kernel_logs::LogFile>,
}

/// Everything read from one input.
pub struct Opened<'a> {
    pub info: InputInfo,
    pub bundles: Vec<Bundle>,
    /// A capture log too large to hold: its reader, positioned at its start, for the assemble
    /// stage to parse while it reads (`assemble::stream`).
    pub log: Option<LogStream<'a>>,
    pub problems: Vec<ProblemRecord>,
}

/// A capture log left unread (see [`Opened::log`]).
pub struct LogStream<'a> {
    pub reader: Box<dyn BufRead + 'a>,
    /// The file's name (sample sources are `name:line`).
    pub name: String,
}

impl std::fmt::Debug for Opened<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("info", &self.info)
            .field("bundles", &self.bundles)
            .field("log", &self.log.as_ref().map(|l| &l.name))
            .field("problems", &self.problems)
            .finish()
    }
}

/// Opens one input path. A `sos collect` bundle yields one [`Opened`] per nested archive
/// after the outer one. `-` is standard input (`xclip -o | analyze -`), named `stdin`.
pub fn open(path: &Path) -> Vec<Opened<'static>> {
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin().lock();
        return open_reader(
            Box::new(BufReader::with_capacity(1 << 16, stdin)),
            STDIN_LABEL,
            STDIN_LABEL.to_string(),
        );
    }
    let label = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return vec![failed(
                &label,
                InputKind::Capture,
                format!("cannot open: {e}"),
            )]
        }
    };
    if meta.is_dir() {
        return dir::open_dir(path, &label);
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return vec![failed(
                &label,
                InputKind::Capture,
                format!("cannot open: {e}"),
            )]
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    match reader.fill_buf() {
        // A zip is read through its central directory, straight from the file.
        Ok(head) if archive::looks_like_zip(head) => {
            return from_streamed(&label, archive::stream_zip(reader, 0));
        }
        Ok(_) => {}
        Err(e) => {
            return vec![failed(
                &label,
                InputKind::Capture,
                format!("cannot read {label}: {e}"),
            )]
        }
    }
    open_reader(Box::new(reader), &label, file_stem(path))
}

/// How standard input is named in the report (input path, sample sources, host fallback).
pub const STDIN_LABEL: &str = "stdin";

fn file_stem(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What `advise` appends to an input error, after `; `.
const HINTS: [&str; 4] = [
    "check the path and that it is readable",
    "the report holds what was read before the damage; ask for a complete copy of the archive",
    "ask for the archive again, or extract it and pass the directory",
    "check that the file is readable and complete",
];

/// True when `advise` already said what to do about this error.
pub fn advised(message: &str) -> bool {
    HINTS.iter().any(|h| message.ends_with(h))
}

/// An input error with what to do about it (the problem's source names the path).
pub fn advise(message: String) -> String {
    let m = message.as_str();
    let hint = if m.starts_with("cannot open") {
        "check the path and that it is readable"
    } else if m.contains("corrupt")
        || m.contains("truncated")
        || m.starts_with("cannot decompress")
        || m.contains("no readable index")
    {
        "the report holds what was read before the damage; ask for a complete copy of the archive"
    } else if m.starts_with("not a readable zip") || m.starts_with("cannot read tar") {
        "ask for the archive again, or extract it and pass the directory"
    } else if m.starts_with("cannot read") {
        "check that the file is readable and complete"
    } else {
        return message;
    };
    format!("{message}; {hint}")
}

fn failed(label: &str, kind: InputKind, message: String) -> Opened<'static> {
    let message = advise(message);
    Opened {
        info: InputInfo {
            path: label.to_string(),
            kind,
            entries_read: 0,
            captures_parsed: 0,
            error: Some(message.clone()),
        },
        bundles: Vec::new(),
        log: None,
        problems: vec![problem(label, None, ProblemSeverity::Error, message)],
    }
}

pub fn problem(
    source: &str,
    line: Option<usize>,
    severity: ProblemSeverity,
    message: impl Into<String>,
) -> ProblemRecord {
    ProblemRecord {
        source: source.to_string(),
        line,
        severity,
        message: message.into(),
    }
}

/// Opens a byte stream: an archive (by magic, after decompression) or a single capture.
pub fn open_reader<'a>(
    reader: Box<dyn BufRead + 'a>,
    label: &str,
    name: String,
) -> Vec<Opened<'a>> {
    let mut reader = reader;
    if reader.fill_buf().is_ok_and(archive::looks_like_zip) {
        return open_zip_stream(reader, label);
    }
    let mut decoded = match archive::decompress(reader) {
        Ok(r) => r,
        Err(e) => {
            return vec![failed(
                label,
                InputKind::Capture,
                format!("cannot read: {e}"),
            )]
        }
    };
    // Look at the first tar block after decompression to tell a tarball from a plain file.
    let mut head = Vec::with_capacity(512);
    if let Err(e) = (&mut decoded).take(512).read_to_end(&mut head) {
        return vec![failed(
            label,
            InputKind::Capture,
            format!("cannot decompress: {e}"),
        )];
    }
    let rest = Cursor::new(head.clone()).chain(decoded);
    if archive::looks_like_tar(&head) {
        let streamed = archive::stream_tar(rest, 0);
        return from_streamed(label, streamed);
    }
    // A single file. A long capture log is streamed; anything else is read whole (capped)
    // and sniffed.
    let mut rest = rest;
    let mut first = Vec::new();
    if let Err(e) = (&mut rest).take(log::HEAD as u64).read_to_end(&mut first) {
        return vec![failed(
            label,
            InputKind::Capture,
            format!("cannot read: {e}"),
        )];
    }
    if first.len() == log::HEAD && log::is_capture_log(&first, &name) {
        let reader = BufReader::with_capacity(1 << 16, Cursor::new(first).chain(rest));
        return vec![Opened {
            info: InputInfo {
                path: label.to_string(),
                kind: InputKind::Capture,
                entries_read: 1,
                captures_parsed: 0,
                error: None,
            },
            bundles: Vec::new(),
            log: Some(LogStream {
                reader: Box::new(reader),
                name,
            }),
            problems: Vec::new(),
        }];
    }
    let mut rest = Cursor::new(first).chain(rest);
    let body = match archive::read_capped(&mut rest) {
        Ok(b) => b,
        Err(e) => {
            return vec![failed(
                label,
                InputKind::Capture,
                format!("cannot read: {e}"),
            )]
        }
    };
    vec![single_file(label, &name, body)]
}

/// A zip that is not a file (standard input): held in memory up to [`archive::ZIP_MEMORY_CAP`],
/// since its index is at its end.
fn open_zip_stream(reader: Box<dyn BufRead + '_>, label: &str) -> Vec<Opened<'static>> {
    let mut bytes = Vec::new();
    if let Err(e) = reader
        .take(archive::ZIP_MEMORY_CAP + 1)
        .read_to_end(&mut bytes)
    {
        return vec![failed(
            label,
            InputKind::Capture,
            format!("cannot read the zip archive from {label}: {e}"),
        )];
    }
    if bytes.len() as u64 > archive::ZIP_MEMORY_CAP {
        return vec![failed(
            label,
            InputKind::Capture,
            format!(
                "the zip archive on {label} is larger than {} MiB (a zip is read from its end, so \
                 it is held in memory): save it to a file and pass the file's path",
                archive::ZIP_MEMORY_CAP >> 20
            ),
        )];
    }
    from_streamed(label, archive::stream_zip(Cursor::new(bytes), 0))
}

fn single_file(label: &str, name: &str, body: Body) -> Opened<'static> {
    let mut problems = Vec::new();
    if body.truncated {
        problems.push(problem(
            label,
            None,
            ProblemSeverity::Warning,
            format!(
                "file is larger than {} MiB; only the start was read",
                archive::BODY_CAP >> 20
            ),
        ));
    }
    let empty = body.bytes.is_empty();
    let before = problems.len();
    let text = decode_text(body.bytes, label, &mut problems);
    let mut bundles = Vec::new();
    let logs: Vec<_> = kernel_logs::from_text(name, &text).into_iter().collect();
    match loose::captures_from_text(name, &text, empty, label, &mut problems) {
        Ok(captures) => bundles.push(Bundle {
            root: String::new(),
            layout: None,
            captures,
            logs,
        }),
        // A pasted kernel log: no capture, but messages.
        Err(why) if !logs.is_empty() && !why.contains(loose::BINARY) => bundles.push(Bundle {
            root: String::new(),
            layout: None,
            captures: Vec::new(),
            logs,
        }),
        Err(why) => {
            if why.contains(loose::BINARY) {
                // Binary data is not text with bad bytes: one line says what it is.
                problems.truncate(before);
            }
            problems.push(problem(label, None, ProblemSeverity::Error, why))
        }
    }
    let captures: u64 = bundles.iter().map(|b| b.captures.len() as u64).sum();
    Opened {
        info: InputInfo {
            path: label.to_string(),
            kind: InputKind::Capture,
            entries_read: 1,
            captures_parsed: captures,
            error: None,
        },
        bundles,
        log: None,
        problems,
    }
}

/// Bytes to text. Invalid UTF-8 is replaced (and reported once); NUL bytes are kept.
pub fn decode_text(bytes: Vec<u8>, source: &str, problems: &mut Vec<ProblemRecord>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            let s = String::from_utf8_lossy(&bytes).into_owned();
            let line = bytes
                .split(|&b| b == b'\n')
                .position(|l| std::str::from_utf8(l).is_err())
                .map(|i| i + 1);
            problems.push(problem(
                source,
                line,
                ProblemSeverity::Warning,
                "invalid UTF-8; bad bytes were replaced with U+FFFD",
            ));
            s
        }
    }
}

fn from_streamed(label: &str, streamed: archive::Streamed) -> Vec<Opened<'static>> {
    let archive::Streamed {
        vfs,
        bodies,
        nested,
        entries,
        error,
        notes,
        loose,
        logs,
    } = streamed;
    let mut problems: Vec<ProblemRecord> = notes
        .into_iter()
        .map(|(p, m)| problem(&entry_source(label, &p), None, ProblemSeverity::Warning, m))
        .collect();
    let mut vfs = vfs;
    let mut bodies = bodies;
    let mut logs = logs;
    let mut entries = entries;
    let mut error = error;
    // An archive inside a sosreport root (`proc.tar.gz`, `var.tgz`) is part of that host.
    let roots = find_roots(&vfs);
    let mut others = Vec::new();
    for (path, inner) in nested {
        let root = roots
            .iter()
            .filter(|(r, _)| r.is_empty() || path.starts_with(&format!("{r}/")))
            .max_by_key(|(r, _)| r.len());
        match root {
            Some((root, layout)) if find_roots(&inner.vfs).is_empty() => {
                entries += inner.entries;
                let src = entry_source(label, &path);
                if let Some(e) = graft(
                    &mut vfs,
                    (&mut bodies, &mut logs),
                    root,
                    *layout,
                    &path,
                    inner,
                    &src,
                    &mut problems,
                ) {
                    error.get_or_insert(e);
                }
            }
            _ => others.push((path, inner)),
        }
    }
    let nested = others;
    let error = error.map(advise);
    if let Some(e) = &error {
        problems.push(problem(label, None, ProblemSeverity::Error, e.clone()));
    }
    // Each physical body is asked for once (captures are deduplicated by physical path), so
    // it is moved out rather than copied.
    let bodies = std::cell::RefCell::new(bodies);
    let get_body = |physical: &str| -> Option<Result<Body, String>> {
        bodies.borrow_mut().remove(physical).map(Ok)
    };
    let logs = std::cell::RefCell::new(logs);
    let get_log = |physical: &str| logs.borrow_mut().remove(physical).map(Ok);
    let (mut bundles, kind) = bundles_from_vfs(&vfs, (&get_body, &get_log), label, &mut problems);
    let mut kind = kind;
    if bundles.is_empty() && nested.is_empty() && !loose.is_empty() {
        let files: Vec<(String, u64)> = loose
            .iter()
            .map(|(p, b)| (p.clone(), b.bytes.len() as u64))
            .collect();
        let loose = std::cell::RefCell::new(loose.into_iter().collect::<HashMap<String, Body>>());
        let get_loose = |p: &str| loose.borrow_mut().remove(p).map(Ok);
        let loose = loose_bundles(label, files, &get_loose, &mut problems);
        if !loose.is_empty() {
            bundles.extend(loose);
            kind = InputKind::Archive;
        }
    }
    let kind = if bundles.is_empty() && !nested.is_empty() {
        InputKind::SosCollect
    } else {
        kind
    };
    if bundles.is_empty() && nested.is_empty() && error.is_none() {
        problems.push(problem(
            label,
            None,
            ProblemSeverity::Error,
            "no sosreport or supportconfig root found (no sos_commands/, sos_logs/, basic-environment.txt or supportconfig.txt), and no file with a recognised capture; pass the sosreport or supportconfig itself, or the capture files",
        ));
    }
    let captures = bundles.iter().map(|b| b.captures.len() as u64).sum();
    let mut out = vec![Opened {
        info: InputInfo {
            path: label.to_string(),
            kind,
            entries_read: entries,
            captures_parsed: captures,
            error,
        },
        bundles,
        log: None,
        problems,
    }];
    for (path, inner) in nested {
        out.extend(from_streamed(&entry_source(label, &path), inner));
    }
    out
}

/// Reads an archive found inside the sosreport root `root` as part of that tree: its entries
/// are placed beside it (`proc.tar.gz` holding `proc/net/dev`) or under its stem (holding
/// `net/dev`), whichever reaches more wanted paths; the outer tree's own entries win. An
/// archive that holds no wanted path is passed over with a note. Returns the error that cut
/// the nested archive short, if any.
#[allow(clippy::too_many_arguments)]
fn graft(
    vfs: &mut Vfs,
    (bodies, logs): (
        &mut HashMap<String, Body>,
        &mut HashMap<String, Parsed<KernelLog>>,
    ),
    root: &str,
    layout: Layout,
    path: &str,
    inner: archive::Streamed,
    src: &str,
    problems: &mut Vec<ProblemRecord>,
) -> Option<String> {
    let parent = vfs::parent(path);
    let stem = archive::archive_stem(path);
    let mut mounts = vec![parent.to_string()];
    if !stem.is_empty() && stem != path.rsplit('/').next().unwrap_or(path) {
        mounts.push(vfs::join(parent, stem));
    }
    let wanted = |mount: &str| {
        inner
            .vfs
            .paths()
            .filter(|(_, n)| !matches!(n, Node::Dir))
            .filter(|(p, _)| {
                let full = vfs::join(mount, p);
                let logical = if root.is_empty() {
                    full.as_str()
                } else {
                    full.strip_prefix(root)
                        .map_or("", |r| r.trim_start_matches('/'))
                };
                classify::classify(layout, logical).is_some()
                    || kernel_logs::group(layout, logical).is_some()
            })
            .count()
    };
    let best = mounts
        .iter()
        .map(|m| (wanted(m), m.clone()))
        .max_by_key(|(n, _)| *n);
    for (p, m) in inner.notes {
        problems.push(problem(
            &entry_source(src, &p),
            None,
            ProblemSeverity::Warning,
            m,
        ));
    }
    let error = inner.error.map(|e| {
        problems.push(problem(src, None, ProblemSeverity::Error, e.clone()));
        format!("{path}: {e}")
    });
    let Some((_, mount)) = best.filter(|(n, _)| *n > 0) else {
        problems.push(problem(
            src,
            None,
            ProblemSeverity::Warning,
            "archive inside the sosreport holds no file this tool reads; passed over",
        ));
        return error;
    };
    for (p, node) in inner.vfs.paths() {
        let dest = vfs::join(&mount, p);
        if vfs.get(&dest).is_none() {
            vfs.insert(&dest, node.clone());
        }
    }
    for (p, body) in inner.bodies {
        bodies.entry(vfs::join(&mount, &p)).or_insert(body);
    }
    for (p, log) in inner.logs {
        logs.entry(vfs::join(&mount, &p)).or_insert(log);
    }
    error
}

/// `input!path/in/archive`: how problems name an entry of an archive.
pub fn entry_source(input: &str, path: &str) -> String {
    if path.is_empty() {
        input.to_string()
    } else {
        format!("{input}!{path}")
    }
}

/// Archive roots by content: the directories holding a root marker. Roots inside another
/// root (`sos_containers/<ctr>/sos_commands`) belong to their outer root.
pub fn find_roots(vfs: &Vfs) -> Vec<(String, Layout)> {
    let mut found: BTreeMap<String, Layout> = BTreeMap::new();
    for (path, _) in vfs.paths() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(layout) = classify::root_marker(name) {
            found.entry(vfs::parent(path).to_string()).or_insert(layout);
        }
    }
    let mut roots: Vec<(String, Layout)> = Vec::new();
    for (root, layout) in found {
        // Only `sos_containers/<ctr>/` reports belong to their outer root; a `sos collect`
        // wrapper (sos_logs/ and nested reports) does not swallow the reports inside it.
        let nested = roots.iter().any(|(r, _)| {
            let inside = r.is_empty() || root.starts_with(&format!("{r}/"));
            inside
                && root[r.len()..]
                    .trim_start_matches('/')
                    .starts_with("sos_containers/")
        });
        if !nested {
            roots.push((root, layout));
        }
    }
    roots
}

/// The loose files of an input without an archive root (a directory or tar of capture logs):
/// one bundle per file, whose `root` is the file's path within the input. Each file is a host
/// of its own until its data says which machine it is (see `assemble::hosts`). Files that
/// hold nothing recognisable are reported as warnings.
pub fn loose_bundles(
    label: &str,
    files: Vec<(String, u64)>,
    get_body: &BodyFn<'_>,
    problems: &mut Vec<ProblemRecord>,
) -> Vec<Bundle> {
    let mut bundles = Vec::new();
    for (path, _) in files {
        let src = entry_source(label, &path);
        let body = match get_body(&path) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                problems.push(problem(&src, None, ProblemSeverity::Warning, e));
                continue;
            }
            None => continue,
        };
        let empty = body.bytes.is_empty();
        let before = problems.len();
        let text = decode_text(body.bytes, &src, problems);
        let logs: Vec<_> = kernel_logs::from_text(&path, &text).into_iter().collect();
        match loose::captures_from_text(&path, &text, empty, &src, problems) {
            Err(why) if why.contains(loose::BINARY) => {
                problems.truncate(before);
                problems.push(problem(&src, None, ProblemSeverity::Warning, why));
            }
            Ok(captures) if !captures.is_empty() || !logs.is_empty() => bundles.push(Bundle {
                root: path,
                layout: None,
                captures,
                logs,
            }),
            Ok(_) => {}
            // A kernel log among the captures: no capture, but messages.
            Err(_) if !logs.is_empty() => bundles.push(Bundle {
                root: path,
                layout: None,
                captures: Vec::new(),
                logs,
            }),
            Err(why) => problems.push(problem(&src, None, ProblemSeverity::Warning, why)),
        }
    }
    bundles
}

type BodyFn<'a> = dyn Fn(&str) -> Option<Result<Body, String>> + 'a;

/// A kernel log by physical path, scanned (see [`kernel_logs`]); `None` when it was not.
type LogFn<'a> = dyn Fn(&str) -> Option<Result<Parsed<KernelLog>, String>> + 'a;

/// How a root's files are read: bodies of captures, and scanned kernel logs.
pub type Readers<'a, 'b> = (&'a BodyFn<'b>, &'a LogFn<'b>);

/// Finds the roots of an indexed input and turns each into a [`Bundle`].
pub fn bundles_from_vfs(
    vfs: &Vfs,
    readers: Readers<'_, '_>,
    label: &str,
    problems: &mut Vec<ProblemRecord>,
) -> (Vec<Bundle>, InputKind) {
    let roots = find_roots(vfs);
    let mut kind = InputKind::Sosreport;
    let mut bundles = Vec::new();
    for (root, layout) in roots {
        if layout == Layout::Supportconfig {
            kind = InputKind::Supportconfig;
        }
        let mut bundle = bundle_for_root(vfs, readers.0, label, &root, layout, problems);
        bundle.logs = root_logs(vfs, readers.1, label, &root, layout, problems);
        // A `sos collect` wrapper has sos_logs/ and a manifest but no captures of its own.
        let has_captures = bundle
            .captures
            .iter()
            .any(|c| c.kind != CaptureKind::SosManifest);
        if has_captures || layout == Layout::Supportconfig || has_commands(vfs, &root) {
            bundles.push(bundle);
        }
    }
    (bundles, kind)
}

fn has_commands(vfs: &Vfs, root: &str) -> bool {
    vfs.is_dir(&vfs::join(root, "sos_commands"))
}

fn bundle_for_root(
    vfs: &Vfs,
    get_body: &BodyFn<'_>,
    label: &str,
    root: &str,
    layout: Layout,
    problems: &mut Vec<ProblemRecord>,
) -> Bundle {
    let wanted_dir = |p: &str| classify::wanted_dir(layout, p);
    let wanted_file = |p: &str| classify::classify(layout, p).is_some();
    let (reached, walk_problems) = vfs::walk_logical(vfs, root, &wanted_dir, &wanted_file);
    let root_label = vfs::join(label, root);
    let source_of = |logical: &str| entry_source(label, &vfs::join(root, logical));
    for wp in walk_problems {
        problems.push(problem(
            &source_of(&wp.logical),
            None,
            ProblemSeverity::Warning,
            wp.error.to_string(),
        ));
    }
    // Several logical names can reach one physical file (root links such as `uptime`);
    // keep the one whose rule comes first in the table.
    let mut chosen: BTreeMap<String, (usize, String, CaptureKind, bool)> = BTreeMap::new();
    for r in reached {
        let Some((rank, kind)) = classify::classify(layout, &r.logical) else {
            continue;
        };
        let better = chosen
            .get(&r.physical)
            .is_none_or(|(best, logical, _, _)| (rank, &r.logical) < (*best, logical));
        if better {
            chosen.insert(r.physical.clone(), (rank, r.logical, kind, r.clamped));
        }
    }
    let mut ordered: Vec<(String, String, CaptureKind, bool)> = chosen
        .into_iter()
        .map(|(physical, (_, logical, kind, clamped))| (logical, physical, kind, clamped))
        .collect();
    ordered.sort_by(|a, b| a.0.cmp(&b.0));
    let mut captures = Vec::new();
    let mut seen = HashSet::new();
    for (logical, physical, kind, clamped) in ordered {
        let src = source_of(&logical);
        if clamped {
            problems.push(problem(
                &src,
                None,
                ProblemSeverity::Warning,
                "a symlink on this path points above the archive root; it was resolved inside the root",
            ));
        }
        let body = match get_body(&physical) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                problems.push(problem(&src, None, ProblemSeverity::Error, e));
                continue;
            }
            None => {
                problems.push(problem(
                    &src,
                    None,
                    ProblemSeverity::Warning,
                    format!("links to {physical}, whose body was not kept while streaming"),
                ));
                continue;
            }
        };
        if !seen.insert(physical.clone()) {
            continue;
        }
        if body.truncated {
            problems.push(problem(
                &src,
                None,
                ProblemSeverity::Warning,
                format!(
                    "larger than {} MiB; only the start was read",
                    archive::BODY_CAP >> 20
                ),
            ));
        }
        if physical.ends_with(".tailed") {
            problems.push(problem(
                &src,
                None,
                ProblemSeverity::Warning,
                "sos kept only the tail of this output (size limit); early lines are missing",
            ));
        }
        let text = decode_text(body.bytes, &src, problems);
        let capture = Capture::new(kind, &logical, 0, &text);
        expand_capture(capture, &mut captures, problems, &entry_source(label, root));
    }
    let _ = root_label;
    Bundle {
        root: root.to_string(),
        layout: Some(layout),
        captures,
        logs: Vec::new(),
    }
}

/// The kernel logs under a root, each file once (by physical path, so a link and its target
/// are one file), in path order. Logs of an inner root (`sos_containers/…`) are not the host's.
fn root_logs(
    vfs: &Vfs,
    get_log: &LogFn<'_>,
    label: &str,
    root: &str,
    layout: Layout,
    problems: &mut Vec<ProblemRecord>,
) -> Vec<kernel_logs::LogFile> {
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let mut files = Vec::new();
    for (physical, node) in vfs.paths() {
        if !matches!(node, Node::File { .. }) {
            continue;
        }
        let Some(group) = physical
            .strip_prefix(&prefix)
            .and_then(|rel| kernel_logs::group(layout, rel))
        else {
            continue;
        };
        let source = entry_source(label, physical);
        match get_log(physical) {
            Some(Ok(parsed)) => {
                for p in parsed.problems {
                    problems.push(problem(
                        &source,
                        Some(p.line).filter(|&l| l > 0),
                        ProblemSeverity::Warning,
                        p.message,
                    ));
                }
                files.push(kernel_logs::LogFile {
                    source,
                    group,
                    log: parsed.value,
                });
            }
            Some(Err(e)) => problems.push(problem(&source, None, ProblemSeverity::Warning, e)),
            None => {}
        }
    }
    files.sort_by(|a, b| a.source.cmp(&b.source));
    files
}

/// Supportconfig files become one capture per recognised section; other captures pass through.
pub(crate) fn expand_capture(
    capture: Capture,
    out: &mut Vec<Capture>,
    problems: &mut Vec<ProblemRecord>,
    root_source: &str,
) {
    if capture.kind != CaptureKind::SupportconfigFile {
        out.push(capture);
        return;
    }
    let namespace = capture
        .source
        .strip_prefix("network-")
        .and_then(|s| s.strip_suffix(".txt"))
        .map(str::to_string);
    for section in parsers::supportconfig::split(&capture.text) {
        let Some(command) = section.command else {
            continue;
        };
        let src = if root_source.ends_with(capture.source.as_str()) {
            root_source.to_string()
        } else if root_source.contains('!') {
            vfs::join(root_source, &capture.source)
        } else {
            entry_source(root_source, &capture.source)
        };
        if let Some(path) = command.strip_suffix("- File not found") {
            if classify::classify_section(section.title, path.trim(), namespace.as_deref())
                .is_some()
            {
                problems.push(problem(
                    &src,
                    Some(section.header_line),
                    ProblemSeverity::Warning,
                    format!("`{}` did not exist on the machine", path.trim()),
                ));
            }
            continue;
        }
        let Some(kind) = classify::classify_section(section.title, command, namespace.as_deref())
        else {
            continue;
        };
        let body = section.body;
        if body.starts_with("ERROR: Command not found") {
            problems.push(problem(
                &src,
                Some(section.header_line),
                ProblemSeverity::Warning,
                format!("`{command}` was not available on the machine"),
            ));
            continue;
        }
        out.push(Capture::new(
            kind,
            &format!("{}:{}", capture.source, section.header_line + 1),
            section.body_first_line - 1,
            body,
        ));
    }
}

impl Opened<'_> {
    /// Number of regular files and links seen (for `entries_read` of directories).
    pub fn count_entries(vfs: &Vfs) -> u64 {
        vfs.paths().filter(|(_, n)| !matches!(n, Node::Dir)).count() as u64
    }
}
