//! Logging in, refreshing and logging out: the account rules (lockout, deactivation, rotation and
//! reuse detection) in one place, so the token endpoint stays a thin handler.

use crate::auth::password;
use crate::auth::tokens::{self, REFRESH_TOKEN_TTL_DAYS, TokenService};
use crate::db::audit::{self, AuditEvent};
use crate::db::{self, DbConnection, refresh_tokens, users, users::UserRow};
use crate::domain::account::normalize_username;
use crate::error::{Error, Result};

/// What a successful login or refresh hands back.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

fn event(origin: &Origin, action: &str, user: Option<&UserRow>, outcome: &str) -> AuditEvent {
    let mut e = AuditEvent::anonymous(action, "user", origin.request_id.clone(), origin.client_ip.clone())
        .outcome(outcome);
    if let Some(u) = user {
        e.actor_id = Some(u.id.clone());
        e.actor_organization_id = Some(u.organization_id.clone());
        e.actor_role = Some(u.role.clone());
        e.resource_id = Some(u.id.clone());
    }
    e
}

/// The password grant. Every failure — unknown user, wrong password, locked, deactivated — is the same 401.
/// Runs on a blocking thread: argon2 takes tens of milliseconds.
pub fn password_login(
    conn: &mut DbConnection,
    tokens: &TokenService,
    username: &str,
    password_given: &str,
    origin: &Origin,
) -> Result<Session> {
    let Some(user) = users::find_by_username(conn, &normalize_username(username))? else {
        password::verify_against_dummy(password_given);
        audit::record(conn, &event(origin, "auth.login", None, "failure"))?;
        return Err(Error::InvalidGrant);
    };
    let now = db::now();
    if user.failures().is_locked(now) {
        password::verify_against_dummy(password_given);
        audit::record(conn, &event(origin, "auth.login_locked", Some(&user), "denied"))?;
        return Err(Error::InvalidGrant);
    }
    if !password::verify(password_given, &user.password_hash) {
        let locked = db::write_tx(conn, |c| {
            // Re-read inside the transaction so concurrent failures all count.
            let current = users::find(c, &user.id)?.ok_or(Error::InvalidGrant)?;
            let (next, locked) = current.failures().after_failure(now);
            users::set_login_state(c, &user.id, next, false)?;
            audit::record(c, &event(origin, "auth.login", Some(&user), "failure"))?;
            if locked {
                audit::record(c, &event(origin, "auth.lockout", Some(&user), "denied"))?;
            }
            Ok(locked)
        })?;
        if locked {
            log::warn!("account {} locked after repeated failed logins", user.id);
        }
        return Err(Error::InvalidGrant);
    }
    if !user.active {
        audit::record(conn, &event(origin, "auth.login_inactive", Some(&user), "denied"))?;
        return Err(Error::InvalidGrant);
    }
    let (access_token, expires_in) = tokens.issue(&user.id, &user.organization_id, user.role()?)?;
    let (refresh_token, hash) = tokens::new_refresh_token()?;
    db::write_tx(conn, |c| {
        users::set_login_state(c, &user.id, Default::default(), true)?;
        refresh_tokens::insert(c, &user.id, &db::new_id(), &hash, REFRESH_TOKEN_TTL_DAYS)?;
        audit::record(c, &event(origin, "auth.login", Some(&user), "success"))
    })?;
    Ok(Session { access_token, expires_in, refresh_token })
}

/// The refresh_token grant: rotates the token. Presenting an already rotated token means it was stolen
/// or replayed: the whole family is revoked.
pub fn refresh(
    conn: &mut DbConnection,
    tokens: &TokenService,
    presented: &str,
    origin: &Origin,
) -> Result<Session> {
    let hash = tokens::hash_refresh_token(presented);
    let outcome = db::write_tx(conn, |c| {
        let Some(stored) = refresh_tokens::find_by_hash(c, &hash)? else { return Ok(Err(())) };
        let user = users::find(c, &stored.user_id)?;
        let reused = stored.used_at.is_some()
            || (stored.revoked_at.is_none() && !refresh_tokens::mark_used(c, &stored.id)?);
        if reused {
            refresh_tokens::revoke_family(c, &stored.family_id)?;
            audit::record(c, &event(origin, "auth.refresh_reuse", user.as_ref(), "denied"))?;
            return Ok(Err(()));
        }
        let usable = stored.revoked_at.is_none() && stored.expires_at > db::now();
        match user {
            Some(user) if usable && user.active => {
                let (refresh_token, new_hash) = tokens::new_refresh_token()?;
                refresh_tokens::insert(c, &user.id, &stored.family_id, &new_hash, REFRESH_TOKEN_TTL_DAYS)?;
                audit::record(c, &event(origin, "auth.refresh", Some(&user), "success"))?;
                Ok(Ok((user, refresh_token)))
            }
            other => {
                audit::record(c, &event(origin, "auth.refresh", other.as_ref(), "denied"))?;
                Ok(Err(()))
            }
        }
    })?;
    // The reuse revocation above must commit even though the request fails.
    let (user, refresh_token) = outcome.map_err(|_| Error::InvalidGrant)?;
    let (access_token, expires_in) = tokens.issue(&user.id, &user.organization_id, user.role()?)?;
    Ok(Session { access_token, expires_in, refresh_token })
}

/// Logout: revokes the presented refresh token's family, or every refresh token of the user.
pub fn logout(
    conn: &mut DbConnection,
    caller: &crate::auth::principal::Caller,
    presented: Option<&str>,
) -> Result<()> {
    db::write_tx(conn, |c| {
        match presented {
            Some(token) => {
                let stored = refresh_tokens::find_by_hash(c, &tokens::hash_refresh_token(token))?;
                // Someone else's token is not yours to revoke; say nothing about it.
                if let Some(stored) = stored.filter(|s| s.user_id == caller.principal.user_id) {
                    refresh_tokens::revoke_family(c, &stored.family_id)?;
                }
            }
            None => {
                refresh_tokens::revoke_all_for_user(c, &caller.principal.user_id)?;
            }
        }
        audit::record(c, &AuditEvent::by(caller, "auth.logout", "user", Some(&caller.principal.user_id)))
    })
}
