//! `/api/v1/transfers`: a case, family members and interventions included, handed to another organization.
//! The owner offers it, or another organization requests it; a coordinator of the deciding side accepts
//! (ownership moves in one transaction) or rejects; the side that started it may cancel.

pub mod dto;

use actix_web::{HttpResponse, get, post, web};

use crate::app::AppState;
use crate::auth::{Action, Principal, policy, principal::Caller};
use crate::db::transfers::{Direction, TransferFilter, TransferRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases, transfers as repo};
use crate::domain::Code;
use crate::domain::role::Role;
use crate::domain::transfer::{Party, TransferKind, TransferStatus};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

pub use dto::{CreateTransfer, DecideTransfer, Transfer, TransferCase, TransferDirection, TransferQuery};

fn kind_of(row: &TransferRow) -> Result<TransferKind> {
    TransferKind::parse(&row.kind).ok_or_else(|| Error::internal("transfer kind", &row.kind))
}

fn status_of(row: &TransferRow) -> Result<TransferStatus> {
    TransferStatus::parse(&row.status).ok_or_else(|| Error::internal("transfer status", &row.status))
}

/// Whether the caller may make a move that belongs to `party`: any operator or coordinator of the
/// initiating organization cancels; a coordinator of the deciding one decides; admins both.
fn may_act(principal: &Principal, kind: TransferKind, row: &TransferRow, party: Party) -> bool {
    let (from, to) = (row.from_organization_id.as_str(), row.to_organization_id.as_str());
    let (organization, action) = match party {
        Party::Initiator => (kind.initiator(from, to), Action::TransferCreate),
        Party::Decider => (kind.decider(from, to), Action::TransferDecide),
    };
    principal.role == Role::Admin
        || (organization == principal.organization_id && policy::role_may(principal.role, action))
}

pub(crate) fn to_view(c: &mut DbConnection, principal: &Principal, row: TransferRow) -> Result<Transfer> {
    let (kind, status) = (kind_of(&row)?, status_of(&row)?);
    let allowed = TransferStatus::ALL
        .iter()
        .copied()
        .filter(|to| status.mover(*to).is_some_and(|party| may_act(principal, kind, &row, party)))
        .collect();
    // Whoever sees the case now, and the organization a pending offer is made to.
    let sees_case =
        !cases::reachable_ids(c, &policy::case_scope(principal), std::slice::from_ref(&row.case_id))?
            .is_empty();
    let offered_to_me = kind == TransferKind::Offer
        && status == TransferStatus::Requested
        && principal.organization_id == row.to_organization_id;
    let case = if sees_case || offered_to_me {
        cases::find_many(c, std::slice::from_ref(&row.case_id))?.pop().map(|k| TransferCase {
            reference_code: k.reference_code,
            given_name: k.given_name,
            family_name: k.family_name,
            birth_date: k.birth_date,
        })
    } else {
        None
    };
    Ok(Transfer {
        kind,
        status,
        allowed_transitions: allowed,
        case,
        id: row.id,
        case_id: row.case_id,
        from_organization_id: row.from_organization_id,
        to_organization_id: row.to_organization_id,
        reason: row.reason,
        decision_note: row.decision_note,
        requested_by: row.requested_by,
        decided_by: row.decided_by,
        decided_at: row.decided_at.map(|t| t.and_utc()),
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Offer or request a case
///
/// `offer`: the owner proposes the case to `to_organization_id`, whose coordinator decides. `request`:
/// another organization asks the owner for a case it found at intake (a possible duplicate); the owner's
/// coordinator decides. One open transfer per case (409 otherwise).
#[utoipa::path(
    tag = "transfers",
    request_body = CreateTransfer,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Transfer, headers(("Location" = String), ("ETag" = String))),
        (status = 404, description = "No such case, or (for an offer) not one of the caller's organization", body = crate::http::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case already has a transfer waiting for a decision", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateTransfer>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::TransferCreate)?;
    let b = body.into_inner();
    let case_id = b.case_id.to_string();
    let now = db::now();
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let owner = cases::owner_of(c, &case_id)?.ok_or(Error::NotFound)?;
                let mine = caller.principal.organization_id.clone();
                let is_admin = caller.principal.role == Role::Admin;
                let to = match (b.kind, b.to_organization_id.map(|o| o.to_string())) {
                    (TransferKind::Offer, None) => {
                        return Err(Error::invalid(
                            "to_organization_id",
                            "required",
                            "an offer names the receiving organization",
                        ));
                    }
                    // Only the owner offers its cases: 403 for an organization that sees it through a grant,
                    // 404 for everyone else.
                    (TransferKind::Offer, Some(_)) if !is_admin && owner != mine => {
                        cases::get(c, &policy::case_scope(&caller.principal), &case_id)?;
                        return Err(Error::Forbidden(
                            "only the organization that owns the case may offer it".into(),
                        ));
                    }
                    (TransferKind::Offer, Some(to)) => to,
                    (TransferKind::Request, Some(to)) if !is_admin && to != mine => {
                        return Err(Error::invalid(
                            "to_organization_id",
                            "not_allowed",
                            "a request is made for the caller's own organization",
                        ));
                    }
                    (TransferKind::Request, to) => to.unwrap_or(mine),
                };
                if to == owner {
                    return Err(Error::invalid(
                        "to_organization_id",
                        "already_owner",
                        "the case already belongs to this organization",
                    ));
                }
                if db::organizations::find(c, &to)?.is_none() {
                    return Err(Error::invalid("to_organization_id", "not_found", "no such organization"));
                }
                let row = TransferRow {
                    id: db::new_id(),
                    case_id: case_id.clone(),
                    kind: b.kind.as_str().to_string(),
                    from_organization_id: owner,
                    to_organization_id: to,
                    status: TransferStatus::Requested.as_str().to_string(),
                    reason: b.reason,
                    decision_note: None,
                    requested_by: caller.principal.user_id.clone(),
                    decided_by: None,
                    decided_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "transfer.create", "transfer", Some(&row.id))
                        .case(&case_id)
                        .details(serde_json::json!({"kind": row.kind, "to": row.to_organization_id})),
                )?;
                to_view(c, &caller.principal, row)
            })
        })
        .await?;
    let location = format!("/api/v1/transfers/{}", saved.id);
    Ok(respond::created(location, &saved, 1))
}

/// List transfers
///
/// Of the caller's organization, incoming or outgoing; admins see all.
#[utoipa::path(
    tag = "transfers",
    params(TransferQuery, PageParams),
    responses((status = 200, description = "A page of transfers", body = Page<Transfer>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_transfers(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<TransferQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::TransferRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = TransferFilter {
        direction: q.direction.map(|d| match d {
            TransferDirection::Incoming => Direction::Incoming,
            TransferDirection::Outgoing => Direction::Outgoing,
        }),
        status: q.status.map(|s| s.as_str().to_string()),
        case_id: q.case_id.map(|c| c.to_string()),
    };
    let (after, limit, scope) =
        (page.after_id()?, page.limit(), policy::organization_scope(&caller.principal));
    let page = state
        .db
        .run(move |c| {
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            let page = Page::from_rows(rows, limit, |r| r.id.as_str(), |r| r);
            let items =
                page.items.into_iter().map(|r| to_view(c, &caller.principal, r)).collect::<Result<_>>()?;
            Ok(Page { items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Get a transfer
///
/// Visible to both organizations; `case` names the person only to whoever may see the case.
#[utoipa::path(
    tag = "transfers",
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, description = "The transfer", body = Transfer, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::TransferRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let transfer = state
        .db
        .run(move |c| {
            let row = repo::get(c, &scope, &id)?;
            to_view(c, &caller.principal, row)
        })
        .await?;
    let version = transfer.version;
    Ok(respond::ok_versioned(&transfer, version))
}

/// Accept, reject or cancel a transfer
///
/// Accepting moves the case, its family members and interventions to the receiving organization in one
/// transaction; the sender loses access unless it holds a grant. Only a coordinator of the deciding side
/// accepts or rejects; the side that started it cancels. Illegal moves are 409. `If-Match` is optional.
#[utoipa::path(
    tag = "transfers",
    params(("id" = uuid::Uuid, Path, description = "Transfer id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = DecideTransfer,
    responses((status = 200, description = "The transfer in its new status", body = Transfer, headers(("ETag" = String))),
        (status = 409, description = "Illegal transition, or the case changed owner meanwhile", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn decide_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<DecideTransfer>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::TransferRead)?;
    let expected = if_match.optional()?;
    let (id, b, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let transfer = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(expected, row.version)?;
                let from = status_of(&row)?;
                let Some(party) = from.mover(b.status) else {
                    return Err(Error::conflict(
                        "invalid_transition",
                        format!("a transfer cannot go from {from} to {}", b.status),
                    ));
                };
                if !may_act(&caller.principal, kind_of(&row)?, &row, party) {
                    return Err(Error::Forbidden(match party {
                        Party::Decider => "only a coordinator of the deciding organization may accept or reject".into(),
                        Party::Initiator => "only the organization that started the transfer may cancel it".into(),
                    }));
                }
                let now = db::now();
                if b.status == TransferStatus::Accepted {
                    cases::change_owner(c, &row.case_id, &row.from_organization_id, &row.to_organization_id, now)?;
                    // The new owner needs no grant; the old one keeps none.
                    db::grants::revoke_all_for(c, &row.case_id, &row.to_organization_id, &caller.principal.user_id, now)?;
                    audit::record(
                        c,
                        &AuditEvent::by(&caller, "case.transfer", "case", Some(&row.case_id))
                            .case(&row.case_id)
                            .details(serde_json::json!({"from": row.from_organization_id, "to": row.to_organization_id})),
                    )?;
                }
                row.status = b.status.as_str().to_string();
                row.decision_note = b.note;
                row.decided_by = Some(caller.principal.user_id.clone());
                row.decided_at = Some(now);
                let old_version = row.version;
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "transfer.status", "transfer", Some(&row.id))
                        .case(&row.case_id)
                        .details(serde_json::json!({"from": from.as_str(), "to": row.status})),
                )?;
                to_view(c, &caller.principal, row)
            })
        })
        .await?;
    let version = transfer.version;
    Ok(respond::ok_versioned(&transfer, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/transfers")
            .service(list_transfers)
            .service(create_transfer)
            .service(get_transfer)
            .service(decide_transfer),
    );
}
