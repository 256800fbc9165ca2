//! `/api/v1/audit-events`: the audit trail, read-only. Admins read all of it; coordinators what their
//! organization's people did and whatever anyone did to the cases their organization owns. There is no
//! way to change or delete an event, here or in the repository.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::audit::{self as repo, AuditEvent, AuditFilter, AuditRow};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiQuery, Page, PageParams, respond};

/// One recorded event. `details` holds ids and codes, never personal data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e01", "occurred_at": "2026-11-23T10:15:02.120Z",
    "actor_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "actor_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "actor_role": "operator", "action": "case.read", "resource_type": "case",
    "resource_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "request_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e02", "client_ip": "127.0.0.1", "outcome": "success", "details": null
}))]
pub struct AuditEventView {
    #[schema(format = Uuid)]
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// Null when nobody was authenticated (a failed login).
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    #[schema(format = Uuid)]
    pub actor_organization_id: Option<String>,
    pub actor_role: Option<String>,
    /// `resource.verb`, e.g. `case.read`, `auth.login_failed`, `referral.consent_override`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    /// The case the event concerns, if any.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    /// `success`, or why it failed.
    pub outcome: String,
    /// Ids and codes only.
    pub details: Option<serde_json::Value>,
}

impl TryFrom<AuditRow> for AuditEventView {
    type Error = Error;
    fn try_from(r: AuditRow) -> Result<Self> {
        let details = r
            .details
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| Error::internal("audit details", &r.id))?;
        Ok(AuditEventView {
            id: r.id,
            occurred_at: r.occurred_at.and_utc(),
            actor_id: r.actor_id,
            actor_organization_id: r.actor_organization_id,
            actor_role: r.actor_role,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            case_id: r.case_id,
            request_id: r.request_id,
            client_ip: r.client_ip,
            outcome: r.outcome,
            details,
        })
    }
}

/// Action and resource names: lowercase letters, `_` and `.`.
fn validate_code(value: &str) -> std::result::Result<(), ValidationError> {
    if value.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.') {
        Ok(())
    } else {
        Err(ValidationError::new("pattern").with_message("lowercase letters, '_' and '.' only".into()))
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Events concerning this case.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30")]
    pub case_id: Option<uuid::Uuid>,
    /// Events by this user.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11")]
    pub actor_id: Option<uuid::Uuid>,
    /// One action, e.g. `case.read`.
    #[validate(length(min = 1, max = 60), custom(function = "validate_code"))]
    #[param(example = "case.read", min_length = 1, max_length = 60, pattern = "^[a-z_.]+$")]
    pub action: Option<String>,
    /// One kind of resource, e.g. `referral`.
    #[validate(length(min = 1, max = 60), custom(function = "validate_code"))]
    #[param(example = "referral", min_length = 1, max_length = 60, pattern = "^[a-z_.]+$")]
    pub resource_type: Option<String>,
    /// One resource, by id.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30")]
    pub resource_id: Option<uuid::Uuid>,
    /// From this instant, included (RFC 3339).
    #[param(example = "2026-11-01T00:00:00Z")]
    pub from: Option<DateTime<Utc>>,
    /// Until this instant, excluded (RFC 3339).
    #[param(example = "2026-12-01T00:00:00Z")]
    pub to: Option<DateTime<Utc>>,
}

/// Read the audit trail
///
/// Newest first, filtered by case, actor, action, resource and period. Admins read everything;
/// coordinators what their organization's people did and what anyone did to the cases it owns. The trail
/// is append-only: there is no endpoint to change or delete an event. Reading it is itself recorded.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, PageParams),
    responses((status = 200, description = "A page of events", body = Page<AuditEventView>)),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<AuditQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AuditRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    if let (Some(from), Some(to)) = (q.from, q.to)
        && to <= from
    {
        return Err(Error::InvalidQuery(vec![FieldError::new(
            "to",
            "before_start",
            "to must be after from",
        )]));
    }
    let filter = AuditFilter {
        case_id: q.case_id.map(|v| v.to_string()),
        actor_id: q.actor_id.map(|v| v.to_string()),
        action: q.action,
        resource_type: q.resource_type,
        resource_id: q.resource_id.map(|v| v.to_string()),
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let (after, limit, scope) =
        (page.after_id()?, page.limit(), policy::organization_scope(&caller.principal));
    let rows = state
        .db
        .run(move |c| {
            let rows = repo::list(c, &scope, &filter, after.as_deref(), limit)?;
            // Who looked at the trail, and for which case, is part of the trail.
            let mut event = AuditEvent::by(&caller, "audit.read", "audit_event", None);
            if let Some(case) = &filter.case_id {
                event = event.case(case);
            }
            repo::record(c, &event)?;
            Ok(rows)
        })
        .await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), AuditEventView::try_from)?))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_events);
}
