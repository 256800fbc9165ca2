//! `sportello seed-demo`: the demo network loads into a fresh database, its users log in and its worklists
//! are not empty; a second run changes nothing; a database holding other data is refused.

use std::collections::BTreeSet;

use diesel::prelude::*;
use serde_json::Value;
use sportello::demo::{self, DEFAULT_PASSWORD, data::MUNICIPALITIES};

use crate::support::{TestApp, spawn_app, unique_code};

fn seed(app: &TestApp) -> sportello::error::Result<demo::SeedReport> {
    let db = app.database();
    let mut conn = db.get().unwrap();
    demo::seed(&mut conn, app.clock.now(), DEFAULT_PASSWORD)
}

/// How many rows of each table the demo fills, read straight from the database.
fn row_counts(app: &TestApp) -> Vec<i64> {
    use sportello::db::schema::*;
    let db = app.database();
    let mut c = db.get().unwrap();
    let c = &mut *c;
    vec![
        organizations::table.count().get_result(c).unwrap(),
        users::table.count().get_result(c).unwrap(),
        cases::table.count().get_result(c).unwrap(),
        family_members::table.count().get_result(c).unwrap(),
        interventions::table.count().get_result(c).unwrap(),
        referrals::table.count().get_result(c).unwrap(),
        activations::table.count().get_result(c).unwrap(),
        changes::table.count().get_result(c).unwrap(),
    ]
}

/// Every item of a list, page after page.
async fn all(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit=200");
    loop {
        let res = app.get(&url, Some(token)).await;
        res.expect_status(200);
        items.extend(res.body["items"].as_array().unwrap().iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{sep}limit=200&cursor={cursor}"),
            None => return items,
        }
    }
}

async fn count(app: &TestApp, path: &str, token: &str) -> usize {
    all(app, path, token).await.len()
}

#[actix_web::test]
async fn the_demo_network_loads_and_every_role_finds_work_in_it() {
    let app = spawn_app().await;
    let started = std::time::Instant::now();
    let report = seed(&app).unwrap();
    eprintln!("seeded in {:?}: {:?}", started.elapsed(), report.counts);
    assert!(!report.already_seeded);
    assert_eq!(report.municipalities, 48);
    assert_eq!(report.counts.cases, 300);
    assert_eq!(report.counts.organizations, 9);
    assert!(report.counts.professionals >= 15 && report.counts.professionals <= 25);
    assert!(report.counts.interventions >= 900, "{:?}", report.counts);
    assert!(report.counts.referrals >= 200 && report.counts.family_members >= 100, "{:?}", report.counts);
    assert!(report.counts.activations >= 60, "{:?}", report.counts);
    assert!(report.counts.desk_contacts >= 500, "{:?}", report.counts);
    assert!(report.to_string().contains("demo.crema.coord"));

    // The admin sees every case, living in every one of the district's municipalities.
    let admin = app.admin_token().await;
    let cases = all(&app, "/api/v1/cases", &admin).await;
    assert_eq!(cases.len(), 300);
    let living: BTreeSet<&str> = cases.iter().filter_map(|c| c["residence_municipality"].as_str()).collect();
    let district: BTreeSet<&str> = MUNICIPALITIES.iter().map(|(name, _)| *name).collect();
    assert_eq!(living, district);
    assert!(cases.iter().all(|c| c["reference_code"].as_str().unwrap().starts_with("DEMO-")));
    let statuses: BTreeSet<&str> = cases.iter().filter_map(|c| c["status"].as_str()).collect();
    assert_eq!(statuses, BTreeSet::from(["active", "closed", "open", "suspended"]));

    // The municipal desk's coordinator and operators work their cases and their worklists.
    let coordinator = app.token("demo.crema.coord", DEFAULT_PASSWORD).await;
    let theirs = count(&app, "/api/v1/cases", &coordinator).await;
    assert!((100..300).contains(&theirs), "{theirs}");
    let soon = app.clock.now().date() + chrono::Days::new(60);
    let expiring = count(&app, &format!("/api/v1/cases?permit_expires_before={soon}"), &coordinator).await;
    let inactive = count(&app, "/api/v1/cases?inactive_days=60", &coordinator).await;
    let overdue_referrals = count(&app, "/api/v1/referrals?overdue=true", &coordinator).await;
    assert!(count(&app, "/api/v1/desk-contacts?channel=phone", &coordinator).await >= 1);
    let overdue_activations = count(&app, "/api/v1/activations?overdue=true", &admin).await;
    eprintln!(
        "worklists: {expiring} permits, {inactive} inactive, {overdue_referrals} referrals, {overdue_activations} activations"
    );
    assert!(expiring >= 5 && inactive >= 5 && overdue_referrals >= 3 && overdue_activations >= 2);
    let overdue_actions = count(&app, "/api/v1/plan-actions?overdue=true", &coordinator).await;
    let past_review = count(&app, "/api/v1/plans?past_review=true", &coordinator).await;
    eprintln!("plan worklists: {overdue_actions} overdue actions, {past_review} plans past review");
    assert!(overdue_actions >= 3 && past_review >= 3);
    // The courses: last year's completed, this year's running and full with a waiting list, one planned.
    let courses = all(&app, "/api/v1/courses", &coordinator).await;
    let statuses: Vec<&str> = courses.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    let running = courses.iter().find(|c| c["status"] == "running").unwrap();
    assert_eq!(running["counts"]["places_left"], 0);
    assert!(
        running["counts"]["waiting"].as_i64().unwrap() >= 1
            && running["counts"]["attendance_rate"].is_number()
    );
    let completed = courses.iter().find(|c| c["status"] == "completed").unwrap();
    assert!(completed["counts"]["completed"].as_i64().unwrap() >= 5);
    let waiting = format!("/api/v1/courses/{}/enrolments?status=waiting", running["id"].as_str().unwrap());
    assert!(count(&app, &waiting, &coordinator).await >= 1);
    let operator = app.token("demo.crema.op1", DEFAULT_PASSWORD).await;
    assert!(count(&app, "/api/v1/cases?assignee=me", &operator).await >= 30);
    let caritas = app.token("demo.caritas.op", DEFAULT_PASSWORD).await;
    assert!(count(&app, "/api/v1/cases", &caritas).await >= 80);

    // The other roles: the Questura receives referrals, the mediator has assignments, the analyst figures,
    // the district coordinator keeps the registry.
    let questura = app.token("demo.questura", DEFAULT_PASSWORD).await;
    assert!(count(&app, "/api/v1/referrals", &questura).await >= 10);
    let mediator = app.token("demo.mediatore", DEFAULT_PASSWORD).await;
    assert!(count(&app, "/api/v1/assignments", &mediator).await >= 1);
    let analyst = app.token("demo.analista", DEFAULT_PASSWORD).await;
    let (from, to) = (report.from, report.to);
    let sla = app.get(&format!("/api/v1/activations/sla?from={from}&to={to}"), Some(&analyst)).await;
    sla.expect_status(200);
    assert!(sla.body["requests"].as_i64().unwrap() >= 60, "{}", sla.text);
    assert!(sla.body["confirmed_within_deadline"].as_i64().unwrap() >= 30, "{}", sla.text);
    assert!(sla.body["overdue"].as_i64().unwrap() >= 5, "{}", sla.text);
    // Every statistic has figures to show the analyst, suppression notwithstanding.
    for (table, dimension, shown) in [
        ("cases", "citizenship", 8),
        ("cases", "residence_municipality", 3),
        ("interventions", "kind", 8),
        ("referrals", "provider_category", 6),
        ("activations", "language", 3),
        ("contacts", "topic", 8),
        ("contacts", "desk", 2),
    ] {
        let url = format!("/api/v1/stats/{table}?from={from}&to={to}&group_by={dimension}");
        let res = app.get(&url, Some(&analyst)).await;
        res.expect_status(200);
        let rows = res.body["rows"].as_array().unwrap();
        let population = res.body["measures"][0].as_str().unwrap();
        let visible = rows.iter().filter(|r| !r["values"][population].is_null()).count();
        assert!(visible >= shown, "{table} by {dimension}: {visible} rows shown of {}", rows.len());
        assert!(res.body["total"]["values"][population].as_i64().unwrap() >= 50, "{}", res.text);
    }
    let district = app.token("demo.ambito", DEFAULT_PASSWORD).await;
    assert!(count(&app, "/api/v1/professionals?language=ar", &district).await >= 2);

    // The change feed numbered every new row.
    let db = app.database();
    let mut conn = db.get().unwrap();
    assert_eq!(sportello::db::changes::unnumbered(&mut conn).unwrap(), 0);
    assert!(sportello::db::changes::last_sequence(&mut conn).unwrap() > 2000);
}

#[actix_web::test]
async fn seeding_again_changes_nothing() {
    let app = spawn_app().await;
    assert!(!seed(&app).unwrap().already_seeded);
    let before = row_counts(&app);
    let again = seed(&app).unwrap();
    assert!(again.already_seeded);
    assert_eq!(row_counts(&app), before);
    assert_eq!(app.audit_count("demo.seed", None), 1);
    assert!(again.to_string().contains("already loaded"));
}

#[actix_web::test]
async fn a_database_with_other_data_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_organization(&admin, &unique_code()).await;
    let before = row_counts(&app);
    match seed(&app) {
        Err(sportello::error::Error::Conflict { code: "not_a_demo_database", detail }) => {
            assert!(detail.contains("organizations: 1"), "{detail}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(row_counts(&app), before, "nothing was written");

    // A user of the platform besides the admin is someone else's data too.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, None, "analyst", &crate::support::unique_username("analyst")).await;
    assert!(matches!(seed(&app), Err(sportello::error::Error::Conflict { code: "not_a_demo_database", .. })));
}
