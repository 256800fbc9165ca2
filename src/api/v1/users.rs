//! `/api/v1/users`: accounts. Admins manage all; coordinators manage their organization's.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::patch;
use crate::app::AppState;
use crate::auth::{Action, password, policy, principal::Caller};
use crate::db::{self, audit::AuditEvent, refresh_tokens, users as repo, users::UserRow};
use crate::domain::account::validate_username;
use crate::domain::{Code, person::validate_name, role::Role};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, Page, PageParams, etag::check_version, respond};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a11", "organization_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10",
    "username": "m.rossi", "display_name": "Maria Rossi", "email": "m.rossi@comune.cremona.example",
    "role": "operator", "active": true, "locked": false, "last_login_at": "2026-02-03T08:31:00Z",
    "version": 1, "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z"
}))]
pub struct User {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub active: bool,
    /// Temporarily locked after repeated failed logins.
    pub locked: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = Error;
    fn try_from(r: UserRow) -> Result<Self> {
        Ok(User {
            role: r.role()?,
            locked: r.failures().is_locked(db::now()),
            id: r.id,
            organization_id: r.organization_id,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            active: r.active,
            last_login_at: r.last_login_at.map(|t| t.and_utc()),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "m.rossi", "display_name": "Maria Rossi", "email": "m.rossi@comune.cremona.example",
    "role": "operator", "password": "a-long-initial-password"
}))]
pub struct CreateUser {
    #[validate(custom(function = "validate_username"))]
    #[schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
    pub username: String,
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name")]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    pub role: Role,
    /// Defaults to the caller's organization; only admins may name another.
    pub organization_id: Option<uuid::Uuid>,
    /// At least 12 characters.
    #[validate(custom(function = "password::validate_strength"), length(max = 1024))]
    #[schema(min_length = 12, max_length = 1024, format = "sportello:no-nul")]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Maria Rossi Bianchi", "active": false}))]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_name"))]
    #[schema(min_length = 1, max_length = 200, format = "sportello:name", nullable = false)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// false deactivates: the user cannot log in and their refresh tokens are revoked.
    #[serde(default, deserialize_with = "patch::required")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// Sets a new password and lifts a lockout.
    #[serde(default, deserialize_with = "patch::required")]
    #[validate(custom(function = "password::validate_strength"), length(max = 1024))]
    #[schema(min_length = 12, max_length = 1024, format = "sportello:no-nul", nullable = false)]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Admins only: users of this organization.
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
    /// Only users with this role.
    #[param(example = "operator")]
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) users.
    #[param(example = true)]
    pub active: Option<bool>,
}

/// List users
///
/// Admins see every user; others see their organization's.
#[utoipa::path(
    tag = "users",
    params(UserQuery, PageParams),
    responses((status = 200, description = "A page of users", body = Page<User>)),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<UserQuery>,
    page: ApiQuery<PageParams>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::UserRead)?;
    let (q, page) = (query.into_inner(), page.into_inner());
    let scope = policy::organization_scope(&caller.principal);
    let filter = repo::UserFilter {
        organization_id: q.organization_id.map(|o| o.to_string()),
        role: q.role.map(|r| r.as_str().to_string()),
        active: q.active,
    };
    let (after, limit) = (page.after_id()?, page.limit());
    let rows = state.db.run(move |c| repo::list(c, &scope, &filter, after.as_deref(), limit)).await?;
    Ok(respond::ok(&Page::try_from_rows(rows, limit, |r| r.id.as_str(), User::try_from)?))
}

/// Create a user
///
/// Admins in any organization; coordinators in their own, with any role but admin.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response")),
    responses((status = 201, description = "Created", body = User, headers(("Location" = String), ("ETag" = String)))),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<CreateUser>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::UserManage)?;
    let b = body.into_inner();
    let organization_id =
        b.organization_id.map(|o| o.to_string()).unwrap_or_else(|| caller.principal.organization_id.clone());
    policy::require_manage_organization(&caller.principal, &organization_id)?;
    crate::domain::account::check_user_role(b.role)?;
    if !policy::may_grant_role(&caller.principal, b.role) {
        return Err(Error::Forbidden(format!("you may not create users with the {} role", b.role)));
    }
    let row = state
        .db
        .run(move |c| {
            let org = db::organizations::find(c, &organization_id)?
                .ok_or_else(|| Error::invalid("organization_id", "not_found", "no such organization"))?;
            let hash = password::hash(&b.password)?;
            let row = UserRow::new(&org.id, &b.username, &b.display_name, b.email, b.role, hash);
            db::write_tx(c, |c| {
                repo::insert(c, &row)?;
                db::audit::record(c, &AuditEvent::by(&caller, "user.create", "user", Some(&row.id)))
            })?;
            Ok(row)
        })
        .await?;
    let location = format!("/api/v1/users/{}", row.id);
    Ok(respond::created(location, &User::try_from(row)?, 1))
}

/// Get a user
///
/// Admins see any user; coordinators and operators those of their organization (others are 404).
#[utoipa::path(
    tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::UserRead)?;
    let (id, scope) = (id.into_inner().to_string(), policy::organization_scope(&caller.principal));
    let row = state.db.run(move |c| repo::get_scoped(c, &scope, &id)).await?;
    let version = row.version;
    Ok(respond::ok_versioned(&User::try_from(row)?, version))
}

/// Update a user
///
/// JSON merge patch with `If-Match`. Deactivating revokes the user's refresh tokens. The last active admin
/// cannot be deactivated or demoted.
#[utoipa::path(
    tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id"),
        ("If-Match" = String, Header, description = "The ETag from the last GET")),
    request_body(content = UpdateUser, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = User, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: ApiJson<UpdateUser>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::UserRead)?;
    let expected = if_match.required()?;
    let (id, p, scope) =
        (id.into_inner().to_string(), body.into_inner(), policy::organization_scope(&caller.principal));
    let row = state
        .db
        .run(move |c| {
            // argon2 takes tens of milliseconds: on this blocking thread, before the write lock is taken.
            let new_hash = p.password.as_deref().map(password::hash).transpose()?;
            db::write_tx(c, |c| {
                let mut row = repo::get_scoped(c, &scope, &id)?;
                policy::require(&caller.principal, Action::UserManage)?;
                policy::require_manage_organization(&caller.principal, &row.organization_id)?;
                check_version(Some(expected), row.version)?;
                let was_admin_active = row.role()? == Role::Admin && row.active;
                if row.role()? == Role::Admin && !policy::may_grant_role(&caller.principal, Role::Admin) {
                    return Err(Error::Forbidden("only admins may change an admin".into()));
                }
                if let Some(role) = p.role {
                    crate::domain::account::check_user_role(role)?;
                    if !policy::may_grant_role(&caller.principal, role) {
                        return Err(Error::Forbidden(format!("you may not grant the {role} role")));
                    }
                    row.role = role.as_str().to_string();
                }
                if let Some(name) = &p.display_name {
                    row.display_name = crate::domain::text::clean(name);
                }
                patch::apply(&mut row.email, p.email);
                patch::set(&mut row.active, p.active);
                if let Some(hash) = new_hash {
                    row.password_hash = hash;
                    row.failed_logins = 0;
                    row.first_failed_at = None;
                    row.locked_until = None;
                }
                let still_admin_active = row.role()? == Role::Admin && row.active;
                if was_admin_active && !still_admin_active && repo::count_active_admins(c)? <= 1 {
                    return Err(Error::conflict(
                        "last_admin",
                        "the last active admin cannot be deactivated or demoted",
                    ));
                }
                row.version += 1;
                row.updated_at = db::now();
                repo::save(c, &row, expected)?;
                if !row.active || p.password.is_some() {
                    refresh_tokens::revoke_all_for_user(c, &row.id)?;
                }
                db::audit::record(c, &AuditEvent::by(&caller, "user.update", "user", Some(&row.id)))?;
                Ok(row)
            })
        })
        .await?;
    let version = row.version;
    Ok(respond::ok_versioned(&User::try_from(row)?, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/users")
            .service(list_users)
            .service(create_user)
            .service(get_user)
            .service(update_user),
    );
}
