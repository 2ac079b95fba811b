//! `dangling-parent`: `-- migrate:revises` (or Alembic's `down_revision` or `depends_on`) names a
//! revision that no file defines. Alembic itself crashes with a `KeyError` on such a tree.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::{DirFormat, Revises};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (node, revision) in cx.revisions.iter().enumerate() {
        let parents = match &revision.revises {
            Revises::Parents(parents) => parents.as_slice(),
            Revises::Root | Revises::Unknown => &[],
        };
        let none = match revision.format {
            DirFormat::Sql | DirFormat::Linear(_) => "write `none`",
            DirFormat::Django => "remove the dependency",
            DirFormat::Alembic => "set `down_revision = None`",
        };
        let missing = parents
            .iter()
            .map(|p| (p, "revises"))
            .chain(revision.depends_on.iter().map(|d| (d, "depends on")))
            .filter(|(p, _)| cx.graph.lookup(&p.id).is_empty());
        for (parent, verb) in missing {
            let help = match cx.newest_below(&revision.id) {
                Some(newest) if revision.id.is_number() => format!(
                    "point it at an existing revision; the newest below `{}` is `{}`",
                    revision.id, cx.revisions[newest].id
                ),
                _ if verb == "depends on" => {
                    "point it at an existing revision or branch label, or remove it".to_owned()
                }
                _ => format!(
                    "point it at an existing revision, or {none} if this is the first revision"
                ),
            };
            out.push(Diagnostic::new(
                Rule::DanglingParent,
                cx.parent_location(node, parent),
                format!(
                    "`{}` {verb} `{}`, which does not exist",
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
