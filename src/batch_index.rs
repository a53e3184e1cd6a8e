//! `DIR/index.html` (one row per input) and `DIR/findings.jsonl` (one line per finding),
//! rebuilt from every `DIR/<stem>/report.json` so that shards writing into one directory end
//! with a complete index. Written to a temporary name and renamed, so a reader never sees a
//! half-written file.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{context, Environment};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
struct Row {
    stem: String,
    input: String,
    status: String,
    hosts: Vec<String>,
    collected_at: Option<String>,
    worst: Option<String>,
    findings: Vec<String>,
    error: Option<String>,
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    }
}

pub fn write(out: &Path, failures_now: &BTreeMap<String, String>) -> std::io::Result<()> {
    let mut dirs: Vec<_> = std::fs::read_dir(out)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("report.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut rows = Vec::new();
    let mut jsonl = String::new();
    for stem in dirs {
        let dir = out.join(&stem);
        let report: Value = std::fs::read(dir.join("report.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        let stamp: Value = std::fs::read(dir.join("stamp.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        let input = stamp["input"].as_str().unwrap_or("").to_string();
        let hosts_json = report["hosts"].as_array().cloned().unwrap_or_default();
        let mut ids: Vec<String> = Vec::new();
        let mut worst: Option<String> = None;
        for h in &hosts_json {
            for f in h["findings"].as_array().into_iter().flatten() {
                let sev = f["severity"].as_str().unwrap_or("info").to_string();
                if worst
                    .as_deref()
                    .is_none_or(|w| severity_rank(&sev) < severity_rank(w))
                {
                    worst = Some(sev);
                }
                if let Some(id) = f["rule"].as_str() {
                    ids.push(id.to_string());
                }
                let line = serde_json::json!({
                    "archive": input,
                    "report": format!("{stem}/report.html"),
                    "host": h["hostname"],
                    "finding": f,
                });
                jsonl.push_str(&line.to_string());
                jsonl.push('\n');
            }
        }
        ids.sort();
        ids.dedup();
        let error = failures_now.get(&stem).cloned().or_else(|| {
            report["inputs"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|i| i["error"].as_str().map(str::to_string))
        });
        rows.push(Row {
            stem: stem.clone(),
            input,
            status: stamp["status"].as_str().unwrap_or("failed").to_string(),
            hosts: hosts_json
                .iter()
                .filter_map(|h| h["hostname"].as_str().map(str::to_string))
                .collect(),
            collected_at: hosts_json
                .iter()
                .find_map(|h| h["collected_at"].as_str().map(str::to_string)),
            worst,
            findings: ids,
            error,
        });
    }
    let mut env = Environment::new();
    env.add_template("index.html", include_str!("../templates/index.html"))
        .map_err(std::io::Error::other)?;
    let html = env
        .get_template("index.html")
        .and_then(|t| t.render(context! { rows => rows, version => env!("CARGO_PKG_VERSION") }))
        .map_err(std::io::Error::other)?;
    let tmp = format!("tmp{}", std::process::id());
    let index = out.join("index.html");
    std::fs::write(index.with_extension(&tmp), html)?;
    std::fs::rename(index.with_extension(&tmp), &index)?;
    let findings = out.join("findings.jsonl");
    std::fs::write(findings.with_extension(&tmp), jsonl)?;
    std::fs::rename(findings.with_extension(&tmp), &findings)?;
    Ok(())
}
