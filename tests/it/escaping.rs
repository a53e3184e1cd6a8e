//! HTML escaping, checked on the text of the report without a browser (the browser tests in
//! `browser.rs` need Chromium and are skipped without it; this one always runs).
//!
//! The `analyze` binary renders two synthetic inputs built here: a sosreport whose hostname is
//! `HOST` and whose one interface is `IFACE` (TX drops since boot: a tap-tx-drop warning), and a
//! capture log with the same `IFACE` growing its TX drops and an `ethtool -S ens5` counter named
//! `COUNTER` growing (a live tap-tx-drop and a live cloud-allowance-exceeded, each with a line
//! chart). Each name holds `<`, `>`, `&`, `"` and `'`. The report must never hold a name as
//! written, and must hold its escaped form in every place the name appears: the page title,
//! the host heading, each finding's subject, the links to the findings and their ids, the
//! interface table, the counter tables, a finding summary, and the chart `<title>` and `<desc>`.
//! A `|safe` on any of these in `templates/report.html` makes this test fail.
//!
//! Two escapers write the report: the template engine (minijinja's HTML escaping: `&amp;`,
//! `&lt;`, `&gt;`, `&quot;`, `&#x27;` and `&#x2f;` for `/`) and the chart writer
//! (`charts::escape`: the same but `&#39;` for `'` and `/` kept). The `*_HTML` and `*_SVG`
//! constants are the names escaped by hand in each way.

use std::path::Path;

use crate::util::*;

/// The host name: closes an attribute, then a script that would retitle the page.
const HOST: &str = "db\"&'<script>document.title='H'</script>";
const HOST_HTML: &str =
    "db&quot;&amp;&#x27;&lt;script&gt;document.title=&#x27;H&#x27;&lt;&#x2f;script&gt;";

/// The interface name (a tap, so that its TX drops are tap-tx-drop's).
const IFACE: &str = "tap&\"'<script>x</script>";
const IFACE_HTML: &str = "tap&amp;&quot;&#x27;&lt;script&gt;x&lt;&#x2f;script&gt;";
/// Element ids keep letters, digits and `-_.:`; anything else becomes `_` (by hand).
const HOST_ANCHOR: &str = "db____script_document.title__H___script_";
const IFACE_ANCHOR: &str = "tap____script_x__script_";
const IFACE_SVG: &str = "tap&amp;&quot;&#39;&lt;script&gt;x&lt;/script&gt;";

/// An `ethtool -S` counter name; the `_allowance_exceeded` suffix makes
/// cloud-allowance-exceeded judge it, so it reaches a finding and its chart.
const COUNTER: &str = "x&\"'<b>y</b>_allowance_exceeded";
const COUNTER_HTML: &str = "x&amp;&quot;&#x27;&lt;b&gt;y&lt;&#x2f;b&gt;_allowance_exceeded";
const COUNTER_SVG: &str = "x&amp;&quot;&#39;&lt;b&gt;y&lt;/b&gt;_allowance_exceeded";

/// The sosreport (synthetic): one reading, 50 000 of 2 000 000 packets dropped on `IFACE`,
/// uptime 35 days.
fn sosreport() -> Vec<u8> {
    sos_root("sosreport-esc", HOST)
        .file(
            "sosreport-esc/sos_commands/networking/ip_-s_-d_link",
            ip_link_block(7, IFACE, None, 2_000_000, 50_000).as_bytes(),
        )
        .file(
            "sosreport-esc/sos_commands/date/date",
            b"Tue Nov 29 12:28:22 UTC 2016\n",
        )
        .file(
            "sosreport-esc/sos_commands/host/uptime",
            b" 02:54:32 up 35 days,  1 user,  load average: 0.64, 0.37, 0.23\n",
        )
        .finish()
}

/// The capture log (synthetic): two rounds 10 s apart. `IFACE` TX dropped 50 000 → 60 000
/// (1000/s); `COUNTER` on ens5 100 → 5100 (500/s).
fn capture_log() -> String {
    let round = |time: &str, tx_packets, tx_dropped, counter| {
        format!(
            "$ date\nTue Nov 29 {time} UTC 2016\n$ ip -s -s link\n{}\
             $ ethtool -S ens5\nNIC statistics:\n     rx_packets: 1000000\n     {COUNTER}: {counter}\n",
            ip_link_block(7, IFACE, None, tx_packets, tx_dropped)
        )
    };
    round("10:00:00", 2_000_000, 50_000, 100) + &round("10:00:10", 2_100_000, 60_000, 5_100)
}

fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn hostile_names_appear_only_escaped_in_the_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let sos = dir.path().join("sosreport-esc.tar");
    let log = dir.path().join("cap.log");
    std::fs::write(&sos, sosreport()).unwrap();
    std::fs::write(&log, capture_log()).unwrap();
    let html = run_bin_ok([Path::new("--format"), Path::new("html"), &sos, &log]);

    // Never as written, nor any markup they carry.
    for raw in [
        HOST,
        IFACE,
        COUNTER,
        "<script>x",
        "<script>document",
        "<b>y",
    ] {
        assert!(!html.contains(raw), "unescaped {raw:?} in the HTML report");
    }

    // Page title and heading of the sosreport's host; the capture log names no host, so it is
    // an unknown host, not one called after its file.
    assert!(html.contains(&format!(
        "<title>analyze: {HOST_HTML}, unknown host (from cap.log)</title>"
    )));
    assert_eq!(
        occurrences(
            &html,
            &format!("<h2 id=\"host-{HOST_ANCHOR}-h\">{HOST_HTML} ")
        ),
        1
    );
    assert_eq!(
        occurrences(
            &html,
            "<h2 id=\"host-cap.log-h\">unknown host (from cap.log) "
        ),
        1
    );

    // One tap-tx-drop per host: the subject in the finding's header, the summary's link to
    // it, the packet path's link and the interfaces table's link to it, and the anchor they
    // link to.
    let header =
        format!("— <code>{IFACE_HTML}</code></h4> <span class=\"mute rule\">tap-tx-drop</span>");
    assert_eq!(occurrences(&html, &header), 2, "finding headers");
    let link_text =
        format!("— <code>{IFACE_HTML}</code></a> <span class=\"mute rule\">tap-tx-drop</span>");
    assert_eq!(occurrences(&html, &link_text), 2, "summary links");
    for host in [HOST_ANCHOR, "cap.log"] {
        let anchor = format!("{host}-tap-tx-drop-{IFACE_ANCHOR}");
        assert_eq!(
            occurrences(&html, &format!("href=\"#{anchor}\"")),
            3,
            "{anchor}"
        );
        assert_eq!(
            occurrences(&html, &format!("id=\"{anchor}\"")),
            1,
            "{anchor}"
        );
    }

    // The interface table of each host.
    assert_eq!(
        occurrences(&html, &format!("<td><code>{IFACE_HTML}</code><br><a href=")),
        2,
        "interface table rows"
    );
    // The ethtool -S table of ens5, and the cloud-allowance-exceeded summary.
    assert!(html.contains(&format!("<td><code>{COUNTER_HTML}</code></td>")));
    assert!(html.contains(&format!("{COUNTER_HTML} grew by 5000 in 10 s")));

    // Chart titles and descriptions (SVG inside the page).
    for title in [
        format!("<title>{IFACE_SVG}: tx_dropped per second</title>"),
        format!("<title>{IFACE_SVG}: average per second since boot"),
        format!("<title>ens5: {COUNTER_SVG} per second</title>"),
        format!("<desc>{COUNTER_SVG} over 1 interval(s) of the capture"),
    ] {
        assert_eq!(occurrences(&html, &title), 1, "{title}");
    }
}
