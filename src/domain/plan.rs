//! Needs assessment and individual plan (progetto individualizzato): the coded domains of need and their
//! levels, goals and actions with their owners and statuses, and the plan's outcome when the case closes.

code_enum! {
    /// A domain of the person's needs, assessed with a level.
    #[schema(example = "housing")]
    AssessmentDomain {
        /// Documents and legal status (permit, residence, identity papers).
        Documents = "documents",
        Housing = "housing",
        Work = "work",
        Income = "income",
        Health = "health",
        /// Education and the Italian language.
        Education = "education",
        /// Family and children.
        Family = "family",
        SocialNetwork = "social_network",
    }
}

/// How many domains an assessment can hold (one row each).
pub const DOMAIN_COUNT: i64 = 8;

code_enum! {
    /// How much help the person needs in a domain.
    #[schema(example = "medium")]
    NeedLevel {
        None = "none",
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

code_enum! {
    /// Where a goal stands.
    #[schema(example = "open")]
    GoalStatus {
        Open = "open",
        Achieved = "achieved",
        PartiallyAchieved = "partially_achieved",
        NotAchieved = "not_achieved",
        Dropped = "dropped",
    }
}

code_enum! {
    /// Who is to carry out an action: a user of the network (an operator), an organization, a provider of
    /// the directory or a registered professional.
    #[schema(example = "operator")]
    ActionOwnerKind {
        Operator = "operator",
        Organization = "organization",
        Provider = "provider",
        Professional = "professional",
    }
}

code_enum! {
    /// Where an action stands; `planned` and `in_progress` are open and can be overdue.
    #[schema(example = "planned")]
    ActionStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
    }
}

impl ActionStatus {
    pub const OPEN: [ActionStatus; 2] = [ActionStatus::Planned, ActionStatus::InProgress];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

code_enum! {
    /// How the plan ended, recorded when the case is closed.
    #[schema(example = "achieved")]
    PlanOutcome {
        Achieved = "achieved",
        PartiallyAchieved = "partially_achieved",
        NotAchieved = "not_achieved",
        /// Stopped before its end: the person left, moved away, withdrew.
        Interrupted = "interrupted",
    }
}

code_enum! {
    /// Where a plan stands on approval.
    #[schema(example = "pending")]
    ApprovalState {
        /// The organization does not require approval.
        NotRequired = "not_required",
        Pending = "pending",
        Approved = "approved",
    }
}

impl ApprovalState {
    pub fn of(required: bool, approved: bool) -> Self {
        match (required, approved) {
            (_, true) => ApprovalState::Approved,
            (true, false) => ApprovalState::Pending,
            (false, false) => ApprovalState::NotRequired,
        }
    }
}

/// An action is overdue on `today` when it is still open and its due day has passed.
pub fn action_overdue(
    status: ActionStatus,
    due_on: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> bool {
    status.is_open() && due_on.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn only_open_actions_past_their_day_are_overdue() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default();
        assert!(action_overdue(ActionStatus::Planned, Some(d(9)), d(10)));
        assert!(action_overdue(ActionStatus::InProgress, Some(d(1)), d(10)));
        assert!(!action_overdue(ActionStatus::Planned, Some(d(10)), d(10)), "due today is not late yet");
        assert!(!action_overdue(ActionStatus::Done, Some(d(1)), d(10)));
        assert!(!action_overdue(ActionStatus::Cancelled, Some(d(1)), d(10)));
        assert!(!action_overdue(ActionStatus::Planned, None, d(10)));
    }

    #[test]
    fn an_assessment_holds_at_most_one_row_per_domain() {
        use crate::domain::Code;
        assert_eq!(AssessmentDomain::ALL.len() as i64, DOMAIN_COUNT);
    }

    #[test]
    fn approval_state_follows_the_flag_and_the_stamp() {
        assert_eq!(ApprovalState::of(false, false), ApprovalState::NotRequired);
        assert_eq!(ApprovalState::of(true, false), ApprovalState::Pending);
        assert_eq!(ApprovalState::of(true, true), ApprovalState::Approved);
    }
}
