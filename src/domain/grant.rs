//! Case access grants: joint taking-in-charge of a case by another organization.

code_enum! {
    /// What the grantee organization may do with the case.
    #[schema(example = "read")]
    Access {
        /// See the case, its family and interventions (never the restricted notes).
        Read = "read",
        /// Also record interventions, family members, consents and referrals, and update the case.
        Contribute = "contribute",
    }
}

impl Access {
    /// The codes of this access and of every access that includes it.
    pub fn and_wider(self) -> &'static [&'static str] {
        match self {
            Access::Read => &["read", "contribute"],
            Access::Contribute => &["contribute"],
        }
    }
}
