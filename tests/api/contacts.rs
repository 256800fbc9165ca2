//! Desk contacts (the front office): recording, listing by desk and period, linking to a case, opening a
//! case from a contact, who sees which contacts, and their statistics.

use serde_json::{Value, json};

use crate::cases::amina;
use crate::network::provider;
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app, unique_code};

/// An organization with a desk, a coordinator and an operator.
struct Desk {
    org: String,
    desk: String,
    coordinator: String,
    operator: String,
}

async fn desk(app: &TestApp, admin: &str) -> Desk {
    let org = app.create_organization(admin, &unique_code()).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let body = json!({"name": "Sportello Via Aselli", "municipality": "Cremona", "languages": ["it", "fr"],
        "opening_hours": [{"weekday": 3, "opens": "12:00", "closes": "15:00"}]});
    let res = app.post("/api/v1/desks", Some(&coordinator), &body).await;
    res.expect_status(201);
    Desk { desk: res.id(), operator: app.user_token("operator", &org).await, coordinator, org }
}

fn contact(desk: &str, at: &str, channel: &str, topics: &[&str]) -> Value {
    json!({"desk_id": desk, "occurred_at": at, "channel": channel, "topics": topics,
        "sex": "female", "age_band": "25-34", "citizenship": "ma",
        "answer": "Explained the renewal kit and the documents to bring"})
}

async fn record(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post("/api/v1/desk-contacts", Some(token), body).await;
    res.expect_status(201);
    res.body.clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn contacts_are_recorded_listed_by_desk_and_period_and_corrected() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let me = app.get("/api/v1/me", Some(&d.operator)).await.body["id"].as_str().unwrap().to_string();
    let questura = provider(&app, None, "Questura di Cremona").await;

    let mut first = contact(&d.desk, "2026-03-02T08:30:00Z", "in_person", &["residence_permit", "work"]);
    first["provider_id"] = json!(questura);
    first["orientation"] = json!("Immigration office, Thursday morning, with the passport");
    let res = app.post("/api/v1/desk-contacts", Some(&d.operator), &first).await;
    res.expect_status(201);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    let url = res.header("location").unwrap();
    let first = res.body.clone();
    assert_eq!(first["organization_id"], json!(d.org));
    assert_eq!(first["operator_id"], json!(me), "defaults to the caller");
    assert_eq!(first["citizenship"], "MA");
    assert_eq!(first["topics"], json!(["residence_permit", "work"]));
    assert_eq!(first["case_id"], Value::Null);
    assert_eq!(first["opened_case_at"], Value::Null);

    let second =
        record(&app, &d.operator, &contact(&d.desk, "2026-03-05T10:00:00Z", "phone", &["housing"])).await;
    // 22:30 UTC on 31 March is 00:30 on 1 April in Italy (summer time): outside a March period.
    let april =
        record(&app, &d.operator, &contact(&d.desk, "2026-03-31T22:30:00Z", "email", &["health"])).await;
    // Without a time, the contact is now.
    let now =
        json!({"desk_id": d.desk, "channel": "in_person", "topics": ["other"], "answer": "Opening hours"});
    let now = record(&app, &d.operator, &now).await;
    assert!(
        now["occurred_at"].as_str().unwrap().starts_with(&chrono::Utc::now().format("%Y-%m-%d").to_string())
    );

    let list = |q: &str| {
        let url = format!("/api/v1/desk-contacts?{q}");
        let token = d.operator.clone();
        let app = &app;
        async move { app.get(&url, Some(&token)).await }
    };
    let march = list(&format!("desk_id={}&from=2026-03-01&to=2026-03-31", d.desk)).await;
    march.expect_status(200);
    assert_eq!(ids(&march.body), vec![second["id"].as_str().unwrap(), first["id"].as_str().unwrap()]);
    let april_first = list("from=2026-04-01&to=2026-04-01").await;
    assert_eq!(ids(&april_first.body), vec![april["id"].as_str().unwrap()]);
    assert_eq!(ids(&list("channel=phone").await.body), vec![second["id"].as_str().unwrap()]);
    assert_eq!(ids(&list("topic=work").await.body), vec![first["id"].as_str().unwrap()]);
    assert_eq!(ids(&list("opened_case=false").await.body).len(), 4);
    assert_eq!(app.audit_count("desk_contact.list", None), 5, "every list is audited");

    // Corrections with If-Match; a stale version is refused and changes nothing.
    let patched = app
        .patch(
            &url,
            Some(&d.operator),
            &json!({"topics": ["residence_permit"], "provider_id": null}),
            Some("\"1\""),
        )
        .await;
    patched.expect_status(200);
    assert_eq!(patched.body["topics"], json!(["residence_permit"]));
    assert_eq!(patched.body["provider_id"], Value::Null);
    assert_eq!(patched.body["version"], 2);
    let stale = app.patch(&url, Some(&d.operator), &json!({"answer": "lost update"}), Some("\"1\"")).await;
    assert_eq!(stale.status, 412);
    let got = app.get(&url, Some(&d.operator)).await;
    got.expect_status(200);
    assert_eq!(got.body["answer"], first["answer"]);
    assert_eq!(app.audit_count("desk_contact.read", None), 1);

    app.delete(&url, Some(&d.operator)).await.expect_status(204);
    assert_problem(&app.get(&url, Some(&d.operator)).await, 404, ":not_found");
    assert_eq!(ids(&list("topic=residence_permit").await.body), Vec::<String>::new());
}

#[actix_web::test]
async fn bad_contacts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let other = desk(&app, &admin).await;

    let mut bad = contact(&d.desk, "2999-01-01T00:00:00Z", "fax", &[]);
    let res = app.post("/api/v1/desk-contacts", Some(&d.operator), &bad).await;
    assert_invalid_field(&res, "channel");
    bad["channel"] = json!("phone");
    let res = app.post("/api/v1/desk-contacts", Some(&d.operator), &bad).await;
    assert_invalid_field(&res, "topics");
    bad["topics"] = json!(["housing"]);
    bad["age_band"] = json!("30-40");
    assert_invalid_field(&app.post("/api/v1/desk-contacts", Some(&d.operator), &bad).await, "age_band");
    bad["age_band"] = json!("25-34");
    assert_invalid_field(&app.post("/api/v1/desk-contacts", Some(&d.operator), &bad).await, "occurred_at");
    bad["occurred_at"] = json!("2026-11-02T08:30:00Z");
    bad["citizenship"] = json!("XX");
    assert_invalid_field(&app.post("/api/v1/desk-contacts", Some(&d.operator), &bad).await, "citizenship");
    bad["citizenship"] = json!("MA");

    // Another organization's desk, a user of another organization, a provider and a case that do not exist:
    // all reported at once.
    let stranger = app.get("/api/v1/me", Some(&other.operator)).await.body["id"].clone();
    let mut links = bad.clone();
    links["desk_id"] = json!(other.desk);
    links["operator_id"] = stranger;
    links["provider_id"] = json!(uuid::Uuid::now_v7());
    let res = app.post("/api/v1/desk-contacts", Some(&d.operator), &links).await;
    for field in ["desk_id", "operator_id", "provider_id"] {
        assert_invalid_field(&res, field);
    }
    let mut foreign_case = bad.clone();
    let theirs = app.post("/api/v1/cases", Some(&other.operator), &amina()).await.id();
    foreign_case["case_id"] = json!(theirs);
    assert_invalid_field(
        &app.post("/api/v1/desk-contacts", Some(&d.operator), &foreign_case).await,
        "case_id",
    );

    let list = app.get("/api/v1/desk-contacts", Some(&d.coordinator)).await;
    assert_eq!(ids(&list.body).len(), 0, "nothing was recorded");
    let res = app.get("/api/v1/desk-contacts?from=2026-11-02&to=2026-11-01", Some(&d.operator)).await;
    assert_problem(&res, 400, ":invalid_query");
}

#[actix_web::test]
async fn each_organization_sees_its_own_desks_contacts() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let other = desk(&app, &admin).await;
    let ours = record(&app, &d.operator, &contact(&d.desk, "2026-11-02T08:30:00Z", "phone", &["work"])).await;
    let url = format!("/api/v1/desk-contacts/{}", ours["id"].as_str().unwrap());

    assert_problem(&app.get(&url, Some(&other.operator)).await, 404, ":not_found");
    let patch = app.patch(&url, Some(&other.coordinator), &json!({"answer": "x"}), Some("\"1\"")).await;
    assert_problem(&patch, 404, ":not_found");
    assert_problem(&app.delete(&url, Some(&other.operator)).await, 404, ":not_found");
    assert_eq!(ids(&app.get("/api/v1/desk-contacts", Some(&other.operator)).await.body).len(), 0);
    // Admins see every desk's contacts, and may record one at any desk.
    app.get(&url, Some(&admin)).await.expect_status(200);
    let at_other =
        record(&app, &admin, &contact(&other.desk, "2026-11-03T08:30:00Z", "email", &["legal"])).await;
    assert_eq!(at_other["organization_id"], json!(other.org));
    // Analysts count contacts in the statistics but never read them.
    let analyst = app.user_token("analyst", &d.org).await;
    assert_problem(&app.get("/api/v1/desk-contacts", Some(&analyst)).await, 403, ":forbidden");
    assert_problem(&app.get(&url, Some(&analyst)).await, 403, ":forbidden");
}

#[actix_web::test]
async fn a_case_opened_from_a_contact_keeps_its_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let seen = record(
        &app,
        &d.operator,
        &contact(&d.desk, "2026-11-02T08:30:00Z", "in_person", &["residence_permit", "school", "work"]),
    )
    .await;
    let open_url = format!("/api/v1/desk-contacts/{}/case", seen["id"].as_str().unwrap());

    // The intake form with its blanks: desk, sex, citizenship and needs come from the contact.
    let form = json!({"given_name": "Fatima", "family_name": "El Amrani", "birth_date": "1994-02-11",
        "family_members": [{"relationship": "child", "given_name": "Yassine", "family_name": "El Amrani"}]});
    let res = app.post(&open_url, Some(&d.operator), &form).await;
    res.expect_status(201);
    let case = res.body.clone();
    assert_eq!(res.header("location").unwrap(), format!("/api/v1/cases/{}", case["id"].as_str().unwrap()));
    assert_eq!(case["organization_id"], json!(d.org));
    assert_eq!(case["desk_id"], json!(d.desk));
    assert_eq!(case["sex"], "female");
    assert_eq!(case["citizenship"], "MA");
    assert_eq!(case["needs"], json!(["residence_permit", "education", "employment"]));
    assert_eq!(case["given_name"], "Fatima");
    assert!(case["reference_code"].is_string());
    let family = app
        .get(&format!("/api/v1/cases/{}/family-members", case["id"].as_str().unwrap()), Some(&d.operator))
        .await;
    assert_eq!(family.body["items"].as_array().unwrap().len(), 1);

    let linked =
        app.get(&format!("/api/v1/desk-contacts/{}", seen["id"].as_str().unwrap()), Some(&d.operator)).await;
    assert_eq!(linked.body["case_id"], case["id"]);
    assert!(linked.body["opened_case_at"].is_string());
    assert_eq!(linked.body["version"], 2);
    assert_eq!(linked.body["answer"], seen["answer"], "the contact itself is unchanged");
    let of_case = app
        .get(&format!("/api/v1/desk-contacts?case_id={}", case["id"].as_str().unwrap()), Some(&d.operator))
        .await;
    assert_eq!(ids(&of_case.body), vec![seen["id"].as_str().unwrap()]);
    assert_eq!(app.audit_count("desk_contact.open_case", Some(case["id"].as_str().unwrap())), 1);
    assert_eq!(app.audit_count("case.create", Some(case["id"].as_str().unwrap())), 1);

    // Once: a second call is a conflict and opens nothing; the link cannot be undone.
    assert_problem(&app.post(&open_url, Some(&d.operator), &form).await, 409, ":contact_has_case");
    let unlink = app
        .patch(
            &format!("/api/v1/desk-contacts/{}", seen["id"].as_str().unwrap()),
            Some(&d.operator),
            &json!({"case_id": null}),
            Some("\"2\""),
        )
        .await;
    assert_problem(&unlink, 409, ":contact_opened_case");
    let cases = app.get("/api/v1/cases", Some(&d.operator)).await;
    assert_eq!(cases.body["items"].as_array().unwrap().len(), 1);

    // What the form says wins over the contact; an invalid form opens nothing and links nothing.
    let other =
        record(&app, &d.operator, &contact(&d.desk, "2026-11-03T08:30:00Z", "phone", &["housing"])).await;
    let other_url = format!("/api/v1/desk-contacts/{}/case", other["id"].as_str().unwrap());
    assert_invalid_field(
        &app.post(&other_url, Some(&d.operator), &json!({"given_name": "", "family_name": "X"})).await,
        "given_name",
    );
    let res = app
        .post(
            &other_url,
            Some(&d.operator),
            &json!({"given_name": "Omar", "family_name": "Haddad", "sex": "male", "needs": ["asylum"]}),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.body["sex"], "male");
    assert_eq!(res.body["needs"], json!(["asylum"]));
}

#[actix_web::test]
async fn a_contact_linked_to_a_case_takes_its_profile() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    // Amina: female, Senegalese, born 17 May 1990: 36 on 2 November 2026.
    let case = app.post("/api/v1/cases", Some(&d.operator), &amina()).await.id();
    let body = json!({"desk_id": d.desk, "occurred_at": "2026-11-02T08:30:00Z", "channel": "in_person",
        "case_id": case, "topics": ["language_course"], "answer": "Enrolled on the waiting list"});
    let linked = record(&app, &d.operator, &body).await;
    assert_eq!(linked["case_id"], json!(case));
    assert_eq!(linked["opened_case_at"], Value::Null);
    assert_eq!(
        (linked["sex"].as_str(), linked["citizenship"].as_str(), linked["age_band"].as_str()),
        (Some("female"), Some("SN"), Some("35-44"))
    );
    assert_eq!(app.audit_count("desk_contact.create", Some(&case)), 1, "the case's trail shows the contact");

    // Linking an anonymous contact later, and unlinking it again.
    let anonymous =
        record(&app, &d.operator, &contact(&d.desk, "2026-11-04T08:30:00Z", "phone", &["other"])).await;
    let url = format!("/api/v1/desk-contacts/{}", anonymous["id"].as_str().unwrap());
    let res = app.patch(&url, Some(&d.operator), &json!({"case_id": case}), Some("\"1\"")).await;
    res.expect_status(200);
    assert_eq!(res.body["case_id"], json!(case));
    let res = app.patch(&url, Some(&d.operator), &json!({"case_id": null}), Some("\"2\"")).await;
    res.expect_status(200);
    assert_eq!(res.body["case_id"], Value::Null);
}

#[actix_web::test]
async fn contacts_are_counted_by_desk_topic_and_period() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let questura = provider(&app, None, "Questura").await;
    for (i, topics) in
        [vec!["residence_permit"], vec!["residence_permit", "work"], vec!["work"], vec!["health"]]
            .into_iter()
            .enumerate()
    {
        let mut body = contact(&d.desk, &format!("2026-03-0{}T09:00:00Z", i + 1), "in_person", &topics);
        if i == 0 {
            body["provider_id"] = json!(questura);
        }
        record(&app, &d.operator, &body).await;
    }
    // Outside the period, and deleted: neither counts.
    record(&app, &d.operator, &contact(&d.desk, "2025-12-31T09:00:00Z", "phone", &["work"])).await;
    let deleted =
        record(&app, &d.operator, &contact(&d.desk, "2026-03-09T09:00:00Z", "phone", &["work"])).await;
    app.delete(&format!("/api/v1/desk-contacts/{}", deleted["id"].as_str().unwrap()), Some(&d.operator))
        .await
        .expect_status(204);
    let opened =
        record(&app, &d.operator, &contact(&d.desk, "2026-03-10T09:00:00Z", "phone", &["housing"])).await;
    app.post(
        &format!("/api/v1/desk-contacts/{}/case", opened["id"].as_str().unwrap()),
        Some(&d.operator),
        &json!({"given_name": "Ana", "family_name": "Popescu"}),
    )
    .await
    .expect_status(201);

    let q = "/api/v1/stats/contacts?from=2026-01-01&to=2026-12-31";
    let table = app.get(&format!("{q}&group_by=topic"), Some(&d.coordinator)).await;
    table.expect_status(200);
    let by_topic: std::collections::BTreeMap<String, Value> = table.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["dimensions"]["topic"].as_str().unwrap().to_string(), r["values"].clone()))
        .collect();
    assert_eq!(by_topic["residence_permit"], json!({"contacts": 2, "cases_opened": 0, "oriented": 1}));
    assert_eq!(by_topic["work"]["contacts"], 2);
    assert_eq!(by_topic["housing"], json!({"contacts": 1, "cases_opened": 1, "oriented": 0}));
    assert_eq!(table.body["total"]["values"], json!({"contacts": 5, "cases_opened": 1, "oriented": 1}));

    let by_desk =
        app.get(&format!("{q}&group_by=desk,channel&desk_id={}", d.desk), Some(&d.coordinator)).await;
    by_desk.expect_status(200);
    let rows = by_desk.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["dimensions"], json!({"desk": d.desk, "channel": "in_person"}));
    assert_eq!(rows[0]["values"]["contacts"], 4);
    let by_profile = app.get(&format!("{q}&group_by=age_band,sex,citizenship"), Some(&d.coordinator)).await;
    assert_eq!(
        by_profile.body["rows"][0]["dimensions"],
        json!({"age_band": "25-34", "sex": "female", "citizenship": "MA"})
    );
    // Analysts get the same table with small cells suppressed; operators get no statistics.
    let analyst = app.user_token("analyst", &d.org).await;
    let suppressed = app.get(&format!("{q}&group_by=topic"), Some(&analyst)).await;
    suppressed.expect_status(200);
    assert_eq!(suppressed.body["suppression"]["applied"], true);
    assert_problem(&app.get(q, Some(&d.operator)).await, 403, ":forbidden");
    let bad = app.get(&format!("{q}&group_by=kind"), Some(&d.coordinator)).await;
    assert_problem(&bad, 400, ":invalid_query");
}
