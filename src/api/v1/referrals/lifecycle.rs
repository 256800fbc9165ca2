//! The referral lifecycle: `POST /api/v1/referrals/{id}/status` and the event history it leaves.

use actix_web::{HttpResponse, get, post, web};

use super::view::{Sides, sharing_allowed, status_of, view};
use super::{MoveReferral, Referral, ReferralEvent, event};
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{self, audit, audit::AuditEvent, cases, consents, referrals as repo};
use crate::domain::Code;
use crate::domain::referral::{ReferralStatus, Side};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

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
        (status = 409, description = "Illegal transition", body = crate::http::Problem, content_type = "application/problem+json")),
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
