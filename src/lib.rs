//! `migrate`: a migration runner for PostgreSQL whose offline `check` refuses two heads.
//!
//! The crate is a library with a thin binary, and this list is the one place its layout is
//! described. Each folder is one layer or one family, and the layers are listed lowest first:
//! a module imports only from the layers above it in this list, never from its own or one
//! below it (the `layers` integration test reads this list and every `crate::` path). What two
//! layers share lives in the lower one, or is passed in as a value.
//!
//! 1. `escape`, `relpath`, `slug`, `unique`, `parallel`, `signal`, `words`, `layout`: small
//!    helpers that import nothing of the crate: escaping for terminals, displayed paths, slugs,
//!    random names, threads, the two signals, plurals and durations, and what is known of the
//!    tools whose files are a line ordered by version (goose, sqlx, Flyway...).
//! 2. `cli`: the command line as clap parses it: plain values every layer may read.
//! 3. `error`: the one error type of `migrate` failing to do its job.
//! 4. `sql`: PostgreSQL's lexical rules, psql variables and quoting.
//! 5. `revision`: one revision, as every format reads into it.
//! 6. `diagnostic`: the diagnostic model, the catalogue of names, and the wording of refusals.
//! 7. `graph`: the revision DAG.
//! 8. `branches`: Alembic's named branches.
//! 9. `walker`: the one gitignore-aware walk of the repository, for discovery and the scan.
//! 10. `source`: finding and reading migration files; `source/alembic/` reads Alembic's
//!     config, revision files and the Python they are written in, without running it.
//! 11. `check`: the graph rules, one file each, over a loaded tree.
//! 12. `settings`: settings resolved once (flags, environment, `migrate.toml`, discovery).
//! 13. `project`: a loaded tree with its graph and its findings.
//! 14. `lint`: what a revision's SQL will do to a busy table: squawk's rules on the SQL pieces
//!     of a revision, and `migrate`'s own rules that know each section's transaction mode.
//! 15. `database`: everything that talks to PostgreSQL: connection and TLS, the history tables,
//!     the lock, plans, scripts and applying them, Alembic's version table, catalog snapshots
//!     and the throwaway cluster of `verify`.
//! 16. `output`: the report every command returns, one renderer per format, and progress.
//! 17. `collision`: what branches do to each other: git, the base branch, the head file, the
//!     scan for stale references, and the rebase plan.
//! 18. `commands`: one small file per subcommand; `commands/write/` is the engine of `upgrade`,
//!     `downgrade` and `stamp` (gate, steps, execution, offline SQL).
//!
//! `fuzz` (tests only) fuzzes every parser.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub(crate) mod branches;
pub(crate) mod check;
pub mod cli;
pub(crate) mod collision;
pub(crate) mod commands;
pub mod database;
pub(crate) mod diagnostic;
pub(crate) mod error;
pub(crate) mod escape;
#[cfg(test)]
mod fuzz;
pub(crate) mod graph;
pub(crate) mod layout;
pub(crate) mod lint;
pub(crate) mod output;
pub(crate) mod parallel;
pub(crate) mod project;
pub(crate) mod relpath;
pub(crate) mod revision;
pub(crate) mod settings;
pub(crate) mod signal;
pub(crate) mod slug;
pub(crate) mod source;
pub(crate) mod sql;
pub(crate) mod unique;
pub(crate) mod walker;
pub(crate) mod words;

pub use error::Error;

use crate::diagnostic::Diagnostic;
use crate::output::{Format, Progress, Report};

/// How a command ended, when `migrate` itself did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: findings, or a command refused because the migrations are not in a state to allow it.
    Failure,
    /// A signal stopped a write, which rolled back and let go of its lock: exit 130 or 143.
    Interrupted(database::interrupt::Signal),
}

/// Runs one parsed command line, prints its report, and says how it ended.
pub fn run(cli: &cli::Cli) -> Result<Outcome, Error> {
    let settings = settings::Settings::resolve(&cli.global)?;
    colored::control::set_override(settings.color);
    let mut progress = Progress::stderr(cli.global.quiet);
    // The human and concise results list each revision a write command ran.
    progress.merge_with_results(matches!(format(cli), Format::Human | Format::Concise));
    for warning in &settings.warnings {
        progress.warn(warning);
    }
    let report = commands::run(&settings, &cli.command, &mut progress)?;
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    match report.render(format(cli), &mut out, &mut err) {
        // A reader that stops early (`migrate history | head`) changes nothing about how the
        // command ended: a refused upgrade still exits 1.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        result => result?,
    }
    Ok(if let Some(signal) = database::interrupt::received() {
        Outcome::Interrupted(signal)
    } else if report.failed() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// Reports an error from `run`: `error: ...` with its causes on stderr, and in JSON mode also
/// as a document on stdout, so that a job that parses stdout always gets one.
pub fn report_error(cli: &cli::Cli, error: &Error) {
    error::report(error, &mut std::io::stderr().lock());
    // JSON: a document a job can parse; GitHub: an annotation on the run.
    let format = format(cli);
    if matches!(format, Format::Json | Format::Github) {
        let report = Report::refused(cli.command.name(), diagnostic::refusal::failure(error));
        let _ = report.render(format, &mut std::io::stdout().lock(), &mut std::io::sink());
    }
}

/// Reports a command line clap refused (or `--help`): clap's own text, and in JSON mode a
/// document with a `usage-error` diagnostic on stdout, as for every other failure. Returns
/// whether it was a failure, as opposed to help or the version.
pub fn report_usage(error: &clap::Error) -> bool {
    let failed = error.use_stderr();
    if failed && json_requested(std::env::args()) {
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let refusal = Diagnostic::general(
            diagnostic::Rule::UsageError,
            first.strip_prefix("error: ").unwrap_or(first),
            "see `migrate --help`",
        );
        let report = Report::refused("migrate", refusal);
        let _ = report.render(
            Format::Json,
            &mut std::io::stdout().lock(),
            &mut std::io::sink(),
        );
    }
    let _ = error.print();
    failed
}

/// Whether the raw arguments ask for JSON, for a command line too broken for clap to read.
fn json_requested(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}

fn format(cli: &cli::Cli) -> Format {
    cli.global.format.unwrap_or(Format::Human)
}
