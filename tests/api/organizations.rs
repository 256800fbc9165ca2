//! `/api/v1/organizations`: create, read, merge-patch with If-Match, delete, role checks, pagination.

use std::collections::HashSet;

use serde_json::json;

use crate::support::{
    TestApp, assert_invalid_field, assert_problem, spawn_app, unique_code, unique_username,
};

const ORGS: &str = "/api/v1/organizations";

fn org_path(id: &str) -> String {
    format!("{ORGS}/{id}")
}

#[actix_web::test]
async fn admin_creates_an_organization() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            ORGS,
            Some(&admin),
            &json!({
                "name": "Caritas Cremonese", "kind": "charity", "code": "cr-caritas",
                "municipality": "Cremona", "email": "info@caritas.example", "phone": "+39 0372 35063"
            }),
        )
        .await;
    res.expect_status(201);
    let id = res.id();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "id {id} is not a UUID");
    assert_eq!(res.header("location").as_deref(), Some(org_path(&id).as_str()));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["code"], "CR-CARITAS", "codes are stored uppercase");
    assert_eq!(res.body["kind"], "charity");
    assert_eq!(res.body["name"], "Caritas Cremonese");
    assert_eq!(res.body["municipality"], "Cremona");
    assert_eq!(res.body["active"], true);
    assert_eq!(res.body["version"], 1);
    assert!(res.body["tax_id"].is_null());

    let got = app.get(&org_path(&id), Some(&admin)).await;
    got.expect_status(200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(got.body, res.body, "GET returns what POST returned");

    // Server-owned fields cannot be sent.
    let res = app
        .post(
            ORGS,
            Some(&admin),
            &json!({"name": "With id", "kind": "charity", "code": unique_code(), "id": id}),
        )
        .await;
    assert_problem(&res, 422, ":validation");
}

#[actix_web::test]
async fn duplicate_code_is_422_naming_code() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_organization(&admin, "DUP-ORG").await;
    for code in ["DUP-ORG", "dup-org"] {
        let res =
            app.post(ORGS, Some(&admin), &json!({"name": "Another", "kind": "charity", "code": code})).await;
        assert_invalid_field(&res, "code");
    }
}

#[actix_web::test]
async fn invalid_values_are_422_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let base = json!({"name": "Valid name", "kind": "charity", "code": "VALID-CODE"});
    let cases = [
        ("kind", json!("spaceship")),
        ("email", json!("not-an-email")),
        ("code", json!("1-starts-with-digit")),
        ("code", json!("X")),
        ("name", json!("")),
        ("name", json!(42)),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let res = app.post(ORGS, Some(&admin), &body).await;
        assert_invalid_field(&res, field);
    }
    // Nothing invalid was stored.
    let list = app.get(&format!("{ORGS}?limit=200"), Some(&admin)).await;
    list.expect_status(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "only the platform organization exists");
}

/// Well-formed JSON with a value of the wrong type is invalid (422 naming the field), not malformed (400),
/// for coded fields too.
#[actix_web::test]
async fn wrong_json_type_for_a_code_is_422_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for kind in [json!(7), json!(true), json!(["charity"])] {
        let res = app
            .post(ORGS, Some(&admin), &json!({"name": "Valid name", "kind": kind, "code": "VALID-CODE"}))
            .await;
        assert_invalid_field(&res, "kind");
    }
}

#[actix_web::test]
async fn patch_needs_the_current_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_organization(&admin, "PATCH-ME").await;
    let path = org_path(&id);

    let res = app.patch(&path, Some(&admin), &json!({"phone": "+39 0372 1"}), None).await;
    assert_problem(&res, 428, ":precondition_required");
    let res = app.patch(&path, Some(&admin), &json!({"phone": "+39 0372 1"}), Some("*")).await;
    assert_problem(&res, 428, ":precondition_required");
    let res = app.patch(&path, Some(&admin), &json!({"phone": "+39 0372 1"}), Some("\"7\"")).await;
    assert_problem(&res, 412, ":precondition_failed");

    let res = app
        .patch(
            &path,
            Some(&admin),
            &json!({"phone": "+39 0372 407112", "municipality": "Crema"}),
            Some("\"1\""),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.body["phone"], "+39 0372 407112");
    assert_eq!(res.body["municipality"], "Crema");
    assert_eq!(res.body["code"], "PATCH-ME");

    // The old ETag is now stale.
    let res = app.patch(&path, Some(&admin), &json!({"phone": "+39 0372 2"}), Some("\"1\"")).await;
    assert_problem(&res, 412, ":precondition_failed");

    // null clears a nullable field; absent fields stay.
    let res = app.patch(&path, Some(&admin), &json!({"phone": null}), Some("\"2\"")).await;
    res.expect_status(200);
    assert!(res.body["phone"].is_null(), "{}", res.text);
    assert_eq!(res.body["municipality"], "Crema");
    assert_eq!(res.header("etag").as_deref(), Some("\"3\""));

    // null on a required field is invalid, not "clear".
    let res = app.patch(&path, Some(&admin), &json!({"name": null}), Some("\"3\"")).await;
    assert_invalid_field(&res, "name");

    let got = app.get(&path, Some(&admin)).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"3\""));
    assert!(got.body["phone"].is_null());
}

#[actix_web::test]
async fn patch_cannot_change_the_code() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_organization(&admin, "FIXED-CODE").await;
    let res = app.patch(&org_path(&id), Some(&admin), &json!({"code": "NEW-CODE"}), Some("\"1\"")).await;
    assert_problem(&res, 422, ":validation");
    assert!(res.text.contains("code"), "the problem should name the field: {}", res.text);

    let got = app.get(&org_path(&id), Some(&admin)).await;
    assert_eq!(got.body["code"], "FIXED-CODE");
    assert_eq!(got.body["version"], 1);
}

#[actix_web::test]
async fn other_roles_may_read_but_not_write() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, "READERS").await;
    let other = app.create_organization(&admin, "OTHER-ORG").await;
    for role in ["coordinator", "operator", "analyst"] {
        let token = app.user_token(role, &org).await;
        let list = app.get(ORGS, Some(&token)).await;
        list.expect_status(200);
        let ids: Vec<&str> =
            list.body["items"].as_array().unwrap().iter().filter_map(|o| o["id"].as_str()).collect();
        assert!(ids.contains(&org.as_str()) && ids.contains(&other.as_str()), "{role} sees the directory");

        let got = app.get(&org_path(&other), Some(&token)).await;
        got.expect_status(200);
        assert_eq!(got.body["code"], "OTHER-ORG");

        let res = app
            .post(ORGS, Some(&token), &json!({"name": "Nope", "kind": "charity", "code": unique_code()}))
            .await;
        assert_problem(&res, 403, ":forbidden");
        let res =
            app.patch(&org_path(&org), Some(&token), &json!({"phone": "+39 1234"}), Some("\"1\"")).await;
        assert_problem(&res, 403, ":forbidden");
        let res = app.delete(&org_path(&other), Some(&token)).await;
        assert_problem(&res, 403, ":forbidden");
    }
    let got = app.get(&org_path(&org), Some(&admin)).await;
    assert_eq!(got.body["version"], 1, "nothing was changed");
    assert_eq!(count_organizations(&app, &admin).await, 3);

    // Without a token nothing is readable.
    assert_problem(&app.get(ORGS, None).await, 401, ":unauthorized");
    assert_problem(&app.get(&org_path(&org), None).await, 401, ":unauthorized");
}

#[actix_web::test]
async fn unknown_and_malformed_ids_are_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.get(&org_path(&uuid::Uuid::now_v7().to_string()), Some(&admin)).await;
    assert_problem(&res, 404, ":not_found");
    let res = app.get(&org_path("not-a-uuid"), Some(&admin)).await;
    assert_problem(&res, 404, ":not_found");
    let res = app
        .patch(
            &org_path(&uuid::Uuid::now_v7().to_string()),
            Some(&admin),
            &json!({"phone": "+39 1234"}),
            Some("\"1\""),
        )
        .await;
    assert_problem(&res, 404, ":not_found");
}

#[actix_web::test]
async fn admin_deletes_an_empty_organization() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_organization(&admin, "DELETE-ME").await;
    let res = app.delete(&org_path(&id), Some(&admin)).await;
    res.expect_status(204);
    assert!(res.text.is_empty());
    assert_problem(&app.get(&org_path(&id), Some(&admin)).await, 404, ":not_found");
    assert_problem(&app.delete(&org_path(&id), Some(&admin)).await, 404, ":not_found");
    // The code is free again.
    app.create_organization(&admin, "DELETE-ME").await;
}

#[actix_web::test]
async fn deleting_an_organization_with_users_is_409() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_organization(&admin, "HAS-USERS").await;
    app.create_user(&admin, Some(&id), "operator", &unique_username("op")).await;
    let res = app.delete(&org_path(&id), Some(&admin)).await;
    assert_problem(&res, 409, ":organization_in_use");
    app.get(&org_path(&id), Some(&admin)).await.expect_status(200);

    // Nor can the admin delete their own (platform) organization.
    let platform = app.platform_organization_id(&admin).await;
    assert_problem(&app.delete(&org_path(&platform), Some(&admin)).await, 409, ":organization_in_use");
}

async fn count_organizations(app: &TestApp, token: &str) -> usize {
    walk(app, token, 200).await.len()
}

/// Every id of the collection, page by page; checks each page's shape on the way.
async fn walk(app: &TestApp, token: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let path = match &cursor {
            Some(c) => format!("{ORGS}?limit={limit}&cursor={c}"),
            None => format!("{ORGS}?limit={limit}"),
        };
        let page = app.get(&path, Some(token)).await;
        page.expect_status(200);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= limit, "page larger than the limit: {}", items.len());
        ids.extend(items.iter().map(|o| o["id"].as_str().expect("id").to_string()));
        match page.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "a page before the last one is full");
                cursor = Some(next.to_string());
            }
            None => {
                assert!(page.body["next_cursor"].is_null(), "next_cursor is null on the last page");
                return ids;
            }
        }
    }
    panic!("pagination did not end");
}

#[actix_web::test]
async fn pagination_returns_every_organization_once_in_a_stable_order() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let platform = app.platform_organization_id(&admin).await;
    let mut created = Vec::new();
    for i in 0..120 {
        created.push(app.create_organization(&admin, &format!("PAGE-{i:03}")).await);
    }

    let first = walk(&app, &admin, 7).await;
    assert_eq!(first.len(), 121, "120 created + the platform organization");
    let unique: HashSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len(), "an organization appeared twice");
    assert!(unique.contains(&platform));
    for id in &created {
        assert!(unique.contains(id), "organization {id} never appeared");
    }

    // The same walk again, and a walk with another page size, give the same order.
    assert_eq!(walk(&app, &admin, 7).await, first);
    assert_eq!(walk(&app, &admin, 50).await, first);
    // Creation order is kept (ids are time-ordered).
    let created_order: Vec<&String> = first.iter().filter(|id| **id != platform).collect();
    assert_eq!(created_order, created.iter().collect::<Vec<_>>());

    let res = app.get(&format!("{ORGS}?cursor=not-a-cursor"), Some(&admin)).await;
    assert_problem(&res, 400, ":invalid_query");
    let res = app.get(&format!("{ORGS}?limit=0"), Some(&admin)).await;
    assert_problem(&res, 400, ":invalid_query");
    let res = app.get(&format!("{ORGS}?limit=abc"), Some(&admin)).await;
    assert_problem(&res, 400, ":invalid_query");
}

#[actix_web::test]
async fn list_filters_by_kind_and_name() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let charity = app.create_organization(&admin, "FILTER-A").await;
    let res = app
        .post(
            ORGS,
            Some(&admin),
            &json!({"name": "Comune di Crema", "kind": "municipality", "code": "CREMA"}),
        )
        .await;
    res.expect_status(201);
    let municipality = res.id();

    let ids = |res: &crate::support::TestResponse| -> Vec<String> {
        res.body["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
    };
    let res = app.get(&format!("{ORGS}?kind=charity"), Some(&admin)).await;
    res.expect_status(200);
    assert_eq!(ids(&res), vec![charity.clone()]);
    let res = app.get(&format!("{ORGS}?name=Crema"), Some(&admin)).await;
    assert_eq!(ids(&res), vec![municipality]);
    let res = app.get(&format!("{ORGS}?kind=spaceship"), Some(&admin)).await;
    assert_problem(&res, 400, ":invalid_query");
}
