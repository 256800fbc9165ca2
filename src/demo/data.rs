//! The fixed facts of the demo network: the district's municipalities, the agencies and providers, the
//! registry, the accounts, and the names people are given. Every person is made up.

use crate::domain::case::Need;
use crate::domain::organization::OrganizationKind;
use crate::domain::professional::{LanguageLevel, ProfessionalKind, Sector};
use crate::domain::provider::ProviderCategory;
use crate::domain::role::Role;

/// The 48 municipalities of the Crema social-care district (Comunità Sociale Cremasca), with a weight for
/// how many of the demo's beneficiaries live there (roughly their foreign population).
pub const MUNICIPALITIES: [(&str, u32); 48] = [
    ("Agnadello", 4),
    ("Bagnolo Cremasco", 5),
    ("Camisano", 2),
    ("Campagnola Cremasca", 1),
    ("Capergnanica", 2),
    ("Capralba", 2),
    ("Casale Cremasco", 2),
    ("Casaletto Ceredano", 2),
    ("Casaletto di Sopra", 1),
    ("Casaletto Vaprio", 2),
    ("Castel Gabbiano", 1),
    ("Castelleone", 9),
    ("Chieve", 2),
    ("Credera-Rubbiano", 2),
    ("Crema", 120),
    ("Cremosano", 2),
    ("Cumignano sul Naviglio", 1),
    ("Dovera", 4),
    ("Fiesco", 1),
    ("Genivolta", 1),
    ("Gombito", 1),
    ("Izano", 2),
    ("Madignano", 3),
    ("Monte Cremasco", 2),
    ("Montodine", 3),
    ("Moscazzano", 1),
    ("Offanengo", 6),
    ("Palazzo Pignano", 3),
    ("Pandino", 9),
    ("Pianengo", 3),
    ("Pieranica", 1),
    ("Quintano", 1),
    ("Ricengo", 2),
    ("Ripalta Arpina", 1),
    ("Ripalta Cremasca", 3),
    ("Ripalta Guerina", 1),
    ("Rivolta d'Adda", 8),
    ("Romanengo", 3),
    ("Salvirola", 1),
    ("Sergnano", 4),
    ("Soncino", 8),
    ("Spino d'Adda", 7),
    ("Ticengo", 1),
    ("Torlino Vimercati", 1),
    ("Trescore Cremasco", 3),
    ("Trigolo", 1),
    ("Vaiano Cremasco", 4),
    ("Vailate", 5),
];

pub const DISTRICT: &str = "Crema";

/// Organization codes; every demo code starts with `DEMO-`, which is how the demo recognises its own data.
pub const CSC: &str = "DEMO-CSC";
pub const COMUNE: &str = "DEMO-CREMA";
pub const CARITAS: &str = "DEMO-CARITAS";

pub struct OrganizationSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: OrganizationKind,
    pub municipality: &'static str,
    pub district: Option<&'static str>,
}

pub const ORGANIZATIONS: [OrganizationSpec; 9] = [
    org(CSC, "Comunità Sociale Cremasca", OrganizationKind::SocialCareDistrict, "Crema"),
    org(COMUNE, "Comune di Crema", OrganizationKind::Municipality, "Crema"),
    org(
        CARITAS,
        "Caritas Diocesana e Cooperativa Servizi per l'Accoglienza",
        OrganizationKind::Charity,
        "Crema",
    ),
    OrganizationSpec {
        code: "DEMO-QUESTURA",
        name: "Questura di Cremona – Ufficio Immigrazione",
        kind: OrganizationKind::PoliceImmigrationOffice,
        municipality: "Cremona",
        district: None,
    },
    OrganizationSpec {
        code: "DEMO-PREFETTURA",
        name: "Prefettura di Cremona",
        kind: OrganizationKind::Prefecture,
        municipality: "Cremona",
        district: None,
    },
    org("DEMO-ASST", "ASST di Crema", OrganizationKind::HealthAuthority, "Crema"),
    org("DEMO-CPI", "Centro per l'Impiego di Crema", OrganizationKind::JobCentre, "Crema"),
    org("DEMO-SCUOLA", "CPIA e Ufficio Scolastico di Crema", OrganizationKind::SchoolOffice, "Crema"),
    org("DEMO-INCA", "Patronato INCA CGIL Crema", OrganizationKind::UnionPatronato, "Crema"),
];

const fn org(
    code: &'static str,
    name: &'static str,
    kind: OrganizationKind,
    municipality: &'static str,
) -> OrganizationSpec {
    OrganizationSpec { code, name, kind, municipality, district: Some(DISTRICT) }
}

/// A weekly slot in Italian local time: ISO weekday, opens and closes as (hour, minute).
pub type Slot = (u8, (u32, u32), (u32, u32));

/// The municipal desk opens on Wednesday 12–15 and Thursday 8:30–12 (as the seed's Cremona desk).
pub const COMUNE_HOURS: [Slot; 2] = [(3, (12, 0), (15, 0)), (4, (8, 30), (12, 0))];
/// The Caritas and co-operative desk opens Monday to Friday, 9–12.
pub const CARITAS_HOURS: [Slot; 5] = [
    (1, (9, 0), (12, 0)),
    (2, (9, 0), (12, 0)),
    (3, (9, 0), (12, 0)),
    (4, (9, 0), (12, 0)),
    (5, (9, 0), (12, 0)),
];

pub struct DeskSpec {
    pub organization: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub languages: &'static [&'static str],
    pub hours: &'static [Slot],
    pub notes: &'static str,
}

pub const DESKS: [DeskSpec; 2] = [
    DeskSpec {
        organization: COMUNE,
        name: "Sportello Stranieri – Comune di Crema",
        address: "Piazza Duomo, Crema",
        languages: &["it", "en", "fr"],
        hours: &COMUNE_HOURS,
        notes: "Accoglienza, informazioni e pratiche; presa in carico con i servizi sociali.",
    },
    DeskSpec {
        organization: CARITAS,
        name: "Servizio Immigrazione – Caritas e Cooperativa",
        address: "Viale Europa, Crema",
        languages: &["it", "en", "fr", "ar"],
        hours: &CARITAS_HOURS,
        notes: "Centro di ascolto, pronto intervento, accoglienza abitativa e alfabetizzazione.",
    },
];

/// A provider of the directory, with the one service it offers.
pub struct ProviderSpec {
    /// How the case generator names it.
    pub key: &'static str,
    pub name: &'static str,
    pub category: ProviderCategory,
    /// The code of the linked organization (its staff receive referrals in the API); `None` when external.
    pub organization: Option<&'static str>,
    pub service: &'static str,
    pub needs: &'static [Need],
    pub languages: &'static [&'static str],
    pub municipality: &'static str,
    pub hours: &'static [Slot],
}

const WEEKDAY_MORNINGS: [Slot; 5] = [
    (1, (9, 0), (12, 30)),
    (2, (9, 0), (12, 30)),
    (3, (9, 0), (12, 30)),
    (4, (9, 0), (12, 30)),
    (5, (9, 0), (12, 30)),
];

pub const PROVIDERS: [ProviderSpec; 14] = [
    ProviderSpec {
        key: "questura",
        name: "Questura di Cremona – Ufficio Immigrazione",
        category: ProviderCategory::PoliceImmigrationOffice,
        organization: Some("DEMO-QUESTURA"),
        service: "Rilascio e rinnovo del permesso di soggiorno",
        needs: &[Need::ResidencePermit, Need::Documents, Need::Asylum],
        languages: &["it", "en"],
        municipality: "Cremona",
        hours: &[(2, (9, 0), (12, 0)), (4, (9, 0), (12, 0)), (4, (14, 30), (16, 30))],
    },
    ProviderSpec {
        key: "prefettura",
        name: "Prefettura di Cremona – Sportello Unico per l'Immigrazione",
        category: ProviderCategory::Prefecture,
        organization: Some("DEMO-PREFETTURA"),
        service: "Ricongiungimento familiare e cittadinanza",
        needs: &[Need::FamilyReunification, Need::Citizenship],
        languages: &["it", "en"],
        municipality: "Cremona",
        hours: &[(1, (9, 0), (12, 0)), (3, (9, 0), (12, 0))],
    },
    ProviderSpec {
        key: "asst",
        name: "ASST di Crema – Ufficio scelta e revoca e consultorio",
        category: ProviderCategory::HealthAuthority,
        organization: Some("DEMO-ASST"),
        service: "Iscrizione al Servizio Sanitario, medico di base, consultorio familiare",
        needs: &[Need::Health, Need::Childcare],
        languages: &["it", "en", "fr"],
        municipality: "Crema",
        hours: &WEEKDAY_MORNINGS,
    },
    ProviderSpec {
        key: "cpi",
        name: "Centro per l'Impiego di Crema",
        category: ProviderCategory::JobCentre,
        organization: Some("DEMO-CPI"),
        service: "Iscrizione, orientamento al lavoro e tirocini",
        needs: &[Need::Employment],
        languages: &["it", "en"],
        municipality: "Crema",
        hours: &WEEKDAY_MORNINGS,
    },
    ProviderSpec {
        key: "scuola",
        name: "CPIA di Crema – Ufficio Scolastico",
        category: ProviderCategory::SchoolOffice,
        organization: Some("DEMO-SCUOLA"),
        service: "Corsi di italiano per adulti e iscrizioni scolastiche",
        needs: &[Need::LanguageCourse, Need::Education],
        languages: &["it"],
        municipality: "Crema",
        hours: &[(1, (14, 0), (17, 0)), (3, (14, 0), (17, 0))],
    },
    ProviderSpec {
        key: "inca",
        name: "Patronato INCA CGIL Crema",
        category: ProviderCategory::Patronato,
        organization: Some("DEMO-INCA"),
        service: "Kit postale per il permesso, cittadinanza, prestazioni INPS",
        needs: &[Need::ResidencePermit, Need::Citizenship, Need::IncomeSupport, Need::Documents],
        languages: &["it", "en", "fr"],
        municipality: "Crema",
        hours: &[(2, (9, 0), (12, 0)), (5, (9, 0), (12, 0))],
    },
    ProviderSpec {
        key: "inas",
        name: "Patronato INAS CISL Crema",
        category: ProviderCategory::Patronato,
        organization: None,
        service: "Pratiche di soggiorno e prestazioni sociali",
        needs: &[Need::ResidencePermit, Need::IncomeSupport, Need::Documents],
        languages: &["it"],
        municipality: "Crema",
        hours: &[(1, (9, 0), (12, 0)), (4, (9, 0), (12, 0))],
    },
    ProviderSpec {
        key: "cgil",
        name: "Camera del Lavoro di Crema – Ufficio vertenze",
        category: ProviderCategory::TradeUnion,
        organization: None,
        service: "Tutela del lavoro e vertenze",
        needs: &[Need::Employment, Need::LegalAdvice],
        languages: &["it", "en"],
        municipality: "Crema",
        hours: &[(3, (15, 0), (18, 0))],
    },
    ProviderSpec {
        key: "caritas",
        name: "Caritas Diocesana – Centro di Ascolto",
        category: ProviderCategory::Charity,
        organization: Some(CARITAS),
        service: "Ascolto, pacchi alimentari, guardaroba e accoglienza notturna",
        needs: &[Need::IncomeSupport, Need::Housing, Need::Other],
        languages: &["it", "en", "fr", "ar"],
        municipality: "Crema",
        hours: &CARITAS_HOURS,
    },
    ProviderSpec {
        key: "servizi_sociali",
        name: "Servizi sociali del Comune di Crema",
        category: ProviderCategory::MunicipalSocialServices,
        organization: Some(COMUNE),
        service: "Presa in carico sociale, contributi e tutela minori",
        needs: &[Need::IncomeSupport, Need::Housing, Need::Childcare],
        languages: &["it"],
        municipality: "Crema",
        hours: &[(1, (9, 0), (12, 0)), (4, (14, 0), (16, 0))],
    },
    ProviderSpec {
        key: "san_vincenzo",
        name: "Società di San Vincenzo de' Paoli – Crema",
        category: ProviderCategory::Charity,
        organization: None,
        service: "Sostegno economico e beni di prima necessità",
        needs: &[Need::IncomeSupport, Need::Other],
        languages: &["it"],
        municipality: "Crema",
        hours: &[(2, (15, 0), (17, 0))],
    },
    ProviderSpec {
        key: "acli",
        name: "ACLI Crema – Sportello casa",
        category: ProviderCategory::Other,
        organization: None,
        service: "Mediazione abitativa e accompagnamento al contratto d'affitto",
        needs: &[Need::Housing],
        languages: &["it", "en"],
        municipality: "Crema",
        hours: &[(2, (9, 0), (12, 0)), (4, (15, 0), (18, 0))],
    },
    ProviderSpec {
        key: "legale",
        name: "Sportello legale per i diritti dei migranti",
        category: ProviderCategory::LegalAid,
        organization: None,
        service: "Informazioni legali e umanitarie, protezione internazionale",
        needs: &[Need::LegalAdvice, Need::Asylum],
        languages: &["it", "en", "fr"],
        municipality: "Crema",
        hours: &[(4, (15, 0), (17, 0))],
    },
    ProviderSpec {
        key: "cas",
        name: "Centro di accoglienza straordinaria dell'ambito",
        category: ProviderCategory::ReceptionCentre,
        organization: None,
        service: "Accoglienza dei richiedenti asilo",
        needs: &[Need::Asylum, Need::Housing],
        languages: &["it", "en", "fr"],
        municipality: "Crema",
        hours: &[],
    },
];

/// Where a need is usually referred, by provider key and weight. The desk never refers to its own
/// organization: those candidates are skipped for its cases.
pub fn referral_targets(need: Need) -> &'static [(&'static str, u32)] {
    match need {
        Need::ResidencePermit => &[("questura", 5), ("inca", 3), ("inas", 2)],
        Need::Citizenship => &[("prefettura", 6), ("inca", 4)],
        Need::FamilyReunification => &[("prefettura", 8), ("inca", 2)],
        Need::Asylum => &[("legale", 5), ("questura", 3), ("cas", 2)],
        Need::LegalAdvice => &[("legale", 6), ("cgil", 4)],
        Need::Employment => &[("cpi", 7), ("cgil", 3)],
        Need::Housing => &[("acli", 4), ("servizi_sociali", 3), ("caritas", 3)],
        Need::Health => &[("asst", 1)],
        Need::Education => &[("scuola", 1)],
        Need::LanguageCourse => &[("scuola", 1)],
        Need::IncomeSupport => &[("servizi_sociali", 3), ("caritas", 3), ("san_vincenzo", 2), ("inca", 2)],
        Need::Documents => &[("inca", 1), ("inas", 1)],
        Need::Childcare => &[("asst", 1), ("servizi_sociali", 1)],
        Need::Other => &[("san_vincenzo", 1), ("caritas", 1)],
    }
}

/// A registry entry; the first one is the professional whose account the README names.
pub struct ProfessionalSpec {
    pub kind: ProfessionalKind,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub languages: &'static [(&'static str, LanguageLevel)],
    pub sectors: &'static [Sector],
    pub registry_number: &'static str,
    pub active: bool,
}

use LanguageLevel::{Basic, Fluent, Good, Native};
use ProfessionalKind::{InterculturalMediator as Mediator, Interpreter, Lawyer, LegalAdvisor};
use Sector::{Family, Health, Housing, Labour, Legal, School};

const fn pro(
    kind: ProfessionalKind,
    given_name: &'static str,
    family_name: &'static str,
    languages: &'static [(&'static str, LanguageLevel)],
    sectors: &'static [Sector],
    registry_number: &'static str,
) -> ProfessionalSpec {
    ProfessionalSpec { kind, given_name, family_name, languages, sectors, registry_number, active: true }
}

#[rustfmt::skip]
pub const PROFESSIONALS: [ProfessionalSpec; 21] = [
    pro(Mediator, "Samira", "El Fassi", &[("ar", Native), ("fr", Fluent), ("it", Fluent)], &[Health, Family, School], "MED-001"),
    pro(Mediator, "Arta", "Krasniqi", &[("sq", Native), ("it", Fluent)], &[Legal, School], "MED-002"),
    pro(Mediator, "Gurdeep", "Sandhu", &[("pa", Native), ("hi", Fluent), ("en", Good), ("it", Fluent)], &[Labour, Legal], "MED-003"),
    pro(Mediator, "Nasima", "Begum", &[("bn", Native), ("en", Fluent), ("it", Good)], &[Health, Family], "MED-004"),
    pro(Mediator, "Imran", "Qureshi", &[("ur", Native), ("pa", Good), ("en", Fluent), ("it", Fluent)], &[Legal, Labour], "MED-005"),
    pro(Mediator, "Fatou", "Ndour", &[("wo", Native), ("fr", Native), ("it", Fluent)], &[Health, School], "MED-006"),
    pro(Mediator, "Oksana", "Hnatiuk", &[("uk", Native), ("ru", Fluent), ("it", Fluent)], &[Health, Family], "MED-007"),
    pro(Mediator, "Lina", "Zheng", &[("zh", Native), ("it", Fluent)], &[School, Labour], "MED-008"),
    pro(Mediator, "Ioana", "Marinescu", &[("ro", Native), ("it", Fluent)], &[Labour, Health], "MED-009"),
    pro(Mediator, "Kofi", "Ansah", &[("tw", Native), ("en", Fluent), ("it", Good)], &[Labour, Legal], "MED-010"),
    pro(Mediator, "Hassan", "Mahmoud", &[("ar", Native), ("en", Good), ("it", Fluent)], &[Legal, Labour, Housing], "MED-011"),
    pro(Mediator, "Chiamaka", "Obi", &[("en", Native), ("ig", Native), ("yo", Basic), ("it", Good)], &[Health, Family], "MED-012"),
    pro(Mediator, "Mamadou", "Sy", &[("wo", Native), ("fr", Fluent), ("ff", Native), ("it", Good)], &[Legal, Housing], "MED-013"),
    pro(Interpreter, "Marta", "Colombo", &[("en", Fluent), ("fr", Fluent), ("es", Fluent), ("it", Native)], &[Legal, Health], "INT-001"),
    pro(Interpreter, "Yulia", "Petrenko", &[("uk", Native), ("ru", Native), ("it", Fluent)], &[Legal], "INT-002"),
    pro(Interpreter, "Ahmed", "Saidi", &[("ar", Native), ("fr", Native), ("it", Fluent)], &[Legal, Health], "INT-003"),
    pro(Interpreter, "Rosa", "Huamaní", &[("es", Native), ("qu", Good), ("it", Fluent)], &[Legal, Health], "INT-004"),
    pro(Lawyer, "Paolo", "Bertolini", &[("it", Native), ("en", Good), ("fr", Good)], &[Legal], "AVV-001"),
    pro(Lawyer, "Chiara", "Guerini", &[("it", Native), ("en", Fluent)], &[Legal, Labour], "AVV-002"),
    pro(LegalAdvisor, "Elisa", "Ferrari", &[("it", Native), ("en", Good), ("ar", Basic)], &[Legal, Housing, Family], "CON-001"),
    ProfessionalSpec {
        kind: Interpreter,
        given_name: "Tomasz",
        family_name: "Nowicki",
        languages: &[("pl", Native), ("it", Good)],
        sectors: &[Legal],
        registry_number: "INT-005",
        active: false,
    },
];

/// The demo accounts other than the professionals' (each registry entry has its own, see [`professional_username`]).
pub struct UserSpec {
    pub username: &'static str,
    pub role: Role,
    pub organization: &'static str,
    pub display_name: &'static str,
}

const fn user(
    username: &'static str,
    role: Role,
    organization: &'static str,
    display_name: &'static str,
) -> UserSpec {
    UserSpec { username, role, organization, display_name }
}

pub const USERS: [UserSpec; 13] = [
    user("demo.ambito", Role::Coordinator, CSC, "Coordinamento dell'Ambito Cremasco"),
    user("demo.analista", Role::Analyst, CSC, "Ufficio di Piano – analisi dati"),
    user("demo.crema.coord", Role::Coordinator, COMUNE, "Coordinatrice Sportello Stranieri"),
    user("demo.crema.op1", Role::Operator, COMUNE, "Operatrice Sportello Stranieri 1"),
    user("demo.crema.op2", Role::Operator, COMUNE, "Operatore Sportello Stranieri 2"),
    user("demo.caritas.coord", Role::Coordinator, CARITAS, "Coordinatore Servizio Immigrazione"),
    user("demo.caritas.op", Role::Operator, CARITAS, "Operatrice Servizio Immigrazione"),
    user("demo.questura", Role::ProviderStaff, "DEMO-QUESTURA", "Ufficio Immigrazione – front office"),
    user("demo.prefettura", Role::ProviderStaff, "DEMO-PREFETTURA", "Sportello Unico – istruttoria"),
    user("demo.asst", Role::ProviderStaff, "DEMO-ASST", "ASST – ufficio scelta e revoca"),
    user("demo.cpi", Role::ProviderStaff, "DEMO-CPI", "Centro per l'Impiego – accoglienza"),
    user("demo.scuola", Role::ProviderStaff, "DEMO-SCUOLA", "CPIA – segreteria"),
    user("demo.inca", Role::ProviderStaff, "DEMO-INCA", "Patronato INCA – sportello"),
];

/// Who answers referrals for a provider's linked organization: its provider staff, or else an operator.
pub fn receiving_staff(organization: &str) -> Option<&'static str> {
    let of =
        |role| USERS.iter().find(|u| u.organization == organization && u.role == role).map(|u| u.username);
    of(Role::ProviderStaff).or_else(|| of(Role::Operator))
}

/// The account of a registry entry: `demo.mediatore` for the first, `demo.med-002`… for the others.
pub fn professional_username(index: usize, registry_number: &str) -> String {
    if index == 0 { "demo.mediatore".to_string() } else { format!("demo.{}", registry_number.to_lowercase()) }
}

/// Where people come from: weight among the demo's beneficiaries, share of women (percent), the languages
/// they speak, and names to combine (every combination is made up).
pub struct CountrySpec {
    pub code: &'static str,
    pub weight: u32,
    pub women_percent: u32,
    /// Asylum seekers and protection holders among them (percent); EU citizens have none.
    pub protection_percent: u32,
    pub eu: bool,
    pub languages: &'static [&'static str],
    /// Given names of men, of women, family names and birth places, each list separated by `|`.
    pub men: &'static str,
    pub women: &'static str,
    pub families: &'static str,
    pub places: &'static str,
}

pub const COUNTRIES: [CountrySpec; 15] = [
    CountrySpec {
        code: "RO",
        weight: 20,
        women_percent: 58,
        protection_percent: 0,
        eu: true,
        languages: &["ro"],
        men: "Andrei|Mihai|Ionuț|Florin|Gabriel|Adrian",
        women: "Elena|Ioana|Maria|Andreea|Mihaela|Daniela",
        families: "Popescu|Ionescu|Dumitru|Stan|Gheorghe|Munteanu|Constantin|Ciobanu",
        places: "București|Iași|Craiova|Bacău",
    },
    CountrySpec {
        code: "AL",
        weight: 13,
        women_percent: 50,
        protection_percent: 0,
        eu: false,
        languages: &["sq"],
        men: "Arben|Ilir|Gentian|Besnik|Erion|Flamur",
        women: "Elira|Anisa|Blerina|Drita|Majlinda|Valbona",
        families: "Hoxha|Shehu|Gjoka|Leka|Marku|Kola|Dervishi|Basha",
        places: "Tiranë|Durrës|Elbasan|Shkodër",
    },
    CountrySpec {
        code: "MA",
        weight: 12,
        women_percent: 45,
        protection_percent: 2,
        eu: false,
        languages: &["ar", "fr"],
        men: "Youssef|Mohamed|Rachid|Hamza|Said|Abdelkader",
        women: "Fatima|Khadija|Nadia|Samira|Zineb|Hanane",
        families: "El Amrani|Benali|Bouzid|El Idrissi|Tahiri|Haddad|Ouali|Chakir",
        places: "Casablanca|Khouribga|Beni Mellal|Fès",
    },
    CountrySpec {
        code: "IN",
        weight: 11,
        women_percent: 40,
        protection_percent: 3,
        eu: false,
        languages: &["pa", "hi", "en"],
        men: "Gurpreet|Harjit|Manpreet|Sukhwinder|Rajesh|Amarjit",
        women: "Harpreet|Jaspreet|Simranjit|Kulwinder|Priya|Navdeep",
        families: "Singh|Kaur|Sharma|Gill|Sandhu|Kumar|Dhillon|Sidhu",
        places: "Ludhiana|Jalandhar|Amritsar|Moga",
    },
    CountrySpec {
        code: "UA",
        weight: 7,
        women_percent: 75,
        protection_percent: 40,
        eu: false,
        languages: &["uk", "ru"],
        men: "Oleksandr|Andrii|Serhii|Dmytro|Mykola|Vasyl",
        women: "Olena|Nataliia|Oksana|Iryna|Halyna|Tetiana",
        families: "Kovalenko|Shevchenko|Bondarenko|Tkachenko|Melnyk|Kravchenko|Boiko|Oliinyk",
        places: "Kyiv|Lviv|Kharkiv|Odesa",
    },
    CountrySpec {
        code: "PK",
        weight: 6,
        women_percent: 20,
        protection_percent: 35,
        eu: false,
        languages: &["ur", "pa", "en"],
        men: "Muhammad|Imran|Asif|Bilal|Usman|Waqar",
        women: "Ayesha|Sana|Fatima|Nazia|Rabia|Shazia",
        families: "Khan|Ahmed|Hussain|Butt|Iqbal|Malik|Raza|Chaudhry",
        places: "Lahore|Gujrat|Sialkot|Faisalabad",
    },
    CountrySpec {
        code: "SN",
        weight: 6,
        women_percent: 22,
        protection_percent: 15,
        eu: false,
        languages: &["wo", "fr"],
        men: "Mamadou|Ousmane|Cheikh|Moustapha|Ibrahima|Abdoulaye",
        women: "Aminata|Fatou|Awa|Mariama|Ndeye|Khady",
        families: "Diop|Ndiaye|Fall|Sow|Diallo|Sarr|Gueye|Mbaye",
        places: "Dakar|Thiès|Touba|Louga",
    },
    CountrySpec {
        code: "NG",
        weight: 5,
        women_percent: 45,
        protection_percent: 45,
        eu: false,
        languages: &["en", "yo", "ig"],
        men: "Chinedu|Emeka|Oluwaseun|Tunde|Ikechukwu|Samuel",
        women: "Chioma|Blessing|Ngozi|Funmilayo|Adaeze|Grace",
        families: "Okafor|Adeyemi|Okonkwo|Eze|Balogun|Nwosu|Olawale|Obi",
        places: "Lagos|Benin City|Enugu|Ibadan",
    },
    CountrySpec {
        code: "CN",
        weight: 4,
        women_percent: 50,
        protection_percent: 0,
        eu: false,
        languages: &["zh"],
        men: "Wei|Jun|Hao|Jian|Lei|Ming",
        women: "Xiu|Mei|Yan|Hua|Ling|Fang",
        families: "Hu|Zhou|Chen|Wang|Lin|Zhang|Ye|Xu",
        places: "Wenzhou|Qingtian|Fuqing|Rui'an",
    },
    CountrySpec {
        code: "EG",
        weight: 4,
        women_percent: 25,
        protection_percent: 10,
        eu: false,
        languages: &["ar"],
        men: "Ahmed|Mahmoud|Mostafa|Karim|Tarek|Amr",
        women: "Mona|Heba|Yasmin|Rania|Dina|Noha",
        families: "Hassan|Ibrahim|Abdelrahman|Mansour|Farouk|Saleh|Nasser|Youssef",
        places: "Il Cairo|Alessandria|Mansura|Fayyum",
    },
    CountrySpec {
        code: "BD",
        weight: 3,
        women_percent: 20,
        protection_percent: 30,
        eu: false,
        languages: &["bn", "en"],
        men: "Rahim|Kamal|Sohel|Mizanur|Shahidul|Rafiq",
        women: "Nasrin|Shirin|Farzana|Taslima|Rupa|Sharmin",
        families: "Rahman|Hossain|Islam|Uddin|Akter|Chowdhury|Miah|Alam",
        places: "Dhaka|Sylhet|Comilla|Noakhali",
    },
    CountrySpec {
        code: "TN",
        weight: 3,
        women_percent: 35,
        protection_percent: 10,
        eu: false,
        languages: &["ar", "fr"],
        men: "Mehdi|Anis|Sami|Walid|Nabil|Hichem",
        women: "Amel|Sonia|Leila|Imen|Rim|Asma",
        families: "Ben Salah|Trabelsi|Gharbi|Jebali|Mejri|Ben Ammar|Hammami|Ayari",
        places: "Tunisi|Sfax|Sousse|Kairouan",
    },
    CountrySpec {
        code: "GH",
        weight: 3,
        women_percent: 35,
        protection_percent: 30,
        eu: false,
        languages: &["tw", "en"],
        men: "Kwame|Kofi|Kwabena|Yaw|Emmanuel|Isaac",
        women: "Ama|Akosua|Abena|Efua|Adwoa|Comfort",
        families: "Mensah|Owusu|Boateng|Asante|Osei|Appiah|Agyeman|Addo",
        places: "Accra|Kumasi|Sunyani|Techiman",
    },
    CountrySpec {
        code: "MD",
        weight: 2,
        women_percent: 65,
        protection_percent: 0,
        eu: false,
        languages: &["ro", "ru"],
        men: "Ion|Vasile|Sergiu|Victor|Igor|Dumitru",
        women: "Natalia|Tatiana|Svetlana|Olga|Aurelia|Cristina",
        families: "Rusu|Ceban|Lungu|Cojocaru|Țurcanu|Rotaru|Bejan|Sîrbu",
        places: "Chișinău|Bălți|Orhei|Cahul",
    },
    CountrySpec {
        code: "PE",
        weight: 1,
        women_percent: 60,
        protection_percent: 0,
        eu: false,
        languages: &["es"],
        men: "Luis|Jorge|Carlos|Miguel|César|Juan Carlos",
        women: "Rosa|Carmen|Milagros|Patricia|Gladys|Sonia",
        families: "Quispe|Flores|Huamán|Rojas|Mendoza|Chávez|Vargas|Ramos",
        places: "Lima|Arequipa|Trujillo|Cusco",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn the_district_has_48_distinct_municipalities() {
        let mut names: Vec<&str> = MUNICIPALITIES.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 48);
        assert!(names.contains(&"Crema") && names.contains(&"Spino d'Adda"));
    }

    #[test]
    fn codes_and_links_are_valid() {
        use crate::domain::organization::OrganizationCode;
        use crate::domain::{country::CountryCode, language::LanguageCode};
        for o in &ORGANIZATIONS {
            assert_eq!(OrganizationCode::parse(o.code).unwrap().as_str(), o.code);
            assert!(o.code.starts_with("DEMO-"));
        }
        let known = |code: &str| ORGANIZATIONS.iter().any(|o| o.code == code);
        assert!(USERS.iter().all(|u| known(u.organization)));
        assert!(PROVIDERS.iter().filter_map(|p| p.organization).all(known));
        for c in &COUNTRIES {
            assert!(CountryCode::parse(c.code).is_ok(), "{}", c.code);
            assert!(c.languages.iter().all(|l| LanguageCode::parse(l).is_ok()), "{}", c.code);
        }
        for p in &PROFESSIONALS {
            assert!(p.languages.iter().all(|(l, _)| LanguageCode::parse(l).is_ok()), "{}", p.registry_number);
        }
        for need in Need::ALL {
            for (key, _) in referral_targets(*need) {
                assert!(PROVIDERS.iter().any(|p| p.key == *key), "{key}");
            }
        }
        for u in USERS
            .iter()
            .map(|u| u.username.to_string())
            .chain(PROFESSIONALS.iter().enumerate().map(|(i, p)| professional_username(i, p.registry_number)))
        {
            assert!(crate::domain::account::validate_username(&u).is_ok(), "{u}");
        }
    }
}
