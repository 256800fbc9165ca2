//! The retention job (`sportello retention`): closed cases past the retention period are erased, as an
//! erasure request would, unless under legal hold. A dry run lists them and changes nothing.

use std::fmt;

use chrono::NaiveDateTime;

use crate::db::audit::{self, AuditEvent};
use crate::db::document_store::DocumentStore;
use crate::db::{self, DbConnection};
use crate::error::Result;

/// What a run found or did.
#[derive(Debug)]
pub struct Report {
    pub applied: bool,
    pub closed_before: NaiveDateTime,
    /// (reference code, closed at) of each case, oldest first.
    pub cases: Vec<(String, NaiveDateTime)>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.applied { "erased" } else { "would erase" };
        writeln!(f, "{verb} {} case(s) closed before {}", self.cases.len(), self.closed_before.date())?;
        for (code, closed_at) in &self.cases {
            writeln!(f, "  {code}  closed {}", closed_at.date())?;
        }
        if !self.applied && !self.cases.is_empty() {
            writeln!(f, "dry run: nothing changed; run with --apply to erase them")?;
        }
        Ok(())
    }
}

/// Each case in its own transaction: a failure stops the run with what was done so far committed.
/// The files of erased cases' documents are removed from `documents` after each case's commit.
pub fn run(
    conn: &mut DbConnection,
    documents: &DocumentStore,
    retention_days: u32,
    now: NaiveDateTime,
    apply: bool,
) -> Result<Report> {
    let closed_before = now - chrono::Duration::days(i64::from(retention_days));
    let due = db::erasure::past_retention(conn, closed_before)?;
    if apply {
        for (id, _, _) in &due {
            let files = db::write_tx(conn, |c| {
                let files = db::erasure::erase_case(c, id, now)?;
                let mut event = AuditEvent::anonymous("case.erase", "case", None, None).case(id);
                event.resource_id = Some(id.clone());
                audit::record(
                    c,
                    &event.details(
                        serde_json::json!({"reason": "retention", "retention_days": retention_days}),
                    ),
                )?;
                Ok(files)
            })?;
            documents.remove_files(&files);
        }
    }
    Ok(Report {
        applied: apply,
        closed_before,
        cases: due.into_iter().map(|(_, code, at)| (code, at)).collect(),
    })
}
