//! Weekly opening slots, as desks and provider locations publish them (local Italian time).

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::desk::{OpeningSlot, check_opening_hours};
use crate::domain::person::validate_text;
use crate::error::{Error, Result};

/// One weekly opening slot.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekday": 3, "opens": "12:00", "closes": "15:00"}))]
pub struct OpeningHours {
    /// 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: u8,
    /// Local time, `HH:MM`.
    #[schema(value_type = String, example = "08:30", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub opens: NaiveTime,
    /// Local time, `HH:MM`, after `opens`.
    #[schema(value_type = String, example = "12:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub closes: NaiveTime,
    /// First day the slot applies (seasonal timetables).
    pub valid_from: Option<NaiveDate>,
    /// Last day the slot applies.
    pub valid_to: Option<NaiveDate>,
    #[validate(length(max = 200), custom(function = "validate_text"))]
    #[schema(max_length = 200, format = "sportello:text")]
    pub notes: Option<String>,
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        NaiveTime::parse_from_str(&raw, "%H:%M")
            .map_err(|_| serde::de::Error::custom("expected a time as HH:MM"))
    }
}

impl OpeningHours {
    fn slot(&self) -> OpeningSlot {
        OpeningSlot {
            weekday: self.weekday,
            opens: self.opens,
            closes: self.closes,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            notes: self.notes.clone(),
        }
    }

    /// Checks a whole timetable (weekdays, order of times, overlaps), naming each slot at fault under `field`.
    pub fn check_all(hours: &[OpeningHours], field: &str) -> Result<()> {
        let slots: Vec<OpeningSlot> = hours.iter().map(OpeningHours::slot).collect();
        let errors = check_opening_hours(&slots, field);
        if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
    }

    /// A slot as stored (the weekday column is checked by the database to be 1–7).
    pub fn from_stored(
        weekday: i32,
        opens: NaiveTime,
        closes: NaiveTime,
        valid_from: Option<NaiveDate>,
        valid_to: Option<NaiveDate>,
        notes: Option<String>,
    ) -> Self {
        OpeningHours { weekday: weekday.clamp(1, 7) as u8, opens, closes, valid_from, valid_to, notes }
    }
}
