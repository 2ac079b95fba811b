//! Whether the session `migrate` talks to stays on one server connection for the connection's
//! life, decided without a second server connection. A session advisory lock, a prepared
//! statement and a `transaction:false` section's session settings all need that; a pooler
//! that hands server connections to other clients between transactions (PgBouncer's
//! `pool_mode = transaction`) breaks it.
//!
//! Proof of a direct connection comes from both ends of the socket: the server's own view of
//! the connection (`inet_client_addr()`, `inet_client_port()`, `inet_server_addr()`,
//! `inet_server_port()`, or its socket directory) must be one of this process's own sockets.
//! Anything in between sees the server from a socket of its own, so the two never agree.

use postgres::SimpleQueryMessage;
use postgres::config::Host;

use super::{ConnInfo, connect};
use crate::cli::PoolMode;
use crate::sql::quote;

/// What is known of the path when the server's view of the connection is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Path {
    /// The session stays put: declared, or PgBouncer's console says `session`.
    SessionKept,
    /// The session may move between transactions, and `why` says how that is known: declared,
    /// PgBouncer's console, or nothing proving otherwise.
    MayMove { why: String },
    /// PgBouncer's `pool_mode = statement`: not even a transaction stays on one connection.
    Statement,
}

/// A condition, true on the server only when its end of the connection is one of this
/// process's sockets: then nothing is in between, and the lock can be taken in the same query.
/// Whether `client`'s connection is proven direct, by the same condition as the first look's.
pub(crate) fn proven_direct(
    client: &mut postgres::Client,
    info: &ConnInfo,
) -> Result<bool, crate::Error> {
    let found = super::first_cell(
        client,
        &format!("SELECT ({})::text", direct_condition(info)),
    )
    .map_err(|e| crate::Error::Database(format!("cannot reach {info}: {}", super::describe(&e))))?;
    Ok(found.as_deref() == Some("true"))
}

pub(crate) fn direct_condition(info: &ConnInfo) -> String {
    let mut alternatives = Vec::new();
    let asked = info.config.get_ports().first().copied().unwrap_or(5432);
    for host in info.config.get_hosts() {
        if let Host::Unix(dir) = host {
            // The socket file the server names is the server's: no pooler listens on it.
            alternatives.push(format!(
                "(inet_client_addr() IS NULL AND current_setting('port') = '{asked}' AND {} = ANY \
                 (SELECT rtrim(trim(d), '/') FROM unnest(string_to_array(current_setting('unix_socket_directories'), ',')) d))",
                quote::literal(dir.to_string_lossy().trim_end_matches('/'))
            ));
        }
    }
    for socket in own_tcp_sockets() {
        alternatives.push(format!(
            "(inet_client_port() = {} AND inet_server_port() = {} \
             AND regexp_replace(host(inet_client_addr()), '^::ffff:', '') = {} \
             AND regexp_replace(host(inet_server_addr()), '^::ffff:', '') = {})",
            socket.local_port,
            socket.remote_port,
            quote::literal(&socket.local_ip),
            quote::literal(&socket.remote_ip),
        ));
    }
    if alternatives.is_empty() {
        "false".to_owned()
    } else {
        format!("({})", alternatives.join(" OR "))
    }
}

/// What is known of a path that is not direct: declared by the user, else PgBouncer's console
/// (a connection to the pooler itself, which takes no server connection), else nothing.
pub(crate) fn judge(info: &ConnInfo, declared: Option<PoolMode>) -> Path {
    match declared {
        Some(PoolMode::Session) => return Path::SessionKept,
        Some(PoolMode::Transaction) => {
            return Path::MayMove {
                why: "declared with `--pool-mode transaction`".to_owned(),
            };
        }
        None => {}
    }
    match pgbouncer_mode(info).as_deref() {
        Some("session") => Path::SessionKept,
        Some("statement") => Path::Statement,
        Some(mode) => Path::MayMove {
            why: format!("PgBouncer's console says `pool_mode = {mode}`"),
        },
        None => Path::MayMove {
            why: "nothing proves the session stays on one server connection: the server sees \
                  the connection come from another socket than this process's (a pooler, a \
                  proxy or NAT in between)"
                .to_owned(),
        },
    }
}

/// The pool mode of this database and user, from PgBouncer's console (`SHOW POOLS`), when the
/// port is PgBouncer's and the user is one of its `admin_users` or `stats_users`.
fn pgbouncer_mode(info: &ConnInfo) -> Option<String> {
    let mut console = info.clone();
    console.config.dbname("pgbouncer");
    console
        .config
        .connect_timeout(std::time::Duration::from_secs(5));
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

/// One TCP connection of this process, both ends, addresses as the server writes them.
struct OwnSocket {
    local_ip: String,
    local_port: u16,
    remote_ip: String,
    remote_port: u16,
}

/// This process's established TCP connections (Linux: `/proc/self/fd` and `/proc/self/net`);
/// none elsewhere, where no connection can be proven direct.
#[cfg(target_os = "linux")]
fn own_tcp_sockets() -> Vec<OwnSocket> {
    use procfs::process::{FDTarget, Process};
    let Ok(me) = Process::myself() else {
        return Vec::new();
    };
    let inodes: std::collections::HashSet<u64> = me
        .fd()
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|fd| match fd.target {
            FDTarget::Socket(inode) => Some(inode),
            _ => None,
        })
        .collect();
    let plain = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        std::net::IpAddr::V4(v4) => v4.to_string(),
    };
    let mut entries = me.tcp().unwrap_or_default();
    entries.extend(me.tcp6().unwrap_or_default());
    entries
        .into_iter()
        .filter(|e| inodes.contains(&e.inode) && e.inode != 0)
        .map(|e| OwnSocket {
            local_ip: plain(e.local_address.ip()),
            local_port: e.local_address.port(),
            remote_ip: plain(e.remote_address.ip()),
            remote_port: e.remote_address.port(),
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn own_tcp_sockets() -> Vec<OwnSocket> {
    Vec::new()
}
