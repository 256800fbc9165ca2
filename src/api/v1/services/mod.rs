//! Services of the directory: `/api/v1/providers/{provider_id}/services` to manage them and
//! `GET /api/v1/services` to search across every provider (need, language, municipality, open at, text).

pub mod dto;

use crate::api::v1::opening_hours::OpeningHours;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::services::{
    LocalMoment, LocationRow, Places, ScheduleRow, ServiceFilter, ServiceRecord, ServiceRow,
};
use crate::db::{self, audit::AuditEvent, services as repo};
use crate::domain::person::normalize_languages;
use crate::domain::provider::{area_keys, search_text};
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, distinct, local_time};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};
use actix_web::{HttpResponse, delete, get, patch, post, web};

pub use dto::{CreateService, Location, Service, ServiceArea, ServiceQuery, UpdateService};

/// Validates a service's places and turns them into rows.
fn places(service_id: &str, locations: &[Location]) -> Result<Places> {
    let mut out = Places::default();
    for (i, location) in locations.iter().enumerate() {
        OpeningHours::check_all(&location.schedules, &format!("locations[{i}].schedules"))?;
        let location_id = db::new_id();
        out.schedules.extend(location.schedules.iter().enumerate().map(|(j, h)| ScheduleRow {
            id: db::new_id(),
            location_id: location_id.clone(),
            service_id: service_id.to_string(),
            position: j as i32,
            weekday: i32::from(h.weekday),
            opens: h.opens,
            closes: h.closes,
            valid_from: h.valid_from,
            valid_to: h.valid_to,
            notes: h.notes.clone(),
        }));
        out.locations.push(LocationRow {
            id: location_id,
            service_id: service_id.to_string(),
            position: i as i32,
            name: clean(&location.name),
            address: location.address.clone(),
            municipality: location.municipality.as_deref().map(clean),
            notes: location.notes.clone(),
        });
    }
    Ok(out)
}

/// The age limits must make sense together.
fn check_ages(min_age: Option<i32>, max_age: Option<i32>) -> Result<()> {
    match (min_age, max_age) {
        (Some(min), Some(max)) if min > max => {
            Err(Error::invalid("max_age", "below_min_age", "max_age must not be below min_age"))
        }
        _ => Ok(()),
    }
}

/// Recomputes what search reads from the row and its locations.
fn index(row: &mut ServiceRow, provider_name: &str, places: &Places) -> Result<()> {
    let area: Vec<String> = db::from_json_text(&row.area_municipalities)?;
    let located = places.locations.iter().filter_map(|l| l.municipality.as_deref());
    row.search_text = search_text(provider_name, &row.name, row.description.as_deref());
    row.area_keys = area_keys(area.iter().map(String::as_str).chain(located), row.area_district.as_deref());
    Ok(())
}

/// Search the directory's services
///
/// Across every provider: by need, language, municipality or district served, provider category, age,
/// "open at" a moment or "open now", and free text. Readable by every authenticated role.
#[utoipa::path(
    tag = "providers",
    params(ServiceQuery, PageParams),
    responses((status = 200, description = "A page of services", body = Page<Service>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn search_services(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ServiceQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let moment = match (q.open_at, q.open_now) {
        (Some(at), _) => Some(at.naive_utc()),
        (None, Some(true)) => Some(db::now()),
        (None, _) => None,
    };
    let filter = ServiceFilter {
        provider_id: q.provider_id.map(|p| p.to_string()),
        category: q.category.map(|c| c.as_str().to_string()),
        need: q.need.map(|n| n.as_str().to_string()),
        language: q.language.as_deref().map(|l| normalize_languages(&[l.to_string()]).concat()),
        municipality_key: q.municipality.as_deref().map(search_key).filter(|k| !k.is_empty()),
        district_key: q.district.as_deref().map(search_key).filter(|k| !k.is_empty()),
        age: q.age,
        open_at: moment.map(|utc| {
            let local = local_time::italian(utc);
            LocalMoment {
                weekday: local_time::iso_weekday(local.date()),
                time: local.time(),
                date: local.date(),
            }
        }),
        words: q
            .q
            .as_deref()
            .map(search_key)
            .unwrap_or_default()
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
        active: Some(q.active.unwrap_or(true)),
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::search(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.service.id.as_str(), Service::try_from)?))
}

/// Add a service to a provider
///
/// Admins, or coordinators of the provider's organization.
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "Provider id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateService,
    responses((status = 201, description = "Created", body = Service, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{provider_id}/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    caller: Caller,
    provider_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateService>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let (provider_id, b) = (provider_id.into_inner().to_string(), body.into_inner());
    check_ages(b.min_age, b.max_age)?;
    let now = db::now();
    let area = b.service_area.cleaned();
    let mut row = ServiceRow {
        id: db::new_id(),
        provider_id: provider_id.clone(),
        name: clean(&b.name),
        description: b.description,
        needs: db::to_json_text(&distinct(b.needs))?,
        languages: db::to_json_text(&normalize_languages(&b.languages))?,
        area_municipalities: db::to_json_text(&area.municipalities)?,
        area_district: area.district,
        eligibility: b.eligibility,
        min_age: b.min_age,
        max_age: b.max_age,
        fees: b.fees,
        how_to_apply: b.how_to_apply,
        email: b.email,
        phone: b.phone,
        search_text: String::new(),
        area_keys: String::new(),
        active: true,
        deleted_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let places = places(&row.id, &b.locations)?;
    let record = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let provider = db::providers::get(c, &provider_id)?;
                policy::require_manage_provider(&caller.principal, provider.organization_id.as_deref())?;
                index(&mut row, &provider.name, &places)?;
                repo::insert(c, &row, &places)?;
                db::audit::record(c, &AuditEvent::by(&caller, "service.create", "service", Some(&row.id)))?;
                repo::get(c, &provider_id, &row.id)
            })
        })
        .await?;
    let location = format!("/api/v1/providers/{}/services/{}", record.provider.id, record.service.id);
    Ok(respond::created(location, &Service::try_from(record)?, 1))
}

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// Get a service
///
/// With its provider, locations and weekly schedules. Readable by every authenticated role.
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "Provider id"), ("id" = uuid::Uuid, Path, description = "Service id")),
    responses((status = 200, description = "The service", body = Service, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{provider_id}/services/{id}")]
pub async fn get_service(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderRead)?;
    let (provider_id, id) = ids.into_inner();
    let (provider_id, id) = (provider_id.to_string(), id.to_string());
    let record = state.db.run(move |c| repo::get(c, &provider_id, &id)).await?;
    let version = record.service.version;
    Ok(respond::ok_versioned(&Service::try_from(record)?, version))
}

/// Update a service
///
/// JSON merge patch with `If-Match`; `locations`, when present, replaces every location and schedule.
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "Provider id"), ("id" = uuid::Uuid, Path, description = "Service id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateService, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Service, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{provider_id}/services/{id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<UpdateService>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let expected = if_match.required()?;
    let ((provider_id, id), p) = (ids.into_inner(), body.into_inner());
    let (provider_id, id) = (provider_id.to_string(), id.to_string());
    let new_places = p.locations.as_deref().map(|l| places(&id, l)).transpose()?;
    let record = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let ServiceRecord { service: mut row, provider, places: old_places } =
                    repo::get(c, &provider_id, &id)?;
                policy::require_manage_provider(&caller.principal, provider.organization_id.as_deref())?;
                check_version(Some(expected), row.version)?;
                patch::set(&mut row.name, p.name.as_deref().map(clean));
                patch::apply(&mut row.description, p.description);
                if let Some(needs) = p.needs {
                    row.needs = db::to_json_text(&distinct(needs))?;
                }
                if let Some(languages) = &p.languages {
                    row.languages = db::to_json_text(&normalize_languages(languages))?;
                }
                if let Some(area) = &p.service_area {
                    let area = area.cleaned();
                    row.area_municipalities = db::to_json_text(&area.municipalities)?;
                    row.area_district = area.district;
                }
                patch::apply(&mut row.eligibility, p.eligibility);
                patch::apply(&mut row.min_age, p.min_age);
                patch::apply(&mut row.max_age, p.max_age);
                check_ages(row.min_age, row.max_age)?;
                patch::apply(&mut row.fees, p.fees);
                patch::apply(&mut row.how_to_apply, p.how_to_apply);
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.phone, p.phone);
                patch::set(&mut row.active, p.active);
                index(&mut row, &provider.name, new_places.as_ref().unwrap_or(&old_places))?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected, new_places.as_ref())?;
                db::audit::record(c, &AuditEvent::by(&caller, "service.update", "service", Some(&row.id)))?;
                repo::get(c, &provider_id, &id)
            })
        })
        .await?;
    let version = record.service.version;
    Ok(respond::ok_versioned(&Service::try_from(record)?, version))
}

/// Delete a service
///
/// Removes it from the directory; referrals that named it keep their history.
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "Provider id"), ("id" = uuid::Uuid, Path, description = "Service id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{provider_id}/services/{id}")]
pub async fn delete_service(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let (provider_id, id) = ids.into_inner();
    let (provider_id, id) = (provider_id.to_string(), id.to_string());
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let ServiceRecord { service: mut row, provider, .. } = repo::get(c, &provider_id, &id)?;
                policy::require_manage_provider(&caller.principal, provider.organization_id.as_deref())?;
                let old_version = row.version;
                row.deleted_at = Some(db::now());
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, old_version, None)?;
                db::audit::record(c, &AuditEvent::by(&caller, "service.delete", "service", Some(&id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}

/// `/providers/{provider_id}/services…`, mounted inside the providers scope.
pub fn provider_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_service).service(get_service).service(update_service).service(delete_service);
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(utoipa_actix_web::scope("/services").service(search_services));
}
