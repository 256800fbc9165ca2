//! Interventions: what the desk did for the case. Statistics count these.

code_enum! {
    /// The kind of intervention.
    #[schema(example = "orientation")]
    InterventionKind {
        Listening = "listening",
        Information = "information",
        Orientation = "orientation",
        LegalAdvice = "legal_advice",
        ResidencePermitProcedure = "residence_permit_procedure",
        SecretarialHelp = "secretarial_help",
        SocioEducational = "socio_educational",
        Mediation = "mediation",
        Housing = "housing",
        Employment = "employment",
        LanguageCourse = "language_course",
        HealthAccess = "health_access",
        Other = "other",
    }
}
