//! Request and response bodies of individual plans, their goals and actions, and their mapping to rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::patch;
use crate::db::plans::{ActionRow, GoalRow, PlanRow};
use crate::domain::Code;
use crate::domain::person::{validate_plausible_date, validate_text};
use crate::domain::plan::{
    ActionOwnerKind, ActionStatus, ApprovalState, AssessmentDomain, GoalStatus, PlanOutcome, action_overdue,
};
use crate::error::{Error, Result, cross_field_error};

fn code<T: Code>(what: &str, v: &str) -> Result<T> {
    T::parse(v).ok_or_else(|| Error::internal(what, v))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e20", "plan_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e10",
    "domain": "housing", "description": "Find a shared flat in Crema within six months", "status": "open",
    "version": 1, "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z"
}))]
pub struct PlanGoal {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub plan_id: String,
    /// The assessed need the goal answers.
    pub domain: AssessmentDomain,
    pub description: String,
    pub status: GoalStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<GoalRow> for PlanGoal {
    type Error = Error;
    fn try_from(r: GoalRow) -> Result<Self> {
        Ok(PlanGoal {
            domain: code("goal domain", &r.domain)?,
            status: code("goal status", &r.status)?,
            id: r.id,
            plan_id: r.plan_id,
            description: r.description,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e30", "plan_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e10",
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "goal_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e20",
    "description": "Apply for the municipal housing list", "owner_kind": "operator",
    "owner_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "due_on": "2026-04-15", "status": "planned",
    "completed_on": null, "overdue": false, "version": 1,
    "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z"
}))]
pub struct PlanAction {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub plan_id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The goal it serves, if any.
    #[schema(format = Uuid)]
    pub goal_id: Option<String>,
    pub description: String,
    pub owner_kind: ActionOwnerKind,
    /// The user, organization, provider or registered professional who carries it out, by `owner_kind`.
    #[schema(format = Uuid)]
    pub owner_id: String,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    /// Set when the action is done.
    pub completed_on: Option<NaiveDate>,
    /// Still open and its due day has passed (on the server's clock).
    pub overdue: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PlanAction {
    pub fn from_row(r: ActionRow, today: NaiveDate) -> Result<Self> {
        let status: ActionStatus = code("action status", &r.status)?;
        Ok(PlanAction {
            owner_kind: code("action owner kind", &r.owner_kind)?,
            overdue: action_overdue(status, r.due_on, today),
            status,
            id: r.id,
            plan_id: r.plan_id,
            case_id: r.case_id,
            goal_id: r.goal_id,
            description: r.description,
            owner_id: r.owner_id,
            due_on: r.due_on,
            completed_on: r.completed_on,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// The individual plan (progetto individualizzato), with its goals and actions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e10", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "assessment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d10", "starts_on": "2026-03-02", "review_on": "2026-06-02",
    "review_due": false, "notes": "Housing first, then the job centre", "agreed_on": "2026-03-05",
    "agreement_signed": true, "approval": "approved", "approved_at": "2026-03-06T09:00:00Z",
    "approved_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "outcome": null, "outcome_note": null, "closed_at": null,
    "goals": [], "actions": [], "version": 3,
    "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-06T09:00:00Z"
}))]
pub struct Plan {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The organization that drew it up.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// The assessment it answers.
    #[schema(format = Uuid)]
    pub assessment_id: Option<String>,
    pub starts_on: NaiveDate,
    /// When the plan is to be reviewed.
    pub review_on: NaiveDate,
    /// In force and its review day has passed (on the server's clock).
    pub review_due: bool,
    pub notes: Option<String>,
    /// The day the plan was agreed with the person.
    pub agreed_on: Option<NaiveDate>,
    /// Whether the person signed it.
    pub agreement_signed: Option<bool>,
    /// `pending` until a coordinator approves it, where the organization requires approval.
    pub approval: ApprovalState,
    pub approved_at: Option<DateTime<Utc>>,
    #[schema(format = Uuid)]
    pub approved_by: Option<String>,
    /// How it ended: recorded when the case is closed.
    pub outcome: Option<PlanOutcome>,
    pub outcome_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub goals: Vec<PlanGoal>,
    pub actions: Vec<PlanAction>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Plan {
    pub fn from_rows(
        r: PlanRow,
        goals: Vec<GoalRow>,
        actions: Vec<ActionRow>,
        today: NaiveDate,
    ) -> Result<Self> {
        Ok(Plan {
            approval: ApprovalState::of(r.approval_required, r.approved_at.is_some()),
            review_due: r.closed_at.is_none() && r.review_on < today,
            outcome: r.outcome.as_deref().map(|o| code("plan outcome", o)).transpose()?,
            goals: goals.into_iter().map(PlanGoal::try_from).collect::<Result<_>>()?,
            actions: actions.into_iter().map(|a| PlanAction::from_row(a, today)).collect::<Result<_>>()?,
            id: r.id,
            case_id: r.case_id,
            organization_id: r.organization_id,
            assessment_id: r.assessment_id,
            starts_on: r.starts_on,
            review_on: r.review_on,
            notes: r.notes,
            agreed_on: r.agreed_on,
            agreement_signed: r.agreement_signed,
            approved_at: r.approved_at.map(|t| t.and_utc()),
            approved_by: r.approved_by,
            outcome_note: r.outcome_note,
            closed_at: r.closed_at.map(|t| t.and_utc()),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_plan"))]
#[schema(example = json!({
    "assessment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d10", "starts_on": "2026-03-02", "review_on": "2026-06-02",
    "notes": "Housing first, then the job centre", "agreed_on": "2026-03-05", "agreement_signed": true
}))]
pub struct CreatePlan {
    /// The assessment of this case the plan answers.
    pub assessment_id: Option<uuid::Uuid>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    #[validate(custom(function = "validate_plausible_date"))]
    pub review_on: NaiveDate,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub notes: Option<String>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub agreed_on: Option<NaiveDate>,
    /// Needs `agreed_on`.
    pub agreement_signed: Option<bool>,
}

fn check_new_plan(p: &CreatePlan) -> std::result::Result<(), ValidationError> {
    check_plan(p.starts_on, p.review_on, p.agreed_on, p.agreement_signed)
}

/// The review comes after the start; a signature belongs to a dated agreement.
pub fn check_plan(
    starts_on: NaiveDate,
    review_on: NaiveDate,
    agreed_on: Option<NaiveDate>,
    signed: Option<bool>,
) -> std::result::Result<(), ValidationError> {
    if review_on < starts_on {
        return Err(cross_field_error("review_on", "before_start", "the review is before the plan starts"));
    }
    if signed.is_some() && agreed_on.is_none() {
        return Err(cross_field_error("agreed_on", "required", "a signature needs the day of the agreement"));
    }
    Ok(())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"review_on": "2026-09-02", "agreed_on": "2026-03-05", "agreement_signed": true}))]
pub struct UpdatePlan {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(nullable = false)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(nullable = false)]
    pub review_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 5000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub agreed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<bool>)]
    pub agreement_signed: Option<Option<bool>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"domain": "housing", "description": "Find a shared flat in Crema within six months"}))]
pub struct CreateGoal {
    /// The need it answers; when the plan names its assessment, a domain that assessment found some need in.
    pub domain: AssessmentDomain,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub description: String,
    /// Defaults to `open`.
    pub status: Option<GoalStatus>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved"}))]
pub struct UpdateGoal {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub domain: Option<AssessmentDomain>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text", nullable = false)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub status: Option<GoalStatus>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "goal_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9e20", "description": "Apply for the municipal housing list",
    "owner_kind": "operator", "due_on": "2026-04-15"
}))]
pub struct CreateAction {
    /// A goal of the same plan.
    pub goal_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub description: String,
    pub owner_kind: ActionOwnerKind,
    /// The owner's id (user, organization, provider or registered professional); for `operator` it
    /// defaults to the caller, otherwise it is required.
    pub owner_id: Option<uuid::Uuid>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub due_on: Option<NaiveDate>,
    /// Defaults to `planned`.
    pub status: Option<ActionStatus>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done"}))]
pub struct UpdateAction {
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub goal_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text", nullable = false)]
    pub description: Option<String>,
    /// Changing the kind needs the new `owner_id` too.
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub owner_kind: Option<ActionOwnerKind>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub owner_id: Option<uuid::Uuid>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    /// `done` stamps `completed_on` with today; moving out of `done` clears it.
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub status: Option<ActionStatus>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanWorklistQuery {
    /// Worklist: plans in force whose review day has passed.
    #[param(example = true)]
    pub past_review: Option<bool>,
    /// Admins: only the cases of this organization (others always get their own organization's).
    pub organization_id: Option<uuid::Uuid>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionWorklistQuery {
    /// Worklist: open actions past their due day.
    #[param(example = true)]
    pub overdue: Option<bool>,
    /// Only the actions of this kind of owner.
    #[param(example = "operator")]
    pub owner_kind: Option<ActionOwnerKind>,
    /// With `owner_kind`; `me` is the caller (with `owner_kind=operator`).
    #[validate(length(min = 1, max = 36))]
    #[param(
        example = "me",
        max_length = 36,
        pattern = "^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub owner_id: Option<String>,
    /// Admins: only the cases of this organization (others always get their own organization's).
    pub organization_id: Option<uuid::Uuid>,
}
