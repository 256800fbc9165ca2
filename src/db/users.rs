//! Users repository.

use diesel::prelude::*;

use crate::auth::policy::OrganizationScope;
use crate::db::{DbConnection, new_id, now, schema::users as u};
use crate::domain::account::LoginFailures;
use crate::domain::{Code, role::Role};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = u, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub active: bool,
    pub password_hash: String,
    pub failed_logins: i32,
    pub first_failed_at: Option<chrono::NaiveDateTime>,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub last_login_at: Option<chrono::NaiveDateTime>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl UserRow {
    pub fn new(
        organization_id: &str,
        username: &str,
        display_name: &str,
        email: Option<String>,
        role: Role,
        password_hash: String,
    ) -> Self {
        let t = now();
        UserRow {
            id: new_id(),
            organization_id: organization_id.to_string(),
            username: crate::domain::account::normalize_username(username),
            display_name: crate::domain::text::clean(display_name),
            email,
            role: role.as_str().to_string(),
            active: true,
            password_hash,
            failed_logins: 0,
            first_failed_at: None,
            locked_until: None,
            last_login_at: None,
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    pub fn role(&self) -> Result<Role> {
        Role::parse(&self.role).ok_or_else(|| Error::internal("user role", &self.role))
    }

    pub fn failures(&self) -> LoginFailures {
        LoginFailures {
            count: self.failed_logins,
            first_at: self.first_failed_at,
            locked_until: self.locked_until,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

pub fn count(conn: &mut DbConnection) -> Result<i64> {
    Ok(u::table.count().get_result(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &UserRow) -> Result<()> {
    diesel::insert_into(u::table).values(row).execute(conn).map_err(|e| match Error::from(e) {
        Error::Conflict { code: "duplicate", .. } => {
            Error::invalid("username", "taken", "this username is taken")
        }
        other => other,
    })?;
    Ok(())
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> Result<Option<UserRow>> {
    Ok(u::table.filter(u::username.eq(username)).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>> {
    Ok(u::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

/// A user the caller can see (their organization's, or any for admins).
pub fn get_scoped(conn: &mut DbConnection, scope: &OrganizationScope, id: &str) -> Result<UserRow> {
    let mut q = u::table.filter(u::id.eq(id)).select(UserRow::as_select()).into_boxed();
    if let OrganizationScope::Organization(org) = scope {
        q = q.filter(u::organization_id.eq(org.clone()));
    }
    q.first(conn).optional()?.ok_or(Error::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    scope: &OrganizationScope,
    filter: &UserFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>> {
    let mut q = u::table.select(UserRow::as_select()).into_boxed();
    if let OrganizationScope::Organization(org) = scope {
        q = q.filter(u::organization_id.eq(org.clone()));
    }
    if let Some(org) = &filter.organization_id {
        q = q.filter(u::organization_id.eq(org.clone()));
    }
    if let Some(role) = &filter.role {
        q = q.filter(u::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        q = q.filter(u::active.eq(active));
    }
    if let Some(after) = after {
        q = q.filter(u::id.gt(after.to_string()));
    }
    Ok(q.order(u::id.asc()).limit(limit + 1).load(conn)?)
}

pub fn save(conn: &mut DbConnection, row: &UserRow, expected_version: i64) -> Result<()> {
    let n = diesel::update(u::table.filter(u::id.eq(&row.id)).filter(u::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 { Err(Error::PreconditionFailed) } else { Ok(()) }
}

/// Login bookkeeping does not bump the version: it is not an edit of the account.
pub fn set_login_state(conn: &mut DbConnection, id: &str, f: LoginFailures, logged_in: bool) -> Result<()> {
    let target = u::table.filter(u::id.eq(id));
    if logged_in {
        diesel::update(target)
            .set((
                u::failed_logins.eq(0),
                u::first_failed_at.eq(None::<chrono::NaiveDateTime>),
                u::locked_until.eq(None::<chrono::NaiveDateTime>),
                u::last_login_at.eq(Some(now())),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                u::failed_logins.eq(f.count),
                u::first_failed_at.eq(f.first_at),
                u::locked_until.eq(f.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn count_active_admins(conn: &mut DbConnection) -> Result<i64> {
    Ok(u::table.filter(u::role.eq(Role::Admin.as_str()).and(u::active.eq(true))).count().get_result(conn)?)
}

/// The `create-user` command: same rules as the API.
pub fn create_from_cli(
    conn: &mut DbConnection,
    username: &str,
    role: Role,
    organization: &str,
    display_name: Option<String>,
    password: &str,
) -> Result<UserRow> {
    crate::domain::account::check_user_role(role)?;
    crate::domain::account::validate_username(username).map_err(|_| {
        Error::invalid("username", "format", "3 to 64 characters: letters, digits, '.', '_' or '-'")
    })?;
    crate::auth::password::validate_strength(password)
        .map_err(|_| Error::invalid("password", "too_short", "at least 12 characters"))?;
    let org = match crate::db::organizations::find_by_code(conn, &organization.to_ascii_uppercase())? {
        Some(o) => o,
        None => crate::db::organizations::find(conn, organization)?.ok_or(Error::NotFound)?,
    };
    let hash = crate::auth::password::hash(password)?;
    let row = UserRow::new(&org.id, username, display_name.as_deref().unwrap_or(username), None, role, hash);
    insert(conn, &row)?;
    Ok(row)
}
