//! `/proc/interrupts` (network queue vectors) and `/proc/softirqs` (the network rows).

use std::collections::BTreeMap;

use rules::model::{Host, PerCpuCounts, Timestamp};

use std::sync::OnceLock;

use regex::Regex;

use super::{fixed_label, re, row, CaptureKind, Kind, Read, Start};

pub static INTERRUPTS: Kind = Kind {
    label: fixed_label!("/proc/interrupts"),
    paths: &[row!(Sos, ["proc"], "interrupts", |_, _| Some(
        CaptureKind::Interrupts
    ))],
    argv: None,
    sniff: None,
    starts: &[Start {
        order: 0,
        indented: true,
        // Resolved to /proc/softirqs when the table holds NET_RX (see `ingest::capture`).
        test: |line| {
            static CPU_HEADER: OnceLock<Regex> = OnceLock::new();
            (line.starts_with("CPU")
                && re(&CPU_HEADER, r"^CPU\d+(?:\s+CPU\d+)*\s*$").is_match(line))
            .then_some(CaptureKind::Interrupts)
        },
    }],
    read: Read::Data(|r, c, _| {
        let irq = r.take(parsers::interrupts::parse_interrupts(&c.text));
        // Filtered by the host's interface names, known at the end (see `Deferred`).
        r.deferred.irqs.push((irq, r.time, c.source.clone()));
    }),
};

pub static SOFTIRQS: Kind = Kind {
    label: fixed_label!("/proc/softirqs"),
    paths: &[row!(Sos, ["proc"], "softirqs", |_, _| Some(
        CaptureKind::Softirqs
    ))],
    argv: None,
    sniff: None,
    starts: &[],
    read: Read::Data(|r, c, _| {
        let s = r.take(parsers::interrupts::parse_softirqs(&c.text));
        apply_softirqs(r.host, s, r.time, &c.source);
    }),
};

/// `/proc/softirqs`: the network rows only.
fn apply_softirqs(
    host: &mut Host,
    s: parsers::interrupts::Softirqs,
    time: Option<Timestamp>,
    source: &str,
) {
    let rows: BTreeMap<String, Vec<u64>> = s
        .rows
        .into_iter()
        .filter(|(k, _)| k == "NET_RX" || k == "NET_TX")
        .collect();
    if !rows.is_empty() {
        host.softirqs.push(PerCpuCounts {
            time,
            source: source.to_string(),
            cpus: s.cpus,
            rows,
        });
    }
}

/// Does an IRQ name look like a network queue vector (`eth0-TxRx-3`, `virtio0-input.0`,
/// `mlx5_comp5@pci:…`, `i40e-eth0-TxRx-1`) or name one of the host's interfaces?
fn is_network_vector(name: &str, interfaces: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let markers = [
        "-txrx-",
        "-rx-",
        "-tx-",
        "-input.",
        "-output.",
        "mlx5_comp",
        "mlx4-",
        "-fp-",
        "ens",
        "enp",
        "eno",
        "eth",
    ];
    markers.iter().any(|m| lower.contains(m))
        || interfaces
            .iter()
            .any(|i| i.len() > 1 && (name == i || name.starts_with(&format!("{i}-"))))
}

/// `/proc/interrupts`: the rows of network queue vectors, keyed by vector name.
pub(super) fn apply_interrupts(
    host: &mut Host,
    irq: parsers::interrupts::Interrupts,
    time: Option<Timestamp>,
    source: &str,
) {
    let interfaces: Vec<String> = host.interfaces.iter().map(|i| i.name.clone()).collect();
    let mut rows = BTreeMap::new();
    for row in irq.rows {
        if let Some(name) = row.names.iter().find(|n| is_network_vector(n, &interfaces)) {
            rows.insert(format!("{} ({})", name, row.irq), row.counts);
        }
    }
    if !rows.is_empty() {
        host.interrupts.push(PerCpuCounts {
            time,
            source: source.to_string(),
            cpus: irq.cpus,
            rows,
        });
    }
}
