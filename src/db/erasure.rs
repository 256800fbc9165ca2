//! Erasure: every personal field of a case and of what hangs on it, anonymised in place, irreversibly.
//! Kept: ids, codes (citizenship, needs, legal status, intervention kinds, statuses) and dates rounded to
//! the month, so statistics still count the person. The audit trail keeps its events (ids, no personal
//! data). The change feed receives the case's `erased` tombstone from the triggers. Documents are deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    activation_events as ae, activations as a, appointments as ap, care_requests as cr,
    case_access_grants as g, cases as c, consents as co, desk_contacts as k, family_members as f,
    interventions as i, referral_events as re, referrals as r, transfers as t,
};
use crate::domain::erasure::{ERASED, month_of};
use crate::error::Result;

/// Anonymises the case (already known to exist and not to be under legal hold) and everything attached,
/// and deletes its documents: returns their ids, whose files the document store removes after the commit.
pub fn erase_case(conn: &mut DbConnection, case_id: &str, now: NaiveDateTime) -> Result<Vec<String>> {
    let id = case_id.to_string();
    let row: (
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<NaiveDateTime>,
    ) = c::table
        .find(&id)
        .select((c::birth_date, c::arrival_date, c::permit_expiry, c::deleted_at))
        .first(conn)?;
    let (birth, arrival, expiry, deleted) = row;
    diesel::update(c::table.find(&id))
        .set((
            c::given_name.eq(ERASED),
            c::family_name.eq(ERASED),
            c::search_name.eq(""),
            c::birth_date.eq(birth.map(month_of)),
            c::birth_place.eq(None::<String>),
            c::tax_code.eq(None::<String>),
            c::phone.eq(None::<String>),
            c::email.eq(None::<String>),
            c::address.eq(None::<String>),
            c::arrival_date.eq(arrival.map(month_of)),
            c::permit_number.eq(None::<String>),
            c::permit_expiry.eq(expiry.map(month_of)),
            c::notes.eq(None::<String>),
            c::restricted_notes.eq(None::<String>),
            c::closure_note.eq(None::<String>),
            // The platform's id would link the anonymous record back to the person there.
            c::source_system.eq(None::<String>),
            c::external_id.eq(None::<String>),
            c::assignee_id.eq(None::<String>),
            c::deleted_at.eq(Some(deleted.unwrap_or(now))),
            c::erased_at.eq(Some(now)),
            c::version.eq(c::version + 1),
            c::updated_at.eq(now),
        ))
        .execute(conn)?;

    let members: Vec<(String, Option<chrono::NaiveDate>, Option<NaiveDateTime>)> =
        f::table.filter(f::case_id.eq(&id)).select((f::id, f::birth_date, f::deleted_at)).load(conn)?;
    for (member, birth, deleted) in members {
        diesel::update(f::table.find(member))
            .set((
                f::given_name.eq(ERASED),
                f::family_name.eq(ERASED),
                f::birth_date.eq(birth.map(month_of)),
                f::tax_code.eq(None::<String>),
                f::notes.eq(None::<String>),
                f::deleted_at.eq(Some(deleted.unwrap_or(now))),
                f::version.eq(f::version + 1),
                f::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let interventions: Vec<(String, chrono::NaiveDate, Option<chrono::NaiveDate>, Option<NaiveDateTime>)> =
        i::table
            .filter(i::case_id.eq(&id))
            .select((i::id, i::occurred_on, i::follow_up_on, i::deleted_at))
            .load(conn)?;
    for (intervention, on, follow_up, deleted) in interventions {
        diesel::update(i::table.find(intervention))
            .set((
                i::summary.eq(ERASED),
                i::occurred_on.eq(month_of(on)),
                i::follow_up_on.eq(follow_up.map(month_of)),
                i::deleted_at.eq(Some(deleted.unwrap_or(now))),
                i::version.eq(i::version + 1),
                i::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let referrals = r::table.filter(r::case_id.eq(&id)).select(r::id);
    diesel::update(re::table.filter(re::referral_id.eq_any(referrals)))
        .set((re::reason.eq(None::<String>), re::note.eq(None::<String>)))
        .execute(conn)?;
    // An override's reason stays present (replaced, not emptied): a referral needs a consent or an override.
    diesel::update(r::table.filter(r::case_id.eq(&id)).filter(r::consent_override_reason.is_not_null()))
        .set(r::consent_override_reason.eq(ERASED))
        .execute(conn)?;
    diesel::update(r::table.filter(r::case_id.eq(&id)))
        .set((
            r::reason.eq(ERASED),
            r::status_reason.eq(None::<String>),
            r::version.eq(r::version + 1),
            r::updated_at.eq(now),
        ))
        .execute(conn)?;
    let activations = a::table.filter(a::case_id.eq(&id)).select(a::id);
    diesel::update(ae::table.filter(ae::activation_id.eq_any(activations)))
        .set(ae::reason.eq(None::<String>))
        .execute(conn)?;
    diesel::update(a::table.filter(a::case_id.eq(&id)))
        .set((
            a::person_name.eq(None::<String>),
            a::place.eq(ERASED),
            a::notes.eq(None::<String>),
            a::outcome.eq(None::<String>),
            a::status_reason.eq(None::<String>),
            a::version.eq(a::version + 1),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(co::table.filter(co::case_id.eq(&id)))
        .set((co::evidence.eq(None::<String>), co::withdrawal_note.eq(None::<String>)))
        .execute(conn)?;
    diesel::update(t::table.filter(t::case_id.eq(&id)))
        .set((t::reason.eq(ERASED), t::decision_note.eq(None::<String>)))
        .execute(conn)?;
    diesel::update(g::table.filter(g::case_id.eq(&id))).set(g::note.eq(None::<String>)).execute(conn)?;
    diesel::update(ap::table.filter(ap::case_id.eq(&id)))
        .set((
            ap::person_name.eq(None::<String>),
            ap::phone.eq(None::<String>),
            ap::notes.eq(None::<String>),
            ap::status_reason.eq(None::<String>),
            ap::version.eq(ap::version + 1),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    // The contacts keep their codes (topics, channel, the anonymous profile) for the counts.
    diesel::update(k::table.filter(k::case_id.eq(&id)))
        .set((
            k::answer.eq(ERASED),
            k::orientation.eq(None::<String>),
            k::version.eq(k::version + 1),
            k::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(cr::table.filter(cr::case_id.eq(&id)))
        .set((
            cr::household_name.eq(None::<String>),
            cr::household_phone.eq(None::<String>),
            cr::notes.eq(None::<String>),
        ))
        .execute(conn)?;
    crate::db::assessments::erase(conn, &id, now)?;
    crate::db::plans::erase(conn, &id, now)?;
    crate::db::courses::erase(conn, &id, now)?;
    // A copy of a permit or an ID cannot be anonymised: it goes.
    crate::db::documents::delete_of_case(conn, &id)
}

/// Closed cases past retention: closed before `closed_before`, not erased, not under legal hold. Oldest
/// first, as (id, reference code, closed at).
pub fn past_retention(
    conn: &mut DbConnection,
    closed_before: NaiveDateTime,
) -> Result<Vec<(String, String, NaiveDateTime)>> {
    let rows: Vec<(String, String, Option<NaiveDateTime>)> = c::table
        .filter(c::closed_at.lt(closed_before))
        .filter(c::erased_at.is_null())
        .filter(c::legal_hold.eq(false))
        .order(c::closed_at.asc())
        .select((c::id, c::reference_code, c::closed_at))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, code, at)| at.map(|at| (id, code, at))).collect())
}
