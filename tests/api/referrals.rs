//! Referrals: the closed loop between a desk and a provider, consent gating, the provider's minimum view.

use serde_json::json;

use crate::network::{Agency, consent, move_referral, open_case, provider, refer};
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[actix_web::test]
async fn the_loop_closes_from_request_to_completion_with_every_move_recorded() {
    let app = spawn_app().await;
    let (desk, questura) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&questura.id), "Questura di Cremona").await;
    let case = open_case(
        &app,
        &desk.operator,
        json!({"given_name": "Amina", "family_name": "Diallo", "phone": "+39 333 1234567", "languages": ["fr", "wo"],
            "birth_date": "1990-05-17", "citizenship": "SN", "notes": "Works nights", "restricted_notes": "Health"}),
    )
    .await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let referral = refer(&app, &desk.operator, &case, &provider).await;
    let id = referral["id"].as_str().unwrap().to_string();
    assert_eq!(referral["status"], "requested");
    assert_eq!(referral["receiving_organization_id"], questura.id.as_str());
    assert_eq!(referral["allowed_transitions"], json!(["cancelled"]), "the sender may only cancel now");

    // The provider's inbox holds it, with the minimum view of the person and nothing else of the case.
    let inbox = app.get("/api/v1/referrals?direction=received", Some(&questura.staff)).await;
    inbox.expect_status(200);
    let items = inbox.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let seen = &items[0];
    assert_eq!(keys(&seen["person"]), ["email", "family_name", "given_name", "languages", "phone"]);
    assert_eq!(seen["person"]["given_name"], "Amina");
    assert_eq!(seen["person"]["languages"], json!(["fr", "wo"]));
    for absent in ["birth_date", "citizenship", "notes", "restricted_notes", "tax_code", "address", "needs"] {
        assert!(!inbox.text.contains(&format!("\"{absent}\"")), "{absent} leaked into the provider's view");
    }
    assert_eq!(seen["allowed_transitions"], json!(["received"]));
    // The case file itself stays closed to the provider: staff have no case role, others no case scope.
    assert_problem(
        &app.get(&format!("/api/v1/cases/{case}"), Some(&questura.staff)).await,
        403,
        ":forbidden",
    );
    assert_problem(
        &app.get(&format!("/api/v1/cases/{case}"), Some(&questura.coordinator)).await,
        404,
        ":not_found",
    );

    let staff = &questura.staff;
    for (status, extra) in [
        ("received", json!({})),
        ("accepted", json!({"note": "Appointment on 2 December at 9:30"})),
        ("in_progress", json!({})),
        ("on_hold", json!({"reason": "Waiting for the passport copy"})),
        ("in_progress", json!({})),
        ("completed", json!({"note": "Permit renewed"})),
    ] {
        let mut body = extra.clone();
        body["status"] = json!(status);
        let res = move_referral(&app, staff, &id, body).await;
        res.expect_status(200);
        assert_eq!(res.body["status"], status);
    }
    let done = app.get(&format!("/api/v1/referrals/{id}"), Some(&desk.operator)).await;
    done.expect_status(200);
    assert!(done.body["answered_at"].is_string() && done.body["closed_at"].is_string(), "{}", done.text);
    assert_eq!(done.body["allowed_transitions"], json!([]));

    let events = app.get(&format!("/api/v1/referrals/{id}/events"), Some(&desk.operator)).await;
    events.expect_status(200);
    let moves: Vec<(serde_json::Value, serde_json::Value)> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["from_status"].clone(), e["to_status"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            (json!(null), json!("requested")),
            (json!("requested"), json!("received")),
            (json!("received"), json!("accepted")),
            (json!("accepted"), json!("in_progress")),
            (json!("in_progress"), json!("on_hold")),
            (json!("on_hold"), json!("in_progress")),
            (json!("in_progress"), json!("completed")),
        ]
    );
    let on_hold = &events.body["items"][4];
    assert_eq!(on_hold["reason"], "Waiting for the passport copy");
    assert_eq!(on_hold["actor_organization_id"], questura.id.as_str());
    assert_eq!(app.audit_count("referral.status", Some(&case)), 6);

    // Per case: every referral and where it stands.
    let of_case = app.get(&format!("/api/v1/cases/{case}/referrals"), Some(&desk.operator)).await;
    of_case.expect_status(200);
    assert_eq!(of_case.body["items"][0]["status"], "completed");
}

#[actix_web::test]
async fn illegal_moves_are_409_moves_by_the_wrong_side_403_and_reasons_are_required() {
    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "Centro per l'impiego").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Ion", "family_name": "Popescu"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "provider_sharing", "provider_id": provider}))
        .await;
    let id = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();

    // Skipping "received" is illegal whoever asks; the answer says where it can go.
    let skip = move_referral(&app, &provider_org.staff, &id, json!({"status": "accepted"})).await;
    assert_problem(&skip, 409, ":invalid_transition");
    assert!(skip.body["detail"].as_str().unwrap().contains("received"), "{}", skip.text);
    // The sender cannot make the provider's moves, nor the provider the sender's.
    assert_problem(
        &move_referral(&app, &desk.operator, &id, json!({"status": "received"})).await,
        403,
        ":forbidden",
    );
    let cancel = json!({"status": "cancelled", "reason": "Not needed any more"});
    assert_problem(&move_referral(&app, &provider_org.staff, &id, cancel.clone()).await, 403, ":forbidden");
    // Reasons: rejecting, holding, failing and cancelling need one.
    move_referral(&app, &provider_org.staff, &id, json!({"status": "received"})).await.expect_status(200);
    assert_invalid_field(
        &move_referral(&app, &provider_org.staff, &id, json!({"status": "rejected"})).await,
        "reason",
    );
    assert_invalid_field(
        &move_referral(&app, &desk.operator, &id, json!({"status": "cancelled"})).await,
        "reason",
    );
    move_referral(&app, &provider_org.staff, &id, json!({"status": "accepted"})).await.expect_status(200);
    move_referral(&app, &provider_org.staff, &id, json!({"status": "in_progress"})).await.expect_status(200);
    assert_invalid_field(
        &move_referral(&app, &provider_org.staff, &id, json!({"status": "on_hold"})).await,
        "reason",
    );
    assert_invalid_field(
        &move_referral(&app, &provider_org.staff, &id, json!({"status": "failed"})).await,
        "reason",
    );
    // The sender cancels from any open state; then nothing moves it.
    move_referral(&app, &desk.operator, &id, cancel).await.expect_status(200);
    for status in ["in_progress", "completed", "requested", "cancelled"] {
        let res =
            move_referral(&app, &provider_org.staff, &id, json!({"status": status, "reason": "x"})).await;
        assert_problem(&res, 409, ":invalid_transition");
    }
    // A stale If-Match is 412.
    let stale = app
        .post_with_headers(
            &format!("/api/v1/referrals/{id}/status"),
            Some(&desk.operator),
            &json!({"status": "cancelled", "reason": "x"}),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_problem(&stale, 412, ":precondition_failed");

    // A rejection is an answer too.
    let id = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();
    move_referral(&app, &provider_org.staff, &id, json!({"status": "received"})).await.expect_status(200);
    let rejected = move_referral(
        &app,
        &provider_org.staff,
        &id,
        json!({"status": "rejected", "reason": "Outside our area"}),
    )
    .await;
    rejected.expect_status(200);
    assert_eq!(rejected.body["status_reason"], "Outside our area");
    assert!(rejected.body["answered_at"].is_string() && rejected.body["closed_at"].is_string());
}

#[actix_web::test]
async fn referrals_need_a_covering_consent_unless_a_coordinator_overrides() {
    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "ASST Crema").await;
    let other = crate::network::provider(&app, None, "Patronato INCA").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Li", "family_name": "Wei"})).await;
    let path = format!("/api/v1/cases/{case}/referrals");
    let body = |extra: serde_json::Value| {
        let mut b = json!({"provider_id": provider, "need": "health", "reason": "Needs a family doctor"});
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };

    let none = app.post(&path, Some(&desk.operator), &body(json!({}))).await;
    assert_invalid_field(&none, "consent_id");
    assert_eq!(none.body["errors"][0]["code"], "consent_required");
    // Processing alone does not cover sharing, nor does a consent for another provider.
    let processing = consent(&app, &desk.operator, &case, json!({"purpose": "data_processing"})).await;
    let res = app.post(&path, Some(&desk.operator), &body(json!({"consent_id": processing}))).await;
    assert_eq!(res.body["errors"][0]["code"], "consent_other_purpose", "{}", res.text);
    let elsewhere =
        consent(&app, &desk.operator, &case, json!({"purpose": "provider_sharing", "provider_id": other}))
            .await;
    let res = app.post(&path, Some(&desk.operator), &body(json!({"consent_id": elsewhere}))).await;
    assert_eq!(res.body["errors"][0]["code"], "consent_other_provider", "{}", res.text);
    assert_eq!(app.post(&path, Some(&desk.operator), &body(json!({}))).await.status, 422);
    // An expired consent and a withdrawn one cover nothing.
    let expired = consent(
        &app,
        &desk.operator,
        &case,
        json!({"purpose": "network_sharing", "given_at": "2025-01-10T09:00:00Z", "expires_on": "2025-12-31"}),
    )
    .await;
    let res = app.post(&path, Some(&desk.operator), &body(json!({"consent_id": expired}))).await;
    assert_eq!(res.body["errors"][0]["code"], "consent_expired", "{}", res.text);
    let withdrawn = consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    app.post(
        &format!("/api/v1/cases/{case}/consents/{withdrawn}/withdraw"),
        Some(&desk.operator),
        &json!({}),
    )
    .await
    .expect_status(200);
    let res = app.post(&path, Some(&desk.operator), &body(json!({"consent_id": withdrawn}))).await;
    assert_eq!(res.body["errors"][0]["code"], "consent_withdrawn", "{}", res.text);
    // Nothing was created by any of the refusals.
    let listed = app.get(&path, Some(&desk.operator)).await;
    assert_eq!(listed.body["items"], json!([]));

    // Operators may not override; coordinators may, and it is audited.
    let override_body = body(json!({"consent_override_reason": "Court order 123/2026 requires the report"}));
    assert_problem(&app.post(&path, Some(&desk.operator), &override_body).await, 403, ":forbidden");
    let res = app.post(&path, Some(&desk.coordinator), &override_body).await;
    res.expect_status(201);
    assert_eq!(res.body["consent_overridden"], true);
    assert_eq!(res.body["consent_id"], json!(null));
    assert_eq!(app.audit_count("referral.consent_override", Some(&case)), 1);

    // With a valid consent on file, it is found without naming it.
    let valid =
        consent(&app, &desk.operator, &case, json!({"purpose": "provider_sharing", "provider_id": provider}))
            .await;
    let res = app.post(&path, Some(&desk.operator), &body(json!({}))).await;
    res.expect_status(201);
    assert_eq!(res.body["consent_id"], valid.as_str());
    assert_eq!(res.body["consent_overridden"], false);
}

#[actix_web::test]
async fn withdrawing_the_consent_hides_the_person_from_the_provider() {
    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "Caritas").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Fatima", "family_name": "Zahra"})).await;
    let k = consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let id = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();
    let before = app.get(&format!("/api/v1/referrals/{id}"), Some(&provider_org.staff)).await;
    assert_eq!(before.body["person"]["family_name"], "Zahra");
    app.post(
        &format!("/api/v1/cases/{case}/consents/{k}/withdraw"),
        Some(&desk.operator),
        &json!({"note": "asked"}),
    )
    .await
    .expect_status(200);
    let after = app.get(&format!("/api/v1/referrals/{id}"), Some(&provider_org.staff)).await;
    after.expect_status(200);
    assert_eq!(after.body["person"], json!(null));
    assert!(!after.text.contains("Zahra"), "{}", after.text);
    // Withdrawing twice is a conflict.
    let again = app
        .post(&format!("/api/v1/cases/{case}/consents/{k}/withdraw"), Some(&desk.operator), &json!({}))
        .await;
    assert_problem(&again, 409, ":already_withdrawn");
}

#[actix_web::test]
async fn drafts_stay_with_the_sender_until_sent() {
    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "Prefettura").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Omar", "family_name": "Haddad"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let body = json!({"provider_id": provider, "need": "family_reunification", "reason": "Nulla osta", "draft": true});
    let res = app.post(&format!("/api/v1/cases/{case}/referrals"), Some(&desk.operator), &body).await;
    res.expect_status(201);
    let id = res.id();
    assert_eq!(res.body["status"], "draft");
    assert_eq!(res.body["requested_at"], json!(null));
    assert_problem(
        &app.get(&format!("/api/v1/referrals/{id}"), Some(&provider_org.staff)).await,
        404,
        ":not_found",
    );
    let inbox = app.get("/api/v1/referrals", Some(&provider_org.staff)).await;
    assert_eq!(inbox.body["items"], json!([]));
    move_referral(&app, &desk.operator, &id, json!({"status": "requested"})).await.expect_status(200);
    let seen = app.get(&format!("/api/v1/referrals/{id}"), Some(&provider_org.staff)).await;
    seen.expect_status(200);
    assert!(seen.body["requested_at"].is_string());
}

#[actix_web::test]
async fn the_sender_records_the_answers_of_an_external_provider() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let external = provider(&app, None, "Sindacato CGIL — ufficio stranieri").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Ana", "family_name": "Lopez"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let referral = refer(&app, &desk.operator, &case, &external).await;
    let id = referral["id"].as_str().unwrap();
    assert_eq!(referral["receiving_organization_id"], json!(null));
    assert_eq!(referral["allowed_transitions"], json!(["received", "cancelled"]));
    for status in ["received", "accepted", "in_progress", "completed"] {
        move_referral(&app, &desk.operator, id, json!({"status": status})).await.expect_status(200);
    }
}

#[actix_web::test]
async fn worklists_show_overdue_and_unanswered_referrals() {
    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "INPS").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Sara", "family_name": "Tesfaye"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let late = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();
    let waiting = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();
    let answered = refer(&app, &desk.operator, &case, &provider).await["id"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().date_naive();
    app.set_date(
        &format!("UPDATE referrals SET due_on = $1 WHERE id = '{late}'"),
        today - chrono::Duration::days(1),
    );
    let ten_days_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(10);
    for id in [&waiting, &answered] {
        app.set_time(&format!("UPDATE referrals SET requested_at = $1 WHERE id = '{id}'"), ten_days_ago);
    }
    move_referral(&app, &provider_org.staff, &answered, json!({"status": "received"}))
        .await
        .expect_status(200);
    move_referral(&app, &provider_org.staff, &answered, json!({"status": "accepted"}))
        .await
        .expect_status(200);

    let ids = |res: &crate::support::TestResponse| -> Vec<String> {
        res.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    let overdue = app.get("/api/v1/referrals?overdue=true", Some(&desk.operator)).await;
    overdue.expect_status(200);
    assert_eq!(ids(&overdue), std::slice::from_ref(&late));
    let unanswered = app.get("/api/v1/referrals?unanswered_days=7", Some(&desk.operator)).await;
    assert_eq!(ids(&unanswered), std::slice::from_ref(&waiting));
    // The provider sees the same worklist from its side.
    let inbox =
        app.get("/api/v1/referrals?direction=received&unanswered_days=7", Some(&provider_org.staff)).await;
    assert_eq!(ids(&inbox), [waiting]);
    // Once closed, an overdue referral leaves the list.
    move_referral(&app, &desk.operator, &late, json!({"status": "cancelled", "reason": "done elsewhere"}))
        .await
        .expect_status(200);
    let overdue = app.get("/api/v1/referrals?overdue=true", Some(&desk.operator)).await;
    assert_eq!(ids(&overdue), Vec::<String>::new());
}

#[actix_web::test]
async fn referral_input_is_checked() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let provider = provider(&app, Some(&desk.id), "Questura").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Ion", "family_name": "Rusu"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let path = format!("/api/v1/cases/{case}/referrals");
    let res = app
        .post(
            &path,
            Some(&desk.operator),
            &json!({"provider_id": uuid::Uuid::now_v7(), "need": "health", "reason": "x"}),
        )
        .await;
    assert_invalid_field(&res, "provider_id");
    let res = app.post(&path, Some(&desk.operator),
        &json!({"provider_id": provider, "service_id": uuid::Uuid::now_v7(), "need": "health", "reason": "x"})).await;
    assert_invalid_field(&res, "service_id");
    let res = app
        .post(
            &path,
            Some(&desk.operator),
            &json!({"provider_id": provider, "need": "health", "reason": "x", "due_on": "2020-01-01"}),
        )
        .await;
    assert_invalid_field(&res, "due_on");
    let res = app
        .post(
            &path,
            Some(&desk.operator),
            &json!({"provider_id": provider, "need": "nonsense", "reason": "x"}),
        )
        .await;
    assert_invalid_field(&res, "need");
    // A provider that stopped taking referrals.
    let admin = app.admin_token().await;
    let p = app.get(&format!("/api/v1/providers/{provider}"), Some(&admin)).await;
    let etag = p.header("etag").unwrap();
    app.patch(&format!("/api/v1/providers/{provider}"), Some(&admin), &json!({"active": false}), Some(&etag))
        .await
        .expect_status(200);
    let res = app
        .post(&path, Some(&desk.operator), &json!({"provider_id": provider, "need": "health", "reason": "x"}))
        .await;
    assert_invalid_field(&res, "provider_id");
    assert_eq!(res.body["errors"][0]["code"], "inactive");
}

/// Every (from, to) pair of the lifecycle, tried by both sides: 200 for the right side of a legal move, 403
/// for the wrong side, 409 for an illegal move (404 for the provider while it is a draft). The expected lifecycle is written out here, independently of
/// the code under test.
#[actix_web::test]
async fn every_transition_by_either_side_answers_as_the_lifecycle_says() {
    const STATUSES: [&str; 10] = [
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "in_progress",
        "on_hold",
        "completed",
        "failed",
        "cancelled",
    ];
    const OPEN: [&str; 6] = ["draft", "requested", "received", "accepted", "in_progress", "on_hold"];
    const RECEIVER_MOVES: [(&str, &str); 10] = [
        ("requested", "received"),
        ("received", "accepted"),
        ("received", "rejected"),
        ("accepted", "in_progress"),
        ("in_progress", "on_hold"),
        ("on_hold", "in_progress"),
        ("in_progress", "completed"),
        ("in_progress", "failed"),
        ("on_hold", "completed"),
        ("on_hold", "failed"),
    ];
    /// How to bring a new referral (created as draft or requested) to each status.
    fn path_to(status: &str) -> (bool, Vec<&'static str>) {
        match status {
            "draft" => (true, vec![]),
            "requested" => (false, vec![]),
            "received" => (false, vec!["received"]),
            "accepted" => (false, vec!["received", "accepted"]),
            "rejected" => (false, vec!["received", "rejected"]),
            "in_progress" => (false, vec!["received", "accepted", "in_progress"]),
            "on_hold" => (false, vec!["received", "accepted", "in_progress", "on_hold"]),
            "completed" => (false, vec!["received", "accepted", "in_progress", "completed"]),
            "failed" => (false, vec!["received", "accepted", "in_progress", "failed"]),
            "cancelled" => (false, vec!["cancelled"]),
            other => panic!("unknown status {other}"),
        }
    }

    let app = spawn_app().await;
    let (desk, provider_org) = (Agency::new(&app).await, Agency::new(&app).await);
    let provider = provider(&app, Some(&provider_org.id), "ASST Cremona").await;
    let case = open_case(&app, &desk.operator, json!({"given_name": "Ana", "family_name": "Pop"})).await;
    consent(&app, &desk.operator, &case, json!({"purpose": "network_sharing"})).await;
    let sender = desk.operator.as_str();
    let receiver = provider_org.staff.as_str();

    let fresh = |from: &'static str| {
        let (app, case, provider) = (&app, case.clone(), provider.clone());
        async move {
            let (draft, moves) = path_to(from);
            let body = json!({"provider_id": provider, "need": "health", "reason": "x", "draft": draft});
            let res = app.post(&format!("/api/v1/cases/{case}/referrals"), Some(sender), &body).await;
            res.expect_status(201);
            let id = res.id();
            for to in moves {
                let by = if to == "cancelled" { sender } else { receiver };
                move_referral(app, by, &id, json!({"status": to, "reason": "r"})).await.expect_status(200);
            }
            id
        }
    };

    let mut failures = Vec::new();
    let mut tried = 0;
    for from in STATUSES {
        let mut id = fresh(from).await;
        for to in STATUSES {
            for (side, token) in [("sender", sender), ("receiver", receiver)] {
                let sender_move =
                    (from == "draft" && to == "requested") || (OPEN.contains(&from) && to == "cancelled");
                let receiver_move = RECEIVER_MOVES.contains(&(from, to));
                let expected = match (sender_move, receiver_move, side) {
                    // A draft does not exist for the provider yet.
                    _ if from == "draft" && side == "receiver" => 404,
                    (true, _, "sender") | (_, true, "receiver") => 200,
                    (true, _, _) | (_, true, _) => 403,
                    _ => 409,
                };
                let res = move_referral(&app, token, &id, json!({"status": to, "reason": "r"})).await;
                tried += 1;
                if res.status != expected {
                    failures.push(format!(
                        "{from} → {to} by the {side}: expected {expected}, got {} {}",
                        res.status, res.text
                    ));
                }
                if res.status == 200 {
                    id = fresh(from).await;
                }
            }
        }
    }
    assert_eq!(tried, 200);
    assert!(failures.is_empty(), "{} moves disagree:\n{}", failures.len(), failures.join("\n"));
}
