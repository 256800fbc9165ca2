//! Bodies and representations of enrolments and of a session's attendance register.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::code;
use crate::db::courses::{AttendanceRow, EnrolmentRow};
use crate::domain::course::{AttendanceStatus, EnrolmentMove, EnrolmentStatus, attendance_rate};
use crate::domain::person::validate_text;
use crate::error::Result;

/// A participant's attendance so far.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"recorded": 10, "present": 8, "rate": 80.0}))]
pub struct AttendanceSummary {
    /// Sessions with a mark for this participant.
    pub recorded: i64,
    pub present: i64,
    /// Present ÷ recorded, in percent; null before any mark.
    pub rate: Option<f64>,
}

impl AttendanceSummary {
    pub fn of((recorded, present): (i64, i64)) -> Self {
        AttendanceSummary { recorded, present, rate: attendance_rate(present, recorded) }
    }
}

/// A person enrolled in a course (or waiting for a place): a case's beneficiary or one of its family members.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30", "course_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f10",
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "family_member_id": null, "person_name": "Amina Diallo",
    "status": "waiting", "waiting_position": 2, "enrolled_at": null, "ended_at": null, "status_reason": null,
    "notes": "Evenings only: works mornings", "attendance": {"recorded": 0, "present": 0, "rate": null},
    "version": 1, "created_at": "2026-09-10T09:00:00Z", "updated_at": "2026-09-10T09:00:00Z"
}))]
pub struct Enrolment {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub course_id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The family member taking part; null for the case's beneficiary.
    #[schema(format = Uuid)]
    pub family_member_id: Option<String>,
    /// Given and family name of the participant.
    pub person_name: String,
    pub status: EnrolmentStatus,
    /// 1 for the head of the waiting list; null unless `waiting`.
    pub waiting_position: Option<i64>,
    /// When the person got a place (at once, or promoted from the waiting list).
    pub enrolled_at: Option<DateTime<Utc>>,
    /// When they withdrew, completed or dropped out.
    pub ended_at: Option<DateTime<Utc>>,
    pub status_reason: Option<String>,
    pub notes: Option<String>,
    pub attendance: AttendanceSummary,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Enrolment {
    pub fn from_row(
        r: EnrolmentRow,
        person_name: String,
        waiting_position: Option<i64>,
        marks: (i64, i64),
    ) -> Result<Self> {
        let status: EnrolmentStatus = code("enrolment status", &r.status)?;
        Ok(Enrolment {
            waiting_position: if status == EnrolmentStatus::Waiting { waiting_position } else { None },
            status,
            person_name,
            attendance: AttendanceSummary::of(marks),
            id: r.id,
            course_id: r.course_id,
            case_id: r.case_id,
            family_member_id: r.family_member_id,
            enrolled_at: r.enrolled_at.map(|t| t.and_utc()),
            ended_at: r.ended_at.map(|t| t.and_utc()),
            status_reason: r.status_reason,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "notes": "Evenings only: works mornings"
}))]
pub struct CreateEnrolment {
    /// A case the caller may work on.
    pub case_id: uuid::Uuid,
    /// One of the case's family members; leave it out to enrol the beneficiary.
    pub family_member_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "withdrawn", "reason": "Moved to Milan for work"}))]
pub struct ChangeEnrolmentStatus {
    /// `withdrawn` (from the course or its waiting list: the place goes to the head of the waiting list);
    /// `completed` or `dropped_out` once the course runs.
    pub status: EnrolmentMove,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentQuery {
    /// Only enrolments in this status (`waiting`: the waiting list, in order).
    #[param(example = "waiting")]
    pub status: Option<EnrolmentStatus>,
}

/// One participant's line of a session's register.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30", "person_name": "Amina Diallo",
    "status": "present", "note": null
}))]
pub struct RegisterLine {
    #[schema(format = Uuid)]
    pub enrolment_id: String,
    pub person_name: String,
    /// Null while not recorded.
    pub status: Option<AttendanceStatus>,
    pub note: Option<String>,
}

/// A session's register: every participant holding a place, and anyone else marked at it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "course_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f10", "session_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f20",
    "lines": [{"enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30", "person_name": "Amina Diallo",
        "status": "present", "note": null}]
}))]
pub struct Register {
    #[schema(format = Uuid)]
    pub course_id: String,
    #[schema(format = Uuid)]
    pub session_id: String,
    pub lines: Vec<RegisterLine>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30", "status": "excused",
    "note": "Medical appointment"}))]
pub struct Mark {
    /// An enrolment of the course holding a place (enrolled, or completed).
    pub enrolment_id: uuid::Uuid,
    pub status: AttendanceStatus,
    #[validate(length(min = 1, max = 500), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 500, format = "sportello:text")]
    pub note: Option<String>,
}

/// Marks for a session; each replaces the participant's earlier mark, the others stay.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"marks": [
    {"enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30", "status": "present"},
    {"enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f31", "status": "excused", "note": "Medical appointment"}
]}))]
pub struct RecordAttendance {
    #[validate(length(min = 1, max = 500), nested)]
    #[schema(min_items = 1, max_items = 500)]
    pub marks: Vec<Mark>,
}

/// One attendance mark, as kept (the subject access export).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f20", "enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f30",
    "status": "present", "note": null, "recorded_at": "2026-10-05T18:05:00Z"
}))]
pub struct AttendanceMark {
    #[schema(format = Uuid)]
    pub session_id: String,
    #[schema(format = Uuid)]
    pub enrolment_id: String,
    pub status: AttendanceStatus,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<AttendanceRow> for AttendanceMark {
    type Error = crate::error::Error;
    fn try_from(r: AttendanceRow) -> Result<Self> {
        Ok(AttendanceMark {
            status: code("attendance status", &r.status)?,
            session_id: r.session_id,
            enrolment_id: r.enrolment_id,
            note: r.note,
            recorded_at: r.updated_at.and_utc(),
        })
    }
}
