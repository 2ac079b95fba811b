//! Settings, resolved once: flags beat the environment, which beats `migrate.toml`, which beats defaults.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

mod config_file;
mod run_config;

pub(crate) use run_config::RunConfig;
use run_config::run_config;
#[cfg(test)]
mod for_tests;
mod history_table;
mod lint;
mod rules;
mod targets;

use crate::cli::{ColorChoice, DirFormatChoice, GlobalArgs};
use crate::layout::Layout;
use crate::revision::DirFormat;
use crate::source::alembic::config as alembic_config;
use crate::source::discover::{self, Tree};
use crate::walker::Exclude;
use crate::{Error, relpath};
#[cfg(test)]
pub(crate) use config_file::ConfigFile;
#[cfg(not(test))]
use config_file::ConfigFile;
use config_file::load_config;
pub(crate) use history_table::HistoryTable;
pub(crate) use lint::LintSettings;
pub(crate) use rules::RuleSettings;
pub(crate) use targets::{TargetSettings, TargetsConfig};

pub(crate) use crate::source::origin::{DEFAULT_CONFIG, Origin};
/// The migrations directory when nothing else names one.
pub(crate) const DEFAULT_DIR: &str = "migrations";

/// How long a revision's statement may wait for a lock before it gives up and is tried again:
/// a DDL statement waiting for its lock makes every later query on the table wait behind it, so
/// two seconds of that, then a pause that lets the queue drain, beats an outage.
pub(crate) const DEFAULT_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The validated settings every command runs with.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each is one setting, resolved on its own"
)]
pub(crate) struct Settings {
    /// The migrations directory, as a path to open: the tree's first directory, where new
    /// revisions and the head file go.
    pub dir: PathBuf,
    /// The tree's other directories (`--dir` given again, `dirs`, `version_locations`).
    pub more_dirs: Vec<PathBuf>,
    /// Whether subdirectories of the tree's directories are read.
    pub recursive: bool,
    /// `--recursive` or `recursive = true`: every tree is read recursively.
    pub recursive_always: bool,
    /// Every tree discovery found, when it found more than one: `check` checks each, and the
    /// commands that act on one tree refuse.
    pub trees: Vec<Tree>,
    /// What discovery could not read and went on without, for the command to say.
    pub warnings: Vec<String>,
    /// `heads` in the configuration file.
    pub heads: Option<Vec<String>>,
    /// `[rules]` and `[per-path-rules]` in the configuration file.
    pub rules: RuleSettings,
    /// `[verify]`: fixtures to load at the target, then their cleanup, relative to the
    /// configuration file's directory.
    pub verify_fixtures: Vec<PathBuf>,
    pub verify_cleanup: Vec<PathBuf>,
    /// The migrations directory as output shows it.
    pub display_dir: String,
    /// Which setting chose the directory, for error messages.
    pub dir_origin: Origin,
    /// Whether to colour output.
    pub color: bool,
    /// `[targets]`: the target list of a fleet run when no flag names one.
    pub targets: TargetSettings,
    /// The database URL and the setting it came from; commands that connect require it.
    pub database_url: Option<(String, Origin)>,
    /// The history table, schema-qualified.
    pub history_table: HistoryTable,
    /// Whether the history table was named (else Alembic trees use `alembic_version`).
    pub history_table_named: bool,
    /// `head_file` in the configuration file; unset means "when `migrations/HEAD` exists".
    pub head_file: Option<bool>,
    /// `base` in the configuration file: a git ref whose revisions have shipped.
    pub base: Option<String>,
    /// What discovery and the stale-reference scan skip, relative to the configuration file.
    pub exclude: Exclude,
    /// How the migrations directory is written; `None` detects it from the files.
    pub dir_format: Option<DirFormat>,
    /// `lock_timeout`, `statement_timeout` and `lock_retries` in the configuration file.
    pub run: RunConfig,
    /// `lint_from`, `pg_version` and `lint_down`.
    pub lint: LintSettings,
    /// The server binaries for a throwaway cluster (`MIGRATE_POSTGRES_BIN`, else `postgres` in
    /// the configuration file); `--postgres` beats both.
    pub postgres: Option<(String, Origin)>,
}

impl Settings {
    /// Resolves the settings from the command line, the environment and the configuration file.
    pub(crate) fn resolve(args: &GlobalArgs) -> Result<Settings, Error> {
        let config = load_config(args)?;
        let file = config.as_ref().map(|(file, _, c)| (file, c));
        let base = file
            .map_or(Path::new(""), |(f, _)| f.parent().unwrap_or(Path::new("")))
            .to_path_buf();
        let exclude = Exclude {
            base: if base.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                base.clone()
            },
            entries: file.map(|(_, c)| c.exclude.clone()).unwrap_or_default(),
        };
        let mut dir_format = dir_format(args, file);
        let mut tree = chosen_tree(args, file, &base);
        let recursive_always =
            args.recursive || file.and_then(|(_, c)| c.recursive).unwrap_or(false);
        let mut trees = Vec::new();
        let mut warnings = Vec::new();
        // Without a directory named anywhere, the project says where its revisions are.
        if tree.origin == Origin::Default && dir_format != Some(DirFormat::Sql) {
            let configured = alembic_config::discover(Path::new("."))?;
            if configured.is_some() || !holds_native_revisions(Path::new(DEFAULT_DIR)) {
                let found = if let Some(configured) = configured {
                    configured
                        .into_iter()
                        .flat_map(|found| {
                            let origin = found.origin.clone();
                            discover::alembic_trees(found, origin)
                        })
                        .collect()
                } else {
                    let (found, said) = discover::trees(Path::new("."), &exclude)?;
                    warnings.extend(said);
                    found
                };
                if let Some(first) = found.first() {
                    dir_format = dir_format.or(first.format);
                    tree = Tree {
                        dirs: first.dirs.iter().map(|d| strip_dot(d)).collect(),
                        ..first.clone()
                    };
                }
                if found.len() > 1 {
                    trees = found;
                }
            }
        }
        let database_url = database_url(args, file);
        let configured = file.and_then(|(_, c)| c.history_table.as_ref());
        let history_table_named = args.history_table.as_ref().or(configured);
        let history_table = match history_table_named {
            Some(table) => HistoryTable::parse(table)?,
            None => HistoryTable::default(),
        };
        let rules = match &config {
            Some((path, text, c)) => RuleSettings::parse(path, text, &c.rules, &c.per_path_rules)?,
            None => RuleSettings::default(),
        };
        let mut run = match file {
            Some((file, c)) => run_config(file, c)?,
            None => RunConfig::default(),
        };
        run.pool_mode = args.pool_mode.or(run.pool_mode);
        let lint = match &config {
            Some((path, text, c)) => LintSettings::parse(path, text, c)?,
            None => LintSettings::default(),
        };
        let mut dirs = tree.dirs.into_iter();
        let dir = dirs.next().unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
        Ok(Settings {
            run,
            lint,
            postgres: postgres(file),
            targets: TargetSettings::from_config(file.and_then(|(_, c)| c.targets.as_ref()), &base),
            database_url,
            history_table_named: history_table_named.is_some(),
            history_table,
            dir_format,
            head_file: file.and_then(|(_, c)| c.head_file),
            base: file.and_then(|(_, c)| c.base.clone()),
            exclude,
            display_dir: relpath::display(&dir),
            dir,
            more_dirs: dirs.collect(),
            recursive: tree.recursive || recursive_always,
            recursive_always,
            trees,
            warnings,
            heads: file.and_then(|(_, c)| c.heads.clone()),
            rules,
            verify_fixtures: verify_files(file, &base, |v| &v.fixtures),
            verify_cleanup: verify_files(file, &base, |v| &v.cleanup),
            dir_origin: tree.origin,
            color: color_enabled(args.color),
        })
    }

    /// These settings for one tree of several that discovery found.
    #[must_use]
    pub(crate) fn for_tree(&self, tree: &Tree) -> Settings {
        let mut dirs = tree.dirs.iter().map(|d| strip_dot(d));
        let dir = dirs.next().unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
        Settings {
            display_dir: relpath::display(&dir),
            dir,
            more_dirs: dirs.collect(),
            recursive: tree.recursive || self.recursive_always,
            dir_format: tree.format.or(self.dir_format),
            dir_origin: tree.origin.clone(),
            trees: Vec::new(),
            warnings: Vec::new(),
            ..self.clone()
        }
    }

    /// Every directory of the tree, the first first.
    pub(crate) fn dirs(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.dir.as_path()).chain(self.more_dirs.iter().map(PathBuf::as_path))
    }
}

/// The server binaries for a throwaway cluster: `MIGRATE_POSTGRES_BIN`, else `postgres` in the
/// configuration file.
fn postgres(file: Option<(&PathBuf, &ConfigFile)>) -> Option<(String, Origin)> {
    std::env::var("MIGRATE_POSTGRES_BIN")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| (v, Origin::Env("MIGRATE_POSTGRES_BIN")))
        .or_else(|| {
            file.and_then(|(file, c)| {
                let origin = Origin::Config {
                    key: "postgres",
                    file: relpath::display(file),
                };
                c.postgres.clone().map(|v| (v, origin))
            })
        })
}

/// Files of `[verify]`, relative to the configuration file.
fn verify_files(
    file: Option<(&PathBuf, &ConfigFile)>,
    base: &Path,
    pick: impl Fn(&config_file::VerifyConfig) -> &Vec<PathBuf>,
) -> Vec<PathBuf> {
    file.and_then(|(_, c)| c.verify.as_ref())
        .map(|v| pick(v).iter().map(|p| base.join(p)).collect())
        .unwrap_or_default()
}

/// The tree the command line, the environment or the configuration file names, else the
/// default directory.
fn chosen_tree(args: &GlobalArgs, file: Option<(&PathBuf, &ConfigFile)>, base: &Path) -> Tree {
    let tree = |dirs: Vec<PathBuf>, origin: Origin| Tree {
        dirs,
        recursive: false,
        format: None,
        origin,
    };
    if !args.dir.is_empty() {
        return tree(args.dir.clone(), Origin::Flag("--dir"));
    }
    if let Some(dir) = std::env::var_os("MIGRATE_DIR").filter(|v| !v.is_empty()) {
        return tree(vec![PathBuf::from(dir)], Origin::Env("MIGRATE_DIR"));
    }
    if let Some((path, c)) = file {
        // Directories in the configuration file are relative to that file, not to the caller.
        let origin = |key| Origin::Config {
            key,
            file: relpath::display(path),
        };
        if let Some(dirs) = c.dirs.as_ref().filter(|d| !d.is_empty()) {
            return tree(dirs.iter().map(|d| base.join(d)).collect(), origin("dirs"));
        }
        if let Some(dir) = &c.dir {
            return tree(vec![base.join(dir)], origin("dir"));
        }
    }
    tree(vec![PathBuf::from(DEFAULT_DIR)], Origin::Default)
}

/// Whether the default directory exists with `.sql` files in it: then it is the tree, and the
/// repository is not searched.
fn holds_native_revisions(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            // A pg_dump (`schema.sql`) beside other tools' trees is no revision of migrate's.
            .any(|e| crate::source::filename::parse(&e.file_name().to_string_lossy()).is_ok())
    })
}

/// `--dir-format` (or `MIGRATE_DIR_FORMAT`, which clap reads), then `dir_format` in the
/// configuration file; `None` means "detect it".
fn dir_format(args: &GlobalArgs, config: Option<(&PathBuf, &ConfigFile)>) -> Option<DirFormat> {
    let choice = args
        .dir_format
        .or_else(|| config.and_then(|(_, c)| c.dir_format));
    match choice {
        None | Some(DirFormatChoice::Auto) => None,
        Some(DirFormatChoice::Sql) => Some(DirFormat::Sql),
        Some(DirFormatChoice::Alembic) => Some(DirFormat::Alembic),
        Some(DirFormatChoice::Goose) => Some(DirFormat::Linear(Layout::Goose)),
        Some(DirFormatChoice::GolangMigrate) => Some(DirFormat::Linear(Layout::GolangMigrate)),
        Some(DirFormatChoice::Sqlx) => Some(DirFormat::Linear(Layout::Sqlx)),
        Some(DirFormatChoice::Dbmate) => Some(DirFormat::Linear(Layout::Dbmate)),
        Some(DirFormatChoice::Flyway) => Some(DirFormat::Linear(Layout::Flyway)),
        Some(DirFormatChoice::Refinery) => Some(DirFormat::Linear(Layout::Refinery)),
        Some(DirFormatChoice::Diesel) => Some(DirFormat::Linear(Layout::Diesel)),
        Some(DirFormatChoice::Django) => Some(DirFormat::Django),
    }
}

/// `./alembic/versions` as `alembic/versions`, so that output shows paths as people write them.
fn strip_dot(path: &Path) -> PathBuf {
    match path.strip_prefix(".") {
        // `.` itself stays `.`: an empty path names no directory.
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path.to_path_buf(),
    }
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
    config: Option<(&PathBuf, &ConfigFile)>,
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
