//! The command line, as clap sees it: the doc comments here are the `--help` text.
// Doc comments here are printed by `--help` as plain text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use self::choices::{ColorChoice, DirFormatChoice, Format, PoolMode};
pub use self::fleet_args::{FleetArgs, Shard};
pub use self::write_args::{DowngradeArgs, RollbackArgs, StampArgs, UpgradeArgs, WriteArgs};

mod choices;
mod fleet_args;
mod write_args;

/// A migration runner for PostgreSQL that refuses to merge two heads.
#[derive(Debug, Parser)]
#[command(
    name = "migrate",
    version,
    about,
    max_term_width = 100,
    subcommand_help_heading = "Commands"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand; `--help` lists them after the
/// subcommand's own, under a heading of their own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The migrations directory; given again, more directories of the same tree [env: MIGRATE_DIR] [default: `dir` or `dirs` in migrate.toml, else the tree found in the repository]
    #[arg(long, global = true, value_name = "DIR", action = clap::ArgAction::Append)]
    pub dir: Vec<PathBuf>,
    /// Read revisions in subdirectories of the migrations directories too, as Alembic's `recursive_version_locations`
    #[arg(long, global = true)]
    pub recursive: bool,
    /// How the migrations directory is written: `sql` files, Alembic's Python revisions, or another tool's numbered files (goose, golang-migrate, sqlx, dbmate, flyway, refinery, diesel), which migrate checks and leaves to their tool to run [default: `dir_format` (or `layout`) in migrate.toml, else auto: detected from the files]
    #[arg(
        long,
        visible_alias = "layout",
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = "MIGRATE_DIR_FORMAT",
        hide_env_values = true
    )]
    pub dir_format: Option<DirFormatChoice>,
    /// The configuration file [env: MIGRATE_CONFIG] [default: migrate.toml, when present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// How to print results and diagnostics, for every command; `json` prints one document on stdout
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Print no progress on stderr (results and diagnostics still print)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// The database, as a URL or libpq key=value string [env: MIGRATE_DATABASE_URL, then DATABASE_URL] [default: `database_url` in migrate.toml]
    #[arg(long, global = true, value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The history table, schema-qualified [default: `history_table` in migrate.toml, else public.refinery_schema_history]
    #[arg(long, global = true, value_name = "SCHEMA.TABLE")]
    pub history_table: Option<String>,
    /// Whether the path to the server keeps each session on one server connection, when migrate cannot prove it (a proxy, NAT or pooler in between) [default: `pool_mode` in migrate.toml, else PgBouncer's console, else `transaction`]
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "MODE",
        env = "MIGRATE_POOL_MODE"
    )]
    pub pool_mode: Option<PoolMode>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the migrations offline: duplicates, heads, parents, file format
    Check(CheckArgs),
    /// Print the head revisions
    Heads(HeadsArgs),
    /// Print the revisions, newest first, in Alembic's form
    History(HistoryArgs),
    /// Print one revision in full
    Show(ShowArgs),
    /// Write the next revision file after the current head
    #[command(visible_aliases = ["revision", "add"])]
    New(NewArgs),
    /// Create the migrations directory with a first revision
    Init(InitArgs),
    /// Write a merge revision that revises every head, as `alembic merge heads`
    Merge(MergeArgs),
    /// On a scratch database, run every revision up, down and up again, and compare the catalog after each step
    Verify(VerifyArgs),
    /// Print the catalog as stable text: the database the URL names, else a throwaway cluster upgraded to head
    Schema(SchemaArgs),
    /// Apply revisions up to TARGET (default: head)
    #[command(visible_aliases = ["up", "run"])]
    Upgrade(UpgradeArgs),
    /// Undo revisions down to TARGET
    #[command(visible_aliases = ["down"])]
    Downgrade(DowngradeArgs),
    /// Undo the last revision, as dbmate and sqlx do; or down to TARGET, as `downgrade`
    #[command(visible_aliases = ["revert"])]
    Rollback(RollbackArgs),
    /// Record the database as being at TARGET, without running any SQL
    Stamp(StampArgs),
    /// Print the revisions the database is at
    #[command(visible_aliases = ["status", "info"])]
    Current(CurrentArgs),
    /// Renumber this branch's revisions after the base's head, and fix every reference to them
    Rebase(RebaseArgs),
    /// Lint revisions for dangerous DDL with squawk's rules and migrate's own (default: those after `lint_from`)
    Lint(LintArgs),
}

impl Command {
    /// The subcommand's name, as reports and the JSON document give it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Command::Check(_) => "check",
            Command::Heads(_) => "heads",
            Command::History(_) => "history",
            Command::Show(_) => "show",
            Command::New(_) => "new",
            Command::Init(_) => "init",
            Command::Merge(_) => "merge",
            Command::Verify(_) => "verify",
            Command::Schema(_) => "schema",
            Command::Upgrade(_) => "upgrade",
            Command::Downgrade(_) => "downgrade",
            Command::Rollback(_) => "rollback",
            Command::Stamp(_) => "stamp",
            Command::Current(_) => "current",
            Command::Rebase(_) => "rebase",
            Command::Lint(_) => "lint",
        }
    }
}

/// Options of `current`.
#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Print every applied revision with when it was applied and whether its file changed
    #[arg(long, short)]
    pub verbose: bool,
    /// Exit 1 unless the database is at every head: a deploy gate
    #[arg(long)]
    pub check_heads: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Options of `check`.
#[derive(Debug, Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each is one flag of the command line"
)]
pub struct CheckArgs {
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    /// Also compare with the migrations at this git ref (as `origin/main`): check the merged tree, and refuse edited or deleted revisions
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Skip the scan of the repository for stale references to renamed migrations
    #[arg(long)]
    pub no_references: bool,
    /// Repair what can be repaired safely: stale docstrings and prose, stale references, the head file; then check
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the repairs as a unified diff and change nothing
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// With --base: report only the findings this branch introduces, not those the base already has
    #[arg(long, requires = "base")]
    pub new_only: bool,
    /// With --base: do not lint the revisions this branch adds
    #[arg(long, requires = "base")]
    pub no_lint: bool,
    #[command(flatten)]
    pub deploy: DeployTimeouts,
}

/// The timeouts the deploy passes as flags, which lint cannot see in migrate.toml.
#[derive(Debug, Args)]
pub struct DeployTimeouts {
    /// The `--lock-timeout` the deploy runs `upgrade` with, for lint's `missing-lock-timeout` [default: migrate.toml's, else 2s]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub lock_timeout: Option<std::time::Duration>,
    /// The `--statement-timeout` the deploy runs `upgrade` with, for lint [default: migrate.toml's, else none]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub statement_timeout: Option<std::time::Duration>,
}

/// Options of `lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Revisions to lint, by id, `head` or `branch@head` [default: the revisions after `lint_from` in migrate.toml, else every revision]
    pub revisions: Vec<String>,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub deploy: DeployTimeouts,
}

/// Options of `heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// Also print each head's file and message
    #[arg(long, short)]
    pub verbose: bool,
}

/// Options of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only revisions from FROM to TO, both included (`base`, `head` or an id; either may be empty)
    #[arg(long, short = 'r', value_name = "FROM:TO")]
    pub rev_range: Option<String>,
    /// Print each revision's file, parents, full message and reversibility
    #[arg(long, short)]
    pub verbose: bool,
    /// Mark the revisions applied to the database (needs a database URL)
    #[arg(long, short = 'i')]
    pub indicate_current: bool,
}

/// Options of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A revision id, or `head`
    pub revision: String,
}

/// Options of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The revision's message; its slug becomes the file name
    #[arg(
        required_unless_present = "message_flag",
        conflicts_with = "message_flag"
    )]
    pub message: Option<String>,
    /// The message as Alembic takes it (`migrate revision -m "add users"`)
    #[arg(short = 'm', long = "message", value_name = "MESSAGE")]
    pub message_flag: Option<String>,
}

impl NewArgs {
    /// The message, however it was given.
    #[must_use]
    pub fn message(&self) -> &str {
        self.message
            .as_deref()
            .or(self.message_flag.as_deref())
            .unwrap_or_default()
    }
}

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verify the revisions from the root up to this one (`head`, or an id)
    #[arg(default_value = "head")]
    pub target: String,
    /// Go on after a revision with findings, to report every revision's
    #[arg(long, alias = "keep")]
    pub keep_going: bool,
    /// A psql variable that names the database (`GRANT CONNECT ON DATABASE :"NAME"`): it is set to the scratch database's name
    #[arg(long, value_name = "NAME")]
    pub database_variable: Vec<String>,
    /// A value for a psql variable `:'NAME'` or `:"NAME"` (else the environment variable NAME is used)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// The server binaries of the throwaway cluster: a major (18) or a directory [default: MIGRATE_POSTGRES_BIN, else `postgres` in migrate.toml, else the major `pg_version` names when found, else the newest found]
    #[arg(long, value_name = "MAJOR|DIR")]
    pub postgres: Option<String>,
}

/// Options of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A value for a psql variable, for the upgrade of the throwaway cluster
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// A psql variable that names the database; it is set to the throwaway database's name
    #[arg(long, value_name = "NAME")]
    pub database_variable: Vec<String>,
    /// The server binaries of the throwaway cluster: a major (18) or a directory [default: MIGRATE_POSTGRES_BIN, else `postgres` in migrate.toml, else the major `pg_version` names when found, else the newest found]
    #[arg(long, value_name = "MAJOR|DIR")]
    pub postgres: Option<String>,
}

/// Options of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merge revision's message; its slug becomes the file name. `heads` alone is
    /// Alembic's revision argument (`alembic merge heads`), not a message
    #[arg(value_name = "MESSAGE")]
    pub words: Option<String>,
    /// The merge revision's message, as Alembic's `-m`
    #[arg(short, long, value_name = "MESSAGE")]
    pub message: Option<String>,
}

impl MergeArgs {
    /// The message: `-m`, else the argument unless it is Alembic's `heads`, else `merge heads`.
    #[must_use]
    pub fn message(&self) -> &str {
        self.message
            .as_deref()
            .or(self.words.as_deref().filter(|w| *w != "heads"))
            .unwrap_or("merge heads")
    }
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The first revision's message
    #[arg(default_value = "initial")]
    pub message: String,
}

/// Options of `rebase`.
#[derive(Debug, Args)]
pub struct RebaseArgs {
    /// The revisions to move, by id or file name (default: this branch's revisions, found from --onto or the merge in progress)
    #[arg(value_name = "REV")]
    pub revisions: Vec<String>,
    /// The git ref to follow, as `origin/main`: this branch's revisions are the ones not there
    #[arg(long, value_name = "REF")]
    pub onto: Option<String>,
    /// Print the changes as a unified diff and change nothing
    #[arg(long)]
    pub dry_run: bool,
}
