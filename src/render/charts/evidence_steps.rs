//! Steps drawn from a finding's live evidence alone, for when the timeline holds no series
//! matching it: each evidence interval's rate as a step (a point when the interval has no
//! length), captioned as intervals with growth only, since the quiet ones are not known.

use rules::finding::{Evidence, Finding};

use super::data::{axis_unit, is_live, time_range};
use super::interface::rate_marks;
use super::lines::{render_lines, Line, LineChart, Seg};
use super::svg::human;
use super::time::{comparable, tip_range, XAxis};
use super::{MAX_METRICS, PALETTE};

/// Steps from the live evidence alone, when the timeline holds no matching series.
pub(super) fn evidence_steps(f: &Finding) -> Option<String> {
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
    let lines = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| metric_line(&live, axis, m, PALETTE[i % PALETTE.len()]))
        .collect();
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
        y_unit: axis_unit(metrics.iter().copied(), true),
        y2_unit: String::new(),
        axis,
        lines,
        marks: rate_marks(f.rule),
        note: "intervals with growth only".into(),
        split: true,
    })
}

/// The evidence of metric `m` in time order: a step per interval, a lone point per instant.
fn metric_line(live: &[&Evidence], axis: XAxis, m: &str, color: &'static str) -> Line {
    let mut items: Vec<&&Evidence> = live.iter().filter(|e| e.metric == m).collect();
    items.sort_by(|a, b| rules::model::cmp_time(&a.end, &b.end));
    let mut line = Line::new(m, color).with_unit("/s");
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
    line
}
