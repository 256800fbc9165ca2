//! Runs every cell of tests/authz-matrix.md: each secured operation × role × own/foreign record.

use std::collections::BTreeMap;

use awc::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app, unique_code, unique_username};

const ROLES: [&str; 7] =
    ["admin", "coordinator", "operator", "analyst", "provider_staff", "professional", "integration"];

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

/// A professional's user account and its registry entry in `org`'s registry: (token, entry id).
async fn registered_professional(app: &TestApp, admin: &str, org: &str) -> (String, String) {
    let username = unique_username("professional");
    let (user, password) = app.create_user(admin, Some(org), "professional", &username).await;
    let body = json!({"registry_organization_id": org, "kind": "intercultural_mediator", "given_name": "Matrix",
        "family_name": "Mediator", "languages": [{"code": "fr", "level": "native"}], "user_id": user});
    let res = app.post("/api/v1/professionals", Some(admin), &body).await;
    assert_eq!(res.status, 201, "registry entry: {}", res.text);
    (app.token(&username, &password).await, res.id())
}

/// Two organizations, a user of each role in the first, and helpers to make fresh records in either.
struct World {
    admin: String,
    own: String,
    foreign: String,
    /// A third organization (the bootstrap platform's): grants, transfers and protocols name it.
    third: String,
    /// The registry entry of the professional whose token is in `tokens`, and another professional's.
    professional: String,
    other_professional: String,
    own_operator: String,
    foreign_operator: String,
    tokens: BTreeMap<&'static str, String>,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let admin = app.admin_token().await;
        // Their plans wait for a coordinator's approval, so that approving one is possible.
        let mut orgs = Vec::new();
        for _ in 0..2 {
            let code = unique_code();
            let body = json!({"name": format!("Organization {code}"), "kind": "charity", "code": code,
                "plans_need_approval": true});
            orgs.push(World::created(app, "/api/v1/organizations", &admin, body).await);
        }
        let (own, foreign) = (orgs[0].clone(), orgs[1].clone());
        let mut tokens = BTreeMap::new();
        for role in ROLES.iter().filter(|r| !matches!(**r, "professional" | "integration")) {
            tokens.insert(*role, app.user_token(role, &own).await);
        }
        let (token, professional) = registered_professional(app, &admin, &own).await;
        tokens.insert("professional", token);
        tokens.insert("integration", app.integration_token(&[&own]).await);
        let other_professional = registered_professional(app, &admin, &own).await.1;
        let own_operator = app.user_token("operator", &own).await;
        let foreign_operator = app.user_token("operator", &foreign).await;
        let third = app.platform_organization_id(&admin).await;
        World {
            admin,
            own,
            foreign,
            third,
            professional,
            other_professional,
            own_operator,
            foreign_operator,
            tokens,
        }
    }

    fn org(&self, foreign: bool) -> &str {
        if foreign { &self.foreign } else { &self.own }
    }

    async fn post_id(&self, app: &TestApp, path: &str, token: &str, body: Value) -> String {
        World::created(app, path, token, body).await
    }

    async fn created(app: &TestApp, path: &str, token: &str, body: Value) -> String {
        let res = app.post(path, Some(token), &body).await;
        assert_eq!(res.status, 201, "fixture {path}: {}", res.text);
        res.id()
    }

    async fn case(&self, app: &TestApp, foreign: bool) -> String {
        let token = self.operator(foreign);
        self.post_id(app, "/api/v1/cases", token, json!({"given_name": "Matrix", "family_name": "Case"}))
            .await
    }

    fn operator(&self, foreign: bool) -> &str {
        if foreign { &self.foreign_operator } else { &self.own_operator }
    }

    /// A provider linked to the chosen organization.
    async fn provider(&self, app: &TestApp, foreign: bool) -> String {
        let body =
            json!({"name": "Matrix provider", "category": "charity", "organization_id": self.org(foreign)});
        self.post_id(app, "/api/v1/providers", &self.admin, body).await
    }

    /// A case of the chosen organization with a network-sharing consent, and a provider linked to the same
    /// organization: everything a referral needs.
    async fn referable_case(&self, app: &TestApp, foreign: bool) -> (String, String) {
        let case = self.case(app, foreign).await;
        let consents = format!("/api/v1/cases/{case}/consents");
        self.post_id(app, &consents, self.operator(foreign), json!({"purpose": "network_sharing"})).await;
        (case, self.provider(app, foreign).await)
    }

    /// A registry entry of the chosen organization's registry.
    async fn registry_entry(&self, app: &TestApp, foreign: bool) -> String {
        let body = json!({"registry_organization_id": self.org(foreign), "kind": "interpreter", "given_name": "Ana",
            "family_name": "Matrix", "languages": [{"code": "es", "level": "native"}]});
        self.post_id(app, "/api/v1/professionals", &self.admin, body).await
    }

    /// An activation requested by the chosen organization (an interview, no case).
    async fn activation(&self, app: &TestApp, foreign: bool) -> String {
        self.post_id(app, "/api/v1/activations", self.operator(foreign), activation_body()).await
    }

    async fn assistant(&self, app: &TestApp, foreign: bool) -> String {
        let body = json!({"given_name": "Olena", "family_name": "Matrix", "hours_per_week": 30});
        self.post_id(app, "/api/v1/family-assistants", self.operator(foreign), body).await
    }

    /// A desk of the chosen organization, open every day from 8 to 18.
    async fn desk(&self, app: &TestApp, foreign: bool) -> String {
        let hours: Vec<Value> =
            (1..=7).map(|d| json!({"weekday": d, "opens": "08:00", "closes": "18:00"})).collect();
        let body =
            json!({"name": "Matrix desk", "organization_id": self.org(foreign), "opening_hours": hours});
        self.post_id(app, "/api/v1/desks", &self.admin, body).await
    }

    /// A contact at a desk of the chosen organization.
    async fn desk_contact(&self, app: &TestApp, foreign: bool) -> String {
        let body = desk_contact_body(&self.desk(app, foreign).await);
        self.post_id(app, "/api/v1/desk-contacts", self.operator(foreign), body).await
    }

    /// A course organized by the chosen organization; running, with a session in the past, if asked.
    async fn course(&self, app: &TestApp, foreign: bool, running: bool) -> String {
        let id = self.post_id(app, "/api/v1/courses", &self.admin, course_body(self.org(foreign))).await;
        if running {
            let res = app
                .post(
                    &format!("/api/v1/courses/{id}/status"),
                    Some(&self.admin),
                    &json!({"status": "running"}),
                )
                .await;
            assert_eq!(res.status, 200, "fixture course status: {}", res.text);
        }
        id
    }

    /// A path under `/courses/{course_id}`, with the session or enrolment it names, and a body where the
    /// operation needs one that names them.
    async fn course_fixture(
        &self,
        app: &TestApp,
        method: &Method,
        template: &str,
        foreign: bool,
    ) -> (String, Value) {
        let running = template.ends_with("/attendance");
        let course = self.course(app, foreign, running).await;
        let mut path = template.replace("{course_id}", &course);
        let mut body = Value::Null;
        let enrolments = format!("/api/v1/courses/{course}/enrolments");
        if template.contains("/sessions/{id}") {
            let sessions = format!("/api/v1/courses/{course}/sessions");
            let session = self.post_id(app, &sessions, &self.admin, session_body()).await;
            path = path.replace("{id}", &session);
            if running {
                let case = self.case(app, foreign).await;
                let enrolment =
                    self.post_id(app, &enrolments, self.operator(foreign), json!({"case_id": case})).await;
                body = json!({"marks": [{"enrolment_id": enrolment, "status": "present"}]});
            }
        } else if template.contains("/enrolments/{id}") {
            let case = self.case(app, foreign).await;
            let enrolment =
                self.post_id(app, &enrolments, self.operator(foreign), json!({"case_id": case})).await;
            path = path.replace("{id}", &enrolment);
        } else if method == Method::POST && template.ends_with("/enrolments") {
            body = json!({"case_id": self.case(app, foreign).await});
        }
        (path, body)
    }

    async fn care_request(&self, app: &TestApp, foreign: bool) -> String {
        self.post_id(app, "/api/v1/care-requests", self.operator(foreign), care_request_body()).await
    }

    /// `path` with a plan of the case in it, and the goal or action its row names.
    async fn plan_fixture(
        &self,
        app: &TestApp,
        template: &str,
        case: &str,
        token: &str,
        path: String,
    ) -> String {
        let plans = format!("/api/v1/cases/{case}/plans");
        let plan = self.post_id(app, &plans, token, plan_body()).await;
        let item = match template.rsplit_once("/{id}").map(|(collection, _)| collection) {
            Some(t) if t.ends_with("/goals") => ("goals", goal_body()),
            Some(t) if t.ends_with("/actions") => ("actions", action_body()),
            Some(_) => return path.replace("{id}", &plan),
            None => return path.replace("{plan_id}", &plan),
        };
        let id = self.post_id(app, &format!("{plans}/{plan}/{}", item.0), token, item.1).await;
        path.replace("{plan_id}", &plan).replace("{id}", &id)
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
        let operator = self.operator(foreign);
        let mut path = template.to_string();
        let mut body = Value::Null;
        if template.contains("{case_id}") {
            let case = self.case(app, foreign).await;
            path = path.replace("{case_id}", &case);
            let child = |kind: &str, fields: Value| (format!("/api/v1/cases/{case}/{kind}"), fields);
            let created = match template.rsplit_once("/{id}").map(|(collection, _)| collection) {
                Some(t) if t.ends_with("/family-members") => Some(child(
                    "family-members",
                    json!({"relationship": "child", "given_name": "A", "family_name": "B"}),
                )),
                Some(t) if t.ends_with("/interventions") => Some(child(
                    "interventions",
                    json!({"kind": "listening", "occurred_on": "2026-01-10", "summary": "x"}),
                )),
                Some(t) if t.ends_with("/assessments") => Some(child("assessments", assessment_body())),
                Some(t) if t.ends_with("/consents") => {
                    Some(child("consents", json!({"purpose": "network_sharing"})))
                }
                Some(t) if t.ends_with("/grants") => {
                    Some(child("grants", json!({"organization_id": self.third, "access": "read"})))
                }
                _ => None,
            };
            if template.contains("/plans/") {
                path = self.plan_fixture(app, template, &case, operator, path).await;
            }
            if template.contains("/documents/{id}") {
                let (content_type, form) = crate::documents::upload_form("other");
                let res = app
                    .send_raw(
                        Method::POST,
                        &format!("/api/v1/cases/{case}/documents"),
                        Some(operator),
                        Some(&content_type),
                        form,
                        &[],
                    )
                    .await;
                assert_eq!(res.status, 201, "fixture document: {}", res.text);
                path = path.replace("{id}", &res.id());
            }
            if let Some((collection, fields)) = created {
                let token = if collection.ends_with("/grants") { self.admin.as_str() } else { operator };
                let id = self.post_id(app, &collection, token, fields).await;
                path = path.replace("{id}", &id);
            }
            if method == Method::POST && template.ends_with("/referrals") {
                let consents = format!("/api/v1/cases/{case}/consents");
                self.post_id(app, &consents, operator, json!({"purpose": "network_sharing"})).await;
                let provider = self.provider(app, foreign).await;
                body = json!({"provider_id": provider, "need": "housing", "reason": "x"});
            }
        } else if template.contains("{desk_id}") {
            let desk = self.desk(app, foreign).await;
            path = path.replace("{desk_id}", &desk);
            if template.contains("/appointments/{id}") {
                let booked = format!("/api/v1/desks/{desk}/appointments");
                let id = self.post_id(app, &booked, operator, appointment_body("09:00")).await;
                path = path.replace("{id}", &id);
            } else if template.contains("/closures/{id}") {
                let closures = format!("/api/v1/desks/{desk}/closures");
                let id = self.post_id(app, &closures, &self.admin, closure_body()).await;
                path = path.replace("{id}", &id);
            }
        } else if template.contains("{course_id}") {
            let (p, b) = self.course_fixture(app, method, template, foreign).await;
            (path, body) = (p, b);
        } else if template.contains("{source_system}") {
            let external_id = unique_code();
            if foreign {
                let body = json!({"given_name": "Synced", "family_name": "Elsewhere", "source_system": "matrix",
                    "external_id": external_id});
                self.post_id(app, "/api/v1/cases", operator, body).await;
            }
            path = path.replace("{source_system}", "matrix").replace("{external_id}", &external_id);
            body = json!({"given_name": "Synced", "family_name": "Case"});
        } else if template.contains("{provider_id}") {
            let provider = self.provider(app, foreign).await;
            path = path.replace("{provider_id}", &provider);
            if template.ends_with("/{id}") {
                let services = format!("/api/v1/providers/{provider}/services");
                let id = self.post_id(app, &services, &self.admin, json!({"name": "Matrix service"})).await;
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
                t if t.starts_with("/api/v1/providers/") => self.provider(app, foreign).await,
                t if t.starts_with("/api/v1/protocols/") => {
                    let parties = json!([{"organization_id": org}, {"organization_id": self.third}]);
                    let body = json!({"title": "Matrix protocol", "valid_from": "2026-01-01", "parties": parties});
                    self.post_id(app, "/api/v1/protocols", &self.admin, body).await
                }
                t if t.starts_with("/api/v1/referrals/") => {
                    let (case, provider) = self.referable_case(app, foreign).await;
                    let body = json!({"provider_id": provider, "need": "housing", "reason": "x"});
                    self.post_id(app, &format!("/api/v1/cases/{case}/referrals"), operator, body).await
                }
                t if t.starts_with("/api/v1/professionals/") => self.registry_entry(app, foreign).await,
                t if t.starts_with("/api/v1/activations/") => self.activation(app, foreign).await,
                t if t.starts_with("/api/v1/assignments/") => {
                    let id = self.activation(app, false).await;
                    let to = if foreign { &self.other_professional } else { &self.professional };
                    let body = json!({"status": "assigned", "professional_id": to});
                    let res = app.post(&format!("/api/v1/activations/{id}/status"), Some(&self.own_operator), &body).await;
                    assert_eq!(res.status, 200, "fixture assignment: {}", res.text);
                    id
                }
                t if t.starts_with("/api/v1/family-assistants/") => self.assistant(app, foreign).await,
                t if t.starts_with("/api/v1/desk-contacts/") => self.desk_contact(app, foreign).await,
                t if t.starts_with("/api/v1/courses/") => self.course(app, foreign, false).await,
                t if t.starts_with("/api/v1/care-requests/") => {
                    let request = self.care_request(app, foreign).await;
                    if t.contains("{placement_id}") {
                        let assistant = self.assistant(app, foreign).await;
                        let placements = format!("/api/v1/care-requests/{request}/placements");
                        let placement =
                            self.post_id(app, &placements, operator, json!({"assistant_id": assistant})).await;
                        path = path.replace("{placement_id}", &placement);
                    }
                    if method == Method::POST && t.ends_with("/placements") {
                        body = json!({"assistant_id": self.assistant(app, foreign).await});
                    }
                    request
                }
                t if t.starts_with("/api/v1/integration-clients/") => {
                    let body = json!({"name": "Matrix platform", "organization_ids": [org]});
                    let res = app.post("/api/v1/integration-clients", Some(&self.admin), &body).await;
                    assert_eq!(res.status, 201, "fixture client: {}", res.text);
                    res.body["client"]["id"].as_str().unwrap().to_string()
                }
                t if t.starts_with("/api/v1/webhooks/") => {
                    let body = json!({"organization_id": org, "url": "https://platform.example.org/hooks",
                        "event_types": ["case.created"]});
                    let res = app.post("/api/v1/webhooks", Some(&self.admin), &body).await;
                    assert_eq!(res.status, 201, "fixture webhook: {}", res.text);
                    let id = res.body["webhook"]["id"].as_str().unwrap().to_string();
                    if t.contains("{delivery_id}") {
                        path = path.replace("{delivery_id}", &failed_delivery(app, &id));
                    }
                    id
                }
                t if t.starts_with("/api/v1/transfers/") => {
                    let case = self.case(app, foreign).await;
                    let body = json!({"case_id": case, "kind": "offer", "to_organization_id": self.third, "reason": "x"});
                    self.post_id(app, "/api/v1/transfers", operator, body).await
                }
                other => panic!("no fixture for {other}"),
            };
            path = path.replace("{id}", &id);
        }
        if !body.is_null() {
            return (path, body);
        }
        let body = match (method.as_str(), template) {
            ("POST", "/api/v1/courses") => course_body(&org),
            ("PATCH", "/api/v1/courses/{id}") => json!({"capacity": 12}),
            ("POST", "/api/v1/courses/{id}/status") => json!({"status": "running"}),
            ("POST", "/api/v1/courses/{course_id}/sessions") => session_body(),
            ("PATCH", "/api/v1/courses/{course_id}/sessions/{id}") => json!({"topic": "Changed"}),
            ("POST", "/api/v1/courses/{course_id}/enrolments/{id}/status") => json!({"status": "withdrawn"}),
            ("POST", "/api/v1/organizations") => {
                json!({"name": "New org", "kind": "charity", "code": unique_code()})
            }
            ("POST", "/api/v1/desks") => json!({"name": "New desk", "organization_id": org}),
            ("POST", "/api/v1/users") => json!({"username": unique_username("new"), "display_name": "New",
                "role": "operator", "password": "matrix-password-long", "organization_id": org}),
            ("POST", "/api/v1/cases") => json!({"given_name": "New", "family_name": "Case"}),
            ("POST", "/api/v1/cases/duplicate-check") => json!({"tax_code": "RSSMRA85T10A562S"}),
            ("POST", "/api/v1/providers") => {
                json!({"name": "New provider", "category": "charity", "organization_id": org})
            }
            ("POST", "/api/v1/protocols") => json!({"title": "New protocol", "valid_from": "2026-01-01",
                "parties": [{"organization_id": org}, {"organization_id": self.third}]}),
            ("POST", "/api/v1/transfers") => {
                json!({"case_id": self.case(app, foreign).await, "kind": "offer",
                "to_organization_id": self.third, "reason": "x"})
            }
            ("POST", "/api/v1/referrals/{id}/status") => json!({"status": "received"}),
            ("POST", "/api/v1/webhooks") => {
                json!({"url": "https://platform.example.org/hooks", "event_types": ["case.created"]})
            }
            ("PATCH", t) if t.starts_with("/api/v1/webhooks") => json!({"active": false}),
            ("POST", "/api/v1/integration-clients") => {
                json!({"name": "New platform", "organization_ids": [org]})
            }
            ("POST", "/api/v1/sync/cases/batch") => json!({"items": [{"source_system": "matrix",
                "external_id": unique_code(), "case": {"given_name": "Batch", "family_name": "Case"}}]}),
            ("POST", "/api/v1/cases/{id}/erasure") => json!({"reason": "x"}),
            ("PUT", "/api/v1/cases/{id}/legal-hold") => json!({"legal_hold": true, "reason": "x"}),
            ("POST", "/api/v1/transfers/{id}/status") => json!({"status": "cancelled"}),
            ("POST", "/api/v1/activations/{id}/status") => json!({"status": "cancelled", "reason": "x"}),
            ("POST", "/api/v1/assignments/{id}/status") => json!({"status": "confirmed"}),
            ("POST", "/api/v1/care-requests/{id}/placements/{placement_id}/outcome") => {
                json!({"outcome": "interviewed"})
            }
            ("POST", "/api/v1/professionals") => {
                json!({"kind": "lawyer", "given_name": "Avv.", "family_name": "Matrix",
                "languages": [{"code": "it", "level": "native"}]})
            }
            ("POST", "/api/v1/activations") => activation_body(),
            ("POST", "/api/v1/family-assistants") => {
                json!({"given_name": "New", "family_name": "Assistant", "hours_per_week": 20})
            }
            ("POST", "/api/v1/care-requests") => care_request_body(),
            ("POST", "/api/v1/desks/{desk_id}/appointments") => appointment_body("10:00"),
            ("POST", "/api/v1/desks/{desk_id}/appointments/{id}/status") => json!({"status": "cancelled"}),
            ("POST", "/api/v1/desks/{desk_id}/closures") => closure_body(),
            ("POST", "/api/v1/desk-contacts") => desk_contact_body(&self.desk(app, false).await),
            ("POST", "/api/v1/desk-contacts/{id}/case") => {
                json!({"given_name": "From", "family_name": "Contact"})
            }
            ("PATCH", t) if t.starts_with("/api/v1/desk-contacts") => json!({"answer": "changed"}),
            ("PATCH", "/api/v1/me/professional") => json!({"availability": "Mornings"}),
            ("PATCH", t) if t.starts_with("/api/v1/professionals") => json!({"availability": "Afternoons"}),
            ("PATCH", t) if t.starts_with("/api/v1/family-assistants") => json!({"hours_per_week": 25}),
            ("PATCH", t) if t.starts_with("/api/v1/care-requests") => json!({"notes": "changed"}),
            ("POST", t) if t.ends_with("/status") => json!({"status": "active"}),
            ("POST", t) if t.ends_with("/withdraw") => json!({}),
            ("POST", t) if t.ends_with("/consents") => json!({"purpose": "data_processing"}),
            ("POST", t) if t.ends_with("/grants") => json!({"organization_id": self.third, "access": "read"}),
            ("POST", t) if t.ends_with("/services") => json!({"name": "New service"}),
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
            ("POST", t) if t.ends_with("/assessments") => assessment_body(),
            ("POST", t) if t.ends_with("/plans") => plan_body(),
            ("POST", t) if t.ends_with("/goals") => goal_body(),
            ("POST", t) if t.ends_with("/actions") => action_body(),
            ("PATCH", t) if t.ends_with("/plans/{id}") => json!({"review_on": "2026-12-31"}),
            ("PATCH", t) if t.ends_with("/goals/{id}") => json!({"status": "achieved"}),
            ("PATCH", t) if t.ends_with("/actions/{id}") => json!({"status": "done"}),
            ("PATCH", t) if t.ends_with("/family-members/{id}") => json!({"dependent": true}),
            ("PATCH", t) if t.ends_with("/interventions/{id}") => json!({"duration_minutes": 10}),
            ("PATCH", t) if t.ends_with("/documents/{id}") => json!({"kind": "certificate"}),
            ("PATCH", t) if t.ends_with("/services/{id}") => json!({"fees": "free"}),
            ("PATCH", t) if t.starts_with("/api/v1/protocols") => json!({"notes": "changed"}),
            ("PATCH", _) => json!({"phone": "+39 02 1234"}),
            _ => Value::Null,
        };
        (path, body)
    }
}

/// A given-up delivery queued straight into the database: the worker never picks it up on its own, so a
/// re-send cannot find it in flight.
fn failed_delivery(app: &TestApp, webhook_id: &str) -> String {
    use sportello::db::webhooks::{self, DeliveryRow};
    let mut conn = app.database().get().unwrap();
    let cursor = webhooks::find(&mut conn, webhook_id, None).unwrap().unwrap().feed_cursor;
    let now = chrono::Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let delivery = DeliveryRow {
        id: id.clone(),
        subscription_id: webhook_id.to_string(),
        sequence: cursor + 1,
        event_type: "case.created".into(),
        payload: json!({"id": id, "type": "case.created"}).to_string(),
        status: webhooks::FAILED.into(),
        attempts: 15,
        next_attempt_at: None,
        lease_until: None,
        last_attempt_at: Some(now),
        last_status_code: Some(503),
        last_error: Some("answered 503".into()),
        delivered_at: None,
        created_at: now,
    };
    assert!(webhooks::enqueue(&mut conn, webhook_id, cursor, cursor, &[delivery]).unwrap());
    id
}

fn assessment_body() -> Value {
    json!({"assessed_on": "2026-01-10", "domains": [{"domain": "housing", "level": "high"}]})
}

fn plan_body() -> Value {
    json!({"starts_on": "2026-01-10", "review_on": "2026-04-10"})
}

fn goal_body() -> Value {
    json!({"domain": "housing", "description": "A home"})
}

fn action_body() -> Value {
    json!({"description": "Apply for housing", "owner_kind": "operator", "due_on": "2026-02-10"})
}

fn activation_body() -> Value {
    let when = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    json!({"person_name": "Matrix Person", "kind": "intercultural_mediator", "language": "fr", "scheduled_at": when,
        "place": "Servizio sociale", "duration_minutes": 60})
}

/// A booking a week from now at a local time of day.
fn appointment_body(hhmm: &str) -> Value {
    use sportello::domain::local_time::{italian, italian_to_utc};
    let day = italian(chrono::Utc::now().naive_utc()).date() + chrono::Days::new(7);
    let local = day.and_time(chrono::NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap());
    json!({"starts_at": italian_to_utc(local).and_utc().to_rfc3339(), "person_name": "Matrix Person"})
}

fn closure_body() -> Value {
    json!({"first_day": "2027-02-01", "last_day": "2027-02-02", "reason": "Matrix closure"})
}

fn desk_contact_body(desk: &str) -> Value {
    json!({"desk_id": desk, "channel": "phone", "topics": ["other"], "answer": "Opening hours"})
}

fn course_body(org: &str) -> Value {
    json!({"organization_id": org, "title": "Matrix course", "language": "it", "level": "a1", "audience": "adults",
        "place": "Via Roma 1, Crema", "starts_on": "2026-01-01", "ends_on": "2027-12-31", "capacity": 10})
}

/// A session in the past (the register can be kept for it).
fn session_body() -> Value {
    json!({"starts_at": "2026-02-02T09:00:00Z", "ends_at": "2026-02-02T11:00:00Z", "topic": "Matrix session"})
}

fn care_request_body() -> Value {
    json!({"household_name": "Famiglia Matrix", "tasks": ["housekeeping"], "hours_per_week": 10, "municipality": "Crema"})
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
                let (mut path, body) = world.request(&app, &method, template, is_foreign).await;
                if operation == "GET /api/v1/activations/sla" {
                    path.push_str("?from=2026-01-01&to=2026-12-31");
                }
                let token = if operation == "POST /api/v1/auth/logout" && role == "integration" {
                    app.integration_token(&[world.org(false)]).await
                } else if operation == "POST /api/v1/auth/logout" {
                    // Logging out revokes refresh tokens only; use a throwaway login anyway.
                    app.user_token(role, world.org(false)).await
                } else if operation == "PATCH /api/v1/me/professional" && role == "professional" {
                    // A fresh entry each time: the If-Match below names its first version.
                    registered_professional(&app, &world.admin, world.org(false)).await.0
                } else {
                    world.tokens[role].clone()
                };
                let (content_type, bytes) = match operation.as_str() {
                    "POST /api/v1/cases/{case_id}/documents" => crate::documents::upload_form("other"),
                    _ if method == Method::PATCH => {
                        ("application/merge-patch+json".to_string(), serde_json::to_vec(&body).unwrap())
                    }
                    _ if body.is_null() => ("application/json".to_string(), Vec::new()),
                    _ => ("application/json".to_string(), serde_json::to_vec(&body).unwrap()),
                };
                // Required on PATCH (every fixture is at its first version), optional elsewhere.
                let if_match: &[(&str, &str)] =
                    if method == Method::PATCH { &[("If-Match", "\"1\"")] } else { &[] };
                let res = app
                    .send_raw(method.clone(), &path, Some(&token), Some(&content_type), bytes, if_match)
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
