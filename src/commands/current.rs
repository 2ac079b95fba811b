//! `migrate current`: which revisions the database is at, read without creating or changing anything.

use std::collections::BTreeSet;
use std::io::Write;

use colored::Colorize;

use super::write::{self, applied_revisions, unknown_message};
use super::{Outcome, finish, refuse, stdout};
use crate::cli::CurrentArgs;
use crate::database::alembic_version;
use crate::database::history::{State, Tables};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::HistoryTable;
use crate::settings::Settings;
use crate::Error;
use crate::database::alembic_status;
use crate::output::alembic_text as listing;

/// The database's state next to the files: what is applied, what is current, what is pending.
pub(super) struct Status {
    pub state: State,
    /// Applied revisions that have a file.
    pub applied: BTreeSet<usize>,
    /// Applied revisions none of whose children is applied: where the database is.
    pub current: BTreeSet<usize>,
}

/// Reads the history and places it on the graph.
pub(super) fn status(
    settings: &Settings,
    project: &Project,
) -> Result<(Status, Vec<crate::database::refinery_identity::Identity>), Error> {
    if project.format == DirFormat::Alembic {
        let alembic = read_alembic(settings, project)?;
        let status = Status {
            state: State::default(),
            applied: alembic.applied,
            current: alembic.current,
        };
        return Ok((status, Vec::new()));
    }
    let identities = write::identities(project)?;
    let (mut client, _) = write::connect(settings)?;
    let state = Tables::new(&settings.history_table).read(&mut client)?;
    let applied: BTreeSet<usize> = applied_revisions(&state, &identities)
        .iter()
        .filter_map(|a| a.node)
        .collect();
    let current = applied
        .iter()
        .copied()
        .filter(|n| {
            !project
                .graph
                .children(*n)
                .iter()
                .any(|c| applied.contains(c))
        })
        .collect();
    Ok((
        Status {
            state,
            applied,
            current,
        },
        identities,
    ))
}

/// The version table of an Alembic project: `--history-table` when given, else `alembic_version`.
fn alembic_table(settings: &Settings) -> HistoryTable {
    if settings.history_table_named {
        settings.history_table.clone()
    } else {
        alembic_version::default_table()
    }
}

fn read_alembic(settings: &Settings, project: &Project) -> Result<alembic_status::Status, Error> {
    let (mut client, _) = write::connect(settings)?;
    let stored = alembic_version::read(&mut client, &alembic_table(settings))?.unwrap_or_default();
    Ok(alembic_status::Status::new(project, stored))
}

/// `current` for an Alembic project: the ids in `alembic_version`, each placed on the graph.
fn run_alembic(
    settings: &Settings,
    args: &CurrentArgs,
    project: &Project,
) -> Result<Outcome, Error> {
    let status = read_alembic(settings, project)?;
    let mut out = stdout();
    if status.stored.is_empty() {
        writeln!(
            out,
            "no revision applied ({} is empty or missing)",
            alembic_table(settings)
        )?;
    }
    for &node in &status.current {
        let revision = &project.revisions[node];
        writeln!(
            out,
            "{}, {}",
            listing::head(&project.revisions, &project.graph, node),
            revision.message()
        )?;
    }
    if status.missing_heads.is_empty() {
        if !project.revisions.is_empty() {
            writeln!(out, "at head")?;
        }
    } else {
        let pending = project.revisions.len() - status.applied.len();
        writeln!(
            out,
            "{} pending; not at {}",
            crate::diagnostic::plural(pending, "revision"),
            crate::project::describe(&project.revisions, &status.missing_heads)
        )?;
    }
    finish(out)?;
    let mut outcome = Outcome::Success;
    for id in &status.unknown {
        eprintln!(
            "{} the database is at `{id}`, which no file in `{}` defines
  {} deploy the release that has that revision, or check that `--dir` names the right versions directory",
            "error[unknown-revision]:".red().bold(),
            settings.display_dir,
            "help:".bold(),
        );
        outcome = Outcome::Failure;
    }
    if args.check_heads && !status.missing_heads.is_empty() {
        refuse("`--check-heads`: the database is not at every head");
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

pub(super) fn run(settings: &Settings, args: &CurrentArgs) -> Result<Outcome, Error> {
    let project = Project::load(settings)?;
    if project.format == DirFormat::Alembic {
        return run_alembic(settings, args, &project);
    }
    let (status, identities) = status(settings, &project)?;
    let nodes = write::nodes_by_version(&identities);
    let mut out = stdout();
    let mut outcome = Outcome::Success;
    if status.state.applied.is_empty() {
        writeln!(
            out,
            "no revision applied ({} is empty or missing)",
            settings.history_table
        )?;
    }
    for node in &status.current {
        let revision = &project.revisions[*node];
        let head = if project.graph.children(*node).is_empty() {
            " (head)"
        } else {
            ""
        };
        writeln!(
            out,
            "{}{head}, {}",
            revision.id.as_str(),
            revision.message()
        )?;
    }
    if args.verbose {
        write_rows(&mut out, &project, &status, &identities)?;
    }
    let pending = project
        .graph
        .topological_order()
        .into_iter()
        .filter(|n| !status.applied.contains(n))
        .count();
    if pending > 0 {
        writeln!(
            out,
            "{} pending",
            crate::diagnostic::plural(pending, "revision")
        )?;
    } else if !project.revisions.is_empty() {
        writeln!(out, "at head")?;
    }
    finish(out)?;
    if args.check_heads && pending > 0 {
        refuse("`--check-heads`: the database is not at every head");
        outcome = Outcome::Failure;
    }
    for row in &status.state.applied {
        if !nodes.contains_key(&row.version) {
            refuse(&unknown_message(row));
            outcome = Outcome::Failure;
        }
    }
    for progress in &status.state.progress {
        refuse(&format!(
            "revision {} stopped part-way ({} statement(s) of its {} section ran): {}\n  rerun `migrate {}` to continue",
            progress.version,
            progress.done,
            if progress.direction == crate::database::history::Direction::Up {
                "up"
            } else {
                "down"
            },
            progress.error,
            if progress.direction == crate::database::history::Direction::Up {
                "upgrade"
            } else {
                "downgrade"
            },
        ));
        outcome = Outcome::Failure;
    }
    Ok(outcome)
}

/// `current -v`: every applied row, with when it was applied and whether its file changed.
fn write_rows(
    out: &mut impl Write,
    project: &Project,
    status: &Status,
    identities: &[crate::database::refinery_identity::Identity],
) -> Result<(), Error> {
    let nodes = write::nodes_by_version(identities);
    for row in &status.state.applied {
        let node = nodes.get(&row.version).copied();
        let state = match node {
            Some(n) if row.checksum.as_deref() == Some(identities[n].checksum.as_str()) => {
                "ok".green()
            }
            Some(_) => "changed since applied".red(),
            None => "no file".red(),
        };
        let file = node.map_or_else(
            || {
                row.meta
                    .as_ref()
                    .and_then(|m| m.file_name.clone())
                    .unwrap_or_default()
            },
            |n| project.revisions[n].file_name().to_owned(),
        );
        let ms = row
            .meta
            .as_ref()
            .and_then(|m| m.execution_ms)
            .map_or(String::new(), |ms| format!(", {ms} ms"));
        writeln!(
            out,
            "  {:>6}  {file}  applied {}{ms}  {state}",
            row.version,
            row.applied_on.as_deref().unwrap_or("?"),
        )?;
    }
    Ok(())
}
