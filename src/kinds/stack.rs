//! The layers above the NIC: protocol counters (`/proc/net/snmp`, `/proc/net/netstat`,
//! `nstat`, `netstat -s`), `/proc/net/sockstat`, `tc -s qdisc` and `conntrack -S`.

use std::collections::BTreeMap;

use rules::model::{merge_sockets, CounterSample, Qdisc, QdiscBacklog, SocketInfo};

use super::{fixed_label, row, CaptureKind, Kind, Read, Reading, Sniff, Start, UNNAMED_INTERFACE};

/// The protocol counters the model keeps (by their `nstat` names): the drop counters of the
/// protocol-layers table and the totals their shares are taken of. A capture prints hundreds;
/// keeping these bounds what a long capture log costs.
pub const PROTOCOL_COUNTERS: &[&str] = &[
    "IpInReceives",
    "IpInDiscards",
    "IpOutDiscards",
    "IpOutNoRoutes",
    "IpReasmFails",
    "TcpInSegs",
    "TcpOutSegs",
    "TcpRetransSegs",
    "TcpInErrs",
    "TcpInCsumErrors",
    "TcpExtListenOverflows",
    "TcpExtListenDrops",
    "TcpExtTCPReqQFullDrop",
    "TcpExtTCPReqQFullDoCookies",
    "TcpExtSyncookiesSent",
    "TcpExtSyncookiesFailed",
    "TcpExtTCPBacklogDrop",
    "TcpExtTCPRcvQDrop",
    "TcpExtTCPOFODrop",
    "TcpExtPruneCalled",
    "TcpExtRcvPruned",
    "TcpExtOfoPruned",
    "TcpExtTCPZeroWindowDrop",
    "TcpExtTCPMemoryPressures",
    "TcpExtTCPAbortOnMemory",
    "TcpExtIPReversePathFilter",
    "UdpInDatagrams",
    "UdpOutDatagrams",
    "UdpInErrors",
    "UdpRcvbufErrors",
    "UdpSndbufErrors",
    "UdpMemErrors",
    "UdpInCsumErrors",
    "UdpNoPorts",
    "Udp6InDatagrams",
    "Udp6InErrors",
    "Udp6RcvbufErrors",
    "Udp6SndbufErrors",
    "Udp6MemErrors",
    "Udp6InCsumErrors",
];

/// Adds one reading of protocol counters, keeping [`PROTOCOL_COUNTERS`].
fn add_protocol(r: &mut Reading<'_>, source: &str, all: &BTreeMap<String, u64>) {
    let counters: BTreeMap<String, u64> = PROTOCOL_COUNTERS
        .iter()
        .filter_map(|k| Some((k.to_string(), *all.get(*k)?)))
        .collect();
    if counters.is_empty() {
        return;
    }
    r.host.protocol.samples.push(CounterSample {
        time: r.time,
        source: source.to_string(),
        counters,
        approximate: false,
    });
}

/// `/proc/net/snmp`, `/proc/net/netstat`, `/proc/net/snmp6`.
pub static PROC_NET_SNMP: Kind = Kind {
    label: fixed_label!("/proc/net/snmp"),
    paths: &[row!(Sos, ["proc", "net"], "(?:snmp6?|netstat)", |_, _| {
        Some(CaptureKind::ProcNetSnmp)
    })],
    argv: None,
    sniff: Some(Sniff {
        order: 13,
        test: |h| {
            // Indented too: a paste may indent every line.
            let line = |i: usize| h.lines.get(i).and_then(|l| snmp_line(l.trim_start()));
            let pair = match (line(0), line(1)) {
                (Some((group, SnmpLine::Names)), Some((next, SnmpLine::Values))) => group == next,
                _ => false,
            };
            (pair || snmp6_first(h.first.trim_start())).then_some(CaptureKind::ProcNetSnmp)
        },
    }),
    // Before the headerless `/proc/net/dev` row (orders 4 and 23): `IcmpMsg: 1 2 … 16` has
    // its shape (a name, a colon, 16 numbers), and inside an `snmp` paste it must not start
    // another output. Indented too: a paste may indent the lines.
    starts: &[
        Start {
            order: 3,
            indented: true,
            test: |line| snmp_line(line).map(|_| CaptureKind::ProcNetSnmp),
        },
        Start {
            order: 22,
            indented: false,
            test: |line| snmp_line(line).map(|_| CaptureKind::ProcNetSnmp),
        },
    ],
    read: Read::Data(|r, c, _| {
        let parsed = r.take(parsers::snmp::parse(&c.text));
        add_protocol(r, &c.source, &parsed.counters);
    }),
};

/// Which line of a `/proc/net/snmp` or `/proc/net/netstat` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SnmpLine {
    /// `Group: Name Name …`: counter names, each starting upper case (`InType3`,
    /// `SyncookiesSent`, `TCPLossProbes`).
    Names,
    /// `Group: 1 -1 …`: integers (`Tcp MaxConn` is `-1`).
    Values,
}

/// A line of a `/proc/net/snmp` or `/proc/net/netstat` pair, with its group. Any pair counts,
/// not only the file's first (`Ip: Forwarding …`): a paste may start anywhere, and a value
/// line such as `IcmpMsg: 1 2 … 16` must never pass for a headerless `/proc/net/dev` row.
fn snmp_line(line: &str) -> Option<(&str, SnmpLine)> {
    let (group, rest) = line.split_once(": ")?;
    // Upper case would be `ss -s` or `/proc/net/sockstat` (`TCP:`); a bare `Ip:` is `netstat -s`.
    if !parsers::snmp::PAIR_GROUPS.contains(&group) {
        return None;
    }
    let mut tokens = rest.split_ascii_whitespace().peekable();
    let first = *tokens.peek()?;
    let name = |t: &str| {
        t.as_bytes()[0].is_ascii_uppercase()
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let value = |t: &str| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let kind = if name(first) {
        SnmpLine::Names
    } else if value(first) {
        SnmpLine::Values
    } else {
        return None;
    };
    let all = match kind {
        SnmpLine::Names => tokens.all(name),
        SnmpLine::Values => tokens.all(value),
    };
    all.then_some((group, kind))
}

/// The first line of `/proc/net/snmp6` (`Ip6InReceives` and a number, tab-aligned).
fn snmp6_first(line: &str) -> bool {
    line.strip_prefix("Ip6InReceives").is_some_and(|rest| {
        let n = rest.trim_start();
        n.len() < rest.len() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `nstat` (iproute2): `#kernel` then `Name value rate` rows.
pub static NSTAT: Kind = Kind {
    label: fixed_label!("nstat"),
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        "nstat_-[a-z]+",
        |_, _| Some(CaptureKind::Nstat)
    )],
    argv: Some(|name, args, ns| {
        // Without `-a` nstat prints what changed since its last run: only absolute values
        // are counters.
        let absolute = args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('a'));
        (name == "nstat" && ns.is_none() && absolute).then_some(CaptureKind::Nstat)
    }),
    // Its `#kernel` (or daemon) line, `-j` JSON (`{"kernel":{`, maybe pretty-printed), or
    // rows pasted without a header (`nstat -az | grep Drop`): then every line must be a row
    // named after a kernel group.
    sniff: Some(Sniff {
        order: 14,
        test: |h| {
            let json = || {
                let start: String = h
                    .lines
                    .iter()
                    .take(2)
                    .flat_map(|l| l.split_whitespace())
                    .collect();
                start.starts_with(r#"{"kernel":{"#)
            };
            let rows = || h.lines.iter().all(|l| parsers::nstat::is_counter_row(l));
            (parsers::nstat::is_header(h.first) || json() || rows()).then_some(CaptureKind::Nstat)
        },
    }),
    starts: &[Start {
        order: 24,
        indented: false,
        test: |line| parsers::nstat::is_header(line).then_some(CaptureKind::Nstat),
    }],
    read: Read::Data(|r, c, _| {
        let parsed = r.take(parsers::nstat::parse(&c.text));
        add_protocol(r, &c.source, &parsed.counters.counters);
    }),
};

/// `netstat -s` (net-tools): prose per protocol, mapped to `nstat` names by the parser.
pub static NETSTAT_S: Kind = Kind {
    label: fixed_label!("netstat -s"),
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        "netstat_-s",
        |_, _| Some(CaptureKind::NetstatS)
    )],
    argv: Some(|name, args, ns| {
        (name == "netstat" && ns.is_none() && matches!(args, ["-s"] | ["-s", "-n"] | ["-sn"]))
            .then_some(CaptureKind::NetstatS)
    }),
    // Any section first (a paste may start at `TcpExt:`), or a fragment without its header
    // (`netstat -s | grep -i drop`) whose first line has a wording of one counter.
    sniff: Some(Sniff {
        order: 15,
        test: |h| {
            let header = parsers::netstat_s::is_section_header(h.first)
                && h.lines.get(1).is_some_and(|l| l.starts_with([' ', '\t']));
            (header || parsers::netstat_s::is_known_prose(h.first)).then_some(CaptureKind::NetstatS)
        },
    }),
    starts: &[Start {
        order: 25,
        indented: false,
        test: |line| parsers::netstat_s::is_section_header(line).then_some(CaptureKind::NetstatS),
    }],
    read: Read::Data(|r, c, _| {
        let parsed = r.take(parsers::netstat_s::parse(&c.text));
        add_protocol(r, &c.source, &parsed.counters.counters);
    }),
};

/// `/proc/net/sockstat`: socket counts and memory (pages) per protocol.
pub static SOCKSTAT: Kind = Kind {
    label: fixed_label!("/proc/net/sockstat"),
    paths: &[row!(Sos, ["proc", "net"], "sockstat", |_, _| Some(
        CaptureKind::Sockstat
    ))],
    argv: None,
    sniff: Some(Sniff {
        order: 16,
        test: |h| {
            h.first
                .starts_with("sockets: used ")
                .then_some(CaptureKind::Sockstat)
        },
    }),
    starts: &[Start {
        order: 26,
        indented: false,
        test: |line| {
            line.starts_with("sockets: used ")
                .then_some(CaptureKind::Sockstat)
        },
    }],
    read: Read::Data(|r, c, _| {
        let s = r.take(parsers::sockstat::parse(&c.text));
        // Keys `TCP_mem`, `UDP_inuse`, …: every level of every line.
        let counters: BTreeMap<String, u64> = s
            .lines
            .iter()
            .flat_map(|l| {
                l.fields
                    .iter()
                    .map(move |(k, v)| (format!("{}_{k}", l.label), *v))
            })
            .collect();
        if !counters.is_empty() {
            r.host.sockstat.add(CounterSample {
                time: r.time,
                source: c.source.clone(),
                counters,
                approximate: false,
            });
        }
    }),
};

/// `tc -s qdisc show [dev DEV]`.
pub static QDISC: Kind = Kind {
    label: |k| match k {
        CaptureKind::Qdisc { dev: Some(dev) } => format!("tc -s qdisc show dev {dev}"),
        _ => "tc -s qdisc show".to_string(),
    },
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        "tc_-s_qdisc_show",
        |_, _| Some(CaptureKind::Qdisc { dev: None })
    )],
    argv: Some(|name, args, ns| {
        if name != "tc" || ns.is_some() {
            return None;
        }
        let at = args.iter().position(|a| *a == "qdisc")?;
        let stats = args[..at].iter().any(|a| matches!(*a, "-s" | "-stats"));
        let dev = match &args[at + 1..] {
            [] | ["show"] | ["list"] | ["ls"] => None,
            ["show" | "list" | "ls", "dev", dev] => Some(dev.to_string()),
            _ => return None,
        };
        stats.then_some(CaptureKind::Qdisc { dev })
    }),
    sniff: Some(Sniff {
        order: 17,
        test: |h| qdisc_header(h.first).then_some(CaptureKind::Qdisc { dev: None }),
    }),
    starts: &[Start {
        order: 27,
        indented: false,
        test: |line| qdisc_header(line).then_some(CaptureKind::Qdisc { dev: None }),
    }],
    read: Read::Data(|r, c, _| {
        let parsed = match &c.kind {
            CaptureKind::Qdisc { dev: Some(dev) } => parsers::qdisc::parse_dev(&c.text, dev),
            _ => parsers::qdisc::parse(&c.text),
        };
        let qdiscs = r.take(parsed).qdiscs;
        // `tc -s qdisc show dev X` leaves the device out of its lines: pasted alone, its
        // drops still count (never dropped for want of a name), under a name that says so.
        if let Some(q) = qdiscs.iter().find(|q| q.dev.is_none()) {
            let what = "the qdisc output (`tc -s qdisc show dev X` leaves it out)";
            r.warn_unnamed(q.line, what);
        }
        for q in qdiscs {
            add_qdisc(r, &c.source, q);
        }
    }),
};

/// `qdisc KIND HANDLE: …`, with `root` or `parent`.
fn qdisc_header(line: &str) -> bool {
    line.starts_with("qdisc ") && (line.contains(" root") || line.contains(" parent "))
}

/// Adds one qdisc's reading to the qdisc of the same device, parent and handle.
fn add_qdisc(r: &mut Reading<'_>, source: &str, q: parsers::qdisc::Qdisc) {
    let dev = q
        .dev
        .clone()
        .unwrap_or_else(|| UNNAMED_INTERFACE.to_string());
    let parent = if q.root { None } else { q.parent.clone() };
    let mut counters: BTreeMap<String, u64> = [
        ("sent_bytes", q.sent_bytes),
        ("sent_packets", q.sent_packets),
        ("dropped", q.dropped),
        ("overlimits", q.overlimits),
        ("requeues", q.requeues),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_string(), v?)))
    .collect();
    for key in ["drop_overlimit", "drop_overmemory", "ecn_mark"] {
        if let Some(v) = q.xstats.get(key) {
            counters.insert(key.to_string(), *v);
        }
    }
    let backlog = q.backlog_bytes.zip(q.backlog_packets);
    let host = &mut *r.host;
    let pos = host
        .qdiscs
        .iter()
        .position(|x| x.dev == dev && x.parent == parent && x.handle == q.handle);
    let entry = match pos {
        Some(p) => &mut host.qdiscs[p],
        None => {
            host.qdiscs.push(Qdisc {
                dev,
                namespace: None,
                kind: q.kind.clone(),
                handle: q.handle.clone(),
                parent,
                sums_children: q.sums_children,
                counters: Default::default(),
                backlog: None,
            });
            host.qdiscs.last_mut().expect("just pushed")
        }
    };
    entry.kind = q.kind;
    if let Some((bytes, packets)) = backlog {
        entry.backlog = Some(QdiscBacklog { bytes, packets });
    }
    if !counters.is_empty() {
        entry.counters.samples.push(CounterSample {
            time: r.time,
            source: source.to_string(),
            counters,
            approximate: false,
        });
    }
}

/// `conntrack -S` and `/proc/net/stat/nf_conntrack`: counters per CPU, kept as their sum.
pub static CONNTRACK: Kind = Kind {
    label: fixed_label!("conntrack -S"),
    paths: &[
        row!(
            Sos,
            ["sos_commands", "conntrack"],
            "conntrack_-S",
            |_, _| Some(CaptureKind::Conntrack)
        ),
        row!(Sos, ["proc", "net", "stat"], "nf_conntrack", |_, _| Some(
            CaptureKind::Conntrack
        )),
    ],
    argv: Some(|name, args, ns| {
        (name == "conntrack" && ns.is_none() && matches!(args, ["-S"] | ["--stats"]))
            .then_some(CaptureKind::Conntrack)
    }),
    sniff: Some(Sniff {
        order: 18,
        test: |h| conntrack_start(h.first).then_some(CaptureKind::Conntrack),
    }),
    starts: &[Start {
        order: 28,
        indented: false,
        test: |line| conntrack_start(line).then_some(CaptureKind::Conntrack),
    }],
    read: Read::Data(|r, c, _| {
        let stats = r.take(parsers::conntrack::parse(&c.text));
        // `entries` is a level (the table's fill), not a counter.
        let counters: BTreeMap<String, u64> = stats
            .total
            .into_iter()
            .filter(|(k, _)| k != "entries")
            .collect();
        if !counters.is_empty() {
            r.host.conntrack.samples.push(CounterSample {
                time: r.time,
                source: c.source.clone(),
                counters,
                approximate: false,
            });
        }
    }),
};

/// `cpu=0 found=…` (conntrack -S) or the `/proc/net/stat/nf_conntrack` header.
fn conntrack_start(line: &str) -> bool {
    (line.starts_with("cpu=0") && line.contains("found="))
        || (line.starts_with("entries") && line.contains("insert_failed"))
}

/// `ss` (iproute2): sockets, of which the listeners and the UDP sockets with drops are kept
/// for the socket rules to name. sos: `ss -peaonmi` (sos ≥ 3.x, kmod-gated), older `ss
/// -tupna` / `ss -ntaupe`; supportconfig `network.txt`: `ss -nap`; capture logs: `ss -lnt`,
/// `ss -lunm`, … `-s` (`ss -s`) is the summary, another layout, and is not this kind.
pub static SS: Kind = Kind {
    label: |k| match k {
        CaptureKind::Ss { netid: Some(n) } => format!("ss ({n})"),
        _ => "ss".to_string(),
    },
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        "ss_-(?P<opts>[A-Za-z]+)",
        |_, c| ss_kind(&[c.name("opts")?.as_str()])
    )],
    argv: Some(|name, args, ns| {
        let flags: Vec<&str> = args
            .iter()
            .filter_map(|a| a.strip_prefix('-').filter(|f| !f.starts_with('-')))
            .collect();
        let long = |l: &str| args.iter().any(|a| a.strip_prefix("--") == Some(l));
        if name != "ss" || ns.is_some() || long("summary") {
            return None;
        }
        let kind = ss_kind(&flags)?;
        match kind {
            CaptureKind::Ss { netid: None } if long("tcp") != long("udp") => {
                Some(CaptureKind::Ss {
                    netid: Some(if long("tcp") { "tcp" } else { "udp" }.to_string()),
                })
            }
            k => Some(k),
        }
    }),
    sniff: Some(Sniff {
        order: 19,
        test: |h| ss_header(h.first).then_some(CaptureKind::Ss { netid: None }),
    }),
    starts: &[Start {
        order: 29,
        indented: false,
        test: |line| ss_header(line).then_some(CaptureKind::Ss { netid: None }),
    }],
    read: Read::Data(|r, c, _| {
        let netid = match &c.kind {
            CaptureKind::Ss { netid } => netid.clone(),
            _ => None,
        };
        let sockets = r.take(parsers::ss::parse(&c.text));
        let kept: Vec<SocketInfo> = sockets
            .into_iter()
            .filter_map(|s| socket_info(s, netid.as_deref(), r.time, &c.source))
            .collect();
        merge_sockets(&mut r.host.sockets, kept);
    }),
};

/// The kind of `ss` with these short-option clusters (`peaonmi`, `lnt`); `None` for the
/// summary (`-s`). Only `-t` or only `-u` says the protocol of rows that print no Netid.
fn ss_kind(clusters: &[&str]) -> Option<CaptureKind> {
    let has = |c: char| clusters.iter().any(|f| f.contains(c));
    if has('s') {
        return None;
    }
    let netid = match (has('t'), has('u')) {
        (true, false) => Some("tcp".to_string()),
        (false, true) => Some("udp".to_string()),
        _ => None,
    };
    Some(CaptureKind::Ss { netid })
}

/// `Netid State Recv-Q …` or `State Recv-Q Send-Q …`.
fn ss_header(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().take(3).collect();
    matches!(
        t[..],
        ["Netid", "State", "Recv-Q"] | ["State", "Recv-Q", "Send-Q"]
    )
}

/// The socket as the rules need it, when it is one they name: a TCP listener, or a UDP
/// socket with drops. A row without Netid takes the command's protocol; when the command is
/// not known (a pasted `ss -lunm`), `LISTEN` says TCP and `UNCONN` UDP (the protocols `ss -t`
/// and `ss -u` print without Netid), and other rows are not kept.
fn socket_info(
    s: parsers::ss::Socket,
    netid: Option<&str>,
    time: Option<rules::model::Timestamp>,
    source: &str,
) -> Option<SocketInfo> {
    let protocol = match s.netid.as_deref().or(netid) {
        Some(n) => n.to_string(),
        None if s.state == "LISTEN" => "tcp".to_string(),
        None if s.state == "UNCONN" => "udp".to_string(),
        None => return None,
    };
    let drops = s.drops();
    let wanted = match protocol.as_str() {
        "tcp" => s.state == "LISTEN",
        "udp" => drops.is_some_and(|d| d > 0),
        _ => false,
    };
    if !wanted {
        return None;
    }
    let user = s.users.first();
    Some(SocketInfo {
        protocol,
        state: s.state.clone(),
        local: s.local.clone(),
        process: user.map(|u| u.name.clone()),
        pid: user.and_then(|u| u.pid),
        recv_q: s.recv_q,
        send_q: s.send_q,
        rcvbuf: s.rcvbuf(),
        drops,
        time,
        source: source.to_string(),
    })
}
