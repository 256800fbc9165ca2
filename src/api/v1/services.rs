//! Services of the directory: `/api/v1/providers/{provider_id}/services` to manage them and
//! `GET /api/v1/services` to search across every provider (need, language, municipality, open at, text).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::opening_hours::OpeningHours;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::services::{
    LocalMoment, LocationRow, Places, ScheduleRow, ServiceFilter, ServiceRecord, ServiceRow,
};
use crate::db::{self, audit::AuditEvent, services as repo};
use crate::domain::case::Need;
use crate::domain::person::{normalize_languages, validate_languages, validate_name, validate_text};
use crate::domain::provider::{ProviderCategory, area_keys, search_text};
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, local_time};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// Where the service is offered to residents: named municipalities and/or a whole social-care district.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipalities": ["Crema", "Offanengo"], "district": "Cremasco"}))]
pub struct ServiceArea {
    #[serde(default)]
    #[validate(length(max = 100), custom(function = "validate_names"))]
    #[schema(max_items = 100, value_type = Vec<PlaceName>)]
    pub municipalities: Vec<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub district: Option<String>,
}

/// In the OpenAPI document: the name of a municipality or district, with the rule of every name.
pub struct PlaceName;

impl utoipa::PartialSchema for PlaceName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A municipality's name, as written (case and accents are ignored in searches).",
            ))
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some(crate::domain::person::NAME_PATTERN))
            .examples([serde_json::json!("Crema")])
            .into()
    }
}

impl utoipa::ToSchema for PlaceName {}

fn validate_names(names: &[String]) -> std::result::Result<(), ValidationError> {
    for name in names {
        if name.chars().count() > 100 {
            return Err(ValidationError::new("length")
                .with_message("a municipality has at most 100 characters".into()));
        }
        validate_name(name)?;
    }
    Ok(())
}

/// A place where the service is delivered, with its weekly schedule (HSDS service_at_location).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Questura — sportello stranieri", "address": "Via Tribunali 6, 26100 Cremona", "municipality": "Cremona",
    "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}, {"weekday": 3, "opens": "14:30", "closes": "16:30"}]
}))]
pub struct Location {
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub name: String,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[validate(length(max = 1000), custom(function = "validate_text"))]
    #[schema(max_length = 1000, format = "sportello:text")]
    pub notes: Option<String>,
    /// Weekly opening slots in local Italian time.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub schedules: Vec<OpeningHours>,
}

/// The provider a service belongs to, as search results show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceProvider {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub category: ProviderCategory,
    /// Null for an external provider.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b11",
    "provider": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "name": "Questura di Cremona — Ufficio Immigrazione",
                 "category": "police_immigration_office", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12"},
    "name": "Rinnovo del permesso di soggiorno", "description": "Renewal of residence permits, by appointment.",
    "needs": ["residence_permit"], "languages": ["it", "en", "fr"],
    "service_area": {"municipalities": ["Cremona"], "district": "Cremonese"},
    "eligibility": "Holders of a permit expiring within 60 days", "min_age": 14, "max_age": null,
    "fees": "Postal kit and revenue stamp", "how_to_apply": "Book through the desk", "email": null, "phone": "+39 0372 488111",
    "locations": [{"name": "Questura — sportello stranieri", "address": "Via Tribunali 6, 26100 Cremona",
                   "municipality": "Cremona", "notes": null,
                   "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}]}],
    "active": true, "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Service {
    #[schema(format = Uuid)]
    pub id: String,
    pub provider: ServiceProvider,
    pub name: String,
    pub description: Option<String>,
    /// The needs this service answers (the codes of case needs).
    pub needs: Vec<Need>,
    /// ISO 639 codes of the languages the service is offered in.
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<String>,
    pub service_area: ServiceArea,
    pub eligibility: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub fees: Option<String>,
    pub how_to_apply: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locations: Vec<Location>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ServiceRecord> for Service {
    type Error = Error;
    fn try_from(r: ServiceRecord) -> Result<Self> {
        let ServiceRecord { service: s, provider, places } = r;
        let locations = places
            .locations
            .into_iter()
            .map(|l| Location {
                schedules: places
                    .schedules
                    .iter()
                    .filter(|h| h.location_id == l.id)
                    .map(|h| {
                        OpeningHours::from_stored(
                            h.weekday,
                            h.opens,
                            h.closes,
                            h.valid_from,
                            h.valid_to,
                            h.notes.clone(),
                        )
                    })
                    .collect(),
                name: l.name,
                address: l.address,
                municipality: l.municipality,
                notes: l.notes,
            })
            .collect();
        Ok(Service {
            provider: ServiceProvider {
                category: ProviderCategory::parse(&provider.category)
                    .ok_or_else(|| Error::internal("provider category", &provider.category))?,
                id: provider.id,
                name: provider.name,
                organization_id: provider.organization_id,
            },
            needs: db::from_json_text(&s.needs)?,
            languages: db::from_json_text(&s.languages)?,
            service_area: ServiceArea {
                municipalities: db::from_json_text(&s.area_municipalities)?,
                district: s.area_district,
            },
            id: s.id,
            name: s.name,
            description: s.description,
            eligibility: s.eligibility,
            min_age: s.min_age,
            max_age: s.max_age,
            fees: s.fees,
            how_to_apply: s.how_to_apply,
            email: s.email,
            phone: s.phone,
            locations,
            active: s.active,
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Rinnovo del permesso di soggiorno", "needs": ["residence_permit"], "languages": ["it", "en", "fr"],
    "service_area": {"municipalities": ["Cremona"]}, "min_age": 14, "fees": "Postal kit and revenue stamp",
    "locations": [{"name": "Questura — sportello stranieri", "municipality": "Cremona",
                   "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}]}]
}))]
pub struct CreateService {
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name")]
    pub name: String,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub description: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub needs: Vec<Need>,
    #[serde(default)]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>, max_items = 30)]
    pub languages: Vec<String>,
    #[serde(default)]
    #[validate(nested)]
    pub service_area: ServiceArea,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub eligibility: Option<String>,
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<i32>,
    /// Not below `min_age`.
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i32>,
    #[validate(length(max = 500), custom(function = "validate_text"))]
    #[schema(max_length = 500, format = "sportello:text")]
    pub fees: Option<String>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub how_to_apply: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub locations: Vec<Location>,
}

/// JSON merge patch; `locations`, when present, replaces every location and schedule.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"languages": ["it", "en", "fr", "ar"], "active": true}))]
pub struct UpdateService {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name", nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20))]
    #[schema(max_items = 20, nullable = false)]
    pub needs: Option<Vec<Need>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Option<Vec<crate::domain::language::LanguageCode>>, max_items = 30, nullable = false)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(nested)]
    #[schema(nullable = false)]
    pub service_area: Option<ServiceArea>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub eligibility: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(range(min = 0, max = 120))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 120)]
    pub min_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(range(min = 0, max = 120))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 120)]
    pub max_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 500), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 500, format = "sportello:text")]
    pub fees: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub how_to_apply: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20, nullable = false)]
    pub locations: Option<Vec<Location>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Words that must all appear in the provider's or service's name or description (accents and case
    /// ignored).
    #[validate(length(min = 2, max = 100))]
    #[param(example = "permesso", min_length = 2, max_length = 100)]
    pub q: Option<String>,
    /// Only services answering this need.
    #[param(example = "residence_permit")]
    pub need: Option<Need>,
    /// Only services offered in this language (ISO 639).
    #[validate(custom(function = "validate_language"))]
    #[param(example = "fr", value_type = Option<crate::domain::language::LanguageCode>)]
    pub language: Option<String>,
    /// Only services serving this municipality (named in their area or where one of their locations is).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Cremona", min_length = 1, max_length = 100)]
    pub municipality: Option<String>,
    /// Only services serving this social-care district.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Cremasco", min_length = 1, max_length = 100)]
    pub district: Option<String>,
    /// Only services of providers of this category.
    #[param(example = "police_immigration_office")]
    pub category: Option<ProviderCategory>,
    /// Only services of this provider.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01")]
    pub provider_id: Option<uuid::Uuid>,
    /// Only services whose age limits admit a person of this age.
    #[validate(range(min = 0, max = 120))]
    #[param(example = 35, minimum = 0, maximum = 120)]
    pub age: Option<i32>,
    /// Only services open at this moment (RFC 3339; schedules are in Italian local time).
    #[param(example = "2026-11-25T10:30:00+01:00")]
    pub open_at: Option<DateTime<Utc>>,
    /// Only services open now (the same as `open_at` with the current time; `open_at` wins when both are
    /// given).
    #[param(example = true)]
    pub open_now: Option<bool>,
    /// Active services of active providers (the default), or only inactive services with `false`.
    #[param(example = true)]
    pub active: Option<bool>,
}

fn validate_language(code: &str) -> std::result::Result<(), ValidationError> {
    validate_languages(std::slice::from_ref(&code.to_string()))
}

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

fn clean_area(area: &ServiceArea) -> ServiceArea {
    ServiceArea {
        municipalities: area.municipalities.iter().map(|m| clean(m)).collect(),
        district: area.district.as_deref().map(clean),
    }
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
    let area = clean_area(&b.service_area);
    let mut row = ServiceRow {
        id: db::new_id(),
        provider_id: provider_id.clone(),
        name: clean(&b.name),
        description: b.description,
        needs: db::to_json_text(&dedup(b.needs))?,
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

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
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
                    row.needs = db::to_json_text(&dedup(needs))?;
                }
                if let Some(languages) = &p.languages {
                    row.languages = db::to_json_text(&normalize_languages(languages))?;
                }
                if let Some(area) = &p.service_area {
                    let area = clean_area(area);
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
