//! Referrals: the closed loop between a desk and a provider, on the FHIR Task status set.
//!
//! ```text
//! draft → requested → received → accepted | rejected
//! accepted → in_progress ⇄ on_hold → completed | failed
//! cancelled ← any open state (by the sender)
//! ```

code_enum! {
    /// Where a referral stands (FHIR Task status).
    #[schema(example = "requested")]
    ReferralStatus {
        /// Prepared by the sender, not yet sent: the provider does not see it.
        Draft = "draft",
        /// Sent to the provider.
        Requested = "requested",
        /// The provider has seen it.
        Received = "received",
        /// The provider will act on it.
        Accepted = "accepted",
        /// The provider will not act on it (with a reason).
        Rejected = "rejected",
        InProgress = "in_progress",
        /// Paused (with a reason), e.g. waiting for documents.
        OnHold = "on_hold",
        Completed = "completed",
        /// The provider tried and could not help (with a reason).
        Failed = "failed",
        /// Withdrawn by the sender (with a reason).
        Cancelled = "cancelled",
    }
}

code_enum! {
    /// How soon the provider should act.
    #[schema(example = "routine")]
    Urgency {
        Routine = "routine",
        Urgent = "urgent",
    }
}

/// Which end of the loop makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The desk that referred the case (whoever may contribute to the case).
    Sender,
    /// The provider's staff (its linked organization).
    Receiver,
}

impl ReferralStatus {
    /// Completed, failed, rejected and cancelled referrals are closed: no move leaves them.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Failed | Self::Rejected | Self::Cancelled)
    }

    /// The side that makes the move `self → to`, or `None` when the lifecycle does not allow it.
    pub fn mover(self, to: ReferralStatus) -> Option<Side> {
        use ReferralStatus::*;
        match (self, to) {
            (Draft, Requested) => Some(Side::Sender),
            (from, Cancelled) if from.is_open() => Some(Side::Sender),
            (Requested, Received)
            | (Received, Accepted | Rejected)
            | (Accepted, InProgress)
            | (InProgress, OnHold)
            | (OnHold, InProgress)
            | (InProgress | OnHold, Completed | Failed) => Some(Side::Receiver),
            _ => None,
        }
    }

    pub fn allowed_next(self) -> Vec<ReferralStatus> {
        use crate::domain::Code;
        Self::ALL.iter().copied().filter(|to| self.mover(*to).is_some()).collect()
    }

    /// Moves into these states must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Rejected | Self::Cancelled | Self::OnHold | Self::Failed)
    }

    /// The provider's answer: the first acceptance or rejection.
    pub fn is_answer(self) -> bool {
        matches!(self, Self::Accepted | Self::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus::*;
    use super::*;
    use crate::domain::Code;

    #[test]
    fn the_happy_path_alternates_sides_as_fhir_says() {
        assert_eq!(Draft.mover(Requested), Some(Side::Sender));
        assert_eq!(Requested.mover(Received), Some(Side::Receiver));
        assert_eq!(Received.mover(Accepted), Some(Side::Receiver));
        assert_eq!(Accepted.mover(InProgress), Some(Side::Receiver));
        assert_eq!(InProgress.mover(OnHold), Some(Side::Receiver));
        assert_eq!(OnHold.mover(InProgress), Some(Side::Receiver));
        assert_eq!(OnHold.mover(Completed), Some(Side::Receiver));
        assert_eq!(InProgress.mover(Failed), Some(Side::Receiver));
    }

    #[test]
    fn skipping_steps_and_leaving_closed_states_is_illegal() {
        assert_eq!(Requested.mover(Accepted), None);
        assert_eq!(Accepted.mover(Completed), None);
        assert_eq!(Draft.mover(Received), None);
        for closed in [Completed, Failed, Rejected, Cancelled] {
            assert!(closed.allowed_next().is_empty(), "{closed} must be final");
        }
    }

    #[test]
    fn only_the_sender_cancels_and_from_any_open_state() {
        for from in ReferralStatus::ALL.iter().copied().filter(|s| s.is_open()) {
            assert_eq!(from.mover(Cancelled), Some(Side::Sender), "{from}");
        }
    }

    #[test]
    fn reasons_are_required_where_the_issue_says() {
        let needing: Vec<_> = ReferralStatus::ALL.iter().copied().filter(|s| s.needs_reason()).collect();
        assert_eq!(needing, vec![Rejected, OnHold, Failed, Cancelled]);
    }
}
