//! `analyze batch PATH... --out DIR`: the pipeline over many inputs, in parallel.
//!
//! Every regular file under the paths is an input (the pipeline decides what it is), and so is
//! every extracted report directory (not descended into). Each input gets
//! `DIR/<stem>/report.{html,md,json}` plus a stamp (input size, mtime, tool version) so that
//! re-runs skip inputs whose report is up to date. After the run, `DIR/index.html` and
//! `DIR/findings.jsonl` are rebuilt from every report in DIR, so shards running on several
//! machines into one DIR end with a complete index. One bad input never stops the batch.

pub mod index;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use crate::render::{render, Format};

/// `K/N`: this process handles the inputs whose path hashes to K−1 modulo N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 2/8")?;
        let k: u64 = k.trim().parse().map_err(|_| "K is not a number")?;
        let n: u64 = n.trim().parse().map_err(|_| "N is not a number")?;
        if n == 0 || k == 0 || k > n {
            return Err("expected 1 ≤ K ≤ N".into());
        }
        Ok(Shard { index: k, count: n })
    }
}

/// FNV-1a: stable across runs, machines and Rust versions (unlike `DefaultHasher`).
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Shard {
    pub fn owns(&self, key: &str) -> bool {
        stable_hash(key) % self.count == self.index - 1
    }
}

/// The options of `analyze batch`, as the command line gives them (their docs are its help).
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Files and directories to search for archives, report directories and captures.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output directory (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Inputs processed at once (default: all cores), e.g. `--jobs 2`.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Re-analyze inputs whose report is up to date.
    #[arg(long)]
    pub force: bool,
    /// Count files that are not inputs (images, documents, e-mails, notes) as failures
    /// instead of listing them as skipped.
    #[arg(long)]
    pub strict: bool,
    /// Process only shard K of N (a deterministic 1/N of the inputs by path hash), e.g.
    /// `--shard 3/8` on the third of eight machines or array tasks.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// How a batch run ended (the exit code, README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every input produced a complete report (files that are not inputs were skipped).
    Complete,
    /// Reports were written, but an input failed or was partial, a path given does not
    /// exist, or (`--strict`) a file was not an input.
    Partial,
    /// Nothing could be read: no path given exists, no file was found, or every input failed.
    NothingRead,
}

/// One input found by [`discover`], with the directory name its reports go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub input: PathBuf,
    /// The canonical path: what a report directory's stamp records, so that the same input
    /// keeps its directory however it is named on the command line.
    pub key: String,
    pub stem: String,
    /// Why the file is clearly not an input, judged by its name (`None` when it is read).
    pub skip: Option<String>,
}

/// Everything under the paths: the inputs, and the paths that do not exist.
#[derive(Debug, Default)]
pub struct Found {
    pub inputs: Vec<PathBuf>,
    pub missing: Vec<(PathBuf, String)>,
}

fn is_report_root(dir: &Path) -> bool {
    [
        "sos_commands",
        "sos_logs",
        "basic-environment.txt",
        "supportconfig.txt",
    ]
    .iter()
    .any(|m| dir.join(m).exists())
}

/// Every input under `paths`, sorted; paths that cannot be read are listed apart.
pub fn find_inputs(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            found.missing.push((p.clone(), format!("cannot open: {e}")));
            continue;
        }
        if p.is_file() || is_report_root(p) {
            found.inputs.push(p.clone());
            continue;
        }
        let mut walk = WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| p.clone(), Path::to_path_buf);
                    found.missing.push((path, format!("cannot list: {e}")));
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_dir() && entry.depth() > 0 && is_report_root(entry.path()) {
                found.inputs.push(entry.path().to_path_buf());
                walk.skip_current_dir();
            } else if ft.is_file() {
                found.inputs.push(entry.path().to_path_buf());
            }
        }
    }
    found.inputs.sort();
    found.inputs.dedup();
    found
}

/// Files that are clearly not inputs, by their name: images, PDFs, office documents and
/// e-mails. (Text that matches no capture is known only once read; see [`not_an_input`].)
pub fn not_an_input_by_name(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
    let what = match ext.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "webp" | "tif" | "tiff" | "heic" | "svg"
        | "ico" => "an image",
        "pdf" => "a PDF document",
        "doc" | "docx" | "xls" | "xlsx" | "ppt" | "pptx" | "odt" | "ods" | "odp" | "rtf" => {
            "an office document"
        }
        "eml" | "msg" | "mbox" => "an e-mail",
        _ => return None,
    };
    Some(format!("not an input: {what} (.{ext})"))
}

/// A single file that holds no capture (notes, a README, `expected.json`, binary data, an
/// empty file): why, when the report shows it is not an input.
pub fn not_an_input(report: &rules::model::Report) -> Option<String> {
    let [input] = report.inputs.as_slice() else {
        return None;
    };
    if !report.hosts.is_empty() || input.kind != rules::model::InputKind::Capture {
        return None;
    }
    let error = input.error.as_deref()?;
    (error == "file is empty" || error.starts_with("not an archive"))
        .then(|| format!("not an input: {error}"))
}

/// The inputs under `paths` (never inside `out`) with their report directory names (see
/// [`assign_stems`]), and the paths that cannot be read.
pub fn discover(paths: &[PathBuf], out: &Path) -> (Vec<Job>, Vec<(PathBuf, String)>) {
    let found = find_inputs(paths);
    // Never read our own output as input.
    let out_abs = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    let (inputs, keys): (Vec<PathBuf>, Vec<String>) = found
        .inputs
        .into_iter()
        .map(|p| {
            let key = key_of(&p);
            (p, key)
        })
        .filter(|(_, key)| !Path::new(key).starts_with(&out_abs))
        .unzip();
    let stems = assign_stems(out, &inputs, &keys);
    let jobs = inputs
        .into_iter()
        .zip(keys)
        .zip(stems)
        .map(|((input, key), stem)| Job {
            skip: not_an_input_by_name(&input),
            input,
            key,
            stem,
        })
        .collect();
    (jobs, found.missing)
}

/// The canonical path of an input (as given when it cannot be resolved).
pub fn key_of(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Report directories already in `out`: `(stem, input key)` from their stamps.
fn existing_dirs(out: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut dirs: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let stamp: Stamp =
                serde_json::from_slice(&std::fs::read(e.path().join("stamp.json")).ok()?).ok()?;
            Some((
                e.file_name().to_string_lossy().into_owned(),
                key_of(Path::new(&stamp.input)),
            ))
        })
        .collect();
    dirs.sort();
    dirs
}

/// Report directory names, stable per input: an input that already has a directory in
/// `out` (its stamp names it) keeps it; a new input gets its file stem when no other input
/// that still exists holds that name, else the stem and a hash of its path. New inputs are
/// named in path order, so shards agree.
pub fn assign_stems(out: &Path, inputs: &[PathBuf], keys: &[String]) -> Vec<String> {
    let current: std::collections::BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let dirs = existing_dirs(out);
    let owner: BTreeMap<&str, &str> = dirs.iter().map(|(s, k)| (s.as_str(), k.as_str())).collect();
    // An input with several directories (left by older versions) keeps the one named by its
    // plain stem, else the first.
    let mut kept: BTreeMap<&str, String> = BTreeMap::new();
    for (input, key) in inputs.iter().zip(keys) {
        let plain = stem_of(input);
        let mine: Vec<&str> = dirs
            .iter()
            .filter(|(_, k)| k == key)
            .map(|(s, _)| s.as_str())
            .collect();
        if let Some(stem) = mine.iter().find(|s| **s == plain).or(mine.first()) {
            kept.insert(key.as_str(), stem.to_string());
        }
    }
    let mut claimed: std::collections::BTreeSet<String> = kept.values().cloned().collect();
    inputs
        .iter()
        .zip(keys)
        .map(|(input, key)| {
            if let Some(stem) = kept.get(key.as_str()) {
                return stem.clone();
            }
            let free = |stem: &str, claimed: &std::collections::BTreeSet<String>| {
                !claimed.contains(stem)
                    && match owner.get(stem) {
                        Some(k) => *k == key || (!current.contains(k) && !Path::new(k).exists()),
                        None => !out.join(stem).exists(),
                    }
            };
            let plain = stem_of(input);
            let mut stem = plain.clone();
            let mut n = 0u32;
            while !free(&stem, &claimed) {
                stem = format!(
                    "{plain}-{:08x}",
                    stable_hash(&format!(
                        "{key}{}",
                        if n == 0 { String::new() } else { n.to_string() }
                    )) as u32
                );
                n += 1;
            }
            claimed.insert(stem.clone());
            stem
        })
        .collect()
}

/// `sosreport-web01-2024-01-01-abc.tar.xz` → `sosreport-web01-2024-01-01-abc`; only safe
/// characters are kept (the name becomes a directory).
fn stem_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut stem = name.as_str();
    for ext in [
        ".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".txz", ".tgz", ".tbz", ".tbz2", ".tar",
        ".log", ".txt",
    ] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
            break;
        }
    }
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "input".into()
    } else {
        clean
    }
}

/// What `DIR/<stem>/stamp.json` records, to skip up-to-date reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stamp {
    input: String,
    size: u64,
    mtime_ns: u128,
    tool_version: String,
    status: String,
    /// Why a file was skipped (in `DIR/.skipped/`, see [`skip_marker`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Where a file found not to be an input once read is remembered: `DIR/.skipped/<hash>.json`,
/// a stamp with the reason. It is no report directory; it spares re-reading the file, and lets
/// every shard list the file as skipped.
pub fn skip_marker(out: &Path, key: &str) -> PathBuf {
    out.join(".skipped")
        .join(format!("{:016x}.json", stable_hash(key)))
}

/// The reason recorded for `key` in its skip marker, when the marker names it.
pub fn skipped_reason(out: &Path, key: &str) -> Option<String> {
    let stamp: Stamp = serde_json::from_slice(&std::fs::read(skip_marker(out, key)).ok()?).ok()?;
    (stamp.input == key).then_some(stamp.reason).flatten()
}

fn stamp_of(input: &Path, key: &str, status: &str) -> Option<Stamp> {
    let meta = std::fs::metadata(input).ok()?;
    let mtime_ns = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(Stamp {
        input: key.to_string(),
        size: if meta.is_dir() { 0 } else { meta.len() },
        mtime_ns,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        status: status.into(),
        reason: None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A report was written, but the input had an error (corrupt or truncated).
    Partial,
    Failed,
    UpToDate,
    /// Not an input (an image, a document, notes): no report directory.
    Skipped,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::UpToDate => "up to date",
            Outcome::Skipped => "skipped",
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn run_one(job: &Job, out: &Path, force: bool, strict: bool) -> (Outcome, Option<String>) {
    if let (Some(why), false) = (&job.skip, strict) {
        return (Outcome::Skipped, Some(why.clone()));
    }
    let dir = out.join(&job.stem);
    let stamp_path = dir.join("stamp.json");
    let marker = skip_marker(out, &job.key);
    if !force && !strict {
        // Found not to be an input before, and unchanged since.
        let old: Option<Stamp> = std::fs::read(&marker)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let (Some(old), Some(now)) = (old, stamp_of(&job.input, &job.key, "skipped")) {
            if (Stamp {
                reason: old.reason.clone(),
                ..now
            }) == old
            {
                return (Outcome::Skipped, old.reason);
            }
        }
    }
    if !force {
        let old: Option<Stamp> = std::fs::read(&stamp_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let (Some(old), Some(now)) = (old, stamp_of(&job.input, &job.key, "")) {
            if (Stamp {
                status: old.status.clone(),
                ..now
            }) == old
            {
                // Unchanged input: its earlier outcome still stands.
                return match old.status.as_str() {
                    "ok" => (Outcome::UpToDate, None),
                    "partial" => (
                        Outcome::Partial,
                        Some("unchanged since a partial read".into()),
                    ),
                    _ => (Outcome::Failed, Some("unchanged since it failed".into())),
                };
            }
        }
    }
    let input = job.input.clone();
    // A panic in one input must not take the batch down.
    let result = std::panic::catch_unwind(move || crate::pipeline::run(&[input]));
    let report = match result {
        Ok(r) => r,
        Err(_) => {
            return (
                Outcome::Failed,
                Some("internal error while reading this input".into()),
            )
        }
    };
    if !strict {
        if let Some(why) = not_an_input(&report) {
            // A report directory left by an earlier version for this file goes stale: the
            // index is built from the current outcome. The marker is a convenience: a file
            // that cannot be remembered is simply read again next time.
            if let Some(mut stamp) = stamp_of(&job.input, &job.key, "skipped") {
                stamp.reason = Some(why.clone());
                let _ = std::fs::create_dir_all(out.join(".skipped")).and_then(|()| {
                    let bytes = serde_json::to_vec_pretty(&stamp).map_err(std::io::Error::other)?;
                    write_atomically(&marker, &bytes)
                });
            }
            return (Outcome::Skipped, Some(why));
        }
    }
    let error = report.inputs.iter().find_map(|i| i.error.clone());
    let outcome = if report.hosts.is_empty() {
        Outcome::Failed
    } else if error.is_some() {
        Outcome::Partial
    } else {
        Outcome::Ok
    };
    let reason = error.or_else(|| {
        (outcome == Outcome::Failed).then(|| {
            report
                .problems
                .iter()
                .find(|p| p.severity == rules::model::ProblemSeverity::Error)
                .map(|p| p.message.clone())
                .unwrap_or_else(|| "nothing could be read".into())
        })
    });
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        for (format, name) in [
            (Format::Html, "report.html"),
            (Format::Md, "report.md"),
            (Format::Json, "report.json"),
        ] {
            let text = render(&report, format).map_err(std::io::Error::other)?;
            write_atomically(&dir.join(name), text.as_bytes())?;
        }
        if let Some(stamp) = stamp_of(&job.input, &job.key, outcome.label()) {
            let mut bytes = serde_json::to_vec_pretty(&stamp).map_err(std::io::Error::other)?;
            bytes.push(b'\n');
            write_atomically(&stamp_path, &bytes)?;
        }
        Ok(())
    };
    match write() {
        Ok(()) => (outcome, reason),
        Err(e) => (
            Outcome::Failed,
            Some(format!(
                "cannot write the report into {}: {e}",
                dir.display()
            )),
        ),
    }
}

/// Runs the batch: reports for the inputs of this shard, then the index and `findings.jsonl`
/// rebuilt from the current input set, and a summary line on stderr.
pub fn run(opts: &Options) -> Result<Verdict, String> {
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| format!("cannot create {}: {e}", opts.out.display()))?;
    let (all, missing) = discover(&opts.paths, &opts.out);
    for (path, error) in &missing {
        eprintln!(
            "analyze batch: {}: {}",
            path.display(),
            crate::damage::explain(error)
        );
    }
    let jobs: Vec<&Job> = all
        .iter()
        .filter(|j| {
            opts.shard
                .is_none_or(|s| s.owns(&j.input.to_string_lossy()))
        })
        .collect();
    let threads = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let total = jobs.len();
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} inputs · {per_sec} · ETA {eta} · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let results: Vec<(Outcome, Option<String>)> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let r = run_one(job, &opts.out, opts.force, opts.strict);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                let status = match r.0 {
                    Outcome::Failed => "FAILED",
                    o => o.label(),
                };
                let line = format!(
                    "[{n}/{total}] {status}: {}{} ({:.1}s elapsed)",
                    job.input.display(),
                    r.1.as_deref()
                        .map(|e| format!(" — {e}"))
                        .unwrap_or_default(),
                    started.elapsed().as_secs_f64()
                );
                match &bar {
                    Some(b) => {
                        b.set_message(job.stem.clone());
                        b.inc(1);
                        // Damage is never hidden behind the bar.
                        if matches!(r.0, Outcome::Failed | Outcome::Partial) {
                            b.println(line);
                        }
                    }
                    None => {
                        let _ = writeln!(std::io::stderr(), "{line}");
                    }
                }
                r
            })
            .collect()
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let this_run: BTreeMap<&str, &(Outcome, Option<String>)> = jobs
        .iter()
        .zip(&results)
        .map(|(j, r)| (j.key.as_str(), r))
        .collect();
    let mut entries: Vec<crate::batch::index::Entry> = all
        .iter()
        .map(|j| {
            let (status, reason) = match this_run.get(j.key.as_str()) {
                Some((o, why)) => (Some(o.label().to_string()), why.clone()),
                // Not this shard's: skipped by name, or whatever its directory says.
                None if j.skip.is_some() && !opts.strict => {
                    (Some("skipped".to_string()), j.skip.clone())
                }
                None => (None, None),
            };
            crate::batch::index::Entry {
                input: j.input.display().to_string(),
                key: j.key.clone(),
                stem: j.stem.clone(),
                status,
                reason,
            }
        })
        .collect();
    entries.extend(
        missing
            .iter()
            .map(|(path, error)| crate::batch::index::Entry {
                input: path.display().to_string(),
                key: String::new(),
                stem: String::new(),
                status: Some("missing".into()),
                reason: Some(error.clone()),
            }),
    );
    let worst = crate::batch::index::write(&opts.out, &entries)
        .map_err(|e| format!("cannot write the index into {}: {e}", opts.out.display()))?;

    let count = |o: Outcome| results.iter().filter(|r| r.0 == o).count();
    let (ok, partial, failed, up, skipped) = (
        count(Outcome::Ok),
        count(Outcome::Partial),
        count(Outcome::Failed),
        count(Outcome::UpToDate),
        count(Outcome::Skipped),
    );
    eprintln!(
        "analyze batch: {} done ({partial} partial), {skipped} skipped, {failed} failed, {up} up to date{}; worst: {}; index: {}",
        ok + partial,
        if missing.is_empty() {
            String::new()
        } else {
            format!(", {} path(s) missing", missing.len())
        },
        worst.as_deref().unwrap_or("no findings"),
        opts.out.join("index.html").display()
    );
    let read_any = ok + partial + up > 0;
    Ok(if all.is_empty() || (!read_any && failed > 0) {
        eprintln!(
            "analyze batch: nothing could be read: {}",
            if all.is_empty() && missing.is_empty() {
                "no file found under the paths given"
            } else if all.is_empty() {
                "no path given exists"
            } else {
                "every input failed (see index.html)"
            }
        );
        Verdict::NothingRead
    } else if failed > 0 || partial > 0 || !missing.is_empty() {
        Verdict::Partial
    } else {
        Verdict::Complete
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_any_set_exactly() {
        let keys: Vec<String> = (0..1000)
            .map(|i| format!("/tickets/{i}/sosreport-{i}.tar.xz"))
            .collect();
        for n in [1u64, 2, 3, 7, 16] {
            let mut owners = vec![0usize; keys.len()];
            for k in 1..=n {
                let shard = Shard { index: k, count: n };
                for (i, key) in keys.iter().enumerate() {
                    if shard.owns(key) {
                        owners[i] += 1;
                    }
                }
            }
            assert!(
                owners.iter().all(|&c| c == 1),
                "N={n}: every input in exactly one shard"
            );
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert!("0/8".parse::<Shard>().is_err());
        assert!("9/8".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn clearly_not_inputs_by_name() {
        for (name, what) in [
            ("shot.PNG", "not an input: an image (.png)"),
            ("a/b/photo.jpeg", "not an input: an image (.jpeg)"),
            ("sizing.pdf", "not an input: a PDF document (.pdf)"),
            ("plan.docx", "not an input: an office document (.docx)"),
            ("numbers.xlsx", "not an input: an office document (.xlsx)"),
            ("reply.eml", "not an input: an e-mail (.eml)"),
            ("outlook.msg", "not an input: an e-mail (.msg)"),
        ] {
            assert_eq!(
                not_an_input_by_name(Path::new(name)).as_deref(),
                Some(what),
                "{name}"
            );
        }
        // Archives, logs, captures without an extension and notes are read (notes are
        // skipped only once read and found to hold no capture).
        for name in [
            "sosreport-x.tar.xz",
            "capture.log",
            "eth0",
            "notes.txt",
            "README",
            "x.zip",
            "ip.json",
        ] {
            assert_eq!(not_an_input_by_name(Path::new(name)), None, "{name}");
        }
    }

    #[test]
    fn stems_are_safe_names() {
        assert_eq!(
            stem_of(Path::new("/a/sosreport-web01-2024.tar.xz")),
            "sosreport-web01-2024"
        );
        assert_eq!(stem_of(Path::new("../x/<evil> name.tgz")), "_evil__name");
        assert_eq!(stem_of(Path::new("..")), "input");
    }
}
