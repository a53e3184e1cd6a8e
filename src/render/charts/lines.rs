//! Line (step) charts: counters over time, one line per series, with point markers whose
//! `<title>` shows the value on hover, optional threshold marks, a right axis for an
//! overlay, and faint context lines (the other CPUs) under one legend entry.
//!
//! A rate over an interval is drawn as a flat step from the interval's start to its end,
//! so the chart shows exactly what was measured; a reading at one instant is a point.

use std::fmt::Write as _;

use super::axes::{caption, x_ticks, Plot, YScale, H, LEFT};
use super::svg::{c, legend_item, open, short, text, W};
use super::time::XAxis;

/// Point markers (with tooltips) only when a line has at most this many points.
const MAX_MARKERS: usize = 120;

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
            segs: Vec::new(),
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
    /// Unit of the left axis, shown above it (`per s`, `%`).
    pub y_unit: String,
    /// Unit of the right axis, when a line uses it.
    pub y2_unit: String,
    pub axis: XAxis,
    pub lines: Vec<Line>,
    /// Horizontal reference lines on the left axis: (value, label).
    pub marks: Vec<(f64, String)>,
    /// Appended to the axis caption (e.g. a note that no CPU samples fell in the window).
    pub note: String,
}

/// Where values land: the plot area, the x range and the left and right y scales.
struct Mapping {
    plot: Plot,
    x0: f64,
    x1: f64,
    left: YScale,
    right: YScale,
}

impl Mapping {
    /// The x range of all lines (widened around a single instant) and scales that hold
    /// every value and mark; `None` when no line has a point.
    fn of(chart: &LineChart) -> Option<Self> {
        let xs: Vec<f64> = chart
            .lines
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
        let max_of = |right: bool| {
            chart
                .lines
                .iter()
                .filter(|l| l.right == right)
                .flat_map(|l| l.values())
                .filter(|v| v.is_finite())
                .fold(0.0f64, f64::max)
        };
        let left_max = chart
            .marks
            .iter()
            .map(|m| m.0)
            .fold(max_of(false), f64::max);
        Some(Mapping {
            plot: Plot::new(chart.lines.iter().any(|l| l.right)),
            x0,
            x1,
            left: YScale::new(left_max),
            right: YScale::new(max_of(true)),
        })
    }

    fn x(&self, x: f64) -> f64 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (self.plot.right - LEFT)
    }

    fn y(&self, y: f64, right: bool) -> f64 {
        self.plot.y(if right { self.right } else { self.left }, y)
    }
}

pub(super) fn render_lines(chart: &LineChart) -> Option<String> {
    let map = Mapping::of(chart)?;
    let mut out = String::new();
    open(&mut out, chart.kind, H, &chart.title, &chart.desc);
    map.plot.axes(&mut out, map.left, &chart.y_unit, |out| {
        if chart.lines.iter().any(|l| l.right) {
            map.plot.right_axis(out, map.right, &chart.y2_unit);
        }
        let (ticks, axis_caption) = x_ticks(chart.axis, map.x0, map.x1);
        let ticks: Vec<(f64, String)> = ticks.into_iter().map(|(t, l)| (map.x(t), l)).collect();
        map.plot.x_ticks(out, &ticks);
        let axis_caption = if chart.note.is_empty() {
            axis_caption
        } else {
            format!("{axis_caption} · {}", chart.note)
        };
        caption(out, H, &axis_caption);
    });
    marks(&mut out, &map, &chart.marks);
    // Lines: faint context first, then the others in order (the first on top last).
    let mut order: Vec<&Line> = chart.lines.iter().filter(|l| l.faint).collect();
    order.extend(chart.lines.iter().filter(|l| !l.faint).rev());
    for line in order {
        let class = if line.faint { "series other" } else { "series" };
        let _ = write!(out, "<g class=\"{class}\">");
        polylines(&mut out, &map, line);
        markers(&mut out, &map, line);
        out.push_str("</g>");
    }
    legend(&mut out, &chart.lines);
    out.push_str("</svg>");
    Some(out)
}

/// Reference marks (thresholds): a dashed line across the plot, labelled at its right end.
fn marks(out: &mut String, map: &Mapping, marks: &[(f64, String)]) {
    for (v, label) in marks {
        let y = map.y(*v, false);
        let _ = write!(
            out,
            "<g class=\"mark\"><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.55\" stroke-dasharray=\"2 3\"/>",
            c(LEFT),
            c(map.plot.right),
            y = c(y)
        );
        text(
            out,
            map.plot.right - 3.0,
            y - 3.0,
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

/// One polyline per run of at least two points.
fn polylines(out: &mut String, map: &Mapping, line: &Line) {
    let (width, opacity) = if line.faint {
        ("1", " stroke-opacity=\"0.35\"")
    } else {
        ("1.8", "")
    };
    let dash = if line.dashed {
        " stroke-dasharray=\"5 3\""
    } else {
        ""
    };
    for r in runs(map, line).iter().filter(|r| r.len() > 1) {
        let pts: Vec<String> = r
            .iter()
            .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
            .collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"{dash}{opacity}/>",
            pts.join(" "),
            color = line.ink()
        );
    }
}

/// Markers with tooltips (the value on hover). Faint lines and long lines carry markers
/// only where no polyline shows the point (a lone point between gaps).
fn markers(out: &mut String, map: &Mapping, line: &Line) {
    let count = line.segs.iter().filter(|s| !matches!(s, Seg::Gap)).count();
    let is_point = |i: Option<&Seg>| matches!(i, Some(Seg::Point { .. }));
    for (i, seg) in line.segs.iter().enumerate() {
        let (x, y, tip, lone) = match seg {
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
        };
        if (line.faint || count > MAX_MARKERS) && !lone {
            continue;
        }
        let r = if line.faint { "1.5" } else { "2.5" };
        let fo = if line.faint {
            " fill-opacity=\"0.35\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{r}\" fill=\"{fill}\"{fo}><title>{}</title></circle>",
            c(map.x(x)),
            c(map.y(y, line.right)),
            short(tip, 200),
            fill = line.ink()
        );
    }
}

/// The legend along the top: one entry per line, one for all faint lines, `…` when full.
fn legend(out: &mut String, lines: &[Line]) {
    let mut x = LEFT;
    let mut faint_done = false;
    let entries =
        lines.iter().filter(|l| !l.faint).count() + usize::from(lines.iter().any(|l| l.faint));
    let max_chars = (((W - LEFT) / entries.max(1) as f64 - 34.0) / 6.2).clamp(8.0, 40.0) as usize;
    for line in lines {
        if line.faint {
            if faint_done {
                continue;
            }
            faint_done = true;
        }
        if x > W - 60.0 {
            text(out, x, 16.0, "start", "legend-label", "…");
            break;
        }
        x = legend_item(
            out,
            x,
            &line.label,
            line.ink(),
            line.dashed,
            line.faint,
            max_chars,
        );
    }
}
