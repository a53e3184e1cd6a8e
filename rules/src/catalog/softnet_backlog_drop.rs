//! `softnet-backlog-drop`: a CPU's input backlog was full (softnet_stat column 2, knowledge
//! §5.2, §10.6). Only packets that pass the per-CPU backlog (RPS-steered, netif_rx users such
//! as veth/tun and non-NAPI drivers) can be dropped here; the same drop also counts in the
//! device's `rx_dropped`.

use super::common::*;

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

/// The report draws the CPU's softnet `dropped` column.
pub const CHART: Chart = Chart::SoftnetDropped;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. The per-CPU backlog was full.
pub const STAGE: Stage = Stage::rx(StageId::Softnet);

fn check(host: &Host) -> Vec<Finding> {
    let backlog =
        sysctl_u64(host, "net.core.netdev_max_backlog");
    let mut out = Vec::new();
    for (cpu, mut g) in cpu_growth(host, "dropped", "processed") {
        g.room = backlog
            .filter(|b| *b <= DEFAULT_NETDEV_MAX_BACKLOG)
            .map(|b| format!("net.core.netdev_max_backlog is {b}, the default"));
        let Some(severity) = drop_severity(&g) else {
            continue;
        };
        g.evidence.truncate(12);
        let mut f = RULE.finding(
            severity,
            &format!("cpu{cpu}"),
            format!(
                "CPU {cpu} dropped {} because its input backlog (net.core.netdev_max_backlog{}) was full.",
                describe(&g, "packets"),
                backlog.map_or(", not in the data; kernel default 1000".to_string(), |b| format!(" = {b}"))
            ),
        );
        stand_on(&mut f, &g);
        f.remediation = vec![
            format!(
                "sysctl -w net.core.netdev_max_backlog={}   # {}; persist in /etc/sysctl.d/90-netdev.conf",
                backlog.unwrap_or(1000) * 2,
                now_or_default(&[("net.core.netdev_max_backlog", backlog, 1000)])
            ),
            "grep . /sys/class/net/*/queues/rx-*/rps_cpus   # check RPS steering: one CPU receiving every flow fills its backlog; spread the mask over more CPUs".to_string(),
            "sysctl net.core.flow_limit_cpu_bitmap net.core.flow_limit_table_len   # with RPS, a few elephant flows can be limited so they do not fill the backlog for everyone".to_string(),
        ];
        if !g.live() {
            f.remediation
                .push(confirm_softnet(&format!("column 2 (dropped) of CPU {cpu}")));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::{SoftnetCpu, SoftnetSample};
    use crate::test_support::at;

    /// One softnet reading of two CPUs at the sosreport's collection time, 41 days of uptime.
    fn host(dropped: u64, backlog: Option<&str>, uptime: Option<u64>) -> Host {
        let at = at(0);
        let mut host = Host::new("h");
        host.collected_at = at;
        host.uptime_seconds = uptime;
        if let Some(b) = backlog {
            host.sysctl
                .insert("net.core.netdev_max_backlog".into(), b.into());
        }
        let cpu = |cpu, dropped| SoftnetCpu {
            cpu,
            processed: 9_000_000_000,
            dropped,
            time_squeeze: 0,
            received_rps: None,
            flow_limit_count: None,
            backlog_len: None,
        };
        host.softnet.push(SoftnetSample {
            time: at,
            source: "proc/net/softnet_stat".into(),
            cpu_ids_exact: true,
            cpus: vec![cpu(0, 0), cpu(1, dropped)],
        });
        crate::timeline::compute(&mut host);
        host
    }

    #[test]
    fn a_default_backlog_with_drops_since_boot_is_a_warning() {
        // 76 878 drops on cpu1 over 41 days (0.02/s, 0.0009 % of processed): a warning only
        // because netdev_max_backlog is at its default of 1000 (room to grow).
        let f = check(&host(76_878, Some("1000"), Some(41 * 86_400)));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject, "cpu1");
        assert_eq!(f[0].basis, "since-boot");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0]
            .summary
            .starts_with("Since boot, 41 days: 0.022/s on average"));
        assert!(f[0].remediation[0].starts_with("sysctl -w net.core.netdev_max_backlog=2000"));
        assert!(f[0]
            .remediation
            .last()
            .unwrap()
            .contains("cat /proc/net/softnet_stat"));
        // Raised already: the same total is a note.
        let f = check(&host(76_878, Some("10000"), Some(41 * 86_400)));
        assert_eq!(f[0].severity, Severity::Info);
        // A few hundred drops on a default backlog stay a note.
        let f = check(&host(300, Some("1000"), Some(41 * 86_400)));
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn without_uptime_the_window_is_unknown() {
        let f = check(&host(76_878, Some("1000"), None));
        assert_eq!(f[0].basis, "unknown-window");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].summary.starts_with("Window unknown"));
        assert!(check(&host(0, Some("1000"), None)).is_empty());
    }
}
