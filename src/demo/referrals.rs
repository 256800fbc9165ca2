//! Referrals to the network's providers, each covered by a consent (or a coordinator's override), walked
//! through the FHIR Task lifecycle with times an office would take: the loop closes, or stalls and shows
//! up in the overdue worklist.

use chrono::{Duration, NaiveDateTime};

use super::calendar::in_office;
use super::data::{self, referral_targets};
use super::network::{Network, Provider};
use super::rng::Rng;
use crate::db::consents::ConsentRow;
use crate::db::referrals::{EventRow, ReferralRow};
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::consent::ConsentPurpose;
use crate::domain::referral::{ReferralStatus, Urgency};
use crate::error::Result;

/// The sending side of a referral: the case and who works it.
pub struct Sender<'a> {
    pub case_id: &'a str,
    pub organization: &'static str,
    pub organization_id: &'a str,
    pub worker: &'a str,
    pub coordinator: &'a str,
    /// The case is to be closed: its referrals never stall and are never left as drafts.
    pub closing: bool,
}

pub struct Sent {
    pub referral: ReferralRow,
    pub events: Vec<EventRow>,
    /// A consent recorded for this referral, to be stored before it.
    pub consent: Option<ConsentRow>,
}

/// Refers the case for `need` at `at`. `network_consent` is the case's consent to share with the network,
/// reused while in force and replaced when a new one is recorded.
pub fn refer(
    rng: &mut Rng,
    net: &Network,
    from: &Sender,
    need: Need,
    at: NaiveDateTime,
    now: NaiveDateTime,
    network_consent: &mut Option<ConsentRow>,
) -> Result<Sent> {
    let must_close = from.closing;
    let targets: Vec<(&str, u32)> = referral_targets(need)
        .iter()
        .filter(|(key, _)| net.provider(key).is_ok_and(|p| p.organization != Some(from.organization)))
        .copied()
        .collect();
    let key = if targets.is_empty() { "inca" } else { rng.weighted::<&str>(&targets) };
    let provider = net.provider(key)?;
    let urgent =
        (matches!(need, Need::Health | Need::Asylum | Need::Housing) && rng.chance(0.3)) || rng.chance(0.08);
    let (consent_id, new_consent, created_by) = if rng.chance(0.04) {
        (None, None, from.coordinator)
    } else {
        let (id, new) = covering_consent(rng, from, provider, at, network_consent);
        (Some(id), new, from.worker)
    };
    let overridden = consent_id.is_none();
    let draft = !must_close && at > now - Duration::days(10) && rng.chance(0.2);
    let (outcome, stalls) = if draft { (Vec::new(), false) } else { outcome(rng, must_close) };
    let mut steps = vec![(if draft { ReferralStatus::Draft } else { ReferralStatus::Requested }, at, None)];
    for (status, reason) in outcome {
        let Some(&(_, prev, _)) = steps.last() else { break };
        let t = next_time(rng, status, prev, urgent);
        if t > now - Duration::minutes(30) {
            break;
        }
        steps.push((status, t, reason));
    }
    let receiver_staff =
        provider.organization.and_then(data::receiving_staff).map(|u| net.user(u)).transpose()?;
    let receiver_org = provider.organization_id.as_deref();
    let mut events = Vec::with_capacity(steps.len());
    let mut previous: Option<ReferralStatus> = None;
    let id = rng.id_at(at);
    for &(status, t, reason) in &steps {
        // The sender sends and cancels; the provider's staff answer, or the sender records the answers of an
        // external provider.
        let by_sender =
            matches!(status, ReferralStatus::Draft | ReferralStatus::Requested | ReferralStatus::Cancelled);
        let (actor, actor_org) = match (by_sender, receiver_staff, receiver_org) {
            (false, Some(staff), Some(org)) => (staff, org),
            _ => (created_by, from.organization_id),
        };
        events.push(EventRow {
            id: rng.id_at(t),
            referral_id: id.clone(),
            from_status: previous.map(|s| s.as_str().to_string()),
            to_status: status.as_str().into(),
            actor_id: actor.into(),
            actor_organization_id: actor_org.into(),
            reason: reason.map(Into::into),
            note: None,
            occurred_at: t,
        });
        previous = Some(status);
    }
    let (last, last_at, last_reason) = steps[steps.len() - 1];
    let due_days = if urgent { 7 } else { 30 };
    let referral = ReferralRow {
        id,
        case_id: from.case_id.into(),
        sender_organization_id: from.organization_id.into(),
        created_by: created_by.into(),
        provider_id: provider.id.clone(),
        service_id: Some(provider.service_id.clone()),
        receiving_organization_id: provider.organization_id.clone(),
        need: need.as_str().into(),
        urgency: (if urgent { Urgency::Urgent } else { Urgency::Routine }).as_str().into(),
        reason: reason_for(need).into(),
        due_on: (stalls || rng.chance(0.75)).then(|| at.date() + Duration::days(due_days)),
        consent_id,
        consent_override_reason: overridden
            .then(|| "Urgenza: consenso raccolto a voce, da formalizzare al prossimo colloquio".into()),
        status: last.as_str().into(),
        status_reason: last_reason.map(Into::into),
        requested_at: steps.iter().find(|(s, _, _)| *s == ReferralStatus::Requested).map(|(_, t, _)| *t),
        answered_at: steps.iter().find(|(s, _, _)| s.is_answer()).map(|(_, t, _)| *t),
        closed_at: (!last.is_open()).then_some(last_at),
        version: steps.len() as i64,
        created_at: at,
        updated_at: last_at,
    };
    Ok(Sent { referral, events, consent: new_consent })
}

/// A consent in force at `at` that covers the provider: the case's network consent, or a new one.
fn covering_consent(
    rng: &mut Rng,
    from: &Sender,
    provider: &Provider,
    at: NaiveDateTime,
    network_consent: &mut Option<ConsentRow>,
) -> (String, Option<ConsentRow>) {
    if let Some(existing) = network_consent.as_ref()
        && existing.expires_on.is_none_or(|day| day >= at.date())
    {
        return (existing.id.clone(), None);
    }
    let given_at = at - Duration::minutes(5);
    let per_provider = rng.chance(0.3);
    let consent = ConsentRow {
        id: rng.id_at(given_at),
        case_id: from.case_id.into(),
        purpose: (if per_provider {
            ConsentPurpose::ProviderSharing
        } else {
            ConsentPurpose::NetworkSharing
        })
        .as_str()
        .into(),
        provider_id: per_provider.then(|| provider.id.clone()),
        given_at,
        expires_on: (!per_provider && rng.chance(0.5)).then(|| given_at.date() + Duration::days(365)),
        evidence: Some("Modulo firmato, conservato nel fascicolo".into()),
        recorded_by: from.worker.into(),
        withdrawn_at: None,
        withdrawn_by: None,
        withdrawal_note: None,
        version: 1,
        created_at: given_at,
        updated_at: given_at,
    };
    if !per_provider {
        *network_consent = Some(consent.clone());
    }
    (consent.id.clone(), Some(consent))
}

type Step = (ReferralStatus, Option<&'static str>);

/// How the provider's side goes, and whether it stalls (left open: overdue once its due day passes).
fn outcome(rng: &mut Rng, must_close: bool) -> (Vec<Step>, bool) {
    use ReferralStatus::*;
    let received = (Received, None);
    let accepted = [received, (Accepted, None), (InProgress, None)];
    let draw = rng.unit();
    let steps: Vec<Step> = if draw < 0.10 {
        let why = *rng.pick(&[
            "Documentazione incompleta: serve il passaporto in corso di validità",
            "Non di competenza dell'ufficio: rivolgersi al Comune di residenza",
        ]);
        vec![received, (Rejected, Some(why))]
    } else if draw < 0.15 {
        vec![(Cancelled, Some("La persona ha risolto autonomamente"))]
    } else if draw < 0.21 {
        [&accepted[..], &[(Failed, Some("La persona non si è presentata agli appuntamenti fissati"))]]
            .concat()
    } else if draw < 0.33 && !must_close {
        let stop = *rng.pick(&[1usize, 2, 4]);
        let mut steps = accepted.to_vec();
        steps.push((OnHold, Some("In attesa di documenti dalla persona")));
        steps.truncate(stop);
        return (steps, true);
    } else {
        let mut steps = accepted.to_vec();
        if rng.chance(0.15) {
            steps.push((OnHold, Some("In attesa della documentazione richiesta")));
            steps.push((InProgress, None));
        }
        steps.push((Completed, None));
        steps
    };
    (steps, false)
}

/// When the next move happens after `prev`: offices answer in working hours, urgent requests sooner.
fn next_time(rng: &mut Rng, status: ReferralStatus, prev: NaiveDateTime, urgent: bool) -> NaiveDateTime {
    use ReferralStatus::*;
    let pace = |hours: i64| if urgent { (hours / 4).max(2) } else { hours };
    match status {
        Received => in_office(rng, prev, 1, pace(72)),
        Accepted | Rejected => in_office(rng, prev, 4, pace(10 * 24)),
        InProgress => in_office(rng, prev, 1, pace(7 * 24)),
        OnHold => in_office(rng, prev, 72, 20 * 24),
        Completed | Failed => in_office(rng, prev, 5 * 24, pace(60 * 24)),
        Cancelled => in_office(rng, prev, 48, 20 * 24),
        Draft | Requested => prev,
    }
}

fn reason_for(need: Need) -> &'static str {
    match need {
        Need::ResidencePermit => {
            "Rinnovo del permesso di soggiorno: verifica della documentazione e appuntamento"
        }
        Need::Citizenship => "Domanda di cittadinanza: requisiti e documenti",
        Need::FamilyReunification => "Richiesta di nulla osta per il ricongiungimento familiare",
        Need::Asylum => "Domanda di protezione internazionale: accompagnamento",
        Need::LegalAdvice => "Consulenza legale sulla situazione di soggiorno",
        Need::Employment => "Iscrizione e orientamento al lavoro",
        Need::Housing => "Ricerca di un alloggio e accompagnamento al contratto",
        Need::Health => "Iscrizione al Servizio Sanitario e scelta del medico",
        Need::Education => "Iscrizione scolastica dei figli",
        Need::LanguageCourse => "Iscrizione al corso di italiano per adulti",
        Need::IncomeSupport => "Sostegno economico e beni di prima necessità",
        Need::Documents => "Pratiche e documenti (INPS, anagrafe)",
        Need::Childcare => "Sostegno alla genitorialità e servizi per l'infanzia",
        Need::Other => "Altro bisogno segnalato allo sportello",
    }
}
