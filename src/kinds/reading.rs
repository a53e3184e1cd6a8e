//! The context a capture is read in: the host being built, the capture's time, and what has
//! to wait for the whole bundle.

use std::collections::BTreeMap;

use rules::model::{CounterSample, Host, Timestamp};

use super::UNNAMED_INTERFACE;

/// One capture being read into the host.
pub struct Reading<'a> {
    pub host: &'a mut Host,
    pub deferred: &'a mut Deferred,
    /// When the capture was taken: its own (capture-log segments), else the archive's.
    pub time: Option<Timestamp>,
    /// The machine's UTC offset, when `date` gave one (for local times in `sar`).
    pub offset: Option<i32>,
    /// The parser's problems, in order; the assembler names them after the capture.
    pub problems: Vec<parsers::Problem>,
}

impl Reading<'_> {
    /// The parsed value; its problems are kept for the assembler.
    pub fn take<T>(&mut self, parsed: parsers::Parsed<T>) -> T {
        self.problems.extend(parsed.problems);
        parsed.value
    }

    /// `dev`, or [`UNNAMED_INTERFACE`] with a warning at `line` when the output named none
    /// (`what` says which output, and why): `tc -s qdisc show dev X` prints no device, and a
    /// capture log may hold an `ethtool -S` or bonding output without the command that named
    /// it. Its readings still count, under a name that says the device is not known.
    pub fn device_or_unnamed<'d>(&mut self, dev: &'d str, line: usize, what: &str) -> &'d str {
        if !dev.is_empty() {
            return dev;
        }
        self.warn_unnamed(line, what);
        UNNAMED_INTERFACE
    }

    /// The warning of [`Reading::device_or_unnamed`], for a reader that names the device itself.
    pub fn warn_unnamed(&mut self, line: usize, what: &str) {
        self.problems.push(parsers::Problem::warning(
            line,
            format!("{what} names no device: read as device `{UNNAMED_INTERFACE}`"),
        ));
    }
}

/// What can only be added once the whole bundle is read.
#[derive(Default)]
pub struct Deferred {
    /// `/sys/class/net/<dev>/statistics/<counter>` files, one sample per device.
    pub(super) sysfs: BTreeMap<String, (Option<Timestamp>, BTreeMap<String, u64>)>,
    /// `/proc/sys/...` files: `sysctl -a` wins over them.
    pub(super) proc_sys: BTreeMap<String, String>,
    /// Bonding files name slaves that other captures may create with a kind of their own.
    pub(super) bonding: Vec<(String, parsers::bonding::Bonding)>,
    /// /proc/interrupts rows are filtered by the host's interface names, known at the end.
    pub(super) irqs: Vec<(parsers::interrupts::Interrupts, Option<Timestamp>, String)>,
}

impl Deferred {
    /// Adds what waited for the end of the bundle.
    pub fn finish(self, host: &mut Host) {
        for (dev, (time, counters)) in self.sysfs {
            let iface = host.interface_mut(&dev, None);
            iface.samples.push(CounterSample {
                time,
                source: format!("sys/class/net/{dev}/statistics"),
                counters,
                approximate: false,
            });
        }
        for (k, v) in self.proc_sys {
            host.sysctl.entry(k).or_insert(v);
        }
        for (bond, b) in self.bonding {
            super::bonding::apply(host, &bond, &b);
        }
        for (irq, time, source) in self.irqs {
            super::irq::apply_interrupts(host, irq, time, &source);
        }
    }
}
