//! The history's rows matched to the files: each revision's refinery identity, the applied
//! rows as graph nodes, and how a row no file knows is named.

use std::collections::HashMap;

use super::Files;
use crate::Error;
use crate::database::history::{Applied, State};
use crate::database::plan::AppliedRevision;
use crate::database::refinery_identity::{self, Identity};
use crate::diagnostic::refusal;
use crate::project::Project;

/// Each revision's refinery identity; any revision number beyond int4 is an error.
pub(in crate::commands) fn identities(project: &Project) -> Result<Vec<Identity>, Error> {
    project
        .revisions
        .iter()
        .map(|r| {
            let text = project.sources.get(&r.path).map_or("", String::as_str);
            refinery_identity::identity(r, text)
        })
        .collect()
}

/// The applied rows as the planner sees them, each matched to its file by number.
pub(in crate::commands) fn applied_revisions(
    state: &State,
    identities: &[Identity],
) -> Vec<AppliedRevision> {
    let nodes = nodes_by_version(identities);
    state
        .applied
        .iter()
        .map(|row| AppliedRevision {
            version: row.version,
            node: nodes.get(&row.version).copied(),
            applied_on: row.applied_on.clone().unwrap_or_default(),
        })
        .collect()
}

/// The graph nodes of the revisions `state` has applied.
pub(in crate::commands) fn applied_nodes(state: &State, files: &Files) -> Vec<usize> {
    applied_revisions(state, &files.identities)
        .iter()
        .filter_map(|a| a.node)
        .collect()
}

/// Each revision's graph node by its version, so matching history rows stays linear.
pub(in crate::commands) fn nodes_by_version(identities: &[Identity]) -> HashMap<i32, usize> {
    identities
        .iter()
        .enumerate()
        .map(|(node, identity)| (identity.version, node))
        .collect()
}

/// A history version as its file writes it (`002`), or the bare number when no file has it.
pub(in crate::commands) fn version_label(
    project: &Project,
    identities: &[Identity],
    version: i32,
) -> String {
    identities
        .iter()
        .position(|i| i.version == version)
        .map_or_else(
            || version.to_string(),
            |n| project.revisions[n].id.to_string(),
        )
}

/// The unknown-revision refusal for a history row no file knows.
pub(in crate::commands) fn unknown_revision(row: &Applied) -> crate::diagnostic::Diagnostic {
    let file = row
        .meta
        .as_ref()
        .and_then(|m| m.file_name.clone())
        .unwrap_or_else(|| format!("a file named {}", row.name.as_deref().unwrap_or("?")));
    refusal::unknown_revision(
        &stored_label(row),
        &file,
        row.applied_on.as_deref().unwrap_or("at an unknown date"),
    )
}

/// A row no file here knows, by the number its stored file name was written with (`003` of
/// `003_c.sql`), else the bare version.
pub(in crate::commands) fn stored_label(row: &Applied) -> String {
    row.meta
        .as_ref()
        .and_then(|m| m.file_name.as_deref())
        .and_then(|name| name.split('_').next())
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .map_or_else(|| row.version.to_string(), str::to_owned)
}
