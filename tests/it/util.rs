//! Helpers shared by the integration tests: paths of the test data, running the `analyze`
//! binary, building archives in memory (synthetic; each test says what it builds) and running
//! the pipeline on them.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use rules::model::{Host, Interface, Report};

/// The absolute path of `testdata/REL` as a `&'static str`, usable in `const`s and in
/// `include_str!`/`include_bytes!` (which, written in a module, would otherwise resolve a
/// relative path against that module's own directory).
macro_rules! testdata {
    ($rel:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/", $rel)
    };
}
pub(crate) use testdata;

/// The test data directory (no trailing `/`).
pub const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
/// The real sosreport 3.6 of an OpenShift master (testdata/PROVENANCE.md).
pub const CORPUS: &str = testdata!("sosreport-3.6-coreos-master1.tar.xz");
/// Seed 000's capture log: a tap whose TX drops grow once dd competes for the guest's pCPU.
pub const SEED_TAP_LOG: &str = testdata!("capture/seed000-tap-tx-drops.log");
/// The scenario with a critical RX ring overflow on eth2 of the LVS director lvs01.
pub const NIC_RING_LOG: &str = testdata!("scenarios/nic-rx-ring-overflow-pos-lvs-fifo/capture.log");
/// The scenario with two softnet findings (backlog drops and time squeezes) on cpu1.
pub const SOFTNET_LOG: &str = testdata!("scenarios/softnet-pos-backlog-and-squeeze/capture.log");

// ---------------------------------------------------------------------------------------------
// Running the binary.

/// `analyze ARGS…` in `cwd`: (exit code, stdout, stderr). -1 for a death by signal.
pub fn run_bin_in<I, S>(cwd: &Path, args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_analyze"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run analyze");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `analyze ARGS…` in the package directory: (exit code, stdout, stderr).
pub fn run_bin<I, S>(args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_bin_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// The standard output of `analyze ARGS…`, which must exit 0 (a complete run).
pub fn run_bin_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let (code, stdout, stderr) = run_bin(&args);
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
    assert_eq!(code, 0, "analyze {}: {stderr}", shown.join(" "));
    stdout
}

/// The JSON report that `analyze ARGS…` writes to standard output (exit 0).
pub fn run_bin_json<I, S>(args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    serde_json::from_str(&run_bin_ok(args)).expect("a JSON report")
}

// ---------------------------------------------------------------------------------------------
// Archives in memory and the pipeline.

/// A tar archive built in memory.
pub struct TarBuilder {
    inner: tar::Builder<Vec<u8>>,
}

impl Default for TarBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TarBuilder {
    pub fn new() -> Self {
        TarBuilder {
            inner: tar::Builder::new(Vec::new()),
        }
    }

    pub fn file(mut self, path: &str, content: &[u8]) -> Self {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        self.inner
            .append_data(&mut h, path, content)
            .expect("append file");
        self
    }

    pub fn dir(mut self, path: &str) -> Self {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_mode(0o755);
        h.set_entry_type(tar::EntryType::Directory);
        self.inner
            .append_data(&mut h, path, std::io::empty())
            .expect("append dir");
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_mode(0o777);
        h.set_entry_type(tar::EntryType::Symlink);
        self.inner
            .append_link(&mut h, path, target)
            .expect("append link");
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.inner.into_inner().expect("finish tar")
    }
}

pub fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 3);
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub fn bz2(bytes: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

/// Writes bytes to a file in a fresh temporary directory and returns (dir guard, path).
pub fn write_temp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

pub fn run(paths: &[&Path]) -> Report {
    let owned: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    analyze::pipeline::run(&owned)
}

pub fn iface<'a>(host: &'a Host, name: &str) -> &'a Interface {
    host.interface(name)
        .unwrap_or_else(|| panic!("no interface {name}"))
}

/// The counter `key` of the sample read from `source`.
pub fn counter(iface: &Interface, source: &str, key: &str) -> u64 {
    let sample = iface
        .samples
        .iter()
        .find(|s| s.source == source)
        .unwrap_or_else(|| panic!("{}: no sample from {source}", iface.name));
    *sample
        .counters
        .get(key)
        .unwrap_or_else(|| panic!("{}: {source} has no {key}", iface.name))
}

/// Asserts each `(key, value)` of `expected` against the sample of `iface` read from `source`:
/// one table per source, its values read off that capture. `#[track_caller]` makes a failure
/// name the table's line; the message names the interface, source and key.
#[track_caller]
pub fn assert_counters(iface: &Interface, source: &str, expected: &[(&str, u64)]) {
    for &(key, value) in expected {
        assert_eq!(
            counter(iface, source, key),
            value,
            "{}: {source} {key}",
            iface.name
        );
    }
}

pub fn has_problem(report: &Report, source_part: &str, message_part: &str) -> bool {
    report
        .problems
        .iter()
        .any(|p| p.source.contains(source_part) && p.message.contains(message_part))
}

pub fn problems_text(report: &Report) -> String {
    report
        .problems
        .iter()
        .map(|p| format!("{:?} {} {:?} {}", p.severity, p.source, p.line, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A minimal sos-layout root (synthetic) with the given extra files.
pub fn sos_root(top: &str, hostname: &str) -> TarBuilder {
    TarBuilder::new()
        .file(&format!("{top}/version.txt"), b"sosreport: 4.0\n")
        .dir(&format!("{top}/sos_commands"))
        .file(
            &format!("{top}/sos_commands/host/hostname"),
            format!("{hostname}\n").as_bytes(),
        )
}

// ---------------------------------------------------------------------------------------------
// The crafted archive (synthetic; used by browser.rs and markdown.rs). Each HTML payload, if it
// ran, would overwrite document.title.

pub const HOSTILE_HOST: &str = "\"><script>document.title='PWNED'</script>";
pub const HOSTILE_ETHTOOL_IF: &str = "<img src=x onerror=\"document.title='PWNED2'\">";
pub const HOSTILE_TAP: &str = "tap\"'<svg/onload=document.title='PWNED3'>|x";
pub const HOSTILE_ALIAS: &str =
    "\"'><img src=x onerror=\"document.title='PWNED4'\"> | *b* `t` [l](http://evil.example/) &amp;";
/// Markdown markup in an interface name: a heading mark, emphasis, a code span, a link.
pub const MARKUP_IF: &str = "#_e*|`c`[l](x)<b>";

/// One interface of `ip -s -d link` (synthetic): a tap-like device, up, 2 000 000 packets
/// received without loss, `tx_packets` sent and `tx_dropped` dropped.
pub fn ip_link_block(
    index: u32,
    name: &str,
    alias: Option<&str>,
    tx_packets: u64,
    tx_dropped: u64,
) -> String {
    format!(
        "{index}: {name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UNKNOWN mode DEFAULT group default qlen 1000\n\
         \x20   link/ether fe:16:3e:a5:17:c0 brd ff:ff:ff:ff:ff:ff promiscuity 1\n\
         {}\
         \x20   RX: bytes  packets  errors  dropped overrun mcast\n\
         \x20   900000000  2000000  0       0       0       0\n\
         \x20   TX: bytes  packets  errors  dropped carrier collsns\n\
         \x20   900000000  {tx_packets}  0       {tx_dropped}   0       0\n",
        alias.map_or(String::new(), |a| format!("    alias {a}\n"))
    )
}

pub fn hostile_archive() -> Vec<u8> {
    let block = |index, name, alias| ip_link_block(index, name, alias, 2_000_000, 50_000);
    let ip_link = format!(
        "{}{}",
        block(7, HOSTILE_TAP, Some(HOSTILE_ALIAS)),
        block(8, MARKUP_IF, None)
    );
    let ethtool = "NIC statistics:\n     rx_packets: 1000000\n     rx_dropped: 7\n     rx_no_buffer_count: 50000\n";
    sos_root("sosreport-hostile", HOSTILE_HOST)
        .file(
            "sosreport-hostile/sos_commands/networking/ip_-s_-d_link",
            ip_link.as_bytes(),
        )
        .file(
            &format!("sosreport-hostile/sos_commands/networking/ethtool_-S_{HOSTILE_ETHTOOL_IF}"),
            ethtool.as_bytes(),
        )
        // A date makes the uptime's since-boot averages usable, so the names get findings.
        .file(
            "sosreport-hostile/sos_commands/date/date",
            b"Tue Nov 29 12:28:22 UTC 2016\n",
        )
        .file(
            "sosreport-hostile/sos_commands/host/uptime",
            b" 02:54:32 up 35 days,  1 user,  load average: 0.64, 0.37, 0.23\n",
        )
        .finish()
}
