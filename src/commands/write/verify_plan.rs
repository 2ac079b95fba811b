//! Which revisions `verify` runs, what it refuses before it runs any of them, and how each one
//! is listed in its result.

use std::time::Duration;

use super::steps;
use super::{Action, Files};
use crate::Error;
use crate::database::history::{Direction, State};
use crate::database::plan::AppliedRevision;
use crate::diagnostic::Rule;
use crate::output::{Body, Report, Step, StepStatus};
use crate::revision::Revision;
use crate::sql::Variables;

/// The refusals of the sections in `order` that use a variable without a value, as `upgrade`
/// gives them before it runs anything; `None` when every one has its values.
pub(super) fn unbound(files: &Files, order: &[usize], variables: &Variables) -> Option<Report> {
    let state = State::default();
    let mut problems = Vec::new();
    for &node in order {
        let applied = AppliedRevision {
            version: files.identities[node].version,
            node: Some(node),
            applied_on: String::new(),
        };
        for action in [Action::Up(node), Action::Down(applied)] {
            // Only the variables: an irreversible revision is verify's own warning.
            if let Err(problem) = steps::step(files, &state, &action, variables)
                && problem.rule == Rule::MissingVariable
            {
                problems.push(*problem);
            }
        }
    }
    if problems.is_empty() {
        return None;
    }
    let mut report = Report::new("verify", Body::Nothing);
    report.diagnostics = problems;
    Some(report)
}

/// The revisions from the root to `target`, parents first.
pub(super) fn revisions_to(files: &Files, target: &str) -> Result<Vec<usize>, Error> {
    let project = &files.project;
    let order = project.graph.topological_order();
    if target == "head" || target == "heads" {
        return Ok(order);
    }
    let node = project.resolve(target)?;
    let mut wanted = project.graph.ancestors(node);
    wanted.insert(node);
    Ok(order.into_iter().filter(|n| wanted.contains(n)).collect())
}

/// A revision's line in verify's result.
pub(super) fn step(revision: &Revision, failed: bool, took: Duration) -> Step {
    Step {
        id: revision.id.to_string(),
        file: revision.file_name().to_owned(),
        direction: Direction::Up,
        status: if failed {
            StepStatus::Failed
        } else {
            StepStatus::Verified
        },
        took,
    }
}
