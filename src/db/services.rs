//! Provider services repository, with their locations and schedules (replaced as a whole on update), and
//! the directory search.

use diesel::prelude::*;

use crate::db::schema::{
    location_schedules as h, provider_services as s, providers as p, service_locations as l,
};
use crate::db::{DbConnection, like_pattern};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = s, treat_none_as_null = true)]
pub struct ServiceRow {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    pub description: Option<String>,
    pub needs: String,
    pub languages: String,
    pub area_municipalities: String,
    pub area_district: Option<String>,
    pub eligibility: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub fees: Option<String>,
    pub how_to_apply: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub search_text: String,
    pub area_keys: String,
    pub active: bool,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = l)]
pub struct LocationRow {
    pub id: String,
    pub service_id: String,
    pub position: i32,
    pub name: String,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = h)]
pub struct ScheduleRow {
    pub id: String,
    pub location_id: String,
    pub service_id: String,
    pub position: i32,
    pub weekday: i32,
    pub opens: chrono::NaiveTime,
    pub closes: chrono::NaiveTime,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
}

/// Where a service is delivered and when.
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub locations: Vec<LocationRow>,
    pub schedules: Vec<ScheduleRow>,
}

/// A service as read: the row, its provider and its places.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    pub service: ServiceRow,
    pub provider: crate::db::providers::ProviderRow,
    pub places: Places,
}

/// A local moment in the week, for "open at".
#[derive(Debug, Clone, Copy)]
pub struct LocalMoment {
    pub weekday: i32,
    pub time: chrono::NaiveTime,
    pub date: chrono::NaiveDate,
}

/// Directory search; every filter is optional and they combine with AND.
#[derive(Debug, Default, Clone)]
pub struct ServiceFilter {
    pub provider_id: Option<String>,
    pub category: Option<String>,
    pub need: Option<String>,
    pub language: Option<String>,
    /// `domain::text::search_key` of a municipality.
    pub municipality_key: Option<String>,
    pub district_key: Option<String>,
    pub age: Option<i32>,
    pub open_at: Option<LocalMoment>,
    /// Normalised words, each of which must appear.
    pub words: Vec<String>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, row: &ServiceRow, places: &Places) -> Result<()> {
    diesel::insert_into(s::table).values(row).execute(conn)?;
    insert_places(conn, places)
}

fn insert_places(conn: &mut DbConnection, places: &Places) -> Result<()> {
    // One row at a time: multi-row inserts do not compile through MultiConnection.
    for row in &places.locations {
        diesel::insert_into(l::table).values(row).execute(conn)?;
    }
    for row in &places.schedules {
        diesel::insert_into(h::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The places of these services, grouped by service id.
fn places_of(
    conn: &mut DbConnection,
    service_ids: &[String],
) -> Result<std::collections::HashMap<String, Places>> {
    let locations: Vec<LocationRow> = l::table
        .filter(l::service_id.eq_any(service_ids))
        .order((l::service_id.asc(), l::position.asc()))
        .select(LocationRow::as_select())
        .load(conn)?;
    let schedules: Vec<ScheduleRow> = h::table
        .filter(h::service_id.eq_any(service_ids))
        .order((h::location_id.asc(), h::position.asc()))
        .select(ScheduleRow::as_select())
        .load(conn)?;
    let mut by_service: std::collections::HashMap<String, Places> = Default::default();
    for row in locations {
        by_service.entry(row.service_id.clone()).or_default().locations.push(row);
    }
    for row in schedules {
        by_service.entry(row.service_id.clone()).or_default().schedules.push(row);
    }
    Ok(by_service)
}

/// Completes service rows with their providers and places (two queries for any number of services).
fn records(conn: &mut DbConnection, services: Vec<ServiceRow>) -> Result<Vec<ServiceRecord>> {
    let ids: Vec<String> = services.iter().map(|x| x.id.clone()).collect();
    let provider_ids: Vec<String> = services.iter().map(|x| x.provider_id.clone()).collect();
    let mut places = places_of(conn, &ids)?;
    let providers: std::collections::HashMap<String, crate::db::providers::ProviderRow> = p::table
        .filter(p::id.eq_any(&provider_ids))
        .select(crate::db::providers::ProviderRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    services
        .into_iter()
        .map(|service| {
            let provider = providers
                .get(&service.provider_id)
                .cloned()
                .ok_or_else(|| Error::internal("service provider", &service.provider_id))?;
            let places = places.remove(&service.id).unwrap_or_default();
            Ok(ServiceRecord { service, provider, places })
        })
        .collect()
}

pub fn get(conn: &mut DbConnection, provider_id: &str, id: &str) -> Result<ServiceRecord> {
    let row = s::table
        .filter(s::id.eq(id).and(s::provider_id.eq(provider_id)).and(s::deleted_at.is_null()))
        .select(ServiceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    records(conn, vec![row])?.pop().ok_or(Error::NotFound)
}

/// A live service of any provider (for referrals).
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ServiceRow>> {
    Ok(s::table
        .filter(s::id.eq(id).and(s::deleted_at.is_null()))
        .select(ServiceRow::as_select())
        .first(conn)
        .optional()?)
}

/// The directory search, in id order; the cursor is the last id seen.
pub fn search(
    conn: &mut DbConnection,
    f: &ServiceFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ServiceRecord>> {
    let mut q = s::table.filter(s::deleted_at.is_null()).select(ServiceRow::as_select()).into_boxed();
    if let Some(v) = &f.provider_id {
        q = q.filter(s::provider_id.eq(v.clone()));
    }
    if let Some(v) = &f.category {
        q = q.filter(s::provider_id.eq_any(p::table.select(p::id).filter(p::category.eq(v.clone()))));
    }
    if let Some(active) = f.active {
        q = q.filter(s::active.eq(active));
        if active {
            // A service of an inactive provider is not offered either.
            q = q.filter(s::provider_id.eq_any(p::table.select(p::id).filter(p::active.eq(true))));
        }
    }
    if let Some(v) = &f.need {
        q = q.filter(s::needs.like(like_pattern(&format!("\"{v}\""))).escape('\\'));
    }
    if let Some(v) = &f.language {
        q = q.filter(s::languages.like(like_pattern(&format!("\"{v}\""))).escape('\\'));
    }
    if let Some(v) = &f.municipality_key {
        q = q.filter(s::area_keys.like(like_pattern(&format!("|{v}|"))).escape('\\'));
    }
    if let Some(v) = &f.district_key {
        q = q.filter(s::area_keys.like(like_pattern(&format!("|#{v}|"))).escape('\\'));
    }
    if let Some(age) = f.age {
        q = q.filter(s::min_age.is_null().or(s::min_age.le(age)));
        q = q.filter(s::max_age.is_null().or(s::max_age.ge(age)));
    }
    if let Some(m) = f.open_at {
        let open = h::table
            .select(h::service_id)
            .filter(h::weekday.eq(m.weekday))
            .filter(h::opens.le(m.time))
            .filter(h::closes.gt(m.time))
            .filter(h::valid_from.is_null().or(h::valid_from.le(m.date)))
            .filter(h::valid_to.is_null().or(h::valid_to.ge(m.date)));
        q = q.filter(s::id.eq_any(open));
    }
    for word in &f.words {
        q = q.filter(s::search_text.like(like_pattern(word)).escape('\\'));
    }
    if let Some(after) = after {
        q = q.filter(s::id.gt(after.to_string()));
    }
    let rows = q.order(s::id.asc()).limit(limit + 1).load(conn)?;
    records(conn, rows)
}

/// Saves the service if still at `expected_version`; `places`, when given, replace its locations.
pub fn save(
    conn: &mut DbConnection,
    row: &ServiceRow,
    expected_version: i64,
    places: Option<&Places>,
) -> Result<()> {
    let n = diesel::update(s::table.filter(s::id.eq(&row.id)).filter(s::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        return Err(Error::PreconditionFailed);
    }
    if let Some(places) = places {
        diesel::delete(h::table.filter(h::service_id.eq(&row.id))).execute(conn)?;
        diesel::delete(l::table.filter(l::service_id.eq(&row.id))).execute(conn)?;
        insert_places(conn, places)?;
    }
    Ok(())
}

/// After a provider is renamed: its services' search text includes the provider's name.
pub fn reindex_provider(conn: &mut DbConnection, provider_id: &str, provider_name: &str) -> Result<()> {
    let services: Vec<ServiceRow> =
        s::table.filter(s::provider_id.eq(provider_id)).select(ServiceRow::as_select()).load(conn)?;
    for service in services {
        let text = crate::domain::provider::search_text(
            provider_name,
            &service.name,
            service.description.as_deref(),
        );
        diesel::update(s::table.find(&service.id)).set(s::search_text.eq(text)).execute(conn)?;
    }
    Ok(())
}
