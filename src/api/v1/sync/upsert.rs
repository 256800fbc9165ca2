//! Upserts by the id a case has in a district platform: `PUT /sync/cases/{source_system}/{external_id}`, one
//! case at a time (`batch` applies the same rule to up to 1 000).

use actix_web::{HttpResponse, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::v1::cases::{self, Case, CreateCase};
use crate::app::AppState;
use crate::auth::{Action, policy, principal::Caller};
use crate::db::changes::FeedScope;
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases::CaseRow};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, IfMatch, respond};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    /// The case already held exactly these values: nothing written, no new version, no feed entry.
    Unchanged,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpsertQuery {
    /// The organization that owns a case created here; one the caller acts for (default: its first).
    #[param(example = "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10")]
    pub organization_id: Option<uuid::Uuid>,
}

/// Letters, digits and `.`, `_`, `:`, `-`, starting with a letter or digit: safe in a URL path as it is
/// (the `pattern` of the path parameters and batch items says the same).
fn validate_key(v: &str) -> std::result::Result<(), validator::ValidationError> {
    let mut chars = v.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("format")
            .with_message("letters, digits, '.', '_', ':' or '-', starting with a letter or digit".into()))
    }
}

/// An id in the source system: what the path and batch items carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Validate)]
pub(super) struct ExternalKey {
    #[validate(length(min = 1, max = 64), custom(function = "validate_key"))]
    pub(super) source_system: String,
    #[validate(length(min = 1, max = 128), custom(function = "validate_key"))]
    pub(super) external_id: String,
}

/// What a platform's PUT may not carry: family members and restricted notes have their own ways in, and an
/// external id in the body must be the one in the path.
fn check_form(key: &ExternalKey, form: &CreateCase) -> Result<()> {
    let mut errors = Vec::new();
    if !form.family_members.is_empty() {
        errors.push(crate::error::FieldError::new(
            "family_members",
            "not_supported",
            "sync upserts carry the case only; add family members with POST /cases/{id}/family-members",
        ));
    }
    if form.restricted_notes.is_some() {
        errors.push(crate::error::FieldError::new(
            "restricted_notes",
            "not_supported",
            "restricted notes are written by the owner organization's people only",
        ));
    }
    if form.source_system.as_deref().is_some_and(|s| s != key.source_system)
        || form.external_id.as_deref().is_some_and(|e| e != key.external_id)
    {
        errors.push(crate::error::FieldError::new(
            "external_id",
            "mismatch",
            "source_system and external_id in the body must be those of the path (or absent)",
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
}

/// The organization a new case goes to: the one named (already checked to be in scope), else the first.
fn owner_for(caller: &Caller, scope: &FeedScope, named: Option<&str>) -> Result<String> {
    match (named, scope) {
        (Some(org), _) => Ok(org.to_string()),
        (None, FeedScope::Organizations(orgs)) => {
            orgs.first().cloned().ok_or_else(|| Error::internal("sync scope", "no organization"))
        }
        (None, FeedScope::All) => Ok(caller.principal.organization_id.clone()),
    }
}

/// What any upsert must pass before the database is asked anything.
fn check_request(
    key: &ExternalKey,
    form: &CreateCase,
    scope: &FeedScope,
    named_owner: Option<&str>,
) -> Result<()> {
    check_form(key, form)?;
    if named_owner.is_some_and(|o| !scope.includes(o)) {
        return Err(Error::Forbidden("the caller does not act for that organization".into()));
    }
    Ok(())
}

/// The case an upsert of an id no case holds creates, before its desk and assignee are checked.
fn new_row(
    caller: &Caller,
    scope: &FeedScope,
    key: &ExternalKey,
    form: &CreateCase,
    expected: Option<i64>,
    named_owner: Option<&str>,
) -> Result<CaseRow> {
    if expected.is_some() {
        return Err(Error::PreconditionFailed);
    }
    let owner = owner_for(caller, scope, named_owner)?;
    let mut row = cases::new_case_row(&owner, &caller.principal.user_id, form, db::now())?;
    row.source_system = Some(key.source_system.clone());
    row.external_id = Some(key.external_id.clone());
    Ok(row)
}

/// The case an upsert of an id no case holds would create, with every check `upsert` makes done and
/// nothing written: for a batch to insert many such cases together (`cases::insert_many_new`).
pub(super) fn case_to_create(
    c: &mut DbConnection,
    caller: &Caller,
    scope: &FeedScope,
    key: &ExternalKey,
    form: &CreateCase,
    expected: Option<i64>,
    named_owner: Option<&str>,
) -> Result<CaseRow> {
    check_request(key, form, scope, named_owner)?;
    let row = new_row(caller, scope, key, form, expected, named_owner)?;
    cases::check_links(c, &row.organization_id, row.desk_id.as_deref(), row.assignee_id.as_deref())?;
    Ok(row)
}

/// One upsert, inside the caller's transaction.
pub(super) fn upsert(
    c: &mut DbConnection,
    caller: &Caller,
    scope: &FeedScope,
    key: &ExternalKey,
    form: &CreateCase,
    expected: Option<i64>,
    named_owner: Option<&str>,
) -> Result<(Outcome, CaseRow)> {
    check_request(key, form, scope, named_owner)?;
    let Some(mut row) = db::cases::find_by_external(c, &key.source_system, &key.external_id)? else {
        let mut row = new_row(caller, scope, key, form, expected, named_owner)?;
        cases::insert_new(c, caller, &mut row)?;
        return Ok((Outcome::Created, row));
    };
    if row.deleted_at.is_some() {
        return Err(Error::conflict("case_deleted", "the case with this external id was deleted or erased"));
    }
    if !scope.includes(&row.organization_id) {
        return Err(Error::conflict(
            "external_id_taken",
            "this external id belongs to a case of an organization the caller does not act for",
        ));
    }
    if named_owner.is_some_and(|o| o != row.organization_id) {
        return Err(Error::conflict("owner_mismatch", "the case is owned by another organization"));
    }
    crate::http::etag::check_version(expected, row.version)?;
    let before = row.clone();
    cases::set_from_form(&mut row, form)?;
    if row == before {
        return Ok((Outcome::Unchanged, row));
    }
    cases::check_links(c, &row.organization_id, row.desk_id.as_deref(), row.assignee_id.as_deref())?;
    row.version += 1;
    row.updated_at = db::now();
    db::cases::save(c, &row, before.version)?;
    audit::record(c, &AuditEvent::by(caller, "case.update", "case", Some(&row.id)).case(&row.id))?;
    Ok((Outcome::Updated, row))
}

fn path_key(source_system: String, external_id: String) -> Result<ExternalKey> {
    let key = ExternalKey { source_system, external_id };
    key.validate()?;
    Ok(key)
}

/// Create or update a case by its external id
///
/// The whole intake form (family members and restricted notes aside): absent fields are cleared. Creates
/// the case when no case has this `(source_system, external_id)` — in `organization_id`, or the caller's
/// first organization — and updates it otherwise. With `If-Match` the update happens only at that version
/// (412 otherwise; on a case that does not exist yet, 412 too). Sending the same form again changes nothing
/// (200, same version, no feed entry). 409 when the id belongs to a deleted case or to another
/// organization's. Integration clients, coordinators (their organization) and admins.
#[utoipa::path(
    tag = "sync",
    params(("source_system" = String, Path, description = "The platform's name", min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]*$", example = "csi-crema"),
        ("external_id" = String, Path, description = "The case's id there", min_length = 1, max_length = 128, pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]*$", example = "CSI-2026-000417"),
        UpsertQuery,
        ("If-Match" = Option<String>, Header, description = "Update only at this version (the ETag)")),
    request_body = CreateCase,
    responses((status = 200, description = "Updated, or unchanged", body = Case, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Case, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The id belongs to a deleted case or another organization's", body = crate::http::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/cases/{source_system}/{external_id}")]
pub async fn put_case(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: ApiQuery<UpsertQuery>,
    if_match: IfMatch,
    body: ApiJson<CreateCase>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::SyncWrite)?;
    let (source_system, external_id) = path.into_inner();
    let key = path_key(source_system, external_id)?;
    let (expected, form) = (if_match.optional()?, body.into_inner());
    let named = query.into_inner().organization_id.map(|o| o.to_string());
    let (outcome, row) = state
        .db
        .run(move |c| {
            let scope = super::sync_scope(c, &caller.principal)?;
            db::write_tx(c, |c| upsert(c, &caller, &scope, &key, &form, expected, named.as_deref()))
        })
        .await?;
    let (id, version) = (row.id.clone(), row.version);
    let case = Case::from_row(row, false)?;
    Ok(match outcome {
        Outcome::Created => respond::created(format!("/api/v1/cases/{id}"), &case, version),
        Outcome::Updated | Outcome::Unchanged => respond::ok_versioned(&case, version),
    })
}
