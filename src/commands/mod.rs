//! The subcommands, one file each, and the outcome they report to `main`.

mod check;
mod current;
mod downgrade;
mod heads;
mod history;
mod init;
mod new;
mod rebase;
mod write;
mod show;
mod stamp;
mod upgrade;

use std::io::Write;

use colored::Colorize;

use crate::cli::Command;
use crate::diagnostic::{Format, Severity};
use crate::graph::RevisionGraph;
use crate::project::Project;
use crate::revision::Revision;
use crate::settings::Settings;
use crate::output::alembic_text as listing;
use crate::{Error, diagnostic};

/// How a command ended, when `migrate` itself did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: findings, or a command refused because the migrations are not in a state to allow it.
    Failure,
}

/// Runs one subcommand.
pub fn run(settings: &Settings, command: &Command) -> Result<Outcome, Error> {
    colored::control::set_override(settings.color);
    match command {
        Command::Check(args) => check::run(settings, args),
        Command::Heads(args) => heads::run(settings, args),
        Command::History(args) => history::run(settings, args),
        Command::Show(args) => show::run(settings, args),
        Command::New(args) => new::run(settings, args),
        Command::Init(args) => init::run(settings, args),
        Command::Upgrade(args) => upgrade::run(settings, args),
        Command::Downgrade(args) => downgrade::run(settings, args),
        Command::Stamp(args) => stamp::run(settings, args),
        Command::Current(args) => current::run(settings, args),
        Command::Rebase(args) => rebase::run(settings, args),
    }
}

/// Refuses `--format` for commands whose output has one form only.
fn human_only(settings: &Settings, command: &str) -> Result<(), Error> {
    match settings.format {
        None | Some(Format::Human) => Ok(()),
        Some(_) => Err(Error::Usage(format!(
            "`--format` applies to `check` and `new`, not to `{command}`"
        ))),
    }
}

/// Loads the project for a read-only listing, warning on stderr when `check` would fail.
fn load_for_listing(settings: &Settings) -> Result<Project, Error> {
    let project = Project::load(settings)?;
    let errors = project
        .diagnostics()
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "{} the migrations have {}; run `migrate check` for details",
            "warning:".yellow().bold(),
            diagnostic::plural(errors, "error")
        );
    }
    Ok(project)
}

/// Writes one entry per revision: the verbose block, or the brief form `brief` makes.
fn write_revisions(
    project: &Project,
    nodes: impl Iterator<Item = usize>,
    verbose: bool,
    brief: fn(&[Revision], &RevisionGraph, usize) -> String,
) -> Result<Outcome, Error> {
    let mut out = stdout();
    for node in nodes {
        let entry = if verbose { listing::verbose } else { brief };
        writeln!(out, "{}", entry(&project.revisions, &project.graph, node))?;
    }
    finish(out)?;
    Ok(Outcome::Success)
}

/// Prints a refusal to stderr; the caller returns `Outcome::Failure`.
fn refuse(message: &str) {
    eprintln!("{} {message}", "error:".red().bold());
}

fn stdout() -> std::io::StdoutLock<'static> {
    std::io::stdout().lock()
}

fn finish(mut out: impl Write) -> Result<(), Error> {
    out.flush().map_err(Error::Output)
}
