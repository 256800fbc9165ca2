//! The case file: its codes and its status lifecycle.

use chrono::Datelike;

code_enum! {
    /// Lifecycle: `open → active → suspended → closed`; a closed case can be reopened.
    #[schema(example = "open")]
    CaseStatus {
        /// Intake done, not yet taken in charge.
        Open = "open",
        /// Taken in charge and being worked.
        Active = "active",
        /// Paused (e.g. the person is temporarily away).
        Suspended = "suspended",
        /// Closed with a reason.
        Closed = "closed",
    }
}

code_enum! {
    /// Why a case was closed.
    #[schema(example = "goals_achieved")]
    ClosureReason {
        GoalsAchieved = "goals_achieved",
        ReferredElsewhere = "referred_elsewhere",
        Transferred = "transferred",
        MovedAway = "moved_away",
        LostContact = "lost_contact",
        WithdrawnByPerson = "withdrawn_by_person",
        Deceased = "deceased",
        Other = "other",
    }
}

code_enum! {
    /// Legal status of the person in Italy.
    #[schema(example = "permit_holder")]
    LegalStatus {
        AsylumSeeker = "asylum_seeker",
        Refugee = "refugee",
        SubsidiaryProtection = "subsidiary_protection",
        SpecialProtection = "special_protection",
        PermitHolder = "permit_holder",
        EuCitizen = "eu_citizen",
        Undocumented = "undocumented",
        ItalianCitizen = "italian_citizen",
        Other = "other",
    }
}

code_enum! {
    /// Type of residence permit (permesso di soggiorno).
    #[schema(example = "work")]
    PermitType {
        Work = "work",
        SelfEmployment = "self_employment",
        JobSeeking = "job_seeking",
        Family = "family",
        Study = "study",
        AsylumApplication = "asylum_application",
        Refugee = "refugee",
        SubsidiaryProtection = "subsidiary_protection",
        SpecialProtection = "special_protection",
        LongTermEu = "long_term_eu",
        MinorAge = "minor_age",
        Medical = "medical",
        Other = "other",
    }
}

code_enum! {
    /// Highest level of education completed.
    #[schema(example = "upper_secondary")]
    Education {
        None = "none",
        Primary = "primary",
        LowerSecondary = "lower_secondary",
        UpperSecondary = "upper_secondary",
        Vocational = "vocational",
        Tertiary = "tertiary",
        Unknown = "unknown",
    }
}

code_enum! {
    /// Current employment situation.
    #[schema(example = "unemployed")]
    Employment {
        Employed = "employed",
        SelfEmployed = "self_employed",
        Unemployed = "unemployed",
        Student = "student",
        Homemaker = "homemaker",
        Retired = "retired",
        UnableToWork = "unable_to_work",
        Other = "other",
    }
}

code_enum! {
    /// Current housing situation.
    #[schema(example = "rented")]
    Housing {
        Owned = "owned",
        Rented = "rented",
        HostedByFamilyOrFriends = "hosted_by_family_or_friends",
        ReceptionCentre = "reception_centre",
        Shelter = "shelter",
        Homeless = "homeless",
        Other = "other",
    }
}

code_enum! {
    /// A need the person expressed or the operator assessed at intake.
    #[schema(example = "residence_permit")]
    Need {
        ResidencePermit = "residence_permit",
        Citizenship = "citizenship",
        FamilyReunification = "family_reunification",
        Asylum = "asylum",
        LegalAdvice = "legal_advice",
        Employment = "employment",
        Housing = "housing",
        Health = "health",
        Education = "education",
        LanguageCourse = "language_course",
        IncomeSupport = "income_support",
        Documents = "documents",
        Childcare = "childcare",
        Other = "other",
    }
}

impl CaseStatus {
    /// The moves the lifecycle allows; everything else is a 409.
    pub fn can_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (Open, Active)
                | (Open, Closed)
                | (Active, Suspended)
                | (Active, Closed)
                | (Suspended, Active)
                | (Suspended, Closed)
                | (Closed, Open)
                | (Closed, Active)
        )
    }

    pub fn allowed_next(self) -> Vec<CaseStatus> {
        use crate::domain::Code;
        CaseStatus::ALL.iter().copied().filter(|s| self.can_move_to(*s)).collect()
    }
}

/// The human-readable reference of a case: organization code, year, and a per-year sequence number.
pub fn reference_code(organization_code: &str, year: i32, sequence: i64) -> String {
    format!("{organization_code}-{year}-{sequence:05}")
}

/// The year reference codes count in.
pub fn reference_year(now: chrono::NaiveDateTime) -> i32 {
    now.year()
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    #[test]
    fn lifecycle_allows_only_listed_moves() {
        assert!(Open.can_move_to(Active));
        assert!(Active.can_move_to(Suspended));
        assert!(Suspended.can_move_to(Active));
        assert!(Active.can_move_to(Closed));
        assert!(Closed.can_move_to(Open));
        assert!(!Open.can_move_to(Suspended));
        assert!(!Closed.can_move_to(Suspended));
        assert!(!Active.can_move_to(Active));
        assert!(!Active.can_move_to(Open));
    }

    #[test]
    fn reference_codes_are_padded() {
        assert_eq!(reference_code("CR-COMUNE", 2026, 42), "CR-COMUNE-2026-00042");
        assert_eq!(reference_code("CR", 2026, 123456), "CR-2026-123456");
    }
}
