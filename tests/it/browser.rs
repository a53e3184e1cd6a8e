//! The HTML report in a real browser: reports are rendered by the `analyze` binary and loaded
//! in headless Chromium (Debian's `chromium`), and the test looks at the DOM *after* the page's
//! scripts ran (`--dump-dom`).
//!
//! Checked for every report: the findings are on the page (one `article.finding` per finding
//! of the JSON report, with its severity badge, rule id, subject and remediation), the page
//! makes no network request (statically: no URL outside the page in any `src`/`href`/…
//! attribute, CSS `url()`/`@import` or script; dynamically: Chromium runs behind a proxy that
//! is a local socket recording every request it gets, and a control page proves the trap
//! catches requests), no script error is logged, and no event-handler attribute exists. A
//! crafted archive (synthetic, built below) puts `<script>`, `<img onerror>` and quote-heavy
//! names into the hostname, a file name, an interface name and an alias: none of them may run
//! (each would set `document.title`) or become an element.
//!
//! Every screen and medium (issue 17): through chromedriver (`browser/webdriver.rs`), each of
//! several real reports laid out on a 390 px phone must not pan sideways; axe-core's
//! `color-contrast` rule (and a direct measure of the badges) finds no text under 4.5:1 on a
//! desktop light, dark and in print, and on a phone dark; in print every `<details>` shows its
//! content, charts keep their size, and a real print to PDF runs with every section open.
//! These also need `chromedriver` (Debian's `chromium-driver`; `ANALYZE_CHROMEDRIVER`
//! overrides it) and axe-core (`npm ci --prefix tests/browser`; `AXE_CORE_JS` overrides it).
//!
//! The tests are `#[ignore]`d, so a plain `cargo test` lists them as ignored; `.ci/run` runs
//! them with `cargo test --release --test it -- --ignored browser::` once Chromium is installed.
//! Run that way without Chromium they skip with a message, unless `ANALYZE_REQUIRE_BROWSER` is
//! set (CI sets it), where a missing browser is a failure. `ANALYZE_CHROMIUM` overrides the
//! browser binary.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::util::*;
use serde_json::{json, Value};

mod webdriver;
use webdriver::{Browser, DESKTOP, PHONE};

const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Rendering with the binary.

/// `analyze --format FORMAT -o OUT INPUTS…`, which must exit 0.
fn analyze(format: &str, inputs: &[&Path], out: &Path) {
    let options = [
        Path::new("--format"),
        Path::new(format),
        Path::new("-o"),
        out,
    ];
    run_bin_ok(options.iter().chain(inputs));
}

/// `(rule, severity, subject, remediation)` of every finding in the JSON report, in order.
struct Expected {
    rule: String,
    severity: String,
    subject: String,
    remediation: Vec<String>,
}

fn findings_of(json: &Value) -> Vec<Expected> {
    let mut out = Vec::new();
    for host in json["hosts"].as_array().expect("hosts") {
        for f in host["findings"].as_array().expect("findings") {
            out.push(Expected {
                rule: f["rule"].as_str().unwrap().to_string(),
                severity: f["severity"].as_str().unwrap().to_string(),
                subject: f["subject"].as_str().unwrap().to_string(),
                remediation: f["remediation"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect(),
            });
        }
    }
    out
}

/// Renders HTML and JSON of `inputs` into `dir`; returns (html path, html text, findings).
fn render_both(dir: &Path, inputs: &[&Path]) -> (PathBuf, String, Vec<Expected>) {
    let html_path = dir.join("report.html");
    let json_path = dir.join("report.json");
    analyze("html", inputs, &html_path);
    analyze("json", inputs, &json_path);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    (html_path, html, findings_of(&json))
}

// ---------------------------------------------------------------------------------------------
// Chromium.

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ANALYZE_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The browser, or `None` after a skip message; a failure when `ANALYZE_REQUIRE_BROWSER` is set.
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let required =
        std::env::var("ANALYZE_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0");
    match find_chromium() {
        Some(p) => Some(p),
        None if required => {
            panic!("{test}: ANALYZE_REQUIRE_BROWSER is set but no chromium was found on PATH")
        }
        None => {
            eprintln!(
                "skipping {test}: no chromium on PATH (install Debian's `chromium`; \
                 set ANALYZE_REQUIRE_BROWSER=1 to make this a failure)"
            );
            None
        }
    }
}

/// Chromium itself contacts Google services in the background (update checks, network
/// time, accounts) even with background networking disabled; seen with Debian's chromium 156:
/// `update.googleapis.com`, `accounts.google.com`, `clients2.google.com`. Those requests are
/// not the page's. Web fonts (`fonts.googleapis.com`, `fonts.gstatic.com`) are never excused.
fn is_chromium_service(host: &str) -> bool {
    const DOMAINS: &[&str] = &[
        "google.com",
        "googleapis.com",
        "gvt1.com",
        "gvt2.com",
        "gstatic.com",
    ];
    !host.starts_with("fonts.")
        && DOMAINS
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// A local socket used as Chromium's HTTP proxy: every http, https (`CONNECT`) and ws request
/// the browser makes reaches it, and its request line is recorded. Nothing is answered.
struct RequestTrap {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: JoinHandle<()>,
}

impl RequestTrap {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the request trap");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop2, seen2) = (stop.clone(), seen.clone());
        let thread = std::thread::spawn(move || loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
                    let mut line = String::new();
                    let _ = BufReader::new(stream).read_line(&mut line);
                    let line = line.trim_end();
                    seen2.lock().unwrap().push(if line.is_empty() {
                        "(a connection without a request line)".to_string()
                    } else {
                        line.to_string()
                    });
                }
                // The backlog is drained before stopping: a connection made just before the
                // browser exited is still counted.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => break,
            }
        });
        RequestTrap {
            port,
            stop,
            seen,
            thread,
        }
    }

    /// The request lines received, without Chromium's own background requests.
    fn finish(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("request trap thread");
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|line| !is_chromium_service(&request_host(line)))
            .cloned()
            .collect()
    }
}

/// `CONNECT host:443 HTTP/1.1` or `GET http://host/path HTTP/1.1` → `host`.
fn request_host(line: &str) -> String {
    let target = line.split_whitespace().nth(1).unwrap_or("");
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.to_ascii_lowercase()
}

fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("UTF-8 temp path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

struct Page {
    /// The DOM serialized after the page's scripts ran.
    dom: String,
    /// `CONSOLE` lines Chromium logged for the page.
    console: Vec<String>,
    /// Request lines that reached the proxy (Chromium's own services left out).
    requests: Vec<String>,
}

fn load(browser: &Path, html: &Path) -> Page {
    let scratch = tempfile::tempdir().unwrap();
    let profile = scratch.path().join("profile");
    let stderr_path = scratch.path().join("stderr.log");
    let trap = RequestTrap::start();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--enable-logging=stderr",
            "--v=0",
            "--proxy-bypass-list=<-loopback>",
        ])
        .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(file_url(html))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    let deadline = Instant::now() + BROWSER_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {BROWSER_TIMEOUT:?} on {}",
                html.display()
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed ({status}) on {}:\n{stderr}",
        html.display()
    );
    let dom = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("chromium's output was not closed");
    let dom = String::from_utf8(dom).expect("UTF-8 DOM");
    assert!(
        dom.contains("</html>"),
        "no DOM dumped for {}:\n{stderr}",
        html.display()
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Page {
        dom,
        console,
        requests: trap.finish(),
    }
}

// ---------------------------------------------------------------------------------------------
// A small HTML tokenizer: enough to see the tags and attributes of the report and the DOM
// Chromium serialized (text never holds a raw `<`, raw-text elements are skipped).

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Byte offset of the `<`.
    at: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|t| t == class))
    }
}

struct Parsed {
    tags: Vec<Tag>,
    /// (element name, text) of every `<script>` and `<style>`.
    raw_texts: Vec<(String, String)>,
}

fn parse_html(html: &str) -> Parsed {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut raw_texts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let at = i;
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        if i + 1 < b.len() && (b[i + 1] == b'!' || b[i + 1] == b'/' || b[i + 1] == b'?') {
            i = html[i..].find('>').map_or(b.len(), |e| i + e + 1);
            continue;
        }
        if i + 1 >= b.len() || !b[i + 1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let start = i;
            while i < b.len()
                && !b[i].is_ascii_whitespace()
                && b[i] != b'='
                && b[i] != b'>'
                && !(b[i] == b'/' && i > start)
            {
                i += 1;
            }
            let attr = html[start..i].to_ascii_lowercase();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    let end = html[i + 1..].find(q as char).map_or(b.len(), |e| i + 1 + e);
                    value = html[i + 1..end].to_string();
                    i = end + 1;
                } else {
                    let start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html[start..i].to_string();
                }
            }
            attrs.push((attr, decode_entities(&value)));
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let end = html[i.min(b.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| i + e);
            raw_texts.push((name.clone(), html[i.min(b.len())..end].to_string()));
            i = end;
        }
        tags.push(Tag { name, attrs, at });
    }
    Parsed { tags, raw_texts }
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// How Chromium serializes a text node.
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\u{a0}', "&nbsp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "href",
    "xlink:href",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "manifest",
    "ping",
    "cite",
    "longdesc",
    "codebase",
    "icon",
    "lowsrc",
    "dynsrc",
];

/// A reference that stays inside the page: a fragment or inline data.
fn is_local_reference(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.is_empty() || v.starts_with('#') || v.starts_with("data:")
}

fn css_external_refs(css: &str, origin: &str, out: &mut Vec<String>) {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        out.push(format!("{origin}: @import"));
    }
    for (pos, _) in lower.match_indices("url(") {
        let arg = lower[pos + 4..]
            .trim_start()
            .trim_start_matches(['"', '\''])
            .to_string();
        if !(arg.starts_with('#') || arg.starts_with("data:")) {
            let end = (pos + 60).min(css.len());
            out.push(format!("{origin}: {}", css.get(pos..end).unwrap_or("url(")));
        }
    }
}

/// Everything in the HTML that could make the browser fetch something from outside the page.
fn external_references(html: &str) -> Vec<String> {
    let parsed = parse_html(html);
    let mut out = Vec::new();
    for tag in &parsed.tags {
        for (name, value) in &tag.attrs {
            if URL_ATTRIBUTES.contains(&name.as_str()) && !is_local_reference(value) {
                out.push(format!("<{} {name}=\"{value}\">", tag.name));
            }
            if name == "style" {
                css_external_refs(value, &format!("<{} style>", tag.name), &mut out);
            }
        }
        if tag.name == "meta"
            && tag
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        {
            out.push("<meta http-equiv=refresh>".to_string());
        }
        if ["base", "iframe", "frame", "object", "embed", "applet"].contains(&tag.name.as_str()) {
            out.push(format!("<{}>", tag.name));
        }
    }
    for (element, text) in &parsed.raw_texts {
        if element == "style" {
            css_external_refs(text, "<style>", &mut out);
            continue;
        }
        let without_ns = text
            .replace("http://www.w3.org/2000/svg", "")
            .replace("http://www.w3.org/1999/xlink", "")
            .replace("http://www.w3.org/1999/xhtml", "");
        for needle in [
            "http://",
            "https://",
            "//cdn",
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
            "EventSource",
            "sendBeacon",
            "importScripts",
            "import(",
        ] {
            if without_ns.contains(needle) {
                out.push(format!("<script> uses `{needle}`"));
            }
        }
    }
    out
}

/// Attributes named `on…`: event handlers have no place in the report.
fn event_handlers(parsed: &Parsed) -> Vec<String> {
    parsed
        .tags
        .iter()
        .flat_map(|t| {
            t.attrs
                .iter()
                .filter(|(n, _)| n.starts_with("on"))
                .map(move |(n, v)| format!("<{} {n}=\"{v}\">", t.name))
        })
        .collect()
}

fn title_of(dom: &str) -> String {
    let start = dom.find("<title>").expect("a <title> in the DOM") + "<title>".len();
    let end = dom[start..].find("</title>").expect("</title>") + start;
    dom[start..end].to_string()
}

/// The text of each `<article class="finding …">` … `</article>` of the DOM, in order.
fn finding_articles<'a>(dom: &'a str, parsed: &Parsed) -> Vec<&'a str> {
    parsed
        .tags
        .iter()
        .filter(|t| t.name == "article" && t.has_class("finding"))
        .map(|t| {
            let end = dom[t.at..]
                .find("</article>")
                .map_or(dom.len(), |e| t.at + e);
            &dom[t.at..end]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The checks shared by every report.

/// Asserts what every report must satisfy in the browser; returns the finding articles' count
/// of `<svg>` elements, per finding.
fn check_page(label: &str, html: &str, page: &Page, findings: &[Expected]) -> Vec<usize> {
    let source = external_references(html);
    assert!(
        source.is_empty(),
        "{label}: the report refers to things outside the page: {source:#?}"
    );
    let dom_refs = external_references(&page.dom);
    assert!(
        dom_refs.is_empty(),
        "{label}: after its scripts ran the page refers outside: {dom_refs:#?}"
    );
    assert!(
        page.requests.is_empty(),
        "{label}: the page made network requests: {:#?}",
        page.requests
    );
    let errors: Vec<&String> = page
        .console
        .iter()
        .filter(|l| l.contains("Uncaught") || l.contains("Refused to"))
        .collect();
    assert!(errors.is_empty(), "{label}: script errors: {errors:#?}");

    let title = title_of(&page.dom);
    assert!(
        title.starts_with("analyze"),
        "{label}: the title was changed to {title:?}"
    );

    let source_parsed = parse_html(html);
    let parsed = parse_html(&page.dom);
    let handlers = event_handlers(&parsed);
    assert!(
        handlers.is_empty(),
        "{label}: event-handler attributes in the DOM: {handlers:#?}"
    );
    let count = |p: &Parsed, name: &str| p.tags.iter().filter(|t| t.name == name).count();
    assert_eq!(
        count(&parsed, "script"),
        count(&source_parsed, "script"),
        "{label}: scripts were added to the page"
    );
    assert_eq!(count(&parsed, "img"), 0, "{label}: an <img> in the DOM");
    assert_eq!(
        count(&parsed, "iframe") + count(&parsed, "object") + count(&parsed, "embed"),
        0,
        "{label}: embedded content in the DOM"
    );

    // One card per rule and severity: findings of one rule on several subjects share a card
    // that lists them. Every finding has its card, and every card stands for a finding.
    let articles = finding_articles(&page.dom, &parsed);
    assert!(
        !articles.is_empty() || findings.is_empty(),
        "{label}: no finding card"
    );
    let card_of = |f: &Expected| {
        articles.iter().copied().find(|a| {
            a.contains(&format!("badge {}", f.severity))
                && a.contains(&f.rule)
                && a.contains(&format!("<code>{}</code>", dom_text(&f.subject)))
        })
    };
    for article in &articles {
        assert!(
            findings.iter().any(|f| card_of(f) == Some(*article)),
            "{label}: a card no finding stands for:\n{article}"
        );
    }
    let mut svgs = Vec::new();
    for f in findings {
        let article = card_of(f).unwrap_or_else(|| {
            panic!(
                "{label}: no card for {} {} {}",
                f.severity, f.rule, f.subject
            )
        });
        let tags = parse_html(article).tags;
        assert!(
            tags.iter()
                .any(|t| t.has_class("badge") && t.has_class(&f.severity)),
            "{label}: no `badge {}` in the card of {} {}:\n{article}",
            f.severity,
            f.rule,
            f.subject
        );
        assert!(
            article.contains(&f.rule),
            "{label}: rule id {} not in its card",
            f.rule
        );
        assert!(
            article.contains(&dom_text(&f.subject)),
            "{label}: subject {:?} not shown (as text) in the card of {}",
            f.subject,
            f.rule
        );
        // Each remediation line `command   # why` is shown as its command in a box and its
        // why as prose (first letter capitalised; backticked spans set as code).
        for line in &f.remediation {
            let line = line.trim_start_matches("# ");
            let (command, why) = line.split_once("   # ").unwrap_or((line, ""));
            for part in [command, why] {
                let part = part.get(1..).unwrap_or("");
                if part.is_empty() || part.contains('`') {
                    continue;
                }
                assert!(
                    article.contains(&dom_text(part)),
                    "{label}: remediation {part:?} of {} not in its card",
                    f.rule
                );
            }
        }
        svgs.push(tags.iter().filter(|t| t.name == "svg").count());
    }
    svgs
}

fn expect_finding(findings: &[Expected], rule: &str, severity: &str, subject: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.rule == rule && f.severity == severity && f.subject == subject),
        "expected a {severity} {rule} on {subject}; got {:?}",
        findings
            .iter()
            .map(|f| format!("{} {} {}", f.severity, f.rule, f.subject))
            .collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------------
// Tests.

/// Controls: the request trap sees a page that loads from outside, and the crafted payloads do
/// run when they reach the page unescaped (so the hostile test below can fail).
#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn controls_the_trap_sees_requests_and_unescaped_payloads_run() {
    let Some(browser) =
        browser_or_skip("controls_the_trap_sees_requests_and_unescaped_payloads_run")
    else {
        return;
    };
    let (dir, canary) = write_temp(
        "canary.html",
        b"<!DOCTYPE html><html><head><title>canary</title>\
          <link rel=\"stylesheet\" href=\"https://canary-css.invalid/a.css\"></head>\
          <body><img src=\"http://canary-img.invalid/x.png\"></body></html>",
    );
    let html = std::fs::read_to_string(&canary).unwrap();
    assert_eq!(
        external_references(&html).len(),
        2,
        "{:?}",
        external_references(&html)
    );
    let loaded = load(&browser, &canary);
    let hosts: Vec<String> = loaded.requests.iter().map(|l| request_host(l)).collect();
    for host in ["canary-img.invalid", "canary-css.invalid"] {
        assert!(
            hosts.iter().any(|h| h == host),
            "the trap missed {host}; it saw {:?}",
            loaded.requests
        );
    }

    for (payload, title) in [
        (HOSTILE_HOST, "PWNED"),
        (HOSTILE_ETHTOOL_IF, "PWNED2"),
        (HOSTILE_TAP, "PWNED3"),
        (HOSTILE_ALIAS, "PWNED4"),
    ] {
        let path = dir.path().join(format!("{title}.html"));
        std::fs::write(
            &path,
            format!("<!DOCTYPE html><html><head><title>analyze</title></head><body><p>{payload}</p></body></html>"),
        )
        .unwrap();
        let page = load(&browser, &path);
        assert_eq!(
            title_of(&page.dom),
            title,
            "payload {payload:?} did not run"
        );
    }
}

#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn corpus_sosreport_in_the_browser() {
    let Some(browser) = browser_or_skip("corpus_sosreport_in_the_browser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, html, findings) = render_both(dir.path(), &[Path::new(CORPUS)]);
    expect_finding(&findings, "softnet-time-squeeze", "info", "cpu0");
    let page = load(&browser, &path);
    check_page("corpus", &html, &page, &findings);
    assert!(page.dom.contains("localhost.localdomain"));
}

#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn tap_capture_in_the_browser_shows_the_finding_and_a_chart() {
    let Some(browser) = browser_or_skip("tap_capture_in_the_browser_shows_the_finding_and_a_chart")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, html, findings) = render_both(dir.path(), &[Path::new(SEED_TAP_LOG)]);
    expect_finding(&findings, "tap-tx-drop", "critical", "tapc18eb09e-01");
    let page = load(&browser, &path);
    let svgs = check_page("seed000 tap", &html, &page, &findings);
    // Issue 5: tap TX drops over time are drawn as an inline SVG inside the finding's card.
    assert!(
        svgs[0] >= 1,
        "seed000 tap: no inline <svg> chart in the tap-tx-drop card"
    );
}

#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn nic_ring_scenario_in_the_browser() {
    let Some(browser) = browser_or_skip("nic_ring_scenario_in_the_browser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, html, findings) = render_both(dir.path(), &[Path::new(NIC_RING_LOG)]);
    expect_finding(&findings, "nic-rx-ring-overflow", "critical", "eth2");
    let page = load(&browser, &path);
    check_page("nic-rx-ring-overflow scenario", &html, &page, &findings);
}

#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn softnet_scenario_with_two_findings_in_the_browser() {
    let Some(browser) = browser_or_skip("softnet_scenario_with_two_findings_in_the_browser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, html, findings) = render_both(dir.path(), &[Path::new(SOFTNET_LOG)]);
    assert!(findings.len() >= 2, "{} finding(s)", findings.len());
    assert!(findings.iter().any(|f| f.rule == "softnet-backlog-drop"));
    assert!(findings.iter().any(|f| f.rule == "softnet-time-squeeze"));
    let page = load(&browser, &path);
    check_page("softnet scenario", &html, &page, &findings);
}

#[test]
#[ignore = "needs chromium (headless); .ci/run runs it with --ignored"]
fn hostile_names_do_not_run_in_the_browser() {
    let Some(browser) = browser_or_skip("hostile_names_do_not_run_in_the_browser") else {
        return;
    };
    let (dir, archive) = write_temp("hostile.tar.xz", &xz(&hostile_archive()));
    let (path, html, findings) = render_both(dir.path(), &[&archive]);
    // The crafted names reach the report (else this test would prove nothing).
    expect_finding(&findings, "tap-tx-drop", "warning", HOSTILE_TAP);
    expect_finding(
        &findings,
        "nic-rx-ring-overflow",
        "warning",
        HOSTILE_ETHTOOL_IF,
    );
    expect_finding(&findings, "tx-queue-drop", "warning", MARKUP_IF);
    let page = load(&browser, &path);
    check_page("hostile archive", &html, &page, &findings);

    let title = title_of(&page.dom);
    assert!(
        !title.starts_with("PWNED"),
        "a crafted payload ran: the title is {title:?}"
    );
    assert!(
        !page.dom.contains("<script>document.title"),
        "the hostname became a <script> element"
    );
    assert!(
        !page.dom.contains("<svg/onload"),
        "the tap name became an element"
    );
    let parsed = parse_html(&page.dom);
    for (element, text) in &parsed.raw_texts {
        assert!(
            !text.contains("PWNED"),
            "customer text inside a <{element}> element: {text}"
        );
    }
    // Each crafted string is shown to the reader, as text.
    for (what, s) in [
        ("hostname", HOSTILE_HOST),
        ("ethtool file name", HOSTILE_ETHTOOL_IF),
        ("tap name", HOSTILE_TAP),
        ("alias", HOSTILE_ALIAS),
        ("markup name", MARKUP_IF),
    ] {
        assert!(
            page.dom.contains(&dom_text(s)),
            "the {what} {s:?} is not shown as text"
        );
    }
}

/// The static scan itself (no browser needed).
#[test]
fn the_external_reference_scan_sees_what_it_must() {
    let local = "<!DOCTYPE html><html><head><style>a{background:url(data:image/png;base64,AA)}</style></head>\
                 <body><p>&lt;img src=http://x.example/a.png&gt;</p><a href=\"#f\">f</a>\
                 <svg xmlns=\"http://www.w3.org/2000/svg\"><use href=\"#g\"/></svg>\
                 <script>var s = \"<img src='http://no.example/'>\";</script></body></html>";
    let found = external_references(local);
    // The script's string literal is a script-text finding, not a tag.
    assert_eq!(
        found,
        vec!["<script> uses `http://`".to_string()],
        "{found:?}"
    );
    for bad in [
        "<img src=\"https://x.example/a.png\">",
        "<img src=//x.example/a.png>",
        "<link rel=stylesheet href=\"a.css\">",
        "<div style=\"background:url('http://x.example/b')\"></div>",
        "<style>@import \"x.css\";</style>",
        "<svg><image xlink:href=\"http://x.example/i.png\"/></svg>",
        "<meta http-equiv=\"refresh\" content=\"0;url=http://x.example/\">",
        "<iframe srcdoc=\"x\"></iframe>",
        "<script>fetch('/x')</script>",
    ] {
        assert!(!external_references(bad).is_empty(), "not seen: {bad}");
    }
    let parsed = parse_html("<p>&lt;b onclick=x&gt;</p><svg onload=\"x()\"></svg>");
    assert_eq!(event_handlers(&parsed).len(), 1);
}

#[test]
fn only_chromium_services_are_excused() {
    assert_eq!(
        request_host("CONNECT update.googleapis.com:443 HTTP/1.1"),
        "update.googleapis.com"
    );
    assert_eq!(
        request_host("GET http://Canary.invalid:8080/x HTTP/1.1"),
        "canary.invalid"
    );
    assert!(is_chromium_service("update.googleapis.com"));
    assert!(is_chromium_service("accounts.google.com"));
    assert!(!is_chromium_service("fonts.googleapis.com"));
    assert!(!is_chromium_service("fonts.gstatic.com"));
    assert!(!is_chromium_service("notgoogle.com"));
    assert!(!is_chromium_service("cdn.jsdelivr.net"));
}

// ---------------------------------------------------------------------------------------------
// Every screen and medium (issue 17): the reports laid out by Chromium through chromedriver
// (`browser/webdriver.rs`) on a 1400 px desktop and a 390 px phone, light and dark, and for
// print. These need `chromedriver` too, and axe-core for the contrast check.

/// `AXE_CORE_JS`, else `tests/browser/node_modules/axe-core/axe.min.js` (`npm ci` in
/// `tests/browser`, as `.ci/run` does).
fn find_axe() -> Option<PathBuf> {
    let path = std::env::var_os("AXE_CORE_JS")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/browser/node_modules/axe-core/axe.min.js")
        });
    path.is_file().then_some(path)
}

/// Chromium and chromedriver started, or `None` after a skip message (a failure when
/// `ANALYZE_REQUIRE_BROWSER` is set).
fn driver_or_skip(test: &str) -> Option<Browser> {
    let chromium = browser_or_skip(test)?;
    match webdriver::find_chromedriver() {
        Some(driver) => Some(Browser::start(&driver, &chromium)),
        None if require_browser() => {
            panic!("{test}: ANALYZE_REQUIRE_BROWSER is set but no chromedriver was found on PATH")
        }
        None => {
            eprintln!(
                "skipping {test}: no chromedriver on PATH (install Debian's `chromium-driver`; \
                 set ANALYZE_REQUIRE_BROWSER=1 to make this a failure)"
            );
            None
        }
    }
}

fn require_browser() -> bool {
    std::env::var("ANALYZE_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The reports the layout tests look at, rendered as HTML into `dir`: a real sosreport, the
/// tap capture (a chart), the input with the most findings in testdata, an input with wide
/// interface tables, and the crafted names (long unbreakable strings).
fn layout_pages(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let hostile = dir.join("hostile.tar.xz");
    std::fs::write(&hostile, xz(&hostile_archive())).unwrap();
    let inputs: [(&str, PathBuf); 5] = [
        ("corpus sosreport", PathBuf::from(CORPUS)),
        ("tap capture", PathBuf::from(SEED_TAP_LOG)),
        (
            "8 findings",
            PathBuf::from(testdata!(
                "parsers/kernel_log/constructed-shapes-and-messages.txt"
            )),
        ),
        (
            "wide tables",
            PathBuf::from(testdata!("seeds/seed001-proc-net-dev.txt")),
        ),
        ("hostile names", hostile),
    ];
    inputs
        .into_iter()
        .enumerate()
        .map(|(n, (label, input))| {
            let out = dir.join(format!("page{n}.html"));
            analyze("html", &[&input], &out);
            (label, out)
        })
        .collect()
}

/// The index page of `analyze batch` over two captures (long input paths, finding lists).
fn batch_index(dir: &Path) -> PathBuf {
    let inputs = dir.join("tickets");
    std::fs::create_dir_all(&inputs).unwrap();
    for input in [SEED_TAP_LOG, SOFTNET_LOG] {
        let input = Path::new(input);
        std::fs::copy(input, inputs.join(input.file_name().unwrap())).unwrap();
    }
    let out = dir.join("batch");
    run_bin_ok([
        Path::new("batch"),
        inputs.as_path(),
        Path::new("--out"),
        out.as_path(),
    ]);
    out.join("index.html")
}

/// What sticks out of the viewport: the page's width as Chromium laid it out, and the
/// outermost elements wider than the viewport that no scroll box of their own holds.
const OVERFLOW_JS: &str = r#"
var de = document.documentElement, vw = arguments[0];
function scrolls(el) {
  for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    var o = getComputedStyle(p).overflowX;
    if (o !== "visible") return true;
  }
  return false;
}
var wide = [];
document.querySelectorAll("body *").forEach(function (el) {
  var r = el.getBoundingClientRect();
  if (r.right > vw + 0.5 && !scrolls(el) && !(el.parentElement && el.parentElement.getBoundingClientRect().right > vw + 0.5)) {
    wide.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + " → " + Math.round(r.right) + " px: " + (el.textContent || "").slice(0, 60));
  }
});
return { scrollWidth: de.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 8) };
"#;

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it with --ignored"]
fn no_page_pans_sideways_on_a_phone() {
    let Some(browser) = driver_or_skip("no_page_pans_sideways_on_a_phone") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut pages = layout_pages(dir.path());
    pages.push(("batch index", batch_index(dir.path())));
    let mut failures = Vec::new();
    for (label, page) in pages {
        browser.emulate(PHONE);
        browser.open(&page);
        let got = browser.eval(OVERFLOW_JS, json!([PHONE.width]));
        eprintln!("{label} at {PHONE}: scrollWidth {}", got["scrollWidth"]);
        // The viewport is 390 px; `innerWidth` is asserted too because a phone zooms out to
        // show content wider than the layout viewport, which is panning all the same.
        if got["scrollWidth"].as_u64() > Some(PHONE.width.into())
            || got["innerWidth"].as_u64() != Some(PHONE.width.into())
        {
            failures.push(format!("{label}: {got:#}"));
        }
    }
    assert!(
        failures.is_empty(),
        "pages wider than a {} px phone:\n{}",
        PHONE.width,
        failures.join("\n")
    );
}

/// Runs axe-core's `color-contrast` rule with every `<details>` open (so folded tables are
/// checked too); returns one line per failing element.
fn contrast_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.eval(
        &format!("{axe}\n;document.querySelectorAll('details').forEach(function (d) {{ d.open = true; }}); return typeof axe;"),
        json!([]),
    );
    let got = browser.eval_async(
        r#"var done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: "rule", values: ["color-contrast"] }, resultTypes: ["violations"] })
  .then(function (r) {
    var out = [];
    r.violations.forEach(function (v) { v.nodes.forEach(function (n) {
      var d = (n.any[0] || {}).data || {};
      out.push(n.target.join(" ") + ": " + d.contrastRatio + ":1 (" + d.fgColor + " on " + d.bgColor + ", " + d.fontSize + ") " + n.html.slice(0, 100));
    }); });
    done(out);
  }, function (e) { done(["axe failed: " + e]); });"#,
        json!([]),
    );
    got.as_array()
        .expect("a list of violations")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Contrast of the first element of each selector against the nearest opaque background, as
/// `selector → ratio`; for the figures in a test's output and a check that needs no axe.
const BADGE_CONTRAST_JS: &str = r#"
function rgb(s) { var m = s.match(/[\d.]+/g).map(Number); return { c: m.slice(0, 3), a: m.length > 3 ? m[3] : 1 }; }
function lum(c) { var v = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
function background(el) {
  for (; el; el = el.parentElement) { var b = rgb(getComputedStyle(el).backgroundColor); if (b.a > 0.99) return b.c; }
  return matchMedia("(prefers-color-scheme: dark)").matches ? [18, 18, 18] : [255, 255, 255];
}
var out = {};
arguments[0].forEach(function (sel) {
  var el = document.querySelector(sel);
  if (!el) return;
  var f = lum(rgb(getComputedStyle(el).color).c), b = lum(background(el));
  out[sel] = Math.round((Math.max(f, b) + 0.05) / (Math.min(f, b) + 0.05) * 100) / 100;
});
return out;
"#;

const BADGES: [&str; 6] = [
    ".badge.critical",
    ".badge.warning",
    ".badge.info",
    "td.nz",
    "ol.stages > li.critical .fig",
    "ol.stages > li.warning .fig",
];

#[test]
#[ignore = "needs chromium, chromedriver and axe-core; .ci/run runs it with --ignored"]
fn all_text_has_aa_contrast_light_dark_and_print() {
    let test = "all_text_has_aa_contrast_light_dark_and_print";
    let Some(browser) = driver_or_skip(test) else {
        return;
    };
    let Some(axe) = find_axe() else {
        assert!(
            !require_browser(),
            "{test}: ANALYZE_REQUIRE_BROWSER is set but axe-core is missing \
             (`npm ci --prefix tests/browser`, or set AXE_CORE_JS)"
        );
        eprintln!(
            "skipping {test}: no axe-core (`npm ci --prefix tests/browser`, or set AXE_CORE_JS)"
        );
        return;
    };
    let axe = std::fs::read_to_string(axe).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut pages = layout_pages(dir.path());
    pages.push(("batch index", batch_index(dir.path())));
    let mut failures = Vec::new();
    for (label, page) in pages {
        for e in [DESKTOP, DESKTOP.dark(), DESKTOP.print(), PHONE.dark()] {
            browser.emulate(e);
            browser.open(&page);
            let ratios = browser.eval(BADGE_CONTRAST_JS, json!([BADGES]));
            eprintln!("{label} at {e}: {ratios}");
            for (what, ratio) in ratios.as_object().unwrap() {
                if ratio.as_f64().unwrap() < 4.5 {
                    failures.push(format!("{label} at {e}: {what} {ratio}:1"));
                }
            }
            for v in contrast_violations(&browser, &axe) {
                failures.push(format!("{label} at {e}: {v}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "text under WCAG AA contrast (4.5:1):\n{}",
        failures.join("\n")
    );
}

/// For every `<details>`: whether it is open, and the height of its content (the children
/// after the summary) as laid out now; and the size of every chart.
const PRINT_STATE_JS: &str = r#"
return {
  details: Array.prototype.map.call(document.querySelectorAll("details"), function (d) {
    // checkVisibility: a box alone proves nothing, script queries lay out even content that
    // `content-visibility: hidden` keeps from being painted (how Chromium folds <details>).
    var h = 0, shown = true;
    Array.prototype.forEach.call(d.children, function (c) {
      if (c.tagName === "SUMMARY") return;
      h += c.getBoundingClientRect().height;
      shown = shown && c.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
    });
    return { open: d.open, height: h, shown: shown, summary: d.querySelector("summary").textContent.slice(0, 50) };
  }),
  charts: Array.prototype.map.call(document.querySelectorAll("figure.chart svg"), function (s) {
    var r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];
  })
};
"#;

/// Records, in `window.__printed`, what a `beforeprint` listener registered after the page's
/// own sees (the details open?), and what is left after `afterprint`.
const RECORD_PRINT_JS: &str = r#"
window.__printed = {};
var open = function () { return Array.prototype.map.call(document.querySelectorAll("details"), function (d) { return d.open; }); };
window.__printed.before = open();
addEventListener("beforeprint", function () { window.__printed.during = open(); });
addEventListener("afterprint", function () { window.__printed.after = open(); });
"#;

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it with --ignored"]
fn print_shows_every_folded_section_and_the_charts() {
    let Some(browser) = driver_or_skip("print_shows_every_folded_section_and_the_charts") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pages = layout_pages(dir.path());
    let mut closed_seen = 0;
    let mut charts_seen = 0;
    for (label, page) in &pages[..3] {
        browser.emulate(DESKTOP);
        browser.open(page);
        let screen = browser.eval(PRINT_STATE_JS, json!([]));
        let details = screen["details"].as_array().unwrap();
        closed_seen += details.iter().filter(|d| d["open"] == false).count();

        // The print medium alone (what a browser without the script, or a PDF printer
        // that fires no events, shows): every folded section's content has a box.
        browser.emulate(DESKTOP.print());
        let print = browser.eval(PRINT_STATE_JS, json!([]));
        for d in print["details"].as_array().unwrap() {
            assert!(
                d["height"].as_f64().unwrap() > 0.0 && d["shown"] == true,
                "{label}: in print the content of <details> {:?} is not shown: {d}",
                d["summary"]
            );
        }
        let charts = print["charts"].as_array().unwrap();
        assert_eq!(
            charts.len(),
            screen["charts"].as_array().unwrap().len(),
            "{label}: charts"
        );
        for c in charts {
            assert!(
                c[0].as_u64() > Some(0) && c[1].as_u64() > Some(0),
                "{label}: a chart has no size in print: {c}"
            );
        }
        charts_seen += charts.len();

        // A real print (to PDF): the page's `beforeprint` handler opens every section, and
        // `afterprint` folds them back as the reader had them.
        browser.emulate(DESKTOP);
        browser.eval(RECORD_PRINT_JS, json!([]));
        let pdf = browser.cdp("Page.printToPDF", json!({}));
        assert!(
            pdf["data"].as_str().is_some_and(|d| d.len() > 1000),
            "{label}: no PDF"
        );
        let printed = browser.eval("return window.__printed;", json!([]));
        let all_open = printed["during"]
            .as_array()
            .is_some_and(|d| d.iter().all(|o| o == true));
        assert!(
            all_open,
            "{label}: not every <details> was open while printing: {printed}"
        );
        assert_eq!(
            printed["after"], printed["before"],
            "{label}: after printing the sections are not folded back as they were"
        );
    }
    // Else this test proves nothing.
    assert!(closed_seen >= 2, "only {closed_seen} closed <details> seen");
    assert!(charts_seen >= 1, "no chart seen");
}
