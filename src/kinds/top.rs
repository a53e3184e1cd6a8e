//! `top -b`: per-CPU usage (steal, softirq) and the busiest processes, frame by frame.

use rules::model::{CpuSample, CpuUsage, Host, ProcessUsage, Timestamp};

use super::{fixed_label, CaptureKind, Kind, Preparsed, Read, Start};

pub static TOP: Kind = Kind {
    label: fixed_label!("top"),
    paths: &[],
    argv: None,
    sniff: None,
    starts: &[Start {
        order: 10,
        indented: false,
        // A frame, or a pasted part of one that starts at its CPU summary line.
        test: |line| {
            (parsers::top::is_header(line)
                || line.starts_with("%Cpu(s):")
                || line.starts_with("Cpu(s):"))
            .then_some(CaptureKind::Top)
        },
    }],
    read: Read::Data(|r, c, pre| {
        // Only busy processes are kept in the model (see `apply`).
        let parsed = match pre {
            Preparsed::Top(p) => p,
            _ => parsers::top::parse_busy(&c.text),
        };
        let frames = r.take(parsed);
        apply(r.host, frames, r.time, &c.source);
    }),
};

/// Processes kept per `top` frame: the busiest ones carry the signal (ksoftirqd, vhost, qemu).
const TOP_PROCESSES_KEPT: usize = 25;

/// A `top` clock on the day of `base` (the capture's date), after midnight if needed.
fn on_day(base: Option<Timestamp>, clock: Option<chrono::NaiveTime>) -> Option<Timestamp> {
    let (base, clock) = (base?, clock?);
    let mut local = base.local.date().and_time(clock);
    if base.local - local > chrono::Duration::hours(12) {
        local += chrono::Duration::days(1);
    }
    Some(Timestamp::new(local, base.offset_seconds))
}

fn apply(
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
