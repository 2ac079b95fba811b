//! A revision file as refinery sees it: an int4 version, a name and refinery's checksum.

use refinery::Migration;

use crate::Error;
use crate::revision::Revision;

/// The refinery identity of one revision file.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub version: i32,
    pub name: String,
    /// refinery's checksum of the file as written (after BOM and CRLF normalisation), in
    /// decimal as refinery stores it. Variables are not substituted: secrets stay out of it.
    pub checksum: String,
}

/// Computes a revision's identity from its file text.
pub(crate) fn identity(revision: &Revision, text: &str) -> Result<Identity, Error> {
    let version = version(revision)?;
    let migration =
        Migration::unapplied(&format!("V{version}__{}", revision.slug), text).map_err(|e| {
            Error::Database(format!(
                "{}: refinery cannot take this file name as a migration name: {e}",
                revision.path
            ))
        })?;
    Ok(Identity {
        version,
        name: migration.name().to_owned(),
        checksum: migration.checksum().to_string(),
    })
}

/// The revision number as refinery's `int4` version.
pub(crate) fn version(revision: &Revision) -> Result<i32, Error> {
    revision.id.significant().parse::<i32>().map_err(|_| {
        Error::Database(format!(
            "{}: revision number {} does not fit the history table's int4 `version` (at most {}); \
             renumber it below that",
            revision.path,
            revision.id.as_str(),
            i32::MAX
        ))
    })
}
