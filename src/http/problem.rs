//! RFC 9457 problem details for every error the API returns.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error response. `type` is stable per kind of error; `errors` names the invalid fields.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "urn:sportello:problem:validation",
    "title": "Invalid request",
    "status": 422,
    "detail": "1 field is invalid",
    "instance": "/api/v1/cases",
    "request_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "errors": [{"field": "birth_date", "code": "in_future", "message": "must not be in the future"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, safe to match on.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    #[schema(value_type = i32, minimum = 400, maximum = 599)]
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The X-Request-Id of the request, to quote when asking for help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Field-level details of validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl Problem {
    pub fn new(code: &str, status: StatusCode, title: &str, detail: Option<String>) -> Self {
        Problem {
            problem_type: format!("urn:sportello:problem:{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            instance: None,
            request_id: None,
            errors: None,
        }
    }

    /// A generic problem for a status produced outside our handlers (framework errors).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, title) = match status.as_u16() {
            400 => ("bad_request", "Malformed request"),
            401 => ("unauthorized", "Authentication required"),
            403 => ("forbidden", "Not allowed"),
            404 => ("not_found", "Not found"),
            405 => ("method_not_allowed", "Method not allowed"),
            406 => ("not_acceptable", "Not acceptable"),
            408 => ("request_timeout", "Request timeout"),
            413 => ("payload_too_large", "Payload too large"),
            414 => ("uri_too_long", "URI too long"),
            415 => ("unsupported_media_type", "Unsupported media type"),
            431 => ("headers_too_large", "Request headers too large"),
            s if s >= 500 => ("internal", "Internal error"),
            _ => ("error", "Request failed"),
        };
        Problem::new(code, status, title, None)
    }

    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status).content_type(CONTENT_TYPE).json(self)
    }
}

impl Error {
    pub(crate) fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            Error::BadRequest(detail) => {
                Problem::new("bad_request", S::BAD_REQUEST, "Malformed request", Some(detail.clone()))
            }
            Error::InvalidQuery(errors) => {
                let mut p = Problem::new(
                    "invalid_query",
                    S::BAD_REQUEST,
                    "Invalid query parameters",
                    Some(count_detail(errors.len(), "query parameter")),
                );
                p.errors = Some(errors.clone());
                p
            }
            Error::Unauthorized => Problem::new(
                "unauthorized",
                S::UNAUTHORIZED,
                "Authentication required",
                Some("a valid access token is required".into()),
            ),
            Error::InvalidGrant => Problem::new(
                "invalid_grant",
                S::UNAUTHORIZED,
                "Login failed",
                Some(
                    "wrong username or password, or a refresh token that is invalid, expired or revoked"
                        .into(),
                ),
            ),
            Error::Forbidden(detail) => {
                Problem::new("forbidden", S::FORBIDDEN, "Not allowed", Some(detail.clone()))
            }
            Error::NotFound => Problem::new(
                "not_found",
                S::NOT_FOUND,
                "Not found",
                Some("no such resource, or it is not visible to you".into()),
            ),
            Error::Conflict { code, detail } => {
                Problem::new(code, S::CONFLICT, "Conflict", Some(detail.clone()))
            }
            Error::PreconditionFailed => Problem::new(
                "precondition_failed",
                S::PRECONDITION_FAILED,
                "Version mismatch",
                Some("the resource has changed: GET it again and retry with its current ETag".into()),
            ),
            Error::PreconditionRequired => Problem::new(
                "precondition_required",
                S::PRECONDITION_REQUIRED,
                "If-Match required",
                Some("send If-Match with the ETag from your last GET".into()),
            ),
            Error::PayloadTooLarge(limit) => Problem::new(
                "payload_too_large",
                S::PAYLOAD_TOO_LARGE,
                "Payload too large",
                Some(format!("the body may not exceed {limit} bytes")),
            ),
            Error::UnsupportedMediaType(detail) => Problem::new(
                "unsupported_media_type",
                S::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                Some(detail.clone()),
            ),
            Error::Validation(errors) => {
                let mut p = Problem::new(
                    "validation",
                    S::UNPROCESSABLE_ENTITY,
                    "Invalid request",
                    Some(count_detail(errors.len(), "field")),
                );
                p.errors = Some(errors.clone());
                p
            }
            Error::IdempotencyKeyReused => Problem::new(
                "idempotency_key_reused",
                S::UNPROCESSABLE_ENTITY,
                "Idempotency-Key reused",
                Some("this Idempotency-Key was used with a different request".into()),
            ),
            Error::RateLimited { retry_after_secs } => Problem::new(
                "rate_limited",
                S::TOO_MANY_REQUESTS,
                "Too many requests",
                Some(format!("retry after {retry_after_secs} seconds")),
            ),
            Error::Unavailable(_) => Problem::new(
                "unavailable",
                S::SERVICE_UNAVAILABLE,
                "Service unavailable",
                Some("a dependency is not available".into()),
            ),
            Error::Internal(_) => Problem::new(
                "internal",
                S::INTERNAL_SERVER_ERROR,
                "Internal error",
                Some("an unexpected error occurred; quote the request id when reporting it".into()),
            ),
        }
    }
}

fn count_detail(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what} is invalid") } else { format!("{n} {what}s are invalid") }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The message may name tables or drivers: it goes to the log, never to the client.
            Error::Internal(m) => log::error!("internal error: {m}"),
            Error::Unavailable(m) => log::warn!("unavailable: {m}"),
            _ => {}
        }
        let mut response = self.problem().into_response();
        let headers = response.headers_mut();
        match self {
            Error::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer realm=\"sportello\""),
                );
            }
            Error::RateLimited { retry_after_secs } => {
                if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}
