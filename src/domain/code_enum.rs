//! Coded values: lowercase snake_case strings on the wire and in the database, enums in the code,
//! documented as enums in the OpenAPI document.

/// What every coded enum offers, so storage and parsing are written once.
pub trait Code: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// A list of codes without repeats, in the order first given (`["a", "b", "a"]` → `["a", "b"]`).
pub fn distinct<T: PartialEq>(codes: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(codes.len());
    for c in codes {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:tt),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $crate::domain::Code for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::domain::Code::as_str(*self))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::domain::Code;
    use utoipa::PartialSchema;

    /// The OpenAPI enum must list the codes the API really sends and accepts, not the Rust variant names.
    fn assert_schema_lists_codes<T: Code + PartialSchema + serde::Serialize>() {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let listed: Vec<String> =
            schema["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let codes: Vec<String> = T::ALL.iter().map(|c| c.as_str().to_string()).collect();
        assert_eq!(listed, codes);
        for c in T::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
    }

    #[test]
    fn every_code_enum_documents_its_wire_codes() {
        use crate::domain::{case::*, family::Relationship, intervention::InterventionKind};
        use crate::domain::{organization::OrganizationKind, person::Sex, role::Role};
        assert_schema_lists_codes::<CaseStatus>();
        assert_schema_lists_codes::<ClosureReason>();
        assert_schema_lists_codes::<LegalStatus>();
        assert_schema_lists_codes::<PermitType>();
        assert_schema_lists_codes::<Education>();
        assert_schema_lists_codes::<Employment>();
        assert_schema_lists_codes::<Housing>();
        assert_schema_lists_codes::<Need>();
        assert_schema_lists_codes::<Relationship>();
        assert_schema_lists_codes::<InterventionKind>();
        assert_schema_lists_codes::<OrganizationKind>();
        assert_schema_lists_codes::<Sex>();
        assert_schema_lists_codes::<Role>();
        use crate::domain::{care::*, consent::*, duplicate::*, grant::*, professional::*, provider::*};
        use crate::domain::{referral::*, transfer::*};
        assert_schema_lists_codes::<ProviderCategory>();
        assert_schema_lists_codes::<ConsentPurpose>();
        assert_schema_lists_codes::<ReferralStatus>();
        assert_schema_lists_codes::<Urgency>();
        assert_schema_lists_codes::<TransferKind>();
        assert_schema_lists_codes::<TransferStatus>();
        assert_schema_lists_codes::<Access>();
        assert_schema_lists_codes::<MatchReason>();
        assert_schema_lists_codes::<ProfessionalKind>();
        assert_schema_lists_codes::<Sector>();
        assert_schema_lists_codes::<LanguageLevel>();
        assert_schema_lists_codes::<ActivationUrgency>();
        assert_schema_lists_codes::<ActivationStatus>();
        assert_schema_lists_codes::<CareTask>();
        assert_schema_lists_codes::<CareRequestStatus>();
        assert_schema_lists_codes::<PlacementOutcome>();
        assert_schema_lists_codes::<ContractType>();
        use crate::domain::plan::*;
        assert_schema_lists_codes::<AssessmentDomain>();
        assert_schema_lists_codes::<NeedLevel>();
        assert_schema_lists_codes::<GoalStatus>();
        assert_schema_lists_codes::<ActionOwnerKind>();
        assert_schema_lists_codes::<ActionStatus>();
        assert_schema_lists_codes::<PlanOutcome>();
        assert_schema_lists_codes::<ApprovalState>();
        use crate::domain::course::*;
        assert_schema_lists_codes::<CourseLevel>();
        assert_schema_lists_codes::<CourseAudience>();
        assert_schema_lists_codes::<CourseStatus>();
        assert_schema_lists_codes::<EnrolmentStatus>();
        assert_schema_lists_codes::<EnrolmentMove>();
        assert_schema_lists_codes::<AttendanceStatus>();
    }
}
