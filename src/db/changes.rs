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
/// (organization_id, seq) index and are merged as they are read, so a page costs the same at any depth and
/// reads about as many rows as it returns, however many organizations the reader has.
pub fn page(conn: &mut DbConnection, scope: &FeedScope, since: i64, limit: i64) -> Result<Vec<ChangeRow>> {
    let want = limit as usize + 1;
    let orgs = match scope {
        FeedScope::All => return read_after(conn, None, since, limit + 1),
        FeedScope::Organizations(orgs) => orgs,
    };
    // A fair share of the page each to start with; an organization with more to give reads on in chunks
    // that double, so a page dominated by one organization takes a few queries, not one per row.
    let first_chunk = want.div_ceil(orgs.len().max(1)).max(16) as i64;
    let mut streams = Vec::with_capacity(orgs.len());
    for org in orgs {
        let mut stream = OrgStream { org, last_seq: since, chunk: first_chunk, ..OrgStream::default() };
        stream.read_on(conn, want as i64)?;
        streams.push(stream);
    }
    let mut rows = Vec::with_capacity(want);
    while rows.len() < want {
        let Some(next) = streams.iter_mut().filter(|s| !s.rows.is_empty()).min_by_key(|s| s.rows[0].seq)
        else {
            break;
        };
        if let Some(row) = next.rows.pop_front() {
            rows.push(row);
        }
        if next.rows.is_empty() {
            next.read_on(conn, want as i64)?;
        }
    }
    Ok(rows)
}

/// Up to `n` numbered changes after `since`, of one organization or all, in sequence order.
fn read_after(conn: &mut DbConnection, org: Option<&str>, since: i64, n: i64) -> Result<Vec<ChangeRow>> {
    let mut q = ch::table.filter(ch::seq.gt(since)).select(ChangeRow::as_select()).into_boxed();
    if let Some(org) = org {
        q = q.filter(ch::organization_id.eq(org.to_string()));
    }
    Ok(q.order(ch::seq.asc()).limit(n).load(conn)?)
}

/// One organization's side of the merge in [`page`]: the changes read and not yet merged.
#[derive(Default)]
struct OrgStream<'a> {
    org: &'a str,
    rows: std::collections::VecDeque<ChangeRow>,
    last_seq: i64,
    chunk: i64,
    exhausted: bool,
}

impl OrgStream<'_> {
    /// Reads the next chunk, unless the organization has nothing more.
    fn read_on(&mut self, conn: &mut DbConnection, max_chunk: i64) -> Result<()> {
        if self.exhausted {
            return Ok(());
        }
        let rows = read_after(conn, Some(self.org), self.last_seq, self.chunk)?;
        self.exhausted = (rows.len() as i64) < self.chunk;
        self.last_seq = rows.last().and_then(|r| r.seq).unwrap_or(self.last_seq);
        self.chunk = (self.chunk * 2).min(max_chunk);
        self.rows.extend(rows);
        Ok(())
    }
}

/// The highest sequence number handed out so far (the feed's current end).
pub fn last_sequence(conn: &mut DbConnection) -> Result<i64> {
    Ok(counter::table.find(1).select(counter::value).first(conn)?)
}

/// Changes not numbered yet: zero outside a running transaction, or a write escaped [`crate::db::write_tx`].
pub fn unnumbered(conn: &mut DbConnection) -> Result<i64> {
    Ok(ch::table.filter(ch::seq.is_null()).count().get_result(conn)?)
}
