//! Request and response bodies of the family-assistant list.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::db::care::{AssistantRow, CareRequestRow, PlacementRow};
use crate::db::{self};
use crate::domain::Code;
use crate::domain::care::{CareRequestStatus, CareTask, ContractType, PlacementOutcome};
use crate::domain::language::LanguageCode;
use crate::domain::person::{validate_name, validate_text};
use crate::error::{Error, Result};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d51", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "given_name": "Olena", "family_name": "Kovalenko", "languages": ["uk", "ru", "it"],
    "experience": "Six years caring for elderly people with dementia", "certificates": ["ASA"],
    "tasks": ["elderly_care", "housekeeping", "cooking"], "hours_per_week": 54, "live_in": true,
    "municipalities": ["Crema", "Offanengo"], "phone": "+39 351 1234567", "email": null,
    "available_from": "2026-12-01", "active": true, "version": 1,
    "created_at": "2026-11-10T09:00:00Z", "updated_at": "2026-11-10T09:00:00Z"
}))]
pub struct FamilyAssistant {
    #[schema(format = Uuid)]
    pub id: String,
    /// The desk's organization that keeps the list.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub given_name: String,
    pub family_name: String,
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<String>,
    pub experience: Option<String>,
    /// Training and qualifications (ASA, OSS, first aid…).
    pub certificates: Vec<String>,
    pub tasks: Vec<CareTask>,
    /// Hours a week they can work.
    pub hours_per_week: i32,
    /// Willing to live with the family.
    pub live_in: bool,
    /// Where they can work.
    #[schema(value_type = Vec<crate::api::v1::services::dto::PlaceName>)]
    pub municipalities: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub available_from: Option<NaiveDate>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AssistantRow> for FamilyAssistant {
    type Error = Error;
    fn try_from(r: AssistantRow) -> Result<Self> {
        Ok(FamilyAssistant {
            languages: db::from_json_text(&r.languages)?,
            certificates: db::from_json_text(&r.certificates)?,
            tasks: db::from_json_text(&r.tasks)?,
            municipalities: db::from_json_text(&r.area_municipalities)?,
            id: r.id,
            organization_id: r.organization_id,
            given_name: r.given_name,
            family_name: r.family_name,
            experience: r.experience,
            hours_per_week: r.hours_per_week,
            live_in: r.live_in,
            phone: r.phone,
            email: r.email,
            available_from: r.available_from,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "given_name": "Olena", "family_name": "Kovalenko", "languages": ["uk", "ru", "it"],
    "experience": "Six years caring for elderly people with dementia", "certificates": ["ASA"],
    "tasks": ["elderly_care", "housekeeping", "cooking"], "hours_per_week": 54, "live_in": true,
    "municipalities": ["Crema", "Offanengo"], "phone": "+39 351 1234567", "available_from": "2026-12-01"
}))]
pub struct CreateFamilyAssistant {
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub given_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub family_name: String,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20, value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<LanguageCode>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub experience: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "validate_certificates"))]
    #[schema(max_items = 20, value_type = Vec<crate::api::v1::services::dto::PlaceName>)]
    pub certificates: Vec<String>,
    #[serde(default)]
    #[validate(length(max = 6))]
    #[schema(max_items = 6)]
    pub tasks: Vec<CareTask>,
    #[validate(range(min = 1, max = 70))]
    #[schema(minimum = 1, maximum = 70)]
    pub hours_per_week: i32,
    #[serde(default)]
    pub live_in: bool,
    /// Where they can work.
    #[serde(default)]
    #[validate(length(max = 100), custom(function = "crate::api::v1::services::dto::validate_names"))]
    #[schema(max_items = 100, value_type = Vec<crate::api::v1::services::dto::PlaceName>)]
    pub municipalities: Vec<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    pub available_from: Option<NaiveDate>,
}

fn validate_certificates(names: &[String]) -> std::result::Result<(), validator::ValidationError> {
    crate::api::v1::services::dto::validate_names(names)
}

/// JSON merge patch.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hours_per_week": 40, "active": true}))]
pub struct UpdateFamilyAssistant {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20))]
    #[schema(max_items = 20, value_type = Option<Vec<crate::domain::language::LanguageCode>>, nullable = false)]
    pub languages: Option<Vec<LanguageCode>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2000, format = "sportello:text")]
    pub experience: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20), custom(function = "validate_certificates"))]
    #[schema(max_items = 20, value_type = Option<Vec<crate::api::v1::services::dto::PlaceName>>, nullable = false)]
    pub certificates: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 6))]
    #[schema(max_items = 6, nullable = false)]
    pub tasks: Option<Vec<CareTask>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(range(min = 1, max = 70))]
    #[schema(minimum = 1, maximum = 70, nullable = false)]
    pub hours_per_week: Option<i32>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub live_in: Option<bool>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 100), custom(function = "crate::api::v1::services::dto::validate_names"))]
    #[schema(max_items = 100, value_type = Option<Vec<crate::api::v1::services::dto::PlaceName>>, nullable = false)]
    pub municipalities: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub available_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FamilyAssistantQuery {
    /// Only assistants who speak this language.
    #[param(example = "uk", value_type = Option<crate::domain::language::LanguageCode>)]
    pub language: Option<LanguageCode>,
    /// Only assistants who work in this municipality.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Crema", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub municipality: Option<String>,
    /// Active (true) or inactive (false) entries; both when absent.
    #[param(example = true)]
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d61", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "case_id": null, "household_name": "Famiglia Bianchi", "household_phone": "+39 0373 123456",
    "tasks": ["elderly_care", "night_assistance"], "hours_per_week": 54, "live_in": true, "municipality": "Crema",
    "languages": ["it"], "start_on": "2026-12-15", "notes": "Mother, 87, walks with help", "status": "open",
    "created_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "version": 1,
    "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-20T09:00:00Z"
}))]
pub struct CareRequest {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// The case of a family the desk follows; null for a household that only left a contact.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    pub household_name: Option<String>,
    pub household_phone: Option<String>,
    pub tasks: Vec<CareTask>,
    pub hours_per_week: i32,
    pub live_in: bool,
    pub municipality: String,
    /// Languages the family would like spoken (any when empty).
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub status: CareRequestStatus,
    #[schema(format = Uuid)]
    pub created_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<CareRequestRow> for CareRequest {
    type Error = Error;
    fn try_from(r: CareRequestRow) -> Result<Self> {
        Ok(CareRequest {
            tasks: db::from_json_text(&r.tasks)?,
            languages: db::from_json_text(&r.languages)?,
            status: CareRequestStatus::parse(&r.status)
                .ok_or_else(|| Error::internal("care request status", &r.status))?,
            id: r.id,
            organization_id: r.organization_id,
            case_id: r.case_id,
            household_name: r.household_name,
            household_phone: r.household_phone,
            hours_per_week: r.hours_per_week,
            live_in: r.live_in,
            municipality: r.municipality,
            start_on: r.start_on,
            notes: r.notes,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "household_name": "Famiglia Bianchi", "household_phone": "+39 0373 123456",
    "tasks": ["elderly_care", "night_assistance"], "hours_per_week": 54, "live_in": true, "municipality": "Crema",
    "languages": ["it"], "start_on": "2026-12-15", "notes": "Mother, 87, walks with help"
}))]
pub struct CreateCareRequest {
    /// A case of the caller's organization; or leave it out and give `household_name`.
    pub case_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub household_name: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub household_phone: Option<String>,
    #[validate(length(min = 1, max = 6))]
    #[schema(min_items = 1, max_items = 6)]
    pub tasks: Vec<CareTask>,
    #[validate(range(min = 1, max = 70))]
    #[schema(minimum = 1, maximum = 70)]
    pub hours_per_week: i32,
    #[serde(default)]
    pub live_in: bool,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: String,
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10, value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<LanguageCode>,
    pub start_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
}

/// JSON merge patch. The status moves to `placed` by itself when a contract is signed.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "closed", "notes": "Found an assistant privately"}))]
pub struct UpdateCareRequest {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 6))]
    #[schema(min_items = 1, max_items = 6, nullable = false)]
    pub tasks: Option<Vec<CareTask>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(range(min = 1, max = 70))]
    #[schema(minimum = 1, maximum = 70, nullable = false)]
    pub hours_per_week: Option<i32>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub live_in: Option<bool>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub status: Option<CareRequestStatus>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareRequestQuery {
    /// Only requests in this status.
    #[param(example = "open")]
    pub status: Option<CareRequestStatus>,
}

/// An assistant who could take the job, where they rank and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct CareMatch {
    /// 1 for the best.
    pub rank: i32,
    pub assistant: FamilyAssistant,
    pub area_match: bool,
    pub available: bool,
    pub common_languages: i32,
    pub missing_tasks: i32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": []}))]
pub struct CareMatchList {
    /// Active assistants of the organization's list, best first; those already proposed are left out.
    pub items: Vec<CareMatch>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d71", "care_request_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d61",
    "assistant_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d51", "outcome": "contract_signed", "contract_type": "live_in",
    "note": "CCNL domestic work, level CS", "recorded_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "version": 2,
    "created_at": "2026-11-21T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z"
}))]
pub struct Placement {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub care_request_id: String,
    #[schema(format = Uuid)]
    pub assistant_id: String,
    pub outcome: PlacementOutcome,
    pub contract_type: Option<ContractType>,
    pub note: Option<String>,
    #[schema(format = Uuid)]
    pub recorded_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<PlacementRow> for Placement {
    type Error = Error;
    fn try_from(r: PlacementRow) -> Result<Self> {
        Ok(Placement {
            outcome: PlacementOutcome::parse(&r.outcome)
                .ok_or_else(|| Error::internal("placement outcome", &r.outcome))?,
            contract_type: r
                .contract_type
                .as_deref()
                .map(|c| ContractType::parse(c).ok_or_else(|| Error::internal("contract type", c)))
                .transpose()?,
            id: r.id,
            care_request_id: r.care_request_id,
            assistant_id: r.assistant_id,
            note: r.note,
            recorded_by: r.recorded_by,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"assistant_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d51", "note": "Proposed by phone"}))]
pub struct ProposeAssistant {
    pub assistant_id: uuid::Uuid,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub note: Option<String>,
}

/// The outcome of a proposal. `contract_signed` needs the contract type and places the request.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "contract_signed", "contract_type": "live_in", "note": "CCNL domestic work, level CS"}))]
pub struct RecordOutcome {
    pub outcome: PlacementOutcome,
    pub contract_type: Option<ContractType>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub note: Option<String>,
}
