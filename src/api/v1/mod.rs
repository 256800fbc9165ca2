//! Version 1 of the API, mounted at `/api/v1`.

pub mod auth;
pub mod cases;
pub mod consents;
pub mod desks;
pub mod family_members;
pub mod grants;
pub mod interventions;
pub mod me;
pub mod opening_hours;
pub mod organizations;
pub mod patch;
pub mod protocols;
pub mod providers;
pub mod referrals;
pub mod services;
pub mod transfers;
pub mod users;

/// Every `/api/v1` route; utoipa-actix-web collects their OpenAPI paths from the same calls.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    auth::routes(cfg);
    me::routes(cfg);
    organizations::routes(cfg);
    desks::routes(cfg);
    users::routes(cfg);
    cases::routes(cfg);
    providers::routes(cfg);
    services::routes(cfg);
    protocols::routes(cfg);
    referrals::routes(cfg);
    transfers::routes(cfg);
}
