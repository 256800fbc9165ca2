//! Organizations of the network and their codes.

use crate::error::{Error, Result};

code_enum! {
    /// The kind of agency.
    #[schema(example = "municipality")]
    OrganizationKind {
        Municipality = "municipality",
        SocialCareDistrict = "social_care_district",
        Cooperative = "cooperative",
        Charity = "charity",
        HealthAuthority = "health_authority",
        PoliceImmigrationOffice = "police_immigration_office",
        Prefecture = "prefecture",
        JobCentre = "job_centre",
        SchoolOffice = "school_office",
        UnionPatronato = "union_patronato",
        Other = "other",
    }
}

/// The short code of an organization, used in case reference codes (e.g. `CR-COMUNE-2026-00042`):
/// 2–16 characters, uppercase letters, digits and dashes, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationCode(String);

impl OrganizationCode {
    pub fn parse(raw: &str) -> Result<Self> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = (2..=16).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_uppercase())
            && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.ends_with('-');
        if valid {
            Ok(OrganizationCode(code))
        } else {
            Err(Error::invalid(
                "code",
                "format",
                "2 to 16 characters: letters, digits and dashes, starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Validator hook for request DTOs.
pub fn validate_code(raw: &str) -> std::result::Result<(), validator::ValidationError> {
    OrganizationCode::parse(raw).map(|_| ()).map_err(|_| {
        validator::ValidationError::new("format")
            .with_message("2 to 16 characters: letters, digits and dashes, starting with a letter".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_and_checked() {
        assert_eq!(OrganizationCode::parse(" cr-comune ").unwrap().as_str(), "CR-COMUNE");
        assert!(OrganizationCode::parse("1ABC").is_err());
        assert!(OrganizationCode::parse("A").is_err());
        assert!(OrganizationCode::parse("AB_C").is_err());
        assert!(OrganizationCode::parse("ABC-").is_err());
        assert!(OrganizationCode::parse("ABCDEFGHIJKLMNOPQ").is_err());
    }
}
