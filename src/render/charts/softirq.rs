//! The chart of a `softirq-single-cpu` finding: `si` % per frame of the hot CPU against
//! each other CPU (faint), or when the frames lack per-CPU lines, NET_RX softirqs or NIC
//! queue interrupts per CPU as columns (see `softirq_columns`).
//!
//! The signal the evidence names first is drawn first, so the chart shows what the finding
//! says; the others are fallbacks in a fixed order.

use std::collections::BTreeSet;

use rules::finding::Finding;
use rules::model::{CpuSample, Host};
use rules::thresholds::{SOFTIRQ_HOT_PCT, SOFTIRQ_OTHERS_MAX_PCT};
use rules::timeline::series_of;

use super::columns::{render_columns, Columns};
use super::data::{
    faint_others, frame_axis, frame_points, frames, most_frames, per_cpu_si, subject_cpu,
};
use super::lines::{render_lines, Line, LineChart, Mark};
use super::softirq_columns::{irq_columns, net_rx_columns, net_rx_since_boot};
use super::svg::human;
use super::HOT;

/// Draws one signal of a `softirq-single-cpu` finding.
type SoftirqSignal = fn(&Host, &Finding, Option<u32>) -> Option<String>;

/// The signal the evidence names first is drawn first: per-CPU `si` frames, NET_RX softirqs
/// between readings, NIC queue interrupts between readings; else a since-boot reading.
pub(super) fn softirq_chart(host: &Host, f: &Finding) -> Option<String> {
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

/// Lines of `si` per frame (at least two frames), else columns of the only frame.
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
    let series = wanted.or_else(|| most_frames(&with_si));
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
        y_unit: "% CPU (softirq)".into(),
        caption: "one frame: not a trend".into(),
        hot_label: f.subject.clone(),
        rest_label: "other CPUs".into(),
        items,
    })
}

/// The rule's thresholds: the hot CPU at or above one, the others under the other.
fn softirq_marks() -> Vec<Mark> {
    vec![
        (SOFTIRQ_HOT_PCT, format!("hot {} %", human(SOFTIRQ_HOT_PCT))),
        (
            SOFTIRQ_OTHERS_MAX_PCT,
            format!("others under {} %", human(SOFTIRQ_OTHERS_MAX_PCT)),
        ),
    ]
}

/// si % per frame: the hot CPU as a line, each other CPU faint.
fn si_lines(chosen: &[&CpuSample], hot: Option<u32>, subject: &str) -> Option<String> {
    let axis = frame_axis(chosen);
    let si_of = |s: &CpuSample, n: u32| per_cpu_si(s).into_iter().find(|(c, _)| *c == n);
    let cpus: BTreeSet<u32> = chosen
        .iter()
        .flat_map(|s| per_cpu_si(s))
        .map(|(n, _)| n)
        .collect();
    let line_of = |n: u32, label: String, color: &'static str| {
        let mut line = Line::new(label, color).with_unit(" %");
        line.segs = frame_points(
            chosen,
            axis,
            |s| si_of(s, n).map(|(_, v)| v),
            |_, when, v| format!("{when} · cpu{n} si: {} %", human(v)),
        );
        line
    };
    let mut lines = Vec::new();
    if let Some(n) = hot {
        lines.push(line_of(n, format!("cpu{n} si"), HOT));
    }
    let others: Vec<(u32, f64)> = cpus
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
    lines.extend(faint_others(others, line_of));
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
        y_unit: "% CPU (softirq)".into(),
        y2_unit: String::new(),
        axis,
        lines,
        marks: softirq_marks(),
        note: String::new(),
        split: false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, cpu_frame, finding_of, guest_host, polylines, well_formed};
    use crate::render::charts::for_finding;
    use rules::model::Host;

    #[test]
    fn softirq_frames_are_the_hot_cpu_against_faint_others() {
        let host = guest_host();
        let f = finding_of(&host, "softirq-single-cpu");
        assert_eq!(f.subject, "cpu0");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        // Three faint others first, each flat over the 4 frames (3, 2 and 4 %): its two
        // ends; then the hot CPU, 4 frames.
        assert_eq!(polylines(&svg), vec![2, 2, 2, 4]);
        // The hot CPU's numbers and the others' peak are printed, both thresholds drawn.
        assert!(svg.contains("cpu0 si — max 95 %, mean 95 %"), "{svg}");
        assert!(svg.contains("other CPUs (3) — max 4 %"));
        assert!(svg.contains(">hot 50 %<") && svg.contains(">others under 15 %<"));
        assert!(svg.contains(">% CPU (softirq)<"));
    }

    #[test]
    fn beyond_16_other_cpus_the_least_busy_are_one_line_of_their_maximum() {
        // Synthetic: 64 CPUs × 6 frames; cpu3 at 95 % si, cpu n of the others at n / 10 %
        // (cpu63 the busiest at 6.3 %), so the 15 busiest others are cpu49..cpu63 and the
        // other 48 are one line at cpu48's 4.8 %.
        let mut host = Host::new("synthetic-64");
        let si: Vec<f64> = (0..64)
            .map(|n| if n == 3 { 95.0 } else { n as f64 / 10.0 })
            .collect();
        for i in 0..6u32 {
            host.cpu
                .push(cpu_frame(at(3 * i), i as usize + 1, 0.0, &si));
        }
        let f = finding_of(&host, "softirq-single-cpu");
        assert_eq!(f.subject, "cpu3");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        // 16 faint lines (flat: 2 points each), then cpu3's 6 frames.
        let mut expected = vec![2; 16];
        expected.push(6);
        assert_eq!(polylines(&svg), expected);
        assert!(svg.contains("other CPUs (63) — max 6.3 %"), "{svg}");
        assert!(svg.contains("si % of 64 CPU(s) in 6 frame(s)"));
    }
}
