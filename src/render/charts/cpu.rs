//! The per-host "CPU per sample" chart: busy (100 − idle), softirq and steal % of all CPUs
//! per frame of the source with the most frames, as lines. Together they tell a guest short
//! of CPU (steal) from one busy with receive work (softirq).

use rules::model::{CpuSample, CpuUsage, Host};
use rules::timeline::series_of;

use super::data::{frame_axis, frame_points, frames, most_frames};
use super::lines::{render_lines, Line, LineChart};
use super::svg::human;
use super::{HOT, PALETTE, STEAL};

/// A field of the `all` line, else the mean over the per-CPU lines.
fn field(s: &CpuSample, get: fn(&CpuUsage) -> Option<f64>) -> Option<f64> {
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

/// A line of the chart: label, colour, and its value in a frame.
type Spec = (&'static str, &'static str, fn(&CpuSample) -> Option<f64>);

const SPECS: [Spec; 3] = [
    ("busy % (100 − idle)", PALETTE[1], |s| {
        field(s, |c| c.id).map(|i| (100.0 - i).max(0.0))
    }),
    ("softirq si %", HOT, |s| field(s, |c| c.si)),
    ("steal st %", STEAL, |s| field(s, |c| c.st)),
];

/// Busy (100 − idle), softirq and steal % of all CPUs per frame of the source with the most
/// frames (`top` or `sar`), as lines. `None` with fewer than two frames.
pub fn cpu_per_sample(host: &Host) -> Option<String> {
    let all = frames(host);
    let series = most_frames(&all)?;
    let chosen: Vec<&CpuSample> = all
        .into_iter()
        .filter(|s| series_of(&s.source) == series)
        .collect();
    if chosen.len() < 2 {
        return None;
    }
    let axis = frame_axis(&chosen);
    let mut lines = Vec::new();
    for (label, color, get) in SPECS {
        let mut line = Line::new(label, color);
        line.segs = frame_points(&chosen, axis, get, |_, when, v| {
            format!("{when} · {label}: {}", human(v))
        });
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
    use super::super::testutil::{guest_host, polylines, well_formed};
    use super::cpu_per_sample;

    #[test]
    fn cpu_per_sample_is_three_lines_per_frame() {
        let cpu = cpu_per_sample(&guest_host()).unwrap();
        well_formed(&cpu);
        assert_eq!(polylines(&cpu), vec![4, 4, 4]);
    }
}
