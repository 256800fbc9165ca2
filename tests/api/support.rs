//! The harness: every test spawns its own application on a fresh database (SQLite in a temporary
//! directory by default, or a fresh PostgreSQL database with `SPORTELLO_TEST_BACKEND=postgres`) and talks
//! to it over real HTTP.

use std::time::Duration;

use awc::http::Method;
use awc::http::header::HeaderMap;
use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use sportello::app::Application;
use sportello::config::Settings;

/// The bootstrap admin's password (`SPORTELLO_ADMIN_PASSWORD`).
pub const ADMIN_PASSWORD: &str = "admin-password-for-integration-tests";
/// The HS256 key the app signs with (`SPORTELLO_JWT_SECRET`), so tests can forge tokens.
pub const JWT_SECRET: &str = "integration-test-jwt-secret-0123456789-abcdefghijklmnop";
pub const JWT_ISSUER: &str = "sportello";
pub const JWT_AUDIENCE: &str = "sportello-api";
/// The password every fixture user gets.
pub const USER_PASSWORD: &str = "test-password-long-enough";

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const BODY_READ_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_env() -> Backend {
        match std::env::var("SPORTELLO_TEST_BACKEND").as_deref().map(str::trim) {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") | Ok("postgresql") => Backend::Postgres,
            Ok(other) => panic!("SPORTELLO_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
        }
    }
}

/// A fresh PostgreSQL database, dropped with the app.
struct PgDatabase {
    admin_url: String,
    name: String,
}

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: awc::Client,
    /// For tests whose expectations differ by backend.
    #[allow(dead_code)]
    pub backend: Backend,
    pub port: u16,
    /// Holds the SQLite file (and the data dir) until the test ends.
    _data_dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
    /// The application's database, for tests that check what was stored (e.g. the audit trail).
    pub database_url: String,
    /// The application's clock for deadlines and overdue: it stands still until a test sets or advances it.
    #[allow(dead_code)]
    pub clock: sportello::clock::Clock,
    /// Stops the server and its background tasks (a restart is a stop and a new app on the same database).
    stop: Option<sportello::app::StopHandle>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(pg) = &self.pg
            && let Ok(mut conn) = diesel::PgConnection::establish(&pg.admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", pg.name))
                .execute(&mut conn);
        }
    }
}

/// What came back: status, headers, the body parsed as JSON (`Null` when empty or not JSON) and as text.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as received (a downloaded file).
    #[allow(dead_code)]
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// A response header (the first value), case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// Fails with the response in the message unless the status is the expected one.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }

    /// The `id` of a JSON body.
    #[track_caller]
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", self.text)).to_string()
    }
}

/// Replaces the database name (the last path segment) of a PostgreSQL URL, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match base[scheme_end..].rfind('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

fn init_logging() {
    if std::env::var("TEST_LOG").is_ok_and(|v| !v.is_empty() && v != "0") {
        let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
            .is_test(true)
            .try_init();
    }
}

/// Starts the application on a random port with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with extra `SPORTELLO_*` variables (they win over the defaults).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    init_logging();
    let backend = Backend::from_env();
    let data_dir = tempfile::TempDir::new().expect("temporary directory");
    let (database_url, pg) = match backend {
        Backend::Sqlite => (data_dir.path().join("sportello.db").to_string_lossy().into_owned(), None),
        Backend::Postgres => {
            let admin_url = std::env::var("SPORTELLO_TEST_PG_URL")
                .ok()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_PG_URL.to_string());
            let name = format!("sportello_t_{}", uuid::Uuid::now_v7().simple());
            sportello::db::init_tls();
            let mut conn = diesel::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("cannot connect to {admin_url}: {e}"));
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
            (with_database(&admin_url, &name), Some(PgDatabase { admin_url, name }))
        }
    };
    let data_dir_str = data_dir.path().to_string_lossy().into_owned();
    let mut vars: Vec<(String, String)> = [
        ("SPORTELLO_DATABASE_URL", database_url.as_str()),
        ("SPORTELLO_BIND", "127.0.0.1:0"),
        ("SPORTELLO_DATA_DIR", data_dir_str.as_str()),
        ("SPORTELLO_JWT_SECRET", JWT_SECRET),
        ("SPORTELLO_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SPORTELLO_WORKERS", "1"),
        ("SPORTELLO_DB_POOL_SIZE", "4"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    // Construct the guard before anything can fail, so a failed start still drops the database.
    let mut app = TestApp {
        address: String::new(),
        // The server closes idle connections after 5 s (actix's default keep-alive); a client that kept them
        // longer could reuse one just closed and get "connection reset" on a slow machine.
        client: awc::Client::builder()
            .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
            .timeout(Duration::from_secs(30))
            .disable_redirects()
            .finish(),
        backend,
        port: 0,
        _data_dir: data_dir,
        pg,
        database_url: database_url.clone(),
        clock: sportello::clock::Clock::manual(chrono::Utc::now().naive_utc()),
        stop: None,
    };
    let settings = Settings::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        .expect("test settings are valid");
    let application = Application::build_with_clock(settings, app.clock.clone())
        .unwrap_or_else(|e| panic!("the app did not start: {e}"));
    app.port = application.port();
    app.address = format!("http://127.0.0.1:{}", app.port);
    app.stop = Some(application.stop_handle());
    actix_web::rt::spawn(application.run_until_stopped());
    app
}

impl TestApp {
    /// Stops the server and its background work, as a process shutdown would; the database stays.
    #[allow(dead_code)]
    pub async fn stop(&self) {
        if let Some(stop) = &self.stop {
            stop.stop().await;
        }
    }

    /// How many audit events with this action were recorded, read straight from the database.
    pub fn audit_count(&self, action: &str, case_id: Option<&str>) -> i64 {
        use diesel::prelude::*;
        use sportello::db::schema::audit_events as a;
        let mut conn = self.database().get().unwrap();
        let mut q = a::table.filter(a::action.eq(action.to_string())).into_boxed();
        if let Some(id) = case_id {
            q = q.filter(a::case_id.eq(id.to_string()));
        }
        q.count().get_result(&mut *conn).unwrap()
    }

    /// Runs one statement that changes one row on the application's database, with `at` bound as `$1`:
    /// how a test makes time pass for a record (an expiry, a due date) without waiting.
    pub fn set_time(&self, sql: &str, at: chrono::NaiveDateTime) {
        let mut conn = self.database().get().unwrap();
        let q = diesel::sql_query(self.placeholders(sql)).bind::<diesel::sql_types::Timestamp, _>(at);
        let n = q.execute(&mut *conn).unwrap();
        assert_eq!(n, 1, "{sql} changed {n} rows");
    }

    /// Like [`TestApp::set_time`], with a date.
    pub fn set_date(&self, sql: &str, day: chrono::NaiveDate) {
        let mut conn = self.database().get().unwrap();
        let q = diesel::sql_query(self.placeholders(sql)).bind::<diesel::sql_types::Date, _>(day);
        let n = q.execute(&mut *conn).unwrap();
        assert_eq!(n, 1, "{sql} changed {n} rows");
    }

    /// SQLite writes a parameter as `?`, PostgreSQL as `$1`.
    fn placeholders(&self, sql: &str) -> String {
        match self.backend {
            Backend::Sqlite => sql.replace("$1", "?"),
            Backend::Postgres => sql.to_string(),
        }
    }

    /// The app's `SPORTELLO_DATA_DIR`.
    #[allow(dead_code)]
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    pub fn database(&self) -> sportello::db::Database {
        sportello::db::Database::connect(
            &sportello::config::DatabaseUrl::parse(&self.database_url).unwrap(),
            1,
        )
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> awc::ClientRequest {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        req
    }

    async fn send(&self, req: awc::ClientRequest, body: Option<Vec<u8>>) -> TestResponse {
        let description = format!("{} {}", req.get_method(), req.get_uri());
        let sent = match body {
            Some(bytes) => req.send_body(bytes).await,
            None => req.send().await,
        };
        let mut res = sent.unwrap_or_else(|e| panic!("{description} failed: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res
            .body()
            .limit(BODY_READ_LIMIT)
            .await
            .unwrap_or_else(|e| panic!("{description}: cannot read the body: {e}"));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse { status, headers, body, text, bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request(Method::GET, path, token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.post_with_headers(path, token, body, &[]).await
    }

    pub async fn post_with_headers(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let bytes = serde_json::to_vec(body).expect("serializable body");
        self.send_raw(Method::POST, path, token, Some("application/json"), bytes, headers).await
    }

    /// JSON merge patch, with `If-Match` when given.
    #[allow(dead_code)]
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        let bytes = serde_json::to_vec(body).expect("serializable body");
        self.send_raw(Method::PUT, path, token, Some("application/json"), bytes, &[]).await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
        if_match: Option<&str>,
    ) -> TestResponse {
        let bytes = serde_json::to_vec(body).expect("serializable body");
        let headers: Vec<(&str, &str)> = if_match.map(|etag| ("If-Match", etag)).into_iter().collect();
        self.send_raw(Method::PATCH, path, token, Some("application/merge-patch+json"), bytes, &headers).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request(Method::DELETE, path, token), None).await
    }

    /// Any method, content type, body bytes and extra headers.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = self.request(method, path, token);
        if let Some(ct) = content_type {
            req = req.insert_header(("Content-Type", ct));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        self.send(req, Some(body)).await
    }

    /// The password grant, as JSON.
    pub async fn login(&self, username: &str, password: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": username, "password": password}),
        )
        .await
    }

    /// An access token for these credentials (the login must succeed).
    pub async fn token(&self, username: &str, password: &str) -> String {
        let res = self.login(username, password).await;
        assert_eq!(res.status, 200, "login of {username} failed: {}", res.text);
        res.body["access_token"].as_str().expect("access_token").to_string()
    }

    /// A new integration client acting for these organizations (made by the admin): (client id, secret).
    pub async fn integration_client(&self, orgs: &[&str]) -> (String, String) {
        let admin = self.admin_token().await;
        let body = json!({"name": "Piattaforma distrettuale", "organization_ids": orgs});
        let res = self.post("/api/v1/integration-clients", Some(&admin), &body).await;
        assert_eq!(res.status, 201, "creating an integration client failed: {}", res.text);
        let secret = res.body["client_secret"].as_str().expect("client_secret").to_string();
        (res.body["client"]["id"].as_str().expect("client id").to_string(), secret)
    }

    /// The client-credentials grant (the response, whatever it is).
    pub async fn client_login(&self, client_id: &str, secret: &str) -> TestResponse {
        let body =
            json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
        self.post("/api/v1/auth/token", None, &body).await
    }

    /// An access token of a new integration client acting for these organizations.
    pub async fn integration_token(&self, orgs: &[&str]) -> String {
        let (id, secret) = self.integration_client(orgs).await;
        let res = self.client_login(&id, &secret).await;
        assert_eq!(res.status, 200, "client login failed: {}", res.text);
        res.body["access_token"].as_str().expect("access_token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// The bootstrap platform organization's id.
    pub async fn platform_organization_id(&self, admin_token: &str) -> String {
        let me = self.get("/api/v1/me", Some(admin_token)).await;
        me.expect_status(200);
        me.body["organization_id"].as_str().expect("organization_id").to_string()
    }

    /// Creates a charity with this code; returns its id.
    pub async fn create_organization(&self, admin_token: &str, code: &str) -> String {
        let res = self
            .post(
                "/api/v1/organizations",
                Some(admin_token),
                &json!({"name": format!("Organization {code}"), "kind": "charity", "code": code}),
            )
            .await;
        assert_eq!(res.status, 201, "creating organization {code} failed: {}", res.text);
        res.id()
    }

    /// Creates a user (in `org_id`, or the caller's organization); returns `(id, password)`.
    pub async fn create_user(
        &self,
        token: &str,
        org_id: Option<&str>,
        role: &str,
        username: &str,
    ) -> (String, String) {
        let res = self.post("/api/v1/users", Some(token), &user_body(org_id, role, username)).await;
        assert_eq!(res.status, 201, "creating user {username} failed: {}", res.text);
        (res.id(), USER_PASSWORD.to_string())
    }

    /// A new user with this role in this organization (created by the admin), logged in.
    pub async fn user_token(&self, role: &str, org_id: &str) -> String {
        let admin = self.admin_token().await;
        let username = unique_username(role);
        let (_, password) = self.create_user(&admin, Some(org_id), role, &username).await;
        self.token(&username, &password).await
    }
}

/// The body of POST /api/v1/users.
pub fn user_body(org_id: Option<&str>, role: &str, username: &str) -> Value {
    let mut body = json!({
        "username": username,
        "display_name": format!("User {username}"),
        "role": role,
        "password": USER_PASSWORD,
    });
    if let Some(org) = org_id {
        body["organization_id"] = json!(org);
    }
    body
}

/// A username no other test uses.
pub fn unique_username(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

/// A valid organization code no other call returns: `T` + 15 characters.
pub fn unique_code() -> String {
    let simple = uuid::Uuid::now_v7().simple().to_string().to_ascii_uppercase();
    // The last characters of a v7 UUID are random; the first are the timestamp.
    format!("T{}", &simple[simple.len() - 15..])
}

/// An RFC 9457 problem with this status and a `type` ending in `type_suffix`.
#[track_caller]
pub fn assert_problem(resp: &TestResponse, status: u16, type_suffix: &str) {
    assert_eq!(resp.status, status, "unexpected status; body: {}", resp.text);
    let content_type = resp.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content-type {content_type:?} is not problem+json; body: {}",
        resp.text
    );
    let problem_type = resp.body["type"].as_str().unwrap_or_default();
    assert!(
        problem_type.starts_with("urn:sportello:problem:") && problem_type.ends_with(type_suffix),
        "problem type {problem_type:?} does not end with {type_suffix:?}; body: {}",
        resp.text
    );
    assert_eq!(resp.body["status"].as_u64(), Some(u64::from(status)), "problem status; body: {}", resp.text);
}

/// A 422 validation problem that names `field` in its `errors`.
#[track_caller]
pub fn assert_invalid_field(resp: &TestResponse, field: &str) {
    assert_problem(resp, 422, ":validation");
    let errors = resp.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"].as_str() == Some(field)),
        "no error names the field {field:?}: {}",
        resp.text
    );
}
