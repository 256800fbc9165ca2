//! Cases repository. Every query takes the caller's [`CaseScope`]: an invisible case is simply not found.

use diesel::prelude::*;

use crate::auth::policy::{CaseAccess, CaseScope};
use crate::db::schema::{case_access_grants as g, cases as c, reference_counters as rc};
use crate::db::{DbConnection, like_pattern};
use crate::domain::Code;
use crate::domain::grant::Access;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = c, treat_none_as_null = true)]
pub struct CaseRow {
    pub id: String,
    pub organization_id: String,
    pub desk_id: Option<String>,
    pub assignee_id: Option<String>,
    pub reference_code: String,
    pub status: String,
    pub closure_reason: Option<String>,
    pub closure_note: Option<String>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub given_name: String,
    pub family_name: String,
    pub search_name: String,
    pub sex: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
    pub birth_place: Option<String>,
    pub country_of_birth: Option<String>,
    pub citizenship: Option<String>,
    pub tax_code: Option<String>,
    pub languages: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub residence_municipality: Option<String>,
    pub arrival_date: Option<chrono::NaiveDate>,
    pub legal_status: Option<String>,
    pub permit_type: Option<String>,
    pub permit_number: Option<String>,
    pub permit_expiry: Option<chrono::NaiveDate>,
    pub education: Option<String>,
    pub employment: Option<String>,
    pub housing: Option<String>,
    pub needs: String,
    pub notes: Option<String>,
    pub restricted_notes: Option<String>,
    pub source_system: Option<String>,
    pub external_id: Option<String>,
    pub created_by: String,
    pub deleted_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// Erasure is refused while set (litigation, a court's or the police's request).
    pub legal_hold: bool,
    /// When the person's data was anonymised (erasure or retention); the case is then deleted too.
    pub erased_at: Option<chrono::NaiveDateTime>,
}

/// List filters; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    /// Already normalised with `domain::text::search_key`.
    pub name_key: Option<String>,
    pub tax_code: Option<String>,
    pub citizenship: Option<String>,
    pub status: Option<String>,
    pub assignee_id: Option<String>,
    pub desk_id: Option<String>,
    pub organization_id: Option<String>,
    pub reference_code: Option<String>,
    pub permit_expires_before: Option<chrono::NaiveDate>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    /// Not closed, opened before this day, and no live intervention on or after it.
    pub inactive_since: Option<chrono::NaiveDate>,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

/// The live (not revoked, not expired) grants of organization `$org`. Macros, as a boxed subquery does not
/// compile through MultiConnection.
macro_rules! live_grants {
    ($org:expr) => {
        g::table
            .filter(g::organization_id.eq($org.clone()))
            .filter(g::revoked_at.is_null())
            .filter(g::expires_at.is_null().or(g::expires_at.gt(crate::db::now())))
    };
}

/// The cases shared with organization `$org` by a live grant of at least access `$min`.
macro_rules! granted {
    ($org:expr, $min:expr) => {
        live_grants!($org).filter(g::access.eq_any($min.and_wider())).select(g::case_id)
    };
}

/// Live cases the scope reaches: owned by the organization, or (below `Own`) shared with it by a live grant.
fn scoped<'a>(scope: &CaseScope) -> c::BoxedQuery<'a, Backend> {
    let q = live();
    match scope {
        CaseScope::All => q,
        CaseScope::Organization { id, access } => match min_grant(*access) {
            None => q.filter(c::organization_id.eq(id.clone())),
            Some(grant) => q.filter(c::organization_id.eq(id.clone()).or(c::id.eq_any(granted!(id, grant)))),
        },
    }
}

fn live<'a>() -> c::BoxedQuery<'a, Backend> {
    c::table.filter(c::deleted_at.is_null()).into_boxed()
}

/// The ids of the live cases of other organizations shared with `organization_id` by a live grant giving
/// at least `access` (none can give `Own`).
pub fn shared_with(
    conn: &mut DbConnection,
    organization_id: &str,
    access: CaseAccess,
) -> Result<Vec<String>> {
    let org = organization_id.to_string();
    let Some(grant) = min_grant(access) else { return Ok(Vec::new()) };
    Ok(live()
        .filter(c::organization_id.ne(org.clone()))
        .filter(c::id.eq_any(granted!(org, grant)))
        .select(c::id)
        .load(conn)?)
}

/// The grant that gives this access to a case another organization owns; none can give `Own`.
fn min_grant(access: CaseAccess) -> Option<Access> {
    match access {
        CaseAccess::Own => None,
        CaseAccess::Read => Some(Access::Read),
        CaseAccess::Contribute => Some(Access::Contribute),
    }
}

/// The next number of an organization's yearly sequence, decided by the database (safe across nodes).
pub fn next_reference_number(conn: &mut DbConnection, organization_id: &str, year: i32) -> Result<i64> {
    reserve_reference_numbers(conn, organization_id, year, 1)
}

/// Reserves the next `count` numbers of an organization's yearly sequence at once; returns the first.
pub fn reserve_reference_numbers(
    conn: &mut DbConnection,
    organization_id: &str,
    year: i32,
    count: i64,
) -> Result<i64> {
    // Upserts do not compile through MultiConnection: the same statement on each concrete connection.
    macro_rules! upsert {
        ($conn:expr) => {
            diesel::insert_into(rc::table)
                .values((
                    rc::organization_id.eq(organization_id),
                    rc::year.eq(year),
                    rc::last_value.eq(count),
                ))
                .on_conflict((rc::organization_id, rc::year))
                .do_update()
                .set(rc::last_value.eq(rc::last_value + count))
                .returning(rc::last_value)
                .get_result::<i64>($conn)
        };
    }
    let last = match conn {
        DbConnection::Postgresql(pg) => upsert!(pg)?,
        DbConnection::Sqlite(lite) => upsert!(lite)?,
    };
    Ok(last - count + 1)
}

pub fn insert(conn: &mut DbConnection, row: &CaseRow) -> Result<()> {
    diesel::insert_into(c::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => Error::conflict(
            "duplicate_external_id",
            "a case with this source_system and external_id already exists",
        ),
        other => other,
    })?;
    Ok(())
}

/// A case the scope reaches. A case the organization sees but may not act on this way (a grant to read,
/// asked to contribute; a grant of any kind, asked for what the owner alone decides) is 403, not 404: it is
/// visible, the action is not allowed.
pub fn get(conn: &mut DbConnection, scope: &CaseScope, id: &str) -> Result<CaseRow> {
    // Static queries (the case by id, then the caller's grant if it does not own it) rather than the
    // boxed `scoped` query: diesel caches their prepared statements, and this is the hottest read.
    let live = c::table.filter(c::id.eq(id)).filter(c::deleted_at.is_null());
    let row = crate::db::on_backend!(&mut *conn, |b| live.select(CaseRow::as_select()).first(b).optional())?
        .ok_or(Error::NotFound)?;
    let (org, access) = match scope {
        CaseScope::All => return Ok(row),
        CaseScope::Organization { id: org, .. } if row.organization_id == *org => return Ok(row),
        CaseScope::Organization { id: org, access } => (org, *access),
    };
    let grants = live_grants!(org).filter(g::case_id.eq(id)).select(g::access);
    let granted: Vec<String> = crate::db::on_backend!(conn, |b| grants.load(b))?;
    let contributes = granted.iter().any(|a| a == Access::Contribute.as_str());
    match access {
        _ if granted.is_empty() => Err(Error::NotFound),
        CaseAccess::Read => Ok(row),
        CaseAccess::Contribute if contributes => Ok(row),
        CaseAccess::Contribute => {
            Err(Error::Forbidden("your organization may read this case but not work on it".into()))
        }
        CaseAccess::Own => {
            Err(Error::Forbidden("only the organization that owns the case may do this".into()))
        }
    }
}

/// Newest first (ids are time-ordered); the cursor is the last id seen.
pub fn list(
    conn: &mut DbConnection,
    scope: &CaseScope,
    f: &CaseFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CaseRow>> {
    let names = match conn {
        DbConnection::Sqlite(_) => NameIndex::Fts5Trigram,
        DbConnection::Postgresql(_) => NameIndex::PlannerChooses,
    };
    let mut page = |base| -> Result<Vec<CaseRow>> {
        Ok(filtered(base, f, after, names)
            .select(CaseRow::as_select())
            .order(c::id.desc())
            .limit(limit + 1)
            .load(conn)?)
    };
    match scope {
        CaseScope::Organization { id, access } if let Some(grant) = min_grant(*access) => {
            // The organization's own cases and those shared with it, in two queries merged here: one
            // query with "owned OR granted" cannot walk the (organization_id, id) index in order, and
            // scans every case of the network for a page.
            let mut rows = page(live().filter(c::organization_id.eq(id.clone())))?;
            rows.extend(page(
                live().filter(c::organization_id.ne(id.clone())).filter(c::id.eq_any(granted!(id, grant))),
            )?);
            rows.sort_unstable_by(|a, b| b.id.cmp(&a.id));
            rows.truncate(limit as usize + 1);
            Ok(rows)
        }
        _ => page(scoped(scope)),
    }
}

/// How a name search finds the cases whose name contains a fragment (migration 000015).
#[derive(Debug, Clone, Copy)]
enum NameIndex {
    /// PostgreSQL's planner uses its pg_trgm index for `search_name LIKE '%w%'` by itself.
    PlannerChooses,
    /// SQLite's is a separate FTS5 table: the query names it, and the LIKE stays the exact test.
    Fts5Trigram,
}

/// Keeps the cases whose name the SQLite trigram index says contains `word` (three characters or more:
/// the shortest a trigram index can look up). The index is read before the case rows, so a rare fragment
/// costs a few lookups instead of a walk through every case of the organization.
fn in_name_index<'a>(q: c::BoxedQuery<'a, Backend>, word: &str) -> c::BoxedQuery<'a, Backend> {
    use diesel::sql_types::{Bool, Text};
    let phrase = format!("\"{}\"", word.replace('"', "\"\""));
    q.filter(
        diesel::dsl::sql::<Bool>(
            "cases.id IN (SELECT k.case_id FROM case_names n JOIN case_name_keys k ON k.id = n.rowid \
             WHERE case_names MATCH ",
        )
        .bind::<Text, _>(phrase)
        .sql(")"),
    )
}

/// The list's filters and cursor on top of a scope.
fn filtered<'a>(
    mut q: c::BoxedQuery<'a, Backend>,
    f: &CaseFilter,
    after: Option<&str>,
    names: NameIndex,
) -> c::BoxedQuery<'a, Backend> {
    // Every word must appear, in any order: "diallo amina" finds "Amina Diallo".
    for word in f.name_key.iter().flat_map(|k| k.split(' ')) {
        if matches!(names, NameIndex::Fts5Trigram) && word.chars().count() >= 3 {
            q = in_name_index(q, word);
        }
        q = q.filter(c::search_name.like(like_pattern(word)).escape('\\'));
    }
    if let Some(v) = &f.tax_code {
        q = q.filter(c::tax_code.eq(v.clone()));
    }
    if let Some(v) = &f.citizenship {
        q = q.filter(c::citizenship.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(c::status.eq(v.clone()));
    }
    if let Some(v) = &f.assignee_id {
        q = q.filter(c::assignee_id.eq(v.clone()));
    }
    if let Some(v) = &f.desk_id {
        q = q.filter(c::desk_id.eq(v.clone()));
    }
    if let Some(v) = &f.organization_id {
        q = q.filter(c::organization_id.eq(v.clone()));
    }
    if let Some(v) = &f.reference_code {
        q = q.filter(c::reference_code.eq(v.clone()));
    }
    if let Some(v) = f.permit_expires_before {
        q = q.filter(c::permit_expiry.lt(v));
    }
    if let Some(v) = f.updated_since {
        q = q.filter(c::updated_at.ge(v));
    }
    if let Some(since) = f.inactive_since {
        use crate::db::schema::interventions as i;
        let recent = i::table
            .filter(i::case_id.eq(c::id))
            .filter(i::deleted_at.is_null())
            .filter(i::occurred_on.ge(since));
        q = q
            .filter(c::status.ne(crate::domain::Code::as_str(crate::domain::case::CaseStatus::Closed)))
            .filter(c::created_at.lt(since.and_time(chrono::NaiveTime::MIN)))
            .filter(diesel::dsl::not(diesel::dsl::exists(recent)));
    }
    if let Some(after) = after {
        q = q.filter(c::id.lt(after.to_string()));
    }
    q
}

/// Saves the whole row if its stored version is still `expected_version` (else 412).
pub fn save(conn: &mut DbConnection, row: &CaseRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(c::table.filter(c::id.eq(&row.id)).filter(c::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Which of these cases the scope reaches (one query for a whole page).
pub fn reachable_ids(
    conn: &mut DbConnection,
    scope: &CaseScope,
    ids: &[String],
) -> Result<std::collections::HashSet<String>> {
    Ok(scoped(scope)
        .filter(c::id.eq_any(ids.to_vec()))
        .select(c::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Live cases by id, whoever owns them: for views whose visibility was decided elsewhere (a referral's
/// minimum view of the person, a duplicate's owner).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<CaseRow>> {
    Ok(c::table
        .filter(c::id.eq_any(ids.to_vec()))
        .filter(c::deleted_at.is_null())
        .select(CaseRow::as_select())
        .load(conn)?)
}

/// Hands a live case to another organization: the desk and the assignee belonged to the sender and are
/// cleared. 409 when the case is gone or no longer owned by `from_organization_id`.
pub fn change_owner(
    conn: &mut DbConnection,
    id: &str,
    from_organization_id: &str,
    to_organization_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    let n = diesel::update(
        c::table
            .filter(c::id.eq(id))
            .filter(c::organization_id.eq(from_organization_id))
            .filter(c::deleted_at.is_null()),
    )
    .set((
        c::organization_id.eq(to_organization_id),
        c::desk_id.eq(None::<String>),
        c::assignee_id.eq(None::<String>),
        c::version.eq(c::version + 1),
        c::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        Err(Error::conflict(
            "case_changed",
            "the case is no longer owned by the organization it was to leave",
        ))
    } else {
        Ok(())
    }
}

/// The owner of a live case, whoever asks (transfer requests name cases the requester cannot see).
pub fn owner_of(conn: &mut DbConnection, id: &str) -> Result<Option<String>> {
    Ok(c::table
        .filter(c::id.eq(id).and(c::deleted_at.is_null()))
        .select(c::organization_id)
        .first(conn)
        .optional()?)
}

/// Live cases anywhere in the network with this tax code or this birth date: the candidates duplicate
/// detection compares (both columns are indexed; a birth date is shared by few people).
pub fn duplicate_candidates(
    conn: &mut DbConnection,
    tax_code: Option<&str>,
    birth_date: Option<chrono::NaiveDate>,
) -> Result<Vec<CaseRow>> {
    let mut rows: Vec<CaseRow> = Vec::new();
    if let Some(code) = tax_code {
        rows = c::table
            .filter(c::deleted_at.is_null().and(c::tax_code.eq(code)))
            .select(CaseRow::as_select())
            .limit(100)
            .load(conn)?;
    }
    if let Some(day) = birth_date {
        let born: Vec<CaseRow> = c::table
            .filter(c::deleted_at.is_null().and(c::birth_date.eq(day)))
            .select(CaseRow::as_select())
            .limit(1000)
            .load(conn)?;
        rows.extend(born.into_iter().filter(|b| !rows.iter().any(|r| r.id == b.id)).collect::<Vec<_>>());
    }
    Ok(rows)
}

/// The case a source system knows by this id, live or not.
pub fn find_by_external(
    conn: &mut DbConnection,
    source_system: &str,
    external_id: &str,
) -> Result<Option<CaseRow>> {
    Ok(c::table
        .filter(c::source_system.eq(source_system).and(c::external_id.eq(external_id)))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts many new cases in as few statements as the backends' parameter limits allow.
pub fn insert_many(conn: &mut DbConnection, rows: &[CaseRow]) -> Result<()> {
    // 44 columns: 500 rows stay under SQLite's 32 766 and PostgreSQL's 65 535 parameters.
    for chunk in rows.chunks(500) {
        // Multi-row inserts do not compile through MultiConnection.
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(c::table).values(chunk).execute(c)?,
            DbConnection::Postgresql(c) => diesel::insert_into(c::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// Which of these `(source_system, external_id)` pairs a case holds, live or not: one query per source
/// system and 500 ids.
pub fn existing_external_ids<'k>(
    conn: &mut DbConnection,
    keys: impl IntoIterator<Item = (&'k str, &'k str)>,
) -> Result<std::collections::HashSet<(String, String)>> {
    let mut by_source: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (source, id) in keys {
        by_source.entry(source).or_default().push(id);
    }
    let mut found = std::collections::HashSet::new();
    for (source, ids) in by_source {
        for chunk in ids.chunks(500) {
            let rows: Vec<(Option<String>, Option<String>)> = c::table
                .filter(c::source_system.eq(source).and(c::external_id.eq_any(chunk)))
                .select((c::source_system, c::external_id))
                .load(conn)?;
            found.extend(rows.into_iter().filter_map(|(s, e)| Some((s?, e?))));
        }
    }
    Ok(found)
}

/// A case by id whatever its state (deleted and erased included), whoever owns it: for erasure, which
/// must reach deleted cases too, and decides visibility itself.
pub fn find_any(conn: &mut DbConnection, id: &str) -> Result<Option<CaseRow>> {
    Ok(c::table.find(id).select(CaseRow::as_select()).first(conn).optional()?)
}
