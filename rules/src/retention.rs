//! Retention: what a very long series keeps, so that memory and output stay bounded however
//! long a capture log runs (issue 6: memory must not grow with the input).
//!
//! A series (see `timeline`) whose list grows past [`TRIGGER`] entries is compacted at once:
//! the intervals between its samples are computed as `timeline::compute` would, and adjacent
//! intervals are then merged pairwise, the pair standing for the fewest raw intervals first
//! (leftmost on ties), until at most [`KEEP`] remain. Choosing the lightest pair keeps the
//! resolution even over the whole capture instead of thinning old data again and again.
//!
//! Merging counter intervals is exact: deltas and seconds add up, rates are recomputed, and
//! `peak_rates` keeps the highest per-second rate any single raw interval had. Intervals that
//! carry a reset are not merged (the merged interval would hide the restart), unless nothing
//! else is left to merge. Of the samples, only those at the boundaries of the kept intervals
//! stay, plus the latest one, from which the next interval starts. `timeline::compute` then
//! continues from where compaction stopped.
//!
//! Frames that are not counters (`top`, IPVS) are thinned the same way: of a merged pair the
//! later frame stays and `represents` counts the raw frames it stands for.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{CounterSample, CpuSample, Host, IpvsSample, PerCpuCounts, SoftnetSample};
use crate::timeline::{
    self, series_of, Interval, IntervalKind, PerCpuInterval, SoftnetCpuDelta, SoftnetInterval,
};

/// Intervals (or frames) kept per series after a compaction.
pub const KEEP: usize = 256;
/// A list is compacted when it holds more than this many entries.
pub const TRIGGER: usize = 2 * KEEP;

/// One series that lost samples to retention (reported in JSON as `host.thinned`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thinned {
    /// Which list: `interfaces[eth0].samples`, `interfaces[eth0].ethtool`, `softnet`,
    /// `softirqs`, `interrupts`, `cpu`, `ipvs`.
    pub list: String,
    pub series: String,
    /// Samples read but no longer listed; their intervals are merged into the kept ones.
    pub samples_dropped: u64,
}

/// The `list` name of an interface's counter samples in [`Thinned`].
pub fn samples_list(interface: &str) -> String {
    format!("interfaces[{interface}].samples")
}

/// The `list` name of an interface's `ethtool -S` readings in [`Thinned`].
pub fn ethtool_list(interface: &str) -> String {
    format!("interfaces[{interface}].ethtool")
}

/// What retention needs of an interval or frame.
pub trait Mergeable: Sized {
    /// Raw intervals (or frames) this entry stands for.
    fn weight(&self) -> u64;
    /// Whether `self` (earlier) and `next` may become one entry. With `force`, anything of
    /// the same series may, even at some loss (resets): used only when nothing else is left.
    fn mergeable(&self, next: &Self, force: bool) -> bool;
    /// Folds `earlier` into `self`.
    fn absorb(&mut self, earlier: Self);
}

/// Merges adjacent entries of one series (in order) until at most `keep` remain.
pub fn merge_down<T: Mergeable>(mut items: Vec<T>, keep: usize) -> Vec<T> {
    let keep = keep.max(1);
    for force in [false, true] {
        while items.len() > keep {
            let lightest = items
                .windows(2)
                .filter(|w| w[0].mergeable(&w[1], force))
                .map(|w| w[0].weight() + w[1].weight())
                .min();
            let Some(lightest) = lightest else {
                break;
            };
            let mut excess = items.len() - keep;
            let mut out: Vec<T> = Vec::with_capacity(items.len());
            let mut iter = items.into_iter().peekable();
            while let Some(a) = iter.next() {
                let merge = excess > 0
                    && iter.peek().is_some_and(|b| {
                        a.mergeable(b, force) && a.weight() + b.weight() == lightest
                    });
                match iter.next_if(|_| merge) {
                    Some(mut b) => {
                        b.absorb(a);
                        out.push(b);
                        excess -= 1;
                    }
                    None => out.push(a),
                }
            }
            items = out;
        }
        if items.len() <= 2 * keep {
            break;
        }
    }
    items
}

fn sum_maps(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (k, v) in from {
        let e = into.entry(k).or_insert(0);
        *e = e.saturating_add(v);
    }
}

fn seconds_sum(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? + b?)
}

impl Mergeable for Interval {
    fn weight(&self) -> u64 {
        u64::from(self.merged)
    }

    fn mergeable(&self, next: &Self, force: bool) -> bool {
        adjacent_intervals(self, next, force)
    }

    fn absorb(&mut self, earlier: Self) {
        let mut peaks = earlier.peaks();
        for (k, v) in self.peaks() {
            let e = peaks.entry(k).or_insert(v);
            *e = e.max(v);
        }
        self.start = earlier.start;
        self.start_source = earlier.start_source;
        self.seconds = seconds_sum(earlier.seconds, self.seconds);
        self.reset |= earlier.reset;
        sum_maps(&mut self.deltas, earlier.deltas);
        let wrapped: BTreeSet<String> = earlier
            .wrapped
            .into_iter()
            .chain(std::mem::take(&mut self.wrapped))
            .collect();
        self.wrapped = wrapped.into_iter().collect();
        self.rates = if self.reset {
            BTreeMap::new()
        } else {
            timeline::rates_of(&self.deltas, self.seconds)
        };
        self.peak_rates = peaks;
        self.merged = self.merged.saturating_add(earlier.merged);
    }
}

impl Interval {
    /// Highest rate of a single raw interval per counter (its own rates when not merged).
    pub fn peaks(&self) -> BTreeMap<String, f64> {
        if self.merged > 1 {
            self.peak_rates.clone()
        } else {
            self.rates.clone()
        }
    }
}

impl Mergeable for SoftnetInterval {
    fn weight(&self) -> u64 {
        u64::from(self.merged)
    }

    fn mergeable(&self, next: &Self, force: bool) -> bool {
        adjacent_intervals(self, next, force)
    }

    fn absorb(&mut self, earlier: Self) {
        self.start = earlier.start;
        self.start_source = earlier.start_source;
        self.seconds = seconds_sum(earlier.seconds, self.seconds);
        self.reset |= earlier.reset;
        let mut cpus: BTreeMap<u32, BTreeMap<String, u64>> = BTreeMap::new();
        for c in earlier
            .cpus
            .into_iter()
            .chain(std::mem::take(&mut self.cpus))
        {
            sum_maps(cpus.entry(c.cpu).or_default(), c.deltas);
        }
        let seconds = self.seconds;
        self.cpus = if self.reset {
            Vec::new()
        } else {
            cpus.into_iter()
                .map(|(cpu, deltas)| SoftnetCpuDelta {
                    cpu,
                    rates: timeline::rates_of(&deltas, seconds),
                    deltas,
                })
                .collect()
        };
        self.merged = self.merged.saturating_add(earlier.merged);
    }
}

impl Mergeable for PerCpuInterval {
    fn weight(&self) -> u64 {
        u64::from(self.merged)
    }

    fn mergeable(&self, next: &Self, force: bool) -> bool {
        adjacent_intervals(self, next, force) && (force || self.cpus == next.cpus)
    }

    fn absorb(&mut self, earlier: Self) {
        self.start = earlier.start;
        self.start_source = earlier.start_source;
        self.seconds = seconds_sum(earlier.seconds, self.seconds);
        self.reset |= earlier.reset;
        if self.reset || self.cpus != earlier.cpus {
            // Only reached when forced: the CPU columns differ, the sum has no meaning.
            self.rows.clear();
            self.reset = true;
        } else {
            for (row, before) in earlier.rows {
                match self.rows.get_mut(&row) {
                    Some(now) if now.len() == before.len() => {
                        for (n, b) in now.iter_mut().zip(before) {
                            *n = n.saturating_add(b);
                        }
                    }
                    Some(_) => {}
                    None => {
                        self.rows.insert(row, before);
                    }
                }
            }
        }
        self.merged = self.merged.saturating_add(earlier.merged);
    }
}

/// A frame that is not a counter reading (`top`, IPVS): thinning keeps the later of a pair.
pub trait Frame {
    fn frame_source(&self) -> &str;
    fn represents(&self) -> u32;
    fn set_represents(&mut self, n: u32);
    /// Frames that are not comparable with the others of their series (first `top` frames).
    fn first_frame(&self) -> bool {
        false
    }
}

impl Frame for CpuSample {
    fn frame_source(&self) -> &str {
        &self.source
    }
    fn represents(&self) -> u32 {
        self.represents
    }
    fn set_represents(&mut self, n: u32) {
        self.represents = n;
    }
    fn first_frame(&self) -> bool {
        self.first_iteration
    }
}

impl Frame for IpvsSample {
    fn frame_source(&self) -> &str {
        &self.source
    }
    fn represents(&self) -> u32 {
        self.represents
    }
    fn set_represents(&mut self, n: u32) {
        self.represents = n;
    }
}

/// Stand-in for a frame during merging: where it is in the list and what it stands for.
struct FrameProxy {
    index: usize,
    weight: u64,
    first: bool,
}

impl Mergeable for FrameProxy {
    fn weight(&self) -> u64 {
        self.weight
    }

    fn mergeable(&self, next: &Self, _force: bool) -> bool {
        self.first == next.first
    }

    fn absorb(&mut self, earlier: Self) {
        self.weight += earlier.weight;
    }
}

/// What compaction needs to know of an interval besides merging.
pub trait Bounded {
    fn series(&self) -> &str;
    fn start_source(&self) -> Option<&str>;
    fn end_source(&self) -> &str;
    /// Computed between samples (as opposed to since-boot averages and sar's own rates).
    fn between_samples(&self) -> bool;
    fn seconds(&self) -> Option<f64>;
    fn reset(&self) -> bool;
}

/// Whether two intervals of one list may be merged: both between samples of the same series,
/// with times of the same kind, and (unless forced) neither a reset.
fn adjacent_intervals<I: Bounded>(a: &I, b: &I, force: bool) -> bool {
    a.between_samples()
        && b.between_samples()
        && a.series() == b.series()
        && a.seconds().is_some() == b.seconds().is_some()
        && (force || (!a.reset() && !b.reset()))
}

/// `Interval` and `SoftnetInterval` carry the same bookkeeping fields.
macro_rules! bounded_with_kind {
    ($($t:ty),*) => {$(
        impl Bounded for $t {
            fn series(&self) -> &str {
                &self.series
            }
            fn start_source(&self) -> Option<&str> {
                self.start_source.as_deref()
            }
            fn end_source(&self) -> &str {
                &self.end_source
            }
            fn between_samples(&self) -> bool {
                self.kind == IntervalKind::Interval
            }
            fn seconds(&self) -> Option<f64> {
                self.seconds
            }
            fn reset(&self) -> bool {
                self.reset
            }
        }
    )*};
}

bounded_with_kind!(Interval, SoftnetInterval);

impl Bounded for PerCpuInterval {
    fn series(&self) -> &str {
        &self.series
    }
    fn start_source(&self) -> Option<&str> {
        Some(&self.start_source)
    }
    fn end_source(&self) -> &str {
        &self.end_source
    }
    fn between_samples(&self) -> bool {
        true
    }
    fn seconds(&self) -> Option<f64> {
        self.seconds
    }
    fn reset(&self) -> bool {
        self.reset
    }
}

/// Where the samples of a series not yet covered by computed intervals start: at the sample
/// that ended the last computed interval (`end`), or at the beginning.
pub fn tail_start<S>(group: &[&S], end: Option<&str>, source: impl Fn(&S) -> &str) -> usize {
    end.and_then(|e| group.iter().rposition(|s| source(s) == e))
        .unwrap_or(0)
}

/// Series of `list` (by sample source) with more than `KEEP` entries.
fn long_series<S>(list: &[S], source: impl Fn(&S) -> &str) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in list {
        *counts.entry(series_of(source(s))).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > KEEP)
        .map(|(s, _)| s.to_string())
        .collect()
}

fn note(thinned: &mut Vec<Thinned>, list: &str, series: &str, dropped: usize) {
    if dropped == 0 {
        return;
    }
    match thinned
        .iter_mut()
        .find(|t| t.list == list && t.series == series)
    {
        Some(t) => t.samples_dropped += dropped as u64,
        None => thinned.push(Thinned {
            list: list.to_string(),
            series: series.to_string(),
            samples_dropped: dropped as u64,
        }),
    }
}

/// Compacts the long series of one list of counter samples and its intervals.
fn compact<S, I: Mergeable + Bounded>(
    samples: &mut Vec<S>,
    intervals: &mut Vec<I>,
    source: impl Fn(&S) -> &str + Copy,
    compute: impl Fn(&str, &[&S], u32) -> Vec<I>,
    list: &str,
    thinned: &mut Vec<Thinned>,
) {
    for series in long_series(samples, source) {
        let (mut kept, others): (Vec<I>, Vec<I>) = std::mem::take(intervals)
            .into_iter()
            .partition(|iv| iv.between_samples() && iv.series() == series);
        *intervals = others;
        let group: Vec<&S> = samples
            .iter()
            .filter(|s| series_of(source(s)) == series)
            .collect();
        let start = tail_start(&group, kept.last().map(|iv| iv.end_source()), source);
        // New intervals may be summed as coarsely as the coarsest kept one at once.
        let unit = kept.iter().map(|iv| iv.weight()).max().unwrap_or(1);
        let unit = u32::try_from(unit).unwrap_or(u32::MAX);
        kept.extend(compute(&series, &group[start..], unit));
        let kept = merge_down(kept, KEEP);
        let mut bounds: BTreeSet<String> = BTreeSet::new();
        for iv in &kept {
            bounds.extend(iv.start_source().map(str::to_string));
            bounds.insert(iv.end_source().to_string());
        }
        if let Some(last) = group.last() {
            bounds.insert(source(last).to_string());
        }
        let before = samples.len();
        samples.retain(|s| {
            let src = source(s);
            series_of(src) != series || bounds.contains(src)
        });
        note(thinned, list, &series, before - samples.len());
        intervals.extend(kept);
    }
}

/// Thins the long series of a list of frames.
fn thin_frames<T: Frame>(frames: &mut Vec<T>, list: &str, thinned: &mut Vec<Thinned>) {
    for series in long_series(frames, |f| f.frame_source()) {
        let proxies: Vec<FrameProxy> = frames
            .iter()
            .enumerate()
            .filter(|(_, f)| series_of(f.frame_source()) == series)
            .map(|(index, f)| FrameProxy {
                index,
                weight: u64::from(f.represents()),
                first: f.first_frame(),
            })
            .collect();
        let kept = merge_down(proxies, KEEP);
        let mut weights: BTreeMap<usize, u64> = kept.iter().map(|p| (p.index, p.weight)).collect();
        let before = frames.len();
        let mut index = 0;
        frames.retain_mut(|f| {
            let i = index;
            index += 1;
            if series_of(f.frame_source()) != series {
                return true;
            }
            match weights.remove(&i) {
                Some(w) => {
                    f.set_represents(u32::try_from(w).unwrap_or(u32::MAX));
                    true
                }
                None => false,
            }
        });
        note(thinned, list, &series, before - frames.len());
    }
}

/// Bounds every list of the host. Cheap when no list is longer than `TRIGGER`, so the
/// assembler calls it after every capture.
pub fn bound(host: &mut Host) {
    let thinned = &mut host.thinned;
    for iface in &mut host.interfaces {
        if iface.samples.len() > TRIGGER {
            let list = samples_list(&iface.name);
            compact(
                &mut iface.samples,
                &mut iface.deltas,
                |s: &CounterSample| s.source.as_str(),
                timeline::counter_runs,
                &list,
                thinned,
            );
        }
        if iface.ethtool.len() > TRIGGER {
            let list = ethtool_list(&iface.name);
            compact(
                &mut iface.ethtool,
                &mut iface.ethtool_deltas,
                |s| s.source.as_str(),
                |series, group, unit| {
                    timeline::with_counters(group, |refs| {
                        timeline::counter_runs(series, refs, unit)
                    })
                },
                &list,
                thinned,
            );
        }
    }
    if host.softnet.len() > TRIGGER {
        compact(
            &mut host.softnet,
            &mut host.softnet_deltas,
            |s: &SoftnetSample| s.source.as_str(),
            |series, group, _| timeline::softnet_intervals(series, group, None, false),
            "softnet",
            thinned,
        );
    }
    for (list, samples, intervals) in [
        ("softirqs", &mut host.softirqs, &mut host.softirqs_deltas),
        (
            "interrupts",
            &mut host.interrupts,
            &mut host.interrupts_deltas,
        ),
    ] {
        if samples.len() > TRIGGER {
            compact(
                samples,
                intervals,
                |s: &PerCpuCounts| s.source.as_str(),
                |series, group, _| timeline::per_cpu_intervals(series, group),
                list,
                thinned,
            );
        }
    }
    if host.cpu.len() > TRIGGER {
        thin_frames(&mut host.cpu, "cpu", thinned);
    }
    if host.ipvs.len() > TRIGGER {
        thin_frames(&mut host.ipvs, "ipvs", thinned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CpuUsage, SoftnetCpu, Timestamp};
    use chrono::NaiveDate;

    fn at(second: i64) -> Option<Timestamp> {
        let base = NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        Some(Timestamp::new(
            base + chrono::Duration::seconds(second),
            Some(-5 * 3600),
        ))
    }

    /// SYNTHETIC: `n` samples 5 s apart of a tap whose tx_dropped grows 10 per interval,
    /// except a burst of 5 000 in interval 777 and a driver reload (counters back to 0)
    /// before sample 1500; tx_packets grows 1 000 per interval.
    fn long_tap(n: usize) -> Vec<CounterSample> {
        let mut dropped = 0u64;
        let mut packets = 0u64;
        (0..n)
            .map(|i| {
                if i == 1500 {
                    dropped = 0;
                    packets = 0;
                } else if i > 0 {
                    dropped += if i == 777 { 5_000 } else { 10 };
                    packets += 1_000;
                }
                CounterSample {
                    time: at(5 * i as i64),
                    source: format!("capture.log:{}", 10 + 13 * i),
                    counters: [("tx_dropped", dropped), ("tx_packets", packets)]
                        .iter()
                        .map(|(k, v)| (k.to_string(), *v))
                        .collect(),
                    approximate: false,
                }
            })
            .collect()
    }

    fn totals(intervals: &[Interval]) -> (u64, u64, f64, u32) {
        let live = intervals.iter().filter(|iv| !iv.reset);
        let sum = |k: &str| -> u64 { live.clone().filter_map(|iv| iv.deltas.get(k)).sum::<u64>() };
        let seconds = intervals.iter().filter_map(|iv| iv.seconds).sum();
        let merged = intervals.iter().map(|iv| iv.merged).sum();
        (sum("tx_dropped"), sum("tx_packets"), seconds, merged)
    }

    /// Pushes samples one at a time, as the assembler does, then computes the timeline.
    fn streamed(samples: Vec<CounterSample>) -> Host {
        let mut host = Host::new("synthetic");
        for s in samples {
            host.interface_mut("tap0", None).samples.push(s);
            bound(&mut host);
        }
        timeline::compute(&mut host);
        host
    }

    #[test]
    fn thinned_series_keep_exact_totals_peaks_and_resets() {
        let samples = long_tap(4000);
        let mut whole = Host::new("synthetic");
        whole.interface_mut("tap0", None).samples = samples.clone();
        timeline::compute(&mut whole);
        let host = streamed(samples);
        let all = &whole.interfaces[0].deltas;
        let kept = &host.interfaces[0].deltas;
        assert_eq!(all.len(), 3999);
        // By hand: 1 499 intervals before the reload, 2 499 after, one reset between.
        // Drops: 1 498 × 10 + 5 000 before, 2 499 × 10 after; packets 1 000 per interval.
        let expected = (
            1_498 * 10 + 5_000 + 2_499 * 10,
            3_998 * 1_000,
            3_999.0 * 5.0,
            3999,
        );
        assert_eq!(totals(all), expected);
        assert_eq!(totals(kept), expected);
        assert!(kept.len() <= TRIGGER, "{} intervals kept", kept.len());
        let tap = &host.interfaces[0];
        assert!(tap.samples.len() <= TRIGGER + 1);
        assert_eq!(
            host.thinned[0].samples_dropped + tap.samples.len() as u64,
            4000
        );
        // The reset interval is still its own interval, between samples 1499 and 1500.
        let resets: Vec<&Interval> = kept.iter().filter(|iv| iv.reset).collect();
        assert_eq!(resets.len(), 1);
        assert_eq!(resets[0].merged, 1);
        assert_eq!(
            resets[0].end_source,
            format!("capture.log:{}", 10 + 13 * 1500)
        );
        // The burst: 5 000 drops in 5 s = 1 000/s, kept as the peak of its merged interval.
        let burst = kept
            .iter()
            .find(|iv| iv.start <= at(5 * 776) && iv.end >= at(5 * 777))
            .unwrap();
        assert!(burst.merged > 1);
        assert_eq!(burst.peak_rates["tx_dropped"], 1_000.0);
        let g = crate::evidence::growth(kept, &["tx_dropped"], &["tx_packets"]).unwrap();
        assert_eq!(g.peak_rate, Some(1_000.0));
        // Intervals follow each other without gaps: each starts where the previous ended.
        for pair in kept.windows(2) {
            assert_eq!(pair[1].start_source, Some(pair[0].end_source.clone()));
        }
        // Resolution is even: merged weights differ by at most a factor of 4 (the raw tail
        // after the last compaction aside).
        let weights: Vec<u32> = kept
            .iter()
            .filter(|iv| !iv.reset && iv.merged > 1)
            .map(|iv| iv.merged)
            .collect();
        let (lo, hi) = (weights.iter().min().unwrap(), weights.iter().max().unwrap());
        assert!(hi / lo <= 4, "weights {lo}..{hi}");
    }

    #[test]
    fn short_series_are_left_alone_and_compute_stays_repeatable() {
        let host = streamed(long_tap(300));
        assert!(host.thinned.is_empty());
        assert_eq!(host.interfaces[0].samples.len(), 300);
        assert_eq!(host.interfaces[0].deltas.len(), 299);
        let mut again = streamed(long_tap(3000));
        let before = again.interfaces[0].deltas.clone();
        timeline::compute(&mut again);
        assert_eq!(again.interfaces[0].deltas, before);
    }

    #[test]
    fn merging_stops_at_resets_unless_nothing_else_is_left() {
        let mk = |reset: bool| {
            let mut iv =
                timeline::counter_intervals("s", &[&long_tap(2)[0], &long_tap(2)[1]], None, true)
                    .remove(0);
            iv.reset = reset;
            iv
        };
        let kept = merge_down(vec![mk(false), mk(true), mk(false), mk(false)], 3);
        assert_eq!(
            kept.iter().map(|iv| iv.merged).collect::<Vec<_>>(),
            [1, 1, 2]
        );
        // Alternating resets: only forced merges can bound the list.
        let alternating: Vec<Interval> = (0..20).map(|i| mk(i % 2 == 0)).collect();
        let kept = merge_down(alternating, 4);
        assert!(kept.len() <= 8);
        assert_eq!(kept.iter().map(|iv| iv.merged).sum::<u32>(), 20);
    }

    #[test]
    fn frames_are_thinned_evenly_and_count_what_they_stand_for() {
        let mut host = Host::new("synthetic");
        for i in 0..2000 {
            host.cpu.push(CpuSample {
                time: at(5 * i),
                source: format!("capture.log:{}", 40 * i),
                first_iteration: true,
                cpus: vec![CpuUsage {
                    cpu: "all".into(),
                    us: Some(1.0),
                    sy: None,
                    ni: None,
                    id: Some(99.0),
                    wa: None,
                    hi: None,
                    si: None,
                    st: None,
                }],
                processes: Vec::new(),
                represents: 1,
            });
            bound(&mut host);
        }
        assert!(host.cpu.len() <= TRIGGER);
        assert_eq!(host.cpu.iter().map(|c| c.represents).sum::<u32>(), 2000);
        assert_eq!(
            host.cpu.last().unwrap().time,
            at(5 * 1999),
            "the latest stays"
        );
        assert_eq!(host.thinned[0].list, "cpu");
        assert_eq!(
            host.thinned[0].samples_dropped,
            2000 - host.cpu.len() as u64
        );
    }

    #[test]
    fn softnet_series_keep_per_cpu_totals() {
        let mut host = Host::new("synthetic");
        for i in 0..1500u64 {
            host.softnet.push(SoftnetSample {
                time: at(i as i64),
                source: format!("capture.log:{}", 3 * i),
                cpu_ids_exact: true,
                cpus: (0..2)
                    .map(|cpu| SoftnetCpu {
                        cpu,
                        processed: 100 * i * u64::from(cpu + 1),
                        dropped: i / 10,
                        time_squeeze: 0,
                        received_rps: None,
                        flow_limit_count: None,
                        backlog_len: None,
                    })
                    .collect(),
            });
            bound(&mut host);
        }
        timeline::compute(&mut host);
        assert!(host.softnet.len() <= TRIGGER + 1);
        let sum = |cpu: u32, key: &str| -> u64 {
            host.softnet_deltas
                .iter()
                .flat_map(|iv| &iv.cpus)
                .filter(|c| c.cpu == cpu)
                .filter_map(|c| c.deltas.get(key))
                .sum()
        };
        // By hand: processed ends at 100 × 1499 (cpu 0) and 200 × 1499 (cpu 1); dropped at 149.
        assert_eq!(sum(0, "processed"), 149_900);
        assert_eq!(sum(1, "processed"), 299_800);
        assert_eq!(sum(1, "dropped"), 149);
        let merged: u32 = host.softnet_deltas.iter().map(|iv| iv.merged).sum();
        assert_eq!(merged, 1499);
    }
}
