//! Every secured operation of the spec refuses every kind of bad token with the same 401 problem,
//! before any handler runs (so nothing is created either).

use serde_json::json;

use crate::auth::bad_tokens;
use crate::support::{assert_problem, spawn_app};

#[actix_web::test]
async fn every_secured_operation_refuses_bad_tokens() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    let (sub, org) = (
        me.body["id"].as_str().unwrap().to_string(),
        me.body["organization_id"].as_str().unwrap().to_string(),
    );
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": sub, "org": org, "role": "admin", "iat": now, "nbf": now, "exp": now + 600,
        "iss": "sportello", "aud": "sportello-api", "jti": uuid::Uuid::now_v7().to_string()});
    let login = app.login("admin", crate::support::ADMIN_PASSWORD).await;
    let refresh_token = login.body["refresh_token"].as_str().unwrap().to_string();
    let mut tokens = bad_tokens(&claims);
    tokens.push(("a refresh token used as an access token", Some(refresh_token)));

    let doc = serde_json::to_value(sportello::openapi::document()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            let concrete = path
                .replace("{id}", &uuid::Uuid::now_v7().to_string())
                .replace("{case_id}", &uuid::Uuid::now_v7().to_string());
            let method = awc::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (what, token) in &tokens {
                let res = app
                    .send_raw(
                        method.clone(),
                        &concrete,
                        token.as_deref(),
                        Some("application/json"),
                        b"{}".to_vec(),
                        &[("If-Match", "\"1\"")],
                    )
                    .await;
                assert_problem(&res, 401, ":unauthorized");
                assert!(res.header("www-authenticate").is_some(), "{method} {path} with {what}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 25 * 15, "only {checked} combinations were checked");
    let orgs = app.get("/api/v1/organizations", Some(&admin)).await;
    assert_eq!(orgs.body["items"].as_array().unwrap().len(), 1, "no bad token created anything");
}
