//! How damaged inputs are told: `inputs[].error` in the report, the one stderr line per
//! input, and the exit code (3: nothing read; 4: a report of what could be read).

use rules::model::{InputInfo, ProblemRecord, ProblemSeverity, Report};

/// An input that could not be read, or only in part, says why in `inputs[].error`: the
/// first error met while opening it (an empty file, a text that matches no capture, a missing
/// path) when reading did not already stop with an error of its own.
pub fn mark_damage(info: &mut InputInfo, problems: &[ProblemRecord]) {
    if info.error.is_some() {
        return;
    }
    let inside = format!("{}!", info.path);
    let own = problems
        .iter()
        .find(|p| p.severity == ProblemSeverity::Error && p.source == info.path)
        .map(|p| p.message.clone());
    // A capture of an archive or directory that could not be read (`input!path`).
    let unread = || {
        problems
            .iter()
            .find(|p| {
                p.severity == ProblemSeverity::Error
                    && p.message.starts_with("cannot read")
                    && p.source.starts_with(&inside)
            })
            .map(|p| format!("{}: {}", &p.source[inside.len()..], p.message))
    };
    // A single file larger than the cap: the report covers only its start.
    let cut = || {
        problems
            .iter()
            .find(|p| {
                p.source == info.path
                    && p.line.is_none()
                    && p.message.contains("only the start was read")
            })
            .map(|p| p.message.clone())
    };
    info.error = own.or_else(unread).or_else(cut);
}

/// True when nothing at all could be read (exit code 3).
pub fn nothing_read(report: &Report) -> bool {
    report.hosts.is_empty()
}

/// The inputs that are missing, unreadable, damaged or read only in part (exit code 4 when
/// a report is still written): `(path, what happened)`.
pub fn damaged(report: &Report) -> Vec<(&str, &str)> {
    report
        .inputs
        .iter()
        .filter_map(|i| i.error.as_deref().map(|e| (i.path.as_str(), e)))
        .collect()
}

/// What to do about an input error, for the one-line message on stderr.
/// An input error as the one stderr line says it: with what to do, unless the source already
/// said it.
pub fn explain(error: &str) -> String {
    if crate::ingest::advised(error) {
        error.to_string()
    } else {
        format!("{error} — {}", advice(error))
    }
}

pub fn advice(error: &str) -> &'static str {
    let e = error.to_ascii_lowercase();
    if e.contains("permission denied") {
        "make it readable (chmod/chown) or run as a user who can read it"
    } else if e.contains("cannot open") || e.contains("no such file") {
        "check the path"
    } else if e.contains("file is empty") {
        "the file holds nothing: ask for the capture again"
    } else if e.contains("matches no known capture") || e.contains("binary data") {
        "not an input analyze reads: give a sosreport, a supportconfig or a capture (README \"What it reads\")"
    } else if e.contains("no sosreport or supportconfig root") {
        "the archive holds no sosreport/supportconfig root and no capture: check what was sent"
    } else if e.contains("only the start was read") {
        "split the file, or cut it to the period of interest"
    } else {
        "the report covers what was read before the damage: ask for a complete copy (compare size or checksum with the original)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::model::InputKind;

    fn info(path: &str) -> InputInfo {
        InputInfo {
            path: path.into(),
            kind: InputKind::Directory,
            entries_read: 3,
            captures_parsed: 2,
            error: None,
        }
    }

    fn problem(source: &str, severity: ProblemSeverity, message: &str) -> ProblemRecord {
        ProblemRecord {
            source: source.into(),
            line: None,
            severity,
            message: message.into(),
        }
    }

    #[test]
    fn damage_is_written_into_the_input() {
        // The input's own error (an empty file).
        let mut i = info("empty.txt");
        mark_damage(
            &mut i,
            &[problem(
                "empty.txt",
                ProblemSeverity::Error,
                "file is empty",
            )],
        );
        assert_eq!(i.error.as_deref(), Some("file is empty"));
        // A capture inside that could not be read.
        let mut i = info("sosdir");
        mark_damage(
            &mut i,
            &[
                problem(
                    "sosdir!sos_commands/x",
                    ProblemSeverity::Warning,
                    "cannot read: no",
                ),
                problem(
                    "sosdir!sos_commands/networking/ip_-s_-d_link",
                    ProblemSeverity::Error,
                    "cannot read: Permission denied (os error 13)",
                ),
            ],
        );
        assert_eq!(
            i.error.as_deref(),
            Some("sos_commands/networking/ip_-s_-d_link: cannot read: Permission denied (os error 13)")
        );
        // A file over the cap, read only at its start.
        let mut i = info("big.log");
        mark_damage(
            &mut i,
            &[problem(
                "big.log",
                ProblemSeverity::Warning,
                "file is larger than 64 MiB; only the start was read",
            )],
        );
        assert!(i.error.unwrap().contains("only the start"));
        // Warnings on lines are not damage; an error already set is kept.
        let mut i = info("ok.log");
        mark_damage(
            &mut i,
            &[problem(
                "ok.log",
                ProblemSeverity::Warning,
                "a line was skipped",
            )],
        );
        assert_eq!(i.error, None);
        let mut i = info("cut.tar.xz");
        i.error = Some("archive is corrupt or truncated".into());
        mark_damage(
            &mut i,
            &[problem("cut.tar.xz", ProblemSeverity::Error, "other")],
        );
        assert_eq!(i.error.as_deref(), Some("archive is corrupt or truncated"));
    }
}
