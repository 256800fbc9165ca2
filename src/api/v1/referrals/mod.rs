//! Referrals: `POST/GET /api/v1/cases/{case_id}/referrals` on the sending side, `GET /api/v1/referrals`
//! (both sides; the provider's inbox), the lifecycle moves and the event history.

pub mod dto;

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, get, post, web};

pub use dto::{CreateReferral, MoveReferral, Referral, ReferralEvent, ReferralPerson, ReferralQuery};

use crate::app::AppState;
use crate::auth::{Action, Principal, policy, policy::CaseAccess, principal::Caller};
use crate::db::referrals::{Direction, EventRow, ReferralFilter, ReferralRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases, consents, referrals as repo};
use crate::domain::Code;
use crate::domain::referral::{ReferralStatus, Side, Urgency};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// Which ends of the loop the caller holds on one referral.
#[derive(Debug, Clone, Copy)]
struct Sides {
    sender: bool,
    receiver: bool,
}

impl Sides {
    /// For an external provider the sending desk records the provider's answers.
    fn of(principal: &Principal, row: &ReferralRow, works_the_case: bool) -> Sides {
        let sender = works_the_case && policy::role_may(principal.role, Action::ReferralCreate);
        let receiver = policy::is_receiver(principal, row.receiving_organization_id.as_deref())
            || (row.receiving_organization_id.is_none() && sender);
        Sides { sender, receiver }
    }

    fn may(self, side: Side) -> bool {
        match side {
            Side::Sender => self.sender,
            Side::Receiver => self.receiver,
        }
    }
}

fn status_of(row: &ReferralRow) -> Result<ReferralStatus> {
    ReferralStatus::parse(&row.status).ok_or_else(|| Error::internal("referral status", &row.status))
}

/// Whether the referral may still show the person's data: the consent it relied on is in force and covers
/// the provider, or a coordinator overrode the consent check.
fn sharing_allowed(row: &ReferralRow, consent: Option<&consents::ConsentRow>) -> Result<bool> {
    if row.consent_override_reason.is_some() {
        return Ok(true);
    }
    match consent {
        Some(k) => Ok(k.terms()?.covers_sharing_with(&row.provider_id, db::now()).is_ok()),
        None => Ok(false),
    }
}

/// The caller's view of referrals: moves it may make, and the person's minimum data where consent allows.
/// Three queries for a whole page.
fn views(c: &mut DbConnection, principal: &Principal, rows: Vec<ReferralRow>) -> Result<Vec<Referral>> {
    let case_ids: Vec<String> = rows.iter().map(|r| r.case_id.clone()).collect();
    let worked: HashSet<String> =
        cases::reachable_ids(c, &policy::case_scope_for(principal, CaseAccess::Contribute), &case_ids)?;
    let people: HashMap<String, cases::CaseRow> =
        cases::find_many(c, &case_ids)?.into_iter().map(|k| (k.id.clone(), k)).collect();
    let consent_ids: Vec<String> = rows.iter().filter_map(|r| r.consent_id.clone()).collect();
    let consents: HashMap<String, consents::ConsentRow> =
        consents::find_many(c, &consent_ids)?.into_iter().map(|k| (k.id.clone(), k)).collect();
    rows.into_iter()
        .map(|row| {
            let sides = Sides::of(principal, &row, worked.contains(&row.case_id));
            let from = status_of(&row)?;
            let allowed = from
                .allowed_next()
                .into_iter()
                .filter(|to| from.mover(*to).is_some_and(|s| sides.may(s)))
                .collect();
            let consent = row.consent_id.as_ref().and_then(|id| consents.get(id));
            let person = match people.get(&row.case_id) {
                Some(case) if sharing_allowed(&row, consent)? => Some(ReferralPerson {
                    given_name: case.given_name.clone(),
                    family_name: case.family_name.clone(),
                    phone: case.phone.clone(),
                    email: case.email.clone(),
                    languages: db::from_json_text(&case.languages)?,
                }),
                _ => None,
            };
            Referral::from_row(row, allowed, person)
        })
        .collect()
}

fn view(c: &mut DbConnection, principal: &Principal, row: ReferralRow) -> Result<Referral> {
    views(c, principal, vec![row])?.pop().ok_or_else(|| Error::internal("referral view", "empty"))
}

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

fn event(
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

/// Move a referral in its lifecycle
///
/// `draft → requested → received → accepted | rejected`, `accepted → in_progress ⇄ on_hold →
/// completed | failed`, `cancelled` from any open state. The sender submits and cancels; the receiving
/// provider's staff make the other moves (for an external provider, the sender records them). A move by
/// the wrong side is 403, an illegal one 409. Rejecting, putting on hold, failing and cancelling need a
/// `reason`. `If-Match` is optional.
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = MoveReferral,
    responses((status = 200, description = "The referral in its new status", body = Referral, headers(("ETag" = String))),
        (status = 409, description = "Illegal transition", body = crate::http::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn move_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<MoveReferral>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralMove)?;
    let expected = if_match.optional()?;
    let (id, b, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::referral_scope(&caller.principal));
    let referral = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(expected, row.version)?;
                let from = status_of(&row)?;
                let Some(side) = from.mover(b.status) else {
                    let allowed =
                        from.allowed_next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    let allowed =
                        if allowed.is_empty() { "nowhere: it is closed".to_string() } else { allowed };
                    return Err(Error::conflict(
                        "invalid_transition",
                        format!(
                            "a referral cannot go from {from} to {}; from {from} it can go to {allowed}",
                            b.status
                        ),
                    ));
                };
                let contribute = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
                let works_the_case =
                    !cases::reachable_ids(c, &contribute, std::slice::from_ref(&row.case_id))?.is_empty();
                if !Sides::of(&caller.principal, &row, works_the_case).may(side) {
                    return Err(Error::Forbidden(match side {
                        Side::Sender => {
                            format!("only the referring desk may move a referral to {}", b.status)
                        }
                        Side::Receiver => {
                            format!("only the receiving provider may move a referral to {}", b.status)
                        }
                    }));
                }
                if b.status.needs_reason() && b.reason.is_none() {
                    return Err(Error::invalid(
                        "reason",
                        "required",
                        format!("moving to {} needs a reason", b.status),
                    ));
                }
                if b.status == ReferralStatus::Requested && row.consent_override_reason.is_none() {
                    // Sending a draft shares the data now: the consent must still cover it.
                    let consent =
                        row.consent_id.as_deref().map(|k| consents::find(c, k)).transpose()?.flatten();
                    if !sharing_allowed(&row, consent.as_ref())? {
                        return Err(Error::invalid(
                            "consent_id",
                            "consent_required",
                            "the consent this draft relied on no longer covers sharing with the provider",
                        ));
                    }
                }
                let now = db::now();
                row.status = b.status.as_str().to_string();
                row.status_reason = b.reason.clone();
                if b.status == ReferralStatus::Requested {
                    row.requested_at = Some(now);
                }
                if b.status.is_answer() && row.answered_at.is_none() {
                    row.answered_at = Some(now);
                }
                if !b.status.is_open() {
                    row.closed_at = Some(now);
                }
                let old_version = row.version;
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                repo::insert_event(c, &event(&row, Some(from), &caller, b.reason, b.note))?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "referral.status", "referral", Some(&row.id))
                        .case(&row.case_id)
                        .details(serde_json::json!({"from": from.as_str(), "to": row.status})),
                )?;
                view(c, &caller.principal, row)
            })
        })
        .await?;
    let version = referral.version;
    Ok(respond::ok_versioned(&referral, version))
}

/// A referral's history
///
/// Every move, oldest first: from, to, who, which organization, why, when.
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id"), PageParams),
    responses((status = 200, description = "A page of events", body = Page<ReferralEvent>)),
    security(("bearer" = []))
)]
#[get("/{id}/events")]
pub async fn list_referral_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ReferralRead)?;
    let (id, page, scope) =
        (id.into_inner().to_string(), page.into_inner(), policy::referral_scope(&caller.principal));
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state
        .db
        .run(move |c| {
            repo::get(c, &scope, &id)?;
            repo::events(c, &id, after.as_deref(), limit)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |e| e.id.as_str(), ReferralEvent::try_from)?))
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
            .service(move_referral)
            .service(list_referral_events),
    );
}
