//! Streams tar archives (plain, xz, gzip, bzip2, zstd) in one sequential pass.
//!
//! Every entry's name goes into the [`Vfs`]; bodies are read into memory only when
//! [`classify::keep_body`] wants them (capped at [`BODY_CAP`]); everything else is skipped by
//! the tar reader without being buffered. Nested archives of a `sos collect` bundle are
//! streamed recursively from inside the outer stream, never written to disk.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use regex::Regex;
use std::sync::OnceLock;

use super::vfs::{self, Node, Vfs};
use crate::classify;

/// Largest body kept for one entry; anything longer is cut and reported.
pub const BODY_CAP: u64 = 64 * 1024 * 1024;

/// How the bytes of an input are packed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Xz,
    Gzip,
    Bzip2,
    Zstd,
    /// Uncompressed; may or may not be a tar (checked after decompression).
    Plain,
}

pub fn sniff_packing(head: &[u8]) -> Packing {
    if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
        Packing::Xz
    } else if head.starts_with(&[0x1F, 0x8B]) {
        Packing::Gzip
    } else if head.starts_with(b"BZh") {
        Packing::Bzip2
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Packing::Zstd
    } else {
        Packing::Plain
    }
}

/// True when the first 512-byte block is a POSIX/GNU tar header (`ustar` magic at 257).
pub fn looks_like_tar(head: &[u8]) -> bool {
    head.len() >= 262 && &head[257..262] == b"ustar"
}

/// Wraps `reader` in the decompressor its first bytes call for.
pub fn decompress<'a>(reader: Box<dyn BufRead + 'a>) -> std::io::Result<Box<dyn Read + 'a>> {
    let mut reader = reader;
    let head = reader.fill_buf()?.to_vec();
    Ok(match sniff_packing(&head) {
        Packing::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
        Packing::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
        Packing::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(reader)),
        Packing::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader)?),
        Packing::Plain => Box::new(reader),
    })
}

/// A kept body and whether it was cut at [`BODY_CAP`].
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// What one pass over a tar stream produced.
#[derive(Debug, Default)]
pub struct Streamed {
    pub vfs: Vfs,
    pub bodies: HashMap<String, Body>,
    /// Archives found inside this one (`sos collect`), each already streamed.
    pub nested: Vec<(String, Streamed)>,
    pub entries: u64,
    /// The error that stopped the pass early (corrupt or truncated input).
    pub error: Option<String>,
    /// Non-fatal notes about single entries (path, message).
    pub notes: Vec<(String, String)>,
    /// Bodies of other small files, kept only while no archive-root marker has been seen:
    /// a tarball of capture logs has no root, and its files are read as loose captures.
    pub loose: Vec<(String, Body)>,
}

/// All wanted bodies of one archive together: beyond this, further wanted entries are
/// reported and skipped (a 74 KB archive can declare gigabytes of wanted files).
pub const TOTAL_BODY_CAP: usize = 512 * 1024 * 1024;
/// Entry names longer than this, or deeper, are reported and skipped (real archives stay far
/// below; indexing ancestors of absurd paths would cost quadratic memory).
const MAX_PATH_BYTES: usize = 4096;
const MAX_PATH_COMPONENTS: usize = 256;

/// Loose bodies kept per entry and in total, before any root marker is seen.
const LOOSE_ENTRY_CAP: u64 = 16 * 1024 * 1024;
const LOOSE_TOTAL_CAP: usize = 64 * 1024 * 1024;

/// Names under which a `sos collect` bundle (or a customer's tar of tarballs) ships a report.
fn nested_name() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    CELL.get_or_init(|| {
        Regex::new(r"(?:^|/)[^/]*\.(?:tar|tar\.xz|tar\.gz|tar\.bz2|tar\.zst|txz|tgz|tbz|tbz2)$")
            .expect("nested regex")
    })
}

/// Reads a whole tar stream (already decompressed).
pub fn stream_tar<R: Read>(reader: R, depth: usize) -> Streamed {
    let mut out = Streamed::default();
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            out.error = Some(format!("cannot read tar: {e}"));
            return out;
        }
    };
    let mut root_seen = false;
    let mut loose_total = 0usize;
    let mut kept_total = 0usize;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.error = Some(format!("archive is corrupt or truncated: {e}"));
                break;
            }
        };
        out.entries += 1;
        let path = match entry.path() {
            Ok(p) => vfs::normalize(&p.to_string_lossy()),
            Err(e) => {
                out.notes
                    .push((String::new(), format!("entry with unreadable name: {e}")));
                continue;
            }
        };
        if path.is_empty() {
            continue;
        }
        if path.len() > MAX_PATH_BYTES || path.matches('/').count() >= MAX_PATH_COMPONENTS {
            let shown: String = path.chars().take(120).collect();
            out.notes
                .push((shown, "entry name is too long or too deep; skipped".into()));
            continue;
        }
        if path.split('/').any(|c| c == "..") {
            out.notes
                .push((path, "entry name contains `..`; skipped".into()));
            continue;
        }
        if !root_seen && path.split('/').any(|c| classify::root_marker(c).is_some()) {
            root_seen = true;
            out.loose.clear();
        }
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            out.vfs.insert(&path, Node::Dir);
        } else if kind.is_symlink() {
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.vfs.insert(&path, Node::Symlink { target });
        } else if kind.is_hard_link() {
            // A hard link names its target by archive path; express it relative to the link.
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| vfs::normalize(&t.to_string_lossy()))
                .unwrap_or_default();
            let relative = relative_target(vfs::parent(&path), &target);
            out.vfs.insert(&path, Node::Symlink { target: relative });
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            let size = entry.header().size().unwrap_or(0);
            out.vfs.insert(&path, Node::File { size });
            if classify::keep_body(&path) {
                if kept_total >= TOTAL_BODY_CAP {
                    out.notes.push((
                        path,
                        format!(
                            "not read: wanted entries already hold {} MiB",
                            TOTAL_BODY_CAP >> 20
                        ),
                    ));
                    continue;
                }
                let (body, error) = read_partial(&mut entry, size);
                kept_total += body.bytes.len();
                if body.truncated && error.is_none() {
                    out.notes.push((
                        path.clone(),
                        format!(
                            "entry is larger than {} MiB; only the start was read",
                            BODY_CAP >> 20
                        ),
                    ));
                }
                out.bodies.insert(path.clone(), body);
                if let Some(e) = error {
                    out.error = Some(format!("archive is corrupt or truncated in {path}: {e}"));
                    break;
                }
            } else if !root_seen
                && size <= LOOSE_ENTRY_CAP
                && loose_total + size as usize <= LOOSE_TOTAL_CAP
                && !nested_name().is_match(&path)
            {
                match read_capped(&mut entry) {
                    Ok(body) => {
                        loose_total += body.bytes.len();
                        out.loose.push((path, body));
                    }
                    Err(e) => {
                        out.error = Some(format!("archive is corrupt or truncated in {path}: {e}"));
                        break;
                    }
                }
            } else if depth < 2 && nested_name().is_match(&path) {
                let mut buffered = BufReader::with_capacity(1 << 16, &mut entry);
                let inner = decompress(Box::new(&mut buffered)).map(|r| stream_tar(r, depth + 1));
                match inner {
                    Ok(inner) if inner.entries > 0 || inner.error.is_some() => {
                        out.nested.push((path, inner))
                    }
                    Ok(_) => {}
                    Err(e) => out
                        .notes
                        .push((path, format!("cannot open nested archive: {e}"))),
                }
            }
        }
    }
    out
}

/// Reads an entry's body up to [`BODY_CAP`]; the rest is left for the tar reader to skip.
pub fn read_capped<R: Read>(reader: &mut R) -> std::io::Result<Body> {
    let mut bytes = Vec::new();
    reader.take(BODY_CAP + 1).read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > BODY_CAP;
    bytes.truncate(BODY_CAP as usize);
    Ok(Body { bytes, truncated })
}

/// Reads an entry's body (capped) and keeps what was read even when the stream breaks or
/// ends before the size the header declared; such a body is marked truncated.
fn read_partial<R: Read>(reader: &mut R, declared: u64) -> (Body, Option<String>) {
    let mut bytes = Vec::new();
    let result = reader.take(BODY_CAP + 1).read_to_end(&mut bytes);
    let capped = bytes.len() as u64 > BODY_CAP;
    bytes.truncate(BODY_CAP as usize);
    let short = !capped && (bytes.len() as u64) < declared;
    let error = match result {
        Err(e) => Some(e.to_string()),
        Ok(_) if short => Some(format!(
            "entry ends after {} of {declared} bytes",
            bytes.len()
        )),
        Ok(_) => None,
    };
    let truncated = capped || error.is_some();
    (Body { bytes, truncated }, error)
}

/// The path from directory `from` to `to` (both archive paths), as `../` steps plus a tail.
fn relative_target(from: &str, to: &str) -> String {
    let a: Vec<&str> = from.split('/').filter(|c| !c.is_empty()).collect();
    let b: Vec<&str> = to.split('/').filter(|c| !c.is_empty()).collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = std::iter::repeat_n("..", a.len() - common).collect();
    parts.extend(&b[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_for_hard_links() {
        assert_eq!(relative_target("r/a", "r/c"), "../c");
        assert_eq!(relative_target("r", "r/a/b"), "a/b");
        assert_eq!(relative_target("", "x"), "x");
    }

    #[test]
    fn packing_by_magic() {
        assert_eq!(
            sniff_packing(&[0xFD, b'7', b'z', b'X', b'Z', 0, 1]),
            Packing::Xz
        );
        assert_eq!(sniff_packing(&[0x1F, 0x8B, 8]), Packing::Gzip);
        assert_eq!(sniff_packing(b"BZh91AY"), Packing::Bzip2);
        assert_eq!(sniff_packing(&[0x28, 0xB5, 0x2F, 0xFD]), Packing::Zstd);
        assert_eq!(sniff_packing(b"hello"), Packing::Plain);
        assert_eq!(sniff_packing(b""), Packing::Plain);
    }
}
