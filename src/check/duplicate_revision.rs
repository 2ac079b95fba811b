//! `duplicate-revision`: two or more files share one revision number (`40` and `040` included).

use super::Context;
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::layout::Layout;
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (_, nodes) in cx.graph.duplicates() {
        let mut nodes = nodes.to_vec();
        nodes.sort_by(|&a, &b| cx.revisions[a].path.cmp(&cx.revisions[b].path));
        // The id as the first file writes it: the map's key may be any of the spellings.
        let id = &cx.revisions[nodes[0]].id;
        let files: Vec<&str> = nodes
            .iter()
            .map(|&n| cx.revisions[n].path.as_str())
            .collect();
        // Named as branches compare them: Django's with their app, diesel's with their directory.
        let names: Vec<String> = nodes
            .iter()
            .map(|&n| format!("`{}`", crate::escape::one_line(cx.revisions[n].file_name())))
            .collect();
        let help = match cx.revisions[nodes[0]].format {
            DirFormat::Sql => {
                "give each file its own number: renumber the one added last after the newest revision and point its `-- migrate:revises` at that revision".to_owned()
            }
            // Two files cannot share a module name in one package.
            DirFormat::Django => "give each migration its own name".to_owned(),
            DirFormat::Linear(layout) => format!(
                "give each file its own version: rename the one added last above the newest (`migrate rebase --onto <base>` does it); {}",
                duplicate_effect(layout)
            ),
            // Alembic itself only warns here, and silently drops one of the files.
            DirFormat::Alembic => {
                "give each revision its own id: renumber the one added last after the newest revision (its file name, `revision`, `down_revision` and docstring: `migrate rebase` does all four); Alembic would silently drop one of these files".to_owned()
            }
        };
        out.push(
            Diagnostic::new(
                Rule::DuplicateRevision,
                Location::file(files[0]),
                format!(
                    "revision `{id}` is defined by {} files: {}",
                    files.len(),
                    names.join(", ")
                ),
                help,
            )
            .with_related(files[1..].iter().map(|f| Location::file(f)).collect()),
        );
    }
}

/// What the tool itself does with two files of one version.
fn duplicate_effect(layout: Layout) -> &'static str {
    match layout {
        Layout::Goose => "goose refuses to run at all while two files share a version",
        Layout::GolangMigrate => "golang-migrate fails at run time on a duplicate version",
        Layout::Sqlx => "sqlx refuses to run while two files share a version",
        Layout::Dbmate => {
            "dbmate applies the first file, then fails on the second: its version is already recorded"
        }
        Layout::Flyway => "Flyway refuses to run while two files share a version",
        Layout::Refinery => "refinery refuses to run while two files share a version",
        Layout::Diesel => "diesel runs one of them and silently skips the other",
    }
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn names_every_file() {
        let found = findings(&[
            ("039", &[]),
            ("040", &["039"]),
            ("40", &["039"]),
            ("0040", &["039"]),
        ]);
        let dup: Vec<_> = found
            .iter()
            .filter(|(r, _)| *r == Rule::DuplicateRevision)
            .collect();
        assert_eq!(dup.len(), 1);
        assert_eq!(
            dup[0].1,
            "revision `0040` is defined by 3 files: `0040_r3.sql`, `040_r1.sql`, `40_r2.sql`"
        );
    }

    #[test]
    fn distinct_numbers_pass() {
        assert!(findings(&[("1", &[]), ("2", &["1"])]).is_empty());
    }
}
