//! What answers when no route matched: 405 with `Allow` when the path exists with other methods, else 404.
//! The table of paths comes from the OpenAPI document, so it cannot drift from the routes.

use actix_web::dev::ResourceDef;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::Error;
use crate::http::problem::Problem;

pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, m)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect::<Vec<(ResourceDef, Vec<Method>)>>();
        // The most specific template first: `/cases/duplicate-check` before `/cases/{id}`.
        let mut routes = routes;
        routes.sort_by_key(|(def, _)| def.pattern().map(|p| p.matches('{').count()).unwrap_or_default());
        RouteTable { routes }
    }

    /// The methods a path supports, if the path exists.
    pub fn methods_for(&self, path: &str) -> Option<&[Method]> {
        self.routes.iter().find(|(def, _)| def.is_match(path)).map(|(_, m)| m.as_slice())
    }
}

/// For a path segment that did not parse (`/cases/duplicate-check` reached `PATCH /cases/{id}`): 405 when
/// the path exists with other methods, else 404.
pub fn path_error(req: &HttpRequest) -> actix_web::Error {
    let response = match req.app_data::<web::Data<RouteTable>>() {
        Some(table) => answer(req, table),
        None => actix_web::ResponseError::error_response(&Error::NotFound),
    };
    actix_web::error::InternalError::from_response("no route", response).into()
}

pub async fn not_found_or_method_not_allowed(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    answer(&req, &table)
}

fn answer(req: &HttpRequest, table: &RouteTable) -> HttpResponse {
    use actix_web::ResponseError;
    match table.methods_for(req.path()) {
        Some(methods) if !methods.contains(req.method()) => {
            let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            let detail = format!("{} is not supported here; use {allow}", req.method());
            let mut res = Problem::new(
                "method_not_allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                Some(detail),
            )
            .into_response();
            if let Ok(v) = header::HeaderValue::from_str(&allow) {
                res.headers_mut().insert(header::ALLOW, v);
            }
            res
        }
        _ => Error::NotFound.error_response(),
    }
}
