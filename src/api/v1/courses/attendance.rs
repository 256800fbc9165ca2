//! `/api/v1/courses/{course_id}/sessions/{id}/attendance`: a session's register — present, absent or
//! excused for each participant holding a place — read and recorded in one go.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, get, put, web};

use super::enrolment_dto::{RecordAttendance, Register, RegisterLine};
use super::{dto::code, own_course};
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::courses::{self as repo, AttendanceRow, EnrolmentRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent};
use crate::domain::Code;
use crate::domain::course::{AttendanceStatus, CourseStatus, EnrolmentStatus};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, respond};

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// Every participant holding a place, then anyone else marked at the session (who has left since).
fn register(c: &mut DbConnection, course_id: &str, session_id: &str) -> Result<Register> {
    let mut people: Vec<EnrolmentRow> = repo::enrolled(c, course_id)?;
    let marks: HashMap<String, AttendanceRow> =
        repo::register(c, session_id)?.into_iter().map(|m| (m.enrolment_id.clone(), m)).collect();
    for id in marks.keys() {
        if !people.iter().any(|p| &p.id == id) {
            people.push(repo::get_enrolment(c, course_id, id)?);
        }
    }
    people.sort_by(|a, b| a.id.cmp(&b.id));
    let names = repo::names(c, &people)?;
    let lines = people
        .into_iter()
        .map(|p| {
            let mark = marks.get(&p.id);
            Ok(RegisterLine {
                person_name: names.get(&p.person_id).map(|(g, f)| format!("{g} {f}")).unwrap_or_default(),
                status: mark.map(|m| code::<AttendanceStatus>("attendance status", &m.status)).transpose()?,
                note: mark.and_then(|m| m.note.clone()),
                enrolment_id: p.id,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Register { course_id: course_id.to_string(), session_id: session_id.to_string(), lines })
}

/// A session's register
///
/// Each participant holding a place, with their mark (null while not recorded). The organizer's operators
/// and coordinators, and admins; audited.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Session id")),
    responses((status = 200, description = "The register", body = Register)),
    security(("bearer" = []))
)]
#[get("/{course_id}/sessions/{id}/attendance")]
pub async fn get_register(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentRead)?;
    let (course_id, id) = ids.into_inner();
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let register = state
        .db
        .run(move |c| {
            own_course(c, &caller, &course_id)?;
            repo::get_session(c, &course_id, &id)?;
            let register = register(c, &course_id, &id)?;
            let shown: Vec<&str> = register.lines.iter().map(|l| l.enrolment_id.as_str()).collect();
            audit::record(
                c,
                &AuditEvent::by(&caller, "attendance.read", "course_session", Some(&id))
                    .details(serde_json::json!({"course_id": course_id, "enrolment_ids": shown})),
            )?;
            Ok(register)
        })
        .await?;
    Ok(respond::ok(&register))
}

/// Record attendance at a session
///
/// Marks for participants holding a place (enrolled, or completed); each replaces the participant's
/// earlier mark at this session and the others stay. Only once the course runs (409
/// `course_not_started`) and the session has begun (409 `too_early`). A mark for someone not in the
/// course is 422 `not_found`, for someone without a place (waiting, withdrawn) 422 `not_enrolled`.
/// Answers with the whole register.
#[utoipa::path(
    tag = "courses",
    params(("course_id" = uuid::Uuid, Path, description = "Course id"), ("id" = uuid::Uuid, Path, description = "Session id")),
    request_body = RecordAttendance,
    responses((status = 200, description = "The register as recorded", body = Register),
        (status = 409, description = "The course has not started, or the session has not begun", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/{course_id}/sessions/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    body: ApiJson<RecordAttendance>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::EnrolmentWrite)?;
    let ((course_id, id), b) = (ids.into_inner(), body.into_inner());
    let (course_id, id) = (course_id.to_string(), id.to_string());
    let now = state.clock.now();
    let register = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let course = own_course(c, &caller, &course_id)?;
                let session = repo::get_session(c, &course_id, &id)?;
                if !code::<CourseStatus>("course status", &course.status)?.has_started() {
                    return Err(Error::conflict("course_not_started", "the course has not started yet"));
                }
                if now < session.starts_at {
                    return Err(Error::conflict("too_early", "the session has not begun yet"));
                }
                let mut errors = Vec::new();
                let mut seen = HashSet::new();
                let mut rows = Vec::new();
                let stamp = db::now();
                for (i, mark) in b.marks.into_iter().enumerate() {
                    let field = format!("marks[{i}].enrolment_id");
                    let enrolment_id = mark.enrolment_id.to_string();
                    if !seen.insert(enrolment_id.clone()) {
                        errors.push(FieldError::new(field, "repeated", "one mark per participant"));
                        continue;
                    }
                    let case_id = match repo::get_enrolment(c, &course_id, &enrolment_id) {
                        Ok(e) if code::<EnrolmentStatus>("enrolment status", &e.status)?.holds_place() => {
                            e.case_id
                        }
                        Ok(_) => {
                            errors.push(FieldError::new(field, "not_enrolled", "this person holds no place"));
                            continue;
                        }
                        Err(Error::NotFound) => {
                            errors.push(FieldError::new(
                                field,
                                "not_found",
                                "no such enrolment in the course",
                            ));
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    rows.push((
                        case_id,
                        AttendanceRow {
                            session_id: id.clone(),
                            enrolment_id,
                            course_id: course_id.clone(),
                            status: mark.status.as_str().to_string(),
                            note: mark.note,
                            recorded_by: caller.principal.user_id.clone(),
                            created_at: stamp,
                            updated_at: stamp,
                        },
                    ));
                }
                if !errors.is_empty() {
                    return Err(Error::Validation(errors));
                }
                // One audit event per participant, filed under their case (its access log shows it).
                for (case_id, row) in &rows {
                    repo::put_attendance(c, row)?;
                    audit::record(
                        c,
                        &AuditEvent::by(&caller, "attendance.record", "enrolment", Some(&row.enrolment_id))
                            .case(case_id)
                            .details(serde_json::json!({"session_id": id, "status": row.status})),
                    )?;
                }
                register(c, &course_id, &id)
            })
        })
        .await?;
    Ok(respond::ok(&register))
}
