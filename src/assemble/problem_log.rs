//! Problems of one bundle, with repeats folded.
//!
//! A capture log of 30 000 `top` frames cut at 80 columns has the same warning on every
//! frame. Listing each would bury everything else (and cost memory per sample), so a problem
//! whose source, severity and message were already seen only counts; the first occurrence is
//! kept and says how often and where last it repeated.

use std::collections::HashMap;

use rules::model::{ProblemRecord, ProblemSeverity};

/// Distinct problems kept per bundle; a hostile input can make every message different.
const MAX_DISTINCT: usize = 1000;

#[derive(Default)]
pub struct ProblemLog {
    records: Vec<ProblemRecord>,
    /// Per record: further occurrences and the last line among them.
    repeats: Vec<(usize, Option<usize>)>,
    index: HashMap<(String, ProblemSeverity, String), usize>,
    /// Problems beyond [`MAX_DISTINCT`].
    dropped: usize,
}

impl ProblemLog {
    pub fn push(&mut self, record: ProblemRecord) {
        let key = (
            record.source.clone(),
            record.severity,
            record.message.clone(),
        );
        if let Some(&i) = self.index.get(&key) {
            let (count, last) = &mut self.repeats[i];
            *count += 1;
            if record.line.is_some() {
                *last = record.line.max(*last);
            }
            return;
        }
        if self.records.len() >= MAX_DISTINCT {
            self.dropped += 1;
            return;
        }
        self.index.insert(key, self.records.len());
        self.records.push(record);
        self.repeats.push((0, None));
    }

    /// The problems, each repeated one with its count appended to the message.
    pub fn into_records(self) -> Vec<ProblemRecord> {
        let mut out = self.records;
        for (record, (count, last)) in out.iter_mut().zip(self.repeats) {
            if count == 0 {
                continue;
            }
            record.message = match last {
                Some(line) => format!(
                    "{} (and {count} more time(s), the last at line {line})",
                    record.message
                ),
                None => format!("{} (and {count} more time(s))", record.message),
            };
        }
        if self.dropped > 0 {
            let source = out.last().map(|r| r.source.clone()).unwrap_or_default();
            out.push(ProblemRecord {
                source,
                line: None,
                severity: ProblemSeverity::Warning,
                message: format!(
                    "{} more distinct problems are not listed (only the first {MAX_DISTINCT} are)",
                    self.dropped
                ),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(line: Option<usize>, message: &str) -> ProblemRecord {
        ProblemRecord {
            source: "log!log".into(),
            line,
            severity: ProblemSeverity::Warning,
            message: message.into(),
        }
    }

    #[test]
    fn repeats_fold_into_the_first_occurrence() {
        let mut log = ProblemLog::default();
        log.push(rec(Some(123), "CPU line cut"));
        log.push(rec(Some(7), "other"));
        log.push(rec(Some(230), "CPU line cut"));
        log.push(rec(Some(337), "CPU line cut"));
        let out = log.into_records();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].line, Some(123));
        assert_eq!(
            out[0].message,
            "CPU line cut (and 2 more time(s), the last at line 337)"
        );
        assert_eq!(out[1].message, "other");
    }

    #[test]
    fn distinct_problems_are_capped() {
        let mut log = ProblemLog::default();
        for i in 0..MAX_DISTINCT + 5 {
            log.push(rec(Some(i), &format!("bad value {i}")));
        }
        let out = log.into_records();
        assert_eq!(out.len(), MAX_DISTINCT + 1);
        assert!(out[MAX_DISTINCT]
            .message
            .starts_with("5 more distinct problems"));
    }
}
