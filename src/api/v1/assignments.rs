//! `/api/v1/assignments`: the activations assigned to the professional calling, with only what they need
//! to attend (whom, which language, where, when, who asked), and their answers: confirm, decline, complete.

use actix_web::{HttpResponse, get, post, web};

use crate::api::v1::activations::audit_event;
use crate::api::v1::activations::dto::{AnswerAssignment, Assignment, AssignmentQuery, RequesterContact};
use crate::api::v1::activations::lifecycle::{self, MoveDetails};
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::activations::{ActivationFilter, ActivationRow, ActivationScope};
use crate::db::{self, DbConnection, activations as repo, audit};
use crate::domain::Code;
use crate::domain::professional::Actor;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// The scope of the professional calling: 404 when their account is linked to no registry entry.
fn own_scope(c: &mut DbConnection, caller: &Caller) -> Result<ActivationScope> {
    let entry = db::professionals::find_by_user(c, caller.user_id())?.ok_or(Error::NotFound)?;
    Ok(ActivationScope::Professional(entry.id))
}

fn to_assignment(c: &mut DbConnection, row: ActivationRow) -> Result<Assignment> {
    let person_name = match (&row.person_name, &row.case_id) {
        (Some(name), _) => name.clone(),
        (None, Some(case)) => db::cases::find_many(c, std::slice::from_ref(case))?
            .pop()
            .map(|k| format!("{} {}", k.given_name, k.family_name))
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    let organization = db::organizations::get(c, &row.organization_id)?;
    let allowed = lifecycle::allowed_for(&row, Actor::Professional)?;
    let parse = |what, raw: &str| Error::internal(what, raw);
    Ok(Assignment {
        kind: Code::parse(&row.kind).ok_or_else(|| parse("activation kind", &row.kind))?,
        sector: row
            .sector
            .as_deref()
            .map(|s| Code::parse(s).ok_or_else(|| parse("activation sector", s)))
            .transpose()?,
        urgency: Code::parse(&row.urgency).ok_or_else(|| parse("activation urgency", &row.urgency))?,
        status: lifecycle::status_of(&row)?,
        person_name,
        requester: RequesterContact {
            organization_name: organization.name,
            phone: organization.phone,
            email: organization.email,
        },
        allowed_transitions: allowed,
        id: row.id,
        language: row.language,
        scheduled_at: row.scheduled_at.and_utc(),
        place: row.place,
        municipality: row.municipality,
        duration_minutes: row.duration_minutes,
        deadline_at: row.deadline_at.and_utc(),
        worked_minutes: row.worked_minutes,
        outcome: row.outcome,
        version: row.version,
    })
}

/// My assignments
///
/// For a professional: the activations assigned to them, newest first.
#[utoipa::path(
    tag = "assignments",
    params(AssignmentQuery, PageParams),
    responses((status = 200, description = "A page of assignments", body = Page<Assignment>),
        (status = 404, description = "The caller's account is linked to no registry entry", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_assignments(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<AssignmentQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssignmentRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = ActivationFilter { status: q.status.map(|s| s.as_str().to_string()), ..Default::default() };
    let (after, limit) = (page.after_id()?, page.limit());
    let page = state
        .db
        .run(move |c| {
            let scope = own_scope(c, &caller)?;
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            let page = Page::from_rows(rows, limit, |r| r.id.as_str(), |r| r);
            let items = page.items.into_iter().map(|r| to_assignment(c, r)).collect::<Result<_>>()?;
            Ok(Page { items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(respond::ok(&page))
}

/// Get an assignment
///
/// Whom to meet, in which language, where, when, and whom to call; nothing else of the case.
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "Activation id")),
    responses((status = 200, description = "The assignment", body = Assignment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_assignment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssignmentRead)?;
    let id = id.into_inner().to_string();
    let assignment = state
        .db
        .run(move |c| {
            let scope = own_scope(c, &caller)?;
            let row = repo::get(c, &scope, &id)?;
            audit::record(c, &audit_event(&caller, "assignment.read", &row))?;
            to_assignment(c, row)
        })
        .await?;
    let version = assignment.version;
    Ok(respond::ok_versioned(&assignment, version))
}

/// Answer an assignment
///
/// `assigned → confirmed | declined` (declining needs a reason), `confirmed → completed` (with the minutes
/// worked and the outcome). The requester's moves are 403 here; illegal moves 409. `If-Match` is optional.
#[utoipa::path(
    tag = "assignments",
    params(("id" = uuid::Uuid, Path, description = "Activation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = AnswerAssignment,
    responses((status = 200, description = "The assignment in its new status", body = Assignment, headers(("ETag" = String))),
        (status = 409, description = "Illegal transition", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn answer_assignment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<AnswerAssignment>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssignmentAnswer)?;
    let expected = if_match.optional()?;
    let (id, b, now) = (id.into_inner().to_string(), body.into_inner(), state.clock.now());
    let assignment = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let scope = own_scope(c, &caller)?;
                let mut row = repo::get(c, &scope, &id)?;
                check_version(expected, row.version)?;
                let details = MoveDetails {
                    professional_id: None,
                    worked_minutes: b.worked_minutes,
                    outcome: b.outcome,
                    reason: b.reason,
                };
                lifecycle::apply(c, &mut row, b.status, Actor::Professional, &caller, details, now)?;
                to_assignment(c, row)
            })
        })
        .await?;
    let version = assignment.version;
    Ok(respond::ok_versioned(&assignment, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/assignments")
            .service(list_assignments)
            .service(get_assignment)
            .service(answer_assignment),
    );
}
