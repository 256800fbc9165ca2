//! Refresh tokens: stored as SHA-256 hashes, rotated on every use, revoked by family on reuse.

use diesel::prelude::*;

use crate::db::{DbConnection, new_id, now, schema::refresh_tokens as r};
use crate::error::Result;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = r)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: chrono::NaiveDateTime,
    pub used_at: Option<chrono::NaiveDateTime>,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    user_id: &str,
    family_id: &str,
    token_hash: &str,
    ttl_days: i64,
) -> Result<()> {
    let t = now();
    let row = RefreshTokenRow {
        id: new_id(),
        user_id: user_id.to_string(),
        family_id: family_id.to_string(),
        token_hash: token_hash.to_string(),
        expires_at: t + chrono::Duration::days(ttl_days),
        used_at: None,
        revoked_at: None,
        created_at: t,
    };
    diesel::insert_into(r::table).values(&row).execute(conn)?;
    Ok(())
}

pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> Result<Option<RefreshTokenRow>> {
    Ok(r::table
        .filter(r::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a token used; false if another request used it first (a concurrent reuse).
pub fn mark_used(conn: &mut DbConnection, id: &str) -> Result<bool> {
    let n = diesel::update(r::table.filter(r::id.eq(id)).filter(r::used_at.is_null()))
        .set(r::used_at.eq(Some(now())))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family_id: &str) -> Result<usize> {
    Ok(diesel::update(r::table.filter(r::family_id.eq(family_id)).filter(r::revoked_at.is_null()))
        .set(r::revoked_at.eq(Some(now())))
        .execute(conn)?)
}

pub fn revoke_all_for_user(conn: &mut DbConnection, user_id: &str) -> Result<usize> {
    Ok(diesel::update(r::table.filter(r::user_id.eq(user_id)).filter(r::revoked_at.is_null()))
        .set(r::revoked_at.eq(Some(now())))
        .execute(conn)?)
}
