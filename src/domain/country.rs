//! Country codes (ISO 3166-1 alpha-2).
//!
//! Nationality and country of birth drive which permit rules apply, so they
//! are stored as codes rather than free text that cannot be queried.

use std::fmt;

/// A known ISO 3166-1 alpha-2 country code, stored uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

/// The input is not one of the accepted country codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCountry;

impl fmt::Display for UnknownCountry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 3166-1 alpha-2 country code")
    }
}

impl std::error::Error for UnknownCountry {}

/// Every accepted code, sorted so lookups can binary search.
///
/// These are the 249 officially assigned ISO 3166-1 alpha-2 codes plus `XK`
/// (Kosovo). `XK` is only a user-assigned code, but the European Union and
/// the Italian administration use it and Kosovo is a frequent nationality at
/// the desks, so rejecting it would force operators to record a wrong
/// country. Transitionally or exceptionally reserved codes (e.g. `UK`, `EU`)
/// are not accepted.
pub const ALL: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
    "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
    "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
    "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE",
    "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM",
    "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT",
    "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
    "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA",
    "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
    "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
    "VG", "VI", "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
];

impl CountryCode {
    /// Parses a code case-insensitively, ignoring surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, UnknownCountry> {
        let code = input.trim().to_ascii_uppercase();
        if ALL.binary_search(&code.as_str()).is_ok() { Ok(Self(code)) } else { Err(UnknownCountry) }
    }

    /// The uppercase code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// In the OpenAPI document: a string enumerating every accepted code.
impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ISO 3166-1 alpha-2 country code, uppercase (XK for Kosovo)."))
            .enum_values(Some(ALL.iter().copied()))
            .examples([serde_json::json!("SN")])
            .into()
    }
}

impl utoipa::ToSchema for CountryCode {}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CountryCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_nationalities_case_insensitively() {
        for (input, expected) in [
            ("IT", "IT"),
            ("ma", "MA"),
            (" Ng ", "NG"),
            ("bd\n", "BD"),
            ("UA", "UA"),
            ("ps", "PS"),
            ("ss", "SS"),
        ] {
            let code = CountryCode::parse(input).expect("known country");
            assert_eq!(code.as_str(), expected);
            assert_eq!(code.to_string(), expected);
            assert_eq!(code.as_ref(), expected);
        }
    }

    #[test]
    fn accepts_kosovo_by_documented_choice() {
        assert_eq!(CountryCode::parse("xk").expect("Kosovo").as_str(), "XK");
    }

    #[test]
    fn rejects_unassigned_reserved_and_malformed_codes() {
        for input in ["", " ", "XX", "UK", "EU", "ZZ", "I", "ITA", "I T", "1T", "İT"] {
            assert_eq!(CountryCode::parse(input), Err(UnknownCountry), "{input:?}");
        }
    }

    #[test]
    fn list_is_sorted_without_duplicates_and_complete() {
        assert!(ALL.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(ALL.len(), 249 + 1);
        assert!(
            ALL.iter().all(|code| { code.len() == 2 && code.bytes().all(|byte| byte.is_ascii_uppercase()) })
        );
        for code in ALL {
            assert!(CountryCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn error_message_is_readable() {
        assert_eq!(UnknownCountry.to_string(), "not an ISO 3166-1 alpha-2 country code");
    }
}
