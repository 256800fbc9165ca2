//! The roles a user can hold (DESIGN.md §1). Later issues add provider staff and professionals.

code_enum! {
    /// What a user may do is decided by role × organization × relationship to the record.
    #[schema(example = "operator")]
    Role {
        /// Platform administrator: manages everything.
        Admin = "admin",
        /// Coordinator of an agency: its users, desks and all its cases.
        Coordinator = "coordinator",
        /// Desk operator: works the cases of their organization.
        Operator = "operator",
        /// Planner: aggregate statistics only, never personal data.
        Analyst = "analyst",
    }
}
