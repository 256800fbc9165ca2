//! `/api/v1/cases/{case_id}/documents`: files attached to a case (a copy of the residence permit, an ID,
//! a certificate, a signed consent or plan), and `/api/v1/documents`, the search across the cases the
//! caller sees. Uploads are checked from the bytes; every download is audited before the first byte.

mod download;
pub mod dto;
mod upload;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use sha2::{Digest, Sha256};

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::tokens::hex;
use crate::auth::{Action, policy, policy::CaseAccess, principal::Caller};
use crate::db::documents::{self as repo, DocumentFilter, DocumentRow};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::domain::Code;
use crate::domain::document::{FileFormat, file_name};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};
use dto::{Document, DocumentCase, DocumentQuery, UpdateDocument, UploadDocument};

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

fn audited(caller: &Caller, action: &str, row: &DocumentRow) -> AuditEvent {
    AuditEvent::by(caller, action, "document", Some(&row.id)).case(&row.case_id)
}

/// A family member named by an upload or a correction must be one of the case's own.
fn check_family_member(c: &mut DbConnection, case_id: &str, member_id: Option<&str>) -> Result<()> {
    match member_id.map(|m| db::family_members::get(c, case_id, m)) {
        Some(Err(Error::NotFound)) => {
            Err(Error::invalid("family_member_id", "not_found", "no such family member in this case"))
        }
        Some(Err(e)) => Err(e),
        _ => Ok(()),
    }
}

fn filter_of(q: DocumentQuery, case_id: Option<String>) -> Result<DocumentFilter> {
    crate::http::json::check_period(q.expires_from, q.expires_to, "expires_from", "expires_to")?;
    Ok(DocumentFilter {
        case_id,
        family_member_id: q.family_member_id.map(|m| m.to_string()),
        kind: q.kind.map(|k| k.as_str().to_string()),
        issued_by: q.issued_by,
        expires_from: q.expires_from,
        expires_to: q.expires_to,
    })
}

/// A page of metadata, its listing audited with the ids shown.
async fn audited_page(
    state: &AppState,
    caller: &Caller,
    case_id: Option<&str>,
    rows: Vec<DocumentRow>,
    limit: i64,
) -> Result<HttpResponse> {
    let shown: Vec<&str> = rows.iter().take(limit as usize).map(|r| r.id.as_str()).collect();
    let mut event = AuditEvent::by(caller, "document.list", "document", None)
        .details(serde_json::json!({"count": shown.len(), "document_ids": shown}));
    if let Some(case_id) = case_id {
        event = event.case(case_id);
    }
    state.audit.record(event).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), Document::try_from)?))
}

/// Search documents
///
/// Newest first, across every case the caller sees (its own organization's and those shared with it), by
/// kind, family member, issuer and expiry: `kind=residence_permit&expires_to=2026-12-31` lists the permits
/// to renew by the end of the year. Metadata only; the listing is audited.
#[utoipa::path(
    tag = "documents",
    params(DocumentCase, DocumentQuery, PageParams),
    responses((status = 200, description = "A page of documents", body = Page<Document>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn search_documents(
    state: web::Data<AppState>,
    caller: Caller,
    case: ApiQuery<DocumentCase>,
    query: ApiQuery<DocumentQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentRead)?;
    let filter = filter_of(query.into_inner(), case.into_inner().case_id.map(|c| c.to_string()))?;
    let page = page.into_inner();
    let (after, limit, scope) = (page.after_id()?, page.limit(), policy::case_scope(&caller.principal));
    let rows = state.db.run(move |c| repo::search(c, &scope, &filter, after.as_deref(), limit)).await?;
    audited_page(&state, &caller, None, rows, limit).await
}

/// List a case's documents
///
/// Newest first, with the same filters as the search. Metadata only; the listing is audited.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), DocumentQuery, PageParams),
    responses((status = 200, description = "A page of documents", body = Page<Document>)),
    security(("bearer" = []))
)]
#[get("/{case_id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    query: ApiQuery<DocumentQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentRead)?;
    let case_id = case_id.into_inner().to_string();
    let filter = filter_of(query.into_inner(), Some(case_id.clone()))?;
    let page = page.into_inner();
    let (after, limit, scope) = (page.after_id()?, page.limit(), policy::case_scope(&caller.principal));
    let id = case_id.clone();
    let rows = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &id)?;
            repo::search(c, &scope, &filter, after.as_deref(), limit)
        })
        .await?;
    audited_page(&state, &caller, Some(&case_id), rows, limit).await
}

/// Upload a document
///
/// `multipart/form-data` with the file in a part named `file` and the metadata as text parts. The format is
/// recognised from the bytes (PDF, PNG, JPEG unless configured otherwise): a renamed executable is refused
/// with 415 whatever its name or declared type. Larger than the limit (10 MiB unless configured otherwise):
/// 413. The SHA-256 of the bytes is stored and returned.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body(content = UploadDocument, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = Document, headers(("Location" = String), ("ETag" = String))),
        (status = 413, description = "The file is larger than the configured limit (10 MiB by default)",
            body = crate::http::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data, or the file's bytes are not an accepted format",
            body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/{case_id}/documents")]
pub async fn upload_document(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<uuid::Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentWrite)?;
    let case_id = case_id.into_inner().to_string();
    let scope = policy::case_scope_for(&caller.principal, CaseAccess::Contribute);
    // Refused before the upload is read: a caller who may not write here never costs the bytes.
    let probe = (scope.clone(), case_id.clone());
    state.db.run(move |c| cases::get(c, &probe.0, &probe.1).map(|_| ())).await?;
    let form = upload::read_form(&req, payload, &state.settings.documents).await?;

    let now = db::now();
    let row = DocumentRow {
        id: db::new_id(),
        case_id: case_id.clone(),
        family_member_id: form.fields.family_member_id.map(|m| m.to_string()),
        organization_id: caller.principal.organization_id.clone(),
        kind: form.fields.kind.as_str().to_string(),
        file_name: file_name(form.file_name.as_deref(), form.format),
        format: form.format.as_str().to_string(),
        size_bytes: form.bytes.len() as i64,
        sha256: hex(&Sha256::digest(&form.bytes)),
        storage: state.documents.storage().to_string(),
        issued_by: form.fields.issued_by,
        issued_on: form.fields.issued_on,
        expires_on: form.fields.expires_on,
        notes: form.fields.notes,
        uploaded_by: caller.principal.user_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let (store, bytes, id) = (state.documents.clone(), form.bytes, row.id.clone());
    let stored = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                check_family_member(c, &case_id, row.family_member_id.as_deref())?;
                repo::insert(c, &row)?;
                store.put(c, &row.id, &bytes)?;
                audit::record(c, &audited(&caller, "document.upload", &row))?;
                Ok(row)
            })
        })
        .await;
    let row = match stored {
        Ok(row) => row,
        Err(e) => {
            // A file written before the transaction failed names no row: take it away now.
            state.documents.remove_files(&[id]);
            return Err(e);
        }
    };
    let location = format!("/api/v1/cases/{}/documents/{}", row.case_id, row.id);
    Ok(respond::created(location, &Document::try_from(row)?, 1))
}

/// Get a document's metadata
///
/// The read is audited; the ETag is the version to send in If-Match.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 200, description = "The document's metadata", body = Document, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{case_id}/documents/{id}")]
pub async fn get_document(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let reader = caller.clone();
    let row = state
        .audit
        .audited_read(&state.db, move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            let event = audited(&reader, "document.read", &row);
            Ok((row, event))
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Document::try_from(row)?, version))
}

/// Correct a document's metadata
///
/// JSON merge patch with `If-Match`: kind, file name, family member, issuer, dates, notes. The bytes never
/// change; upload a new document instead.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Document id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateDocument, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Document, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{case_id}/documents/{id}")]
pub async fn update_document(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    if_match: IfMatch,
    body: ApiJson<UpdateDocument>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentWrite)?;
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
                let format = FileFormat::parse(&row.format)
                    .ok_or_else(|| Error::internal("document format", &row.format))?;
                patch::set(&mut row.kind, p.kind.map(|k| k.as_str().to_string()));
                patch::set(&mut row.file_name, p.file_name.map(|n| file_name(Some(&n), format)));
                patch::apply(&mut row.family_member_id, p.family_member_id.map(|m| m.map(|m| m.to_string())));
                patch::apply(&mut row.issued_by, p.issued_by);
                patch::apply(&mut row.issued_on, p.issued_on);
                patch::apply(&mut row.expires_on, p.expires_on);
                patch::apply(&mut row.notes, p.notes);
                dto::check_dates(row.issued_on, row.expires_on)
                    .map_err(|e| Error::from_cross_field(e, "expires_on"))?;
                check_family_member(c, &case_id, row.family_member_id.as_deref())?;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &audited(&caller, "document.update", &row))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Document::try_from(row)?, version))
}

/// Delete a document
///
/// The metadata and the bytes go for good (a copy of an ID is not kept for history); the audit trail keeps
/// the event.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
#[delete("/{case_id}/documents/{id}")]
pub async fn delete_document(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentWrite)?;
    let ((case_id, id), scope) =
        (ids.into_inner(), policy::case_scope_for(&caller.principal, CaseAccess::Contribute));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let deleted = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                cases::get(c, &scope, &case_id)?;
                let row = repo::get(c, &case_id, &id)?;
                repo::delete(c, &case_id, &id)?;
                audit::record(c, &audited(&caller, "document.delete", &row))?;
                Ok(row.id)
            })
        })
        .await?;
    state.documents.remove_files(&[deleted]);
    Ok(respond::no_content())
}

/// The routes under `/cases`.
pub fn case_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_documents)
        .service(upload_document)
        .service(get_document)
        .service(download::download_document)
        .service(update_document)
        .service(delete_document);
}

/// `/documents`, the search across cases.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(utoipa_actix_web::scope("/documents").service(search_documents));
}
