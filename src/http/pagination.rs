//! Cursor pagination: `?limit=&cursor=` → `{items, next_cursor}`. Cursors are opaque keyset positions,
//! so a page deep in the list costs the same as the first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone, Default, Deserialize, validator::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (1–200, default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(example = "MDE5NWY2YTItN2MxZS03ZDQxLTlhNTEtM2IwYzJmMWU5YTEw")]
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }

    /// The id after which the page starts (ids are time-ordered UUIDv7).
    pub fn after_id(&self) -> Result<Option<String>> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        let invalid =
            || Error::InvalidQuery(vec![FieldError::new("cursor", "invalid", "not a cursor of this list")]);
        let bytes = URL_SAFE_NO_PAD.decode(cursor.as_bytes()).map_err(|_| invalid())?;
        let id = String::from_utf8(bytes).map_err(|_| invalid())?;
        uuid::Uuid::parse_str(&id).map_err(|_| invalid())?;
        Ok(Some(id))
    }
}

pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// One page of a collection.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in order: the extra row only says there is more.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        id_of: impl Fn(&R) -> &str,
        map: impl Fn(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more { rows.last().map(|r| encode_cursor(id_of(r))) } else { None };
        Page { items: rows.into_iter().map(map).collect(), next_cursor }
    }
}

impl<T> Page<T> {
    /// Like [`Page::from_rows`], for a mapping that can fail (a stored code that no longer parses).
    pub fn try_from_rows<R>(
        rows: Vec<R>,
        limit: i64,
        id_of: impl Fn(&R) -> &str,
        map: impl Fn(R) -> Result<T>,
    ) -> Result<Self> {
        let page = Page::from_rows(rows, limit, id_of, map);
        Ok(Page { items: page.items.into_iter().collect::<Result<Vec<_>>>()?, next_cursor: page.next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = uuid::Uuid::now_v7().to_string();
        let p = PageParams { limit: None, cursor: Some(encode_cursor(&id)) };
        assert_eq!(p.after_id().unwrap(), Some(id));
        let bad = PageParams { limit: None, cursor: Some("../../etc/passwd".into()) };
        assert!(bad.after_id().is_err());
    }

    #[test]
    fn pages_say_whether_there_is_more() {
        let ids: Vec<String> = (0..3).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let page = Page::from_rows(ids.clone(), 2, |s| s.as_str(), |s| s);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor, Some(encode_cursor(&ids[1])));
        let last = Page::from_rows(ids, 5, |s| s.as_str(), |s| s);
        assert!(last.next_cursor.is_none());
    }
}
