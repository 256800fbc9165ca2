//! Bodies, query parameters and the representation of desk contacts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::db::contacts::ContactRow;
use crate::domain::Code;
use crate::domain::contact::{AgeBand, ContactChannel, ContactTopic};
use crate::domain::person::{Sex, validate_country, validate_text};
use crate::error::{Error, Result};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9d10", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20", "operator_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11",
    "occurred_at": "2026-11-23T09:40:00Z", "channel": "in_person", "case_id": null, "opened_case_at": null,
    "sex": "female", "age_band": "25-34", "citizenship": "MA", "topics": ["residence_permit", "language_course"],
    "answer": "Explained the renewal kit at the post office and the documents to bring",
    "provider_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b10", "orientation": "Questura, immigration office, Thursday morning",
    "version": 1, "created_at": "2026-11-23T09:55:00Z", "updated_at": "2026-11-23T09:55:00Z"
}))]
pub struct DeskContact {
    #[schema(format = Uuid)]
    pub id: String,
    /// The organization that runs the desk.
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = Uuid)]
    pub desk_id: String,
    /// Who answered.
    #[schema(format = Uuid)]
    pub operator_id: String,
    pub occurred_at: DateTime<Utc>,
    pub channel: ContactChannel,
    /// The person's case file, when there is one.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    /// When a case was opened from this contact (null: none was).
    pub opened_case_at: Option<DateTime<Utc>>,
    /// The anonymous profile: sex, age band and citizenship, each optional.
    pub sex: Option<Sex>,
    pub age_band: Option<AgeBand>,
    #[schema(example = "MA", value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<String>,
    pub topics: Vec<ContactTopic>,
    /// The answer or information given.
    pub answer: String,
    /// The provider the person was oriented or referred to.
    #[schema(format = Uuid)]
    pub provider_id: Option<String>,
    /// Where and how to go: office, day, what to bring.
    pub orientation: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn code<T: Code>(what: &str, v: Option<String>) -> Result<Option<T>> {
    v.map(|s| T::parse(&s).ok_or_else(|| Error::internal(what, &s))).transpose()
}

/// The stored JSON array of topic codes, back to topics.
pub fn topics_of(raw: &str) -> Result<Vec<ContactTopic>> {
    let codes: Vec<String> = serde_json::from_str(raw).map_err(|e| Error::internal("contact topics", e))?;
    codes.iter().map(|c| ContactTopic::parse(c).ok_or_else(|| Error::internal("contact topic", c))).collect()
}

/// Topics as stored: a JSON array of codes, without repeats.
pub fn topics_json(topics: &[ContactTopic]) -> String {
    let codes = crate::domain::distinct(topics.iter().map(|t| t.as_str()).collect());
    serde_json::Value::from(codes).to_string()
}

impl TryFrom<ContactRow> for DeskContact {
    type Error = Error;
    fn try_from(r: ContactRow) -> Result<Self> {
        Ok(DeskContact {
            channel: ContactChannel::parse(&r.channel)
                .ok_or_else(|| Error::internal("contact channel", &r.channel))?,
            sex: code("sex", r.sex)?,
            age_band: code("age band", r.age_band)?,
            topics: topics_of(&r.topics)?,
            id: r.id,
            organization_id: r.organization_id,
            desk_id: r.desk_id,
            operator_id: r.operator_id,
            occurred_at: r.occurred_at.and_utc(),
            case_id: r.case_id,
            opened_case_at: r.opened_case_at.map(|t| t.and_utc()),
            citizenship: r.citizenship,
            answer: r.answer,
            provider_id: r.provider_id,
            orientation: r.orientation,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "desk_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20", "occurred_at": "2026-11-23T09:40:00Z", "channel": "in_person",
    "sex": "female", "age_band": "25-34", "citizenship": "MA", "topics": ["residence_permit", "language_course"],
    "answer": "Explained the renewal kit at the post office and the documents to bring",
    "orientation": "Questura, immigration office, Thursday morning"
}))]
pub struct CreateDeskContact {
    /// A desk of the caller's organization (any desk for an admin).
    pub desk_id: uuid::Uuid,
    /// When the person came or called; default now. Not in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    pub channel: ContactChannel,
    /// Who answered; defaults to the caller. A user of the desk's organization.
    pub operator_id: Option<uuid::Uuid>,
    /// The person's case, if they have one the caller may work on. The profile is then taken from it.
    pub case_id: Option<uuid::Uuid>,
    pub sex: Option<Sex>,
    pub age_band: Option<AgeBand>,
    #[validate(custom(function = "validate_country"))]
    #[schema(example = "MA", value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<String>,
    /// At least one.
    #[validate(length(min = 1, max = 10))]
    #[schema(min_items = 1, max_items = 10)]
    pub topics: Vec<ContactTopic>,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text")]
    pub answer: String,
    /// A provider of the network directory.
    pub provider_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub orientation: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topics": ["residence_permit"], "provider_id": null}))]
pub struct UpdateDeskContact {
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub channel: Option<ContactChannel>,
    /// Link the contact to a case, or unlink it (not once a case was opened from it).
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub case_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Sex>)]
    pub sex: Option<Option<Sex>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<AgeBand>)]
    pub age_band: Option<Option<AgeBand>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_country"))]
    #[schema(value_type = Option<crate::domain::country::CountryCode>, example = "MA")]
    pub citizenship: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 10))]
    #[schema(min_items = 1, max_items = 10, nullable = false)]
    pub topics: Option<Vec<ContactTopic>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 5000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 5000, format = "sportello:text", nullable = false)]
    pub answer: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2000, format = "sportello:text")]
    pub orientation: Option<Option<String>>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Only the contacts of this desk.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20")]
    pub desk_id: Option<uuid::Uuid>,
    /// From this day (Italian calendar), included.
    #[param(example = "2026-11-01")]
    pub from: Option<NaiveDate>,
    /// To this day (Italian calendar), included.
    #[param(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// Only contacts by this channel.
    #[param(example = "phone")]
    pub channel: Option<ContactChannel>,
    /// Only contacts about this topic.
    #[param(example = "residence_permit")]
    pub topic: Option<ContactTopic>,
    /// Only the contacts of this case.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30")]
    pub case_id: Option<uuid::Uuid>,
    /// Only contacts a case was opened from (`true`), or the others (`false`).
    #[param(example = false)]
    pub opened_case: Option<bool>,
}
