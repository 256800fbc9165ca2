//! Case access grants repository. A grant is live while it is neither revoked nor past its expiry.

use diesel::prelude::*;

use crate::db::{DbConnection, schema::case_access_grants as g};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = g, treat_none_as_null = true)]
pub struct GrantRow {
    pub id: String,
    pub case_id: String,
    pub organization_id: String,
    pub access: String,
    pub expires_at: Option<chrono::NaiveDateTime>,
    pub note: Option<String>,
    pub granted_by: String,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub revoked_by: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl GrantRow {
    pub fn is_live(&self, now: chrono::NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

pub fn insert(conn: &mut DbConnection, row: &GrantRow) -> Result<()> {
    diesel::insert_into(g::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<GrantRow> {
    g::table
        .filter(g::case_id.eq(case_id).and(g::id.eq(id)))
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// The grants of a case, oldest first (revoked and expired ones included: they are its history).
pub fn list(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<GrantRow>> {
    let mut q =
        g::table.filter(g::case_id.eq(case_id.to_string())).select(GrantRow::as_select()).into_boxed();
    if let Some(after) = after {
        q = q.filter(g::id.gt(after.to_string()));
    }
    Ok(q.order(g::id.asc()).limit(limit + 1).load(conn)?)
}

/// The live grant of an organization on a case, if any.
pub fn live_for(
    conn: &mut DbConnection,
    case_id: &str,
    organization_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<Option<GrantRow>> {
    Ok(g::table
        .filter(g::case_id.eq(case_id).and(g::organization_id.eq(organization_id)))
        .filter(g::revoked_at.is_null())
        .filter(g::expires_at.is_null().or(g::expires_at.gt(now)))
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &GrantRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(g::table.filter(g::id.eq(&row.id)).filter(g::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Ends every live grant an organization holds on a case (it has become the owner).
pub fn revoke_all_for(
    conn: &mut DbConnection,
    case_id: &str,
    organization_id: &str,
    by: &str,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::update(
        g::table
            .filter(g::case_id.eq(case_id).and(g::organization_id.eq(organization_id)))
            .filter(g::revoked_at.is_null()),
    )
    .set((g::revoked_at.eq(now), g::revoked_by.eq(by), g::updated_at.eq(now), g::version.eq(g::version + 1)))
    .execute(conn)?;
    Ok(())
}
