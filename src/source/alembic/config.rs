//! Where an Alembic project keeps its revisions: `script_location` and `version_locations` from
//! `alembic.ini` or `[tool.alembic]` in `pyproject.toml`, and Flask-Migrate's `migrations/versions`.

use std::path::{Path, PathBuf};

use crate::source::bounded;
use crate::source::origin::Origin;
use crate::{Error, relpath};

/// The versions directories a configuration names, and which key named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The directories of one tree, the first where Alembic writes new revisions.
    pub dirs: Vec<PathBuf>,
    /// `recursive_version_locations`.
    pub recursive: bool,
    pub origin: Origin,
}

/// Looks in `root` for `alembic.ini`, then `pyproject.toml` with `[tool.alembic]`.
pub(crate) fn discover(root: &Path) -> Result<Option<Vec<Found>>, Error> {
    let ini = root.join("alembic.ini");
    if ini.is_file() {
        return from_ini(&ini).map(Some);
    }
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        return Ok(from_pyproject(&pyproject)?.map(|found| vec![found]));
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

/// The trees an `alembic.ini` names: its `[alembic]` section's, or, when that section names
/// none, each other section's that does (the configurations `alembic --name` picks from).
pub(crate) fn from_ini(path: &Path) -> Result<Vec<Found>, Error> {
    let shown = relpath::display(path);
    let mut ini = configparser::ini::Ini::new();
    ini.set_multiline(true);
    let text = read_config(path, &shown)?;
    ini.read(text)
        .map_err(|reason| Error::Usage(format!("cannot read `{shown}`: {reason}")))?;
    let here = path.parent().unwrap_or_else(|| Path::new("."));
    if let Some(found) = from_section(&ini, "alembic", here, &shown)? {
        return Ok(vec![found]);
    }
    let mut named = Vec::new();
    for section in ini.sections() {
        if section != "alembic"
            && let Some(found) = from_section(&ini, &section, here, &shown)?
        {
            named.push(found);
        }
    }
    if !named.is_empty() {
        return Ok(named);
    }
    // Flask-Migrate's `alembic.ini` lives in the script directory and leaves
    // `script_location` to the code.
    if here.join("env.py").is_file() && here.join("versions").is_dir() {
        return Ok(vec![Found {
            dirs: vec![here.join("versions")],
            recursive: false,
            origin: Origin::Detected(format!("`{shown}` beside `env.py` (Flask-Migrate)")),
        }]);
    }
    Err(Error::Usage(format!(
        "`{shown}` has no `script_location` in its `[alembic]` section: pass `--dir` with the versions directory"
    )))
}

/// The tree one section of an `alembic.ini` names, when it names one.
fn from_section(
    ini: &configparser::ini::Ini,
    section: &str,
    here: &Path,
    shown: &str,
) -> Result<Option<Found>, Error> {
    let get = |key: &str| ini.get(section, key).filter(|v| !v.trim().is_empty());
    let recursive = get("recursive_version_locations").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on"
        )
    });
    let mut found = if let Some(locations) = get("version_locations") {
        let separator = get("path_separator").or_else(|| get("version_path_separator"));
        let list = split_locations(&locations, separator.as_deref());
        locations_found(&list, here, "version_locations", shown)?
    } else if let Some(script) = get("script_location") {
        script_versions(&script, here, shown)?
    } else {
        return Ok(None);
    };
    found.recursive = recursive;
    Ok(Some(found))
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
    recursive_version_locations: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Locations {
    One(String),
    Many(Vec<String>),
}

/// The tree `[tool.alembic]` in a `pyproject.toml` names, when it has the table.
pub(crate) fn from_pyproject(path: &Path) -> Result<Option<Found>, Error> {
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
    let found = if let Some(locations) = table.version_locations {
        let list = match locations {
            Locations::One(text) => split_locations(&text, None),
            Locations::Many(list) => list,
        };
        locations_found(&list, here, "version_locations", &shown)?
    } else if let Some(script) = table.script_location {
        script_versions(&script, here, &shown)?
    } else {
        return Ok(None);
    };
    Ok(Some(Found {
        recursive: table.recursive_version_locations.unwrap_or(false),
        ..found
    }))
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

fn locations_found(
    list: &[String],
    here: &Path,
    key: &'static str,
    shown: &str,
) -> Result<Found, Error> {
    if list.is_empty() {
        return Err(Error::Usage(format!("`{key}` in `{shown}` is empty")));
    }
    Ok(Found {
        dirs: list
            .iter()
            .map(|location| match package_dir(location, here) {
                Some(dir) => dir,
                None => resolve(location, here),
            })
            .collect(),
        recursive: false,
        origin: Origin::Config {
            key,
            file: shown.to_owned(),
        },
    })
}

fn script_versions(script: &str, here: &Path, shown: &str) -> Result<Found, Error> {
    let origin = Origin::Config {
        key: "script_location",
        file: shown.to_owned(),
    };
    let dir = if is_package_location(script) {
        package_dir(script, here).ok_or_else(|| {
            Error::Usage(format!(
                "`script_location = {script}` in `{shown}` names a directory inside the Python package `{}`, which is not in or above the directory of `{shown}`, nor under a `src/` there: pass `--dir` with the versions directory",
                script.split(':').next().unwrap_or(script)
            ))
        })?
    } else {
        resolve(script, here)
    };
    Ok(Found {
        dirs: vec![dir.join("versions")],
        recursive: false,
        origin,
    })
}

/// A package resource, as Alembic decides (`coerce_resource_to_filename`): a location that is
/// not absolute and holds a colon, `package:path` or `pkg:sub:dir`.
fn is_package_location(location: &str) -> bool {
    let location = location.trim();
    location.contains(':') && !location.contains("%(here)s") && !Path::new(location).is_absolute()
}

/// Where a package resource is, found as Python would find the package in a checkout: in the
/// configuration file's directory or one above it, or under `src/` there (the "src layout").
/// The tokens after the package are path components, as Alembic joins them.
fn package_dir(location: &str, here: &Path) -> Option<PathBuf> {
    if !is_package_location(location) {
        return None;
    }
    let mut tokens = location.trim().split(':');
    let package = tokens.next()?.replace('.', "/");
    let inside: PathBuf = tokens.filter(|t| !t.is_empty()).collect();
    let here = std::path::absolute(here).unwrap_or_else(|_| here.to_path_buf());
    here.ancestors()
        .flat_map(|dir| [dir.join(&package), dir.join("src").join(&package)])
        .map(|dir| dir.join(&inside))
        .find(|dir| dir.is_dir())
        .map(|dir| crate::relpath::display(&dir).into())
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
            "[tool.alembic]\nscript_location = \"%(here)s/db\"\nrecursive_version_locations = true\n",
        )
        .unwrap();
        let found = discover(root).unwrap().unwrap().remove(0);
        assert_eq!(found.dirs, [root.join("db/versions")]);
        assert!(found.recursive);
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = alembic\n# a comment\nversion_locations = %(here)s/one %(here)s/two\n",
        )
        .unwrap();
        let found = discover(root).unwrap().unwrap().remove(0);
        assert_eq!(found.dirs, [root.join("one"), root.join("two")]);
        assert!(!found.recursive);
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = app:migrations\n",
        )
        .unwrap();
        assert!(
            discover(root)
                .unwrap_err()
                .to_string()
                .contains("Python package `app`")
        );
        std::fs::create_dir_all(root.join("src/app/db/migrations")).unwrap();
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = app.db:migrations\n",
        )
        .unwrap();
        assert_eq!(
            discover(root).unwrap().unwrap()[0].dirs,
            [root.join("src/app/db/migrations/versions")]
        );
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = alembic\n",
        )
        .unwrap();
        assert_eq!(
            discover(root).unwrap().unwrap()[0].dirs,
            [root.join("alembic/versions")]
        );
    }
}
