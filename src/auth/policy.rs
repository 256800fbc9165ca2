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
    FamilyMemberRead,
    FamilyMemberWrite,
    InterventionRead,
    InterventionWrite,
}

/// Function-level table: role × action.
pub fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Coordinator => !matches!(action, OrganizationCreate | OrganizationUpdate | OrganizationDelete),
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
        ),
        // Analysts never touch personal data: directory reads only (statistics come later).
        Role::Analyst => matches!(action, OrganizationRead | DeskRead),
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

/// Which cases a caller can see; applied inside every case query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    All,
    Organization(String),
}

pub fn case_scope(principal: &Principal) -> CaseScope {
    match principal.role {
        Role::Admin => CaseScope::All,
        _ => CaseScope::Organization(principal.organization_id.clone()),
    }
}

/// Which organizations' users a caller can see and manage.
pub fn user_scope(principal: &Principal) -> CaseScope {
    case_scope(principal)
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

/// Which roles a caller may grant: admins any, coordinators any but admin.
pub fn may_grant_role(principal: &Principal, role: Role) -> bool {
    match principal.role {
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
        for a in [Action::CaseList, Action::CaseRead, Action::FamilyMemberRead, Action::InterventionRead] {
            assert!(!role_may(Role::Analyst, a));
        }
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
        assert_eq!(case_scope(&p(Role::Operator, "a")), CaseScope::Organization("a".into()));
    }
}
