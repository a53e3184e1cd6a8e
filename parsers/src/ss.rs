//! `ss` (iproute2): one socket per row, `[Netid] State Recv-Q Send-Q Local Peer [Process]
//! [details]`, as printed by `ss -lnt`, `ss -lunm`, `ss -tan`, `ss -nap` (supportconfig) and
//! `ss -peaonmi` / `ss -tupna` (sosreport).
//!
//! Layouts accepted:
//! - with or without the `Netid` column (`ss -t` / `ss -u` alone print none: the netid is then
//!   `None`, the caller knows it from the command); the header (`Netid State …` or `State
//!   Recv-Q …`, any spacing, with or without `Process`) is optional and may repeat;
//! - addresses as printed: `0.0.0.0:22`, `*:22`, `[::]:22`, old `:::22`, scoped
//!   `127.0.0.53%lo:53`, `[fe80::1%eth0]:546`; unix sockets (`u_str`, `u_dgr`, `u_seq`) print
//!   `PATH INODE` for each end, so their two ends take two columns each;
//! - `-p`: `users:(("named",pid=1234,fd=5),…)`, read into [`Socket::users`];
//! - `-m`: `skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)` on the row itself (netlink rows,
//!   `ss -O`) or on the next, indented line (`-m`, `-i`, `-e` details; older iproute2 lacks
//!   `bl` and `d`): every `name value` pair is kept in [`Socket::skmem`]; `d` is the socket's
//!   drop count (`sk_drops`), `rb` its receive buffer size;
//! - timers, `ino:`, `sk:`, `cgroup:`, TCP info and other details are ignored.
//!
//! For a LISTEN socket Recv-Q is the accept queue's length and Send-Q its limit (the backlog:
//! min(listen() backlog, net.core.somaxconn)); for the others they are bytes queued.
//!
//! Problems: a row whose queues are not counters or that has too few columns (skipped), a
//! detail line with no row before it, an `skmem` value that is not a `u64` (the pair is
//! skipped), a second `skmem` for one socket (the first is kept), any other line (`RTNETLINK
//! answers: …`). Rows that are all unreadable are an error on line 0; a header alone is an empty
//! table.
//!
//! ```
//! use parsers::ss;
//! let text = "\
//! State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
//! UNCONN 7680   0          127.0.0.1:15353      0.0.0.0:*    users:((\"python3\",pid=358,fd=26))
//! \t skmem:(r7680,rb8192,t0,tb212992,f512,w0,o0,bl0,d494)
//! ";
//! let s = &ss::parse(text).value[0];
//! assert_eq!((s.netid.as_deref(), s.state.as_str()), (None, "UNCONN"));
//! assert_eq!((s.recv_q, s.send_q, s.local.as_str(), s.port()), (7680, 0, "127.0.0.1:15353", Some(15353)));
//! assert_eq!((s.users[0].name.as_str(), s.users[0].pid), ("python3", Some(358)));
//! assert_eq!((s.drops(), s.rcvbuf()), (Some(494), Some(8192)));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::{clip, numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One process holding a socket, from `users:((…))`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketUser {
    pub name: String,
    pub pid: Option<u64>,
}

/// One socket row (with its detail line, if any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Socket {
    /// 1-based line of the row.
    pub line: usize,
    /// `tcp`, `udp`, `u_str`, `nl`, … when the Netid column was printed.
    pub netid: Option<String>,
    /// `LISTEN`, `UNCONN`, `ESTAB`, `TIME-WAIT`, …
    pub state: String,
    pub recv_q: u64,
    pub send_q: u64,
    /// As printed (`[::]:22`, `127.0.0.53%lo:53`; unix: `PATH INODE`).
    pub local: String,
    pub peer: String,
    /// Every process of `users:((…))`, in the order printed; empty without `-p`.
    pub users: Vec<SocketUser>,
    /// `skmem:(…)` pairs by name (`r`, `rb`, `t`, `tb`, `f`, `w`, `o`, `bl`, `d`); empty
    /// without `-m`.
    pub skmem: BTreeMap<String, u64>,
}

impl Socket {
    /// The local port: the digits after the last `:` (`None` for `*`, names, unix sockets).
    pub fn port(&self) -> Option<u16> {
        self.local.rsplit_once(':')?.1.parse().ok()
    }

    /// `skmem` `d`: packets the kernel dropped at this socket (`sk_drops`).
    pub fn drops(&self) -> Option<u64> {
        self.skmem.get("d").copied()
    }

    /// `skmem` `rb`: the receive buffer size in bytes.
    pub fn rcvbuf(&self) -> Option<u64> {
        self.skmem.get("rb").copied()
    }
}

/// The states `ss` prints (`sstate_name`), so that a row without a Netid column is told from
/// one with it.
const STATES: &[&str] = &[
    "UNKNOWN",
    "ESTAB",
    "SYN-SENT",
    "SYN-RECV",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "TIME-WAIT",
    "UNCONN",
    "CLOSE-WAIT",
    "LAST-ACK",
    "LISTEN",
    "CLOSING",
    "NEW-SYN-RECV",
    "BOUND-INACTIVE",
];

pub fn parse(text: &str) -> Parsed<Vec<Socket>> {
    let mut problems = Vec::new();
    let mut sockets: Vec<Socket> = Vec::new();
    // Whether the last row was read, so that its detail line belongs to it.
    let mut open = false;
    // A header alone is an empty table (`ss -lnt` on a host with no listener).
    let mut any_row = false;
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match sockets.last_mut().filter(|_| open) {
                Some(s) => read_details(no, line, s, &mut problems),
                None => problems.push(Problem::warning(
                    no,
                    format!("detail line with no socket row before it: {:?}", clip(line)),
                )),
            }
            continue;
        }
        open = false;
        if is_header(line) {
            continue;
        }
        any_row = true;
        match read_row(no, line) {
            Ok(mut s) => {
                read_details(no, line, &mut s, &mut problems);
                sockets.push(s);
                open = true;
            }
            Err(why) => problems.push(Problem::warning(no, format!("{why}: {:?}", clip(line)))),
        }
    }
    if any_row && sockets.is_empty() {
        problems.push(Problem::error(0, "no ss socket row found"));
    }
    Parsed::new(sockets, problems)
}

/// `Netid State Recv-Q …` or `State Recv-Q Send-Q …`.
fn is_header(line: &str) -> bool {
    let mut t = line.split_whitespace();
    match t.next() {
        Some("Netid") => t.next() == Some("State"),
        Some("State") => t.next() == Some("Recv-Q"),
        _ => false,
    }
}

/// A socket row without its details; `Err` says why it is not one.
fn read_row(no: usize, line: &str) -> Result<Socket, &'static str> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let (netid, rest) = match tokens.split_first() {
        Some((first, rest)) if !STATES.contains(first) => (Some(*first), rest),
        _ => (None, &tokens[..]),
    };
    let [state, recv_q, send_q, ends @ ..] = rest else {
        return Err("not an ss row (too few columns)");
    };
    if !STATES.contains(state) && !state.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        return Err("not an ss row (no socket state)");
    }
    let (Some(recv_q), Some(send_q)) = (token_u64(recv_q), token_u64(send_q)) else {
        return Err("Recv-Q / Send-Q are not counters; row skipped");
    };
    // Unix sockets print `PATH INODE` per end.
    let width = if netid.is_some_and(|n| n.starts_with("u_")) {
        2
    } else {
        1
    };
    if ends.len() < 2 * width {
        return Err("no local and peer address; row skipped");
    }
    Ok(Socket {
        line: no,
        netid: netid.map(str::to_string),
        state: (*state).to_string(),
        recv_q,
        send_q,
        local: ends[..width].join(" "),
        peer: ends[width..2 * width].join(" "),
        ..Socket::default()
    })
}

/// Reads `users:((…))` and `skmem:(…)` wherever they are on `line` (the row or its detail
/// line).
fn read_details(no: usize, line: &str, s: &mut Socket, problems: &mut Vec<Problem>) {
    if let Some(users) = section(line, "users:((", "))") {
        if s.users.is_empty() {
            s.users = read_users(users);
        }
    }
    let Some(skmem) = section(line, "skmem:(", ")") else {
        return;
    };
    if !s.skmem.is_empty() {
        problems.push(Problem::warning(
            no,
            "a second skmem for this socket; the first is kept",
        ));
        return;
    }
    for pair in skmem.split(',') {
        let split = pair
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(pair.len());
        let (name, value) = pair.split_at(split);
        match token_u64(value) {
            Some(v) if !name.is_empty() => {
                s.skmem.insert(name.to_string(), v);
            }
            _ => problems.push(Problem::warning(
                no,
                format!("skmem {pair:?} is not `name<counter>`; skipped"),
            )),
        }
    }
}

/// The text between `open` and the next `close` after it.
fn section<'a>(line: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = line.find(open)? + open.len();
    let len = line[start..].find(close)?;
    Some(&line[start..start + len])
}

/// `"named",pid=1234,fd=5),("x",pid=1,fd=2` → names and pids.
fn read_users(text: &str) -> Vec<SocketUser> {
    text.split("),(")
        .filter_map(|entry| {
            let entry = entry.trim_start_matches('(');
            let rest = entry.strip_prefix('"')?;
            let (name, fields) = rest.split_once('"')?;
            let pid = fields
                .split(',')
                .find_map(|f| f.strip_prefix("pid="))
                .and_then(token_u64);
            Some(SocketUser {
                name: name.to_string(),
                pid,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{
        assert_blank_is_clean_and_prose_is_an_error, fixture, fixtures, never_panics,
    };

    const LNT: &str = fixture!("ss", "sandbox-6.1-lnt.ss");
    const LNTP: &str = fixture!("ss", "sandbox-6.1-lntp.ss");
    const LUNM: &str = fixture!("ss", "sandbox-6.1-lunm.ss");
    const LUNMP: &str = fixture!("ss", "sandbox-6.1-lunmp.ss");
    const TUPEAONMI: &str = fixture!("ss", "sandbox-6.1-tupeaonmi-filtered.ss");
    const COREOS: &str = fixture!("ss", "coreos-master1-4.18-peaonmi.ss");
    const KUBE_PROXY: &str = fixture!("ss", "writeup-kube-proxy-nltp-overflow.ss");
    const EDGES: &str = fixture!("ss", "constructed-edge-cases.ss");

    fn row(s: &Socket) -> (Option<&str>, &str, u64, u64, &str, &str) {
        (
            s.netid.as_deref(),
            s.state.as_str(),
            s.recv_q,
            s.send_q,
            s.local.as_str(),
            s.peer.as_str(),
        )
    }

    #[test]
    fn lnt_without_netid_column_reads_accept_queue_and_backlog() {
        let p = parse(LNT);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let rows: Vec<_> = p.value.iter().map(row).collect();
        assert_eq!(
            rows,
            vec![
                (None, "LISTEN", 9, 8, "127.0.0.1:18080", "0.0.0.0:*"),
                (None, "LISTEN", 0, 128, "0.0.0.0:2024", "0.0.0.0:*"),
                (None, "LISTEN", 0, 4096, "*:18443", "*:*"),
            ]
        );
        assert_eq!(p.value[2].port(), Some(18443));
        assert!(p.value[0].users.is_empty());
    }

    #[test]
    fn lntp_names_the_process_and_a_row_without_one() {
        let s = parse(LNTP).value;
        assert_eq!(
            s[0].users,
            vec![SocketUser {
                name: "python3".into(),
                pid: Some(358)
            }]
        );
        assert!(s[1].users.is_empty());
        assert_eq!(s[2].users[0].pid, Some(358));
    }

    #[test]
    fn lunm_reads_skmem_from_the_next_line() {
        let p = parse(LUNM);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = &p.value;
        assert_eq!(s.len(), 4);
        assert_eq!(
            row(&s[0]),
            (None, "UNCONN", 7680, 0, "127.0.0.1:15353", "0.0.0.0:*")
        );
        assert_eq!((s[0].drops(), s[0].rcvbuf()), (Some(494), Some(8192)));
        assert_eq!(s[0].skmem.get("bl"), Some(&0));
        assert_eq!(s[0].skmem.len(), 9);
        assert_eq!(
            (s[2].local.as_str(), s[2].port()),
            ("[::1]:15354", Some(15354))
        );
        assert_eq!((s[2].drops(), s[2].recv_q), (Some(0), 2496));
        let with_p = parse(LUNMP).value;
        assert_eq!(with_p[0].users[0].name, "python3");
        assert_eq!(with_p[0].drops(), Some(494));
    }

    #[test]
    fn tupeaonmi_has_netid_and_listener_drops() {
        let p = parse(TUPEAONMI);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = &p.value;
        assert_eq!(
            row(&s[0]),
            (
                Some("udp"),
                "UNCONN",
                7680,
                0,
                "127.0.0.1:15353",
                "0.0.0.0:*"
            )
        );
        assert_eq!(s[0].drops(), Some(494));
        let listen = s
            .iter()
            .find(|x| x.state == "LISTEN" && x.port() == Some(18080))
            .unwrap();
        assert_eq!(
            (listen.recv_q, listen.send_q, listen.drops()),
            (9, 8, Some(77))
        );
        // the filter named local ports: 2 udp, 2 listeners, 9 accepted connections
        assert_eq!(s.len(), 13);
        assert_eq!(s.iter().filter(|x| x.state == "ESTAB").count(), 9);
    }

    #[test]
    fn coreos_peaonmi_every_family_and_the_etcd_listener_drops() {
        let p = parse(COREOS);
        assert!(
            p.problems.is_empty(),
            "{:?}",
            &p.problems[..p.problems.len().min(3)]
        );
        let s = &p.value;
        // 231 rows after the header; tcp/udp put skmem on their own line (62 of them).
        let count = |n: &str| s.iter().filter(|x| x.netid.as_deref() == Some(n)).count();
        assert_eq!(
            (count("nl"), count("u_str"), count("u_dgr"), count("u_seq")),
            (49, 69, 32, 8)
        );
        assert_eq!((count("tcp"), count("udp"), count("raw")), (28, 8, 1));
        // netlink: skmem on the row itself
        assert_eq!(s[5].skmem.get("r"), Some(&4352));
        let etcd: Vec<_> = s
            .iter()
            .filter(|x| x.drops().is_some_and(|d| d > 0))
            .collect();
        assert_eq!(etcd.len(), 2);
        assert_eq!(
            (etcd[0].local.as_str(), etcd[0].drops()),
            ("*:2379", Some(3))
        );
        assert_eq!(
            (etcd[1].local.as_str(), etcd[1].drops()),
            ("*:2380", Some(326))
        );
        assert_eq!(
            etcd[0].users[0],
            SocketUser {
                name: "etcd".into(),
                pid: Some(1472)
            }
        );
        let dhcp = s.iter().find(|x| x.local == "172.16.1.10%eth0:68").unwrap();
        assert_eq!((dhcp.port(), dhcp.rcvbuf()), (Some(68), Some(212_992)));
        let two_users = s
            .iter()
            .find(|x| x.local == "0.0.0.0:111" && x.netid.as_deref() == Some("udp"))
            .unwrap();
        assert_eq!(two_users.users.len(), 2);
        assert_eq!(
            two_users.users[1],
            SocketUser {
                name: "systemd".into(),
                pid: Some(1)
            }
        );
        let unix = s
            .iter()
            .find(|x| x.local == "/run/dbus/system_bus_socket 22971")
            .unwrap();
        assert_eq!(unix.peer, "* 22118");
    }

    #[test]
    fn old_format_ipv6_triple_colon_and_full_accept_queues() {
        let s = parse(KUBE_PROXY).value;
        assert_eq!(s.len(), 10);
        assert_eq!(row(&s[0]), (None, "LISTEN", 129, 128, ":::30720", ":::*"));
        assert_eq!(s[0].port(), Some(30720));
        assert_eq!(s.iter().filter(|x| x.recv_q > x.send_q).count(), 7);
        assert_eq!(s[4].recv_q, 3);
    }

    #[test]
    fn edge_cases_each_problem_on_its_line() {
        let p = parse(EDGES);
        let s = &p.value;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].local, "[fe80::1%eth0]:8443");
        assert_eq!(s[0].users.len(), 2);
        // skmem on the row wins over the one on the detail line
        assert_eq!(
            (s[1].local.as_str(), s[1].drops()),
            ("10.0.0.5%bond0:53", Some(9))
        );
        assert_eq!(s[1].users[0].pid, Some(1234));
        assert_eq!(
            (s[2].local.as_str(), s[2].peer.as_str()),
            ("/run/dbus/system_bus_socket 22971", "* 22118")
        );
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 4: second skmem; 5: queue not a counter; 6: orphan detail; 8: too few; 9: prose
        assert_eq!(lines, vec![4, 5, 6, 8, 9]);
    }

    #[test]
    fn skmem_value_overflow_is_skipped_with_a_warning() {
        let p = parse("UNCONN 0 0 *:1 *:*\n\t skmem:(r0,rb1,d18446744073709551616)\n");
        assert_eq!(p.value[0].skmem.len(), 2);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 2);
    }

    #[test]
    fn blank_is_clean_and_prose_is_an_error() {
        assert_blank_is_clean_and_prose_is_an_error(parse, "  \n\n");
        // A header alone is an empty table (no listener), not an error.
        let header = parse("State Recv-Q Send-Q Local Address:Port Peer Address:Port\n");
        assert_eq!(header, Parsed::clean(Vec::new()));
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("ss"), parse);
    }
}
