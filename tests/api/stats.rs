//! Statistics: figures checked against a small fixture counted by hand, suppression of small cells
//! (none recoverable from the totals an analyst can ask for), CSV and its escaping, who sees what.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::network::{consent, provider};
use crate::support::{TestApp, assert_problem, spawn_app, unique_code};

const YEAR: &str = "from=2026-01-01&to=2026-12-31";

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// One organization of the Crema district with an operator, a coordinator and an analyst.
struct Fixture {
    org: String,
    operator: String,
    coordinator: String,
    analyst: String,
    admin: String,
    /// Case ids by citizenship, in the order they were opened.
    cases: BTreeMap<&'static str, Vec<String>>,
}

async fn organization(app: &TestApp, admin: &str, district: &str) -> String {
    let code = unique_code();
    let body =
        json!({"name": format!("Comune {code}"), "kind": "municipality", "code": code, "district": district});
    let res = app.post("/api/v1/organizations", Some(admin), &body).await;
    res.expect_status(201);
    res.id()
}

async fn open(
    app: &TestApp,
    token: &str,
    citizenship: &str,
    sex: &str,
    birth: &str,
    family: usize,
) -> String {
    let members: Vec<Value> = (0..family)
        .map(|i| json!({"relationship": "child", "given_name": format!("Figlio{i}"), "family_name": "Prova"}))
        .collect();
    let body = json!({"given_name": "Persona", "family_name": "Prova", "sex": sex, "birth_date": birth,
        "citizenship": citizenship, "needs": ["residence_permit", "housing"], "family_members": members});
    let res = app.post("/api/v1/cases", Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

/// In charge in 2026: MA 6 (F 4, M 2), SN 3 (M), IN 7 (F 3, M 4). Left out: a UA case closed in 2025 and
/// one opened in 2027. New in 2026: all but one MA case (opened 2025). Closed in 2026: one MA case.
/// Family members: 2 + 1 on MA cases, 1 on an SN case.
async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin_token().await;
    let org = organization(app, &admin, "Crema").await;
    let operator = app.user_token("operator", &org).await;
    let mut cases: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let people: [(&str, &str, &str, usize); 16] = [
        ("MA", "female", "1990-03-01", 2),
        ("MA", "female", "1985-07-10", 1),
        ("MA", "female", "2001-01-20", 0),
        ("MA", "female", "1970-11-30", 0),
        ("MA", "male", "1995-05-05", 0),
        ("MA", "male", "1995-06-06", 0),
        ("SN", "male", "1999-02-02", 1),
        ("SN", "male", "1988-08-08", 0),
        ("SN", "male", "1980-01-01", 0),
        ("IN", "female", "1992-04-04", 0),
        ("IN", "female", "1993-04-04", 0),
        ("IN", "female", "2010-04-04", 0),
        ("IN", "male", "1975-04-04", 0),
        ("IN", "male", "1976-04-04", 0),
        ("IN", "male", "1977-04-04", 0),
        ("IN", "male", "1978-04-04", 0),
    ];
    for (citizenship, sex, birth, family) in people {
        let id = open(app, &operator, citizenship, sex, birth, family).await;
        app.set_time(&format!("UPDATE cases SET created_at = $1 WHERE id = '{id}'"), at("2026-03-10 09:00"));
        cases.entry(citizenship).or_default().push(id);
    }
    let first_ma = cases["MA"][0].clone();
    app.set_time(
        &format!("UPDATE cases SET created_at = $1 WHERE id = '{first_ma}'"),
        at("2025-05-01 09:00"),
    );
    let closed = cases["MA"][5].clone();
    app.set_time(
        &format!("UPDATE cases SET status = 'closed', closure_reason = 'goals_achieved', closed_at = $1 WHERE id = '{closed}'"),
        at("2026-09-01 12:00"),
    );
    let gone = open(app, &operator, "UA", "female", "1991-01-01", 0).await;
    app.set_time(&format!("UPDATE cases SET created_at = $1 WHERE id = '{gone}'"), at("2025-06-01 09:00"));
    app.set_time(
        &format!("UPDATE cases SET status = 'closed', closure_reason = 'goals_achieved', closed_at = $1 WHERE id = '{gone}'"),
        at("2025-12-01 09:00"),
    );
    let later = open(app, &operator, "UA", "male", "1991-01-01", 0).await;
    app.set_time(&format!("UPDATE cases SET created_at = $1 WHERE id = '{later}'"), at("2027-02-01 09:00"));
    Fixture {
        coordinator: app.user_token("coordinator", &org).await,
        analyst: app.user_token("analyst", &org).await,
        admin,
        org,
        operator,
        cases,
    }
}

fn values(row: &Value) -> Value {
    row["values"].clone()
}

/// The rows of a table by their dimension values, joined with `/`.
fn by_key(table: &Value) -> BTreeMap<String, Value> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = table["group_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| r["dimensions"][d.as_str().unwrap()].as_str().unwrap_or("-").to_string())
                .collect::<Vec<_>>()
                .join("/");
            (key, values(r))
        })
        .collect()
}

#[actix_web::test]
async fn cases_in_charge_counted_by_hand() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let res =
        app.get(&format!("/api/v1/stats/cases?{YEAR}&group_by=citizenship"), Some(&f.coordinator)).await;
    res.expect_status(200);
    let t = &res.body;
    assert_eq!(t["suppression"]["applied"], false);
    assert_eq!(t["organization_id"], f.org.as_str());
    assert_eq!(t["measures"], json!(["in_charge", "new", "closed", "family_members"]));
    let rows = by_key(t);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["IN", "MA", "SN"]);
    assert_eq!(rows["MA"], json!({"in_charge": 6, "new": 5, "closed": 1, "family_members": 3}));
    assert_eq!(rows["SN"], json!({"in_charge": 3, "new": 3, "closed": 0, "family_members": 1}));
    assert_eq!(rows["IN"], json!({"in_charge": 7, "new": 7, "closed": 0, "family_members": 0}));
    assert_eq!(values(&t["total"]), json!({"in_charge": 16, "new": 15, "closed": 1, "family_members": 4}));

    // Two dimensions, and the age band at the end of the period (31 December 2026).
    let res =
        app.get(&format!("/api/v1/stats/cases?{YEAR}&group_by=citizenship,sex"), Some(&f.coordinator)).await;
    let rows = by_key(&res.body);
    assert_eq!(rows["MA/female"]["in_charge"], 4);
    assert_eq!(rows["IN/male"]["in_charge"], 4);
    assert_eq!(rows.len(), 5);
    let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&group_by=age_band"), Some(&f.coordinator)).await;
    let bands: BTreeMap<String, i64> =
        by_key(&res.body).into_iter().map(|(k, v)| (k, v["in_charge"].as_i64().unwrap())).collect();
    // 2010 → 16: 0-17; 2001-01-20 → 25; 1999 → 27; 1995 ×2, 1992, 1993 → 31..34; 1990, 1988 → 36, 38;
    // 1985 → 41; 1980, 1975..1978 → 46..51; 1970 → 56.
    let expected: BTreeMap<String, i64> =
        [("0-17", 1), ("25-34", 6), ("35-44", 3), ("45-54", 5), ("55-64", 1)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
    assert_eq!(bands, expected);
    // A case counts once under each of its needs.
    let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&group_by=need"), Some(&f.coordinator)).await;
    let rows = by_key(&res.body);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["housing", "residence_permit"]);
    assert_eq!(rows["housing"]["in_charge"], 16);

    // The period moves what is counted: in 2025 only the two cases opened then were in charge.
    let res = app.get("/api/v1/stats/cases?from=2025-01-01&to=2025-12-31", Some(&f.coordinator)).await;
    assert_eq!(
        values(&res.body["total"]),
        json!({"in_charge": 2, "new": 2, "closed": 1, "family_members": 2})
    );
    // Filters: a district with no organization of the fixture counts nothing.
    let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&district=Lodi"), Some(&f.admin)).await;
    assert_eq!(values(&res.body["total"])["in_charge"], 0);
    assert!(res.body["rows"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn interventions_referrals_and_activations_counted_by_hand() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let (ma, ind) = (&f.cases["MA"], &f.cases["IN"]);
    let intervention = |kind: &str, on: &str, minutes: i64| json!({"kind": kind, "occurred_on": on, "duration_minutes": minutes, "summary": "Colloquio"});
    let mut posts = vec![
        (ma[0].clone(), intervention("listening", "2026-03-15", 30)),
        (ma[0].clone(), intervention("legal_advice", "2026-04-01", 60)),
        (ma[0].clone(), intervention("listening", "2025-12-31", 45)),
    ];
    for id in ind {
        posts.push((id.clone(), intervention("orientation", "2026-05-04", 20)));
    }
    for (case, body) in posts {
        app.post(&format!("/api/v1/cases/{case}/interventions"), Some(&f.operator), &body)
            .await
            .expect_status(201);
    }
    let res =
        app.get(&format!("/api/v1/stats/interventions?{YEAR}&group_by=kind"), Some(&f.coordinator)).await;
    res.expect_status(200);
    let rows = by_key(&res.body);
    assert_eq!(rows["listening"], json!({"people": 1, "interventions": 1, "minutes": 30}));
    assert_eq!(rows["legal_advice"], json!({"people": 1, "interventions": 1, "minutes": 60}));
    assert_eq!(rows["orientation"], json!({"people": 7, "interventions": 7, "minutes": 140}));
    // A person with two kinds of intervention is one person in the total.
    assert_eq!(values(&res.body["total"]), json!({"people": 8, "interventions": 9, "minutes": 230}));

    // Referrals to a police office: accepted after 10 h then completed after 100 h; accepted after 20 h and
    // still in progress; rejected after 5 h; and one sent in 2025.
    let police = provider(&app, None, "Questura di Cremona").await;
    let mut ids = Vec::new();
    for case in &ma[0..4] {
        consent(&app, &f.operator, case, json!({"purpose": "network_sharing"})).await;
        let body = json!({"provider_id": police, "need": "residence_permit", "urgency": "routine", "reason": "Rinnovo"});
        let res = app.post(&format!("/api/v1/cases/{case}/referrals"), Some(&f.operator), &body).await;
        res.expect_status(201);
        ids.push(res.id());
    }
    let set = |id: &str, column: &str, status: Option<&str>, t: &str| {
        let status = status.map(|s| format!(", status = '{s}'")).unwrap_or_default();
        app.set_time(&format!("UPDATE referrals SET {column} = $1{status} WHERE id = '{id}'"), at(t));
    };
    set(&ids[0], "requested_at", None, "2026-03-01 10:00");
    set(&ids[0], "answered_at", None, "2026-03-01 20:00");
    set(&ids[0], "closed_at", Some("completed"), "2026-03-05 14:00");
    set(&ids[1], "requested_at", None, "2026-03-02 10:00");
    set(&ids[1], "answered_at", Some("in_progress"), "2026-03-03 06:00");
    set(&ids[2], "requested_at", None, "2026-03-03 10:00");
    set(&ids[2], "answered_at", None, "2026-03-03 15:00");
    set(&ids[2], "closed_at", Some("rejected"), "2026-03-03 15:00");
    set(&ids[3], "requested_at", None, "2025-12-01 10:00");
    let res = app
        .get(
            &format!("/api/v1/stats/referrals?{YEAR}&group_by=provider_category,outcome"),
            Some(&f.coordinator),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.body["rows"].as_array().unwrap().len(), 3);
    let res = app
        .get(&format!("/api/v1/stats/referrals?{YEAR}&group_by=provider_category"), Some(&f.coordinator))
        .await;
    assert_eq!(
        by_key(&res.body)["police_immigration_office"],
        json!({"people": 3, "referrals": 3, "accepted": 2, "rejected": 1, "completed": 1,
            "median_hours_to_acceptance": 15.0, "median_hours_to_completion": 100.0})
    );

    // Activations (interviews without a case, in Arabic): confirmed 3 h after an urgent request (in time),
    // 50 h after a standard one (late), one never confirmed (overdue), one cancelled before its deadline.
    let mut ids = Vec::new();
    for urgency in ["urgent", "standard", "standard", "urgent"] {
        let now = app.clock.now();
        let body = json!({"person_name": "Colloquio", "kind": "intercultural_mediator", "language": "ar",
            "scheduled_at": format!("{}Z", (now + chrono::Duration::days(3)).format("%Y-%m-%dT%H:%M:%S")),
            "place": "Servizio sociale", "duration_minutes": 60, "urgency": urgency});
        let res = app.post("/api/v1/activations", Some(&f.operator), &body).await;
        res.expect_status(201);
        ids.push(res.id());
    }
    let set = |id: &str, sql: &str, t: &str| {
        app.set_time(&format!("UPDATE activations SET {sql} WHERE id = '{id}'"), at(t));
    };
    set(&ids[0], "requested_at = $1", "2026-06-01 08:00");
    set(&ids[0], "deadline_at = $1", "2026-06-02 08:00");
    set(&ids[0], "confirmed_at = $1, status = 'confirmed'", "2026-06-01 11:00");
    set(&ids[1], "requested_at = $1", "2026-06-02 08:00");
    set(&ids[1], "deadline_at = $1", "2026-06-04 08:00");
    set(&ids[1], "confirmed_at = $1, status = 'confirmed'", "2026-06-04 10:00");
    set(&ids[2], "requested_at = $1", "2026-06-03 08:00");
    set(&ids[2], "deadline_at = $1", "2026-06-05 08:00");
    set(&ids[3], "requested_at = $1", "2026-06-03 09:00");
    set(&ids[3], "deadline_at = $1", "2026-06-04 09:00");
    set(&ids[3], "updated_at = $1, status = 'cancelled'", "2026-06-03 12:00");
    let res =
        app.get(&format!("/api/v1/stats/activations?{YEAR}&group_by=language"), Some(&f.coordinator)).await;
    res.expect_status(200);
    assert_eq!(
        by_key(&res.body)["ar"],
        json!({"people": 4, "activations": 4, "confirmed_within_deadline": 1, "overdue": 2,
            "sla_compliance_percent": 33.3, "median_hours_to_confirmation": 26.5})
    );
}

/// Whether a hidden cell of `fine` can be worked out: along some dimension, a line of cells agreeing on
/// the others hides exactly one of them while its total is shown in `coarse` (the same table without
/// that dimension).
fn recoverable(fine: &Value, coarse: &BTreeMap<usize, Value>, measure: &str) -> Vec<String> {
    let dims: Vec<String> =
        fine["group_by"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().into()).collect();
    let mut found = Vec::new();
    for (drop, _) in dims.iter().enumerate() {
        let mut lines: BTreeMap<Vec<String>, Vec<bool>> = BTreeMap::new();
        for r in fine["rows"].as_array().unwrap() {
            let rest: Vec<String> = dims
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, d)| r["dimensions"][d].as_str().unwrap_or("-").to_string())
                .collect();
            lines.entry(rest).or_default().push(r["values"][measure].is_null());
        }
        for (rest, hidden) in lines {
            if hidden.iter().filter(|h| **h).count() != 1 {
                continue;
            }
            let table = &coarse[&drop];
            let total_shown = if rest.is_empty() {
                !table["total"]["values"][measure].is_null()
            } else {
                by_key(table).get(&rest.join("/")).is_some_and(|v| !v[measure].is_null())
            };
            if total_shown {
                found.push(format!("{measure} along {} at {rest:?}", dims[drop]));
            }
        }
    }
    found
}

#[actix_web::test]
async fn analysts_never_see_a_small_cell_nor_one_they_could_work_out() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let get = |query: String| {
        let (app, token) = (&app, f.analyst.clone());
        async move {
            let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&{query}"), Some(&token)).await;
            res.expect_status(200);
            res.body.clone()
        }
    };
    let by_citizenship = get("group_by=citizenship".into()).await;
    assert_eq!(by_citizenship["suppression"]["applied"], true);
    let rows = by_key(&by_citizenship);
    // SN (3) is small; MA (6), the smallest other, is hidden with it; IN (7) and the total are shown.
    assert!(rows["SN"]["in_charge"].is_null());
    assert!(rows["MA"]["in_charge"].is_null());
    assert_eq!(rows["IN"]["in_charge"], 7);
    assert_eq!(values(&by_citizenship["total"])["in_charge"], 16);
    // A small count of people inside a shown cell goes too: the total's single closure and 4 family members.
    assert!(values(&by_citizenship["total"])["closed"].is_null());
    assert!(values(&by_citizenship["total"])["family_members"].is_null());
    let sn_row =
        by_citizenship["rows"].as_array().unwrap().iter().find(|r| r["dimensions"]["citizenship"] == "SN");
    assert_eq!(sn_row.unwrap()["suppressed"], json!(["in_charge", "new", "closed", "family_members"]));

    // No shown count of people anywhere is below 5, and nothing hidden can be subtracted out of a coarser
    // table the analyst can also ask for.
    let by_sex = get("group_by=sex".into()).await;
    let total = get(String::new()).await;
    let fine = get("group_by=citizenship,sex".into()).await;
    for table in [&by_citizenship, &by_sex, &total, &fine] {
        for r in table["rows"].as_array().unwrap().iter().chain([&table["total"]]) {
            for m in ["in_charge", "new", "closed", "family_members"] {
                if let Some(n) = r["values"][m].as_i64() {
                    assert!(n == 0 || n >= 5, "{m} = {n} shown in {table}");
                }
            }
        }
    }
    for m in ["in_charge", "new", "closed", "family_members"] {
        let coarse = BTreeMap::from([(0, by_sex.clone()), (1, by_citizenship.clone())]);
        assert_eq!(recoverable(&fine, &coarse, m), Vec::<String>::new());
        for one in [&by_citizenship, &by_sex] {
            assert_eq!(recoverable(one, &BTreeMap::from([(0, total.clone())]), m), Vec::<String>::new());
        }
    }
    assert!(fine["suppression"]["hidden_values"].as_u64().unwrap() > 0);

    // A coordinator sees exact figures, and may ask for the suppressed table to publish it.
    let exact =
        app.get(&format!("/api/v1/stats/cases?{YEAR}&group_by=citizenship"), Some(&f.coordinator)).await;
    assert_eq!(by_key(&exact.body)["SN"]["in_charge"], 3);
    let published = app
        .get(&format!("/api/v1/stats/cases?{YEAR}&group_by=citizenship&suppress=true"), Some(&f.coordinator))
        .await;
    assert!(by_key(&published.body)["SN"]["in_charge"].is_null());
    // An analyst cannot turn it off.
    let res = app
        .get(&format!("/api/v1/stats/cases?{YEAR}&group_by=citizenship&suppress=false"), Some(&f.analyst))
        .await;
    assert!(by_key(&res.body)["SN"]["in_charge"].is_null());
}

#[actix_web::test]
async fn csv_on_request_with_formulas_neutralised() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    // A residence municipality typed as a formula must reach the spreadsheet as text.
    for id in &f.cases["IN"] {
        app.patch(
            &format!("/api/v1/cases/{id}"),
            Some(&f.operator),
            &json!({"residence_municipality": "=HYPERLINK(\"http://x.example\",\"Crema\")"}),
            Some("\"1\""),
        )
        .await
        .expect_status(200);
    }
    let res = app
        .send_raw(
            actix_web::http::Method::GET,
            &format!("/api/v1/stats/cases?{YEAR}&group_by=residence_municipality"),
            Some(&f.analyst),
            None,
            Vec::new(),
            &[("Accept", "text/csv")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.header("content-disposition").unwrap().contains("cases-2026-01-01-2026-12-31.csv"));
    assert!(res.header("vary").unwrap().split(", ").any(|v| v == "Accept"));
    let lines: Vec<&str> = res.text.split("\r\n").collect();
    assert_eq!(lines[0], "residence_municipality,in_charge,new,closed,family_members");
    // Unknown municipality (9 cases) first, then the formula, quoted and defused; then the total. The one
    // closure and the 4 family members are small: hidden with their only partner (a 0) and in the total.
    assert_eq!(lines[1], ",9,8,c,c");
    assert_eq!(lines[2], "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"Crema\"\")\",7,7,c,c");
    assert_eq!(lines[3], "(total),16,15,c,c");
    assert_eq!(lines[4], "");
    // JSON stays the default.
    let res = app.get(&format!("/api/v1/stats/cases?{YEAR}"), Some(&f.analyst)).await;
    assert!(res.header("content-type").unwrap().starts_with("application/json"));
}

#[actix_web::test]
async fn who_sees_which_figures_and_bad_queries() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let admin = &f.admin;
    let other = organization(&app, admin, "Lodi").await;
    let other_coordinator = app.user_token("coordinator", &other).await;
    // A coordinator gets their own organization's figures, whatever they ask; never another's.
    let res = app.get(&format!("/api/v1/stats/cases?{YEAR}"), Some(&other_coordinator)).await;
    assert_eq!(values(&res.body["total"])["in_charge"], 0);
    let res = app
        .get(&format!("/api/v1/stats/cases?{YEAR}&organization_id={}", f.org), Some(&other_coordinator))
        .await;
    assert_problem(&res, 403, ":forbidden");
    // Admins and analysts see the network, or one organization or district of it.
    for token in [admin, &f.analyst] {
        let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&district=Crema"), Some(token)).await;
        assert_eq!(values(&res.body["total"])["in_charge"], 16);
        let res = app.get(&format!("/api/v1/stats/cases?{YEAR}&organization_id={other}"), Some(token)).await;
        assert_eq!(values(&res.body["total"])["in_charge"], 0);
    }
    // Operators work cases, they do not read statistics.
    assert_problem(&app.get("/api/v1/stats/cases", Some(&f.operator)).await, 403, ":forbidden");
    // The default period is this year to date.
    let res = app.get("/api/v1/stats/referrals", Some(admin)).await;
    res.expect_status(200);
    let today = sportello::domain::local_time::italian(app.clock.now()).date();
    assert_eq!(res.body["to"], today.to_string());
    assert_eq!(res.body["from"], format!("{}-01-01", today.format("%Y")));
    // Bad queries are 400 and name the parameter.
    for (query, field) in [
        ("group_by=kind", "group_by"),
        ("group_by=sex,status,need,desk", "group_by"),
        ("group_by=sex,", "group_by"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=yesterday", "from"),
        ("district=", "district"),
    ] {
        let res = app.get(&format!("/api/v1/stats/cases?{query}"), Some(admin)).await;
        assert_problem(&res, 400, ":invalid_query");
        assert_eq!(res.body["errors"][0]["field"], field, "{query}: {}", res.text);
    }
}

/// The indexes the statistics rely on (src/db/stats.rs): SQLite's planner picks them whatever the table
/// sizes, so its plan is checked; PostgreSQL chooses by its statistics and is left to the benchmarks.
#[actix_web::test]
async fn statistics_read_the_period_through_its_indexes() {
    use sportello::db::stats::{StatsRequest, sqlite_plan};
    use sportello::domain::stats::Dataset;
    let app = spawn_app().await;
    let mut conn = app.database().get().unwrap();
    let request = |dataset, organization: Option<&str>| StatsRequest {
        dataset,
        group_by: vec![],
        from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        from_at: at("2025-12-31 23:00"),
        to_at: at("2026-12-31 23:00"),
        organization_id: organization.map(str::to_string),
        desk_id: None,
        district: None,
        now: at("2026-11-24 09:00"),
    };
    for (dataset, organization, index) in [
        (Dataset::Cases, Some("o"), "cases_organization_created"),
        // A year of the network's interventions is millions of rows: read from the index alone, with the
        // case's deleted_at from another (migration 000014).
        (Dataset::Interventions, None, "COVERING INDEX interventions_stats"),
        (Dataset::Interventions, None, "COVERING INDEX cases_live"),
        (Dataset::Referrals, None, "COVERING INDEX cases_live"),
        (Dataset::Interventions, Some("o"), "interventions_organization"),
        (Dataset::Referrals, None, "referrals_requested"),
        (Dataset::Referrals, Some("o"), "referrals_sender_requested"),
        (Dataset::Activations, None, "activations_requested"),
        (Dataset::Activations, Some("o"), "activations_organization_requested"),
        (Dataset::Contacts, None, "desk_contacts_occurred"),
        (Dataset::Contacts, Some("o"), "desk_contacts_organization_occurred"),
    ] {
        let Some(plan) = sqlite_plan(&mut conn, &request(dataset, organization)).unwrap() else {
            return; // PostgreSQL
        };
        assert!(plan.iter().any(|step| step.contains(index)), "{dataset} {organization:?}: {plan:#?}");
    }
}
