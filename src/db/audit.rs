//! The append-only audit trail: who did what to which record, from where, with which request.
//! Details hold ids and codes only, never personal data.

use diesel::prelude::*;

use crate::auth::principal::Caller;
use crate::db::{DbConnection, new_id, now, schema::audit_events as a};
use crate::domain::Code;
use crate::error::Result;

#[derive(Debug, Clone, Insertable)]
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

    pub fn outcome(mut self, outcome: &str) -> Self {
        self.outcome = outcome.to_string();
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details.to_string());
        self
    }
}

pub fn record(conn: &mut DbConnection, event: &AuditEvent) -> Result<()> {
    diesel::insert_into(a::table).values(event).execute(conn)?;
    Ok(())
}
