//! Webhooks: subscriptions, signed deliveries to a receiver this test starts on 127.0.0.1, retries with
//! backoff on the app's clock, giving up and re-sending, persistence across a restart, and the URL rules.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::cases::create_case;
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app_with, unique_code};

/// What the receiver got: the headers that matter and the raw body.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    delivery_id: String,
    event_type: String,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// Answer 503 to this many requests before answering 204.
    fail_next: AtomicUsize,
    /// While set, requests wait (a subscriber that hangs).
    hold: AtomicBool,
}

/// A webhook receiver on a loopback port, as a district platform would run one.
struct Receiver {
    url: String,
    state: Arc<ReceiverState>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start() -> Receiver {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    fn on(listener: TcpListener) -> Receiver {
        let url = format!("http://127.0.0.1:{}/hooks/sportello", listener.local_addr().unwrap().port());
        let state = Arc::new(ReceiverState::default());
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(web::Data::from(shared.clone())).default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver { url, state, server: handle }
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until `n` requests have arrived (at most 20 s).
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.received());
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<ReceiverState>) -> HttpResponse {
    let header =
        |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    while state.hold.load(Ordering::SeqCst) {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    state.received.lock().unwrap().push(Received {
        signature: header("sportello-signature"),
        delivery_id: header("sportello-delivery-id"),
        event_type: header("sportello-event-type"),
        body: body.to_vec(),
    });
    let failing =
        state.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if failing { HttpResponse::ServiceUnavailable().finish() } else { HttpResponse::NoContent().finish() }
}

/// The receiver's check, written as the README tells integrators: recompute the HMAC over "<t>.<body>".
fn signature_valid(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut parts = header.split(',').filter_map(|p| p.split_once('='));
    let (Some(("t", t)), Some(("v1", v1))) = (parts.next(), parts.next()) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let fresh = (chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap()).abs() < 300;
    expected == v1 && fresh
}

const FAST_WORKER: [(&str, &str); 2] =
    [("SPORTELLO_WEBHOOK_ALLOW_PRIVATE", "true"), ("SPORTELLO_WEBHOOK_POLL_MS", "50")];

/// An organization with a coordinator and an operator.
async fn organization(app: &TestApp) -> (String, String, String) {
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, &unique_code()).await;
    (org.clone(), app.user_token("coordinator", &org).await, app.user_token("operator", &org).await)
}

/// Subscribes; answers the subscription and its secret.
async fn subscribe(app: &TestApp, token: &str, url: &str, types: &[&str]) -> (Value, String) {
    let res = app.post("/api/v1/webhooks", Some(token), &json!({"url": url, "event_types": types})).await;
    res.expect_status(201);
    let secret = res.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (res.body["webhook"].clone(), secret)
}

async fn deliveries(app: &TestApp, token: &str, webhook_id: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/webhooks/{webhook_id}/deliveries"), Some(token)).await;
    res.expect_status(200);
    res.body["items"].as_array().unwrap().clone()
}

/// Waits until the only delivery of the subscription has made `attempts` attempts.
async fn wait_for_attempts(app: &TestApp, token: &str, webhook_id: &str, attempts: i64) -> Value {
    for _ in 0..400 {
        let list = deliveries(app, token, webhook_id).await;
        // Attempts, status and times change in one statement: a count reached is a finished attempt.
        if let Some(d) = list.first().filter(|d| d["attempts"].as_i64() == Some(attempts)) {
            return d.clone();
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery reached {attempts} attempts: {:?}", deliveries(app, token, webhook_id).await);
}

#[actix_web::test]
async fn changes_are_delivered_signed_by_type_without_personal_data() {
    let app = spawn_app_with(&FAST_WORKER).await;
    let receiver = Receiver::start().await;
    let (_, coordinator, operator) = organization(&app).await;
    let before =
        create_case(&app, &operator, &json!({"given_name": "Prima", "family_name": "Iscrizione"})).await;
    let (webhook, secret) =
        subscribe(&app, &coordinator, &receiver.url, &["case.created", "case.updated"]).await;
    assert_eq!(webhook["event_types"], json!(["case.created", "case.updated"]));

    let case = create_case(&app, &operator, &json!({"given_name": "Zainab", "family_name": "Okafor"})).await;
    let case_id = case["id"].as_str().unwrap();
    let got = receiver.wait_for(1).await;
    let event = got[0].json();
    assert!(signature_valid(&secret, &got[0].signature, &got[0].body), "{:?}", got[0].signature);
    assert!(!signature_valid("whsec_other", &got[0].signature, &got[0].body));
    assert_eq!(
        (event["type"].as_str(), event["resource_id"].as_str()),
        (Some("case.created"), Some(case_id))
    );
    assert_eq!(
        (got[0].event_type.as_str(), got[0].delivery_id.as_str()),
        ("case.created", event["id"].as_str().unwrap())
    );
    assert_eq!(event["case_id"], case_id);
    assert!(event["sequence"].as_i64().unwrap() > 0);
    let text = String::from_utf8(got[0].body.clone()).unwrap();
    assert!(!text.contains("Zainab") && !text.contains("Okafor"), "no personal data travels: {text}");

    // A family member is not subscribed to; the case update is.
    let member = json!({"given_name": "Ada", "family_name": "Okafor", "relationship": "child"});
    app.post(&format!("/api/v1/cases/{case_id}/family-members"), Some(&operator), &member)
        .await
        .expect_status(201);
    app.patch(
        &format!("/api/v1/cases/{case_id}"),
        Some(&operator),
        &json!({"phone": "+39 0373 000000"}),
        Some("\"1\""),
    )
    .await
    .expect_status(200);
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].json()["type"], "case.updated");
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let types: Vec<String> = receiver.received().iter().map(|r| r.event_type.clone()).collect();
    assert_eq!(
        types,
        ["case.created", "case.updated"],
        "the case made before subscribing is not sent: {before}"
    );

    let webhook_id = webhook["id"].as_str().unwrap();
    let list = deliveries(&app, &coordinator, webhook_id).await;
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().all(|d| d["status"] == "delivered" && d["attempts"] == 1 && d["last_status_code"] == 204)
    );
    assert_eq!(list[0]["event"]["type"], "case.updated", "newest first, with the event sent");
    // Housekeeping forgets what was delivered over 30 days ago, and only that.
    let old = (chrono::Utc::now() - chrono::Duration::days(31)).naive_utc();
    app.set_time(
        &format!(
            "UPDATE webhook_deliveries SET delivered_at = $1 WHERE id = '{}'",
            list[1]["id"].as_str().unwrap()
        ),
        old,
    );
    let mut conn = app.database().get().unwrap();
    let before = chrono::Utc::now().naive_utc() - sportello::db::webhooks::DELIVERED_KEPT;
    assert_eq!(sportello::db::webhooks::purge_delivered(&mut conn, before).unwrap(), 1);
    assert_eq!(deliveries(&app, &coordinator, webhook_id).await.len(), 1);
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn a_hanging_subscriber_never_holds_up_a_request() {
    let app = spawn_app_with(&FAST_WORKER).await;
    let receiver = Receiver::start().await;
    receiver.state.hold.store(true, Ordering::SeqCst);
    let (_, coordinator, operator) = organization(&app).await;
    subscribe(&app, &coordinator, &receiver.url, &["case.created"]).await;
    create_case(&app, &operator, &json!({"given_name": "Uno", "family_name": "Caso"})).await;
    // Give the worker time to start sending, and hang, on the first case.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    for i in 0..5 {
        // Each request completes while the subscriber still holds the delivery.
        create_case(&app, &operator, &json!({"given_name": format!("Altro{i}"), "family_name": "Caso"}))
            .await;
    }
    assert!(receiver.received().is_empty(), "the subscriber has answered nothing yet");
    receiver.state.hold.store(false, Ordering::SeqCst);
    receiver.wait_for(6).await;
}

#[actix_web::test]
async fn failures_are_retried_with_backoff_given_up_and_resent_by_hand() {
    let app = spawn_app_with(&FAST_WORKER).await;
    let receiver = Receiver::start().await;
    let (_, coordinator, operator) = organization(&app).await;
    let (webhook, _) = subscribe(&app, &coordinator, &receiver.url, &["case.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    receiver.state.fail_next.store(2, Ordering::SeqCst);
    create_case(&app, &operator, &json!({"given_name": "Riprova", "family_name": "Ancora"})).await;

    // First attempt: 503, next in 10 s on the app's clock, which stands still until the test moves it.
    let first = wait_for_attempts(&app, &coordinator, id, 1).await;
    assert_eq!((first["status"].as_str(), first["last_status_code"].as_i64()), (Some("pending"), Some(503)));
    assert!(first["last_error"].as_str().unwrap().contains("503"));
    let wait = |d: &Value| {
        let at = |f: &str| chrono::DateTime::parse_from_rfc3339(d[f].as_str().unwrap()).unwrap();
        (at("next_attempt_at") - at("last_attempt_at")).num_seconds()
    };
    assert_eq!(wait(&first), 10);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "no retry before its time");

    app.clock.advance(chrono::Duration::seconds(10));
    let second = wait_for_attempts(&app, &coordinator, id, 2).await;
    assert_eq!(wait(&second), 20, "the wait doubles");
    app.clock.advance(chrono::Duration::seconds(20));
    let third = wait_for_attempts(&app, &coordinator, id, 3).await;
    assert_eq!((third["status"].as_str(), third["last_error"].as_str()), (Some("delivered"), None));
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.delivery_id == got[0].delivery_id), "every retry is the same event");

    // A subscriber down for good: after the last attempt the delivery is failed, until re-sent by hand.
    receiver.state.fail_next.store(usize::MAX, Ordering::SeqCst);
    create_case(&app, &operator, &json!({"given_name": "Mai", "family_name": "Ricevuto"})).await;
    let mut failed = Value::Null;
    for _ in 0..400 {
        let list = deliveries(&app, &coordinator, id).await;
        if list[0]["status"] == "failed" {
            failed = list[0].clone();
            break;
        }
        app.clock.advance(chrono::Duration::hours(6));
        actix_web::rt::time::sleep(Duration::from_millis(60)).await;
    }
    assert_eq!(
        (failed["attempts"].as_i64(), failed["next_attempt_at"].clone()),
        (Some(15), Value::Null),
        "{failed}"
    );
    let pending =
        app.get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"), Some(&coordinator)).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);

    receiver.state.fail_next.store(0, Ordering::SeqCst);
    let resend = format!("/api/v1/webhooks/{id}/deliveries/{}/resend", failed["id"].as_str().unwrap());
    let res = app.post(&resend, Some(&coordinator), &json!({})).await;
    res.expect_status(202);
    assert_eq!((res.body["status"].as_str(), res.body["attempts"].as_i64()), (Some("pending"), Some(0)));
    let done = wait_for_attempts(&app, &coordinator, id, 1).await;
    assert_eq!(done["status"], "delivered");
    assert_eq!(app.audit_count("webhook.resend", None), 1);
}

#[actix_web::test]
async fn queued_deliveries_survive_a_restart() {
    let first = spawn_app_with(&FAST_WORKER).await;
    // A port nobody listens on yet: the platform is down.
    let parked = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = parked.local_addr().unwrap().port();
    drop(parked);
    let url = format!("http://127.0.0.1:{port}/hooks/sportello");
    let (_, coordinator, operator) = organization(&first).await;
    let (webhook, secret) = subscribe(&first, &coordinator, &url, &["case.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    let case = create_case(&first, &operator, &json!({"given_name": "Dopo", "family_name": "Riavvio"})).await;
    let failed = wait_for_attempts(&first, &coordinator, id, 1).await;
    assert_eq!(
        (failed["status"].as_str(), failed["last_status_code"].clone()),
        (Some("pending"), Value::Null)
    );
    assert!(failed["last_error"].as_str().unwrap().contains("connect"), "{failed}");
    first.stop().await;

    // The platform comes back; so does Sportello, a new process on the same database.
    let receiver = Receiver::on(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mut vars = FAST_WORKER.to_vec();
    vars.push(("SPORTELLO_DATABASE_URL", first.database_url.as_str()));
    let second = spawn_app_with(&vars).await;
    second.clock.advance(chrono::Duration::minutes(1));
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["resource_id"], case["id"]);
    assert!(signature_valid(&secret, &got[0].signature, &got[0].body));
    // And what happens after the restart follows, once each.
    let later = create_case(&second, &operator, &json!({"given_name": "Nuovo", "family_name": "Caso"})).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].json()["resource_id"], later["id"]);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 2, "no event twice");
}

#[actix_web::test]
async fn subscriptions_refuse_internal_urls_and_belong_to_their_organization() {
    let app = spawn_app_with(&[]).await;
    let (org, coordinator, operator) = organization(&app).await;
    let create = |url: &str| json!({"url": url, "event_types": ["case.created"]});
    for url in [
        "http://platform.example.org/hooks",
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://10.0.0.8/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hooks",
    ] {
        let res = app.post("/api/v1/webhooks", Some(&coordinator), &create(url)).await;
        assert_invalid_field(&res, "url");
        assert_eq!(res.body["errors"][0]["code"], "url_not_allowed", "{url}");
    }
    let res = app
        .post(
            "/api/v1/webhooks",
            Some(&coordinator),
            &json!({"url": "https://x.example", "event_types": ["case.read"]}),
        )
        .await;
    assert_invalid_field(&res, "event_types[0]");
    app.post("/api/v1/webhooks", Some(&operator), &create("https://x.example/h")).await.expect_status(403);

    let (webhook, _) =
        subscribe(&app, &coordinator, "https://platform.example.org/hooks", &["case.created"]).await;
    assert_eq!(webhook["organization_id"], org);
    let path = format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap());
    let (_, other_coordinator, _) = organization(&app).await;
    app.get(&path, Some(&other_coordinator)).await.expect_status(404);
    let res = app
        .post(
            "/api/v1/webhooks",
            Some(&other_coordinator),
            &json!({"organization_id": org, "url": "https://x.example/h", "event_types": ["case.created"]}),
        )
        .await;
    assert_problem(&res, 403, ":forbidden");
    let listed = app.get("/api/v1/webhooks", Some(&other_coordinator)).await;
    assert_eq!(listed.body["items"], json!([]));

    let paused = app
        .patch(
            &path,
            Some(&coordinator),
            &json!({"active": false, "url": "https://10.1.1.1/x"}),
            Some("\"1\""),
        )
        .await;
    assert_invalid_field(&paused, "url");
    let paused = app.patch(&path, Some(&coordinator), &json!({"active": false}), Some("\"1\"")).await;
    paused.expect_status(200);
    assert_eq!(paused.body["active"], false);
    let rotated = app.post(&format!("{path}/secret"), Some(&coordinator), &json!({})).await;
    rotated.expect_status(200);
    assert!(rotated.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(app.get(&path, Some(&coordinator)).await.body.get("secret").is_none(), "never shown again");
    app.delete(&path, Some(&coordinator)).await.expect_status(204);
    app.get(&path, Some(&coordinator)).await.expect_status(404);
    assert_eq!(app.audit_count("webhook.create", None), 1);
    assert_eq!(app.audit_count("webhook.delete", None), 1);
}

#[actix_web::test]
async fn a_batch_of_changes_arrives_once_each() {
    let app = spawn_app_with(&FAST_WORKER).await;
    let receiver = Receiver::start().await;
    let (org, coordinator, _) = organization(&app).await;
    subscribe(&app, &coordinator, &receiver.url, &["case.created"]).await;
    let client = app.integration_token(&[&org]).await;
    let items: Vec<Value> = (0..150)
        .map(|i| json!({"source_system": "csi", "external_id": format!("B{i}"), "case": {"given_name": "Lotto", "family_name": format!("N{i}")}}))
        .collect();
    let res = app.post("/api/v1/sync/cases/batch", Some(&client), &json!({"items": items})).await;
    assert_eq!(res.body["created"], 150, "{}", res.text);
    let got = receiver.wait_for(150).await;
    let mut sequences: Vec<i64> = got.iter().map(|r| r.json()["sequence"].as_i64().unwrap()).collect();
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), 150, "150 distinct events");
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 150, "none twice");
}
