//! Heat strips: rows are CPUs, columns are intervals or frames, the colour's opacity is
//! the value. One hot row among pale ones is one CPU doing the work of all.
//!
//! Beyond [`MAX_HEAT_COLUMNS`] columns, neighbours are merged by their maximum, so that a
//! short burst stays visible however long the capture is.

use std::fmt::Write as _;

use super::axes::{caption, column_label, row_label, BOTTOM, H, LEFT, LEGEND_Y, RIGHT_PLAIN, TOP};
use super::svg::{c, escape, human, open, short, text, W};

/// Heat strips aggregate columns (by maximum) beyond this many.
const MAX_HEAT_COLUMNS: usize = 160;
const HEAT: &str = "#e8590c";

pub(super) struct Heat {
    pub kind: &'static str,
    pub title: String,
    pub desc: String,
    pub unit: String,
    pub caption: String,
    /// Fixed scale maximum (e.g. 100 for percentages); else the largest value.
    pub scale: Option<f64>,
    /// The label of each column (the end of its interval, or its frame).
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Option<f64>>)>,
}

/// The strip as drawn: column ranges (of the chart's columns) and rows over them.
struct Grid<'a> {
    cols: Vec<(usize, usize)>,
    rows: Vec<(&'a str, Vec<Option<f64>>)>,
    /// Cell sizes and the bottom of the strip.
    row_h: f64,
    col_w: f64,
    bottom: f64,
}

impl<'a> Grid<'a> {
    /// Aggregate columns beyond the limit, by maximum (a burst must stay visible).
    fn of(chart: &'a Heat) -> Self {
        let ncols = chart.columns.len();
        let group = ncols.div_ceil(MAX_HEAT_COLUMNS).max(1);
        let cols: Vec<(usize, usize)> = (0..ncols)
            .step_by(group)
            .map(|s| (s, (s + group).min(ncols)))
            .collect();
        let rows: Vec<(&str, Vec<Option<f64>>)> = chart
            .rows
            .iter()
            .map(|(label, vals)| {
                let agg = cols
                    .iter()
                    .map(|(a, b)| {
                        vals.get(*a..*b)
                            .unwrap_or(&[])
                            .iter()
                            .flatten()
                            .copied()
                            .filter(|v| v.is_finite())
                            .reduce(f64::max)
                    })
                    .collect();
                (label.as_str(), agg)
            })
            .collect();
        let nrows = rows.len();
        let row_h = ((H - TOP - BOTTOM) / nrows as f64).clamp(3.0, 16.0);
        let col_w = (W - RIGHT_PLAIN - LEFT) / cols.len() as f64;
        Grid {
            cols,
            rows,
            row_h,
            col_w,
            bottom: TOP + row_h * nrows as f64,
        }
    }
}

pub(super) fn render_heat(chart: &Heat) -> Option<String> {
    if chart.columns.is_empty() || chart.rows.is_empty() {
        return None;
    }
    let grid = Grid::of(chart);
    let max = chart.scale.unwrap_or_else(|| {
        grid.rows
            .iter()
            .flat_map(|r| r.1.iter().flatten())
            .copied()
            .fold(0.0f64, f64::max)
    });
    let height = grid.bottom + BOTTOM;
    let pr = W - RIGHT_PLAIN;
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &chart.desc);
    let _ = write!(
        out,
        "<rect class=\"heat-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"currentColor\" fill-opacity=\"0.06\"/>",
        c(LEFT),
        c(TOP),
        c(pr - LEFT),
        c(grid.bottom - TOP)
    );
    out.push_str("<g class=\"axis\">");
    labels(&mut out, chart, &grid);
    caption(&mut out, height, &chart.caption);
    out.push_str("</g><g class=\"series\">");
    cells(&mut out, chart, &grid, max);
    out.push_str("</g>");
    scale_legend(&mut out, max, &chart.unit);
    out.push_str("</svg>");
    Some(out)
}

/// Row labels (every k-th when rows are thin) and column labels (first, last, and a few
/// between).
fn labels(out: &mut String, chart: &Heat, grid: &Grid) {
    let every = (16.0 / grid.row_h).ceil().max(1.0) as usize;
    for (i, (label, _)) in grid.rows.iter().enumerate() {
        if i % every == 0 {
            let y = TOP + grid.row_h * (i as f64 + 0.5);
            row_label(out, y, &short(label, 6));
        }
    }
    let cols = &grid.cols;
    let label_every = (cols.len() as f64 / 3.0).ceil().max(1.0) as usize;
    for (j, (a, b)) in cols.iter().enumerate() {
        if j % label_every == 0 || j + 1 == cols.len() {
            if j + 1 != cols.len() && cols.len() - j - 1 < label_every / 2 {
                continue;
            }
            let label = chart.columns.get(b - 1).or(chart.columns.get(*a));
            let x = LEFT + grid.col_w * (j as f64 + 0.5);
            column_label(out, x, grid.bottom, &short(label.map_or("", |s| s), 12));
        }
    }
}

/// One cell per positive value, its opacity the value against `max`, its tooltip the row,
/// the column (or range of merged columns) and the value.
fn cells(out: &mut String, chart: &Heat, grid: &Grid, max: f64) {
    for (i, (label, vals)) in grid.rows.iter().enumerate() {
        for (j, v) in vals.iter().enumerate() {
            let Some(v) = v.filter(|v| *v > 0.0) else {
                continue;
            };
            let op = if max > 0.0 {
                0.12 + 0.88 * (v / max).min(1.0)
            } else {
                0.0
            };
            let (a, b) = grid.cols[j];
            let when = if b - a > 1 {
                format!("{}–{}", chart.columns[a], chart.columns[b - 1])
            } else {
                chart.columns[a].clone()
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{HEAT}\" fill-opacity=\"{op:.2}\"><title>{} {}: {}{}</title></rect>",
                c(LEFT + grid.col_w * j as f64),
                c(TOP + grid.row_h * i as f64),
                c(grid.col_w.max(0.5)),
                c(grid.row_h),
                short(label, 40),
                short(&when, 60),
                human(v),
                escape(&chart.unit)
            );
        }
    }
}

/// Scale legend: five swatches from 0 to the maximum.
fn scale_legend(out: &mut String, max: f64, unit: &str) {
    let mut x = LEFT;
    for k in 0..5 {
        let op = 0.12 + 0.88 * k as f64 / 4.0;
        let _ = write!(
            out,
            "<rect class=\"legend\" x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{HEAT}\" fill-opacity=\"{op:.2}\"/>",
            c(x)
        );
        x += 13.0;
    }
    text(
        out,
        x + 4.0,
        LEGEND_Y,
        "start",
        "legend-label",
        &escape(&format!("0 … {}{}", human(max), unit)),
    );
}
