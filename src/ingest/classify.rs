//! Which capture is this? One table of path rules per archive layout, mapping a path (relative
//! to the archive root, as the capture is known logically) to a [`CaptureKind`].
//!
//! Adding a layout or a command is adding rows. The same table decides, while an archive is
//! still streaming, which bodies are worth keeping ([`keep_body`]): links may come before or
//! after their targets, so a body is kept when its own path, or the physical place that sos
//! links wanted names to (`proc/<pid>/net/…`, `sys/devices/…/statistics/…`,
//! `sos_strings/<plugin>/<name>.tailed`), matches a rule.

use std::sync::OnceLock;

use regex::Regex;

use crate::kinds::KINDS;
pub use crate::kinds::{CaptureKind, Layout};

struct Compiled {
    layout: Layout,
    dir: &'static [&'static str],
    file: Regex,
    build: fn(&[&str], &regex::Captures) -> Option<CaptureKind>,
}

fn compiled() -> &'static [Compiled] {
    static CELL: OnceLock<Vec<Compiled>> = OnceLock::new();
    CELL.get_or_init(|| {
        KINDS
            .iter()
            .flat_map(|k| k.paths)
            .map(|r| Compiled {
                layout: r.layout,
                dir: r.dir,
                file: Regex::new(&format!("^(?:{})$", r.file)).expect("classification regex"),
                build: r.build,
            })
            .collect()
    })
}

fn dir_matches(glob: &[&str], comps: &[&str]) -> bool {
    glob.len() == comps.len() && glob.iter().zip(comps).all(|(g, c)| *g == "*" || g == c)
}

/// Classifies a logical path (relative to the root). Returns the rule index too: lower is
/// preferred when several logical paths reach one physical file.
pub fn classify(layout: Layout, logical: &str) -> Option<(usize, CaptureKind)> {
    let comps: Vec<&str> = logical.split('/').collect();
    let (file, dir) = comps.split_last()?;
    compiled().iter().enumerate().find_map(|(i, r)| {
        if r.layout != layout || !dir_matches(r.dir, dir) {
            return None;
        }
        let caps = r.file.captures(file)?;
        (r.build)(dir, &caps).map(|k| (i, k))
    })
}

/// True when some rule of `layout` could match a path below the logical directory `dir`.
pub fn wanted_dir(layout: Layout, dir: &str) -> bool {
    let comps: Vec<&str> = dir.split('/').collect();
    compiled().iter().any(|r| {
        r.layout == layout
            && r.dir.len() >= comps.len()
            && r.dir.iter().zip(&comps).all(|(g, c)| *g == "*" || g == c)
    })
}

/// Physical places that sos links wanted logical names to; bodies there are kept as well:
/// `proc/<pid>/net/X` (what `proc/net` links to) when `proc/net/X` is wanted, and sysfs
/// statistics under `sys/devices`.
fn physical_alias(path: &str) -> bool {
    static PROC_NET: OnceLock<Regex> = OnceLock::new();
    static SYS: OnceLock<Regex> = OnceLock::new();
    let proc_net =
        PROC_NET.get_or_init(|| Regex::new(r"(?:^|/)proc/[^/]+/net/(.+)$").expect("alias regex"));
    if let Some(c) = proc_net.captures(path) {
        return classify(Layout::Sos, &format!("proc/net/{}", &c[1])).is_some();
    }
    SYS.get_or_init(|| {
        Regex::new(r"(?:^|/)sys/devices/.+/net/[^/]+/statistics/[A-Za-z0-9_]+$")
            .expect("alias regex")
    })
    .is_match(path)
}

/// Decides at stream time, from the name alone, whether an entry's body should be kept.
/// The root is not known yet, so the rules are tried against every suffix of the path that
/// starts at a component boundary (the first few components may be the archive's top dirs).
pub fn keep_body(path: &str) -> bool {
    if physical_alias(path) {
        return true;
    }
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    // sos_strings/<plugin>/<name>.tailed is the tail of sos_commands/<plugin>/<name>.
    if let Some(i) = comps.iter().position(|c| *c == "sos_strings") {
        if let (Some(plugin), Some(name)) = (comps.get(i + 1), comps.get(i + 2)) {
            if comps.len() == i + 3 {
                if let Some(stem) = name.strip_suffix(".tailed") {
                    let logical = format!("sos_commands/{plugin}/{stem}");
                    return classify(Layout::Sos, &logical).is_some();
                }
            }
        }
    }
    // Every suffix: a report may sit several directories deep in a customer's tarball.
    (0..comps.len()).any(|skip| {
        let rel = comps[skip..].join("/");
        classify(Layout::Sos, &rel).is_some() || classify(Layout::Supportconfig, &rel).is_some()
    })
}

/// Marker names that identify an archive root by content.
pub fn root_marker(name: &str) -> Option<Layout> {
    match name {
        "sos_commands" | "sos_logs" => Some(Layout::Sos),
        "basic-environment.txt" | "supportconfig.txt" => Some(Layout::Supportconfig),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(layout: Layout, p: &str) -> Option<CaptureKind> {
        classify(layout, p).map(|(_, k)| k)
    }

    #[test]
    fn device_names_keep_underscores_dots_and_dashes() {
        assert_eq!(
            kind(
                Layout::Sos,
                "sos_commands/networking/ethtool_-S_ens3f0_1.100-x"
            ),
            Some(CaptureKind::EthtoolStats {
                dev: "ens3f0_1.100-x".into(),
                ns: None
            })
        );
        assert_eq!(
            kind(Layout::Sos, "sos_commands/networking/ethtool_-g_ens3f0.100"),
            Some(CaptureKind::EthtoolRing {
                dev: "ens3f0.100".into(),
                ns: None
            })
        );
    }

    #[test]
    fn namespaced_ethtool_keeps_its_namespace() {
        let expected = Some(CaptureKind::EthtoolStats {
            dev: "veth0".into(),
            ns: Some("ns1".into()),
        });
        assert_eq!(
            kind(
                Layout::Sos,
                "sos_commands/networking/namespaces/ns1/ip_netns_exec_ns1_ethtool_-S_veth0"
            ),
            expected
        );
        assert_eq!(
            kind(
                Layout::Sos,
                "sos_commands/networking/ip_netns_exec_ns1_ethtool_-S_veth0"
            ),
            expected
        );
    }

    #[test]
    fn every_ip_link_spelling() {
        for f in [
            "ip_-s_-d_link",
            "ip_-d_-s_link",
            "ip_-s_link",
            "ip_-s_-s_link",
            "ip_link",
        ] {
            assert_eq!(
                kind(Layout::Sos, &format!("sos_commands/networking/{f}")),
                Some(CaptureKind::IpLink),
                "{f}"
            );
        }
        assert_eq!(
            kind(Layout::Sos, "sos_commands/networking/ip_-s_macsec_show"),
            None
        );
        assert_eq!(
            kind(Layout::Sos, "sos_commands/networking/ip_-s_-s_neigh_show"),
            None
        );
    }

    #[test]
    fn ethtool_other_options_are_not_wanted() {
        assert_eq!(
            kind(Layout::Sos, "sos_commands/networking/ethtool_-k_eth0"),
            None
        );
        assert_eq!(
            kind(Layout::Sos, "sos_commands/networking/ethtool_eth0"),
            None
        );
    }

    #[test]
    fn sysfs_statistics_take_the_device_from_the_directory() {
        assert_eq!(
            kind(Layout::Sos, "sys/class/net/eth0/statistics/rx_dropped"),
            Some(CaptureKind::SysfsStat {
                dev: "eth0".into(),
                counter: "rx_dropped".into()
            })
        );
    }

    #[test]
    fn ipvsadm_arguments_are_recovered() {
        assert_eq!(
            kind(Layout::Sos, "sos_commands/ipvs/ipvsadm_-Ln_--rate"),
            Some(CaptureKind::Ipvsadm {
                args: "-Ln --rate".into()
            })
        );
    }

    #[test]
    fn bodies_are_kept_for_physical_aliases_and_tails() {
        assert!(keep_body("sosreport-a/proc/3255/net/dev"));
        assert!(keep_body("sosreport-a/sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/statistics/rx_dropped"));
        assert!(keep_body(
            "sosreport-a/sos_strings/networking/ip_-s_-d_link.tailed"
        ));
        assert!(!keep_body(
            "sosreport-a/sos_strings/logs/var.log.messages.tailed"
        ));
        assert!(keep_body(
            "sosreport-a/sos_commands/networking/ethtool_-S_eth0"
        ));
        assert!(keep_body("scc_host_240521_1030/network.txt"));
        assert!(!keep_body("sosreport-a/var/log/messages"));
        assert!(!keep_body("sosreport-a/proc/3255/status"));
    }

    #[test]
    fn wanted_dirs_follow_the_table() {
        assert!(wanted_dir(Layout::Sos, "proc"));
        assert!(wanted_dir(Layout::Sos, "proc/net"));
        assert!(wanted_dir(Layout::Sos, "sys/class/net/eth0"));
        assert!(!wanted_dir(Layout::Sos, "usr"));
        assert!(wanted_dir(Layout::Sos, "var/log/sa"));
        assert!(!wanted_dir(Layout::Sos, "var/lib"));
        assert!(!wanted_dir(Layout::Sos, "sys/bus"));
    }
}

/// Classifies a supportconfig section by its `# command` line (argv0 is an absolute path that
/// varies by release, so only its basename counts) or, for `Configuration File` sections, by
/// the file path. `namespace` is set for `network-<ns>.txt` files.
pub fn classify_section(
    title: &str,
    command: &str,
    namespace: Option<&str>,
) -> Option<CaptureKind> {
    if title == "Configuration File" {
        return classify_proc_path(command.trim());
    }
    let words: Vec<&str> = command.split_whitespace().collect();
    classify_argv(&words, namespace.map(str::to_string))
}

/// A `/proc` path as `cat` or supportconfig name it.
pub fn classify_proc_path(path: &str) -> Option<CaptureKind> {
    let rel = path.strip_prefix('/')?;
    if let Some(knob) = rel.strip_prefix("proc/sys/net/core/") {
        if !knob.is_empty() && !knob.contains('/') {
            return Some(CaptureKind::SysctlValue {
                key: format!("net.core.{knob}"),
            });
        }
        return None;
    }
    if rel.starts_with("proc/sys/net/netfilter/") {
        return classify(Layout::Sos, rel).map(|(_, k)| k);
    }
    classify(Layout::Sos, rel).map(|(_, k)| k).filter(|k| {
        matches!(
            k,
            CaptureKind::ProcNetDev
                | CaptureKind::Softnet
                | CaptureKind::Bonding { .. }
                | CaptureKind::ProcNetSnmp
                | CaptureKind::Sockstat
                | CaptureKind::Conntrack
        )
    })
}

/// Classifies a command line given as words (`/sbin/ip -stats link`).
pub fn classify_argv(words: &[&str], ns: Option<String>) -> Option<CaptureKind> {
    let (argv0, args) = words.split_first()?;
    let name = argv0.rsplit('/').next().unwrap_or(argv0);
    if let ("ip", ["netns", "exec", netns, rest @ ..]) = (name, args) {
        return classify_argv(rest, Some((*netns).to_string()));
    }
    KINDS
        .iter()
        .filter_map(|k| k.argv)
        .find_map(|argv| argv(name, args, ns.as_deref()))
}

#[cfg(test)]
mod section_tests {
    use super::*;

    #[test]
    fn commands_match_by_basename() {
        assert_eq!(
            classify_section("Command", "/sbin/ip -stats link", None),
            Some(CaptureKind::IpLink)
        );
        assert_eq!(
            classify_section("Command", "/usr/sbin/ip -s link", None),
            Some(CaptureKind::IpLink)
        );
        assert_eq!(classify_section("Command", "/sbin/ip addr", None), None);
        assert_eq!(
            classify_section("Command", "/usr/sbin/ethtool -S eth0", None),
            Some(CaptureKind::EthtoolStats {
                dev: "eth0".into(),
                ns: None
            })
        );
        assert_eq!(
            classify_section("Command", "/usr/sbin/ethtool eth0", None),
            None
        );
        assert_eq!(
            classify_section("Command", "/sbin/sysctl -a", None),
            Some(CaptureKind::Sysctl)
        );
        assert_eq!(
            classify_section("Command", "/sbin/ipvsadm -Ln", None),
            Some(CaptureKind::Ipvsadm { args: "-Ln".into() })
        );
    }

    #[test]
    fn netstat_i_and_ip_json_commands() {
        // Old supportconfigs (before 2018-01) held `netstat -i` in network.txt.
        assert_eq!(
            classify_section("Command", "/bin/netstat -i", None),
            Some(CaptureKind::NetstatIface)
        );
        assert_eq!(classify_section("Command", "/bin/netstat -nlp", None), None);
        assert_eq!(
            classify_argv(&["ip", "-j", "-p", "-s", "-s", "link"], None),
            Some(CaptureKind::IpJson)
        );
        assert_eq!(
            classify_argv(&["ifconfig", "-a", "-s"], None),
            Some(CaptureKind::NetstatIface)
        );
    }

    #[test]
    fn namespaced_commands_keep_the_namespace() {
        assert_eq!(
            classify_section(
                "Command",
                "/sbin/ip netns exec ns1 /usr/sbin/ethtool -S veth0",
                None
            ),
            Some(CaptureKind::EthtoolStats {
                dev: "veth0".into(),
                ns: Some("ns1".into())
            })
        );
        assert_eq!(
            classify_section("Command", "/usr/sbin/ethtool -g eth1", Some("blue")),
            Some(CaptureKind::EthtoolRing {
                dev: "eth1".into(),
                ns: Some("blue".into())
            })
        );
    }

    #[test]
    fn configuration_files_by_path() {
        assert_eq!(
            classify_section("Configuration File", "/proc/net/dev", None),
            Some(CaptureKind::ProcNetDev)
        );
        assert_eq!(
            classify_section("Configuration File", "/proc/net/softnet_stat", None),
            Some(CaptureKind::Softnet)
        );
        assert_eq!(
            classify_section("Configuration File", "/proc/net/bonding/bond0", None),
            Some(CaptureKind::Bonding {
                bond: "bond0".into()
            })
        );
        assert_eq!(
            classify_section(
                "Configuration File",
                "/proc/sys/net/core/netdev_budget",
                None
            ),
            Some(CaptureKind::SysctlValue {
                key: "net.core.netdev_budget".into()
            })
        );
        // supportconfig proc.txt: the layers above the NIC.
        assert_eq!(
            classify_section("Configuration File", "/proc/net/snmp", None),
            Some(CaptureKind::ProcNetSnmp)
        );
        assert_eq!(
            classify_section("Configuration File", "/proc/net/sockstat", None),
            Some(CaptureKind::Sockstat)
        );
        assert_eq!(
            classify_section(
                "Configuration File",
                "/proc/sys/net/netfilter/nf_conntrack_max",
                None
            ),
            Some(CaptureKind::SysctlValue {
                key: "net.netfilter.nf_conntrack_max".into()
            })
        );
        assert_eq!(
            classify_section("Configuration File", "/proc/net/unix", None),
            None
        );
    }
}
