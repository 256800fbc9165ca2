//! `/api/v1/cases/{case_id}/consents`: what the person agreed to, recorded by the desk, withdrawable.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{self, audit, audit::AuditEvent, cases, consents as repo, consents::ConsentRow};
use crate::domain::Code;
use crate::domain::consent::ConsentPurpose;
use crate::domain::person::validate_text;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d01", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "purpose": "network_sharing", "provider_id": null, "given_at": "2026-01-12T09:30:00Z", "expires_on": "2027-01-12",
    "evidence": "Signed form, in Italian and French", "recorded_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "withdrawn_at": null, "withdrawn_by": null, "withdrawal_note": null, "in_force": true, "version": 1,
    "created_at": "2026-01-12T09:31:00Z", "updated_at": "2026-01-12T09:31:00Z"
}))]
pub struct Consent {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    pub purpose: ConsentPurpose,
    /// The provider named by a `provider_sharing` consent.
    #[schema(format = Uuid)]
    pub provider_id: Option<String>,
    pub given_at: DateTime<Utc>,
    /// Last day it is valid; open-ended when null.
    pub expires_on: Option<NaiveDate>,
    /// How it was given (a signed form, an oral statement before a mediator…).
    pub evidence: Option<String>,
    #[schema(format = Uuid)]
    pub recorded_by: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    #[schema(format = Uuid)]
    pub withdrawn_by: Option<String>,
    pub withdrawal_note: Option<String>,
    /// Given, not withdrawn and not expired, now.
    pub in_force: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ConsentRow> for Consent {
    type Error = Error;
    fn try_from(r: ConsentRow) -> Result<Self> {
        let terms = r.terms()?;
        let (purpose, in_force) = (terms.purpose, terms.in_force(db::now()).is_ok());
        Ok(Consent {
            purpose,
            in_force,
            id: r.id,
            case_id: r.case_id,
            provider_id: r.provider_id,
            given_at: r.given_at.and_utc(),
            expires_on: r.expires_on,
            evidence: r.evidence,
            recorded_by: r.recorded_by,
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
            withdrawn_by: r.withdrawn_by,
            withdrawal_note: r.withdrawal_note,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "network_sharing", "expires_on": "2027-01-12", "evidence": "Signed form, in Italian and French"}))]
pub struct CreateConsent {
    pub purpose: ConsentPurpose,
    /// Required with `provider_sharing`, refused with the other purposes.
    pub provider_id: Option<uuid::Uuid>,
    /// When the person gave it; defaults to now, never in the future.
    pub given_at: Option<DateTime<Utc>>,
    /// Last day it is valid, not before the day it was given.
    pub expires_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub evidence: Option<String>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Asked in person at the desk"}))]
pub struct WithdrawConsent {
    #[validate(length(min = 1, max = 1000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 1000, format = "sportello:text")]
    pub note: Option<String>,
}

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// List a case's consents
///
/// Newest first, withdrawn and expired ones included (`in_force` tells).
#[utoipa::path(
    tag = "consents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of consents", body = Page<Consent>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/consents")]
pub async fn list_consents(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ConsentRead)?;
    let (case_id, page, scope) =
        (case_id.into_inner().to_string(), page.into_inner(), policy::case_scope(&caller.principal));
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let rows = repo::list(c, &case_id, after.as_deref(), limit)?;
            audit::record(c, &AuditEvent::by(&caller, "consent.list", "consent", None).case(&case_id))?;
            Ok(rows)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Consent::try_from)?))
}

/// Record a consent
///
/// What the person agreed to, for which purpose (and provider), until when, and how it was given.
#[utoipa::path(
    tag = "consents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateConsent,
    responses((status = 201, description = "Recorded", body = Consent, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/consents")]
pub async fn create_consent(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateConsent>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ConsentWrite)?;
    let (case_id, b) = (case_id.into_inner().to_string(), body.into_inner());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    let now = db::now();
    let given_at = b.given_at.map(|t| db::truncate(t.naive_utc())).unwrap_or(now);
    match (b.purpose, b.provider_id) {
        (ConsentPurpose::ProviderSharing, None) => {
            return Err(Error::invalid(
                "provider_id",
                "required",
                "a provider_sharing consent names the provider",
            ));
        }
        (ConsentPurpose::DataProcessing | ConsentPurpose::NetworkSharing, Some(_)) => {
            return Err(Error::invalid(
                "provider_id",
                "not_allowed",
                "only a provider_sharing consent names a provider",
            ));
        }
        _ => {}
    }
    if given_at > now {
        return Err(Error::invalid("given_at", "in_future", "must not be in the future"));
    }
    if b.expires_on.is_some_and(|day| day < given_at.date()) {
        return Err(Error::invalid("expires_on", "before_given", "must not be before the day it was given"));
    }
    let row = ConsentRow {
        id: db::new_id(),
        case_id: case_id.clone(),
        purpose: b.purpose.as_str().to_string(),
        provider_id: b.provider_id.map(|p| p.to_string()),
        given_at,
        expires_on: b.expires_on,
        evidence: b.evidence,
        recorded_by: caller.principal.user_id.clone(),
        withdrawn_at: None,
        withdrawn_by: None,
        withdrawal_note: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                if let Some(provider) = &row.provider_id
                    && db::providers::find(c, provider)?.is_none()
                {
                    return Err(Error::invalid("provider_id", "not_found", "no such provider"));
                }
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "consent.create", "consent", Some(&row.id))
                        .case(&case_id)
                        .details(serde_json::json!({"purpose": row.purpose})),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/consents/{}", row.case_id, row.id);
    Ok(respond::created(location, &Consent::try_from(row)?, 1))
}

/// Get a consent
///
/// With `in_force` computed now. The read is audited.
#[utoipa::path(
    tag = "consents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Consent id")),
    responses((status = 200, description = "The consent", body = Consent, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/consents/{id}")]
pub async fn get_consent(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ConsentRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            audit::record(c, &AuditEvent::by(&caller, "consent.read", "consent", Some(&id)).case(&case_id))?;
            Ok(row)
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Consent::try_from(row)?, version))
}

/// Withdraw a consent
///
/// From now on it covers nothing: new referrals cannot rely on it, and providers stop seeing the person's
/// data in referrals made under it. Withdrawing twice is 409. `If-Match` is optional.
#[utoipa::path(
    tag = "consents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Consent id"),
        ("If-Match" = Option<String>, Header, description = "The ETag from the last GET (optional)")),
    request_body = WithdrawConsent,
    responses((status = 200, description = "Withdrawn", body = Consent, headers(("ETag" = String))),
        (status = 409, description = "Already withdrawn", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{case_id}/consents/{id}/withdraw")]
pub async fn withdraw_consent(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<WithdrawConsent>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ConsentWrite)?;
    let expected = if_match.optional()?;
    let ((case_id, id), b) = (ids.into_inner(), body.into_inner());
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let mut row = repo::get(c, &case_id, &id)?;
                check_version(expected, row.version)?;
                if row.withdrawn_at.is_some() {
                    return Err(Error::conflict("already_withdrawn", "this consent was already withdrawn"));
                }
                let now = db::now();
                row.withdrawn_at = Some(now);
                row.withdrawn_by = Some(caller.principal.user_id.clone());
                row.withdrawal_note = b.note;
                let old_version = row.version;
                row.version += 1;
                row.updated_at = now;
                repo::save(c, &row, old_version)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "consent.withdraw", "consent", Some(&id)).case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Consent::try_from(row)?, version))
}

/// `/cases/{case_id}/consents…`, mounted inside the cases scope.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_consents).service(create_consent).service(get_consent).service(withdraw_consent);
}
