//! `softnet-time-squeeze`: NAPI polling stopped with work left because `netdev_budget` packets
//! or `netdev_budget_usecs` were used up (softnet_stat column 3, knowledge §5.2, §10.5). A
//! squeeze is not a drop: packets waited; drops follow in the ring or the backlog.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "softnet-time-squeeze",
    title: "Network polling ran out of budget or time",
    default_severity: Severity::Warning,
    references: &[
        "Documentation/admin-guide/sysctl/net.rst: netdev_budget, netdev_budget_usecs",
        "RHEL 10 Network troubleshooting and performance tuning §2.5 (softnet_stat column 3)",
    ],
    check,
};

/// The report draws the CPU's softnet `time_squeeze` column.
pub const CHART: Chart = Chart::SoftnetSqueeze;

/// The rates its severity turns on (drawn on its chart).
pub const MARKS: &[Mark] = &[Mark::warning(SQUEEZE_LIVE_WARN_RATE)];

/// Where its findings lie on the packet path. A squeeze ends a NAPI poll early; it drops nothing itself (the ring or backlog may, later).
pub const STAGE: Stage = Stage::rx(StageId::Softnet).without_loss();

fn check(host: &Host) -> Vec<Finding> {
    let budget = sysctl_u64(host, "net.core.netdev_budget");
    let usecs =
        sysctl_u64(host, "net.core.netdev_budget_usecs");
    let mut out = Vec::new();
    for (cpu, mut g) in cpu_growth(host, "time_squeeze", "processed") {
        if g.total <= 0.0 {
            continue;
        }
        let rate = g.mean_rate().unwrap_or(0.0);
        // A squeeze is not a drop: an unknown window (no rate) is never more than a note.
        let warn = match g.basis {
            Basis::Live => rate >= SQUEEZE_LIVE_WARN_RATE,
            Basis::SinceBoot => rate >= SQUEEZE_BOOT_WARN_RATE,
            Basis::Unknown => false,
        };
        let severity = if warn {
            Severity::Warning
        } else {
            Severity::Info
        };
        g.evidence.truncate(12);
        let mut f = RULE.finding(
            severity,
            &format!("cpu{cpu}"),
            format!(
                "CPU {cpu} stopped polling with packets still waiting {} times ({}): the budget of {} packets or {} µs per poll was used up.",
                fmt_count(g.total),
                match g.basis {
                    Basis::Live if g.seconds.is_none() => "between readings; times unknown".to_string(),
                    Basis::Live => format!("{}/s during the capture", fmt_num(rate)),
                    Basis::SinceBoot => "since boot".to_string(),
                    Basis::Unknown => "since the counters started; window unknown".to_string(),
                },
                budget.map_or("?".to_string(), |b| b.to_string()),
                usecs.map_or("?".to_string(), |u| u.to_string())
            ),
        );
        stand_on(&mut f, &g);
        f.remediation = vec![
            double_netdev_budget(host, "; persist in /etc/sysctl.d/"),
            "If one CPU squeezes while others idle, spread receive work first (RSS queues with ethtool -L, IRQ affinity, RPS): a bigger budget only lets one CPU work longer.".to_string(),
        ];
        if !g.live() {
            f.remediation.push(confirm_softnet(&format!(
                "column 3 (time_squeeze) of CPU {cpu}"
            )));
        }
        out.push(f);
    }
    out
}
