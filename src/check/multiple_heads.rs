//! `multiple-heads`: more than one revision that nothing revises on one branch (Alembic's
//! `branch_labels`), or heads other than those `heads` in migrate.toml declares.

use std::collections::BTreeMap;

use super::Context;
use crate::branches::{self, Branch};
use crate::diagnostic::{Diagnostic, Rule, plural};
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Another tool's line forks only where two files share a version: `duplicate-revision`
    // says so, in that tool's terms.
    if cx
        .revisions
        .iter()
        .any(|r| matches!(r.format, DirFormat::Linear(_)))
    {
        return;
    }
    // A head cut off by a missing parent is `dangling-parent`'s finding; counting it here too
    // would report one mistake twice.
    let heads: Vec<usize> = cx
        .graph
        .heads()
        .into_iter()
        .filter(|&head| !descends_from_dangling(cx, head))
        .collect();
    if heads.len() < 2 {
        return;
    }
    if let Some(declared) = cx.declared_heads {
        let unexpected = undeclared(cx, &heads, declared);
        if !unexpected.is_empty() {
            report(
                cx,
                &unexpected,
                "not declared in `heads` of migrate.toml",
                out,
            );
        }
        return;
    }
    // Alembic's rule: `branch@head` must name one revision. The unlabelled part of the tree
    // is one branch too.
    let mut by_branch: BTreeMap<Option<Branch<'_>>, Vec<usize>> = BTreeMap::new();
    for &head in &heads {
        by_branch
            .entry(branches::branch_of(cx.revisions, cx.graph, head))
            .or_default()
            .push(head);
    }
    for (branch, heads) in by_branch {
        if heads.len() > 1 {
            let on = match branch {
                Some(Branch::Labels(labels))
                    if heads
                        .iter()
                        .all(|&h| cx.revisions[h].format == DirFormat::Django) =>
                {
                    format!(
                        "in app `{}` (Django: multiple leaf nodes)",
                        labels.join(", ")
                    )
                }
                Some(Branch::Labels(labels)) => format!("on branch `{}`", labels.join(", ")),
                Some(Branch::Unread(start)) => {
                    format!("on the branch that `{}` starts", cx.revisions[start].id)
                }
                None => String::new(),
            };
            report(cx, &heads, &on, out);
        }
    }
}

/// The heads that no entry of `heads` in migrate.toml names, each entry naming one head at
/// most: by id, by branch label, or, for a branch whose labels cannot be read, by any name
/// that is neither an id nor a label of the tree.
fn undeclared(cx: &Context<'_>, heads: &[usize], declared: &[String]) -> Vec<usize> {
    let mut used = vec![false; declared.len()];
    let mut unmatched = Vec::new();
    for &head in heads {
        let revision = &cx.revisions[head];
        let labels = match branches::branch_of(cx.revisions, cx.graph, head) {
            Some(Branch::Labels(labels)) => labels,
            _ => &[],
        };
        let entry = declared.iter().enumerate().position(|(i, name)| {
            !used[i] && (name == revision.id.as_str() || labels.contains(name))
        });
        match entry {
            Some(i) => used[i] = true,
            None => unmatched.push(head),
        }
    }
    let known = |name: &str| {
        cx.revisions
            .iter()
            .any(|r| r.id.as_str() == name || r.branch_labels.iter().any(|l| l == name))
    };
    unmatched.retain(|&head| {
        let unread = branches::partly_unread(cx.revisions, cx.graph, head);
        let entry = declared
            .iter()
            .enumerate()
            .position(|(i, name)| unread && !used[i] && !known(name));
        match entry {
            Some(i) => {
                used[i] = true;
                false
            }
            None => true,
        }
    });
    unmatched
}

fn report(cx: &Context<'_>, heads: &[usize], on: &str, out: &mut Vec<Diagnostic>) {
    let Some((&newest, others)) = heads.split_last() else {
        return;
    };
    let help = match cx.revisions[newest].format {
        DirFormat::Django => {
            "add a merge migration that depends on both (`migrate merge` writes it, as `python manage.py makemigrations --merge` does), or make one depend on the other"
        }
        DirFormat::Sql | DirFormat::Linear(_) => {
            "make one branch follow the other: renumber its revisions after the other head and point its first `-- migrate:revises` at that head, or add a merge revision (`migrate merge`)"
        }
        DirFormat::Alembic => {
            "make one branch follow the other: point its first `down_revision` at the other head (`migrate rebase` does it), or add a merge revision (`migrate merge`, as `alembic merge heads`)"
        }
    };
    let fork = match cx.graph.newest_common_ancestor(heads) {
        Some(fork) => format!("forking from `{}`", cx.revisions[fork].id),
        None => "with no common ancestor".to_owned(),
    };
    let count = plural(heads.len(), "head");
    let on = if on.is_empty() {
        String::new()
    } else {
        format!(" {on}")
    };
    out.push(
        Diagnostic::new(
            Rule::MultipleHeads,
            cx.revises_location(newest),
            format!("{count}{on}: {}, {fork}", cx.list(heads)),
            help,
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
    fn the_fork_is_the_nearest_common_ancestor_whatever_the_ids_sort_as() {
        // As hex ids in Alembic trees do: the fork `5` sorts below its own parent `9`.
        let found = findings(&[("9", &[]), ("5", &["9"]), ("6", &["5"]), ("7", &["5"])]);
        let message = found
            .iter()
            .find(|(r, _)| *r == Rule::MultipleHeads)
            .map(|(_, m)| m.as_str())
            .unwrap_or_default();
        assert!(message.ends_with("forking from `5`"), "{found:?}");
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
