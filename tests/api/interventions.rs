//! Interventions nested under a case.

use serde_json::json;

use crate::cases::{amina, create_case, desk_operator};
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

#[actix_web::test]
async fn interventions_are_recorded_listed_and_corrected() {
    let app = spawn_app().await;
    let (org, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let base = format!("/api/v1/cases/{}/interventions", case["id"].as_str().unwrap());
    let me = app.get("/api/v1/me", Some(&op)).await.body["id"].as_str().unwrap().to_string();

    let first = app
        .post(
            &base,
            Some(&op),
            &json!({"kind": "listening", "occurred_on": "2026-01-12", "duration_minutes": 30,
            "summary": "First interview"}),
        )
        .await;
    first.expect_status(201);
    assert_eq!(first.body["operator_id"], json!(me), "defaults to the caller");
    assert_eq!(first.body["organization_id"], json!(org));
    let second = app
        .post(
            &base,
            Some(&op),
            &json!({"kind": "residence_permit_procedure", "occurred_on": "2026-02-01",
            "summary": "Filled in the renewal kit", "follow_up_on": "2026-03-01"}),
        )
        .await;
    second.expect_status(201);

    let list = app.get(&base, Some(&op)).await;
    let kinds: Vec<_> = list.body["items"].as_array().unwrap().iter().map(|i| i["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("residence_permit_procedure"), json!("listening")], "newest first");

    let url = first.header("location").unwrap();
    let patched = app.patch(&url, Some(&op), &json!({"duration_minutes": 45}), Some("\"1\"")).await;
    patched.expect_status(200);
    assert_eq!(patched.body["duration_minutes"], 45);
    let bad = app.patch(&url, Some(&op), &json!({"follow_up_on": "2025-01-01"}), Some("\"2\"")).await;
    assert_invalid_field(&bad, "follow_up_on");
    app.delete(&url, Some(&op)).await.expect_status(204);
    assert_eq!(app.get(&base, Some(&op)).await.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn intervention_validation_and_roles() {
    let app = spawn_app().await;
    let (org, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let base = format!("/api/v1/cases/{}/interventions", case["id"].as_str().unwrap());
    let res = app
        .post(
            &base,
            Some(&op),
            &json!({"kind": "orientation", "occurred_on": "2999-01-01", "duration_minutes": 0,
            "summary": "", "follow_up_on": "2998-01-01"}),
        )
        .await;
    for field in ["occurred_on", "duration_minutes", "summary"] {
        assert_invalid_field(&res, field);
    }
    let res = app
        .post(
            &base,
            Some(&op),
            &json!({"kind": "orientation", "occurred_on": "2026-01-10", "summary": "x",
        "follow_up_on": "2026-01-01"}),
        )
        .await;
    assert_invalid_field(&res, "follow_up_on");
    let analyst = app.user_token("analyst", &org).await;
    let ok = json!({"kind": "orientation", "occurred_on": "2026-01-10", "summary": "x"});
    assert_problem(&app.post(&base, Some(&analyst), &ok).await, 403, ":forbidden");
    assert_problem(&app.get(&base, Some(&analyst)).await, 403, ":forbidden");
    let (_, stranger) = desk_operator(&app).await;
    assert_problem(&app.post(&base, Some(&stranger), &ok).await, 404, ":not_found");
}
