//! The diagnostic rules: the catalog of rules over a host's timeline, what they infer before
//! they run, how they weigh evidence, and the accounting of every loss counter after.
//!
//! The host model, the timeline and retention live in the `model` crate, below this one
//! (`parsers` → `model` → `rules` → the `analyze` binary). [`model`], [`timeline`],
//! [`retention`] and [`finding`] re-export them under the paths they had when they lived here,
//! so that the catalog and the binary name them as before.

pub mod accounting;
pub mod catalog;
pub mod evidence;
pub mod finding;
pub mod infer;
pub mod path;
pub mod thresholds;

/// The host model (the `analyze/1` JSON schema), from the `model` crate.
pub mod model {
    pub use ::model::host::*;
    pub use ::model::interval::{Interval, IntervalKind, PerCpuInterval, SoftnetInterval};
    pub use ::model::report::*;
    pub use ::model::sample::*;
    pub use ::model::stack::*;
    pub use ::model::time::*;
}

/// The timeline (intervals with deltas and rates), from the `model` crate.
pub mod timeline {
    pub use ::model::delta::{difference, movement, seconds_between, series_of, Movement};
    pub use ::model::interval::{
        Interval, IntervalKind, PerCpuInterval, SoftnetCpuDelta, SoftnetInterval,
    };
    pub use ::model::timeline::*;
}

/// Retention (bounding long series), from the `model` crate.
pub mod retention {
    pub use ::model::delta::tail_start;
    pub use ::model::interval::Bounded;
    pub use ::model::retention::*;
    pub use ::model::thinned::*;
}

#[cfg(test)]
mod test_support;
