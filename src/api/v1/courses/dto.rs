//! Bodies, query parameters and representations of courses and their sessions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::patch;
use crate::db::courses::{CourseCounts, CourseRow, SessionRow};
use crate::domain::Code;
use crate::domain::course::{CourseAudience, CourseLevel, CourseStatus, EnrolmentStatus, attendance_rate};
use crate::domain::language::LanguageCode;
use crate::domain::person::{validate_name, validate_plausible_date, validate_text};
use crate::error::{Error, Result, cross_field_error};

pub(super) fn code<T: Code>(what: &str, v: &str) -> Result<T> {
    T::parse(v).ok_or_else(|| Error::internal(what, v))
}

/// How a course is filling up and attended.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "enrolled": 12, "waiting": 3, "completed": 0, "dropped_out": 1, "withdrawn": 2, "places_left": 0,
    "sessions": 20, "attendance_rate": 84.5
}))]
pub struct Counts {
    /// Holding a place now.
    pub enrolled: i64,
    /// On the waiting list.
    pub waiting: i64,
    pub completed: i64,
    pub dropped_out: i64,
    pub withdrawn: i64,
    /// Places not held by an enrolled or completed participant (0 when full).
    pub places_left: i64,
    /// Sessions scheduled.
    pub sessions: i64,
    /// Present ÷ attendance marks recorded, in percent; null before any is recorded.
    pub attendance_rate: Option<f64>,
}

impl Counts {
    fn of(c: &CourseCounts, capacity: i32) -> Self {
        let enrolled = c.of(EnrolmentStatus::Enrolled);
        let completed = c.of(EnrolmentStatus::Completed);
        Counts {
            enrolled,
            waiting: c.of(EnrolmentStatus::Waiting),
            completed,
            dropped_out: c.of(EnrolmentStatus::DroppedOut),
            withdrawn: c.of(EnrolmentStatus::Withdrawn),
            places_left: (i64::from(capacity) - enrolled - completed).max(0),
            sessions: c.sessions,
            attendance_rate: attendance_rate(c.present, c.marks),
        }
    }
}

/// A course of the catalogue, with its counts. No personal data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f10", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "title": "Italiano per la vita quotidiana", "description": "Two evenings a week; childcare on site",
    "language": "it", "level": "a1", "audience": "adults", "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20",
    "place": "Sala riunioni, primo piano", "municipality": "Crema", "starts_on": "2026-10-05",
    "ends_on": "2027-01-29", "capacity": 15, "status": "running",
    "counts": {"enrolled": 12, "waiting": 3, "completed": 0, "dropped_out": 1, "withdrawn": 2, "places_left": 0,
        "sessions": 20, "attendance_rate": 84.5},
    "version": 2, "created_at": "2026-09-01T09:00:00Z", "updated_at": "2026-10-05T17:00:00Z"
}))]
pub struct Course {
    #[schema(format = Uuid)]
    pub id: String,
    /// The organizer.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub title: String,
    pub description: Option<String>,
    /// The language taught.
    #[schema(value_type = crate::domain::language::LanguageCode)]
    pub language: String,
    pub level: CourseLevel,
    pub audience: CourseAudience,
    /// The organizer's desk where it is held, if it is held at one.
    #[schema(format = Uuid)]
    pub desk_id: Option<String>,
    /// The address or the room.
    pub place: Option<String>,
    pub municipality: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub status: CourseStatus,
    pub counts: Counts,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Course {
    pub fn from_row(r: CourseRow, counts: &CourseCounts) -> Result<Self> {
        Ok(Course {
            level: code("course level", &r.level)?,
            audience: code("course audience", &r.audience)?,
            status: code("course status", &r.status)?,
            counts: Counts::of(counts, r.capacity),
            id: r.id,
            organization_id: r.organization_id,
            title: r.title,
            description: r.description,
            language: r.language,
            desk_id: r.desk_id,
            place: r.place,
            municipality: r.municipality,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            capacity: r.capacity,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_course"))]
#[schema(example = json!({
    "title": "Italiano per la vita quotidiana", "description": "Two evenings a week; childcare on site",
    "language": "it", "level": "a1", "audience": "adults", "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20",
    "place": "Sala riunioni, primo piano", "municipality": "Crema", "starts_on": "2026-10-05",
    "ends_on": "2027-01-29", "capacity": 15
}))]
pub struct CreateCourse {
    /// The organizer: admins may name any organization, coordinators only their own (the default).
    pub organization_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub title: String,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub description: Option<String>,
    /// The language taught (ISO 639), usually `it`.
    #[schema(value_type = crate::domain::language::LanguageCode)]
    pub language: LanguageCode,
    pub level: CourseLevel,
    pub audience: CourseAudience,
    /// A desk of the organizer; give it, or `place`, or both.
    pub desk_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub place: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`, within two years of it.
    #[validate(custom(function = "validate_plausible_date"))]
    pub ends_on: NaiveDate,
    #[validate(range(min = 1, max = 500))]
    #[schema(minimum = 1, maximum = 500)]
    pub capacity: i32,
}

fn check_new_course(c: &CreateCourse) -> std::result::Result<(), ValidationError> {
    check_course(c.starts_on, c.ends_on, c.desk_id.is_some(), c.place.is_some())
}

/// A course ends after it starts, within two years, and is held somewhere.
pub fn check_course(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    at_desk: bool,
    has_place: bool,
) -> std::result::Result<(), ValidationError> {
    if ends_on < starts_on {
        return Err(cross_field_error("ends_on", "before_start", "the course ends before it starts"));
    }
    if (ends_on - starts_on).num_days() > 731 {
        return Err(cross_field_error("ends_on", "too_long", "a course runs for two years at most"));
    }
    if !at_desk && !has_place {
        return Err(cross_field_error("place", "required", "give a desk_id or a place"));
    }
    Ok(())
}

/// JSON merge patch of a course; its status moves through `/status`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 18, "place": "Aula 2, primo piano"}))]
pub struct UpdateCourse {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name", nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(value_type = Option<crate::domain::language::LanguageCode>, nullable = false)]
    pub language: Option<LanguageCode>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub level: Option<CourseLevel>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub audience: Option<CourseAudience>,
    #[serde(default, deserialize_with = "patch::nullable")]
    pub desk_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub place: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(nullable = false)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(nullable = false)]
    pub ends_on: Option<NaiveDate>,
    /// Raising it gives the new places to the head of the waiting list; it cannot go below the places
    /// held (409 `capacity_below_enrolled`).
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(range(min = 1, max = 500))]
    #[schema(minimum = 1, maximum = 500, nullable = false)]
    pub capacity: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "cancelled", "reason": "Too few enrolments; merged with the Crema course"}))]
pub struct ChangeCourseStatus {
    /// `planned → running → completed`, `planned | running → cancelled`.
    pub status: CourseStatus,
    /// Kept on the enrolments a cancellation withdraws.
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseQuery {
    /// Only the courses of this organizer.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only courses of this language (ISO 639).
    #[param(example = "it", value_type = Option<crate::domain::language::LanguageCode>)]
    pub language: Option<LanguageCode>,
    /// Only courses of this level.
    #[param(example = "a1")]
    pub level: Option<CourseLevel>,
    /// Only courses for this audience.
    #[param(example = "adults")]
    pub audience: Option<CourseAudience>,
    /// Only courses in this status.
    #[param(example = "planned")]
    pub status: Option<CourseStatus>,
    /// Courses running on or after this day (they end on or after it).
    #[param(example = "2026-09-01")]
    pub from: Option<NaiveDate>,
    /// Courses running on or before this day (they start on or before it).
    #[param(example = "2027-06-30")]
    pub to: Option<NaiveDate>,
    /// `true`: courses taking enrolments with a place free; `false`: the others (full, or not taking
    /// enrolments).
    #[param(example = true)]
    pub has_places: Option<bool>,
}

/// A dated session of a course.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f20", "course_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f10",
    "starts_at": "2026-10-05T16:00:00Z", "ends_at": "2026-10-05T18:00:00Z", "place": null,
    "topic": "Introductions; the alphabet", "version": 1,
    "created_at": "2026-09-01T09:00:00Z", "updated_at": "2026-09-01T09:00:00Z"
}))]
pub struct Session {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub course_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Where, when not the course's place.
    pub place: Option<String>,
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id,
            course_id: r.course_id,
            starts_at: r.starts_at.and_utc(),
            ends_at: r.ends_at.and_utc(),
            place: r.place,
            topic: r.topic,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// A course's sessions in order of time.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sessions {
    pub items: Vec<Session>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_at": "2026-10-05T16:00:00Z", "ends_at": "2026-10-05T18:00:00Z", "topic": "Introductions; the alphabet"
}))]
pub struct CreateSession {
    /// On a day of the course (Italian calendar, from `starts_on` to `ends_on`).
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`, at most 12 hours later.
    pub ends_at: DateTime<Utc>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub place: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:text")]
    pub topic: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-10-05T16:30:00Z", "ends_at": "2026-10-05T18:30:00Z"}))]
pub struct UpdateSession {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub place: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:text")]
    pub topic: Option<Option<String>>,
}
