//! The one error type: every way `migrate` can fail to do its job (exit status 2).

use std::error::Error as _;
use std::io;

use colored::Colorize;

use crate::escape;

/// A failure of `migrate` itself, as opposed to a finding about the migrations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The migrations directory is missing; `origin` says which setting chose it.
    #[error("migrations directory `{path}` does not exist (from {origin})")]
    MissingDir { path: String, origin: String },
    /// The migrations directory path names something that is not a directory.
    #[error("`{path}` is not a directory (from {origin})")]
    NotADir { path: String, origin: String },
    /// A file or directory could not be read or written.
    #[error("cannot {action} `{path}`")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: io::Error,
    },
    /// `migrate.toml` (or the file given with `--config`) is invalid.
    #[error("invalid configuration file `{path}`")]
    Config {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    /// A value in `migrate.toml` that parses but means nothing, at its line.
    #[error("`{path}`, line {line}: {message}")]
    ConfigValue {
        path: String,
        line: usize,
        message: String,
    },
    /// The command line asked for something that cannot be done as written.
    #[error("{0}")]
    Usage(String),
    /// A revision named on the command line does not exist.
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    /// The database could not be reached or refused what `migrate` asked of it.
    #[error("{0}")]
    Database(String),
    /// Another runner held the migration lock for the whole `--lock-wait`.
    #[error("{0}")]
    LockHeld(String),
    /// git could not answer, or a ref named on the command line does not exist.
    #[error("{0}")]
    Git(String),
    /// A signal stopped the run before a revision started (waiting for the lock, say).
    #[error("interrupted by {}: nothing more was run", .0.name())]
    Interrupted(crate::signal::Signal),
    /// Writing the results failed (a closed pipe is handled by `main`).
    #[error("cannot write output")]
    Output(#[source] io::Error),
}

impl From<io::Error> for Error {
    fn from(source: io::Error) -> Self {
        Error::Output(source)
    }
}

impl Error {
    /// What to do about it, when something can be said beyond the message.
    #[must_use]
    pub fn help(&self) -> &'static str {
        match self {
            // Where Alembic's configuration named it, `migrate init` (a SQL tree) is not the cure.
            Error::MissingDir { origin, .. }
                if origin.contains("alembic") || origin.contains("_location") =>
            {
                "check the `script_location` or `version_locations` the configuration names, or name the directory with `--dir`"
            }
            Error::MissingDir { .. } => {
                "create it with `migrate init`, or name the directory with `--dir` or `dir` in migrate.toml"
            }
            Error::NotADir { .. } => "name the migrations directory with `--dir`",
            Error::Config { .. } | Error::ConfigValue { .. } => {
                "fix the file, or name another with `--config`"
            }
            Error::UnknownRevision(_) => "`migrate history` lists the revisions",
            Error::Interrupted(_) => {
                "rerun the same command when ready; what ran before the signal stays applied"
            }
            Error::Usage(_)
            | Error::Io { .. }
            | Error::Database(_)
            | Error::LockHeld(_)
            | Error::Git(_)
            | Error::Output(_) => "",
        }
    }
}

/// Writes an error and its chain of causes to `err`, in the one style every error shares.
pub(crate) fn report(error: &Error, err: &mut dyn std::io::Write) {
    // A path or a server message may hold a newline: what follows it is indented, so that no
    // text from outside begins a line (`::error::` is a GitHub command only there).
    let _ = writeln!(
        err,
        "{} {}",
        "error:".red().bold(),
        escape::message(&error.to_string())
    );
    let mut cause = error.source();
    while let Some(inner) = cause {
        let _ = writeln!(
            err,
            "  {} {}",
            "cause:".dimmed(),
            escape::message(inner.to_string().trim_end()).replace('\n', "\n  ")
        );
        cause = inner.source();
    }
    let help = error.help();
    if !help.is_empty() {
        let _ = writeln!(err, "  {} {help}", "help:".bold());
    }
}
