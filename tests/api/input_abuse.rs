//! Hostile input gets a clear 4xx problem or is stored literally; never a 5xx.

use awc::http::Method;
use serde_json::json;

use crate::cases::{create_case, desk_operator};
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

#[actix_web::test]
async fn deep_nesting_huge_numbers_and_bad_utf8_are_4xx() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let body = format!(r#"{{"given_name": "A", "family_name": "B", "needs": {deep}}}"#);
    let res = app
        .send_raw(Method::POST, "/api/v1/cases", Some(&op), Some("application/json"), body.into_bytes(), &[])
        .await;
    // The typed parse stops at the first wrong type (422); nesting past serde_json's depth limit is a 400.
    assert_invalid_field(&res, "needs[0]");
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    let res = app
        .send_raw(
            Method::POST,
            "/api/v1/cases",
            Some(&op),
            Some("application/json"),
            deep_object.into_bytes(),
            &[],
        )
        .await;
    assert!(res.status == 400 || res.status == 422, "{}", res.text);
    assert!(res.header("content-type").unwrap().starts_with("application/problem+json"));

    let huge =
        br#"{"kind": "listening", "occurred_on": "2026-01-10", "summary": "x", "duration_minutes": 1e400}"#;
    let case = create_case(&app, &op, &json!({"given_name": "A", "family_name": "B"})).await;
    let path = format!("/api/v1/cases/{}/interventions", case["id"].as_str().unwrap());
    let res =
        app.send_raw(Method::POST, &path, Some(&op), Some("application/json"), huge.to_vec(), &[]).await;
    assert!(res.status == 400 || res.status == 422, "{}", res.text);
    let big = json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x", "duration_minutes": 99_999_999_999_u64});
    assert_invalid_field(&app.post(&path, Some(&op), &big).await, "duration_minutes");

    let res = app
        .send_raw(
            Method::POST,
            "/api/v1/cases",
            Some(&op),
            Some("application/json"),
            b"{\"given_name\": \"\xff\xfe\"}".to_vec(),
            &[],
        )
        .await;
    assert_problem(&res, 400, ":bad_request");
}

#[actix_web::test]
async fn integral_floats_are_integers_and_fractions_are_refused() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &json!({"given_name": "A", "family_name": "B"})).await;
    let path = format!("/api/v1/cases/{}/interventions", case["id"].as_str().unwrap());
    // JSON Schema's integer includes 30.0: clients that only have doubles must be understood.
    let whole =
        json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x", "duration_minutes": 30.0});
    let res = app.post(&path, Some(&op), &whole).await;
    res.expect_status(201);
    assert_eq!(res.body["duration_minutes"], 30);
    let fraction =
        json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x", "duration_minutes": 30.5});
    assert_invalid_field(&app.post(&path, Some(&op), &fraction).await, "duration_minutes");
    let desk = json!({"name": "Sportello", "opening_hours": [{"weekday": 3.0, "opens": "09:00", "closes": "12:00"}]});
    app.post("/api/v1/desks", Some(&app.admin_token().await), &desk).await.expect_status(201);
}

#[actix_web::test]
async fn sql_and_script_looking_text_is_stored_literally() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let sql = "Robert'); DROP TABLE cases;--";
    let script = "<script>alert('x')</script>";
    let case =
        create_case(&app, &op, &json!({"given_name": sql, "family_name": "O'Brien", "notes": script})).await;
    let got = app.get(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap()), Some(&op)).await;
    assert_eq!(got.body["given_name"], sql);
    assert_eq!(got.body["notes"], script);
    let found = app.get("/api/v1/cases?q=o%27brien", Some(&op)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    let wildcard = app.get("/api/v1/cases?q=%25%25", Some(&op)).await;
    assert!(wildcard.body["items"].as_array().unwrap().is_empty(), "LIKE wildcards are escaped");
}

#[actix_web::test]
async fn nul_characters_and_non_object_bodies_are_refused() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let nul = json!({"given_name": "A", "family_name": "B", "phone": "+39\u{0}02"});
    assert_problem(&app.post("/api/v1/cases", Some(&op), &nul).await, 422, ":validation");
    assert_problem(&app.get("/api/v1/cases?q=ab%00cd", Some(&op)).await, 400, ":invalid_query");
    let case = create_case(&app, &op, &json!({"given_name": "A", "family_name": "B"})).await;
    let url = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    // serde would read a struct from an array by position; the API takes objects only.
    assert_problem(
        &app.patch(&url, Some(&op), &json!([null, "Renamed"]), Some("\"1\"")).await,
        422,
        ":validation",
    );
    assert_problem(&app.post("/api/v1/cases", Some(&op), &json!(["A", "B"])).await, 422, ":validation");
    // If-Match compares strongly: a weak ETag never matches.
    assert_problem(
        &app.patch(&url, Some(&op), &json!({"phone": "+39 02 1"}), Some("W/\"1\"")).await,
        412,
        ":precondition_failed",
    );
    assert_eq!(app.get(&url, Some(&op)).await.body["version"], 1, "nothing was written");
}

#[actix_web::test]
async fn compressed_error_responses_are_still_problems() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let body = serde_json::to_vec(&json!({"given_name": 1})).unwrap();
    let res = app
        .send_raw(
            Method::POST,
            "/api/v1/cases",
            Some(&op),
            Some("application/json"),
            body,
            &[("Accept-Encoding", "gzip")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.header("content-type").unwrap().starts_with("application/problem+json"));
    match res.header("content-encoding").as_deref() {
        // Compressed: the bytes must really be compressed, not the plain problem under a gzip label.
        Some("gzip") => assert!(!res.text.starts_with('{'), "labelled gzip but plain: {}", res.text),
        _ => assert_eq!(res.body["errors"][0]["field"], "given_name"),
    }
}
