//! `GET /sync/changes`: every create, update and delete of the synced records a caller may see, in commit
//! order, each with the record as it is now (or a tombstone).

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::activations::{Activation, to_activation};
use crate::api::v1::cases::Case;
use crate::api::v1::family_members::FamilyMember;
use crate::api::v1::interventions::Intervention;
use crate::api::v1::referrals::Referral;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::changes::{ChangeRow, FeedScope};
use crate::db::{self, DbConnection, audit, audit::AuditEvent};
use crate::domain::Code;
use crate::domain::change::{ChangeKind, ResourceType};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiQuery, respond};

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_cursor` of the previous page; absent (or `0`) to start from the beginning.
    #[param(pattern = "^[0-9]{1,18}$", example = "1042")]
    pub since: Option<String>,
    /// Changes per page (1–1000, default 100).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
}

/// The current representation of a changed record, by its `resource_type`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // Never built: it only describes `Change::data` in the OpenAPI document.
pub enum ChangeData {
    Case(Case),
    FamilyMember(FamilyMember),
    Intervention(Intervention),
    Referral(Referral),
    Activation(Activation),
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 1042, "resource_type": "family_member", "resource_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a40",
    "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "change": "created", "changed_at": "2026-11-24T09:15:00Z",
    "data": {"id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a40", "case_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30",
        "relationship": "child", "given_name": "Moussa", "family_name": "Diallo", "sex": "male",
        "birth_date": "2016-03-02", "citizenship": "SN", "tax_code": null, "lives_with_beneficiary": true,
        "dependent": true, "notes": null, "version": 1,
        "created_at": "2026-11-24T09:15:00Z", "updated_at": "2026-11-24T09:15:00Z"}
}))]
pub struct Change {
    /// Position in the feed: strictly increasing, in commit order.
    pub seq: i64,
    pub resource_type: ResourceType,
    #[schema(format = Uuid)]
    pub resource_id: String,
    /// The case the record belongs to (itself for a case); null for an activation without a case.
    #[schema(format = Uuid)]
    pub case_id: Option<String>,
    /// The organization owning the case when the change was made.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub change: ChangeKind,
    pub changed_at: DateTime<Utc>,
    /// The record as it is now, not as it was at this change (a later change of it follows further on);
    /// null for a tombstone, and when the record has since gone or left the reader's view.
    #[schema(value_type = Option<ChangeData>)]
    pub data: Option<Box<RawValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"changes": [], "next_cursor": "1042", "has_more": false}))]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Pass as `since` for the next page. Store it only after applying the page; on an empty page it is the
    /// `since` given, so polling with it never skips a change.
    pub next_cursor: String,
    /// Whether more changes are waiting now (ask again at once); false means poll later.
    pub has_more: bool,
}

fn parse_since(since: Option<&str>) -> Result<i64> {
    match since {
        None => Ok(0),
        Some(s) => s.parse::<i64>().ok().filter(|n| *n >= 0 && s.len() <= 18).ok_or_else(|| {
            Error::InvalidQuery(vec![FieldError::new(
                "since",
                "invalid",
                "the next_cursor of a previous page",
            )])
        }),
    }
}

/// A record's JSON, written once: a page is mostly these, and going through `serde_json::Value` trees
/// (built, cloned, walked and freed) took over half of a page's time.
fn json<T: Serialize>(value: T) -> Result<Box<RawValue>> {
    serde_json::value::to_raw_value(&value).map_err(|e| Error::internal("feed json", e))
}

type Current = HashMap<(String, String), Box<RawValue>>;

fn ids_of(rows: &[ChangeRow], kind: ResourceType) -> Vec<String> {
    let ids: HashSet<&str> =
        rows.iter().filter(|r| r.resource_type == kind.as_str()).map(|r| r.resource_id.as_str()).collect();
    ids.into_iter().map(str::to_string).collect()
}

/// The current representation of every record a page names, when it still exists and its case's owner is
/// within the reader's view. One query per kind of record, whatever the page's size.
fn current(
    c: &mut DbConnection,
    scope: &FeedScope,
    rows: &[ChangeRow],
    now: NaiveDateTime,
) -> Result<Current> {
    let case_ids: Vec<String> =
        rows.iter().filter_map(|r| r.case_id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let cases: HashMap<String, db::cases::CaseRow> = db::cases::find_many(c, &case_ids)?
        .into_iter()
        .filter(|row| scope.includes(&row.organization_id))
        .map(|row| (row.id.clone(), row))
        .collect();
    let visible = |case_id: &str| cases.contains_key(case_id);
    let mut out = HashMap::new();
    let mut put = |kind: ResourceType, id: String, value: Box<RawValue>| {
        out.insert((kind.as_str().to_string(), id), value);
    };
    for row in cases.values() {
        // Machine clients never receive restricted notes: they stay with the owner's people.
        put(ResourceType::Case, row.id.clone(), json(Case::from_row(row.clone(), false)?)?);
    }
    for row in db::family_members::find_many(c, &ids_of(rows, ResourceType::FamilyMember))? {
        if visible(&row.case_id) {
            put(ResourceType::FamilyMember, row.id.clone(), json(FamilyMember::try_from(row)?)?);
        }
    }
    for row in db::interventions::find_many(c, &ids_of(rows, ResourceType::Intervention))? {
        if visible(&row.case_id) {
            put(ResourceType::Intervention, row.id.clone(), json(Intervention::try_from(row)?)?);
        }
    }
    for row in db::referrals::find_many(c, &ids_of(rows, ResourceType::Referral))? {
        if visible(&row.case_id) {
            // A machine moves no referral and needs no minimum view of the person: the case is in the feed.
            put(ResourceType::Referral, row.id.clone(), json(Referral::from_row(row, Vec::new(), None)?)?);
        }
    }
    for row in db::activations::find_many(c, &ids_of(rows, ResourceType::Activation))? {
        let shown = match &row.case_id {
            Some(case) => visible(case),
            None => scope.includes(&row.organization_id),
        };
        if shown {
            put(ResourceType::Activation, row.id.clone(), json(to_activation(row, now)?)?);
        }
    }
    Ok(out)
}

fn to_change(row: ChangeRow, current: &Current) -> Result<Change> {
    let bad = |what: &str, v: &str| Error::internal("change feed", format!("{what}={v}"));
    let resource_type =
        ResourceType::parse(&row.resource_type).ok_or_else(|| bad("type", &row.resource_type))?;
    let change = ChangeKind::parse(&row.change).ok_or_else(|| bad("change", &row.change))?;
    let tombstone = matches!(change, ChangeKind::Deleted | ChangeKind::Erased | ChangeKind::Transferred);
    let data = if tombstone {
        None
    } else {
        current.get(&(row.resource_type.clone(), row.resource_id.clone())).cloned()
    };
    Ok(Change {
        seq: row.seq.ok_or_else(|| bad("seq", "null"))?,
        resource_type,
        resource_id: row.resource_id,
        case_id: row.case_id,
        organization_id: row.organization_id,
        change,
        changed_at: row.changed_at.ok_or_else(|| bad("changed_at", "null"))?.and_utc(),
        data,
    })
}

/// Read the change feed
///
/// Every create, update and delete of cases, family members, interventions, referrals and activations
/// of the caller's organizations (an integration client's, a coordinator's own, all for an admin), in
/// strictly increasing `seq` (commit order): no change is skipped or repeated, whatever is written while
/// reading. Each change carries the record as it is now, or is a tombstone (`deleted`, `erased`,
/// `transferred`). Reading the feed is audited.
#[utoipa::path(
    tag = "sync",
    params(FeedQuery),
    responses((status = 200, description = "A page of changes", body = ChangePage)),
    security(("bearer" = []))
)]
#[get("/changes")]
pub async fn read_changes(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<FeedQuery>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::SyncRead)?;
    let q = query.into_inner();
    let (since, limit, now) =
        (parse_since(q.since.as_deref())?, q.limit.unwrap_or(DEFAULT_LIMIT), state.clock.now());
    let page = state
        .db
        .run(move |c| {
            let scope = super::sync_scope(c, &caller.principal)?;
            let mut rows = crate::db::changes::page(c, &scope, since, limit)?;
            let has_more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let current = current(c, &scope, &rows, now)?;
            let next_cursor = rows.last().and_then(|r| r.seq).unwrap_or(since).to_string();
            let case_ids: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.case_id.as_deref())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            audit::record(
                c,
                &AuditEvent::by(&caller, "sync.changes", "change", None).details(serde_json::json!({
                    "since": since, "count": rows.len(), "case_ids": case_ids
                })),
            )?;
            let changes = rows.into_iter().map(|r| to_change(r, &current)).collect::<Result<_>>()?;
            Ok(ChangePage { changes, next_cursor, has_more })
        })
        .await?;
    Ok(respond::ok(&page))
}
