//! `sportello seed-demo`: a realistic, clearly fictitious network to try the API on — the social-care
//! district of Crema and its 48 municipalities, a municipal desk and a Caritas/co-operative desk with their
//! opening hours, the network's providers, a registry of mediators, interpreters and lawyers, an account
//! for every role, a few hundred cases over two years with families, interventions, consents, referrals
//! and activations, the desks' front-office contacts and language courses, so that every worklist and
//! statistic shows meaningful numbers.
//!
//! Everything is generated from a fixed seed relative to "now", in one transaction, through the
//! repositories (the change feed numbers the new rows as for any write). Every person is made up; every
//! organization code starts with `DEMO-`, which is how a second run recognises the demo and does nothing.
//! It refuses a database that holds anything else than the platform organization and its admin. One audit
//! event records the seeding; the rows it creates have no audit entries of their own.

mod activations;
mod calendar;
mod cases;
mod contacts;
mod courses;
pub mod data;
// people, rng and interventions also feed the benchmark's bulk generator (bench/generate.rs).
pub mod interventions;
mod network;
pub mod people;
mod plans;
mod referrals;
pub mod rng;

use std::fmt;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::password;
use crate::bootstrap::PLATFORM_CODE;
use crate::db::audit::{self, AuditEvent};
use crate::db::schema::{
    cases as ca, desks as d, organizations as o, professionals as pro, providers as p, users as u,
};
use crate::db::{self, DbConnection};
use crate::domain::{Code, role::Role};
use crate::error::{Error, Result};

/// The demo's organization codes start with this.
pub const CODE_PREFIX: &str = "DEMO-";
/// The password every demo account shares unless `SPORTELLO_DEMO_PASSWORD` says otherwise. It is public:
/// the demo is for trying the API, never for real data.
pub const DEFAULT_PASSWORD: &str = "demo-password-2026";
pub const PASSWORD_VARIABLE: &str = "SPORTELLO_DEMO_PASSWORD";

/// How far back the demo's cases go.
const DAYS: i64 = 730;
const SEED: u64 = 0x5350_4f52_5445_4c4c;

/// How many records of each kind the demo holds.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub organizations: usize,
    pub desks: usize,
    pub providers: usize,
    pub services: usize,
    pub protocols: usize,
    pub professionals: usize,
    pub users: usize,
    pub cases: usize,
    pub family_members: usize,
    pub interventions: usize,
    pub consents: usize,
    pub referrals: usize,
    pub activations: usize,
    pub desk_contacts: usize,
    pub assessments: usize,
    pub plans: usize,
    pub plan_actions: usize,
    pub courses: usize,
    pub enrolments: usize,
}

/// A demo account, for the report.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub role: Role,
    pub organization: &'static str,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    /// The demo was there already: nothing was changed.
    pub already_seeded: bool,
    pub counts: Counts,
    pub municipalities: usize,
    /// The days the cases span.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub users: Vec<DemoUser>,
}

impl SeedReport {
    fn new(already_seeded: bool, counts: Counts, now: NaiveDateTime) -> Self {
        let organization = |code: &str| {
            data::ORGANIZATIONS.iter().find(|o| o.code == code).map(|o| o.name).unwrap_or_default()
        };
        let mut users: Vec<DemoUser> = data::USERS
            .iter()
            .map(|s| DemoUser {
                username: s.username.into(),
                role: s.role,
                organization: organization(s.organization),
            })
            .collect();
        users.extend(data::PROFESSIONALS.iter().enumerate().filter(|(_, s)| s.active).map(|(i, s)| {
            DemoUser {
                username: data::professional_username(i, s.registry_number),
                role: Role::Professional,
                organization: organization(data::CSC),
            }
        }));
        SeedReport {
            already_seeded,
            counts,
            municipalities: data::MUNICIPALITIES.len(),
            from: cases::first_day(now),
            to: now.date(),
            users,
        }
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.counts;
        if self.already_seeded {
            writeln!(
                f,
                "The demo network is already loaded (organization codes {CODE_PREFIX}*): nothing changed."
            )?;
        } else {
            writeln!(
                f,
                "Loaded the demo network (every person is made up; organization codes start with {CODE_PREFIX}):"
            )?;
            writeln!(
                f,
                "  {} organizations of the Crema social-care district, {} desks with opening hours, {} providers \
                 with {} services, {} protocol",
                n.organizations, n.desks, n.providers, n.services, n.protocols
            )?;
            writeln!(
                f,
                "  {} professionals in the registry (mediators, interpreters, lawyers), {} users",
                n.professionals, n.users
            )?;
            writeln!(
                f,
                "  {} cases living in the district's {} municipalities, opened from {} to {}, with {} family members, \
                 {} interventions, {} consents, {} referrals and {} activations",
                n.cases,
                self.municipalities,
                self.from,
                self.to,
                n.family_members,
                n.interventions,
                n.consents,
                n.referrals,
                n.activations
            )?;
            writeln!(
                f,
                "  {} contacts at the desks' front office, most of them without a case file",
                n.desk_contacts
            )?;
            writeln!(
                f,
                "  {} needs assessments and {} individual plans with {} actions (the co-operative's plans wait for \
                 its coordinator's approval)",
                n.assessments, n.plans, n.plan_actions
            )?;
            writeln!(
                f,
                "  {} language courses with {} enrolments, their sessions and attendance (one full, with a \
                 waiting list)",
                n.courses, n.enrolments
            )?;
        }
        writeln!(f, "Demo users (one shared password):")?;
        let (people, professionals): (Vec<&DemoUser>, Vec<&DemoUser>) =
            self.users.iter().partition(|u| u.role != Role::Professional || u.username == "demo.mediatore");
        for user in people {
            writeln!(f, "  {:<20} {:<15} {}", user.username, user.role.as_str(), user.organization)?;
        }
        if let Some(example) = professionals.first() {
            writeln!(
                f,
                "  {:<20} {:<15} the registry's other {} entries, each its own ({}, …)",
                "demo.<registry no.>",
                Role::Professional.as_str(),
                professionals.len(),
                example.username
            )?;
        }
        Ok(())
    }
}

/// Loads the demo network into the database, with every account's password `password`, relative to `now`.
/// Does nothing if the demo is there already; refuses (409) a database holding anything else.
pub fn seed(conn: &mut DbConnection, now: NaiveDateTime, password: &str) -> Result<SeedReport> {
    password::validate_strength(password).map_err(|_| {
        Error::invalid(
            "password",
            "too_short",
            format!("the demo password needs at least {} characters", password::MIN_PASSWORD_CHARS),
        )
    })?;
    let now = db::truncate(now);
    if is_seeded(conn)? {
        return Ok(SeedReport::new(true, Counts::default(), now));
    }
    refuse_foreign_data(conn)?;
    // argon2 is slow on purpose: one hash for every demo account.
    let hash = password::hash(password)?;
    db::write_tx(conn, |c| {
        if is_seeded(c)? {
            return Ok(SeedReport::new(true, Counts::default(), now));
        }
        refuse_foreign_data(c)?;
        let mut rng = rng::Rng::new(SEED);
        let since = calendar::local(cases::first_day(now) - Duration::days(30), 9 * 60);
        let net = network::load(c, &mut rng, since, &hash)?;
        let mut counts = Counts {
            organizations: net.organizations.len(),
            desks: net.desks.len(),
            providers: net.providers.len(),
            services: net.services,
            protocols: net.protocols,
            professionals: net.professionals.len(),
            users: net.users.len(),
            ..Counts::default()
        };
        cases::load(c, &mut rng, &net, now, &mut counts)?;
        counts.desk_contacts =
            contacts::load(c, &mut rng, &net, calendar::local(cases::first_day(now), 0), now)?;
        plans::load(c, &net, now, &mut counts)?;
        courses::load(c, &net, now, &mut counts)?;
        let details = serde_json::to_value(&counts).map_err(|e| Error::internal("demo report", e))?;
        audit::record(c, &AuditEvent::anonymous("demo.seed", "organization", None, None).details(details))?;
        Ok(SeedReport::new(false, counts, now))
    })
}

/// Whether the demo's organizations are there.
fn is_seeded(c: &mut DbConnection) -> Result<bool> {
    let n: i64 = o::table.filter(o::code.like(format!("{CODE_PREFIX}%"))).count().get_result(c)?;
    Ok(n > 0)
}

/// 409 when the database holds anything besides the platform organization and its bootstrap admin.
fn refuse_foreign_data(c: &mut DbConnection) -> Result<()> {
    let platform: Option<String> =
        o::table.filter(o::code.eq(PLATFORM_CODE)).select(o::id).first(c).optional()?;
    let platform = platform.unwrap_or_default();
    let bootstrap_admin = u::username.eq("admin").and(u::organization_id.eq(platform));
    let found: [(i64, &str); 6] = [
        (o::table.filter(o::code.ne(PLATFORM_CODE)).count().get_result(c)?, "organizations"),
        (u::table.filter(diesel::dsl::not(bootstrap_admin)).count().get_result(c)?, "users"),
        (d::table.count().get_result(c)?, "desks"),
        (ca::table.count().get_result(c)?, "cases"),
        (p::table.count().get_result(c)?, "providers"),
        (pro::table.count().get_result(c)?, "professionals"),
    ];
    let found: Vec<String> =
        found.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{what}: {n}")).collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::conflict(
        "not_a_demo_database",
        format!(
            "this database holds data that is not the demo's ({}, besides the platform organization and its \
             admin): seed-demo loads the demo only into a fresh database",
            found.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_lists_every_demo_account_once() {
        let now =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).and_then(|d| d.and_hms_opt(10, 0, 0)).unwrap();
        let report = SeedReport::new(false, Counts::default(), now);
        let text = report.to_string();
        for role in
            [Role::Coordinator, Role::Operator, Role::Analyst, Role::ProviderStaff, Role::Professional]
        {
            assert!(report.users.iter().any(|u| u.role == role), "{role}");
        }
        assert!(text.contains("demo.crema.coord") && text.contains("demo.mediatore"));
        assert_eq!(report.from, chrono::NaiveDate::from_ymd_opt(2024, 11, 30).unwrap());
        let mut names: Vec<&str> = report.users.iter().map(|u| u.username.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), report.users.len());
    }
}
