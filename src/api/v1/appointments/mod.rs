//! `/api/v1/desks/{desk_id}/...`: appointments at a desk inside its opening hours, the free slots, the
//! day's agenda, and the days the desk is closed.

pub mod closures;
pub mod dto;

use actix_web::{HttpResponse, get, post, web};
use chrono::{Days, NaiveDate, NaiveDateTime};

pub use dto::{
    Agenda, AgendaQuery, Appointment, BookAppointment, ChangeAppointmentStatus, Closure, ClosureQuery,
    Closures, CreateClosure, FreeSlots, Slot, SlotQuery,
};

use crate::api::v1::contacts::linkable_case;
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::appointments::AppointmentRow;
use crate::db::desks::DeskWithHours;
use crate::db::{self, DbConnection, appointments as repo, audit, audit::AuditEvent};
use crate::domain::Code;
use crate::domain::appointment::{self as rules, AppointmentStatus};
use crate::domain::desk::OpeningSlot;
use crate::domain::local_time::{day_start_utc, italian, italian_to_utc};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::http::{ApiJson, ApiQuery, respond};

/// The longest range of free slots one request may ask for.
const MAX_SLOT_DAYS: u64 = 62;

type DeskPath = web::Path<uuid::Uuid>;
type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// The desk, if the caller's organization runs it (any desk for an admin): its appointments are its own.
fn own_desk(c: &mut DbConnection, caller: &Caller, desk_id: &str) -> Result<DeskWithHours> {
    let desk = db::desks::get(c, desk_id)?;
    if caller.principal.role != Role::Admin && desk.0.organization_id != caller.principal.organization_id {
        return Err(Error::NotFound);
    }
    Ok(desk)
}

/// UTC bounds of Italian calendar days `[first, last]`.
pub(crate) fn days_utc(first: NaiveDate, last: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    (day_start_utc(first), day_start_utc(last.succ_opt().unwrap_or(last)))
}

/// The slots the desk offers on `day`, as UTC instants, given its closures from that day on.
fn offered((desk, hours): &DeskWithHours, closures: &[rules::Closure], day: NaiveDate) -> Vec<NaiveDateTime> {
    let hours: Vec<OpeningSlot> = hours.iter().map(opening_slot).collect();
    rules::slots_on(day, &hours, closures, desk.appointment_minutes).into_iter().map(italian_to_utc).collect()
}

fn opening_slot(h: &db::desks::OpeningHoursRow) -> OpeningSlot {
    OpeningSlot {
        weekday: u8::try_from(h.weekday).unwrap_or(0),
        opens: h.opens,
        closes: h.closes,
        valid_from: h.valid_from,
        valid_to: h.valid_to,
        notes: None,
    }
}

fn closures_of(c: &mut DbConnection, desk_id: &str, from: NaiveDate) -> Result<Vec<rules::Closure>> {
    Ok(repo::closures(c, desk_id, from)?
        .into_iter()
        .map(|r| rules::Closure { first_day: r.first_day, last_day: r.last_day })
        .collect())
}

fn audited(caller: &Caller, action: &str, row: &AppointmentRow) -> AuditEvent {
    AuditEvent::by(caller, action, "appointment", Some(&row.id)).case_if_any(row.case_id.as_deref())
}

/// A desk's agenda
///
/// The appointments of one day, cancelled ones included, in order of time. Audited.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), AgendaQuery),
    responses((status = 200, description = "The day's appointments", body = Agenda)),
    security(("bearer" = []))
)]
#[get("/{desk_id}/appointments")]
pub async fn desk_agenda(
    state: web::Data<AppState>,
    caller: Caller,
    desk_id: DeskPath,
    query: ApiQuery<AgendaQuery>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AppointmentRead)?;
    let desk_id = desk_id.into_inner().to_string();
    let date = query.into_inner().date.unwrap_or_else(|| italian(state.clock.now()).date());
    let (from, to) = days_utc(date, date);
    let (reader, desk) = (caller.clone(), desk_id.clone());
    let rows = state
        .db
        .run(move |c| {
            own_desk(c, &reader, &desk)?;
            repo::between(c, &desk, from, to)
        })
        .await?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    state
        .audit
        .record(
            AuditEvent::by(&caller, "appointment.list", "appointment", None)
                .details(serde_json::json!({"count": ids.len(), "appointment_ids": ids})),
        )
        .await?;
    let appointments = rows.into_iter().map(Appointment::try_from).collect::<Result<Vec<_>>>()?;
    Ok(respond::ok(&Agenda { desk_id, date, appointments }))
}

/// Book an appointment
///
/// At the start of one of the desk's slots (inside its opening hours valid that day, not on a closure, not in
/// the past). Two bookings of the same slot never both succeed: the second gets 409 `slot_taken`.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    request_body = BookAppointment,
    responses((status = 201, description = "Booked", body = Appointment, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{desk_id}/appointments")]
pub async fn book_appointment(
    state: web::Data<AppState>,
    caller: Caller,
    desk_id: DeskPath,
    body: ApiJson<BookAppointment>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AppointmentWrite)?;
    let (desk_id, b) = (desk_id.into_inner().to_string(), body.into_inner());
    if b.case_id.is_none() && b.person_name.is_none() {
        return Err(Error::invalid("person_name", "required", "name the person, or give their case_id"));
    }
    let now = state.clock.now();
    let starts_at = b.starts_at.naive_utc();
    if starts_at < now {
        return Err(Error::invalid("starts_at", "in_past", "the slot has already begun"));
    }
    let stamp = db::now();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let desk = own_desk(c, &caller, &desk_id)?;
                let day = italian(starts_at).date();
                if !offered(&desk, &closures_of(c, &desk.0.id, day)?, day).contains(&starts_at) {
                    return Err(Error::invalid(
                        "starts_at",
                        "outside_opening_hours",
                        "not the start of a slot of this desk: ask for the free slots",
                    ));
                }
                if let Some(case_id) = b.case_id {
                    linkable_case(c, &caller, &case_id.to_string())?;
                }
                let minutes = chrono::Duration::minutes(i64::from(desk.0.appointment_minutes));
                let row = AppointmentRow {
                    id: db::new_id(),
                    desk_id: desk.0.id.clone(),
                    organization_id: desk.0.organization_id.clone(),
                    starts_at,
                    ends_at: starts_at + minutes,
                    case_id: b.case_id.map(|c| c.to_string()),
                    person_name: b.person_name.as_deref().map(crate::domain::text::clean),
                    phone: b.phone,
                    topic: b.topic.map(|t| t.as_str().to_string()),
                    notes: b.notes,
                    status: AppointmentStatus::Booked.as_str().to_string(),
                    status_reason: None,
                    booked_by: caller.principal.user_id.clone(),
                    version: 1,
                    created_at: stamp,
                    updated_at: stamp,
                };
                repo::insert(c, &row)?;
                audit::record(c, &audited(&caller, "appointment.book", &row))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/desks/{}/appointments/{}", row.desk_id, row.id);
    Ok(respond::created(location, &Appointment::try_from(row)?, 1))
}

/// Get an appointment
///
/// Audited.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), ("id" = uuid::Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The appointment", body = Appointment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{desk_id}/appointments/{id}")]
pub async fn get_appointment(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AppointmentRead)?;
    let (desk_id, id) = ids.into_inner();
    let (desk_id, id) = (desk_id.to_string(), id.to_string());
    let reader = caller.clone();
    let row = state
        .audit
        .audited_read(&state.db, move |c| {
            own_desk(c, &reader, &desk_id)?;
            let row = repo::get(c, &desk_id, &id)?;
            let event = audited(&reader, "appointment.read", &row);
            Ok((row, event))
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Appointment::try_from(row)?, version))
}

/// Cancel an appointment, or record what happened
///
/// `booked → cancelled` (the slot is free again), or, once its time has come, `attended` or `no_show`.
/// Other moves are 409.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), ("id" = uuid::Uuid, Path, description = "Appointment id")),
    request_body = ChangeAppointmentStatus,
    responses((status = 200, description = "Moved", body = Appointment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("/{desk_id}/appointments/{id}/status")]
pub async fn change_appointment_status(
    state: web::Data<AppState>,
    caller: Caller,
    ids: Ids,
    body: ApiJson<ChangeAppointmentStatus>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::AppointmentWrite)?;
    let ((desk_id, id), b) = (ids.into_inner(), body.into_inner());
    let (desk_id, id) = (desk_id.to_string(), id.to_string());
    let now = state.clock.now();
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                own_desk(c, &caller, &desk_id)?;
                let mut row = repo::get(c, &desk_id, &id)?;
                let from = AppointmentStatus::parse(&row.status)
                    .ok_or_else(|| Error::internal("appointment status", &row.status))?;
                if !from.can_move_to(b.status) {
                    return Err(Error::conflict(
                        "illegal_transition",
                        format!("an appointment {from} cannot become {}", b.status),
                    ));
                }
                if b.status.is_outcome() && now < row.starts_at {
                    return Err(Error::conflict("too_early", "the appointment has not begun yet"));
                }
                let expected = row.version;
                row.status = b.status.as_str().to_string();
                row.status_reason = b.reason;
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                audit::record(c, &audited(&caller, &format!("appointment.{}", b.status), &row))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&Appointment::try_from(row)?, version))
}

/// Free slots of a desk
///
/// The slots not yet booked in a range of days (default: today and the next two weeks), in order; the past
/// ones, the days it is closed and the hours not valid on a day are left out. No personal data.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), SlotQuery),
    responses((status = 200, description = "The free slots", body = FreeSlots)),
    security(("bearer" = []))
)]
#[get("/{desk_id}/free-slots")]
pub async fn free_slots(
    state: web::Data<AppState>,
    caller: Caller,
    desk_id: DeskPath,
    query: ApiQuery<SlotQuery>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskRead)?;
    let (desk_id, q) = (desk_id.into_inner().to_string(), query.into_inner());
    let now = state.clock.now();
    let from = q.from.unwrap_or_else(|| italian(now).date());
    let to = q.to.unwrap_or_else(|| from.checked_add_days(Days::new(14)).unwrap_or(from));
    if to < from {
        return Err(Error::InvalidQuery(vec![FieldError::new(
            "to",
            "before_start",
            "to must not be before from",
        )]));
    }
    if from.checked_add_days(Days::new(MAX_SLOT_DAYS)).is_some_and(|limit| to > limit) {
        return Err(Error::InvalidQuery(vec![FieldError::new(
            "to",
            "too_long",
            format!("at most {MAX_SLOT_DAYS} days after from"),
        )]));
    }
    let (start, end) = days_utc(from, to);
    let (desk, slots) = state
        .db
        .run(move |c| {
            let desk = db::desks::get(c, &desk_id)?;
            let taken = repo::taken(c, &desk_id, start, end)?;
            let closures = closures_of(c, &desk_id, from)?;
            let mut slots = Vec::new();
            for day in from.iter_days().take_while(|d| *d <= to) {
                slots.extend(
                    offered(&desk, &closures, day).into_iter().filter(|s| *s >= now && !taken.contains(s)),
                );
            }
            Ok((desk.0, slots))
        })
        .await?;
    let length = chrono::Duration::minutes(i64::from(desk.appointment_minutes));
    let slots =
        slots.into_iter().map(|s| Slot { starts_at: s.and_utc(), ends_at: (s + length).and_utc() }).collect();
    Ok(respond::ok(&FreeSlots {
        desk_id: desk.id,
        from,
        to,
        appointment_minutes: desk.appointment_minutes,
        slots,
    }))
}

/// Nested in the `/desks` scope (actix does not fall through to a second scope of the same prefix).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(desk_agenda)
        .service(book_appointment)
        .service(get_appointment)
        .service(change_appointment_status)
        .service(free_slots)
        .service(closures::list_closures)
        .service(closures::create_closure)
        .service(closures::delete_closure);
}
