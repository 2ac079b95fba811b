//! Finding migration files in a directory and parsing them into revisions.
//!
//! Every `.sql` file directly in the directory is read; subdirectories are not (documented in the
//! README). A file that does not parse becomes a diagnostic, never a silent omission.

pub mod filename;
pub mod sql_file;

use std::path::Path;

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Location, Rule, Sources};
use crate::revision::{Revises, Revision};
use crate::{Error, relpath};

/// What a directory held: the revisions that could be read, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Revisions in file-name order.
    pub revisions: Vec<Revision>,
    /// `invalid-filename` and `malformed-file` findings.
    pub diagnostics: Vec<Diagnostic>,
    /// The decoded text of each revision's file, by displayed path.
    pub sources: Sources,
}

/// Reads every migration file in `dir`. `display_dir` is how output shows the directory.
pub fn load(
    dir: &Path,
    display_dir: &str,
    origin: &impl std::fmt::Display,
) -> Result<Loaded, Error> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::NotADir {
                path: display_dir.to_owned(),
                origin: origin.to_string(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::MissingDir {
                path: display_dir.to_owned(),
                origin: origin.to_string(),
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
    let mut loaded = Loaded::default();
    // Following links lets a migration be a symlink; walkdir reports a link loop as an error
    // instead of descending forever, and depth 1 keeps subdirectories out.
    let walker = WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        let (name, path, is_file) = match entry {
            Ok(entry) => (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path().to_path_buf(),
                entry.file_type().is_file(),
            ),
            Err(e) => {
                // A broken or looping link still has a name; report it if it looks like a migration.
                let Some(path) = e.path().map(Path::to_path_buf) else {
                    return Err(Error::Io {
                        action: "list",
                        path: display_dir.to_owned(),
                        source: e.into(),
                    });
                };
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if filename::is_candidate(&name) {
                    let shown = relpath::join(display_dir, &name);
                    loaded.diagnostics.push(unreadable(&shown, &e.to_string()));
                }
                continue;
            }
        };
        if !is_file || !filename::is_candidate(&name) {
            continue;
        }
        let shown = relpath::join(display_dir, &name);
        load_file(&path, &name, shown, &mut loaded);
    }
    Ok(loaded)
}

fn unreadable(shown: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::MalformedFile,
        Location::file(shown),
        format!("cannot read the file: {reason}"),
        "fix the file's permissions or the link it points through",
    )
}

fn load_file(path: &Path, name: &str, shown: String, loaded: &mut Loaded) {
    let parsed_name = match filename::parse(name) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let help = match &invalid.suggestion {
                Some(better) => format!("rename it to `{better}`"),
                None => {
                    "name it `<digits>_<slug>.sql`, as in `041_add_readonly_role.sql`".to_owned()
                }
            };
            loaded.diagnostics.push(Diagnostic::new(
                Rule::InvalidFilename,
                Location::file(&shown),
                format!("`{name}` is not a migration file name: {}", invalid.reason),
                help,
            ));
            return;
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            loaded.diagnostics.push(unreadable(&shown, &e.to_string()));
            return;
        }
    };
    let text = match sql_file::decode(&bytes) {
        Ok(text) => text,
        Err(problem) => {
            loaded.diagnostics.push(malformed(&shown, problem));
            return;
        }
    };
    let (parsed, problems) = sql_file::parse(&text);
    loaded
        .diagnostics
        .extend(problems.into_iter().map(|p| malformed(&shown, p)));
    loaded.revisions.push(Revision {
        id: parsed_name.id,
        slug: parsed_name.slug,
        path: shown.clone(),
        revises: parsed.revises.unwrap_or(Revises::Unknown),
        revises_line: parsed.revises_line,
        description: parsed.description,
        up: parsed.up,
        down: parsed.down,
    });
    loaded.sources.insert(shown, text);
}

fn malformed(shown: &str, problem: sql_file::Problem) -> Diagnostic {
    Diagnostic::new(
        Rule::MalformedFile,
        Location {
            span: (problem.span > 0).then_some(problem.span),
            ..Location::span(shown, problem.line, problem.column, 0)
        },
        problem.message,
        problem.help,
    )
}
