//! Version 1 of the API, mounted at `/api/v1`.

pub mod auth;
pub mod cases;
pub mod desks;
pub mod family_members;
pub mod interventions;
pub mod me;
pub mod organizations;
pub mod patch;
pub mod users;

/// Every `/api/v1` route; utoipa-actix-web collects their OpenAPI paths from the same calls.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    auth::routes(cfg);
    me::routes(cfg);
    organizations::routes(cfg);
    desks::routes(cfg);
    users::routes(cfg);
    cases::routes(cfg);
}
