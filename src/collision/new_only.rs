//! `check --base REF --new-only`: the findings this branch introduces. A finding the base
//! already had (the same rule, about the same file, saying the same thing) is left out, so
//! that a team can gate new work on day one and clean the old findings up later.

use std::collections::BTreeSet;
use std::path::Path;

use crate::collision::base_branch::Base;
use crate::collision::file_walk::TextFile;
use crate::collision::git::Git;
use crate::collision::references;
use crate::diagnostic::{Diagnostic, Kind, Rule};

/// What makes two findings the same across the branch and the base: line numbers move, and
/// the base's migrations are shown as `REF:dir/name`, so the file's name stands for the file.
type Key = (Rule, String, String);

fn key(diagnostic: &Diagnostic) -> Key {
    let file = diagnostic
        .path()
        .map(|p| p.rsplit(['/', ':']).next().unwrap_or(p).to_owned())
        .unwrap_or_default();
    (diagnostic.rule, file, diagnostic.message.clone())
}

/// `diagnostics` without the findings the base has too. Stale references in the repository's
/// files are looked for in those files as they are at the base.
pub(crate) fn new_findings(
    base: &Base,
    diagnostics: Vec<Diagnostic>,
    references: bool,
) -> Vec<Diagnostic> {
    let mut old: BTreeSet<Key> = base.project.diagnostics().iter().map(key).collect();
    if references && let Some(git) = Git::discover(Path::new(".")) {
        let migration_files: BTreeSet<&str> =
            base.project.sources.keys().map(String::as_str).collect();
        let paths: BTreeSet<&str> = diagnostics
            .iter()
            .filter(|d| d.rule == Rule::StaleReference)
            .filter_map(Diagnostic::path)
            .filter(|p| !migration_files.contains(p))
            .collect();
        let files: Vec<TextFile> = paths
            .into_iter()
            .filter_map(|path| {
                let bytes = git.show(&base.commit, path)?;
                Some(TextFile {
                    path: path.to_owned(),
                    full: path.into(),
                    bytes,
                })
            })
            .collect();
        let found = references::find(&base.project, &files);
        for (i, stale) in found.in_files {
            let file = &files[i];
            old.extend(
                references::diagnostics(&file.path, &file.bytes, stale)
                    .iter()
                    .map(key),
            );
        }
    }
    diagnostics
        .into_iter()
        .filter(|d| d.rule.kind() != Kind::Finding || !old.contains(&key(d)))
        .collect()
}
