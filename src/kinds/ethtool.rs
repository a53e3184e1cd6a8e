//! `ethtool -S` (and `--phy-statistics`), `-g`, `-l` and `-i`: driver counters, ring sizes,
//! channels and the driver, per device and network namespace.

use rules::model::{Channels, EthtoolSample, Interface, InterfaceKind, Ring};

use super::{CaptureKind, Kind, Read, Reading};

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
    Some(r.host.interface_mut(dev, ns))
}

pub static STATS: Kind = Kind {
    label: |k| label("-S", k),
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
