//! Courses, their sessions, enrolments and attendance.
//!
//! Places are counted under a lock on the course row: every write that can give a place away (enrolling,
//! withdrawing, raising the capacity) starts with [`lock`], an UPDATE of the course row, which on
//! PostgreSQL holds the row until the transaction ends, so that two requests for the last place queue and
//! the second one counts the first's enrolment (each statement of a READ COMMITTED transaction sees what
//! committed before it). SQLite serialises writers already ([`crate::db::write_tx`]). A unique index keeps
//! the same person from being enrolled twice whatever the timing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::DbConnection;
use crate::db::schema::{
    cases as ca, course_attendance as t, course_sessions as s, courses as k, enrolments as e,
    family_members as f,
};
use crate::domain::Code;
use crate::domain::course::{AttendanceStatus, EnrolmentStatus};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = k, treat_none_as_null = true)]
pub struct CourseRow {
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub level: String,
    pub audience: String,
    pub desk_id: Option<String>,
    pub place: Option<String>,
    pub municipality: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub status: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = s, treat_none_as_null = true)]
pub struct SessionRow {
    pub id: String,
    pub course_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: Option<String>,
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = e, treat_none_as_null = true)]
pub struct EnrolmentRow {
    pub id: String,
    pub course_id: String,
    pub case_id: String,
    pub family_member_id: Option<String>,
    pub person_id: String,
    pub status: String,
    pub enrolled_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub status_reason: Option<String>,
    pub notes: Option<String>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = t)]
pub struct AttendanceRow {
    pub session_id: String,
    pub enrolment_id: String,
    pub course_id: String,
    pub status: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the catalogue may be narrowed to; every filter combines with AND.
#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub organization_id: Option<String>,
    pub language: Option<String>,
    pub level: Option<String>,
    pub audience: Option<String>,
    pub status: Option<String>,
    /// Courses running at some time in `[from, to]` (both days included).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Taking enrolments with a place free (`true`), or not (`false`).
    pub has_places: Option<bool>,
}

/// Enrolment statuses that hold a place against the capacity.
const HOLDING: [&str; 2] = ["enrolled", "completed"];

/// SQL: the course (`courses`) takes enrolments and has a free place. Fixed text, no input in it.
const HAS_PLACES: &str = "(courses.status IN ('planned', 'running') AND (SELECT COUNT(*) FROM enrolments p \
     WHERE p.course_id = courses.id AND p.status IN ('enrolled', 'completed')) < courses.capacity)";

pub fn insert(conn: &mut DbConnection, row: &CourseRow) -> Result<()> {
    diesel::insert_into(k::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<CourseRow> {
    k::table.find(id).select(CourseRow::as_select()).first(conn).optional()?.ok_or(Error::NotFound)
}

/// Takes the course row's write lock for the rest of the transaction (see the module's note).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<()> {
    let n = diesel::update(k::table.find(id)).set(k::version.eq(k::version)).execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

pub fn save(conn: &mut DbConnection, row: &CourseRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(k::table.filter(k::id.eq(&row.id)).filter(k::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The catalogue, newest first (by id).
pub fn list(
    conn: &mut DbConnection,
    filter: &CourseFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CourseRow>> {
    let mut q = k::table.select(CourseRow::as_select()).into_boxed();
    if let Some(v) = &filter.organization_id {
        q = q.filter(k::organization_id.eq(v.clone()));
    }
    if let Some(v) = &filter.language {
        q = q.filter(k::language.eq(v.clone()));
    }
    if let Some(v) = &filter.level {
        q = q.filter(k::level.eq(v.clone()));
    }
    if let Some(v) = &filter.audience {
        q = q.filter(k::audience.eq(v.clone()));
    }
    if let Some(v) = &filter.status {
        q = q.filter(k::status.eq(v.clone()));
    }
    if let Some(v) = filter.from {
        q = q.filter(k::ends_on.ge(v));
    }
    if let Some(v) = filter.to {
        q = q.filter(k::starts_on.le(v));
    }
    match filter.has_places {
        Some(true) => q = q.filter(sql::<Bool>(HAS_PLACES)),
        Some(false) => q = q.filter(sql::<Bool>(&format!("NOT {HAS_PLACES}"))),
        None => {}
    }
    if let Some(after) = after {
        q = q.filter(k::id.lt(after.to_string()));
    }
    Ok(q.order(k::id.desc()).limit(limit + 1).load(conn)?)
}

/// Per course: enrolments by status, sessions, and attendance (marks recorded, of which present).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseCounts {
    pub by_status: HashMap<String, i64>,
    pub sessions: i64,
    pub marks: i64,
    pub present: i64,
}

impl CourseCounts {
    pub fn of(&self, status: EnrolmentStatus) -> i64 {
        self.by_status.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// The counts of each course in `ids`: three grouped queries for the lot.
pub fn counts(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, CourseCounts>> {
    let mut out: HashMap<String, CourseCounts> =
        ids.iter().map(|i| (i.clone(), Default::default())).collect();
    let by_status: Vec<(String, String, i64)> = e::table
        .filter(e::course_id.eq_any(ids))
        .group_by((e::course_id, e::status))
        .select((e::course_id, e::status, count_star()))
        .load(conn)?;
    for (course, status, n) in by_status {
        out.entry(course).or_default().by_status.insert(status, n);
    }
    let sessions: Vec<(String, i64)> = s::table
        .filter(s::course_id.eq_any(ids))
        .group_by(s::course_id)
        .select((s::course_id, count_star()))
        .load(conn)?;
    for (course, n) in sessions {
        out.entry(course).or_default().sessions = n;
    }
    let marks: Vec<(String, String, i64)> = t::table
        .filter(t::course_id.eq_any(ids))
        .group_by((t::course_id, t::status))
        .select((t::course_id, t::status, count_star()))
        .load(conn)?;
    for (course, status, n) in marks {
        let c = out.entry(course).or_default();
        c.marks += n;
        if status == AttendanceStatus::Present.as_str() {
            c.present += n;
        }
    }
    Ok(out)
}

pub fn insert_session(conn: &mut DbConnection, row: &SessionRow) -> Result<()> {
    diesel::insert_into(s::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_session(conn: &mut DbConnection, course_id: &str, id: &str) -> Result<SessionRow> {
    s::table
        .filter(s::id.eq(id).and(s::course_id.eq(course_id)))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// A course's sessions in order of time.
pub fn sessions(conn: &mut DbConnection, course_id: &str) -> Result<Vec<SessionRow>> {
    Ok(s::table
        .filter(s::course_id.eq(course_id))
        .order((s::starts_at.asc(), s::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

pub fn save_session(conn: &mut DbConnection, row: &SessionRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(s::table.filter(s::id.eq(&row.id)).filter(s::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Removes a session with no attendance recorded (409 otherwise: the register is kept).
pub fn delete_session(conn: &mut DbConnection, id: &str) -> Result<()> {
    let marks: i64 = t::table.filter(t::session_id.eq(id)).count().get_result(conn)?;
    if marks > 0 {
        return Err(Error::conflict(
            "attendance_recorded",
            "attendance was recorded at this session: it cannot be removed",
        ));
    }
    diesel::delete(s::table.find(id)).execute(conn)?;
    Ok(())
}

/// Enrols, or 409 `already_enrolled` when the person is already in the course (or on its waiting list).
pub fn insert_enrolment(conn: &mut DbConnection, row: &EnrolmentRow) -> Result<()> {
    diesel::insert_into(e::table).values(row).execute(conn).map_err(|err| match Error::from(err) {
        Error::Conflict { code: "duplicate", .. } => Error::conflict(
            "already_enrolled",
            "this person is already enrolled in the course, or on its waiting list",
        ),
        other => other,
    })?;
    Ok(())
}

pub fn get_enrolment(conn: &mut DbConnection, course_id: &str, id: &str) -> Result<EnrolmentRow> {
    e::table
        .filter(e::id.eq(id).and(e::course_id.eq(course_id)))
        .select(EnrolmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// A course's enrolments in order of enrolment, optionally of one status.
pub fn enrolments(
    conn: &mut DbConnection,
    course_id: &str,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<EnrolmentRow>> {
    let mut q = e::table.filter(e::course_id.eq(course_id.to_string())).into_boxed();
    if let Some(v) = status {
        q = q.filter(e::status.eq(v.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(e::id.gt(after.to_string()));
    }
    Ok(q.order(e::id.asc()).limit(limit + 1).select(EnrolmentRow::as_select()).load(conn)?)
}

/// The enrolments holding a place in the course, in order of enrolment (attendance is taken for them).
pub fn enrolled(conn: &mut DbConnection, course_id: &str) -> Result<Vec<EnrolmentRow>> {
    Ok(e::table
        .filter(e::course_id.eq(course_id).and(e::status.eq_any(HOLDING)))
        .order(e::id.asc())
        .select(EnrolmentRow::as_select())
        .load(conn)?)
}

pub fn places_held(conn: &mut DbConnection, course_id: &str) -> Result<i64> {
    Ok(e::table.filter(e::course_id.eq(course_id).and(e::status.eq_any(HOLDING))).count().get_result(conn)?)
}

/// The waiting list, first come first.
pub fn waiting(conn: &mut DbConnection, course_id: &str) -> Result<Vec<EnrolmentRow>> {
    Ok(e::table
        .filter(e::course_id.eq(course_id).and(e::status.eq(EnrolmentStatus::Waiting.as_str())))
        .order(e::id.asc())
        .select(EnrolmentRow::as_select())
        .load(conn)?)
}

/// The ids of a course's waiting list, in order (to number their positions).
pub fn waiting_ids(conn: &mut DbConnection, course_id: &str) -> Result<Vec<String>> {
    Ok(e::table
        .filter(e::course_id.eq(course_id).and(e::status.eq(EnrolmentStatus::Waiting.as_str())))
        .order(e::id.asc())
        .select(e::id)
        .load(conn)?)
}

pub fn save_enrolment(conn: &mut DbConnection, row: &EnrolmentRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(e::table.filter(e::id.eq(&row.id)).filter(e::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The enrolments of a case (the beneficiary's and the family's), oldest first (the subject access export).
pub fn enrolments_of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<EnrolmentRow>> {
    Ok(e::table
        .filter(e::case_id.eq(case_id))
        .order(e::id.asc())
        .select(EnrolmentRow::as_select())
        .load(conn)?)
}

/// The names of the people enrolled: (given, family) by person id (a case's or a family member's).
pub fn names(conn: &mut DbConnection, rows: &[EnrolmentRow]) -> Result<HashMap<String, (String, String)>> {
    let case_ids: Vec<&str> =
        rows.iter().filter(|r| r.family_member_id.is_none()).map(|r| r.case_id.as_str()).collect();
    let member_ids: Vec<&str> = rows.iter().filter_map(|r| r.family_member_id.as_deref()).collect();
    let mut out = HashMap::new();
    if !case_ids.is_empty() {
        let cases: Vec<(String, String, String)> = ca::table
            .filter(ca::id.eq_any(&case_ids))
            .select((ca::id, ca::given_name, ca::family_name))
            .load(conn)?;
        out.extend(cases.into_iter().map(|(id, g, n)| (id, (g, n))));
    }
    if !member_ids.is_empty() {
        let members: Vec<(String, String, String)> = f::table
            .filter(f::id.eq_any(&member_ids))
            .select((f::id, f::given_name, f::family_name))
            .load(conn)?;
        out.extend(members.into_iter().map(|(id, g, n)| (id, (g, n))));
    }
    Ok(out)
}

/// Records a mark, replacing the one already recorded for the same session and enrolment.
pub fn put_attendance(conn: &mut DbConnection, row: &AttendanceRow) -> Result<()> {
    let n = diesel::update(
        t::table.filter(t::session_id.eq(&row.session_id)).filter(t::enrolment_id.eq(&row.enrolment_id)),
    )
    .set((
        t::status.eq(&row.status),
        t::note.eq(&row.note),
        t::recorded_by.eq(&row.recorded_by),
        t::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(t::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// A session's register, in order of enrolment.
pub fn register(conn: &mut DbConnection, session_id: &str) -> Result<Vec<AttendanceRow>> {
    Ok(t::table
        .filter(t::session_id.eq(session_id))
        .order(t::enrolment_id.asc())
        .select(AttendanceRow::as_select())
        .load(conn)?)
}

/// Each enrolment's marks: (recorded, present) by enrolment id.
pub fn marks_of(conn: &mut DbConnection, enrolment_ids: &[String]) -> Result<HashMap<String, (i64, i64)>> {
    let rows: Vec<(String, String, i64)> = t::table
        .filter(t::enrolment_id.eq_any(enrolment_ids))
        .group_by((t::enrolment_id, t::status))
        .select((t::enrolment_id, t::status, count_star()))
        .load(conn)?;
    let mut out: HashMap<String, (i64, i64)> = HashMap::new();
    for (id, status, n) in rows {
        let entry = out.entry(id).or_default();
        entry.0 += n;
        if status == AttendanceStatus::Present.as_str() {
            entry.1 += n;
        }
    }
    Ok(out)
}

/// Every mark of the enrolments given, by session time (the subject access export).
pub fn attendance_of(conn: &mut DbConnection, enrolment_ids: &[String]) -> Result<Vec<AttendanceRow>> {
    Ok(t::table
        .inner_join(s::table.on(s::id.eq(t::session_id)))
        .filter(t::enrolment_id.eq_any(enrolment_ids))
        .order((s::starts_at.asc(), t::enrolment_id.asc()))
        .select(AttendanceRow::as_select())
        .load(conn)?)
}

/// Erasure: the free text about the person's enrolments and attendance goes; statuses stay for the counts.
pub fn erase(conn: &mut DbConnection, case_id: &str, now: NaiveDateTime) -> Result<()> {
    let ids = e::table.filter(e::case_id.eq(case_id.to_string())).select(e::id);
    diesel::update(t::table.filter(t::enrolment_id.eq_any(ids)))
        .set(t::note.eq(None::<String>))
        .execute(conn)?;
    diesel::update(e::table.filter(e::case_id.eq(case_id.to_string())))
        .set((
            e::notes.eq(None::<String>),
            e::status_reason.eq(None::<String>),
            e::version.eq(e::version + 1),
            e::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
