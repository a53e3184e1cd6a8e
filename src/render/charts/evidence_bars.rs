//! One bar per counter of a finding whose evidence is only since boot or a single snapshot:
//! the since-boot rate when the uptime is known, else the total. Never a line, because one
//! reading says nothing about when the counter grew.

use rules::finding::Finding;

use super::bars::{render_bars, Bar, BarChart};
use super::data::is_live;
use super::svg::human;
use super::PALETTE;

/// One bar per counter of a since-boot or snapshot finding: the since-boot rate when known,
/// else the total.
pub(super) fn evidence_bars(f: &Finding) -> Option<String> {
    let mut bars: Vec<Bar> = Vec::new();
    let mut since_boot = false;
    for e in &f.evidence {
        if e.metric == "txqueuelen" {
            continue;
        }
        let (value, text, unit) = match (e.rate.filter(|r| r.is_finite()), e.delta.or(e.value)) {
            (Some(r), _) if !is_live(e) => {
                since_boot = true;
                (r, format!("{}/s", human(r)), "/s")
            }
            (_, Some(v)) if v.is_finite() => (v, human(v), ""),
            _ => continue,
        };
        if bars.iter().any(|b| b.label == e.metric) {
            continue;
        }
        let color = PALETTE[bars.len() % PALETTE.len()];
        bars.push(Bar {
            label: e.metric.clone(),
            value,
            text,
            unit: unit.to_string(),
            color,
        });
        if bars.len() == 8 {
            break;
        }
    }
    if bars.is_empty() {
        return None;
    }
    let basis = if since_boot {
        "average per second since boot (no samples during the capture)"
    } else {
        "totals of a single reading (since boot or driver load)"
    };
    render_bars(&BarChart {
        kind: "since-boot",
        title: format!("{}: {}", f.subject, basis),
        desc: format!(
            "{} counter(s) of {} read once: {}.",
            bars.len(),
            f.rule,
            bars.iter()
                .map(|b| format!("{} {}", b.label, b.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        caption: basis.into(),
        bars,
        full_scale: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::data::is_live;
    use super::super::testutil::{at, finding_of, well_formed};
    use crate::render::charts::for_finding;
    use rules::model::{CounterSample, Host, InterfaceKind};

    #[test]
    fn since_boot_finding_is_a_bar_not_a_line() {
        // Synthetic: one snapshot with an uptime read at the same moment.
        let mut host = Host::new("synthetic");
        host.uptime_seconds = Some(86_400);
        host.collected_at = at(0);
        let iface = host.interface_mut("tap1", None);
        iface.kind = InterfaceKind::Tap;
        iface.samples.push(CounterSample {
            time: at(0),
            source: "sos_commands/networking/ip_-s_-d_link".into(),
            counters: [
                ("tx_dropped".to_string(), 50_000),
                ("tx_packets".to_string(), 1_000_000),
            ]
            .into_iter()
            .collect(),
            approximate: false,
        });
        rules::timeline::compute(&mut host);
        let f = finding_of(&host, "tap-tx-drop");
        assert!(f.evidence.iter().all(|e| !is_live(e)));
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"), "{svg}");
        assert!(svg.contains("<rect") && svg.contains("since boot"));
        // 50 000 / 86 400 s = 0.579/s
        assert!(svg.contains("0.579/s"), "{svg}");
        assert!(!svg.contains("txqueuelen"));
    }
}
