//! Parse: runs each capture through its parser and builds the [`Host`] model of one bundle;
//! then merges hosts that several inputs describe.

use std::collections::BTreeMap;

use rules::model::{
    cmp_time, Host, HostnameFrom, InterfaceKind, ProblemRecord, ProblemSeverity, Timestamp,
};

pub mod hosts;
pub mod kernel_log;
mod problem_log;
mod stack;
pub mod stream;

use problem_log::ProblemLog;

use crate::ingest::{entry_source, Bundle, Capture};
pub use crate::kinds::{preparse, Preparsed};
use crate::kinds::{Deferred, Identity, Read, Reading};

/// A hostile or badly damaged capture can have a problem on every line; past this many the
/// rest are counted, not listed.
const MAX_PROBLEMS_PER_CAPTURE: usize = 50;

/// Names a parser's problems after the capture (source, line within the file).
fn report(
    found: Vec<parsers::Problem>,
    capture: &Capture,
    origin: &str,
    problems: &mut ProblemLog,
) {
    let source = source_label(origin, &capture.source);
    let total = found.len();
    for p in found.into_iter().take(MAX_PROBLEMS_PER_CAPTURE) {
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
    let (mut host, found) = a.finish(&bundle.root);
    problems.extend(found);
    // Last: placing log lines in time needs the collection time and uptime.
    host.kernel_log = kernel_log::events(&host, &bundle.logs);
    host.kernel_log_files = kernel_log::files_read(&bundle.logs);
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
    identity: Identity,
    times: BTreeMap<String, Timestamp>,
    offset: Option<i32>,
    deferred: Deferred,
    /// Run after each data capture: long capture logs keep memory bounded as samples arrive.
    bound: fn(&mut Host),
}

impl Assembler {
    pub fn new(origin: &str, bound: fn(&mut Host)) -> Self {
        Assembler {
            origin: origin.to_string(),
            problems: ProblemLog::default(),
            host: Host::new(""),
            identity: Identity::default(),
            times: BTreeMap::new(),
            offset: None,
            deferred: Deferred::default(),
            bound,
        }
    }

    /// Reads one capture through its kind's entry, at `time`, and names its problems.
    fn read(
        &mut self,
        c: &Capture,
        time: Option<Timestamp>,
        how: impl FnOnce(&mut Reading<'_>, &mut Identity),
    ) {
        let mut reading = Reading {
            host: &mut self.host,
            deferred: &mut self.deferred,
            time,
            offset: self.offset,
            problems: Vec::new(),
        };
        how(&mut reading, &mut self.identity);
        let found = reading.problems;
        report(found, c, &self.origin, &mut self.problems);
    }

    /// Reads what identifies the host and dates its captures.
    pub fn identity(&mut self, c: &Capture) {
        if let Read::Identity(read) = c.kind.entry().read {
            self.read(c, None, |r, id| read(id, r, c));
        }
    }

    /// Ends the identity captures: sample times are settled from here on.
    pub fn start_data(&mut self) {
        let id = &mut self.identity;
        self.offset = id.date.and_then(|d| d.offset_seconds);
        let offset = self.offset;
        self.times = std::mem::take(&mut id.manifest)
            .into_iter()
            .map(|(k, v)| (k, v.resolve(offset)))
            .collect();
        self.host.collected_at = id
            .date
            .or_else(|| id.report_start.map(|s| s.resolve(offset)));
        self.host.sources.push(self.origin.clone());
    }

    /// Parses one data capture into the host.
    pub fn data(&mut self, c: &Capture) {
        self.data_with(c, Preparsed::None);
    }

    /// Adds one data capture to the host, using what [`preparse`] already parsed of it.
    pub fn data_with(&mut self, c: &Capture, pre: Preparsed) {
        let Read::Data(read) = c.kind.entry().read else {
            return;
        };
        // Capture-log segments carry their own time (or none: ordered by position).
        let time = match c.time {
            Some(t) => t,
            None => self
                .times
                .get(&c.source)
                .copied()
                .or(self.host.collected_at),
        };
        self.read(c, time, |r, _| read(r, c, pre));
        // Long capture logs: keep memory bounded as samples arrive (cheap when short).
        (self.bound)(&mut self.host);
    }

    /// The prompt host of a capture log, known only at its end.
    pub fn prompt_host(&mut self, name: &str) {
        self.identity
            .hostname
            .get_or_insert_with(|| name.to_string());
    }

    /// True when the captures named the host (`hostname`, a shell prompt, `uname -n`), so
    /// that [`Assembler::finish`] does not fall back to a file or archive name.
    pub fn named(&self) -> bool {
        self.identity
            .hostname
            .as_ref()
            .or(self.identity.uname_node.as_ref())
            .is_some_and(|h| !h.is_empty())
    }

    /// The host (named by its captures, else after `root` or the input), and the problems.
    pub fn finish(mut self, root: &str) -> (Host, Vec<ProblemRecord>) {
        std::mem::take(&mut self.deferred).finish(&mut self.host);

        let own = self
            .identity
            .hostname
            .take()
            .or(self.identity.uname_node.take())
            .filter(|h| !h.is_empty());
        (self.host.hostname, self.host.hostname_from) = match own {
            Some(name) => (name, HostnameFrom::Captures),
            None if root.is_empty() => (fallback_hostname(root, &self.origin), HostnameFrom::Input),
            None => (fallback_hostname(root, &self.origin), HostnameFrom::Archive),
        };
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

fn merge_into(into: &mut Host, mut other: Host) {
    // `newer`: what is merged in is older than what is there; then it fills gaps only.
    let newer = match (other.collected_at, into.collected_at) {
        (Some(o), Some(i)) => o < i,
        (None, _) => true,
        (Some(_), None) => false,
    };
    stack::merge(into, &mut other);
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
