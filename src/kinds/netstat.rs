//! `netstat -i` / `netstat -in` / `ifconfig -s` (net-tools, busybox): the short interface
//! table.

use rules::model::CounterSample;

use super::{fixed_label, note_usage_flags, CaptureKind, Kind, Read, Sniff, Start};

/// `netstat -i`/`-in`/`--interfaces`, and `ifconfig -s` (net-tools `ife_print_short` prints
/// the same table).
fn netstat_argv(name: &str, args: &[&str], ns: Option<&str>) -> Option<CaptureKind> {
    if ns.is_some() {
        return None;
    }
    let table = match name {
        "ifconfig" => args.iter().any(|a| short_table_flag(a)),
        "netstat" => {
            args.iter().any(|a| {
                *a == "--interfaces"
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            }) && args.iter().all(|a| {
                matches!(*a, "--interfaces" | "--numeric" | "-a" | "--all")
                    || (a.starts_with('-')
                        && !a.starts_with("--")
                        && a.len() > 1
                        && a[1..].bytes().all(|b| matches!(b, b'i' | b'n' | b'a')))
            })
        }
        _ => false,
    };
    table.then_some(CaptureKind::NetstatIface)
}

/// `ifconfig -s` (alone or with `-a`) prints the short table.
pub(super) fn short_table_flag(arg: &str) -> bool {
    matches!(arg, "-s" | "-as" | "-sa")
}

pub static NETSTAT_IFACE: Kind = Kind {
    label: fixed_label!("netstat -i"),
    paths: &[],
    argv: Some(netstat_argv),
    sniff: Some(Sniff {
        order: 4,
        test: |h| {
            (h.first == "Kernel Interface table" || parsers::netstat_iface::is_header(h.first))
                .then_some(CaptureKind::NetstatIface)
        },
    }),
    starts: &[Start {
        order: 17,
        indented: false,
        // The column header: `Iface MTU [Met] RX-OK RX-ERR …`.
        test: |line| {
            let header =
                line.starts_with("Iface") && line.contains("RX-OK") && line.contains("TX-OK");
            (line.starts_with("Kernel Interface table") || header)
                .then_some(CaptureKind::NetstatIface)
        },
    }],
    read: Read::Data(|r, c, _| {
        for row in r.take(parsers::netstat_iface::parse(&c.text)) {
            let iface = r.host.interface_mut(&row.name, None);
            iface.mtu = row.mtu.or(iface.mtu);
            note_usage_flags(iface, &row.usage_flags());
            if !row.counters.is_empty() {
                iface.samples.push(CounterSample {
                    time: r.time,
                    source: c.source.clone(),
                    counters: row.counters,
                    approximate: false,
                });
            }
        }
    }),
};
