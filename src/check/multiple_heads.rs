//! `multiple-heads`: more than one revision that nothing revises; names each and where they fork.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let heads = cx.graph.heads();
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
    fn disconnected_heads() {
        let found = findings(&[("1", &[]), ("2", &[])]);
        assert!(found.contains(&(
            Rule::MultipleHeads,
            "2 heads: `1` (`1_r0.sql`), `2` (`2_r1.sql`), with no common ancestor".to_owned()
        )));
    }
}
