//! Version 1 of the API, mounted at `/api/v1`.

pub mod activations;
pub mod appointments;
pub mod assessments;
pub mod assignments;
pub mod audit_events;
pub mod auth;
pub mod care;
pub mod cases;
pub mod consents;
pub mod contacts;
pub mod courses;
pub mod desks;
pub mod documents;
pub mod family_members;
pub mod grants;
pub mod integration_clients;
pub mod interventions;
pub mod me;
pub mod opening_hours;
pub mod organizations;
pub mod patch;
pub mod plans;
pub mod professionals;
pub mod protocols;
pub mod providers;
pub mod referrals;
pub mod services;
pub mod stats;
pub mod sync;
pub mod transfers;
pub mod users;
pub mod webhooks;

/// Every `/api/v1` route; utoipa-actix-web collects their OpenAPI paths from the same calls.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    auth::routes(cfg);
    me::routes(cfg);
    professionals::own_routes(cfg);
    organizations::routes(cfg);
    desks::routes(cfg);
    users::routes(cfg);
    cases::routes(cfg);
    documents::routes(cfg);
    contacts::routes(cfg);
    courses::routes(cfg);
    providers::routes(cfg);
    services::routes(cfg);
    protocols::routes(cfg);
    referrals::routes(cfg);
    transfers::routes(cfg);
    professionals::routes(cfg);
    activations::routes(cfg);
    assignments::routes(cfg);
    care::routes(cfg);
    plans::worklist::routes(cfg);
    audit_events::routes(cfg);
    integration_clients::routes(cfg);
    sync::routes(cfg);
    webhooks::routes(cfg);
    stats::routes(cfg);
}
