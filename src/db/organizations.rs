//! Organizations repository.

use diesel::prelude::*;

use crate::db::{DbConnection, schema::organizations as o};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = o, treat_none_as_null = true)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub code: String,
    pub tax_id: Option<String>,
    pub municipality: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub plans_need_approval: bool,
}

#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    pub kind: Option<String>,
    pub active: Option<bool>,
    pub name: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &OrganizationRow) -> Result<()> {
    diesel::insert_into(o::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => {
            Error::invalid("code", "taken", "another organization already uses this code")
        }
        other => other,
    })?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<OrganizationRow>> {
    Ok(o::table.find(id).select(OrganizationRow::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<OrganizationRow> {
    find(conn, id)?.ok_or(Error::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    filter: &OrganizationFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<OrganizationRow>> {
    let mut q = o::table.select(OrganizationRow::as_select()).into_boxed();
    if let Some(after) = after {
        q = q.filter(o::id.gt(after.to_string()));
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(o::kind.eq(kind.clone()));
    }
    if let Some(active) = filter.active {
        q = q.filter(o::active.eq(active));
    }
    if let Some(name) = &filter.name {
        q = q.filter(o::name.like(crate::db::like_pattern(name)).escape('\\'));
    }
    Ok(q.order(o::id.asc()).limit(limit + 1).load(conn)?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &OrganizationRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(o::table.filter(o::id.eq(&row.id)).filter(o::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Deletes an organization that nothing refers to; otherwise 409.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    let n = diesel::delete(o::table.find(id)).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "referenced", .. } => Error::conflict(
            "organization_in_use",
            "the organization still has users, desks or cases: deactivate it instead",
        ),
        other => other,
    })?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<OrganizationRow>> {
    Ok(o::table.filter(o::code.eq(code)).select(OrganizationRow::as_select()).first(conn).optional()?)
}
