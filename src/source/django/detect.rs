//! Whether a directory is a Django app's migrations package: named `migrations`, with an
//! `__init__.py`, and a numbered module defining `class Migration`.

use std::io::Read;
use std::path::Path;

use crate::source::bounded;

/// How much of a module discovery reads to find the class.
const HEAD: u64 = 16 * 1024;

#[must_use]
pub(crate) fn is_migrations_package(dir: &Path) -> bool {
    if dir.file_name().is_none_or(|n| n != "migrations") || !dir.join("__init__.py").is_file() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| super::is_candidate(n) && n.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        .collect();
    names.sort();
    names.first().is_some_and(|first| {
        let mut head = Vec::new();
        bounded::open(&dir.join(first))
            .ok()
            .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))
            .and_then(|f| f.take(HEAD).read_to_end(&mut head).ok())
            .is_some()
            && memchr::memmem::find(&head, b"class Migration(").is_some()
    })
}

/// Whether the package holds no module but its `__init__.py`: an app with no migration yet.
#[must_use]
pub(crate) fn is_empty_package(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name();
            name == "__init__.py" || !super::is_candidate(&name.to_string_lossy())
        })
    })
}
