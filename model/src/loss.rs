//! The loss accounting of a host (`hosts[].loss_counters`): every loss counter that is non-zero
//! in the latest reading (of an interface, a CPU's softnet row, the protocol counters, a qdisc
//! or conntrack), with the finding that reports it or why it is not a problem. The `rules`
//! crate fills it (`rules::accounting`).

use serde::Serialize;

/// One non-zero loss counter and what the report says about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossCounter {
    /// The interface, `cpuN` (softnet), or `host` (protocol and conntrack counters); a qdisc's
    /// drops are on its device.
    pub subject: String,
    /// The counter key: README's key table, an `ethtool -S` name, softnet `dropped`, an nstat
    /// name (`IpInDiscards`), `qdisc <kind> <handle> root|parent <parent> dropped`, or
    /// `conntrack <name>`.
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
