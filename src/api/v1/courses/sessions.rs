//! `/api/v1/courses/{course_id}/sessions`: a course's dated sessions. Part of the catalogue (no personal
//! data); the organizer's coordinators schedule them.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{Duration, NaiveDateTime};

use super::dto::{CreateSession, Session, Sessions, UpdateSession};
use super::managed_course;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::courses::{self as repo, CourseRow, SessionRow};
use crate::db::{self, audit, audit::AuditEvent};
use crate::domain::local_time::italian;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, IfMatch, etag::check_version, respond};

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// The longest session.
const MAX_SESSION: Duration = Duration::hours(12);

/// A session ends after it starts, within 12 hours, on a day of the course (Italian calendar).
fn check_times(course: &CourseRow, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> Result<()> {
    let mut errors = Vec::new();
    if ends_at <= starts_at {
        errors.push(FieldError::new("ends_at", "before_start", "the session ends before it starts"));
    } else if ends_at - starts_at > MAX_SESSION {
        errors.push(FieldError::new("ends_at", "too_long", "a session lasts 12 hours at most"));
    }
    let day = italian(starts_at).date();
    if day < course.starts_on || day > course.ends_on {
        errors.push(FieldError::new(
            "starts_at",
            "outside_course",
            format!("the course runs from {} to {}", course.starts_on, course.ends_on),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
}

fn audited(caller: &Caller, action: &str, row: &SessionRow) -> AuditEvent {
    AuditEvent::by(caller, action, "course_session", Some(&row.id))
        .details(serde_json::json!({"course_id": row.course_id}))
}

/// A course's sessions
///
/// In order of time.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id")),
    responses((status = 200, description = "The sessions", body = Sessions)),
    security(("bearer" = []))
)]
#[get("/{course_id}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    course_id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseRead)?;
    let course_id = course_id.into_inner().to_string();
    let rows = state
        .db
        .run(move |c| {
            repo::get(c, &course_id)?;
            repo::sessions(c, &course_id)
        })
        .await?;
    Ok(respond::ok(&Sessions { items: rows.into_iter().map(Session::from).collect() }))
}

/// Schedule a session
///
/// On a day of the course (422 `outside_course` otherwise), at most 12 hours long. Coordinators of the
/// organizer and admins.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateSession,
    responses((status = 201, description = "Scheduled", body = Session, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{course_id}/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    caller: Caller,
    course_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateSession>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let (course_id, b) = (course_id.into_inner().to_string(), body.into_inner());
    let now = db::now();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let course = managed_course(c, &caller, &course_id)?;
                let row = SessionRow {
                    id: db::new_id(),
                    course_id: course.id.clone(),
                    starts_at: db::truncate(b.starts_at.naive_utc()),
                    ends_at: db::truncate(b.ends_at.naive_utc()),
                    place: b.place.as_deref().map(crate::domain::text::clean),
                    topic: b.topic,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                check_times(&course, row.starts_at, row.ends_at)?;
                repo::insert_session(c, &row)?;
                audit::record(c, &audited(&caller, "course_session.create", &row))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/courses/{}/sessions/{}", row.course_id, row.id);
    Ok(respond::created(location, &Session::from(row), 1))
}

/// Get a session
///
/// Its time, place and topic; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Session id")),
    responses((status = 200, description = "The session", body = Session, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{course_id}/sessions/{id}")]
pub async fn get_session(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseRead)?;
    let (course_id, id) = ids.into_inner();
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let row = state.db.run(move |c| repo::get_session(c, &course_id, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Session::from(row), version))
}

/// Reschedule a session
///
/// JSON merge patch with `If-Match`: times, place, topic.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateSession, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Session, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{course_id}/sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<UpdateSession>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let expected = if_match.required()?;
    let ((course_id, id), p) = (ids.into_inner(), body.into_inner());
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let course = managed_course(c, &caller, &course_id)?;
                let mut row = repo::get_session(c, &course_id, &id)?;
                check_version(Some(expected), row.version)?;
                patch::set(&mut row.starts_at, p.starts_at.map(|t| db::truncate(t.naive_utc())));
                patch::set(&mut row.ends_at, p.ends_at.map(|t| db::truncate(t.naive_utc())));
                patch::apply(&mut row.place, p.place.map(|v| v.as_deref().map(crate::domain::text::clean)));
                patch::apply(&mut row.topic, p.topic);
                check_times(&course, row.starts_at, row.ends_at)?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save_session(c, &row, expected)?;
                audit::record(c, &audited(&caller, "course_session.update", &row))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Session::from(row), version))
}

/// Remove a session
///
/// Only while no attendance is recorded at it (409 `attendance_recorded`).
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Session id")),
    responses((status = 204, description = "Removed"),
        (status = 409, description = "Attendance was recorded at the session", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/{course_id}/sessions/{id}")]
pub async fn delete_session(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let (course_id, id) = ids.into_inner();
    let (course_id, id) = (course_id.to_string(), id.to_string());
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                managed_course(c, &caller, &course_id)?;
                let row = repo::get_session(c, &course_id, &id)?;
                repo::delete_session(c, &row.id)?;
                audit::record(c, &audited(&caller, "course_session.delete", &row))
            })
        })
        .await?;
    Ok(respond::no_content())
}
