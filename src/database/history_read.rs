//! Reading the history tables with the simple query protocol, so that the reads can travel in
//! the same query string as the lock: a no-op run makes as few round trips as psql's one query.

use postgres::{Client, SimpleQueryMessage, SimpleQueryRow};

use super::history::{Applied, Direction, Meta, Progress, State, Tables, db_error};
use crate::Error;
use crate::sql::quote;

/// What one look at the server says before anything is locked.
#[derive(Debug, Clone)]
pub(crate) struct Look {
    pub has_history: bool,
    pub has_companion: bool,
}

/// The first query of a writing run, and what it found.
pub(crate) struct FirstLook {
    pub look: Look,
    /// Whether the server's end of the connection is this process's socket (`pooler`).
    pub direct: bool,
    /// Whether the lock was taken: `None` when the connection is not direct (something is in
    /// between, which could strand it), or when the history tables do not exist yet.
    pub locked: Option<bool>,
    /// The history rows, read under the lock when it was taken.
    pub read: Vec<SimpleQueryMessage>,
}

impl Tables {
    /// A writing run's first round trip, for the steady state of a deploy: the look, the lock
    /// when the connection is direct (`direct`, a condition from `pooler`: nothing in between
    /// to strand it), and the history, in one query string. A database without the tables yet answers with
    /// an error; then whatever was locked is let go, and the run takes the long way.
    pub(crate) fn first_look(
        &self,
        client: &mut Client,
        lock: &str,
        direct: &str,
    ) -> Result<FirstLook, Error> {
        let both = Look {
            has_history: true,
            has_companion: true,
        };
        let sql = format!(
            "{}, CASE WHEN {direct} THEN {lock} END;\n{}",
            self.look_sql(),
            self.read_sql(&both)
        );
        match client.simple_query(&sql) {
            Ok(mut messages) => {
                let (found, locked) = {
                    let row = rows(&messages)
                        .next()
                        .and_then(|mut statement| statement.next());
                    let row = row.ok_or_else(|| {
                        Error::Database("looking up the history table returned no row".to_owned())
                    })?;
                    (self.look_row(row)?, row.get(4).map(|l| l == "t"))
                };
                let first_end = messages
                    .iter()
                    .position(|m| matches!(m, SimpleQueryMessage::CommandComplete(_)))
                    .map_or(messages.len(), |i| i + 1);
                let read = messages.split_off(first_end);
                Ok(FirstLook {
                    look: found,
                    direct: locked.is_some(),
                    locked,
                    read,
                })
            }
            Err(error) if error.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
                let direct = super::first_cell(
                    client,
                    &format!("SELECT {direct}, pg_advisory_unlock_all()"),
                )
                .map_err(|e| db_error("let go of the migration lock", &e))?
                .as_deref()
                    == Some("t");
                Ok(FirstLook {
                    look: self.look(client)?,
                    direct,
                    locked: None,
                    read: Vec::new(),
                })
            }
            Err(error) => Err(db_error("look up the history table", &error)),
        }
    }

    /// The look's one statement.
    fn look_sql(&self) -> String {
        // The columns' types come along: rows are read as text, which a column of another type
        // would pass through unnoticed.
        let history = quote::literal(self.history_name());
        format!(
            // The first column, the server's port, only keeps the others' places.
            "SELECT current_setting('port'), to_regclass({history}) IS NOT NULL, \
             to_regclass({}) IS NOT NULL, \
             (SELECT CASE WHEN count(*) > 0 THEN coalesce(string_agg(attname || ' ' || format_type(atttypid, NULL), ', ' ORDER BY attname) \
              FILTER (WHERE attname IN ('version', 'name', 'applied_on', 'checksum')), '') END \
              FROM pg_attribute WHERE attrelid = to_regclass({history}) AND attnum > 0 AND NOT attisdropped)",
            quote::literal(self.companion_name())
        )
    }

    fn look_row(&self, row: &SimpleQueryRow) -> Result<Look, Error> {
        // `to_regclass` looks at the catalog as it is now, the column query as it was when
        // the statement began: a table another runner has just created can be found by name
        // with no column at all (NULL). It is not there yet for this statement: taken so, the
        // run reads it again under the lock.
        let visible = row.get(3).is_some();
        let look = Look {
            has_history: row.get(1) == Some("t") && visible,
            has_companion: row.get(2) == Some("t") && visible,
        };
        if look.has_history {
            self.check_columns(row.get(3).unwrap_or_default())?;
        }
        Ok(look)
    }

    /// Which history tables exist, in one round trip.
    pub(crate) fn look(&self, client: &mut Client) -> Result<Look, Error> {
        let messages = client
            .simple_query(&self.look_sql())
            .map_err(|e| db_error("look up the history table", &e))?;
        let row = rows(&messages)
            .next()
            .and_then(|mut statement| statement.next())
            .ok_or_else(|| {
                Error::Database("looking up the history table returned no row".to_owned())
            })?;
        self.look_row(row)
    }

    /// Refuses a history table whose columns are not refinery's: `version` an integer, the
    /// others text.
    fn check_columns(&self, columns: &str) -> Result<(), Error> {
        let text = ["character varying", "text"];
        let fine = columns.split(", ").all(|column| {
            let (name, kind) = column.split_once(' ').unwrap_or((column, ""));
            if name == "version" {
                kind == "integer"
            } else {
                text.contains(&kind)
            }
        }) && columns.split(", ").count() == 4;
        if fine {
            return Ok(());
        }
        Err(Error::Database(format!(
            "{} is not in refinery's format: its columns are {columns}; \
             compare them with refinery's (version int4, name, applied_on, checksum varchar)",
            self.history_name()
        )))
    }

    /// The statements that read the tables `look` found, for one query string.
    pub(crate) fn read_sql(&self, look: &Look) -> String {
        let mut sql = String::new();
        if look.has_history {
            sql.push_str(&self.fill(
                "SELECT version, name, applied_on, checksum FROM {history} ORDER BY version;\n",
            ));
        }
        if look.has_companion {
            sql.push_str(&self.fill(
                "SELECT version, file_name, down_sql, down_transaction, execution_ms,
                 progress_direction, progress_done, progress_sql, progress_error
                 FROM {companion} ORDER BY version;\n",
            ));
        }
        sql
    }

    /// The state from the results of `read_sql`, in its order.
    pub(crate) fn parse_state(
        &self,
        look: &Look,
        messages: &[SimpleQueryMessage],
    ) -> Result<State, Error> {
        let mut state = State::default();
        let mut statements = rows(messages);
        if look.has_history {
            for row in statements.next().into_iter().flatten() {
                state.applied.push(self.applied(row)?);
            }
        }
        if look.has_companion {
            for row in statements.next().into_iter().flatten() {
                self.companion_row(row, &mut state)?;
            }
        }
        Ok(state)
    }

    /// Reads the history without creating anything: a database never migrated has none.
    pub(crate) fn read(&self, client: &mut Client) -> Result<State, Error> {
        let look = self.look(client)?;
        let sql = self.read_sql(&look);
        if sql.is_empty() {
            return Ok(State::default());
        }
        let messages = client
            .simple_query(&sql)
            .map_err(|e| db_error(&format!("read {}", self.history_name()), &e))?;
        self.parse_state(&look, &messages)
    }

    fn applied(&self, row: &SimpleQueryRow) -> Result<Applied, Error> {
        let version = row
            .get(0)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                Error::Database(format!(
                    "{} has a row that refinery's format does not allow: its version is not a 32-bit integer; \
                     compare its columns with refinery's (version int4, name, applied_on, checksum varchar)",
                    self.history_name()
                ))
            })?;
        let text = |i: usize| row.get(i).map(str::to_owned);
        Ok(Applied {
            version,
            name: text(1),
            applied_on: text(2),
            checksum: text(3),
            meta: None,
        })
    }

    fn companion_row(&self, row: &SimpleQueryRow, state: &mut State) -> Result<(), Error> {
        let malformed = |what: &str| {
            Error::Database(format!(
                "{} has an unreadable row: {what}",
                self.companion_name()
            ))
        };
        let text = |i: usize| row.get(i).map(str::to_owned);
        let version: i32 = row
            .get(0)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| malformed("its version is not a 32-bit integer"))?;
        let execution_ms = match row.get(4) {
            None => None,
            Some(ms) => Some(
                ms.parse()
                    .map_err(|_| malformed("execution_ms is not an integer"))?,
            ),
        };
        let meta = Meta {
            file_name: text(1),
            down_sql: text(2),
            down_transaction: row.get(3) != Some("f"),
            execution_ms,
        };
        if let Some(direction) = row.get(5) {
            let done = match row.get(6) {
                None => 0,
                Some(done) => done
                    .parse()
                    .map_err(|_| malformed("progress_done is not an integer"))?,
            };
            state.progress.push(Progress {
                version,
                direction: if direction == "down" {
                    Direction::Down
                } else {
                    Direction::Up
                },
                done,
                done_sql: text(7).unwrap_or_default(),
                error: text(8).unwrap_or_default(),
            });
        }
        if let Ok(i) = state.applied.binary_search_by_key(&version, |a| a.version) {
            state.applied[i].meta = Some(meta);
        }
        Ok(())
    }
}

/// The rows of each statement of a simple query, in order.
pub(crate) fn rows(
    messages: &[SimpleQueryMessage],
) -> impl Iterator<Item = impl Iterator<Item = &SimpleQueryRow>> {
    messages
        .split(|m| matches!(m, SimpleQueryMessage::CommandComplete(_)))
        .map(|statement| {
            statement.iter().filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            })
        })
}
