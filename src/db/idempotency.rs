//! Stored responses of POSTs sent with an Idempotency-Key. The key is claimed by inserting its row
//! (unique per caller), so two nodes cannot both run the same request.

use diesel::prelude::*;

use crate::db::{DbConnection, now, schema::idempotency_keys as k, write_tx};
use crate::error::{Error, Result};

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug)]
pub enum Claim {
    /// First use: run the request.
    New,
    /// Same key, same request, already answered.
    Replay(StoredResponse),
    /// Same key, different request.
    Mismatch,
    /// Same key, same request, still running.
    InFlight,
}

pub fn claim(conn: &mut DbConnection, owner: &str, key: &str, request_hash: &str) -> Result<Claim> {
    write_tx(conn, |conn| {
        let existing = k::table
            .filter(k::owner_id.eq(owner).and(k::idempotency_key.eq(key)))
            .select((k::request_hash, k::status, k::response_headers, k::response_body, k::created_at))
            .first::<(String, Option<i32>, Option<String>, Option<String>, chrono::NaiveDateTime)>(conn)
            .optional()?;
        let expired_before = now() - chrono::Duration::hours(RETENTION_HOURS);
        match existing {
            Some((_, _, _, _, created)) if created < expired_before => {
                diesel::delete(k::table.filter(k::owner_id.eq(owner).and(k::idempotency_key.eq(key))))
                    .execute(conn)?;
            }
            Some((hash, _, _, _, _)) if hash != request_hash => return Ok(Claim::Mismatch),
            Some((_, None, _, _, _)) => return Ok(Claim::InFlight),
            Some((_, Some(status), headers, body, _)) => {
                let headers: Vec<(String, String)> = headers
                    .map(|h| serde_json::from_str(&h))
                    .transpose()
                    .map_err(|e| Error::internal("idempotency", e))?
                    .unwrap_or_default();
                return Ok(Claim::Replay(StoredResponse {
                    status: status as u16,
                    headers,
                    body: body.unwrap_or_default(),
                }));
            }
            None => {}
        }
        diesel::insert_into(k::table)
            .values((
                k::owner_id.eq(owner),
                k::idempotency_key.eq(key),
                k::request_hash.eq(request_hash),
                k::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(Claim::New)
    })
}

pub fn complete(conn: &mut DbConnection, owner: &str, key: &str, response: &StoredResponse) -> Result<()> {
    let headers = serde_json::to_string(&response.headers).map_err(|e| Error::internal("idempotency", e))?;
    diesel::update(k::table.filter(k::owner_id.eq(owner).and(k::idempotency_key.eq(key))))
        .set((
            k::status.eq(Some(response.status as i32)),
            k::response_headers.eq(Some(headers)),
            k::response_body.eq(Some(&response.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a claim whose request failed, so the client may retry it.
pub fn release(conn: &mut DbConnection, owner: &str, key: &str) -> Result<()> {
    diesel::delete(
        k::table.filter(k::owner_id.eq(owner).and(k::idempotency_key.eq(key)).and(k::status.is_null())),
    )
    .execute(conn)?;
    Ok(())
}

/// Drops keys past retention; run periodically.
pub fn purge_expired(conn: &mut DbConnection) -> Result<usize> {
    let cutoff = now() - chrono::Duration::hours(RETENTION_HOURS);
    Ok(diesel::delete(k::table.filter(k::created_at.lt(cutoff))).execute(conn)?)
}
