//! Statistics computed by the database: one `GROUP BY` over the period's rows for the counts, one window
//! query per median. Only the grouped cells come back, never the rows they count.
//!
//! The SQL is assembled from fixed fragments chosen by [`Dimension`] and [`Dataset`] (a whitelist: no
//! name or value from the request ever becomes SQL text); every value is a bound parameter.
//!
//! Query plans relied on (indexes of migration 000008 and earlier), for a period and optionally an
//! organization:
//! - cases: the `(organization_id, created_at)` index for one organization; for the whole network a scan
//!   of the live cases, which the period cannot narrow (a case opened years ago is still in charge);
//! - interventions: `(organization_id, occurred_on)`, or for the whole network the covering
//!   `interventions_stats`, whose case is checked in the covering `cases_live` (migration 000014);
//! - referrals: `(sender_organization_id, requested_at)` or `(requested_at)`;
//! - activations: `(organization_id, requested_at)` or `(requested_at)`;
//! - desk contacts: `(organization_id, occurred_at)` or `(occurred_at)` (migration 000009);
//! - courses: `(organization_id, starts_on)` or `(starts_on)`, then each course's enrolments by the
//!   `(course_id, id)` index and their attendance by `(enrolment_id)` (migration 000013);
//!
//! then lookups of the case (in `cases_live` when only its deleted_at is read), the organization and the
//! provider of each row, and the
//! `(case_id, id)` index of family members for their count.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text, Timestamp};

use crate::db::DbConnection;
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::contact::ContactTopic;
use crate::domain::stats::{AGE_BANDS, Dataset, Dimension, MAX_DIMENSIONS, born_by};
use crate::error::{Error, Result};

/// What to count: a dataset over a period, grouped by up to [`MAX_DIMENSIONS`] dimensions.
#[derive(Debug, Clone)]
pub struct StatsRequest {
    pub dataset: Dataset,
    pub group_by: Vec<Dimension>,
    /// The period's days, both included (for dates such as an intervention's).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The same period as UTC instants, `[from_at, to_at)` (for times such as a referral's request).
    pub from_at: NaiveDateTime,
    pub to_at: NaiveDateTime,
    pub organization_id: Option<String>,
    pub desk_id: Option<String>,
    pub district: Option<String>,
    /// For what is overdue at the time of asking.
    pub now: NaiveDateTime,
}

/// One cell: its dimension values (in `group_by` order) and its figures (in [`Dataset::measures`] order;
/// counts are whole, medians in hours).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub key: Vec<Option<String>>,
    pub values: Vec<Option<f64>>,
}

/// The cells of the table (none without dimensions), ordered by their key, and the total over the period.
pub fn table(conn: &mut DbConnection, req: &StatsRequest) -> Result<(Vec<Cell>, Cell)> {
    if req.group_by.len() > MAX_DIMENSIONS {
        return Err(Error::internal("statistics", format!("{} dimensions", req.group_by.len())));
    }
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    // One snapshot for the cells, the medians and the total, so that they add up whatever commits meanwhile
    // (suppression relies on it). SQLite's read transaction is one already.
    conn.transaction(|c| {
        if postgres {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        // Without dimensions the only cell is the total.
        let cells = if req.group_by.is_empty() { vec![] } else { cells(c, req, &req.group_by, postgres)? };
        let total = cells_total(c, req, postgres)?;
        Ok((cells, total))
    })
}

/// SQLite's plan for the counts of `req` (one line per step), to check which indexes it uses; `None` on
/// PostgreSQL, whose plan depends on the table statistics.
pub fn sqlite_plan(conn: &mut DbConnection, req: &StatsRequest) -> Result<Option<Vec<String>>> {
    if matches!(conn, DbConnection::Postgresql(_)) {
        return Ok(None);
    }
    let mut sql = count_query(req, &req.group_by);
    sql.text.insert_str(0, "EXPLAIN QUERY PLAN ");
    let rows: Vec<PlanRow> = load(conn, &sql)?;
    Ok(Some(rows.into_iter().map(|r| r.detail).collect()))
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

fn cells_total(conn: &mut DbConnection, req: &StatsRequest, postgres: bool) -> Result<Cell> {
    let mut rows = cells(conn, req, &[], postgres)?;
    // An aggregate without GROUP BY always yields one row; the fallback is never taken.
    Ok(rows
        .pop()
        .unwrap_or_else(|| Cell { key: vec![], values: vec![Some(0.0); req.dataset.measures().len()] }))
}

fn cells(
    conn: &mut DbConnection,
    req: &StatsRequest,
    dims: &[Dimension],
    postgres: bool,
) -> Result<Vec<Cell>> {
    let counts: Vec<CountRow> = load(conn, &count_query(req, dims))?;
    let mut cells: Vec<Cell> = counts
        .into_iter()
        .map(|r| {
            let key = [r.d1, r.d2, r.d3].into_iter().take(dims.len()).collect();
            let values = [r.m1, r.m2, r.m3, r.m4, r.m5, r.m6].map(|v| Some(v as f64)).to_vec();
            Cell { key, values }
        })
        .collect();
    cells.sort_by(|a, b| a.key.cmp(&b.key));
    for median in medians(req.dataset) {
        let rows: Vec<MedianRow> = load(conn, &median_query(req, dims, median, postgres))?;
        let by_key: HashMap<Vec<Option<String>>, Option<f64>> = rows
            .into_iter()
            .map(|r| ([r.d1, r.d2, r.d3].into_iter().take(dims.len()).collect(), r.m))
            .collect();
        for cell in &mut cells {
            let hours = by_key.get(&cell.key).copied().flatten();
            cell.values.push(hours.map(|h| (h * 10.0).round() / 10.0));
        }
    }
    for cell in &mut cells {
        shape(req.dataset, &mut cell.values);
    }
    Ok(cells)
}

/// From the count slots and the medians to the dataset's measures, in order.
fn shape(dataset: Dataset, values: &mut Vec<Option<f64>>) {
    let n = dataset.measures().len();
    let medians = values.split_off(SLOTS);
    match dataset {
        Dataset::Cases => values.truncate(4),
        Dataset::Interventions | Dataset::Contacts => values.truncate(3),
        Dataset::Referrals => values.truncate(5),
        Dataset::Activations => {
            // people, activations, within deadline, overdue, then the compliance they give.
            values.truncate(4);
            let (within, overdue) = (values[2].unwrap_or(0.0), values[3].unwrap_or(0.0));
            let judged = within + overdue;
            values.push((judged > 0.0).then(|| (within * 1000.0 / judged).round() / 10.0));
        }
        Dataset::Courses => {
            // people, courses, enrolments, completions, then the attendance that marks and present give.
            let (marks, present) = (values[4].unwrap_or(0.0), values[5].unwrap_or(0.0));
            values.truncate(4);
            values.push(crate::domain::course::attendance_rate(present as i64, marks as i64));
        }
    }
    values.extend(medians);
    debug_assert_eq!(values.len(), n);
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Nullable<Text>)]
    d1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    d2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    d3: Option<String>,
    #[diesel(sql_type = BigInt)]
    m1: i64,
    #[diesel(sql_type = BigInt)]
    m2: i64,
    #[diesel(sql_type = BigInt)]
    m3: i64,
    #[diesel(sql_type = BigInt)]
    m4: i64,
    #[diesel(sql_type = BigInt)]
    m5: i64,
    #[diesel(sql_type = BigInt)]
    m6: i64,
}

#[derive(QueryableByName)]
struct MedianRow {
    #[diesel(sql_type = Nullable<Text>)]
    d1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    d2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    d3: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    m: Option<f64>,
}

/// SQL text with `$n` parameters, which both backends number the same way (SQLite in order of first
/// appearance: the text is written in order, so first appearances are in order too).
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn text(&mut self, v: &str) -> &mut Self {
        self.bind(Bind::Text(v.to_string()))
    }

    fn date(&mut self, v: NaiveDate) -> &mut Self {
        self.bind(Bind::Date(v))
    }

    fn at(&mut self, v: NaiveDateTime) -> &mut Self {
        self.bind(Bind::Timestamp(v))
    }
}

fn load<T>(conn: &mut DbConnection, sql: &Sql) -> Result<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    macro_rules! run {
        ($c:expr, $backend:ty) => {{
            let mut q = diesel::sql_query(sql.text.clone()).into_boxed::<$backend>();
            for b in &sql.binds {
                q = match b {
                    Bind::Text(v) => q.bind::<Text, _>(v.clone()),
                    Bind::Date(v) => q.bind::<Date, _>(*v),
                    Bind::Timestamp(v) => q.bind::<Timestamp, _>(*v),
                };
            }
            q.load::<T>($c)?
        }};
    }
    Ok(match conn {
        DbConnection::Postgresql(c) => run!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => run!(c, diesel::sqlite::Sqlite),
    })
}

/// How many count slots every count query has (m1..m6); unused ones are 0.
const SLOTS: usize = 6;

/// The grouped counts: dimension columns d1..d3 (NULL when unused) and the count slots m1..m6.
fn count_query(req: &StatsRequest, dims: &[Dimension]) -> Sql {
    let mut sql = Sql::default();
    sql.push("SELECT ");
    select_dimensions(&mut sql, req, dims);
    let slots = count_slots(req.dataset);
    // PostgreSQL sums a bigint into a numeric: every slot is cast back.
    for (i, slot) in slots.iter().enumerate() {
        sql.push(", CAST(");
        slot(&mut sql, req);
        sql.push(&format!(" AS BIGINT) AS m{}", i + 1));
    }
    for i in slots.len()..SLOTS {
        sql.push(&format!(", CAST(0 AS BIGINT) AS m{}", i + 1));
    }
    source(&mut sql, req, dims);
    group_by(&mut sql, dims);
    sql
}

/// One median per cell: the middle value(s) of each partition, ranked by a window function.
fn median_query(req: &StatsRequest, dims: &[Dimension], median: &Median, postgres: bool) -> Sql {
    let mut sql = Sql::default();
    sql.push(
        "SELECT d1, d2, d3, CAST(AVG(x) AS DOUBLE PRECISION) AS m FROM (SELECT d1, d2, d3, x, \
         ROW_NUMBER() OVER (PARTITION BY d1, d2, d3 ORDER BY x) AS rn, \
         COUNT(*) OVER (PARTITION BY d1, d2, d3) AS n FROM (SELECT ",
    );
    select_dimensions(&mut sql, req, dims);
    sql.push(", ");
    sql.push(&hours_between(median.start, median.end, postgres));
    sql.push(" AS x");
    source(&mut sql, req, dims);
    sql.push(" AND ");
    sql.push(median.condition);
    // rn is the middle row (odd n) or one of the two middle rows (even n).
    sql.push(") base) ranked WHERE rn * 2 >= n AND rn * 2 <= n + 2 GROUP BY d1, d2, d3");
    sql
}

fn hours_between(start: &str, end: &str, postgres: bool) -> String {
    if postgres {
        format!("EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0")
    } else {
        format!("(julianday({end}) - julianday({start})) * 24.0")
    }
}

fn select_dimensions(sql: &mut Sql, req: &StatsRequest, dims: &[Dimension]) {
    for i in 0..MAX_DIMENSIONS {
        if i > 0 {
            sql.push(", ");
        }
        match dims.get(i) {
            Some(dim) => dimension(sql, req, *dim),
            None => {
                sql.push("CAST(NULL AS TEXT)");
            }
        }
        sql.push(&format!(" AS d{}", i + 1));
    }
}

fn group_by(sql: &mut Sql, dims: &[Dimension]) {
    if !dims.is_empty() {
        let positions: Vec<String> = (1..=dims.len()).map(|p| p.to_string()).collect();
        sql.push(" GROUP BY ");
        sql.push(&positions.join(", "));
    }
}

/// The column or expression of a dimension. Aliases: `c` case, `o` the counting organization, `i`
/// intervention, `r` referral, `p` provider, `a` activation, `n` need, `k` desk contact, `t` its topic,
/// `cr` course, `en` enrolment.
fn dimension(sql: &mut Sql, req: &StatsRequest, dim: Dimension) {
    use Dimension::*;
    let column = match (req.dataset, dim) {
        (_, Organization) => "o.id",
        (_, District) => "o.district",
        (Dataset::Contacts, Desk) => "k.desk_id",
        (Dataset::Contacts, Citizenship) => "k.citizenship",
        (Dataset::Contacts, Sex) => "k.sex",
        // A contact's band was taken on its day (its profile holds no birth date).
        (Dataset::Contacts, AgeBand) => "k.age_band",
        (Dataset::Contacts, Channel) => "k.channel",
        (Dataset::Contacts, Topic) => "t.code",
        (Dataset::Courses, Desk) => "cr.desk_id",
        (Dataset::Courses, Language) => "cr.language",
        (Dataset::Courses, Level) => "cr.level",
        (Dataset::Courses, Audience) => "cr.audience",
        // Dates are ISO text on both backends (PostgreSQL's default DateStyle): the year is the first four.
        (Dataset::Courses, Year) => "SUBSTR(CAST(cr.starts_on AS TEXT), 1, 4)",
        (Dataset::Courses, Outcome) => "en.status",
        (_, Desk) => "c.desk_id",
        (Dataset::Cases, Status) => "c.status",
        (_, Citizenship) => "c.citizenship",
        (_, Sex) => "c.sex",
        (_, LegalStatus) => "c.legal_status",
        (_, ResidenceMunicipality) => "c.residence_municipality",
        (Dataset::Cases, Need) => "n.code",
        (Dataset::Referrals, Need) => "r.need",
        (Dataset::Interventions, Kind) => "i.kind",
        (Dataset::Activations, Kind) => "a.kind",
        (_, Provider) => "p.id",
        (_, ProviderCategory) => "p.category",
        (Dataset::Referrals, Outcome) => "r.status",
        (Dataset::Activations, Outcome) => "a.status",
        (Dataset::Referrals, Urgency) => "r.urgency",
        (Dataset::Activations, Urgency) => "a.urgency",
        (_, Language) => "a.language",
        (_, Sector) => "a.sector",
        (_, AgeBand) => return age_band(sql, req.to),
        // parse_group_by only lets through a dataset's own dimensions.
        _ => "CAST(NULL AS TEXT)",
    };
    sql.push(column);
}

/// The band of the person's age on `on`.
fn age_band(sql: &mut Sql, on: NaiveDate) {
    sql.push("CASE WHEN c.birth_date IS NULL THEN NULL");
    for pair in AGE_BANDS.windows(2) {
        let ((_, band), (next_lowest, _)) = (pair[0], pair[1]);
        // Younger than the next band's lowest age: born after the last birth date of that age.
        sql.push(" WHEN c.birth_date > ").date(born_by(on, next_lowest)).push(&format!(" THEN '{band}'"));
    }
    let oldest = AGE_BANDS.last().map_or("", |(_, band)| band);
    sql.push(&format!(" ELSE '{oldest}' END"));
}

type Slot = fn(&mut Sql, &StatsRequest);

/// The counted figures of each dataset, in the order of its measures.
fn count_slots(dataset: Dataset) -> &'static [Slot] {
    match dataset {
        Dataset::Cases => &[
            |s, _| {
                s.push("COUNT(*)");
            },
            |s, r| {
                s.push("COALESCE(SUM(CASE WHEN c.created_at >= ")
                    .at(r.from_at)
                    .push(" THEN 1 ELSE 0 END), 0)");
            },
            |s, r| {
                s.push("COALESCE(SUM(CASE WHEN c.status = 'closed' AND c.closed_at < ")
                    .at(r.to_at)
                    .push(" THEN 1 ELSE 0 END), 0)");
            },
            |s, _| {
                s.push(
                    "COALESCE(SUM((SELECT COUNT(*) FROM family_members f \
                     WHERE f.case_id = c.id AND f.deleted_at IS NULL)), 0)",
                );
            },
        ],
        Dataset::Interventions => &[
            |s, _| {
                s.push("COUNT(DISTINCT i.case_id)");
            },
            |s, _| {
                s.push("COUNT(*)");
            },
            |s, _| {
                s.push("COALESCE(SUM(i.duration_minutes), 0)");
            },
        ],
        Dataset::Referrals => &[
            |s, _| {
                s.push("COUNT(DISTINCT r.case_id)");
            },
            |s, _| {
                s.push("COUNT(*)");
            },
            |s, _| {
                s.push(&format!("COALESCE(SUM(CASE WHEN {ACCEPTED} THEN 1 ELSE 0 END), 0)"));
            },
            |s, _| {
                s.push("COALESCE(SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END), 0)");
            },
            |s, _| {
                s.push("COALESCE(SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END), 0)");
            },
        ],
        Dataset::Activations => &[
            // An interview without a case is one person.
            |s, _| {
                s.push("COUNT(DISTINCT COALESCE(a.case_id, a.id))");
            },
            |s, _| {
                s.push("COUNT(*)");
            },
            |s, _| {
                s.push(
                    "COALESCE(SUM(CASE WHEN a.confirmed_at IS NOT NULL AND a.confirmed_at <= a.deadline_at \
                     THEN 1 ELSE 0 END), 0)",
                );
            },
            // As the SLA endpoint: past the deadline without a confirmation by then — confirmed late, still
            // waiting, or cancelled after it.
            |s, r| {
                s.push("COALESCE(SUM(CASE WHEN a.deadline_at < ").at(r.now).push(
                    " AND (a.confirmed_at > a.deadline_at OR (a.confirmed_at IS NULL AND \
                         (a.status IN ('requested', 'assigned', 'declined') OR \
                         (a.status = 'cancelled' AND a.updated_at > a.deadline_at)))) \
                         THEN 1 ELSE 0 END), 0)",
                );
            },
        ],
        Dataset::Contacts => &[
            |s, _| {
                s.push("COUNT(*)");
            },
            |s, _| {
                s.push("COALESCE(SUM(CASE WHEN k.opened_case_at IS NOT NULL THEN 1 ELSE 0 END), 0)");
            },
            |s, _| {
                s.push(
                    "COALESCE(SUM(CASE WHEN k.provider_id IS NOT NULL OR k.orientation IS NOT NULL \
                     THEN 1 ELSE 0 END), 0)",
                );
            },
        ],
        Dataset::Courses => &[
            // A person enrolled in several courses of a cell is one person.
            |s, _| {
                s.push("COUNT(DISTINCT en.person_id)");
            },
            |s, _| {
                s.push("COUNT(DISTINCT cr.id)");
            },
            // Enrolments that got a place (at once or from the waiting list), whatever came after.
            |s, _| {
                s.push("COALESCE(SUM(CASE WHEN en.enrolled_at IS NOT NULL THEN 1 ELSE 0 END), 0)");
            },
            |s, _| {
                s.push("COALESCE(SUM(CASE WHEN en.status = 'completed' THEN 1 ELSE 0 END), 0)");
            },
            |s, _| {
                s.push(
                    "COALESCE(SUM((SELECT COUNT(*) FROM course_attendance am WHERE am.enrolment_id = en.id)), 0)",
                );
            },
            |s, _| {
                s.push(
                    "COALESCE(SUM((SELECT COUNT(*) FROM course_attendance am WHERE am.enrolment_id = en.id \
                     AND am.status = 'present')), 0)",
                );
            },
        ],
    }
}

/// A referral the provider accepted, whatever happened next (answered, and not by a rejection).
const ACCEPTED: &str = "r.answered_at IS NOT NULL AND r.status <> 'rejected'";

struct Median {
    start: &'static str,
    end: &'static str,
    condition: &'static str,
}

fn medians(dataset: Dataset) -> &'static [Median] {
    match dataset {
        Dataset::Cases | Dataset::Interventions | Dataset::Contacts | Dataset::Courses => &[],
        Dataset::Referrals => &[
            Median { start: "r.requested_at", end: "r.answered_at", condition: ACCEPTED },
            Median { start: "r.requested_at", end: "r.closed_at", condition: "r.status = 'completed'" },
        ],
        Dataset::Activations => &[Median {
            start: "a.requested_at",
            end: "a.confirmed_at",
            condition: "a.confirmed_at IS NOT NULL",
        }],
    }
}

/// FROM and WHERE: the dataset's rows in the period, within the requested organization, desk and district.
fn source(sql: &mut Sql, req: &StatsRequest, dims: &[Dimension]) {
    let organization_column = match req.dataset {
        Dataset::Cases => {
            sql.push(" FROM cases c JOIN organizations o ON o.id = c.organization_id");
            if dims.contains(&Dimension::Need) {
                // Needs are stored as a JSON array of codes: one row per (case, need) it lists.
                sql.push(&format!(
                    " JOIN ({}) n ON c.needs LIKE '%\"' || n.code || '\"%'",
                    code_table(Need::ALL)
                ));
            }
            sql.push(" WHERE c.deleted_at IS NULL AND c.created_at < ")
                .at(req.to_at)
                .push(" AND (c.closed_at IS NULL OR c.closed_at >= ")
                .at(req.from_at)
                .push(")");
            "c.organization_id"
        }
        Dataset::Interventions => {
            sql.push(
                " FROM interventions i JOIN cases c ON c.id = i.case_id \
                 JOIN organizations o ON o.id = i.organization_id \
                 WHERE i.deleted_at IS NULL AND c.deleted_at IS NULL AND i.occurred_on >= ",
            )
            .date(req.from)
            .push(" AND i.occurred_on <= ")
            .date(req.to);
            "i.organization_id"
        }
        Dataset::Referrals => {
            sql.push(
                " FROM referrals r JOIN cases c ON c.id = r.case_id JOIN providers p ON p.id = r.provider_id \
                 JOIN organizations o ON o.id = r.sender_organization_id \
                 WHERE c.deleted_at IS NULL AND r.requested_at >= ",
            )
            .at(req.from_at)
            .push(" AND r.requested_at < ")
            .at(req.to_at);
            "r.sender_organization_id"
        }
        Dataset::Activations => {
            sql.push(
                " FROM activations a LEFT JOIN cases c ON c.id = a.case_id \
                 JOIN organizations o ON o.id = a.organization_id \
                 WHERE (a.case_id IS NULL OR c.deleted_at IS NULL) AND a.requested_at >= ",
            )
            .at(req.from_at)
            .push(" AND a.requested_at < ")
            .at(req.to_at);
            "a.organization_id"
        }
        Dataset::Contacts => {
            sql.push(" FROM desk_contacts k JOIN organizations o ON o.id = k.organization_id");
            if dims.contains(&Dimension::Topic) {
                // Topics are stored as a JSON array of codes: one row per (contact, topic) it lists.
                sql.push(&format!(
                    " JOIN ({}) t ON k.topics LIKE '%\"' || t.code || '\"%'",
                    code_table(ContactTopic::ALL)
                ));
            }
            sql.push(" WHERE k.deleted_at IS NULL AND k.occurred_at >= ")
                .at(req.from_at)
                .push(" AND k.occurred_at < ")
                .at(req.to_at);
            "k.organization_id"
        }
        Dataset::Courses => {
            // Courses without enrolments count as courses; the enrolments of deleted cases do not count.
            sql.push(
                " FROM courses cr JOIN organizations o ON o.id = cr.organization_id \
                 LEFT JOIN enrolments en ON en.course_id = cr.id AND EXISTS (SELECT 1 FROM cases c \
                 WHERE c.id = en.case_id AND c.deleted_at IS NULL) \
                 WHERE cr.status <> 'cancelled' AND cr.starts_on <= ",
            )
            .date(req.to)
            .push(" AND cr.ends_on >= ")
            .date(req.from);
            "cr.organization_id"
        }
    };
    if let Some(org) = &req.organization_id {
        sql.push(&format!(" AND {organization_column} = ")).text(org);
    }
    if let Some(desk) = &req.desk_id {
        sql.push(match req.dataset {
            Dataset::Contacts => " AND k.desk_id = ",
            Dataset::Courses => " AND cr.desk_id = ",
            _ => " AND c.desk_id = ",
        })
        .text(desk);
    }
    if let Some(district) = &req.district {
        sql.push(" AND o.district = ").text(district);
    }
}

/// A derived table of codes (`SELECT 'a' AS code UNION ALL …`), whitelisted by the enum.
fn code_table<T: Code>(codes: &[T]) -> String {
    codes.iter().map(|c| format!("SELECT '{}' AS code", c.as_str())).collect::<Vec<_>>().join(" UNION ALL ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(dataset: Dataset, group_by: Vec<Dimension>) -> StatsRequest {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        StatsRequest {
            dataset,
            group_by,
            from: day(1),
            to: day(31),
            from_at: day(1).and_hms_opt(0, 0, 0).unwrap(),
            to_at: day(31).and_hms_opt(23, 0, 0).unwrap(),
            organization_id: Some("org".into()),
            desk_id: None,
            district: Some("Crema".into()),
            now: day(31).and_hms_opt(0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn parameters_are_numbered_in_order_and_values_never_inlined() {
        let req = request(Dataset::Cases, vec![Dimension::AgeBand, Dimension::Need]);
        let sql = count_query(&req, &req.group_by);
        let mut last = 0;
        let mut rest = sql.text.as_str();
        while let Some(at) = rest.find('$') {
            let digits: String = rest[at + 1..].chars().take_while(char::is_ascii_digit).collect();
            let n: usize = digits.parse().unwrap();
            assert_eq!(n, last + 1, "{}", sql.text);
            last = n;
            rest = &rest[at + 1..];
        }
        assert_eq!(last, sql.binds.len());
        assert!(!sql.text.contains("Crema") && !sql.text.contains("'org'"));
        assert!(sql.text.ends_with("GROUP BY 1, 2"));
    }

    #[test]
    fn every_dimension_of_every_dataset_has_a_column() {
        for dataset in Dataset::ALL {
            for dim in dataset.dimensions() {
                let mut sql = Sql::default();
                dimension(&mut sql, &request(*dataset, vec![*dim]), *dim);
                assert_ne!(sql.text, "CAST(NULL AS TEXT)", "{dataset} {dim}");
            }
        }
    }
}
