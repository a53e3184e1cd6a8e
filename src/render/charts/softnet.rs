//! The chart of a `softnet-backlog-drop` / `softnet-time-squeeze` finding: that CPU's
//! counter per second over the softnet intervals with the other CPUs as faint lines (is one
//! CPU overwhelmed, or all of them?); per-CPU columns when only a since-boot reading exists.

use std::collections::BTreeSet;

use rules::finding::Finding;
use rules::model::{Host, IntervalKind, SoftnetInterval};

use super::columns::{render_columns, Columns};
use super::data::{
    axis_unit, faint_others, interval_axis, interval_seg, is_live, noun_of, softnet_series,
    softnet_value, subject_cpu, unit_text,
};
use super::evidence_bars::evidence_bars;
use super::evidence_steps::evidence_steps;
use super::interface::rate_marks;
use super::lines::{render_lines, Line, LineChart};
use super::svg::human;
use super::time::XAxis;
use super::HOT;

/// One CPU's counter `key` over the intervals, a step per interval.
fn softnet_line(
    ivs: &[&SoftnetInterval],
    axis: XAxis,
    (key, per_second): (&str, bool),
    n: u32,
    label: String,
    color: &'static str,
) -> Line {
    let unit = unit_text(per_second);
    let mut line = Line::new(label, color).with_unit(unit);
    line.segs = ivs
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let span = (d.start.as_ref(), d.end.as_ref(), d.seconds);
            let value = softnet_value(d, n, key, per_second);
            interval_seg(axis, j, span, value, &format!("cpu{n} {key}"), unit)
        })
        .collect();
    line
}

/// The finding's CPU (when the subject names one) and the other CPUs, busiest first, as
/// faint context.
fn cpu_lines(
    ivs: &[&SoftnetInterval],
    axis: XAxis,
    (key, per_second): (&str, bool),
    cpu: Option<u32>,
    cpus: &BTreeSet<u32>,
) -> Vec<Line> {
    let line_of = |n: u32, label: String, color: &'static str| {
        softnet_line(ivs, axis, (key, per_second), n, label, color)
    };
    let mut lines = Vec::new();
    if let Some(n) = cpu {
        lines.push(line_of(n, format!("cpu{n} {key}"), HOT));
    }
    let others: Vec<(u32, f64)> = cpus
        .iter()
        .filter(|n| Some(**n) != cpu)
        .map(|n| {
            let total: f64 = ivs
                .iter()
                .filter_map(|d| softnet_value(d, *n, key, false))
                .sum();
            (*n, total)
        })
        .collect();
    lines.extend(faint_others(others, line_of));
    lines
}

pub(super) fn softnet_chart(host: &Host, f: &Finding, key: &str) -> Option<String> {
    let cpu = subject_cpu(&f.subject);
    if !f.evidence.iter().any(is_live) {
        return softnet_since_boot(host, key, cpu);
    }
    let ivs = softnet_series(host, &f.evidence);
    if ivs.is_empty() {
        return evidence_steps(f).or_else(|| evidence_bars(f));
    }
    let axis = interval_axis(ivs.iter().map(|d| (d.start.as_ref(), d.end.as_ref())));
    let per_second = ivs.iter().filter(|d| !d.reset).all(|d| {
        d.seconds.is_some_and(|s| s > 0.0) || d.cpus.iter().all(|c| c.rates.contains_key(key))
    });
    let unit = unit_text(per_second);
    let cpus: BTreeSet<u32> = ivs
        .iter()
        .flat_map(|d| d.cpus.iter().map(|c| c.cpu))
        .collect();
    let lines = cpu_lines(&ivs, axis, (key, per_second), cpu, &cpus);
    let peak = lines
        .first()
        .map_or(0.0, |l| l.values().fold(0.0f64, f64::max));
    render_lines(&LineChart {
        kind: "softnet",
        title: format!(
            "{}: softnet {key} per {} per CPU",
            f.subject,
            if per_second { "second" } else { "interval" }
        ),
        desc: format!(
            "softnet_stat {key} of {} over {} interval(s), peak {}{unit}; {} other CPU(s) in grey.",
            f.subject,
            ivs.len(),
            human(peak),
            cpus.len().saturating_sub(usize::from(cpu.is_some()))
        ),
        y_unit: axis_unit([key], per_second),
        y2_unit: String::new(),
        axis,
        lines,
        marks: if per_second {
            rate_marks(f.rule)
        } else {
            Vec::new()
        },
        note: String::new(),
        split: true,
    })
}

/// One since-boot reading of a softnet counter, per CPU.
struct SinceBoot {
    /// (cpu label, value, is the finding's CPU)
    items: Vec<(String, f64, bool)>,
    /// Averages per second since boot (the uptime is known), else totals.
    per_second: bool,
    source: String,
}

/// The per-CPU values of a since-boot reading of `key`: the timeline's since-boot (or
/// snapshot) interval, else the last raw sample's totals.
fn since_boot_items(host: &Host, key: &str, hot: Option<u32>) -> Option<SinceBoot> {
    let boot = host
        .softnet_deltas
        .iter()
        .find(|d| matches!(d.kind, IntervalKind::SinceBoot | IntervalKind::Snapshot));
    if let Some(d) = boot {
        let per_second = d.seconds.is_some_and(|s| s > 0.0);
        let items = d
            .cpus
            .iter()
            .map(|cp| {
                let v = if per_second {
                    cp.rates.get(key).copied()
                } else {
                    cp.deltas.get(key).map(|v| *v as f64)
                };
                let label = format!("cpu{}", cp.cpu);
                (label, v.unwrap_or(0.0), Some(cp.cpu) == hot)
            })
            .collect();
        return Some(SinceBoot {
            items,
            per_second,
            source: d.end_source.clone(),
        });
    }
    let s = host.softnet.last()?;
    let items = s
        .cpus
        .iter()
        .map(|cp| {
            let v = match key {
                "dropped" => cp.dropped,
                "time_squeeze" => cp.time_squeeze,
                _ => cp.processed,
            };
            (format!("cpu{}", cp.cpu), v as f64, Some(cp.cpu) == hot)
        })
        .collect();
    Some(SinceBoot {
        items,
        per_second: false,
        source: s.source.clone(),
    })
}

/// Per-CPU columns of a since-boot softnet average (or totals without an uptime).
pub(super) fn softnet_since_boot(host: &Host, key: &str, hot: Option<u32>) -> Option<String> {
    let SinceBoot {
        items,
        per_second,
        source,
    } = since_boot_items(host, key, hot)?;
    if items.is_empty() {
        return None;
    }
    let what = if per_second {
        "average per second since boot"
    } else {
        "total since boot"
    };
    render_columns(&Columns {
        kind: "softnet",
        title: format!("softnet {key} per CPU, {what}"),
        desc: format!("One reading of {source}: softnet {key} per CPU, {what} (no samples during the capture)."),
        y_unit: if per_second {
            axis_unit([key], true)
        } else {
            format!("{} (total)", noun_of(key))
        },
        caption: format!("{what} · one reading, not a trend"),
        hot_label: hot.map_or_else(|| format!("{key} per CPU"), |n| format!("cpu{n}")),
        rest_label: "other CPUs".into(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, finding_of, polylines, softnet, well_formed};
    use crate::render::charts::{for_finding, softnet_heatmap};
    use rules::model::Host;

    #[test]
    fn softnet_findings_plot_the_cpu_against_the_others() {
        let mut host = Host::new("synthetic");
        host.softnet = vec![
            softnet(at(0), 1, &[(1000, 0, 0), (1000, 0, 0)]),
            softnet(at(10), 2, &[(90_000, 5_000, 900), (2000, 0, 0)]),
            softnet(at(20), 3, &[(190_000, 12_000, 2000), (3000, 0, 1)]),
        ];
        rules::timeline::compute(&mut host);
        let f = finding_of(&host, "softnet-backlog-drop");
        assert_eq!(f.subject, "cpu0");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        // cpu1 (faint, drawn first) never dropped: a flat line, its two ends; then cpu0's
        // two steps.
        assert_eq!(polylines(&svg), vec![2, 4]);
        // cpu0 dropped 5000 in 10 s, then 7000: 500/s and 700/s; the y axis counts drops;
        // the rule's warning (1/s) is too close to 0 to draw, critical 100/s is drawn.
        assert!(
            svg.contains("cpu0 dropped — max 700/s, mean 600/s") && svg.contains(">drops/s<"),
            "{svg}"
        );
        assert!(svg.contains(">critical 100/s<") && svg.contains("warning 1/s ↓ near 0"));
        let heat = softnet_heatmap(&host, "dropped").unwrap();
        well_formed(&heat);
        // cpu0 dropped in both intervals: two coloured cells, 500/s and 700/s at different
        // opacity steps (cpu1 never dropped), and the legend's 5 swatches.
        assert_eq!(heat.matches("<rect x=").count(), 2 + 5, "{heat}");
        assert_eq!(heat.matches("<title>cpu0 ").count(), 2, "{heat}");
        assert!(!heat.contains("<title>cpu1 "));
        assert!(softnet_heatmap(&host, "received_rps").is_none());
        // A since-boot-only reading: columns, no line.
        let mut boot = Host::new("synthetic");
        boot.uptime_seconds = Some(1000);
        boot.collected_at = at(0);
        boot.softnet = vec![softnet(at(0), 1, &[(1_000_000, 50_000, 9_000), (10, 0, 0)])];
        rules::timeline::compute(&mut boot);
        let f = finding_of(&boot, "softnet-backlog-drop");
        let svg = for_finding(&boot, &f).unwrap();
        well_formed(&svg);
        assert!(
            !svg.contains("<polyline") && svg.contains("since boot"),
            "{svg}"
        );
        assert!(
            svg.contains("cpu0: 50 drops/s") && svg.contains(">drops/s<"),
            "{svg}"
        );
    }
}
