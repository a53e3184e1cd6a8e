//! Synthetic hosts for the rules' unit tests (no real capture behind their numbers): readings
//! timed on one base date, and interfaces with counter readings.

use chrono::NaiveDate;

use crate::model::{CounterSample, Host, InterfaceKind, LogEvent, LogMessage, Timestamp};

/// `sec` seconds after 2024-03-01 10:00:00 UTC, the time base of every synthetic reading.
pub fn at(sec: u32) -> Option<Timestamp> {
    let t = NaiveDate::from_ymd_opt(2024, 3, 1)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        + chrono::Duration::seconds(i64::from(sec));
    Some(Timestamp::new(t, Some(0)))
}

/// Adds readings `(seconds, [(counter, value)])` to interface `name` of `host` (created UP, of
/// `kind`), as lines 1, 11, 21 … of `capture.log`.
pub fn add(host: &mut Host, name: &str, kind: InterfaceKind, samples: &[(u32, &[(&str, u64)])]) {
    let iface = host.interface_mut(name, None);
    iface.kind = kind;
    iface.state = Some("UP".into());
    for (i, (sec, kv)) in samples.iter().enumerate() {
        iface.samples.push(CounterSample {
            time: at(*sec),
            source: format!("capture.log:{}", i * 10 + 1),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        });
    }
}

/// veth0 sending into a peer with a smaller MTU, in the shape of the sandbox capture in
/// tx-queue-drop-pos-sandbox-veth-mtu: over 25 s, tx_dropped 90 → 1342 and tx_packets
/// 1709 → 25 496. The peer, its readings and the MTUs are the test's own.
pub fn add_veth0_into_small_mtu(host: &mut Host) {
    add(
        host,
        "veth0",
        InterfaceKind::Veth,
        &[
            (0, &[("tx_dropped", 90), ("tx_packets", 1709)]),
            (25, &[("tx_dropped", 1342), ("tx_packets", 25_496)]),
        ],
    );
}

/// A host built step by step, then given its timeline (`build`) or also judged (`judged`).
pub struct HostBuilder {
    host: Host,
}

impl HostBuilder {
    pub fn new(name: &str) -> Self {
        HostBuilder {
            host: Host::new(name),
        }
    }

    /// An interface with readings, as [`add`].
    pub fn interface(
        mut self,
        name: &str,
        kind: InterfaceKind,
        samples: &[(u32, &[(&str, u64)])],
    ) -> Self {
        add(&mut self.host, name, kind, samples);
        self
    }

    /// Any other change to the host (a master, a sysctl, softnet readings …).
    pub fn with(mut self, change: impl FnOnce(&mut Host)) -> Self {
        change(&mut self.host);
        self
    }

    /// The host with its timeline computed, ready for a rule's `check`.
    pub fn build(mut self) -> Host {
        crate::timeline::compute(&mut self.host);
        self.host
    }

    /// The host judged as the pipeline does: inference, the catalog, loss accounting.
    pub fn judged(self) -> Host {
        let mut host = self.build();
        crate::catalog::judge(&mut host);
        host
    }
}

impl From<Host> for HostBuilder {
    /// Goes on from a host built by hand.
    fn from(host: Host) -> Self {
        HostBuilder { host }
    }
}

/// Panics unless some line of `lines` (a finding's remediation, notes …) contains `needle`.
#[track_caller]
pub fn assert_any_contains(lines: &[String], needle: &str) {
    assert!(
        lines.iter().any(|l| l.contains(needle)),
        "no line contains {needle:?}: {lines:#?}"
    );
}

/// Panics unless some line of `lines` starts with `prefix`.
#[track_caller]
pub fn assert_any_starts_with(lines: &[String], prefix: &str) {
    assert!(
        lines.iter().any(|l| l.starts_with(prefix)),
        "no line starts with {prefix:?}: {lines:#?}"
    );
}

/// Adds protocol counter readings `(seconds, [(nstat name, value)])` to `host`, as lines 1,
/// 11, 21 … of `capture.log` (one series).
pub fn add_protocol(host: &mut Host, samples: &[(u32, &[(&str, u64)])]) {
    for (i, (sec, kv)) in samples.iter().enumerate() {
        host.protocol.samples.push(CounterSample {
            time: at(*sec),
            source: format!("capture.log:{}", i * 10 + 1),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        });
    }
}

/// A kernel-log event: `count` lines of `message` about `subject` (`""` for none), the first
/// `first` and the last `last` seconds after the time base, as lines 1 and 1 + `count` − 1 of
/// `sos_commands/kernel/dmesg`; no uptime, nothing suppressed, no detail. Change the rest with
/// struct update syntax: `LogEvent { suppressed: 3939, ..log(…) }`.
pub fn log(message: LogMessage, subject: &str, count: u64, first: u32, last: u32) -> LogEvent {
    let source = |line: u64| format!("sos_commands/kernel/dmesg:{line}");
    LogEvent {
        message,
        subject: (!subject.is_empty()).then(|| subject.to_string()),
        count,
        suppressed: 0,
        first: at(first),
        last: at(last),
        first_uptime: None,
        last_uptime: None,
        first_source: source(1),
        last_source: source(count.max(1)),
        example: format!("{message:?} {subject}"),
        detail: None,
    }
}
