//! The webhook worker. Each tick it turns new changes of the feed into deliveries for the subscriptions
//! that want them, then sends the deliveries that are due. Both steps read and write only the database, so
//! a request never waits for a subscriber, a restart loses nothing, and several nodes can run it at once
//! (the feed cursor moves by compare-and-set, a delivery is sent under a lease).
//!
//! A delivery is a small signed JSON event naming what changed (type, sequence, ids), never the record
//! itself: the subscriber reads that with its own credentials, so personal data does not travel to a URL
//! an operator may have mistyped.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use serde::Serialize;

use crate::clock::Clock;
use crate::db::changes::{self, FeedScope};
use crate::db::webhooks::{self as repo, Attempt, DeliveryRow, SubscriptionRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::webhook::{self, EventType, WebhookUrl};
use crate::error::{Error, Result};

/// Changes turned into deliveries per subscription and tick.
const FAN_OUT_PAGE: i64 = 500;
/// Deliveries sent side by side.
const SEND_BATCH: i64 = 32;
/// Batches sent per tick at most, so that a tick ends and new changes are fanned out.
const MAX_ROUNDS: usize = 20;
/// How long a subscriber has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a node owns a delivery it is sending (longer than any attempt can take).
const LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// The body of every delivery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f01", "type": "case.updated", "sequence": 4211,
    "occurred_at": "2026-11-24T09:15:02.417Z", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "resource_type": "case", "resource_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30"
}))]
pub struct WebhookEvent {
    /// The delivery's id, also sent as `Sportello-Delivery-Id`: the same on every retry and re-send, so
    /// a receiver can ignore one it has already handled.
    #[schema(format = Uuid)]
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The change's place in the feed: `GET /sync/changes?since=<sequence - 1>` starts at it.
    pub sequence: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub resource_type: crate::domain::change::ResourceType,
    #[schema(format = Uuid)]
    pub resource_id: String,
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
}

/// Starts the worker on the current runtime; it runs until the task is aborted.
pub fn spawn(
    db: Database,
    clock: Clock,
    allow_private: bool,
    poll: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let client = match http_client() {
            Ok(client) => client,
            Err(e) => {
                log::error!("webhook deliveries are off: no TLS client ({e})");
                return;
            }
        };
        let mut tick = actix_web::rt::time::interval(poll);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&db, &clock, &client, allow_private).await {
                log::warn!("webhook worker: {e}");
            }
        }
    })
}

/// One tick: fan out, then send what is due, a batch at a time while batches come full (a backlog does not
/// wait a tick per batch), at most `MAX_ROUNDS` batches.
pub async fn run_once(db: &Database, clock: &Clock, client: &awc::Client, allow_private: bool) -> Result<()> {
    let now = clock.now();
    db.run(move |c| fan_out(c, now)).await?;
    for _ in 0..MAX_ROUNDS {
        if send_due(db, clock, client, allow_private).await? < SEND_BATCH as usize {
            break;
        }
    }
    Ok(())
}

/// Claims up to `SEND_BATCH` due deliveries, sends them side by side and records each attempt; answers how
/// many it claimed.
async fn send_due(db: &Database, clock: &Clock, client: &awc::Client, allow_private: bool) -> Result<usize> {
    let now = clock.now();
    let claimed = db
        .run(move |c| {
            let mut claimed = Vec::new();
            for id in repo::due(c, now, SEND_BATCH)? {
                if repo::claim(c, &id, now, now + LEASE)?
                    && let Some(delivery) = repo::claimed(c, &id)?
                {
                    claimed.push(delivery);
                }
            }
            Ok(claimed)
        })
        .await?;
    let count = claimed.len();
    let attempts = claimed.into_iter().map(|(delivery, url, secret)| async move {
        let result = send(client, &delivery, &url, &secret, allow_private).await;
        let at = clock.now();
        let attempts = delivery.attempts + 1;
        let (status_code, error, retry) = match result {
            Ok(status) => (Some(status), None, None),
            Err(failure) => {
                let retry = (attempts < webhook::MAX_ATTEMPTS).then(|| at + webhook::backoff(attempts));
                (failure.status_code, Some(failure.message), Some(retry))
            }
        };
        let id = delivery.id.clone();
        db.run(move |c| {
            repo::record_attempt(c, &id, &Attempt { at, status_code, error: error.as_deref(), retry })
        })
        .await
    });
    for outcome in futures_util::future::join_all(attempts).await {
        outcome?;
    }
    Ok(count)
}

/// Turns each active subscription's new changes into deliveries. The reads happen outside any transaction
/// (SQLite's write lock is taken only when there is something to queue).
fn fan_out(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> Result<()> {
    for subscription in repo::active(conn)? {
        let scope = FeedScope::Organizations(vec![subscription.organization_id.clone()]);
        let page = changes::page(conn, &scope, subscription.feed_cursor, FAN_OUT_PAGE)?;
        let Some(last) = page.last().and_then(|c| c.seq) else { continue };
        let deliveries = deliveries_for(&subscription, &page, now)?;
        // Another node may have moved the cursor meanwhile: then it queued these, and this is a no-op.
        db::write_tx(conn, |c| {
            repo::enqueue(c, &subscription.id, subscription.feed_cursor, last, &deliveries)
        })?;
    }
    Ok(())
}

/// The deliveries a page of changes makes for a subscription: one per change of a type it wants.
fn deliveries_for(
    subscription: &SubscriptionRow,
    page: &[changes::ChangeRow],
    now: chrono::NaiveDateTime,
) -> Result<Vec<DeliveryRow>> {
    let wanted: Vec<EventType> = db::from_json_text::<Vec<String>>(&subscription.event_types)?
        .iter()
        .filter_map(|t| EventType::parse(t))
        .collect();
    let mut deliveries = Vec::new();
    for change in page {
        let (Some(sequence), Some(event_type)) =
            (change.seq, event_type(&change.resource_type, &change.change))
        else {
            continue;
        };
        if !wanted.contains(&event_type) {
            continue;
        }
        let id = db::new_id();
        let event = WebhookEvent {
            id: id.clone(),
            event_type,
            sequence,
            occurred_at: change.changed_at.unwrap_or(now).and_utc(),
            organization_id: change.organization_id.clone(),
            resource_type: event_type.resource,
            resource_id: change.resource_id.clone(),
            case_id: change.case_id.clone(),
        };
        deliveries.push(DeliveryRow {
            id,
            subscription_id: subscription.id.clone(),
            sequence,
            event_type: event_type.to_string(),
            payload: serde_json::to_string(&event).map_err(|e| Error::internal("webhook event", e))?,
            status: repo::PENDING.into(),
            attempts: 0,
            next_attempt_at: Some(now),
            lease_until: None,
            last_attempt_at: None,
            last_status_code: None,
            last_error: None,
            delivered_at: None,
            created_at: now,
        });
    }
    Ok(deliveries)
}

fn event_type(resource: &str, change: &str) -> Option<EventType> {
    use crate::domain::{Code, change::ChangeKind, change::ResourceType};
    Some(EventType { resource: ResourceType::parse(resource)?, change: ChangeKind::parse(change)? })
}

/// Why an attempt failed, as recorded on the delivery (never with the payload).
struct Failure {
    status_code: Option<i32>,
    message: String,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Failure { status_code: None, message: message.into() }
    }
}

async fn send(
    client: &awc::Client,
    delivery: &DeliveryRow,
    url: &str,
    secret: &str,
    allow_private: bool,
) -> std::result::Result<i32, Failure> {
    // The URL was checked when it was saved; its host is checked again as it resolves now (DNS can change).
    let target =
        WebhookUrl::parse(url, allow_private).map_err(|_| Failure::new("the URL is no longer allowed"))?;
    let address = resolve(&target, allow_private).await?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(target.as_str())
        .address(address)
        .timeout(TIMEOUT)
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("User-Agent", concat!("Sportello-Webhooks/", env!("CARGO_PKG_VERSION"))))
        .insert_header(("Sportello-Delivery-Id", delivery.id.as_str()))
        .insert_header(("Sportello-Event-Type", delivery.event_type.as_str()))
        .insert_header((
            "Sportello-Signature",
            webhook::signature(secret, timestamp, delivery.payload.as_bytes()),
        ))
        .send_body(delivery.payload.clone())
        .await
        .map_err(|e| Failure::new(describe(&e)))?;
    let status = response.status();
    if status.is_success() {
        Ok(i32::from(status.as_u16()))
    } else {
        Err(Failure { status_code: Some(i32::from(status.as_u16())), message: format!("answered {status}") })
    }
}

/// The address to connect to: the first the host resolves to, provided every one is allowed (a name that
/// also resolves to an internal address is refused as a whole).
async fn resolve(target: &WebhookUrl, allow_private: bool) -> std::result::Result<SocketAddr, Failure> {
    let (host, port) = (target.host().to_string(), target.port());
    let addresses: Vec<SocketAddr> = actix_web::rt::task::spawn_blocking(move || {
        (host.as_str(), port).to_socket_addrs().map(Vec::from_iter)
    })
    .await
    .map_err(|_| Failure::new("name resolution was interrupted"))?
    .map_err(|e| Failure::new(format!("cannot resolve the host: {e}")))?;
    if let Some(bad) = addresses.iter().find(|a| !webhook::address_allowed(a.ip(), allow_private)) {
        return Err(Failure::new(format!(
            "the host resolves to {}, an address deliveries may not reach",
            bad.ip()
        )));
    }
    addresses.first().copied().ok_or_else(|| Failure::new("the host has no address"))
}

fn describe(error: &awc::error::SendRequestError) -> String {
    use awc::error::SendRequestError as E;
    match error {
        E::Timeout => format!("no answer within {} s", TIMEOUT.as_secs()),
        E::Connect(e) => format!("cannot connect: {e}"),
        other => format!("request failed: {other}"),
    }
}

/// An HTTPS client that trusts the system's certificate authorities and never follows redirects (a
/// redirect could lead to an address the URL check would have refused).
pub fn http_client() -> std::result::Result<awc::Client, openssl::error::ErrorStack> {
    use openssl::ssl::{SslConnector, SslMethod};
    let mut tls = SslConnector::builder(SslMethod::tls())?;
    // The bundled OpenSSL does not know where this system keeps its CA certificates: look for them.
    let probe = openssl_probe::probe();
    if probe.cert_file.is_some() || probe.cert_dir.is_some() {
        tls.load_verify_locations(probe.cert_file.as_deref(), probe.cert_dir.as_deref())?;
    }
    tls.set_alpn_protos(b"\x08http/1.1")?;
    Ok(awc::Client::builder()
        .connector(awc::Connector::new().openssl(tls.build()).timeout(TIMEOUT))
        .disable_redirects()
        .timeout(TIMEOUT)
        .finish())
}
