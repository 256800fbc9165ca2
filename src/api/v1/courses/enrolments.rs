//! `/api/v1/courses/{course_id}/enrolments`: the people of a course — a case's beneficiary or family
//! members — with its waiting list, first come first served. Places are given out under the course row's
//! lock (see `db::courses`): two requests for the last place never both get it.

use actix_web::{HttpResponse, get, post, web};

use super::enrolment_dto::{ChangeEnrolmentStatus, CreateEnrolment, Enrolment, EnrolmentQuery};
use super::{dto::code, own_course};
use crate::api::v1::contacts::linkable_case;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::courses::{self as repo, CourseRow, EnrolmentRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent};
use crate::domain::Code;
use crate::domain::course::{CourseStatus, EnrolmentMove, EnrolmentStatus, promotions, status_on_enrolment};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

pub(super) fn audited(caller: &Caller, action: &str, row: &EnrolmentRow) -> AuditEvent {
    AuditEvent::by(caller, action, "enrolment", Some(&row.id))
        .case(&row.case_id)
        .details(serde_json::json!({"course_id": row.course_id}))
}

/// Enrolments as the API shows them: names, waiting positions and attendance, in a few queries.
pub(crate) fn views(c: &mut DbConnection, rows: Vec<EnrolmentRow>) -> Result<Vec<Enrolment>> {
    let names = repo::names(c, &rows)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let marks = repo::marks_of(c, &ids)?;
    let mut queues: std::collections::HashMap<String, Vec<String>> = Default::default();
    for r in rows.iter().filter(|r| r.status == EnrolmentStatus::Waiting.as_str()) {
        if !queues.contains_key(&r.course_id) {
            queues.insert(r.course_id.clone(), repo::waiting_ids(c, &r.course_id)?);
        }
    }
    rows.into_iter()
        .map(|r| {
            let name = names.get(&r.person_id).map(|(g, f)| format!("{g} {f}")).unwrap_or_default();
            let position = queues
                .get(&r.course_id)
                .and_then(|q| q.iter().position(|id| *id == r.id))
                .map(|p| p as i64 + 1);
            let m = marks.get(&r.id).copied().unwrap_or_default();
            Enrolment::from_row(r, name, position, m)
        })
        .collect()
}

fn one(c: &mut DbConnection, row: EnrolmentRow) -> Result<Enrolment> {
    views(c, vec![row])?.pop().ok_or(Error::NotFound)
}

/// Gives the free places of a course taking enrolments to the head of its waiting list; returns how many
/// moved up. The caller holds the course row's lock.
pub(super) fn promote(c: &mut DbConnection, caller: &Caller, course: &CourseRow) -> Result<usize> {
    if !code::<CourseStatus>("course status", &course.status)?.takes_enrolments() {
        return Ok(0);
    }
    let waiting = repo::waiting(c, &course.id)?;
    let n = promotions(course.capacity, repo::places_held(c, &course.id)?, waiting.len());
    let now = db::now();
    for mut row in waiting.into_iter().take(n) {
        record_move(c, caller, &mut row, EnrolmentStatus::Enrolled, "enrolment.promote", now)?;
    }
    Ok(n)
}

/// Moves an enrolment to `to` at `now` (a place taken, or the enrolment ended), saves it at the next
/// version and records `action` in the audit trail.
fn record_move(
    c: &mut DbConnection,
    caller: &Caller,
    row: &mut EnrolmentRow,
    to: EnrolmentStatus,
    action: &str,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    let expected = row.version;
    row.status = to.as_str().to_string();
    if to == EnrolmentStatus::Enrolled {
        row.enrolled_at = Some(now);
    } else {
        row.ended_at = Some(now);
    }
    row.version += 1;
    row.updated_at = now;
    repo::save_enrolment(c, row, expected)?;
    audit::record(c, &audited(caller, action, row))
}

/// Withdraws every enrolment still live (a cancelled course); returns how many.
pub(super) fn withdraw_all(
    c: &mut DbConnection,
    caller: &Caller,
    course_id: &str,
    reason: Option<&str>,
) -> Result<usize> {
    let now = db::now();
    let mut live = repo::waiting(c, course_id)?;
    live.extend(
        repo::enrolled(c, course_id)?.into_iter().filter(|r| r.status == EnrolmentStatus::Enrolled.as_str()),
    );
    let n = live.len();
    for mut row in live {
        row.status_reason = Some(reason.unwrap_or("The course was cancelled").to_string());
        record_move(c, caller, &mut row, EnrolmentStatus::Withdrawn, "enrolment.withdrawn", now)?;
    }
    Ok(n)
}

/// List a course's enrolments
///
/// In order of enrolment, which is the waiting list's order; `?status=waiting` gives the waiting list.
/// The organizer's operators and coordinators, and admins; the list is audited.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), EnrolmentQuery, PageParams),
    responses((status = 200, description = "A page of enrolments", body = Page<Enrolment>)),
    security(("bearer" = []))
)]
#[get("/{course_id}/enrolments")]
pub async fn list_enrolments(
    state: web::Data<AppState>,
    caller: Caller,
    course_id: web::Path<uuid::Uuid>,
    query: ApiQuery<EnrolmentQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentRead)?;
    let (course_id, q, page) = (course_id.into_inner().to_string(), query.into_inner(), page.into_inner());
    let (after, limit) = (page.after_id()?, page.limit());
    let page = state
        .db
        .run(move |c| {
            own_course(c, &caller, &course_id)?;
            let status = q.status.map(|s| s.as_str());
            let mut rows = repo::enrolments(c, &course_id, status, after.as_deref(), limit)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor =
                if more { rows.last().map(|r| crate::http::pagination::encode_cursor(&r.id)) } else { None };
            let shown: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            audit::record(
                c,
                &AuditEvent::by(&caller, "enrolment.list", "enrolment", None).details(serde_json::json!({
                    "course_id": course_id, "count": shown.len(), "enrolment_ids": shown
                })),
            )?;
            Ok(Page { items: views(c, rows)?, next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Enrol a person
///
/// The beneficiary of a case the caller may work on, or one of its family members, in a course of the
/// caller's organization that is planned or running (409 `course_closed` otherwise). With a place free the
/// enrolment is `enrolled`; past the capacity it is `waiting`, with its position on the waiting list. The
/// same person twice in a course is 409 `already_enrolled`.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateEnrolment,
    responses((status = 201, description = "Enrolled, or on the waiting list", body = Enrolment, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{course_id}/enrolments")]
pub async fn enrol(
    state: web::Data<AppState>,
    caller: Caller,
    course_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateEnrolment>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentWrite)?;
    let (course_id, b) = (course_id.into_inner().to_string(), body.into_inner());
    let enrolment = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                // The lock first: the course and its places are read as the last enrolment left them.
                repo::lock(c, &course_id)?;
                let course = own_course(c, &caller, &course_id)?;
                if !code::<CourseStatus>("course status", &course.status)?.takes_enrolments() {
                    return Err(Error::conflict("course_closed", "the course no longer takes enrolments"));
                }
                let case = linkable_case(c, &caller, &b.case_id.to_string())?;
                let member = b.family_member_id.map(|m| m.to_string());
                if let Some(m) = &member {
                    db::family_members::get(c, &case.id, m).map_err(|e| match e {
                        Error::NotFound => Error::invalid(
                            "family_member_id",
                            "not_found",
                            "no such family member of this case",
                        ),
                        other => other,
                    })?;
                }
                let status = status_on_enrolment(course.capacity, repo::places_held(c, &course.id)?);
                let now = db::now();
                let row = EnrolmentRow {
                    id: db::new_id(),
                    course_id: course.id.clone(),
                    person_id: member.clone().unwrap_or_else(|| case.id.clone()),
                    case_id: case.id,
                    family_member_id: member,
                    status: status.as_str().to_string(),
                    enrolled_at: (status == EnrolmentStatus::Enrolled).then_some(now),
                    ended_at: None,
                    status_reason: None,
                    notes: b.notes,
                    created_by: caller.principal.user_id.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_enrolment(c, &row)?;
                audit::record(c, &audited(&caller, "enrolment.create", &row))?;
                one(c, row)
            })
        })
        .await?;
    let location = format!("/api/v1/courses/{}/enrolments/{}", enrolment.course_id, enrolment.id);
    Ok(respond::created(location, &enrolment, 1))
}

/// Get an enrolment
///
/// With the waiting-list position and attendance so far. Audited.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Enrolment id")),
    responses((status = 200, description = "The enrolment", body = Enrolment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{course_id}/enrolments/{id}")]
pub async fn get_enrolment(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentRead)?;
    let (course_id, id) = ids.into_inner();
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let enrolment = state
        .db
        .run(move |c| {
            own_course(c, &caller, &course_id)?;
            let row = repo::get_enrolment(c, &course_id, &id)?;
            audit::record(c, &audited(&caller, "enrolment.read", &row))?;
            one(c, row)
        })
        .await?;
    let version = enrolment.version;
    Ok(respond::ok_versioned(&enrolment, version))
}

/// Withdraw, complete or drop out
///
/// `withdrawn` takes a person out of the course or off its waiting list; `completed` and `dropped_out`
/// are recorded once the course runs (409 `course_not_started` before). Withdrawing or dropping out frees
/// the place for the head of the waiting list. Other moves are 409 `illegal_transition`. `If-Match` is
/// optional; when sent, a stale version is 412.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Enrolment id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = ChangeEnrolmentStatus,
    responses((status = 200, description = "Moved", body = Enrolment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{course_id}/enrolments/{id}/status")]
pub async fn change_enrolment_status(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<ChangeEnrolmentStatus>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentWrite)?;
    let expected = if_match.optional()?;
    let ((course_id, id), b) = (ids.into_inner(), body.into_inner());
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let enrolment = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::lock(c, &course_id)?;
                let course = own_course(c, &caller, &course_id)?;
                let mut row = repo::get_enrolment(c, &course_id, &id)?;
                check_version(expected, row.version)?;
                let (from, to) =
                    (code::<EnrolmentStatus>("enrolment status", &row.status)?, b.status.status());
                if !from.can_move_to(to) {
                    return Err(Error::conflict(
                        "illegal_transition",
                        format!("an enrolment {from} cannot become {to}"),
                    ));
                }
                let started = code::<CourseStatus>("course status", &course.status)?.has_started();
                if b.status != EnrolmentMove::Withdrawn && !started {
                    return Err(Error::conflict("course_not_started", "the course has not started yet"));
                }
                row.status_reason = b.reason;
                record_move(c, &caller, &mut row, to, &format!("enrolment.{to}"), db::now())?;
                if from.holds_place() && !to.holds_place() {
                    promote(c, &caller, &course)?;
                }
                one(c, row)
            })
        })
        .await?;
    let version = enrolment.version;
    Ok(respond::ok_versioned(&enrolment, version))
}
