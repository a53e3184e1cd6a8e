//! The per-host heat strip of one softnet counter for the "softnet per CPU" data section:
//! CPUs as rows, intervals as columns, per second; per-CPU columns of the since-boot
//! average when only one reading exists.

use std::collections::BTreeSet;

use rules::model::{Host, SoftnetInterval};
use rules::timeline::series_of;

use super::data::{softnet_series, softnet_value};
use super::heat::{render_heat, Heat};
use super::softnet::softnet_since_boot;
use super::time::{clock, comparable, secs, zone, XAxis};

/// Heat strip of one softnet counter (`dropped`, `time_squeeze`, `processed`,
/// `received_rps`, `flow_limit_count`) per CPU (rows) per interval (columns), per second.
/// With only a since-boot reading: per-CPU columns of its average. `None` without softnet
/// data or when the counter never moved (nothing to look at).
pub fn softnet_heatmap(host: &Host, key: &str) -> Option<String> {
    let ivs = softnet_series(host, &[]);
    if ivs.is_empty() {
        return since_boot(host, key);
    }
    let per_second = ivs
        .iter()
        .filter(|d| !d.reset)
        .all(|d| d.seconds.is_some_and(|s| s > 0.0));
    let cpus: BTreeSet<u32> = ivs
        .iter()
        .flat_map(|d| d.cpus.iter().map(|c| c.cpu))
        .collect();
    let axis = comparable(ivs.iter().map(|d| d.end.as_ref())).unwrap_or(XAxis::Index);
    let rows: Vec<(String, Vec<Option<f64>>)> = cpus
        .iter()
        .map(|n| {
            (
                format!("cpu{n}"),
                ivs.iter()
                    .map(|d| softnet_value(d, *n, key, per_second))
                    .collect(),
            )
        })
        .collect();
    let any = rows.iter().any(|r| r.1.iter().flatten().any(|v| *v > 0.0));
    if !any {
        return None;
    }
    let unit = if per_second { "/s" } else { " per interval" };
    render_heat(&Heat {
        kind: "softnet-heat",
        title: format!(
            "softnet {key} per CPU per {}",
            if per_second { "second" } else { "interval" }
        ),
        desc: format!(
            "softnet_stat {key} of {} CPU(s) over {} interval(s).",
            cpus.len(),
            ivs.len()
        ),
        unit: unit.into(),
        per: "interval",
        caption: caption(axis, &ivs),
        scale: None,
        columns: columns(axis, &ivs),
        rows,
    })
}

/// Without intervals: columns of the since-boot reading, when the counter ever moved.
fn since_boot(host: &Host, key: &str) -> Option<String> {
    let any = host.softnet.last().is_some_and(|s| {
        s.cpus.iter().any(|c| match key {
            "dropped" => c.dropped > 0,
            "time_squeeze" => c.time_squeeze > 0,
            _ => true,
        })
    });
    if any {
        softnet_since_boot(host, key, None)
    } else {
        None
    }
}

/// Column labels: the end of each interval, or its sample number.
fn columns(axis: XAxis, ivs: &[&SoftnetInterval]) -> Vec<String> {
    ivs.iter()
        .enumerate()
        .map(|(j, d)| match (axis, d.end.as_ref()) {
            (XAxis::Time { offset }, Some(t)) => clock(secs(t), offset, false),
            _ => format!("#{}", j + 2),
        })
        .collect()
}

/// What a column is: the interval ending at the time shown, in which zone, from where.
fn caption(axis: XAxis, ivs: &[&SoftnetInterval]) -> String {
    match axis {
        XAxis::Time { offset } => format!(
            "column = interval ending at the time shown ({}) · {}",
            zone(offset),
            series_of(&ivs[0].end_source)
        ),
        XAxis::Index => "column = interval ending at sample #n (times not recorded)".into(),
    }
}
