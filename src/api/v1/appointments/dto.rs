//! Bodies, query parameters and representations of desk appointments, free slots and closures.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::appointments::{AppointmentRow, ClosureRow};
use crate::domain::Code;
use crate::domain::appointment::AppointmentStatus;
use crate::domain::contact::ContactTopic;
use crate::domain::person::{validate_name, validate_text};
use crate::error::{Error, Result};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e10", "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "starts_at": "2026-11-25T11:00:00Z",
    "ends_at": "2026-11-25T11:30:00Z", "case_id": null, "person_name": "Olena Kovalenko", "phone": "+39 333 7654321",
    "topic": "residence_permit", "notes": "Bring the passport and the old permit", "status": "booked",
    "status_reason": null, "booked_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "version": 1,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct Appointment {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub desk_id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The person's case, when they have one.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    /// Whom to expect, when there is no case.
    pub person_name: Option<String>,
    pub phone: Option<String>,
    pub topic: Option<ContactTopic>,
    pub notes: Option<String>,
    pub status: AppointmentStatus,
    pub status_reason: Option<String>,
    #[schema(format = Uuid)]
    pub booked_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = Error;
    fn try_from(r: AppointmentRow) -> Result<Self> {
        Ok(Appointment {
            status: AppointmentStatus::parse(&r.status)
                .ok_or_else(|| Error::internal("appointment status", &r.status))?,
            topic: r
                .topic
                .map(|t| ContactTopic::parse(&t).ok_or_else(|| Error::internal("appointment topic", t)))
                .transpose()?,
            id: r.id,
            desk_id: r.desk_id,
            organization_id: r.organization_id,
            starts_at: r.starts_at.and_utc(),
            ends_at: r.ends_at.and_utc(),
            case_id: r.case_id,
            person_name: r.person_name,
            phone: r.phone,
            notes: r.notes,
            status_reason: r.status_reason,
            booked_by: r.booked_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_at": "2026-11-25T11:00:00Z", "person_name": "Olena Kovalenko", "phone": "+39 333 7654321",
    "topic": "residence_permit", "notes": "Bring the passport and the old permit"
}))]
pub struct BookAppointment {
    /// The start of one of the desk's free slots (see `free-slots`).
    pub starts_at: DateTime<Utc>,
    /// The person's case, one the caller may work on; or else `person_name`.
    pub case_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub person_name: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    pub topic: Option<ContactTopic>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "cancelled", "reason": "Called to say she found work in Milan"}))]
pub struct ChangeAppointmentStatus {
    /// `cancelled` frees the slot; `attended` and `no_show` record what happened, once the time has come.
    pub status: AppointmentStatus,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub reason: Option<String>,
}

/// A desk's appointments of one day, in order of time.
#[derive(Debug, Serialize, ToSchema)]
pub struct Agenda {
    #[schema(format = Uuid)]
    pub desk_id: String,
    pub date: NaiveDate,
    pub appointments: Vec<Appointment>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgendaQuery {
    /// The day (Italian calendar); default today.
    #[param(example = "2026-11-25")]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"starts_at": "2026-11-25T11:00:00Z", "ends_at": "2026-11-25T11:30:00Z"}))]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The slots still free in a range of days, in order; past ones are left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreeSlots {
    #[schema(format = Uuid)]
    pub desk_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub appointment_minutes: i32,
    pub slots: Vec<Slot>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// First day (Italian calendar); default today.
    #[param(example = "2026-11-25")]
    pub from: Option<NaiveDate>,
    /// Last day, included; default two weeks after `from`, at most 62 days after it.
    #[param(example = "2026-12-09")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e20", "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20",
    "first_day": "2026-08-10", "last_day": "2026-08-21", "reason": "Summer closure",
    "created_at": "2026-06-01T09:00:00Z"
}))]
pub struct Closure {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub desk_id: String,
    pub first_day: NaiveDate,
    /// Included.
    pub last_day: NaiveDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

impl From<ClosureRow> for Closure {
    fn from(r: ClosureRow) -> Self {
        Closure {
            id: r.id,
            desk_id: r.desk_id,
            first_day: r.first_day,
            last_day: r.last_day,
            reason: r.reason,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"first_day": "2026-12-24", "last_day": "2026-12-26", "reason": "Christmas"}))]
pub struct CreateClosure {
    pub first_day: NaiveDate,
    /// On or after `first_day`, within a year of it.
    pub last_day: NaiveDate,
    #[validate(length(min = 1, max = 200), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:text")]
    pub reason: String,
}

/// The desk's closures.
#[derive(Debug, Serialize, ToSchema)]
pub struct Closures {
    pub items: Vec<Closure>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosureQuery {
    /// Only closures ending on or after this day; default today.
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
}
