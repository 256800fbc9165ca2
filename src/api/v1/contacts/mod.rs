//! `/api/v1/desk-contacts`: the front office (segretariato sociale). Each contact at a desk — who came or
//! called, about what, what they were told and where they were sent — with at most an anonymous profile;
//! one call opens a case file pre-filled from a contact when the person needs taking in charge.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub use dto::{ContactQuery, CreateDeskContact, DeskContact, UpdateDeskContact};

use crate::api::v1::cases::{self, CreateCase};
use crate::api::v1::family_members::new_family_member_row;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::contacts::{ContactFilter, ContactRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases::CaseRow, contacts as repo};
use crate::domain::Code;
use crate::domain::contact::{AgeBand, ContactTopic};
use crate::domain::local_time;
use crate::domain::person::normalize_country;
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// A contact may be recorded a little ahead of the server's clock (a desk PC's clock drifts), no more.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Refuses a contact time in the future or before the service could have existed.
fn check_occurred_at(at: NaiveDateTime, now: NaiveDateTime) -> Result<()> {
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_time(NaiveTime::MIN);
    if at > now + CLOCK_SKEW {
        return Err(Error::invalid("occurred_at", "in_future", "the contact cannot be in the future"));
    }
    if at < earliest {
        return Err(Error::invalid("occurred_at", "implausible", "the contact cannot be before 2000"));
    }
    Ok(())
}

/// A case named in a body (a contact's, an appointment's): one the caller may work on, else a field error
/// (never a 404, which would say the record addressed by the path is missing).
pub(crate) fn linkable_case(c: &mut DbConnection, caller: &Caller, case_id: &str) -> Result<CaseRow> {
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    db::cases::get(c, &scope, case_id).map_err(|e| match e {
        Error::NotFound => Error::invalid("case_id", "not_found", "no such case that you may work on"),
        other => other,
    })
}

/// The anonymous profile is taken from the case for whatever the operator left blank.
fn fill_profile_from_case(row: &mut ContactRow, case: &CaseRow) {
    if row.sex.is_none() {
        row.sex = case.sex.clone();
    }
    if row.citizenship.is_none() {
        row.citizenship = case.citizenship.clone();
    }
    if row.age_band.is_none() {
        let day = local_time::italian(row.occurred_at).date();
        row.age_band = case.birth_date.map(|b| AgeBand::on(b, day).as_str().to_string());
    }
}

/// The desk (of the caller's organization, unless an admin), the operator (of the desk's organization) and
/// the provider must exist; every failure is reported at once. Returns the desk's organization.
fn check_links(
    c: &mut DbConnection,
    caller: &Caller,
    desk_id: &str,
    operator_id: &str,
    provider_id: Option<&str>,
) -> Result<String> {
    let mut errors = Vec::new();
    let desk_org = match db::desks::get(c, desk_id) {
        Ok((desk, _)) if caller.principal.role == Role::Admin => Some(desk.organization_id),
        Ok((desk, _)) if desk.organization_id == caller.principal.organization_id => {
            Some(desk.organization_id)
        }
        Ok(_) | Err(Error::NotFound) => None,
        Err(e) => return Err(e),
    };
    if desk_org.is_none() {
        errors.push(FieldError::new("desk_id", "not_found", "no such desk in your organization"));
    }
    let org = desk_org.clone().unwrap_or_else(|| caller.principal.organization_id.clone());
    // An admin answering at another organization's desk is the operator of that contact.
    let operator_ok = operator_id == caller.principal.user_id
        || db::users::find(c, operator_id)?.is_some_and(|u| u.organization_id == org);
    if !operator_ok {
        errors.push(FieldError::new("operator_id", "not_found", "no such user in the desk's organization"));
    }
    errors.extend(missing_provider(c, provider_id)?);
    match desk_org {
        Some(org) if errors.is_empty() => Ok(org),
        _ => Err(Error::Validation(errors)),
    }
}

fn missing_provider(c: &mut DbConnection, provider_id: Option<&str>) -> Result<Option<FieldError>> {
    Ok(match provider_id {
        Some(p) if db::providers::find(c, p)?.is_none() => {
            Some(FieldError::new("provider_id", "not_found", "no such provider in the directory"))
        }
        _ => None,
    })
}

fn audited(caller: &Caller, action: &str, row: &ContactRow) -> AuditEvent {
    AuditEvent::by(caller, action, "desk_contact", Some(&row.id)).case_if_any(row.case_id.as_deref())
}

/// List desk contacts
///
/// Newest first. Operators and coordinators see their organization's desks, admins every desk. The list is
/// audited. Counts by desk, period, channel and topic are in `/api/v1/stats/contacts`.
#[utoipa::path(
    tag = "desk contacts",
    params(ContactQuery, PageParams),
    responses((status = 200, description = "A page of contacts", body = Page<DeskContact>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ContactQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactRead)?;
    let q = query.into_inner();
    crate::http::json::check_period(q.from, q.to, "from", "to")?;
    let filter = ContactFilter {
        desk_id: q.desk_id.map(|d| d.to_string()),
        from: q.from.map(local_time::day_start_utc),
        to: q.to.and_then(|d| d.succ_opt()).map(local_time::day_start_utc),
        channel: q.channel.map(|c| c.as_str().to_string()),
        topic: q.topic.map(|t| t.as_str().to_string()),
        case_id: q.case_id.map(|c| c.to_string()),
        opened_case: q.opened_case,
    };
    let page = page.into_inner();
    let (after, limit, scope) =
        (page.after_id()?, page.limit(), policy::organization_scope(&caller.principal));
    let rows = state.db.run(move |c| repo::list(c, &scope, &filter, after.as_deref(), limit)).await?;
    let shown: Vec<&str> = rows.iter().take(limit as usize).map(|r| r.id.as_str()).collect();
    state
        .audit
        .record(
            AuditEvent::by(&caller, "desk_contact.list", "desk_contact", None)
                .details(serde_json::json!({"count": shown.len(), "contact_ids": shown})),
        )
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), DeskContact::try_from)?))
}

/// Record a desk contact
///
/// A person came, called or wrote to a desk: the topics, the answer, where they were oriented. Give a
/// `case_id` when they have a case file (its sex, citizenship and age band fill the profile), or an
/// anonymous profile, or nothing.
#[utoipa::path(
    tag = "desk contacts",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateDeskContact,
    responses((status = 201, description = "Recorded", body = DeskContact, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_contact(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateDeskContact>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactWrite)?;
    let b = body.into_inner();
    let now = state.clock.now();
    let occurred_at = b.occurred_at.map_or(now, |t| t.naive_utc());
    check_occurred_at(occurred_at, now)?;
    let stamp = db::now();
    let mut row = ContactRow {
        id: db::new_id(),
        organization_id: String::new(),
        desk_id: b.desk_id.to_string(),
        operator_id: b.operator_id.map_or_else(|| caller.principal.user_id.clone(), |o| o.to_string()),
        occurred_at,
        channel: b.channel.as_str().to_string(),
        case_id: b.case_id.map(|c| c.to_string()),
        opened_case_at: None,
        sex: b.sex.map(|s| s.as_str().to_string()),
        age_band: b.age_band.map(|a| a.as_str().to_string()),
        citizenship: b.citizenship.as_deref().map(normalize_country),
        topics: dto::topics_json(&b.topics),
        answer: b.answer,
        provider_id: b.provider_id.map(|p| p.to_string()),
        orientation: b.orientation,
        created_by: caller.principal.user_id.clone(),
        deleted_at: None,
        version: 1,
        created_at: stamp,
        updated_at: stamp,
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                row.organization_id =
                    check_links(c, &caller, &row.desk_id, &row.operator_id, row.provider_id.as_deref())?;
                if let Some(case_id) = row.case_id.clone() {
                    let case = linkable_case(c, &caller, &case_id)?;
                    fill_profile_from_case(&mut row, &case);
                }
                repo::insert(c, &row)?;
                audit::record(c, &audited(&caller, "desk_contact.create", &row))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/desk-contacts/{}", row.id);
    Ok(respond::created(location, &DeskContact::try_from(row)?, 1))
}

/// Get a desk contact
///
/// The read is audited; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "desk contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 200, description = "The contact", body = DeskContact, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let reader = caller.clone();
    let row = state
        .audit
        .audited_read(&state.db, move |c| {
            let row = repo::get(c, &scope, &id)?;
            let event = audited(&reader, "desk_contact.read", &row);
            Ok((row, event))
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&DeskContact::try_from(row)?, version))
}

/// Update a desk contact
///
/// JSON merge patch with `If-Match`. A contact a case was opened from stays linked to that case.
#[utoipa::path(
    tag = "desk contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateDeskContact, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = DeskContact, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateDeskContact>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactWrite)?;
    let expected = if_match.required()?;
    let (id, p, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let now = state.clock.now();
    if let Some(at) = p.occurred_at {
        check_occurred_at(at.naive_utc(), now)?;
    }
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut row = repo::get(c, &scope, &id)?;
                check_version(Some(expected), row.version)?;
                if let Some(case_id) = p.case_id {
                    relink(c, &caller, &mut row, case_id.map(|c| c.to_string()))?;
                }
                patch::set(&mut row.occurred_at, p.occurred_at.map(|t| t.naive_utc()));
                patch::set(&mut row.channel, p.channel.map(|c| c.as_str().to_string()));
                patch::apply(&mut row.sex, p.sex.map(|s| s.map(|s| s.as_str().to_string())));
                patch::apply(&mut row.age_band, p.age_band.map(|a| a.map(|a| a.as_str().to_string())));
                patch::apply(
                    &mut row.citizenship,
                    p.citizenship.map(|c| c.as_deref().map(normalize_country)),
                );
                patch::set(&mut row.topics, p.topics.as_deref().map(dto::topics_json));
                patch::set(&mut row.answer, p.answer);
                patch::apply(&mut row.provider_id, p.provider_id.map(|v| v.map(|v| v.to_string())));
                patch::apply(&mut row.orientation, p.orientation);
                // The desk and the operator do not change; the provider may.
                if let Some(missing) = missing_provider(c, row.provider_id.as_deref())? {
                    return Err(Error::Validation(vec![missing]));
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &audited(&caller, "desk_contact.update", &row))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&DeskContact::try_from(row)?, version))
}

/// Links the contact to another case, or to none; the case opened from a contact stays its case.
fn relink(
    c: &mut DbConnection,
    caller: &Caller,
    row: &mut ContactRow,
    case_id: Option<String>,
) -> Result<()> {
    if case_id == row.case_id {
        return Ok(());
    }
    if row.opened_case_at.is_some() {
        return Err(Error::conflict(
            "contact_opened_case",
            "a case was opened from this contact: it stays linked",
        ));
    }
    if let Some(case_id) = &case_id {
        let case = linkable_case(c, caller, case_id)?;
        fill_profile_from_case(row, &case);
    }
    row.case_id = case_id;
    Ok(())
}

/// Delete a desk contact
///
/// Soft delete, kept for the audit trail; a case opened from it is not touched.
#[utoipa::path(
    tag = "desk contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactWrite)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let row = repo::get(c, &scope, &id)?;
                repo::soft_delete(c, &row.id)?;
                audit::record(c, &audited(&caller, "desk_contact.delete", &row))
            })
        })
        .await?;
    Ok(respond::no_content())
}

/// Open a case from a contact
///
/// The person needs taking in charge: opens a case file in the desk's organization with the intake form,
/// whose blanks are filled from the contact (the desk, sex, citizenship, and the topics as needs), and links
/// the contact to it. 409 when the contact is already linked to a case.
#[utoipa::path(
    tag = "desk contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = CreateCase,
    responses((status = 201, description = "The case opened", body = cases::Case, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{id}/case")]
pub async fn open_case_from_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: ApiJson<CreateCase>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ContactWrite)?;
    policy::require(&caller.principal, Action::CaseCreate)?;
    let (id, mut form, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let audit_caller = caller.clone();
    let (case, duplicates) = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let mut contact = repo::get(c, &scope, &id)?;
                if contact.case_id.is_some() {
                    return Err(Error::conflict(
                        "contact_has_case",
                        "this contact is already linked to a case",
                    ));
                }
                let members = std::mem::take(&mut form.family_members);
                let now = db::now();
                let mut case = cases::new_case_row(
                    &contact.organization_id,
                    &audit_caller.principal.user_id,
                    &form,
                    now,
                )?;
                prefill(&mut case, &contact, form.needs.is_empty())?;
                let family: Vec<_> = members
                    .into_iter()
                    .map(|m| new_family_member_row(&case.id, &audit_caller.principal.user_id, m))
                    .collect::<Result<_>>()?;
                let duplicates = cases::insert_with_family(c, &audit_caller, &mut case, &family)?;
                let expected = contact.version;
                contact.case_id = Some(case.id.clone());
                contact.opened_case_at = Some(now);
                contact.version += 1;
                contact.updated_at = now;
                repo::save(c, &contact, expected)?;
                audit::record(c, &audited(&audit_caller, "desk_contact.open_case", &contact))?;
                Ok((case, duplicates))
            })
        })
        .await?;
    cases::created(&caller, case, duplicates)
}

/// The intake form's blanks, from the contact: desk, sex, citizenship, and the topics as needs.
fn prefill(case: &mut CaseRow, contact: &ContactRow, needs_blank: bool) -> Result<()> {
    case.desk_id.get_or_insert_with(|| contact.desk_id.clone());
    if case.sex.is_none() {
        case.sex = contact.sex.clone();
    }
    if case.citizenship.is_none() {
        case.citizenship = contact.citizenship.clone();
    }
    if needs_blank {
        let needs: Vec<_> =
            dto::topics_of(&contact.topics)?.iter().map(|t: &ContactTopic| t.need()).collect();
        case.needs = db::to_json_text(&crate::domain::distinct(needs))?;
    }
    Ok(())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/desk-contacts")
            .service(list_contacts)
            .service(create_contact)
            .service(get_contact)
            .service(update_contact)
            .service(delete_contact)
            .service(open_case_from_contact),
    );
}
