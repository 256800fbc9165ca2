//! Needs assessments repository: append-only versions per case, one row per assessed domain. Callers first
//! resolve the case within their scope.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{assessment_domains as d, assessments as a};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = a)]
pub struct AssessmentRow {
    pub id: String,
    pub case_id: String,
    pub organization_id: String,
    pub version: i64,
    pub assessed_on: chrono::NaiveDate,
    pub assessor_id: String,
    pub summary: Option<String>,
    pub created_by: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = d)]
pub struct DomainRow {
    pub assessment_id: String,
    pub case_id: String,
    pub version: i64,
    pub domain: String,
    pub level: String,
    pub notes: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The version the next assessment of the case takes (1 for the first). Two writers racing for the same
/// number meet the unique (case_id, version) constraint: the second gets 409.
pub fn next_version(conn: &mut DbConnection, case_id: &str) -> Result<i64> {
    let max: Option<i64> =
        a::table.filter(a::case_id.eq(case_id)).select(diesel::dsl::max(a::version)).first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// The assessment and its domains (inserted one by one: multi-row inserts do not compile through
/// MultiConnection, and there are at most eight).
pub fn insert(conn: &mut DbConnection, row: &AssessmentRow, domains: &[DomainRow]) -> Result<()> {
    diesel::insert_into(a::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => Error::conflict(
            "concurrent_assessment",
            "another assessment of this case was just recorded; retry",
        ),
        other => other,
    })?;
    for domain in domains {
        diesel::insert_into(d::table).values(domain).execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut DbConnection, case_id: &str, id: &str) -> Result<AssessmentRow> {
    a::table
        .filter(a::id.eq(id).and(a::case_id.eq(case_id)))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Newest first (ids are time-ordered, as versions are).
pub fn list(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AssessmentRow>> {
    let mut q =
        a::table.filter(a::case_id.eq(case_id.to_string())).select(AssessmentRow::as_select()).into_boxed();
    if let Some(after) = after {
        q = q.filter(a::id.lt(after.to_string()));
    }
    Ok(q.order(a::id.desc()).limit(limit + 1).load(conn)?)
}

/// The domains of these assessments, in the order of the domain codes' list.
pub fn domains_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<DomainRow>> {
    Ok(d::table.filter(d::assessment_id.eq_any(ids.to_vec())).select(DomainRow::as_select()).load(conn)?)
}

/// The domain rows of a case's assessments, newest version first, with their assessment: the top
/// [`DOMAIN_COUNT`](crate::domain::plan::DOMAIN_COUNT) rows hold the whole latest assessment, as an assessment
/// has at most one row per domain. One statement, for the query and for its SQLite plan.
macro_rules! latest_rows {
    ($case_id:expr) => {
        d::table
            .inner_join(a::table)
            .filter(d::case_id.eq($case_id))
            .order(d::version.desc())
            .limit(crate::domain::plan::DOMAIN_COUNT)
            .select((DomainRow::as_select(), AssessmentRow::as_select()))
    };
}

/// The case's latest assessment with its domains, in one query walking the (case_id, version) index.
pub fn latest(conn: &mut DbConnection, case_id: &str) -> Result<Option<(AssessmentRow, Vec<DomainRow>)>> {
    let rows: Vec<(DomainRow, AssessmentRow)> =
        crate::db::on_backend!(conn, |b| latest_rows!(case_id).load(b))?;
    let Some(top) = rows.first().map(|(d, _)| d.version) else { return Ok(None) };
    let mut assessment = None;
    let mut domains = Vec::new();
    for (domain, row) in rows.into_iter().filter(|(d, _)| d.version == top) {
        assessment.get_or_insert(row);
        domains.push(domain);
    }
    Ok(assessment.map(|a| (a, domains)))
}

/// SQLite's plan for [`latest`] (one line per step), to check that GET case stays one index walk; `None`
/// on PostgreSQL, whose plan depends on the table statistics.
pub fn latest_sqlite_plan(conn: &mut DbConnection, case_id: &str) -> Result<Option<Vec<String>>> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = Text)]
        detail: String,
    }
    if matches!(conn, DbConnection::Postgresql(_)) {
        return Ok(None);
    }
    let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&latest_rows!(case_id)).to_string();
    let sql = sql.split(" -- binds:").next().unwrap_or_default();
    let steps: Vec<Step> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .bind::<Text, _>(case_id)
        .bind::<BigInt, _>(crate::domain::plan::DOMAIN_COUNT)
        .load(conn)?;
    Ok(Some(steps.into_iter().map(|s| s.detail).collect()))
}

/// All of a case's assessments with their domains, oldest first (the export).
pub fn all_of_case(conn: &mut DbConnection, case_id: &str) -> Result<Vec<(AssessmentRow, Vec<DomainRow>)>> {
    let rows: Vec<AssessmentRow> = a::table
        .filter(a::case_id.eq(case_id))
        .order(a::version.asc())
        .select(AssessmentRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut domains = domains_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = domains.extract_if(.., |d| d.assessment_id == r.id).collect();
            (r, mine)
        })
        .collect())
}

/// Erasure: the free text goes; dates, domains and levels stay for statistics.
pub fn erase(conn: &mut DbConnection, case_id: &str, now: chrono::NaiveDateTime) -> Result<()> {
    diesel::update(a::table.filter(a::case_id.eq(case_id)))
        .set((a::summary.eq(None::<String>), a::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(d::table.filter(d::case_id.eq(case_id)))
        .set((d::notes.eq(None::<String>), d::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}
