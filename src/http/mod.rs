//! The transport layer: problem+json errors, extractors (JSON body, query, If-Match, pagination),
//! middleware (request id, access log, security headers, idempotency) and the 404/405 fallback.

pub mod csv;
pub mod etag;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod pagination;
pub mod problem;
pub mod rate_limit;
pub mod respond;

pub use etag::IfMatch;
pub use json::{ApiJson, ApiQuery};
pub use pagination::{Page, PageParams};
pub use problem::Problem;

/// The largest JSON body accepted anywhere (DESIGN.md §4, API4).
pub const BODY_LIMIT: usize = 1024 * 1024;
