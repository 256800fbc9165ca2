//! `/api/v1/integration-clients`: the machine accounts of district platforms, managed by admins. The
//! secret is shown once, when the client is made or its secret rotated; only its hash is kept.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::clients::PREVIOUS_SECRET_GRACE_HOURS;
use crate::auth::{Action, policy, principal::Caller, tokens};
use crate::db::{
    self, audit, audit::AuditEvent, integration_clients as repo, integration_clients::ClientRow,
};
use crate::domain::{distinct, person::validate_name};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c01", "name": "Cartella Sociale Informatizzata – Distretto di Crema",
    "organization_ids": ["0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"], "active": true,
    "previous_secret_valid_until": null, "last_used_at": "2026-11-24T08:00:00Z",
    "version": 1, "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-20T09:00:00Z"
}))]
pub struct IntegrationClient {
    /// The `client_id` of the client-credentials grant.
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// The organizations whose cases the client syncs; the first is the default owner of cases it creates.
    pub organization_ids: Vec<String>,
    /// false once revoked: no new tokens, and its current tokens stop working on the sync endpoints.
    pub active: bool,
    /// After a rotation, the previous secret is still accepted until then.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ClientRow> for IntegrationClient {
    type Error = Error;
    fn try_from(r: ClientRow) -> Result<Self> {
        Ok(IntegrationClient {
            organization_ids: r.organizations()?,
            id: r.id,
            name: r.name,
            active: r.active,
            previous_secret_valid_until: r.previous_valid_until.map(|t| t.and_utc()),
            last_used_at: r.last_used_at.map(|t| t.and_utc()),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A client with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "client": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c01", "name": "Cartella Sociale Informatizzata – Distretto di Crema",
        "organization_ids": ["0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"], "active": true, "previous_secret_valid_until": null,
        "last_used_at": null, "version": 1, "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-20T09:00:00Z"},
    "client_secret": "cs_8mZq3v0yF1wJXk2r9T4bN6pLsQe7uHc5aDgVtYiRo0M"
}))]
pub struct IssuedClient {
    pub client: IntegrationClient,
    /// Store it now: it cannot be read again (rotate to get a new one).
    pub client_secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Cartella Sociale Informatizzata – Distretto di Crema",
    "organization_ids": ["0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"]
}))]
pub struct CreateIntegrationClient {
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub name: String,
    /// One to twenty existing organizations.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub organization_ids: Vec<uuid::Uuid>,
}

/// List integration clients
///
/// Newest first. Admins only.
#[utoipa::path(
    tag = "integration",
    params(PageParams),
    responses((status = 200, description = "A page of clients", body = Page<IntegrationClient>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_clients(
    state: web::Data<AppState>,
    caller: Caller,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::IntegrationClientManage)?;
    let page = page.into_inner();
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), IntegrationClient::try_from)?))
}

/// Create an integration client
///
/// A machine account for a district platform, acting for the organizations named. The response carries the
/// `client_secret`, shown this once. Admins only.
#[utoipa::path(
    tag = "integration",
    request_body = CreateIntegrationClient,
    responses((status = 201, description = "Created; keep the secret", body = IssuedClient, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_client(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateIntegrationClient>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::IntegrationClientManage)?;
    let b = body.into_inner();
    let organizations: Vec<String> = distinct(b.organization_ids.iter().map(|o| o.to_string()).collect());
    let (secret, hash) = tokens::new_secret("cs_")?;
    let now = db::now();
    let row = ClientRow {
        id: db::new_id(),
        name: crate::domain::text::clean(&b.name),
        organization_ids: db::to_json_text(&organizations)?,
        secret_hash: hash,
        previous_secret_hash: None,
        previous_valid_until: None,
        active: true,
        created_by: caller.principal.user_id.clone(),
        last_used_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut errors = Vec::new();
                for (i, org) in organizations.iter().enumerate() {
                    if db::organizations::find(c, org)?.is_none() {
                        errors.push(FieldError::new(
                            format!("organization_ids/{i}"),
                            "not_found",
                            "no such organization",
                        ));
                    }
                }
                if !errors.is_empty() {
                    return Err(Error::Validation(errors));
                }
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(
                        &caller,
                        "integration_client.create",
                        "integration_client",
                        Some(&row.id),
                    ),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/integration-clients/{}", row.id);
    let issued = IssuedClient { client: IntegrationClient::try_from(row)?, client_secret: secret };
    Ok(respond::created(location, &issued, 1))
}

/// Get an integration client
///
/// Its organizations, state and last use; never its secret. Admins only.
#[utoipa::path(
    tag = "integration",
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses((status = 200, description = "The client", body = IntegrationClient, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::IntegrationClientManage)?;
    let id = id.into_inner().to_string();
    let row = state.db.run(move |c| repo::find(c, &id)?.ok_or(Error::NotFound)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&IntegrationClient::try_from(row)?, version))
}

/// Rotate a client's secret
///
/// Issues a new secret, shown this once. The previous one keeps working for 24 hours so the platform can
/// switch without downtime; a second rotation ends that grace at once. `If-Match` is optional.
#[utoipa::path(
    tag = "integration",
    params(("id" = uuid::Uuid, Path, description = "Client id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET")),
    responses((status = 200, description = "The new secret", body = IssuedClient, headers(("ETag" = String))),
        (status = 409, description = "The client is revoked", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::IntegrationClientManage)?;
    let (id, expected) = (id.into_inner().to_string(), if_match.optional()?);
    let (secret, hash) = tokens::new_secret("cs_")?;
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::find(c, &id)?.ok_or(Error::NotFound)?;
                check_version(expected, row.version)?;
                if !row.active {
                    return Err(Error::conflict(
                        "client_revoked",
                        "a revoked client cannot be given a secret",
                    ));
                }
                let (old_version, now) = (row.version, db::now());
                row.previous_secret_hash = Some(std::mem::replace(&mut row.secret_hash, hash));
                row.previous_valid_until = Some(now + chrono::Duration::hours(PREVIOUS_SECRET_GRACE_HOURS));
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(
                        &caller,
                        "integration_client.rotate",
                        "integration_client",
                        Some(&row.id),
                    ),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    let issued = IssuedClient { client: IntegrationClient::try_from(row)?, client_secret: secret };
    Ok(respond::ok_versioned(&issued, version))
}

/// Revoke an integration client
///
/// For good: it gets no new tokens, and the sync endpoints refuse its current ones at once. Revoking a
/// revoked client does nothing.
#[utoipa::path(
    tag = "integration",
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses((status = 204, description = "Revoked")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn revoke_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::IntegrationClientManage)?;
    let id = id.into_inner().to_string();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::find(c, &id)?.ok_or(Error::NotFound)?;
                if !row.active {
                    return Ok(());
                }
                let old_version = row.version;
                row.active = false;
                row.previous_secret_hash = None;
                row.previous_valid_until = None;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(
                        &caller,
                        "integration_client.revoke",
                        "integration_client",
                        Some(&row.id),
                    ),
                )
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/integration-clients")
            .service(list_clients)
            .service(create_client)
            .service(get_client)
            .service(rotate_secret)
            .service(revoke_client),
    );
}
