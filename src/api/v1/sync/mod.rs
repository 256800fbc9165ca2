//! `/api/v1/sync`: what district platforms use to keep their copy of cases in step — the change feed and
//! upserts by the id a case has in the platform. See the README's "Sync protocol for integrators".

pub mod batch;
pub mod feed;
pub mod upsert;

use crate::auth::Principal;
use crate::db::{DbConnection, changes::FeedScope, integration_clients};
use crate::domain::role::Role;
use crate::error::{Error, Result};

/// The organizations whose cases a caller syncs: an integration client's (re-read on every call, so a
/// revoked client is refused at once), a coordinator's own, every one for an admin.
pub fn sync_scope(c: &mut DbConnection, principal: &Principal) -> Result<FeedScope> {
    match principal.role {
        Role::Admin => Ok(FeedScope::All),
        Role::Integration => {
            let client = integration_clients::find(c, &principal.user_id)?
                .filter(|client| client.active)
                .ok_or(Error::Unauthorized)?;
            Ok(FeedScope::Organizations(client.organizations()?))
        }
        _ => Ok(FeedScope::Organizations(vec![principal.organization_id.clone()])),
    }
}

impl FeedScope {
    pub fn includes(&self, organization_id: &str) -> bool {
        match self {
            FeedScope::All => true,
            FeedScope::Organizations(orgs) => orgs.iter().any(|o| o == organization_id),
        }
    }
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/sync")
            .service(feed::read_changes)
            .service(batch::batch)
            .service(upsert::put_case),
    );
}
