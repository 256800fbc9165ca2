//! `GET /api/v1/cases/{case_id}/documents/{id}/content`: the bytes, streamed from the store in steps, with
//! their type, length, name and checksum; audited before the first byte.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use base64::Engine;

use crate::api::v1::documents::audited;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{audit, cases, documents as repo};
use crate::domain::Code;
use crate::domain::document::{FileFormat, content_disposition};
use crate::error::{Error, Result};

/// Bytes read from the store per step of a download: the memory a download holds at a time.
const DOWNLOAD_CHUNK: usize = 256 * 1024;

/// The bytes of a document, as the OpenAPI document describes a download.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DocumentContent(#[allow(dead_code)] Vec<u8>);

type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// Download a document
///
/// The bytes as uploaded, streamed, with their content type (recognised at upload), length, a file name in
/// `Content-Disposition` and their SHA-256 in `Repr-Digest` (RFC 9530). Every download is audited before the
/// first byte leaves.
#[utoipa::path(
    tag = "documents",
    params(("case_id" = uuid::Uuid, Path, description = "Case id"), ("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 200, description = "The file", content(
        (DocumentContent = "application/pdf"),
        (DocumentContent = "image/png"),
        (DocumentContent = "image/jpeg"),
        (DocumentContent = "image/tiff"),
        (DocumentContent = "image/webp")),
        headers(
            ("Content-Disposition" = String, description = "attachment, with the file name"),
            ("Repr-Digest" = String, description = "sha-256 of the bytes, e.g. sha-256=:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=:"),
        ))),
    security(("bearer" = []))
)]
#[get("/{case_id}/documents/{id}/content")]
pub async fn download_document(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DocumentRead)?;
    let ((case_id, id), scope) = (ids.into_inner(), policy::case_scope(&caller.principal));
    let (case_id, id) = (case_id.to_string(), id.to_string());
    let row = state
        .db
        .run(move |c| {
            cases::get(c, &scope, &case_id)?;
            let row = repo::get(c, &case_id, &id)?;
            // Committed before the response starts: no download is ever unaudited.
            audit::record(c, &audited(&caller, "document.download", &row))?;
            Ok(row)
        })
        .await?;
    let format =
        FileFormat::parse(&row.format).ok_or_else(|| Error::internal("document format", &row.format))?;
    let digest = hex_to_bytes(&row.sha256)?;
    let size = u64::try_from(row.size_bytes).map_err(|e| Error::internal("document size", e))?;
    let body = content_stream(state.into_inner(), row.storage.clone(), row.id.clone(), size);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, format.media_type()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&row.file_name)))
        .insert_header((
            "repr-digest",
            format!("sha-256=:{}:", base64::engine::general_purpose::STANDARD.encode(digest)),
        ))
        // Already compressed (JPEG, PNG) or not worth it: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .no_chunking(size)
        .streaming(body))
}

/// The bytes in [`DOWNLOAD_CHUNK`] steps, each read from the store on the blocking pool.
fn content_stream(
    state: std::sync::Arc<AppState>,
    storage: String,
    id: String,
    size: u64,
) -> impl futures_util::Stream<Item = std::result::Result<web::Bytes, Error>> {
    futures_util::stream::try_unfold(0_u64, move |offset| {
        let (state, storage, id) = (state.clone(), storage.clone(), id.clone());
        async move {
            if offset >= size {
                return Ok(None);
            }
            let store = state.documents.clone();
            let chunk = state.db.run(move |c| store.read(c, &storage, &id, offset, DOWNLOAD_CHUNK)).await?;
            if chunk.is_empty() {
                // Deleted while being read: end the response short rather than hang.
                return Err(Error::internal("document download", "the content ended early"));
            }
            let next = offset + chunk.len() as u64;
            Ok(Some((web::Bytes::from(chunk), next)))
        }
    })
}

fn hex_to_bytes(hex: &str) -> Result<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| Error::internal("document checksum", "not hex"))
        })
        .collect()
}
