//! Horizontal bars: since-boot figures and comparisons of a few numbers (one reading is a
//! bar, never a line, so a single value does not pass for a trend).
//!
//! Bars of one unit share a scale; a bar of another unit is scaled on its own, so that a
//! rate and a total can sit in one chart without one flattening the other.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::svg::{c, escape, open, short, text, W};

pub(super) struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as printed after the bar.
    pub text: String,
    /// Bars of one unit share a scale; bars of another unit are scaled on their own.
    pub unit: String,
    pub color: &'static str,
}

pub(super) struct BarChart {
    pub kind: &'static str,
    pub title: String,
    pub desc: String,
    /// Printed above the bars: what the numbers are (e.g. "average per second since boot").
    pub caption: String,
    pub bars: Vec<Bar>,
    /// The value of a full bar (e.g. 100 for a percentage); else the largest of each unit.
    pub full_scale: Option<f64>,
}

const ROW: f64 = 26.0;
const FIRST: f64 = 30.0;
const LABEL_W: f64 = 170.0;
const VALUE_W: f64 = 90.0;

pub(super) fn render_bars(chart: &BarChart) -> Option<String> {
    if chart.bars.is_empty() {
        return None;
    }
    let height = (FIRST + ROW * chart.bars.len() as f64 + 8.0).max(70.0);
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &chart.desc);
    text(
        &mut out,
        4.0,
        17.0,
        "start",
        "caption",
        &short(&chart.caption, 62),
    );
    let mut max_by_unit: BTreeMap<&str, f64> = BTreeMap::new();
    for b in &chart.bars {
        let e = max_by_unit.entry(b.unit.as_str()).or_insert(0.0);
        *e = e.max(drawn(b.value));
    }
    for (i, b) in chart.bars.iter().enumerate() {
        let max = chart
            .full_scale
            .unwrap_or_else(|| max_by_unit.get(b.unit.as_str()).copied().unwrap_or(0.0));
        bar(&mut out, FIRST + ROW * i as f64, b, max);
    }
    out.push_str("</svg>");
    Some(out)
}

/// The length a value is drawn at: negative and non-finite values as 0.
fn drawn(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

/// One bar at `y`: label, track, bar (scaled so that `max` fills the track) and value.
fn bar(out: &mut String, y: f64, b: &Bar, max: f64) {
    let full = W - LABEL_W - VALUE_W - 8.0;
    let v = drawn(b.value);
    let len = if max > 0.0 { v / max * full } else { 0.0 };
    let _ = write!(
        out,
        "<g class=\"bar\"><title>{}: {}</title>",
        short(&b.label, 200),
        escape(&b.text)
    );
    text(
        out,
        LABEL_W - 6.0,
        y + 13.0,
        "end",
        "bar-label",
        &short(&b.label, 21),
    );
    // The track shows the scale; the bar at least a hairline so a zero still reads as 0.
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"currentColor\" fill-opacity=\"0.07\"/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\"/>",
        c(LABEL_W),
        c(y),
        c(full),
        c(LABEL_W),
        c(y),
        c(len.max(1.0)),
        b.color
    );
    text(
        out,
        LABEL_W + full + 6.0,
        y + 13.0,
        "start",
        "bar-value",
        &short(&b.text, 11),
    );
    out.push_str("</g>");
}
