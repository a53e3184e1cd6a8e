//! Every file under `testdata/` says where it comes from, and every file a provenance note
//! names exists.
//!
//! The rule for how a `PROVENANCE.md` names a file (stated also at the top of
//! `testdata/PROVENANCE.md`):
//!
//! - Only tables count whose first header cell is `file`. In each row of such a table, every
//!   code span (text in backticks) of the FIRST cell is a path relative to the directory of
//!   that `PROVENANCE.md`; several may share a cell (`a.txt`, `b.txt`). A path ending in `/`
//!   names a directory (it must exist, but does not name the files inside it). Backticks in
//!   other cells, other tables or prose are commands, counters and quotes, not names.
//! - A file is covered by the `PROVENANCE.md` of its own directory or of any parent directory
//!   up to `testdata/`, if that note names it by its path relative to the note.
//! - A scenario directory (`testdata/scenarios/NAME/`) has no `PROVENANCE.md`: its
//!   `expected.json` covers itself and its `input`; when the input is a directory, each file
//!   in it must appear, as its path relative to the input, in the `provenance` text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::TESTDATA;

/// The paths named in a PROVENANCE.md, by the rule above.
fn named_paths(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut file_table: Option<bool> = None;
    for line in markdown.lines() {
        let Some(row) = line.trim().strip_prefix('|') else {
            file_table = None;
            continue;
        };
        let first = first_cell(row);
        match file_table {
            // The header row decides what the table lists.
            None => file_table = Some(first == "file"),
            Some(true) if !is_delimiter_row(row) => out.extend(code_spans(first)),
            Some(_) => {}
        }
    }
    out
}

/// The first cell of a table row (the text after its leading `|`), up to the first `|` that
/// is not escaped as `\|`.
fn first_cell(row: &str) -> &str {
    let bytes = row.as_bytes();
    let end = (0..bytes.len())
        .find(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
        .unwrap_or(row.len());
    row[..end].trim()
}

/// `|---|:--:|` and the like: the row between a table's header and its body.
fn is_delimiter_row(row: &str) -> bool {
    row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The text of each `code span` in `cell`, with `\|` unescaped.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.replace("\\|", "|"))
        .collect()
}

/// `path` relative to `testdata/`, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(TESTDATA)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every file under `testdata/`, sorted.
fn testdata_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(TESTDATA)
        .into_iter()
        .map(|e| e.expect("walk testdata"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    assert!(files.len() > 100, "testdata holds {} files", files.len());
    files
}

/// Every PROVENANCE.md under `testdata/`, with its directory and the paths it names.
fn provenance_notes() -> Vec<(PathBuf, Vec<String>)> {
    testdata_files()
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "PROVENANCE.md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.parent().unwrap().to_path_buf(), named_paths(&text))
        })
        .collect()
}

/// For a file inside `testdata/scenarios/NAME/`: that scenario's directory.
fn scenario_dir(file: &Path) -> Option<PathBuf> {
    let rel = file
        .strip_prefix(Path::new(TESTDATA).join("scenarios"))
        .ok()?;
    let name = rel.components().next()?;
    (rel.components().count() > 1).then(|| Path::new(TESTDATA).join("scenarios").join(name))
}

/// Whether a scenario's `expected.json` covers `file` (see the module comment).
fn covered_by_scenario(dir: &Path, file: &Path) -> Result<bool, String> {
    let spec_path = dir.join("expected.json");
    if file == spec_path {
        return Ok(true);
    }
    let text =
        std::fs::read_to_string(&spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let spec: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let input = dir.join(spec["input"].as_str().unwrap_or(""));
    let provenance = spec["provenance"].as_str().unwrap_or("");
    Ok(file == input
        || file
            .strip_prefix(&input)
            .is_ok_and(|rel| provenance.contains(&*rel.to_string_lossy())))
}

#[test]
fn every_test_data_file_is_named_where_its_provenance_is() {
    let notes = provenance_notes();
    let mut unnamed = Vec::new();
    for file in testdata_files() {
        if file.file_name().is_some_and(|n| n == "PROVENANCE.md") {
            continue;
        }
        let covered = match scenario_dir(&file) {
            Some(dir) => covered_by_scenario(&dir, &file).unwrap(),
            None => notes.iter().any(|(dir, names)| {
                file.strip_prefix(dir)
                    .is_ok_and(|rel| names.iter().any(|n| Path::new(n) == rel))
            }),
        };
        if !covered {
            unnamed.push(shown(&file));
        }
    }
    assert!(
        unnamed.is_empty(),
        "{} file(s) under testdata/ named in no PROVENANCE.md (in backticks, in the first \
         cell of a `file` table) nor in their scenario's expected.json:\n{}",
        unnamed.len(),
        unnamed.join("\n")
    );
}

#[test]
fn every_file_a_provenance_note_names_exists() {
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for (dir, names) in provenance_notes() {
        assert!(
            !names.is_empty(),
            "{}/PROVENANCE.md names no file",
            shown(&dir)
        );
        for name in names {
            let path = dir.join(&name);
            let exists = match name.strip_suffix('/') {
                Some(_) => path.is_dir(),
                None => path.is_file(),
            };
            if !exists {
                missing.push(format!("{}/PROVENANCE.md: `{name}`", shown(&dir)));
            }
            assert!(seen.insert(path.clone()), "{} is named twice", shown(&path));
        }
    }
    let scenarios = Path::new(TESTDATA).join("scenarios");
    for entry in std::fs::read_dir(&scenarios).unwrap() {
        let dir = entry.unwrap().path();
        let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
        let spec: Value = serde_json::from_str(&text).unwrap();
        let input = dir.join(spec["input"].as_str().unwrap_or(""));
        if !input.exists() || input == dir {
            missing.push(format!("{}/expected.json: input", shown(&dir)));
        }
    }
    assert!(
        missing.is_empty(),
        "named but missing:\n{}",
        missing.join("\n")
    );
}

/// The rule as code, on a note written here: only code spans in the first cell of a `file`
/// table are names.
#[test]
fn names_are_the_code_spans_of_the_first_cell_of_file_tables() {
    let note = "\
# Notes with `prose.txt`

| file | what |
|---|---|
| `a.txt`, `b\\|c.txt` and prose | `not-a-name` |
| `dir/` | a directory |

| command | file |
|---|---|
| `ip link` | `x.txt` |
| `file` | `y.txt` |

| file |
|:-:|
| `z.txt` |
";
    assert_eq!(named_paths(note), ["a.txt", "b|c.txt", "dir/", "z.txt"]);
}
