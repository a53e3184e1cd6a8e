//! What a rule reports and what a rule is. [`Finding`], [`Evidence`] and [`Severity`] are part
//! of the host model (serialized into `hosts[].findings`) and live in the `model` crate; they
//! are re-exported here. [`Rule`], the catalog's entry, belongs to the rules.

pub use ::model::finding::*;

use crate::model::Host;

/// A rule of the catalog: metadata plus a plain function over the host's timeline.
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub default_severity: Severity,
    pub references: &'static [&'static str],
    pub check: fn(&Host) -> Vec<Finding>,
}

impl Rule {
    /// A finding of this rule with its metadata filled in.
    pub fn finding(&self, severity: Severity, subject: &str, summary: String) -> Finding {
        Finding {
            rule: self.id,
            severity,
            subject: subject.to_string(),
            title: self.title.to_string(),
            summary,
            evidence: Vec::new(),
            remediation: Vec::new(),
            references: self.references.to_vec(),
            impact: 0.0,
            basis: "",
            seen_on: Vec::new(),
            total: 0.0,
            related: Vec::new(),
        }
    }
}
