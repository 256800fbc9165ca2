//! Process-wide SQLite settings, made once before the first connection opens.
//!
//! Threading and memory statistics. The bundled SQLite is built "serialized": every call takes the
//! connection's mutex, and by default every allocation also takes a global one to keep memory
//! statistics that nothing here reads. A diesel connection is only ever used by one thread at a time (the
//! pool lends it whole), so "multi-thread" mode is as safe, and the statistics are switched off.
//!
//! The query planner stability guarantee (QPSG), switched on for every connection. Without it SQLite may
//! plan a statement around the values bound to its parameters, and then marks the statement to be
//! planned again whenever such a parameter is bound anew. Since SQLite 3.47 a bound
//! `LIMIT ?` is one of them, and diesel binds every LIMIT: each run of a cached `.first()` or page query
//! was parsed and planned from scratch (half the CPU of `GET /cases/{id}` in the profile). With the
//! guarantee a statement is planned once, from its text and the schema, and the statement cache works as
//! intended. Nothing is lost: no query here relies on value-dependent plans (no ANALYZE statistics, no
//! LIKE prefix on a bound pattern).

use std::os::raw::{c_char, c_int};
use std::sync::Once;

use libsqlite3_sys as ffi;

/// Applies to connections opened after the first call; later calls do nothing.
pub fn configure() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: sqlite3_config with these options takes an int or nothing. Once SQLite is initialized (a
        // connection was opened earlier in this process, as in some tests) it refuses with SQLITE_MISUSE
        // and changes nothing; the defaults are correct, only slower.
        let (threading, statistics) = unsafe {
            (
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD),
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int),
            )
        };
        if threading != ffi::SQLITE_OK || statistics != ffi::SQLITE_OK {
            log::debug!("SQLite was initialized already: threading and memory statistics left as they are");
        }
        // SAFETY: registers a function pointer with the right signature; SQLite keeps it for the process.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            log::warn!("SQLite: could not ask for stable query plans (code {rc}); queries will be slower");
        }
    });
}

/// Run by SQLite as each connection opens; a non-zero answer would fail the open.
unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened, valid for this call; the option takes an int (1: on)
    // and an optional out-pointer for the resulting setting (null: not wanted).
    unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            std::ptr::null_mut::<c_int>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::ptr;

    use super::*;

    /// Runs `SELECT 1 LIMIT ?` twice with different limits on a fresh in-memory connection; returns how many
    /// times SQLite had to prepare the statement again.
    fn reprepares_of_a_rebound_limit() -> i32 {
        let (name, sql) = (CString::new(":memory:").unwrap(), CString::new("SELECT 1 LIMIT ?").unwrap());
        let (mut db, mut stmt) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: plain use of the C API on a private connection, every handle checked and closed.
        unsafe {
            assert_eq!(ffi::sqlite3_open(name.as_ptr(), &mut db), ffi::SQLITE_OK);
            let flags = ffi::SQLITE_PREPARE_PERSISTENT;
            assert_eq!(ffi::sqlite3_prepare_v3(db, sql.as_ptr(), -1, flags, &mut stmt, ptr::null_mut()), 0);
            for limit in [1, 2] {
                assert_eq!(ffi::sqlite3_bind_int(stmt, 1, limit), ffi::SQLITE_OK);
                assert_eq!(ffi::sqlite3_step(stmt), ffi::SQLITE_ROW);
                assert_eq!(ffi::sqlite3_reset(stmt), ffi::SQLITE_OK);
            }
            let reprepares = ffi::sqlite3_stmt_status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
            ffi::sqlite3_finalize(stmt);
            ffi::sqlite3_close(db);
            reprepares
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_statement_is_planned_once_however_its_limit_is_bound() {
        configure();
        assert_eq!(reprepares_of_a_rebound_limit(), 0);
    }
}
