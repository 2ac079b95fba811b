//! A throwaway PostgreSQL cluster made from this machine's server binaries, for `migrate
//! verify` with no database named: on a Unix socket in a private directory (no TCP port), run
//! as the `postgres` user when `migrate` runs as root (the server refuses root), and removed
//! however the run ends: its shell outlives nothing, because it stops the server and deletes
//! the directory when its standard input closes, which the kernel does when `migrate` exits,
//! even under `kill -9`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::ConnInfo;
use super::conninfo::process_env;
use crate::Error;

/// How long the new cluster may take to accept connections.
const READY: Duration = Duration::from_mins(1);

/// The cluster's life in one script, as the unprivileged user: set up, say where, serve until
/// stdin closes, then stop and delete everything. The cleanup must hold from the first instant:
/// `migrate` may be killed while initdb runs or before it reads the directory's name, so the
/// script ignores the signals a terminal sends the whole group and a write to the closed pipe
/// (`set -e` would end it there, leaving the server running), and always reaches the end.
const LIFE: &str = r#"
trap '' INT HUP PIPE
dir=$(mktemp -d "${TMPDIR:-/tmp}/migrate-verify-XXXXXX") || exit 1
cd "$dir" || exit 1
if "$BIN/initdb" -D data -U postgres --auth=trust --encoding=UTF8 --no-sync >init.log 2>&1; then
    "$BIN/postgres" -D data -k "$dir" -c listen_addresses= -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off >server.log 2>&1 &
    server=$!
    echo "$dir"
    cat >/dev/null
    # Immediate shutdown: the cluster is deleted next. A server that has not yet set its
    # handlers ignores the signal (a background job inherits SIGQUIT ignored), so it is sent
    # again until the server is gone.
    kill -QUIT "$server" 2>/dev/null
    ( while sleep 0.2; do kill -QUIT "$server" 2>/dev/null || exit 0; done ) &
    again=$!
    wait "$server" 2>/dev/null
    kill "$again" 2>/dev/null
else
    echo "initdb failed: $(tail -n 3 init.log)" >&2
fi
cd /
rm -rf "$dir"
"#;

/// A running throwaway cluster; dropping it stops and removes it.
pub(crate) struct Cluster {
    /// How to connect as the superuser, to its `postgres` database.
    pub info: ConnInfo,
    _child: Child,
    _stdin: ChildStdin,
}

/// Starts a cluster from the server binaries in `bin` and waits until it accepts connections.
pub(crate) fn start(bin: &Path) -> Result<Cluster, Error> {
    let root = is_root();
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", LIFE]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", LIFE]);
        c
    };
    let mut child = command
        .env("BIN", bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            Error::Database(format!("cannot start a throwaway PostgreSQL cluster: {e}"))
        })?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Database("the throwaway cluster has no stdin".to_owned()))?;
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let dir = PathBuf::from(line.trim());
    if line.trim().is_empty() || !dir.is_dir() {
        let who = if root { " as the `postgres` user" } else { "" };
        return Err(Error::Database(format!(
            "the throwaway PostgreSQL cluster did not start{who} (initdb in {}): pass --database-url to verify on a server",
            bin.display()
        )));
    }
    let info = ConnInfo::parse(
        &format!(
            "host={} port=5432 user=postgres dbname=postgres sslmode=disable",
            dir.display()
        ),
        &process_env,
    )?;
    wait_until_ready(&info, &dir)?;
    Ok(Cluster {
        info,
        _child: child,
        _stdin: stdin,
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn wait_until_ready(info: &ConnInfo, dir: &Path) -> Result<(), Error> {
    let deadline = Instant::now() + READY;
    loop {
        match super::connect(info) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(Error::Database(format!(
                    "the throwaway cluster did not accept connections: {e}\n{}",
                    log.lines().rev().take(5).collect::<Vec<_>>().join("\n")
                )));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
        if let Some(signal) = super::interrupt::received() {
            return Err(Error::Interrupted(signal));
        }
    }
}
