//! Every rule of the catalog is documented and exercised end to end: a row in README.md's rule
//! table, at least one positive scenario (a directory under testdata/scenarios/ whose
//! expected.json expects a warning or critical finding of the rule, or any finding of a rule
//! that only informs) and at least one negative one (the rule named in `absent`: no warning or
//! critical). Scenarios are matched by what their
//! expected.json says, not by directory name (`softnet-neg-steady` covers two rules).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rules::catalog::{chart_of, Chart, ALL};
use rules::finding::Severity;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scenario's expected.json: its path, the (rule id, severity) of each finding it expects,
/// and the rule ids it names as absent.
struct Scenario {
    path: String,
    expect: BTreeSet<(String, String)>,
    absent: BTreeSet<String>,
}

fn scenarios() -> Vec<Scenario> {
    let dir = workspace().join("testdata/scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("testdata/scenarios") {
        let path = entry.unwrap().path().join("expected.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let list = |key: &str| json[key].as_array().cloned().unwrap_or_default();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        out.push(Scenario {
            path: path.display().to_string(),
            expect: list("expect")
                .iter()
                .map(|e| (text(&e["rule"]), text(&e["severity"])))
                .collect(),
            absent: list("absent").iter().map(text).collect(),
        });
    }
    out
}

#[test]
fn every_rule_has_a_positive_and_a_negative_scenario() {
    let scenarios = scenarios();
    for rule in ALL {
        let loud = |severity: &str| {
            matches!(severity, "warning" | "critical") || rule.default_severity == Severity::Info
        };
        assert!(
            scenarios
                .iter()
                .any(|s| s.expect.iter().any(|(id, sev)| id == rule.id && loud(sev))),
            "no scenario under testdata/scenarios/ expects a warning or critical finding of {}",
            rule.id
        );
        assert!(
            scenarios.iter().any(|s| s.absent.contains(rule.id)),
            "no scenario under testdata/scenarios/ names {} as absent",
            rule.id
        );
    }
}

#[test]
fn scenarios_name_only_rules_of_the_catalog() {
    for s in scenarios() {
        for id in s.expect.iter().map(|(id, _)| id).chain(&s.absent) {
            assert!(
                ALL.iter().any(|r| r.id == id),
                "{}: unknown rule {id}",
                s.path
            );
        }
    }
}

#[test]
fn every_rule_has_a_row_in_the_readme() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    for rule in ALL {
        let row = format!("| `{}` |", rule.id);
        assert!(
            readme.lines().any(|l| l.starts_with(&row)),
            "README.md has no rule table row {row}"
        );
    }
}

#[test]
fn rule_ids_are_unique_and_charts_follow_the_rules() {
    let ids: BTreeSet<&str> = ALL.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), ALL.len());
    assert_eq!(chart_of("cpu-steal"), Chart::Steal);
    assert_eq!(chart_of("softnet-backlog-drop"), Chart::SoftnetDropped);
    assert_eq!(chart_of("softnet-time-squeeze"), Chart::SoftnetSqueeze);
    assert_eq!(chart_of("softirq-single-cpu"), Chart::Softirq);
    assert_eq!(chart_of("ipvs-conn-table-small"), Chart::Ipvs);
    assert_eq!(chart_of("tap-tx-drop"), Chart::Counters);
    assert_eq!(chart_of("no-such-rule"), Chart::Counters);
}
