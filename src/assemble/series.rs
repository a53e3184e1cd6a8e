//! Time-series captures into the host model: ifconfig, top, sar, /proc/interrupts,
//! /proc/softirqs, ipvsadm.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rules::model::{
    CounterSample, CpuSample, CpuUsage, Host, Interval, IntervalKind, IpvsSample, PerCpuCounts,
    ProcessUsage, SoftnetInterval, Timestamp,
};
use rules::timeline::{seconds_between, SoftnetCpuDelta};

/// Processes kept per `top` frame: the busiest ones carry the signal (ksoftirqd, vhost, qemu).
const TOP_PROCESSES_KEPT: usize = 25;

/// The name given to an interface whose counters were pasted without its name.
pub const UNNAMED_INTERFACE: &str = "IFACE";

pub fn apply_ifconfig(
    host: &mut Host,
    ifaces: Vec<parsers::ifconfig::IfconfigIface>,
    time: Option<Timestamp>,
    source: &str,
) {
    for i in ifaces {
        // `eth0:1` is an address alias of eth0, not a device: its counters are eth0's.
        if i.name.contains(':') {
            continue;
        }
        // Counter lines pasted without their block header: the device is not in the data, so
        // findings and commands name a placeholder the reader fills in (the problem list says
        // the lines were kept under an unnamed interface).
        let name = if i.name.is_empty() {
            UNNAMED_INTERFACE
        } else {
            i.name.as_str()
        };
        let iface = host.interface_mut(name, None);
        iface.qlen = i.txqueuelen.or(iface.qlen);
        iface.mtu = i.mtu.or(iface.mtu);
        if let Some(mac) = &i.mac {
            iface.mac = Some(mac.to_ascii_lowercase());
        }
        super::note_usage_flags(iface, &i.flags);
        if !i.counters.is_empty() {
            iface.samples.push(CounterSample {
                time,
                source: source.to_string(),
                counters: i.counters,
                approximate: false,
            });
        }
    }
}

/// A `top` clock on the day of `base` (the capture's date), after midnight if needed.
fn on_day(base: Option<Timestamp>, clock: Option<chrono::NaiveTime>) -> Option<Timestamp> {
    let (base, clock) = (base?, clock?);
    let mut local = base.local.date().and_time(clock);
    if base.local - local > chrono::Duration::hours(12) {
        local += chrono::Duration::days(1);
    }
    Some(Timestamp::new(local, base.offset_seconds))
}

pub fn apply_top(
    host: &mut Host,
    frames: Vec<parsers::top::TopFrame>,
    time: Option<Timestamp>,
    source: &str,
) {
    for (n, frame) in frames.into_iter().enumerate() {
        let frame_time = if n == 0 {
            time
        } else {
            on_day(time, frame.clock).or(time)
        };
        let cpus = frame
            .cpus
            .iter()
            .map(|c| CpuUsage {
                cpu: c.cpu.map_or_else(|| "all".to_string(), |n| n.to_string()),
                us: c.us,
                sy: c.sy,
                ni: c.ni,
                id: c.id,
                wa: c.wa,
                hi: c.hi,
                si: c.si,
                st: c.st,
            })
            .collect();
        let mut processes: Vec<ProcessUsage> = frame
            .processes
            .into_iter()
            .filter_map(|p| {
                let cpu = p.cpu_percent.filter(|c| *c > 0.0)?;
                Some(ProcessUsage {
                    pid: p.pid,
                    user: p.user,
                    cpu_percent: cpu,
                    command: p.command,
                })
            })
            .collect();
        processes.sort_by(|a, b| {
            b.cpu_percent
                .total_cmp(&a.cpu_percent)
                .then(a.pid.cmp(&b.pid))
        });
        processes.truncate(TOP_PROCESSES_KEPT);
        host.cpu.push(CpuSample {
            time: frame_time,
            source: if n == 0 {
                source.to_string()
            } else {
                format!("{}:{}", rules::timeline::series_of(source), frame.line)
            },
            first_iteration: frame.first_iteration || n == 0,
            cpus,
            processes,
            represents: 1,
        });
    }
}

/// `/proc/softirqs`: the network rows only.
pub fn apply_softirqs(
    host: &mut Host,
    s: parsers::interrupts::Softirqs,
    time: Option<Timestamp>,
    source: &str,
) {
    let rows: BTreeMap<String, Vec<u64>> = s
        .rows
        .into_iter()
        .filter(|(k, _)| k == "NET_RX" || k == "NET_TX")
        .collect();
    if !rows.is_empty() {
        host.softirqs.push(PerCpuCounts {
            time,
            source: source.to_string(),
            cpus: s.cpus,
            rows,
        });
    }
}

/// Does an IRQ name look like a network queue vector (`eth0-TxRx-3`, `virtio0-input.0`,
/// `mlx5_comp5@pci:…`, `i40e-eth0-TxRx-1`) or name one of the host's interfaces?
fn is_network_vector(name: &str, interfaces: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let markers = [
        "-txrx-",
        "-rx-",
        "-tx-",
        "-input.",
        "-output.",
        "mlx5_comp",
        "mlx4-",
        "-fp-",
        "ens",
        "enp",
        "eno",
        "eth",
    ];
    markers.iter().any(|m| lower.contains(m))
        || interfaces
            .iter()
            .any(|i| i.len() > 1 && (name == i || name.starts_with(&format!("{i}-"))))
}

/// `/proc/interrupts`: the rows of network queue vectors, keyed by vector name.
pub fn apply_interrupts(
    host: &mut Host,
    irq: parsers::interrupts::Interrupts,
    time: Option<Timestamp>,
    source: &str,
) {
    let interfaces: Vec<String> = host.interfaces.iter().map(|i| i.name.clone()).collect();
    let mut rows = BTreeMap::new();
    for row in irq.rows {
        if let Some(name) = row.names.iter().find(|n| is_network_vector(n, &interfaces)) {
            rows.insert(format!("{} ({})", name, row.irq), row.counts);
        }
    }
    if !rows.is_empty() {
        host.interrupts.push(PerCpuCounts {
            time,
            source: source.to_string(),
            cpus: irq.cpus,
            rows,
        });
    }
}

pub fn apply_ipvsadm(
    host: &mut Host,
    ipvs: parsers::ipvsadm::Ipvsadm,
    time: Option<Timestamp>,
    source: &str,
) {
    let connections = ipvs.connections.or_else(|| {
        let per_rs = ipvs.services.iter().flat_map(|s| &s.real_servers);
        let mut any = false;
        let mut sum = 0u64;
        for rs in per_rs {
            if let (Some(a), Some(i)) = (rs.active_conn, rs.inact_conn) {
                any = true;
                sum = sum.saturating_add(a).saturating_add(i);
            }
        }
        any.then_some(sum)
    });
    host.ipvs.push(IpvsSample {
        time,
        source: source.to_string(),
        table_size: ipvs.table_size,
        connections,
        timeouts: ipvs.timeouts,
        services: ipvs
            .services
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok())
            .collect(),
        represents: 1,
    });
}

/// sar DEV/EDEV column → counter key, and the factor from the column's unit to the key's.
fn sar_net_key(column: &str) -> Option<(&'static str, f64)> {
    Some(match column {
        "rxpck/s" => ("rx_packets", 1.0),
        "txpck/s" => ("tx_packets", 1.0),
        "rxkB/s" => ("rx_bytes", 1024.0),
        "txkB/s" => ("tx_bytes", 1024.0),
        "rxcmp/s" => ("rx_compressed", 1.0),
        "txcmp/s" => ("tx_compressed", 1.0),
        "rxmcst/s" => ("multicast", 1.0),
        "rxerr/s" => ("rx_errors", 1.0),
        "txerr/s" => ("tx_errors", 1.0),
        "coll/s" => ("collisions", 1.0),
        // sysstat reads /proc/net/dev: its drop/frame/carrier columns are the folded ones.
        "rxdrop/s" => ("proc_rx_drop", 1.0),
        "txdrop/s" => ("tx_dropped", 1.0),
        "txcarr/s" => ("proc_tx_carrier", 1.0),
        "rxfram/s" => ("proc_rx_frame", 1.0),
        "rxfifo/s" => ("rx_fifo_errors", 1.0),
        "txfifo/s" => ("tx_fifo_errors", 1.0),
        _ => return None,
    })
}

fn sar_soft_key(column: &str) -> Option<&'static str> {
    Some(match column {
        "total/s" => "processed",
        "dropd/s" => "dropped",
        "squeezd/s" => "time_squeeze",
        "rx_rps/s" => "received_rps",
        "flw_lim/s" => "flow_limit_count",
        _ => return None,
    })
}

/// sar rates become `reported` intervals ending at each row's time and starting at the
/// previous row's time for the same key (unknown for the first row of a day's file).
pub fn apply_sar(host: &mut Host, sar: parsers::sar::SarFile, offset: Option<i32>, source: &str) {
    let at = |t: NaiveDateTime| Timestamp::new(t, offset);
    // Interfaces: DEV and EDEV rows of the same time and interface form one interval.
    let mut per_iface: BTreeMap<(String, NaiveDateTime), BTreeMap<String, f64>> = BTreeMap::new();
    for row in sar.dev.iter().chain(&sar.edev) {
        let entry = per_iface.entry((row.key.clone(), row.time)).or_default();
        for (col, v) in &row.values {
            if let Some((key, factor)) = sar_net_key(col) {
                entry.insert(key.to_string(), v * factor);
            }
        }
    }
    let mut prev: BTreeMap<String, NaiveDateTime> = BTreeMap::new();
    for ((iface, time), rates) in per_iface {
        let start = prev
            .insert(iface.clone(), time)
            .filter(|p| *p < time && !restart_between(&sar, *p, time));
        let end = at(time);
        host.interface_mut(&iface, None).deltas.push(Interval {
            kind: IntervalKind::Reported,
            series: source.to_string(),
            start: start.map(at),
            end: Some(end),
            start_source: None,
            end_source: source.to_string(),
            seconds: seconds_between(start.map(at), Some(end)),
            reset: false,
            wrapped: Vec::new(),
            deltas: BTreeMap::new(),
            rates,
            merged: 1,
            peak_rates: BTreeMap::new(),
        });
    }
    // Softnet: one interval per time with every CPU's row.
    let mut soft: BTreeMap<NaiveDateTime, Vec<SoftnetCpuDelta>> = BTreeMap::new();
    for row in &sar.soft {
        let Ok(cpu) = row.key.parse::<u32>() else {
            continue;
        };
        let rates = row
            .values
            .iter()
            .filter_map(|(c, v)| sar_soft_key(c).map(|k| (k.to_string(), *v)))
            .collect();
        soft.entry(row.time).or_default().push(SoftnetCpuDelta {
            cpu,
            deltas: BTreeMap::new(),
            rates,
        });
    }
    let mut last: Option<NaiveDateTime> = None;
    for (time, cpus) in soft {
        let start = last
            .replace(time)
            .filter(|p| !restart_between(&sar, *p, time));
        host.softnet_deltas.push(SoftnetInterval {
            kind: IntervalKind::Reported,
            series: source.to_string(),
            start: start.map(at),
            end: Some(at(time)),
            start_source: None,
            end_source: source.to_string(),
            seconds: seconds_between(start.map(at), Some(at(time))),
            reset: false,
            cpus,
            merged: 1,
        });
    }
    // CPU utilisation: one sample per time.
    let mut cpu: BTreeMap<NaiveDateTime, Vec<CpuUsage>> = BTreeMap::new();
    for row in &sar.cpu {
        let v = |names: &[&str]| names.iter().find_map(|n| row.values.get(*n).copied());
        cpu.entry(row.time).or_default().push(CpuUsage {
            cpu: row.key.clone(),
            us: v(&["%usr", "%user"]),
            sy: v(&["%sys", "%system"]),
            ni: v(&["%nice"]),
            id: v(&["%idle"]),
            wa: v(&["%iowait"]),
            hi: v(&["%irq"]),
            si: v(&["%soft"]),
            st: v(&["%steal"]),
        });
    }
    for (time, cpus) in cpu {
        host.cpu.push(CpuSample {
            time: Some(at(time)),
            source: source.to_string(),
            first_iteration: false,
            cpus,
            processes: Vec::new(),
            represents: 1,
        });
    }
}

fn restart_between(sar: &parsers::sar::SarFile, a: NaiveDateTime, b: NaiveDateTime) -> bool {
    sar.restarts.iter().any(|r| *r > a && *r <= b)
}
