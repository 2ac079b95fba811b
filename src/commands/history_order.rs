//! The order `history` lists revisions in: Alembic's own (`RevisionMap._topological_sort`), so
//! that a reviewer comparing `migrate history` with `alembic history` sees the same lines in the
//! same order. It walks down from the heads, taken in the order the files were loaded, and
//! follows one line of descent as long as no other head still needs the revision it is at.

use std::collections::BTreeSet;

use crate::project::Project;
use crate::revision::Revises;

/// Each revision's immediate down revisions as Alembic walks them: the parents as written,
/// then the dependencies that no ancestor already depends on (`_normalized_down_revisions`).
struct Downs {
    /// Per node: the parents, in the order the file writes them.
    versioned: Vec<Vec<usize>>,
    /// Per node: parents, then normalized dependencies.
    normalized: Vec<Vec<usize>>,
    /// Per node: whether it has normalized dependencies.
    has_dependencies: Vec<bool>,
}

impl Downs {
    fn new(project: &Project) -> Downs {
        let graph = &project.graph;
        let resolve = |id| graph.lookup(id).to_vec();
        let versioned: Vec<Vec<usize>> = project
            .revisions
            .iter()
            .map(|revision| match &revision.revises {
                Revises::Parents(parents) => {
                    let mut nodes = Vec::new();
                    for parent in parents {
                        for node in resolve(&parent.id) {
                            if !nodes.contains(&node) {
                                nodes.push(node);
                            }
                        }
                    }
                    nodes
                }
                Revises::Root | Revises::Unknown => Vec::new(),
            })
            .collect();
        let dependencies: Vec<BTreeSet<usize>> = project
            .revisions
            .iter()
            .map(|revision| {
                revision
                    .depends_on
                    .iter()
                    .flat_map(|d| resolve(&d.id))
                    .collect()
            })
            .collect();
        let mut normalized = Vec::with_capacity(versioned.len());
        let mut has_dependencies = Vec::with_capacity(versioned.len());
        for node in 0..versioned.len() {
            // A dependency an ancestor (by parents only) already has is no step of its own.
            let mut kept = dependencies[node].clone();
            for ancestor in closure(node, &versioned) {
                if ancestor != node {
                    for dependency in &dependencies[ancestor] {
                        kept.remove(dependency);
                    }
                }
            }
            // Alembic keeps them in a set: with several, its own order is not fixed; the load
            // order is ours.
            let mut kept: Vec<usize> = kept.into_iter().collect();
            kept.sort_unstable();
            has_dependencies.push(!kept.is_empty());
            let mut downs = versioned[node].clone();
            for dependency in kept {
                if !downs.contains(&dependency) {
                    downs.push(dependency);
                }
            }
            normalized.push(downs);
        }
        Downs {
            versioned,
            normalized,
            has_dependencies,
        }
    }
}

/// `node` and every revision below it along `downs`.
fn closure(node: usize, downs: &[Vec<usize>]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![node];
    while let Some(next) = todo.pop() {
        if seen.insert(next) {
            todo.extend(downs[next].iter().copied());
        }
    }
    seen
}

/// The revisions of `todo`, newest first, in Alembic's order, walked down from `heads`.
/// Revisions are ranked by their index in the project, which is the order the files load in.
pub(super) fn alembic_order(
    project: &Project,
    todo: &BTreeSet<usize>,
    heads: &[usize],
) -> Vec<usize> {
    let downs = Downs::new(project);
    let mut todo = todo.clone();
    let mut current: Vec<usize> = heads.iter().copied().filter(|h| todo.contains(h)).collect();
    current.sort_unstable();
    current.dedup();
    let mut ancestors: Vec<BTreeSet<usize>> = current
        .iter()
        .map(|&h| closure(h, &downs.normalized))
        .collect();
    let mut output = Vec::with_capacity(todo.len());
    let mut index = 0;
    // Each pass either emits a revision or moves to another head; a malformed graph (a cycle)
    // cannot make it loop for ever.
    let mut budget = (todo.len() + 1) * (current.len() + 1) * 4 + 64;
    while !current.is_empty() && budget > 0 {
        budget -= 1;
        let candidate = current[index];
        if let Some(other) = ancestors
            .iter()
            .enumerate()
            .position(|(i, set)| i != index && set.contains(&candidate))
        {
            // Another head still needs this revision: walk that one first.
            index = other;
            continue;
        }
        if todo.remove(&candidate) {
            output.push(candidate);
        }
        let to_add: Vec<usize> = downs.normalized[candidate]
            .iter()
            .copied()
            .filter(|r| todo.contains(r) && !current.contains(r))
            .collect();
        match to_add.split_first() {
            None => {
                current.remove(index);
                ancestors.remove(index);
                index = index.saturating_sub(1);
            }
            Some((&first, rest)) => {
                current[index] = first;
                if !downs.has_dependencies[candidate] && downs.versioned[candidate].len() == 1 {
                    ancestors[index].remove(&candidate);
                } else {
                    ancestors[index] = closure(first, &downs.normalized);
                    for &head in rest {
                        current.push(head);
                        ancestors.push(closure(head, &downs.normalized));
                    }
                }
            }
        }
    }
    // Whatever a malformed graph kept from the walk follows, newest number first.
    let mut left: Vec<usize> = todo.into_iter().collect();
    left.reverse();
    output.extend(left);
    output
}
