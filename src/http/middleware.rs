//! The envelope every response passes through: request id, problem+json for every error (including the
//! framework's own), security headers, and an access log line that holds no personal data.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};

use crate::http::problem::{self, Problem};

/// The id of the request being served, also written to the audit log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// An incoming id is echoed only if it is short and made of safe characters (it ends up in logs).
fn valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| valid_request_id(id))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().clone();
    let path = req.path().to_string();
    let state = req.app_data::<actix_web::web::Data<crate::app::AppState>>().cloned();

    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            // Errors raised by middleware carry no request to attach to: answer through an InternalError
            // whose response is already the finished problem.
            let response = finish(e.error_response(), &path, &request_id).await;
            log::info!(target: "sportello::access", "{method} <middleware> {} rid={request_id}", response.status().as_u16());
            return Err(actix_web::error::InternalError::from_response("request failed", response).into());
        }
    };
    let (http_req, response) = res.into_parts();
    let response = finish(response, &path, &request_id).await;
    let res = ServiceResponse::new(http_req, response);

    // Route templates, not raw paths: no ids or typed-in text in the log.
    let route = res.request().match_pattern().unwrap_or_else(|| "<unmatched>".into());
    let seconds = started.elapsed().as_secs_f64();
    if let Some(state) = state {
        state.metrics.observe(method.as_str(), &route, res.status().as_u16(), seconds);
    }
    log::info!(
        target: "sportello::access",
        "{method} {route} {} {:.1}ms rid={request_id}",
        res.status().as_u16(),
        seconds * 1000.0
    );
    Ok(res)
}

/// Adds the request id and security headers, and turns any error into problem+json.
async fn finish(response: HttpResponse, path: &str, request_id: &str) -> HttpResponse {
    let mut response = if response.status().is_client_error() || response.status().is_server_error() {
        as_problem(response, path, request_id).await
    } else {
        response
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if path.starts_with("/api/") {
        // Personal data must not linger in browser or proxy caches.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Rewrites an error response as problem+json with `instance` and `request_id`, keeping its headers
/// (WWW-Authenticate, Retry-After, Allow).
async fn as_problem(response: HttpResponse, path: &str, request_id: &str) -> HttpResponse {
    let status = response.status();
    let headers = response.headers().clone();
    let is_problem = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(problem::CONTENT_TYPE));
    let bytes = to_bytes(response.into_body()).await.ok();
    let mut problem = bytes
        .filter(|_| is_problem)
        .and_then(|b| serde_json::from_slice::<Problem>(&b).ok())
        .unwrap_or_else(|| Problem::for_status(status));
    problem.status = status.as_u16();
    problem.instance = Some(path.to_string());
    problem.request_id = Some(request_id.to_string());

    let mut rebuilt = problem.into_response();
    for (name, value) in headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && name != header::CONTENT_ENCODING
        {
            rebuilt.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rebuilt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_request_ids_are_echoed() {
        assert!(valid_request_id("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"));
        assert!(valid_request_id("trace.42:abc_1"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id("x\ny"));
        assert!(!valid_request_id(&"a".repeat(129)));
    }
}
