//! Family members repository. Callers first resolve the case within their scope.

use diesel::prelude::*;

use crate::db::{DbConnection, schema::family_members as f};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = f, treat_none_as_null = true)]
pub struct FamilyMemberRow {
    pub id: String,
    pub case_id: String,
    pub relationship: String,
    pub given_name: String,
    pub family_name: String,
    pub sex: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
    pub citizenship: Option<String>,
    pub tax_code: Option<String>,
    pub lives_with_beneficiary: bool,
    pub dependent: bool,
    pub notes: Option<String>,
    pub created_by: String,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &FamilyMemberRow) -> Result<()> {
    diesel::insert_into(f::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<FamilyMemberRow> {
    f::table
        .filter(f::id.eq(id).and(f::case_id.eq(case_id)).and(f::deleted_at.is_null()))
        .select(FamilyMemberRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<FamilyMemberRow>> {
    let mut q = f::table
        .filter(f::case_id.eq(case_id.to_string()).and(f::deleted_at.is_null()))
        .select(FamilyMemberRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(f::id.gt(after.to_string()));
    }
    Ok(q.order(f::id.asc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &FamilyMemberRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(f::table.filter(f::id.eq(&row.id)).filter(f::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Hides the record (kept for the audit trail); 404 if it is already gone.
pub fn soft_delete(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<()> {
    let t = crate::db::now();
    let n = diesel::update(
        f::table.filter(f::id.eq(id).and(f::case_id.eq(case_id)).and(f::deleted_at.is_null())),
    )
    .set((f::deleted_at.eq(Some(t)), f::version.eq(f::version + 1), f::updated_at.eq(t)))
    .execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// Live rows by id (the change feed's current representations).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<FamilyMemberRow>> {
    Ok(f::table
        .filter(f::id.eq_any(ids.to_vec()))
        .filter(f::deleted_at.is_null())
        .select(FamilyMemberRow::as_select())
        .load(conn)?)
}
