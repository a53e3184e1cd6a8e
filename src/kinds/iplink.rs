//! `ip -s -s link` (every iproute2 text layout) and `ip -j link` (its JSON): interfaces, their
//! counters and what the link says of itself (kind, master, queue length, MTU, peer).

use regex::Regex;
use std::sync::OnceLock;

use rules::model::{BondRole, CounterSample, Host, InterfaceKind, Timestamp};

use super::{
    fixed_label, note_usage_flags, re, row, CaptureKind, Kind, Preparsed, Read, Sniff, Start,
};

/// Every spelling of `ip … link` with statistics that sos versions used (and plain `ip link`).
const IP_LINK_FILES: &str = r"ip_(?:-s_-d_|-d_-s_|-s_-s_-d_|-s_-s_|-s_|-d_|-stats_)?link";

/// `ip [options] link [show|ls|list] [dev] [NAME] [up]`, in the root namespace; `json` picks
/// `-j` or not.
fn ip_link(name: &str, args: &[&str], ns: Option<&str>, json: bool) -> Option<CaptureKind> {
    if name != "ip" || ns.is_some() {
        return None;
    }
    let at = args
        .iter()
        .position(|a| matches!(*a, "link" | "l" | "li" | "lin"))?;
    let opts_ok = args[..at].iter().all(|o| {
        matches!(
            *o,
            "-s" | "-stats"
                | "-statistics"
                | "-d"
                | "-details"
                | "-h"
                | "-human"
                | "-iec"
                | "-j"
                | "-json"
                | "-p"
                | "-pretty"
        )
    });
    let is_json = args[..at].iter().any(|o| matches!(*o, "-j" | "-json"));
    let mut rest = args[at + 1..].iter().copied().peekable();
    rest.next_if(|w| matches!(*w, "show" | "ls" | "list" | "sh" | "lst"));
    rest.next_if(|w| *w == "dev");
    rest.next_if(|w| !w.starts_with('-'));
    rest.next_if(|w| *w == "up");
    let link = rest.next().is_none();
    (link && opts_ok && is_json == json).then_some(if json {
        CaptureKind::IpJson
    } else {
        CaptureKind::IpLink
    })
}

pub static IP_LINK: Kind = Kind {
    label: fixed_label!("ip link"),
    paths: &[row!(
        Sos,
        ["sos_commands", "networking"],
        IP_LINK_FILES,
        |_, _| Some(CaptureKind::IpLink)
    )],
    argv: Some(|name, args, ns| ip_link(name, args, ns, false)),
    sniff: Some(Sniff {
        order: 3,
        test: |h| {
            static HEADER: OnceLock<Regex> = OnceLock::new();
            re(&HEADER, r"^\d+:\s+\S+:\s+<[A-Z0-9_,-]*>")
                .is_match(h.first)
                .then_some(CaptureKind::IpLink)
        },
    }),
    starts: &[Start {
        order: 11,
        indented: false,
        // The header may be cut by a forum before the closing `>` of its flags.
        test: |line| {
            static HEADER: OnceLock<Regex> = OnceLock::new();
            (starts_with_index_colon(line)
                && re(&HEADER, r"^\d+:\s+\S+:\s+<[A-Z0-9_,-]*(?:>|$)").is_match(line))
            .then_some(CaptureKind::IpLink)
        },
    }],
    read: Read::Data(|r, c, pre| {
        let parsed = match pre {
            Preparsed::IpLink(p) => p,
            _ => parsers::iplink::parse(&c.text),
        };
        for link in r.take(parsed) {
            apply(r.host, link, r.time, &c.source);
        }
    }),
};

pub static IP_JSON: Kind = Kind {
    label: fixed_label!("ip -j link"),
    paths: &[],
    argv: Some(|name, args, ns| ip_link(name, args, ns, true)),
    sniff: Some(Sniff {
        order: 5,
        test: |h| {
            let json = (h.first.starts_with('[') || h.first.starts_with('{'))
                && h.lines.iter().take(4).any(|l| l.contains("\"ifname\""));
            json.then_some(CaptureKind::IpJson)
        },
    }),
    starts: &[Start {
        order: 18,
        indented: false,
        // `[{"ifindex":…` on one line, or `[` / `[ {` of `-p`.
        test: |line| {
            let json = line.strip_prefix('[').is_some_and(|rest| {
                let rest = rest.trim();
                rest.starts_with("{\"ifindex\"") || rest.starts_with("{\"ifname\"") || rest == "{"
            });
            json.then_some(CaptureKind::IpJson)
        },
    }],
    read: Read::Data(|r, c, _| {
        for link in r.take(parsers::ipjson::parse(&c.text)) {
            apply(r.host, link, r.time, &c.source);
        }
    }),
};

fn apply(host: &mut Host, link: parsers::iplink::IpLink, time: Option<Timestamp>, source: &str) {
    let iface = host.interface_mut(&link.name, None);
    iface.ifindex = iface.ifindex.or(link.index);
    iface.master = link.master.clone().or(iface.master.take());
    iface.qlen = link.qlen.or(iface.qlen);
    iface.mtu = link.mtu.or(iface.mtu);
    iface.state = link.state.clone().or(iface.state.take());
    iface.link_peer = link.link_peer.clone().or(iface.link_peer.take());
    iface.alias = link.alias.clone().or(iface.alias.take());
    iface.qdisc = link.qdisc.clone().or(iface.qdisc.take());
    if link.link_type.as_deref() == Some("ether") {
        if let Some(mac) = &link.address {
            iface.mac = Some(mac.to_ascii_lowercase());
        }
    }
    note_usage_flags(iface, &link.flags);
    for a in &link.altnames {
        if !iface.altnames.contains(a) {
            iface.altnames.push(a.clone());
        }
    }
    if let Some(kind) = kind_from_ip_details(&link) {
        iface.kind = kind;
    }
    match link.bond_slave_state.as_deref() {
        Some("ACTIVE") => iface.bond_role = Some(BondRole::Active),
        Some("BACKUP") => iface.bond_role = Some(BondRole::Backup),
        _ => {}
    }
    if !link.counters.is_empty() {
        iface.samples.push(CounterSample {
            time,
            source: source.to_string(),
            counters: link.counters,
            approximate: link.approximate,
        });
    }
}

/// Kind from `ip -d link` details (link type, slave kind, link kind).
fn kind_from_ip_details(link: &parsers::iplink::IpLink) -> Option<InterfaceKind> {
    if link.link_type.as_deref() == Some("loopback") {
        return Some(InterfaceKind::Loopback);
    }
    if link.slave_kind.as_deref() == Some("bond") {
        return Some(InterfaceKind::BondSlave);
    }
    let kind = link.kind.as_deref()?;
    Some(match kind {
        "bond" => InterfaceKind::Bond,
        "vlan" => InterfaceKind::Vlan,
        "bridge" => InterfaceKind::Bridge,
        "veth" => InterfaceKind::Veth,
        "tun" | "tap" | "macvtap" | "ipvtap" => InterfaceKind::Tap,
        "gre" | "gretap" | "ip6gre" | "ip6gretap" | "ipip" | "ip6tnl" | "sit" | "vxlan"
        | "geneve" | "vti" | "vti6" | "erspan" | "ip6erspan" | "wireguard" | "bareudp" | "xfrm" => {
            InterfaceKind::Tunnel
        }
        _ => InterfaceKind::Other,
    })
}

/// `N:` at the start of the line, as `ip link` numbers its interfaces.
pub(crate) fn starts_with_index_colon(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line.as_bytes().get(digits) == Some(&b':')
}
