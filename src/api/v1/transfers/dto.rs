//! Request and response bodies of the transfer endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::person::validate_text;
use crate::domain::transfer::{TransferKind, TransferStatus};

/// Enough to recognise the person, for whoever may see it: the owner, and the receiver of an offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferCase {
    pub reference_code: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f01", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "kind": "offer",
    "from_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "to_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12",
    "status": "requested", "reason": "The family moved to Crema", "decision_note": null,
    "requested_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "decided_by": null, "decided_at": null,
    "allowed_transitions": ["accepted", "rejected"],
    "case": {"reference_code": "CR-COMUNE-2026-00042", "given_name": "Amina", "family_name": "Diallo", "birth_date": "1990-05-17"},
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct Transfer {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    pub kind: TransferKind,
    /// The owner when the transfer was made.
    #[schema(format = Uuid)]
    pub from_organization_id: String,
    #[schema(format = Uuid)]
    pub to_organization_id: String,
    pub status: TransferStatus,
    pub reason: String,
    pub decision_note: Option<String>,
    #[schema(format = Uuid)]
    pub requested_by: String,
    #[schema(format = Uuid)]
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The moves the caller may make now.
    pub allowed_transitions: Vec<TransferStatus>,
    /// Null for whoever may not see the case yet (the requester of a request).
    pub case: Option<TransferCase>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "kind": "offer",
    "to_organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "reason": "The family moved to Crema"
}))]
pub struct CreateTransfer {
    pub case_id: uuid::Uuid,
    pub kind: TransferKind,
    /// The receiving organization: required for an offer; for a request, the requesting organization
    /// (the caller's by default).
    pub to_organization_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "accepted", "note": "Taken in charge by the Crema desk"}))]
pub struct DecideTransfer {
    /// accepted or rejected (the deciding side), cancelled (the side that started it).
    pub status: TransferStatus,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub note: Option<String>,
}

/// Which end to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "incoming")]
pub enum TransferDirection {
    /// Cases that would come to the caller's organization.
    Incoming,
    /// Cases that would leave it.
    Outgoing,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// Incoming (cases that would come to the caller's organization) or outgoing; both when absent.
    #[param(example = "incoming", inline)]
    pub direction: Option<TransferDirection>,
    /// Only transfers in this status.
    #[param(example = "requested")]
    pub status: Option<TransferStatus>,
    /// Only transfers of this case.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30")]
    pub case_id: Option<uuid::Uuid>,
}
