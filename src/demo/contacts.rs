//! The front office of the demo desks: on each opening day a few people ask for information, most of whom
//! never get a case file, so that the contact lists and their statistics show two years of work.

use chrono::{Datelike, Duration, NaiveDateTime};

use super::calendar;
use super::data::{self, COUNTRIES, DESKS};
use super::network::Network;
use super::rng::Rng;
use crate::db::{DbConnection, contacts::ContactRow};
use crate::domain::Code;
use crate::domain::contact::{AgeBand, ContactChannel, ContactTopic};
use crate::domain::role::Role;
use crate::error::{Error, Result};

/// Loads the contacts of every demo desk from `since` to `now`; returns how many.
pub fn load(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &Network,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<usize> {
    let mut count = 0;
    for desk in &DESKS {
        let desk_id = net
            .desks
            .get(desk.organization)
            .ok_or_else(|| Error::internal("demo desk", desk.organization))?;
        let organization_id = net
            .organizations
            .get(desk.organization)
            .ok_or_else(|| Error::internal("demo organization", desk.organization))?;
        let operators: Vec<&String> = data::USERS
            .iter()
            .filter(|u| u.organization == desk.organization && u.role == Role::Operator)
            .filter_map(|u| net.users.get(u.username))
            .collect();
        let mut day = since.date();
        while day < now.date() {
            let weekday = day.weekday().number_from_monday() as u8;
            if desk.hours.iter().any(|(d, _, _)| *d == weekday) {
                for _ in 0..rng.range(0, 3) {
                    let at = calendar::at_desk(rng, desk.hours, day, now);
                    let operator = (*rng.pick(&operators)).clone();
                    let row = contact(rng, net, desk_id, organization_id, &operator, at);
                    crate::db::contacts::insert(c, &row)?;
                    count += 1;
                }
            }
            day += Duration::days(1);
        }
    }
    Ok(count)
}

fn contact(
    rng: &mut Rng,
    net: &Network,
    desk_id: &str,
    organization_id: &str,
    operator: &str,
    at: NaiveDateTime,
) -> ContactRow {
    use ContactTopic::*;
    let topics = [
        (ResidencePermit, 30),
        (Work, 14),
        (Citizenship, 10),
        (FamilyReunification, 8),
        (Housing, 10),
        (Health, 8),
        (School, 6),
        (LanguageCourse, 8),
        (Legal, 4),
        (Other, 2),
    ];
    let mut chosen = vec![*rng.weighted(&topics)];
    if rng.chance(0.3) {
        chosen.push(*rng.weighted(&topics));
    }
    let channel = *rng.weighted(&[
        (ContactChannel::InPerson, 6),
        (ContactChannel::Phone, 3),
        (ContactChannel::Email, 1),
    ]);
    let country = rng.weighted(&COUNTRIES.map(|c| (c.code, c.weight))).to_string();
    let band = *rng.weighted(&[
        (AgeBand::From18To24, 3),
        (AgeBand::From25To34, 6),
        (AgeBand::From35To44, 5),
        (AgeBand::From45To54, 3),
        (AgeBand::From55To64, 1),
        (AgeBand::From65, 1),
    ]);
    let provider = rng.chance(0.35).then(|| rng.pick(&net.providers).id.clone());
    let orientation = provider
        .as_ref()
        .map(|_| "Indirizzato all'ufficio competente con i documenti da portare".to_string());
    ContactRow {
        id: rng.id_at(at),
        organization_id: organization_id.into(),
        desk_id: desk_id.into(),
        operator_id: operator.into(),
        occurred_at: at,
        channel: channel.as_str().into(),
        case_id: None,
        opened_case_at: None,
        sex: Some(if rng.chance(0.5) { "female" } else { "male" }.into()),
        age_band: rng.chance(0.8).then(|| band.as_str().into()),
        citizenship: rng.chance(0.9).then_some(country),
        topics: crate::api::v1::contacts::dto::topics_json(&chosen),
        answer: answer(chosen[0]).into(),
        provider_id: provider,
        orientation,
        created_by: operator.into(),
        deleted_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

fn answer(topic: ContactTopic) -> &'static str {
    use ContactTopic::*;
    match topic {
        ResidencePermit => "Spiegato il kit postale per il rinnovo e i documenti da allegare",
        Citizenship => "Requisiti, costi e tempi della domanda di cittadinanza",
        FamilyReunification => {
            "Procedura di nulla osta al ricongiungimento e requisiti di alloggio e reddito"
        }
        Work => "Iscrizione al Centro per l'Impiego e offerte di lavoro della zona",
        Housing => "Orientamento alla ricerca della casa e ai bandi comunali",
        Health => "Iscrizione al Servizio Sanitario e scelta del medico di base",
        School => "Iscrizione scolastica dei figli e servizi di mensa e trasporto",
        LanguageCourse => "Calendario dei corsi di italiano del CPIA e iscrizione",
        Legal => "Appuntamento con il consulente legale dello sportello",
        Other => "Informazioni sugli orari e sui servizi dello sportello",
    }
}
