//! `/api/v1/protocols`: memoranda of understanding between the organizations and providers of the network.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, Principal, policy, principal::Caller};
use crate::db::protocols::{Party, PartyRow, ProtocolRow};
use crate::db::{self, DbConnection, audit::AuditEvent, protocols as repo};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

pub use dto::{CreateProtocol, PartyRef, Protocol, ProtocolQuery, UpdateProtocol};

/// Checks the parties (distinct, existing) and turns them into rows.
fn party_rows(c: &mut DbConnection, protocol_id: &str, parties: &[PartyRef]) -> Result<Vec<PartyRow>> {
    let mut errors = Vec::new();
    for (i, party) in parties.iter().enumerate() {
        let missing = match party {
            PartyRef::Organization(p) => db::organizations::find(c, &p.organization_id.to_string())?
                .is_none()
                .then_some(("organization_id", "no such organization")),
            PartyRef::Provider(p) => db::providers::find(c, &p.provider_id.to_string())?
                .is_none()
                .then_some(("provider_id", "no such provider")),
        };
        if let Some((field, message)) = missing {
            errors.push(FieldError::new(format!("parties[{i}].{field}"), "not_found", message));
        }
        if parties[..i].contains(party) {
            errors.push(FieldError::new(format!("parties[{i}]"), "duplicate", "the same party twice"));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok(parties
        .iter()
        .enumerate()
        .map(|(i, p)| PartyRow {
            id: db::new_id(),
            protocol_id: protocol_id.to_string(),
            position: i as i32,
            organization_id: match p {
                PartyRef::Organization(o) => Some(o.organization_id.to_string()),
                PartyRef::Provider(_) => None,
            },
            provider_id: match p {
                PartyRef::Provider(o) => Some(o.provider_id.to_string()),
                PartyRef::Organization(_) => None,
            },
        })
        .collect())
}

/// Admins manage every protocol; coordinators those their organization is party to (directly or through
/// a provider linked to it). `party_organizations`: the organization of each party, if any.
fn require_party(principal: &Principal, party_organizations: &[Option<String>]) -> Result<()> {
    let party = party_organizations.iter().any(|o| o.as_deref() == Some(principal.organization_id.as_str()));
    if principal.role == Role::Admin || (principal.role == Role::Coordinator && party) {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin or a coordinator of a party may manage this protocol".into()))
    }
}

fn organizations_of(parties: &[Party]) -> Vec<Option<String>> {
    parties.iter().map(|p| p.organization_id.clone()).collect()
}

fn check_validity(valid_from: NaiveDate, valid_to: Option<NaiveDate>) -> Result<()> {
    match valid_to {
        Some(to) if to < valid_from => {
            Err(Error::invalid("valid_to", "before_start", "valid_to must not be before valid_from"))
        }
        _ => Ok(()),
    }
}

/// The organization of each new party (for a provider, the linked one), for the permission check.
fn organizations_of_rows(c: &mut DbConnection, parties: &[PartyRow]) -> Result<Vec<Option<String>>> {
    parties
        .iter()
        .map(|party| match (&party.organization_id, &party.provider_id) {
            (Some(org), _) => Ok(Some(org.clone())),
            (None, Some(provider)) => Ok(db::providers::get(c, provider)?.organization_id),
            (None, None) => Ok(None),
        })
        .collect()
}

/// List protocols
///
/// Filter by the day they are in force on and by party. Readable by every authenticated role.
#[utoipa::path(
    tag = "protocols",
    params(ProtocolQuery, PageParams),
    responses((status = 200, description = "A page of protocols", body = Page<Protocol>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_protocols(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<ProtocolQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProtocolRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = repo::ProtocolFilter {
        in_force_on: q.in_force_on,
        organization_id: q.organization_id.map(|o| o.to_string()),
        provider_id: q.provider_id.map(|p| p.to_string()),
        title: q.title,
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::from_rows(rows, limit, |(r, _)| r.id.as_str(), Protocol::from)))
}

/// Record a protocol
///
/// Admins, or coordinators of one of its parties.
#[utoipa::path(
    tag = "protocols",
    request_body = CreateProtocol,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Protocol, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_protocol(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateProtocol>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProtocolManage)?;
    let b = body.into_inner();
    check_validity(b.valid_from, b.valid_to)?;
    let now = db::now();
    let row = ProtocolRow {
        id: db::new_id(),
        title: crate::domain::text::clean(&b.title),
        signed_on: b.signed_on,
        valid_from: b.valid_from,
        valid_to: b.valid_to,
        document_ref: b.document_ref,
        notes: b.notes,
        created_by: caller.principal.user_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let parties = party_rows(c, &row.id, &b.parties)?;
                require_party(&caller.principal, &organizations_of_rows(c, &parties)?)?;
                repo::insert(c, &row, &parties)?;
                db::audit::record(c, &AuditEvent::by(&caller, "protocol.create", "protocol", Some(&row.id)))?;
                repo::get(c, &row.id)
            })
        })
        .await?;
    let location = format!("/api/v1/protocols/{}", saved.0.id);
    Ok(respond::created(location, &Protocol::from(saved), 1))
}

/// Get a protocol
///
/// With its parties. Readable by every authenticated role.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Protocol id")),
    responses((status = 200, description = "The protocol", body = Protocol, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_protocol(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProtocolRead)?;
    let id = id.into_inner().to_string();
    let saved = state.db.run(move |c| repo::get(c, &id)).await?;
    let version = saved.0.version;
    Ok(respond::ok_versioned(&Protocol::from(saved), version))
}

/// Update a protocol
///
/// JSON merge patch with `If-Match`; `parties`, when present, replaces them all.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Protocol id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateProtocol, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Protocol, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_protocol(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateProtocol>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProtocolManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (mut row, parties) = repo::get(c, &id)?;
                require_party(&caller.principal, &organizations_of(&parties))?;
                check_version(Some(expected), row.version)?;
                patch::set(&mut row.title, p.title.as_deref().map(crate::domain::text::clean));
                patch::apply(&mut row.signed_on, p.signed_on);
                patch::set(&mut row.valid_from, p.valid_from);
                patch::apply(&mut row.valid_to, p.valid_to);
                patch::apply(&mut row.document_ref, p.document_ref);
                patch::apply(&mut row.notes, p.notes);
                check_validity(row.valid_from, row.valid_to)?;
                let new_parties =
                    p.parties.as_deref().map(|list| party_rows(c, &row.id, list)).transpose()?;
                if let Some(list) = &new_parties {
                    // A coordinator may not write their own organization out of the protocol.
                    require_party(&caller.principal, &organizations_of_rows(c, list)?)?;
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected, new_parties.as_deref())?;
                db::audit::record(c, &AuditEvent::by(&caller, "protocol.update", "protocol", Some(&row.id)))?;
                repo::get(c, &row.id)
            })
        })
        .await?;
    let version = saved.0.version;
    Ok(respond::ok_versioned(&Protocol::from(saved), version))
}

/// Delete a protocol
///
/// Admins, or coordinators of one of its parties. To end one that was in force, set `valid_to` instead.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Protocol id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_protocol(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::ProtocolManage)?;
    let id = id.into_inner().to_string();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (_, parties) = repo::get(c, &id)?;
                require_party(&caller.principal, &organizations_of(&parties))?;
                repo::delete(c, &id)?;
                db::audit::record(c, &AuditEvent::by(&caller, "protocol.delete", "protocol", Some(&id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/protocols")
            .service(list_protocols)
            .service(create_protocol)
            .service(get_protocol)
            .service(update_protocol)
            .service(delete_protocol),
    );
}
