//! `cpu-steal`: the hypervisor takes CPU time from this guest (top `st`, sar `%steal`).
//! Knowledge §8.2 (`st`: "time stolen from this vm by the hypervisor") and §10.9.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "cpu-steal",
    title: "The hypervisor is stealing CPU time from this guest",
    default_severity: Severity::Warning,
    references: &[
        "man top(1): st, time stolen from this vm by the hypervisor",
        "RHEL 7 Virtualization Tuning and Optimization Guide: vCPU pinning and overcommit",
    ],
    check,
};

/// The report draws per-CPU steal over the frames.
pub const CHART: Chart = Chart::Steal;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. Stolen time is taken from the guest's softirq work: it drains its rings and backlog late. It counts no packets.
pub const STAGE: Stage = Stage::rx(StageId::Softnet).without_loss();

/// The summary line's steal (`all`), else the mean over the per-CPU lines.
fn steal_of(sample: &CpuSample) -> Option<f64> {
    if let Some(all) = sample
        .cpus
        .iter()
        .find(|c| c.cpu == "all")
        .and_then(|c| c.st)
    {
        return Some(all);
    }
    let per: Vec<f64> = sample.cpus.iter().filter_map(|c| c.st).collect();
    (!per.is_empty()).then(|| per.iter().sum::<f64>() / per.len() as f64)
}

fn check(host: &Host) -> Vec<Finding> {
    let (readings, first_only) = steal_readings(host);
    if readings.is_empty() {
        return Vec::new();
    }
    let mean = readings.iter().map(|r| r.1).sum::<f64>() / readings.len() as f64;
    let peak = readings.iter().map(|r| r.1).fold(0.0, f64::max);
    let high = readings.iter().filter(|r| r.1 >= STEAL_WARN_PCT).count();
    let Some(severity) = severity(mean, peak, high, first_only) else {
        return Vec::new();
    };
    let mut f = RULE.finding(
        severity,
        "host",
        format!(
            "The hypervisor took {} % of this guest's CPU on average (peak {} %) over {} reading(s); {} of them at or above {} %.{}",
            fmt_num(mean),
            fmt_num(peak),
            readings.len(),
            high,
            fmt_num(STEAL_WARN_PCT),
            if first_only { " Only first frames of top runs were available, which are not a true interval." } else { "" }
        ),
    );
    f.impact = mean;
    f.evidence = highest_readings(&readings);
    f.remediation = vec![
        "On the hypervisor: reduce CPU overcommit for this guest (fewer busy vCPUs per pCPU), or move it to a less loaded host.".to_string(),
        "Pin the guest's vCPUs to dedicated pCPUs (`virsh vcpupin <domain> <vcpu> <pcpu>`, or a dedicated CPU policy in OpenStack/VMware) and keep other busy processes off them.".to_string(),
        "In the cloud: a larger instance type or one without CPU credits/bursting removes steal caused by neighbours.".to_string(),
    ];
    vec![f]
}

/// Every reading's steal, and whether they are all first frames of top runs.
fn steal_readings(host: &Host) -> (Vec<(&CpuSample, f64)>, bool) {
    // First frames of a top run are not a real interval; use them only when nothing else exists.
    let measured: Vec<&CpuSample> = host.cpu.iter().filter(|s| !s.first_iteration).collect();
    let (samples, first_only) = if measured.iter().any(|s| steal_of(s).is_some()) {
        (measured, false)
    } else {
        (host.cpu.iter().collect(), true)
    };
    let readings = samples
        .iter()
        .filter_map(|s| steal_of(s).map(|st| (*s, st)))
        .collect();
    (readings, first_only)
}

/// Critical only when steal is high on average and at its peak, and measured over real
/// intervals (a top run's first frame is not one); a warning for a high peak that is either
/// sustained on average or seen more than once, so that one spike stays information.
fn severity(mean: f64, peak: f64, high: usize, first_only: bool) -> Option<Severity> {
    if peak >= STEAL_CRIT_PCT && mean >= STEAL_WARN_PCT && !first_only {
        Some(Severity::Critical)
    } else if peak >= STEAL_WARN_PCT && (mean >= STEAL_WARN_PCT || high >= 2) {
        Some(Severity::Warning)
    } else if peak > 0.0 {
        Some(Severity::Info)
    } else {
        None
    }
}

/// The (at most 12) readings with the most steal, in time order: enough to show when it
/// happened without listing every frame of a long capture.
fn highest_readings(readings: &[(&CpuSample, f64)]) -> Vec<Evidence> {
    let mut by_steal = readings.to_vec();
    by_steal.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_steal.truncate(12);
    by_steal.sort_by(|a, b| cmp_time(&a.0.time, &b.0.time));
    by_steal
        .iter()
        .map(|(s, st)| Evidence {
            source: s.source.clone(),
            start: None,
            end: s.time,
            metric: "st %".into(),
            value: Some(*st),
            delta: None,
            rate: None,
            basis: "snapshot",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::test_support::assert_any_contains;
    use super::*;
    use crate::model::CpuUsage;

    fn sample(st: f64, first: bool, line: usize) -> CpuSample {
        CpuSample {
            time: None,
            source: format!("top.log:{line}"),
            first_iteration: first,
            cpus: vec![CpuUsage {
                cpu: "all".into(),
                us: Some(7.0),
                sy: Some(27.5),
                ni: None,
                id: Some(0.0),
                wa: None,
                hi: None,
                si: Some(20.2),
                st: Some(st),
            }],
            processes: Vec::new(),
            represents: 1,
        }
    }

    #[test]
    fn sustained_steal_is_critical_and_evidenced() {
        // Synthetic: seed 000's guest `top` showed 45.4 st; three measured frames like it.
        let mut host = Host::new("g");
        host.cpu = vec![
            sample(0.0, true, 1),
            sample(45.4, false, 20),
            sample(40.0, false, 40),
            sample(38.0, false, 60),
        ];
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].evidence.len(), 3);
        assert_any_contains(&f[0].remediation, "vcpupin");
    }

    #[test]
    fn a_single_first_frame_is_at_most_a_warning_and_low_steal_is_quiet() {
        let mut host = Host::new("g");
        host.cpu = vec![sample(45.4, true, 1)];
        assert_eq!(check(&host)[0].severity, Severity::Warning);
        host.cpu = vec![sample(0.3, false, 1), sample(0.5, false, 2)];
        assert_eq!(check(&host)[0].severity, Severity::Info);
        host.cpu = vec![sample(0.0, false, 1)];
        assert!(check(&host).is_empty());
    }
}
