//! Consents repository. Records are never edited; a withdrawal is stamped on the record.

use diesel::prelude::*;

use crate::db::{DbConnection, schema::consents as k};
use crate::domain::Code;
use crate::domain::consent::{ConsentPurpose, ConsentTerms};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = k, treat_none_as_null = true)]
pub struct ConsentRow {
    pub id: String,
    pub case_id: String,
    pub purpose: String,
    pub provider_id: Option<String>,
    pub given_at: chrono::NaiveDateTime,
    pub expires_on: Option<chrono::NaiveDate>,
    pub evidence: Option<String>,
    pub recorded_by: String,
    pub withdrawn_at: Option<chrono::NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_note: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl ConsentRow {
    pub fn terms(&self) -> Result<ConsentTerms<'_>> {
        Ok(ConsentTerms {
            purpose: ConsentPurpose::parse(&self.purpose)
                .ok_or_else(|| Error::internal("consent purpose", &self.purpose))?,
            provider_id: self.provider_id.as_deref(),
            given_at: self.given_at,
            expires_on: self.expires_on,
            withdrawn_at: self.withdrawn_at,
        })
    }
}

pub fn insert(conn: &mut DbConnection, row: &ConsentRow) -> Result<()> {
    diesel::insert_into(k::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<ConsentRow> {
    find(conn, id)?.filter(|row| row.case_id == case_id).ok_or(Error::NotFound)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ConsentRow>> {
    Ok(k::table.find(id).select(ConsentRow::as_select()).first(conn).optional()?)
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ConsentRow>> {
    let mut q =
        k::table.filter(k::case_id.eq(case_id.to_string())).select(ConsentRow::as_select()).into_boxed();
    if let Some(after) = after {
        q = q.filter(k::id.lt(after.to_string()));
    }
    Ok(q.order(k::id.desc()).limit(limit + 1).load(conn)?)
}

/// Every consent of a case that is not withdrawn (expiry is judged by the caller, with its clock).
pub fn unwithdrawn(conn: &mut DbConnection, case_id: &str) -> Result<Vec<ConsentRow>> {
    Ok(k::table
        .filter(k::case_id.eq(case_id).and(k::withdrawn_at.is_null()))
        .order(k::id.desc())
        .select(ConsentRow::as_select())
        .load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &ConsentRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(k::table.filter(k::id.eq(&row.id)).filter(k::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<ConsentRow>> {
    Ok(k::table.filter(k::id.eq_any(ids.to_vec())).select(ConsentRow::as_select()).load(conn)?)
}
