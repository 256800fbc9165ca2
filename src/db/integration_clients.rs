//! Integration clients repository: the machine accounts of district platforms.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::integration_clients as ic;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = ic, treat_none_as_null = true)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub organization_ids: String,
    pub secret_hash: String,
    pub previous_secret_hash: Option<String>,
    pub previous_valid_until: Option<chrono::NaiveDateTime>,
    pub active: bool,
    pub created_by: String,
    pub last_used_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl ClientRow {
    /// The organizations the client acts for (at least one, checked when it was made).
    pub fn organizations(&self) -> Result<Vec<String>> {
        crate::db::from_json_text(&self.organization_ids)
    }
}

pub fn insert(conn: &mut DbConnection, row: &ClientRow) -> Result<()> {
    diesel::insert_into(ic::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ClientRow>> {
    Ok(ic::table.find(id).select(ClientRow::as_select()).first(conn).optional()?)
}

/// Newest first; the cursor is the last id seen.
pub fn list(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> Result<Vec<ClientRow>> {
    let mut q = ic::table.select(ClientRow::as_select()).into_boxed();
    if let Some(after) = after {
        q = q.filter(ic::id.lt(after.to_string()));
    }
    Ok(q.order(ic::id.desc()).limit(limit + 1).load(conn)?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &ClientRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(ic::table.filter(ic::id.eq(&row.id)).filter(ic::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

pub fn touch(conn: &mut DbConnection, id: &str, at: chrono::NaiveDateTime) -> Result<()> {
    diesel::update(ic::table.find(id)).set(ic::last_used_at.eq(at)).execute(conn)?;
    Ok(())
}
