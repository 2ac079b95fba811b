//! What `migrate.toml` says about lint: where `migrate lint` starts, the PostgreSQL version
//! squawk judges for, and whether down sections are linted.

use std::path::Path;
use std::str::FromStr;

use super::config_file::ConfigFile;
use crate::{Error, relpath};

/// The default target: the oldest PostgreSQL still supported when this was written that most
/// managed services run.
const DEFAULT_PG_VERSION: &str = "15";

/// Lint's settings.
#[derive(Debug, Clone)]
pub(crate) struct LintSettings {
    /// `lint_from`: `migrate lint` without revisions lints those after this one.
    pub from: Option<String>,
    /// `pg_version`: the PostgreSQL major version the revisions will run on.
    pub pg_version: squawk_linter::Version,
    /// The major version alone, for `migrate`'s own version-dependent rules.
    pub pg_major: u32,
    /// Whether `pg_version` is written in the file, rather than the default.
    pub written: bool,
    /// `lint_down`: lint down sections too.
    pub down: bool,
}

impl Default for LintSettings {
    fn default() -> LintSettings {
        LintSettings {
            from: None,
            pg_version: squawk_linter::Version::default(),
            pg_major: 15,
            written: false,
            down: false,
        }
    }
}

impl LintSettings {
    /// Reads the keys; a version that is no version is an error naming the file and line.
    pub(crate) fn parse(file: &Path, text: &str, c: &ConfigFile) -> Result<LintSettings, Error> {
        let (written, line) = match &c.pg_version {
            Some(v) => (
                v.get_ref().to_string(),
                text[..v.span().start.min(text.len())].matches('\n').count() + 1,
            ),
            None => (DEFAULT_PG_VERSION.to_owned(), 0),
        };
        let bad = || Error::ConfigValue {
            path: relpath::display(file),
            line,
            message: format!(
                "`pg_version` must be a PostgreSQL version such as 15 or \"16.2\", not `{written}`"
            ),
        };
        let major = written
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|m| (9..100).contains(m))
            .ok_or_else(bad)?;
        let pg_version = squawk_linter::Version::from_str(&written).map_err(|_| bad())?;
        Ok(LintSettings {
            from: c.lint_from.clone(),
            pg_version,
            pg_major: major,
            written: c.pg_version.is_some(),
            down: c.lint_down.unwrap_or(false),
        })
    }
}
