//! `/api/v1/providers`: the network directory's providers (HSDS organizations). Their services live in
//! [`crate::api::v1::services`].

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, audit::AuditEvent, providers as repo, providers::ProviderRow};
use crate::domain::person::{validate_name, validate_text};
use crate::domain::provider::ProviderCategory;
use crate::domain::{Code, role::Role};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "name": "Questura di Cremona — Ufficio Immigrazione",
    "category": "police_immigration_office",
    "description": "Residence permits: first issue, renewal, conversion.",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "email": "immigrazione.quest.cr@poliziadistato.example",
    "phone": "+39 0372 488111", "website": null, "active": true, "version": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Provider {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub category: ProviderCategory,
    pub description: Option<String>,
    /// The organization of the system whose staff receive this provider's referrals; null for an external
    /// provider, whose answers the referring desk records.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ProviderRow> for Provider {
    type Error = Error;
    fn try_from(r: ProviderRow) -> Result<Self> {
        Ok(Provider {
            category: ProviderCategory::parse(&r.category)
                .ok_or_else(|| Error::internal("provider category", &r.category))?,
            id: r.id,
            name: r.name,
            description: r.description,
            organization_id: r.organization_id,
            email: r.email,
            phone: r.phone,
            website: r.website,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Questura di Cremona — Ufficio Immigrazione", "category": "police_immigration_office",
    "description": "Residence permits: first issue, renewal, conversion.", "phone": "+39 0372 488111"
}))]
pub struct CreateProvider {
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name")]
    pub name: String,
    pub category: ProviderCategory,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub description: Option<String>,
    /// Link to an organization of the system. Coordinators create providers of their own organization only
    /// (the default for them); admins may create external ones (no link).
    pub organization_id: Option<uuid::Uuid>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[validate(url, length(max = 300))]
    #[schema(
        max_length = 300,
        format = "uri",
        example = "https://www.provincia.cremona.example/immigrazione"
    )]
    pub website: Option<String>,
}

/// JSON merge patch. Only admins may change the linked organization.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+39 0372 488112", "active": true}))]
pub struct UpdateProvider {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name", nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub category: Option<ProviderCategory>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub organization_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(url, length(max = 300))]
    #[schema(value_type = Option<String>, max_length = 300, format = "uri")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProviderQuery {
    /// Only providers of this category.
    #[param(example = "police_immigration_office")]
    pub category: Option<ProviderCategory>,
    /// Only providers linked to this organization.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only active (true) or inactive (false) providers.
    #[param(example = true)]
    pub active: Option<bool>,
    /// Name fragment, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Questura", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub name: Option<String>,
}

/// A linked organization must exist.
fn check_organization(c: &mut db::DbConnection, organization_id: Option<&str>) -> Result<()> {
    match organization_id {
        Some(id) if db::organizations::find(c, id)?.is_none() => {
            Err(Error::invalid("organization_id", "not_found", "no such organization"))
        }
        _ => Ok(()),
    }
}

/// List providers
///
/// The directory is readable by every authenticated role.
#[utoipa::path(
    tag = "providers",
    params(ProviderQuery, PageParams),
    responses((status = 200, description = "A page of providers", body = Page<Provider>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_providers(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ProviderQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = repo::ProviderFilter {
        category: q.category.map(|c| c.as_str().to_string()),
        organization_id: q.organization_id.map(|o| o.to_string()),
        active: q.active,
        name: q.name,
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Provider::try_from)?))
}

/// Add a provider to the directory
///
/// Admins add any provider, linked to an organization or external; coordinators add providers linked to
/// their own organization.
#[utoipa::path(
    tag = "providers",
    request_body = CreateProvider,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Provider, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_provider(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateProvider>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let b = body.into_inner();
    let organization_id = match (caller.principal.role, b.organization_id) {
        (Role::Admin, linked) => linked.map(|o| o.to_string()),
        (_, None) => Some(caller.principal.organization_id.clone()),
        (_, Some(o)) => Some(o.to_string()),
    };
    policy::require_manage_provider(&caller.principal, organization_id.as_deref())?;
    let now = db::now();
    let row = ProviderRow {
        id: db::new_id(),
        name: crate::domain::text::clean(&b.name),
        category: b.category.as_str().to_string(),
        description: b.description,
        organization_id,
        email: b.email,
        phone: b.phone,
        website: b.website,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                check_organization(c, row.organization_id.as_deref())?;
                repo::insert(c, &row)?;
                db::audit::record(c, &AuditEvent::by(&caller, "provider.create", "provider", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/providers/{}", row.id);
    Ok(respond::created(location, &Provider::try_from(row)?, 1))
}

/// Get a provider
///
/// Readable by every authenticated role.
#[utoipa::path(
    tag = "providers",
    params(("id" = uuid::Uuid, Path, description = "Provider id")),
    responses((status = 200, description = "The provider", body = Provider, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_provider(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderRead)?;
    let id = id.into_inner().to_string();
    let row = state.db.run(move |c| repo::get(c, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Provider::try_from(row)?, version))
}

/// Update a provider
///
/// JSON merge patch with `If-Match`. Admins, or coordinators of the linked organization; only admins
/// change the link.
#[utoipa::path(
    tag = "providers",
    params(("id" = uuid::Uuid, Path, description = "Provider id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateProvider, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Provider, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_provider(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateProvider>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &id)?;
                policy::require_manage_provider(&caller.principal, row.organization_id.as_deref())?;
                check_version(Some(expected), row.version)?;
                if let Some(link) = p.organization_id {
                    if caller.principal.role != Role::Admin {
                        return Err(Error::Forbidden(
                            "only an admin may change a provider's organization".into(),
                        ));
                    }
                    row.organization_id = link.map(|o| o.to_string());
                    check_organization(c, row.organization_id.as_deref())?;
                }
                let renamed = p.name.is_some();
                patch::set(&mut row.name, p.name.as_deref().map(crate::domain::text::clean));
                patch::set(&mut row.category, p.category.map(|c| c.as_str().to_string()));
                patch::apply(&mut row.description, p.description);
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.phone, p.phone);
                patch::apply(&mut row.website, p.website);
                patch::set(&mut row.active, p.active);
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                if renamed {
                    // Free-text search over services includes the provider's name.
                    db::services::reindex_provider(c, &row.id, &row.name)?;
                }
                db::audit::record(c, &AuditEvent::by(&caller, "provider.update", "provider", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Provider::try_from(row)?, version))
}

/// Delete a provider
///
/// Only while nothing refers to it (409 otherwise: deactivate it instead).
#[utoipa::path(
    tag = "providers",
    params(("id" = uuid::Uuid, Path, description = "Provider id")),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Still in use", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_provider(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProviderManage)?;
    let id = id.into_inner().to_string();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let row = repo::get(c, &id)?;
                policy::require_manage_provider(&caller.principal, row.organization_id.as_deref())?;
                repo::delete(c, &id)?;
                db::audit::record(c, &AuditEvent::by(&caller, "provider.delete", "provider", Some(&id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/providers")
            .service(list_providers)
            .service(create_provider)
            .service(get_provider)
            .service(update_provider)
            .service(delete_provider)
            // Services live in the same scope: actix does not fall through to a second "/providers" scope.
            .configure(crate::api::v1::services::provider_routes),
    );
}
