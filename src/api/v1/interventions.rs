//! `/api/v1/cases/{case_id}/interventions`: what the desk did for the case, when, and for how long.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{
    self, audit, audit::AuditEvent, cases, interventions as repo, interventions::InterventionRow,
};
use crate::domain::Code;
use crate::domain::intervention::InterventionKind;
use crate::domain::person::{validate_not_future, validate_plausible_date, validate_text};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a50", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "kind": "orientation", "occurred_on": "2026-01-12",
    "duration_minutes": 30, "operator_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "summary": "Orientation on the permit renewal procedure", "follow_up_on": "2026-02-12", "version": 1,
    "created_at": "2026-01-12T10:00:00Z", "updated_at": "2026-01-12T10:00:00Z"
}))]
pub struct Intervention {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The organization whose operator did it.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub kind: InterventionKind,
    pub occurred_on: NaiveDate,
    pub duration_minutes: Option<i32>,
    #[schema(format = Uuid)]
    pub operator_id: String,
    pub summary: String,
    pub follow_up_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<InterventionRow> for Intervention {
    type Error = Error;
    fn try_from(r: InterventionRow) -> Result<Self> {
        Ok(Intervention {
            kind: InterventionKind::parse(&r.kind)
                .ok_or_else(|| Error::internal("intervention kind", &r.kind))?,
            id: r.id,
            case_id: r.case_id,
            organization_id: r.organization_id,
            occurred_on: r.occurred_on,
            duration_minutes: r.duration_minutes,
            operator_id: r.operator_id,
            summary: r.summary,
            follow_up_on: r.follow_up_on,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_intervention"))]
#[schema(example = json!({
    "kind": "orientation", "occurred_on": "2026-01-12", "duration_minutes": 30,
    "summary": "Orientation on the permit renewal procedure", "follow_up_on": "2026-02-12"
}))]
pub struct CreateIntervention {
    pub kind: InterventionKind,
    /// Not in the future.
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub occurred_on: NaiveDate,
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i32>,
    /// Who did it; defaults to the caller. Must be a user of the caller's organization.
    pub operator_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub summary: String,
    /// On or after `occurred_on`.
    #[validate(custom(function = "validate_plausible_date"))]
    pub follow_up_on: Option<NaiveDate>,
}

fn check_new_intervention(i: &CreateIntervention) -> std::result::Result<(), ValidationError> {
    check_dates(i.occurred_on, i.follow_up_on)
}

fn check_dates(
    occurred_on: NaiveDate,
    follow_up_on: Option<NaiveDate>,
) -> std::result::Result<(), ValidationError> {
    match follow_up_on {
        Some(f) if f < occurred_on => Err(crate::error::cross_field_error(
            "follow_up_on",
            "before_occurrence",
            "the follow-up date is before the intervention",
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duration_minutes": 45, "follow_up_on": null}))]
pub struct UpdateIntervention {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub kind: Option<InterventionKind>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    #[schema(nullable = false)]
    pub occurred_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(range(min = 1, max = 1440))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text", nullable = false)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub follow_up_on: Option<Option<NaiveDate>>,
}

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// List interventions
///
/// Newest first.
#[utoipa::path(
    tag = "interventions",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of interventions", body = Page<Intervention>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/interventions")]
pub async fn list_interventions(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::InterventionRead)?;
    let (case_id, page, scope) =
        (case_id.into_inner().to_string(), page.into_inner(), policy::case_scope(&caller.principal));
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let rows = repo::list(c, &case_id, after.as_deref(), limit)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "intervention.list", "intervention", None).case(&case_id),
            )?;
            Ok(rows)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Intervention::try_from)?))
}

/// Record an intervention
///
/// Dated work done for the case; the operator defaults to the caller and must belong to their organization.
#[utoipa::path(
    tag = "interventions",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateIntervention,
    responses((status = 201, description = "Created", body = Intervention, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/interventions")]
pub async fn create_intervention(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateIntervention>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::InterventionWrite)?;
    let (case_id, b, scope) = (
        case_id.into_inner().to_string(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
    );
    let now = db::now();
    let row = InterventionRow {
        id: db::new_id(),
        case_id: case_id.clone(),
        organization_id: caller.principal.organization_id.clone(),
        kind: b.kind.as_str().to_string(),
        occurred_on: b.occurred_on,
        duration_minutes: b.duration_minutes,
        operator_id: b.operator_id.map(|o| o.to_string()).unwrap_or_else(|| caller.principal.user_id.clone()),
        summary: b.summary,
        follow_up_on: b.follow_up_on,
        created_by: caller.principal.user_id.clone(),
        deleted_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let operator_ok = db::users::find(c, &row.operator_id)?
                    .is_some_and(|u| u.organization_id == row.organization_id);
                if !operator_ok {
                    return Err(Error::Validation(vec![FieldError::new(
                        "operator_id",
                        "not_found",
                        "no such user in your organization",
                    )]));
                }
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "intervention.create", "intervention", Some(&row.id))
                        .case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/interventions/{}", row.case_id, row.id);
    Ok(respond::created(location, &Intervention::try_from(row)?, 1))
}

/// Get an intervention
///
/// The read is audited; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "interventions",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Intervention id")),
    responses((status = 200, description = "The intervention", body = Intervention, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/interventions/{id}")]
pub async fn get_intervention(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::InterventionRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "intervention.read", "intervention", Some(&id)).case(&case_id),
            )?;
            Ok(row)
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Intervention::try_from(row)?, version))
}

/// Update an intervention
///
/// JSON merge patch with `If-Match`.
#[utoipa::path(
    tag = "interventions",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Intervention id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateIntervention, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Intervention, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/interventions/{id}")]
pub async fn update_intervention(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<UpdateIntervention>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::InterventionWrite)?;
    let expected = if_match.required()?;
    let ((case_id, id), p, scope) = (
        ids.into_inner(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
    );
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let mut row = repo::get(c, &case_id, &id)?;
                check_version(Some(expected), row.version)?;
                patch::set(&mut row.kind, p.kind.map(|k| k.as_str().to_string()));
                patch::set(&mut row.occurred_on, p.occurred_on);
                patch::apply(&mut row.duration_minutes, p.duration_minutes);
                patch::set(&mut row.summary, p.summary);
                patch::apply(&mut row.follow_up_on, p.follow_up_on);
                check_dates(row.occurred_on, row.follow_up_on)
                    .map_err(|e| Error::from_cross_field(e, "follow_up_on"))?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "intervention.update", "intervention", Some(&id)).case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Intervention::try_from(row)?, version))
}

/// Delete an intervention
///
/// Soft delete, kept for the audit trail.
#[utoipa::path(
    tag = "interventions",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Intervention id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{case_id}/interventions/{id}")]
pub async fn delete_intervention(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::InterventionWrite)?;
    let ((case_id, id), scope) =
        (ids.into_inner(), policy::case_scope_for(&caller.principal, CaseAccess::Contribute));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                repo::soft_delete(c, &case_id, &id)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "intervention.delete", "intervention", Some(&id)).case(&case_id),
                )
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_interventions)
        .service(create_intervention)
        .service(get_intervention)
        .service(update_intervention)
        .service(delete_intervention);
}
