//! The one place that decides who may do what (DESIGN.md §1, OWASP API1/API5).
//!
//! Two questions, asked in this order:
//! 1. function level — may this role ever perform the action? No → 403, whatever the record;
//! 2. object level — which records can the caller see? Repositories filter by [`CaseScope`] inside the
//!    query itself, so an invisible record is simply not found (404).

use crate::auth::Principal;
use crate::domain::role::Role;
use crate::error::{Error, Result};

/// Every operation of the API that needs a decision. An action missing from [`role_may`] is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    OrganizationRead,
    OrganizationCreate,
    OrganizationUpdate,
    OrganizationDelete,
    DeskRead,
    DeskManage,
    UserRead,
    UserManage,
    CaseList,
    CaseRead,
    CaseCreate,
    CaseUpdate,
    CaseChangeStatus,
    CaseDelete,
    /// Everything held about a person, for a subject access request (owner organization only).
    CaseExport,
    FamilyMemberRead,
    FamilyMemberWrite,
    InterventionRead,
    InterventionWrite,
    /// The front office's contacts at the desks of one's organization.
    ContactRead,
    ContactWrite,
    /// The appointments at the desks of one's organization (who is expected, when, why).
    AppointmentRead,
    AppointmentWrite,
    /// The catalogue of courses with their sessions and counts (no personal data): network-wide.
    CourseRead,
    /// Create, change, cancel courses and their sessions: coordinators of the organizer, admins.
    CourseManage,
    /// Who is enrolled in a course of one's organization (or waiting), and the sessions' registers.
    EnrolmentRead,
    /// Enrol a case's beneficiary or family member, move an enrolment, record attendance.
    EnrolmentWrite,
    /// Read the needs assessments of a case.
    AssessmentRead,
    /// Record a new version of a case's needs assessment (history is append-only).
    AssessmentWrite,
    /// Read individual plans, with their goals and actions, and the plan worklists.
    PlanRead,
    /// Draw up and update a plan, its goals and its actions, and record the person's agreement.
    PlanWrite,
    /// Approve a plan where the organization requires it (coordinators).
    PlanApprove,
    /// See a case's documents (metadata), search them, and download them (each download audited).
    DocumentRead,
    /// Upload documents to a case, correct their metadata, delete them.
    DocumentWrite,
    /// Ask whether a person already has a case in the network.
    CaseDuplicateCheck,
    ProviderRead,
    ProviderManage,
    ProtocolRead,
    ProtocolManage,
    ConsentRead,
    ConsentWrite,
    ReferralRead,
    ReferralCreate,
    /// Move a referral in its lifecycle (which side may make which move is decided per referral).
    ReferralMove,
    /// Refer without a valid consent, stating why (audited).
    ConsentOverride,
    TransferRead,
    TransferCreate,
    /// Accept or reject a transfer on behalf of the deciding organization.
    TransferDecide,
    GrantRead,
    GrantManage,
    /// Search the registry of professionals.
    ProfessionalSearch,
    ProfessionalManage,
    /// A professional's own profile.
    ProfessionalSelf,
    ActivationRead,
    ActivationRequest,
    /// Assign, complete or cancel an activation on the requesting side.
    ActivationMove,
    /// Aggregate SLA figures (no personal data).
    ActivationSla,
    /// A professional's activations, with only what is needed to attend.
    AssignmentRead,
    /// Confirm, decline or complete one's own activation.
    AssignmentAnswer,
    CareRead,
    CareManage,
    /// Read the audit trail (admins all of it, coordinators their organization's).
    AuditRead,
    /// Erase a person's data (anonymise irreversibly) or set the legal hold that blocks it.
    CaseErase,
    /// Create, rotate and revoke the machine accounts of district platforms.
    IntegrationClientManage,
    /// Read the change feed of the organizations one works for.
    SyncRead,
    /// Create or update cases by their id in an external system, one by one or in batches.
    SyncWrite,
    /// Subscribe an organization's systems to its changes (webhooks), and follow their deliveries.
    WebhookManage,
    /// Aggregate statistics (no personal data; suppressed for analysts).
    StatsRead,
}

/// Function-level table: role × action.
pub fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Coordinator => !matches!(
            action,
            OrganizationCreate
                | OrganizationUpdate
                | OrganizationDelete
                | ProfessionalSelf
                | AssignmentRead
                | AssignmentAnswer
                | IntegrationClientManage
        ),
        Role::Operator => matches!(
            action,
            OrganizationRead
                | DeskRead
                | UserRead
                | CaseList
                | CaseRead
                | CaseCreate
                | CaseUpdate
                | CaseChangeStatus
                | FamilyMemberRead
                | FamilyMemberWrite
                | InterventionRead
                | InterventionWrite
                | ContactRead
                | ContactWrite
                | AppointmentRead
                | AppointmentWrite
                | CourseRead
                | EnrolmentRead
                | EnrolmentWrite
                | AssessmentRead
                | AssessmentWrite
                | PlanRead
                | PlanWrite
                | DocumentRead
                | DocumentWrite
                | CaseDuplicateCheck
                | ProviderRead
                | ProtocolRead
                | ConsentRead
                | ConsentWrite
                | ReferralRead
                | ReferralCreate
                | ReferralMove
                | TransferRead
                | TransferCreate
                | GrantRead
                | ProfessionalSearch
                | ActivationRead
                | ActivationRequest
                | ActivationMove
                | CareRead
                | CareManage
        ),
        // Analysts never touch personal data: directory reads and aggregate figures only.
        Role::Analyst => {
            matches!(
                action,
                OrganizationRead
                    | DeskRead
                    | CourseRead
                    | ProviderRead
                    | ProtocolRead
                    | ActivationSla
                    | StatsRead
            )
        }
        // Provider staff see the directory and the referrals addressed to their organization, nothing else.
        Role::ProviderStaff => {
            matches!(
                action,
                OrganizationRead
                    | DeskRead
                    | CourseRead
                    | ProviderRead
                    | ProtocolRead
                    | ReferralRead
                    | ReferralMove
            )
        }
        // Professionals see their profile and what they are asked to attend, nothing of the case files.
        Role::Professional => matches!(action, ProfessionalSelf | AssignmentRead | AssignmentAnswer),
        // Machines of district platforms keep their copy in step: the feed and upserts, no interactive API.
        Role::Integration => matches!(action, SyncRead | SyncWrite),
    }
}

/// 403 unless the role may perform the action at all.
pub fn require(principal: &Principal, action: Action) -> Result<()> {
    if role_may(principal.role, action) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("the {} role may not perform this action", principal.role)))
    }
}

/// How far a caller's organization reaches into a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseAccess {
    /// See it: the owner, or an organization holding a live grant of either kind.
    Read,
    /// Work on it (update, family, interventions, consents, referrals): the owner, or a `contribute` grant.
    Contribute,
    /// Decide about it (status, deletion, transfers, grants): the owner organization only.
    Own,
}

/// Which cases a caller can reach, and how far; applied inside every case query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    All,
    Organization { id: String, access: CaseAccess },
}

/// The cases a caller may see.
pub fn case_scope(principal: &Principal) -> CaseScope {
    case_scope_for(principal, CaseAccess::Read)
}

/// The cases a caller may reach with at least this access.
pub fn case_scope_for(principal: &Principal, access: CaseAccess) -> CaseScope {
    match principal.role {
        Role::Admin => CaseScope::All,
        _ => CaseScope::Organization { id: principal.organization_id.clone(), access },
    }
}

/// Whose aggregate figures (statistics, SLA) a caller gets: admins and analysts the organization they ask
/// for, or the whole network (`None`); anyone else their own organization, and 403 for another one.
pub fn figures_organization(principal: &Principal, requested: Option<uuid::Uuid>) -> Result<Option<String>> {
    match (principal.role, requested) {
        (Role::Admin | Role::Analyst, requested) => Ok(requested.map(|o| o.to_string())),
        (_, Some(o)) if o.to_string() != principal.organization_id => {
            Err(Error::Forbidden("a coordinator sees their own organization's figures".into()))
        }
        _ => Ok(Some(principal.organization_id.clone())),
    }
}

/// Whose cases a worklist covers: an admin any organization's they ask for, or all (`None`); anyone else
/// their own organization's, and 403 for another one.
pub fn worklist_organization(principal: &Principal, requested: Option<uuid::Uuid>) -> Result<Option<String>> {
    match (principal.role, requested) {
        (Role::Admin, requested) => Ok(requested.map(|o| o.to_string())),
        (_, Some(o)) if o.to_string() != principal.organization_id => {
            Err(Error::Forbidden("a worklist covers your own organization's cases".into()))
        }
        _ => Ok(Some(principal.organization_id.clone())),
    }
}

/// Which organizations' records (users, transfers) a caller reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizationScope {
    All,
    Organization(String),
}

pub fn organization_scope(principal: &Principal) -> OrganizationScope {
    match principal.role {
        Role::Admin => OrganizationScope::All,
        _ => OrganizationScope::Organization(principal.organization_id.clone()),
    }
}

/// Which referrals a caller reaches, and from which side of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralScope {
    All,
    Organization {
        id: String,
        /// Through the cases the organization sees (the desk that referred, or took the case over).
        as_sender: bool,
        /// As the provider's linked organization.
        as_receiver: bool,
    },
}

pub fn referral_scope(principal: &Principal) -> ReferralScope {
    let id = principal.organization_id.clone();
    match principal.role {
        Role::Admin => ReferralScope::All,
        Role::Coordinator | Role::Operator => {
            ReferralScope::Organization { id, as_sender: true, as_receiver: true }
        }
        Role::ProviderStaff => ReferralScope::Organization { id, as_sender: false, as_receiver: true },
        Role::Analyst | Role::Professional | Role::Integration => {
            ReferralScope::Organization { id, as_sender: false, as_receiver: false }
        }
    }
}

/// Whether the caller answers for the receiving provider of a referral: its organization's staff,
/// operators and coordinators; for an external provider (no organization), nobody in the system.
pub fn is_receiver(principal: &Principal, receiving_organization_id: Option<&str>) -> bool {
    principal.role == Role::Admin
        || (receiving_organization_id == Some(principal.organization_id.as_str())
            && matches!(principal.role, Role::ProviderStaff | Role::Operator | Role::Coordinator))
}

/// Managing the registry: an admin any entry, a coordinator those of their organization's registry.
pub fn require_manage_registry(principal: &Principal, registry_organization_id: &str) -> Result<()> {
    if may_manage_organization(principal, registry_organization_id) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only an admin or a coordinator of the registry's organization may do this".into(),
        ))
    }
}

/// Managing users and desks: an admin anywhere, a coordinator in their own organization.
pub fn may_manage_organization(principal: &Principal, organization_id: &str) -> bool {
    match principal.role {
        Role::Admin => true,
        Role::Coordinator => principal.organization_id == organization_id,
        _ => false,
    }
}

pub fn require_manage_organization(principal: &Principal, organization_id: &str) -> Result<()> {
    if may_manage_organization(principal, organization_id) {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin or a coordinator of that organization may do this".into()))
    }
}

/// Managing a provider of the directory: an admin any, a coordinator those linked to their organization.
pub fn require_manage_provider(principal: &Principal, provider_organization_id: Option<&str>) -> Result<()> {
    let allowed = match principal.role {
        Role::Admin => true,
        Role::Coordinator => provider_organization_id == Some(principal.organization_id.as_str()),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only an admin or a coordinator of the provider's organization may do this".into(),
        ))
    }
}

/// Which roles a caller may grant: admins any, coordinators any but admin.
pub fn may_grant_role(principal: &Principal, role: Role) -> bool {
    match principal.role {
        // Integration clients are machine accounts with their own endpoint, never users.
        _ if role == Role::Integration => false,
        Role::Admin => true,
        Role::Coordinator => role != Role::Admin,
        _ => false,
    }
}

/// Restricted notes (health and similar) are visible only to the organization that owns the case.
pub fn sees_restricted_notes(principal: &Principal, case_organization_id: &str) -> bool {
    principal.organization_id == case_organization_id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, org: &str) -> Principal {
        Principal { user_id: "u".into(), organization_id: org.into(), role }
    }

    #[test]
    fn analysts_never_read_cases() {
        for a in [
            Action::CaseList,
            Action::CaseRead,
            Action::FamilyMemberRead,
            Action::InterventionRead,
            Action::AssessmentRead,
            Action::PlanRead,
            Action::DocumentRead,
            Action::EnrolmentRead,
        ] {
            assert!(!role_may(Role::Analyst, a));
        }
        assert!(role_may(Role::Analyst, Action::CourseRead));
    }

    #[test]
    fn operators_enrol_and_coordinators_manage_courses() {
        for a in [Action::CourseRead, Action::EnrolmentRead, Action::EnrolmentWrite] {
            assert!(role_may(Role::Operator, a));
        }
        assert!(!role_may(Role::Operator, Action::CourseManage));
        assert!(role_may(Role::Coordinator, Action::CourseManage));
        assert!(!role_may(Role::ProviderStaff, Action::EnrolmentRead));
        assert!(!role_may(Role::Professional, Action::CourseRead));
    }

    #[test]
    fn operators_cannot_delete_cases_or_manage_users() {
        assert!(!role_may(Role::Operator, Action::CaseDelete));
        assert!(!role_may(Role::Operator, Action::UserManage));
        assert!(role_may(Role::Coordinator, Action::CaseDelete));
    }

    #[test]
    fn coordinators_manage_only_their_organization() {
        assert!(may_manage_organization(&p(Role::Coordinator, "a"), "a"));
        assert!(!may_manage_organization(&p(Role::Coordinator, "a"), "b"));
        assert!(may_manage_organization(&p(Role::Admin, "a"), "b"));
        assert!(!may_manage_organization(&p(Role::Operator, "a"), "a"));
        assert!(!may_grant_role(&p(Role::Coordinator, "a"), Role::Admin));
    }

    #[test]
    fn scopes_follow_the_role() {
        assert_eq!(case_scope(&p(Role::Admin, "a")), CaseScope::All);
        assert_eq!(
            case_scope(&p(Role::Operator, "a")),
            CaseScope::Organization { id: "a".into(), access: CaseAccess::Read }
        );
    }

    #[test]
    fn provider_staff_never_reach_case_files() {
        for a in [Action::CaseList, Action::CaseRead, Action::FamilyMemberRead, Action::ConsentRead] {
            assert!(!role_may(Role::ProviderStaff, a));
        }
        assert!(role_may(Role::ProviderStaff, Action::ReferralMove));
    }

    #[test]
    fn only_coordinators_and_admins_override_consent_and_decide_transfers() {
        for a in [Action::ConsentOverride, Action::TransferDecide, Action::GrantManage, Action::PlanApprove] {
            assert!(role_may(Role::Coordinator, a));
            assert!(role_may(Role::Admin, a));
            assert!(!role_may(Role::Operator, a));
        }
    }
}
