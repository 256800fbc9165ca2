//! Activations repository, with their event history and the figures of the SLA.

use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::db::DbConnection;
use crate::db::schema::{activation_events as e, activations as a};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = a, treat_none_as_null = true)]
pub struct ActivationRow {
    pub id: String,
    pub organization_id: String,
    pub requested_by: String,
    pub case_id: Option<String>,
    pub person_name: Option<String>,
    pub kind: String,
    pub language: String,
    pub sector: Option<String>,
    pub scheduled_at: chrono::NaiveDateTime,
    pub place: String,
    pub municipality: Option<String>,
    pub duration_minutes: i32,
    pub urgency: String,
    pub notes: Option<String>,
    pub requested_at: chrono::NaiveDateTime,
    pub deadline_at: chrono::NaiveDateTime,
    pub status: String,
    pub professional_id: Option<String>,
    pub assigned_at: Option<chrono::NaiveDateTime>,
    pub confirmed_at: Option<chrono::NaiveDateTime>,
    pub completed_at: Option<chrono::NaiveDateTime>,
    pub worked_minutes: Option<i32>,
    pub outcome: Option<String>,
    pub status_reason: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = e)]
pub struct EventRow {
    pub id: String,
    pub activation_id: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub professional_id: Option<String>,
    pub actor_id: String,
    pub reason: Option<String>,
    pub occurred_at: chrono::NaiveDateTime,
}

/// Whose activations a query reaches.
#[derive(Debug, Clone)]
pub enum ActivationScope {
    /// The requesting side: an organization's requests (or all, for admins).
    Requester(OrganizationScope),
    /// A professional: what is assigned to them (never a request not yet assigned to them).
    Professional(String),
}

#[derive(Debug, Default, Clone)]
pub struct ActivationFilter {
    pub status: Option<String>,
    pub case_id: Option<String>,
    /// Overdue at this time: still waiting for confirmation past the deadline.
    pub overdue_at: Option<chrono::NaiveDateTime>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

const AWAITING: [&str; 3] = ["requested", "assigned", "declined"];

fn scoped<'a>(scope: &ActivationScope) -> a::BoxedQuery<'a, Backend> {
    let q = a::table.into_boxed();
    match scope {
        ActivationScope::Requester(OrganizationScope::All) => q,
        ActivationScope::Requester(OrganizationScope::Organization(org)) => {
            q.filter(a::organization_id.eq(org.clone()))
        }
        ActivationScope::Professional(id) => q
            .filter(a::professional_id.eq(id.clone()))
            .filter(a::status.eq_any(["assigned", "confirmed", "completed", "cancelled"])),
    }
}

pub fn insert(conn: &mut DbConnection, row: &ActivationRow) -> Result<()> {
    diesel::insert_into(a::table).values(row).execute(conn)?;
    Ok(())
}

pub fn insert_event(conn: &mut DbConnection, row: &EventRow) -> Result<()> {
    diesel::insert_into(e::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, scope: &ActivationScope, id: &str) -> Result<ActivationRow> {
    scoped(scope)
        .filter(a::id.eq(id.to_string()))
        .select(ActivationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first; the cursor is the last id seen.
pub fn list(
    conn: &mut DbConnection,
    scope: &ActivationScope,
    f: &ActivationFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ActivationRow>> {
    let mut q = scoped(scope).select(ActivationRow::as_select());
    if let Some(v) = &f.status {
        q = q.filter(a::status.eq(v.clone()));
    }
    if let Some(v) = &f.case_id {
        q = q.filter(a::case_id.eq(v.clone()));
    }
    if let Some(now) = f.overdue_at {
        q = q.filter(a::status.eq_any(AWAITING)).filter(a::deadline_at.lt(now));
    }
    if let Some(after) = after {
        q = q.filter(a::id.lt(after.to_string()));
    }
    Ok(q.order(a::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &ActivationRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(a::table.filter(a::id.eq(&row.id)).filter(a::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The history of an activation, oldest first.
pub fn events(
    conn: &mut DbConnection,
    activation_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let mut q = e::table
        .filter(e::activation_id.eq(activation_id.to_string()))
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(e::id.gt(after.to_string()));
    }
    Ok(q.order(e::id.asc()).limit(limit + 1).load(conn)?)
}

/// The SLA of the requests made in `[from, to)`: how many, how many confirmed by their deadline, how many
/// overdue at `now`, and the minutes each confirmed one took (for the median). Counted by the database.
pub struct SlaFacts {
    pub requests: i64,
    pub confirmed_in_time: i64,
    pub overdue: i64,
    pub minutes_to_confirmation: Vec<i64>,
}

pub fn sla(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> Result<SlaFacts> {
    let period = || {
        let q = a::table.filter(a::requested_at.ge(from)).filter(a::requested_at.lt(to)).into_boxed();
        match scope {
            OrganizationScope::All => q,
            OrganizationScope::Organization(org) => q.filter(a::organization_id.eq(org.clone())),
        }
    };
    let requests = period().count().get_result(conn)?;
    let confirmed_in_time = period()
        .filter(a::confirmed_at.is_not_null())
        .filter(a::confirmed_at.le(a::deadline_at.nullable()))
        .count()
        .get_result(conn)?;
    // Overdue: the deadline passed without a confirmation by then — confirmed late, still waiting, or
    // cancelled after the deadline (cancelling is the last move, so `updated_at` is when it happened).
    let late = a::confirmed_at.gt(a::deadline_at.nullable());
    let cancelled_late = a::status.eq("cancelled").and(a::updated_at.gt(a::deadline_at));
    let never = a::confirmed_at.is_null().and(a::status.eq_any(AWAITING).or(cancelled_late));
    let overdue = period().filter(a::deadline_at.lt(now)).filter(late.or(never)).count().get_result(conn)?;
    let confirmations: Vec<(chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = period()
        .filter(a::confirmed_at.is_not_null())
        .select((a::requested_at, a::confirmed_at))
        .load(conn)?;
    let minutes_to_confirmation =
        confirmations.into_iter().filter_map(|(r, c)| c.map(|c| (c - r).num_minutes())).collect();
    Ok(SlaFacts { requests, confirmed_in_time, overdue, minutes_to_confirmation })
}

/// Live rows by id (the change feed's current representations).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<ActivationRow>> {
    Ok(a::table.filter(a::id.eq_any(ids.to_vec())).select(ActivationRow::as_select()).load(conn)?)
}
