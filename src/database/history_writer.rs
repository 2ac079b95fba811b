//! Writing the history: the statements that record a revision, forget it, and save the
//! progress of a non-transactional run, prepared once on the locked connection.

use postgres::{Client, Statement};

use super::history::{Direction, FORGET, PROGRESS, RECORD, Record, Tables, db_error};
use crate::Error;

/// The history statements, prepared on one connection.
pub(crate) struct Prepared {
    pub(super) record: Statement,
    pub(super) forget: Statement,
    pub(super) progress: Statement,
}

impl Prepared {
    /// Writes the history row and its companion row.
    pub(crate) fn record(
        &self,
        client: &mut impl postgres::GenericClient,
        record: &Record<'_>,
        execution_ms: i64,
    ) -> Result<(), postgres::Error> {
        client
            .execute(
                &self.record,
                &[
                    &record.version,
                    &record.name,
                    &record.checksum,
                    &record.parents,
                    &record.file_name,
                    &record.down_sql,
                    &record.down_transaction,
                    &execution_ms,
                ],
            )
            .map(drop)
    }

    /// Deletes the history row and its companion row.
    pub(crate) fn forget(
        &self,
        client: &mut impl postgres::GenericClient,
        version: i32,
    ) -> Result<(), postgres::Error> {
        client.execute(&self.forget, &[&version]).map(drop)
    }

    /// Records how far a non-transactional revision got.
    pub(crate) fn progress(
        &self,
        client: &mut Client,
        record: &Record<'_>,
        direction: Direction,
        done: usize,
        done_sql: &str,
        error: Option<&str>,
    ) -> Result<(), postgres::Error> {
        let done = i32::try_from(done).unwrap_or(i32::MAX);
        client
            .execute(
                &self.progress,
                &[
                    &record.version,
                    &record.parents,
                    &record.file_name,
                    &record.down_sql,
                    &record.down_transaction,
                    &direction.as_str(),
                    &done,
                    &done_sql,
                    &error,
                ],
            )
            .map(drop)
    }
}

impl Tables {
    /// With `prepare`, the statements `transaction:false` sections record progress with.
    /// The tables are created only when `exist` says they are not there.
    pub(crate) fn writer_setup(
        &self,
        client: &mut Client,
        exist: bool,
        prepare: bool,
    ) -> Result<Option<Prepared>, Error> {
        if !exist {
            self.ensure(client)?;
        }
        if prepare {
            self.prepare(client).map(Some)
        } else {
            Ok(None)
        }
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
}
