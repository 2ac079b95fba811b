//! Alembic's named branches: which labels each revision shows, and which branch a head is on.

use std::collections::{BTreeSet, VecDeque};

use crate::graph::RevisionGraph;
use crate::revision::Revision;

/// The labels Alembic shows on each revision (`RevisionMap._add_branches`): a label is carried
/// by the revision that declares it and by everything that revises it, and, when that line does
/// not branch, by its ancestors up to the nearest branch point or merge point. Sorted, where
/// Alembic's order is a Python set's.
#[must_use]
pub(crate) fn shown_labels(revisions: &[Revision], graph: &RevisionGraph) -> Vec<Vec<String>> {
    let mut shown: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); revisions.len()];
    if revisions.iter().all(|r| r.branch_labels.is_empty()) {
        return vec![Vec::new(); revisions.len()];
    }
    let real_branch_point = |node: usize| {
        let mut next: BTreeSet<usize> = graph.children(node).into_iter().collect();
        next.extend(graph.dependents(node));
        next.len() > 1
    };
    let merge_point = |node: usize| graph.parents(node).len() > 1;
    for (labelled, revision) in revisions.iter().enumerate() {
        if revision.branch_labels.is_empty() {
            continue;
        }
        let own: Vec<&str> = revision.branch_labels.iter().map(String::as_str).collect();
        let line = revised_by(graph, labelled);
        for &node in &line {
            shown[node].extend(&own);
        }
        // Alembic walks up from the last descendant it met. Only when the descendants are one
        // line is that walk the same in every run, and only then can it pass the labelled
        // revision: on a line that branches it stops at the branch point first.
        let single_line = line.iter().all(|&n| graph.children(n).len() <= 1);
        if !single_line {
            continue;
        }
        let tip = line
            .iter()
            .copied()
            .find(|&n| graph.children(n).is_empty())
            .unwrap_or(labelled);
        let mut at = Some(tip);
        while let Some(node) = at {
            if real_branch_point(node) || merge_point(node) {
                break;
            }
            shown[node].extend(&own);
            at = graph.parents(node).first().copied();
        }
    }
    shown
        .into_iter()
        .map(|labels| labels.into_iter().map(str::to_owned).collect())
        .collect()
}

/// A named branch: by its labels, or by the revision that starts it when its labels cannot be
/// read without Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Branch<'a> {
    Labels(&'a [String]),
    Unread(usize),
}

/// The branch a revision is on: that of its nearest labelled ancestor (itself first), or
/// `None` on the unlabelled part of the tree.
#[must_use]
pub(crate) fn branch_of<'a>(
    revisions: &'a [Revision],
    graph: &RevisionGraph,
    node: usize,
) -> Option<Branch<'a>> {
    let at = labelled_at(revisions, graph, node)?;
    Some(if revisions[at].branch_labels.is_empty() {
        Branch::Unread(at)
    } else {
        Branch::Labels(&revisions[at].branch_labels)
    })
}

/// Whether the branch a revision is on has labels that could not all be read without Python:
/// then a declared head may name it by a label migrate could not read.
#[must_use]
pub(crate) fn partly_unread(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> bool {
    labelled_at(revisions, graph, node).is_some_and(|at| revisions[at].unreadable_labels)
}

/// The nearest ancestor (itself first) that declares labels, read or not.
fn labelled_at(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> Option<usize> {
    let mut seen = BTreeSet::from([node]);
    let mut todo = VecDeque::from([node]);
    while let Some(at) = todo.pop_front() {
        if !revisions[at].branch_labels.is_empty() || revisions[at].unreadable_labels {
            return Some(at);
        }
        for parent in graph.parents(at) {
            if seen.insert(parent) {
                todo.push_back(parent);
            }
        }
    }
    None
}

/// `node` and every revision that revises it, directly or not; dependencies are not followed,
/// as Alembic's `_get_descendant_nodes(include_dependencies=False)` does not follow them.
fn revised_by(graph: &RevisionGraph, node: usize) -> Vec<usize> {
    let mut seen = BTreeSet::from([node]);
    let mut todo = vec![node];
    while let Some(at) = todo.pop() {
        for child in graph.children(at) {
            if seen.insert(child) {
                todo.push(child);
            }
        }
    }
    seen.into_iter().collect()
}
