//! The benchmark's data generator: fills an empty database (SQLite file or PostgreSQL) with N synthetic
//! cases, about 2 family members, 5 interventions and 1 referral each, spread over three years and a
//! skewed network (a few large organizations, many small ones). Names come from the demo's fifteen
//! countries, a share of them written in their own script (Cyrillic, Arabic, Han, Bengali, Devanagari),
//! so that search is exercised on more than ASCII.
//!
//! It starts from `sportello seed-demo` (providers, registry, an account per role), then adds the
//! organizations and their cases in bulk: multi-row inserts of the repositories' own row types, one
//! transaction per chunk, numbered for the change feed as every write is. Deterministic for a seed.
//!
//! Prints one JSON object: what it made, how long it took, and the accounts to log in with
//! (password `SPORTELLO_BENCH_PASSWORD`, default `bench-password-2026`).
//!
//! ```text
//! cargo run --release --example bench-generate -- --database-url bench/work/1m.db --cases 1000000
//! ```

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use clap::Parser;
use diesel::prelude::*;

use sportello::auth::password;
use sportello::config::{DatabaseUrl, Settings};
use sportello::db::cases::CaseRow;
use sportello::db::consents::ConsentRow;
use sportello::db::desks::DeskRow;
use sportello::db::family_members::FamilyMemberRow;
use sportello::db::interventions::InterventionRow;
use sportello::db::organizations::OrganizationRow;
use sportello::db::referrals::ReferralRow;
use sportello::db::schema;
use sportello::db::users::UserRow;
use sportello::db::{self, Database, DbConnection};
use sportello::demo::data::MUNICIPALITIES;
use sportello::demo::people::{self, Person};
use sportello::demo::rng::Rng;
use sportello::demo::{self, interventions::intervention};
use sportello::domain::Code;
use sportello::domain::case::{CaseStatus, ClosureReason, Need, reference_code};
use sportello::domain::consent::ConsentPurpose;
use sportello::domain::family::Relationship;
use sportello::domain::person::Sex;
use sportello::domain::referral::{ReferralStatus, Urgency};
use sportello::domain::role::Role;
use sportello::domain::text::search_key;
use sportello::error::{Error, Result};

const DEFAULT_PASSWORD: &str = "bench-password-2026";
/// Cases are spread over this many days before today.
const DAYS: i64 = 3 * 365;
/// Cases per transaction: large enough to amortise the commit, small enough to keep memory flat.
const CHUNK: usize = 10_000;

#[derive(Parser)]
#[command(about = "Fill an empty Sportello database with synthetic cases for the benchmark")]
struct Args {
    /// SQLite file path or postgres:// URL.
    #[arg(long)]
    database_url: String,
    /// How many cases to generate (beside the demo's 300).
    #[arg(long, default_value_t = 10_000)]
    cases: usize,
    /// Seed of the generator: the same seed and day give the same data.
    #[arg(long, default_value_t = 8)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-generate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<serde_json::Value> {
    let started = Instant::now();
    let mut settings = Settings::from_env().map_err(|e| Error::Unavailable(e.to_string()))?;
    settings.database = DatabaseUrl::parse(&args.database_url).map_err(Error::Unavailable)?;
    // The platform's own admin gets a password nobody knows: the bench logs in as bench.admin.
    settings.admin_password = Some(password::generate()?);
    let db = Database::connect(&settings.database, 1)?;
    db.migrate()?;
    sportello::bootstrap::ensure_platform_admin(&db, &settings)?;
    let mut conn = db.get()?;
    let c: &mut DbConnection = &mut conn;
    let existing: i64 = schema::cases::table.count().get_result(c)?;
    if existing > 0 {
        return Err(Error::Unavailable(format!(
            "the database already holds {existing} cases: use an empty one"
        )));
    }
    let password = std::env::var("SPORTELLO_BENCH_PASSWORD").unwrap_or_else(|_| DEFAULT_PASSWORD.into());
    let now = db::now();
    demo::seed(c, now, &password)?;
    let hash = password::hash(&password)?;
    let mut rng = Rng::new(args.seed);
    let network = Network::create(c, &mut rng, &hash, args.cases, now)?;
    let counts = generate(c, &mut rng, &network, args.cases, now)?;
    set_reference_counters(c, &network, &counts.last_numbers)?;
    if let DbConnection::Postgresql(_) = c {
        diesel::sql_query("ANALYZE").execute(c)?;
    }
    Ok(serde_json::json!({
        "cases": args.cases,
        "family_members": counts.family_members,
        "interventions": counts.interventions,
        "referrals": counts.referrals,
        "organizations": network.organizations.len(),
        "largest_organization_cases": counts.per_organization.first().copied().unwrap_or(0),
        "users": {"admin": "bench.admin", "analyst": "bench.analyst", "operators": "bench.op.01 … bench.op.NN (01 is the largest organization)"},
        "seconds": started.elapsed().as_secs_f64(),
    }))
}

/// One of the generated organizations, with its desk, operator and share of the cases.
struct Organization {
    id: String,
    code: String,
    desk_id: String,
    operator_id: String,
    weight: f64,
}

struct Provider {
    id: String,
    organization_id: Option<String>,
}

struct Network {
    organizations: Vec<Organization>,
    /// Cumulative weights, for drawing an organization.
    cumulative: Vec<f64>,
    providers: Vec<Provider>,
}

impl Network {
    /// About one organization per 5 000 cases (8 to 60); the k-th gets a share proportional to 1/k^1.1.
    fn create(
        c: &mut DbConnection,
        rng: &mut Rng,
        hash: &str,
        cases: usize,
        now: NaiveDateTime,
    ) -> Result<Network> {
        let platform: String = schema::organizations::table
            .filter(schema::organizations::code.eq(sportello::bootstrap::PLATFORM_CODE))
            .select(schema::organizations::id)
            .first(c)?;
        for (username, role) in [("bench.admin", Role::Admin), ("bench.analyst", Role::Analyst)] {
            db::users::insert(c, &UserRow::new(&platform, username, username, None, role, hash.into()))?;
        }
        let n = (cases / 5_000).clamp(8, 60);
        let mut organizations = Vec::with_capacity(n);
        for k in 1..=n {
            let (municipality, _) = *rng.pick(&MUNICIPALITIES);
            let code = format!("BENCH-{k:02}");
            let org = OrganizationRow {
                id: db::new_id(),
                name: format!("Sportello immigrati {k:02} – {municipality}"),
                kind: if k % 3 == 0 { "cooperative" } else { "municipality" }.into(),
                code: code.clone(),
                tax_id: None,
                municipality: Some(municipality.into()),
                district: Some(if k % 2 == 0 { "Crema" } else { "Cremona" }.into()),
                address: None,
                email: None,
                phone: None,
                active: true,
                version: 1,
                created_at: now,
                updated_at: now,
                plans_need_approval: false,
            };
            db::organizations::insert(c, &org)?;
            let desk = DeskRow {
                id: db::new_id(),
                organization_id: org.id.clone(),
                name: format!("Sportello {municipality}"),
                address: None,
                municipality: Some(municipality.into()),
                languages: r#"["it","en","fr","ar"]"#.into(),
                phone: None,
                email: None,
                notes: None,
                active: true,
                version: 1,
                created_at: now,
                updated_at: now,
                appointment_minutes: 30,
            };
            db::desks::insert(c, &desk, &[])?;
            let username = format!("bench.op.{k:02}");
            let operator = UserRow::new(&org.id, &username, &username, None, Role::Operator, hash.into());
            db::users::insert(c, &operator)?;
            let coordinator = format!("bench.coord.{k:02}");
            db::users::insert(
                c,
                &UserRow::new(&org.id, &coordinator, &coordinator, None, Role::Coordinator, hash.into()),
            )?;
            organizations.push(Organization {
                id: org.id,
                code,
                desk_id: desk.id,
                operator_id: operator.id,
                weight: 1.0 / (k as f64).powf(1.1),
            });
        }
        let total: f64 = organizations.iter().map(|o| o.weight).sum();
        let cumulative = organizations
            .iter()
            .scan(0.0, |acc, o| {
                *acc += o.weight / total;
                Some(*acc)
            })
            .collect();
        let providers = schema::providers::table
            .select((schema::providers::id, schema::providers::organization_id))
            .load::<(String, Option<String>)>(c)?
            .into_iter()
            .map(|(id, organization_id)| Provider { id, organization_id })
            .collect::<Vec<_>>();
        if providers.is_empty() {
            return Err(Error::Unavailable("the demo network has no providers".into()));
        }
        Ok(Network { organizations, cumulative, providers })
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let x = rng.unit();
        self.cumulative.iter().position(|c| x < *c).unwrap_or(self.cumulative.len() - 1)
    }
}

#[derive(Default)]
struct Counts {
    family_members: usize,
    interventions: usize,
    referrals: usize,
    per_organization: Vec<usize>,
    /// (organization index, year) → the last reference number used.
    last_numbers: HashMap<(usize, i32), i64>,
}

/// Rows of one chunk, inserted together.
#[derive(Default)]
struct Chunk {
    cases: Vec<CaseRow>,
    family: Vec<FamilyMemberRow>,
    interventions: Vec<InterventionRow>,
    consents: Vec<ConsentRow>,
    referrals: Vec<ReferralRow>,
}

fn generate(
    c: &mut DbConnection,
    rng: &mut Rng,
    net: &Network,
    cases: usize,
    now: NaiveDateTime,
) -> Result<Counts> {
    let mut counts = Counts { per_organization: vec![0; net.organizations.len()], ..Counts::default() };
    // Opening times in order, so that reference numbers count up as cases were opened.
    let mut openings: Vec<(NaiveDateTime, usize)> = (0..cases)
        .map(|_| {
            // Busier towards today: half evenly over the period, half growing.
            let x = if rng.chance(0.5) { rng.unit() } else { 1.0 - rng.unit().sqrt() };
            let minutes = (x * (DAYS * 24 * 60) as f64) as i64;
            let at = now - Duration::days(1) - Duration::minutes(minutes);
            (at, net.draw(rng))
        })
        .collect();
    openings.sort_unstable();
    for batch in openings.chunks(CHUNK) {
        let mut chunk = Chunk::default();
        for &(opened, org) in batch {
            counts.per_organization[org] += 1;
            let year = chrono::Datelike::year(&opened);
            let number = counts.last_numbers.entry((org, year)).or_insert(0);
            *number += 1;
            case_file(rng, net, org, opened, *number, now, &mut chunk)?;
        }
        counts.family_members += chunk.family.len();
        counts.interventions += chunk.interventions.len();
        counts.referrals += chunk.referrals.len();
        db::write_tx(c, |c| insert_chunk(c, &chunk))?;
    }
    Ok(counts)
}

/// One case with its family, interventions, consent and referrals.
fn case_file(
    rng: &mut Rng,
    net: &Network,
    org: usize,
    opened: NaiveDateTime,
    number: i64,
    now: NaiveDateTime,
    out: &mut Chunk,
) -> Result<()> {
    let o = &net.organizations[org];
    let today = now.date();
    let person = people::person(rng, opened, today);
    let (given, family) = names(rng, &person);
    let case_id = rng.id_at(opened);
    let members = family_members(rng, &person, &family, &case_id, &o.operator_id, opened);
    let has_minor = people::has_minor(&members, today);
    let needs = people::needs(rng, &person, today, has_minor);
    let age = (today - opened.date()).num_days();
    let closed = age > 30 && rng.chance((0.1 + 0.7 * age as f64 / DAYS as f64).min(0.8));
    let last_day = if closed { opened + Duration::days(rng.range(7, age.clamp(8, 400))) } else { now };
    let visits = rng.range(3, 7);
    let span = (last_day - opened).num_minutes().max(1);
    for i in 0..visits {
        let at = if i == 0 { opened } else { opened + Duration::minutes(rng.range(10, span)) };
        out.interventions.push(intervention(rng, &case_id, &o.id, &o.operator_id, &needs, i as usize, at));
    }
    let referrals = *rng.weighted(&[(0, 30), (1, 45), (2, 20), (3, 5)]);
    if referrals > 0 {
        let consent_id = rng.id_at(opened);
        out.consents.push(ConsentRow {
            id: consent_id.clone(),
            case_id: case_id.clone(),
            purpose: ConsentPurpose::NetworkSharing.as_str().into(),
            provider_id: None,
            given_at: opened,
            expires_on: None,
            evidence: Some("Modulo firmato".into()),
            recorded_by: o.operator_id.clone(),
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_note: None,
            version: 1,
            created_at: opened,
            updated_at: opened,
        });
        for _ in 0..referrals {
            let at = opened + Duration::minutes(rng.range(30, span.max(31)));
            let need = *rng.pick(&needs);
            out.referrals.push(referral(rng, net, o, &case_id, &consent_id, need, at, now));
        }
    }
    let (status, reason) = if closed {
        (CaseStatus::Closed, Some(*rng.pick(ClosureReason::ALL)))
    } else {
        (
            *rng.weighted(&[(CaseStatus::Active, 70), (CaseStatus::Open, 20), (CaseStatus::Suspended, 10)]),
            None,
        )
    };
    let closed_at = closed.then_some(last_day);
    let municipality = rng.weighted(&MUNICIPALITIES);
    let mut row = people::case_row(&person, &case_id, &o.id, &o.operator_id, opened, municipality, &needs)?;
    row.search_name = search_key(&format!("{given} {family}"));
    (row.given_name, row.family_name) = (given, family);
    row.desk_id = Some(o.desk_id.clone());
    row.assignee_id = rng.chance(0.85).then(|| o.operator_id.clone());
    row.reference_code = reference_code(&o.code, chrono::Datelike::year(&opened), number);
    row.status = status.as_str().into();
    row.closure_reason = reason.map(|r| r.as_str().into());
    row.closed_at = closed_at;
    row.version = if closed { 3 } else { 2 };
    row.updated_at = closed_at.unwrap_or(opened);
    out.cases.push(row);
    out.family.extend(members);
    Ok(())
}

/// Names as written on the person's documents: mostly the demo's Latin transcriptions, sometimes two given
/// or two family names, and for a fifth of the people of some countries their own script.
fn names(rng: &mut Rng, p: &Person) -> (String, String) {
    if let Some(native) = NATIVE.iter().find(|n| n.country == p.country.code)
        && rng.chance(0.2)
    {
        let given = if p.sex == Sex::Female { native.women } else { native.men };
        return (one_of(rng, given).into(), one_of(rng, native.families).into());
    }
    let mut given = p.given_name.to_string();
    if rng.chance(0.25) {
        given = format!("{given} {}", people::given_name(rng, p.country, p.sex));
    }
    let mut family = p.family_name.to_string();
    if rng.chance(0.3) {
        family = format!("{family} {}", people::family_name(rng, p.country));
    }
    (given, family)
}

fn one_of<'a>(rng: &mut Rng, list: &'a str) -> &'a str {
    let items: Vec<&str> = list.split('|').collect();
    let item: &&str = rng.pick(&items);
    item
}

/// About two per case: a spouse for most adults, then children.
fn family_members(
    rng: &mut Rng,
    p: &Person,
    family_name: &str,
    case_id: &str,
    created_by: &str,
    at: NaiveDateTime,
) -> Vec<FamilyMemberRow> {
    let count = *rng.weighted(&[(0usize, 20), (1, 15), (2, 25), (3, 25), (4, 15)]);
    (0..count)
        .map(|i| {
            let spouse = i == 0 && p.age >= 20;
            let (relationship, sex, age) = if spouse {
                let sex = if p.sex == Sex::Female { Sex::Male } else { Sex::Female };
                (Relationship::Spouse, sex, (p.age + rng.range(-6, 6)).max(18))
            } else {
                let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
                (Relationship::Child, sex, rng.range(0, (p.age - 18).clamp(0, 25)))
            };
            FamilyMemberRow {
                id: rng.id_at(at),
                case_id: case_id.into(),
                relationship: relationship.as_str().into(),
                given_name: people::given_name(rng, p.country, sex).into(),
                family_name: family_name.into(),
                sex: Some(sex.as_str().into()),
                birth_date: Some(at.date() - Duration::days(age * 365 + rng.range(0, 364))),
                citizenship: Some(p.country.code.into()),
                tax_code: None,
                lives_with_beneficiary: age < 18 || rng.chance(0.7),
                dependent: age < 18,
                notes: None,
                created_by: created_by.into(),
                deleted_at: None,
                version: 1,
                created_at: at,
                updated_at: at,
            }
        })
        .collect()
}

/// A referral sent at `at`, answered and closed as most are, with times for the medians.
#[allow(clippy::too_many_arguments)]
fn referral(
    rng: &mut Rng,
    net: &Network,
    o: &Organization,
    case_id: &str,
    consent_id: &str,
    need: Need,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> ReferralRow {
    let provider = rng.pick(&net.providers);
    let urgent = rng.chance(0.15);
    let answered = at + Duration::hours(rng.range(2, if urgent { 72 } else { 240 }));
    let closes = answered + Duration::days(rng.range(1, 60));
    let (status, answered_at, closed_at) = match rng.below(10) {
        _ if answered > now => (ReferralStatus::Requested, None, None),
        0 => (ReferralStatus::Rejected, Some(answered), Some(answered)),
        1..=3 => (ReferralStatus::Accepted, Some(answered), None),
        _ if closes > now => (ReferralStatus::InProgress, Some(answered), None),
        _ => (ReferralStatus::Completed, Some(answered), Some(closes)),
    };
    ReferralRow {
        id: rng.id_at(at),
        case_id: case_id.into(),
        sender_organization_id: o.id.clone(),
        created_by: o.operator_id.clone(),
        provider_id: provider.id.clone(),
        service_id: None,
        receiving_organization_id: provider.organization_id.clone(),
        need: need.as_str().into(),
        urgency: (if urgent { Urgency::Urgent } else { Urgency::Routine }).as_str().into(),
        reason: "Invio per competenza".into(),
        due_on: Some(at.date() + Duration::days(if urgent { 7 } else { 30 })),
        consent_id: Some(consent_id.into()),
        consent_override_reason: None,
        status: status.as_str().into(),
        status_reason: (status == ReferralStatus::Rejected).then(|| "Non di competenza".into()),
        requested_at: Some(at),
        answered_at,
        closed_at,
        version: 1 + i64::from(answered_at.is_some()) + i64::from(closed_at.is_some()),
        created_at: at,
        updated_at: closed_at.or(answered_at).unwrap_or(at),
    }
}

/// Multi-row inserts on the concrete connection (they do not compile through MultiConnection), in
/// statements small enough for SQLite's 32 766 parameters.
fn insert_chunk(c: &mut DbConnection, chunk: &Chunk) -> Result<()> {
    macro_rules! bulk {
        ($conn:expr) => {{
            for rows in chunk.cases.chunks(500) {
                diesel::insert_into(schema::cases::table).values(rows).execute($conn)?;
            }
            for rows in chunk.family.chunks(1000) {
                diesel::insert_into(schema::family_members::table).values(rows).execute($conn)?;
            }
            for rows in chunk.interventions.chunks(1000) {
                diesel::insert_into(schema::interventions::table).values(rows).execute($conn)?;
            }
            for rows in chunk.consents.chunks(1000) {
                diesel::insert_into(schema::consents::table).values(rows).execute($conn)?;
            }
            for rows in chunk.referrals.chunks(1000) {
                diesel::insert_into(schema::referrals::table).values(rows).execute($conn)?;
            }
        }};
    }
    match c {
        DbConnection::Sqlite(c) => bulk!(c),
        DbConnection::Postgresql(c) => bulk!(c),
    }
    Ok(())
}

/// The next case an organization opens continues its numbering.
fn set_reference_counters(
    c: &mut DbConnection,
    net: &Network,
    last: &HashMap<(usize, i32), i64>,
) -> Result<()> {
    use schema::reference_counters as rc;
    for (&(org, year), &value) in last {
        diesel::insert_into(rc::table)
            .values((
                rc::organization_id.eq(&net.organizations[org].id),
                rc::year.eq(year),
                rc::last_value.eq(value),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Names in the script of the person's country, for the share of people registered that way.
struct Native {
    country: &'static str,
    men: &'static str,
    women: &'static str,
    families: &'static str,
}

const NATIVE: [Native; 7] = [
    Native {
        country: "UA",
        men: "Олександр|Андрій|Сергій|Дмитро|Микола|Василь",
        women: "Олена|Наталія|Оксана|Ірина|Галина|Тетяна",
        families: "Коваленко|Шевченко|Бондаренко|Ткаченко|Мельник|Кравченко|Бойко|Олійник",
    },
    Native {
        country: "CN",
        men: "伟|军|浩|建|磊|明",
        women: "秀英|美玲|燕|华|玲|芳",
        families: "胡|周|陈|王|林|张|叶|徐",
    },
    Native {
        country: "MA",
        men: "يوسف|محمد|رشيد|حمزة|سعيد|عبد القادر",
        women: "فاطمة|خديجة|نادية|سميرة|زينب|حنان",
        families: "العمراني|بنعلي|بوزيد|الإدريسي|الطاهري|حداد",
    },
    Native {
        country: "EG",
        men: "أحمد|محمود|مصطفى|كريم|طارق|عمرو",
        women: "منى|هبة|ياسمين|رانيا|دينا|نهى",
        families: "حسن|إبراهيم|عبد الرحمن|منصور|فاروق|صالح",
    },
    Native {
        country: "BD",
        men: "রহিম|কামাল|সোহেল|মিজানুর|শহিদুল|রফিক",
        women: "নাসরিন|শিরিন|ফারজানা|তসলিমা|রুপা|শারমিন",
        families: "রহমান|হোসেন|ইসলাম|উদ্দিন|আক্তার|চৌধুরী",
    },
    Native {
        country: "IN",
        men: "गुरप्रीत|हरजीत|मनप्रीत|राजेश|अमरजीत|सुखविंदर",
        women: "हरप्रीत|जसप्रीत|सिमरनजीत|प्रिया|नवदीप|कुलविंदर",
        families: "सिंह|कौर|शर्मा|गिल|संधू|कुमार",
    },
    Native {
        country: "PK",
        men: "محمد|عمران|آصف|بلال|عثمان|وقار",
        women: "عائشہ|ثنا|فاطمہ|نازیہ|رابعہ|شازیہ",
        families: "خان|احمد|حسین|بٹ|اقبال|ملک",
    },
];
