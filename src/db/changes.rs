//! The change feed's table. Triggers (see the sync migration) add a row with no sequence number for every
//! write to cases, family members, interventions, referrals and activations; [`assign_sequence`] numbers a
//! transaction's rows just before it commits, and [`page`] reads them in that order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::DbConnection;
use crate::db::schema::{change_counter as counter, changes as ch};
use crate::error::Result;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ch)]
pub struct ChangeRow {
    pub seq: Option<i64>,
    pub resource_type: String,
    pub resource_id: String,
    pub case_id: Option<String>,
    pub organization_id: String,
    pub change: String,
    pub changed_at: Option<NaiveDateTime>,
}

/// Gives this transaction's changes the next sequence numbers and stamps them with `now`. Called by
/// [`crate::db::write_tx`] as the last statement before COMMIT.
///
/// Why this is gap- and skip-free under concurrent writers: the counter row is locked here and stays
/// locked until this transaction commits, so the next writer numbers its changes only after ours are
/// committed and visible. On PostgreSQL a plain sequence would not do: a transaction holding number 10 can
/// commit after one holding 11, and a reader that had already moved past 11 would never see 10. The lock
/// is taken last, so a transaction holding it waits for nothing else (no deadlock) and holds it only for
/// the commit. Transactions that changed nothing synced never touch the counter.
pub fn assign_sequence(conn: &mut DbConnection, now: NaiveDateTime) -> Result<()> {
    let pending: bool =
        diesel::select(diesel::dsl::exists(ch::table.filter(ch::seq.is_null()))).get_result(conn)?;
    if !pending {
        return Ok(());
    }
    // A no-op update takes the row lock on PostgreSQL; SQLite already holds the database's write lock.
    diesel::update(counter::table.find(1)).set(counter::value.eq(counter::value)).execute(conn)?;
    let last: i64 = counter::table.find(1).select(counter::value).first(conn)?;
    // Rows left unnumbered by a write outside write_tx (there should be none) are swept up here too.
    const NUMBER: &str = "UPDATE changes SET changed_at = $1, seq = numbered.n \
        FROM (SELECT id, $2 + ROW_NUMBER() OVER (ORDER BY id) AS n FROM changes WHERE seq IS NULL) AS numbered \
        WHERE changes.id = numbered.id";
    let numbered = match conn {
        DbConnection::Postgresql(c) => {
            diesel::sql_query(NUMBER).bind::<Timestamp, _>(now).bind::<BigInt, _>(last).execute(c)?
        }
        // SQLite numbers `$name` parameters in order of first appearance: $1 then $2, as on PostgreSQL.
        DbConnection::Sqlite(c) => {
            diesel::sql_query(NUMBER).bind::<Timestamp, _>(now).bind::<BigInt, _>(last).execute(c)?
        }
    };
    diesel::update(counter::table.find(1)).set(counter::value.eq(last + numbered as i64)).execute(conn)?;
    Ok(())
}

/// Which organizations' changes a reader receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    All,
    Organizations(Vec<String>),
}

/// Up to `limit + 1` changes after `since`, in sequence order. Each organization's changes come from the
/// (organization_id, seq) index and the pages are merged, so a page costs the same at any depth.
pub fn page(conn: &mut DbConnection, scope: &FeedScope, since: i64, limit: i64) -> Result<Vec<ChangeRow>> {
    let after = |org: Option<&str>| {
        let mut q = ch::table.filter(ch::seq.gt(since)).select(ChangeRow::as_select()).into_boxed();
        if let Some(org) = org {
            q = q.filter(ch::organization_id.eq(org.to_string()));
        }
        q.order(ch::seq.asc()).limit(limit + 1)
    };
    let mut rows = match scope {
        FeedScope::All => after(None).load(conn)?,
        FeedScope::Organizations(orgs) => {
            let mut rows = Vec::new();
            for org in orgs {
                rows.extend(after(Some(org)).load(conn)?);
            }
            rows.sort_by_key(|r| r.seq);
            rows.truncate(limit as usize + 1);
            rows
        }
    };
    rows.retain(|r| r.seq.is_some());
    Ok(rows)
}

/// The highest sequence number handed out so far (the feed's current end).
pub fn last_sequence(conn: &mut DbConnection) -> Result<i64> {
    Ok(counter::table.find(1).select(counter::value).first(conn)?)
}

/// Changes not numbered yet: zero outside a running transaction, or a write escaped [`crate::db::write_tx`].
pub fn unnumbered(conn: &mut DbConnection) -> Result<i64> {
    Ok(ch::table.filter(ch::seq.is_null()).count().get_result(conn)?)
}
