//! `analyze`: where were packets lost, and what to change. See ARCHITECTURE.md for the pipeline:
//! Source → Classify → Parse → Timeline → Rules → Report.

pub mod assemble;
pub mod batch;
pub mod batch_index;
pub mod capture;
pub mod charts;
pub mod classify;
pub mod pipeline;
pub mod report;
pub mod sniff;
pub mod source;
pub mod view;
