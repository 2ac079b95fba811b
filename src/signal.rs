//! The signals that interrupt a run, SIGINT and SIGTERM, as values every layer can name.

use signal_hook::consts::{SIGINT, SIGTERM};

/// A signal that interrupts a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, Ctrl-C.
    Interrupt,
    /// SIGTERM, as a job runner or `kill` sends.
    Terminate,
}

impl Signal {
    pub(crate) fn from_raw(raw: i32) -> Option<Signal> {
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
