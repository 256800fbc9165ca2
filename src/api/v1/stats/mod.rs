//! `/api/v1/stats`: aggregate figures for planners and coordinators. The database groups and counts
//! (`db::stats`); small cells are suppressed for analysts (`domain::stats`); JSON, or CSV on request.

pub mod dto;

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use chrono::{Datelike, NaiveDate};

use dto::{
    ActivationGroupBy, CaseGroupBy, ContactGroupBy, CourseGroupBy, InterventionGroupBy, ReferralGroupBy,
};
pub use dto::{StatsParams, StatsRow, StatsTable, Suppression};

use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::stats::{self as repo, Cell, StatsRequest};
use crate::domain::role::Role;
use crate::domain::stats::{Dataset, Dimension, THRESHOLD, Unit, protect};
use crate::domain::{Code, local_time};
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiQuery, csv};

/// People taken in charge
///
/// Cases in charge at any time in the period (opened by its end and not closed before its start), with
/// how many were opened (`new`) and closed in it, and their family members. Grouped by any of:
/// organization, desk, district, status, citizenship, sex, age_band (age at the end of the period),
/// legal_status, residence_municipality, need (a case counts once under each need it lists).
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, CaseGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "citizenship,in_charge,new,closed,family_members\r\nMA,41,12,9,57\r\nSN,c,c,c,c\r\n(total),212,64,51,268\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/cases")]
pub async fn case_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<CaseGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Cases, params.into_inner(), group.into_inner().group_by).await
}

/// Interventions
///
/// Interventions made in the period: the people they were for, how many, and their minutes. Grouped by
/// any of: kind, organization (that made them), desk, district, and the person's citizenship, sex,
/// age_band, legal_status, residence_municipality.
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, InterventionGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "kind,people,interventions,minutes\r\nlistening,88,140,4200\r\n(total),150,410,13020\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/interventions")]
pub async fn intervention_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<InterventionGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Interventions, params.into_inner(), group.into_inner().group_by)
        .await
}

/// Referrals
///
/// Referrals sent in the period: the people referred, how many referrals, how many the provider
/// accepted, rejected and completed, and the median hours from the request to acceptance and to
/// completion. Grouped by any of: provider_category, provider, outcome (the current status), need,
/// urgency, organization (the sender), desk, district, and the person's citizenship, sex, age_band,
/// legal_status.
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, ReferralGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "provider_category,people,referrals,accepted,rejected,completed,median_hours_to_acceptance,median_hours_to_completion\r\nhealth_authority,23,25,20,2,14,30.5,212\r\n(total),96,104,80,9,51,26,190.5\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/referrals")]
pub async fn referral_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<ReferralGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Referrals, params.into_inner(), group.into_inner().group_by).await
}

/// Activations of professionals
///
/// Requests for a mediator, interpreter or lawyer made in the period: the people concerned, how many,
/// how many were confirmed by their 24/48-hour deadline, how many are overdue, the SLA compliance
/// (within deadline ÷ (within deadline + overdue), in percent) and the median hours to confirmation.
/// Grouped by any of: kind, language, sector, urgency, outcome (the current status), organization,
/// district.
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, ActivationGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "language,people,activations,confirmed_within_deadline,overdue,sla_compliance_percent,median_hours_to_confirmation\r\nar,18,22,19,2,90.5,7.5\r\n(total),61,70,58,9,86.6,9\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/activations")]
pub async fn activation_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<ActivationGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Activations, params.into_inner(), group.into_inner().group_by)
        .await
}

/// Desk contacts
///
/// The front office's contacts in the period (most of them people without a case file): how many, how many
/// a case was opened from, and how many were oriented to a provider or an office. Grouped by any of: desk,
/// organization, district, channel, topic (a contact counts once under each topic it lists), and the
/// anonymous profile's citizenship, sex and age_band (taken on the day of the contact).
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, ContactGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "topic,contacts,cases_opened,oriented\r\nresidence_permit,310,22,140\r\n(total),842,61,377\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/contacts")]
pub async fn contact_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<ContactGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Contacts, params.into_inner(), group.into_inner().group_by).await
}

/// Courses
///
/// Language and literacy courses running at some time in the period (cancelled ones left out): the people
/// enrolled (beneficiaries and family members, waiting list included, each counted once), the courses,
/// the enrolments that got a place, the completions, and the attendance (present ÷ marks recorded, in
/// percent). Grouped by any of: organization (the organizer), district, desk, language, level, audience,
/// year (of the course's start), outcome (the enrolment's current status).
#[utoipa::path(
    tag = "statistics",
    params(StatsParams, CourseGroupBy),
    responses((status = 200, description = "The table", content(
        (StatsTable = "application/json"),
        (String = "text/csv", example = "level,people,courses,enrolments,completions,attendance_percent\r\na1,34,3,31,22,81.4\r\n(total),61,5,55,38,79.9\r\n")
    ))),
    security(("bearer" = []))
)]
#[get("/courses")]
pub async fn course_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: ApiQuery<StatsParams>,
    group: ApiQuery<CourseGroupBy>,
) -> Result<HttpResponse> {
    answer(&state, &caller, &req, Dataset::Courses, params.into_inner(), group.into_inner().group_by).await
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/stats")
            .service(case_statistics)
            .service(intervention_statistics)
            .service(referral_statistics)
            .service(activation_statistics)
            .service(contact_statistics)
            .service(course_statistics),
    );
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    dataset: Dataset,
    q: StatsParams,
    group_by: Option<String>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::StatsRead)?;
    let group_by = dataset
        .parse_group_by(group_by.as_deref().unwrap_or(""))
        .map_err(|message| Error::InvalidQuery(vec![FieldError::new("group_by", "invalid", message)]))?;
    let now = state.clock.now();
    let today = local_time::italian(now).date();
    let from = q.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    crate::http::json::check_period(Some(from), Some(to), "from", "to")?;
    let organization_id = policy::figures_organization(&caller.principal, q.organization_id)?;
    let mut table = StatsTable {
        dataset,
        from,
        to,
        organization_id,
        desk_id: q.desk_id.map(|d| d.to_string()),
        district: q.district,
        group_by,
        measures: dataset.measures().iter().map(|m| m.name.to_string()).collect(),
        suppression: Suppression {
            applied: caller.principal.role == Role::Analyst || q.suppress == Some(true),
            threshold: THRESHOLD,
            hidden_values: 0,
        },
        rows: vec![],
        total: StatsRow::default(),
    };
    let request = StatsRequest {
        dataset,
        group_by: table.group_by.clone(),
        from,
        to,
        from_at: local_time::day_start_utc(from),
        to_at: local_time::day_start_utc(to.succ_opt().unwrap_or(to)),
        organization_id: table.organization_id.clone(),
        desk_id: table.desk_id.clone(),
        district: table.district.clone(),
        now,
    };
    let (cells, total) = state.db.run(move |c| repo::table(c, &request)).await?;
    fill(&mut table, cells, total);
    // The representation depends on Accept: caches must keep JSON and CSV apart.
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    if csv::wanted(req) {
        let name = format!("{}-{from}-{to}.csv", dataset.as_str());
        return Ok(response
            .content_type(csv::MEDIA_TYPE)
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
            .body(to_csv(&table)));
    }
    Ok(response.json(&table))
}

/// The rows and the total of a table from the database's cells, suppressed if the table says so.
fn fill(table: &mut StatsTable, cells: Vec<Cell>, mut total: Cell) {
    let keys: Vec<Vec<Option<String>>> = cells.iter().map(|c| c.key.clone()).collect();
    let mut values: Vec<Vec<Option<f64>>> = cells.into_iter().map(|c| c.values).collect();
    let before: Vec<Vec<Option<f64>>> = values.clone();
    let total_before = total.values.clone();
    if table.suppression.applied {
        table.suppression.hidden_values = protect(table.dataset, &keys, &mut values, &mut total.values);
    }
    let (dataset, group_by) = (table.dataset, table.group_by.clone());
    table.rows = keys
        .into_iter()
        .zip(values.into_iter().zip(before))
        .map(|(k, (v, b))| row(dataset, &group_by, k, v, &b))
        .collect();
    table.total = row(dataset, &[], vec![], total.values, &total_before);
}

fn row(
    dataset: Dataset,
    group_by: &[Dimension],
    key: Vec<Option<String>>,
    values: Vec<Option<f64>>,
    before_suppression: &[Option<f64>],
) -> StatsRow {
    let dimensions = group_by.iter().map(|d| d.as_str()).zip(key).collect();
    let measures = dataset.measures();
    let suppressed = measures
        .iter()
        .zip(values.iter().zip(before_suppression))
        .filter(|(_, (now, before))| now.is_none() && before.is_some())
        .map(|(m, _)| m.name)
        .collect();
    let values = measures
        .iter()
        .zip(values)
        .map(|(m, v)| {
            let number = v.and_then(|v| match m.unit {
                Unit::Count => Some(serde_json::Number::from(v as i64)),
                Unit::Hours | Unit::Percent => serde_json::Number::from_f64(v),
            });
            (m.name, number)
        })
        .collect::<BTreeMap<_, _>>();
    StatsRow { dimensions, values, suppressed }
}

/// Header, one line per row, then the total; suppressed figures are `c` (confidential).
fn to_csv(table: &StatsTable) -> String {
    let mut header: Vec<&str> = table.group_by.iter().map(|d| d.as_str()).collect();
    header.extend(table.measures.iter().map(String::as_str));
    let mut out = csv::line(&header);
    let figures = |r: &StatsRow| -> Vec<String> {
        table
            .measures
            .iter()
            .map(|m| match r.values.get(m.as_str()) {
                Some(Some(n)) => n.to_string(),
                _ if r.suppressed.contains(&m.as_str()) => "c".to_string(),
                _ => String::new(),
            })
            .collect()
    };
    for r in &table.rows {
        let mut cells: Vec<String> = table
            .group_by
            .iter()
            .map(|d| r.dimensions.get(d.as_str()).cloned().flatten().unwrap_or_default())
            .collect();
        cells.extend(figures(r));
        out.push_str(&csv::line(&cells));
    }
    let mut total: Vec<String> = table.group_by.iter().map(|_| "(total)".to_string()).collect();
    total.extend(figures(&table.total));
    out.push_str(&csv::line(&total));
    out
}
