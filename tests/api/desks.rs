//! Desks and their opening hours.

use serde_json::json;

use crate::support::{assert_invalid_field, assert_problem, spawn_app, unique_code};

#[actix_web::test]
async fn coordinators_manage_their_desks_with_valid_opening_hours() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org_a = app.create_organization(&admin, &unique_code()).await;
    let org_b = app.create_organization(&admin, &unique_code()).await;
    let coordinator = app.user_token("coordinator", &org_a).await;
    let operator = app.user_token("operator", &org_a).await;

    // The Cremona desk: Wednesday 12–15 and Thursday 8:30–12.
    let body = json!({"name": "Sportello Via Aselli", "municipality": "Cremona", "languages": ["it", "FR"],
        "opening_hours": [{"weekday": 3, "opens": "12:00", "closes": "15:00"},
                          {"weekday": 4, "opens": "08:30", "closes": "12:00"}]});
    let res = app.post("/api/v1/desks", Some(&coordinator), &body).await;
    res.expect_status(201);
    assert_eq!(res.body["organization_id"], json!(org_a));
    assert_eq!(res.body["opening_hours"][1]["opens"], "08:30");
    assert_eq!(res.body["languages"], json!(["it", "fr"]));
    let url = res.header("location").unwrap();

    assert_problem(&app.post("/api/v1/desks", Some(&operator), &body).await, 403, ":forbidden");
    let foreign = json!({"name": "Elsewhere", "organization_id": org_b});
    assert_problem(&app.post("/api/v1/desks", Some(&coordinator), &foreign).await, 403, ":forbidden");

    let bad = json!({"name": "Bad hours", "opening_hours": [
        {"weekday": 8, "opens": "09:00", "closes": "12:00"},
        {"weekday": 1, "opens": "12:00", "closes": "09:00"},
        {"weekday": 2, "opens": "09:00", "closes": "12:00"},
        {"weekday": 2, "opens": "11:00", "closes": "13:00"}]});
    let res = app.post("/api/v1/desks", Some(&coordinator), &bad).await;
    assert_invalid_field(&res, "opening_hours[0].weekday");
    assert_invalid_field(&res, "opening_hours[1].closes");
    assert_invalid_field(&res, "opening_hours[3].opens");
    assert_invalid_field(
        &app.post(
            "/api/v1/desks",
            Some(&coordinator),
            &json!({"name": "X", "opening_hours": [{"weekday": 1, "opens": "9am", "closes": "12:00"}]}),
        )
        .await,
        "opening_hours[0].opens",
    );

    // Everyone reads the directory; PATCH replaces the timetable.
    app.get(&url, Some(&operator)).await.expect_status(200);
    let patched = app
        .patch(
            &url,
            Some(&coordinator),
            &json!({"opening_hours": [{"weekday": 1, "opens": "09:00", "closes": "12:00"}]}),
            Some("\"1\""),
        )
        .await;
    patched.expect_status(200);
    assert_eq!(patched.body["opening_hours"].as_array().unwrap().len(), 1);
    let listed = app.get(&format!("/api/v1/desks?organization_id={org_a}"), Some(&operator)).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    app.delete(&url, Some(&coordinator)).await.expect_status(204);
    assert_problem(&app.get(&url, Some(&operator)).await, 404, ":not_found");
}
