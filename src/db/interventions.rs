//! Interventions repository. Callers first resolve the case within their scope.

use diesel::prelude::*;

use crate::db::{DbConnection, schema::interventions as i};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = i, treat_none_as_null = true)]
pub struct InterventionRow {
    pub id: String,
    pub case_id: String,
    pub organization_id: String,
    pub kind: String,
    pub occurred_on: chrono::NaiveDate,
    pub duration_minutes: Option<i32>,
    pub operator_id: String,
    pub summary: String,
    pub follow_up_on: Option<chrono::NaiveDate>,
    pub created_by: String,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &InterventionRow) -> Result<()> {
    diesel::insert_into(i::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<InterventionRow> {
    i::table
        .filter(i::id.eq(id).and(i::case_id.eq(case_id)).and(i::deleted_at.is_null()))
        .select(InterventionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<InterventionRow>> {
    let mut q = i::table
        .filter(i::case_id.eq(case_id.to_string()).and(i::deleted_at.is_null()))
        .select(InterventionRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(i::id.lt(after.to_string()));
    }
    Ok(q.order(i::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &InterventionRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(i::table.filter(i::id.eq(&row.id)).filter(i::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Hides the record (kept for the audit trail); 404 if it is already gone.
pub fn soft_delete(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<()> {
    let t = crate::db::now();
    let n = diesel::update(
        i::table.filter(i::id.eq(id).and(i::case_id.eq(case_id)).and(i::deleted_at.is_null())),
    )
    .set((i::deleted_at.eq(Some(t)), i::version.eq(i::version + 1), i::updated_at.eq(t)))
    .execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// Live rows by id (the change feed's current representations).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<InterventionRow>> {
    Ok(i::table
        .filter(i::id.eq_any(ids.to_vec()))
        .filter(i::deleted_at.is_null())
        .select(InterventionRow::as_select())
        .load(conn)?)
}
