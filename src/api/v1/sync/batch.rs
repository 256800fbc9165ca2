//! `POST /sync/cases/batch`: up to 1 000 upserts in one request, each judged and applied on its own, with a
//! result per item.

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::upsert::{ExternalKey, Outcome, case_to_create, upsert};
use crate::api::v1::cases::{self, CreateCase};
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, DbConnection, cases::CaseRow, changes::FeedScope};
use crate::error::{Error, Result};
use crate::http::json::{is_json, parse_json, parse_json_keeping_nul, read_body};
use crate::http::problem::Problem;
use crate::http::respond;

pub const MAX_BATCH: usize = 1000;
/// A batch of 1 000 full intake forms stays well under this.
const BATCH_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// One item of a batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source_system": "csi-crema", "external_id": "CSI-2026-000417", "if_match": null,
    "case": {"given_name": "Amina", "family_name": "Diallo", "citizenship": "SN", "needs": ["residence_permit"]}
}))]
pub struct BatchItem {
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
    pub source_system: String,
    #[schema(min_length = 1, max_length = 128, pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
    pub external_id: String,
    /// Update only at this version (as `If-Match` does for one case).
    pub if_match: Option<i64>,
    /// The owner of a case created by this item (default: the caller's first organization).
    pub organization_id: Option<uuid::Uuid>,
    pub case: CreateCase,
}

/// A batch of upserts. Items are judged one by one, so the list accepts any value: an item that is not a
/// well-formed `BatchItem` is reported as `invalid` in its result and the others still apply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{
    "source_system": "csi-crema", "external_id": "CSI-2026-000417",
    "case": {"given_name": "Amina", "family_name": "Diallo", "citizenship": "SN", "needs": ["residence_permit"]}
}]}))]
pub struct BatchRequest {
    /// 1 to 1 000 items, each a `BatchItem`, applied in order; each stands alone.
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<serde_json::Value>,
}

/// How an item ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Created,
    Updated,
    Unchanged,
    /// 409 or 412: the id belongs to a deleted or foreign case, or the version moved on.
    Conflict,
    /// Any other 4xx: the item's problem says what is wrong.
    Invalid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResult {
    /// Position of the item in the request, from 0.
    pub index: usize,
    pub source_system: Option<String>,
    pub external_id: Option<String>,
    pub status: ItemStatus,
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    pub version: Option<i64>,
    /// Why the item was not applied (`errors` name fields inside the item's `case`).
    pub problem: Option<Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "created": 1, "updated": 0, "unchanged": 0, "conflict": 0, "invalid": 1,
    "results": [
        {"index": 0, "source_system": "csi-crema", "external_id": "CSI-2026-000417", "status": "created",
         "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "version": 1, "problem": null},
        {"index": 1, "source_system": "csi-crema", "external_id": "CSI-2026-000418", "status": "invalid",
         "case_id": null, "version": null, "problem": {"type": "urn:sportello:problem:validation",
         "title": "Invalid input", "status": 422, "detail": "1 field is invalid",
         "errors": [{"field": "case/birth_date", "code": "in_future", "message": "must not be in the future"}]}}
    ]
}))]
pub struct BatchResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub conflict: usize,
    pub invalid: usize,
    pub results: Vec<ItemResult>,
}

/// An item, parsed and validated; a problem names fields as `case/...` inside the item.
fn parse_item(value: &serde_json::Value) -> Result<(ExternalKey, BatchItem)> {
    let bytes = serde_json::to_vec(value).map_err(|e| Error::internal("batch item", e))?;
    let item: BatchItem = parse_json(&bytes)?;
    let key =
        ExternalKey { source_system: item.source_system.clone(), external_id: item.external_id.clone() };
    key.validate()?;
    item.case.validate().map_err(|e| match Error::from(e) {
        Error::Validation(errors) => Error::Validation(
            errors
                .into_iter()
                .map(|mut f| {
                    f.field = if f.field.is_empty() { "case".into() } else { format!("case/{}", f.field) };
                    f
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok((key, item))
}

impl ItemResult {
    /// The result of the item at `index`, named by the ids it carries (as sent, even when malformed).
    fn new(
        index: usize,
        item: &serde_json::Value,
        applied: Result<(Outcome, CaseRow)>,
        instance: &str,
    ) -> Self {
        let name = |field: &str| item.get(field).and_then(|v| v.as_str()).map(str::to_string);
        let mut result = ItemResult {
            index,
            source_system: name("source_system"),
            external_id: name("external_id"),
            status: ItemStatus::Invalid,
            case_id: None,
            version: None,
            problem: None,
        };
        match applied {
            Ok((outcome, row)) => {
                result.status = match outcome {
                    Outcome::Created => ItemStatus::Created,
                    Outcome::Updated => ItemStatus::Updated,
                    Outcome::Unchanged => ItemStatus::Unchanged,
                };
                (result.case_id, result.version) = (Some(row.id), Some(row.version));
            }
            Err(e) => {
                let mut problem = e.problem();
                problem.instance = Some(instance.to_string());
                // 409 or 412: the id belongs elsewhere or the version moved on; any other 4xx: invalid.
                if matches!(problem.status, 409 | 412) {
                    result.status = ItemStatus::Conflict;
                }
                result.problem = Some(problem);
            }
        }
        result
    }
}

/// Where an item of a batch stands while the batch is applied.
#[allow(clippy::large_enum_variant)] // At most 1 000 of them, each holding its whole item anyway.
enum Item {
    /// Judged: applied, or refused with its problem.
    Done(Result<(Outcome, CaseRow)>),
    /// An id no case holds and no earlier item names, checked and ready to be inserted with the others.
    New(ExternalKey, BatchItem),
    /// To apply on its own: an id a case holds already, or one an earlier item of the batch creates.
    Alone(ExternalKey, BatchItem),
}

/// Applies a batch inside the caller's transaction, with the outcome applying each item alone in order would
/// have. The items creating a case that no other item names cannot affect one another, so they are
/// inserted together: their reference numbers, cases and audit entries in a handful of statements. The
/// rest (updates, ids repeated in the batch) follow one by one in order, each in a savepoint. If the shared
/// insert fails (a concurrent writer took one of its ids), its items are applied one by one too.
fn apply(
    c: &mut DbConnection,
    caller: &Caller,
    scope: &FeedScope,
    parsed: Vec<Result<(ExternalKey, BatchItem)>>,
) -> Result<Vec<Result<(Outcome, CaseRow)>>> {
    let held = db::cases::existing_external_ids(
        c,
        parsed.iter().flatten().map(|(k, _)| (k.source_system.as_str(), k.external_id.as_str())),
    )?;
    let mut claimed = HashSet::new();
    let mut new_rows = Vec::new();
    let mut items = Vec::with_capacity(parsed.len());
    for parsed in parsed {
        let (key, item) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                items.push(Item::Done(Err(e)));
                continue;
            }
        };
        if claimed.contains(&key) || held.contains(&(key.source_system.clone(), key.external_id.clone())) {
            items.push(Item::Alone(key, item));
            continue;
        }
        match case_to_create(c, caller, scope, &key, &item.case, item.if_match, owner(&item).as_deref()) {
            Ok(row) => {
                new_rows.push(row);
                claimed.insert(key.clone());
                items.push(Item::New(key, item));
            }
            Err(e) => items.push(Item::Done(Err(e))),
        }
    }
    let inserted = !new_rows.is_empty()
        && match c.transaction(|c| cases::insert_many_new(c, caller, &mut new_rows)) {
            Ok(()) => true,
            Err(e @ (Error::Internal(_) | Error::Unavailable(_))) => return Err(e),
            Err(_) => false,
        };
    let mut new_rows = new_rows.into_iter();
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let result = match item {
            Item::Done(result) => result,
            Item::New(..) if inserted => new_rows
                .next()
                .map(|row| (Outcome::Created, row))
                .ok_or_else(|| Error::internal("batch", "fewer rows than new items")),
            Item::New(key, item) | Item::Alone(key, item) => c.transaction(|c| {
                upsert(c, caller, scope, &key, &item.case, item.if_match, owner(&item).as_deref())
            }),
        };
        if let Err(e @ (Error::Internal(_) | Error::Unavailable(_))) = result {
            return Err(e);
        }
        results.push(result);
    }
    Ok(results)
}

/// The organization named to own a case the item creates.
fn owner(item: &BatchItem) -> Option<String> {
    item.organization_id.map(|o| o.to_string())
}

/// Create or update up to 1 000 cases
///
/// Each item is what `PUT /sync/cases/{source_system}/{external_id}` takes, and the outcome is the one
/// applying the items one by one in order gives: an invalid or conflicting item is reported and skipped,
/// never rejecting or half-writing the others. The answer is 200 with a result per item whenever the batch
/// itself is well formed.
#[utoipa::path(
    tag = "sync",
    request_body = BatchRequest,
    responses((status = 200, description = "A result per item", body = BatchResult),
        (status = 413, description = "Body over 16 MiB", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/cases/batch")]
pub async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::SyncWrite)?;
    if !is_json(&req) {
        return Err(Error::UnsupportedMediaType("send the batch as application/json".into()));
    }
    let bytes = read_body(&req, &mut payload.into_inner(), BATCH_BODY_LIMIT).await?;
    let raw: BatchRequest = parse_json_keeping_nul(&bytes)?;
    if raw.items.is_empty() || raw.items.len() > MAX_BATCH {
        return Err(Error::invalid("items", "length", "1 to 1000 items"));
    }
    let instance = req.path().to_string();
    let result = state
        .db
        .run(move |c| {
            // Parsed before the write transaction: no lock is held while the JSON is read.
            let parsed: Vec<_> = raw.items.iter().map(parse_item).collect();
            let scope = super::sync_scope(c, &caller.principal)?;
            let applied = db::write_tx(c, |c| apply(c, &caller, &scope, parsed))?;
            Ok(raw
                .items
                .iter()
                .zip(applied)
                .enumerate()
                .map(|(index, (value, applied))| ItemResult::new(index, value, applied, &instance))
                .collect::<Vec<_>>())
        })
        .await?;
    let count = |s: ItemStatus| result.iter().filter(|r| r.status == s).count();
    let body = BatchResult {
        created: count(ItemStatus::Created),
        updated: count(ItemStatus::Updated),
        unchanged: count(ItemStatus::Unchanged),
        conflict: count(ItemStatus::Conflict),
        invalid: count(ItemStatus::Invalid),
        results: result,
    };
    Ok(respond::ok(&body))
}
