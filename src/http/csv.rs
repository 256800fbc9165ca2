//! CSV for spreadsheets (RFC 4180), safe to open: a cell a spreadsheet would run as a formula is
//! neutralised (OWASP "CSV injection"), and `Accept` decides between CSV and JSON.

use actix_web::HttpRequest;
use actix_web::http::header;

pub const MEDIA_TYPE: &str = "text/csv; charset=utf-8";

/// One CSV line (CRLF-terminated) from its cells.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells.iter().map(|c| field(c.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// A cell starting with `= + - @`, a tab or a carriage return gets a leading apostrophe, so that it is
/// read as text; then it is quoted when it holds a separator, a quote or a line break.
fn field(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// Whether the client prefers CSV to JSON: `text/csv` accepted, and not with a lower quality than JSON.
pub fn wanted(req: &HttpRequest) -> bool {
    let accept = req.headers().get_all(header::ACCEPT).filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    prefers_csv(&accept.join(","))
}

fn prefers_csv(accept: &str) -> bool {
    let (mut csv, mut json) = (0.0_f32, 0.0_f32);
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/csv" => csv = csv.max(q),
            "application/json" | "application/*" | "*/*" => json = json.max(q),
            _ => {}
        }
    }
    csv > 0.0 && csv >= json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_fields_quoted() {
        assert_eq!(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(field(start).trim_start_matches('"').starts_with('\''), "{start}");
        }
        assert_eq!(field("Crema"), "Crema");
        assert_eq!(field("Credera, Rubbiano"), "\"Credera, Rubbiano\"");
        assert_eq!(field("12.5"), "12.5");
        assert_eq!(line(&["a", "b"]), "a,b\r\n");
    }

    #[test]
    fn negotiation() {
        assert!(prefers_csv("text/csv"));
        assert!(prefers_csv("text/csv, application/json;q=0.5"));
        assert!(prefers_csv("application/json;q=0.9, text/csv"));
        assert!(!prefers_csv("application/json, text/csv;q=0.5"));
        assert!(!prefers_csv("*/*"));
        assert!(!prefers_csv(""));
        assert!(!prefers_csv("text/csv;q=0"));
    }
}
