//! Which chart a finding gets: the per-rule selection behind [`for_finding`], with the
//! fallbacks (timeline series, then the evidence's own steps, then bars) for every rule
//! without a chart of its own.

use rules::catalog::{chart_of, Chart};
use rules::finding::Finding;
use rules::model::Host;

use super::evidence_bars::evidence_bars;
use super::evidence_steps::evidence_steps;
use super::interface::interface_chart;
use super::ipvs::ipvs_chart;
use super::softirq::softirq_chart;
use super::softnet::softnet_chart;
use super::steal::steal_chart;

/// The chart of one finding, drawn from the host's timeline, or `None` when the data holds
/// nothing to draw.
///
/// * Interface rules (`tap-tx-drop`, `nic-rx-ring-overflow`, `tx-queue-drop`, `nic-phy-errors`,
///   `rx-dropped-unhandled`, `bond-backup-slave-drops`, `cloud-allowance-exceeded`, and any
///   rule whose subject is an interface): per-second rates of the finding's counters over
///   every interval of the series the evidence came from (`deltas` or `ethtool_deltas`,
///   including the quiet intervals), a step line per counter on a time axis (sample numbers
///   when times are unknown, then "per interval" when no rate exists). `tap-tx-drop` adds
///   CPU steal % (from `top`/`sar`) on a right axis over the same time window.
/// * `softnet-backlog-drop` / `softnet-time-squeeze`: that CPU's `dropped` / `time_squeeze`
///   per second over the softnet intervals, the other CPUs as faint lines.
/// * `cpu-steal`: steal % per `top`/`sar` frame, one line per source, warning and critical
///   thresholds marked; a single reading is a bar.
/// * `softirq-single-cpu`: `si` % per frame of the hot CPU against each other CPU (faint);
///   without per-CPU frames, NET_RX softirqs (or NIC queue interrupts) per second per CPU as
///   columns, since boot when only one reading exists.
/// * `ipvs-conn-table-small`: bars of connections against hash buckets (`size=`).
/// * Any finding whose evidence is only since boot or a single snapshot: one bar per counter
///   (the since-boot rate when the uptime is known, else the total), never a line.
pub fn for_finding(host: &Host, finding: &Finding) -> Option<String> {
    // Each rule declares its chart (`rules::catalog::chart_of`): no rule id is named here.
    match chart_of(finding.rule) {
        Chart::Steal => steal_chart(host, finding),
        Chart::SoftnetDropped => softnet_chart(host, finding, "dropped"),
        Chart::SoftnetSqueeze => softnet_chart(host, finding, "time_squeeze"),
        Chart::Softirq => softirq_chart(host, finding),
        Chart::Ipvs => ipvs_chart(finding),
        Chart::Counters => interface_chart(host, finding)
            .or_else(|| evidence_steps(finding))
            .or_else(|| evidence_bars(finding)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{
        at, cpu_frame, finding_of, polylines, quiet_tap_finding, tap_host, well_formed,
    };
    use crate::render::charts::{cpu_per_sample, cpu_si_heatmap, for_finding, softnet_heatmap};
    use rules::model::Host;

    #[test]
    fn charts_are_deterministic() {
        let mut host = tap_host("tap0", &[0, 5, 40_000, 90_000]);
        host.cpu.push(cpu_frame(at(5), 1, 30.0, &[80.0, 2.0, 1.0]));
        host.cpu.push(cpu_frame(at(10), 2, 35.0, &[85.0, 1.0, 2.0]));
        for f in rules::catalog::run(&host) {
            let a = for_finding(&host, &f);
            assert!(a.is_some(), "{}", f.rule);
            assert_eq!(a, for_finding(&host, &f));
        }
        assert_eq!(cpu_per_sample(&host), cpu_per_sample(&host));
        assert_eq!(cpu_si_heatmap(&host), cpu_si_heatmap(&host));
    }

    #[test]
    fn one_quiet_interval_is_a_labelled_dot_not_a_flat_line() {
        // One interval, zero rates: a flat line would pass for a trend.
        let host = tap_host("tap0", &[7, 7]);
        let svg = for_finding(&host, &quiet_tap_finding()).unwrap();
        well_formed(&svg);
        assert!(polylines(&svg).is_empty(), "{svg}");
        assert_eq!(svg.matches("class=\"one-interval\"").count(), 1);
        assert!(svg.contains(">one interval: 0/s<"));
        assert!(svg.contains("tx_dropped — one interval: 0/s"));
        // One interval of 1000 drops in 5 s: the dot says 200/s.
        let host = tap_host("tap0", &[0, 1000]);
        let f = finding_of(&host, "tap-tx-drop");
        let svg = for_finding(&host, &f).unwrap();
        assert!(polylines(&svg).is_empty() && svg.contains(">one interval: 200/s<"));
    }

    #[test]
    fn an_empty_host_draws_only_what_the_evidence_holds() {
        let f = quiet_tap_finding();
        let empty = Host::new("e");
        assert!(for_finding(&empty, &f).is_some()); // falls back to the evidence itself
        let mut bare = f.clone();
        bare.evidence.clear();
        assert!(for_finding(&empty, &bare).is_none());
        for rule in [
            "cpu-steal",
            "softnet-backlog-drop",
            "softirq-single-cpu",
            "ipvs-conn-table-small",
        ] {
            let mut g = bare.clone();
            g.rule = rule;
            g.subject = "cpu0".into();
            assert!(for_finding(&empty, &g).is_none(), "{rule}");
        }
        assert!(softnet_heatmap(&empty, "dropped").is_none());
        assert!(cpu_si_heatmap(&empty).is_none());
        assert!(cpu_per_sample(&empty).is_none());
    }

    #[test]
    fn undated_samples_are_numbered_per_interval() {
        let mut undated = tap_host("tap0", &[0, 100, 300]);
        for s in &mut undated.interfaces[0].samples {
            s.time = None;
        }
        rules::timeline::compute(&mut undated);
        let f = finding_of(&undated, "tap-tx-drop");
        let svg = for_finding(&undated, &f).unwrap();
        well_formed(&svg);
        assert!(
            svg.contains("sample number") && svg.contains("per interval"),
            "{svg}"
        );
        assert_eq!(polylines(&svg), vec![4]);
    }
}
