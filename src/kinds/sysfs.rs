//! `/sys/class/net/<dev>/statistics/<counter>`: one file per counter, gathered into one
//! sample per device at the end of the bundle (see [`super::Deferred`]).

use std::collections::BTreeMap;

use super::{named, row, CaptureKind, Kind, Read};

pub static SYSFS_STAT: Kind = Kind {
    label: |k| match k {
        CaptureKind::SysfsStat { dev, .. } => format!("sysfs statistics {dev}"),
        _ => String::new(),
    },
    paths: &[row!(
        Sos,
        ["sys", "class", "net", "*", "statistics"],
        "(?P<counter>[A-Za-z0-9_]+)",
        |d, c| Some(CaptureKind::SysfsStat {
            dev: d.get(3)?.to_string(),
            counter: named(c, "counter")?,
        })
    )],
    argv: None,
    sniff: None,
    starts: &[],
    read: Read::Data(|r, c, _| {
        let CaptureKind::SysfsStat { dev, counter } = &c.kind else {
            return;
        };
        if let Some(v) = r.take(parsers::single_value::parse_u64(&c.text)) {
            let time = r.time;
            let entry = r
                .deferred
                .sysfs
                .entry(dev.clone())
                .or_insert((time, BTreeMap::new()));
            entry.1.insert(counter.clone(), v);
        }
    }),
};
