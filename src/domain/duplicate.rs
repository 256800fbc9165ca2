//! Duplicate detection at intake: is this person already a case somewhere in the network?

use chrono::NaiveDate;

code_enum! {
    /// Why an existing case may be the same person.
    #[schema(example = "tax_code")]
    MatchReason {
        /// The same Italian tax code.
        TaxCode = "tax_code",
        /// The same names (accents, case and order ignored) and the same birth date.
        NameAndBirthDate = "name_and_birth_date",
    }
}

/// What is compared: the normalised form of each side.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub tax_code: Option<&'a str>,
    /// `domain::text::search_key` of the given and family names.
    pub name_key: &'a str,
    pub birth_date: Option<NaiveDate>,
}

/// The words of a name key, sorted: "diallo amina" and "amina diallo" are the same name.
fn name_words(key: &str) -> Vec<&str> {
    let mut words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words
}

/// The reasons `candidate` may be `probe`; empty when it is someone else.
pub fn match_reasons(probe: &Identity<'_>, candidate: &Identity<'_>) -> Vec<MatchReason> {
    let mut reasons = Vec::new();
    if probe.tax_code.is_some() && probe.tax_code == candidate.tax_code {
        reasons.push(MatchReason::TaxCode);
    }
    let same_birth = probe.birth_date.is_some() && probe.birth_date == candidate.birth_date;
    let words = name_words(probe.name_key);
    if same_birth && !words.is_empty() && words == name_words(candidate.name_key) {
        reasons.push(MatchReason::NameAndBirthDate);
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(tax: Option<&'a str>, name: &'a str, birth: Option<(i32, u32, u32)>) -> Identity<'a> {
        Identity {
            tax_code: tax,
            name_key: name,
            birth_date: birth.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        }
    }

    #[test]
    fn the_tax_code_alone_is_enough() {
        let a = id(Some("DLLMNA90E57Z343T"), "amina diallo", None);
        let b = id(Some("DLLMNA90E57Z343T"), "someone else", None);
        assert_eq!(match_reasons(&a, &b), vec![MatchReason::TaxCode]);
    }

    #[test]
    fn names_in_any_order_with_the_same_birth_date_match() {
        let a = id(None, "amina diallo", Some((1990, 5, 17)));
        let b = id(Some("DLLMNA90E57Z343T"), "diallo amina", Some((1990, 5, 17)));
        assert_eq!(match_reasons(&a, &b), vec![MatchReason::NameAndBirthDate]);
    }

    #[test]
    fn same_name_other_birth_date_or_no_birth_date_is_not_a_match() {
        let a = id(None, "amina diallo", Some((1990, 5, 17)));
        assert!(match_reasons(&a, &id(None, "amina diallo", Some((1991, 5, 17)))).is_empty());
        let undated = id(None, "amina diallo", None);
        assert!(match_reasons(&undated, &undated).is_empty());
    }
}
