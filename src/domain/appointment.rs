//! Desk appointments: a desk offers slots of a fixed length inside its published opening hours (with their
//! seasonal validity), except on the days it is closed. Times here are Italian local time; the API speaks UTC.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::domain::desk::OpeningSlot;
use crate::domain::local_time::iso_weekday;

code_enum! {
    /// `booked → attended | no_show | cancelled`; nothing moves after that.
    #[schema(example = "booked")]
    AppointmentStatus {
        Booked = "booked",
        /// The person came.
        Attended = "attended",
        /// The person did not come.
        NoShow = "no_show",
        /// Called off: the slot is free again.
        Cancelled = "cancelled",
    }
}

impl AppointmentStatus {
    pub fn can_move_to(self, to: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!((self, to), (Booked, Attended) | (Booked, NoShow) | (Booked, Cancelled))
    }

    /// Whether the move records what happened at the appointment (only once its time has come).
    pub fn is_outcome(self) -> bool {
        matches!(self, AppointmentStatus::Attended | AppointmentStatus::NoShow)
    }
}

/// Slot lengths a desk may set, in minutes.
pub const SLOT_MINUTES: std::ops::RangeInclusive<i32> = 5..=240;

/// Days a closure covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// The starts of the slots a desk offers on `day`: each opening interval that applies that day, cut into
/// slots of `minutes` from its opening, none running past its closing; none on a day the desk is closed.
pub fn slots_on(
    day: NaiveDate,
    hours: &[OpeningSlot],
    closures: &[Closure],
    minutes: i32,
) -> Vec<NaiveDateTime> {
    if minutes <= 0 || closures.iter().any(|c| c.first_day <= day && day <= c.last_day) {
        return vec![];
    }
    let length = Duration::minutes(i64::from(minutes));
    let mut starts: Vec<NaiveDateTime> = hours
        .iter()
        .filter(|h| i32::from(h.weekday) == iso_weekday(day))
        .filter(|h| h.valid_from.is_none_or(|f| f <= day) && h.valid_to.is_none_or(|t| day <= t))
        .flat_map(|h| {
            let (opens, closes) = (day.and_time(h.opens), day.and_time(h.closes));
            std::iter::successors(Some(opens), move |s| Some(*s + length))
                .take_while(move |s| *s + length <= closes)
        })
        .collect();
    starts.sort();
    starts.dedup();
    starts
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    fn hours(weekday: u8, opens: &str, closes: &str, valid: Option<(&str, &str)>) -> OpeningSlot {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        OpeningSlot {
            weekday,
            opens: t(opens),
            closes: t(closes),
            valid_from: valid.map(|v| d(v.0)),
            valid_to: valid.map(|v| d(v.1)),
            notes: None,
        }
    }

    fn times(slots: &[NaiveDateTime]) -> Vec<String> {
        slots.iter().map(|s| s.format("%H:%M").to_string()).collect()
    }

    // 2026-11-25 is a Wednesday, 2026-07-15 too.
    const WEDNESDAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    const SUMMER_WEDNESDAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();

    #[test]
    fn slots_fill_each_interval_without_running_past_closing() {
        let week = [
            hours(3, "09:00", "10:40", None),
            hours(3, "14:00", "15:00", None),
            hours(4, "09:00", "12:00", None),
        ];
        assert_eq!(
            times(&slots_on(WEDNESDAY, &week, &[], 30)),
            ["09:00", "09:30", "10:00", "14:00", "14:30"]
        );
        assert!(
            slots_on(WEDNESDAY.succ_opt().unwrap().succ_opt().unwrap(), &week, &[], 30).is_empty(),
            "Friday"
        );
    }

    #[test]
    fn seasonal_hours_and_closures() {
        // The seeds' desks alternate in summer: mornings only in July and August.
        let week = [
            hours(3, "09:00", "12:00", Some(("2026-07-01", "2026-08-31"))),
            hours(3, "14:00", "16:00", Some(("2026-09-01", "2027-06-30"))),
        ];
        assert_eq!(times(&slots_on(SUMMER_WEDNESDAY, &week, &[], 60)), ["09:00", "10:00", "11:00"]);
        assert_eq!(times(&slots_on(WEDNESDAY, &week, &[], 60)), ["14:00", "15:00"]);
        let holidays = [Closure { first_day: WEDNESDAY, last_day: WEDNESDAY }];
        assert!(slots_on(WEDNESDAY, &week, &holidays, 60).is_empty());
        assert!(slots_on(WEDNESDAY, &week, &[], 0).is_empty());
    }

    #[test]
    fn only_booked_appointments_move() {
        use AppointmentStatus::*;
        assert!(Booked.can_move_to(Cancelled) && Booked.can_move_to(NoShow) && Booked.can_move_to(Attended));
        assert!(
            !Cancelled.can_move_to(Booked) && !Attended.can_move_to(NoShow) && !Booked.can_move_to(Booked)
        );
    }
}
