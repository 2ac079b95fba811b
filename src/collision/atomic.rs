//! Writing a file whole or not at all, as `rebase` and `check --fix` write.

use std::path::{Path, PathBuf};

use crate::Error;

const TEMP_SUFFIX: &str = ".migrate-rebase";

pub(crate) fn temp_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(TEMP_SUFFIX);
    PathBuf::from(name)
}

/// Writes through a temporary file and a rename, so that no file is ever left half written.
pub(crate) fn write_atomically(path: &Path, text: &str, shown: &str) -> Result<(), Error> {
    let temp = temp_name(path);
    let failed = |action| {
        move |source| Error::Io {
            action,
            path: shown.to_owned(),
            source,
        }
    };
    std::fs::write(&temp, text).map_err(failed("write"))?;
    // Keep the file's mode: a script that names a migration stays executable.
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&temp, meta.permissions()).map_err(failed("write"))?;
    }
    std::fs::rename(&temp, path).map_err(failed("write"))
}
