//! `sysctl -a` and single `/proc/sys/...` files.

use super::{fixed_label, CaptureKind, Kind, Read};

pub static SYSCTL: Kind = Kind {
    label: fixed_label!("sysctl -a"),
    read: Read::Data(|r, c, _| {
        for (k, v) in r.take(parsers::sysctl::parse(&c.text)) {
            r.host.sysctl.entry(k).or_insert(v);
        }
    }),
};

pub static SYSCTL_VALUE: Kind = Kind {
    label: |k| match k {
        CaptureKind::SysctlValue { key } => format!("sysctl {key}"),
        _ => String::new(),
    },
    read: Read::Data(|r, c, _| {
        let CaptureKind::SysctlValue { key } = &c.kind else {
            return;
        };
        if let Some(v) = r.take(parsers::single_value::parse_sysctl_value(&c.text)) {
            r.deferred.proc_sys.insert(key.clone(), v);
        }
    }),
};
