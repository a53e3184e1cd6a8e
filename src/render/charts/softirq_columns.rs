//! Per-CPU columns for a `softirq-single-cpu` finding when there are no per-CPU `si`
//! frames: NET_RX softirqs or NIC queue interrupts per CPU summed over the intervals
//! between readings, or one reading's since-boot distribution.
//!
//! A sum over intervals answers the finding's question directly: what share of the receive
//! work landed on the hot CPU.

use std::collections::BTreeMap;

use rules::finding::Finding;
use rules::model::{Host, PerCpuInterval};

use super::columns::{render_columns, Columns};
use super::svg::human;

pub(super) fn net_rx_columns(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
    let live_rx: Vec<&PerCpuInterval> = host
        .softirqs_deltas
        .iter()
        .filter(|iv| !iv.reset && iv.rows.contains_key("NET_RX"))
        .collect();
    if live_rx.is_empty() {
        return None;
    }
    per_cpu_columns(&live_rx, hot, Some("NET_RX"), "NET_RX softirqs", &f.subject)
}

pub(super) fn irq_columns(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
    let live_irq: Vec<&PerCpuInterval> = host
        .interrupts_deltas
        .iter()
        .filter(|iv| !iv.reset && !iv.rows.is_empty())
        .collect();
    if live_irq.is_empty() {
        return None;
    }
    per_cpu_columns(&live_irq, hot, None, "NIC queue interrupts", &f.subject)
}

/// One reading only: its since-boot distribution of NET_RX (per second with an uptime).
pub(super) fn net_rx_since_boot(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
    let last = host.softirqs.last()?;
    let row = last.rows.get("NET_RX")?;
    let uptime = host.uptime_seconds.filter(|u| *u > 0).map(|u| u as f64);
    let items = last
        .cpus
        .iter()
        .zip(row)
        .map(|(n, v)| {
            let v = *v as f64;
            (
                format!("cpu{n}"),
                uptime.map_or(v, |u| v / u),
                Some(*n) == hot,
            )
        })
        .collect();
    let what = if uptime.is_some() {
        "average per second since boot"
    } else {
        "total since boot"
    };
    render_columns(&Columns {
        kind: "softirq",
        title: format!("NET_RX softirqs per CPU, {what}"),
        desc: format!("One reading of {}: NET_RX per CPU, {what}.", last.source),
        y_unit: if uptime.is_some() {
            "NET_RX softirqs/s".into()
        } else {
            "NET_RX softirqs (total)".into()
        },
        caption: format!("{what} · one reading, not a trend"),
        hot_label: f.subject.clone(),
        rest_label: "other CPUs".into(),
        items,
    })
}

/// Events per CPU summed over the intervals (`row` only, or all rows), with the seconds
/// they cover and whether every interval had a length.
fn per_cpu_totals(ivs: &[&PerCpuInterval], row: Option<&str>) -> (BTreeMap<u32, f64>, f64, bool) {
    let mut totals: BTreeMap<u32, f64> = BTreeMap::new();
    let mut seconds = 0.0;
    let mut timed = true;
    for iv in ivs {
        match iv.seconds.filter(|s| s.is_finite() && *s > 0.0) {
            Some(s) => seconds += s,
            None => timed = false,
        }
        for (name, counts) in &iv.rows {
            if row.is_some_and(|r| r != name) {
                continue;
            }
            for (n, v) in iv.cpus.iter().zip(counts) {
                *totals.entry(*n).or_default() += *v as f64;
            }
        }
    }
    (totals, seconds, timed)
}

/// Columns per CPU of events per second summed over live per-CPU intervals (`row` only, or
/// all rows summed).
fn per_cpu_columns(
    ivs: &[&PerCpuInterval],
    hot: Option<u32>,
    row: Option<&str>,
    what: &str,
    subject: &str,
) -> Option<String> {
    let (totals, seconds, timed) = per_cpu_totals(ivs, row);
    let per_second = timed && seconds > 0.0;
    let items: Vec<(String, f64, bool)> = totals
        .iter()
        .map(|(n, v)| {
            let v = if per_second { v / seconds } else { *v };
            (format!("cpu{n}"), v, Some(*n) == hot)
        })
        .collect();
    let sum: f64 = items.iter().map(|i| i.1).sum();
    let share = items
        .iter()
        .find(|i| i.2)
        .filter(|_| sum > 0.0)
        .map(|i| i.1 / sum * 100.0);
    let took = |s: f64| format!("; {subject} took {} % of them", human(s));
    let of_all = |s: f64| format!(" · {subject}: {} % of all", human(s));
    render_columns(&Columns {
        kind: "softirq",
        title: format!(
            "{what} per CPU{}",
            if per_second {
                " per second"
            } else {
                " between readings"
            }
        ),
        desc: format!(
            "{what} per CPU over {} interval(s){}.",
            ivs.len(),
            share.map_or(String::new(), took)
        ),
        y_unit: if per_second {
            format!("{what}/s")
        } else {
            format!("{what} per interval")
        },
        caption: format!(
            "{} interval(s){}{}",
            ivs.len(),
            if per_second {
                format!(", {} s in all", human(seconds))
            } else {
                String::new()
            },
            share.map_or(String::new(), of_all)
        ),
        hot_label: subject.to_string(),
        rest_label: "other CPUs".into(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, quiet_tap_finding, well_formed};
    use super::net_rx_columns;
    use rules::model::{Host, PerCpuInterval};

    /// Synthetic: 10 s of NET_RX softirqs on cpu0 and cpu1, ending `end` s after the start.
    fn net_rx(end: u32, counts: [u64; 2], reset: bool) -> PerCpuInterval {
        PerCpuInterval {
            series: "softirqs.log".into(),
            start: at(end - 10),
            end: at(end),
            start_source: String::new(),
            end_source: String::new(),
            seconds: Some(10.0),
            reset,
            cpus: vec![0, 1],
            rows: [("NET_RX".to_string(), counts.to_vec())]
                .into_iter()
                .collect(),
            merged: 1,
        }
    }

    #[test]
    fn net_rx_columns_sum_the_intervals_per_second_and_name_the_share() {
        let mut host = Host::new("synthetic");
        host.softirqs_deltas = vec![
            net_rx(10, [900, 100], false),
            net_rx(20, [1900, 100], false),
            // Across a counter reset: left out of the sums.
            net_rx(30, [1_000_000, 0], true),
        ];
        let mut f = quiet_tap_finding();
        f.subject = "cpu0".into();
        let svg = net_rx_columns(&host, &f, Some(0)).unwrap();
        well_formed(&svg);
        // cpu0: 2800 in 20 s = 140/s, cpu1: 200 in 20 s = 10/s; cpu0 took 2800 of 3000.
        assert!(svg.contains("NET_RX softirqs per CPU per second"), "{svg}");
        assert!(svg.contains("cpu0: 140 NET_RX softirqs/s"), "{svg}");
        assert!(svg.contains("cpu1: 10 NET_RX softirqs/s"));
        assert!(svg.contains(">NET_RX softirqs/s<"));
        assert!(svg.contains("2 interval(s), 20 s in all · cpu0: 93.3 % of all"));
        assert!(net_rx_columns(&Host::new("empty"), &f, Some(0)).is_none());
    }
}
