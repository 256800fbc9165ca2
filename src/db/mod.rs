//! Database access: one connection type for SQLite and PostgreSQL, a pool, migrations, and the
//! repositories (one module per aggregate). Handlers never see which backend they talk to.

pub mod activations;
pub mod appointments;
pub mod assessments;
pub mod audit;
pub mod audit_writer;
pub mod care;
pub mod cases;
pub mod changes;
pub mod consents;
pub mod contacts;
pub mod courses;
pub mod desks;
pub mod document_store;
pub mod documents;
pub mod erasure;
pub mod family_members;
pub mod grants;
pub mod idempotency;
pub mod integration_clients;
pub mod interventions;
pub mod organizations;
pub mod plans;
pub mod professionals;
pub mod protocols;
pub mod providers;
pub mod referrals;
pub mod refresh_tokens;
pub mod schema;
pub mod services;
mod sqlite_process;
pub mod stats;
pub mod transfers;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::{Error, Result};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Runs `$body` with `$c` bound to the backend's own connection. Through diesel's `MultiConnection` every
/// run of a query serializes the whole query to SQL text again (its `SerializedQuery::walk_ast`) before
/// the statement cache is consulted: tens of microseconds for a wide select. The hottest static queries
/// go straight to the backend instead, where the cache is keyed by the query's type.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    // Keep SQLite last: MultiConnection tries the variants in order when establishing.
    Sqlite(diesel::SqliteConnection),
}

pub type Conn = PooledConnection<ConnectionManager<DbConnection>>;

/// Per-connection settings for SQLite. busy_timeout must come before WAL, or concurrent pool start-up
/// races into "database is locked".
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> std::result::Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The pool plus what the rest of the code needs to know about the backend.
#[derive(Clone)]
pub struct Database {
    pool: Pool<ConnectionManager<DbConnection>>,
    /// What the pool connects to, for [`Database::dedicated`].
    url: String,
}

impl Database {
    /// Connects once directly (so a bad URL reports its real cause), then builds the pool.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self> {
        init_tls();
        let conn_url = match url {
            DatabaseUrl::Postgres(u) => {
                diesel::PgConnection::establish(u)
                    .map_err(|e| Error::Unavailable(format!("cannot connect to PostgreSQL: {e}")))?;
                u.clone()
            }
            DatabaseUrl::Sqlite(path) => {
                sqlite_process::configure();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Error::Unavailable(format!("cannot create the directory {}: {e}", dir.display()))
                    })?;
                }
                let p = path.to_string_lossy().to_string();
                diesel::SqliteConnection::establish(&p)
                    .map_err(|e| Error::Unavailable(format!("cannot open SQLite file {p}: {e}")))?;
                p
            }
        };
        // A PostgreSQL connection can be dropped by the server: test it before lending it. A SQLite
        // connection is a file handle that cannot go stale, and the test would be a query per request.
        let test_on_lend = matches!(url, DatabaseUrl::Postgres(_));
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .test_on_check_out(test_on_lend)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<DbConnection>::new(conn_url.clone()))
            .map_err(|e| Error::Unavailable(format!("cannot build the connection pool: {e}")))?;
        Ok(Database { pool, url: conn_url })
    }

    /// A connection of its own, outside the pool, with the pool's settings: for a thread that writes all
    /// the time (the audit writer), which would otherwise keep one of the requests' connections.
    pub fn dedicated(&self) -> Result<DbConnection> {
        let mut conn = DbConnection::establish(&self.url)
            .map_err(|e| Error::Unavailable(format!("cannot open a database connection: {e}")))?;
        SqlitePragmas
            .on_acquire(&mut conn)
            .map_err(|e| Error::Unavailable(format!("cannot set up a database connection: {e}")))?;
        Ok(conn)
    }

    pub fn get(&self) -> Result<Conn> {
        self.pool.get().map_err(|e| Error::Unavailable(format!("no database connection: {e}")))
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize> {
        let mut conn = self.get()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| Error::internal("migrations", e))
    }

    /// Runs blocking diesel work off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut conn = db.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| Error::internal("blocking task", e))?
    }

    /// Asks the pool's idle SQLite connections to free their page caches (nothing to do on PostgreSQL, whose
    /// caches are the server's: the first connection lent says which it is). Busy connections are left
    /// alone: the pool lends only idle ones here, each held until the end so the next one is another.
    pub fn release_memory(&self) {
        let mut released = Vec::new();
        while released.len() < self.pool.max_size() as usize
            && let Some(mut conn) = self.pool.try_get()
        {
            let DbConnection::Sqlite(c) = &mut *conn else { return };
            if let Err(e) = c.batch_execute("PRAGMA shrink_memory") {
                log::warn!("SQLite: could not release a connection's cache: {e}");
            }
            released.push(conn);
        }
    }

    /// (open, idle, maximum) connections of the pool.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections, self.pool.max_size())
    }
}

/// libpq uses OpenSSL. Initialise it without its exit-time cleanup, which otherwise frees memory while
/// pool threads still hold connections as the process exits ("double free or corruption"). Must run
/// before the first PostgreSQL connection; later calls do nothing.
pub fn init_tls() {
    openssl_sys::init();
}

static SQLITE_WRITE_GATE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A transaction that writes. On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a deferred
/// transaction that reads first and then writes can fail with SQLITE_BUSY without waiting. Its changes to
/// synced tables are numbered for the change feed as it commits.
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> Result<T>
where
    F: FnOnce(&mut DbConnection) -> Result<T>,
{
    let f = |c: &mut DbConnection| {
        let value = f(c)?;
        changes::assign_sequence(c, now())?;
        Ok(value)
    };
    match conn {
        DbConnection::Postgresql(_) => conn.transaction(f),
        DbConnection::Sqlite(inner) => {
            // One writer at a time in this process, queued fairly here: SQLite's own busy handler makes a
            // waiting writer sleep for milliseconds, so many concurrent writers collapse throughput. Other
            // processes on the same file still wait through busy_timeout. A panic while holding the gate
            // leaves nothing half-done (the transaction rolls back), so a poisoned gate is still usable.
            let _gate = SQLITE_WRITE_GATE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
                    Err(e)
                }
            }
        }
    }
}

/// Whether the database answers (for `/health/ready`).
pub fn ping(conn: &mut DbConnection) -> Result<()> {
    conn.batch_execute("SELECT 1").map_err(|e| Error::Unavailable(format!("database ping: {e}")))
}

/// Now, truncated to microseconds (see [`truncate`]).
pub fn now() -> chrono::NaiveDateTime {
    truncate(chrono::Utc::now().naive_utc())
}

/// A time truncated to microseconds: PostgreSQL keeps microseconds, SQLite would keep nanoseconds, and an
/// ETag, cursor or stored time must read back exactly as written.
pub fn truncate(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    let micros = t.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros).map(|d| d.naive_utc()).unwrap_or(t)
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

diesel::define_sql_function! {
    /// SQL `LOWER`: the same case folding on both backends for ASCII, unlike LIKE's (case-blind on SQLite only).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%` and `_` are wildcards in LIKE: escape them (with `\`) so a search for "50%" means 50%.
pub fn like_pattern(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len() + 2);
    out.push('%');
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// JSON arrays of codes are stored as text (MultiConnection has no JSON type).
pub fn to_json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal("json encode", e))
}

pub fn from_json_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::internal("json decode", e))
}
