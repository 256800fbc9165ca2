//! `/api/v1/courses`: language and literacy courses. The catalogue (courses, their sessions and counts, no
//! personal data) is the network's: every role that reads desks reads it. An organization's coordinators
//! manage its courses and their sessions; its operators and coordinators enrol the people of the cases they
//! work on, move enrolments and keep the sessions' registers ([`enrolments`], [`attendance`]). Another
//! organization's enrolments are not found.

pub mod attendance;
pub mod dto;
pub mod enrolment_dto;
pub mod enrolments;
pub mod sessions;

use actix_web::{HttpResponse, get, patch, post, web};

pub use dto::{
    ChangeCourseStatus, Counts, Course, CourseQuery, CreateCourse, CreateSession, Session, Sessions,
    UpdateCourse, UpdateSession,
};
pub use enrolment_dto::{
    AttendanceMark, ChangeEnrolmentStatus, CreateEnrolment, Enrolment, EnrolmentQuery, RecordAttendance,
    Register,
};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::courses::{self as repo, CourseFilter, CourseRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent};
use crate::domain::Code;
use crate::domain::course::CourseStatus;
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

type CoursePath = web::Path<uuid::Uuid>;

/// Courses with their counts (three grouped queries for the lot).
fn views(c: &mut DbConnection, rows: Vec<CourseRow>) -> Result<Vec<Course>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = repo::counts(c, &ids)?;
    rows.into_iter()
        .map(|r| {
            let n = counts.get(&r.id).cloned().unwrap_or_default();
            Course::from_row(r, &n)
        })
        .collect()
}

fn one(c: &mut DbConnection, row: CourseRow) -> Result<Course> {
    views(c, vec![row])?.pop().ok_or(Error::NotFound)
}

/// The course, if the caller's organization runs it (any for an admin): its participants are its own.
pub(crate) fn own_course(c: &mut DbConnection, caller: &Caller, id: &str) -> Result<CourseRow> {
    let course = repo::get(c, id)?;
    if caller.principal.role != Role::Admin && course.organization_id != caller.principal.organization_id {
        return Err(Error::NotFound);
    }
    Ok(course)
}

/// The course, which the caller must be able to manage (visible to all: 403 otherwise).
pub(crate) fn managed_course(c: &mut DbConnection, caller: &Caller, id: &str) -> Result<CourseRow> {
    let course = repo::get(c, id)?;
    policy::require_manage_organization(&caller.principal, &course.organization_id)?;
    Ok(course)
}

/// A desk of the organizer, else a field error.
fn check_desk(c: &mut DbConnection, desk_id: Option<&str>, organization_id: &str) -> Result<()> {
    let Some(desk_id) = desk_id else { return Ok(()) };
    match db::desks::get(c, desk_id) {
        Ok((desk, _)) if desk.organization_id == organization_id => Ok(()),
        Ok(_) | Err(Error::NotFound) => {
            Err(Error::invalid("desk_id", "not_found", "no such desk of the course's organization"))
        }
        Err(e) => Err(e),
    }
}

/// The course catalogue
///
/// Newest first, each course with its counts (enrolled, waiting, places left, attendance). No personal
/// data: every role that reads desks reads it, across the network.
#[utoipa::path(
    tag = "courses",
    params(CourseQuery, PageParams),
    responses((status = 200, description = "A page of courses", body = Page<Course>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_courses(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<CourseQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseRead)?;
    let q = query.into_inner();
    crate::http::json::check_period(q.from, q.to, "from", "to")?;
    let filter = CourseFilter {
        organization_id: q.organization_id.map(|o| o.to_string()),
        language: q.language.map(|l| l.as_str().to_string()),
        level: q.level.map(|l| l.as_str().to_string()),
        audience: q.audience.map(|a| a.as_str().to_string()),
        status: q.status.map(|s| s.as_str().to_string()),
        from: q.from,
        to: q.to,
        has_places: q.has_places,
    };
    let page = page.into_inner();
    let (after, limit) = (page.after_id()?, page.limit());
    let page = state
        .db
        .run(move |c| {
            let mut rows = repo::list(c, &filter, after.as_deref(), limit)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor =
                if more { rows.last().map(|r| crate::http::pagination::encode_cursor(&r.id)) } else { None };
            Ok(Page { items: views(c, rows)?, next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Create a course
///
/// In the organizer's catalogue, `planned`: enrolments open at once. Held at one of the organizer's desks
/// (`desk_id`), at an address (`place`), or both. Coordinators of the organizer and admins.
#[utoipa::path(
    tag = "courses",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateCourse,
    responses((status = 201, description = "Created", body = Course, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_course(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateCourse>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let b = body.into_inner();
    let organization_id =
        b.organization_id.map(|o| o.to_string()).unwrap_or_else(|| caller.principal.organization_id.clone());
    policy::require_manage_organization(&caller.principal, &organization_id)?;
    let now = db::now();
    let row = CourseRow {
        id: db::new_id(),
        organization_id,
        title: crate::domain::text::clean(&b.title),
        description: b.description,
        language: b.language.as_str().to_string(),
        level: b.level.as_str().to_string(),
        audience: b.audience.as_str().to_string(),
        desk_id: b.desk_id.map(|d| d.to_string()),
        place: b.place.as_deref().map(crate::domain::text::clean),
        municipality: b.municipality,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        capacity: b.capacity,
        status: CourseStatus::Planned.as_str().to_string(),
        created_by: caller.principal.user_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let course = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                db::organizations::find(c, &row.organization_id)?
                    .ok_or_else(|| Error::invalid("organization_id", "not_found", "no such organization"))?;
                check_desk(c, row.desk_id.as_deref(), &row.organization_id)?;
                repo::insert(c, &row)?;
                audit::record(c, &AuditEvent::by(&caller, "course.create", "course", Some(&row.id)))?;
                one(c, row)
            })
        })
        .await?;
    let location = format!("/api/v1/courses/{}", course.id);
    Ok(respond::created(location, &course, 1))
}

/// Get a course
///
/// With its counts; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "courses",
    params(("id" = uuid::Uuid, Path, description = "Course id")),
    responses((status = 200, description = "The course", body = Course, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_course(state: web::Data<AppState>, caller: Caller, id: CoursePath) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseRead)?;
    let id = id.into_inner().to_string();
    let course = state.db.run(move |c| repo::get(c, &id).and_then(|row| one(c, row))).await?;
    let version = course.version;
    Ok(respond::ok_versioned(&course, version))
}

/// Update a course
///
/// JSON merge patch with `If-Match`. Raising the capacity gives the new places to the head of the waiting
/// list; lowering it below the places held is 409 `capacity_below_enrolled`. A completed or cancelled
/// course is 409 `course_closed`.
#[utoipa::path(
    tag = "courses",
    params(("id" = uuid::Uuid, Path, description = "Course id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateCourse, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Course, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_course(
    state: web::Data<AppState>,
    caller: Caller,
    id: CoursePath,
    if_match: IfMatch,
    body: ApiJson<UpdateCourse>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let course = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::lock(c, &id)?;
                let mut row = managed_course(c, &caller, &id)?;
                check_version(Some(expected), row.version)?;
                if !dto::code::<CourseStatus>("course status", &row.status)?.takes_enrolments() {
                    return Err(Error::conflict(
                        "course_closed",
                        "a completed or cancelled course does not change",
                    ));
                }
                patch::set(&mut row.title, p.title.as_deref().map(crate::domain::text::clean));
                patch::apply(&mut row.description, p.description);
                patch::set(&mut row.language, p.language.map(|l| l.as_str().to_string()));
                patch::set(&mut row.level, p.level.map(|l| l.as_str().to_string()));
                patch::set(&mut row.audience, p.audience.map(|a| a.as_str().to_string()));
                patch::apply(&mut row.desk_id, p.desk_id.map(|d| d.map(|d| d.to_string())));
                patch::apply(&mut row.place, p.place.map(|v| v.as_deref().map(crate::domain::text::clean)));
                patch::apply(&mut row.municipality, p.municipality);
                patch::set(&mut row.starts_on, p.starts_on);
                patch::set(&mut row.ends_on, p.ends_on);
                dto::check_course(row.starts_on, row.ends_on, row.desk_id.is_some(), row.place.is_some())
                    .map_err(|e| Error::from_cross_field(e, "ends_on"))?;
                check_desk(c, row.desk_id.as_deref(), &row.organization_id)?;
                let raised = p.capacity.is_some_and(|n| n > row.capacity);
                if let Some(capacity) = p.capacity {
                    let held = repo::places_held(c, &row.id)?;
                    if i64::from(capacity) < held {
                        return Err(Error::conflict(
                            "capacity_below_enrolled",
                            format!("{held} places are held: the capacity cannot go below that"),
                        ));
                    }
                    row.capacity = capacity;
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &AuditEvent::by(&caller, "course.update", "course", Some(&id)))?;
                if raised {
                    enrolments::promote(c, &caller, &row)?;
                }
                one(c, row)
            })
        })
        .await?;
    let version = course.version;
    Ok(respond::ok_versioned(&course, version))
}

/// Start, complete or cancel a course
///
/// `planned → running → completed`, `planned | running → cancelled`; other moves are 409
/// `illegal_transition`. Cancelling withdraws its enrolments and its waiting list, with the reason given.
/// `If-Match` is optional; when sent, a stale version is 412.
#[utoipa::path(
    tag = "courses",
    params(("id" = uuid::Uuid, Path, description = "Course id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = ChangeCourseStatus,
    responses((status = 200, description = "Moved", body = Course, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn change_course_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: CoursePath,
    if_match: IfMatch,
    body: ApiJson<ChangeCourseStatus>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CourseManage)?;
    let expected = if_match.optional()?;
    let (id, b) = (id.into_inner().to_string(), body.into_inner());
    let course = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::lock(c, &id)?;
                let mut row = managed_course(c, &caller, &id)?;
                check_version(expected, row.version)?;
                let from: CourseStatus = dto::code("course status", &row.status)?;
                if !from.can_move_to(b.status) {
                    return Err(Error::conflict(
                        "illegal_transition",
                        format!("a course {from} cannot become {}", b.status),
                    ));
                }
                let old_version = row.version;
                row.status = b.status.as_str().to_string();
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, old_version)?;
                let withdrawn = if b.status == CourseStatus::Cancelled {
                    enrolments::withdraw_all(c, &caller, &row.id, b.reason.as_deref())?
                } else {
                    0
                };
                audit::record(
                    c,
                    &AuditEvent::by(&caller, &format!("course.{}", b.status), "course", Some(&id))
                        .details(serde_json::json!({"from": from, "withdrawn": withdrawn})),
                )?;
                one(c, row)
            })
        })
        .await?;
    let version = course.version;
    Ok(respond::ok_versioned(&course, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/courses")
            .service(list_courses)
            .service(create_course)
            .service(get_course)
            .service(update_course)
            .service(change_course_status)
            .service(sessions::list_sessions)
            .service(sessions::create_session)
            .service(sessions::get_session)
            .service(sessions::update_session)
            .service(sessions::delete_session)
            .service(enrolments::list_enrolments)
            .service(enrolments::enrol)
            .service(enrolments::get_enrolment)
            .service(enrolments::change_enrolment_status)
            .service(attendance::get_register)
            .service(attendance::record_attendance),
    );
}
