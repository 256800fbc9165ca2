//! Desk contacts repository. A contact belongs to the organization that runs its desk; the scope filters
//! inside every query, so another organization's contact is simply not found.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::db::{DbConnection, like_pattern, schema::desk_contacts as k};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = k, treat_none_as_null = true)]
pub struct ContactRow {
    pub id: String,
    pub organization_id: String,
    pub desk_id: String,
    pub operator_id: String,
    pub occurred_at: NaiveDateTime,
    pub channel: String,
    pub case_id: Option<String>,
    pub opened_case_at: Option<NaiveDateTime>,
    pub sex: Option<String>,
    pub age_band: Option<String>,
    pub citizenship: Option<String>,
    /// A JSON array of topic codes.
    pub topics: String,
    pub answer: String,
    pub provider_id: Option<String>,
    pub orientation: Option<String>,
    pub created_by: String,
    pub deleted_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a list of contacts may be narrowed to; every filter combines with AND.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub desk_id: Option<String>,
    /// `[from, to)` on the time of the contact.
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub channel: Option<String>,
    pub topic: Option<String>,
    pub case_id: Option<String>,
    /// Only contacts a case was opened from (`true`) or not (`false`).
    pub opened_case: Option<bool>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

fn visible<'a>(scope: &OrganizationScope) -> k::BoxedQuery<'a, Backend> {
    let live = k::table.filter(k::deleted_at.is_null());
    match scope {
        OrganizationScope::All => live.into_boxed(),
        OrganizationScope::Organization(org) => live.filter(k::organization_id.eq(org.clone())).into_boxed(),
    }
}

pub fn insert(conn: &mut DbConnection, row: &ContactRow) -> Result<()> {
    diesel::insert_into(k::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, scope: &OrganizationScope, id: &str) -> Result<ContactRow> {
    visible(scope)
        .filter(k::id.eq(id.to_string()))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first (by id, which grows with the time of recording).
pub fn list(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    f: &ContactFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ContactRow>> {
    let mut q = visible(scope).select(ContactRow::as_select());
    if let Some(v) = &f.desk_id {
        q = q.filter(k::desk_id.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(k::occurred_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(k::occurred_at.lt(v));
    }
    if let Some(v) = &f.channel {
        q = q.filter(k::channel.eq(v.clone()));
    }
    if let Some(v) = &f.topic {
        // Codes are stored as a JSON array: the quoted code cannot match inside another code.
        q = q.filter(k::topics.like(like_pattern(&format!("\"{v}\""))).escape('\\'));
    }
    if let Some(v) = &f.case_id {
        q = q.filter(k::case_id.eq(v.clone()));
    }
    match f.opened_case {
        Some(true) => q = q.filter(k::opened_case_at.is_not_null()),
        Some(false) => q = q.filter(k::opened_case_at.is_null()),
        None => {}
    }
    if let Some(after) = after {
        q = q.filter(k::id.lt(after.to_string()));
    }
    Ok(q.order(k::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &ContactRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(k::table.filter(k::id.eq(&row.id)).filter(k::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Hides the contact (kept for the audit trail).
pub fn soft_delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    let t = crate::db::now();
    diesel::update(k::table.filter(k::id.eq(id)))
        .set((k::deleted_at.eq(Some(t)), k::version.eq(k::version + 1), k::updated_at.eq(t)))
        .execute(conn)?;
    Ok(())
}

/// The live contacts of a case, oldest first (the subject access export).
pub fn of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<ContactRow>> {
    Ok(k::table
        .filter(k::case_id.eq(case_id.to_string()).and(k::deleted_at.is_null()))
        .order(k::id.asc())
        .select(ContactRow::as_select())
        .load(conn)?)
}
