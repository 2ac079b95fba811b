//! Who blocks a statement that waits for a lock: once a revision's statement has run out of
//! `lock_timeout`, a second connection watches `pg_blocking_pids` of the runner's session while
//! it tries again, so that each retry names the sessions that really held it up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{ConnInfo, connect, first_cell};

/// How often the watcher looks.
const EVERY: Duration = Duration::from_millis(50);

/// Watches the blockers of one backend until dropped.
pub(crate) struct Watcher {
    seen: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Starts watching `backend` through a connection of its own; `None` if none can be made.
    pub(crate) fn start(info: &ConnInfo, backend: i32) -> Option<Watcher> {
        let mut client = connect(info).ok()?;
        let seen = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (found, stopping) = (Arc::clone(&seen), Arc::clone(&stop));
        // Only a number from the server goes into this text.
        let sql = format!(
            "SELECT string_agg(format('pid %s (%s: %s)', pid, state, \
             left(regexp_replace(query, '\\s+', ' ', 'g'), 60)), ', ' ORDER BY pid) \
             FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids({backend}))"
        );
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                let Ok(row) = first_cell(&mut client, &sql) else {
                    return;
                };
                if let Some(blockers) = row.filter(|b| !b.is_empty())
                    && let Ok(mut slot) = found.lock()
                {
                    *slot = Some(blockers);
                }
                std::thread::sleep(EVERY);
            }
        });
        Some(Watcher {
            seen,
            stop,
            thread: Some(thread),
        })
    }

    /// The blockers last seen since the previous call.
    pub(crate) fn take(&self) -> Option<String> {
        self.seen.lock().ok().and_then(|mut slot| slot.take())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
