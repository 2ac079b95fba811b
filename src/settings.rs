//! Settings, resolved once: flags beat the environment, which beats `migrate.toml`, which beats defaults.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{ColorChoice, DirFormatChoice, GlobalArgs};
use crate::revision::DirFormat;
use crate::source::alembic::config as alembic_config;
use crate::source::bounded;
use crate::{Error, relpath};

/// The configuration file read when `--config` and `MIGRATE_CONFIG` are not given.
pub(crate) const DEFAULT_CONFIG: &str = "migrate.toml";
/// The migrations directory when nothing else names one.
pub(crate) const DEFAULT_DIR: &str = "migrations";

/// The validated settings every command runs with.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The migrations directory, as a path to open.
    pub dir: PathBuf,
    /// The migrations directory as output shows it.
    pub display_dir: String,
    /// Which setting chose the directory, for error messages.
    pub dir_origin: Origin,
    /// Whether to colour output.
    pub color: bool,
    /// The database URL and the setting it came from; commands that connect require it.
    pub database_url: Option<(String, Origin)>,
    /// The history table, schema-qualified.
    pub history_table: HistoryTable,
    /// Whether the history table was named (else Alembic trees use `alembic_version`).
    pub history_table_named: bool,
    /// `head_file` in the configuration file; unset means "when `migrations/HEAD` exists".
    pub head_file: Option<bool>,
    /// Paths the stale-reference scan skips, relative to the configuration file's directory.
    pub exclude: Vec<PathBuf>,
    /// How the migrations directory is written; `None` detects it from the files.
    pub dir_format: Option<DirFormat>,
    /// `lock_timeout`, `statement_timeout` and `lock_retries` in the configuration file.
    pub run: RunConfig,
}

/// The run settings `migrate.toml` may give; flags beat them, and they beat the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RunConfig {
    pub(crate) lock_timeout: Option<std::time::Duration>,
    pub(crate) statement_timeout: Option<std::time::Duration>,
    pub(crate) lock_retries: Option<u32>,
}

/// The schema-qualified name of refinery's history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryTable {
    pub schema: String,
    pub name: String,
}

impl HistoryTable {
    /// Reads `schema.table`, or a bare `table` in `public`.
    pub(crate) fn parse(text: &str) -> Result<HistoryTable, Error> {
        let (schema, name) = text.split_once('.').unwrap_or(("public", text));
        let valid = |part: &str| {
            !part.is_empty()
                && part.len() <= 63
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !part.starts_with(|c: char| c.is_ascii_digit())
        };
        if !valid(schema) || !valid(name) {
            return Err(Error::Usage(format!(
                "invalid history table `{text}`: write `schema.table` in lower case letters, digits and `_`"
            )));
        }
        Ok(HistoryTable {
            schema: schema.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable {
            schema: "public".to_owned(),
            name: "refinery_schema_history".to_owned(),
        }
    }
}

impl fmt::Display for HistoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key in a configuration file.
    Config { key: &'static str, file: String },
    /// Found by looking at the project, as described.
    Detected(String),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "`{flag}`"),
            Origin::Env(var) => write!(f, "`{var}`"),
            Origin::Config { key, file } => write!(f, "`{key}` in `{file}`"),
            Origin::Detected(what) => write!(f, "{what}; set `--dir` to choose another"),
            Origin::Default => write!(
                f,
                "the default; set `--dir`, `MIGRATE_DIR` or `dir` in `{DEFAULT_CONFIG}`"
            ),
        }
    }
}

/// The contents of `migrate.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// The migrations directory, relative to the configuration file.
    pub dir: Option<PathBuf>,
    /// The database URL; better kept in the environment when it holds a password.
    pub database_url: Option<String>,
    /// The history table, `schema.table`.
    pub history_table: Option<String>,
    /// Whether `migrations/HEAD` names the head, so that git reports two heads as a conflict.
    pub head_file: Option<bool>,
    /// Files and directories the stale-reference scan skips.
    #[serde(default)]
    pub exclude: Vec<PathBuf>,
    /// How the migrations directory is written; `format` is accepted too, as Alembic users
    /// write it.
    #[serde(alias = "format")]
    pub dir_format: Option<DirFormatChoice>,
    /// PostgreSQL's `lock_timeout` for the revisions' statements, as `2s`.
    pub lock_timeout: Option<String>,
    /// PostgreSQL's `statement_timeout` for the revisions' statements, as `10m`.
    pub statement_timeout: Option<String>,
    /// How often a revision that timed out waiting for a lock is tried again.
    pub lock_retries: Option<u32>,
}

impl Settings {
    /// Resolves the settings from the command line, the environment and the configuration file.
    pub(crate) fn resolve(args: &GlobalArgs) -> Result<Settings, Error> {
        let config = load_config(args)?;
        let env_dir = std::env::var_os("MIGRATE_DIR").filter(|v| !v.is_empty());
        let (dir, dir_origin) = if let Some(dir) = &args.dir {
            (dir.clone(), Origin::Flag("--dir"))
        } else if let Some(dir) = env_dir {
            (PathBuf::from(dir), Origin::Env("MIGRATE_DIR"))
        } else if let Some((file, dir)) = config
            .as_ref()
            .and_then(|(file, c)| c.dir.clone().map(|d| (file, d)))
        {
            // A directory in the configuration file is relative to that file, not to the caller.
            let base = file.parent().unwrap_or_else(|| Path::new("."));
            (
                base.join(dir),
                Origin::Config {
                    key: "dir",
                    file: relpath::display(file),
                },
            )
        } else {
            (PathBuf::from(DEFAULT_DIR), Origin::Default)
        };
        let mut dir_format = dir_format(args, config.as_ref());
        // Without a directory named anywhere, an Alembic project says where its revisions are.
        let (dir, dir_origin) = match (&dir_origin, dir_format) {
            (Origin::Default, None | Some(DirFormat::Alembic)) => {
                match alembic_config::discover(Path::new("."))? {
                    Some(found) => {
                        dir_format = Some(DirFormat::Alembic);
                        (strip_dot(&found.dir), found.origin)
                    }
                    None => (dir, dir_origin),
                }
            }
            _ => (dir, dir_origin),
        };
        let database_url = database_url(args, config.as_ref());
        let configured = config.as_ref().and_then(|(_, c)| c.history_table.as_ref());
        let history_table_named = args.history_table.as_ref().or(configured);
        let history_table = match history_table_named {
            Some(table) => HistoryTable::parse(table)?,
            None => HistoryTable::default(),
        };
        let (head_file, exclude) = match &config {
            Some((file, c)) => {
                let base = file.parent().unwrap_or_else(|| Path::new("."));
                (
                    c.head_file,
                    c.exclude.iter().map(|p| base.join(p)).collect(),
                )
            }
            None => (None, Vec::new()),
        };
        let run = match &config {
            Some((file, c)) => {
                let duration = |key: &str, value: &Option<String>| {
                    value
                        .as_deref()
                        .map(|v| {
                            humantime::parse_duration(v).map_err(|_| {
                                Error::Usage(format!(
                                    "`{key}` in `{}` must be a duration such as `2s` or `10m`, not `{v}`",
                                    relpath::display(file)
                                ))
                            })
                        })
                        .transpose()
                };
                RunConfig {
                    lock_timeout: duration("lock_timeout", &c.lock_timeout)?,
                    statement_timeout: duration("statement_timeout", &c.statement_timeout)?,
                    lock_retries: c.lock_retries,
                }
            }
            None => RunConfig::default(),
        };
        Ok(Settings {
            run,
            database_url,
            history_table_named: history_table_named.is_some(),
            history_table,
            dir_format,
            head_file,
            exclude,
            display_dir: relpath::display(&dir),
            dir,
            dir_origin,
            color: color_enabled(args.color),
        })
    }
}

/// `--dir-format` (or `MIGRATE_DIR_FORMAT`, which clap reads), then `dir_format` in the
/// configuration file; `None` means "detect it".
fn dir_format(args: &GlobalArgs, config: Option<&(PathBuf, ConfigFile)>) -> Option<DirFormat> {
    let choice = args
        .dir_format
        .or_else(|| config.and_then(|(_, c)| c.dir_format));
    match choice {
        None | Some(DirFormatChoice::Auto) => None,
        Some(DirFormatChoice::Sql) => Some(DirFormat::Sql),
        Some(DirFormatChoice::Alembic) => Some(DirFormat::Alembic),
    }
}

/// `./alembic/versions` as `alembic/versions`, so that output shows paths as people write them.
fn strip_dot(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// The sources of the database URL, in the order they are tried.
pub(crate) const DATABASE_URL_SOURCES: &str =
    "`--database-url`, `MIGRATE_DATABASE_URL`, `DATABASE_URL` or `database_url` in migrate.toml";

impl Settings {
    /// The database URL, or an error naming every place it can be set.
    pub(crate) fn require_database_url(&self) -> Result<&str, Error> {
        self.database_url
            .as_ref()
            .map(|(url, _)| url.as_str())
            .ok_or_else(|| Error::Database(format!("no database URL: set {DATABASE_URL_SOURCES}")))
    }
}

fn database_url(
    args: &GlobalArgs,
    config: Option<&(PathBuf, ConfigFile)>,
) -> Option<(String, Origin)> {
    let env = |name: &'static str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (v, Origin::Env(name)))
    };
    args.database_url
        .clone()
        .map(|url| (url, Origin::Flag("--database-url")))
        .or_else(|| env("MIGRATE_DATABASE_URL"))
        .or_else(|| env("DATABASE_URL"))
        .or_else(|| {
            config.and_then(|(file, c)| {
                c.database_url.clone().map(|url| {
                    (
                        url,
                        Origin::Config {
                            key: "database_url",
                            file: relpath::display(file),
                        },
                    )
                })
            })
        })
}

fn load_config(args: &GlobalArgs) -> Result<Option<(PathBuf, ConfigFile)>, Error> {
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
    Ok(Some((path, config)))
}

fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && std::io::stdout().is_terminal()
        }
    }
}
