//! Issue 17 items 3 and 7: the page of a many-CPU capture stays small and lists the hot CPU
//! first; the interfaces table highlights only counters that grew or back a finding, with the
//! interfaces that have findings first; the batch index is sorted by severity.

use std::path::Path;

use crate::util::*;

/// A SYNTHETIC capture log, the shape of `bench/gen-percpu-capture.py`: `date`, `ip -s -s
/// link` (eth0's rx_missed_errors +100 per sample), `/proc/net/softnet_stat` (CPU 3 drops 50
/// and squeezes 7 per sample, the others flat) and `top -b -n1 -1` (CPU 3 at 60–79 % si,
/// the others 0–2 %), every 5 s.
fn percpu_capture(cpus: usize, samples: usize) -> String {
    let mut out = String::new();
    for n in 0..samples {
        let secs = 5 * n;
        out += &format!(
            "$ date\nTue Mar  5 10:{:02}:{:02} UTC 2024\n$ ip -s -s link\n",
            secs / 60,
            secs % 60
        );
        out += &format!(
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\n    \
             link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    \
             RX:  bytes packets errors dropped  missed   mcast\n    \
             {} {}      0      40 {}       0\n    \
             RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0\n    \
             TX:  bytes packets errors dropped carrier collsns\n    \
             {} {}      0       0       0       0\n    \
             TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       1\n",
            9_000_000 + 150_000 * n,
            100_000 + 1000 * n,
            100 * n,
            5_000_000 + 90_000 * n,
            60_000 + 600 * n
        );
        out += "$ cat /proc/net/softnet_stat\n";
        for c in 0..cpus {
            let hot = c == 3;
            let vals = [
                5000 * (n + 1) + c,
                if hot { 50 * n } else { 0 },
                if hot { 7 * n } else { 0 },
                0,
                0,
                0,
                0,
                0,
                0,
                100 * n,
                0,
                0,
                c,
            ];
            let row: Vec<String> = vals.iter().map(|v| format!("{v:08x}")).collect();
            out += &(row.join(" ") + "\n");
        }
        out += &format!(
            "$ top -b -n1 -1\ntop - 10:{:02}:{:02} up 3 days,  1 user,  load average: 2.10, 2.05, 2.00\n\
             Tasks: 300 total,   2 running, 298 sleeping,   0 stopped,   0 zombie\n",
            secs / 60,
            secs % 60
        );
        for c in 0..cpus {
            let si = if c == 3 { 60 + n % 20 } else { (c + n) % 3 } as f64;
            let us = (10 + (c * 7 + n) % 30) as f64;
            let idle = (100.0 - us - 3.0 - si).max(0.0);
            out += &format!(
                "%Cpu{c:<3}: {us:5.1} us,  3.0 sy,  0.0 ni, {idle:5.1} id,  0.0 wa,  0.0 hi, {si:4.1} si,  0.0 st\n"
            );
        }
        out +=
            "MiB Mem :  64000.0 total,  32000.0 free,  16000.0 used,  16000.0 buff/cache\n\n    \
                PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n     \
                31 root      20   0       0      0      0 R  70.0   0.0  12:00.00 ksoftirqd/3\n\n";
    }
    out
}

fn html_of(name: &str, text: &str) -> String {
    let (_dir, path) = write_temp(name, text.as_bytes());
    run_bin_ok([Path::new("--format"), Path::new("html"), &path])
}

/// The rows of the `<table>` after `heading`.
fn table_rows<'a>(html: &'a str, heading: &str) -> Vec<&'a str> {
    let at = html.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    let body = &html[at..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>").skip(1).collect()
}

/// The page without its charts (inline SVG), which another part of the report draws.
fn without_charts(html: &str) -> usize {
    let mut rest = html;
    let mut len = 0;
    while let Some(start) = rest.find("<svg") {
        len += start;
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        rest = &rest[end..];
    }
    len + rest.len()
}

#[test]
fn the_hot_cpu_comes_first_in_the_per_cpu_summary() {
    let html = html_of("cpus.log", &percpu_capture(8, 6));
    let rows = table_rows(&html, "<h3>Per CPU</h3>");
    assert_eq!(rows.len(), 8, "one row per CPU");
    // CPU 3: si 60..65 (max 65), dropped 50 × 5 = 250, squeezed 7 × 5 = 35 over 5 intervals.
    assert!(
        rows[0].starts_with("<td>3</td><td class=\"num nz\">65</td>"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("<td class=\"num nz\">250</td>"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("<td class=\"num nz\">35</td>"),
        "{}",
        rows[0]
    );
    // The others all peak at si 2: by CPU number.
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r["<td>".len()..r.find("</td>").unwrap()].as_ref())
        .collect();
    assert_eq!(order, ["3", "0", "1", "2", "4", "5", "6", "7"]);
    assert!(html.contains("6 <code>top</code> frame(s) from 2024-03-05T10:00:00"));
}

#[test]
fn a_page_of_64_cpus_by_100_samples_stays_small() {
    let text = percpu_capture(64, 100);
    let html = html_of("cpus64.log", &text);
    let tables = without_charts(&html);
    // Before issue 17 the page was 1.7 MB: 635 KB of tables and 1 MB of charts (SVG).
    // Everything but the charts stays under 150 KB, and the whole page under 300 KB.
    assert!(
        tables < 150_000,
        "page without charts {tables} bytes, charts {} bytes",
        html.len() - tables
    );
    assert!(
        html.len() < 300_000,
        "page {} bytes, of which charts {} bytes",
        html.len(),
        html.len() - tables
    );
    // The si heat strip: the hot CPU's row first, 15 more, and one row for the other 48.
    let heat = &html[html.find("chart-si-heat").unwrap()..];
    let heat = &heat[..heat.find("</svg>").unwrap()];
    assert_eq!(heat.matches("<text class=\"tick\" x=\"47\"").count(), 17);
    assert!(heat.contains("text-anchor=\"end\" fill=\"currentColor\">cpu3</text>"));
    assert!(heat.contains(" · others = max of 48 CPUs<"), "{heat}");
    // The raw table is folded and cut to 320 rows: the latest 5 frames of 64 CPUs.
    assert!(html.contains("<summary>Every CPU of the latest 5 of 100 frame(s)</summary>"));
    assert_eq!(table_rows(&html, "<h3>Per CPU</h3>").len(), 64);
}

/// testdata `nic-rx-ring-overflow-pos-lvs-fifo`: eth2's rx_fifo_errors and proc_rx_drop grew
/// (19 781 362 at the end); eth3's proc_rx_drop is 30 365 065 at both readings; the findings
/// are on bond1 and eth2.
#[test]
fn only_counters_that_grew_or_back_a_finding_are_highlighted() {
    let dir = testdata!("scenarios/nic-rx-ring-overflow-pos-lvs-fifo");
    let html = run_bin_ok(["--format", "html", dir]);
    let host = run_bin_json(["--format", "json", dir])["hosts"][0]["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let rows = table_rows(&html, "<h3>Interfaces</h3>");
    let name = |r: &str| r[r.find("<code>").unwrap() + 6..r.find("</code>").unwrap()].to_string();
    let names: Vec<String> = rows.iter().map(|r| name(r)).collect();
    assert_eq!(&names[..2], ["bond1", "eth2"], "{names:?}");
    let eth2 = rows[1];
    assert!(
        eth2.contains("<span class=\"nz\">rx_fifo_errors=19781362</span>"),
        "{eth2}"
    );
    assert!(
        eth2.contains("<span class=\"nz\">proc_rx_drop=19781362</span>"),
        "{eth2}"
    );
    // The host name (`lvs01`) needs no escaping in the link.
    let link = format!(
        "<a href=\"#{host}-nic-rx-ring-overflow-eth2\" class=\"critical\">nic-rx-ring-overflow</a>"
    );
    assert!(eth2.contains(&link), "{eth2}");
    // eth3's proc_rx_drop did not grow during the capture (eth1's neither: an inactive slave).
    for (name, plain) in [
        ("eth3", "proc_rx_drop=30365065"),
        ("eth1", "proc_rx_drop=95903801"),
    ] {
        let row = rows[names.iter().position(|n| n == name).unwrap()];
        assert!(row.contains(&format!("<td>{plain} ")), "{row}");
        assert!(!row.contains("class=\"nz\""), "flat since boot: {row}");
    }
    // The card the link points to exists.
    assert!(html.contains(&format!("id=\"{host}-nic-rx-ring-overflow-eth2\"")));
}

#[test]
fn the_batch_index_lists_the_most_severe_inputs_first_with_totals() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // Alphabetical order is the reverse of severity order.
    for (name, scenario) in [
        ("a-clean.log", "softnet-neg-steady"),
        ("b-info.log", "nic-rx-ring-overflow-neg-lvs-steady"),
        ("c-warning.log", "softnet-pos-backlog-and-squeeze"),
        ("d-critical.log", "nic-rx-ring-overflow-pos-lvs-fifo"),
    ] {
        let from = format!("{TESTDATA}/scenarios/{scenario}/capture.log");
        std::fs::copy(from, input.join(name)).unwrap();
    }
    let (_, _, log) = run_bin([
        "batch",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
    ]);
    let index = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    let order: Vec<usize> = ["d-critical", "c-warning", "b-info", "a-clean"]
        .iter()
        .map(|n| {
            index
                .find(&format!("{n}.log</code>"))
                .unwrap_or_else(|| panic!("{n}\n{log}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{index}");
    // Subjects next to the rule ids. Totals: b-info has 2 info findings, c-warning 2 warnings,
    // d-critical a critical one on eth2 and an info one on bond1.
    assert!(
        index.contains("<code>softnet-backlog-drop</code> <span class=\"mute\">cpu1</span>"),
        "{index}"
    );
    assert!(
        index.contains("<strong>4</strong> input(s) · <strong>4</strong> host(s)"),
        "{index}"
    );
    assert!(index.contains("<span class=\"critical\">1 critical</span> · <span class=\"warning\">2 warning</span> · 3 info · <strong>0</strong> damaged input(s)"), "{index}");
}
