//! Reading the upload form: the file part counted against the size limit as it arrives, the text parts
//! collected into [`DocumentFields`], the format recognised from the bytes.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use validator::Validate;

use crate::api::v1::documents::dto::DocumentFields;
use crate::config::DocumentSettings;
use crate::domain::Code;
use crate::domain::document::FileFormat;
use crate::error::{Error, FieldError, Result};
use crate::http::json::{is_multipart, parse_json};

/// The longest text part (the notes are at most 2 000 characters, up to 4 bytes each).
const TEXT_PART_MAX: usize = 8 * 1024;
/// The form's text parts (the fields of [`DocumentFields`]).
const TEXT_PARTS: [&str; 6] = ["kind", "family_member_id", "issued_by", "issued_on", "expires_on", "notes"];
/// The text parts whose empty value means "not given".
const FREE_TEXT_PARTS: [&str; 2] = ["issued_by", "notes"];
/// More parts than the form has fields is abuse, not a mistake.
const PARTS_MAX: usize = 16;

/// A form read in full and checked.
pub struct UploadForm {
    pub bytes: Vec<u8>,
    pub format: FileFormat,
    /// As the client sent it; cleaned by `domain::document::file_name`.
    pub file_name: Option<String>,
    pub fields: DocumentFields,
}

/// Reads the form: 415 unless `multipart/form-data` and a format allowed, 413 past the size limit, 400 for a
/// body that is not a well-formed form, 422 for missing or invalid parts.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    settings: &DocumentSettings,
) -> Result<UploadForm> {
    if !is_multipart(req) {
        return Err(Error::UnsupportedMediaType("send the document as multipart/form-data".into()));
    }
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > settings.upload_body_limit()) {
        return Err(Error::PayloadTooLarge(settings.max_bytes));
    }

    let mut form = Multipart::new(req.headers(), payload);
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut text = serde_json::Map::new();
    let mut errors = Vec::new();
    let mut parts = 0;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(malformed)?;
        parts += 1;
        if parts > PARTS_MAX {
            return Err(Error::BadRequest(format!("the form has more than {PARTS_MAX} parts")));
        }
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = part.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
            let mut bytes = Vec::new();
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(malformed)?;
                if bytes.len() + chunk.len() > settings.max_bytes {
                    return Err(Error::PayloadTooLarge(settings.max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            if file.is_some() {
                errors.push(FieldError::new("file", "repeated", "send one file per upload"));
            }
            file = Some((bytes, file_name));
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if value.len() + chunk.len() > TEXT_PART_MAX {
                return Err(Error::invalid(&name, "too_long", "this part is too long"));
            }
            value.extend_from_slice(&chunk);
        }
        if !TEXT_PARTS.contains(&name.as_str()) {
            errors.push(FieldError::new(&name, "unknown_field", "the form has no such part"));
            continue;
        }
        let Ok(value) = String::from_utf8(value) else {
            errors.push(FieldError::new(&name, "invalid", "not UTF-8 text"));
            continue;
        };
        if text.insert(name.clone(), serde_json::Value::String(value)).is_some() {
            errors.push(FieldError::new(&name, "repeated", "send each part once"));
        }
    }

    // An empty free-text part is an absent one, as HTML forms send every field; an empty date, UUID or
    // kind is not a value of its type and is refused like any other malformed one.
    text.retain(|name, v| !(FREE_TEXT_PARTS.contains(&name.as_str()) && v.as_str() == Some("")));
    let fields = match parse_json::<DocumentFields>(serde_json::Value::Object(text).to_string().as_bytes()) {
        Ok(fields) => match fields.validate() {
            Ok(()) => Some(fields),
            Err(e) => {
                errors.extend(validation_errors(e.into()));
                None
            }
        },
        Err(e) => {
            errors.extend(validation_errors(e));
            None
        }
    };
    let (bytes, file_name) = match file {
        Some((bytes, _)) if bytes.is_empty() => {
            errors.push(FieldError::new("file", "empty", "the file is empty"));
            (Vec::new(), None)
        }
        Some(file) => file,
        None => {
            errors.push(FieldError::new("file", "required", "attach the file in a part named file"));
            (Vec::new(), None)
        }
    };
    match fields {
        Some(fields) if errors.is_empty() => {
            let format = allowed_format(&bytes, settings)?;
            Ok(UploadForm { bytes, format, file_name, fields })
        }
        _ => Err(Error::Validation(errors)),
    }
}

/// The format of the bytes, if the configuration accepts it: anything else (an executable renamed
/// `permesso.pdf`, a Word file, a web page) is 415.
fn allowed_format(bytes: &[u8], settings: &DocumentSettings) -> Result<FileFormat> {
    match FileFormat::sniff(bytes) {
        Some(f) if settings.formats.contains(&f) => Ok(f),
        _ => {
            let allowed: Vec<&str> = settings.formats.iter().map(|f| f.as_str()).collect();
            Err(Error::UnsupportedMediaType(format!(
                "the file's content is not one of the accepted formats ({}): it is recognised from the \
                 bytes, not from its name or declared type",
                allowed.join(", ")
            )))
        }
    }
}

fn malformed(e: actix_multipart::MultipartError) -> Error {
    // A body cut off by the client or the size limit of a proxy: nothing personal in the message.
    Error::BadRequest(format!("malformed multipart/form-data body: {e}"))
}

/// The field errors of a parse or validation failure; a missing part is named ("" for the form as a whole).
fn validation_errors(e: Error) -> Vec<FieldError> {
    let errors = match e {
        Error::Validation(errors) => errors,
        other => vec![FieldError::new("", "invalid", other.to_string())],
    };
    errors
        .into_iter()
        .map(|e| match e.message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            Some(part) if e.field.is_empty() => FieldError::new(part, "required", "this part is required"),
            _ => e,
        })
        .collect()
}
