//! Line (step) charts: counters over time, one line per series, with point markers whose
//! `<title>` shows the value on hover, threshold marks, a right axis for an overlay, and
//! faint context lines (the other CPUs) under one legend entry.
//!
//! A rate over an interval is drawn as a flat step from the interval's start to its end,
//! so the chart shows exactly what was measured; a reading at one instant is a point. A
//! line of one interval is a dot labelled "one interval", never a flat line that would
//! pass for a trend.
//!
//! What a reader needs without hovering (a phone has no hover) is printed: the legend
//! gives each line's maximum and mean. Lines whose peaks differ more than
//! [`SPLIT_RATIO`]-fold are drawn in separate panels, one y axis each, so that a small
//! series is not a flat line along the bottom of a large one's axis.

use std::fmt::Write as _;

use super::axes::{x_ticks, Plot, YScale, BOTTOM, LEFT, LEGEND_Y};
use super::svg::{c, cut, human, legend_item, open, short, text, CHAR_W, W};
use super::time::XAxis;

/// Most point markers (with tooltips) a line has; a longer line has one at the peak of
/// each run of neighbouring points. 40 like the heat strips' columns: 6 lines of 100 frames
/// were 60 KB of markers.
const MAX_MARKERS: usize = 40;
/// Lines whose peaks differ by more than this factor get panels of their own.
pub(super) const SPLIT_RATIO: f64 = 10.0;
/// A threshold mark is drawn when it is at most this many times the panel's peak (else
/// the axis would flatten the data); a higher one is named above the panel instead.
const MARK_REACH: f64 = 4.0;
/// Legend row height, the height of one panel's plot, and the room above it (its unit).
const LEGEND_ROW: f64 = 20.0;
const PANEL_PLOT: f64 = 130.0;
const PANEL_HEAD: f64 = 24.0;
/// Room under a panel for its x tick labels (the last one also has the caption).
const PANEL_FOOT: f64 = 26.0;

/// A threshold: its value on the left axis and its label.
pub(super) type Mark = (f64, String);

/// One piece of a line.
#[derive(Debug, Clone)]
pub(super) enum Seg {
    /// A rate over an interval: flat from `x0` to `x1`.
    Step {
        x0: f64,
        x1: f64,
        y: f64,
        tip: String,
    },
    /// A reading at one instant.
    Point { x: f64, y: f64, tip: String },
    /// No value (counters restarted, missing): the line stops.
    Gap,
}

#[derive(Debug, Clone)]
pub(super) struct Line {
    pub label: String,
    pub color: &'static str,
    /// On the secondary (right) axis.
    pub right: bool,
    pub dashed: bool,
    /// Drawn thin and pale (context such as the other CPUs); one legend entry for all.
    pub faint: bool,
    /// How many series the line draws: 1, or more for the maximum of several (the other
    /// CPUs beyond the busiest, see `data::faint_others`); the legend counts them.
    pub stands_for: usize,
    /// Printed after the legend's numbers: `/s`, ` %`, ` per interval`.
    pub unit: String,
    pub segs: Vec<Seg>,
}

impl Line {
    pub fn new(label: impl Into<String>, color: &'static str) -> Self {
        Line {
            label: label.into(),
            color,
            right: false,
            dashed: false,
            faint: false,
            stands_for: 1,
            unit: String::new(),
            segs: Vec::new(),
        }
    }

    /// The same line with `unit` after its numbers.
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }

    /// The largest value (0 without any).
    pub fn peak(&self) -> f64 {
        self.values()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
    }

    /// The mean over time: steps weighted by their length, points counted once each.
    pub fn mean(&self) -> Option<f64> {
        let (mut sum, mut weight) = (0.0, 0.0);
        for seg in &self.segs {
            let (y, w) = match seg {
                Seg::Step { x0, x1, y, .. } if x1 > x0 => (*y, x1 - x0),
                Seg::Step { y, .. } | Seg::Point { y, .. } => (*y, 1.0),
                Seg::Gap => continue,
            };
            if y.is_finite() {
                sum += y * w;
                weight += w;
            }
        }
        (weight > 0.0).then(|| sum / weight)
    }

    /// The only value when the line is a single interval or reading.
    fn single(&self) -> Option<&Seg> {
        let mut it = self.segs.iter().filter(|s| !matches!(s, Seg::Gap));
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// The legend text: the label and, for the reader without a pointer, the numbers.
    fn legend_text(&self) -> String {
        let u = &self.unit;
        match self.single() {
            Some(Seg::Step { y, .. }) => format!("{} — one interval: {}{u}", self.label, human(*y)),
            Some(Seg::Point { y, .. }) => format!("{} — one reading: {}{u}", self.label, human(*y)),
            _ => match self.mean() {
                Some(m) => format!(
                    "{} — max {}{u}, mean {}{u}",
                    self.label,
                    human(self.peak()),
                    human(m)
                ),
                None => self.label.clone(),
            },
        }
    }

    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.segs.iter().filter_map(|s| match s {
            Seg::Step { y, .. } | Seg::Point { y, .. } => Some(*y),
            Seg::Gap => None,
        })
    }

    pub fn xs(&self) -> impl Iterator<Item = f64> + '_ {
        self.segs.iter().flat_map(|s| match s {
            Seg::Step { x0, x1, .. } => vec![*x0, *x1],
            Seg::Point { x, .. } => vec![*x],
            Seg::Gap => vec![],
        })
    }

    /// Stroke and fill colour: the page's text colour for faint context lines.
    fn ink(&self) -> &'static str {
        if self.faint {
            "currentColor"
        } else {
            self.color
        }
    }
}

pub(super) struct LineChart {
    pub kind: &'static str,
    pub title: String,
    pub desc: String,
    /// What the left axis counts, with its unit (`drops/s`, `% CPU (softirq)`).
    pub y_unit: String,
    /// Unit of the right axis, when a line uses it.
    pub y2_unit: String,
    pub axis: XAxis,
    pub lines: Vec<Line>,
    /// Horizontal reference lines on the left axis (the rule's thresholds): (value, label).
    pub marks: Vec<Mark>,
    /// Appended to the axis caption (e.g. a note that no CPU samples fell in the window).
    pub note: String,
    /// Lines whose peaks differ more than [`SPLIT_RATIO`]-fold get panels of their own. Off
    /// for percentages of one whole, where a shared 0–100 axis is the comparison.
    pub split: bool,
}

/// Where values land in one panel: its plot area, the x range and its y scales.
struct Mapping {
    plot: Plot,
    x0: f64,
    x1: f64,
    left: YScale,
    right: YScale,
}

impl Mapping {
    fn x(&self, x: f64) -> f64 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (self.plot.right - LEFT)
    }

    fn y(&self, y: f64, right: bool) -> f64 {
        self.plot.y(if right { self.right } else { self.left }, y)
    }
}

/// The x range of all lines, widened around a single instant; `None` without any point.
fn x_range(lines: &[Line]) -> Option<(f64, f64)> {
    let xs: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.xs())
        .filter(|x| x.is_finite())
        .collect();
    if xs.is_empty() {
        return None;
    }
    let mut x0 = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let mut x1 = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if x1 - x0 < 1e-9 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    Some((x0, x1))
}

/// The lines of each panel (indices, in the chart's order), the largest peaks first: a
/// line joins the previous panel when that panel's largest peak is at most
/// [`SPLIT_RATIO`] times its own. Faint lines go with the first line they are context
/// for; right-axis lines with the first panel.
fn panels(chart: &LineChart) -> Vec<Vec<usize>> {
    let lines = &chart.lines;
    let mut main: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].faint && !lines[i].right)
        .collect();
    main.sort_by(|&a, &b| lines[b].peak().total_cmp(&lines[a].peak()).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in main {
        let p = lines[i].peak();
        match groups.last_mut() {
            Some(g) if !chart.split || p <= 0.0 || lines[g[0]].peak() <= SPLIT_RATIO * p => {
                g.push(i)
            }
            _ => groups.push(vec![i]),
        }
    }
    if groups.is_empty() {
        groups.push(Vec::new());
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    let home = lines
        .iter()
        .position(|l| !l.faint && !l.right)
        .and_then(|i| groups.iter().position(|g| g.contains(&i)))
        .unwrap_or(0);
    for (i, l) in lines.iter().enumerate() {
        if l.right {
            groups[0].push(i);
        } else if l.faint {
            groups[home].push(i);
        }
    }
    groups
}

/// The legend: one entry per line and one for all faint lines, as (text, colour, dashed,
/// faint).
fn legend_entries(lines: &[Line]) -> Vec<(String, &'static str, bool, bool)> {
    let mut out = Vec::new();
    let faint: Vec<&Line> = lines.iter().filter(|l| l.faint).collect();
    for line in lines.iter().filter(|l| !l.faint) {
        out.push((line.legend_text(), line.color, line.dashed, false));
    }
    if let Some(first) = faint.first() {
        let peak = faint.iter().map(|l| l.peak()).fold(0.0f64, f64::max);
        let text = format!(
            "{} ({}) — max {}{}",
            first.label,
            faint.iter().map(|l| l.stands_for).sum::<usize>(),
            human(peak),
            first.unit
        );
        out.push((text, "currentColor", first.dashed, true));
    }
    out
}

pub(super) fn render_lines(chart: &LineChart) -> Option<String> {
    let (x0, x1) = x_range(&chart.lines)?;
    let groups = panels(chart);
    let entries = legend_entries(&chart.lines);
    let first_top =
        LEGEND_Y + LEGEND_ROW * entries.len().saturating_sub(1) as f64 + 6.0 + PANEL_HEAD;
    let pitch = PANEL_PLOT + PANEL_FOOT + PANEL_HEAD;
    let captions = caption_lines(chart, x0, x1);
    let height = first_top
        + pitch * (groups.len() - 1) as f64
        + PANEL_PLOT
        + BOTTOM
        + LEGEND_ROW * (captions.len() - 1) as f64;
    let any_right = chart.lines.iter().any(|l| l.right);
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &chart.desc);
    for (p, group) in groups.iter().enumerate() {
        let top = first_top + pitch * p as f64;
        let plot = Plot::at(top, top + PANEL_PLOT, any_right);
        let last = p + 1 == groups.len();
        let caption = last.then_some((height, captions.as_slice()));
        panel(
            &mut out,
            chart,
            group,
            plot,
            (x0, x1),
            caption,
            groups.len() > 1,
        );
    }
    let max_chars = ((W - 32.0) / CHAR_W) as usize;
    for (k, (label, color, dashed, faint)) in entries.iter().enumerate() {
        let y = LEGEND_Y + LEGEND_ROW * k as f64;
        legend_item(&mut out, 4.0, y, label, color, *dashed, *faint, max_chars);
    }
    out.push_str("</svg>");
    Some(out)
}

/// The caption under the chart (what the x axis measures, then the chart's note), on two
/// lines when one would not hold it.
fn caption_lines(chart: &LineChart, x0: f64, x1: f64) -> Vec<String> {
    let (_, axis_caption) = x_ticks(chart.axis, x0, x1);
    let fits = |s: &str| s.chars().count() as f64 * CHAR_W <= W - LEFT;
    if chart.note.is_empty() {
        vec![axis_caption]
    } else {
        let one = format!("{axis_caption} · {}", chart.note);
        if fits(&one) {
            vec![one]
        } else {
            vec![axis_caption, chart.note.clone()]
        }
    }
}

/// A panel's scales: the left one holds its lines and the thresholds within
/// [`MARK_REACH`] of their peak. Returns the mapping, the marks to draw, and a note naming
/// the others (above the axis, or too close to 0 to tell from it).
fn scales<'a>(
    marks: &'a [Mark],
    lines: &[&Line],
    plot: Plot,
    (x0, x1): (f64, f64),
) -> (Mapping, Vec<&'a Mark>, String) {
    let max_of = |right: bool| {
        lines
            .iter()
            .filter(|l| l.right == right)
            .map(|l| l.peak())
            .fold(0.0f64, f64::max)
    };
    let data_max = max_of(false);
    let (fit, above): (Vec<&Mark>, Vec<&Mark>) = marks
        .iter()
        .partition(|m| data_max > 0.0 && m.0 <= MARK_REACH * data_max);
    let left_max = fit.iter().map(|m| m.0).fold(data_max, f64::max);
    // A mark too close to 0 to be told from the axis is named instead of drawn.
    let floor = YScale::new(left_max).top / 25.0;
    let (fit, below): (Vec<&Mark>, Vec<&Mark>) = fit.into_iter().partition(|m| m.0 >= floor);
    let map = Mapping {
        plot,
        x0,
        x1,
        left: YScale::new(left_max),
        right: YScale::new(max_of(true)),
    };
    (map, fit, unseen_note(&above, &below))
}

/// One panel: its axes (the caption lines under the last, ending at the chart's height),
/// the marks that fit its scale, and its lines. `named` puts the lines' names next to the
/// unit (several panels).
fn panel(
    out: &mut String,
    chart: &LineChart,
    group: &[usize],
    plot: Plot,
    (x0, x1): (f64, f64),
    caption: Option<(f64, &[String])>,
    named: bool,
) {
    let lines: Vec<&Line> = group.iter().map(|&i| &chart.lines[i]).collect();
    let (map, fit, note) = scales(&chart.marks, &lines, plot, (x0, x1));
    let right_here = lines.iter().any(|l| l.right);
    // The unit (left) and, on the same row, the right axis's unit or the unseen marks.
    let beside = if right_here {
        chart.y2_unit.as_str()
    } else {
        note.as_str()
    };
    let room = ((W - 8.0) / CHAR_W) as usize;
    let unit_chars = room.saturating_sub(beside.chars().count() + 3).max(12);
    let unit = if named {
        let names: Vec<&str> = lines
            .iter()
            .filter(|l| !l.faint && !l.right)
            .map(|l| l.label.as_str())
            .collect();
        format!("{} · {}", chart.y_unit, names.join(", "))
    } else {
        chart.y_unit.clone()
    };
    let unit = cut(&unit, unit_chars);
    plot.axes(out, map.left, &unit, |out| {
        if right_here {
            plot.right_axis(out, map.right, &chart.y2_unit);
        }
        let (ticks, _) = x_ticks(chart.axis, x0, x1);
        let ticks: Vec<(f64, String)> = ticks.into_iter().map(|(t, l)| (map.x(t), l)).collect();
        plot.x_ticks(out, &ticks);
        if let Some((height, lines)) = caption {
            for (k, line) in lines.iter().enumerate() {
                let up = LEGEND_ROW * (lines.len() - 1 - k) as f64;
                super::axes::caption(out, height - up, line);
            }
        }
    });
    marks(out, &map, &fit);
    if !note.is_empty() {
        // Beside the unit, or inside the plot when the right axis's unit is there.
        let y = if right_here {
            plot.top + 15.0
        } else {
            plot.top - 9.0
        };
        text(out, W - 4.0, y, "end", "mark-label", &short(&note, room));
    }
    draw_lines(out, &map, &lines);
}

/// The lines of a panel: faint context first, then the others in order (the first on top
/// last); a line of one interval as a labelled dot.
fn draw_lines(out: &mut String, map: &Mapping, lines: &[&Line]) {
    // The faint lines share one group that carries their stroke: with 16 of them, repeating
    // it on each polyline would cost more than their points.
    if lines.iter().any(|l| l.faint) {
        out.push_str("<g class=\"series other\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1\" stroke-linejoin=\"round\" stroke-opacity=\"0.35\">");
        for line in lines.iter().filter(|l| l.faint) {
            polylines(out, map, line);
            markers(out, map, line);
        }
        out.push_str("</g>");
    }
    for line in lines.iter().copied().filter(|l| !l.faint).rev() {
        let _ = write!(out, "<g class=\"series\" fill=\"{}\">", line.ink());
        if let Some(Seg::Step { x0, x1, y, tip }) = line.single() {
            one_interval(out, map, line, ((x0 + x1) / 2.0, *y), tip);
        } else {
            polylines(out, map, line);
            markers(out, map, line);
        }
        out.push_str("</g>");
    }
}

/// Thresholds not drawn, named instead: those above the axis and those too close to 0 to
/// tell from it.
fn unseen_note(above: &[&Mark], below: &[&Mark]) -> String {
    let names = |m: &[&Mark]| {
        m.iter()
            .map(|m| m.1.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !above.is_empty() {
        parts.push(format!("{} ↑ above", names(above)));
    }
    if !below.is_empty() {
        parts.push(format!("{} ↓ near 0", names(below)));
    }
    parts.join(" · ")
}

/// A line of a single interval: a dot at the interval's middle, labelled, so that it does
/// not pass for a trend.
fn one_interval(out: &mut String, map: &Mapping, line: &Line, (x, y): (f64, f64), tip: &str) {
    let (cx, cy) = (map.x(x), map.y(y, line.right));
    let _ = write!(
        out,
        "<circle class=\"one-interval\" cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\"><title>{}</title></circle>",
        c(cx),
        c(cy),
        line.ink(),
        short(tip, 200)
    );
    let label = format!("one interval: {}{}", human(y), line.unit);
    let anchor = if cx > W * 0.6 { "end" } else { "start" };
    let dx = if anchor == "end" { -9.0 } else { 9.0 };
    let ty = if cy < map.plot.top + 18.0 {
        cy + 18.0
    } else {
        cy - 8.0
    };
    text(out, cx + dx, ty, anchor, "value-label", &short(&label, 40));
}

/// Reference marks (thresholds): a dashed line across the plot, labelled at its right end.
fn marks(out: &mut String, map: &Mapping, marks: &[&Mark]) {
    for (v, label) in marks {
        let y = map.y(*v, false);
        let _ = write!(
            out,
            "<g class=\"mark\"><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.6\" stroke-dasharray=\"5 4\"/>",
            c(LEFT),
            c(map.plot.right),
            y = c(y)
        );
        let ty = if y < map.plot.top + 16.0 {
            y + 15.0
        } else {
            y - 4.0
        };
        text(
            out,
            map.plot.right - 3.0,
            ty,
            "end",
            "mark-label",
            &short(label, 40),
        );
        out.push_str("</g>");
    }
}

/// The runs of a line between gaps, as chart points; steps that do not touch start a new
/// run so that no slope is drawn between them.
fn runs(map: &Mapping, line: &Line) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for seg in &line.segs {
        match seg {
            Seg::Step {
                x0: a, x1: b, y, ..
            } => {
                if run.last().is_some_and(|p| (p.0 - map.x(*a)).abs() > 0.05) {
                    runs.push(std::mem::take(&mut run));
                }
                run.push((map.x(*a), map.y(*y, line.right)));
                run.push((map.x(*b), map.y(*y, line.right)));
            }
            Seg::Point { x, y, .. } => run.push((map.x(*x), map.y(*y, line.right))),
            Seg::Gap => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The points of a run as printed, without those in the middle of a horizontal or
/// vertical stretch (three in a row with the same printed x or y): a flat line of 100
/// steps is two points, drawn the same.
fn printed_points(run: &[(f64, f64)]) -> Vec<(String, String)> {
    let pts: Vec<(String, String)> = run.iter().map(|(x, y)| (c(*x), c(*y))).collect();
    let mut kept: Vec<(String, String)> = Vec::with_capacity(pts.len());
    for (i, p) in pts.iter().enumerate() {
        let straight = |prev: &(String, String), next: &(String, String)| {
            (prev.0 == p.0 && p.0 == next.0) || (prev.1 == p.1 && p.1 == next.1)
        };
        match (kept.last(), pts.get(i + 1)) {
            (Some(prev), Some(next)) if straight(prev, next) => {}
            _ => kept.push(p.clone()),
        }
    }
    kept
}

/// One polyline per run of at least two points. A faint line's stroke is on its group
/// (`draw_lines`).
fn polylines(out: &mut String, map: &Mapping, line: &Line) {
    let dash = if line.dashed {
        " stroke-dasharray=\"5 3\""
    } else {
        ""
    };
    let stroke = if line.faint {
        String::new()
    } else {
        format!(
            " fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-linejoin=\"round\"",
            line.ink()
        )
    };
    for r in runs(map, line).iter().filter(|r| r.len() > 1) {
        // Only faint lines drop points: there are many of them and most are flat, while a
        // finding's own line keeps a vertex per interval or frame.
        let kept = if line.faint {
            printed_points(r)
        } else {
            r.iter().map(|(x, y)| (c(*x), c(*y))).collect()
        };
        let pts: Vec<String> = kept.into_iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\"{stroke}{dash}/>",
            pts.join(" ")
        );
    }
}

/// Markers with tooltips (the value on hover). Faint lines carry markers only where no
/// polyline shows the point (a lone point between gaps). A line of more than
/// [`MAX_MARKERS`] values has one marker per run of neighbouring values, at the run's
/// highest (the peaks stay within reach of the pointer, at a fraction of the bytes).
fn markers(out: &mut String, map: &Mapping, line: &Line) {
    let is_point = |i: Option<&Seg>| matches!(i, Some(Seg::Point { .. }));
    let mut shown: Vec<(f64, f64, &String, bool)> = Vec::new();
    for (i, seg) in line.segs.iter().enumerate() {
        shown.push(match seg {
            Seg::Step {
                x0: a,
                x1: b,
                y,
                tip,
            } => ((a + b) / 2.0, *y, tip, false),
            Seg::Point { x, y, tip } => {
                let before = i.checked_sub(1).and_then(|j| line.segs.get(j));
                let lone = !is_point(before) && !is_point(line.segs.get(i + 1));
                (*x, *y, tip, lone)
            }
            Seg::Gap => continue,
        });
    }
    let group = shown.len().div_ceil(MAX_MARKERS).max(1);
    let peaks: Vec<usize> = (0..shown.len())
        .step_by(group)
        .filter_map(|s| {
            (s..(s + group).min(shown.len()))
                .reduce(|a, b| if shown[b].1 > shown[a].1 { b } else { a })
        })
        .collect();
    let (r, fo) = if line.faint {
        (
            "1.5",
            format!(
                " fill=\"{}\" fill-opacity=\"0.35\" stroke=\"none\"",
                line.ink()
            ),
        )
    } else {
        // The fill is on the line's group (`draw_lines`).
        ("2.5", String::new())
    };
    for (k, (x, y, tip, lone)) in shown.iter().enumerate() {
        if !lone && (line.faint || peaks.binary_search(&k).is_err()) {
            continue;
        }
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{r}\"{fo}><title>{}</title></circle>",
            c(map.x(*x)),
            c(map.y(*y, line.right)),
            short(tip, 200),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{polylines, well_formed};
    use super::*;

    /// A line of one step per value, over unit intervals.
    fn steps(label: &str, color: &'static str, values: &[f64]) -> Line {
        let mut line = Line::new(label, color).with_unit("/s");
        line.segs = values
            .iter()
            .enumerate()
            .map(|(i, y)| Seg::Step {
                x0: i as f64,
                x1: i as f64 + 1.0,
                y: *y,
                tip: String::new(),
            })
            .collect();
        line
    }

    fn chart(lines: Vec<Line>, split: bool) -> LineChart {
        LineChart {
            kind: "test",
            title: "t".into(),
            desc: "d".into(),
            y_unit: "drops/s".into(),
            y2_unit: String::new(),
            axis: XAxis::Index,
            lines,
            marks: Vec::new(),
            note: String::new(),
            split,
        }
    }

    #[test]
    fn flat_stretches_keep_their_ends_only() {
        let pts = |r: &[(f64, f64)]| {
            printed_points(r)
                .into_iter()
                .map(|(x, y)| format!("{x},{y}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Steps 5, 5, 5, then 7: the flat stretch is its two ends, then the rise.
        let run = [
            (0.0, 5.0),
            (1.0, 5.0),
            (1.0, 5.0),
            (2.0, 5.0),
            (2.0, 5.0),
            (3.0, 5.0),
            (3.0, 7.0),
            (4.0, 7.0),
        ];
        assert_eq!(pts(&run), "0,5 3,5 3,7 4,7");
        // 5.01 prints as 5: the same line on screen.
        assert_eq!(pts(&[(0.0, 5.0), (1.0, 5.01), (2.0, 5.0)]), "0,5 2,5");
        assert_eq!(pts(&[(0.0, 5.0), (1.0, 6.0), (2.0, 5.0)]), "0,5 1,6 2,5");
    }

    #[test]
    fn a_long_line_has_a_marker_at_the_peak_of_each_run_of_3() {
        // 100 steps at 1, 9 at step 57: 34 markers (runs of 3), one of them the 9.
        let mut values = vec![1.0; 100];
        values[57] = 9.0;
        let mut line = steps("rx_dropped", "#e8590c", &values);
        for (i, seg) in line.segs.iter_mut().enumerate() {
            if let Seg::Step { tip, .. } = seg {
                *tip = format!("step {i}");
            }
        }
        let svg = render_lines(&chart(vec![line], false)).unwrap();
        well_formed(&svg);
        assert_eq!(svg.matches("<circle").count(), 34, "{svg}");
        assert!(svg.contains("<title>step 57</title>"));
        assert!(svg.contains("<g class=\"series\" fill=\"#e8590c\"><polyline"));
    }

    #[test]
    fn mean_weighs_steps_by_their_length() {
        let mut line = steps("a", "#000", &[10.0, 0.0]);
        line.segs.push(Seg::Step {
            x0: 2.0,
            x1: 4.0,
            y: 5.0,
            tip: String::new(),
        });
        // (10×1 + 0×1 + 5×2) / 4 = 5
        assert_eq!(line.mean(), Some(5.0));
        assert_eq!(line.peak(), 10.0);
        assert_eq!(line.legend_text(), "a — max 10/s, mean 5/s");
    }

    #[test]
    fn a_small_series_gets_its_own_panel_and_axis() {
        // 600/s against 0.1/s: on one 0–600 axis the small one would be a flat line at 0.
        let big = steps("rx_dropped", "#e8590c", &[100.0, 600.0, 300.0]);
        let small = steps("rx_fifo_errors", "#1c7ed6", &[0.05, 0.1, 0.0]);
        let svg = render_lines(&chart(vec![big.clone(), small.clone()], true)).unwrap();
        well_formed(&svg);
        assert_eq!(svg.matches("class=\"grid\"").count(), 2, "{svg}");
        assert!(
            svg.contains(">drops/s · rx_dropped<") && svg.contains(">drops/s · rx_fifo_errors<")
        );
        // The small panel's axis tops at 0.10, so its peak reaches the top of its plot.
        assert!(svg.contains(">0.10<") && svg.contains(">600<"));
        assert!(svg.contains(">rx_fifo_errors — max 0.1/s, mean 0.05/s<"));
        assert_eq!(polylines(&svg), vec![6, 6]);
        // Within 10× of each other: one panel.
        let near = steps("rx_fifo_errors", "#1c7ed6", &[60.0, 70.0, 80.0]);
        let svg = render_lines(&chart(vec![big.clone(), near], true)).unwrap();
        assert_eq!(svg.matches("class=\"grid\"").count(), 1);
        // Percentages of one whole share their axis whatever the ratio.
        let svg = render_lines(&chart(vec![big, small], false)).unwrap();
        assert_eq!(svg.matches("class=\"grid\"").count(), 1);
    }
}
