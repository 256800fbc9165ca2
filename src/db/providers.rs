//! Providers repository (HSDS organizations of the directory).

use diesel::prelude::*;

use crate::db::{DbConnection, like_pattern, lower, schema::providers as p};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = p, treat_none_as_null = true)]
pub struct ProviderRow {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: Option<String>,
    pub organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Default, Clone)]
pub struct ProviderFilter {
    pub category: Option<String>,
    pub organization_id: Option<String>,
    pub active: Option<bool>,
    /// A fragment of the name, matched case-insensitively.
    pub name: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &ProviderRow) -> Result<()> {
    diesel::insert_into(p::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ProviderRow>> {
    Ok(p::table.find(id).select(ProviderRow::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ProviderRow> {
    find(conn, id)?.ok_or(Error::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ProviderFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ProviderRow>> {
    let mut q = p::table.select(ProviderRow::as_select()).into_boxed();
    if let Some(v) = &filter.category {
        q = q.filter(p::category.eq(v.clone()));
    }
    if let Some(v) = &filter.organization_id {
        q = q.filter(p::organization_id.eq(v.clone()));
    }
    if let Some(v) = filter.active {
        q = q.filter(p::active.eq(v));
    }
    if let Some(v) = &filter.name {
        q = q.filter(lower(p::name).like(like_pattern(&v.to_lowercase())).escape('\\'));
    }
    if let Some(after) = after {
        q = q.filter(p::id.gt(after.to_string()));
    }
    Ok(q.order(p::id.asc()).limit(limit + 1).load(conn)?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &ProviderRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(p::table.filter(p::id.eq(&row.id)).filter(p::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Deletes a provider nothing refers to; services, referrals or protocols that name it make it a 409.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    let n = diesel::delete(p::table.find(id)).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "referenced", .. } => Error::conflict(
            "provider_in_use",
            "services, referrals, consents or protocols refer to this provider: deactivate it instead",
        ),
        other => other,
    })?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}
