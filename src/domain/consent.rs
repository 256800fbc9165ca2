//! The person's consents: what each purpose covers and when a consent is in force.

use chrono::{NaiveDate, NaiveDateTime};

code_enum! {
    /// What the person agreed to.
    #[schema(example = "network_sharing")]
    ConsentPurpose {
        /// Processing of their data by the organization that holds the case (GDPR art. 6 and 9).
        DataProcessing = "data_processing",
        /// Sharing the data needed for a referral with any provider of the network.
        NetworkSharing = "network_sharing",
        /// Sharing with one named provider only.
        ProviderSharing = "provider_sharing",
    }
}

/// The facts of a stored consent that decide whether it is in force and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTerms<'a> {
    pub purpose: ConsentPurpose,
    pub provider_id: Option<&'a str>,
    pub given_at: NaiveDateTime,
    pub expires_on: Option<NaiveDate>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

/// Why a consent does not allow sharing with a provider; each says so in words an operator understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCovered {
    Withdrawn,
    Expired,
    NotYetGiven,
    OtherPurpose,
    OtherProvider,
}

impl NotCovered {
    pub fn code(self) -> &'static str {
        match self {
            NotCovered::Withdrawn => "consent_withdrawn",
            NotCovered::Expired => "consent_expired",
            NotCovered::NotYetGiven => "consent_not_yet_given",
            NotCovered::OtherPurpose => "consent_other_purpose",
            NotCovered::OtherProvider => "consent_other_provider",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            NotCovered::Withdrawn => "the person has withdrawn this consent",
            NotCovered::Expired => "this consent has expired",
            NotCovered::NotYetGiven => "this consent is dated in the future",
            NotCovered::OtherPurpose => {
                "this consent does not cover sharing with the network (only processing)"
            }
            NotCovered::OtherProvider => "this consent covers sharing with another provider only",
        }
    }
}

impl ConsentTerms<'_> {
    /// In force at `now`: given, not withdrawn, not past its expiry day.
    pub fn in_force(&self, now: NaiveDateTime) -> Result<(), NotCovered> {
        if self.withdrawn_at.is_some_and(|w| w <= now) {
            return Err(NotCovered::Withdrawn);
        }
        if self.given_at > now {
            return Err(NotCovered::NotYetGiven);
        }
        if self.expires_on.is_some_and(|day| day < now.date()) {
            return Err(NotCovered::Expired);
        }
        Ok(())
    }

    /// Whether personal data may be shared with `provider_id` under this consent at `now`.
    pub fn covers_sharing_with(&self, provider_id: &str, now: NaiveDateTime) -> Result<(), NotCovered> {
        self.in_force(now)?;
        match self.purpose {
            ConsentPurpose::NetworkSharing => Ok(()),
            ConsentPurpose::ProviderSharing if self.provider_id == Some(provider_id) => Ok(()),
            ConsentPurpose::ProviderSharing => Err(NotCovered::OtherProvider),
            ConsentPurpose::DataProcessing => Err(NotCovered::OtherPurpose),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn terms(purpose: ConsentPurpose, provider_id: Option<&str>) -> ConsentTerms<'_> {
        ConsentTerms {
            purpose,
            provider_id,
            given_at: at("2026-01-10 09:00"),
            expires_on: None,
            withdrawn_at: None,
        }
    }

    #[test]
    fn network_sharing_covers_every_provider() {
        let t = terms(ConsentPurpose::NetworkSharing, None);
        assert_eq!(t.covers_sharing_with("p1", at("2026-02-01 10:00")), Ok(()));
    }

    #[test]
    fn provider_sharing_covers_only_its_provider() {
        let t = terms(ConsentPurpose::ProviderSharing, Some("p1"));
        assert_eq!(t.covers_sharing_with("p1", at("2026-02-01 10:00")), Ok(()));
        assert_eq!(t.covers_sharing_with("p2", at("2026-02-01 10:00")), Err(NotCovered::OtherProvider));
    }

    #[test]
    fn processing_alone_never_covers_sharing() {
        let t = terms(ConsentPurpose::DataProcessing, None);
        assert_eq!(t.covers_sharing_with("p1", at("2026-02-01 10:00")), Err(NotCovered::OtherPurpose));
    }

    #[test]
    fn expiry_day_is_the_last_valid_day() {
        let mut t = terms(ConsentPurpose::NetworkSharing, None);
        t.expires_on = NaiveDate::from_ymd_opt(2026, 3, 31);
        assert_eq!(t.in_force(at("2026-03-31 23:59")), Ok(()));
        assert_eq!(t.in_force(at("2026-04-01 00:00")), Err(NotCovered::Expired));
    }

    #[test]
    fn withdrawal_and_future_dates_end_or_delay_it() {
        let mut t = terms(ConsentPurpose::NetworkSharing, None);
        assert_eq!(t.in_force(at("2026-01-09 09:00")), Err(NotCovered::NotYetGiven));
        t.withdrawn_at = Some(at("2026-02-01 10:00"));
        assert_eq!(t.in_force(at("2026-01-20 10:00")), Ok(()));
        assert_eq!(t.in_force(at("2026-02-01 10:00")), Err(NotCovered::Withdrawn));
    }
}
