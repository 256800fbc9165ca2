//! The append-only audit trail: who did what to which record, from where, with which request.
//! Details hold ids and codes only, never personal data. This module offers `record` and reads, nothing
//! that updates or deletes: the trail is append-only by construction.

use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::auth::principal::Caller;
use crate::db::{DbConnection, new_id, now, schema::audit_events as a, schema::cases};
use crate::domain::Code;
use crate::error::Result;

/// An event, as recorded and as read back.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_organization_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub case_id: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub outcome: String,
    pub details: Option<String>,
}

impl AuditEvent {
    /// An event done by an authenticated caller, successful unless said otherwise.
    pub fn by(caller: &Caller, action: &str, resource_type: &str, resource_id: Option<&str>) -> Self {
        AuditEvent {
            id: new_id(),
            occurred_at: now(),
            actor_id: Some(caller.principal.user_id.clone()),
            actor_organization_id: Some(caller.principal.organization_id.clone()),
            actor_role: Some(caller.principal.role.as_str().to_string()),
            action: action.to_string(),
            resource_type: resource_type.to_string(),
            resource_id: resource_id.map(str::to_string),
            case_id: None,
            request_id: caller.request_id.clone(),
            client_ip: caller.client_ip.clone(),
            outcome: "success".into(),
            details: None,
        }
    }

    /// An event with no authenticated actor (e.g. a failed login).
    pub fn anonymous(
        action: &str,
        resource_type: &str,
        request_id: Option<String>,
        client_ip: Option<String>,
    ) -> Self {
        AuditEvent {
            id: new_id(),
            occurred_at: now(),
            actor_id: None,
            actor_organization_id: None,
            actor_role: None,
            action: action.to_string(),
            resource_type: resource_type.to_string(),
            resource_id: None,
            case_id: None,
            request_id,
            client_ip,
            outcome: "success".into(),
            details: None,
        }
    }

    pub fn case(mut self, case_id: &str) -> Self {
        self.case_id = Some(case_id.to_string());
        self
    }

    /// Files the event under the case when the record has one (a contact, an appointment, an activation).
    pub fn case_if_any(mut self, case_id: Option<&str>) -> Self {
        self.case_id = case_id.map(str::to_string);
        self
    }

    pub fn outcome(mut self, outcome: &str) -> Self {
        self.outcome = outcome.to_string();
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details.to_string());
        self
    }
}

/// The event's columns, every one named, NULLs included. The derived `Insertable` leaves a `None` out of
/// the statement, so each combination of empty fields would be new SQL, built and prepared on every call,
/// and on SQLite a batch would become one savepoint per row. With all columns the SQL never changes and
/// diesel prepares it once per connection.
macro_rules! columns_of {
    ($e:expr) => {
        (
            a::id.eq(&$e.id),
            a::occurred_at.eq(&$e.occurred_at),
            a::actor_id.eq(&$e.actor_id),
            a::actor_organization_id.eq(&$e.actor_organization_id),
            a::actor_role.eq(&$e.actor_role),
            a::action.eq(&$e.action),
            a::resource_type.eq(&$e.resource_type),
            a::resource_id.eq(&$e.resource_id),
            a::case_id.eq(&$e.case_id),
            a::request_id.eq(&$e.request_id),
            a::client_ip.eq(&$e.client_ip),
            a::outcome.eq(&$e.outcome),
            a::details.eq(&$e.details),
        )
    };
}

pub fn record(conn: &mut DbConnection, event: &AuditEvent) -> Result<()> {
    crate::db::on_backend!(conn, |b| diesel::insert_into(a::table).values(columns_of!(event)).execute(b))?;
    Ok(())
}

/// Many events: on SQLite one prepared insert run per event (no round trips to save), on PostgreSQL
/// multi-row inserts of 1 000 rows (13 columns: under the parameter limit).
pub fn record_all(conn: &mut DbConnection, events: &[AuditEvent]) -> Result<()> {
    match conn {
        DbConnection::Sqlite(_) => events.iter().try_for_each(|event| record(conn, event)),
        // Multi-row inserts do not compile through MultiConnection.
        DbConnection::Postgresql(c) => {
            for chunk in events.chunks(1_000) {
                let rows: Vec<_> = chunk.iter().map(|e| columns_of!(e)).collect();
                diesel::insert_into(a::table).values(rows).execute(c)?;
            }
            Ok(())
        }
    }
}

/// A recorded event, as read back: the same columns as what is written.
pub type AuditRow = AuditEvent;

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub case_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// From this time, included.
    pub from: Option<chrono::NaiveDateTime>,
    /// Until this time, excluded.
    pub to: Option<chrono::NaiveDateTime>,
}

/// Everything the trail holds about a case, oldest first: the events filed under it, and the case lists
/// that showed it (they name the cases by id in their details). Scans the lists: for exports, not for
/// every request.
pub fn about_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<AuditRow>> {
    let listed = a::action.eq("case.list").and(a::details.like(format!("%\"{case_id}\"%")));
    Ok(a::table
        .filter(a::case_id.eq(case_id.to_string()).or(listed))
        .order(a::id.asc())
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// Newest first; the cursor is the last id seen (ids are time-ordered). An organization's trail is what its
/// people did plus whatever anyone did to the cases it owns now.
pub fn list(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    f: &AuditFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let mut q = a::table.select(AuditRow::as_select()).into_boxed();
    if let OrganizationScope::Organization(org) = scope {
        let owned = cases::table.filter(cases::organization_id.eq(org.clone())).select(cases::id.nullable());
        q = q.filter(a::actor_organization_id.eq(org.clone()).or(a::case_id.eq_any(owned)));
    }
    if let Some(v) = &f.case_id {
        q = q.filter(a::case_id.eq(v.clone()));
    }
    if let Some(v) = &f.actor_id {
        q = q.filter(a::actor_id.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        q = q.filter(a::action.eq(v.clone()));
    }
    if let Some(v) = &f.resource_type {
        q = q.filter(a::resource_type.eq(v.clone()));
    }
    if let Some(v) = &f.resource_id {
        q = q.filter(a::resource_id.eq(v.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(a::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(a::occurred_at.lt(to));
    }
    if let Some(after) = after {
        q = q.filter(a::id.lt(after.to_string()));
    }
    Ok(q.order(a::id.desc()).limit(limit + 1).load(conn)?)
}
