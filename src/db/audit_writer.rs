//! Group commit for the audit entries of reads. A read is answered only once its entry is committed, but
//! committing one transaction per read serialises every reader on the database's write lock (SQLite) or
//! on a WAL flush (PostgreSQL). Instead one thread writes: it takes every entry that arrived while its
//! previous transaction committed and writes them all in the next one, then wakes their readers.
//!
//! The guarantee is the one a transaction per read gives: a caller's `record` returns Ok only after its
//! entry is committed, so a read the client received is never missing from the trail after a crash; if
//! the batch fails, every caller in it gets the error and no data is sent. Writes that change data keep
//! recording their entry inside their own transaction (`audit::record`).

use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::db::audit::{self, AuditEvent};
use crate::db::{self, Database};
use crate::error::{Error, Result};

/// The most entries one transaction takes.
const MAX_BATCH: usize = 1_000;

struct Pending {
    event: AuditEvent,
    committed: oneshot::Sender<Result<()>>,
}

/// A handle on the writer thread; cheap to clone. The thread stops when the last handle is dropped.
#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    pub fn start(db: Database) -> Result<Self> {
        let (queue, incoming) = mpsc::channel();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || write_batches(&db, &incoming))
            .map_err(|e| Error::internal("audit writer thread", e))?;
        Ok(AuditWriter { queue })
    }

    /// Records the event; resolves once it is committed. The queue is unbounded, but each request waits
    /// for its own entry, so it never holds more entries than requests in flight.
    pub async fn record(&self, event: AuditEvent) -> Result<()> {
        let (committed, wait) = oneshot::channel();
        self.queue
            .send(Pending { event, committed })
            .map_err(|_| Error::Unavailable("the audit trail is not accepting entries".into()))?;
        wait.await.map_err(|_| Error::Unavailable("the audit trail writer stopped".into()))?
    }
}

fn write_batches(db: &Database, incoming: &mpsc::Receiver<Pending>) {
    while let Ok(first) = incoming.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (events, waiting): (Vec<AuditEvent>, Vec<_>) =
            batch.into_iter().map(|p| (p.event, p.committed)).unzip();
        let outcome = db.get().and_then(|mut c| db::write_tx(&mut c, |c| audit::record_all(c, &events)));
        if let Err(e) = &outcome {
            log::error!("audit trail: {} entries not written: {e}", events.len());
        }
        for committed in waiting {
            let result = match &outcome {
                Ok(()) => Ok(()),
                Err(_) => Err(Error::Unavailable("the audit trail could not be written".into())),
            };
            // A caller that went away (client disconnected) no longer waits: nothing to tell it.
            let _ = committed.send(result);
        }
    }
}
