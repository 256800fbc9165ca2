//! Group commit for the audit entries of reads. A read is answered only once its entry is committed, but
//! committing one transaction per read serialises every reader on the database's write lock (SQLite) or
//! on a WAL flush (PostgreSQL), and an audit entry is the costly part of a read: on SQLite about 60 µs of
//! B-tree page writes, two of its indexes (by case, by resource) taking a page of their own per entry.
//! Instead one thread writes: it takes every entry that arrived while its previous transaction committed
//! and writes them all in the next one, then wakes their requests.
//!
//! A request queues its entry from the database thread that ran its read, as the read ends
//! ([`AuditWriter::audited_read`]: no hand-off to another thread for it), and waits for the commit
//! without holding a thread or a connection: every request in flight can be in the next commit, and the
//! more load, the larger the commits.
//!
//! The guarantee is the one a transaction per read gives: a request is answered only after its entry is
//! committed, so a read the client received is never missing from the trail after a crash of the process
//! (on SQLite, `synchronous = NORMAL` in WAL mode: a power cut can lose the last commits, as for every
//! other write); if the commit fails, every request in it gets the error and no data is sent. Writes that
//! change data keep recording their entry inside their own transaction (`audit::record`).

use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::db::audit::{self, AuditEvent};
use crate::db::{self, Database, DbConnection};
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

/// An entry's commit, to await before answering the read it audits.
#[must_use = "a read may be answered only once its audit entry is committed"]
struct Committed(oneshot::Receiver<Result<()>>);

impl Committed {
    async fn wait(self) -> Result<()> {
        self.0.await.map_err(|_| Error::Unavailable("the audit trail writer stopped".into()))?
    }
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

    /// Queues the event for the next commit; never blocks. The queue is unbounded, but each request
    /// waits for its own entry, so it never holds more entries than requests in flight.
    fn queue(&self, event: AuditEvent) -> Result<Committed> {
        let (committed, wait) = oneshot::channel();
        self.queue
            .send(Pending { event, committed })
            .map_err(|_| Error::Unavailable("the audit trail is not accepting entries".into()))?;
        Ok(Committed(wait))
    }

    /// Records the event; resolves once it is committed.
    pub async fn record(&self, event: AuditEvent) -> Result<()> {
        self.queue(event)?.wait().await
    }

    /// Runs `read` on a database thread, queues the event it returns from that thread, and resolves with
    /// what it read once the event is committed.
    pub async fn audited_read<T, F>(&self, db: &Database, read: F) -> Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<(T, AuditEvent)> + Send + 'static,
        T: Send + 'static,
    {
        let writer = self.clone();
        let (value, committed) = db
            .run(move |c| {
                let (value, event) = read(c)?;
                Ok((value, writer.queue(event)?))
            })
            .await?;
        committed.wait().await?;
        Ok(value)
    }
}

fn write_batches(db: &Database, incoming: &mpsc::Receiver<Pending>) {
    // The writer has a connection of its own rather than queue for one of the pool behind the reads at
    // every commit; after an error it opens a fresh one.
    let mut kept: Option<DbConnection> = None;
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
        let conn = match kept.take() {
            Some(c) => Ok(c),
            None => db.dedicated(),
        };
        let outcome = conn.and_then(|mut c| {
            db::write_tx(&mut c, |c| audit::record_all(c, &events))?;
            kept = Some(c);
            Ok(())
        });
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
