//! Everything that talks to PostgreSQL: connecting, the history tables, the lock and applying SQL.

pub(crate) mod alembic_status;
pub(crate) mod alembic_version;
pub(crate) mod apply;
pub(crate) mod blockers;
pub(crate) mod conninfo;
pub(crate) mod failure;
pub(crate) mod guard;
mod guarded_run;
pub(crate) mod history;
pub(crate) mod history_read;
mod history_sql;
pub(crate) mod history_writer;
pub(crate) mod index_check;
pub mod interrupt;
pub(crate) mod lock;
mod outside_transaction;
pub(crate) mod plan;
pub(crate) mod pooler;
pub(crate) mod privileges;
pub(crate) mod refinery_identity;
mod retry;
pub(crate) mod script;
pub(crate) mod server_binaries;
pub(crate) mod snapshot;
pub(crate) mod throwaway;
pub(crate) mod tls;
mod tls_unverified;
pub(crate) mod tool_history;

pub(crate) use conninfo::ConnInfo;

use postgres::Client;

use crate::Error;

/// Opens a connection as `info` describes; errors name the server but never the password.
pub(crate) fn connect(info: &ConnInfo) -> Result<Client, Error> {
    let result = tls::connector(info)?.connect(&info.config);
    result.map_err(|e| {
        Error::Database(format!(
            "cannot connect to {info}: {}",
            info.redact(&describe(&e))
        ))
    })
}

/// The first column of the first row of `sql`, sent with the simple query protocol (no
/// prepared statement, so nothing is left on a pooled connection); `None` without a row or
/// for NULL.
pub(crate) fn first_cell(
    client: &mut Client,
    sql: &str,
) -> Result<Option<String>, postgres::Error> {
    Ok(client.simple_query(sql)?.into_iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    }))
}

/// A driver error in one line, with the server's own message when there is one.
pub(crate) fn describe(error: &postgres::Error) -> String {
    use std::error::Error as _;
    if let Some(db) = error.as_db_error() {
        return format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        );
    }
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
