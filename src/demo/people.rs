//! Made-up people: a beneficiary's identity, legal situation and needs, and their family.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::data::{COUNTRIES, CountrySpec};
use super::rng::Rng;
use crate::db;
use crate::db::cases::CaseRow;
use crate::db::family_members::FamilyMemberRow;
use crate::domain::case::{CaseStatus, Education, Employment, Housing, LegalStatus, Need, PermitType};
use crate::domain::family::Relationship;
use crate::domain::person::Sex;
use crate::domain::text::search_key;
use crate::domain::{Code, distinct};
use crate::error::Result;

/// Who the beneficiary is, at the day the case was opened.
pub struct Person {
    pub country: &'static CountrySpec,
    pub sex: Sex,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: NaiveDate,
    pub birth_place: &'static str,
    pub age: i64,
    pub arrival_date: NaiveDate,
    pub languages: Vec<&'static str>,
    pub legal_status: LegalStatus,
    pub permit_type: Option<PermitType>,
    pub permit_expiry: Option<NaiveDate>,
    pub education: Education,
    pub employment: Employment,
    pub housing: Housing,
}

/// One of the names of a `|`-separated list.
fn one_of(rng: &mut Rng, list: &'static str) -> &'static str {
    let names: Vec<&'static str> = list.split('|').collect();
    names[rng.below(names.len())]
}

fn years(n: i64) -> Duration {
    Duration::days(n * 365 + n / 4)
}

/// A given name for someone of this country and sex.
pub fn given_name(rng: &mut Rng, country: &'static CountrySpec, sex: Sex) -> &'static str {
    one_of(rng, if sex == Sex::Female { country.women } else { country.men })
}

pub fn family_name(rng: &mut Rng, country: &'static CountrySpec) -> &'static str {
    one_of(rng, country.families)
}

pub fn country(rng: &mut Rng) -> &'static CountrySpec {
    let weights: Vec<(usize, u32)> = COUNTRIES.iter().enumerate().map(|(i, c)| (i, c.weight)).collect();
    &COUNTRIES[*rng.weighted(&weights)]
}

/// A beneficiary coming to the desk on `opened`; permits are dated around `today` so that the worklists
/// have expired permits and permits about to expire.
pub fn person(rng: &mut Rng, opened: NaiveDateTime, today: NaiveDate) -> Person {
    let country = country(rng);
    let sex = if rng.chance(f64::from(country.women_percent) / 100.0) { Sex::Female } else { Sex::Male };
    let (youngest, oldest) = *rng.weighted(&[((18, 30), 40), ((31, 45), 35), ((46, 64), 20), ((65, 78), 5)]);
    let age = rng.range(youngest, oldest);
    let day = opened.date();
    let birth_date = day - years(age) - Duration::days(rng.range(0, 364));
    let protection = !country.eu && rng.chance(f64::from(country.protection_percent) / 100.0);
    let years_here = if protection { rng.range(0, 2) } else { rng.range(1, (age - 2).clamp(1, 25)) };
    let arrival_date =
        (day - years(years_here) - Duration::days(rng.range(20, 300))).max(birth_date + years(1));
    let (legal_status, permit_type) = legal_situation(rng, country, protection, years_here);
    let permit_expiry = permit_type.filter(|t| *t != PermitType::LongTermEu).map(|t| {
        let draw = rng.unit();
        if draw < 0.12 {
            today - Duration::days(rng.range(1, 150))
        } else if draw < 0.30 {
            today + Duration::days(rng.range(0, 59))
        } else if t == PermitType::AsylumApplication {
            today + Duration::days(rng.range(60, 180))
        } else {
            today + Duration::days(rng.range(60, 720))
        }
    });
    let mut languages: Vec<&'static str> =
        country.languages.iter().take(rng.range(1, 2) as usize).copied().collect();
    if years_here >= 4 && rng.chance(0.7) {
        languages.push("it");
    }
    let education = *rng.weighted(&[
        (Education::None, 5),
        (Education::Primary, 15),
        (Education::LowerSecondary, 25),
        (Education::UpperSecondary, 30),
        (Education::Vocational, 10),
        (Education::Tertiary, 10),
        (Education::Unknown, 5),
    ]);
    let employment = if age >= 65 {
        Employment::Retired
    } else {
        *rng.weighted(&[
            (Employment::Employed, 30),
            (Employment::Unemployed, 40),
            (Employment::SelfEmployed, 5),
            (Employment::Student, if age < 26 { 8 } else { 1 }),
            (Employment::Homemaker, if sex == Sex::Female { 14 } else { 1 }),
            (Employment::UnableToWork, 2),
            (Employment::Other, 3),
        ])
    };
    let housing = if legal_status == LegalStatus::AsylumSeeker && rng.chance(0.7) {
        Housing::ReceptionCentre
    } else {
        *rng.weighted(&[
            (Housing::Rented, 50),
            (Housing::HostedByFamilyOrFriends, 22),
            (Housing::Owned, 6),
            (Housing::Shelter, 4),
            (Housing::Homeless, 3),
            (Housing::Other, 2),
        ])
    };
    Person {
        country,
        sex,
        given_name: given_name(rng, country, sex),
        family_name: family_name(rng, country),
        birth_date,
        birth_place: one_of(rng, country.places),
        age,
        arrival_date,
        languages,
        legal_status,
        permit_type,
        permit_expiry,
        education,
        employment,
        housing,
    }
}

fn legal_situation(
    rng: &mut Rng,
    country: &CountrySpec,
    protection: bool,
    years_here: i64,
) -> (LegalStatus, Option<PermitType>) {
    if country.eu {
        return (LegalStatus::EuCitizen, None);
    }
    if protection {
        // Ukrainians hold temporary protection, which has no code of its own.
        if country.code == "UA" {
            return (LegalStatus::Other, Some(PermitType::Other));
        }
        return *rng.weighted(&[
            ((LegalStatus::AsylumSeeker, Some(PermitType::AsylumApplication)), 55),
            ((LegalStatus::Refugee, Some(PermitType::Refugee)), 15),
            ((LegalStatus::SubsidiaryProtection, Some(PermitType::SubsidiaryProtection)), 15),
            ((LegalStatus::SpecialProtection, Some(PermitType::SpecialProtection)), 15),
        ]);
    }
    let draw = rng.unit();
    if years_here >= 10 && draw < 0.06 {
        (LegalStatus::ItalianCitizen, None)
    } else if draw < 0.11 {
        (LegalStatus::Undocumented, None)
    } else {
        let permit = *rng.weighted(&[
            (PermitType::Work, 35),
            (PermitType::Family, 30),
            (PermitType::LongTermEu, if years_here >= 5 { 30 } else { 0 }),
            (PermitType::SelfEmployment, 5),
            (PermitType::JobSeeking, 5),
            (PermitType::Study, 3),
            (PermitType::Medical, 2),
        ]);
        (LegalStatus::PermitHolder, Some(permit))
    }
}

/// One to three needs, drawn from what people in this situation usually ask for.
pub fn needs(rng: &mut Rng, p: &Person, today: NaiveDate, has_children: bool) -> Vec<Need> {
    use Need::*;
    let usual: &[(Need, u32)] = match p.legal_status {
        LegalStatus::AsylumSeeker => {
            &[(Asylum, 6), (LegalAdvice, 4), (LanguageCourse, 4), (Health, 3), (Employment, 2), (Housing, 2)]
        }
        LegalStatus::Refugee | LegalStatus::SubsidiaryProtection | LegalStatus::SpecialProtection => &[
            (ResidencePermit, 3),
            (Employment, 5),
            (Housing, 4),
            (LanguageCourse, 3),
            (FamilyReunification, 2),
            (Documents, 2),
        ],
        LegalStatus::EuCitizen => &[
            (Employment, 5),
            (Housing, 3),
            (Health, 3),
            (IncomeSupport, 3),
            (Documents, 3),
            (LanguageCourse, 1),
        ],
        LegalStatus::Undocumented => &[(LegalAdvice, 5), (ResidencePermit, 4), (Health, 3), (Other, 1)],
        LegalStatus::ItalianCitizen => &[(Employment, 4), (Housing, 3), (IncomeSupport, 3), (Documents, 1)],
        _ => &[
            (ResidencePermit, 6),
            (Employment, 5),
            (Housing, 3),
            (LanguageCourse, 3),
            (IncomeSupport, 2),
            (Documents, 2),
            (Health, 2),
            (FamilyReunification, 2),
            (Citizenship, 1),
            (Other, 1),
        ],
    };
    let mut out = Vec::new();
    if p.permit_expiry.is_some_and(|d| d < today + Duration::days(60)) {
        out.push(ResidencePermit);
    }
    if has_children && rng.chance(0.35) {
        out.push(if rng.chance(0.5) { Education } else { Childcare });
    }
    let wanted = rng.range(1, 3) as usize;
    for _ in 0..6 {
        if out.len() >= wanted {
            break;
        }
        let need = *rng.weighted(usual);
        if !out.contains(&need) {
            out.push(need);
        }
    }
    out
}

/// The family of some beneficiaries: a partner, children (mostly minors), now and then a parent.
pub fn family(
    rng: &mut Rng,
    p: &Person,
    case_id: &str,
    created_by: &str,
    at: NaiveDateTime,
) -> Vec<FamilyMemberRow> {
    if p.age < 20 || !rng.chance(0.45) {
        return Vec::new();
    }
    let day = at.date();
    let mut members = Vec::new();
    let mut add =
        |rng: &mut Rng, relationship: Relationship, sex: Sex, age: i64, lives: bool, dependent: bool| {
            let given = given_name(rng, p.country, sex);
            let family = if relationship == Relationship::Spouse && rng.chance(0.3) {
                family_name(rng, p.country)
            } else {
                p.family_name
            };
            members.push(FamilyMemberRow {
                id: rng.id_at(at),
                case_id: case_id.into(),
                relationship: relationship.as_str().into(),
                given_name: given.into(),
                family_name: family.into(),
                sex: Some(sex.as_str().into()),
                birth_date: Some(day - years(age) - Duration::days(rng.range(0, 364))),
                citizenship: Some(p.country.code.into()),
                tax_code: None,
                lives_with_beneficiary: lives,
                dependent,
                notes: None,
                created_by: created_by.into(),
                deleted_at: None,
                version: 1,
                created_at: at,
                updated_at: at,
            });
        };
    if p.age >= 22 && rng.chance(0.75) {
        let sex = if p.sex == Sex::Female { Sex::Male } else { Sex::Female };
        let age = (p.age + rng.range(-6, 6)).max(19);
        let (lives, dependent) = (rng.chance(0.8), rng.chance(0.3));
        add(rng, Relationship::Spouse, sex, age, lives, dependent);
    }
    if p.age >= 22 {
        let oldest = (p.age - 19).min(22);
        for _ in 0..*rng.weighted(&[(0, 2), (1, 3), (2, 3), (3, 1)]) {
            let age = rng.range(0, oldest);
            let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let lives = age < 18 || rng.chance(0.5);
            add(rng, Relationship::Child, sex, age, lives, age < 18);
        }
    }
    if p.age < 45 && rng.chance(0.08) {
        let sex = if rng.chance(0.6) { Sex::Female } else { Sex::Male };
        let age = p.age + rng.range(20, 32);
        add(rng, Relationship::Parent, sex, age, true, true);
    }
    members
}

/// Whether any of these family members is a child under 18 at `day`.
pub fn has_minor(members: &[FamilyMemberRow], day: NaiveDate) -> bool {
    members
        .iter()
        .any(|m| m.relationship == "child" && m.birth_date.is_some_and(|b| day.year() - b.year() < 18))
}

/// The case file of a person opened at `at` (status open, version 1, no reference code yet, nobody
/// assigned): the demo and the benchmark's generator set the rest as their story goes.
pub fn case_row(
    p: &Person,
    id: &str,
    organization_id: &str,
    creator: &str,
    at: NaiveDateTime,
    municipality: &str,
    needs: &[Need],
) -> Result<CaseRow> {
    Ok(CaseRow {
        id: id.into(),
        organization_id: organization_id.into(),
        desk_id: None,
        assignee_id: None,
        reference_code: String::new(),
        status: CaseStatus::Open.as_str().into(),
        closure_reason: None,
        closure_note: None,
        closed_at: None,
        given_name: p.given_name.into(),
        family_name: p.family_name.into(),
        search_name: search_key(&format!("{} {}", p.given_name, p.family_name)),
        sex: Some(p.sex.as_str().into()),
        birth_date: Some(p.birth_date),
        birth_place: Some(p.birth_place.into()),
        country_of_birth: Some(p.country.code.into()),
        citizenship: Some(p.country.code.into()),
        tax_code: None,
        languages: db::to_json_text(&p.languages)?,
        phone: None,
        email: None,
        address: None,
        residence_municipality: Some(municipality.into()),
        arrival_date: Some(p.arrival_date),
        legal_status: Some(p.legal_status.as_str().into()),
        permit_type: p.permit_type.map(|t| t.as_str().into()),
        permit_number: None,
        permit_expiry: p.permit_expiry,
        education: Some(p.education.as_str().into()),
        employment: Some(p.employment.as_str().into()),
        housing: Some(p.housing.as_str().into()),
        needs: db::to_json_text(&distinct(needs.to_vec()))?,
        notes: None,
        restricted_notes: None,
        source_system: None,
        external_id: None,
        created_by: creator.into(),
        deleted_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
        legal_hold: false,
        erased_at: None,
    })
}
