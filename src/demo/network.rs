//! The network the cases live in: organizations, desks with their opening hours, the provider directory,
//! the accounts, the registry of professionals and the protocol that binds them.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, NaiveTime};

use super::data::{self, DISTRICT, MUNICIPALITIES, Slot};
use super::rng::Rng;
use crate::db::desks::{DeskRow, OpeningHoursRow};
use crate::db::organizations::OrganizationRow;
use crate::db::professionals::ProfessionalRow;
use crate::db::protocols::{PartyRow, ProtocolRow};
use crate::db::providers::ProviderRow;
use crate::db::services::{LocationRow, Places, ScheduleRow, ServiceRow};
use crate::db::users::UserRow;
use crate::db::{self, DbConnection};
use crate::domain::professional::ProfessionalKind;
use crate::domain::provider::{area_keys, search_text};
use crate::domain::{Code, role::Role};
use crate::error::{Error, Result};

/// What the cases need to know about the network: ids by the names the demo data uses.
pub struct Network {
    /// Organization ids by code.
    pub organizations: HashMap<&'static str, String>,
    /// The desk of each desk-running organization, by its code.
    pub desks: HashMap<&'static str, String>,
    /// User ids by username.
    pub users: HashMap<String, String>,
    pub providers: Vec<Provider>,
    pub professionals: Vec<Professional>,
    pub services: usize,
    pub protocols: usize,
}

pub struct Provider {
    pub key: &'static str,
    pub id: String,
    pub service_id: String,
    /// The linked organization's code, when its staff answer in the API.
    pub organization: Option<&'static str>,
    pub organization_id: Option<String>,
}

pub struct Professional {
    pub id: String,
    pub kind: ProfessionalKind,
    pub languages: Vec<&'static str>,
    pub user_id: Option<String>,
    pub active: bool,
}

impl Network {
    pub fn organization(&self, code: &str) -> Result<&str> {
        self.organizations
            .get(code)
            .map(String::as_str)
            .ok_or_else(|| Error::internal("demo organization", code))
    }

    pub fn user(&self, username: &str) -> Result<&str> {
        self.users.get(username).map(String::as_str).ok_or_else(|| Error::internal("demo user", username))
    }

    pub fn provider(&self, key: &str) -> Result<&Provider> {
        self.providers.iter().find(|p| p.key == key).ok_or_else(|| Error::internal("demo provider", key))
    }
}

fn time(h: u32, m: u32) -> Result<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| Error::internal("demo opening hours", format!("{h}:{m}")))
}

fn all_municipalities() -> Vec<&'static str> {
    MUNICIPALITIES.iter().map(|(name, _)| *name).collect()
}

/// Loads the network as it stood at `since` (before the first case) and returns its ids.
pub fn load(
    c: &mut DbConnection,
    rng: &mut Rng,
    since: NaiveDateTime,
    password_hash: &str,
) -> Result<Network> {
    let mut net = Network {
        organizations: HashMap::new(),
        desks: HashMap::new(),
        users: HashMap::new(),
        providers: Vec::new(),
        professionals: Vec::new(),
        services: 0,
        protocols: 0,
    };
    for spec in &data::ORGANIZATIONS {
        let row = OrganizationRow {
            id: rng.id_at(since),
            name: spec.name.into(),
            kind: spec.kind.as_str().into(),
            code: spec.code.into(),
            tax_id: None,
            municipality: Some(spec.municipality.into()),
            district: spec.district.map(Into::into),
            address: None,
            email: None,
            phone: None,
            active: true,
            version: 1,
            created_at: since,
            updated_at: since,
            // The co-operative's plans wait for its coordinator's approval; the municipality's do not.
            plans_need_approval: spec.code == data::CARITAS,
        };
        db::organizations::insert(c, &row)?;
        net.organizations.insert(spec.code, row.id);
    }
    for spec in &data::DESKS {
        let id = rng.id_at(since);
        let hours = spec
            .hours
            .iter()
            .enumerate()
            .map(|(i, (weekday, (oh, om), (ch, cm)))| {
                Ok(OpeningHoursRow {
                    id: rng.id_at(since),
                    desk_id: id.clone(),
                    position: i as i32,
                    weekday: i32::from(*weekday),
                    opens: time(*oh, *om)?,
                    closes: time(*ch, *cm)?,
                    valid_from: None,
                    valid_to: None,
                    notes: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let desk = DeskRow {
            id: id.clone(),
            organization_id: net.organization(spec.organization)?.to_string(),
            name: spec.name.into(),
            address: Some(spec.address.into()),
            municipality: Some("Crema".into()),
            languages: db::to_json_text(&spec.languages)?,
            phone: None,
            email: None,
            notes: Some(spec.notes.into()),
            active: true,
            version: 1,
            created_at: since,
            updated_at: since,
            appointment_minutes: 30,
        };
        db::desks::insert(c, &desk, &hours)?;
        net.desks.insert(spec.organization, id);
    }
    for spec in &data::USERS {
        let account = Account {
            username: spec.username,
            role: spec.role,
            organization: spec.organization,
            display_name: spec.display_name,
        };
        insert_user(c, rng, &mut net, since, password_hash, account)?;
    }
    load_providers(c, rng, &mut net, since)?;
    load_registry(c, rng, &mut net, since, password_hash)?;
    load_protocol(c, rng, &mut net, since)?;
    Ok(net)
}

struct Account<'a> {
    username: &'a str,
    role: Role,
    organization: &'a str,
    display_name: &'a str,
}

fn insert_user(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &mut Network,
    since: NaiveDateTime,
    password_hash: &str,
    a: Account,
) -> Result<String> {
    let organization = net.organization(a.organization)?;
    let mut row = UserRow::new(organization, a.username, a.display_name, None, a.role, password_hash.into());
    row.id = rng.id_at(since);
    row.created_at = since;
    row.updated_at = since;
    db::users::insert(c, &row)?;
    net.users.insert(row.username, row.id.clone());
    Ok(row.id)
}

fn load_providers(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &mut Network,
    since: NaiveDateTime,
) -> Result<()> {
    let area = all_municipalities();
    for spec in &data::PROVIDERS {
        let organization_id =
            spec.organization.map(|code| net.organization(code).map(str::to_string)).transpose()?;
        let provider = ProviderRow {
            id: rng.id_at(since),
            name: spec.name.into(),
            category: spec.category.as_str().into(),
            description: Some(spec.service.into()),
            organization_id: organization_id.clone(),
            email: None,
            phone: None,
            website: None,
            active: true,
            version: 1,
            created_at: since,
            updated_at: since,
        };
        db::providers::insert(c, &provider)?;
        let service_id = rng.id_at(since);
        let places = places(rng, &service_id, spec.municipality, spec.hours, since)?;
        let description = format!("{} ({}).", spec.service, spec.name);
        let service = ServiceRow {
            id: service_id.clone(),
            provider_id: provider.id.clone(),
            name: spec.service.into(),
            needs: db::to_json_text(&spec.needs)?,
            languages: db::to_json_text(&spec.languages)?,
            area_municipalities: db::to_json_text(&area)?,
            area_district: Some(DISTRICT.into()),
            eligibility: Some("Cittadini stranieri residenti o domiciliati nell'Ambito Cremasco".into()),
            min_age: None,
            max_age: None,
            fees: Some("Gratuito".into()),
            how_to_apply: Some("Su invio dello sportello, o su appuntamento negli orari indicati".into()),
            email: None,
            phone: None,
            search_text: search_text(spec.name, spec.service, Some(&description)),
            area_keys: area_keys(area.iter().copied().chain([spec.municipality]), Some(DISTRICT)),
            description: Some(description),
            active: true,
            deleted_at: None,
            version: 1,
            created_at: since,
            updated_at: since,
        };
        db::services::insert(c, &service, &places)?;
        net.services += 1;
        net.providers.push(Provider {
            key: spec.key,
            id: provider.id,
            service_id,
            organization: spec.organization,
            organization_id,
        });
    }
    Ok(())
}

/// One location in `municipality`, open in the given weekly slots.
fn places(
    rng: &mut Rng,
    service_id: &str,
    municipality: &str,
    hours: &[Slot],
    since: NaiveDateTime,
) -> Result<Places> {
    let location_id = rng.id_at(since);
    let mut schedules = Vec::with_capacity(hours.len());
    for (i, (weekday, (oh, om), (ch, cm))) in hours.iter().enumerate() {
        schedules.push(ScheduleRow {
            id: rng.id_at(since),
            location_id: location_id.clone(),
            service_id: service_id.into(),
            position: i as i32,
            weekday: i32::from(*weekday),
            opens: time(*oh, *om)?,
            closes: time(*ch, *cm)?,
            valid_from: None,
            valid_to: None,
            notes: None,
        });
    }
    let location = LocationRow {
        id: location_id,
        service_id: service_id.into(),
        position: 0,
        name: format!("Sede di {municipality}"),
        address: None,
        municipality: Some(municipality.into()),
        notes: None,
    };
    Ok(Places { locations: vec![location], schedules })
}

/// The registry, held by the district; every active entry has its own `professional` account.
fn load_registry(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &mut Network,
    since: NaiveDateTime,
    password_hash: &str,
) -> Result<()> {
    let registry = net.organization(data::CSC)?.to_string();
    let everywhere = all_municipalities();
    let near_crema = ["Crema", "Castelleone", "Soncino", "Pandino", "Rivolta d'Adda", "Spino d'Adda"];
    for (i, spec) in data::PROFESSIONALS.iter().enumerate() {
        let user_id = if spec.active {
            let username = data::professional_username(i, spec.registry_number);
            let name = format!("{} {}", spec.given_name, spec.family_name);
            let account = Account {
                username: &username,
                role: Role::Professional,
                organization: data::CSC,
                display_name: &name,
            };
            Some(insert_user(c, rng, net, since, password_hash, account)?)
        } else {
            None
        };
        let languages: Vec<serde_json::Value> = spec
            .languages
            .iter()
            .map(|(code, level)| serde_json::json!({"code": code, "level": level}))
            .collect();
        let codes: Vec<&'static str> = spec.languages.iter().map(|(code, _)| *code).collect();
        let area: Vec<&str> = if matches!(spec.kind, ProfessionalKind::Lawyer) {
            near_crema.to_vec()
        } else {
            everywhere.clone()
        };
        let row = ProfessionalRow {
            id: rng.id_at(since),
            registry_organization_id: registry.clone(),
            kind: spec.kind.as_str().into(),
            given_name: spec.given_name.into(),
            family_name: spec.family_name.into(),
            languages: db::to_json_text(&languages)?,
            language_keys: format!("|{}|", codes.join("|")),
            sectors: db::to_json_text(&spec.sectors)?,
            area_municipalities: db::to_json_text(&area)?,
            area_district: Some(DISTRICT.into()),
            area_keys: area_keys(area.iter().copied(), Some(DISTRICT)),
            employer_organization_id: None,
            email: None,
            phone: None,
            availability: Some("Giorni feriali, con almeno 24 ore di preavviso".into()),
            registry_number: Some(spec.registry_number.into()),
            active: spec.active,
            user_id: user_id.clone(),
            version: 1,
            created_at: since,
            updated_at: since,
        };
        db::professionals::insert(c, &row)?;
        net.professionals.push(Professional {
            id: row.id,
            kind: spec.kind,
            languages: codes,
            user_id,
            active: spec.active,
        });
    }
    Ok(())
}

/// The memorandum of understanding of the district's network.
fn load_protocol(c: &mut DbConnection, rng: &mut Rng, net: &mut Network, since: NaiveDateTime) -> Result<()> {
    let protocol = ProtocolRow {
        id: rng.id_at(since),
        title: "Protocollo d'intesa per la rete dei servizi ai cittadini stranieri dell'Ambito Cremasco"
            .into(),
        signed_on: Some(since.date()),
        valid_from: since.date(),
        valid_to: Some(since.date() + Duration::days(3 * 365)),
        document_ref: None,
        notes: Some(
            "Accesso unico, scheda di presa in carico condivisa, invii tracciati tra gli enti.".into(),
        ),
        created_by: net.user("demo.ambito")?.to_string(),
        version: 1,
        created_at: since,
        updated_at: since,
    };
    let mut parties = Vec::new();
    for code in [data::CSC, data::COMUNE, data::CARITAS, "DEMO-QUESTURA", "DEMO-PREFETTURA", "DEMO-ASST"] {
        parties.push((Some(net.organization(code)?.to_string()), None));
    }
    for key in ["acli", "legale"] {
        parties.push((None, Some(net.provider(key)?.id.clone())));
    }
    let parties: Vec<PartyRow> = parties
        .into_iter()
        .enumerate()
        .map(|(i, (organization_id, provider_id))| PartyRow {
            id: rng.id_at(since),
            protocol_id: protocol.id.clone(),
            position: i as i32,
            organization_id,
            provider_id,
        })
        .collect();
    db::protocols::insert(c, &protocol, &parties)?;
    net.protocols += 1;
    Ok(())
}
