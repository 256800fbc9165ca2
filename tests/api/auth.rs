//! `/api/v1/auth` and access-token checking: logins, lockout, refresh rotation, logout, forged tokens.

use awc::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{
    ADMIN_PASSWORD, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, TestApp, TestResponse, assert_invalid_field,
    assert_problem, spawn_app, unique_username,
};

#[track_caller]
fn assert_token_response(res: &TestResponse) {
    res.expect_status(200);
    assert!(res.header("content-type").unwrap_or_default().starts_with("application/json"));
    assert_eq!(res.body["token_type"], "Bearer", "{}", res.text);
    assert_eq!(res.body["expires_in"], 900, "{}", res.text);
    let access = res.body["access_token"].as_str().unwrap_or_default();
    assert_eq!(access.split('.').count(), 3, "access_token is not a JWT: {}", res.text);
    assert!(
        res.body["refresh_token"].as_str().is_some_and(|r| !r.is_empty()),
        "no refresh_token: {}",
        res.text
    );
}

#[track_caller]
fn assert_unauthorized(res: &TestResponse) {
    assert_problem(res, 401, ":unauthorized");
    let challenge = res.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "WWW-Authenticate is {challenge:?}");
}

/// The token endpoints answer every failed grant alike, revealing neither the account nor the token's fate.
#[track_caller]
fn assert_login_failed(res: &TestResponse) {
    assert_problem(res, 401, ":invalid_grant");
}

fn refresh_token_of(res: &TestResponse) -> String {
    res.body["refresh_token"].as_str().expect("refresh_token").to_string()
}

fn access_token_of(res: &TestResponse) -> String {
    res.body["access_token"].as_str().expect("access_token").to_string()
}

async fn refresh_grant(app: &TestApp, refresh_token: &str) -> TestResponse {
    app.post(
        "/api/v1/auth/token",
        None,
        &json!({"grant_type": "refresh_token", "refresh_token": refresh_token}),
    )
    .await
}

async fn form_post(app: &TestApp, pairs: &[(&str, &str)]) -> TestResponse {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    app.send_raw(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
        &[],
    )
    .await
}

/// A user in the platform organization, created by the admin: `(id, username, password)`.
async fn new_user(app: &TestApp, role: &str) -> (String, String, String) {
    let admin = app.admin_token().await;
    let username = unique_username(role);
    let (id, password) = app.create_user(&admin, None, role, &username).await;
    (id, username, password)
}

#[actix_web::test]
async fn password_login_with_json() {
    let app = spawn_app().await;
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_token_response(&res);
    let me = app.get("/api/v1/me", Some(&access_token_of(&res))).await;
    me.expect_status(200);
    assert_eq!(me.body["username"], "admin");
    assert_eq!(me.body["role"], "admin");
}

#[actix_web::test]
async fn password_login_with_form_encoding() {
    let app = spawn_app().await;
    let res =
        form_post(&app, &[("grant_type", "password"), ("username", "admin"), ("password", ADMIN_PASSWORD)])
            .await;
    assert_token_response(&res);
    app.get("/api/v1/me", Some(&access_token_of(&res))).await.expect_status(200);

    // The refresh grant works in form encoding too.
    let refreshed =
        form_post(&app, &[("grant_type", "refresh_token"), ("refresh_token", &refresh_token_of(&res))]).await;
    assert_token_response(&refreshed);
}

#[actix_web::test]
async fn token_endpoint_rejects_other_media_types_and_incomplete_grants() {
    let app = spawn_app().await;
    let res = app
        .send_raw(Method::POST, "/api/v1/auth/token", None, Some("text/plain"), b"admin".to_vec(), &[])
        .await;
    assert_problem(&res, 415, ":unsupported_media_type");

    let res =
        app.post("/api/v1/auth/token", None, &json!({"grant_type": "password", "username": "admin"})).await;
    assert_invalid_field(&res, "password");

    let res = app.post("/api/v1/auth/token", None, &json!({"grant_type": "magic"})).await;
    assert_invalid_field(&res, "grant_type");
}

#[actix_web::test]
async fn wrong_password_is_401_login_failed() {
    let app = spawn_app().await;
    let res = app.login("admin", "not-the-admin-password").await;
    assert_login_failed(&res);
    assert!(res.body.get("access_token").is_none());
}

#[actix_web::test]
async fn unknown_user_is_the_same_401_as_a_wrong_password() {
    let app = spawn_app().await;
    let wrong_password = app.login("admin", "not-the-admin-password").await;
    let unknown_user = app.login("nobody-by-this-name", "not-the-admin-password").await;
    assert_login_failed(&unknown_user);
    for field in ["type", "title", "status", "detail"] {
        assert_eq!(
            wrong_password.body[field], unknown_user.body[field],
            "{field} differs: {} vs {}",
            wrong_password.text, unknown_user.text
        );
    }
}

#[actix_web::test]
async fn five_failures_lock_the_account_but_not_existing_tokens() {
    let app = spawn_app().await;
    let (id, username, password) = new_user(&app, "operator").await;
    let earlier = app.token(&username, &password).await;

    for attempt in 1..=5 {
        let res = app.login(&username, "wrong-password-attempt").await;
        assert_eq!(res.status, 401, "attempt {attempt}: {}", res.text);
    }
    let res = app.login(&username, &password).await;
    assert_login_failed(&res);

    // Tokens issued before the lockout keep working until they expire.
    let me = app.get("/api/v1/me", Some(&earlier)).await;
    me.expect_status(200);
    assert_eq!(me.body["id"], id.as_str());
    assert_eq!(me.body["locked"], true, "{}", me.text);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let (_, username, password) = new_user(&app, "operator").await;
    let login = app.login(&username, &password).await;
    assert_token_response(&login);
    let first = refresh_token_of(&login);

    let rotated = refresh_grant(&app, &first).await;
    assert_token_response(&rotated);
    let second = refresh_token_of(&rotated);
    assert_ne!(first, second, "the refresh token was not rotated");
    let me = app.get("/api/v1/me", Some(&access_token_of(&rotated))).await;
    me.expect_status(200);
    assert_eq!(me.body["username"], username.as_str());

    // Replaying the rotated token: refused, and the whole chain with it.
    assert_login_failed(&refresh_grant(&app, &first).await);
    assert_login_failed(&refresh_grant(&app, &second).await);

    // A fresh login starts a new family that works.
    let again = app.login(&username, &password).await;
    assert_token_response(&again);
    assert_token_response(&refresh_grant(&app, &refresh_token_of(&again)).await);
}

#[actix_web::test]
async fn refresh_endpoint_accepts_json() {
    let app = spawn_app().await;
    let login = app.login("admin", ADMIN_PASSWORD).await;
    let first = refresh_token_of(&login);
    let res = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": first})).await;
    assert_token_response(&res);
    assert_ne!(refresh_token_of(&res), first);
    app.get("/api/v1/me", Some(&access_token_of(&res))).await.expect_status(200);

    // Used once: never again.
    let res = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": first})).await;
    assert_login_failed(&res);

    let res = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": "rt_made-up"})).await;
    assert_login_failed(&res);
}

#[actix_web::test]
async fn logout_revokes_refresh_tokens() {
    let app = spawn_app().await;
    let (_, username, password) = new_user(&app, "operator").await;
    let one = app.login(&username, &password).await;
    let two = app.login(&username, &password).await;

    let res = app.post("/api/v1/auth/logout", Some(&access_token_of(&one)), &json!({})).await;
    res.expect_status(204);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&one)).await);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&two)).await);

    // An empty body means the same.
    let three = app.login(&username, &password).await;
    let res = app
        .send_raw(Method::POST, "/api/v1/auth/logout", Some(&access_token_of(&three)), None, Vec::new(), &[])
        .await;
    res.expect_status(204);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&three)).await);

    // So does JSON null, which the spec allows for the optional body.
    let four = app.login(&username, &password).await;
    let res = app.post("/api/v1/auth/logout", Some(&access_token_of(&four)), &json!(null)).await;
    res.expect_status(204);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&four)).await);

    // Logging out needs a token.
    let res = app.post("/api/v1/auth/logout", None, &json!({})).await;
    assert_unauthorized(&res);
}

#[actix_web::test]
async fn logout_with_a_refresh_token_revokes_only_its_family() {
    let app = spawn_app().await;
    let (_, username, password) = new_user(&app, "operator").await;
    let one = app.login(&username, &password).await;
    let two = app.login(&username, &password).await;

    let res = app
        .post(
            "/api/v1/auth/logout",
            Some(&access_token_of(&one)),
            &json!({"refresh_token": refresh_token_of(&one)}),
        )
        .await;
    res.expect_status(204);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&one)).await);
    assert_token_response(&refresh_grant(&app, &refresh_token_of(&two)).await);
}

#[actix_web::test]
async fn deactivated_user_cannot_log_in_and_loses_refresh_tokens() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (id, username, password) = new_user(&app, "operator").await;
    let login = app.login(&username, &password).await;
    assert_token_response(&login);

    let user = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
    user.expect_status(200);
    let etag = user.header("etag").expect("ETag");
    let res =
        app.patch(&format!("/api/v1/users/{id}"), Some(&admin), &json!({"active": false}), Some(&etag)).await;
    res.expect_status(200);
    assert_eq!(res.body["active"], false);

    assert_login_failed(&app.login(&username, &password).await);
    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&login)).await);
    // The access token outlives the account only as a 401 on /me.
    assert_unauthorized(&app.get("/api/v1/me", Some(&access_token_of(&login))).await);
}

// ---- forged and invalid access tokens ----

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims the API issues, for this user.
fn valid_claims(sub: &str, org: &str, role: &str) -> Value {
    let now = now();
    json!({
        "sub": sub, "org": org, "role": role, "iat": now, "nbf": now, "exp": now + 600,
        "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "jti": uuid::Uuid::now_v7().to_string(),
    })
}

fn sign(claims: &Value, key: &[u8], alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .expect("signing")
}

fn sign_hs256(claims: &Value) -> String {
    sign(claims, JWT_SECRET.as_bytes(), jsonwebtoken::Algorithm::HS256)
}

fn with(claims: &Value, changes: &[(&str, Value)]) -> Value {
    let mut c = claims.clone();
    for (k, v) in changes {
        c[*k] = v.clone();
    }
    c
}

#[actix_web::test]
async fn forged_and_invalid_tokens_are_rejected() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    me.expect_status(200);
    let (sub, org) = (me.body["id"].as_str().unwrap(), me.body["organization_id"].as_str().unwrap());
    let claims = valid_claims(sub, org, "admin");

    // Control: a token built here the way the API builds it is accepted, so each rejection below is
    // caused by the one thing changed.
    let control = app.get("/api/v1/me", Some(&sign_hs256(&claims))).await;
    control.expect_status(200);
    assert_eq!(control.body["id"], sub);

    let cases = bad_tokens(&claims);
    for (what, token) in cases {
        let res = app.get("/api/v1/me", token.as_deref()).await;
        assert_eq!(res.status, 401, "{what}: expected 401, got {}: {}", res.status, res.text);
        assert_problem(&res, 401, ":unauthorized");
        assert!(res.header("www-authenticate").unwrap_or_default().starts_with("Bearer"), "{what}");
    }

    // Other schemes are not bearer tokens.
    let res = app
        .send_raw(
            Method::GET,
            "/api/v1/me",
            None,
            None,
            Vec::new(),
            &[("Authorization", &format!("Basic {}", URL_SAFE_NO_PAD.encode(b"admin:x")))],
        )
        .await;
    assert_unauthorized(&res);
}

fn without(claims: &Value, name: &str) -> Value {
    let mut c = claims.clone();
    if let Some(map) = c.as_object_mut() {
        map.remove(name);
    }
    c
}

#[actix_web::test]
async fn password_reset_lifts_the_lockout_and_revokes_refresh_tokens() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (id, username, password) = new_user(&app, "operator").await;
    let login = app.login(&username, &password).await;
    assert_token_response(&login);
    for _ in 0..5 {
        app.login(&username, "wrong-password-attempt").await.expect_status(401);
    }
    assert_login_failed(&app.login(&username, &password).await);

    let user = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
    assert_eq!(user.body["locked"], true, "{}", user.text);
    let etag = user.header("etag").expect("ETag");
    let new_password = "a-brand-new-password-2026";
    let res = app
        .patch(&format!("/api/v1/users/{id}"), Some(&admin), &json!({"password": new_password}), Some(&etag))
        .await;
    res.expect_status(200);
    assert_eq!(res.body["locked"], false, "{}", res.text);

    assert_login_failed(&refresh_grant(&app, &refresh_token_of(&login)).await);
    assert_login_failed(&app.login(&username, &password).await);
    assert_token_response(&app.login(&username, new_password).await);
}

/// Every kind of token that must be refused, built around valid `claims` of the test app's key.
pub fn bad_tokens(claims: &Value) -> Vec<(&'static str, Option<String>)> {
    let claims = claims.clone();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
    let valid_signature = sign_hs256(&claims).rsplit('.').next().unwrap().to_string();
    let alg_none_with_signature = format!("{alg_none}{valid_signature}");
    // A genuine token's header and signature around a payload with another role.
    let genuine = sign_hs256(&claims);
    let parts: Vec<&str> = genuine.split('.').collect();
    let tampered =
        format!("{}.{}.{}", parts[0], b64(&with(&claims, &[("role", json!("operator"))])), parts[2]);
    let now = now();
    vec![
        ("no token", None),
        ("garbage", Some("garbage".into())),
        ("alg none", Some(alg_none)),
        ("alg none with a signature", Some(alg_none_with_signature)),
        ("tampered payload", Some(tampered)),
        (
            "another key",
            Some(sign(
                &claims,
                b"some-other-secret-of-sufficient-length-000",
                jsonwebtoken::Algorithm::HS256,
            )),
        ),
        (
            "HS512 with the right key",
            Some(sign(&claims, JWT_SECRET.as_bytes(), jsonwebtoken::Algorithm::HS512)),
        ),
        (
            "expired",
            Some(sign_hs256(&with(
                &claims,
                &[("iat", json!(now - 7200)), ("nbf", json!(now - 7200)), ("exp", json!(now - 3600))],
            ))),
        ),
        (
            "not valid before the future",
            Some(sign_hs256(&with(&claims, &[("nbf", json!(now + 3600)), ("exp", json!(now + 7200))]))),
        ),
        ("wrong issuer", Some(sign_hs256(&with(&claims, &[("iss", json!("someone-else"))])))),
        ("wrong audience", Some(sign_hs256(&with(&claims, &[("aud", json!("another-api"))])))),
        ("extra claim", Some(sign_hs256(&with(&claims, &[("admin", json!(true))])))),
        ("missing exp", Some(sign_hs256(&without(&claims, "exp")))),
        ("missing jti", Some(sign_hs256(&without(&claims, "jti")))),
        ("unknown role", Some(sign_hs256(&with(&claims, &[("role", json!("superuser"))])))),
    ]
}
