//! Whether something between `migrate` and the server moves a session between server
//! connections, as PgBouncer does in transaction pooling. A session advisory lock taken through
//! such a pooler stays on a server connection the run no longer owns, and later runs wait on it
//! or go ahead without it; so a writing command refuses before it takes the lock.
//!
//! The probe uses the simple query protocol only: no named prepared statement, which such a
//! pooler would also mix up between clients.

use postgres::{Client, SimpleQueryMessage};

use super::{ConnInfo, connect, describe, first_cell};
use crate::Error;

/// How many times the probe looks for a moved session before it trusts the path.
const ROUNDS: usize = 8;

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Path {
    /// The server answers on the port connected to: nothing in between.
    Direct,
    /// Something in between keeps each session on its own server connection (a plain proxy,
    /// port forwarding, a session pooler).
    SessionKept,
    /// Something in between hands this session's server connection to another client.
    SessionMoved { port: String },
}

/// Probes the connection `client` made as `info` describes, given the port the server says it
/// listens on (`current_setting('port')`, read with the first look at the history tables).
pub(crate) fn probe(client: &mut Client, info: &ConnInfo, port: &str) -> Result<Path, Error> {
    let asked = info.config.get_ports().first().copied().unwrap_or(5432);
    if port == asked.to_string() {
        return Ok(Path::Direct);
    }
    // Another port answers. PgBouncer's console says the pool mode outright, when this user
    // may read it; else the sessions are watched.
    if let Some(mode) = pgbouncer_mode(info) {
        return Ok(if mode == "session" {
            Path::SessionKept
        } else {
            Path::SessionMoved {
                port: asked.to_string(),
            }
        });
    }
    // See whether a second client's transaction is given the server
    // connection this session just used, or this session comes back on another one. Two
    // sessions of one server never share a backend, and one session never changes backend.
    // A pooler hands out the connection released last (PgBouncer's default), so one round
    // nearly always shows it; other clients of the pooler can get in between, so several
    // rounds are run, and one sighting is enough.
    // Each round is two round trips: the other client ends its last transaction and opens the
    // next in one query string, and this session asks for its backend.
    let mut other = connect(info)?;
    let mine = one(client, "SELECT pg_backend_pid()")?;
    for round in 0..ROUNDS {
        let open = if round == 0 {
            "BEGIN; SELECT pg_backend_pid()"
        } else {
            "ROLLBACK; BEGIN; SELECT pg_backend_pid()"
        };
        let theirs = one(&mut other, open)?;
        let again = one(client, "SELECT pg_backend_pid()")?;
        if theirs == mine || again != mine {
            let _ = other.batch_execute("ROLLBACK");
            return Ok(Path::SessionMoved {
                port: asked.to_string(),
            });
        }
    }
    other.batch_execute("ROLLBACK").map_err(|e| failed(&e))?;
    Ok(Path::SessionKept)
}

/// The pool mode of this database and user, from PgBouncer's console (`SHOW POOLS`), when the
/// port is PgBouncer's and the user is one of its `admin_users` or `stats_users`.
fn pgbouncer_mode(info: &ConnInfo) -> Option<String> {
    let mut console = info.clone();
    console.config.dbname("pgbouncer");
    let mut client = connect(&console).ok()?;
    let database = info.config.get_dbname().map(str::to_owned);
    let user = info.config.get_user().map(str::to_owned);
    let messages = client.simple_query("SHOW POOLS").ok()?;
    messages.iter().find_map(|m| {
        let SimpleQueryMessage::Row(row) = m else {
            return None;
        };
        let column = |name: &str| {
            row.columns()
                .iter()
                .position(|c| c.name() == name)
                .and_then(|i| row.get(i))
        };
        let ours = column("database").map(str::to_owned) == database
            && (user.is_none() || column("user").map(str::to_owned) == user);
        ours.then(|| column("pool_mode").map(str::to_owned))
            .flatten()
    })
}

/// The first column of the first row of a simple query, which must have one.
fn one(client: &mut Client, sql: &str) -> Result<String, Error> {
    first_cell(client, sql)
        .map_err(|e| failed(&e))?
        .ok_or_else(|| Error::Database(format!("`{sql}` returned no row")))
}

fn failed(error: &postgres::Error) -> Error {
    Error::Database(format!(
        "cannot check for a connection pooler: {}",
        describe(error)
    ))
}
