//! Intervals: what lies between two readings of one series (or from boot to one reading), as
//! the timeline computes them and retention merges them. Serialized as the `deltas` lists of
//! the `analyze/1` JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalKind {
    /// Between two samples of one series.
    Interval,
    /// From boot to a single sample (average since boot).
    SinceBoot,
    /// A rate reported by the source itself (sar).
    Reported,
    /// A single reading without an uptime to average over (a paste): the counters' totals
    /// since they started, over a window nobody knows. `seconds` is `null`.
    Snapshot,
}

impl IntervalKind {
    /// Measured during the capture: between two samples, or a rate the source computed.
    pub fn is_live(self) -> bool {
        matches!(self, IntervalKind::Interval | IntervalKind::Reported)
    }
}

/// One interval of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    pub kind: IntervalKind,
    /// The series: the source path without its line suffix.
    pub series: String,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Sources (with line) of the two samples (`null` start for since-boot and reported rates).
    pub start_source: Option<String>,
    pub end_source: String,
    /// Length in seconds when both ends have comparable times; `null` otherwise.
    pub seconds: Option<f64>,
    /// A counter went backwards beyond a 32-bit wrap: counters restarted, no deltas.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    /// Counters whose delta was corrected for a 32-bit wrap.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wrapped: Vec<String>,
    pub deltas: BTreeMap<String, u64>,
    /// Per second; only when `seconds` is known and positive.
    pub rates: BTreeMap<String, f64>,
    /// Raw intervals merged into this one by retention (see `retention`); 1, and then not
    /// written, for an interval between two consecutive samples.
    #[serde(skip_serializing_if = "is_one")]
    pub merged: u32,
    /// For a merged interval: per counter, the highest per-second rate of any one of the raw
    /// intervals it stands for.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub peak_rates: BTreeMap<String, f64>,
}

/// Whether a count is 1: `merged` and `represents` are written only when they are not.
pub(crate) fn is_one(n: &u32) -> bool {
    *n == 1
}

/// Per-CPU softnet deltas for one interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SoftnetCpuDelta {
    pub cpu: u32,
    pub deltas: BTreeMap<String, u64>,
    pub rates: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SoftnetInterval {
    pub kind: IntervalKind,
    pub series: String,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub start_source: Option<String>,
    pub end_source: String,
    pub seconds: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    pub cpus: Vec<SoftnetCpuDelta>,
    /// Raw intervals merged into this one by retention; 1, and then not written, normally.
    #[serde(skip_serializing_if = "is_one")]
    pub merged: u32,
}

/// Per-CPU deltas of `/proc/softirqs` or `/proc/interrupts` rows between two readings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerCpuInterval {
    pub series: String,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub start_source: String,
    pub end_source: String,
    pub seconds: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    pub cpus: Vec<u32>,
    /// Row → delta per CPU (order of `cpus`); rows and CPUs present in both readings.
    pub rows: BTreeMap<String, Vec<u64>>,
    /// Raw intervals merged into this one by retention; 1, and then not written, normally.
    #[serde(skip_serializing_if = "is_one")]
    pub merged: u32,
}

impl Interval {
    /// Highest rate of a single raw interval per counter (its own rates when not merged).
    pub fn peaks(&self) -> BTreeMap<String, f64> {
        if self.merged > 1 {
            self.peak_rates.clone()
        } else {
            self.rates.clone()
        }
    }
}

/// Where an interval sits in its series: what retention needs to merge intervals, and the
/// timeline to continue a series from the last interval retention kept.
pub trait Bounded {
    fn series(&self) -> &str;
    fn start_source(&self) -> Option<&str>;
    fn end_source(&self) -> &str;
    /// Computed between samples (as opposed to since-boot averages and sar's own rates).
    fn between_samples(&self) -> bool;
    fn seconds(&self) -> Option<f64>;
    fn reset(&self) -> bool;
}

/// `Interval` and `SoftnetInterval` carry the same bookkeeping fields.
macro_rules! bounded_with_kind {
    ($($t:ty),*) => {$(
        impl Bounded for $t {
            fn series(&self) -> &str {
                &self.series
            }
            fn start_source(&self) -> Option<&str> {
                self.start_source.as_deref()
            }
            fn end_source(&self) -> &str {
                &self.end_source
            }
            fn between_samples(&self) -> bool {
                self.kind == IntervalKind::Interval
            }
            fn seconds(&self) -> Option<f64> {
                self.seconds
            }
            fn reset(&self) -> bool {
                self.reset
            }
        }
    )*};
}

bounded_with_kind!(Interval, SoftnetInterval);

impl Bounded for PerCpuInterval {
    fn series(&self) -> &str {
        &self.series
    }
    fn start_source(&self) -> Option<&str> {
        Some(&self.start_source)
    }
    fn end_source(&self) -> &str {
        &self.end_source
    }
    fn between_samples(&self) -> bool {
        true
    }
    fn seconds(&self) -> Option<f64> {
        self.seconds
    }
    fn reset(&self) -> bool {
        self.reset
    }
}
