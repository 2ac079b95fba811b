//! `multiple-roots`: more than one revision declares `-- migrate:revises none`, and no merge
//! joins them. Roots that merges join into one history are valid, as Alembic upgrades them
//! (two projects joined into one); roots that stay apart are two histories in one directory.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Another tool's line has two roots only where its first version is written twice:
    // `duplicate-revision` says so.
    if cx
        .revisions
        .iter()
        .any(|r| matches!(r.format, DirFormat::Linear(_)))
    {
        return;
    }
    let roots = cx.graph.roots();
    let Some((&newest, others)) = roots.split_last() else {
        return;
    };
    // Alembic's separate bases each start a branch named by `branch_labels`: intended.
    let mut labels: Vec<&String> = roots
        .iter()
        .flat_map(|&n| cx.revisions[n].branch_labels.iter())
        .collect();
    let labeled = roots
        .iter()
        .all(|&n| !cx.revisions[n].branch_labels.is_empty());
    labels.sort();
    let distinct = labels.windows(2).all(|pair| pair[0] != pair[1]);
    if others.is_empty() || (labeled && distinct) || joined(cx, &roots) {
        return;
    }
    let none = match cx.revisions[newest].format {
        DirFormat::Sql | DirFormat::Linear(_) => "`-- migrate:revises none`",
        DirFormat::Django => "no dependency within its app",
        DirFormat::Alembic => "`down_revision = None` (or give each base its own `branch_labels`)",
    };
    out.push(
        Diagnostic::new(
            Rule::MultipleRoots,
            cx.revises_location(newest),
            format!("{} roots: {}", roots.len(), cx.list(&roots)),
            format!(
                "only the first revision may declare {none}; point `{}` at its real parent",
                cx.revisions[newest].id
            ),
        )
        .with_related(others.iter().map(|&n| cx.revises_location(n)).collect()),
    );
}

/// Whether every root shares a descendant with another, transitively: one history.
fn joined(cx: &Context<'_>, roots: &[usize]) -> bool {
    let reach: Vec<std::collections::BTreeSet<usize>> = roots
        .iter()
        .map(|&root| {
            let mut set = cx.graph.descendants(root);
            set.insert(root);
            set
        })
        .collect();
    let mut reached = vec![false; roots.len()];
    reached[0] = true;
    let mut grew = true;
    while grew {
        grew = false;
        for i in 0..roots.len() {
            if !reached[i]
                && (0..roots.len()).any(|j| reached[j] && !reach[i].is_disjoint(&reach[j]))
            {
                reached[i] = true;
                grew = true;
            }
        }
    }
    reached.iter().all(|&r| r)
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn two_roots_that_stay_apart() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &[]), ("4", &["3"])]);
        assert!(
            found.contains(&(
                Rule::MultipleRoots,
                "2 roots: `1` (`1_r0.sql`), `3` (`3_r2.sql`)".to_owned()
            )),
            "{found:?}"
        );
    }

    #[test]
    fn roots_a_merge_joins_are_one_history() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &[]), ("4", &["2", "3"])]);
        assert!(
            found.iter().all(|(rule, _)| *rule != Rule::MultipleRoots),
            "{found:?}"
        );
        // Three roots, two joined and one apart: still two histories.
        let found = findings(&[("1", &[]), ("2", &[]), ("3", &["1", "2"]), ("4", &[])]);
        assert!(
            found.iter().any(|(rule, _)| *rule == Rule::MultipleRoots),
            "{found:?}"
        );
    }
}
