//! The vocabulary of the change feed (written by the database triggers of the sync migration).

code_enum! {
    /// What kind of record changed.
    #[schema(example = "case")]
    ResourceType {
        Case = "case",
        FamilyMember = "family_member",
        Intervention = "intervention",
        Referral = "referral",
        Activation = "activation",
    }
}

code_enum! {
    /// What happened to it. `deleted`, `erased` and `transferred` are tombstones: the record is gone from
    /// the reader's view (for `transferred`, with everything attached to the case).
    #[schema(example = "updated")]
    ChangeKind {
        Created = "created",
        Updated = "updated",
        Deleted = "deleted",
        /// The person's data was anonymised (erasure or retention): drop every copy.
        Erased = "erased",
        /// The case moved to an organization outside the reader's view.
        Transferred = "transferred",
    }
}
