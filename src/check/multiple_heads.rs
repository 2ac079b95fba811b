//! `multiple-heads`: more than one revision that nothing revises; names each and where they fork.

use std::collections::BTreeSet;

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A head cut off by a missing parent is `dangling-parent`'s finding; counting it here too
    // would report one mistake twice.
    let heads: Vec<usize> = cx
        .graph
        .heads()
        .into_iter()
        .filter(|&head| !descends_from_dangling(cx, head))
        .collect();
    let Some((&newest, others)) = heads.split_last() else {
        return;
    };
    if others.is_empty() || on_labeled_branches(cx, &heads) {
        return;
    }
    let help = match cx.revisions[newest].format {
        DirFormat::Sql => {
            "make one branch follow the other: renumber its revisions after the other head and point its first `-- migrate:revises` at that head, or add a merge revision that revises every head"
        }
        DirFormat::Alembic => {
            "make one branch follow the other: point its first `down_revision` at the other head (`migrate rebase` does it), or add a merge revision (`alembic merge heads`)"
        }
    };
    let fork = match cx.graph.newest_common_ancestor(&heads) {
        Some(fork) => format!("forking from `{}`", cx.revisions[fork].id),
        None => "with no common ancestor".to_owned(),
    };
    out.push(
        Diagnostic::new(
            Rule::MultipleHeads,
            cx.revises_location(newest),
            format!("{} heads: {}, {fork}", heads.len(), cx.list(&heads)),
            help,
        )
        .with_related(others.iter().map(|&n| cx.revises_location(n)).collect()),
    );
}

/// Whether each head is on its own branch named by Alembic's `branch_labels`: separate
/// branches are then intended (`alembic upgrade shop@head`), not a collision.
fn on_labeled_branches(cx: &Context<'_>, heads: &[usize]) -> bool {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for &head in heads {
        let mut line = cx.graph.ancestors(head);
        line.insert(head);
        let labels: BTreeSet<&str> = line
            .iter()
            .flat_map(|&n| cx.revisions[n].branch_labels.iter().map(String::as_str))
            .collect();
        if labels.is_empty() || labels.iter().any(|l| seen.contains(l)) {
            return false;
        }
        seen.extend(labels);
    }
    true
}

fn descends_from_dangling(cx: &Context<'_>, head: usize) -> bool {
    let dangling = |node: usize| {
        cx.revisions[node]
            .parent_ids()
            .iter()
            .any(|id| cx.graph.lookup(id).is_empty())
    };
    dangling(head) || cx.graph.ancestors(head).into_iter().any(dangling)
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn two_branches_from_one_parent() {
        let found = findings(&[("039", &[]), ("040", &["039"]), ("040", &["039"])]);
        assert!(found.contains(&(
            Rule::MultipleHeads,
            "2 heads: `040` (`040_r1.sql`), `040` (`040_r2.sql`), forking from `039`".to_owned()
        )));
    }

    #[test]
    fn a_merge_leaves_one_head() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &["1"]), ("4", &["2", "3"])]);
        assert!(
            found.iter().all(|(r, _)| *r != Rule::MultipleHeads),
            "{found:?}"
        );
    }

    #[test]
    fn a_head_behind_a_dangling_parent_is_not_counted() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &["9"]), ("4", &["3"])]);
        assert!(
            found.iter().all(|(r, _)| *r != Rule::MultipleHeads),
            "{found:?}"
        );
    }

    #[test]
    fn disconnected_heads() {
        let found = findings(&[("1", &[]), ("2", &[])]);
        assert!(found.contains(&(
            Rule::MultipleHeads,
            "2 heads: `1` (`1_r0.sql`), `2` (`2_r1.sql`), with no common ancestor".to_owned()
        )));
    }
}
