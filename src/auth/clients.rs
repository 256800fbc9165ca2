//! The client-credentials grant: a district platform's machine account exchanges its id and secret for a
//! short access token with the `integration` role. No refresh token: the client simply asks again.

use crate::auth::session::Origin;
use crate::auth::tokens::{self, TokenService};
use crate::db::audit::{self, AuditEvent};
use crate::db::{self, DbConnection, integration_clients::ClientRow};
use crate::domain::role::Role;
use crate::error::{Error, Result};

/// After a rotation the previous secret keeps working this long, so a platform can roll its configuration.
pub const PREVIOUS_SECRET_GRACE_HOURS: i64 = 24;

fn event(origin: &Origin, client: Option<&ClientRow>, outcome: &str) -> AuditEvent {
    let mut e = AuditEvent::anonymous(
        "auth.client_token",
        "integration_client",
        origin.request_id.clone(),
        origin.client_ip.clone(),
    )
    .outcome(outcome);
    if let Some(c) = client {
        e.actor_id = Some(c.id.clone());
        e.actor_role = Some(Role::Integration.to_string());
        e.resource_id = Some(c.id.clone());
    }
    e
}

/// Whether `secret` is the client's current secret, or its previous one within the grace period.
pub fn secret_matches(client: &ClientRow, secret: &str, now: chrono::NaiveDateTime) -> bool {
    let presented = tokens::hash_refresh_token(secret);
    let previous_ok = match (&client.previous_secret_hash, client.previous_valid_until) {
        (Some(hash), Some(until)) => now < until && tokens::same_hash(hash, &presented),
        _ => false,
    };
    tokens::same_hash(&client.secret_hash, &presented) | previous_ok
}

/// An access token for a live client presenting a valid secret; every failure is the same 401.
pub fn client_token(
    conn: &mut DbConnection,
    service: &TokenService,
    client_id: &str,
    secret: &str,
    origin: &Origin,
) -> Result<(String, i64)> {
    let now = db::now();
    let client = match uuid::Uuid::parse_str(client_id) {
        Ok(id) => db::integration_clients::find(conn, &id.to_string())?,
        Err(_) => None,
    };
    let Some(client) = client.filter(|c| c.active && secret_matches(c, secret, now)) else {
        audit::record(conn, &event(origin, None, "failure"))?;
        return Err(Error::InvalidGrant);
    };
    let organizations = client.organizations()?;
    let home =
        organizations.first().ok_or_else(|| Error::internal("integration client", "no organization"))?;
    db::integration_clients::touch(conn, &client.id, now)?;
    let mut e = event(origin, Some(&client), "success");
    e.actor_organization_id = Some(home.clone());
    audit::record(conn, &e)?;
    service.issue(&client.id, home, Role::Integration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(secret_hash: &str) -> ClientRow {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default();
        ClientRow {
            id: "c".into(),
            name: "n".into(),
            organization_ids: "[]".into(),
            secret_hash: secret_hash.into(),
            previous_secret_hash: None,
            previous_valid_until: None,
            active: true,
            created_by: "u".into(),
            last_used_at: None,
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn the_previous_secret_works_only_until_its_grace_ends() {
        let (old, old_hash) = tokens::new_secret("cs_").unwrap_or_default();
        let (new, new_hash) = tokens::new_secret("cs_").unwrap_or_default();
        let mut c = client(&new_hash);
        let now = c.created_at;
        assert!(secret_matches(&c, &new, now));
        assert!(!secret_matches(&c, &old, now));
        c.previous_secret_hash = Some(old_hash);
        c.previous_valid_until = Some(now + chrono::Duration::hours(1));
        assert!(secret_matches(&c, &old, now));
        assert!(!secret_matches(&c, &old, now + chrono::Duration::hours(1)));
        assert!(!secret_matches(&c, "cs_guess", now));
    }
}
