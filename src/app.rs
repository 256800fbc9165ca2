//! Builds the HTTP application: shared state, middleware, routes, docs, and the server itself.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, http::header, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::tokens::TokenService;
use crate::config::Settings;
use crate::db::Database;
use crate::http::{fallback, middleware};

/// How long without a request before freed memory goes back to the operating system (src/memory.rs).
const IDLE_BEFORE_TRIM: std::time::Duration = std::time::Duration::from_millis(250);

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    /// Records the audit entries of reads, committed in groups (see `db::audit_writer`).
    pub audit: crate::db::audit_writer::AuditWriter,
    pub tokens: TokenService,
    pub settings: Settings,
    pub login_limiter: crate::http::rate_limit::RateLimiter,
    pub metrics: crate::http::metrics::Metrics,
    /// The time deadlines and overdue are judged by (set by hand in tests).
    pub clock: crate::clock::Clock,
    /// Where uploaded documents' bytes go and are read from.
    pub documents: crate::db::document_store::DocumentStore,
}

/// A server bound to its port, ready to run, with its background tasks (housekeeping, webhook worker).
pub struct Application {
    server: Server,
    port: u16,
    background: Vec<actix_web::rt::task::JoinHandle<()>>,
}

/// Stops a running [`Application`]: its background tasks at once, then the server, gracefully.
#[derive(Clone)]
pub struct StopHandle {
    server: actix_web::dev::ServerHandle,
    background: Vec<tokio::task::AbortHandle>,
}

impl StopHandle {
    pub async fn stop(&self) {
        self.background.iter().for_each(|task| task.abort());
        self.server.stop(true).await;
    }
}

impl Application {
    /// Connects and migrates the database, bootstraps the first admin, binds the listener.
    pub fn build(settings: Settings) -> Result<Self, Box<dyn std::error::Error>> {
        Self::build_with_clock(settings, crate::clock::Clock::system())
    }

    /// [`Application::build`] with a given clock (tests set the time by hand).
    pub fn build_with_clock(
        settings: Settings,
        clock: crate::clock::Clock,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let db = Database::connect(&settings.database, settings.db_pool_size)?;
        let applied = db.migrate()?;
        if applied > 0 {
            log::info!("applied {applied} migration(s) on {}", settings.database.backend_name());
        }
        crate::bootstrap::ensure_platform_admin(&db, &settings)?;
        let secret = crate::bootstrap::jwt_secret(&settings)?;
        let tokens = TokenService::new(&secret, &settings.jwt_issuer, &settings.jwt_audience);

        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        // Blocking work (every query) waits for one of the pool's connections anyway: more threads than
        // connections only add stacks and malloc arenas (hundreds of MiB under 256 connections).
        let blocking_threads = (settings.db_pool_size as usize).max(2);
        let cors_origins = settings.cors_origins.clone();
        let login_limiter = crate::http::rate_limit::RateLimiter::new(
            settings.login_rate_per_minute,
            std::time::Duration::from_secs(60),
        );
        let audit = crate::db::audit_writer::AuditWriter::start(db.clone())?;
        let documents = crate::db::document_store::DocumentStore::open(&settings.documents.store)?;
        let state = web::Data::new(AppState {
            db,
            audit,
            tokens,
            settings,
            login_limiter,
            metrics: Default::default(),
            clock,
            documents,
        });
        let background = vec![
            spawn_housekeeping(state.db.clone(), state.documents.clone()),
            crate::webhooks::spawn(
                state.db.clone(),
                state.clock.clone(),
                state.settings.webhook_allow_private,
                state.settings.webhook_poll,
            ),
        ];
        let db = state.db.clone();
        crate::memory::release_when_idle(state.metrics.activity(), IDLE_BEFORE_TRIM, move || {
            db.release_memory()
        })?;
        let spec = crate::openapi::document();
        let routes = web::Data::new(fallback::RouteTable::from_openapi(&spec));
        // Served as bytes serialized once and shared: Swagger UI's own handler keeps a copy of the document's
        // tree in every worker (about 25 MiB of a 40 MiB heap at start) and serializes it on every request.
        let spec_json = web::Data::new(OpenApiJson(serde_json::to_vec(&spec)?.into()));
        drop(spec);

        let server = HttpServer::new(move || {
            App::new()
                .into_utoipa_app()
                .app_data(state.clone())
                .app_data(routes.clone())
                .app_data(web::PathConfig::default().error_handler(|_, req| fallback::path_error(req)))
                .configure(crate::api::routes)
                .into_app()
                .route("/api-docs/openapi.json", web::get().to(openapi_document))
                .app_data(spec_json.clone())
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}").config(
                        SwaggerConfig::new(["/api-docs/openapi.json"])
                            .validator_url("none")
                            .persist_authorization(true),
                    ),
                )
                .route("/swagger-ui", web::get().to(redirect_to_swagger))
                .default_service(web::to(fallback::not_found_or_method_not_allowed))
                .wrap(cors(&cors_origins))
                .wrap(from_fn(middleware::envelope))
                // Outermost: the envelope rewrites error bodies, so it must see them before they are compressed.
                .wrap(Compress::default())
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking_threads)
        .listen(listener)?
        .run();
        // Migrations, the bootstrap and the OpenAPI document freed more than the server keeps.
        crate::memory::trim();
        Ok(Application { server, port, background })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            server: self.server.handle(),
            background: self.background.iter().map(|task| task.abort_handle()).collect(),
        }
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.background.iter().for_each(|task| task.abort());
        result
    }
}

/// Hourly: forget Idempotency-Keys past their retention and webhook deliveries delivered long ago; remove
/// document files that no row names any more.
fn spawn_housekeeping(
    db: Database,
    documents: crate::db::document_store::DocumentStore,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match db.run(crate::db::idempotency::purge_expired).await {
                Ok(0) => {}
                Ok(n) => log::info!("purged {n} expired idempotency keys"),
                Err(e) => log::warn!("idempotency key purge failed: {e}"),
            }
            let kept_since = crate::db::now() - crate::db::webhooks::DELIVERED_KEPT;
            match db.run(move |c| crate::db::webhooks::purge_delivered(c, kept_since)).await {
                Ok(0) => {}
                Ok(n) => log::info!("purged {n} webhook deliveries delivered long ago"),
                Err(e) => log::warn!("webhook delivery purge failed: {e}"),
            }
            let store = documents.clone();
            match db.run(move |c| store.sweep(c)).await {
                Ok(0) => {}
                Ok(n) => log::info!("removed {n} orphan document file(s)"),
                Err(e) => log::warn!("document file sweep failed: {e}"),
            }
        }
    })
}

/// The OpenAPI document, serialized at start.
struct OpenApiJson(web::Bytes);

async fn openapi_document(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type(mime::APPLICATION_JSON).body(doc.0.clone())
}

async fn redirect_to_swagger() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/swagger-ui/")).finish()
}

/// Browsers may call the API only from the configured origins.
fn cors(origins: &[String]) -> Cors {
    let allowed: Arc<Vec<String>> = Arc::new(origins.to_vec());
    Cors::default()
        .allowed_origin_fn(move |origin, _| origin.to_str().is_ok_and(|o| allowed.iter().any(|a| a == o)))
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .max_age(3600)
}
