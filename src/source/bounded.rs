//! Reading a file that must be a regular file of bounded size: never a FIFO, socket or device
//! (or a link to one), never more than a limit, so that no file in a pull request can make a
//! command hang or read forever.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The most a migration file may hold: far above any hand-written migration, far below what
/// would exhaust memory.
pub(crate) const MIGRATION_LIMIT: u64 = 32 * 1024 * 1024;
/// The most a configuration file (`migrate.toml`, `alembic.ini`, `pyproject.toml`) or the head
/// file may hold.
pub(crate) const CONFIG_LIMIT: u64 = 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Refused {
    /// It is not a regular file: what it is instead.
    NotRegular(&'static str),
    /// It holds more than the limit, in bytes.
    TooLarge(u64),
    /// The system refused.
    Io(std::io::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            Refused::TooLarge(limit) => {
                write!(
                    f,
                    "it is larger than the limit of {} MiB",
                    limit / 1024 / 1024
                )
            }
            Refused::Io(error) => write!(f, "{error}"),
        }
    }
}

impl From<std::io::Error> for Refused {
    fn from(error: std::io::Error) -> Refused {
        Refused::Io(error)
    }
}

/// What a file type is, in words, when it is not a regular file.
pub(crate) fn special_kind(kind: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    (!kind.is_file() && !kind.is_symlink()).then_some("not a regular file")
}

/// Opens `path` without blocking on a FIFO, for a check of what it is before reading.
pub(crate) fn open(path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
        rustix::fs::open(path, flags, Mode::empty())
            .map(File::from)
            .map_err(std::io::Error::from)
    }
    #[cfg(not(unix))]
    {
        File::open(path)
    }
}

/// Reads an opened file into `bytes`: refuses anything but a regular file when `check` is set
/// (a link was followed, so the listing's type says nothing), and more than `limit` bytes.
pub(crate) fn read_into(
    mut file: File,
    check: bool,
    limit: u64,
    bytes: &mut Vec<u8>,
) -> Result<(), Refused> {
    if check {
        let kind = file.metadata()?.file_type();
        if let Some(special) = special_kind(kind).filter(|_| !kind.is_file()) {
            return Err(Refused::NotRegular(special));
        }
    }
    (&mut file).take(limit + 1).read_to_end(bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Refused::TooLarge(limit));
    }
    Ok(())
}

impl Refused {
    /// As an I/O error, for callers that report one; a missing file stays `NotFound`.
    pub(crate) fn into_io(self) -> std::io::Error {
        match self {
            Refused::Io(error) => error,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// Reads the regular file at `path` as UTF-8 text, up to `limit` bytes.
pub(crate) fn read_to_string(path: &Path, limit: u64) -> std::io::Result<String> {
    let bytes = read(path, limit).map_err(Refused::into_io)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Reads the regular file at `path`, following links, up to `limit` bytes.
pub(crate) fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let mut bytes = Vec::new();
    read_into(open(path)?, true, limit, &mut bytes)?;
    Ok(bytes)
}

/// A listed migration's bytes: a FIFO or device named like one (listed as such, not through a
/// link) is refused unread, never waited on; anything else is read as `read` reads it.
pub(crate) fn read_listed(path: &Path, kind: std::fs::FileType) -> Result<Vec<u8>, String> {
    match special_kind(kind).filter(|_| !kind.is_symlink()) {
        Some(special) => Err(Refused::NotRegular(special).to_string()),
        None => read(path, MIGRATION_LIMIT).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_fifos_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("zero.sql");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            assert!(matches!(
                read(&link, 1024),
                Err(Refused::NotRegular("a device"))
            ));
            let fifo = dir.path().join("pipe.sql");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap();
            assert!(made.success());
            // Opening does not block, and the FIFO is refused unread.
            assert!(matches!(
                read(&fifo, 1024),
                Err(Refused::NotRegular("a FIFO"))
            ));
        }
        let big = dir.path().join("big.sql");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        assert!(matches!(read(&big, 1024), Err(Refused::TooLarge(1024))));
        assert_eq!(read(&big, 4096).unwrap().len(), 2048);
    }
}
