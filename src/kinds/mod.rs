//! One entry per capture kind: everything the tool knows about one kind of capture, in one
//! place. [`CaptureKind`] names the kind (with the device, namespace or key its path names);
//! [`CaptureKind::entry`] gives its [`Kind`]: its label, and how its text is parsed and read
//! into the host. `ingest` and `assemble` only iterate this table, so adding a capture is its
//! parser in `parsers/` plus a variant here and an entry in a file of this module.
//!
//! This module is the bottom of the binary crate: it uses `parsers` and the model, and no
//! other module of `src/`.

use std::sync::OnceLock;

use regex::Regex;
use rules::model::Timestamp;

mod bonding;
mod containers;
mod ethtool;
mod identity;
mod ifconfig;
pub(crate) mod iplink;
mod ipvs;
mod irq;
mod netstat;
mod procnetdev;
mod reading;
mod sar;
mod softnet;
mod stack;
mod sysctl;
mod sysfs;
mod top;

pub use identity::Identity;
pub use ifconfig::UNNAMED_INTERFACE;
pub use reading::{Deferred, Reading};

/// What the tool knows about one kind of capture.
pub struct Kind {
    /// What reports call it ("what was read"); per-device kinds name the device.
    pub label: fn(&CaptureKind) -> String,
    /// Where it lies in an archive, per layout (`ingest::classify` tries the rows of every
    /// kind in [`KINDS`] order; the first match wins).
    pub paths: &'static [PathRow],
    /// The command lines that print it (`ip -s -s link`, `ethtool -S eth0`): supportconfig
    /// sections and commands echoed in a capture log. Given the command's name (without its
    /// directory), its arguments, and the network namespace of `ip netns exec NS …`.
    pub argv: Option<Argv>,
    /// Recognises it pasted on its own, by its first lines (`ingest::sniff`).
    pub sniff: Option<Sniff>,
    /// Recognises the first line of its output inside a capture log, where no command line
    /// announced it (`ingest::capture`).
    pub starts: &'static [Start],
    /// How its text reaches the host.
    pub read: Read,
}

/// How a capture's text reaches the host.
pub enum Read {
    /// It names the host or dates the other captures: read before any data.
    Identity(fn(&mut Identity, &mut Reading<'_>, &Capture)),
    /// It carries data: parsed (or handed over already parsed, see [`Preparsed`]) and added.
    Data(fn(&mut Reading<'_>, &Capture, Preparsed)),
    /// It holds other captures, which `ingest` splits out; never parsed itself.
    Container,
}

/// Every kind, in the order their path rows are tried.
pub static KINDS: &[&Kind] = &[
    &identity::SOS_MANIFEST,
    &iplink::IP_LINK,
    &ifconfig::IFCONFIG,
    &procnetdev::PROC_NET_DEV,
    &softnet::SOFTNET,
    &bonding::BONDING,
    &sysfs::SYSFS_STAT,
    &ethtool::STATS,
    &ethtool::RING,
    &ethtool::CHANNELS,
    &ethtool::INFO,
    &sysctl::SYSCTL,
    &sysctl::SYSCTL_VALUE,
    &ipvs::IPVSADM,
    &identity::UPTIME,
    &identity::DATE,
    &identity::HOSTNAME,
    &identity::UNAME,
    &identity::LSCPU,
    &irq::INTERRUPTS,
    &irq::SOFTIRQS,
    &sar::SAR,
    &containers::SUPPORTCONFIG_FILE,
    &iplink::IP_JSON,
    &netstat::NETSTAT_IFACE,
    &top::TOP,
    &stack::PROC_NET_SNMP,
    &stack::NSTAT,
    &stack::NETSTAT_S,
    &stack::SOCKSTAT,
    &stack::QDISC,
    &stack::CONNTRACK,
    &stack::SS,
    &containers::CAPTURE_LOG,
];

/// Recognises a command line: its name (without directory), its arguments, and the network
/// namespace of `ip netns exec NS …`.
pub type Argv = fn(&str, &[&str], Option<&str>) -> Option<CaptureKind>;

/// A content test for a loose file. Tests run lowest `order` first and the first match wins:
/// a supportconfig file before anything its sections hold, one-line outputs last.
pub struct Sniff {
    pub order: u8,
    pub test: fn(&Head<'_>) -> Option<CaptureKind>,
}

/// A line that starts this kind's output inside a capture log. Tests run lowest `order` first
/// and the first match wins. An `indented` start is tried only on lines that begin with a
/// space or tab (a `/proc/interrupts` CPU header, a pasted indented row) and gets the line
/// without its indentation; the others are tried only on lines that do not.
pub struct Start {
    pub order: u8,
    pub indented: bool,
    pub test: fn(&str) -> Option<CaptureKind>,
}

/// The first lines of a loose file, as the sniff tests see them.
pub struct Head<'a> {
    /// Up to 40 non-blank lines, without `\r`.
    pub lines: Vec<&'a str>,
    /// The first of them.
    pub first: &'a str,
    /// The file's name (per-device outputs that do not name their device are named after it).
    pub name: &'a str,
}

impl<'a> Head<'a> {
    /// The head of `text`; `None` when it has no non-blank line.
    pub fn of(text: &'a str, name: &'a str) -> Option<Head<'a>> {
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .take(40)
            .collect();
        let first = *lines.first()?;
        Some(Head { lines, first, name })
    }

    /// True when some line matches.
    pub fn any(&self, r: &Regex) -> bool {
        self.lines.iter().any(|l| r.is_match(l))
    }

    /// The device the text names (`Ring parameters for eth0:`), else the file's.
    pub fn device(&self) -> String {
        static FOR_DEV: OnceLock<Regex> = OnceLock::new();
        let for_dev = re(&FOR_DEV, r"^(?:Ring|Channel) parameters for (\S+?):\s*$");
        self.lines
            .iter()
            .find_map(|l| for_dev.captures(l))
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().split('@').next().unwrap_or("").to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.device_from_name())
    }

    /// Device name from the file name: `eth0.txt` → `eth0`, `ethtool_-S_eth0` → `eth0`.
    pub fn device_from_name(&self) -> String {
        let name = self.name;
        let base = name.rsplit('/').next().unwrap_or(name);
        let base = base
            .strip_suffix(".txt")
            .or_else(|| base.strip_suffix(".log"))
            .unwrap_or(base);
        for prefix in ["ethtool_-S_", "ethtool_-g_", "ethtool_-l_", "ethtool_-i_"] {
            if let Some(dev) = base.strip_prefix(prefix) {
                return dev.to_string();
            }
        }
        base.to_string()
    }
}

/// A regex compiled once.
pub(crate) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("capture kind regex"))
}

/// One place a kind lies in an archive: a directory glob (components; `*` matches one
/// component) and a regex over the file name, anchored at both ends; `build` makes the kind
/// from the directory's components and the name's groups.
pub struct PathRow {
    pub layout: Layout,
    pub dir: &'static [&'static str],
    pub file: &'static str,
    pub build: fn(&[&str], &regex::Captures) -> Option<CaptureKind>,
}

/// `row!(Sos, ["proc", "net"], "dev", build)`: a [`PathRow`].
macro_rules! row {
    ($layout:ident, [$($d:expr),*], $file:expr, $build:expr) => {
        $crate::kinds::PathRow {
            layout: $crate::kinds::Layout::$layout,
            dir: &[$($d),*],
            file: $file,
            build: $build,
        }
    };
}
pub(crate) use row;

/// A named group of a path match.
fn named(c: &regex::Captures, name: &str) -> Option<String> {
    c.name(name).map(|m| m.as_str().to_string())
}

impl CaptureKind {
    /// This kind's entry.
    pub fn entry(&self) -> &'static Kind {
        match self {
            CaptureKind::IpLink => &iplink::IP_LINK,
            CaptureKind::IpJson => &iplink::IP_JSON,
            CaptureKind::ProcNetDev => &procnetdev::PROC_NET_DEV,
            CaptureKind::NetstatIface => &netstat::NETSTAT_IFACE,
            CaptureKind::Ifconfig => &ifconfig::IFCONFIG,
            CaptureKind::SysfsStat { .. } => &sysfs::SYSFS_STAT,
            CaptureKind::EthtoolStats { .. } => &ethtool::STATS,
            CaptureKind::EthtoolRing { .. } => &ethtool::RING,
            CaptureKind::EthtoolChannels { .. } => &ethtool::CHANNELS,
            CaptureKind::EthtoolInfo { .. } => &ethtool::INFO,
            CaptureKind::Softnet => &softnet::SOFTNET,
            CaptureKind::Bonding { .. } => &bonding::BONDING,
            CaptureKind::Sysctl => &sysctl::SYSCTL,
            CaptureKind::SysctlValue { .. } => &sysctl::SYSCTL_VALUE,
            CaptureKind::Ipvsadm { .. } => &ipvs::IPVSADM,
            CaptureKind::Top => &top::TOP,
            CaptureKind::Interrupts => &irq::INTERRUPTS,
            CaptureKind::Softirqs => &irq::SOFTIRQS,
            CaptureKind::Sar => &sar::SAR,
            CaptureKind::Uptime => &identity::UPTIME,
            CaptureKind::Date => &identity::DATE,
            CaptureKind::Hostname => &identity::HOSTNAME,
            CaptureKind::Uname => &identity::UNAME,
            CaptureKind::Lscpu => &identity::LSCPU,
            CaptureKind::SosManifest => &identity::SOS_MANIFEST,
            CaptureKind::SupportconfigFile => &containers::SUPPORTCONFIG_FILE,
            CaptureKind::CaptureLog => &containers::CAPTURE_LOG,
            CaptureKind::ProcNetSnmp => &stack::PROC_NET_SNMP,
            CaptureKind::Nstat => &stack::NSTAT,
            CaptureKind::NetstatS => &stack::NETSTAT_S,
            CaptureKind::Sockstat => &stack::SOCKSTAT,
            CaptureKind::Qdisc { .. } => &stack::QDISC,
            CaptureKind::Conntrack => &stack::CONNTRACK,
            CaptureKind::Ss { .. } => &stack::SS,
        }
    }

    /// Short name used in reports ("what was read").
    pub fn label(&self) -> String {
        (self.entry().label)(self)
    }
}

/// A label that names no device.
macro_rules! fixed_label {
    ($text:expr) => {
        |_: &$crate::kinds::CaptureKind| String::from($text)
    };
}
pub(crate) use fixed_label;

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

/// A capture parsed ahead of `Read::Data`, on another thread: parsing is pure, so the text of
/// the captures a capture log repeats most can be parsed in parallel while the host is still
/// built in input order.
pub enum Preparsed {
    /// Not parsed ahead: the entry parses it.
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

/// What a capture holds, with the device/namespace its path names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaptureKind {
    /// `ip -s [-s] [-d] link`; also `ip link` without counters.
    IpLink,
    ProcNetDev,
    /// `/sys/class/net/<dev>/statistics/<counter>`.
    SysfsStat {
        dev: String,
        counter: String,
    },
    EthtoolStats {
        dev: String,
        ns: Option<String>,
    },
    EthtoolRing {
        dev: String,
        ns: Option<String>,
    },
    EthtoolChannels {
        dev: String,
        ns: Option<String>,
    },
    EthtoolInfo {
        dev: String,
        ns: Option<String>,
    },
    Softnet,
    Bonding {
        bond: String,
    },
    Sysctl,
    /// One `/proc/sys/...` file; `key` is the dotted sysctl name.
    SysctlValue {
        key: String,
    },
    /// `ipvsadm -L…`; `args` as run (`-Ln --rate`).
    Ipvsadm {
        args: String,
    },
    Ifconfig,
    Uptime,
    Date,
    Hostname,
    Uname,
    Lscpu,
    /// `sos_reports/manifest.json` (sos ≥ 4.0): command start times.
    SosManifest,
    /// A supportconfig `*.txt` file to be split into `#==[ … ]==#` sections.
    SupportconfigFile,
    /// `top -b` output.
    Top,
    /// `/proc/interrupts`.
    Interrupts,
    /// `/proc/softirqs`.
    Softirqs,
    /// `sar -A` text (`sarDD`).
    Sar,
    /// A pasted log of repeated commands, split into segments by `capture`.
    CaptureLog,
    /// `netstat -i` / `netstat -in` / `ifconfig -s` (net-tools, busybox): the short
    /// interface table.
    NetstatIface,
    /// `ip -j [-p] -s [-s] link`: iproute2's JSON.
    IpJson,
    /// `/proc/net/snmp`, `/proc/net/netstat` or `/proc/net/snmp6`.
    ProcNetSnmp,
    /// `nstat -a…` (absolute values).
    Nstat,
    /// `netstat -s`.
    NetstatS,
    /// `/proc/net/sockstat`.
    Sockstat,
    /// `tc -s qdisc show`; `dev` when the command named one (its output then does not).
    Qdisc {
        dev: Option<String>,
    },
    /// `conntrack -S` or `/proc/net/stat/nf_conntrack`.
    Conntrack,
    /// `ss` (not `ss -s`); `netid` when the command showed one protocol only (`ss -lnt`:
    /// `tcp`), for rows that print no Netid column.
    Ss {
        netid: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layout {
    Sos,
    Supportconfig,
}

/// One recognised capture, ready for its parser.
#[derive(Debug, Clone)]
pub struct Capture {
    pub kind: CaptureKind,
    /// Where it came from, relative to the archive root (`network.txt:412` for a section of a
    /// supportconfig file: the file and the line of its command).
    pub source: String,
    /// Added to parser line numbers to give lines within the file.
    pub line_offset: usize,
    pub text: String,
    /// For capture-log segments: the time the log gave (`Some(None)` when it gave none, so
    /// the sample is ordered by position); `None` takes the archive's times.
    pub time: Option<Option<Timestamp>>,
}

impl Capture {
    pub fn new(kind: CaptureKind, source: &str, line_offset: usize, text: &str) -> Self {
        Capture {
            kind,
            source: source.to_string(),
            line_offset,
            text: text.to_string(),
            time: None,
        }
    }

    /// The explicit time of a capture-log segment (`Some(None)`: the log gave no date).
    pub fn explicit_time(&self) -> Option<Option<Timestamp>> {
        self.time
    }
}
