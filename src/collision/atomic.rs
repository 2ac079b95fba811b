//! Where `rebase` and `check --fix` may write, and how: only inside the repository, after
//! every path is resolved, each file whole or not at all through a temporary file that is
//! created (never opened if it exists) under a random name, synced, and renamed over its target.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::collision::file_walk::{self, TextFile};
use crate::diagnostic::{Diagnostic, Location, Rule, refusal};

/// Every temporary file of ours ends so; `check` names those an interrupted run left.
pub(crate) const TEMP_SUFFIX: &str = ".migrate-tmp";
/// What older versions named theirs.
pub(crate) const OLD_TEMP_SUFFIX: &str = ".migrate-rebase";

/// The repository a repair may write in.
#[derive(Debug, Clone)]
pub(crate) struct Confined {
    /// The git top level above the working directory, else the working directory; resolved.
    root: PathBuf,
}

impl Confined {
    /// The repository `migrate` runs in.
    pub(crate) fn here() -> Result<Confined, Error> {
        let root = file_walk::root()?;
        let root = std::fs::canonicalize(&root).map_err(|source| Error::Io {
            action: "read",
            path: root.display().to_string(),
            source,
        })?;
        Ok(Confined { root })
    }

    /// Where writing `path` really writes, when that is a regular file (or no file yet) inside
    /// the repository; a refusal naming `shown` otherwise. A link inside the repository is
    /// written through, so that it stays a link; one that leaves it is refused.
    pub(crate) fn resolve(&self, path: &Path, shown: &str) -> Result<PathBuf, Box<Diagnostic>> {
        let refuse = |why: String| Box::new(refusal::write_outside_repository(shown, &why));
        let Some(name) = path.file_name() else {
            return Err(refuse("it names no file".to_owned()));
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let directory = match std::fs::canonicalize(parent) {
            Ok(directory) => directory,
            // A directory the write creates (diesel's renamed `<version>_x/`): one level, in a
            // directory that resolves; its name is a plain name, never `..`.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (Some(above), Some(new_dir)) = (parent.parent(), parent.file_name()) else {
                    return Err(refuse(format!("its directory cannot be resolved: {e}")));
                };
                let above = if above.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    above
                };
                std::fs::canonicalize(above)
                    .map_err(|e| refuse(format!("its directory cannot be resolved: {e}")))?
                    .join(new_dir)
            }
            Err(e) => return Err(refuse(format!("its directory cannot be resolved: {e}"))),
        };
        if !directory.starts_with(&self.root) {
            return Err(refuse(format!(
                "its directory is {}, outside the repository {}",
                directory.display(),
                self.root.display()
            )));
        }
        let target = directory.join(name);
        let meta = match std::fs::symlink_metadata(&target) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(refuse(format!("it cannot be read: {e}"))),
        };
        if meta.file_type().is_symlink() {
            let real = std::fs::canonicalize(&target)
                .map_err(|_| refuse("it is a link to nothing".to_owned()))?;
            if !real.starts_with(&self.root) {
                return Err(refuse(format!(
                    "it is a link to {}, outside the repository {}",
                    real.display(),
                    self.root.display()
                )));
            }
            return match std::fs::metadata(&real) {
                Ok(m) if m.is_file() => Ok(real),
                _ => Err(refuse(format!(
                    "it is a link to {}, which is not a regular file",
                    real.display()
                ))),
            };
        }
        if !meta.is_file() {
            return Err(refuse(
                "it is not a regular file (a directory, FIFO, socket or device)".to_owned(),
            ));
        }
        Ok(target)
    }
}

/// Writes `text` to `real` (a path `Confined::resolve` returned) whole or not at all: a new
/// temporary file beside it, synced, then renamed over it. The file keeps its mode, so a
/// script that names a migration stays executable.
pub(crate) fn write_atomically(real: &Path, text: &str, shown: &str) -> Result<(), Error> {
    let failed = |action| {
        move |source| Error::Io {
            action,
            path: shown.to_owned(),
            source,
        }
    };
    let directory = real.parent().unwrap_or(Path::new("."));
    let prefix = format!(
        "{}.",
        real.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(6)
        .tempfile_in(directory)
        .map_err(failed("write"))?;
    temp.write_all(text.as_bytes()).map_err(failed("write"))?;
    match std::fs::metadata(real) {
        Ok(meta) => temp.as_file().set_permissions(meta.permissions()),
        Err(_) => new_file_mode(temp.as_file()),
    }
    .map_err(failed("write"))?;
    temp.as_file().sync_all().map_err(failed("write"))?;
    temp.persist(real).map_err(|e| failed("write")(e.error))?;
    // The rename itself survives a crash only once the directory is synced.
    if let Ok(dir) = std::fs::File::open(directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A name beside `path` that nothing has, for a file on its way elsewhere: `path`'s name, a
/// random part and our suffix. Whoever renames onto it must not replace anything (`git mv`
/// refuses to).
pub(crate) fn free_name(path: &Path) -> PathBuf {
    loop {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{}{TEMP_SUFFIX}", crate::unique::hex12()));
        let candidate = PathBuf::from(name);
        if std::fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
    }
}

/// The temporary files of ours among `files`, which an interrupted run left: one may hold a
/// migration on its way to its new name, so they are named, never deleted.
pub(crate) fn leftovers(files: &[TextFile]) -> Vec<Diagnostic> {
    files
        .iter()
        .filter(|file| {
            let name = file.full.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(TEMP_SUFFIX) || name.ends_with(OLD_TEMP_SUFFIX)
        })
        .map(|file| {
            Diagnostic::new(
                Rule::LeftoverTemporaryFile,
                Location::file(&file.path),
                format!(
                    "`{}` is a temporary file that an interrupted `migrate rebase` or `check --fix` left behind",
                    file.path
                ),
                "compare it with the file whose name it starts with, keep what is right, and delete it",
            )
        })
        .collect()
}

/// A new file is readable by all, as one the editor makes (the temporary file starts private).
#[cfg(unix)]
fn new_file_mode(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_mode(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}
