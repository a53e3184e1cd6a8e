//! Timeline: turns each host's samples into intervals with counter deltas and per-second rates.
//!
//! Every series of every list of the host (interface counters, `ethtool -S`, softnet, softirqs,
//! interrupts) gets its intervals as `delta` computes them. A series retention thinned keeps
//! the merged intervals retention computed for it (see `retention`), and continues from the
//! last sample they cover; sar's reported rates stay as they are. Computing the timeline again
//! gives the same intervals.

use std::collections::BTreeMap;

use crate::delta::{
    counter_intervals, per_cpu_intervals, series_of, softnet_intervals, tail_start, with_counters,
};
use crate::host::Host;
use crate::interval::{Bounded, Interval, IntervalKind};
use crate::thinned::{ethtool_list, qdisc_list, samples_list};

/// Groups items by series, keeping the (time-sorted) order within each series.
fn by_series<T>(items: &[T], source: impl Fn(&T) -> &str) -> BTreeMap<String, Vec<&T>> {
    let mut groups: BTreeMap<String, Vec<&T>> = BTreeMap::new();
    for item in items {
        groups
            .entry(series_of(source(item)).to_string())
            .or_default()
            .push(item);
    }
    groups
}

/// Intervals of every series of one list: those retention computed for the series it thinned
/// (`retained`) continue from their last sample; the rest is computed again, except what
/// `keep` says to leave as it is (sar's reported rates). `fresh` gets a series' samples not
/// yet covered, and whether the series is whole (may get a since-boot average).
fn refresh<S, I: Bounded>(
    deltas: &mut Vec<I>,
    retained: &[&str],
    keep: impl Fn(&I) -> bool,
    samples: &[S],
    source: impl Fn(&S) -> &str + Copy,
    fresh: impl Fn(&str, &[&S], bool) -> Vec<I>,
) {
    let computed = take_computed(deltas, retained, keep);
    let intervals = continue_series(samples, source, computed, fresh);
    deltas.extend(intervals);
}

/// Takes out of `list` the intervals that retention computed for its thinned series (named
/// by `thinned`), grouped by series. Of the rest, what `keep` accepts stays (sar's reported
/// rates) and the others are dropped, to be computed again from the samples.
fn take_computed<I: Bounded>(
    list: &mut Vec<I>,
    thinned: &[&str],
    keep: impl Fn(&I) -> bool,
) -> BTreeMap<String, Vec<I>> {
    let mut computed: BTreeMap<String, Vec<I>> = BTreeMap::new();
    for iv in std::mem::take(list) {
        if iv.between_samples() && thinned.contains(&iv.series()) {
            computed
                .entry(iv.series().to_string())
                .or_default()
                .push(iv);
        } else if keep(&iv) {
            list.push(iv);
        }
    }
    computed
}

/// Intervals of each series of `items`: those retention already computed, then the ones
/// from the last sample they covered on (`fresh` gets that sample and the later ones, and
/// whether the series is still whole, i.e. may get a since-boot average).
fn continue_series<S, I: Bounded>(
    items: &[S],
    source: impl Fn(&S) -> &str + Copy,
    mut computed: BTreeMap<String, Vec<I>>,
    fresh: impl Fn(&str, &[&S], bool) -> Vec<I>,
) -> Vec<I> {
    let mut out = Vec::new();
    for (series, samples) in by_series(items, source) {
        let before = computed.remove(&series).unwrap_or_default();
        let start = tail_start(&samples, before.last().map(|iv| iv.end_source()), source);
        let whole = before.is_empty();
        out.extend(before);
        out.extend(fresh(&series, &samples[start..], whole));
    }
    // Computed intervals whose samples are gone (cannot happen: the last one is kept).
    out.extend(computed.into_values().flatten());
    out
}

/// Fills `deltas` of every interface and `softnet_deltas` of the host. Samples must already
/// be sorted by time (unknown times last, in input order).
pub fn compute(host: &mut Host) {
    let uptime = host.uptime_seconds.map(|u| (u, host.collected_at));
    let boot = |whole: bool| if whole { uptime } else { None };
    let thinned = &host.thinned;
    let series_of_list = |list: &str| -> Vec<&str> {
        thinned
            .iter()
            .filter(|t| t.list == list)
            .map(|t| t.series.as_str())
            .collect()
    };
    let reported = |d: &Interval| d.kind == IntervalKind::Reported;
    for iface in &mut host.interfaces {
        refresh(
            &mut iface.deltas,
            &series_of_list(&samples_list(&iface.name)),
            reported,
            &iface.samples,
            |s| s.source.as_str(),
            |series, samples, whole| counter_intervals(series, samples, boot(whole), whole),
        );
        // ethtool -S counters (since driver load, usually boot) form series of their own.
        refresh(
            &mut iface.ethtool_deltas,
            &series_of_list(&ethtool_list(&iface.name)),
            |_| false,
            &iface.ethtool,
            |s| s.source.as_str(),
            |series, samples, whole| {
                with_counters(samples, |refs| {
                    counter_intervals(series, refs, boot(whole), whole)
                })
            },
        );
    }
    refresh(
        &mut host.softnet_deltas,
        &series_of_list("softnet"),
        |d| d.kind == IntervalKind::Reported,
        &host.softnet,
        |s| s.source.as_str(),
        |series, samples, whole| softnet_intervals(series, samples, boot(whole), whole),
    );
    for (list, samples, deltas) in [
        ("softirqs", &host.softirqs, &mut host.softirqs_deltas),
        ("interrupts", &host.interrupts, &mut host.interrupts_deltas),
    ] {
        refresh(
            deltas,
            &series_of_list(list),
            |_| false,
            samples,
            |s| s.source.as_str(),
            |series, samples, _| per_cpu_intervals(series, samples),
        );
    }
    // Protocol, conntrack and qdisc counters: since boot (a qdisc's since it was created).
    let qdiscs = host.qdiscs.iter_mut().map(|q| {
        let list = qdisc_list(&q.dev, q.parent.as_deref(), &q.handle);
        (list, &mut q.counters)
    });
    let lists = [
        ("protocol".to_string(), &mut host.protocol),
        ("conntrack".to_string(), &mut host.conntrack),
    ];
    for (list, counters) in lists.into_iter().chain(qdiscs) {
        refresh(
            &mut counters.deltas,
            &series_of_list(&list),
            |_| false,
            &counters.samples,
            |s| s.source.as_str(),
            |series, samples, whole| counter_intervals(series, samples, boot(whole), whole),
        );
    }
}

#[cfg(test)]
mod tests {
    //! Retention and the timeline together: a long series streamed in sample by sample, as the
    //! assembler does, keeps exact totals once the timeline is computed.
    use super::*;
    use crate::retention::{bound, TRIGGER};
    use crate::sample::{CounterSample, SoftnetCpu, SoftnetSample};
    use crate::test_series::{at, long_tap};

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
        compute(&mut host);
        host
    }

    #[test]
    fn thinned_series_keep_exact_totals_peaks_and_resets() {
        let samples = long_tap(4000);
        let mut whole = Host::new("synthetic");
        whole.interface_mut("tap0", None).samples = samples.clone();
        compute(&mut whole);
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
        // That peak is what `rules::evidence::growth` reports (tested in rules/tests/retention.rs).
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
        compute(&mut again);
        assert_eq!(again.interfaces[0].deltas, before);
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
        compute(&mut host);
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

    #[test]
    fn protocol_conntrack_and_qdisc_series_are_bounded_and_keep_exact_totals() {
        // The long tap series read as protocol, conntrack and qdisc counters: the same
        // compaction applies to every counter list of the host.
        let samples = long_tap(4000);
        let mut whole = Host::new("synthetic");
        whole.protocol.samples = samples.clone();
        compute(&mut whole);
        let mut host = Host::new("synthetic");
        host.qdiscs.push(crate::stack::Qdisc {
            dev: "eth0".into(),
            namespace: None,
            kind: "pfifo_fast".into(),
            handle: "0:".into(),
            parent: None,
            sums_children: false,
            counters: Default::default(),
            backlog: None,
        });
        for s in samples {
            host.protocol.samples.push(s.clone());
            host.conntrack.samples.push(s.clone());
            host.qdiscs[0].counters.samples.push(s);
            bound(&mut host);
        }
        compute(&mut host);
        let expected = totals(&whole.protocol.deltas);
        assert_eq!(expected.3, 3999);
        for kept in [
            &host.protocol.deltas,
            &host.conntrack.deltas,
            &host.qdiscs[0].counters.deltas,
        ] {
            assert_eq!(totals(kept), expected);
            assert!(kept.len() <= TRIGGER, "{} intervals kept", kept.len());
        }
        let lists: Vec<&str> = host.thinned.iter().map(|t| t.list.as_str()).collect();
        assert_eq!(lists, ["protocol", "conntrack", "qdiscs[eth0 root 0:]"]);
    }
}
