//! Keeping the server's memory near what it uses, not what its busiest minute used.
//!
//! glibc's allocator keeps what a burst freed (a page of search results, a change-feed page, a statistics
//! sort) in its arenas for reuse, and by default gives each of up to 8 threads per core an arena of its
//! own: an idle server stayed at the high-water mark of every thread (about 290 MiB after the benchmark,
//! against 52 MiB at start). Two measures (bench/results/2026-11-25-sqlite-memory.md):
//! - [`limit_arenas`]: one arena per core, since the blocking threads that do most allocating are mostly
//!   waiting on the database anyway (each keeps its own small-block cache, so the arenas' locks are rare);
//! - [`release_when_idle`]: a watcher thread asks glibc to release free pages (`malloc_trim`) once no
//!   request has been served for a whole interval: never under load, where reuse is what makes the
//!   allocator fast, and at most once per quiet period. Before that, SQLite's connections drop their page
//!   caches (up to 2 MiB each), which the next query refills from the operating system's file cache.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Requests served so far: the middleware counts, the watcher compares.
#[derive(Debug, Default, Clone)]
pub struct Activity(Arc<AtomicU64>);

impl Activity {
    pub fn served(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// What the watcher does at each tick, given the request count now and at the last tick and the count
/// at the last trim: trim only after a tick with no request that follows some activity.
fn should_trim(now: u64, last_tick: u64, last_trim: u64) -> bool {
    now == last_tick && now != last_trim
}

/// Starts the watcher thread. It ends with the application: it holds the counter weakly. At each trim it
/// first runs `release_caches` (caches that would otherwise keep what the trim could give back).
pub fn release_when_idle(
    activity: &Activity,
    interval: Duration,
    release_caches: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    let counter: Weak<AtomicU64> = Arc::downgrade(&activity.0);
    let count = move || counter.upgrade().map(|c| c.load(Ordering::Relaxed));
    std::thread::Builder::new().name("memory-trim".into()).spawn(move || {
        let Some(start) = count() else { return };
        let (mut last_tick, mut last_trim) = (start, start);
        loop {
            std::thread::sleep(interval);
            let Some(now) = count() else { return };
            if should_trim(now, last_tick, last_trim) {
                release_caches();
                trim();
                last_trim = now;
            }
            last_tick = now;
        }
    })?;
    Ok(())
}

/// At most one malloc arena per core, unless the operator chose with `MALLOC_ARENA_MAX`. Call it first
/// thing in `main`: arenas are given to threads as they first allocate.
pub fn limit_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        set_arena_max(cores);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_arena_max(arenas: usize) {
    let arenas = libc::c_int::try_from(arenas).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a tunable of the allocator; an unaccepted value is refused, not applied.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_arena_max(_: usize) {}

/// Gives the allocator's free pages back to the operating system now (after start-up, and when idle).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks; 0 keeps no pad.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}

#[cfg(test)]
mod tests {
    use super::should_trim;

    #[test]
    fn trims_once_per_quiet_period_after_activity() {
        assert!(!should_trim(0, 0, 0), "nothing served since start");
        assert!(!should_trim(10, 5, 0), "requests during the last interval");
        assert!(should_trim(10, 10, 0), "a quiet interval after activity");
        assert!(!should_trim(10, 10, 10), "already trimmed for this quiet period");
        assert!(!should_trim(11, 10, 10), "busy again");
        assert!(should_trim(11, 11, 10), "quiet again");
    }
}
