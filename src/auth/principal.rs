//! The authenticated caller, extracted from `Authorization: Bearer <jwt>` before any handler runs.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::app::AppState;
use crate::domain::role::Role;
use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub organization_id: String,
    pub role: Role,
}

/// The bearer token of a request, if it carries one in the expected form.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequest for Principal {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = match (req.app_data::<web::Data<AppState>>(), bearer_token(req)) {
            (Some(state), Some(token)) => state.tokens.verify(token),
            (None, _) => Err(Error::internal("principal", "application state missing")),
            (_, None) => Err(Error::Unauthorized),
        };
        ready(principal)
    }
}

/// The principal plus what the audit trail records about the request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Caller {
    pub fn user_id(&self) -> &str {
        &self.principal.user_id
    }
}

/// Request facts for the audit trail, also available to unauthenticated handlers (login).
pub fn request_meta(req: &HttpRequest) -> (Option<String>, Option<String>) {
    use actix_web::HttpMessage;
    let request_id = req.extensions().get::<crate::http::middleware::RequestId>().map(|r| r.0.clone());
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    (request_id, ip)
}

impl FromRequest for Caller {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Principal::from_request(req, payload).into_inner().map(|principal| {
            let (request_id, client_ip) = request_meta(req);
            Caller { principal, request_id, client_ip }
        });
        ready(caller)
    }
}
