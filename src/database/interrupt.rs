//! Interrupts during a write. The first SIGINT or SIGTERM sends the server a cancel request for
//! the running statement, as psql does on Ctrl-C, so that the run rolls back, releases its lock
//! and says what happened; a second one exits at once. Without this the client would exit and
//! leave its statement running on the server, holding the lock.

use std::io::Write as _;
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

/// The signal received during the run, if any.
pub(crate) fn received() -> Option<Signal> {
    Signal::from_raw(RECEIVED.load(Ordering::SeqCst))
}

/// Watches for SIGINT and SIGTERM while a session writes; stops watching when dropped.
pub(crate) struct Watch {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
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

impl Watch {
    /// Starts watching: on the first signal, cancel what `token`'s session runs; through a
    /// pooler (`pooled`), also by the run's tag.
    pub(crate) fn start(token: CancelToken, info: &ConnInfo, pooled: bool) -> Result<Watch, Error> {
        let mut signals = Signals::new([SIGINT, SIGTERM]).map_err(|source| Error::Io {
            action: "watch signals for",
            path: "the run".to_owned(),
            source,
        })?;
        let handle = signals.handle();
        let info = info.clone();
        let thread = std::thread::spawn(move || {
            for raw in signals.forever() {
                if RECEIVED
                    .compare_exchange(0, raw, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    // The second signal: the user does not want to wait for the rollback.
                    let _ = writeln!(
                        std::io::stderr(),
                        "error[interrupted]: a second signal: exiting without waiting for the rollback; \
                         the server rolls back the running revision when it notices the client is gone, \
                         and nothing of it is recorded"
                    );
                    std::process::exit(128 + raw);
                }
                // A cancel request is a connection of its own, with the session's TLS mode.
                let _ = match tls::connector(&info) {
                    Ok(connector) => connector.cancel(&token),
                    Err(_) => token.cancel_query(NoTls),
                };
                if pooled {
                    cancel_tagged(&info);
                }
            }
        });
        Ok(Watch {
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
