//! `/api/v1/cases`: the case file of a beneficiary.

pub mod dto;
pub mod duplicates;
pub mod erasure;
pub mod export;
mod status;

use actix_web::{HttpResponse, delete, get, patch, post, web};

pub use dto::{Case, CaseQuery, ChangeStatus, CreateCase, UpdateCase};

use crate::api::v1::family_members::new_family_member_row;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::{
    self, DbConnection, audit, audit::AuditEvent, cases as repo, cases::CaseRow,
    family_members::FamilyMemberRow,
};
use crate::domain::case::{CaseStatus, reference_code, reference_year};
use crate::domain::duplicate::Identity;
use crate::domain::person::{normalize_country, normalize_languages, normalize_tax_code};
use crate::domain::text::{clean, search_key};
use crate::domain::{Code, distinct, role::Role};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

fn to_case(caller: &Caller, row: CaseRow) -> Result<Case> {
    let sees = policy::sees_restricted_notes(&caller.principal, &row.organization_id);
    Case::from_row(row, sees)
}

fn codes<T: Code>(v: Option<T>) -> Option<String> {
    v.map(|c| c.as_str().to_string())
}

/// The desk and the assignee must belong to the case's organization (and the assignee be active).
pub(crate) fn check_links(
    c: &mut DbConnection,
    org: &str,
    desk_id: Option<&str>,
    assignee_id: Option<&str>,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(desk) = desk_id
        && !db::desks::exists_in_organization(c, desk, org)?
    {
        errors.push(FieldError::new("desk_id", "not_found", "no such desk in the case's organization"));
    }
    if let Some(user) = assignee_id {
        let ok = db::users::find(c, user)?.is_some_and(|u| u.organization_id == org && u.active);
        if !ok {
            errors.push(FieldError::new(
                "assignee_id",
                "not_found",
                "no such active user in the case's organization",
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
}

/// A new, open case of `org` made by `created_by`, filled from the intake form (its family aside).
pub(crate) fn new_case_row(
    org: &str,
    created_by: &str,
    b: &CreateCase,
    now: chrono::NaiveDateTime,
) -> Result<CaseRow> {
    let mut row = CaseRow {
        id: db::new_id(),
        organization_id: org.to_string(),
        desk_id: None,
        assignee_id: None,
        reference_code: String::new(),
        status: CaseStatus::Open.as_str().to_string(),
        closure_reason: None,
        closure_note: None,
        closed_at: None,
        search_name: String::new(),
        given_name: String::new(),
        family_name: String::new(),
        sex: None,
        birth_date: None,
        birth_place: None,
        country_of_birth: None,
        citizenship: None,
        tax_code: None,
        languages: String::new(),
        phone: None,
        email: None,
        address: None,
        residence_municipality: None,
        arrival_date: None,
        legal_status: None,
        permit_type: None,
        permit_number: None,
        permit_expiry: None,
        education: None,
        employment: None,
        housing: None,
        needs: String::new(),
        notes: None,
        restricted_notes: b.restricted_notes.clone(),
        source_system: b.source_system.clone(),
        external_id: b.external_id.clone(),
        created_by: created_by.to_string(),
        deleted_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
        legal_hold: false,
        erased_at: None,
    };
    set_from_form(&mut row, b)?;
    Ok(row)
}

/// Every field of the intake form (family, restricted notes and external id aside) onto the row, absent
/// ones cleared: what creating a case and a platform's full PUT both mean.
pub(crate) fn set_from_form(row: &mut CaseRow, b: &CreateCase) -> Result<()> {
    row.desk_id = b.desk_id.map(|d| d.to_string());
    row.assignee_id = b.assignee_id.map(|a| a.to_string());
    row.search_name = search_key(&format!("{} {}", b.given_name, b.family_name));
    row.given_name = clean(&b.given_name);
    row.family_name = clean(&b.family_name);
    row.sex = codes(b.sex);
    row.birth_date = b.birth_date;
    row.birth_place = b.birth_place.as_deref().map(clean);
    row.country_of_birth = b.country_of_birth.as_deref().map(normalize_country);
    row.citizenship = b.citizenship.as_deref().map(normalize_country);
    row.tax_code = b.tax_code.as_deref().map(normalize_tax_code);
    row.languages = db::to_json_text(&normalize_languages(&b.languages))?;
    row.phone = b.phone.clone();
    row.email = b.email.clone();
    row.address = b.address.clone();
    row.residence_municipality = b.residence_municipality.as_deref().map(clean);
    row.arrival_date = b.arrival_date;
    row.legal_status = codes(b.legal_status);
    row.permit_type = codes(b.permit_type);
    row.permit_number = b.permit_number.clone();
    row.permit_expiry = b.permit_expiry;
    row.education = codes(b.education);
    row.employment = codes(b.employment);
    row.housing = codes(b.housing);
    row.needs = db::to_json_text(&distinct(b.needs.clone()))?;
    row.notes = b.notes.clone();
    Ok(())
}

/// Checks a new case's desk and assignee, gives it its reference code, inserts it and records it.
pub(crate) fn insert_new(c: &mut DbConnection, caller: &Caller, row: &mut CaseRow) -> Result<()> {
    check_links(c, &row.organization_id, row.desk_id.as_deref(), row.assignee_id.as_deref())?;
    let organization = db::organizations::get(c, &row.organization_id)?;
    let year = reference_year(row.created_at);
    row.reference_code =
        reference_code(&organization.code, year, repo::next_reference_number(c, &row.organization_id, year)?);
    repo::insert(c, row)?;
    audit::record(c, &AuditEvent::by(caller, "case.create", "case", Some(&row.id)).case(&row.id))
}

/// `insert_new` for many cases whose desk and assignee are already checked, in a handful of statements:
/// the reference numbers reserved per organization and year, the cases and their audit entries each in
/// multi-row inserts. Codes follow the order of `rows`.
pub(crate) fn insert_many_new(c: &mut DbConnection, caller: &Caller, rows: &mut [CaseRow]) -> Result<()> {
    let mut blocks: std::collections::BTreeMap<(String, i32), Vec<usize>> = Default::default();
    for (i, row) in rows.iter().enumerate() {
        blocks.entry((row.organization_id.clone(), reference_year(row.created_at))).or_default().push(i);
    }
    for ((org, year), members) in blocks {
        let code = db::organizations::get(c, &org)?.code;
        let first = repo::reserve_reference_numbers(c, &org, year, members.len() as i64)?;
        for (n, i) in (first..).zip(members) {
            rows[i].reference_code = reference_code(&code, year, n);
        }
    }
    repo::insert_many(c, rows)?;
    let events: Vec<AuditEvent> = rows
        .iter()
        .map(|row| AuditEvent::by(caller, "case.create", "case", Some(&row.id)).case(&row.id))
        .collect();
    audit::record_all(c, &events)
}

/// List and search cases
///
/// Newest first, cursor-paginated. Filters combine with AND. Operators and coordinators see their
/// organization's cases; admins all.
#[utoipa::path(
    tag = "cases",
    params(CaseQuery, PageParams),
    responses((status = 200, description = "A page of cases", body = Page<Case>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<CaseQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseList)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let today = state.clock.now().date();
    let assignee_id = match q.assignee.as_deref() {
        None => None,
        Some("me") => Some(caller.principal.user_id.clone()),
        Some(other) => Some(uuid::Uuid::parse_str(other).map(|u| u.to_string()).map_err(|_| {
            Error::InvalidQuery(vec![FieldError::new("assignee", "invalid", "'me' or a user id")])
        })?),
    };
    let filter = repo::CaseFilter {
        name_key: q.q.as_deref().map(search_key).filter(|k| !k.is_empty()),
        tax_code: q.tax_code.as_deref().map(normalize_tax_code),
        citizenship: q.citizenship.as_deref().map(normalize_country),
        status: codes(q.status),
        assignee_id,
        desk_id: q.desk_id.map(|d| d.to_string()),
        organization_id: q.organization_id.map(|o| o.to_string()),
        reference_code: q.reference_code.map(|r| r.trim().to_ascii_uppercase()),
        // Within N days: expiring before the day after today + N (the earlier date if both are given).
        permit_expires_before: q
            .permit_expires_within_days
            .map(|d| today + chrono::Days::new(u64::from(d) + 1))
            .into_iter()
            .chain(q.permit_expires_before)
            .min(),
        updated_since: q.updated_since.map(|t| t.naive_utc()),
        inactive_since: q.inactive_days.map(|d| today - chrono::Days::new(u64::from(d))),
    };
    let (after, limit, scope) = (page.after_id()?, page.limit(), policy::case_scope(&caller.principal));
    let lister = caller.clone();
    let rows = state
        .audit
        .audited_read(&state.db, move |c| {
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            // Which cases were shown, by id: who saw a person's data in a list is part of their access record.
            let shown: Vec<&str> = rows.iter().take(limit as usize).map(|r| r.id.as_str()).collect();
            let event = AuditEvent::by(&lister, "case.list", "case", None)
                .details(serde_json::json!({"count": shown.len(), "case_ids": shown}));
            Ok((rows, event))
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), |r| to_case(&caller, r))?))
}

/// Open a case
///
/// Opens a case file in the caller's organization, optionally with its family members, and gives it a
/// reference code (organization code, year, sequence). The response lists `possible_duplicates`: cases of
/// the network with the same tax code, or the same names and birth date, each naming only its owner and
/// a contact point.
#[utoipa::path(
    tag = "cases",
    request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Case, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_case(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateCase>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseCreate)?;
    let b = body.into_inner();
    let org = caller.principal.organization_id.clone();
    let row = new_case_row(&org, &caller.principal.user_id, &b, db::now())?;
    let family: Vec<_> = b
        .family_members
        .into_iter()
        .map(|m| new_family_member_row(&row.id, &caller.principal.user_id, m))
        .collect::<Result<_>>()?;
    let audit_caller = caller.clone();
    let (row, duplicates) = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = row;
                let duplicates = insert_with_family(c, &audit_caller, &mut row, &family)?;
                Ok((row, duplicates))
            })
        })
        .await?;
    created(&caller, row, duplicates)
}

/// Inserts a new case and its family members, audited, inside the caller's transaction, and finds the
/// network's possible duplicates of the person.
pub(crate) fn insert_with_family(
    c: &mut DbConnection,
    caller: &Caller,
    row: &mut CaseRow,
    family: &[FamilyMemberRow],
) -> Result<Vec<duplicates::DuplicateMatch>> {
    insert_new(c, caller, row)?;
    for member in family {
        db::family_members::insert(c, member)?;
        audit::record(
            c,
            &AuditEvent::by(caller, "family_member.create", "family_member", Some(&member.id)).case(&row.id),
        )?;
    }
    let probe = Identity {
        tax_code: row.tax_code.as_deref(),
        name_key: &row.search_name,
        birth_date: row.birth_date,
    };
    duplicates::find(c, &probe, Some(&row.id))
}

/// The 201 of a case just opened, with its possible duplicates.
pub(crate) fn created(
    caller: &Caller,
    row: CaseRow,
    duplicates: Vec<duplicates::DuplicateMatch>,
) -> Result<HttpResponse> {
    let location = format!("/api/v1/cases/{}", row.id);
    let mut case = to_case(caller, row)?;
    case.possible_duplicates = Some(duplicates);
    Ok(respond::created(location, &case, 1))
}

/// Get a case
///
/// With its latest needs assessment (`latest_assessment`, when there is one). Every read is recorded in
/// the audit trail.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = Case, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::case_scope(&caller.principal));
    let event = AuditEvent::by(&caller, "case.read", "case", Some(&id)).case(&id);
    // The latest assessment comes with the case: one more query, on the (case_id, version) index.
    let (row, latest) = state
        .audit
        .audited_read(&state.db, move |c| {
            let row = repo::get(c, &scope, &id)?;
            let latest = db::assessments::latest(c, &id)?;
            Ok(((row, latest), event))
        })
        .await?;
    let version = row.version;
    let mut case = to_case(&caller, row)?;
    case.latest_assessment = latest
        .map(|(a, domains)| crate::api::v1::assessments::Assessment::from_rows(a, domains))
        .transpose()?;
    Ok(respond::ok_versioned(&case, version))
}

/// Update a case
///
/// JSON merge patch with `If-Match`. The status changes only through `POST /cases/{id}/status`.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateCase, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Case, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateCase>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseUpdate)?;
    let expected = if_match.required()?;
    let (id, p, scope, audit_caller) = (
        id.into_inner().to_string(),
        body.into_inner(),
        policy::case_scope_for(&caller.principal, CaseAccess::Contribute),
        caller.clone(),
    );
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(Some(expected), row.version)?;
                if p.restricted_notes.is_some()
                    && !policy::sees_restricted_notes(&audit_caller.principal, &row.organization_id)
                {
                    return Err(Error::Forbidden(
                        "only the owner organization may write restricted notes".into(),
                    ));
                }
                apply_patch(&mut row, p)?;
                dto::check_person(
                    row.tax_code.as_deref(),
                    row.birth_date,
                    row.sex.as_deref().and_then(Code::parse),
                    row.arrival_date,
                )
                .map_err(|e| Error::from_cross_field(e, "tax_code"))?;
                check_links(c, &row.organization_id, row.desk_id.as_deref(), row.assignee_id.as_deref())?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(
                    c,
                    &AuditEvent::by(&audit_caller, "case.update", "case", Some(&row.id)).case(&row.id),
                )?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&to_case(&caller, row)?, version))
}

fn apply_patch(row: &mut CaseRow, p: UpdateCase) -> Result<()> {
    patch::apply(&mut row.desk_id, p.desk_id.map(|d| d.map(|u| u.to_string())));
    patch::apply(&mut row.assignee_id, p.assignee_id.map(|a| a.map(|u| u.to_string())));
    patch::set(&mut row.given_name, p.given_name.as_deref().map(clean));
    patch::set(&mut row.family_name, p.family_name.as_deref().map(clean));
    row.search_name = search_key(&format!("{} {}", row.given_name, row.family_name));
    patch::apply(&mut row.sex, p.sex.map(codes));
    patch::apply(&mut row.birth_date, p.birth_date);
    patch::apply(&mut row.birth_place, p.birth_place.map(|v| v.as_deref().map(clean)));
    patch::apply(&mut row.country_of_birth, p.country_of_birth.map(|v| v.as_deref().map(normalize_country)));
    patch::apply(&mut row.citizenship, p.citizenship.map(|v| v.as_deref().map(normalize_country)));
    patch::apply(&mut row.tax_code, p.tax_code.map(|v| v.as_deref().map(normalize_tax_code)));
    if let Some(languages) = p.languages {
        row.languages = db::to_json_text(&normalize_languages(&languages))?;
    }
    patch::apply(&mut row.phone, p.phone);
    patch::apply(&mut row.email, p.email);
    patch::apply(&mut row.address, p.address);
    patch::apply(&mut row.residence_municipality, p.residence_municipality.map(|v| v.as_deref().map(clean)));
    patch::apply(&mut row.arrival_date, p.arrival_date);
    patch::apply(&mut row.legal_status, p.legal_status.map(codes));
    patch::apply(&mut row.permit_type, p.permit_type.map(codes));
    patch::apply(&mut row.permit_number, p.permit_number);
    patch::apply(&mut row.permit_expiry, p.permit_expiry);
    patch::apply(&mut row.education, p.education.map(codes));
    patch::apply(&mut row.employment, p.employment.map(codes));
    patch::apply(&mut row.housing, p.housing.map(codes));
    if let Some(needs) = p.needs {
        row.needs = db::to_json_text(&distinct(needs))?;
    }
    patch::apply(&mut row.notes, p.notes);
    patch::apply(&mut row.restricted_notes, p.restricted_notes);
    Ok(())
}

/// Delete a case
///
/// Soft delete (the record is kept for the audit trail and hidden from every list). Coordinators of the
/// owner organization and admins only.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseDelete)?;
    let (id, scope) =
        (id.into_inner().to_string(), policy::case_scope_for(&caller.principal, CaseAccess::Own));
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                if caller.principal.role != Role::Admin {
                    policy::require_manage_organization(&caller.principal, &row.organization_id)?;
                }
                let old_version = row.version;
                row.deleted_at = Some(db::now());
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, old_version)?;
                audit::record(c, &AuditEvent::by(&caller, "case.delete", "case", Some(&id)).case(&id))
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/cases")
            // Before "/{id}": actix stops at the first resource whose path matches.
            .service(duplicates::check_duplicates)
            .service(list_cases)
            .service(create_case)
            .service(get_case)
            .service(update_case)
            .service(status::change_status)
            .service(delete_case)
            .service(export::export_case)
            .service(erasure::erase_case)
            .service(erasure::set_legal_hold)
            // Nested resources live in the same scope: actix does not fall through to a second "/cases" scope.
            .configure(crate::api::v1::family_members::routes)
            .configure(crate::api::v1::interventions::routes)
            .configure(crate::api::v1::assessments::routes)
            .configure(crate::api::v1::plans::routes)
            .configure(crate::api::v1::documents::case_routes)
            .configure(crate::api::v1::consents::routes)
            .configure(crate::api::v1::referrals::case_routes)
            .configure(crate::api::v1::grants::routes),
    );
}
