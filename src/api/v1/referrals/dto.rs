//! Request and response bodies of the referral endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::referrals::{EventRow, ReferralRow};
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::person::{validate_plausible_date, validate_text};
use crate::domain::referral::{ReferralStatus, Urgency};
use crate::error::{Error, Result};

/// The minimum a provider sees of the person: enough to contact them and understand the need, never the
/// case file. Present only while the consent that covers the referral is in force (or it was overridden).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"given_name": "Amina", "family_name": "Diallo", "phone": "+39 333 1234567",
    "email": null, "languages": ["fr", "wo"]}))]
pub struct ReferralPerson {
    pub given_name: String,
    pub family_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// ISO 639 codes.
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e01", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "sender_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "created_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "service_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b11",
    "receiving_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "need": "residence_permit", "urgency": "urgent",
    "reason": "Permit expires in three weeks; renewal kit ready, needs an appointment.", "due_on": "2026-12-10",
    "consent_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d01", "consent_overridden": false,
    "status": "requested", "status_reason": null, "requested_at": "2026-11-23T09:00:00Z", "answered_at": null,
    "closed_at": null, "allowed_transitions": ["cancelled"],
    "person": {"given_name": "Amina", "family_name": "Diallo", "phone": "+39 333 1234567", "email": null, "languages": ["fr", "wo"]},
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct Referral {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    #[schema(format = Uuid)]
    pub sender_organization_id: String,
    #[schema(format = Uuid)]
    pub created_by: String,
    #[schema(format = Uuid)]
    pub provider_id: String,
    #[schema(format = Uuid)]
    pub service_id: Option<String>,
    /// The provider's organization when the referral was made; null for an external provider, whose
    /// answers the sender records.
    #[schema(format = Uuid)]
    pub receiving_organization_id: Option<String>,
    pub need: Need,
    pub urgency: Urgency,
    pub reason: String,
    pub due_on: Option<NaiveDate>,
    /// The consent that covers sharing the person's data with the provider.
    #[schema(format = Uuid)]
    pub consent_id: Option<String>,
    /// Made without a valid consent by a coordinator's explicit override (audited).
    pub consent_overridden: bool,
    pub status: ReferralStatus,
    /// Why the last move was made (required for rejected, on_hold, failed, cancelled).
    pub status_reason: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
    /// When the provider accepted or rejected it.
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The moves the caller may make now.
    pub allowed_transitions: Vec<ReferralStatus>,
    /// The minimum view of the person; null when no consent in force covers sharing any more.
    pub person: Option<ReferralPerson>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Referral {
    pub fn from_row(
        r: ReferralRow,
        allowed_transitions: Vec<ReferralStatus>,
        person: Option<ReferralPerson>,
    ) -> Result<Self> {
        Ok(Referral {
            need: Need::parse(&r.need).ok_or_else(|| Error::internal("referral need", &r.need))?,
            urgency: Urgency::parse(&r.urgency)
                .ok_or_else(|| Error::internal("referral urgency", &r.urgency))?,
            status: ReferralStatus::parse(&r.status)
                .ok_or_else(|| Error::internal("referral status", &r.status))?,
            consent_overridden: r.consent_override_reason.is_some(),
            allowed_transitions,
            person,
            id: r.id,
            case_id: r.case_id,
            sender_organization_id: r.sender_organization_id,
            created_by: r.created_by,
            provider_id: r.provider_id,
            service_id: r.service_id,
            receiving_organization_id: r.receiving_organization_id,
            reason: r.reason,
            due_on: r.due_on,
            consent_id: r.consent_id,
            status_reason: r.status_reason,
            requested_at: r.requested_at.map(|t| t.and_utc()),
            answered_at: r.answered_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "service_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b11",
    "need": "residence_permit", "urgency": "urgent",
    "reason": "Permit expires in three weeks; renewal kit ready, needs an appointment.", "due_on": "2026-12-10"
}))]
pub struct CreateReferral {
    pub provider_id: uuid::Uuid,
    /// One of the provider's services.
    pub service_id: Option<uuid::Uuid>,
    pub need: Need,
    /// Defaults to routine.
    pub urgency: Option<Urgency>,
    /// What the provider is asked to do, and why.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub reason: String,
    /// When an answer is expected; not in the past.
    #[validate(custom(function = "validate_plausible_date"))]
    pub due_on: Option<NaiveDate>,
    /// The consent that covers sharing with this provider; when absent, one in force is looked for.
    pub consent_id: Option<uuid::Uuid>,
    /// Coordinators only: refer without a valid consent, saying why (e.g. a legal obligation). Audited.
    #[validate(length(min = 10, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 10, max_length = 2000, format = "sportello:text")]
    pub consent_override_reason: Option<String>,
    /// Keep it as a draft the provider does not see yet (default false: it is sent at once).
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "accepted", "note": "Appointment on 2 December at 9:30"}))]
pub struct MoveReferral {
    pub status: ReferralStatus,
    /// Required when rejecting, putting on hold, failing or cancelling.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub reason: Option<String>,
    /// What was agreed or done (the provider's answer, an appointment).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e11", "from_status": "received", "to_status": "accepted",
    "actor_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a13", "actor_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12",
    "reason": null, "note": "Appointment on 2 December at 9:30", "occurred_at": "2026-11-24T10:00:00Z"
}))]
pub struct ReferralEvent {
    #[schema(format = Uuid)]
    pub id: String,
    /// Null for the referral's creation.
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    #[schema(format = Uuid)]
    pub actor_id: String,
    #[schema(format = Uuid)]
    pub actor_organization_id: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for ReferralEvent {
    type Error = Error;
    fn try_from(e: EventRow) -> Result<Self> {
        let status =
            |s: &str| ReferralStatus::parse(s).ok_or_else(|| Error::internal("referral event status", s));
        Ok(ReferralEvent {
            from_status: e.from_status.as_deref().map(status).transpose()?,
            to_status: status(&e.to_status)?,
            id: e.id,
            actor_id: e.actor_id,
            actor_organization_id: e.actor_organization_id,
            reason: e.reason,
            note: e.note,
            occurred_at: e.occurred_at.and_utc(),
        })
    }
}

/// Which side of the loop to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "received")]
pub enum ReferralDirection {
    /// Referrals of the cases the caller's organization works.
    Sent,
    /// Referrals addressed to the caller's organization as a provider (its inbox).
    Received,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// Sent or received; both when absent (provider staff see only what they received).
    #[param(example = "received", inline)]
    pub direction: Option<ReferralDirection>,
    /// Only referrals in this status.
    #[param(example = "requested")]
    pub status: Option<ReferralStatus>,
    /// Only referrals to this provider.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01")]
    pub provider_id: Option<uuid::Uuid>,
    /// Only referrals for this need.
    #[param(example = "residence_permit")]
    pub need: Option<Need>,
    /// Worklist: open referrals past their due date.
    #[param(example = true)]
    pub overdue: Option<bool>,
    /// Worklist: referrals requested at least this many days ago and still not accepted or rejected.
    #[validate(range(min = 0, max = 3650))]
    #[param(example = 7, minimum = 0, maximum = 3650)]
    pub unanswered_days: Option<i64>,
}
