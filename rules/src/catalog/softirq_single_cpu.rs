//! `softirq-single-cpu`: one CPU does all the receive work in softirq while the others idle,
//! so a single queue (or a single IRQ) carries all the traffic (knowledge §10.4, §10.9).
//!
//! Signals, strongest first:
//! * per-CPU `si` (top `-1`, sar `%soft`): the hot CPU at ≥ `SOFTIRQ_HOT_PCT` while the median
//!   of the others stays under `SOFTIRQ_OTHERS_MAX_PCT`; first `top` frames are skipped when a
//!   later frame of the same run exists (their percentages are not a real interval);
//! * `/proc/softirqs` NET_RX and `/proc/interrupts` NIC queue vectors between two readings:
//!   ≥ `SOFTIRQ_CONCENTRATION` of the interval's events on one CPU at ≥ `SOFTIRQ_MIN_RATE`/s;
//! * `ksoftirqd/N` busy in top (the deferred softirq work of CPU N).
//!
//! A concentration with a CPU that per-CPU `si` shows idle is only `info` (a single queue that
//! is not yet a bottleneck); since-boot softirq totals alone are `info` at most.

use std::collections::BTreeMap;

use super::common::*;

pub static RULE: Rule = Rule {
    id: "softirq-single-cpu",
    title: "One CPU carries all softirq work",
    default_severity: Severity::Warning,
    references: &[
        "https://docs.kernel.org/networking/scaling.html (RSS: as many queues as CPUs, or the NIC maximum; RPS; IRQ affinity and irqbalance)",
        "RHEL 7 Virtualization Tuning Guide §5.4.2 Multi-queue virtio-net: <driver name='vhost' queues='N'/>, then ethtool -L eth0 combined M in the guest",
    ],
    check,
};

/// The report draws the softirq signal the finding rests on.
pub const CHART: Chart = Chart::Softirq;

/// No rate threshold to draw: its severity does not turn on a loss rate.
pub const MARKS: &[Mark] = &[];

/// Where its findings lie on the packet path. One CPU's budget carries all receive work; a cause, counting no packets.
pub const STAGE: Stage = Stage::rx(StageId::Softnet).without_loss();

/// At most this many frames (or intervals) of each kind are listed as evidence.
const EVIDENCE_PER_KIND: usize = 4;

/// A top/sar frame where one CPU is hot in softirq and the others are not.
struct HotFrame<'a> {
    sample: &'a CpuSample,
    cpu: u32,
    si: f64,
    others_median: f64,
    others: usize,
    live: bool,
}

/// One live interval where one CPU took most of a set of per-CPU events.
struct Concentration<'a> {
    interval: &'a PerCpuInterval,
    cpu: u32,
    on_cpu: u64,
    share: f64,
    rate: f64,
    /// For NIC vectors: the interface (or vector family).
    nic: Option<String>,
}

fn cpu_number(label: &str) -> Option<u32> {
    label.parse().ok()
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The frames to judge, with whether each is a real interval: per series, the frames after
/// the first of a `top` run when there are any, else the first frames themselves.
fn frames(host: &Host) -> Vec<(&CpuSample, bool)> {
    let mut groups: BTreeMap<&str, Vec<&CpuSample>> = BTreeMap::new();
    for s in &host.cpu {
        groups.entry(series_of(&s.source)).or_default().push(s);
    }
    let mut out = Vec::new();
    for samples in groups.values() {
        let later = samples.iter().any(|s| !s.first_iteration);
        for s in samples {
            if later && s.first_iteration {
                continue;
            }
            out.push((*s, !s.first_iteration));
        }
    }
    out
}

/// Per-CPU `si` of one frame: (cpu, si) for numbered CPUs.
fn per_cpu_si(sample: &CpuSample) -> Vec<(u32, f64)> {
    sample
        .cpus
        .iter()
        .filter_map(|c| Some((cpu_number(&c.cpu)?, c.si?)))
        .collect()
}

fn hot_frame(sample: &CpuSample, live: bool) -> Option<HotFrame<'_>> {
    let si = per_cpu_si(sample);
    if si.len() < 2 {
        return None;
    }
    let (cpu, hot) = si
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let mut others: Vec<f64> = si
        .iter()
        .filter(|(c, _)| *c != cpu)
        .map(|(_, v)| *v)
        .collect();
    let others_len = others.len();
    let m = median(&mut others);
    (hot >= SOFTIRQ_HOT_PCT && m < SOFTIRQ_OTHERS_MAX_PCT).then_some(HotFrame {
        sample,
        cpu,
        si: hot,
        others_median: m,
        others: others_len,
        live,
    })
}

/// `ksoftirqd/3`, `[ksoftirqd/3]` → Some(Some(3)); `ksoftirqd+` (cut at 80 columns) →
/// Some(None); anything else → None.
pub fn ksoftirqd_cpu(command: &str) -> Option<Option<u32>> {
    let c = command.trim().trim_start_matches('[').trim_end_matches(']');
    let rest = c.strip_prefix("ksoftirqd")?;
    if rest == "+" {
        return Some(None);
    }
    rest.strip_prefix('/')
        .map(|n| n.trim_end_matches('+').parse().ok())
}

/// `virtio2-input.0 (38)` → (`virtio2-input.0`, `38`).
fn split_vector(row: &str) -> (&str, &str) {
    match row.rsplit_once(" (") {
        Some((name, irq)) if irq.ends_with(')') => (name, irq.trim_end_matches(')')),
        _ => (row, ""),
    }
}

/// The NIC a queue vector belongs to: an interface of the host when the name says so
/// (`eth0-TxRx-3`, `i40e-eth0-TxRx-1`), or when a driver-named vector (`virtio2-input.0`,
/// `mlx5_comp5@pci:…`) has exactly one interface of that driver; else the vector family.
fn vector_owner(host: &Host, vector: &str) -> (String, Option<String>) {
    let named = host
        .interfaces
        .iter()
        .filter(|i| i.namespace.is_none() && i.kind != InterfaceKind::Loopback && i.name.len() > 1)
        .filter(|i| {
            vector == i.name
                || vector.starts_with(&format!("{}-", i.name))
                || vector.contains(&format!("-{}-", i.name))
        })
        .max_by_key(|i| i.name.len());
    if let Some(i) = named {
        return (i.name.clone(), Some(i.name.clone()));
    }
    let by_driver = |driver: &str| {
        let mut it = host
            .interfaces
            .iter()
            .filter(|i| i.namespace.is_none() && i.driver.as_deref() == Some(driver));
        match (it.next(), it.next()) {
            (Some(one), None) => Some(one.name.clone()),
            _ => None,
        }
    };
    if vector.starts_with("virtio") && (vector.contains("-input.") || vector.contains("-output.")) {
        let family = vector.split('-').next().unwrap_or(vector).to_string();
        return (family, by_driver("virtio_net"));
    }
    if let Some(rest) = vector.strip_prefix("mlx5_comp") {
        let pci = rest.split_once('@').map_or("", |(_, p)| p);
        return (format!("mlx5@{pci}"), by_driver("mlx5_core"));
    }
    let family = vector.split('-').next().unwrap_or(vector).to_string();
    (family, None)
}

/// The busiest CPU of a row of per-CPU counts (the first of equals): its index, its count and
/// the row's total; `None` when the row is empty or all zero.
fn busiest(per_cpu: &[u64]) -> Option<(usize, u64, u64)> {
    let total: u64 = per_cpu.iter().sum();
    let (idx, on_cpu) = per_cpu
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (total > 0).then_some((idx, on_cpu, total))
}

/// One CPU's share of a row (or of several rows summed per CPU) in one interval.
fn concentrated<'a>(
    interval: &'a PerCpuInterval,
    per_cpu: &[u64],
    nic: Option<String>,
) -> Option<Concentration<'a>> {
    if interval.reset || interval.cpus.len() < 2 || per_cpu.len() != interval.cpus.len() {
        return None;
    }
    let seconds = interval.seconds.filter(|s| *s > 0.0)?;
    let (idx, on_cpu, total) = busiest(per_cpu)?;
    let share = on_cpu as f64 / total as f64;
    let rate = total as f64 / seconds;
    (share >= SOFTIRQ_CONCENTRATION && rate >= SOFTIRQ_MIN_RATE).then(|| Concentration {
        interval,
        cpu: interval.cpus[idx],
        on_cpu,
        share,
        rate,
        nic,
    })
}

fn net_rx_concentrations(host: &Host) -> Vec<Concentration<'_>> {
    host.softirqs_deltas
        .iter()
        .filter_map(|iv| concentrated(iv, iv.rows.get("NET_RX")?, None))
        .collect()
}

/// NIC vectors grouped by owner: owner → (interface, per-CPU sums).
type VectorGroups = BTreeMap<String, (Option<String>, Vec<u64>)>;

/// NIC vectors of an interval (or reading) grouped by owner.
fn vectors_by_owner(host: &Host, rows: &BTreeMap<String, Vec<u64>>, cpus: usize) -> VectorGroups {
    let mut groups: VectorGroups = BTreeMap::new();
    for (row, counts) in rows {
        let (vector, _) = split_vector(row);
        let (owner, iface) = vector_owner(host, vector);
        let entry = groups
            .entry(owner)
            .or_insert_with(|| (iface, vec![0; cpus]));
        for (sum, c) in entry.1.iter_mut().zip(counts) {
            *sum += c;
        }
    }
    groups
}

fn vector_concentrations(host: &Host) -> Vec<Concentration<'_>> {
    let mut out = Vec::new();
    for iv in &host.interrupts_deltas {
        for (owner, (iface, sums)) in vectors_by_owner(host, &iv.rows, iv.cpus.len()) {
            if let Some(c) = concentrated(iv, &sums, Some(iface.unwrap_or(owner))) {
                out.push(c);
            }
        }
    }
    out
}

/// Interfaces that have receive queues of their own (not lo, taps, bridges, bonds, VLANs…).
fn is_nic(iface: &Interface) -> bool {
    iface.namespace.is_none()
        && match iface.kind {
            InterfaceKind::Physical | InterfaceKind::BondSlave => true,
            InterfaceKind::Other => iface.driver.is_some() || iface.channels.is_some(),
            _ => false,
        }
}

/// The interface whose queue vectors took the most interrupts (between readings when there
/// are any, else since boot), when the vectors name one.
fn nic_by_interrupts(host: &Host) -> Option<String> {
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    if host.interrupts_deltas.is_empty() {
        if let Some(last) = host.interrupts.last() {
            for (_, (iface, sums)) in vectors_by_owner(host, &last.rows, last.cpus.len()) {
                if let Some(i) = iface {
                    *totals.entry(i).or_default() += sums.iter().sum::<u64>();
                }
            }
        }
    } else {
        for iv in &host.interrupts_deltas {
            for (_, (iface, sums)) in vectors_by_owner(host, &iv.rows, iv.cpus.len()) {
                if let Some(i) = iface {
                    *totals.entry(i).or_default() += sums.iter().sum::<u64>();
                }
            }
        }
    }
    totals
        .into_iter()
        .filter(|(_, t)| *t > 0)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(name, _)| name)
}

/// The busiest NIC by received packets (live growth first, else since boot).
fn busiest_nic(host: &Host) -> Option<&Interface> {
    host.interfaces
        .iter()
        .filter(|i| is_nic(i))
        .map(|i| {
            let g = growth(&i.deltas, &["rx_packets"], &[]);
            let live = g.as_ref().is_some_and(|g| g.live());
            let amount = g.map_or(0.0, |g| g.mean_rate().unwrap_or(g.total));
            (i, live, amount)
        })
        .max_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)))
        .map(|(i, _, _)| i)
}

/// CPU bitmap in the kernel's `rps_cpus` format: 32-bit hex groups, comma-separated.
pub fn cpu_mask(cpus: u32) -> String {
    if cpus == 0 {
        return "0".into();
    }
    let mut groups = Vec::new();
    let mut left = cpus;
    while left > 0 {
        let bits = left.min(32);
        let g: u64 = if bits == 32 {
            0xffff_ffff
        } else {
            (1u64 << bits) - 1
        };
        groups.push(g);
        left -= bits;
    }
    groups.reverse();
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if i == 0 {
                format!("{g:x}")
            } else {
                format!("{g:08x}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The NIC's queue vectors in the last `/proc/interrupts` reading: (IRQ, vector, the CPU that
/// took most of its interrupts).
fn nic_vectors(host: &Host, nic: &str) -> Vec<(String, String, Option<u32>)> {
    let Some(last) = host.interrupts.last() else {
        return Vec::new();
    };
    last.rows
        .iter()
        .filter_map(|(row, counts)| {
            let (vector, irq) = split_vector(row);
            let (owner, iface) = vector_owner(host, vector);
            (iface.as_deref().unwrap_or(&owner) == nic && !irq.is_empty()).then(|| {
                let cpu = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                    .and_then(|(i, _)| last.cpus.get(i).copied());
                (irq.to_string(), vector.to_string(), cpu)
            })
        })
        .collect()
}

/// Remediation for `nic` (or, when the host has no such interface, the device a vector names).
fn remediation(
    host: &Host,
    nic: Option<&Interface>,
    named: Option<&str>,
    ncpu: u32,
) -> Vec<String> {
    let dev = nic.map(|i| i.name.as_str()).or(named).unwrap_or("<dev>");
    let virtio = nic.is_some_and(|i| i.driver.as_deref() == Some("virtio_net"));
    let mut out = Vec::new();
    let channels = nic.and_then(|i| i.channels.as_ref());
    let (cur, max) = match channels {
        Some(ch) if ch.combined_max.is_some_and(|m| m > 0) => (ch.combined, ch.combined_max),
        Some(ch) => (ch.rx, ch.rx_max),
        None => (None, None),
    };
    out.extend(queue_steps(dev, (cur, max), ncpu, virtio));
    let backlog = sysctl(host, "net.core.netdev_max_backlog")
        .map(|v| format!(" (now {v})"))
        .unwrap_or_default();
    let mask = cpu_mask(ncpu);
    if cur.is_some_and(|c| c > 1) {
        out.push(format!(
            "echo {mask} | tee /sys/class/net/{dev}/queues/rx-*/rps_cpus   # RPS over all {ncpu} CPUs; packets then wait in the per-CPU backlog, so watch net.core.netdev_max_backlog{backlog}"
        ));
    } else {
        out.push(format!(
            "echo {mask} > /sys/class/net/{dev}/queues/rx-0/rps_cpus   # RPS: spread the single queue's protocol work over all {ncpu} CPUs; packets then wait in the per-CPU backlog, so watch net.core.netdev_max_backlog{backlog}"
        ));
    }
    out.extend(irq_steps(host, nic, dev, virtio));
    out
}

/// More queues: RSS up to one per CPU, and for virtio the host's queue count first.
fn queue_steps(dev: &str, (cur, max): (Option<u64>, Option<u64>), ncpu: u32, virtio: bool) -> Vec<String> {
    let mut steps = Vec::new();
    match (cur, max) {
        (Some(cur), Some(max)) => {
            let target = max.min(u64::from(ncpu));
            if cur < target {
                steps.push(format!(
                    "ethtool -L {dev} combined {target}   # now {cur} of max {max} queues (ethtool -l) for {ncpu} CPUs: one queue per CPU, up to the NIC maximum, spreads the receive work (RSS)"
                ));
            } else {
                steps.push(format!(
                    "{dev} already uses {cur} of max {max} queue(s) (ethtool -l): the NIC cannot spread the receive work further by itself{}",
                    if virtio { "; raise the virtio queue count on the host (below)" } else { "; spread it in software (RPS) and by IRQ affinity (below)" }
                ));
            }
        }
        _ => steps.push(format!(
            "ethtool -l {dev}   # queue counts unknown: if the current combined count is below the maximum, ethtool -L {dev} combined <min(max, {ncpu})> (one queue per CPU, RSS)"
        )),
    }
    if virtio {
        steps.push(format!(
            "virsh edit <domain>   # on the host: add <driver name='vhost' queues='{ncpu}'/> to {dev}'s <interface> (virtio-net multiqueue; OpenStack: image property hw_vif_multiqueue_enabled=true, then rebuild), and restart the VM"
        ));
        steps.push(format!(
            "ethtool -L {dev} combined {ncpu}   # in the guest, once the VM has {ncpu} queues (some guests, e.g. CentOS 7, enable them by themselves)"
        ));
    }
    steps
}

/// Queue interrupts spread over CPUs: irqbalance, or pinning each vector.
fn irq_steps(host: &Host, nic: Option<&Interface>, dev: &str, virtio: bool) -> Vec<String> {
    let mut steps = Vec::new();
    let vectors = nic.map(|i| nic_vectors(host, &i.name)).unwrap_or_default();
    let listed: Vec<String> = vectors
        .iter()
        .map(|(irq, v, cpu)| match cpu {
            Some(c) => format!("IRQ {irq} {v} on cpu{c}"),
            None => format!("IRQ {irq} {v}"),
        })
        .collect();
    steps.push(format!(
        "systemctl status irqbalance   # irqbalance spreads queue interrupts over CPUs (and overrides manual pinning){}",
        if listed.is_empty() { String::new() } else { format!("; {dev} now: {}", listed.join(", ")) }
    ));
    let irq = vectors.first().map_or("<irq>", |(i, _, _)| i.as_str());
    steps.push(format!(
        "echo <cpu> > /proc/irq/{irq}/smp_affinity_list   # or pin each of {dev}'s queue vectors to its own CPU (`grep {} /proc/interrupts` lists them)",
        if virtio { "virtio" } else { dev }
    ));
    steps
}

/// Why a CPU is named: the evidence of one signal, kept apart to build the finding.
#[derive(Default)]
struct Signals<'a> {
    hot: Vec<HotFrame<'a>>,
    frames_with_per_cpu: usize,
    net_rx: Vec<Concentration<'a>>,
    vectors: Vec<Concentration<'a>>,
    /// (frame, cpu or None for `ksoftirqd+`, %CPU)
    ksoftirqd: Vec<(&'a CpuSample, Option<u32>, f64)>,
}

fn cpu_count(host: &Host, frames: &[(&CpuSample, bool)]) -> u32 {
    let from_frames = frames
        .iter()
        .map(|(s, _)| per_cpu_si(s).len() as u32)
        .max()
        .unwrap_or(0);
    let from_softirqs = host
        .softirqs
        .iter()
        .map(|s| s.cpus.len() as u32)
        .max()
        .unwrap_or(0);
    let from_irqs = host
        .interrupts
        .iter()
        .map(|s| s.cpus.len() as u32)
        .max()
        .unwrap_or(0);
    host.cpu_count
        .unwrap_or(0)
        .max(from_frames)
        .max(from_softirqs)
        .max(from_irqs)
}

/// The CPU named most often, ties broken by the larger value.
fn most_named(items: impl Iterator<Item = (u32, f64)>) -> Option<u32> {
    let mut by_cpu: BTreeMap<u32, (usize, f64)> = BTreeMap::new();
    for (cpu, v) in items {
        let e = by_cpu.entry(cpu).or_insert((0, f64::MIN));
        e.0 += 1;
        e.1 = e.1.max(v);
    }
    by_cpu
        .into_iter()
        .max_by(|a, b| {
            a.1 .0
                .cmp(&b.1 .0)
                .then(a.1 .1.total_cmp(&b.1 .1))
                .then(b.0.cmp(&a.0))
        })
        .map(|(c, _)| c)
}

fn check(host: &Host) -> Vec<Finding> {
    let frames = frames(host);
    let ncpu = cpu_count(host, &frames);
    if ncpu < 2 {
        return Vec::new();
    }
    let sig = signals(host, &frames);
    let Some(cpu) = named_cpu(&sig) else {
        return since_boot_only(host, ncpu).into_iter().collect();
    };
    let here = OnCpu::new(&sig, cpu);
    let severity = severity(&sig, &here, &frames, cpu);
    let (nic, named) = nic_of(host, &sig, cpu);
    let mut f = RULE.finding(
        severity,
        &format!("cpu{cpu}"),
        summary(&sig, &here, cpu, severity),
    );
    f.impact = here.conc.iter().map(|c| c.rate).fold(0.0, f64::max);
    push_evidence(&mut f, &here);
    f.remediation = remediation(host, nic, named, ncpu);
    vec![f]
}

/// Reads every signal from the frames, `/proc/softirqs` and `/proc/interrupts`.
fn signals<'a>(host: &'a Host, frames: &[(&'a CpuSample, bool)]) -> Signals<'a> {
    let mut sig = Signals::default();
    for (s, live) in frames {
        if per_cpu_si(s).len() >= 2 {
            sig.frames_with_per_cpu += 1;
        }
        if let Some(h) = hot_frame(s, *live) {
            sig.hot.push(h);
        }
        for p in &s.processes {
            if let Some(cpu) = ksoftirqd_cpu(&p.command) {
                if p.cpu_percent >= SOFTIRQ_HOT_PCT {
                    sig.ksoftirqd.push((s, cpu, p.cpu_percent));
                }
            }
        }
    }
    sig.net_rx = net_rx_concentrations(host);
    sig.vectors = vector_concentrations(host);
    sig
}

/// The CPU: hot in si first, else where the events concentrated, else a busy ksoftirqd.
fn named_cpu(sig: &Signals) -> Option<u32> {
    let hot_cpu = most_named(sig.hot.iter().map(|h| (h.cpu, h.si)));
    let conc_cpu = most_named(
        sig.net_rx
            .iter()
            .chain(&sig.vectors)
            .map(|c| (c.cpu, c.share)),
    );
    // Only when a single ksoftirqd thread is busy: several busy ones are not "one CPU".
    let mut busy: Vec<u32> = sig.ksoftirqd.iter().filter_map(|(_, c, _)| *c).collect();
    busy.sort_unstable();
    busy.dedup();
    let ksoft_cpu = (busy.len() == 1).then(|| busy[0]);
    hot_cpu.or(conc_cpu).or_else(|| {
        // ksoftirqd alone names a CPU only when no per-CPU si contradicts it.
        (sig.frames_with_per_cpu == 0)
            .then_some(ksoft_cpu)
            .flatten()
    })
}

/// The signals that name one CPU.
struct OnCpu<'s, 'a> {
    hot: Vec<&'s HotFrame<'a>>,
    /// NET_RX concentrations, then NIC vector ones.
    conc: Vec<&'s Concentration<'a>>,
    ksoft: Vec<&'s (&'a CpuSample, Option<u32>, f64)>,
}

impl<'s, 'a> OnCpu<'s, 'a> {
    fn new(sig: &'s Signals<'a>, cpu: u32) -> Self {
        OnCpu {
            hot: sig.hot.iter().filter(|h| h.cpu == cpu).collect(),
            conc: sig
                .net_rx
                .iter()
                .chain(&sig.vectors)
                .filter(|c| c.cpu == cpu)
                .collect(),
            ksoft: sig
                .ksoftirqd
                .iter()
                .filter(|(_, c, _)| c.is_none_or(|c| c == cpu))
                .collect(),
        }
    }
}

/// Severity per signal; the finding takes the most severe.
fn severity(sig: &Signals, here: &OnCpu, frames: &[(&CpuSample, bool)], cpu: u32) -> Severity {
    let mut severity = Severity::Info;
    if !here.hot.is_empty() {
        let crit = here.hot.iter().any(|h| h.live && h.si >= SOFTIRQ_CRIT_PCT);
        severity = severity.min(if crit {
            Severity::Critical
        } else {
            Severity::Warning
        });
    }
    // The named CPU's highest si in live frames, when per-CPU si was read during the capture.
    let cpu_si_max = frames
        .iter()
        .filter(|(_, live)| *live)
        .flat_map(|(s, _)| per_cpu_si(s))
        .filter(|(c, _)| *c == cpu)
        .map(|(_, v)| v)
        .reduce(f64::max);
    let idle_cpu = cpu_si_max.is_some_and(|m| m < SOFTIRQ_OTHERS_MAX_PCT);
    if !here.conc.is_empty() && !idle_cpu {
        severity = severity.min(Severity::Warning);
    }
    if sig.frames_with_per_cpu == 0 && here.ksoft.iter().any(|(_, c, _)| *c == Some(cpu)) {
        severity = severity.min(Severity::Warning);
    }
    severity
}

/// The NIC: the one whose vectors concentrated on this CPU, else the busiest by vectors, else
/// by received packets. Also the device a vector names when it is not in the data.
fn nic_of<'a>(host: &'a Host, sig: &'a Signals, cpu: u32) -> (Option<&'a Interface>, Option<&'a str>) {
    let vec_here = sig.vectors.iter().find(|c| c.cpu == cpu);
    // A vector such as `eth3-TxRx-0` names its device even without an `ip link` of it.
    let named = vec_here.and_then(|c| c.nic.as_deref()).filter(|n| {
        ["eth", "en", "em", "ib", "p1p", "p2p", "p3p", "p4p"]
            .iter()
            .any(|p| n.starts_with(p))
    });
    let nic = match vec_here
        .and_then(|c| c.nic.as_deref())
        .and_then(|n| host.interface(n))
    {
        Some(i) => Some(i),
        None if named.is_some() => None,
        None => nic_by_interrupts(host)
            .as_deref()
            .and_then(|n| host.interface(n))
            .or_else(|| busiest_nic(host)),
    };
    (nic, named)
}

fn summary(sig: &Signals, here: &OnCpu, cpu: u32, severity: Severity) -> String {
    let mut parts = Vec::new();
    if let Some(worst) = here.hot.iter().max_by(|a, b| a.si.total_cmp(&b.si)) {
        parts.push(hot_phrase(worst, here.hot.len(), sig.frames_with_per_cpu));
    }
    if let Some(c) = busiest_on(&sig.net_rx, cpu) {
        parts.push(format!(
            "{} of all NET_RX softirqs ({}/s) ran there",
            fmt_pct(c.share),
            fmt_num(c.rate)
        ));
    }
    if let Some(c) = busiest_on(&sig.vectors, cpu) {
        parts.push(format!(
            "{} of {}'s queue interrupts ({}/s) landed there",
            fmt_pct(c.share),
            c.nic.as_deref().unwrap_or("the NIC"),
            fmt_num(c.rate)
        ));
    }
    if parts.is_empty() {
        if let Some((_, _, v)) = here.ksoft.iter().max_by(|a, b| a.2.total_cmp(&b.2)) {
            parts.push(format!(
                "ksoftirqd/{cpu} used {} % of a CPU in top",
                fmt_num(*v)
            ));
        }
    }
    let tail = if severity == Severity::Info {
        "That CPU still had headroom, but one queue carries the receive path and will cap throughput as load grows."
    } else {
        "One queue (or one IRQ) carries the receive path, so throughput is capped by that CPU and packets wait or drop once it saturates."
    };
    format!(
        "Softirq work is concentrated on cpu{cpu}: {}. {tail}",
        parts.join("; ")
    )
}

/// The concentration on `cpu` with the highest rate.
fn busiest_on<'c, 'a>(list: &'c [Concentration<'a>], cpu: u32) -> Option<&'c Concentration<'a>> {
    list.iter()
        .filter(|c| c.cpu == cpu)
        .max_by(|a, b| a.rate.total_cmp(&b.rate))
}

/// The hottest frame, in words: "it spent up to 97.5 % of its time in softirq (si) while …".
fn hot_phrase(worst: &HotFrame, hot_frames: usize, frames_with_per_cpu: usize) -> String {
    let others = if worst.others == 1 {
        format!("the other CPU stayed at {} %", fmt_num(worst.others_median))
    } else {
        format!(
            "the other {} CPUs stayed at a median of {} %",
            worst.others,
            fmt_num(worst.others_median)
        )
    };
    format!(
        "it spent up to {} % of its time in softirq (si) while {others} ({} of {} {}samples)",
        fmt_num(worst.si),
        hot_frames,
        frames_with_per_cpu,
        if worst.live {
            "per-CPU "
        } else {
            "first-frame per-CPU "
        }
    )
}

/// Evidence: the worst frames, intervals and ksoftirqd readings.
fn push_evidence(f: &mut Finding, here: &OnCpu) {
    let mut hot_sorted = here.hot.clone();
    hot_sorted.sort_by(|a, b| b.si.total_cmp(&a.si));
    for h in hot_sorted.iter().take(EVIDENCE_PER_KIND) {
        f.evidence.extend(hot_evidence(h));
    }
    let mut conc_sorted = here.conc.clone();
    conc_sorted.sort_by(|a, b| b.rate.total_cmp(&a.rate));
    for c in conc_sorted.iter().take(EVIDENCE_PER_KIND) {
        f.evidence.push(concentration_evidence(c));
    }
    for (s, c, v) in here.ksoft.iter().take(EVIDENCE_PER_KIND) {
        f.evidence.push(Evidence {
            source: s.source.clone(),
            start: None,
            end: s.time,
            metric: match c {
                Some(n) => format!("ksoftirqd/{n} %CPU (top)"),
                None => "ksoftirqd %CPU (top, name cut at 80 columns)".to_string(),
            },
            value: Some(*v),
            delta: None,
            rate: None,
            basis: if s.first_iteration {
                "snapshot"
            } else {
                "interval"
            },
        });
    }
}

/// A hot frame's si on the CPU and the others' median.
fn hot_evidence(h: &HotFrame) -> [Evidence; 2] {
    let basis = if !h.live {
        "snapshot"
    } else if is_sar(&h.sample.source) {
        "reported"
    } else {
        "interval"
    };
    let reading = |metric: String, value: f64| Evidence {
        source: h.sample.source.clone(),
        start: None,
        end: h.sample.time,
        metric,
        value: Some(value),
        delta: None,
        rate: None,
        basis,
    };
    let others = if h.others == 1 {
        "si of the other CPU".to_string()
    } else {
        format!("si median of the other {} CPUs", h.others)
    };
    [
        reading(
            format!("si cpu{} (% of CPU time in softirq)", h.cpu),
            h.si,
        ),
        reading(others, h.others_median),
    ]
}

fn concentration_evidence(c: &Concentration) -> Evidence {
    let what = match &c.nic {
        Some(n) => format!(
            "{n} queue interrupts on cpu{} ({} of all CPUs)",
            c.cpu,
            fmt_pct(c.share)
        ),
        None => format!(
            "NET_RX softirqs on cpu{} ({} of all CPUs)",
            c.cpu,
            fmt_pct(c.share)
        ),
    };
    Evidence {
        source: c.interval.end_source.clone(),
        start: c.interval.start,
        end: c.interval.end,
        metric: what,
        value: None,
        delta: Some(c.on_cpu as f64),
        rate: c.interval.seconds.map(|s| round2(c.on_cpu as f64 / s)),
        basis: "interval",
    }
}

/// sar files (`sos_commands/sar/…`, `var/log/sa/sar21`) report rates; top frames are intervals.
fn is_sar(source: &str) -> bool {
    source.contains("sar") || source.contains("/sa/")
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Only one `/proc/softirqs` reading: its since-boot NET_RX distribution is history, `info`.
fn since_boot_only(host: &Host, ncpu: u32) -> Option<Finding> {
    if !host.softirqs_deltas.is_empty() {
        return None;
    }
    let last = host.softirqs.last()?;
    let row = last.rows.get("NET_RX")?;
    if row.len() < 2 || row.len() != last.cpus.len() {
        return None;
    }
    let (idx, on_cpu, total) = busiest(row)?;
    let share = on_cpu as f64 / total as f64;
    let uptime = host.uptime_seconds.filter(|u| *u > 0).map(|u| u as f64);
    let rate = uptime.map(|u| total as f64 / u);
    if share < SOFTIRQ_CONCENTRATION || rate.is_some_and(|r| r < SOFTIRQ_MIN_RATE) {
        return None;
    }
    let cpu = last.cpus[idx];
    let mut f = RULE.finding(
        Severity::Info,
        &format!("cpu{cpu}"),
        format!(
            "Since boot, cpu{cpu} ran {} of all NET_RX softirqs ({} in all{}): a sign that one queue carries the receive path, but a single reading cannot say whether it is busy now.",
            fmt_pct(share),
            fmt_count(total as f64),
            rate.map(|r| format!(", {}/s on average", fmt_num(r))).unwrap_or_default()
        ),
    );
    f.evidence.push(Evidence {
        source: last.source.clone(),
        start: None,
        end: last.time,
        metric: format!(
            "NET_RX softirqs on cpu{cpu} since boot ({} of all CPUs)",
            fmt_pct(share)
        ),
        value: Some(on_cpu as f64),
        delta: None,
        rate: uptime.map(|u| round2(on_cpu as f64 / u)),
        basis: "since-boot",
    });
    let nic_name = nic_by_interrupts(host);
    let nic = nic_name
        .as_deref()
        .and_then(|n| host.interface(n))
        .or_else(|| busiest_nic(host));
    f.remediation = remediation(host, nic, None, ncpu);
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::test_support::{assert_any_contains, assert_any_starts_with};
    use super::*;
    use crate::model::{Channels, CpuUsage, PerCpuCounts, ProcessUsage};
    use crate::test_support::at;

    fn usage(cpu: &str, si: f64) -> CpuUsage {
        CpuUsage {
            cpu: cpu.into(),
            us: Some(1.0),
            sy: Some(1.0),
            ni: Some(0.0),
            id: Some(100.0 - si - 2.0),
            wa: Some(0.0),
            hi: Some(0.0),
            si: Some(si),
            st: Some(0.0),
        }
    }

    /// Synthetic: a `top -1 -n N` run whose frames have these per-CPU si values.
    fn top_run(host: &mut Host, frames: &[&[f64]], procs: &[(&str, f64)]) {
        for (n, sis) in frames.iter().enumerate() {
            host.cpu.push(CpuSample {
                time: at(3 * n as u32),
                source: if n == 0 {
                    "top.txt".into()
                } else {
                    format!("top.txt:{}", 10 * n)
                },
                first_iteration: n == 0,
                cpus: sis
                    .iter()
                    .enumerate()
                    .map(|(i, si)| usage(&i.to_string(), *si))
                    .collect(),
                processes: procs
                    .iter()
                    .map(|(c, p)| ProcessUsage {
                        pid: Some(1),
                        user: Some("root".into()),
                        cpu_percent: *p,
                        command: (*c).into(),
                    })
                    .collect(),
                represents: 1,
            });
        }
    }

    /// Synthetic: a virtio_net eth0 with one queue, 4 CPUs.
    fn guest() -> Host {
        let mut h = Host::new("guest");
        h.cpu_count = Some(4);
        let eth0 = h.interface_mut("eth0", None);
        eth0.kind = InterfaceKind::Physical;
        eth0.driver = Some("virtio_net".into());
        eth0.channels = Some(Channels {
            combined: Some(1),
            combined_max: Some(4),
            source: "ethtool_-l_eth0".into(),
            ..Default::default()
        });
        h
    }

    fn softirqs(h: &mut Host, readings: &[(u32, Vec<u64>)], row: &str, source: &str) {
        for (s, counts) in readings {
            let r = PerCpuCounts {
                time: at(*s),
                source: format!("{source}:{s}"),
                cpus: (0..counts.len() as u32).collect(),
                rows: [(row.to_string(), counts.clone())].into_iter().collect(),
            };
            if row == "NET_RX" {
                h.softirqs.push(r);
            } else {
                h.interrupts.push(r);
            }
        }
    }

    #[test]
    fn one_cpu_saturated_in_si_is_critical_with_multiqueue_remediation() {
        let mut h = guest();
        top_run(
            &mut h,
            &[
                &[0.0, 0.0, 0.0, 0.0],
                &[1.0, 97.5, 2.0, 0.5],
                &[0.0, 95.0, 1.0, 1.0],
            ],
            &[("ksoftirqd/1", 88.0)],
        );
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject, "cpu1");
        assert!(f[0].summary.contains("97.5 %"), "{}", f[0].summary);
        assert!(
            f[0].remediation[0].starts_with("ethtool -L eth0 combined 4"),
            "{:?}",
            f[0].remediation
        );
        assert_any_contains(&f[0].remediation, "<driver name='vhost' queues='4'/>");
        assert_any_starts_with(&f[0].remediation, "echo f > /sys/class/net/eth0/queues/rx-0/rps_cpus");
        assert!(f[0]
            .evidence
            .iter()
            .any(|e| e.metric.starts_with("ksoftirqd/1")));
        // The first frame (all zero) was skipped: 2 of 2 later frames.
        assert!(
            f[0].summary.contains("(2 of 2 per-CPU samples)"),
            "{}",
            f[0].summary
        );
    }

    #[test]
    fn moderate_si_on_one_cpu_is_a_warning_and_balanced_si_is_silent() {
        let mut h = guest();
        top_run(&mut h, &[&[0.0; 4], &[3.0, 62.0, 4.0, 2.0]], &[]);
        assert_eq!(check(&h)[0].severity, Severity::Warning);
        let mut busy_all = guest();
        top_run(&mut busy_all, &[&[0.0; 4], &[55.0, 60.0, 52.0, 58.0]], &[]);
        assert!(check(&busy_all).is_empty());
        let mut healthy = guest();
        top_run(
            &mut healthy,
            &[&[0.0; 4], &[2.0, 3.0, 1.5, 2.5]],
            &[("ksoftirqd/0", 1.0)],
        );
        assert!(check(&healthy).is_empty());
    }

    #[test]
    fn first_frames_alone_never_make_it_critical() {
        let mut h = guest();
        // Two separate `top -n1` runs (two series): only first frames.
        for (i, src) in ["a.txt", "b.txt"].iter().enumerate() {
            h.cpu.push(CpuSample {
                time: at(i as u32),
                source: (*src).into(),
                first_iteration: true,
                cpus: vec![usage("0", 99.0), usage("1", 0.0)],
                processes: vec![],
                represents: 1,
            });
        }
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].subject, "cpu0");
    }

    #[test]
    fn net_rx_concentrated_with_volume_is_a_warning_unless_the_cpu_is_idle() {
        let mut h = guest();
        // 10 s: CPU2 takes 95 000 of 95 300 NET_RX (9530/s).
        softirqs(
            &mut h,
            &[
                (0, vec![1_000, 2_000, 50_000, 700]),
                (10, vec![1_100, 2_100, 145_000, 800]),
            ],
            "NET_RX",
            "softirqs",
        );
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].subject, "cpu2");
        assert!(f[0].summary.contains("NET_RX"), "{}", f[0].summary);
        assert_eq!(f[0].evidence[0].delta, Some(95_000.0));
        // Same, but per-CPU top during the capture shows cpu2 at 3 % si: info only.
        top_run(&mut h, &[&[0.0; 4], &[0.5, 0.5, 3.0, 0.2]], &[]);
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Info);
        // Low volume (50/s) is not a concentration.
        let mut quiet = guest();
        softirqs(
            &mut quiet,
            &[(0, vec![0, 0, 0, 0]), (10, vec![0, 0, 500, 0])],
            "NET_RX",
            "softirqs",
        );
        crate::timeline::compute(&mut quiet);
        assert!(check(&quiet).is_empty());
    }

    #[test]
    fn nic_vectors_on_one_cpu_name_the_nic_and_its_irq() {
        let mut h = guest();
        h.interface_mut("eth0", None).channels = Some(Channels {
            combined: Some(2),
            combined_max: Some(8),
            source: "l".into(),
            ..Default::default()
        });
        softirqs(
            &mut h,
            &[(0, vec![10, 5_000, 0, 0]), (5, vec![20, 60_000, 0, 0])],
            "virtio2-input.0 (38)",
            "interrupts",
        );
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f[0].subject, "cpu1");
        assert!(
            f[0].summary.contains("eth0's queue interrupts"),
            "{}",
            f[0].summary
        );
        // min(max 8, 4 CPUs) = 4
        assert!(
            f[0].remediation[0].starts_with("ethtool -L eth0 combined 4   # now 2 of max 8"),
            "{:?}",
            f[0].remediation
        );
        assert_any_contains(&f[0].remediation, "IRQ 38 virtio2-input.0 on cpu1");
        assert_any_starts_with(&f[0].remediation, "echo <cpu> > /proc/irq/38/smp_affinity_list");
        assert_any_starts_with(&f[0].remediation, "echo f | tee /sys/class/net/eth0/queues/rx-*/rps_cpus");
    }

    #[test]
    fn a_vector_names_its_device_even_without_ip_link() {
        // Synthetic: 8 CPUs, ixgbe-style vectors of eth3 (no ip link of eth3), all on cpu5.
        let mut h = Host::new("h");
        h.cpu_count = Some(8);
        let mut before = vec![0u64; 8];
        let mut after = vec![0u64; 8];
        before[5] = 1_000;
        after[5] = 41_000;
        softirqs(
            &mut h,
            &[(0, before), (10, after)],
            "eth3-TxRx-0 (77)",
            "interrupts",
        );
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f[0].subject, "cpu5");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].remediation[0].starts_with("ethtool -l eth3"),
            "{:?}",
            f[0].remediation
        );
        assert_any_starts_with(&f[0].remediation, "echo ff > /sys/class/net/eth3/queues/rx-0/rps_cpus");
    }

    #[test]
    fn ksoftirqd_names_accepted_and_alone_warns_without_per_cpu_si() {
        assert_eq!(ksoftirqd_cpu("ksoftirqd/3"), Some(Some(3)));
        assert_eq!(ksoftirqd_cpu("[ksoftirqd/12]"), Some(Some(12)));
        assert_eq!(ksoftirqd_cpu("ksoftirqd+"), Some(None));
        assert_eq!(ksoftirqd_cpu("kworker/0:1"), None);
        let mut h = guest();
        // Summary-only top (no per-CPU lines): %Cpu(s) only.
        h.cpu.push(CpuSample {
            time: at(0),
            source: "top".into(),
            first_iteration: true,
            cpus: vec![usage("all", 25.0)],
            processes: vec![ProcessUsage {
                pid: Some(16),
                user: None,
                cpu_percent: 97.3,
                command: "ksoftirqd/0".into(),
            }],
            represents: 1,
        });
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].subject, "cpu0");
        // A cut name cannot name the CPU: nothing.
        h.cpu[0].processes[0].command = "ksoftirqd+".into();
        assert!(check(&h).is_empty());
    }

    #[test]
    fn since_boot_totals_are_info_and_single_cpu_hosts_are_silent() {
        let mut h = guest();
        h.uptime_seconds = Some(100);
        softirqs(
            &mut h,
            &[(0, vec![10, 500_000, 20, 30])],
            "NET_RX",
            "softirqs",
        );
        crate::timeline::compute(&mut h);
        let f = check(&h);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].subject, "cpu1");
        let mut one = Host::new("one");
        one.cpu_count = Some(1);
        top_run(&mut one, &[&[99.0], &[99.0]], &[]);
        assert!(check(&one).is_empty());
    }

    #[test]
    fn rps_masks_follow_the_kernel_bitmap_format() {
        assert_eq!(cpu_mask(2), "3");
        assert_eq!(cpu_mask(16), "ffff");
        assert_eq!(cpu_mask(32), "ffffffff");
        assert_eq!(cpu_mask(40), "ff,ffffffff");
    }
}
