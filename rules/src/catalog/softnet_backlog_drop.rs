//! `softnet-backlog-drop`: a CPU's input backlog was full (softnet_stat column 2, knowledge
//! §5.2, §10.6). Only packets that pass the per-CPU backlog (RPS-steered, netif_rx users such
//! as veth/tun and non-NAPI drivers) can be dropped here; the same drop also counts in the
//! device's `rx_dropped`.

use crate::catalog::sysctl;
use crate::evidence::{describe, drop_severity, Growth};
use crate::finding::{Evidence, Finding, Rule, Severity};
use crate::model::{Host, IntervalKind};

pub static RULE: Rule = Rule {
    id: "softnet-backlog-drop",
    title: "A CPU's network backlog overflowed",
    default_severity: Severity::Warning,
    references: &[
        "Documentation/admin-guide/sysctl/net.rst: netdev_max_backlog",
        "RHEL 10 Network troubleshooting and performance tuning §1.3 (softnet_stat column 2)",
    ],
    check,
};

/// Growth of one softnet counter per CPU: live intervals (or sar rates) when any, else the
/// since-boot average. `traffic` (e.g. `processed`) gives the ratio.
pub fn cpu_growth(host: &Host, key: &str, traffic: &str) -> Vec<(u32, Growth)> {
    let live: Vec<_> = host
        .softnet_deltas
        .iter()
        .filter(|d| d.kind != IntervalKind::SinceBoot && !d.reset)
        .collect();
    let chosen: Vec<_> = if live.is_empty() {
        host.softnet_deltas
            .iter()
            .filter(|d| d.kind == IntervalKind::SinceBoot)
            .take(1)
            .collect()
    } else {
        // One series: prefer measured intervals over sar's reported rates.
        let series = live
            .iter()
            .find(|d| d.kind == IntervalKind::Interval)
            .unwrap_or(&live[0])
            .series
            .clone();
        live.into_iter().filter(|d| d.series == series).collect()
    };
    let mut per_cpu: std::collections::BTreeMap<u32, Growth> = Default::default();
    for d in &chosen {
        let basis = match d.kind {
            IntervalKind::Interval => "interval",
            IntervalKind::SinceBoot => "since-boot",
            IntervalKind::Reported => "reported",
        };
        for c in &d.cpus {
            let amount = |k: &str| match d.kind {
                IntervalKind::Reported => c.rates.get(k).zip(d.seconds).map(|(r, s)| r * s),
                _ => c.deltas.get(k).map(|v| *v as f64),
            };
            let Some(delta) = amount(key) else { continue };
            let g = per_cpu.entry(c.cpu).or_insert_with(|| Growth {
                live: d.kind != IntervalKind::SinceBoot,
                total: 0.0,
                traffic: 0.0,
                seconds: None,
                peak_rate: None,
                evidence: Vec::new(),
                windows: Vec::new(),
            });
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
                    value: None,
                    delta: Some(delta),
                    rate: c.rates.get(key).copied(),
                    basis,
                });
            }
        }
    }
    per_cpu.into_iter().collect()
}

fn check(host: &Host) -> Vec<Finding> {
    let backlog =
        sysctl(host, "net.core.netdev_max_backlog").and_then(|v| v.trim().parse::<u64>().ok());
    let mut out = Vec::new();
    for (cpu, mut g) in cpu_growth(host, "dropped", "processed") {
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        g.evidence.truncate(12);
        let mut f = RULE.finding(
            severity,
            &format!("cpu{cpu}"),
            format!(
                "CPU {cpu} dropped {} because its input backlog (net.core.netdev_max_backlog = {}) was full.",
                describe(&g, "packets"),
                backlog.map_or("unknown".to_string(), |b| b.to_string())
            ),
        );
        f.impact = g.impact();
        f.evidence = g.evidence;
        f.remediation = vec![
            format!(
                "sysctl -w net.core.netdev_max_backlog={}   # now {}; persist in /etc/sysctl.d/90-netdev.conf",
                backlog.unwrap_or(1000) * 2,
                backlog.map_or("unknown (default 1000)".to_string(), |b| b.to_string())
            ),
            "grep . /sys/class/net/*/queues/rx-*/rps_cpus   # check RPS steering: one CPU receiving every flow fills its backlog; spread the mask over more CPUs".to_string(),
            "sysctl net.core.flow_limit_cpu_bitmap net.core.flow_limit_table_len   # with RPS, a few elephant flows can be limited so they do not fill the backlog for everyone".to_string(),
        ];
        out.push(f);
    }
    out
}
