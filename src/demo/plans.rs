//! Needs assessments and individual plans for a third of the demo's active cases, so that the plan
//! worklists (overdue actions, plans past their review) have entries. Drawn from their own random stream,
//! so the cases, referrals and activations stay as they were.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Counts;
use super::data::CARITAS;
use super::network::Network;
use super::rng::Rng;
use crate::db::assessments::{AssessmentRow, DomainRow};
use crate::db::plans::{ActionRow, GoalRow, PlanRow};
use crate::db::schema::cases as ca;
use crate::db::{self, DbConnection};
use crate::domain::Code;
use crate::domain::case::CaseStatus;
use crate::domain::plan::{ActionOwnerKind, ActionStatus, AssessmentDomain, GoalStatus, NeedLevel};
use crate::error::Result;

const SEED: u64 = 0x5052_4f47_4554_544f;

/// What a goal and its first action say, by domain.
fn wording(domain: AssessmentDomain) -> (&'static str, &'static str) {
    use AssessmentDomain::*;
    match domain {
        Documents => ("Permit renewed and documents in order", "Fill in the permit renewal kit"),
        Housing => ("Stable housing", "Apply for the municipal housing list"),
        Work => ("A regular job", "Register at the job centre"),
        Income => ("Income support in place", "Apply for the inclusion allowance"),
        Health => ("Registered with a GP", "Book the health card appointment"),
        Education => ("Italian at A2 level", "Enrol in the CPIA course"),
        Family => ("Children enrolled at school", "Meet the school office"),
        SocialNetwork => ("Someone to turn to", "Introduce to the Caritas listening centre"),
    }
}

pub fn load(c: &mut DbConnection, net: &Network, now: NaiveDateTime, counts: &mut Counts) -> Result<()> {
    let mut rng = Rng::new(SEED);
    let today = now.date();
    let caritas = net.organization(CARITAS)?.to_string();
    let cases: Vec<(String, String, Option<String>, String, NaiveDateTime)> = ca::table
        .filter(ca::status.eq(CaseStatus::Active.as_str()))
        .filter(ca::deleted_at.is_null())
        .order(ca::id.asc())
        .select((ca::id, ca::organization_id, ca::assignee_id, ca::created_by, ca::created_at))
        .load(c)?;
    for (case_id, org, assignee, creator, opened) in cases.into_iter().step_by(3) {
        let worker = assignee.unwrap_or(creator);
        let first = (opened.date() + Duration::days(rng.range(0, 14))).min(today);
        let mut assessed_on = first;
        let mut domains = Vec::new();
        let versions = if rng.chance(0.4) && (today - first).num_days() > 60 { 2 } else { 1 };
        for version in 1..=versions {
            if version == 2 {
                assessed_on = (first + Duration::days(rng.range(45, 120))).min(today);
            }
            domains = assessment(c, &mut rng, &case_id, &org, &worker, version, assessed_on)?;
            counts.assessments += 1;
        }
        let starts_on = assessed_on;
        // Most plans are reviewed every three months; some are past their review day.
        let review_on = starts_on + Duration::days(*rng.pick(&[60, 90, 90, 120]));
        let at = starts_on.and_hms_opt(11, 0, 0).unwrap_or(now);
        let agreed_on = (starts_on + Duration::days(rng.range(0, 7))).min(today);
        let approval_required = org == caritas;
        let plan = PlanRow {
            id: rng.id_at(at),
            case_id: case_id.clone(),
            organization_id: org.clone(),
            assessment_id: None,
            starts_on,
            review_on,
            notes: Some("Agreed with the person at the desk".into()),
            agreed_on: Some(agreed_on),
            agreement_signed: Some(rng.chance(0.85)),
            approval_required,
            approved_at: (approval_required && rng.chance(0.7)).then_some(at + Duration::days(2)),
            approved_by: None,
            outcome: None,
            outcome_note: None,
            closed_at: None,
            created_by: worker.clone(),
            deleted_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let plan = PlanRow {
            approved_by: plan
                .approved_at
                .map(|_| net.user("demo.caritas.coord").map(str::to_string))
                .transpose()?,
            ..plan
        };
        db::plans::insert(c, &plan)?;
        counts.plans += 1;
        for (domain, level) in
            domains.into_iter().filter(|(_, l)| matches!(l, NeedLevel::Medium | NeedLevel::High))
        {
            let (goal_text, action_text) = wording(domain);
            let goal = GoalRow {
                id: rng.id_at(at),
                plan_id: plan.id.clone(),
                case_id: case_id.clone(),
                domain: domain.as_str().into(),
                description: goal_text.into(),
                status: GoalStatus::Open.as_str().into(),
                created_by: worker.clone(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            db::plans::insert_goal(c, &goal)?;
            let due_on =
                starts_on + Duration::days(if level == NeedLevel::High { 21 } else { rng.range(30, 150) });
            let status = match due_on < today {
                true => *rng.weighted(&[
                    (ActionStatus::Done, 6),
                    (ActionStatus::Planned, 3),
                    (ActionStatus::InProgress, 1),
                ]),
                false => *rng.weighted(&[(ActionStatus::Planned, 3), (ActionStatus::InProgress, 2)]),
            };
            let by_desk = rng.chance(0.7);
            let action = ActionRow {
                id: rng.id_at(at),
                plan_id: plan.id.clone(),
                case_id: case_id.clone(),
                goal_id: Some(goal.id.clone()),
                description: action_text.into(),
                owner_kind: if by_desk { ActionOwnerKind::Operator } else { ActionOwnerKind::Organization }
                    .as_str()
                    .into(),
                owner_id: if by_desk { worker.clone() } else { org.clone() },
                due_on: Some(due_on),
                status: status.as_str().into(),
                completed_on: (status == ActionStatus::Done).then(|| due_on.min(today)),
                created_by: worker.clone(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            db::plans::insert_action(c, &action)?;
            counts.plan_actions += 1;
        }
    }
    Ok(())
}

/// One version of a case's assessment: three to five domains, with their levels.
fn assessment(
    c: &mut DbConnection,
    rng: &mut Rng,
    case_id: &str,
    org: &str,
    worker: &str,
    version: i64,
    on: NaiveDate,
) -> Result<Vec<(AssessmentDomain, NeedLevel)>> {
    let at = on.and_hms_opt(10, 0, 0).unwrap_or_default();
    let row = AssessmentRow {
        id: rng.id_at(at),
        case_id: case_id.into(),
        organization_id: org.into(),
        version,
        assessed_on: on,
        assessor_id: worker.into(),
        summary: None,
        created_by: worker.into(),
        created_at: at,
        updated_at: at,
    };
    let mut domains: Vec<(AssessmentDomain, NeedLevel)> = Vec::new();
    for _ in 0..rng.range(3, 6) {
        let domain = *rng.pick(AssessmentDomain::ALL);
        if domains.iter().all(|(d, _)| *d != domain) {
            let level = *rng.weighted(&[
                (NeedLevel::None, 1),
                (NeedLevel::Low, 2),
                (NeedLevel::Medium, 3),
                (NeedLevel::High, 2),
            ]);
            domains.push((domain, level));
        }
    }
    let rows: Vec<DomainRow> = domains
        .iter()
        .map(|(domain, level)| DomainRow {
            assessment_id: row.id.clone(),
            case_id: case_id.into(),
            version,
            domain: domain.as_str().into(),
            level: level.as_str().into(),
            notes: None,
            created_at: at,
            updated_at: at,
        })
        .collect();
    db::assessments::insert(c, &row, &rows)?;
    Ok(domains)
}
