//! Interrupts during a write. The first SIGINT or SIGTERM sends the server a cancel request for
//! every running statement of this process, as psql does on Ctrl-C, so that each run rolls
//! back, releases its lock and says what happened; a second one exits at once. Without this
//! the client would exit and leave its statements running on the server, holding the locks.
//!
//! One watcher thread serves the whole process: a fleet runs many sessions at once, and each
//! registers its cancel token while it writes.

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::JoinHandle;

use postgres::{CancelToken, NoTls};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

use super::{ConnInfo, tls};
use crate::Error;
pub use crate::signal::Signal;

/// The first signal received during a write, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The sessions to cancel on a signal, and the thread that waits for one while any is held.
static WATCHER: Mutex<Watcher> = Mutex::new(Watcher {
    next: 0,
    sessions: Vec::new(),
    holders: 0,
    thread: None,
});

struct Watcher {
    next: u64,
    sessions: Vec<(u64, Session)>,
    /// How many `Watch`es are alive; the thread runs while any is.
    holders: usize,
    thread: Option<(Handle, JoinHandle<()>)>,
}

/// What cancelling one session needs.
#[derive(Clone)]
struct Session {
    token: CancelToken,
    info: ConnInfo,
    pooled: bool,
}

/// The signal received during the run, if any.
pub(crate) fn received() -> Option<Signal> {
    Signal::from_raw(RECEIVED.load(Ordering::SeqCst))
}

/// Watches for SIGINT and SIGTERM while it lives: a session's write, or a whole fleet run.
pub(crate) struct Watch {
    session: Option<u64>,
}

/// The comment that opens every transactional revision this process sends, so that a cancel
/// can find the backend running it by its query (`cancel_tagged`).
pub(crate) fn run_tag() -> &'static str {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| format!("/* migrate run {} */", crate::unique::hex12()))
}

/// Cancels, from a connection of its own, the statement of this process's run that a backend is
/// running right now. A cancel request through a pooler can be lost (PgBouncer 1.18 drops one
/// whose client closes at once, as the driver's does); `pg_cancel_backend` on the backend whose
/// running query carries this run's tag is not.
fn cancel_tagged(info: &ConnInfo) {
    let mut info = info.clone();
    info.config
        .connect_timeout(std::time::Duration::from_secs(5));
    let Ok(mut client) = super::connect(&info) else {
        return;
    };
    let _ = client.batch_execute(&format!(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() \
         AND state = 'active' AND starts_with(query, {})",
        crate::sql::quote::literal(run_tag())
    ));
}

fn watcher() -> std::sync::MutexGuard<'static, Watcher> {
    WATCHER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Watch {
    /// Starts watching: on the first signal, cancel what `token`'s session runs; through a
    /// pooler (`pooled`), also by the run's tag.
    pub(crate) fn start(token: CancelToken, info: &ConnInfo, pooled: bool) -> Result<Watch, Error> {
        let mut watch = Watch::signals_only()?;
        let mut state = watcher();
        let id = state.next;
        state.next += 1;
        state.sessions.push((
            id,
            Session {
                token,
                info: info.clone(),
                pooled,
            },
        ));
        watch.session = Some(id);
        Ok(watch)
    }

    /// Watches without a session of its own: a fleet, between its targets' sessions, so that
    /// a signal there still starts no new target.
    pub(crate) fn signals_only() -> Result<Watch, Error> {
        let mut state = watcher();
        if state.thread.is_none() {
            let signals = Signals::new([SIGINT, SIGTERM]).map_err(|source| Error::Io {
                action: "watch signals for",
                path: "the run".to_owned(),
                source,
            })?;
            let handle = signals.handle();
            let thread = std::thread::spawn(move || wait(signals));
            state.thread = Some((handle, thread));
        }
        state.holders += 1;
        Ok(Watch { session: None })
    }
}

/// The watcher thread: the first signal cancels every registered session, the second exits.
fn wait(mut signals: Signals) {
    for raw in signals.forever() {
        if RECEIVED
            .compare_exchange(0, raw, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // The second signal: the user does not want to wait for the rollback.
            let _ = writeln!(
                std::io::stderr(),
                "error[interrupted]: a second signal: exiting without waiting for the rollback; \
                 the server ends the running revision on its own, applied with its history row or \
                 rolled back with it, so `migrate current` says which"
            );
            std::process::exit(128 + raw);
        }
        let sessions: Vec<Session> = watcher().sessions.iter().map(|(_, s)| s.clone()).collect();
        for session in sessions {
            // A cancel request is a connection of its own, with the session's TLS mode.
            let _ = match tls::connector(&session.info) {
                Ok(connector) => connector.cancel(&session.token),
                Err(_) => session.token.cancel_query(NoTls),
            };
            if session.pooled {
                cancel_tagged(&session.info);
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let stopped = {
            let mut state = watcher();
            if let Some(id) = self.session {
                state.sessions.retain(|(s, _)| *s != id);
            }
            state.holders -= 1;
            if state.holders == 0 {
                state.thread.take()
            } else {
                None
            }
        };
        // Joined outside the lock: the thread takes it to read the sessions.
        if let Some((handle, thread)) = stopped {
            handle.close();
            let _ = thread.join();
        }
    }
}
