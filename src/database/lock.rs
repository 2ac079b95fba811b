//! The session advisory lock that lets one writer at a time change a history table.

use std::time::Duration;

use postgres::Client;
use postgres::error::SqlState;

use super::describe;
use crate::Error;

/// The first key of the two-key advisory lock: "migr" in ASCII, so `pg_locks` shows who it is.
const CLASS: i32 = 0x6d69_6772;

/// Takes the lock for `table`, waiting up to `timeout` for another runner to release it.
///
/// The lock belongs to the session: it is held across the transactions of a whole run, and the
/// server releases it when the connection ends, however the run ends. `waiting` hears who
/// holds it when another runner does.
pub(crate) fn acquire(
    client: &mut Client,
    table: &str,
    timeout: Duration,
    waiting: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    let got: bool = client
        .query_one(
            "SELECT pg_try_advisory_lock($1, hashtext($2))",
            &[&CLASS, &table],
        )
        .map_err(|e| lock_error(&e))?
        .get(0);
    if got {
        return Ok(());
    }
    waiting(&holder(client, table)?);
    let millis = timeout.as_millis().clamp(1, i32::MAX as u128).to_string();
    client
        .execute("SELECT set_config('lock_timeout', $1, false)", &[&millis])
        .map_err(|e| lock_error(&e))?;
    let result = client.execute(
        "SELECT pg_advisory_lock($1, hashtext($2))",
        &[&CLASS, &table],
    );
    client
        .batch_execute("RESET lock_timeout")
        .map_err(|e| lock_error(&e))?;
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
            let holder = holder(client, table)?;
            Err(Error::Database(format!(
                "another runner holds the migration lock on {table}: {holder}; gave up after {} \
                 (raise it with `--lock-timeout`, or stop that session with `SELECT pg_terminate_backend(<pid>)` if it is stuck)",
                humantime::format_duration(timeout)
            )))
        }
        Err(e) => Err(lock_error(&e)),
    }
}

/// Releases the lock; closing the connection would too, this only makes it prompt.
pub(crate) fn release(client: &mut Client, table: &str) -> Result<(), Error> {
    client
        .execute(
            "SELECT pg_advisory_unlock($1, hashtext($2))",
            &[&CLASS, &table],
        )
        .map(drop)
        .map_err(|e| lock_error(&e))
}

/// Describes the session holding the lock: pid and application name.
fn holder(client: &mut Client, table: &str) -> Result<String, Error> {
    let row = client
        .query_opt(
            "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, '')
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.classid = $1::int8::oid AND l.objid = (hashtext($2)::int8 & 4294967295)::oid
               AND l.objsubid = 2
             LIMIT 1",
            &[&i64::from(CLASS), &table],
        )
        .map_err(|e| lock_error(&e))?;
    Ok(match row {
        Some(row) => {
            let pid: i32 = row.get(0);
            let application: String = row.get(1);
            let user: String = row.get(2);
            let application = if application.is_empty() {
                "no application name".to_owned()
            } else {
                format!("application `{application}`")
            };
            format!("pid {pid} ({application}, user `{user}`)")
        }
        None => "a session that has just released it".to_owned(),
    })
}

fn lock_error(error: &postgres::Error) -> Error {
    Error::Database(format!(
        "cannot take the migration lock: {}",
        describe(error)
    ))
}
