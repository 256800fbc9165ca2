//! Italian civil time, for opening hours: schedules are written in local time, "open now" is asked in UTC.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// UTC → Italian local time: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October (the EU rule in force since 1996).
pub fn italian(utc: NaiveDateTime) -> NaiveDateTime {
    let year = utc.year();
    let summer_starts = last_sunday(year, 3).and_hms_opt(1, 0, 0);
    let summer_ends = last_sunday(year, 10).and_hms_opt(1, 0, 0);
    let summer = matches!((summer_starts, summer_ends), (Some(s), Some(e)) if s <= utc && utc < e);
    utc + Duration::hours(if summer { 2 } else { 1 })
}

/// Italian local time → UTC. A wall-clock time that happens twice (the autumn change) is read as the first,
/// one that never happens (the spring gap) as if the change had not happened yet.
pub fn italian_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let summer = local - Duration::hours(2);
    if italian(summer) == local { summer } else { local - Duration::hours(1) }
}

/// The UTC instant an Italian calendar day begins: periods given in days are read in Italian time.
pub fn day_start_utc(day: NaiveDate) -> NaiveDateTime {
    italian_to_utc(day.and_time(chrono::NaiveTime::MIN))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    // March and October always exist; the fallback is never taken.
    let last = first_of_next.and_then(|d| d.pred_opt()).unwrap_or_default();
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

/// ISO weekday number of a date: 1 = Monday … 7 = Sunday, as schedules store it.
pub fn iso_weekday(date: NaiveDate) -> i32 {
    date.weekday().number_from_monday() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn winter_is_utc_plus_one_and_summer_plus_two() {
        assert_eq!(italian(utc("2026-01-15 11:00")), utc("2026-01-15 12:00"));
        assert_eq!(italian(utc("2026-07-15 11:00")), utc("2026-07-15 13:00"));
    }

    #[test]
    fn the_change_happens_at_one_utc_on_the_last_sundays() {
        // 2026: summer time from Sunday 29 March to Sunday 25 October.
        assert_eq!(italian(utc("2026-03-29 00:59")), utc("2026-03-29 01:59"));
        assert_eq!(italian(utc("2026-03-29 01:00")), utc("2026-03-29 03:00"));
        assert_eq!(italian(utc("2026-10-25 00:59")), utc("2026-10-25 02:59"));
        assert_eq!(italian(utc("2026-10-25 01:00")), utc("2026-10-25 02:00"));
    }

    #[test]
    fn local_midnights_convert_back_to_utc() {
        assert_eq!(italian_to_utc(utc("2026-01-15 00:00")), utc("2026-01-14 23:00"));
        assert_eq!(italian_to_utc(utc("2026-07-15 00:00")), utc("2026-07-14 22:00"));
        for t in ["2026-03-29 00:30", "2026-03-29 03:30", "2026-10-25 01:30", "2026-10-25 04:00"] {
            assert_eq!(italian(italian_to_utc(utc(t))), utc(t), "{t}");
        }
    }

    #[test]
    fn weekdays_count_from_monday() {
        assert_eq!(iso_weekday(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), 1);
        assert_eq!(iso_weekday(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()), 7);
    }
}
