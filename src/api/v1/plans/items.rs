//! Goals and actions of a plan: `/cases/{case_id}/plans/{plan_id}/goals` and `…/actions`. Each has its own
//! version (shown in the plan) for If-Match; a closed plan takes no change.

use actix_web::{HttpResponse, patch, post, web};

use super::dto::{CreateAction, CreateGoal, PlanAction, PlanGoal, UpdateAction, UpdateGoal};
use super::ensure_open;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::plans::{self as repo, ActionRow, GoalRow, PlanRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::domain::Code;
use crate::domain::plan::{ActionOwnerKind, ActionStatus, AssessmentDomain, GoalStatus, NeedLevel};
use crate::error::{Error, Result};
use crate::http::{ApiJson, IfMatch, etag::check_version, respond};

type PlanPath = web::Path<(uuid::Uuid, uuid::Uuid)>;
type ItemPath = web::Path<(uuid::Uuid, uuid::Uuid, uuid::Uuid)>;

/// The owner must exist: an active user, an organization, a provider of the directory or a registered
/// professional, by kind.
fn check_owner(c: &mut DbConnection, kind: ActionOwnerKind, id: &str) -> Result<()> {
    let exists = match kind {
        ActionOwnerKind::Operator => db::users::find(c, id)?.is_some_and(|u| u.active),
        ActionOwnerKind::Organization => db::organizations::find(c, id)?.is_some(),
        ActionOwnerKind::Provider => db::providers::find(c, id)?.is_some(),
        ActionOwnerKind::Professional => match db::professionals::get(c, id) {
            Ok(_) => true,
            Err(Error::NotFound) => false,
            Err(e) => return Err(e),
        },
    };
    if exists {
        Ok(())
    } else {
        Err(Error::invalid("owner_id", "not_found", format!("no such {kind} to own the action")))
    }
}

/// A goal answers an assessed need: when the plan names its assessment, the goal's domain must be one the
/// assessment found some need in (a level above `none`).
fn check_assessed(c: &mut DbConnection, plan: &PlanRow, domain: AssessmentDomain) -> Result<()> {
    let Some(assessment) = &plan.assessment_id else { return Ok(()) };
    let assessed = db::assessments::domains_of(c, std::slice::from_ref(assessment))?
        .iter()
        .any(|d| d.domain == domain.as_str() && d.level != NeedLevel::None.as_str());
    if assessed {
        Ok(())
    } else {
        Err(Error::invalid(
            "domain",
            "not_assessed",
            format!("the plan's assessment found no need in {domain}"),
        ))
    }
}

/// The goal an action serves must be one of the same plan.
fn check_goal(c: &mut DbConnection, plan_id: &str, goal_id: Option<&str>) -> Result<()> {
    match goal_id.map(|g| repo::get_goal(c, plan_id, g)) {
        Some(Err(Error::NotFound)) => {
            Err(Error::invalid("goal_id", "not_found", "no such goal in this plan"))
        }
        Some(Err(e)) => Err(e),
        _ => Ok(()),
    }
}

/// The case in reach to work on, and its plan still open.
fn open_plan(c: &mut DbConnection, caller: &Caller, case_id: &str, plan_id: &str) -> Result<PlanRow> {
    cases::get(c, &policy::case_scope_for(&caller.principal, CaseAccess::Contribute), case_id)?;
    let plan = repo::get(c, case_id, plan_id)?;
    ensure_open(&plan)?;
    Ok(plan)
}

/// Add a goal to a plan
///
/// A goal answers one of the assessed needs (its domain): when the plan names its assessment, a domain that
/// assessment found some need in (422 `not_assessed` otherwise).
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("plan_id" = uuid::Uuid, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateGoal,
    responses((status = 201, description = "Created", body = PlanGoal, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/plans/{plan_id}/goals")]
pub async fn create_goal(
    state: web::Data<AppState>,
    caller: Caller,
    ids: PlanPath,
    body: ApiJson<CreateGoal>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let ((case_id, plan_id), b) = (ids.into_inner(), body.into_inner());
    let (case_id, plan_id, now) = (case_id.to_string(), plan_id.to_string(), db::now());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let plan = open_plan(c, &caller, &case_id, &plan_id)?;
                check_assessed(c, &plan, b.domain)?;
                let row = GoalRow {
                    id: db::new_id(),
                    plan_id: plan_id.clone(),
                    case_id: case_id.clone(),
                    domain: b.domain.as_str().to_string(),
                    description: b.description.clone(),
                    status: b.status.unwrap_or(GoalStatus::Open).as_str().to_string(),
                    created_by: caller.principal.user_id.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_goal(c, &row)?;
                repo::withdraw_approval(c, &plan_id, now)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "plan_goal.create", "plan_goal", Some(&row.id)).case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/plans/{}/goals/{}", row.case_id, row.plan_id, row.id);
    Ok(respond::created(location, &PlanGoal::try_from(row)?, 1))
}

/// Update a goal
///
/// JSON merge patch with `If-Match` (the goal's version, as shown in the plan).
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("plan_id" = uuid::Uuid, Path, description = "Plan id"),
        ("id" = uuid::Uuid, Path, description = "Goal id"), ("If-Match" = String, Header, description = "The goal's version")),
    request_body(content = UpdateGoal, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = PlanGoal, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/plans/{plan_id}/goals/{id}")]
pub async fn update_goal(
    state: web::Data<AppState>,
    caller: Caller,
    ids: ItemPath,
    if_match: IfMatch,
    body: ApiJson<UpdateGoal>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let expected = if_match.required()?;
    let ((case_id, plan_id, id), p) = (ids.into_inner(), body.into_inner());
    let (case_id, plan_id, id) = (case_id.to_string(), plan_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let plan = open_plan(c, &caller, &case_id, &plan_id)?;
                let mut row = repo::get_goal(c, &plan_id, &id)?;
                check_version(Some(expected), row.version)?;
                if let Some(domain) = p.domain {
                    check_assessed(c, &plan, domain)?;
                }
                let content_changed = p.domain.is_some() || p.description.is_some();
                patch::set(&mut row.domain, p.domain.map(|d| d.as_str().to_string()));
                patch::set(&mut row.description, p.description);
                patch::set(&mut row.status, p.status.map(|s| s.as_str().to_string()));
                row.version += 1;
                row.updated_at = db::now();
                repo::save_goal(c, &row, expected)?;
                if content_changed {
                    repo::withdraw_approval(c, &plan_id, row.updated_at)?;
                }
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "plan_goal.update", "plan_goal", Some(&id)).case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&PlanGoal::try_from(row)?, version))
}

/// Add an action to a plan
///
/// Who does what by when: an operator (the caller by default), an organization, a provider or a
/// registered professional; optionally serving a goal of the same plan.
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("plan_id" = uuid::Uuid, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateAction,
    responses((status = 201, description = "Created", body = PlanAction, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/plans/{plan_id}/actions")]
pub async fn create_action(
    state: web::Data<AppState>,
    caller: Caller,
    ids: PlanPath,
    body: ApiJson<CreateAction>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let ((case_id, plan_id), b) = (ids.into_inner(), body.into_inner());
    let (case_id, plan_id, now, today) =
        (case_id.to_string(), plan_id.to_string(), db::now(), state.clock.now().date());
    let owner_id = match (b.owner_id, b.owner_kind) {
        (Some(o), _) => o.to_string(),
        (None, ActionOwnerKind::Operator) => caller.principal.user_id.clone(),
        (None, kind) => {
            return Err(Error::invalid(
                "owner_id",
                "required",
                format!("name the {kind} that owns the action"),
            ));
        }
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                open_plan(c, &caller, &case_id, &plan_id)?;
                let goal_id = b.goal_id.map(|g| g.to_string());
                check_goal(c, &plan_id, goal_id.as_deref())?;
                check_owner(c, b.owner_kind, &owner_id)?;
                let status = b.status.unwrap_or(ActionStatus::Planned);
                let row = ActionRow {
                    id: db::new_id(),
                    plan_id: plan_id.clone(),
                    case_id: case_id.clone(),
                    goal_id,
                    description: b.description.clone(),
                    owner_kind: b.owner_kind.as_str().to_string(),
                    owner_id: owner_id.clone(),
                    due_on: b.due_on,
                    status: status.as_str().to_string(),
                    completed_on: (status == ActionStatus::Done).then_some(today),
                    created_by: caller.principal.user_id.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_action(c, &row)?;
                repo::withdraw_approval(c, &plan_id, now)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "plan_action.create", "plan_action", Some(&row.id))
                        .case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/plans/{}/actions/{}", row.case_id, row.plan_id, row.id);
    Ok(respond::created(location, &PlanAction::from_row(row, today)?, 1))
}

/// Update an action
///
/// JSON merge patch with `If-Match` (the action's version, as shown in the plan). Marking it `done`
/// stamps `completed_on` with today.
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("plan_id" = uuid::Uuid, Path, description = "Plan id"),
        ("id" = uuid::Uuid, Path, description = "Action id"), ("If-Match" = String, Header, description = "The action's version")),
    request_body(content = UpdateAction, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = PlanAction, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/plans/{plan_id}/actions/{id}")]
pub async fn update_action(
    state: web::Data<AppState>,
    caller: Caller,
    ids: ItemPath,
    if_match: IfMatch,
    body: ApiJson<UpdateAction>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let expected = if_match.required()?;
    let ((case_id, plan_id, id), p) = (ids.into_inner(), body.into_inner());
    let (case_id, plan_id, id, today) =
        (case_id.to_string(), plan_id.to_string(), id.to_string(), state.clock.now().date());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                open_plan(c, &caller, &case_id, &plan_id)?;
                let mut row = repo::get_action(c, &plan_id, &id)?;
                check_version(Some(expected), row.version)?;
                // What is to be done, by whom and when is the plan; how far it got is not.
                let content_changed = p.goal_id.is_some()
                    || p.description.is_some()
                    || p.owner_kind.is_some()
                    || p.owner_id.is_some()
                    || p.due_on.is_some();
                if p.owner_kind.is_some() && p.owner_id.is_none() {
                    return Err(Error::invalid(
                        "owner_id",
                        "required",
                        "a new owner kind needs its owner_id",
                    ));
                }
                patch::apply(&mut row.goal_id, p.goal_id.map(|g| g.map(|g| g.to_string())));
                check_goal(c, &plan_id, row.goal_id.as_deref())?;
                patch::set(&mut row.description, p.description);
                patch::set(&mut row.owner_kind, p.owner_kind.map(|k| k.as_str().to_string()));
                patch::set(&mut row.owner_id, p.owner_id.map(|o| o.to_string()));
                if p.owner_id.is_some() {
                    let kind = ActionOwnerKind::parse(&row.owner_kind)
                        .ok_or_else(|| Error::internal("action owner kind", &row.owner_kind))?;
                    check_owner(c, kind, &row.owner_id)?;
                }
                patch::apply(&mut row.due_on, p.due_on);
                if let Some(status) = p.status {
                    let was_done = row.status == ActionStatus::Done.as_str();
                    row.status = status.as_str().to_string();
                    row.completed_on = match (status == ActionStatus::Done, was_done) {
                        (true, true) => row.completed_on,
                        (true, false) => Some(today),
                        (false, _) => None,
                    };
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save_action(c, &row, expected)?;
                if content_changed {
                    repo::withdraw_approval(c, &plan_id, row.updated_at)?;
                }
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "plan_action.update", "plan_action", Some(&id)).case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&PlanAction::from_row(row, today)?, version))
}
