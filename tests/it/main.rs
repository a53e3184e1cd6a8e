//! The integration tests of the `analyze` binary crate, in one test binary (one link, one
//! process start per `cargo test`, and helpers shared through `util` without each file
//! compiling its own copy). Run one module with `cargo test --test it -- MODULE::`.
//!
//! The `#[ignore]`d tests need optional tools (`browser::` needs Chromium, `sos_live::` needs
//! sos and root); `.ci/run` runs them with `cargo test --release --test it -- --ignored
//! browser::` and `… sos_live::`.

mod util;

mod accounting;
mod batch;
mod browser;
mod capture_script;
mod corpus;
mod escaping;
mod exits;
mod hostile;
mod hosts;
mod kernel_logs;
mod layouts;
mod markdown;
mod paste;
mod path;
mod provenance;
mod scale;
mod scenarios;
mod seeds;
mod sos_live;
mod summary;
mod timeline;
mod zip;
