//! The plan worklists across cases: `GET /api/v1/plans?past_review=true` (plans in force whose review
//! day has passed) and `GET /api/v1/plan-actions?overdue=true` (open actions past their due day), on the
//! app's clock, for the cases the caller's organization owns (admins: any organization, or all).

use actix_web::{HttpResponse, get, web};

use super::dto::{ActionWorklistQuery, Plan, PlanAction, PlanWorklistQuery};
use super::with_items;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::audit::AuditEvent;
use crate::db::plans::{self as repo, ActionFilter};
use crate::domain::Code;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiQuery, Page, PageParams, respond};

/// Which cases were shown, by id: who saw a person's data in a list is part of their access record.
async fn audit_shown(state: &AppState, caller: &Caller, action: &str, case_ids: Vec<String>) -> Result<()> {
    state
        .audit
        .record(
            AuditEvent::by(caller, action, "plan", None)
                .details(serde_json::json!({"count": case_ids.len(), "case_ids": case_ids})),
        )
        .await
}

/// List plans in force across cases
///
/// The plans in force (not closed) of the cases the caller's organization owns, newest first (admins: every organization's, or
/// `organization_id`'s). Worklist: `past_review=true` keeps the plans in force whose review day is before
/// today on the server's clock.
#[utoipa::path(
    tag = "plans",
    params(PlanWorklistQuery, PageParams),
    responses((status = 200, description = "A page of plans", body = Page<Plan>)),
    security(("bearer" = []))
)]
#[get("/plans")]
pub async fn list_plans_in_force(
    state: web::Data<AppState>,
    caller: Caller,
    q: ApiQuery<PlanWorklistQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanRead)?;
    let (q, page) = (q.into_inner(), page.into_inner());
    let org = policy::worklist_organization(&caller.principal, q.organization_id)?;
    let (after, limit, today) = (page.after_id()?, page.limit(), state.clock.now().date());
    let review_before = (q.past_review == Some(true)).then_some(today);
    let page = state
        .db
        .run(move |c| {
            let mut rows = repo::in_force(c, org.as_deref(), review_before, after.as_deref(), limit)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor =
                if more { rows.last().map(|r| crate::http::pagination::encode_cursor(&r.id)) } else { None };
            Ok(Page { items: with_items(c, rows, today)?, next_cursor })
        })
        .await?;
    let shown = page.items.iter().map(|p| p.case_id.clone()).collect();
    audit_shown(&state, &caller, "plan.worklist", shown).await?;
    Ok(respond::ok(&page))
}

/// List open plan actions across cases
///
/// The open (`planned`, `in_progress`) actions of the plans in force of the cases the caller's
/// organization owns, newest first (admins: every organization's, or `organization_id`'s). Worklist:
/// `overdue=true` keeps those whose due day is before today on the server's clock; `owner_kind` and
/// `owner_id` (`me` for the caller) narrow them to one owner.
#[utoipa::path(
    tag = "plans",
    params(ActionWorklistQuery, PageParams),
    responses((status = 200, description = "A page of actions", body = Page<PlanAction>)),
    security(("bearer" = []))
)]
#[get("/plan-actions")]
pub async fn list_plan_actions(
    state: web::Data<AppState>,
    caller: Caller,
    q: ApiQuery<ActionWorklistQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::PlanRead)?;
    let (q, page) = (q.into_inner(), page.into_inner());
    let owner_id = match q.owner_id.as_deref() {
        None => None,
        Some("me") => Some(caller.principal.user_id.clone()),
        Some(id) => Some(
            uuid::Uuid::parse_str(id)
                .map_err(|_| {
                    Error::InvalidQuery(vec![FieldError::new("owner_id", "invalid", "a UUID, or me")])
                })?
                .to_string(),
        ),
    };
    let filter = ActionFilter {
        organization_id: policy::worklist_organization(&caller.principal, q.organization_id)?,
        overdue_on: (q.overdue == Some(true)).then(|| state.clock.now().date()),
        owner_kind: q.owner_kind.map(|k| k.as_str().to_string()),
        owner_id,
    };
    let (after, limit, today) = (page.after_id()?, page.limit(), state.clock.now().date());
    let rows = state.db.run(move |c| repo::open_actions(c, &filter, after.as_deref(), limit)).await?;
    let page = Page::try_from_rows(rows, limit, |r| r.id.as_str(), |r| PlanAction::from_row(r, today))?;
    let shown = page.items.iter().map(|a| a.case_id.clone()).collect();
    audit_shown(&state, &caller, "plan_action.worklist", shown).await?;
    Ok(respond::ok(&page))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_plans_in_force).service(list_plan_actions);
}
