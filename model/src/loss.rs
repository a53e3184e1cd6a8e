//! The loss accounting of a host (`hosts[].loss_counters`): every loss counter that is non-zero
//! in the latest reading, with the finding that reports it or why it is not a problem. The
//! `rules` crate fills it (`rules::accounting`).

use serde::Serialize;

/// One non-zero loss counter and what the report says about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossCounter {
    /// The interface (or `cpuN`).
    pub subject: String,
    /// The counter key (README's key table, an `ethtool -S` name, or softnet `dropped`).
    pub counter: String,
    /// Its value at the latest reading (a total since the counters started).
    pub value: u64,
    /// Where that reading came from.
    pub source: String,
    /// The rule whose finding reports it.
    pub finding: Option<&'static str>,
    /// Why it is not a problem, when no finding reports it.
    pub reason: Option<String>,
}
