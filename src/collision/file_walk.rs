//! The repository around the migrations: where it starts (the git top level, else the current
//! directory) and the text files the stale-reference scan reads.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::collision::head_file;
use crate::revision::DirFormat;
use crate::source;
use crate::walker::{self, Exclude};
use crate::{Error, parallel};

/// Files larger than this are data, logs or bundles, not hand-written references.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// A NUL byte in this many leading bytes marks a binary file, as git and ripgrep decide.
const BINARY_PROBE: usize = 8 * 1024;
/// Below this many files, reading on one thread is faster than starting more.
const PARALLEL_THRESHOLD: usize = 256;

/// One text file of the repository.
#[derive(Debug)]
pub(crate) struct TextFile {
    /// The path as output shows it: relative to the working directory, with `/`.
    pub path: String,
    /// Where to open it.
    pub full: PathBuf,
    /// Its contents; not necessarily UTF-8.
    pub bytes: Vec<u8>,
}

/// What the scan skips besides the fixed list.
#[derive(Debug, Default)]
pub(crate) struct Skip<'a> {
    /// `exclude` in `migrate.toml`.
    pub exclude: Exclude,
    /// The migrations directories, whose migration files and head file are read elsewhere.
    pub migrations: Vec<PathBuf>,
    /// How the migrations directory is written, which says which of its files are migrations.
    pub format: DirFormat,
    /// The migrations directory's entries other than its migrations, when the loader listed
    /// the one directory: a directory of thousands of migrations is then not listed again.
    pub listed: Option<&'a [source::Entry]>,
}

/// The git top level above the working directory, else the working directory itself.
pub(crate) fn root() -> Result<PathBuf, Error> {
    let cwd = working_directory()?;
    // A `.git` directory, or a `.git` file in a worktree or submodule, marks the top level.
    Ok(cwd
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&cwd)
        .to_path_buf())
}

/// What the walk found: the text files to scan, and the ones it could not read.
#[derive(Debug, Default)]
pub(crate) struct TextFiles {
    /// The text files, in path order.
    pub(crate) files: Vec<TextFile>,
    /// Each file or directory that could not be read, with why, for the command to report.
    pub(crate) skipped: Vec<String>,
}

/// Every text file under `root` that the scan reads, in path order.
///
/// Files that cannot be read are returned as skipped, for the command to name as a warning:
/// the scan looks for mistakes and must not fail `check` over a file it was never asked about.
pub(crate) fn text_files(root: &Path, skip: &Skip) -> Result<TextFiles, Error> {
    let mut skipped = Vec::new();
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let migrations: Vec<PathBuf> = skip
        .migrations
        .iter()
        .filter_map(|p| canonical(p))
        .collect();
    let display = Display::new(root)?;
    let mut paths = Vec::new();
    // With the loader's listing in hand, the one migrations directory is not walked again:
    // its other entries are taken from the listing, and only its subdirectories are walked.
    let listed = match (skip.listed, migrations.as_slice()) {
        (Some(listed), [one]) => Some((listed, one.clone())),
        _ => None,
    };
    let prune = listed.iter().map(|(_, dir)| dir.clone()).collect();
    let mut walk_into =
        |dir: &Path, prune: Vec<PathBuf>, paths: &mut Vec<PathBuf>| -> Result<(), Error> {
            let (found, errors) = walker::files(dir, &skip.exclude, prune)?;
            skipped.extend(errors.iter().map(|e| walk_error(e, &display)));
            // Links are not followed: what they point to inside the repository is scanned there.
            paths.extend(
                found
                    .into_iter()
                    .filter(|path| !read_elsewhere(path, &migrations, skip.format)),
            );
            Ok(())
        };
    walk_into(root, prune, &mut paths)?;
    if let Some((listed, dir)) = &listed {
        for other in *listed {
            let path = dir.join(&other.name);
            if other.kind.is_file() {
                if other.name != head_file::NAME {
                    paths.push(path);
                }
            } else if other.kind.is_dir() {
                walk_into(&path, Vec::new(), &mut paths)?;
            }
        }
        // The listing knows nothing of `exclude`: the walk of the directory would have.
        let exclude = skip.exclude.matcher()?;
        paths.retain(|p| !p.starts_with(dir) || !exclude.excludes(p));
    }
    paths.sort_unstable();
    paths.dedup();
    let read = parallel::map(&paths, PARALLEL_THRESHOLD, |path| read_text(path));
    let mut files = Vec::with_capacity(paths.len());
    for (path, result) in paths.into_iter().zip(read) {
        match result {
            Ok(Some(bytes)) => files.push(TextFile {
                path: display.show(&path),
                full: path,
                bytes,
            }),
            Ok(None) => {}
            Err(e) => skipped.push(format!("`{}`: {e}", display.show(&path))),
        }
    }
    Ok(TextFiles { files, skipped })
}

/// Whether a file is one of a tree's migrations or its head file, which the loader reads.
fn read_elsewhere(path: &Path, migrations: &[PathBuf], format: DirFormat) -> bool {
    let in_migrations = path
        .parent()
        .is_some_and(|parent| migrations.iter().any(|m| m == parent));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    in_migrations && (source::is_candidate(format, &name) || name == head_file::NAME)
}

impl TextFiles {
    /// One tree's share of files read for several: all but the migrations and head files of
    /// every tree in `trees` (each tree's own are judged by its own rules, and another tree's
    /// name their own revisions, which a tree with a revision of the same slug would take for
    /// stale ones).
    #[must_use]
    pub(crate) fn share(&self, trees: &[(&[PathBuf], DirFormat)]) -> Vec<&TextFile> {
        let trees: Vec<(Vec<PathBuf>, DirFormat)> = trees
            .iter()
            .map(|(dirs, format)| {
                let real = dirs
                    .iter()
                    .filter_map(|p| std::fs::canonicalize(p).ok())
                    .collect();
                (real, *format)
            })
            .collect();
        self.files
            .iter()
            .filter(|file| {
                !trees
                    .iter()
                    .any(|(dirs, format)| read_elsewhere(&file.full, dirs, *format))
            })
            .collect()
    }

    /// Takes in what `--fix` wrote (or, under `--dry-run`, would write) to the file at the real
    /// path `path`, so that the next tree's repair starts from it.
    pub(crate) fn rewritten(&mut self, path: &Path, after: &str) {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(file) = self.files.iter_mut().find(|f| f.full == real) {
            file.bytes = after.as_bytes().to_vec();
        }
    }
}

/// The working directory with links resolved, as the walk's paths are.
fn working_directory() -> Result<PathBuf, Error> {
    std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .map_err(|source| Error::Io {
            action: "read",
            path: ".".to_owned(),
            source,
        })
}

fn walk_error(error: &ignore::Error, display: &Display) -> String {
    let path = match error {
        ignore::Error::WithPath { path, .. } => display.show(path),
        _ => ".".to_owned(),
    };
    format!("`{path}`: {error}")
}

/// The file's bytes, or `None` for a binary or large file.
fn read_text(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    // Reading one byte past the limit tells a large file without asking for its size.
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    let large = bytes.len() as u64 > MAX_FILE_BYTES;
    let binary = bytes[..bytes.len().min(BINARY_PROBE)].contains(&0);
    Ok((!large && !binary).then_some(bytes))
}

/// Shows paths under the root relative to the working directory, which may lie below the root.
struct Display {
    root: PathBuf,
    /// `../` once per level the working directory lies below the root.
    up: String,
    /// The working directory relative to the root, when it lies below it.
    below: PathBuf,
}

impl Display {
    fn new(root: &Path) -> Result<Display, Error> {
        let cwd = working_directory()?;
        let below = cwd
            .strip_prefix(root)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        Ok(Display {
            root: root.to_path_buf(),
            up: "../".repeat(below.components().count()),
            below,
        })
    }

    fn show(&self, path: &Path) -> String {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return crate::relpath::display(path);
        };
        if let Ok(inside) = relative.strip_prefix(&self.below)
            && !self.below.as_os_str().is_empty()
        {
            return slashes(inside);
        }
        format!("{}{}", self.up, slashes(relative))
    }
}

fn slashes(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_binary_large_and_listed_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        };
        write("docs/a.md", b"040_x");
        write("docs/b.bin", b"040_x\0");
        write(
            "big.txt",
            &vec![b'a'; usize::try_from(MAX_FILE_BYTES).unwrap() + 1],
        );
        write("node_modules/m.js", b"040_x");
        write("env/pyvenv.cfg", b"home = /usr");
        write("env/lib/site.py", b"040_x");
        write("vendor/v.txt", b"040_x");
        write("migrations/001_a.sql", b"-- x");
        write("migrations/HEAD", b"001 001_a.sql");
        write("migrations/README", b"040_x");
        write("migrations/002_b.py", b"040_x");
        write("migrations/notes/n.md", b"040_x");
        write("migrations/notes/__pycache__/c.txt", b"040_x");
        write("migrations/excluded.txt", b"040_x");
        let expected = [
            "docs/a.md",
            "migrations/002_b.py",
            "migrations/README",
            "migrations/notes/n.md",
        ];
        let exclude = Exclude {
            base: root.clone(),
            entries: vec!["vendor".to_owned(), "migrations/excluded.txt".to_owned()],
        };
        let names = |listed: Option<&[source::Entry]>| {
            let skip = Skip {
                exclude: exclude.clone(),
                migrations: vec![root.join("migrations")],
                format: DirFormat::Sql,
                listed,
            };
            text_files(&root, &skip)
                .unwrap()
                .files
                .iter()
                .map(|f| {
                    f.full
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect::<Vec<_>>()
        };
        // Walked, and read from the loader's listing of the migrations directory: the same files.
        assert_eq!(names(None), expected);
        let loaded = source::load(
            &root.join("migrations"),
            "migrations",
            &"test",
            Some(DirFormat::Sql),
        )
        .unwrap();
        assert_eq!(names(loaded.others.as_deref()), expected);
    }
}
