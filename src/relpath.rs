//! How paths are shown: relative to the working directory when they lie under it, always with `/`.

use std::path::{Component, Path};

/// Renders `path` for output: relative where possible, `/`-separated, without a leading `./`.
#[must_use]
pub(crate) fn display(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    if parts.is_empty() {
        return ".".to_owned();
    }
    parts.join("/")
}

/// Joins a displayed directory and a file name the way `display` would show the joined path.
#[must_use]
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir == "." {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_dot_and_uses_slashes() {
        assert_eq!(display(Path::new("./db/migrations")), "db/migrations");
        assert_eq!(display(Path::new(".")), ".");
        assert_eq!(display(Path::new("/abs/dir")), "/abs/dir");
    }

    #[test]
    fn relative_to_cwd() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display(&cwd.join("migrations")), "migrations");
    }

    #[test]
    fn join_skips_dot() {
        assert_eq!(join(".", "001_a.sql"), "001_a.sql");
        assert_eq!(join("migrations", "001_a.sql"), "migrations/001_a.sql");
    }
}
