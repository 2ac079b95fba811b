//! `stale-parent`: a revision revises an older number while a newer one below it exists,
//! the mark of a renumber that did not update `-- migrate:revises` (`041` still revising `039`).
//!
//! A deliberate branch that a merge revision later joins is not stale: the newest revision below
//! counts as followed when it is an ancestor of the revision, or when both reach one merge.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::Revises;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (node, revision) in cx.revisions.iter().enumerate() {
        let Revises::Parents(parents) = &revision.revises else {
            continue;
        };
        // Missing and newer parents have rules of their own; judging the rest would only add
        // noise. Ids that are not numbers (Alembic's hex ids) have no order to judge.
        if !revision.id.is_number()
            || parents.iter().any(|p| {
                !p.id.is_number() || p.id >= revision.id || cx.graph.lookup(&p.id).is_empty()
            })
        {
            continue;
        }
        let Some(newest) = cx.newest_below(&revision.id) else {
            continue;
        };
        let newest_id = &cx.revisions[newest].id;
        if parents.iter().any(|p| &p.id == newest_id) {
            continue;
        }
        let followed = cx.graph.lookup(newest_id).iter().any(|&candidate| {
            matches!(cx.revisions[candidate].revises, Revises::Unknown)
                || cx.graph.is_ancestor(candidate, node)
                // The newer revision descends from this one: `parent-not-older` explains it.
                || cx.graph.is_ancestor(node, candidate)
                || !cx
                    .graph
                    .descendants(candidate)
                    .is_disjoint(&cx.graph.descendants(node))
        });
        if followed {
            continue;
        }
        let stale = parents
            .iter()
            .max_by(|a, b| a.id.cmp(&b.id))
            .expect("a parents list is never empty");
        let fix = if parents.len() == 1 {
            format!("`-- migrate:revises {newest_id}`")
        } else {
            format!("`{newest_id}` among its parents")
        };
        out.push(
            Diagnostic::new(
                Rule::StaleParent,
                cx.parent_location(node, stale),
                format!(
                    "`{}` revises `{}`, but `{newest_id}` is the newest revision below it",
                    revision.id, stale.id
                ),
                format!(
                    "if `{}` was renumbered, it should follow `{newest_id}`: write {fix}",
                    revision.id
                ),
            )
            .with_related(vec![cx.revises_location(newest)]),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    fn stale(found: &[(Rule, String)]) -> Vec<&str> {
        found
            .iter()
            .filter(|(r, _)| *r == Rule::StaleParent)
            .map(|(_, m)| m.as_str())
            .collect()
    }

    #[test]
    fn renumbered_without_updating_the_parent() {
        let found = findings(&[("039", &[]), ("040", &["039"]), ("041", &["039"])]);
        assert_eq!(
            stale(&found),
            ["`041` revises `039`, but `040` is the newest revision below it"]
        );
    }

    #[test]
    fn a_newer_number_among_the_descendants_is_left_to_parent_not_older() {
        let found = findings(&[("1", &[]), ("2", &["3"]), ("3", &["1"])]);
        assert!(stale(&found).is_empty(), "{found:?}");
    }

    #[test]
    fn gaps_in_numbering_are_fine() {
        assert!(findings(&[("010", &[]), ("020", &["010"]), ("035", &["020"])]).is_empty());
    }

    #[test]
    fn a_branch_joined_by_a_merge_is_not_stale() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &["1"]), ("4", &["2", "3"])]);
        assert!(stale(&found).is_empty(), "{found:?}");
    }

    #[test]
    fn merge_missing_the_newest() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &["1"]), ("4", &["1", "2"])]);
        assert_eq!(
            stale(&found),
            [
                "`3` revises `1`, but `2` is the newest revision below it",
                "`4` revises `2`, but `3` is the newest revision below it"
            ]
        );
    }
}
