//! The one error type of the service. Every variant maps to an RFC 9457 problem in `http::problem`.

use std::fmt;

/// One invalid field of a request, reported in the problem's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"field": "birth_date", "code": "in_future", "message": "must not be in the future"}))]
pub struct FieldError {
    /// JSON path of the field, e.g. `birth_date` or `opening_hours[1].closes`.
    #[schema(example = "birth_date")]
    pub field: String,
    /// Stable machine-readable code.
    #[schema(example = "in_future")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "the birth date cannot be in the future")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

#[derive(Debug)]
pub enum Error {
    /// 400: the request could not be parsed at all.
    BadRequest(String),
    /// 400: query parameters that do not parse, each named.
    InvalidQuery(Vec<FieldError>),
    /// 401: always generic, never says why.
    Unauthorized,
    /// 401 from the token endpoints: the same answer for a wrong password, an unknown, locked or deactivated
    /// account and a bad refresh token, so that it reveals none of them.
    InvalidGrant,
    /// 403: the caller sees the record but its role may not do this.
    Forbidden(String),
    /// 404: absent or not visible to the caller.
    NotFound,
    /// 409 with a stable problem code (e.g. `invalid_transition`, `duplicate`).
    Conflict { code: &'static str, detail: String },
    /// 412: If-Match names an old version.
    PreconditionFailed,
    /// 428: a conditional request was required.
    PreconditionRequired,
    /// 413: body over the limit.
    PayloadTooLarge(usize),
    /// 415: not JSON where JSON is expected.
    UnsupportedMediaType(String),
    /// 422: the request parsed but its values are invalid.
    Validation(Vec<FieldError>),
    /// 422: an Idempotency-Key was reused with another request.
    IdempotencyKeyReused,
    /// 429: slow down.
    RateLimited { retry_after_secs: u64 },
    /// 503: a dependency (the database) is unavailable.
    Unavailable(String),
    /// 500: a bug or an infrastructure failure; the message is logged, never returned.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Error::Conflict { code, detail: detail.into() }
    }

    pub fn internal(context: &str, e: impl fmt::Display) -> Self {
        Error::Internal(format!("{context}: {e}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRequest(m) => write!(f, "bad request: {m}"),
            Error::InvalidQuery(errors) => write!(f, "{} invalid query parameter(s)", errors.len()),
            Error::Unauthorized => write!(f, "unauthorized"),
            Error::InvalidGrant => write!(f, "invalid grant"),
            Error::Forbidden(m) => write!(f, "forbidden: {m}"),
            Error::NotFound => write!(f, "not found"),
            Error::Conflict { code, detail } => write!(f, "conflict ({code}): {detail}"),
            Error::PreconditionFailed => write!(f, "precondition failed"),
            Error::PreconditionRequired => write!(f, "precondition required"),
            Error::PayloadTooLarge(limit) => write!(f, "payload larger than {limit} bytes"),
            Error::UnsupportedMediaType(m) => write!(f, "unsupported media type: {m}"),
            Error::Validation(errors) => write!(f, "{} invalid field(s)", errors.len()),
            Error::IdempotencyKeyReused => write!(f, "idempotency key reused"),
            Error::RateLimited { .. } => write!(f, "rate limited"),
            Error::Unavailable(m) => write!(f, "unavailable: {m}"),
            Error::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match e {
            D::NotFound => Error::NotFound,
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Error::conflict("duplicate", "a record with the same unique value already exists")
            }
            D::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Error::conflict("referenced", "the record is referenced by or refers to a missing record")
            }
            // Never echo SQL or driver text to the client: it is logged by the problem mapper.
            other => Error::internal("database", other),
        }
    }
}

/// A cross-field (schema-level) error that names the field it is about; validator would otherwise
/// report it under `__all__`.
pub fn cross_field_error(
    field: &'static str,
    code: &'static str,
    message: &'static str,
) -> validator::ValidationError {
    about_field(validator::ValidationError::new(code).with_message(message.into()), field)
}

/// Tags a cross-field error with the field it is about.
pub fn about_field(mut e: validator::ValidationError, field: &'static str) -> validator::ValidationError {
    e.add_param("field".into(), &field);
    e
}

impl Error {
    /// A cross-field check that failed on a merged record (PATCH): 422 naming the field the error is
    /// tagged with, or `default_field`.
    pub fn from_cross_field(e: validator::ValidationError, default_field: &str) -> Self {
        let field = e.params.get("field").and_then(|f| f.as_str()).unwrap_or(default_field).to_string();
        Error::invalid(&field, &e.code, e.message.map(|m| m.to_string()).unwrap_or_default())
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        flatten_validation(&errors, "", &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        Error::Validation(out)
    }
}

fn flatten_validation(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            K::Field(list) => {
                for e in list {
                    let path = match e.params.get("field").and_then(|f| f.as_str()) {
                        Some(named) if field == "__all__" => {
                            if prefix.is_empty() {
                                named.to_string()
                            } else {
                                format!("{prefix}.{named}")
                            }
                        }
                        _ => path.clone(),
                    };
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(&e.code, &e.params));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            K::Struct(inner) => flatten_validation(inner, &path, out),
            K::List(items) => {
                for (i, inner) in items {
                    flatten_validation(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn default_message(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let p = |k: &str| params.get(k).map(|v| v.to_string());
    match code {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("length must be between {min} and {max} characters"),
            (Some(min), None) => format!("length must be at least {min} characters"),
            (None, Some(max)) => format!("length must be at most {max} characters"),
            _ => "invalid length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "out of range".into(),
        },
        "email" => "not a valid e-mail address".into(),
        other => format!("invalid value ({other})"),
    }
}
