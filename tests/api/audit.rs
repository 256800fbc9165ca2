//! The audit trail API: what a scripted scenario leaves in it, who may read which part, the filters, and
//! that it cannot be changed.

use serde_json::{Value, json};

use crate::network::{Agency, consent, open_case, provider, refer};
use crate::support::{TestApp, assert_problem, spawn_app, unique_username};

/// The actions of a page of events, oldest first.
fn actions(page: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    out.reverse();
    out
}

async fn trail(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/audit-events?{query}"), Some(token)).await;
    res.expect_status(200);
    res.body.clone()
}

#[actix_web::test]
async fn a_scripted_scenario_leaves_every_read_write_login_override_and_transfer_in_the_trail() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (desk, caritas) = (Agency::new(&app).await, Agency::new(&app).await);
    let username = unique_username("auditor");
    let (operator_id, password) = app.create_user(&admin, Some(&desk.id), "operator", &username).await;
    assert_eq!(app.login(&username, "wrong password").await.status, 401);
    let operator = app.token(&username, &password).await;

    let case = open_case(&app, &operator, json!({"given_name": "Amina", "family_name": "Diallo"})).await;
    let url = format!("/api/v1/cases/{case}");
    let read = app.get(&url, Some(&operator)).await;
    let etag = read.header("etag").unwrap();
    app.patch(&url, Some(&operator), &json!({"phone": "+39 333 1234567"}), Some(&etag))
        .await
        .expect_status(200);
    app.get("/api/v1/cases?q=diallo", Some(&operator)).await.expect_status(200);
    let body = json!({"kind": "listening", "occurred_on": "2026-11-20", "summary": "First talk"});
    app.post(&format!("{url}/interventions"), Some(&operator), &body).await.expect_status(201);
    // A referral without consent, by the coordinator's override; then one under a consent.
    let listening = provider(&app, Some(&caritas.id), "Caritas").await;
    let override_body = json!({"provider_id": listening, "need": "housing", "reason": "Evicted",
        "consent_override_reason": "Imminent risk: the family sleeps outside tonight"});
    app.post(&format!("{url}/referrals"), Some(&desk.coordinator), &override_body).await.expect_status(201);
    consent(&app, &operator, &case, json!({"purpose": "network_sharing"})).await;
    refer(&app, &operator, &case, &listening).await;
    let offer = json!({"case_id": case, "kind": "offer", "to_organization_id": caritas.id, "reason": "Moves to Caritas"});
    let transfer = app.post("/api/v1/transfers", Some(&operator), &offer).await;
    transfer.expect_status(201);
    app.post(
        &format!("/api/v1/transfers/{}/status", transfer.id()),
        Some(&caritas.coordinator),
        &json!({"status": "accepted"}),
    )
    .await
    .expect_status(200);
    // The new owner exports what is held about the person, holds the file for a dispute, then erases it.
    app.get(&format!("{url}/export"), Some(&caritas.coordinator)).await.expect_status(200);
    let hold = |on: bool| json!({"legal_hold": on, "reason": "Appeal pending"});
    app.put(&format!("{url}/legal-hold"), Some(&caritas.coordinator), &hold(true)).await.expect_status(204);
    app.put(&format!("{url}/legal-hold"), Some(&caritas.coordinator), &hold(false)).await.expect_status(204);
    let erase = json!({"reason": "Request under art. 17 GDPR received 2026-11-20"});
    app.post(&format!("{url}/erasure"), Some(&caritas.coordinator), &erase).await.expect_status(204);

    // The case's trail, in order: every write and every read of it, the override, the transfer, the export,
    // the hold and the erasure.
    let of_case = trail(&app, &admin, &format!("case_id={case}&limit=100")).await;
    assert_eq!(
        actions(&of_case),
        [
            "case.create",
            "case.read",
            "case.update",
            "intervention.create",
            "referral.create",
            "referral.consent_override",
            "consent.create",
            "referral.create",
            "transfer.create",
            "case.transfer",
            "transfer.status",
            "case.export",
            "case.legal_hold",
            "case.legal_hold",
            "case.erase"
        ]
    );
    // A list names the cases it showed, by id.
    let lists = trail(&app, &admin, &format!("actor_id={operator_id}&action=case.list")).await;
    assert_eq!(lists["items"][0]["details"], json!({"count": 1, "case_ids": [case]}));
    let first = &of_case["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["actor_id"], operator_id.as_str());
    assert_eq!(first["actor_organization_id"], desk.id.as_str());
    assert_eq!(first["actor_role"], "operator");
    assert!(first["request_id"].is_string() && first["client_ip"].is_string(), "{first}");
    // Logins, failed ones included, are the user's.
    let logins = trail(&app, &admin, &format!("actor_id={operator_id}&resource_type=user")).await;
    let outcomes: Vec<(&str, &str)> = logins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .rev()
        .collect();
    assert_eq!(outcomes, [("auth.login", "failure"), ("auth.login", "success")]);
    // No personal data in any event of the trail.
    let everything = app.get("/api/v1/audit-events?limit=200", Some(&admin)).await;
    for personal in ["Amina", "Diallo", "333 1234567", "Imminent risk", "wrong password", &password] {
        assert!(!everything.text.contains(personal), "{personal} is in the audit trail");
    }
}

#[actix_web::test]
async fn coordinators_read_their_organizations_part_and_nobody_can_change_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (desk, other) = (Agency::new(&app).await, Agency::new(&app).await);
    let ours = open_case(&app, &desk.operator, json!({"given_name": "Li", "family_name": "Wei"})).await;
    let theirs = open_case(&app, &other.operator, json!({"given_name": "Ana", "family_name": "Lima"})).await;
    // The other organization reads its own case (invisible to us) and, through a grant, ours.
    app.get(&format!("/api/v1/cases/{theirs}"), Some(&other.operator)).await.expect_status(200);
    let grant = json!({"organization_id": other.id, "access": "read"});
    app.post(&format!("/api/v1/cases/{ours}/grants"), Some(&desk.coordinator), &grant)
        .await
        .expect_status(201);
    app.get(&format!("/api/v1/cases/{ours}"), Some(&other.operator)).await.expect_status(200);

    let seen = trail(&app, &desk.coordinator, "limit=200").await;
    let cases: Vec<&str> =
        seen["items"].as_array().unwrap().iter().filter_map(|e| e["case_id"].as_str()).collect();
    assert!(cases.contains(&ours.as_str()));
    assert!(!cases.contains(&theirs.as_str()), "another organization's case leaked");
    // Including what the other organization did to our case.
    let reads = trail(&app, &desk.coordinator, &format!("case_id={ours}&action=case.read")).await;
    let readers: Vec<&str> = reads["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_organization_id"].as_str().unwrap())
        .collect();
    assert_eq!(readers, [other.id.as_str()]);
    assert_eq!(trail(&app, &desk.coordinator, &format!("case_id={theirs}")).await["items"], json!([]));
    // Admins read it all; operators, analysts, staff and professionals not at all.
    assert_eq!(
        trail(&app, &admin, &format!("case_id={theirs}&action=case.read")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for role in ["operator", "analyst", "provider_staff", "professional"] {
        let token = app.user_token(role, &desk.id).await;
        assert_problem(&app.get("/api/v1/audit-events", Some(&token)).await, 403, ":forbidden");
    }
    // Reading the trail is in the trail.
    assert!(app.audit_count("audit.read", Some(&ours)) >= 1);

    // Append-only: no method changes it.
    let id = seen["items"][0]["id"].as_str().unwrap().to_string();
    for method in [awc::http::Method::DELETE, awc::http::Method::PATCH, awc::http::Method::PUT] {
        let res =
            app.send_raw(method.clone(), "/api/v1/audit-events", Some(&admin), None, Vec::new(), &[]).await;
        assert_eq!(res.status, 405, "{method} on the collection");
        let res = app
            .send_raw(
                method.clone(),
                &format!("/api/v1/audit-events/{id}"),
                Some(&admin),
                None,
                Vec::new(),
                &[],
            )
            .await;
        assert_eq!(res.status, 404, "{method} on an event");
    }
}

#[actix_web::test]
async fn the_trail_is_filtered_by_action_resource_and_period_a_page_at_a_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let desk = Agency::new(&app).await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Li", "family_name": "Wei"})).await;
    for _ in 0..5 {
        app.get(&format!("/api/v1/cases/{case}"), Some(&desk.operator)).await.expect_status(200);
    }
    let reads = trail(&app, &admin, &format!("resource_type=case&resource_id={case}&action=case.read")).await;
    let items = reads["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    // Half-open periods: from the third read (included) to the fifth (excluded).
    let (third, fifth) =
        (items[2]["occurred_at"].as_str().unwrap(), items[0]["occurred_at"].as_str().unwrap());
    let period = format!(
        "action=case.read&case_id={case}&from={}&to={}",
        third.replace('+', "%2B"),
        fifth.replace('+', "%2B")
    );
    assert_eq!(trail(&app, &admin, &period).await["items"].as_array().unwrap().len(), 2);

    let mut seen = Vec::new();
    let mut query = format!("resource_id={case}&limit=2");
    loop {
        let page = trail(&app, &admin, &query).await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("resource_id={case}&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (6, 6), "create and five reads, each once");

    let reversed =
        app.get("/api/v1/audit-events?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", Some(&admin)).await;
    assert_problem(&reversed, 400, ":invalid_query");
    assert_problem(
        &app.get("/api/v1/audit-events?action=CASE%20READ", Some(&admin)).await,
        400,
        ":invalid_query",
    );
}
