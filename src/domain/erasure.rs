//! What erasing a person keeps: codes that statistics need, and dates only to the month.

use chrono::{Datelike, NaiveDate};

/// Written where a required text held personal data.
pub const ERASED: &str = "[erased]";

/// The first day of the date's month: enough for statistics by period, not to single out a birthday.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_only_their_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(month_of(d(1990, 5, 17)), d(1990, 5, 1));
        assert_eq!(month_of(d(2024, 2, 29)), d(2024, 2, 1));
        assert_eq!(month_of(d(2026, 1, 1)), d(2026, 1, 1));
    }
}
