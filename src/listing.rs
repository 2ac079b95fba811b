//! How revisions are written for people, in Alembic's forms: the one-line history entry and the verbose block.

use crate::graph::RevisionGraph;
use crate::revision::{Revises, Revision};

/// The markers after a revision's id: `(head)`, `(branchpoint)`, `(mergepoint)`.
fn markers(graph: &RevisionGraph, node: usize) -> String {
    let children = graph.children(node).len();
    let mut text = String::new();
    if children == 0 {
        text.push_str(" (head)");
    }
    if children > 1 {
        text.push_str(" (branchpoint)");
    }
    if graph.parents(node).len() > 1 {
        text.push_str(" (mergepoint)");
    }
    text
}

/// The parents as written in the header: `<base>` for a root, `040, 041` for a merge.
fn down_revisions(revision: &Revision) -> String {
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
pub fn line(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    format!(
        "{} -> {}{}, {}",
        down_revisions(revision),
        revision.id,
        markers(graph, node),
        revision.message()
    )
}

/// `040 (head)`: the id and its markers, as `heads` prints them.
#[must_use]
pub fn head(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    format!("{}{}", revisions[node].id, markers(graph, node))
}

/// The verbose block: id, parents, children at a branch point, path, reversibility, full message.
#[must_use]
pub fn verbose(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    let parents_label = if graph.parents(node).len() > 1 {
        "Merges"
    } else {
        "Parent"
    };
    let mut lines = vec![
        format!("Rev: {}{}", revision.id, markers(graph, node)),
        format!("{parents_label}: {}", down_revisions(revision)),
    ];
    let children = graph.children(node);
    if children.len() > 1 {
        let ids: Vec<&str> = children.iter().map(|&c| revisions[c].id.as_str()).collect();
        lines.push(format!("Branches into: {}", ids.join(", ")));
    }
    lines.push(format!("Path: {}", revision.path));
    let reversible = if revision.down.is_some() {
        "yes"
    } else {
        "no (no `-- migrate:down` section)"
    };
    lines.push(format!("Reversible: {reversible}"));
    lines.push(String::new());
    let description: Vec<&String> = revision
        .description
        .iter()
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
