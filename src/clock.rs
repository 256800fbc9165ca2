//! What time it is, for the rules that depend on it: activation deadlines, overdue worklists, SLA figures.
//! The server reads the system clock; tests hold a clock they set, so that "48 hours later" takes no time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds since the epoch when set by hand; `None` reads the system clock.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// A clock that stays at `start` until it is set or advanced.
    pub fn manual(start: NaiveDateTime) -> Self {
        Clock { manual: Some(Arc::new(AtomicI64::new(start.and_utc().timestamp_micros()))) }
    }

    /// Now in UTC, to the microsecond (as stored).
    pub fn now(&self) -> NaiveDateTime {
        match &self.manual {
            None => crate::db::now(),
            Some(micros) => chrono::DateTime::from_timestamp_micros(micros.load(Ordering::SeqCst))
                .map(|t| t.naive_utc())
                .unwrap_or_else(crate::db::now),
        }
    }

    /// Sets a manual clock; a system clock cannot be set and ignores it.
    pub fn set(&self, at: NaiveDateTime) {
        if let Some(micros) = &self.manual {
            micros.store(at.and_utc().timestamp_micros(), Ordering::SeqCst);
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.set(self.now() + by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 28).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::hours(48));
        assert_eq!(clock.now(), start + chrono::Duration::hours(48));
        let shared = clock.clone();
        shared.set(start);
        assert_eq!(clock.now(), start, "clones share the time");
    }
}
