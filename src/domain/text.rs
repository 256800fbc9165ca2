//! Text normalisation for search: accent- and case-insensitive matching of names.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The form names are stored and searched in: decomposed, marks removed, lowercased, single-spaced.
/// "Nguyễn Thị Ánh" and "nguyen thi anh" give the same key; scripts without case stay as they are.
pub fn search_key(s: &str) -> String {
    let folded: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(|c| match c {
            'ß' => "ss".chars().collect::<Vec<_>>(),
            'æ' | 'Æ' => vec!['a', 'e'],
            'œ' | 'Œ' => vec!['o', 'e'],
            'ø' | 'Ø' => vec!['o'],
            'ł' | 'Ł' => vec!['l'],
            'đ' | 'Đ' => vec!['d'],
            'ı' => vec!['i'],
            other => other.to_lowercase().collect(),
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims and collapses inner whitespace of free text that identifies a person or a place.
pub fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(search_key("  Nguyễn   Thị Ánh "), "nguyen thi anh");
        assert_eq!(search_key("JOSÉ Müller"), "jose muller");
        assert_eq!(search_key("Łukasz Øberg Straße"), "lukasz oberg strasse");
    }

    #[test]
    fn other_scripts_are_kept() {
        assert_eq!(search_key("محمد"), "محمد");
        // Marks are folded in every script, so й matches и, as in ICU's search folding.
        assert_eq!(search_key("Дмитрий"), "дмитрии");
        assert_eq!(search_key("ДМИТРИЙ"), search_key("дмитрии"));
    }

    #[test]
    fn clean_collapses_whitespace() {
        assert_eq!(clean("  Via  Roma\t 1 "), "Via Roma 1");
    }
}
