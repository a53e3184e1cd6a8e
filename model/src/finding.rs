//! What a rule reports: a [`Finding`] with the evidence that proves it and the remediation
//! for this machine. Serialized into `hosts[].findings` of the `analyze/1` JSON; the rules that
//! produce findings live in the `rules` crate.

use serde::Serialize;

use crate::time::Timestamp;

/// Ordered most severe first, so sorting ascending puts criticals on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

/// One number behind a finding, with where and when it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Source path inside the input (with `:line` for capture logs and supportconfig).
    pub source: String,
    /// Interval start; `null` for a single reading or a since-boot average.
    pub start: Option<Timestamp>,
    /// Interval end, or the time of a single reading.
    pub end: Option<Timestamp>,
    pub metric: String,
    /// The counter's (or gauge's) value at `end`, when known.
    pub value: Option<f64>,
    /// Growth over the interval.
    pub delta: Option<f64>,
    /// Per second over the interval (or since boot).
    pub rate: Option<f64>,
    /// `interval`, `since-boot`, `reported` (sar), or `snapshot`.
    pub basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule id (public contract, see README).
    pub rule: &'static str,
    pub severity: Severity,
    /// Interface name, `cpuN`, an IPVS service, or `host`.
    pub subject: String,
    pub title: String,
    /// One or two sentences in plain language.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// Commands and settings with this machine's names and limits, in the order to try them.
    pub remediation: Vec<String>,
    pub references: Vec<&'static str>,
    /// Ordering weight within a severity: drops (or events) per second when known.
    pub impact: f64,
    /// The time basis of the evidence: `live` (between samples, or sar rates), `since-boot`
    /// (a single reading averaged over the uptime), `unknown-window` (a single reading, no
    /// uptime), or `snapshot` (a state read at one moment, not a counter: IPVS table size).
    pub basis: &'static str,
    /// Other devices whose counters show the same loss (a bond or VLAN sums its lower
    /// devices'): the finding is reported once, on the device that lost the packets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seen_on: Vec<String>,
    /// The loss total behind the finding (for attribution between devices; not serialized).
    #[serde(skip)]
    pub total: f64,
    /// Ids of other findings on this host that the summary relates this one to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<&'static str>,
}
