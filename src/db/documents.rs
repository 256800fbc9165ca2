//! Documents repository: the metadata of files attached to cases. The bytes are the store's
//! (`db::document_store`); no query here reads them.

use diesel::prelude::*;

use crate::auth::policy::CaseScope;
use crate::db::schema::{cases as c, documents as d};
use crate::db::{DbConnection, like_pattern, lower};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = d, treat_none_as_null = true)]
pub struct DocumentRow {
    pub id: String,
    pub case_id: String,
    pub family_member_id: Option<String>,
    pub organization_id: String,
    pub kind: String,
    pub file_name: String,
    pub format: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage: String,
    pub issued_by: Option<String>,
    pub issued_on: Option<chrono::NaiveDate>,
    pub expires_on: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub uploaded_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Search filters; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct DocumentFilter {
    pub case_id: Option<String>,
    pub family_member_id: Option<String>,
    pub kind: Option<String>,
    /// A fragment of the issuer's name, any case.
    pub issued_by: Option<String>,
    /// Expiring on or after this day.
    pub expires_from: Option<chrono::NaiveDate>,
    /// Expiring on or before this day.
    pub expires_to: Option<chrono::NaiveDate>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

pub fn insert(conn: &mut DbConnection, row: &DocumentRow) -> Result<()> {
    diesel::insert_into(d::table).values(row).execute(conn)?;
    Ok(())
}

/// A document of a case the caller already reached through its case scope.
pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<DocumentRow> {
    d::table
        .filter(d::id.eq(id))
        .filter(d::case_id.eq(case_id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first (ids are time-ordered), over the live cases the scope reaches; the cursor is the last id.
pub fn search(
    conn: &mut DbConnection,
    scope: &CaseScope,
    f: &DocumentFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<DocumentRow>> {
    let mut q = d::table.inner_join(c::table).filter(c::deleted_at.is_null()).into_boxed::<Backend>();
    if let CaseScope::Organization { id, access } = scope {
        // Shared cases are few (grants are given one by one), so their ids are loaded and inlined.
        let shared = crate::db::cases::shared_with(conn, id, *access)?;
        q = q.filter(c::organization_id.eq(id.clone()).or(d::case_id.eq_any(shared)));
    }
    if let Some(v) = &f.case_id {
        q = q.filter(d::case_id.eq(v.clone()));
    }
    if let Some(v) = &f.family_member_id {
        q = q.filter(d::family_member_id.eq(v.clone()));
    }
    if let Some(v) = &f.kind {
        q = q.filter(d::kind.eq(v.clone()));
    }
    if let Some(v) = &f.issued_by {
        let pattern = like_pattern(&v.to_lowercase());
        q = q.filter(lower(d::issued_by.assume_not_null()).like(pattern).escape('\\'));
    }
    if let Some(v) = f.expires_from {
        q = q.filter(d::expires_on.ge(v));
    }
    if let Some(v) = f.expires_to {
        q = q.filter(d::expires_on.le(v));
    }
    if let Some(after) = after {
        q = q.filter(d::id.lt(after.to_string()));
    }
    Ok(q.select(DocumentRow::as_select()).order(d::id.desc()).limit(limit + 1).load(conn)?)
}

/// Saves edited metadata if the stored version is still `expected_version` (412 otherwise).
pub fn save(conn: &mut DbConnection, row: &DocumentRow, expected_version: i64) -> Result<()> {
    let updated = diesel::update(d::table.filter(d::id.eq(&row.id)).filter(d::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if updated == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Deletes the row (and database-held bytes with it); the caller removes a directory file after commit.
pub fn delete(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<()> {
    let deleted =
        diesel::delete(d::table.filter(d::id.eq(id)).filter(d::case_id.eq(case_id))).execute(conn)?;
    if deleted == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// Every document of a case, oldest first (the subject access export).
pub fn of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<DocumentRow>> {
    Ok(d::table
        .filter(d::case_id.eq(case_id))
        .select(DocumentRow::as_select())
        .order(d::id.asc())
        .load(conn)?)
}

/// Deletes every document of a case (erasure), returning their ids for the store to remove their files.
pub fn delete_of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<String>> {
    let ids: Vec<String> = d::table.filter(d::case_id.eq(case_id)).select(d::id).load(conn)?;
    diesel::delete(d::table.filter(d::case_id.eq(case_id))).execute(conn)?;
    Ok(ids)
}
