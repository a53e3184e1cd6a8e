//! `DIR/index.html` (one row per input) and `DIR/findings.jsonl` (one line per finding),
//! rebuilt from the current input set: each input's `DIR/<stem>/report.json`, whichever shard
//! wrote it, so that shards writing into one directory end with a complete index, and inputs
//! no longer present disappear. Written to a temporary name and renamed, so a reader never sees a
//! half-written file.

use std::path::Path;

use minijinja::{context, Environment};
use serde::Serialize;
use serde_json::Value;

/// One input of the current set, as the batch knows it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The path as found under the paths given.
    pub input: String,
    /// Its canonical path, as report stamps record it (`""` for a path that does not exist).
    pub key: String,
    /// Its report directory name (`""` when it has none).
    pub stem: String,
    /// This run's outcome (`ok`, `partial`, `failed`, `up to date`, `skipped`, `missing`), or
    /// `None` for an input another shard handles: then its directory's stamp says.
    pub status: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    /// The report directory, when the input has a report.
    stem: Option<String>,
    input: String,
    status: String,
    hosts: Vec<String>,
    collected_at: Option<String>,
    worst: Option<String>,
    /// Rule ids with the subjects each was found on, in rule order.
    findings: Vec<RuleSubjects>,
    error: Option<String>,
    /// Findings per severity, over every host of the input: the index's sort keys.
    critical: usize,
    warning: usize,
    info: usize,
}

#[derive(Debug, Serialize)]
struct RuleSubjects {
    rule: String,
    subjects: Vec<String>,
}

/// The line above the table: what the batch covered and found.
#[derive(Debug, Default, Serialize)]
struct Totals {
    inputs: usize,
    hosts: usize,
    critical: usize,
    warning: usize,
    info: usize,
    /// Inputs read only in part, or not at all (`partial`, `failed`, `missing`).
    damaged: usize,
}

/// Most critical findings first, then most warnings, then most infos; then by input path.
fn by_severity(a: &Row, b: &Row) -> std::cmp::Ordering {
    (b.critical, b.warning, b.info)
        .cmp(&(a.critical, a.warning, a.info))
        .then_with(|| a.input.cmp(&b.input))
}

fn totals(rows: &[Row]) -> Totals {
    let mut t = Totals {
        inputs: rows.len(),
        ..Totals::default()
    };
    for r in rows {
        t.hosts += r.hosts.len();
        t.critical += r.critical;
        t.warning += r.warning;
        t.info += r.info;
        t.damaged += usize::from(matches!(
            r.status.as_str(),
            "partial" | "failed" | "missing"
        ));
    }
    t
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    }
}

fn read_json(path: &Path) -> Value {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// Writes the index and `findings.jsonl` for exactly these entries (one row each; the index
/// sorted by severity, `findings.jsonl` in input order), so that inputs no longer present disappear and none is listed twice. Returns the
/// worst severity of any finding listed.
pub fn write(out: &Path, entries: &[Entry]) -> std::io::Result<Option<String>> {
    let mut entries: Vec<&Entry> = entries.iter().collect();
    entries.sort_by(|a, b| a.input.cmp(&b.input));
    let mut rows = Vec::new();
    let mut jsonl = String::new();
    let mut worst_all: Option<String> = None;
    for entry in entries {
        let dir = out.join(&entry.stem);
        let stamp = if entry.stem.is_empty() {
            Value::Null
        } else {
            read_json(&dir.join("stamp.json"))
        };
        // A directory counts only when its stamp names this input.
        let has_report = stamp["input"]
            .as_str()
            .is_some_and(|k| crate::batch::key_of(Path::new(k)) == entry.key)
            && dir.join("report.json").is_file()
            && !matches!(entry.status.as_deref(), Some("skipped" | "missing"));
        // Another shard's input without a report may have been found not to be an input.
        let skipped_there = (entry.status.is_none() && !has_report)
            .then(|| crate::batch::skipped_reason(out, &entry.key))
            .flatten();
        let status = match (&entry.status, has_report, &skipped_there) {
            (Some(s), _, _) => s.clone(),
            (None, true, _) => stamp["status"].as_str().unwrap_or("failed").to_string(),
            (None, false, Some(_)) => "skipped".to_string(),
            (None, false, None) => "pending".to_string(),
        };
        let report = if has_report {
            read_json(&dir.join("report.json"))
        } else {
            Value::Null
        };
        let hosts_json = report["hosts"].as_array().cloned().unwrap_or_default();
        let mut ids: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let mut counts = [0usize; 3];
        let mut worst: Option<String> = None;
        for h in &hosts_json {
            for f in h["findings"].as_array().into_iter().flatten() {
                let sev = f["severity"].as_str().unwrap_or("info").to_string();
                if let Some(n) = counts.get_mut(usize::from(severity_rank(&sev))) {
                    *n += 1;
                }
                if worst
                    .as_deref()
                    .is_none_or(|w| severity_rank(&sev) < severity_rank(w))
                {
                    worst = Some(sev);
                }
                if let Some(id) = f["rule"].as_str() {
                    let subjects = ids.entry(id.to_string()).or_default();
                    let subject = f["subject"].as_str().unwrap_or("").to_string();
                    if !subject.is_empty() && !subjects.contains(&subject) {
                        subjects.push(subject);
                    }
                }
                let line = serde_json::json!({
                    "archive": entry.input,
                    "report": format!("{}/report.html", entry.stem),
                    "host": h["hostname"],
                    "finding": f,
                });
                jsonl.push_str(&line.to_string());
                jsonl.push('\n');
            }
        }
        if let Some(w) = &worst {
            if worst_all
                .as_deref()
                .is_none_or(|a| severity_rank(w) < severity_rank(a))
            {
                worst_all = Some(w.clone());
            }
        }
        // What the report says went wrong (also for an unchanged input), else this run's reason.
        let error = report["inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|i| i["error"].as_str().map(str::to_string))
            .or_else(|| entry.reason.clone())
            .or(skipped_there);
        let error = match (status.as_str(), error) {
            ("pending", None) => {
                Some("no report yet (another shard's input, or not yet run)".to_string())
            }
            (_, e) => e,
        };
        rows.push(Row {
            stem: has_report.then(|| entry.stem.clone()),
            input: entry.input.clone(),
            status,
            hosts: hosts_json
                .iter()
                .filter_map(|h| h["hostname"].as_str().map(str::to_string))
                .collect(),
            collected_at: hosts_json
                .iter()
                .find_map(|h| h["collected_at"].as_str().map(str::to_string)),
            worst,
            findings: ids
                .into_iter()
                .map(|(rule, subjects)| RuleSubjects { rule, subjects })
                .collect(),
            error,
            critical: counts[0],
            warning: counts[1],
            info: counts[2],
        });
    }
    rows.sort_by(by_severity);
    let totals = totals(&rows);
    let mut env = Environment::new();
    env.add_template("index.html", include_str!("../../templates/index.html"))
        .map_err(std::io::Error::other)?;
    let html = env
        .get_template("index.html")
        .and_then(|t| {
            t.render(
                context! { rows => rows, totals => totals, version => env!("CARGO_PKG_VERSION") },
            )
        })
        .map_err(std::io::Error::other)?;
    let tmp = format!("tmp{}", std::process::id());
    let index = out.join("index.html");
    std::fs::write(index.with_extension(&tmp), html)?;
    std::fs::rename(index.with_extension(&tmp), &index)?;
    let findings = out.join("findings.jsonl");
    std::fs::write(findings.with_extension(&tmp), jsonl)?;
    std::fs::rename(findings.with_extension(&tmp), &findings)?;
    Ok(worst_all)
}
