//! No personal data in the logs, at any level: a scenario full of names, tax codes, notes, passwords and
//! tokens runs with every logger at `trace`, and none of those values appears in what was logged.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::network::{Agency, consent, open_case, provider};
use crate::support::{spawn_app, unique_username};

/// Where the captured log lines go.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn a_scenario_full_of_personal_data_leaves_none_of_it_in_the_logs() {
    // Each test runs in its own process under nextest, so this logger is the process's only one.
    let capture = Capture::default();
    let installed = env_logger::Builder::new()
        .filter_level(log::LevelFilter::Trace)
        .target(env_logger::Target::Pipe(Box::new(capture.clone())))
        .try_init();
    if installed.is_err() {
        eprintln!("another logger is installed (cargo test runs tests in one process): nothing to check");
        return;
    }
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (desk, caritas) = (Agency::new(&app).await, Agency::new(&app).await);
    let username = unique_username("logscan");
    let (_, password) = app.create_user(&admin, Some(&desk.id), "operator", &username).await;
    assert_eq!(app.login(&username, "Wrong-Secret-Kp93").await.status, 401);
    let operator = app.token(&username, &password).await;

    let case = open_case(
        &app,
        &operator,
        json!({"given_name": "Zainab", "family_name": "Okonkwo-Ferraresi", "tax_code": "KNKZNB88C41Z335R",
            "phone": "+39 347 9182736", "email": "zainab.okonkwo@example.org", "birth_date": "1988-03-01",
            "notes": "Sleeps at the station", "restricted_notes": "HIV positive"}),
    )
    .await;
    app.get("/api/v1/cases?q=okonkwo%20zainab", Some(&operator)).await.expect_status(200);
    let url = format!("/api/v1/cases/{case}");
    let etag = app.get(&url, Some(&operator)).await.header("etag");
    app.patch(&url, Some(&operator), &json!({"address": "Via Quaranta 7, Crema"}), etag.as_deref())
        .await
        .expect_status(200);
    // A rejected body echoes nothing personal into the logs either.
    let bad = app.patch(&url, Some(&operator), &json!({"email": "zainab at home"}), etag.as_deref()).await;
    assert!(bad.status >= 400);
    let intervention = json!({"kind": "legal_advice", "occurred_on": "2026-11-20",
        "summary": "Asylum interview rehearsal with Zainab"});
    app.post(&format!("{url}/interventions"), Some(&operator), &intervention).await.expect_status(201);
    let member = json!({"given_name": "Chidi", "family_name": "Okonkwo-Ferraresi", "relationship": "child"});
    app.post(&format!("{url}/family-members"), Some(&operator), &member).await.expect_status(201);
    let shelter = provider(&app, Some(&caritas.id), "Caritas").await;
    let override_body = json!({"provider_id": shelter, "need": "housing", "reason": "Pregnant, evicted",
        "consent_override_reason": "Danger tonight for Zainab"});
    app.post(&format!("{url}/referrals"), Some(&desk.coordinator), &override_body).await.expect_status(201);
    consent(&app, &operator, &case, json!({"purpose": "network_sharing", "evidence": "Signed by Zainab"}))
        .await;
    let when = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let activation = json!({"person_name": "Ngozi Adeyemi", "kind": "interpreter", "language": "yo",
        "scheduled_at": when, "place": "Via Quaranta 7", "duration_minutes": 60});
    app.post("/api/v1/activations", Some(&operator), &activation).await.expect_status(201);
    app.get(&format!("{url}/export"), Some(&desk.coordinator)).await.expect_status(200);
    app.delete(&url, Some(&desk.coordinator)).await;

    // Case-insensitive: a search term or an e-mail may be logged in another case than it was typed.
    let logged = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_lowercase();
    assert!(logged.contains("sportello::access"), "the capture saw no access log: {logged}");
    for personal in [
        "Zainab",
        "Okonkwo",
        "KNKZNB88C41Z335R",
        "347 9182736",
        "zainab.okonkwo",
        "1988-03-01",
        "Sleeps at",
        "HIV",
        "Quaranta",
        "zainab at home",
        "Asylum",
        "Chidi",
        "Pregnant",
        "Danger tonight",
        "Ngozi",
        "Adeyemi",
        "Wrong-Secret-Kp93",
        &password,
        &operator,
        &admin,
        &case,
    ] {
        assert!(!logged.contains(&personal.to_lowercase()), "{personal:?} is in the logs:\n{logged}");
    }
}
