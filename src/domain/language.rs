//! Language codes (ISO 639).
//!
//! Desks record which languages a person speaks to book the right cultural
//! mediator. Many migrants' languages (Dari, Nigerian Pidgin, Soninke, ...)
//! have no two-letter code, so a curated set of ISO 639-3 codes is accepted
//! alongside ISO 639-1.

use std::fmt;

/// A known language code, stored lowercase: two letters for ISO 639-1,
/// three letters for one of [`ISO_639_3_EXTRA`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageCode(String);

/// The input is not one of the accepted language codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownLanguage;

impl fmt::Display for UnknownLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 639-1 or supported ISO 639-3 language code")
    }
}

impl std::error::Error for UnknownLanguage {}

/// The 183 current ISO 639-1 codes, sorted for binary search.
///
/// Deprecated codes (`bh`, `sh`, `in`, `iw`, `ji`, `jw`, `mo`) are left out
/// so that new records use the current code for the same language.
pub const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm",
    "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz",
    "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl",
    "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii",
    "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr",
    "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi",
    "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw",
    "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv",
    "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk",
    "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// ISO 639-3 codes for languages often spoken by migrants in Italy that have
/// no ISO 639-1 code, sorted for binary search.
///
/// None is the three-letter form of an ISO 639-1 language (e.g. `tir`,
/// `wol`, `twi` are excluded: use `ti`, `wo`, `tw`), so each language has a
/// single accepted code. Varieties that belong to an ISO 639-1
/// macrolanguage (Dari in `fa`, Moroccan Arabic in `ar`, Sorani in `ku`) are
/// included because mediators are matched on the variety actually spoken.
pub const ISO_639_3_EXTRA: &[&str] = &[
    "acm", // Mesopotamian (Iraqi) Arabic
    "aeb", // Tunisian Arabic
    "aii", // Assyrian Neo-Aramaic
    "apc", // Levantine Arabic (Syria, Lebanon)
    "apd", // Sudanese Arabic
    "arq", // Algerian Arabic
    "ary", // Moroccan Arabic
    "arz", // Egyptian Arabic
    "ayl", // Libyan Arabic
    "bal", // Baluchi
    "bci", // Baoulé (Côte d'Ivoire)
    "bin", // Edo (Bini, Nigeria)
    "byn", // Bilin (Eritrea)
    "ceb", // Cebuano (Philippines)
    "ckb", // Central Kurdish (Sorani)
    "ctg", // Chittagonian (Bangladesh)
    "din", // Dinka (South Sudan)
    "dyo", // Jola-Fonyi (Senegal, Gambia)
    "dyu", // Dyula
    "efi", // Efik (Nigeria)
    "emk", // Eastern Maninkakan (Guinea)
    "fat", // Fanti (Ghana)
    "ffm", // Maasina Fulfulde (Mali)
    "fon", // Fon (Benin)
    "fuf", // Pular (Guinea)
    "fuv", // Nigerian Fulfulde
    "fvr", // Fur (Darfur)
    "gaa", // Ga (Ghana)
    "haz", // Hazaragi (Afghanistan)
    "hil", // Hiligaynon (Philippines)
    "hno", // Northern Hindko (Pakistan)
    "ilo", // Ilocano (Philippines)
    "ise", // Italian Sign Language (LIS)
    "ish", // Esan (Nigeria)
    "kab", // Kabyle (Algeria)
    "kea", // Kabuverdianu (Cape Verdean Creole)
    "kmr", // Northern Kurdish (Kurmanji)
    "kri", // Krio (Sierra Leone)
    "lua", // Luba-Lulua (DR Congo)
    "men", // Mende (Sierra Leone)
    "mey", // Hassaniya Arabic (Mauritania)
    "mnk", // Mandinka
    "mos", // Mooré (Burkina Faso)
    "nus", // Nuer (South Sudan)
    "pcm", // Nigerian Pidgin
    "pnb", // Western Punjabi (Pakistan)
    "pov", // Upper Guinea Crioulo (Guinea-Bissau)
    "prs", // Dari (Afghanistan)
    "rif", // Tarifit (Morocco)
    "rmn", // Balkan Romani
    "rmy", // Vlax Romani
    "rom", // Romany (macrolanguage)
    "sdh", // Southern Kurdish
    "shi", // Tachelhit (Morocco)
    "shu", // Chadian Arabic
    "sid", // Sidamo (Ethiopia)
    "skr", // Saraiki (Pakistan)
    "snk", // Soninke
    "srr", // Serer (Senegal)
    "ssy", // Saho (Eritrea)
    "sus", // Susu (Guinea)
    "syl", // Sylheti (Bangladesh)
    "taq", // Tamasheq
    "tem", // Timne (Sierra Leone)
    "tig", // Tigre (Eritrea)
    "tzm", // Central Atlas Tamazight
    "urh", // Urhobo (Nigeria)
    "wal", // Wolaytta (Ethiopia)
    "wuu", // Wu Chinese (Zhejiang, incl. Wenzhou and Qingtian)
    "yue", // Cantonese (Yue Chinese)
    "zag", // Zaghawa (Chad, Sudan)
    "zgh", // Standard Moroccan Tamazight
];

impl LanguageCode {
    /// Parses a code case-insensitively, ignoring surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, UnknownLanguage> {
        let code = input.trim().to_ascii_lowercase();
        let list = match code.len() {
            2 => ISO_639_1,
            3 => ISO_639_3_EXTRA,
            _ => return Err(UnknownLanguage),
        };
        if list.binary_search(&code.as_str()).is_ok() { Ok(Self(code)) } else { Err(UnknownLanguage) }
    }

    /// The lowercase code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// In the OpenAPI document: a string enumerating every accepted code.
impl utoipa::PartialSchema for LanguageCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ISO 639-1 language code, or ISO 639-3 for a language without one; lowercase."))
            .enum_values(Some(ISO_639_1.iter().chain(ISO_639_3_EXTRA).copied()))
            .examples([serde_json::json!("fr")])
            .into()
    }
}

impl utoipa::ToSchema for LanguageCode {}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LanguageCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Read from JSON as the code it must be: an unknown code fails where it stands.
impl<'de> serde::Deserialize<'de> for LanguageCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(d)?;
        LanguageCode::parse(&raw).map_err(|e| serde::de::Error::custom(format!("'{raw}': {e}")))
    }
}

impl serde::Serialize for LanguageCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_sorted_and_unique(list: &[&str]) -> bool {
        list.windows(2).all(|pair| pair[0] < pair[1])
    }

    #[test]
    fn accepts_iso_639_1_codes() {
        for code in ["it", "en", "ar", "ti", "wo", "fr", "uk", "bn", "ur", "zh", "tw"] {
            let language = LanguageCode::parse(code).expect("ISO 639-1 code");
            assert_eq!(language.as_str(), code);
        }
    }

    #[test]
    fn normalises_case_and_whitespace() {
        let language = LanguageCode::parse(" IT\n").expect("Italian");
        assert_eq!(language.as_str(), "it");
        assert_eq!(language.to_string(), "it");
        assert_eq!(language.as_ref(), "it");
        assert_eq!(LanguageCode::parse("PCM").expect("Nigerian Pidgin").as_str(), "pcm");
    }

    #[test]
    fn accepts_curated_iso_639_3_codes() {
        for code in ["prs", "pcm", "snk", "mnk", "ckb", "ary", "ise", "rom", "wuu"] {
            assert!(LanguageCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn rejects_unknown_and_malformed_input() {
        for input in ["xx", "", "  ", "english", "e", "ita", "tir", "twi", "qaa", "i t", "ìt"] {
            assert_eq!(LanguageCode::parse(input), Err(UnknownLanguage), "{input:?}");
        }
    }

    #[test]
    fn rejects_deprecated_iso_639_1_codes() {
        for code in ["bh", "sh", "in", "iw", "ji", "jw", "mo"] {
            assert_eq!(LanguageCode::parse(code), Err(UnknownLanguage), "{code}");
        }
    }

    #[test]
    fn lists_are_sorted_unique_and_well_formed() {
        assert!(is_sorted_and_unique(ISO_639_1));
        assert!(is_sorted_and_unique(ISO_639_3_EXTRA));
        assert_eq!(ISO_639_1.len(), 183);
        assert!(ISO_639_3_EXTRA.len() >= 40);
        assert!(ISO_639_1.iter().all(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(
            ISO_639_3_EXTRA
                .iter()
                .all(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }

    #[test]
    fn extras_do_not_duplicate_iso_639_1_languages() {
        // Three-letter (639-2/639-3) forms of 639-1 languages common at the desks.
        for code in [
            "ara", "ben", "eng", "fas", "per", "fra", "fre", "ful", "hau", "ita", "kur", "orm", "pan", "pus",
            "som", "sqi", "alb", "tir", "twi", "aka", "urd", "wol", "yor", "zho", "chi",
        ] {
            assert!(ISO_639_3_EXTRA.binary_search(&code).is_err(), "{code}");
        }
    }

    #[test]
    fn error_message_is_readable() {
        assert_eq!(UnknownLanguage.to_string(), "not an ISO 639-1 or supported ISO 639-3 language code");
    }
}
