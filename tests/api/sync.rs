//! Sync for district platforms: integration clients, the change feed (order, tombstones, concurrent
//! writers), upserts by external id, batches, erasure with legal hold, retention.

use std::collections::{BTreeSet, HashSet};

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn put(app: &TestApp, path: &str, token: &str, body: &Value, if_match: Option<&str>) -> TestResponse {
    let headers: Vec<(&str, &str)> = if_match.map(|e| ("If-Match", e)).into_iter().collect();
    app.send_raw(
        Method::PUT,
        path,
        Some(token),
        Some("application/json"),
        serde_json::to_vec(body).unwrap(),
        &headers,
    )
    .await
}

/// Every change after `since`, page by page: (seq, resource_type, resource_id, change, data).
async fn drain(
    app: &TestApp,
    token: &str,
    since: &str,
) -> (Vec<(i64, String, String, String, Value)>, String) {
    let (mut out, mut cursor) = (Vec::new(), since.to_string());
    loop {
        let res = app.get(&format!("/api/v1/sync/changes?since={cursor}&limit=7"), Some(token)).await;
        assert_eq!(res.status, 200, "{}", res.text);
        for c in res.body["changes"].as_array().unwrap() {
            out.push((
                c["seq"].as_i64().unwrap(),
                c["resource_type"].as_str().unwrap().to_string(),
                c["resource_id"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
                c["data"].clone(),
            ));
        }
        cursor = res.body["next_cursor"].as_str().unwrap().to_string();
        if !res.body["has_more"].as_bool().unwrap() {
            return (out, cursor);
        }
    }
}

fn unnumbered(app: &TestApp) -> i64 {
    let mut conn = app.database().get().unwrap();
    sportello::db::changes::unnumbered(&mut conn).unwrap()
}

#[actix_web::test]
async fn integration_clients_get_tokens_rotate_and_are_revoked_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let (id, secret) = app.integration_client(&[&org]).await;
    assert!(secret.starts_with("cs_") && secret.len() > 40);

    let res = app.client_login(&id, &secret).await;
    res.expect_status(200);
    assert!(res.body.get("refresh_token").is_none(), "no refresh token: {}", res.text);
    let token = res.body["access_token"].as_str().unwrap().to_string();
    app.get("/api/v1/sync/changes", Some(&token)).await.expect_status(200);
    // A machine is not a user and may do nothing else.
    assert_problem(&app.get("/api/v1/cases", Some(&token)).await, 403, "forbidden");
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 403, "forbidden");
    assert_problem(&app.client_login(&id, "cs_wrong").await, 401, "invalid_grant");
    assert_problem(&app.client_login(&uuid::Uuid::now_v7().to_string(), &secret).await, 401, "invalid_grant");

    // The secret is never shown again.
    let shown = app.get(&format!("/api/v1/integration-clients/{id}"), Some(&admin)).await;
    shown.expect_status(200);
    assert!(!shown.text.contains(&secret) && shown.body.get("client_secret").is_none());
    assert!(shown.body["last_used_at"].is_string());

    // Rotation: the new secret works, the old one during its grace period.
    let rotated =
        app.post(&format!("/api/v1/integration-clients/{id}/secret"), Some(&admin), &json!({})).await;
    rotated.expect_status(200);
    let new_secret = rotated.body["client_secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    app.client_login(&id, &new_secret).await.expect_status(200);
    app.client_login(&id, &secret).await.expect_status(200);
    // A second rotation ends the first secret's grace.
    let again = app.post(&format!("/api/v1/integration-clients/{id}/secret"), Some(&admin), &json!({})).await;
    again.expect_status(200);
    assert_problem(&app.client_login(&id, &secret).await, 401, "invalid_grant");

    // Revocation: no new token, and the current one is refused by the sync endpoints at once.
    app.delete(&format!("/api/v1/integration-clients/{id}"), Some(&admin)).await.expect_status(204);
    let last_secret = again.body["client_secret"].as_str().unwrap();
    assert_problem(&app.client_login(&id, last_secret).await, 401, "invalid_grant");
    assert_problem(&app.get("/api/v1/sync/changes", Some(&token)).await, 401, "unauthorized");
    assert!(app.audit_count("auth.client_token", None) >= 4);
    assert_eq!(app.audit_count("integration_client.revoke", None), 1);

    // Organizations must exist; integration is no role for a user.
    let bad = app
        .post(
            "/api/v1/integration-clients",
            Some(&admin),
            &json!({"name": "X", "organization_ids": [uuid::Uuid::now_v7()]}),
        )
        .await;
    assert_invalid_field(&bad, "organization_ids/0");
    let user = user_body(Some(&org), "integration", &unique_username("robot"));
    assert_invalid_field(&app.post("/api/v1/users", Some(&admin), &user).await, "role");
}

#[actix_web::test]
async fn the_feed_lists_each_change_in_order_with_current_data_and_tombstones() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let other = app.create_organization(&admin, &unique_code()).await;
    let op = app.user_token("operator", &org).await;
    let other_op = app.user_token("operator", &other).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let client = app.integration_token(&[&org]).await;

    let body = json!({"given_name": "Amina", "family_name": "Diallo", "citizenship": "SN",
        "restricted_notes": "health", "family_members": [{"relationship": "child", "given_name": "Moussa", "family_name": "Diallo"}]});
    let case = app.post("/api/v1/cases", Some(&op), &body).await;
    case.expect_status(201);
    let case_id = case.id();
    let members = app.get(&format!("/api/v1/cases/{case_id}/family-members"), Some(&op)).await;
    let member_id = members.body["items"][0]["id"].as_str().unwrap().to_string();
    let intervention = app
        .post(
            &format!("/api/v1/cases/{case_id}/interventions"),
            Some(&op),
            &json!({"kind": "listening", "occurred_on": "2026-11-20", "summary": "First talk"}),
        )
        .await;
    intervention.expect_status(201);
    app.patch(&format!("/api/v1/cases/{case_id}"), Some(&op), &json!({"phone": "+39 333 1"}), Some("\"1\""))
        .await
        .expect_status(200);
    app.delete(&format!("/api/v1/cases/{case_id}/family-members/{member_id}"), Some(&op))
        .await
        .expect_status(204);
    // Another organization's case never shows in this organization's feed.
    app.post("/api/v1/cases", Some(&other_op), &json!({"given_name": "Elsewhere", "family_name": "X"}))
        .await
        .expect_status(201);

    let (changes, cursor) = drain(&app, &client, "0").await;
    let summary: Vec<(String, String, String)> =
        changes.iter().map(|(_, t, id, ch, _)| (t.clone(), id.clone(), ch.clone())).collect();
    let s = |t: &str, id: &str, ch: &str| (t.to_string(), id.to_string(), ch.to_string());
    assert_eq!(
        summary,
        vec![
            s("case", &case_id, "created"),
            s("family_member", &member_id, "created"),
            s("intervention", &intervention.id(), "created"),
            s("case", &case_id, "updated"),
            s("family_member", &member_id, "deleted"),
        ]
    );
    let seqs: Vec<i64> = changes.iter().map(|c| c.0).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "strictly increasing: {seqs:?}");
    // Data is the record as it is now; tombstones and records gone since carry none; no restricted notes.
    assert_eq!(changes[0].4["phone"], "+39 333 1");
    assert_eq!(changes[0].4["version"], 2);
    assert!(changes[0].4.get("restricted_notes").is_none());
    assert!(changes[1].4.is_null() && changes[4].4.is_null());
    assert_eq!(changes[2].4["summary"], "First talk");

    // Polling from the cursor: nothing new, the same cursor; a new change, only it.
    let empty = app.get(&format!("/api/v1/sync/changes?since={cursor}"), Some(&client)).await;
    assert_eq!(empty.body["changes"], json!([]));
    assert_eq!(empty.body["next_cursor"], cursor.as_str());
    app.post(&format!("/api/v1/cases/{case_id}/status"), Some(&coordinator), &json!({"status": "active"}))
        .await
        .expect_status(200);
    let (next, _) = drain(&app, &client, &cursor).await;
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].1.as_str(), next[0].3.as_str()), ("case", "updated"));

    // The coordinator reads the same feed; an admin also sees the other organization's case.
    assert_eq!(drain(&app, &coordinator, "0").await.0.len(), 6);
    assert_eq!(drain(&app, &admin, "0").await.0.len(), 7);
    assert_problem(&app.get("/api/v1/sync/changes", Some(&op)).await, 403, "forbidden");
    for bad in ["-1", "abc", "1e3", "9999999999999999999"] {
        let res = app.get(&format!("/api/v1/sync/changes?since={bad}"), Some(&client)).await;
        assert_eq!(res.status, 400, "since={bad}: {}", res.text);
    }
    assert!(app.audit_count("sync.changes", None) >= 5);
    assert_eq!(unnumbered(&app), 0, "every change got its sequence number");
}

#[actix_web::test]
async fn a_transfer_moves_the_case_and_its_records_between_feeds() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let from = app.create_organization(&admin, &unique_code()).await;
    let to = app.create_organization(&admin, &unique_code()).await;
    let op = app.user_token("operator", &from).await;
    let receiver = app.user_token("coordinator", &to).await;
    let from_client = app.integration_token(&[&from]).await;
    let to_client = app.integration_token(&[&to]).await;
    let body = json!({"given_name": "Ibrahim", "family_name": "Sow",
        "family_members": [{"relationship": "spouse", "given_name": "Awa", "family_name": "Sow"}]});
    let case_id = app.post("/api/v1/cases", Some(&op), &body).await.id();
    let offer =
        json!({"case_id": case_id, "kind": "offer", "to_organization_id": to, "reason": "Moved to Crema"});
    let transfer = app.post("/api/v1/transfers", Some(&op), &offer).await;
    transfer.expect_status(201);
    app.post(
        &format!("/api/v1/transfers/{}/status", transfer.id()),
        Some(&receiver),
        &json!({"status": "accepted"}),
    )
    .await
    .expect_status(200);

    let (old_feed, _) = drain(&app, &from_client, "0").await;
    let last = old_feed.last().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.3.as_str()),
        ("case", case_id.as_str(), "transferred")
    );
    assert!(old_feed.iter().all(|c| c.4.is_null()), "the old owner sees no data any more");
    let (new_feed, _) = drain(&app, &to_client, "0").await;
    let kinds: BTreeSet<&str> = new_feed.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["case", "family_member"]));
    assert!(new_feed.iter().all(|c| !c.4.is_null()));
}

#[actix_web::test]
async fn concurrent_writers_leave_no_gap_and_no_duplicate_in_the_feed() {
    let app = spawn_app_with(&[("SPORTELLO_WORKERS", "4"), ("SPORTELLO_DB_POOL_SIZE", "8")]).await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let client = app.integration_token(&[&org]).await;
    let mut operators = Vec::new();
    for _ in 0..4 {
        operators.push(app.user_token("operator", &org).await);
    }
    const PER_WRITER: usize = 12;
    let writers = operators.iter().enumerate().map(|(w, op)| {
        let app = &app;
        async move {
            let mut ids = Vec::new();
            for i in 0..PER_WRITER {
                let body = json!({"given_name": format!("W{w}"), "family_name": format!("N{i}"),
                    "family_members": [{"relationship": "child", "given_name": "C", "family_name": "D"}]});
                let res = app.post("/api/v1/cases", Some(op), &body).await;
                assert_eq!(res.status, 201, "{}", res.text);
                ids.push(res.id());
            }
            ids
        }
    });
    // The reader pages through the feed while the writers write, and once more after them.
    let done = std::cell::Cell::new(false);
    let reader = async {
        let (mut seen, mut cursor) = (Vec::new(), "0".to_string());
        loop {
            let finished = done.get();
            let (mut page, next) = drain(&app, &client, &cursor).await;
            seen.append(&mut page);
            cursor = next;
            if finished {
                return seen;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let writing = async {
        let ids = futures_util::future::join_all(writers).await;
        done.set(true);
        ids
    };
    let (seen, created) = futures_util::future::join(reader, writing).await;
    let created: HashSet<String> = created.into_iter().flatten().collect();
    assert_eq!(created.len(), 4 * PER_WRITER);

    let seqs: Vec<i64> = seen.iter().map(|c| c.0).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "no duplicate, in order");
    // This client's organization is the only one written to: the sequence has no hole at all.
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "no gap");
    let fed: HashSet<String> =
        seen.iter().filter(|c| c.1 == "case" && c.3 == "created").map(|c| c.2.clone()).collect();
    assert_eq!(fed, created, "every case created appears once");
    assert_eq!(seen.iter().filter(|c| c.1 == "family_member").count(), 4 * PER_WRITER);
    assert_eq!(unnumbered(&app), 0);
}

#[actix_web::test]
async fn upserts_create_update_and_change_nothing_when_sent_again() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let other = app.create_organization(&admin, &unique_code()).await;
    let client = app.integration_token(&[&org]).await;
    let path = "/api/v1/sync/cases/csi-crema/CSI-2026-000417";
    let form = json!({"given_name": "Amina", "family_name": "Diallo", "citizenship": "SN", "needs": ["residence_permit"]});

    let created = put(&app, path, &client, &form, None).await;
    created.expect_status(201);
    assert_eq!(created.body["external_id"], "CSI-2026-000417");
    assert_eq!(created.body["organization_id"], org.as_str());
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let case_id = created.id();

    let again = put(&app, path, &client, &form, None).await;
    again.expect_status(200);
    assert_eq!((again.id(), again.body["version"].as_i64()), (case_id.clone(), Some(1)));
    let (feed, _) = drain(&app, &client, "0").await;
    assert_eq!(feed.len(), 1, "sending the same form again writes nothing");

    let mut changed = form.clone();
    changed["phone"] = json!("+39 333 7654321");
    let updated = put(&app, path, &client, &changed, Some("\"1\"")).await;
    updated.expect_status(200);
    assert_eq!(updated.body["version"], 2);
    assert_problem(&put(&app, path, &client, &form, Some("\"1\"")).await, 412, "precondition_failed");
    // A PUT is the whole form: what it leaves out is cleared.
    let cleared = put(&app, path, &client, &form, None).await;
    assert_eq!(cleared.body["phone"], Value::Null);
    assert_problem(
        &put(&app, "/api/v1/sync/cases/csi-crema/NEW-1", &client, &form, Some("\"1\"")).await,
        412,
        "precondition_failed",
    );

    // Another organization's case with that external id is not reachable.
    let other_op = app.user_token("operator", &other).await;
    let theirs =
        json!({"given_name": "X", "family_name": "Y", "source_system": "csi-crema", "external_id": "THEIRS"});
    app.post("/api/v1/cases", Some(&other_op), &theirs).await.expect_status(201);
    assert_problem(
        &put(&app, "/api/v1/sync/cases/csi-crema/THEIRS", &client, &form, None).await,
        409,
        "external_id_taken",
    );
    let foreign_owner = format!("{path}?organization_id={other}");
    assert_problem(&put(&app, &foreign_owner, &client, &form, None).await, 403, "forbidden");

    // What a platform may not send.
    let mut with_family = form.clone();
    with_family["family_members"] = json!([{"relationship": "child", "given_name": "A", "family_name": "B"}]);
    assert_invalid_field(&put(&app, path, &client, &with_family, None).await, "family_members");
    let mut mismatch = form.clone();
    mismatch["external_id"] = json!("OTHER");
    assert_invalid_field(&put(&app, path, &client, &mismatch, None).await, "external_id");
    let mut future = form.clone();
    future["birth_date"] = json!("2999-01-01");
    assert_invalid_field(&put(&app, path, &client, &future, None).await, "birth_date");
    assert_eq!(drain(&app, &client, "0").await.0.len(), 3, "refused requests wrote nothing");
}

#[actix_web::test]
async fn a_batch_applies_the_good_items_and_reports_each_bad_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let client = app.integration_token(&[&org]).await;
    put(
        &app,
        "/api/v1/sync/cases/csi/EXISTING",
        &client,
        &json!({"given_name": "Old", "family_name": "Name"}),
        None,
    )
    .await
    .expect_status(201);
    let items = json!({"items": [
        {"source_system": "csi", "external_id": "NEW-1", "case": {"given_name": "Fatou", "family_name": "Ba"}},
        {"source_system": "csi", "external_id": "BAD-DATE", "case": {"given_name": "X", "family_name": "Y", "birth_date": "2999-01-01"}},
        {"source_system": "csi", "external_id": "EXISTING", "case": {"given_name": "New", "family_name": "Name"}},
        {"source_system": "csi", "external_id": "EXISTING", "if_match": 1, "case": {"given_name": "Stale", "family_name": "Write"}},
        {"source_system": "csi", "external_id": "MALFORMED", "case": {"given_name": 42, "family_name": "Y"}},
        {"source_system": "csi", "external_id": "NEW-2", "case": {"given_name": "Omar", "family_name": "Kane"}},
        {"source_system": "csi", "external_id": "NEW-1", "case": {"given_name": "Fatou", "family_name": "Ba"}},
        {"source_system": "csi", "external_id": "EXTRA", "colour": "red", "case": {"given_name": "A", "family_name": "B"}},
        42,
        {"source_system": "csi", "external_id": "NUL", "case": {"given_name": "A\u{0}", "family_name": "B"}}
    ]});
    let res = app.post("/api/v1/sync/cases/batch", Some(&client), &items).await;
    res.expect_status(200);
    let statuses: Vec<&str> =
        res.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "created",
            "invalid",
            "updated",
            "conflict",
            "invalid",
            "created",
            "unchanged",
            "invalid",
            "invalid",
            "invalid"
        ]
    );
    assert_eq!(
        (res.body["created"].as_i64(), res.body["invalid"].as_i64(), res.body["conflict"].as_i64()),
        (Some(2), Some(5), Some(1))
    );
    let results = res.body["results"].as_array().unwrap();
    assert_eq!(results[1]["problem"]["errors"][0]["field"], "case/birth_date");
    assert_eq!(results[3]["problem"]["status"], 412);
    assert_eq!(results[4]["problem"]["status"], 422);
    assert_eq!(results[7]["problem"]["errors"][0]["field"], "colour", "an unknown field is named");
    assert_eq!(results[8]["problem"]["status"], 422, "an item that is not an object fails alone");
    assert_eq!(results[9]["problem"]["errors"][0]["code"], "nul_character", "so does a NUL character");
    assert_eq!(results[2]["version"], 2);

    // Only the good items were written: two new cases, one update (a batch commits as one, so the order of
    // its changes of different cases says nothing).
    let (feed, _) = drain(&app, &client, "0").await;
    let mut kinds: Vec<&str> = feed.iter().map(|c| c.3.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["created", "created", "created", "updated"]);
    assert!(feed.iter().all(|c| c.4["given_name"] != "Stale" && c.4["given_name"] != "X"));
    let codes: BTreeSet<&str> = feed.iter().filter_map(|c| c.4["reference_code"].as_str()).collect();
    assert_eq!(codes.len(), 3, "every case has its own reference code: {codes:?}");

    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"source_system": "csi", "external_id": format!("N{i}"), "case": {"given_name": "A", "family_name": "B"}}))
        .collect();
    assert_invalid_field(
        &app.post("/api/v1/sync/cases/batch", Some(&client), &json!({"items": too_many})).await,
        "items",
    );
    assert_invalid_field(
        &app.post("/api/v1/sync/cases/batch", Some(&client), &json!({"items": []})).await,
        "items",
    );
}

fn batch_of(source: &str, ids: impl IntoIterator<Item = String>, given_name: &str) -> Value {
    let items: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            json!({"source_system": source, "external_id": id,
            "case": {"given_name": given_name, "family_name": "Diallo"}})
        })
        .collect();
    json!({"items": items})
}

#[actix_web::test]
async fn new_cases_of_a_batch_are_created_together_and_an_id_repeated_in_it_applies_in_order() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let code = unique_code();
    let org = app.create_organization(&admin, &code).await;
    let client = app.integration_token(&[&org]).await;
    let mut batch = batch_of("csi", (0..120).map(|i| format!("N{i}")), "Amina");
    let items = batch["items"].as_array_mut().unwrap();
    // The third time an id appears the form differs: an update of the case its first item created.
    items.push(json!({"source_system": "csi", "external_id": "N7", "case": {"given_name": "Amina", "family_name": "Diallo"}}));
    items.push(json!({"source_system": "csi", "external_id": "N7", "if_match": 1, "case": {"given_name": "Aminata", "family_name": "Diallo"}}));
    // A new id whose first item fails: the next item with it creates the case.
    items.push(json!({"source_system": "csi", "external_id": "LATE", "if_match": 3, "case": {"given_name": "A", "family_name": "B"}}));
    items.push(json!({"source_system": "csi", "external_id": "LATE", "case": {"given_name": "A", "family_name": "B"}}));
    let res = app.post("/api/v1/sync/cases/batch", Some(&client), &batch).await;
    res.expect_status(200);
    let results = res.body["results"].as_array().unwrap();
    let tail: Vec<(&str, Option<i64>)> =
        results[120..].iter().map(|r| (r["status"].as_str().unwrap(), r["version"].as_i64())).collect();
    assert_eq!(
        tail,
        [("unchanged", Some(1)), ("updated", Some(2)), ("conflict", None), ("created", Some(1))]
    );
    assert_eq!(results[7]["case_id"], results[121]["case_id"]);
    assert_eq!(res.body["created"], 121);

    let (feed, _) = drain(&app, &client, "0").await;
    let created: Vec<&Value> = feed.iter().filter(|c| c.3 == "created").map(|c| &c.4).collect();
    assert_eq!(created.len(), 121);
    let codes: BTreeSet<String> =
        created.iter().map(|c| c["reference_code"].as_str().unwrap().to_string()).collect();
    let year = chrono::Utc::now().format("%Y");
    let expected: BTreeSet<String> = (1..=121).map(|n| format!("{code}-{year}-{n:05}")).collect();
    assert_eq!(codes, expected, "one run of reference numbers, none skipped or repeated");
    let n7 = feed.iter().rev().find(|c| c.4["external_id"] == "N7").unwrap();
    assert_eq!(n7.4["given_name"], "Aminata");
    let audit = app.get("/api/v1/audit-events?action=case.create&limit=200", Some(&admin)).await;
    audit.expect_status(200);
    let audited: HashSet<&str> =
        audit.body["items"].as_array().unwrap().iter().filter_map(|e| e["resource_id"].as_str()).collect();
    assert!(created.iter().all(|c| audited.contains(c["id"].as_str().unwrap())), "every creation is audited");

    // The next case the organization opens continues the run.
    let op = app.user_token("operator", &org).await;
    let case =
        app.post("/api/v1/cases", Some(&op), &json!({"given_name": "Omar", "family_name": "Kane"})).await;
    case.expect_status(201);
    assert_eq!(case.body["reference_code"], format!("{code}-{year}-00122"));
}

#[actix_web::test]
async fn two_batches_creating_the_same_ids_at_once_create_each_case_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let client = app.integration_token(&[&org]).await;
    let batch = batch_of("csi", (0..200).map(|i| format!("SAME-{i}")), "Amina");
    let sent = (0..3).map(|_| app.post("/api/v1/sync/cases/batch", Some(&client), &batch));
    let answers = futures_util::future::join_all(sent).await;
    let mut created = 0;
    for answer in &answers {
        answer.expect_status(200);
        assert_eq!(answer.body["conflict"], 0, "{}", answer.text);
        assert_eq!(answer.body["invalid"], 0, "{}", answer.text);
        created += answer.body["created"].as_i64().unwrap();
    }
    assert_eq!(created, 200, "each id created once, the other batches found it unchanged");
    let (feed, _) = drain(&app, &client, "0").await;
    assert_eq!(feed.len(), 200);
}

#[actix_web::test]
async fn a_client_of_several_organizations_reads_their_changes_merged_in_order_and_no_others() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(app.create_organization(&admin, &unique_code()).await);
    }
    let client = app.integration_token(&[&ids[0], &ids[1], &ids[2]]).await;
    let outsider = app.integration_token(&[&ids[3]]).await;
    // Interleaved writes, one organization far busier than the others (more than a first read of it).
    for round in 0..6 {
        for (n, org) in ids.iter().enumerate() {
            let count = if n == 0 { 9 } else { 1 };
            let mut batch = batch_of("csi", (0..count).map(|i| format!("{n}-{round}-{i}")), "Amina");
            for item in batch["items"].as_array_mut().unwrap() {
                item["organization_id"] = json!(org);
            }
            let token = if n == 3 { &outsider } else { &client };
            let res = app.post("/api/v1/sync/cases/batch", Some(token), &batch).await;
            assert_eq!(res.body["created"], count, "{}", res.text);
        }
    }
    let (small_pages, _) = drain(&app, &client, "0").await;
    let whole = app.get("/api/v1/sync/changes?since=0&limit=1000", Some(&client)).await;
    whole.expect_status(200);
    let seqs: Vec<i64> = small_pages.iter().map(|c| c.0).collect();
    let whole_seqs: Vec<i64> =
        whole.body["changes"].as_array().unwrap().iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs.len(), 6 * (9 + 1 + 1), "every change of the three organizations");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in sequence order: {seqs:?}");
    assert_eq!(seqs, whole_seqs, "pages of 7 and one page of 1000 read the same feed");
    let theirs: HashSet<String> = drain(&app, &outsider, "0").await.0.into_iter().map(|c| c.2).collect();
    assert_eq!(theirs.len(), 6);
    assert!(small_pages.iter().all(|c| !theirs.contains(&c.2)), "no change of another organization");
}

#[actix_web::test]
async fn erasure_anonymises_for_good_publishes_a_tombstone_and_respects_the_legal_hold() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let op = app.user_token("operator", &org).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let client = app.integration_token(&[&org]).await;
    let body = json!({"given_name": "Amina", "family_name": "Diallo", "tax_code": "DLLMNA90E57Z343T",
        "birth_date": "1990-05-17", "sex": "female", "citizenship": "SN", "phone": "+39 333 1234567",
        "notes": "Lives with her sister", "needs": ["residence_permit"],
        "family_members": [{"relationship": "child", "given_name": "Moussa", "family_name": "Diallo", "birth_date": "2016-03-02"}]});
    let case_id = app.post("/api/v1/cases", Some(&op), &body).await.id();
    app.post(&format!("/api/v1/cases/{case_id}/interventions"), Some(&op),
        &json!({"kind": "legal_advice", "occurred_on": "2026-11-20", "summary": "Talked about Moussa's school"}))
        .await
        .expect_status(201);
    let desk = app
        .post("/api/v1/desks", Some(&coordinator), &json!({"name": "Sportello", "municipality": "Crema"}))
        .await
        .id();
    app.post("/api/v1/desk-contacts", Some(&op), &json!({"desk_id": desk, "channel": "phone", "case_id": case_id,
        "topics": ["school"], "answer": "Moussa's enrolment papers", "orientation": "Istituto comprensivo, Via Dante 12"}))
        .await
        .expect_status(201);
    let (_, cursor) = drain(&app, &client, "0").await;

    let erase = format!("/api/v1/cases/{case_id}/erasure");
    let hold = format!("/api/v1/cases/{case_id}/legal-hold");
    assert_problem(&app.post(&erase, Some(&op), &json!({"reason": "x"})).await, 403, "forbidden");
    let on = app
        .send_raw(
            Method::PUT,
            &hold,
            Some(&coordinator),
            Some("application/json"),
            serde_json::to_vec(&json!({"legal_hold": true, "reason": "Tribunale"})).unwrap(),
            &[],
        )
        .await;
    on.expect_status(204);
    assert_eq!(app.get(&format!("/api/v1/cases/{case_id}"), Some(&op)).await.body["legal_hold"], true);
    assert_problem(
        &app.post(&erase, Some(&coordinator), &json!({"reason": "art. 17"})).await,
        409,
        "legal_hold",
    );
    app.send_raw(
        Method::PUT,
        &hold,
        Some(&coordinator),
        Some("application/json"),
        serde_json::to_vec(&json!({"legal_hold": false, "reason": "Closed"})).unwrap(),
        &[],
    )
    .await
    .expect_status(204);

    app.post(&erase, Some(&coordinator), &json!({"reason": "art. 17"})).await.expect_status(204);
    assert_problem(&app.get(&format!("/api/v1/cases/{case_id}"), Some(&op)).await, 404, "not_found");
    // A second erase is a no-op; the legal hold cannot be set on what is gone.
    app.post(&erase, Some(&coordinator), &json!({"reason": "again"})).await.expect_status(204);
    assert_eq!(app.audit_count("case.erase", Some(&case_id)), 1);

    // The feed: an erased tombstone, no data; nothing personal left in the database.
    let (after, _) = drain(&app, &client, &cursor).await;
    let tombstone = after.iter().find(|c| c.1 == "case" && c.3 == "erased").expect("erased tombstone");
    assert!(tombstone.4.is_null());
    assert!(after.iter().any(|c| c.1 == "family_member" && c.3 == "deleted"));
    assert!(after.iter().all(|c| c.4.is_null()));
    let dump = table_text(&app, &case_id);
    for secret in [
        "Amina",
        "Diallo",
        "DLLMNA90E57Z343T",
        "333 1234567",
        "sister",
        "Moussa",
        "1990-05-17",
        "2016-03-02",
        "Via Dante",
    ] {
        assert!(!dump.contains(secret), "{secret} survived erasure: {dump}");
    }
    for kept in [
        "SN",
        "residence_permit",
        "legal_advice",
        "1990-05-01",
        "2016-03-01",
        "female",
        "2026-11-01",
        "school",
    ] {
        assert!(dump.contains(kept), "{kept} should be kept for statistics: {dump}");
    }
}

/// The rows about a case that erasure touches, as text.
fn table_text(app: &TestApp, case_id: &str) -> String {
    use diesel::prelude::*;
    use sportello::db::schema::{cases as c, desk_contacts as k, family_members as f, interventions as i};
    let mut conn = app.database().get().unwrap();
    let case = sportello::db::cases::find_any(&mut conn, case_id).unwrap().unwrap();
    let members: Vec<(String, String, Option<chrono::NaiveDate>)> = f::table
        .filter(f::case_id.eq(case_id))
        .select((f::given_name, f::family_name, f::birth_date))
        .load(&mut *conn)
        .unwrap();
    let interventions: Vec<(String, String, chrono::NaiveDate)> = i::table
        .filter(i::case_id.eq(case_id))
        .select((i::kind, i::summary, i::occurred_on))
        .load(&mut *conn)
        .unwrap();
    let contacts: Vec<(String, String, Option<String>)> = k::table
        .filter(k::case_id.eq(case_id))
        .select((k::topics, k::answer, k::orientation))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(contacts.len(), 1);
    let erased: Option<chrono::NaiveDateTime> =
        c::table.find(case_id).select(c::erased_at).first(&mut *conn).unwrap();
    assert!(erased.is_some());
    format!("{case:?} {members:?} {interventions:?} {contacts:?}")
}

#[actix_web::test]
async fn retention_lists_in_a_dry_run_and_erases_only_when_applied() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    let op = app.user_token("operator", &org).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let mut ids = Vec::new();
    for name in ["Old", "Held", "Recent", "Open"] {
        let id = app
            .post("/api/v1/cases", Some(&op), &json!({"given_name": name, "family_name": "Retention"}))
            .await
            .id();
        if name != "Open" {
            let close = json!({"status": "closed", "closure_reason": "goals_achieved"});
            app.post(&format!("/api/v1/cases/{id}/status"), Some(&coordinator), &close)
                .await
                .expect_status(200);
        }
        ids.push(id);
    }
    let eleven_years_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(11 * 365);
    for id in &ids[..2] {
        app.set_time(&format!("UPDATE cases SET closed_at = $1 WHERE id = '{id}'"), eleven_years_ago);
    }
    let hold = json!({"legal_hold": true, "reason": "Court"});
    app.send_raw(
        Method::PUT,
        &format!("/api/v1/cases/{}/legal-hold", ids[1]),
        Some(&coordinator),
        Some("application/json"),
        serde_json::to_vec(&hold).unwrap(),
        &[],
    )
    .await
    .expect_status(204);

    let mut conn = app.database().get().unwrap();
    let now = chrono::Utc::now().naive_utc();
    let store = sportello::db::document_store::DocumentStore::open(
        &sportello::config::DocumentStoreLocation::Database,
    )
    .unwrap();
    let dry = sportello::retention::run(&mut conn, &store, 3650, now, false).unwrap();
    assert_eq!(dry.cases.len(), 1);
    assert!(dry.to_string().contains("would erase 1 case(s)"), "{dry}");
    app.get(&format!("/api/v1/cases/{}", ids[0]), Some(&op)).await.expect_status(200);

    let applied = sportello::retention::run(&mut conn, &store, 3650, now, true).unwrap();
    assert_eq!(applied.cases.len(), 1);
    assert_problem(&app.get(&format!("/api/v1/cases/{}", ids[0]), Some(&op)).await, 404, "not_found");
    for kept in &ids[1..] {
        app.get(&format!("/api/v1/cases/{kept}"), Some(&op)).await.expect_status(200);
    }
    assert_eq!(app.audit_count("case.erase", Some(&ids[0])), 1);
    // Applying again finds nothing left to do.
    assert!(sportello::retention::run(&mut conn, &store, 3650, now, true).unwrap().cases.is_empty());
}
