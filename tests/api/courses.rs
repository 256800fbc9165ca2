//! Language and literacy courses: the catalogue, capacity and the waiting list (first come first served,
//! promotion on withdrawal and on a raised capacity, the last place under concurrent requests), sessions
//! and attendance, completion, the counts, /stats/courses, export and erasure, and who sees what.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::cases::amina;
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app, unique_code};

struct Organizer {
    org: String,
    coordinator: String,
    operator: String,
}

async fn organizer(app: &TestApp, admin: &str) -> Organizer {
    let org = app.create_organization(admin, &unique_code()).await;
    Organizer {
        coordinator: app.user_token("coordinator", &org).await,
        operator: app.user_token("operator", &org).await,
        org,
    }
}

fn course_body(capacity: i64) -> Value {
    json!({"title": "Italiano per la vita quotidiana", "language": "it", "level": "a1", "audience": "adults",
        "place": "Sala civica, Via Roma 1", "municipality": "Crema", "starts_on": "2026-01-12",
        "ends_on": "2027-06-30", "capacity": capacity})
}

async fn course(app: &TestApp, o: &Organizer, capacity: i64) -> String {
    let res = app.post("/api/v1/courses", Some(&o.coordinator), &course_body(capacity)).await;
    res.expect_status(201);
    assert_eq!(res.body["status"], "planned");
    assert_eq!(res.body["organization_id"], json!(o.org));
    res.id()
}

async fn case(app: &TestApp, token: &str, given: &str) -> String {
    let body = json!({"given_name": given, "family_name": "Test"});
    let res = app.post("/api/v1/cases", Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

async fn enrol(app: &TestApp, token: &str, course: &str, body: Value) -> Value {
    let res = app.post(&format!("/api/v1/courses/{course}/enrolments"), Some(token), &body).await;
    res.expect_status(201);
    res.body.clone()
}

async fn status(app: &TestApp, token: &str, url: &str, to: &str) -> Value {
    let res = app.post(&format!("{url}/status"), Some(token), &json!({"status": to})).await;
    res.expect_status(200);
    res.body.clone()
}

fn enrolment_url(course: &str, e: &Value) -> String {
    format!("/api/v1/courses/{course}/enrolments/{}", e["id"].as_str().unwrap())
}

async fn get(app: &TestApp, token: &str, url: &str) -> Value {
    let res = app.get(url, Some(token)).await;
    res.expect_status(200);
    res.body.clone()
}

#[actix_web::test]
async fn past_capacity_people_wait_and_move_up_first_come_first_served() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let o = organizer(&app, &admin).await;
    let course = course(&app, &o, 2).await;
    let url = format!("/api/v1/courses/{course}");
    let mut cases = Vec::new();
    for name in ["Ana", "Bilal", "Chen", "Dina"] {
        cases.push(case(&app, &o.operator, name).await);
    }
    let mut e = Vec::new();
    for c in &cases {
        e.push(enrol(&app, &o.operator, &course, json!({"case_id": c})).await);
    }
    assert_eq!(e[0]["status"], "enrolled");
    assert_eq!(e[1]["status"], "enrolled");
    assert_eq!(e[0]["waiting_position"], Value::Null);
    assert!(e[0]["enrolled_at"].is_string());
    assert_eq!((e[2]["status"].as_str(), e[2]["waiting_position"].as_i64()), (Some("waiting"), Some(1)));
    assert_eq!((e[3]["status"].as_str(), e[3]["waiting_position"].as_i64()), (Some("waiting"), Some(2)));
    assert_eq!(e[2]["person_name"], "Chen Test");

    // A family member is another person; the same person twice is refused.
    let with_family = app.post("/api/v1/cases", Some(&o.operator), &amina()).await.id();
    let family = get(&app, &o.operator, &format!("/api/v1/cases/{with_family}/family-members")).await;
    let moussa = family["items"][0]["id"].as_str().unwrap().to_string();
    let child = json!({"case_id": with_family, "family_member_id": moussa, "notes": "After school"});
    let son = enrol(&app, &o.operator, &course, child.clone()).await;
    assert_eq!(
        (son["person_name"].as_str(), son["waiting_position"].as_i64()),
        (Some("Moussa Diallo"), Some(3))
    );
    let again = app.post(&format!("{url}/enrolments"), Some(&o.operator), &child).await;
    assert_problem(&again, 409, ":already_enrolled");
    let again =
        app.post(&format!("{url}/enrolments"), Some(&o.operator), &json!({"case_id": cases[0]})).await;
    assert_problem(&again, 409, ":already_enrolled");
    let other_case = case(&app, &o.operator, "Other").await;
    let wrong = json!({"case_id": other_case, "family_member_id": moussa});
    assert_invalid_field(
        &app.post(&format!("{url}/enrolments"), Some(&o.operator), &wrong).await,
        "family_member_id",
    );

    let counts = &get(&app, &o.operator, &url).await["counts"];
    assert_eq!((counts["enrolled"].as_i64(), counts["waiting"].as_i64()), (Some(2), Some(3)));
    assert_eq!(counts["places_left"], 0);
    let waiting = get(&app, &o.operator, &format!("{url}/enrolments?status=waiting")).await;
    let positions: Vec<i64> = waiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["waiting_position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3]);

    // Withdrawing frees the place for the head of the waiting list.
    let out = app
        .post(
            &format!("{}/status", enrolment_url(&course, &e[0])),
            Some(&o.operator),
            &json!({"status": "withdrawn", "reason": "Found work in Milan"}),
        )
        .await;
    out.expect_status(200);
    assert_eq!(out.body["status"], "withdrawn");
    assert_eq!(out.body["status_reason"], "Found work in Milan");
    let chen = get(&app, &o.operator, &enrolment_url(&course, &e[2])).await;
    assert_eq!((chen["status"].as_str(), chen["waiting_position"].as_i64()), (Some("enrolled"), None));
    let dina = get(&app, &o.operator, &enrolment_url(&course, &e[3])).await;
    assert_eq!(dina["waiting_position"], 1);
    assert_eq!(app.audit_count("enrolment.promote", Some(&cases[2])), 1);
    assert_eq!(app.audit_count("enrolment.read", Some(&cases[3])), 1);
    let twice = app
        .post(
            &format!("{}/status", enrolment_url(&course, &e[0])),
            Some(&o.operator),
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_problem(&twice, 409, ":illegal_transition");
    let early = app
        .post(
            &format!("{}/status", enrolment_url(&course, &e[1])),
            Some(&o.operator),
            &json!({"status": "completed"}),
        )
        .await;
    assert_problem(&early, 409, ":course_not_started");

    // Raising the capacity promotes as many as fit; it cannot go below the places held.
    let etag = app.get(&url, Some(&o.coordinator)).await.header("etag").unwrap();
    let raised = app.patch(&url, Some(&o.coordinator), &json!({"capacity": 4}), Some(&etag)).await;
    raised.expect_status(200);
    assert_eq!(raised.body["capacity"], 4);
    assert_eq!(
        (raised.body["counts"]["enrolled"].as_i64(), raised.body["counts"]["waiting"].as_i64()),
        (Some(4), Some(0))
    );
    assert_eq!(get(&app, &o.operator, &enrolment_url(&course, &son)).await["status"], "enrolled");
    let etag = raised.header("etag").unwrap();
    let lower = app.patch(&url, Some(&o.coordinator), &json!({"capacity": 3}), Some(&etag)).await;
    assert_problem(&lower, 409, ":capacity_below_enrolled");
    let by_operator = app.patch(&url, Some(&o.operator), &json!({"capacity": 9}), Some(&etag)).await;
    assert_problem(&by_operator, 403, ":forbidden");

    // The catalogue tells full courses from those with places; a withdrawn person may enrol again.
    let full =
        get(&app, &o.operator, &format!("/api/v1/courses?organization_id={}&has_places=false", o.org)).await;
    assert_eq!(full["items"][0]["id"], json!(course));
    let free =
        get(&app, &o.operator, &format!("/api/v1/courses?organization_id={}&has_places=true", o.org)).await;
    assert_eq!(free["items"], json!([]));
    let back = enrol(&app, &o.operator, &course, json!({"case_id": cases[0]})).await;
    assert_eq!((back["status"].as_str(), back["waiting_position"].as_i64()), (Some("waiting"), Some(1)));
    assert_eq!(app.audit_count("enrolment.create", Some(&cases[0])), 2);

    // Cancelling the course withdraws everyone still in it or waiting.
    let cancelled = app
        .post(
            &format!("{url}/status"),
            Some(&o.coordinator),
            &json!({"status": "cancelled", "reason": "No teacher"}),
        )
        .await;
    cancelled.expect_status(200);
    assert_eq!(
        (cancelled.body["counts"]["enrolled"].as_i64(), cancelled.body["counts"]["withdrawn"].as_i64()),
        (Some(0), Some(6))
    );
    assert_eq!(get(&app, &o.operator, &enrolment_url(&course, &back)).await["status_reason"], "No teacher");
    let late =
        app.post(&format!("{url}/enrolments"), Some(&o.operator), &json!({"case_id": other_case})).await;
    assert_problem(&late, 409, ":course_closed");
    assert_problem(
        &app.post(&format!("{url}/status"), Some(&o.coordinator), &json!({"status": "running"})).await,
        409,
        ":illegal_transition",
    );
}

#[actix_web::test]
async fn concurrent_requests_for_the_last_place_give_it_to_exactly_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let o = organizer(&app, &admin).await;
    let course = course(&app, &o, 1).await;
    let mut cases = Vec::new();
    for i in 0..12 {
        cases.push(case(&app, &o.operator, &format!("Person{i}")).await);
    }
    let url = format!("/api/v1/courses/{course}/enrolments");
    let attempts = cases.iter().map(|c| {
        let (app, url, token, body) = (&app, url.clone(), o.operator.clone(), json!({"case_id": c}));
        async move { app.post(&url, Some(&token), &body).await }
    });
    let responses = join_all(attempts).await;
    assert!(
        responses.iter().all(|r| r.status == 201),
        "{:?}",
        responses.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let enrolled = responses.iter().filter(|r| r.body["status"] == "enrolled").count();
    assert_eq!(enrolled, 1);
    // The same person from two desks at once: one enrolment.
    let same = (0..4).map(|_| {
        let (app, url, token, body) = (&app, url.clone(), o.operator.clone(), json!({"case_id": cases[0]}));
        async move { app.post(&url, Some(&token), &body).await }
    });
    assert!(join_all(same).await.iter().all(|r| r.status == 409));
    let waiting = get(&app, &o.operator, &format!("{url}?status=waiting")).await;
    let mut positions: Vec<i64> = waiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["waiting_position"].as_i64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=11).collect::<Vec<_>>());
    let counts = &get(&app, &o.operator, &format!("/api/v1/courses/{course}")).await["counts"];
    assert_eq!((counts["enrolled"].as_i64(), counts["waiting"].as_i64()), (Some(1), Some(11)));
}

#[actix_web::test]
async fn sessions_attendance_completion_counts_and_statistics() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let o = organizer(&app, &admin).await;
    let course = course(&app, &o, 3).await;
    let url = format!("/api/v1/courses/{course}");
    let sessions = format!("{url}/sessions");
    let one =
        json!({"starts_at": "2026-02-02T16:00:00Z", "ends_at": "2026-02-02T18:00:00Z", "topic": "Greetings"});
    let first = app.post(&sessions, Some(&o.coordinator), &one).await;
    first.expect_status(201);
    let first_url = first.header("location").unwrap();
    let two = json!({"starts_at": "2026-02-04T16:00:00Z", "ends_at": "2026-02-04T18:00:00Z"});
    let second_url = app.post(&sessions, Some(&o.coordinator), &two).await.header("location").unwrap();
    let future = json!({"starts_at": "2027-06-01T16:00:00Z", "ends_at": "2027-06-01T18:00:00Z"});
    let future_url = app.post(&sessions, Some(&o.coordinator), &future).await.header("location").unwrap();
    let outside = json!({"starts_at": "2025-12-01T16:00:00Z", "ends_at": "2025-12-01T15:00:00Z"});
    let res = app.post(&sessions, Some(&o.coordinator), &outside).await;
    assert_invalid_field(&res, "starts_at");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 2, "{}", res.text);
    assert_problem(&app.post(&sessions, Some(&o.operator), &one).await, 403, ":forbidden");
    let listed = get(&app, &o.operator, &sessions).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    assert_eq!(listed["items"][0]["topic"], "Greetings");

    let mut e = Vec::new();
    let mut cases = Vec::new();
    for name in ["Ana", "Bilal", "Chen", "Dina"] {
        let c = case(&app, &o.operator, name).await;
        e.push(enrol(&app, &o.operator, &course, json!({"case_id": c})).await);
        cases.push(c);
    }
    let id = |i: usize| e[i]["id"].as_str().unwrap().to_string();
    let marks = json!({"marks": [{"enrolment_id": id(0), "status": "present"}]});
    let register = format!("{first_url}/attendance");
    assert_problem(&app.put(&register, Some(&o.operator), &marks).await, 409, ":course_not_started");
    status(&app, &o.coordinator, &url, "running").await;
    assert_problem(
        &app.put(&format!("{future_url}/attendance"), Some(&o.operator), &marks).await,
        409,
        ":too_early",
    );

    let waiting_mark = json!({"marks": [{"enrolment_id": id(3), "status": "present"},
        {"enrolment_id": id(0), "status": "present"}, {"enrolment_id": id(0), "status": "absent"},
        {"enrolment_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f99", "status": "present"}]});
    let res = app.put(&register, Some(&o.operator), &waiting_mark).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let codes: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["not_enrolled", "repeated", "not_found"]);
    let day_one = json!({"marks": [{"enrolment_id": id(0), "status": "present"},
        {"enrolment_id": id(1), "status": "absent"}, {"enrolment_id": id(2), "status": "excused", "note": "Ill"}]});
    let res = app.put(&register, Some(&o.operator), &day_one).await;
    res.expect_status(200);
    assert_eq!(res.body["lines"].as_array().unwrap().len(), 3);
    assert_eq!(res.body["lines"][2]["status"], "excused");
    let day_two = json!({"marks": [{"enrolment_id": id(0), "status": "present"}, {"enrolment_id": id(1), "status": "present"}]});
    app.put(&format!("{second_url}/attendance"), Some(&o.operator), &day_two).await.expect_status(200);
    // A correction replaces the mark.
    let fix = json!({"marks": [{"enrolment_id": id(1), "status": "present"}]});
    let res = app.put(&register, Some(&o.operator), &fix).await;
    assert_eq!(res.body["lines"][1]["status"], "present");
    assert_eq!(get(&app, &o.operator, &register).await["lines"][0]["status"], "present");
    assert_eq!(app.audit_count("attendance.record", Some(&cases[1])), 3);
    assert_eq!(app.audit_count("attendance.read", None), 1);
    assert_problem(&app.delete(&first_url, Some(&o.coordinator)).await, 409, ":attendance_recorded");
    app.delete(&future_url, Some(&o.coordinator)).await.expect_status(204);

    let ana = get(&app, &o.operator, &enrolment_url(&course, &e[0])).await;
    assert_eq!(ana["attendance"], json!({"recorded": 2, "present": 2, "rate": 100.0}));
    let done = status(&app, &o.operator, &enrolment_url(&course, &e[0]), "completed").await;
    assert!(done["ended_at"].is_string());
    // Dropping out frees the place for the waiting list; completing does not.
    status(&app, &o.operator, &enrolment_url(&course, &e[2]), "dropped_out").await;
    assert_eq!(get(&app, &o.operator, &enrolment_url(&course, &e[3])).await["status"], "enrolled");
    let counts = &status(&app, &o.coordinator, &url, "completed").await["counts"];
    assert_eq!(
        *counts,
        json!({"enrolled": 2, "waiting": 0, "completed": 1, "dropped_out": 1, "withdrawn": 0, "places_left": 0,
            "sessions": 2, "attendance_rate": 80.0})
    );
    assert_problem(
        &app.post(&format!("{url}/enrolments"), Some(&o.operator), &json!({"case_id": cases[0]})).await,
        409,
        ":course_closed",
    );

    // The statistics: five marks, four present; a coordinator sees the small figures, an analyst does not.
    let stats =
        get(&app, &o.coordinator, "/api/v1/stats/courses?from=2026-01-01&to=2026-12-31&group_by=level,year")
            .await;
    assert_eq!(
        stats["measures"],
        json!(["people", "courses", "enrolments", "completions", "attendance_percent"])
    );
    assert_eq!(stats["rows"][0]["dimensions"], json!({"level": "a1", "year": "2026"}));
    assert_eq!(
        stats["total"]["values"],
        json!({"people": 4, "courses": 1, "enrolments": 4, "completions": 1, "attendance_percent": 80.0})
    );
    let analyst = app.user_token("analyst", &o.org).await;
    let url_stats = format!("/api/v1/stats/courses?from=2026-01-01&to=2026-12-31&organization_id={}", o.org);
    let hidden = get(&app, &analyst, &url_stats).await;
    assert_eq!(hidden["total"]["values"]["people"], Value::Null);
    assert_problem(
        &app.get("/api/v1/stats/courses?group_by=topic", Some(&analyst)).await,
        400,
        ":invalid_query",
    );

    // The person's export holds the enrolment and its marks; erasure removes the free text.
    let export = get(&app, &o.coordinator, &format!("/api/v1/cases/{}/export", cases[2])).await;
    let exported = &export["course_enrolments"][0];
    assert_eq!(exported["course_title"], "Italiano per la vita quotidiana");
    assert_eq!(exported["enrolment"]["status"], "dropped_out");
    assert_eq!(exported["attendance"][0]["note"], "Ill");
    let erase = json!({"reason": "Asked by the person"});
    app.post(&format!("/api/v1/cases/{}/erasure", cases[2]), Some(&o.coordinator), &erase)
        .await
        .expect_status(204);
    let after = get(&app, &o.operator, &register).await;
    assert_eq!(
        after["lines"].as_array().unwrap().iter().find(|l| l["enrolment_id"] == json!(id(2))).unwrap()["note"],
        Value::Null
    );
}

#[actix_web::test]
async fn the_catalogue_is_the_networks_and_the_enrolments_the_organizers() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let o = organizer(&app, &admin).await;
    let other = organizer(&app, &admin).await;
    let course = course(&app, &o, 5).await;
    let url = format!("/api/v1/courses/{course}");
    let mine = case(&app, &o.operator, "Mine").await;
    let enrolment = enrol(&app, &o.operator, &course, json!({"case_id": mine})).await;

    // Anyone who reads desks reads the catalogue; another organization never sees who is enrolled.
    let analyst = app.user_token("analyst", &other.org).await;
    for token in [&other.operator, &analyst] {
        let listed = get(
            &app,
            token,
            &format!("/api/v1/courses?language=it&level=a1&status=planned&organization_id={}", o.org),
        )
        .await;
        assert_eq!(listed["items"][0]["counts"]["enrolled"], 1);
        get(&app, token, &format!("{url}/sessions")).await;
    }
    assert_problem(&app.get(&format!("{url}/enrolments"), Some(&other.operator)).await, 404, ":not_found");
    assert_problem(
        &app.get(&enrolment_url(&course, &enrolment), Some(&other.coordinator)).await,
        404,
        ":not_found",
    );
    assert_problem(&app.get(&format!("{url}/enrolments"), Some(&analyst)).await, 403, ":forbidden");
    let theirs = case(&app, &other.operator, "Theirs").await;
    let res =
        app.post(&format!("{url}/enrolments"), Some(&other.operator), &json!({"case_id": theirs})).await;
    assert_problem(&res, 404, ":not_found");
    // A case the organizer may not work on is a field error, not a 404.
    let res = app.post(&format!("{url}/enrolments"), Some(&o.operator), &json!({"case_id": theirs})).await;
    assert_invalid_field(&res, "case_id");
    let etag = app.get(&url, Some(&other.coordinator)).await.header("etag").unwrap();
    let res = app.patch(&url, Some(&other.coordinator), &json!({"capacity": 9}), Some(&etag)).await;
    assert_problem(&res, 403, ":forbidden");
    let res = app.post("/api/v1/courses", Some(&o.operator), &course_body(5)).await;
    assert_problem(&res, 403, ":forbidden");
    app.get(&url, Some(&admin)).await.expect_status(200);
    app.get(&format!("{url}/enrolments"), Some(&admin)).await.expect_status(200);

    // Validation: the body's fields are 422, the query's 400.
    let mut bad = course_body(0);
    bad["language"] = json!("xx");
    let res = app.post("/api/v1/courses", Some(&o.coordinator), &bad).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let mut backwards = course_body(5);
    backwards["ends_on"] = json!("2025-01-01");
    assert_invalid_field(&app.post("/api/v1/courses", Some(&o.coordinator), &backwards).await, "ends_on");
    let mut nowhere = course_body(5);
    nowhere.as_object_mut().unwrap().remove("place");
    assert_invalid_field(&app.post("/api/v1/courses", Some(&o.coordinator), &nowhere).await, "place");
    let mut foreign_desk = course_body(5);
    let desk = app.post("/api/v1/desks", Some(&other.coordinator), &json!({"name": "Their desk"})).await.id();
    foreign_desk["desk_id"] = json!(desk);
    assert_invalid_field(&app.post("/api/v1/courses", Some(&o.coordinator), &foreign_desk).await, "desk_id");
    let mut elsewhere = course_body(5);
    elsewhere["organization_id"] = json!(other.org);
    assert_problem(&app.post("/api/v1/courses", Some(&o.coordinator), &elsewhere).await, 403, ":forbidden");
    for query in ["from=2026-05-01&to=2026-01-01", "level=z9", "has_places=maybe"] {
        let res = app.get(&format!("/api/v1/courses?{query}"), Some(&o.operator)).await;
        assert_problem(&res, 400, ":invalid_query");
    }
    let res = app.post(&format!("{url}/status"), Some(&o.coordinator), &json!({"status": "completed"})).await;
    assert_problem(&res, 409, ":illegal_transition");
    let res = app
        .post(
            &format!("{}/status", enrolment_url(&course, &enrolment)),
            Some(&o.operator),
            &json!({"status": "enrolled"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
}
