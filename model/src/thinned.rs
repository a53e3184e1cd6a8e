//! The record of what retention thinned (`hosts[].thinned`), and the names of the lists it
//! speaks of. Below both `retention` (which writes it) and `timeline` (which continues the
//! series it names).

use serde::Serialize;

/// One series that lost samples to retention (reported in JSON as `host.thinned`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thinned {
    /// Which list: `interfaces[eth0].samples`, `interfaces[eth0].ethtool`, `softnet`,
    /// `softirqs`, `interrupts`, `cpu`, `ipvs`, `protocol`, `conntrack`, `qdiscs[eth0 root 0:]`.
    pub list: String,
    pub series: String,
    /// Samples read but no longer listed; their intervals are merged into the kept ones.
    pub samples_dropped: u64,
}

/// The `list` name of an interface's counter samples in [`Thinned`].
pub fn samples_list(interface: &str) -> String {
    format!("interfaces[{interface}].samples")
}

/// The `list` name of an interface's `ethtool -S` readings in [`Thinned`].
pub fn ethtool_list(interface: &str) -> String {
    format!("interfaces[{interface}].ethtool")
}

/// The `list` name of a qdisc's counters in [`Thinned`]: `qdiscs[eth0 root 0:]`,
/// `qdiscs[eth0 :1 0:]`.
pub fn qdisc_list(dev: &str, parent: Option<&str>, handle: &str) -> String {
    format!("qdiscs[{dev} {} {handle}]", parent.unwrap_or("root"))
}
