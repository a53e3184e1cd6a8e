//! `/proc/net/softnet_stat`: per-CPU backlog drops, time squeezes and RPS counts.

use regex::Regex;
use std::sync::OnceLock;

use rules::model::{SoftnetCpu, SoftnetSample};

use super::{fixed_label, re, row, CaptureKind, Kind, Read, Sniff, Start};

pub static SOFTNET: Kind = Kind {
    label: fixed_label!("/proc/net/softnet_stat"),
    paths: &[row!(Sos, ["proc", "net"], "softnet_stat", |_, _| Some(
        CaptureKind::Softnet
    ))],
    argv: None,
    sniff: Some(Sniff {
        order: 11,
        test: |h| {
            static ROW: OnceLock<Regex> = OnceLock::new();
            let row = re(&ROW, r"^[0-9a-f]{8}(?: [0-9a-f]{8}){8,14}$");
            h.lines
                .iter()
                .all(|l| row.is_match(l.trim()))
                .then_some(CaptureKind::Softnet)
        },
    }),
    starts: &[
        // Rows may be indented by a paste.
        Start {
            order: 2,
            indented: true,
            test: |line| softnet_row(line.trim()).then_some(CaptureKind::Softnet),
        },
        Start {
            order: 21,
            indented: false,
            test: |line| softnet_row(line.trim()).then_some(CaptureKind::Softnet),
        },
    ],
    read: Read::Data(|r, c, _| {
        let rows = r.take(parsers::softnet::parse(&c.text));
        if rows.is_empty() {
            return;
        }
        r.host.softnet.push(SoftnetSample {
            time: r.time,
            source: c.source.clone(),
            cpu_ids_exact: rows.iter().all(|row| row.cpu_from_index),
            cpus: rows
                .into_iter()
                .map(|row| SoftnetCpu {
                    cpu: row.cpu,
                    processed: row.processed,
                    dropped: row.dropped,
                    time_squeeze: row.time_squeeze,
                    received_rps: row.received_rps,
                    flow_limit_count: row.flow_limit_count,
                    backlog_len: row.backlog_len,
                })
                .collect(),
        });
    }),
};

/// A /proc/net/softnet_stat row: 9 to 15 columns of 8 hex digits (at least 80 bytes).
fn softnet_row(line: &str) -> bool {
    static SOFTNET: OnceLock<Regex> = OnceLock::new();
    line.len() >= 80
        && line.as_bytes()[..8].iter().all(u8::is_ascii_hexdigit)
        && re(&SOFTNET, r"^[0-9a-f]{8}(?: [0-9a-f]{8}){8,14}$").is_match(line)
}
