//! The OpenAPI document: paths collected from the handlers by utoipa-actix-web, then completed with the
//! security schemes and the error responses every operation can give.

use actix_web::App;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa_actix_web::AppExt;

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
        (name = "health", description = "Probes")
    )
)]
struct ApiDoc;

/// Referenced by operations that are not secured but still answer 401/429 (the token endpoint).
#[derive(utoipa::ToResponse)]
#[response(
    description = "Missing, invalid or expired credentials",
    content_type = "application/problem+json"
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

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
    doc
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

const PROBLEM_RESPONSES: [(&str, &str); 11] = [
    ("BadRequest", "Malformed request or query parameters"),
    ("Unauthorized", "Missing, invalid or expired access token"),
    ("Forbidden", "The caller's role may not perform this action"),
    ("NotFound", "No such resource, or not visible to the caller"),
    ("Conflict", "Conflicts with the current state (e.g. an illegal status transition)"),
    ("PreconditionFailed", "If-Match names an old version"),
    ("PayloadTooLarge", "The body exceeds 1 MiB"),
    ("UnsupportedMediaType", "The body is not JSON"),
    ("Unprocessable", "The body parsed but some fields are invalid"),
    ("PreconditionRequired", "If-Match is required"),
    ("TooManyRequests", "Too many requests"),
];

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
}

/// Adds the errors the conventions make possible, by what the operation has: a token, a body,
/// path parameters, If-Match.
fn add_error_responses(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, description) in PROBLEM_RESPONSES {
        components.responses.insert(name.to_string(), RefOr::T(problem_response(description)));
    }
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
            if method == "patch" {
                wanted.push(("412", "PreconditionFailed"));
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

/// Examples for what every operation shares (ids, If-Match, Idempotency-Key) and for the page wrappers,
/// whose example is built from their item's.
fn add_common_examples(doc: &mut utoipa::openapi::OpenApi) {
    use serde_json::json;
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for op in ops.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                let example = match p.name.as_str() {
                    "id" | "case_id" => json!("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30"),
                    "If-Match" => json!("\"1\""),
                    "Idempotency-Key" => json!("5b0e7c1a-intake-2026-0001"),
                    _ => continue,
                };
                // The example field has no setter: go through its JSON form.
                if let Ok(mut value) = serde_json::to_value(&*p)
                    && value.get("example").is_none()
                {
                    value["example"] = example;
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
        }
    }
}
