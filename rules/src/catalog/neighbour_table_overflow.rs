//! `neighbour-table-overflow`: `neighbour: arp_cache: neighbor table overflow!` (knowledge
//! protocol-layers §8.2, §10): the ARP (or IPv6 `ndisc_cache`) table held
//! `gc_thresh3` entries and garbage collection freed none, so no entry could be made for a new
//! neighbour and the packet that needed one was dropped. Common on hosts that talk to many
//! directly attached addresses (large flat subnets, Kubernetes nodes, routers). One finding
//! per table (subject `arp_cache`, `ndisc_cache`, or `host` when the line names none);
//! warning from the first line, critical from [`NEIGH_OVERFLOW_CRIT_LINES`], on the `log`
//! basis.

use super::common::*;

pub static RULE: Rule = Rule {
    id: "neighbour-table-overflow",
    title: "Neighbour (ARP/NDP) table full: packets to new neighbours dropped",
    default_severity: Severity::Warning,
    references: &[
        "net/core/neighbour.c neigh_alloc: net_info_ratelimited(\"%s: neighbor table overflow!\\n\", tbl->id) when entries ≥ gc_thresh3 and forced GC freed none",
        "Documentation/networking/ip-sysctl.rst: neigh/default/gc_thresh1, gc_thresh2, gc_thresh3",
    ],
    check,
};

/// No interface to draw: the evidence as bars.
pub const CHART: Chart = Chart::Counters;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. Output, before the queue: the packet found no neighbour entry to leave by (no stage of its own; the qdisc is the next one).
pub const STAGE: Stage = Stage::tx(StageId::Qdisc);

const LOGGED: &str = "neighbor table overflow!";

fn check(host: &Host) -> Vec<Finding> {
    let events = log_events(host, &[LogMessage::NeighbourTableOverflow]);
    // The table the line names (`arp_cache`, `ndisc_cache`); `host` when it names none
    // (older kernels print `Neighbour table overflow.`).
    by_subject(&events, "host")
        .into_iter()
        .map(|(t, of)| {
            let mut f = log_finding(
                &RULE,
                lines_severity(lines_of(&of), NEIGH_OVERFLOW_CRIT_LINES),
                t,
                &format!("the neighbour table {} was full (gc_thresh3 entries, none reclaimable): packets to a neighbour without an entry were dropped; the message is rate-limited, so more were dropped than logged.", described(t)),
                &[(LOGGED, &of)],
            );
            f.remediation = remediation(host, t);
            f
        })
        .collect()
}

fn described(table: &str) -> &'static str {
    match table {
        "arp_cache" => "for IPv4 (ARP, arp_cache)",
        "ndisc_cache" => "for IPv6 (NDP, ndisc_cache)",
        _ => "(the line does not say which: IPv4 ARP on older kernels)",
    }
}

fn remediation(host: &Host, table: &str) -> Vec<String> {
    let (family, flag) = if table == "ndisc_cache" { ("ipv6", "-6") } else { ("ipv4", "-4") };
    let key = |n: u8| format!("net.{family}.neigh.default.gc_thresh{n}");
    let mut r = vec![format!(
        "ip {flag} neigh show | wc -l; ip {flag} neigh show nud failed | wc -l   # entries now, and failed ones"
    )];
    match sysctl_u64(host, &key(3)) {
        Some(now3) => {
            // Keep the kernel's default proportions (128 : 512 : 1024 = 1 : 4 : 8).
            let new3 = now3.saturating_mul(2).max(NEIGH_GC_THRESH3_FLOOR);
            r.push(format!("sysctl -w {}={new3}   # now {now3}: the hard limit of the table", key(3)));
            r.push(format!("sysctl -w {}={}   # half of gc_thresh3: GC runs above it after 5 s", key(2), new3 / 2));
            r.push(format!("sysctl -w {}={}   # an eighth: no GC below it", key(1), new3 / 8));
        }
        None => r.push(format!(
            "sysctl {} {} {}   # not in the data: read them, then raise gc_thresh3 to at least twice the entries in use (gc_thresh2 half of it, gc_thresh1 an eighth)",
            key(1),
            key(2),
            key(3)
        )),
    }
    r.push(format!(
        "Persist the values in /etc/sysctl.d/ (e.g. 90-neigh.conf). If the entries are far more than the hosts this machine talks to, look for a flat subnet scan or a route that sends traffic on-link instead of through a gateway (ip {flag} route)."
    ));
    r
}

#[cfg(test)]
mod tests {
    //! Synthetic hosts built in code (labelled: no real capture behind these numbers).
    use super::*;
    use crate::test_support::{assert_any_starts_with, log, HostBuilder};

    #[test]
    fn one_line_warns_and_doubles_gc_thresh3_in_proportion() {
        let host = HostBuilder::new("h")
            .with(|h| {
                h.kernel_log.push(log(LogMessage::NeighbourTableOverflow, "arp_cache", 1, 0, 0));
                h.sysctl.insert("net.ipv4.neigh.default.gc_thresh3".into(), "1024".into());
            })
            .build();
        let f = check(&host);
        assert_eq!((f[0].severity, f[0].subject.as_str(), f[0].total, f[0].basis), (Severity::Warning, "arp_cache", 1.0, "log"));
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.neigh.default.gc_thresh3=4096   # now 1024");
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.neigh.default.gc_thresh2=2048");
        assert_any_starts_with(&f[0].remediation, "sysctl -w net.ipv4.neigh.default.gc_thresh1=512");
    }

    #[test]
    fn ten_ipv6_lines_are_critical_and_ask_for_the_unread_limits() {
        let host = HostBuilder::new("h")
            .with(|h| h.kernel_log.push(LogEvent { suppressed: 7, ..log(LogMessage::NeighbourTableOverflow, "ndisc_cache", 3, 0, 60) }))
            .build();
        let f = check(&host);
        assert_eq!((f[0].severity, f[0].total), (Severity::Critical, 10.0));
        assert_any_starts_with(&f[0].remediation, "sysctl net.ipv6.neigh.default.gc_thresh1 net.ipv6.neigh.default.gc_thresh2 net.ipv6.neigh.default.gc_thresh3   # not in the data");
        assert_any_starts_with(&f[0].remediation, "ip -6 neigh show");
    }
}
