//! Every migration tree in a repository, found with the one walker: native `.sql` trees, and
//! Alembic script directories named by an `alembic.ini` or `[tool.alembic]` anywhere, or found
//! as an `env.py` beside a `versions/` directory (Flask-Migrate, a package's own migrations).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::alembic::config::{self, Found};
use super::{alembic, bounded, django, filename, linear};
use crate::layout::Layout;
use crate::revision::DirFormat;
use crate::source::origin::Origin;
use crate::walker::{self, Exclude};
use crate::{Error, relpath};

/// One tree: its directories, the first where new revisions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tree {
    pub dirs: Vec<PathBuf>,
    pub recursive: bool,
    pub format: Option<DirFormat>,
    pub origin: Origin,
}

impl Tree {
    /// The first directory as output shows it.
    #[must_use]
    pub(crate) fn shown(&self) -> String {
        relpath::display(&self.dirs[0])
    }
}

/// The marker every native revision carries near its top.
const NATIVE_MARKER: &[u8] = b"-- migrate:";

/// Every tree under `root`, in path order; one directory is never two trees.
pub(crate) fn trees(root: &Path, exclude: &Exclude) -> Result<(Vec<Tree>, Vec<String>), Error> {
    let mut found: Vec<Tree> = Vec::new();
    // A configuration file found on the way (a template, a file for another tool) is no
    // reason to check nothing: it is named as a warning, and the other rules go on.
    let mut warnings: Vec<String> = Vec::new();
    let mut sql_dirs: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    // Every Django app's migrations are one tree: apps depend on each other's migrations.
    let mut django_dirs: Vec<PathBuf> = Vec::new();
    let mut django_found = false;
    for entry in walker::walk(root, exclude, Vec::new())? {
        let entry = match entry {
            Ok(entry) => entry,
            // A directory that cannot be listed could hold a tree: saying nothing would be
            // choosing for the user.
            Err(e) => {
                return Err(Error::Usage(format!(
                    "while looking for migration trees: {e}; name the tree with `--dir`, or add the path to `exclude` in migrate.toml"
                )));
            }
        };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && name == "alembic.ini" {
            match config::from_ini(path) {
                Ok(configured) => {
                    for tree in configured {
                        found.extend(existing(
                            alembic_trees(tree, detected(path)),
                            path,
                            &mut warnings,
                        ));
                    }
                }
                Err(e) => warnings.push(unread(path, &e)),
            }
        } else if is_file && name == "pyproject.toml" {
            match config::from_pyproject(path) {
                Ok(Some(tree)) => {
                    found.extend(existing(
                        alembic_trees(tree, detected(path)),
                        path,
                        &mut warnings,
                    ));
                }
                Ok(None) => {}
                Err(e) => warnings.push(unread(path, &e)),
            }
        } else if is_dir && name == "migrations" && path.join("__init__.py").is_file() {
            // An app without migrations yet is still one a dependency can name; a package of
            // helpers named `migrations` (`wagtail.blocks.migrations`) is no app's.
            if django::detect::is_migrations_package(path) {
                django_found = true;
                django_dirs.push(path.to_path_buf());
            } else if django::detect::is_empty_package(path) {
                django_dirs.push(path.to_path_buf());
            }
        } else if is_dir && name == "versions" {
            let script = path.parent().unwrap_or(root);
            if script.join("env.py").is_file() {
                found.extend(script_directory(path));
            }
        } else if is_file
            && (filename::is_candidate(&name) || linear::detect::numbered_go(&name))
            && let Some(dir) = path.parent()
        {
            sql_dirs
                .entry(dir.to_path_buf())
                .or_insert_with(|| path.to_path_buf());
        }
    }
    found.extend(sql_trees(sql_dirs, root));
    if django_found {
        django_dirs.sort();
        found.push(Tree {
            origin: Origin::Detected(format!(
                "found {} Django apps' `migrations/` packages, from `{}`",
                django_dirs.len(),
                relpath::display(&django_dirs[0])
            )),
            dirs: django_dirs,
            recursive: false,
            format: Some(DirFormat::Django),
        });
    }
    // A configuration file and its `env.py` both find one script directory: the first wins,
    // and a configuration file comes first.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    found.sort_by_key(|t| matches!(t.origin, Origin::Detected(_)));
    let mut seen = Vec::new();
    found.retain(|tree| {
        let key: Vec<PathBuf> = tree.dirs.iter().map(|d| canonical(d)).collect();
        let overlaps = seen
            .iter()
            .any(|s: &Vec<PathBuf>| s.iter().any(|d| key.contains(d)));
        seen.push(key);
        !overlaps
    });
    found.sort_by(|a, b| a.dirs.cmp(&b.dirs));
    Ok((found, warnings))
}

/// The trees of the directories holding `.sql` files (each with its first file): migrate's own,
/// and other tools'.
fn sql_trees(sql_dirs: BTreeMap<PathBuf, PathBuf>, root: &Path) -> Vec<Tree> {
    let mut found = Vec::new();
    let mut linear: BTreeMap<PathBuf, Layout> = BTreeMap::new();
    for (dir, first) in sql_dirs {
        if linear::detect::is_diesel_migration(&dir)
            && let Some(parent) = dir.parent()
        {
            linear.insert(parent.to_path_buf(), Layout::Diesel);
        } else if let Some(layout) = linear::detect::layout_of(&dir, root) {
            // Flyway and refinery read their directory's subdirectories: the tree is the
            // directory named for migrations above a nested one (`migrations/v2/`).
            let top = if layout.recursive() {
                dir.ancestors()
                    .take_while(|a| a.starts_with(root) && *a != root)
                    .find(|a| {
                        a.file_name()
                            .is_some_and(|n| n == "migrations" || n == "migration")
                    })
                    .map_or_else(|| dir.clone(), Path::to_path_buf)
            } else {
                dir.clone()
            };
            linear.entry(top).or_insert(layout);
        } else if starts_with_marker(&first) {
            found.push(Tree {
                dirs: vec![dir.clone()],
                recursive: false,
                format: Some(DirFormat::Sql),
                origin: Origin::Detected(format!(
                    "found `{}` holding migrate's `.sql` revisions",
                    relpath::display(&dir)
                )),
            });
        }
    }
    found.extend(linear_trees(&linear));
    found
}

/// The trees of other tools, but a directory inside a tree its tool reads recursively (Flyway's
/// `db/migration/v2/`), which is part of that tree.
fn linear_trees(found: &BTreeMap<PathBuf, Layout>) -> Vec<Tree> {
    let inside = |dir: &Path| {
        found.iter().any(|(other, layout)| {
            other != dir && dir.starts_with(other) && (layout.recursive() || layout.directories())
        })
    };
    found
        .iter()
        .filter(|(dir, _)| !inside(dir))
        .map(|(dir, &layout)| Tree {
            dirs: vec![dir.clone()],
            recursive: false,
            format: Some(DirFormat::Linear(layout)),
            origin: Origin::Detected(format!(
                "found `{}` holding {layout} migrations",
                relpath::display(dir)
            )),
        })
        .collect()
}

/// The warning for a configuration file discovery could not read.
fn unread(path: &Path, error: &Error) -> String {
    let mut why = error.to_string();
    if let Some(cause) = std::error::Error::source(error) {
        why = format!(
            "{why}: {}",
            cause.to_string().lines().next().unwrap_or_default()
        );
    }
    format!(
        "{why}; discovery goes on without `{}` (name the tree with `--dir` if it is the one)",
        relpath::display(path)
    )
}

/// The trees a configuration file names whose directories exist; each other one is a warning
/// (a `script_location` the application fills in, `{alembic_dir}`), and the `env.py` beside
/// `versions/` rule finds the real tree.
fn existing(trees: Vec<Tree>, config: &Path, warnings: &mut Vec<String>) -> Vec<Tree> {
    trees
        .into_iter()
        .filter(|tree| {
            let missing: Vec<String> = tree
                .dirs
                .iter()
                .filter(|d| !d.is_dir())
                .map(|d| relpath::display(d))
                .collect();
            if !missing.is_empty() {
                warnings.push(format!(
                    "`{}` names `{}`, which is no directory (a template the application fills in?); discovery goes on with `env.py` beside `versions/`",
                    relpath::display(config),
                    missing.join("`, `")
                ));
            }
            missing.is_empty()
        })
        .collect()
}

fn detected(file: &Path) -> Origin {
    Origin::Detected(format!("found `{}`", relpath::display(file)))
}

/// The trees a configuration file names. A `script_location`'s `versions/` is judged as a
/// found script directory is: the code may point `version_locations` at its subdirectories.
pub(crate) fn alembic_trees(found: Found, origin: Origin) -> Vec<Tree> {
    let from_script = matches!(
        &found.origin,
        Origin::Config { key, .. } if *key == "script_location"
    );
    if from_script && !found.recursive && found.dirs.len() == 1 {
        return script_directory(&found.dirs[0])
            .into_iter()
            .map(|tree| Tree {
                origin: origin.clone(),
                ..tree
            })
            .collect();
    }
    vec![Tree {
        dirs: found.dirs,
        recursive: found.recursive,
        format: Some(DirFormat::Alembic),
        origin,
    }]
}

/// The trees of a script directory's `versions/`: one, read recursively when its revisions all
/// live in subdirectories, except when each subdirectory is a tree of its own (one per
/// database, chosen by `env.py` at run time).
fn script_directory(versions: &Path) -> Vec<Tree> {
    let detected = |dir: &Path, recursive: bool| Tree {
        dirs: vec![dir.to_path_buf()],
        recursive,
        format: Some(DirFormat::Alembic),
        origin: Origin::Detected(format!(
            "found `env.py` beside `{}`",
            relpath::display(versions)
        )),
    };
    // Revisions in subdirectories are there because the code points `version_locations` at
    // them (Alembic never reads them otherwise), so a found tree reads them; only when each
    // subdirectory stands alone is each one a tree of its own.
    let (top, subdirs) = python_files(versions);
    if subdirs.is_empty() {
        return vec![detected(versions, false)];
    }
    if !top && subdirs.len() > 1 && subdirs.iter().all(|dir| self_contained(dir)) {
        return subdirs.iter().map(|dir| detected(dir, true)).collect();
    }
    vec![detected(versions, true)]
}

/// Whether `dir` holds revision files itself, and its subdirectories that hold some.
fn python_files(dir: &Path) -> (bool, Vec<PathBuf>) {
    let mut top = false;
    let mut subdirs = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (false, subdirs);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_file() && alembic::is_candidate(&name) {
            top = true;
        } else if kind.is_dir() && name != "__pycache__" && holds_python(&entry.path()) {
            subdirs.push(entry.path());
        }
    }
    subdirs.sort();
    (top, subdirs)
}

fn holds_python(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.file_type().is_file() && alembic::is_candidate(&e.file_name().to_string_lossy()))
}

/// Whether every parent the revisions under `dir` name is defined under `dir` too.
fn self_contained(dir: &Path) -> bool {
    let files: Vec<(String, String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = bounded::read(e.path(), bounded::MIGRATION_LIMIT).ok()?;
            Some((name.clone(), relpath::display(e.path()), bytes))
        })
        .collect();
    let loaded = super::from_bytes(DirFormat::Alembic, files);
    let ids: Vec<&str> = loaded.revisions.iter().map(|r| r.id.as_str()).collect();
    loaded
        .revisions
        .iter()
        .all(|r| r.parent_ids().iter().all(|p| ids.contains(&p.as_str())))
}

/// Whether a `.sql` file is one of migrate's: its first lines carry a `-- migrate:` marker.
fn starts_with_marker(path: &Path) -> bool {
    let mut head = Vec::new();
    bounded::open(path)
        .ok()
        .filter(|file| file.metadata().is_ok_and(|m| m.is_file()))
        .and_then(|file| file.take(8 * 1024).read_to_end(&mut head).ok())
        .is_some()
        && memchr::memmem::find(&head, NATIVE_MARKER).is_some()
}
