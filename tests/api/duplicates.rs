//! Duplicate detection at intake, across the network, without revealing the other case.

use serde_json::json;

use crate::network::{Agency, open_case};
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

#[actix_web::test]
async fn a_second_intake_of_the_same_person_names_the_first_owner_and_nothing_else() {
    let app = spawn_app().await;
    let (caritas, comune) = (Agency::new(&app).await, Agency::new(&app).await);
    let admin = app.admin_token().await;
    let desk = app
        .post(
            "/api/v1/desks",
            Some(&admin),
            &json!({"name": "Centro di ascolto", "organization_id": caritas.id,
            "phone": "+39 0372 35063", "email": "ascolto@caritas.example"}),
        )
        .await
        .id();
    let first = open_case(&app, &caritas.operator, json!({"given_name": "Amina", "family_name": "Diallo",
        "birth_date": "1990-05-17", "tax_code": "DLLMNA90E57Z343T", "desk_id": desk, "phone": "+39 333 1234567",
        "notes": "Private"})).await;

    // Same tax code, another organization: the new case is opened, and the first is pointed at.
    let res = app
        .post(
            "/api/v1/cases",
            Some(&comune.operator),
            &json!({"given_name": "Amina", "family_name": "Diallo Ba",
            "tax_code": "dllmna90e57z343t"}),
        )
        .await;
    res.expect_status(201);
    let matches = res.body["possible_duplicates"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{}", res.text);
    let m = &matches[0];
    let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["case_id", "contact", "matched_on", "organization_id", "organization_name"]);
    assert_eq!(m["case_id"], first.as_str());
    assert_eq!(m["matched_on"], json!(["tax_code"]));
    assert_eq!(m["organization_id"], caritas.id.as_str());
    assert_eq!(
        m["contact"],
        json!({"name": "Centro di ascolto", "phone": "+39 0372 35063", "email": "ascolto@caritas.example"})
    );
    for leaked in ["1990-05-17", "+39 333 1234567", "Private"] {
        assert!(!res.text.contains(leaked), "{leaked} leaked in {}", res.text);
    }
    // The match opens nothing: the other case stays invisible.
    assert_problem(
        &app.get(&format!("/api/v1/cases/{first}"), Some(&comune.operator)).await,
        404,
        ":not_found",
    );

    // Names in another order, other accents, same birth date: the second rule.
    let res = app
        .post(
            "/api/v1/cases",
            Some(&comune.operator),
            &json!({"given_name": "DIALLO", "family_name": "Àmina",
            "birth_date": "1990-05-17"}),
        )
        .await;
    let reasons: Vec<_> =
        res.body["possible_duplicates"].as_array().unwrap().iter().map(|m| m["matched_on"].clone()).collect();
    assert!(reasons.contains(&json!(["name_and_birth_date"])), "{}", res.text);
    // Someone else: no match. A case never matches itself.
    let res = app
        .post(
            "/api/v1/cases",
            Some(&comune.operator),
            &json!({"given_name": "Aminata", "family_name": "Diallo",
        "birth_date": "1990-05-17"}),
        )
        .await;
    assert_eq!(res.body["possible_duplicates"], json!([]));
    // Only the response that opened the case carries the list.
    let read = app.get(&format!("/api/v1/cases/{}", res.id()), Some(&comune.operator)).await;
    assert!(read.body.get("possible_duplicates").is_none());
}

#[actix_web::test]
async fn the_check_endpoint_answers_before_opening_and_is_audited() {
    let app = spawn_app().await;
    let (owner, asker) = (Agency::new(&app).await, Agency::new(&app).await);
    let first = open_case(
        &app,
        &owner.operator,
        json!({"given_name": "Nguyễn", "family_name": "Thị Ánh",
        "birth_date": "1992-08-30"}),
    )
    .await;
    let check = |body| {
        let app = &app;
        let token = asker.operator.clone();
        async move { app.post("/api/v1/cases/duplicate-check", Some(&token), &body).await }
    };
    let res =
        check(json!({"given_name": "thi anh", "family_name": "nguyen", "birth_date": "1992-08-30"})).await;
    res.expect_status(200);
    assert_eq!(res.body["matches"][0]["case_id"], first.as_str());
    assert_eq!(res.body["matches"][0]["contact"]["name"], res.body["matches"][0]["organization_name"]);
    let res =
        check(json!({"given_name": "thi anh", "family_name": "nguyen", "birth_date": "1992-08-31"})).await;
    assert_eq!(res.body["matches"], json!([]));
    // A tax code, or names and birth date together.
    assert_invalid_field(&check(json!({"given_name": "Anh", "family_name": "Nguyen"})).await, "tax_code");
    assert_invalid_field(&check(json!({"tax_code": "not-a-code"})).await, "tax_code");
    assert_eq!(app.audit_count("case.duplicate_check", None), 2);
    // With the case id of a match, the asker requests a transfer.
    let res = app
        .post(
            "/api/v1/transfers",
            Some(&asker.operator),
            &json!({"case_id": first, "kind": "request", "reason": "Same person"}),
        )
        .await;
    res.expect_status(201);
}
