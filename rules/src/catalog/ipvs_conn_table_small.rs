//! `ipvs-conn-table-small`: the IPVS connection hash table has far fewer buckets than the
//! connections it holds (knowledge §9.4). `size=` of `ipvsadm -Ln` is the bucket count
//! (`1 << conn_tab_bits`), not a limit: collisions are chained, so the table never fills and
//! never drops; every packet of every connection walks a chain of about connections / size
//! entries, which costs CPU on the director.
//!
//! Connections are estimated as ActiveConn + InActConn summed over the real servers, or the row
//! count of `ipvsadm -Lnc`; the table size comes from the same reading or the nearest one.

use serde_json::Value;

use super::common::*;

pub static RULE: Rule = Rule {
    id: "ipvs-conn-table-small",
    title: "IPVS connection hash table far smaller than its connections",
    default_severity: Severity::Warning,
    references: &[
        "net/netfilter/ipvs/Kconfig IP_VS_TAB_BITS: table size \"not far less than\" connections/s × average lifetime; conn_tab_bits module parameter or ip_vs.conn_tab_bits= on the kernel command line",
        "http://kb.linuxvirtualserver.org/wiki/Performance_and_Tuning",
    ],
    check,
};

/// The report draws connections against hash buckets.
pub const CHART: Chart = Chart::Ipvs;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. A small hash table costs CPU per packet but never drops.
pub const STAGE: Stage = Stage::rx(StageId::Filter).without_loss();

/// Kernel bounds of `conn_tab_bits` (`ip_vs_conn.c`): 8..20, and 8..27 on 64-bit kernels with
/// the 2023 change (mainline 6.5).
const MIN_BITS: u32 = 8;
const MAX_BITS: u32 = 20;
const MAX_BITS_64: u32 = 27;

/// ipvsadm's kernel defaults: `Timeout (tcp tcpfin udp): 900 120 300`.
const DEFAULT_TIMEOUTS: &str = "900 120 300";

/// Active and inactive connections of one service, from the services JSON of `-Ln`.
fn service_conns(svc: &Value) -> (u64, u64) {
    let mut active = 0u64;
    let mut inactive = 0u64;
    for rs in svc
        .get("real_servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        active = active.saturating_add(rs.get("active_conn").and_then(Value::as_u64).unwrap_or(0));
        inactive =
            inactive.saturating_add(rs.get("inact_conn").and_then(Value::as_u64).unwrap_or(0));
    }
    (active, inactive)
}

fn service_name(svc: &Value) -> String {
    let proto = svc.get("protocol").and_then(Value::as_str).unwrap_or("");
    let addr = svc.get("address").and_then(Value::as_str).unwrap_or("?");
    format!("{proto} {addr}").trim().to_string()
}

/// The table size that applies to a reading: its own, else the reading with a size nearest in
/// time (the size changes only when ip_vs is reloaded).
fn size_for<'a>(host: &'a Host, s: &'a IpvsSample) -> Option<(u64, &'a IpvsSample)> {
    if let Some(size) = s.table_size {
        return Some((size, s));
    }
    host.ipvs
        .iter()
        .filter(|o| o.table_size.is_some())
        .min_by(|a, b| {
            let d = |o: &IpvsSample| seconds_between(o.time, s.time).map_or(f64::MAX, f64::abs);
            d(a).total_cmp(&d(b)).then(cmp_time(&b.time, &a.time))
        })
        .map(|o| (o.table_size.unwrap_or(0), o))
}

/// `ceil(log2(n))`, clamped to the kernel's accepted range.
pub fn bits_for(connections: u64, max_bits: u32) -> u32 {
    let bits = if connections <= 1 {
        0
    } else {
        64 - (connections - 1).leading_zeros()
    };
    bits.clamp(MIN_BITS, max_bits)
}

/// Major version of a kernel release string (`6.8.0-45-generic` → 6).
fn kernel_major(kernel: Option<&str>) -> Option<u32> {
    kernel?.split('.').next()?.parse().ok()
}

/// The reading with the most connections per hash bucket, and the size that applies to it.
struct Worst<'a> {
    sample: &'a IpvsSample,
    /// The reading the table size comes from.
    sized: &'a IpvsSample,
    size: u64,
    conns: u64,
    per_bucket: f64,
}

fn worst(host: &Host) -> Option<Worst<'_>> {
    host.ipvs
        .iter()
        .filter_map(|s| {
            let conns = s.connections?;
            let (size, sized) = size_for(host, s)?;
            (size > 0).then(|| Worst {
                sample: s,
                sized,
                size,
                conns,
                per_bucket: conns as f64 / size as f64,
            })
        })
        .max_by(|a, b| {
            a.per_bucket
                .total_cmp(&b.per_bucket)
                .then(cmp_time(&a.sample.time, &b.sample.time))
        })
}

fn check(host: &Host) -> Vec<Finding> {
    let Some(w) = worst(host) else {
        return Vec::new();
    };
    let severity = if w.per_bucket >= IPVS_CRIT_PER_BUCKET {
        Severity::Critical
    } else if w.per_bucket >= IPVS_WARN_PER_BUCKET {
        Severity::Warning
    } else {
        return Vec::new();
    };
    let mut f = RULE.finding(severity, "ipvs", summary(&w));
    f.impact = w.per_bucket;
    f.evidence = evidence(&w);
    f.remediation = remediation(host, &w);
    vec![f]
}

/// `conn_tab_bits` of a table of `size` buckets.
fn current_bits(size: u64) -> u32 {
    63 - size.max(1).leading_zeros()
}

fn summary(w: &Worst) -> String {
    let busiest = w
        .sample
        .services
        .iter()
        .map(|svc| (svc, service_conns(svc)))
        .max_by(|a, b| (a.1 .0 + a.1 .1).cmp(&(b.1 .0 + b.1 .1)));
    let mut summary = format!(
        "The IPVS connection table has {} buckets (size={}, conn_tab_bits={}) for {} connections, {} entries per bucket on average",
        fmt_count(w.size as f64),
        w.size,
        current_bits(w.size),
        fmt_count(w.conns as f64),
        fmt_num(w.per_bucket)
    );
    if let Some((svc, (a, i))) = busiest.filter(|(_, (a, i))| a + i > 0) {
        summary.push_str(&format!(
            " ({} holds {} of them)",
            service_name(svc),
            fmt_count((a + i) as f64)
        ));
    }
    summary.push_str(
        ". Every packet walks those hash chains, which costs CPU on the director as the table grows; long chains do not drop packets by themselves.",
    );
    summary
}

/// The table size, the connections and their ratio, each read once.
fn evidence(w: &Worst) -> Vec<Evidence> {
    let reading = |from: &IpvsSample, metric: &str, value: f64| Evidence {
        source: from.source.clone(),
        start: None,
        end: from.time,
        metric: metric.into(),
        value: Some(value),
        delta: None,
        rate: None,
        basis: "snapshot",
    };
    let connections = if w.sample.services.is_empty() {
        "ipvs connections (ipvsadm -Lnc rows)"
    } else {
        "ipvs connections (ActiveConn + InActConn)"
    };
    vec![
        reading(
            w.sized,
            "ipvs table_size (size=, hash buckets)",
            w.size as f64,
        ),
        reading(w.sample, connections, w.conns as f64),
        reading(
            w.sample,
            "ipvs entries per hash bucket",
            (w.per_bucket * 100.0).round() / 100.0,
        ),
    ]
}

/// A bigger table (module option, reload), then shorter timeouts.
fn remediation(host: &Host, w: &Worst) -> Vec<String> {
    let (size, conns) = (w.size, w.conns);
    let current_bits = current_bits(size);
    let bits = bits_for(conns, MAX_BITS);
    let wide = bits_for(conns, MAX_BITS_64);
    let target = 1u64 << bits;
    let mut r = vec![
        format!(
            "echo 'options ip_vs conn_tab_bits={bits}' > /etc/modprobe.d/ip_vs.conf   # 2^{bits} = {target} buckets for {} connections (now {current_bits} bits, size={size}); 8 bytes per bucket, {} KiB",
            fmt_count(conns as f64),
            target * 8 / 1024
        ),
        format!(
            "The new size applies only when ip_vs is loaded again: stop keepalived/ldirectord, save the rules (ipvsadm-save -n), modprobe -r ip_vs, modprobe ip_vs, restore them (ipvsadm-restore). If ip_vs is built into the kernel, add ip_vs.conn_tab_bits={bits} to the kernel command line and reboot."
        ),
    ];
    if wide > bits {
        let kernel = host.kernel.as_deref().unwrap_or("unknown");
        let note = match kernel_major(host.kernel.as_deref()) {
            Some(m) if m >= 6 => format!("this kernel is {kernel}"),
            Some(_) => format!("this kernel ({kernel}) predates it: stay at {MAX_BITS}"),
            None => "check the kernel version".to_string(),
        };
        r.push(format!(
            "{} connections need more than 2^{MAX_BITS} buckets: 64-bit kernels with the 2023 change (mainline 6.5 and later) accept conn_tab_bits up to {MAX_BITS_64} (here conn_tab_bits={wide}); older ones reject values outside 8..{MAX_BITS} and fall back to the default ({note}; `modinfo -p ip_vs` lists the parameter)",
            fmt_count(conns as f64)
        ));
    }
    r.extend(timeout_steps(host, w.sample));
    r
}

/// The current timeouts, and shorter ones (inactive entries wait out `tcpfin`).
fn timeout_steps(host: &Host, sample: &IpvsSample) -> [String; 2] {
    let current = match host.ipvs.iter().rev().find_map(|s| s.timeouts) {
        Some([tcp, fin, udp]) => format!(
            "# current timeouts (tcp tcpfin udp) from `ipvsadm -L --timeout`: {tcp} {fin} {udp}; kernel defaults {DEFAULT_TIMEOUTS}"
        ),
        None => format!(
            "ipvsadm -L --timeout   # the current timeouts (tcp tcpfin udp); kernel defaults {DEFAULT_TIMEOUTS}"
        ),
    };
    let (active, inactive) = sample
        .services
        .iter()
        .map(service_conns)
        .fold((0u64, 0u64), |acc, c| (acc.0 + c.0, acc.1 + c.1));
    let inact_note = if inactive > active {
        format!(
            "; {} of the {} listed entries are InActConn (not ESTABLISHED): `ipvsadm -Lnc` shows which states fill the table (FIN_WAIT follows tcpfin)",
            fmt_count(inactive as f64),
            fmt_count((active + inactive) as f64)
        )
    } else {
        String::new()
    };
    [
        current,
        format!(
            "ipvsadm --set <tcp> <tcpfin> <udp>   # seconds; shorter timeouts keep fewer entries in the table{inact_note}"
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::test_support::assert_any_contains;
    use super::*;
    use crate::test_support::at;
    use serde_json::json;

    /// Synthetic: one `-Ln` reading with one service and two real servers.
    fn host(size: Option<u64>, active: u64, inactive: u64) -> Host {
        let mut h = Host::new("lvs");
        h.kernel = Some("3.10.0-1160.el7.x86_64".into());
        h.ipvs.push(IpvsSample {
            time: at(0),
            source: "sos_commands/ipvs/ipvsadm_-Ln".into(),
            table_size: size,
            timeouts: None,
            connections: Some(active + inactive),
            services: vec![json!({
                "protocol": "TCP", "address": "192.168.10.100:80",
                "real_servers": [
                    {"address": "192.168.10.11:80", "active_conn": active / 2, "inact_conn": inactive / 2},
                    {"address": "192.168.10.12:80", "active_conn": active - active / 2, "inact_conn": inactive - inactive / 2}
                ]
            })],
            represents: 1,
        });
        h
    }

    #[test]
    fn bits_are_ceil_log2_clamped() {
        assert_eq!(bits_for(300_000, MAX_BITS), 19);
        assert_eq!(bits_for(262_144, MAX_BITS), 18);
        assert_eq!(bits_for(262_145, MAX_BITS), 19);
        assert_eq!(bits_for(10, MAX_BITS), 8);
        assert_eq!(bits_for(5_000_000, MAX_BITS), 20);
        assert_eq!(bits_for(5_000_000, MAX_BITS_64), 23);
    }

    #[test]
    fn three_hundred_thousand_connections_in_4096_buckets_is_critical() {
        // Seed 001: size=4096 and "a bit over 300 000" sessions: 73 per bucket.
        let f = check(&host(Some(4096), 40_000, 260_000));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject, "ipvs");
        assert!(
            f[0].summary.contains("73.2 entries per bucket"),
            "{}",
            f[0].summary
        );
        assert!(
            f[0].summary.contains("TCP 192.168.10.100:80"),
            "{}",
            f[0].summary
        );
        assert!(
            f[0].summary.contains("do not drop packets"),
            "{}",
            f[0].summary
        );
        assert!(f[0].remediation[0]
            .starts_with("echo 'options ip_vs conn_tab_bits=19' > /etc/modprobe.d/ip_vs.conf"));
        assert_any_contains(&f[0].remediation, "ip_vs.conn_tab_bits=19");
        assert!(f[0]
            .remediation
            .iter()
            .any(|r| r.starts_with("ipvsadm -L --timeout") && r.contains("900 120 300")));
        assert!(f[0]
            .remediation
            .iter()
            .any(|r| r.starts_with("ipvsadm --set") && r.contains("InActConn")));
        assert_eq!(f[0].evidence.len(), 3);
    }

    #[test]
    fn warning_between_8_and_64_per_bucket_and_quiet_below() {
        assert_eq!(
            check(&host(Some(4096), 20_000, 20_000))[0].severity,
            Severity::Warning
        );
        assert!(check(&host(Some(4096), 100, 2_000)).is_empty());
        assert!(check(&host(Some(1_048_576), 300_000, 0)).is_empty());
        assert!(check(&host(None, 300_000, 0)).is_empty());
    }

    #[test]
    fn current_timeouts_are_shown_when_captured() {
        let mut h = host(Some(4096), 40_000, 300_000);
        h.ipvs.push(IpvsSample {
            time: at(0),
            source: "sos_commands/ipvs/ipvsadm_-Ln_--timeout".into(),
            table_size: None,
            connections: None,
            services: vec![],
            timeouts: Some([900, 120, 300]),
            represents: 1,
        });
        let f = check(&h);
        assert_any_contains(&f[0].remediation, "from `ipvsadm -L --timeout`: 900 120 300");
    }

    #[test]
    fn a_connection_listing_takes_the_size_of_another_reading() {
        let mut h = host(Some(4096), 1, 1);
        h.ipvs.push(IpvsSample {
            time: at(0),
            source: "sos_commands/ipvs/ipvsadm_-Lnc".into(),
            table_size: None,
            connections: Some(5_000_000),
            services: vec![],
            timeouts: None,
            represents: 1,
        });
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].evidence[1].metric.contains("-Lnc"));
        // Beyond 2^20: the 64-bit range of newer kernels is explained; this 3.10 kernel predates it.
        assert!(f[0]
            .remediation
            .iter()
            .any(|r| r.contains("up to 27") && r.contains("predates")));
    }
}
