//! Request and response bodies of the directory's services.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::opening_hours::OpeningHours;
use crate::api::v1::patch;
use crate::db::{self, services::ServiceRecord};
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::person::{validate_languages, validate_name, validate_text};
use crate::domain::provider::ProviderCategory;
use crate::error::{Error, Result};

/// An area served (by a service, a professional): named municipalities and/or a whole social-care district.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipalities": ["Crema", "Offanengo"], "district": "Cremasco"}))]
pub struct ServiceArea {
    #[serde(default)]
    #[validate(length(max = 100), custom(function = "validate_names"))]
    #[schema(max_items = 100, value_type = Vec<PlaceName>)]
    pub municipalities: Vec<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub district: Option<String>,
}

impl ServiceArea {
    /// The same area with names trimmed and single-spaced.
    pub fn cleaned(&self) -> ServiceArea {
        ServiceArea {
            municipalities: self.municipalities.iter().map(|m| crate::domain::text::clean(m)).collect(),
            district: self.district.as_deref().map(crate::domain::text::clean),
        }
    }

    /// The search keys of the area (see `domain::provider::area_keys`), with extra municipalities.
    pub fn keys<'a>(&'a self, also: impl IntoIterator<Item = &'a str>) -> String {
        crate::domain::provider::area_keys(
            self.municipalities.iter().map(String::as_str).chain(also),
            self.district.as_deref(),
        )
    }
}

/// In the OpenAPI document: the name of a municipality or district, with the rule of every name.
pub struct PlaceName;

impl utoipa::PartialSchema for PlaceName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A municipality's name, as written (case and accents are ignored in searches).",
            ))
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some(crate::domain::person::NAME_PATTERN))
            .examples([serde_json::json!("Crema")])
            .into()
    }
}

impl utoipa::ToSchema for PlaceName {}

pub fn validate_names(names: &[String]) -> std::result::Result<(), ValidationError> {
    for name in names {
        if name.chars().count() > 100 {
            return Err(ValidationError::new("length")
                .with_message("a municipality has at most 100 characters".into()));
        }
        validate_name(name)?;
    }
    Ok(())
}

/// A place where the service is delivered, with its weekly schedule (HSDS service_at_location).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Questura — sportello stranieri", "address": "Via Tribunali 6, 26100 Cremona", "municipality": "Cremona",
    "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}, {"weekday": 3, "opens": "14:30", "closes": "16:30"}]
}))]
pub struct Location {
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub name: String,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[validate(length(max = 1000), custom(function = "validate_text"))]
    #[schema(max_length = 1000, format = "sportello:text")]
    pub notes: Option<String>,
    /// Weekly opening slots in local Italian time.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub schedules: Vec<OpeningHours>,
}

/// The provider a service belongs to, as search results show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceProvider {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub category: ProviderCategory,
    /// Null for an external provider.
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b11",
    "provider": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01", "name": "Questura di Cremona — Ufficio Immigrazione",
                 "category": "police_immigration_office", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12"},
    "name": "Rinnovo del permesso di soggiorno", "description": "Renewal of residence permits, by appointment.",
    "needs": ["residence_permit"], "languages": ["it", "en", "fr"],
    "service_area": {"municipalities": ["Cremona"], "district": "Cremonese"},
    "eligibility": "Holders of a permit expiring within 60 days", "min_age": 14, "max_age": null,
    "fees": "Postal kit and revenue stamp", "how_to_apply": "Book through the desk", "email": null, "phone": "+39 0372 488111",
    "locations": [{"name": "Questura — sportello stranieri", "address": "Via Tribunali 6, 26100 Cremona",
                   "municipality": "Cremona", "notes": null,
                   "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}]}],
    "active": true, "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Service {
    #[schema(format = Uuid)]
    pub id: String,
    pub provider: ServiceProvider,
    pub name: String,
    pub description: Option<String>,
    /// The needs this service answers (the codes of case needs).
    pub needs: Vec<Need>,
    /// ISO 639 codes of the languages the service is offered in.
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>)]
    pub languages: Vec<String>,
    pub service_area: ServiceArea,
    pub eligibility: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub fees: Option<String>,
    pub how_to_apply: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locations: Vec<Location>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ServiceRecord> for Service {
    type Error = Error;
    fn try_from(r: ServiceRecord) -> Result<Self> {
        let ServiceRecord { service: s, provider, places } = r;
        let locations = places
            .locations
            .into_iter()
            .map(|l| Location {
                schedules: places
                    .schedules
                    .iter()
                    .filter(|h| h.location_id == l.id)
                    .map(|h| {
                        OpeningHours::from_stored(
                            h.weekday,
                            h.opens,
                            h.closes,
                            h.valid_from,
                            h.valid_to,
                            h.notes.clone(),
                        )
                    })
                    .collect(),
                name: l.name,
                address: l.address,
                municipality: l.municipality,
                notes: l.notes,
            })
            .collect();
        Ok(Service {
            provider: ServiceProvider {
                category: ProviderCategory::parse(&provider.category)
                    .ok_or_else(|| Error::internal("provider category", &provider.category))?,
                id: provider.id,
                name: provider.name,
                organization_id: provider.organization_id,
            },
            needs: db::from_json_text(&s.needs)?,
            languages: db::from_json_text(&s.languages)?,
            service_area: ServiceArea {
                municipalities: db::from_json_text(&s.area_municipalities)?,
                district: s.area_district,
            },
            id: s.id,
            name: s.name,
            description: s.description,
            eligibility: s.eligibility,
            min_age: s.min_age,
            max_age: s.max_age,
            fees: s.fees,
            how_to_apply: s.how_to_apply,
            email: s.email,
            phone: s.phone,
            locations,
            active: s.active,
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Rinnovo del permesso di soggiorno", "needs": ["residence_permit"], "languages": ["it", "en", "fr"],
    "service_area": {"municipalities": ["Cremona"]}, "min_age": 14, "fees": "Postal kit and revenue stamp",
    "locations": [{"name": "Questura — sportello stranieri", "municipality": "Cremona",
                   "schedules": [{"weekday": 1, "opens": "08:30", "closes": "12:30"}]}]
}))]
pub struct CreateService {
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name")]
    pub name: String,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub description: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub needs: Vec<Need>,
    #[serde(default)]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>, max_items = 30)]
    pub languages: Vec<String>,
    #[serde(default)]
    #[validate(nested)]
    pub service_area: ServiceArea,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub eligibility: Option<String>,
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<i32>,
    /// Not below `min_age`.
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i32>,
    #[validate(length(max = 500), custom(function = "validate_text"))]
    #[schema(max_length = 500, format = "sportello:text")]
    pub fees: Option<String>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub how_to_apply: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub locations: Vec<Location>,
}

/// JSON merge patch; `locations`, when present, replaces every location and schedule.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"languages": ["it", "en", "fr", "ar"], "active": true}))]
pub struct UpdateService {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name", nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20))]
    #[schema(max_items = 20, nullable = false)]
    pub needs: Option<Vec<Need>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Option<Vec<crate::domain::language::LanguageCode>>, max_items = 30, nullable = false)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(nested)]
    #[schema(nullable = false)]
    pub service_area: Option<ServiceArea>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub eligibility: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(range(min = 0, max = 120))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 120)]
    pub min_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(range(min = 0, max = 120))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 120)]
    pub max_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 500), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 500, format = "sportello:text")]
    pub fees: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub how_to_apply: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20, nullable = false)]
    pub locations: Option<Vec<Location>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Words that must all appear in the provider's or service's name or description (accents and case
    /// ignored).
    #[validate(length(min = 2, max = 100))]
    #[param(example = "permesso", min_length = 2, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub q: Option<String>,
    /// Only services answering this need.
    #[param(example = "residence_permit")]
    pub need: Option<Need>,
    /// Only services offered in this language (ISO 639).
    #[validate(custom(function = "validate_language"))]
    #[param(example = "fr", value_type = Option<crate::domain::language::LanguageCode>)]
    pub language: Option<String>,
    /// Only services serving this municipality (named in their area or where one of their locations is).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Cremona", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub municipality: Option<String>,
    /// Only services serving this social-care district.
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Cremasco", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub district: Option<String>,
    /// Only services of providers of this category.
    #[param(example = "police_immigration_office")]
    pub category: Option<ProviderCategory>,
    /// Only services of this provider.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9b01")]
    pub provider_id: Option<uuid::Uuid>,
    /// Only services whose age limits admit a person of this age.
    #[validate(range(min = 0, max = 120))]
    #[param(example = 35, minimum = 0, maximum = 120)]
    pub age: Option<i32>,
    /// Only services open at this moment (RFC 3339; schedules are in Italian local time).
    #[param(example = "2026-11-25T10:30:00+01:00")]
    pub open_at: Option<DateTime<Utc>>,
    /// Only services open now (the same as `open_at` with the current time; `open_at` wins when both are
    /// given).
    #[param(example = true)]
    pub open_now: Option<bool>,
    /// Active services of active providers (the default), or only inactive services with `false`.
    #[param(example = true)]
    pub active: Option<bool>,
}

pub(super) fn validate_language(code: &str) -> std::result::Result<(), ValidationError> {
    validate_languages(std::slice::from_ref(&code.to_string()))
}
