//! A real PostgreSQL server for the database tests: `MIGRATE_TEST_DATABASE_URL` when set, else
//! a throwaway cluster this process starts (initdb into a temporary directory, a private socket
//! and port, TLS with a CA made here) and that is removed when the process exits.
//!
//! There is no skipping: without a server and without server binaries, the tests fail.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running server.
pub(crate) struct Server {
    /// A superuser URL to the `postgres` database.
    pub(crate) admin_url: String,
    /// The socket directory and the CA certificate, for a cluster this process started.
    pub(crate) socket_dir: Option<PathBuf>,
    pub(crate) port: u16,
    pub(crate) ca_cert: Option<PathBuf>,
    /// Closing this pipe (when the process exits) stops the cluster and deletes it.
    _guard: Option<Mutex<(Child, ChildStdin)>>,
}

/// Roles are the cluster's, not a database's: a test that creates one, or that judges the
/// cluster's roles (`verify`), takes its turn through this, so that none sees another's.
pub(crate) fn cluster_roles() -> std::sync::MutexGuard<'static, ()> {
    static ROLES: Mutex<()> = Mutex::new(());
    ROLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The server every database test uses.
pub(crate) fn server() -> &'static Server {
    static SHARED: OnceLock<Server> = OnceLock::new();
    SHARED.get_or_init(|| {
        match std::env::var("MIGRATE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(url) => Server {
                admin_url: url,
                socket_dir: None,
                port: 0,
                ca_cert: None,
                _guard: None,
            },
            None => own_server_start(Certificate::Version3),
        }
    })
}

/// A cluster this process started, for tests that need its socket or its TLS set-up.
pub(crate) fn own_server() -> &'static Server {
    static OWN: OnceLock<Server> = OnceLock::new();
    if std::env::var_os("MIGRATE_TEST_DATABASE_URL").is_none() {
        return server();
    }
    OWN.get_or_init(|| own_server_start(Certificate::Version3))
}

/// A second cluster of this process, whose certificate is X.509 version 1 (signed by its own CA,
/// for `localhost`, with no extensions): the shared one keeps its version 3 certificate.
pub(crate) fn version_1_server() -> &'static Server {
    static V1: OnceLock<Server> = OnceLock::new();
    V1.get_or_init(|| own_server_start(Certificate::Version1))
}

/// The kind of certificate a cluster serves.
#[derive(Clone, Copy)]
enum Certificate {
    /// Version 3, naming `localhost` in a subjectAltName extension.
    Version3,
    /// Version 1: OpenSSL writes one when it is given no extensions.
    Version1,
}

/// The server binaries the tests run: `MIGRATE_TEST_POSTGRES` names a major (found where
/// `scripts/install-postgres` puts it, `target/postgres/<major>/bin`, or Debian's
/// `/usr/lib/postgresql/<major>/bin`) or a directory; unset, the newest Debian installs.
pub(crate) fn bin_dir() -> PathBuf {
    if let Some(asked) = std::env::var("MIGRATE_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
    {
        let candidates = if asked.bytes().all(|b| b.is_ascii_digit()) {
            vec![
                crate::common::root().join(format!("target/postgres/{asked}/bin")),
                PathBuf::from(format!("/usr/lib/postgresql/{asked}/bin")),
            ]
        } else {
            vec![PathBuf::from(&asked)]
        };
        return candidates
            .into_iter()
            .find(|dir| dir.join("initdb").is_file())
            .unwrap_or_else(|| {
                panic!(
                    "MIGRATE_TEST_POSTGRES={asked}: no server binaries there; run scripts/install-postgres {asked}"
                )
            });
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().expect(
        "no PostgreSQL server binaries under /usr/lib/postgresql: install Debian's `postgresql` \
         package (scripts/test does), set MIGRATE_TEST_POSTGRES to a major scripts/install-postgres \
         installed, or set MIGRATE_TEST_DATABASE_URL",
    )
}

/// The major the run is meant to test: `MIGRATE_TEST_POSTGRES` when it is one, else what the
/// chosen binaries say they are.
pub(crate) fn expected_major() -> u32 {
    if let Some(major) = std::env::var("MIGRATE_TEST_POSTGRES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        return major;
    }
    let said = Command::new(bin_dir().join("postgres"))
        .arg("--version")
        .output()
        .expect("postgres --version runs");
    let text = String::from_utf8_lossy(&said.stdout);
    text.split("(PostgreSQL) ")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or_else(|| panic!("cannot read the major from {text:?}"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The cluster's whole life in one shell script, run as an unprivileged user: set up, print
/// the directory, serve until stdin closes, then stop and delete everything.
const LIFE: &str = r#"
set -e
dir=$(mktemp -d /tmp/migrate-test-XXXXXX)
cd "$dir"
"$BIN/initdb" -D data -U postgres --auth=trust --encoding=UTF8 --no-sync >init.log 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=migrate test CA" \
    -keyout ca.key -out ca.crt >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr >/dev/null 2>&1
if [ "$CERT" = v1 ]; then
    # With no extensions file, OpenSSL writes an X.509 version 1 certificate.
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -out server.crt >/dev/null 2>&1
else
    printf 'subjectAltName=DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile san.ext -out server.crt >/dev/null 2>&1
fi
chmod 600 server.key
"$BIN/postgres" -D data -p "$PORT" -k "$dir" -c listen_addresses=127.0.0.1 -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
    -c ssl=on -c ssl_cert_file="$dir/server.crt" -c ssl_key_file="$dir/server.key" \
    >server.log 2>&1 &
server=$!
echo "$dir"
cat >/dev/null || true
kill -INT "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
cd /
rm -rf "$dir"
"#;

fn own_server_start(certificate: Certificate) -> Server {
    let bin = bin_dir();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", LIFE]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", LIFE]);
        c
    };
    let mut child = command
        .env("BIN", &bin)
        .env("PORT", port.to_string())
        .env(
            "CERT",
            match certificate {
                Certificate::Version3 => "v3",
                Certificate::Version1 => "v1",
            },
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the cluster script starts");
    let stdin = child.stdin.take().expect("piped stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the cluster script prints its directory");
    let dir = PathBuf::from(line.trim());
    assert!(
        dir.is_dir(),
        "the test cluster did not start (initdb or openssl failed)"
    );
    let admin_url = format!("postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable");
    wait_until_ready(&admin_url, &dir);
    Server {
        admin_url,
        socket_dir: Some(dir.clone()),
        port,
        ca_cert: Some(dir.join("ca.crt")),
        _guard: Some(Mutex::new((child, stdin))),
    }
}

fn wait_until_ready(url: &str, dir: &Path) {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        match postgres::Client::connect(url, postgres::NoTls) {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                panic!("the test cluster did not accept connections: {e}\n{log}");
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A database of its own for one test, on `server`.
pub(crate) struct TestDb {
    pub(crate) url: String,
    pub(crate) name: String,
}

impl Server {
    /// Creates an empty database named after the test.
    pub(crate) fn database(&self, test: &str) -> TestDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t_{}_{}_{}",
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(30)
                .collect::<String>(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = postgres::Client::connect(&self.admin_url, postgres::NoTls)
            .expect("the admin connection");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE");
        let url = match self.admin_url.rsplit_once("/postgres") {
            Some((base, rest)) => format!("{base}/{name}{rest}"),
            None => panic!("MIGRATE_TEST_DATABASE_URL must end in the `postgres` database"),
        };
        TestDb { url, name }
    }
}

impl TestDb {
    /// A connection for the test's own checks.
    pub(crate) fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("a test connection")
    }

    /// Runs a query and returns the first column of every row, as text.
    pub(crate) fn strings(&self, sql: &str) -> Vec<String> {
        self.client()
            .simple_query(sql)
            .expect("the test query")
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
                _ => None,
            })
            .collect()
    }

    /// How many advisory locks are held in this database (never the whole cluster's, which
    /// other tests' runs hold too).
    pub(crate) fn advisory_locks(&self) -> String {
        self.one(
            "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND database = \
             (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
    }

    /// Runs a query expected to return one value.
    pub(crate) fn one(&self, sql: &str) -> String {
        let rows = self.strings(sql);
        assert_eq!(rows.len(), 1, "{sql} returned {rows:?}");
        rows.into_iter().next().unwrap_or_default()
    }
}
