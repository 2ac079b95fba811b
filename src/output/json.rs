//! The JSON format: one document on stdout for every command, a stable contract documented in
//! the README (version 1).

use std::io::{self, Write};

use serde::Serialize;

use super::json_entry::{Entry, StepEntry, entry, step};
use super::json_revision::{RevisionEntry, revision, section};
use super::{Body, Change, Mark, Report, RowState, Run, SchemaObject, TreeCount, diff};
use crate::diagnostic::Severity;

/// Bump only when a field changes meaning or disappears; new fields keep the version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    command: &'static str,
    #[serde(flatten)]
    body: Fields<'a>,
    diagnostics: Vec<Entry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Summary<'a>>,
}

/// The command's own fields, beside `diagnostics`.
#[derive(Serialize)]
#[serde(untagged)]
enum Fields<'a> {
    None {},
    Revisions {
        revisions: Vec<RevisionEntry<'a>>,
    },
    Show {
        revision: RevisionEntry<'a>,
    },
    Current {
        table: &'a str,
        current: Vec<&'a str>,
        applied: Vec<AppliedEntry<'a>>,
        pending: Vec<&'a str>,
        unknown: &'a [String],
        changed: Vec<&'a str>,
        at_heads: bool,
    },
    Run {
        database: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        server: Option<ServerEntry<'a>>,
        revisions: Vec<StepEntry<'a>>,
        totals: Totals,
    },
    Sql {
        sql: &'a str,
    },
    Rebase {
        dry_run: bool,
        changes: Vec<ChangeEntry<'a>>,
    },
    Created {
        path: &'a str,
    },
    /// `schema`: the catalog, one object each.
    Schema {
        objects: &'a [SchemaObject],
    },
    /// A command on many targets.
    Fleet(super::json_fleet::FleetFields<'a>),
    /// `check --fix`: the files repaired.
    Fixed {
        dry_run: bool,
        fixed: Vec<ChangeEntry<'a>>,
    },
}

#[derive(Serialize)]
struct AppliedEntry<'a> {
    id: &'a str,
    file: &'a str,
    applied_on: Option<&'a str>,
    ms: Option<i64>,
    state: &'static str,
}

/// The server a `verify` run used.
#[derive(serde::Serialize)]
struct ServerEntry<'a> {
    version: &'a str,
    binaries: Option<&'a str>,
    chosen_by: Option<&'a str>,
}

#[derive(Serialize)]
struct Totals {
    revisions: usize,
    failed: usize,
    ms: u128,
}

#[derive(Serialize)]
struct ChangeEntry<'a> {
    from: &'a str,
    to: &'a str,
    diff: String,
}

#[derive(Serialize)]
struct Summary<'a> {
    errors: usize,
    warnings: usize,
    revisions: usize,
    heads: usize,
    /// Each tree, when `check` checked several.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    trees: &'a [TreeCount],
    /// `lint`: how many of the revisions were linted.
    #[serde(skip_serializing_if = "Option::is_none")]
    linted: Option<usize>,
}

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let summary = match &report.body {
        Body::Check {
            revisions,
            heads,
            trees,
            linted,
            ..
        } => Some(Summary {
            errors: count(report, Severity::Error),
            warnings: count(report, Severity::Warning),
            revisions: *revisions,
            heads: *heads,
            trees: if trees.len() > 1 { trees } else { &[] },
            linted: *linted,
        }),
        _ => None,
    };
    let document = Document {
        version: VERSION,
        command: report.command,
        body: fields(&report.body),
        diagnostics: report.diagnostics.iter().map(entry).collect(),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// Findings of `severity`, as `check`'s summary counts them.
fn count(report: &Report, severity: Severity) -> usize {
    report
        .findings()
        .filter(|d| d.severity() == severity)
        .count()
}

fn fields(body: &Body) -> Fields<'_> {
    match body {
        Body::Check {
            fixes: Some(fixes), ..
        } => Fields::Fixed {
            dry_run: fixes.dry_run,
            fixed: fixes.changes.iter().map(change).collect(),
        },
        Body::Nothing | Body::Check { .. } => Fields::None {},
        Body::Revisions {
            project,
            nodes,
            marks,
            ..
        } => Fields::Revisions {
            revisions: nodes
                .iter()
                .map(|&node| {
                    let mut entry = revision(project, node);
                    if !marks.is_empty() {
                        entry.state = Some(match marks.get(&node) {
                            Some(Mark::Current) => "current",
                            Some(Mark::Applied) => "applied",
                            None => "pending",
                        });
                    }
                    entry
                })
                .collect(),
        },
        Body::Show { project, node } => {
            let mut entry = revision(project, *node);
            let r = &project.revisions[*node];
            entry.up = r.up.as_ref().map(section);
            entry.down = r.down.as_ref().map(section);
            Fields::Show { revision: entry }
        }
        Body::Current(current) => {
            let ids = |nodes: &[usize]| -> Vec<&str> {
                nodes
                    .iter()
                    .map(|&n| current.project.revisions[n].id.as_str())
                    .collect()
            };
            Fields::Current {
                table: &current.table,
                current: ids(&current.at),
                applied: current
                    .rows
                    .iter()
                    .map(|row| AppliedEntry {
                        id: &row.id,
                        file: &row.file,
                        applied_on: row.applied_on.as_deref(),
                        ms: row.ms,
                        state: match row.state {
                            RowState::Ok => "ok",
                            RowState::Changed => "changed",
                            RowState::NoFile => "unknown",
                        },
                    })
                    .collect(),
                pending: ids(&current.pending),
                unknown: &current.unknown,
                changed: current
                    .rows
                    .iter()
                    .filter(|r| r.state == RowState::Changed)
                    .map(|r| r.id.as_str())
                    .collect(),
                at_heads: current.at_heads(),
            }
        }
        Body::Run(run) => run_fields(run),
        Body::Sql(sql) => Fields::Sql { sql },
        Body::Rebase { dry_run, changes } => Fields::Rebase {
            dry_run: *dry_run,
            changes: changes.iter().map(change).collect(),
        },
        Body::Created { path } => Fields::Created { path },
        Body::Schema { objects } => Fields::Schema { objects },
        Body::Fleet(fleet) => Fields::Fleet(super::json_fleet::fields(fleet)),
    }
}

fn run_fields(run: &Run) -> Fields<'_> {
    let failed = run
        .steps
        .iter()
        .filter(|s| s.status == super::StepStatus::Failed)
        .count();
    Fields::Run {
        database: &run.database,
        server: run.server.as_ref().map(|s| ServerEntry {
            version: &s.version,
            binaries: s.binaries.as_deref(),
            chosen_by: s.chosen_by.as_deref(),
        }),
        revisions: run.steps.iter().map(step).collect(),
        totals: Totals {
            revisions: run.steps.len() - failed,
            failed,
            ms: run.elapsed.as_millis(),
        },
    }
}

fn change(change: &Change) -> ChangeEntry<'_> {
    ChangeEntry {
        from: &change.from,
        to: &change.to,
        diff: diff::patch(std::slice::from_ref(change)),
    }
}
