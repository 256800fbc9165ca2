//! HTTP handlers with their request/response DTOs and OpenAPI annotations, one file per resource.

pub mod health;
pub mod v1;

use actix_web::middleware::from_fn;

/// Every documented route: health probes and `/api/v1` (where POSTs honour Idempotency-Key).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(health::live).service(health::ready).service(health::metrics).service(
        utoipa_actix_web::scope("/api/v1")
            .wrap(from_fn(crate::http::idempotency::idempotency))
            .configure(v1::routes),
    );
}
