//! `/proc/net/softnet_stat` (knowledge §5).
//!
//! One row per online CPU, every field hexadecimal (`%08x`). The layout is told by the number of
//! fields (§5.1): 9 (≤ 2.6.34), 10 (2.6.35–3.10), 11 (3.11–5.9), 13 (5.10–6.3, col 12 backlog
//! length, col 13 CPU index) and 15 (≥ 6.4, cols 14/15 input/process queue lengths; the CPU
//! index stays in col 13).
//!
//! With an index column, `cpu` is that index (`cpu_from_index = true`); otherwise it is the
//! 0-based row number, which equals the CPU id only when no CPU is offline.
//!
//! Problems: a row whose field count differs from the most common count in the file, or is not
//! one of 9/10/11/13/15, gives a warning and only its first three fields (processed, dropped,
//! time_squeeze) are kept when they are valid hex; a row whose first three fields are not hex is
//! skipped with a warning; a CPU id seen twice is a warning.
//!
//! ```
//! use parsers::softnet;
//! let text = "\
//! 00000064 00000003 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
//! 000000c8 00000000 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
//! ";
//! let rows = softnet::parse(text).value;
//! assert_eq!(rows.len(), 2);
//! assert_eq!((rows[0].cpu, rows[0].processed, rows[0].dropped, rows[0].time_squeeze), (0, 100, 3, 1));
//! assert_eq!((rows[1].cpu, rows[1].processed, rows[1].time_squeeze), (1, 200, 2));
//! ```

use std::collections::BTreeMap;

use nom::bytes::complete::take_while1;
use nom::character::complete::{space0, space1};
use nom::combinator::{all_consuming, map_res};
use nom::multi::separated_list1;
use nom::sequence::delimited;
use nom::{IResult, Parser};
use serde::Serialize;

use crate::text::numbered_lines;
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SoftnetRow {
    /// CPU id: from the index column (13+ fields) or the row number otherwise.
    pub cpu: u32,
    /// True when `cpu` came from the kernel's index column (exact even with offline CPUs).
    pub cpu_from_index: bool,
    pub processed: u64,
    pub dropped: u64,
    pub time_squeeze: u64,
    pub cpu_collision: u64,
    pub received_rps: Option<u64>,
    pub flow_limit_count: Option<u64>,
    pub backlog_len: Option<u64>,
    pub input_qlen: Option<u64>,
    pub process_qlen: Option<u64>,
    /// Number of fields the row had (9, 10, 11, 13 or 15 for a well-formed row).
    pub columns: usize,
    /// False when only the first three fields could be kept (see the module docs).
    pub complete: bool,
}

/// Field counts the kernel has printed (§5.1).
pub const KNOWN_COLUMN_COUNTS: [usize; 5] = [9, 10, 11, 13, 15];

/// One hex field: 1–16 hex digits (the kernel prints 8).
fn hex_u64(input: &str) -> IResult<&str, u64> {
    map_res(take_while1(|c: char| c.is_ascii_hexdigit()), |s: &str| {
        if s.len() > 16 {
            Err(())
        } else {
            u64::from_str_radix(s, 16).map_err(|_| ())
        }
    })
    .parse(input)
}

/// A whole row of hex fields separated by blanks.
fn hex_row(input: &str) -> IResult<&str, Vec<u64>> {
    all_consuming(delimited(space0, separated_list1(space1, hex_u64), space0)).parse(input)
}

pub fn parse(text: &str) -> Parsed<Vec<SoftnetRow>> {
    let mut problems = Vec::new();
    let lines: Vec<(usize, &str)> = numbered_lines(text)
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        problems.push(Problem::error(
            0,
            "empty softnet_stat: expected one hex row per CPU",
        ));
        return Parsed::new(Vec::new(), problems);
    }
    let expected = most_common_field_count(&lines);
    let mut rows = Vec::new();
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    for (row_index, (no, line)) in lines.iter().enumerate() {
        let row_cpu = u32::try_from(row_index).unwrap_or(u32::MAX);
        let Some(row) = read_row(*no, line, row_cpu, expected, &mut problems) else {
            continue;
        };
        if let Some(first) = seen.insert(row.cpu, *no) {
            problems.push(Problem::warning(
                *no,
                format!("CPU {} already appeared on line {first}", row.cpu),
            ));
        }
        rows.push(row);
    }
    Parsed::new(rows, problems)
}

/// The most common field count of the rows (ties: the one met first).
fn most_common_field_count(lines: &[(usize, &str)]) -> usize {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for (_, line) in lines {
        let n = line.split_whitespace().count();
        match counts.iter_mut().find(|(c, _)| *c == n) {
            Some((_, k)) => *k += 1,
            None => counts.push((n, 1)),
        }
    }
    let mut expected = 0;
    let mut best = 0;
    for (c, k) in &counts {
        if *k > best {
            best = *k;
            expected = *c;
        }
    }
    expected
}

/// Row `no` (the `row_cpu`th row): every field when the row has the shape the others have and
/// a known one, else only the first three (reported); `None` when even those are not hex.
fn read_row(
    no: usize,
    line: &str,
    row_cpu: u32,
    expected: usize,
    problems: &mut Vec<Problem>,
) -> Option<SoftnetRow> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let n = tokens.len();
    let fields = hex_row(line).ok().map(|(_, v)| v);
    let good_shape = n == expected && KNOWN_COLUMN_COUNTS.contains(&n);
    if let (Some(f), true) = (&fields, good_shape) {
        return Some(full_row(f, row_cpu, no, problems));
    }
    if fields.is_none() {
        problems.push(Problem::warning(
            no,
            format!("expected hexadecimal fields, found {line:?}"),
        ));
    } else if !KNOWN_COLUMN_COUNTS.contains(&n) {
        problems.push(Problem::warning(
            no,
            format!("{n} fields: expected 9, 10, 11, 13 or 15; kept only the first three"),
        ));
    } else {
        problems.push(Problem::warning(
            no,
            format!("{n} fields while the other rows have {expected}; kept only the first three"),
        ));
    }
    let Some((processed, dropped, time_squeeze)) = first_three(&tokens) else {
        problems.push(Problem::warning(
            no,
            "row skipped: its first three fields are not all hexadecimal",
        ));
        return None;
    };
    Some(SoftnetRow {
        cpu: row_cpu,
        processed,
        dropped,
        time_squeeze,
        columns: n,
        ..SoftnetRow::default()
    })
}

fn first_three(tokens: &[&str]) -> Option<(u64, u64, u64)> {
    let hex = |i: usize| -> Option<u64> {
        let t = tokens.get(i)?;
        all_consuming(hex_u64).parse(t).ok().map(|(_, v)| v)
    };
    Some((hex(0)?, hex(1)?, hex(2)?))
}

/// A row with a known field count (9/10/11/13/15) and all fields hex.
fn full_row(f: &[u64], row_cpu: u32, no: usize, problems: &mut Vec<Problem>) -> SoftnetRow {
    let get = |i: usize| f.get(i).copied();
    let n = f.len();
    let mut row = SoftnetRow {
        cpu: row_cpu,
        cpu_from_index: false,
        processed: get(0).unwrap_or(0),
        dropped: get(1).unwrap_or(0),
        time_squeeze: get(2).unwrap_or(0),
        cpu_collision: get(8).unwrap_or(0),
        received_rps: if n >= 10 { get(9) } else { None },
        flow_limit_count: if n >= 11 { get(10) } else { None },
        backlog_len: if n >= 13 { get(11) } else { None },
        input_qlen: if n >= 15 { get(13) } else { None },
        process_qlen: if n >= 15 { get(14) } else { None },
        columns: n,
        complete: true,
    };
    if n >= 13 {
        match get(12).map(u32::try_from) {
            Some(Ok(cpu)) => {
                row.cpu = cpu;
                row.cpu_from_index = true;
            }
            _ => problems.push(Problem::warning(
                no,
                "CPU index column (13) out of range; using the row number",
            )),
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("softnet", "coreos-master1-4.18.0-80.softnet_stat");
    const SANDBOX: &str = fixture!("softnet", "sandbox-6.18.44.softnet_stat");
    const RHEL5: &str = fixture!("softnet", "insights-rhel5.softnet_stat");
    const RHEL67: &str = fixture!("softnet", "insights-rhel6-7.softnet_stat");
    const RHEL8: &str = fixture!("softnet", "insights-rhel8.softnet_stat");
    const RHEL9: &str = fixture!("softnet", "insights-rhel9.softnet_stat");
    const COL15: &str = fixture!("softnet", "constructed-15col-cpu1-offline.softnet_stat");
    const MALFORMED: &str = fixture!("softnet", "constructed-malformed-crlf.softnet_stat");

    #[test]
    fn coreos_4_18_eleven_columns() {
        let p = parse(COREOS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.len(), 2);
        let r = &p.value[0];
        // 00029ba9 = 170921, 0000005b = 91
        assert_eq!((r.cpu, r.cpu_from_index), (0, false));
        assert_eq!((r.processed, r.dropped, r.time_squeeze), (170_921, 0, 91));
        assert_eq!(r.received_rps, Some(0));
        assert_eq!(r.flow_limit_count, Some(0));
        assert_eq!(r.backlog_len, None);
        // 0002749d = 160925, 00000046 = 70
        let r = &p.value[1];
        assert_eq!((r.cpu, r.processed, r.time_squeeze), (1, 160_925, 70));
    }

    #[test]
    fn sandbox_6_18_fifteen_columns() {
        let p = parse(SANDBOX);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.len(), 2);
        // row 1: 0000001a = 26 processed, index column 0
        assert_eq!((p.value[0].cpu, p.value[0].cpu_from_index), (0, true));
        assert_eq!(p.value[0].processed, 26);
        assert_eq!(p.value[0].input_qlen, Some(0));
        assert_eq!(p.value[0].process_qlen, Some(0));
        // row 2: 00000984 = 2436 processed, index column 00000001
        assert_eq!((p.value[1].cpu, p.value[1].cpu_from_index), (1, true));
        assert_eq!(p.value[1].processed, 2436);
        assert_eq!(p.value[1].columns, 15);
    }

    #[test]
    fn rhel5_nine_columns() {
        let p = parse(RHEL5);
        assert!(p.problems.is_empty());
        let r = &p.value[0];
        // 6dcad223 = 1842008611
        assert_eq!(r.processed, 1_842_008_611);
        assert_eq!((r.dropped, r.time_squeeze, r.cpu_collision), (0, 1, 5));
        assert_eq!(r.received_rps, None);
        assert_eq!(r.flow_limit_count, None);
    }

    #[test]
    fn rhel6_7_ten_columns() {
        let p = parse(RHEL67);
        assert!(p.problems.is_empty());
        let dropped: Vec<u64> = p.value.iter().map(|r| r.dropped).collect();
        assert_eq!(dropped, vec![0x12, 0xff, 0, 1]);
        let squeeze: Vec<u64> = p.value.iter().map(|r| r.time_squeeze).collect();
        assert_eq!(squeeze, vec![1, 2, 3, 4]);
        let coll: Vec<u64> = p.value.iter().map(|r| r.cpu_collision).collect();
        assert_eq!(coll, vec![0x75, 0xc4, 0x49, 0x21]);
        let rps: Vec<Option<u64>> = p.value.iter().map(|r| r.received_rps).collect();
        assert_eq!(rps, vec![Some(5), Some(6), Some(7), Some(8)]);
        assert!(p.value.iter().all(|r| r.flow_limit_count.is_none()));
        let cpus: Vec<u32> = p.value.iter().map(|r| r.cpu).collect();
        assert_eq!(cpus, vec![0, 1, 2, 3]);
    }

    #[test]
    fn rhel8_eleven_columns() {
        let p = parse(RHEL8);
        assert!(p.problems.is_empty());
        let r = &p.value[0];
        assert_eq!((r.processed, r.dropped, r.time_squeeze), (0x22be3, 254, 18));
        assert_eq!(
            (r.cpu_collision, r.received_rps, r.flow_limit_count),
            (3, Some(2), Some(1))
        );
    }

    #[test]
    fn rhel9_thirteen_columns_with_duplicate_index() {
        let p = parse(RHEL9);
        let cpus: Vec<u32> = p.value.iter().map(|r| r.cpu).collect();
        // The insights fixture's last row carries index 00000000 again.
        assert_eq!(cpus, vec![0, 1, 2, 3, 0]);
        assert!(p.value.iter().all(|r| r.cpu_from_index));
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 5);
        let dropped: Vec<u64> = p.value.iter().map(|r| r.dropped).collect();
        assert_eq!(dropped, vec![25219, 1094, 19399, 32302, 187_284]);
        let flow: Vec<Option<u64>> = p.value.iter().map(|r| r.flow_limit_count).collect();
        assert_eq!(flow, vec![Some(118), Some(43), Some(0), Some(189), Some(0)]);
        let backlog: Vec<Option<u64>> = p.value.iter().map(|r| r.backlog_len).collect();
        assert_eq!(
            backlog,
            vec![Some(0), Some(220), Some(10), Some(0), Some(140)]
        );
        assert_eq!(p.value[1].received_rps, Some(9_366_426));
    }

    #[test]
    fn fifteen_columns_offline_cpu() {
        let p = parse(COL15);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let cpus: Vec<u32> = p.value.iter().map(|r| r.cpu).collect();
        assert_eq!(cpus, vec![0, 2, 3]);
        let r = &p.value[0];
        assert_eq!((r.processed, r.dropped, r.time_squeeze), (123_456, 3, 10));
        assert_eq!((r.received_rps, r.flow_limit_count), (Some(16), Some(1)));
        assert_eq!(
            (r.backlog_len, r.input_qlen, r.process_qlen),
            (Some(5), Some(2), Some(3))
        );
        let r = &p.value[2];
        assert_eq!((r.processed, r.dropped), (4_294_967_295, 65_535));
        assert_eq!(
            (r.backlog_len, r.input_qlen, r.process_qlen),
            (Some(1000), Some(992), Some(8))
        );
    }

    #[test]
    fn malformed_rows_become_problems() {
        let p = parse(MALFORMED);
        // rows 1, 2 (11 fields), 3 (10 fields, first three kept), 4 skipped (bad hex),
        // 5 (4 fields, first three kept)
        let got: Vec<(u32, u64, u64, u64, bool)> = p
            .value
            .iter()
            .map(|r| (r.cpu, r.processed, r.dropped, r.time_squeeze, r.complete))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 100, 1, 2, true),
                (1, 200, 3, 4, true),
                (2, 300, 5, 6, false),
                (4, 500, 9, 10, false),
            ]
        );
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![3, 4, 4, 5]);
        assert_eq!(p.value[2].received_rps, None);
    }

    #[test]
    fn empty_and_nonsense() {
        let p = parse("");
        assert!(p.value.is_empty());
        assert_eq!(p.problems.len(), 1);
        let p = parse("cat: /proc/net/softnet_stat: No such file or directory\n");
        assert!(p.value.is_empty());
        assert!(!p.problems.is_empty());
        let p = parse("12 34 56 78 9a bc de f0 11 22 33 44 55 66\n");
        assert_eq!(p.value.len(), 1);
        assert!(!p.value[0].complete);
        // more than 16 hex digits does not fit u64
        let p = parse("11111111111111111 0 0 0 0 0 0 0 0\n");
        assert!(p.value.is_empty());
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        let garbage = [
            "",
            "\n",
            "\r\n",
            "+1 +2 +3",
            "ffffffffffffffffffff",
            "\u{0}",
            "zz zz zz",
            "0 0 0 0 0 0 0 0 0 0 0 0 fffffffff",
            "年 年 年",
            " \t ",
            "0\r0\r0",
        ];
        for g in garbage {
            let _ = parse(g);
        }
        for text in fixtures("softnet").iter().map(|(_, t)| t.as_str()) {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
            }
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("softnet"), parse);
    }
}
