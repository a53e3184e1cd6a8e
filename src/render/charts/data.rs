//! Data preparation shared by the chart builders: which evidence and intervals are live,
//! a counter's value over an interval, which CPU frames and softnet series to plot, and
//! the segments and faint context lines built from them.
//!
//! The choices here mirror the rules' own (steal from the `all` line else the per-CPU
//! mean; measured frames before a `top` run's first frame), so that a chart shows the
//! numbers its finding was judged on.

use std::collections::{BTreeMap, BTreeSet};

use rules::finding::Evidence;
use rules::model::{CpuSample, Host, Interval, IntervalKind, SoftnetInterval, Timestamp};
use rules::timeline::series_of;

use super::lines::{Line, Seg};
use super::svg::human;
use super::time::{comparable, secs, tip_range, XAxis};
use super::MAX_FAINT;

/// Evidence measured during the capture (between two readings), not since boot.
pub(super) fn is_live(e: &Evidence) -> bool {
    matches!(e.basis, "interval" | "reported")
}

pub(super) fn live_interval(kind: IntervalKind) -> bool {
    kind.is_live()
}

/// `cpu12` → 12.
pub(super) fn subject_cpu(subject: &str) -> Option<u32> {
    subject.strip_prefix("cpu")?.parse().ok()
}

/// The x range of an interval on a time axis: start (or end − seconds) to end.
pub(super) fn time_range(
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

/// What a counter counts, for an axis: `drops`, `squeezes`, `errors`, `packets`, `bytes`.
pub(super) fn noun_of(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    let has = |w: &[&str]| w.iter().any(|s| k.contains(s));
    if has(&["squeeze"]) {
        "squeezes"
    } else if has(&["allowance"]) {
        "packets over allowance"
    } else if has(&[
        "drop", "discard", "prune", "overflow", "miss", "fifo", "overrun",
    ]) {
        "drops"
    } else if has(&["err", "crc", "frame", "align", "collision"]) {
        "errors"
    } else if has(&["timeout"]) {
        "timeouts"
    } else if has(&["carrier", "flap", "link"]) {
        "link changes"
    } else if has(&["bytes", "octets"]) {
        "bytes"
    } else if has(&["packets", "pkts", "frames"]) {
        "packets"
    } else {
        "events"
    }
}

/// The y axis of counters `keys`: their shared noun (else `events`) per second or per
/// interval: `drops/s`, `squeezes/s`, `errors per interval`.
pub(super) fn axis_unit<'a>(keys: impl IntoIterator<Item = &'a str>, per_second: bool) -> String {
    let mut nouns: Vec<&str> = keys.into_iter().map(noun_of).collect();
    nouns.dedup();
    let noun = match nouns.as_slice() {
        [one] => one,
        _ if nouns.iter().all(|n| matches!(*n, "drops" | "errors")) => "drops + errors",
        _ => "events",
    };
    format!("{noun}{}", unit_text(per_second))
}

pub(super) fn unit_text(per_second: bool) -> &'static str {
    if per_second {
        "/s"
    } else {
        " per interval"
    }
}

/// The axis of a run of intervals: their times when every interval has an end and all
/// times are comparable, else their numbers.
pub(super) fn interval_axis<'a>(
    spans: impl Iterator<Item = (Option<&'a Timestamp>, Option<&'a Timestamp>)> + Clone,
) -> XAxis {
    if spans.clone().all(|(_, end)| end.is_some()) {
        comparable(spans.flat_map(|(s, e)| [s, e]).filter(|t| t.is_some())).unwrap_or(XAxis::Index)
    } else {
        XAxis::Index
    }
}

/// The `j`-th interval of a run as a step of `value` (a gap without a value or a time),
/// its tooltip naming the span, `name` and the value in `unit`.
pub(super) fn interval_seg(
    axis: XAxis,
    j: usize,
    span: (Option<&Timestamp>, Option<&Timestamp>, Option<f64>),
    value: Option<f64>,
    name: &str,
    unit: &str,
) -> Seg {
    let range = match axis {
        XAxis::Time { .. } => time_range(span.0, span.1, span.2),
        XAxis::Index => Some((j as f64, j as f64 + 1.0)),
    };
    match (range, value) {
        (Some((x0, x1)), Some(y)) => Seg::Step {
            x0,
            x1,
            y,
            tip: format!("{} · {name}: {}{unit}", tip_range(axis, x0, x1), human(y)),
        },
        _ => Seg::Gap,
    }
}

/// A counter over an interval: per second when `per_second`, else its delta; each derived
/// from the other and the interval's length when only one was recorded.
fn counter_value(
    deltas: &BTreeMap<String, u64>,
    rates: &BTreeMap<String, f64>,
    seconds: Option<f64>,
    key: &str,
    per_second: bool,
) -> Option<f64> {
    let seconds = seconds.filter(|s| s.is_finite() && *s > 0.0);
    let v = if per_second {
        rates
            .get(key)
            .copied()
            .or_else(|| Some(*deltas.get(key)? as f64 / seconds?))
    } else {
        deltas
            .get(key)
            .map(|d| *d as f64)
            .or_else(|| Some(rates.get(key)? * seconds?))
    };
    v.filter(|v| v.is_finite())
}

/// The value of an interface counter over an interval (none across a counter reset).
pub(super) fn interval_value(iv: &Interval, key: &str, per_second: bool) -> Option<f64> {
    if iv.reset {
        return None;
    }
    counter_value(&iv.deltas, &iv.rates, iv.seconds, key, per_second)
}

/// The value of one CPU's softnet counter over an interval (none across a reset).
pub(super) fn softnet_value(
    d: &SoftnetInterval,
    cpu: u32,
    key: &str,
    per_second: bool,
) -> Option<f64> {
    if d.reset {
        return None;
    }
    let c = d.cpus.iter().find(|c| c.cpu == cpu)?;
    counter_value(&c.deltas, &c.rates, d.seconds, key, per_second)
}

/// The live softnet intervals of one series: the evidence's, else the first measured one.
pub(super) fn softnet_series<'a>(
    host: &'a Host,
    evidence: &[Evidence],
) -> Vec<&'a SoftnetInterval> {
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

/// The steal of a frame: the `all` line, else the mean of the per-CPU lines (as the rule).
pub(super) fn steal_of(sample: &CpuSample) -> Option<f64> {
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
pub(super) fn steal_samples(host: &Host) -> Vec<&CpuSample> {
    let measured: Vec<&CpuSample> = host.cpu.iter().filter(|s| !s.first_iteration).collect();
    if measured.iter().any(|s| steal_of(s).is_some()) {
        measured
    } else {
        host.cpu.iter().collect()
    }
}

/// Frames worth plotting per source: per series, later frames of a `top` run when any exist.
pub(super) fn frames(host: &Host) -> Vec<&CpuSample> {
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

/// The series with the most frames (the first by name on a tie).
pub(super) fn most_frames<'a>(frames: &[&'a CpuSample]) -> Option<&'a str> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in frames {
        *count.entry(series_of(&s.source)).or_default() += 1;
    }
    count
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s)
}

/// The series with the most frames (`most_frames`) and its frames, when it has at least two:
/// a timeline to draw (a single frame is in the tables already).
pub(super) fn longest_series(frames: Vec<&CpuSample>) -> Option<(&str, Vec<&CpuSample>)> {
    let series = most_frames(&frames)?;
    let chosen: Vec<&CpuSample> = frames
        .into_iter()
        .filter(|s| series_of(&s.source) == series)
        .collect();
    (chosen.len() >= 2).then_some((series, chosen))
}

/// The x axis for a set of frames: their times when all are known and comparable.
pub(super) fn frame_axis(samples: &[&CpuSample]) -> XAxis {
    comparable(samples.iter().map(|s| s.time.as_ref())).unwrap_or(XAxis::Index)
}

pub(super) fn frame_x(axis: XAxis, s: &CpuSample, i: usize) -> f64 {
    match (axis, s.time.as_ref()) {
        (XAxis::Time { .. }, Some(t)) => secs(t),
        _ => i as f64,
    }
}

/// One point per frame (a gap where `value` has none); `tip` words the tooltip from the
/// frame, its time and the value.
pub(super) fn frame_points(
    frames: &[&CpuSample],
    axis: XAxis,
    value: impl Fn(&CpuSample) -> Option<f64>,
    tip: impl Fn(&CpuSample, &str, f64) -> String,
) -> Vec<Seg> {
    frames
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = frame_x(axis, s, i);
            match value(s) {
                Some(y) => Seg::Point {
                    x,
                    y,
                    tip: tip(s, &tip_range(axis, x, x), y),
                },
                None => Seg::Gap,
            }
        })
        .collect()
}

/// Per-CPU `si` of a frame: (cpu, si) for numbered CPUs.
pub(super) fn per_cpu_si(sample: &CpuSample) -> Vec<(u32, f64)> {
    sample
        .cpus
        .iter()
        .filter_map(|c| Some((c.cpu.parse().ok()?, c.si.filter(|v| v.is_finite())?)))
        .collect()
}

/// The other CPUs as faint context lines, busiest first (by `weight`). Beyond
/// [`MAX_FAINT`], the busiest `MAX_FAINT - 1` keep a line each and the rest are one line,
/// their maximum at each point (nothing is hidden, and 63 idle CPUs cost one line, not 63);
/// `line_of` draws one CPU's line with a label and colour.
pub(super) fn faint_others(
    mut others: Vec<(u32, f64)>,
    line_of: impl Fn(u32, String, &'static str) -> Line,
) -> Vec<Line> {
    others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let faint = |n: u32| {
        let mut line = line_of(n, "other CPUs".into(), "currentColor");
        line.faint = true;
        line
    };
    let mut lines: Vec<Line> = others.iter().map(|(n, _)| faint(*n)).collect();
    if lines.len() > MAX_FAINT {
        let rest = lines.split_off(MAX_FAINT - 1);
        match envelope(&rest) {
            Some(max) => lines.push(max),
            // Lines of different shapes (cannot happen with one series): draw them all.
            None => lines.extend(rest),
        }
    }
    lines
}

/// The maximum of lines of the same shape (the same steps or points, gaps aside) at each
/// step or point, with the tooltip of the line that has it; `None` when the shapes differ.
pub(super) fn envelope(lines: &[Line]) -> Option<Line> {
    let (first, others) = lines.split_first()?;
    let mut max = first.clone();
    for line in others {
        if line.segs.len() != max.segs.len() {
            return None;
        }
        for (m, s) in max.segs.iter_mut().zip(&line.segs) {
            let higher = match (&*m, s) {
                (_, Seg::Gap) => false,
                (Seg::Gap, _) => true,
                (
                    Seg::Step { x0, x1, y, .. },
                    Seg::Step {
                        x0: a, x1: b, y: v, ..
                    },
                ) => {
                    if (x0, x1) != (a, b) {
                        return None;
                    }
                    v > y
                }
                (Seg::Point { x, y, .. }, Seg::Point { x: a, y: v, .. }) => {
                    if x != a {
                        return None;
                    }
                    v > y
                }
                _ => return None,
            };
            if higher {
                *m = s.clone();
            }
        }
    }
    max.stands_for = lines.iter().map(|l| l.stands_for).sum();
    Some(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(values: &[Option<f64>]) -> Line {
        let mut line = Line::new("other CPUs", "currentColor");
        line.segs = values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(y) => Seg::Step {
                    x0: i as f64,
                    x1: i as f64 + 1.0,
                    y: *y,
                    tip: format!("{i}:{y}"),
                },
                None => Seg::Gap,
            })
            .collect();
        line
    }

    #[test]
    fn the_envelope_is_the_maximum_at_each_step_gaps_aside() {
        let a = steps(&[Some(1.0), None, Some(5.0)]);
        let b = steps(&[Some(3.0), Some(2.0), Some(4.0)]);
        let max = envelope(&[a.clone(), b]).unwrap();
        assert_eq!(max.values().collect::<Vec<_>>(), [3.0, 2.0, 5.0]);
        assert_eq!(max.stands_for, 2);
        // Steps at other times: no envelope.
        let mut shifted = steps(&[Some(1.0), Some(1.0), Some(1.0)]);
        shifted.segs[0] = Seg::Step {
            x0: 0.5,
            x1: 1.0,
            y: 1.0,
            tip: String::new(),
        };
        assert!(envelope(&[a, shifted]).is_none());
    }

    #[test]
    fn more_than_16_others_keep_15_lines_and_the_maximum_of_the_rest() {
        // 20 others, cpu n at n (the busiest first: cpu19..cpu5 keep a line each).
        let others: Vec<(u32, f64)> = (0..20).map(|n| (n, n as f64)).collect();
        let lines = faint_others(others, |n, label, color| {
            let mut line = steps(&[Some(n as f64), Some(0.0)]);
            line.label = label;
            line.color = color;
            line
        });
        assert_eq!(lines.len(), 16);
        assert!(lines.iter().all(|l| l.faint));
        assert_eq!(lines[0].peak(), 19.0);
        assert_eq!(lines[14].peak(), 5.0);
        // cpu0..cpu4: the maximum is cpu4's 4.
        assert_eq!(lines[15].stands_for, 5);
        assert_eq!(lines[15].values().collect::<Vec<_>>(), [4.0, 0.0]);
    }
}
