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
//! report `warning` or `critical`; `quiet: true`: no `warning`/`critical` at all;
//! `no_findings: true`: no finding at all on any host, `info` included (so `quiet` too).
//! `input` (the file or directory read) and `provenance` (free text: where the input comes
//! from) complete the list: any other top-level key is refused, as a misspelled `absent` would
//! otherwise check nothing. Every rule named in `expect` or `absent` must be in the catalog.
//!
//! A negative scenario (directory name with `-neg-`) exists to show that something is NOT
//! reported, so it must say what: `quiet: true`, `no_findings: true` or a non-empty `absent`.
//!
//! `remediation_lacks` (a string or a list): no remediation line may contain it (a fix that
//! does not apply to this mechanism, e.g. `txqueuelen` on a tunnel).
//!
//! An `expect` entry may also pin the numbers the finding rests on, computed by hand from the
//! input (never copied from the tool's output), with the arithmetic in a free-text
//! `"arithmetic"` field of the entry so a reviewer can redo it:
//!
//! ```json
//! { "rule": "nic-rx-ring-overflow", "severity": "critical", "subject": "eth2",
//!   "total": 12000, "rate": 200, "basis": "live",
//!   "arithmetic": "fifo 19781362 - 19769362 = 12000 in 60 s (10:00:00 -> 10:01:00) = 200/s" }
//! ```
//! - `total`: the loss total the finding rests on (`Finding.total`, not serialized in the
//!   JSON): events in the capture for `live`, the counter itself for `since-boot` and
//!   `unknown-window`. Compared within ±0.5 (a count of events). Only for rules that set it
//!   (`cloud-allowance-exceeded`, `cpu-steal`, `ipvs-conn-table-small` and
//!   `softirq-single-cpu` leave it 0).
//! - `rate`: events per second, the finding's `impact` in the JSON (for counters: the total
//!   over the seconds between the first and last reading of the interval, or over the uptime
//!   for `since-boot`; 0 when the window is unknown). Some rules rank by another figure (mean
//!   steal %, entries per IPVS bucket, the NET_RX softirq rate of the concentrated
//!   interval); the arithmetic says which. Compared within 0.05 % or ±0.001, whichever is larger.
//! - `basis`: the finding's `basis` (`live`, `since-boot`, `unknown-window`, `snapshot`),
//!   compared exactly.

use std::path::Path;

use serde_json::Value;

use crate::util::*;

/// The fields an `expect` entry may have; any other key is a typo that would check nothing.
const KNOWN_EXPECT_KEYS: &[&str] = &[
    "rule",
    "severity",
    "subject",
    "remediation_contains",
    "remediation_lacks",
    "summary_contains",
    "total",
    "rate",
    "basis",
    "arithmetic",
];

/// The top-level keys of `expected.json`; any other key is a typo that would check nothing.
const KNOWN_TOP_KEYS: &[&str] = &[
    "input",
    "provenance",
    "expect",
    "absent",
    "quiet",
    "no_findings",
];

/// Checks the shape of `expected.json` before any finding is compared: known keys of the
/// right types, rules that exist, and a negative scenario that states what must not fire.
fn check_spec(dir: &Path, spec: &Value) -> Result<(), String> {
    let top = spec.as_object().ok_or("expected.json is not an object")?;
    if let Some(key) = top.keys().find(|k| !KNOWN_TOP_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "expected.json: unknown top-level key {key:?} (known: {KNOWN_TOP_KEYS:?})"
        ));
    }
    for key in ["input", "provenance"] {
        if !top.get(key).is_some_and(Value::is_string) {
            return Err(format!("expected.json: {key:?} must be a string"));
        }
    }
    for key in ["quiet", "no_findings"] {
        if top.get(key).is_some_and(|v| !v.is_boolean()) {
            return Err(format!("expected.json: {key:?} must be true or false"));
        }
    }
    if top.get("expect").is_some_and(|v| !v.is_array()) {
        return Err("expected.json: \"expect\" must be a list".into());
    }
    let absent = match top.get("absent") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).collect()
        }
        Some(_) => return Err("expected.json: \"absent\" must be a list of rule ids".into()),
    };
    let catalog: Vec<&str> = rules::catalog::ALL.iter().map(|r| r.id).collect();
    let expected_rules = spec["expect"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["rule"].as_str().unwrap_or(""));
    if let Some(rule) = absent
        .iter()
        .copied()
        .chain(expected_rules)
        .find(|r| !catalog.contains(r))
    {
        return Err(format!(
            "expected.json: {rule:?} is not a rule of the catalog"
        ));
    }
    let no_findings = spec["no_findings"].as_bool() == Some(true);
    if no_findings && spec["expect"].as_array().is_some_and(|e| !e.is_empty()) {
        return Err("expected.json: \"no_findings\" contradicts a non-empty \"expect\"".into());
    }
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let quiet = spec["quiet"].as_bool() == Some(true);
    if name.contains("-neg-") && !quiet && !no_findings && absent.is_empty() {
        return Err(
            "a negative scenario must state what must not fire: \"quiet\": true, \
             \"no_findings\": true or a non-empty \"absent\""
                .into(),
        );
    }
    Ok(())
}

/// Checks one `expect` entry against the findings of every host.
fn check_expect(
    e: &Value,
    findings: &[&rules::finding::Finding],
    listing: &str,
    report: &rules::model::Report,
) -> Result<(), String> {
    let rule = e["rule"].as_str().unwrap_or("");
    if let Some(key) = e
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .find(|k| !KNOWN_EXPECT_KEYS.contains(&k.as_str()))
    {
        return Err(format!("expect entry for {rule}: unknown key {key:?}"));
    }
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
            problems_text(report)
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
    let lacks: Vec<&str> = match &e["remediation_lacks"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for sub in lacks {
        if let Some(r) = f.remediation.iter().find(|r| r.contains(sub)) {
            return Err(format!(
                "{rule} on {}: a remediation line contains {sub:?}: {r:?}",
                f.subject
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
    if let Some(want) = e["total"].as_f64() {
        if (f.total - want).abs() > 0.5 {
            return Err(format!(
                "{rule} on {}: total {} but the hand computation gives {want} ({})",
                f.subject, f.total, e["arithmetic"]
            ));
        }
    }
    if let Some(want) = e["rate"].as_f64() {
        if (f.impact - want).abs() > (want.abs() * 5e-4).max(1e-3) {
            return Err(format!(
                "{rule} on {}: rate (impact) {} but the hand computation gives {want} ({})",
                f.subject, f.impact, e["arithmetic"]
            ));
        }
    }
    if let Some(want) = e["basis"].as_str() {
        if f.basis != want {
            return Err(format!(
                "{rule} on {}: basis {:?}, expected {want:?}",
                f.subject, f.basis
            ));
        }
    }
    if f.evidence.is_empty() && f.severity != rules::finding::Severity::Info {
        return Err(format!("{rule} on {} has no evidence", f.subject));
    }
    Ok(())
}

fn check_scenario(dir: &Path) -> Result<(), String> {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("expected.json: {e}"))?;
    check_spec(dir, &spec)?;
    let input = dir.join(spec["input"].as_str().ok_or("expected.json has no input")?);
    let report = run(&[&input]);
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
        check_expect(e, &findings, &listing, &report)?;
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
    if spec["no_findings"].as_bool() == Some(true) && !findings.is_empty() {
        return Err(format!("expected no finding at all, got:\n{listing}"));
    }
    Ok(())
}

#[test]
fn every_scenario_meets_its_expectations() {
    let root = Path::new(TESTDATA).join("scenarios");
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
    let report = run(&[Path::new(CORPUS)]);
    let loud: Vec<_> = report.hosts[0]
        .findings
        .iter()
        .filter(|f| f.severity != rules::finding::Severity::Info)
        .map(|f| format!("{} {} {}", f.rule, f.subject, f.summary))
        .collect();
    assert!(loud.is_empty(), "{loud:?}");
}

/// The checks above must be able to fail: each broken `expected.json` below (synthetic,
/// written here next to a copy of a real scenario input) is refused with its reason.
#[test]
fn the_harness_refuses_specs_that_would_check_nothing() {
    // top.log gives one info finding (cpu-steal on host, steal 0.0 and 1.5 %) and nothing loud.
    let top_log = Path::new(TESTDATA).join("scenarios/cpu-steal-neg-sandbox-top/top.log");
    let tmp = tempfile::tempdir().unwrap();
    let check = |name: &str, spec: &str| {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&top_log, dir.join("top.log")).unwrap();
        std::fs::write(dir.join("expected.json"), spec).unwrap();
        check_scenario(&dir)
    };
    let head = r#""input": "top.log", "provenance": "test", "expect": []"#;
    let refused = |name: &str, extra: &str, reason: &str| {
        let spec = format!("{{ {head}{extra} }}");
        let err = check(name, &spec).expect_err(&spec);
        assert!(err.contains(reason), "{spec}: {err}");
    };
    refused(
        "a-neg-typo",
        r#", "absnet": ["cpu-steal"]"#,
        "unknown top-level key \"absnet\"",
    );
    refused("a-neg-silent", "", "a negative scenario must state");
    refused(
        "a-neg-unknown-rule",
        r#", "absent": ["cpu-stea1"]"#,
        "\"cpu-stea1\" is not a rule",
    );
    refused(
        "a-neg-quiet-text",
        r#", "quiet": "true""#,
        "must be true or false",
    );
    refused(
        "a-neg-info",
        r#", "no_findings": true"#,
        "expected no finding at all",
    );
    // The same input passes what it does meet: quiet (its one finding is info).
    let spec = format!(r#"{{ {head}, "quiet": true }}"#);
    assert_eq!(check("a-neg-quiet", &spec), Ok(()));
}
