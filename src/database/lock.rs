//! The session advisory lock that lets one writer at a time change a history table.

use std::time::{Duration, Instant};

use postgres::{Client, SimpleQueryMessage};

use super::describe;
use crate::Error;
use crate::sql::quote;

/// The first key of the two-key advisory lock: "migr" in ASCII, so `pg_locks` shows who it is.
const CLASS: i32 = 0x6d69_6772;

/// The longest pause between two tries.
const MAX_DELAY: Duration = Duration::from_secs(1);
/// How often a runner that keeps waiting says again who holds the lock.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Takes the lock for `table`, waiting up to `wait` for another runner to release it.
///
/// The lock belongs to the session: it is held across the transactions of a whole run, and the
/// server releases it when the connection ends, however the run ends. A waiting runner polls
/// `pg_try_advisory_lock` with backoff instead of blocking in `pg_advisory_lock`: a blocked call
/// is an open transaction, and `CREATE INDEX CONCURRENTLY` in the holder's run waits for every
/// open transaction, which deadlocks them (flyway#1654). `waiting` hears who holds the lock,
/// when it changes and every ten seconds.
pub(crate) fn acquire(
    client: &mut Client,
    table: &str,
    wait: Duration,
    then: &str,
    waiting: &mut dyn FnMut(&str),
) -> Result<Vec<SimpleQueryMessage>, Error> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(20);
    let mut told: Option<(String, Instant)> = None;
    // `then` travels with each try, so that the try that takes the lock has read what the
    // run needs in the same round trip; the session lock holds whatever the rest does.
    let sql = format!("SELECT {};\n{then}", try_sql(table));
    loop {
        if let Some(signal) = super::interrupt::received() {
            return Err(Error::Interrupted(signal));
        }
        let mut messages = client.simple_query(&sql).map_err(|e| lock_error(&e))?;
        let got = messages.iter().find_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(row.get(0) == Some("t")),
            _ => None,
        }) == Some(true);
        if got {
            let first_end = messages
                .iter()
                .position(|m| matches!(m, SimpleQueryMessage::CommandComplete(_)))
                .map_or(messages.len(), |i| i + 1);
            return Ok(messages.split_off(first_end));
        }
        let holding = holder(client, table)?;
        let now = Instant::now();
        if told
            .as_ref()
            .is_none_or(|(h, at)| *h != holding || now.duration_since(*at) >= REPORT_EVERY)
        {
            waiting(&holding);
            told = Some((holding.clone(), now));
        }
        let elapsed = started.elapsed();
        if elapsed >= wait {
            return Err(Error::LockHeld(format!(
                "another runner holds the migration lock on {table}: {holding}; gave up after {} \
                 (raise it with `--lock-wait`, or stop that session with `SELECT pg_terminate_backend(<pid>)` if it is stuck)",
                humantime::format_duration(wait)
            )));
        }
        std::thread::sleep(jittered(delay).min(wait.saturating_sub(elapsed)));
        delay = (delay * 2).min(MAX_DELAY);
    }
}

/// `delay` scaled by a factor between 0.5 and 1.5, so that runners that started together do
/// not retry together.
pub(crate) fn jittered(delay: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let seed = u64::from(nanos ^ std::process::id().rotate_left(16));
    let permille = 500 + seed % 1001;
    delay * u32::try_from(permille).unwrap_or(1000) / 1000
}

/// The expression that tries the lock for `table` once, for a query of the caller's.
pub(crate) fn try_sql(table: &str) -> String {
    format!(
        "pg_try_advisory_lock({CLASS}, hashtext({}))",
        quote::literal(table)
    )
}

/// The expression that tries the transaction-scoped form of the same lock once: it conflicts
/// with the session lock, and the server releases it with the transaction, pooler or not.
pub(crate) fn try_xact_sql(table: &str) -> String {
    format!(
        "pg_try_advisory_xact_lock({CLASS}, hashtext({}))",
        quote::literal(table)
    )
}

/// Releases the lock; closing the connection would too, this only makes it prompt.
pub(crate) fn release(client: &mut Client, table: &str) -> Result<(), Error> {
    client
        .batch_execute(&format!(
            "SELECT pg_advisory_unlock({CLASS}, hashtext({}))",
            quote::literal(table)
        ))
        .map_err(|e| {
            Error::Database(format!(
                "cannot release the migration lock: {}",
                describe(&e)
            ))
        })
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
