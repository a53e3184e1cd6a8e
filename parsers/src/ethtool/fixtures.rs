//! Tests against the captures in `testdata/parsers/ethtool/` (sources in its PROVENANCE.md).
//! Every expected value below is read off the fixture text by hand.

use super::*;
use crate::test_support::{fixture, fixtures, never_panics};
use crate::{Parsed, Severity};

/// `(line, severity)` of each problem, for compact assertions.
fn lines(problems: &[crate::Problem]) -> Vec<(usize, Severity)> {
    problems.iter().map(|p| (p.line, p.severity)).collect()
}

fn stat(p: &Parsed<EthtoolStats>, key: &str) -> Option<u64> {
    p.value.stats.get(key).copied()
}

// ---------------------------------------------------------------------------------------
// ethtool -S
// ---------------------------------------------------------------------------------------

#[test]
fn stats_real_virtio_net_new_rxn_names() {
    let p = parse_stats(fixture!("ethtool", "S_real_virtio_net_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.stats.len(), 20);
    assert_eq!(stat(&p, "rx_drops"), Some(0));
    assert_eq!(stat(&p, "rx_kicks"), Some(292));
    assert_eq!(stat(&p, "tx_kicks"), Some(2094));
    assert_eq!(stat(&p, "rx0_kicks"), Some(292));
    assert_eq!(stat(&p, "tx0_kicks"), Some(2094));
    assert_eq!(stat(&p, "tx0_tx_timeouts"), Some(0));
    assert_eq!(p.value.tool_error, None);
    assert_eq!(p.value.ifname, None);
}

#[test]
fn stats_real_veth_and_ifb() {
    let p = parse_stats(fixture!("ethtool", "S_real_veth_v0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.stats.len(), 10);
    assert_eq!(stat(&p, "peer_ifindex"), Some(2));
    assert_eq!(stat(&p, "rx_queue_0_drops"), Some(0));
    assert_eq!(stat(&p, "tx_queue_0_xdp_xmit_errors"), Some(0));

    let p = parse_stats(fixture!("ethtool", "S_real_ifb0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let keys: Vec<&str> = p.value.stats.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "rx_queue_0_bytes",
            "rx_queue_0_packets",
            "tx_queue_0_bytes",
            "tx_queue_0_packets"
        ]
    );
}

#[test]
fn stats_tool_errors_are_not_problems() {
    let p = parse_stats(fixture!("ethtool", "S_real_lo_no_stats.txt"));
    assert!(p.problems.is_empty());
    assert!(p.value.stats.is_empty());
    assert_eq!(p.value.tool_error.as_deref(), Some("no stats available"));

    let p = parse_stats(fixture!("ethtool", "S_real_missing_dev.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get stats strings information: No such device")
    );

    let p = parse_stats(fixture!("ethtool", "S_insights_cannot_get_strings.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get stats strings information: Operation not supported")
    );
}

#[test]
fn stats_misspelt_error_is_a_problem_not_a_tool_error() {
    // insights-core's fixture says `avilable`; ethtool never printed that.
    let p = parse_stats(fixture!("ethtool", "S_insights_no_stats_typo.txt"));
    assert_eq!(p.value.tool_error, None);
    assert!(p.value.stats.is_empty());
    assert_eq!(
        lines(&p.problems),
        [(1, Severity::Warning), (0, Severity::Error)]
    );
}

#[test]
fn stats_header_then_garbage() {
    let p = parse_stats(fixture!("ethtool", "S_insights_nothing_to_see.txt"));
    assert!(p.value.stats.is_empty());
    assert_eq!(lines(&p.problems), [(2, Severity::Warning)]);
}

#[test]
fn stats_standard_groups_header_only() {
    let p = parse_stats(fixture!(
        "ethtool",
        "S_real_virtio_standard_groups_empty.txt"
    ));
    assert!(p.problems.is_empty());
    assert!(p.value.stats.is_empty());
    assert_eq!(p.value.ifname.as_deref(), Some("eth0"));
}

#[test]
fn stats_standard_and_phy_sections() {
    let p = parse_stats(fixture!("ethtool", "S_public_standard_and_phy_netdev.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.ifname.as_deref(), Some("eth0"));
    assert_eq!(p.value.stats.len(), 21);
    assert_eq!(stat(&p, "eth-mac-FramesTransmittedOK"), Some(529));
    assert_eq!(stat(&p, "eth-mac-FramesReceivedOK"), Some(67));
    assert_eq!(stat(&p, "eth-mac-BroadcastFramesReceivedOK"), Some(1));
    assert_eq!(stat(&p, "rx-rmon-etherStatsPkts64to64Octets"), Some(3));
    assert_eq!(stat(&p, "tx-rmon-etherStatsPkts256to511Octets"), Some(113));
    // PHY statistics are indented, the standard stats before them are not: the header
    // resets nesting, so these are plain names.
    assert_eq!(stat(&p, "sgmii_rx_bad_frames"), Some(176));
    assert_eq!(stat(&p, "sgmii_tx_line_collisions"), Some(1));
}

#[test]
fn stats_igb_four_space_indent() {
    let p = parse_stats(fixture!("ethtool", "S_insights_igb.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.stats.len(), 82);
    assert_eq!(stat(&p, "rx_packets"), Some(912398));
    assert_eq!(stat(&p, "rx_no_buffer_count"), Some(0));
    assert_eq!(stat(&p, "rx_long_byte_count"), Some(96506134));
    assert_eq!(stat(&p, "tx_queue_1_bytes"), Some(181899495));
    assert_eq!(stat(&p, "tx_queue_3_packets"), Some(29357));
    assert_eq!(stat(&p, "rx_queue_3_alloc_failed"), Some(0));
}

#[test]
fn stats_seed_grep_line_without_header() {
    let p = parse_stats(fixture!("ethtool", "S_seed001_igb_grep_line.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(stat(&p, "rx_no_buffer_count"), Some(220474));
    assert_eq!(p.value.stats.len(), 1);
}

#[test]
fn stats_tg3_and_knowledge_literal() {
    let p = parse_stats(fixture!("ethtool", "S_insights_tg3_docs.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(p.value.stats.len(), 13);
    assert_eq!(stat(&p, "rx_octets"), Some(808488730));
    assert_eq!(stat(&p, "rx_bcast_packets"), Some(9921));

    // `  NIC statistics:` is indented by the rst code block; still a header.
    let p = parse_stats(fixture!("ethtool", "S_knowledge_6_1_statistics_rst.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(stat(&p, "tx_single_collisions"), Some(0));
    assert_eq!(stat(&p, "tx_multi_collisions"), Some(0));
}

#[test]
fn stats_names_with_colons_split_at_last_separator() {
    let p = parse_stats(fixture!("ethtool", "S_insights_be2net_rxq.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(stat(&p, "rxq0: rx_pkts"), Some(5000000));
    assert_eq!(stat(&p, "rxq0: rx_drops_no_frags"), Some(5000));
    assert_eq!(stat(&p, "rxq1: rx_drops_no_frags"), Some(5000));
    assert_eq!(p.value.stats.len(), 4);

    let p = parse_stats(fixture!("ethtool", "S_public_bnxt_kuba_patch.txt"));
    assert_eq!(p.value.stats.len(), 9);
    assert_eq!(stat(&p, "[0]: rx_ucast_packets"), Some(1418));
    assert_eq!(stat(&p, "[0]: rx_mcast_packets"), Some(178));
    assert_eq!(stat(&p, "[0]: rx_discards"), Some(0));
    assert_eq!(stat(&p, "[0]: rx_mcast_bytes"), Some(16766));
    assert_eq!(stat(&p, "[0]: tx_ucast_packets"), Some(1734));
    // The patch author elided the rest with `...` (line 11).
    assert_eq!(lines(&p.problems), [(11, Severity::Warning)]);
}

#[test]
fn stats_mlx5() {
    let p = parse_stats(fixture!("ethtool", "S_public_mlx5_bpf_list.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.stats.len(), 108);
    assert_eq!(stat(&p, "rx_out_of_buffer"), Some(534918379));
    assert_eq!(stat(&p, "rx_discards_phy"), Some(441063206498));
    assert_eq!(stat(&p, "rx_buffer_passed_thres_phy"), Some(1192226));
    assert_eq!(stat(&p, "rx_vport_unicast_bytes"), Some(18381712744116));
    assert_eq!(stat(&p, "rx_prio0_discards"), Some(441063206498));
    assert_eq!(stat(&p, "rx0_buff_alloc_err"), Some(0));
    assert_eq!(stat(&p, "rx0_xdp_tx_cqes"), Some(733694572));
}

#[test]
fn stats_hv_netvsc_commit_examples_with_elisions() {
    let p = parse_stats(fixture!(
        "ethtool",
        "S_public_hv_netvsc_perchannel_commit.txt"
    ));
    assert_eq!(p.value.stats.len(), 8);
    assert_eq!(stat(&p, "tx_queue_0_packets"), Some(3523179));
    assert_eq!(stat(&p, "rx_queue_0_bytes"), Some(62714661254));
    assert_eq!(stat(&p, "rx_queue_1_packets"), Some(0));
    assert_eq!(
        lines(&p.problems),
        [(2, Severity::Warning), (11, Severity::Warning)]
    );

    // Tab-indented.
    let p = parse_stats(fixture!(
        "ethtool",
        "S_public_hv_netvsc_stopqueue_commit.txt"
    ));
    assert_eq!(stat(&p, "stop_queue"), Some(7));
    assert_eq!(stat(&p, "wake_queue"), Some(7));
    assert_eq!(p.value.stats.len(), 2);
    assert_eq!(
        lines(&p.problems),
        [(2, Severity::Warning), (5, Severity::Warning)]
    );
}

#[test]
fn stats_vmxnet3_queue_sections() {
    let p = parse_stats(fixture!("ethtool", "S_public_vmxnet3_2daygeek.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    // 2 Tx queues × 19 counters, 2 Rx queues × 14 counters, `tx timeout count`.
    assert_eq!(p.value.stats.len(), 67);
    assert_eq!(stat(&p, "Tx Queue#0/TSO pkts tx"), Some(2053));
    assert_eq!(stat(&p, "Tx Queue#0/ucast pkts tx"), Some(4028081));
    assert_eq!(stat(&p, "Tx Queue#1/ucast pkts tx"), Some(3711838));
    assert_eq!(stat(&p, "Tx Queue#1/bcast pkts tx"), Some(1186));
    assert_eq!(stat(&p, "Tx Queue#1/drv dropped tx total"), Some(0));
    // `giant hdr` twice per Tx queue: once under `drv dropped tx total`, once at queue level.
    assert_eq!(
        stat(&p, "Tx Queue#0/drv dropped tx total/giant hdr"),
        Some(0)
    );
    assert_eq!(stat(&p, "Tx Queue#0/giant hdr"), Some(0));
    assert_eq!(stat(&p, "Tx Queue#1/ring full"), Some(0));
    assert_eq!(stat(&p, "Rx Queue#0/ucast pkts rx"), Some(5084776));
    assert_eq!(stat(&p, "Rx Queue#0/ucast bytes rx"), Some(4673133395));
    assert_eq!(stat(&p, "Rx Queue#1/ucast pkts rx"), Some(6346769));
    assert_eq!(stat(&p, "Rx Queue#1/bcast bytes rx"), Some(714646));
    assert_eq!(stat(&p, "Rx Queue#0/pkts rx OOB"), Some(0));
    assert_eq!(stat(&p, "Rx Queue#1/drv dropped rx total/err"), Some(0));
    assert_eq!(stat(&p, "Rx Queue#1/drv dropped rx total/fcs"), Some(0));
    assert_eq!(stat(&p, "Rx Queue#1/rx buf alloc fail"), Some(0));
    assert_eq!(stat(&p, "tx timeout count"), Some(0));
    // Queue headers are sections, not counters; no unqualified per-queue names leak out.
    assert_eq!(stat(&p, "Tx Queue#"), None);
    assert_eq!(stat(&p, "ucast pkts rx"), None);
    assert_eq!(stat(&p, "err"), None);
}

#[test]
fn stats_vmxnet3_shrunk_indentation_gives_same_keys() {
    // Constructed: a vmxnet3 block re-indented as a web paste would (0/2/5 columns).
    let text = "Rx Queue#: 7\n  ucast pkts rx: 235905170\n  pkts rx OOB: 12\n  drv dropped rx total: 3\n     err: 1\n     fcs: 2\n  rx buf alloc fail: 0\ntx timeout count: 0\n";
    let p = parse_stats(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(stat(&p, "Rx Queue#7/ucast pkts rx"), Some(235905170));
    assert_eq!(stat(&p, "Rx Queue#7/pkts rx OOB"), Some(12));
    assert_eq!(stat(&p, "Rx Queue#7/drv dropped rx total"), Some(3));
    assert_eq!(stat(&p, "Rx Queue#7/drv dropped rx total/err"), Some(1));
    assert_eq!(stat(&p, "Rx Queue#7/drv dropped rx total/fcs"), Some(2));
    assert_eq!(stat(&p, "Rx Queue#7/rx buf alloc fail"), Some(0));
    assert_eq!(stat(&p, "tx timeout count"), Some(0));
    assert_eq!(p.value.stats.len(), 7);
}

#[test]
fn stats_duplicates_keep_first_and_are_reported() {
    // Constructed.
    let p = parse_stats("NIC statistics:\n     rx_drops: 1\n     rx_drops: 2\n");
    assert_eq!(stat(&p, "rx_drops"), Some(1));
    assert_eq!(lines(&p.problems), [(3, Severity::Warning)]);
    assert!(p.problems[0].message.contains("line 2"));

    // Constructed: the same vmxnet3 queue printed twice.
    let p = parse_stats(
        "     Rx Queue#: 0\n       pkts rx OOB: 5\n     Rx Queue#: 0\n       pkts rx OOB: 9\n",
    );
    assert_eq!(stat(&p, "Rx Queue#0/pkts rx OOB"), Some(5));
    assert_eq!(lines(&p.problems), [(4, Severity::Warning)]);
}

#[test]
fn stats_bad_values_are_problems() {
    // Constructed.
    let text = "NIC statistics:\n     a: n/a\n     b: -1\n     c: 18446744073709551616\n     d:5\n     e: 18446744073709551615\n";
    let p = parse_stats(text);
    assert_eq!(stat(&p, "e"), Some(u64::MAX));
    assert_eq!(p.value.stats.len(), 1);
    assert_eq!(
        lines(&p.problems),
        [
            (2, Severity::Warning),
            (3, Severity::Warning),
            (4, Severity::Warning),
            (5, Severity::Warning)
        ]
    );
    assert!(p.problems[2].message.contains("64 bits"));
}

#[test]
fn stats_empty_text() {
    assert_eq!(parse_stats(""), Parsed::clean(EthtoolStats::default()));
    assert_eq!(
        parse_stats("\n \n\t\n"),
        Parsed::clean(EthtoolStats::default())
    );
}

// ---------------------------------------------------------------------------------------
// ethtool -g
// ---------------------------------------------------------------------------------------

#[test]
fn ring_real_netlink_virtio() {
    let p = parse_ring(fixture!("ethtool", "g_real_virtio_netlink_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = &p.value;
    assert_eq!(r.ifname.as_deref(), Some("eth0"));
    assert_eq!(
        (r.rx_max, r.rx_mini_max, r.rx_jumbo_max, r.tx_max),
        (Some(256), None, None, Some(256))
    );
    assert_eq!(
        (r.rx, r.rx_mini, r.rx_jumbo, r.tx),
        (Some(256), None, None, Some(256))
    );
    let extra: Vec<(&str, &str)> = r
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        extra,
        [
            ("current/CQE Size", "n/a"),
            ("current/RX Buf Len", "n/a"),
            ("current/TCP data split", "n/a"),
            ("current/TX Push", "off"),
        ]
    );
    assert_eq!(r.tool_error, None);
}

#[test]
fn ring_real_ioctl_virtio_prints_zero_not_na() {
    let p = parse_ring(fixture!("ethtool", "g_real_virtio_ioctl_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = &p.value;
    assert_eq!(
        (r.rx_max, r.rx_mini_max, r.rx_jumbo_max, r.tx_max),
        (Some(256), Some(0), Some(0), Some(256))
    );
    assert_eq!(
        (r.rx, r.rx_mini, r.rx_jumbo, r.tx),
        (Some(256), Some(0), Some(0), Some(256))
    );
    assert!(r.extra.is_empty());
}

#[test]
fn ring_knowledge_samples() {
    let p = parse_ring(fixture!("ethtool", "g_knowledge_7_1_ioctl_constructed.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = &p.value;
    assert_eq!(
        (r.rx_max, r.rx_mini_max, r.rx_jumbo_max, r.tx_max),
        (Some(4096), Some(0), Some(0), Some(4096))
    );
    assert_eq!(
        (r.rx, r.rx_mini, r.rx_jumbo, r.tx),
        (Some(512), Some(0), Some(0), Some(512))
    );

    let p = parse_ring(fixture!(
        "ethtool",
        "g_knowledge_7_2_netlink_constructed.txt"
    ));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = &p.value;
    assert_eq!(
        (r.rx_max, r.rx_mini_max, r.rx_jumbo_max, r.tx_max),
        (Some(4096), None, None, Some(4096))
    );
    assert_eq!(
        (r.rx, r.rx_mini, r.rx_jumbo, r.tx),
        (Some(1024), None, None, Some(1024))
    );
    assert_eq!(r.extra.len(), 7);
    assert_eq!(
        r.extra.get("max/TX push buff len").map(String::as_str),
        Some("n/a")
    );
    assert_eq!(
        r.extra.get("current/TX push buff len").map(String::as_str),
        Some("n/a")
    );
    assert_eq!(
        r.extra.get("current/TX Push").map(String::as_str),
        Some("off")
    );
    assert_eq!(
        r.extra.get("current/RX Push").map(String::as_str),
        Some("off")
    );
    assert_eq!(
        r.extra.get("current/TCP data split").map(String::as_str),
        Some("n/a")
    );
}

#[test]
fn ring_seed_before_and_after_single_space() {
    let before = parse_ring(fixture!("ethtool", "g_seed003_before.txt"));
    assert!(before.problems.is_empty(), "{:?}", before.problems);
    assert_eq!(
        (before.value.rx_max, before.value.tx_max),
        (Some(4096), Some(4096))
    );
    assert_eq!((before.value.rx, before.value.tx), (Some(256), Some(256)));
    assert_eq!(before.value.rx_jumbo, Some(0));

    let after = parse_ring(fixture!("ethtool", "g_seed003_after.txt"));
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert_eq!((after.value.rx, after.value.tx), (Some(4096), Some(4096)));
}

#[test]
fn ring_insights_spaces_and_blank_line() {
    let p = parse_ring(fixture!("ethtool", "g_insights_spaces_eth2.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let r = &p.value;
    assert_eq!(r.ifname.as_deref(), Some("eth2"));
    assert_eq!(
        (r.rx_max, r.rx_mini_max, r.rx_jumbo_max, r.tx_max),
        (Some(2047), Some(0), Some(0), Some(511))
    );
    assert_eq!(
        (r.rx, r.rx_mini, r.rx_jumbo, r.tx),
        (Some(200), Some(0), Some(0), Some(511))
    );
}

#[test]
fn ring_errors() {
    let p = parse_ring(fixture!("ethtool", "g_real_lo_netlink_error.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("netlink error: Operation not supported")
    );
    assert_eq!(p.value.ifname, None);

    // stderr lands before the heading in a merged capture.
    let p = parse_ring(fixture!("ethtool", "g_real_lo_ioctl_error.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get device ring settings: Operation not supported")
    );
    assert_eq!(p.value.ifname.as_deref(), Some("lo"));
    assert_eq!(p.value.rx_max, None);

    let p = parse_ring(fixture!("ethtool", "g_insights_bond_vlan_error.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(p.value.ifname.as_deref(), Some("bond0.102@bond0"));
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get device ring settings: No such device")
    );

    let p = parse_ring(fixture!("ethtool", "g_insights_bad_args.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("ethtool: bad command line argument(s)\nFor more information run ethtool -h")
    );
}

#[test]
fn ring_constructed_problems_and_hds() {
    // Constructed: HDS thresh (newer ethtool), a setting before any section, a bad size,
    // a duplicate, and a line that is no setting.
    let text = "Ring parameters for eth0:\nRX:\t\t1\nPre-set maximums:\nRX:\t\t\t4096\nHDS thresh:\t\t1024\nCurrent hardware settings:\nRX:\t\t\tlots\nTX:\t\t\t512\nTX:\t\t\t999\nHDS thresh:\t\t0\nbogus\n";
    let p = parse_ring(text);
    let r = &p.value;
    assert_eq!(r.rx_max, Some(4096));
    assert_eq!(r.rx, None);
    assert_eq!(r.tx, Some(512));
    assert_eq!(
        r.extra.get("max/HDS thresh").map(String::as_str),
        Some("1024")
    );
    assert_eq!(
        r.extra.get("current/HDS thresh").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        lines(&p.problems),
        [
            (2, Severity::Warning),
            (7, Severity::Warning),
            (9, Severity::Warning),
            (11, Severity::Warning)
        ]
    );
}

#[test]
fn ring_garbage_only_is_an_error() {
    let p = parse_ring("hello\nworld\n");
    assert_eq!(
        lines(&p.problems),
        [
            (1, Severity::Warning),
            (2, Severity::Warning),
            (0, Severity::Error)
        ]
    );
    assert_eq!(parse_ring(""), Parsed::clean(RingParams::default()));
}

// ---------------------------------------------------------------------------------------
// ethtool -l
// ---------------------------------------------------------------------------------------

fn set(c: &ChannelSet) -> (Option<u64>, Option<u64>, Option<u64>, Option<u64>) {
    (c.rx, c.tx, c.other, c.combined)
}

#[test]
fn channels_real_netlink_and_ioctl() {
    let p = parse_channels(fixture!("ethtool", "l_real_virtio_netlink_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.ifname.as_deref(), Some("eth0"));
    assert_eq!(set(&p.value.max), (None, None, None, Some(1)));
    assert_eq!(set(&p.value.current), (None, None, None, Some(1)));

    let p = parse_channels(fixture!("ethtool", "l_real_virtio_ioctl_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(set(&p.value.max), (Some(0), Some(0), Some(0), Some(1)));
    assert_eq!(set(&p.value.current), (Some(0), Some(0), Some(0), Some(1)));

    let p = parse_channels(fixture!("ethtool", "l_real_veth_netlink_v0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.ifname.as_deref(), Some("v0"));
    assert_eq!(set(&p.value.max), (Some(2), Some(2), None, None));
    assert_eq!(set(&p.value.current), (Some(1), Some(1), None, None));

    let p = parse_channels(fixture!("ethtool", "l_real_veth_ioctl_v0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(set(&p.value.max), (Some(2), Some(2), Some(0), Some(0)));
    assert_eq!(set(&p.value.current), (Some(1), Some(1), Some(0), Some(0)));

    let p = parse_channels(fixture!("ethtool", "l_real_tap_netlink_tap0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(set(&p.value.max), (None, None, None, Some(1)));
    assert_eq!(set(&p.value.current), (None, None, None, Some(0)));
}

#[test]
fn channels_knowledge_sample() {
    let p = parse_channels(fixture!("ethtool", "l_knowledge_7_3_netlink.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(set(&p.value.max), (None, None, Some(1), Some(63)));
    assert_eq!(set(&p.value.current), (None, None, Some(1), Some(8)));
}

#[test]
fn channels_errors() {
    let p = parse_channels(fixture!("ethtool", "l_real_bridge_ioctl_error_br0.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(p.value.ifname.as_deref(), Some("br0"));
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get device channel parameters: Operation not supported")
    );
    assert_eq!(set(&p.value.max), (None, None, None, None));

    let p = parse_channels(fixture!("ethtool", "l_real_lo_netlink_error.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("netlink error: Operation not supported")
    );
}

#[test]
fn channels_unknown_label_is_a_problem() {
    // Constructed.
    let p = parse_channels(
        "Channel parameters for eth0:\nPre-set maximums:\nCombined:\t8\nQueues:\t\t4\n",
    );
    assert_eq!(p.value.max.combined, Some(8));
    assert_eq!(lines(&p.problems), [(4, Severity::Warning)]);
    assert_eq!(parse_channels(" \n"), Parsed::clean(Channels::default()));
}

// ---------------------------------------------------------------------------------------
// ethtool -i
// ---------------------------------------------------------------------------------------

#[test]
fn info_real_virtio() {
    let p = parse_driver_info(fixture!("ethtool", "i_real_virtio_eth0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let d = &p.value;
    assert_eq!(d.driver.as_deref(), Some("virtio_net"));
    assert_eq!(d.version.as_deref(), Some("1.0.0"));
    assert_eq!(d.firmware_version, None);
    assert_eq!(d.expansion_rom_version, None);
    assert_eq!(d.bus_info.as_deref(), Some("0000:00:03.0"));
    assert_eq!(d.supports_statistics, Some(true));
    assert_eq!(d.supports_test, Some(false));
    assert_eq!(d.supports_eeprom_access, Some(false));
    assert_eq!(d.supports_register_dump, Some(false));
    assert_eq!(d.supports_priv_flags, Some(false));
    assert_eq!(d.fields.len(), 10);
    assert_eq!(
        d.fields.get("firmware-version").map(String::as_str),
        Some("")
    );
    assert_eq!(
        d.fields.get("bus-info").map(String::as_str),
        Some("0000:00:03.0")
    );
}

#[test]
fn info_real_bridge_na_and_tap() {
    let p = parse_driver_info(fixture!("ethtool", "i_real_bridge_br0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let d = &p.value;
    assert_eq!(d.driver.as_deref(), Some("bridge"));
    assert_eq!(d.version.as_deref(), Some("2.3"));
    assert_eq!(d.firmware_version, None);
    assert_eq!(d.bus_info, None);
    assert_eq!(d.fields.get("bus-info").map(String::as_str), Some("N/A"));
    assert_eq!(d.supports_statistics, Some(false));

    let p = parse_driver_info(fixture!("ethtool", "i_real_tun_tap0.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.driver.as_deref(), Some("tun"));
    assert_eq!(p.value.version.as_deref(), Some("1.6"));
    assert_eq!(p.value.bus_info.as_deref(), Some("tap"));
}

#[test]
fn info_public_and_insights() {
    let p = parse_driver_info(fixture!("ethtool", "i_public_vmxnet3_2daygeek.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.driver.as_deref(), Some("vmxnet3"));
    assert_eq!(p.value.version.as_deref(), Some("1.4.16.0-k-NAPI"));
    assert_eq!(p.value.bus_info.as_deref(), Some("0000:0b:00.0"));
    assert_eq!(p.value.supports_register_dump, Some(true));
    assert_eq!(p.value.supports_test, Some(false));

    let p = parse_driver_info(fixture!("ethtool", "i_insights_virtio.txt"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.value.version.as_deref(), Some("1.0.0"));
    assert_eq!(p.value.firmware_version, None);
    assert_eq!(p.value.supports_statistics, Some(false));

    let p = parse_driver_info(fixture!("ethtool", "i_insights_missing_keys.txt"));
    assert_eq!(p.value.driver.as_deref(), Some("virtio_net"));
    assert_eq!(p.value.version, None);
    assert_eq!(lines(&p.problems), [(10, Severity::Warning)]);
}

#[test]
fn info_errors_and_bad_flags() {
    let p = parse_driver_info(fixture!("ethtool", "i_real_lo_error.txt"));
    assert!(p.problems.is_empty());
    assert_eq!(
        p.value.tool_error.as_deref(),
        Some("Cannot get driver information: Operation not supported")
    );
    assert!(p.value.fields.is_empty());

    // Constructed.
    let p = parse_driver_info("driver: igb\ndriver: e1000e\nsupports-test: maybe\n");
    assert_eq!(p.value.driver.as_deref(), Some("igb"));
    assert_eq!(p.value.supports_test, None);
    assert_eq!(
        lines(&p.problems),
        [(2, Severity::Warning), (3, Severity::Warning)]
    );
}

// ---------------------------------------------------------------------------------------
// Never panic
// ---------------------------------------------------------------------------------------

fn run_all(text: &str) {
    let _ = parse_stats(text);
    let _ = parse_ring(text);
    let _ = parse_channels(text);
    let _ = parse_driver_info(text);
}

/// The parser a fixture is for, from its file-name prefix.
fn own_parser(name: &str) -> fn(&str) {
    match name.split('_').next() {
        Some("S") => |t| drop(parse_stats(t)),
        Some("g") => |t| drop(parse_ring(t)),
        Some("l") => |t| drop(parse_channels(t)),
        _ => |t| drop(parse_driver_info(t)),
    }
}

#[test]
fn no_panic_on_every_prefix_of_every_fixture() {
    for (name, text) in &fixtures("ethtool") {
        let text = text.as_str();
        assert!(!text.is_empty(), "{name} is empty");
        let own = own_parser(name);
        // Truncated at every char boundary, by its own parser.
        for (i, _) in text.char_indices() {
            own(text.get(..i).unwrap_or_default());
        }
        // Every parser on the whole text and on every line-boundary prefix and suffix.
        run_all(text);
        for (i, c) in text.char_indices() {
            if c == '\n' {
                run_all(text.get(..i).unwrap_or_default());
                run_all(text.get(i + 1..).unwrap_or_default());
            }
        }
    }
}

#[test]
fn no_panic_on_garbage() {
    let garbage = [
        "",
        ":",
        ": ",
        "::",
        ": : :",
        "#: 1",
        "  #: x",
        "Tx Queue#: 99999999999999999999999",
        "Tx Queue#: 0\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\tx: 1\n y: 2",
        "\u{feff}NIC statistics:\n\u{a0}\u{a0}a: 1",
        "🙂: 1\n  🙂: 2\n    🙂: 3",
        "Standard stats for :",
        "Standard stats for ",
        "Ring parameters for :",
        "Pre-set maximums:\n:\t\t1\nRX:\t\t\u{0}",
        "Current hardware settings:\nRX\u{2003}:\u{2003}n/a",
        "driver:\ndriver\n-:-\n:yes",
        "\r\n\r\r\n",
        "NIC statistics:\n     a: 1\r\n     b: 2\r",
    ];
    for g in garbage {
        run_all(g);
    }
    // Deterministic pseudo-random text over an alphabet of the characters the grammars use.
    let alphabet: Vec<char> = "ab #:/\t\n 0123456789n/aRXTQueue\u{e9}\u{1f600}\r-"
        .chars()
        .collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..64 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let idx = usize::try_from(seed >> 33).unwrap_or(0) % alphabet.len();
            if let Some(c) = alphabet.get(idx) {
                s.push(*c);
            }
        }
        run_all(&s);
    }
}

#[test]
fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
    // Each parser over every capture, its own and the other three kinds.
    let all = fixtures("ethtool");
    never_panics(&all, parse_stats);
    never_panics(&all, parse_ring);
    never_panics(&all, parse_channels);
    never_panics(&all, parse_driver_info);
}
