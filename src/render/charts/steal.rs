//! The chart of a `cpu-steal` finding: steal % per `top`/`sar` frame, one line per source,
//! with the rule's warning and critical thresholds marked; a single reading is a bar.

use std::collections::BTreeMap;

use rules::finding::Finding;
use rules::model::{CpuSample, Host};
use rules::thresholds::{STEAL_CRIT_PCT, STEAL_WARN_PCT};
use rules::timeline::series_of;

use super::bars::{render_bars, Bar, BarChart};
use super::data::{frame_axis, frame_points, steal_of, steal_samples};
use super::evidence_bars::evidence_bars;
use super::lines::{render_lines, Line, LineChart};
use super::svg::human;
use super::time::XAxis;
use super::{MAX_METRICS, PALETTE, STEAL};

/// The frames with a steal reading, by series, with their steal.
type Readings<'a> = BTreeMap<&'a str, Vec<(&'a CpuSample, f64)>>;

pub(super) fn steal_chart(host: &Host, f: &Finding) -> Option<String> {
    let mut by_series: Readings = BTreeMap::new();
    for s in steal_samples(host) {
        if let Some(st) = steal_of(s) {
            by_series
                .entry(series_of(&s.source))
                .or_default()
                .push((s, st));
        }
    }
    let total: usize = by_series.values().map(Vec::len).sum();
    if total == 0 {
        return evidence_bars(f);
    }
    if total == 1 {
        let (series, readings) = by_series.iter().next()?;
        return single_reading(series, readings[0].1);
    }
    let all: Vec<&CpuSample> = by_series.values().flatten().map(|r| r.0).collect();
    let axis = frame_axis(&all);
    let peak = by_series
        .values()
        .flatten()
        .map(|r| r.1)
        .fold(0.0f64, f64::max);
    render_lines(&LineChart {
        kind: "steal",
        title: format!("CPU steal per reading, peak {} %", human(peak)),
        desc: format!(
            "Steal % of {total} reading(s); warning at {} %, critical at {} %.",
            human(STEAL_WARN_PCT),
            human(STEAL_CRIT_PCT)
        ),
        y_unit: "% CPU (steal)".into(),
        y2_unit: String::new(),
        axis,
        split: false,
        lines: steal_lines(&by_series, axis),
        marks: vec![
            (
                STEAL_WARN_PCT,
                format!("warning {} %", human(STEAL_WARN_PCT)),
            ),
            (
                STEAL_CRIT_PCT,
                format!("critical {} %", human(STEAL_CRIT_PCT)),
            ),
        ],
        note: String::new(),
    })
}

/// One reading is a bar of 100 % of CPU time, not a trend.
fn single_reading(series: &str, st: f64) -> Option<String> {
    render_bars(&BarChart {
        kind: "steal",
        title: format!("CPU steal: {} % in the only reading", human(st)),
        desc: format!("One reading of {series}: steal {} %.", human(st)),
        caption: "a single reading, not a trend · full bar = 100 % of CPU time".into(),
        bars: vec![Bar {
            label: "steal (st)".into(),
            value: st,
            text: format!("{} %", human(st)),
            unit: "%".into(),
            color: STEAL,
        }],
        full_scale: Some(100.0),
    })
}

/// A line of points per series (the source named only when there are several).
fn steal_lines(by_series: &Readings, axis: XAxis) -> Vec<Line> {
    let mut lines = Vec::new();
    for (k, (series, readings)) in by_series.iter().take(MAX_METRICS).enumerate() {
        let label = if by_series.len() == 1 {
            "steal".to_string()
        } else {
            format!("steal ({series})")
        };
        let color = if k == 0 {
            STEAL
        } else {
            PALETTE[k % PALETTE.len()]
        };
        let mut line = Line::new(label, color).with_unit(" %");
        let frames: Vec<&CpuSample> = readings.iter().map(|r| r.0).collect();
        line.segs = frame_points(&frames, axis, steal_of, |s, when, st| {
            format!("{when} · steal: {} % ({})", human(st), s.source)
        });
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{cpu_frame, finding_of, guest_host, polylines, well_formed};
    use crate::render::charts::for_finding;
    use rules::model::Host;

    #[test]
    fn steal_frames_are_a_line_per_sample_with_thresholds() {
        let host = guest_host();
        let f = finding_of(&host, "cpu-steal");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert_eq!(polylines(&svg), vec![4]);
        assert!(svg.contains("warning 10 %") && svg.contains("critical 30 %"));
    }

    #[test]
    fn a_single_steal_reading_is_a_bar() {
        let mut one = Host::new("g");
        one.cpu.push(cpu_frame(None, 1, 45.4, &[1.0]));
        let f = finding_of(&one, "cpu-steal");
        let svg = for_finding(&one, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"));
    }
}
