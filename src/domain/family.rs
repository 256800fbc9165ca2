//! Family members of a beneficiary: they move with the case.

code_enum! {
    /// Relationship of the family member to the beneficiary.
    #[schema(example = "child")]
    Relationship {
        Spouse = "spouse",
        Partner = "partner",
        Child = "child",
        Parent = "parent",
        Sibling = "sibling",
        Grandparent = "grandparent",
        Grandchild = "grandchild",
        OtherRelative = "other_relative",
        Other = "other",
    }
}
