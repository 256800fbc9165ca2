//! Referrals: `POST/GET /api/v1/cases/{case_id}/referrals` on the sending side, `GET /api/v1/referrals`
//! (both sides; the provider's inbox), the lifecycle moves and the event history.

pub mod dto;
mod lifecycle;
mod view;
pub(crate) use view::views;

use actix_web::{HttpResponse, get, post, web};

pub use dto::{CreateReferral, MoveReferral, Referral, ReferralEvent, ReferralPerson, ReferralQuery};

use view::view;

use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::referrals::{Direction, EventRow, ReferralFilter, ReferralRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases, consents, referrals as repo};
use crate::domain::Code;
use crate::domain::referral::{ReferralStatus, Urgency};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, Page, PageParams, respond};

/// The consent a new referral relies on: the one named, or any in force that covers the provider.
fn covering_consent(
    c: &mut DbConnection,
    case_id: &str,
    provider_id: &str,
    named: Option<&str>,
) -> Result<String> {
    let now = db::now();
    if let Some(id) = named {
        let consent = consents::find(c, id)?
            .filter(|k| k.case_id == case_id)
            .ok_or_else(|| Error::invalid("consent_id", "not_found", "no such consent for this case"))?;
        consent
            .terms()?
            .covers_sharing_with(provider_id, now)
            .map_err(|why| Error::invalid("consent_id", why.code(), why.message()))?;
        return Ok(consent.id);
    }
    for consent in consents::unwithdrawn(c, case_id)? {
        if consent.terms()?.covers_sharing_with(provider_id, now).is_ok() {
            return Ok(consent.id);
        }
    }
    Err(Error::invalid(
        "consent_id",
        "consent_required",
        "no consent in force covers sharing this person's data with this provider: record one \
         (network_sharing, or provider_sharing naming the provider), or ask a coordinator to override",
    ))
}

pub(super) fn event(
    row: &ReferralRow,
    from: Option<ReferralStatus>,
    caller: &Caller,
    reason: Option<String>,
    note: Option<String>,
) -> EventRow {
    EventRow {
        id: db::new_id(),
        referral_id: row.id.clone(),
        from_status: from.map(|s| s.as_str().to_string()),
        to_status: row.status.clone(),
        actor_id: caller.principal.user_id.clone(),
        actor_organization_id: caller.principal.organization_id.clone(),
        reason,
        note,
        occurred_at: row.updated_at,
    }
}

/// Refer a case to a provider
///
/// Sharing the person's data needs a consent in force that covers the provider (named in `consent_id`, or
/// found among the case's consents); otherwise 422 says why. A coordinator may override with a reason,
/// which is audited. The referral is sent at once unless `draft` is true.
#[utoipa::path(
    tag = "referrals",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateReferral,
    responses((status = 201, description = "Created", body = Referral, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/referrals")]
pub async fn create_referral(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateReferral>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralCreate)?;
    let (case_id, b) = (case_id.into_inner().to_string(), body.into_inner());
    if b.consent_override_reason.is_some() {
        policy::require(&caller.principal, Action::ConsentOverride)?;
        if b.consent_id.is_some() {
            return Err(Error::invalid(
                "consent_override_reason",
                "not_allowed",
                "name a consent or override the consent check, not both",
            ));
        }
    }
    let now = db::now();
    if b.due_on.is_some_and(|d| d < now.date()) {
        return Err(Error::invalid("due_on", "in_past", "must not be in the past"));
    }
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    let status = if b.draft { ReferralStatus::Draft } else { ReferralStatus::Requested };
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let provider_id = b.provider_id.to_string();
                let provider = db::providers::find(c, &provider_id)?
                    .ok_or_else(|| Error::invalid("provider_id", "not_found", "no such provider"))?;
                if !provider.active {
                    return Err(Error::invalid(
                        "provider_id",
                        "inactive",
                        "this provider no longer takes referrals",
                    ));
                }
                if let Some(service_id) = b.service_id.map(|s| s.to_string()) {
                    let offered = db::services::find(c, &service_id)?
                        .is_some_and(|s| s.provider_id == provider_id && s.active);
                    if !offered {
                        return Err(Error::invalid(
                            "service_id",
                            "not_found",
                            "no such active service of this provider",
                        ));
                    }
                }
                let consent_id = match &b.consent_override_reason {
                    Some(_) => None,
                    None => Some(covering_consent(
                        c,
                        &case_id,
                        &provider_id,
                        b.consent_id.map(|k| k.to_string()).as_deref(),
                    )?),
                };
                let row = ReferralRow {
                    id: db::new_id(),
                    case_id: case_id.clone(),
                    sender_organization_id: caller.principal.organization_id.clone(),
                    created_by: caller.principal.user_id.clone(),
                    provider_id,
                    service_id: b.service_id.map(|s| s.to_string()),
                    receiving_organization_id: provider.organization_id,
                    need: b.need.as_str().to_string(),
                    urgency: b.urgency.unwrap_or(Urgency::Routine).as_str().to_string(),
                    reason: b.reason,
                    due_on: b.due_on,
                    consent_id,
                    consent_override_reason: b.consent_override_reason,
                    status: status.as_str().to_string(),
                    status_reason: None,
                    requested_at: (status == ReferralStatus::Requested).then_some(now),
                    answered_at: None,
                    closed_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(c, &row)?;
                repo::insert_event(c, &event(&row, None, &caller, None, None))?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "referral.create", "referral", Some(&row.id))
                        .case(&case_id)
                        .details(serde_json::json!({"provider_id": row.provider_id, "status": row.status})),
                )?;
                if row.consent_override_reason.is_some() {
                    audit::record(
                        c,
                        &AuditEvent::by(&caller, "referral.consent_override", "referral", Some(&row.id))
                            .case(&case_id),
                    )?;
                }
                view(c, &caller.principal, row)
            })
        })
        .await?;
    let location = format!("/api/v1/referrals/{}", saved.id);
    Ok(respond::created(location, &saved, 1))
}

/// List a case's referrals
///
/// Every referral of the case and where it stands, newest first.
#[utoipa::path(
    tag = "referrals",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of referrals", body = Page<Referral>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/referrals")]
pub async fn list_case_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralRead)?;
    policy::require(&caller.principal, Action::CaseRead)?;
    let (case_id, page) = (case_id.into_inner().to_string(), page.into_inner());
    let (after, limit) = (page.after_id()?, page.limit());
    let filter = ReferralFilter {
        case_id: Some(case_id.clone()),
        direction: Some(Direction::Sent),
        ..Default::default()
    };
    let (case_scope, scope) =
        (policy::case_scope(&caller.principal), policy::referral_scope(&caller.principal));
    let page = state
        .db
        .run(move |c| {
            cases::get(c, &case_scope, &case_id)?;
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            audit::record(c, &AuditEvent::by(&caller, "referral.list", "referral", None).case(&case_id))?;
            let page = Page::from_rows(rows, limit, |r| r.id.as_str(), |r| r);
            Ok(Page { items: views(c, &caller.principal, page.items)?, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// List referrals
///
/// Sent by the caller's organization's cases, received by it as a provider (the inbox of provider staff),
/// or both. Worklist filters: `overdue` and `unanswered_days`.
#[utoipa::path(
    tag = "referrals",
    params(ReferralQuery, PageParams),
    responses((status = 200, description = "A page of referrals", body = Page<Referral>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ReferralQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let now = db::now();
    let filter = ReferralFilter {
        case_id: None,
        direction: q.direction.map(|d| match d {
            dto::ReferralDirection::Sent => Direction::Sent,
            dto::ReferralDirection::Received => Direction::Received,
        }),
        status: q.status.map(|s| s.as_str().to_string()),
        provider_id: q.provider_id.map(|p| p.to_string()),
        need: q.need.map(|n| n.as_str().to_string()),
        due_before: q.overdue.filter(|o| *o).map(|_| now.date()),
        unanswered_since: q.unanswered_days.map(|d| now - chrono::Duration::days(d)),
    };
    let (after, limit, scope) = (page.after_id()?, page.limit(), policy::referral_scope(&caller.principal));
    let page = state
        .db
        .run(move |c| {
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "referral.list", "referral", None)
                    .details(serde_json::json!({"count": rows.len().min(limit as usize)})),
            )?;
            let page = Page::from_rows(rows, limit, |r| r.id.as_str(), |r| r);
            Ok(Page { items: views(c, &caller.principal, page.items)?, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Get a referral
///
/// The receiving provider sees the referral and the minimum view of the person (name, contacts,
/// languages) while the consent allows it — never the case file. The read is audited.
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id")),
    responses((status = 200, description = "The referral", body = Referral, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::referral_scope(&caller.principal));
    let referral = state
        .db
        .run(move |c| {
            let row = repo::get(c, &scope, &id)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "referral.read", "referral", Some(&id)).case(&row.case_id),
            )?;
            view(c, &caller.principal, row)
        })
        .await?;
    let version = referral.version;
    Ok(respond::ok_versioned(&referral, version))
}

/// `/cases/{case_id}/referrals`, mounted inside the cases scope.
pub fn case_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_referral).service(list_case_referrals);
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/referrals")
            .service(list_referrals)
            .service(get_referral)
            .service(lifecycle::move_referral)
            .service(lifecycle::list_referral_events),
    );
}
