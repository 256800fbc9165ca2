//! Success responses with the headers the conventions require.

use actix_web::{HttpResponse, http::header};
use serde::Serialize;

use crate::http::etag::etag;

/// 200 with the resource and its ETag.
pub fn ok_versioned<T: Serialize>(body: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// 201 with Location and ETag.
pub fn created<T: Serialize>(location: String, body: &T, version: i64) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
