//! Time on the x axis: what the axis measures ([`XAxis`]), positions from timestamps, and
//! the clock labels of ticks and tooltips.
//!
//! Captures mix absolute times (with a UTC offset) and local ones; a chart only puts
//! readings on one time axis when all of them are of the same kind, else it numbers the
//! samples instead, so that no line is drawn against a made-up clock.

use rules::model::Timestamp;

/// What the x axis measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum XAxis {
    /// Epoch seconds; labels in the capture's own offset (first time's).
    Time { offset: Option<i32> },
    /// Sample numbers (times unknown or not comparable).
    Index,
}

/// Seconds since the epoch (local times as if UTC), with milliseconds.
pub(super) fn secs(t: &Timestamp) -> f64 {
    t.epoch_seconds() as f64 + f64::from(t.local.and_utc().timestamp_subsec_millis()) / 1000.0
}

/// `HH:MM:SS` (or `MM-DD HH:MM` for long spans) of an x position on a time axis.
pub(super) fn clock(x: f64, offset: Option<i32>, long: bool) -> String {
    let local = x + f64::from(offset.unwrap_or(0));
    match chrono::DateTime::from_timestamp(local.round() as i64, 0) {
        Some(d) if long => d.naive_utc().format("%m-%d %H:%M").to_string(),
        Some(d) => d.naive_utc().format("%H:%M:%S").to_string(),
        None => "?".into(),
    }
}

/// The zone the clock labels are in: `UTC−05:00`, or host local time when unknown.
pub(super) fn zone(offset: Option<i32>) -> String {
    match offset {
        Some(o) => {
            let sign = if o < 0 { '−' } else { '+' };
            let a = o.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
        }
        None => "host local time".into(),
    }
}

/// A time axis when all times are known and comparable (all absolute, or all local).
pub(super) fn comparable<'a>(
    times: impl IntoIterator<Item = Option<&'a Timestamp>>,
) -> Option<XAxis> {
    let mut kind: Option<bool> = None;
    let mut offset = None;
    for t in times {
        let t = t?;
        match kind {
            None => {
                kind = Some(t.offset_seconds.is_some());
                offset = t.offset_seconds;
            }
            Some(k) if k != t.offset_seconds.is_some() => return None,
            _ => {}
        }
    }
    kind.map(|_| XAxis::Time { offset })
}

/// The span `x0`–`x1` as a tooltip names it: clock times, or sample numbers.
pub(super) fn tip_range(axis: XAxis, x0: f64, x1: f64) -> String {
    match axis {
        XAxis::Time { offset } => {
            if (x1 - x0).abs() < 1e-9 {
                clock(x1, offset, false)
            } else {
                format!("{}–{}", clock(x0, offset, false), clock(x1, offset, false))
            }
        }
        XAxis::Index => {
            if (x1 - x0).abs() < 1e-9 {
                format!("sample #{}", x1 as i64 + 1)
            } else {
                format!("samples #{}–#{}", x0 as i64 + 1, x1 as i64 + 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_and_tooltip_ranges_read_as_people_write_them() {
        assert_eq!(zone(Some(-5 * 3600)), "UTC−05:00");
        assert_eq!(zone(Some(5 * 3600 + 1800)), "UTC+05:30");
        assert_eq!(zone(None), "host local time");
        assert_eq!(tip_range(XAxis::Index, 0.0, 2.0), "samples #1–#3");
        assert_eq!(tip_range(XAxis::Index, 4.0, 4.0), "sample #5");
        let utc = XAxis::Time { offset: Some(0) };
        assert_eq!(tip_range(utc, 3600.0, 3605.0), "01:00:00–01:00:05");
    }
}
