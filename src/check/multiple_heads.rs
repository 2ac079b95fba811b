//! `multiple-heads`: more than one revision that nothing revises; names each and where they fork.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};

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
    if others.is_empty() {
        return;
    }
    let fork = match cx.graph.newest_common_ancestor(&heads) {
        Some(fork) => format!("forking from `{}`", cx.revisions[fork].id),
        None => "with no common ancestor".to_owned(),
    };
    out.push(
        Diagnostic::new(
            Rule::MultipleHeads,
            cx.revises_location(newest),
            format!("{} heads: {}, {fork}", heads.len(), cx.list(&heads)),
            "make one branch follow the other: renumber its revisions after the other head and point its first `-- migrate:revises` at that head, or add a merge revision that revises every head",
        )
        .with_related(others.iter().map(|&n| cx.revises_location(n)).collect()),
    );
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
