//! Request and response bodies of the case file, and their mapping to rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::v1::family_members::CreateFamilyMember;
use crate::api::v1::patch;
use crate::db::{self, cases::CaseRow};
use crate::domain::Code;
use crate::domain::case::{
    CaseStatus, ClosureReason, Education, Employment, Housing, LegalStatus, Need, PermitType,
};
use crate::domain::person::{
    Sex, check_tax_code_consistency, validate_country, validate_languages, validate_name,
    validate_not_future, validate_plausible_date, validate_tax_code, validate_text,
};
use crate::error::{Error, Result, about_field, cross_field_error};

fn code<T: Code>(field: &str, v: Option<&str>) -> Result<Option<T>> {
    v.map(|s| T::parse(s).ok_or_else(|| Error::internal("stored code", format!("{field}={s}")))).transpose()
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "reference_code": "CR-COMUNE-2026-00042",
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10", "desk_id": null, "assignee_id": null,
    "status": "open", "closure_reason": null, "closure_note": null, "closed_at": null,
    "given_name": "Amina", "family_name": "Diallo", "sex": "female", "birth_date": "1990-05-17",
    "birth_place": "Dakar", "country_of_birth": "SN", "citizenship": "SN", "tax_code": null,
    "languages": ["fr", "wo"], "phone": "+39 333 1234567", "email": null, "address": null,
    "residence_municipality": "Cremona", "arrival_date": "2019-09-01", "legal_status": "permit_holder",
    "permit_type": "work", "permit_number": null, "permit_expiry": "2027-03-31", "education": "upper_secondary",
    "employment": "unemployed", "housing": "rented", "needs": ["residence_permit", "language_course"],
    "notes": "Asks for help renewing the permit.", "restricted_notes": null, "source_system": null, "external_id": null,
    "created_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "legal_hold": false, "version": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Case {
    #[schema(format = Uuid)]
    pub id: String,
    /// Human-readable, unique: organization code, year, sequence.
    pub reference_code: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = Uuid)]
    pub desk_id: Option<String>,
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    pub status: CaseStatus,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub given_name: String,
    pub family_name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_of_birth: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub citizenship: Option<String>,
    /// Italian codice fiscale.
    pub tax_code: Option<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub residence_municipality: Option<String>,
    pub arrival_date: Option<NaiveDate>,
    pub legal_status: Option<LegalStatus>,
    pub permit_type: Option<PermitType>,
    pub permit_number: Option<String>,
    pub permit_expiry: Option<NaiveDate>,
    pub education: Option<Education>,
    pub employment: Option<Employment>,
    pub housing: Option<Housing>,
    pub needs: Vec<Need>,
    pub notes: Option<String>,
    /// Health and similar notes: present only for the organization that owns the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_notes: Option<String>,
    pub source_system: Option<String>,
    pub external_id: Option<String>,
    #[schema(format = Uuid)]
    pub created_by: String,
    /// While true the person's data may not be erased (`PUT /cases/{id}/legal-hold`).
    pub legal_hold: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Only in the response that opened the case: cases elsewhere in the network that may be the same
    /// person (same tax code, or same names and birth date). Each names only the owner and a contact point.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub possible_duplicates: Option<Vec<super::duplicates::DuplicateMatch>>,
    /// Only in `GET /cases/{id}`, when the case has been assessed: the latest needs assessment (its history
    /// is at `/cases/{id}/assessments`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub latest_assessment: Option<crate::api::v1::assessments::Assessment>,
}

impl Case {
    /// The representation for a caller; restricted notes only when `sees_restricted`.
    pub fn from_row(r: CaseRow, sees_restricted: bool) -> Result<Self> {
        Ok(Case {
            status: code("status", Some(&r.status))?.ok_or_else(|| Error::internal("case", "no status"))?,
            closure_reason: code("closure_reason", r.closure_reason.as_deref())?,
            sex: code("sex", r.sex.as_deref())?,
            legal_status: code("legal_status", r.legal_status.as_deref())?,
            permit_type: code("permit_type", r.permit_type.as_deref())?,
            education: code("education", r.education.as_deref())?,
            employment: code("employment", r.employment.as_deref())?,
            housing: code("housing", r.housing.as_deref())?,
            needs: db::from_json_text(&r.needs)?,
            languages: db::from_json_text(&r.languages)?,
            restricted_notes: if sees_restricted { r.restricted_notes } else { None },
            id: r.id,
            reference_code: r.reference_code,
            organization_id: r.organization_id,
            desk_id: r.desk_id,
            assignee_id: r.assignee_id,
            closure_note: r.closure_note,
            closed_at: r.closed_at.map(|t| t.and_utc()),
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            birth_place: r.birth_place,
            country_of_birth: r.country_of_birth,
            citizenship: r.citizenship,
            tax_code: r.tax_code,
            phone: r.phone,
            email: r.email,
            address: r.address,
            residence_municipality: r.residence_municipality,
            arrival_date: r.arrival_date,
            permit_number: r.permit_number,
            permit_expiry: r.permit_expiry,
            notes: r.notes,
            source_system: r.source_system,
            external_id: r.external_id,
            created_by: r.created_by,
            version: r.version,
            legal_hold: r.legal_hold,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            possible_duplicates: None,
            latest_assessment: None,
        })
    }
}

/// The intake form. Family members can be added in the same call.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_new_case"))]
#[schema(example = json!({
    "given_name": "Amina", "family_name": "Diallo", "sex": "female", "birth_date": "1990-05-17",
    "country_of_birth": "SN", "citizenship": "SN", "languages": ["fr", "wo"], "residence_municipality": "Cremona",
    "legal_status": "permit_holder", "permit_type": "work", "permit_expiry": "2027-03-31",
    "needs": ["residence_permit", "language_course"],
    "family_members": [{"relationship": "child", "given_name": "Moussa", "family_name": "Diallo", "birth_date": "2016-03-02"}]
}))]
pub struct CreateCase {
    pub desk_id: Option<uuid::Uuid>,
    pub assignee_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub given_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub family_name: String,
    pub sex: Option<Sex>,
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub birth_date: Option<NaiveDate>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub birth_place: Option<String>,
    #[validate(custom(function = "validate_country"))]
    #[schema(example = "SN", value_type = Option<crate::domain::country::CountryCode>)]
    pub country_of_birth: Option<String>,
    #[validate(custom(function = "validate_country"))]
    #[schema(example = "SN", value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<String>,
    #[validate(custom(function = "validate_tax_code"))]
    #[schema(example = "DLLMNA90E57Z343T", format = "sportello:tax-code")]
    pub tax_code: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "validate_languages"))]
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>, max_items = 20)]
    pub languages: Vec<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:text")]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub residence_municipality: Option<String>,
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    pub arrival_date: Option<NaiveDate>,
    pub legal_status: Option<LegalStatus>,
    pub permit_type: Option<PermitType>,
    #[validate(length(min = 1, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 40, format = "sportello:name")]
    pub permit_number: Option<String>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub permit_expiry: Option<NaiveDate>,
    pub education: Option<Education>,
    pub employment: Option<Employment>,
    pub housing: Option<Housing>,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub needs: Vec<Need>,
    #[validate(length(max = 10000), custom(function = "validate_text"))]
    #[schema(max_length = 10000, format = "sportello:text")]
    pub notes: Option<String>,
    /// Visible only to the owner organization.
    #[validate(length(max = 10000), custom(function = "validate_text"))]
    #[schema(max_length = 10000, format = "sportello:text")]
    pub restricted_notes: Option<String>,
    #[validate(length(min = 1, max = 64), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 64, format = "sportello:name")]
    pub source_system: Option<String>,
    #[validate(length(min = 1, max = 128), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 128, format = "sportello:name")]
    pub external_id: Option<String>,
    #[serde(default)]
    #[validate(length(max = 30), nested)]
    #[schema(max_items = 30)]
    pub family_members: Vec<CreateFamilyMember>,
}

fn check_new_case(c: &CreateCase) -> std::result::Result<(), ValidationError> {
    check_person(c.tax_code.as_deref(), c.birth_date, c.sex, c.arrival_date)?;
    if c.source_system.is_some() != c.external_id.is_some() {
        return Err(cross_field_error(
            "external_id",
            "incomplete",
            "source_system and external_id go together",
        ));
    }
    Ok(())
}

/// Checks across fields of a person; used on create and on the merged result of a patch.
pub fn check_person(
    tax_code: Option<&str>,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    arrival_date: Option<NaiveDate>,
) -> std::result::Result<(), ValidationError> {
    if let Some(tc) = tax_code {
        check_tax_code_consistency(tc, birth_date, sex).map_err(|e| about_field(e, "tax_code"))?;
    }
    if let (Some(born), Some(arrived)) = (birth_date, arrival_date)
        && arrived < born
    {
        return Err(cross_field_error(
            "arrival_date",
            "arrival_before_birth",
            "the arrival date is before the birth date",
        ));
    }
    Ok(())
}

/// JSON merge patch of a case. Status changes go through `POST /cases/{id}/status`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+39 333 7654321", "needs": ["residence_permit", "employment"], "email": null}))]
pub struct UpdateCase {
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub desk_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub given_name: Option<String>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name", nullable = false)]
    pub family_name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Sex>)]
    pub sex: Option<Option<Sex>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, format = "sportello:name")]
    pub birth_place: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_country"))]
    #[schema(value_type = Option<crate::domain::country::CountryCode>)]
    pub country_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_country"))]
    #[schema(value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_tax_code"))]
    #[schema(value_type = Option<String>, format = "sportello:tax-code")]
    pub tax_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20), custom(function = "validate_languages"))]
    #[schema(value_type = Option<Vec<crate::domain::language::LanguageCode>>, max_items = 20, nullable = false)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, format = "sportello:text")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, format = "sportello:name")]
    pub residence_municipality: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_not_future"), custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub arrival_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<LegalStatus>)]
    pub legal_status: Option<Option<LegalStatus>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<PermitType>)]
    pub permit_type: Option<Option<PermitType>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 40, format = "sportello:name")]
    pub permit_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(custom(function = "validate_plausible_date"))]
    #[schema(value_type = Option<NaiveDate>)]
    pub permit_expiry: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Education>)]
    pub education: Option<Option<Education>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Employment>)]
    pub employment: Option<Option<Employment>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Housing>)]
    pub housing: Option<Option<Housing>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 20))]
    #[schema(max_items = 20, nullable = false)]
    pub needs: Option<Vec<Need>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 10000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 10000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 10000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 10000, format = "sportello:text")]
    pub restricted_notes: Option<Option<String>>,
}

/// A move in the case lifecycle.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "closed", "closure_reason": "goals_achieved", "note": "Permit renewed.",
    "plan_outcome": "achieved"}))]
pub struct ChangeStatus {
    pub status: CaseStatus,
    /// Required when closing.
    pub closure_reason: Option<ClosureReason>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub note: Option<String>,
    /// Required when closing a case that has an individual plan in force, and only then: the plan is
    /// closed with this outcome.
    pub plan_outcome: Option<crate::domain::plan::PlanOutcome>,
    /// With `plan_outcome`: how the plan went.
    #[validate(length(min = 1, max = 2000), custom(function = "validate_text"))]
    #[schema(min_length = 1, max_length = 2000, format = "sportello:text")]
    pub plan_outcome_note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Name fragments, accent- and case-insensitive, in any order ("nguyen anh" finds "Thị Ánh Nguyễn").
    #[validate(length(min = 2, max = 100))]
    #[param(example = "diallo", min_length = 2, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub q: Option<String>,
    /// Exact Italian tax code (any case, spaces ignored).
    #[validate(custom(function = "validate_tax_code"))]
    #[param(example = "RSSMRA85T10A562S", format = "sportello:tax-code")]
    pub tax_code: Option<String>,
    /// Citizenship, ISO 3166-1 alpha-2 (any case).
    #[validate(custom(function = "validate_country"))]
    #[param(example = "SN", value_type = Option<crate::domain::country::CountryCode>)]
    pub citizenship: Option<String>,
    /// Only cases in this status.
    #[param(example = "active")]
    pub status: Option<CaseStatus>,
    /// `me` or a user id.
    #[param(example = "me")]
    pub assignee: Option<String>,
    /// Only cases taken in at this desk.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20")]
    pub desk_id: Option<uuid::Uuid>,
    /// Only cases owned by this organization (an admin's view of one organization's worklist).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Exact reference code (any case).
    #[validate(length(min = 1, max = 64))]
    #[param(example = "CR-COMUNE-2026-00042", min_length = 1, max_length = 64, pattern = "^[^\\u0000]*$")]
    pub reference_code: Option<String>,
    /// Cases whose residence permit expires before this date.
    #[param(example = "2027-01-31")]
    pub permit_expires_before: Option<NaiveDate>,
    /// Worklist: residence permits already expired or expiring within this many days (60 is the usual
    /// horizon for a renewal kit).
    #[validate(range(min = 0, max = 3650))]
    #[param(example = 60, minimum = 0, maximum = 3650)]
    pub permit_expires_within_days: Option<u32>,
    /// Cases changed at or after this time (RFC 3339).
    #[param(example = "2026-11-01T00:00:00Z")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Worklist: cases not closed, opened over this many days ago, with no intervention in that time.
    #[validate(range(min = 1, max = 3650))]
    #[param(example = 30, minimum = 1, maximum = 3650)]
    pub inactive_days: Option<u32>,
}
