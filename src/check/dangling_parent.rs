//! `dangling-parent`: `-- migrate:revises` names a revision that no file defines.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::Revises;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (node, revision) in cx.revisions.iter().enumerate() {
        let Revises::Parents(parents) = &revision.revises else {
            continue;
        };
        for parent in parents.iter().filter(|p| cx.graph.lookup(&p.id).is_empty()) {
            let help = match cx.newest_below(&revision.id) {
                Some(newest) => format!(
                    "point it at an existing revision; the newest below `{}` is `{}`",
                    revision.id, cx.revisions[newest].id
                ),
                None => "point it at an existing revision, or write `none` if this is the first revision".to_owned(),
            };
            out.push(Diagnostic::new(
                Rule::DanglingParent,
                cx.parent_location(node, parent),
                format!(
                    "`{}` revises `{}`, which does not exist",
                    revision.id, parent.id
                ),
                help,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn missing_parent() {
        let found = findings(&[("001", &[]), ("002", &["001"]), ("003", &["009"])]);
        assert!(found.contains(&(
            Rule::DanglingParent,
            "`003` revises `009`, which does not exist".to_owned()
        )));
    }

    #[test]
    fn existing_parent_in_another_width() {
        let found = findings(&[("001", &[]), ("002", &["1"])]);
        assert!(found.iter().all(|(r, _)| *r != Rule::DanglingParent));
    }
}
