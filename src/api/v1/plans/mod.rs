//! `/api/v1/cases/{case_id}/plans`: the individual plan (progetto individualizzato) — goals tied to the
//! assessed needs, actions with an owner, a due day and a status, a review day, the agreement with the
//! person and, where the organization requires it, a coordinator's approval, which covers the plan as
//! approved: a change to its dates, notes, goals or actions (an action's progress aside) makes it `pending`
//! again. A case has at most one plan in force; closing the case records its outcome. Worklists across
//! cases are in [`worklist`].

pub mod dto;
mod items;
pub mod worklist;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;

pub use dto::{
    ActionWorklistQuery, CreateAction, CreateGoal, CreatePlan, Plan, PlanAction, PlanGoal, PlanWorklistQuery,
    UpdateAction, UpdateGoal, UpdatePlan,
};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::plans::{self as repo, PlanRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// Plans with their goals and actions (two queries for the lot).
pub fn with_items(c: &mut DbConnection, rows: Vec<PlanRow>, today: NaiveDate) -> Result<Vec<Plan>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let (mut goals, mut actions) = (repo::goals_of(c, &ids)?, repo::actions_of(c, &ids)?);
    rows.into_iter()
        .map(|r| {
            let g = goals.extract_if(.., |g| g.plan_id == r.id).collect();
            let a = actions.extract_if(.., |a| a.plan_id == r.id).collect();
            Plan::from_rows(r, g, a, today)
        })
        .collect()
}

fn one(c: &mut DbConnection, row: PlanRow, today: NaiveDate) -> Result<Plan> {
    with_items(c, vec![row], today)?.pop().ok_or(Error::NotFound)
}

/// A closed plan is history: 409 on any change.
fn ensure_open(row: &PlanRow) -> Result<()> {
    if row.closed_at.is_some() {
        return Err(Error::conflict("plan_closed", "the plan was closed with the case and cannot change"));
    }
    Ok(())
}

/// List the plans of a case
///
/// Newest first, each with its goals and actions; at most one is in force (not closed).
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of plans", body = Page<Plan>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanRead)?;
    let (case_id, page, scope) =
        (case_id.into_inner().to_string(), page.into_inner(), policy::case_scope(&caller.principal));
    let (after, limit, today) = (page.after_id()?, page.limit(), state.clock.now().date());
    let page = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let mut rows = repo::list(c, &case_id, after.as_deref(), limit)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor =
                if more { rows.last().map(|r| crate::http::pagination::encode_cursor(&r.id)) } else { None };
            let items = with_items(c, rows, today)?;
            audit::record(c, &AuditEvent::by(&caller, "plan.list", "plan", None).case(&case_id))?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Draw up a plan
///
/// For a case with no plan in force (409 `open_plan_exists` otherwise). Where the case's organization
/// requires it, the plan waits for a coordinator's approval (`approval: pending`).
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreatePlan,
    responses((status = 201, description = "Created", body = Plan, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The case already has a plan in force", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{case_id}/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreatePlan>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let (case_id, b, scope) = (
        case_id.into_inner().to_string(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
    );
    let (now, today) = (db::now(), state.clock.now().date());
    let plan = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let case = cases::get(c, &scope, &case_id)?;
                if repo::open_of_case(c, &case_id)?.is_some() {
                    return Err(Error::conflict(
                        "open_plan_exists",
                        "the case already has a plan in force; update it, or close the case first",
                    ));
                }
                let assessment_id = b.assessment_id.map(|a| a.to_string());
                if let Some(a) = &assessment_id {
                    db::assessments::get(c, &case_id, a).map_err(|e| match e {
                        Error::NotFound => {
                            Error::invalid("assessment_id", "not_found", "no such assessment of this case")
                        }
                        other => other,
                    })?;
                }
                let approval_required = db::organizations::get(c, &case.organization_id)?.plans_need_approval;
                let row = PlanRow {
                    id: db::new_id(),
                    case_id: case_id.clone(),
                    organization_id: caller.principal.organization_id.clone(),
                    assessment_id,
                    starts_on: b.starts_on,
                    review_on: b.review_on,
                    notes: b.notes.clone(),
                    agreed_on: b.agreed_on,
                    agreement_signed: b.agreement_signed,
                    approval_required,
                    approved_at: None,
                    approved_by: None,
                    outcome: None,
                    outcome_note: None,
                    closed_at: None,
                    created_by: caller.principal.user_id.clone(),
                    deleted_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "plan.create", "plan", Some(&row.id)).case(&case_id),
                )?;
                one(c, row, today)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/plans/{}", plan.case_id, plan.id);
    Ok(respond::created(location, &plan, 1))
}

/// Get a plan
///
/// With its goals and actions. The read is audited; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Plan id")),
    responses((status = 200, description = "The plan", body = Plan, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/plans/{id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id, today) = (case_id.to_string(), id.to_string(), state.clock.now().date());
    let plan = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            let plan = one(c, row, today)?;
            audit::record(c, &AuditEvent::by(&caller, "plan.read", "plan", Some(&id)).case(&case_id))?;
            Ok(plan)
        })
        .await?;
    let version = plan.version;
    Ok(respond::ok_versioned(&plan, version))
}

/// Update a plan
///
/// JSON merge patch with `If-Match`: dates, notes and the agreement with the person. A closed plan is 409.
/// Changing the dates or notes of an approved plan puts it back to `pending` approval.
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdatePlan, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Plan, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/plans/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: IfMatch,
    body: ApiJson<UpdatePlan>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanWrite)?;
    let expected = if_match.required()?;
    let ((case_id, id), p, scope) = (
        ids.into_inner(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
    );
    let (case_id, id, today) = (case_id.to_string(), id.to_string(), state.clock.now().date());
    let plan = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let mut row = repo::get(c, &case_id, &id)?;
                check_version(Some(expected), row.version)?;
                ensure_open(&row)?;
                let before = (row.starts_on, row.review_on, row.notes.clone());
                patch::set(&mut row.starts_on, p.starts_on);
                patch::set(&mut row.review_on, p.review_on);
                patch::apply(&mut row.notes, p.notes);
                // New dates or notes are a new plan to approve; recording the agreement is not.
                if (row.starts_on, row.review_on, row.notes.clone()) != before {
                    (row.approved_at, row.approved_by) = (None, None);
                }
                patch::apply(&mut row.agreed_on, p.agreed_on);
                patch::apply(&mut row.agreement_signed, p.agreement_signed);
                dto::check_plan(row.starts_on, row.review_on, row.agreed_on, row.agreement_signed)
                    .map_err(|e| Error::from_cross_field(e, "review_on"))?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &AuditEvent::by(&caller, "plan.update", "plan", Some(&id)).case(&case_id))?;
                one(c, row, today)
            })
        })
        .await?;
    let version = plan.version;
    Ok(respond::ok_versioned(&plan, version))
}

/// Approve a plan
///
/// A coordinator of the case's organization (or an admin) approves a plan waiting for approval. 409
/// `approval_not_required` where the organization does not require it, `already_approved`, or
/// `plan_closed`. `If-Match` is optional; when sent, a stale version is 412.
#[utoipa::path(
    tag = "plans",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    responses((status = 200, description = "The approved plan", body = Plan, headers(("ETag" = String))),
        (status = 409, description = "Nothing to approve", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{case_id}/plans/{id}/approve")]
pub async fn approve_plan(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanApprove)?;
    let expected = if_match.optional()?;
    let ((case_id, id), scope) =
        (ids.into_inner(), policy::case_scope_for(&caller.principal, CaseAccess::Own));
    let (case_id, id, today) = (case_id.to_string(), id.to_string(), state.clock.now().date());
    let plan = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let mut row = repo::get(c, &case_id, &id)?;
                check_version(expected, row.version)?;
                ensure_open(&row)?;
                if !row.approval_required {
                    return Err(Error::conflict(
                        "approval_not_required",
                        "the organization does not require plans to be approved",
                    ));
                }
                if row.approved_at.is_some() {
                    return Err(Error::conflict("already_approved", "the plan is already approved"));
                }
                let (now, old_version) = (db::now(), row.version);
                row.approved_at = Some(now);
                row.approved_by = Some(caller.principal.user_id.clone());
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(c, &AuditEvent::by(&caller, "plan.approve", "plan", Some(&id)).case(&case_id))?;
                one(c, row, today)
            })
        })
        .await?;
    let version = plan.version;
    Ok(respond::ok_versioned(&plan, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_plans)
        .service(create_plan)
        .service(get_plan)
        .service(update_plan)
        .service(approve_plan)
        .service(items::create_goal)
        .service(items::update_goal)
        .service(items::create_action)
        .service(items::update_action);
}
