//! Desks (sportelli) and their weekly opening hours.

use chrono::{NaiveDate, NaiveTime};

use crate::error::FieldError;

/// One weekly opening slot, e.g. Wednesday 12:00–15:00, optionally valid for a season only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningSlot {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl OpeningSlot {
    fn validity_overlaps(&self, other: &OpeningSlot) -> bool {
        let starts_before_other_ends = match (self.valid_from, other.valid_to) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        let other_starts_before_self_ends = match (other.valid_from, self.valid_to) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_self_ends
    }

    fn overlaps(&self, other: &OpeningSlot) -> bool {
        self.weekday == other.weekday
            && self.opens < other.closes
            && other.opens < self.closes
            && self.validity_overlaps(other)
    }
}

/// Checks a whole weekly timetable; every problem is reported with the index of the slot at fault.
pub fn check_opening_hours(slots: &[OpeningSlot], field: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, s) in slots.iter().enumerate() {
        let at = |name: &str| format!("{field}[{i}].{name}");
        if !(1..=7).contains(&s.weekday) {
            errors.push(FieldError::new(at("weekday"), "range", "weekday must be 1 (Monday) to 7 (Sunday)"));
        }
        if s.opens >= s.closes {
            errors.push(FieldError::new(
                at("closes"),
                "before_opening",
                "closing time must be after opening time",
            ));
        }
        if let (Some(from), Some(to)) = (s.valid_from, s.valid_to)
            && from > to
        {
            errors.push(FieldError::new(
                at("valid_to"),
                "before_start",
                "valid_to must not be before valid_from",
            ));
        }
        if let Some(j) = slots[..i].iter().position(|earlier| earlier.overlaps(s)) {
            errors.push(FieldError::new(
                at("opens"),
                "overlap",
                format!("overlaps slot {j} on the same weekday and period"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(weekday: u8, opens: &str, closes: &str) -> OpeningSlot {
        OpeningSlot {
            weekday,
            opens: NaiveTime::parse_from_str(opens, "%H:%M").unwrap(),
            closes: NaiveTime::parse_from_str(closes, "%H:%M").unwrap(),
            valid_from: None,
            valid_to: None,
            notes: None,
        }
    }

    #[test]
    fn the_seed_desk_timetable_is_valid() {
        // Wednesday 12–15 and Thursday 8:30–12, as the Cremona desk opens.
        assert!(check_opening_hours(&[slot(3, "12:00", "15:00"), slot(4, "08:30", "12:00")], "h").is_empty());
    }

    #[test]
    fn bad_slots_are_named() {
        let errors = check_opening_hours(&[slot(8, "09:00", "12:00"), slot(1, "12:00", "09:00")], "h");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["h[0].weekday", "h[1].closes"]);
    }

    #[test]
    fn overlaps_on_the_same_day_are_rejected_unless_seasons_differ() {
        let errors = check_opening_hours(&[slot(1, "09:00", "12:00"), slot(1, "11:00", "13:00")], "h");
        assert_eq!(errors[0].code, "overlap");
        assert!(check_opening_hours(&[slot(1, "09:00", "12:00"), slot(1, "12:00", "13:00")], "h").is_empty());
        let mut summer = slot(1, "09:00", "12:00");
        summer.valid_from = NaiveDate::from_ymd_opt(2026, 6, 1);
        summer.valid_to = NaiveDate::from_ymd_opt(2026, 8, 31);
        let mut winter = slot(1, "10:00", "13:00");
        winter.valid_from = NaiveDate::from_ymd_opt(2026, 9, 1);
        assert!(check_opening_hours(&[summer, winter], "h").is_empty());
    }
}
