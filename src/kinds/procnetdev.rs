//! `/proc/net/dev`: every interface's counters, in every kernel's layout.

use rules::model::CounterSample;

use super::{fixed_label, row, CaptureKind, Kind, Read, Sniff};

pub static PROC_NET_DEV: Kind = Kind {
    label: fixed_label!("/proc/net/dev"),
    paths: &[row!(Sos, ["proc", "net"], "dev", |_, _| Some(
        CaptureKind::ProcNetDev
    ))],
    argv: None,
    sniff: Some(Sniff {
        order: 2,
        test: |h| {
            let header = h.first.starts_with("Inter-|")
                || h.lines
                    .iter()
                    .any(|l| l.trim_start().starts_with("face |bytes"));
            header.then_some(CaptureKind::ProcNetDev)
        },
    }),
    read: Read::Data(|r, c, _| {
        for row in r.take(parsers::procnetdev::parse(&c.text)) {
            let iface = r.host.interface_mut(&row.name, None);
            iface.samples.push(CounterSample {
                time: r.time,
                source: c.source.clone(),
                counters: row.counters,
                approximate: false,
            });
        }
    }),
};
