//! `netstat -i` / `netstat -in` / `ifconfig -s` (net-tools, busybox): the short interface
//! table.

use rules::model::CounterSample;

use super::{fixed_label, note_usage_flags, Kind, Read};

pub static NETSTAT_IFACE: Kind = Kind {
    label: fixed_label!("netstat -i"),
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
