//! `CHARTS_GALLERY=/tmp/charts.html cargo test -p analyze --lib charts::gallery -- --ignored`
//! writes the charts of every scenario, the corpus sosreport and the synthetic test hosts
//! into one page, to look at in a browser (light and dark).

use std::fmt::Write as _;

use rules::finding::Finding;
use rules::model::Host;

use super::testutil::{at, cpu_frame, tap_host};
use super::{cpu_per_sample, cpu_si_heatmap, escape, for_finding, softnet_heatmap};

fn host_charts(host: &Host, findings: &[Finding]) -> String {
    let mut page = String::new();
    for f in findings {
        let _ = write!(
            page,
            "<h3>{} {} {:?}</h3>",
            f.rule,
            escape(&f.subject),
            f.severity
        );
        page.push_str(&for_finding(host, f).unwrap_or_else(|| "<p>(no chart)</p>".into()));
    }
    for (name, svg) in [
        ("softnet dropped", softnet_heatmap(host, "dropped")),
        (
            "softnet time_squeeze",
            softnet_heatmap(host, "time_squeeze"),
        ),
        ("si heat", cpu_si_heatmap(host)),
        ("cpu", cpu_per_sample(host)),
    ] {
        if let Some(svg) = svg {
            let _ = write!(page, "<h4>{name}</h4>{svg}");
        }
    }
    page
}

#[test]
#[ignore]
fn gallery() {
    let Ok(out) = std::env::var("CHARTS_GALLERY") else {
        return;
    };
    let dir = |p: &str| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
    let mut inputs: Vec<std::path::PathBuf> = std::fs::read_dir(dir("testdata/scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    inputs.sort();
    let mut inputs: Vec<(String, std::path::PathBuf)> = inputs
        .into_iter()
        .map(|d| {
            let spec: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(d.join("expected.json")).unwrap())
                    .unwrap();
            let name = d.file_name().unwrap().to_string_lossy().to_string();
            (name, d.join(spec["input"].as_str().unwrap()))
        })
        .collect();
    inputs.push((
        "corpus sosreport".into(),
        dir("testdata/sosreport-3.6-coreos-master1.tar.xz"),
    ));
    let mut page = String::from("<!DOCTYPE html><meta charset=utf-8><style>:root{color-scheme:light dark}body{font:14px system-ui;max-width:700px;margin:auto}</style>");
    for (name, input) in inputs {
        let report = crate::pipeline::run(&[input]);
        let _ = write!(page, "<h2>{}</h2>", escape(&name));
        for h in &report.hosts {
            page.push_str(&host_charts(h, &h.findings));
        }
    }
    // Synthetic hosts of the unit tests (tap drops against steal; hostile name).
    let mut host = tap_host("tap0", &[100, 100, 100, 20_100, 45_100, 70_100]);
    for (i, st) in [2.0, 3.0, 40.0, 45.0, 44.0].iter().enumerate() {
        host.cpu
            .push(cpu_frame(at(5 * (i as u32 + 1)), 100 + i, *st, &[1.0, 2.0]));
    }
    let hostile = tap_host("tap<script>alert('x')</script>", &[0, 10_000, 20_000]);
    page.push_str("<h2>synthetic</h2>");
    for h in [&host, &hostile] {
        page.push_str(&host_charts(h, &rules::catalog::run(h)));
    }
    std::fs::write(out, page).unwrap();
}
