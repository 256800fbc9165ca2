//! When things happen in the demo: desks receive people in their opening hours, offices answer in working
//! hours on weekdays. Written in Italian local time, stored in UTC like everything else.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

use super::data::Slot;
use super::rng::Rng;
use crate::domain::local_time::{italian, italian_to_utc};

/// `minutes` after local midnight of `day`, in UTC.
pub fn local(day: NaiveDate, minutes: i64) -> NaiveDateTime {
    italian_to_utc(day.and_time(NaiveTime::MIN) + Duration::minutes(minutes))
}

/// A moment during the desk's opening hours on the last opening day on or before `day`, and before
/// `not_after` (a week earlier if need be).
pub fn at_desk(rng: &mut Rng, hours: &[Slot], day: NaiveDate, not_after: NaiveDateTime) -> NaiveDateTime {
    let mut day = day;
    for _ in 0..60 {
        let weekday = day.weekday().number_from_monday() as u8;
        let open: Vec<&Slot> = hours.iter().filter(|(d, _, _)| *d == weekday).collect();
        if !open.is_empty() {
            let (_, (oh, om), (ch, cm)) = **rng.pick(&open);
            let (opens, closes) = (i64::from(oh * 60 + om), i64::from(ch * 60 + cm));
            let t = local(day, rng.range(opens, (closes - 15).max(opens)));
            if t <= not_after {
                return t;
            }
        }
        day -= Duration::days(1);
    }
    // Only reached with a desk that never opens: any working morning will do.
    local(day, 10 * 60)
}

/// A moment in office hours (weekdays, 8:30–17:30 local) some hours after `after`, always later than it.
pub fn in_office(rng: &mut Rng, after: NaiveDateTime, min_hours: i64, max_hours: i64) -> NaiveDateTime {
    let candidate = italian(after + Duration::minutes(rng.range(min_hours * 60, max_hours * 60)));
    let mut day = candidate.date();
    let mut at = i64::from(candidate.hour() * 60 + candidate.minute());
    if at < 8 * 60 + 30 {
        at = rng.range(8 * 60 + 30, 12 * 60);
    } else if at > 17 * 60 + 30 {
        day += Duration::days(1);
        at = rng.range(8 * 60 + 30, 12 * 60);
    }
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    local(day, at).max(after + Duration::minutes(10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::data::COMUNE_HOURS;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn desk_moments_fall_in_the_opening_hours() {
        let mut rng = Rng::new(3);
        let far = local(day("2030-01-01"), 0);
        for _ in 0..200 {
            // 2026-03-15 is a Sunday: the municipal desk's last opening before it is Thursday the 12th.
            let t = italian(at_desk(&mut rng, &COMUNE_HOURS, day("2026-03-15"), far));
            assert!(t.date() == day("2026-03-12") || t.date() == day("2026-03-11"), "{t}");
            let minutes = t.hour() * 60 + t.minute();
            match t.weekday() {
                Weekday::Wed => assert!((12 * 60..15 * 60).contains(&minutes), "{t}"),
                _ => assert!((8 * 60 + 30..12 * 60).contains(&minutes), "{t}"),
            }
        }
        let limit = local(day("2026-03-12"), 8 * 60);
        assert!(at_desk(&mut rng, &COMUNE_HOURS, day("2026-03-12"), limit) <= limit);
    }

    #[test]
    fn office_moments_are_later_on_weekdays_in_working_hours() {
        let mut rng = Rng::new(5);
        let friday_evening = local(day("2026-03-13"), 18 * 60);
        for _ in 0..200 {
            let t = in_office(&mut rng, friday_evening, 0, 80);
            assert!(t > friday_evening);
            let l = italian(t);
            assert!(!matches!(l.weekday(), Weekday::Sat | Weekday::Sun), "{l}");
            let minutes = l.hour() * 60 + l.minute();
            assert!((8 * 60 + 30..=17 * 60 + 30).contains(&minutes), "{l}");
        }
    }
}
