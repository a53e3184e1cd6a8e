//! `ifconfig` (net-tools old and new layouts, busybox): interfaces and their counters.

use rules::model::{CounterSample, Host, Timestamp};

use std::sync::OnceLock;

use regex::Regex;

use super::{fixed_label, note_usage_flags, re, row, CaptureKind, Kind, Read, Start};

pub static IFCONFIG: Kind = Kind {
    label: fixed_label!("ifconfig"),
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        "ifconfig_-a",
        |_, _| Some(CaptureKind::Ifconfig)
    )],
    argv: Some(|name, args, ns| {
        let plain = !args.iter().any(|a| super::netstat::short_table_flag(a));
        (name == "ifconfig" && ns.is_none() && args.len() <= 1 && plain)
            .then_some(CaptureKind::Ifconfig)
    }),
    sniff: None,
    starts: &[
        Start {
            order: 1,
            indented: true,
            test: |line| rx_line(line).then_some(CaptureKind::Ifconfig),
        },
        Start {
            order: 13,
            indented: false,
            test: |line| {
                static HEADER: OnceLock<Regex> = OnceLock::new();
                ((line.contains("flags=") || line.contains("Link encap:"))
                    && re(
                        &HEADER,
                        r"^[A-Za-z0-9_.:@-]+(?::\s+flags=\d+<|\s+Link encap:)",
                    )
                    .is_match(line))
                .then_some(CaptureKind::Ifconfig)
            },
        },
        // A counter line pasted without its block (`RX packets:1 errors:0 …`).
        Start {
            order: 16,
            indented: false,
            test: |line| rx_line(line).then_some(CaptureKind::Ifconfig),
        },
    ],
    read: Read::Data(|r, c, _| {
        let ifaces = r.take(parsers::ifconfig::parse(&c.text));
        apply(r.host, ifaces, r.time, &c.source);
    }),
};

/// The name given to an interface whose counters were pasted without its name.
pub const UNNAMED_INTERFACE: &str = "IFACE";

fn apply(
    host: &mut Host,
    ifaces: Vec<parsers::ifconfig::IfconfigIface>,
    time: Option<Timestamp>,
    source: &str,
) {
    for i in ifaces {
        // `eth0:1` is an address alias of eth0, not a device: its counters are eth0's.
        if i.name.contains(':') {
            continue;
        }
        // Counter lines pasted without their block header: the device is not in the data, so
        // findings and commands name a placeholder the reader fills in (the problem list says
        // the lines were kept under an unnamed interface).
        let name = if i.name.is_empty() {
            UNNAMED_INTERFACE
        } else {
            i.name.as_str()
        };
        let iface = host.interface_mut(name, None);
        iface.qlen = i.txqueuelen.or(iface.qlen);
        iface.mtu = i.mtu.or(iface.mtu);
        if let Some(mac) = &i.mac {
            iface.mac = Some(mac.to_ascii_lowercase());
        }
        note_usage_flags(iface, &i.flags);
        if !i.counters.is_empty() {
            iface.samples.push(CounterSample {
                time,
                source: source.to_string(),
                counters: i.counters,
                approximate: false,
            });
        }
    }
}

/// `RX packets:N errors:N …` (old) or `RX packets N  bytes N …` (new ifconfig).
fn rx_line(line: &str) -> bool {
    line.strip_prefix("RX packets").is_some_and(|rest| {
        rest.trim_start_matches([':', ' '])
            .starts_with(|c: char| c.is_ascii_digit())
    })
}
