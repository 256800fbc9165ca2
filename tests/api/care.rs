//! The family-assistant list: assistants register, families post care requests, the desk proposes
//! ranked matches and records how each ended, aiming at a signed contract.

use serde_json::{Value, json};

use crate::network::{Agency, open_case};
use crate::support::{TestApp, assert_invalid_field, assert_problem, spawn_app};

async fn enlist(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.post("/api/v1/family-assistants", Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

fn assistant(given: &str, family: &str, languages: Value, hours: i32, live_in: bool, places: Value) -> Value {
    json!({"given_name": given, "family_name": family, "languages": languages, "hours_per_week": hours,
        "live_in": live_in, "municipalities": places, "tasks": ["elderly_care", "housekeeping", "cooking"]})
}

#[actix_web::test]
async fn the_desk_ranks_assistants_for_a_family_and_records_the_signed_contract() {
    let app = spawn_app().await;
    let (desk, other) = (Agency::new(&app).await, Agency::new(&app).await);
    let op = &desk.operator;
    let olena =
        enlist(&app, op, assistant("Olena", "Kovalenko", json!(["uk", "it"]), 54, true, json!(["Crema"])))
            .await;
    let mut maria =
        assistant("Maria", "Popescu", json!(["ro", "it"]), 54, true, json!(["crema", "Offanengo"]));
    maria["tasks"] = json!(["elderly_care", "housekeeping"]);
    let maria = enlist(&app, op, maria).await;
    let ana =
        enlist(&app, op, assistant("Ana", "Lopez", json!(["es", "it", "uk"]), 20, false, json!(["Crema"])))
            .await;
    let mut later = assistant("Svitlana", "Melnyk", json!(["uk", "it"]), 54, true, json!(["Crema"]));
    later["available_from"] = json!("2027-03-01");
    let later = enlist(&app, op, later).await;
    let irina =
        enlist(&app, op, assistant("Irina", "Bondar", json!(["uk", "it"]), 60, true, json!(["Cremona"])))
            .await;
    let gone =
        enlist(&app, op, assistant("Oksana", "Shevchenko", json!(["uk", "it"]), 54, true, json!(["Crema"])))
            .await;
    let url = format!("/api/v1/family-assistants/{gone}");
    let etag = app.get(&url, Some(op)).await.header("etag");
    app.patch(&url, Some(op), &json!({"active": false}), etag.as_deref()).await.expect_status(200);
    // Another organization's list is not this desk's to propose from.
    enlist(
        &app,
        &other.operator,
        assistant("Halyna", "Koval", json!(["uk", "it"]), 54, true, json!(["Crema"])),
    )
    .await;

    let case = open_case(
        &app,
        op,
        json!({"given_name": "Giuseppe", "family_name": "Bianchi", "birth_date": "1938-04-02"}),
    )
    .await;
    let body = json!({"case_id": case, "tasks": ["elderly_care", "housekeeping", "cooking"], "hours_per_week": 54,
        "live_in": true, "municipality": "Crema", "languages": ["it", "uk"], "start_on": "2027-01-07"});
    let res = app.post("/api/v1/care-requests", Some(op), &body).await;
    res.expect_status(201);
    assert_eq!(res.body["status"], "open");
    let request = res.id();

    let matches = app.get(&format!("/api/v1/care-requests/{request}/matches"), Some(op)).await;
    matches.expect_status(200);
    let items = matches.body["items"].as_array().unwrap();
    let order: Vec<&str> = items.iter().map(|m| m["assistant"]["id"].as_str().unwrap()).collect();
    // Area first (Irina works elsewhere), then availability (Ana's hours, Svitlana's start date), then
    // languages in common, then tasks: Olena offers every task, Maria not cooking. Ana and Svitlana fit
    // equally: the tie keeps name order.
    let expected = [&olena, &maria, &ana, &later, &irina].map(String::as_str);
    assert_eq!(order, expected);
    assert_eq!(
        items[0]["reasons"],
        json!([
            "works in Crema",
            "available as asked (hours, living in, start date)",
            "2 languages in common",
            "offers every task asked"
        ])
    );
    assert_eq!(
        (items[1]["common_languages"].clone(), items[1]["missing_tasks"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!((items[2]["available"].clone(), items[3]["available"].clone()), (json!(false), json!(false)));
    assert_eq!(items[2]["common_languages"], 2, "uk and it");
    assert_eq!(items[4]["reasons"][0], "does not work in Crema");

    // Propose the best; she drops out of the matches; proposing her twice is 409.
    let placements = format!("/api/v1/care-requests/{request}/placements");
    let proposed =
        app.post(&placements, Some(op), &json!({"assistant_id": olena, "note": "Called the son"})).await;
    proposed.expect_status(201);
    assert_eq!(proposed.body["outcome"], "proposed");
    let placement = proposed.id();
    let again = app.get(&format!("/api/v1/care-requests/{request}/matches"), Some(op)).await;
    assert_eq!(again.body["items"][0]["assistant"]["id"], maria.as_str());
    assert_eq!(again.body["items"].as_array().unwrap().len(), 4);
    assert_eq!(app.post(&placements, Some(op), &json!({"assistant_id": olena})).await.status, 409);
    let inactive = app.post(&placements, Some(op), &json!({"assistant_id": gone})).await;
    assert_invalid_field(&inactive, "assistant_id");

    // The family refuses Maria; Olena is interviewed, then signs: the request is placed.
    let second = app.post(&placements, Some(op), &json!({"assistant_id": maria})).await;
    second.expect_status(201);
    let outcome = |p: &str| format!("/api/v1/care-requests/{request}/placements/{p}/outcome");
    let refused = app.post(&outcome(&second.id()), Some(op), &json!({"outcome": "refused_by_family"})).await;
    refused.expect_status(200);
    assert_invalid_field(
        &app.post(
            &outcome(&placement),
            Some(op),
            &json!({"outcome": "interviewed", "contract_type": "live_in"}),
        )
        .await,
        "contract_type",
    );
    app.post(&outcome(&placement), Some(op), &json!({"outcome": "interviewed"})).await.expect_status(200);
    assert_invalid_field(
        &app.post(&outcome(&placement), Some(op), &json!({"outcome": "contract_signed"})).await,
        "contract_type",
    );
    let signed = app
        .post(
            &outcome(&placement),
            Some(op),
            &json!({"outcome": "contract_signed", "contract_type": "live_in",
            "note": "CCNL domestic work, level CS"}),
        )
        .await;
    signed.expect_status(200);
    assert_eq!(
        (signed.body["outcome"].as_str(), signed.body["contract_type"].as_str()),
        (Some("contract_signed"), Some("live_in"))
    );
    let placed = app.get(&format!("/api/v1/care-requests/{request}"), Some(op)).await;
    assert_eq!(placed.body["status"], "placed");

    // A placed request takes no more proposals or outcomes.
    assert_problem(
        &app.post(&placements, Some(op), &json!({"assistant_id": ana})).await,
        409,
        ":request_not_open",
    );
    assert_problem(
        &app.post(&outcome(&second.id()), Some(op), &json!({"outcome": "interviewed"})).await,
        409,
        ":already_placed",
    );
    let history = app.get(&placements, Some(op)).await;
    let outcomes: Vec<&str> =
        history.body["items"].as_array().unwrap().iter().map(|p| p["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["contract_signed", "refused_by_family"]);

    // Another organization sees neither the request nor its matches.
    for path in
        [format!("/api/v1/care-requests/{request}"), format!("/api/v1/care-requests/{request}/matches")]
    {
        assert_problem(&app.get(&path, Some(&other.operator)).await, 404, ":not_found");
    }
}

#[actix_web::test]
async fn a_care_request_names_either_a_case_or_a_household_and_is_searchable_by_status() {
    let app = spawn_app().await;
    let desk = Agency::new(&app).await;
    let op = &desk.operator;
    let base = json!({"tasks": ["childcare"], "hours_per_week": 15, "municipality": "Pandino"});
    assert_invalid_field(&app.post("/api/v1/care-requests", Some(op), &base).await, "household_name");
    let other = Agency::new(&app).await;
    let foreign_case =
        open_case(&app, &other.operator, json!({"given_name": "Li", "family_name": "Wei"})).await;
    let mut body = base.clone();
    body["case_id"] = json!(foreign_case);
    assert_problem(&app.post("/api/v1/care-requests", Some(op), &body).await, 404, ":not_found");
    body["household_name"] = json!("Famiglia Rossi");
    assert_invalid_field(&app.post("/api/v1/care-requests", Some(op), &body).await, "household_name");

    let mut household = base;
    household["household_name"] = json!("Famiglia Rossi");
    household["household_phone"] = json!("+39 0373 123456");
    let open = app.post("/api/v1/care-requests", Some(op), &household).await;
    open.expect_status(201);
    let closed = app.post("/api/v1/care-requests", Some(op), &household).await;
    let etag = closed.header("etag");
    let id = closed.id();
    app.patch(
        &format!("/api/v1/care-requests/{id}"),
        Some(op),
        &json!({"status": "closed"}),
        etag.as_deref(),
    )
    .await
    .expect_status(200);
    let listed = app.get("/api/v1/care-requests?status=open", Some(op)).await;
    listed.expect_status(200);
    let ids: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [open.id()]);
    // A closed request takes no proposals.
    let assistant =
        enlist(&app, op, json!({"given_name": "Rosa", "family_name": "Quispe", "hours_per_week": 20})).await;
    let res = app
        .post(
            &format!("/api/v1/care-requests/{id}/placements"),
            Some(op),
            &json!({"assistant_id": assistant}),
        )
        .await;
    assert_problem(&res, 409, ":request_not_open");
}
