//! The progress stream: what a command is doing while it does it, on stderr and never in a
//! result. On a terminal the running revision's line is redrawn in place when it ends; into a
//! pipe or a CI log every event is a plain line. `--quiet` silences all of it.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use colored::Colorize;

use crate::escape;

/// Where progress goes.
#[derive(Debug)]
pub(crate) struct Progress {
    quiet: bool,
    sink: Sink,
    /// A running line is on screen without its end.
    open: bool,
}

/// Where progress lines land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// A terminal: the running line is redrawn in place.
    Terminal,
    /// A pipe or a file of its own: every event is a plain line.
    Plain,
    /// The same stream as results that list each revision (a CI log): a revision that went
    /// through is said there, not twice.
    WithResults,
}

impl Progress {
    /// Progress to stderr, live when stderr is a terminal.
    #[must_use]
    pub(crate) fn stderr(quiet: bool) -> Progress {
        Progress {
            quiet,
            sink: if std::io::stderr().is_terminal() {
                Sink::Terminal
            } else {
                Sink::Plain
            },
            open: false,
        }
    }

    /// Whether the results will list each revision on the same stream as this progress (stdout
    /// and stderr one file or pipe, not a terminal); then `finish` leaves success to them.
    pub(crate) fn merge_with_results(&mut self, results_list_steps: bool) {
        if results_list_steps && self.sink == Sink::Plain && one_stream() {
            self.sink = Sink::WithResults;
        }
    }

    /// A note about the run: `note: upgrade on app@db:5432/app: 3 revisions`.
    pub(crate) fn note(&mut self, text: &str) {
        self.line(&format!(
            "{} {}",
            "note:".cyan().bold(),
            escape::one_line(text)
        ));
    }

    /// A warning that does not change the outcome: `warning: ...`. `--quiet` keeps it.
    pub(crate) fn warn(&mut self, text: &str) {
        let quiet = std::mem::replace(&mut self.quiet, false);
        self.line(&format!(
            "{} {}",
            "warning:".yellow().bold(),
            escape::one_line(text)
        ));
        self.quiet = quiet;
    }

    /// A hint after a result: what to do next.
    pub(crate) fn hint(&mut self, text: &str) {
        self.line(&escape::one_line(text));
    }

    /// A revision is about to run: `applying 012_slow_backfill.sql ...`.
    pub(crate) fn start(&mut self, verb: &str, label: &str) {
        if self.quiet {
            return;
        }
        let text = format!("{verb} {} ...", escape::one_line(label));
        let mut err = std::io::stderr().lock();
        if self.sink == Sink::Terminal {
            let _ = write!(err, "{text}");
            self.open = true;
        } else {
            let _ = writeln!(err, "{text}");
        }
        let _ = err.flush();
    }

    /// The revision ended: its time in human units, on the running line when it is live.
    pub(crate) fn finish(&mut self, verb: &str, label: &str, took: Duration) {
        let said_by_results = matches!(
            verb,
            "applied" | "reverted" | "stamped" | "unstamped" | "verified"
        );
        if self.quiet || (self.sink == Sink::WithResults && said_by_results) {
            return;
        }
        let text = format!(
            "{verb} {} in {}",
            escape::one_line(label),
            crate::words::human_duration(took)
        );
        let mut err = std::io::stderr().lock();
        if self.open {
            // Back to the start of the running line, and clear it.
            let _ = write!(err, "\r\x1b[2K");
            self.open = false;
        }
        let _ = writeln!(err, "{text}");
        let _ = err.flush();
    }

    /// A fleet's status: redrawn in place on a terminal, a plain line otherwise.
    pub(crate) fn status(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.sink == Sink::Terminal {
            let _ = write!(err, "\r\x1b[2K{}", escape::one_line(text));
            self.open = true;
        } else {
            let _ = writeln!(err, "{}", escape::one_line(text));
        }
        let _ = err.flush();
    }

    /// Ends a live status line, so that what follows starts a line of its own.
    pub(crate) fn end_status(&mut self) {
        if self.open {
            let _ = writeln!(std::io::stderr().lock());
            self.open = false;
        }
    }

    fn line(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.open {
            let _ = writeln!(err);
            self.open = false;
        }
        let _ = writeln!(err, "{text}");
    }
}

/// Whether stdout and stderr are the same file or pipe, as in a CI job's log.
#[cfg(unix)]
fn one_stream() -> bool {
    match (
        rustix::fs::fstat(std::io::stdout()),
        rustix::fs::fstat(std::io::stderr()),
    ) {
        (Ok(out), Ok(err)) => out.st_dev == err.st_dev && out.st_ino == err.st_ino,
        _ => false,
    }
}

#[cfg(not(unix))]
fn one_stream() -> bool {
    false
}
