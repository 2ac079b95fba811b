//! `duplicate-revision`: two or more files share one revision number (`40` and `040` included).

use super::Context;
use crate::diagnostic::{Diagnostic, Location, Rule};
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
        let names: Vec<String> = files
            .iter()
            .map(|f| format!("`{}`", f.rsplit('/').next().unwrap_or(f)))
            .collect();
        let help = match cx.revisions[nodes[0]].format {
            DirFormat::Sql => {
                "give each file its own number: renumber the one added last after the newest revision and point its `-- migrate:revises` at that revision"
            }
            // Alembic itself only warns here, and silently drops one of the files.
            DirFormat::Alembic => {
                "give each revision its own id: renumber the one added last after the newest revision (its file name, `revision`, `down_revision` and docstring: `migrate rebase` does all four); Alembic would silently drop one of these files"
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
