//! The Markdown report (`--format md`) read back by a CommonMark/GFM parser (`pulldown-cmark`
//! with tables), for the real corpus sosreport, the seed tap capture, two scenarios and a
//! crafted archive (synthetic, built below) whose hostname, file name, interface name and alias
//! hold HTML, quotes, pipes and Markdown markup.
//!
//! Checked: each host's findings summary table parses as a table with the expected header and
//! one row per finding of the JSON report (severity, subject and rule in their cells, the
//! subject exactly as in the data); each finding has its own section whose remediation lines
//! are inside a fenced `sh` code block; the report holds no raw HTML (no `Html`/`InlineHtml`
//! event) and no image; every table row of every report has as many cells as its header, both
//! as parsed and as written (a stray `|` would add a cell the parser silently drops).

use std::ops::Range;
use std::path::Path;

use crate::util::*;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

const FINDINGS_HEADER: [&str; 5] = ["Severity", "Basis", "Finding", "Subject", "Rule"];

// ---------------------------------------------------------------------------------------------
// Rendering with the binary.

/// The report `analyze --format FORMAT INPUTS…` writes (exit 0).
fn analyze(format: &str, inputs: &[&Path]) -> String {
    let options = [Path::new("--format"), Path::new(format)];
    run_bin_ok(options.iter().chain(inputs))
}

struct Finding {
    rule: String,
    severity: String,
    subject: String,
    remediation: Vec<String>,
}

/// Per host, in order: (hostname, findings) of the JSON report.
fn hosts_of(json: &str) -> Vec<(String, Vec<Finding>)> {
    let json: Value = serde_json::from_str(json).expect("JSON report");
    let s = |v: &Value| v.as_str().expect("a string").to_string();
    json["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .map(|h| {
            let findings = h["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| Finding {
                    rule: s(&f["rule"]),
                    severity: s(&f["severity"]),
                    subject: s(&f["subject"]),
                    remediation: f["remediation"].as_array().unwrap().iter().map(s).collect(),
                })
                .collect();
            (s(&h["hostname"]), findings)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The parsed document as a flat list of blocks.

#[derive(Debug)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Source lines of the header and of each row, with their 1-based line numbers.
    lines: Vec<(usize, String)>,
}

#[derive(Debug)]
enum Block {
    Heading { level: usize, text: String },
    Table(Table),
    Code { fence: Option<String>, text: String },
    Other,
}

struct Doc {
    blocks: Vec<Block>,
    /// Raw HTML met anywhere (block or inline).
    html: Vec<String>,
    /// Images and links: (kind, destination).
    links: Vec<(String, String)>,
}

/// The whole source line(s) holding `range`, with the 1-based number of the first.
fn source_line(md: &str, range: &Range<usize>) -> (usize, String) {
    let start = md[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = md[range.start..]
        .find('\n')
        .map_or(md.len(), |i| range.start + i);
    let number = md[..start].matches('\n').count() + 1;
    (number, md[start..end].to_string())
}

fn parse(md: &str) -> Doc {
    let mut doc = Doc {
        blocks: Vec::new(),
        html: Vec::new(),
        links: Vec::new(),
    };
    let mut text: Option<String> = None;
    let mut heading: Option<usize> = None;
    let mut code: Option<Option<String>> = None;
    let mut table: Option<Table> = None;
    let mut row: Vec<String> = Vec::new();
    for (event, range) in Parser::new_ext(md, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(level as usize);
                text = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                doc.blocks.push(Block::Heading {
                    level: heading.take().unwrap(),
                    text: text.take().unwrap_or_default(),
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                code = Some(match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                });
                text = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                doc.blocks.push(Block::Code {
                    fence: code.take().unwrap(),
                    text: text.take().unwrap_or_default(),
                });
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    lines: Vec::new(),
                });
            }
            Event::End(TagEnd::Table) => doc.blocks.push(Block::Table(table.take().unwrap())),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                row.clear();
                table.as_mut().unwrap().lines.push(source_line(md, &range));
            }
            Event::End(TagEnd::TableHead) => {
                table.as_mut().unwrap().header = std::mem::take(&mut row);
            }
            Event::End(TagEnd::TableRow) => {
                table.as_mut().unwrap().rows.push(std::mem::take(&mut row));
            }
            Event::Start(Tag::TableCell) => text = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(text.take().unwrap_or_default()),
            Event::Start(Tag::Paragraph) if table.is_none() && heading.is_none() => {
                doc.blocks.push(Block::Other);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                doc.links.push(("image".into(), dest_url.to_string()));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                doc.links.push(("link".into(), dest_url.to_string()));
            }
            Event::Html(h) | Event::InlineHtml(h) => doc.html.push(h.to_string()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(buf) = text.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(buf) = text.as_mut() {
                    buf.push(' ');
                }
            }
            _ => {}
        }
    }
    doc
}

/// Cells of a written table line as cmark-gfm (GitHub, GitLab) splits it: a `|` is a separator
/// unless an odd number of backslashes precedes it. pulldown-cmark treats any preceding
/// backslash as an escape, so a row must satisfy both counts to be read alike everywhere.
fn raw_cell_count(line: &str) -> usize {
    let t = line.trim();
    let b = t.as_bytes();
    let mut seps = Vec::new();
    let mut backslashes = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'|' && backslashes % 2 == 0 {
            seps.push(i);
        }
        backslashes = if c == b'\\' { backslashes + 1 } else { 0 };
    }
    let leading = seps.first() == Some(&0);
    let trailing = seps.last() == Some(&(b.len() - 1)) && b.len() > 1;
    seps.len() + 1 - usize::from(leading) - usize::from(trailing)
}

// ---------------------------------------------------------------------------------------------
// The checks shared by every report.

fn check_markdown(label: &str, md: &str, hosts: &[(String, Vec<Finding>)]) -> Doc {
    let doc = parse(md);
    assert!(
        doc.html.is_empty(),
        "{label}: raw HTML in the Markdown (a ticket shows it verbatim or runs it): {:#?}",
        doc.html
    );
    assert!(
        doc.links
            .iter()
            .all(|(kind, dest)| kind == "link" && !dest.contains("evil.example")),
        "{label}: images or customer links in the Markdown: {:?}",
        doc.links
    );

    // Every table row, as parsed and as written, has the header's cell count.
    for block in &doc.blocks {
        let Block::Table(t) = block else { continue };
        let width = t.header.len();
        for (i, row) in t.rows.iter().enumerate() {
            assert_eq!(
                row.len(),
                width,
                "{label}: row {i} of table {:?} has {} cells",
                t.header,
                row.len()
            );
        }
        for (number, line) in &t.lines {
            assert_eq!(
                raw_cell_count(line),
                width,
                "{label}: line {number} has a different cell count than its header {:?}: {line}",
                t.header
            );
        }
    }

    // Per host: `Findings` heading, then the summary table, then one section per finding.
    let findings_headings: Vec<usize> = doc
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Heading { text, .. } if text.trim() == "Findings"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        findings_headings.len(),
        hosts.len(),
        "{label}: one `Findings` heading per host"
    );
    for (&at, (hostname, findings)) in findings_headings.iter().zip(hosts) {
        if findings.is_empty() {
            assert!(
                !matches!(doc.blocks.get(at + 1), Some(Block::Table(_))),
                "{label}: {hostname}: a findings table without findings"
            );
            continue;
        }
        let Some(Block::Table(summary)) = doc.blocks.get(at + 1) else {
            panic!(
                "{label}: {hostname}: no table right after `Findings`: {:?}",
                doc.blocks.get(at + 1)
            );
        };
        assert_eq!(
            summary.header, FINDINGS_HEADER,
            "{label}: findings summary header"
        );
        assert_eq!(
            summary.rows.len(),
            findings.len(),
            "{label}: {hostname}: one summary row per finding"
        );
        for (row, f) in summary.rows.iter().zip(findings) {
            assert_eq!(row[0].trim(), f.severity, "{label}: severity cell");
            assert!(
                ["live", "since boot", "window unknown", "one reading"].contains(&row[1].trim()),
                "{label}: basis cell {:?}",
                row[1]
            );
            assert_eq!(
                row[3].trim(),
                f.subject,
                "{label}: the subject cell must hold the subject exactly"
            );
            assert_eq!(row[4].trim(), f.rule, "{label}: rule cell");
        }

        // Sections: a heading naming the subject, in order, with the remediation fenced as sh.
        let mut from = at + 2;
        for f in findings {
            let (index, level) = doc.blocks[from..]
                .iter()
                .enumerate()
                .find_map(|(i, b)| match b {
                    Block::Heading { level, text } if text.contains(&f.subject) => {
                        Some((from + i, *level))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| {
                    panic!("{label}: no section heading for {} {:?}", f.rule, f.subject)
                });
            let end = doc.blocks[index + 1..]
                .iter()
                .position(|b| matches!(b, Block::Heading { level: l, .. } if *l <= level))
                .map_or(doc.blocks.len(), |p| index + 1 + p);
            let section = &doc.blocks[index + 1..end];
            if !f.remediation.is_empty() {
                let sh: Vec<&str> = section
                    .iter()
                    .filter_map(|b| match b {
                        Block::Code {
                            fence: Some(info),
                            text,
                        } if info.trim() == "sh" => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                assert!(
                    !sh.is_empty(),
                    "{label}: {} {:?}: no ```sh block in its section",
                    f.rule,
                    f.subject
                );
                // Each remediation line is `command   # why` or prose: the command stands alone
                // in a ```sh block (its why is prose around it, not a shell comment).
                let commands = f
                    .remediation
                    .iter()
                    .filter(|l| !l.starts_with('#'))
                    .filter_map(|l| l.split_once("   # "));
                for (line, _why) in commands {
                    // The template turns a ``` inside a line into ''' so the fence holds.
                    let line = line.replace("```", "'''");
                    assert!(
                        sh.iter().any(|code| code.lines().any(|l| l == line)),
                        "{label}: {} {:?}: remediation line not in a ```sh block: {line}",
                        f.rule,
                        f.subject
                    );
                }
            }
            from = index + 1;
        }
    }
    doc
}

fn render_and_check(label: &str, inputs: &[&Path]) -> (String, Doc, Vec<(String, Vec<Finding>)>) {
    let md = analyze("md", inputs);
    let hosts = hosts_of(&analyze("json", inputs));
    let doc = check_markdown(label, &md, &hosts);
    (md, doc, hosts)
}

fn rules_of(hosts: &[(String, Vec<Finding>)]) -> Vec<(String, String, String)> {
    hosts
        .iter()
        .flat_map(|(_, fs)| fs.iter())
        .map(|f| (f.rule.clone(), f.severity.clone(), f.subject.clone()))
        .collect()
}

fn has(hosts: &[(String, Vec<Finding>)], rule: &str, severity: &str, subject: &str) -> bool {
    rules_of(hosts)
        .iter()
        .any(|(r, s, x)| r == rule && s == severity && x == subject)
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn corpus_markdown_tables_and_blocks() {
    let (_, doc, hosts) = render_and_check("corpus", &[Path::new(CORPUS)]);
    assert!(
        has(&hosts, "softnet-time-squeeze", "info", "cpu0"),
        "{:?}",
        rules_of(&hosts)
    );
    let tables = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Table(_)))
        .count();
    assert!(tables >= 3, "only {tables} tables in the corpus report");
}

#[test]
fn tap_capture_markdown() {
    let (_, _, hosts) = render_and_check("seed000 tap", &[Path::new(SEED_TAP_LOG)]);
    assert!(
        has(&hosts, "tap-tx-drop", "critical", "tapc18eb09e-01"),
        "{:?}",
        rules_of(&hosts)
    );
}

#[test]
fn nic_ring_scenario_markdown() {
    let (_, _, hosts) =
        render_and_check("nic-rx-ring-overflow scenario", &[Path::new(NIC_RING_LOG)]);
    assert!(
        has(&hosts, "nic-rx-ring-overflow", "critical", "eth2"),
        "{:?}",
        rules_of(&hosts)
    );
}

#[test]
fn softnet_scenario_with_two_findings_markdown() {
    let (_, _, hosts) = render_and_check("softnet scenario", &[Path::new(SOFTNET_LOG)]);
    let rules = rules_of(&hosts);
    assert!(rules.len() >= 2, "{rules:?}");
    assert!(rules.iter().any(|(r, _, _)| r == "softnet-backlog-drop"));
    assert!(rules.iter().any(|(r, _, _)| r == "softnet-time-squeeze"));
}

#[test]
fn hostile_names_keep_the_markdown_structure() {
    let (_d, archive) = write_temp("hostile.tar.xz", &xz(&hostile_archive()));
    let (md, doc, hosts) = render_and_check("hostile archive", &[&archive]);
    // The crafted names reach the report as finding subjects (else this proves nothing).
    for (rule, subject) in [
        ("tap-tx-drop", HOSTILE_TAP),
        ("nic-rx-ring-overflow", HOSTILE_ETHTOOL_IF),
        ("tx-queue-drop", MARKUP_IF),
    ] {
        assert!(
            has(&hosts, rule, "warning", subject),
            "no {rule} on {subject:?}: {:?}",
            rules_of(&hosts)
        );
    }
    assert_eq!(hosts[0].0, HOSTILE_HOST);
    // The host heading reads back as the hostname, as text.
    assert!(
        doc.blocks.iter().any(|b| matches!(
            b,
            Block::Heading { text, .. } if text.contains(HOSTILE_HOST)
        )),
        "no heading shows the hostname as text"
    );
    // The markup name is text in a cell, not a heading, emphasis, code span or link.
    let cells: Vec<&String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.rows.iter().flatten()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        cells.iter().any(|c| c.trim() == MARKUP_IF),
        "the name {MARKUP_IF:?} is not one cell's text"
    );
    // Outside code blocks the crafted markup is escaped in the source itself.
    let mut in_fence = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            for needle in ["<script", "<img", "<svg", "<b>"] {
                assert!(!line.contains(needle), "raw {needle} outside code: {line}");
            }
        }
    }
}

/// The checks themselves: a stray `|`, raw HTML and an unfenced remediation are caught.
#[test]
fn the_checks_catch_broken_markdown() {
    assert_eq!(raw_cell_count("| a | b \\| c | `d` |"), 3);
    assert_eq!(raw_cell_count("|---|---:|"), 2);
    assert_eq!(raw_cell_count("| a \\\\| b |"), 2);
    assert_eq!(raw_cell_count("| a \\\\\\| b |"), 1);
    let hosts = vec![(
        "h".to_string(),
        vec![Finding {
            rule: "tap-tx-drop".into(),
            severity: "critical".into(),
            subject: "tap|0".into(),
            remediation: vec!["ip link set dev tap0 txqueuelen 10000".into()],
        }],
    )];
    let good = "### Findings\n\n| Severity | Basis | Finding | Subject | Rule |\n|---|---|---|---|---|\n\
                | **critical** | live | t | tap\\|0 | `tap-tx-drop` |\n\n#### CRITICAL: t — tap\\|0\n\n\
                ```sh\nip link set dev tap0 txqueuelen 10000\n```\n";
    check_markdown("good", good, &hosts);
    for (what, bad) in [
        ("stray pipe", good.replace("tap\\|0 |", "tap|0 |")),
        ("raw html", good.replace("| t |", "| <b>t</b> |")),
        ("unfenced", good.replace("```sh\n", "").replace("```\n", "")),
        ("wrong header", good.replace("| Subject |", "| Device |")),
    ] {
        let caught = std::panic::catch_unwind(|| {
            check_markdown(what, &bad, &hosts);
        });
        assert!(caught.is_err(), "{what} was not caught:\n{bad}");
    }
}
