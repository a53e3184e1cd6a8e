//! The per-host "CPU per sample" chart: busy (100 − idle), softirq and steal % per frame of
//! the source with the most frames, as lines. Together they tell a guest short of CPU
//! (steal) from one busy with receive work (softirq).
//!
//! Each measure is drawn as its maximum and its median over the CPUs of a frame, never the
//! mean alone: with 32 CPUs, one CPU at 95 % softirq is a 3 % mean, which hides the very
//! problem a rule found. The legend names the hottest CPU. Frames with only an `all` line
//! (no per-CPU lines) draw that line.

use rules::model::{CpuSample, CpuUsage, Host};

use super::data::{frame_axis, frame_points, frames, longest_series};
use super::lines::{render_lines, Line, LineChart};
use super::svg::human;
use super::{HOT, PALETTE, STEAL};

/// A measure of the chart: its name, colour and its value in one CPU line.
type Measure = (&'static str, &'static str, fn(&CpuUsage) -> Option<f64>);

const MEASURES: [Measure; 3] = [
    ("busy", PALETTE[1], |c| c.id.map(|i| (100.0 - i).max(0.0))),
    ("softirq", HOT, |c| c.si),
    ("steal", STEAL, |c| c.st),
];

/// The values of a measure per numbered CPU of a frame: (cpu, value).
fn per_cpu(s: &CpuSample, get: fn(&CpuUsage) -> Option<f64>) -> Vec<(u32, f64)> {
    s.cpus
        .iter()
        .filter_map(|c| Some((c.cpu.parse().ok()?, get(c).filter(|v| v.is_finite())?)))
        .collect()
}

/// The `all` line's value of a measure.
fn all_line(s: &CpuSample, get: fn(&CpuUsage) -> Option<f64>) -> Option<f64> {
    s.cpus
        .iter()
        .find(|c| c.cpu == "all")
        .and_then(get)
        .filter(|v| v.is_finite())
}

/// The median of `values` (the mean of the middle two for an even count).
pub(super) fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// The hottest CPU of a measure: the highest mean over the frames (the lowest number on a
/// tie).
fn hottest(chosen: &[&CpuSample], get: fn(&CpuUsage) -> Option<f64>) -> Option<u32> {
    let mut sums: std::collections::BTreeMap<u32, (f64, usize)> = Default::default();
    for s in chosen {
        for (n, v) in per_cpu(s, get) {
            let e = sums.entry(n).or_default();
            e.0 += v;
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(n, (sum, k))| (n, sum / k as f64))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(n, _)| n)
}

/// The lines of one measure: max and median over the CPUs (at least two per-CPU lines in
/// some frame), else the `all` line.
fn measure_lines(chosen: &[&CpuSample], axis: super::time::XAxis, m: Measure) -> Vec<Line> {
    let (name, color, get) = m;
    let point = |label: String, what: &'static str, value: fn(Vec<f64>) -> Option<f64>| {
        let mut line = Line::new(label, color).with_unit(" %");
        line.segs = frame_points(
            chosen,
            axis,
            |s| value(per_cpu(s, get).into_iter().map(|p| p.1).collect()),
            |_, when, v| format!("{when} · {name} {what}: {} %", human(v)),
        );
        line
    };
    if chosen.iter().any(|s| per_cpu(s, get).len() >= 2) {
        let hot = hottest(chosen, get).map_or(String::new(), |n| format!(" (hottest: cpu{n})"));
        let max = point(format!("{name} max{hot}"), "max", |v| {
            v.into_iter().reduce(f64::max)
        });
        let mut mid = point(format!("{name} median"), "median", median);
        mid.dashed = true;
        return vec![max, mid];
    }
    let mut line = Line::new(format!("{name} (all CPUs)"), color).with_unit(" %");
    line.segs = frame_points(
        chosen,
        axis,
        |s| all_line(s, get),
        |_, when, v| format!("{when} · {name}: {} %", human(v)),
    );
    vec![line]
}

/// Busy (100 − idle), softirq and steal % per frame of the source with the most frames
/// (`top` or `sar`): the maximum and median over the CPUs. `None` with fewer than two
/// frames.
pub fn cpu_per_sample(host: &Host) -> Option<String> {
    let (series, chosen) = longest_series(frames(host))?;
    let axis = frame_axis(&chosen);
    let lines: Vec<Line> = MEASURES
        .into_iter()
        .flat_map(|m| measure_lines(&chosen, axis, m))
        .filter(|l| l.values().next().is_some())
        .collect();
    if lines.is_empty() {
        return None;
    }
    render_lines(&LineChart {
        kind: "cpu",
        title: format!("CPU per frame of {series}"),
        desc: format!(
            "Busy, softirq and steal %, maximum and median over the CPUs, in {} frame(s) of {series}.",
            chosen.len()
        ),
        y_unit: "% CPU".into(),
        y2_unit: String::new(),
        axis,
        lines,
        marks: Vec::new(),
        note: String::new(),
        split: false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, cpu_frame, guest_host, polylines, well_formed};
    use super::cpu_per_sample;
    use rules::model::Host;

    #[test]
    fn cpu_per_sample_is_max_and_median_per_measure_per_frame() {
        let cpu = cpu_per_sample(&guest_host()).unwrap();
        well_formed(&cpu);
        // Busy, softirq and steal, each max and median over 4 CPUs, 4 frames.
        assert_eq!(polylines(&cpu), vec![4; 6]);
        // si 95, 3, 2, 4: max 95 (cpu0), median 3.5.
        assert!(cpu.contains(">softirq max (hottest: cpu0) — max 95 %, mean 95 %<"));
        assert!(cpu.contains(">softirq median — max 3.5 %, mean 3.5 %<"));
        assert!(cpu.contains(">% CPU<"));
    }

    #[test]
    fn one_hot_cpu_among_many_idle_ones_is_not_averaged_away() {
        // Synthetic: 32 CPUs × 40 frames; cpu3 at 95 % softirq, the others at 1 %. The mean
        // (the `all` line) is 3.9 %: a chart of it would hide cpu3.
        let mut host = Host::new("synthetic-32");
        let mut si = vec![1.0; 32];
        si[3] = 95.0;
        for i in 0..40u32 {
            host.cpu
                .push(cpu_frame(at(3 * i), i as usize + 1, 0.0, &si));
        }
        let svg = cpu_per_sample(&host).unwrap();
        well_formed(&svg);
        assert!(
            svg.contains(">softirq max (hottest: cpu3) — max 95 %, mean 95 %<"),
            "{svg}"
        );
        assert!(svg.contains(">softirq median — max 1 %, mean 1 %<"));
        assert!(!svg.contains("3.9 %"));
    }
}
