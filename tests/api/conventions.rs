//! Conventions every endpoint shares (DESIGN.md §3–4): problem+json errors, 404/405, body limits,
//! request ids, security headers, Idempotency-Key, health probes and the OpenAPI document.

use awc::http::Method;
use serde_json::{Value, json};

use crate::support::{
    TestApp, assert_problem, spawn_app, spawn_app_with, unique_code, unique_username, user_body,
};

const ORGS: &str = "/api/v1/organizations";

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for path in ["/api/v1/does-not-exist", "/api/v2/organizations", "/nowhere"] {
        let res = app.get(path, Some(&admin)).await;
        assert_problem(&res, 404, ":not_found");
        assert_eq!(res.body["instance"], path, "{}", res.text);
    }
}

#[actix_web::test]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.delete("/api/v1/me", Some(&admin)).await;
    assert_problem(&res, 405, ":method_not_allowed");
    let allow = res.header("allow").expect("Allow header");
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    assert!(methods.contains(&"GET"), "Allow: {allow}");
    assert!(!methods.contains(&"DELETE"), "Allow: {allow}");

    let res =
        app.send_raw(Method::PUT, ORGS, Some(&admin), Some("application/json"), b"{}".to_vec(), &[]).await;
    assert_problem(&res, 405, ":method_not_allowed");
    let allow = res.header("allow").expect("Allow header");
    assert!(allow.contains("GET") && allow.contains("POST"), "Allow: {allow}");

    // A literal path beside a templated one: PATCH /cases/duplicate-check must not be read as
    // PATCH /cases/{id} with a bad id.
    let res =
        app.patch("/api/v1/cases/duplicate-check", Some(&admin), &serde_json::json!({}), Some("\"1\"")).await;
    assert_problem(&res, 405, ":method_not_allowed");
    assert_eq!(res.header("allow").as_deref(), Some("POST"));
    // A templated path with a bad id is still 404.
    assert_problem(&app.get("/api/v1/cases/not-a-uuid", Some(&admin)).await, 404, ":not_found");
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for body in [&b"{\"name\": "[..], b"not json at all", b"\xff\xfe"] {
        let res = app
            .send_raw(Method::POST, ORGS, Some(&admin), Some("application/json"), body.to_vec(), &[])
            .await;
        assert_problem(&res, 400, ":bad_request");
    }
}

#[actix_web::test]
async fn non_json_content_type_is_415() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Plain", "kind": "charity", "code": unique_code()}).to_string();
    let res = app
        .send_raw(Method::POST, ORGS, Some(&admin), Some("text/plain"), body.clone().into_bytes(), &[])
        .await;
    assert_problem(&res, 415, ":unsupported_media_type");
    let res = app.send_raw(Method::POST, ORGS, Some(&admin), None, body.into_bytes(), &[]).await;
    assert_problem(&res, 415, ":unsupported_media_type");
}

#[actix_web::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let filler = "a".repeat(1024 * 1024);
    let body = json!({"name": filler, "kind": "charity", "code": unique_code()}).to_string();
    assert!(body.len() > 1024 * 1024);
    let res = app
        .send_raw(Method::POST, ORGS, Some(&admin), Some("application/json"), body.into_bytes(), &[])
        .await;
    assert_problem(&res, 413, ":payload_too_large");

    // The same through the Idempotency-Key path, which reads the body itself.
    let body = json!({"name": "a".repeat(1024 * 1024), "kind": "charity", "code": unique_code()}).to_string();
    let res = app
        .send_raw(
            Method::POST,
            ORGS,
            Some(&admin),
            Some("application/json"),
            body.into_bytes(),
            &[("Idempotency-Key", "too-large-0001")],
        )
        .await;
    assert_problem(&res, 413, ":payload_too_large");
    assert!(res.header("x-request-id").is_some());
    assert_eq!(organization_count(&app, &admin).await, 1, "nothing was created");
}

#[actix_web::test]
async fn json_with_a_charset_is_accepted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Charset", "kind": "charity", "code": unique_code()}).to_string();
    let res = app
        .send_raw(
            Method::POST,
            ORGS,
            Some(&admin),
            Some("application/json; charset=utf-8"),
            body.into_bytes(),
            &[],
        )
        .await;
    res.expect_status(201);
}

#[actix_web::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for path in ["/health/live", "/api/v1/me", "/api/v1/nowhere"] {
        let res = app.get(path, Some(&admin)).await;
        let id = res.header("x-request-id").unwrap_or_default();
        assert!(!id.is_empty(), "no X-Request-Id on {path}");
    }
    let a = app.get("/health/live", None).await.header("x-request-id");
    let b = app.get("/health/live", None).await.header("x-request-id");
    assert_ne!(a, b, "request ids are per request");

    let echo = |id: &'static str| {
        let app = &app;
        async move {
            app.send_raw(Method::GET, "/api/v1/nowhere", None, None, Vec::new(), &[("X-Request-Id", id)])
                .await
        }
    };
    let res = echo("trace-42.abc_1:x").await;
    assert_eq!(res.header("x-request-id").as_deref(), Some("trace-42.abc_1:x"));
    assert_eq!(res.body["request_id"], "trace-42.abc_1:x", "problems quote the request id");

    let res = echo("a b").await;
    let replaced = res.header("x-request-id").unwrap_or_default();
    assert!(!replaced.is_empty() && replaced != "a b", "an unsafe id was echoed: {replaced:?}");
    assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "replaced by a generated id, not {replaced:?}");
}

#[actix_web::test]
async fn api_responses_carry_security_headers() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let ok = app.get("/api/v1/me", Some(&admin)).await;
    ok.expect_status(200);
    let unauthorized = app.get("/api/v1/me", None).await;
    let login = app.login("admin", crate::support::ADMIN_PASSWORD).await;
    for res in [&ok, &unauthorized, &login] {
        assert_eq!(res.header("cache-control").as_deref(), Some("no-store"), "{}", res.text);
        assert_eq!(res.header("x-content-type-options").as_deref(), Some("nosniff"));
    }
    let health = app.get("/health/live", None).await;
    assert_eq!(health.header("x-content-type-options").as_deref(), Some("nosniff"));
}

async fn organization_count(app: &TestApp, token: &str) -> usize {
    let res = app.get(&format!("{ORGS}?limit=200"), Some(token)).await;
    res.expect_status(200);
    res.body["items"].as_array().unwrap().len()
}

async fn organization_count_with_code(app: &TestApp, token: &str, code: &str) -> usize {
    let res = app.get(&format!("{ORGS}?limit=200"), Some(token)).await;
    res.expect_status(200);
    res.body["items"].as_array().unwrap().iter().filter(|o| o["code"] == code).count()
}

#[actix_web::test]
async fn idempotency_key_replays_the_first_response() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let code = unique_code();
    let body = json!({"name": "Idempotent", "kind": "charity", "code": code});
    let key = [("Idempotency-Key", "create-org-0001")];

    let first = app.post_with_headers(ORGS, Some(&admin), &body, &key).await;
    first.expect_status(201);
    assert!(first.header("idempotent-replayed").is_none());
    let second = app.post_with_headers(ORGS, Some(&admin), &body, &key).await;
    second.expect_status(201);
    assert_eq!(second.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(second.header("location"), first.header("location"));
    assert!(first.header("location").is_some());
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.body, first.body);
    assert_eq!(organization_count_with_code(&app, &admin, &code).await, 1);

    // Same key, another body: refused, nothing created.
    let other = json!({"name": "Idempotent", "kind": "charity", "code": unique_code()});
    let res = app.post_with_headers(ORGS, Some(&admin), &other, &key).await;
    assert_problem(&res, 422, ":idempotency_key_reused");
    assert_eq!(organization_count_with_code(&app, &admin, other["code"].as_str().unwrap()).await, 0);

    // Without a key, the same body is a new request (and a duplicate code).
    let res = app.post(ORGS, Some(&admin), &body).await;
    assert_problem(&res, 422, ":validation");
}

#[actix_web::test]
async fn idempotency_keys_belong_to_the_caller() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, "KEYS").await;
    let coordinator = app.user_token("coordinator", &org).await;
    let key = [("Idempotency-Key", "same-key")];

    let by_admin = app
        .post_with_headers(
            "/api/v1/users",
            Some(&admin),
            &user_body(Some(&org), "operator", &unique_username("a")),
            &key,
        )
        .await;
    by_admin.expect_status(201);
    let by_coordinator = app
        .post_with_headers(
            "/api/v1/users",
            Some(&coordinator),
            &user_body(Some(&org), "operator", &unique_username("c")),
            &key,
        )
        .await;
    by_coordinator.expect_status(201);
    assert!(by_coordinator.header("idempotent-replayed").is_none());
    assert_ne!(by_admin.id(), by_coordinator.id());

    let res =
        app.post_with_headers(ORGS, Some(&admin), &json!({}), &[("Idempotency-Key", "has space")]).await;
    assert_problem(&res, 400, ":bad_request");
    assert!(res.header("x-request-id").is_some());
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
}

#[actix_web::test]
async fn cors_allows_only_the_configured_origins() {
    let allowed = "https://app.example.org";
    let app = spawn_app_with(&[("SPORTELLO_CORS_ORIGINS", allowed)]).await;
    let admin = app.admin_token().await;
    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.send_raw(
                Method::OPTIONS,
                "/api/v1/organizations",
                None,
                None,
                Vec::new(),
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "PATCH"),
                    ("Access-Control-Request-Headers", "authorization, if-match, content-type"),
                ],
            )
            .await
        }
    };
    let res = preflight(allowed).await;
    assert!(res.status < 300, "preflight from an allowed origin: {} {}", res.status, res.text);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some(allowed));
    let methods = res.header("access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("PATCH"), "allowed methods: {methods}");

    let res = preflight("https://evil.example").await;
    assert!(res.header("access-control-allow-origin").is_none(), "evil origin allowed: {:?}", res.headers);

    let res =
        app.send_raw(Method::GET, "/api/v1/me", Some(&admin), None, Vec::new(), &[("Origin", allowed)]).await;
    res.expect_status(200);
    assert_eq!(res.header("access-control-allow-origin").as_deref(), Some(allowed));
    let exposed = res.header("access-control-expose-headers").unwrap_or_default().to_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("x-request-id"), "exposed: {exposed}");

    let res = app
        .send_raw(
            Method::GET,
            "/api/v1/me",
            Some(&admin),
            None,
            Vec::new(),
            &[("Origin", "https://evil.example")],
        )
        .await;
    assert!(res.header("access-control-allow-origin").is_none(), "evil origin allowed: {:?}", res.headers);
}

#[actix_web::test]
async fn health_probes_answer() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let res = app.get(path, None).await;
        res.expect_status(200);
        assert_eq!(res.body["status"], "ok");
    }
}

#[actix_web::test]
async fn the_openapi_document_is_served() {
    let app = spawn_app().await;
    let res = app.get("/api-docs/openapi.json", None).await;
    res.expect_status(200);
    let version = res.body["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi version {version:?}");
    let expected: Value = serde_json::to_value(sportello::openapi::document()).unwrap();
    assert_eq!(res.body, expected, "the served document is sportello::openapi::document()");
    for path in
        ["/api/v1/auth/token", "/api/v1/me", "/api/v1/organizations", "/api/v1/users", "/health/ready"]
    {
        assert!(res.body["paths"].get(path).is_some(), "{path} is not documented");
    }
}

#[actix_web::test]
async fn swagger_ui_is_served_locally() {
    let app = spawn_app().await;
    let res = app.get("/swagger-ui/", None).await;
    res.expect_status(200);
    let content_type = res.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "content-type {content_type:?}");
    assert!(res.text.to_lowercase().contains("<html"), "not an HTML page");
    assert!(!res.text.contains("unpkg.com") && !res.text.contains("cdn.jsdelivr"), "assets come from a CDN");

    let res = app.get("/swagger-ui", None).await;
    assert_eq!(res.status, 308, "{}", res.text);
    assert_eq!(res.header("location").as_deref(), Some("/swagger-ui/"));
}

#[test]
fn committed_openapi_document_is_up_to_date() {
    const HINT: &str = "run `cargo run -- openapi > openapi/openapi.json` and commit the result";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi").join("openapi.json");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {HINT}", path.display()));
    let committed: Value = serde_json::from_str(&committed)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}; {HINT}", path.display()));
    let generated = sportello::openapi::document().to_pretty_json().expect("serializable document") + "\n";
    let generated: Value = serde_json::from_str(&generated).expect("generated document is JSON");
    assert!(committed == generated, "{} is out of date; {HINT}", path.display());
}
