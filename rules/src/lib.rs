//! Host model, timeline and diagnostic rules.
//!
//! `model` holds what is known about each host (the `analyze/1` JSON schema). The timeline
//! (deltas, rates) and the rule catalog build on it in later stages.

pub mod accounting;
pub mod catalog;
pub mod evidence;
pub mod finding;
pub mod infer;
pub mod model;
pub mod retention;
pub mod thresholds;
pub mod timeline;

#[cfg(test)]
mod test_support;
