//! The per-host heat strip of softirq `si` % per CPU per `top`/`sar` frame, scaled to
//! 100 %: one hot row is one CPU doing all receive work.

use std::collections::BTreeSet;

use rules::model::{CpuSample, Host};

use super::data::{frame_axis, frames, longest_series, per_cpu_si};
use super::heat::{render_heat, Heat};
use super::time::{clock, secs, XAxis};

/// Heat strip of softirq `si` % per CPU (rows) per `top`/`sar` frame (columns), scaled to
/// 100 %: one hot row is one CPU doing all receive work. `None` without at least two frames
/// with per-CPU lines (one frame is in the tables already).
pub fn cpu_si_heatmap(host: &Host) -> Option<String> {
    let with_si: Vec<&CpuSample> = frames(host)
        .into_iter()
        .filter(|s| per_cpu_si(s).len() >= 2)
        .collect();
    let (series, chosen) = longest_series(with_si)?;
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
    render_heat(&Heat {
        kind: "si-heat",
        title: "softirq si % per CPU per frame".into(),
        desc: format!(
            "si % of {} CPU(s) in {} frame(s) of {series}.",
            cpus.len(),
            chosen.len()
        ),
        unit: " %".into(),
        per: "frame",
        caption: format!("column = one frame of {series}"),
        scale: Some(100.0),
        columns,
        rows: rows(&chosen, &cpus),
    })
}

/// One row per CPU: its `si` in each frame (none where the frame lacks the CPU).
fn rows(chosen: &[&CpuSample], cpus: &BTreeSet<u32>) -> Vec<(String, Vec<Option<f64>>)> {
    cpus.iter()
        .map(|n| {
            let si = chosen
                .iter()
                .map(|s| {
                    per_cpu_si(s)
                        .into_iter()
                        .find(|(c, _)| c == n)
                        .map(|(_, v)| v)
                })
                .collect();
            (format!("cpu{n}"), si)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{guest_host, well_formed};
    use super::cpu_si_heatmap;

    #[test]
    fn si_heat_has_a_row_per_cpu() {
        let heat = cpu_si_heatmap(&guest_host()).unwrap();
        well_formed(&heat);
        assert!(heat.contains("cpu3"));
    }
}
