//! The guard at the head of each revision's transaction on a path that may move the session
//! (a transaction pooler): a transaction-scoped lock and the history read again inside the
//! same transaction. A transaction never leaves its server connection, so whatever the pooler
//! does between transactions, each revision is applied once, by one runner, on the history it
//! was planned for.

use super::history::Tables;
use crate::sql::quote;

/// The SQLSTATE the guard raises when another runner holds the lock: the transaction is rolled
/// back, and the revision is tried again after a pause.
pub(crate) const BUSY: &str = "MG001";
/// The SQLSTATE the guard raises when the history is not what the plan was made for: another
/// runner applied or reverted revisions meanwhile, and the plan is made again.
pub(crate) const CHANGED: &str = "MG002";

/// Why a guarded revision did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Busy,
    Changed,
}

/// The applied versions as the guard compares them: `1,2,3`, empty for none.
pub(crate) fn fingerprint(versions: impl IntoIterator<Item = i32>) -> String {
    let mut versions: Vec<i32> = versions.into_iter().collect();
    versions.sort_unstable();
    versions
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The statement that opens a guarded transaction: it takes the lock for `lock_key` or raises
/// `BUSY` at once (a runner blocked in a lock wait holds a transaction open, which a direct
/// runner's `CREATE INDEX CONCURRENTLY` would wait for), then raises `CHANGED` unless the
/// history holds exactly `expected`.
pub(crate) fn opening(tables: &Tables, lock: &str, expected: &str) -> String {
    block(
        lock,
        &format!(
            "IF coalesce((SELECT string_agg(version::text, ',' ORDER BY version) FROM {}), '') <> {} THEN \
             RAISE EXCEPTION 'the history changed since the plan was made' USING ERRCODE = '{CHANGED}'; END IF; ",
            tables.history,
            quote::literal(expected)
        ),
    )
}

/// The statement that takes the lock for `lock_key` or raises `BUSY`, for a transaction that
/// reads no history (creating the tables, clearing records).
pub(crate) fn lock_only(lock: &str) -> String {
    block(lock, "")
}

/// The guard's `DO` block: the lock or `BUSY`, then `then`.
fn block(lock: &str, then: &str) -> String {
    format!(
        "DO $migrate_guard$ BEGIN \
         IF NOT {lock} THEN RAISE EXCEPTION 'another runner holds the migration lock' USING ERRCODE = '{BUSY}'; END IF; \
         {then}END $migrate_guard$;\n"
    )
}

/// The guard's verdict on an error, when it was the guard that raised it.
pub(crate) fn stop_of(error: &postgres::Error) -> Option<Stop> {
    match error.code().map(postgres::error::SqlState::code) {
        Some(BUSY) => Some(Stop::Busy),
        Some(CHANGED) => Some(Stop::Changed),
        _ => None,
    }
}

/// What a guarded revision's transaction checks first (`database::guard`): the lock, and the
/// history the plan expects, which the runner keeps up to date as revisions go through.
pub(crate) struct Guard {
    /// The expression that tries the transaction-scoped lock.
    pub lock: String,
    /// The versions applied before the next revision, as the plan expects them.
    pub applied: std::collections::BTreeSet<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_sorted_and_empty_for_none() {
        assert_eq!(fingerprint([3, 1, 2]), "1,2,3");
        assert_eq!(fingerprint([]), "");
    }
}
