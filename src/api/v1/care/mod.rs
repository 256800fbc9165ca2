//! The family-assistant list: `/api/v1/family-assistants` (workers looking for a regular job as domestic
//! carers) and `/api/v1/care-requests` (families asking for one), with the ranked matches the desk proposes
//! and the outcome of each proposal. Each organization keeps its own list.

pub mod dto;

use actix_web::{HttpResponse, get, patch, post, web};

pub use dto::{
    CareMatch, CareMatchList, CareRequest, CareRequestQuery, CreateCareRequest, CreateFamilyAssistant,
    FamilyAssistant, FamilyAssistantQuery, Placement, ProposeAssistant, RecordOutcome, UpdateCareRequest,
    UpdateFamilyAssistant,
};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::policy::CaseAccess;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::care::{AssistantFilter, AssistantRow, CareRequestRow, PlacementRow};
use crate::db::{self, audit::AuditEvent, care as repo, cases};
use crate::domain::care::{self as rules, CareFit, CareRequestStatus, CareTask, PlacementOutcome};
use crate::domain::language::LanguageCode;
use crate::domain::provider::area_keys;
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, distinct};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

fn codes(languages: &[LanguageCode]) -> Vec<String> {
    distinct(languages.iter().map(|l| l.as_str().to_string()).collect())
}

fn language_keys(codes: &[String]) -> String {
    format!("|{}|", codes.join("|"))
}

/// List the family assistants
///
/// The caller's organization's list (admins: every list), by language, municipality and active flag.
#[utoipa::path(
    tag = "family assistants",
    params(FamilyAssistantQuery, PageParams),
    responses((status = 200, description = "A page of assistants", body = Page<FamilyAssistant>)),
    security(("bearer" = []))
)]
#[get("/family-assistants")]
pub async fn list_assistants(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<FamilyAssistantQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = AssistantFilter {
        language: q.language.map(|l| l.as_str().to_string()),
        municipality_key: q.municipality.as_deref().map(search_key).filter(|k| !k.is_empty()),
        active: q.active,
    };
    let (after, limit, scope) =
        (page.after_id()?, page.limit(), policy::organization_scope(&caller.principal));
    let rows =
        state.db.run(move |c| repo::list_assistants(c, &scope, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), FamilyAssistant::try_from)?))
}

/// Register a family assistant
///
/// In the caller's organization's list.
#[utoipa::path(
    tag = "family assistants",
    request_body = CreateFamilyAssistant,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Registered", body = FamilyAssistant, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/family-assistants")]
pub async fn create_assistant(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateFamilyAssistant>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let b = body.into_inner();
    let now = db::now();
    let languages = codes(&b.languages);
    let municipalities: Vec<String> = b.municipalities.iter().map(|m| clean(m)).collect();
    let row = AssistantRow {
        id: db::new_id(),
        organization_id: caller.principal.organization_id.clone(),
        given_name: clean(&b.given_name),
        family_name: clean(&b.family_name),
        language_keys: language_keys(&languages),
        languages: db::to_json_text(&languages)?,
        experience: b.experience,
        certificates: db::to_json_text(&distinct(
            b.certificates.iter().map(|c| clean(c)).collect::<Vec<_>>(),
        ))?,
        tasks: db::to_json_text(&distinct(b.tasks))?,
        hours_per_week: b.hours_per_week,
        live_in: b.live_in,
        area_keys: area_keys(municipalities.iter().map(String::as_str), None),
        area_municipalities: db::to_json_text(&municipalities)?,
        phone: b.phone,
        email: b.email,
        available_from: b.available_from,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                repo::insert_assistant(c, &row)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "family_assistant.create", "family_assistant", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/family-assistants/{}", row.id);
    Ok(respond::created(location, &FamilyAssistant::try_from(row)?, 1))
}

/// Get a family assistant
///
/// From the caller's organization's list.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Assistant id")),
    responses((status = 200, description = "The assistant", body = FamilyAssistant, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/family-assistants/{id}")]
pub async fn get_assistant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let row = state.db.run(move |c| repo::get_assistant(c, &scope, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&FamilyAssistant::try_from(row)?, version))
}

/// Update a family assistant
///
/// JSON merge patch with `If-Match`.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Assistant id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateFamilyAssistant, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = FamilyAssistant, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/family-assistants/{id}")]
pub async fn update_assistant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateFamilyAssistant>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let expected = if_match.required()?;
    let (id, p, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get_assistant(c, &scope, &id)?;
                check_version(Some(expected), row.version)?;
                if let Some(languages) = &p.languages {
                    let languages = codes(languages);
                    row.language_keys = language_keys(&languages);
                    row.languages = db::to_json_text(&languages)?;
                }
                patch::apply(&mut row.experience, p.experience);
                if let Some(certificates) = p.certificates {
                    row.certificates = db::to_json_text(&distinct(
                        certificates.iter().map(|c| clean(c)).collect::<Vec<_>>(),
                    ))?;
                }
                if let Some(tasks) = p.tasks {
                    row.tasks = db::to_json_text(&distinct(tasks))?;
                }
                patch::set(&mut row.hours_per_week, p.hours_per_week);
                patch::set(&mut row.live_in, p.live_in);
                if let Some(municipalities) = p.municipalities {
                    let municipalities: Vec<String> = municipalities.iter().map(|m| clean(m)).collect();
                    row.area_keys = area_keys(municipalities.iter().map(String::as_str), None);
                    row.area_municipalities = db::to_json_text(&municipalities)?;
                }
                patch::apply(&mut row.phone, p.phone);
                patch::apply(&mut row.email, p.email);
                patch::apply(&mut row.available_from, p.available_from);
                patch::set(&mut row.active, p.active);
                row.version += 1;
                row.updated_at = db::now();
                repo::save_assistant(c, &row, expected)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "family_assistant.update", "family_assistant", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&FamilyAssistant::try_from(row)?, version))
}

/// List care requests
///
/// The caller's organization's requests, newest first.
#[utoipa::path(
    tag = "family assistants",
    params(CareRequestQuery, PageParams),
    responses((status = 200, description = "A page of care requests", body = Page<CareRequest>)),
    security(("bearer" = []))
)]
#[get("/care-requests")]
pub async fn list_care_requests(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<CareRequestQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let status = q.status.map(|s| s.as_str().to_string());
    let (after, limit, scope) =
        (page.after_id()?, page.limit(), policy::organization_scope(&caller.principal));
    let rows = state
        .db
        .run(move |c| repo::list_requests(c, &scope, status.as_deref(), after.as_deref(), limit))
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), CareRequest::try_from)?))
}

/// Post a care request
///
/// For a family the desk follows (a case of the caller's organization) or a household that left a contact.
#[utoipa::path(
    tag = "family assistants",
    request_body = CreateCareRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Posted", body = CareRequest, headers(("Location" = String), ("ETag" = String))),
        (status = 404, description = "No such case, or not one the caller may work on", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/care-requests")]
pub async fn create_care_request(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateCareRequest>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let b = body.into_inner();
    match (&b.case_id, &b.household_name) {
        (None, None) => {
            return Err(Error::invalid(
                "household_name",
                "required",
                "name the household when there is no case",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid("household_name", "not_allowed", "a case names its family already"));
        }
        _ => {}
    }
    let now = db::now();
    let municipality = clean(&b.municipality);
    let row = CareRequestRow {
        id: db::new_id(),
        organization_id: caller.principal.organization_id.clone(),
        case_id: b.case_id.map(|c| c.to_string()),
        household_name: b.household_name.as_deref().map(clean),
        household_phone: b.household_phone,
        tasks: db::to_json_text(&distinct(b.tasks))?,
        hours_per_week: b.hours_per_week,
        live_in: b.live_in,
        municipality_key: search_key(&municipality),
        municipality,
        languages: db::to_json_text(&codes(&b.languages))?,
        start_on: b.start_on,
        notes: b.notes,
        status: CareRequestStatus::Open.as_str().to_string(),
        created_by: caller.principal.user_id.clone(),
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
                repo::insert_request(c, &row)?;
                let mut event = AuditEvent::by(&caller, "care_request.create", "care_request", Some(&row.id));
                if let Some(case) = &row.case_id {
                    event = event.case(case);
                }
                db::audit::record(c, &event)?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/care-requests/{}", row.id);
    Ok(respond::created(location, &CareRequest::try_from(row)?, 1))
}

/// Get a care request
///
/// From the caller's organization.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id")),
    responses((status = 200, description = "The care request", body = CareRequest, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/care-requests/{id}")]
pub async fn get_care_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let row = state.db.run(move |c| repo::get_request(c, &scope, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&CareRequest::try_from(row)?, version))
}

/// Update a care request
///
/// JSON merge patch with `If-Match`. The status may be set to `open` or `closed`; `placed` follows a
/// signed contract.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateCareRequest, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = CareRequest, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/care-requests/{id}")]
pub async fn update_care_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateCareRequest>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let expected = if_match.required()?;
    let (id, p, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    if p.status == Some(CareRequestStatus::Placed) {
        return Err(Error::invalid(
            "status",
            "not_allowed",
            "a request is placed by recording a signed contract",
        ));
    }
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get_request(c, &scope, &id)?;
                check_version(Some(expected), row.version)?;
                if let Some(tasks) = p.tasks {
                    row.tasks = db::to_json_text(&distinct(tasks))?;
                }
                patch::set(&mut row.hours_per_week, p.hours_per_week);
                patch::set(&mut row.live_in, p.live_in);
                patch::apply(&mut row.start_on, p.start_on);
                patch::apply(&mut row.notes, p.notes);
                patch::set(&mut row.status, p.status.map(|s| s.as_str().to_string()));
                row.version += 1;
                row.updated_at = db::now();
                repo::save_request(c, &row, expected)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "care_request.update", "care_request", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&CareRequest::try_from(row)?, version))
}

/// Match assistants to a care request
///
/// The active assistants of the organization's list not yet proposed for it, best first: who works in
/// the municipality, then who is available for the hours (living in when asked) by the start date, then
/// more languages in common, then fewer tasks missing. Each says why.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id")),
    responses((status = 200, description = "The matches, best first", body = CareMatchList)),
    security(("bearer" = []))
)]
#[get("/care-requests/{id}/matches")]
pub async fn list_matches(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let (request, assistants) = state
        .db
        .run(move |c| {
            let request = repo::get_request(c, &scope, &id)?;
            let proposed: Vec<String> =
                repo::placements(c, &id)?.into_iter().map(|p| p.assistant_id).collect();
            let assistants: Vec<AssistantRow> = repo::active_assistants(c, &request.organization_id)?
                .into_iter()
                .filter(|a| !proposed.contains(&a.id))
                .collect();
            Ok((request, assistants))
        })
        .await?;
    let wanted_languages: Vec<String> = db::from_json_text(&request.languages)?;
    let wanted_tasks: Vec<CareTask> = db::from_json_text(&request.tasks)?;
    let mut ranked = Vec::with_capacity(assistants.len());
    for row in assistants {
        let languages: Vec<String> = db::from_json_text(&row.languages)?;
        let tasks: Vec<CareTask> = db::from_json_text(&row.tasks)?;
        let fit = CareFit {
            area: row.area_keys.contains(&format!("|{}|", request.municipality_key)),
            availability: row.hours_per_week >= request.hours_per_week
                && (row.live_in || !request.live_in)
                && rules::free_by(row.available_from, request.start_on),
            common_languages: if wanted_languages.is_empty() {
                languages.len()
            } else {
                languages.iter().filter(|l| wanted_languages.contains(l)).count()
            },
            missing_tasks: wanted_tasks.iter().filter(|t| !tasks.contains(t)).count(),
        };
        ranked.push((row, fit));
    }
    rules::rank(&mut ranked);
    let items = ranked
        .into_iter()
        .enumerate()
        .map(|(i, (row, fit))| {
            Ok(CareMatch {
                rank: i as i32 + 1,
                reasons: fit.reasons(&request.municipality),
                area_match: fit.area,
                available: fit.availability,
                common_languages: fit.common_languages as i32,
                missing_tasks: fit.missing_tasks as i32,
                assistant: FamilyAssistant::try_from(row)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(respond::ok(&CareMatchList { items }))
}

/// The proposals made for a care request
///
/// Oldest first, with their outcome.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id")),
    responses((status = 200, description = "The proposals", body = Page<Placement>)),
    security(("bearer" = []))
)]
#[get("/care-requests/{id}/placements")]
pub async fn list_placements(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let rows = state
        .db
        .run(move |c| {
            repo::get_request(c, &scope, &id)?;
            repo::placements(c, &id)
        })
        .await?;
    let items = rows.into_iter().map(Placement::try_from).collect::<Result<Vec<_>>>()?;
    Ok(respond::ok(&Page { items, next_cursor: None }))
}

/// Propose an assistant to the family
///
/// Records the proposal (outcome `proposed`); the same assistant twice is 409.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = ProposeAssistant,
    responses((status = 201, description = "Proposed", body = Placement, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/care-requests/{id}/placements")]
pub async fn propose_assistant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: ApiJson<ProposeAssistant>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let (id, b, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let now = db::now();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let request = repo::get_request(c, &scope, &id)?;
                if request.status != CareRequestStatus::Open.as_str() {
                    return Err(Error::conflict(
                        "request_not_open",
                        format!("the request is {}", request.status),
                    ));
                }
                let assistant =
                    repo::get_assistant(c, &scope, &b.assistant_id.to_string()).map_err(|_| {
                        Error::invalid("assistant_id", "not_found", "no such assistant in the list")
                    })?;
                if assistant.organization_id != request.organization_id || !assistant.active {
                    return Err(Error::invalid(
                        "assistant_id",
                        "not_eligible",
                        "the assistant must be active in the request's list",
                    ));
                }
                let row = PlacementRow {
                    id: db::new_id(),
                    care_request_id: id.clone(),
                    assistant_id: assistant.id,
                    outcome: PlacementOutcome::Proposed.as_str().to_string(),
                    contract_type: None,
                    note: b.note,
                    recorded_by: caller.principal.user_id.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_placement(c, &row)?;
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "care_placement.create", "care_placement", Some(&row.id)),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/care-requests/{}/placements/{}", row.care_request_id, row.id);
    Ok(respond::created(location, &Placement::try_from(row)?, 1))
}

/// Record the outcome of a proposal
///
/// A signed contract (with its type) places the request. `If-Match` is optional.
#[utoipa::path(
    tag = "family assistants",
    params(("id" = uuid::Uuid, Path, description = "Care request id"), ("placement_id" = uuid::Uuid, Path, description = "Placement id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = RecordOutcome,
    responses((status = 200, description = "Recorded", body = Placement, headers(("ETag" = String))),
        (status = 409, description = "The request was already placed", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/care-requests/{id}/placements/{placement_id}/outcome")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: IfMatch,
    body: ApiJson<RecordOutcome>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CareManage)?;
    let expected = if_match.optional()?;
    let ((id, placement_id), b) = (ids.into_inner(), body.into_inner());
    let (id, placement_id, scope) =
        (id.to_string(), placement_id.to_string(), policy::organization_scope(&caller.principal));
    let signed = b.outcome == PlacementOutcome::ContractSigned;
    match (signed, b.contract_type) {
        (true, None) => {
            return Err(Error::invalid("contract_type", "required", "a signed contract has a type"));
        }
        (false, Some(_)) => {
            return Err(Error::invalid("contract_type", "not_allowed", "only a signed contract has a type"));
        }
        _ => {}
    }
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut request = repo::get_request(c, &scope, &id)?;
                let mut row = repo::get_placement(c, &id, &placement_id)?;
                check_version(expected, row.version)?;
                if request.status == CareRequestStatus::Placed.as_str() {
                    return Err(Error::conflict(
                        "already_placed",
                        "the request already has a signed contract",
                    ));
                }
                row.outcome = b.outcome.as_str().to_string();
                row.contract_type = b.contract_type.map(|t| t.as_str().to_string());
                if b.note.is_some() {
                    row.note = b.note;
                }
                let old_version = row.version;
                row.version += 1;
                row.updated_at = db::now();
                repo::save_placement(c, &row, old_version)?;
                if signed {
                    let request_version = request.version;
                    request.status = CareRequestStatus::Placed.as_str().to_string();
                    request.version += 1;
                    request.updated_at = db::now();
                    repo::save_request(c, &request, request_version)?;
                }
                db::audit::record(
                    c,
                    &AuditEvent::by(&caller, "care_placement.outcome", "care_placement", Some(&row.id))
                        .details(serde_json::json!({"outcome": row.outcome})),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Placement::try_from(row)?, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_assistants)
        .service(create_assistant)
        .service(get_assistant)
        .service(update_assistant)
        .service(list_care_requests)
        .service(create_care_request)
        .service(get_care_request)
        .service(update_care_request)
        .service(list_matches)
        .service(list_placements)
        .service(propose_assistant)
        .service(record_outcome);
}
