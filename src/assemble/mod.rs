//! Parse: runs each capture through its parser and builds the [`Host`] model of one bundle;
//! then merges hosts that several inputs describe.

use std::collections::BTreeMap;

use rules::model::{
    cmp_time, BondRole, Channels, CounterSample, EthtoolSample, Host, InterfaceKind, ProblemRecord,
    ProblemSeverity, Ring, SoftnetCpu, SoftnetSample, Timestamp,
};

pub mod hosts;
mod problem_log;
mod series;
pub mod stream;

use problem_log::ProblemLog;

use crate::ingest::classify::CaptureKind;
use crate::ingest::{entry_source, Bundle, Capture};

/// A hostile or badly damaged capture can have a problem on every line; past this many the
/// rest are counted, not listed.
const MAX_PROBLEMS_PER_CAPTURE: usize = 50;

/// Converts a parser's problems into records with the capture's source and line offset.
fn report<T>(
    parsed: parsers::Parsed<T>,
    capture: &Capture,
    origin: &str,
    problems: &mut ProblemLog,
) -> T {
    let source = source_label(origin, &capture.source);
    let total = parsed.problems.len();
    for p in parsed.problems.into_iter().take(MAX_PROBLEMS_PER_CAPTURE) {
        problems.push(ProblemRecord {
            source: source.clone(),
            line: (p.line > 0).then_some(p.line + capture.line_offset),
            severity: match p.severity {
                parsers::Severity::Error => ProblemSeverity::Error,
                parsers::Severity::Warning => ProblemSeverity::Warning,
            },
            message: p.message,
        });
    }
    if total > MAX_PROBLEMS_PER_CAPTURE {
        problems.push(ProblemRecord {
            source,
            line: None,
            severity: ProblemSeverity::Warning,
            message: format!(
                "{} more problems in this capture are not listed",
                total - MAX_PROBLEMS_PER_CAPTURE
            ),
        });
    }
    parsed.value
}

/// A capture parsed ahead of [`Assembler::data_with`], on another thread: parsing is pure,
/// so the text of the captures a capture log repeats most can be parsed in parallel while the
/// host is still built in input order.
pub enum Preparsed {
    /// Not parsed ahead: `data_with` parses it.
    None,
    IpLink(parsers::Parsed<Vec<parsers::iplink::IpLink>>),
    Top(parsers::Parsed<Vec<parsers::top::TopFrame>>),
}

/// Parses what can be parsed without the host (see [`Preparsed`]).
pub fn preparse(c: &Capture) -> Preparsed {
    match c.kind {
        CaptureKind::IpLink => Preparsed::IpLink(parsers::iplink::parse(&c.text)),
        CaptureKind::Top => Preparsed::Top(parsers::top::parse_busy(&c.text)),
        _ => Preparsed::None,
    }
}

/// `input!root/path` for problems (`origin` is `input!root`); sample sources stay relative
/// to the root.
fn source_label(origin: &str, path: &str) -> String {
    let file = path.split(':').next().unwrap_or(path);
    if origin.contains('!') {
        crate::ingest::vfs::join(origin, file)
    } else {
        entry_source(origin, file)
    }
}

fn date_to_timestamp(d: &parsers::date::DateStamp) -> Timestamp {
    Timestamp::new(d.local, d.offset_seconds)
}

/// A time read from `sos_reports/manifest.json`: per-command epoch floats (UTC, later 4.x)
/// or plugin start strings in the machine's local time (`2026-11-21 21:02:23.582208`, 4.0).
#[derive(Debug, Clone, Copy)]
enum ManifestTime {
    Utc(Timestamp),
    Local(chrono::NaiveDateTime),
}

impl ManifestTime {
    /// Local times take the offset that `date` printed on the same machine, if any.
    fn resolve(self, offset: Option<i32>) -> Timestamp {
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

/// Builds the host of one bundle. `origin` names the input (and archive root) for problems.
pub fn assemble(bundle: &Bundle, origin: &str, problems: &mut Vec<ProblemRecord>) -> Host {
    assemble_named(bundle, origin, problems, rules::retention::bound).0
}

/// [`assemble`], and whether the captures named the host (see [`Assembler::named`]).
/// `bound` keeps memory bounded as samples arrive (the retention stage).
pub fn assemble_named(
    bundle: &Bundle,
    origin: &str,
    problems: &mut Vec<ProblemRecord>,
    bound: fn(&mut Host),
) -> (Host, bool) {
    let mut a = Assembler::new(origin, bound);
    // A 0-byte output (command failed, file unreadable) is reported once, then skipped.
    let captures: Vec<&Capture> = bundle
        .captures
        .iter()
        .filter(|c| {
            let empty = c.text.trim().is_empty();
            if empty {
                a.problems
                    .push(problem(origin, c, ProblemSeverity::Warning, "empty output"));
            }
            !empty
        })
        .collect();
    // Identity first: the sample times of everything else depend on it.
    for &c in &captures {
        a.identity(c);
    }
    a.start_data();
    for &c in &captures {
        a.data(c);
    }
    let named = a.named();
    let (host, found) = a.finish(&bundle.root);
    problems.extend(found);
    (host, named)
}

/// Builds one host from captures given one at a time: all identity captures
/// ([`Assembler::identity`]) before any data ([`Assembler::data`]), because sample times
/// depend on the collection date and manifest. A capture log read as a stream gives only
/// data with times of its own, and its prompt host name last.
pub struct Assembler {
    origin: String,
    problems: ProblemLog,
    host: Host,
    hostname: Option<String>,
    uname_node: Option<String>,
    manifest: BTreeMap<String, ManifestTime>,
    report_start: Option<ManifestTime>,
    date: Option<Timestamp>,
    times: BTreeMap<String, Timestamp>,
    offset: Option<i32>,
    sysfs: BTreeMap<String, (Option<Timestamp>, BTreeMap<String, u64>)>,
    proc_sys: BTreeMap<String, String>,
    bonding: Vec<(String, parsers::bonding::Bonding)>,
    /// /proc/interrupts rows are filtered by the host's interface names, known at the end.
    deferred_irqs: Vec<(parsers::interrupts::Interrupts, Option<Timestamp>, String)>,
    /// Run after each data capture: long capture logs keep memory bounded as samples arrive.
    bound: fn(&mut Host),
}

impl Assembler {
    pub fn new(origin: &str, bound: fn(&mut Host)) -> Self {
        Assembler {
            bound,
            origin: origin.to_string(),
            problems: ProblemLog::default(),
            host: Host::new(""),
            hostname: None,
            uname_node: None,
            manifest: BTreeMap::new(),
            report_start: None,
            date: None,
            times: BTreeMap::new(),
            offset: None,
            sysfs: BTreeMap::new(),
            proc_sys: BTreeMap::new(),
            bonding: Vec::new(),
            deferred_irqs: Vec::new(),
        }
    }

    /// Reads what identifies the host and dates its captures.
    pub fn identity(&mut self, c: &Capture) {
        let origin = self.origin.as_str();
        let problems = &mut self.problems;
        let host = &mut self.host;
        match &c.kind {
            CaptureKind::SosManifest => {
                let (t, start, err) = manifest_times(&c.text);
                self.manifest = t;
                self.report_start = start;
                if let Some(e) = err {
                    problems.push(problem(origin, c, ProblemSeverity::Warning, e));
                }
            }
            CaptureKind::Hostname => {
                if let Some(h) = report(parsers::hostname::parse(&c.text), c, origin, problems) {
                    self.hostname.get_or_insert(h);
                }
            }
            CaptureKind::Uname => {
                if let Some(u) = report(parsers::uname::parse(&c.text), c, origin, problems) {
                    host.kernel.get_or_insert(u.kernel_release.clone());
                    self.uname_node.get_or_insert(u.nodename);
                }
            }
            CaptureKind::Date => {
                if let Some(d) = report(parsers::date::parse(&c.text), c, origin, problems) {
                    // `date` over `timedatectl`: both are taken at collection time.
                    self.date.get_or_insert(date_to_timestamp(&d));
                }
            }
            CaptureKind::Uptime => {
                if let Some(u) = report(parsers::uptime::parse(&c.text), c, origin, problems) {
                    if host.uptime_seconds.is_none() {
                        host.uptime_seconds = Some(u.up_seconds);
                        // In a capture log the uptime was read at the last `date` before it:
                        // that is when the host was seen, so single readings near it get a
                        // since-boot average.
                        if let Some(Some(t)) = c.explicit_time() {
                            self.date.get_or_insert(t);
                        }
                    }
                }
            }
            CaptureKind::Lscpu => {
                let l = report(parsers::lscpu::parse(&c.text), c, origin, problems);
                host.cpu_count = host.cpu_count.or(l.cpus);
                host.cpu_model = host.cpu_model.take().or(l.model_name);
                host.hypervisor = host.hypervisor.take().or(l.hypervisor_vendor);
            }
            _ => {}
        }
    }

    /// Ends the identity captures: sample times are settled from here on.
    pub fn start_data(&mut self) {
        self.offset = self.date.and_then(|d| d.offset_seconds);
        let offset = self.offset;
        self.times = std::mem::take(&mut self.manifest)
            .into_iter()
            .map(|(k, v)| (k, v.resolve(offset)))
            .collect();
        self.host.collected_at = self
            .date
            .or_else(|| self.report_start.map(|s| s.resolve(offset)));
        self.host.sources.push(self.origin.clone());
    }

    /// Parses one data capture into the host.
    pub fn data(&mut self, c: &Capture) {
        self.data_with(c, Preparsed::None);
    }

    /// Adds one data capture to the host, using what [`preparse`] already parsed of it.
    pub fn data_with(&mut self, c: &Capture, pre: Preparsed) {
        let origin = self.origin.as_str();
        let problems = &mut self.problems;
        let host = &mut self.host;
        let offset = self.offset;
        // Capture-log segments carry their own time (or none: ordered by position).
        let time = match c.time {
            Some(t) => t,
            None => self.times.get(&c.source).copied().or(host.collected_at),
        };
        match &c.kind {
            CaptureKind::IpLink => {
                let parsed = match pre {
                    Preparsed::IpLink(p) => p,
                    _ => parsers::iplink::parse(&c.text),
                };
                let links = report(parsed, c, origin, problems);
                for link in links {
                    apply_ip_link(host, link, time, &c.source);
                }
            }
            CaptureKind::IpJson => {
                let links = report(parsers::ipjson::parse(&c.text), c, origin, problems);
                for link in links {
                    apply_ip_link(host, link, time, &c.source);
                }
            }
            CaptureKind::NetstatIface => {
                let rows = report(parsers::netstat_iface::parse(&c.text), c, origin, problems);
                for row in rows {
                    let iface = host.interface_mut(&row.name, None);
                    iface.mtu = row.mtu.or(iface.mtu);
                    note_usage_flags(iface, &row.usage_flags());
                    if !row.counters.is_empty() {
                        iface.samples.push(CounterSample {
                            time,
                            source: c.source.clone(),
                            counters: row.counters,
                            approximate: false,
                        });
                    }
                }
            }
            CaptureKind::ProcNetDev => {
                let rows = report(parsers::procnetdev::parse(&c.text), c, origin, problems);
                for row in rows {
                    let iface = host.interface_mut(&row.name, None);
                    iface.samples.push(CounterSample {
                        time,
                        source: c.source.clone(),
                        counters: row.counters,
                        approximate: false,
                    });
                }
            }
            CaptureKind::SysfsStat { dev, counter } => {
                if let Some(v) = report(
                    parsers::single_value::parse_u64(&c.text),
                    c,
                    origin,
                    problems,
                ) {
                    let entry = self
                        .sysfs
                        .entry(dev.clone())
                        .or_insert((time, BTreeMap::new()));
                    entry.1.insert(counter.clone(), v);
                }
            }
            CaptureKind::EthtoolStats { dev, ns } => {
                let s = report(parsers::ethtool::parse_stats(&c.text), c, origin, problems);
                if s.stats.is_empty() {
                    return;
                }
                host.interface_mut(dev, ns.as_deref())
                    .ethtool
                    .push(EthtoolSample {
                        time,
                        source: c.source.clone(),
                        stats: s.stats,
                    });
            }
            CaptureKind::EthtoolRing { dev, ns } => {
                let r = report(parsers::ethtool::parse_ring(&c.text), c, origin, problems);
                if r.rx.is_some() || r.rx_max.is_some() || r.tx.is_some() || r.tx_max.is_some() {
                    let ring = Ring {
                        rx: r.rx,
                        rx_max: r.rx_max,
                        tx: r.tx,
                        tx_max: r.tx_max,
                        source: c.source.clone(),
                    };
                    record_ring(host.interface_mut(dev, ns.as_deref()), ring);
                }
            }
            CaptureKind::EthtoolChannels { dev, ns } => {
                let ch = report(
                    parsers::ethtool::parse_channels(&c.text),
                    c,
                    origin,
                    problems,
                );
                if ch.tool_error.is_none() {
                    host.interface_mut(dev, ns.as_deref()).channels = Some(Channels {
                        rx: ch.current.rx,
                        rx_max: ch.max.rx,
                        tx: ch.current.tx,
                        tx_max: ch.max.tx,
                        other: ch.current.other,
                        other_max: ch.max.other,
                        combined: ch.current.combined,
                        combined_max: ch.max.combined,
                        source: c.source.clone(),
                    });
                }
            }
            CaptureKind::EthtoolInfo { dev, ns } => {
                let info = report(
                    parsers::ethtool::parse_driver_info(&c.text),
                    c,
                    origin,
                    problems,
                );
                if let Some(driver) = info.driver {
                    let iface = host.interface_mut(dev, ns.as_deref());
                    if iface.kind == InterfaceKind::Other {
                        iface.kind = kind_from_driver(&driver, info.bus_info.as_deref());
                    }
                    iface.driver = Some(driver);
                }
            }
            CaptureKind::Softnet => {
                let rows = report(parsers::softnet::parse(&c.text), c, origin, problems);
                if rows.is_empty() {
                    return;
                }
                host.softnet.push(SoftnetSample {
                    time,
                    source: c.source.clone(),
                    cpu_ids_exact: rows.iter().all(|r| r.cpu_from_index),
                    cpus: rows
                        .into_iter()
                        .map(|r| SoftnetCpu {
                            cpu: r.cpu,
                            processed: r.processed,
                            dropped: r.dropped,
                            time_squeeze: r.time_squeeze,
                            received_rps: r.received_rps,
                            flow_limit_count: r.flow_limit_count,
                            backlog_len: r.backlog_len,
                        })
                        .collect(),
                });
            }
            CaptureKind::Bonding { bond } => {
                let b = report(parsers::bonding::parse(&c.text), c, origin, problems);
                self.bonding.push((bond.clone(), b));
            }
            CaptureKind::Sysctl => {
                let map = report(parsers::sysctl::parse(&c.text), c, origin, problems);
                for (k, v) in map {
                    host.sysctl.entry(k).or_insert(v);
                }
            }
            CaptureKind::SysctlValue { key } => {
                let v = report(
                    parsers::single_value::parse_sysctl_value(&c.text),
                    c,
                    origin,
                    problems,
                );
                if let Some(v) = v {
                    self.proc_sys.insert(key.clone(), v);
                }
            }
            CaptureKind::Ifconfig => {
                let ifaces = report(parsers::ifconfig::parse(&c.text), c, origin, problems);
                series::apply_ifconfig(host, ifaces, time, &c.source);
            }
            CaptureKind::Top => {
                // Only busy processes are kept in the model (see `series::apply_top`).
                let parsed = match pre {
                    Preparsed::Top(p) => p,
                    _ => parsers::top::parse_busy(&c.text),
                };
                let frames = report(parsed, c, origin, problems);
                series::apply_top(host, frames, time, &c.source);
            }
            CaptureKind::Softirqs => {
                let s = report(
                    parsers::interrupts::parse_softirqs(&c.text),
                    c,
                    origin,
                    problems,
                );
                series::apply_softirqs(host, s, time, &c.source);
            }
            CaptureKind::Interrupts => {
                let irq = report(
                    parsers::interrupts::parse_interrupts(&c.text),
                    c,
                    origin,
                    problems,
                );
                self.deferred_irqs.push((irq, time, c.source.clone()));
            }
            CaptureKind::Ipvsadm { .. } => {
                let ipvs = report(parsers::ipvsadm::parse(&c.text), c, origin, problems);
                series::apply_ipvsadm(host, ipvs, time, &c.source);
            }
            CaptureKind::Sar => {
                let sar = report(parsers::sar::parse(&c.text), c, origin, problems);
                series::apply_sar(host, sar, offset, &c.source);
            }
            CaptureKind::SosManifest
            | CaptureKind::Hostname
            | CaptureKind::Uname
            | CaptureKind::Date
            | CaptureKind::Uptime
            | CaptureKind::Lscpu
            | CaptureKind::SupportconfigFile
            | CaptureKind::CaptureLog => {}
        }
        // Long capture logs: keep memory bounded as samples arrive (cheap when short).
        (self.bound)(host);
    }

    /// The prompt host of a capture log, known only at its end.
    pub fn prompt_host(&mut self, name: &str) {
        self.hostname.get_or_insert_with(|| name.to_string());
    }

    /// True when the captures named the host (`hostname`, a shell prompt, `uname -n`), so
    /// that [`Assembler::finish`] does not fall back to a file or archive name.
    pub fn named(&self) -> bool {
        self.hostname
            .as_ref()
            .or(self.uname_node.as_ref())
            .is_some_and(|h| !h.is_empty())
    }

    /// The host (named by its captures, else after `root` or the input), and the problems.
    pub fn finish(mut self, root: &str) -> (Host, Vec<ProblemRecord>) {
        for (dev, (time, counters)) in std::mem::take(&mut self.sysfs) {
            let iface = self.host.interface_mut(&dev, None);
            iface.samples.push(CounterSample {
                time,
                source: format!("sys/class/net/{dev}/statistics"),
                counters,
                approximate: false,
            });
        }
        for (k, v) in std::mem::take(&mut self.proc_sys) {
            self.host.sysctl.entry(k).or_insert(v);
        }
        for (bond, b) in std::mem::take(&mut self.bonding) {
            apply_bonding(&mut self.host, &bond, &b);
        }
        for (irq, time, source) in std::mem::take(&mut self.deferred_irqs) {
            series::apply_interrupts(&mut self.host, irq, time, &source);
        }

        self.host.hostname = self
            .hostname
            .take()
            .or(self.uname_node.take())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| fallback_hostname(root, &self.origin));
        finish_interfaces(&mut self.host);
        (self.host, self.problems.into_records())
    }
}

fn problem(
    origin: &str,
    c: &Capture,
    severity: ProblemSeverity,
    message: impl Into<String>,
) -> ProblemRecord {
    ProblemRecord {
        source: source_label(origin, &c.source),
        line: None,
        severity,
        message: message.into(),
    }
}

/// Without any hostname capture: the name in `sosreport-<host>-…` / `scc_<host>_…`, else the input.
pub(crate) fn fallback_hostname(root: &str, origin: &str) -> String {
    let base = root
        .rsplit('/')
        .next()
        .filter(|b| !b.is_empty())
        .unwrap_or(origin);
    let base = base.rsplit('/').next().unwrap_or(base);
    if let Some(rest) = base.strip_prefix("sosreport-") {
        return rest.split('-').next().unwrap_or(rest).to_string();
    }
    if let Some(rest) = base
        .strip_prefix("scc_")
        .or_else(|| base.strip_prefix("nts_"))
    {
        return rest.split('_').next().unwrap_or(rest).to_string();
    }
    base.to_string()
}

fn apply_ip_link(
    host: &mut Host,
    link: parsers::iplink::IpLink,
    time: Option<Timestamp>,
    source: &str,
) {
    let iface = host.interface_mut(&link.name, None);
    iface.ifindex = iface.ifindex.or(link.index);
    iface.master = link.master.clone().or(iface.master.take());
    iface.qlen = link.qlen.or(iface.qlen);
    iface.mtu = link.mtu.or(iface.mtu);
    iface.state = link.state.clone().or(iface.state.take());
    iface.link_peer = link.link_peer.clone().or(iface.link_peer.take());
    iface.alias = link.alias.clone().or(iface.alias.take());
    iface.qdisc = link.qdisc.clone().or(iface.qdisc.take());
    if link.link_type.as_deref() == Some("ether") {
        if let Some(mac) = &link.address {
            iface.mac = Some(mac.to_ascii_lowercase());
        }
    }
    note_usage_flags(iface, &link.flags);
    for a in &link.altnames {
        if !iface.altnames.contains(a) {
            iface.altnames.push(a.clone());
        }
    }
    if let Some(kind) = kind_from_ip_details(&link) {
        iface.kind = kind;
    }
    match link.bond_slave_state.as_deref() {
        Some("ACTIVE") => iface.bond_role = Some(BondRole::Active),
        Some("BACKUP") => iface.bond_role = Some(BondRole::Backup),
        _ => {}
    }
    if !link.counters.is_empty() {
        iface.samples.push(CounterSample {
            time,
            source: source.to_string(),
            counters: link.counters,
            approximate: link.approximate,
        });
    }
}

/// A new `ethtool -g` reading: it becomes the latest, and when it differs from the one before
/// (a paste of `ethtool -g` before and after `ethtool -G`) both are kept in `ring_readings`.
pub(crate) fn record_ring(iface: &mut rules::model::Interface, ring: Ring) {
    let same =
        |a: &Ring, b: &Ring| (a.rx, a.rx_max, a.tx, a.tx_max) == (b.rx, b.rx_max, b.tx, b.tx_max);
    if let Some(prev) = iface.ring.take() {
        if !same(&prev, &ring) {
            if iface.ring_readings.is_empty() {
                iface.ring_readings.push(prev);
            }
            iface.ring_readings.push(ring.clone());
        }
    }
    iface.ring = Some(ring);
}

/// Keeps the flags that say how a device is used (`SLAVE`, `MASTER`): they point to bonding
/// when no bonding file was captured.
pub(crate) fn note_usage_flags(iface: &mut rules::model::Interface, flags: &[String]) {
    for f in flags {
        let f = f.to_ascii_uppercase();
        if (f == "SLAVE" || f == "MASTER") && !iface.flags.contains(&f) {
            iface.flags.push(f);
            iface.flags.sort();
        }
    }
}

fn kind_from_ip_details(link: &parsers::iplink::IpLink) -> Option<InterfaceKind> {
    if link.link_type.as_deref() == Some("loopback") {
        return Some(InterfaceKind::Loopback);
    }
    if link.slave_kind.as_deref() == Some("bond") {
        return Some(InterfaceKind::BondSlave);
    }
    let kind = link.kind.as_deref()?;
    Some(match kind {
        "bond" => InterfaceKind::Bond,
        "vlan" => InterfaceKind::Vlan,
        "bridge" => InterfaceKind::Bridge,
        "veth" => InterfaceKind::Veth,
        "tun" | "tap" | "macvtap" | "ipvtap" => InterfaceKind::Tap,
        "gre" | "gretap" | "ip6gre" | "ip6gretap" | "ipip" | "ip6tnl" | "sit" | "vxlan"
        | "geneve" | "vti" | "vti6" | "erspan" | "ip6erspan" | "wireguard" | "bareudp" | "xfrm" => {
            InterfaceKind::Tunnel
        }
        _ => InterfaceKind::Other,
    })
}

/// Kind from `ethtool -i`: virtual drivers name their kind; a bus address means hardware.
fn kind_from_driver(driver: &str, bus_info: Option<&str>) -> InterfaceKind {
    match driver {
        "bridge" => InterfaceKind::Bridge,
        "tun" => InterfaceKind::Tap,
        "veth" => InterfaceKind::Veth,
        "bonding" => InterfaceKind::Bond,
        "802.1Q VLAN Support" => InterfaceKind::Vlan,
        "vxlan" | "geneve" | "ipip" | "ip_gre" | "ip6_gre" | "sit" | "ip6_tunnel" | "ip_vti"
        | "wireguard" => InterfaceKind::Tunnel,
        "macvlan" | "ipvlan" | "dummy" | "ifb" | "team" | "vrf" | "openvswitch" | "nlmon" => {
            InterfaceKind::Other
        }
        _ if bus_info.is_some_and(|b| !b.is_empty()) => InterfaceKind::Physical,
        _ => InterfaceKind::Other,
    }
}

/// Kind from the name alone, for captures without `-d` details (`ip -s link`, /proc/net/dev).
fn kind_from_name(name: &str) -> InterfaceKind {
    let starts = |p: &[&str]| p.iter().any(|x| name.starts_with(x));
    // Overlay and tunnel devices first: `tunl0` is not a tun/tap, `flannel.1` is not a VLAN.
    const TUNNELS: [&str; 16] = [
        "vxlan",
        "flannel",
        "fan-",
        "ftun",
        "genev",
        "gre",
        "gretap",
        "erspan",
        "ipip",
        "ip6tnl",
        "ip6gre",
        "sit",
        "tunl",
        "wg",
        "cilium_vxlan",
        "vx-",
    ];
    if name == "lo" {
        InterfaceKind::Loopback
    } else if starts(&TUNNELS) {
        InterfaceKind::Tunnel
    } else if starts(&["tap", "vnet", "tun", "macvtap"]) {
        InterfaceKind::Tap
    } else if starts(&["veth"]) {
        InterfaceKind::Veth
    } else if starts(&["bond"]) && !name.contains('.') {
        InterfaceKind::Bond
    } else if starts(&["br", "virbr", "docker", "cni", "ovs-system"]) {
        InterfaceKind::Bridge
    } else if name.contains('.') {
        InterfaceKind::Vlan
    } else if starts(&["eth", "en", "em", "ib", "p1p", "p2p", "p3p", "p4p"]) {
        InterfaceKind::Physical
    } else {
        InterfaceKind::Other
    }
}

fn apply_bonding(host: &mut Host, bond: &str, b: &parsers::bonding::Bonding) {
    host.interface_mut(bond, None).kind = InterfaceKind::Bond;
    let active_backup = b
        .mode
        .as_deref()
        .is_some_and(|m| m.contains("active-backup"));
    for slave in &b.slaves {
        let iface = host.interface_mut(&slave.name, None);
        iface.kind = InterfaceKind::BondSlave;
        iface.master.get_or_insert_with(|| bond.to_string());
        // `ip -d` state (per slave, any mode) wins over the active-backup reading.
        if iface.bond_role.is_none() && active_backup {
            iface.bond_role = Some(
                if b.currently_active_slave.as_deref() == Some(slave.name.as_str()) {
                    BondRole::Active
                } else {
                    BondRole::Backup
                },
            );
        }
    }
}

fn finish_interfaces(host: &mut Host) {
    let bonds: Vec<String> = host
        .interfaces
        .iter()
        .filter(|i| i.kind == InterfaceKind::Bond)
        .map(|i| i.name.clone())
        .collect();
    for iface in &mut host.interfaces {
        if iface.kind == InterfaceKind::Other {
            iface.kind = kind_from_name(&iface.name);
        }
        if iface.master.as_ref().is_some_and(|m| bonds.contains(m)) {
            iface.kind = InterfaceKind::BondSlave;
        }
        // Readings read twice (the same archive given twice) were dropped while merging
        // (`hosts::merge_parts`).
        iface.samples.sort_by(|a, b| cmp_time(&a.time, &b.time));
        iface.ethtool.sort_by(|a, b| cmp_time(&a.time, &b.time));
    }
    host.interfaces.sort_by(|a, b| {
        (
            a.namespace.is_some(),
            &a.namespace,
            a.ifindex.unwrap_or(u32::MAX),
            &a.name,
        )
            .cmp(&(
                b.namespace.is_some(),
                &b.namespace,
                b.ifindex.unwrap_or(u32::MAX),
                &b.name,
            ))
    });
    host.softnet.sort_by(|a, b| cmp_time(&a.time, &b.time));
}

/// Merges hosts with the same hostname (several archives of one machine) into one entry whose
/// samples are ordered by time, each reading once. Hosts keep the order in which they were
/// first seen. The pipeline uses [`hosts::merge_parts`], which also knows loose files.
pub fn merge_hosts(hosts: Vec<Host>) -> Vec<Host> {
    let parts = hosts
        .into_iter()
        .map(|h| hosts::Part::archive(h, ""))
        .collect();
    hosts::merge_parts(parts, &mut Vec::new())
}

fn merge_into(into: &mut Host, other: Host) {
    // `newer`: what is merged in is older than what is there; then it fills gaps only.
    let newer = match (other.collected_at, into.collected_at) {
        (Some(o), Some(i)) => o < i,
        (None, _) => true,
        (Some(_), None) => false,
    };
    // Identity follows the most recent capture.
    if !newer {
        into.kernel = other.kernel.clone().or(into.kernel.take());
        into.collected_at = other.collected_at.or(into.collected_at);
        into.uptime_seconds = other.uptime_seconds.or(into.uptime_seconds);
    }
    into.cpu_count = into.cpu_count.or(other.cpu_count);
    into.cpu_model = into.cpu_model.take().or(other.cpu_model);
    into.hypervisor = into.hypervisor.take().or(other.hypervisor);
    for s in other.sources {
        // The same input given twice is listed once.
        if !into.sources.contains(&s) {
            into.sources.push(s);
        }
    }
    for iface in other.interfaces {
        let target = into.interface_mut(&iface.name, iface.namespace.as_deref());
        target.samples.extend(iface.samples);
        target.ethtool.extend(iface.ethtool);
        target.deltas.extend(iface.deltas);
        target.ethtool_deltas.extend(iface.ethtool_deltas);
        if target.kind == InterfaceKind::Other {
            target.kind = iface.kind;
        }
        if !newer {
            target.ring = iface.ring.or(target.ring.take());
            target.qdisc = iface.qdisc.or(target.qdisc.take());
            target.channels = iface.channels.or(target.channels.take());
            target.bond_role = iface.bond_role.or(target.bond_role);
            target.master = iface.master.or(target.master.take());
            target.qlen = iface.qlen.or(target.qlen);
        }
        target.driver = target.driver.take().or(iface.driver);
        target.ifindex = target.ifindex.or(iface.ifindex);
        if newer {
            target.mtu = target.mtu.or(iface.mtu);
            target.state = target.state.take().or(iface.state);
            target.alias = target.alias.take().or(iface.alias);
            target.link_peer = target.link_peer.take().or(iface.link_peer);
        } else {
            target.mtu = iface.mtu.or(target.mtu);
            target.state = iface.state.or(target.state.take());
            target.alias = iface.alias.or(target.alias.take());
            target.link_peer = iface.link_peer.or(target.link_peer.take());
        }
        target.mac = target.mac.take().or(iface.mac);
        for f in iface.flags {
            if !target.flags.contains(&f) {
                target.flags.push(f);
                target.flags.sort();
            }
        }
        for r in iface.ring_readings {
            if !target.ring_readings.contains(&r) {
                target.ring_readings.push(r);
            }
        }
        for a in iface.altnames {
            if !target.altnames.contains(&a) {
                target.altnames.push(a);
            }
        }
    }
    into.softnet.extend(other.softnet);
    into.softnet_deltas.extend(other.softnet_deltas);
    into.cpu.extend(other.cpu);
    into.ipvs.extend(other.ipvs);
    into.softirqs.extend(other.softirqs);
    into.interrupts.extend(other.interrupts);
    into.softirqs_deltas.extend(other.softirqs_deltas);
    into.interrupts_deltas.extend(other.interrupts_deltas);
    into.thinned.extend(other.thinned);
    for (k, v) in other.sysctl {
        if !newer {
            into.sysctl.insert(k, v);
        } else {
            into.sysctl.entry(k).or_insert(v);
        }
    }
}
