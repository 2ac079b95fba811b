//! Which tool a directory of numbered files belongs to, from the markers each tool leaves:
//! goose's `-- +goose Up`, dbmate's `-- migrate:up` without `-- migrate:revises`, Flyway's
//! `V1__` names, `.up.sql`/`.down.sql` pairs, diesel's `<version>_<name>/up.sql` directories,
//! and for sqlx and refinery, whose files carry no marker, the crate in a `Cargo.toml` above.
// The tools compare extensions as written: `.SQL` is not a migration to any of them.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use std::io::Read;
use std::path::Path;

use crate::layout::Layout;
use crate::source::bounded;

/// How deep below a directory discovery looks for Flyway's names.
const NESTED_DEPTH: usize = 4;

/// How much of a file discovery reads to find a marker.
const HEAD: u64 = 8 * 1024;

/// The layout of the files directly in `dir`, if they carry one tool's markers. `root` bounds
/// the search for a `Cargo.toml`.
#[must_use]
pub(crate) fn layout_of(dir: &Path, root: &Path) -> Option<Layout> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir).ok()?.flatten().collect();
    if entries
        .iter()
        .any(|e| e.file_type().is_ok_and(|t| t.is_dir()) && is_diesel_migration(&e.path()))
    {
        return Some(Layout::Diesel);
    }
    let files: Vec<String> = entries
        .iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut names: Vec<String> = files
        .iter()
        .filter(|n| n.ends_with(".sql"))
        .cloned()
        .collect();
    names.sort();
    // goose's Go migrations register themselves with `goose.AddMigration...`.
    let mut go: Vec<&String> = files.iter().filter(|n| numbered_go(n)).collect();
    go.sort();
    if names.is_empty() {
        let registers = go.first().is_some_and(|first| {
            memchr::memmem::find(&head(&dir.join(first)), b"goose.AddMigration").is_some()
        });
        return registers.then_some(Layout::Goose);
    }
    let numbered = |n: &String| n.bytes().next().is_some_and(|b| b.is_ascii_digit());
    // Flyway and refinery read subdirectories too: a `V1__` name anywhere below counts.
    let nested_flyway = || {
        walkdir::WalkDir::new(dir)
            .max_depth(NESTED_DEPTH)
            .into_iter()
            .flatten()
            .any(|e| e.file_type().is_file() && flyway_name(&e.file_name().to_string_lossy()))
    };
    if names.iter().any(|n| flyway_name(n)) || nested_flyway() {
        return Some(if crate_above(dir, root, "refinery") {
            Layout::Refinery
        } else {
            Layout::Flyway
        });
    }
    if names
        .iter()
        .any(|n| numbered(n) && (n.ends_with(".up.sql") || n.ends_with(".down.sql")))
    {
        return Some(if crate_above(dir, root, "sqlx") {
            Layout::Sqlx
        } else {
            Layout::GolangMigrate
        });
    }
    // The first numbered file decides: a tree is written by one tool.
    let Some(first) = names.iter().find(|n| numbered(n)) else {
        return (!names.is_empty() && refinery_dir(dir, root)).then_some(Layout::Refinery);
    };
    let head = head(&dir.join(first));
    if has_line(&head, |l| {
        l.strip_prefix("--")
            .map(str::trim)
            .and_then(|l| l.strip_prefix("+goose"))
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("up"))
    }) {
        return Some(Layout::Goose);
    }
    if has_line(&head, |l| l.starts_with("-- migrate:up")) {
        // migrate's own files carry `-- migrate:revises`; dbmate's never do.
        return (!has_line(&head, |l| l.starts_with("-- migrate:revises")))
            .then_some(Layout::Dbmate);
    }
    if has_line(&head, |l| l.starts_with("-- migrate:")) {
        return None;
    }
    // sqlx's files carry no marker: only a directory named for migrations (`migrations/`,
    // `meta-migrations/`) is taken for one, not the test fixtures beside them.
    let for_migrations = dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().contains("migration"));
    if for_migrations && crate_above(dir, root, "sqlx") {
        Some(Layout::Sqlx)
    } else {
        refinery_dir(dir, root).then_some(Layout::Refinery)
    }
}

/// Whether `dir` is (or is under) a `migrations` directory of a crate that uses refinery: with
/// no name refinery reads, each file there is one refinery passes over, which is worth saying.
fn refinery_dir(dir: &Path, root: &Path) -> bool {
    dir.ancestors()
        .any(|a| a.file_name().is_some_and(|n| n == "migrations"))
        && crate_above(dir, root, "refinery")
}

/// Whether a file name is a numbered Go file, as goose's Go migrations are named.
#[must_use]
pub(crate) fn numbered_go(name: &str) -> bool {
    name.ends_with(".go")
        && !name.ends_with("_test.go")
        && name.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// Whether `dir` is a diesel migration (`<version>_<name>/` holding `up.sql`): its parent is
/// then a diesel tree.
#[must_use]
pub(crate) fn is_diesel_migration(dir: &Path) -> bool {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    name.is_some_and(|n| {
        matches!(
            super::name::judge(Layout::Diesel, &format!("{n}/up.sql")),
            super::name::Verdict::Migration { .. }
        )
    }) && dir.join("up.sql").is_file()
}

/// `V1__x.sql`, `V1.2__x.sql`, `V1_2__x.sql`, `U1__x.sql`: a Flyway (or refinery) name.
fn flyway_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('V').or_else(|| name.strip_prefix('U')) else {
        return false;
    };
    let version_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.' || *b == b'_')
        .count();
    version_len > 0 && rest[..version_len].contains(|c: char| c.is_ascii_digit()) && {
        let version = &rest[..version_len];
        // `V1__x`: the version's own digits end where `__` begins.
        let trimmed = version.trim_end_matches('_');
        version.len() - trimmed.len() >= 2 || rest[version_len..].starts_with("__")
    }
}

/// The first bytes of a regular file, or nothing.
fn head(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Ok(file) = bounded::open(path)
        && file.metadata().is_ok_and(|m| m.is_file())
    {
        let _ = file.take(HEAD).read_to_end(&mut bytes);
    }
    bytes
}

fn has_line(bytes: &[u8], test: impl Fn(&str) -> bool) -> bool {
    String::from_utf8_lossy(bytes)
        .lines()
        .any(|line| test(line.trim_end()))
}

/// Whether a `Cargo.toml` in `dir` or a directory above it, up to `root`, depends on `krate`.
fn crate_above(dir: &Path, root: &Path, krate: &str) -> bool {
    let mut at = Some(dir);
    while let Some(current) = at {
        if let Ok(text) =
            bounded::read_to_string(&current.join("Cargo.toml"), bounded::CONFIG_LIMIT)
            && depends_on(&text, krate)
        {
            return true;
        }
        if current == root {
            break;
        }
        at = current.parent();
    }
    false
}

/// Whether a manifest names `krate` as a dependency: `sqlx = ...`, `sqlx.workspace = true`, or a
/// `[dependencies.sqlx]` table; or is the crate itself (its own tests' migrations).
fn depends_on(manifest: &str, krate: &str) -> bool {
    manifest.lines().any(|line| {
        let line = line.trim();
        let own_name = line
            .strip_prefix("name")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .is_some_and(|value| value.trim().trim_matches('"') == krate);
        own_name
            || line.strip_prefix(krate).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=')
                    || rest.starts_with(".workspace")
                    || rest.starts_with(".version")
            })
            || line.ends_with(&format!(".{krate}]"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flyway_names() {
        assert!(flyway_name("V1__init.sql"));
        assert!(flyway_name("V1.2__init.sql"));
        assert!(flyway_name("V1_2__init.sql"));
        assert!(flyway_name("U3__undo.sql"));
        assert!(!flyway_name("V_init.sql"));
        assert!(!flyway_name("Views.sql"));
        assert!(!flyway_name("V1_init.sql"));
    }

    #[test]
    fn manifests() {
        assert!(depends_on(
            "[dependencies]\nsqlx = { version = \"0.8\" }\n",
            "sqlx"
        ));
        assert!(depends_on("sqlx.workspace = true", "sqlx"));
        assert!(depends_on("[dependencies.sqlx]\n", "sqlx"));
        assert!(!depends_on("sqlx-core = \"1\"", "sqlx"));
    }
}
