//! Request and response bodies of the protocol endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::db::protocols::ProtocolWithParties;
use crate::domain::person::{validate_name, validate_text};

/// One party: an organization of the system or a provider of the directory, never both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(example = json!({"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"}))]
pub enum PartyRef {
    Organization(#[schema(inline)] OrganizationParty),
    Provider(#[schema(inline)] ProviderParty),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationParty {
    pub organization_id: uuid::Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderParty {
    pub provider_id: uuid::Uuid,
}

/// 2 to 50 distinct parties (utoipa has no attribute for `uniqueItems`).
fn parties_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(<PartyRef as utoipa::PartialSchema>::schema())
        .min_items(Some(2))
        .max_items(Some(50))
        .unique_items(true)
        .description(Some("At least two distinct parties; a coordinator's organization must be one of them."))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProtocolParty {
    /// Set when the party is an organization of the system.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
    /// Set when the party is a provider of the directory.
    #[schema(format = Uuid)]
    pub provider_id: Option<String>,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9c01",
    "title": "Protocollo d'intesa per lo sportello immigrati del distretto cremasco",
    "signed_on": "2025-12-15", "valid_from": "2026-01-01", "valid_to": "2028-12-31",
    "document_ref": "Delibera 123/2025", "notes": null,
    "parties": [
        {"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "provider_id": null, "name": "Comune di Crema"},
        {"organization_id": null, "provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "name": "Questura di Cremona — Ufficio Immigrazione"}
    ],
    "created_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Protocol {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    /// Open-ended when null.
    pub valid_to: Option<NaiveDate>,
    /// Where the signed text is (a resolution number, a file reference).
    pub document_ref: Option<String>,
    pub notes: Option<String>,
    pub parties: Vec<ProtocolParty>,
    #[schema(format = Uuid)]
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProtocolWithParties> for Protocol {
    fn from((r, parties): ProtocolWithParties) -> Self {
        Protocol {
            parties: parties
                .into_iter()
                .map(|p| ProtocolParty {
                    organization_id: p.row.organization_id,
                    provider_id: p.row.provider_id,
                    name: p.name,
                })
                .collect(),
            id: r.id,
            title: r.title,
            signed_on: r.signed_on,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            document_ref: r.document_ref,
            notes: r.notes,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Protocollo d'intesa per lo sportello immigrati del distretto cremasco",
    "signed_on": "2025-12-15", "valid_from": "2026-01-01", "valid_to": "2028-12-31", "document_ref": "Delibera 123/2025",
    "parties": [{"organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"}, {"provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01"}]
}))]
pub struct CreateProtocol {
    #[validate(length(min = 2, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 300, format = "sportello:name")]
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
    /// On or after `valid_from`; open-ended when absent.
    pub valid_to: Option<NaiveDate>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub document_ref: Option<String>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
    /// At least two distinct parties; a coordinator's organization must be one of them.
    #[validate(length(min = 2, max = 50))]
    #[schema(schema_with = parties_schema)]
    pub parties: Vec<PartyRef>,
}

/// JSON merge patch; `parties`, when present, replaces them all.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"valid_to": "2029-12-31"}))]
pub struct UpdateProtocol {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 300, format = "sportello:name", nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, format = "sportello:name")]
    pub document_ref: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 50))]
    #[schema(schema_with = parties_schema)]
    pub parties: Option<Vec<PartyRef>>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProtocolQuery {
    /// Only protocols in force on this day.
    #[param(example = "2026-11-23")]
    pub in_force_on: Option<NaiveDate>,
    /// Only protocols this organization is party to (directly or through a provider linked to it).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only protocols this provider is party to.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01")]
    pub provider_id: Option<uuid::Uuid>,
    /// Title fragment, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "intesa", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub title: Option<String>,
}
