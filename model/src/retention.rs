//! Retention: what a very long series keeps, so that memory and output stay bounded however
//! long a capture log runs (issue 6: memory must not grow with the input).
//!
//! A series (see `delta`) whose list grows past [`TRIGGER`] entries is compacted at once:
//! the intervals between its samples are computed as `timeline::compute` would (both use
//! `delta`), and adjacent intervals are then merged pairwise, the pair standing for the fewest
//! raw intervals first (leftmost on ties), until at most [`KEEP`] remain. Choosing the
//! lightest pair keeps the resolution even over the whole capture instead of thinning old data
//! again and again.
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

use crate::delta::{self, series_of, tail_start};
use crate::host::Host;
use crate::interval::{Bounded, Interval, PerCpuInterval, SoftnetCpuDelta, SoftnetInterval};
use crate::sample::{CounterSample, CpuSample, IpvsSample, PerCpuCounts, SoftnetSample};
use crate::stack::CounterSeries;
use crate::thinned::{ethtool_list, qdisc_list, samples_list, Thinned};

/// Intervals (or frames) kept per series after a compaction.
pub const KEEP: usize = 256;
/// A list is compacted when it holds more than this many entries.
pub const TRIGGER: usize = 2 * KEEP;

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

/// `Mergeable` for an interval kind: it stands for its `merged` raw intervals; it merges with
/// an adjacent one (`adjacent_intervals`) when `$same` also holds or the merge is forced; the
/// bookkeeping every kind carries is folded here (the earlier start, the summed length, a reset
/// in either, the raw intervals of both), its own figures by `$fold` (which sees the folded
/// `seconds` and `reset` and still the unmerged `merged`).
macro_rules! mergeable_interval {
    ($t:ty, $same:expr, $fold:expr) => {
        impl Mergeable for $t {
            fn weight(&self) -> u64 {
                u64::from(self.merged)
            }

            fn mergeable(&self, next: &Self, force: bool) -> bool {
                adjacent_intervals(self, next, force) && (force || $same(self, next))
            }

            fn absorb(&mut self, mut earlier: Self) {
                let merged = self.merged.saturating_add(earlier.merged);
                self.start = earlier.start;
                self.start_source = std::mem::take(&mut earlier.start_source);
                self.seconds = seconds_sum(earlier.seconds, self.seconds);
                self.reset |= earlier.reset;
                $fold(self, earlier);
                self.merged = merged;
            }
        }
    };
}

mergeable_interval!(Interval, |_: &Interval, _: &Interval| true, absorb_counters);
mergeable_interval!(
    SoftnetInterval,
    |_: &SoftnetInterval, _: &SoftnetInterval| true,
    absorb_softnet
);
mergeable_interval!(
    PerCpuInterval,
    |a: &PerCpuInterval, b: &PerCpuInterval| a.cpus == b.cpus,
    absorb_per_cpu
);

/// Counter deltas add up, wrapped counters join, rates are recomputed and the peak rates kept.
fn absorb_counters(into: &mut Interval, earlier: Interval) {
    let mut peaks = earlier.peaks();
    for (k, v) in into.peaks() {
        let e = peaks.entry(k).or_insert(v);
        *e = e.max(v);
    }
    sum_maps(&mut into.deltas, earlier.deltas);
    let wrapped: BTreeSet<String> = earlier
        .wrapped
        .into_iter()
        .chain(std::mem::take(&mut into.wrapped))
        .collect();
    into.wrapped = wrapped.into_iter().collect();
    into.rates = if into.reset {
        BTreeMap::new()
    } else {
        delta::rates_of(&into.deltas, into.seconds)
    };
    into.peak_rates = peaks;
}

/// Per-CPU softnet deltas add up and their rates are recomputed.
fn absorb_softnet(into: &mut SoftnetInterval, earlier: SoftnetInterval) {
    let mut cpus: BTreeMap<u32, BTreeMap<String, u64>> = BTreeMap::new();
    for c in earlier
        .cpus
        .into_iter()
        .chain(std::mem::take(&mut into.cpus))
    {
        sum_maps(cpus.entry(c.cpu).or_default(), c.deltas);
    }
    let seconds = into.seconds;
    into.cpus = if into.reset {
        Vec::new()
    } else {
        cpus.into_iter()
            .map(|(cpu, deltas)| SoftnetCpuDelta {
                cpu,
                rates: delta::rates_of(&deltas, seconds),
                deltas,
            })
            .collect()
    };
}

/// Rows add up column by column when both have the same CPU columns.
fn absorb_per_cpu(into: &mut PerCpuInterval, earlier: PerCpuInterval) {
    if into.reset || into.cpus != earlier.cpus {
        // Only reached when forced: the CPU columns differ, the sum has no meaning.
        into.rows.clear();
        into.reset = true;
    } else {
        for (row, before) in earlier.rows {
            match into.rows.get_mut(&row) {
                Some(now) if now.len() == before.len() => {
                    for (n, b) in now.iter_mut().zip(before) {
                        *n = n.saturating_add(b);
                    }
                }
                Some(_) => {}
                None => {
                    into.rows.insert(row, before);
                }
            }
        }
    }
}

/// A frame that is not a counter reading (`top`, IPVS): thinning keeps the later of a pair.
pub trait Frame {
    fn frame_source(&self) -> &str;
    fn represents(&self) -> u32;
    fn set_represents(&mut self, n: u32);
    /// Frames that are not comparable with the others of their series (first `top` frames).
    fn first_frame(&self) -> bool;
}

/// `top` and IPVS frames carry the same bookkeeping fields (`source`, `represents`); `$first`
/// tells the frames not comparable with the others of their series.
macro_rules! frame {
    ($t:ty, $first:expr) => {
        impl Frame for $t {
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
                $first(self)
            }
        }
    };
}

frame!(CpuSample, |f: &CpuSample| f.first_iteration);
frame!(IpvsSample, |_: &IpvsSample| false);

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

/// Whether two intervals of one list may be merged: both between samples of the same series,
/// with times of the same kind, and (unless forced) neither a reset.
fn adjacent_intervals<I: Bounded>(a: &I, b: &I, force: bool) -> bool {
    a.between_samples()
        && b.between_samples()
        && a.series() == b.series()
        && a.seconds().is_some() == b.seconds().is_some()
        && (force || (!a.reset() && !b.reset()))
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

/// Compacts a [`CounterSeries`] that grew past [`TRIGGER`] samples (`list` names it).
fn compact_series(
    counters: &mut CounterSeries,
    list: impl FnOnce() -> String,
    thinned: &mut Vec<Thinned>,
) {
    if counters.samples.len() > TRIGGER {
        compact(
            &mut counters.samples,
            &mut counters.deltas,
            |s: &CounterSample| s.source.as_str(),
            delta::counter_runs,
            &list(),
            thinned,
        );
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
                delta::counter_runs,
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
                    delta::with_counters(group, |refs| delta::counter_runs(series, refs, unit))
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
            |series, group, _| delta::softnet_intervals(series, group, None, false),
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
                |series, group, _| delta::per_cpu_intervals(series, group),
                list,
                thinned,
            );
        }
    }
    compact_series(&mut host.protocol, || "protocol".into(), thinned);
    compact_series(&mut host.conntrack, || "conntrack".into(), thinned);
    for q in &mut host.qdiscs {
        let list = || qdisc_list(&q.dev, q.parent.as_deref(), &q.handle);
        compact_series(&mut q.counters, list, thinned);
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
    use crate::sample::CpuUsage;
    use crate::test_series::{at, long_tap};

    #[test]
    fn merging_stops_at_resets_unless_nothing_else_is_left() {
        let mk = |reset: bool| {
            let mut iv =
                delta::counter_intervals("s", &[&long_tap(2)[0], &long_tap(2)[1]], None, true)
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
}
