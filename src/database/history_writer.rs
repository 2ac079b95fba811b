//! Writing the history: the statements that record a revision, forget it, and save the
//! progress of a non-transactional run, prepared once on the locked connection.

use postgres::{Client, Statement};

use super::history::{Direction, Record};

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
