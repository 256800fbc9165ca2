//! Individual plans repository: plans of a case, their goals and actions, and the worklists across cases.
//! Callers first resolve the case within their scope; the worklists take the organization whose cases
//! they cover.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{cases as c, plan_actions as pa, plan_goals as pg, plans as p};
use crate::domain::Code;
use crate::domain::plan::ActionStatus;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = p, treat_none_as_null = true)]
pub struct PlanRow {
    pub id: String,
    pub case_id: String,
    pub organization_id: String,
    pub assessment_id: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub review_on: chrono::NaiveDate,
    pub notes: Option<String>,
    pub agreed_on: Option<chrono::NaiveDate>,
    pub agreement_signed: Option<bool>,
    pub approval_required: bool,
    pub approved_at: Option<chrono::NaiveDateTime>,
    pub approved_by: Option<String>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub created_by: String,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = pg, treat_none_as_null = true)]
pub struct GoalRow {
    pub id: String,
    pub plan_id: String,
    pub case_id: String,
    pub domain: String,
    pub description: String,
    pub status: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = pa, treat_none_as_null = true)]
pub struct ActionRow {
    pub id: String,
    pub plan_id: String,
    pub case_id: String,
    pub goal_id: Option<String>,
    pub description: String,
    pub owner_kind: String,
    pub owner_id: String,
    pub due_on: Option<chrono::NaiveDate>,
    pub status: String,
    pub completed_on: Option<chrono::NaiveDate>,
    pub created_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &PlanRow) -> Result<()> {
    diesel::insert_into(p::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<PlanRow> {
    p::table
        .filter(p::id.eq(id).and(p::case_id.eq(case_id)).and(p::deleted_at.is_null()))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// The case's plan still in force (not closed), if any: a case has at most one.
pub fn open_of_case(conn: &mut DbConnection, case_id: &str) -> Result<Option<PlanRow>> {
    Ok(p::table
        .filter(p::case_id.eq(case_id).and(p::deleted_at.is_null()).and(p::closed_at.is_null()))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

/// Newest first.
pub fn list(conn: &mut DbConnection, case_id: &str, after: Option<&str>, limit: i64) -> Result<Vec<PlanRow>> {
    let mut q = p::table
        .filter(p::case_id.eq(case_id.to_string()).and(p::deleted_at.is_null()))
        .select(PlanRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(p::id.lt(after.to_string()));
    }
    Ok(q.order(p::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &PlanRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(p::table.filter(p::id.eq(&row.id)).filter(p::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// A change to an approved plan's content puts it back to waiting for approval: the approval covered what
/// was approved. Nothing happens to a plan not approved.
pub fn withdraw_approval(conn: &mut DbConnection, plan_id: &str, now: chrono::NaiveDateTime) -> Result<()> {
    diesel::update(p::table.filter(p::id.eq(plan_id)).filter(p::approved_at.is_not_null()))
        .set((
            p::approved_at.eq(None::<chrono::NaiveDateTime>),
            p::approved_by.eq(None::<String>),
            p::version.eq(p::version + 1),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The goals of these plans, oldest first.
pub fn goals_of(conn: &mut DbConnection, plan_ids: &[String]) -> Result<Vec<GoalRow>> {
    Ok(pg::table
        .filter(pg::plan_id.eq_any(plan_ids.to_vec()))
        .order(pg::id.asc())
        .select(GoalRow::as_select())
        .load(conn)?)
}

/// The actions of these plans, oldest first.
pub fn actions_of(conn: &mut DbConnection, plan_ids: &[String]) -> Result<Vec<ActionRow>> {
    Ok(pa::table
        .filter(pa::plan_id.eq_any(plan_ids.to_vec()))
        .order(pa::id.asc())
        .select(ActionRow::as_select())
        .load(conn)?)
}

pub fn insert_goal(conn: &mut DbConnection, row: &GoalRow) -> Result<()> {
    diesel::insert_into(pg::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_goal(conn: &mut DbConnection, plan_id: &str, id: &str) -> Result<GoalRow> {
    pg::table
        .filter(pg::id.eq(id).and(pg::plan_id.eq(plan_id)))
        .select(GoalRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn save_goal(conn: &mut DbConnection, row: &GoalRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(pg::table.filter(pg::id.eq(&row.id)).filter(pg::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

pub fn insert_action(conn: &mut DbConnection, row: &ActionRow) -> Result<()> {
    diesel::insert_into(pa::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get_action(conn: &mut DbConnection, plan_id: &str, id: &str) -> Result<ActionRow> {
    pa::table
        .filter(pa::id.eq(id).and(pa::plan_id.eq(plan_id)))
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn save_action(conn: &mut DbConnection, row: &ActionRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(pa::table.filter(pa::id.eq(&row.id)).filter(pa::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// The live cases of organization `$org`, or every live case. Macros, as a boxed subquery does not compile
/// through MultiConnection: each branch spells its own.
macro_rules! live_cases {
    () => {
        c::table.filter(c::deleted_at.is_null()).select(c::id)
    };
    ($org:expr) => {
        c::table.filter(c::deleted_at.is_null()).filter(c::organization_id.eq($org)).select(c::id)
    };
}

/// The plans in force (not closed) of these cases.
macro_rules! plans_in_force {
    ($cases:expr) => {
        p::table
            .filter(p::closed_at.is_null())
            .filter(p::deleted_at.is_null())
            .filter(p::case_id.eq_any($cases))
            .select(p::id)
    };
}

/// Plans in force (not closed) of the live cases of `organization_id` (or of all), newest first; worklist:
/// with `review_before`, those whose review day is before it.
pub fn in_force(
    conn: &mut DbConnection,
    organization_id: Option<&str>,
    review_before: Option<chrono::NaiveDate>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<PlanRow>> {
    let mut q = p::table
        .filter(p::closed_at.is_null())
        .filter(p::deleted_at.is_null())
        .select(PlanRow::as_select())
        .into_boxed();
    q = match organization_id {
        Some(org) => q.filter(p::case_id.eq_any(live_cases!(org.to_string()))),
        None => q.filter(p::case_id.eq_any(live_cases!())),
    };
    if let Some(day) = review_before {
        q = q.filter(p::review_on.lt(day));
    }
    if let Some(after) = after {
        q = q.filter(p::id.lt(after.to_string()));
    }
    Ok(q.order(p::id.desc()).limit(limit + 1).load(conn)?)
}

/// Filters of the plan-actions worklist, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct ActionFilter {
    /// Only the actions of the cases this organization owns (`None`: every organization's).
    pub organization_id: Option<String>,
    /// Open and due before this day.
    pub overdue_on: Option<chrono::NaiveDate>,
    pub owner_kind: Option<String>,
    pub owner_id: Option<String>,
}

/// Open actions of plans in force, newest first.
pub fn open_actions(
    conn: &mut DbConnection,
    f: &ActionFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ActionRow>> {
    let open: Vec<&str> = ActionStatus::OPEN.iter().map(|s| s.as_str()).collect();
    let mut q = pa::table.filter(pa::status.eq_any(open)).select(ActionRow::as_select()).into_boxed();
    q = match &f.organization_id {
        Some(org) => q.filter(pa::plan_id.eq_any(plans_in_force!(live_cases!(org.clone())))),
        None => q.filter(pa::plan_id.eq_any(plans_in_force!(live_cases!()))),
    };
    if let Some(day) = f.overdue_on {
        q = q.filter(pa::due_on.lt(day));
    }
    if let Some(kind) = &f.owner_kind {
        q = q.filter(pa::owner_kind.eq(kind.clone()));
    }
    if let Some(owner) = &f.owner_id {
        q = q.filter(pa::owner_id.eq(owner.clone()));
    }
    if let Some(after) = after {
        q = q.filter(pa::id.lt(after.to_string()));
    }
    Ok(q.order(pa::id.desc()).limit(limit + 1).load(conn)?)
}

/// Closes the case's plan in force with its outcome (closing the case). `Ok(false)` when there is none.
pub fn close_open(
    conn: &mut DbConnection,
    case_id: &str,
    outcome: &str,
    note: Option<&str>,
    now: chrono::NaiveDateTime,
) -> Result<bool> {
    let n = diesel::update(
        p::table.filter(p::case_id.eq(case_id).and(p::deleted_at.is_null()).and(p::closed_at.is_null())),
    )
    .set((
        p::outcome.eq(Some(outcome)),
        p::outcome_note.eq(note),
        p::closed_at.eq(Some(now)),
        p::version.eq(p::version + 1),
        p::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Erasure: the free text of plans, goals and actions goes; dates, codes and statuses stay.
pub fn erase(conn: &mut DbConnection, case_id: &str, now: chrono::NaiveDateTime) -> Result<()> {
    use crate::domain::erasure::ERASED;
    diesel::update(p::table.filter(p::case_id.eq(case_id)))
        .set((
            p::notes.eq(None::<String>),
            p::outcome_note.eq(None::<String>),
            p::version.eq(p::version + 1),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(pg::table.filter(pg::case_id.eq(case_id)))
        .set((pg::description.eq(ERASED), pg::version.eq(pg::version + 1), pg::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(pa::table.filter(pa::case_id.eq(case_id)))
        .set((pa::description.eq(ERASED), pa::version.eq(pa::version + 1), pa::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}
