//! Protocols repository: memoranda of understanding and their parties (replaced as a whole on update).

use diesel::prelude::*;

use crate::db::schema::{organizations as o, protocol_parties as pp, protocols as pr, providers as p};
use crate::db::{DbConnection, like_pattern, lower};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = pr, treat_none_as_null = true)]
pub struct ProtocolRow {
    pub id: String,
    pub title: String,
    pub signed_on: Option<chrono::NaiveDate>,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    pub document_ref: Option<String>,
    pub notes: Option<String>,
    pub created_by: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pp)]
pub struct PartyRow {
    pub id: String,
    pub protocol_id: String,
    pub position: i32,
    pub organization_id: Option<String>,
    pub provider_id: Option<String>,
}

/// A party as read: the row, its display name, and the organization it belongs to (for a provider, the
/// linked one, if any).
#[derive(Debug, Clone)]
pub struct Party {
    pub row: PartyRow,
    pub name: String,
    pub organization_id: Option<String>,
}

pub type ProtocolWithParties = (ProtocolRow, Vec<Party>);

#[derive(Debug, Default, Clone)]
pub struct ProtocolFilter {
    pub in_force_on: Option<chrono::NaiveDate>,
    pub organization_id: Option<String>,
    pub provider_id: Option<String>,
    pub title: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &ProtocolRow, parties: &[PartyRow]) -> Result<()> {
    diesel::insert_into(pr::table).values(row).execute(conn)?;
    insert_parties(conn, parties)
}

fn insert_parties(conn: &mut DbConnection, parties: &[PartyRow]) -> Result<()> {
    for party in parties {
        diesel::insert_into(pp::table).values(party).execute(conn)?;
    }
    Ok(())
}

fn parties_of(conn: &mut DbConnection, protocol_ids: &[String]) -> Result<Vec<Party>> {
    let rows: Vec<PartyRow> = pp::table
        .filter(pp::protocol_id.eq_any(protocol_ids))
        .order((pp::protocol_id.asc(), pp::position.asc()))
        .select(PartyRow::as_select())
        .load(conn)?;
    let org_ids: Vec<String> = rows.iter().filter_map(|r| r.organization_id.clone()).collect();
    let provider_ids: Vec<String> = rows.iter().filter_map(|r| r.provider_id.clone()).collect();
    let orgs: std::collections::HashMap<String, String> =
        o::table.filter(o::id.eq_any(&org_ids)).select((o::id, o::name)).load(conn)?.into_iter().collect();
    let providers: std::collections::HashMap<String, (String, Option<String>)> = p::table
        .filter(p::id.eq_any(&provider_ids))
        .select((p::id, p::name, p::organization_id))
        .load::<(String, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, org)| (id, (name, org)))
        .collect();
    rows.into_iter()
        .map(|row| {
            let (name, organization_id) = match (&row.organization_id, &row.provider_id) {
                (Some(org), _) => (orgs.get(org).cloned(), Some(org.clone())),
                (None, Some(provider)) => match providers.get(provider) {
                    Some((name, org)) => (Some(name.clone()), org.clone()),
                    None => (None, None),
                },
                (None, None) => (None, None),
            };
            let name = name.ok_or_else(|| Error::internal("protocol party", &row.id))?;
            Ok(Party { row, name, organization_id })
        })
        .collect()
}

fn with_parties(conn: &mut DbConnection, rows: Vec<ProtocolRow>) -> Result<Vec<ProtocolWithParties>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut parties = parties_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<Party>, Vec<Party>) =
                std::mem::take(&mut parties).into_iter().partition(|p| p.row.protocol_id == row.id);
            parties = rest;
            (row, mine)
        })
        .collect())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ProtocolWithParties> {
    let row =
        pr::table.find(id).select(ProtocolRow::as_select()).first(conn).optional()?.ok_or(Error::NotFound)?;
    with_parties(conn, vec![row])?.pop().ok_or(Error::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    f: &ProtocolFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ProtocolWithParties>> {
    let mut q = pr::table.select(ProtocolRow::as_select()).into_boxed();
    if let Some(day) = f.in_force_on {
        q = q.filter(pr::valid_from.le(day)).filter(pr::valid_to.is_null().or(pr::valid_to.ge(day)));
    }
    if let Some(org) = &f.organization_id {
        // A party directly, or through a provider linked to it.
        let linked = p::table.select(p::id.nullable()).filter(p::organization_id.eq(org.clone()));
        let direct = pp::table.select(pp::protocol_id).filter(pp::organization_id.eq(org.clone()));
        let through = pp::table.select(pp::protocol_id).filter(pp::provider_id.eq_any(linked));
        q = q.filter(pr::id.eq_any(direct).or(pr::id.eq_any(through)));
    }
    if let Some(provider) = &f.provider_id {
        q = q.filter(
            pr::id.eq_any(pp::table.select(pp::protocol_id).filter(pp::provider_id.eq(provider.clone()))),
        );
    }
    if let Some(title) = &f.title {
        q = q.filter(lower(pr::title).like(like_pattern(&title.to_lowercase())).escape('\\'));
    }
    if let Some(after) = after {
        q = q.filter(pr::id.gt(after.to_string()));
    }
    let rows = q.order(pr::id.asc()).limit(limit + 1).load(conn)?;
    with_parties(conn, rows)
}

/// Saves the protocol if still at `expected_version`; `parties`, when given, replace the parties.
pub fn save(
    conn: &mut DbConnection,
    row: &ProtocolRow,
    expected_version: i64,
    parties: Option<&[PartyRow]>,
) -> Result<()> {
    let n = diesel::update(pr::table.filter(pr::id.eq(&row.id)).filter(pr::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        return Err(Error::PreconditionFailed);
    }
    if let Some(parties) = parties {
        diesel::delete(pp::table.filter(pp::protocol_id.eq(&row.id))).execute(conn)?;
        insert_parties(conn, parties)?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<()> {
    diesel::delete(pp::table.filter(pp::protocol_id.eq(id))).execute(conn)?;
    let n = diesel::delete(pr::table.find(id)).execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}
