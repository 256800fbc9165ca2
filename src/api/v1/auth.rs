//! `/api/v1/auth`: the token endpoint (password and refresh_token grants), refresh and logout.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::clients;
use crate::auth::principal::{Caller, request_meta};
use crate::auth::session::{self, Origin, Session};
use crate::error::{Error, Result};
use crate::http::json::{parse_json, read_body};
use crate::http::{ApiJson, respond};

/// Grants of the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "password")]
pub enum GrantType {
    Password,
    RefreshToken,
    /// A district platform's machine account: `client_id` + `client_secret`.
    ClientCredentials,
}

/// RFC 6749 token request, as form fields or JSON.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "change-me-please-2026"}))]
pub struct TokenRequest {
    pub grant_type: GrantType,
    /// With the password grant.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64, format = "sportello:no-nul")]
    pub username: Option<String>,
    /// With the password grant.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = "sportello:no-nul")]
    pub password: Option<String>,
    /// With the refresh_token grant.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256, format = "sportello:no-nul")]
    pub refresh_token: Option<String>,
    /// Accepted for OAuth2 clients and ignored: roles decide permissions.
    #[serde(default, deserialize_with = "crate::api::v1::patch::required")]
    #[schema(nullable = false)]
    pub scope: Option<String>,
    /// With the client_credentials grant, the integration client's id; accepted and ignored with the
    /// other grants (Swagger UI sends it).
    #[validate(length(min = 1, max = 64))]
    #[schema(nullable = false, min_length = 1, max_length = 64, format = "sportello:no-nul")]
    pub client_id: Option<String>,
    /// With the client_credentials grant.
    #[validate(length(min = 1, max = 256))]
    #[schema(nullable = false, min_length = 1, max_length = 256, format = "sportello:no-nul")]
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTk1ZjZhMiJ9.c2lnbmF0dXJl",
    "token_type": "Bearer", "expires_in": 900, "refresh_token": "rt_b3BhcXVlLXJhbmRvbS10b2tlbi0zMi1ieXRlcw"
}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single use: each refresh returns a new one. None with the client_credentials grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub refresh_token: Option<String>,
}

impl From<Session> for TokenResponse {
    fn from(s: Session) -> Self {
        TokenResponse {
            access_token: s.access_token,
            token_type: "Bearer".into(),
            expires_in: s.expires_in,
            refresh_token: Some(s.refresh_token),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "rt_b3BhcXVlLXJhbmRvbS10b2tlbi0zMi1ieXRlcw"}))]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256, format = "sportello:no-nul")]
    pub refresh_token: String,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "rt_b3BhcXVlLXJhbmRvbS10b2tlbi0zMi1ieXRlcw"}))]
pub struct LogoutRequest {
    /// Revoke this token's family only; without it every refresh token of the user is revoked.
    #[serde(default, deserialize_with = "crate::api::v1::patch::required")]
    #[validate(length(min = 1, max = 256))]
    #[schema(nullable = false, min_length = 1, max_length = 256, format = "sportello:no-nul")]
    pub refresh_token: Option<String>,
}

/// 429 with Retry-After when this client address has tried too often this minute.
fn limit_attempts(state: &AppState, req: &HttpRequest) -> Result<()> {
    match req.peer_addr() {
        Some(addr) => state
            .login_limiter
            .check(addr.ip(), std::time::Instant::now())
            .map_err(|retry_after_secs| Error::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

fn origin(req: &HttpRequest) -> Origin {
    let (request_id, client_ip) = request_meta(req);
    Origin { request_id, client_ip }
}

fn token_response(session: Session) -> HttpResponse {
    HttpResponse::Ok().json(TokenResponse::from(session))
}

/// Get tokens
///
/// Password grant: `username` + `password` → a 15-minute access token and a refresh token.
/// Refresh grant: `refresh_token` → new tokens (the old refresh token stops working; reusing it revokes
/// the whole chain). Client-credentials grant: an integration client's `client_id` + `client_secret` → a
/// 15-minute access token with the `integration` role (no refresh token: ask again). Accepts `application/x-www-form-urlencoded` (OAuth2) and JSON. Five failed logins
/// within 15 minutes lock the account for 15 minutes; every failure is the same 401.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/x-www-form-urlencoded"),
        (TokenRequest = "application/json")
    )),
    responses((status = 200, description = "Tokens", body = TokenResponse),
        (status = 401, response = crate::openapi::LoginFailed),
        (status = 429, response = crate::openapi::TooManyRequests))
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    limit_attempts(&state, &req)?;
    let bytes = read_body(&req, &mut payload.into_inner(), 16 * 1024).await?;
    let body: TokenRequest = match req.content_type() {
        "application/x-www-form-urlencoded" => {
            // The JSON parser refuses NUL characters; a form can carry them too (%00), and PostgreSQL text cannot.
            if form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
                return Err(Error::invalid("", "nul_character", "text may not contain NUL characters"));
            }
            serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| Error::invalid("grant_type", "invalid", format!("invalid form: {e}")))?
        }
        "application/json" => parse_json(&bytes)?,
        _ => {
            return Err(Error::UnsupportedMediaType(
                "send application/x-www-form-urlencoded or application/json".into(),
            ));
        }
    };
    body.validate()?;
    let origin = origin(&req);
    let session = match body.grant_type {
        GrantType::Password => {
            let (Some(username), Some(password)) = (body.username, body.password) else {
                return Err(Error::invalid(
                    "password",
                    "required",
                    "the password grant needs username and password",
                ));
            };
            state
                .clone()
                .db
                .run(move |c| session::password_login(c, &state.tokens, &username, &password, &origin))
                .await?
        }
        GrantType::RefreshToken => {
            let Some(token) = body.refresh_token else {
                return Err(Error::invalid(
                    "refresh_token",
                    "required",
                    "the refresh_token grant needs refresh_token",
                ));
            };
            state.clone().db.run(move |c| session::refresh(c, &state.tokens, &token, &origin)).await?
        }
        GrantType::ClientCredentials => {
            let (Some(id), Some(secret)) = (body.client_id, body.client_secret) else {
                return Err(Error::invalid(
                    "client_secret",
                    "required",
                    "the client_credentials grant needs client_id and client_secret",
                ));
            };
            let (access_token, expires_in) = state
                .clone()
                .db
                .run(move |c| clients::client_token(c, &state.tokens, &id, &secret, &origin))
                .await?;
            let response =
                TokenResponse { access_token, token_type: "Bearer".into(), expires_in, refresh_token: None };
            return Ok(HttpResponse::Ok().json(response));
        }
    };
    Ok(token_response(session))
}

/// Refresh tokens
///
/// The same as the token endpoint's refresh_token grant, as JSON.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, response = crate::openapi::LoginFailed),
        (status = 429, response = crate::openapi::TooManyRequests))
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse> {
    limit_attempts(&state, &req)?;
    let origin = origin(&req);
    let presented = body.into_inner().refresh_token;
    let session =
        state.clone().db.run(move |c| session::refresh(c, &state.tokens, &presented, &origin)).await?;
    Ok(token_response(session))
}

/// Log out
///
/// Revokes refresh tokens (the given one's chain, or all of the user's). Access tokens expire by themselves
/// within 15 minutes.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<LogoutRequest>, description = "Optional"),
    responses((status = 204, description = "Logged out")),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let bytes = read_body(&req, &mut payload.into_inner(), 16 * 1024).await?;
    // No body, or JSON null (the spec's "optional" body), means no refresh token named.
    let body: LogoutRequest = if bytes.iter().all(u8::is_ascii_whitespace) || bytes.trim_ascii() == b"null" {
        LogoutRequest::default()
    } else {
        parse_json(&bytes)?
    };
    body.validate()?;
    state.db.run(move |c| session::logout(c, &caller, body.refresh_token.as_deref())).await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(token).service(refresh).service(logout);
}
