//! Recognises a loose file (not inside an archive layout) by its content, so a pasted
//! `ethtool -S` saved as `eth0.txt` or a `/proc/net/dev` copy is read like its archive twin.
//!
//! Only the first lines are looked at. The device of per-device outputs comes from the text
//! when it names it (`Ring parameters for eth0:`), else from the file name (`eth0.txt`).

use std::sync::OnceLock;

use crate::ingest::classify::CaptureKind;
use crate::kinds::{Head, Sniff, KINDS};

/// The kind of a loose file by its first lines: the kinds' sniff tests in their order.
pub fn sniff(text: &str, name: &str) -> Option<CaptureKind> {
    static ORDERED: OnceLock<Vec<&'static Sniff>> = OnceLock::new();
    let ordered = ORDERED.get_or_init(|| {
        let mut tests: Vec<&Sniff> = KINDS.iter().filter_map(|k| k.sniff.as_ref()).collect();
        tests.sort_by_key(|t| t.order);
        tests
    });
    let head = Head::of(text, name)?;
    ordered.iter().find_map(|t| (t.test)(&head))
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
    fn proc_net_snmp_from_any_pair_and_snmp6() {
        // Any group's pair, not only the file's first (`Ip: Forwarding …`).
        let icmp = "IcmpMsg: InType0 InType3\nIcmpMsg: 1 2\nTcp: RtoAlgorithm\nTcp: 1\n";
        assert_eq!(sniff(icmp, "x"), Some(CaptureKind::ProcNetSnmp));
        let ext = "    MPTcpExt: MPCapableSYNRX\n    MPTcpExt: 0\n";
        assert_eq!(sniff(ext, "x"), Some(CaptureKind::ProcNetSnmp));
        // Two groups do not make a pair.
        assert_eq!(sniff("Tcp: RtoAlgorithm\nUdp: 1\n", "x"), None);
        // Real first line of /proc/net/snmp6 (sandbox 6.18.44).
        let six = "Ip6InReceives                   \t2\nIp6InHdrErrors                  \t0\n";
        assert_eq!(sniff(six, "x"), Some(CaptureKind::ProcNetSnmp));
        // netstat -s starts with a bare `Ip:`; sockstat's `TCP:` is upper case.
        assert_eq!(
            sniff("Ip:\n    Forwarding: 1\n", "x"),
            Some(CaptureKind::NetstatS)
        );
        assert_eq!(
            sniff("sockets: used 5\nTCP: inuse 1 orphan 0\n", "x"),
            Some(CaptureKind::Sockstat)
        );
    }

    #[test]
    fn nothing_for_empty_or_unknown_text() {
        assert_eq!(sniff("", "x"), None);
        assert_eq!(sniff("hello world\n", "x"), None);
        assert_eq!(sniff("\u{FFFD}\u{FFFD}\0\0", "x"), None);
    }
}
