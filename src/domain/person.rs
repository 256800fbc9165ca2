//! Facts about a person shared by beneficiaries and family members, and the checks on them.

use chrono::NaiveDate;
use validator::ValidationError;

use super::{country::CountryCode, language::LanguageCode, tax_code::TaxCode};

code_enum! {
    /// Sex as recorded on the person's documents.
    #[schema(example = "female")]
    Sex {
        Female = "female",
        Male = "male",
        /// Neither, or not stated on the documents.
        Unspecified = "unspecified",
    }
}

fn error(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

/// What [`validate_name`] accepts, as a JSON Schema pattern (for the OpenAPI document): at least one
/// character that is neither white space nor control, and no control characters (Unicode `Cc`).
pub const NAME_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$";

/// What [`validate_text`] accepts, as a JSON Schema pattern: no control characters but tab, CR and LF.
pub const TEXT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// A name must have visible characters and no control characters.
pub fn validate_name(v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() {
        return Err(error("blank", "must not be blank".into()));
    }
    if v.chars().any(char::is_control) {
        return Err(error("control_characters", "must not contain control characters".into()));
    }
    Ok(())
}

/// Free text may span lines but holds no other control characters.
pub fn validate_text(v: &str) -> Result<(), ValidationError> {
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(error("control_characters", "must not contain control characters".into()));
    }
    Ok(())
}

pub fn validate_country(v: &str) -> Result<(), ValidationError> {
    CountryCode::parse(v).map(|_| ()).map_err(|e| error("country", e.to_string()))
}

pub fn validate_languages(v: &[String]) -> Result<(), ValidationError> {
    for code in v {
        LanguageCode::parse(code).map_err(|e| error("language", format!("'{code}': {e}")))?;
    }
    Ok(())
}

pub fn validate_tax_code(v: &str) -> Result<(), ValidationError> {
    TaxCode::parse(v).map(|_| ()).map_err(|e| error("tax_code", e.to_string()))
}

pub fn validate_not_future(d: &NaiveDate) -> Result<(), ValidationError> {
    if *d > chrono::Utc::now().date_naive() {
        return Err(error("in_future", "must not be in the future".into()));
    }
    Ok(())
}

/// Dates before 1900 are typing mistakes in this domain.
pub fn validate_plausible_date(d: &NaiveDate) -> Result<(), ValidationError> {
    if d.year_ce().1 < 1900 || d.year_ce().1 > 2200 {
        return Err(error("implausible", "must be between 1900 and 2200".into()));
    }
    Ok(())
}

use chrono::Datelike;

/// Country codes are stored uppercase, languages lowercase, tax codes uppercase without spaces.
pub fn normalize_country(v: &str) -> String {
    CountryCode::parse(v).map(|c| c.as_str().to_string()).unwrap_or_else(|_| v.to_string())
}

pub fn normalize_languages(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = v
        .iter()
        .map(|l| LanguageCode::parse(l).map(|c| c.as_str().to_string()).unwrap_or_else(|_| l.clone()))
        .collect();
    out.dedup();
    out
}

pub fn normalize_tax_code(v: &str) -> String {
    TaxCode::parse(v).map(|c| c.as_str().to_string()).unwrap_or_else(|_| v.to_string())
}

/// The birth date and sex encoded in a tax code must agree with those recorded.
pub fn check_tax_code_consistency(
    tax_code: &str,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
) -> Result<(), ValidationError> {
    let Ok(code) = TaxCode::parse(tax_code) else { return Ok(()) };
    if let Some(d) = birth_date
        && !code.matches_birth_date(d.year(), d.month(), d.day())
    {
        return Err(error("inconsistent", "the tax code encodes a different birth date".into()));
    }
    match (sex, code.is_female()) {
        (Some(Sex::Female), Some(false)) | (Some(Sex::Male), Some(true)) => {
            Err(error("inconsistent", "the tax code encodes a different sex".into()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_visible_text() {
        assert!(validate_name("Amina").is_ok());
        assert!(validate_name("   ").is_err());
        assert!(validate_name("A\u{0}B").is_err());
    }

    #[test]
    fn tax_code_must_match_birth_date_and_sex() {
        let born = NaiveDate::from_ymd_opt(1985, 12, 10);
        assert!(check_tax_code_consistency("RSSMRA85T10A562S", born, Some(Sex::Male)).is_ok());
        assert!(check_tax_code_consistency("RSSMRA85T10A562S", born, Some(Sex::Female)).is_err());
        assert!(
            check_tax_code_consistency("RSSMRA85T10A562S", NaiveDate::from_ymd_opt(1985, 12, 11), None)
                .is_err()
        );
    }

    #[test]
    fn future_dates_are_rejected() {
        let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
        assert!(validate_not_future(&tomorrow).is_err());
        assert!(validate_plausible_date(&NaiveDate::from_ymd_opt(1850, 1, 1).unwrap()).is_err());
    }
}
