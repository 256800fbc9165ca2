//! Operations: the login rate limit per client address and the Prometheus metrics.

use crate::support::{ADMIN_PASSWORD, assert_problem, spawn_app, spawn_app_with};

#[actix_web::test]
async fn login_attempts_are_rate_limited_per_address() {
    let app = spawn_app_with(&[("SPORTELLO_LOGIN_RATE_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        app.login("nobody", "wrong-password-123").await.expect_status(401);
    }
    // Even the right password waits: the limit is on the address, before any account is looked at.
    let limited = app.login("admin", ADMIN_PASSWORD).await;
    assert_problem(&limited, 429, ":rate_limited");
    let retry_after: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[actix_web::test]
async fn metrics_count_requests_per_route_template() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await.body["organization_id"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/organizations/{me}"), Some(&admin)).await.expect_status(200);
    app.get(&format!("/api/v1/organizations/{}", uuid::Uuid::now_v7()), Some(&admin))
        .await
        .expect_status(404);

    let res = app.get("/metrics", None).await;
    res.expect_status(200);
    assert!(res.header("content-type").unwrap().starts_with("text/plain"));
    let text = &res.text;
    // Parse every sample line: name{labels} value.
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }
    assert!(text.contains(
        r#"sportello_http_requests_total{method="GET",route="/api/v1/organizations/{id}",status="200"} 1"#
    ));
    assert!(text.contains(
        r#"sportello_http_requests_total{method="GET",route="/api/v1/organizations/{id}",status="404"} 1"#
    ));
    assert!(text.contains(
        r#"sportello_http_request_duration_seconds_count{method="GET",route="/api/v1/organizations/{id}"} 2"#
    ));
    assert!(!text.contains(&me), "raw paths (with ids) never become labels");
    assert!(text.contains("sportello_db_pool_max_connections 4"));
}
