//! `cloud-allowance-exceeded`: the cloud hypervisor shaped this instance's traffic (AWS ENA
//! `*_allowance_exceeded` counters of `ethtool -S`, knowledge §10.9). The packets were queued
//! or dropped outside the guest, so no guest tuning helps: the remedy is the instance size or
//! spreading the traffic.
//!
//! Growth during the capture is judged by rate (≥ `CLOUD_ALLOWANCE_CRIT_RATE`/s critical, any
//! growth a warning); a single reading (counts since the driver loaded) is a warning when any
//! counter is non-zero; counts that did not grow while the capture watched them are history.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "cloud-allowance-exceeded",
    title: "The cloud hypervisor shaped this instance's traffic",
    default_severity: Severity::Warning,
    references: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html (bw_in/bw_out/pps/conntrack/linklocal_allowance_exceeded)",
        "https://aws.amazon.com/blogs/networking-and-content-delivery/amazon-ec2-instance-level-network-performance-metrics-uncover-new-insights/",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart).
pub const MARKS: &[Mark] = &[Mark::critical(CLOUD_ALLOWANCE_CRIT_RATE)];

/// Where its findings lie on the packet path. The hypervisor shapes the instance at its NIC (both directions; listed on the receive path).
pub const STAGE: Stage = Stage::rx(StageId::Nic);

/// What each allowance is, and what to do about it.
fn allowance(key: &str) -> (&'static str, &'static str) {
    match key {
        "bw_in_allowance_exceeded" => (
            "inbound bandwidth",
            "the instance's aggregate inbound bandwidth allowance: move to a larger or network-optimized instance type, or spread the inbound traffic over more instances",
        ),
        "bw_out_allowance_exceeded" => (
            "outbound bandwidth",
            "the instance's aggregate outbound bandwidth allowance: move to a larger or network-optimized instance type, or spread the outbound traffic over more instances",
        ),
        "pps_allowance_exceeded" => (
            "packets per second",
            "the instance's bidirectional packets-per-second allowance (enforced apart from bandwidth): move to a larger instance type, send fewer and larger packets (batching, jumbo frames inside the VPC), or spread the flows over more instances",
        ),
        "conntrack_allowance_exceeded" => (
            "connection tracking",
            "the instance's tracked-connection allowance (security groups track connections; new ones could not be established): move to a larger instance type, make high-volume flows untracked (security group rules that allow all traffic both ways are not tracked), shorten idle connection timeouts; watch conntrack_allowance_available",
        ),
        "linklocal_allowance_exceeded" => (
            "link-local services",
            "the per-interface packets-per-second allowance to link-local services (Amazon DNS resolver, Instance Metadata Service, Time Sync): cache DNS answers locally (systemd-resolved, nscd, dnsmasq), poll the metadata service less often",
        ),
        _ => ("an allowance", "a hypervisor allowance of this instance: check the instance type's network limits"),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn allowance_keys(iface: &Interface) -> Vec<String> {
    let mut keys: Vec<String> = iface
        .ethtool
        .iter()
        .flat_map(|e| e.stats.keys())
        .filter(|k| k.ends_with("_allowance_exceeded"))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Growth between `ethtool -S` readings taken during the capture (no since-boot averages).
fn live_growth(iface: &Interface, key: &str) -> Option<Growth> {
    let live: Vec<_> = iface
        .ethtool_deltas
        .iter()
        .filter(|iv| iv.kind.is_live())
        .cloned()
        .collect();
    growth(&live, &[key], &[]).filter(|g| g.live())
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in host.interfaces.iter().filter(|i| !quiet_interface(i)) {
        let Some(mut f) = judge(host, iface) else {
            continue;
        };
        add_general_remediation(&mut f, iface);
        out.push(f);
    }
    out
}

/// One interface's finding, if any. Live growth decides when the capture watched the counters
/// (still or not); only without it does a single reading's since-load count speak.
fn judge(host: &Host, iface: &Interface) -> Option<Finding> {
    let keys = allowance_keys(iface);
    if keys.is_empty() {
        return None;
    }
    let latest = iface
        .ethtool
        .iter()
        .rev()
        .find(|e| keys.iter().any(|k| e.stats.contains_key(k)))?;
    let lives: Vec<(&String, Growth)> = keys
        .iter()
        .filter_map(|k| Some((k, live_growth(iface, k)?)))
        .collect();
    if lives.is_empty() {
        return snapshot(host, iface, &keys, latest);
    }
    let growing: Vec<&(&String, Growth)> = lives.iter().filter(|(_, g)| g.total > 0.0).collect();
    if growing.is_empty() {
        history(iface, &keys, latest)
    } else {
        Some(shaped_during_capture(iface, growing))
    }
}

/// Allowances that grew while the capture watched: critical at `CLOUD_ALLOWANCE_CRIT_RATE`/s
/// on any one of them, else a warning. Largest growth first, as that is the limit to lift.
fn shaped_during_capture(iface: &Interface, mut growing: Vec<&(&String, Growth)>) -> Finding {
    let crit = growing.iter().any(|(_, g)| {
        g.mean_rate()
            .is_some_and(|r| r >= CLOUD_ALLOWANCE_CRIT_RATE)
    });
    let severity = if crit {
        Severity::Critical
    } else {
        Severity::Warning
    };
    growing.sort_by(|a, b| b.1.total.total_cmp(&a.1.total).then(a.0.cmp(b.0)));
    let phrases: Vec<String> = growing.iter().map(|(k, g)| growth_phrase(k, g)).collect();
    let names: Vec<&str> = growing.iter().map(|(k, _)| allowance(k).0).collect();
    let mut f = RULE.finding(
        severity,
        &iface.name,
        format!(
            "The hypervisor shaped {}'s traffic during the capture: {}. Those packets were queued or dropped outside the guest, at the instance's {} {}.",
            iface.name,
            phrases.join("; "),
            join_and(&names),
            if names.len() == 1 { "allowance" } else { "allowances" }
        ),
    );
    f.impact = growing.iter().map(|(_, g)| g.impact()).sum();
    // Packets shaped during the capture: what the packet path adds up for the NIC stage.
    f.total = growing.iter().map(|(_, g)| g.total).sum();
    for (_, g) in &growing {
        f.evidence.extend(g.evidence.iter().cloned());
    }
    for (k, _) in &growing {
        f.remediation.push(format!("{k}: {}", allowance(k).1));
    }
    f
}

/// "`key` grew by N in S s (R/s, peak P/s)", or "between readings" when the readings had no
/// time to give a pace.
fn growth_phrase(key: &str, g: &Growth) -> String {
    let pace = match (g.seconds, g.mean_rate()) {
        (Some(secs), Some(rate)) => format!(
            " in {} s ({}/s, peak {}/s)",
            fmt_num(secs),
            fmt_num(rate),
            fmt_num(g.peak_rate.unwrap_or(rate))
        ),
        _ => " between readings".to_string(),
    };
    format!("{key} grew by {}{pace}", fmt_count(g.total))
}

/// Advice every finding of this rule ends with, whatever the allowance: the limit is outside
/// the guest, and repeated readings tell whether it is still being hit.
fn add_general_remediation(f: &mut Finding, iface: &Interface) {
    f.remediation.push(
        "Tuning the guest (rings, queues, sysctls) will not help: the hypervisor enforces these limits per instance (or per interface for link-local traffic); compare the traffic with the instance type's documented network performance.".to_string(),
    );
    f.remediation.push(format!(
        "ethtool -S {} | grep allowance   # repeat over time: counters that keep growing mean the shaping is happening now",
        iface.name
    ));
}

/// The allowance counters the latest reading holds above zero, and how a summary lists them
/// (`bw_in_allowance_exceeded 120, pps_allowance_exceeded 4`); `None` when all are zero.
fn nonzero_counts<'a>(
    keys: &'a [String],
    latest: &EthtoolSample,
) -> Option<(Vec<(&'a String, u64)>, String)> {
    let nonzero: Vec<(&String, u64)> = keys
        .iter()
        .filter_map(|k| Some((k, *latest.stats.get(k)?)))
        .filter(|(_, v)| *v > 0)
        .collect();
    if nonzero.is_empty() {
        return None;
    }
    let phrases: Vec<String> = nonzero
        .iter()
        .map(|(k, v)| format!("{k} {}", fmt_count(*v as f64)))
        .collect();
    Some((nonzero, phrases.join(", ")))
}

/// One counter's value in the latest reading, as evidence: since the driver loaded, with no
/// delta or rate (the caller adds what it knows).
fn reading(latest: &EthtoolSample, key: &str, value: u64) -> Evidence {
    Evidence {
        source: latest.source.clone(),
        start: None,
        end: latest.time,
        metric: key.to_string(),
        value: Some(value as f64),
        delta: None,
        rate: None,
        basis: "since-boot",
    }
}

/// Non-zero counts since the driver loaded, in a single reading: warning.
fn snapshot(
    host: &Host,
    iface: &Interface,
    keys: &[String],
    latest: &EthtoolSample,
) -> Option<Finding> {
    let (nonzero, phrases) = nonzero_counts(keys, latest)?;
    let uptime = host.uptime_seconds.filter(|u| *u > 0).map(|u| u as f64);
    let names: Vec<&str> = nonzero.iter().map(|(k, _)| allowance(k).0).collect();
    let mut f = RULE.finding(
        Severity::Warning,
        &iface.name,
        format!(
            "The hypervisor shaped {}'s traffic at the {} {} since the driver loaded ({}{}); a single reading cannot say whether it is still happening.",
            iface.name,
            join_and(&names),
            if names.len() == 1 { "allowance" } else { "allowances" },
            phrases,
            uptime.map(|u| format!(", over {} h of uptime", fmt_num(u / 3600.0))).unwrap_or_default()
        ),
    );
    f.basis = if uptime.is_some() {
        "since-boot"
    } else {
        "unknown-window"
    };
    f.total = nonzero.iter().map(|(_, v)| *v as f64).sum();
    for (k, v) in &nonzero {
        f.evidence.push(Evidence {
            rate: uptime.map(|u| (*v as f64 / u * 1e6).round() / 1e6),
            basis: if uptime.is_some() {
                "since-boot"
            } else {
                "snapshot"
            },
            ..reading(latest, k, *v)
        });
        f.remediation.push(format!("{k}: {}", allowance(k).1));
    }
    Some(f)
}

/// Non-zero counts that did not grow while the capture watched them: history, info.
fn history(
    iface: &Interface,
    keys: &[String],
    latest: &EthtoolSample,
) -> Option<Finding> {
    let (nonzero, phrases) = nonzero_counts(keys, latest)?;
    let mut f = RULE.finding(
        Severity::Info,
        &iface.name,
        format!(
            "{} was shaped by the hypervisor at some point since the driver loaded ({}), but not during this capture.",
            iface.name,
            phrases
        ),
    );
    // Watched during the capture and not growing: the live basis decides.
    f.basis = "live";
    for (k, v) in &nonzero {
        f.evidence.push(Evidence {
            delta: Some(0.0),
            ..reading(latest, k, *v)
        });
        f.remediation.push(format!("{k}: {}", allowance(k).1));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::test_support::assert_any_contains;
    use super::*;
    use crate::test_support::at;

    /// Synthetic: an ENA interface with `ethtool -S` readings (second, counters).
    fn ena(readings: &[(u32, &[(&str, u64)])]) -> Host {
        let mut h = Host::new("ec2");
        let i = h.interface_mut("ens5", None);
        i.kind = InterfaceKind::Physical;
        i.driver = Some("ena".into());
        for (s, kv) in readings {
            i.ethtool.push(EthtoolSample {
                time: at(*s),
                source: format!("capture.log:{}", s + 1),
                stats: kv
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .chain([("queue_0_rx_cnt".to_string(), 1000)])
                    .collect(),
            });
        }
        crate::timeline::compute(&mut h);
        h
    }

    #[test]
    fn pps_growing_fast_is_critical_and_names_the_allowance() {
        let h = ena(&[
            (
                0,
                &[
                    ("pps_allowance_exceeded", 784),
                    ("bw_in_allowance_exceeded", 10),
                ],
            ),
            (
                10,
                &[
                    ("pps_allowance_exceeded", 2_784),
                    ("bw_in_allowance_exceeded", 10),
                ],
            ),
        ]);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject, "ens5");
        assert!(
            f[0].summary.contains("packets per second"),
            "{}",
            f[0].summary
        );
        assert!(
            f[0].summary
                .contains("pps_allowance_exceeded grew by 2000 in 10 s (200/s, peak 200/s)"),
            "{}",
            f[0].summary
        );
        assert!(f[0].remediation[0].starts_with("pps_allowance_exceeded:"));
        assert_any_contains(&f[0].remediation, "will not help");
        assert_eq!(f[0].evidence.len(), 1);
        assert_eq!(f[0].evidence[0].delta, Some(2_000.0));
    }

    #[test]
    fn slow_growth_is_a_warning_and_no_growth_is_history() {
        let slow = ena(&[
            (0, &[("linklocal_allowance_exceeded", 5)]),
            (10, &[("linklocal_allowance_exceeded", 50)]),
        ]);
        assert_eq!(check(&slow)[0].severity, Severity::Warning);
        let still = ena(&[
            (0, &[("bw_in_allowance_exceeded", 3_241_329)]),
            (10, &[("bw_in_allowance_exceeded", 3_241_329)]),
        ]);
        let f = check(&still);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("not during this capture"));
    }

    #[test]
    fn a_single_reading_with_counts_is_a_warning_and_zeros_are_silent() {
        let one = ena(&[(
            0,
            &[
                ("bw_in_allowance_exceeded", 3_241_329),
                ("pps_allowance_exceeded", 784),
                ("conntrack_allowance_exceeded", 0),
            ],
        )]);
        let f = check(&one);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].summary
                .contains("inbound bandwidth and packets per second"),
            "{}",
            f[0].summary
        );
        assert_eq!(f[0].evidence.len(), 2);
        assert!(check(&ena(&[(
            0,
            &[
                ("bw_in_allowance_exceeded", 0),
                ("pps_allowance_exceeded", 0)
            ]
        )]))
        .is_empty());
        assert!(check(&ena(&[(0, &[("rx_drops", 7)])])).is_empty());
    }
}
