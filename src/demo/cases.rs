//! A few hundred case files over two years: each opened at a desk in its opening hours, with family,
//! interventions, consents, referrals and activations, and a status that follows from its story (closed,
//! still worked, or left without news for months).

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::activations::{self, Activation, ForCase};
use super::calendar::{at_desk, in_office, local};
use super::data::{self, CARITAS, COMUNE, MUNICIPALITIES, Slot};
use super::interventions::intervention;
use super::network::Network;
use super::people;
use super::referrals::{self, Sender, Sent};
use super::rng::Rng;
use super::{Counts, DAYS};
use crate::db::cases::CaseRow;
use crate::db::consents::ConsentRow;
use crate::db::family_members::FamilyMemberRow;
use crate::db::interventions::InterventionRow;
use crate::db::{self, DbConnection};
use crate::domain::Code;
use crate::domain::case::{CaseStatus, ClosureReason, Need, reference_code, reference_year};
use crate::domain::consent::ConsentPurpose;
use crate::error::Result;

pub const CASES: usize = 300;
const CASE_LESS_ACTIVATIONS: usize = 10;

/// Where and when a case is opened.
struct Opening {
    at: NaiveDateTime,
    organization: &'static str,
    municipality: &'static str,
}

fn hours_of(organization: &str) -> &'static [Slot] {
    if organization == COMUNE { &data::COMUNE_HOURS } else { &data::CARITAS_HOURS }
}

pub fn load(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &Network,
    now: NaiveDateTime,
    counts: &mut Counts,
) -> Result<()> {
    let today = now.date();
    let last_moment = now - Duration::hours(1);
    let mut openings: Vec<Opening> = (0..CASES)
        .map(|i| {
            let organization = if rng.chance(0.55) { COMUNE } else { CARITAS };
            // Half evenly over the two years, half growing towards today: the desks get busier.
            let x = if rng.chance(0.5) { rng.unit() } else { 1.0 - rng.unit().sqrt() };
            let day = today - Duration::days(1 + (x * (DAYS - 1) as f64) as i64);
            // Every municipality of the district has someone; then mostly Crema and the larger towns.
            let municipality = match MUNICIPALITIES.get(i) {
                Some((name, _)) => *name,
                None => *rng.weighted(&MUNICIPALITIES),
            };
            Opening { at: at_desk(rng, hours_of(organization), day, last_moment), organization, municipality }
        })
        .collect();
    // Reference numbers count up in the order cases were opened.
    openings.sort_by_key(|o| o.at);
    for opening in &openings {
        case(c, rng, net, opening, now, counts)?;
    }
    for _ in 0..CASE_LESS_ACTIVATIONS {
        store_activation(c, &activations::interview(rng, net, now)?)?;
        counts.activations += 1;
    }
    Ok(())
}

/// Who opened the case and who works it.
fn staff(rng: &mut Rng, net: &Network, organization: &str) -> Result<(String, Option<String>, String)> {
    let (creator, assignee, coordinator) = if organization == COMUNE {
        let op = if rng.chance(0.5) { "demo.crema.op1" } else { "demo.crema.op2" };
        (op, rng.chance(0.85).then_some(op), "demo.crema.coord")
    } else {
        let op = if rng.chance(0.75) { "demo.caritas.op" } else { "demo.caritas.coord" };
        (op, rng.chance(0.9).then_some(op), "demo.caritas.coord")
    };
    Ok((
        net.user(creator)?.to_string(),
        assignee.map(|a| net.user(a).map(str::to_string)).transpose()?,
        net.user(coordinator)?.to_string(),
    ))
}

/// How a case goes: closed some time after opening, left without news for over 60 days (`quiet`), or
/// still being worked; `last_day` is the last day something was done for it.
struct Story {
    age: i64,
    closes: bool,
    quiet: bool,
    last_day: NaiveDate,
}

impl Story {
    fn draw(rng: &mut Rng, opened: NaiveDate, today: NaiveDate) -> Story {
        let age = (today - opened).num_days();
        let closes = age > 20 && rng.chance((0.1 + 0.65 * age as f64 / DAYS as f64).min(0.8));
        let quiet = !closes && age > 90 && rng.chance(0.3);
        let last_day = if closes {
            opened + Duration::days(rng.range(14, (age - 2).clamp(15, 420)))
        } else if quiet {
            today - Duration::days(rng.range(61, (age - 10).clamp(62, 240)))
        } else {
            today
        };
        Story { age, closes, quiet, last_day }
    }

    fn live(&self) -> bool {
        !self.closes && !self.quiet
    }

    /// When the desk saw the person: the intake, visits until the last day, and a recent one for a live case.
    fn visits(
        &self,
        rng: &mut Rng,
        hours: &[Slot],
        opened: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Vec<NaiveDateTime> {
        let until = local(self.last_day, 23 * 60).min(now - Duration::hours(1));
        let mut moments = vec![opened];
        for _ in 0..rng.range(2, 5) {
            let day =
                opened.date() + Duration::days(rng.range(0, (self.last_day - opened.date()).num_days()));
            moments.push(at_desk(rng, hours, day, until).max(opened + Duration::minutes(10)));
        }
        if self.live() && self.age > 45 {
            let day = now.date() - Duration::days(rng.range(0, 44));
            moments.push(at_desk(rng, hours, day, until).max(opened + Duration::minutes(10)));
        }
        moments.sort();
        moments
    }

    /// The status the story leads to, with the closure reason of a closed case.
    fn status(&self, rng: &mut Rng, closed: bool) -> (CaseStatus, Option<ClosureReason>) {
        use CaseStatus::*;
        let status = match closed {
            true => Closed,
            false if self.quiet => *rng.weighted(&[(Suspended, 4), (Active, 4), (Open, 2)]),
            false if self.age < 21 => *rng.weighted(&[(Open, 6), (Active, 4)]),
            false => *rng.weighted(&[(Active, 75), (Suspended, 10), (Open, 15)]),
        };
        let reason = closed.then(|| {
            *rng.weighted(&[
                (ClosureReason::GoalsAchieved, 40),
                (ClosureReason::ReferredElsewhere, 15),
                (ClosureReason::MovedAway, 15),
                (ClosureReason::LostContact, 15),
                (ClosureReason::WithdrawnByPerson, 5),
                (ClosureReason::Other, 10),
            ])
        });
        (status, reason)
    }
}

/// A case and everything recorded for it, ready to store.
struct CaseFile {
    row: CaseRow,
    family: Vec<FamilyMemberRow>,
    interventions: Vec<InterventionRow>,
    consents: Vec<ConsentRow>,
    referrals: Vec<Sent>,
    activations: Vec<Activation>,
}

impl CaseFile {
    fn store(&self, c: &mut DbConnection, counts: &mut Counts) -> Result<()> {
        db::cases::insert(c, &self.row)?;
        for member in &self.family {
            db::family_members::insert(c, member)?;
        }
        for intervention in &self.interventions {
            db::interventions::insert(c, intervention)?;
        }
        for consent in &self.consents {
            db::consents::insert(c, consent)?;
        }
        for s in &self.referrals {
            db::referrals::insert(c, &s.referral)?;
            for event in &s.events {
                db::referrals::insert_event(c, event)?;
            }
        }
        for a in &self.activations {
            store_activation(c, a)?;
        }
        counts.cases += 1;
        counts.family_members += self.family.len();
        counts.interventions += self.interventions.len();
        counts.consents += self.consents.len();
        counts.referrals += self.referrals.len();
        counts.activations += self.activations.len();
        Ok(())
    }
}

fn case(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &Network,
    opening: &Opening,
    now: NaiveDateTime,
    counts: &mut Counts,
) -> Result<()> {
    let (today, opened, hours) = (now.date(), opening.at, hours_of(opening.organization));
    let organization_id = net.organization(opening.organization)?.to_string();
    let (creator, assignee, coordinator) = staff(rng, net, opening.organization)?;
    let worker = assignee.clone().unwrap_or_else(|| creator.clone());
    let person = people::person(rng, opened, today);
    let case_id = rng.id_at(opened);
    let family = people::family(rng, &person, &case_id, &creator, opened);
    let needs = people::needs(rng, &person, today, people::has_minor(&family, opened.date()));
    let story = Story::draw(rng, opened.date(), today);
    let moments = story.visits(rng, hours, opened, now);
    let interventions: Vec<InterventionRow> = moments
        .iter()
        .enumerate()
        .map(|(i, at)| intervention(rng, &case_id, &organization_id, &worker, &needs, i, *at))
        .collect();

    let mut consents = vec![processing_consent(rng, &case_id, &creator, opened)];
    let sender = Sender {
        case_id: &case_id,
        organization: opening.organization,
        organization_id: &organization_id,
        worker: &worker,
        coordinator: &coordinator,
        closing: story.closes,
    };
    let mut network_consent = None;
    let mut sent = Vec::new();
    for _ in 0..*rng.weighted(&[(0, 35), (1, 37), (2, 20), (3, 8)]) {
        let need = *rng.pick(&needs);
        let at = *rng.pick(&moments) + Duration::minutes(rng.range(15, 60));
        let referral = referrals::refer(rng, net, &sender, need, at, now, &mut network_consent)?;
        consents.extend(referral.consent.clone());
        sent.push(referral);
    }
    let mut requested = Vec::new();
    let for_case = ForCase {
        person: &person,
        needs: &needs,
        case_id: &case_id,
        organization_id: &organization_id,
        requester: &worker,
    };
    for _ in 0..*rng.weighted(&[(0, 64), (1, 28), (2, 8)]) {
        let at = *rng.pick(&moments) + Duration::minutes(rng.range(20, 90));
        requested.push(activations::for_case(rng, net, &for_case, at, false, now)?);
    }
    if story.live() && rng.chance(0.18) {
        // A recent request: still within its deadline, or overdue.
        let ago = Duration::hours(rng.range(30, 9 * 24));
        let at = in_office(rng, now - ago, 0, 0).min(now - Duration::hours(1));
        requested.push(activations::for_case(rng, net, &for_case, at, true, now)?);
    }

    // A case closes once its referrals have; until they do, it stays open and is worked.
    let mut closed_at = None;
    if story.closes && sent.iter().all(|s| s.referral.closed_at.is_some()) {
        let latest = moments
            .iter()
            .copied()
            .chain(sent.iter().filter_map(|s| s.referral.closed_at))
            .chain(requested.iter().map(|r| r.activation.updated_at))
            .max()
            .unwrap_or(opened);
        let day = (latest + Duration::days(rng.range(1, 10))).date();
        let at = at_desk(rng, hours, day, now - Duration::hours(1)).max(latest + Duration::hours(1));
        closed_at = (at < now - Duration::hours(1)).then_some(at);
    }
    if let (Some(closed), Some(consent)) = (closed_at, network_consent.as_ref())
        && rng.chance(0.08)
    {
        let withdrawn = closed + Duration::days(rng.range(1, 30));
        if withdrawn < now
            && let Some(row) = consents.iter_mut().find(|k| k.id == consent.id)
        {
            row.withdrawn_at = Some(withdrawn);
            row.withdrawn_by = Some(worker.clone());
            row.withdrawal_note = Some("Revoca comunicata dalla persona".into());
            row.version = 2;
            row.updated_at = withdrawn;
        }
    }
    let (status, closure_reason) = story.status(rng, closed_at.is_some());
    let mut row = people::case_row(
        &person,
        &case_id,
        &organization_id,
        &creator,
        opening.at,
        opening.municipality,
        &needs,
    )?;
    row.assignee_id = assignee;
    row.desk_id = net.desks.get(opening.organization).cloned();
    row.status = status.as_str().into();
    row.closure_reason = closure_reason.map(|r| r.as_str().into());
    row.closed_at = closed_at;
    row.restricted_notes = (needs.contains(&Need::Health) && rng.chance(0.3))
        .then(|| "Situazione sanitaria seguita dal consultorio: dettagli solo per l'ente titolare".into());
    row.version = match status {
        CaseStatus::Open => 1,
        CaseStatus::Active => 2,
        CaseStatus::Suspended | CaseStatus::Closed => 3,
    };
    row.updated_at = closed_at.or(moments.last().copied()).unwrap_or(opened);
    let year = reference_year(opened);
    let number = db::cases::next_reference_number(c, &organization_id, year)?;
    row.reference_code = reference_code(opening.organization, year, number);
    let file = CaseFile { row, family, interventions, consents, referrals: sent, activations: requested };
    file.store(c, counts)
}

/// The consent to process the person's data, signed at intake.
fn processing_consent(rng: &mut Rng, case_id: &str, recorded_by: &str, at: NaiveDateTime) -> ConsentRow {
    ConsentRow {
        id: rng.id_at(at),
        case_id: case_id.into(),
        purpose: ConsentPurpose::DataProcessing.as_str().into(),
        provider_id: None,
        given_at: at,
        expires_on: None,
        evidence: Some("Informativa firmata all'apertura del fascicolo".into()),
        recorded_by: recorded_by.into(),
        withdrawn_at: None,
        withdrawn_by: None,
        withdrawal_note: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

fn store_activation(c: &mut DbConnection, a: &Activation) -> Result<()> {
    db::activations::insert(c, &a.activation)?;
    for event in &a.events {
        db::activations::insert_event(c, event)?;
    }
    Ok(())
}

/// The first day of the period the demo's cases span.
pub fn first_day(now: NaiveDateTime) -> NaiveDate {
    now.date() - Duration::days(DAYS)
}
