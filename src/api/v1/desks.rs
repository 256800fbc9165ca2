//! `/api/v1/desks`: service points (sportelli) and their weekly opening hours.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::opening_hours::OpeningHours;
use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::{self, audit::AuditEvent, desks as repo, desks::DeskRow, desks::OpeningHoursRow};
use crate::domain::person::{normalize_languages, validate_languages, validate_name, validate_text};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

/// Validates a timetable and turns it into rows of a desk.
fn hours_rows(desk_id: &str, hours: &[OpeningHours]) -> Result<Vec<OpeningHoursRow>> {
    OpeningHours::check_all(hours, "opening_hours")?;
    Ok(hours
        .iter()
        .enumerate()
        .map(|(i, h)| OpeningHoursRow {
            id: db::new_id(),
            desk_id: desk_id.to_string(),
            position: i as i32,
            weekday: i32::from(h.weekday),
            opens: h.opens,
            closes: h.closes,
            valid_from: h.valid_from,
            valid_to: h.valid_to,
            notes: h.notes.clone(),
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a20", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "name": "Sportello immigrati — Via Aselli", "address": "Via Aselli 13/D, 26100 Cremona", "municipality": "Cremona",
    "languages": ["it", "en", "fr", "ar"], "phone": "+39 0372 407111", "email": null, "notes": null, "active": true,
    "opening_hours": [{"weekday": 3, "opens": "12:00", "closes": "15:00"}, {"weekday": 4, "opens": "08:30", "closes": "12:00"}],
    "appointment_minutes": 30, "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct Desk {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub municipality: Option<String>,
    /// ISO 639 codes of the languages spoken at the desk.
    pub languages: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    pub opening_hours: Vec<OpeningHours>,
    /// The length of an appointment slot; slots run from each opening time.
    pub appointment_minutes: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Desk {
    fn from_rows((r, hours): repo::DeskWithHours) -> Result<Self> {
        Ok(Desk {
            languages: db::from_json_text(&r.languages)?,
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            address: r.address,
            municipality: r.municipality,
            phone: r.phone,
            email: r.email,
            notes: r.notes,
            active: r.active,
            opening_hours: hours
                .into_iter()
                .map(|h| {
                    OpeningHours::from_stored(h.weekday, h.opens, h.closes, h.valid_from, h.valid_to, h.notes)
                })
                .collect(),
            appointment_minutes: r.appointment_minutes,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Sportello immigrati — Via Aselli", "address": "Via Aselli 13/D, 26100 Cremona", "municipality": "Cremona",
    "languages": ["it", "en", "fr"],
    "opening_hours": [{"weekday": 3, "opens": "12:00", "closes": "15:00"}, {"weekday": 4, "opens": "08:30", "closes": "12:00"}]
}))]
pub struct CreateDesk {
    /// Defaults to the caller's organization; admins may name another.
    pub organization_id: Option<uuid::Uuid>,
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name")]
    pub name: String,
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<String>,
    #[serde(default)]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Vec<crate::domain::language::LanguageCode>, max_items = 30)]
    pub languages: Vec<String>,
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(max_length = 2000, format = "sportello:text")]
    pub notes: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub opening_hours: Vec<OpeningHours>,
    /// The length of an appointment slot (default 30).
    #[validate(range(min = 5, max = 240))]
    #[schema(minimum = 5, maximum = 240, example = 30)]
    pub appointment_minutes: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opening_hours": [{"weekday": 1, "opens": "09:00", "closes": "12:00"}], "active": true}))]
pub struct UpdateDesk {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 2, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 2, max_length = 200, format = "sportello:name", nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 300), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, format = "sportello:name")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, format = "sportello:name")]
    pub municipality: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 30), custom(function = "validate_languages"))]
    #[schema(value_type = Option<Vec<crate::domain::language::LanguageCode>>, max_items = 30, nullable = false)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(min = 3, max = 40), custom(function = "validate_name"))]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 40, format = "sportello:name")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(length(max = 2000), custom(function = "validate_text"))]
    #[schema(value_type = Option<String>, max_length = 2000, format = "sportello:text")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// Replaces the whole timetable.
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50, nullable = false)]
    pub opening_hours: Option<Vec<OpeningHours>>,
    /// Applies to appointments booked from now on.
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(range(min = 5, max = 240))]
    #[schema(minimum = 5, maximum = 240, nullable = false)]
    pub appointment_minutes: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskQuery {
    /// Only desks of this organization.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only desks in this municipality (exact name).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "Cremona", min_length = 1, max_length = 100, pattern = "^[^\\u0000]*$")]
    pub municipality: Option<String>,
    /// Only active (true) or inactive (false) desks.
    #[param(example = true)]
    pub active: Option<bool>,
}

/// List desks
///
/// The directory of desks is readable by every authenticated role.
#[utoipa::path(
    tag = "desks",
    params(DeskQuery, PageParams),
    responses((status = 200, description = "A page of desks", body = Page<Desk>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_desks(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<DeskQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let filter = repo::DeskFilter {
        organization_id: q.organization_id.map(|o| o.to_string()),
        municipality: q.municipality,
        active: q.active,
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |(d, _)| d.id.as_str(), Desk::from_rows)?))
}

/// Create a desk
///
/// Admins in any organization, coordinators in their own.
#[utoipa::path(
    tag = "desks",
    request_body = CreateDesk,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = Desk, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_desk(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateDesk>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskManage)?;
    let b = body.into_inner();
    let organization_id =
        b.organization_id.map(|o| o.to_string()).unwrap_or_else(|| caller.principal.organization_id.clone());
    policy::require_manage_organization(&caller.principal, &organization_id)?;
    let now = db::now();
    let desk = DeskRow {
        id: db::new_id(),
        organization_id,
        name: crate::domain::text::clean(&b.name),
        address: b.address,
        municipality: b.municipality,
        languages: db::to_json_text(&normalize_languages(&b.languages))?,
        phone: b.phone,
        email: b.email,
        notes: b.notes,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        appointment_minutes: b.appointment_minutes.unwrap_or(30),
    };
    let hours = hours_rows(&desk.id, &b.opening_hours)?;
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                db::organizations::find(c, &desk.organization_id)?
                    .ok_or_else(|| Error::invalid("organization_id", "not_found", "no such organization"))?;
                repo::insert(c, &desk, &hours)?;
                db::audit::record(c, &AuditEvent::by(&caller, "desk.create", "desk", Some(&desk.id)))?;
                Ok((desk, hours))
            })
        })
        .await?;
    let location = format!("/api/v1/desks/{}", saved.0.id);
    Ok(respond::created(location, &Desk::from_rows(saved)?, 1))
}

/// Get a desk
///
/// With its weekly opening hours. Readable by every authenticated role.
#[utoipa::path(
    tag = "desks",
    params(("id" = uuid::Uuid, Path, description = "Desk id")),
    responses((status = 200, description = "The desk", body = Desk, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_desk(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskRead)?;
    let id = id.into_inner().to_string();
    let rows = state.db.run(move |c| repo::get(c, &id)).await?;
    let version = rows.0.version;
    Ok(respond::ok_versioned(&Desk::from_rows(rows)?, version))
}

/// Update a desk
///
/// JSON merge patch with `If-Match`; `opening_hours`, when present, replaces the whole timetable.
#[utoipa::path(
    tag = "desks",
    params(("id" = uuid::Uuid, Path, description = "Desk id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateDesk, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Desk, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_desk(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateDesk>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskManage)?;
    let expected = if_match.required()?;
    let (id, p) = (id.into_inner().to_string(), body.into_inner());
    let new_hours = p.opening_hours.as_deref().map(|h| hours_rows(&id, h)).transpose()?;
    let saved = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (mut desk, hours) = repo::get(c, &id)?;
                policy::require_manage_organization(&caller.principal, &desk.organization_id)?;
                check_version(Some(expected), desk.version)?;
                if let Some(name) = &p.name {
                    desk.name = crate::domain::text::clean(name);
                }
                patch::apply(&mut desk.address, p.address);
                patch::apply(&mut desk.municipality, p.municipality);
                if let Some(languages) = &p.languages {
                    desk.languages = db::to_json_text(&normalize_languages(languages))?;
                }
                patch::apply(&mut desk.phone, p.phone);
                patch::apply(&mut desk.email, p.email);
                patch::apply(&mut desk.notes, p.notes);
                patch::set(&mut desk.active, p.active);
                patch::set(&mut desk.appointment_minutes, p.appointment_minutes);
                desk.version += 1;
                desk.updated_at = db::now();
                repo::save(c, &desk, expected, new_hours.as_deref())?;
                db::audit::record(c, &AuditEvent::by(&caller, "desk.update", "desk", Some(&desk.id)))?;
                Ok((desk, new_hours.unwrap_or(hours)))
            })
        })
        .await?;
    let version = saved.0.version;
    Ok(respond::ok_versioned(&Desk::from_rows(saved)?, version))
}

/// Delete a desk
///
/// Only while no case, contact or appointment refers to it (409 otherwise: deactivate it instead).
#[utoipa::path(
    tag = "desks",
    params(("id" = uuid::Uuid, Path, description = "Desk id")),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Still in use", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_desk(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskManage)?;
    let id = id.into_inner().to_string();
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (desk, _) = repo::get(c, &id)?;
                policy::require_manage_organization(&caller.principal, &desk.organization_id)?;
                repo::delete(c, &id)?;
                db::audit::record(c, &AuditEvent::by(&caller, "desk.delete", "desk", Some(&id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/desks")
            .service(list_desks)
            .service(create_desk)
            .service(get_desk)
            .service(update_desk)
            .service(delete_desk)
            .configure(crate::api::v1::appointments::routes),
    );
}
