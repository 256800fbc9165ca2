//! The OpenAPI document: paths collected from the handlers by utoipa-actix-web, then completed with the
//! security schemes and the error responses every operation can give.

use actix_web::App;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr, Response, ResponseBuilder};
use utoipa_actix_web::AppExt;

use crate::error::Error;
use crate::http::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sportello API",
        description = "Case files, referrals and professionals for the networks of integrated immigrant \
service desks (sportelli immigrati). Errors are RFC 9457 problem+json; collections use cursor pagination; \
PATCH is JSON merge patch with If-Match; POST honours Idempotency-Key.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Tokens and the current user"),
        (name = "organizations", description = "Agencies of the network"),
        (name = "desks", description = "Service points and their opening hours"),
        (name = "users", description = "Accounts of operators, coordinators, analysts and admins"),
        (name = "cases", description = "Case files of beneficiaries"),
        (name = "family members", description = "Family members of a beneficiary"),
        (name = "interventions", description = "What the desk did for the case"),
        (name = "desk contacts", description = "The front office: each contact at a desk, most without a case file"),
        (name = "appointments", description = "Bookings at a desk inside its opening hours, free slots, closures"),
        (name = "courses", description = "Language and literacy courses: the catalogue, sessions, enrolments with a waiting list, attendance"),
        (name = "assessments", description = "The dated, versioned assessment of the person's needs by domain"),
        (name = "plans", description = "The individual plan: goals, actions with owners and due days, review, agreement and approval; its worklists"),
        (name = "documents", description = "Files attached to a case (permit, ID, certificates, signed consents and plans): upload checked from the bytes, audited download, search by kind, issuer and expiry"),
        (name = "consents", description = "The person's consents to processing and sharing"),
        (name = "referrals", description = "Closed-loop referrals of a case to a provider of the network"),
        (name = "transfers", description = "Cases handed, family included, to another organization"),
        (name = "grants", description = "Joint taking-in-charge: a case shared with another organization"),
        (name = "providers", description = "The network directory: providers, their services, locations and schedules"),
        (name = "protocols", description = "Memoranda of understanding between organizations and providers"),
        (name = "professionals", description = "The registry of intercultural mediators, interpreters and lawyers"),
        (name = "activations", description = "Requests to engage a professional within 24 or 48 hours"),
        (name = "assignments", description = "A professional's activations, as the professional sees them"),
        (name = "family assistants", description = "The family-assistant list: workers, care requests, matches"),
        (name = "audit", description = "The append-only audit trail: who did what to which record"),
        (name = "integration", description = "Machine accounts of district platforms (client-credentials grant)"),
        (name = "sync", description = "Keeping a platform's copy in step: the change feed and upserts by external id"),
        (name = "webhooks", description = "Signed notifications of an organization's changes, with their deliveries"),
        (name = "statistics", description = "Aggregate figures for planning: grouped by the database, small cells suppressed, JSON or CSV"),
        (name = "health", description = "Probes")
    ),
    // A batch's items are judged one by one, so its schema takes any value; this names what an item should be.
    components(schemas(crate::api::v1::sync::batch::BatchItem))
)]
struct ApiDoc;

/// The token endpoints' 401: they are not secured, so the generic responses are not added to them.
#[derive(utoipa::ToResponse)]
#[response(
    description = "Wrong username or password (or an account that may not log in), or a refresh token that is \
                   invalid, expired or revoked: one answer for all, which reveals none of them",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:sportello:problem:invalid_grant", "title": "Login failed", "status": 401,
        "detail": "wrong username or password, or a refresh token that is invalid, expired or revoked",
        "instance": "/api/v1/auth/token", "request_id": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10"
    })
)]
pub struct LoginFailed(#[allow(dead_code)] Problem);

#[derive(utoipa::ToResponse)]
#[response(description = "Too many requests", content_type = "application/problem+json")]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

/// The complete document, exactly as served at `/api-docs/openapi.json` and committed in `openapi/`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::routes)
        .split_for_parts();
    add_security_schemes(&mut doc);
    add_error_responses(&mut doc);
    add_common_examples(&mut doc);
    add_export_examples(&mut doc);
    add_links(&mut doc);
    expand_text_formats(&mut doc);
    doc
}

/// The text rules of the domain, named in DTOs by a `format` marker (utoipa takes a pattern only as a
/// literal) and written into the document as the pattern each rule defines.
const TEXT_FORMATS: [(&str, &str); 4] = [
    ("sportello:name", crate::domain::person::NAME_PATTERN),
    ("sportello:text", crate::domain::person::TEXT_PATTERN),
    ("sportello:tax-code", crate::domain::tax_code::TaxCode::PATTERN),
    ("sportello:no-nul", crate::http::json::NO_NUL_PATTERN),
];

fn expand_text_formats(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, SchemaFormat};
    fn walk(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else { return };
        match schema {
            Schema::Object(object) => {
                if let Some(SchemaFormat::Custom(marker)) = &object.format
                    && let Some((_, pattern)) = TEXT_FORMATS.iter().find(|(name, _)| name == marker)
                {
                    object.pattern = Some(pattern.to_string());
                    object.format = None;
                }
                object.properties.values_mut().for_each(walk);
            }
            Schema::Array(array) => {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                    walk(items);
                }
            }
            Schema::AllOf(all) => all.items.iter_mut().for_each(walk),
            Schema::OneOf(one) => one.items.iter_mut().for_each(walk),
            Schema::AnyOf(any) => any.items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(walk);
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for op in ops.into_iter().flatten() {
            op.parameters.iter_mut().flatten().filter_map(|p| p.schema.as_mut()).for_each(walk);
        }
    }
}

pub fn to_json() -> Result<String, serde_json::Error> {
    document().to_pretty_json().map(|s| s + "\n")
}

fn add_security_schemes(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("Access token from POST /api/v1/auth/token"))
                .build(),
        ),
    );
    components.add_security_scheme(
        "password",
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()))],
            "Log in with username and password (Swagger UI's Authorize button)",
        )),
    );
}

/// The shared error responses, each with an example made by the error it documents.
fn problem_responses() -> [(&'static str, &'static str, Error); 11] {
    [
        (
            "BadRequest",
            "Malformed request or query parameters",
            Error::BadRequest("malformed JSON: expected `,` or `}`".into()),
        ),
        ("Unauthorized", "Missing, invalid or expired access token", Error::Unauthorized),
        (
            "Forbidden",
            "The caller's role may not perform this action",
            Error::Forbidden("your role may not do this".into()),
        ),
        ("NotFound", "No such resource, or not visible to the caller", Error::NotFound),
        (
            "Conflict",
            "Conflicts with the current state (e.g. an illegal status transition)",
            Error::Conflict {
                code: "invalid_transition",
                detail: "a closed case cannot be suspended".into(),
            },
        ),
        ("PreconditionFailed", "If-Match names an old version", Error::PreconditionFailed),
        ("PayloadTooLarge", "The body exceeds 1 MiB", Error::PayloadTooLarge(crate::http::BODY_LIMIT)),
        (
            "UnsupportedMediaType",
            "The body is not JSON",
            Error::UnsupportedMediaType("send application/json".into()),
        ),
        (
            "Unprocessable",
            "The body parsed but some fields are invalid",
            Error::invalid("birth_date", "in_future", "must not be in the future"),
        ),
        ("PreconditionRequired", "If-Match is required", Error::PreconditionRequired),
        ("TooManyRequests", "Too many requests", Error::RateLimited { retry_after_secs: 42 }),
    ]
}

fn problem_response(description: &str, example: &Error) -> Response {
    let mut problem = example.problem();
    problem.request_id = Some("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10".into());
    let content = utoipa::openapi::content::ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .example(serde_json::to_value(problem).ok())
        .build();
    ResponseBuilder::new().description(description).content("application/problem+json", content).build()
}

/// Adds the errors the conventions make possible, by what the operation has: a token, a body,
/// path parameters, If-Match.
fn add_error_responses(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, description, example) in problem_responses() {
        components.responses.insert(name.to_string(), RefOr::T(problem_response(description, &example)));
    }
    let (name, login_failed) = <LoginFailed as utoipa::ToResponse>::response();
    components.responses.insert(name.to_string(), login_failed);
    components.schemas.entry("Problem".into()).or_insert_with(|| {
        use utoipa::PartialSchema;
        Problem::schema()
    });
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        let ops: [(&str, Option<&mut Operation>); 5] = [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            let takes_if_match = op
                .parameters
                .as_ref()
                .is_some_and(|ps| ps.iter().any(|p| p.name.eq_ignore_ascii_case("If-Match")));
            let mut wanted: Vec<(&str, &str)> = Vec::new();
            if has_body || has_query || method == "post" {
                wanted.push(("400", "BadRequest"));
            }
            if secured {
                wanted.push(("401", "Unauthorized"));
                wanted.push(("403", "Forbidden"));
                wanted.push(("429", "TooManyRequests"));
            }
            if has_path_params {
                wanted.push(("404", "NotFound"));
            }
            if has_body {
                wanted.push(("413", "PayloadTooLarge"));
                wanted.push(("415", "UnsupportedMediaType"));
                wanted.push(("422", "Unprocessable"));
            }
            if method == "post" && secured {
                // Idempotency-Key reuse while the first request still runs.
                wanted.push(("409", "Conflict"));
            }
            if method == "patch" || takes_if_match {
                wanted.push(("412", "PreconditionFailed"));
            }
            if method == "patch" {
                wanted.push(("428", "PreconditionRequired"));
                wanted.push(("409", "Conflict"));
            }
            for (status, name) in wanted {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            }
            if secured {
                // Swagger UI can authorize with either a pasted token or username and password.
                let mut alternatives = op.security.take().unwrap_or_default();
                alternatives.push(utoipa::openapi::security::SecurityRequirement::new(
                    "password",
                    Vec::<String>::new(),
                ));
                op.security = Some(alternatives);
            }
        }
    }
}

/// OpenAPI links from each create (`POST …` answering 201) to the read, update and delete of what it made
/// (`… /{id}`), so that clients and Schemathesis' stateful phase can chain them.
fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    let paths = &mut doc.paths.paths;
    let mut links: Vec<(String, String, utoipa::openapi::link::Link)> = Vec::new();
    for (path, item) in paths.iter() {
        if item.post.as_ref().is_none_or(|op| !op.responses.responses.contains_key("201")) {
            continue;
        }
        let target = format!("{path}/{{id}}");
        let Some(target_item) = paths.get(&target) else { continue };
        let ops =
            [("Get", &target_item.get), ("Update", &target_item.patch), ("Delete", &target_item.delete)];
        for (verb, op) in ops {
            let Some(operation_id) = op.as_ref().and_then(|op| op.operation_id.clone()) else { continue };
            // utoipa 5 writes `operation_id` as "operation_id", not the "operationId" OpenAPI defines (its
            // Link lacks camelCase renaming): the field goes in through the flattened extensions instead.
            let operation_id_field = [("operationId", serde_json::Value::from(operation_id.clone()))];
            let mut link = LinkBuilder::new()
                .extensions(Some(operation_id_field.into_iter().collect()))
                .description(format!("{verb} what this request created"));
            for param in target.split('{').skip(1).filter_map(|s| s.split('}').next()) {
                let value = if param == "id" {
                    "$response.body#/id".to_string()
                } else {
                    format!("$request.path.{param}")
                };
                link = link.parameter(param, value);
            }
            links.push((path.clone(), pascal(&operation_id), link.build()));
        }
    }
    for (path, name, link) in links {
        if let Some(RefOr::T(created)) = paths
            .get_mut(&path)
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.responses.responses.get_mut("201"))
        {
            created.links.insert(name, RefOr::T(link));
        }
    }
}

/// `get_case` → `GetCase`, for link names.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Examples (and the accepted form of the headers) for what every operation shares: ids, If-Match,
/// Idempotency-Key; and examples for the page wrappers, built from their item's.
fn add_common_examples(doc: &mut utoipa::openapi::OpenApi) {
    use serde_json::json;
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for op in ops.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                let (example, pattern) = match p.name.as_str() {
                    "id" | "case_id" => (json!("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30"), None),
                    // The ETag as served: one strong entity tag (`*` and lists are refused).
                    "If-Match" => (json!("\"1\""), Some(r#"^"[0-9]+"$"#)),
                    "Idempotency-Key" => (json!("5b0e7c1a-intake-2026-0001"), Some(r"^[\x21-\x7e]{1,255}$")),
                    _ => continue,
                };
                // The example field has no setter: go through its JSON form.
                if let Ok(mut value) = serde_json::to_value(&*p)
                    && value.get("example").is_none()
                {
                    value["example"] = example;
                    if let (Some(pattern), Some(schema)) = (pattern, value.get_mut("schema")) {
                        schema["pattern"] = json!(pattern);
                    }
                    if let Ok(with_example) = serde_json::from_value(value) {
                        *p = with_example;
                    }
                }
            }
        }
    }
    let Some(components) = doc.components.as_mut() else { return };
    let pages: Vec<String> = components.schemas.keys().filter(|k| k.starts_with("Page_")).cloned().collect();
    for page in pages {
        let item_example = components
            .schemas
            .get(page.trim_start_matches("Page_"))
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.get("example").cloned());
        if let (Some(item), Some(RefOr::T(utoipa::openapi::schema::Schema::Object(schema)))) =
            (item_example, components.schemas.get_mut(&page))
        {
            schema.example = Some(
                json!({"items": [item], "next_cursor": "MDE5NWY2YTItN2MxZS03ZDQxLTlhNTEtM2IwYzJmMWU5YTMw"}),
            );
            // utoipa inlines the item schema in every page; refer to the component instead, so that a
            // page's items and a single read are one type for clients.
            if let Some(RefOr::T(utoipa::openapi::schema::Schema::Array(items))) =
                schema.properties.get_mut("items")
            {
                items.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(RefOr::Ref(
                    Ref::from_schema_name(page.trim_start_matches("Page_")),
                )));
            }
        }
    }
}

/// Examples of the export documents, composed from the examples of what they hold.
fn add_export_examples(doc: &mut utoipa::openapi::OpenApi) {
    use serde_json::json;
    let Some(components) = doc.components.as_mut() else { return };
    let example_of = |name: &str| {
        components
            .schemas
            .get(name)
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.get("example").cloned())
            .unwrap_or(serde_json::Value::Null)
    };
    let referral = json!({"referral": example_of("Referral"), "events": [example_of("ReferralEvent")]});
    let activation =
        json!({"activation": example_of("Activation"), "events": [example_of("ActivationEvent")]});
    let care = json!({"request": example_of("CareRequest"), "placements": [example_of("Placement")]});
    let mut plan = example_of("Plan");
    if let Some(fields) = plan.as_object_mut() {
        fields.insert("goals".into(), json!([example_of("PlanGoal")]));
        fields.insert("actions".into(), json!([example_of("PlanAction")]));
    }
    let enrolment = json!({"course_title": "Italiano per la vita quotidiana", "enrolment": example_of("Enrolment"),
        "attendance": [example_of("AttendanceMark")]});
    let export = json!({
        "exported_at": "2026-11-23T10:20:00Z", "exported_by": "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a12",
        "case": example_of("Case"), "family_members": [example_of("FamilyMember")],
        "interventions": [example_of("Intervention")], "consents": [example_of("Consent")],
        "grants": [example_of("Grant")], "referrals": [referral], "transfers": [example_of("Transfer")],
        "activations": [activation], "care_requests": [care],
        "desk_contacts": [example_of("DeskContact")], "appointments": [example_of("Appointment")],
        "course_enrolments": [enrolment],
        "assessments": [example_of("Assessment")], "plans": [plan], "documents": [example_of("Document")],
        "access_log": [example_of("AuditEventView")]
    });
    for (name, example) in [
        ("ExportedReferral", referral),
        ("ExportedActivation", activation),
        ("ExportedCareRequest", care),
        ("ExportedEnrolment", enrolment),
        ("CaseExport", export),
    ] {
        if let Some(RefOr::T(utoipa::openapi::schema::Schema::Object(schema))) =
            components.schemas.get_mut(name)
        {
            schema.example = Some(example);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_name_existing_operations_by_operation_id() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::to_json().expect("the document serialises")).expect("JSON");
        let operations: Vec<&serde_json::Value> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .collect();
        let ids: Vec<&str> = operations.iter().filter_map(|op| op["operationId"].as_str()).collect();
        let links: Vec<&serde_json::Value> = operations
            .iter()
            .flat_map(|op| op["responses"].as_object().into_iter().flat_map(|r| r.values()))
            .flat_map(|response| response["links"].as_object().into_iter().flat_map(|l| l.values()))
            .collect();
        assert!(links.len() >= 10, "create operations link to their read, update and delete");
        for link in links {
            let target = link["operationId"].as_str().unwrap_or_else(|| panic!("no operationId in {link}"));
            assert!(ids.contains(&target), "link to unknown operation {target}");
        }
    }

    #[test]
    fn every_text_format_marker_becomes_its_pattern() {
        let json = super::to_json().expect("the document serialises");
        assert!(json.contains(crate::domain::tax_code::TaxCode::PATTERN.replace('\\', "\\\\").as_str()));
        for (marker, _) in super::TEXT_FORMATS {
            assert!(
                !json.contains(&format!("\"{marker}\"")),
                "the format marker {marker} was left in the document"
            );
        }
    }
}
