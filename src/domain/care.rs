//! The family-assistant list: workers looking for a regular job as domestic carers (badanti, colf), care
//! requests from families, and the matches the desk proposes.

code_enum! {
    /// What a family needs done, and what an assistant offers.
    #[schema(example = "elderly_care")]
    CareTask {
        ElderlyCare = "elderly_care",
        DisabilityCare = "disability_care",
        Childcare = "childcare",
        Housekeeping = "housekeeping",
        Cooking = "cooking",
        NightAssistance = "night_assistance",
    }
}

code_enum! {
    /// Where a care request stands.
    #[schema(example = "open")]
    CareRequestStatus {
        /// Looking for an assistant.
        Open = "open",
        /// A contract was signed with one of the proposed assistants.
        Placed = "placed",
        /// Withdrawn or no longer needed.
        Closed = "closed",
    }
}

code_enum! {
    /// How a proposed match ended.
    #[schema(example = "contract_signed")]
    PlacementOutcome {
        /// Proposed to the family, no answer yet.
        Proposed = "proposed",
        /// Family and assistant have met.
        Interviewed = "interviewed",
        /// A regular employment contract was signed (the aim).
        ContractSigned = "contract_signed",
        RefusedByFamily = "refused_by_family",
        RefusedByAssistant = "refused_by_assistant",
    }
}

code_enum! {
    /// The kind of domestic-work contract signed (CCNL lavoro domestico).
    #[schema(example = "live_in")]
    ContractType {
        /// Convivente: lives with the family.
        LiveIn = "live_in",
        FullTime = "full_time",
        PartTime = "part_time",
        Hourly = "hourly",
    }
}

/// How well an assistant fits a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareFit {
    /// Serves the request's municipality.
    pub area: bool,
    /// Offers at least the hours asked for, lives in when that is asked, and is free by the start date.
    pub availability: bool,
    /// Languages in common with the family's (all count when the family named none).
    pub common_languages: usize,
    /// Tasks of the request the assistant does not offer.
    pub missing_tasks: usize,
}

impl CareFit {
    /// Best first: the area, then availability, then more languages in common, then fewer missing tasks.
    fn key(&self) -> (bool, bool, std::cmp::Reverse<usize>, usize) {
        (!self.area, !self.availability, std::cmp::Reverse(self.common_languages), self.missing_tasks)
    }

    pub fn reasons(&self, municipality: &str) -> Vec<String> {
        vec![
            if self.area {
                format!("works in {municipality}")
            } else {
                format!("does not work in {municipality}")
            },
            if self.availability {
                "available as asked (hours, living in, start date)".into()
            } else {
                "not available as asked (hours, living in or start date)".into()
            },
            match self.common_languages {
                0 => "no language in common".into(),
                1 => "1 language in common".into(),
                n => format!("{n} languages in common"),
            },
            match self.missing_tasks {
                0 => "offers every task asked".into(),
                n => format!("{n} task(s) asked not offered"),
            },
        ]
    }
}

/// Free to start by the family's start date (either date unknown: assumed so).
pub fn free_by(available_from: Option<chrono::NaiveDate>, start_on: Option<chrono::NaiveDate>) -> bool {
    match (available_from, start_on) {
        (Some(free), Some(start)) => free <= start,
        _ => true,
    }
}

/// Sorts candidates best first; equal fits keep the order given.
pub fn rank<T>(candidates: &mut [(T, CareFit)]) {
    candidates.sort_by_key(|(_, fit)| fit.key());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_then_availability_then_languages_then_tasks() {
        let fit = |area, availability, common_languages, missing_tasks| CareFit {
            area,
            availability,
            common_languages,
            missing_tasks,
        };
        let mut c = vec![
            ("elsewhere", fit(false, true, 3, 0)),
            ("busy", fit(true, false, 3, 0)),
            ("one language", fit(true, true, 1, 0)),
            ("two languages", fit(true, true, 2, 1)),
            ("two languages all tasks", fit(true, true, 2, 0)),
        ];
        rank(&mut c);
        let order: Vec<&str> = c.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, ["two languages all tasks", "two languages", "one language", "busy", "elsewhere"]);
        assert_eq!(c[0].1.reasons("Crema")[0], "works in Crema");
    }
}
