//! Opening a directory's files relative to the directory, where the platform allows it.
//!
//! Opening is most of the cost of reading thousands of small migration files. Through the
//! directory's descriptor the kernel resolves one name per file instead of the whole path again,
//! about a tenth of the cost of an open (BENCHMARKS.md).

use std::fs::File;
use std::path::Path;

/// A migrations directory, held open while its files are read.
pub(super) struct Directory {
    #[cfg(unix)]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Directory {
    /// Opens `dir`. Should that fail, files are opened by their paths, and fail there with
    /// their own names.
    pub(super) fn open(dir: &Path) -> Directory {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Directory {
                fd: rustix::fs::open(dir, flags, Mode::empty()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = dir;
            Directory {}
        }
    }

    /// Opens a file of the directory for reading. `path` is the file's path as listed; its last
    /// component is the name opened relative to the directory.
    pub(super) fn open_file(&self, path: &Path) -> std::io::Result<File> {
        #[cfg(unix)]
        if let (Some(fd), Some(name)) = (&self.fd, path.file_name()) {
            use rustix::fs::{Mode, OFlags};
            // Non-blocking, so that a link to a FIFO does not hang the open; reads of a regular
            // file are unaffected.
            let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
            return rustix::fs::openat(fd, name, flags, Mode::empty())
                .map(File::from)
                .map_err(std::io::Error::from);
        }
        super::bounded::open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_files_by_name_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("001_a.sql"), "x").unwrap();
        let directory = Directory::open(dir.path());
        let text =
            std::io::read_to_string(directory.open_file(&dir.path().join("001_a.sql")).unwrap());
        assert_eq!(text.unwrap(), "x");
        let missing = directory
            .open_file(&dir.path().join("002_b.sql"))
            .unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        // A directory that cannot be opened leaves each file to be opened by its path.
        let gone = Directory::open(&dir.path().join("nowhere"));
        assert!(gone.open_file(&dir.path().join("001_a.sql")).is_ok());
    }
}
