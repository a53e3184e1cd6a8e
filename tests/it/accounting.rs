//! Never silent on loss (DESIGN.md, principle one), checked over every input in `testdata/`:
//! each interface or CPU with a non-zero loss counter in its latest reading has a finding that
//! reports it or an explicit benign reason (`hosts[].loss_counters`), never the catch-all
//! "no rule judges this counter"; and the report says "No packet loss found" only when no such
//! counter exists.

use std::path::{Path, PathBuf};

use analyze::pipeline::{render, Format};
use rules::accounting::NOT_JUDGED;
use rules::model::Report;

use crate::util::TESTDATA;

/// Every input the test data holds: scenario inputs, capture logs, seed pastes, the corpus
/// sosreport, the e2e capture, and each parser fixture read as a loose file.
pub(crate) fn inputs() -> Vec<PathBuf> {
    let root = PathBuf::from(TESTDATA);
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walk testdata");
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name == "expected.json" || name.ends_with(".md") {
            continue;
        }
        out.push(entry.into_path());
    }
    assert!(out.len() > 50, "testdata holds {} inputs", out.len());
    out
}

fn check(path: &Path, report: &Report) -> Vec<String> {
    let mut errors = Vec::new();
    for h in &report.hosts {
        for l in &h.loss_counters {
            match (&l.finding, &l.reason) {
                (Some(_), None) => {}
                (None, Some(r)) if r != NOT_JUDGED => {}
                _ => errors.push(format!(
                    "{}: {} {} {} = {}: finding {:?}, reason {:?}",
                    path.display(),
                    h.hostname,
                    l.subject,
                    l.counter,
                    l.value,
                    l.finding,
                    l.reason
                )),
            }
        }
        // The accounting misses nothing the model holds: every non-zero counter of the latest
        // reading that the interface table highlights as a drop or error (the template's own
        // test: `drop`, `err`, `missed`, `fifo`, `over` in the name) is listed.
        for i in &h.interfaces {
            let Some(s) = i.samples.iter().rev().find(|s| !s.approximate) else {
                continue;
            };
            for (k, v) in &s.counters {
                let highlighted = ["drop", "err", "missed", "fifo", "over"]
                    .iter()
                    .any(|w| k.contains(w));
                if *v > 0
                    && highlighted
                    && !h
                        .loss_counters
                        .iter()
                        .any(|l| l.subject == i.name && l.counter == *k)
                {
                    errors.push(format!(
                        "{}: {} {} {k} not accounted",
                        path.display(),
                        h.hostname,
                        i.name
                    ));
                }
            }
        }
        if let Some(s) = h.softnet.last() {
            for c in s.cpus.iter().filter(|c| c.dropped > 0) {
                let subject = format!("cpu{}", c.cpu);
                if !h.loss_counters.iter().any(|l| l.subject == subject) {
                    errors.push(format!(
                        "{}: {subject} dropped not accounted",
                        path.display()
                    ));
                }
            }
        }
    }
    let no_loss = report.hosts.iter().all(|h| h.loss_counters.is_empty());
    for format in [Format::Html, Format::Md] {
        let page = render(report, format).expect("render");
        if page.contains("No packet loss found") && !no_loss {
            errors.push(format!(
                "{}: says \"No packet loss found\" next to non-zero loss counters",
                path.display()
            ));
        }
    }
    errors
}

#[test]
fn every_non_zero_loss_counter_is_a_finding_or_explained() {
    let mut errors = Vec::new();
    let mut counters = 0;
    for path in inputs() {
        let report = analyze::pipeline::run(std::slice::from_ref(&path));
        counters += report
            .hosts
            .iter()
            .map(|h| h.loss_counters.len())
            .sum::<usize>();
        errors.extend(check(&path, &report));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The data does hold loss: the check above is not vacuous.
    assert!(counters > 50, "only {counters} loss counters in testdata");
}

/// The layers above the NIC on real inputs, each value read by hand from the file.
#[test]
fn protocol_loss_counters_of_real_inputs_are_accounted() {
    let find = |report: &Report, counter: &str| {
        report.hosts[0]
            .loss_counters
            .iter()
            .find(|l| l.counter == counter)
            .cloned()
            .unwrap_or_else(|| panic!("{counter} not listed"))
    };
    // hotsos openstack `nstat -zas` (kernel 5.4): line 231 "TcpExtIPReversePathFilter 2124",
    // line 11 "IpOutNoRoutes 15"; every other loss counter is 0.
    let path = PathBuf::from(TESTDATA).join("parsers/nstat/hotsos-openstack-5.4.nstat-zas");
    let report = analyze::pipeline::run(std::slice::from_ref(&path));
    let rp = find(&report, "TcpExtIPReversePathFilter");
    assert_eq!((rp.subject.as_str(), rp.value), ("host", 2124));
    assert_eq!(rp.finding, Some("rp-filter-drop"));
    let no_routes = find(&report, "IpOutNoRoutes");
    assert_eq!(no_routes.value, 15);
    assert_eq!(no_routes.finding, None);
    assert!(no_routes
        .reason
        .unwrap()
        .contains("the sending application got an error"));
    assert_eq!(report.hosts[0].loss_counters.len(), 2);
    // The corpus sosreport: netstat -s "4165 dropped because of missing route" (the latest
    // reading holding IpOutNoRoutes); proc/net/stat/nf_conntrack invalid 4 + 3 = 7 is not a
    // conntrack drop, so it is not listed.
    let report = analyze::pipeline::run(&[PathBuf::from(crate::util::CORPUS)]);
    let no_routes = find(&report, "IpOutNoRoutes");
    assert_eq!(no_routes.value, 4165);
    assert_eq!(no_routes.source, "sos_commands/networking/netstat_-s");
    assert!(!report.hosts[0]
        .loss_counters
        .iter()
        .any(|l| l.counter.starts_with("conntrack")));
    let md = render(&report, Format::Md).expect("render");
    assert!(!md.contains("No packet loss found"));
}
