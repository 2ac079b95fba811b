//! Where an Alembic-managed database stands on the graph: the ids in `alembic_version`, what
//! they imply is applied, and whether that covers every head.

use std::collections::BTreeSet;

use crate::project::Project;

/// The database's position, read from its version table.
#[derive(Debug, Default)]
pub(crate) struct Status {
    /// The ids the table holds, in its order.
    pub stored: Vec<String>,
    /// The revisions those ids name.
    pub current: BTreeSet<usize>,
    /// Every revision the database has: the current ones and all they descend from or depend on.
    pub applied: BTreeSet<usize>,
    /// Ids in the table that no file defines.
    pub unknown: Vec<String>,
    /// Heads that are not applied.
    pub missing_heads: Vec<usize>,
}

impl Status {
    /// Places the stored ids on the graph. An id is matched exactly, as Alembic matches it.
    #[must_use]
    pub(crate) fn new(project: &Project, stored: Vec<String>) -> Status {
        let mut status = Status::default();
        for id in &stored {
            match project.lookup(id) {
                [] => status.unknown.push(id.clone()),
                nodes => status.current.extend(nodes),
            }
        }
        for &node in &status.current {
            status.applied.insert(node);
            status.applied.extend(project.graph.ancestors(node));
        }
        status.missing_heads = project
            .graph
            .heads()
            .into_iter()
            .filter(|h| !status.applied.contains(h))
            .collect();
        status.stored = stored;
        status
    }
}
