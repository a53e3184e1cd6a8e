//! `sysctl -a` and single `/proc/sys/...` files.

use regex::Regex;
use std::sync::OnceLock;

use rules::model::CounterSample;

use super::{fixed_label, named, re, row, CaptureKind, Kind, Read, Sniff};

pub static SYSCTL: Kind = Kind {
    label: fixed_label!("sysctl -a"),
    paths: &[row!(
        Sos,
        ["sos_commands", "kernel"],
        "sysctl_-a",
        |_, _| Some(CaptureKind::Sysctl)
    )],
    argv: Some(|name, args, ns| {
        // `sysctl -a`, or reading named settings (`sysctl net.core.somaxconn
        // net.core.rmem_max`): both print `key = value`. Never `-n` (values alone) or a write.
        let read = |a: &&str| {
            matches!(*a, "-a" | "-e" | "-A")
                || (a.contains('.') && !a.contains('=') && !a.starts_with('-'))
        };
        (name == "sysctl" && ns.is_none() && !args.is_empty() && args.iter().all(read))
            .then_some(CaptureKind::Sysctl)
    }),
    sniff: Some(Sniff {
        order: 12,
        test: |h| {
            static SETTING: OnceLock<Regex> = OnceLock::new();
            let setting = re(&SETTING, r"^[a-z0-9_-]+(?:\.[A-Za-z0-9_./-]+)+ = ");
            let settings = h.lines.iter().filter(|l| setting.is_match(l)).count();
            (settings * 2 > h.lines.len()).then_some(CaptureKind::Sysctl)
        },
    }),
    starts: &[],
    read: Read::Data(|r, c, _| {
        for (k, v) in r.take(parsers::sysctl::parse(&c.text)) {
            r.host.sysctl.entry(k).or_insert(v);
        }
    }),
};

const CONNTRACK_COUNT: &str = "net.netfilter.nf_conntrack_count";

pub static SYSCTL_VALUE: Kind = Kind {
    label: |k| match k {
        CaptureKind::SysctlValue { key } => format!("sysctl {key}"),
        _ => String::new(),
    },
    paths: &[
        row!(
            Sos,
            ["proc", "sys", "net", "core"],
            "(?P<knob>[A-Za-z0-9_]+)",
            |_, c| Some(CaptureKind::SysctlValue {
                key: format!("net.core.{}", named(c, "knob")?),
            })
        ),
        row!(
            Sos,
            ["proc", "sys", "net", "netfilter"],
            "(?P<knob>nf_conntrack_(?:count|max|buckets))",
            |_, c| Some(CaptureKind::SysctlValue {
                key: format!("net.netfilter.{}", named(c, "knob")?),
            })
        ),
    ],
    argv: None,
    sniff: None,
    starts: &[],
    read: Read::Data(|r, c, _| {
        let CaptureKind::SysctlValue { key } = &c.kind else {
            return;
        };
        if let Some(v) = r.take(parsers::single_value::parse_sysctl_value(&c.text)) {
            // The table's fill level, repeated by a capture log: its peak matters.
            if let (CONNTRACK_COUNT, Ok(count)) = (key.as_str(), v.parse::<u64>()) {
                r.host.conntrack_count.add(CounterSample {
                    time: r.time,
                    source: c.source.clone(),
                    counters: [(CONNTRACK_COUNT.to_string(), count)].into(),
                    approximate: false,
                });
            }
            r.deferred.proc_sys.insert(key.clone(), v);
        }
    }),
};
