//! The registry of mediators, interpreters and lawyers: who manages it, and searching it.

use serde_json::{Value, json};

use crate::network::Agency;
use crate::support::{assert_invalid_field, assert_problem, spawn_app};

fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|p| p["family_name"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn the_registry_is_searched_by_language_sector_municipality_kind_and_active_flag_a_page_at_a_time() {
    let app = spawn_app().await;
    let (registry, other) = (Agency::new(&app).await, Agency::new(&app).await);
    let entries = [
        (
            "intercultural_mediator",
            "Sow",
            json!([{"code": "wo", "level": "native"}]),
            json!(["health"]),
            json!(["Crema"]),
        ),
        (
            "interpreter",
            "Haddad",
            json!([{"code": "ar", "level": "native"}]),
            json!(["legal"]),
            json!(["Crema", "Soncino"]),
        ),
        (
            "lawyer",
            "Ferri",
            json!([{"code": "it", "level": "native"}, {"code": "ar", "level": "good"}]),
            json!(["legal", "labour"]),
            json!(["Cremona"]),
        ),
        (
            "intercultural_mediator",
            "Benali",
            json!([{"code": "ar", "level": "native"}]),
            json!(["school"]),
            json!(["Soncino"]),
        ),
        (
            "intercultural_mediator",
            "Kaur",
            json!([{"code": "pa", "level": "native"}]),
            json!(["labour"]),
            json!(["Crema"]),
        ),
    ];
    let mut ids = Vec::new();
    for (kind, family, languages, sectors, places) in entries {
        let body = json!({"kind": kind, "given_name": "N.", "family_name": family, "languages": languages,
            "sectors": sectors, "area": {"municipalities": places}, "registry_number": format!("REG-{family}")});
        let res = app.post("/api/v1/professionals", Some(&registry.coordinator), &body).await;
        res.expect_status(201);
        assert_eq!(res.body["registry_organization_id"], registry.id.as_str());
        ids.push(res.id());
    }
    let url = format!("/api/v1/professionals/{}", ids[4]);
    let etag = app.get(&url, Some(&registry.coordinator)).await.header("etag");
    app.patch(&url, Some(&registry.coordinator), &json!({"active": false}), etag.as_deref())
        .await
        .expect_status(200);

    // Any operator of the network searches; names, not ids, make the expectations readable.
    let search =
        |query: &str| format!("/api/v1/professionals?registry_organization_id={}&{query}", registry.id);
    let op = &other.operator;
    for (query, expected) in [
        ("language=ar", vec!["Benali", "Ferri", "Haddad"]),
        ("language=ar&sector=legal", vec!["Ferri", "Haddad"]),
        ("language=ar&sector=legal&municipality=SONCINO", vec!["Haddad"]),
        ("municipality=crema", vec!["Haddad", "Kaur", "Sow"]),
        ("municipality=crema&active=true", vec!["Haddad", "Sow"]),
        ("active=false", vec!["Kaur"]),
        ("kind=intercultural_mediator&active=true", vec!["Benali", "Sow"]),
        ("language=zh", vec![]),
    ] {
        let res = app.get(&search(query), Some(op)).await;
        res.expect_status(200);
        let mut found = names(&res.body);
        found.sort();
        assert_eq!(found, expected, "{query}");
    }
    // Cursor pagination walks every entry once.
    let mut seen = Vec::new();
    let mut next = Some(search("limit=2"));
    while let Some(url) = next {
        let res = app.get(&url, Some(op)).await;
        res.expect_status(200);
        assert!(res.body["items"].as_array().unwrap().len() <= 2);
        seen.extend(names(&res.body));
        next = res.body["next_cursor"].as_str().map(|c| format!("{}&cursor={c}", search("limit=2")));
    }
    seen.sort();
    assert_eq!(seen, ["Benali", "Ferri", "Haddad", "Kaur", "Sow"]);
    assert_problem(&app.get(&search("language=klingon"), Some(op)).await, 400, ":invalid_query");

    // Only the registry's coordinators (and admins) manage its entries.
    let url = format!("/api/v1/professionals/{}", ids[0]);
    let etag = app.get(&url, Some(op)).await.header("etag");
    let change = json!({"sectors": ["health", "family"]});
    assert_problem(
        &app.patch(&url, Some(&other.coordinator), &change, etag.as_deref()).await,
        403,
        ":forbidden",
    );
    assert_problem(
        &app.patch(&url, Some(&registry.operator), &change, etag.as_deref()).await,
        403,
        ":forbidden",
    );
    let changed = app.patch(&url, Some(&registry.coordinator), &change, etag.as_deref()).await;
    changed.expect_status(200);
    assert_eq!(changed.body["sectors"], json!(["health", "family"]));
    // A coordinator cannot add to another registry, nor link an account that is not a professional's.
    let body = json!({"registry_organization_id": registry.id, "kind": "interpreter", "given_name": "A",
        "family_name": "B", "languages": [{"code": "ar", "level": "native"}]});
    assert_problem(
        &app.post("/api/v1/professionals", Some(&other.coordinator), &body).await,
        403,
        ":forbidden",
    );
    let admin = app.admin_token().await;
    let (operator_user, _) =
        app.create_user(&admin, Some(&registry.id), "operator", &crate::support::unique_username("op")).await;
    let mut linked = body.clone();
    linked["user_id"] = json!(operator_user);
    assert_invalid_field(
        &app.post("/api/v1/professionals", Some(&registry.coordinator), &linked).await,
        "user_id",
    );
}
