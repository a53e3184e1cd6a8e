//! Report: renders the [`Report`] as JSON (serde), HTML or Markdown (minijinja templates in
//! `templates/`, compiled into the binary). HTML is auto-escaped by minijinja because the
//! template name ends in `.html`; Markdown cells go through the `md` filter.

pub mod charts;
pub mod steps;
pub mod summary;
pub mod view;

use std::io::Write;

use minijinja::{context, Environment};
use rules::model::{CounterSeries, Host, Interface, Qdisc, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
    Json,
}

/// Escapes text for a Markdown table cell or line: no table breaks, no markup, no raw HTML.
/// How a finding's time basis reads in the report.
pub fn basis_label(basis: &str) -> &'static str {
    match basis {
        "live" => "live",
        "since-boot" => "since boot",
        "unknown-window" => "window unknown",
        "log" => "kernel log",
        _ => "one reading",
    }
}

pub fn md_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Prose written by the rules, as HTML: escaped like any customer text, with `backticked`
/// spans (commands, settings) set as code. The result is marked safe only because every byte
/// of the input went through the escaping.
pub fn prose_html(text: &str) -> String {
    // The n-th backtick opens a span when n is odd, closes it when even; an unpaired last
    // one is shown as it is.
    let pairs = text.matches('`').count() / 2;
    let mut out = String::with_capacity(text.len() + 16);
    for (n, part) in text.split('`').enumerate() {
        let opens = n % 2 == 1 && n.div_ceil(2) <= pairs;
        let closes = n > 0 && n % 2 == 0 && n / 2 <= pairs;
        if opens {
            out.push_str("<code>");
        } else if closes {
            out.push_str("</code>");
        } else if n > 0 {
            out.push('`');
        }
        for ch in part.chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#x27;"),
                // As minijinja's own escaping does, so both read alike.
                '/' => out.push_str("&#x2f;"),
                c => out.push(c),
            }
        }
    }
    out
}

/// Integral values without decimals, others with at most three (`32794`, `6558.8`).
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The HTML page and its parts, compiled into the binary.
const HTML_TEMPLATES: [(&str, &str); 8] = [
    ("report.html", include_str!("../../templates/report.html")),
    ("report.css", include_str!("../../templates/report.css")),
    ("report.js", include_str!("../../templates/report.js")),
    (
        "html/summary.html",
        include_str!("../../templates/html/summary.html"),
    ),
    (
        "html/findings.html",
        include_str!("../../templates/html/findings.html"),
    ),
    (
        "html/interfaces.html",
        include_str!("../../templates/html/interfaces.html"),
    ),
    (
        "html/cpu.html",
        include_str!("../../templates/html/cpu.html"),
    ),
    (
        "html/extra.html",
        include_str!("../../templates/html/extra.html"),
    ),
];

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_filter("md", |v: String| md_escape(&v));
    env.add_filter("num", |v: f64| format_number(v));
    env.add_filter("basis", |v: String| basis_label(&v).to_string());
    env.add_filter("duration", |v: f64| summary::human_duration(v));
    env.add_filter("prose", |v: String| {
        minijinja::Value::from_safe_string(prose_html(&v))
    });
    // Inside a fenced block nothing is markup; only a line of backticks could close it.
    env.add_filter("fence", |v: String| v.replace("```", "'''"));
    // The page is split by section so that each can change on its own; `include` keeps the
    // output one self-contained file.
    for (name, text) in HTML_TEMPLATES {
        env.add_template(name, text).expect("html template");
    }
    env.add_template("report.md", include_str!("../../templates/report.md"))
        .expect("report.md template");
    env
}

pub fn render(report: &Report, format: Format) -> Result<String, String> {
    let mut out = Vec::new();
    render_to(report, format, &mut out)?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// Writes the report to `out`. JSON is streamed (a long capture log gives a large document
/// that is never held whole); pages are rendered from `page_report`.
pub fn render_to(report: &Report, format: Format, out: &mut dyn Write) -> Result<(), String> {
    match format {
        Format::Json => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
            let with_summary = WithSummary {
                report,
                summary: summary_of(report),
            };
            serde_json::to_writer_pretty(&mut out, &with_summary).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())
        }
        Format::Html | Format::Md => {
            let name = if format == Format::Html {
                "report.html"
            } else {
                "report.md"
            };
            let env = environment();
            let template = env.get_template(name).map_err(|e| e.to_string())?;
            let views = crate::render::view::host_views(report);
            let summary = summary_of(report);
            let page = page_report(report);
            let text = template
                .render(context! { report => page, views => views, summary => summary, not_judged => rules::accounting::NOT_JUDGED })
                .map_err(|e| format!("cannot render {name}: {e}"))?;
            out.write_all(text.as_bytes()).map_err(|e| e.to_string())
        }
    }
}

/// The JSON document: the report, then the summary the pages open with (verdict, rows,
/// coverage), so that batch pipelines read the same answer as people.
#[derive(serde::Serialize)]
struct WithSummary<'a> {
    #[serde(flatten)]
    report: &'a Report,
    summary: summary::Summary,
}

fn summary_of(report: &Report) -> summary::Summary {
    let facts: Vec<view::HostFacts> = report.hosts.iter().map(view::host_facts).collect();
    summary::summary(report, &facts)
}

/// What the pages show of the latest samples: the page is a diagnosis, not a dump, and
/// minijinja copies whatever it is given. Counts of what was cut are in the host views.
pub const PAGE_CPU_SAMPLES: usize = 40;
pub const PAGE_SOFTNET_SAMPLES: usize = 5;
pub const PAGE_IPVS_SAMPLES: usize = 10;

fn tail<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    items[items.len().saturating_sub(n)..].to_vec()
}

/// The report as the templates read it: every field but the per-sample series, which are cut
/// to their latest entries (interval lists, read through the views, are left out).
fn page_report(report: &Report) -> Report {
    let hosts = report
        .hosts
        .iter()
        .map(|h| Host {
            hostname: h.hostname.clone(),
            hostname_from: h.hostname_from,
            kernel: h.kernel.clone(),
            collected_at: h.collected_at,
            uptime_seconds: h.uptime_seconds,
            cpu_count: h.cpu_count,
            cpu_model: h.cpu_model.clone(),
            hypervisor: h.hypervisor.clone(),
            sources: h.sources.clone(),
            interfaces: h.interfaces.iter().map(page_interface).collect(),
            softnet: tail(&h.softnet, PAGE_SOFTNET_SAMPLES),
            softnet_deltas: Vec::new(),
            cpu: tail(&h.cpu, PAGE_CPU_SAMPLES),
            softirqs: tail(&h.softirqs, 1),
            interrupts: tail(&h.interrupts, 1),
            softirqs_deltas: Vec::new(),
            interrupts_deltas: Vec::new(),
            ipvs: tail(&h.ipvs, PAGE_IPVS_SAMPLES),
            sysctl: h.sysctl.clone(),
            protocol: page_series(&h.protocol),
            sockstat: h.sockstat.clone(),
            qdiscs: h
                .qdiscs
                .iter()
                .map(|q| Qdisc {
                    counters: page_series(&q.counters),
                    ..q.clone()
                })
                .collect(),
            conntrack: page_series(&h.conntrack),
            conntrack_count: h.conntrack_count.clone(),
            kernel_log: h.kernel_log.clone(),
            kernel_log_files: h.kernel_log_files.clone(),
            sockets: h.sockets.clone(),
            findings: h.findings.clone(),
            loss_counters: h.loss_counters.clone(),
            path: h.path.clone(),
            thinned: h.thinned.clone(),
        })
        .collect();
    Report {
        schema: report.schema,
        tool_version: report.tool_version,
        inputs: report.inputs.clone(),
        hosts,
        problems: report.problems.clone(),
    }
}

/// The latest sample of a counter series, without its intervals.
fn page_series(s: &CounterSeries) -> CounterSeries {
    CounterSeries {
        samples: tail(&s.samples, 1),
        deltas: Vec::new(),
    }
}

fn page_interface(i: &Interface) -> Interface {
    Interface {
        name: i.name.clone(),
        ifindex: i.ifindex,
        namespace: i.namespace.clone(),
        kind: i.kind,
        master: i.master.clone(),
        bond_role: i.bond_role,
        driver: i.driver.clone(),
        qlen: i.qlen,
        mtu: i.mtu,
        state: i.state.clone(),
        link_peer: i.link_peer.clone(),
        alias: i.alias.clone(),
        altnames: i.altnames.clone(),
        samples: tail(&i.samples, 1),
        ethtool: tail(&i.ethtool, 1),
        ring: i.ring.clone(),
        ring_readings: i.ring_readings.clone(),
        channels: i.channels.clone(),
        qdisc: i.qdisc.clone(),
        mac: i.mac.clone(),
        flags: i.flags.clone(),
        inferred: i.inferred.clone(),
        deltas: Vec::new(),
        ethtool_deltas: Vec::new(),
    }
}

#[cfg(test)]
mod prose_tests {
    use super::prose_html;

    #[test]
    fn prose_is_escaped_and_backticks_become_code() {
        assert_eq!(
            prose_html("see `ip link show dev <eth0>` & \"x\""),
            "see <code>ip link show dev &lt;eth0&gt;</code> &amp; &quot;x&quot;"
        );
        assert_eq!(prose_html("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(
            prose_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_tables_intact() {
        assert_eq!(md_escape("a|b"), "a\\|b");
        assert_eq!(
            md_escape("<script>x</script>"),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(md_escape("line\nbreak"), "line break");
    }
}
