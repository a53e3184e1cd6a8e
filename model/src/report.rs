//! The whole result of one run (`--format json`): the inputs read, the hosts found in them, and
//! what could not be read. These types serialize to the public `analyze/1` JSON schema
//! (documented in README.md). Fields may be added; existing ones keep their names and meaning.

use serde::Serialize;

use crate::host::Host;

/// The schema identifier written at the top of every JSON report.
pub const SCHEMA: &str = "analyze/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemSeverity {
    Error,
    Warning,
}

/// Something that could not be read, with where it was met.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProblemRecord {
    /// The input path, or `input!path/inside/archive` for an entry of an archive.
    pub source: String,
    /// 1-based line within the entry; `null` when the problem concerns the whole entry.
    pub line: Option<usize>,
    pub severity: ProblemSeverity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    Sosreport,
    Supportconfig,
    Capture,
    Directory,
    SosCollect,
    /// A tarball without a sosreport/supportconfig root: an archive of loose captures.
    Archive,
}

/// One path given on the command line (or one archive nested in a `sos collect` bundle).
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub kind: InputKind,
    /// Archive entries (or directory entries, or 1 for a single file) seen while reading.
    pub entries_read: u64,
    /// Captures recognised and handed to a parser.
    pub captures_parsed: u64,
    /// Set when the input could not be read to its end (corrupt or truncated archive).
    pub error: Option<String>,
}

/// The whole result of one run: what `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// Version of the tool that wrote the report.
    pub tool_version: &'static str,
    pub inputs: Vec<InputInfo>,
    pub hosts: Vec<Host>,
    pub problems: Vec<ProblemRecord>,
}
