//! The steps a plan becomes: each action with its history record and its SQL bound to the
//! variables, or the refusals that stop the run before anything is sent.

use super::{Action, Command, Files};
use crate::database::apply::Script;
use crate::database::history::{Applied, Record, State};
use crate::database::plan::AppliedRevision;
use crate::database::script::Origin;
use crate::diagnostic::refusal;
use crate::diagnostic::{Diagnostic, Location};
use crate::revision::Timeouts;
use crate::sql::Variables;

/// One action with everything needed to carry it out.
pub(super) struct Step<'a> {
    pub action: Action,
    /// The revision as written (`002`), or the database's number when no file has it.
    pub id: String,
    /// The file name, for results and progress.
    pub label: String,
    pub record: Record<'a>,
    pub script: Option<Script<'a>>,
}

/// Turns actions into steps, refusing before anything runs when a variable has no value, a
/// revision cannot be reverted, or `--single-transaction` meets a `transaction:false` section.
pub(super) fn prepare<'a>(
    files: &'a Files,
    state: &'a State,
    actions: &[Action],
    variables: &Variables,
    command: Command<'_>,
) -> Result<Vec<Step<'a>>, Vec<Diagnostic>> {
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    for action in actions {
        match step(files, state, action, variables) {
            Ok(step) => {
                if command.single_transaction()
                    && step.script.as_ref().is_some_and(|s| !s.transaction)
                {
                    problems.push(refusal::single_transaction(&step.label));
                }
                steps.push(step);
            }
            Err(problem) => problems.push(*problem),
        }
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(problems)
    }
}

/// SQL to run: where it comes from, the text, its first line and whether it is transactional.
type Source<'a> = (Origin, &'a str, usize, bool, Timeouts);

/// One action's step, or the reason it cannot run.
pub(super) fn step<'a>(
    files: &'a Files,
    state: &'a State,
    action: &Action,
    variables: &Variables,
) -> Result<Step<'a>, Box<Diagnostic>> {
    let (record, source, label, id): (Record<'a>, Option<Source<'a>>, String, String) = match action
    {
        Action::Up(node) | Action::StampUp(node) => {
            let revision = &files.project.revisions[*node];
            let source = revision.up.as_ref().map(|up| {
                (
                    Origin::File(revision.path.clone()),
                    up.sql.as_str(),
                    up.line + 1,
                    up.transaction,
                    up.timeouts(),
                )
            });
            (
                file_record(files, *node),
                source,
                revision.file_name().to_owned(),
                revision.id.to_string(),
            )
        }
        Action::Down(applied) | Action::StampDown(applied) => {
            if let Some(node) = applied.node {
                let revision = &files.project.revisions[node];
                let source = revision.down.as_ref().map(|d| {
                    (
                        Origin::File(revision.path.clone()),
                        d.sql.as_str(),
                        d.line + 1,
                        d.transaction,
                        d.timeouts(),
                    )
                });
                (
                    file_record(files, node),
                    source,
                    revision.file_name().to_owned(),
                    revision.id.to_string(),
                )
            } else {
                // Known only to the database: its down SQL is the one stored when it was applied.
                let row = state.get(applied.version);
                let meta = row.and_then(|r| r.meta.as_ref());
                let label = meta
                    .and_then(|m| m.file_name.clone())
                    .unwrap_or_else(|| format!("revision {}", applied.version));
                let source = meta.and_then(|m| {
                    m.down_sql.as_deref().map(|sql| {
                        (
                            Origin::Stored {
                                label: label.clone(),
                            },
                            sql,
                            1,
                            m.down_transaction,
                            Timeouts::default(),
                        )
                    })
                });
                (
                    stored_record(applied, row),
                    source,
                    label,
                    applied.version.to_string(),
                )
            }
        }
    };
    let script = script(files, action, source, &label, variables)?;
    Ok(Step {
        action: action.clone(),
        id,
        label,
        record,
        script,
    })
}

/// The SQL an action runs, bound to the variables; `None` for a stamp. Refuses a variable
/// without a value and a revert without a down section, at the file when there is one.
fn script<'a>(
    files: &Files,
    action: &Action,
    source: Option<Source<'a>>,
    label: &str,
    variables: &Variables,
) -> Result<Option<Script<'a>>, Box<Diagnostic>> {
    Ok(match (action, source) {
        (Action::StampUp(_) | Action::StampDown(_), _) => None,
        (_, Some((origin, sql, line, transaction, timeouts))) => {
            let at = match &origin {
                Origin::File(path) => Some(Location {
                    path: path.clone(),
                    line,
                    column: 1,
                    span: None,
                }),
                Origin::Stored { .. } => None,
            };
            Some(
                Script::new(origin, sql, line, transaction, timeouts, variables).map_err(
                    |missing| {
                        let mut refusal = refusal::missing_variable(label, &missing);
                        refusal.location = at;
                        Box::new(refusal)
                    },
                )?,
            )
        }
        (_, None) => {
            let mut refusal = refusal::irreversible(label);
            if let Action::Down(AppliedRevision {
                node: Some(node), ..
            }) = action
            {
                refusal.location = Some(Location::file(&files.project.revisions[*node].path));
            }
            return Err(Box::new(refusal));
        }
    })
}

fn file_record(files: &Files, node: usize) -> Record<'_> {
    let revision = &files.project.revisions[node];
    let identity = &files.identities[node];
    Record {
        version: identity.version,
        name: &identity.name,
        checksum: identity.checksum.clone(),
        parents: revision
            .parent_ids()
            .iter()
            .map(|id| id.as_str().to_owned())
            .collect(),
        file_name: revision.file_name(),
        down_sql: revision.down.as_ref().map(|d| d.sql.as_str()),
        down_transaction: revision.down.as_ref().is_none_or(|d| d.transaction),
    }
}

fn stored_record<'a>(applied: &AppliedRevision, row: Option<&'a Applied>) -> Record<'a> {
    Record {
        version: applied.version,
        name: row.and_then(|r| r.name.as_deref()).unwrap_or(""),
        checksum: row.and_then(|r| r.checksum.clone()).unwrap_or_default(),
        parents: Vec::new(),
        file_name: "",
        down_sql: None,
        down_transaction: true,
    }
}
