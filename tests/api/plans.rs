//! Individual plans: goals, actions, agreement, approval, the overdue and past-review worklists on the
//! injected clock, the plan outcome asked when the case closes; export and erasure with the assessments.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::cases::{amina, create_case, desk_operator};
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// A case of a fresh organization, with its operator: (org, operator token, case id).
pub async fn case_of_new_desk(app: &TestApp) -> (String, String, String) {
    let (org, op) = desk_operator(app).await;
    let case = create_case(app, &op, &amina()).await["id"].as_str().unwrap().to_string();
    (org, op, case)
}

async fn new_plan(app: &TestApp, token: &str, case: &str, body: Value) -> Value {
    let res = app.post(&format!("/api/v1/cases/{case}/plans"), Some(token), &body).await;
    assert_eq!(res.status, 201, "plan: {}", res.text);
    res.body.clone()
}

#[actix_web::test]
async fn plan_actions_fall_overdue_and_plans_past_review_on_the_clock() {
    let app = spawn_app().await;
    app.clock.set(at("2026-03-01T09:00:00"));
    let (org, op, case) = case_of_new_desk(&app).await;
    let assessment = app
        .post(
            &format!("/api/v1/cases/{case}/assessments"),
            Some(&op),
            &json!({"assessed_on": "2026-02-27", "domains": [{"domain": "housing", "level": "high"}]}),
        )
        .await
        .id();
    let plan = new_plan(
        &app,
        &op,
        &case,
        json!({"assessment_id": assessment, "starts_on": "2026-03-01", "review_on": "2026-04-01",
            "notes": "Housing first"}),
    )
    .await;
    assert_eq!(plan["approval"], "not_required");
    assert_eq!(plan["review_due"], false);
    let plan_url = format!("/api/v1/cases/{case}/plans/{}", plan["id"].as_str().unwrap());
    let again = app
        .post(
            &format!("/api/v1/cases/{case}/plans"),
            Some(&op),
            &json!({"starts_on": "2026-03-01", "review_on": "2026-04-01"}),
        )
        .await;
    assert_problem(&again, 409, "open_plan_exists");

    let goal = app
        .post(
            &format!("{plan_url}/goals"),
            Some(&op),
            &json!({"domain": "housing", "description": "A room of her own"}),
        )
        .await;
    goal.expect_status(201);
    assert_eq!(goal.body["status"], "open");
    // Goals answer the needs the plan's assessment found.
    let unassessed = json!({"domain": "work", "description": "A job"});
    assert_invalid_field(&app.post(&format!("{plan_url}/goals"), Some(&op), &unassessed).await, "domain");
    let goal_url = goal.header("location").unwrap();
    let moved = app.patch(&goal_url, Some(&op), &json!({"domain": "work"}), Some("\"1\"")).await;
    assert_invalid_field(&moved, "domain");
    let progress = app
        .patch(&goal_url, Some(&op), &json!({"description": "A room in a shared flat"}), Some("\"1\""))
        .await;
    progress.expect_status(200);
    assert_eq!(progress.body["version"], 2);
    let action = app
        .post(
            &format!("{plan_url}/actions"),
            Some(&op),
            &json!({"goal_id": goal.id(), "description": "Apply for the housing list", "owner_kind": "operator",
                "due_on": "2026-03-10"}),
        )
        .await;
    action.expect_status(201);
    let me = app.get("/api/v1/me", Some(&op)).await.body["id"].clone();
    assert_eq!(action.body["owner_id"], me, "an operator's action defaults to the caller");
    let later = app
        .post(
            &format!("{plan_url}/actions"),
            Some(&op),
            &json!({"description": "Job centre registration", "owner_kind": "organization", "owner_id": org,
                "due_on": "2026-05-01"}),
        )
        .await;
    later.expect_status(201);
    // Owners and goals must exist.
    let nobody = json!({"description": "x", "owner_kind": "provider", "owner_id": uuid::Uuid::now_v7()});
    assert_invalid_field(&app.post(&format!("{plan_url}/actions"), Some(&op), &nobody).await, "owner_id");
    let unnamed = json!({"description": "x", "owner_kind": "professional"});
    assert_invalid_field(&app.post(&format!("{plan_url}/actions"), Some(&op), &unnamed).await, "owner_id");
    let stray = json!({"description": "x", "owner_kind": "operator", "goal_id": uuid::Uuid::now_v7()});
    assert_invalid_field(&app.post(&format!("{plan_url}/actions"), Some(&op), &stray).await, "goal_id");

    let overdue = "/api/v1/plan-actions?overdue=true";
    assert!(ids(&app.get(overdue, Some(&op)).await.body).is_empty(), "nothing late on 1 March");
    assert_eq!(ids(&app.get("/api/v1/plan-actions", Some(&op)).await.body).len(), 2, "both open");
    let bad_owner = app.get("/api/v1/plan-actions?owner_id=null", Some(&op)).await;
    assert_problem(&bad_owner, 400, ":invalid_query");

    app.clock.set(at("2026-03-10T18:00:00"));
    assert!(ids(&app.get(overdue, Some(&op)).await.body).is_empty(), "due today is not late");
    app.clock.set(at("2026-03-11T08:00:00"));
    let late = app.get(overdue, Some(&op)).await;
    assert_eq!(ids(&late.body), vec![action.id()]);
    assert_eq!(late.body["items"][0]["overdue"], true);
    assert_eq!(late.body["items"][0]["case_id"], json!(case));
    assert_eq!(
        ids(&app.get(&format!("{overdue}&owner_kind=operator&owner_id=me"), Some(&op)).await.body).len(),
        1
    );
    assert!(ids(&app.get(&format!("{overdue}&owner_kind=organization"), Some(&op)).await.body).is_empty());
    let (_, stranger) = desk_operator(&app).await;
    assert!(ids(&app.get(overdue, Some(&stranger)).await.body).is_empty(), "another organization's worklist");
    let shown = app.get(&plan_url, Some(&op)).await;
    assert_eq!(shown.body["actions"][0]["overdue"], true);
    assert_eq!(shown.body["goals"][0]["id"], json!(goal.id()));

    // Done: off the worklist, stamped with the day.
    let action_url = action.header("location").unwrap();
    let done = app.patch(&action_url, Some(&op), &json!({"status": "done"}), Some("\"1\"")).await;
    done.expect_status(200);
    assert_eq!(done.body["completed_on"], "2026-03-11");
    assert_eq!(done.body["overdue"], false);
    assert!(ids(&app.get(overdue, Some(&op)).await.body).is_empty());
    assert_problem(
        &app.patch(&action_url, Some(&op), &json!({"status": "planned"}), Some("\"1\"")).await,
        412,
        ":precondition_failed",
    );

    // Past review: listed from the day after the review day until the review is moved on.
    let past_review = "/api/v1/plans?past_review=true";
    assert!(ids(&app.get(past_review, Some(&op)).await.body).is_empty());
    app.clock.set(at("2026-04-02T08:00:00"));
    let due = app.get(past_review, Some(&op)).await;
    assert_eq!(ids(&due.body), vec![plan["id"].as_str().unwrap().to_string()]);
    assert_eq!(due.body["items"][0]["review_due"], true);
    assert_eq!(due.body["items"][0]["actions"].as_array().unwrap().len(), 2);
    assert!(ids(&app.get(past_review, Some(&stranger)).await.body).is_empty());
    let admin = app.admin_token().await;
    assert_eq!(
        ids(&app.get(&format!("{past_review}&organization_id={org}"), Some(&admin)).await.body).len(),
        1
    );
    assert_problem(
        &app.get(&format!("{past_review}&organization_id={org}"), Some(&stranger)).await,
        403,
        ":forbidden",
    );
    let moved = app.patch(&plan_url, Some(&op), &json!({"review_on": "2026-07-01"}), Some("\"1\"")).await;
    moved.expect_status(200);
    assert!(ids(&app.get(past_review, Some(&op)).await.body).is_empty());

    // The agreement with the person: a signature needs its day.
    let unsigned = app.patch(&plan_url, Some(&op), &json!({"agreement_signed": true}), Some("\"2\"")).await;
    assert_invalid_field(&unsigned, "agreed_on");
    let before = app.patch(&plan_url, Some(&op), &json!({"review_on": "2026-01-01"}), Some("\"2\"")).await;
    assert_invalid_field(&before, "review_on");
    let agreed = app
        .patch(
            &plan_url,
            Some(&op),
            &json!({"agreed_on": "2026-03-05", "agreement_signed": true}),
            Some("\"2\""),
        )
        .await;
    agreed.expect_status(200);
    assert_eq!(agreed.body["agreement_signed"], true);
    assert_eq!(agreed.body["version"], 3);
}

#[actix_web::test]
async fn closing_a_case_with_a_plan_needs_the_plan_outcome() {
    let app = spawn_app().await;
    let (_, op, case) = case_of_new_desk(&app).await;
    let plan =
        new_plan(&app, &op, &case, json!({"starts_on": "2026-03-01", "review_on": "2026-06-01"})).await;
    let plan_url = format!("/api/v1/cases/{case}/plans/{}", plan["id"].as_str().unwrap());
    let status = format!("/api/v1/cases/{case}/status");

    let no_outcome =
        app.post(&status, Some(&op), &json!({"status": "closed", "closure_reason": "goals_achieved"})).await;
    assert_invalid_field(&no_outcome, "plan_outcome");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{case}"), Some(&op)).await.body["status"],
        "open",
        "unchanged"
    );
    let not_closing =
        app.post(&status, Some(&op), &json!({"status": "active", "plan_outcome": "achieved"})).await;
    assert_invalid_field(&not_closing, "plan_outcome");

    let closed = app
        .post(
            &status,
            Some(&op),
            &json!({"status": "closed", "closure_reason": "goals_achieved", "plan_outcome": "partially_achieved",
                "plan_outcome_note": "Housed; still looking for work"}),
        )
        .await;
    closed.expect_status(200);
    let plan = app.get(&plan_url, Some(&op)).await;
    assert_eq!(plan.body["outcome"], "partially_achieved");
    assert_eq!(plan.body["outcome_note"], "Housed; still looking for work");
    assert!(plan.body["closed_at"].is_string());
    let version = plan.header("etag").unwrap();
    let change = app.patch(&plan_url, Some(&op), &json!({"notes": "late"}), Some(&version)).await;
    assert_problem(&change, 409, "plan_closed");
    let goal = app
        .post(&format!("{plan_url}/goals"), Some(&op), &json!({"domain": "work", "description": "x"}))
        .await;
    assert_problem(&goal, 409, "plan_closed");

    // Reopened, the case may have a new plan; closing it again asks for that plan's outcome.
    app.post(&status, Some(&op), &json!({"status": "active"})).await.expect_status(200);
    new_plan(&app, &op, &case, json!({"starts_on": "2026-07-01", "review_on": "2026-10-01"})).await;
    assert_eq!(
        app.get(&format!("/api/v1/cases/{case}/plans"), Some(&op)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let again =
        app.post(&status, Some(&op), &json!({"status": "closed", "closure_reason": "moved_away"})).await;
    assert_invalid_field(&again, "plan_outcome");

    // No plan: no outcome needed, and none taken.
    let other = create_case(&app, &op, &amina()).await["id"].as_str().unwrap().to_string();
    let other_status = format!("/api/v1/cases/{other}/status");
    let stray = json!({"status": "closed", "closure_reason": "moved_away", "plan_outcome": "interrupted"});
    assert_invalid_field(&app.post(&other_status, Some(&op), &stray).await, "plan_outcome");
    app.post(&other_status, Some(&op), &json!({"status": "closed", "closure_reason": "moved_away"}))
        .await
        .expect_status(200);
}

#[actix_web::test]
async fn plans_wait_for_a_coordinators_approval_where_the_organization_requires_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (org, op, case) = case_of_new_desk(&app).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let body = json!({"starts_on": "2026-03-01", "review_on": "2026-06-01"});

    let free = new_plan(&app, &op, &case, body.clone()).await;
    let free_url = format!("/api/v1/cases/{case}/plans/{}", free["id"].as_str().unwrap());
    assert_problem(
        &app.post(&format!("{free_url}/approve"), Some(&coordinator), &json!(null)).await,
        409,
        "approval_not_required",
    );

    let org_url = format!("/api/v1/organizations/{org}");
    let set = app.patch(&org_url, Some(&admin), &json!({"plans_need_approval": true}), Some("\"1\"")).await;
    set.expect_status(200);
    assert_eq!(set.body["plans_need_approval"], true);
    let other = create_case(&app, &op, &amina()).await["id"].as_str().unwrap().to_string();
    let plan = new_plan(&app, &op, &other, body).await;
    assert_eq!(plan["approval"], "pending");
    let approve = format!("/api/v1/cases/{other}/plans/{}/approve", plan["id"].as_str().unwrap());
    assert_problem(&app.post(&approve, Some(&op), &json!(null)).await, 403, ":forbidden");
    let (foreign_org, _) = desk_operator(&app).await;
    let foreign_coordinator = app.user_token("coordinator", &foreign_org).await;
    assert_problem(&app.post(&approve, Some(&foreign_coordinator), &json!(null)).await, 404, ":not_found");
    let approved = app.post(&approve, Some(&coordinator), &json!(null)).await;
    approved.expect_status(200);
    assert_eq!(approved.body["approval"], "approved");
    assert_eq!(approved.body["approved_by"], app.get("/api/v1/me", Some(&coordinator)).await.body["id"]);
    assert_eq!(approved.header("etag").as_deref(), Some("\"2\""));
    assert_problem(&app.post(&approve, Some(&coordinator), &json!(null)).await, 409, "already_approved");
    assert_eq!(app.audit_count("plan.approve", Some(&other)), 1);

    // The approval covers the plan as approved: recording the agreement or an action's progress keeps it,
    // a new action or new dates need a new approval.
    let plan_url = approve.trim_end_matches("/approve").to_string();
    let agreed = app.patch(&plan_url, Some(&op), &json!({"agreed_on": "2026-03-02"}), Some("\"2\"")).await;
    agreed.expect_status(200);
    assert_eq!(agreed.body["approval"], "approved");
    let action = json!({"description": "Register at the job centre", "owner_kind": "operator"});
    let added = app.post(&format!("{plan_url}/actions"), Some(&op), &action).await;
    added.expect_status(201);
    let shown = app.get(&plan_url, Some(&op)).await;
    assert_eq!(shown.body["approval"], "pending");
    assert!(shown.body["approved_at"].is_null());
    app.post(&approve, Some(&coordinator), &json!(null)).await.expect_status(200);
    let action_url = added.header("location").unwrap();
    app.patch(&action_url, Some(&op), &json!({"status": "in_progress"}), Some("\"1\""))
        .await
        .expect_status(200);
    let shown = app.get(&plan_url, Some(&op)).await;
    assert_eq!(shown.body["approval"], "approved", "progress is not a change of plan");
    let version = shown.header("etag").unwrap();
    let moved = app.patch(&plan_url, Some(&op), &json!({"review_on": "2026-09-01"}), Some(&version)).await;
    moved.expect_status(200);
    assert_eq!(moved.body["approval"], "pending");
}

#[actix_web::test]
async fn assessments_and_plans_are_exported_and_erased_with_the_case() {
    let app = spawn_app().await;
    let (org, op, case) = case_of_new_desk(&app).await;
    let coordinator = app.user_token("coordinator", &org).await;
    app.post(
        &format!("/api/v1/cases/{case}/assessments"),
        Some(&op),
        &json!({"assessed_on": "2026-02-27", "summary": "Met at the desk with her brother",
            "domains": [{"domain": "health", "level": "high", "notes": "Pregnant, due in May"}]}),
    )
    .await
    .expect_status(201);
    let plan = new_plan(
        &app,
        &op,
        &case,
        json!({"starts_on": "2026-03-01", "review_on": "2026-06-01",
        "notes": "Antenatal visits first"}),
    )
    .await;
    let plan_url = format!("/api/v1/cases/{case}/plans/{}", plan["id"].as_str().unwrap());
    app.post(
        &format!("{plan_url}/goals"),
        Some(&op),
        &json!({"domain": "health", "description": "Register with a GP"}),
    )
    .await
    .expect_status(201);
    app.post(
        &format!("{plan_url}/actions"),
        Some(&op),
        &json!({"description": "Book the consultorio", "owner_kind": "operator"}),
    )
    .await
    .expect_status(201);

    let export = app.get(&format!("/api/v1/cases/{case}/export"), Some(&coordinator)).await;
    export.expect_status(200);
    assert_eq!(export.body["assessments"][0]["domains"][0]["notes"], "Pregnant, due in May");
    assert_eq!(export.body["plans"][0]["goals"][0]["description"], "Register with a GP");
    assert_eq!(export.body["plans"][0]["actions"][0]["description"], "Book the consultorio");

    app.post(
        &format!("/api/v1/cases/{case}/erasure"),
        Some(&coordinator),
        &json!({"reason": "Asked by the person"}),
    )
    .await
    .expect_status(204);
    use diesel::prelude::*;
    use sportello::db::schema::{
        assessment_domains as d, assessments as a, plan_actions as pa, plan_goals as pg, plans as p,
    };
    let mut conn = app.database().get().unwrap();
    let summary: Option<String> =
        a::table.filter(a::case_id.eq(&case)).select(a::summary).first(&mut *conn).unwrap();
    let notes: Option<String> =
        d::table.filter(d::case_id.eq(&case)).select(d::notes).first(&mut *conn).unwrap();
    let level: String = d::table.filter(d::case_id.eq(&case)).select(d::level).first(&mut *conn).unwrap();
    let plan_notes: Option<String> =
        p::table.filter(p::case_id.eq(&case)).select(p::notes).first(&mut *conn).unwrap();
    let goal: String =
        pg::table.filter(pg::case_id.eq(&case)).select(pg::description).first(&mut *conn).unwrap();
    let action: String =
        pa::table.filter(pa::case_id.eq(&case)).select(pa::description).first(&mut *conn).unwrap();
    assert_eq!((summary, notes, plan_notes), (None, None, None), "free text is personal data");
    assert_eq!((goal.as_str(), action.as_str()), ("[erased]", "[erased]"));
    assert_eq!(level, "high", "codes stay for statistics");
}
