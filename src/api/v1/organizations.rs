//! `/api/v1/organizations`: the agencies of the network.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, audit::AuditEvent, organizations as repo, organizations::OrganizationRow};
use crate::domain::organization::{OrganizationCode, OrganizationKind, validate_code};
use crate::domain::{Code, person::validate_name};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "name": "Comune di Cremona", "kind": "municipality",
    "code": "CR-COMUNE", "tax_id": "00297960197", "municipality": "Cremona", "district": "Cremonese",
    "address": "Piazza del Comune 8, 26100 Cremona", "email": "sportello.immigrati@comune.cremona.example",
    "phone": "+39 0372 407111", "active": true, "plans_need_approval": false, "version": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Organization {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub kind: OrganizationKind,
    /// Short code used in case reference codes; fixed at creation.
    pub code: String,
    pub tax_id: Option<String>,
    pub municipality: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    /// Whether individual plans of its cases wait for a coordinator's approval.
    pub plans_need_approval: bool,
    /// Also the ETag.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = Error;
    fn try_from(r: OrganizationRow) -> Result<Self> {
        Ok(Organization {
            kind: OrganizationKind::parse(&r.kind)
                .ok_or_else(|| Error::internal("organization kind", &r.kind))?,
            id: r.id,
            name: r.name,
            code: r.code,
            tax_id: r.tax_id,
            municipality: r.municipality,
            district: r.district,
            address: r.address,
            email: r.email,
            phone: r.phone,
            active: r.active,
            plans_need_approval: r.plans_need_approval,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Caritas Cremonese", "kind": "charity", "code": "CR-CARITAS", "municipality": "Cremona",
    "district": "Cremonese", "address": "Via Stenico 2/B, 26100 Cremona", "phone": "+39 0372 35063"
}))]
pub struct CreateOrganization {
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name")]
    pub name: String,
    pub kind: OrganizationKind,
    #[validate(custom(function = "validate_code"))]
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9-]{0,14}[A-Za-z0-9]$")]
    pub code: String,
    #[validate(length(min = 1, max = 32), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 32, format = "sportello:name")]
    pub tax_id: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub district: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    /// Individual plans of its cases wait for a coordinator's approval; default false.
    #[serde(default)]
    pub plans_need_approval: bool,
}

/// JSON merge patch: absent fields stay, `null` clears. The code cannot change.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+39 0372 407112", "active": true}))]
pub struct UpdateOrganization {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name", nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 32), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 32, format = "sportello:name")]
    pub tax_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, format = "sportello:name")]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// Applies to plans drawn up from now on.
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub plans_need_approval: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Only organizations of this kind.
    #[param(example = "charity")]
    pub kind: Option<OrganizationKind>,
    /// Only active (true) or inactive (false) organizations.
    #[param(example = true)]
    pub active: Option<bool>,
    /// Name fragment.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Caritas", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub name: Option<String>,
}

/// List organizations
///
/// Every authenticated role can read the directory of organizations.
#[utoipa::path(
    tag = "organizations",
    params(OrganizationQuery, PageParams),
    responses((status = 200, description = "A page of organizations", body = Page<Organization>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<OrganizationQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::OrganizationRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = repo::OrganizationFilter {
        kind: q.kind.map(|k| k.as_str().to_string()),
        active: q.active,
        name: q.name.clone(),
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Organization::try_from)?))
}

/// Create an organization
///
/// Admins only. The code is used in case reference codes and cannot change later.
#[utoipa::path(
    tag = "organizations",
    request_body = CreateOrganization,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Organization,
        headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateOrganization>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::OrganizationCreate)?;
    let b = body.into_inner();
    let code = OrganizationCode::parse(&b.code)?;
    let now = db::now();
    let row = OrganizationRow {
        id: db::new_id(),
        name: crate::domain::text::clean(&b.name),
        kind: b.kind.as_str().to_string(),
        code: code.as_str().to_string(),
        tax_id: b.tax_id,
        municipality: b.municipality,
        district: b.district,
        address: b.address,
        email: b.email,
        phone: b.phone,
        active: true,
        plans_need_approval: b.plans_need_approval,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let saved = row.clone();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::insert(c, &row)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "organization.create", "organization", Some(&row.id)),
                )
            })
        })
        .await?;
    let location = format!("/api/v1/organizations/{}", saved.id);
    Ok(respond::created(location, &Organization::try_from(saved)?, 1))
}

/// Get an organization
///
/// Readable by every authenticated role; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "organizations",
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "The organization", body = Organization, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::OrganizationRead)?;
    let id = id.into_inner().to_string();
    let row = state.db.run(move |c| repo::get(c, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Organization::try_from(row)?, version))
}

/// Update an organization
///
/// JSON merge patch; requires `If-Match` with the current ETag. Admins only.
#[utoipa::path(
    tag = "organizations",
    params(("id" = uuid::Uuid, Path, description = "Organization id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateOrganization, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Organization, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateOrganization>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::OrganizationUpdate)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &id)?;
                crate::http::etag::check_version(Some(expected), row.version)?;
                if let Some(name) = p.name {
                    row.name = crate::domain::text::clean(&name);
                }
                patch::set(&mut row.kind, p.kind.map(|k| k.as_str().to_string()));
                patch::apply(&mut row.tax_id, p.tax_id);
                patch::apply(&mut row.municipality, p.municipality);
                patch::apply(&mut row.district, p.district);
                patch::apply(&mut row.address, p.address);
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.phone, p.phone);
                patch::set(&mut row.active, p.active);
                patch::set(&mut row.plans_need_approval, p.plans_need_approval);
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "organization.update", "organization", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Organization::try_from(row)?, version))
}

/// Delete an organization
///
/// Admins only, and only while no user, desk or case refers to it (409 otherwise: deactivate it instead).
#[utoipa::path(
    tag = "organizations",
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Still in use", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::OrganizationDelete)?;
    let id = id.into_inner().to_string();
    if id == caller.principal.organization_id {
        return Err(Error::conflict("organization_in_use", "you cannot delete your own organization"));
    }
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::delete(c, &id)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "organization.delete", "organization", Some(&id)),
                )
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/organizations")
            .service(list_organizations)
            .service(create_organization)
            .service(get_organization)
            .service(update_organization)
            .service(delete_organization),
    );
}
