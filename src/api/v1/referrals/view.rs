//! The caller's view of a referral: which side of the loop it holds, which moves it may make, and the
//! minimum view of the person while the consent allows it.

use std::collections::{HashMap, HashSet};

use super::{Referral, ReferralPerson};
use crate::auth::{Action, Principal, policy, policy::CaseAccess};
use crate::db::referrals::ReferralRow;
use crate::db::{self, DbConnection, cases, consents};
use crate::domain::Code;
use crate::domain::referral::{ReferralStatus, Side};
use crate::error::{Error, Result};

/// Which ends of the loop the caller holds on one referral.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sides {
    sender: bool,
    receiver: bool,
}

impl Sides {
    /// For an external provider the sending desk records the provider's answers.
    pub(super) fn of(principal: &Principal, row: &ReferralRow, works_the_case: bool) -> Sides {
        let sender = works_the_case && policy::role_may(principal.role, Action::ReferralCreate);
        let receiver = policy::is_receiver(principal, row.receiving_organization_id.as_deref())
            || (row.receiving_organization_id.is_none() && sender);
        Sides { sender, receiver }
    }

    pub(super) fn may(self, side: Side) -> bool {
        match side {
            Side::Sender => self.sender,
            Side::Receiver => self.receiver,
        }
    }
}

pub(super) fn status_of(row: &ReferralRow) -> Result<ReferralStatus> {
    ReferralStatus::parse(&row.status).ok_or_else(|| Error::internal("referral status", &row.status))
}

/// Whether the referral may still show the person's data: the consent it relied on is in force and covers
/// the provider, or a coordinator overrode the consent check.
pub(super) fn sharing_allowed(row: &ReferralRow, consent: Option<&consents::ConsentRow>) -> Result<bool> {
    if row.consent_override_reason.is_some() {
        return Ok(true);
    }
    match consent {
        Some(k) => Ok(k.terms()?.covers_sharing_with(&row.provider_id, db::now()).is_ok()),
        None => Ok(false),
    }
}

/// The caller's view of referrals: moves it may make, and the person's minimum data where consent allows.
/// Three queries for a whole page.
pub(crate) fn views(
    c: &mut DbConnection,
    principal: &Principal,
    rows: Vec<ReferralRow>,
) -> Result<Vec<Referral>> {
    let case_ids: Vec<String> = rows.iter().map(|r| r.case_id.clone()).collect();
    let worked: HashSet<String> =
        cases::reachable_ids(c, &policy::case_scope_for(principal, CaseAccess::Contribute), &case_ids)?;
    let people: HashMap<String, cases::CaseRow> =
        cases::find_many(c, &case_ids)?.into_iter().map(|k| (k.id.clone(), k)).collect();
    let consent_ids: Vec<String> = rows.iter().filter_map(|r| r.consent_id.clone()).collect();
    let consents: HashMap<String, consents::ConsentRow> =
        consents::find_many(c, &consent_ids)?.into_iter().map(|k| (k.id.clone(), k)).collect();
    rows.into_iter()
        .map(|row| {
            let sides = Sides::of(principal, &row, worked.contains(&row.case_id));
            let from = status_of(&row)?;
            let allowed = from
                .allowed_next()
                .into_iter()
                .filter(|to| from.mover(*to).is_some_and(|s| sides.may(s)))
                .collect();
            let consent = row.consent_id.as_ref().and_then(|id| consents.get(id));
            let person = match people.get(&row.case_id) {
                Some(case) if sharing_allowed(&row, consent)? => Some(ReferralPerson {
                    given_name: case.given_name.clone(),
                    family_name: case.family_name.clone(),
                    phone: case.phone.clone(),
                    email: case.email.clone(),
                    languages: db::from_json_text(&case.languages)?,
                }),
                _ => None,
            };
            Referral::from_row(row, allowed, person)
        })
        .collect()
}

pub(super) fn view(c: &mut DbConnection, principal: &Principal, row: ReferralRow) -> Result<Referral> {
    views(c, principal, vec![row])?.pop().ok_or_else(|| Error::internal("referral view", "empty"))
}
