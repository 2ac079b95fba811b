//! `migrate.toml` as written: its keys, read once, with the places of the keys that are
//! checked after parsing (rule names), so that an error names the file and line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::DEFAULT_CONFIG;
use crate::cli::{DirFormatChoice, GlobalArgs, PoolMode};
use crate::source::bounded;
use crate::{Error, relpath};

/// The contents of `migrate.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// The migrations directory, relative to the configuration file.
    pub dir: Option<PathBuf>,
    /// One tree spread over several directories, as Alembic's `version_locations`; the first
    /// is where new revisions are written.
    pub dirs: Option<Vec<PathBuf>>,
    /// Whether revisions in subdirectories of the directories are read, as Alembic's
    /// `recursive_version_locations`.
    pub recursive: Option<bool>,
    /// The heads the tree is meant to have, by id or branch label, for trees whose labels
    /// cannot be read without Python.
    pub heads: Option<Vec<String>>,
    /// A severity for a rule by its name: `"error"`, `"warning"` or `"off"`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Rule severities for some paths only: glob, then rules as in `[rules]`.
    #[serde(default, rename = "per-path-rules", alias = "per_path_rules")]
    pub per_path_rules: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>,
    /// The database URL; better kept in the environment when it holds a password.
    pub database_url: Option<String>,
    /// The history table, `schema.table`.
    pub history_table: Option<String>,
    /// Whether `migrations/HEAD` names the head, so that git reports two heads as a conflict.
    pub head_file: Option<bool>,
    /// The git ref whose revisions have shipped, beside the remote's default branch.
    pub base: Option<String>,
    /// Files and directories that discovery and the stale-reference scan skip: paths or
    /// globs, relative to the configuration file, as in `.gitignore`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// How the migrations directory is written; `format` and `layout` are accepted too, as
    /// Alembic users and the users of other tools write it.
    #[serde(alias = "format", alias = "layout")]
    pub dir_format: Option<DirFormatChoice>,
    /// PostgreSQL's `lock_timeout` for the revisions' statements, as `2s`.
    pub lock_timeout: Option<String>,
    /// PostgreSQL's `statement_timeout` for the revisions' statements, as `10m`.
    pub statement_timeout: Option<String>,
    /// How often a revision that timed out waiting for a lock is tried again.
    pub lock_retries: Option<u32>,
    /// Whether the path to the server keeps each session on one server connection.
    pub pool_mode: Option<PoolMode>,
    /// The server binaries `verify` and `schema` make their throwaway cluster from: a major
    /// (`18`) or a directory.
    pub postgres: Option<String>,
    /// `migrate lint` without revisions lints the revisions after this one.
    pub lint_from: Option<String>,
    /// The PostgreSQL version lint judges the revisions for (default 15).
    pub pg_version: Option<PgVersionKey>,
    /// Whether lint reads down sections too.
    pub lint_down: Option<bool>,
    /// `[verify]`: the fixtures `migrate verify` loads at its target, and their cleanup.
    pub verify: Option<VerifyConfig>,
    /// `[targets]`: the target list of a fleet run.
    pub targets: Option<super::TargetsConfig>,
}

/// `[verify]` in migrate.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyConfig {
    /// SQL files loaded at the target, in order, relative to migrate.toml.
    #[serde(default)]
    pub fixtures: Vec<PathBuf>,
    /// SQL files that remove what the fixtures loaded, run after them.
    #[serde(default)]
    pub cleanup: Vec<PathBuf>,
}

pub(super) fn load_config(
    args: &GlobalArgs,
) -> Result<Option<(PathBuf, String, ConfigFile)>, Error> {
    let named = args.config.clone().or_else(|| {
        std::env::var_os("MIGRATE_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let (path, required) = match named {
        Some(path) => (path, true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    let text = match bounded::read_to_string(&path, bounded::CONFIG_LIMIT) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: relpath::display(&path),
                source,
            });
        }
    };
    let config = toml::from_str(&text).map_err(|source| Error::Config {
        path: relpath::display(&path),
        source,
    })?;
    Ok(Some((path, text, config)))
}

/// `pg_version` as written: a number (`15`) or a string (`"16.2"`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum PgVersion {
    Number(u32),
    Text(String),
}

impl std::fmt::Display for PgVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgVersion::Number(n) => write!(f, "{n}"),
            PgVersion::Text(t) => f.write_str(t),
        }
    }
}

/// The key's value with its place in the file.
pub(crate) type PgVersionKey = Spanned<PgVersion>;
