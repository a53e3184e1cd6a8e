//! `ipvsadm -L…`: the IPVS connection table size, active connections and rates.

use rules::model::{Host, IpvsSample, Timestamp};

use super::{named, row, CaptureKind, Kind, Read, Start};

pub static IPVSADM: Kind = Kind {
    label: |k| match k {
        CaptureKind::Ipvsadm { args } => format!("ipvsadm {args}"),
        _ => String::new(),
    },
    paths: &[row!(
        Sos,
        ["sos_commands", "ipvs"],
        r"ipvsadm_(?P<args>-L.*)",
        |_, c| Some(CaptureKind::Ipvsadm {
            args: named(c, "args")?.replace('_', " ")
        })
    )],
    argv: Some(|name, args, ns| {
        (name == "ipvsadm" && ns.is_none() && args.first().is_some_and(|a| a.starts_with("-L")))
            .then(|| CaptureKind::Ipvsadm {
                args: args.join(" "),
            })
    }),
    sniff: None,
    starts: &[Start {
        order: 20,
        indented: false,
        test: |line| {
            (line.starts_with("IP Virtual Server version")
                || line.starts_with("IPVS connection entries"))
            .then(|| CaptureKind::Ipvsadm {
                args: String::new(),
            })
        },
    }],
    read: Read::Data(|r, c, _| {
        let ipvs = r.take(parsers::ipvsadm::parse(&c.text));
        apply(r.host, ipvs, r.time, &c.source);
    }),
};

fn apply(host: &mut Host, ipvs: parsers::ipvsadm::Ipvsadm, time: Option<Timestamp>, source: &str) {
    let connections = ipvs.connections.or_else(|| {
        let per_rs = ipvs.services.iter().flat_map(|s| &s.real_servers);
        let mut any = false;
        let mut sum = 0u64;
        for rs in per_rs {
            if let (Some(a), Some(i)) = (rs.active_conn, rs.inact_conn) {
                any = true;
                sum = sum.saturating_add(a).saturating_add(i);
            }
        }
        any.then_some(sum)
    });
    host.ipvs.push(IpvsSample {
        time,
        source: source.to_string(),
        table_size: ipvs.table_size,
        connections,
        timeouts: ipvs.timeouts,
        services: ipvs
            .services
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok())
            .collect(),
        represents: 1,
    });
}
