//! SYNTHETIC series shared by the retention and timeline tests of this crate and by the rules
//! crate's tests (which cannot see this crate's `#[cfg(test)]` code). Hidden from the docs:
//! not part of the model.

use chrono::NaiveDate;

use crate::sample::CounterSample;
use crate::time::Timestamp;

/// `second` seconds after 2016-11-29 12:00:00 at UTC−5 (the seed 000 capture's day).
pub fn at(second: i64) -> Option<Timestamp> {
    let base = NaiveDate::from_ymd_opt(2016, 11, 29)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    Some(Timestamp::new(
        base + chrono::Duration::seconds(second),
        Some(-5 * 3600),
    ))
}

/// `n` samples 5 s apart of a tap whose tx_dropped grows 10 per interval, except a burst of
/// 5 000 in interval 777 and a driver reload (counters back to 0) before sample 1500;
/// tx_packets grows 1 000 per interval.
pub fn long_tap(n: usize) -> Vec<CounterSample> {
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
