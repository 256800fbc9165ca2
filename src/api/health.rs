//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::Result;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: String,
}

/// Liveness
///
/// The process is up and serving HTTP. Cheap: touches nothing else.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness
///
/// The database answers; 503 when it does not.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "The database is unreachable", body = crate::http::Problem,
        content_type = "application/problem+json")
))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse> {
    state.db.run(crate::db::ping).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
}

/// Metrics
///
/// Prometheus text format: request counts and latency histograms per route template, and the database
/// pool's gauges. Holds no personal data; expose it to the monitoring network only.
#[utoipa::path(tag = "health", responses((status = 200, description = "Prometheus metrics",
    content_type = "text/plain; version=0.0.4", body = String,
    example = "sportello_db_pool_connections 3\n")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let (open, idle, max) = state.db.pool_state();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(open, idle, max))
}
