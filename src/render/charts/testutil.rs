//! Test support for the chart modules: synthetic hosts built in code (labelled: no real
//! capture behind these numbers, though the tap counters echo seed 000's shape) and checks
//! that any chart must pass (well-formed, escaped, no `NaN`).

use chrono::NaiveDate;
use rules::finding::{Evidence, Finding, Severity};
use rules::model::{
    CounterSample, CpuSample, CpuUsage, Host, InterfaceKind, SoftnetCpu, SoftnetSample, Timestamp,
};

/// 2016-11-29 12:28:00 UTC−05:00 plus `s` seconds.
pub(super) fn at(s: u32) -> Option<Timestamp> {
    let d = NaiveDate::from_ymd_opt(2016, 11, 29)
        .unwrap()
        .and_hms_opt(12, 28, 0)
        .unwrap()
        + chrono::Duration::seconds(i64::from(s));
    Some(Timestamp::new(d, Some(-5 * 3600)))
}

/// Synthetic: a tap with `drops` cumulative tx_dropped at 5-second samples.
pub(super) fn tap_host(name: &str, drops: &[u64]) -> Host {
    let mut host = Host::new("synthetic-compute");
    let iface = host.interface_mut(name, None);
    iface.kind = InterfaceKind::Tap;
    iface.qlen = Some(1000);
    for (i, d) in drops.iter().enumerate() {
        iface.samples.push(CounterSample {
            time: at(5 * i as u32),
            source: format!("capture.log:{}", 10 * i + 1),
            counters: [
                ("tx_dropped".to_string(), *d),
                ("tx_packets".to_string(), 1_000_000 + 400_000 * i as u64),
            ]
            .into_iter()
            .collect(),
            approximate: false,
        });
    }
    rules::timeline::compute(&mut host);
    host
}

/// Synthetic: a `top` frame with steal `st` and per-CPU `si` (the `all` line their mean).
pub(super) fn cpu_frame(t: Option<Timestamp>, line: usize, st: f64, si: &[f64]) -> CpuSample {
    let mut cpus = vec![CpuUsage {
        cpu: "all".into(),
        us: Some(5.0),
        sy: Some(10.0),
        ni: None,
        id: Some(50.0),
        wa: None,
        hi: None,
        si: Some(si.iter().sum::<f64>() / si.len().max(1) as f64),
        st: Some(st),
    }];
    for (n, v) in si.iter().enumerate() {
        cpus.push(CpuUsage {
            cpu: n.to_string(),
            us: None,
            sy: None,
            ni: None,
            id: Some(100.0 - v),
            wa: None,
            hi: None,
            si: Some(*v),
            st: Some(st),
        });
    }
    CpuSample {
        time: t,
        source: format!("top.log:{line}"),
        first_iteration: false,
        cpus,
        processes: Vec::new(),
        represents: 1,
    }
}

/// Synthetic: a guest with 4 frames, 3 s apart, steal 20–45 % and cpu0 at 95 % si.
pub(super) fn guest_host() -> Host {
    let mut host = Host::new("synthetic-guest");
    for (i, st) in [20.0, 45.4, 40.0, 38.0].iter().enumerate() {
        host.cpu.push(cpu_frame(
            at(3 * i as u32),
            i + 1,
            *st,
            &[95.0, 3.0, 2.0, 4.0],
        ));
    }
    host
}

/// Synthetic: a softnet_stat reading; `rows` are (processed, dropped, time_squeeze) per CPU.
pub(super) fn softnet(
    t: Option<Timestamp>,
    line: usize,
    rows: &[(u64, u64, u64)],
) -> SoftnetSample {
    SoftnetSample {
        time: t,
        source: format!("capture.log:{line}"),
        cpu_ids_exact: true,
        cpus: rows
            .iter()
            .enumerate()
            .map(|(n, (p, d, s))| SoftnetCpu {
                cpu: n as u32,
                processed: *p,
                dropped: *d,
                time_squeeze: *s,
                received_rps: None,
                flow_limit_count: None,
                backlog_len: None,
            })
            .collect(),
    }
}

/// A `tap-tx-drop` finding on tap0 with one quiet interval (zero drops over 5 s).
pub(super) fn quiet_tap_finding() -> Finding {
    Finding {
        rule: "tap-tx-drop",
        severity: Severity::Info,
        subject: "tap0".into(),
        title: String::new(),
        summary: String::new(),
        evidence: vec![Evidence {
            source: "capture.log:11".into(),
            start: at(0),
            end: at(5),
            metric: "tx_dropped".into(),
            value: None,
            delta: Some(0.0),
            rate: Some(0.0),
            basis: "interval",
        }],
        remediation: vec![],
        references: vec![],
        impact: 0.0,
        basis: "live",
        seen_on: vec![],
        total: 0.0,
        related: vec![],
    }
}

/// The finding of `rule` the catalog raises on `host` (panics when there is none).
pub(super) fn finding_of(host: &Host, rule: &str) -> Finding {
    rules::catalog::run(host)
        .into_iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"))
}

/// The number of points of each polyline, in document order.
pub(super) fn polylines(svg: &str) -> Vec<usize> {
    svg.match_indices("<polyline points=\"")
        .map(|(i, m)| {
            let rest = &svg[i + m.len()..];
            let end = rest.find('"').unwrap();
            rest[..end].split(' ').count()
        })
        .collect()
}

/// One `<svg>` element with a title, nothing active or external, no `NaN` or `-0`.
pub(super) fn well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains("role=\"img\"") && svg.contains("<title>") && svg.contains("viewBox"));
    for bad in [
        "NaN",
        ">inf",
        "\"inf",
        "<script",
        "<foreignObject",
        "href",
        "url(",
        "-0,",
        "-0\"",
    ] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches('<').count(), svg.matches('>').count());
}
