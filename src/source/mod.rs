//! Finding migration files in a directory and parsing them into revisions.
//!
//! Every `.sql` file directly in a directory is read (every `.py` file but `__init__.py` in
//! an Alembic versions directory); subdirectories only when the tree is recursive, as in
//! Alembic (`tree`). A file that does not parse becomes a diagnostic, never a silent omission.

pub(crate) mod alembic;
pub(crate) mod bounded;
mod directive;
mod directory;
pub(crate) mod discover;
pub(crate) mod django;
pub(crate) mod filename;
pub(crate) mod finding;
pub(crate) mod linear;
pub(crate) mod origin;
mod psql_only;
pub(crate) mod sql_file;
mod tree;

pub(crate) use tree::load_all;

use std::fs::FileType;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Location, Rule, Sources};
use crate::revision::{DirFormat, Revises, Revision};
use crate::{Error, parallel, relpath};
use directory::Directory;

/// Room for one migration file before reading it; larger files grow the buffer.
const READ_CAPACITY: usize = 8 * 1024;

/// Below this many files, reading on one thread is faster than starting more.
const PARALLEL_THRESHOLD: usize = 256;

/// What a directory held: the revisions that could be read, and what was wrong with the rest.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// How the directory is written.
    pub format: DirFormat,
    /// Revisions in file-name order.
    pub revisions: Vec<Revision>,
    /// `invalid-filename` and `malformed-file` findings.
    pub diagnostics: Vec<Diagnostic>,
    /// The decoded text of each revision's file, by displayed path.
    pub sources: Sources,
    /// What else the directory holds, when it was listed: the stale-reference scan reads these
    /// without listing the directory a second time.
    pub others: Option<Vec<Entry>>,
    /// Every directory read.
    pub dirs: Vec<PathBuf>,
}

/// An entry of the migrations directory that is not one of its migrations.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its name, as the file system spells it.
    pub name: std::ffi::OsString,
    /// Its type, as listed: a link is not followed.
    pub kind: FileType,
}

/// What one file yielded.
#[derive(Default)]
struct FileResult {
    revision: Option<(Revision, String)>,
    /// An Alembic file, whose revision is built once the whole directory is read.
    alembic: Option<alembic::Draft>,
    diagnostics: Vec<Diagnostic>,
}

/// Reads every migration file in `dir`. `display_dir` is how output shows the directory.
/// Without a `format`, a directory with `.py` files that assign `revision` and no `.sql` file
/// is read as an Alembic versions directory.
pub(crate) fn load(
    dir: &Path,
    display_dir: &str,
    origin: &impl std::fmt::Display,
    format: Option<DirFormat>,
) -> Result<Loaded, Error> {
    let origin = || origin.to_string();
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::NotADir {
                path: display_dir.to_owned(),
                origin: origin(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::MissingDir {
                path: display_dir.to_owned(),
                origin: origin(),
            });
        }
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: display_dir.to_owned(),
                source,
            });
        }
    }
    if let Some(DirFormat::Linear(layout)) = format {
        return linear::load(dir, display_dir, layout);
    }
    if format == Some(DirFormat::Django)
        || (format.is_none() && django::detect::is_migrations_package(dir))
    {
        return Ok(django::load(dir, display_dir));
    }
    if format.is_none()
        && let Some(layout) = linear::detect::layout_of(dir, Path::new("/"))
    {
        return linear::load(dir, display_dir, layout);
    }
    let mut sql: Vec<(String, PathBuf, FileType)> = Vec::new();
    let mut python: Vec<(String, PathBuf, FileType)> = Vec::new();
    let mut others = Vec::new();
    // Links are not followed while listing: the entry's type comes free with the listing, and a
    // link named like a migration is read through when opened (a broken or looping one becomes a
    // diagnostic then). Depth 1 keeps subdirectories out, so no loop can make the walk descend.
    for entry in WalkDir::new(dir).min_depth(1).max_depth(1) {
        let entry = entry.map_err(|e| Error::Io {
            action: "list",
            path: display_dir.to_owned(),
            source: e.into(),
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type();
        // A FIFO, socket or device named like a migration is kept, to be refused by name:
        // never read (it could block or never end), never skipped in silence.
        if kind.is_file()
            || kind.is_symlink()
            || bounded::special_kind(kind).is_some_and(|_| !kind.is_dir())
        {
            if filename::is_candidate(&name) {
                sql.push((name, entry.into_path(), kind));
                continue;
            } else if alembic::is_candidate(&name) {
                python.push((name, entry.into_path(), kind));
                continue;
            }
        }
        others.push(Entry {
            name: entry.file_name().to_owned(),
            kind,
        });
    }
    let format = format.unwrap_or_else(|| {
        if sql.is_empty()
            && python
                .iter()
                .any(|(_, path, _)| alembic::assigns_revision(path))
        {
            DirFormat::Alembic
        } else {
            DirFormat::Sql
        }
    });
    let (chosen, other_format) = match format {
        DirFormat::Alembic | DirFormat::Django => (python, sql),
        DirFormat::Sql | DirFormat::Linear(_) => (sql, python),
    };
    others.extend(other_format.into_iter().map(|(_, path, kind)| Entry {
        name: path.file_name().unwrap_or_default().to_owned(),
        kind,
    }));
    let mut candidates = chosen;
    // Sorting once here, on names taken once, is cheaper than walkdir's sort, which re-parses
    // both paths at every comparison.
    candidates.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut loaded = collect(
        format,
        read_all(format, dir, &candidates, display_dir),
        Some(dir),
    );
    loaded.others = Some(others);
    Ok(loaded)
}

fn collect(format: DirFormat, results: Vec<FileResult>, versions_dir: Option<&Path>) -> Loaded {
    let mut loaded = Loaded {
        format,
        ..Loaded::default()
    };
    // Sized once: a parsed file is large, and growing these would move thousands of them.
    let mut drafts = Vec::with_capacity(results.len());
    let mut revisions = Vec::with_capacity(results.len());
    for result in results {
        loaded.diagnostics.extend(result.diagnostics);
        revisions.extend(result.revision);
        drafts.extend(result.alembic);
    }
    if !drafts.is_empty() {
        let built = alembic::build(drafts, versions_dir);
        loaded.diagnostics.extend(built.diagnostics);
        revisions.extend(built.revisions);
    }
    // Built from sorted pairs at once rather than by one insertion each.
    loaded.sources = revisions
        .iter_mut()
        .map(|(revision, text)| (revision.path.clone(), std::mem::take(text)))
        .collect();
    loaded.revisions = revisions
        .into_iter()
        .map(|(revision, _)| revision)
        .collect();
    loaded
}

/// Reads the files in order, on every core for a large directory: opening and reading ten
/// thousand small files is mostly system-call time, which threads overlap.
fn read_all(
    format: DirFormat,
    dir: &Path,
    candidates: &[(String, PathBuf, FileType)],
    display_dir: &str,
) -> Vec<FileResult> {
    let dir = Directory::open(dir);
    parallel::map(candidates, PARALLEL_THRESHOLD, |(name, path, kind)| {
        load_file(
            format,
            &dir,
            path,
            *kind,
            name,
            relpath::join(display_dir, name),
        )
    })
}

/// Parses files whose bytes are already in hand (read from a git ref, or planned by `rebase`),
/// as `load` would, keeping their order. Each entry is the file name, its displayed path and
/// its bytes; names that are not migration candidates are left out, as `load` leaves them out
/// of a directory listing.
#[must_use]
pub(crate) fn from_bytes(format: DirFormat, files: Vec<(String, String, Vec<u8>)>) -> Loaded {
    if let DirFormat::Linear(layout) = format {
        return linear::from_bytes(layout, files);
    }
    if format == DirFormat::Django {
        return django::from_bytes(files);
    }
    let results = files
        .into_iter()
        .filter(|(name, _, _)| is_candidate(format, name))
        .map(|(name, shown, bytes)| parse_file(format, &name, shown, &bytes))
        .collect();
    collect(format, results, None)
}

/// Whether a file name is read as a migration in a directory of this format.
#[must_use]
pub(crate) fn is_candidate(format: DirFormat, name: &str) -> bool {
    match format {
        DirFormat::Sql => filename::is_candidate(name),
        DirFormat::Alembic => alembic::is_candidate(name),
        DirFormat::Linear(layout) => linear::is_candidate(layout, name),
        DirFormat::Django => django::is_candidate(name),
    }
}

fn unreadable(shown: &str, reason: &str) -> Diagnostic {
    let help = if reason.contains("larger than") {
        "split it into several migrations, or load bulk data another way (COPY from a file)"
    } else {
        "fix the file's permissions or the link it points through"
    };
    Diagnostic::new(
        Rule::MalformedFile,
        Location::file(shown),
        format!("cannot read the file: {reason}"),
        help,
    )
}

fn load_file(
    format: DirFormat,
    dir: &Directory,
    path: &Path,
    kind: FileType,
    name: &str,
    shown: String,
) -> FileResult {
    if let Some(special) = bounded::special_kind(kind).filter(|_| !kind.is_symlink()) {
        let mut result = FileResult::default();
        result.diagnostics.push(unreadable(
            &shown,
            &bounded::Refused::NotRegular(special).to_string(),
        ));
        return result;
    }
    if format == DirFormat::Alembic || filename::parse(name).is_ok() {
        // `File::read_to_end` asks for the size and the position first (statx and lseek); through
        // `take`, with room for a typical file, it only reads: two system calls fewer per file.
        // A file listed as regular needs no further check; a link is checked once opened.
        let mut bytes = Vec::with_capacity(READ_CAPACITY);
        if let Err(e) = dir
            .open_file(path)
            .map_err(bounded::Refused::from)
            .and_then(|file| {
                bounded::read_into(
                    file,
                    kind.is_symlink(),
                    bounded::MIGRATION_LIMIT,
                    &mut bytes,
                )
            })
        {
            let mut result = FileResult::default();
            result.diagnostics.push(unreadable(&shown, &e.to_string()));
            return result;
        }
        parse_file(format, name, shown, &bytes)
    } else {
        parse_file(format, name, shown, &[])
    }
}

fn parse_file(format: DirFormat, name: &str, shown: String, bytes: &[u8]) -> FileResult {
    let mut result = FileResult::default();
    if format == DirFormat::Alembic {
        match sql_file::decode(bytes) {
            Ok(text) => result.alembic = Some(alembic::Draft::parse(name, shown, text)),
            Err(problem) => result.diagnostics.push(problem.at(&shown)),
        }
        return result;
    }
    let parsed_name = match filename::parse(name) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let help = match &invalid.suggestion {
                Some(better) => format!("rename it to `{better}`"),
                None => {
                    "name it `<digits>_<slug>.sql`, as in `041_add_readonly_role.sql`".to_owned()
                }
            };
            result.diagnostics.push(Diagnostic::new(
                Rule::InvalidFilename,
                Location::file(&shown),
                format!(
                    "`{}` is not a migration file name: {}",
                    crate::escape::one_line(name),
                    invalid.reason
                ),
                help,
            ));
            return result;
        }
    };
    let text = match sql_file::decode(bytes) {
        Ok(text) => text,
        Err(problem) => {
            result.diagnostics.push(problem.at(&shown));
            return result;
        }
    };
    let (parsed, problems) = sql_file::parse(&text);
    result
        .diagnostics
        .extend(problems.iter().map(|p| p.at(&shown)));
    let revision = Revision {
        id: parsed_name.id,
        format: DirFormat::Sql,
        slug: parsed_name.slug,
        path: shown,
        revises: parsed.revises.unwrap_or(Revises::Unknown),
        revises_line: parsed.revises_line,
        depends_on: Vec::new(),
        branch_labels: Vec::new(),
        shown_labels: Vec::new(),
        unreadable_labels: false,
        description: parsed.description,
        up: parsed.up,
        down: parsed.down,
    };
    result.revision = Some((revision, text));
    result
}
