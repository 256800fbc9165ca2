//! `/api/v1/protocols`: memoranda of understanding between the organizations and providers of the network.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, Principal, policy, principal::Caller};
use crate::db::protocols::{Party, PartyRow, ProtocolRow, ProtocolWithParties};
use crate::db::{self, DbConnection, audit::AuditEvent, protocols as repo};
use crate::domain::person::{validate_name, validate_text};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// One party: an organization of the system or a provider of the directory, never both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(example = json!({"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"}))]
pub enum PartyRef {
    Organization(#[schema(inline)] OrganizationParty),
    Provider(#[schema(inline)] ProviderParty),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationParty {
    pub organization_id: uuid::Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderParty {
    pub provider_id: uuid::Uuid,
}

/// 2 to 50 distinct parties (utoipa has no attribute for `uniqueItems`).
fn parties_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(<PartyRef as utoipa::PartialSchema>::schema())
        .min_items(Some(2))
        .max_items(Some(50))
        .unique_items(true)
        .description(Some("At least two distinct parties; a coordinator's organization must be one of them."))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProtocolParty {
    /// Set when the party is an organization of the system.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
    /// Set when the party is a provider of the directory.
    #[schema(format = Uuid)]
    pub provider_id: Option<String>,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c01",
    "title": "Protocollo d'intesa per lo sportello immigrati del distretto cremasco",
    "signed_on": "2025-12-15", "valid_from": "2026-01-01", "valid_to": "2028-12-31",
    "document_ref": "Delibera 123/2025", "notes": null,
    "parties": [
        {"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "provider_id": null, "name": "Comune di Crema"},
        {"organization_id": null, "provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "name": "Questura di Cremona — Ufficio Immigrazione"}
    ],
    "created_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Protocol {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    /// Open-ended when null.
    pub valid_to: Option<NaiveDate>,
    /// Where the signed text is (a resolution number, a file reference).
    pub document_ref: Option<String>,
    pub notes: Option<String>,
    pub parties: Vec<ProtocolParty>,
    #[schema(format = Uuid)]
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProtocolWithParties> for Protocol {
    fn from((r, parties): ProtocolWithParties) -> Self {
        Protocol {
            parties: parties
                .into_iter()
                .map(|p| ProtocolParty {
                    organization_id: p.row.organization_id,
                    provider_id: p.row.provider_id,
                    name: p.name,
                })
                .collect(),
            id: r.id,
            title: r.title,
            signed_on: r.signed_on,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            document_ref: r.document_ref,
            notes: r.notes,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Protocollo d'intesa per lo sportello immigrati del distretto cremasco",
    "signed_on": "2025-12-15", "valid_from": "2026-01-01", "valid_to": "2028-12-31", "document_ref": "Delibera 123/2025",
    "parties": [{"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"}, {"provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01"}]
}))]
pub struct CreateProtocol {
    #[validate(length(min = 2, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 300, format = "sportello:name")]
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    /// On or after `valid_from`; open-ended when absent.
    pub valid_to: Option<NaiveDate>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub document_ref: Option<String>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
    /// At least two distinct parties; a coordinator's organization must be one of them.
    #[validate(length(min = 2, max = 50))]
    #[schema(schema_with = parties_schema)]
    pub parties: Vec<PartyRef>,
}

/// JSON merge patch; `parties`, when present, replaces them all.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"valid_to": "2029-12-31"}))]
pub struct UpdateProtocol {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 300, format = "sportello:name", nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, format = "sportello:name")]
    pub document_ref: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 50))]
    #[schema(schema_with = parties_schema)]
    pub parties: Option<Vec<PartyRef>>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProtocolQuery {
    /// Only protocols in force on this day.
    #[param(example = "2026-11-23")]
    pub in_force_on: Option<NaiveDate>,
    /// Only protocols this organization is party to (directly or through a provider linked to it).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only protocols this provider is party to.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01")]
    pub provider_id: Option<uuid::Uuid>,
    /// Title fragment, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "intesa", min_length = 1, max_length = 100)]
    pub title: Option<String>,
}

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
