//! Subject access: the export of everything held about a person.

use serde_json::json;

use crate::network::{Agency, consent, open_case, provider, refer};
use crate::support::{assert_problem, spawn_app};

#[actix_web::test]
async fn the_export_holds_everything_about_the_person_and_is_itself_audited() {
    let app = spawn_app().await;
    let (desk, caritas) = (Agency::new(&app).await, Agency::new(&app).await);
    let op = &desk.operator;
    let case = open_case(
        &app,
        op,
        json!({"given_name": "Amina", "family_name": "Diallo", "birth_date": "1990-05-17",
            "restricted_notes": "Fled violence"}),
    )
    .await;
    let url = format!("/api/v1/cases/{case}");
    let member = json!({"given_name": "Moussa", "family_name": "Diallo", "relationship": "child"});
    app.post(&format!("{url}/family-members"), Some(op), &member).await.expect_status(201);
    let removed = app
        .post(
            &format!("{url}/family-members"),
            Some(op),
            &json!({"given_name": "X", "family_name": "Y",
        "relationship": "other"}),
        )
        .await;
    removed.expect_status(201);
    app.delete(&format!("{url}/family-members/{}", removed.id()), Some(op)).await.expect_status(204);
    let body = json!({"kind": "listening", "occurred_on": "2026-11-20", "summary": "First talk"});
    app.post(&format!("{url}/interventions"), Some(op), &body).await.expect_status(201);
    consent(&app, op, &case, json!({"purpose": "network_sharing"})).await;
    let listening = provider(&app, Some(&caritas.id), "Caritas").await;
    let referral = refer(&app, op, &case, &listening).await;
    app.post(
        &format!("/api/v1/referrals/{}/status", referral["id"].as_str().unwrap()),
        Some(&caritas.staff),
        &json!({"status": "received"}),
    )
    .await
    .expect_status(200);
    let grant = json!({"organization_id": caritas.id, "access": "read"});
    app.post(&format!("{url}/grants"), Some(&desk.coordinator), &grant).await.expect_status(201);
    let when = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let activation = json!({"case_id": case, "kind": "interpreter", "language": "fr", "scheduled_at": when,
        "place": "Sportello", "duration_minutes": 60});
    app.post("/api/v1/activations", Some(op), &activation).await.expect_status(201);
    let care =
        json!({"case_id": case, "tasks": ["childcare"], "hours_per_week": 10, "municipality": "Crema"});
    app.post("/api/v1/care-requests", Some(op), &care).await.expect_status(201);
    app.get("/api/v1/cases?q=diallo", Some(op)).await.expect_status(200);
    app.get(&url, Some(&caritas.operator)).await.expect_status(200);

    let res = app.get(&format!("{url}/export"), Some(&desk.coordinator)).await;
    res.expect_status(200);
    let export = &res.body;
    assert_eq!(export["case"]["id"], case.as_str());
    assert_eq!(export["case"]["restricted_notes"], "Fled violence", "the owner's export holds everything");
    let count = |k: &str| export[k].as_array().unwrap().len();
    assert_eq!(
        [
            count("family_members"),
            count("interventions"),
            count("consents"),
            count("grants"),
            count("referrals"),
            count("transfers"),
            count("activations"),
            count("care_requests")
        ],
        [1, 1, 1, 1, 1, 0, 1, 1],
        "removed family members are not held any more"
    );
    assert_eq!(export["family_members"][0]["given_name"], "Moussa");
    let moves: Vec<&str> = export["referrals"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(moves, ["requested", "received"]);
    assert_eq!(export["activations"][0]["events"][0]["to_status"], "requested");
    assert_eq!(export["care_requests"][0]["placements"], json!([]));
    // The access log: who read the case (the other organization through its grant), the list that showed it,
    // and this export, last.
    let log = export["access_log"].as_array().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"case.list"), "{actions:?}");
    assert!(
        log.iter().any(|e| e["action"] == "case.read" && e["actor_organization_id"] == caritas.id.as_str()),
        "{actions:?}"
    );
    assert_eq!(actions.last(), Some(&"case.export"));
    assert_eq!(app.audit_count("case.export", Some(&case)), 1);

    // Only the owner's coordinators and admins take it.
    let admin = app.admin_token().await;
    app.get(&format!("{url}/export"), Some(&admin)).await.expect_status(200);
    assert_problem(&app.get(&format!("{url}/export"), Some(op)).await, 403, ":forbidden");
    assert_problem(&app.get(&format!("{url}/export"), Some(&caritas.coordinator)).await, 403, ":forbidden");
    let stranger = Agency::new(&app).await;
    assert_problem(&app.get(&format!("{url}/export"), Some(&stranger.coordinator)).await, 404, ":not_found");
    assert_eq!(app.audit_count("case.export", Some(&case)), 2);
}
