//! `/api/v1/cases/{case_id}/family-members`: the beneficiary's family; they move with the case.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{
    self, audit, audit::AuditEvent, cases, family_members as repo, family_members::FamilyMemberRow,
};
use crate::domain::Code;
use crate::domain::family::Relationship;
use crate::domain::person::{
    Sex, check_tax_code_consistency, normalize_country, normalize_tax_code, validate_country, validate_name,
    validate_not_future, validate_plausible_date, validate_tax_code, validate_text,
};
use crate::domain::text::clean;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a40", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "relationship": "child", "given_name": "Moussa", "family_name": "Diallo", "sex": "male",
    "birth_date": "2016-03-02", "citizenship": "SN", "tax_code": null, "lives_with_beneficiary": true,
    "dependent": true, "notes": null, "version": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct FamilyMember {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    pub relationship: Relationship,
    pub given_name: String,
    pub family_name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub citizenship: Option<String>,
    pub tax_code: Option<String>,
    pub lives_with_beneficiary: bool,
    pub dependent: bool,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<FamilyMemberRow> for FamilyMember {
    type Error = Error;
    fn try_from(r: FamilyMemberRow) -> Result<Self> {
        Ok(FamilyMember {
            relationship: Relationship::parse(&r.relationship)
                .ok_or_else(|| Error::internal("relationship", &r.relationship))?,
            sex: r
                .sex
                .as_deref()
                .map(|s| Sex::parse(s).ok_or_else(|| Error::internal("sex", s)))
                .transpose()?,
            id: r.id,
            case_id: r.case_id,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            citizenship: r.citizenship,
            tax_code: r.tax_code,
            lives_with_beneficiary: r.lives_with_beneficiary,
            dependent: r.dependent,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_member"))]
#[schema(example = json!({
    "relationship": "child", "given_name": "Moussa", "family_name": "Diallo", "sex": "male",
    "birth_date": "2016-03-02", "citizenship": "SN", "dependent": true
}))]
pub struct CreateFamilyMember {
    pub relationship: Relationship,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub given_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub family_name: String,
    pub sex: Option<Sex>,
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub birth_date: Option<NaiveDate>,
    #[validate(custom(function = "validate_country"))]
    #[schema(example = "SN", value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<String>,
    #[validate(custom(function = "validate_tax_code"))]
    #[schema(format = "sportello:tax-code")]
    pub tax_code: Option<String>,
    /// Defaults to true.
    #[schema(nullable = false)]
    pub lives_with_beneficiary: Option<bool>,
    /// Defaults to false.
    #[schema(nullable = false)]
    pub dependent: Option<bool>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

fn check_new_member(m: &CreateFamilyMember) -> std::result::Result<(), ValidationError> {
    match &m.tax_code {
        Some(tc) => check_tax_code_consistency(tc, m.birth_date, m.sex)
            .map_err(|e| crate::error::about_field(e, "tax_code")),
        None => Ok(()),
    }
}

/// A new row for a family member of `case_id`.
pub fn new_family_member_row(
    case_id: &str,
    created_by: &str,
    m: CreateFamilyMember,
) -> Result<FamilyMemberRow> {
    let now = db::now();
    Ok(FamilyMemberRow {
        id: db::new_id(),
        case_id: case_id.to_string(),
        relationship: m.relationship.as_str().to_string(),
        given_name: clean(&m.given_name),
        family_name: clean(&m.family_name),
        sex: m.sex.map(|s| s.as_str().to_string()),
        birth_date: m.birth_date,
        citizenship: m.citizenship.as_deref().map(normalize_country),
        tax_code: m.tax_code.as_deref().map(normalize_tax_code),
        lives_with_beneficiary: m.lives_with_beneficiary.unwrap_or(true),
        dependent: m.dependent.unwrap_or(false),
        notes: m.notes,
        created_by: created_by.to_string(),
        deleted_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lives_with_beneficiary": false, "notes": null}))]
pub struct UpdateFamilyMember {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub relationship: Option<Relationship>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub given_name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub family_name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Sex>)]
    pub sex: Option<Option<Sex>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_country"))]
    #[schema(value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_tax_code"))]
    #[schema(value_type = Option<String>, format = "sportello:tax-code")]
    pub tax_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub lives_with_beneficiary: Option<bool>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub dependent: Option<bool>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
}

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// List family members
///
/// The family of a case the caller can see, oldest first. Every read is audited.
#[utoipa::path(
    tag = "family members",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), PageParams),
    responses((status = 200, description = "A page of family members", body = Page<FamilyMember>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/family-members")]
pub async fn list_family_members(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::FamilyMemberRead)?;
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
                &AuditEvent::by(&caller, "family_member.list", "family_member", None).case(&case_id),
            )?;
            Ok(rows)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), FamilyMember::try_from)?))
}

/// Add a family member
///
/// To a case of the caller's organization (or any case, for admins).
#[utoipa::path(
    tag = "family members",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateFamilyMember,
    responses((status = 201, description = "Created", body = FamilyMember, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{case_id}/family-members")]
pub async fn create_family_member(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateFamilyMember>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::FamilyMemberWrite)?;
    let (case_id, scope) =
        (case_id.into_inner().to_string(), policy::case_scope_for(&caller.principal, CaseAccess::Contribute));
    let row = new_family_member_row(&case_id, &caller.principal.user_id, body.into_inner())?;
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                repo::insert(c, &row)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "family_member.create", "family_member", Some(&row.id))
                        .case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/cases/{}/family-members/{}", row.case_id, row.id);
    Ok(respond::created(location, &FamilyMember::try_from(row)?, 1))
}

/// Get a family member
///
/// The read is audited; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "family members",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Family member id")),
    responses((status = 200, description = "The family member", body = FamilyMember, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/family-members/{id}")]
pub async fn get_family_member(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::FamilyMemberRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "family_member.read", "family_member", Some(&id)).case(&case_id),
            )?;
            Ok(row)
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&FamilyMember::try_from(row)?, version))
}

/// Update a family member
///
/// JSON merge patch with `If-Match`.
#[utoipa::path(
    tag = "family members",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Family member id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateFamilyMember, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = FamilyMember, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/family-members/{id}")]
pub async fn update_family_member(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<UpdateFamilyMember>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::FamilyMemberWrite)?;
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
                patch::set(&mut row.relationship, p.relationship.map(|r| r.as_str().to_string()));
                patch::set(&mut row.given_name, p.given_name.as_deref().map(clean));
                patch::set(&mut row.family_name, p.family_name.as_deref().map(clean));
                patch::apply(&mut row.sex, p.sex.map(|s| s.map(|s| s.as_str().to_string())));
                patch::apply(&mut row.birth_date, p.birth_date);
                patch::apply(
                    &mut row.citizenship,
                    p.citizenship.map(|v| v.as_deref().map(normalize_country)),
                );
                patch::apply(&mut row.tax_code, p.tax_code.map(|v| v.as_deref().map(normalize_tax_code)));
                patch::set(&mut row.lives_with_beneficiary, p.lives_with_beneficiary);
                patch::set(&mut row.dependent, p.dependent);
                patch::apply(&mut row.notes, p.notes);
                if let Some(tc) = &row.tax_code {
                    check_tax_code_consistency(tc, row.birth_date, row.sex.as_deref().and_then(Sex::parse))
                        .map_err(|e| Error::from_cross_field(e, "tax_code"))?;
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(
                    c,
                    &AuditEvent::by(&caller, "family_member.update", "family_member", Some(&id))
                        .case(&case_id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&FamilyMember::try_from(row)?, version))
}

/// Remove a family member
///
/// Soft delete: hidden from every list, kept for the audit trail.
#[utoipa::path(
    tag = "family members",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Family member id")),
    responses((status = 204, description = "Removed")),
    security(("bearer" = []))
)]
#[delete("/{case_id}/family-members/{id}")]
pub async fn delete_family_member(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::FamilyMemberWrite)?;
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
                    &AuditEvent::by(&caller, "family_member.delete", "family_member", Some(&id))
                        .case(&case_id),
                )
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_family_members)
        .service(create_family_member)
        .service(get_family_member)
        .service(update_family_member)
        .service(delete_family_member);
}
