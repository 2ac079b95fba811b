//! `migrate current`: which revisions the database is at, read without creating or changing anything.

use std::collections::BTreeSet;
use std::io::Write;

use colored::Colorize;

use super::session::{self, applied_revisions, unknown_message};
use super::{Outcome, finish, refuse, stdout};
use crate::Error;
use crate::cli::CurrentArgs;
use crate::database::history::{State, Tables};
use crate::project::Project;
use crate::settings::Settings;

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
) -> Result<(Status, Vec<crate::database::migration::Identity>), Error> {
    let identities = session::identities(project)?;
    let (mut client, _) = session::connect(settings)?;
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

pub(super) fn run(settings: &Settings, args: &CurrentArgs) -> Result<Outcome, Error> {
    let project = Project::load(settings)?;
    let (status, identities) = status(settings, &project)?;
    let nodes = session::nodes_by_version(&identities);
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
