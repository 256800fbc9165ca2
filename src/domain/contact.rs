//! Desk contacts (segretariato sociale): most people who come to a desk ask for information and never need
//! a case file. A contact records why they came and what they were told, with at most a minimal anonymous
//! profile, so that the front office's work can be counted without identifying anyone.

use chrono::NaiveDate;

use crate::domain::case::Need;
use crate::domain::stats::{AGE_BANDS, born_by};

code_enum! {
    /// How the person reached the desk.
    #[schema(example = "in_person")]
    ContactChannel {
        InPerson = "in_person",
        Phone = "phone",
        Email = "email",
    }
}

code_enum! {
    /// What the person asked about.
    #[schema(example = "residence_permit")]
    ContactTopic {
        ResidencePermit = "residence_permit",
        Citizenship = "citizenship",
        FamilyReunification = "family_reunification",
        Work = "work",
        Housing = "housing",
        Health = "health",
        School = "school",
        LanguageCourse = "language_course",
        Legal = "legal",
        Other = "other",
    }
}

code_enum! {
    /// A band of ages, as the statistics count them (the age on the day of the contact).
    #[schema(example = "25-34")]
    AgeBand {
        Minor = "0-17",
        From18To24 = "18-24",
        From25To34 = "25-34",
        From35To44 = "35-44",
        From45To54 = "45-54",
        From55To64 = "55-64",
        From65 = "65+",
    }
}

impl ContactTopic {
    /// The case need a topic becomes when a case is opened from the contact.
    pub fn need(self) -> Need {
        match self {
            ContactTopic::ResidencePermit => Need::ResidencePermit,
            ContactTopic::Citizenship => Need::Citizenship,
            ContactTopic::FamilyReunification => Need::FamilyReunification,
            ContactTopic::Work => Need::Employment,
            ContactTopic::Housing => Need::Housing,
            ContactTopic::Health => Need::Health,
            ContactTopic::School => Need::Education,
            ContactTopic::LanguageCourse => Need::LanguageCourse,
            ContactTopic::Legal => Need::LegalAdvice,
            ContactTopic::Other => Need::Other,
        }
    }
}

impl AgeBand {
    /// The band of someone born on `birth_date`, on the day `on`.
    pub fn on(birth_date: NaiveDate, on: NaiveDate) -> AgeBand {
        use crate::domain::Code;
        // The bands in order: the person is in the last one whose lowest age they have reached.
        let reached = AGE_BANDS.iter().filter(|(lowest, _)| birth_date <= born_by(on, *lowest)).count();
        AgeBand::ALL[reached.saturating_sub(1).min(AgeBand::ALL.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn age_bands_are_the_statistics_bands() {
        let labels: Vec<&str> = AGE_BANDS.iter().map(|(_, label)| *label).collect();
        let codes: Vec<&str> = AgeBand::ALL.iter().map(|b| b.as_str()).collect();
        assert_eq!(labels, codes);
    }

    #[test]
    fn age_band_on_a_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(AgeBand::on(d(2010, 5, 1), d(2026, 5, 1)), AgeBand::Minor);
        assert_eq!(AgeBand::on(d(2008, 5, 2), d(2026, 5, 1)), AgeBand::Minor);
        assert_eq!(AgeBand::on(d(2008, 5, 1), d(2026, 5, 1)), AgeBand::From18To24);
        assert_eq!(AgeBand::on(d(1991, 5, 1), d(2026, 5, 1)), AgeBand::From35To44);
        assert_eq!(AgeBand::on(d(1930, 1, 1), d(2026, 5, 1)), AgeBand::From65);
        // Born after the day: not yet a meaningful age, still the youngest band.
        assert_eq!(AgeBand::on(d(2027, 1, 1), d(2026, 5, 1)), AgeBand::Minor);
    }

    #[test]
    fn every_topic_is_a_need() {
        let needs: Vec<Need> = ContactTopic::ALL.iter().map(|t| t.need()).collect();
        let mut distinct = needs.clone();
        distinct.dedup();
        assert_eq!(needs.len(), distinct.len());
    }
}
