//! Captures that name the host or date the others: `hostname`, `uname -a`, `date`, `uptime`,
//! `lscpu`, and sos's `manifest.json`. They are read before any data (see [`super::Read`]).

use regex::Regex;
use std::sync::OnceLock;

use std::collections::BTreeMap;

use rules::model::Timestamp;

use super::{fixed_label, re, row, Capture, CaptureKind, Kind, Read, Reading, Sniff};

/// What the identity captures said.
#[derive(Default)]
pub struct Identity {
    /// `hostname` (or a capture log's prompt).
    pub hostname: Option<String>,
    /// `uname -n`, when no `hostname` says it.
    pub uname_node: Option<String>,
    /// Start times by archive path, from the sos manifest.
    pub manifest: BTreeMap<String, ManifestTime>,
    /// When sos started, from the manifest.
    pub report_start: Option<ManifestTime>,
    /// `date` (or `timedatectl`) at collection time.
    pub date: Option<Timestamp>,
}

pub static SOS_MANIFEST: Kind = Kind {
    label: fixed_label!("sos manifest"),
    paths: &[row!(Sos, ["sos_reports"], "manifest\\.json", |_, _| Some(
        CaptureKind::SosManifest
    ))],
    argv: None,
    sniff: None,
    starts: &[],
    read: Read::Identity(|id, r, c| {
        let (t, start, err) = manifest_times(&c.text);
        id.manifest = t;
        id.report_start = start;
        if let Some(e) = err {
            r.problems.push(parsers::Problem::warning(0, e));
        }
    }),
};

pub static HOSTNAME: Kind = Kind {
    label: fixed_label!("hostname"),
    paths: &[
        row!(Sos, ["sos_commands", "host"], "hostname", |_, _| Some(
            CaptureKind::Hostname
        )),
        row!(Sos, ["sos_commands", "general"], "hostname", |_, _| Some(
            CaptureKind::Hostname
        )),
        row!(Sos, [], "hostname", |_, _| Some(CaptureKind::Hostname)),
    ],
    argv: Some(|name, args, ns| {
        (name == "hostname" && ns.is_none() && args.is_empty()).then_some(CaptureKind::Hostname)
    }),
    sniff: None,
    starts: &[],
    read: Read::Identity(|id, r, c| {
        if let Some(h) = r.take(parsers::hostname::parse(&c.text)) {
            id.hostname.get_or_insert(h);
        }
    }),
};

pub static UNAME: Kind = Kind {
    label: fixed_label!("uname -a"),
    paths: &[
        row!(Sos, ["sos_commands", "kernel"], "uname_-a", |_, _| Some(
            CaptureKind::Uname
        )),
        row!(Sos, [], "uname", |_, _| Some(CaptureKind::Uname)),
    ],
    argv: Some(|name, args, ns| {
        (name == "uname" && ns.is_none() && args == ["-a"]).then_some(CaptureKind::Uname)
    }),
    sniff: Some(Sniff {
        order: 13,
        test: |h| {
            static LINE: OnceLock<Regex> = OnceLock::new();
            let one = h.lines.len() == 1 && re(&LINE, r"^Linux \S+ \S+ #").is_match(h.first);
            one.then_some(CaptureKind::Uname)
        },
    }),
    starts: &[],
    read: Read::Identity(|id, r, c| {
        if let Some(u) = r.take(parsers::uname::parse(&c.text)) {
            r.host.kernel.get_or_insert(u.kernel_release.clone());
            id.uname_node.get_or_insert(u.nodename);
        }
    }),
};

pub static DATE: Kind = Kind {
    label: fixed_label!("date"),
    paths: &[
        row!(Sos, ["sos_commands", "date"], "date", |_, _| Some(
            CaptureKind::Date
        )),
        row!(Sos, ["sos_commands", "general"], "date", |_, _| Some(
            CaptureKind::Date
        )),
        row!(
            Sos,
            ["sos_commands", "systemd"],
            "timedatectl",
            |_, _| Some(CaptureKind::Date)
        ),
        row!(Sos, [], "date", |_, _| Some(CaptureKind::Date)),
    ],
    argv: Some(|name, args, ns| {
        (name == "date" && ns.is_none() && args.is_empty()).then_some(CaptureKind::Date)
    }),
    sniff: Some(Sniff {
        order: 15,
        test: |h| {
            let one = h.lines.len() == 1 && parsers::date::parse_line(h.first).is_some();
            one.then_some(CaptureKind::Date)
        },
    }),
    starts: &[],
    read: Read::Identity(|id, r, c| {
        if let Some(d) = r.take(parsers::date::parse(&c.text)) {
            // `date` over `timedatectl`: both are taken at collection time.
            id.date.get_or_insert(date_to_timestamp(&d));
        }
    }),
};

pub static UPTIME: Kind = Kind {
    label: fixed_label!("uptime"),
    paths: &[
        row!(Sos, ["sos_commands", "host"], "uptime", |_, _| Some(
            CaptureKind::Uptime
        )),
        row!(Sos, ["sos_commands", "general"], "uptime", |_, _| Some(
            CaptureKind::Uptime
        )),
        row!(Sos, [], "uptime", |_, _| Some(CaptureKind::Uptime)),
    ],
    argv: Some(|name, args, ns| {
        (name == "uptime" && ns.is_none() && args.is_empty()).then_some(CaptureKind::Uptime)
    }),
    sniff: Some(Sniff {
        order: 14,
        test: |h| {
            static LINE: OnceLock<Regex> = OnceLock::new();
            let line = re(&LINE, r"^\s*(?:\d\d:\d\d:\d\d )?up .*load average");
            (h.lines.len() == 1 && line.is_match(h.first)).then_some(CaptureKind::Uptime)
        },
    }),
    starts: &[],
    read: Read::Identity(read_uptime),
};

fn read_uptime(id: &mut Identity, r: &mut Reading<'_>, c: &Capture) {
    if let Some(u) = r.take(parsers::uptime::parse(&c.text)) {
        if r.host.uptime_seconds.is_none() {
            r.host.uptime_seconds = Some(u.up_seconds);
            // In a capture log the uptime was read at the last `date` before it: that is
            // when the host was seen, so single readings near it get a since-boot average.
            if let Some(Some(t)) = c.explicit_time() {
                id.date.get_or_insert(t);
            }
        }
    }
}

pub static LSCPU: Kind = Kind {
    label: fixed_label!("lscpu"),
    paths: &[row!(Sos, ["sos_commands", "processor"], "lscpu", |_, _| {
        Some(CaptureKind::Lscpu)
    })],
    argv: Some(|name, args, ns| {
        (name == "lscpu" && ns.is_none() && args.is_empty()).then_some(CaptureKind::Lscpu)
    }),
    sniff: None,
    starts: &[],
    read: Read::Identity(|_, r, c| {
        let l = r.take(parsers::lscpu::parse(&c.text));
        let host = &mut *r.host;
        host.cpu_count = host.cpu_count.or(l.cpus);
        host.cpu_model = host.cpu_model.take().or(l.model_name);
        host.hypervisor = host.hypervisor.take().or(l.hypervisor_vendor);
    }),
};

fn date_to_timestamp(d: &parsers::date::DateStamp) -> Timestamp {
    Timestamp::new(d.local, d.offset_seconds)
}

/// A time read from `sos_reports/manifest.json`: per-command epoch floats (UTC, later 4.x)
/// or plugin start strings in the machine's local time (`2026-11-21 21:02:23.582208`, 4.0).
#[derive(Debug, Clone, Copy)]
pub enum ManifestTime {
    Utc(Timestamp),
    Local(chrono::NaiveDateTime),
}

impl ManifestTime {
    /// Local times take the offset that `date` printed on the same machine, if any.
    pub fn resolve(self, offset: Option<i32>) -> Timestamp {
        match self {
            ManifestTime::Utc(t) => t,
            ManifestTime::Local(local) => Timestamp::new(local, offset),
        }
    }
}

fn manifest_time(v: Option<&serde_json::Value>) -> Option<ManifestTime> {
    let v = v?;
    if let Some(f) = v.as_f64() {
        return Timestamp::from_epoch(f).map(ManifestTime::Utc);
    }
    let s = v.as_str()?;
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .map(ManifestTime::Local)
}

/// Start times by archive path: each command's own start when recorded, else its plugin's
/// start; files copied by a plugin get the plugin's start.
fn manifest_times(
    text: &str,
) -> (
    BTreeMap<String, ManifestTime>,
    Option<ManifestTime>,
    Option<String>,
) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                BTreeMap::new(),
                None,
                Some(format!("manifest.json is not valid JSON: {e}")),
            )
        }
    };
    let mut times = BTreeMap::new();
    let plugins = value
        .pointer("/components/report/plugins")
        .and_then(|p| p.as_object());
    for plugin in plugins.into_iter().flat_map(|p| p.values()) {
        let plugin_start = manifest_time(plugin.get("start_time"));
        let commands = plugin.get("commands").and_then(|c| c.as_array());
        for cmd in commands.into_iter().flatten() {
            let path = cmd.get("filepath").and_then(|p| p.as_str());
            let start = manifest_time(cmd.get("start_time")).or(plugin_start);
            if let (Some(path), Some(start)) = (path, start) {
                times.insert(path.to_string(), start);
            }
        }
        let files = plugin.get("files").and_then(|c| c.as_array());
        for spec in files.into_iter().flatten() {
            let copied = spec.get("files_copied").and_then(|c| c.as_array());
            for path in copied.into_iter().flatten().filter_map(|p| p.as_str()) {
                if let Some(start) = plugin_start {
                    times.entry(path.to_string()).or_insert(start);
                }
            }
        }
    }
    (times, manifest_time(value.get("start_time")), None)
}
