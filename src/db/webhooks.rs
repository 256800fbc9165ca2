//! Webhooks repository: subscriptions, and the delivery queue the worker fills from the change feed and
//! drains. Every read of a subscription is scoped by organization in the query (`None`: an admin's all).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{webhook_deliveries as wd, webhook_subscriptions as ws};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = ws, treat_none_as_null = true)]
pub struct SubscriptionRow {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: String,
    pub secret: String,
    pub active: bool,
    pub feed_cursor: i64,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub lease_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// How long a delivered delivery stays listable; failed ones stay until re-sent or their subscription goes.
pub const DELIVERED_KEPT: chrono::Duration = chrono::Duration::days(30);

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

pub fn insert(conn: &mut DbConnection, row: &SubscriptionRow) -> Result<()> {
    diesel::insert_into(ws::table).values(row).execute(conn)?;
    Ok(())
}

/// The subscription, if it exists in `organization` (any organization when `None`).
pub fn find(
    conn: &mut DbConnection,
    id: &str,
    organization: Option<&str>,
) -> Result<Option<SubscriptionRow>> {
    let mut q = ws::table.filter(ws::id.eq(id)).select(SubscriptionRow::as_select()).into_boxed();
    if let Some(org) = organization {
        q = q.filter(ws::organization_id.eq(org.to_string()));
    }
    Ok(q.first(conn).optional()?)
}

/// Newest first; the cursor is the last id seen.
pub fn list(
    conn: &mut DbConnection,
    organization: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<SubscriptionRow>> {
    let mut q = ws::table.select(SubscriptionRow::as_select()).into_boxed();
    if let Some(org) = organization {
        q = q.filter(ws::organization_id.eq(org.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(ws::id.lt(after.to_string()));
    }
    Ok(q.order(ws::id.desc()).limit(limit + 1).load(conn)?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412). The feed cursor is the
/// worker's: it is left as stored.
pub fn save(conn: &mut DbConnection, row: &SubscriptionRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(ws::table.filter(ws::id.eq(&row.id)).filter(ws::version.eq(expected_version)))
        .set((
            ws::url.eq(&row.url),
            ws::description.eq(&row.description),
            ws::event_types.eq(&row.event_types),
            ws::secret.eq(&row.secret),
            ws::active.eq(row.active),
            ws::version.eq(row.version),
            ws::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Removes the subscription and its deliveries.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    diesel::delete(wd::table.filter(wd::subscription_id.eq(id))).execute(conn)?;
    diesel::delete(ws::table.filter(ws::id.eq(id))).execute(conn)?;
    Ok(())
}

pub fn active(conn: &mut DbConnection) -> Result<Vec<SubscriptionRow>> {
    Ok(ws::table.filter(ws::active.eq(true)).select(SubscriptionRow::as_select()).order(ws::id).load(conn)?)
}

/// Queues deliveries and moves the subscription's cursor from `from` to `to`, unless another node did it
/// first (then nothing is written and the answer is false).
pub fn enqueue(
    conn: &mut DbConnection,
    subscription_id: &str,
    from: i64,
    to: i64,
    deliveries: &[DeliveryRow],
) -> Result<bool> {
    let moved = diesel::update(ws::table.filter(ws::id.eq(subscription_id)).filter(ws::feed_cursor.eq(from)))
        .set(ws::feed_cursor.eq(to))
        .execute(conn)?;
    if moved == 0 {
        return Ok(false);
    }
    // One statement per row: the multi-backend connection has no multi-row INSERT.
    for delivery in deliveries {
        diesel::insert_into(wd::table).values(delivery).execute(conn)?;
    }
    Ok(true)
}

/// Deliveries due at `now` that no node is sending, oldest first.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> Result<Vec<String>> {
    Ok(wd::table
        .filter(wd::status.eq(PENDING))
        .filter(wd::next_attempt_at.le(now))
        .filter(wd::lease_until.is_null().or(wd::lease_until.lt(now)))
        .order(wd::next_attempt_at)
        .select(wd::id)
        .limit(limit)
        .load(conn)?)
}

/// Takes a due delivery for this node until `until`; false when another node took it first.
pub fn claim(conn: &mut DbConnection, id: &str, now: NaiveDateTime, until: NaiveDateTime) -> Result<bool> {
    let n = diesel::update(
        wd::table
            .filter(wd::id.eq(id))
            .filter(wd::status.eq(PENDING))
            .filter(wd::lease_until.is_null().or(wd::lease_until.lt(now))),
    )
    .set(wd::lease_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// A claimed delivery with where and how to send it.
pub fn claimed(conn: &mut DbConnection, id: &str) -> Result<Option<(DeliveryRow, String, String)>> {
    Ok(wd::table
        .inner_join(ws::table)
        .filter(wd::id.eq(id))
        .select((DeliveryRow::as_select(), ws::url, ws::secret))
        .first(conn)
        .optional()?)
}

/// What an attempt came to.
pub struct Attempt<'a> {
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    /// None: delivered. Some(None): given up. Some(Some(t)): try again at t.
    pub retry: Option<Option<NaiveDateTime>>,
}

pub fn record_attempt(conn: &mut DbConnection, id: &str, attempt: &Attempt) -> Result<()> {
    let (status, next, delivered_at) = match attempt.retry {
        None => (DELIVERED, None, Some(attempt.at)),
        Some(None) => (FAILED, None, None),
        Some(Some(at)) => (PENDING, Some(at), None),
    };
    diesel::update(wd::table.filter(wd::id.eq(id)))
        .set((
            wd::status.eq(status),
            wd::attempts.eq(wd::attempts + 1),
            wd::next_attempt_at.eq(next),
            wd::lease_until.eq(None::<NaiveDateTime>),
            wd::last_attempt_at.eq(attempt.at),
            wd::last_status_code.eq(attempt.status_code),
            wd::last_error.eq(attempt.error),
            wd::delivered_at.eq(delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A subscription's deliveries, newest first, optionally of one status.
pub fn deliveries(
    conn: &mut DbConnection,
    subscription_id: &str,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let mut q = wd::table
        .filter(wd::subscription_id.eq(subscription_id))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(wd::status.eq(status.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(wd::id.lt(after.to_string()));
    }
    Ok(q.order(wd::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn find_delivery(
    conn: &mut DbConnection,
    subscription_id: &str,
    id: &str,
) -> Result<Option<DeliveryRow>> {
    Ok(wd::table
        .filter(wd::id.eq(id))
        .filter(wd::subscription_id.eq(subscription_id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Queues a delivery again, now, for a new series of attempts (the count starts again; the last status and
/// error stay until the next attempt). One being sent right now is left alone: its attempt decides.
pub fn resend(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<bool> {
    let n = diesel::update(
        wd::table.filter(wd::id.eq(id)).filter(wd::lease_until.is_null().or(wd::lease_until.lt(now))),
    )
    .set((
        wd::status.eq(PENDING),
        wd::attempts.eq(0),
        wd::next_attempt_at.eq(now),
        wd::lease_until.eq(None::<NaiveDateTime>),
        wd::delivered_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Forgets deliveries delivered before `before`; answers how many.
pub fn purge_delivered(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize> {
    Ok(diesel::delete(wd::table.filter(wd::status.eq(DELIVERED)).filter(wd::delivered_at.lt(before)))
        .execute(conn)?)
}
