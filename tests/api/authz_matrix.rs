//! Runs every cell of tests/authz-matrix.md: each secured operation × role × own/foreign record.

use std::collections::BTreeMap;

use awc::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app, unique_code, unique_username};

const ROLES: [&str; 4] = ["admin", "coordinator", "operator", "analyst"];

/// operation → role → (own, foreign) expected status.
fn matrix() -> BTreeMap<String, BTreeMap<String, (u16, u16)>> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/authz-matrix.md")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| {
        l.starts_with("| GET")
            || l.starts_with("| POST")
            || l.starts_with("| PATCH")
            || l.starts_with("| DELETE")
            || l.starts_with("| PUT")
    }) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 1 + ROLES.len(), "malformed row: {line}");
        let mut by_role = BTreeMap::new();
        for (role, cell) in ROLES.iter().zip(&cells[1..]) {
            let (own, foreign) = cell.split_once('/').unwrap_or_else(|| panic!("cell {cell:?} in {line}"));
            by_role.insert(role.to_string(), (own.parse().unwrap(), foreign.parse().unwrap()));
        }
        assert!(out.insert(cells[0].to_string(), by_role).is_none(), "duplicate row {}", cells[0]);
    }
    out
}

/// Two organizations, a user of each role in the first, and helpers to make fresh records in either.
struct World {
    admin: String,
    own: String,
    foreign: String,
    own_operator: String,
    foreign_operator: String,
    tokens: BTreeMap<&'static str, String>,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let admin = app.admin_token().await;
        let own = app.create_organization(&admin, &unique_code()).await;
        let foreign = app.create_organization(&admin, &unique_code()).await;
        let mut tokens = BTreeMap::new();
        for role in ROLES {
            tokens.insert(role, app.user_token(role, &own).await);
        }
        let own_operator = app.user_token("operator", &own).await;
        let foreign_operator = app.user_token("operator", &foreign).await;
        World { admin, own, foreign, own_operator, foreign_operator, tokens }
    }

    fn org(&self, foreign: bool) -> &str {
        if foreign { &self.foreign } else { &self.own }
    }

    async fn post_id(&self, app: &TestApp, path: &str, token: &str, body: Value) -> String {
        let res = app.post(path, Some(token), &body).await;
        assert_eq!(res.status, 201, "fixture {path}: {}", res.text);
        res.id()
    }

    async fn case(&self, app: &TestApp, foreign: bool) -> String {
        let token = if foreign { &self.foreign_operator } else { &self.own_operator };
        self.post_id(app, "/api/v1/cases", token, json!({"given_name": "Matrix", "family_name": "Case"}))
            .await
    }

    /// The concrete path and body of an operation on a fresh record of the chosen organization.
    async fn request(
        &self,
        app: &TestApp,
        method: &Method,
        template: &str,
        foreign: bool,
    ) -> (String, Value) {
        let org = self.org(foreign).to_string();
        let mut path = template.to_string();
        if template.contains("{case_id}") {
            let case = self.case(app, foreign).await;
            path = path.replace("{case_id}", &case);
            if template.ends_with("/family-members/{id}") {
                let token = if foreign { &self.foreign_operator } else { &self.own_operator };
                let id = self
                    .post_id(
                        app,
                        &format!("/api/v1/cases/{case}/family-members"),
                        token,
                        json!({"relationship": "child", "given_name": "A", "family_name": "B"}),
                    )
                    .await;
                path = path.replace("{id}", &id);
            }
            if template.ends_with("/interventions/{id}") {
                let token = if foreign { &self.foreign_operator } else { &self.own_operator };
                let id = self
                    .post_id(
                        app,
                        &format!("/api/v1/cases/{case}/interventions"),
                        token,
                        json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x"}),
                    )
                    .await;
                path = path.replace("{id}", &id);
            }
        } else if template.contains("{id}") {
            let id = match template {
                t if t.starts_with("/api/v1/organizations/") => org.clone(),
                t if t.starts_with("/api/v1/desks/") => {
                    self.post_id(app, "/api/v1/desks", &self.admin, json!({"name": "Matrix desk", "organization_id": org})).await
                }
                t if t.starts_with("/api/v1/users/") => {
                    self.post_id(app, "/api/v1/users", &self.admin, json!({"username": unique_username("target"),
                        "display_name": "Target", "role": "operator", "password": "matrix-password-long", "organization_id": org}))
                    .await
                }
                t if t.starts_with("/api/v1/cases/") => self.case(app, foreign).await,
                other => panic!("no fixture for {other}"),
            };
            path = path.replace("{id}", &id);
        }
        let body = match (method.as_str(), template) {
            ("POST", "/api/v1/organizations") => {
                json!({"name": "New org", "kind": "charity", "code": unique_code()})
            }
            ("POST", "/api/v1/desks") => json!({"name": "New desk", "organization_id": org}),
            ("POST", "/api/v1/users") => json!({"username": unique_username("new"), "display_name": "New",
                "role": "operator", "password": "matrix-password-long", "organization_id": org}),
            ("POST", "/api/v1/cases") => json!({"given_name": "New", "family_name": "Case"}),
            ("POST", t) if t.ends_with("/status") => json!({"status": "active"}),
            ("POST", t) if t.ends_with("/family-members") => {
                json!({"relationship": "child", "given_name": "C", "family_name": "D"})
            }
            ("POST", t) if t.ends_with("/interventions") => {
                json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x"})
            }
            ("POST", "/api/v1/auth/logout") => json!({}),
            ("PATCH", t) if t.starts_with("/api/v1/organizations") => json!({"phone": "+39 02 1234"}),
            ("PATCH", t) if t.starts_with("/api/v1/desks") => json!({"notes": "changed"}),
            ("PATCH", t) if t.starts_with("/api/v1/users") => json!({"display_name": "Renamed"}),
            ("PATCH", t) if t.ends_with("/family-members/{id}") => json!({"dependent": true}),
            ("PATCH", t) if t.ends_with("/interventions/{id}") => json!({"duration_minutes": 10}),
            ("PATCH", _) => json!({"phone": "+39 02 1234"}),
            _ => Value::Null,
        };
        (path, body)
    }
}

#[actix_web::test]
async fn every_operation_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let table = matrix();

    // The table and the spec list the same operations.
    let doc = serde_json::to_value(sportello::openapi::document()).unwrap();
    let mut secured = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_some() {
                secured.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    secured.sort();
    let rows: Vec<String> = table.keys().cloned().collect();
    assert_eq!(rows, secured, "tests/authz-matrix.md must have exactly one row per secured operation");

    let mut failures = Vec::new();
    for (operation, by_role) in &table {
        let (method, template) = operation.split_once(' ').unwrap();
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        for role in ROLES {
            let (own, foreign) = by_role[role];
            for (is_foreign, expected) in [(false, own), (true, foreign)] {
                let (path, body) = world.request(&app, &method, template, is_foreign).await;
                let token = if operation == "POST /api/v1/auth/logout" {
                    // Logging out revokes refresh tokens only; use a throwaway login anyway.
                    app.user_token(role, world.org(false)).await
                } else {
                    world.tokens[role].clone()
                };
                let bytes = if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() };
                let content_type =
                    if method == Method::PATCH { "application/merge-patch+json" } else { "application/json" };
                let res = app
                    .send_raw(
                        method.clone(),
                        &path,
                        Some(&token),
                        Some(content_type),
                        bytes,
                        &[("If-Match", "\"1\"")],
                    )
                    .await;
                if res.status != expected {
                    let side = if is_foreign { "foreign" } else { "own" };
                    failures.push(format!(
                        "{operation} as {role} on {side}: expected {expected}, got {} {}",
                        res.status, res.text
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells disagree:\n{}", failures.len(), failures.join("\n"));
}
