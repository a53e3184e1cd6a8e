//! Evidence read from a series retention thinned: the burst stays visible as the peak rate of
//! the merged interval that holds it.

use rules::evidence::growth;
use rules::model::{CounterSample, Host, Timestamp};
use rules::retention::bound;
use rules::timeline;

use chrono::NaiveDate;

fn at(second: i64) -> Option<Timestamp> {
    let base = NaiveDate::from_ymd_opt(2016, 11, 29)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    Some(Timestamp::new(
        base + chrono::Duration::seconds(second),
        Some(-5 * 3600),
    ))
}

/// SYNTHETIC: `n` samples 5 s apart of a tap whose tx_dropped grows 10 per interval,
/// except a burst of 5 000 in interval 777 and a driver reload (counters back to 0)
/// before sample 1500; tx_packets grows 1 000 per interval.
fn long_tap(n: usize) -> Vec<CounterSample> {
    let mut dropped = 0u64;
    let mut packets = 0u64;
    (0..n)
        .map(|i| {
            if i == 1500 {
                dropped = 0;
                packets = 0;
            } else if i > 0 {
                dropped += if i == 777 { 5_000 } else { 10 };
                packets += 1_000;
            }
            CounterSample {
                time: at(5 * i as i64),
                source: format!("capture.log:{}", 10 + 13 * i),
                counters: [("tx_dropped", dropped), ("tx_packets", packets)]
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
                approximate: false,
            }
        })
        .collect()
}

/// Pushes samples one at a time, as the assembler does, then computes the timeline.
fn streamed(samples: Vec<CounterSample>) -> Host {
    let mut host = Host::new("synthetic");
    for s in samples {
        host.interface_mut("tap0", None).samples.push(s);
        bound(&mut host);
    }
    timeline::compute(&mut host);
    host
}

#[test]
fn growth_of_a_thinned_series_keeps_the_burst_peak() {
    let host = streamed(long_tap(4000));
    let kept = &host.interfaces[0].deltas;
    assert!(!host.thinned.is_empty(), "the series was thinned");
    // The burst: 5 000 drops in 5 s = 1 000/s, inside an interval that merged several.
    let burst = kept
        .iter()
        .find(|iv| iv.start <= at(5 * 776) && iv.end >= at(5 * 777))
        .unwrap();
    assert!(burst.merged > 1);
    let g = growth(kept, &["tx_dropped"], &["tx_packets"]).unwrap();
    assert_eq!(g.peak_rate, Some(1_000.0));
}
