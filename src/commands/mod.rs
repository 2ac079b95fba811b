//! The subcommands, one file each: each turns its arguments into a `Report`, and prints nothing.

pub(crate) mod check;
mod current;
mod django_merge;
mod fleet;
mod heads;
mod history;
mod history_order;
mod init;
mod lint;
mod merge;
mod new;
mod rebase;
mod shipped;
mod show;
mod write;

use crate::Error;
use crate::cli::Command;
use crate::diagnostic::{Diagnostic, Severity, refusal};
use crate::output::{Progress, Report};
use crate::project::Project;
use crate::settings::Settings;
use crate::source::discover::Tree;

/// Runs one subcommand to its report.
pub(crate) fn run(
    settings: &Settings,
    command: &Command,
    progress: &mut Progress,
) -> Result<Report, Error> {
    if !settings.trees.is_empty() && !matches!(command, Command::Check(_) | Command::Init(_)) {
        let shown: Vec<String> = settings.trees.iter().map(Tree::shown).collect();
        return Ok(Report::refused(
            command.name(),
            refusal::several_trees(&shown),
        ));
    }
    match command {
        Command::Check(args) => check::run(settings, args, progress),
        Command::Heads(args) => heads::run(settings, args),
        Command::History(args) => history::run(settings, args),
        Command::Show(args) => show::run(settings, args),
        Command::New(args) => new::run(settings, args, progress),
        Command::Init(args) => init::run(settings, args, progress),
        Command::Merge(args) => merge::run(settings, args, progress),
        Command::Verify(args) => write::verify::run(settings, args, progress),
        Command::Schema(args) => write::schema::run(settings, args, progress),
        Command::Upgrade(args) => written(
            settings,
            write::Command::Upgrade(args),
            &args.fleet,
            progress,
        ),
        Command::Downgrade(args) => written(
            settings,
            write::Command::Downgrade(args),
            &args.fleet,
            progress,
        ),
        Command::Rollback(args) => {
            let args = crate::cli::DowngradeArgs {
                target: args.target.clone(),
                single_transaction: args.single_transaction,
                write: args.write.clone(),
                fleet: args.fleet.clone(),
            };
            written(
                settings,
                write::Command::Downgrade(&args),
                &args.fleet,
                progress,
            )
        }
        Command::Stamp(args) => {
            written(settings, write::Command::Stamp(args), &args.fleet, progress)
        }
        Command::Current(args) => match fleet::source(&args.fleet, settings)? {
            Some(source) => fleet::run(
                settings,
                fleet::FleetCommand::Current(args),
                &args.fleet,
                &source,
                progress,
            ),
            None => current::run(settings, args),
        },
        Command::Rebase(args) => rebase::run(settings, args, progress),
        Command::Lint(args) => lint::run(settings, args),
    }
}

/// A writing command on one database, or on the targets a list names.
fn written(
    settings: &Settings,
    command: write::Command<'_>,
    targets: &crate::cli::FleetArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    // `--sql` prints one script, whatever `[targets]` the configuration names; a target flag
    // with it is refused by the fleet.
    let named = targets.targets.is_some()
        || targets.targets_query.is_some()
        || targets.schemas_query.is_some();
    if command.write().sql && !named {
        return write::run(settings, command, progress);
    }
    match fleet::source(targets, settings)? {
        Some(source) => fleet::run(
            settings,
            fleet::FleetCommand::Write(command),
            targets,
            &source,
            progress,
        ),
        None => write::run(settings, command, progress),
    }
}

/// Loads the project for a read-only listing, with a warning when `check` would fail.
fn load_for_listing(settings: &Settings) -> Result<(Project, Option<Diagnostic>), Error> {
    let project = Project::load(settings)?;
    let errors = project
        .diagnostics()
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warning = (errors > 0).then(|| refusal::invalid_migrations(errors));
    Ok((project, warning))
}
