//! `/api/v1/webhooks`: an organization's subscriptions to its change feed, and their deliveries. Admins
//! manage any organization's, coordinators their own. The signing secret is shown once, when the
//! subscription is made or its secret rotated. Sending is the worker's (`crate::webhooks`).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller, principal::Principal, tokens};
use crate::db::webhooks::{self as repo, DeliveryRow, SubscriptionRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent};
use crate::domain::webhook::{DeliveryStatus, EventType, WebhookUrl};
use crate::domain::{distinct, role::Role};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d01", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "url": "https://cartella.distretto-crema.example/hooks/sportello", "description": "Cartella Sociale Informatizzata",
    "event_types": ["case.created", "case.updated", "case.transferred", "referral.updated"], "active": true,
    "version": 1, "created_at": "2026-11-24T09:00:00Z", "updated_at": "2026-11-24T09:00:00Z"
}))]
pub struct Webhook {
    #[schema(format = Uuid)]
    pub id: String,
    /// Whose changes it receives.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<EventType>,
    /// A paused subscription queues nothing; on resuming it receives what happened meanwhile.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<SubscriptionRow> for Webhook {
    type Error = Error;
    fn try_from(r: SubscriptionRow) -> Result<Self> {
        let event_types: Vec<String> = db::from_json_text(&r.event_types)?;
        Ok(Webhook {
            event_types: event_types.iter().filter_map(|t| EventType::parse(t)).collect(),
            id: r.id,
            organization_id: r.organization_id,
            url: r.url,
            description: r.description,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A subscription with its signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "webhook": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d01", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
        "url": "https://cartella.distretto-crema.example/hooks/sportello", "description": null,
        "event_types": ["case.created", "case.updated"], "active": true, "version": 1,
        "created_at": "2026-11-24T09:00:00Z", "updated_at": "2026-11-24T09:00:00Z"},
    "secret": "whsec_Q2hpYXZlIGRpIGZpcm1hIGRpIGVzZW1waW8gc29sbw"
}))]
pub struct IssuedWebhook {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of the `Sportello-Signature` header. Store it now: it cannot be read again.
    pub secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://cartella.distretto-crema.example/hooks/sportello", "description": "Cartella Sociale Informatizzata",
    "event_types": ["case.created", "case.updated", "case.transferred", "referral.updated"]
}))]
pub struct CreateWebhook {
    /// Whose changes to receive (default: the caller's organization; coordinators only their own).
    pub organization_id: Option<uuid::Uuid>,
    /// https, to a public address (the deployment may also allow http and private addresses).
    #[validate(length(min = 1, max = 2048))]
    #[schema(min_length = 1, max_length = 2048, format = "uri", pattern = "^https?://")]
    pub url: String,
    #[validate(length(min = 1, max = 200), custom(function = "crate::domain::person::validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 25))]
    #[schema(min_items = 1, max_items = 25)]
    pub event_types: Vec<EventType>,
    /// Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateWebhook {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 2048))]
    #[schema(min_length = 1, max_length = 2048, format = "uri", pattern = "^https?://", nullable = false)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 200), custom(function = "crate::domain::person::validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, format = "sportello:name")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 25))]
    #[schema(min_items = 1, max_items = 25, nullable = false)]
    pub event_types: Option<Vec<EventType>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f01", "webhook_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d01",
    "sequence": 4211, "event_type": "case.updated", "status": "pending", "attempts": 2,
    "next_attempt_at": "2026-11-24T09:15:42Z", "last_attempt_at": "2026-11-24T09:15:22Z",
    "last_status_code": 503, "last_error": "answered 503 Service Unavailable", "delivered_at": null,
    "created_at": "2026-11-24T09:15:02Z",
    "event": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f01", "type": "case.updated", "sequence": 4211,
        "occurred_at": "2026-11-24T09:15:02.417Z", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
        "resource_type": "case", "resource_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
        "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30"}
}))]
pub struct Delivery {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub webhook_id: String,
    pub sequence: i64,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// Attempts of the current series (a re-send starts a new one).
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer; null when there was none (no connection, timeout).
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The body sent, exactly.
    #[schema(value_type = crate::webhooks::WebhookEvent)]
    pub event: serde_json::Value,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = Error;
    fn try_from(r: DeliveryRow) -> Result<Self> {
        use crate::domain::Code;
        let corrupt = || Error::internal("delivery", format!("stored delivery {} is unreadable", r.id));
        Ok(Delivery {
            event_type: EventType::parse(&r.event_type).ok_or_else(corrupt)?,
            status: DeliveryStatus::parse(&r.status).ok_or_else(corrupt)?,
            event: serde_json::from_str(&r.payload).map_err(|e| Error::internal("delivery", e))?,
            id: r.id,
            webhook_id: r.subscription_id,
            sequence: r.sequence,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.map(|t| t.and_utc()),
            last_attempt_at: r.last_attempt_at.map(|t| t.and_utc()),
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// The organization whose subscriptions a caller reaches: `None` for an admin (all).
fn reach(principal: &Principal) -> Option<String> {
    (principal.role != Role::Admin).then(|| principal.organization_id.clone())
}

fn find_visible(c: &mut DbConnection, principal: &Principal, id: &str) -> Result<SubscriptionRow> {
    repo::find(c, id, reach(principal).as_deref())?.ok_or(Error::NotFound)
}

fn event_types_text(types: &[EventType]) -> Result<String> {
    db::to_json_text(&distinct(types.iter().map(|t| t.to_string()).collect()))
}

/// List webhook subscriptions
///
/// Newest first: an admin sees every organization's, a coordinator their organization's.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    responses((status = 200, description = "A page of subscriptions", body = Page<Webhook>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let page = page.into_inner();
    let (after, limit, org) = (page.after_id()?, page.limit(), reach(&caller.principal));
    let rows = state.db.run(move |c| repo::list(c, org.as_deref(), after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Webhook::try_from)?))
}

/// Subscribe to an organization's changes
///
/// From now on, every change of the organization's feed of a listed type is POSTed to the URL as a
/// `WebhookEvent`, signed in `Sportello-Signature` (see the README for verification). The response carries
/// the `secret`, shown this once. Admins any organization, coordinators their own.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    responses((status = 201, description = "Created; keep the secret", body = IssuedWebhook, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateWebhook>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let b = body.into_inner();
    let url = WebhookUrl::parse(&b.url, state.settings.webhook_allow_private)?;
    let organization =
        b.organization_id.map_or_else(|| caller.principal.organization_id.clone(), |o| o.to_string());
    policy::require_manage_organization(&caller.principal, &organization)?;
    let (secret, _) = tokens::new_secret("whsec_")?;
    let now = db::now();
    let row = SubscriptionRow {
        id: db::new_id(),
        organization_id: organization,
        url: url.as_str().to_string(),
        description: b.description.as_deref().map(crate::domain::text::clean),
        event_types: event_types_text(&b.event_types)?,
        secret: secret.clone(),
        active: b.active.unwrap_or(true),
        feed_cursor: 0,
        created_by: caller.principal.user_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                if db::organizations::find(c, &row.organization_id)?.is_none() {
                    return Err(Error::invalid("organization_id", "not_found", "no such organization"));
                }
                // Changes from now on: the feed's end is where the subscription starts.
                let row = SubscriptionRow { feed_cursor: db::changes::last_sequence(c)?, ..row };
                repo::insert(c, &row)?;
                audit::record(c, &AuditEvent::by(&caller, "webhook.create", "webhook", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/webhooks/{}", row.id);
    let issued = IssuedWebhook { webhook: Webhook::try_from(row)?, secret };
    Ok(respond::created(location, &issued, 1))
}

/// Get a webhook subscription
///
/// Its URL, event types and state; never its secret.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = Webhook, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let id = id.into_inner().to_string();
    let row = state.db.run(move |c| find_visible(c, &caller.principal, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Webhook::try_from(row)?, version))
}

/// Update a webhook subscription
///
/// JSON merge patch with `If-Match`: the URL, the event types, the description, or `active` to pause and
/// resume.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateWebhook, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Webhook, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateWebhook>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let url =
        p.url.as_deref().map(|u| WebhookUrl::parse(u, state.settings.webhook_allow_private)).transpose()?;
    let event_types = p.event_types.as_deref().map(event_types_text).transpose()?;
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = find_visible(c, &caller.principal, &id)?;
                check_version(Some(expected), row.version)?;
                if let Some(url) = url {
                    row.url = url.as_str().to_string();
                }
                patch::apply(
                    &mut row.description,
                    p.description.map(|d| d.map(|d| crate::domain::text::clean(&d))),
                );
                patch::set(&mut row.event_types, event_types);
                patch::set(&mut row.active, p.active);
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &AuditEvent::by(&caller, "webhook.update", "webhook", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Webhook::try_from(row)?, version))
}

/// Delete a webhook subscription
///
/// Nothing more is sent, and its deliveries are forgotten.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let id = id.into_inner().to_string();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let row = find_visible(c, &caller.principal, &id)?;
                repo::delete(c, &row.id)?;
                audit::record(c, &AuditEvent::by(&caller, "webhook.delete", "webhook", Some(&row.id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}

/// Rotate a subscription's signing secret
///
/// Deliveries sent from now on are signed with the new secret, shown this once.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    responses((status = 200, description = "The new secret", body = IssuedWebhook, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{id}/secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let (id, expected) = (id.into_inner().to_string(), if_match.optional()?);
    let (secret, _) = tokens::new_secret("whsec_")?;
    let new_secret = secret.clone();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = find_visible(c, &caller.principal, &id)?;
                check_version(expected, row.version)?;
                let old_version = row.version;
                row.secret = new_secret;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "webhook.rotate_secret", "webhook", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&IssuedWebhook { webhook: Webhook::try_from(row)?, secret }, version))
}

/// List a subscription's deliveries
///
/// Newest first, optionally of one status: each with its attempts, the last answer or error, and the event
/// sent.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"), DeliveryQuery, PageParams),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>)),
    security(("bearer" = []))
)]
#[get("/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: ApiQuery<DeliveryQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    use crate::domain::Code;
    policy::require(&caller.principal, Action::WebhookManage)?;
    let (id, page) = (id.into_inner().to_string(), page.into_inner());
    let (after, limit, status) = (page.after_id()?, page.limit(), query.into_inner().status);
    let rows = state
        .db
        .run(move |c| {
            let subscription = find_visible(c, &caller.principal, &id)?;
            repo::deliveries(c, &subscription.id, status.map(|s| s.as_str()), after.as_deref(), limit)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Delivery::try_from)?))
}

/// Re-send a delivery
///
/// Queues it again now, for a new series of attempts, whatever its status: the event is the same (same
/// `id`), so a receiver that already handled it can recognise it. 409 while it is being sent.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Subscription id"),
        ("delivery_id" = uuid::Uuid, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued", body = Delivery),
        (status = 409, description = "Being sent right now", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/deliveries/{delivery_id}/resend")]
pub async fn resend_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::WebhookManage)?;
    let (id, delivery_id) = path.into_inner();
    let (id, delivery_id) = (id.to_string(), delivery_id.to_string());
    let now = state.clock.now();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let subscription = find_visible(c, &caller.principal, &id)?;
                repo::find_delivery(c, &subscription.id, &delivery_id)?.ok_or(Error::NotFound)?;
                if !repo::resend(c, &delivery_id, now)? {
                    return Err(Error::conflict(
                        "delivery_in_flight",
                        "the delivery is being sent right now",
                    ));
                }
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "webhook.resend", "webhook_delivery", Some(&delivery_id)),
                )?;
                repo::find_delivery(c, &subscription.id, &delivery_id)?.ok_or(Error::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::try_from(row)?))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/webhooks")
            .service(list_webhooks)
            .service(create_webhook)
            .service(get_webhook)
            .service(update_webhook)
            .service(delete_webhook)
            .service(rotate_webhook_secret)
            .service(list_deliveries)
            .service(resend_delivery),
    );
}
