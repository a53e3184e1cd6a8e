//! Streams tar archives (plain, xz, gzip, bzip2, zstd) in one sequential pass, and zip
//! archives entry by entry through their central directory.
//!
//! Every entry's name goes into the [`Vfs`]; bodies are read into memory only when
//! [`classify::keep_body`] wants them (capped at [`BODY_CAP`]); everything else is skipped by
//! the tar reader without being buffered. Nested archives of a `sos collect` bundle are
//! streamed recursively from inside the outer stream, never written to disk.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};

use regex::Regex;
use std::sync::OnceLock;

use parsers::kernel_log::KernelLog;
use parsers::Parsed;

use super::kernel_logs;
use super::vfs::{self, Node, Vfs};
use crate::ingest::classify;

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
    /// Kernel logs, scanned while they streamed (never kept as bodies), by physical path.
    pub logs: HashMap<String, Parsed<KernelLog>>,
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

/// A zip archive (`PK\x03\x04`: a local file header) is recognised by these first bytes.
pub fn looks_like_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// A zip needs random access (its index is at the end): one that cannot be read from a file
/// (standard input, or an entry of another archive) is held in memory up to this size.
pub const ZIP_MEMORY_CAP: u64 = 256 * 1024 * 1024;

/// Link targets longer than this are not link targets (a zip stores them as the entry body).
const MAX_LINK_TARGET: u64 = 4096;

/// The name of a nested archive without its archive suffixes (`proc.tar.gz` → `proc`): where
/// its entries would sit if it was made with `tar -C <parent> <name>`.
pub fn archive_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut stem = name;
    for ext in [
        ".gz", ".xz", ".bz2", ".zst", ".tgz", ".txz", ".tbz", ".tbz2", ".tar", ".zip",
    ] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
        }
    }
    stem
}

/// The per-entry guards and bookkeeping shared by tar and zip: names are checked (length,
/// depth, `..`), every name goes into the [`Vfs`], wanted bodies are kept (capped), other
/// small files are kept as loose captures while no root is seen, and nested archives are
/// streamed.
struct Collector {
    out: Streamed,
    depth: usize,
    /// For a nested archive: its stem, tried as a prefix when deciding which bodies to keep
    /// (`proc.tar.gz` holding `net/dev` is `proc/net/dev` of the host around it).
    alias: Option<String>,
    root_seen: bool,
    loose_total: usize,
    kept_total: usize,
}

impl Collector {
    fn new(depth: usize, alias: Option<String>) -> Self {
        Collector {
            out: Streamed::default(),
            depth,
            alias,
            root_seen: false,
            loose_total: 0,
            kept_total: 0,
        }
    }

    fn note(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.out.notes.push((path.into(), message.into()));
    }

    /// The normalised entry name, or `None` (with a note) when the entry must be skipped.
    fn checked_path(&mut self, raw: &str) -> Option<String> {
        self.out.entries += 1;
        let path = vfs::normalize(raw);
        if path.is_empty() {
            return None;
        }
        if path.len() > MAX_PATH_BYTES || path.matches('/').count() >= MAX_PATH_COMPONENTS {
            let shown: String = path.chars().take(120).collect();
            self.note(shown, "entry name is too long or too deep; skipped");
            return None;
        }
        if path.split('/').any(|c| c == "..") {
            self.note(path, "entry name contains `..`; skipped");
            return None;
        }
        if !self.root_seen && path.split('/').any(|c| classify::root_marker(c).is_some()) {
            self.root_seen = true;
            self.out.loose.clear();
        }
        Some(path)
    }

    fn wanted(&self, path: &str) -> bool {
        classify::keep_body(path)
            || self
                .alias
                .as_deref()
                .is_some_and(|a| classify::keep_body(&vfs::join(a, path)))
    }

    /// Records a regular file and reads what is wanted of it. An error that breaks the
    /// stream is returned (the entry's path is in it).
    fn file<R: Read>(&mut self, path: String, size: u64, entry: &mut R) -> Result<(), String> {
        self.out.vfs.insert(&path, Node::File { size });
        if kernel_logs::is_kernel_log(&path) {
            let (log, error) = kernel_logs::scan(entry);
            self.out.logs.insert(path.clone(), log);
            return broken(&path, error);
        }
        if self.wanted(&path) {
            return self.keep(path, size, entry);
        }
        // The first bytes tell a zip inside the archive (never its name). A whole block is
        // taken, so that the compression magic of a nested tarball is seen in one piece.
        let mut head = Vec::with_capacity(512);
        if let Err(e) = entry.take(512).read_to_end(&mut head) {
            return Err(format!("corrupt or truncated in {path}: {e}"));
        }
        let mut entry = Cursor::new(head.clone()).chain(entry);
        if looks_like_zip(&head) {
            if self.depth < 2 {
                self.nested_zip(path, size, &mut entry)?;
            }
        } else if !self.root_seen
            && size <= LOOSE_ENTRY_CAP
            && self.loose_total + size as usize <= LOOSE_TOTAL_CAP
            && !nested_name().is_match(&path)
        {
            let body = read_capped(&mut entry)
                .map_err(|e| format!("corrupt or truncated in {path}: {e}"))?;
            self.loose_total += body.bytes.len();
            self.out.loose.push((path, body));
        } else if self.depth < 2 && nested_name().is_match(&path) {
            let mut buffered = BufReader::with_capacity(1 << 16, &mut entry);
            let alias = Some(archive_stem(&path).to_string());
            let inner = decompress(Box::new(&mut buffered))
                .map(|r| stream_tar_as(r, self.depth + 1, alias));
            match inner {
                Ok(inner) if inner.entries > 0 || inner.error.is_some() => {
                    self.out.nested.push((path, inner))
                }
                Ok(_) => {}
                Err(e) => self.note(path, format!("cannot open nested archive: {e}")),
            }
        }
        Ok(())
    }

    /// Keeps a wanted body (capped per entry and in total).
    fn keep<R: Read>(&mut self, path: String, size: u64, entry: &mut R) -> Result<(), String> {
        if self.kept_total >= TOTAL_BODY_CAP {
            let why = format!(
                "not read: wanted entries already hold {} MiB",
                TOTAL_BODY_CAP >> 20
            );
            self.note(path, why);
            return Ok(());
        }
        let (body, error) = read_partial(entry, size);
        self.kept_total += body.bytes.len();
        if body.truncated && error.is_none() {
            let why = format!(
                "entry is larger than {} MiB; only the start was read",
                BODY_CAP >> 20
            );
            self.note(path.clone(), why);
        }
        self.out.bodies.insert(path.clone(), body);
        broken(&path, error)
    }

    /// A zip inside another archive: held in memory (up to [`ZIP_MEMORY_CAP`]) for its index.
    fn nested_zip<R: Read>(
        &mut self,
        path: String,
        size: u64,
        entry: &mut R,
    ) -> Result<(), String> {
        if size > ZIP_MEMORY_CAP {
            self.note(
                path,
                format!(
                    "nested zip archive of {} MiB is larger than {} MiB and was not read: extract it and pass its path",
                    size >> 20,
                    ZIP_MEMORY_CAP >> 20
                ),
            );
            return Ok(());
        }
        let mut bytes = Vec::new();
        entry
            .take(ZIP_MEMORY_CAP + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("corrupt or truncated in {path}: {e}"))?;
        if bytes.len() as u64 > ZIP_MEMORY_CAP {
            self.note(
                path,
                format!(
                    "nested zip archive is larger than {} MiB and was not read: extract it and pass its path",
                    ZIP_MEMORY_CAP >> 20
                ),
            );
            return Ok(());
        }
        let alias = Some(archive_stem(&path).to_string());
        let inner = stream_zip_as(Cursor::new(bytes), self.depth + 1, alias);
        if inner.entries > 0 || inner.error.is_some() {
            self.out.nested.push((path, inner));
        }
        Ok(())
    }
}

/// The error of an entry whose read failed: the stream is broken from there.
fn broken(path: &str, error: Option<impl std::fmt::Display>) -> Result<(), String> {
    match error {
        Some(e) => Err(format!("corrupt or truncated in {path}: {e}")),
        None => Ok(()),
    }
}

/// An archive file found inside an extracted sosreport directory (`proc.tar.gz`): a zip or a
/// tarball, read like one nested in a tar (its stem tried as a prefix for wanted bodies).
pub fn stream_nested_file(file: std::fs::File, path: &str) -> Streamed {
    let alias = Some(archive_stem(path).to_string());
    let mut reader = BufReader::with_capacity(1 << 16, file);
    match reader.fill_buf() {
        Ok(head) if looks_like_zip(head) => stream_zip_as(reader, 1, alias),
        Ok(_) => match decompress(Box::new(reader)) {
            Ok(r) => stream_tar_as(r, 1, alias),
            Err(e) => Streamed {
                error: Some(format!("cannot decompress: {e}")),
                ..Streamed::default()
            },
        },
        Err(e) => Streamed {
            error: Some(format!("cannot read: {e}")),
            ..Streamed::default()
        },
    }
}

/// True when a name is that of a tarball (`x.tar.gz`, `x.tgz`, …); a zip is told by its bytes.
pub fn tarball_name(path: &str) -> bool {
    nested_name().is_match(path)
}

/// Reads a whole tar stream (already decompressed).
pub fn stream_tar<R: Read>(reader: R, depth: usize) -> Streamed {
    stream_tar_as(reader, depth, None)
}

fn stream_tar_as<R: Read>(reader: R, depth: usize, alias: Option<String>) -> Streamed {
    let mut c = Collector::new(depth, alias);
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            c.out.error = Some(format!("cannot read tar: {e}"));
            return c.out;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                c.out.error = Some(format!("archive is corrupt or truncated: {e}"));
                break;
            }
        };
        let path = match entry.path() {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(e) => {
                c.out.entries += 1;
                c.note(String::new(), format!("entry with unreadable name: {e}"));
                continue;
            }
        };
        let Some(path) = c.checked_path(&path) else {
            continue;
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            c.out.vfs.insert(&path, Node::Dir);
        } else if kind.is_symlink() {
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            c.out.vfs.insert(&path, Node::Symlink { target });
        } else if kind.is_hard_link() {
            // A hard link names its target by archive path; express it relative to the link.
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| vfs::normalize(&t.to_string_lossy()))
                .unwrap_or_default();
            let relative = relative_target(vfs::parent(&path), &target);
            c.out.vfs.insert(&path, Node::Symlink { target: relative });
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            let size = entry.header().size().unwrap_or(0);
            if let Err(e) = c.file(path, size, &mut entry) {
                c.out.error = Some(format!("archive is {e}"));
                break;
            }
        }
    }
    c.out
}

/// Reads a zip archive through its central directory. Entries go through the same guards
/// as tar entries (names, links resolved inside the root, the 64 MiB cap, wanted bodies
/// only). When the central directory cannot be read (a truncated download), the local
/// headers are read in order instead, up to the damage.
pub fn stream_zip<R: Read + Seek>(reader: R, depth: usize) -> Streamed {
    stream_zip_as(reader, depth, None)
}

fn stream_zip_as<R: Read + Seek>(mut reader: R, depth: usize, alias: Option<String>) -> Streamed {
    let mut c = Collector::new(depth, alias);
    let mut zip = match zip::ZipArchive::new(&mut reader) {
        Ok(z) => z,
        Err(index_error) => {
            // No usable central directory: read the local headers front to back.
            if let Err(e) = reader.seek(SeekFrom::Start(0)) {
                c.out.error = Some(format!("cannot read zip archive: {e}"));
                return c.out;
            }
            let mut reader = BufReader::with_capacity(1 << 16, reader);
            loop {
                match zip::read::read_zipfile_from_stream(&mut reader) {
                    Ok(Some(mut entry)) => {
                        let is_dir = entry.is_dir();
                        let is_link = entry.is_symlink();
                        let size = entry.size();
                        let name = entry.name().to_string();
                        if let Err(e) = zip_entry(&mut c, &name, is_dir, is_link, size, &mut entry)
                        {
                            c.out.error = Some(format!("zip archive is {e}"));
                            break;
                        }
                    }
                    Ok(None) => {
                        c.out.error = Some(format!(
                            "zip archive has no readable index ({index_error}); its entries were read in order"
                        ));
                        break;
                    }
                    Err(e) => {
                        c.out.error = Some(if c.out.entries == 0 {
                            format!("not a readable zip archive: {index_error}")
                        } else {
                            format!(
                                "zip archive is truncated or corrupt after {} entries: {e}",
                                c.out.entries
                            )
                        });
                        break;
                    }
                }
            }
            return c.out;
        }
    };
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                c.out.entries += 1;
                c.out.error = Some(format!("zip archive is corrupt at entry {}: {e}", i + 1));
                continue;
            }
        };
        let is_dir = entry.is_dir();
        let is_link = entry.is_symlink();
        let size = entry.size();
        let name = entry.name().to_string();
        if let Err(e) = zip_entry(&mut c, &name, is_dir, is_link, size, &mut entry) {
            // Random access: one bad entry does not hide the others.
            c.out.error = Some(format!("zip archive is {e}"));
        }
    }
    c.out
}

fn zip_entry<R: Read>(
    c: &mut Collector,
    name: &str,
    is_dir: bool,
    is_link: bool,
    size: u64,
    entry: &mut R,
) -> Result<(), String> {
    let Some(path) = c.checked_path(name) else {
        return Ok(());
    };
    if is_dir {
        c.out.vfs.insert(&path, Node::Dir);
    } else if is_link {
        // A zip stores a link's target as the entry's body.
        let mut target = Vec::new();
        entry
            .take(MAX_LINK_TARGET)
            .read_to_end(&mut target)
            .map_err(|e| format!("corrupt in {path}: {e}"))?;
        let target = String::from_utf8_lossy(&target).into_owned();
        c.out.vfs.insert(&path, Node::Symlink { target });
    } else {
        c.file(path, size, entry)?;
    }
    Ok(())
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
