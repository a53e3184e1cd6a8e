//! `analyze`: where were packets lost, and what to change. [`pipeline`] shows the stages
//! top-down (ARCHITECTURE.md explains each):
//!
//! [`ingest`] (open inputs, find captures, classify them) → [`assemble`] (parse them into
//! hosts, merge the hosts) → timeline and rules (the `rules` crate) → [`render`] (HTML,
//! Markdown, JSON). [`batch`] runs the pipeline over a directory of tickets.

pub mod assemble;
pub mod batch;
pub mod damage;
pub mod ingest;
pub mod kinds;
pub mod pipeline;
pub mod render;
