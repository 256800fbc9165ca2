//! The registry of professionals (intercultural mediators, interpreters, lawyers) and their activations:
//! the 24/48-hour deadline, the lifecycle, overdue, and how candidates are ranked.

use chrono::{Duration, NaiveDateTime};

code_enum! {
    /// What a registered professional does.
    #[schema(example = "intercultural_mediator")]
    ProfessionalKind {
        InterculturalMediator = "intercultural_mediator",
        Interpreter = "interpreter",
        Lawyer = "lawyer",
        LegalAdvisor = "legal_advisor",
        Other = "other",
    }
}

code_enum! {
    /// The field a professional is expert in.
    #[schema(example = "legal")]
    Sector {
        Legal = "legal",
        Labour = "labour",
        Health = "health",
        School = "school",
        Housing = "housing",
        Family = "family",
    }
}

code_enum! {
    /// How well a professional speaks a language.
    #[schema(example = "native")]
    LanguageLevel {
        Native = "native",
        /// C1–C2.
        Fluent = "fluent",
        /// B1–B2.
        Good = "good",
        /// A1–A2.
        Basic = "basic",
    }
}

code_enum! {
    /// How soon the professional must be engaged: urgent within 24 hours, standard within 48.
    #[schema(example = "standard")]
    ActivationUrgency {
        Urgent = "urgent",
        Standard = "standard",
    }
}

code_enum! {
    /// `requested → assigned → confirmed | declined`, `declined → assigned`, `confirmed → completed`,
    /// `cancelled` by the requester from any open state.
    #[schema(example = "assigned")]
    ActivationStatus {
        /// Waiting for a professional to be assigned.
        Requested = "requested",
        /// A professional was asked and has not answered yet.
        Assigned = "assigned",
        /// The professional will attend.
        Confirmed = "confirmed",
        /// The professional cannot; another one may be assigned.
        Declined = "declined",
        /// Done, with hours and outcome.
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

/// Who makes a move in an activation's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The desk or social service that asked for the professional.
    Requester,
    /// The professional assigned to it.
    Professional,
}

impl ActivationUrgency {
    /// Elapsed time allowed: 24 or 48 real hours, whatever the wall clock does (a DST change included).
    pub fn allowance(self) -> Duration {
        match self {
            ActivationUrgency::Urgent => Duration::hours(24),
            ActivationUrgency::Standard => Duration::hours(48),
        }
    }

    /// The deadline of a request made at `requested_at` (UTC).
    pub fn deadline(self, requested_at: NaiveDateTime) -> NaiveDateTime {
        requested_at + self.allowance()
    }
}

impl ActivationStatus {
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Cancelled)
    }

    /// Who may move `self → to`: the requester assigns and cancels, the professional answers; either closes a
    /// confirmed activation as completed. `None` when the lifecycle does not allow the move.
    pub fn movers(self, to: ActivationStatus) -> &'static [Actor] {
        use ActivationStatus::*;
        match (self, to) {
            (Requested | Declined, Assigned) => &[Actor::Requester],
            (Assigned, Confirmed | Declined) => &[Actor::Professional],
            (Confirmed, Completed) => &[Actor::Professional, Actor::Requester],
            (from, Cancelled) if from.is_open() => &[Actor::Requester],
            _ => &[],
        }
    }

    /// Still waiting for a confirmation.
    pub fn awaits_confirmation(self) -> bool {
        matches!(self, Self::Requested | Self::Assigned | Self::Declined)
    }
}

/// Overdue: not confirmed by its deadline. Judged at `now`, so no background job is needed.
pub fn is_overdue(status: ActivationStatus, deadline: NaiveDateTime, now: NaiveDateTime) -> bool {
    status.awaits_confirmation() && now > deadline
}

/// The median of some durations (the mean of the two middle ones for an even count); `None` when empty.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

/// What makes a professional a good candidate for an activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The level at which the professional speaks the requested language; `None` if not at all.
    pub language: Option<LanguageLevel>,
    pub sector: bool,
    pub area: bool,
    /// Activations assigned or confirmed and not yet completed.
    pub open_activations: i64,
}

impl Fit {
    /// Ordering key, best first: exact language (better level first), then sector, then area served,
    /// then the lighter load.
    fn key(&self) -> (bool, i32, bool, bool, i64) {
        let level = self.language.map(|l| match l {
            LanguageLevel::Native => 0,
            LanguageLevel::Fluent => 1,
            LanguageLevel::Good => 2,
            LanguageLevel::Basic => 3,
        });
        (self.language.is_none(), level.unwrap_or(9), !self.sector, !self.area, self.open_activations)
    }

    /// Why the candidate stands where it does, in words.
    pub fn reasons(&self, language: &str, sector: Option<&str>, municipality: Option<&str>) -> Vec<String> {
        let mut out = vec![match self.language {
            Some(level) => format!("speaks {language} ({level})"),
            None => format!("does not speak {language}"),
        }];
        if let Some(sector) = sector {
            out.push(if self.sector {
                format!("expert in {sector}")
            } else {
                format!("not in the {sector} sector")
            });
        }
        if let Some(place) = municipality {
            out.push(if self.area { format!("serves {place}") } else { format!("does not serve {place}") });
        }
        out.push(match self.open_activations {
            0 => "no open activations".to_string(),
            1 => "1 open activation".to_string(),
            n => format!("{n} open activations"),
        });
        out
    }
}

/// Sorts candidates best first; equal fits keep the order given (the caller's tie-break, e.g. by name).
pub fn rank<T>(candidates: &mut [(T, Fit)]) {
    candidates.sort_by_key(|(_, fit)| fit.key());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn deadlines_are_24_or_48_real_hours() {
        assert_eq!(ActivationUrgency::Urgent.deadline(at("2026-11-23 22:30")), at("2026-11-24 22:30"));
        assert_eq!(ActivationUrgency::Standard.deadline(at("2026-11-23 22:30")), at("2026-11-25 22:30"));
        // Across the spring DST change in Italy (29 March 2026, 01:00 UTC) the UTC arithmetic is unchanged;
        // in local time the deadline reads an hour later on the wall clock.
        let requested = at("2026-03-28 09:00");
        let deadline = ActivationUrgency::Standard.deadline(requested);
        assert_eq!(deadline, at("2026-03-30 09:00"));
        assert_eq!(crate::domain::local_time::italian(requested), at("2026-03-28 10:00"));
        assert_eq!(crate::domain::local_time::italian(deadline), at("2026-03-30 11:00"));
    }

    #[test]
    fn who_moves_what() {
        use ActivationStatus::*;
        assert_eq!(Requested.movers(Assigned), &[Actor::Requester]);
        assert_eq!(Declined.movers(Assigned), &[Actor::Requester]);
        assert_eq!(Assigned.movers(Confirmed), &[Actor::Professional]);
        assert_eq!(Assigned.movers(Declined), &[Actor::Professional]);
        assert_eq!(Confirmed.movers(Completed), &[Actor::Professional, Actor::Requester]);
        assert!(Requested.movers(Confirmed).is_empty());
        assert!(Completed.movers(Cancelled).is_empty());
        assert_eq!(Confirmed.movers(Cancelled), &[Actor::Requester]);
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![40, 10, 30, 20]), Some(25));
    }

    #[test]
    fn overdue_is_unconfirmed_past_the_deadline() {
        let deadline = at("2026-11-25 10:00");
        assert!(!is_overdue(ActivationStatus::Assigned, deadline, at("2026-11-25 10:00")));
        assert!(is_overdue(ActivationStatus::Assigned, deadline, at("2026-11-25 10:01")));
        assert!(is_overdue(ActivationStatus::Declined, deadline, at("2026-11-26 10:00")));
        assert!(!is_overdue(ActivationStatus::Confirmed, deadline, at("2026-11-26 10:00")));
    }

    #[test]
    fn language_first_then_sector_area_and_load_with_stable_ties() {
        let fit = |language, sector, area, load| Fit { language, sector, area, open_activations: load };
        let mut c = vec![
            ("no language", fit(None, true, true, 0)),
            ("basic", fit(Some(LanguageLevel::Basic), true, true, 0)),
            ("native busy", fit(Some(LanguageLevel::Native), true, true, 3)),
            ("native free", fit(Some(LanguageLevel::Native), true, true, 0)),
            ("native other sector", fit(Some(LanguageLevel::Native), false, true, 0)),
            ("tie a", fit(Some(LanguageLevel::Fluent), true, false, 1)),
            ("tie b", fit(Some(LanguageLevel::Fluent), true, false, 1)),
        ];
        rank(&mut c);
        let order: Vec<&str> = c.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            order,
            ["native free", "native busy", "native other sector", "tie a", "tie b", "basic", "no language"]
        );
        assert_eq!(
            c[0].1.reasons("fr", Some("legal"), Some("Crema")),
            ["speaks fr (native)", "expert in legal", "serves Crema", "no open activations"]
        );
    }
}
