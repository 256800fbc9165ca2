//! Family members nested under a case.

use serde_json::json;

use crate::cases::{amina, create_case, desk_operator};
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

#[actix_web::test]
async fn family_members_are_added_read_patched_and_removed() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let base = format!("/api/v1/cases/{}/family-members", case["id"].as_str().unwrap());

    let res = app
        .post(
            &base,
            Some(&op),
            &json!({"relationship": "spouse", "given_name": "Ousmane", "family_name": "Diallo",
            "citizenship": "SN", "dependent": false}),
        )
        .await;
    res.expect_status(201);
    let url = res.header("location").unwrap();
    assert!(url.starts_with(&base));
    assert_eq!(res.body["lives_with_beneficiary"], true, "defaults to living together");

    let got = app.get(&url, Some(&op)).await;
    got.expect_status(200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_problem(
        &app.patch(&url, Some(&op), &json!({"dependent": true}), None).await,
        428,
        ":precondition_required",
    );
    let patched =
        app.patch(&url, Some(&op), &json!({"dependent": true, "citizenship": null}), Some("\"1\"")).await;
    patched.expect_status(200);
    assert_eq!(patched.body["dependent"], true);
    assert_eq!(patched.body["citizenship"], serde_json::Value::Null);

    assert_eq!(app.get(&base, Some(&op)).await.body["items"].as_array().unwrap().len(), 2);
    app.delete(&url, Some(&op)).await.expect_status(204);
    assert_problem(&app.get(&url, Some(&op)).await, 404, ":not_found");
    assert_eq!(app.get(&base, Some(&op)).await.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn family_member_validation_and_visibility() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let (_, other) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let base = format!("/api/v1/cases/{}/family-members", case["id"].as_str().unwrap());
    let res = app
        .post(
            &base,
            Some(&op),
            &json!({"relationship": "cousin", "given_name": "", "family_name": "X",
            "birth_date": "2999-01-01"}),
        )
        .await;
    assert_invalid_field(&res, "relationship");
    let res = app
        .post(
            &base,
            Some(&op),
            &json!({"relationship": "child", "given_name": "", "family_name": "X",
        "birth_date": "2999-01-01"}),
        )
        .await;
    assert_invalid_field(&res, "given_name");
    assert_invalid_field(&res, "birth_date");
    let body = json!({"relationship": "child", "given_name": "A", "family_name": "B"});
    assert_problem(&app.post(&base, Some(&other), &body).await, 404, ":not_found");
    let missing = format!("/api/v1/cases/{}/family-members", uuid::Uuid::now_v7());
    assert_problem(&app.post(&missing, Some(&op), &body).await, 404, ":not_found");
}
