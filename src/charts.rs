//! Inline SVG charts for the HTML report: the counters behind each finding, over time.
//!
//! Every function returns one complete `<svg …>…</svg>` element (or `None` when there is
//! nothing honest to draw). The markup has no script, no external reference, no
//! `<foreignObject>` and no `id` attributes, so any number of charts can sit in one page; all
//! text that comes from the data (interface names, metric names, sources, CPU labels) is
//! escaped with [`escape`]. Output is deterministic: the same host gives byte-identical SVG.
//! The strings are markup already escaped here: a template must mark them safe (minijinja:
//! `Value::from_safe_string`) rather than escape them again.
//!
//! Colours: text, axes and grid use `currentColor`, so a chart follows the page's light or
//! dark scheme; series use a fixed mid-tone palette readable on both. Elements carry classes
//! (`chart`, `grid`, `axis`, `series`, `legend`, `hot`, `other`…) for a page stylesheet to
//! refine, but need none. The root has `role="img"`, a `<title>` and a `<desc>`; hovering a
//! point shows its value (an SVG `<title>` tooltip, no JavaScript). Width 640 (`viewBox`
//! set, `max-width:100%` so it shrinks on narrow screens).
//!
//! Public API:
//! * [`for_finding`]: the chart of one finding (see its doc for what each rule shows).
//! * [`softnet_heatmap`]: per-host heat strip of one softnet counter (`dropped`,
//!   `time_squeeze`, `processed`) per CPU per interval; per-CPU columns for a since-boot-only
//!   reading. For the "softnet per CPU" data section.
//! * [`cpu_si_heatmap`]: per-host heat strip of softirq `si` % per CPU per `top`/`sar` frame
//!   (at least two frames).
//! * [`cpu_per_sample`]: per-host lines of busy, softirq and steal % (all CPUs) per frame,
//!   for the "CPU per sample" data section (at least two frames).
//! * [`escape`]: XML escaping used for every piece of data text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rules::finding::{Evidence, Finding};
use rules::model::{
    CpuSample, Host, Interval, IntervalKind, PerCpuInterval, SoftnetInterval, Timestamp,
};
use rules::thresholds::{
    IPVS_WARN_PER_BUCKET, SOFTIRQ_HOT_PCT, SOFTIRQ_OTHERS_MAX_PCT, STEAL_CRIT_PCT, STEAL_WARN_PCT,
};
use rules::timeline::series_of;

// ---------------------------------------------------------------------------------------
// Geometry and palette
// ---------------------------------------------------------------------------------------

const W: f64 = 640.0;
const H: f64 = 200.0;
/// Plot area margins: room for y labels on the left, legend on top, time labels below.
const LEFT: f64 = 54.0;
const RIGHT_PLAIN: f64 = 16.0;
const RIGHT_AXIS: f64 = 46.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 38.0;

/// Mid-tone colours that read on white and on a dark background.
const PALETTE: [&str; 6] = [
    "#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9", "#0c8599", "#f08c00",
];
/// The finding's own series (the hot CPU, the subject) and the overlay.
const HOT: &str = "#e8590c";
const STEAL: &str = "#ae3ec9";
const HEAT: &str = "#e8590c";

/// Most lines a chart draws; longer lists keep the largest.
const MAX_METRICS: usize = 6;
const MAX_FAINT: usize = 64;
/// Point markers (with tooltips) only when a line has at most this many points.
const MAX_MARKERS: usize = 120;
/// Heat strips aggregate columns (by maximum) beyond this many.
const MAX_HEAT_COLUMNS: usize = 160;

// ---------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`). Control
/// characters (which XML 1.0 forbids) and line breaks become a replacement character or a
/// space, so that data cannot end an element, an attribute, or the document.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s` (with `…` when cut), escaped.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return escape(s);
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    escape(&format!("{cut}…"))
}

/// A coordinate with one decimal; never `NaN`, never `-0.0`.
fn c(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A value for people: `6558.8`, `35k`, `1.2M`, `0.052`.
fn human(v: f64) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let s = if a >= 1e9 {
        format!("{}G", trim(format!("{:.1}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{}M", trim(format!("{:.1}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        trim(format!("{v:.1}"))
    } else {
        trim(format!("{v:.3}"))
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Tick labels share a unit (k, M, G) and just enough decimals for the step.
fn tick_labels(top: f64, step: f64) -> Vec<String> {
    let (div, suffix) = if top >= 1e9 {
        (1e9, "G")
    } else if top >= 1e6 {
        (1e6, "M")
    } else if top >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let s = step / div;
    let mut decimals = 0usize;
    while decimals < 6 {
        let scaled = s * 10f64.powi(decimals as i32);
        if (scaled - scaled.round()).abs() < 1e-6 {
            break;
        }
        decimals += 1;
    }
    let n = (top / step).round() as usize;
    (0..=n)
        .map(|i| {
            if i == 0 {
                return "0".to_string();
            }
            let v = i as f64 * step / div;
            format!("{v:.decimals$}{suffix}")
        })
        .collect()
}

/// A rounded top for a y axis from 0 to `max`, and its step (1, 2, 5 × 10^n; 2 to 5
/// ticks).
fn nice(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let unit = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = unit * mag;
    let top = ((max / step) - 1e-9).ceil().max(1.0) * step;
    (top, step)
}

// ---------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------

/// Seconds since the epoch (local times as if UTC), with milliseconds.
fn secs(t: &Timestamp) -> f64 {
    t.epoch_seconds() as f64 + f64::from(t.local.and_utc().timestamp_subsec_millis()) / 1000.0
}

/// `HH:MM:SS` (or `MM-DD HH:MM` for long spans) of an x position on a time axis.
fn clock(x: f64, offset: Option<i32>, long: bool) -> String {
    let local = x + f64::from(offset.unwrap_or(0));
    match chrono::DateTime::from_timestamp(local.round() as i64, 0) {
        Some(d) if long => d.naive_utc().format("%m-%d %H:%M").to_string(),
        Some(d) => d.naive_utc().format("%H:%M:%S").to_string(),
        None => "?".into(),
    }
}

fn zone(offset: Option<i32>) -> String {
    match offset {
        Some(o) => {
            let sign = if o < 0 { '−' } else { '+' };
            let a = o.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
        }
        None => "host local time".into(),
    }
}

/// What the x axis measures.
#[derive(Debug, Clone, Copy, PartialEq)]
enum XAxis {
    /// Epoch seconds; labels in the capture's own offset (first time's).
    Time { offset: Option<i32> },
    /// Sample numbers (times unknown or not comparable).
    Index,
}

/// True when all times are known and comparable (all absolute, or all local).
fn comparable<'a>(times: impl IntoIterator<Item = Option<&'a Timestamp>>) -> Option<XAxis> {
    let mut kind: Option<bool> = None;
    let mut offset = None;
    for t in times {
        let t = t?;
        match kind {
            None => {
                kind = Some(t.offset_seconds.is_some());
                offset = t.offset_seconds;
            }
            Some(k) if k != t.offset_seconds.is_some() => return None,
            _ => {}
        }
    }
    kind.map(|_| XAxis::Time { offset })
}

// ---------------------------------------------------------------------------------------
// SVG document
// ---------------------------------------------------------------------------------------

fn open(out: &mut String, kind: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-{kind}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"11\" style=\"max-width:100%;height:auto\"><title>{title}</title><desc>{desc}</desc>",
        w = c(W),
        h = c(height),
        title = short(title, 300),
        desc = short(desc, 600),
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"currentColor\">{content}</text>",
        c(x),
        c(y)
    );
}

/// A legend entry: swatch and (escaped) label; returns the x after it.
fn legend_item(
    out: &mut String,
    x: f64,
    label: &str,
    color: &str,
    dashed: bool,
    faint: bool,
    max_chars: usize,
) -> f64 {
    let label = short(label, max_chars);
    let dash = if dashed {
        " stroke-dasharray=\"4 3\""
    } else {
        ""
    };
    let op = if faint {
        " stroke-opacity=\"0.35\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<g class=\"legend\"><line x1=\"{}\" y1=\"12\" x2=\"{}\" y2=\"12\" stroke=\"{color}\" stroke-width=\"2.5\"{dash}{op}/>",
        c(x),
        c(x + 16.0)
    );
    text(out, x + 20.0, 16.0, "start", "legend-label", &label);
    out.push_str("</g>");
    // An estimate of the label's width at 11 px.
    x + 20.0 + label.chars().count() as f64 * 6.2 + 14.0
}

// ---------------------------------------------------------------------------------------
// Line (step) charts
// ---------------------------------------------------------------------------------------

/// One piece of a line.
#[derive(Debug, Clone)]
enum Seg {
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
struct Line {
    label: String,
    color: &'static str,
    /// On the secondary (right) axis.
    right: bool,
    dashed: bool,
    /// Drawn thin and pale (context such as the other CPUs); one legend entry for all.
    faint: bool,
    segs: Vec<Seg>,
}

impl Line {
    fn new(label: impl Into<String>, color: &'static str) -> Self {
        Line {
            label: label.into(),
            color,
            right: false,
            dashed: false,
            faint: false,
            segs: Vec::new(),
        }
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.segs.iter().filter_map(|s| match s {
            Seg::Step { y, .. } | Seg::Point { y, .. } => Some(*y),
            Seg::Gap => None,
        })
    }

    fn xs(&self) -> impl Iterator<Item = f64> + '_ {
        self.segs.iter().flat_map(|s| match s {
            Seg::Step { x0, x1, .. } => vec![*x0, *x1],
            Seg::Point { x, .. } => vec![*x],
            Seg::Gap => vec![],
        })
    }
}

struct LineChart {
    kind: &'static str,
    title: String,
    desc: String,
    /// Unit of the left axis, shown above it (`per s`, `%`).
    y_unit: String,
    /// Unit of the right axis, when a line uses it.
    y2_unit: String,
    axis: XAxis,
    lines: Vec<Line>,
    /// Horizontal reference lines on the left axis: (value, label).
    marks: Vec<(f64, String)>,
    /// Appended to the axis caption (e.g. a note that no CPU samples fell in the window).
    note: String,
}

/// The x ticks of an axis over `[x0, x1]`: (position, label), and a caption.
fn x_ticks(axis: XAxis, x0: f64, x1: f64) -> (Vec<(f64, String)>, String) {
    let span = (x1 - x0).max(1e-9);
    match axis {
        XAxis::Time { offset } => {
            const STEPS: [f64; 21] = [
                1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
                7200.0, 10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0, 2592000.0,
            ];
            let step = STEPS
                .iter()
                .copied()
                .find(|s| span / s <= 6.0)
                .unwrap_or(2592000.0);
            let off = f64::from(offset.unwrap_or(0));
            let long = span > 1.5 * 86400.0;
            let mut ticks = Vec::new();
            let mut t = ((x0 + off) / step).ceil() * step - off;
            while t <= x1 + 1e-6 && ticks.len() < 12 {
                ticks.push((t, clock(t, offset, long)));
                t += step;
            }
            let day = chrono::DateTime::from_timestamp((x0 + off).floor() as i64, 0)
                .map(|d| d.naive_utc().format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            (ticks, format!("time ({day}, {})", zone(offset)))
        }
        XAxis::Index => {
            let mut step = 1.0;
            for s in [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0] {
                step = s;
                if span / s <= 8.0 {
                    break;
                }
            }
            let mut ticks = Vec::new();
            let mut t = (x0 / step).ceil() * step;
            while t <= x1 + 1e-6 && ticks.len() < 12 {
                ticks.push((t, format!("#{}", t as i64 + 1)));
                t += step;
            }
            (ticks, "sample number (times not recorded)".to_string())
        }
    }
}

fn tip_range(axis: XAxis, x0: f64, x1: f64) -> String {
    match axis {
        XAxis::Time { offset } => {
            if (x1 - x0).abs() < 1e-9 {
                clock(x1, offset, false)
            } else {
                format!("{}–{}", clock(x0, offset, false), clock(x1, offset, false))
            }
        }
        XAxis::Index => {
            if (x1 - x0).abs() < 1e-9 {
                format!("sample #{}", x1 as i64 + 1)
            } else {
                format!("samples #{}–#{}", x0 as i64 + 1, x1 as i64 + 1)
            }
        }
    }
}

fn render_lines(chart: &LineChart) -> Option<String> {
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
    let (ltop, lstep) = nice(left_max);
    let has_right = chart.lines.iter().any(|l| l.right);
    let (rtop, rstep) = nice(max_of(true));
    let pr = W - if has_right { RIGHT_AXIS } else { RIGHT_PLAIN };
    let pb = H - BOTTOM;
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * (pr - LEFT);
    let py = |y: f64, right: bool| {
        let top = if right { rtop } else { ltop };
        let y = if y.is_finite() {
            y.clamp(0.0, top)
        } else {
            0.0
        };
        pb - y / top * (pb - TOP)
    };

    let mut out = String::new();
    open(&mut out, chart.kind, H, &chart.title, &chart.desc);

    // Grid and left axis.
    out.push_str("<g class=\"grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\">");
    for (i, _) in tick_labels(ltop, lstep).iter().enumerate() {
        let y = py(i as f64 * lstep, false);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            c(LEFT),
            c(y),
            c(pr),
            c(y)
        );
    }
    out.push_str("</g><g class=\"axis\">");
    let _ = write!(
        out,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
        l = c(LEFT),
        t = c(TOP),
        b = c(pb),
        r = c(pr)
    );
    for (i, label) in tick_labels(ltop, lstep).iter().enumerate() {
        let y = py(i as f64 * lstep, false);
        text(&mut out, LEFT - 5.0, y + 3.5, "end", "tick", label);
    }
    text(
        &mut out,
        4.0,
        TOP - 12.0,
        "start",
        "unit",
        &short(&chart.y_unit, 24),
    );
    if has_right {
        let _ = write!(
            out,
            "<line x1=\"{r}\" y1=\"{t}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
            r = c(pr),
            t = c(TOP),
            b = c(pb)
        );
        for (i, label) in tick_labels(rtop, rstep).iter().enumerate() {
            let y = py(i as f64 * rstep, true);
            text(
                &mut out,
                pr + 5.0,
                y + 3.5,
                "start",
                "tick tick-right",
                label,
            );
        }
        text(
            &mut out,
            W - 4.0,
            TOP - 12.0,
            "end",
            "unit",
            &short(&chart.y2_unit, 24),
        );
    }
    // Time axis.
    let (ticks, caption) = x_ticks(chart.axis, x0, x1);
    for (t, label) in &ticks {
        let x = px(*t);
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{b}\" x2=\"{x}\" y2=\"{b2}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
            x = c(x),
            b = c(pb),
            b2 = c(pb + 4.0)
        );
        // Labels near the right edge end at their tick instead of overflowing the chart.
        let anchor = if x > W - 30.0 { "end" } else { "middle" };
        text(&mut out, x, pb + 15.0, anchor, "tick", &escape(label));
    }
    let caption = if chart.note.is_empty() {
        caption
    } else {
        format!("{caption} · {}", chart.note)
    };
    text(
        &mut out,
        LEFT,
        H - 5.0,
        "start",
        "caption",
        &short(&caption, 100),
    );
    out.push_str("</g>");

    // Reference marks (thresholds).
    for (v, label) in &chart.marks {
        let y = py(*v, false);
        let _ = write!(
            out,
            "<g class=\"mark\"><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.55\" stroke-dasharray=\"2 3\"/>",
            c(LEFT),
            c(pr),
            y = c(y)
        );
        text(
            &mut out,
            pr - 3.0,
            y - 3.0,
            "end",
            "mark-label",
            &short(label, 40),
        );
        out.push_str("</g>");
    }

    // Lines: faint context first, then the others in order (the first on top last).
    let mut order: Vec<&Line> = chart.lines.iter().filter(|l| l.faint).collect();
    order.extend(chart.lines.iter().filter(|l| !l.faint).rev());
    for line in order {
        let class = if line.faint { "series other" } else { "series" };
        let _ = write!(out, "<g class=\"{class}\">");
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut run: Vec<(f64, f64)> = Vec::new();
        for seg in &line.segs {
            match seg {
                Seg::Step {
                    x0: a, x1: b, y, ..
                } => {
                    if run.last().is_some_and(|p| (p.0 - px(*a)).abs() > 0.05) {
                        runs.push(std::mem::take(&mut run));
                    }
                    run.push((px(*a), py(*y, line.right)));
                    run.push((px(*b), py(*y, line.right)));
                }
                Seg::Point { x, y, .. } => run.push((px(*x), py(*y, line.right))),
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
        let (width, opacity) = if line.faint {
            ("1", " stroke-opacity=\"0.35\"")
        } else {
            ("1.8", "")
        };
        let color = if line.faint {
            "currentColor"
        } else {
            line.color
        };
        let dash = if line.dashed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        for r in runs.iter().filter(|r| r.len() > 1) {
            let pts: Vec<String> = r
                .iter()
                .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
                .collect();
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"{dash}{opacity}/>",
                pts.join(" ")
            );
        }
        // Markers with tooltips (the value on hover).
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
            // Faint context lines carry markers only where no polyline shows the point.
            if (line.faint || count > MAX_MARKERS) && !lone {
                continue;
            }
            let fill = if line.faint {
                "currentColor"
            } else {
                line.color
            };
            let r = if line.faint { "1.5" } else { "2.5" };
            let fo = if line.faint {
                " fill-opacity=\"0.35\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{r}\" fill=\"{fill}\"{fo}><title>{}</title></circle>",
                c(px(x)),
                c(py(y, line.right)),
                short(tip, 200)
            );
        }
        out.push_str("</g>");
    }

    // Legend (one entry for all faint lines).
    let mut x = LEFT;
    let mut faint_done = false;
    let entries = chart.lines.iter().filter(|l| !l.faint).count()
        + usize::from(chart.lines.iter().any(|l| l.faint));
    let max_chars = (((W - LEFT) / entries.max(1) as f64 - 34.0) / 6.2).clamp(8.0, 40.0) as usize;
    for line in &chart.lines {
        if line.faint {
            if faint_done {
                continue;
            }
            faint_done = true;
        }
        if x > W - 60.0 {
            text(&mut out, x, 16.0, "start", "legend-label", "…");
            break;
        }
        let color = if line.faint {
            "currentColor"
        } else {
            line.color
        };
        x = legend_item(
            &mut out,
            x,
            &line.label,
            color,
            line.dashed,
            line.faint,
            max_chars,
        );
    }
    out.push_str("</svg>");
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Bars (since-boot figures, metric comparisons)
// ---------------------------------------------------------------------------------------

struct Bar {
    label: String,
    value: f64,
    /// The value as printed after the bar.
    text: String,
    /// Bars of one unit share a scale; bars of another unit are scaled on their own.
    unit: String,
    color: &'static str,
}

struct BarChart {
    kind: &'static str,
    title: String,
    desc: String,
    /// Printed above the bars: what the numbers are (e.g. "average per second since boot").
    caption: String,
    bars: Vec<Bar>,
    /// The value of a full bar (e.g. 100 for a percentage); else the largest of each unit.
    full_scale: Option<f64>,
}

fn render_bars(chart: &BarChart) -> Option<String> {
    if chart.bars.is_empty() {
        return None;
    }
    const ROW: f64 = 24.0;
    const FIRST: f64 = 30.0;
    const LABEL_W: f64 = 210.0;
    const VALUE_W: f64 = 120.0;
    let height = (FIRST + ROW * chart.bars.len() as f64 + 8.0).max(70.0);
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &chart.desc);
    text(
        &mut out,
        4.0,
        15.0,
        "start",
        "caption",
        &short(&chart.caption, 100),
    );
    let mut max_by_unit: BTreeMap<&str, f64> = BTreeMap::new();
    for b in &chart.bars {
        let v = if b.value.is_finite() {
            b.value.max(0.0)
        } else {
            0.0
        };
        let e = max_by_unit.entry(b.unit.as_str()).or_insert(0.0);
        *e = e.max(v);
    }
    let full = W - LABEL_W - VALUE_W - 8.0;
    for (i, b) in chart.bars.iter().enumerate() {
        let y = FIRST + ROW * i as f64;
        let max = chart
            .full_scale
            .unwrap_or_else(|| max_by_unit.get(b.unit.as_str()).copied().unwrap_or(0.0));
        let v = if b.value.is_finite() {
            b.value.max(0.0)
        } else {
            0.0
        };
        let len = if max > 0.0 { v / max * full } else { 0.0 };
        let _ = write!(
            out,
            "<g class=\"bar\"><title>{}: {}</title>",
            short(&b.label, 200),
            escape(&b.text)
        );
        text(
            &mut out,
            LABEL_W - 6.0,
            y + 12.0,
            "end",
            "bar-label",
            &short(&b.label, 31),
        );
        // The track shows the scale; the bar at least a hairline so a zero still reads as 0.
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"currentColor\" fill-opacity=\"0.07\"/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\"/>",
            c(LABEL_W),
            c(y),
            c(full),
            c(LABEL_W),
            c(y),
            c(len.max(1.0)),
            b.color
        );
        text(
            &mut out,
            LABEL_W + full + 6.0,
            y + 12.0,
            "start",
            "bar-value",
            &short(&b.text, 24),
        );
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Columns (one per CPU)
// ---------------------------------------------------------------------------------------

struct Columns {
    kind: &'static str,
    title: String,
    desc: String,
    y_unit: String,
    caption: String,
    /// (label, value, highlighted)
    items: Vec<(String, f64, bool)>,
    /// Label for the highlighted column's legend and the rest.
    hot_label: String,
    rest_label: String,
}

fn render_columns(chart: &Columns) -> Option<String> {
    if chart.items.is_empty() {
        return None;
    }
    let any_hot = chart.items.iter().any(|i| i.2);
    let max = chart
        .items
        .iter()
        .map(|i| i.1)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let (top, step) = nice(max);
    let pr = W - RIGHT_PLAIN;
    let pb = H - BOTTOM;
    let py = |y: f64| {
        let y = if y.is_finite() {
            y.clamp(0.0, top)
        } else {
            0.0
        };
        pb - y / top * (pb - TOP)
    };
    let n = chart.items.len();
    let slot = ((pr - LEFT) / n as f64).min(64.0);
    let gap = (slot * 0.2).min(4.0);
    let mut out = String::new();
    open(&mut out, chart.kind, H, &chart.title, &chart.desc);
    out.push_str("<g class=\"grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\">");
    let labels = tick_labels(top, step);
    for i in 0..labels.len() {
        let y = py(i as f64 * step);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            c(LEFT),
            c(y),
            c(pr),
            c(y)
        );
    }
    out.push_str("</g><g class=\"axis\">");
    let _ = write!(
        out,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
        l = c(LEFT),
        t = c(TOP),
        b = c(pb),
        r = c(pr)
    );
    for (i, label) in labels.iter().enumerate() {
        text(
            &mut out,
            LEFT - 5.0,
            py(i as f64 * step) + 3.5,
            "end",
            "tick",
            label,
        );
    }
    text(
        &mut out,
        4.0,
        TOP - 12.0,
        "start",
        "unit",
        &short(&chart.y_unit, 24),
    );
    // Column labels: all when they fit, else every k-th (and the highlighted ones).
    let every = ((n as f64 * 34.0) / (pr - LEFT)).ceil().max(1.0) as usize;
    for (i, (label, _, hot)) in chart.items.iter().enumerate() {
        if i % every == 0 || *hot {
            let x = LEFT + slot * (i as f64 + 0.5);
            text(&mut out, x, pb + 14.0, "middle", "tick", &short(label, 8));
        }
    }
    text(
        &mut out,
        LEFT,
        H - 5.0,
        "start",
        "caption",
        &short(&chart.caption, 100),
    );
    out.push_str("</g><g class=\"series\">");
    for (i, (label, v, hot)) in chart.items.iter().enumerate() {
        let x = LEFT + slot * i as f64 + gap / 2.0;
        let y = py(*v);
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
            c((pb - y).max(0.0)),
            short(label, 60),
            human(*v),
            escape(&chart.y_unit_suffix())
        );
    }
    out.push_str("</g>");
    let x = legend_item(&mut out, LEFT, &chart.hot_label, HOT, false, false, 40);
    if n > 1 && any_hot {
        legend_item(
            &mut out,
            x,
            &chart.rest_label,
            "currentColor",
            false,
            true,
            40,
        );
    }
    out.push_str("</svg>");
    Some(out)
}

impl Columns {
    fn y_unit_suffix(&self) -> String {
        if self.y_unit == "%" {
            " %".into()
        } else if self.y_unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.y_unit)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Heat strips (rows = CPUs, columns = intervals or frames)
// ---------------------------------------------------------------------------------------

struct Heat {
    kind: &'static str,
    title: String,
    desc: String,
    unit: String,
    caption: String,
    /// Fixed scale maximum (e.g. 100 for percentages); else the largest value.
    scale: Option<f64>,
    /// Column ends as x positions for labels: (label of the column).
    columns: Vec<String>,
    rows: Vec<(String, Vec<Option<f64>>)>,
}

fn render_heat(chart: &Heat) -> Option<String> {
    let ncols = chart.columns.len();
    if ncols == 0 || chart.rows.is_empty() {
        return None;
    }
    // Aggregate columns beyond the limit, by maximum (a burst must stay visible).
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
    let max = chart.scale.unwrap_or_else(|| {
        rows.iter()
            .flat_map(|r| r.1.iter().flatten())
            .copied()
            .fold(0.0f64, f64::max)
    });
    let nrows = rows.len();
    let row_h = ((H - TOP - BOTTOM) / nrows as f64).clamp(3.0, 14.0);
    let height = TOP + row_h * nrows as f64 + BOTTOM;
    let pr = W - RIGHT_PLAIN;
    let pb = TOP + row_h * nrows as f64;
    let col_w = (pr - LEFT) / cols.len() as f64;
    let mut out = String::new();
    open(&mut out, chart.kind, height, &chart.title, &chart.desc);
    let _ = write!(
        out,
        "<rect class=\"heat-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"currentColor\" fill-opacity=\"0.06\"/>",
        c(LEFT),
        c(TOP),
        c(pr - LEFT),
        c(pb - TOP)
    );
    // Row labels: every k-th when rows are thin.
    let every = (11.0 / row_h).ceil().max(1.0) as usize;
    out.push_str("<g class=\"axis\">");
    for (i, (label, _)) in rows.iter().enumerate() {
        if i % every == 0 {
            let y = TOP + row_h * (i as f64 + 0.5) + 3.5;
            text(&mut out, LEFT - 5.0, y, "end", "tick", &short(label, 9));
        }
    }
    // Column labels: first, last, and a few between.
    let label_every = (cols.len() as f64 / 5.0).ceil().max(1.0) as usize;
    for (j, (a, b)) in cols.iter().enumerate() {
        if j % label_every == 0 || j + 1 == cols.len() {
            if j + 1 != cols.len() && cols.len() - j - 1 < label_every / 2 {
                continue;
            }
            let label = chart.columns.get(b - 1).or(chart.columns.get(*a));
            let x = LEFT + col_w * (j as f64 + 0.5);
            text(
                &mut out,
                x,
                pb + 14.0,
                "middle",
                "tick",
                &short(label.map_or("", |s| s), 12),
            );
        }
    }
    text(
        &mut out,
        LEFT,
        height - 5.0,
        "start",
        "caption",
        &short(&chart.caption, 100),
    );
    out.push_str("</g><g class=\"series\">");
    for (i, (label, vals)) in rows.iter().enumerate() {
        for (j, v) in vals.iter().enumerate() {
            let Some(v) = v.filter(|v| *v > 0.0) else {
                continue;
            };
            let op = if max > 0.0 {
                0.12 + 0.88 * (v / max).min(1.0)
            } else {
                0.0
            };
            let (a, b) = cols[j];
            let when = if b - a > 1 {
                format!("{}–{}", chart.columns[a], chart.columns[b - 1])
            } else {
                chart.columns[a].clone()
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{HEAT}\" fill-opacity=\"{op:.2}\"><title>{} {}: {}{}</title></rect>",
                c(LEFT + col_w * j as f64),
                c(TOP + row_h * i as f64),
                c(col_w.max(0.5)),
                c(row_h),
                short(label, 40),
                short(&when, 60),
                human(v),
                escape(&chart.unit)
            );
        }
    }
    out.push_str("</g>");
    // Scale legend: five swatches from 0 to the maximum.
    let mut x = LEFT;
    for k in 0..5 {
        let op = 0.12 + 0.88 * k as f64 / 4.0;
        let _ = write!(
            out,
            "<rect class=\"legend\" x=\"{}\" y=\"6\" width=\"12\" height=\"10\" fill=\"{HEAT}\" fill-opacity=\"{op:.2}\"/>",
            c(x)
        );
        x += 13.0;
    }
    text(
        &mut out,
        x + 4.0,
        15.0,
        "start",
        "legend-label",
        &escape(&format!("0 … {}{}", human(max), chart.unit)),
    );
    out.push_str("</svg>");
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Charts per rule
// ---------------------------------------------------------------------------------------

/// The chart of one finding, drawn from the host's timeline, or `None` when the data holds
/// nothing to draw.
///
/// * Interface rules (`tap-tx-drop`, `nic-rx-ring-overflow`, `tx-queue-drop`, `nic-phy-errors`,
///   `rx-dropped-unhandled`, `bond-backup-slave-drops`, `cloud-allowance-exceeded`, and any
///   rule whose subject is an interface): per-second rates of the finding's counters over
///   every interval of the series the evidence came from (`deltas` or `ethtool_deltas`,
///   including the quiet intervals), a step line per counter on a time axis (sample numbers
///   when times are unknown, then "per interval" when no rate exists). `tap-tx-drop` adds
///   CPU steal % (from `top`/`sar`) on a right axis over the same time window.
/// * `softnet-backlog-drop` / `softnet-time-squeeze`: that CPU's `dropped` / `time_squeeze`
///   per second over the softnet intervals, the other CPUs as faint lines.
/// * `cpu-steal`: steal % per `top`/`sar` frame, one line per source, warning and critical
///   thresholds marked; a single reading is a bar.
/// * `softirq-single-cpu`: `si` % per frame of the hot CPU against each other CPU (faint);
///   without per-CPU frames, NET_RX softirqs (or NIC queue interrupts) per second per CPU as
///   columns, since boot when only one reading exists.
/// * `ipvs-conn-table-small`: bars of connections against hash buckets (`size=`).
/// * Any finding whose evidence is only since boot or a single snapshot: one bar per counter
///   (the since-boot rate when the uptime is known, else the total), never a line.
pub fn for_finding(host: &Host, finding: &Finding) -> Option<String> {
    match finding.rule {
        "cpu-steal" => steal_chart(host, finding),
        "softnet-backlog-drop" => softnet_chart(host, finding, "dropped"),
        "softnet-time-squeeze" => softnet_chart(host, finding, "time_squeeze"),
        "softirq-single-cpu" => softirq_chart(host, finding),
        "ipvs-conn-table-small" => ipvs_chart(finding),
        _ => interface_chart(host, finding)
            .or_else(|| evidence_steps(finding))
            .or_else(|| evidence_bars(finding)),
    }
}

fn is_live(e: &Evidence) -> bool {
    matches!(e.basis, "interval" | "reported")
}

fn live_interval(kind: IntervalKind) -> bool {
    kind.is_live()
}

/// `cpu12` → 12.
fn subject_cpu(subject: &str) -> Option<u32> {
    subject.strip_prefix("cpu")?.parse().ok()
}

/// The x range of an interval on a time axis: start (or end − seconds) to end.
fn time_range(
    start: Option<&Timestamp>,
    end: Option<&Timestamp>,
    seconds: Option<f64>,
) -> Option<(f64, f64)> {
    let x1 = secs(end?);
    let x0 = match (start, seconds) {
        (Some(s), _) => secs(s),
        (None, Some(s)) if s.is_finite() && s > 0.0 => x1 - s,
        _ => x1,
    };
    Some((x0.min(x1), x1))
}

fn unit_text(per_second: bool) -> &'static str {
    if per_second {
        "/s"
    } else {
        " per interval"
    }
}

/// One counter of one series of an interface.
struct CounterLine<'a> {
    label: String,
    key: String,
    /// From `ethtool -S` (driver counters) rather than the generic interface counters.
    ethtool: bool,
    intervals: Vec<&'a Interval>,
}

/// The counters of an interface finding's live evidence, with all intervals of their series.
fn interface_counters<'a>(host: &'a Host, f: &Finding) -> Vec<CounterLine<'a>> {
    let mut out: Vec<CounterLine<'a>> = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for e in f.evidence.iter().filter(|e| is_live(e)) {
        let key = e.metric.strip_suffix(" (ethtool -S)").unwrap_or(&e.metric);
        let series = series_of(&e.source);
        if !seen.insert((key.to_string(), series.to_string())) {
            continue;
        }
        let mut found = None;
        'ifaces: for iface in host.interfaces.iter().filter(|i| i.name == f.subject) {
            for (list, ethtool) in [(&iface.deltas, false), (&iface.ethtool_deltas, true)] {
                let ivs: Vec<&Interval> = list
                    .iter()
                    .filter(|iv| live_interval(iv.kind))
                    .filter(|iv| iv.series == series || iv.series == e.source)
                    .collect();
                if ivs
                    .iter()
                    .any(|iv| iv.deltas.contains_key(key) || iv.rates.contains_key(key))
                {
                    found = Some((ivs, ethtool));
                    break 'ifaces;
                }
            }
        }
        if let Some((intervals, ethtool)) = found {
            // The same counter from two sources keeps them apart in the legend.
            let label = match out.iter().any(|m| m.key == key) {
                false => key.to_string(),
                true if ethtool => format!("{key} (ethtool -S)"),
                true => format!("{key} ({series})"),
            };
            out.push(CounterLine {
                label,
                key: key.to_string(),
                ethtool,
                intervals,
            });
        }
        if out.len() == MAX_METRICS {
            break;
        }
    }
    out
}

/// The value of a counter over an interval: per second when `per_second`, else its delta.
fn interval_value(iv: &Interval, key: &str, per_second: bool) -> Option<f64> {
    if iv.reset {
        return None;
    }
    let seconds = iv.seconds.filter(|s| s.is_finite() && *s > 0.0);
    let v = if per_second {
        iv.rates
            .get(key)
            .copied()
            .or_else(|| Some(*iv.deltas.get(key)? as f64 / seconds?))
    } else {
        iv.deltas
            .get(key)
            .map(|d| *d as f64)
            .or_else(|| Some(iv.rates.get(key)? * seconds?))
    };
    v.filter(|v| v.is_finite())
}

fn interface_chart(host: &Host, f: &Finding) -> Option<String> {
    if !f.evidence.iter().any(is_live) {
        return None;
    }
    let counters = interface_counters(host, f);
    if counters.is_empty() {
        return None;
    }
    let all: Vec<&Interval> = counters
        .iter()
        .flat_map(|m| m.intervals.iter().copied())
        .collect();
    let axis = if all.iter().all(|iv| iv.end.is_some()) {
        comparable(
            all.iter()
                .flat_map(|iv| [iv.start.as_ref(), iv.end.as_ref()])
                .filter(|t| t.is_some()),
        )
        .unwrap_or(XAxis::Index)
    } else {
        XAxis::Index
    };
    let per_second = all.iter().filter(|iv| !iv.reset).all(|iv| {
        counters.iter().all(|m| {
            !(iv.deltas.contains_key(&m.key) || iv.rates.contains_key(&m.key))
                || interval_value(iv, &m.key, true).is_some()
        })
    });
    let unit = unit_text(per_second);
    let mut lines = Vec::new();
    for (i, m) in counters.iter().enumerate() {
        let mut line = Line::new(format!("{}{unit}", m.label), PALETTE[i % PALETTE.len()]);
        for (j, iv) in m.intervals.iter().enumerate() {
            let range = match axis {
                XAxis::Time { .. } => time_range(iv.start.as_ref(), iv.end.as_ref(), iv.seconds),
                XAxis::Index => Some((j as f64, j as f64 + 1.0)),
            };
            match (range, interval_value(iv, &m.key, per_second)) {
                (Some((x0, x1)), Some(y)) => line.segs.push(Seg::Step {
                    x0,
                    x1,
                    y,
                    tip: format!(
                        "{} · {}: {}{unit}",
                        tip_range(axis, x0, x1),
                        m.label,
                        human(y)
                    ),
                }),
                _ => line.segs.push(Seg::Gap),
            }
        }
        lines.push(line);
    }
    let mut note = if counters.iter().any(|m| m.ethtool) {
        "driver counters (ethtool -S)".to_string()
    } else {
        String::new()
    };
    let mut y2_unit = String::new();
    if f.rule == "tap-tx-drop" {
        if let XAxis::Time { offset } = axis {
            match steal_overlay(host, &lines, offset) {
                Some(line) => {
                    y2_unit = "steal %".into();
                    lines.push(line);
                }
                None if steal_samples(host).iter().any(|s| steal_of(s).is_some()) => {
                    note = "no CPU steal reading in this window".into();
                }
                None => {}
            }
        }
    }
    let names: Vec<&str> = counters.iter().map(|m| m.label.as_str()).collect();
    let peak = lines
        .iter()
        .filter(|l| !l.right)
        .flat_map(|l| l.values())
        .fold(0.0f64, f64::max);
    let chart = LineChart {
        kind: "interface",
        title: format!(
            "{}: {}{}",
            f.subject,
            names.join(", "),
            if per_second {
                " per second"
            } else {
                " per interval"
            }
        ),
        desc: format!(
            "{} over {} interval(s) of the capture; peak {}{unit}{}.",
            names.join(", "),
            counters
                .iter()
                .map(|m| m.intervals.len())
                .max()
                .unwrap_or(0),
            human(peak),
            if y2_unit.is_empty() {
                ""
            } else {
                "; CPU steal % on the right axis"
            }
        ),
        y_unit: if per_second {
            "per s".into()
        } else {
            "per interval".into()
        },
        y2_unit,
        axis,
        lines,
        marks: Vec::new(),
        note,
    };
    render_lines(&chart)
}

/// Steal % of the host's CPU frames that fall in the time window of `lines` (with a margin).
fn steal_overlay(host: &Host, lines: &[Line], offset: Option<i32>) -> Option<Line> {
    let absolute = offset.is_some();
    let xs: Vec<f64> = lines.iter().flat_map(|l| l.xs()).collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let margin = (hi - lo).max(1.0) * 0.1;
    let mut points: Vec<(f64, f64)> = steal_samples(host)
        .into_iter()
        .filter_map(|s| {
            let t = s.time.as_ref()?;
            if t.offset_seconds.is_some() != absolute {
                return None;
            }
            let x = secs(t);
            (x >= lo - margin && x <= hi + margin).then_some((x, steal_of(s)?))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut line = Line::new("CPU steal %", STEAL);
    line.right = true;
    line.dashed = true;
    for (x, y) in points {
        line.segs.push(Seg::Point {
            x,
            y,
            tip: format!("{} · CPU steal: {} %", clock(x, offset, false), human(y)),
        });
    }
    Some(line)
}

/// The steal of a frame: the `all` line, else the mean of the per-CPU lines (as the rule).
fn steal_of(sample: &CpuSample) -> Option<f64> {
    if let Some(all) = sample
        .cpus
        .iter()
        .find(|c| c.cpu == "all")
        .and_then(|c| c.st)
    {
        return Some(all).filter(|v| v.is_finite());
    }
    let per: Vec<f64> = sample
        .cpus
        .iter()
        .filter_map(|c| c.st)
        .filter(|v| v.is_finite())
        .collect();
    (!per.is_empty()).then(|| per.iter().sum::<f64>() / per.len() as f64)
}

/// Frames to use for steal: measured frames when any has steal, else all (as the rule).
fn steal_samples(host: &Host) -> Vec<&CpuSample> {
    let measured: Vec<&CpuSample> = host.cpu.iter().filter(|s| !s.first_iteration).collect();
    if measured.iter().any(|s| steal_of(s).is_some()) {
        measured
    } else {
        host.cpu.iter().collect()
    }
}

/// Frames worth plotting per source: per series, later frames of a `top` run when any exist.
fn frames(host: &Host) -> Vec<&CpuSample> {
    let mut later: BTreeSet<&str> = BTreeSet::new();
    for s in &host.cpu {
        if !s.first_iteration {
            later.insert(series_of(&s.source));
        }
    }
    host.cpu
        .iter()
        .filter(|s| !(s.first_iteration && later.contains(series_of(&s.source))))
        .collect()
}

/// The x axis for a set of frames: their times when all are known and comparable.
fn frame_axis(samples: &[&CpuSample]) -> XAxis {
    comparable(samples.iter().map(|s| s.time.as_ref())).unwrap_or(XAxis::Index)
}

fn frame_x(axis: XAxis, s: &CpuSample, i: usize) -> f64 {
    match (axis, s.time.as_ref()) {
        (XAxis::Time { .. }, Some(t)) => secs(t),
        _ => i as f64,
    }
}

fn steal_chart(host: &Host, f: &Finding) -> Option<String> {
    let mut by_series: BTreeMap<&str, Vec<(&CpuSample, f64)>> = BTreeMap::new();
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
        let (_, st) = readings[0];
        return render_bars(&BarChart {
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
        });
    }
    let all: Vec<&CpuSample> = by_series.values().flatten().map(|r| r.0).collect();
    let axis = frame_axis(&all);
    let mut lines = Vec::new();
    for (k, (series, readings)) in by_series.iter().take(MAX_METRICS).enumerate() {
        let label = if by_series.len() == 1 {
            "steal %".to_string()
        } else {
            format!("steal % ({series})")
        };
        let mut line = Line::new(
            label,
            if k == 0 {
                STEAL
            } else {
                PALETTE[k % PALETTE.len()]
            },
        );
        for (i, (s, st)) in readings.iter().enumerate() {
            let x = frame_x(axis, s, i);
            line.segs.push(Seg::Point {
                x,
                y: *st,
                tip: format!(
                    "{} · steal: {} % ({})",
                    tip_range(axis, x, x),
                    human(*st),
                    s.source
                ),
            });
        }
        lines.push(line);
    }
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
        y_unit: "%".into(),
        y2_unit: String::new(),
        axis,
        lines,
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

/// The live softnet intervals of one series: the evidence's, else the first measured one.
fn softnet_series<'a>(host: &'a Host, evidence: &[Evidence]) -> Vec<&'a SoftnetInterval> {
    let live: Vec<&SoftnetInterval> = host
        .softnet_deltas
        .iter()
        .filter(|d| live_interval(d.kind))
        .collect();
    let wanted = evidence
        .iter()
        .filter(|e| is_live(e))
        .map(|e| series_of(&e.source).to_string())
        .find(|s| live.iter().any(|d| d.series == *s))
        .or_else(|| {
            live.iter()
                .find(|d| d.kind == IntervalKind::Interval)
                .or(live.first())
                .map(|d| d.series.clone())
        });
    match wanted {
        Some(s) => live.into_iter().filter(|d| d.series == s).collect(),
        None => Vec::new(),
    }
}

fn softnet_value(d: &SoftnetInterval, cpu: u32, key: &str, per_second: bool) -> Option<f64> {
    if d.reset {
        return None;
    }
    let c = d.cpus.iter().find(|c| c.cpu == cpu)?;
    let seconds = d.seconds.filter(|s| s.is_finite() && *s > 0.0);
    let v = if per_second {
        c.rates
            .get(key)
            .copied()
            .or_else(|| Some(*c.deltas.get(key)? as f64 / seconds?))
    } else {
        c.deltas
            .get(key)
            .map(|v| *v as f64)
            .or_else(|| Some(c.rates.get(key)? * seconds?))
    };
    v.filter(|v| v.is_finite())
}

fn softnet_chart(host: &Host, f: &Finding, key: &str) -> Option<String> {
    let cpu = subject_cpu(&f.subject);
    if !f.evidence.iter().any(is_live) {
        return softnet_since_boot(host, key, cpu);
    }
    let ivs = softnet_series(host, &f.evidence);
    if ivs.is_empty() {
        return evidence_steps(f).or_else(|| evidence_bars(f));
    }
    let axis = if ivs.iter().all(|d| d.end.is_some()) {
        comparable(
            ivs.iter()
                .flat_map(|d| [d.start.as_ref(), d.end.as_ref()])
                .filter(|t| t.is_some()),
        )
        .unwrap_or(XAxis::Index)
    } else {
        XAxis::Index
    };
    let per_second = ivs.iter().filter(|d| !d.reset).all(|d| {
        d.seconds.is_some_and(|s| s > 0.0) || d.cpus.iter().all(|c| c.rates.contains_key(key))
    });
    let unit = unit_text(per_second);
    let cpus: BTreeSet<u32> = ivs
        .iter()
        .flat_map(|d| d.cpus.iter().map(|c| c.cpu))
        .collect();
    let line_of = |n: u32, label: String, color: &'static str| {
        let mut line = Line::new(label, color);
        for (j, d) in ivs.iter().enumerate() {
            let range = match axis {
                XAxis::Time { .. } => time_range(d.start.as_ref(), d.end.as_ref(), d.seconds),
                XAxis::Index => Some((j as f64, j as f64 + 1.0)),
            };
            match (range, softnet_value(d, n, key, per_second)) {
                (Some((x0, x1)), Some(y)) => line.segs.push(Seg::Step {
                    x0,
                    x1,
                    y,
                    tip: format!(
                        "{} · cpu{n} {key}: {}{unit}",
                        tip_range(axis, x0, x1),
                        human(y)
                    ),
                }),
                _ => line.segs.push(Seg::Gap),
            }
        }
        line
    };
    let mut lines = Vec::new();
    if let Some(n) = cpu {
        lines.push(line_of(n, format!("cpu{n} {key}{unit}"), HOT));
    }
    // The other CPUs, busiest first, as faint context.
    let mut others: Vec<(u32, f64)> = cpus
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
    others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (n, _) in others.into_iter().take(MAX_FAINT) {
        let mut line = line_of(n, "other CPUs".into(), "currentColor");
        line.faint = true;
        lines.push(line);
    }
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
        y_unit: if per_second {
            "per s".into()
        } else {
            "per interval".into()
        },
        y2_unit: String::new(),
        axis,
        lines,
        marks: Vec::new(),
        note: String::new(),
    })
}

/// Per-CPU columns of a since-boot softnet average (or totals without an uptime).
fn softnet_since_boot(host: &Host, key: &str, hot: Option<u32>) -> Option<String> {
    let boot = host
        .softnet_deltas
        .iter()
        .find(|d| matches!(d.kind, IntervalKind::SinceBoot | IntervalKind::Snapshot));
    let (items, per_second, source) = match boot {
        Some(d) => {
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
                    (
                        format!("cpu{}", cp.cpu),
                        v.unwrap_or(0.0),
                        Some(cp.cpu) == hot,
                    )
                })
                .collect::<Vec<_>>();
            (items, per_second, d.end_source.clone())
        }
        None => {
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
                .collect::<Vec<_>>();
            (items, false, s.source.clone())
        }
    };
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
        y_unit: if per_second { "per s".into() } else { "total".into() },
        caption: format!("{what} · one reading, not a trend"),
        hot_label: hot.map_or_else(|| format!("{key} per CPU"), |n| format!("cpu{n}")),
        rest_label: "other CPUs".into(),
        items,
    })
}

/// Per-CPU `si` of a frame: (cpu, si) for numbered CPUs.
fn per_cpu_si(sample: &CpuSample) -> Vec<(u32, f64)> {
    sample
        .cpus
        .iter()
        .filter_map(|c| Some((c.cpu.parse().ok()?, c.si.filter(|v| v.is_finite())?)))
        .collect()
}

/// Draws one signal of a `softirq-single-cpu` finding.
type SoftirqSignal = fn(&Host, &Finding, Option<u32>) -> Option<String>;

/// The signal the evidence names first is drawn first: per-CPU `si` frames, NET_RX softirqs
/// between readings, NIC queue interrupts between readings; else a since-boot reading.
fn softirq_chart(host: &Host, f: &Finding) -> Option<String> {
    let hot = subject_cpu(&f.subject);
    let named = |s: &str| f.evidence.iter().any(|e| e.metric.contains(s));
    let order: [SoftirqSignal; 3] = if named("si cpu") {
        [si_frames_chart, net_rx_columns, irq_columns]
    } else if named("NET_RX softirqs") {
        [net_rx_columns, si_frames_chart, irq_columns]
    } else if named("queue interrupts") {
        [irq_columns, si_frames_chart, net_rx_columns]
    } else {
        [si_frames_chart, net_rx_columns, irq_columns]
    };
    order
        .iter()
        .find_map(|draw| draw(host, f, hot))
        .or_else(|| net_rx_since_boot(host, f, hot))
}

fn si_frames_chart(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
    // Frames with per-CPU si, of the evidence's series when it names one.
    let with_si: Vec<&CpuSample> = frames(host)
        .into_iter()
        .filter(|s| per_cpu_si(s).len() >= 2)
        .collect();
    let wanted = f
        .evidence
        .iter()
        .filter(|e| e.metric.starts_with("si "))
        .map(|e| series_of(&e.source))
        .find(|s| with_si.iter().any(|x| series_of(&x.source) == *s));
    let series = wanted.or_else(|| {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &with_si {
            *count.entry(series_of(&s.source)).or_default() += 1;
        }
        count
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s)
    });
    let chosen: Vec<&CpuSample> = with_si
        .iter()
        .copied()
        .filter(|s| Some(series_of(&s.source)) == series)
        .collect();
    if chosen.len() >= 2 {
        return si_lines(&chosen, hot, &f.subject);
    }
    let [one] = chosen.as_slice() else {
        return None;
    };
    let items = per_cpu_si(one)
        .into_iter()
        .map(|(n, v)| (format!("cpu{n}"), v, Some(n) == hot))
        .collect();
    render_columns(&Columns {
        kind: "softirq",
        title: format!("softirq si % per CPU in the only frame of {}", one.source),
        desc: format!("si % per CPU in one frame of {}.", one.source),
        y_unit: "%".into(),
        caption: "one frame: not a trend".into(),
        hot_label: f.subject.clone(),
        rest_label: "other CPUs".into(),
        items,
    })
}

fn net_rx_columns(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
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

fn irq_columns(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
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

fn net_rx_since_boot(host: &Host, f: &Finding, hot: Option<u32>) -> Option<String> {
    // One reading only: its since-boot distribution.
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
            "per s".into()
        } else {
            "total".into()
        },
        caption: format!("{what} · one reading, not a trend"),
        hot_label: f.subject.clone(),
        rest_label: "other CPUs".into(),
        items,
    })
}

/// si % per frame: the hot CPU as a line, each other CPU faint.
fn si_lines(chosen: &[&CpuSample], hot: Option<u32>, subject: &str) -> Option<String> {
    let axis = frame_axis(chosen);
    let cpus: BTreeSet<u32> = chosen
        .iter()
        .flat_map(|s| per_cpu_si(s))
        .map(|(n, _)| n)
        .collect();
    let line_of = |n: u32, label: String, color: &'static str| {
        let mut line = Line::new(label, color);
        for (i, s) in chosen.iter().enumerate() {
            let x = frame_x(axis, s, i);
            match per_cpu_si(s).into_iter().find(|(c, _)| *c == n) {
                Some((_, v)) => line.segs.push(Seg::Point {
                    x,
                    y: v,
                    tip: format!("{} · cpu{n} si: {} %", tip_range(axis, x, x), human(v)),
                }),
                None => line.segs.push(Seg::Gap),
            }
        }
        line
    };
    let mut lines = Vec::new();
    if let Some(n) = hot {
        lines.push(line_of(n, format!("cpu{n} si %"), HOT));
    }
    let mut others: Vec<(u32, f64)> = cpus
        .iter()
        .filter(|n| Some(**n) != hot)
        .map(|n| {
            let peak = chosen
                .iter()
                .flat_map(|s| per_cpu_si(s))
                .filter(|(c, _)| c == n)
                .map(|(_, v)| v)
                .fold(0.0f64, f64::max);
            (*n, peak)
        })
        .collect();
    others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (n, _) in others.into_iter().take(MAX_FAINT) {
        let mut line = line_of(n, "other CPUs".into(), "currentColor");
        line.faint = true;
        lines.push(line);
    }
    let source = chosen.first().map_or("", |s| s.source.as_str());
    render_lines(&LineChart {
        kind: "softirq",
        title: format!("{subject}: softirq si % per frame against the other CPUs"),
        desc: format!(
            "si % of {} CPU(s) in {} frame(s) of {}; hot at {} %, others should stay under {} %.",
            cpus.len(),
            chosen.len(),
            series_of(source),
            human(SOFTIRQ_HOT_PCT),
            human(SOFTIRQ_OTHERS_MAX_PCT)
        ),
        y_unit: "%".into(),
        y2_unit: String::new(),
        axis,
        lines,
        marks: vec![(SOFTIRQ_HOT_PCT, format!("hot {} %", human(SOFTIRQ_HOT_PCT)))],
        note: String::new(),
    })
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
            share.map_or(String::new(), |s| format!(
                "; {subject} took {} % of them",
                human(s)
            ))
        ),
        y_unit: if per_second {
            "per s".into()
        } else {
            "count".into()
        },
        caption: format!(
            "{} interval(s){}{}",
            ivs.len(),
            if per_second {
                format!(", {} s in all", human(seconds))
            } else {
                String::new()
            },
            share.map_or(String::new(), |s| format!(
                " · {subject}: {} % of all",
                human(s)
            ))
        ),
        hot_label: subject.to_string(),
        rest_label: "other CPUs".into(),
        items,
    })
}

fn ipvs_chart(f: &Finding) -> Option<String> {
    let find = |prefix: &str| {
        f.evidence
            .iter()
            .find(|e| e.metric.starts_with(prefix))
            .and_then(|e| e.value)
            .filter(|v| v.is_finite())
    };
    let size = find("ipvs table_size")?;
    let conns = find("ipvs connections")?;
    let per =
        find("ipvs entries per hash bucket").unwrap_or(if size > 0.0 { conns / size } else { 0.0 });
    render_bars(&BarChart {
        kind: "ipvs",
        title: format!(
            "IPVS: {} connections in {} hash buckets",
            human(conns),
            human(size)
        ),
        desc: format!(
            "{} connections, table size {} buckets: {} entries per bucket (warning from {}).",
            human(conns),
            human(size),
            human(per),
            human(IPVS_WARN_PER_BUCKET)
        ),
        caption: format!(
            "{} entries per hash bucket on average (warning from {})",
            human(per),
            human(IPVS_WARN_PER_BUCKET)
        ),
        bars: vec![
            Bar {
                label: "connections".into(),
                value: conns,
                text: human(conns),
                unit: String::new(),
                color: HOT,
            },
            Bar {
                label: "hash buckets (size=)".into(),
                value: size,
                text: human(size),
                unit: String::new(),
                color: PALETTE[1],
            },
        ],
        full_scale: None,
    })
}

/// Steps from the live evidence alone, when the timeline holds no matching series.
fn evidence_steps(f: &Finding) -> Option<String> {
    let live: Vec<&Evidence> = f
        .evidence
        .iter()
        .filter(|e| is_live(e) && e.rate.is_some_and(f64::is_finite) && e.end.is_some())
        .collect();
    if live.is_empty() {
        return None;
    }
    let axis = comparable(
        live.iter()
            .flat_map(|e| [e.start.as_ref(), e.end.as_ref()])
            .filter(|t| t.is_some()),
    )?;
    let mut metrics: Vec<&str> = Vec::new();
    for e in &live {
        if !metrics.contains(&e.metric.as_str()) && metrics.len() < MAX_METRICS {
            metrics.push(&e.metric);
        }
    }
    let mut lines = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        let mut items: Vec<&&Evidence> = live.iter().filter(|e| e.metric == *m).collect();
        items.sort_by(|a, b| rules::model::cmp_time(&a.end, &b.end));
        let mut line = Line::new(format!("{m}/s"), PALETTE[i % PALETTE.len()]);
        for e in items {
            let Some((x0, x1)) = time_range(e.start.as_ref(), e.end.as_ref(), None) else {
                continue;
            };
            let y = e.rate.unwrap_or(0.0);
            let tip = format!("{} · {m}: {}/s", tip_range(axis, x0, x1), human(y));
            if x1 > x0 {
                line.segs.push(Seg::Step { x0, x1, y, tip });
            } else {
                line.segs.push(Seg::Point { x: x1, y, tip });
                line.segs.push(Seg::Gap);
            }
        }
        lines.push(line);
    }
    render_lines(&LineChart {
        kind: "evidence",
        title: format!(
            "{}: {} per second (intervals with growth)",
            f.subject,
            metrics.join(", ")
        ),
        desc: format!(
            "Rates of the {} evidence interval(s) of {}.",
            live.len(),
            f.rule
        ),
        y_unit: "per s".into(),
        y2_unit: String::new(),
        axis,
        lines,
        marks: Vec::new(),
        note: "intervals with growth only".into(),
    })
}

/// One bar per counter of a since-boot or snapshot finding: the since-boot rate when known,
/// else the total.
fn evidence_bars(f: &Finding) -> Option<String> {
    let mut bars: Vec<Bar> = Vec::new();
    let mut since_boot = false;
    for e in &f.evidence {
        if e.metric == "txqueuelen" {
            continue;
        }
        let (value, text, unit) = match (e.rate.filter(|r| r.is_finite()), e.delta.or(e.value)) {
            (Some(r), _) if !is_live(e) => {
                since_boot = true;
                (r, format!("{}/s", human(r)), "/s")
            }
            (_, Some(v)) if v.is_finite() => (v, human(v), ""),
            _ => continue,
        };
        if bars.iter().any(|b| b.label == e.metric) {
            continue;
        }
        let color = PALETTE[bars.len() % PALETTE.len()];
        bars.push(Bar {
            label: e.metric.clone(),
            value,
            text,
            unit: unit.to_string(),
            color,
        });
        if bars.len() == 8 {
            break;
        }
    }
    if bars.is_empty() {
        return None;
    }
    let basis = if since_boot {
        "average per second since boot (no samples during the capture)"
    } else {
        "totals of a single reading (since boot or driver load)"
    };
    render_bars(&BarChart {
        kind: "since-boot",
        title: format!("{}: {}", f.subject, basis),
        desc: format!(
            "{} counter(s) of {} read once: {}.",
            bars.len(),
            f.rule,
            bars.iter()
                .map(|b| format!("{} {}", b.label, b.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        caption: basis.into(),
        bars,
        full_scale: None,
    })
}

// ---------------------------------------------------------------------------------------
// Per-host charts
// ---------------------------------------------------------------------------------------

/// Heat strip of one softnet counter (`dropped`, `time_squeeze`, `processed`,
/// `received_rps`, `flow_limit_count`) per CPU (rows) per interval (columns), per second.
/// With only a since-boot reading: per-CPU columns of its average. `None` without softnet
/// data or when the counter never moved (nothing to look at).
pub fn softnet_heatmap(host: &Host, key: &str) -> Option<String> {
    let ivs = softnet_series(host, &[]);
    if ivs.is_empty() {
        let any = host.softnet.last().is_some_and(|s| {
            s.cpus.iter().any(|c| match key {
                "dropped" => c.dropped > 0,
                "time_squeeze" => c.time_squeeze > 0,
                _ => true,
            })
        });
        return if any {
            softnet_since_boot(host, key, None)
        } else {
            None
        };
    }
    let per_second = ivs
        .iter()
        .filter(|d| !d.reset)
        .all(|d| d.seconds.is_some_and(|s| s > 0.0));
    let cpus: BTreeSet<u32> = ivs
        .iter()
        .flat_map(|d| d.cpus.iter().map(|c| c.cpu))
        .collect();
    let axis = comparable(ivs.iter().map(|d| d.end.as_ref())).unwrap_or(XAxis::Index);
    let columns: Vec<String> = ivs
        .iter()
        .enumerate()
        .map(|(j, d)| match (axis, d.end.as_ref()) {
            (XAxis::Time { offset }, Some(t)) => clock(secs(t), offset, false),
            _ => format!("#{}", j + 2),
        })
        .collect();
    let rows: Vec<(String, Vec<Option<f64>>)> = cpus
        .iter()
        .map(|n| {
            (
                format!("cpu{n}"),
                ivs.iter()
                    .map(|d| softnet_value(d, *n, key, per_second))
                    .collect(),
            )
        })
        .collect();
    let any = rows.iter().any(|r| r.1.iter().flatten().any(|v| *v > 0.0));
    if !any {
        return None;
    }
    let unit = if per_second { "/s" } else { " per interval" };
    let caption = match axis {
        XAxis::Time { offset } => format!(
            "column = interval ending at the time shown ({}) · {}",
            zone(offset),
            series_of(&ivs[0].end_source)
        ),
        XAxis::Index => "column = interval ending at sample #n (times not recorded)".into(),
    };
    render_heat(&Heat {
        kind: "softnet-heat",
        title: format!(
            "softnet {key} per CPU per {}",
            if per_second { "second" } else { "interval" }
        ),
        desc: format!(
            "softnet_stat {key} of {} CPU(s) over {} interval(s).",
            cpus.len(),
            ivs.len()
        ),
        unit: unit.into(),
        caption,
        scale: None,
        columns,
        rows,
    })
}

/// Heat strip of softirq `si` % per CPU (rows) per `top`/`sar` frame (columns), scaled to
/// 100 %: one hot row is one CPU doing all receive work. `None` without at least two frames
/// with per-CPU lines (one frame is in the tables already).
pub fn cpu_si_heatmap(host: &Host) -> Option<String> {
    let with_si: Vec<&CpuSample> = frames(host)
        .into_iter()
        .filter(|s| per_cpu_si(s).len() >= 2)
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &with_si {
        *count.entry(series_of(&s.source)).or_default() += 1;
    }
    let series = count
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s)?;
    let chosen: Vec<&CpuSample> = with_si
        .into_iter()
        .filter(|s| series_of(&s.source) == series)
        .collect();
    if chosen.len() < 2 {
        return None;
    }
    let axis = frame_axis(&chosen);
    let cpus: BTreeSet<u32> = chosen
        .iter()
        .flat_map(|s| per_cpu_si(s))
        .map(|(n, _)| n)
        .collect();
    let columns = chosen
        .iter()
        .enumerate()
        .map(|(i, s)| match (axis, s.time.as_ref()) {
            (XAxis::Time { offset }, Some(t)) => clock(secs(t), offset, false),
            _ => format!("#{}", i + 1),
        })
        .collect();
    let rows = cpus
        .iter()
        .map(|n| {
            (
                format!("cpu{n}"),
                chosen
                    .iter()
                    .map(|s| {
                        per_cpu_si(s)
                            .into_iter()
                            .find(|(c, _)| c == n)
                            .map(|(_, v)| v)
                    })
                    .collect(),
            )
        })
        .collect();
    render_heat(&Heat {
        kind: "si-heat",
        title: "softirq si % per CPU per frame".into(),
        desc: format!(
            "si % of {} CPU(s) in {} frame(s) of {series}.",
            cpus.len(),
            chosen.len()
        ),
        unit: " %".into(),
        caption: format!("column = one frame of {series}"),
        scale: Some(100.0),
        columns,
        rows,
    })
}

/// Busy (100 − idle), softirq and steal % of all CPUs per frame of the source with the most
/// frames (`top` or `sar`), as lines. `None` with fewer than two frames.
pub fn cpu_per_sample(host: &Host) -> Option<String> {
    let all = frames(host);
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &all {
        *count.entry(series_of(&s.source)).or_default() += 1;
    }
    let series = count
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s)?;
    let chosen: Vec<&CpuSample> = all
        .into_iter()
        .filter(|s| series_of(&s.source) == series)
        .collect();
    if chosen.len() < 2 {
        return None;
    }
    let axis = frame_axis(&chosen);
    /// A field of the `all` line, else the mean over the per-CPU lines.
    fn field(s: &CpuSample, get: fn(&rules::model::CpuUsage) -> Option<f64>) -> Option<f64> {
        if let Some(v) = s.cpus.iter().find(|c| c.cpu == "all").and_then(get) {
            return Some(v).filter(|v| v.is_finite());
        }
        let per: Vec<f64> = s
            .cpus
            .iter()
            .filter_map(get)
            .filter(|v| v.is_finite())
            .collect();
        (!per.is_empty()).then(|| per.iter().sum::<f64>() / per.len() as f64)
    }
    type Spec = (&'static str, &'static str, fn(&CpuSample) -> Option<f64>);
    let specs: [Spec; 3] = [
        ("busy % (100 − idle)", PALETTE[1], |s| {
            field(s, |c| c.id).map(|i| (100.0 - i).max(0.0))
        }),
        ("softirq si %", HOT, |s| field(s, |c| c.si)),
        ("steal st %", STEAL, |s| field(s, |c| c.st)),
    ];
    let mut lines = Vec::new();
    for (label, color, get) in specs {
        let mut line = Line::new(label, color);
        for (i, s) in chosen.iter().enumerate() {
            let x = frame_x(axis, s, i);
            match get(s) {
                Some(v) => line.segs.push(Seg::Point {
                    x,
                    y: v,
                    tip: format!("{} · {label}: {}", tip_range(axis, x, x), human(v)),
                }),
                None => line.segs.push(Seg::Gap),
            }
        }
        if line.values().next().is_some() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return None;
    }
    render_lines(&LineChart {
        kind: "cpu",
        title: format!("CPU per frame of {series}"),
        desc: format!(
            "Busy, softirq and steal % of all CPUs in {} frame(s) of {series}.",
            chosen.len()
        ),
        y_unit: "%".into(),
        y2_unit: String::new(),
        axis,
        lines,
        marks: Vec::new(),
        note: String::new(),
    })
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers, though
    //! the tap counters echo seed 000's shape).
    use super::*;
    use chrono::NaiveDate;
    use rules::finding::Severity;
    use rules::model::{CounterSample, CpuUsage, InterfaceKind, SoftnetCpu, SoftnetSample};

    pub(super) fn at(s: u32) -> Option<Timestamp> {
        let d = NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(12, 28, 0)
            .unwrap()
            + chrono::Duration::seconds(i64::from(s));
        Some(Timestamp::new(d, Some(-5 * 3600)))
    }

    /// Synthetic: a tap with `drops` cumulative tx_dropped at 5-second samples.
    pub(super) fn tap_host(name: &str, drops: &[u64]) -> Host {
        let mut host = Host::new("synthetic-compute");
        let iface = host.interface_mut(name, None);
        iface.kind = InterfaceKind::Tap;
        iface.qlen = Some(1000);
        for (i, d) in drops.iter().enumerate() {
            iface.samples.push(CounterSample {
                time: at(5 * i as u32),
                source: format!("capture.log:{}", 10 * i + 1),
                counters: [
                    ("tx_dropped".to_string(), *d),
                    ("tx_packets".to_string(), 1_000_000 + 400_000 * i as u64),
                ]
                .into_iter()
                .collect(),
                approximate: false,
            });
        }
        rules::timeline::compute(&mut host);
        host
    }

    pub(super) fn cpu_frame(t: Option<Timestamp>, line: usize, st: f64, si: &[f64]) -> CpuSample {
        let mut cpus = vec![CpuUsage {
            cpu: "all".into(),
            us: Some(5.0),
            sy: Some(10.0),
            ni: None,
            id: Some(50.0),
            wa: None,
            hi: None,
            si: Some(si.iter().sum::<f64>() / si.len().max(1) as f64),
            st: Some(st),
        }];
        for (n, v) in si.iter().enumerate() {
            cpus.push(CpuUsage {
                cpu: n.to_string(),
                us: None,
                sy: None,
                ni: None,
                id: Some(100.0 - v),
                wa: None,
                hi: None,
                si: Some(*v),
                st: Some(st),
            });
        }
        CpuSample {
            time: t,
            source: format!("top.log:{line}"),
            first_iteration: false,
            cpus,
            processes: Vec::new(),
            represents: 1,
        }
    }

    fn finding_of(host: &Host, rule: &str) -> Finding {
        rules::catalog::run(host)
            .into_iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} finding"))
    }

    fn polylines(svg: &str) -> Vec<usize> {
        svg.match_indices("<polyline points=\"")
            .map(|(i, m)| {
                let rest = &svg[i + m.len()..];
                let end = rest.find('"').unwrap();
                rest[..end].split(' ').count()
            })
            .collect()
    }

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title>") && svg.contains("viewBox"));
        for bad in [
            "NaN",
            ">inf",
            "\"inf",
            "<script",
            "<foreignObject",
            "href",
            "url(",
            "-0,",
            "-0\"",
        ] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    }

    #[test]
    fn tap_chart_has_one_step_per_interval_time_labels_and_steal_overlay() {
        // Synthetic: 6 samples → 5 intervals; drops start after the second interval.
        let mut host = tap_host("tap0", &[100, 100, 100, 20_100, 45_100, 70_100]);
        for (i, st) in [2.0, 3.0, 40.0, 45.0, 44.0].iter().enumerate() {
            host.cpu
                .push(cpu_frame(at(5 * (i as u32 + 1)), 100 + i, *st, &[1.0, 2.0]));
        }
        let f = finding_of(&host, "tap-tx-drop");
        assert_eq!(f.severity, Severity::Critical);
        let svg = for_finding(&host, &f).expect("chart");
        well_formed(&svg);
        // One contiguous step line: 5 intervals × 2 points, plus the steal line of 5 points.
        assert_eq!(polylines(&svg), vec![5, 10]);
        assert!(svg.contains("tx_dropped/s"), "{svg}");
        assert!(svg.contains("CPU steal %") && svg.contains("steal %"));
        // Time ticks in the capture's local time and the zone caption.
        assert!(
            svg.contains(">12:28:00<") && svg.contains(">12:28:25<"),
            "{svg}"
        );
        assert!(svg.contains("2016-11-29, UTC−05:00"));
        // y axis: peak 5000/s → rounded top 6000 (step 2000, shown as 6000).
        assert!(svg.contains(">6000<"), "{svg}");
        // The quiet intervals are drawn too (rate 0) and a tooltip names the peak.
        assert!(
            svg.contains("12:28:15–12:28:20 · tx_dropped: 5000/s"),
            "{svg}"
        );
    }

    #[test]
    fn steal_outside_the_window_is_noted_not_drawn() {
        let mut host = tap_host("tap0", &[0, 10_000, 20_000]);
        host.cpu.push(cpu_frame(at(3600), 1, 40.0, &[1.0, 2.0]));
        host.cpu.push(cpu_frame(at(3605), 2, 40.0, &[1.0, 2.0]));
        let f = finding_of(&host, "tap-tx-drop");
        let svg = for_finding(&host, &f).unwrap();
        assert_eq!(polylines(&svg), vec![4]);
        assert!(svg.contains("no CPU steal reading in this window"));
    }

    #[test]
    fn hostile_interface_name_is_escaped() {
        let name = "tap<script>alert('x')</script>\"&";
        let host = tap_host(name, &[0, 10_000, 20_000]);
        let f = finding_of(&host, "tap-tx-drop");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<script>") && !svg.contains("alert('x')"));
        assert!(svg.contains("tap&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"));
        // A very long name is cut in the chart (the page shows it in full elsewhere).
        let long = format!("tap{}", "x<".repeat(5000));
        let host = tap_host(&long, &[0, 10_000, 20_000]);
        let svg = for_finding(&host, &finding_of(&host, "tap-tx-drop")).unwrap();
        well_formed(&svg);
        assert!(svg.len() < 8000, "{}", svg.len());
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>\n\u{7}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt; \u{FFFD}"
        );
    }

    #[test]
    fn since_boot_finding_is_a_bar_not_a_line() {
        // Synthetic: one snapshot with an uptime read at the same moment.
        let mut host = Host::new("synthetic");
        host.uptime_seconds = Some(86_400);
        host.collected_at = at(0);
        let iface = host.interface_mut("tap1", None);
        iface.kind = InterfaceKind::Tap;
        iface.samples.push(CounterSample {
            time: at(0),
            source: "sos_commands/networking/ip_-s_-d_link".into(),
            counters: [
                ("tx_dropped".to_string(), 50_000),
                ("tx_packets".to_string(), 1_000_000),
            ]
            .into_iter()
            .collect(),
            approximate: false,
        });
        rules::timeline::compute(&mut host);
        let f = finding_of(&host, "tap-tx-drop");
        assert!(f.evidence.iter().all(|e| !is_live(e)));
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"), "{svg}");
        assert!(svg.contains("<rect") && svg.contains("since boot"));
        // 50 000 / 86 400 s = 0.579/s
        assert!(svg.contains("0.579/s"), "{svg}");
        assert!(!svg.contains("txqueuelen"));
    }

    #[test]
    fn charts_are_deterministic() {
        let mut host = tap_host("tap0", &[0, 5, 40_000, 90_000]);
        host.cpu.push(cpu_frame(at(5), 1, 30.0, &[80.0, 2.0, 1.0]));
        host.cpu.push(cpu_frame(at(10), 2, 35.0, &[85.0, 1.0, 2.0]));
        for f in rules::catalog::run(&host) {
            let a = for_finding(&host, &f);
            assert!(a.is_some(), "{}", f.rule);
            assert_eq!(a, for_finding(&host, &f));
        }
        assert_eq!(cpu_per_sample(&host), cpu_per_sample(&host));
        assert_eq!(cpu_si_heatmap(&host), cpu_si_heatmap(&host));
    }

    #[test]
    fn degenerate_data_does_not_panic_or_print_nan() {
        // One interval, zero rates.
        let host = tap_host("tap0", &[7, 7]);
        let f = Finding {
            rule: "tap-tx-drop",
            severity: Severity::Info,
            subject: "tap0".into(),
            title: String::new(),
            summary: String::new(),
            evidence: vec![Evidence {
                source: "capture.log:11".into(),
                start: at(0),
                end: at(5),
                metric: "tx_dropped".into(),
                value: None,
                delta: Some(0.0),
                rate: Some(0.0),
                basis: "interval",
            }],
            remediation: vec![],
            references: vec![],
            impact: 0.0,
            basis: "live",
            seen_on: vec![],
            total: 0.0,
            related: vec![],
        };
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert_eq!(polylines(&svg), vec![2]);
        // Nothing at all, unknown rules, undated samples.
        let empty = Host::new("e");
        assert!(for_finding(&empty, &f).is_some()); // falls back to the evidence itself
        let mut bare = f.clone();
        bare.evidence.clear();
        assert!(for_finding(&empty, &bare).is_none());
        for rule in [
            "cpu-steal",
            "softnet-backlog-drop",
            "softirq-single-cpu",
            "ipvs-conn-table-small",
        ] {
            let mut g = bare.clone();
            g.rule = rule;
            g.subject = "cpu0".into();
            assert!(for_finding(&empty, &g).is_none(), "{rule}");
        }
        assert!(softnet_heatmap(&empty, "dropped").is_none());
        assert!(cpu_si_heatmap(&empty).is_none());
        assert!(cpu_per_sample(&empty).is_none());
        let mut undated = tap_host("tap0", &[0, 100, 300]);
        for s in &mut undated.interfaces[0].samples {
            s.time = None;
        }
        rules::timeline::compute(&mut undated);
        let f = finding_of(&undated, "tap-tx-drop");
        let svg = for_finding(&undated, &f).unwrap();
        well_formed(&svg);
        assert!(
            svg.contains("sample number") && svg.contains("per interval"),
            "{svg}"
        );
        assert_eq!(polylines(&svg), vec![4]);
        // A single CPU frame with steal: a bar, no line.
        let mut one = Host::new("g");
        one.cpu.push(cpu_frame(None, 1, 45.4, &[1.0]));
        let f = finding_of(&one, "cpu-steal");
        let svg = for_finding(&one, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn steal_and_softirq_frames_are_lines_per_sample() {
        let mut host = Host::new("synthetic-guest");
        for (i, st) in [20.0, 45.4, 40.0, 38.0].iter().enumerate() {
            host.cpu.push(cpu_frame(
                at(3 * i as u32),
                i + 1,
                *st,
                &[95.0, 3.0, 2.0, 4.0],
            ));
        }
        let f = finding_of(&host, "cpu-steal");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert_eq!(polylines(&svg), vec![4]);
        assert!(svg.contains("warning 10 %") && svg.contains("critical 30 %"));
        let f = finding_of(&host, "softirq-single-cpu");
        assert_eq!(f.subject, "cpu0");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        // The hot CPU and three faint others, 4 frames each.
        assert_eq!(polylines(&svg), vec![4, 4, 4, 4]);
        assert!(svg.contains("cpu0 si %") && svg.contains("other CPUs"));
        let heat = cpu_si_heatmap(&host).unwrap();
        well_formed(&heat);
        assert!(heat.contains("cpu3"));
        let cpu = cpu_per_sample(&host).unwrap();
        well_formed(&cpu);
        assert_eq!(polylines(&cpu), vec![4, 4, 4]);
    }

    fn softnet(t: Option<Timestamp>, line: usize, rows: &[(u64, u64, u64)]) -> SoftnetSample {
        SoftnetSample {
            time: t,
            source: format!("capture.log:{line}"),
            cpu_ids_exact: true,
            cpus: rows
                .iter()
                .enumerate()
                .map(|(n, (p, d, s))| SoftnetCpu {
                    cpu: n as u32,
                    processed: *p,
                    dropped: *d,
                    time_squeeze: *s,
                    received_rps: None,
                    flow_limit_count: None,
                    backlog_len: None,
                })
                .collect(),
        }
    }

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
        assert_eq!(polylines(&svg), vec![4, 4]);
        assert!(svg.contains("cpu0 dropped/s"));
        let heat = softnet_heatmap(&host, "dropped").unwrap();
        well_formed(&heat);
        // cpu0 dropped in both intervals: two coloured cells (cpu1 never dropped).
        assert_eq!(heat.matches("fill=\"#e8590c\" fill-opacity").count(), 2 + 5);
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
            svg.contains("cpu0: 50/s") || svg.contains("cpu0: 50 per s"),
            "{svg}"
        );
    }

    #[test]
    fn ipvs_is_a_bar_of_connections_against_buckets() {
        let mut host = Host::new("synthetic-director");
        host.ipvs.push(rules::model::IpvsSample {
            time: at(0),
            source: "ipvsadm -Ln".into(),
            table_size: Some(4096),
            connections: Some(300_000),
            services: Vec::new(),
            timeouts: None,
            represents: 1,
        });
        let f = finding_of(&host, "ipvs-conn-table-small");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"));
        assert!(svg.contains(">300k<") && svg.contains(">4096<"), "{svg}");
    }
}

#[cfg(test)]
mod gallery {
    //! `CHARTS_GALLERY=/tmp/charts.html cargo test -p analyze --lib charts::gallery -- --ignored`
    //! writes the charts of every scenario, the corpus sosreport and the synthetic test hosts
    //! into one page, to look at in a browser (light and dark).
    use super::*;

    fn host_charts(host: &Host, findings: &[Finding]) -> String {
        let mut page = String::new();
        for f in findings {
            let _ = write!(
                page,
                "<h3>{} {} {:?}</h3>",
                f.rule,
                escape(&f.subject),
                f.severity
            );
            page.push_str(&for_finding(host, f).unwrap_or_else(|| "<p>(no chart)</p>".into()));
        }
        for (name, svg) in [
            ("softnet dropped", softnet_heatmap(host, "dropped")),
            (
                "softnet time_squeeze",
                softnet_heatmap(host, "time_squeeze"),
            ),
            ("si heat", cpu_si_heatmap(host)),
            ("cpu", cpu_per_sample(host)),
        ] {
            if let Some(svg) = svg {
                let _ = write!(page, "<h4>{name}</h4>{svg}");
            }
        }
        page
    }

    #[test]
    #[ignore]
    fn gallery() {
        let Ok(out) = std::env::var("CHARTS_GALLERY") else {
            return;
        };
        let dir = |p: &str| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
        let mut inputs: Vec<std::path::PathBuf> = std::fs::read_dir(dir("testdata/scenarios"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        inputs.sort();
        let mut inputs: Vec<(String, std::path::PathBuf)> = inputs
            .into_iter()
            .map(|d| {
                let spec: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(d.join("expected.json")).unwrap(),
                )
                .unwrap();
                let name = d.file_name().unwrap().to_string_lossy().to_string();
                (name, d.join(spec["input"].as_str().unwrap()))
            })
            .collect();
        inputs.push((
            "corpus sosreport".into(),
            dir("testdata/sosreport-3.6-coreos-master1.tar.xz"),
        ));
        let mut page = String::from("<!DOCTYPE html><meta charset=utf-8><style>:root{color-scheme:light dark}body{font:14px system-ui;max-width:700px;margin:auto}</style>");
        for (name, input) in inputs {
            let report = crate::pipeline::run(&[input]);
            let _ = write!(page, "<h2>{}</h2>", escape(&name));
            for h in &report.hosts {
                page.push_str(&host_charts(h, &h.findings));
            }
        }
        // Synthetic hosts of the unit tests (tap drops against steal; hostile name).
        let mut host = super::tests::tap_host("tap0", &[100, 100, 100, 20_100, 45_100, 70_100]);
        for (i, st) in [2.0, 3.0, 40.0, 45.0, 44.0].iter().enumerate() {
            host.cpu.push(super::tests::cpu_frame(
                super::tests::at(5 * (i as u32 + 1)),
                100 + i,
                *st,
                &[1.0, 2.0],
            ));
        }
        let hostile =
            super::tests::tap_host("tap<script>alert('x')</script>", &[0, 10_000, 20_000]);
        page.push_str("<h2>synthetic</h2>");
        for h in [&host, &hostile] {
            page.push_str(&host_charts(h, &rules::catalog::run(h)));
        }
        std::fs::write(out, page).unwrap();
    }
}
