//! Query parameters and the table of the statistics endpoints.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::stats::{Dataset, Dimension};

/// The period and the part of the network a table covers.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day of the period (Italian calendar; default: 1 January of this year).
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the period, included (default: today).
    #[param(example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Only this organization (admins and analysts; a coordinator always gets their own).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only the cases of this desk (for contacts: the contacts at it; for courses: those held at it).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20")]
    pub desk_id: Option<uuid::Uuid>,
    /// Only the organizations of this social-care district (exact name).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Crema", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub district: Option<String>,
    /// Suppress small cells as for analysts (always on for them): a table fit to publish.
    #[param(example = true)]
    pub suppress: Option<bool>,
}

// One per dataset: the pattern lists its dimensions (a unit test checks it against `Dataset::dimensions`).
macro_rules! group_by_params {
    ($name:ident, $pattern:literal, $example:literal) => {
        #[derive(Debug, Deserialize, Validate, IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Up to three dimensions, comma-separated without spaces: one row per combination met in the
            /// period. Without it, only the total.
            #[param(pattern = $pattern, example = $example)]
            pub group_by: Option<String>,
        }
    };
}

group_by_params!(
    CaseGroupBy,
    "^((organization|desk|district|status|citizenship|sex|age_band|legal_status|residence_municipality|need)(,(organization|desk|district|status|citizenship|sex|age_band|legal_status|residence_municipality|need)){0,2})?$",
    "citizenship,sex"
);
group_by_params!(
    InterventionGroupBy,
    "^((kind|organization|desk|district|citizenship|sex|age_band|legal_status|residence_municipality)(,(kind|organization|desk|district|citizenship|sex|age_band|legal_status|residence_municipality)){0,2})?$",
    "kind"
);
group_by_params!(
    ReferralGroupBy,
    "^((provider_category|provider|outcome|need|urgency|organization|desk|district|citizenship|sex|age_band|legal_status)(,(provider_category|provider|outcome|need|urgency|organization|desk|district|citizenship|sex|age_band|legal_status)){0,2})?$",
    "provider_category,outcome"
);
group_by_params!(
    ActivationGroupBy,
    "^((kind|language|sector|urgency|outcome|organization|district)(,(kind|language|sector|urgency|outcome|organization|district)){0,2})?$",
    "kind,language"
);

group_by_params!(
    ContactGroupBy,
    "^((desk|organization|district|channel|topic|citizenship|sex|age_band)(,(desk|organization|district|channel|topic|citizenship|sex|age_band)){0,2})?$",
    "desk,topic"
);

group_by_params!(
    CourseGroupBy,
    "^((organization|district|desk|language|level|audience|year|outcome)(,(organization|district|desk|language|level|audience|year|outcome)){0,2})?$",
    "language,level"
);

/// A statistical table. Figures of a cell that would count fewer than 5 people, or let one be worked
/// out from the totals, are `null` when suppression applies (in CSV: `c`, confidential).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "dataset": "cases", "from": "2026-01-01", "to": "2026-12-31", "organization_id": null, "desk_id": null,
    "district": "Crema", "group_by": ["citizenship"], "measures": ["in_charge", "new", "closed", "family_members"],
    "suppression": {"applied": true, "threshold": 5, "hidden_values": 8},
    "rows": [
        {"dimensions": {"citizenship": "MA"}, "values": {"in_charge": 41, "new": 12, "closed": 9, "family_members": 57}, "suppressed": []},
        {"dimensions": {"citizenship": "SN"}, "values": {"in_charge": null, "new": null, "closed": null, "family_members": null},
         "suppressed": ["in_charge", "new", "closed", "family_members"]}
    ],
    "total": {"dimensions": {}, "values": {"in_charge": 212, "new": 64, "closed": 51, "family_members": 268}, "suppressed": []}
}))]
pub struct StatsTable {
    pub dataset: Dataset,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[schema(format = Uuid)]
    pub organization_id: Option<String>,
    #[schema(format = Uuid)]
    pub desk_id: Option<String>,
    pub district: Option<String>,
    pub group_by: Vec<Dimension>,
    /// The figures of each row, in order.
    pub measures: Vec<String>,
    pub suppression: Suppression,
    /// One row per combination of the dimensions met in the period, ordered by them.
    pub rows: Vec<StatsRow>,
    /// The whole period, all rows together (a person in several rows is counted once).
    pub total: StatsRow,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suppression {
    /// Whether small cells were hidden (always for analysts, on request for others).
    pub applied: bool,
    /// Counts of people from 1 to this minus one are hidden.
    pub threshold: i64,
    /// Figures hidden in the rows and the total, small ones and those hidden to protect them.
    pub hidden_values: usize,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct StatsRow {
    /// Each dimension's value: a code, a name or an id; null when not recorded.
    #[schema(value_type = BTreeMap<String, Option<String>>)]
    pub dimensions: BTreeMap<&'static str, Option<String>>,
    /// Each measure's figure; null when suppressed (or a median of nothing).
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub values: BTreeMap<&'static str, Option<serde_json::Number>>,
    /// The measures whose figure is hidden by suppression (a `null` not listed here is a median of nothing).
    #[schema(value_type = Vec<String>)]
    pub suppressed: Vec<&'static str>,
}

#[cfg(test)]
mod tests {
    use utoipa::IntoParams;

    use super::*;

    #[test]
    fn group_by_patterns_list_each_datasets_dimensions() {
        let pattern = |params: Vec<utoipa::openapi::path::Parameter>| {
            let value = serde_json::to_value(&params[0]).unwrap();
            value["schema"]["pattern"].as_str().unwrap().to_string()
        };
        assert_eq!(pattern(CaseGroupBy::into_params(|| None)), Dataset::Cases.group_by_pattern());
        assert_eq!(
            pattern(InterventionGroupBy::into_params(|| None)),
            Dataset::Interventions.group_by_pattern()
        );
        assert_eq!(pattern(ReferralGroupBy::into_params(|| None)), Dataset::Referrals.group_by_pattern());
        assert_eq!(pattern(ActivationGroupBy::into_params(|| None)), Dataset::Activations.group_by_pattern());
        assert_eq!(pattern(ContactGroupBy::into_params(|| None)), Dataset::Contacts.group_by_pattern());
        assert_eq!(pattern(CourseGroupBy::into_params(|| None)), Dataset::Courses.group_by_pattern());
    }
}
