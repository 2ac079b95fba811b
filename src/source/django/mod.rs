//! Django's migrations, read statically: each app's `migrations/` package is one directory of
//! the tree, each file a revision named `app.name`. A dependency within the app is a parent; one
//! on another app orders the graph without being a parent (as Alembic's `depends_on`), so each
//! app is its own branch, labelled with the app, and two leaves in one app are its two heads:
//! Django's "Conflicting migrations detected; multiple leaf nodes".

pub(crate) mod detect;
pub(crate) mod file;
mod forks;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Loaded, bounded, sql_file, unreadable};
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::revision::{DirFormat, ParentRef, Revises, Revision, RevisionId};
use file::Key;

/// Whether a file name is a module Django's loader imports as a migration: `.py`, not starting
/// with `_` or `~` (`__init__.py` included).
#[must_use]
pub(crate) fn is_candidate(name: &str) -> bool {
    name.strip_suffix(".py")
        .is_some_and(|stem| !stem.is_empty() && !stem.starts_with('_') && !stem.starts_with('~'))
}

/// The app a migrations directory belongs to: the package it sits in.
#[must_use]
pub(crate) fn app_of(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads the migrations directory `dir` of one app.
pub(crate) fn load(dir: &Path, display_dir: &str) -> Loaded {
    let app = configured_label(dir).unwrap_or_else(|| app_of(dir));
    let mut files: Vec<File> = Vec::new();
    let mut others = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .into_iter()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type();
        if !is_candidate(&name) || kind.is_dir() {
            others.push(super::Entry {
                name: entry.file_name().to_owned(),
                kind,
            });
            continue;
        }
        let shown = crate::relpath::join(display_dir, &name);
        let bytes = bounded::read_listed(entry.path(), kind);
        files.push((name, shown, bytes));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut loaded = build(&app, files);
    loaded.others = Some(others);
    loaded
}

/// Parses files whose bytes are in hand (a git ref, a planned rename), of every app, and
/// resolves the tree. Each file's app is the package its displayed path puts it in
/// (`REF:shop/migrations/0001_initial.py`).
#[must_use]
pub(crate) fn from_bytes(files: Vec<(String, String, Vec<u8>)>) -> Loaded {
    let mut by_app: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for (name, shown, bytes) in files {
        let name = name.rsplit('/').next().unwrap_or(&name).to_owned();
        if !is_candidate(&name) {
            continue;
        }
        let parts: Vec<&str> = shown.split(['/', ':']).collect();
        let app = parts
            .len()
            .checked_sub(3)
            .map_or_else(String::new, |i| parts[i].to_owned());
        by_app
            .entry(app)
            .or_default()
            .push((name, shown, Ok(bytes)));
    }
    let apps: BTreeSet<String> = by_app.keys().cloned().collect();
    let mut loaded = Loaded {
        format: DirFormat::Django,
        ..Loaded::default()
    };
    for (app, files) in by_app {
        let one = build(&app, files);
        loaded.revisions.extend(one.revisions);
        loaded.diagnostics.extend(one.diagnostics);
        loaded.sources.extend(one.sources);
    }
    let forks = resolve(&mut loaded.revisions, &apps);
    loaded.diagnostics.extend(forks);
    loaded
}

/// A file's name, displayed path, and bytes or why they could not be read.
type File = (String, String, Result<Vec<u8>, String>);

fn build(app: &str, files: Vec<File>) -> Loaded {
    let mut loaded = Loaded {
        format: DirFormat::Django,
        ..Loaded::default()
    };
    let mut parsed_files = Vec::new();
    for (name, shown, bytes) in files {
        if name.chars().any(char::is_control) || app.chars().any(char::is_control) {
            loaded.diagnostics.push(Diagnostic::new(
                Rule::InvalidFilename,
                Location::file(&shown),
                "the name (or the app's) holds control characters (a newline, an escape), which every report would have to show escaped",
                "rename it: Django imports modules by names without them",
            ));
            continue;
        }
        let decoded = match bytes {
            Ok(bytes) => sql_file::decode(&bytes).map_err(|problem| problem.at(&shown)),
            Err(why) => Err(unreadable(&shown, &why)),
        };
        let text = match decoded {
            Ok(text) => text,
            Err(diagnostic) => {
                loaded.diagnostics.push(diagnostic);
                continue;
            }
        };
        let (parsed, problems) = file::parse(&text);
        loaded
            .diagnostics
            .extend(problems.iter().map(|p| p.at(&shown)));
        if !problems.is_empty() {
            continue;
        }
        if !parsed.migration {
            loaded.diagnostics.push(Diagnostic::new(
                Rule::MalformedFile,
                Location::file(&shown),
                "no `class Migration`: Django's loader fails on a module of the migrations package without one",
                "define `class Migration(migrations.Migration)`, or rename the file to start with `_`",
            ));
            continue;
        }
        let stem = name.trim_end_matches(".py").to_owned();
        parsed_files.push((stem, shown, text, parsed));
    }
    let app = label(app, &parsed_files);
    for (stem, shown, text, parsed) in parsed_files {
        loaded
            .revisions
            .push(revision(&app, &stem, shown.clone(), &parsed));
        loaded.sources.insert(shown, text);
    }
    loaded
}

/// The app's label as its migrations name it: an app whose `AppConfig` sets `label`
/// (`wagtail.contrib.forms` is `wagtailforms`) names its own migrations by that label in their
/// `dependencies`. When they name this directory's migrations under one other app, that is the
/// label; else the package's name, Django's default.
fn label(package: &str, files: &[(String, String, String, file::Parsed)]) -> String {
    let stems: BTreeSet<&str> = files.iter().map(|(stem, ..)| stem.as_str()).collect();
    // Another app's `0001_initial` has a name this directory has too: the label is the app
    // that names the most of this directory's migrations.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (stem, .., parsed) in files {
        // No migration depends on itself: `('auth', '0001_initial')` in `0001_initial.py` is
        // another app's.
        for key in parsed.dependencies.iter().filter(|k| k.name != *stem) {
            if stems.contains(key.name.as_str()) {
                *counts.entry(key.app.as_str()).or_default() += 1;
            }
        }
    }
    let most = counts.values().copied().max().unwrap_or(0);
    let leaders: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| **n == most)
        .map(|(app, _)| *app)
        .collect();
    match leaders.as_slice() {
        [one] if most > 0 => (*one).to_owned(),
        _ => package.to_owned(),
    }
}

/// The `label` an `AppConfig` in the app's `apps.py` sets, read as a string literal.
fn configured_label(dir: &Path) -> Option<String> {
    let text =
        bounded::read_to_string(&dir.parent()?.join("apps.py"), bounded::CONFIG_LIMIT).ok()?;
    text.lines().find_map(|line| {
        let rest = line
            .trim_start()
            .strip_prefix("label")?
            .trim_start()
            .strip_prefix('=')?;
        let value = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| value.to_owned())
    })
}

fn reference(key: &Key) -> ParentRef {
    ParentRef {
        id: RevisionId::name(&format!("{}.{}", key.app, key.name)),
        line: key.line,
        column: key.column,
    }
}

fn revision(app: &str, name: &str, path: String, parsed: &file::Parsed) -> Revision {
    let (own, other): (Vec<&Key>, Vec<&Key>) =
        parsed.dependencies.iter().partition(|k| k.app == app);
    let revises = if own.is_empty() {
        Revises::Root
    } else {
        Revises::Parents(own.iter().map(|k| reference(k)).collect())
    };
    Revision {
        id: RevisionId::name(&format!("{app}.{name}")),
        format: DirFormat::Django,
        slug: name.to_owned(),
        path,
        revises_line: parsed.dependencies.first().map(|k| k.line),
        revises,
        depends_on: other.iter().map(|k| reference(k)).collect(),
        // Carried until the tree is resolved: `run_before` and `replaces` name other files.
        branch_labels: parsed
            .run_before
            .iter()
            .map(|k| format!("run_before:{}.{}", k.app, k.name))
            .chain(
                parsed
                    .replaces
                    .iter()
                    .map(|k| format!("replaces:{}.{}", k.app, k.name)),
            )
            .collect(),
        unreadable_labels: false,
        shown_labels: Vec::new(),
        description: Vec::new(),
        up: None,
        down: None,
    }
}

/// Resolves what names other files, over the whole tree: `__first__` and `__latest__`, a
/// squashed migration in place of the ones it replaces (when they are all there, as Django
/// does), `run_before`, and dependencies on apps the tree does not hold (Django's own apps,
/// packages), which cannot be checked and are left out. Each app's first migrations then carry
/// the app as their branch label.
/// `apps` are the apps whose migrations directories were read, revisions or not: a dependency
/// on one of their migrations is checked, one on any other app cannot be.
pub(crate) fn resolve(revisions: &mut Vec<Revision>, apps: &BTreeSet<String>) -> Vec<Diagnostic> {
    let forks = forks::keep_one_package(revisions);
    let mut run_before: Vec<(String, ParentRef)> = Vec::new();
    let mut replaced: BTreeMap<String, String> = BTreeMap::new();
    let ids: BTreeSet<String> = revisions.iter().map(|r| r.id.as_str().to_owned()).collect();
    for revision in revisions.iter_mut() {
        for label in std::mem::take(&mut revision.branch_labels) {
            if let Some(target) = label.strip_prefix("run_before:") {
                run_before.push((
                    target.to_owned(),
                    ParentRef {
                        id: revision.id.clone(),
                        line: revision.revises_line.unwrap_or(1),
                        column: 1,
                    },
                ));
            } else if let Some(old) = label.strip_prefix("replaces:") {
                replaced.insert(old.to_owned(), revision.id.as_str().to_owned());
            }
        }
    }
    // A squash stands in for what it replaces only when every replaced file is there.
    let squashes: BTreeSet<&String> = replaced.values().collect();
    let complete: BTreeSet<String> = squashes
        .into_iter()
        .filter(|squash| {
            replaced
                .iter()
                .filter(|(_, s)| s == squash)
                .all(|(old, _)| ids.contains(old))
        })
        .cloned()
        .collect();
    replaced.retain(|_, squash| complete.contains(squash));
    revisions.retain(|r| !replaced.contains_key(r.id.as_str()));
    let mut apps = apps.clone();
    apps.extend(revisions.iter().filter_map(|r| app(r).map(str::to_owned)));
    let firsts = ends(revisions, true);
    let latests = ends(revisions, false);
    let redirect = |reference: &mut ParentRef| {
        let text = reference.id.as_str().to_owned();
        let target = if let Some(app) = text.strip_suffix(".__first__") {
            firsts.get(app).cloned()
        } else if let Some(app) = text.strip_suffix(".__latest__") {
            latests.get(app).cloned()
        } else {
            replaced.get(&text).cloned()
        };
        if let Some(target) = target {
            reference.id = RevisionId::name(&target);
        }
    };
    for revision in revisions.iter_mut() {
        if let Revises::Parents(parents) = &mut revision.revises {
            parents.iter_mut().for_each(redirect);
        }
        revision.depends_on.iter_mut().for_each(redirect);
        revision.depends_on.retain(|d| {
            d.id.as_str()
                .split_once('.')
                .is_some_and(|(app, _)| apps.contains(app))
        });
    }
    for (target, reference) in run_before {
        if let Some(revision) = revisions.iter_mut().find(|r| r.id.as_str() == target) {
            revision.depends_on.push(reference);
        }
    }
    for revision in revisions.iter_mut() {
        if matches!(revision.revises, Revises::Root)
            && let Some(app) = app(revision)
        {
            revision.branch_labels = vec![app.to_owned()];
        }
    }
    forks
}

/// The app of a revision, from its id.
fn app(revision: &Revision) -> Option<&str> {
    revision.id.as_str().split_once('.').map(|(app, _)| app)
}

/// Each app's first migration (`first`) or newest leaf, by name, as `__first__` and
/// `__latest__` name them.
fn ends(revisions: &[Revision], first: bool) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for revision in revisions {
        let Some(app) = app(revision) else { continue };
        let id = revision.id.as_str().to_owned();
        let slot = found.entry(app.to_owned()).or_insert_with(|| id.clone());
        if (first && id < *slot) || (!first && id > *slot) {
            *slot = id;
        }
    }
    found
}
