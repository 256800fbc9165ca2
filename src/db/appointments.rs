//! Appointments and desk closures. Double booking is refused by the database itself: a unique index on
//! (desk, start) over the appointments not cancelled, whichever of two concurrent requests commits first.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConnection, schema::appointments as a, schema::desk_closures as k};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = a, treat_none_as_null = true)]
pub struct AppointmentRow {
    pub id: String,
    pub desk_id: String,
    pub organization_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub case_id: Option<String>,
    pub person_name: Option<String>,
    pub phone: Option<String>,
    pub topic: Option<String>,
    pub notes: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub booked_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = k)]
pub struct ClosureRow {
    pub id: String,
    pub desk_id: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// Books the slot, or 409 `slot_taken` when a live appointment already holds it.
pub fn insert(conn: &mut DbConnection, row: &AppointmentRow) -> Result<()> {
    diesel::insert_into(a::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => {
            Error::conflict("slot_taken", "this slot is already booked: ask for the free slots")
        }
        other => other,
    })?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, desk_id: &str, id: &str) -> Result<AppointmentRow> {
    a::table
        .filter(a::id.eq(id).and(a::desk_id.eq(desk_id)))
        .select(AppointmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// A desk's appointments starting in `[from, to)`, in order of time (cancelled ones included).
pub fn between(
    conn: &mut DbConnection,
    desk_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<AppointmentRow>> {
    Ok(a::table
        .filter(a::desk_id.eq(desk_id).and(a::starts_at.ge(from)).and(a::starts_at.lt(to)))
        .order((a::starts_at.asc(), a::id.asc()))
        .select(AppointmentRow::as_select())
        .load(conn)?)
}

/// The starts of the slots held in `[from, to)`.
pub fn taken(
    conn: &mut DbConnection,
    desk_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>> {
    Ok(a::table
        .filter(a::desk_id.eq(desk_id).and(a::starts_at.ge(from)).and(a::starts_at.lt(to)))
        .filter(a::status.ne("cancelled"))
        .select(a::starts_at)
        .load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &AppointmentRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(a::table.filter(a::id.eq(&row.id)).filter(a::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The live appointments of a case, oldest first (the subject access export).
pub fn of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<AppointmentRow>> {
    Ok(a::table
        .filter(a::case_id.eq(case_id.to_string()))
        .order(a::starts_at.asc())
        .select(AppointmentRow::as_select())
        .load(conn)?)
}

pub fn insert_closure(conn: &mut DbConnection, row: &ClosureRow) -> Result<()> {
    diesel::insert_into(k::table).values(row).execute(conn)?;
    Ok(())
}

/// A desk's closures ending on or after `from`, in order.
pub fn closures(conn: &mut DbConnection, desk_id: &str, from: NaiveDate) -> Result<Vec<ClosureRow>> {
    Ok(k::table
        .filter(k::desk_id.eq(desk_id).and(k::last_day.ge(from)))
        .order((k::first_day.asc(), k::id.asc()))
        .select(ClosureRow::as_select())
        .load(conn)?)
}

pub fn delete_closure(conn: &mut DbConnection, desk_id: &str, id: &str) -> Result<()> {
    let n = diesel::delete(k::table.filter(k::id.eq(id).and(k::desk_id.eq(desk_id)))).execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}
