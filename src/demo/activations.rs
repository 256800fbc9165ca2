//! Requests to engage a professional of the registry, against the 24/48-hour deadline: most confirmed in
//! time, some late, a few declined and reassigned or cancelled, and recent ones still waiting (overdue once
//! the deadline passes).

use chrono::{Duration, NaiveDateTime};

use super::DAYS;
use super::calendar::{in_office, local};
use super::data::{self, MUNICIPALITIES};
use super::network::{Network, Professional};
use super::people::{self, Person};
use super::rng::Rng;
use crate::db::activations::{ActivationRow, EventRow};
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::person::Sex;
use crate::domain::professional::{ActivationStatus, ActivationUrgency, ProfessionalKind, Sector};
use crate::error::{Error, Result};

/// What is asked for, by whom and when.
pub struct Request<'a> {
    pub organization_id: &'a str,
    pub requester: &'a str,
    pub case_id: Option<&'a str>,
    pub person_name: Option<String>,
    pub kind: ProfessionalKind,
    pub language: &'static str,
    pub sector: Sector,
    pub place: String,
    pub municipality: &'static str,
    pub requested_at: NaiveDateTime,
    /// A request that may still be unanswered past its deadline (recent ones only).
    pub may_be_overdue: bool,
}

pub struct Activation {
    pub activation: ActivationRow,
    pub events: Vec<EventRow>,
}

/// The kind of professional and the language of the request: for legal matters now and then a lawyer
/// (in the person's language if one speaks it, else in Italian), for legal and health interviews now and
/// then an interpreter, otherwise a mediator — whoever of them speaks the language.
fn kind_for(
    rng: &mut Rng,
    net: &Network,
    language: &'static str,
    sector: Sector,
) -> (ProfessionalKind, &'static str) {
    use ProfessionalKind::{InterculturalMediator, Interpreter, Lawyer};
    let speaks = |kind| {
        net.professionals.iter().any(|p| p.active && p.kind == kind && p.languages.contains(&language))
    };
    if sector == Sector::Legal && rng.chance(0.25) {
        (Lawyer, if speaks(Lawyer) { language } else { "it" })
    } else if matches!(sector, Sector::Legal | Sector::Health) && speaks(Interpreter) && rng.chance(0.3) {
        (Interpreter, language)
    } else if speaks(InterculturalMediator) {
        (InterculturalMediator, language)
    } else {
        (Interpreter, language)
    }
}

/// An active professional of the kind, preferably speaking the language, other than `not`.
fn candidate<'n>(
    rng: &mut Rng,
    net: &'n Network,
    r: &Request,
    not: Option<&str>,
) -> Result<&'n Professional> {
    let of_kind: Vec<&Professional> = net
        .professionals
        .iter()
        .filter(|p| p.active && p.kind == r.kind && Some(p.id.as_str()) != not && p.user_id.is_some())
        .collect();
    let speaking: Vec<&Professional> =
        of_kind.iter().copied().filter(|p| p.languages.contains(&r.language)).collect();
    let pool = if speaking.is_empty() { of_kind } else { speaking };
    if pool.is_empty() {
        return Err(Error::internal("demo registry", format!("no {} to assign", r.kind)));
    }
    Ok(*rng.pick(&pool))
}

pub fn request(rng: &mut Rng, net: &Network, r: Request, now: NaiveDateTime) -> Result<Activation> {
    let t0 = r.requested_at;
    let urgency = if rng.chance(0.3) { ActivationUrgency::Urgent } else { ActivationUrgency::Standard };
    let deadline = urgency.deadline(t0);
    let allowance = urgency.allowance().num_minutes();
    let minutes = |rng: &mut Rng, lo: i64, hi: i64| Duration::minutes(rng.range(lo, hi));
    let first = candidate(rng, net, &r, None)?;
    let second = candidate(rng, net, &r, Some(&first.id)).unwrap_or(first);
    use ActivationStatus::*;
    // (status, when, professional assigned, reason)
    let mut moves: Vec<(ActivationStatus, NaiveDateTime, Option<&Professional>, Option<&'static str>)> =
        Vec::new();
    let assigned = t0 + minutes(rng, 20, allowance * 2 / 5);
    if deadline > now || (r.may_be_overdue && rng.chance(0.5)) {
        // Still waiting: nothing yet, assigned, or (before the deadline) confirmed.
        let draw = rng.unit();
        if draw > 0.35 {
            moves.push((Assigned, assigned, Some(first), None));
            if draw > 0.8 && deadline > now {
                moves.push((Confirmed, assigned + minutes(rng, 10, 120), Some(first), None));
            } else if draw > 0.8 {
                moves.push((Declined, assigned + minutes(rng, 30, 480), Some(first), Some(DECLINED)));
            }
        }
    } else {
        let draw = rng.unit();
        if draw < 0.72 {
            moves.push((Assigned, assigned, Some(first), None));
            let confirmed = assigned + (deadline - assigned) * rng.range(1, 95) as i32 / 100;
            moves.push((Confirmed, confirmed, Some(first), None));
        } else if draw < 0.85 {
            let late = t0 + minutes(rng, allowance / 2, allowance * 19 / 20);
            moves.push((Assigned, late, Some(first), None));
            moves.push((Confirmed, deadline + minutes(rng, 30, 36 * 60), Some(first), None));
        } else if draw < 0.93 {
            let declined = assigned + minutes(rng, 30, 480);
            let reassigned = declined + minutes(rng, 15, 180);
            moves.push((Assigned, assigned, Some(first), None));
            moves.push((Declined, declined, Some(first), Some(DECLINED)));
            moves.push((Assigned, reassigned, Some(second), None));
            moves.push((Confirmed, reassigned + minutes(rng, 15, 600), Some(second), None));
        } else {
            let mut last = t0;
            if rng.chance(0.5) {
                moves.push((Assigned, assigned, Some(first), None));
                last = assigned;
            }
            let at = last + minutes(rng, 60, 72 * 60);
            moves.push((
                Cancelled,
                at,
                None,
                Some("Colloquio annullato: la persona ha chiesto di rinviarlo"),
            ));
        }
    }
    moves.retain(|(_, t, _, _)| *t < now);
    // After any confirmation, late ones included.
    let scheduled_at = in_office(rng, deadline + Duration::hours(36), 0, 96);
    let duration_minutes = if r.kind == ProfessionalKind::Lawyer { 90 } else { *rng.pick(&[45, 60, 60, 90]) };
    let confirmed_by = moves.iter().rev().find(|(s, _, _, _)| *s == Confirmed).and_then(|(_, _, p, _)| *p);
    let end = scheduled_at + Duration::minutes(i64::from(duration_minutes));
    if let Some(professional) = confirmed_by
        && end < now - Duration::hours(1)
        && rng.chance(0.92)
    {
        moves.push((Completed, end + minutes(rng, 5, 24 * 60), Some(professional), None));
        moves.retain(|(_, t, _, _)| *t < now);
    }
    let id = rng.id_at(t0);
    let mut events = vec![EventRow {
        id: rng.id_at(t0),
        activation_id: id.clone(),
        from_status: None,
        to_status: Requested.as_str().into(),
        professional_id: None,
        actor_id: r.requester.into(),
        reason: None,
        occurred_at: t0,
    }];
    let mut row = ActivationRow {
        id,
        organization_id: r.organization_id.into(),
        requested_by: r.requester.into(),
        case_id: r.case_id.map(Into::into),
        person_name: r.person_name,
        kind: r.kind.as_str().into(),
        language: r.language.into(),
        sector: Some(r.sector.as_str().into()),
        scheduled_at,
        place: r.place,
        municipality: Some(r.municipality.into()),
        duration_minutes,
        urgency: urgency.as_str().into(),
        notes: None,
        requested_at: t0,
        deadline_at: deadline,
        status: Requested.as_str().into(),
        professional_id: None,
        assigned_at: None,
        confirmed_at: None,
        completed_at: None,
        worked_minutes: None,
        outcome: None,
        status_reason: None,
        version: 1,
        created_at: t0,
        updated_at: t0,
    };
    for (status, at, professional, reason) in moves {
        let from = row.status.clone();
        // The requester assigns and cancels; the professional answers and, most often, closes it.
        let actor = match status {
            Confirmed | Declined | Completed => {
                professional.and_then(|p| p.user_id.as_deref()).unwrap_or(r.requester)
            }
            _ => r.requester,
        };
        match status {
            Assigned => {
                row.professional_id = professional.map(|p| p.id.clone());
                row.assigned_at = Some(at);
            }
            Confirmed => row.confirmed_at = Some(at),
            Completed => {
                row.completed_at = Some(at);
                row.worked_minutes = Some(duration_minutes + rng.range(-15, 30) as i32);
                row.outcome =
                    Some("Colloquio svolto con la mediazione richiesta; esito annotato nel fascicolo".into());
            }
            Declined | Cancelled => row.status_reason = reason.map(Into::into),
            Requested => {}
        }
        row.status = status.as_str().into();
        row.version += 1;
        row.updated_at = at;
        events.push(EventRow {
            id: rng.id_at(at),
            activation_id: row.id.clone(),
            from_status: Some(from),
            to_status: row.status.clone(),
            professional_id: row.professional_id.clone(),
            actor_id: actor.into(),
            reason: reason.map(Into::into),
            occurred_at: at,
        });
    }
    Ok(Activation { activation: row, events })
}

const DECLINED: &str = "Non disponibile nella data richiesta";

fn sector_for(needs: &[Need]) -> Sector {
    match needs.first() {
        Some(Need::ResidencePermit | Need::Asylum | Need::LegalAdvice | Need::Citizenship) => Sector::Legal,
        Some(Need::FamilyReunification | Need::Documents) => Sector::Legal,
        Some(Need::Employment | Need::IncomeSupport) => Sector::Labour,
        Some(Need::Health) => Sector::Health,
        Some(Need::Education | Need::LanguageCourse) => Sector::School,
        Some(Need::Housing) => Sector::Housing,
        Some(Need::Childcare | Need::Other) | None => Sector::Family,
    }
}

fn place_for(sector: Sector) -> &'static str {
    match sector {
        Sector::Legal => "Sportello Stranieri – Comune di Crema",
        Sector::Labour => "Centro per l'Impiego di Crema",
        Sector::Health => "ASST di Crema – consultorio familiare",
        Sector::School => "Istituto comprensivo di Crema",
        Sector::Housing => "Servizi sociali del Comune di Crema",
        Sector::Family => "Servizi sociali del Comune di Crema",
    }
}

/// The case an activation is for, and who asks.
pub struct ForCase<'a> {
    pub person: &'a Person,
    pub needs: &'a [Need],
    pub case_id: &'a str,
    pub organization_id: &'a str,
    pub requester: &'a str,
}

/// A mediator (or interpreter, or lawyer) for the case's person, in their language, requested at `at`;
/// a `recent` request may still be unanswered.
pub fn for_case(
    rng: &mut Rng,
    net: &Network,
    case: &ForCase,
    at: NaiveDateTime,
    recent: bool,
    now: NaiveDateTime,
) -> Result<Activation> {
    let (person, needs) = (case.person, case.needs);
    let sector = sector_for(needs);
    let language =
        person.languages.iter().copied().find(|l| *l != "it").unwrap_or(person.country.languages[0]);
    let (kind, language) = kind_for(rng, net, language, sector);
    let r = Request {
        organization_id: case.organization_id,
        requester: case.requester,
        case_id: Some(case.case_id),
        person_name: None,
        kind,
        language,
        sector,
        place: place_for(sector).into(),
        municipality: "Crema",
        requested_at: at,
        may_be_overdue: recent,
    };
    request(rng, net, r, now)
}

/// A municipal social worker's interview with someone who has no case at the desks: the district asks
/// for a mediator.
pub fn interview(rng: &mut Rng, net: &Network, now: NaiveDateTime) -> Result<Activation> {
    let country = people::country(rng);
    let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
    let name = format!("{} {}", people::given_name(rng, country, sex), people::family_name(rng, country));
    let municipality = MUNICIPALITIES[rng.below(MUNICIPALITIES.len())].0;
    let day = now.date() - Duration::days(rng.range(3, DAYS - 3));
    let at = in_office(rng, local(day, 8 * 60), 0, 4).min(now - Duration::hours(1));
    let sector = *rng.pick(&[Sector::Family, Sector::School, Sector::Health]);
    let language = country.languages[0];
    let (kind, language) = kind_for(rng, net, language, sector);
    let r = Request {
        organization_id: net.organization(data::CSC)?,
        requester: net.user("demo.ambito")?,
        case_id: None,
        person_name: Some(name),
        kind,
        language,
        sector,
        place: format!("Servizio sociale del Comune di {municipality}"),
        municipality,
        requested_at: at,
        may_be_overdue: false,
    };
    request(rng, net, r, now)
}
