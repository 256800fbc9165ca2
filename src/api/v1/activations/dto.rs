//! Request and response bodies of activations, candidates, the SLA and assignments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::professionals::Professional;
use crate::db::activations::{ActivationRow, EventRow};
use crate::domain::language::LanguageCode;
use crate::domain::person::{validate_name, validate_text};
use crate::domain::professional::{
    ActivationStatus, ActivationUrgency, LanguageLevel, ProfessionalKind, Sector,
};
use crate::domain::{Code, local_time};
use crate::error::{Error, Result};

fn parse<T: Code>(what: &str, raw: &str) -> Result<T> {
    T::parse(raw).ok_or_else(|| Error::internal(what, raw))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c71", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "requested_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "person_name": null, "kind": "intercultural_mediator", "language": "wo", "sector": "health",
    "scheduled_at": "2026-11-26T09:30:00Z", "place": "Consultorio familiare, Via Gramsci 13", "municipality": "Crema",
    "duration_minutes": 60, "urgency": "standard", "notes": "First prenatal visit",
    "requested_at": "2026-11-23T10:00:00Z", "deadline_at": "2026-11-25T10:00:00Z", "deadline_local": "2026-11-25T11:00:00",
    "overdue": false, "status": "assigned", "professional_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c51",
    "assigned_at": "2026-11-23T10:05:00Z", "confirmed_at": null, "completed_at": null, "worked_minutes": null,
    "outcome": null, "status_reason": null, "allowed_transitions": ["cancelled"], "version": 2,
    "created_at": "2026-11-23T10:00:00Z", "updated_at": "2026-11-23T10:05:00Z"
}))]
pub struct Activation {
    #[schema(format = Uuid)]
    pub id: String,
    /// The requesting organization.
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = Uuid)]
    pub requested_by: String,
    /// The case it is for; null for an interview at a social service.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    /// Whom the professional meets, for an interview without a case.
    pub person_name: Option<String>,
    pub kind: ProfessionalKind,
    /// ISO 639 code.
    #[schema(value_type = crate::domain::language::LanguageCode)]
    pub language: String,
    pub sector: Option<Sector>,
    pub scheduled_at: DateTime<Utc>,
    pub place: String,
    pub municipality: Option<String>,
    pub duration_minutes: i32,
    pub urgency: ActivationUrgency,
    pub notes: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// 24 (urgent) or 48 (standard) hours after the request.
    pub deadline_at: DateTime<Utc>,
    /// The deadline on the Italian wall clock.
    #[schema(example = "2026-11-25T11:00:00")]
    pub deadline_local: String,
    /// Not confirmed by its deadline, now.
    pub overdue: bool,
    pub status: ActivationStatus,
    /// The professional assigned (kept after a decline until another is assigned).
    #[schema(format = Uuid)]
    pub professional_id: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub worked_minutes: Option<i32>,
    pub outcome: Option<String>,
    /// Why it was declined or cancelled.
    pub status_reason: Option<String>,
    /// The moves the caller may make now.
    pub allowed_transitions: Vec<ActivationStatus>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Activation {
    pub fn from_row(
        r: ActivationRow,
        overdue: bool,
        allowed_transitions: Vec<ActivationStatus>,
    ) -> Result<Self> {
        Ok(Activation {
            kind: parse("activation kind", &r.kind)?,
            sector: r.sector.as_deref().map(|s| parse("activation sector", s)).transpose()?,
            urgency: parse("activation urgency", &r.urgency)?,
            status: parse("activation status", &r.status)?,
            deadline_local: local_time::italian(r.deadline_at).format("%Y-%m-%dT%H:%M:%S").to_string(),
            overdue,
            allowed_transitions,
            id: r.id,
            organization_id: r.organization_id,
            requested_by: r.requested_by,
            case_id: r.case_id,
            person_name: r.person_name,
            language: r.language,
            scheduled_at: r.scheduled_at.and_utc(),
            place: r.place,
            municipality: r.municipality,
            duration_minutes: r.duration_minutes,
            notes: r.notes,
            requested_at: r.requested_at.and_utc(),
            deadline_at: r.deadline_at.and_utc(),
            professional_id: r.professional_id,
            assigned_at: r.assigned_at.map(|t| t.and_utc()),
            confirmed_at: r.confirmed_at.map(|t| t.and_utc()),
            completed_at: r.completed_at.map(|t| t.and_utc()),
            worked_minutes: r.worked_minutes,
            outcome: r.outcome,
            status_reason: r.status_reason,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "kind": "intercultural_mediator", "language": "wo",
    "sector": "health", "scheduled_at": "2026-11-26T09:30:00Z", "place": "Consultorio familiare, Via Gramsci 13",
    "municipality": "Crema", "duration_minutes": 60, "urgency": "standard", "notes": "First prenatal visit"
}))]
pub struct CreateActivation {
    /// A case of the caller's organization; or leave it out and give `person_name` for an interview at a
    /// municipal social service.
    pub case_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub person_name: Option<String>,
    pub kind: ProfessionalKind,
    #[schema(value_type = crate::domain::language::LanguageCode)]
    pub language: LanguageCode,
    pub sector: Option<Sector>,
    /// When the professional is needed; after now.
    pub scheduled_at: DateTime<Utc>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub place: String,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[validate(range(min = 15, max = 720))]
    #[schema(minimum = 15, maximum = 720)]
    pub duration_minutes: i32,
    /// Standard (48 hours) when absent.
    pub urgency: Option<ActivationUrgency>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

/// A move on the requesting side: assign a professional, record the completion, or cancel.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "assigned", "professional_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c51"}))]
pub struct MoveActivation {
    pub status: ActivationStatus,
    /// With `assigned`: an active professional of the requested kind.
    pub professional_id: Option<uuid::Uuid>,
    /// With `completed`: the time worked, in minutes.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub worked_minutes: Option<i32>,
    /// With `completed`: what came of it.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub outcome: Option<String>,
    /// Required with `cancelled` and `declined`.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivationQuery {
    /// Only activations in this status.
    #[param(example = "assigned")]
    pub status: Option<ActivationStatus>,
    /// Only the activations of this case.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30")]
    pub case_id: Option<uuid::Uuid>,
    /// Worklist: the activations not confirmed by their deadline.
    #[param(example = true)]
    pub overdue: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c81", "from_status": "assigned", "to_status": "confirmed",
    "professional_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c51", "actor_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c61",
    "reason": null, "occurred_at": "2026-11-23T11:00:00Z"
}))]
pub struct ActivationEvent {
    #[schema(format = Uuid)]
    pub id: String,
    /// Null for the request itself.
    pub from_status: Option<ActivationStatus>,
    pub to_status: ActivationStatus,
    #[schema(format = Uuid)]
    pub professional_id: Option<String>,
    #[schema(format = Uuid)]
    pub actor_id: String,
    pub reason: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for ActivationEvent {
    type Error = Error;
    fn try_from(e: EventRow) -> Result<Self> {
        Ok(ActivationEvent {
            from_status: e.from_status.as_deref().map(|s| parse("activation event status", s)).transpose()?,
            to_status: parse("activation event status", &e.to_status)?,
            id: e.id,
            professional_id: e.professional_id,
            actor_id: e.actor_id,
            reason: e.reason,
            occurred_at: e.occurred_at.and_utc(),
        })
    }
}

/// A professional who could attend, where they rank and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    /// 1 for the best.
    pub rank: i32,
    pub professional: Professional,
    /// How well they speak the requested language; null if not at all.
    pub language_level: Option<LanguageLevel>,
    pub sector_match: bool,
    pub area_match: bool,
    /// Activations assigned to them or confirmed, not yet completed.
    pub open_activations: i64,
    /// Why they stand where they do.
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"rank": 1, "professional": {
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c51", "registry_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "kind": "intercultural_mediator", "given_name": "Aïssatou", "family_name": "Sow",
    "languages": [{"code": "wo", "level": "native"}], "sectors": ["health"], "area": {"municipalities": ["Crema"], "district": null},
    "employer_organization_id": null, "email": null, "phone": "+39 333 2345678", "availability": null,
    "registry_number": "MED-042", "active": true, "user_id": null, "version": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"},
    "language_level": "native", "sector_match": true, "area_match": true, "open_activations": 0,
    "reasons": ["speaks wo (native)", "expert in health", "serves Crema", "no open activations"]}]}))]
pub struct CandidateList {
    /// Best first; active professionals of the requested kind only.
    pub items: Vec<Candidate>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlaQuery {
    /// First day of the period (requests made from this day, Italian time).
    #[param(example = "2026-01-01")]
    pub from: NaiveDate,
    /// Last day of the period, included.
    #[param(example = "2026-12-31")]
    pub to: NaiveDate,
    /// One organization's figures (admins and analysts; a coordinator always gets their own).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"from": "2026-01-01", "to": "2026-12-31", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "requests": 120, "confirmed_within_deadline": 104, "overdue": 9, "median_minutes_to_confirmation": 190}))]
pub struct Sla {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Null for the whole network.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
    /// Activations requested in the period.
    pub requests: i64,
    /// Confirmed by the professional by their deadline.
    pub confirmed_within_deadline: i64,
    /// Past their deadline without a confirmation by then: confirmed late, still waiting, or cancelled after it.
    pub overdue: i64,
    /// Median time from request to confirmation; null when none was confirmed.
    pub median_minutes_to_confirmation: Option<i64>,
}

/// Whom to call about an assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterContact {
    pub organization_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// An activation as the assigned professional sees it: whom to meet, in which language, where and when,
/// and who asked. Nothing else of the case.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c71", "kind": "intercultural_mediator", "language": "wo", "sector": "health",
    "person_name": "Fatou Ndiaye", "scheduled_at": "2026-11-26T09:30:00Z", "place": "Consultorio familiare, Via Gramsci 13",
    "municipality": "Crema", "duration_minutes": 60, "urgency": "standard", "deadline_at": "2026-11-25T10:00:00Z",
    "status": "assigned", "requester": {"organization_name": "Comune di Crema", "phone": "+39 0373 894111", "email": null},
    "worked_minutes": null, "outcome": null, "allowed_transitions": ["confirmed", "declined"], "version": 2
}))]
pub struct Assignment {
    #[schema(format = Uuid)]
    pub id: String,
    pub kind: ProfessionalKind,
    #[schema(value_type = crate::domain::language::LanguageCode)]
    pub language: String,
    pub sector: Option<Sector>,
    /// Whom to meet.
    pub person_name: String,
    pub scheduled_at: DateTime<Utc>,
    pub place: String,
    pub municipality: Option<String>,
    pub duration_minutes: i32,
    pub urgency: ActivationUrgency,
    /// Confirm by then.
    pub deadline_at: DateTime<Utc>,
    pub status: ActivationStatus,
    pub requester: RequesterContact,
    pub worked_minutes: Option<i32>,
    pub outcome: Option<String>,
    pub allowed_transitions: Vec<ActivationStatus>,
    pub version: i64,
}

/// The professional's answer: confirm, decline (with a reason), or complete (with hours and outcome).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "confirmed"}))]
pub struct AnswerAssignment {
    pub status: ActivationStatus,
    /// Required with `declined`.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub reason: Option<String>,
    /// With `completed`: the time worked, in minutes.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub worked_minutes: Option<i32>,
    /// With `completed`: what came of it.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub outcome: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only assignments in this status.
    #[param(example = "assigned")]
    pub status: Option<ActivationStatus>,
}
