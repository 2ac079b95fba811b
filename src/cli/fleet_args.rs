//! The options that run a command on many databases or schemas at once: the target list, how
//! many at a time, the canary, when to stop, and which share of the list this runner takes.
// Doc comments here are printed by `--help` as plain text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use std::fmt;
use std::path::PathBuf;

use clap::Args;

/// Options shared by the commands that take targets: `upgrade`, `downgrade`, `rollback`,
/// `stamp` and `current`.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Many databases")]
pub struct FleetArgs {
    /// Run on every database of FILE: one connection string per line; blank lines and # comments are ignored
    #[arg(long, value_name = "FILE", env = "MIGRATE_TARGETS")]
    pub targets: Option<PathBuf>,
    /// Run on every database this query, run on the database URL, returns: one column of connection strings, or of database names that take the URL's other parts
    #[arg(long, value_name = "SQL", env = "MIGRATE_TARGETS_QUERY")]
    pub targets_query: Option<String>,
    /// Run on every schema this query, run on the database URL, returns: each schema has its own history table and lock, and its revisions run with search_path set to it
    #[arg(long, value_name = "SQL", env = "MIGRATE_SCHEMAS_QUERY")]
    pub schemas_query: Option<String>,
    /// How many targets at once: never more connections than this, beside the one that ran the query [default: 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Run the first N targets alone first; if any of them fails, no other target is touched [default: 0]
    #[arg(long, value_name = "N")]
    pub canary: Option<u32>,
    /// Start no new target once N have failed; the running ones finish [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_failures: Option<u32>,
    /// Take share I of N of the targets (0 <= I < N), by a hash of each target: what a Kubernetes Indexed Job gives each pod, as --shard $JOB_COMPLETION_INDEX/N
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
}

impl FleetArgs {
    /// Whether any option other than the target list was given.
    #[must_use]
    pub fn tuning_given(&self) -> bool {
        self.jobs.is_some()
            || self.canary.is_some()
            || self.max_failures.is_some()
            || self.shard.is_some()
    }
}

/// One share of the targets: `index` of `count`, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Reads `I/N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not I/N (as 0/4)"))?;
        let number = |part: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{text}` is not I/N: `{part}` is not a number"))
        };
        let (index, count) = (number(index)?, number(count)?);
        if count == 0 || index >= count {
            return Err(format!(
                "`{text}`: the shard's index counts from 0 and must be below its count (0/{count} to {}/{count})",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
