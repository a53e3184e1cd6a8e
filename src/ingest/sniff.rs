//! Recognises a loose file (not inside an archive layout) by its content, so a pasted
//! `ethtool -S` saved as `eth0.txt` or a `/proc/net/dev` copy is read like its archive twin.
//!
//! Only the first lines are looked at. The device of per-device outputs comes from the text
//! when it names it (`Ring parameters for eth0:`), else from the file name (`eth0.txt`).

use std::sync::OnceLock;

use regex::Regex;

use crate::ingest::classify::CaptureKind;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("sniff regex"))
}

/// Device name from a file name: `eth0.txt` → `eth0`, `ethtool_-S_eth0` → `eth0`.
fn device_from_name(name: &str) -> String {
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

pub fn sniff(text: &str, name: &str) -> Option<CaptureKind> {
    static SC_HEADER: OnceLock<Regex> = OnceLock::new();
    static IP_LINK: OnceLock<Regex> = OnceLock::new();
    static SOFTNET: OnceLock<Regex> = OnceLock::new();
    static SYSCTL: OnceLock<Regex> = OnceLock::new();
    static UNAME: OnceLock<Regex> = OnceLock::new();
    static UPTIME: OnceLock<Regex> = OnceLock::new();
    static FOR_DEV: OnceLock<Regex> = OnceLock::new();

    let head: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .take(40)
        .collect();
    let first = *head.first()?;
    let any = |r: &Regex| head.iter().any(|l| r.is_match(l));

    if any(re(&SC_HEADER, r"^#==\[ .+ \]=+#\s*$")) {
        return Some(CaptureKind::SupportconfigFile);
    }
    if first.starts_with("Inter-|")
        || head
            .iter()
            .any(|l| l.trim_start().starts_with("face |bytes"))
    {
        return Some(CaptureKind::ProcNetDev);
    }
    if re(&IP_LINK, r"^\d+:\s+\S+:\s+<[A-Z0-9_,-]*>").is_match(first) {
        return Some(CaptureKind::IpLink);
    }
    if first == "Kernel Interface table" || parsers::netstat_iface::is_header(first) {
        return Some(CaptureKind::NetstatIface);
    }
    if (first.starts_with('[') || first.starts_with('{'))
        && head.iter().take(4).any(|l| l.contains("\"ifname\""))
    {
        return Some(CaptureKind::IpJson);
    }
    let for_dev = re(&FOR_DEV, r"^(?:Ring|Channel) parameters for (\S+?):\s*$");
    let dev_in_text = head
        .iter()
        .find_map(|l| for_dev.captures(l))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().split('@').next().unwrap_or("").to_string());
    let dev = || {
        dev_in_text
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| device_from_name(name))
    };
    if first.starts_with("Ring parameters for ") {
        return Some(CaptureKind::EthtoolRing {
            dev: dev(),
            ns: None,
        });
    }
    if first.starts_with("Channel parameters for ") {
        return Some(CaptureKind::EthtoolChannels {
            dev: dev(),
            ns: None,
        });
    }
    if first == "NIC statistics:"
        || first == "PHY statistics:"
        || first.starts_with("Standard stats for ")
    {
        let dev = first
            .strip_prefix("Standard stats for ")
            .and_then(|d| d.strip_suffix(':'))
            .map(str::to_string)
            .unwrap_or_else(|| device_from_name(name));
        return Some(CaptureKind::EthtoolStats { dev, ns: None });
    }
    if first.starts_with("driver: ") && head.iter().any(|l| l.starts_with("bus-info:")) {
        return Some(CaptureKind::EthtoolInfo {
            dev: device_from_name(name),
            ns: None,
        });
    }
    if first.starts_with("Ethernet Channel Bonding Driver") {
        return Some(CaptureKind::Bonding {
            bond: device_from_name(name),
        });
    }
    let softnet = re(&SOFTNET, r"^[0-9a-f]{8}(?: [0-9a-f]{8}){8,14}$");
    if head.iter().all(|l| softnet.is_match(l.trim())) {
        return Some(CaptureKind::Softnet);
    }
    let sysctl = re(&SYSCTL, r"^[a-z0-9_-]+(?:\.[A-Za-z0-9_./-]+)+ = ");
    if head.iter().filter(|l| sysctl.is_match(l)).count() * 2 > head.len() {
        return Some(CaptureKind::Sysctl);
    }
    if head.len() == 1 {
        if re(&UNAME, r"^Linux \S+ \S+ #").is_match(first) {
            return Some(CaptureKind::Uname);
        }
        if re(&UPTIME, r"^\s*(?:\d\d:\d\d:\d\d )?up .*load average").is_match(first) {
            return Some(CaptureKind::Uptime);
        }
        if parsers::date::parse_line(first).is_some() {
            return Some(CaptureKind::Date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_ethtool_takes_the_device_from_the_file_name() {
        let text = "NIC statistics:\n     rx_packets: 1\n";
        assert_eq!(
            sniff(text, "eth0.txt"),
            Some(CaptureKind::EthtoolStats {
                dev: "eth0".into(),
                ns: None
            })
        );
    }

    #[test]
    fn ring_output_names_its_device() {
        let text = "Ring parameters for bond0.102@bond0:\nCannot get device ring settings: No such device\n";
        assert_eq!(
            sniff(text, "x"),
            Some(CaptureKind::EthtoolRing {
                dev: "bond0.102".into(),
                ns: None
            })
        );
    }

    #[test]
    fn proc_net_dev_and_ip_link_and_softnet() {
        let dev = "Inter-|   Receive    |  Transmit\n face |bytes    packets|bytes\n";
        assert_eq!(sniff(dev, "dev"), Some(CaptureKind::ProcNetDev));
        let ip = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n";
        assert_eq!(sniff(ip, "x"), Some(CaptureKind::IpLink));
        // Real rows from the corpus sosreport (proc/3255/net/softnet_stat).
        let sn = "00029ba9 00000000 0000005b 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\r\n";
        assert_eq!(sniff(sn, "x"), Some(CaptureKind::Softnet));
    }

    #[test]
    fn netstat_and_ip_json() {
        let netstat = "Kernel Interface table\nIface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";
        assert_eq!(sniff(netstat, "x"), Some(CaptureKind::NetstatIface));
        let pretty = "[ {\n        \"ifindex\": 1,\n        \"ifname\": \"lo\",\n";
        assert_eq!(sniff(pretty, "x"), Some(CaptureKind::IpJson));
        assert_eq!(sniff("[1, 2]\n", "x"), None);
    }

    #[test]
    fn nothing_for_empty_or_unknown_text() {
        assert_eq!(sniff("", "x"), None);
        assert_eq!(sniff("hello world\n", "x"), None);
        assert_eq!(sniff("\u{FFFD}\u{FFFD}\0\0", "x"), None);
    }
}
