//! Activations of registered professionals: the lifecycle by both sides, the 24/48-hour deadline on an
//! injected clock (across midnight and the DST changes of Europe/Rome), candidate ranking, the assigned
//! professional's limited view, the overdue worklist and the SLA figures.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

use crate::network::{Agency, open_case};
use crate::support::{
    TestApp, TestResponse, assert_invalid_field, assert_problem, spawn_app, unique_username,
};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

/// A registry entry of `agency`'s registry, made by its coordinator; with `login`, a `professional` user
/// account linked to it. Returns (entry id, the professional's token if any).
async fn register(app: &TestApp, agency: &Agency, body: Value, login: bool) -> (String, Option<String>) {
    let mut body = body;
    let mut token = None;
    if login {
        let admin = app.admin_token().await;
        let username = unique_username("professional");
        let (user, password) = app.create_user(&admin, Some(&agency.id), "professional", &username).await;
        body["user_id"] = json!(user);
        token = Some(app.token(&username, &password).await);
    }
    let res = app.post("/api/v1/professionals", Some(&agency.coordinator), &body).await;
    res.expect_status(201);
    (res.id(), token)
}

fn mediator(given: &str, family: &str, languages: Value, sectors: Value, municipalities: Value) -> Value {
    json!({"kind": "intercultural_mediator", "given_name": given, "family_name": family, "languages": languages,
        "sectors": sectors, "area": {"municipalities": municipalities}})
}

/// An activation request body for an interview without a case, scheduled three days after `now`.
fn interview(now: NaiveDateTime, urgency: &str) -> Value {
    json!({"person_name": "Moussa Traoré", "kind": "intercultural_mediator", "language": "bm", "sector": "family",
        "scheduled_at": format!("{}Z", (now + Duration::days(3)).format("%Y-%m-%dT%H:%M:%S")),
        "place": "Servizio sociale, Piazza Duomo 25", "municipality": "Crema", "duration_minutes": 90,
        "urgency": urgency})
}

async fn request(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post("/api/v1/activations", Some(token), body).await;
    res.expect_status(201);
    res.body.clone()
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/activations/{id}/status"), Some(token), &body).await
}

async fn answer(app: &TestApp, token: &str, id: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/assignments/{id}/status"), Some(token), &body).await
}

async fn assign(app: &TestApp, token: &str, id: &str, professional: &str) {
    act(app, token, id, json!({"status": "assigned", "professional_id": professional}))
        .await
        .expect_status(200);
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[actix_web::test]
async fn an_activation_goes_from_request_to_completion_with_each_side_making_its_own_moves() {
    let app = spawn_app().await;
    app.clock.set(at("2026-11-23T09:00:00"));
    let desk = Agency::new(&app).await;
    let languages = json!([{"code": "bm", "level": "native"}, {"code": "fr", "level": "fluent"}]);
    let (first, first_token) = register(
        &app,
        &desk,
        mediator("Awa", "Coulibaly", languages.clone(), json!(["family"]), json!([])),
        true,
    )
    .await;
    let (second, second_token) =
        register(&app, &desk, mediator("Seydou", "Keita", languages, json!(["family"]), json!([])), true)
            .await;
    let (first_token, second_token) = (first_token.unwrap(), second_token.unwrap());

    let created = request(&app, &desk.operator, &interview(app.clock.now(), "standard")).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "requested");
    assert_eq!(created["requested_at"], "2026-11-23T09:00:00Z");
    assert_eq!(created["deadline_at"], "2026-11-25T09:00:00Z");
    assert_eq!(created["allowed_transitions"], json!(["assigned", "cancelled"]));
    assert_eq!(app.get("/api/v1/assignments", Some(&first_token)).await.body["items"], json!([]));

    // Neither side may make the other's moves; the lifecycle forbids skipping a step.
    assert_problem(
        &act(&app, &desk.operator, &id, json!({"status": "confirmed"})).await,
        409,
        ":invalid_transition",
    );
    app.clock.advance(Duration::minutes(10));
    assign(&app, &desk.operator, &id, &first).await;
    assert_problem(&act(&app, &desk.operator, &id, json!({"status": "confirmed"})).await, 403, ":forbidden");
    assert_problem(
        &answer(&app, &first_token, &id, json!({"status": "cancelled", "reason": "x"})).await,
        403,
        ":forbidden",
    );
    assert_problem(
        &answer(&app, &second_token, &id, json!({"status": "confirmed"})).await,
        404,
        ":not_found",
    );

    // The first professional declines (with a reason), the desk assigns the second, who confirms.
    assert_invalid_field(&answer(&app, &first_token, &id, json!({"status": "declined"})).await, "reason");
    let declined = answer(&app, &first_token, &id, json!({"status": "declined", "reason": "On leave"})).await;
    declined.expect_status(200);
    assert_eq!(declined.body["allowed_transitions"], json!([]));
    assign(&app, &desk.operator, &id, &second).await;
    assert_problem(
        &app.get(&format!("/api/v1/assignments/{id}"), Some(&first_token)).await,
        404,
        ":not_found",
    );
    let assigned = app.get(&format!("/api/v1/assignments/{id}"), Some(&second_token)).await;
    assigned.expect_status(200);
    assert_eq!(assigned.body["allowed_transitions"], json!(["confirmed", "declined"]));

    app.clock.advance(Duration::hours(3));
    let confirmed = answer(&app, &second_token, &id, json!({"status": "confirmed"})).await;
    confirmed.expect_status(200);
    assert_eq!(confirmed.body["allowed_transitions"], json!(["completed"]));
    assert_problem(
        &answer(&app, &second_token, &id, json!({"status": "declined", "reason": "x"})).await,
        409,
        ":invalid_transition",
    );
    assert_problem(
        &act(&app, &desk.operator, &id, json!({"status": "assigned", "professional_id": first})).await,
        409,
        ":invalid_transition",
    );

    // Completion needs the minutes worked and the outcome.
    app.clock.advance(Duration::days(2));
    assert_invalid_field(
        &answer(&app, &second_token, &id, json!({"status": "completed", "outcome": "Interview held"})).await,
        "worked_minutes",
    );
    let done = answer(
        &app,
        &second_token,
        &id,
        json!({"status": "completed", "worked_minutes": 95, "outcome": "Interview held; family reunification explained"}),
    )
    .await;
    done.expect_status(200);
    let seen = app.get(&format!("/api/v1/activations/{id}"), Some(&desk.operator)).await;
    seen.expect_status(200);
    assert_eq!(seen.body["status"], "completed");
    assert_eq!(seen.body["professional_id"], second.as_str());
    assert_eq!(seen.body["confirmed_at"], "2026-11-23T12:10:00Z");
    assert_eq!(seen.body["worked_minutes"], 95);
    assert_eq!(seen.body["overdue"], false);
    assert_eq!(seen.body["allowed_transitions"], json!([]));
    assert_problem(
        &act(&app, &desk.operator, &id, json!({"status": "cancelled", "reason": "x"})).await,
        409,
        ":invalid_transition",
    );

    let events = app.get(&format!("/api/v1/activations/{id}/events"), Some(&desk.operator)).await;
    events.expect_status(200);
    let moves: Vec<(Value, Value, Value)> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["from_status"].clone(), e["to_status"].clone(), e["professional_id"].clone()))
        .collect();
    let (p1, p2) = (json!(first), json!(second));
    assert_eq!(
        moves,
        [
            (Value::Null, json!("requested"), Value::Null),
            (json!("requested"), json!("assigned"), p1.clone()),
            (json!("assigned"), json!("declined"), p1),
            (json!("declined"), json!("assigned"), p2.clone()),
            (json!("assigned"), json!("confirmed"), p2.clone()),
            (json!("confirmed"), json!("completed"), p2),
        ]
    );
    let items = events.body["items"].as_array().unwrap();
    assert_eq!(items[2]["reason"], "On leave");
    assert_eq!(items[5]["occurred_at"], "2026-11-25T12:10:00Z");
    let actors: Vec<&str> = items.iter().map(|e| e["actor_id"].as_str().unwrap()).collect();
    assert_eq!(actors[0], actors[1], "the desk requested and assigned");
    assert_ne!(actors[2], actors[4], "two professionals answered");
    assert_eq!(app.audit_count("activation.status", None), 5);
}

#[actix_web::test]
async fn the_requester_cancels_from_any_open_state_with_a_reason_and_assigns_only_eligible_professionals() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let bm = json!([{"code": "bm", "level": "native"}]);
    let (mediator_id, token) =
        register(&app, &desk, mediator("Awa", "Coulibaly", bm.clone(), json!([]), json!([])), true).await;
    let token = token.unwrap();
    let mut lawyer = mediator("Giulia", "Ferri", bm.clone(), json!(["legal"]), json!([]));
    lawyer["kind"] = json!("lawyer");
    let (lawyer, _) = register(&app, &desk, lawyer, false).await;
    let (retired, _) =
        register(&app, &desk, mediator("Ousmane", "Sy", bm, json!([]), json!([])), false).await;
    let etag = app.get(&format!("/api/v1/professionals/{retired}"), Some(&desk.coordinator)).await;
    let etag = etag.header("etag").unwrap();
    app.patch(
        &format!("/api/v1/professionals/{retired}"),
        Some(&desk.coordinator),
        &json!({"active": false}),
        Some(&etag),
    )
    .await
    .expect_status(200);

    let id = new_interview(&app, &desk, "urgent").await;
    for (who, code) in [(lawyer.as_str(), "not_eligible"), (retired.as_str(), "not_eligible")] {
        let res = act(&app, &desk.operator, &id, json!({"status": "assigned", "professional_id": who})).await;
        assert_invalid_field(&res, "professional_id");
        assert_eq!(res.body["errors"][0]["code"], code, "{}", res.text);
    }
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_invalid_field(
        &act(&app, &desk.operator, &id, json!({"status": "assigned", "professional_id": unknown})).await,
        "professional_id",
    );
    assert_invalid_field(
        &act(&app, &desk.operator, &id, json!({"status": "assigned"})).await,
        "professional_id",
    );
    let still = app.get(&format!("/api/v1/activations/{id}"), Some(&desk.operator)).await;
    assert_eq!((still.body["status"].clone(), still.body["version"].clone()), (json!("requested"), json!(1)));

    // Reach each open state on a fresh activation, then cancel it there.
    let paths: [&[&str]; 4] = [&[], &["assigned"], &["assigned", "declined"], &["assigned", "confirmed"]];
    for path in paths {
        let id = new_interview(&app, &desk, "urgent").await;
        for step in path {
            if *step == "assigned" {
                assign(&app, &desk.operator, &id, &mediator_id).await;
            } else {
                let reason = (*step == "declined").then_some("Ill");
                let body = json!({"status": step, "reason": reason});
                answer(&app, &token, &id, body).await.expect_status(200);
            }
        }
        assert_invalid_field(&act(&app, &desk.operator, &id, json!({"status": "cancelled"})).await, "reason");
        let cancelled =
            act(&app, &desk.operator, &id, json!({"status": "cancelled", "reason": "The person moved away"}))
                .await;
        cancelled.expect_status(200);
        assert_eq!(cancelled.body["status"], "cancelled", "after {path:?}");
        assert_eq!(cancelled.body["status_reason"], "The person moved away");
    }

    // The requester may also close a confirmed activation as completed; a stale If-Match is refused.
    let id = new_interview(&app, &desk, "standard").await;
    assign(&app, &desk.operator, &id, &mediator_id).await;
    answer(&app, &token, &id, json!({"status": "confirmed"})).await.expect_status(200);
    let body = json!({"status": "completed", "worked_minutes": 60, "outcome": "Done"});
    let stale = app
        .post_with_headers(
            &format!("/api/v1/activations/{id}/status"),
            Some(&desk.operator),
            &body,
            &[("If-Match", "\"2\"")],
        )
        .await;
    assert_problem(&stale, 412, ":precondition_failed");
    let done = app
        .post_with_headers(
            &format!("/api/v1/activations/{id}/status"),
            Some(&desk.operator),
            &body,
            &[("If-Match", "\"3\"")],
        )
        .await;
    done.expect_status(200);
    assert_eq!(done.body["status"], "completed");
}

#[actix_web::test]
async fn deadlines_are_24_or_48_real_hours_stored_in_utc_across_midnight_and_the_dst_changes() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    // (now in UTC, urgency, deadline in UTC, deadline on the Italian wall clock)
    let cases = [
        // Saturday 28 March 2026, 23:30 in Italy (CET); the clocks go forward at 02:00 on Sunday.
        ("2026-03-28T22:30:00", "urgent", "2026-03-29T22:30:00Z", "2026-03-30T00:30:00"),
        ("2026-03-28T22:30:00", "standard", "2026-03-30T22:30:00Z", "2026-03-31T00:30:00"),
        // Saturday 24 October 2026, 23:30 in Italy (CEST); the clocks go back at 03:00 on Sunday.
        ("2026-10-24T21:30:00", "urgent", "2026-10-25T21:30:00Z", "2026-10-25T22:30:00"),
        ("2026-10-24T21:30:00", "standard", "2026-10-26T21:30:00Z", "2026-10-26T22:30:00"),
        // An ordinary winter evening, across midnight.
        ("2026-11-23T22:45:00", "urgent", "2026-11-24T22:45:00Z", "2026-11-24T23:45:00"),
    ];
    for (now, urgency, deadline, local) in cases {
        app.clock.set(at(now));
        let created = request(&app, &desk.operator, &interview(at(now), urgency)).await;
        assert_eq!(created["requested_at"], format!("{now}Z"));
        assert_eq!(
            (created["deadline_at"].as_str(), created["deadline_local"].as_str()),
            (Some(deadline), Some(local))
        );
    }
    // Urgency defaults to standard; a scheduled time not after now is refused.
    app.clock.set(at("2026-11-23T10:00:00"));
    let mut body = interview(at("2026-11-23T10:00:00"), "standard");
    body.as_object_mut().unwrap().remove("urgency");
    assert_eq!(request(&app, &desk.operator, &body).await["deadline_at"], "2026-11-25T10:00:00Z");
    body["scheduled_at"] = json!("2026-11-23T10:00:00Z");
    assert_invalid_field(&app.post("/api/v1/activations", Some(&desk.operator), &body).await, "scheduled_at");

    // Stored as UTC: the deadline the database holds is the UTC instant, whatever the server's zone.
    use diesel::prelude::*;
    use sportello::db::schema::activations as a;
    let stored: Vec<NaiveDateTime> = match app.backend {
        crate::support::Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&app.database_url).unwrap();
            a::table.select(a::deadline_at).order(a::requested_at.asc()).load(&mut c).unwrap()
        }
        crate::support::Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&app.database_url).unwrap();
            a::table.select(a::deadline_at).order(a::requested_at.asc()).load(&mut c).unwrap()
        }
    };
    assert_eq!(stored[0], at("2026-03-29T22:30:00"));
    assert_eq!(stored[2], at("2026-10-25T21:30:00"));
}

#[actix_web::test]
async fn candidates_rank_by_language_then_sector_area_and_load_with_ties_in_name_order() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let native = json!([{"code": "bm", "level": "native"}]);
    let fam = json!(["family"]);
    let crema = json!(["Crema", "Pandino"]);
    let entries = [
        mediator("Aïssatou", "Sow", native.clone(), fam.clone(), crema.clone()),
        mediator("Mamadou", "Diop", native.clone(), fam.clone(), crema.clone()),
        mediator("Khady", "Ba", native.clone(), json!(["health"]), crema.clone()),
        mediator("Fatou", "Ndiaye", json!([{"code": "bm", "level": "fluent"}]), fam.clone(), crema.clone()),
        mediator("Binta", "Faye", json!([{"code": "bm", "level": "good"}]), fam.clone(), json!(["Cremona"])),
        mediator("Awa", "Fall", json!([{"code": "bm", "level": "good"}]), fam.clone(), json!(["Cremona"])),
        mediator("Claire", "Martin", json!([{"code": "fr", "level": "native"}]), fam.clone(), crema.clone()),
    ];
    let mut ids = std::collections::HashMap::new();
    for body in entries {
        let name = body["family_name"].as_str().unwrap().to_string();
        ids.insert(name, register(&app, &desk, body, false).await.0);
    }
    // Neither an inactive mediator nor an interpreter is a candidate for a mediator's activation.
    let (gueye, _) =
        register(&app, &desk, mediator("Modou", "Gueye", native.clone(), fam.clone(), crema.clone()), false)
            .await;
    let etag =
        app.get(&format!("/api/v1/professionals/{gueye}"), Some(&desk.coordinator)).await.header("etag");
    app.patch(
        &format!("/api/v1/professionals/{gueye}"),
        Some(&desk.coordinator),
        &json!({"active": false}),
        etag.as_deref(),
    )
    .await
    .expect_status(200);
    let mut interpreter = mediator("Ibrahima", "Sarr", native, fam, crema);
    interpreter["kind"] = json!("interpreter");
    register(&app, &desk, interpreter, false).await;
    // Diop carries one open activation.
    let busy = new_interview(&app, &desk, "standard").await;
    assign(&app, &desk.operator, &busy, &ids["Diop"]).await;

    let id = new_interview(&app, &desk, "standard").await;
    let res = app.get(&format!("/api/v1/activations/{id}/candidates"), Some(&desk.operator)).await;
    res.expect_status(200);
    let items = res.body["items"].as_array().unwrap();
    let order: Vec<&str> = items.iter().map(|c| c["professional"]["family_name"].as_str().unwrap()).collect();
    // Fall and Faye fit equally: the tie keeps name order.
    assert_eq!(order, ["Sow", "Diop", "Ba", "Ndiaye", "Fall", "Faye", "Martin"]);
    let ranks: Vec<i64> = items.iter().map(|c| c["rank"].as_i64().unwrap()).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        items[0]["reasons"],
        json!(["speaks bm (native)", "expert in family", "serves Crema", "no open activations"])
    );
    assert_eq!(items[1]["reasons"][3], "1 open activation");
    assert_eq!(items[1]["open_activations"], 1);
    assert_eq!(items[2]["reasons"][1], "not in the family sector");
    assert_eq!(items[3]["language_level"], "fluent");
    assert_eq!(
        (items[4]["area_match"].clone(), items[4]["reasons"][2].clone()),
        (json!(false), json!("does not serve Crema"))
    );
    assert_eq!(
        (items[6]["language_level"].clone(), items[6]["reasons"][0].clone()),
        (Value::Null, json!("does not speak bm"))
    );

    // Another organization cannot see the activation, hence its candidates.
    let other = Agency::new(&app).await;
    assert_problem(
        &app.get(&format!("/api/v1/activations/{id}/candidates"), Some(&other.operator)).await,
        404,
        ":not_found",
    );
}

#[actix_web::test]
async fn the_assigned_professional_sees_only_what_they_need_to_attend() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let case = open_case(
        &app,
        &desk.operator,
        json!({"given_name": "Fatou", "family_name": "Ndiaye", "birth_date": "1994-02-11", "citizenship": "SN",
            "phone": "+39 333 7654321", "tax_code": "NDYFTA94B51Z343J", "languages": ["wo", "fr"],
            "notes": "Pregnant, first visit", "restricted_notes": "Fled violence"}),
    )
    .await;
    let wo = json!([{"code": "wo", "level": "native"}]);
    let (professional, token) = register(
        &app,
        &desk,
        mediator("Aïssatou", "Sow", wo.clone(), json!(["health"]), json!(["Crema"])),
        true,
    )
    .await;
    let token = token.unwrap();
    let body = json!({"case_id": case, "kind": "intercultural_mediator", "language": "wo", "sector": "health",
        "scheduled_at": "2099-11-26T09:30:00Z", "place": "Consultorio familiare, Via Gramsci 13",
        "municipality": "Crema", "duration_minutes": 60, "notes": "Internal: ask about the husband's permit"});
    let id = request(&app, &desk.operator, &body).await["id"].as_str().unwrap().to_string();
    assign(&app, &desk.operator, &id, &professional).await;

    let res = app.get(&format!("/api/v1/assignments/{id}"), Some(&token)).await;
    res.expect_status(200);
    assert_eq!(
        keys(&res.body),
        [
            "allowed_transitions",
            "deadline_at",
            "duration_minutes",
            "id",
            "kind",
            "language",
            "municipality",
            "outcome",
            "person_name",
            "place",
            "requester",
            "scheduled_at",
            "sector",
            "status",
            "urgency",
            "version",
            "worked_minutes"
        ]
    );
    assert_eq!(res.body["person_name"], "Fatou Ndiaye");
    assert_eq!(res.body["place"], "Consultorio familiare, Via Gramsci 13");
    assert_eq!(res.body["scheduled_at"], "2099-11-26T09:30:00Z");
    assert_eq!(keys(&res.body["requester"]), ["email", "organization_name", "phone"]);
    for absent in [
        "case_id",
        "birth_date",
        "citizenship",
        "tax_code",
        "restricted_notes",
        "notes",
        "requested_by",
        "organization_id",
        "NDYFTA94B51Z343J",
        "Fled violence",
        "husband",
        "+39 333 7654321",
    ] {
        assert!(!res.text.contains(absent), "{absent} leaked into the professional's view: {}", res.text);
    }
    let list = app.get("/api/v1/assignments?status=assigned", Some(&token)).await;
    list.expect_status(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(keys(&list.body["items"][0]), keys(&res.body));
    assert_eq!(app.audit_count("assignment.read", Some(&case)), 1, "reading whom to meet is audited");

    // The rest stays closed: the activation as the desk sees it, the case, the registry's search.
    for path in
        [format!("/api/v1/activations/{id}"), format!("/api/v1/cases/{case}"), "/api/v1/professionals".into()]
    {
        assert_problem(&app.get(&path, Some(&token)).await, 403, ":forbidden");
    }
    // A professional account with no registry entry has no assignments, and a colleague sees none of these.
    let loose = app.user_token("professional", &desk.id).await;
    assert_problem(&app.get("/api/v1/assignments", Some(&loose)).await, 404, ":not_found");
    let (_, colleague) =
        register(&app, &desk, mediator("Mariama", "Diallo", wo, json!([]), json!([])), true).await;
    let colleague = colleague.unwrap();
    assert_eq!(app.get("/api/v1/assignments", Some(&colleague)).await.body["items"], json!([]));
    assert_problem(&app.get(&format!("/api/v1/assignments/{id}"), Some(&colleague)).await, 404, ":not_found");

    // Their own profile: they edit availability and contacts, nothing the registry decides.
    let me = app.get("/api/v1/me/professional", Some(&token)).await;
    me.expect_status(200);
    assert_eq!(me.body["id"], professional.as_str());
    let etag = me.header("etag").unwrap();
    let renamed =
        app.patch("/api/v1/me/professional", Some(&token), &json!({"family_name": "X"}), Some(&etag)).await;
    assert_invalid_field(&renamed, "family_name");
    let activated =
        app.patch("/api/v1/me/professional", Some(&token), &json!({"active": false}), Some(&etag)).await;
    assert_invalid_field(&activated, "active");
    let edited = app
        .patch(
            "/api/v1/me/professional",
            Some(&token),
            &json!({"availability": "Mornings, Mon-Fri", "phone": "+39 333 1112223"}),
            Some(&etag),
        )
        .await;
    edited.expect_status(200);
    assert_eq!(
        (edited.body["availability"].as_str(), edited.body["family_name"].as_str()),
        (Some("Mornings, Mon-Fri"), Some("Sow"))
    );
    assert_eq!(edited.body["active"], true);
    assert_problem(
        &app.patch(
            &format!("/api/v1/professionals/{professional}"),
            Some(&token),
            &json!({"availability": "x"}),
            Some("\"2\""),
        )
        .await,
        403,
        ":forbidden",
    );
}

#[actix_web::test]
async fn overdue_activations_are_listed_from_the_clock_and_counted_in_the_sla() {
    let app = spawn_app().await;
    let t0 = at("2026-11-02T08:00:00");
    app.clock.set(t0);
    let desk = Agency::new(&app).await;
    let bm = json!([{"code": "bm", "level": "native"}]);
    let (professional, token) =
        register(&app, &desk, mediator("Awa", "Coulibaly", bm, json!([]), json!([])), true).await;
    let token = token.unwrap();
    // in_time: urgent, confirmed after 2 h; late: standard, confirmed after 50 h; never: urgent, not
    // assigned; dropped: cancelled within an hour; fresh: requested on day 3, within its deadline.
    let in_time = new_interview(&app, &desk, "urgent").await;
    let late = new_interview(&app, &desk, "standard").await;
    let never = new_interview(&app, &desk, "urgent").await;
    let dropped = new_interview(&app, &desk, "standard").await;
    assign(&app, &desk.operator, &in_time, &professional).await;
    assign(&app, &desk.operator, &late, &professional).await;
    app.clock.set(t0 + Duration::hours(1));
    act(&app, &desk.operator, &dropped, json!({"status": "cancelled", "reason": "Solved by phone"}))
        .await
        .expect_status(200);
    app.clock.set(t0 + Duration::hours(2));
    answer(&app, &token, &in_time, json!({"status": "confirmed"})).await.expect_status(200);

    // Exactly at the urgent deadline nothing is overdue yet; a second later `never` is.
    app.clock.set(t0 + Duration::hours(24));
    assert_eq!(overdue_worklist(&app, &desk).await, Vec::<String>::new());
    app.clock.set(t0 + Duration::hours(24) + Duration::seconds(1));
    assert_eq!(overdue_worklist(&app, &desk).await, std::slice::from_ref(&never));
    let flags = [
        overdue_flag(&app, &desk, &never).await,
        overdue_flag(&app, &desk, &in_time).await,
        overdue_flag(&app, &desk, &late).await,
    ];
    assert_eq!(flags, [json!(true), json!(false), json!(false)]);

    app.clock.set(t0 + Duration::hours(49));
    let fresh = new_interview(&app, &desk, "standard").await;
    assert_eq!(overdue_worklist(&app, &desk).await, [never.clone(), late.clone()], "newest first");
    app.clock.set(t0 + Duration::hours(50));
    answer(&app, &token, &late, json!({"status": "confirmed"})).await.expect_status(200);
    assert_eq!(overdue_worklist(&app, &desk).await, std::slice::from_ref(&never));
    assert_eq!(overdue_flag(&app, &desk, &fresh).await, json!(false));

    // 5 requests; 1 confirmed in time; 2 overdue (late, never); median of 120 and 3000 minutes.
    let sla = app.get("/api/v1/activations/sla?from=2026-11-01&to=2026-11-30", Some(&desk.coordinator)).await;
    sla.expect_status(200);
    assert_eq!(
        sla.body,
        json!({"from": "2026-11-01", "to": "2026-11-30", "organization_id": desk.id, "requests": 5,
            "confirmed_within_deadline": 1, "overdue": 2, "median_minutes_to_confirmation": 1560})
    );
    // Only the request of 4 November is in a period starting on the 3rd; nothing of it is confirmed.
    let later =
        app.get("/api/v1/activations/sla?from=2026-11-03&to=2026-11-30", Some(&desk.coordinator)).await;
    assert_eq!(
        (later.body["requests"].clone(), later.body["median_minutes_to_confirmation"].clone()),
        (json!(1), Value::Null)
    );
    // Cancelling `never` now, after its deadline, leaves it overdue in the figures and off the worklist.
    act(&app, &desk.operator, &never, json!({"status": "cancelled", "reason": "Too late"}))
        .await
        .expect_status(200);
    assert_eq!(overdue_worklist(&app, &desk).await, Vec::<String>::new());
    let after =
        app.get("/api/v1/activations/sla?from=2026-11-01&to=2026-11-30", Some(&desk.coordinator)).await;
    assert_eq!(after.body["overdue"], 2);

    // Periods are Italian calendar days: 23:30 UTC on 31 October is 1 November in Italy.
    let other = Agency::new(&app).await;
    app.clock.set(at("2026-10-31T23:30:00"));
    new_interview(&app, &other, "urgent").await;
    let admin = app.admin_token().await;
    let on = |day: &str| format!("/api/v1/activations/sla?from={day}&to={day}&organization_id={}", other.id);
    assert_eq!(app.get(&on("2026-11-01"), Some(&admin)).await.body["requests"], 1);
    assert_eq!(app.get(&on("2026-10-31"), Some(&admin)).await.body["requests"], 0);
    // The whole network for admins and analysts; a coordinator only their own; a reversed period is 400.
    let analyst = app.user_token("analyst", &desk.id).await;
    let network = app.get("/api/v1/activations/sla?from=2026-10-01&to=2026-11-30", Some(&analyst)).await;
    assert_eq!(
        (network.body["requests"].clone(), network.body["organization_id"].clone()),
        (json!(6), Value::Null)
    );
    assert_problem(&app.get(&on("2026-11-01"), Some(&desk.coordinator)).await, 403, ":forbidden");
    let reversed =
        app.get("/api/v1/activations/sla?from=2026-11-30&to=2026-11-01", Some(&desk.coordinator)).await;
    assert_problem(&reversed, 400, ":invalid_query");
    assert_eq!(reversed.body["errors"][0]["field"], "to");
}

/// An interview requested by `agency` now, three days ahead; its id.
async fn new_interview(app: &TestApp, agency: &Agency, urgency: &str) -> String {
    let created = request(app, &agency.operator, &interview(app.clock.now(), urgency)).await;
    created["id"].as_str().unwrap().to_string()
}

/// The ids on `agency`'s overdue worklist, as the clock stands.
async fn overdue_worklist(app: &TestApp, agency: &Agency) -> Vec<String> {
    let res = app.get("/api/v1/activations?overdue=true", Some(&agency.operator)).await;
    res.expect_status(200);
    res.body["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect()
}

async fn overdue_flag(app: &TestApp, agency: &Agency, id: &str) -> Value {
    app.get(&format!("/api/v1/activations/{id}"), Some(&agency.operator)).await.body["overdue"].clone()
}

#[test]
fn the_fixture_dates_are_what_the_comments_say() {
    // 2026-03-29 and 2026-10-25 are the Sundays of the DST changes in the EU.
    assert_eq!(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().format("%A").to_string(), "Sunday");
    assert_eq!(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().format("%A").to_string(), "Sunday");
}
