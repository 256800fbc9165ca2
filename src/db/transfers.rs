//! Transfers repository. At most one open transfer per case (a unique partial index).

use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::db::{DbConnection, schema::transfers as t};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = t, treat_none_as_null = true)]
pub struct TransferRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub from_organization_id: String,
    pub to_organization_id: String,
    pub status: String,
    pub reason: String,
    pub decision_note: Option<String>,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Which end of a transfer a list shows, seen from the caller's organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Cases that would come to the organization.
    Incoming,
    /// Cases that would leave it.
    Outgoing,
}

#[derive(Debug, Default, Clone)]
pub struct TransferFilter {
    pub direction: Option<Direction>,
    pub status: Option<String>,
    pub case_id: Option<String>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

fn scoped<'a>(scope: &OrganizationScope, direction: Option<Direction>) -> t::BoxedQuery<'a, Backend> {
    let q = t::table.into_boxed();
    match (scope, direction) {
        (OrganizationScope::All, _) => q,
        (OrganizationScope::Organization(org), Some(Direction::Incoming)) => {
            q.filter(t::to_organization_id.eq(org.clone()))
        }
        (OrganizationScope::Organization(org), Some(Direction::Outgoing)) => {
            q.filter(t::from_organization_id.eq(org.clone()))
        }
        (OrganizationScope::Organization(org), None) => {
            q.filter(t::from_organization_id.eq(org.clone()).or(t::to_organization_id.eq(org.clone())))
        }
    }
}

pub fn insert(conn: &mut DbConnection, row: &TransferRow) -> Result<()> {
    diesel::insert_into(t::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => {
            Error::conflict("transfer_pending", "this case already has a transfer waiting for a decision")
        }
        other => other,
    })?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, scope: &OrganizationScope, id: &str) -> Result<TransferRow> {
    scoped(scope, None)
        .filter(t::id.eq(id.to_string()))
        .select(TransferRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first; the cursor is the last id seen.
pub fn list(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    f: &TransferFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<TransferRow>> {
    let mut q = scoped(scope, f.direction).select(TransferRow::as_select());
    if let Some(v) = &f.status {
        q = q.filter(t::status.eq(v.clone()));
    }
    if let Some(v) = &f.case_id {
        q = q.filter(t::case_id.eq(v.clone()));
    }
    if let Some(after) = after {
        q = q.filter(t::id.lt(after.to_string()));
    }
    Ok(q.order(t::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &TransferRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(t::table.filter(t::id.eq(&row.id)).filter(t::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}
