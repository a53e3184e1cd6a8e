//! `lscpu`.
//!
//! Two layouts (util-linux):
//! * flat `Key:   value` lines (always when stdout is not a terminal, and before 2.37);
//! * the hierarchical layout of util-linux ≥ 2.37 on a terminal: section headings at column 0
//!   (`Vendor ID: GenuineIntel`, `Caches (sum of all):`, `NUMA:`, `Vulnerabilities:`), their
//!   keys indented by 2 or 4 spaces. On a narrow terminal long values (`Flags:`) wrap onto lines
//!   indented to the value column; those are joined back exactly.
//!
//! `fields` maps every key (trimmed, first occurrence wins) to its trimmed value, using the flat
//! layout's names: keys under `Caches (sum of all):` get ` cache` appended (`L1d` → `L1d cache`),
//! keys under `Vulnerabilities:` get `Vulnerability ` prepended. Headings without a value are
//! not in `fields`. `entries` keeps every line as printed, with its section.
//!
//! ```
//! use parsers::lscpu;
//! let text = "\
//! CPU(s):                4
//! On-line CPU(s) list:   0-3
//! Model name:            Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
//! Hypervisor vendor:     KVM
//! ";
//! let cpu = lscpu::parse(text).value;
//! assert_eq!(cpu.cpus, Some(4));
//! assert_eq!(cpu.online.as_deref(), Some("0-3"));
//! assert_eq!(cpu.model_name.as_deref(), Some("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"));
//! assert_eq!(cpu.hypervisor_vendor.as_deref(), Some("KVM"));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lscpu {
    pub cpus: Option<u32>,
    pub online: Option<String>,
    pub model_name: Option<String>,
    pub hypervisor_vendor: Option<String>,
    pub fields: BTreeMap<String, String>,
    /// `Off-line CPU(s) list:` when printed (some CPUs offline).
    pub offline: Option<String>,
    /// Every `key: value` line in order, as printed (wrapped values joined).
    pub entries: Vec<LscpuEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LscpuEntry {
    /// 1-based line of the key.
    pub line: usize,
    /// The column-0 heading this key is indented under (hierarchical layout), if any.
    pub section: Option<String>,
    pub key: String,
    pub value: String,
}

pub fn parse(text: &str) -> Parsed<Lscpu> {
    let mut problems = Vec::new();
    let entries = read_entries(text, &mut problems);
    let mut out = Lscpu {
        fields: fields_of(&entries),
        ..Lscpu::default()
    };
    let get = |k: &str| out.fields.get(k).cloned();
    out.online = get("On-line CPU(s) list");
    out.offline = get("Off-line CPU(s) list");
    out.model_name = get("Model name");
    out.hypervisor_vendor = get("Hypervisor vendor");
    if let Some(v) = out.fields.get("CPU(s)") {
        out.cpus = v.parse().ok();
        if out.cpus.is_none() {
            let line = entries
                .iter()
                .find(|e| e.key == "CPU(s)")
                .map_or(0, |e| e.line);
            problems.push(Problem::warning(
                line,
                format!("CPU(s) is not a number: {v:?}"),
            ));
        }
    }
    if entries.is_empty() {
        problems.push(Problem::error(0, "no `Key: value` line found"));
    }
    out.entries = entries;
    Parsed::new(out, problems)
}

/// Every `Key: value` line, with its section (the last unindented key, for indented keys) and
/// its wrapped continuation lines appended; values trimmed at the end.
fn read_entries(text: &str, problems: &mut Vec<Problem>) -> Vec<LscpuEntry> {
    let mut entries: Vec<LscpuEntry> = Vec::new();
    // Byte column where the value of the last key line starts (for wrapped continuations).
    let mut value_col: Option<usize> = None;
    let mut section: Option<String> = None;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let (Some(col), Some(last)) = (value_col, entries.last_mut()) {
            if indent >= col && col > 0 {
                append_continuation(&mut last.value, line, col);
                continue;
            }
        }
        let Some((key_part, value_part)) = line.split_once(':') else {
            problems.push(Problem::warning(
                no,
                format!("expected `Key: value`, found {:?}", line.trim()),
            ));
            value_col = None;
            continue;
        };
        let key = key_part.trim();
        if key.is_empty() {
            problems.push(Problem::warning(
                no,
                format!("empty key in {:?}", line.trim()),
            ));
            value_col = None;
            continue;
        }
        let value = value_part.trim_start();
        let leading = value_part.len() - value.len();
        value_col = if value.trim().is_empty() {
            None
        } else {
            Some(key_part.len() + 1 + leading)
        };
        let entry_section = if indent == 0 {
            section = Some(key.to_string());
            None
        } else {
            section.clone()
        };
        entries.push(LscpuEntry {
            line: no,
            section: entry_section,
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    for e in &mut entries {
        e.value = e.value.trim_end().to_string();
    }
    entries
}

/// Appends a wrapped continuation `line` whose value part starts at byte `col`.
fn append_continuation(value: &mut String, line: &str, col: usize) {
    match line.get(col..) {
        // Wrapping cuts at a fixed width: a chunk may start or end with a blank that belongs to
        // the value, so it is appended as is.
        Some(chunk) => value.push_str(chunk),
        None => {
            value.push(' ');
            value.push_str(line.trim());
        }
    }
}

/// The entries by name, the first of a name winning; headings (`Caches (sum of all):`) left
/// out, and cache and vulnerability keys named in full (`L1d` under `Caches` → `L1d cache`).
fn fields_of(entries: &[LscpuEntry]) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for e in entries {
        let value = e.value.trim().to_string();
        if value.is_empty() && e.section.is_none() {
            continue; // a heading (`Caches (sum of all):`)
        }
        let name = match e.section.as_deref() {
            Some(s) if s.starts_with("Caches") && !e.key.ends_with("cache") => {
                format!("{} cache", e.key)
            }
            Some("Vulnerabilities") if !e.key.starts_with("Vulnerability") => {
                format!("Vulnerability {}", e.key)
            }
            _ => e.key.clone(),
        };
        fields.entry(name).or_insert(value);
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("lscpu", "coreos-master1.lscpu");
    const FLAT: &str = fixture!("lscpu", "sandbox-flat.lscpu");
    const HIER: &str = fixture!("lscpu", "sandbox-hierarchic.lscpu");
    const HIER80: &str = fixture!("lscpu", "sandbox-hierarchic-80cols-crlf.lscpu");

    fn f<'a>(l: &'a Lscpu, k: &str) -> Option<&'a str> {
        l.fields.get(k).map(String::as_str)
    }

    #[test]
    fn coreos_rhel8() {
        let p = parse(COREOS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let l = &p.value;
        assert_eq!(l.cpus, Some(2));
        assert_eq!(l.online.as_deref(), Some("0,1"));
        assert_eq!(l.offline, None);
        assert_eq!(
            l.model_name.as_deref(),
            Some("Intel(R) Xeon(R) W-2155 CPU @ 3.30GHz")
        );
        assert_eq!(l.hypervisor_vendor.as_deref(), Some("Microsoft"));
        assert_eq!(f(l, "L3 cache"), Some("14080K"));
        assert_eq!(f(l, "CPU MHz"), Some("3311.999"));
        assert_eq!(l.entries.len(), 24); // 24 lines in the file
    }

    #[test]
    fn sandbox_flat_and_hierarchic_agree() {
        let flat = parse(FLAT);
        assert!(flat.problems.is_empty(), "{:?}", flat.problems);
        let l = &flat.value;
        assert_eq!(l.cpus, Some(2));
        assert_eq!(l.online.as_deref(), Some("0,1"));
        assert_eq!(l.model_name.as_deref(), Some("Intel(R) Xeon(R) Processor"));
        assert_eq!(l.hypervisor_vendor.as_deref(), Some("KVM"));
        assert_eq!(f(l, "L2 cache"), Some("4 MiB (2 instances)"));
        assert_eq!(
            f(l, "Vulnerability Retbleed"),
            Some("Mitigation; Enhanced IBRS")
        );
        let flags = f(l, "Flags").unwrap_or("");
        assert!(flags.starts_with("fpu vme de pse tsc"));
        assert!(flags.ends_with("flush_l1d arch_capabilities"));

        for text in [HIER, HIER80] {
            let h = parse(text);
            assert!(h.problems.is_empty(), "{:?}", h.problems);
            assert_eq!(h.value.fields, flat.value.fields);
            assert_eq!(h.value.cpus, Some(2));
            let model = h.value.entries.iter().find(|e| e.key == "Model name");
            assert_eq!(model.and_then(|e| e.section.as_deref()), Some("Vendor ID"));
        }
    }

    #[test]
    fn constructed() {
        let text =
            "CPU(s):  8\nOn-line CPU(s) list: 0-5\nOff-line CPU(s) list: 6,7\nnonsense line\n:x\n\
                    Model name: A\nModel name: B\n";
        let p = parse(text);
        assert_eq!(p.value.cpus, Some(8));
        assert_eq!(p.value.offline.as_deref(), Some("6,7"));
        assert_eq!(p.value.model_name.as_deref(), Some("A"));
        assert_eq!(p.value.entries.len(), 5);
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![4, 5]);
        let p = parse("CPU(s): many\n");
        assert_eq!(p.value.cpus, None);
        assert_eq!(p.problems.len(), 1);
        let p = parse("");
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for g in [
            "",
            ":",
            "::",
            " : ",
            "a:",
            "      x",
            "年:年",
            "\u{0}:",
            "a: b\n                    c",
        ] {
            let _ = parse(g);
        }
        for text in [COREOS, FLAT, HIER, HIER80] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("lscpu"), parse);
    }
}
