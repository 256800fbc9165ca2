//! `/api/v1/cases/{case_id}/assessments`: the dated, versioned assessment of the person's needs across the
//! coded domains. A new assessment is a new version; earlier ones stay as the history.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::assessments::{self as repo, AssessmentRow, DomainRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::domain::Code;
use crate::domain::person::{validate_not_future, validate_plausible_date, validate_text};
use crate::domain::plan::{AssessmentDomain, NeedLevel};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, Page, PageParams, respond};

/// One assessed domain: how much help the person needs there, and why.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"domain": "housing", "level": "high", "notes": "Shares one room with three adults"}))]
pub struct AssessedDomain {
    pub domain: AssessmentDomain,
    pub level: NeedLevel,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d10", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "version": 2, "assessed_on": "2026-03-02",
    "assessor_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "summary": "Permit renewed; housing still precarious",
    "domains": [{"domain": "documents", "level": "low", "notes": null},
                {"domain": "housing", "level": "high", "notes": "Shares one room with three adults"}],
    "created_at": "2026-03-02T10:00:00Z"
}))]
pub struct Assessment {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The organization of the assessor.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// 1 for the case's first assessment, then 2, 3…; also the ETag.
    pub version: i64,
    pub assessed_on: NaiveDate,
    #[schema(format = Uuid)]
    pub assessor_id: String,
    pub summary: Option<String>,
    /// In the order of the domain codes.
    pub domains: Vec<AssessedDomain>,
    pub created_at: DateTime<Utc>,
}

impl Assessment {
    pub fn from_rows(r: AssessmentRow, mut domains: Vec<DomainRow>) -> Result<Self> {
        let rank = |d: &DomainRow| AssessmentDomain::ALL.iter().position(|c| c.as_str() == d.domain);
        domains.sort_by_key(rank);
        let domains = domains
            .into_iter()
            .map(|d| {
                Ok(AssessedDomain {
                    domain: AssessmentDomain::parse(&d.domain)
                        .ok_or_else(|| Error::internal("assessment domain", &d.domain))?,
                    level: NeedLevel::parse(&d.level)
                        .ok_or_else(|| Error::internal("need level", &d.level))?,
                    notes: d.notes,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Assessment {
            id: r.id,
            case_id: r.case_id,
            organization_id: r.organization_id,
            version: r.version,
            assessed_on: r.assessed_on,
            assessor_id: r.assessor_id,
            summary: r.summary,
            domains,
            created_at: r.created_at.and_utc(),
        })
    }
}

/// Assessments with their domains, fetched in one query for the lot.
pub fn with_domains(c: &mut DbConnection, rows: Vec<AssessmentRow>) -> Result<Vec<Assessment>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut domains = repo::domains_of(c, &ids)?;
    rows.into_iter()
        .map(|r| {
            let mine = domains.extract_if(.., |d| d.assessment_id == r.id).collect();
            Assessment::from_rows(r, mine)
        })
        .collect()
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "assessed_on": "2026-03-02", "summary": "Permit renewed; housing still precarious",
    "domains": [{"domain": "documents", "level": "low"},
                {"domain": "housing", "level": "high", "notes": "Shares one room with three adults"}]
}))]
pub struct CreateAssessment {
    /// Not in the future.
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub assessed_on: NaiveDate,
    /// Who assessed; defaults to the caller. Must be a user of the caller's organization.
    pub assessor_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub summary: Option<String>,
    /// One to eight domains, each at most once.
    #[validate(length(min = 1, max = 8), nested, custom(function = "distinct_domains"))]
    #[schema(min_items = 1, max_items = 8)]
    pub domains: Vec<AssessedDomain>,
}

fn distinct_domains(domains: &[AssessedDomain]) -> std::result::Result<(), ValidationError> {
    let codes: Vec<_> = domains.iter().map(|d| d.domain).collect();
    if crate::domain::distinct(codes.clone()).len() == codes.len() {
        Ok(())
    } else {
        Err(ValidationError::new("repeated").with_message("each domain may be assessed once".into()))
    }
}

/// List the assessments of a case
///
/// Newest version first: the first item is the current assessment, the rest its history.
#[utoipa::path(
    tag = "assessments",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of assessments", body = Page<Assessment>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/assessments")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssessmentRead)?;
    let (case_id, page, scope) =
        (case_id.into_inner().to_string(), page.into_inner(), policy::case_scope(&caller.principal));
    let (after, limit) = (page.after_id()?, page.limit());
    let (rows, more) = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let mut rows = repo::list(c, &case_id, after.as_deref(), limit)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let items = with_domains(c, rows)?;
            audit::record(c, &AuditEvent::by(&caller, "assessment.list", "assessment", None).case(&case_id))?;
            Ok((items, more))
        })
        .await?;
    let next_cursor =
        more.then(|| rows.last().map(|a| crate::http::pagination::encode_cursor(&a.id))).flatten();
    Ok(respond::ok(&Page { items: rows, next_cursor }))
}

/// Record a needs assessment
///
/// A new version of the case's assessment: the previous ones are kept unchanged as its history. The
/// assessor defaults to the caller and must belong to their organization.
#[utoipa::path(
    tag = "assessments",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateAssessment,
    responses((status = 201, description = "Created", body = Assessment, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/assessments")]
pub async fn create_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateAssessment>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssessmentWrite)?;
    let (case_id, b, scope) = (
        case_id.into_inner().to_string(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
    );
    let now = db::now();
    let assessment = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let org = caller.principal.organization_id.clone();
                let assessor =
                    b.assessor_id.map(|a| a.to_string()).unwrap_or_else(|| caller.principal.user_id.clone());
                let assessor_ok = db::users::find(c, &assessor)?.is_some_and(|u| u.organization_id == org);
                if !assessor_ok {
                    return Err(Error::Validation(vec![FieldError::new(
                        "assessor_id",
                        "not_found",
                        "no such user in your organization",
                    )]));
                }
                let row = AssessmentRow {
                    id: db::new_id(),
                    version: repo::next_version(c, &case_id)?,
                    case_id: case_id.clone(),
                    organization_id: org,
                    assessed_on: b.assessed_on,
                    assessor_id: assessor,
                    summary: b.summary.clone(),
                    created_by: caller.principal.user_id.clone(),
                    created_at: now,
                    updated_at: now,
                };
                let domains: Vec<DomainRow> = b
                    .domains
                    .iter()
                    .map(|d| DomainRow {
                        assessment_id: row.id.clone(),
                        case_id: case_id.clone(),
                        version: row.version,
                        domain: d.domain.as_str().to_string(),
                        level: d.level.as_str().to_string(),
                        notes: d.notes.clone(),
                        created_at: now,
                        updated_at: now,
                    })
                    .collect();
                repo::insert(c, &row, &domains)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "assessment.create", "assessment", Some(&row.id)).case(&case_id),
                )?;
                Assessment::from_rows(row, domains)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/assessments/{}", assessment.case_id, assessment.id);
    let version = assessment.version;
    Ok(respond::created(location, &assessment, version))
}

/// Get an assessment
///
/// Any version, current or past. The read is audited.
#[utoipa::path(
    tag = "assessments",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Assessment id")),
    responses((status = 200, description = "The assessment", body = Assessment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/assessments/{id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AssessmentRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let assessment = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            let assessment = with_domains(c, vec![row])?.pop().ok_or(Error::NotFound)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "assessment.read", "assessment", Some(&id)).case(&case_id),
            )?;
            Ok(assessment)
        })
        .await?;
    let version = assessment.version;
    Ok(respond::ok_versioned(&assessment, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_assessments).service(create_assessment).service(get_assessment);
}
