//! Running one revision's SQL with its history row: atomically, or statement by statement.
//!
//! A transactional section goes to the server in one round trip, `BEGIN` included, and its
//! history row follows in the same transaction. A `transaction:false` section is sent one
//! statement at a time, with its progress recorded after each, so a failure leaves a record of
//! what ran and a rerun continues where it stopped.

use std::fmt::Write as _;
use std::time::Instant;

use postgres::Client;
use postgres::error::ErrorPosition;

pub(crate) use super::failure::Failure;
use super::failure::describe;
use super::history::{Direction, Progress, Record, Tables};
use super::history_writer::Prepared;
pub(crate) use super::script::Script;
use crate::Error;
use crate::revision::Timeouts;
use crate::sql::Variables;

/// Applies and reverts revisions on one locked connection.
pub(crate) struct Runner<'a> {
    pub client: &'a mut Client,
    /// The history tables, whose statements a transactional revision sends with its SQL.
    pub tables: &'a Tables,
    /// The prepared history statements, for `transaction:false` sections only: they record
    /// progress after each statement.
    pub prepared: Option<Prepared>,
    pub variables: &'a Variables,
    /// `--single-transaction`: the caller opened the transaction and commits it.
    pub single: bool,
    /// The run's `lock_timeout` and `statement_timeout`; a section's own override them.
    pub timeouts: Timeouts,
    /// How often a statement that timed out waiting for a lock is tried again.
    pub retries: u32,
    /// The connection settings, for the watcher of blockers a retry starts.
    pub info: &'a super::ConnInfo,
    /// Watches who blocks this session, from the first lock timeout on.
    pub watcher: Option<super::blockers::Watcher>,
    /// On a path that may move the session: each revision's transaction opens with the guard.
    pub guard: Option<super::guard::Guard>,
}

impl Runner<'_> {
    /// Opens the run's one transaction with `--single-transaction`; otherwise each revision
    /// opens its own.
    /// A guarded run checks its guard once, at the start of its one transaction; `Ok(Some(_))`
    /// is the guard's stop.
    pub(crate) fn begin_run(&mut self) -> Result<Option<super::guard::Stop>, Error> {
        if self.single {
            let opening = self.guard_opening().unwrap_or_default();
            if let Err(error) = self.client.batch_execute(&format!("BEGIN;\n{opening}")) {
                let _ = self.client.batch_execute("ROLLBACK");
                if let Some(stop) = super::guard::stop_of(&error) {
                    return Ok(Some(stop));
                }
                return Err(super::history::db_error("begin the transaction", &error));
            }
            // Inside the one transaction, the lock is held to its end: no guard per revision.
            self.guard = None;
        }
        Ok(None)
    }

    /// Commits the run's one transaction with `--single-transaction`.
    pub(crate) fn commit_run(&mut self) -> Result<(), Error> {
        if self.single {
            self.client
                .batch_execute("COMMIT")
                .map_err(|e| super::history::db_error("commit the transaction", &e))?;
        }
        Ok(())
    }

    /// Rolls back the run's one transaction after a failure, with `--single-transaction`.
    pub(crate) fn abandon_run(&mut self) {
        if self.single {
            // A broken connection fails here too; the server has then rolled back already.
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }

    /// Runs `script` and writes (up) or deletes (down) the history row, returning milliseconds.
    pub(crate) fn run(
        &mut self,
        script: &Script<'_>,
        record: &Record<'_>,
        direction: Direction,
        progress: Option<&Progress>,
        retrying: &mut dyn FnMut(&str),
    ) -> Result<i64, Failure> {
        let started = Instant::now();
        if script.transaction {
            self.run_transactional(script, record, direction, started, retrying)
        } else {
            let result =
                self.run_statements(script, record, direction, progress, started, retrying);
            // The section's session settings end with it; a lost connection has none left.
            let _ = self
                .client
                .batch_execute("RESET lock_timeout; RESET statement_timeout");
            result
        }
    }

    /// `SET [LOCAL] lock_timeout` and `statement_timeout` for `script`: its own, else the run's.
    /// The values are whole milliseconds, so nothing from a file reaches this SQL.
    pub(super) fn settings_sql(&self, script: &Script<'_>, local: bool) -> String {
        let scope = if local { "LOCAL " } else { "" };
        let mut sql = String::new();
        for (name, value) in [
            ("lock_timeout", script.timeouts.lock.or(self.timeouts.lock)),
            (
                "statement_timeout",
                script.timeouts.statement.or(self.timeouts.statement),
            ),
        ] {
            if let Some(value) = value {
                let _ = writeln!(sql, "SET {scope}{name} = '{}ms';", value.as_millis());
            }
        }
        sql
    }

    /// Writes or deletes the history row without running SQL, as `stamp` does: one statement,
    /// one round trip (in the guard's transaction when there is one).
    pub(crate) fn stamp(
        &mut self,
        record: &Record<'_>,
        direction: Direction,
    ) -> Result<(), Failure> {
        let sql = match direction {
            Direction::Up => self.tables.record_sql_timed(record),
            Direction::Down => self.tables.forget_sql(record.version),
        };
        let sql = match self.guard_opening() {
            Some(opening) => format!("BEGIN;\n{opening}{sql};\nCOMMIT;"),
            None => sql,
        };
        match self.client.batch_execute(&sql) {
            Ok(()) => {
                self.guard_passed(record.version, direction);
                Ok(())
            }
            Err(error) => Err(self
                .guard_stop(&error)
                .unwrap_or_else(|| describe(self.variables, None, &error, None, None))),
        }
    }

    /// The revision's SQL, its history row and the commit, in one query string: one write and
    /// one round trip, as psql sends one. A failure anywhere rolls all of it back.
    fn run_transactional(
        &mut self,
        script: &Script<'_>,
        record: &Record<'_>,
        direction: Direction,
        started: Instant,
        retrying: &mut dyn FnMut(&str),
    ) -> Result<i64, Failure> {
        // The run's tag first: a cancel can find this statement by it (`interrupt`).
        let tag = super::interrupt::run_tag();
        let (opening, closing) = if self.single {
            (format!("{tag}\nSAVEPOINT migrate_revision;\n"), "")
        } else {
            let guard = self.guard_opening().unwrap_or_default();
            (format!("{tag}\nBEGIN;\n{guard}"), "COMMIT;\n")
        };
        let prefix = format!("{opening}{}", self.settings_sql(script, true));
        let history = match direction {
            Direction::Up => self.tables.record_sql_timed(record),
            Direction::Down => self.tables.forget_sql(record.version),
        };
        // The SQL may end without a `;`, or in a `--` comment: a line of its own ends it.
        let query = format!("{prefix}{}\n;\n{history};\n{closing}", script.bound.text);
        let sql_end = prefix.len() + script.bound.text.len();
        let mut attempt = 0;
        while let Err(error) = self.client.batch_execute(&query) {
            if let Some(stopped) = self.guard_stop(&error) {
                return Err(stopped);
            }
            if self.may_retry(&error, attempt) {
                // The whole revision again, from a clean slate.
                self.rollback();
                attempt += 1;
                if self.before_retry(script, attempt, retrying) {
                    continue;
                }
            }
            if self.in_history(&error, &query, sql_end) {
                self.rollback();
                return Err(Failure::from(format!(
                    "cannot write the history row, so the revision was rolled back: {}",
                    super::describe(&error)
                )));
            }
            return Err(self.transactional_failure(script, &prefix, &error));
        }
        self.guard_passed(record.version, direction);
        Ok(elapsed_ms(started))
    }

    /// Whether an error came from the history statements sent after the revision's SQL: by
    /// the position the server gives, else by the table it names.
    fn in_history(&self, error: &postgres::Error, query: &str, sql_end: usize) -> bool {
        let Some(db) = error.as_db_error() else {
            return false;
        };
        match db.position() {
            Some(ErrorPosition::Original(p)) => query
                .char_indices()
                .nth((*p as usize).saturating_sub(1))
                .is_some_and(|(byte, _)| byte > sql_end),
            _ => db.table().is_some_and(|table| self.tables.names(table)),
        }
    }

    /// Rolls back the failed revision and words the error with the failing statement's line.
    fn transactional_failure(
        &mut self,
        script: &Script<'_>,
        prefix: &str,
        error: &postgres::Error,
    ) -> Failure {
        let position = error.as_db_error().and_then(|db| match db.position() {
            Some(ErrorPosition::Original(p)) => Some(*p as usize),
            _ => None,
        });
        let offset = position.and_then(|p| {
            let query = format!("{prefix}{}", script.bound.text);
            let byte = query.char_indices().nth(p.saturating_sub(1))?.0;
            byte.checked_sub(prefix.len())
                .map(|b| script.bound.original_offset(b))
        });
        if connection_lost(self.client, error) {
            // Nothing can be rolled back or rerun on a dead connection; the server rolled back
            // what had not committed when the session ended.
            let mut message = describe(self.variables, Some(script), error, offset, None);
            message.text.push_str(
                "\n  the connection to the server was lost while the revision ran: the server rolled back \
                 what had not committed, so nothing of it was applied; check the server, then rerun the same command",
            );
            return message;
        }
        self.rollback();
        let (statement, searched) = if offset.is_some() {
            (None, false)
        } else if script.statement_count() <= 1 {
            (Some(0), false)
        } else if super::interrupt::received().is_some()
            || error.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE)
        {
            // A cancelled statement would not fail again; rerunning the others would only
            // keep the server busy after the user asked to stop.
            (None, false)
        } else {
            match self.find_failing_statement(script) {
                Rerun::Failed(index) => (Some(index), true),
                Rerun::NoneFailed => (None, true),
                Rerun::Impossible => (None, false),
            }
        };
        let mut message = describe(self.variables, Some(script), error, offset, statement);
        if statement.is_none() && offset.is_none() && script.statement_count() > 1 {
            // The line given is the section's: say so rather than point at a statement.
            let _ = write!(
                message.text,
                "\n  the server does not say which of the section's {} statements was running; the line is the section's first",
                script.statement_count()
            );
        }
        if error.code() == Some(&postgres::error::SqlState::ACTIVE_SQL_TRANSACTION) {
            message.text.push_str(
                "\n  this statement cannot run inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...): \
                 mark its section `-- migrate:up transaction:false`, which runs each statement on its own",
            );
        }
        if searched && statement.is_none() {
            message.text.push_str(
                "\n  (the server named no position, and rerunning the statements one by one did not fail again)",
            );
        }
        message.text.push_str(&if self.single {
            "\n  the whole run was one transaction (`--single-transaction`): nothing was applied"
                .to_owned()
        } else {
            "\n  the revision was rolled back: nothing of it was applied".to_owned()
        });
        message
    }

    /// The server names no position for errors raised while running (a constraint, a `DO`
    /// block): rerun the statements one by one, in a transaction that is rolled back, to find
    /// which one fails; none may fail the second time (a deadlock, say).
    fn find_failing_statement(&mut self, script: &Script<'_>) -> Rerun {
        let opened = if self.single {
            self.client.batch_execute("SAVEPOINT migrate_revision")
        } else {
            self.client.batch_execute("BEGIN")
        };
        if opened.is_err() {
            return Rerun::Impossible;
        }
        let found = script.bound_lexed.statements.iter().position(|s| {
            self.client
                .batch_execute(s.text(&script.bound.text))
                .is_err()
        });
        self.rollback();
        found.map_or(Rerun::NoneFailed, Rerun::Failed)
    }

    /// Ends the failed revision: the whole transaction, or only its savepoint in single mode.
    pub(super) fn rollback(&mut self) {
        let sql = if self.single {
            "ROLLBACK TO SAVEPOINT migrate_revision"
        } else {
            "ROLLBACK"
        };
        // A broken connection fails here too; the server has then rolled back already.
        let _ = self.client.batch_execute(sql);
    }
}

/// What rerunning a failed revision's statements one by one found.
enum Rerun {
    /// This statement failed again.
    Failed(usize),
    /// Every statement ran: the failure did not come back.
    NoneFailed,
    /// The statements could not be rerun.
    Impossible,
}

/// Whether `error` ended the session: the connection closed, or the server terminated it
/// (SQLSTATE class 57P, as `pg_terminate_backend` does, or class 08).
pub(super) fn connection_lost(client: &Client, error: &postgres::Error) -> bool {
    let code = error.code().map(postgres::error::SqlState::code);
    error.is_closed()
        || client.is_closed()
        || code.is_some_and(|c| c.starts_with("57P") || c.starts_with("08"))
}

pub(super) fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}
