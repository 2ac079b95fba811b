//! Two packages with migrations for one app label (an app and the fork a project or its tests
//! install instead, as django-oscar's `tests/_site/apps/catalogue`): Django installs one of
//! them, so only the first, in path order, is read, and the others are named in a warning.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Location, Rule, plural};
use crate::revision::Revision;

/// The directory a revision's file is in, as displayed.
fn directory(revision: &Revision) -> &str {
    revision.path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Drops the revisions of every directory but the first that holds an app's migrations, and
/// says which were left out.
pub(crate) fn keep_one_package(revisions: &mut Vec<Revision>) -> Vec<Diagnostic> {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    let mut dirs: Vec<&str> = revisions.iter().map(directory).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let mut by_dir: BTreeMap<&str, &str> = BTreeMap::new();
    for revision in revisions.iter() {
        if let Some((app, _)) = revision.id.as_str().split_once('.') {
            by_dir.insert(directory(revision), app);
        }
    }
    for dir in dirs {
        if let Some(app) = by_dir.get(dir) {
            first
                .entry((*app).to_owned())
                .or_insert_with(|| dir.to_owned());
        }
    }
    let mut left: BTreeMap<String, (String, usize)> = BTreeMap::new();
    revisions.retain(|revision| {
        let Some((app, _)) = revision.id.as_str().split_once('.') else {
            return true;
        };
        let dir = directory(revision);
        match first.get(app) {
            Some(kept) if kept != dir => {
                let entry = left
                    .entry(dir.to_owned())
                    .or_insert_with(|| (kept.clone(), 0));
                entry.1 += 1;
                false
            }
            _ => true,
        }
    });
    left.into_iter()
        .map(|(dir, (kept, count))| {
            Diagnostic::new(
                Rule::UnreadDirectory,
                Location::file(&dir),
                format!(
                    "{} in `{}` are not read: `{}` holds the same app's, and Django installs one of them",
                    plural(count, "migration"),
                    crate::escape::one_line(&dir),
                    crate::escape::one_line(&kept)
                ),
                "check the package the settings install with `--dir` naming it",
            )
        })
        .collect()
}
