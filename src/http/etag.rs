//! Optimistic concurrency: the ETag of a resource is its version; PATCH needs `If-Match`.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header};

use crate::error::{Error, Result};

/// The strong ETag of a version: `"3"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`, when the header is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Absent,
    /// A syntactically valid header that can never match (e.g. a foreign ETag): always 412.
    Unmatchable,
    Version(i64),
}

impl IfMatch {
    pub fn parse(raw: Option<&str>) -> Result<IfMatch> {
        let Some(raw) = raw.map(str::trim) else { return Ok(IfMatch::Absent) };
        if raw == "*" {
            // "*" would skip the lost-update check: ask for the real ETag instead.
            return Err(Error::PreconditionRequired);
        }
        // If-Match compares strongly (RFC 9110 §13.1.1): a weak ETag never matches. Clients send the one ETag
        // they last read; a list is not supported and never matches.
        Ok(raw
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i64>().ok())
            .map_or(IfMatch::Unmatchable, IfMatch::Version))
    }

    /// The version to compare with the stored one: 428 without the header.
    pub fn required(self) -> Result<i64> {
        match self {
            IfMatch::Absent => Err(Error::PreconditionRequired),
            IfMatch::Unmatchable => Err(Error::PreconditionFailed),
            IfMatch::Version(v) => Ok(v),
        }
    }

    /// The version to compare with, if the client sent one (transitions accept both).
    pub fn optional(self) -> Result<Option<i64>> {
        match self {
            IfMatch::Absent => Ok(None),
            IfMatch::Unmatchable => Err(Error::PreconditionFailed),
            IfMatch::Version(v) => Ok(Some(v)),
        }
    }
}

/// 412 unless the stored version is the expected one.
pub fn check_version(expected: Option<i64>, stored: i64) -> Result<()> {
    match expected {
        Some(v) if v != stored => Err(Error::PreconditionFailed),
        _ => Ok(()),
    }
}

impl FromRequest for IfMatch {
    type Error = Error;
    type Future = Ready<Result<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = req.headers().get(header::IF_MATCH).map(|v| v.to_str().unwrap_or(""));
        ready(IfMatch::parse(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_etags() {
        assert_eq!(IfMatch::parse(None).unwrap(), IfMatch::Absent);
        assert_eq!(IfMatch::parse(Some("\"3\"")).unwrap(), IfMatch::Version(3));
        assert_eq!(IfMatch::parse(Some("W/\"3\"")).unwrap(), IfMatch::Unmatchable);
        assert_eq!(IfMatch::parse(Some("3")).unwrap(), IfMatch::Unmatchable);
        assert_eq!(IfMatch::parse(Some("\"abc\"")).unwrap(), IfMatch::Unmatchable);
        assert!(matches!(IfMatch::parse(Some("*")), Err(Error::PreconditionRequired)));
        assert!(matches!(IfMatch::Absent.required(), Err(Error::PreconditionRequired)));
        assert!(matches!(IfMatch::Unmatchable.required(), Err(Error::PreconditionFailed)));
        assert_eq!(etag(7), "\"7\"");
    }
}
