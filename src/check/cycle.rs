//! `cycle`: revisions that revise each other in a loop, so no order can apply them.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for members in cx.graph.cycles() {
        let Some((&newest, others)) = members.split_last() else {
            continue;
        };
        let message = if others.is_empty() {
            format!("`{}` revises itself", cx.revisions[newest].id)
        } else {
            let ids: Vec<String> = members
                .iter()
                .map(|&n| format!("`{}`", cx.revisions[n].id))
                .collect();
            format!("revisions {} revise each other in a cycle", ids.join(", "))
        };
        out.push(
            Diagnostic::new(
                Rule::Cycle,
                cx.revises_location(newest),
                message,
                format!("a revision must revise an older one; fix the `-- migrate:revises` line of `{}`", cx.revisions[newest].id),
            )
            .with_related(others.iter().map(|&n| cx.revises_location(n)).collect()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn loops_and_self_loops() {
        let found = findings(&[("1", &[]), ("2", &["3"]), ("3", &["2"]), ("4", &["4"])]);
        let cycles: Vec<_> = found
            .iter()
            .filter(|(r, _)| *r == Rule::Cycle)
            .map(|(_, m)| m.as_str())
            .collect();
        assert_eq!(
            cycles,
            [
                "revisions `2`, `3` revise each other in a cycle",
                "`4` revises itself"
            ]
        );
    }
}
