//! `parent-not-older`: a revision revises a higher number, which a renumber in the wrong direction leaves.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::Revises;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (node, revision) in cx.revisions.iter().enumerate() {
        let Revises::Parents(parents) = &revision.revises else {
            continue;
        };
        for parent in parents.iter().filter(|p| {
            revision.id.is_number()
                && p.id.is_number()
                && p.id > revision.id
                && !cx.graph.lookup(&p.id).is_empty()
        }) {
            out.push(Diagnostic::new(
                Rule::ParentNotOlder,
                cx.parent_location(node, parent),
                format!("`{}` revises `{}`, a newer revision", revision.id, parent.id),
                "a revision revises an older one: renumber this file after its parent, or fix its `-- migrate:revises`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn parent_with_a_higher_number() {
        let found = findings(&[("1", &[]), ("3", &["1"]), ("2", &["3"])]);
        assert!(
            found.contains(&(
                Rule::ParentNotOlder,
                "`2` revises `3`, a newer revision".to_owned()
            )),
            "{found:?}"
        );
    }

    #[test]
    fn older_parent_passes() {
        assert!(findings(&[("1", &[]), ("2", &["1"])]).is_empty());
    }
}
