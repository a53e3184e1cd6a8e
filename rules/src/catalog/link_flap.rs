//! `link-flap`: an interface lost its link and regained it (knowledge protocol-layers §8.2,
//! §10): a NIC driver's `Link is Down` / `Link is Up`, or bonding's `link status definitely
//! down/up for interface X` (subject: the slave). Each down loses what was in flight and, on a
//! bond slave, moves traffic to another slave. Per interface, from the NIC's lines or the
//! bond's, whichever counted more downs (both print the same transitions: never added):
//!
//! - two or more downs ([`LINK_FLAP_DOWNS`]), or one down and up after the first minute: a
//!   flap, warning;
//! - one down and one up within [`LINK_BOOT_SECONDS`] of boot: the driver starting, no finding;
//! - a last down with no up after it: the link is still down, warning (info when that one
//!   down was at boot: a port that never came up, such as an unplugged spare);
//! - downs whose first and last lines were all at boot (logs of several boots): info.
//!
//! Ups alone (the link coming up at boot) are no finding.

use std::cmp::Ordering;

use super::common::*;

pub static RULE: Rule = Rule {
    id: "link-flap",
    title: "Link flap: an interface lost its link",
    default_severity: Severity::Warning,
    references: &[
        "Intel drivers: \"NIC Link is Down\" / \"NIC Link is Up 10 Gbps, Flow Control: RX/TX\"; drivers/net/bonding/bond_main.c: \"link status definitely down for interface %s, disabling it\"",
        "Documentation/networking/bonding.rst: miimon, updelay, downdelay",
    ],
    check,
};

/// The subject interface's loss counters over time, when it has any.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The link itself went down. Its lines count link changes, not packets.
pub const STAGE: Stage = Stage::rx(StageId::Wire).without_loss();

/// The down and up lines of one interface from one reporter (the NIC driver or bonding).
struct Transitions<'a> {
    down: Option<&'a LogEvent>,
    up: Option<&'a LogEvent>,
    bond: bool,
}

impl Transitions<'_> {
    fn downs(&self) -> u64 {
        self.down.map_or(0, lower_bound)
    }
}

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(
        host,
        &[LogMessage::LinkDown, LogMessage::LinkUp, LogMessage::BondLinkDown, LogMessage::BondLinkUp],
    );
    let mut devices: Vec<&str> = events.iter().filter_map(|e| e.subject.as_deref()).collect();
    devices.sort();
    devices.dedup();
    devices
        .into_iter()
        .filter_map(|d| {
            let of = |m: LogMessage| {
                events
                    .iter()
                    .copied()
                    .find(|e| e.message == m && e.subject.as_deref() == Some(d))
            };
            let nic = Transitions { down: of(LogMessage::LinkDown), up: of(LogMessage::LinkUp), bond: false };
            let bond = Transitions { down: of(LogMessage::BondLinkDown), up: of(LogMessage::BondLinkUp), bond: true };
            let (main, other) = if bond.downs() > nic.downs() { (bond, nic) } else { (nic, bond) };
            finding(host, d, &main, &other)
        })
        .collect()
}

fn at_boot(uptime: Option<f64>) -> bool {
    uptime.is_some_and(|u| u < LINK_BOOT_SECONDS)
}

/// What the lines say about one interface; `None` when they are no flap at all.
enum Verdict {
    Flap,
    StillDown,
    NeverUpSinceBoot,
    AtBoots,
}

fn verdict(t: &Transitions) -> Option<Verdict> {
    let down = t.down?;
    let downs = t.downs();
    let last_down = (down.last.as_ref(), down.last_uptime);
    let still_down = match t.up {
        None => true,
        Some(up) => later(last_down, (up.last.as_ref(), up.last_uptime)) == Some(Ordering::Greater),
    };
    let down_at_boot = at_boot(down.first_uptime) && at_boot(down.last_uptime.or(down.first_uptime));
    let up_at_boot = t
        .up
        .is_some_and(|u| at_boot(u.first_uptime) && at_boot(u.last_uptime.or(u.first_uptime)));
    Some(match (still_down, downs) {
        (true, 1) if down_at_boot => Verdict::NeverUpSinceBoot,
        (true, _) => Verdict::StillDown,
        (false, 1) if down_at_boot && t.up.is_some_and(|u| u.count == 1) => return None,
        (false, _) if down_at_boot && up_at_boot => Verdict::AtBoots,
        (false, n) if n >= LINK_FLAP_DOWNS => Verdict::Flap,
        (false, _) => Verdict::Flap,
    })
}

fn finding(host: &Host, dev: &str, t: &Transitions, other: &Transitions) -> Option<Finding> {
    let verdict = verdict(t)?;
    let downs = t.downs();
    let (severity, meaning) = match verdict {
        Verdict::Flap => (Severity::Warning, format!("{dev} lost its link {} and regained it: each down loses what was in flight (and on a bond slave moves its traffic to another slave)", times(downs))),
        Verdict::StillDown => (Severity::Warning, format!("{dev} lost its link {} and no later line says it came back: the link is still down, unless the log ends early", times(downs))),
        Verdict::NeverUpSinceBoot => (Severity::Info, format!("{dev} reported its link down at boot and never up after: a port without a cable or partner (a spare), or one that should be up and is not")),
        Verdict::AtBoots => (Severity::Info, format!("{dev} lost its link {}, and the first and last of those lines were all in the first minute after a boot: most likely the driver starting at each boot of a log that spans several; the lines between were not placed", times(downs))),
    };
    let reporter = if t.bond { "bonding" } else { "the NIC driver" };
    let mut parts: Vec<String> = [t.down, t.up]
        .into_iter()
        .flatten()
        .map(|e| format!("{} ({reporter}): {}", label(e), log_phrase(e)))
        .collect();
    if other.downs() > 0 {
        let who = if other.bond { "bonding" } else { "the NIC driver" };
        parts.push(format!("{who} logged {} too (the same transitions, not added)", times_down(other.downs())));
    }
    let mut f = RULE.finding(severity, dev, format!("Kernel log: {meaning}. {}.", parts.join("; ")));
    let labelled: Vec<(&LogEvent, String)> =
        [t.down, t.up].into_iter().flatten().map(|e| (e, format!("{dev}: {}", label(e)))).collect();
    stand_on_log(&mut f, &labelled);
    f.total = downs as f64;
    f.remediation = remediation(host, dev, t.bond);
    Some(f)
}

fn times(n: u64) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

fn times_down(n: u64) -> String {
    if n == 1 {
        "1 down".to_string()
    } else {
        format!("{n} downs")
    }
}

fn label(e: &LogEvent) -> &'static str {
    match e.message {
        LogMessage::LinkDown => "Link is Down",
        LogMessage::LinkUp => "Link is Up",
        LogMessage::BondLinkDown => "link status definitely down",
        _ => "link status definitely up",
    }
}

fn remediation(host: &Host, dev: &str, bond_lines: bool) -> Vec<String> {
    let mut r = vec![
        format!("ethtool {dev}   # link detected, speed and duplex now; autonegotiation"),
        format!("ethtool -S {dev} | grep -i -E 'crc|symbol|link'   # physical errors and the driver's own link-change counters"),
        format!("ip -s link show {dev}   # state, and errors around the flaps"),
        format!("ethtool -m {dev}   # the SFP/transceiver: optical power within range?"),
        "Check the cable, the SFP/transceiver and the switch port (its log and error counters, speed/duplex settings, spanning-tree or LACP events at the same times).".to_string(),
    ];
    let master = host.interface(dev).and_then(|i| i.master.as_deref());
    match master {
        Some(bond) => r.push(format!("cat /proc/net/bonding/{bond}   # Link Failure Count per slave, miimon, updelay/downdelay")),
        None if bond_lines => r.push("cat /proc/net/bonding/*   # Link Failure Count per slave, miimon, updelay/downdelay".to_string()),
        None => {}
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    fn host(events: Vec<LogEvent>) -> Host {
        HostBuilder::new("h").with(|h| h.kernel_log = events).build()
    }

    /// `count` lines, first and last `first`/`last` seconds after the time base and after boot.
    fn booted(message: LogMessage, dev: &str, count: u64, first: u32, last: u32) -> LogEvent {
        LogEvent {
            first_uptime: Some(f64::from(first)),
            last_uptime: Some(f64::from(last)),
            ..log(message, dev, count, first, last)
        }
    }

    #[test]
    fn two_downs_and_ups_are_a_flap() {
        let f = check(&host(vec![
            log(LogMessage::LinkDown, "eth1", 2, 3600, 7200),
            log(LogMessage::LinkUp, "eth1", 2, 3605, 7203),
        ]));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].subject.as_str(), f[0].basis), (Severity::Warning, "eth1", "log"));
        assert_eq!(f[0].total, 2.0);
        assert!(f[0].summary.contains("eth1 lost its link 2 times and regained it"), "{}", f[0].summary);
        assert!(f[0].summary.contains("Link is Down (the NIC driver): 2 lines from 2024-03-01T11:00:00+00:00"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "ethtool -S eth1 | grep -i -E 'crc|symbol|link'");
    }

    #[test]
    fn one_down_and_up_in_the_first_minute_is_the_driver_starting() {
        let quiet = check(&host(vec![
            booted(LogMessage::LinkDown, "eth0", 1, 7, 7),
            booted(LogMessage::LinkUp, "eth0", 1, 11, 11),
        ]));
        assert!(quiet.is_empty(), "{quiet:#?}");
        // The same pair 2 hours after boot is a flap.
        let later = check(&host(vec![
            booted(LogMessage::LinkDown, "eth0", 1, 7200, 7200),
            booted(LogMessage::LinkUp, "eth0", 1, 7204, 7204),
        ]));
        assert_eq!(later[0].severity, Severity::Warning);
        assert!(later[0].summary.contains("lost its link once"), "{}", later[0].summary);
        // Ups alone (the link coming up): nothing.
        assert!(check(&host(vec![log(LogMessage::LinkUp, "eth0", 3, 0, 9)])).is_empty());
    }

    #[test]
    fn a_down_with_no_later_up_is_still_down() {
        let f = check(&host(vec![
            log(LogMessage::LinkDown, "eth2", 2, 100, 500),
            log(LogMessage::LinkUp, "eth2", 1, 200, 200),
        ]));
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].summary.contains("the link is still down"), "{}", f[0].summary);
        // One down at boot and never up: a spare port, info.
        let f = check(&host(vec![booted(LogMessage::LinkDown, "eth3", 1, 9, 9)]));
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn bond_and_nic_lines_of_one_slave_are_not_added() {
        // bonding saw 3 downs of eth1, the driver 2: judged on bonding's 3, the driver's named.
        let f = check(&host(vec![
            log(LogMessage::LinkDown, "eth1", 2, 3600, 7200),
            log(LogMessage::LinkUp, "eth1", 2, 3601, 7201),
            log(LogMessage::BondLinkDown, "eth1", 3, 3600, 9000),
            log(LogMessage::BondLinkUp, "eth1", 3, 3601, 9001),
        ]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].total, 3.0);
        assert!(f[0].summary.contains("the NIC driver logged 2 downs too"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "cat /proc/net/bonding/*");
    }

    #[test]
    fn downs_all_at_boots_of_a_long_log_are_info() {
        let f = check(&host(vec![
            booted(LogMessage::LinkDown, "eth0", 3, 5, 6),
            booted(LogMessage::LinkUp, "eth0", 3, 8, 9),
        ]));
        assert_eq!(f[0].severity, Severity::Info);
    }
}
