//! Telling a capture log (a loop of `date; ip -s -s link; …` written to one file) from a
//! single capture, by its first MiB. A log is not read here: [`super::Opened::log`] hands its
//! reader to the assemble stage (`assemble::stream`), which parses it while it is read.

use super::capture;
use super::classify::CaptureKind;
use super::sniff;

/// How much of a single file is read before choosing the path: larger files whose head is a
/// capture log are streamed.
pub const HEAD: usize = 1 << 20;

/// True when `head` (the first [`HEAD`] bytes of a file) is a log of several captures.
pub fn is_capture_log(head: &[u8], name: &str) -> bool {
    // Up to the last complete line.
    let end = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&head[..end]);
    let sniffed = sniff::sniff(&text, name);
    if sniffed == Some(CaptureKind::SupportconfigFile) {
        return false;
    }
    let log = capture::segment(&text);
    let single = log.dates == 0 && log.segments.len() <= 1;
    let one_capture = sniffed.is_some() && single;
    !log.segments.is_empty() && !one_capture
}
