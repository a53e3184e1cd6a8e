//! Time as the captures print it: a wall-clock [`Timestamp`] that may or may not know its UTC
//! offset, and the order of optional times.

use std::cmp::Ordering;
use std::fmt;

use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use serde::{Serialize, Serializer};

/// A wall-clock time as the capture printed it. When the capture gave a UTC offset, the time
/// is absolute; otherwise it is local time of the captured machine and is marked as such in
/// JSON by the missing offset (`2019-10-02T02:54:30` instead of `2019-10-02T02:54:30+00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub local: NaiveDateTime,
    pub offset_seconds: Option<i32>,
}

impl Timestamp {
    pub fn new(local: NaiveDateTime, offset_seconds: Option<i32>) -> Self {
        Timestamp {
            local,
            offset_seconds,
        }
    }

    /// Seconds since the epoch, treating a local time as UTC (only comparable with other
    /// local times of the same machine).
    pub fn epoch_seconds(&self) -> i64 {
        let utc = self.local.and_utc().timestamp();
        utc - i64::from(self.offset_seconds.unwrap_or(0))
    }

    /// From a UNIX epoch (floating seconds), as written in sos manifests: always UTC.
    pub fn from_epoch(seconds: f64) -> Option<Self> {
        if !seconds.is_finite() {
            return None;
        }
        let whole = seconds.floor();
        let nanos = ((seconds - whole) * 1e9) as u32;
        let dt = chrono::DateTime::from_timestamp(whole as i64, nanos)?;
        Some(Timestamp::new(dt.naive_utc(), Some(0)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.local.format("%Y-%m-%dT%H:%M:%S");
        match self
            .offset_seconds
            .and_then(FixedOffset::east_opt)
            .and_then(|o| o.from_local_datetime(&self.local).single())
        {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%:z")),
            None => write!(f, "{base}"),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch_seconds()
            .cmp(&other.epoch_seconds())
            .then(self.local.cmp(&other.local))
            .then(self.offset_seconds.cmp(&other.offset_seconds))
    }
}

/// Orders optional times with unknown times last, keeping the input order among equals.
pub fn cmp_time(a: &Option<Timestamp>, b: &Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2019, 10, 2)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    #[test]
    fn timestamp_prints_offset_only_when_known() {
        assert_eq!(
            Timestamp::new(at(2, 54, 30), Some(0)).to_string(),
            "2019-10-02T02:54:30+00:00"
        );
        assert_eq!(
            Timestamp::new(at(2, 54, 30), Some(9 * 3600)).to_string(),
            "2019-10-02T02:54:30+09:00"
        );
        assert_eq!(
            Timestamp::new(at(2, 54, 30), None).to_string(),
            "2019-10-02T02:54:30"
        );
    }

    #[test]
    fn timestamps_order_by_instant() {
        // 11:00 in Tokyo is 02:00 UTC, before 02:54 UTC.
        let tokyo = Timestamp::new(at(11, 0, 0), Some(9 * 3600));
        let utc = Timestamp::new(at(2, 54, 0), Some(0));
        assert!(tokyo < utc);
    }

    #[test]
    fn epoch_from_manifest_float() {
        let t = Timestamp::from_epoch(1_569_984_870.25).unwrap();
        assert_eq!(t.to_string(), "2019-10-02T02:54:30+00:00");
        assert!(Timestamp::from_epoch(f64::NAN).is_none());
    }
}
