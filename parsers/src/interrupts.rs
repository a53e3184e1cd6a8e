//! `/proc/interrupts` and `/proc/softirqs`.
//!
//! Both files start with a header of the **online** CPUs (`CPU0 CPU1 …`; an offline CPU is
//! simply missing, so `CPU0 CPU2 CPU3` is normal) and have one row per source, counts in header
//! order. Rows are split on whitespace (aligned files and collapsed pastes read the same).
//!
//! `/proc/interrupts` rows (kernel `show_interrupts()` and the arch `arch_show_interrupts()`):
//!
//! * numbered IRQs: `  24:  12345  0  PCI-MSI 524288-edge  eth0-TxRx-0` — the counts, then the
//!   chip (`IO-APIC`, `IR-PCI-MSI`, `PCI-MSIX-0000:00:01.0`, `GICv3`, …), the hardware IRQ with
//!   the flow handler (`524288-edge`, `2-fasteoi`; arm64 prints `27 Level`), then the action
//!   names joined by `", "` (`ehci_hcd:usb1, uhci_hcd:usb2`). Old kernels (2.6.x) print chip and
//!   handler as one word (`PCI-MSI-edge  eth0-TxRx-0`, `IO-APIC-fasteoi`). The names end up in
//!   [`IrqRow::names`] (`eth0-TxRx-3`, `virtio0-input.0`, `mlx5_comp5@pci:0000:3b:00.0`,
//!   `i40e-eth0-TxRx-1`, …); a row without a handler has no names;
//! * named rows with one count per CPU and a text: `LOC: … Local timer interrupts`,
//!   `NMI:`, `RES:`, `IPI0: … Rescheduling interrupts` (arm64) — the text is the description,
//!   there are no names;
//! * named rows with a single count and no text: `ERR:`, `MIS:` (x86), `Err:` (arm64).
//!
//! The split between counts and text: at most one count per header CPU is taken from the
//! leading all-digit tokens; the rest is the description (whitespace collapsed).
//!
//! `/proc/softirqs` rows are `NET_RX:  123  456` (one count per header CPU).
//!
//! Problems (never a silent skip; blank lines are ignored): no header before the first row (an
//! error; rows are still read, taking every leading number as a count); a second header (the
//! rows are read on as one table); a row that is not `label: counts…` or has no count at all
//! (skipped); a row with fewer counts than header CPUs (kept; a named single-count row without
//! text is the normal `ERR:` form and is not reported); a numbered IRQ whose description starts
//! with a number (more counts than CPUs in the header — the header was probably cut); a count
//! above `u64` (row skipped); a repeated IRQ or softirq name; a softirq row with text after the
//! counts or without counts (skipped). A text without header and rows gives one error.
//!
//! ```
//! use parsers::interrupts::{parse_interrupts, parse_softirqs};
//! let irqs = parse_interrupts("\
//!            CPU0       CPU1
//!   0:         36          0   IO-APIC   2-edge      timer
//! NMI:          0          1   Non-maskable interrupts
//! ").value;
//! assert_eq!(irqs.cpus, [0, 1]);
//! assert_eq!(irqs.rows[0].irq, "0");
//! assert_eq!(irqs.rows[0].counts, [36, 0]);
//! assert_eq!(irqs.rows[1].counts, [0, 1]);
//! let softirqs = parse_softirqs("\
//!                     CPU0       CPU1
//!           HI:          1          0
//!       NET_RX:        100        200
//! ").value;
//! assert_eq!(softirqs.rows["NET_RX"], [100, 200]);
//! ```

use std::collections::BTreeMap;

use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{all_consuming, map_res};
use nom::sequence::{preceded, terminated};
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IrqRow {
    /// IRQ number or name (`24`, `NMI`, `LOC`).
    pub irq: String,
    /// Count per CPU, in the order of [`Interrupts::cpus`].
    pub counts: Vec<u64>,
    /// Text after the counts (chip, trigger, device names), whitespace collapsed.
    pub description: String,
    /// Device/vector names at the end of the description (`eth0-TxRx-3`, `virtio0-input.0`, `mlx5_comp5@pci:0000:3b:00.0`).
    pub names: Vec<String>,
    /// 1-based line of the row.
    pub line: usize,
}

impl IrqRow {
    /// Sum of the per-CPU counts (saturating).
    pub fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, b| a.saturating_add(*b))
    }

    /// True for numbered IRQs (`24`), false for named rows (`LOC`, `NMI`, `ERR`).
    pub fn is_numbered(&self) -> bool {
        token_u64(&self.irq).is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Interrupts {
    /// CPU numbers from the header (`CPU0 CPU1 …`).
    pub cpus: Vec<u32>,
    pub rows: Vec<IrqRow>,
}

impl Interrupts {
    /// The count of `row` on CPU `cpu` (a CPU number from the header, not a column index).
    pub fn count_on_cpu(&self, row: &IrqRow, cpu: u32) -> Option<u64> {
        let col = self.cpus.iter().position(|c| *c == cpu)?;
        row.counts.get(col).copied()
    }

    /// Rows with an action name equal to `name`.
    pub fn rows_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a IrqRow> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.names.iter().any(|n| n == name))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Softirqs {
    pub cpus: Vec<u32>,
    /// `NET_RX` → counts per CPU (order of `cpus`).
    pub rows: BTreeMap<String, Vec<u64>>,
}

impl Softirqs {
    /// Sum over CPUs of one softirq (`NET_RX`), saturating.
    pub fn total(&self, name: &str) -> Option<u64> {
        self.rows
            .get(name)
            .map(|v| v.iter().fold(0u64, |a, b| a.saturating_add(*b)))
    }
}

/// `CPU<n>` header token.
fn cpu_token(input: &str) -> IResult<&str, u32> {
    all_consuming(preceded(tag("CPU"), map_res(digit1, str::parse::<u32>))).parse(input)
}

/// The header line: only `CPU<n>` tokens, at least one. `None` when it is not a header;
/// `Some(Err(token))` when it looks like one (first token `CPU…`) but a token is bad.
fn header(line: &str) -> Option<Result<Vec<u32>, String>> {
    if !line.trim_start().starts_with("CPU") {
        return None;
    }
    let mut cpus = Vec::new();
    for t in line.split_whitespace() {
        match cpu_token(t) {
            Ok((_, c)) => cpus.push(c),
            Err(_) => return Some(Err(t.to_string())),
        }
    }
    Some(Ok(cpus))
}

/// `label:` at the start of a row (after blanks); the rest of the line.
fn row_label(input: &str) -> IResult<&str, &str> {
    preceded(
        space0,
        terminated(
            take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_'),
            char(':'),
        ),
    )
    .parse(input)
}

/// Hardware IRQ (with an optional flow handler) after the chip: `524288-edge`, `2-fasteoi`, `27`.
fn is_hwirq(t: &str) -> bool {
    let (num, handler) = match t.split_once('-') {
        Some((n, h)) => (n, Some(h)),
        None => (t, None),
    };
    !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit())
        && handler.is_none_or(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_lowercase()))
}

/// A flow-handler word printed without a hardware IRQ: `-edge`, `-virq`, `-ioapic-level`.
fn is_handler(t: &str) -> bool {
    t.len() > 1 && t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// Action names of a numbered IRQ's description tokens: skip the chip, the hardware IRQ/handler
/// and an `Edge`/`Level` word, then split the rest on commas.
fn action_names(desc: &[&str]) -> Vec<String> {
    let mut i = 1; // the chip
    if desc.get(i).is_some_and(|t| is_hwirq(t)) {
        i += 1;
    }
    while desc.get(i).is_some_and(|t| matches!(*t, "Edge" | "Level")) {
        i += 1;
    }
    if desc.get(i).is_some_and(|t| is_handler(t)) {
        i += 1;
    }
    if i >= desc.len() {
        return Vec::new();
    }
    desc[i..]
        .join(" ")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Shared header handling; false when the line is not a header (nor a cut/garbled one).
fn take_header(
    n: usize,
    t: &str,
    cpus: &mut Option<(usize, Vec<u32>)>,
    problems: &mut Vec<Problem>,
) -> bool {
    match header(t) {
        None => false,
        Some(Ok(c)) => {
            match cpus {
                None => *cpus = Some((n, c)),
                Some((first, old)) => {
                    if *old == c {
                        problems.push(Problem::warning(
                            n,
                            format!("a second CPU header (first on line {first}); the rows are read as one table"),
                        ));
                    } else {
                        problems.push(Problem::warning(
                            n,
                            format!("a second CPU header with other CPUs (first on line {first}); the first is kept"),
                        ));
                    }
                }
            }
            true
        }
        Some(Err(tok)) => {
            problems.push(Problem::warning(
                n,
                format!("header token {tok:?} is not `CPU<number>`; line skipped"),
            ));
            true
        }
    }
}

/// Reports the missing CPU header once, on the first row that needed it.
fn warn_no_header_once(n: usize, warned: &mut bool, problems: &mut Vec<Problem>) {
    if !*warned {
        *warned = true;
        problems.push(Problem::error(
            n,
            "no `CPU0 CPU1 …` header before the first row; counts cannot be given CPUs",
        ));
    }
}

pub fn parse_interrupts(text: &str) -> Parsed<Interrupts> {
    let mut problems = Vec::new();
    let mut cpus: Option<(usize, Vec<u32>)> = None;
    let mut warned_no_header = false;
    let mut rows: Vec<IrqRow> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();

    for (n, line) in numbered_lines(text) {
        let t = line.trim();
        if t.is_empty() || take_header(n, t, &mut cpus, &mut problems) {
            continue;
        }
        let ncpu = cpus.as_ref().map(|(_, c)| c.len());
        let Some(row) = irq_row(n, line, ncpu, &mut problems) else {
            continue;
        };
        if ncpu.is_none() {
            warn_no_header_once(n, &mut warned_no_header, &mut problems);
        }
        check_irq_width(&row, ncpu, &mut problems);
        if let Some(first) = seen.insert(row.irq.clone(), n) {
            problems.push(Problem::warning(
                n,
                format!("IRQ {} already appeared on line {first}", row.irq),
            ));
        }
        rows.push(row);
    }
    if cpus.is_none() && rows.is_empty() {
        problems.push(Problem::error(
            0,
            "no /proc/interrupts content: expected a `CPU0 CPU1 …` header and IRQ rows",
        ));
    }
    let cpus = cpus.map(|(_, c)| c).unwrap_or_default();
    Parsed::new(Interrupts { cpus, rows }, problems)
}

/// One `IRQ: counts… description` row; `None` (reported) when it has no label, no counts or
/// a count above `u64`.
fn irq_row(
    n: usize,
    line: &str,
    ncpu: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<IrqRow> {
    let Ok((rest, label)) = row_label(line) else {
        problems.push(Problem::warning(
            n,
            format!(
                "expected `IRQ: counts… description`, found {:?}",
                line.trim()
            ),
        ));
        return None;
    };
    let toks: Vec<&str> = rest.split_whitespace().collect();
    let Some(counts) = leading_counts(&toks, ncpu) else {
        problems.push(Problem::warning(
            n,
            format!("a count of IRQ {label} does not fit in u64; row skipped"),
        ));
        return None;
    };
    if counts.is_empty() {
        problems.push(Problem::warning(
            n,
            format!("IRQ {label} has no counts; row skipped"),
        ));
        return None;
    }
    let desc = &toks[counts.len()..];
    // Only numbered IRQs name their handlers; `NMI:`, `LOC:` … end in a plain description.
    let names = if token_u64(label).is_some() {
        action_names(desc)
    } else {
        Vec::new()
    };
    Some(IrqRow {
        irq: label.to_string(),
        counts,
        description: desc.join(" "),
        names,
        line: n,
    })
}

/// The counts at the start of a row: digit-only tokens, at most one per CPU of the header
/// (so that a numeric word of the description is not taken for a count). `None` when one
/// does not fit in `u64`.
fn leading_counts(toks: &[&str], ncpu: Option<usize>) -> Option<Vec<u64>> {
    let mut counts = Vec::new();
    for tok in toks {
        if ncpu.is_some_and(|k| counts.len() >= k) || !tok.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        counts.push(token_u64(tok)?);
    }
    Some(counts)
}

/// Reports a row whose counts do not line up with the header's CPUs: fewer counts (a
/// one-count summary row such as `ERR:` is fine), or a numbered row whose description starts
/// with digits (more counts than CPUs).
fn check_irq_width(row: &IrqRow, ncpu: Option<usize>, problems: &mut Vec<Problem>) {
    let (n, label, counts) = (row.line, &row.irq, &row.counts);
    let numbered = row.is_numbered();
    if let Some(k) = ncpu {
        let single_ok = !numbered && counts.len() == 1 && row.description.is_empty();
        if counts.len() < k && !single_ok {
            problems.push(Problem::warning(
                n,
                format!(
                    "IRQ {label} has {} counts but the header has {k} CPUs",
                    counts.len()
                ),
            ));
        }
    }
    let desc_starts_with_digits = row
        .description
        .split(' ')
        .next()
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    if numbered && desc_starts_with_digits {
        problems.push(Problem::warning(
            n,
            format!("IRQ {label} has more counts than the header has CPUs; the extra ones are read as text"),
        ));
    }
}

pub fn parse_softirqs(text: &str) -> Parsed<Softirqs> {
    let mut problems = Vec::new();
    let mut cpus: Option<(usize, Vec<u32>)> = None;
    let mut warned_no_header = false;
    let mut rows: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();

    for (n, line) in numbered_lines(text) {
        let t = line.trim();
        if t.is_empty() || take_header(n, t, &mut cpus, &mut problems) {
            continue;
        }
        let Some((label, counts)) = softirq_row(n, line, &mut problems) else {
            continue;
        };
        match &cpus {
            Some((_, c)) if c.len() != counts.len() => problems.push(Problem::warning(
                n,
                format!(
                    "softirq {label} has {} counts but the header has {} CPUs",
                    counts.len(),
                    c.len()
                ),
            )),
            Some(_) => {}
            None => warn_no_header_once(n, &mut warned_no_header, &mut problems),
        }
        if let Some(first) = seen.insert(label.to_string(), n) {
            problems.push(Problem::warning(
                n,
                format!("softirq {label} already appeared on line {first}; the later row is kept"),
            ));
        }
        rows.insert(label.to_string(), counts);
    }
    if cpus.is_none() && rows.is_empty() {
        problems.push(Problem::error(
            0,
            "no /proc/softirqs content: expected a `CPU0 CPU1 …` header and rows",
        ));
    }
    let cpus = cpus.map(|(_, c)| c).unwrap_or_default();
    Parsed::new(Softirqs { cpus, rows }, problems)
}

/// One `NAME: counts…` row; `None` (reported) when it has no label, no counts, or a token
/// that is not a count (softirq rows have no description, so every token must be one).
fn softirq_row<'l>(
    n: usize,
    line: &'l str,
    problems: &mut Vec<Problem>,
) -> Option<(&'l str, Vec<u64>)> {
    let Ok((rest, label)) = row_label(line) else {
        problems.push(Problem::warning(
            n,
            format!("expected `NAME: counts…`, found {:?}", line.trim()),
        ));
        return None;
    };
    let mut counts = Vec::new();
    for tok in rest.split_whitespace() {
        let Some(v) = token_u64(tok) else {
            problems.push(Problem::warning(
                n,
                format!(
                    "softirq {label}: {tok:?} is not a count (or does not fit in u64); row skipped"
                ),
            ));
            return None;
        };
        counts.push(v);
    }
    if counts.is_empty() {
        problems.push(Problem::warning(
            n,
            format!("softirq {label} has no counts; row skipped"),
        ));
        return None;
    }
    Some((label, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};
    use crate::Severity;

    const SB_IRQ: &str = fixture!("interrupts", "sandbox-6.18.44.interrupts");
    const SB_SOFT: &str = fixture!("interrupts", "sandbox-6.18.44.softirqs");
    const COREOS_IRQ: &str = fixture!("interrupts", "coreos-master1-4.18.0-80.interrupts");
    const COREOS_SOFT: &str = fixture!("interrupts", "coreos-master1-4.18.0-80.softirqs");
    const X86: &str = fixture!(
        "interrupts",
        "constructed-x86-5.14-cpu1-cpu4-offline.interrupts"
    );
    const RHEL6: &str = fixture!("interrupts", "constructed-rhel6-2.6.32.interrupts");
    const ARM64: &str = fixture!("interrupts", "constructed-arm64-5.10.interrupts");
    const SOFT_OFFLINE: &str = fixture!("interrupts", "constructed-3.10-cpu1-offline.softirqs");

    /// The fixtures of one kind, by file extension (`.interrupts` or `.softirqs`).
    fn of_kind(extension: &str) -> Vec<String> {
        fixtures("interrupts")
            .into_iter()
            .filter(|(name, _)| name.ends_with(extension))
            .map(|(_, text)| text)
            .collect()
    }

    fn clean(text: &str) -> Interrupts {
        crate::test_support::clean(parse_interrupts(text))
    }

    fn row<'a>(v: &'a Interrupts, irq: &str) -> &'a IrqRow {
        v.rows
            .iter()
            .find(|r| r.irq == irq)
            .unwrap_or_else(|| panic!("no IRQ {irq}"))
    }

    fn lines<T>(p: &Parsed<T>) -> Vec<usize> {
        p.problems.iter().map(|q| q.line).collect()
    }

    #[test]
    fn sandbox_6_18_virtio_guest() {
        let v = clean(SB_IRQ);
        assert_eq!(v.cpus, [0, 1]);
        assert_eq!(v.rows.len(), 35); // 36 lines minus the header
        let r = row(&v, "24");
        assert_eq!(r.counts, [1, 0]);
        assert_eq!(r.description, "IO-APIC 5-edge ACPI:Ged");
        assert_eq!(r.names, ["ACPI:Ged"]);
        assert_eq!(r.line, 2);
        let r = row(&v, "31");
        assert_eq!(r.counts, [0, 441]);
        assert_eq!(r.description, "PCI-MSIX-0000:00:01.0 3-edge virtio0-stats");
        assert_eq!(row(&v, "38").names, ["virtio2-input.0"]);
        assert_eq!(row(&v, "38").counts, [0, 2717]);
        assert_eq!(row(&v, "39").counts, [2512, 0]);
        let rx: Vec<(&str, &[u64])> = v
            .rows_named("virtio3-rx")
            .map(|r| (r.irq.as_str(), r.counts.as_slice()))
            .collect();
        assert_eq!(rx, [("41", &[2556u64, 0][..])]);
        assert_eq!(row(&v, "42").total(), 6404);
        let loc = row(&v, "LOC");
        assert_eq!(loc.counts, [491_642, 489_232]);
        assert_eq!(loc.description, "Local timer interrupts");
        assert!(loc.names.is_empty());
        assert!(!loc.is_numbered());
        assert_eq!(row(&v, "CAL").counts, [140_178, 123_378]);
        let err = row(&v, "ERR");
        assert_eq!(
            (err.counts.as_slice(), err.description.as_str()),
            (&[0u64][..], "")
        );
        assert_eq!(row(&v, "PIW").line, 36);
    }

    #[test]
    fn coreos_4_18_hyperv() {
        let v = clean(COREOS_IRQ);
        assert_eq!(v.cpus, [0, 1]);
        assert_eq!(v.rows.len(), 24);
        let r = row(&v, "8");
        assert_eq!(
            (r.counts.as_slice(), r.names.as_slice()),
            (&[0u64, 1][..], &["rtc0".to_string()][..])
        );
        let r = row(&v, "9");
        assert_eq!(r.description, "IO-APIC 9-fasteoi acpi");
        assert_eq!(r.names, ["acpi"]);
        assert_eq!(row(&v, "RES").counts, [483_259, 470_584]);
        assert_eq!(row(&v, "HVS").counts, [1_065_446, 1_097_106]);
        assert_eq!(row(&v, "HVS").description, "Hyper-V stimer0 interrupts");
        assert_eq!(row(&v, "MCP").counts, [7, 7]);
        assert_eq!(row(&v, "MIS").counts, [0]);
    }

    #[test]
    fn constructed_x86_offline_cpus_and_driver_names() {
        let v = clean(X86);
        assert_eq!(v.cpus, [0, 2, 3, 5]);
        let r = row(&v, "97");
        assert_eq!(r.names, ["i40e-eth0-TxRx-1"]);
        assert_eq!(v.count_on_cpu(r, 2), Some(2_233_445_566));
        assert_eq!(v.count_on_cpu(r, 5), Some(9));
        assert_eq!(v.count_on_cpu(r, 1), None); // offline
        assert_eq!(row(&v, "96").total(), 4_123_456_789 + 17);
        assert!(row(&v, "7").names.is_empty()); // no handler
        assert_eq!(row(&v, "7").description, "IO-APIC 7-fasteoi");
        assert_eq!(row(&v, "16").names, ["i801_smbus", "ehci_hcd:usb1"]);
        assert_eq!(row(&v, "95").names, ["i40e-0000:3b:00.0:misc"]);
        let mlx: Vec<&str> = v
            .rows
            .iter()
            .flat_map(|r| r.names.iter())
            .filter(|n| n.starts_with("mlx5_"))
            .map(String::as_str)
            .collect();
        assert_eq!(
            mlx,
            [
                "mlx5_async0@pci:0000:af:00.0",
                "mlx5_comp0@pci:0000:af:00.0",
                "mlx5_comp5@pci:0000:af:00.0"
            ]
        );
        assert_eq!(row(&v, "126").counts, [0, 0, 12, 777]);
        let virtio = v.rows_named("virtio0-input.0").next().unwrap();
        assert_eq!(
            (virtio.irq.as_str(), virtio.counts.as_slice()),
            ("1150", &[0u64, 0, 0, 31337][..])
        );
        assert_eq!(row(&v, "1151").names, ["eth2-TxRx-3"]);
        assert_eq!(
            row(&v, "LOC").counts,
            [987_654_321, 876_543_210, 765_432_109, 654_321_098]
        );
        assert_eq!(row(&v, "MIS").counts, [3]);
    }

    #[test]
    fn constructed_old_and_arm64_layouts() {
        let v = clean(RHEL6);
        assert_eq!(v.cpus, [0, 1]);
        let r = row(&v, "16");
        assert_eq!(
            r.description,
            "IO-APIC-fasteoi ehci_hcd:usb1, uhci_hcd:usb2"
        );
        assert_eq!(r.names, ["ehci_hcd:usb1", "uhci_hcd:usb2"]);
        assert_eq!(r.counts, [12345, 67]);
        assert_eq!(row(&v, "48").names, ["eth0-TxRx-0"]);
        assert_eq!(row(&v, "49").counts, [0, 7_654_321]);
        assert_eq!(row(&v, "0").names, ["timer"]);
        assert_eq!(row(&v, "LOC").counts, [123_456_789, 98_765_432]);

        let v = clean(ARM64);
        assert_eq!(v.cpus, [0, 1, 2, 3]);
        let r = row(&v, "11");
        assert_eq!(r.description, "GICv3 27 Level arch_timer");
        assert_eq!(r.names, ["arch_timer"]);
        assert_eq!(r.counts, [1_234_567, 2_345_678, 3_456_789, 4_567_890]);
        assert_eq!(row(&v, "45").names, ["ena-mgmnt@pci:0000:00:05.0"]);
        assert_eq!(row(&v, "46").names, ["eth0-Tx-Rx-0"]);
        let ipi = row(&v, "IPI0");
        assert_eq!(ipi.counts, [12345, 23456, 34567, 45678]);
        assert_eq!(ipi.description, "Rescheduling interrupts");
        assert!(ipi.names.is_empty());
        assert_eq!(row(&v, "IPI2").description, "CPU stop interrupts");
        assert_eq!(row(&v, "Err").counts, [0]);
    }

    #[test]
    fn name_extraction_variants() {
        let names = |d: &str| action_names(&d.split_whitespace().collect::<Vec<_>>());
        assert_eq!(names("PCI-MSI 524288-edge eth0-TxRx-0"), ["eth0-TxRx-0"]);
        assert_eq!(names("xen-pirq -ioapic-level acpi"), ["acpi"]);
        assert_eq!(names("xen-percpu -virq timer0"), ["timer0"]);
        assert_eq!(names("IO-APIC 2-edge"), Vec::<String>::new());
        assert_eq!(names("IO-APIC"), Vec::<String>::new());
        assert_eq!(names(""), Vec::<String>::new());
        assert_eq!(names("GICv3 30 Level -fasteoi arch_timer"), ["arch_timer"]);
        assert_eq!(names("XT-PIC timer, cascade"), ["timer", "cascade"]);
    }

    #[test]
    fn interrupts_problems() {
        let text = "\
garbage line
           CPU0       CPU1
  5:   1
  6:   1   2   3   IO-APIC   6-edge   foo
  7:  x y
 24:  99999999999999999999  0  IO-APIC
  5:   3   4  IO-APIC  5-edge  bar
LOC:  1
           CPU0       CPU1
           CPU0       CPU2
           CPU0       CPUx
";
        let p = parse_interrupts(text);
        // 1: not a row; 3: one count; 4: more counts than CPUs; 5: no counts (skipped);
        // 6: overflow (skipped); 7: IRQ 5 again; 9/10: second headers; 11: bad header token.
        assert_eq!(lines(&p), [1, 3, 4, 5, 6, 7, 9, 10, 11]);
        assert!(p.problems.iter().all(|q| q.severity == Severity::Warning));
        let v = p.value;
        assert_eq!(v.cpus, [0, 1]);
        let irqs: Vec<&str> = v.rows.iter().map(|r| r.irq.as_str()).collect();
        assert_eq!(irqs, ["5", "6", "5", "LOC"]);
        assert_eq!(v.rows[1].counts, [1, 2]);
        assert_eq!(v.rows[1].description, "3 IO-APIC 6-edge foo");
        assert_eq!(v.rows[2].names, ["bar"]);
        assert_eq!(v.rows[3].counts, [1]);

        // no header: an error, rows still read with every leading number
        let p = parse_interrupts(" 5:  1  2  3  IO-APIC  5-edge  eth0\n");
        assert_eq!(lines(&p), [1]);
        assert_eq!(p.problems[0].severity, Severity::Error);
        assert_eq!(p.value.rows[0].counts, [1, 2, 3]);
        assert_eq!(p.value.rows[0].names, ["eth0"]);

        let p = parse_interrupts("");
        assert_eq!(lines(&p), [0]);
        assert_eq!(p.problems[0].severity, Severity::Error);
        let p = parse_interrupts("cat: /proc/interrupts: No such file or directory\n");
        assert_eq!(lines(&p), [1, 0]);
    }

    #[test]
    fn softirqs_real_and_constructed() {
        let p = parse_softirqs(SB_SOFT);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let v = p.value;
        assert_eq!(v.cpus, [0, 1]);
        assert_eq!(v.rows.len(), 10);
        assert_eq!(v.rows["NET_RX"], [126_111, 261_859]);
        assert_eq!(v.total("NET_RX"), Some(387_970));
        assert_eq!(v.rows["BLOCK"], [0, 52564]);
        assert_eq!(v.rows["NET_TX"], [18, 5]);
        assert_eq!(v.total("NOPE"), None);

        let p = parse_softirqs(COREOS_SOFT);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.rows["NET_RX"], [232_746, 202_453]);
        assert_eq!(p.value.rows["TIMER"], [499_384, 537_983]);
        assert_eq!(p.value.rows["TASKLET"], [28266, 91]);

        let p = parse_softirqs(SOFT_OFFLINE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.value.cpus, [0, 2, 3]);
        assert_eq!(p.value.rows["NET_RX"], [4_000_000_000, 5, 123_456]);
        assert_eq!(p.value.rows["BLOCK_IOPOLL"], [0, 0, 0]);
        assert_eq!(p.value.rows.len(), 10);
    }

    #[test]
    fn softirqs_problems() {
        let text = "\
                    CPU0       CPU1
      NET_RX:          1          2          3
      NET_TX:          1          x
          HI:          1          2
          HI:          3          4
junk
";
        let p = parse_softirqs(text);
        assert_eq!(lines(&p), [2, 3, 5, 6]);
        assert_eq!(p.value.rows["NET_RX"], [1, 2, 3]);
        assert!(!p.value.rows.contains_key("NET_TX"));
        assert_eq!(p.value.rows["HI"], [3, 4]);

        let p = parse_softirqs("NET_RX: 1 2\n");
        assert_eq!(lines(&p), [1]);
        assert_eq!(p.problems[0].severity, Severity::Error);
        assert_eq!(p.value.rows["NET_RX"], [1, 2]);
        let p = parse_softirqs("\n\n");
        assert_eq!(lines(&p), [0]);
        let p = parse_softirqs("CPU0\nNET_RX:\n");
        assert_eq!(lines(&p), [2]);
        assert!(p.value.rows.is_empty());
    }

    #[test]
    fn crlf_and_collapsed_whitespace_read_the_same() {
        for text in &of_kind(".interrupts") {
            let base = parse_interrupts(text);
            assert_eq!(parse_interrupts(&text.replace('\n', "\r\n")), base);
            let collapsed: String = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
                .collect();
            assert_eq!(parse_interrupts(&collapsed), base);
        }
        for text in &of_kind(".softirqs") {
            let base = parse_softirqs(text);
            assert_eq!(parse_softirqs(&text.replace('\n', "\r\n")), base);
        }
    }

    /// Byte offsets of about `n` char boundaries spread over `text`.
    fn sample_boundaries(text: &str, n: usize) -> Vec<usize> {
        let step = (text.len() / n).max(1);
        (0..text.len())
            .step_by(step)
            .map(|mut i| {
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                i
            })
            .collect()
    }

    #[test]
    fn never_panics_on_truncations_and_garbage() {
        // Every line boundary (with and without the newline) and ~25 char boundaries per fixture,
        // as prefixes and suffixes. (Debug-build `str` iteration is slow: a denser sample would
        // take seconds.)
        let mut checked = 0usize;
        let irq_texts = of_kind(".interrupts");
        let soft_texts = of_kind(".softirqs");
        let fixtures = irq_texts
            .iter()
            .map(|t| (t.as_str(), true))
            .chain(soft_texts.iter().map(|t| (t.as_str(), false)));
        for (text, irq) in fixtures {
            let parse = |t: &str| {
                if irq {
                    let _ = parse_interrupts(t);
                } else {
                    let _ = parse_softirqs(t);
                }
            };
            // the other parser on the whole text
            if irq {
                let _ = parse_softirqs(text);
            } else {
                let _ = parse_interrupts(text);
            }
            let mut end = 0;
            for line in text.split_inclusive('\n') {
                end += line.len();
                parse(&text[..end]);
                parse(&text[..end - 1]);
                checked += 1;
            }
            for i in sample_boundaries(text, 25) {
                parse(&text[..i]);
                parse(&text[i..]);
                checked += 1;
            }
        }
        assert!(checked > 300, "{checked}");
        for g in [
            "",
            ":",
            "::",
            "CPU",
            "CPU4294967296",
            "CPU0\n0:",
            "CPU0\n0: 1 2 3",
            "CPU0 CPU1\nx: -1",
            "CPU0\n 1: 1 a -",
            "CPU0\n 1: 1 a 1-",
            "CPU0\n 1: 1 a - , , ,",
            "CPU0\n é: 1",
            "\u{0}: 1",
            "\r\r\n",
            "CPU0\nNET_RX: 99999999999999999999999",
        ] {
            let _ = parse_interrupts(g);
            let _ = parse_softirqs(g);
        }
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        // Both parsers over every capture, its own kind and the other.
        let all = fixtures("interrupts");
        never_panics(&all, parse_interrupts);
        never_panics(&all, parse_softirqs);
    }
}
