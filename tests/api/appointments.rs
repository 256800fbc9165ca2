//! Desk appointments: slots inside the opening hours (seasonal, with closures), the day's agenda, free slots,
//! cancellation and no-show, and the database refusing a double booking under concurrent requests.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use futures_util::future::join_all;
use serde_json::{Value, json};
use sportello::domain::local_time::{italian, italian_to_utc};

use crate::cases::amina;
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app, unique_code};

struct Desk {
    org: String,
    id: String,
    coordinator: String,
    operator: String,
}

/// A desk open every day 09:00–11:00 in winter and 09:00–10:00 in July and August, with 30-minute slots.
async fn desk(app: &TestApp, admin: &str) -> Desk {
    let org = app.create_organization(admin, &unique_code()).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let mut hours = Vec::new();
    for weekday in 1..=7 {
        hours.push(
            json!({"weekday": weekday, "opens": "09:00", "closes": "11:00", "valid_from": "2026-09-01"}),
        );
        hours.push(json!({"weekday": weekday, "opens": "09:00", "closes": "10:00",
            "valid_from": "2026-07-01", "valid_to": "2026-08-31"}));
    }
    let body = json!({"name": "Sportello", "municipality": "Crema", "opening_hours": hours, "appointment_minutes": 30});
    let res = app.post("/api/v1/desks", Some(&coordinator), &body).await;
    res.expect_status(201);
    assert_eq!(res.body["appointment_minutes"], 30);
    Desk { id: res.id(), operator: app.user_token("operator", &org).await, coordinator, org }
}

/// A day a week after the test clock's, in Italy.
fn next_week(app: &TestApp) -> NaiveDate {
    italian(app.clock.now()).date().checked_add_days(Days::new(7)).unwrap()
}

/// RFC 3339 UTC of a local Italian time on `day`.
fn at(day: NaiveDate, hhmm: &str) -> String {
    let local = day.and_time(NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap());
    italian_to_utc(local).and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn starts(slots: &Value) -> Vec<String> {
    slots["slots"].as_array().unwrap().iter().map(|s| s["starts_at"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn appointments_are_booked_inside_the_opening_hours_and_listed_by_day() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let day = next_week(&app);
    let base = format!("/api/v1/desks/{}/appointments", d.id);

    let free =
        app.get(&format!("/api/v1/desks/{}/free-slots?from={day}&to={day}", d.id), Some(&d.operator)).await;
    free.expect_status(200);
    assert_eq!(starts(&free.body), [at(day, "09:00"), at(day, "09:30"), at(day, "10:00"), at(day, "10:30")]);

    let body = json!({"starts_at": at(day, "09:30"), "person_name": "Olena Kovalenko", "phone": "+39 333 7654321",
        "topic": "residence_permit"});
    let res = app.post(&base, Some(&d.operator), &body).await;
    res.expect_status(201);
    let booked = res.body.clone();
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["ends_at"], json!(at(day, "10:00")));
    assert_eq!(booked["organization_id"], json!(d.org));
    let url = res.header("location").unwrap();
    let case = app.post("/api/v1/cases", Some(&d.operator), &amina()).await.id();
    let with_case =
        app.post(&base, Some(&d.operator), &json!({"starts_at": at(day, "09:00"), "case_id": case})).await;
    with_case.expect_status(201);

    // The slot is taken; the free slots say so; the agenda lists the day in order of time.
    assert_problem(&app.post(&base, Some(&d.operator), &body).await, 409, ":slot_taken");
    let free =
        app.get(&format!("/api/v1/desks/{}/free-slots?from={day}&to={day}", d.id), Some(&d.operator)).await;
    assert_eq!(starts(&free.body), [at(day, "10:00"), at(day, "10:30")]);
    let agenda = app.get(&format!("{base}?date={day}"), Some(&d.operator)).await;
    agenda.expect_status(200);
    let times: Vec<&str> = agenda.body["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(times, [at(day, "09:00"), at(day, "09:30")]);
    let other_day = app.get(&format!("{base}?date={}", day.succ_opt().unwrap()), Some(&d.operator)).await;
    assert_eq!(other_day.body["appointments"], json!([]));
    assert_eq!(app.audit_count("appointment.list", None), 2);
    assert_eq!(app.audit_count("appointment.book", Some(&case)), 1);

    // Outside the hours, off the slot grid, in the past, or nobody named: refused, nothing booked.
    for (start, why) in
        [("11:00", "closing time"), ("09:10", "not a slot start"), ("07:00", "before opening")]
    {
        let res = app
            .post(&base, Some(&d.operator), &json!({"starts_at": at(day, start), "person_name": "X"}))
            .await;
        assert_invalid_field(&res, "starts_at");
        assert_eq!(res.body["errors"][0]["code"], "outside_opening_hours", "{why}");
    }
    let past = app
        .post(&base, Some(&d.operator), &json!({"starts_at": "2026-01-05T08:00:00Z", "person_name": "X"}))
        .await;
    assert_invalid_field(&past, "starts_at");
    assert_invalid_field(
        &app.post(&base, Some(&d.operator), &json!({"starts_at": at(day, "10:00")})).await,
        "person_name",
    );
    assert_eq!(
        app.get(&format!("{base}?date={day}"), Some(&d.operator)).await.body["appointments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Cancelling frees the slot for someone else.
    let cancel = app
        .post(
            &format!("{url}/status"),
            Some(&d.operator),
            &json!({"status": "cancelled", "reason": "Found work"}),
        )
        .await;
    cancel.expect_status(200);
    assert_eq!(cancel.body["status"], "cancelled");
    app.post(&base, Some(&d.operator), &json!({"starts_at": at(day, "09:30"), "person_name": "Ahmed"}))
        .await
        .expect_status(201);
    let again = app.post(&format!("{url}/status"), Some(&d.operator), &json!({"status": "attended"})).await;
    assert_problem(&again, 409, ":illegal_transition");
}

#[actix_web::test]
async fn seasonal_hours_closures_and_outcomes_follow_the_calendar() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    // Summer: 09:00–10:00 only. The clock is moved to June so that July is ahead.
    app.clock.set(NaiveDateTime::parse_from_str("2026-06-15 08:00", "%Y-%m-%d %H:%M").unwrap());
    let july = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
    let free =
        app.get(&format!("/api/v1/desks/{}/free-slots?from={july}&to={july}", d.id), Some(&d.operator)).await;
    assert_eq!(starts(&free.body), [at(july, "09:00"), at(july, "09:30")]);
    let base = format!("/api/v1/desks/{}/appointments", d.id);
    let res = app
        .post(&base, Some(&d.operator), &json!({"starts_at": at(july, "10:00"), "person_name": "X"}))
        .await;
    assert_invalid_field(&res, "starts_at");

    // A closure: no slots on those days; refused while appointments are booked in them.
    let closures = format!("/api/v1/desks/{}/closures", d.id);
    let booked = app
        .post(&base, Some(&d.operator), &json!({"starts_at": at(july, "09:00"), "person_name": "Y"}))
        .await;
    booked.expect_status(201);
    let closing = json!({"first_day": "2026-07-14", "last_day": "2026-07-16", "reason": "Summer break"});
    assert_problem(&app.post(&closures, Some(&d.coordinator), &closing).await, 409, ":appointments_booked");
    app.post(
        &format!("{}/status", booked.header("location").unwrap()),
        Some(&d.operator),
        &json!({"status": "cancelled"}),
    )
    .await
    .expect_status(200);
    assert_problem(&app.post(&closures, Some(&d.operator), &closing).await, 403, ":forbidden");
    let closure = app.post(&closures, Some(&d.coordinator), &closing).await;
    closure.expect_status(201);
    let free = app
        .get(&format!("/api/v1/desks/{}/free-slots?from=2026-07-13&to=2026-07-17", d.id), Some(&d.operator))
        .await;
    let days: Vec<String> = starts(&free.body).iter().map(|s| s[..10].to_string()).collect();
    assert!(!days.iter().any(|d| d.as_str() >= "2026-07-14" && d.as_str() <= "2026-07-16"), "{days:?}");
    assert!(days.contains(&"2026-07-13".to_string()) && days.contains(&"2026-07-17".to_string()));
    let res = app
        .post(&base, Some(&d.operator), &json!({"starts_at": at(july, "09:30"), "person_name": "X"}))
        .await;
    assert_eq!(res.body["errors"][0]["code"], "outside_opening_hours");
    let listed = app.get(&format!("{closures}?from=2026-07-01"), Some(&d.operator)).await;
    assert_eq!(listed.body["items"][0]["reason"], "Summer break");
    let bad = json!({"first_day": "2026-07-16", "last_day": "2026-07-14", "reason": "x"});
    assert_invalid_field(&app.post(&closures, Some(&d.coordinator), &bad).await, "last_day");
    let removed = format!("{closures}/{}", closure.id());
    app.delete(&removed, Some(&d.coordinator)).await.expect_status(204);
    app.post(&base, Some(&d.operator), &json!({"starts_at": at(july, "09:30"), "person_name": "X"}))
        .await
        .expect_status(201);

    // Attended and no-show only once the time has come.
    let visit = app
        .post(&base, Some(&d.operator), &json!({"starts_at": at(july, "09:00"), "person_name": "Z"}))
        .await;
    let status = format!("{}/status", visit.header("location").unwrap());
    assert_problem(
        &app.post(&status, Some(&d.operator), &json!({"status": "no_show"})).await,
        409,
        ":too_early",
    );
    app.clock.set(NaiveDateTime::parse_from_str("2026-07-15 08:00", "%Y-%m-%d %H:%M").unwrap());
    let res = app.post(&status, Some(&d.operator), &json!({"status": "no_show"})).await;
    res.expect_status(200);
    assert_eq!(res.body["status"], "no_show");
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
}

#[actix_web::test]
async fn the_same_slot_booked_concurrently_is_won_by_exactly_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let day = next_week(&app);
    let base = format!("/api/v1/desks/{}/appointments", d.id);
    let attempts = (0..12).map(|i| {
        let body = json!({"starts_at": at(day, "10:30"), "person_name": format!("Person {i}")});
        let (app, base, token) = (&app, base.clone(), d.operator.clone());
        async move { app.post(&base, Some(&token), &body).await }
    });
    let responses = join_all(attempts).await;
    let won = responses.iter().filter(|r| r.status == 201).count();
    let lost: Vec<_> = responses.iter().filter(|r| r.status == 409).collect();
    assert_eq!(won, 1, "{:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(lost.len(), 11);
    for r in lost {
        assert_problem(r, 409, ":slot_taken");
    }
    let agenda = app.get(&format!("{base}?date={day}"), Some(&d.operator)).await;
    assert_eq!(agenda.body["appointments"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn appointments_belong_to_the_desks_organization() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let d = desk(&app, &admin).await;
    let other = desk(&app, &admin).await;
    let day = next_week(&app);
    let base = format!("/api/v1/desks/{}/appointments", d.id);
    let res = app
        .post(&base, Some(&d.operator), &json!({"starts_at": at(day, "09:00"), "person_name": "Ana"}))
        .await;
    let url = res.header("location").unwrap();
    assert_problem(&app.get(&url, Some(&other.operator)).await, 404, ":not_found");
    assert_problem(
        &app.get(&format!("{base}?date={day}"), Some(&other.coordinator)).await,
        404,
        ":not_found",
    );
    let theirs = app
        .post(&base, Some(&other.operator), &json!({"starts_at": at(day, "10:00"), "person_name": "X"}))
        .await;
    assert_problem(&theirs, 404, ":not_found");
    // The free slots carry no personal data: any role that reads desks sees them.
    let analyst = app.user_token("analyst", &other.org).await;
    app.get(&format!("/api/v1/desks/{}/free-slots", d.id), Some(&analyst)).await.expect_status(200);
    assert_problem(&app.get(&url, Some(&analyst)).await, 403, ":forbidden");
    app.get(&url, Some(&admin)).await.expect_status(200);
    let too_long = app
        .get(&format!("/api/v1/desks/{}/free-slots?from=2026-01-01&to=2026-12-31", d.id), Some(&analyst))
        .await;
    assert_problem(&too_long, 400, ":invalid_query");
}
