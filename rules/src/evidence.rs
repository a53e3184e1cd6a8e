//! Shared helpers: how much did a set of counters grow, over which window, against how much
//! traffic, and which numbers prove it.

use crate::finding::{Evidence, Severity};
use crate::model::IntervalKind;
use crate::model::{Interface, Interval};
use crate::thresholds::*;

/// What a growth was measured over: the three time bases of loss evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// A single reading whose window nobody knows (a paste without uptime): totals since the
    /// counters started.
    Unknown,
    /// A single reading averaged over the uptime read with it.
    SinceBoot,
    /// Between samples during the capture, or a rate the source reported (sar).
    Live,
}

impl Basis {
    /// The finding's `basis` in JSON.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Live => "live",
            Basis::SinceBoot => "since-boot",
            Basis::Unknown => "unknown-window",
        }
    }
}

/// How a set of counters grew on one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    pub basis: Basis,
    /// Events (drops, errors…) in the window.
    pub total: f64,
    /// Traffic (packets) in the same window, for the ratio; 0 when unknown.
    pub traffic: f64,
    /// Length of the window in seconds, when known.
    pub seconds: Option<f64>,
    /// Highest per-second rate of a single interval.
    pub peak_rate: Option<f64>,
    /// The intervals (or readings) with growth, as evidence.
    pub evidence: Vec<Evidence>,
    /// Start/end of each interval with growth (for correlation).
    pub windows: Vec<(
        Option<crate::model::Timestamp>,
        Option<crate::model::Timestamp>,
    )>,
    /// Configuration that leaves room against this mechanism ("RX ring 256 of 4096"), set by
    /// the rule: with it, a since-boot or unknown-window total is worth acting on.
    pub room: Option<String>,
    /// For live growth of zero: the counters' value at the latest reading, i.e. loss that
    /// happened before the capture.
    pub history: Option<f64>,
}

impl Growth {
    pub fn new(basis: Basis) -> Self {
        Growth {
            basis,
            total: 0.0,
            traffic: 0.0,
            seconds: None,
            peak_rate: None,
            evidence: Vec::new(),
            windows: Vec::new(),
            room: None,
            history: None,
        }
    }

    /// Measured during the capture.
    pub fn live(&self) -> bool {
        self.basis == Basis::Live
    }

    pub fn mean_rate(&self) -> Option<f64> {
        self.seconds.filter(|s| *s > 0.0).map(|s| self.total / s)
    }

    /// Events per packet, when traffic is known.
    pub fn ratio(&self) -> Option<f64> {
        (self.traffic > 0.0).then(|| self.total / (self.traffic + self.total))
    }

    /// The per-second figure used to order findings.
    pub fn impact(&self) -> f64 {
        self.mean_rate().unwrap_or(0.0)
    }

    /// Sets `history` for live growth of zero from the counters' value at the latest reading.
    pub fn with_history(mut self, latest: Option<f64>) -> Self {
        if self.live() && self.total <= 0.0 {
            self.history = latest.filter(|v| *v > 0.0);
        }
        self
    }
}

fn interval_delta(iv: &Interval, key: &str) -> Option<f64> {
    match iv.kind {
        IntervalKind::Reported => Some(iv.rates.get(key)? * iv.seconds?),
        _ => iv.deltas.get(key).map(|d| *d as f64),
    }
}

pub fn basis_of(kind: IntervalKind) -> &'static str {
    match kind {
        IntervalKind::Interval => "interval",
        IntervalKind::SinceBoot => "since-boot",
        IntervalKind::Reported => "reported",
        IntervalKind::Snapshot => "snapshot",
    }
}

/// Growth of `keys` (summed) on the best series of `intervals`: live intervals first (the
/// series with the most of them), else the since-boot average or unknown-window totals with
/// the largest total. `traffic_keys` are summed over the same intervals for the ratio.
pub fn growth(intervals: &[Interval], keys: &[&str], traffic_keys: &[&str]) -> Option<Growth> {
    let has_key = |iv: &Interval| keys.iter().any(|k| interval_delta(iv, k).is_some());
    let live: Vec<&Interval> = intervals
        .iter()
        .filter(|iv| iv.kind.is_live() && !iv.reset && has_key(iv))
        .collect();
    if !live.is_empty() {
        // One series only: the same drops read by ip, /proc and sysfs must not add up.
        let mut series: Vec<&str> = live.iter().map(|iv| iv.series.as_str()).collect();
        series.sort();
        series.dedup();
        let best = series
            .iter()
            .max_by_key(|s| live.iter().filter(|iv| iv.series == **s).count())
            .copied()?;
        let chosen: Vec<&Interval> = live.into_iter().filter(|iv| iv.series == best).collect();
        return Some(summarise(&chosen, keys, traffic_keys, Basis::Live));
    }
    let single: Vec<&Interval> = intervals
        .iter()
        .filter(|iv| !iv.kind.is_live() && has_key(iv))
        .collect();
    let best = single.into_iter().max_by(|a, b| {
        let total = |iv: &Interval| {
            keys.iter()
                .filter_map(|k| interval_delta(iv, k))
                .sum::<f64>()
        };
        // Loss beats none (another source may have read the counters at zero), then since
        // boot (a known window) beats an unknown window, then the larger total.
        (total(a) > 0.0)
            .cmp(&(total(b) > 0.0))
            .then((a.kind == IntervalKind::SinceBoot).cmp(&(b.kind == IntervalKind::SinceBoot)))
            .then(total(a).total_cmp(&total(b)))
            .then_with(|| b.series.cmp(&a.series))
    })?;
    let basis = if best.kind == IntervalKind::SinceBoot {
        Basis::SinceBoot
    } else {
        Basis::Unknown
    };
    Some(summarise(&[best], keys, traffic_keys, basis))
}

fn summarise(chosen: &[&Interval], keys: &[&str], traffic_keys: &[&str], basis: Basis) -> Growth {
    let mut g = Growth::new(basis);
    for iv in chosen {
        let delta: f64 = keys.iter().filter_map(|k| interval_delta(iv, k)).sum();
        g.total += delta;
        g.traffic += traffic_keys
            .iter()
            .filter_map(|k| interval_delta(iv, k))
            .sum::<f64>();
        if let Some(s) = iv.seconds {
            g.seconds = Some(g.seconds.unwrap_or(0.0) + s);
            if s > 0.0 {
                // A merged interval (retention) remembers its raw intervals' peaks per
                // counter: the highest of them is a lower bound of the summed peak.
                let merged_peak = keys
                    .iter()
                    .filter_map(|k| iv.peak_rates.get(*k))
                    .fold(0.0, |a: f64, b| a.max(*b));
                let r = (delta / s).max(merged_peak);
                g.peak_rate = Some(g.peak_rate.map_or(r, |p: f64| p.max(r)));
            }
        }
        if delta > 0.0 {
            g.windows.push((iv.start, iv.end));
            for k in keys {
                let Some(d) = interval_delta(iv, k).filter(|d| *d > 0.0) else {
                    continue;
                };
                // A reading's total is a value, not growth over a known interval.
                let snapshot = iv.kind == IntervalKind::Snapshot;
                g.evidence.push(Evidence {
                    source: iv.end_source.clone(),
                    start: iv.start,
                    end: iv.end,
                    metric: (*k).to_string(),
                    value: snapshot.then_some(d),
                    delta: (!snapshot).then_some(d),
                    rate: iv.rates.get(*k).copied(),
                    basis: basis_of(iv.kind),
                });
            }
        }
    }
    // Keep the evidence readable: the largest 12 items, shown in time order.
    if g.evidence.len() > 12 {
        let size = |e: &Evidence| e.delta.or(e.value).unwrap_or(0.0);
        g.evidence.sort_by(|a, b| size(b).total_cmp(&size(a)));
        g.evidence.truncate(12);
        g.evidence
            .sort_by(|a, b| crate::model::cmp_time(&a.end, &b.end));
    }
    g
}

/// The severity of lost packets from their growth (see `thresholds`). Live growth is judged on
/// volume, ratio and rate, up to critical. A since-boot or unknown-window total is at most a
/// warning: it needs some volume, and then any one of a visible ratio, a sustained average
/// since boot, configuration that leaves room, or a volume nobody would ignore. Live growth of
/// zero over a non-zero history is reported as info: the loss is older than the capture.
pub fn drop_severity(g: &Growth) -> Option<Severity> {
    if g.total <= 0.0 {
        return g.history.filter(|h| *h > 0.0).map(|_| Severity::Info);
    }
    let ratio = g.ratio();
    if g.live() {
        let rate = g.mean_rate();
        if g.total < LIVE_MIN_EVENTS {
            return Some(Severity::Info);
        }
        if ratio.is_some_and(|r| r >= LIVE_CRIT_RATIO) || rate.is_some_and(|r| r >= LIVE_CRIT_RATE)
        {
            return Some(Severity::Critical);
        }
        if ratio.is_none_or(|r| r >= LIVE_WARN_RATIO) || rate.is_some_and(|r| r >= LIVE_WARN_RATE) {
            return Some(Severity::Warning);
        }
        return Some(Severity::Info);
    }
    if g.total < BOOT_MIN_EVENTS {
        return Some(Severity::Info);
    }
    let since_boot_rate =
        g.basis == Basis::SinceBoot && g.mean_rate().is_some_and(|r| r >= BOOT_WARN_RATE);
    let warn = ratio.is_some_and(|r| r >= BOOT_WARN_RATIO)
        || since_boot_rate
        || g.room.is_some()
        || g.total >= BOOT_VOLUME_WARN;
    Some(if warn {
        Severity::Warning
    } else {
        Severity::Info
    })
}

/// "12 345 drops (0.12 % of packets) in 60 s, 205.8/s" — the phrase summaries use.
pub fn describe(g: &Growth, what: &str) -> String {
    if g.total <= 0.0 {
        if let Some(h) = g.history {
            return format!(
                "no {what} during the capture{}, although its counters hold {} from before it (since boot or driver load)",
                g.seconds
                    .map(|s| format!(" ({} s)", fmt_num(s)))
                    .unwrap_or_default(),
                fmt_count(h)
            );
        }
    }
    let mut s = format!("{} {what}", fmt_count(g.total));
    if let Some(r) = g.ratio() {
        s.push_str(&format!(" ({} of packets)", fmt_pct(r)));
    }
    match (g.basis, g.seconds) {
        (Basis::Live, Some(secs)) => s.push_str(&format!(
            " during the capture ({} s, {}/s on average, peak {}/s)",
            fmt_num(secs),
            fmt_num(g.total / secs.max(1e-9)),
            fmt_num(g.peak_rate.unwrap_or(0.0))
        )),
        (Basis::Live, None) => s.push_str(" between samples (times unknown)"),
        // The window and the average lead the summary (`basis_phrase`).
        (Basis::SinceBoot, _) => s.push_str(" since boot"),
        (Basis::Unknown, _) => s.push_str(" since the counters started"),
    }
    s
}

/// The first line of a finding that does not stand on live evidence: what window it covers
/// and that it is not proven current. `None` for live evidence of growth.
pub fn basis_phrase(g: &Growth) -> Option<String> {
    match g.basis {
        Basis::Live if g.total <= 0.0 && g.history.is_some() => {
            Some("Not growing during the capture: this loss happened before it.".to_string())
        }
        Basis::Live => None,
        Basis::SinceBoot => Some(match g.seconds {
            Some(secs) => format!(
                "Since boot, {}: {}/s on average; not proven current.",
                fmt_duration(secs),
                fmt_num(g.total / secs.max(1e-9))
            ),
            None => "Since boot; not proven current.".to_string(),
        }),
        Basis::Unknown => {
            Some("Window unknown (a total since the counters started, no uptime read with it): not proven current.".to_string())
        }
    }
}

/// Rests a finding on a growth: its evidence, total, impact and time basis; for evidence that
/// is not live, its summary leads with what window it covers and how sure that is.
pub fn stand_on(f: &mut crate::finding::Finding, g: &Growth) {
    f.evidence = g.evidence.clone();
    f.total = g.total;
    f.impact = g.impact();
    f.basis = g.basis.label();
    if let Some(p) = basis_phrase(g) {
        f.summary = format!("{p} {}", f.summary);
    }
}

/// "41 days", "5.2 h", "12 min".
pub fn fmt_duration(secs: f64) -> String {
    if secs >= 2.0 * 86_400.0 {
        format!("{} days", fmt_num((secs / 86_400.0).round()))
    } else if secs >= 3600.0 {
        format!("{} h", fmt_num(secs / 3600.0))
    } else if secs >= 120.0 {
        format!("{} min", fmt_num((secs / 60.0).round()))
    } else {
        format!("{} s", fmt_num(secs))
    }
}

/// `ip netns exec NS ` for a device read inside a network namespace.
fn in_netns(iface: &Interface) -> String {
    iface
        .namespace
        .as_deref()
        .map(|ns| format!("ip netns exec {ns} "))
        .unwrap_or_default()
}

/// Two readings of `ip -s -s link` ten seconds apart, in the shape `analyze` reads back as a
/// live interval (each reading after a `date` line).
/// What every two-sample command says after its counters.
const READ_BACK: &str = "Paste the output into one file: analyze reads the two readings as a live interval and gives the rate";

pub fn confirm_ip(iface: &Interface, counters: &str) -> String {
    let (dev, ns) = (&iface.name, in_netns(iface));
    format!(
        "for i in 1 2; do date; {ns}ip -s -s link show {dev}; sleep 10; done   # is {counters} still growing? {READ_BACK}"
    )
}

/// The same for `ethtool -S` (the echoed command names the device for `analyze`).
pub fn confirm_ethtool(iface: &Interface, counters: &str) -> String {
    let (dev, ns) = (&iface.name, in_netns(iface));
    format!(
        "for i in 1 2; do date; echo '# ethtool -S {dev}'; {ns}ethtool -S {dev}; sleep 10; done   # is {counters} still growing? {READ_BACK}"
    )
}

/// The same for `/proc/net/softnet_stat`.
pub fn confirm_softnet(what: &str) -> String {
    format!(
        "for i in 1 2; do date; cat /proc/net/softnet_stat; sleep 10; done   # is {what} still growing? {READ_BACK}"
    )
}

pub fn fmt_count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        fmt_num(v)
    }
}

pub fn fmt_num(v: f64) -> String {
    if v >= 100.0 || v == v.trunc() {
        format!("{:.0}", v)
    } else if v >= 1.0 {
        format!("{:.1}", v)
    } else {
        format!("{:.3}", v)
    }
}

pub fn fmt_pct(r: f64) -> String {
    let p = r * 100.0;
    if p >= 1.0 {
        format!("{p:.1} %")
    } else if p >= 0.01 {
        format!("{p:.2} %")
    } else if p >= 0.0001 {
        format!("{p:.4} %")
    } else {
        "< 0.0001 %".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn iv(kind: IntervalKind, series: &str, secs: Option<f64>, kv: &[(&str, u64)]) -> Interval {
        let deltas: BTreeMap<String, u64> = kv.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let rates = match secs {
            Some(s) if s > 0.0 => deltas
                .iter()
                .map(|(k, v)| (k.clone(), *v as f64 / s))
                .collect(),
            _ => BTreeMap::new(),
        };
        Interval {
            kind,
            series: series.into(),
            start: None,
            end: None,
            start_source: None,
            end_source: series.into(),
            seconds: secs,
            reset: false,
            wrapped: vec![],
            deltas,
            rates,
            merged: 1,
            peak_rates: BTreeMap::new(),
        }
    }

    #[test]
    fn live_growth_uses_one_series_and_ratios_against_traffic() {
        let ivs = vec![
            iv(
                IntervalKind::Interval,
                "ip",
                Some(10.0),
                &[("rx_missed_errors", 50), ("rx_packets", 99_950)],
            ),
            iv(
                IntervalKind::Interval,
                "ip",
                Some(10.0),
                &[("rx_missed_errors", 0), ("rx_packets", 100_000)],
            ),
            iv(
                IntervalKind::Interval,
                "proc",
                Some(10.0),
                &[("rx_missed_errors", 50)],
            ),
        ];
        let g = growth(&ivs, &["rx_missed_errors"], &["rx_packets"]).unwrap();
        assert!(g.live());
        assert_eq!(g.total, 50.0);
        assert_eq!(g.seconds, Some(20.0));
        assert_eq!(g.mean_rate(), Some(2.5));
        // 50 / (199 950 + 50) = 0.025 %
        assert!((g.ratio().unwrap() - 0.00025).abs() < 1e-12);
        assert_eq!(drop_severity(&g), Some(Severity::Warning));
        assert_eq!(g.evidence.len(), 1);
    }

    #[test]
    fn quiet_totals_since_boot_are_info() {
        let ivs = vec![iv(
            IntervalKind::SinceBoot,
            "ip",
            Some(86_400.0),
            &[("rx_missed_errors", 3), ("rx_packets", 1_000_000)],
        )];
        let g = growth(&ivs, &["rx_missed_errors"], &["rx_packets"]).unwrap();
        assert!(!g.live());
        assert_eq!(drop_severity(&g), Some(Severity::Info));
        let big = vec![iv(
            IntervalKind::SinceBoot,
            "ip",
            Some(86_400.0),
            &[("rx_missed_errors", 5_000), ("rx_packets", 1_000_000)],
        )];
        let g = growth(&big, &["rx_missed_errors"], &["rx_packets"]).unwrap();
        // 5000 / 1 005 000 = 0.5 % ≥ 0.1 %, and ≥ 1000: warning, never critical.
        assert_eq!(drop_severity(&g), Some(Severity::Warning));
    }

    #[test]
    fn heavy_live_loss_is_critical_and_tiny_bursts_are_info() {
        let heavy = vec![iv(
            IntervalKind::Interval,
            "c",
            Some(5.0),
            &[("tx_dropped", 32_794), ("tx_packets", 362_086)],
        )];
        assert_eq!(
            drop_severity(&growth(&heavy, &["tx_dropped"], &["tx_packets"]).unwrap()),
            Some(Severity::Critical)
        );
        let tiny = vec![iv(
            IntervalKind::Interval,
            "c",
            Some(5.0),
            &[("tx_dropped", 3), ("tx_packets", 10)],
        )];
        assert_eq!(
            drop_severity(&growth(&tiny, &["tx_dropped"], &["tx_packets"]).unwrap()),
            Some(Severity::Info)
        );
        let none = vec![iv(
            IntervalKind::Interval,
            "c",
            Some(5.0),
            &[("tx_dropped", 0), ("tx_packets", 10)],
        )];
        assert_eq!(
            drop_severity(&growth(&none, &["tx_dropped"], &["tx_packets"]).unwrap()),
            None
        );
    }

    // --- Every severity threshold, just below and at the value (synthetic growths). ---

    /// A growth of `total` events against `traffic` packets over `seconds` on `basis`.
    fn g(basis: Basis, total: f64, traffic: f64, seconds: Option<f64>) -> Growth {
        let mut g = Growth::new(basis);
        g.total = total;
        g.traffic = traffic;
        g.seconds = seconds;
        g
    }

    /// Traffic that puts `total` at exactly `ratio` of (traffic + total).
    fn traffic_for(total: f64, ratio: f64) -> f64 {
        total / ratio - total
    }

    #[test]
    fn live_thresholds_at_and_below_each_value() {
        use Severity::*;
        let sev = |t, tr, s| drop_severity(&g(Basis::Live, t, tr, s));
        // LIVE_MIN_EVENTS = 10: 9 drops is noise even at 50 % of packets; 10 are critical.
        assert_eq!(sev(9.0, 9.0, Some(1.0)), Some(Info));
        assert_eq!(sev(10.0, 10.0, Some(1.0)), Some(Critical));
        assert_eq!(sev(10.0, 1e9, Some(1e9)), Some(Info));
        // LIVE_WARN_RATIO = 1e-4 (rate well below 1/s over 1e6 s).
        let at = traffic_for(100.0, LIVE_WARN_RATIO);
        assert_eq!(sev(100.0, at, Some(1e6)), Some(Warning));
        assert_eq!(sev(100.0, at * 1.01, Some(1e6)), Some(Info));
        // LIVE_WARN_RATE = 1/s (tiny ratio).
        assert_eq!(sev(100.0, 1e12, Some(100.0)), Some(Warning));
        assert_eq!(sev(100.0, 1e12, Some(100.5)), Some(Info));
        // LIVE_CRIT_RATIO = 1 %.
        let crit = traffic_for(1000.0, LIVE_CRIT_RATIO);
        assert_eq!(sev(1000.0, crit, Some(1e6)), Some(Critical));
        assert_eq!(sev(1000.0, crit * 1.01, Some(1e6)), Some(Warning));
        // LIVE_CRIT_RATE = 100/s.
        assert_eq!(sev(10_000.0, 1e12, Some(100.0)), Some(Critical));
        assert_eq!(sev(10_000.0, 1e12, Some(100.5)), Some(Warning));
        // Unknown traffic and unknown times: growth of 10 or more is worth a warning.
        assert_eq!(sev(10.0, 0.0, None), Some(Warning));
        // Nothing grew and nothing was counted before: no finding.
        assert_eq!(sev(0.0, 1e6, Some(10.0)), None);
    }

    #[test]
    fn live_growth_of_zero_over_a_history_is_a_note() {
        let quiet = g(Basis::Live, 0.0, 1e6, Some(300.0)).with_history(Some(19_769_362.0));
        assert_eq!(quiet.history, Some(19_769_362.0));
        assert_eq!(drop_severity(&quiet), Some(Severity::Info));
        assert!(describe(&quiet, "frames").starts_with("no frames during the capture (300 s)"));
        assert!(basis_phrase(&quiet).unwrap().starts_with("Not growing"));
        // History only matters when live growth is zero.
        let growing = g(Basis::Live, 5.0, 1e6, Some(300.0)).with_history(Some(1e9));
        assert_eq!(growing.history, None);
    }

    #[test]
    fn since_boot_thresholds_at_and_below_each_value() {
        use Severity::*;
        let day = Some(86_400.0);
        let sev = |gr: Growth| drop_severity(&gr);
        // BOOT_MIN_EVENTS = 1000 gates everything, even 50 % of packets (`&&`, not `||`).
        assert_eq!(
            sev(g(Basis::SinceBoot, 999.0, 999.0, Some(10.0))),
            Some(Info)
        );
        // BOOT_WARN_RATIO = 0.1 % (rate far below 1/s).
        let at = traffic_for(1000.0, BOOT_WARN_RATIO);
        assert_eq!(sev(g(Basis::SinceBoot, 1000.0, at, day)), Some(Warning));
        assert_eq!(sev(g(Basis::SinceBoot, 1000.0, at * 1.01, day)), Some(Info));
        // BOOT_WARN_RATE = 1/s on average over the uptime (tiny ratio).
        assert_eq!(sev(g(Basis::SinceBoot, 86_400.0, 1e13, day)), Some(Warning));
        assert_eq!(sev(g(Basis::SinceBoot, 86_399.0, 1e13, day)), Some(Info));
        // BOOT_VOLUME_WARN = 100 000 whatever the rate and ratio (a year of uptime).
        let year = Some(365.0 * 86_400.0);
        assert_eq!(
            sev(g(Basis::SinceBoot, 100_000.0, 1e15, year)),
            Some(Warning)
        );
        assert_eq!(sev(g(Basis::SinceBoot, 99_999.0, 1e15, year)), Some(Info));
        // Configuration room turns an otherwise quiet total into a warning…
        let mut roomy = g(Basis::SinceBoot, 1000.0, 1e15, year);
        assert_eq!(sev(roomy.clone()), Some(Info));
        roomy.room = Some("RX ring 256 of 4096".into());
        assert_eq!(sev(roomy.clone()), Some(Warning));
        // …but not below the volume gate, and never critical.
        roomy.total = 999.0;
        assert_eq!(sev(roomy), Some(Info));
        assert_eq!(sev(g(Basis::SinceBoot, 1e9, 1e9, Some(1.0))), Some(Warning));
    }

    #[test]
    fn unknown_window_thresholds_have_no_rate() {
        use Severity::*;
        let sev = |gr: Growth| drop_severity(&gr);
        // No window, so no average rate: 86 400 events of 1e13 packets stay a note.
        assert_eq!(sev(g(Basis::Unknown, 86_400.0, 1e13, None)), Some(Info));
        let at = traffic_for(1000.0, BOOT_WARN_RATIO);
        assert_eq!(sev(g(Basis::Unknown, 1000.0, at, None)), Some(Warning));
        assert_eq!(sev(g(Basis::Unknown, 1000.0, at * 1.01, None)), Some(Info));
        assert_eq!(sev(g(Basis::Unknown, 999.0, 999.0, None)), Some(Info));
        assert_eq!(sev(g(Basis::Unknown, 100_000.0, 1e15, None)), Some(Warning));
        assert_eq!(sev(g(Basis::Unknown, 99_999.0, 1e15, None)), Some(Info));
        // Seed 001: 19 769 362 FIFO errors of 1 242 429 666 624 packets (0.0016 %).
        let seed = g(Basis::Unknown, 19_769_362.0, 1_242_429_666_624.0, None);
        assert_eq!(sev(seed.clone()), Some(Warning));
        assert!(basis_phrase(&seed).unwrap().starts_with("Window unknown"));
        assert!(describe(&seed, "frames").ends_with("since the counters started"));
    }

    #[test]
    fn since_boot_wording_names_the_uptime_and_the_average() {
        // 39.7 million drops over 41 days: 11.2/s.
        let gr = g(
            Basis::SinceBoot,
            39_700_000.0,
            1.3e12,
            Some(41.0 * 86_400.0),
        );
        assert_eq!(
            basis_phrase(&gr).unwrap(),
            "Since boot, 41 days: 11.2/s on average; not proven current."
        );
        assert_eq!(drop_severity(&gr), Some(Severity::Warning));
    }
}
