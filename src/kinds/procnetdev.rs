//! `/proc/net/dev`: every interface's counters, in every kernel's layout.

use rules::model::CounterSample;

use super::{fixed_label, row, CaptureKind, Kind, Read, Sniff, Start};

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
    starts: &[
        // Indented too: a paste may indent the rows.
        // After `/proc/net/snmp` lines (orders 3 and 22), whose `IcmpMsg: 1 2 … 16` has a
        // row's shape.
        Start {
            order: 4,
            indented: true,
            test: |line| headerless_row(line).then_some(CaptureKind::ProcNetDev),
        },
        Start {
            order: 12,
            indented: false,
            test: |line| {
                line.starts_with("Inter-|")
                    .then_some(CaptureKind::ProcNetDev)
            },
        },
        Start {
            order: 23,
            indented: false,
            test: |line| headerless_row(line).then_some(CaptureKind::ProcNetDev),
        },
    ],
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

/// A /proc/net/dev row without its header lines: `eth2: N N …` with exactly the 16 values of
/// the standard layout (fewer would be ambiguous). Cheap checks come first: most lines of a
/// log start with a digit or hold no `:` followed by numbers only.
fn headerless_row(line: &str) -> bool {
    let t = line.trim_start();
    if !t.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let Some(colon) = t.as_bytes().iter().take(24).position(|&b| b == b':') else {
        return false;
    };
    let name = &t[..colon];
    if name.bytes().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    let mut count = 0;
    for tok in t[colon + 1..].split_ascii_whitespace() {
        if count == 16 || !tok.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        count += 1;
    }
    count == 16
}
