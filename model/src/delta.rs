//! Deltas: how the intervals of one series are computed from its samples, with counter deltas
//! and per-second rates. `timeline` applies this to every series of a host, `retention` to the
//! long ones it compacts.
//!
//! A *series* is the samples of one interface (or of softnet) read by one kind of source:
//! the sample's source with any `:line` suffix removed, so the ten `date; ip -s link` samples of
//! `capture.log:118`, `capture.log:130`, … form one series, and two sosreports of one host
//! continue the same `sos_commands/networking/ip_-s_-d_link` series. Samples of different
//! sources are never differenced: they were read at other instants, by other tools.
//!
//! Per counter, a value lower than the previous one is either a 32-bit wrap (both values fit
//! in 32 bits and the wrapped delta is plausible: below 2^31) or a reset (reboot, driver reload,
//! bonding failover). A reset splits the series: that interval carries `reset: true` and no
//! deltas, instead of a negative or huge delta. Samples without a time keep their input order
//! and get deltas but never rates. A series with a single sample gets a since-boot average when
//! the host's uptime was read at the same moment, marked `kind: "since-boot"`.

use std::collections::BTreeMap;

use crate::interval::{Interval, IntervalKind, PerCpuInterval, SoftnetCpuDelta, SoftnetInterval};
use crate::sample::{CounterSample, EthtoolSample, PerCpuCounts, SoftnetCpu, SoftnetSample};
use crate::time::Timestamp;

/// A 32-bit counter wraps at this value.
const WRAP_32: u64 = 1 << 32;
/// A wrapped delta larger than this is not believed: the counter was reset instead.
const MAX_PLAUSIBLE_WRAP_DELTA: u64 = 1 << 31;

/// The series name of a sample source: `capture.log:118` → `capture.log`.
pub fn series_of(source: &str) -> &str {
    match source.rsplit_once(':') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => source,
    }
}

/// Seconds between two times, when they can be compared (both absolute, or both local).
pub fn seconds_between(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<f64> {
    let (a, b) = (a?, b?);
    if a.offset_seconds.is_some() != b.offset_seconds.is_some() {
        return None;
    }
    let ms = (b.local - a.local).num_milliseconds()
        - 1000 * i64::from(b.offset_seconds.unwrap_or(0) - a.offset_seconds.unwrap_or(0));
    Some(ms as f64 / 1000.0)
}

/// How one counter moved between two readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    Delta(u64),
    Wrapped(u64),
    Reset,
}

pub fn movement(prev: u64, cur: u64) -> Movement {
    if cur >= prev {
        return Movement::Delta(cur - prev);
    }
    if prev < WRAP_32 && cur < WRAP_32 {
        let wrapped = WRAP_32 - prev + cur;
        if wrapped < MAX_PLAUSIBLE_WRAP_DELTA {
            return Movement::Wrapped(wrapped);
        }
    }
    Movement::Reset
}

/// Differences two counter maps (keys present in both). `gauges` are not differenced.
pub fn difference(
    prev: &BTreeMap<String, u64>,
    cur: &BTreeMap<String, u64>,
    gauges: &[&str],
) -> (BTreeMap<String, u64>, Vec<String>, bool) {
    let mut deltas = BTreeMap::new();
    let mut wrapped = Vec::new();
    for (key, &now) in cur {
        if gauges.contains(&key.as_str()) {
            continue;
        }
        let Some(&before) = prev.get(key) else {
            continue;
        };
        match movement(before, now) {
            Movement::Delta(d) => {
                deltas.insert(key.clone(), d);
            }
            Movement::Wrapped(d) => {
                deltas.insert(key.clone(), d);
                wrapped.push(key.clone());
            }
            Movement::Reset => return (BTreeMap::new(), Vec::new(), true),
        }
    }
    (deltas, wrapped, false)
}

pub(crate) fn rates_of(
    deltas: &BTreeMap<String, u64>,
    seconds: Option<f64>,
) -> BTreeMap<String, f64> {
    match seconds {
        Some(s) if s > 0.0 => deltas
            .iter()
            .map(|(k, &d)| (k.clone(), round(d as f64 / s)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Rates are rounded to 1e-6 so that JSON output is stable and readable.
fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Intervals of one series of counter samples, already in time (or input) order. A series
/// that is `whole` (not the tail of a series retention thinned) and holds a single reading gets
/// its totals: averaged over `uptime` when that was read with it, else over an unknown window.
pub(crate) fn counter_intervals(
    series: &str,
    samples: &[&CounterSample],
    uptime: Option<(u64, Option<Timestamp>)>,
    whole: bool,
) -> Vec<Interval> {
    let mut usable: Vec<&&CounterSample> = samples.iter().filter(|s| !s.approximate).collect();
    // The same reading twice (an archive given twice, a paste repeated) is one reading: a
    // zero-length interval between them must not hide the since-boot or snapshot totals.
    usable.dedup_by(|b, a| a.time == b.time && a.counters == b.counters);
    let mut out = Vec::new();
    for pair in usable.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(seconds) = pair_seconds(a, b) else {
            continue;
        };
        let (deltas, wrapped, reset) = difference(&a.counters, &b.counters, &[]);
        let rates = if reset {
            BTreeMap::new()
        } else {
            rates_of(&deltas, seconds)
        };
        out.push(Interval {
            kind: IntervalKind::Interval,
            series: series.to_string(),
            start: a.time,
            end: b.time,
            start_source: Some(a.source.clone()),
            end_source: b.source.clone(),
            seconds,
            reset,
            wrapped,
            deltas,
            rates,
            merged: 1,
            peak_rates: BTreeMap::new(),
        });
    }
    if let ([only], true) = (&usable[..], whole) {
        out.push(since_boot(series, only, uptime).unwrap_or_else(|| snapshot(series, only)));
    }
    out
}

/// The totals of a single reading over an unknown window (no uptime read with it).
fn snapshot(series: &str, s: &CounterSample) -> Interval {
    Interval {
        kind: IntervalKind::Snapshot,
        series: series.to_string(),
        start: None,
        end: s.time,
        start_source: None,
        end_source: s.source.clone(),
        seconds: None,
        reset: false,
        wrapped: Vec::new(),
        deltas: s.counters.clone(),
        rates: BTreeMap::new(),
        merged: 1,
        peak_rates: BTreeMap::new(),
    }
}

/// The length of the interval between two readings of one series: `Some(None)` when it is
/// unknown, `None` when the pair is no interval at all. Two readings at the same instant are two
/// reads of one state (a supportconfig's `ifconfig` and `ip` of one collection, in one series),
/// unless they are the same command read twice with different values (two pastes under one
/// `date`): the same counters, other values. Those are an ordered pair without a rate.
fn pair_seconds(a: &CounterSample, b: &CounterSample) -> Option<Option<f64>> {
    match seconds_between(a.time, b.time) {
        Some(0.0) => {
            let same_command = a.counters.len() == b.counters.len()
                && a.counters.keys().all(|k| b.counters.contains_key(k));
            (same_command && a.counters != b.counters).then_some(None)
        }
        other => Some(other),
    }
}

/// A run of consecutive raw intervals being summed by `counter_runs`.
struct Run<'a> {
    start: &'a CounterSample,
    end: &'a CounterSample,
    seconds: Option<f64>,
    steps: u32,
    /// Counter → (summed delta, highest rate of one step).
    sums: BTreeMap<&'a str, (u64, f64)>,
    wrapped: std::collections::BTreeSet<&'a str>,
}

impl<'a> Run<'a> {
    fn new(start: &'a CounterSample) -> Self {
        Run {
            start,
            end: start,
            seconds: Some(0.0),
            steps: 0,
            sums: BTreeMap::new(),
            wrapped: std::collections::BTreeSet::new(),
        }
    }

    /// Extends the run by one step to `end`, `seconds` long, whose counters moved as `step`
    /// says (no reset among them).
    fn add(&mut self, step: &[(&'a str, Movement)], end: &'a CounterSample, seconds: Option<f64>) {
        for &(key, m) in step {
            let d = match m {
                Movement::Delta(d) => d,
                Movement::Wrapped(d) => {
                    self.wrapped.insert(key);
                    d
                }
                Movement::Reset => 0,
            };
            let rate = match seconds {
                Some(s) if s > 0.0 => round(d as f64 / s),
                _ => 0.0,
            };
            let e = self.sums.entry(key).or_insert((0, rate));
            e.0 = e.0.saturating_add(d);
            e.1 = e.1.max(rate);
        }
        self.end = end;
        self.seconds = match (self.seconds, seconds) {
            (Some(x), Some(y)) => Some(x + y),
            _ => None,
        };
        self.steps += 1;
    }

    fn interval(self, series: &str) -> Interval {
        let deltas: BTreeMap<String, u64> = self
            .sums
            .iter()
            .map(|(k, v)| (k.to_string(), v.0))
            .collect();
        let peak_rates = if self.steps > 1 && self.seconds.is_some() {
            self.sums
                .iter()
                .map(|(k, v)| (k.to_string(), v.1))
                .collect()
        } else {
            BTreeMap::new()
        };
        Interval {
            kind: IntervalKind::Interval,
            series: series.to_string(),
            start: self.start.time,
            end: self.end.time,
            start_source: Some(self.start.source.clone()),
            end_source: self.end.source.clone(),
            seconds: self.seconds,
            reset: false,
            wrapped: self.wrapped.iter().map(|k| k.to_string()).collect(),
            rates: rates_of(&deltas, self.seconds),
            deltas,
            merged: self.steps,
            peak_rates,
        }
    }
}

/// The intervals `counter_intervals` would give, already merged `unit` at a time the way
/// retention merges them (deltas summed, per-counter peak rate kept), in one pass that
/// builds no raw interval. A reset, or a step without time, ends a run: it is never merged.
pub(crate) fn counter_runs(series: &str, samples: &[&CounterSample], unit: u32) -> Vec<Interval> {
    if unit <= 1 {
        return counter_intervals(series, samples, None, false);
    }
    let mut usable: Vec<&CounterSample> =
        samples.iter().copied().filter(|s| !s.approximate).collect();
    usable.dedup_by(|b, a| a.time == b.time && a.counters == b.counters);
    let mut out = Vec::new();
    let mut run: Option<Run> = None;
    let mut step: Vec<(&str, Movement)> = Vec::new();
    for pair in usable.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(seconds) = pair_seconds(a, b) else {
            continue;
        };
        step.clear();
        for (key, &now) in &b.counters {
            if let Some(&before) = a.counters.get(key) {
                step.push((key.as_str(), movement(before, now)));
            }
        }
        let reset = step.iter().any(|(_, m)| *m == Movement::Reset);
        // A run continues only from where it ended, with times of the same kind.
        let continues = run
            .as_ref()
            .is_some_and(|r| std::ptr::eq(r.end, a) && r.seconds.is_some() == seconds.is_some());
        if reset || !continues {
            if let Some(r) = run.take().filter(|r| r.steps > 0) {
                out.push(r.interval(series));
            }
        }
        if reset {
            out.extend(counter_intervals(series, &[a, b], None, false));
            continue;
        }
        let r = run.get_or_insert_with(|| Run::new(a));
        r.add(&step, b, seconds);
        if r.steps >= unit {
            if let Some(done) = run.take() {
                out.push(done.interval(series));
            }
        }
    }
    if let Some(r) = run.filter(|r| r.steps > 0) {
        out.push(r.interval(series));
    }
    out
}

/// Average since boot of a single snapshot, when uptime was read at the same collection.
fn since_boot(
    series: &str,
    s: &CounterSample,
    uptime: Option<(u64, Option<Timestamp>)>,
) -> Option<Interval> {
    let (up, at) = uptime?;
    if up == 0 || s.time.is_none() || at.is_none() {
        return None;
    }
    // Only when the sample belongs to the snapshot the uptime describes (within 10 minutes).
    if seconds_between(at, s.time).is_none_or(|d| d.abs() > 600.0) {
        return None;
    }
    let seconds = up as f64;
    Some(Interval {
        kind: IntervalKind::SinceBoot,
        series: series.to_string(),
        start: None,
        end: s.time,
        start_source: None,
        end_source: s.source.clone(),
        seconds: Some(seconds),
        reset: false,
        wrapped: Vec::new(),
        deltas: s.counters.clone(),
        rates: rates_of(&s.counters, Some(seconds)),
        merged: 1,
        peak_rates: BTreeMap::new(),
    })
}

fn softnet_counters(c: &SoftnetCpu) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    m.insert("processed".to_string(), c.processed);
    m.insert("dropped".to_string(), c.dropped);
    m.insert("time_squeeze".to_string(), c.time_squeeze);
    if let Some(v) = c.received_rps {
        m.insert("received_rps".to_string(), v);
    }
    if let Some(v) = c.flow_limit_count {
        m.insert("flow_limit_count".to_string(), v);
    }
    m
}

/// Per-CPU softnet intervals of one series: between consecutive readings, and for a `whole`
/// series of a single reading its totals (since boot when `uptime` was read with it).
pub(crate) fn softnet_intervals(
    series: &str,
    samples: &[&SoftnetSample],
    uptime: Option<(u64, Option<Timestamp>)>,
    whole: bool,
) -> Vec<SoftnetInterval> {
    let mut samples = samples.to_vec();
    samples.dedup_by(|b, a| a.time == b.time && a.cpus == b.cpus);
    let mut out: Vec<SoftnetInterval> = samples
        .windows(2)
        .map(|pair| softnet_pair(series, pair[0], pair[1]))
        .collect();
    if let ([only], true) = (&samples[..], whole) {
        out.push(softnet_single(series, only, uptime));
    }
    out
}

/// The per-CPU softnet interval between two consecutive readings.
fn softnet_pair(series: &str, a: &SoftnetSample, b: &SoftnetSample) -> SoftnetInterval {
    // Two different readings at one instant (two pastes under one `date`): an ordered
    // pair without a rate.
    let seconds = seconds_between(a.time, b.time).filter(|s| *s != 0.0);
    let mut reset = false;
    let mut cpus = Vec::new();
    for cb in &b.cpus {
        let Some(ca) = a.cpus.iter().find(|c| c.cpu == cb.cpu) else {
            continue;
        };
        // softnet_stat fields are 32-bit hex: wraps are expected on busy CPUs.
        let (deltas, _, r) = difference(&softnet_counters(ca), &softnet_counters(cb), &[]);
        reset |= r;
        let rates = rates_of(&deltas, seconds);
        cpus.push(SoftnetCpuDelta {
            cpu: cb.cpu,
            deltas,
            rates,
        });
    }
    if reset {
        cpus.clear();
    }
    SoftnetInterval {
        kind: IntervalKind::Interval,
        series: series.to_string(),
        start: a.time,
        end: b.time,
        start_source: Some(a.source.clone()),
        end_source: b.source.clone(),
        seconds,
        reset,
        cpus,
        merged: 1,
    }
}

/// The totals of a single softnet reading: averaged since boot when the uptime was read with
/// it (within 10 minutes), else over an unknown window.
fn softnet_single(
    series: &str,
    only: &SoftnetSample,
    uptime: Option<(u64, Option<Timestamp>)>,
) -> SoftnetInterval {
    let boot = uptime.filter(|(up, at)| {
        *up > 0 && seconds_between(*at, only.time).is_some_and(|d| d.abs() <= 600.0)
    });
    let seconds = boot.map(|(up, _)| up as f64);
    let cpus = only
        .cpus
        .iter()
        .map(|c| {
            let deltas = softnet_counters(c);
            let rates = rates_of(&deltas, seconds);
            SoftnetCpuDelta {
                cpu: c.cpu,
                deltas,
                rates,
            }
        })
        .collect();
    SoftnetInterval {
        // Without an uptime read with it, a single reading is a total over an unknown
        // window.
        kind: if boot.is_some() {
            IntervalKind::SinceBoot
        } else {
            IntervalKind::Snapshot
        },
        series: series.to_string(),
        start: None,
        end: only.time,
        start_source: None,
        end_source: only.source.clone(),
        seconds,
        reset: false,
        cpus,
        merged: 1,
    }
}

pub(crate) fn per_cpu_intervals(series: &str, samples: &[&PerCpuCounts]) -> Vec<PerCpuInterval> {
    let mut out = Vec::new();
    for pair in samples.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let seconds = seconds_between(a.time, b.time);
        if seconds == Some(0.0) {
            continue;
        }
        let cpus: Vec<u32> = b
            .cpus
            .iter()
            .copied()
            .filter(|c| a.cpus.contains(c))
            .collect();
        let mut rows = BTreeMap::new();
        let mut reset = false;
        for (name, now) in &b.rows {
            let Some(before) = a.rows.get(name) else {
                continue;
            };
            let mut deltas = Vec::with_capacity(cpus.len());
            for cpu in &cpus {
                let at = |s: &PerCpuCounts, v: &Vec<u64>| {
                    s.cpus
                        .iter()
                        .position(|c| c == cpu)
                        .and_then(|i| v.get(i).copied())
                };
                let (Some(x), Some(y)) = (at(a, before), at(b, now)) else {
                    continue;
                };
                match movement(x, y) {
                    Movement::Delta(d) | Movement::Wrapped(d) => deltas.push(d),
                    Movement::Reset => reset = true,
                }
            }
            rows.insert(name.clone(), deltas);
        }
        if reset {
            rows.clear();
        }
        out.push(PerCpuInterval {
            series: series.to_string(),
            start: a.time,
            end: b.time,
            start_source: a.source.clone(),
            end_source: b.source.clone(),
            seconds,
            reset,
            cpus,
            rows,
            merged: 1,
        });
    }
    out
}

/// Runs `f` on the counter form of `ethtool -S` readings, for differencing.
pub(crate) fn with_counters<R>(
    readings: &[&EthtoolSample],
    f: impl FnOnce(&[&CounterSample]) -> R,
) -> R {
    let counters: Vec<CounterSample> = readings
        .iter()
        .map(|e| CounterSample {
            time: e.time,
            source: e.source.clone(),
            counters: e.stats.clone(),
            approximate: false,
        })
        .collect();
    let refs: Vec<&CounterSample> = counters.iter().collect();
    f(&refs)
}

/// Where the samples of a series not yet covered by computed intervals start: at the sample
/// that ended the last computed interval (`end`), or at the beginning.
pub fn tail_start<S>(group: &[&S], end: Option<&str>, source: impl Fn(&S) -> &str) -> usize {
    end.and_then(|e| group.iter().rposition(|s| source(s) == e))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32, s: u32) -> Option<Timestamp> {
        let d = NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap();
        Some(Timestamp::new(d, Some(-5 * 3600)))
    }

    fn sample(time: Option<Timestamp>, source: &str, kv: &[(&str, u64)]) -> CounterSample {
        CounterSample {
            time,
            source: source.to_string(),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        }
    }

    #[test]
    fn series_strip_line_suffixes_only() {
        assert_eq!(series_of("capture.log:118"), "capture.log");
        assert_eq!(series_of("network.txt:2"), "network.txt");
        assert_eq!(
            series_of("sos_commands/networking/ip_-s_-d_link"),
            "sos_commands/networking/ip_-s_-d_link"
        );
        assert_eq!(series_of("a:b"), "a:b");
    }

    #[test]
    fn deltas_and_rates_by_hand() {
        // tap TX dropped of seed 000 at 12:28:47 and 12:28:52 EST: 11155280 → 11188074.
        let a = sample(
            t(12, 28, 47),
            "c.log:71",
            &[("tx_dropped", 11_155_280), ("tx_packets", 83_704_477)],
        );
        let b = sample(
            t(12, 28, 52),
            "c.log:83",
            &[("tx_dropped", 11_188_074), ("tx_packets", 84_066_563)],
        );
        let iv = counter_intervals("c.log", &[&a, &b], None, true);
        assert_eq!(iv.len(), 1);
        assert_eq!(iv[0].seconds, Some(5.0));
        assert_eq!(iv[0].deltas["tx_dropped"], 32_794);
        assert_eq!(iv[0].rates["tx_dropped"], 6558.8);
        assert_eq!(iv[0].deltas["tx_packets"], 362_086);
        assert_eq!(iv[0].rates["tx_packets"], 72_417.2);
    }

    #[test]
    fn a_32_bit_wrap_is_corrected() {
        let a = sample(t(0, 0, 0), "s", &[("rx_bytes", 4_294_967_000)]);
        let b = sample(t(0, 0, 10), "s", &[("rx_bytes", 704)]);
        let iv = counter_intervals("s", &[&a, &b], None, true);
        // 2^32 - 4294967000 + 704 = 296 + 704 = 1000
        assert_eq!(iv[0].deltas["rx_bytes"], 1000);
        assert_eq!(iv[0].wrapped, vec!["rx_bytes".to_string()]);
        assert_eq!(iv[0].rates["rx_bytes"], 100.0);
        assert!(!iv[0].reset);
    }

    #[test]
    fn a_reset_splits_instead_of_a_huge_delta() {
        let a = sample(
            t(0, 0, 0),
            "s",
            &[("rx_packets", 90_000_000_000), ("rx_dropped", 5)],
        );
        let b = sample(t(0, 1, 0), "s", &[("rx_packets", 1_000), ("rx_dropped", 0)]);
        let c = sample(t(0, 2, 0), "s", &[("rx_packets", 7_000), ("rx_dropped", 3)]);
        let iv = counter_intervals("s", &[&a, &b, &c], None, true);
        assert!(iv[0].reset);
        assert!(iv[0].deltas.is_empty() && iv[0].rates.is_empty());
        assert!(!iv[1].reset);
        assert_eq!(iv[1].deltas["rx_packets"], 6_000);
        assert_eq!(iv[1].rates["rx_packets"], 100.0);
        assert_eq!(iv[1].rates["rx_dropped"], 0.05);
    }

    #[test]
    fn a_32_bit_drop_from_the_upper_half_with_implausible_delta_is_a_reset() {
        assert_eq!(movement(3_000_000_000, 2_000_000_000), Movement::Reset);
        assert_eq!(movement(10, 5), Movement::Reset);
        assert_eq!(movement(4_294_967_295, 0), Movement::Wrapped(1));
    }

    #[test]
    fn undated_samples_get_deltas_but_no_rates() {
        let a = sample(None, "s:1", &[("rx_packets", 10)]);
        let b = sample(None, "s:9", &[("rx_packets", 25)]);
        let iv = counter_intervals("s", &[&a, &b], None, true);
        assert_eq!(iv[0].deltas["rx_packets"], 15);
        assert!(iv[0].rates.is_empty());
        assert_eq!(iv[0].seconds, None);
    }

    #[test]
    fn a_single_snapshot_gets_a_since_boot_average() {
        let a = sample(t(2, 54, 30), "ip", &[("rx_packets", 340_518)]);
        let iv = counter_intervals("ip", &[&a], Some((2100, t(2, 54, 30))), true);
        assert_eq!(iv.len(), 1);
        assert_eq!(iv[0].kind, IntervalKind::SinceBoot);
        // 340518 / 2100 s = 162.151428...
        assert_eq!(iv[0].rates["rx_packets"], 162.151429);
        // Not when the uptime belongs to another snapshot: then the totals stand over an
        // unknown window, without rates.
        let other = counter_intervals("ip", &[&a], Some((2100, t(5, 0, 0))), true);
        assert_eq!(other[0].kind, IntervalKind::Snapshot);
        assert_eq!(other[0].seconds, None);
        assert_eq!(other[0].deltas["rx_packets"], 340_518);
        assert!(other[0].rates.is_empty());
        // Nor for the tail of a series retention thinned (`whole` false).
        assert!(counter_intervals("ip", &[&a], None, false).is_empty());
    }

    #[test]
    fn softirqs_per_cpu_distribution_between_two_readings() {
        let reading = |time, net_rx: Vec<u64>| PerCpuCounts {
            time,
            source: "proc/softirqs".into(),
            cpus: vec![0, 1],
            rows: [("NET_RX".to_string(), net_rx)].into_iter().collect(),
        };
        let a = reading(t(12, 0, 0), vec![1_000, 50]);
        let b = reading(t(12, 0, 10), vec![91_000, 60]);
        let iv = per_cpu_intervals("proc/softirqs", &[&a, &b]);
        // CPU0 carries 90000 of the 90010 NET_RX softirqs of those 10 s.
        assert_eq!(iv[0].rows["NET_RX"], vec![90_000, 10]);
        assert_eq!(iv[0].seconds, Some(10.0));
    }

    #[test]
    fn mixed_local_and_absolute_times_are_not_compared() {
        let local = NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(
            seconds_between(Some(Timestamp::new(local, None)), t(12, 0, 5)),
            None
        );
        // Offsets are honoured: 12:00 EST is 17:00 UTC.
        let utc = NaiveDate::from_ymd_opt(2016, 11, 29)
            .unwrap()
            .and_hms_opt(17, 0, 10)
            .unwrap();
        assert_eq!(
            seconds_between(t(12, 0, 0), Some(Timestamp::new(utc, Some(0)))),
            Some(10.0)
        );
    }
}
