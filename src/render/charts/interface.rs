//! The chart of an interface finding: per-second rates of the finding's counters over
//! every interval of the series its evidence came from (quiet intervals included, so the
//! growth shows against the calm), and for `tap-tx-drop` the host's CPU steal on a right
//! axis over the same window (a guest starved of CPU drops on its taps).

use std::collections::BTreeSet;

use rules::finding::Finding;
use rules::model::{Host, Interval};
use rules::timeline::series_of;

use super::data::{
    axis_unit, interval_axis, interval_seg, interval_value, is_live, live_interval, steal_of,
    steal_samples, unit_text,
};
use super::lines::{render_lines, Line, LineChart, Seg};
use super::svg::human;
use super::time::{clock, secs, XAxis};
use super::{MAX_METRICS, PALETTE, STEAL};

/// One counter of one series of an interface.
struct CounterLine<'a> {
    label: String,
    key: String,
    /// From `ethtool -S` (driver counters) rather than the generic interface counters.
    ethtool: bool,
    intervals: Vec<&'a Interval>,
}

/// The live intervals of the series `e` came from, on the finding's interface, that hold
/// the counter `key`; and whether they are driver (`ethtool -S`) counters.
fn intervals_of<'a>(
    host: &'a Host,
    f: &Finding,
    e: &rules::finding::Evidence,
    key: &str,
) -> Option<(Vec<&'a Interval>, bool)> {
    let series = series_of(&e.source);
    for iface in host.interfaces.iter().filter(|i| i.name == f.subject) {
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
                return Some((ivs, ethtool));
            }
        }
    }
    None
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
        if let Some((intervals, ethtool)) = intervals_of(host, f, e, key) {
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

/// A step line per counter, one step per interval (a gap across a reset).
fn counter_lines(counters: &[CounterLine], axis: XAxis, per_second: bool) -> Vec<Line> {
    let unit = unit_text(per_second);
    counters
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut line = Line::new(&m.label, PALETTE[i % PALETTE.len()]).with_unit(unit);
            line.segs = m
                .intervals
                .iter()
                .enumerate()
                .map(|(j, iv)| {
                    let span = (iv.start.as_ref(), iv.end.as_ref(), iv.seconds);
                    let value = interval_value(iv, &m.key, per_second);
                    interval_seg(axis, j, span, value, &m.label, unit)
                })
                .collect();
            line
        })
        .collect()
}

pub(super) fn interface_chart(host: &Host, f: &Finding) -> Option<String> {
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
    let axis = interval_axis(all.iter().map(|iv| (iv.start.as_ref(), iv.end.as_ref())));
    // Per second only when every interval that holds a counter gives it a rate.
    let per_second = all.iter().filter(|iv| !iv.reset).all(|iv| {
        counters.iter().all(|m| {
            !(iv.deltas.contains_key(&m.key) || iv.rates.contains_key(&m.key))
                || interval_value(iv, &m.key, true).is_some()
        })
    });
    let mut lines = counter_lines(&counters, axis, per_second);
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
                    y2_unit = "% CPU (steal)".into();
                    lines.push(line);
                }
                None if steal_samples(host).iter().any(|s| steal_of(s).is_some()) => {
                    note = "no CPU steal reading in this window".into();
                }
                None => {}
            }
        }
    }
    let (title, desc) = describe(f, &counters, &lines, per_second, !y2_unit.is_empty());
    let marks = if per_second {
        rate_marks(f.rule)
    } else {
        Vec::new()
    };
    render_lines(&LineChart {
        kind: "interface",
        title,
        desc,
        y_unit: axis_unit(counters.iter().map(|m| m.key.as_str()), per_second),
        y2_unit,
        axis,
        lines,
        marks,
        note,
        split: true,
    })
}

/// The per-second thresholds the finding's rule declares (`MARKS`), labelled, for the
/// chart's dashed marks.
pub(super) fn rate_marks(rule: &str) -> Vec<(f64, String)> {
    rules::catalog::marks_of(rule)
        .iter()
        .map(|m| {
            let level = match m.severity {
                rules::finding::Severity::Critical => "critical",
                rules::finding::Severity::Warning => "warning",
                rules::finding::Severity::Info => "info",
            };
            (m.per_second, format!("{level} {}/s", human(m.per_second)))
        })
        .collect()
}

/// Title and description: the counters, how many intervals, the peak, and the overlay.
fn describe(
    f: &Finding,
    counters: &[CounterLine],
    lines: &[Line],
    per_second: bool,
    with_steal: bool,
) -> (String, String) {
    let unit = unit_text(per_second);
    let names: Vec<&str> = counters.iter().map(|m| m.label.as_str()).collect();
    let peak = lines
        .iter()
        .filter(|l| !l.right)
        .flat_map(|l| l.values())
        .fold(0.0f64, f64::max);
    let title = format!(
        "{}: {}{}",
        f.subject,
        names.join(", "),
        if per_second {
            " per second"
        } else {
            " per interval"
        }
    );
    let desc = format!(
        "{} over {} interval(s) of the capture; peak {}{unit}{}.",
        names.join(", "),
        counters
            .iter()
            .map(|m| m.intervals.len())
            .max()
            .unwrap_or(0),
        human(peak),
        if with_steal {
            "; CPU steal % on the right axis"
        } else {
            ""
        }
    );
    (title, desc)
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
    let mut line = Line::new("CPU steal", STEAL).with_unit(" %");
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

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, cpu_frame, finding_of, polylines, tap_host, well_formed};
    use crate::render::charts::{escape, for_finding};
    use rules::finding::Severity;

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
        // The legend prints the numbers (0, 0, 4000, 5000, 5000 /s over equal intervals).
        assert!(
            svg.contains(">tx_dropped — max 5000/s, mean 2800/s<"),
            "{svg}"
        );
        assert!(svg.contains(">CPU steal — max 45 %, mean 26.8 %<"));
        assert!(svg.contains(">drops/s<") && svg.contains(">% CPU (steal)<"));
        // The rule's thresholds are 1/s and 100/s: on a 0–6000 axis, named, not drawn.
        assert!(svg.contains("warning 1/s, critical 100/s ↓ near 0"));
        assert!(!svg.contains("class=\"mark\""));
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
    fn drop_thresholds_are_dashed_labelled_lines_at_their_value() {
        // 250 drops per 5 s = 50/s: critical (100/s) fits the axis (0–100), warning (1/s)
        // is too close to 0 to draw and is named instead.
        let host = tap_host("tap0", &[0, 250, 500]);
        let f = finding_of(&host, "tap-tx-drop");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert_eq!(svg.matches("class=\"mark\"").count(), 1, "{svg}");
        assert!(svg.contains(">critical 100/s<") && svg.contains("stroke-dasharray=\"5 4\""));
        assert!(svg.contains(">warning 1/s ↓ near 0<"));
        // The axis tops at 100 (the mark), and the mark lies on the top grid line.
        assert!(svg.contains(">100<"));
        let mark = svg.split("class=\"mark\"").nth(1).unwrap();
        let top = svg
            .split("class=\"axis\"><line x1=\"52\" y1=\"")
            .nth(1)
            .unwrap();
        let top_y = &top[..top.find('"').unwrap()];
        assert!(mark.contains(&format!("y1=\"{top_y}\"")), "{top_y} {mark}");
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
}
