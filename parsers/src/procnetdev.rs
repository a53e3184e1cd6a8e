//! `/proc/net/dev` (knowledge §4).
//!
//! The file has two header lines, then one row per device:
//!
//! ```text
//! Inter-|   Receive                                                |  Transmit
//!  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
//!     lo: 15201392  162426    0    0    0     0          0         0 15201392  162426    0    0    0     0       0          0
//! ```
//!
//! Columns are taken from the second header line, split at `|` into the RX group and the TX
//! group, so the old layouts work as well as the standard 16 columns:
//! Linux 2.0 (`packets errs drop fifo frame|packets errs drop fifo colls carrier`, no bytes),
//! Linux 2.1/2.2 (bytes, no `compressed`/`multicast`) and all later kernels.
//! Each row is split at the **first** `:` (device names cannot contain `:`), so the old
//! `"%6s:%8lu"` rows with the number glued to the colon (`  eth0:3492834266 …`) parse too.
//! Values are tokenized on whitespace, never sliced by column position.
//!
//! Counter keys (`ProcNetDevRow::counters`). A key is the `struct rtnl_link_stats64` field name
//! where the column is exactly that field, and a `proc_*` name where the kernel folds several
//! fields into one column (`dev_seq_printf_stats()` in `net/core/net-procfs.c`):
//!
//! | group | header word | key | kernel value |
//! |---|---|---|---|
//! | RX | `bytes` | `rx_bytes` | rx_bytes |
//! | RX | `packets` | `rx_packets` | rx_packets |
//! | RX | `errs` | `rx_errors` | rx_errors |
//! | RX | `drop` | `proc_rx_drop` | rx_dropped **+ rx_missed_errors** |
//! | RX | `fifo` | `rx_fifo_errors` | rx_fifo_errors |
//! | RX | `frame` | `proc_rx_frame` | rx_length_errors + rx_over_errors + rx_crc_errors + rx_frame_errors |
//! | RX | `compressed` | `rx_compressed` | rx_compressed |
//! | RX | `multicast` | `multicast` | multicast |
//! | TX | `bytes` | `tx_bytes` | tx_bytes |
//! | TX | `packets` | `tx_packets` | tx_packets |
//! | TX | `errs` | `tx_errors` | tx_errors |
//! | TX | `drop` | `tx_dropped` | tx_dropped |
//! | TX | `fifo` | `tx_fifo_errors` | tx_fifo_errors |
//! | TX | `colls` | `collisions` | collisions |
//! | TX | `carrier` | `proc_tx_carrier` | tx_carrier_errors + tx_aborted_errors + tx_window_errors + tx_heartbeat_errors |
//! | TX | `compressed` | `tx_compressed` | tx_compressed |
//!
//! `rx_nohandler` and `rx_otherhost_dropped` are not in this file.
//!
//! Problems (never a silent skip): a row whose value count differs from the header's column
//! count (the row is kept without counters), a value that is not a decimal `u64` (that value is
//! left out), an unknown header word (that column is left out), a line that is neither a header
//! nor a `name: values` row. Rows printed as `name: No statistics available.` (old kernels)
//! are kept with no counters and no problem. When the header lines are missing, rows with
//! exactly 16 values are read with the standard layout and one warning says so.
//!
//! ```
//! use parsers::procnetdev;
//! let text = "\
//! Inter-|   Receive                                                |  Transmit
//!  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
//!   eth0:   20000     100    0    3    0     0          0         0     4000      50    0    0    0     0       0          0
//! ";
//! let rows = procnetdev::parse(text).value;
//! assert_eq!(rows[0].name, "eth0");
//! assert_eq!(rows[0].counters["rx_bytes"], 20000);
//! assert_eq!(rows[0].counters["proc_rx_drop"], 3); // the /proc/net/dev drop column
//! assert_eq!(rows[0].counters["tx_packets"], 50);
//! ```

use std::collections::BTreeMap;

use nom::bytes::complete::take_till1;
use nom::character::complete::char;
use nom::combinator::rest;
use nom::sequence::separated_pair;
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One device row. Counter keys are rtnl field names where the column is exactly one field,
/// and `proc_rx_drop`, `proc_rx_frame`, `proc_tx_carrier` for the folded columns (see the
/// module doc for the full mapping).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProcNetDevRow {
    pub name: String,
    pub counters: BTreeMap<String, u64>,
}

/// Key for a header word of the RX group.
fn rx_key(word: &str) -> Option<&'static str> {
    Some(match word {
        "bytes" => "rx_bytes",
        "packets" => "rx_packets",
        "errs" => "rx_errors",
        "drop" => "proc_rx_drop",
        "fifo" => "rx_fifo_errors",
        "frame" => "proc_rx_frame",
        "compressed" => "rx_compressed",
        "multicast" => "multicast",
        _ => return None,
    })
}

/// Key for a header word of the TX group.
fn tx_key(word: &str) -> Option<&'static str> {
    Some(match word {
        "bytes" => "tx_bytes",
        "packets" => "tx_packets",
        "errs" => "tx_errors",
        "drop" => "tx_dropped",
        "fifo" => "tx_fifo_errors",
        "colls" => "collisions",
        "carrier" => "proc_tx_carrier",
        "compressed" => "tx_compressed",
        _ => return None,
    })
}

/// The standard 16-column layout (all kernels since 2.1.91), used only when no header is seen;
/// the order of `dev_seq_printf_stats()` in net/core/net-procfs.c.
pub const STANDARD_COLUMNS: [&str; 16] = [
    "rx_bytes",
    "rx_packets",
    "rx_errors",
    "proc_rx_drop",
    "rx_fifo_errors",
    "proc_rx_frame",
    "rx_compressed",
    "multicast",
    "tx_bytes",
    "tx_packets",
    "tx_errors",
    "tx_dropped",
    "tx_fifo_errors",
    "collisions",
    "proc_tx_carrier",
    "tx_compressed",
];

/// `name: rest` split at the first `:`.
fn row(input: &str) -> IResult<&str, (&str, &str)> {
    separated_pair(take_till1(|c| c == ':'), char(':'), rest).parse(input)
}

/// First header line: `Inter-|   Receive … |  Transmit` (possibly cut at the terminal width).
fn is_first_header(line: &str) -> bool {
    (line.contains('|') && line.contains("Receive") && line.contains("Transmit"))
        || line.trim_start().starts_with("Inter-|")
}

/// A word of the column header cut at the terminal width: a proper prefix of a known word.
fn is_cut_word(word: &str) -> bool {
    const KNOWN: [&str; 10] = [
        "bytes",
        "packets",
        "errs",
        "drop",
        "fifo",
        "frame",
        "compressed",
        "multicast",
        "colls",
        "carrier",
    ];
    KNOWN
        .iter()
        .any(|k| k.len() > word.len() && k.starts_with(word))
}

/// Second header line: ` face |<rx words>|<tx words>`; returns the column keys (`None` for an
/// unknown word, which is reported) or `None` when the line is not this header.
fn column_header(line: &str) -> Option<Vec<Result<&'static str, String>>> {
    let mut parts = line.split('|');
    let face = parts.next()?;
    if face.trim() != "face" {
        return None;
    }
    let rx = parts.next()?;
    let tx = parts.next().unwrap_or("");
    let mut cols = Vec::new();
    for w in rx.split_whitespace() {
        cols.push(rx_key(w).ok_or_else(|| format!("RX `{w}`")));
    }
    for w in tx.split_whitespace() {
        cols.push(tx_key(w).ok_or_else(|| format!("TX `{w}`")));
    }
    Some(cols)
}

/// Parses the text of `/proc/net/dev`.
pub fn parse(text: &str) -> Parsed<Vec<ProcNetDevRow>> {
    let mut reader = Reader::default();
    for (n, line) in numbered_lines(text) {
        reader.line(n, line);
    }
    reader.finish(text)
}

const LONE_FIRST_HEADER: &str =
    "header line `Inter-| Receive | Transmit` not followed by the ` face |…|…` column line";

/// What [`parse`] carries from line to line.
#[derive(Default)]
struct Reader {
    rows: Vec<ProcNetDevRow>,
    problems: Vec<Problem>,
    columns: Option<Vec<Option<&'static str>>>,
    pending_first_header: Option<usize>,
    warned_no_header: bool,
    /// The column header was cut at the terminal width: rows are read up to its last word.
    header_cut: bool,
    /// Rows with fewer values than the header: (count, first line).
    cut_rows: Option<(usize, usize)>,
}

impl Reader {
    fn line(&mut self, n: usize, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        if is_first_header(line) {
            self.close_first_header();
            self.pending_first_header = Some(n);
            return;
        }
        if let Some(cols) = column_header(line) {
            self.pending_first_header = None;
            let keys = self.header_keys(n, line, cols);
            self.columns = Some(keys);
            return;
        }
        self.close_first_header();
        if let Some(dev) = self.device_row(n, line) {
            self.rows.push(dev);
        }
    }

    /// Reports a first header line that no ` face |` column line followed.
    fn close_first_header(&mut self) {
        if let Some(prev) = self.pending_first_header.take() {
            self.problems
                .push(Problem::warning(prev, LONE_FIRST_HEADER));
        }
    }

    /// The counter key of each column of the ` face |` header on line `n` (`None`: unknown).
    fn header_keys(
        &mut self,
        n: usize,
        line: &str,
        cols: Vec<Result<&'static str, String>>,
    ) -> Vec<Option<&'static str>> {
        self.header_cut = false;
        let mut keys = Vec::with_capacity(cols.len());
        let last_word = line.split_whitespace().last().unwrap_or("");
        let count = cols.len();
        for (i, c) in cols.into_iter().enumerate() {
            match c {
                Ok(k) => keys.push(Some(k)),
                Err(_) if i + 1 == count && is_cut_word(last_word) => {
                    self.header_cut = true;
                    self.problems.push(Problem::warning(
                        n,
                        format!("the ` face |` header is cut at `{last_word}` (terminal width?); the columns after it are not read"),
                    ));
                }
                Err(word) => {
                    self.problems.push(Problem::warning(
                        n,
                        format!("unknown column {word} in the ` face |` header; its values are left out"),
                    ));
                    keys.push(None);
                }
            }
        }
        keys
    }

    /// The device row on line `n`; `None` when the line is not one (reported).
    fn device_row(&mut self, n: usize, line: &str) -> Option<ProcNetDevRow> {
        let Ok((_, (name_part, values_part))) = row(line) else {
            self.problems.push(Problem::warning(
                n,
                "expected a device row `name: values…` or a header line",
            ));
            return None;
        };
        let name = name_part.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            self.problems.push(Problem::warning(
                n,
                format!("expected a device name before `:`, found `{name}`"),
            ));
            return None;
        }
        let mut dev = ProcNetDevRow {
            name: name.to_string(),
            counters: BTreeMap::new(),
        };
        if values_part.trim() == "No statistics available." {
            return Some(dev);
        }
        let tokens: Vec<&str> = values_part.split_whitespace().collect();
        let cols = self.row_columns(n);
        let cut_line = !line.ends_with(char::is_whitespace);
        if self.header_cut
            || (tokens.len() < cols.len() && tokens.len() >= 2 && self.columns.is_some())
        {
            match &mut self.cut_rows {
                Some((count, _)) => *count += 1,
                None => self.cut_rows = Some((1, n)),
            }
            read_cut_row(&mut dev, &tokens, &cols, cut_line);
        } else if tokens.len() != cols.len() {
            self.problems.push(Problem::warning(
                n,
                format!(
                    "device `{}`: expected {} values as in the header, found {}; counters left out",
                    dev.name,
                    cols.len(),
                    tokens.len()
                ),
            ));
        } else {
            self.read_full_row(n, &mut dev, &tokens, &cols);
        }
        Some(dev)
    }

    /// The header's columns, or (reported once) the standard layout when no header came yet.
    fn row_columns(&mut self, n: usize) -> Vec<Option<&'static str>> {
        if let Some(columns) = &self.columns {
            return columns.clone();
        }
        if !self.warned_no_header {
            self.warned_no_header = true;
            self.problems.push(Problem::warning(
                n,
                "no ` face |…|…` header line before the first row; assumed the standard 16-column layout",
            ));
        }
        STANDARD_COLUMNS.iter().map(|k| Some(*k)).collect()
    }

    /// A row with exactly one value per column; a value that is not a number is reported.
    fn read_full_row(
        &mut self,
        n: usize,
        dev: &mut ProcNetDevRow,
        tokens: &[&str],
        cols: &[Option<&'static str>],
    ) {
        for (tok, key) in tokens.iter().zip(cols.iter()) {
            let Some(key) = key else { continue };
            match token_u64(tok) {
                Some(v) => {
                    dev.counters.insert((*key).to_string(), v);
                }
                None => self.problems.push(Problem::warning(
                    n,
                    format!(
                        "device `{}`: `{key}` value `{tok}` is not a decimal u64; left out",
                        dev.name
                    ),
                )),
            }
        }
    }

    fn finish(mut self, text: &str) -> Parsed<Vec<ProcNetDevRow>> {
        self.close_first_header();
        if let Some((count, first)) = self.cut_rows {
            self.problems.push(Problem::warning(
                first,
                format!(
                    "{count} row(s) read as cut at the terminal width (fewer values than the header, or under a cut header): the values there were read by the header's order, except a last value that may be cut mid-number"
                ),
            ));
        }
        if self.rows.is_empty() && text.lines().any(|l| !l.trim().is_empty()) {
            self.problems
                .push(Problem::error(0, "no device row `name: values…` found"));
        }
        Parsed::new(self.rows, self.problems)
    }
}

/// A row cut at the terminal width (or under a cut header): the values that are there, by the
/// header's order; a last value that ends the line may itself be cut mid-number, so it is not
/// read.
fn read_cut_row(
    dev: &mut ProcNetDevRow,
    tokens: &[&str],
    cols: &[Option<&'static str>],
    cut_line: bool,
) {
    let there = tokens.len().min(cols.len());
    let keep = if cut_line && tokens.len() <= cols.len() {
        there.saturating_sub(1)
    } else {
        there
    };
    for (tok, key) in tokens.iter().take(keep).zip(cols.iter()) {
        if let (Some(key), Some(v)) = (key, token_u64(tok)) {
            dev.counters.insert((*key).to_string(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_counters, fixture, fixtures, never_panics};

    const SOS_COREOS: &str = fixture!("procnetdev", "sos-coreos-master1-proc-3255-net-dev.txt");
    const SANDBOX: &str = fixture!("procnetdev", "sandbox-linux-6.18-netns.txt");
    const SEED_LVS: &str = fixture!("procnetdev", "seed-001-lvs-director-bonds.txt");
    const KNOWLEDGE: &str = fixture!("procnetdev", "knowledge-s4-constructed-rows.txt");
    const OLD_LAYOUTS_LITERAL: &str =
        fixture!("procnetdev", "literal-linux-2.0-2.1-tleds-comment.txt");
    const V1_CONSTRUCTED: &str = fixture!("procnetdev", "constructed-linux-2.0-v1.txt");
    const V2_CONSTRUCTED: &str = fixture!("procnetdev", "constructed-linux-2.2-v2.txt");

    fn get<'a>(rows: &'a [ProcNetDevRow], name: &str) -> &'a ProcNetDevRow {
        rows.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    }

    fn c(row: &ProcNetDevRow, key: &str) -> u64 {
        *row.counters
            .get(key)
            .unwrap_or_else(|| panic!("{}: no {key}", row.name))
    }

    #[test]
    fn real_sos_coreos_rows() {
        let p = parse(SOS_COREOS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.len(), 2);
        let eth0 = get(&p.value, "eth0");
        assert_eq!(eth0.counters.len(), 16);
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 281233043),
                ("rx_packets", 340494),
                ("multicast", 3424),
                ("tx_bytes", 24326548),
                ("tx_packets", 175179),
                ("proc_rx_drop", 0),
            ],
        );
        let lo = get(&p.value, "lo");
        assert_eq!(c(lo, "rx_bytes"), 15201392);
        assert_eq!(c(lo, "tx_packets"), 162426);
    }

    #[test]
    fn real_sandbox_netns_drops() {
        let p = parse(SANDBOX);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let names: Vec<&str> = p.value.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["lo", "br0", "veth1", "veth0", "tap0", "ifb9", "mv0", "vxlan42", "mvt0", "tun0"]
        );
        let veth1 = get(&p.value, "veth1");
        assert_counters(
            &veth1.name,
            &veth1.counters,
            &[
                ("rx_bytes", 350007650),
                ("rx_packets", 250117),
                ("proc_rx_drop", 250037),
                ("tx_packets", 23),
            ],
        );
        assert_eq!(c(get(&p.value, "tap0"), "tx_dropped"), 513);
        assert_eq!(c(get(&p.value, "vxlan42"), "tx_dropped"), 11);
        assert_eq!(c(get(&p.value, "br0"), "multicast"), 23);
    }

    #[test]
    fn real_seed_lvs_director_wide_values() {
        let p = parse(SEED_LVS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.len(), 9);
        let bond1 = get(&p.value, "bond1");
        assert_counters(
            &bond1.name,
            &bond1.counters,
            &[
                ("rx_bytes", 301302257145320),
                ("rx_packets", 1242460031644),
                ("proc_rx_drop", 50134427),
                ("rx_fifo_errors", 19769362),
                ("multicast", 94522289),
            ],
        );
        let eth1 = get(&p.value, "eth1");
        assert_counters(
            &eth1.name,
            &eth1.counters,
            &[
                ("proc_rx_drop", 95903801),
                ("tx_bytes", 1302),
                ("tx_packets", 31),
            ],
        );
        // names longer than the %6s field: `bond0.11:` starts at column 0
        let vlan = get(&p.value, "bond0.11");
        assert_eq!(c(vlan, "tx_bytes"), 487194387836941);
        assert_eq!(c(vlan, "tx_packets"), 1723708710469);
    }

    #[test]
    fn knowledge_rows_glued_colon_and_long_name() {
        let p = parse(KNOWLEDGE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.len(), 4);
        let wide = &p.value[1];
        assert_eq!(wide.name, "eth0");
        assert_counters(
            &wide.name,
            &wide.counters,
            &[
                ("rx_bytes", 98765432109),
                ("rx_packets", 123456789),
                ("proc_rx_drop", 7142467),
                ("multicast", 31802),
                ("tx_bytes", 4635258443813),
            ],
        );
        let long = get(&p.value, "enp94s0f0np0");
        let expected: Vec<u64> = (1..=16).collect();
        let got: Vec<u64> = STANDARD_COLUMNS.iter().map(|k| c(long, k)).collect();
        assert_eq!(got, expected);
        assert_eq!(c(long, "proc_tx_carrier"), 15);
        let glued = &p.value[3];
        assert_eq!(glued.name, "eth0");
        assert_counters(
            &glued.name,
            &glued.counters,
            &[
                ("rx_bytes", 3492834266),
                ("rx_packets", 3811442658),
                ("proc_rx_drop", 7183),
                ("tx_packets", 3587842070),
            ],
        );
    }

    #[test]
    fn constructed_v1_layout_without_bytes() {
        let p = parse(V1_CONSTRUCTED);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let eth0 = get(&p.value, "eth0");
        assert_eq!(eth0.counters.len(), 11);
        assert!(!eth0.counters.contains_key("rx_bytes"));
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_packets", 1843571),
                ("proc_rx_drop", 17),
                ("proc_rx_frame", 3),
                ("tx_packets", 1210044),
                ("collisions", 212),
                ("proc_tx_carrier", 1),
            ],
        );
    }

    #[test]
    fn constructed_v2_layout_without_compressed() {
        let p = parse(V2_CONSTRUCTED);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let eth0 = get(&p.value, "eth0");
        assert_eq!(eth0.counters.len(), 13);
        assert!(!eth0.counters.contains_key("rx_compressed"));
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 1922003451),
                ("proc_rx_drop", 211),
                ("tx_bytes", 872000123),
                ("proc_tx_carrier", 2),
            ],
        );
    }

    #[test]
    fn literal_old_kernels_with_mismatch_and_no_statistics() {
        let p = parse(OLD_LAYOUTS_LITERAL);
        // 2.0.x block: 11 columns, rows read; `dummy: No statistics available.` kept empty.
        let first_lo = &p.value[0];
        assert_eq!(first_lo.name, "lo");
        assert_eq!(c(first_lo, "rx_packets"), 2);
        assert_eq!(c(first_lo, "tx_packets"), 2);
        let dummy = get(&p.value, "dummy");
        assert!(dummy.counters.is_empty());
        let ppp0 = &p.value[3];
        assert_eq!(c(ppp0, "rx_packets"), 26619);
        assert_eq!(c(ppp0, "tx_packets"), 42230);
        // 2.1.72 block: the header has 13 words but the rows 14 values (as printed).
        let mismatch: Vec<usize> = p
            .problems
            .iter()
            .filter(|pr| pr.message.contains("expected 13 values"))
            .map(|pr| pr.line)
            .collect();
        assert_eq!(mismatch, vec![9, 10]);
        assert!(p.value[4].counters.is_empty());
        // 2.1.97 block: the standard 16 columns.
        let eth0 = &p.value[7];
        assert_eq!(eth0.name, "eth0");
        assert_counters(
            &eth0.name,
            &eth0.counters,
            &[
                ("rx_bytes", 2699632),
                ("tx_bytes", 15993153),
                ("collisions", 1983),
            ],
        );
        assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
    }

    #[test]
    fn seed_table_cut_at_80_columns_reads_what_is_there() {
        // Synthetic cut of a real table: every line of the seed 001 table as an 80-column
        // terminal shows it (`less -S`, a screenshot).
        let cut: String = SEED_LVS
            .lines()
            .map(|l| format!("{}\n", &l[..l.len().min(80)]))
            .collect();
        let p = parse(&cut);
        // ` face |bytes    packets errs drop fifo frame compressed multicast|bytes    packe`
        // `  eth2: 301300435242358 1242429666624    0 19769362 19769362     0          0  9`
        let eth2 = get(&p.value, "eth2");
        assert_counters(
            &eth2.name,
            &eth2.counters,
            &[
                ("rx_bytes", 301300435242358),
                ("rx_packets", 1242429666624),
                ("proc_rx_drop", 19769362),
                ("rx_fifo_errors", 19769362),
                ("rx_compressed", 0),
            ],
        );
        // `9` is the cut start of multicast 94522274: not read.
        assert!(!eth2.counters.contains_key("multicast"));
        // `    lo: 6027064668 68489292    0    0    0     0          0         0 6027064668`
        // ends at column 80 exactly: its last value may be cut, so it is not read either.
        let lo = get(&p.value, "lo");
        assert_eq!(c(lo, "multicast"), 0);
        assert!(!lo.counters.contains_key("tx_bytes"));
        let msgs: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!(msgs[0].0, 2);
        assert!(msgs[0].1.contains("cut at `packe`"));
        assert_eq!(msgs[1].0, 3);
        assert!(msgs[1].1.starts_with("9 row(s) read as cut"));
        // Uncut, the same table reads whole and clean.
        assert!(parse(SEED_LVS).problems.is_empty());
    }

    #[test]
    fn no_header_assumes_standard_layout_with_warning() {
        let text = "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n    lo: 1 2 3\n";
        let p = parse(text);
        assert_eq!(c(&p.value[0], "proc_rx_frame"), 6);
        assert_eq!(p.problems.len(), 2);
        assert_eq!(p.problems[0].line, 1);
        assert!(p.problems[0].message.contains("standard 16-column"));
        assert_eq!(p.problems[1].line, 2);
    }

    #[test]
    fn overflow_and_garbage_are_problems() {
        let mut text = KNOWLEDGE.lines().take(2).collect::<Vec<_>>().join("\n");
        text.push_str("\n  eth9: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\nrandom words here\n");
        let p = parse(&text);
        let eth9 = get(&p.value, "eth9");
        assert!(!eth9.counters.contains_key("rx_bytes"));
        assert!(!eth9.counters.contains_key("tx_compressed"));
        assert_eq!(c(eth9, "rx_packets"), 2);
        let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 3, 4]);
    }

    #[test]
    fn crlf_is_accepted() {
        let crlf = SOS_COREOS.replace('\n', "\r\n");
        assert_eq!(parse(&crlf), parse(SOS_COREOS));
    }

    #[test]
    fn empty_text_is_clean_and_garbage_is_an_error() {
        assert_eq!(parse(""), Parsed::clean(Vec::new()));
        let p = parse("hello\n");
        assert!(p
            .problems
            .iter()
            .any(|p| p.severity == crate::Severity::Error));
    }

    #[test]
    fn never_panics_on_truncations_and_garbage() {
        for text in fixtures("procnetdev").iter().map(|(_, t)| t.as_str()) {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
                let _ = parse(&text[i..]);
            }
        }
        for g in [
            ":",
            "::::",
            "|||",
            " face |",
            " face |||||",
            "Inter-|Receive|Transmit",
            "\u{0}:\u{0}",
            "é: 1 2",
            "eth0:",
            "a:b:c:d",
            "\r\n\r\n",
        ] {
            let _ = parse(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("procnetdev"), parse);
    }
}
