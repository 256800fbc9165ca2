//! `/api/v1/users` and `/api/v1/me`: who may create and see which accounts.

use serde_json::json;

use crate::support::{
    TestApp, TestResponse, USER_PASSWORD, assert_invalid_field, assert_problem, spawn_app, unique_username,
    user_body,
};

const USERS: &str = "/api/v1/users";

fn user_path(id: &str) -> String {
    format!("{USERS}/{id}")
}

fn ids(res: &TestResponse) -> Vec<String> {
    res.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {}", res.text))
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

/// Two organizations, A and B, and a coordinator of A: `(admin, org_a, org_b, coordinator_a)`.
async fn two_organizations(app: &TestApp) -> (String, String, String, String) {
    let admin = app.admin_token().await;
    let org_a = app.create_organization(&admin, "ORG-A").await;
    let org_b = app.create_organization(&admin, "ORG-B").await;
    let username = unique_username("coord-a");
    app.create_user(&admin, Some(&org_a), "coordinator", &username).await;
    let coordinator = app.token(&username, USER_PASSWORD).await;
    (admin, org_a, org_b, coordinator)
}

#[actix_web::test]
async fn admin_creates_a_coordinator_in_another_organization() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org_a = app.create_organization(&admin, "ORG-A").await;
    let res = app
        .post(
            USERS,
            Some(&admin),
            &json!({
                "username": "M.Rossi", "display_name": "Maria Rossi", "email": "m.rossi@example.org",
                "role": "coordinator", "organization_id": org_a, "password": USER_PASSWORD
            }),
        )
        .await;
    res.expect_status(201);
    let id = res.id();
    assert_eq!(res.header("location").as_deref(), Some(user_path(&id).as_str()));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.body["username"], "m.rossi", "usernames are stored lowercase");
    assert_eq!(res.body["organization_id"], org_a.as_str());
    assert_eq!(res.body["role"], "coordinator");
    assert_eq!(res.body["active"], true);
    assert_eq!(res.body["locked"], false);
    assert!(res.body.get("password").is_none() && res.body.get("password_hash").is_none(), "{}", res.text);
    assert!(!res.text.contains("argon2"), "no hash in responses");

    let got = app.get(&user_path(&id), Some(&admin)).await;
    got.expect_status(200);
    assert_eq!(got.body["id"], id.as_str());
    // The new user can log in with any case of the username.
    app.token("M.ROSSI", USER_PASSWORD).await;
}

#[actix_web::test]
async fn coordinator_manages_users_of_their_own_organization_only() {
    let app = spawn_app().await;
    let (_admin, org_a, org_b, coordinator) = two_organizations(&app).await;

    // Without organization_id: the coordinator's own organization.
    let res = app.post(USERS, Some(&coordinator), &user_body(None, "operator", &unique_username("op"))).await;
    res.expect_status(201);
    assert_eq!(res.body["organization_id"], org_a.as_str());
    let res = app
        .post(USERS, Some(&coordinator), &user_body(Some(&org_a), "analyst", &unique_username("an")))
        .await;
    res.expect_status(201);

    let res = app
        .post(USERS, Some(&coordinator), &user_body(Some(&org_b), "operator", &unique_username("op")))
        .await;
    assert_problem(&res, 403, ":forbidden");
    let res = app.post(USERS, Some(&coordinator), &user_body(None, "admin", &unique_username("adm"))).await;
    assert_problem(&res, 403, ":forbidden");
    let res =
        app.post(USERS, Some(&coordinator), &user_body(Some(&org_a), "admin", &unique_username("adm"))).await;
    assert_problem(&res, 403, ":forbidden");
}

#[actix_web::test]
async fn operators_and_analysts_cannot_create_users() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, "ORG-A").await;
    for role in ["operator", "analyst"] {
        let token = app.user_token(role, &org).await;
        let res = app.post(USERS, Some(&token), &user_body(None, "operator", &unique_username("x"))).await;
        assert_problem(&res, 403, ":forbidden");
    }
    let list = app.get(&format!("{USERS}?organization_id={org}"), Some(&admin)).await;
    assert_eq!(ids(&list).len(), 2, "only the two users made by the admin exist");
}

#[actix_web::test]
async fn users_of_other_organizations_are_invisible() {
    let app = spawn_app().await;
    let (admin, org_a, org_b, coordinator) = two_organizations(&app).await;
    let (in_b, _) = app.create_user(&admin, Some(&org_b), "operator", &unique_username("op-b")).await;
    let (in_a, _) = app.create_user(&admin, Some(&org_a), "operator", &unique_username("op-a")).await;

    assert_problem(&app.get(&user_path(&in_b), Some(&coordinator)).await, 404, ":not_found");
    app.get(&user_path(&in_a), Some(&coordinator)).await.expect_status(200);
    let res =
        app.patch(&user_path(&in_b), Some(&coordinator), &json!({"active": false}), Some("\"1\"")).await;
    assert_problem(&res, 404, ":not_found");

    let list = app.get(&format!("{USERS}?limit=200"), Some(&coordinator)).await;
    list.expect_status(200);
    assert!(!ids(&list).contains(&in_b));
    assert!(ids(&list).contains(&in_a));
    for user in list.body["items"].as_array().unwrap() {
        assert_eq!(user["organization_id"], org_a.as_str(), "{user}");
    }
    // Asking for B explicitly does not widen the scope.
    let list = app.get(&format!("{USERS}?organization_id={org_b}"), Some(&coordinator)).await;
    list.expect_status(200);
    assert!(ids(&list).is_empty(), "{}", list.text);

    // An operator of A sees A's users, not B's.
    let operator = app.user_token("operator", &org_a).await;
    assert_problem(&app.get(&user_path(&in_b), Some(&operator)).await, 404, ":not_found");
    let list = app.get(USERS, Some(&operator)).await;
    list.expect_status(200);
    assert!(ids(&list).contains(&in_a) && !ids(&list).contains(&in_b));

    // The admin sees both.
    let list = app.get(&format!("{USERS}?limit=200"), Some(&admin)).await;
    assert!(ids(&list).contains(&in_a) && ids(&list).contains(&in_b));
}

#[actix_web::test]
async fn analysts_cannot_list_users() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, "ORG-A").await;
    let (someone, _) = app.create_user(&admin, Some(&org), "operator", &unique_username("op")).await;
    let analyst = app.user_token("analyst", &org).await;
    assert_problem(&app.get(USERS, Some(&analyst)).await, 403, ":forbidden");
    assert_problem(&app.get(&user_path(&someone), Some(&analyst)).await, 403, ":forbidden");
}

#[actix_web::test]
async fn short_passwords_and_taken_usernames_are_422() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut body = user_body(None, "operator", "short.password");
    body["password"] = json!("elevenchars");
    assert_invalid_field(&app.post(USERS, Some(&admin), &body).await, "password");

    app.create_user(&admin, None, "operator", "taken.name").await;
    for username in ["taken.name", "Taken.Name"] {
        let res = app.post(USERS, Some(&admin), &user_body(None, "analyst", username)).await;
        assert_invalid_field(&res, "username");
    }
    for bad in ["ab", "-leading-dash", "with space"] {
        let res = app.post(USERS, Some(&admin), &user_body(None, "analyst", bad)).await;
        assert_invalid_field(&res, "username");
    }
    let res = app.post(USERS, Some(&admin), &user_body(None, "superuser", "role.check")).await;
    assert_invalid_field(&res, "role");
}

#[actix_web::test]
async fn the_last_active_admin_cannot_be_deactivated() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    let (id, etag) = (me.id(), me.header("etag").expect("ETag"));

    let res = app.patch(&user_path(&id), Some(&admin), &json!({"active": false}), Some(&etag)).await;
    assert_problem(&res, 409, ":last_admin");
    let res = app.patch(&user_path(&id), Some(&admin), &json!({"role": "operator"}), Some(&etag)).await;
    assert_problem(&res, 409, ":last_admin");
    let got = app.get(&user_path(&id), Some(&admin)).await;
    assert_eq!(got.body["active"], true);
    assert_eq!(got.body["role"], "admin");
    assert_eq!(got.header("etag"), Some(etag.clone()), "the refused change left no trace");

    // With a second admin, the first may go; then the second is the last one.
    let second_name = unique_username("admin");
    let (second, password) = app.create_user(&admin, None, "admin", &second_name).await;
    let res = app.patch(&user_path(&id), Some(&admin), &json!({"active": false}), Some(&etag)).await;
    res.expect_status(200);
    assert_eq!(res.body["active"], false);
    let second_token = app.token(&second_name, &password).await;
    let res =
        app.patch(&user_path(&second), Some(&second_token), &json!({"active": false}), Some("\"1\"")).await;
    assert_problem(&res, 409, ":last_admin");
}

#[actix_web::test]
async fn me_returns_the_caller() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_organization(&admin, "ORG-A").await;
    let username = unique_username("me");
    let (id, password) = app.create_user(&admin, Some(&org), "operator", &username).await;
    let token = app.token(&username, &password).await;

    let me = app.get("/api/v1/me", Some(&token)).await;
    me.expect_status(200);
    assert_eq!(me.body["id"], id.as_str());
    assert_eq!(me.body["username"], username.as_str());
    assert_eq!(me.body["organization_id"], org.as_str());
    assert_eq!(me.body["role"], "operator");
    assert_eq!(me.header("etag").as_deref(), Some("\"1\""));
    assert!(me.body["last_login_at"].is_string(), "the login was recorded: {}", me.text);
    assert_problem(&app.get("/api/v1/me", None).await, 401, ":unauthorized");
}

#[actix_web::test]
async fn coordinator_cannot_touch_admins_or_grant_admin() {
    let app = spawn_app().await;
    let (admin, org_a, _org_b, coordinator) = two_organizations(&app).await;
    let (admin_in_a, _) = app.create_user(&admin, Some(&org_a), "admin", &unique_username("adm")).await;
    let (operator_in_a, _) = app.create_user(&admin, Some(&org_a), "operator", &unique_username("op")).await;

    let res = app
        .patch(&user_path(&admin_in_a), Some(&coordinator), &json!({"active": false}), Some("\"1\""))
        .await;
    assert_problem(&res, 403, ":forbidden");
    let res = app
        .patch(&user_path(&operator_in_a), Some(&coordinator), &json!({"role": "admin"}), Some("\"1\""))
        .await;
    assert_problem(&res, 403, ":forbidden");
    let res = app
        .patch(
            &user_path(&operator_in_a),
            Some(&coordinator),
            &json!({"display_name": "Renamed"}),
            Some("\"1\""),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.body["display_name"], "Renamed");
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
}
