//! Transfers (a case handed to another organization, family and interventions included) and case access
//! grants (joint taking-in-charge).

use serde_json::json;

use crate::network::{Agency, open_case};
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app};

async fn transfer(app: &TestApp, token: &str, body: serde_json::Value) -> crate::support::TestResponse {
    app.post("/api/v1/transfers", Some(token), &body).await
}

async fn decide(app: &TestApp, token: &str, id: &str, status: &str) -> crate::support::TestResponse {
    app.post(&format!("/api/v1/transfers/{id}/status"), Some(token), &json!({"status": status})).await
}

#[actix_web::test]
async fn an_accepted_offer_moves_the_case_with_its_family_and_interventions() {
    let app = spawn_app().await;
    let (cremona, crema) = (Agency::new(&app).await, Agency::new(&app).await);
    let case = open_case(&app, &cremona.operator, json!({"given_name": "Amina", "family_name": "Diallo",
        "restricted_notes": "Health", "family_members": [{"relationship": "child", "given_name": "Awa", "family_name": "Diallo"}]}))
    .await;
    let intervention = app
        .post(
            &format!("/api/v1/cases/{case}/interventions"),
            Some(&cremona.operator),
            &json!({"kind": "orientation", "occurred_on": "2026-01-12", "summary": "Permit renewal"}),
        )
        .await
        .id();

    let offer = transfer(&app, &cremona.operator,
        json!({"case_id": case, "kind": "offer", "to_organization_id": crema.id, "reason": "The family moved to Crema"})).await;
    offer.expect_status(201);
    let id = offer.id();
    assert_eq!(offer.body["status"], "requested");
    assert_eq!(offer.body["allowed_transitions"], json!(["cancelled"]));
    // The receiver sees whom it is offered, and its coordinator alone decides.
    let seen = app.get(&format!("/api/v1/transfers/{id}"), Some(&crema.coordinator)).await;
    assert_eq!(seen.body["case"]["given_name"], "Amina");
    assert_eq!(seen.body["allowed_transitions"], json!(["accepted", "rejected"]));
    assert_problem(&decide(&app, &crema.operator, &id, "accepted").await, 403, ":forbidden");
    assert_problem(&decide(&app, &cremona.coordinator, &id, "accepted").await, 403, ":forbidden");
    let incoming =
        app.get("/api/v1/transfers?direction=incoming&status=requested", Some(&crema.operator)).await;
    assert_eq!(incoming.body["items"][0]["id"], id.as_str());

    let accepted = decide(&app, &crema.coordinator, &id, "accepted").await;
    accepted.expect_status(200);
    assert_eq!(accepted.body["status"], "accepted");
    assert!(accepted.body["decided_at"].is_string());

    // The sender lost everything; the receiver holds the case, its family and its interventions.
    for path in [
        format!("/api/v1/cases/{case}"),
        format!("/api/v1/cases/{case}/family-members"),
        format!("/api/v1/cases/{case}/interventions/{intervention}"),
    ] {
        assert_problem(&app.get(&path, Some(&cremona.operator)).await, 404, ":not_found");
        assert_problem(&app.get(&path, Some(&cremona.coordinator)).await, 404, ":not_found");
        app.get(&path, Some(&crema.operator)).await.expect_status(200);
    }
    let moved = app.get(&format!("/api/v1/cases/{case}"), Some(&crema.operator)).await;
    assert_eq!(moved.body["organization_id"], crema.id.as_str());
    assert_eq!(moved.body["restricted_notes"], "Health", "the whole file moves, restricted notes included");
    assert_eq!(moved.body["version"], 2);
    let family = app.get(&format!("/api/v1/cases/{case}/family-members"), Some(&crema.operator)).await;
    assert_eq!(family.body["items"][0]["given_name"], "Awa");
    let listed = app.get("/api/v1/cases", Some(&cremona.operator)).await;
    assert_eq!(listed.body["items"], json!([]));
    assert_eq!(app.audit_count("case.transfer", Some(&case)), 1);
    // The old owner still sees the transfer record, but no longer the person's name.
    let record = app.get(&format!("/api/v1/transfers/{id}"), Some(&cremona.operator)).await;
    record.expect_status(200);
    assert_eq!(record.body["case"], json!(null));
    // Done is done.
    assert_problem(&decide(&app, &crema.coordinator, &id, "rejected").await, 409, ":invalid_transition");
}

#[actix_web::test]
async fn a_request_becomes_a_transfer_when_the_owner_accepts() {
    let app = spawn_app().await;
    let (owner, asker) = (Agency::new(&app).await, Agency::new(&app).await);
    let case = open_case(
        &app,
        &owner.operator,
        json!({"given_name": "Karim", "family_name": "Benali",
        "birth_date": "1985-03-02"}),
    )
    .await;
    // The asker found it at intake and asks for it; it still cannot see the case.
    let res = transfer(
        &app,
        &asker.operator,
        json!({"case_id": case, "kind": "request", "reason": "Lives in our district"}),
    )
    .await;
    res.expect_status(201);
    let id = res.id();
    assert_eq!(res.body["from_organization_id"], owner.id.as_str());
    assert_eq!(res.body["to_organization_id"], asker.id.as_str());
    assert_eq!(
        res.body["case"],
        json!(null),
        "the requester does not see the person before the owner agrees"
    );
    assert_problem(
        &app.get(&format!("/api/v1/cases/{case}"), Some(&asker.operator)).await,
        404,
        ":not_found",
    );
    // The owner's coordinator decides; the asker may only cancel.
    assert_problem(&decide(&app, &asker.coordinator, &id, "accepted").await, 403, ":forbidden");
    let pending = app.get(&format!("/api/v1/transfers/{id}"), Some(&owner.coordinator)).await;
    assert_eq!(pending.body["allowed_transitions"], json!(["accepted", "rejected"]));
    assert_eq!(pending.body["case"]["family_name"], "Benali");
    decide(&app, &owner.coordinator, &id, "accepted").await.expect_status(200);
    app.get(&format!("/api/v1/cases/{case}"), Some(&asker.operator)).await.expect_status(200);
    assert_problem(
        &app.get(&format!("/api/v1/cases/{case}"), Some(&owner.operator)).await,
        404,
        ":not_found",
    );
}

#[actix_web::test]
async fn one_open_transfer_per_case_and_the_rules_of_who_moves_it() {
    let app = spawn_app().await;
    let (a, b) = (Agency::new(&app).await, Agency::new(&app).await);
    let case = open_case(&app, &a.operator, json!({"given_name": "Lina", "family_name": "Haddad"})).await;
    let offer = json!({"case_id": case, "kind": "offer", "to_organization_id": b.id, "reason": "x"});
    let id = transfer(&app, &a.operator, offer.clone()).await.id();
    assert_problem(&transfer(&app, &a.operator, offer.clone()).await, 409, ":transfer_pending");
    let request = json!({"case_id": case, "kind": "request", "reason": "x"});
    assert_problem(&transfer(&app, &b.operator, request).await, 409, ":transfer_pending");
    // Only the side that started it cancels.
    assert_problem(&decide(&app, &b.coordinator, &id, "cancelled").await, 403, ":forbidden");
    decide(&app, &a.operator, &id, "cancelled").await.expect_status(200);
    assert_problem(&decide(&app, &a.operator, &id, "cancelled").await, 409, ":invalid_transition");
    // A rejection leaves the case where it was; a new offer may follow.
    let id = transfer(&app, &a.operator, offer.clone()).await.id();
    decide(&app, &b.coordinator, &id, "rejected").await.expect_status(200);
    app.get(&format!("/api/v1/cases/{case}"), Some(&a.operator)).await.expect_status(200);
    // Offers need a receiver other than the owner; only the owner offers.
    let res = transfer(&app, &a.operator, json!({"case_id": case, "kind": "offer", "reason": "x"})).await;
    assert_invalid_field(&res, "to_organization_id");
    let res = transfer(
        &app,
        &a.operator,
        json!({"case_id": case, "kind": "offer", "to_organization_id": a.id, "reason": "x"}),
    )
    .await;
    assert_invalid_field(&res, "to_organization_id");
    assert_problem(&transfer(&app, &b.operator, offer).await, 404, ":not_found");
    let res = transfer(
        &app,
        &a.operator,
        json!({"case_id": uuid::Uuid::now_v7(), "kind": "request", "reason": "x"}),
    )
    .await;
    assert_problem(&res, 404, ":not_found");
}

#[actix_web::test]
async fn grants_share_a_case_to_read_or_contribute_until_revoked_or_expired() {
    let app = spawn_app().await;
    let (owner, partner) = (Agency::new(&app).await, Agency::new(&app).await);
    let case = open_case(
        &app,
        &owner.operator,
        json!({"given_name": "Yusuf", "family_name": "Kaya", "restricted_notes": "Health"}),
    )
    .await;
    let case_path = format!("/api/v1/cases/{case}");
    let grants = format!("{case_path}/grants");
    let intervention =
        json!({"kind": "listening", "occurred_on": "2026-01-12", "summary": "Joint interview"});
    assert_problem(&app.get(&case_path, Some(&partner.operator)).await, 404, ":not_found");

    // Operators cannot share; a coordinator of the owner can.
    let read = json!({"organization_id": partner.id, "access": "read"});
    assert_problem(&app.post(&grants, Some(&owner.operator), &read).await, 403, ":forbidden");
    let grant = app.post(&grants, Some(&owner.coordinator), &read).await;
    grant.expect_status(201);
    assert_eq!(grant.body["live"], true);
    let grant = grant.id();
    assert_problem(&app.post(&grants, Some(&owner.coordinator), &read).await, 409, ":grant_exists");

    // Read: the partner sees the case (without restricted notes) and lists it, but cannot work on it.
    let seen = app.get(&case_path, Some(&partner.operator)).await;
    seen.expect_status(200);
    assert_eq!(seen.body["restricted_notes"], json!(null));
    let listed = app.get("/api/v1/cases", Some(&partner.operator)).await;
    assert_eq!(listed.body["items"][0]["id"], case.as_str());
    let etag = seen.header("etag").unwrap();
    // The case is visible, so these are refusals (403), not absences (404).
    let patch = app
        .patch(&case_path, Some(&partner.operator), &json!({"phone": "+39 333 0000000"}), Some(&etag))
        .await;
    assert_problem(&patch, 403, ":forbidden");
    let add = app.post(&format!("{case_path}/interventions"), Some(&partner.operator), &intervention).await;
    assert_problem(&add, 403, ":forbidden");
    // Decisions stay with the owner.
    assert_problem(&app.get(&grants, Some(&partner.coordinator)).await, 403, ":forbidden");
    let close = json!({"status": "closed", "closure_reason": "other"});
    let status = app.post(&format!("{case_path}/status"), Some(&partner.coordinator), &close).await;
    assert_problem(&status, 403, ":forbidden");
    let offer = json!({"case_id": case, "kind": "offer", "to_organization_id": owner.id, "reason": "x"});
    assert_problem(&transfer(&app, &partner.operator, offer).await, 403, ":forbidden");

    // Revoked: gone at once. Then contribute: the partner works on the case.
    app.delete(&format!("{grants}/{grant}"), Some(&owner.coordinator)).await.expect_status(204);
    assert_problem(&app.get(&case_path, Some(&partner.operator)).await, 404, ":not_found");
    assert_problem(
        &app.delete(&format!("{grants}/{grant}"), Some(&owner.coordinator)).await,
        404,
        ":not_found",
    );
    let contribute = app
        .post(
            &grants,
            Some(&owner.coordinator),
            &json!({"organization_id": partner.id, "access": "contribute",
        "expires_at": "2099-01-01T00:00:00Z", "note": "Joint project"}),
        )
        .await;
    contribute.expect_status(201);
    let contribute = contribute.id();
    let added = app.post(&format!("{case_path}/interventions"), Some(&partner.operator), &intervention).await;
    added.expect_status(201);
    assert_eq!(added.body["organization_id"], partner.id.as_str(), "the intervention is the partner's work");
    let etag = app.get(&case_path, Some(&partner.operator)).await.header("etag").unwrap();
    app.patch(&case_path, Some(&partner.operator), &json!({"phone": "+39 333 0000000"}), Some(&etag))
        .await
        .expect_status(200);
    let etag = app.get(&case_path, Some(&partner.operator)).await.header("etag").unwrap();
    let notes =
        app.patch(&case_path, Some(&partner.operator), &json!({"restricted_notes": "x"}), Some(&etag)).await;
    assert_problem(&notes, 403, ":forbidden");

    // Expired: as good as revoked, at once.
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    app.set_time(&format!("UPDATE case_access_grants SET expires_at = $1 WHERE id = '{contribute}'"), past);
    assert_problem(&app.get(&case_path, Some(&partner.operator)).await, 404, ":not_found");
    let history = app.get(&grants, Some(&owner.coordinator)).await;
    let live: Vec<bool> =
        history.body["items"].as_array().unwrap().iter().map(|g| g["live"].as_bool().unwrap()).collect();
    assert_eq!(live, [false, false]);
    // An expired grant does not block a new one.
    app.post(&grants, Some(&owner.coordinator), &read).await.expect_status(201);

    // Grants are checked.
    let own = app
        .post(&grants, Some(&owner.coordinator), &json!({"organization_id": owner.id, "access": "read"}))
        .await;
    assert_invalid_field(&own, "organization_id");
    let past = app.post(&grants, Some(&owner.coordinator),
        &json!({"organization_id": uuid::Uuid::now_v7(), "access": "read", "expires_at": "2020-01-01T00:00:00Z"})).await;
    assert_invalid_field(&past, "expires_at");
}
