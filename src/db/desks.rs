//! Desks repository, with their opening hours (replaced as a whole on update).

use diesel::prelude::*;

use crate::db::{DbConnection, schema::desk_opening_hours as h, schema::desks as d};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = d, treat_none_as_null = true)]
pub struct DeskRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub languages: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// The length of an appointment slot.
    pub appointment_minutes: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = h)]
pub struct OpeningHoursRow {
    pub id: String,
    pub desk_id: String,
    pub position: i32,
    pub weekday: i32,
    pub opens: chrono::NaiveTime,
    pub closes: chrono::NaiveTime,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
}

pub type DeskWithHours = (DeskRow, Vec<OpeningHoursRow>);

#[derive(Debug, Default, Clone)]
pub struct DeskFilter {
    pub organization_id: Option<String>,
    pub municipality: Option<String>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, desk: &DeskRow, hours: &[OpeningHoursRow]) -> Result<()> {
    diesel::insert_into(d::table).values(desk).execute(conn)?;
    insert_hours(conn, hours)
}

fn insert_hours(conn: &mut DbConnection, hours: &[OpeningHoursRow]) -> Result<()> {
    // One row at a time: multi-row inserts do not compile through MultiConnection.
    for row in hours {
        diesel::insert_into(h::table).values(row).execute(conn)?;
    }
    Ok(())
}

fn hours_of(conn: &mut DbConnection, desk_ids: &[String]) -> Result<Vec<OpeningHoursRow>> {
    Ok(h::table
        .filter(h::desk_id.eq_any(desk_ids))
        .order((h::desk_id.asc(), h::position.asc()))
        .select(OpeningHoursRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<DeskWithHours> {
    let desk =
        d::table.find(id).select(DeskRow::as_select()).first(conn).optional()?.ok_or(Error::NotFound)?;
    let hours = hours_of(conn, std::slice::from_ref(&desk.id))?;
    Ok((desk, hours))
}

pub fn exists_in_organization(conn: &mut DbConnection, id: &str, organization_id: &str) -> Result<bool> {
    let n: i64 =
        d::table.filter(d::id.eq(id).and(d::organization_id.eq(organization_id))).count().get_result(conn)?;
    Ok(n > 0)
}

pub fn list(
    conn: &mut DbConnection,
    filter: &DeskFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<DeskWithHours>> {
    let mut q = d::table.select(DeskRow::as_select()).into_boxed();
    if let Some(org) = &filter.organization_id {
        q = q.filter(d::organization_id.eq(org.clone()));
    }
    if let Some(m) = &filter.municipality {
        q = q.filter(d::municipality.eq(m.clone()));
    }
    if let Some(active) = filter.active {
        q = q.filter(d::active.eq(active));
    }
    if let Some(after) = after {
        q = q.filter(d::id.gt(after.to_string()));
    }
    let desks: Vec<DeskRow> = q.order(d::id.asc()).limit(limit + 1).load(conn)?;
    let ids: Vec<String> = desks.iter().map(|x| x.id.clone()).collect();
    let mut by_desk: std::collections::HashMap<String, Vec<OpeningHoursRow>> = Default::default();
    for row in hours_of(conn, &ids)? {
        by_desk.entry(row.desk_id.clone()).or_default().push(row);
    }
    Ok(desks
        .into_iter()
        .map(|desk| {
            let hours = by_desk.remove(&desk.id).unwrap_or_default();
            (desk, hours)
        })
        .collect())
}

/// Saves the desk if still at `expected_version`; `hours`, when given, replace the timetable.
pub fn save(
    conn: &mut DbConnection,
    desk: &DeskRow,
    expected_version: i64,
    hours: Option<&[OpeningHoursRow]>,
) -> Result<()> {
    let n = diesel::update(d::table.filter(d::id.eq(&desk.id)).filter(d::version.eq(expected_version)))
        .set(desk)
        .execute(conn)?;
    if n == 0 {
        return Err(Error::PreconditionFailed);
    }
    if let Some(hours) = hours {
        diesel::delete(h::table.filter(h::desk_id.eq(&desk.id))).execute(conn)?;
        insert_hours(conn, hours)?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    let n = diesel::delete(d::table.find(id)).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "referenced", .. } => Error::conflict(
            "desk_in_use",
            "cases, contacts or appointments refer to this desk: deactivate it instead",
        ),
        other => other,
    })?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}
