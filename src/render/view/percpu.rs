//! The per-CPU summary of the page (issue 17 item 3): one row per CPU over every `top` frame
//! and softnet reading of the report, hottest first, so that 64 CPUs × 100 frames read as one
//! screen. The raw frames and softnet tables are folded below it, cut to a row budget so that
//! the page stays small however many CPUs the machine has.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rules::model::{Host, Timestamp};
use serde::Serialize;

/// Rows of the folded raw `top` table (frames × CPUs): the latest frames that fit.
pub const RAW_CPU_ROWS: usize = 320;
/// Rows of the folded softnet tables (readings × CPUs).
pub const RAW_SOFTNET_ROWS: usize = 128;

/// `si` at or above this share, or `st` at or above [`ST_HOT`], marks a CPU hot (the levels
/// the raw table has always highlighted).
const SI_HOT: f64 = 50.0;
const ST_HOT: f64 = 10.0;

/// One CPU over the whole capture.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CpuRow {
    /// The CPU number, or `all` when `top` gave only the summary line.
    pub cpu: String,
    /// Frames with a reading of this CPU.
    pub frames: usize,
    pub si_max: Option<f64>,
    /// Mean over the frames, weighted by the frames each stands for after retention.
    pub si_mean: Option<f64>,
    /// Highest `us` + `sy` of one frame.
    pub busy_max: Option<f64>,
    pub st_max: Option<f64>,
    /// softnet `dropped` / `time_squeeze` at the latest reading (since boot).
    pub dropped: Option<u64>,
    pub squeezed: Option<u64>,
    /// Their growth during the capture (live intervals), `None` without two readings.
    pub dropped_growth: Option<u64>,
    pub squeezed_growth: Option<u64>,
    /// High softirq or steal, or softnet drops or squeezes.
    pub hot: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CpuSummary {
    /// Hot rows first, then by highest `si`, softnet drops, CPU number.
    pub rows: Vec<CpuRow>,
    pub hot: usize,
    /// The frames summarised: how many and their time range.
    pub frames: usize,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// First frames of `top` runs were left out (their percentages are since boot).
    pub first_frames_skipped: bool,
    /// Softnet readings in the report, and their time range.
    pub softnet_readings: usize,
    pub softnet_first: Option<Timestamp>,
    pub softnet_last: Option<Timestamp>,
    /// Where the folded raw tables start in the page's (already cut) `h.cpu` / `h.softnet`.
    pub raw_cpu_from: usize,
    pub raw_softnet_from: usize,
    /// How many frames and readings the folds show, and the row budget that cut them.
    pub raw_cpu_frames: usize,
    pub raw_softnet_readings: usize,
    pub raw_cpu_rows: usize,
}

pub fn cpu_summary(host: &Host) -> CpuSummary {
    let mut rows: BTreeMap<String, CpuRow> = BTreeMap::new();
    let (frames, first_frames_skipped) = usage_frames(host);
    let mut weights: BTreeMap<String, f64> = BTreeMap::new();
    for frame in &frames {
        let per_cpu = frame.cpus.iter().any(|u| u.cpu != "all");
        let weight = f64::from(frame.represents.max(1));
        for u in frame.cpus.iter().filter(|u| !per_cpu || u.cpu != "all") {
            let row = rows.entry(u.cpu.clone()).or_default();
            row.frames += 1;
            row.si_max = max(row.si_max, u.si);
            row.st_max = max(row.st_max, u.st);
            let busy = match (u.us, u.sy) {
                (None, None) => None,
                (us, sy) => Some(us.unwrap_or(0.0) + sy.unwrap_or(0.0)),
            };
            row.busy_max = max(row.busy_max, busy);
            if let Some(si) = u.si {
                row.si_mean = Some(row.si_mean.unwrap_or(0.0) + si * weight);
                *weights.entry(u.cpu.clone()).or_default() += weight;
            }
        }
    }
    for (cpu, row) in rows.iter_mut() {
        if let (Some(sum), Some(w)) = (row.si_mean, weights.get(cpu)) {
            row.si_mean = Some(sum / w);
        }
    }
    add_softnet(host, &mut rows);
    let mut rows: Vec<CpuRow> = rows.into_values().collect();
    for row in &mut rows {
        row.hot = is_hot(row);
    }
    rows.sort_by(hottest_first);
    let page_cpu = host.cpu.len().min(crate::render::PAGE_CPU_SAMPLES);
    let page_softnet = host.softnet.len().min(crate::render::PAGE_SOFTNET_SAMPLES);
    let cpus_per_frame = host.cpu.last().map_or(1, |f| f.cpus.len().max(1));
    let cpus_per_reading = host.softnet.last().map_or(1, |s| s.cpus.len().max(1));
    let raw_cpu_frames = page_cpu.min((RAW_CPU_ROWS / cpus_per_frame).max(1));
    let raw_softnet_readings = page_softnet.min((RAW_SOFTNET_ROWS / cpus_per_reading).max(1));
    CpuSummary {
        hot: rows.iter().filter(|r| r.hot).count(),
        rows,
        frames: frames.len(),
        first: frames.iter().filter_map(|f| f.time).min(),
        last: frames.iter().filter_map(|f| f.time).max(),
        first_frames_skipped,
        softnet_readings: host.softnet.len(),
        softnet_first: host.softnet.iter().filter_map(|s| s.time).min(),
        softnet_last: host.softnet.iter().filter_map(|s| s.time).max(),
        raw_cpu_from: page_cpu - raw_cpu_frames,
        raw_softnet_from: page_softnet - raw_softnet_readings,
        raw_cpu_frames,
        raw_softnet_readings,
        raw_cpu_rows: RAW_CPU_ROWS,
    }
}

/// The frames to summarise: the first frame of a `top` run shows percentages since boot, so
/// it is left out when later frames exist (a loop of `top -n1` has only first frames: then
/// they are all there is).
fn usage_frames(host: &Host) -> (Vec<&rules::model::CpuSample>, bool) {
    let later: Vec<_> = host.cpu.iter().filter(|f| !f.first_iteration).collect();
    if later.is_empty() {
        (host.cpu.iter().collect(), false)
    } else {
        let skipped = later.len() < host.cpu.len();
        (later, skipped)
    }
}

fn add_softnet(host: &Host, rows: &mut BTreeMap<String, CpuRow>) {
    if let Some(latest) = host.softnet.last() {
        for c in &latest.cpus {
            let row = rows.entry(c.cpu.to_string()).or_default();
            row.dropped = Some(c.dropped);
            row.squeezed = Some(c.time_squeeze);
        }
    }
    for d in host
        .softnet_deltas
        .iter()
        .filter(|d| d.kind.is_live() && !d.reset)
    {
        for c in &d.cpus {
            let row = rows.entry(c.cpu.to_string()).or_default();
            let grow = |acc: Option<u64>, key| {
                Some(acc.unwrap_or(0) + c.deltas.get(key).copied().unwrap_or(0))
            };
            row.dropped_growth = grow(row.dropped_growth, "dropped");
            row.squeezed_growth = grow(row.squeezed_growth, "time_squeeze");
        }
    }
    for (cpu, row) in rows.iter_mut() {
        row.cpu.clone_from(cpu);
    }
}

fn max(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Drops count when they grew during the capture, or, without two readings, when there are any.
fn is_hot(r: &CpuRow) -> bool {
    let grew = |growth: Option<u64>, total: Option<u64>| growth.or(total).unwrap_or(0) > 0;
    r.si_max.is_some_and(|v| v >= SI_HOT)
        || r.st_max.is_some_and(|v| v >= ST_HOT)
        || grew(r.dropped_growth, r.dropped)
        || grew(r.squeezed_growth, r.squeezed)
}

/// Hot first; then highest `si`, most softnet drops (growth, then total), most squeezes; then
/// the CPU number, so that equal rows keep one order.
fn hottest_first(a: &CpuRow, b: &CpuRow) -> Ordering {
    let f = |v: Option<f64>| v.unwrap_or(-1.0);
    let id = |r: &CpuRow| (r.cpu.parse::<u64>().unwrap_or(u64::MAX), r.cpu.clone());
    b.hot
        .cmp(&a.hot)
        .then(f(b.si_max).total_cmp(&f(a.si_max)))
        .then(b.dropped_growth.cmp(&a.dropped_growth))
        .then(b.dropped.cmp(&a.dropped))
        .then(b.squeezed_growth.cmp(&a.squeezed_growth))
        .then(b.squeezed.cmp(&a.squeezed))
        .then_with(|| id(a).cmp(&id(b)))
}
