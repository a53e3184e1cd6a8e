//! Heat strips: rows are CPUs, columns are intervals or frames, the colour's opacity is
//! the value. One hot row among pale ones is one CPU doing the work of all.
//!
//! A strip shows what matters rather than every cell, so that a 64-CPU, 100-frame capture
//! costs a few KB instead of half a MB of SVG (issue 17):
//! * Rows: beyond [`MAX_HOT_ROWS`] + 1 CPUs, the [`MAX_HOT_ROWS`] with the highest peak,
//!   hottest first, and one row "others" holding, per column, the maximum of all the rest
//!   (nothing is hidden: a second hot CPU lifts that row).
//! * Columns: beyond [`MAX_HEAT_COLUMNS`], neighbours are merged by their maximum, so that
//!   a short burst stays visible however long the capture is.
//! * Cells: the opacity is quantised to [`LEVELS`] steps, and neighbouring cells of a row
//!   at the same step are one rectangle whose tooltip gives their time span and maximum.
//!   Empty and zero cells are not drawn (the strip's background shows through).

use std::fmt::Write as _;

use super::axes::{caption, column_label, row_label, BOTTOM, LEFT, LEGEND_Y, RIGHT_PLAIN, TOP};
use super::svg::{c, escape, human, open, short, text, W};

/// Heat strips aggregate columns (by maximum) beyond this many: 416 units / 40 ≈ 10 units a
/// column, still a visible cell, and at most 40 × 17 cells even for noisy data.
const MAX_HEAT_COLUMNS: usize = 40;
/// Rows of single CPUs kept when there are more; the rest become one "others" row.
pub(super) const MAX_HOT_ROWS: usize = 16;
/// Opacity steps above the palest: one step is 1/8 of the scale, finer than the eye tells
/// apart on a strip, coarse enough that a flat idle row is one rectangle.
const LEVELS: f64 = 8.0;
/// Row height: every row has room for its label (font 14).
const ROW_H: f64 = 16.0;
/// Caption line height, for the note under the column caption.
const CAPTION_ROW: f64 = 20.0;
const HEAT: &str = "#e8590c";

pub(super) struct Heat {
    pub kind: &'static str,
    pub title: String,
    pub desc: String,
    pub unit: String,
    pub caption: String,
    /// What one column of [`Heat::columns`] is (`frame`, `interval`), for the note on
    /// merged columns.
    pub per: &'static str,
    /// Fixed scale maximum (e.g. 100 for percentages); else the largest value.
    pub scale: Option<f64>,
    /// The label of each column (the end of its interval, or its frame).
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Option<f64>>)>,
}

/// One drawn row: its label at the left, the name its tooltips give, and a value per
/// drawn column.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: String,
    name: String,
    vals: Vec<Option<f64>>,
}

/// The strip as drawn: column ranges (of the chart's columns) and rows over them.
struct Grid {
    cols: Vec<(usize, usize)>,
    rows: Vec<Row>,
    /// How many CPUs the "others" row stands for (0: no such row).
    others: usize,
    col_w: f64,
    bottom: f64,
}

/// The largest finite value of `vals`.
fn peak<'a>(vals: impl IntoIterator<Item = &'a Option<f64>>) -> Option<f64> {
    vals.into_iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

/// Column ranges of at most `max` groups of neighbours (equal sizes, the last shorter).
fn column_groups(ncols: usize, max: usize) -> Vec<(usize, usize)> {
    let group = ncols.div_ceil(max).max(1);
    (0..ncols)
        .step_by(group)
        .map(|s| (s, (s + group).min(ncols)))
        .collect()
}

/// The rows to draw: all of them (in their order) when they fit, else the
/// [`MAX_HOT_ROWS`] with the highest peak (hottest first, the earlier on a tie) and one
/// "others" row, per column the maximum of the rest. Returns the rows and how many the
/// "others" row stands for.
fn hot_rows(rows: &[(String, Vec<Option<f64>>)]) -> (Vec<Row>, usize) {
    let row = |(label, vals): &(String, Vec<Option<f64>>)| Row {
        label: label.clone(),
        name: label.clone(),
        vals: vals.clone(),
    };
    if rows.len() <= MAX_HOT_ROWS + 1 {
        return (rows.iter().map(row).collect(), 0);
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let peaks: Vec<f64> = rows.iter().map(|r| peak(&r.1).unwrap_or(0.0)).collect();
    order.sort_by(|&a, &b| peaks[b].total_cmp(&peaks[a]).then(a.cmp(&b)));
    let (hot, rest) = order.split_at(MAX_HOT_ROWS);
    let mut out: Vec<Row> = hot.iter().map(|&i| row(&rows[i])).collect();
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let vals = (0..width)
        .map(|j| peak(rest.iter().map(|&i| rows[i].1.get(j).unwrap_or(&None))))
        .collect();
    out.push(Row {
        label: "others".into(),
        name: format!("max of the other {} CPUs", rest.len()),
        vals,
    });
    (out, rest.len())
}

impl Grid {
    fn of(chart: &Heat) -> Self {
        let cols = column_groups(chart.columns.len(), MAX_HEAT_COLUMNS);
        let (rows, others) = hot_rows(&chart.rows);
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|r| Row {
                vals: cols
                    .iter()
                    .map(|(a, b)| peak(r.vals.get(*a..*b).unwrap_or(&[])))
                    .collect(),
                ..r
            })
            .collect();
        let col_w = (W - RIGHT_PLAIN - LEFT) / cols.len() as f64;
        Grid {
            bottom: TOP + ROW_H * rows.len() as f64,
            cols,
            rows,
            others,
            col_w,
        }
    }

    /// Columns merged into one, and the note saying so (with the "others" row's).
    fn note(&self, chart: &Heat) -> String {
        let mut parts = Vec::new();
        let group = self.cols.first().map_or(1, |(a, b)| b - a);
        if group > 1 {
            parts.push(format!("{group} {}s per column, their max", chart.per));
        }
        if self.others > 0 {
            parts.push(format!("others = max of {} CPUs", self.others));
        }
        parts.join(" · ")
    }
}

pub(super) fn render_heat(chart: &Heat) -> Option<String> {
    if chart.columns.is_empty() || chart.rows.is_empty() {
        return None;
    }
    let grid = Grid::of(chart);
    let max = chart.scale.unwrap_or_else(|| {
        peak(grid.rows.iter().flat_map(|r| r.vals.iter()))
            .unwrap_or(0.0)
            .max(0.0)
    });
    let note = grid.note(chart);
    let height = grid.bottom + BOTTOM + if note.is_empty() { 0.0 } else { CAPTION_ROW };
    let pr = W - RIGHT_PLAIN;
    let desc = if note.is_empty() {
        chart.desc.clone()
    } else {
        format!(
            "{} Drawn: {note} (the maximum keeps a short spike visible).",
            chart.desc
        )
    };
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &desc);
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
    if note.is_empty() {
        caption(&mut out, height, &chart.caption);
    } else {
        caption(&mut out, height - CAPTION_ROW, &chart.caption);
        caption(&mut out, height, &note);
    }
    let _ = write!(out, "</g><g class=\"series\" fill=\"{HEAT}\">");
    for (i, row) in grid.rows.iter().enumerate() {
        cells(&mut out, chart, &grid, (i, row), max);
    }
    out.push_str("</g>");
    scale_legend(&mut out, max, &chart.unit);
    out.push_str("</svg>");
    Some(out)
}

/// Row labels and column labels (first, last, and a few between).
fn labels(out: &mut String, chart: &Heat, grid: &Grid) {
    for (i, row) in grid.rows.iter().enumerate() {
        let y = TOP + ROW_H * (i as f64 + 0.5);
        row_label(out, y, &short(&row.label, 6));
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

/// The opacity step of a positive value against `max` (0 = palest, still drawn).
fn level(v: f64, max: f64) -> u8 {
    if max > 0.0 {
        ((v / max).min(1.0) * LEVELS).round() as u8
    } else {
        0
    }
}

fn opacity(level: u8) -> f64 {
    0.12 + 0.88 * f64::from(level) / LEVELS
}

/// Runs of neighbouring positive cells at the same opacity step, as (first column, end
/// column, step, largest value).
fn runs(vals: &[Option<f64>], max: f64) -> Vec<(usize, usize, u8, f64)> {
    let mut out: Vec<(usize, usize, u8, f64)> = Vec::new();
    for (j, v) in vals.iter().enumerate() {
        let Some(v) = v.filter(|v| *v > 0.0) else {
            continue;
        };
        let lv = level(v, max);
        match out.last_mut() {
            Some(run) if run.1 == j && run.2 == lv => {
                run.1 = j + 1;
                run.3 = run.3.max(v);
            }
            _ => out.push((j, j + 1, lv, v)),
        }
    }
    out
}

/// The cells of one row: a rectangle per run of equal steps, its tooltip the row, the
/// time span and the largest value.
fn cells(out: &mut String, chart: &Heat, grid: &Grid, (i, row): (usize, &Row), max: f64) {
    for (j0, j1, lv, v) in runs(&row.vals, max) {
        let (a, b) = (grid.cols[j0].0, grid.cols[j1 - 1].1);
        let (when, what) = if b - a > 1 {
            let span = format!("{}–{}", chart.columns[a], chart.columns[b - 1]);
            (span, "max ")
        } else {
            (chart.columns[a].clone(), "")
        };
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill-opacity=\"{:.2}\"><title>{} {}: {what}{}{}</title></rect>",
            c(LEFT + grid.col_w * j0 as f64),
            c(TOP + ROW_H * i as f64),
            c((grid.col_w * (j1 - j0) as f64).max(0.5)),
            c(ROW_H),
            opacity(lv),
            short(&row.name, 40),
            short(&when, 60),
            human(v),
            escape(&chart.unit)
        );
    }
}

/// Scale legend: five swatches from 0 to the maximum.
fn scale_legend(out: &mut String, max: f64, unit: &str) {
    let mut x = LEFT;
    let _ = write!(out, "<g class=\"legend\" fill=\"{HEAT}\">");
    for k in 0..5u8 {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill-opacity=\"{:.2}\"/>",
            c(x),
            opacity(2 * k)
        );
        x += 13.0;
    }
    out.push_str("</g>");
    text(
        out,
        x + 4.0,
        LEGEND_Y,
        "start",
        "legend-label",
        &escape(&format!("0 … {}{}", human(max), unit)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts::testutil::well_formed;

    /// `cpus` rows of `cols` columns at 1, cpu `hot` at 90 but 95 in column `spike`.
    fn chart(cpus: usize, cols: usize, hot: usize, spike: usize) -> Heat {
        let rows = (0..cpus)
            .map(|n| {
                let vals = (0..cols)
                    .map(|j| match (n == hot, j == spike) {
                        (true, true) => Some(95.0),
                        (true, false) => Some(90.0),
                        _ => Some(1.0),
                    })
                    .collect();
                (format!("cpu{n}"), vals)
            })
            .collect();
        Heat {
            kind: "test",
            title: "t".into(),
            desc: "d.".into(),
            unit: " %".into(),
            caption: "column = one frame".into(),
            per: "frame",
            scale: Some(100.0),
            columns: (1..=cols).map(|j| format!("#{j}")).collect(),
            rows,
        }
    }

    #[test]
    fn many_cpus_are_the_16_hottest_and_one_row_of_the_others_maximum() {
        // 64 CPUs at 1 %, cpu40 at 90 %: cpu40 first, then the lowest numbers (a tie at 1),
        // then one row for the 48 left.
        let grid = Grid::of(&chart(64, 10, 40, 3));
        assert_eq!(grid.rows.len(), 17);
        assert_eq!(grid.others, 48);
        let labels: Vec<&str> = grid.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels[..4], ["cpu40", "cpu0", "cpu1", "cpu2"]);
        assert_eq!(labels[15], "cpu14");
        assert_eq!(labels[16], "others");
        assert_eq!(grid.rows[16].vals, vec![Some(1.0); 10]);
        assert_eq!(grid.rows[16].name, "max of the other 48 CPUs");
    }

    #[test]
    fn the_others_row_is_the_maximum_of_the_rest_per_column() {
        // 20 CPUs: cpu0..cpu15 at 50 are kept; the rest, cpu16..cpu19, are at 1 except
        // cpu17 at 4 in column 0, cpu19 at 6 in column 2, and cpu18 without column 1.
        let mut heat = chart(20, 3, 0, 9);
        for row in &mut heat.rows[..16] {
            row.1 = vec![Some(50.0); 3];
        }
        heat.rows[17].1[0] = Some(4.0);
        heat.rows[19].1[2] = Some(6.0);
        heat.rows[18].1[1] = None;
        let grid = Grid::of(&heat);
        assert_eq!(grid.rows.len(), 17);
        assert_eq!(grid.others, 4);
        assert_eq!(grid.rows[16].vals, vec![Some(4.0), Some(1.0), Some(6.0)]);
    }

    #[test]
    fn buckets_take_the_maximum_of_their_columns() {
        // 100 columns in buckets of 3 (34 columns); the hot CPU's 95 in column 50 lands in
        // bucket 16 (columns 48..51).
        let grid = Grid::of(&chart(4, 100, 2, 50));
        assert_eq!(grid.cols.len(), 34);
        assert_eq!(grid.cols[16], (48, 51));
        assert_eq!(grid.cols[33], (99, 100));
        assert_eq!(grid.rows[2].vals[16], Some(95.0));
        assert_eq!(grid.rows[2].vals[15], Some(90.0));
        assert_eq!(grid.rows.len(), 4, "4 CPUs: one row each, no others row");
    }

    #[test]
    fn a_hot_cpu_among_64_is_one_dark_row_of_few_rectangles() {
        let svg = render_heat(&chart(64, 100, 3, 50)).unwrap();
        well_formed(&svg);
        // 17 rows: each idle row is one pale rectangle over all 34 columns; the hot row is
        // 90 (step 7) with the bucket holding 95 at step 8: three runs.
        assert_eq!(svg.matches("<rect x=").count(), 16 + 3 + 5, "{svg}");
        assert!(
            svg.contains("><title>cpu3 #1–#48: max 90 %</title>"),
            "{svg}"
        );
        assert!(svg.contains("><title>cpu3 #49–#51: max 95 %</title>"));
        assert!(svg.contains("><title>max of the other 48 CPUs #1–#100: max 1 %</title>"));
        assert!(svg.contains(">3 frames per column, their max · others = max of 48 CPUs<"));
        assert!(svg.contains("(the maximum keeps a short spike visible)"));
        assert!(svg.len() < 12_000, "{} bytes", svg.len());
    }
}
