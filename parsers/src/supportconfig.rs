//! Splits SUSE supportconfig `*.txt` files into sections.
//!
//! Every section starts with a 53-character header `#==[ Command ]====…#` (titles vary:
//! `Command`, `Configuration File`, `Log File`, `Note`, `Network namespace <ns>` …). For
//! `Command` and `Configuration File` sections the next line is `# <argv…>` or `# <path>`,
//! followed directly (no blank line) by the output. Output itself may contain `#` lines
//! (`nstat`'s `#kernel`), so only `#==[` headers split (knowledge: sos-layout.md §3.2).
//!
//! ```
//! use parsers::supportconfig::split;
//! let text = "\
//! #==[ Command ]======================================#
//! ## /sbin/sysctl net.core.netdev_max_backlog
//! net.core.netdev_max_backlog = 1000
//!
//! #==[ Configuration File ]===========================#
//! ## /etc/hostname
//! db01
//! ";
//! let sections = split(text);
//! assert_eq!(sections.len(), 2);
//! assert_eq!(sections[0].title, "Command");
//! assert_eq!(sections[0].command, Some("/sbin/sysctl net.core.netdev_max_backlog"));
//! assert_eq!(sections[0].body, "net.core.netdev_max_backlog = 1000");
//! assert_eq!(sections[0].body_first_line, 3);
//! assert_eq!((sections[1].header_line, sections[1].body), (5, "db01"));
//! ```

use serde::Serialize;

/// One section of a supportconfig file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section<'a> {
    /// Header title (`Command`, `Configuration File`, …).
    pub title: &'a str,
    /// 1-based line of the `#==[` header.
    pub header_line: usize,
    /// The `# …` line after the header, without `# ` (the command or file path).
    pub command: Option<&'a str>,
    /// The output that follows, trailing blank lines removed.
    pub body: &'a str,
    /// 1-based line number of the first body line.
    pub body_first_line: usize,
}

/// The header title when `line` is a `#==[ Title ]===#` header.
pub fn header_title(line: &str) -> Option<&str> {
    let rest = line.trim_end().strip_prefix("#==[ ")?;
    let close = rest.rfind(" ]")?;
    let (title, tail) = rest.split_at(close);
    let tail = &tail[2..];
    if tail.len() >= 2 && tail.ends_with('#') && tail[..tail.len() - 1].bytes().all(|b| b == b'=') {
        Some(title)
    } else {
        None
    }
}

/// Splits `text` into sections; text before the first header is not a section.
pub fn split(text: &str) -> Vec<Section<'_>> {
    // (line number, byte start, byte end without newline)
    let mut lines: Vec<(usize, usize, usize)> = Vec::new();
    let mut pos = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let mut end = pos + raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        end -= raw.len() - content.len();
        lines.push((i + 1, pos, end));
        pos += raw.len();
    }
    let line_text = |idx: usize| -> &str {
        let (_, s, e) = lines[idx];
        &text[s..e]
    };
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| header_title(line_text(i)).is_some())
        .collect();
    let mut sections = Vec::with_capacity(headers.len());
    for (n, &h) in headers.iter().enumerate() {
        let next = headers.get(n + 1).copied().unwrap_or(lines.len());
        let title = header_title(line_text(h)).unwrap_or("");
        let mut first = h + 1;
        let mut command = None;
        if first < next {
            if let Some(cmd) = line_text(first).strip_prefix('#') {
                command = Some(cmd.trim());
                first += 1;
            }
        }
        let mut last = next; // exclusive
        while last > first && line_text(last - 1).trim().is_empty() {
            last -= 1;
        }
        let (body, body_first_line) = if first < last {
            (&text[lines[first].1..lines[last - 1].2], lines[first].0)
        } else {
            ("", lines.get(first).map_or(lines.len() + 1, |l| l.0))
        };
        sections.push(Section {
            title,
            header_line: lines[h].0,
            command,
            body,
            body_first_line,
        });
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    // Constructed from the format strings of supportutils' `_log_cmd` and `conf_files`
    // (bin/supportconfig.rc, supportutils 3.2.14) as quoted in knowledge/sos-layout.md §3.2.
    const SAMPLE: &str = "\
#==[ Command ]======================================#
# /sbin/ip -stats link
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00

#==[ Configuration File ]===========================#
# /proc/net/softnet_stat
00029ba9 00000000 0000005b 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000


#==[ Command ]======================================#
# /usr/sbin/ethtool -S eth0
ERROR: Command not found or not executable

";

    #[test]
    fn splits_at_headers_and_names_commands() {
        let s = split(SAMPLE);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].title, "Command");
        assert_eq!(s[0].command, Some("/sbin/ip -stats link"));
        assert_eq!(s[0].header_line, 1);
        assert_eq!(s[0].body_first_line, 3);
        assert!(s[0].body.starts_with("1: lo:"));
        assert!(s[0].body.ends_with("brd 00:00:00:00:00:00"));
        assert_eq!(s[1].title, "Configuration File");
        assert_eq!(s[1].command, Some("/proc/net/softnet_stat"));
        assert_eq!(s[1].body_first_line, 8);
        assert_eq!(s[2].body, "ERROR: Command not found or not executable");
    }

    #[test]
    fn headers_need_the_closing_bar() {
        assert_eq!(header_title("#==[ Command ]======#"), Some("Command"));
        assert_eq!(
            header_title("#==[ Network namespace ns1 ]===#"),
            Some("Network namespace ns1")
        );
        assert_eq!(header_title("#==[ Command ]"), None);
        assert_eq!(header_title("# /sbin/ip"), None);
    }

    #[test]
    fn crlf_and_garbage_do_not_panic() {
        let crlf = SAMPLE.replace('\n', "\r\n");
        assert_eq!(split(&crlf).len(), 3);
        for end in 0..SAMPLE.len() {
            if SAMPLE.is_char_boundary(end) {
                let _ = split(&SAMPLE[..end]);
            }
        }
        let _ = split("#==[ x ]=#\n#");
    }
}
