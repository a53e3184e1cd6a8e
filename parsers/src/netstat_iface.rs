//! `netstat -i` / `netstat -in` / `netstat -ia` and `ifconfig -s` (net-tools; both print the
//! table with `ife_print_short()` in `lib/interface.c`), knowledge §3.1.
//!
//! ```text
//! Kernel Interface table
//! Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg
//! eth0             1400     1198      0      0 0           704      0      0      0 BMRU
//! ```
//!
//! Two layouts: net-tools 1.60 prints a `Met` (metric) column after `MTU`; net-tools 2.x
//! (CentOS 7's 2.0 snapshot, 2.10) does not. `RX-OVR` is printed left-aligned (`%-6lu`), so its
//! value sits right after `RX-DRP`'s; values are tokenized on whitespace and mapped by the
//! header words, never by position. The header is sometimes `Flags` instead of `Flg` (old
//! books, some builds). Busybox has no `netstat -i`.
//!
//! The counters are the kernel's, read by net-tools from `/proc/net/dev`
//! (`get_dev_fields()`), so the columns map to the README counter keys like /proc/net/dev's:
//!
//! | column | key | kernel value |
//! |---|---|---|
//! | `RX-OK` | `rx_packets` | rx_packets |
//! | `RX-ERR` | `rx_errors` (layout with `Met`) / `netstat_rx_err` (without) | rx_errors; since net-tools 2.10 (commit 6cd5159, 2021) plus the /proc `frame` aggregate, and a table without `Met` may come from either side of that change |
//! | `RX-DRP` | `proc_rx_drop` | rx_dropped + rx_missed_errors (/proc `drop`) |
//! | `RX-OVR` | `rx_fifo_errors` | rx_fifo_errors (/proc `fifo`) |
//! | `TX-OK` | `tx_packets` | tx_packets |
//! | `TX-ERR` | `tx_errors` | tx_errors |
//! | `TX-DRP` | `tx_dropped` | tx_dropped |
//! | `TX-OVR` | `tx_fifo_errors` | tx_fifo_errors |
//!
//! `MTU` is kept as the MTU, `Met` is read and not kept, `Flg` is kept verbatim (one letter
//! per flag: `B` broadcast, `L` loopback, `M` multicast, `O` noarp, `P` promisc or
//! point-to-point, `R` running, `U` up, `s` slave, `m` master, …).
//!
//! Problems (never a silent skip; blank lines are ignored): a line before the header (a
//! prompt), a header word that is not known (its values are left out), a header cut at the
//! terminal width (the cut word is dropped), a row with fewer values than the header (the
//! first ones are read and the cut is reported: a table cut at 80 columns), a row with more
//! values or a value that is not a decimal `u64` (its counters are left out). Rows printed as
//! `- no statistics available -` are kept without counters and without a problem.
//!
//! ```
//! use parsers::netstat_iface;
//! let text = "\
//! Kernel Interface table
//! Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg
//! eth0      1500      100      0      3 0            50      0      0      0 BMRU
//! ";
//! let rows = netstat_iface::parse(text).value;
//! assert_eq!(rows[0].name, "eth0");
//! assert_eq!(rows[0].mtu, Some(1500));
//! assert_eq!(rows[0].flags.as_deref(), Some("BMRU"));
//! assert_eq!(rows[0].counters["rx_packets"], 100);
//! assert_eq!(rows[0].counters["proc_rx_drop"], 3); // the /proc/net/dev drop column
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One row of the table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NetstatIface {
    pub name: String,
    pub mtu: Option<u64>,
    /// The `Flg` letters as printed (`BMRU`), or `[NO FLAGS]`.
    pub flags: Option<String>,
    /// Keyed as in the module doc.
    pub counters: BTreeMap<String, u64>,
    /// 1-based line of the row.
    pub line: usize,
}

impl NetstatIface {
    /// The usage flags the letters stand for (`s` slave, `m` master), as `ip` names them.
    pub fn usage_flags(&self) -> Vec<String> {
        let f = self.flags.as_deref().unwrap_or("");
        let mut out = Vec::new();
        if f.contains('s') {
            out.push("SLAVE".to_string());
        }
        if f.contains('m') {
            out.push("MASTER".to_string());
        }
        out
    }
}

/// What a header column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Mtu,
    Metric,
    Counter(&'static str),
    Unknown,
}

const WORDS: [&str; 12] = [
    "Iface", "MTU", "Met", "RX-OK", "RX-ERR", "RX-DRP", "RX-OVR", "TX-OK", "TX-ERR", "TX-DRP",
    "TX-OVR", "Flg",
];

fn column(word: &str, with_met: bool) -> Column {
    match word {
        "MTU" => Column::Mtu,
        "Met" => Column::Metric,
        "RX-OK" => Column::Counter("rx_packets"),
        "RX-ERR" if with_met => Column::Counter("rx_errors"),
        "RX-ERR" => Column::Counter("netstat_rx_err"),
        "RX-DRP" => Column::Counter("proc_rx_drop"),
        "RX-OVR" => Column::Counter("rx_fifo_errors"),
        "TX-OK" => Column::Counter("tx_packets"),
        "TX-ERR" => Column::Counter("tx_errors"),
        "TX-DRP" => Column::Counter("tx_dropped"),
        "TX-OVR" => Column::Counter("tx_fifo_errors"),
        _ => Column::Unknown,
    }
}

/// The column header line: `Iface MTU [Met] RX-OK … [Flg|Flags]`.
pub fn is_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("Iface") && t.contains("RX-OK")
}

struct Header {
    columns: Vec<Column>,
    flags: bool,
    cut: bool,
}

fn read_header(n: usize, line: &str, problems: &mut Vec<Problem>) -> Header {
    let words: Vec<&str> = line.split_whitespace().skip(1).collect();
    let with_met = words.contains(&"Met");
    let mut h = Header {
        columns: Vec::new(),
        flags: false,
        cut: false,
    };
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, "Flg" | "Flags") {
            h.flags = true;
            continue;
        }
        let c = column(w, with_met);
        if c == Column::Unknown {
            let last = i + 1 == words.len();
            if last && WORDS.iter().any(|k| k.starts_with(w)) {
                h.cut = true;
                problems.push(Problem::warning(
                    n,
                    format!(
                        "header cut at `{w}` (terminal width?); the columns after it are not read"
                    ),
                ));
                continue;
            }
            problems.push(Problem::warning(
                n,
                format!("unknown column `{w}` in the `Iface` header; its values are left out"),
            ));
        }
        h.columns.push(c);
    }
    h
}

/// Parses `netstat -i` / `ifconfig -s` text.
pub fn parse(text: &str) -> Parsed<Vec<NetstatIface>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut header: Option<Header> = None;
    let mut cut_rows: Option<(usize, usize)> = None;
    for (n, line) in numbered_lines(text) {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t == "Kernel Interface table" {
            continue;
        }
        if is_header(t) {
            header = Some(read_header(n, t, &mut problems));
            continue;
        }
        let Some(h) = &header else {
            problems.push(Problem::warning(
                n,
                "line before the `Iface MTU … RX-OK …` header; not read",
            ));
            continue;
        };
        rows.push(read_row(n, t, h, &mut problems, &mut cut_rows));
    }
    if let Some((count, first)) = cut_rows {
        problems.push(Problem::warning(
            first,
            format!(
                "{count} row(s) have fewer values than the header (cut at the terminal width?); the first values were read by the header's order"
            ),
        ));
    }
    if rows.is_empty() && text.lines().any(|l| !l.trim().is_empty()) {
        problems.push(Problem::error(
            0,
            "no interface row found in the `netstat -i` table",
        ));
    }
    Parsed::new(rows, problems)
}

/// The row on line `n` (trimmed `t`) under header `h`; values that do not fit the header are
/// reported and leave the counters out; a row with fewer values is counted in `cut_rows`.
fn read_row(
    n: usize,
    t: &str,
    h: &Header,
    problems: &mut Vec<Problem>,
    cut_rows: &mut Option<(usize, usize)>,
) -> NetstatIface {
    let mut toks: Vec<&str> = t.split_whitespace().collect();
    let name = toks.remove(0).to_string();
    let mut row = NetstatIface {
        name,
        line: n,
        ..NetstatIface::default()
    };
    if t.contains("no statistics available") {
        row.mtu = toks.first().and_then(|v| token_u64(v));
        if h.flags {
            row.flags = t
                .rsplit('-')
                .next()
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string);
        }
        return row;
    }
    row.flags = take_flags(&mut toks, h);
    if let Some(bad) = toks.iter().find(|v| token_u64(v).is_none()) {
        problems.push(Problem::warning(
            n,
            format!(
                "interface `{}`: value `{bad}` is not a decimal u64; counters left out",
                row.name
            ),
        ));
        return row;
    }
    let expected = h.columns.len();
    if toks.len() > expected && !h.cut {
        problems.push(Problem::warning(
            n,
            format!(
                "interface `{}`: {} values but the header has {expected} columns; counters left out",
                row.name,
                toks.len()
            ),
        ));
        return row;
    }
    if toks.len() < expected {
        match cut_rows {
            Some((count, _)) => *count += 1,
            None => *cut_rows = Some((1, n)),
        }
    }
    fill_columns(&mut row, &h.columns, &toks);
    row
}

/// The MTU and counters of a row from its values, by the header's column order.
fn fill_columns(row: &mut NetstatIface, columns: &[Column], toks: &[&str]) {
    for (c, v) in columns.iter().zip(toks) {
        let Some(v) = token_u64(v) else { continue };
        match c {
            Column::Mtu => row.mtu = Some(v),
            Column::Counter(k) => {
                row.counters.insert((*k).to_string(), v);
            }
            Column::Metric | Column::Unknown => {}
        }
    }
}

/// Takes the flags off the end of a row's tokens: `[NO FLAGS]`, or a last all-letters token
/// when the header has a `Flg` column.
fn take_flags(toks: &mut Vec<&str>, h: &Header) -> Option<String> {
    if toks.ends_with(&["[NO", "FLAGS]"]) {
        toks.truncate(toks.len() - 2);
        Some("[NO FLAGS]".into())
    } else if h.flags
        && toks
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        toks.pop().map(str::to_string)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::{assert_counters, fixture, fixtures, never_panics, random_texts};

    const SANDBOX_NETSTAT: &str =
        fixture!("netstat_iface", "sandbox-net-tools-2.10-netstat-ia.txt");
    const SANDBOX_IFCONFIG: &str =
        fixture!("netstat_iface", "sandbox-net-tools-2.10-ifconfig-s-a.txt");
    const PERFSONAR: &str = fixture!("netstat_iface", "issue-perfsonar-1085-netstat-i-met.txt");
    const CENTOS7: &str = fixture!("netstat_iface", "issue-bwm-ng-5-centos7-netstat-i.txt");
    const DD_AGENT: &str = fixture!("netstat_iface", "issue-dd-agent-389-netstat-i-met.txt");
    const NAG: &str = fixture!("netstat_iface", "literal-nag-1996-netstat-i-cut-80.txt");

    fn row<'a>(rows: &'a [NetstatIface], name: &str) -> &'a NetstatIface {
        rows.iter().find(|r| r.name == name).expect(name)
    }

    fn c(r: &NetstatIface, k: &str) -> u64 {
        *r.counters
            .get(k)
            .unwrap_or_else(|| panic!("{} lacks {k}", r.name))
    }

    #[test]
    fn sandbox_net_tools_2_10_without_met() {
        for text in [SANDBOX_NETSTAT, SANDBOX_IFCONFIG] {
            let p = parse(text);
            assert!(p.problems.is_empty(), "{:?}", p.problems);
            let names: Vec<&str> = p.value.iter().map(|r| r.name.as_str()).collect();
            assert_eq!(names, ["eth0", "ifb0", "ifb1", "lo"]);
            // `eth0             1400     1198      0      0 0           704      0      0      0 BMRU`
            let e = row(&p.value, "eth0");
            assert_eq!(e.mtu, Some(1400));
            assert_eq!(c(e, "rx_packets"), 1198);
            assert_eq!(c(e, "netstat_rx_err"), 0);
            assert!(!e.counters.contains_key("rx_errors"));
            assert_counters(
                &e.name,
                &e.counters,
                &[
                    ("proc_rx_drop", 0),
                    ("rx_fifo_errors", 0),
                    ("tx_packets", 704),
                ],
            );
            assert_eq!(e.flags.as_deref(), Some("BMRU"));
            assert_eq!(row(&p.value, "lo").mtu, Some(65536));
        }
    }

    #[test]
    fn real_met_layout_with_wide_values() {
        let p = parse(PERFSONAR);
        // Line 1 is the prompt `$ netstat -i`.
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1]);
        // `p1p1       9000   0 13163291510      0      0      0        0 …`: the wide value
        // shifts the rest; tokens still map by the header.
        let r = row(&p.value, "p1p1");
        assert_eq!(r.mtu, Some(9000));
        assert_counters(
            &r.name,
            &r.counters,
            &[
                ("rx_packets", 13163291510),
                ("rx_errors", 0),
                ("tx_packets", 0),
            ],
        );
        assert_eq!(c(row(&p.value, "em1"), "tx_packets"), 134309606);
        let d = parse(DD_AGENT);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(c(row(&d.value, "lo"), "rx_packets"), 11366528432);
        assert_eq!(c(row(&d.value, "ham0"), "tx_packets"), 505606);
    }

    #[test]
    fn real_centos7_rx_drp_and_left_aligned_ovr() {
        let p = parse(CENTOS7);
        assert_eq!(p.problems.len(), 1); // the `netstat -i` line
                                         // `eno1      1500 49629382      0      8 0      47076697      0      0      0 BMRU`
        let e = row(&p.value, "eno1");
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("proc_rx_drop", 8),
                ("rx_fifo_errors", 0),
                ("tx_packets", 47076697),
            ],
        );
        assert_eq!(row(&p.value, "tun0").flags.as_deref(), Some("MOPRU"));
    }

    #[test]
    fn literal_table_cut_at_80_columns() {
        let p = parse(NAG);
        // `eth0   1500   0 972633     17     20    120 628711    217      0` under a header
        // cut at `TX-`: TX-OVR and the flags are gone.
        let e = row(&p.value, "eth0");
        assert_counters(
            &e.name,
            &e.counters,
            &[
                ("rx_packets", 972633),
                ("rx_errors", 17),
                ("proc_rx_drop", 20),
                ("rx_fifo_errors", 120),
                ("tx_packets", 628711),
                ("tx_errors", 217),
                ("tx_dropped", 0),
            ],
        );
        assert!(!e.counters.contains_key("tx_fifo_errors"));
        assert!(p
            .problems
            .iter()
            .any(|p| p.message.contains("cut at `TX-`")));
    }

    #[test]
    fn constructed_no_statistics_no_flags_and_cut_rows() {
        // Synthetic, from the net-tools format strings.
        let text = "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n\
                    dummy0    1500      - no statistics available -                        BO\n\
                    bond0     1500      10      0      2 3            20      0      0      0 BMmRU\n\
                    eth1      1500      10      0      2 3            20      0      0      0 [NO FLAGS]\n\
                    eth2      1500      10      0      2\n";
        let p = parse(text);
        let d = row(&p.value, "dummy0");
        assert_eq!(d.mtu, Some(1500));
        assert!(d.counters.is_empty());
        assert_eq!(d.flags.as_deref(), Some("BO"));
        assert_eq!(row(&p.value, "bond0").usage_flags(), ["MASTER"]);
        assert_eq!(row(&p.value, "eth1").flags.as_deref(), Some("[NO FLAGS]"));
        let e2 = row(&p.value, "eth2");
        assert_eq!(c(e2, "proc_rx_drop"), 2);
        assert!(!e2.counters.contains_key("rx_fifo_errors"));
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 5);
    }

    #[test]
    fn garbage_and_empty() {
        assert!(parse("").value.is_empty());
        assert!(parse("").problems.is_empty());
        let p = parse("hello\n");
        assert_eq!(p.problems.last().unwrap().severity, crate::Severity::Error);
        let p = parse("Iface MTU RX-OK TX-OK Flg\neth0 x 1 2 BMRU\n");
        assert!(p.value[0].counters.is_empty());
    }

    #[test]
    fn never_panics_on_prefixes_and_bytes() {
        let alphabet = b"Iface MTU RX-OK-ERR\n 0123456789[]Flg:-";
        random_texts(0x2545_f491_4f6c_dd1d, 2000, 200, alphabet, |t| {
            let _ = parse(t);
        });
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("netstat_iface"), parse);
    }
}
