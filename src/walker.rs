//! The one walk over a repository, shared by discovery and the stale-reference scan: it honours
//! `.gitignore`, `.ignore` and git's exclude files (ripgrep's `ignore` crate), `exclude` in
//! migrate.toml, and never enters version control, dependencies or a virtualenv.

use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{DirEntry, WalkBuilder};

use crate::Error;

/// Directories never entered, ignored or not: version control, build output, dependencies,
/// virtualenvs, installed packages and caches.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "site-packages",
    "dist-packages",
];
/// Every virtualenv holds this file at its top, whatever the directory is called.
const VENV_MARKER: &str = "pyvenv.cfg";

/// `exclude` in migrate.toml: paths or globs, relative to the configuration file's directory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exclude {
    /// The directory the entries are relative to.
    pub base: PathBuf,
    pub entries: Vec<String>,
}

impl Exclude {
    /// The entries as ignore rules over absolute paths. A plain name (`vendor`) is the path
    /// under the base, as it has always been; anything else is a `.gitignore` glob.
    fn overrides(&self) -> Result<Override, Error> {
        let base = std::fs::canonicalize(&self.base).unwrap_or_else(|_| self.base.clone());
        let mut builder = OverrideBuilder::new(&base);
        for entry in &self.entries {
            let plain = !entry.contains(['*', '?', '[', '{']) && !entry.starts_with('/');
            let pattern = if plain {
                format!("!/{}", entry.trim_start_matches("./"))
            } else {
                format!("!{entry}")
            };
            if let Err(e) = globset::Glob::new(entry) {
                return Err(Error::Usage(format!(
                    "`exclude` in migrate.toml: `{entry}` is not a glob: {}",
                    e.kind()
                )));
            }
            builder
                .add(&pattern)
                .map_err(|e| Error::Usage(format!("`exclude` in migrate.toml: `{entry}`: {e}")))?;
        }
        builder
            .build()
            .map_err(|e| Error::Usage(format!("`exclude` in migrate.toml: {e}")))
    }
}

/// `exclude` compiled, for paths that reach the scan without a walk.
pub(crate) struct ExcludeMatcher(Override);

impl Exclude {
    pub(crate) fn matcher(&self) -> Result<ExcludeMatcher, Error> {
        self.overrides().map(ExcludeMatcher)
    }
}

impl ExcludeMatcher {
    /// Whether the path, or a directory it is in, is excluded (absolute paths).
    pub(crate) fn excludes(&self, path: &Path) -> bool {
        path.ancestors()
            .enumerate()
            .any(|(i, p)| self.0.matched(p, i > 0).is_ignore())
    }
}

/// Every entry under `root` that is not ignored, directories included, in no set order, and
/// nothing inside the directories of `prune`. Links are listed, not followed.
pub(crate) fn walk(
    root: &Path,
    exclude: &Exclude,
    prune: Vec<PathBuf>,
) -> Result<impl Iterator<Item = Result<DirEntry, ignore::Error>>, Error> {
    Ok(builder(root, exclude, prune)?.build())
}

/// The regular files under `root` that are not ignored, walked on every core, and the errors
/// met on the way; in no set order.
pub(crate) fn files(
    root: &Path,
    exclude: &Exclude,
    prune: Vec<PathBuf>,
) -> Result<(Vec<PathBuf>, Vec<ignore::Error>), Error> {
    let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
    builder(root, exclude, prune)?
        .threads(std::thread::available_parallelism().map_or(1, usize::from))
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                let mut guard = found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        guard.0.push(entry.into_path());
                    }
                    Ok(_) => {}
                    Err(e) => guard.1.push(e),
                }
                ignore::WalkState::Continue
            })
        });
    Ok(found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

fn builder(root: &Path, exclude: &Exclude, prune: Vec<PathBuf>) -> Result<WalkBuilder, Error> {
    let overrides = exclude.overrides()?;
    let mut builder = WalkBuilder::new(root);
    builder
        // Hidden files are read (`.github/workflows` names migrations too); the skipped
        // directories keep version control out.
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        // A `.gitignore` counts outside a git checkout too: a tarball of the repository walks
        // as the checkout does.
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .filter_entry(move |entry| !skipped(entry) && !prune.iter().any(|p| p == entry.path()));
    Ok(builder)
}

fn skipped(entry: &DirEntry) -> bool {
    if !entry.file_type().is_some_and(|t| t.is_dir()) || entry.depth() == 0 {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    SKIPPED_DIRS.contains(&name.as_ref()) || entry.path().join(VENV_MARKER).is_file()
}
