//! One host is one host: which parts describe the same machine, and merging them without
//! reading anything twice.
//!
//! A [`Part`] is what one archive root, one loose file or one streamed capture log says about
//! a machine. Parts become one host only when their data says they are the same machine:
//!
//! - the same host name (`hostname`, a shell prompt, `uname -n`; an archive root's host name
//!   as before), compared case-insensitively, a short name being the first label of an FQDN;
//! - a loose file that names no host joins the part whose readings it repeats (a file given
//!   twice, a renamed copy of a dated log), else the one named host whose interfaces it
//!   matches (same names, and the same MAC wherever both sides know it); matching none, or
//!   several, it stays a host of its own, named after the file;
//! - when no file of a directory or tar names its host, its loose files form one host unless
//!   their interfaces contradict (see `group`).
//!
//! Readings that two parts of one host both hold (the same archive given twice) are kept once,
//! and said so once per host (`Seen`).

use std::collections::{BTreeMap, BTreeSet};

use rules::model::{
    Host, HostnameFrom, InterfaceKind, IntervalKind, ProblemRecord, ProblemSeverity,
};
use rules::retention;
use rules::timeline::series_of;
use serde::Serialize;

/// What one archive root, loose file or streamed capture log says about one machine.
#[derive(Debug, Clone)]
pub struct Part {
    pub host: Host,
    /// The host name is the machine's own: always for an archive root (its captures, else the
    /// name sos gave the report); for a loose file when its captures named the host.
    pub named: bool,
    /// For a loose file: the name its sample sources start with (`capture.log` in
    /// `capture.log:12`), so that a renamed copy's readings are recognised as the same.
    pub file: Option<String>,
    /// The input (as given on the command line) the part was read from.
    pub input: String,
}

impl Part {
    /// An archive root: merged by its host name as it always was.
    pub fn archive(host: Host, input: &str) -> Part {
        Part {
            host,
            named: true,
            file: None,
            input: input.to_string(),
        }
    }

    /// A loose file (or a streamed log) read from `input`; `file` starts its sample sources.
    /// When its captures did not name the host (`named`), or named it only `localhost`, the
    /// host is called `fallback` (the file's name).
    pub fn loose(mut host: Host, named: bool, file: &str, fallback: &str, input: &str) -> Part {
        let named = named && !generic_name(&host.hostname);
        if !named {
            host.hostname = fallback.to_string();
            host.hostname_from = HostnameFrom::Input;
        }
        Part {
            host,
            named,
            file: Some(file.to_string()),
            input: input.to_string(),
        }
    }
}

/// Names that many unrelated machines carry: they say nothing about which machine it is.
/// So do strings that cannot be a host name (a prompt such as `[root@host /]#` read oddly).
fn generic_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    n.is_empty()
        || !n.chars().all(valid)
        || !n.chars().any(|c| c.is_ascii_alphanumeric())
        || n == "(none)"
        || n == "localhost"
        || n.starts_with("localhost.")
        || n.starts_with("localhost6")
}

/// Two host names (lower case) name one machine: equal, or one is the first label of the
/// other (`web01` and `web01.example.com`; two FQDNs must be equal).
fn same_machine_name(a: &str, b: &str) -> bool {
    let short_of = |short: &str, long: &str| {
        !short.contains('.') && long.split('.').next() == Some(short) && long.contains('.')
    };
    a == b || short_of(a, b) || short_of(b, a)
}

/// Interfaces by (name, namespace) with the MACs known for them. Loopback devices say
/// nothing about the machine and are left out.
type Interfaces = BTreeMap<(String, Option<String>), BTreeSet<String>>;

fn interfaces<'a>(hosts: impl IntoIterator<Item = &'a Host>) -> Interfaces {
    let mut out = Interfaces::new();
    for host in hosts {
        for i in &host.interfaces {
            if i.name == "lo" || i.kind == InterfaceKind::Loopback {
                continue;
            }
            let macs = out
                .entry((i.name.clone(), i.namespace.clone()))
                .or_default();
            macs.extend(i.mac.iter().cloned());
        }
    }
    out
}

/// Every interface of `part` is one of `host`'s, with the same MAC wherever both know it.
fn fits(part: &Interfaces, host: &Interfaces) -> bool {
    !part.is_empty()
        && part.iter().all(|(k, macs)| {
            host.get(k).is_some_and(|theirs| {
                macs.is_empty() || theirs.is_empty() || !macs.is_disjoint(theirs)
            })
        })
}

/// Some interface has a different MAC in two of these parts: they are different machines.
fn contradict(parts: &[Interfaces]) -> bool {
    let mut known: BTreeMap<&(String, Option<String>), &BTreeSet<String>> = BTreeMap::new();
    for p in parts {
        for (k, macs) in p.iter().filter(|(_, m)| !m.is_empty()) {
            if known.get(k).is_some_and(|m| m.is_disjoint(macs)) {
                return true;
            }
            known.entry(k).or_insert(macs);
        }
    }
    false
}

/// The parts of each host, by index into `parts`; hosts in the order their first part came,
/// parts in input order. `readings` holds the reading keys of each part that names no host
/// (see [`Seen`]). Depends only on the parts, never on timing or hash order.
fn group(parts: &[Part], readings: &[Readings]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut names: Vec<Vec<String>> = Vec::new();
    for (i, p) in parts.iter().enumerate().filter(|(_, p)| p.named) {
        let name = p.host.hostname.to_ascii_lowercase();
        let target = names.iter().position(|ns| ns.contains(&name)).or_else(|| {
            let close: Vec<usize> = (0..names.len())
                .filter(|&g| names[g].iter().any(|n| same_machine_name(n, &name)))
                .collect();
            // A short name that fits several FQDNs says nothing about which one it is.
            (close.len() == 1).then(|| close[0])
        });
        match target {
            Some(g) => {
                groups[g].push(i);
                if !names[g].contains(&name) {
                    names[g].push(name);
                }
            }
            None => {
                groups.push(vec![i]);
                names.push(vec![name]);
            }
        }
    }
    let named = groups.len();
    let known: Vec<Interfaces> = groups
        .iter()
        .map(|g| interfaces(g.iter().map(|&i| &parts[i].host)))
        .collect();
    // Unnamed parts: the group they joined, or the earlier part whose readings they repeat.
    let mut group_of: Vec<Option<usize>> = vec![None; parts.len()];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = Some(g);
        }
    }
    let mut copy_of: Vec<Option<usize>> = vec![None; parts.len()];
    let mut alone = Vec::new();
    for (i, p) in parts.iter().enumerate().filter(|(_, p)| !p.named) {
        // The same readings read again (a file given twice, a renamed copy of a dated log)
        // are the same machine's, whatever else matches.
        if let Some(j) = (0..i).find(|&j| readings[i].repeat(&readings[j], p, &parts[j])) {
            match group_of[j] {
                Some(g) => {
                    groups[g].push(i);
                    group_of[i] = Some(g);
                }
                None => copy_of[i] = Some(copy_of[j].unwrap_or(j)),
            }
            continue;
        }
        let mine = interfaces([&p.host]);
        let matching: Vec<usize> = (0..named).filter(|&g| fits(&mine, &known[g])).collect();
        match matching[..] {
            [g] => {
                groups[g].push(i);
                group_of[i] = Some(g);
            }
            _ => alone.push(i),
        }
    }
    // No file of an input names its host: typically one customer's pastes of `ip -s link`,
    // `ethtool -S eth0`, `softnet_stat` saved side by side in one directory. Splitting them
    // would cut the ring sizes off the drops they explain, and nothing says they are
    // different machines, so they form one host, unless their interfaces say they are
    // different machines (one name, two MACs): then nothing says which belong together and
    // each stays alone. Files given as separate inputs are not joined this way.
    let mut inputs: Vec<&str> = alone.iter().map(|&i| parts[i].input.as_str()).collect();
    inputs.dedup();
    for input in inputs {
        if parts.iter().any(|p| p.named && p.input == input) {
            continue;
        }
        let members: Vec<usize> = alone
            .iter()
            .copied()
            .filter(|&i| parts[i].input == input)
            .collect();
        let each: Vec<Interfaces> = members
            .iter()
            .map(|&i| interfaces([&parts[i].host]))
            .collect();
        if members.len() > 1 && !contradict(&each) {
            alone.retain(|i| !members.contains(i));
            for &i in &members {
                group_of[i] = Some(groups.len());
            }
            groups.push(members);
        }
    }
    for i in alone {
        group_of[i] = Some(groups.len());
        groups.push(vec![i]);
    }
    for (i, leader) in copy_of.iter().enumerate() {
        if let Some(g) = leader.and_then(|j| group_of[j]) {
            groups[g].push(i);
        }
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort_by_key(|g| g[0]);
    groups
}

/// The reading keys of one part (see [`Seen`]), and whether any has a time.
#[derive(Default)]
struct Readings {
    keys: BTreeSet<String>,
    timed: bool,
}

impl Readings {
    fn of(host: &mut Host, file: Option<&str>) -> Readings {
        let mut keys = BTreeSet::new();
        walk(host, file, &mut |series_keys: &[String]| {
            keys.extend(series_keys.iter().cloned());
            false
        });
        let timed = keys
            .iter()
            .any(|k| k.split('\n').nth(1).is_some_and(|w| w.starts_with('"')));
        Readings { keys, timed }
    }

    /// `self` (of part `p`) holds only readings `earlier` (of part `q`) holds. Untimed pastes
    /// of two idle machines can print the same zeros, so without a time it counts only when
    /// it is the same file given twice.
    fn repeat(&self, earlier: &Readings, p: &Part, q: &Part) -> bool {
        let same_file = p.input == q.input && p.file == q.file;
        !self.keys.is_empty() && (self.timed || same_file) && self.keys.is_subset(&earlier.keys)
    }
}

/// Merges the parts into hosts (see the module comment) and drops readings read twice (one
/// warning per host that had any). The timeline and the rules run after, in the pipeline.
pub fn merge_parts(mut parts: Vec<Part>, problems: &mut Vec<ProblemRecord>) -> Vec<Host> {
    // One part is one host: nothing to compare (a single archive or log stays as cheap as before).
    let single = parts.len() == 1;
    let readings: Vec<Readings> = parts
        .iter_mut()
        .map(|p| match p.named || single {
            true => Readings::default(),
            false => Readings::of(&mut p.host, p.file.as_deref()),
        })
        .collect();
    let groups = group(&parts, &readings);
    let mut slots: Vec<Option<Part>> = parts.into_iter().map(Some).collect();
    let mut merged = Vec::new();
    for members in groups {
        let mut members: Vec<Part> = members.iter().filter_map(|&i| slots[i].take()).collect();
        let unnamed_group = members.len() > 1 && members.iter().all(|p| !p.named);
        let single_input = members.iter().all(|p| p.input == members[0].input);
        // A host is called what its data calls it, even when a file that names no host came first.
        let named = members
            .iter()
            .find(|p| p.named)
            .map(|p| (p.host.hostname.clone(), p.host.hostname_from));
        let first = members.remove(0);
        let mut seen = Seen::default();
        let mut names = vec![part_name(&first)];
        let mut host = first.host;
        if !members.is_empty() {
            seen.add(&mut host, first.file.as_deref(), 0);
        }
        let mut repeats: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut count = 0;
        for (n, mut part) in members.into_iter().enumerate() {
            let n = n + 1;
            names.push(part_name(&part));
            let (dropped, of) = seen.drop_repeats(&mut part.host, part.file.as_deref());
            count += dropped;
            repeats.extend(of.into_iter().map(|earlier| (earlier, n)));
            seen.add(&mut part.host, part.file.as_deref(), n);
            super::merge_into(&mut host, part.host);
        }
        if let Some((name, from)) = named {
            host.hostname = name;
            host.hostname_from = from;
        } else if unnamed_group && single_input {
            // Loose files of one input that name no host: named after the input, as before.
            host.hostname = super::fallback_hostname("", &first.input);
            host.hostname_from = HostnameFrom::Input;
        }
        if let Some(&(a, b)) = repeats.iter().next() {
            let others = repeats.len() - 1;
            let also = if others > 0 {
                format!(" (and {others} more pair(s) of inputs)")
            } else {
                String::new()
            };
            let which = if names[a] == names[b] {
                format!("`{}` was given twice", names[a])
            } else {
                format!(
                    "`{}` and `{}` hold the same readings (the same archive given twice?)",
                    names[a], names[b]
                )
            };
            problems.push(ProblemRecord {
                source: names[b].clone(),
                line: None,
                severity: ProblemSeverity::Warning,
                message: format!("{which}: {count} duplicate reading(s) ignored{also}"),
            });
        }
        merged.push(host);
    }
    for h in &mut merged {
        super::finish_interfaces(h);
        h.cpu
            .sort_by(|a, b| rules::model::cmp_time(&a.time, &b.time));
        h.ipvs
            .sort_by(|a, b| rules::model::cmp_time(&a.time, &b.time));
        h.softirqs
            .sort_by(|a, b| rules::model::cmp_time(&a.time, &b.time));
        h.interrupts
            .sort_by(|a, b| rules::model::cmp_time(&a.time, &b.time));
    }
    merged
}

/// How problems name a part: the input, or `input!root` / `input!file`.
fn part_name(p: &Part) -> String {
    p.host
        .sources
        .first()
        .cloned()
        .unwrap_or_else(|| p.input.clone())
}

/// The readings of the parts merged so far, by a key that leaves out where they were read:
/// the list, the time (or, for an untimed reading, its source within its file) and every
/// value. A series of a later part (a list's readings from one source, as the timeline
/// differences them) whose every reading was already seen was read twice, and is dropped
/// whole: dropping only some readings would cut a series that merely starts where another
/// one does. Readings within one part are never compared with each other: a log may print
/// the same counters twice.
#[derive(Default)]
struct Seen {
    /// Key → the part (its position in the host) that first held it.
    keys: BTreeMap<String, usize>,
}

impl Seen {
    fn add(&mut self, host: &mut Host, file: Option<&str>, part: usize) {
        let keys = &mut self.keys;
        walk(host, file, &mut |series_keys: &[String]| {
            for k in series_keys {
                keys.entry(k.clone()).or_insert(part);
            }
            false
        });
    }

    /// Removes from `host` the series already seen: how many readings they held, and the
    /// parts that held them first.
    fn drop_repeats(&self, host: &mut Host, file: Option<&str>) -> (usize, BTreeSet<usize>) {
        let mut dropped = 0;
        let mut of = BTreeSet::new();
        walk(host, file, &mut |series_keys: &[String]| {
            let first: Option<Vec<usize>> = series_keys
                .iter()
                .map(|k| self.keys.get(k).copied())
                .collect();
            match first {
                Some(parts) => {
                    dropped += series_keys.len();
                    of.extend(parts);
                    true
                }
                None => false,
            }
        });
        (dropped, of)
    }
}

/// Asked with the keys of the readings of one series of one list, says whether to drop it.
type Visit<'a> = dyn FnMut(&[String]) -> bool + 'a;

/// Visits every series of every list of readings of `host`. With a series of readings go the
/// intervals retention computed for it and its `thinned` note (they would repeat the other
/// part's); rates a tool reported itself (sar) are readings of their own.
fn walk(host: &mut Host, file: Option<&str>, visit: &mut Visit<'_>) {
    let mut gone: Vec<(String, String)> = Vec::new();
    let reported = |k: IntervalKind| k == IntervalKind::Reported;
    for iface in &mut host.interfaces {
        let at = format!(
            "interfaces[{}|{}]",
            iface.namespace.as_deref().unwrap_or(""),
            iface.name
        );
        let series = keep_new(
            &mut iface.samples,
            &format!("{at}.samples"),
            file,
            |_| true,
            |s| series_of(&s.source),
            visit,
        );
        iface
            .deltas
            .retain(|d| reported(d.kind) || !series.contains(&d.series));
        gone.extend(
            series
                .into_iter()
                .map(|s| (retention::samples_list(&iface.name), s)),
        );
        let series = keep_new(
            &mut iface.ethtool,
            &format!("{at}.ethtool"),
            file,
            |_| true,
            |s| series_of(&s.source),
            visit,
        );
        iface.ethtool_deltas.retain(|d| !series.contains(&d.series));
        gone.extend(
            series
                .into_iter()
                .map(|s| (retention::ethtool_list(&iface.name), s)),
        );
        keep_new(
            &mut iface.deltas,
            &format!("{at}.deltas"),
            file,
            |d| reported(d.kind),
            |d| &d.series,
            visit,
        );
    }
    let series = keep_new(
        &mut host.softnet,
        "softnet",
        file,
        |_| true,
        |s| series_of(&s.source),
        visit,
    );
    host.softnet_deltas
        .retain(|d| reported(d.kind) || !series.contains(&d.series));
    gone.extend(series.into_iter().map(|s| ("softnet".to_string(), s)));
    keep_new(
        &mut host.softnet_deltas,
        "softnet_deltas",
        file,
        |d| reported(d.kind),
        |d| &d.series,
        visit,
    );
    let series = keep_new(
        &mut host.cpu,
        "cpu",
        file,
        |_| true,
        |s| series_of(&s.source),
        visit,
    );
    gone.extend(series.into_iter().map(|s| ("cpu".to_string(), s)));
    let series = keep_new(
        &mut host.ipvs,
        "ipvs",
        file,
        |_| true,
        |s| series_of(&s.source),
        visit,
    );
    gone.extend(series.into_iter().map(|s| ("ipvs".to_string(), s)));
    for (list, samples, deltas) in [
        ("softirqs", &mut host.softirqs, &mut host.softirqs_deltas),
        (
            "interrupts",
            &mut host.interrupts,
            &mut host.interrupts_deltas,
        ),
    ] {
        let series = keep_new(
            samples,
            list,
            file,
            |_| true,
            |s| series_of(&s.source),
            visit,
        );
        deltas.retain(|d| !series.contains(&d.series));
        gone.extend(series.into_iter().map(|s| (list.to_string(), s)));
    }
    host.thinned
        .retain(|t| !gone.iter().any(|(l, s)| *l == t.list && *s == t.series));
}

/// Drops the series of `items` (of the readings `compared` says to look at) that `visit`
/// says to drop, and returns them.
fn keep_new<T: Serialize>(
    items: &mut Vec<T>,
    list: &str,
    file: Option<&str>,
    compared: impl Fn(&T) -> bool,
    series: impl Fn(&T) -> &str,
    visit: &mut Visit<'_>,
) -> BTreeSet<String> {
    let mut keys: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for item in items.iter().filter(|i| compared(i)) {
        keys.entry(series(item))
            .or_default()
            .push(reading_key(list, item, file));
    }
    let drop: BTreeSet<String> = keys
        .into_iter()
        .filter(|(_, k)| visit(k))
        .map(|(s, _)| s.to_string())
        .collect();
    if !drop.is_empty() {
        items.retain(|i| !(compared(i) && drop.contains(series(i))));
    }
    drop
}

/// The key of one reading (see [`Seen`]): its list, its time (or, untimed, its source with the
/// loose file's own name taken off) and its values.
fn reading_key<T: Serialize>(list: &str, item: &T, file: Option<&str>) -> String {
    let mut value = serde_json::to_value(item).unwrap_or(serde_json::Value::Null);
    let mut when = String::new();
    if let Some(o) = value.as_object_mut() {
        let source = o.remove("source");
        o.remove("start_source");
        o.remove("end_source");
        if let Some(time) = o.remove("time") {
            when = if time.is_null() {
                let s = source.as_ref().and_then(|s| s.as_str()).unwrap_or("");
                let s = file.and_then(|f| s.strip_prefix(f)).unwrap_or(s);
                format!("untimed {s}")
            } else {
                time.to_string()
            };
        }
    }
    format!("{list}\n{when}\n{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_compare_case_insensitively_and_short_to_fqdn() {
        assert!(same_machine_name("web01", "web01.example.com"));
        assert!(same_machine_name("web01.example.com", "web01"));
        assert!(!same_machine_name("web01.a.com", "web01.b.com"));
        assert!(!same_machine_name("web01", "web011"));
        assert!(!same_machine_name("web01", "web02.example.com"));
        assert!(generic_name("localhost.localdomain"));
        assert!(generic_name("LOCALHOST"));
        assert!(!generic_name("lvs01"));
    }

    fn host(name: &str, ifaces: &[(&str, Option<&str>)]) -> Host {
        let mut h = Host::new(name);
        for (n, mac) in ifaces {
            h.interface_mut(n, None).mac = mac.map(str::to_string);
        }
        h
    }

    fn loose(h: Host, named: bool, file: &str) -> Part {
        Part::loose(h, named, file, file, "dir")
    }

    fn grouped(parts: &mut [Part]) -> Vec<Vec<usize>> {
        let readings: Vec<Readings> = parts
            .iter_mut()
            .map(|p| Readings::of(&mut p.host, p.file.as_deref()))
            .collect();
        group(parts, &readings)
    }

    #[test]
    fn parts_group_by_name_then_by_interfaces() {
        let mut parts = vec![
            loose(host("lvs01", &[("eth2", Some("aa"))]), true, "a.log"),
            loose(host("db-7", &[("eno1", Some("bb"))]), true, "b.log"),
            // No name; eth2 with lvs01's MAC: lvs01.
            loose(host("", &[("eth2", Some("aa"))]), false, "c.log"),
            // No name; eth2 with another MAC: alone.
            loose(host("", &[("eth2", Some("cc"))]), false, "d.log"),
            // No name, no MAC, an interface both named hosts lack: alone.
            loose(host("", &[("eth9", None)]), false, "e.log"),
            loose(host("LVS01.example.com", &[]), true, "f.log"),
            // `localhost` names no machine: matched by interfaces (eno1: db-7).
            loose(host("localhost", &[("eno1", None)]), true, "g.log"),
        ];
        assert_eq!(
            grouped(&mut parts),
            vec![vec![0, 2, 5], vec![1, 6], vec![3], vec![4]]
        );
        assert_eq!(parts[6].host.hostname, "g.log");
    }

    #[test]
    fn unnamed_parts_form_one_host_unless_their_macs_differ() {
        let a = || loose(host("", &[("eth0", Some("aa"))]), false, "a");
        let b = || loose(host("", &[("eth0", None), ("eth1", None)]), false, "b");
        let c = || loose(host("", &[("eth0", Some("cc"))]), false, "c");
        assert_eq!(grouped(&mut [a(), b()]), vec![vec![0, 1]]);
        assert_eq!(
            grouped(&mut [a(), b(), c()]),
            vec![vec![0], vec![1], vec![2]]
        );
        // Given as separate inputs, they stay apart.
        let mut d = b();
        d.input = "other".into();
        assert_eq!(grouped(&mut [a(), d]), vec![vec![0], vec![1]]);
    }
}
