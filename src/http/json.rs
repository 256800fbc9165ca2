//! Body and query extractors that answer problem+json: 415 for non-JSON, 413 over the limit, 400 for
//! malformed JSON, 422 naming the field whose value does not fit, then the DTO's own validation.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web::Bytes};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{Error, FieldError};
use crate::http::BODY_LIMIT;

/// A JSON (or JSON merge patch) body, parsed and validated.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Reads a whole body, refusing more than `limit` bytes (early when Content-Length says so).
pub async fn read_body(req: &HttpRequest, payload: &mut Payload, limit: usize) -> Result<Bytes, Error> {
    if let Some(len) = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        return Err(Error::PayloadTooLarge(limit));
    }
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| Error::BadRequest("the request body could not be read".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(Error::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

pub fn is_multipart(req: &HttpRequest) -> bool {
    matches!(req.mime_type(), Ok(Some(m)) if m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA)
}

pub fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(m)) => {
            m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        }
        _ => false,
    }
}

/// Every string of a body, as a JSON Schema pattern: no NUL character (see [`contains_nul`]).
pub const NO_NUL_PATTERN: &str = r"^[^\x00]*$";

/// Whether a JSON document holds a NUL character in some string (PostgreSQL text cannot store it).
fn contains_nul(bytes: &[u8]) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || walk(v)),
            _ => false,
        }
    }
    // Only a \u0000 escape can put a NUL in JSON text; parse again only when one appears.
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
        && serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| walk(&v))
}

/// Parses a JSON object body, naming the offending field when a value has the wrong type or code.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if contains_nul(bytes) {
        return Err(Error::invalid("", "nul_character", "text may not contain NUL (\\u0000) characters"));
    }
    parse_json_keeping_nul(bytes)
}

/// [`parse_json`] without the NUL check, for an envelope whose parts are each parsed again with
/// [`parse_json`] (a batch's items): a NUL then fails the part that holds it, not the whole.
pub fn parse_json_keeping_nul<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // serde would also read a struct from an array, by position: every body of this API is an object.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => {}
        Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() => {
            return Err(Error::invalid("", "not_an_object", "the body must be a JSON object"));
        }
        Some(_) => return Err(Error::BadRequest("malformed JSON: expected an object".into())),
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) if e.inner().to_string().starts_with("invalid type: floating point") => {
            // JSON has one number type: 7.0 is the integer 7 (JSON Schema agrees), but serde wants 7. Rare
            // enough to pay for a second parse here rather than on every request.
            let mut value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|_| Error::BadRequest("malformed JSON".into()))?;
            integral_floats_to_integers(&mut value);
            serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
                let field = if e.path().to_string() == "." { String::new() } else { e.path().to_string() };
                Error::Validation(vec![FieldError::new(field, "invalid", clean_serde_message(e.inner()))])
            })
        }
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // serde_json reports a wrongly typed enum value as a syntax error: the document decides.
            let well_formed = std::str::from_utf8(bytes)
                .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let field = if path == "." { String::new() } else { path };
                    Err(Error::Validation(vec![FieldError::new(
                        field,
                        "invalid",
                        clean_serde_message(&inner),
                    )]))
                }
                _ if well_formed => {
                    let field = if path == "." { String::new() } else { path };
                    Err(Error::Validation(vec![FieldError::new(
                        field,
                        "invalid_type",
                        "value of the wrong type",
                    )]))
                }
                _ => Err(Error::BadRequest(format!("malformed JSON: {inner}"))),
            }
        }
    }
}

/// Rewrites numbers like `7.0` as `7`, wherever they are.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15) {
                // |f| < 2^53: the conversion is exact.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *value = serde_json::Value::from(i);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// serde's messages end with " at line 1 column 42"; the field path already says where.
fn clean_serde_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(&req) {
                return Err(Error::UnsupportedMediaType(
                    "send the body as application/json (or application/merge-patch+json for PATCH)".into(),
                ));
            }
            let bytes = read_body(&req, &mut payload, BODY_LIMIT).await?;
            let value: T = parse_json(&bytes)?;
            value.validate()?;
            Ok(ApiJson(value))
        })
    }
}

/// Query parameters, parsed and validated; a bad parameter is a 400 that names it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate> FromRequest for ApiQuery<T> {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()))
    }
}

/// A period given in the query whose end comes before its start: 400 naming the end parameter.
pub fn check_period<T: PartialOrd>(
    from: Option<T>,
    to: Option<T>,
    from_name: &str,
    to_name: &str,
) -> Result<(), Error> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => Err(Error::InvalidQuery(vec![FieldError::new(
            to_name,
            "before_start",
            format!("{to_name} must not be before {from_name}"),
        )])),
        _ => Ok(()),
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<ApiQuery<T>, Error> {
    if let Some((name, _)) = form_urlencoded_parse(query).find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(Error::InvalidQuery(vec![FieldError::new(
            name,
            "nul_character",
            "may not contain NUL characters",
        )]));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        Error::InvalidQuery(vec![FieldError::new(field, "invalid", e.inner().to_string())])
    })?;
    value.validate().map_err(|e| match Error::from(e) {
        Error::Validation(errors) => Error::InvalidQuery(errors),
        other => other,
    })?;
    Ok(ApiQuery(value))
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Validate, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only parsed, never read
    struct Body {
        #[validate(length(min = 1))]
        name: String,
        count: Option<u8>,
    }

    #[test]
    fn syntax_errors_are_400_and_type_errors_name_the_field() {
        assert!(matches!(parse_json::<Body>(b"{\"name\": "), Err(Error::BadRequest(_))));
        assert!(matches!(parse_json::<Body>(b"\xff\xfe"), Err(Error::BadRequest(_))));
        match parse_json::<Body>(br#"{"name": "a", "count": 300}"#) {
            Err(Error::Validation(e)) => assert_eq!(e[0].field, "count"),
            other => panic!("{other:?}"),
        }
        match parse_json::<Body>(br#"{"name": "a", "extra": 1}"#) {
            Err(Error::Validation(e)) => assert!(e[0].message.contains("extra")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn query_errors_name_the_parameter() {
        #[derive(serde::Deserialize, Validate)]
        struct Q {
            #[validate(range(min = 1, max = 10))]
            limit: Option<u32>,
        }
        assert!(parse_query::<Q>("limit=5").is_ok());
        match parse_query::<Q>("limit=abc") {
            Err(Error::InvalidQuery(e)) => assert_eq!(e[0].field, "limit"),
            _ => panic!("expected a query error"),
        }
        match parse_query::<Q>("limit=50") {
            Err(Error::InvalidQuery(e)) => assert_eq!(e[0].field, "limit"),
            _ => panic!("expected a query error"),
        }
    }
}
