//! `page-allocation-failure`: `<task>: page allocation failure: order:N, mode:…` (knowledge
//! protocol-layers §8.2, §10): the kernel could not find free pages for an allocation that may
//! not wait. In softirq context (task `swapper/N` or `ksoftirqd/N`, where NAPI receives and
//! refills RX rings) that is a receive buffer or skb not allocated, so a packet dropped or a
//! ring left short: a warning. In any other task the line alone does not show the network
//! path (its call trace does): info, never silent. Never critical: the line says neither how
//! many packets nor (without the trace) that they were packets. One finding for the host,
//! naming the tasks and the order.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "page-allocation-failure",
    title: "Atomic page allocation failures: receive buffers not refilled",
    default_severity: Severity::Warning,
    references: &[
        "mm/page_alloc.c warn_alloc: \"%s: page allocation failure: order:%u, mode:%#x(%pGg)\" (rate-limited, nopage_rs)",
        "Documentation/admin-guide/sysctl/vm.rst: min_free_kbytes (the reserve atomic allocations draw on)",
    ],
    check,
};

/// No interface to draw: the evidence as bars.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. The receive ring's refill; its lines count failed allocations, not packets.
pub const STAGE: Stage = Stage::rx(StageId::Nic).without_loss();

const LOGGED: &str = "page allocation failure";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::AllocationFailure]);
    if events.is_empty() {
        return Vec::new();
    }
    let softirq: Vec<&LogEvent> = events.iter().copied().filter(|e| in_softirq(e)).collect();
    let other: Vec<&LogEvent> = events.iter().copied().filter(|e| !in_softirq(e)).collect();
    let severity = if softirq.is_empty() { Severity::Info } else { Severity::Warning };
    let mut tasks: Vec<&str> = events.iter().map(|e| task(e)).collect();
    tasks.dedup();
    let meaning = if softirq.is_empty() {
        "the kernel could not allocate pages for a task outside softirq context; whether it was the network path only its call trace (the lines after it) says."
    } else {
        "pages could not be allocated in softirq context, where drivers refill their receive rings and build packets: receive buffers were not refilled and packets were dropped (higher orders, e.g. from jumbo frames, fail first)."
    };
    let head = format!("{} ({}): {meaning} The message is rate-limited.", LOGGED, tasks.join(", "));
    let softirq_label = format!("{LOGGED} in softirq");
    let mut f = log_finding(&RULE, severity, "host", &head, &[(&softirq_label, &softirq), (LOGGED, &other)]);
    f.remediation = remediation(host, events.iter().filter_map(|e| order(&e.example)).max());
    vec![f]
}

fn task(e: &LogEvent) -> &str {
    e.subject.as_deref().unwrap_or("?")
}

/// `swapper/N` (the idle task, interrupted) and `ksoftirqd/N` run the softirqs that receive.
fn in_softirq(e: &LogEvent) -> bool {
    let t = task(e);
    t.starts_with("swapper") || t.starts_with("ksoftirqd")
}

/// `order:N` of the line.
fn order(line: &str) -> Option<u64> {
    let rest = &line[line.find("order:")? + "order:".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn remediation(host: &Host, order: Option<u64>) -> Vec<String> {
    let mut r = vec![
        "dmesg -T | grep -A 30 'page allocation failure'   # the call trace: a driver's rx refill / __netdev_alloc_skb / napi_alloc means the network path".to_string(),
        "grep -E 'MemFree|MemAvailable' /proc/meminfo; cat /proc/buddyinfo   # free memory, and free blocks per order (fragmentation)".to_string(),
    ];
    r.push(match sysctl_u64(host, "vm.min_free_kbytes") {
        Some(now) => format!(
            "sysctl -w vm.min_free_kbytes={}   # now {now}: the reserve atomic allocations draw on (keep it under ~5 % of RAM)",
            now.saturating_mul(2)
        ),
        None => "sysctl vm.min_free_kbytes   # not in the data: read it, then raise it (sysctl -w vm.min_free_kbytes=<twice that>, under ~5 % of RAM)".to_string(),
    });
    if let Some(o) = order.filter(|o| *o > 0) {
        r.push(format!("# order:{o} asks for {} contiguous pages: with a jumbo MTU, a smaller MTU or a driver that receives into single pages avoids such allocations; echo 1 > /proc/sys/vm/compact_memory compacts once", 1u64 << o.min(20)));
    }
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    fn failure(task: &str, order: u32) -> LogEvent {
        LogEvent {
            example: format!("{task}: page allocation failure: order:{order}, mode:0x820(GFP_ATOMIC)"),
            ..log(LogMessage::AllocationFailure, task, 2, 0, 60)
        }
    }

    #[test]
    fn a_softirq_failure_warns_with_the_order_and_min_free_kbytes() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(failure("kswapd0", 0));
                h.kernel_log.push(failure("swapper/3", 2));
                h.sysctl.insert("vm.min_free_kbytes".into(), "67584".into());
            })
            .build();
        let f = check(&host);
        assert_eq!((f[0].severity, f[0].subject.as_str(), f[0].total), (Severity::Warning, "host", 4.0));
        assert!(f[0].summary.contains("(kswapd0, swapper/3)"), "{}", f[0].summary);
        assert_any_starts_with(&f[0].remediation, "sysctl -w vm.min_free_kbytes=135168   # now 67584");
        assert_any_starts_with(&f[0].remediation, "# order:2 asks for 4 contiguous pages");
    }

    #[test]
    fn a_failure_outside_softirq_is_info() {
        let host = HostBuilder::new("h").with(|h| h.kernel_log.push(failure("kswapd0", 0))).build();
        let f = check(&host);
        assert_eq!(f[0].severity, Severity::Info);
        assert_any_starts_with(&f[0].remediation, "sysctl vm.min_free_kbytes   # not in the data");
    }
}
