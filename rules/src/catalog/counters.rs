//! Counter helpers rules share (through `catalog::common`): growth of generic (`ip`,
//! `/proc/net/dev`, ifconfig, sysfs), driver (`ethtool -S`) and per-CPU softnet counters on any
//! time basis, a bond's own share of its counters, and small wording helpers.

use std::collections::BTreeMap;

use super::common::bond_drops_from_backups;
use crate::evidence::{basis_of, describe, growth, Basis, Growth};
use crate::finding::Evidence;
use crate::model::{Host, Interface, InterfaceKind, IntervalKind, SoftnetInterval, Timestamp};

/// One reading of counters: time, source, values.
type Reading<'a> = (Option<Timestamp>, &'a str, &'a BTreeMap<String, u64>);

/// The sum of `keys` in the latest reading holding any of them.
fn latest_total<'a>(
    readings: impl DoubleEndedIterator<Item = Reading<'a>>,
    keys: &[&str],
) -> Option<f64> {
    let (_, _, counters) = readings
        .rev()
        .find(|(_, _, c)| keys.iter().any(|k| c.contains_key(*k)))?;
    Some(keys.iter().filter_map(|k| counters.get(*k)).sum::<u64>() as f64)
}

/// The totals of the latest reading holding any of `keys`, over an unknown window: for series
/// whose readings gave no interval (every step a counter reset, or readings at one instant).
fn latest_snapshot<'a>(
    readings: impl DoubleEndedIterator<Item = Reading<'a>>,
    keys: &[&str],
    traffic: &[&str],
) -> Option<Growth> {
    let (time, source, counters) = readings
        .rev()
        .find(|(_, _, c)| keys.iter().any(|k| c.contains_key(*k)))?;
    let mut g = Growth::new(Basis::Unknown);
    g.traffic = traffic.iter().filter_map(|k| counters.get(*k)).sum::<u64>() as f64;
    for k in keys {
        let Some(&v) = counters.get(*k) else { continue };
        g.total += v as f64;
        if v > 0 {
            g.evidence.push(Evidence {
                source: source.to_string(),
                start: None,
                end: time,
                metric: (*k).to_string(),
                value: Some(v as f64),
                delta: None,
                rate: None,
                basis: "snapshot",
            });
        }
    }
    Some(g)
}

/// Growth of `keys` on an interface's generic counters (ip, /proc/net/dev, ifconfig, sysfs):
/// live intervals, else a since-boot average, else the totals of a single reading over an
/// unknown window. Live growth of zero carries the latest reading's value as its history.
pub(crate) fn counter_growth(iface: &Interface, keys: &[&str], traffic: &[&str]) -> Option<Growth> {
    let readings = || {
        iface
            .samples
            .iter()
            .filter(|s| !s.approximate)
            .map(|s| (s.time, s.source.as_str(), &s.counters))
    };
    match growth(&iface.deltas, keys, traffic) {
        Some(g) => Some(g.with_history(latest_total(readings(), keys))),
        None => latest_snapshot(readings(), keys, traffic),
    }
}

/// The same over `ethtool -S` readings. `traffic` is tried key by key (drivers name their
/// packet counters differently) so that two names of one count are never added up.
pub(crate) fn ethtool_growth(iface: &Interface, keys: &[&str], traffic: &[&str]) -> Option<Growth> {
    let has = |k: &str| iface.ethtool.iter().any(|e| e.stats.contains_key(k));
    let traffic: Vec<&str> = traffic
        .iter()
        .copied()
        .find(|k| has(k))
        .into_iter()
        .collect();
    let readings = || {
        iface
            .ethtool
            .iter()
            .map(|e| (e.time, e.source.as_str(), &e.stats))
    };
    match growth(&iface.ethtool_deltas, keys, &traffic) {
        Some(g) => Some(g.with_history(latest_total(readings(), keys))),
        None => latest_snapshot(readings(), keys, &traffic),
    }
}

/// True when any reading of the interface's generic counters has `key`.
pub(crate) fn has_counter(iface: &Interface, key: &str) -> bool {
    iface.samples.iter().any(|s| s.counters.contains_key(key))
}

/// Slaves of a bond (same namespace).
pub(crate) fn slaves_of<'a>(host: &'a Host, bond: &Interface) -> Vec<&'a Interface> {
    host.interfaces
        .iter()
        .filter(|i| {
            i.master.as_deref() == Some(bond.name.as_str()) && i.namespace == bond.namespace
        })
        .collect()
}

/// Growth of `keys` that belongs to the interface itself. For a bond this is its counters minus
/// its slaves' (the bond folds its slaves' counters into its own), with an evidence item for the
/// slaves' share. `None` for a bond whose drops cannot be told apart from its backup slaves'
/// (slaves read by other means), so that by-design drops never reach a warning.
pub(crate) fn own_growth(
    host: &Host,
    iface: &Interface,
    keys: &[&str],
    traffic: &[&str],
) -> Option<Growth> {
    let mut g = counter_growth(iface, keys, traffic)?;
    if iface.kind != InterfaceKind::Bond {
        return Some(g);
    }
    let slaves = slaves_of(host, iface);
    if slaves.is_empty() {
        return Some(g);
    }
    let Some(share) = slaves_share(&slaves, &g, keys, traffic) else {
        return (!bond_drops_from_backups(host, iface)).then_some(g);
    };
    if share > 0.0 {
        let subtracted = slaves_share_evidence(&g, &slaves, keys, share);
        g.evidence.push(subtracted);
    }
    subtract_slaves_share(&mut g, share);
    Some(g)
}

/// What the slaves' counters add up to on the bond's time basis. `None` when a slave has no
/// reading on that basis: a live delta and a since-boot average cannot be subtracted from
/// each other.
fn slaves_share(
    slaves: &[&Interface],
    bond: &Growth,
    keys: &[&str],
    traffic: &[&str],
) -> Option<f64> {
    let mut share = 0.0;
    let mut comparable = true;
    for s in slaves {
        match counter_growth(s, keys, traffic) {
            Some(sg) if sg.basis == bond.basis => share += sg.total,
            _ => comparable = false,
        }
    }
    comparable.then_some(share)
}

/// The evidence line that shows the reader what was taken off the bond's count, and whose.
fn slaves_share_evidence(
    bond: &Growth,
    slaves: &[&Interface],
    keys: &[&str],
    share: f64,
) -> Evidence {
    let names: Vec<&str> = slaves.iter().map(|s| s.name.as_str()).collect();
    Evidence {
        source: bond
            .evidence
            .first()
            .map(|e| e.source.clone())
            .unwrap_or_default(),
        start: None,
        end: bond.evidence.last().and_then(|e| e.end),
        metric: format!(
            "{} of slaves {} (subtracted)",
            keys.join("+"),
            names.join(", ")
        ),
        value: None,
        delta: Some(share),
        rate: None,
        basis: match bond.basis {
            Basis::Live => "interval",
            Basis::SinceBoot => "since-boot",
            Basis::Unknown => "snapshot",
        },
    }
}

/// Leaves on the bond only what its slaves do not explain.
fn subtract_slaves_share(g: &mut Growth, share: f64) {
    let own = g.total - share;
    // The bond's latest counter value includes its slaves' loss, so it no longer tells what
    // the bond itself lost before the capture.
    if share > 0.0 {
        g.history = None;
    }
    // Counters read a moment apart: a remainder this small is the slaves' own loss.
    g.total = if own <= (share * 1e-4).max(1.0) {
        0.0
    } else {
        own
    };
}

/// `describe` for receive-side counters that `rx_packets` already includes (`rx_dropped`,
/// `rx_nohandler`: the driver counted the frame before the stack dropped it), so the share is
/// drops / packets rather than drops / (packets + drops).
pub(crate) fn describe_included(g: &Growth, what: &str) -> String {
    let plain = Growth {
        traffic: 0.0,
        ..g.clone()
    };
    let mut s = describe(&plain, what);
    if g.traffic > 0.0 {
        let share = (g.total / g.traffic).min(1.0);
        s.push_str(&format!(
            ", {} of the packets received",
            crate::evidence::fmt_pct(share)
        ));
    }
    s
}

/// The other end of a veth pair when it is in the same data (`veth1@veth0`: same namespace,
/// named). `veth1@if5` names an index in another namespace, which is never guessed.
pub(crate) fn veth_peer<'a>(host: &'a Host, iface: &Interface) -> Option<&'a Interface> {
    if iface.kind != InterfaceKind::Veth {
        return None;
    }
    let peer = iface.link_peer.as_deref()?;
    host.interfaces
        .iter()
        .find(|i| i.name == peer && i.namespace == iface.namespace && i.kind == InterfaceKind::Veth)
}

/// " (netns X)" for interfaces read inside a network namespace.
pub(crate) fn netns_note(iface: &Interface) -> String {
    iface
        .namespace
        .as_deref()
        .map(|n| format!(" (network namespace {n})"))
        .unwrap_or_default()
}

/// Growth of one softnet counter per CPU: live intervals (or sar rates) when any, else the
/// since-boot average, else the totals of a single reading over an unknown window. `traffic`
/// (e.g. `processed`) gives the ratio. Live growth of zero carries the CPU's value at the
/// latest reading as its history.
pub fn cpu_growth(host: &Host, key: &str, traffic: &str) -> Vec<(u32, Growth)> {
    let chosen = softnet_intervals(host);
    if chosen.is_empty() {
        return latest_softnet_totals(host, key, traffic);
    }
    let mut per_cpu: BTreeMap<u32, Growth> = BTreeMap::new();
    for d in &chosen {
        add_softnet_interval(&mut per_cpu, d, key, traffic);
    }
    // Loss before a live capture: the CPU's counter at the latest reading.
    if let Some(last) = host.softnet.last() {
        for (cpu, g) in per_cpu.iter_mut() {
            let latest = last
                .cpus
                .iter()
                .find(|c| c.cpu == *cpu)
                .and_then(|c| c.counter(key));
            *g = std::mem::replace(g, Growth::new(Basis::Live))
                .with_history(latest.map(|v| v as f64));
        }
    }
    per_cpu.into_iter().collect()
}

/// The softnet intervals to judge on: one live series (measured intervals before sar's
/// reported rates) when there is one, else the since-boot average, else one snapshot.
fn softnet_intervals(host: &Host) -> Vec<&SoftnetInterval> {
    let live: Vec<_> = host
        .softnet_deltas
        .iter()
        .filter(|d| d.kind.is_live() && !d.reset)
        .collect();
    if live.is_empty() {
        // A since-boot average beats an unknown window.
        let single = |kind| {
            host.softnet_deltas
                .iter()
                .filter(move |d| d.kind == kind)
                .take(1)
        };
        let boot: Vec<_> = single(IntervalKind::SinceBoot).collect();
        return if boot.is_empty() {
            single(IntervalKind::Snapshot).collect()
        } else {
            boot
        };
    }
    // One series: prefer measured intervals over sar's reported rates.
    let series = live
        .iter()
        .find(|d| d.kind == IntervalKind::Interval)
        .unwrap_or(&live[0])
        .series
        .clone();
    live.into_iter().filter(|d| d.series == series).collect()
}

/// Readings that gave no interval (every step a reset, or one instant): the latest reading's
/// totals per CPU, over an unknown window.
fn latest_softnet_totals(host: &Host, key: &str, traffic: &str) -> Vec<(u32, Growth)> {
    let mut per_cpu: BTreeMap<u32, Growth> = BTreeMap::new();
    let Some(last) = host.softnet.last() else {
        return Vec::new();
    };
    for c in &last.cpus {
        let value = |k: &str| c.counter(k).unwrap_or(0) as f64;
        let mut g = Growth::new(Basis::Unknown);
        g.total = value(key);
        g.traffic = value(traffic);
        if g.total > 0.0 {
            g.evidence.push(Evidence {
                source: last.source.clone(),
                start: None,
                end: last.time,
                metric: format!("cpu{} {key}", c.cpu),
                value: Some(g.total),
                delta: None,
                rate: None,
                basis: "snapshot",
            });
        }
        per_cpu.insert(c.cpu, g);
    }
    per_cpu.into_iter().collect()
}

/// Adds one softnet interval's growth of `key` (and `traffic`) to each CPU's total.
fn add_softnet_interval(
    per_cpu: &mut BTreeMap<u32, Growth>,
    d: &SoftnetInterval,
    key: &str,
    traffic: &str,
) {
    let basis = match d.kind {
        IntervalKind::SinceBoot => Basis::SinceBoot,
        IntervalKind::Snapshot => Basis::Unknown,
        _ => Basis::Live,
    };
    let snapshot = d.kind == IntervalKind::Snapshot;
    for c in &d.cpus {
        let amount = |k: &str| match d.kind {
            IntervalKind::Reported => c.rates.get(k).zip(d.seconds).map(|(r, s)| r * s),
            _ => c.deltas.get(k).map(|v| *v as f64),
        };
        let Some(delta) = amount(key) else { continue };
        let g = per_cpu.entry(c.cpu).or_insert_with(|| Growth::new(basis));
        g.total += delta;
        g.traffic += amount(traffic).unwrap_or(0.0);
        if let Some(s) = d.seconds {
            g.seconds = Some(g.seconds.unwrap_or(0.0) + s);
            if s > 0.0 {
                g.peak_rate = Some(g.peak_rate.unwrap_or(0.0).max(delta / s));
            }
        }
        if delta > 0.0 {
            g.windows.push((d.start, d.end));
            g.evidence.push(Evidence {
                source: d.end_source.clone(),
                start: d.start,
                end: d.end,
                metric: format!("cpu{} {key}", c.cpu),
                value: snapshot.then_some(delta),
                delta: (!snapshot).then_some(delta),
                rate: c.rates.get(key).copied(),
                basis: basis_of(d.kind),
            });
        }
    }
}

/// Growth of protocol counters (`keys` summed, nstat names) on one source: live intervals of
/// a repeated capture first, else the since-boot average or unknown-window totals of one
/// reading. `/proc/net/netstat`, `nstat` and `netstat -s` of one archive count the same events,
/// so they are never added: `growth` keeps one series. Live growth of zero carries the latest
/// reading's value as its history.
pub(crate) fn protocol_growth(host: &Host, keys: &[&str], traffic: &[&str]) -> Option<Growth> {
    let readings = || {
        host.protocol
            .samples
            .iter()
            .filter(|s| !s.approximate)
            .map(|s| (s.time, s.source.as_str(), &s.counters))
    };
    match growth(&host.protocol.deltas, keys, traffic) {
        Some(g) => Some(g.with_history(latest_total(readings(), keys))),
        None => latest_snapshot(readings(), keys, traffic),
    }
}

/// Two `nstat` readings ten seconds apart, in the shape `analyze` reads back as a live
/// interval (each reading after a `date` line). `-s` leaves nstat's history file alone.
pub(crate) fn confirm_nstat(counters: &[&str]) -> String {
    format!(
        "for i in 1 2; do date; nstat -asz {}; sleep 10; done   # are they still growing? Paste the output into one file: analyze reads the two readings as a live interval and gives the rate",
        counters.join(" ")
    )
}
