//! Language courses (the district plans at least two language-mediation courses a year): the municipal
//! desk's Italian course of last year, completed, and this year's, running and full with a waiting list;
//! Caritas' literacy course for mothers and children, planned. Two evening sessions a week, attendance on
//! the sessions already held. From their own random stream, so the rest of the demo stays as it was.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;

use super::Counts;
use super::calendar::local;
use super::data::{CARITAS, COMUNE};
use super::network::Network;
use super::rng::Rng;
use crate::db::DbConnection;
use crate::db::courses::{self as repo, AttendanceRow, CourseRow, EnrolmentRow, SessionRow};
use crate::db::schema::{cases as ca, family_members as f};
use crate::domain::Code;
use crate::domain::case::CaseStatus;
use crate::domain::course::{AttendanceStatus, CourseAudience, CourseLevel, CourseStatus, EnrolmentStatus};
use crate::error::Result;

const SEED: u64 = 0x434f_5253_4f49_5441;

struct Spec {
    organization: &'static str,
    /// Its coordinator, who set it up.
    coordinator: &'static str,
    title: &'static str,
    level: CourseLevel,
    audience: CourseAudience,
    /// Days from today to the start, and the length in weeks.
    starts_in: i64,
    weeks: i64,
    capacity: i32,
    /// People to enrol (past the capacity they wait).
    people: usize,
}

const COURSES: [Spec; 3] = [
    Spec {
        organization: COMUNE,
        coordinator: "demo.crema.coord",
        title: "Italiano per la vita quotidiana (mediazione linguistica)",
        level: CourseLevel::A1,
        audience: CourseAudience::Adults,
        starts_in: -330,
        weeks: 12,
        capacity: 14,
        people: 13,
    },
    Spec {
        organization: COMUNE,
        coordinator: "demo.crema.coord",
        title: "Italiano per il lavoro e i servizi (mediazione linguistica)",
        level: CourseLevel::A2,
        audience: CourseAudience::Adults,
        starts_in: -28,
        weeks: 14,
        capacity: 12,
        people: 16,
    },
    Spec {
        organization: CARITAS,
        coordinator: "demo.caritas.coord",
        title: "Alfabetizzazione per mamme e bambini",
        level: CourseLevel::Literacy,
        audience: CourseAudience::All,
        starts_in: 21,
        weeks: 10,
        capacity: 10,
        people: 6,
    },
];

pub fn load(c: &mut DbConnection, net: &Network, now: NaiveDateTime, counts: &mut Counts) -> Result<()> {
    let mut rng = Rng::new(SEED);
    let today = now.date();
    for spec in &COURSES {
        let org = net.organization(spec.organization)?.to_string();
        let starts_on = monday_on_or_after(today + Duration::days(spec.starts_in));
        let ends_on = starts_on + Duration::weeks(spec.weeks) - Duration::days(3);
        let status = if ends_on < today {
            CourseStatus::Completed
        } else if starts_on <= today {
            CourseStatus::Running
        } else {
            CourseStatus::Planned
        };
        let created = local(starts_on - Duration::days(40), 10 * 60);
        let course = CourseRow {
            id: rng.id_at(created),
            organization_id: org.clone(),
            title: spec.title.into(),
            description: Some("Two evenings a week with an intercultural mediator; free of charge".into()),
            language: "it".into(),
            level: spec.level.as_str().into(),
            audience: spec.audience.as_str().into(),
            desk_id: net.desks.get(spec.organization).cloned(),
            place: Some("Aula corsi, primo piano".into()),
            municipality: Some("Crema".into()),
            starts_on,
            ends_on,
            capacity: spec.capacity,
            status: status.as_str().into(),
            created_by: net.user(spec.coordinator)?.to_string(),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        repo::insert(c, &course)?;
        counts.courses += 1;
        // Monday and Wednesday, 18:00–20:00 Italian time.
        let mut sessions = Vec::new();
        for week in 0..spec.weeks {
            for offset in [0, 2] {
                let day = starts_on + Duration::weeks(week) + Duration::days(offset);
                let row = SessionRow {
                    id: rng.id_at(created),
                    course_id: course.id.clone(),
                    starts_at: local(day, 18 * 60),
                    ends_at: local(day, 20 * 60),
                    place: None,
                    topic: None,
                    version: 1,
                    created_at: created,
                    updated_at: created,
                };
                repo::insert_session(c, &row)?;
                sessions.push(row);
            }
        }
        let people = participants(c, &org, spec)?;
        let mut held = 0;
        for (i, (case_id, member)) in people.into_iter().enumerate() {
            let at = created + Duration::days(1 + i as i64);
            let place = held < spec.capacity;
            let status = match (place, status) {
                (false, _) => EnrolmentStatus::Waiting,
                (true, CourseStatus::Completed) if rng.chance(0.2) => EnrolmentStatus::DroppedOut,
                (true, CourseStatus::Completed) => EnrolmentStatus::Completed,
                (true, _) => EnrolmentStatus::Enrolled,
            };
            held += i32::from(status.holds_place());
            let enrolment = EnrolmentRow {
                id: rng.id_at(at),
                course_id: course.id.clone(),
                person_id: member.clone().unwrap_or_else(|| case_id.clone()),
                case_id,
                family_member_id: member,
                status: status.as_str().into(),
                enrolled_at: place.then_some(at),
                ended_at: (!status.is_live()).then_some(local(ends_on, 20 * 60)),
                status_reason: None,
                notes: None,
                created_by: course.created_by.clone(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            repo::insert_enrolment(c, &enrolment)?;
            counts.enrolments += 1;
            if place {
                for session in sessions.iter().filter(|s| s.ends_at <= now) {
                    let mark = *rng.weighted(&[
                        (AttendanceStatus::Present, 80),
                        (AttendanceStatus::Absent, 12),
                        (AttendanceStatus::Excused, 8),
                    ]);
                    repo::put_attendance(
                        c,
                        &AttendanceRow {
                            session_id: session.id.clone(),
                            enrolment_id: enrolment.id.clone(),
                            course_id: course.id.clone(),
                            status: mark.as_str().into(),
                            note: None,
                            recorded_by: course.created_by.clone(),
                            created_at: session.ends_at,
                            updated_at: session.ends_at,
                        },
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn monday_on_or_after(day: NaiveDate) -> NaiveDate {
    let ahead = (7 - day.weekday().num_days_from_monday()) % 7;
    let monday = day + Duration::days(i64::from(ahead));
    debug_assert_eq!(monday.weekday(), Weekday::Mon);
    monday
}

/// The organization's active cases' beneficiaries (adult courses), or their children with a mother (the
/// family course): (case id, family member id).
fn participants(c: &mut DbConnection, org: &str, spec: &Spec) -> Result<Vec<(String, Option<String>)>> {
    let cases: Vec<String> = ca::table
        .filter(ca::organization_id.eq(org).and(ca::status.eq(CaseStatus::Active.as_str())))
        .filter(ca::deleted_at.is_null())
        .order(ca::id.asc())
        .select(ca::id)
        .load(c)?;
    let skip = if spec.level == CourseLevel::A2 { 40 } else { 0 };
    if spec.audience != CourseAudience::All {
        return Ok(cases.into_iter().skip(skip).take(spec.people).map(|c| (c, None)).collect());
    }
    let children: Vec<(String, String)> = f::table
        .filter(f::case_id.eq_any(&cases).and(f::relationship.eq("child")).and(f::deleted_at.is_null()))
        .order(f::id.asc())
        .select((f::case_id, f::id))
        .load(c)?;
    // One child per mother: a mother of two is enrolled once.
    let mut mothers = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (case_id, child) in
        children.into_iter().filter(|(case_id, _)| mothers.insert(case_id.clone())).take(spec.people / 2)
    {
        out.push((case_id.clone(), None));
        out.push((case_id, Some(child)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn courses_start_on_a_monday() {
        let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(monday_on_or_after(thursday), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(monday_on_or_after(monday), monday);
    }
}
