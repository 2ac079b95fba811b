//! How revisions are written for people, in Alembic's forms: the one-line history entry and the verbose block.

use super::escape::one_line;
use crate::graph::RevisionGraph;
use crate::revision::{DirFormat, Revises, Revision};

/// What follows the id in `heads`: Alembic's branch labels, then `(head)`, or `(effective head)`
/// for a head that other revisions depend on.
fn head_markers(revision: &Revision, graph: &RevisionGraph, node: usize) -> String {
    let mut text = String::new();
    if !revision.branch_labels.is_empty() {
        text.push_str(" (");
        text.push_str(&revision.branch_labels.join(", "));
        text.push(')');
    }
    if graph.is_real_head(node) {
        text.push_str(" (head)");
    } else if graph.children(node).is_empty() {
        text.push_str(" (effective head)");
    }
    text
}

/// The markers after a revision's id in `history`: the head markers, then `(branchpoint)` and
/// `(mergepoint)`, in Alembic's order.
fn markers(revision: &Revision, graph: &RevisionGraph, node: usize) -> String {
    let mut text = head_markers(revision, graph, node);
    if graph.children(node).len() > 1 {
        text.push_str(" (branchpoint)");
    }
    if revision.parent_ids().len() > 1 {
        text.push_str(" (mergepoint)");
    }
    text
}

/// The parents as written in the header: `<base>` for a root, `040, 041` for a merge, and
/// Alembic's dependencies in brackets after them: `040 (shop) -> 041`.
fn down_revisions(revision: &Revision) -> String {
    let parents = parent_list(revision);
    if revision.depends_on.is_empty() {
        return parents;
    }
    let dependencies: Vec<&str> = revision.depends_on.iter().map(|d| d.id.as_str()).collect();
    format!("{parents} ({})", dependencies.join(", "))
}

fn parent_list(revision: &Revision) -> String {
    match &revision.revises {
        Revises::Root => "<base>".to_owned(),
        Revises::Unknown => "<unknown>".to_owned(),
        Revises::Parents(parents) => parents
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `039 -> 041 (head), add readonly role`.
#[must_use]
pub(crate) fn line(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    format!(
        "{} -> {}{}, {}",
        down_revisions(revision),
        revision.id,
        markers(revision, graph, node),
        revision.message()
    )
}

/// `040 (head)`: the id and its markers, as `heads` prints them.
#[must_use]
pub(crate) fn head(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    format!("{}{}", revision.id, head_markers(revision, graph, node))
}

/// The verbose block: id, parents, children at a branch point, path, reversibility, full message.
#[must_use]
pub(crate) fn verbose(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    let parents_label = if graph.parents(node).len() > 1 {
        "Merges"
    } else {
        "Parent"
    };
    let mut lines = vec![
        format!("Rev: {}{}", revision.id, markers(revision, graph, node)),
        format!("{parents_label}: {}", parent_list(revision)),
    ];
    let children = graph.children(node);
    if children.len() > 1 {
        let ids: Vec<&str> = children.iter().map(|&c| revisions[c].id.as_str()).collect();
        lines.push(format!("Branches into: {}", ids.join(", ")));
    }
    if !revision.depends_on.is_empty() {
        let ids: Vec<&str> = revision.depends_on.iter().map(|d| d.id.as_str()).collect();
        lines.push(format!("Depends on: {}", ids.join(", ")));
    }
    lines.push(format!("Path: {}", one_line(&revision.path)));
    let reversible = if revision.down.is_some() {
        "yes"
    } else {
        "no (no `-- migrate:down` section)"
    };
    // An Alembic revision's SQL is Python code, which migrate does not read.
    if revision.format == DirFormat::Sql {
        lines.push(format!("Reversible: {reversible}"));
    }
    lines.push(String::new());
    // An Alembic docstring is kept whole, so its lines are split here.
    let description: Vec<&str> = revision
        .description
        .iter()
        .flat_map(|entry| entry.split('\n'))
        .skip_while(|l| l.trim().is_empty())
        .collect();
    if description.is_empty() {
        lines.push(format!("    {}", revision.message()));
    }
    lines.extend(
        description
            .iter()
            .map(|line| format!("    {line}").trim_end().to_owned()),
    );
    lines.push(String::new());
    lines.join("\n")
}
