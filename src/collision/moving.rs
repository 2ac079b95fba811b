//! Which revisions a rebase moves, which stay, and the one the moved ones will follow.

use std::collections::BTreeSet;

use crate::project::Project;
use crate::revision::DirFormat;

/// The revisions of a rebase, by node.
pub(crate) struct Split {
    /// The revisions that get new ids or parents.
    pub moved: BTreeSet<usize>,
    /// The revisions that stay as they are.
    pub kept: Vec<usize>,
    /// The kept revision the moved ones follow; none when nothing stays.
    pub kept_head: Option<usize>,
}

/// The revisions that move, those that stay, and the one the moved ones will follow.
pub(crate) fn split(
    tree: &Project,
    chosen: &BTreeSet<usize>,
    work_len: usize,
) -> Result<Split, String> {
    let linear = matches!(tree.format, DirFormat::Linear(_));
    // Another tool's parents are only the order of versions: nothing descends from a moved
    // revision but what its version puts after it, and the moved ones follow the newest kept.
    let moved = if linear {
        chosen.clone()
    } else {
        closed_under_descendants(tree, chosen, work_len)?
    };
    let kept: Vec<usize> = (0..tree.revisions.len())
        .filter(|n| !moved.contains(n))
        .collect();
    let kept_head = if linear {
        kept.iter()
            .copied()
            .max_by(|&a, &b| tree.revisions[a].id.cmp(&tree.revisions[b].id))
    } else {
        kept_head(tree, &kept, &moved)?
    };
    Ok(Split {
        moved,
        kept,
        kept_head,
    })
}

/// The moved revisions with everything that descends from them: a child cannot keep a number
/// below its parent's. An edge through a number that several files share says nothing about
/// which of them the child follows, so it is not followed.
fn closed_under_descendants(
    tree: &Project,
    chosen: &BTreeSet<usize>,
    work_len: usize,
) -> Result<BTreeSet<usize>, String> {
    let mut moved = chosen.clone();
    let mut pending: Vec<usize> = moved.iter().copied().collect();
    while let Some(node) = pending.pop() {
        if tree.graph.lookup(&tree.revisions[node].id).len() > 1 {
            continue;
        }
        for child in tree.graph.children(node) {
            if child >= work_len {
                return Err(format!(
                    "`{}` (`{}`) cannot move: `{}` on the base revises it",
                    tree.revisions[node].id,
                    tree.revisions[node].file_name(),
                    tree.revisions[child].file_name()
                ));
            }
            if moved.insert(child) {
                pending.push(child);
            }
        }
    }
    Ok(moved)
}

/// The one head of the revisions that stay, which the moved ones will follow.
fn kept_head(
    tree: &Project,
    kept: &[usize],
    moved: &BTreeSet<usize>,
) -> Result<Option<usize>, String> {
    let heads: Vec<usize> = kept
        .iter()
        .copied()
        .filter(|&n| {
            tree.graph
                .children(n)
                .iter()
                .all(|child| moved.contains(child))
        })
        .collect();
    match heads.as_slice() {
        [] if kept.is_empty() => Ok(None),
        [one] => Ok(Some(*one)),
        [] => Err("the revisions that stay have no head: they form a cycle".to_owned()),
        many => Err(format!(
            "the revisions that stay have {} heads ({}), so there is no one head to follow; name the revisions to move, or merge the heads first",
            many.len(),
            crate::project::describe(&tree.revisions, many)
        )),
    }
}
