//! Italian tax code (codice fiscale).
//!
//! Service desks type these codes from residence permits, health cards and
//! photocopies, so parsing is forgiving about case and spacing but strict
//! about structure and check characters: a wrong code propagates into
//! Questura and INPS paperwork and is expensive to fix later.

use std::fmt;

/// A validated Italian tax code, stored normalised (uppercase, no spaces).
///
/// Either the 16-character personal code or the 11-digit numeric code that
/// the Agenzia delle Entrate assigns provisionally (e.g. to applicants whose
/// personal data are not yet confirmed) and to companies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode(String);

/// Why an input is not a valid tax code; kept coarse so the UI can map each
/// variant to one clear hint for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxCodeError {
    /// Neither 16 nor 11 characters after removing spaces.
    Length,
    /// A character of the wrong kind in some position.
    Format,
    /// The month letter is not one of `ABCDEHLMPRST`.
    Month,
    /// The encoded day is not a possible day of the encoded month.
    Day,
    /// The final check character (or check digit) does not match.
    CheckCharacter,
}

impl fmt::Display for TaxCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match self {
            Self::Length => "a tax code must have 16 characters (or 11 digits)",
            Self::Format => "the tax code contains a character of the wrong kind",
            Self::Month => "the month letter of the tax code is not valid",
            Self::Day => "the day of birth encoded in the tax code is not valid",
            Self::CheckCharacter => "the check character does not match",
        };
        f.write_str(message)
    }
}

impl std::error::Error for TaxCodeError {}

/// Birth data as encoded in positions 7-11 of a personal tax code.
///
/// Only the year of the century is available: the century itself is not
/// encoded, so callers must compare against a full date they already know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedBirth {
    pub year_of_century: u32,
    pub month: u32,
    pub day: u32,
    pub female: bool,
}

/// Month letters in calendar order (January = `A`).
const MONTH_LETTERS: &[u8; 12] = b"ABCDEHLMPRST";

/// Letters that replace digits 0..=9 when a code is made unique (omocodia).
const OMOCODIA_LETTERS: &[u8; 10] = b"LMNPQRSTUV";

/// Zero-based positions that hold digits in a personal code, and hence may
/// hold omocodia letters instead.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Values of characters in odd (1st, 3rd, ...) positions for the check
/// character, indexed by digit value or by letter offset from `A`; the
/// official table gives digits the same value as the letter of same index.
const ODD_VALUES: [u32; 26] =
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

impl TaxCode {
    /// The shape [`TaxCode::parse`] starts from, as a JSON Schema pattern: 16 or 11 letters and digits,
    /// spaces allowed anywhere. The check character and the date are beyond a pattern.
    pub const PATTERN: &str = r"^ *(?:[A-Za-z0-9] *){11}(?:(?:[A-Za-z0-9] *){5})?$";

    /// Parses and validates a tax code typed by an operator.
    pub fn parse(input: &str) -> Result<Self, TaxCodeError> {
        let normalised: String =
            input.chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
        let length = normalised.chars().count();
        if length != 16 && length != 11 {
            return Err(TaxCodeError::Length);
        }
        // Checked after the length so that e.g. an accented letter in a
        // 16-character code is reported as a wrong character, not a wrong
        // length (it takes two bytes).
        if !normalised.is_ascii() {
            return Err(TaxCodeError::Format);
        }
        if length == 16 {
            validate_personal(normalised.as_bytes())?;
        } else {
            validate_numeric(normalised.as_bytes())?;
        }
        Ok(Self(normalised))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth data of a personal code; `None` for the 11-digit form, which
    /// encodes no personal data.
    pub fn encoded_birth(&self) -> Option<EncodedBirth> {
        let bytes = self.0.as_bytes();
        if bytes.len() != 16 {
            return None;
        }
        decode_birth(bytes).ok()
    }

    /// Whether the code is consistent with a known birth date; used to catch
    /// codes copied from the wrong person. The 11-digit form carries no date,
    /// so it never contradicts one.
    pub fn matches_birth_date(&self, year: i32, month: u32, day: u32) -> bool {
        match self.encoded_birth() {
            None => true,
            Some(birth) => {
                i64::from(birth.year_of_century) == i64::from(year).rem_euclid(100)
                    && birth.month == month
                    && birth.day == day
            }
        }
    }

    /// Sex encoded in a personal code; `None` for the 11-digit form.
    pub fn is_female(&self) -> Option<bool> {
        self.encoded_birth().map(|birth| birth.female)
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TaxCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Value 0..=9 of a digit position, accepting omocodia letters.
fn digit_value(byte: u8) -> Option<u32> {
    if byte.is_ascii_digit() {
        return Some(u32::from(byte - b'0'));
    }
    OMOCODIA_LETTERS.iter().position(|&letter| letter == byte).and_then(|index| u32::try_from(index).ok())
}

/// Two-digit number at `pos`, `pos + 1` of a personal code.
fn two_digits(bytes: &[u8], pos: usize) -> Result<u32, TaxCodeError> {
    let tens = bytes.get(pos).copied().and_then(digit_value).ok_or(TaxCodeError::Format)?;
    let units = bytes.get(pos + 1).copied().and_then(digit_value).ok_or(TaxCodeError::Format)?;
    Ok(tens * 10 + units)
}

/// Days in `month` (1-based); February allows 29 because the century, and
/// hence leap years, cannot be told from the code.
fn max_day(month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => 31,
    }
}

/// Decodes and checks positions 7-11; expects the format already checked.
fn decode_birth(bytes: &[u8]) -> Result<EncodedBirth, TaxCodeError> {
    let year_of_century = two_digits(bytes, 6)?;
    let month_letter = bytes.get(8).copied().ok_or(TaxCodeError::Format)?;
    let month = MONTH_LETTERS
        .iter()
        .position(|&letter| letter == month_letter)
        .and_then(|index| u32::try_from(index + 1).ok())
        .ok_or(TaxCodeError::Month)?;
    let raw_day = two_digits(bytes, 9)?;
    let (day, female) = if raw_day > 40 { (raw_day - 40, true) } else { (raw_day, false) };
    if day == 0 || day > max_day(month) {
        return Err(TaxCodeError::Day);
    }
    Ok(EncodedBirth { year_of_century, month, day, female })
}

/// Check letter for the first 15 characters of a personal code, using the
/// characters as written (omocodia letters included), as the official
/// algorithm does.
fn personal_check_letter(first15: &[u8]) -> Option<u8> {
    let mut sum = 0;
    for (index, &byte) in first15.iter().enumerate() {
        let offset = match byte {
            b'0'..=b'9' => usize::from(byte - b'0'),
            b'A'..=b'Z' => usize::from(byte - b'A'),
            _ => return None,
        };
        // Index 0 is the 1st character, i.e. an odd position.
        sum += if index % 2 == 0 { *ODD_VALUES.get(offset)? } else { u32::try_from(offset).ok()? };
    }
    u8::try_from(sum % 26).ok().map(|rest| b'A' + rest)
}

fn validate_personal(bytes: &[u8]) -> Result<(), TaxCodeError> {
    if bytes.len() != 16 {
        return Err(TaxCodeError::Length);
    }
    for (index, &byte) in bytes.iter().enumerate() {
        let ok = if DIGIT_POSITIONS.contains(&index) {
            digit_value(byte).is_some()
        } else {
            byte.is_ascii_uppercase()
        };
        if !ok {
            return Err(TaxCodeError::Format);
        }
    }
    decode_birth(bytes)?;
    let expected = personal_check_letter(&bytes[..15]).ok_or(TaxCodeError::Format)?;
    if bytes[15] != expected {
        return Err(TaxCodeError::CheckCharacter);
    }
    Ok(())
}

/// Check digit of the first 10 digits of a numeric code (the partita IVA
/// variant of Luhn: digits in even positions are doubled).
fn numeric_check_digit(first10: &[u8]) -> u32 {
    let sum: u32 = first10
        .iter()
        .enumerate()
        .map(|(index, &byte)| {
            let digit = u32::from(byte - b'0');
            if index % 2 == 0 {
                digit
            } else {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

fn validate_numeric(bytes: &[u8]) -> Result<(), TaxCodeError> {
    if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(TaxCodeError::Format);
    }
    // The first seven digits are a progressive number starting at 1, so an
    // all-zero code (which would pass the check digit) is never issued.
    if bytes.iter().all(|&byte| byte == b'0') {
        return Err(TaxCodeError::Format);
    }
    if u32::from(bytes[10] - b'0') != numeric_check_digit(&bytes[..10]) {
        return Err(TaxCodeError::CheckCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Completes a 15-character prefix with its check letter, so tests can
    /// build codes that fail only in the way they intend to.
    fn with_check(prefix: &str) -> String {
        let check = personal_check_letter(prefix.as_bytes()).expect("ascii prefix");
        format!("{prefix}{}", char::from(check))
    }

    /// Completes a 10-digit prefix with its check digit.
    fn with_check_digit(prefix: &str) -> String {
        format!("{prefix}{}", numeric_check_digit(prefix.as_bytes()))
    }

    #[test]
    fn accepts_well_known_male_code() {
        let code = TaxCode::parse("RSSMRA85T10A562S").expect("valid code");
        assert_eq!(code.as_str(), "RSSMRA85T10A562S");
        assert_eq!(
            code.encoded_birth(),
            Some(EncodedBirth { year_of_century: 85, month: 12, day: 10, female: false })
        );
        assert_eq!(code.is_female(), Some(false));
        assert!(code.matches_birth_date(1985, 12, 10));
        assert!(!code.matches_birth_date(1985, 12, 11));
        assert!(!code.matches_birth_date(1984, 12, 10));
        assert!(!code.matches_birth_date(1985, 11, 10));
    }

    #[test]
    fn accepts_female_code() {
        // Maria Rossi, born 1 January 1980 in Rome (H501).
        let code = TaxCode::parse("RSSMRA80A41H501Y").expect("valid code");
        assert_eq!(code.is_female(), Some(true));
        let birth = code.encoded_birth().expect("personal code");
        assert_eq!((birth.year_of_century, birth.month, birth.day), (80, 1, 1));
        assert!(code.matches_birth_date(1980, 1, 1));
        assert!(code.matches_birth_date(2080, 1, 1));
    }

    #[test]
    fn accepts_omocodic_variant_and_decodes_it() {
        // RSSMRA85T10A562S with its last digit replaced (2 -> N), as the
        // Agenzia does for the first homonym; the check letter changes too.
        let code = TaxCode::parse("RSSMRA85T10A56NH").expect("valid omocodic code");
        assert_eq!(
            code.encoded_birth(),
            TaxCode::parse("RSSMRA85T10A562S").expect("valid code").encoded_birth()
        );

        // Every digit position substituted: 8 -> U, 5 -> R, 1 -> M, 0 -> L.
        let fully = with_check("RSSMRAURTMLASRN");
        let code = TaxCode::parse(&fully).expect("valid fully omocodic code");
        assert!(code.matches_birth_date(1985, 12, 10));
    }

    #[test]
    fn normalises_case_and_spaces() {
        let code = TaxCode::parse("  rss mra 85t10 a562s ").expect("valid code");
        assert_eq!(code.as_str(), "RSSMRA85T10A562S");
        assert_eq!(code.to_string(), "RSSMRA85T10A562S");
        assert_eq!(code.as_ref(), "RSSMRA85T10A562S");
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(TaxCode::parse(""), Err(TaxCodeError::Length));
        assert_eq!(TaxCode::parse("RSSMRA85T10A562"), Err(TaxCodeError::Length));
        assert_eq!(TaxCode::parse("RSSMRA85T10A562SS"), Err(TaxCodeError::Length));
        assert_eq!(TaxCode::parse("1234567890"), Err(TaxCodeError::Length));
    }

    #[test]
    fn rejects_wrong_format() {
        // Digit among the surname/name letters.
        assert_eq!(TaxCode::parse("RSSMR185T10A562S"), Err(TaxCodeError::Format));
        // Letter that is not an omocodia substitute in a digit position.
        assert_eq!(TaxCode::parse("RSSMRA8AT10A562S"), Err(TaxCodeError::Format));
        // Digit as check character.
        assert_eq!(TaxCode::parse("RSSMRA85T10A5620"), Err(TaxCodeError::Format));
        // Non-ASCII letter of the right count.
        assert_eq!(TaxCode::parse("RSSMRÀ85T10A562S"), Err(TaxCodeError::Format));
        // Letter in an 11-character numeric code.
        assert_eq!(TaxCode::parse("1234567890A"), Err(TaxCodeError::Format));
        assert_eq!(TaxCode::parse("00000000000"), Err(TaxCodeError::Format));
    }

    #[test]
    fn rejects_bad_month() {
        assert_eq!(TaxCode::parse(&with_check("RSSMRA85F10A562")), Err(TaxCodeError::Month));
    }

    #[test]
    fn rejects_impossible_days() {
        for prefix in [
            "RSSMRA85T00A562", // day 0
            "RSSMRA85T32A562", // between male and female ranges
            "RSSMRA85T40A562", // female day 0
            "RSSMRA85T72A562", // female day 32
            "RSSMRA85D31A562", // 31 April
            "RSSMRA85B30A562", // 30 February
            "RSSMRA85B70A562", // 30 February, female
        ] {
            assert_eq!(TaxCode::parse(&with_check(prefix)), Err(TaxCodeError::Day), "{prefix}");
        }
        // 29 February is allowed: the century (and so the leap year) is unknown.
        assert!(TaxCode::parse(&with_check("RSSMRA85B29A562")).is_ok());
        assert!(TaxCode::parse(&with_check("RSSMRA85B69A562")).is_ok());
        assert!(TaxCode::parse(&with_check("RSSMRA85E31A562")).is_ok());
    }

    #[test]
    fn rejects_wrong_check_character() {
        assert_eq!(TaxCode::parse("RSSMRA85T10A562T"), Err(TaxCodeError::CheckCharacter));
        // The omocodic variant must not keep the original check letter.
        assert_eq!(TaxCode::parse("RSSMRA85T10A56NS"), Err(TaxCodeError::CheckCharacter));
    }

    #[test]
    fn accepts_valid_numeric_code() {
        let code = TaxCode::parse("12345678903").expect("valid numeric code");
        assert_eq!(code.as_str(), "12345678903");
        assert_eq!(code.encoded_birth(), None);
        assert_eq!(code.is_female(), None);
        assert!(code.matches_birth_date(1990, 5, 17));

        let built = with_check_digit("0743110015");
        assert!(TaxCode::parse(&built).is_ok());
        assert!(TaxCode::parse(" 123 456 789 03 ").is_ok());
    }

    #[test]
    fn rejects_numeric_code_with_wrong_check_digit() {
        assert_eq!(TaxCode::parse("12345678904"), Err(TaxCodeError::CheckCharacter));
        // Transposing two adjacent digits is caught by the doubling.
        assert_eq!(TaxCode::parse("21345678903"), Err(TaxCodeError::CheckCharacter));
    }

    #[test]
    fn errors_have_readable_messages() {
        assert_eq!(TaxCodeError::CheckCharacter.to_string(), "the check character does not match");
        for error in [
            TaxCodeError::Length,
            TaxCodeError::Format,
            TaxCodeError::Month,
            TaxCodeError::Day,
            TaxCodeError::CheckCharacter,
        ] {
            let boxed: Box<dyn std::error::Error> = Box::new(error);
            assert!(!boxed.to_string().is_empty());
        }
    }
}
