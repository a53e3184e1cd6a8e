//! `ethtool -S` (and `--phy-statistics`), `-g`, `-l` and `-i`: driver counters, ring sizes,
//! channels and the driver, per device and network namespace.

use rules::model::{Channels, EthtoolSample, Interface, InterfaceKind, Ring};

use super::{named, CaptureKind, Head, Kind, Layout, PathRow, Read, Reading, Sniff, Start};

const ETHTOOL_S: &str = r"(?:ip_netns_exec_(?P<ns>.+?)_)?ethtool_-S_(?P<dev>.+)";
const ETHTOOL_PHY: &str = r"(?:ip_netns_exec_(?P<ns>.+?)_)?ethtool_--phy-statistics_(?P<dev>.+)";
const ETHTOOL_G: &str = r"(?:ip_netns_exec_(?P<ns>.+?)_)?ethtool_-g_(?P<dev>.+)";
const ETHTOOL_L: &str = r"(?:ip_netns_exec_(?P<ns>.+?)_)?ethtool_-l_(?P<dev>.+)";
const ETHTOOL_I: &str = r"(?:ip_netns_exec_(?P<ns>.+?)_)?ethtool_-i_(?P<dev>.+)";
/// Flat (sos ≤ 4.2, namespaced names flat too) and per-namespace directories (≥ 4.3).
const NETWORKING: &[&str] = &["sos_commands", "networking"];
const NAMESPACES: &[&str] = &["sos_commands", "networking", "namespaces", "*"];

/// `sos_paths!(make; (dir, file), …)`: sos path rows whose file pattern has `dev` (and `ns`)
/// groups, each building its kind with `make`.
macro_rules! sos_paths {
    ($make:ident; $(($dir:expr, $file:expr)),+) => {
        &[$(PathRow {
            layout: Layout::Sos,
            dir: $dir,
            file: $file,
            build: |_, c| from_path(c, $make),
        }),+]
    };
}

/// The kind built from a path's `dev` and `ns` groups.
fn from_path(
    c: &regex::Captures,
    make: fn(String, Option<String>) -> CaptureKind,
) -> Option<CaptureKind> {
    Some(make(named(c, "dev")?, named(c, "ns")))
}

/// `ethtool <option> <dev>` with one of `options`.
fn from_argv(
    name: &str,
    args: &[&str],
    ns: Option<&str>,
    options: &[&str],
    make: fn(String, Option<String>) -> CaptureKind,
) -> Option<CaptureKind> {
    let [opt, dev] = args else { return None };
    (name == "ethtool" && options.contains(opt))
        .then(|| make(dev.to_string(), ns.map(str::to_string)))
}

fn stats(dev: String, ns: Option<String>) -> CaptureKind {
    CaptureKind::EthtoolStats { dev, ns }
}
fn ring(dev: String, ns: Option<String>) -> CaptureKind {
    CaptureKind::EthtoolRing { dev, ns }
}
fn channels(dev: String, ns: Option<String>) -> CaptureKind {
    CaptureKind::EthtoolChannels { dev, ns }
}
fn info(dev: String, ns: Option<String>) -> CaptureKind {
    CaptureKind::EthtoolInfo { dev, ns }
}

/// The device and namespace of an ethtool capture.
fn device(k: &CaptureKind) -> Option<(&str, Option<&str>)> {
    match k {
        CaptureKind::EthtoolStats { dev, ns }
        | CaptureKind::EthtoolRing { dev, ns }
        | CaptureKind::EthtoolChannels { dev, ns }
        | CaptureKind::EthtoolInfo { dev, ns } => Some((dev, ns.as_deref())),
        _ => None,
    }
}

/// `ethtool <option> <dev>`.
fn label(option: &str, k: &CaptureKind) -> String {
    format!("ethtool {option} {}", device(k).map_or("", |(dev, _)| dev))
}

/// The interface an ethtool capture describes.
fn interface<'h>(r: &'h mut Reading<'_>, k: &CaptureKind) -> Option<&'h mut Interface> {
    let (dev, ns) = device(k)?;
    let what = "the ethtool output (without its command line)";
    let dev = r.device_or_unnamed(dev, 1, what);
    Some(r.host.interface_mut(dev, ns))
}

pub static STATS: Kind = Kind {
    label: |k| label("-S", k),
    paths: sos_paths!(stats; (NETWORKING, ETHTOOL_S), (NETWORKING, ETHTOOL_PHY), (NAMESPACES, ETHTOOL_S)),
    argv: Some(|name, args, ns| {
        from_argv(
            name,
            args,
            ns,
            &["-S", "--statistics", "--phy-statistics"],
            stats,
        )
    }),
    sniff: Some(Sniff {
        order: 8,
        test: sniff_stats,
    }),
    starts: &[Start {
        order: 14,
        indented: false,
        test: |line| {
            (line == "NIC statistics:" || line == "PHY statistics:")
                .then(|| stats(String::new(), None))
        },
    }],
    read: Read::Data(|r, c, _| {
        let s = r.take(parsers::ethtool::parse_stats(&c.text));
        if s.stats.is_empty() {
            return;
        }
        let time = r.time;
        if let Some(iface) = interface(r, &c.kind) {
            iface.ethtool.push(EthtoolSample {
                time,
                source: c.source.clone(),
                stats: s.stats,
            });
        }
    }),
};

pub static RING: Kind = Kind {
    label: |k| label("-g", k),
    paths: sos_paths!(ring; (NETWORKING, ETHTOOL_G), (NAMESPACES, ETHTOOL_G)),
    argv: Some(|name, args, ns| from_argv(name, args, ns, &["-g", "--show-ring"], ring)),
    sniff: Some(Sniff {
        order: 6,
        test: |h| {
            h.first
                .starts_with("Ring parameters for ")
                .then(|| ring(h.device(), None))
        },
    }),
    starts: &[Start {
        order: 15,
        indented: false,
        test: |line| parameters_for("Ring", line).map(|dev| ring(dev, None)),
    }],
    read: Read::Data(|r, c, _| {
        let g = r.take(parsers::ethtool::parse_ring(&c.text));
        if g.rx.is_some() || g.rx_max.is_some() || g.tx.is_some() || g.tx_max.is_some() {
            let ring = Ring {
                rx: g.rx,
                rx_max: g.rx_max,
                tx: g.tx,
                tx_max: g.tx_max,
                source: c.source.clone(),
            };
            if let Some(iface) = interface(r, &c.kind) {
                record_ring(iface, ring);
            }
        }
    }),
};

pub static CHANNELS: Kind = Kind {
    label: |k| label("-l", k),
    paths: sos_paths!(channels; (NETWORKING, ETHTOOL_L), (NAMESPACES, ETHTOOL_L)),
    argv: Some(|name, args, ns| from_argv(name, args, ns, &["-l", "--show-channels"], channels)),
    sniff: Some(Sniff {
        order: 7,
        test: |h| {
            h.first
                .starts_with("Channel parameters for ")
                .then(|| channels(h.device(), None))
        },
    }),
    starts: &[Start {
        order: 15,
        indented: false,
        test: |line| parameters_for("Channel", line).map(|dev| channels(dev, None)),
    }],
    read: Read::Data(|r, c, _| {
        let ch = r.take(parsers::ethtool::parse_channels(&c.text));
        if ch.tool_error.is_some() {
            return;
        }
        if let Some(iface) = interface(r, &c.kind) {
            iface.channels = Some(Channels {
                rx: ch.current.rx,
                rx_max: ch.max.rx,
                tx: ch.current.tx,
                tx_max: ch.max.tx,
                other: ch.current.other,
                other_max: ch.max.other,
                combined: ch.current.combined,
                combined_max: ch.max.combined,
                source: c.source.clone(),
            });
        }
    }),
};

pub static INFO: Kind = Kind {
    label: |k| label("-i", k),
    paths: sos_paths!(info; (NETWORKING, ETHTOOL_I), (NAMESPACES, ETHTOOL_I)),
    argv: Some(|name, args, ns| from_argv(name, args, ns, &["-i", "--driver"], info)),
    sniff: Some(Sniff {
        order: 9,
        test: |h| {
            let is_info = h.first.starts_with("driver: ")
                && h.lines.iter().any(|l| l.starts_with("bus-info:"));
            is_info.then(|| info(h.device_from_name(), None))
        },
    }),
    starts: &[],
    read: Read::Data(|r, c, _| {
        let info = r.take(parsers::ethtool::parse_driver_info(&c.text));
        let Some(driver) = info.driver else { return };
        if let Some(iface) = interface(r, &c.kind) {
            if iface.kind == InterfaceKind::Other {
                iface.kind = kind_from_driver(&driver, info.bus_info.as_deref());
            }
            iface.driver = Some(driver);
        }
    }),
};

/// A new `ethtool -g` reading: it becomes the latest, and when it differs from the one before
/// (a paste of `ethtool -g` before and after `ethtool -G`) both are kept in `ring_readings`.
fn record_ring(iface: &mut Interface, ring: Ring) {
    let same =
        |a: &Ring, b: &Ring| (a.rx, a.rx_max, a.tx, a.tx_max) == (b.rx, b.rx_max, b.tx, b.tx_max);
    if let Some(prev) = iface.ring.take() {
        if !same(&prev, &ring) {
            if iface.ring_readings.is_empty() {
                iface.ring_readings.push(prev);
            }
            iface.ring_readings.push(ring.clone());
        }
    }
    iface.ring = Some(ring);
}

/// Kind from `ethtool -i`: virtual drivers name their kind; a bus address means hardware.
fn kind_from_driver(driver: &str, bus_info: Option<&str>) -> InterfaceKind {
    match driver {
        "bridge" => InterfaceKind::Bridge,
        "tun" => InterfaceKind::Tap,
        "veth" => InterfaceKind::Veth,
        "bonding" => InterfaceKind::Bond,
        "802.1Q VLAN Support" => InterfaceKind::Vlan,
        "vxlan" | "geneve" | "ipip" | "ip_gre" | "ip6_gre" | "sit" | "ip6_tunnel" | "ip_vti"
        | "wireguard" => InterfaceKind::Tunnel,
        "macvlan" | "ipvlan" | "dummy" | "ifb" | "team" | "vrf" | "openvswitch" | "nlmon" => {
            InterfaceKind::Other
        }
        _ if bus_info.is_some_and(|b| !b.is_empty()) => InterfaceKind::Physical,
        _ => InterfaceKind::Other,
    }
}

/// `NIC statistics:` / `PHY statistics:` (device from the file name) or `Standard stats for
/// DEV:` (newer ethtool names it).
fn sniff_stats(h: &Head<'_>) -> Option<CaptureKind> {
    let first = h.first;
    if first == "NIC statistics:" || first == "PHY statistics:" {
        return Some(stats(h.device_from_name(), None));
    }
    let dev = first.strip_prefix("Standard stats for ")?;
    let dev = dev
        .strip_suffix(':')
        .map(str::to_string)
        .unwrap_or_else(|| h.device_from_name());
    Some(stats(dev, None))
}

/// The device of a `Ring parameters for eth0:` / `Channel parameters for eth0:` line (`what`
/// is `Ring` or `Channel`), without a `@parent` suffix.
fn parameters_for(what: &str, line: &str) -> Option<String> {
    let rest = line.strip_prefix(what)?.strip_prefix(" parameters for ")?;
    let end = rest
        .find(|c: char| c == ':' || c == '@' || c.is_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}
