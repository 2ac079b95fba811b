//! The history tables: refinery's `refinery_schema_history`, and the companion table `migrate` owns.
//!
//! refinery's table holds `version`, `name`, `applied_on` and `checksum`, so that refinery and
//! `migrate` can each continue the other's database. What it cannot hold (parents, the down
//! SQL as applied, timings, and the progress of a non-transactional revision) lives in
//! `<table>_migrate`, written in the same transaction as the history row.

use postgres::Client;

use crate::Error;
use crate::settings::HistoryTable;
use crate::sql::quote;

/// refinery's table definition (`int4` versions), kept column for column.
const CREATE_HISTORY: &str = "CREATE TABLE IF NOT EXISTS {history} (
    version int4 PRIMARY KEY,
    name varchar(255),
    applied_on varchar(255),
    checksum varchar(255))";

const CREATE_COMPANION: &str = "CREATE TABLE IF NOT EXISTS {companion} (
    version int4 PRIMARY KEY,
    parents text[] NOT NULL DEFAULT '{}',
    file_name text,
    down_sql text,
    down_transaction boolean NOT NULL DEFAULT true,
    execution_ms bigint,
    progress_direction text CHECK (progress_direction IN ('up', 'down')),
    progress_done int4,
    progress_sql text,
    progress_error text)";

/// `applied_on` in the RFC 3339 form refinery writes and parses.
const NOW: &str =
    r#"to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#;

/// Parameters: version, name, checksum, parents, file name, down SQL, down transactional, ms.
pub(super) const RECORD: &str = "WITH history AS (
    INSERT INTO {history} (version, name, applied_on, checksum) VALUES ($1, $2, {now}, $3))
INSERT INTO {companion} (version, parents, file_name, down_sql, down_transaction, execution_ms)
VALUES ($1, $4, $5, $6, $7, $8)
ON CONFLICT (version) DO UPDATE SET parents = EXCLUDED.parents, file_name = EXCLUDED.file_name,
    down_sql = EXCLUDED.down_sql, down_transaction = EXCLUDED.down_transaction,
    execution_ms = EXCLUDED.execution_ms, progress_direction = NULL, progress_done = NULL,
    progress_sql = NULL, progress_error = NULL";

pub(super) const FORGET: &str = "WITH history AS (DELETE FROM {history} WHERE version = $1)
DELETE FROM {companion} WHERE version = $1";

/// Parameters: version, parents, file name, down SQL, down transactional, direction, done,
/// statements done, error.
pub(super) const PROGRESS: &str = "INSERT INTO {companion} (version, parents, file_name, down_sql,
    down_transaction, progress_direction, progress_done, progress_sql, progress_error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (version) DO UPDATE SET progress_direction = EXCLUDED.progress_direction,
    progress_done = EXCLUDED.progress_done, progress_sql = EXCLUDED.progress_sql,
    progress_error = EXCLUDED.progress_error";

/// One row of the history table, with its companion row when there is one.
// The fields are refinery's column names.
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub version: i32,
    pub name: Option<String>,
    pub applied_on: Option<String>,
    /// As stored: refinery writes a decimal `u64`, but a hand-edited row may hold anything.
    pub checksum: Option<String>,
    pub meta: Option<Meta>,
}

/// What the companion table knows about an applied revision.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub file_name: Option<String>,
    pub down_sql: Option<String>,
    pub down_transaction: bool,
    pub execution_ms: Option<i64>,
}

/// Which way a non-transactional revision was going when it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Up,
    Down,
}

impl Direction {
    /// `up` or `down`, as the companion table and JSON write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// A non-transactional revision that stopped part-way: which statements ran, and why it stopped.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    pub version: i32,
    pub direction: Direction,
    /// How many statements completed.
    pub done: usize,
    /// The completed statements' text as written, to tell whether the file changed under them.
    pub done_sql: String,
    pub error: String,
}

/// The database's history: applied rows, by version, and unfinished non-transactional runs.
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    pub applied: Vec<Applied>,
    pub progress: Vec<Progress>,
}

impl State {
    /// The applied row for `version`.
    pub(crate) fn get(&self, version: i32) -> Option<&Applied> {
        self.applied
            .binary_search_by_key(&version, |a| a.version)
            .ok()
            .map(|i| &self.applied[i])
    }

    /// The unfinished run of `version`, if any.
    pub(crate) fn progress_of(&self, version: i32) -> Option<&Progress> {
        self.progress.iter().find(|p| p.version == version)
    }
}

/// The metadata written with a history row.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub version: i32,
    pub name: &'a str,
    pub checksum: String,
    pub parents: Vec<String>,
    pub file_name: &'a str,
    pub down_sql: Option<&'a str>,
    pub down_transaction: bool,
}

/// The two tables' quoted names, and the statements over them.
pub(crate) struct Tables {
    pub history: String,
    pub companion: String,
    /// The unquoted qualified names, for `to_regclass`.
    history_name: String,
    companion_name: String,
    schema: String,
}

impl Tables {
    pub(crate) fn new(table: &HistoryTable) -> Tables {
        let companion = format!("{}_migrate", table.name);
        Tables {
            history: quote::qualified(&table.schema, &table.name),
            companion: quote::qualified(&table.schema, &companion),
            history_name: table.to_string(),
            companion_name: format!("{}.{companion}", table.schema),
            schema: table.schema.clone(),
        }
    }

    /// The history table's qualified name, unquoted.
    pub(crate) fn history_name(&self) -> &str {
        &self.history_name
    }

    /// The companion table's qualified name, unquoted.
    pub(crate) fn companion_name(&self) -> &str {
        &self.companion_name
    }

    pub(super) fn fill(&self, template: &str) -> String {
        template
            .replace("{history}", &self.history)
            .replace("{companion}", &self.companion)
            .replace("{now}", NOW)
    }

    /// The statements that create both tables (and the schema), for `--sql` too.
    pub(crate) fn create_sql(&self) -> String {
        format!(
            "CREATE SCHEMA IF NOT EXISTS {};\n{};\n{};\n",
            quote::identifier(&self.schema),
            self.fill(CREATE_HISTORY),
            self.fill(CREATE_COMPANION)
        )
    }

    /// Creates the tables when missing, in one round trip; called only under the lock, by
    /// commands that write. The schema is created only when it is missing: creating an existing
    /// one still needs the CREATE privilege on the database.
    pub(crate) fn ensure(&self, client: &mut Client) -> Result<(), Error> {
        client.batch_execute(&self.ensure_sql()).map_err(|e| {
            db_error(
                &format!("create the history table {}", self.history_name),
                &e,
            )
        })
    }

    /// The statements `ensure` sends.
    pub(crate) fn ensure_sql(&self) -> String {
        // The schema name is `[a-z0-9_]` (`HistoryTable::parse`), so it cannot end the
        // dollar-quoted body.
        format!(
            "DO $migrate$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {}) \
             THEN CREATE SCHEMA {}; END IF; END $migrate$;\n{};\n{};\n",
            quote::literal(&self.schema),
            quote::identifier(&self.schema),
            self.fill(CREATE_HISTORY),
            self.fill(CREATE_COMPANION)
        )
    }

    /// Forgets every unfinished non-transactional run: `stamp` declares the state outright.
    pub(crate) fn clear_progress(&self, client: &mut Client) -> Result<(), Error> {
        client
            .batch_execute(&self.clear_progress_sql())
            .map_err(|e| db_error("clear the records of unfinished revisions", &e))
    }

    /// The statements `clear_progress` sends.
    pub(crate) fn clear_progress_sql(&self) -> String {
        self.fill(
            "DELETE FROM {companion} c WHERE progress_direction = 'up'
                   AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.version = c.version);
                 UPDATE {companion} SET progress_direction = NULL, progress_done = NULL,
                   progress_sql = NULL, progress_error = NULL
                 WHERE progress_direction IS NOT NULL",
        )
    }
}

/// An error from a history statement, naming what `migrate` was doing.
pub(crate) fn db_error(action: &str, error: &postgres::Error) -> Error {
    Error::Database(format!("cannot {action}: {}", super::describe(error)))
}
