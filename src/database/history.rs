//! The history tables: refinery's `refinery_schema_history`, and the companion table `migrate` owns.
//!
//! refinery's table holds `version`, `name`, `applied_on` and `checksum`, so that refinery and
//! `migrate` can each continue the other's database. What it cannot hold (parents, the down
//! SQL as applied, timings, and the progress of a non-transactional revision) lives in
//! `<table>_migrate`, written in the same transaction as the history row.

use postgres::{Client, Row};

pub(crate) use super::history_writer::Prepared;

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
const RECORD: &str = "WITH history AS (
    INSERT INTO {history} (version, name, applied_on, checksum) VALUES ($1, $2, {now}, $3))
INSERT INTO {companion} (version, parents, file_name, down_sql, down_transaction, execution_ms)
VALUES ($1, $4, $5, $6, $7, $8)
ON CONFLICT (version) DO UPDATE SET parents = EXCLUDED.parents, file_name = EXCLUDED.file_name,
    down_sql = EXCLUDED.down_sql, down_transaction = EXCLUDED.down_transaction,
    execution_ms = EXCLUDED.execution_ms, progress_direction = NULL, progress_done = NULL,
    progress_sql = NULL, progress_error = NULL";

const FORGET: &str = "WITH history AS (DELETE FROM {history} WHERE version = $1)
DELETE FROM {companion} WHERE version = $1";

/// Parameters: version, parents, file name, down SQL, down transactional, direction, done,
/// statements done, error.
const PROGRESS: &str = "INSERT INTO {companion} (version, parents, file_name, down_sql,
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

    fn fill(&self, template: &str) -> String {
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

    /// Creates the tables when missing; called only under the lock, by commands that write.
    pub(crate) fn ensure(&self, client: &mut Client) -> Result<(), Error> {
        let schema_exists: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&self.schema],
            )
            .map_err(|e| db_error("look up the history schema", &e))?
            .get(0);
        let mut sql = self.create_sql();
        if schema_exists {
            // Creating an existing schema still needs the CREATE privilege on the database.
            sql = sql.lines().skip(1).collect::<Vec<_>>().join("\n");
        }
        client.batch_execute(&sql).map_err(|e| {
            db_error(
                &format!("create the history table {}", self.history_name),
                &e,
            )
        })
    }

    /// Reads the history without creating anything: a database never migrated has none.
    pub(crate) fn read(&self, client: &mut Client) -> Result<State, Error> {
        let found = client
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL",
                &[&self.history_name, &self.companion_name],
            )
            .map_err(|e| db_error("look up the history table", &e))?;
        let (has_history, has_companion): (bool, bool) = (found.get(0), found.get(1));
        let mut state = State::default();
        if has_history {
            let rows = client
                .query(
                    &self.fill(
                        "SELECT version, name, applied_on, checksum FROM {history} ORDER BY version",
                    ),
                    &[],
                )
                .map_err(|e| db_error(&format!("read {}", self.history_name), &e))?;
            for row in rows {
                state.applied.push(self.applied(&row)?);
            }
        }
        if has_companion {
            let rows = client
                .query(
                    &self.fill(
                        "SELECT version, parents, file_name, down_sql, down_transaction, execution_ms,
                         progress_direction, progress_done, progress_sql, progress_error
                         FROM {companion} ORDER BY version",
                    ),
                    &[],
                )
                .map_err(|e| db_error(&format!("read {}", self.companion_name), &e))?;
            for row in rows {
                self.companion_row(&row, &mut state)?;
            }
        }
        Ok(state)
    }

    fn applied(&self, row: &Row) -> Result<Applied, Error> {
        let malformed = |e: postgres::Error| {
            Error::Database(format!(
                "{} has a row that refinery's format does not allow: {e}; \
                 compare its columns with refinery's (version int4, name, applied_on, checksum varchar)",
                self.history_name
            ))
        };
        Ok(Applied {
            version: row.try_get(0).map_err(malformed)?,
            name: row.try_get(1).map_err(malformed)?,
            applied_on: row.try_get(2).map_err(malformed)?,
            checksum: row.try_get(3).map_err(malformed)?,
            meta: None,
        })
    }

    fn companion_row(&self, row: &Row, state: &mut State) -> Result<(), Error> {
        let malformed = |e: postgres::Error| {
            Error::Database(format!(
                "{} has an unreadable row: {e}",
                self.companion_name
            ))
        };
        let version: i32 = row.try_get(0).map_err(malformed)?;
        let meta = Meta {
            file_name: row.try_get(2).map_err(malformed)?,
            down_sql: row.try_get(3).map_err(malformed)?,
            down_transaction: row.try_get(4).map_err(malformed)?,
            execution_ms: row.try_get(5).map_err(malformed)?,
        };
        let direction: Option<String> = row.try_get(6).map_err(malformed)?;
        if let Some(direction) = direction {
            let done: Option<i32> = row.try_get(7).map_err(malformed)?;
            state.progress.push(Progress {
                version,
                direction: if direction == "down" {
                    Direction::Down
                } else {
                    Direction::Up
                },
                done: usize::try_from(done.unwrap_or(0)).unwrap_or(0),
                done_sql: row
                    .try_get::<_, Option<String>>(8)
                    .map_err(malformed)?
                    .unwrap_or_default(),
                error: row
                    .try_get::<_, Option<String>>(9)
                    .map_err(malformed)?
                    .unwrap_or_default(),
            });
        }
        if let Ok(i) = state.applied.binary_search_by_key(&version, |a| a.version) {
            state.applied[i].meta = Some(meta);
        }
        Ok(())
    }

    /// Readies a connection to write history: creates the tables if needed, prepares the statements.
    pub(crate) fn writer_setup(&self, client: &mut Client) -> Result<Prepared, Error> {
        self.ensure(client)?;
        self.prepare(client)
    }

    /// Prepares the statements that write history, once per connection.
    pub(crate) fn prepare(&self, client: &mut Client) -> Result<Prepared, Error> {
        let prepare = |client: &mut Client, sql: &str| {
            client
                .prepare(&self.fill(sql))
                .map_err(|e| db_error("prepare the history statements", &e))
        };
        Ok(Prepared {
            record: prepare(client, RECORD)?,
            forget: prepare(client, FORGET)?,
            progress: prepare(client, PROGRESS)?,
        })
    }

    /// The history insert with its values written out, for `--sql`.
    pub(crate) fn record_sql(&self, record: &Record<'_>) -> String {
        let parents: Vec<String> = record.parents.iter().map(|p| quote::literal(p)).collect();
        let values = [
            record.version.to_string(),
            quote::literal(record.name),
            quote::literal(&record.checksum),
            format!("ARRAY[{}]::text[]", parents.join(", ")),
            quote::literal(record.file_name),
            record.down_sql.map_or("NULL".to_owned(), quote::literal),
            record.down_transaction.to_string(),
            "NULL".to_owned(),
        ];
        substitute_params(&self.fill(RECORD), &values)
    }

    /// Forgets every unfinished non-transactional run: `stamp` declares the state outright.
    pub(crate) fn clear_progress(&self, client: &mut Client) -> Result<(), Error> {
        client
            .batch_execute(&self.fill(
                "DELETE FROM {companion} c WHERE progress_direction = 'up'
                   AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.version = c.version);
                 UPDATE {companion} SET progress_direction = NULL, progress_done = NULL,
                   progress_sql = NULL, progress_error = NULL
                 WHERE progress_direction IS NOT NULL",
            ))
            .map_err(|e| db_error("clear the records of unfinished revisions", &e))
    }

    /// The history delete for `version`, for `--sql`.
    pub(crate) fn forget_sql(&self, version: i32) -> String {
        substitute_params(&self.fill(FORGET), &[version.to_string()])
    }
}

/// Writes literal values in place of `$1`, `$2`, ... (highest first, so `$1` spares `$10`).
fn substitute_params(sql: &str, values: &[String]) -> String {
    let mut out = sql.to_owned();
    for (i, value) in values.iter().enumerate().rev() {
        out = out.replace(&format!("${}", i + 1), value);
    }
    out
}

/// An error from a history statement, naming what `migrate` was doing.
pub(crate) fn db_error(action: &str, error: &postgres::Error) -> Error {
    Error::Database(format!("cannot {action}: {}", super::describe(error)))
}
