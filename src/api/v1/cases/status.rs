//! `POST /api/v1/cases/{id}/status`: moves in the case lifecycle.

use actix_web::{HttpResponse, post, web};

use super::{Case, ChangeStatus, codes, to_case};
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{self, audit, audit::AuditEvent, cases as repo};
use crate::domain::Code;
use crate::domain::case::CaseStatus;
use crate::error::{Error, Result};
use crate::http::{ApiJson, IfMatch, etag::check_version, respond};

/// Closing the case closes its plan in force with the outcome given: required when there is such a plan,
/// refused when there is none (it would be lost).
fn close_plan(
    c: &mut db::DbConnection,
    case_id: &str,
    b: &ChangeStatus,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    let has_plan = db::plans::open_of_case(c, case_id)?.is_some();
    match (has_plan, b.plan_outcome) {
        (true, None) => Err(Error::invalid(
            "plan_outcome",
            "required",
            "the case has an individual plan in force: closing it needs the plan's outcome",
        )),
        (false, Some(_)) => {
            Err(Error::invalid("plan_outcome", "no_plan", "the case has no individual plan in force"))
        }
        (true, Some(outcome)) => {
            db::plans::close_open(c, case_id, outcome.as_str(), b.plan_outcome_note.as_deref(), now)?;
            Ok(())
        }
        (false, None) => Ok(()),
    }
}

/// Change the status of a case
///
/// `open → active | closed`, `active → suspended | closed`, `suspended → active | closed`,
/// `closed → open | active` (reopen). Closing needs a `closure_reason`, and a `plan_outcome` when the case
/// has an individual plan in force (the plan is closed with it). Other moves are 409.
/// `If-Match` is optional here; when sent, a stale version is 412.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = ChangeStatus,
    responses((status = 200, description = "The case in its new status", body = Case, headers(("ETag" = String))),
        (status = 409, description = "Illegal transition", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<ChangeStatus>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseChangeStatus)?;
    let expected = if_match.optional()?;
    let (id, b, scope, audit_caller) = (
        id.into_inner().to_string(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Own),
        caller.clone(),
    );
    if b.status == CaseStatus::Closed && b.closure_reason.is_none() {
        return Err(Error::invalid("closure_reason", "required", "closing a case needs a closure reason"));
    }
    if b.status != CaseStatus::Closed && b.closure_reason.is_some() {
        return Err(Error::invalid(
            "closure_reason",
            "not_allowed",
            "only a closing move takes a closure reason",
        ));
    }
    if b.status != CaseStatus::Closed && b.plan_outcome.is_some() {
        return Err(Error::invalid(
            "plan_outcome",
            "not_allowed",
            "only a closing move takes a plan outcome",
        ));
    }
    if b.plan_outcome.is_none() && b.plan_outcome_note.is_some() {
        return Err(Error::invalid(
            "plan_outcome_note",
            "not_allowed",
            "a plan outcome note goes with plan_outcome",
        ));
    }
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(expected, row.version)?;
                let from = CaseStatus::parse(&row.status)
                    .ok_or_else(|| Error::internal("case status", &row.status))?;
                if !from.can_move_to(b.status) {
                    let allowed =
                        from.allowed_next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    return Err(Error::conflict(
                        "invalid_transition",
                        format!(
                            "a case cannot go from {from} to {}; from {from} it can go to: {allowed}",
                            b.status
                        ),
                    ));
                }
                let now = db::now();
                let closing = b.status == CaseStatus::Closed;
                if closing {
                    close_plan(c, &row.id, &b, now)?;
                }
                row.status = b.status.as_str().to_string();
                row.closure_reason = if closing { codes(b.closure_reason) } else { None };
                row.closure_note = if closing { b.note.clone() } else { None };
                row.closed_at = closing.then_some(now);
                let old_version = row.version;
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(&audit_caller, "case.status", "case", Some(&row.id))
                        .case(&row.id)
                        .details(serde_json::json!({"from": from.as_str(), "to": b.status.as_str()})),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&to_case(&caller, row)?, version))
}
