//! The case file: intake, reading, search, merge patch, lifecycle, visibility by role and organization.

use serde_json::{Value, json};

use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app, unique_code};

pub fn amina() -> Value {
    json!({
        "given_name": "Amina", "family_name": "Diallo", "sex": "female", "birth_date": "1990-05-17",
        "citizenship": "sn", "languages": ["FR", "wo"], "legal_status": "permit_holder",
        "permit_type": "work", "permit_expiry": "2027-03-31", "needs": ["residence_permit", "language_course"],
        "restricted_notes": "Diabetic: needs the health authority's desk.",
        "family_members": [{"relationship": "child", "given_name": "Moussa", "family_name": "Diallo",
            "birth_date": "2016-03-02"}]
    })
}

/// An organization with an operator; returns (org id, operator token).
pub async fn desk_operator(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let token = app.user_token("operator", &org).await;
    (org, token)
}

pub async fn create_case(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post("/api/v1/cases", Some(token), body).await;
    res.expect_status(201);
    res.body.clone()
}

#[actix_web::test]
async fn intake_opens_a_case_with_its_family_and_a_reference_code() {
    let app = spawn_app().await;
    let (org, op) = desk_operator(&app).await;
    let res = app.post("/api/v1/cases", Some(&op), &amina()).await;
    res.expect_status(201);
    let case = &res.body;
    let location = res.header("location").unwrap();
    assert_eq!(location, format!("/api/v1/cases/{}", case["id"].as_str().unwrap()));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(case["organization_id"], json!(org));
    assert_eq!(case["status"], "open");
    assert_eq!(case["citizenship"], "SN", "country codes are normalised");
    assert_eq!(case["languages"], json!(["fr", "wo"]));
    assert_eq!(case["restricted_notes"], "Diabetic: needs the health authority's desk.");
    let reference = case["reference_code"].as_str().unwrap();
    let year = chrono::Utc::now().format("%Y").to_string();
    assert!(reference.ends_with(&format!("-{year}-00001")), "{reference}");

    let second = create_case(&app, &op, &json!({"given_name": "Li", "family_name": "Wei"})).await;
    assert!(second["reference_code"].as_str().unwrap().ends_with(&format!("-{year}-00002")));

    let family = app.get(&format!("{location}/family-members"), Some(&op)).await;
    family.expect_status(200);
    assert_eq!(family.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(family.body["items"][0]["given_name"], "Moussa");

    let got = app.get(&location, Some(&op)).await;
    got.expect_status(200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(got.body["family_name"], "Diallo");
}

#[actix_web::test]
async fn invalid_intake_names_every_bad_field_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let bad = json!({
        "given_name": " ", "family_name": "Diallo", "birth_date": "2999-01-01", "citizenship": "XX",
        "languages": ["english"], "tax_code": "RSSMRA85T10A562X", "email": "not-an-email"
    });
    let res = app.post("/api/v1/cases", Some(&op), &bad).await;
    for field in ["given_name", "birth_date", "citizenship", "languages", "tax_code", "email"] {
        assert_invalid_field(&res, field);
    }
    assert_invalid_field(
        &app.post(
            "/api/v1/cases",
            Some(&op),
            &json!({"family_name": "X", "given_name": "Y", "legal_status": "tourist"}),
        )
        .await,
        "legal_status",
    );
    // Server-owned fields are never read from a body.
    let owned = json!({"family_name": "X", "given_name": "Y", "organization_id": "x"});
    assert_problem(&app.post("/api/v1/cases", Some(&op), &owned).await, 422, ":validation");
    // The tax code must agree with the birth date and sex it encodes.
    let inconsistent = json!({"given_name": "Mario", "family_name": "Rossi", "tax_code": "RSSMRA85T10A562S",
        "birth_date": "1985-12-11"});
    assert_invalid_field(&app.post("/api/v1/cases", Some(&op), &inconsistent).await, "tax_code");
    let arrived_unborn = json!({"given_name": "A", "family_name": "B", "birth_date": "2000-01-01", "arrival_date": "1999-01-01"});
    assert_invalid_field(&app.post("/api/v1/cases", Some(&op), &arrived_unborn).await, "arrival_date");
    let consistent = json!({"given_name": "Mario", "family_name": "Rossi", "tax_code": "rssmra85t10a562s",
        "birth_date": "1985-12-10", "sex": "male"});
    let ok = create_case(&app, &op, &consistent).await;
    assert_eq!(ok["tax_code"], "RSSMRA85T10A562S");
    let list = app.get("/api/v1/cases", Some(&op)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "only the valid case exists");
}

#[actix_web::test]
async fn search_is_accent_and_case_insensitive_and_filters_combine() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    create_case(&app, &op, &json!({"given_name": "Thị Ánh", "family_name": "Nguyễn", "citizenship": "VN"}))
        .await;
    create_case(
        &app,
        &op,
        &json!({"given_name": "José", "family_name": "Müller", "citizenship": "DE",
        "permit_expiry": "2026-01-31"}),
    )
    .await;
    create_case(&app, &op, &json!({"given_name": "Fatima", "family_name": "El Amrani", "citizenship": "MA"}))
        .await;
    create_case(
        &app,
        &op,
        &json!({"given_name": "Mario", "family_name": "Rossi", "tax_code": "RSSMRA85T10A562S"}),
    )
    .await;
    let names = |res: &crate::support::TestResponse| -> Vec<String> {
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["family_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&app.get("/api/v1/cases?q=NGUYEN", Some(&op)).await), vec!["Nguyễn"]);
    assert_eq!(names(&app.get("/api/v1/cases?q=jose%20mul", Some(&op)).await), vec!["Müller"]);
    assert_eq!(names(&app.get("/api/v1/cases?q=anh%20nguy", Some(&op)).await), vec!["Nguyễn"], "any order");
    assert_eq!(names(&app.get("/api/v1/cases?citizenship=ma", Some(&op)).await), vec!["El Amrani"]);
    assert_eq!(names(&app.get("/api/v1/cases?tax_code=rssmra85t10a562s", Some(&op)).await), vec!["Rossi"]);
    assert_eq!(
        names(&app.get("/api/v1/cases?permit_expires_before=2026-06-01", Some(&op)).await),
        vec!["Müller"]
    );
    assert!(names(&app.get("/api/v1/cases?q=muller&citizenship=VN", Some(&op)).await).is_empty());
    assert!(names(&app.get("/api/v1/cases?q=50%25", Some(&op)).await).is_empty(), "% is literal");
    assert_eq!(names(&app.get("/api/v1/cases?status=open", Some(&op)).await).len(), 4);
    assert_problem(&app.get("/api/v1/cases?status=nonsense", Some(&op)).await, 400, ":invalid_query");
    assert_problem(&app.get("/api/v1/cases?limit=0", Some(&op)).await, 400, ":invalid_query");
    assert_problem(&app.get("/api/v1/cases?cursor=..%2F..%2Fetc", Some(&op)).await, 400, ":invalid_query");
}

#[actix_web::test]
async fn a_name_search_reads_any_script_and_follows_renames() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    create_case(&app, &op, &json!({"given_name": "伟", "family_name": "王芳华"})).await;
    create_case(&app, &op, &json!({"given_name": "أمينة", "family_name": "العمراني"})).await;
    let amina = create_case(&app, &op, &json!({"given_name": "Amina", "family_name": "Diallo"})).await;
    let search = async |q: &str| -> Vec<String> {
        let res = app.get(&format!("/api/v1/cases?q={}", urlencoding(q)), Some(&op)).await;
        res.expect_status(200);
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["given_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(search("王芳").await, ["伟"], "two characters: shorter than a trigram");
    assert_eq!(search("芳华").await, ["伟"]);
    assert_eq!(search("王芳华").await, ["伟"]);
    assert_eq!(search("العمر").await, ["أمينة"]);
    assert_eq!(search("iall ami").await, ["Amina"], "fragments of both names, any order");
    assert!(search("ab\"cd").await.is_empty(), "a quote is a character like any other");

    // A renamed case is found by its new name only.
    let path = format!("/api/v1/cases/{}", amina["id"].as_str().unwrap());
    app.patch(&path, Some(&op), &json!({"family_name": "Traoré"}), Some("\"1\"")).await.expect_status(200);
    assert!(search("diallo").await.is_empty());
    assert_eq!(search("traore").await, ["Amina"]);
}

/// Percent-encodes a query value (any script).
fn urlencoding(v: &str) -> String {
    v.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[actix_web::test]
async fn assignee_me_finds_my_cases() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let me = app.get("/api/v1/me", Some(&op)).await.body["id"].as_str().unwrap().to_string();
    create_case(&app, &op, &json!({"given_name": "A", "family_name": "Mine", "assignee_id": me})).await;
    create_case(&app, &op, &json!({"given_name": "B", "family_name": "Nobody's"})).await;
    let mine = app.get("/api/v1/cases?assignee=me", Some(&op)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["family_name"], "Mine");
    // An assignee from another organization is refused.
    let (_, other_op) = desk_operator(&app).await;
    let stranger = app.get("/api/v1/me", Some(&other_op)).await.body["id"].as_str().unwrap().to_string();
    let res = app
        .post(
            "/api/v1/cases",
            Some(&op),
            &json!({"given_name": "C", "family_name": "D", "assignee_id": stranger}),
        )
        .await;
    assert_invalid_field(&res, "assignee_id");
}

#[actix_web::test]
async fn pagination_walks_every_case_once_in_a_stable_order() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let mut created = Vec::new();
    for i in 0..230 {
        created.push(
            create_case(&app, &op, &json!({"given_name": format!("Person {i}"), "family_name": "Paged"}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/cases?q=paged&limit=17&cursor={c}"),
            None => "/api/v1/cases?q=paged&limit=17".to_string(),
        };
        let page = app.get(&path, Some(&op)).await;
        page.expect_status(200);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 17);
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    created.reverse(); // newest first
    assert_eq!(seen, created, "every case exactly once, newest first");
}

#[actix_web::test]
async fn merge_patch_needs_the_current_etag() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let url = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let change = json!({"phone": "+39 333 1234567", "email": null, "needs": ["employment"]});
    assert_problem(&app.patch(&url, Some(&op), &change, None).await, 428, ":precondition_required");
    assert_problem(&app.patch(&url, Some(&op), &change, Some("\"7\"")).await, 412, ":precondition_failed");
    let ok = app.patch(&url, Some(&op), &change, Some("\"1\"")).await;
    ok.expect_status(200);
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(ok.body["phone"], "+39 333 1234567");
    assert_eq!(ok.body["needs"], json!(["employment"]));
    assert_eq!(ok.body["given_name"], "Amina", "absent fields are left alone");
    // The old ETag is now stale; null on a required field and server-owned fields are rejected.
    assert_problem(&app.patch(&url, Some(&op), &change, Some("\"1\"")).await, 412, ":precondition_failed");
    assert_invalid_field(
        &app.patch(&url, Some(&op), &json!({"given_name": null}), Some("\"2\"")).await,
        "given_name",
    );
    assert_problem(
        &app.patch(&url, Some(&op), &json!({"status": "closed"}), Some("\"2\"")).await,
        422,
        ":validation",
    );
    assert_problem(
        &app.patch(&url, Some(&op), &json!({"version": 9}), Some("\"2\"")).await,
        422,
        ":validation",
    );
    let cleared = app.patch(&url, Some(&op), &json!({"phone": null}), Some("\"2\"")).await;
    cleared.expect_status(200);
    assert_eq!(cleared.body["phone"], Value::Null);
}

#[actix_web::test]
async fn lifecycle_moves_are_checked() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let status = format!("/api/v1/cases/{}/status", case["id"].as_str().unwrap());
    assert_problem(
        &app.post(&status, Some(&op), &json!({"status": "suspended"})).await,
        409,
        ":invalid_transition",
    );
    app.post(&status, Some(&op), &json!({"status": "active"})).await.expect_status(200);
    let suspended = app.post(&status, Some(&op), &json!({"status": "suspended"})).await;
    suspended.expect_status(200);
    assert_eq!(suspended.body["status"], "suspended");
    assert_invalid_field(&app.post(&status, Some(&op), &json!({"status": "closed"})).await, "closure_reason");
    let closed = app
        .post(
            &status,
            Some(&op),
            &json!({"status": "closed", "closure_reason": "goals_achieved", "note": "Permit renewed"}),
        )
        .await;
    closed.expect_status(200);
    assert_eq!(closed.body["closure_reason"], "goals_achieved");
    assert!(closed.body["closed_at"].is_string());
    assert_problem(
        &app.post(&status, Some(&op), &json!({"status": "suspended"})).await,
        409,
        ":invalid_transition",
    );
    let reopened = app.post(&status, Some(&op), &json!({"status": "open"})).await;
    reopened.expect_status(200);
    assert_eq!(reopened.body["closure_reason"], Value::Null);
    let stale = app
        .post_with_headers(&status, Some(&op), &json!({"status": "active"}), &[("If-Match", "\"1\"")])
        .await;
    assert_problem(&stale, 412, ":precondition_failed");
}

#[actix_web::test]
async fn cases_are_visible_only_to_their_organization() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (org_a, op_a) = desk_operator(&app).await;
    let (_, op_b) = desk_operator(&app).await;
    let case = create_case(&app, &op_a, &amina()).await;
    let url = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());

    assert_problem(&app.get(&url, Some(&op_b)).await, 404, ":not_found");
    assert_problem(
        &app.patch(&url, Some(&op_b), &json!({"phone": "+39 02 1234"}), Some("\"1\"")).await,
        404,
        ":not_found",
    );
    assert_problem(&app.get(&format!("{url}/family-members"), Some(&op_b)).await, 404, ":not_found");
    assert!(app.get("/api/v1/cases", Some(&op_b)).await.body["items"].as_array().unwrap().is_empty());

    // The admin sees the case but not its restricted notes, which belong to the owner organization.
    let seen_by_admin = app.get(&url, Some(&admin)).await;
    seen_by_admin.expect_status(200);
    assert!(seen_by_admin.body.get("restricted_notes").is_none());
    let coordinator_a = app.user_token("coordinator", &org_a).await;
    assert_eq!(app.get(&url, Some(&coordinator_a)).await.body["restricted_notes"], case["restricted_notes"]);

    // Analysts never read case data; operators may not delete.
    let analyst = app.user_token("analyst", &org_a).await;
    assert_problem(&app.get(&url, Some(&analyst)).await, 403, ":forbidden");
    assert_problem(&app.get("/api/v1/cases", Some(&analyst)).await, 403, ":forbidden");
    assert_problem(&app.post("/api/v1/cases", Some(&analyst), &amina()).await, 403, ":forbidden");
    assert_problem(&app.delete(&url, Some(&op_a)).await, 403, ":forbidden");
    assert_problem(&app.get(&url, None).await, 401, ":unauthorized");

    // Soft delete by the coordinator hides the case from everyone.
    app.delete(&url, Some(&coordinator_a)).await.expect_status(204);
    assert_problem(&app.get(&url, Some(&op_a)).await, 404, ":not_found");
    assert_problem(&app.get(&url, Some(&admin)).await, 404, ":not_found");
    assert!(app.get("/api/v1/cases", Some(&op_a)).await.body["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn ids_that_are_not_uuids_are_not_found() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    assert_problem(&app.get("/api/v1/cases/not-a-uuid", Some(&op)).await, 404, ":not_found");
    assert_problem(&app.get("/api/v1/cases/..%2F..%2Fetc%2Fpasswd", Some(&op)).await, 404, ":not_found");
    let missing = uuid::Uuid::now_v7();
    assert_problem(&app.get(&format!("/api/v1/cases/{missing}"), Some(&op)).await, 404, ":not_found");
}

#[actix_web::test]
async fn every_read_and_write_of_a_case_is_audited() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let id = case["id"].as_str().unwrap();
    let url = format!("/api/v1/cases/{id}");
    assert_eq!(app.audit_count("case.create", Some(id)), 1);
    assert_eq!(app.audit_count("family_member.create", Some(id)), 1);
    app.get(&url, Some(&op)).await.expect_status(200);
    app.get(&url, Some(&op)).await.expect_status(200);
    assert_eq!(app.audit_count("case.read", Some(id)), 2);
    app.patch(&url, Some(&op), &json!({"phone": "+39 02 555"}), Some("\"1\"")).await.expect_status(200);
    assert_eq!(app.audit_count("case.update", Some(id)), 1);
    app.get("/api/v1/cases", Some(&op)).await.expect_status(200);
    assert_eq!(app.audit_count("case.list", None), 1);
    // A refused read of someone else's case changes nothing and reads nothing.
    let (_, other) = desk_operator(&app).await;
    app.get(&url, Some(&other)).await;
    assert_eq!(app.audit_count("case.read", Some(id)), 2);
}

#[actix_web::test]
async fn concurrent_intake_gives_distinct_reference_codes() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let body = json!({"given_name": "Same", "family_name": "Moment"});
    let requests = (0..24).map(|_| app.post("/api/v1/cases", Some(&op), &body));
    let responses = futures_util::future::join_all(requests).await;
    let mut codes: Vec<String> = responses
        .iter()
        .map(|r| {
            r.expect_status(201);
            r.body["reference_code"].as_str().unwrap().to_string()
        })
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 24, "every case got its own reference code");
    assert!(codes.iter().any(|c| c.ends_with("-00024")));
}

#[actix_web::test]
async fn the_permit_worklist_lists_expired_and_soon_expiring_permits() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    app.clock.set(chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap().and_hms_opt(9, 0, 0).unwrap());
    for (name, expiry) in
        [("Expired", "2026-05-01"), ("Today", "2026-06-01"), ("Soon", "2026-07-31"), ("Later", "2026-09-01")]
    {
        create_case(
            &app,
            &op,
            &json!({"given_name": name, "family_name": "Permesso", "permit_expiry": expiry}),
        )
        .await;
    }
    create_case(&app, &op, &json!({"given_name": "None", "family_name": "Permesso"})).await;
    let listed = |days: u32| {
        let (app, op) = (&app, op.clone());
        async move {
            let res = app.get(&format!("/api/v1/cases?permit_expires_within_days={days}"), Some(&op)).await;
            res.expect_status(200);
            let mut names: Vec<String> = res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["given_name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    // 60 days from 1 June is 31 July, included; an expired permit stays on the list until renewed.
    assert_eq!(listed(60).await, ["Expired", "Soon", "Today"]);
    assert_eq!(listed(0).await, ["Expired", "Today"]);
    assert_eq!(listed(100).await, ["Expired", "Later", "Soon", "Today"]);
    // The clock moves the window.
    app.clock.set(chrono::NaiveDate::from_ymd_opt(2026, 7, 5).unwrap().and_hms_opt(9, 0, 0).unwrap());
    assert_eq!(listed(60).await, ["Expired", "Later", "Soon", "Today"]);
}

#[actix_web::test]
async fn the_inactive_worklist_lists_open_cases_without_a_recent_intervention() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let today = app.clock.now().date();
    let days_ago = |n: u64| today - chrono::Days::new(n);
    let mut ids = Vec::new();
    for name in ["Silent", "Recent", "Stale", "Closed", "New"] {
        let case = create_case(&app, &op, &json!({"given_name": name, "family_name": "Worklist"})).await;
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    // All but the last were opened 60 days ago.
    for id in &ids[..4] {
        let opened = days_ago(60).and_hms_opt(9, 0, 0).unwrap();
        app.set_time(&format!("UPDATE cases SET created_at = $1 WHERE id = '{id}'"), opened);
    }
    let talk = |on: chrono::NaiveDate| json!({"kind": "listening", "occurred_on": on, "summary": "Talk"});
    let interventions = |i: usize| format!("/api/v1/cases/{}/interventions", ids[i]);
    app.post(&interventions(1), Some(&op), &talk(days_ago(10))).await.expect_status(201);
    app.post(&interventions(2), Some(&op), &talk(days_ago(40))).await.expect_status(201);
    app.post(&interventions(3), Some(&op), &talk(days_ago(40))).await.expect_status(201);
    let close = json!({"status": "closed", "closure_reason": "goals_achieved"});
    app.post(&format!("/api/v1/cases/{}/status", ids[3]), Some(&op), &close).await.expect_status(200);

    let res = app.get("/api/v1/cases?inactive_days=30", Some(&op)).await;
    res.expect_status(200);
    let listed: Vec<&str> =
        res.body["items"].as_array().unwrap().iter().map(|c| c["given_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["Stale", "Silent"], "newest first: no intervention for 30 days, not closed, not new");
    let res = app.get("/api/v1/cases?inactive_days=5", Some(&op)).await;
    let listed: Vec<&str> =
        res.body["items"].as_array().unwrap().iter().map(|c| c["given_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["Stale", "Recent", "Silent"]);
    // An admin narrows the worklist to one organization.
    let admin = app.admin_token().await;
    let (other, other_op) = desk_operator(&app).await;
    create_case(&app, &other_op, &json!({"given_name": "Elsewhere", "family_name": "Worklist"})).await;
    let res = app.get(&format!("/api/v1/cases?organization_id={other}"), Some(&admin)).await;
    let listed: Vec<&str> =
        res.body["items"].as_array().unwrap().iter().map(|c| c["given_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["Elsewhere"]);
    let bad = app.get("/api/v1/cases?inactive_days=0", Some(&op)).await;
    assert_eq!(
        (bad.status, bad.body["errors"][0]["field"].as_str()),
        (400, Some("inactive_days")),
        "{}",
        bad.text
    );
}
