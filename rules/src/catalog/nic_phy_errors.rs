//! `nic-phy-errors`: frames that arrived corrupted: CRC/FCS, alignment, symbol and length errors
//! (knowledge §10.1). The wire, the optics or the port is at fault, or a speed/duplex (or MTU)
//! mismatch with the peer; no ring, queue or sysctl tuning helps.
//!
//! Generic counters: `rx_crc_errors`, `rx_frame_errors` (alignment), `rx_length_errors` from
//! `ip -s -s link`; when that breakdown is not in the data, the folded /proc/net/dev and
//! ifconfig `frame` column (`proc_rx_frame` = length + over + crc + frame errors, so it also
//! holds `rx_over_errors`, a buffer overflow, which the summary says). Driver counters from
//! `ethtool -S`: names with `crc`, `fcs`, `symbol` or `align` (igb `rx_crc_errors`,
//! `rx_align_errors`; mlx5 `rx_crc_errors_phy`, `rx_symbol_err_phy`; standard
//! `eth-mac-FrameCheckSequenceErrors`, `eth-mac-AlignmentErrors`). Several driver names often
//! count the same frames (a symbol error usually also fails the CRC), so the driver side is
//! judged on its single largest counter, never on their sum.
//!
//! Severity: growth during the capture of at least `PHY_LIVE_MIN_EVENTS` is a warning (there is
//! no benign cause), critical at `LIVE_CRIT_RATIO` (1 %) of the received packets; totals since
//! boot go through the same volume and ratio gate as drops and are never critical.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "nic-phy-errors",
    title: "Frames arrived corrupted (CRC/frame/length/symbol errors): cable, optics or port",
    default_severity: Severity::Warning,
    references: &[
        "include/uapi/linux/if_link.h: rx_crc_errors (aFrameCheckSequenceErrors), rx_frame_errors (aAlignmentErrors), rx_length_errors",
        "Documentation/networking/device_drivers/ethernet/mellanox/mlx5/counters.rst: rx_crc_errors_phy, rx_symbol_err_phy, link_down_events_phy",
        "ethtool(8): speed, duplex, autoneg; -m (module EEPROM / optical levels)",
    ],
    check,
};

/// The report draws the interface's loss counters.
pub const CHART: Chart = Chart::Counters;

/// The rates its severity turns on (drawn on its chart): live loss per second.
pub const MARKS: &[Mark] = DROP_MARKS;

/// Where its findings lie on the packet path. Frames damaged on the cable, optics or port.
pub const STAGE: Stage = Stage::rx(StageId::Wire);

/// Generic breakdown of `ip -s -s link` (all three are physical-layer errors).
const GENERIC: [&str; 3] = ["rx_crc_errors", "rx_frame_errors", "rx_length_errors"];
/// The folded /proc/net/dev and ifconfig column, used only without the breakdown.
const FOLDED: &str = "proc_rx_frame";
/// Received-packet counters of `ethtool -S`, first found wins.
const ETHTOOL_TRAFFIC: [&str; 5] = [
    "rx_packets",
    "rx_packets_phy",
    "eth-mac-FramesReceivedOK",
    "rx_pkts",
    "rx_frames_ok",
];

/// Is this `ethtool -S` name a physical-layer receive error counter?
pub fn is_phy_counter(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n == "eth-mac-framechecksequenceerrors" || n == "eth-mac-alignmenterrors" {
        return true;
    }
    // Transmit-side names (`tx_*`) are not about what the wire delivered to us.
    let last = n.rsplit([':', '/', '.']).next().unwrap_or(&n).trim();
    if last.starts_with("tx") {
        return false;
    }
    ["crc", "fcs", "symbol", "align"]
        .iter()
        .any(|p| n.contains(p))
}

fn phy_keys(iface: &Interface) -> Vec<String> {
    let mut keys: Vec<String> = iface
        .ethtool
        .iter()
        .flat_map(|e| e.stats.keys())
        .filter(|k| is_phy_counter(k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Live beats since-boot beats an unknown window; then the larger total.
fn rank(g: &Growth) -> (Basis, u64) {
    (g.basis, g.total as u64)
}

/// The driver counter that grew most (one counter: names overlap, see the module doc).
fn driver_growth(iface: &Interface) -> Option<(Growth, String)> {
    phy_keys(iface)
        .into_iter()
        .filter_map(|k| ethtool_growth(iface, &[k.as_str()], &ETHTOOL_TRAFFIC).map(|g| (g, k)))
        .max_by_key(|(g, _)| rank(g))
        .map(|(mut g, k)| {
            for e in &mut g.evidence {
                e.metric = format!("{} (ethtool -S)", e.metric);
            }
            (g, k)
        })
}

fn severity(g: &Growth) -> Option<Severity> {
    if g.total <= 0.0 {
        // Errors counted before the capture, none during it: a note.
        return drop_severity(g);
    }
    if !g.live() {
        // Totals since boot: the drop gate (volume and ratio), at most a warning.
        return drop_severity(g);
    }
    if g.total < PHY_LIVE_MIN_EVENTS {
        return Some(Severity::Info);
    }
    if g.ratio().is_some_and(|r| r >= LIVE_CRIT_RATIO) {
        Some(Severity::Critical)
    } else {
        Some(Severity::Warning)
    }
}

fn check(host: &Host) -> Vec<Finding> {
    let mut out = Vec::new();
    for iface in &host.interfaces {
        if quiet_interface(iface) {
            continue;
        }
        // A bond only adds up its slaves' errors: they are reported on the slave, whose cable
        // it is.
        if iface.kind == InterfaceKind::Bond && !slaves_of(host, iface).is_empty() {
            continue;
        }
        let Some(errors) = chosen_errors(iface) else {
            continue;
        };
        let Some(severity) = severity(&errors.growth) else {
            continue;
        };
        let g = &errors.growth;
        let mut f = RULE.finding(severity, &iface.name, summary(iface, &errors));
        stand_on(&mut f, g);
        if let Some(o) = errors.other.filter(|o| o.total > 0.0) {
            f.evidence.extend(o.evidence);
        }
        f.remediation = remediation(iface, g);
        if !g.live() {
            f.remediation
                .push(confirm_step(iface, errors.driver_key.as_deref()));
        }
        out.push(f);
    }
    out
}

/// The errors a finding stands on, and where they were read.
struct Chosen {
    /// The stronger of the generic and the driver evidence (see [`rank`]).
    growth: Growth,
    /// The weaker one, shown as evidence too when it saw errors.
    other: Option<Growth>,
    /// The `ethtool -S` counter, when the driver's evidence was chosen.
    driver_key: Option<String>,
    /// Chosen from the folded /proc/net/dev or ifconfig `frame` column, which also counts
    /// buffer overflows.
    folded: bool,
}

/// Generic counters (the `ip -s -s` breakdown, else the folded column) against the driver's
/// largest counter: the stronger decides, the other is kept as supporting evidence.
fn chosen_errors(iface: &Interface) -> Option<Chosen> {
    let breakdown = counter_growth(iface, &GENERIC, &["rx_packets"]);
    let breakdown_used = breakdown.is_some();
    let generic = match breakdown {
        Some(g) => Some(g),
        None => counter_growth(iface, &[FOLDED], &["rx_packets"]),
    };
    let (growth, other, driver_key) = match (generic, driver_growth(iface)) {
        (Some(a), Some((b, k))) if rank(&b) > rank(&a) => (b, Some(a), Some(k)),
        (Some(a), Some((b, _))) => (a, Some(b), None),
        (Some(a), None) => (a, None, None),
        (None, Some((b, k))) => (b, None, Some(k)),
        (None, None) => return None,
    };
    let folded = driver_key.is_none() && !breakdown_used;
    Some(Chosen {
        growth,
        other,
        driver_key,
        folded,
    })
}

/// Which counters saw the errors, that no tuning helps, and two warnings when they apply: the
/// folded column may hold overflows, and a backup slave's bad link would carry traffic after
/// a failover.
fn summary(iface: &Interface, errors: &Chosen) -> String {
    let g = &errors.growth;
    let which = match &errors.driver_key {
        Some(k) => format!("`{k}` (ethtool -S)"),
        None => breakdown(g),
    };
    let folded_note = if errors.folded {
        " The /proc/net/dev (or ifconfig) `frame` column also folds rx_over_errors, a receive buffer overflow rather than a wire problem: `ip -s -s link` tells them apart."
    } else {
        ""
    };
    let backup_note = if is_backup_slave(iface) {
        " This is a bond's backup slave: a failover would move the traffic onto this faulty link."
    } else {
        ""
    };
    format!(
        "{}{} received {}: {which}. The frames were corrupted before the NIC accepted them (cable, transceiver, switch port, or a speed/duplex mismatch); tuning does not help.{folded_note}{backup_note}",
        iface.name,
        netns_note(iface),
        describe(g, "frames with physical-layer errors"),
    )
}

/// For a total not measured live: how to watch the same counter grow, with the tool that
/// reads it.
fn confirm_step(iface: &Interface, driver_key: Option<&str>) -> String {
    match driver_key {
        Some(k) => confirm_ethtool(iface, k),
        None => confirm_ip(iface, "the CRC/frame/length errors"),
    }
}

/// "rx_crc_errors 120, rx_length_errors 3" from the evidence.
fn breakdown(g: &Growth) -> String {
    let mut per: Vec<(String, f64)> = Vec::new();
    for e in &g.evidence {
        let v = e.delta.or(e.value).unwrap_or(0.0);
        match per.iter_mut().find(|(k, _)| *k == e.metric) {
            Some((_, t)) => *t += v,
            None => per.push((e.metric.clone(), v)),
        }
    }
    per.iter()
        .map(|(k, v)| format!("{k} {}", fmt_count(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn remediation(iface: &Interface, g: &Growth) -> Vec<String> {
    let dev = &iface.name;
    let mut r = vec![
        format!("ethtool {dev}   # check Speed, Duplex and Auto-negotiation against the switch port: a duplex or speed mismatch shows as CRC/alignment errors on one side"),
        format!("Check the cable/DAC and the transceiver: reseat or replace the cable, swap the optic (SFP/QSFP) and read its optical levels with `ethtool -m {dev}`."),
        format!("Check the switch port that {dev} connects to (its input/CRC error counters) and try another port: errors that follow the port are the switch's."),
    ];
    let mlx5 = iface
        .driver
        .as_deref()
        .is_some_and(|d| d.starts_with("mlx5"))
        || iface
            .ethtool
            .iter()
            .any(|e| e.stats.contains_key("rx_symbol_err_phy"));
    if mlx5 {
        r.push(format!(
            "ethtool -S {dev} | grep -E 'rx_crc_errors_phy|rx_symbol_err_phy|rx_corrected_bits_phy|link_down_events_phy'   # mlx5: rising symbol errors confirm poor link quality; rising link_down_events_phy means the port flaps: replace the cable/transceiver"
        ));
    }
    let length = g
        .evidence
        .iter()
        .filter(|e| e.metric == "rx_length_errors")
        .map(|e| e.delta.or(e.value).unwrap_or(0.0))
        .sum::<f64>();
    if length > 0.0 {
        r.push(format!(
            "rx_length_errors are frames of invalid length: compare the MTU of {dev}{} with the switch port and the peers (jumbo frames arriving on a 1500-byte port).",
            iface.mtu.map(|m| format!(" ({m})")).unwrap_or_default()
        ));
    }
    r.push("These errors are not fixed by ring sizes, queues or sysctls.".to_string());
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use crate::test_support::assert_any_contains;
    use super::*;
    use crate::test_support::{add, at};
    use crate::model::{BondRole, EthtoolSample};

    #[test]
    fn counter_names() {
        assert!(is_phy_counter("rx_crc_errors"));
        assert!(is_phy_counter("rx_symbol_err_phy"));
        assert!(is_phy_counter("rx_align_errors"));
        assert!(is_phy_counter("eth-mac-FrameCheckSequenceErrors"));
        assert!(is_phy_counter("eth-mac-AlignmentErrors"));
        assert!(is_phy_counter("rx_fcs_errors"));
        assert!(!is_phy_counter("tx_crc_errors"));
        assert!(!is_phy_counter("rx_missed_errors"));
    }

    /// One `ip -s -s link` reading of the physical-layer breakdown and the received packets.
    fn breakdown_reading(crc: u64, frame: u64, length: u64, packets: u64) -> [(&'static str, u64); 4] {
        [
            ("rx_crc_errors", crc),
            ("rx_frame_errors", frame),
            ("rx_length_errors", length),
            ("rx_packets", packets),
        ]
    }

    #[test]
    fn live_crc_growth_is_a_warning_and_one_percent_is_critical() {
        let mut host = Host::new("h");
        // eth0: 50 CRC + 2 frame errors in 1 000 000 packets over 10 s, far below 1 %.
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[
                (0, &breakdown_reading(10, 0, 0, 1_000_000)),
                (10, &breakdown_reading(60, 2, 0, 2_000_000)),
            ],
        );
        // eth1: 500 CRC errors in 10 000 packets, about 5 %.
        add(
            &mut host,
            "eth1",
            InterfaceKind::Physical,
            &[
                (0, &breakdown_reading(0, 0, 0, 0)),
                (10, &breakdown_reading(500, 0, 0, 10_000)),
            ],
        );
        crate::timeline::compute(&mut host);
        let f = check(&host);
        let eth0 = f.iter().find(|f| f.subject == "eth0").unwrap();
        assert_eq!(eth0.severity, Severity::Warning);
        assert!(
            eth0.summary.contains("rx_crc_errors 50"),
            "{}",
            eth0.summary
        );
        assert!(eth0.remediation[0].starts_with("ethtool eth0"));
        let eth1 = f.iter().find(|f| f.subject == "eth1").unwrap();
        assert_eq!(eth1.severity, Severity::Critical);
    }

    #[test]
    fn a_few_live_errors_or_small_totals_are_info() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[
                (0, &[("rx_crc_errors", 3), ("rx_packets", 1_000)]),
                (10, &[("rx_crc_errors", 5), ("rx_packets", 2_000)]),
            ],
        );
        // A snapshot: 40 errors in 10^9 packets since boot.
        add(
            &mut host,
            "eth1",
            InterfaceKind::Physical,
            &[(0, &[("rx_crc_errors", 40), ("rx_packets", 1_000_000_000)])],
        );
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.severity == Severity::Info));
    }

    #[test]
    fn folded_frame_column_says_it_includes_overruns() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "eth0",
            InterfaceKind::Physical,
            &[
                (0, &[("proc_rx_frame", 0), ("rx_packets", 1_000_000)]),
                (10, &[("proc_rx_frame", 300), ("rx_packets", 2_000_000)]),
            ],
        );
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].summary.contains("rx_over_errors"));
    }

    #[test]
    fn driver_counters_use_the_largest_single_counter() {
        let mut host = Host::new("h");
        add(
            &mut host,
            "ens1f0",
            InterfaceKind::Physical,
            &[(0, &[("rx_packets", 5)])],
        );
        let i = host.interface_mut("ens1f0", None);
        i.driver = Some("mlx5_core".into());
        for (sec, crc, sym, pk) in [
            (0u32, 100u64, 90u64, 1_000_000u64),
            (10, 400, 380, 2_000_000),
        ] {
            i.ethtool.push(EthtoolSample {
                time: at(sec),
                source: format!("capture.log:{}", sec + 100),
                stats: [
                    ("rx_crc_errors_phy", crc),
                    ("rx_symbol_err_phy", sym),
                    ("rx_packets_phy", pk),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            });
        }
        crate::timeline::compute(&mut host);
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].summary.starts_with("ens1f0 received 300 "),
            "{}",
            f[0].summary
        );
        assert_any_contains(&f[0].remediation, "link_down_events_phy");
    }

    #[test]
    fn lo_down_idle_and_bonds_with_slaves_are_skipped() {
        let mut host = Host::new("h");
        let grow: &[(u32, &[(&str, u64)])] = &[
            (0, &[("rx_crc_errors", 0), ("rx_packets", 0)]),
            (10, &[("rx_crc_errors", 500), ("rx_packets", 10_000)]),
        ];
        add(&mut host, "lo", InterfaceKind::Loopback, grow);
        add(&mut host, "bond0", InterfaceKind::Bond, grow);
        add(&mut host, "eth0", InterfaceKind::BondSlave, grow);
        let s = host.interface_mut("eth0", None);
        s.master = Some("bond0".into());
        s.bond_role = Some(BondRole::Backup);
        add(
            &mut host,
            "eth5",
            InterfaceKind::Physical,
            &[(
                0,
                &[
                    ("rx_crc_errors", 9000),
                    ("rx_packets", 0),
                    ("tx_packets", 0),
                ],
            )],
        );
        host.interface_mut("eth5", None).state = Some("DOWN".into());
        crate::timeline::compute(&mut host);
        let f = check(&host);
        // Only the slave: its cable is the faulty one, even as a backup.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject, "eth0");
        assert!(f[0].summary.contains("backup slave"));
    }
}
