//! Columns, one per CPU: how one reading (or a sum over intervals) spreads over the CPUs,
//! with the finding's CPU highlighted against the others.
//!
//! Used where there is no series to draw over time (a since-boot reading, one `top`
//! frame) or where the question is the distribution itself (NET_RX per CPU).

use std::fmt::Write as _;

use super::axes::{caption, column_label, Plot, YScale, H, LEFT, LEGEND_Y};
use super::svg::{c, escape, human, legend_item, open, short};
use super::HOT;

pub(super) struct Columns {
    pub kind: &'static str,
    pub title: String,
    pub desc: String,
    pub y_unit: String,
    pub caption: String,
    /// (label, value, highlighted)
    pub items: Vec<(String, f64, bool)>,
    /// Label for the highlighted column's legend and the rest.
    pub hot_label: String,
    pub rest_label: String,
}

impl Columns {
    fn y_unit_suffix(&self) -> String {
        if self.y_unit.starts_with('%') {
            " %".into()
        } else if self.y_unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.y_unit)
        }
    }

    /// The width each column takes (column and gap).
    fn slot(&self, plot: Plot) -> f64 {
        ((plot.right - LEFT) / self.items.len() as f64).min(64.0)
    }
}

pub(super) fn render_columns(chart: &Columns) -> Option<String> {
    if chart.items.is_empty() {
        return None;
    }
    let max = chart
        .items
        .iter()
        .map(|i| i.1)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let scale = YScale::new(max);
    let plot = Plot::new(false);
    let mut out = String::new();
    open(&mut out, chart.kind, H, &chart.title, &chart.desc);
    plot.axes(&mut out, scale, &chart.y_unit, |out| {
        column_labels(out, plot, chart);
        caption(out, H, &chart.caption);
    });
    out.push_str("<g class=\"series\">");
    column_rects(&mut out, plot, scale, chart);
    out.push_str("</g>");
    let any_hot = chart.items.iter().any(|i| i.2);
    let x = legend_item(
        &mut out,
        LEFT,
        LEGEND_Y,
        &chart.hot_label,
        HOT,
        false,
        false,
        24,
    );
    if chart.items.len() > 1 && any_hot {
        legend_item(
            &mut out,
            x,
            LEGEND_Y,
            &chart.rest_label,
            "currentColor",
            false,
            true,
            24,
        );
    }
    out.push_str("</svg>");
    Some(out)
}

/// Column labels: all when they fit, else every k-th (and the highlighted ones).
fn column_labels(out: &mut String, plot: Plot, chart: &Columns) {
    let n = chart.items.len();
    let slot = chart.slot(plot);
    let every = ((n as f64 * 44.0) / (plot.right - LEFT)).ceil().max(1.0) as usize;
    for (i, (label, _, hot)) in chart.items.iter().enumerate() {
        if i % every == 0 || *hot {
            let x = LEFT + slot * (i as f64 + 0.5);
            column_label(out, x, plot.bottom, &short(label, 8));
        }
    }
}

/// The columns, each with its value as a tooltip.
fn column_rects(out: &mut String, plot: Plot, scale: YScale, chart: &Columns) {
    let any_hot = chart.items.iter().any(|i| i.2);
    let slot = chart.slot(plot);
    let gap = (slot * 0.2).min(4.0);
    for (i, (label, v, hot)) in chart.items.iter().enumerate() {
        let x = LEFT + slot * i as f64 + gap / 2.0;
        let y = plot.y(scale, *v);
        // Without a highlighted column, all columns take the series colour.
        let (fill, op, class) = if *hot || !any_hot {
            (HOT, "", "col hot")
        } else {
            ("currentColor", " fill-opacity=\"0.4\"", "col")
        };
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{op}><title>{}: {}{}</title></rect>",
            c(x),
            c(y),
            c((slot - gap).max(0.5)),
            c((plot.bottom - y).max(0.0)),
            short(label, 60),
            human(*v),
            escape(&chart.y_unit_suffix())
        );
    }
}
