//! Erasure (GDPR art. 17) and the legal hold that blocks it. Both are decisions of the owner organization's
//! coordinators (or an admin), both are audited.

use actix_web::{HttpResponse, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::policy::CaseAccess;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases as repo, cases::CaseRow};
use crate::domain::person::validate_text;
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::http::{ApiJson, respond};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Request of the person under art. 17 GDPR, received 2026-11-20"}))]
pub struct EraseCase {
    /// Why, e.g. the request it answers: it stays in the audit trail after the erasure, so name no person.
    #[validate(length(min = 1, max = 500), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 500, format = "sportello:text")]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"legal_hold": true, "reason": "Records requested by the Tribunale di Cremona"}))]
pub struct SetLegalHold {
    pub legal_hold: bool,
    /// Why (kept in the audit trail).
    #[validate(length(min = 1, max = 500), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 500, format = "sportello:text")]
    pub reason: String,
}

/// The case, deleted ones included, if the caller decides about it: the owner organization's coordinators
/// and admins. Others get what the live case would answer them (403 when they see it through a grant),
/// and 404 for a deleted case.
fn owned_case(c: &mut DbConnection, caller: &Caller, id: &str) -> Result<CaseRow> {
    let row = repo::find_any(c, id)?.ok_or(Error::NotFound)?;
    let principal = &caller.principal;
    if principal.role == Role::Admin || row.organization_id == principal.organization_id {
        return Ok(row);
    }
    if row.deleted_at.is_none() {
        repo::get(c, &policy::case_scope_for(principal, CaseAccess::Own), id)?;
    }
    Err(Error::NotFound)
}

/// Erase a person
///
/// Anonymises the case, its family members, interventions, referrals, activations, consents, transfers and
/// care requests irreversibly, and deletes its documents: names, tax codes, contacts, notes and free texts go; codes that statistics
/// need stay (citizenship, needs, legal status, intervention kinds, statuses) and dates keep only their
/// month. The case disappears from every list and the change feed publishes an `erased` tombstone. Erasing
/// an erased case does nothing (204). 409 while a legal hold is set. Works on deleted cases too.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    request_body = EraseCase,
    responses((status = 204, description = "Erased (or already erased)"),
        (status = 409, description = "A legal hold is set", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/erasure")]
pub async fn erase_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: ApiJson<EraseCase>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseErase)?;
    let (id, reason) = (id.into_inner().to_string(), body.into_inner().reason);
    let documents = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let row = owned_case(c, &caller, &id)?;
                if row.erased_at.is_some() {
                    return Ok(Vec::new());
                }
                if row.legal_hold {
                    return Err(Error::conflict("legal_hold", "the case is under legal hold: lift it first"));
                }
                let documents = db::erasure::erase_case(c, &id, db::now())?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "case.erase", "case", Some(&id))
                        .case(&id)
                        .details(serde_json::json!({"reason": reason})),
                )?;
                Ok(documents)
            })
        })
        .await?;
    state.documents.remove_files(&documents);
    Ok(respond::no_content())
}

/// Set or lift the legal hold
///
/// While set, the person's data may not be erased, by request or by retention (litigation, a court's or the
/// police's request). Owner organization's coordinators and admins; audited with the reason.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    request_body = SetLegalHold,
    responses((status = 204, description = "Set or lifted"),
        (status = 409, description = "The case is erased", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/{id}/legal-hold")]
pub async fn set_legal_hold(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: ApiJson<SetLegalHold>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseErase)?;
    let (id, b) = (id.into_inner().to_string(), body.into_inner());
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = owned_case(c, &caller, &id)?;
                if row.erased_at.is_some() {
                    return Err(Error::conflict("case_erased", "the case is erased: nothing left to hold"));
                }
                if row.legal_hold != b.legal_hold {
                    let old_version = row.version;
                    row.legal_hold = b.legal_hold;
                    row.version += 1;
                    row.updated_at = db::now();
                    repo::save(c, &row, old_version)?;
                }
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "case.legal_hold", "case", Some(&id))
                        .case(&id)
                        .details(serde_json::json!({"legal_hold": b.legal_hold, "reason": b.reason})),
                )
            })
        })
        .await?;
    Ok(respond::no_content())
}
