//! Transfers: a case, family included, handed from the organization that owns it to another.

code_enum! {
    /// Who started it.
    #[schema(example = "offer")]
    TransferKind {
        /// The owner offers the case to another organization, whose coordinator decides.
        Offer = "offer",
        /// Another organization asks the owner for the case; the owner's coordinator decides.
        Request = "request",
    }
}

code_enum! {
    /// `requested → accepted | rejected | cancelled`.
    #[schema(example = "requested")]
    TransferStatus {
        Requested = "requested",
        /// Ownership has moved to the receiving organization.
        Accepted = "accepted",
        Rejected = "rejected",
        /// Withdrawn by the organization that started it.
        Cancelled = "cancelled",
    }
}

/// The two organizations of a transfer, seen from one caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The organization that started the transfer (cancels).
    Initiator,
    /// The organization that decides (accepts or rejects).
    Decider,
}

impl TransferKind {
    /// Which organization decides: the receiver of an offer, the owner asked by a request.
    pub fn decider<'a>(self, from_organization: &'a str, to_organization: &'a str) -> &'a str {
        match self {
            TransferKind::Offer => to_organization,
            TransferKind::Request => from_organization,
        }
    }

    pub fn initiator<'a>(self, from_organization: &'a str, to_organization: &'a str) -> &'a str {
        match self {
            TransferKind::Offer => from_organization,
            TransferKind::Request => to_organization,
        }
    }
}

impl TransferStatus {
    /// Who makes the move `self → to`, or `None` when it is not allowed.
    pub fn mover(self, to: TransferStatus) -> Option<Party> {
        use TransferStatus::*;
        match (self, to) {
            (Requested, Accepted | Rejected) => Some(Party::Decider),
            (Requested, Cancelled) => Some(Party::Initiator),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiver_decides_offers_and_the_owner_decides_requests() {
        assert_eq!(TransferKind::Offer.decider("owner", "receiver"), "receiver");
        assert_eq!(TransferKind::Request.decider("owner", "receiver"), "owner");
        assert_eq!(TransferKind::Request.initiator("owner", "receiver"), "receiver");
    }

    #[test]
    fn only_a_requested_transfer_moves() {
        use TransferStatus::*;
        assert_eq!(Requested.mover(Accepted), Some(Party::Decider));
        assert_eq!(Requested.mover(Cancelled), Some(Party::Initiator));
        assert_eq!(Accepted.mover(Cancelled), None);
        assert_eq!(Rejected.mover(Accepted), None);
    }
}
