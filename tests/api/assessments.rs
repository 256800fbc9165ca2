//! Needs assessments: versioned and append-only, the latest shown with the case, scoped like the case.

use serde_json::json;

use crate::cases::desk_operator;
use crate::plans::case_of_new_desk;
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

#[actix_web::test]
async fn assessments_are_versioned_and_the_latest_comes_with_the_case() {
    let app = spawn_app().await;
    let (org, op, case) = case_of_new_desk(&app).await;
    let base = format!("/api/v1/cases/{case}/assessments");
    let case_url = format!("/api/v1/cases/{case}");
    assert!(app.get(&case_url, Some(&op)).await.body.get("latest_assessment").is_none(), "not assessed yet");

    let first = app
        .post(
            &base,
            Some(&op),
            &json!({"assessed_on": "2026-01-12", "summary": "First interview",
                "domains": [{"domain": "housing", "level": "high", "notes": "Sleeps at a friend's"},
                            {"domain": "documents", "level": "medium"}]}),
        )
        .await;
    first.expect_status(201);
    assert_eq!(first.body["version"], 1);
    assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(first.body["organization_id"], json!(org));
    let domains: Vec<_> =
        first.body["domains"].as_array().unwrap().iter().map(|d| d["domain"].clone()).collect();
    assert_eq!(domains, vec![json!("documents"), json!("housing")], "in the order of the domain codes");

    let second = app
        .post(
            &base,
            Some(&op),
            &json!({"assessed_on": "2026-03-02", "domains": [{"domain": "housing", "level": "medium"},
                {"domain": "documents", "level": "none"}, {"domain": "work", "level": "high"}]}),
        )
        .await;
    second.expect_status(201);
    assert_eq!(second.body["version"], 2);

    let list = app.get(&base, Some(&op)).await;
    let versions: Vec<_> =
        list.body["items"].as_array().unwrap().iter().map(|a| a["version"].clone()).collect();
    assert_eq!(versions, vec![json!(2), json!(1)], "newest first, history kept");

    let shown = app.get(&case_url, Some(&op)).await;
    shown.expect_status(200);
    assert_eq!(shown.body["latest_assessment"]["id"], second.body["id"]);
    assert_eq!(shown.body["latest_assessment"]["domains"].as_array().unwrap().len(), 3);
    assert!(
        app.get("/api/v1/cases", Some(&op)).await.body["items"][0].get("latest_assessment").is_none(),
        "lists stay light"
    );

    // The first version is unchanged.
    let old = app.get(&first.header("location").unwrap(), Some(&op)).await;
    old.expect_status(200);
    assert_eq!(old.body["domains"][1]["level"], "high");
    assert_eq!(old.body["domains"][1]["notes"], "Sleeps at a friend's");
    assert_eq!(app.audit_count("assessment.read", Some(&case)), 1);
    assert_eq!(app.audit_count("assessment.create", Some(&case)), 2);

    // Bad input changes nothing.
    let bad = app.post(&base, Some(&op), &json!({"assessed_on": "2999-01-01", "domains": []})).await;
    assert_invalid_field(&bad, "assessed_on");
    assert_invalid_field(&bad, "domains");
    let twice = json!({"assessed_on": "2026-03-02", "domains": [{"domain": "work", "level": "low"},
        {"domain": "work", "level": "high"}]});
    assert_invalid_field(&app.post(&base, Some(&op), &twice).await, "domains");
    let unknown = json!({"assessed_on": "2026-03-02", "domains": [{"domain": "weather", "level": "low"}]});
    assert_eq!(app.post(&base, Some(&op), &unknown).await.status, 422);
    let version =
        json!({"assessed_on": "2026-03-02", "version": 7, "domains": [{"domain": "work", "level": "low"}]});
    assert_eq!(app.post(&base, Some(&op), &version).await.status, 422, "the version is the server's");
    assert_eq!(app.get(&base, Some(&op)).await.body["items"].as_array().unwrap().len(), 2);

    let analyst = app.user_token("analyst", &org).await;
    assert_problem(&app.get(&base, Some(&analyst)).await, 403, ":forbidden");
    let (_, stranger) = desk_operator(&app).await;
    assert_problem(&app.get(&base, Some(&stranger)).await, 404, ":not_found");
    let ok = json!({"assessed_on": "2026-03-02", "domains": [{"domain": "work", "level": "low"}]});
    assert_problem(&app.post(&base, Some(&stranger), &ok).await, 404, ":not_found");
}

/// GET case reads the latest assessment in one walk of the (case_id, version) index, however long the
/// history: SQLite's plan is checked (PostgreSQL chooses by its statistics).
#[actix_web::test]
async fn the_latest_assessment_is_one_index_walk() {
    let app = spawn_app().await;
    let mut conn = app.database().get().unwrap();
    let Some(plan) = sportello::db::assessments::latest_sqlite_plan(&mut conn, "any").unwrap() else {
        return; // PostgreSQL
    };
    assert!(plan.iter().any(|step| step.contains("assessment_domains_case_version")), "{plan:#?}");
    assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "no sort: {plan:#?}");
}
