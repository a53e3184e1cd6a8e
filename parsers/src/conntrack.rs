//! `conntrack -S` and `/proc/net/stat/nf_conntrack` (protocol-layers knowledge §7).
//!
//! Three layouts, told by the lines themselves ([`ConntrackLayout`]):
//!
//! - **netlink** (`conntrack -S` with ctnetlink): one line per possible CPU,
//!   `cpu=0   \tfound=0 invalid=6914 ignore=283790 … search_restart=9916 ` (ends with a space).
//!   The key set depends on the kernel (5.4: `found invalid ignore insert insert_failed drop
//!   early_drop error search_restart`; recent: `ignore` gone, `clash_resolve` and `chaintoolong`
//!   added; older: also `searched new delete delete_list`; newer tools print unknown attributes as
//!   `unknown1…`). Keys are read by name in any order; every key is kept.
//! - **proc table** (`/proc/net/stat/nf_conntrack`): a header of names, then one row of hex
//!   numbers per possible CPU (`entries searched found new …` on 4.18; `entries clashres found new
//!   invalid ignore delete chainlength …` on 6.x, where `clashres` is `clash_resolve`,
//!   `chainlength` is `chaintoolong` and `icmp_error` is netlink's `error`). The row number is
//!   taken as the CPU.
//! - **fallback** (`conntrack -S` without ctnetlink): `name\t\tvalue` lines built from the proc
//!   table's header and its **first row only** (CPU 0), so it is not the host total;
//!   [`ConntrackStats::cpu0_only`] says so.
//!
//! [`ConntrackStats::total`] sums the CPU rows per key (values are per-CPU u32 counters, kept as
//! u64), except `entries`: in the proc table every row repeats the one global entry count, so
//! the total holds that count, not a sum. The accessors ([`ConntrackStats::drop`],
//! [`ConntrackStats::insert_failed`], …) read the total and know the proc spellings.
//!
//! Problems: a line of none of these shapes (such as conntrack's own error text), a
//! token without `=`, a value that is not a number (the pair is skipped), a CPU seen twice (the
//! later line is skipped), a proc row before the header or of another width than the header
//! (skipped), two layouts in one text; an empty text is an error on line 0.
//!
//! ```
//! use parsers::conntrack;
//! let text = "\
//! cpu=0   \tfound=0 invalid=6914 ignore=283790 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=9916
//! cpu=1   \tfound=0 invalid=30 ignore=275739 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=4151
//! ";
//! let stats = conntrack::parse(text).value;
//! assert_eq!(stats.cpus.len(), 2);
//! assert_eq!(stats.cpus[1].counters["invalid"], 30);
//! assert_eq!(stats.invalid(), Some(6944));
//! assert_eq!(stats.get("search_restart"), Some(14067));
//! assert_eq!(stats.drop(), Some(0));
//! assert_eq!(stats.clash_resolve(), None);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// Which output the text is (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConntrackLayout {
    /// `conntrack -S` through ctnetlink: `cpu=N key=value …` per CPU.
    Netlink,
    /// `/proc/net/stat/nf_conntrack`: header plus one hex row per CPU.
    ProcTable,
    /// `conntrack -S` without ctnetlink: `name value` lines for CPU 0 only.
    Fallback,
}

/// One CPU's counters, by the name the source printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConntrackCpu {
    pub cpu: u32,
    /// 1-based line of the row.
    pub line: usize,
    pub counters: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConntrackStats {
    /// The layout of the first row read; `None` when nothing was read.
    pub layout: Option<ConntrackLayout>,
    pub cpus: Vec<ConntrackCpu>,
    /// Per key: the sum over [`ConntrackStats::cpus`] (`entries`: the global count, not a sum).
    pub total: BTreeMap<String, u64>,
    /// True for the fallback layout: the numbers are CPU 0's, not the host's.
    pub cpu0_only: bool,
}

/// Names the proc table prints for a netlink counter (kernel 6.x header, §7.1).
const ALIASES: [(&str, &str); 3] = [
    ("clash_resolve", "clashres"),
    ("chaintoolong", "chainlength"),
    ("error", "icmp_error"),
];

impl ConntrackStats {
    /// The total of counter `name` (netlink spelling; the proc spelling is tried too).
    pub fn get(&self, name: &str) -> Option<u64> {
        if let Some(v) = self.total.get(name) {
            return Some(*v);
        }
        let alias = ALIASES.iter().find(|(n, _)| *n == name)?.1;
        self.total.get(alias).copied()
    }

    /// New entries that could not be created: packets dropped (table full).
    pub fn drop(&self) -> Option<u64> {
        self.get("drop")
    }

    /// Insert races/clashes whose packet was dropped.
    pub fn insert_failed(&self) -> Option<u64> {
        self.get("insert_failed")
    }

    /// Unassured entries evicted to make room (the new packet went on).
    pub fn early_drop(&self) -> Option<u64> {
        self.get("early_drop")
    }

    /// Untrackable packets (dropped only if the ruleset drops INVALID).
    pub fn invalid(&self) -> Option<u64> {
        self.get("invalid")
    }

    /// Clashes resolved with the packet kept (newer kernels).
    pub fn clash_resolve(&self) -> Option<u64> {
        self.get("clash_resolve")
    }

    /// Inserts refused because a hash chain was too long (newer kernels).
    pub fn chaintoolong(&self) -> Option<u64> {
        self.get("chaintoolong")
    }

    /// The entry count (proc table and fallback only; a gauge).
    pub fn entries(&self) -> Option<u64> {
        self.get("entries")
    }
}

/// State while reading: the proc header once seen.
#[derive(Default)]
struct Reader {
    stats: ConntrackStats,
    header: Option<Vec<String>>,
    fallback: BTreeMap<String, u64>,
    fallback_line: usize,
    problems: Vec<Problem>,
}

pub fn parse(text: &str) -> Parsed<ConntrackStats> {
    let mut r = Reader::default();
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        r.read_line(no, line);
    }
    r.finish()
}

impl Reader {
    fn read_line(&mut self, no: usize, line: &str) {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens[0].starts_with("cpu=") {
            self.netlink_row(no, &tokens);
        } else if tokens[0] == "entries" && tokens.len() > 2 && tokens.iter().all(|t| is_name(t)) {
            self.proc_header(no, &tokens);
        } else if tokens.len() > 2 && tokens.iter().all(|t| is_hex(t)) {
            self.proc_row(no, &tokens);
        } else if let [name, value] = tokens[..] {
            self.fallback_pair(no, name, value);
        } else {
            self.problems.push(Problem::warning(
                no,
                format!("not conntrack statistics: {line:?}"),
            ));
        }
    }

    /// Records `layout` for the text; a second, different one is a problem.
    fn layout(&mut self, no: usize, layout: ConntrackLayout) -> bool {
        match self.stats.layout {
            None => {
                self.stats.layout = Some(layout);
                true
            }
            Some(l) if l == layout => true,
            Some(l) => {
                self.problems.push(Problem::warning(
                    no,
                    format!("{layout:?} line in a {l:?} text; skipped"),
                ));
                false
            }
        }
    }

    fn netlink_row(&mut self, no: usize, tokens: &[&str]) {
        if !self.layout(no, ConntrackLayout::Netlink) {
            return;
        }
        let mut cpu = None;
        let mut counters = BTreeMap::new();
        for token in tokens {
            let Some((key, value)) = token.split_once('=') else {
                self.problems.push(Problem::warning(
                    no,
                    format!("{token:?}: expected key=value; skipped"),
                ));
                continue;
            };
            match (key, token_u64(value)) {
                ("cpu", Some(v)) => cpu = u32::try_from(v).ok(),
                (_, Some(v)) if !key.is_empty() => {
                    counters.insert(key.to_string(), v);
                }
                _ => self.problems.push(Problem::warning(
                    no,
                    format!("{token:?}: value is not a counter; skipped"),
                )),
            }
        }
        match cpu {
            Some(cpu) => self.push_cpu(no, cpu, counters),
            None => self
                .problems
                .push(Problem::warning(no, "no valid cpu=N; row skipped")),
        }
    }

    fn push_cpu(&mut self, no: usize, cpu: u32, counters: BTreeMap<String, u64>) {
        if let Some(first) = self.stats.cpus.iter().find(|c| c.cpu == cpu) {
            self.problems.push(Problem::warning(
                no,
                format!("CPU {cpu} already on line {}; row skipped", first.line),
            ));
            return;
        }
        self.stats.cpus.push(ConntrackCpu {
            cpu,
            line: no,
            counters,
        });
    }

    fn proc_header(&mut self, no: usize, tokens: &[&str]) {
        if !self.layout(no, ConntrackLayout::ProcTable) {
            return;
        }
        if self.header.is_some() {
            self.problems
                .push(Problem::warning(no, "second header; it replaces the first"));
        }
        self.header = Some(tokens.iter().map(|t| (*t).to_string()).collect());
    }

    fn proc_row(&mut self, no: usize, tokens: &[&str]) {
        let Some(header) = &self.header else {
            self.problems.push(Problem::warning(
                no,
                "hex row before the `entries …` header; skipped",
            ));
            return;
        };
        if header.len() != tokens.len() {
            self.problems.push(Problem::warning(
                no,
                format!(
                    "{} fields under a {}-name header; row skipped",
                    tokens.len(),
                    header.len()
                ),
            ));
            return;
        }
        let counters = header
            .iter()
            .zip(tokens)
            .filter_map(|(name, t)| Some((name.clone(), u64::from_str_radix(t, 16).ok()?)))
            .collect();
        let cpu = u32::try_from(self.stats.cpus.len()).unwrap_or(u32::MAX);
        self.push_cpu(no, cpu, counters);
    }

    fn fallback_pair(&mut self, no: usize, name: &str, value: &str) {
        let (true, Some(v)) = (is_name(name), token_u64(value)) else {
            self.problems.push(Problem::warning(
                no,
                format!("expected `name value`, found {name:?} {value:?}"),
            ));
            return;
        };
        if !self.layout(no, ConntrackLayout::Fallback) {
            return;
        }
        if self.fallback_line == 0 {
            self.fallback_line = no;
        }
        if self.fallback.insert(name.to_string(), v).is_some() {
            self.problems.push(Problem::warning(
                no,
                format!("{name} seen twice; the last wins"),
            ));
        }
    }

    fn finish(mut self) -> Parsed<ConntrackStats> {
        if self.stats.layout == Some(ConntrackLayout::Fallback) {
            let counters = std::mem::take(&mut self.fallback);
            self.push_cpu(self.fallback_line, 0, counters);
            self.stats.cpu0_only = true;
        }
        if self.stats.cpus.is_empty() {
            self.problems
                .push(Problem::error(0, "no conntrack statistics row found"));
        }
        self.stats.total = sum_rows(&self.stats.cpus);
        Parsed::new(self.stats, self.problems)
    }
}

/// Per key, the sum of the rows; `entries` is a global gauge repeated on every row, so its
/// total is the largest row value instead.
fn sum_rows(cpus: &[ConntrackCpu]) -> BTreeMap<String, u64> {
    let mut total: BTreeMap<String, u64> = BTreeMap::new();
    for cpu in cpus {
        for (key, value) in &cpu.counters {
            let slot = total.entry(key.clone()).or_insert(0);
            *slot = if key == "entries" {
                (*slot).max(*value)
            } else {
                slot.saturating_add(*value)
            };
        }
    }
    total
}

fn is_name(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphabetic())
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_hex(token: &str) -> bool {
    (1..=16).contains(&token.len()) && token.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const HOTSOS: &str = fixture!("conntrack", "hotsos-openstack-5.4.conntrack_-S");
    const RECENT: &str = fixture!("conntrack", "knowledge-recent-kernel-one-line.conntrack_-S");
    const SANDBOX: &str = fixture!("conntrack", "sandbox-6.18.44-conntrack-1.4.7.conntrack_-S");
    const FALLBACK: &str = fixture!("conntrack", "constructed-proc-fallback.conntrack_-S");
    const OLD: &str = fixture!(
        "conntrack",
        "constructed-old-kernel-unknown-keys-malformed.conntrack_-S"
    );
    const PROC_418: &str = fixture!("conntrack", "coreos-master1-4.18.0-80.stat_nf_conntrack");
    const PROC_618: &str = fixture!("conntrack", "sandbox-6.18.44.stat_nf_conntrack");

    #[test]
    fn hotsos_kernel_5_4_two_cpus_summed() {
        let p = parse(HOTSOS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.layout, Some(ConntrackLayout::Netlink));
        assert!(!s.cpu0_only);
        let cpus: Vec<u32> = s.cpus.iter().map(|c| c.cpu).collect();
        assert_eq!(cpus, vec![0, 1]);
        assert_eq!(s.cpus[0].counters["ignore"], 283_790);
        assert_eq!(s.cpus[1].counters["search_restart"], 4151);
        assert_eq!(s.get("ignore"), Some(283_790 + 275_739));
        assert_eq!(s.invalid(), Some(6944));
        assert_eq!(
            (s.drop(), s.insert_failed(), s.early_drop()),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(
            (s.clash_resolve(), s.chaintoolong(), s.entries()),
            (None, None, None)
        );
        assert_eq!(s.total.len(), 9);
    }

    #[test]
    fn recent_kernel_keys() {
        let s = parse(RECENT).value;
        assert_eq!(s.cpus.len(), 1);
        assert_eq!((s.clash_resolve(), s.chaintoolong()), (Some(0), Some(0)));
        assert_eq!(s.get("ignore"), None);
        let s = parse(SANDBOX).value;
        assert_eq!(s.cpus.len(), 2);
        assert_eq!(s.total.len(), 10);
        assert_eq!(s.get("search_restart"), Some(0));
    }

    #[test]
    fn old_kernel_keys_any_order_unknown_kept_and_malformed_rows() {
        let p = parse(OLD);
        let s = &p.value;
        let cpus: Vec<(u32, usize)> = s.cpus.iter().map(|c| (c.cpu, c.line)).collect();
        // cpu=2 kept with its one good pair; the second cpu=1 skipped
        assert_eq!(cpus, vec![(0, 1), (1, 2), (2, 3)]);
        assert_eq!(s.get("searched"), Some(200));
        assert_eq!(s.get("delete_list"), Some(34));
        assert_eq!(s.get("unknown1"), Some(9));
        assert_eq!(s.cpus[2].counters["drop"], 4_294_967_295);
        assert_eq!(s.drop(), Some(4 + 6 + 4_294_967_295));
        assert_eq!(s.insert_failed(), Some(3));
        assert_eq!(s.get("error"), Some(1));
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 3: found=x, insert_failed without =; 4: duplicate CPU; 5: conntrack's error text
        assert_eq!(lines, vec![3, 3, 4, 5]);
    }

    #[test]
    fn fallback_is_cpu0_only() {
        let p = parse(FALLBACK);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.layout, Some(ConntrackLayout::Fallback));
        assert!(s.cpu0_only);
        assert_eq!(s.cpus.len(), 1);
        assert_eq!(s.entries(), Some(858));
        assert_eq!(s.get("ignore"), Some(80427));
        assert_eq!(s.get("search_restart"), Some(398));
        // `error` is read through its proc name `icmp_error`
        assert_eq!(s.get("error"), Some(0));
    }

    #[test]
    fn proc_table_4_18_hex_rows() {
        let p = parse(PROC_418);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.layout, Some(ConntrackLayout::ProcTable));
        assert_eq!(s.cpus.len(), 2);
        // 0000035a = 858 on both rows: the global count, not summed
        assert_eq!(s.entries(), Some(858));
        // 00013a2b = 80427, 0001430b = 82699
        assert_eq!(s.get("ignore"), Some(80427 + 82699));
        // 00000004 + 00000003
        assert_eq!(s.invalid(), Some(7));
        // 0000018e = 398, 000001c8 = 456
        assert_eq!(s.get("search_restart"), Some(854));
        assert_eq!(s.get("searched"), Some(0));
        assert_eq!(s.get("error"), Some(0));
    }

    #[test]
    fn proc_table_6_18_new_names_through_aliases() {
        let p = parse(PROC_618);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.cpus.len(), 2);
        assert_eq!(s.clash_resolve(), Some(0));
        assert_eq!(s.chaintoolong(), Some(0));
        assert_eq!(s.total.len(), 17);
    }

    #[test]
    fn proc_rows_need_a_header_of_the_same_width() {
        let p = parse(
            "00000001 00000002 00000003\nentries found drop\n1 2\n0000000a 0000000b 0000000c\n",
        );
        assert_eq!(p.value.cpus.len(), 1);
        assert_eq!(p.value.drop(), Some(12));
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![1, 3]);
    }

    #[test]
    fn empty_text_is_an_error() {
        let p = parse("\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 0);
        assert!(p.value.layout.is_none());
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("conntrack"), parse);
    }
}
