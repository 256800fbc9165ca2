//! The family-assistant list: assistants, care requests and the placements proposed between them. Each
//! organization keeps its own list; admins see every list.

use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::db::schema::{care_placements as cp, care_requests as cr, family_assistants as fa};
use crate::db::{DbConnection, like_pattern};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = fa, treat_none_as_null = true)]
pub struct AssistantRow {
    pub id: String,
    pub organization_id: String,
    pub given_name: String,
    pub family_name: String,
    pub languages: String,
    pub language_keys: String,
    pub experience: Option<String>,
    pub certificates: String,
    pub tasks: String,
    pub hours_per_week: i32,
    pub live_in: bool,
    pub area_municipalities: String,
    pub area_keys: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub available_from: Option<chrono::NaiveDate>,
    pub active: bool,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = cr, treat_none_as_null = true)]
pub struct CareRequestRow {
    pub id: String,
    pub organization_id: String,
    pub case_id: Option<String>,
    pub household_name: Option<String>,
    pub household_phone: Option<String>,
    pub tasks: String,
    pub hours_per_week: i32,
    pub live_in: bool,
    pub municipality: String,
    pub municipality_key: String,
    pub languages: String,
    pub start_on: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub status: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = cp, treat_none_as_null = true)]
pub struct PlacementRow {
    pub id: String,
    pub care_request_id: String,
    pub assistant_id: String,
    pub outcome: String,
    pub contract_type: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Default, Clone)]
pub struct AssistantFilter {
    pub language: Option<String>,
    pub municipality_key: Option<String>,
    pub active: Option<bool>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

fn assistants<'a>(scope: &OrganizationScope) -> fa::BoxedQuery<'a, Backend> {
    match scope {
        OrganizationScope::All => fa::table.into_boxed(),
        OrganizationScope::Organization(org) => {
            fa::table.filter(fa::organization_id.eq(org.clone())).into_boxed()
        }
    }
}

fn requests<'a>(scope: &OrganizationScope) -> cr::BoxedQuery<'a, Backend> {
    match scope {
        OrganizationScope::All => cr::table.into_boxed(),
        OrganizationScope::Organization(org) => {
            cr::table.filter(cr::organization_id.eq(org.clone())).into_boxed()
        }
    }
}

pub fn insert_assistant(conn: &mut DbConnection, row: &AssistantRow) -> Result<()> {
    diesel::insert_into(fa::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_assistant(conn: &mut DbConnection, scope: &OrganizationScope, id: &str) -> Result<AssistantRow> {
    assistants(scope)
        .filter(fa::id.eq(id.to_string()))
        .select(AssistantRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn list_assistants(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    f: &AssistantFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AssistantRow>> {
    let mut q = assistants(scope).select(AssistantRow::as_select());
    if let Some(v) = &f.language {
        q = q.filter(fa::language_keys.like(like_pattern(&format!("|{v}|"))).escape('\\'));
    }
    if let Some(v) = &f.municipality_key {
        q = q.filter(fa::area_keys.like(like_pattern(&format!("|{v}|"))).escape('\\'));
    }
    if let Some(v) = f.active {
        q = q.filter(fa::active.eq(v));
    }
    if let Some(after) = after {
        q = q.filter(fa::id.gt(after.to_string()));
    }
    Ok(q.order(fa::id.asc()).limit(limit + 1).load(conn)?)
}

/// Every active assistant of an organization's list: the candidates of a care request.
pub fn active_assistants(conn: &mut DbConnection, organization_id: &str) -> Result<Vec<AssistantRow>> {
    Ok(fa::table
        .filter(fa::organization_id.eq(organization_id).and(fa::active.eq(true)))
        .order((fa::family_name.asc(), fa::given_name.asc(), fa::id.asc()))
        .select(AssistantRow::as_select())
        .load(conn)?)
}

pub fn save_assistant(conn: &mut DbConnection, row: &AssistantRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(fa::table.filter(fa::id.eq(&row.id)).filter(fa::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

pub fn insert_request(conn: &mut DbConnection, row: &CareRequestRow) -> Result<()> {
    diesel::insert_into(cr::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_request(conn: &mut DbConnection, scope: &OrganizationScope, id: &str) -> Result<CareRequestRow> {
    requests(scope)
        .filter(cr::id.eq(id.to_string()))
        .select(CareRequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn list_requests(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CareRequestRow>> {
    let mut q = requests(scope).select(CareRequestRow::as_select());
    if let Some(v) = status {
        q = q.filter(cr::status.eq(v.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(cr::id.lt(after.to_string()));
    }
    Ok(q.order(cr::id.desc()).limit(limit + 1).load(conn)?)
}

/// The care requests made for a case, oldest first.
pub fn requests_of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<CareRequestRow>> {
    Ok(cr::table
        .filter(cr::case_id.eq(case_id.to_string()))
        .order(cr::id.asc())
        .select(CareRequestRow::as_select())
        .load(conn)?)
}

pub fn save_request(conn: &mut DbConnection, row: &CareRequestRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(cr::table.filter(cr::id.eq(&row.id)).filter(cr::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

pub fn insert_placement(conn: &mut DbConnection, row: &PlacementRow) -> Result<()> {
    diesel::insert_into(cp::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => {
            Error::conflict("already_proposed", "this assistant was already proposed for this request")
        }
        other => other,
    })?;
    Ok(())
}

pub fn placements(conn: &mut DbConnection, care_request_id: &str) -> Result<Vec<PlacementRow>> {
    Ok(cp::table
        .filter(cp::care_request_id.eq(care_request_id))
        .order(cp::id.asc())
        .select(PlacementRow::as_select())
        .load(conn)?)
}

pub fn get_placement(conn: &mut DbConnection, care_request_id: &str, id: &str) -> Result<PlacementRow> {
    cp::table
        .filter(cp::care_request_id.eq(care_request_id).and(cp::id.eq(id)))
        .select(PlacementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn save_placement(conn: &mut DbConnection, row: &PlacementRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(cp::table.filter(cp::id.eq(&row.id)).filter(cp::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}
