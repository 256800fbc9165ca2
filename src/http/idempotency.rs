//! `Idempotency-Key` on POST: a retry with the same key and body returns the first response; the same key
//! with another body is 422. Keys belong to the authenticated caller and live for 24 hours.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::principal::bearer_token;
use crate::auth::tokens::hex;
use crate::db::idempotency::{self, Claim, StoredResponse};
use crate::error::Error;
use crate::http::{BODY_LIMIT, json::is_multipart, json::read_body};

pub const HEADER: &str = "idempotency-key";
/// Response headers worth replaying.
const KEPT_HEADERS: [header::HeaderName; 3] = [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(v) if req.method() == Method::POST => v.to_str().unwrap_or("").to_string(),
        _ => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
    };
    if !valid_key(&key) {
        return Err(
            Error::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()).into()
        );
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(Error::internal("idempotency", "application state missing").into());
    };
    // Unauthenticated requests go on to be refused by the handler's own extractor.
    let Some(principal) = bearer_token(req.request()).and_then(|t| state.tokens.verify(t).ok()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };

    let mut payload = req.take_payload();
    // The body is kept to be hashed and replayed: a document upload's may be as large as its limit.
    let limit =
        if is_multipart(req.request()) { state.settings.documents.upload_body_limit() } else { BODY_LIMIT };
    let body = read_body(&req.request().clone(), &mut payload, limit).await?;
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update([0]);
    hasher.update(req.query_string().as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let request_hash = hex(&hasher.finalize());
    let replay_body = body.clone();
    req.set_payload(Payload::from(Box::pin(futures_util::stream::once(async move { Ok(replay_body) }))
        as actix_http_payload::BoxedStream));

    let owner = principal.user_id.clone();
    let (o, k) = (owner.clone(), key.clone());
    match state.db.run(move |c| idempotency::claim(c, &o, &k, &request_hash)).await? {
        Claim::New => {}
        Claim::Replay(stored) => return Ok(req.into_response(build(&stored, true))),
        Claim::Mismatch => return Err(Error::IdempotencyKeyReused.into()),
        Claim::InFlight => {
            return Err(Error::conflict(
                "idempotency_in_flight",
                "a request with this Idempotency-Key is still running",
            )
            .into());
        }
    }

    let outcome = next.call(req).await;
    match outcome {
        Ok(res) if res.status().is_success() => {
            let (http_req, response) = res.into_parts();
            let status = response.status();
            let headers: Vec<(String, String)> = KEPT_HEADERS
                .iter()
                .filter_map(|h| {
                    response
                        .headers()
                        .get(h)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| (h.to_string(), v.to_string()))
                })
                .collect();
            let bytes = to_bytes(response.into_body())
                .await
                .map_err(|_| Error::internal("idempotency", "response body unreadable"))?;
            let stored = StoredResponse {
                status: status.as_u16(),
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            let to_store = stored.clone();
            state.db.run(move |c| idempotency::complete(c, &owner, &key, &to_store)).await?;
            Ok(ServiceResponse::new(http_req, build(&stored, false)))
        }
        other => {
            state.db.run(move |c| idempotency::release(c, &owner, &key)).await?;
            other.map(ServiceResponse::map_into_boxed_body)
        }
    }
}

/// The stored response; a replay says so in `Idempotent-Replayed: true`.
fn build(stored: &StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        res.insert_header((name.as_str(), value.as_str()));
    }
    if replayed {
        res.insert_header(("idempotent-replayed", "true"));
    }
    res.body(stored.body.clone())
}

mod actix_http_payload {
    pub type BoxedStream = std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>>>,
    >;
}
