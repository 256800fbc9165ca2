//! `/api/v1/activations`: requests to engage a registered professional for a case, or for an interview at
//! a municipal social service, to be confirmed within 24 (urgent) or 48 (standard) hours. The requesting
//! side assigns, follows and closes them; the professional answers through `/api/v1/assignments`.

pub mod dto;
pub mod lifecycle;

use actix_web::{HttpResponse, get, post, web};

pub use dto::{
    Activation, ActivationEvent, ActivationQuery, Candidate, CandidateList, CreateActivation, MoveActivation,
    Sla, SlaQuery,
};

use crate::api::v1::professionals::{Professional, SpokenLanguage};
use crate::app::AppState;
use crate::auth::policy::{CaseAccess, OrganizationScope};
use crate::auth::{Action, policy, principal::Caller};
use crate::db::activations::{ActivationFilter, ActivationRow, ActivationScope, EventRow};
use crate::db::{self, activations as repo, audit, audit::AuditEvent, cases};
use crate::domain::professional::{self as rules, ActivationStatus, ActivationUrgency, Actor, Fit};
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, local_time};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};
use lifecycle::{MoveDetails, allowed_for};

fn requester_scope(caller: &Caller) -> ActivationScope {
    ActivationScope::Requester(policy::organization_scope(&caller.principal))
}

/// An audit entry about an activation, filed under its case when it has one (whom it is about is personal
/// data either way).
pub fn audit_event(caller: &Caller, action: &str, row: &ActivationRow) -> AuditEvent {
    AuditEvent::by(caller, action, "activation", Some(&row.id)).case_if_any(row.case_id.as_deref())
}

pub fn to_activation(row: ActivationRow, now: chrono::NaiveDateTime) -> Result<Activation> {
    let overdue = rules::is_overdue(lifecycle::status_of(&row)?, row.deadline_at, now);
    let allowed = allowed_for(&row, Actor::Requester)?;
    Activation::from_row(row, overdue, allowed)
}

/// Request a professional
///
/// For a case the caller's organization works (or, without a case, for an interview at a social service,
/// naming the person). The deadline is 24 hours after the request when urgent, 48 otherwise.
#[utoipa::path(
    tag = "activations",
    request_body = CreateActivation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Requested", body = Activation, headers(("Location" = String), ("ETag" = String))),
        (status = 404, description = "No such case, or not one the caller may work on", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_activation(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateActivation>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationRequest)?;
    let b = body.into_inner();
    let now = state.clock.now();
    match (&b.case_id, &b.person_name) {
        (None, None) => {
            return Err(Error::invalid("person_name", "required", "name the person when there is no case"));
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid("person_name", "not_allowed", "a case names its person already"));
        }
        _ => {}
    }
    if b.scheduled_at.naive_utc() <= now {
        return Err(Error::invalid("scheduled_at", "in_past", "must be in the future"));
    }
    let urgency = b.urgency.unwrap_or(ActivationUrgency::Standard);
    let row = ActivationRow {
        id: db::new_id(),
        organization_id: caller.principal.organization_id.clone(),
        requested_by: caller.principal.user_id.clone(),
        case_id: b.case_id.map(|c| c.to_string()),
        person_name: b.person_name.as_deref().map(clean),
        kind: b.kind.as_str().to_string(),
        language: b.language.as_str().to_string(),
        sector: b.sector.map(|s| s.as_str().to_string()),
        scheduled_at: db::truncate(b.scheduled_at.naive_utc()),
        place: clean(&b.place),
        municipality: b.municipality.as_deref().map(clean),
        duration_minutes: b.duration_minutes,
        urgency: urgency.as_str().to_string(),
        notes: b.notes,
        requested_at: now,
        deadline_at: urgency.deadline(now),
        status: ActivationStatus::Requested.as_str().to_string(),
        professional_id: None,
        assigned_at: None,
        confirmed_at: None,
        completed_at: None,
        worked_minutes: None,
        outcome: None,
        status_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                if let Some(case) = &row.case_id {
                    cases::get(c, &scope, case)?;
                }
                repo::insert(c, &row)?;
                repo::insert_event(
                    c,
                    &EventRow {
                        id: db::new_id(),
                        activation_id: row.id.clone(),
                        from_status: None,
                        to_status: row.status.clone(),
                        professional_id: None,
                        actor_id: caller.principal.user_id.clone(),
                        reason: None,
                        occurred_at: now,
                    },
                )?;
                audit::record(c, &audit_event(&caller, "activation.create", &row))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/activations/{}", row.id);
    Ok(respond::created(location, &to_activation(row, now)?, 1))
}

/// List activations
///
/// The caller's organization's requests, newest first (admins: all). `overdue=true` is the worklist of
/// requests not confirmed by their deadline, judged now.
#[utoipa::path(
    tag = "activations",
    params(ActivationQuery, PageParams),
    responses((status = 200, description = "A page of activations", body = Page<Activation>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_activations(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ActivationQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationRead)?;
    let (q, page, now) = (query.into_inner(), page.into_inner(), state.clock.now());
    let filter = ActivationFilter {
        status: q.status.map(|s| s.as_str().to_string()),
        case_id: q.case_id.map(|c| c.to_string()),
        overdue_at: q.overdue.filter(|o| *o).map(|_| now),
    };
    let (after, limit, scope) = (page.after_id()?, page.limit(), requester_scope(&caller));
    let rows = state.db.run(move |c| repo::list(c, &scope, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), |r| to_activation(r, now))?))
}

/// SLA of activations
///
/// For the requests made in a period (Italian calendar days, both included): how many, how many the
/// professional confirmed by the deadline, how many are overdue, and the median time to confirmation.
/// Coordinators get their organization's; admins and analysts any organization's, or the whole network's.
#[utoipa::path(
    tag = "activations",
    params(SlaQuery),
    responses((status = 200, description = "The figures", body = Sla)),
    security(("bearer" = []))
)]
#[get("/sla")]
pub async fn activation_sla(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<SlaQuery>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationSla)?;
    let q = query.into_inner();
    crate::http::json::check_period(Some(q.from), Some(q.to), "from", "to")?;
    let organization = policy::figures_organization(&caller.principal, q.organization_id)?;
    let scope = organization.clone().map_or(OrganizationScope::All, OrganizationScope::Organization);
    let (from, to) =
        (local_time::day_start_utc(q.from), local_time::day_start_utc(q.to + chrono::Duration::days(1)));
    let now = state.clock.now();
    let facts = state.db.run(move |c| repo::sla(c, &scope, from, to, now)).await?;
    Ok(respond::ok(&Sla {
        from: q.from,
        to: q.to,
        organization_id: organization,
        requests: facts.requests,
        confirmed_within_deadline: facts.confirmed_in_time,
        overdue: facts.overdue,
        median_minutes_to_confirmation: rules::median(facts.minutes_to_confirmation),
    }))
}

/// Get an activation
///
/// With its deadline (UTC and Italian wall clock), whether it is overdue now, and the moves the caller may
/// make.
#[utoipa::path(
    tag = "activations",
    params(("id" = uuid::Uuid, Path, description = "Activation id")),
    responses((status = 200, description = "The activation", body = Activation, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_activation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationRead)?;
    let (id, scope, now) = (id.into_inner().to_string(), requester_scope(&caller), state.clock.now());
    let row = state
        .db
        .run(move |c| {
            let row = repo::get(c, &scope, &id)?;
            audit::record(c, &audit_event(&caller, "activation.read", &row))?;
            Ok(row)
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&to_activation(row, now)?, version))
}

/// Assign, complete or cancel an activation
///
/// The requesting side's moves: `requested | declined → assigned` (naming an active professional of the
/// requested kind), `confirmed → completed` (minutes worked and outcome), and `cancelled` (with a reason)
/// from any open state. The professional's moves are 403 here; illegal moves 409. `If-Match` is optional.
#[utoipa::path(
    tag = "activations",
    params(("id" = uuid::Uuid, Path, description = "Activation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = MoveActivation,
    responses((status = 200, description = "The activation in its new status", body = Activation, headers(("ETag" = String))),
        (status = 409, description = "Illegal transition", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn move_activation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<MoveActivation>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationMove)?;
    let expected = if_match.optional()?;
    let (id, b, scope, now) =
        (id.into_inner().to_string(), body.into_inner(), requester_scope(&caller), state.clock.now());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(expected, row.version)?;
                let details = MoveDetails {
                    professional_id: b.professional_id.map(|p| p.to_string()),
                    worked_minutes: b.worked_minutes,
                    outcome: b.outcome,
                    reason: b.reason,
                };
                lifecycle::apply(c, &mut row, b.status, Actor::Requester, &caller, details, now)?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&to_activation(row, now)?, version))
}

/// Rank the candidates
///
/// Active professionals of the requested kind, best first: who speaks the language (and how well), then
/// who works in the sector, then who serves the municipality, then who has fewer open activations. Each
/// says why it stands where it does.
#[utoipa::path(
    tag = "activations",
    params(("id" = uuid::Uuid, Path, description = "Activation id")),
    responses((status = 200, description = "The candidates, best first", body = CandidateList)),
    security(("bearer" = []))
)]
#[get("/{id}/candidates")]
pub async fn list_candidates(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationRead)?;
    let (id, scope) = (id.into_inner().to_string(), requester_scope(&caller));
    let (activation, professionals, loads) = state
        .db
        .run(move |c| {
            let activation = repo::get(c, &scope, &id)?;
            let professionals = db::professionals::active_of_kind(c, &activation.kind)?;
            let ids: Vec<String> = professionals.iter().map(|p| p.id.clone()).collect();
            let loads = db::professionals::open_loads(c, &ids)?;
            Ok((activation, professionals, loads))
        })
        .await?;
    let place_key = activation.municipality.as_deref().map(search_key);
    let mut ranked = Vec::with_capacity(professionals.len());
    for row in professionals {
        let languages: Vec<SpokenLanguage> = db::from_json_text(&row.languages)?;
        let sectors: Vec<String> = db::from_json_text(&row.sectors)?;
        let fit = Fit {
            language: languages.iter().find(|l| l.code.as_str() == activation.language).map(|l| l.level),
            sector: activation.sector.as_ref().is_some_and(|s| sectors.contains(s)),
            area: place_key.as_ref().is_some_and(|k| row.area_keys.contains(&format!("|{k}|"))),
            open_activations: loads.get(&row.id).copied().unwrap_or(0),
        };
        ranked.push((row, fit));
    }
    rules::rank(&mut ranked);
    let items = ranked
        .into_iter()
        .enumerate()
        .map(|(i, (row, fit))| {
            Ok(Candidate {
                rank: i as i32 + 1,
                reasons: fit.reasons(
                    &activation.language,
                    activation.sector.as_deref(),
                    activation.municipality.as_deref(),
                ),
                language_level: fit.language,
                sector_match: fit.sector,
                area_match: fit.area,
                open_activations: fit.open_activations,
                professional: Professional::try_from(row)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(respond::ok(&CandidateList { items }))
}

/// An activation's history
///
/// Every move, oldest first: from, to, the professional concerned, who made it, why, when.
#[utoipa::path(
    tag = "activations",
    params(("id" = uuid::Uuid, Path, description = "Activation id"), PageParams),
    responses((status = 200, description = "A page of events", body = Page<ActivationEvent>)),
    security(("bearer" = []))
)]
#[get("/{id}/events")]
pub async fn list_activation_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ActivationRead)?;
    let (id, page, scope) = (id.into_inner().to_string(), page.into_inner(), requester_scope(&caller));
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state
        .db
        .run(move |c| {
            repo::get(c, &scope, &id)?;
            repo::events(c, &id, after.as_deref(), limit)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |e| e.id.as_str(), ActivationEvent::try_from)?))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/activations")
            // Before "/{id}": actix stops at the first resource whose path matches.
            .service(activation_sla)
            .service(list_activations)
            .service(create_activation)
            .service(get_activation)
            .service(move_activation)
            .service(list_candidates)
            .service(list_activation_events),
    );
}
