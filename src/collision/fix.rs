//! `check --fix`: the repairs that need no choice. Stale `Revision ID:` and `Revises:` prose and
//! docstrings, stale references in the repository's files, and the head file are rewritten with
//! the same edits `rebase` makes; nothing is renumbered or renamed, and a revision that has
//! shipped is never rewritten: a database compares its bytes with what it recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Error;
use crate::collision::atomic::{Confined, write_atomically};
use crate::collision::file_walk::TextFile;
use crate::collision::head_file::{self, Content, HeadFile};
use crate::collision::references;
use crate::collision::shipped::Shipped;
use crate::diagnostic::Diagnostic;
use crate::escape;
use crate::output::{Change, Progress};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::Settings;
use crate::source::alembic::file as alembic_file;

/// What `--fix` did to one tree: each change with the real path it went to, or the refusal that
/// kept it from writing any.
pub(crate) type Fixed = Result<Vec<(PathBuf, Change)>, Box<Diagnostic>>;

/// Repairs one tree, or under `dry_run` only says what it would change. Every path is
/// resolved before anything is written: one that leads out of the repository refuses them all.
pub(crate) fn run(
    settings: &Settings,
    project: &Project,
    shipped: &Shipped,
    (files, found): (&[&TextFile], references::Found),
    dry_run: bool,
    progress: &mut Progress,
) -> Result<Fixed, Error> {
    let mut texts: BTreeMap<usize, String> = BTreeMap::new();
    let source = |node: usize| {
        project
            .sources
            .get(&project.revisions[node].path)
            .cloned()
            .unwrap_or_default()
    };
    for (node, stale) in found.in_migrations {
        texts.insert(node, references::apply(&source(node), &stale));
    }
    for (node, revision) in project.revisions.iter().enumerate() {
        if revision.format != DirFormat::Alembic {
            continue;
        }
        let text = texts.get(&node).cloned().unwrap_or_else(|| source(node));
        if let Some(fixed) = alembic_file::fix_docstring(&text) {
            texts.insert(node, fixed);
        }
    }
    texts.retain(|&node, after| {
        let revision = &project.revisions[node];
        let Some(place) = shipped.place(revision) else {
            return true;
        };
        if *after != source(node) {
            progress.warn(&format!(
                "`{}` has shipped ({place}), so `--fix` leaves it as it is",
                revision.path
            ));
        }
        false
    });
    let mut changes: Vec<(PathBuf, Change)> = Vec::new();
    for (node, after) in texts {
        let revision = &project.revisions[node];
        let before = source(node);
        if after != before {
            changes.push(change(
                &revision.path,
                PathBuf::from(&revision.path),
                before,
                after,
            ));
        }
    }
    for (i, stale) in found.in_files {
        let file = files[i];
        // A file that is not UTF-8 would be written back with its other bytes replaced.
        let Ok(before) = String::from_utf8(file.bytes.clone()) else {
            progress.warn(&format!(
                "`{}` is not UTF-8, so `--fix` leaves its stale references for you to edit",
                escape::one_line(&file.path)
            ));
            continue;
        };
        let after = references::apply(&before, &stale);
        changes.push(change(&file.path, file.full.clone(), before, after));
    }
    changes.extend(head_file_fix(settings, project)?);
    changes.sort_by(|a, b| a.1.from.cmp(&b.1.from));
    let confined = Confined::here()?;
    let mut targets = Vec::with_capacity(changes.len());
    for (full, change) in &changes {
        match confined.resolve(full, &change.to) {
            Ok(real) => targets.push(real),
            Err(refusal) => return Ok(Err(refusal)),
        }
    }
    if !dry_run {
        for (real, (_, change)) in targets.iter().zip(&changes) {
            write_atomically(real, &change.after, &change.to)?;
        }
    }
    Ok(Ok(targets
        .into_iter()
        .zip(changes.into_iter().map(|(_, change)| change))
        .collect()))
}

fn change(shown: &str, full: PathBuf, before: String, after: String) -> (PathBuf, Change) {
    let change = Change {
        from: shown.to_owned(),
        to: shown.to_owned(),
        existed: true,
        before,
        after,
    };
    (full, change)
}

/// The head file rewritten to name the one head, when it is enabled and names another. A
/// file with conflict markers is left to `rebase`, which decides which side moves.
fn head_file_fix(
    settings: &Settings,
    project: &Project,
) -> Result<Option<(PathBuf, Change)>, Error> {
    let head_file = HeadFile::load(settings)?;
    if !head_file.enabled || matches!(head_file.content, Content::Conflict { .. }) {
        return Ok(None);
    }
    let [head] = project.graph.heads()[..] else {
        return Ok(None);
    };
    let after = format!("{}\n", head_file::line(&project.revisions[head]));
    let path = settings.dir.join(head_file::NAME);
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    if before == after {
        return Ok(None);
    }
    let mut fix = change(&head_file.path, path, before.clone(), after);
    fix.1.existed = !before.is_empty() || head_file.content != Content::Missing;
    Ok(Some(fix))
}
