//! Where an Alembic project keeps its revisions: `script_location` and `version_locations` from
//! `alembic.ini` or `[tool.alembic]` in `pyproject.toml`, and Flask-Migrate's `migrations/versions`.

use std::path::{Path, PathBuf};

use crate::settings::Origin;
use crate::source::bounded;
use crate::{Error, relpath};

/// The versions directory a configuration names, and which key named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub dir: PathBuf,
    pub origin: Origin,
}

/// Looks in `root` for `alembic.ini`, then `pyproject.toml`, then a Flask-Migrate layout.
pub(crate) fn discover(root: &Path) -> Result<Option<Found>, Error> {
    let ini = root.join("alembic.ini");
    if ini.is_file() {
        return from_ini(&ini).map(Some);
    }
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file()
        && let Some(found) = from_pyproject(&pyproject)?
    {
        return Ok(Some(found));
    }
    // Flask-Migrate keeps Alembic's script directory in `migrations/`, its ini file inside it.
    let flask = root.join("migrations");
    if flask.join("env.py").is_file() && flask.join("versions").is_dir() {
        return Ok(Some(Found {
            dir: flask.join("versions"),
            origin: Origin::Detected("`migrations/env.py` (Flask-Migrate)".to_owned()),
        }));
    }
    Ok(None)
}

/// A configuration file's text, bounded like every file `migrate` reads.
fn read_config(path: &Path, shown: &str) -> Result<String, Error> {
    bounded::read_to_string(path, bounded::CONFIG_LIMIT).map_err(|source| Error::Io {
        action: "read",
        path: shown.to_owned(),
        source,
    })
}

fn from_ini(path: &Path) -> Result<Found, Error> {
    let shown = relpath::display(path);
    let mut ini = configparser::ini::Ini::new();
    ini.set_multiline(true);
    let text = read_config(path, &shown)?;
    ini.read(text)
        .map_err(|reason| Error::Usage(format!("cannot read `{shown}`: {reason}")))?;
    let here = path.parent().unwrap_or_else(|| Path::new("."));
    let get = |key: &str| ini.get("alembic", key).filter(|v| !v.trim().is_empty());
    if let Some(locations) = get("version_locations") {
        let separator = get("path_separator").or_else(|| get("version_path_separator"));
        let list = split_locations(&locations, separator.as_deref());
        return one_location(&list, here, "version_locations", &shown);
    }
    let Some(script) = get("script_location") else {
        return Err(Error::Usage(format!(
            "`{shown}` has no `script_location` in its `[alembic]` section: pass `--dir` with the versions directory"
        )));
    };
    script_versions(&script, here, &shown)
}

#[derive(serde::Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(serde::Deserialize)]
struct Tool {
    alembic: Option<AlembicTable>,
}

#[derive(serde::Deserialize)]
struct AlembicTable {
    script_location: Option<String>,
    version_locations: Option<Locations>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Locations {
    One(String),
    Many(Vec<String>),
}

fn from_pyproject(path: &Path) -> Result<Option<Found>, Error> {
    let shown = relpath::display(path);
    let text = read_config(path, &shown)?;
    let parsed: Pyproject = toml::from_str(&text).map_err(|source| Error::Config {
        path: shown.clone(),
        source,
    })?;
    let Some(table) = parsed.tool.and_then(|t| t.alembic) else {
        return Ok(None);
    };
    let here = path.parent().unwrap_or_else(|| Path::new("."));
    if let Some(locations) = table.version_locations {
        let list = match locations {
            Locations::One(text) => split_locations(&text, None),
            Locations::Many(list) => list,
        };
        return one_location(&list, here, "version_locations", &shown).map(Some);
    }
    match table.script_location {
        Some(script) => script_versions(&script, here, &shown).map(Some),
        None => Ok(None),
    }
}

/// Splits `version_locations` as Alembic does: by the configured separator, else by spaces
/// and commas.
fn split_locations(text: &str, separator: Option<&str>) -> Vec<String> {
    let split: Vec<&str> = match separator.map(str::trim) {
        Some("space") => text.split(' ').collect(),
        Some("newline") => text.split('\n').collect(),
        Some("os" | ":") => text.split(':').collect(),
        Some(";") => text.split(';').collect(),
        _ => text.split([' ', ',', '\n']).collect(),
    };
    split
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn one_location(
    list: &[String],
    here: &Path,
    key: &'static str,
    shown: &str,
) -> Result<Found, Error> {
    match list {
        [one] => Ok(Found {
            dir: resolve(one, here),
            origin: Origin::Config {
                key,
                file: shown.to_owned(),
            },
        }),
        [] => Err(Error::Usage(format!("`{key}` in `{shown}` is empty"))),
        many => Err(Error::Usage(format!(
            "`{key}` in `{shown}` lists {} directories ({}); migrate reads one versions directory: pass `--dir`",
            many.len(),
            many.join(", ")
        ))),
    }
}

fn script_versions(script: &str, here: &Path, shown: &str) -> Result<Found, Error> {
    // `package:path` names a directory inside an installed Python package: only Python knows where.
    if script.contains(':') && !script.contains(['/', '\\']) && !script.contains("%(here)s") {
        return Err(Error::Usage(format!(
            "`script_location = {script}` in `{shown}` names a Python package, which migrate cannot locate without Python: pass `--dir` with the versions directory"
        )));
    }
    Ok(Found {
        dir: resolve(script, here).join("versions"),
        origin: Origin::Config {
            key: "script_location",
            file: shown.to_owned(),
        },
    })
}

/// A location from the configuration: `%(here)s` is the configuration file's directory, and a
/// relative path is relative to it too (Alembic runs from there).
fn resolve(location: &str, here: &Path) -> PathBuf {
    let here_text = here.to_string_lossy();
    let here_text = if here_text.is_empty() {
        "."
    } else {
        &here_text
    };
    let expanded = location.trim().replace("%(here)s", here_text);
    let path = PathBuf::from(expanded);
    if path.is_absolute() || location.contains("%(here)s") {
        path
    } else {
        here.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split_as_alembic_splits_them() {
        assert_eq!(split_locations("a b,c", None), ["a", "b", "c"]);
        assert_eq!(split_locations("a b:c", Some("os")), ["a b", "c"]);
        assert_eq!(split_locations("a;b", Some(";")), ["a", "b"]);
    }

    #[test]
    fn here_is_the_file_directory() {
        assert_eq!(
            resolve("%(here)s/alembic/versions", Path::new("proj")),
            PathBuf::from("proj/alembic/versions")
        );
        assert_eq!(resolve("alembic", Path::new("")), PathBuf::from("alembic"));
    }

    #[test]
    fn reads_alembic_ini_and_pyproject() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("pyproject.toml"),
            "[tool.alembic]\nscript_location = \"%(here)s/db\"\n",
        )
        .unwrap();
        let found = discover(root).unwrap().unwrap();
        assert_eq!(found.dir, root.join("db/versions"));
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = alembic\n# a comment\nversion_locations = %(here)s/one %(here)s/two\n",
        )
        .unwrap();
        let error = discover(root).unwrap_err().to_string();
        assert!(error.contains("lists 2 directories"), "{error}");
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = app:migrations\n",
        )
        .unwrap();
        assert!(
            discover(root)
                .unwrap_err()
                .to_string()
                .contains("Python package")
        );
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = alembic\n",
        )
        .unwrap();
        assert_eq!(
            discover(root).unwrap().unwrap().dir,
            root.join("alembic/versions")
        );
    }
}
