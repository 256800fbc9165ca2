//! Referrals repository, with their event history. Visibility is decided inside each query by
//! [`ReferralScope`]: the sending side reaches a referral through its case, the receiving side through the
//! provider's organization (never a draft).

use diesel::prelude::*;

use crate::auth::policy::ReferralScope;
use crate::db::schema::{case_access_grants as g, cases as c, referral_events as e, referrals as r};
use crate::db::{DbConnection, now};
use crate::domain::Code;
use crate::domain::referral::ReferralStatus;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = r, treat_none_as_null = true)]
pub struct ReferralRow {
    pub id: String,
    pub case_id: String,
    pub sender_organization_id: String,
    pub created_by: String,
    pub provider_id: String,
    pub service_id: Option<String>,
    pub receiving_organization_id: Option<String>,
    pub need: String,
    pub urgency: String,
    pub reason: String,
    pub due_on: Option<chrono::NaiveDate>,
    pub consent_id: Option<String>,
    pub consent_override_reason: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub requested_at: Option<chrono::NaiveDateTime>,
    pub answered_at: Option<chrono::NaiveDateTime>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = e)]
pub struct EventRow {
    pub id: String,
    pub referral_id: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: String,
    pub actor_organization_id: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub occurred_at: chrono::NaiveDateTime,
}

/// Which side of the loop a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

#[derive(Debug, Default, Clone)]
pub struct ReferralFilter {
    pub case_id: Option<String>,
    pub direction: Option<Direction>,
    pub status: Option<String>,
    pub provider_id: Option<String>,
    pub need: Option<String>,
    /// Open referrals whose due date is before this day.
    pub due_before: Option<chrono::NaiveDate>,
    /// Referrals requested at or before this time and still without an answer.
    pub unanswered_since: Option<chrono::NaiveDateTime>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

const OPEN: [&str; 6] = ["draft", "requested", "received", "accepted", "in_progress", "on_hold"];

/// Referrals the scope reaches, from either side.
fn scoped<'a>(scope: &ReferralScope, direction: Option<Direction>) -> r::BoxedQuery<'a, Backend> {
    let q = r::table.into_boxed();
    let ReferralScope::Organization { id, as_sender, as_receiver } = scope else {
        return match direction {
            Some(Direction::Received) => q.filter(r::receiving_organization_id.is_not_null()),
            _ => q,
        };
    };
    let sender = *as_sender && direction != Some(Direction::Received);
    let receiver = *as_receiver && direction != Some(Direction::Sent);
    // The sending side: whoever sees the case (owner, or holder of a live grant).
    let owned =
        c::table.select(c::id).filter(c::organization_id.eq(id.clone())).filter(c::deleted_at.is_null());
    let granted = g::table
        .select(g::case_id)
        .filter(g::organization_id.eq(id.clone()))
        .filter(g::revoked_at.is_null())
        .filter(g::expires_at.is_null().or(g::expires_at.gt(now())));
    let receiving =
        r::receiving_organization_id.eq(id.clone()).and(r::status.ne(ReferralStatus::Draft.as_str()));
    match (sender, receiver) {
        (true, true) => q.filter(r::case_id.eq_any(owned).or(r::case_id.eq_any(granted)).or(receiving)),
        (true, false) => q.filter(r::case_id.eq_any(owned).or(r::case_id.eq_any(granted))),
        (false, true) => q.filter(receiving),
        // Neither side: nothing (ids are never null).
        (false, false) => q.filter(r::id.is_null()),
    }
}

pub fn insert(conn: &mut DbConnection, row: &ReferralRow) -> Result<()> {
    diesel::insert_into(r::table).values(row).execute(conn)?;
    Ok(())
}

pub fn insert_event(conn: &mut DbConnection, row: &EventRow) -> Result<()> {
    diesel::insert_into(e::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, scope: &ReferralScope, id: &str) -> Result<ReferralRow> {
    scoped(scope, None)
        .filter(r::id.eq(id.to_string()))
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first; the cursor is the last id seen.
pub fn list(
    conn: &mut DbConnection,
    scope: &ReferralScope,
    f: &ReferralFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ReferralRow>> {
    let mut q = scoped(scope, f.direction).select(ReferralRow::as_select());
    if let Some(v) = &f.case_id {
        q = q.filter(r::case_id.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(r::status.eq(v.clone()));
    }
    if let Some(v) = &f.provider_id {
        q = q.filter(r::provider_id.eq(v.clone()));
    }
    if let Some(v) = &f.need {
        q = q.filter(r::need.eq(v.clone()));
    }
    if let Some(day) = f.due_before {
        q = q.filter(r::due_on.lt(day)).filter(r::status.eq_any(OPEN));
    }
    if let Some(t) = f.unanswered_since {
        let waiting = [ReferralStatus::Requested.as_str(), ReferralStatus::Received.as_str()];
        q = q.filter(r::requested_at.le(t)).filter(r::status.eq_any(waiting));
    }
    if let Some(after) = after {
        q = q.filter(r::id.lt(after.to_string()));
    }
    Ok(q.order(r::id.desc()).limit(limit + 1).load(conn)?)
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &ReferralRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(r::table.filter(r::id.eq(&row.id)).filter(r::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The history of a referral, oldest first.
pub fn events(
    conn: &mut DbConnection,
    referral_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let mut q = e::table
        .filter(e::referral_id.eq(referral_id.to_string()))
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(e::id.gt(after.to_string()));
    }
    Ok(q.order(e::id.asc()).limit(limit + 1).load(conn)?)
}

/// Live rows by id (the change feed's current representations).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<ReferralRow>> {
    Ok(r::table.filter(r::id.eq_any(ids.to_vec())).select(ReferralRow::as_select()).load(conn)?)
}
