//! `rp-filter-drop`: IPv4 packets dropped by reverse-path filtering (knowledge protocol-layers
//! §2.4, §9 guard 4, §10). `ip_rcv_finish_core()` counts `TcpExtIPReversePathFilter` when the
//! route lookup of a received packet fails with `-EXDEV`: the source address would not be
//! routed back out of the interface it arrived on (strict mode, `rp_filter = 1`) or not at all
//! (loose mode, `2`). The counter sits in `TcpExt` but counts packets of every L4 protocol.
//! The mode in effect on an interface is max(`conf.all.rp_filter`, `conf.<if>.rp_filter`).
//! Strict mode on a multi-homed host with asymmetric routing (policy routing, OpenStack,
//! Kubernetes) is the usual cause. `martian source` kernel messages (`log_martians`) name the
//! interfaces and are shown as evidence beside the counter.

use super::common::*;
use crate::model::LogMessage;

pub static RULE: Rule = Rule {
    id: "rp-filter-drop",
    title: "Reverse-path filtering (rp_filter) dropped received packets",
    default_severity: Severity::Warning,
    references: &[
        "net/ipv4/ip_input.c ip_rcv_finish_core: -EXDEV from the route lookup counts LINUX_MIB_IPRPFILTER",
        "Documentation/networking/ip-sysctl.rst: rp_filter (0 off, 1 strict, 2 loose; the maximum of conf/all and conf/<if> is used), log_martians",
        "hotsos: IPReversePathFilter > 500",
    ],
    check,
};

/// A host-level counter: the evidence is drawn as steps (live) or bars (totals).
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. Reverse-path filtering in IP routing input.
pub const STAGE: Stage = Stage::rx(StageId::Filter);

const COUNTER: &str = "TcpExtIPReversePathFilter";
/// The packets the filter was applied to: every IPv4 packet received.
const RECEIVED: &str = "IpInReceives";
const ALL: &str = "net.ipv4.conf.all.rp_filter";

fn check(host: &Host) -> Vec<Finding> {
    let Some(g) = protocol_growth(host, &[COUNTER], &[RECEIVED]) else {
        return Vec::new();
    };
    let Some(severity) = rp_severity(&g) else {
        return Vec::new();
    };
    let modes = modes(host);
    let martians = martian_devices(host);
    let mut f = RULE.finding(severity, "host", summary(&g, &modes, &martians));
    stand_on(&mut f, &g);
    f.evidence.extend(martian_evidence(host));
    f.remediation = remediation(&g, &modes, &martians);
    vec![f]
}

/// Live growth: the generic drop gates against `IpInReceives`. A total over another window:
/// warning above `RP_FILTER_BOOT_WARN_EVENTS` (hotsos), else a note; never silent when
/// non-zero (principle one).
fn rp_severity(g: &Growth) -> Option<Severity> {
    if g.live() || g.total <= 0.0 {
        return drop_severity(g);
    }
    Some(if g.total > RP_FILTER_BOOT_WARN_EVENTS {
        Severity::Warning
    } else {
        Severity::Info
    })
}

/// The `rp_filter` settings read: `(scope, value)` with scope `all`, `default` or an
/// interface, `all` and `default` first.
fn modes(host: &Host) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = host
        .sysctl
        .iter()
        .filter_map(|(k, v)| {
            let scope = k.strip_prefix("net.ipv4.conf.")?.strip_suffix(".rp_filter")?;
            Some((scope.to_string(), v.trim().parse().ok()?))
        })
        .collect();
    let rank = |s: &str| match s {
        "all" => 0,
        "default" => 1,
        _ => 2,
    };
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    out
}

/// The mode in effect on `dev`: max(`conf.all`, `conf.<dev>`), when either was read.
fn effective(modes: &[(String, u64)], dev: &str) -> Option<u64> {
    let get = |s: &str| modes.iter().find(|(k, _)| k == s).map(|(_, v)| *v);
    match (get("all"), get(dev)) {
        (None, None) => None,
        (a, d) => Some(a.unwrap_or(0).max(d.unwrap_or(0))),
    }
}

/// Interfaces in strict mode (effective 1): the ones asymmetric routing makes drop.
fn strict_devices(modes: &[(String, u64)]) -> Vec<&str> {
    modes
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !matches!(*k, "all" | "default" | "lo"))
        .filter(|k| effective(modes, k) == Some(1))
        .collect()
}

/// Devices named by `martian source` kernel messages, with their line counts.
fn martian_devices(host: &Host) -> Vec<(&str, u64)> {
    let mut out: Vec<(&str, u64)> = Vec::new();
    for e in host.kernel_log.iter().filter(|e| e.message == LogMessage::MartianSource) {
        let Some(dev) = e.subject.as_deref() else { continue };
        match out.iter_mut().find(|(d, _)| *d == dev) {
            Some((_, n)) => *n += e.count + e.suppressed,
            None => out.push((dev, e.count + e.suppressed)),
        }
    }
    out
}

/// One evidence item per `martian source` event: the devices and how often they were logged.
fn martian_evidence(host: &Host) -> Vec<Evidence> {
    host.kernel_log
        .iter()
        .filter(|e| e.message == LogMessage::MartianSource)
        .map(|e| Evidence {
            source: e.first_source.clone(),
            start: e.first,
            end: e.last,
            metric: format!(
                "kernel log: martian source{}",
                e.subject.as_deref().map(|d| format!(" on {d}")).unwrap_or_default()
            ),
            value: Some((e.count + e.suppressed) as f64),
            delta: None,
            rate: None,
            basis: "snapshot",
        })
        .collect()
}

fn summary(g: &Growth, modes: &[(String, u64)], martians: &[(&str, u64)]) -> String {
    let mut s = format!(
        "Reverse-path filtering dropped {} (TcpExtIPReversePathFilter: IPv4 packets of any protocol whose source address would not be routed back out of the interface they arrived on).",
        describe(g, "packets")
    );
    if modes.is_empty() {
        s.push_str(" The rp_filter settings are not in the data.");
    } else {
        let set: Vec<String> = modes.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!(" rp_filter: {} (1 strict, 2 loose; each interface uses the higher of `all` and its own).", set.join(", ")));
    }
    let strict = strict_devices(modes);
    if !strict.is_empty() || effective(modes, "all") == Some(1) {
        s.push_str(" Strict mode drops a packet that arrives on one interface when the reply would leave by another: asymmetric routing (several interfaces or uplinks, policy routing, overlay or container networks) is the usual cause, and may be by design there.");
    } else if effective(modes, "all") == Some(2) {
        s.push_str(" In loose mode only sources with no route back at all are dropped: spoofed or bogon addresses, or a missing route.");
    }
    if !martians.is_empty() {
        let devs: Vec<String> = martians.iter().map(|(d, n)| format!("{d} ({n} lines)")).collect();
        s.push_str(&format!(" The kernel logged martian sources on {}.", devs.join(", ")));
    }
    s
}

/// The interfaces the fix targets: those named by martian messages, else the strict ones.
fn targets<'a>(modes: &'a [(String, u64)], martians: &[(&'a str, u64)]) -> Vec<&'a str> {
    let named: Vec<&str> = martians.iter().map(|(d, _)| *d).filter(|d| shell_safe(d)).collect();
    if !named.is_empty() {
        return named;
    }
    strict_devices(modes).into_iter().filter(|d| shell_safe(d)).collect()
}

/// Interface names from the data go into commands only when they need no quoting.
fn shell_safe(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@' | b':'))
}

fn remediation(g: &Growth, modes: &[(String, u64)], martians: &[(&str, u64)]) -> Vec<String> {
    let mut r = vec![
        "sysctl -w net.ipv4.conf.all.log_martians=1   # then: dmesg -w | grep -i 'martian source' — each line names the rejected source address and the interface it arrived on".to_string(),
        "Check the return path of a rejected source (the first address of a martian line): `ip route get <source address>` names the interface the reply would leave by; strict mode drops the packet when it arrived on another one.".to_string(),
    ];
    if modes.is_empty() {
        r.push("sysctl -a | grep '\\.rp_filter'   # not in the data: read the mode of `all` and of each interface first".to_string());
    }
    let devs = targets(modes, martians);
    if devs.is_empty() {
        r.push(format!(
            "sysctl -w {ALL}=2   # loose mode on every interface (the higher of `all` and the interface's own value applies); persist it in /etc/sysctl.d/ once it helps"
        ));
    } else {
        for d in &devs {
            r.push(format!(
                "sysctl -w net.ipv4.conf.{d}.rp_filter=2   # loose mode on {d} only (the higher of `all` and its own value applies, so this overrides all=1). Persist it in /etc/sysctl.d/ once it helps"
            ));
        }
    }
    r.push("Or fix the routing instead: add the route back to those sources via the interface they arrive on (policy routing: ip rule add from <local address> table <n>, with a default route in that table), and keep strict mode.".to_string());
    if !g.live() {
        r.push(confirm_nstat(&[COUNTER]));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::model::LogEvent;
    use crate::test_support::{add_protocol, assert_any_contains, assert_any_starts_with, HostBuilder};

    fn martian(dev: &str, count: u64) -> LogEvent {
        LogEvent {
            message: LogMessage::MartianSource,
            subject: Some(dev.into()),
            count,
            suppressed: 0,
            first: None,
            last: None,
            first_uptime: None,
            last_uptime: None,
            first_source: "var/log/messages:12".into(),
            last_source: "var/log/messages:40".into(),
            example: format!("IPv4: martian source 10.0.0.9 from 192.168.7.5, on dev {dev}"),
            detail: None,
        }
    }

    #[test]
    fn live_growth_in_strict_mode_names_the_interface_and_proposes_loose_mode() {
        let host = HostBuilder::new("h")
            .with(|h| {
                // 300 rejected of 50 000 received in 10 s: 30/s, 0.6 %: warning.
                add_protocol(h, &[(0, &[(COUNTER, 1_000), (RECEIVED, 100_000)]), (10, &[(COUNTER, 1_300), (RECEIVED, 150_000)])]);
                h.sysctl.insert(ALL.into(), "1".into());
                h.sysctl.insert("net.ipv4.conf.default.rp_filter".into(), "1".into());
                h.sysctl.insert("net.ipv4.conf.eth1.rp_filter".into(), "0".into());
                h.kernel_log.push(martian("eth1", 4));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "live");
        assert_eq!(f[0].total, 300.0);
        assert!(f[0].summary.contains("rp_filter: all=1, default=1, eth1=0"), "{}", f[0].summary);
        assert!(f[0].summary.contains("martian sources on eth1 (4 lines)"), "{}", f[0].summary);
        assert!(f[0].evidence.iter().any(|e| e.metric == "kernel log: martian source on eth1" && e.value == Some(4.0)));
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.conf.all.log_martians=1");
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.conf.eth1.rp_filter=2");
        assert!(!f[0].remediation.iter().any(|l| l.contains("nstat -asz")));
    }

    #[test]
    fn a_large_unknown_window_total_warns_and_a_small_one_is_a_note() {
        // The hotsos openstack fixture's count: 2124 > 500, with conf.all = 2 (loose).
        let large = HostBuilder::new("h")
            .with(|h| {
                add_protocol(h, &[(0, &[(COUNTER, 2_124), (RECEIVED, 2_168_061)])]);
                h.sysctl.insert(ALL.into(), "2".into());
            })
            .build();
        let f = check(&large);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].basis, "unknown-window");
        assert!(f[0].summary.contains("loose mode"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.conf.all.rp_filter=2");
        assert_any_contains(&f[0].remediation, "nstat -asz TcpExtIPReversePathFilter");
        // Benign guard: one packet since boot is a note (never silent), and the settings not
        // read are asked for, never guessed.
        let small = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(COUNTER, 1)])]))
            .build();
        let f = check(&small);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].summary.contains("not in the data"), "{}", f[0].summary);
        assert_any_contains(&f[0].remediation, "grep '\\.rp_filter'");
    }

    #[test]
    fn zero_is_silent_and_the_effective_mode_is_the_higher_one() {
        let zero = HostBuilder::new("h")
            .with(|h| add_protocol(h, &[(0, &[(COUNTER, 0), (RECEIVED, 10)])]))
            .build();
        assert!(check(&zero).is_empty());
        let modes = vec![("all".to_string(), 0), ("eth0".to_string(), 1), ("eth1".to_string(), 2)];
        assert_eq!(effective(&modes, "eth0"), Some(1));
        assert_eq!(effective(&modes, "eth1"), Some(2));
        assert_eq!(effective(&modes, "eth9"), Some(0));
        assert_eq!(strict_devices(&modes), vec!["eth0"]);
        let loose_all = vec![("all".to_string(), 2), ("eth0".to_string(), 1)];
        assert!(strict_devices(&loose_all).is_empty());
    }
}
