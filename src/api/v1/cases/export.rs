//! `GET /cases/{id}/export`: everything held about a person, as one JSON document, for a subject access or
//! portability request (GDPR arts. 15 and 20). Only the owner organization's coordinators and admins may
//! take it, and taking it is audited.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::v1::activations::{Activation, ActivationEvent};
use crate::api::v1::appointments::Appointment;
use crate::api::v1::assessments::Assessment;
use crate::api::v1::audit_events::AuditEventView;
use crate::api::v1::care::{CareRequest, Placement};
use crate::api::v1::cases::Case;
use crate::api::v1::consents::Consent;
use crate::api::v1::contacts::DeskContact;
use crate::api::v1::courses::{AttendanceMark, Enrolment};
use crate::api::v1::documents::dto::Document;
use crate::api::v1::family_members::FamilyMember;
use crate::api::v1::grants::Grant;
use crate::api::v1::interventions::Intervention;
use crate::api::v1::plans::Plan;
use crate::api::v1::referrals::{Referral, ReferralEvent};
use crate::api::v1::transfers::Transfer;
use crate::app::AppState;
use crate::auth::policy::{CaseAccess, OrganizationScope, ReferralScope};
use crate::auth::{Action, policy, principal::Caller};
use crate::db::activations::{ActivationFilter, ActivationScope};
use crate::db::referrals::ReferralFilter;
use crate::db::transfers::TransferFilter;
use crate::db::{self, DbConnection, audit, audit::AuditEvent, cases};
use crate::error::Result;
use crate::http::respond;

/// A referral with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedReferral {
    pub referral: Referral,
    pub events: Vec<ReferralEvent>,
}

/// An activation with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedActivation {
    pub activation: Activation,
    pub events: Vec<ActivationEvent>,
}

/// A care request with the assistants proposed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedCareRequest {
    pub request: CareRequest,
    pub placements: Vec<Placement>,
}

/// An enrolment in a course (the beneficiary's or a family member's), with its attendance marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedEnrolment {
    pub course_title: String,
    pub enrolment: Enrolment,
    pub attendance: Vec<AttendanceMark>,
}

/// Everything held about the person of a case. Removed family members and interventions are not held any
/// more and are not included.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseExport {
    pub exported_at: DateTime<Utc>,
    #[schema(format = Uuid)]
    pub exported_by: String,
    pub case: Case,
    pub family_members: Vec<FamilyMember>,
    pub interventions: Vec<Intervention>,
    pub consents: Vec<Consent>,
    /// Organizations the case is or was shared with.
    pub grants: Vec<Grant>,
    pub referrals: Vec<ExportedReferral>,
    pub transfers: Vec<Transfer>,
    pub activations: Vec<ExportedActivation>,
    pub care_requests: Vec<ExportedCareRequest>,
    /// The person's contacts at the desks, once linked to the case.
    pub desk_contacts: Vec<DeskContact>,
    /// Appointments booked for the person at a desk.
    pub appointments: Vec<Appointment>,
    /// Enrolments in courses of the beneficiary and the family, oldest first, with their attendance.
    pub course_enrolments: Vec<ExportedEnrolment>,
    /// Every version of the needs assessment, oldest first.
    pub assessments: Vec<Assessment>,
    /// Individual plans with their goals and actions, newest first.
    pub plans: Vec<Plan>,
    /// The documents' metadata, oldest first; each file is downloaded on its own (`…/documents/{id}/content`).
    pub documents: Vec<Document>,
    /// Who read or changed the case's data, oldest first: every audit event about the case, and the lists
    /// that showed it.
    pub access_log: Vec<AuditEventView>,
}

/// Every row a paginated repository function returns, one page after another.
fn drain<R>(
    mut page: impl FnMut(Option<&str>, i64) -> Result<Vec<R>>,
    id_of: impl Fn(&R) -> String,
) -> Result<Vec<R>> {
    const PAGE: i64 = 500;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut rows = page(after.as_deref(), PAGE)?;
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        after = rows.last().map(&id_of);
        out.extend(rows);
        if !more {
            return Ok(out);
        }
    }
}

fn collect(
    c: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: chrono::NaiveDateTime,
) -> Result<CaseExport> {
    let principal = &caller.principal;
    let row = cases::get(c, &policy::case_scope_for(principal, CaseAccess::Own), id)?;
    let sees_restricted = policy::sees_restricted_notes(principal, &row.organization_id);
    let case = Case::from_row(row, sees_restricted)?;
    let id = id.to_string();
    let members = drain(|a, l| db::family_members::list(c, &id, a, l), |r| r.id.clone())?;
    let interventions = drain(|a, l| db::interventions::list(c, &id, a, l), |r| r.id.clone())?;
    let consents = drain(|a, l| db::consents::list(c, &id, a, l), |r| r.id.clone())?;
    let grants = drain(|a, l| db::grants::list(c, &id, a, l), |r| r.id.clone())?;
    // About this person, whoever made them: the owner may have taken the case over from another desk.
    let referral_filter = ReferralFilter { case_id: Some(id.clone()), ..Default::default() };
    let referral_rows =
        drain(|a, l| db::referrals::list(c, &ReferralScope::All, &referral_filter, a, l), |r| r.id.clone())?;
    let transfer_filter = TransferFilter { case_id: Some(id.clone()), ..Default::default() };
    let transfer_rows = drain(
        |a, l| db::transfers::list(c, &OrganizationScope::All, &transfer_filter, a, l),
        |r| r.id.clone(),
    )?;
    let activation_filter = ActivationFilter { case_id: Some(id.clone()), ..Default::default() };
    let everyone = ActivationScope::Requester(OrganizationScope::All);
    let activation_rows =
        drain(|a, l| db::activations::list(c, &everyone, &activation_filter, a, l), |r| r.id.clone())?;

    let mut referrals = Vec::new();
    for referral in crate::api::v1::referrals::views(c, principal, referral_rows)? {
        let events = drain(|a, l| db::referrals::events(c, &referral.id, a, l), |e| e.id.clone())?;
        let events = events.into_iter().map(ReferralEvent::try_from).collect::<Result<_>>()?;
        referrals.push(ExportedReferral { referral, events });
    }
    let mut activations = Vec::new();
    for row in activation_rows {
        let events = drain(|a, l| db::activations::events(c, &row.id, a, l), |e| e.id.clone())?;
        let events = events.into_iter().map(ActivationEvent::try_from).collect::<Result<_>>()?;
        activations.push(ExportedActivation {
            activation: crate::api::v1::activations::to_activation(row, now)?,
            events,
        });
    }
    let mut care_requests = Vec::new();
    for row in db::care::requests_of_case(c, &id)? {
        let placements =
            db::care::placements(c, &row.id)?.into_iter().map(Placement::try_from).collect::<Result<_>>()?;
        care_requests.push(ExportedCareRequest { request: CareRequest::try_from(row)?, placements });
    }
    let transfers = transfer_rows
        .into_iter()
        .map(|r| crate::api::v1::transfers::to_view(c, principal, r))
        .collect::<Result<_>>()?;
    let assessments = db::assessments::all_of_case(c, &id)?
        .into_iter()
        .map(|(a, domains)| Assessment::from_rows(a, domains))
        .collect::<Result<_>>()?;
    let plan_rows = drain(|a, l| db::plans::list(c, &id, a, l), |r| r.id.clone())?;
    let plans = crate::api::v1::plans::with_items(c, plan_rows, now.date())?;
    let course_enrolments = enrolments_of(c, &id)?;
    let access_log =
        audit::about_case(c, &id)?.into_iter().map(AuditEventView::try_from).collect::<Result<_>>()?;
    Ok(CaseExport {
        exported_at: now.and_utc(),
        exported_by: principal.user_id.clone(),
        case,
        family_members: members.into_iter().map(FamilyMember::try_from).collect::<Result<_>>()?,
        interventions: interventions.into_iter().map(Intervention::try_from).collect::<Result<_>>()?,
        consents: consents.into_iter().map(Consent::try_from).collect::<Result<_>>()?,
        grants: grants.into_iter().map(Grant::try_from).collect::<Result<_>>()?,
        referrals,
        transfers,
        activations,
        care_requests,
        desk_contacts: db::contacts::of_case(c, &id)?
            .into_iter()
            .map(DeskContact::try_from)
            .collect::<Result<_>>()?,
        appointments: db::appointments::of_case(c, &id)?
            .into_iter()
            .map(Appointment::try_from)
            .collect::<Result<_>>()?,
        course_enrolments,
        assessments,
        plans,
        documents: db::documents::of_case(c, &id)?
            .into_iter()
            .map(Document::try_from)
            .collect::<Result<_>>()?,
        access_log,
    })
}

fn enrolments_of(c: &mut DbConnection, case_id: &str) -> Result<Vec<ExportedEnrolment>> {
    let rows = db::courses::enrolments_of_case(c, case_id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut marks = db::courses::attendance_of(c, &ids)?;
    let mut titles = std::collections::HashMap::new();
    for r in &rows {
        if !titles.contains_key(&r.course_id) {
            titles.insert(r.course_id.clone(), db::courses::get(c, &r.course_id)?.title);
        }
    }
    crate::api::v1::courses::enrolments::views(c, rows)?
        .into_iter()
        .map(|enrolment| {
            let attendance = marks
                .extract_if(.., |m| m.enrolment_id == enrolment.id)
                .map(AttendanceMark::try_from)
                .collect::<Result<_>>()?;
            let course_title = titles.get(&enrolment.course_id).cloned().unwrap_or_default();
            Ok(ExportedEnrolment { course_title, enrolment, attendance })
        })
        .collect()
}

/// Export everything held about the person
///
/// For a subject access or portability request: the case, family members, interventions, consents, grants,
/// referrals and activations with their histories, transfers, care requests, desk contacts, appointments,
/// course enrolments with their attendance, needs assessments, individual plans, the documents' metadata, and
/// the log of who read or changed the case. Coordinators of the owner organization and admins; the export
/// itself is audited.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    responses((status = 200, description = "The whole record, as one document", body = CaseExport)),
    security(("bearer" = []))
)]
#[get("/{id}/export")]
pub async fn export_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    policy::require(&caller.principal, Action::CaseExport)?;
    let (id, now) = (id.into_inner().to_string(), state.clock.now());
    let export = state
        .db
        .run(move |c| {
            db::write_tx(c, |c| {
                // Recorded first, so that the export's own access log shows it.
                let scope = policy::case_scope_for(&caller.principal, CaseAccess::Own);
                cases::get(c, &scope, &id)?;
                audit::record(c, &AuditEvent::by(&caller, "case.export", "case", Some(&id)).case(&id))?;
                collect(c, &caller, &id, now)
            })
        })
        .await?;
    Ok(respond::ok(&export))
}
