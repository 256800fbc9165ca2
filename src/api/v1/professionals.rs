//! `/api/v1/professionals`: the registry of intercultural mediators, interpreters and lawyers, and
//! `/api/v1/me/professional`, where a professional keeps their own availability and contacts.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::api::v1::services::ServiceArea;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::professionals::{ProfessionalFilter, ProfessionalRow};
use crate::db::{self, DbConnection, audit::AuditEvent, professionals as repo};
use crate::domain::language::LanguageCode;
use crate::domain::person::{validate_name, validate_text};
use crate::domain::professional::{LanguageLevel, ProfessionalKind, Sector};
use crate::domain::role::Role;
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, distinct};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// A language the professional works in, and how well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "fr", "level": "native"}))]
pub struct SpokenLanguage {
    pub code: LanguageCode,
    pub level: LanguageLevel,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c51", "registry_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "kind": "intercultural_mediator", "given_name": "Aïssatou", "family_name": "Sow",
    "languages": [{"code": "fr", "level": "native"}, {"code": "wo", "level": "native"}, {"code": "it", "level": "fluent"}],
    "sectors": ["health", "school"], "area": {"municipalities": ["Crema", "Cremona"], "district": "Cremasco"},
    "employer_organization_id": null, "email": "a.sow@mediatori.example", "phone": "+39 333 2345678",
    "availability": "Weekday mornings", "registry_number": "MED-042", "active": true, "user_id": null,
    "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Professional {
    #[schema(format = Uuid)]
    pub id: String,
    /// The organization that holds this registry entry; its coordinators manage it.
    #[schema(format = Uuid)]
    pub registry_organization_id: String,
    pub kind: ProfessionalKind,
    pub given_name: String,
    pub family_name: String,
    pub languages: Vec<SpokenLanguage>,
    pub sectors: Vec<Sector>,
    pub area: ServiceArea,
    #[schema(format = Uuid)]
    pub employer_organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// In the professional's words: days, hours, notice needed.
    pub availability: Option<String>,
    pub registry_number: Option<String>,
    pub active: bool,
    /// The user account (role `professional`) the professional logs in with, if any.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ProfessionalRow> for Professional {
    type Error = Error;
    fn try_from(r: ProfessionalRow) -> Result<Self> {
        Ok(Professional {
            kind: ProfessionalKind::parse(&r.kind)
                .ok_or_else(|| Error::internal("professional kind", &r.kind))?,
            languages: db::from_json_text(&r.languages)?,
            sectors: db::from_json_text(&r.sectors)?,
            area: ServiceArea {
                municipalities: db::from_json_text(&r.area_municipalities)?,
                district: r.area_district,
            },
            id: r.id,
            registry_organization_id: r.registry_organization_id,
            given_name: r.given_name,
            family_name: r.family_name,
            employer_organization_id: r.employer_organization_id,
            email: r.email,
            phone: r.phone,
            availability: r.availability,
            registry_number: r.registry_number,
            active: r.active,
            user_id: r.user_id,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "intercultural_mediator", "given_name": "Aïssatou", "family_name": "Sow",
    "languages": [{"code": "fr", "level": "native"}, {"code": "wo", "level": "native"}, {"code": "it", "level": "fluent"}],
    "sectors": ["health", "school"], "area": {"municipalities": ["Crema", "Cremona"]},
    "phone": "+39 333 2345678", "registry_number": "MED-042"
}))]
pub struct CreateProfessional {
    /// The registry to add the entry to: the caller's organization's when absent; only admins name another.
    pub registry_organization_id: Option<uuid::Uuid>,
    pub kind: ProfessionalKind,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub given_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub family_name: String,
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub languages: Vec<SpokenLanguage>,
    #[serde(default)]
    #[validate(length(max = 6))]
    #[schema(max_items = 6)]
    pub sectors: Vec<Sector>,
    #[serde(default)]
    #[validate(nested)]
    pub area: ServiceArea,
    pub employer_organization_id: Option<uuid::Uuid>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub availability: Option<String>,
    #[validate(length(min = 1, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 40, format = "sportello:name")]
    pub registry_number: Option<String>,
    /// A user with the `professional` role, to let the professional log in and answer.
    pub user_id: Option<uuid::Uuid>,
}

/// JSON merge patch by the registry's coordinators.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sectors": ["health", "school", "family"], "active": true}))]
pub struct UpdateProfessional {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub kind: Option<ProfessionalKind>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub given_name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub family_name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20, nullable = false)]
    pub languages: Option<Vec<SpokenLanguage>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 6))]
    #[schema(max_items = 6, nullable = false)]
    pub sectors: Option<Vec<Sector>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(nested)]
    #[schema(nullable = false)]
    pub area: Option<ServiceArea>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub employer_organization_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 1000, format = "sportello:text")]
    pub availability: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 40, format = "sportello:name")]
    pub registry_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub user_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

/// What a professional may change in their own entry: availability and contacts.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"availability": "Mornings; Thursdays all day", "phone": "+39 333 2345678"}))]
pub struct UpdateOwnProfile {
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 1000, format = "sportello:text")]
    pub availability: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfessionalQuery {
    /// Only professionals of this kind.
    #[param(example = "interpreter")]
    pub kind: Option<ProfessionalKind>,
    /// Only those who speak this language (ISO 639).
    #[param(example = "ar", value_type = Option<crate::domain::language::LanguageCode>)]
    pub language: Option<LanguageCode>,
    /// Only those expert in this sector.
    #[param(example = "legal")]
    pub sector: Option<Sector>,
    /// Only those who serve this municipality.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Crema", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub municipality: Option<String>,
    /// Active (true) or inactive (false) entries; both when absent.
    #[param(example = true)]
    pub active: Option<bool>,
    /// Only the entries of this organization's registry.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub registry_organization_id: Option<uuid::Uuid>,
}

/// `|fr|wo|it|`: the languages as search keys.
fn language_keys(languages: &[SpokenLanguage]) -> String {
    let codes: Vec<&str> = languages.iter().map(|l| l.code.as_str()).collect();
    format!("|{}|", codes.join("|"))
}

/// Keeps the first entry of each language.
fn distinct_languages(languages: Vec<SpokenLanguage>) -> Vec<SpokenLanguage> {
    let mut out: Vec<SpokenLanguage> = Vec::with_capacity(languages.len());
    for l in languages {
        if !out.iter().any(|o| o.code == l.code) {
            out.push(l);
        }
    }
    out
}

/// Organizations and the user account named must exist; the account must be a professional's.
fn check_links(
    c: &mut DbConnection,
    registry: &str,
    employer: Option<&str>,
    user: Option<&str>,
) -> Result<()> {
    if db::organizations::find(c, registry)?.is_none() {
        return Err(Error::invalid("registry_organization_id", "not_found", "no such organization"));
    }
    if let Some(employer) = employer
        && db::organizations::find(c, employer)?.is_none()
    {
        return Err(Error::invalid("employer_organization_id", "not_found", "no such organization"));
    }
    if let Some(user) = user {
        let professional = db::users::find(c, user)?.is_some_and(|u| u.role == Role::Professional.as_str());
        if !professional {
            return Err(Error::invalid("user_id", "not_found", "no such user with the professional role"));
        }
    }
    Ok(())
}

/// Search the registry
///
/// By kind, language, sector, municipality served and active flag. Operators, coordinators and admins.
#[utoipa::path(
    tag = "professionals",
    params(ProfessionalQuery, PageParams),
    responses((status = 200, description = "A page of professionals", body = Page<Professional>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_professionals(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ProfessionalQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalSearch)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = ProfessionalFilter {
        kind: q.kind.map(|k| k.as_str().to_string()),
        language: q.language.map(|l| l.as_str().to_string()),
        sector: q.sector.map(|s| s.as_str().to_string()),
        municipality_key: q.municipality.as_deref().map(search_key).filter(|k| !k.is_empty()),
        active: q.active,
        registry_organization_id: q.registry_organization_id.map(|o| o.to_string()),
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Professional::try_from)?))
}

/// Add a professional to the registry
///
/// Coordinators add to their organization's registry; admins to any.
#[utoipa::path(
    tag = "professionals",
    request_body = CreateProfessional,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Professional, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_professional(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateProfessional>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalManage)?;
    let b = body.into_inner();
    // A coordinator may name their own registry, never another one (that is 403, not a silent default).
    let registry = b
        .registry_organization_id
        .map_or_else(|| caller.principal.organization_id.clone(), |o| o.to_string());
    policy::require_manage_registry(&caller.principal, &registry)?;
    let now = db::now();
    let languages = distinct_languages(b.languages);
    let area = b.area.cleaned();
    let row = ProfessionalRow {
        id: db::new_id(),
        registry_organization_id: registry,
        kind: b.kind.as_str().to_string(),
        given_name: clean(&b.given_name),
        family_name: clean(&b.family_name),
        language_keys: language_keys(&languages),
        languages: db::to_json_text(&languages)?,
        sectors: db::to_json_text(&distinct(b.sectors))?,
        area_keys: area.keys([]),
        area_municipalities: db::to_json_text(&area.municipalities)?,
        area_district: area.district,
        employer_organization_id: b.employer_organization_id.map(|o| o.to_string()),
        email: b.email,
        phone: b.phone,
        availability: b.availability,
        registry_number: b.registry_number.as_deref().map(clean),
        active: true,
        user_id: b.user_id.map(|u| u.to_string()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                check_links(
                    c,
                    &row.registry_organization_id,
                    row.employer_organization_id.as_deref(),
                    row.user_id.as_deref(),
                )?;
                repo::insert(c, &row)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "professional.create", "professional", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/professionals/{}", row.id);
    Ok(respond::created(location, &Professional::try_from(row)?, 1))
}

/// Get a professional
///
/// A registry entry. Operators, coordinators and admins.
#[utoipa::path(
    tag = "professionals",
    params(("id" = uuid::Uuid, Path, description = "Professional id")),
    responses((status = 200, description = "The professional", body = Professional, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_professional(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalSearch)?;
    let id = id.into_inner().to_string();
    let row = state.db.run(move |c| repo::get(c, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Professional::try_from(row)?, version))
}

/// Update a registry entry
///
/// JSON merge patch with `If-Match`, by the registry's coordinators and admins.
#[utoipa::path(
    tag = "professionals",
    params(("id" = uuid::Uuid, Path, description = "Professional id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateProfessional, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Professional, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_professional(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateProfessional>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &id)?;
                policy::require_manage_registry(&caller.principal, &row.registry_organization_id)?;
                check_version(Some(expected), row.version)?;
                patch::set(&mut row.kind, p.kind.map(|k| k.as_str().to_string()));
                patch::set(&mut row.given_name, p.given_name.as_deref().map(clean));
                patch::set(&mut row.family_name, p.family_name.as_deref().map(clean));
                if let Some(languages) = p.languages {
                    let languages = distinct_languages(languages);
                    row.language_keys = language_keys(&languages);
                    row.languages = db::to_json_text(&languages)?;
                }
                if let Some(sectors) = p.sectors {
                    row.sectors = db::to_json_text(&distinct(sectors))?;
                }
                if let Some(area) = p.area {
                    let area = area.cleaned();
                    row.area_keys = area.keys([]);
                    row.area_municipalities = db::to_json_text(&area.municipalities)?;
                    row.area_district = area.district;
                }
                patch::apply(
                    &mut row.employer_organization_id,
                    p.employer_organization_id.map(|o| o.map(|u| u.to_string())),
                );
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.phone, p.phone);
                patch::apply(&mut row.availability, p.availability);
                patch::apply(&mut row.registry_number, p.registry_number.map(|n| n.as_deref().map(clean)));
                patch::apply(&mut row.user_id, p.user_id.map(|u| u.map(|u| u.to_string())));
                patch::set(&mut row.active, p.active);
                check_links(
                    c,
                    &row.registry_organization_id,
                    row.employer_organization_id.as_deref(),
                    row.user_id.as_deref(),
                )?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "professional.update", "professional", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Professional::try_from(row)?, version))
}

/// The registry entry of the professional calling: 404 when their account is linked to none.
fn own_entry(c: &mut DbConnection, caller: &Caller) -> Result<ProfessionalRow> {
    repo::find_by_user(c, caller.user_id())?.ok_or(Error::NotFound)
}

/// My registry entry
///
/// For a professional: their own entry in the registry.
#[utoipa::path(
    tag = "professionals",
    responses((status = 200, description = "The caller's registry entry", body = Professional, headers(("ETag" = String))),
        (status = 404, description = "The caller's account is linked to no registry entry", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/me/professional")]
pub async fn get_own_profile(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalSelf)?;
    let row = state.db.run(move |c| own_entry(c, &caller)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Professional::try_from(row)?, version))
}

/// Update my availability and contacts
///
/// JSON merge patch with `If-Match`; the rest of the entry is the registry's to change.
#[utoipa::path(
    tag = "professionals",
    params(("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateOwnProfile, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Professional, headers(("ETag" = String))),
        (status = 404, description = "The caller's account is linked to no registry entry", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/me/professional")]
pub async fn update_own_profile(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: ApiJson<UpdateOwnProfile>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProfessionalSelf)?;
    let expected = if_match.required()?;
    let p = body.into_inner();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = own_entry(c, &caller)?;
                check_version(Some(expected), row.version)?;
                patch::apply(&mut row.availability, p.availability);
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.phone, p.phone);
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "professional.update_own", "professional", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Professional::try_from(row)?, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/professionals")
            .service(list_professionals)
            .service(create_professional)
            .service(get_professional)
            .service(update_professional),
    );
}

/// `/me/professional`, mounted beside `/me`.
pub fn own_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_own_profile).service(update_own_profile);
}
