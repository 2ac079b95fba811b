//! The options of the commands that write to the database: `upgrade`, `downgrade`,
//! `rollback` and `stamp`.
// Doc comments here are printed by `--help` as plain text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use clap::Args;

use super::FleetArgs;

/// Options shared by the commands that write to the database.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Print the SQL that would run, history statements included, without connecting; TARGET may be a FROM:TO range
    #[arg(long)]
    pub sql: bool,
    /// How long to wait for another runner's lock, as `60s`, `500ms` or `2m`
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub lock_wait: std::time::Duration,
    /// A value for a psql variable `:'NAME'` or `:"NAME"` (else the environment variable NAME is used)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// PostgreSQL's lock_timeout for the revisions' statements: a DDL statement that waits longer for its lock gives up, so queries are not queued behind it [default: `lock_timeout` in migrate.toml, else 2s; 0 turns it off]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub lock_timeout: Option<std::time::Duration>,
    /// How often a revision that timed out waiting for a lock is tried again, with jittered exponential backoff [default: `lock_retries` in migrate.toml, else 5]
    #[arg(long, value_name = "N")]
    pub lock_retries: Option<u32>,
    /// PostgreSQL's statement_timeout for the revisions' statements [default: `statement_timeout` in migrate.toml, else none]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub statement_timeout: Option<std::time::Duration>,
}

/// Options of `upgrade`.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// `head`, a revision id, or `+N`
    #[arg(default_value = "head")]
    pub target: String,
    /// Run the whole plan in one transaction
    #[arg(long)]
    pub single_transaction: bool,
    /// Upgrade even when the database has revisions that no file here knows
    #[arg(long)]
    pub allow_unknown: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Options of `downgrade`.
#[derive(Debug, Clone, Args)]
pub struct DowngradeArgs {
    /// `base`, a revision id, or `-N`
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Run the whole plan in one transaction
    #[arg(long)]
    pub single_transaction: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Options of `rollback`: `downgrade`'s, with one step back as the target.
#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    /// `-1` (one revision back), `-N`, `base` or a revision id
    #[arg(allow_hyphen_values = true, default_value = "-1")]
    pub target: String,
    /// Run the whole plan in one transaction
    #[arg(long)]
    pub single_transaction: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Options of `stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// `head`, `base`, a revision id, `+N` or `-N`
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the history statements that would run, without connecting; TARGET may be a FROM:TO range
    #[arg(long)]
    pub sql: bool,
    /// How long to wait for another runner's lock, as `60s`, `500ms` or `2m`
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub lock_wait: std::time::Duration,
    #[command(flatten)]
    pub fleet: FleetArgs,
}
