//! `sar -A` text (`sarDD`): interface rates and errors, and per-CPU softirq/steal, over a day.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDateTime;
use rules::model::{CpuSample, CpuUsage, Host, Interval, IntervalKind, SoftnetInterval, Timestamp};
use rules::timeline::{seconds_between, SoftnetCpuDelta};

use regex::Regex;

use super::{fixed_label, re, row, CaptureKind, Kind, Read, Sniff, Start};

pub static SAR: Kind = Kind {
    label: fixed_label!("sar"),
    paths: &[
        row!(Sos, ["sos_commands", "sar"], r"sar\d+", |_, _| Some(
            CaptureKind::Sar
        )),
        row!(Sos, ["var", "log", "sa"], r"sar\d+", |_, _| Some(
            CaptureKind::Sar
        )),
        row!(Sos, ["var", "log", "sysstat"], r"sar\d+", |_, _| Some(
            CaptureKind::Sar
        )),
        row!(Supportconfig, ["sar"], r"sar\d+", |_, _| Some(
            CaptureKind::Sar
        )),
    ],
    // `sar -n EDEV 1 5` or `sar -f sa03 -A` run in a capture log; `sadf` is not text sar.
    argv: Some(|name, _, ns| (name == "sar" && ns.is_none()).then_some(CaptureKind::Sar)),
    // Pasted alone: every sar run prints its banner first.
    sniff: Some(Sniff {
        order: 30,
        test: |h| sar_banner(h.first).then_some(CaptureKind::Sar),
    }),
    starts: &[Start {
        order: 30,
        indented: false,
        test: |line| sar_banner(line).then_some(CaptureKind::Sar),
    }],
    read: Read::Data(|r, c, _| {
        let sar = r.take(parsers::sar::parse(&c.text));
        apply(r.host, sar, r.offset, &c.source);
    }),
};

/// sysstat's banner: `Linux 6.18.44 (vm) \t11/21/26 \t_x86_64_\t(2 CPU)`.
fn sar_banner(line: &str) -> bool {
    static BANNER: OnceLock<Regex> = OnceLock::new();
    let pattern = r"^Linux \S+ \(\S+\)\s+\S+\s+_[A-Za-z0-9_]+_\s+\(\d+ CPU\)\s*$";
    re(&BANNER, pattern).is_match(line)
}

/// sar DEV/EDEV column → counter key, and the factor from the column's unit to the key's.
fn sar_net_key(column: &str) -> Option<(&'static str, f64)> {
    Some(match column {
        "rxpck/s" => ("rx_packets", 1.0),
        "txpck/s" => ("tx_packets", 1.0),
        "rxkB/s" => ("rx_bytes", 1024.0),
        "txkB/s" => ("tx_bytes", 1024.0),
        "rxcmp/s" => ("rx_compressed", 1.0),
        "txcmp/s" => ("tx_compressed", 1.0),
        "rxmcst/s" => ("multicast", 1.0),
        "rxerr/s" => ("rx_errors", 1.0),
        "txerr/s" => ("tx_errors", 1.0),
        "coll/s" => ("collisions", 1.0),
        // sysstat reads /proc/net/dev: its drop/frame/carrier columns are the folded ones.
        "rxdrop/s" => ("proc_rx_drop", 1.0),
        "txdrop/s" => ("tx_dropped", 1.0),
        "txcarr/s" => ("proc_tx_carrier", 1.0),
        "rxfram/s" => ("proc_rx_frame", 1.0),
        "rxfifo/s" => ("rx_fifo_errors", 1.0),
        "txfifo/s" => ("tx_fifo_errors", 1.0),
        _ => return None,
    })
}

fn sar_soft_key(column: &str) -> Option<&'static str> {
    Some(match column {
        "total/s" => "processed",
        "dropd/s" => "dropped",
        "squeezd/s" => "time_squeeze",
        "rx_rps/s" => "received_rps",
        "flw_lim/s" => "flow_limit_count",
        _ => return None,
    })
}

/// sar rates become `reported` intervals ending at each row's time and starting at the
/// previous row's time for the same key (unknown for the first row of a day's file).
fn apply(host: &mut Host, sar: parsers::sar::SarFile, offset: Option<i32>, source: &str) {
    let at = |t: NaiveDateTime| Timestamp::new(t, offset);
    // Interfaces: DEV and EDEV rows of the same time and interface form one interval.
    let mut per_iface: BTreeMap<(String, NaiveDateTime), BTreeMap<String, f64>> = BTreeMap::new();
    for row in sar.dev.iter().chain(&sar.edev) {
        let entry = per_iface.entry((row.key.clone(), row.time)).or_default();
        for (col, v) in &row.values {
            if let Some((key, factor)) = sar_net_key(col) {
                entry.insert(key.to_string(), v * factor);
            }
        }
    }
    let mut prev: BTreeMap<String, NaiveDateTime> = BTreeMap::new();
    for ((iface, time), rates) in per_iface {
        let start = prev
            .insert(iface.clone(), time)
            .filter(|p| *p < time && !restart_between(&sar, *p, time));
        let end = at(time);
        host.interface_mut(&iface, None).deltas.push(Interval {
            kind: IntervalKind::Reported,
            series: source.to_string(),
            start: start.map(at),
            end: Some(end),
            start_source: None,
            end_source: source.to_string(),
            seconds: seconds_between(start.map(at), Some(end)),
            reset: false,
            wrapped: Vec::new(),
            deltas: BTreeMap::new(),
            rates,
            merged: 1,
            peak_rates: BTreeMap::new(),
        });
    }
    // Softnet: one interval per time with every CPU's row.
    let mut soft: BTreeMap<NaiveDateTime, Vec<SoftnetCpuDelta>> = BTreeMap::new();
    for row in &sar.soft {
        let Ok(cpu) = row.key.parse::<u32>() else {
            continue;
        };
        let rates = row
            .values
            .iter()
            .filter_map(|(c, v)| sar_soft_key(c).map(|k| (k.to_string(), *v)))
            .collect();
        soft.entry(row.time).or_default().push(SoftnetCpuDelta {
            cpu,
            deltas: BTreeMap::new(),
            rates,
        });
    }
    let mut last: Option<NaiveDateTime> = None;
    for (time, cpus) in soft {
        let start = last
            .replace(time)
            .filter(|p| !restart_between(&sar, *p, time));
        host.softnet_deltas.push(SoftnetInterval {
            kind: IntervalKind::Reported,
            series: source.to_string(),
            start: start.map(at),
            end: Some(at(time)),
            start_source: None,
            end_source: source.to_string(),
            seconds: seconds_between(start.map(at), Some(at(time))),
            reset: false,
            cpus,
            merged: 1,
        });
    }
    // CPU utilisation: one sample per time.
    let mut cpu: BTreeMap<NaiveDateTime, Vec<CpuUsage>> = BTreeMap::new();
    for row in &sar.cpu {
        let v = |names: &[&str]| names.iter().find_map(|n| row.values.get(*n).copied());
        cpu.entry(row.time).or_default().push(CpuUsage {
            cpu: row.key.clone(),
            us: v(&["%usr", "%user"]),
            sy: v(&["%sys", "%system"]),
            ni: v(&["%nice"]),
            id: v(&["%idle"]),
            wa: v(&["%iowait"]),
            hi: v(&["%irq"]),
            si: v(&["%soft"]),
            st: v(&["%steal"]),
        });
    }
    for (time, cpus) in cpu {
        host.cpu.push(CpuSample {
            time: Some(at(time)),
            source: source.to_string(),
            first_iteration: false,
            cpus,
            processes: Vec::new(),
            represents: 1,
        });
    }
}

fn restart_between(sar: &parsers::sar::SarFile, a: NaiveDateTime, b: NaiveDateTime) -> bool {
    sar.restarts.iter().any(|r| *r > a && *r <= b)
}
