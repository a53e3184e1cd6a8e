//! Scenario fixtures (in the style of hotsos's): every directory under testdata/scenarios/
//! holds an input (a capture log, a pasted file, or a sos-shaped tree) and `expected.json`:
//!
//! ```json
//! { "input": "capture.log",
//!   "expect": [ { "rule": "tap-tx-drop", "severity": "critical", "subject": "tap0",
//!                 "remediation_contains": "txqueuelen" } ],
//!   "absent": [ "cpu-steal" ],
//!   "quiet": false }
//! ```
//! `expect`: findings that must be present (severity exact); `absent`: rules that must not
//! report `warning` or `critical`; `quiet: true`: no `warning`/`critical` at all.

mod common;

use std::path::Path;

use serde_json::Value;

fn check_scenario(dir: &Path) -> Result<(), String> {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("expected.json: {e}"))?;
    let input = dir.join(spec["input"].as_str().ok_or("expected.json has no input")?);
    let report = common::run(&[&input]);
    let findings: Vec<&rules::finding::Finding> =
        report.hosts.iter().flat_map(|h| &h.findings).collect();
    let listing = findings
        .iter()
        .map(|f| {
            format!(
                "  {} {:?} {} — {}",
                f.rule, f.severity, f.subject, f.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    for e in spec["expect"].as_array().into_iter().flatten() {
        let rule = e["rule"].as_str().unwrap_or("");
        let found = findings.iter().find(|f| {
            f.rule == rule
                && e["subject"].as_str().is_none_or(|s| f.subject == s)
                && e["severity"]
                    .as_str()
                    .is_none_or(|s| serde_json::to_value(f.severity).unwrap() == s)
        });
        let Some(f) = found else {
            return Err(format!(
                "missing {e}\nfindings:\n{listing}\nproblems:\n{}",
                common::problems_text(&report)
            ));
        };
        if let Some(sub) = e["remediation_contains"].as_str() {
            if !f.remediation.iter().any(|r| r.contains(sub)) {
                return Err(format!(
                    "{rule} on {}: no remediation contains {sub:?}: {:?}",
                    f.subject, f.remediation
                ));
            }
        }
        if let Some(sub) = e["summary_contains"].as_str() {
            if !f.summary.contains(sub) {
                return Err(format!(
                    "{rule} on {}: summary lacks {sub:?}: {}",
                    f.subject, f.summary
                ));
            }
        }
        if f.evidence.is_empty() && f.severity != rules::finding::Severity::Info {
            return Err(format!("{rule} on {} has no evidence", f.subject));
        }
    }
    let loud = |f: &&&rules::finding::Finding| f.severity != rules::finding::Severity::Info;
    for a in spec["absent"].as_array().into_iter().flatten() {
        let rule = a.as_str().unwrap_or("");
        if let Some(f) = findings.iter().filter(loud).find(|f| f.rule == rule) {
            return Err(format!(
                "{rule} must not fire, but: {:?} {} — {}",
                f.severity, f.subject, f.summary
            ));
        }
    }
    if spec["quiet"].as_bool() == Some(true) {
        if let Some(f) = findings.iter().find(|f| loud(f)) {
            return Err(format!(
                "expected quiet, got {} {:?} {} — {}",
                f.rule, f.severity, f.subject, f.summary
            ));
        }
    }
    Ok(())
}

#[test]
fn every_scenario_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            check_scenario(d)
                .err()
                .map(|e| format!("{}: {e}", d.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_corpus_sosreport_is_quiet() {
    let report = common::run(&[Path::new(common::CORPUS)]);
    let loud: Vec<_> = report.hosts[0]
        .findings
        .iter()
        .filter(|f| f.severity != rules::finding::Severity::Info)
        .map(|f| format!("{} {} {}", f.rule, f.subject, f.summary))
        .collect();
    assert!(loud.is_empty(), "{loud:?}");
}
