//! `migrate current`: which revisions the database is at, read without creating or changing anything.

use std::collections::{BTreeSet, HashMap};

use super::write::{self, applied_revisions, unknown_revision};
use crate::Error;
use crate::cli::CurrentArgs;
use crate::database::alembic_status;
use crate::database::alembic_version;
use crate::database::history::{Direction, State, Tables};
use crate::database::refinery_identity::Identity;
use crate::database::tool_history;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::foreign;
use crate::diagnostic::refusal::{self, Unfinished};
use crate::output::{Body, Current, Report, Row, RowState, TargetPosition};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::{HistoryTable, Settings};
use postgres::Client;

/// How many versions no file defines are named one by one.
const UNKNOWN_SHOWN: usize = 10;

/// The database's position on the graph.
pub(super) struct Position {
    /// Revisions the database has, with a file here.
    pub applied: BTreeSet<usize>,
    /// Applied revisions none of whose children is applied: where the database is.
    pub current: BTreeSet<usize>,
    /// The history as read (empty for an Alembic tree).
    state: State,
    /// Each revision's refinery identity (empty for an Alembic tree).
    identities: Vec<Identity>,
    /// What `alembic_version` holds (Alembic trees), or another tool's table.
    alembic: Option<alembic_status::Status>,
    /// Another tool's table, as messages name it, and why it refuses to go on (a dirty
    /// golang-migrate table).
    tool_table: Option<(String, Option<String>)>,
}

/// Reads the history and places it on the graph.
pub(super) fn position(settings: &Settings, project: &Project) -> Result<Position, Error> {
    let (mut client, _) = write::connect(settings)?;
    position_on(&mut client, settings, project)
}

/// Reads the history on `client` and places it on the graph.
fn position_on(
    client: &mut Client,
    settings: &Settings,
    project: &Project,
) -> Result<Position, Error> {
    if project.format == DirFormat::Alembic {
        let stored = alembic_version::read(client, &alembic_table(settings))?.unwrap_or_default();
        let status = alembic_status::Status::new(project, stored);
        return Ok(Position {
            applied: status.applied.clone(),
            current: status.current.clone(),
            state: State::default(),
            identities: Vec::new(),
            alembic: Some(status),
            tool_table: None,
        });
    }
    let tool = match project.format {
        DirFormat::Linear(layout) => Some(Some(layout)),
        DirFormat::Django => Some(None),
        DirFormat::Sql | DirFormat::Alembic => None,
    };
    if let Some(layout) = tool {
        let table = if settings.history_table_named {
            settings.history_table.clone()
        } else {
            tool_history::default_table(layout)
        };
        let recorded = tool_history::read(client, layout, &table)?;
        let dirty = recorded.dirty.clone();
        let status = tool_history::status(project, layout, recorded);
        return Ok(Position {
            applied: status.applied.clone(),
            current: status.current.clone(),
            state: State::default(),
            identities: Vec::new(),
            alembic: Some(status),
            tool_table: Some((table.to_string(), dirty)),
        });
    }
    let identities = write::identities(project)?;
    let state = Tables::new(&settings.history_table).read(client)?;
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
    Ok(Position {
        applied,
        current,
        state,
        identities,
        alembic: None,
        tool_table: None,
    })
}

/// The file names of the revisions the database has recorded, and the database as messages
/// show it (never with its password). A native row matches a file by its number and its file
/// name (or, in a row without one, refinery's name), so that of two files sharing a number
/// only the one applied counts; an Alembic tree never renames, so its applied revisions count.
pub(super) fn recorded(
    settings: &Settings,
    project: &Project,
) -> Result<(Vec<String>, String), Error> {
    let (mut client, info) = write::connect(settings)?;
    let names = if project.format == DirFormat::Alembic {
        let stored =
            alembic_version::read(&mut client, &alembic_table(settings))?.unwrap_or_default();
        let status = alembic_status::Status::new(project, stored);
        status
            .applied
            .iter()
            .map(|&n| project.revisions[n].file_name().to_owned())
            .collect()
    } else {
        let state = Tables::new(&settings.history_table).read(&mut client)?;
        let identities = write::identities(project)?;
        project
            .revisions
            .iter()
            .zip(&identities)
            .filter(|(revision, identity)| {
                state.applied.iter().any(|row| {
                    row.version == identity.version
                        && match row.meta.as_ref().and_then(|m| m.file_name.as_deref()) {
                            Some(file) => file == revision.file_name(),
                            None => row.name.as_deref() == Some(identity.name.as_str()),
                        }
                })
            })
            .map(|(revision, _)| revision.file_name().to_owned())
            .collect()
    };
    Ok((names, info.to_string()))
}

/// The version table of an Alembic project: `--history-table` when given, else `alembic_version`.
fn alembic_table(settings: &Settings) -> HistoryTable {
    if settings.history_table_named {
        settings.history_table.clone()
    } else {
        alembic_version::default_table()
    }
}

pub(super) fn run(settings: &Settings, args: &CurrentArgs) -> Result<Report, Error> {
    let project = Project::load(settings)?;
    let position = position(settings, &project)?;
    let mut diagnostics = Vec::new();
    let pending: Vec<usize> = project
        .graph
        .topological_order()
        .into_iter()
        .filter(|n| !position.applied.contains(n))
        .collect();
    // Another tool's line is at its head only with every version applied: one merged below
    // the newest applied is pending too.
    let missing_heads: Vec<usize> = if let DirFormat::Linear(_) | DirFormat::Django = project.format
    {
        pending.clone()
    } else {
        project
            .graph
            .heads()
            .into_iter()
            .filter(|h| !position.applied.contains(h))
            .collect()
    };
    let (table, empty, rows, unknown) = if let Some(status) = &position.alembic {
        // A database far ahead of the files (a table of another release) is said in a few
        // lines, not one per row.
        for id in status.unknown.iter().take(UNKNOWN_SHOWN) {
            diagnostics.push(refusal::unknown_alembic_revision(id, &settings.display_dir));
        }
        if status.unknown.len() > UNKNOWN_SHOWN {
            diagnostics.push(foreign::more_unknown(status.unknown.len() - UNKNOWN_SHOWN));
        }
        let rows = position
            .applied
            .iter()
            .map(|&n| Row {
                id: project.revisions[n].id.to_string(),
                file: project.revisions[n].file_name().to_owned(),
                applied_on: None,
                ms: None,
                state: RowState::Ok,
            })
            .collect();
        let table = match &position.tool_table {
            Some((table, dirty)) => {
                diagnostics.extend(dirty.iter().map(|why| foreign::dirty_history(why)));
                table.clone()
            }
            None => alembic_table(settings).to_string(),
        };
        (
            table,
            status.stored.is_empty(),
            rows,
            status.unknown.clone(),
        )
    } else {
        let rows = sql_rows(&project, &position);
        let unknown: Vec<String> = rows
            .iter()
            .filter(|r| r.state == RowState::NoFile)
            .map(|r| r.id.clone())
            .collect();
        diagnostics.extend(row_diagnostics(&project, &position, &rows));
        let table = settings.history_table.to_string();
        (table, position.state.applied.is_empty(), rows, unknown)
    };
    let current = Current {
        table,
        alembic: project.format == DirFormat::Alembic,
        empty,
        at: position.current.iter().copied().collect(),
        rows,
        verbose: args.verbose && position.alembic.is_none(),
        pending,
        missing_heads,
        unknown,
        project,
    };
    let dirty = position
        .tool_table
        .as_ref()
        .is_some_and(|(_, d)| d.is_some());
    if args.check_heads && (!current.missing_heads.is_empty() || dirty) {
        diagnostics.push(refusal::not_at_heads(current.project.format));
    }
    let mut report = Report::new("current", Body::Current(Box::new(current)));
    report.diagnostics = diagnostics;
    Ok(report)
}

/// The refusals the history's rows call for: rows no file knows, drift, unfinished revisions.
fn row_diagnostics(project: &Project, position: &Position, rows: &[Row]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    {
        let nodes = write::nodes_by_version(&position.identities);
        for (row, shown) in position.state.applied.iter().zip(rows) {
            match shown.state {
                RowState::NoFile => diagnostics.push(unknown_revision(row)),
                // Drift: the deploy gate must see it before `upgrade` refuses it.
                RowState::Changed => {
                    let Some(&node) = nodes.get(&row.version) else {
                        continue;
                    };
                    diagnostics.push(refusal::checksum_mismatch(
                        &project.revisions[node].path,
                        row.applied_on.as_deref().unwrap_or("an unknown date"),
                        row.checksum.as_deref().unwrap_or("NULL"),
                        &position.identities[node].checksum,
                    ));
                }
                RowState::Ok => {}
            }
        }
        for progress in &position.state.progress {
            let which = match progress.direction {
                Direction::Up => Unfinished::Upgrade,
                Direction::Down => Unfinished::Downgrade,
            };
            let id = write::version_label(project, &position.identities, progress.version);
            diagnostics.push(refusal::unfinished(
                &id,
                progress.done,
                &progress.error,
                which,
            ));
        }
    }
    diagnostics
}

/// `current` on one target of a fleet: where it is, how it stands against the files, and the
/// refusals its history calls for.
pub(super) struct Standing {
    pub at: Vec<usize>,
    pub position: TargetPosition,
    pub diagnostics: Vec<Diagnostic>,
}

pub(super) fn standing(
    settings: &Settings,
    project: &Project,
    client: &mut Client,
) -> Result<Standing, Error> {
    let position = position_on(client, settings, project)?;
    let pending = project
        .graph
        .topological_order()
        .into_iter()
        .filter(|n| !position.applied.contains(n))
        .count();
    // Another tool's line is at its head only with every version applied.
    let at_heads = position.alembic.as_ref().map_or_else(
        || {
            project
                .graph
                .heads()
                .iter()
                .all(|h| position.applied.contains(h))
        },
        |status| status.missing_heads.is_empty(),
    );
    let (unknown, changed, diagnostics) = if let Some(status) = &position.alembic {
        let diagnostics = status
            .unknown
            .iter()
            .map(|id| refusal::unknown_alembic_revision(id, &settings.display_dir))
            .collect();
        (status.unknown.len(), 0, diagnostics)
    } else {
        let rows = sql_rows(project, &position);
        let count = |state: RowState| rows.iter().filter(|r| r.state == state).count();
        let diagnostics = row_diagnostics(project, &position, &rows);
        (
            count(RowState::NoFile),
            count(RowState::Changed),
            diagnostics,
        )
    };
    Ok(Standing {
        at: position.current.iter().copied().collect(),
        position: TargetPosition {
            pending,
            unknown,
            changed,
            at_heads,
        },
        diagnostics,
    })
}

/// Every applied row, with whether its file still matches.
fn sql_rows(project: &Project, position: &Position) -> Vec<Row> {
    let nodes: HashMap<i32, usize> = write::nodes_by_version(&position.identities);
    position
        .state
        .applied
        .iter()
        .map(|row| {
            let node = nodes.get(&row.version).copied();
            let state = match node {
                Some(n)
                    if row.checksum.as_deref()
                        == Some(position.identities[n].checksum.as_str()) =>
                {
                    RowState::Ok
                }
                Some(_) => RowState::Changed,
                None => RowState::NoFile,
            };
            let stored_file = || {
                row.meta
                    .as_ref()
                    .and_then(|m| m.file_name.clone())
                    .unwrap_or_default()
            };
            Row {
                id: match node {
                    Some(n) => project.revisions[n].id.to_string(),
                    None => write::stored_label(row),
                },
                file: node
                    .map_or_else(stored_file, |n| project.revisions[n].file_name().to_owned()),
                applied_on: row.applied_on.clone(),
                ms: row.meta.as_ref().and_then(|m| m.execution_ms),
                state,
            }
        })
        .collect()
}
