//! `nic-tx-timeout`: a NIC's transmit queue stopped and the driver reset the adapter
//! (knowledge protocol-layers §8.2, §10): `NETDEV WATCHDOG: eth0 (ixgbe): transmit queue 3 timed
//! out` (the stack's watchdog) and Intel `Detected Tx Unit Hang` / `Detected Hardware Unit
//! Hang` (the driver's own check). The reset loses what was queued and in flight, and the link
//! usually goes down and up with it. One finding per interface, warning from the first line,
//! critical from [`TX_TIMEOUT_CRIT_LINES`], on the `log` basis; it names the queues.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "nic-tx-timeout",
    title: "NIC transmit timeout or hang: the adapter was reset",
    default_severity: Severity::Warning,
    references: &[
        "net/sched/sch_generic.c dev_watchdog: \"NETDEV WATCHDOG: %s (%s): transmit queue %u timed out\", then ndo_tx_timeout (the driver resets the adapter)",
        "drivers/net/ethernet/intel/{igb,ixgbe,e1000e}: \"Detected Tx Unit Hang\" / \"Detected Hardware Unit Hang\", then a reset",
    ],
    check,
};

/// The subject interface's loss counters over time, when it has any.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The driver reset a stuck transmit queue. Its lines count resets, not packets.
pub const STAGE: Stage = Stage::tx(StageId::Driver).without_loss();

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::TxTimeout, LogMessage::TxUnitHang]);
    // The interface the line names; `?` when it could not be read.
    by_subject(&events, "?")
        .into_iter()
        .map(|(d, of_dev)| finding(host, d, &of_dev))
        .collect()
}

fn label(e: &LogEvent) -> String {
    match (e.message, e.detail.as_deref()) {
        (LogMessage::TxTimeout, Some(q)) => format!("NETDEV WATCHDOG: {q} timed out"),
        (LogMessage::TxTimeout, None) => "NETDEV WATCHDOG: transmit queue timed out".to_string(),
        _ => "Detected Tx Unit Hang".to_string(),
    }
}

fn finding(host: &Host, dev: &str, events: &[&LogEvent]) -> Finding {
    let lines: u64 = events.iter().map(|e| lower_bound(e)).sum();
    let severity = if lines >= TX_TIMEOUT_CRIT_LINES {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let mut queues: Vec<&str> = events
        .iter()
        .filter(|e| e.message == LogMessage::TxTimeout)
        .filter_map(|e| e.detail.as_deref())
        .collect();
    queues.sort();
    queues.dedup();
    let named = if queues.is_empty() {
        String::new()
    } else {
        format!(" Stuck: {}.", queues.join(", "))
    };
    let driver = host
        .interface(dev)
        .and_then(|i| i.driver.as_deref())
        .map(|d| format!(" (driver {d})"))
        .unwrap_or_default();
    let parts: Vec<String> = events
        .iter()
        .map(|e| format!("\"{}\": {}", label(e), log_phrase(e)))
        .collect();
    let mut f = RULE.finding(
        severity,
        dev,
        format!(
            "Kernel log: a transmit queue of {dev}{driver} stopped sending for longer than the watchdog allows, and the driver reset the adapter: what was queued and in flight was lost, and the link usually drops during the reset.{named} {}.",
            parts.join("; ")
        ),
    );
    let labelled: Vec<(&LogEvent, String)> = events.iter().map(|e| (*e, format!("{dev}: {}", label(e)))).collect();
    stand_on_log(&mut f, &labelled);
    f.remediation = remediation(dev);
    f
}

fn remediation(dev: &str) -> Vec<String> {
    vec![
        format!("ethtool -i {dev}   # driver, its version and the firmware: compare with the vendor's release notes for TX hang / timeout fixes, and update both"),
        format!("ethtool -S {dev} | grep -i -E 'timeout|hang|reset|restart|pause|xoff'   # how many resets and pause frames the driver counted"),
        format!("ethtool -g {dev}; ethtool -a {dev}   # ring sizes and flow control: a link partner flooding pause frames can stall transmit"),
        format!("ip -s -s link show {dev}   # TX errors and carrier changes around the reset"),
        "dmesg -T | grep -i -E 'watchdog|unit hang|reset|link is'   # when, how often, and whether the link flapped with it".to_string(),
        "Known causes: driver/firmware bugs (check the vendor's errata for this driver version), PCIe errors (lspci -vv: AER), TSO/GSO offload bugs (try ethtool -K IF tso off gso off), and the switch port (flow control, errors on the partner).".to_string(),
    ]
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    fn watchdog(dev: &str, queue: u32, count: u64) -> LogEvent {
        LogEvent {
            detail: Some(format!("transmit queue {queue}")),
            example: format!("NETDEV WATCHDOG: {dev} (ixgbe): transmit queue {queue} timed out"),
            ..log(LogMessage::TxTimeout, dev, count, 0, 600)
        }
    }

    #[test]
    fn one_watchdog_line_is_a_warning_that_names_the_queue() {
        let host = HostBuilder::new("h").with(|h| h.kernel_log.push(watchdog("eth0", 3, 1))).build();
        let f = check(&host);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].severity, f[0].subject.as_str(), f[0].basis), (Severity::Warning, "eth0", "log"));
        assert_eq!(f[0].total, 1.0);
        assert!(f[0].summary.contains("Stuck: transmit queue 3."), "{}", f[0].summary);
        assert!(f[0].summary.contains("1 line at 2024-03-01T10:00:00+00:00 (sos_commands/kernel/dmesg:1)"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "ethtool -i eth0");
        assert_any_starts_with(&f[0].remediation, "ethtool -S eth0");
    }

    #[test]
    fn hangs_and_timeouts_add_up_per_interface_to_critical() {
        // eth2: 6 Tx Unit Hang lines + 2 + 2 watchdog lines on queues 0 and 5 = 10: critical.
        // eth3: one hang line: a warning of its own.
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(log(LogMessage::TxUnitHang, "eth2", 6, 0, 60));
                h.kernel_log.push(watchdog("eth2", 5, 2));
                h.kernel_log.push(watchdog("eth2", 0, 2));
                h.kernel_log.push(log(LogMessage::TxUnitHang, "eth3", 1, 0, 0));
            })
            .build();
        let f = check(&host);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].subject.as_str(), f[0].severity, f[0].total), ("eth2", Severity::Critical, 10.0));
        assert!(f[0].summary.contains("Stuck: transmit queue 0, transmit queue 5."), "{}", f[0].summary);
        assert_eq!((f[1].subject.as_str(), f[1].severity), ("eth3", Severity::Warning));
        assert!(!f[1].summary.contains("Stuck:"));
    }

    #[test]
    fn link_lines_alone_are_not_a_tx_timeout() {
        let host = HostBuilder::new("h")
            .with(|h| h.kernel_log.push(log(LogMessage::LinkDown, "eth0", 3, 0, 60)))
            .build();
        assert!(check(&host).is_empty());
    }
}
