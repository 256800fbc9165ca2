//! Duplicate detection at intake: `POST /api/v1/cases/duplicate-check`, and the `possible_duplicates` of
//! a newly opened case. A match names the owner organization and a contact point, never the other case's
//! data, so the operator can ask for a transfer or a grant instead of opening a second file.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::domain::duplicate::{Identity, MatchReason, match_reasons};
use crate::domain::person::{normalize_tax_code, validate_name, validate_plausible_date, validate_tax_code};
use crate::domain::text::search_key;
use crate::error::{Error, Result};
use crate::http::{ApiJson, respond};

/// Whom to ask about a possible duplicate: the desk that took the case in, or the organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactPoint {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a31", "matched_on": ["name_and_birth_date"],
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "organization_name": "Caritas Cremonese",
    "contact": {"name": "Centro di ascolto — Via Stenico", "phone": "+39 0372 35063", "email": null}
}))]
pub struct DuplicateMatch {
    /// To request a transfer (`POST /api/v1/transfers`) or ask for a grant; the case itself stays invisible.
    #[schema(format = Uuid)]
    pub case_id: String,
    pub matched_on: Vec<MatchReason>,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub organization_name: String,
    pub contact: ContactPoint,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"given_name": "Amina", "family_name": "Diallo", "birth_date": "1990-05-17"}))]
pub struct DuplicateCheck {
    #[validate(custom(function = "validate_tax_code"))]
    #[schema(format = "sportello:tax-code")]
    pub tax_code: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub given_name: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub family_name: Option<String>,
    #[validate(custom(function = "validate_plausible_date"))]
    pub birth_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"matches": [{
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a31", "matched_on": ["name_and_birth_date"],
    "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12", "organization_name": "Caritas Cremonese",
    "contact": {"name": "Centro di ascolto — Via Stenico", "phone": "+39 0372 35063", "email": null}
}]}))]
pub struct DuplicateCheckResult {
    pub matches: Vec<DuplicateMatch>,
}

/// Cases of the network that may be this person, except `exclude` (the case just opened).
pub fn find(
    c: &mut DbConnection,
    probe: &Identity<'_>,
    exclude: Option<&str>,
) -> Result<Vec<DuplicateMatch>> {
    let mut matches = Vec::new();
    for row in cases::duplicate_candidates(c, probe.tax_code, probe.birth_date)? {
        if Some(row.id.as_str()) == exclude {
            continue;
        }
        let candidate = Identity {
            tax_code: row.tax_code.as_deref(),
            name_key: &row.search_name,
            birth_date: row.birth_date,
        };
        let matched_on = match_reasons(probe, &candidate);
        if matched_on.is_empty() {
            continue;
        }
        let organization = db::organizations::get(c, &row.organization_id)?;
        let desk = match &row.desk_id {
            Some(id) => Some(db::desks::get(c, id)?.0),
            None => None,
        };
        let contact = match desk {
            Some(d) => ContactPoint {
                name: d.name,
                phone: d.phone.or(organization.phone.clone()),
                email: d.email.or(organization.email.clone()),
            },
            None => ContactPoint {
                name: organization.name.clone(),
                phone: organization.phone.clone(),
                email: organization.email.clone(),
            },
        };
        matches.push(DuplicateMatch {
            case_id: row.id,
            matched_on,
            organization_id: organization.id,
            organization_name: organization.name,
            contact,
        });
    }
    Ok(matches)
}

/// Check for an existing case before opening one
///
/// The same question intake answers when a case is opened: is there a case in the network with this tax
/// code, or with these names (any order, accents ignored) and this birth date? Each match names only the
/// owner organization and whom to contact. Give a tax code, or both names and the birth date. Audited.
#[utoipa::path(
    tag = "cases",
    request_body = DuplicateCheck,
    responses((status = 200, description = "Possible duplicates (possibly none)", body = DuplicateCheckResult)),
    security(("bearer" = []))
)]
#[post("/duplicate-check")]
pub async fn check_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<DuplicateCheck>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseDuplicateCheck)?;
    let b = body.into_inner();
    let by_name = b.given_name.is_some() && b.family_name.is_some() && b.birth_date.is_some();
    if b.tax_code.is_none() && !by_name {
        return Err(Error::invalid(
            "tax_code",
            "required",
            "give a tax code, or given_name, family_name and birth_date together",
        ));
    }
    let tax_code = b.tax_code.as_deref().map(normalize_tax_code);
    let name_key = if by_name {
        search_key(&format!("{} {}", b.given_name.unwrap_or_default(), b.family_name.unwrap_or_default()))
    } else {
        String::new()
    };
    let birth_date = b.birth_date.filter(|_| by_name);
    let matches = state
        .db
        .run(move |c| {
            let probe = Identity { tax_code: tax_code.as_deref(), name_key: &name_key, birth_date };
            let matches = find(c, &probe, None)?;
            audit::record(
                c,
                &AuditEvent::by(&caller, "case.duplicate_check", "case", None)
                    .details(serde_json::json!({"matches": matches.len()})),
            )?;
            Ok(matches)
        })
        .await?;
    Ok(respond::ok(&DuplicateCheckResult { matches }))
}
