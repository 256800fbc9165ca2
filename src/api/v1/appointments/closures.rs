//! `/api/v1/desks/{desk_id}/closures`: the days a desk is closed (holidays, a summer break), when it offers
//! no appointment slot.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::Days;

use super::days_utc;
use super::dto::{Closure, ClosureQuery, Closures, CreateClosure};
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::appointments::ClosureRow;
use crate::db::{self, appointments as repo, audit, audit::AuditEvent};
use crate::domain::local_time::italian;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, respond};

type DeskPath = web::Path<uuid::Uuid>;
type Ids = web::Path<(uuid::Uuid, uuid::Uuid)>;

/// A desk's closures
///
/// Holidays and breaks, from a day on (default today). Readable by every role that reads desks.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), ClosureQuery),
    responses((status = 200, description = "The closures", body = Closures)),
    security(("bearer" = []))
)]
#[get("/{desk_id}/closures")]
pub async fn list_closures(
    state: web::Data<AppState>,
    caller: Caller,
    desk_id: DeskPath,
    query: ApiQuery<ClosureQuery>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskRead)?;
    let desk_id = desk_id.into_inner().to_string();
    let from = query.into_inner().from.unwrap_or_else(|| italian(state.clock.now()).date());
    let rows = state
        .db
        .run(move |c| {
            db::desks::get(c, &desk_id)?;
            repo::closures(c, &desk_id, from)
        })
        .await?;
    Ok(respond::ok(&Closures { items: rows.into_iter().map(Closure::from).collect() }))
}

/// Close a desk for some days
///
/// No slot is offered on those days. Refused with 409 while appointments are booked in them: cancel or
/// move them first.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id")),
    request_body = CreateClosure,
    responses((status = 201, description = "Recorded", body = Closure, headers(("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/{desk_id}/closures")]
pub async fn create_closure(
    state: web::Data<AppState>,
    caller: Caller,
    desk_id: DeskPath,
    body: ApiJson<CreateClosure>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskManage)?;
    let (desk_id, b) = (desk_id.into_inner().to_string(), body.into_inner());
    if b.last_day < b.first_day {
        return Err(Error::invalid("last_day", "before_start", "last_day must not be before first_day"));
    }
    if b.first_day.checked_add_days(Days::new(366)).is_some_and(|limit| b.last_day > limit) {
        return Err(Error::invalid("last_day", "too_long", "a closure lasts at most a year"));
    }
    let row = ClosureRow {
        id: db::new_id(),
        desk_id,
        first_day: b.first_day,
        last_day: b.last_day,
        reason: b.reason,
        created_by: caller.principal.user_id.clone(),
        created_at: db::now(),
    };
    let row = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (desk, _) = db::desks::get(c, &row.desk_id)?;
                policy::require_manage_organization(&caller.principal, &desk.organization_id)?;
                let (start, end) = days_utc(row.first_day, row.last_day);
                let booked = repo::taken(c, &row.desk_id, start, end)?.len();
                if booked > 0 {
                    return Err(Error::conflict(
                        "appointments_booked",
                        format!("{booked} appointments are booked in these days: cancel or move them first"),
                    ));
                }
                repo::insert_closure(c, &row)?;
                audit::record(c, &AuditEvent::by(&caller, "desk.close", "desk_closure", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/desks/{}/closures", row.desk_id);
    Ok(respond::created(location, &Closure::from(row), 1))
}

/// Remove a closure
///
/// The desk offers its slots on those days again.
#[utoipa::path(
    tag = "appointments",
    params(("desk_id" = uuid::Uuid, Path, description = "Desk id"), ("id" = uuid::Uuid, Path, description = "Closure id")),
    responses((status = 204, description = "Removed")),
    security(("bearer" = []))
)]
#[delete("/{desk_id}/closures/{id}")]
pub async fn delete_closure(state: web::Data<AppState>, caller: Caller, ids: Ids) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::DeskManage)?;
    let (desk_id, id) = ids.into_inner();
    let (desk_id, id) = (desk_id.to_string(), id.to_string());
    state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                let (desk, _) = db::desks::get(c, &desk_id)?;
                policy::require_manage_organization(&caller.principal, &desk.organization_id)?;
                repo::delete_closure(c, &desk_id, &id)?;
                audit::record(c, &AuditEvent::by(&caller, "desk.reopen", "desk_closure", Some(&id)))
            })
        })
        .await?;
    Ok(respond::no_content())
}
