//! Pure parsers for the command outputs and kernel files that support archives hold.
//!
//! Every parser takes the text of one capture (`&str`) and returns [`Parsed`]: the typed value
//! plus the [`Problem`]s met on the way. Parsers never panic and never do I/O. A line that a
//! parser does not understand becomes a problem with its 1-based line number, never a silent
//! skip. Counters are `u64`.
//!
//! Each module's doc names the layouts it accepts and shows one input → value; its fixtures
//! (real outputs, with provenance) are under `testdata/parsers/<module>/`.

pub mod bonding;
pub mod conntrack;
pub mod date;
pub mod ethtool;
pub mod hostname;
pub mod ifconfig;
pub mod interrupts;
pub mod ipjson;
pub mod iplink;
pub mod ipvsadm;
pub mod kernel_log;
pub mod lscpu;
pub mod netstat_iface;
pub mod netstat_s;
pub mod nstat;
pub mod procnetdev;
pub mod qdisc;
pub mod sar;
pub mod single_value;
pub mod snmp;
pub mod sockstat;
pub mod softnet;
pub mod ss;
pub mod supportconfig;
pub mod sysctl;
pub mod text;
pub mod top;
pub mod uname;
pub mod uptime;

#[cfg(test)]
mod test_support;

use serde::Serialize;

/// How bad a problem is: `Error` means a capture (or a part of it) could not be read at all;
/// `Warning` means one line or value was skipped or is uncertain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Something a parser could not read. `line` is 1-based within the text given to the parser
/// (0 when the problem concerns the whole text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn warning(line: usize, message: impl Into<String>) -> Self {
        Problem {
            line,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    pub fn error(line: usize, message: impl Into<String>) -> Self {
        Problem {
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }
}

/// A parser's result: the value and every problem met while reading it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed<T> {
    pub value: T,
    pub problems: Vec<Problem>,
}

impl<T> Parsed<T> {
    pub fn new(value: T, problems: Vec<Problem>) -> Self {
        Parsed { value, problems }
    }

    pub fn clean(value: T) -> Self {
        Parsed {
            value,
            problems: Vec::new(),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U> {
        Parsed {
            value: f(self.value),
            problems: self.problems,
        }
    }
}

impl<T> Parsed<Vec<T>> {
    /// The blocks a parser read (interfaces, links, frames) and its problems; when it read
    /// none from text that is not blank, an error on line 0 says what it looked for
    /// (`missing`), so prose never passes for an empty capture.
    pub fn blocks(blocks: Vec<T>, mut problems: Vec<Problem>, text: &str, missing: &str) -> Self {
        if blocks.is_empty() && !text.trim().is_empty() {
            problems.push(Problem::error(0, missing));
        }
        Parsed::new(blocks, problems)
    }
}
