//! One tree read from all its directories: several locations (`--dir` given again, `dirs`,
//! `version_locations`), their subdirectories when the tree is recursive, and a warning naming
//! the subdirectories with revisions that are not read.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{Loaded, is_candidate, load};
use crate::diagnostic::{Diagnostic, Location, Rule, plural};
use crate::revision::DirFormat;
use crate::{Error, relpath};

/// Reads every directory of the tree. The first decides the format when none is given.
pub(crate) fn load_all(
    dirs: &[PathBuf],
    recursive: bool,
    origin: &impl std::fmt::Display,
    format: Option<DirFormat>,
) -> Result<Loaded, Error> {
    let mut read: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        read.push(dir.clone());
        if recursive {
            read.extend(subdirectories(dir));
        }
    }
    let format = format.or_else(|| nested_format(dirs));
    let mut merged: Option<Loaded> = None;
    let mut unread_found = Vec::new();
    for dir in &read {
        let format = format.or(merged.as_ref().map(|m| m.format));
        let loaded = load(dir, &relpath::display(dir), origin, format)?;
        // Another tool's loader reads the subdirectories its tool reads, and no others.
        if !recursive && !matches!(loaded.format, DirFormat::Linear(_) | DirFormat::Django) {
            // The listing is in hand: only the subdirectories it found are walked.
            let subdirs: Vec<PathBuf> = loaded
                .others
                .iter()
                .flatten()
                .filter(|e| e.kind.is_dir() && e.name != "__pycache__")
                .map(|e| dir.join(&e.name))
                .collect();
            unread_found.extend(unread(dir, &subdirs, loaded.format, dirs.len() > 1));
        }
        merged = Some(match merged {
            None => loaded,
            Some(mut all) => {
                all.revisions.extend(loaded.revisions);
                all.diagnostics.extend(loaded.diagnostics);
                all.sources.extend(loaded.sources);
                // The scan lists directories itself when there are several.
                all.others = None;
                all
            }
        });
    }
    let mut loaded = merged.unwrap_or_default();
    if read.len() > 1 && loaded.format == DirFormat::Alembic {
        labels_across_directories(&mut loaded.revisions);
    }
    if loaded.format == DirFormat::Django {
        let apps = read.iter().map(|d| super::django::app_of(d)).collect();
        let forks = super::django::resolve(&mut loaded.revisions, &apps);
        loaded.diagnostics.extend(forks);
    }
    loaded.diagnostics.extend(unread_found);
    loaded.dirs = read;
    Ok(loaded)
}

/// `depends_on` (or a parent) may name a branch label that a revision of another directory of
/// the tree declares (`contract/` depending on `expand`): each directory resolved the labels it
/// holds, and what is left is resolved here, over the whole tree, as Alembic's one map does.
fn labels_across_directories(revisions: &mut [crate::revision::Revision]) {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<String> = revisions.iter().map(|r| r.id.as_str().to_owned()).collect();
    let labels: HashMap<String, crate::revision::RevisionId> = revisions
        .iter()
        .flat_map(|r| r.branch_labels.iter().map(|l| (l.clone(), r.id.clone())))
        .collect();
    if labels.is_empty() {
        return;
    }
    for revision in revisions.iter_mut() {
        let parents = match &mut revision.revises {
            crate::revision::Revises::Parents(parents) => parents.iter_mut().collect(),
            _ => Vec::new(),
        };
        for reference in parents.into_iter().chain(revision.depends_on.iter_mut()) {
            let named = reference.id.as_str();
            if !ids.contains(named)
                && let Some(id) = labels.get(named)
            {
                reference.id = id.clone();
            }
        }
    }
}

/// The format of a tree whose first directory holds no revision itself, judged from its
/// subdirectories: what `load` would decide for a directory of their files.
fn nested_format(dirs: &[PathBuf]) -> Option<DirFormat> {
    let first = dirs.first()?;
    let direct = |dir: &Path, format: DirFormat| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| is_candidate(format, &e.file_name().to_string_lossy()))
        })
    };
    if direct(first, DirFormat::Sql) || direct(first, DirFormat::Alembic) {
        return None;
    }
    let subdirs = subdirectories(first);
    if subdirs.iter().any(|d| direct(d, DirFormat::Sql)) {
        return None;
    }
    subdirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .any(|e| {
            is_candidate(DirFormat::Alembic, &e.file_name().to_string_lossy())
                && super::alembic::assigns_revision(&e.path())
        })
        .then_some(DirFormat::Alembic)
}

/// The subdirectories of `dir`, at every depth, but caches; links are not followed.
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.file_name() != "__pycache__")
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

/// One warning naming the subdirectories of `dir` that hold revision files the tree does not
/// read, and the setting that reads them.
fn unread(dir: &Path, top: &[PathBuf], format: DirFormat, several: bool) -> Option<Diagnostic> {
    let mut unread: Vec<(String, usize)> = Vec::new();
    let mut subdirs: Vec<PathBuf> = Vec::new();
    for sub in top {
        subdirs.push(sub.clone());
        subdirs.extend(subdirectories(sub));
    }
    subdirs.sort();
    for sub in subdirs {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        let count = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| is_candidate(format, &e.file_name().to_string_lossy()))
            .count();
        if count > 0 {
            let inside = sub.strip_prefix(dir).unwrap_or(&sub);
            unread.push((relpath::display(inside), count));
        }
    }
    let (first, _) = unread.first()?;
    let shown = relpath::display(dir);
    let files: usize = unread.iter().map(|(_, n)| n).sum();
    let mut named: Vec<String> = unread
        .iter()
        .take(4)
        .map(|(sub, n)| format!("`{sub}` ({n})"))
        .collect();
    if unread.len() > named.len() {
        named.push(format!("and {} more", unread.len() - named.len()));
    }
    let others = if several {
        " or list them in `dirs`"
    } else {
        ""
    };
    Some(Diagnostic::new(
        Rule::UnreadDirectory,
        Location::file(&relpath::join(&shown, first)),
        format!(
            "{} in {} of `{shown}` are not read: {}",
            plural(files, "revision file"),
            plural(unread.len(), "subdirectory"),
            named.join(", ")
        )
        .replace("subdirectorys", "subdirectories"),
        format!(
            "read them with `recursive = true` in migrate.toml or `--recursive` (Alembic: `recursive_version_locations = true`){others}"
        ),
    ))
}
