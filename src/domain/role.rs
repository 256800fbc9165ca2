//! The roles a user can hold (DESIGN.md §1).

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
        /// Staff of a network provider: receives the referrals addressed to it and sees only the minimum
        /// case data the person's consent allows.
        ProviderStaff = "provider_staff",
        /// A registered mediator, interpreter or lawyer: their own profile and the activations assigned to
        /// them, with only what they need to attend.
        Professional = "professional",
        /// A district platform's machine account (client-credentials grant, not a user): the change feed
        /// and case upserts of the organizations it was given, nothing else.
        Integration = "integration",
    }
}
