//! `/api/v1/cases/{case_id}/grants`: joint taking-in-charge. The owner shares a case with another
//! organization, to read or to contribute, until an expiry or a revocation; the other organization sees it
//! (or stops seeing it) at once.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{self, audit, audit::AuditEvent, cases, grants as repo, grants::GrantRow};
use crate::domain::Code;
use crate::domain::grant::Access;
use crate::domain::person::validate_text;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, Page, PageParams, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f21", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "access": "contribute",
    "expires_at": "2027-06-30T00:00:00Z", "note": "Joint project with the Caritas listening centre",
    "granted_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "revoked_at": null, "revoked_by": null, "live": true,
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct Grant {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The organization the case is shared with.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub access: Access,
    /// Open-ended when null.
    pub expires_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    #[schema(format = Uuid)]
    pub granted_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
    #[schema(format = Uuid)]
    pub revoked_by: Option<String>,
    /// Neither revoked nor expired, now.
    pub live: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<GrantRow> for Grant {
    type Error = Error;
    fn try_from(r: GrantRow) -> Result<Self> {
        Ok(Grant {
            access: Access::parse(&r.access).ok_or_else(|| Error::internal("grant access", &r.access))?,
            live: r.is_live(db::now()),
            id: r.id,
            case_id: r.case_id,
            organization_id: r.organization_id,
            expires_at: r.expires_at.map(|t| t.and_utc()),
            note: r.note,
            granted_by: r.granted_by,
            revoked_at: r.revoked_at.map(|t| t.and_utc()),
            revoked_by: r.revoked_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "access": "contribute",
    "expires_at": "2027-06-30T00:00:00Z", "note": "Joint project with the Caritas listening centre"
}))]
pub struct CreateGrant {
    pub organization_id: uuid::Uuid,
    pub access: Access,
    /// In the future; open-ended when absent.
    pub expires_at: Option<DateTime<Utc>>,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub note: Option<String>,
}

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// List a case's grants
///
/// The owner organization's view: live, expired and revoked grants, oldest first.
#[utoipa::path(
    tag = "grants",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of grants", body = Page<Grant>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/grants")]
pub async fn list_grants(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::GrantRead)?;
    let (case_id, page) = (case_id.into_inner().to_string(), page.into_inner());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Own);
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            repo::list(c, &case_id, after.as_deref(), limit)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Grant::try_from)?))
}

/// Share a case with another organization
///
/// `read` lets it see the case, family and interventions (never the restricted notes); `contribute` also
/// lets it work on them. Coordinators of the owner organization and admins. One live grant per
/// organization (409 otherwise: revoke it first).
#[utoipa::path(
    tag = "grants",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateGrant,
    responses((status = 201, description = "Granted", body = Grant, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "That organization already holds a live grant", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{case_id}/grants")]
pub async fn create_grant(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateGrant>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::GrantManage)?;
    let (case_id, b) = (case_id.into_inner().to_string(), body.into_inner());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Own);
    let now = db::now();
    let expires_at = b.expires_at.map(|t| db::truncate(t.naive_utc()));
    if expires_at.is_some_and(|t| t <= now) {
        return Err(Error::invalid("expires_at", "in_past", "must be in the future"));
    }
    let row = GrantRow {
        id: db::new_id(),
        case_id: case_id.clone(),
        organization_id: b.organization_id.to_string(),
        access: b.access.as_str().to_string(),
        expires_at,
        note: b.note,
        granted_by: caller.principal.user_id.clone(),
        revoked_at: None,
        revoked_by: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let case = cases::get(c, &scope, &case_id)?;
                if row.organization_id == case.organization_id {
                    return Err(Error::invalid(
                        "organization_id",
                        "owner",
                        "the owner organization needs no grant",
                    ));
                }
                if db::organizations::find(c, &row.organization_id)?.is_none() {
                    return Err(Error::invalid("organization_id", "not_found", "no such organization"));
                }
                if repo::live_for(c, &case_id, &row.organization_id, now)?.is_some() {
                    return Err(Error::conflict(
                        "grant_exists",
                        "this organization already holds a live grant: revoke it first",
                    ));
                }
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "grant.create", "grant", Some(&row.id)).case(&case_id).details(
                        serde_json::json!({"organization_id": row.organization_id, "access": row.access}),
                    ),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/grants/{}", row.case_id, row.id);
    Ok(respond::created(location, &Grant::try_from(row)?, 1))
}

/// Get a grant
///
/// The owner organization's view, with `live` computed now.
#[utoipa::path(
    tag = "grants",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 200, description = "The grant", body = Grant, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/grants/{id}")]
pub async fn get_grant(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::GrantRead)?;
    let (case_id, id) = ids.into_inner();
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Own);
    let row = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            repo::get(c, &case_id, &id)
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Grant::try_from(row)?, version))
}

/// Revoke a grant
///
/// The other organization stops seeing the case at once. A grant already revoked is 404.
#[utoipa::path(
    tag = "grants",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked")),
    security(("bearer" = []))
)]
#[delete("/{case_id}/grants/{id}")]
pub async fn revoke_grant(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::GrantManage)?;
    let (case_id, id) = ids.into_inner();
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Own);
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let mut row = repo::get(c, &case_id, &id)?;
                if row.revoked_at.is_some() {
                    return Err(Error::NotFound);
                }
                let now = db::now();
                row.revoked_at = Some(now);
                row.revoked_by = Some(caller.principal.user_id.clone());
                let old_version = row.version;
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(c, &AuditEvent::by(&caller, "grant.revoke", "grant", Some(&id)).case(&case_id))
            })
        })
        .await?;
    Ok(respond::no_content())
}

/// `/cases/{case_id}/grants…`, mounted inside the cases scope.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_grants).service(create_grant).service(get_grant).service(revoke_grant);
}
