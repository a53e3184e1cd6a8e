//! The chart of an `ipvs-conn-table-small` finding: connections against hash buckets
//! (`size=`) as two bars, so the entries per bucket read off the chart.

use rules::finding::Finding;
use rules::thresholds::IPVS_WARN_PER_BUCKET;

use super::bars::{render_bars, Bar, BarChart};
use super::svg::human;
use super::{HOT, PALETTE};

pub(super) fn ipvs_chart(f: &Finding) -> Option<String> {
    let find = |prefix: &str| {
        f.evidence
            .iter()
            .find(|e| e.metric.starts_with(prefix))
            .and_then(|e| e.value)
            .filter(|v| v.is_finite())
    };
    let size = find("ipvs table_size")?;
    let conns = find("ipvs connections")?;
    let per =
        find("ipvs entries per hash bucket").unwrap_or(if size > 0.0 { conns / size } else { 0.0 });
    render_bars(&BarChart {
        kind: "ipvs",
        title: format!(
            "IPVS: {} connections in {} hash buckets",
            human(conns),
            human(size)
        ),
        desc: format!(
            "{} connections, table size {} buckets: {} entries per bucket (warning from {}).",
            human(conns),
            human(size),
            human(per),
            human(IPVS_WARN_PER_BUCKET)
        ),
        caption: format!(
            "{} entries per hash bucket on average (warning from {})",
            human(per),
            human(IPVS_WARN_PER_BUCKET)
        ),
        bars: vec![
            Bar {
                label: "connections".into(),
                value: conns,
                text: human(conns),
                unit: String::new(),
                color: HOT,
            },
            Bar {
                label: "hash buckets (size=)".into(),
                value: size,
                text: human(size),
                unit: String::new(),
                color: PALETTE[1],
            },
        ],
        full_scale: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{at, finding_of, well_formed};
    use crate::render::charts::for_finding;
    use rules::model::Host;

    #[test]
    fn ipvs_is_a_bar_of_connections_against_buckets() {
        let mut host = Host::new("synthetic-director");
        host.ipvs.push(rules::model::IpvsSample {
            time: at(0),
            source: "ipvsadm -Ln".into(),
            table_size: Some(4096),
            connections: Some(300_000),
            services: Vec::new(),
            timeouts: None,
            represents: 1,
        });
        let f = finding_of(&host, "ipvs-conn-table-small");
        let svg = for_finding(&host, &f).unwrap();
        well_formed(&svg);
        assert!(!svg.contains("<polyline"));
        assert!(svg.contains(">300k<") && svg.contains(">4096<"), "{svg}");
    }
}
