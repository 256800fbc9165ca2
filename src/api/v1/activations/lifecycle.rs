//! Moves in an activation's lifecycle, shared by both sides: the requester (assign, complete, cancel) and
//! the assigned professional (confirm, decline, complete). Who may make which move is in the domain rules.

use chrono::NaiveDateTime;

use crate::auth::principal::Caller;
use crate::db::activations::{ActivationRow, EventRow};
use crate::db::{self, DbConnection, activations as repo, audit};
use crate::domain::Code;
use crate::domain::professional::{ActivationStatus, Actor};
use crate::error::{Error, Result};

/// What a move may carry besides the new status.
#[derive(Debug, Default)]
pub struct MoveDetails {
    pub professional_id: Option<String>,
    pub worked_minutes: Option<i32>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
}

pub fn status_of(row: &ActivationRow) -> Result<ActivationStatus> {
    ActivationStatus::parse(&row.status).ok_or_else(|| Error::internal("activation status", &row.status))
}

/// The moves `actor` may make from the row's status.
pub fn allowed_for(row: &ActivationRow, actor: Actor) -> Result<Vec<ActivationStatus>> {
    let from = status_of(row)?;
    Ok(ActivationStatus::ALL.iter().copied().filter(|to| from.movers(*to).contains(&actor)).collect())
}

/// Checks and applies `row → to` by `actor`, records the event and the audit entry.
pub fn apply(
    c: &mut DbConnection,
    row: &mut ActivationRow,
    to: ActivationStatus,
    actor: Actor,
    caller: &Caller,
    details: MoveDetails,
    now: NaiveDateTime,
) -> Result<()> {
    let from = status_of(row)?;
    let movers = from.movers(to);
    if movers.is_empty() {
        let allowed: Vec<&str> = ActivationStatus::ALL
            .iter()
            .copied()
            .filter(|s| !from.movers(*s).is_empty())
            .map(Code::as_str)
            .collect();
        let allowed =
            if allowed.is_empty() { "nowhere: it is closed".to_string() } else { allowed.join(", ") };
        return Err(Error::conflict(
            "invalid_transition",
            format!("an activation cannot go from {from} to {to}; from {from} it can go to {allowed}"),
        ));
    }
    if !movers.contains(&actor) {
        return Err(Error::Forbidden(match actor {
            Actor::Requester => format!("only the assigned professional may move an activation to {to}"),
            Actor::Professional => format!("only the requester may move an activation to {to}"),
        }));
    }
    match to {
        ActivationStatus::Assigned => {
            let id = details.professional_id.ok_or_else(|| {
                Error::invalid("professional_id", "required", "assigning needs a professional")
            })?;
            let professional = db::professionals::get(c, &id)
                .map_err(|_| Error::invalid("professional_id", "not_found", "no such professional"))?;
            if !professional.active || professional.kind != row.kind {
                return Err(Error::invalid(
                    "professional_id",
                    "not_eligible",
                    format!("the professional must be active and a {}", row.kind),
                ));
            }
            row.professional_id = Some(professional.id);
            row.assigned_at = Some(now);
        }
        ActivationStatus::Confirmed => row.confirmed_at = Some(now),
        ActivationStatus::Completed => {
            let worked = details.worked_minutes.ok_or_else(|| {
                Error::invalid("worked_minutes", "required", "completing needs the minutes worked")
            })?;
            let outcome = details
                .outcome
                .ok_or_else(|| Error::invalid("outcome", "required", "completing needs the outcome"))?;
            row.worked_minutes = Some(worked);
            row.outcome = Some(outcome);
            row.completed_at = Some(now);
        }
        ActivationStatus::Declined | ActivationStatus::Cancelled => {
            let reason = details.reason.clone().ok_or_else(|| {
                Error::invalid("reason", "required", format!("moving to {to} needs a reason"))
            })?;
            row.status_reason = Some(reason);
        }
        ActivationStatus::Requested => {}
    }
    row.status = to.as_str().to_string();
    let old_version = row.version;
    row.version += 1;
    row.updated_at = now;
    repo::save(c, row, old_version)?;
    repo::insert_event(
        c,
        &EventRow {
            id: db::new_id(),
            activation_id: row.id.clone(),
            from_status: Some(from.as_str().to_string()),
            to_status: row.status.clone(),
            professional_id: row.professional_id.clone(),
            actor_id: caller.principal.user_id.clone(),
            reason: details.reason,
            occurred_at: now,
        },
    )?;
    let event = super::audit_event(caller, "activation.status", row)
        .details(serde_json::json!({"from": from.as_str(), "to": row.status}));
    audit::record(c, &event)
}
