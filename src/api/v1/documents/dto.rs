//! What documents look like on the wire: the metadata, the upload form, the merge patch, the search.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::patch;
use crate::db::documents::DocumentRow;
use crate::domain::Code;
use crate::domain::document::{DocumentKind, FileFormat};
use crate::domain::person::{validate_not_future, validate_plausible_date, validate_text};
use crate::error::{Error, Result};

/// A document's metadata. The bytes are at `/api/v1/cases/{case_id}/documents/{id}/content`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a70", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "family_member_id": null, "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "kind": "residence_permit", "file_name": "permesso.pdf", "format": "pdf", "content_type": "application/pdf",
    "size_bytes": 482113, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "issued_by": "Questura di Cremona", "issued_on": "2025-03-10", "expires_on": "2027-03-09",
    "notes": "Copy of both sides", "uploaded_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "version": 1,
    "created_at": "2026-01-12T10:00:00Z", "updated_at": "2026-01-12T10:00:00Z"
}))]
pub struct Document {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// Whose paper it is, when not the case's own person's.
    #[schema(format = Uuid)]
    pub family_member_id: Option<String>,
    /// The organization that uploaded it.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub kind: DocumentKind,
    /// The uploaded name, without directories, ending in the extension of what the bytes really are.
    pub file_name: String,
    /// Recognised from the bytes, never from the name or the declared type.
    pub format: FileFormat,
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex; a download carries it too, in `Repr-Digest`.
    #[schema(min_length = 64, max_length = 64, pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    pub issued_by: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// When the paper stops being valid (a permit's expiry): search `expires_to` for renewals coming up.
    pub expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
    #[schema(format = Uuid)]
    pub uploaded_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<DocumentRow> for Document {
    type Error = Error;
    fn try_from(r: DocumentRow) -> Result<Self> {
        let format =
            FileFormat::parse(&r.format).ok_or_else(|| Error::internal("document format", &r.format))?;
        Ok(Document {
            kind: DocumentKind::parse(&r.kind).ok_or_else(|| Error::internal("document kind", &r.kind))?,
            content_type: format.media_type().to_string(),
            format,
            id: r.id,
            case_id: r.case_id,
            family_member_id: r.family_member_id,
            organization_id: r.organization_id,
            file_name: r.file_name,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            issued_by: r.issued_by,
            issued_on: r.issued_on,
            expires_on: r.expires_on,
            notes: r.notes,
            uploaded_by: r.uploaded_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// The upload form (`multipart/form-data`): the file and its metadata as text parts. No other part is
/// accepted. `issued_by` or `notes` sent empty (as HTML forms send every field) counts as left out; an
/// empty date, identifier or kind is refused (422) like any other value that is not one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"file": "%PDF-1.7 …", "kind": "residence_permit", "issued_by": "Questura di Cremona",
    "issued_on": "2025-03-10", "expires_on": "2027-03-09"}))]
#[allow(dead_code)] // documents the form; the parts are read by `upload::read_form`
pub struct UploadDocument {
    /// The file: PDF, PNG or JPEG unless configured otherwise, at most 10 MiB unless configured otherwise.
    /// Its format is recognised from the bytes; the declared content type and the name's extension are
    /// ignored.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    #[schema(inline)]
    kind: DocumentKind,
    // A form has no null: an optional part is left out.
    #[schema(format = Uuid, nullable = false)]
    family_member_id: Option<String>,
    /// Who issued it (a Questura, a school, a municipality).
    #[schema(max_length = 200, format = "sportello:text", nullable = false)]
    issued_by: Option<String>,
    /// Not in the future.
    #[schema(nullable = false)]
    issued_on: Option<NaiveDate>,
    /// On or after `issued_on`.
    #[schema(nullable = false)]
    expires_on: Option<NaiveDate>,
    #[schema(max_length = 2000, format = "sportello:text", nullable = false)]
    notes: Option<String>,
}

/// The metadata parts of the upload form, once read.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_document"))]
pub struct DocumentFields {
    pub kind: DocumentKind,
    pub family_member_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_text"))]
    pub issued_by: Option<String>,
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub issued_on: Option<NaiveDate>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub expires_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    pub notes: Option<String>,
}

fn check_new_document(d: &DocumentFields) -> std::result::Result<(), ValidationError> {
    check_dates(d.issued_on, d.expires_on)
}

pub fn check_dates(
    issued_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
) -> std::result::Result<(), ValidationError> {
    match (issued_on, expires_on) {
        (Some(i), Some(e)) if e < i => Err(crate::error::cross_field_error(
            "expires_on",
            "before_issue",
            "the document expires before it was issued",
        )),
        _ => Ok(()),
    }
}

/// Corrections to a document's metadata (JSON merge patch). The bytes never change: upload a new one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"expires_on": "2028-03-09", "issued_by": "Questura di Cremona"}))]
pub struct UpdateDocument {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub kind: Option<DocumentKind>,
    /// Kept without directories; the extension of the real format is added if missing.
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 120), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 120, format = "sportello:text", nullable = false)]
    pub file_name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub family_member_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, format = "sportello:text")]
    pub issued_by: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub issued_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub expires_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
}

/// Filters of a document search; all optional, combined.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Only this kind of document.
    #[param(inline)]
    pub kind: Option<DocumentKind>,
    /// Only the documents of this family member.
    pub family_member_id: Option<uuid::Uuid>,
    /// A fragment of the issuer's name, any letter case (e.g. `questura`).
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub issued_by: Option<String>,
    /// Expiring on or after this day.
    pub expires_from: Option<NaiveDate>,
    /// Expiring on or before this day: the permits to renew before then.
    pub expires_to: Option<NaiveDate>,
}

/// The one filter a search across cases adds to [`DocumentQuery`].
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentCase {
    /// Only the documents of this case.
    pub case_id: Option<uuid::Uuid>,
}
