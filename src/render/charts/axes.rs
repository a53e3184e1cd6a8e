//! Axes and frame, written once for every chart kind: plot margins, the rounded y scale and
//! its tick labels, the grid and the left (and right) axis, the x ticks of a time or
//! sample-number axis, and the caption under the plot.
//!
//! Line charts and per-CPU columns share the same grid, axis lines, tick labels and unit
//! caption; drawing them here keeps the two kinds aligned when one of them changes.

use std::fmt::Write as _;

use super::svg::{c, escape, short, text, CHAR_W, W};
use super::time::{clock, zone, XAxis};

/// Height of a chart with one plot area and a one-row legend (heat strips grow or shrink
/// with their rows; line charts with their legend and panels).
pub(super) const H: f64 = 250.0;
/// Plot area margins: room for y labels on the left, legend and unit on top, time labels
/// and the caption below.
pub(super) const LEFT: f64 = 52.0;
pub(super) const RIGHT_PLAIN: f64 = 12.0;
const RIGHT_AXIS: f64 = 40.0;
pub(super) const TOP: f64 = 50.0;
pub(super) const BOTTOM: f64 = 46.0;
/// The baseline of the first legend row.
pub(super) const LEGEND_Y: f64 = 17.0;

/// A y axis from 0 to `top` in ticks of `step`.
#[derive(Debug, Clone, Copy)]
pub(super) struct YScale {
    pub top: f64,
    pub step: f64,
}

impl YScale {
    /// A rounded top for a y axis from 0 to `max`, and its step (1, 2, 5 × 10^n; 2 to 5
    /// ticks).
    pub fn new(max: f64) -> Self {
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
        YScale { top, step }
    }

    /// Tick labels share a unit (k, M, G) and just enough decimals for the step.
    pub fn labels(&self) -> Vec<String> {
        let (top, step) = (self.top, self.step);
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
}

/// A plot area: from [`LEFT`] to `right`, from `top` to `bottom`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plot {
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Plot {
    /// The plot area of a chart [`H`] high, narrower when a right axis needs room for its
    /// labels.
    pub fn new(right_axis: bool) -> Self {
        Plot::at(TOP, H - BOTTOM, right_axis)
    }

    /// A plot area from `top` to `bottom` (one panel of a chart of several).
    pub fn at(top: f64, bottom: f64, right_axis: bool) -> Self {
        Plot {
            top,
            right: W - if right_axis { RIGHT_AXIS } else { RIGHT_PLAIN },
            bottom,
        }
    }

    /// The y position of `v` on `scale` (clamped to the axis; 0 when not finite).
    pub fn y(&self, scale: YScale, v: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(0.0, scale.top)
        } else {
            0.0
        };
        self.bottom - v / scale.top * (self.bottom - self.top)
    }

    /// The grid at the ticks of `scale`, then the axis group: left and bottom axis lines,
    /// the left tick labels and `unit` above them. `x_labels` adds the chart's own x
    /// labels and caption inside the axis group before it closes.
    pub fn axes(
        &self,
        out: &mut String,
        scale: YScale,
        unit: &str,
        x_labels: impl FnOnce(&mut String),
    ) {
        let labels = scale.labels();
        out.push_str("<g class=\"grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\">");
        for i in 0..labels.len() {
            let y = self.y(scale, i as f64 * scale.step);
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                c(LEFT),
                c(y),
                c(self.right),
                c(y)
            );
        }
        out.push_str("</g><g class=\"axis\">");
        let _ = write!(
            out,
            "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
            l = c(LEFT),
            t = c(self.top),
            b = c(self.bottom),
            r = c(self.right)
        );
        for (i, label) in labels.iter().enumerate() {
            let y = self.y(scale, i as f64 * scale.step);
            row_label(out, y, label);
        }
        text(out, 4.0, self.top - 9.0, "start", "unit", &short(unit, 56));
        x_labels(out);
        out.push_str("</g>");
    }

    /// A second axis on the right: its line, tick labels and `unit` above it.
    pub fn right_axis(&self, out: &mut String, scale: YScale, unit: &str) {
        let _ = write!(
            out,
            "<line x1=\"{r}\" y1=\"{t}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
            r = c(self.right),
            t = c(self.top),
            b = c(self.bottom)
        );
        for (i, label) in scale.labels().iter().enumerate() {
            let y = self.y(scale, i as f64 * scale.step);
            text(
                out,
                self.right + 4.0,
                y + 5.0,
                "start",
                "tick tick-right",
                label,
            );
        }
        text(
            out,
            W - 4.0,
            self.top - 9.0,
            "end",
            "unit",
            &short(unit, 20),
        );
    }

    /// Tick marks and labels under the plot at x positions (already in chart coordinates).
    /// A label that would overlap the one before it is left out (its tick stays).
    pub fn x_ticks(&self, out: &mut String, ticks: &[(f64, String)]) {
        let mut free_from = f64::NEG_INFINITY;
        for (x, label) in ticks {
            let _ = write!(
                out,
                "<line x1=\"{x}\" y1=\"{b}\" x2=\"{x}\" y2=\"{b2}\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>",
                x = c(*x),
                b = c(self.bottom),
                b2 = c(self.bottom + 4.0)
            );
            // Labels near the right edge end at their tick instead of overflowing the chart.
            let w = label.chars().count() as f64 * CHAR_W;
            let (anchor, from) = if *x + w / 2.0 > W {
                ("end", *x - w)
            } else if *x - w / 2.0 < 0.0 {
                ("start", *x)
            } else {
                ("middle", *x - w / 2.0)
            };
            if from < free_from {
                continue;
            }
            free_from = from + w + 8.0;
            text(out, *x, self.bottom + 18.0, anchor, "tick", &escape(label));
        }
    }
}

/// A label left of the plot, centred on `y` (a y tick, or a heat strip's row).
pub(super) fn row_label(out: &mut String, y: f64, label: &str) {
    text(out, LEFT - 5.0, y + 5.0, "end", "tick", label);
}

/// A label under the plot, centred on `x` (a column, or a heat strip's column).
pub(super) fn column_label(out: &mut String, x: f64, bottom: f64, label: &str) {
    text(out, x, bottom + 18.0, "middle", "tick", label);
}

/// The caption under the plot of a chart `height` high (what the x axis measures).
pub(super) fn caption(out: &mut String, height: f64, caption: &str) {
    text(
        out,
        LEFT,
        height - 6.0,
        "start",
        "caption",
        &short(caption, ((W - LEFT) / CHAR_W) as usize),
    );
}

/// The x ticks of an axis over `[x0, x1]` as (value, label), and a caption.
pub(super) fn x_ticks(axis: XAxis, x0: f64, x1: f64) -> (Vec<(f64, String)>, String) {
    let span = (x1 - x0).max(1e-9);
    match axis {
        XAxis::Time { offset } => time_ticks(offset, x0, x1, span),
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

/// Clock ticks at a round step (1 s to 30 days; at most about six) in the capture's zone.
fn time_ticks(offset: Option<i32>, x0: f64, x1: f64, span: f64) -> (Vec<(f64, String)>, String) {
    const STEPS: [f64; 21] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0, 2592000.0,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_scale_rounds_up_to_one_two_five_steps() {
        let s = YScale::new(5000.0);
        assert_eq!((s.top, s.step), (6000.0, 2000.0));
        assert_eq!(s.labels(), ["0", "2000", "4000", "6000"]);
        let s = YScale::new(45.4);
        assert_eq!((s.top, s.step), (60.0, 20.0));
        // Nothing to scale: an axis from 0 to 1.
        assert_eq!(YScale::new(0.0).top, 1.0);
        assert_eq!(YScale::new(f64::NAN).top, 1.0);
        // Large values share a unit; small steps keep their decimals.
        assert_eq!(
            YScale::new(300_000.0).labels(),
            ["0", "100k", "200k", "300k"]
        );
        assert_eq!(YScale::new(0.3).labels(), ["0", "0.1", "0.2", "0.3"]);
    }

    #[test]
    fn sample_number_ticks_count_from_one() {
        let (ticks, caption) = x_ticks(XAxis::Index, 0.0, 3.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["#1", "#2", "#3", "#4"]);
        assert_eq!(caption, "sample number (times not recorded)");
    }
}
