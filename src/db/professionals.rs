//! The registry of professionals.

use diesel::prelude::*;

use crate::db::schema::{activations as a, professionals as p};
use crate::db::{DbConnection, like_pattern};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = p, treat_none_as_null = true)]
pub struct ProfessionalRow {
    pub id: String,
    pub registry_organization_id: String,
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub languages: String,
    pub language_keys: String,
    pub sectors: String,
    pub area_municipalities: String,
    pub area_district: Option<String>,
    pub area_keys: String,
    pub employer_organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub availability: Option<String>,
    pub registry_number: Option<String>,
    pub active: bool,
    pub user_id: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Registry search; filters combine with AND.
#[derive(Debug, Default, Clone)]
pub struct ProfessionalFilter {
    pub kind: Option<String>,
    pub language: Option<String>,
    pub sector: Option<String>,
    /// `domain::text::search_key` of a municipality.
    pub municipality_key: Option<String>,
    pub active: Option<bool>,
    pub registry_organization_id: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &ProfessionalRow) -> Result<()> {
    diesel::insert_into(p::table).values(row).execute(conn).map_err(taken)?;
    Ok(())
}

/// A registry number or a user account already used by another entry.
fn taken(e: diesel::result::Error) -> Error {
    match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => Error::invalid(
            "registry_number",
            "taken",
            "another entry of this registry has this number, or the user account is linked to another entry",
        ),
        other => other,
    }
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ProfessionalRow> {
    p::table.find(id).select(ProfessionalRow::as_select()).first(conn).optional()?.ok_or(Error::NotFound)
}

pub fn find_by_user(conn: &mut DbConnection, user_id: &str) -> Result<Option<ProfessionalRow>> {
    Ok(p::table.filter(p::user_id.eq(user_id)).select(ProfessionalRow::as_select()).first(conn).optional()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<ProfessionalRow>> {
    Ok(p::table.filter(p::id.eq_any(ids.to_vec())).select(ProfessionalRow::as_select()).load(conn)?)
}

pub fn list(
    conn: &mut DbConnection,
    f: &ProfessionalFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ProfessionalRow>> {
    let mut q = p::table.select(ProfessionalRow::as_select()).into_boxed();
    if let Some(v) = &f.kind {
        q = q.filter(p::kind.eq(v.clone()));
    }
    if let Some(v) = &f.language {
        q = q.filter(p::language_keys.like(like_pattern(&format!("|{v}|"))).escape('\\'));
    }
    if let Some(v) = &f.sector {
        q = q.filter(p::sectors.like(like_pattern(&format!("\"{v}\""))).escape('\\'));
    }
    if let Some(v) = &f.municipality_key {
        q = q.filter(p::area_keys.like(like_pattern(&format!("|{v}|"))).escape('\\'));
    }
    if let Some(v) = f.active {
        q = q.filter(p::active.eq(v));
    }
    if let Some(v) = &f.registry_organization_id {
        q = q.filter(p::registry_organization_id.eq(v.clone()));
    }
    if let Some(after) = after {
        q = q.filter(p::id.gt(after.to_string()));
    }
    Ok(q.order(p::id.asc()).limit(limit + 1).load(conn)?)
}

/// Every active professional of a kind: the candidates an activation is ranked from.
pub fn active_of_kind(conn: &mut DbConnection, kind: &str) -> Result<Vec<ProfessionalRow>> {
    Ok(p::table
        .filter(p::kind.eq(kind).and(p::active.eq(true)))
        .order((p::family_name.asc(), p::given_name.asc(), p::id.asc()))
        .select(ProfessionalRow::as_select())
        .load(conn)?)
}

/// How many activations each professional has assigned or confirmed (not yet completed or cancelled).
pub fn open_loads(conn: &mut DbConnection, ids: &[String]) -> Result<std::collections::HashMap<String, i64>> {
    let rows: Vec<(Option<String>, i64)> = a::table
        .filter(a::professional_id.eq_any(ids.to_vec()))
        .filter(a::status.eq_any(["assigned", "confirmed"]))
        .group_by(a::professional_id)
        .select((a::professional_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, n)| id.map(|id| (id, n))).collect())
}

pub fn save(conn: &mut DbConnection, row: &ProfessionalRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(p::table.filter(p::id.eq(&row.id)).filter(p::version.eq(expected_version)))
        .set(row)
        .execute(conn)
        .map_err(taken)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}
