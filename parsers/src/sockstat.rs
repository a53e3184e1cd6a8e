//! `/proc/net/sockstat` and `/proc/net/sockstat6` (protocol-layers knowledge §5).
//!
//! Every line is `LABEL: name value name value …` (`sockets: used N`, `TCP: inuse N orphan N tw
//! N alloc N mem N`, `UDP: inuse N mem N`, `UDPLITE: inuse N`, `RAW: inuse N`, `FRAG: inuse N
//! memory N`; in `sockstat6` `TCP6:`, `UDP6:`, `UDPLITE6:`, `RAW6:`, `FRAG6:`). Pairs are read by
//! name, never by position, so any field order and fields added by later kernels (or labels such
//! as `MPTCP:`) are read; every pair is kept in [`Sockstat::lines`], and the ones rules need are
//! also copied to typed fields.
//!
//! Units: `TCP mem` and `UDP mem` are in **pages** (global, compare with the third value of
//! `net.ipv4.tcp_mem` / `udp_mem`, also pages); `FRAG memory` is in bytes; `inuse`, `orphan`,
//! `tw`, `alloc` are socket counts (`inuse` is per network namespace).
//!
//! Problems: a line without `LABEL:`, a name without a value, a value that is not a `u64`
//! (the pair is skipped, the rest of the line is kept), a label seen twice (the first wins for
//! the typed fields), an empty text (an error on line 0).
//!
//! ```
//! use parsers::sockstat;
//! let text = "\
//! sockets: used 172
//! TCP: inuse 13 orphan 0 tw 0 alloc 28 mem 7
//! UDP: inuse 5 mem 1
//! FRAG: inuse 0 memory 0
//! ";
//! let s = sockstat::parse(text).value;
//! assert_eq!(s.sockets_used, Some(172));
//! assert_eq!((s.tcp_inuse, s.tcp_orphan, s.tcp_tw, s.tcp_mem_pages), (Some(13), Some(0), Some(0), Some(7)));
//! assert_eq!(s.udp_mem_pages, Some(1));
//! assert_eq!(s.get("FRAG", "memory"), Some(0));
//! ```

use serde::Serialize;

use crate::text::{numbered_lines, token_u64};
use crate::{Parsed, Problem};

/// One `LABEL: name value …` line, every pair in the order printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SockstatLine {
    /// 1-based line number in the text.
    pub line: usize,
    /// The label without its colon: `sockets`, `TCP`, `UDP6`, …
    pub label: String,
    pub fields: Vec<(String, u64)>,
}

/// The file: typed copies of the values rules use, plus every line as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sockstat {
    /// `sockets: used`.
    pub sockets_used: Option<u64>,
    pub tcp_inuse: Option<u64>,
    pub tcp_orphan: Option<u64>,
    /// `TCP: tw` (sockets in TIME-WAIT).
    pub tcp_tw: Option<u64>,
    pub tcp_alloc: Option<u64>,
    /// `TCP: mem`, in pages (compare with `net.ipv4.tcp_mem`, pages).
    pub tcp_mem_pages: Option<u64>,
    pub udp_inuse: Option<u64>,
    /// `UDP: mem`, in pages (compare with `net.ipv4.udp_mem`, pages).
    pub udp_mem_pages: Option<u64>,
    pub udplite_inuse: Option<u64>,
    pub raw_inuse: Option<u64>,
    pub frag_inuse: Option<u64>,
    /// `FRAG: memory`, in bytes.
    pub frag_memory_bytes: Option<u64>,
    /// Every line read, so nothing is lost (IPv6 labels, fields added by later kernels).
    pub lines: Vec<SockstatLine>,
}

impl Sockstat {
    /// The value of `name` on the first line labelled `label` (`get("TCP6", "inuse")`).
    pub fn get(&self, label: &str, name: &str) -> Option<u64> {
        self.lines
            .iter()
            .find(|l| l.label == label)?
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// Fills the typed fields from [`Sockstat::lines`].
    fn fill_typed(&mut self) {
        self.sockets_used = self.get("sockets", "used");
        self.tcp_inuse = self.get("TCP", "inuse");
        self.tcp_orphan = self.get("TCP", "orphan");
        self.tcp_tw = self.get("TCP", "tw");
        self.tcp_alloc = self.get("TCP", "alloc");
        self.tcp_mem_pages = self.get("TCP", "mem");
        self.udp_inuse = self.get("UDP", "inuse");
        self.udp_mem_pages = self.get("UDP", "mem");
        self.udplite_inuse = self.get("UDPLITE", "inuse");
        self.raw_inuse = self.get("RAW", "inuse");
        self.frag_inuse = self.get("FRAG", "inuse");
        self.frag_memory_bytes = self.get("FRAG", "memory");
    }
}

pub fn parse(text: &str) -> Parsed<Sockstat> {
    let mut problems = Vec::new();
    let mut value = Sockstat::default();
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let Some(read) = read_line(no, line, &mut problems) else {
            continue;
        };
        if let Some(first) = value.lines.iter().find(|l| l.label == read.label) {
            problems.push(Problem::warning(
                no,
                format!(
                    "label {}: already on line {}; the first is used",
                    read.label, first.line
                ),
            ));
        }
        value.lines.push(read);
    }
    if value.lines.is_empty() {
        problems.push(Problem::error(
            0,
            "no sockstat line (`LABEL: name value …`) found",
        ));
    }
    value.fill_typed();
    Parsed::new(value, problems)
}

/// `LABEL: name value …`; `None` (with a problem) when the line has no label.
fn read_line(no: usize, line: &str, problems: &mut Vec<Problem>) -> Option<SockstatLine> {
    let Some((label, rest)) = line.split_once(':') else {
        problems.push(Problem::warning(
            no,
            format!("expected `LABEL: name value …`, found {line:?}"),
        ));
        return None;
    };
    let label = label.trim();
    if label.is_empty() || label.contains(char::is_whitespace) {
        problems.push(Problem::warning(
            no,
            format!("expected `LABEL: name value …`, found {line:?}"),
        ));
        return None;
    }
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    let mut fields = Vec::new();
    for pair in tokens.chunks(2) {
        match pair {
            [name, value] => match token_u64(value) {
                Some(v) => fields.push(((*name).to_string(), v)),
                None => problems.push(Problem::warning(
                    no,
                    format!("{label} {name}: {value:?} is not a counter; pair skipped"),
                )),
            },
            [name] => problems.push(Problem::warning(
                no,
                format!("{label} {name}: no value; skipped"),
            )),
            _ => {}
        }
    }
    Some(SockstatLine {
        line: no,
        label: label.to_string(),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture, fixtures, never_panics};

    const COREOS: &str = fixture!("sockstat", "coreos-master1-4.18.0-80.sockstat");
    const COREOS6: &str = fixture!("sockstat", "coreos-master1-4.18.0-80.sockstat6");
    const SANDBOX: &str = fixture!("sockstat", "sandbox-6.18.44.sockstat");
    const SANDBOX6: &str = fixture!("sockstat", "sandbox-6.18.44.sockstat6");
    const HOTSOS: &str = fixture!("sockstat", "constructed-hotsos-tcp-line.sockstat");
    const ODD: &str = fixture!("sockstat", "constructed-odd-order-and-malformed.sockstat");

    #[test]
    fn coreos_4_18_sockstat() {
        let p = parse(COREOS);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.sockets_used, Some(172));
        assert_eq!(
            (
                s.tcp_inuse,
                s.tcp_orphan,
                s.tcp_tw,
                s.tcp_alloc,
                s.tcp_mem_pages
            ),
            (Some(13), Some(0), Some(0), Some(28), Some(7))
        );
        assert_eq!((s.udp_inuse, s.udp_mem_pages), (Some(5), Some(1)));
        assert_eq!((s.udplite_inuse, s.raw_inuse), (Some(0), Some(0)));
        assert_eq!((s.frag_inuse, s.frag_memory_bytes), (Some(0), Some(0)));
        assert_eq!(s.get("TCP6", "inuse"), None);
        assert_eq!(s.lines.len(), 6);
    }

    #[test]
    fn coreos_sockstat6_only() {
        let p = parse(COREOS6);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.tcp_inuse, None);
        assert_eq!(s.get("TCP6", "inuse"), Some(15));
        assert_eq!(s.get("UDP6", "inuse"), Some(3));
        assert_eq!(s.get("RAW6", "inuse"), Some(1));
        assert_eq!(s.get("FRAG6", "memory"), Some(0));
        assert_eq!(s.lines.len(), 5);
    }

    #[test]
    fn sandbox_6_18() {
        let p = parse(SANDBOX);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let s = p.value;
        assert_eq!(s.sockets_used, Some(23));
        assert_eq!(
            (s.tcp_inuse, s.tcp_alloc, s.tcp_mem_pages),
            (Some(1), Some(1), Some(0))
        );
        let p6 = parse(SANDBOX6);
        assert!(p6.problems.is_empty());
        assert_eq!(p6.value.get("UDPLITE6", "inuse"), Some(0));
    }

    #[test]
    fn hotsos_tcp_line_in_pages() {
        let s = parse(HOTSOS).value;
        assert_eq!(s.tcp_mem_pages, Some(150_987));
        assert_eq!(
            (s.tcp_inuse, s.tcp_tw, s.tcp_alloc),
            (Some(22), Some(2), Some(58))
        );
    }

    #[test]
    fn odd_order_new_fields_and_malformed_lines() {
        let p = parse(ODD);
        let s = &p.value;
        // orphan printed before inuse; mem beyond u32; an unknown field kept
        assert_eq!(
            (s.tcp_inuse, s.tcp_orphan, s.tcp_tw),
            (Some(7), Some(3), Some(118))
        );
        assert_eq!(s.tcp_mem_pages, Some(4_294_967_296));
        assert_eq!(s.get("TCP", "newfield"), Some(5));
        // the first UDP line wins
        assert_eq!(s.udp_mem_pages, Some(17));
        assert_eq!(s.get("MPTCP", "inuse"), Some(1));
        assert_eq!(s.frag_inuse, Some(1));
        assert_eq!(s.frag_memory_bytes, None);
        let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
        // 4: duplicate UDP; 6: bad value + duplicate TCP; 7: no value; 8: no label
        assert_eq!(lines, vec![4, 6, 6, 7, 8]);
    }

    #[test]
    fn empty_text_is_an_error() {
        let p = parse("");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 0);
        assert_eq!(p.value, Sockstat::default());
    }

    #[test]
    fn never_panics_on_every_fixture_prefix_crlf_copy_and_random_bytes() {
        never_panics(&fixtures("sockstat"), parse);
    }
}
