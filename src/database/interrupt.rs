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

/// The first signal received during a write, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// A signal that interrupts a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, Ctrl-C.
    Interrupt,
    /// SIGTERM, as a job runner or `kill` sends.
    Terminate,
}

impl Signal {
    fn from_raw(raw: i32) -> Option<Signal> {
        match raw {
            SIGINT => Some(Signal::Interrupt),
            SIGTERM => Some(Signal::Terminate),
            _ => None,
        }
    }

    /// `SIGINT` or `SIGTERM`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit status of a process the signal ended, as shells report it: 128 + its number.
    #[must_use]
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// The signal received during the run, if any.
pub(crate) fn received() -> Option<Signal> {
    Signal::from_raw(RECEIVED.load(Ordering::SeqCst))
}

/// Watches for SIGINT and SIGTERM while a session writes; stops watching when dropped.
pub(crate) struct Watch {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl Watch {
    /// Starts watching: on the first signal, cancel what `token`'s session runs.
    pub(crate) fn start(token: CancelToken, info: &ConnInfo) -> Result<Watch, Error> {
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
