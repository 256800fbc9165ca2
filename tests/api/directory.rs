//! The provider directory: providers, services with locations and schedules, search (need, language,
//! municipality, open at, text), and protocols in force on a date.

use serde_json::{Value, json};

use crate::network::Agency;
use crate::support::{TestApp, TestResponse, assert_invalid_field, assert_problem, spawn_app};

async fn service(app: &TestApp, token: &str, provider: &str, body: Value) -> String {
    let res = app.post(&format!("/api/v1/providers/{provider}/services"), Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

fn names(res: &TestResponse) -> Vec<String> {
    assert_eq!(res.status, 200, "{}", res.text);
    let mut n: Vec<String> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

/// A small territory: a police immigration office, a job centre and a charity.
async fn territory(app: &TestApp) -> (String, Agency) {
    let admin = app.admin_token().await;
    let caritas = Agency::new(app).await;
    let questura = app
        .post(
            "/api/v1/providers",
            Some(&admin),
            &json!({"name": "Questura di Cremona", "category": "police_immigration_office"}),
        )
        .await
        .id();
    let cpi = app
        .post(
            "/api/v1/providers",
            Some(&admin),
            &json!({"name": "Centro per l'impiego di Crema", "category": "job_centre"}),
        )
        .await
        .id();
    let charity = app
        .post(
            "/api/v1/providers",
            Some(&caritas.coordinator),
            &json!({"name": "Caritas Crema", "category": "charity"}),
        )
        .await;
    charity.expect_status(201);
    assert_eq!(
        charity.body["organization_id"],
        caritas.id.as_str(),
        "a coordinator's provider is linked to its organization"
    );
    let charity = charity.id();
    service(app, &admin, &questura, json!({
        "name": "Rinnovo permesso di soggiorno", "needs": ["residence_permit"], "languages": ["it", "en"],
        "service_area": {"municipalities": ["Cremona", "Crema"]}, "min_age": 14,
        "locations": [{"name": "Sportello stranieri", "municipality": "Cremona",
            "schedules": [{"weekday": 3, "opens": "12:00", "closes": "15:00"}, {"weekday": 4, "opens": "08:30", "closes": "12:00"}]}]
    })).await;
    service(app, &admin, &cpi, json!({
        "name": "Iscrizione e orientamento al lavoro", "needs": ["employment"], "languages": ["it", "fr", "ar"],
        "service_area": {"district": "Cremasco"}, "description": "Patto di servizio, tirocini",
        "locations": [{"name": "CPI Crema", "municipality": "Crema",
            "schedules": [{"weekday": 1, "opens": "09:00", "closes": "12:00"}, {"weekday": 2, "opens": "09:00", "closes": "12:00"},
                          {"weekday": 3, "opens": "09:00", "closes": "12:00", "valid_to": "2026-06-30"}]}]
    })).await;
    service(app, &caritas.coordinator, &charity, json!({
        "name": "Centro di ascolto", "needs": ["housing", "income_support"], "languages": ["it", "fr", "ar", "ur"],
        "service_area": {"municipalities": ["Crema", "Offanengo", "Spino d'Adda"]}, "max_age": 17,
        "locations": [{"name": "Via Matteotti", "municipality": "Crema", "schedules": [{"weekday": 3, "opens": "09:00", "closes": "12:00"}]}]
    })).await;
    (questura, caritas)
}

#[actix_web::test]
async fn services_are_found_by_need_language_place_age_category_and_words() {
    let app = spawn_app().await;
    let (questura, caritas) = territory(&app).await;
    let search = |q: &str| {
        let app = &app;
        let token = caritas.operator.clone();
        let q = q.to_string();
        async move { app.get(&format!("/api/v1/services?{q}"), Some(&token)).await }
    };
    assert_eq!(names(&search("need=employment").await), ["Iscrizione e orientamento al lavoro"]);
    assert_eq!(
        names(&search("language=ar").await),
        ["Centro di ascolto", "Iscrizione e orientamento al lavoro"]
    );
    assert_eq!(names(&search("language=ur&need=housing").await), ["Centro di ascolto"]);
    // Municipalities match whole names, any case or accent; a location counts as served.
    assert_eq!(names(&search("municipality=CREMONA").await), ["Rinnovo permesso di soggiorno"]);
    assert_eq!(names(&search("municipality=spino%20d%27adda").await), ["Centro di ascolto"]);
    assert_eq!(names(&search("municipality=Crem").await), Vec::<String>::new());
    assert_eq!(names(&search("district=cremasco").await), ["Iscrizione e orientamento al lavoro"]);
    // Age limits: the charity's service is for minors, the permit office from 14.
    assert_eq!(names(&search("age=10").await), ["Centro di ascolto", "Iscrizione e orientamento al lavoro"]);
    assert_eq!(
        names(&search("age=30").await),
        ["Iscrizione e orientamento al lavoro", "Rinnovo permesso di soggiorno"]
    );
    // Free text over provider, service and description; every word must appear.
    assert_eq!(names(&search("q=questura%20permesso").await), ["Rinnovo permesso di soggiorno"]);
    assert_eq!(names(&search("q=tirocini").await), ["Iscrizione e orientamento al lavoro"]);
    assert_eq!(names(&search("category=charity").await), ["Centro di ascolto"]);
    assert_eq!(names(&search(&format!("provider_id={questura}")).await), ["Rinnovo permesso di soggiorno"]);
    // Bad filters are 400 and name the parameter.
    let bad = search("language=klingon").await;
    assert_problem(&bad, 400, ":invalid_query");
    assert_eq!(bad.body["errors"][0]["field"], "language");

    // Pages walk the whole directory once.
    let first = search("limit=2").await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let second = search(&format!("limit=2&cursor={cursor}")).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["next_cursor"], json!(null));
}

#[actix_web::test]
async fn open_at_reads_schedules_in_italian_time_with_seasons() {
    let app = spawn_app().await;
    let (_, caritas) = territory(&app).await;
    let open_at = |at: &str| {
        let app = &app;
        let token = caritas.staff.clone();
        let at = at.replace('+', "%2B");
        async move { app.get(&format!("/api/v1/services?open_at={at}"), Some(&token)).await }
    };
    // Wednesday 25 November 2026, winter time (UTC+1).
    assert_eq!(
        names(&open_at("2026-11-25T10:30:00Z").await),
        ["Centro di ascolto"],
        "11:30 local: the charity (9–12) is open, the job centre's Wednesday ended in June"
    );
    assert_eq!(
        names(&open_at("2026-11-25T11:30:00Z").await),
        ["Rinnovo permesso di soggiorno"],
        "12:30 local"
    );
    assert_eq!(names(&open_at("2026-11-25T14:00:00Z").await), Vec::<String>::new(), "15:00 local: closed");
    assert_eq!(names(&open_at("2026-11-25T12:30:00+01:00").await), ["Rinnovo permesso di soggiorno"]);
    // Wednesday 3 June 2026, summer time (UTC+2), inside the job centre's season.
    assert_eq!(
        names(&open_at("2026-06-03T08:30:00Z").await),
        ["Centro di ascolto", "Iscrizione e orientamento al lavoro"],
        "10:30 local"
    );
    // Thursday morning.
    assert_eq!(names(&open_at("2026-11-26T07:45:00Z").await), ["Rinnovo permesso di soggiorno"]);
    // open_now is the same question asked now; a moment named with open_at wins over it.
    app.get("/api/v1/services?open_now=true", Some(&caritas.staff)).await.expect_status(200);
    let both =
        app.get("/api/v1/services?open_now=true&open_at=2026-11-25T14:00:00Z", Some(&caritas.staff)).await;
    assert_eq!(names(&both), Vec::<String>::new());
}

#[actix_web::test]
async fn providers_and_services_are_managed_by_admins_and_their_coordinators() {
    let app = spawn_app().await;
    let (questura, caritas) = territory(&app).await;
    let admin = app.admin_token().await;
    // A coordinator may not manage another organization's or an external provider.
    let p = app.get(&format!("/api/v1/providers/{questura}"), Some(&caritas.coordinator)).await;
    let etag = p.header("etag").unwrap();
    let res = app
        .patch(
            &format!("/api/v1/providers/{questura}"),
            Some(&caritas.coordinator),
            &json!({"phone": "+39 0372 1"}),
            Some(&etag),
        )
        .await;
    assert_problem(&res, 403, ":forbidden");
    let res = app
        .post(
            "/api/v1/providers",
            Some(&caritas.coordinator),
            &json!({"name": "Elsewhere", "category": "charity", "organization_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_problem(&res, 403, ":forbidden");
    // Renaming a provider is searchable at once.
    let res = app
        .patch(
            &format!("/api/v1/providers/{questura}"),
            Some(&admin),
            &json!({"name": "Polizia di Stato Cremona"}),
            Some(&etag),
        )
        .await;
    res.expect_status(200);
    let found = app.get("/api/v1/services?q=polizia", Some(&caritas.operator)).await;
    assert_eq!(names(&found), ["Rinnovo permesso di soggiorno"]);
    // Timetables are checked slot by slot, and age limits together.
    let bad = app
        .post(
            &format!("/api/v1/providers/{questura}/services"),
            Some(&admin),
            &json!({"name": "Bad service",
        "locations": [{"name": "A", "schedules": [{"weekday": 1, "opens": "09:00", "closes": "12:00"},
                                                  {"weekday": 1, "opens": "11:00", "closes": "13:00"}]}]}),
        )
        .await;
    assert_invalid_field(&bad, "locations[0].schedules[1].opens");
    let bad = app
        .post(
            &format!("/api/v1/providers/{questura}/services"),
            Some(&admin),
            &json!({"name": "Bad service", "min_age": 18, "max_age": 10}),
        )
        .await;
    assert_invalid_field(&bad, "max_age");
    // A deactivated provider's services leave the default search; they are still listed on request.
    let etag = app.get(&format!("/api/v1/providers/{questura}"), Some(&admin)).await.header("etag").unwrap();
    app.patch(&format!("/api/v1/providers/{questura}"), Some(&admin), &json!({"active": false}), Some(&etag))
        .await
        .expect_status(200);
    assert_eq!(
        names(&app.get("/api/v1/services?need=residence_permit", Some(&caritas.operator)).await),
        Vec::<String>::new()
    );
    // A provider with services cannot be deleted; a deleted service leaves the directory.
    assert_problem(
        &app.delete(&format!("/api/v1/providers/{questura}"), Some(&admin)).await,
        409,
        ":provider_in_use",
    );
    let services =
        app.get(&format!("/api/v1/services?provider_id={questura}&active=true"), Some(&admin)).await;
    assert_eq!(services.body["items"], json!([]));
    let listed = app.get("/api/v1/providers?category=charity", Some(&caritas.staff)).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn protocols_in_force_on_a_date_and_by_party() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (comune, caritas) = (Agency::new(&app).await, Agency::new(&app).await);
    let questura = crate::network::provider(&app, None, "Questura").await;
    let linked = crate::network::provider(&app, Some(&caritas.id), "Caritas Crema").await;
    let protocol = |title: &str, from: &str, to: Option<&str>, parties: Value| {
        json!({"title": title, "valid_from": from, "valid_to": to, "signed_on": "2025-12-15",
            "document_ref": "Delibera 1/2026", "parties": parties})
    };
    let a = app
        .post(
            "/api/v1/protocols",
            Some(&comune.coordinator),
            &protocol(
                "Sportello unico",
                "2026-01-01",
                Some("2026-12-31"),
                json!([{"organization_id": comune.id}, {"provider_id": questura}]),
            ),
        )
        .await;
    a.expect_status(201);
    assert_eq!(a.body["parties"][1]["name"], "Questura");
    let b = app
        .post(
            "/api/v1/protocols",
            Some(&admin),
            &protocol(
                "Rete accoglienza",
                "2027-01-01",
                None,
                json!([{"organization_id": comune.id}, {"provider_id": linked}]),
            ),
        )
        .await;
    b.expect_status(201);
    let in_force = |day: &str| {
        let app = &app;
        let token = caritas.staff.clone();
        let day = day.to_string();
        async move {
            let res = app.get(&format!("/api/v1/protocols?in_force_on={day}"), Some(&token)).await;
            res.expect_status(200);
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(in_force("2026-06-01").await, ["Sportello unico"]);
    assert_eq!(in_force("2026-12-31").await, ["Sportello unico"]);
    assert_eq!(in_force("2027-01-01").await, ["Rete accoglienza"]);
    assert_eq!(in_force("2025-12-31").await, Vec::<String>::new());
    // By party: an organization is party through the provider linked to it.
    let by = app.get(&format!("/api/v1/protocols?organization_id={}", caritas.id), Some(&admin)).await;
    assert_eq!(by.body["items"][0]["title"], "Rete accoglienza");
    // Caritas' coordinator manages that one (through its provider), not the other.
    let b_id = b.id();
    let etag = b.header("etag").unwrap();
    app.patch(
        &format!("/api/v1/protocols/{b_id}"),
        Some(&caritas.coordinator),
        &json!({"notes": "Signed"}),
        Some(&etag),
    )
    .await
    .expect_status(200);
    let a_id = a.id();
    assert_problem(
        &app.delete(&format!("/api/v1/protocols/{a_id}"), Some(&caritas.coordinator)).await,
        403,
        ":forbidden",
    );
    // ...and cannot write itself out of it.
    let etag = app.get(&format!("/api/v1/protocols/{b_id}"), Some(&admin)).await.header("etag").unwrap();
    let res = app
        .patch(
            &format!("/api/v1/protocols/{b_id}"),
            Some(&caritas.coordinator),
            &json!({"parties": [{"organization_id": comune.id}, {"provider_id": questura}]}),
            Some(&etag),
        )
        .await;
    assert_problem(&res, 403, ":forbidden");
    // Parties and dates are checked.
    let bad = app
        .post(
            "/api/v1/protocols",
            Some(&admin),
            &protocol(
                "Bad protocol",
                "2026-01-01",
                Some("2025-01-01"),
                json!([{"organization_id": comune.id}, {"provider_id": questura}]),
            ),
        )
        .await;
    assert_invalid_field(&bad, "valid_to");
    let bad = app
        .post(
            "/api/v1/protocols",
            Some(&admin),
            &protocol(
                "Bad protocol",
                "2026-01-01",
                None,
                json!([{"organization_id": comune.id}, {"organization_id": comune.id}]),
            ),
        )
        .await;
    assert_invalid_field(&bad, "parties[1]");
    // A party is an organization or a provider, not both.
    let bad = app
        .post(
            "/api/v1/protocols",
            Some(&admin),
            &protocol(
                "Bad protocol",
                "2026-01-01",
                None,
                json!([{"organization_id": comune.id, "provider_id": questura}, {"provider_id": questura}]),
            ),
        )
        .await;
    assert_invalid_field(&bad, "parties[0]");
    let bad = app
        .post(
            "/api/v1/protocols",
            Some(&admin),
            &protocol(
                "Bad protocol",
                "2026-01-01",
                None,
                json!([{"organization_id": comune.id}, {"provider_id": uuid::Uuid::now_v7()}]),
            ),
        )
        .await;
    assert_invalid_field(&bad, "parties[1].provider_id");
}
