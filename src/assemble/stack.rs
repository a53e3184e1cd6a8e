//! Merging the layers above the NIC of two parts of one machine (several sosreports, or a
//! sosreport and a capture log): protocol and conntrack counters, sockstat and conntrack
//! levels, qdiscs and kernel-log events. A reading present in both (the same archive given
//! twice) is kept once.

use std::mem::take;

use rules::model::{cmp_time, CounterSeries, Host, Levels, Qdisc};

/// Moves `other`'s layers above the NIC into `into`.
pub fn merge(into: &mut Host, other: &mut Host) {
    series(&mut into.protocol, take(&mut other.protocol));
    series(&mut into.conntrack, take(&mut other.conntrack));
    levels(&mut into.sockstat, take(&mut other.sockstat));
    levels(&mut into.conntrack_count, take(&mut other.conntrack_count));
    super::kernel_log::merge(&mut into.kernel_log, take(&mut other.kernel_log));
    let files = take(&mut other.kernel_log_files);
    super::kernel_log::merge_files(&mut into.kernel_log_files, files);
    for q in take(&mut other.qdiscs) {
        match into.qdiscs.iter_mut().find(|i| same_qdisc(i, &q)) {
            Some(i) => {
                series(&mut i.counters, q.counters);
                if q.backlog.is_some() {
                    i.backlog = q.backlog;
                }
            }
            None => into.qdiscs.push(q),
        }
    }
}

fn same_qdisc(a: &Qdisc, b: &Qdisc) -> bool {
    (&a.dev, &a.namespace, &a.handle, &a.parent, &a.kind)
        == (&b.dev, &b.namespace, &b.handle, &b.parent, &b.kind)
}

/// Both series' readings in time order, each distinct reading once.
fn series(into: &mut CounterSeries, other: CounterSeries) {
    if other.is_empty() {
        return;
    }
    into.samples.extend(other.samples);
    into.samples.sort_by(|a, b| cmp_time(&a.time, &b.time));
    into.samples
        .dedup_by(|a, b| a.time == b.time && a.counters == b.counters);
    into.deltas.extend(other.deltas);
}

/// Levels of both: the peaks of either, and the later latest reading.
fn levels(into: &mut Levels, other: Levels) {
    if other.is_empty() {
        return;
    }
    into.readings += other.readings;
    for (key, peak) in other.peaks {
        let higher = into.peaks.get(&key).is_none_or(|p| peak.value > p.value);
        if higher {
            into.peaks.insert(key, peak);
        }
    }
    let later = match (&into.latest, &other.latest) {
        (Some(i), Some(o)) => cmp_time(&o.time, &i.time).is_gt(),
        (None, _) => true,
        (Some(_), None) => false,
    };
    if later {
        into.latest = other.latest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::model::{CounterSample, Timestamp};

    fn sample(minute: u32, kv: &[(&str, u64)]) -> CounterSample {
        let local = chrono::NaiveDate::from_ymd_opt(2024, 5, 1)
            .unwrap()
            .and_hms_opt(10, minute, 0)
            .unwrap();
        CounterSample {
            time: Some(Timestamp::new(local, Some(0))),
            source: format!("sosreport-{minute}!proc/net/snmp"),
            counters: kv.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            approximate: false,
        }
    }

    #[test]
    fn two_sosreports_of_one_host_give_one_series_in_time_order() {
        let mut a = Host::new("web01");
        let mut b = Host::new("web01");
        a.protocol
            .samples
            .push(sample(20, &[("TcpExtListenOverflows", 900)]));
        b.protocol
            .samples
            .push(sample(10, &[("TcpExtListenOverflows", 400)]));
        // The same reading twice (the archive given twice) is kept once.
        b.protocol
            .samples
            .push(sample(20, &[("TcpExtListenOverflows", 900)]));
        a.sockstat.add(sample(20, &[("TCP_mem", 10)]));
        b.sockstat.add(sample(10, &[("TCP_mem", 50)]));
        merge(&mut a, &mut b);
        let values: Vec<u64> = a
            .protocol
            .samples
            .iter()
            .map(|s| s.counters["TcpExtListenOverflows"])
            .collect();
        assert_eq!(values, [400, 900]);
        assert_eq!(a.sockstat.readings, 2);
        assert_eq!(a.sockstat.peaks["TCP_mem"].value, 50);
        assert_eq!(a.sockstat.latest.as_ref().unwrap().counters["TCP_mem"], 10);
    }
}
