//! The host model: what `analyze` knows about each machine (the `analyze/1` JSON schema), the
//! samples read from its captures, and the timeline computed from them (intervals with deltas
//! and rates, bounded by retention).
//!
//! Data flows one way through the workspace: `parsers` → `model` → `rules` → the `analyze`
//! binary, which assembles the parsers' results into this model and renders it. This crate
//! depends on neither `parsers` nor `rules`: the findings and loss accounting the rules write
//! are plain records here, and `rules` re-exports these modules under its old paths.
//!
//! Its modules are layers, each importing only modules of lower layers (`tests/layers.rs`
//! checks it):
//!
//! 1. [`time`]: timestamps as captures print them.
//! 2. [`interval`]: what lies between two readings of a series.
//! 3. [`finding`], [`loss`], [`thinned`], [`sample`]: the records a host holds.
//! 4. [`stack`]: the layers above the NIC; [`delta`]: the intervals of one series; [`path`]:
//!    the packet path's stages.
//! 5. [`host`]: the host and its interfaces.
//! 6. [`report`]: the whole result of a run; [`retention`]: bounding long series.
//! 7. [`timeline`]: the intervals of every series of a host, continuing what retention kept.

pub mod delta;
pub mod finding;
pub mod host;
pub mod interval;
pub mod loss;
pub mod path;
pub mod report;
pub mod retention;
pub mod sample;
pub mod stack;
#[doc(hidden)]
pub mod test_series;
pub mod thinned;
pub mod time;
pub mod timeline;
