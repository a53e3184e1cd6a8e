//! `analyze batch PATH... --out DIR`: the pipeline over many inputs, in parallel.
//!
//! Every regular file under the paths is an input (the pipeline decides what it is), and so is
//! every extracted report directory (not descended into). Each input gets
//! `DIR/<stem>/report.{html,md,json}` plus a stamp (input size, mtime, tool version) so that
//! re-runs skip inputs whose report is up to date. After the run, `DIR/index.html` and
//! `DIR/findings.jsonl` are rebuilt from every report in DIR, so shards running on several
//! machines into one DIR end with a complete index. One bad input never stops the batch.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use crate::report::{render, Format};

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

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub out: PathBuf,
    pub jobs: Option<usize>,
    pub force: bool,
    pub shard: Option<Shard>,
}

/// One input found by [`discover`], with the directory name its reports go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub input: PathBuf,
    pub stem: String,
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

/// Every input under `paths`, sorted, with collision-free report directory names.
pub fn discover(paths: &[PathBuf]) -> Vec<Job> {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_file() || is_report_root(p) {
            inputs.push(p.clone());
            continue;
        }
        let mut walk = WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walk.next() {
            let Ok(entry) = entry else { continue };
            let ft = entry.file_type();
            if ft.is_dir() && entry.depth() > 0 && is_report_root(entry.path()) {
                inputs.push(entry.path().to_path_buf());
                walk.skip_current_dir();
            } else if ft.is_file() {
                inputs.push(entry.path().to_path_buf());
            }
        }
    }
    inputs.sort();
    inputs.dedup();
    let stems: Vec<String> = inputs.iter().map(|p| stem_of(p)).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &stems {
        *counts.entry(s.as_str()).or_default() += 1;
    }
    inputs
        .iter()
        .zip(&stems)
        .map(|(input, stem)| {
            let stem = if counts[stem.as_str()] > 1 {
                format!(
                    "{stem}-{:08x}",
                    stable_hash(&input.to_string_lossy()) as u32
                )
            } else {
                stem.clone()
            };
            Job {
                input: input.clone(),
                stem,
            }
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
}

fn stamp_of(input: &Path, status: &str) -> Option<Stamp> {
    let meta = std::fs::metadata(input).ok()?;
    let mtime_ns = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(Stamp {
        input: input.to_string_lossy().into_owned(),
        size: if meta.is_dir() { 0 } else { meta.len() },
        mtime_ns,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        status: status.into(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A report was written, but the input had an error (corrupt or truncated).
    Partial,
    Failed,
    UpToDate,
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn run_one(job: &Job, out: &Path, force: bool) -> (Outcome, Option<String>) {
    let dir = out.join(&job.stem);
    let stamp_path = dir.join("stamp.json");
    if !force {
        let old: Option<Stamp> = std::fs::read(&stamp_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let (Some(old), Some(now)) = (old, stamp_of(&job.input, "")) {
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
        let status = match outcome {
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            _ => "failed",
        };
        if let Some(stamp) = stamp_of(&job.input, status) {
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
            Some(format!("cannot write the report: {e}")),
        ),
    }
}

/// Runs the batch; returns true when every input produced a complete report.
pub fn run(opts: &Options) -> Result<bool, String> {
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| format!("cannot create {}: {e}", opts.out.display()))?;
    let out_abs = std::fs::canonicalize(&opts.out).unwrap_or_else(|_| opts.out.clone());
    let jobs: Vec<Job> = discover(&opts.paths)
        .into_iter()
        // Never read our own output as input.
        .filter(|j| !std::fs::canonicalize(&j.input).is_ok_and(|p| p.starts_with(&out_abs)))
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
                let r = run_one(job, &opts.out, opts.force);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                let status = match r.0 {
                    Outcome::Ok => "ok",
                    Outcome::Partial => "partial",
                    Outcome::Failed => "FAILED",
                    Outcome::UpToDate => "up to date",
                };
                match &bar {
                    Some(b) => {
                        b.set_message(job.stem.clone());
                        b.inc(1);
                    }
                    None => {
                        let _ = writeln!(
                            std::io::stderr(),
                            "[{n}/{total}] {status}: {}{} ({:.1}s elapsed)",
                            job.input.display(),
                            r.1.as_deref()
                                .map(|e| format!(" — {e}"))
                                .unwrap_or_default(),
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
                r
            })
            .collect()
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let failures: BTreeMap<String, String> = jobs
        .iter()
        .zip(&results)
        .filter(|(_, r)| matches!(r.0, Outcome::Failed))
        .map(|(j, r)| (j.stem.clone(), r.1.clone().unwrap_or_default()))
        .collect();
    crate::batch_index::write(&opts.out, &failures)
        .map_err(|e| format!("cannot write the index: {e}"))?;
    Ok(results
        .iter()
        .all(|r| matches!(r.0, Outcome::Ok | Outcome::UpToDate)))
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
    fn stems_are_safe_names() {
        assert_eq!(
            stem_of(Path::new("/a/sosreport-web01-2024.tar.xz")),
            "sosreport-web01-2024"
        );
        assert_eq!(stem_of(Path::new("../x/<evil> name.tgz")), "_evil__name");
        assert_eq!(stem_of(Path::new("..")), "input");
    }
}
