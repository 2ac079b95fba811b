//! A real PgBouncer in front of the test server, started by the test that needs it and stopped
//! when it is dropped. Without the `pgbouncer` binary the test fails and says how to get it.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running PgBouncer.
pub(crate) struct Bouncer {
    pub(crate) port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        // `runuser` does not pass a kill on: stop PgBouncer itself, by its pid file.
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    let found = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    found.expect(
        "pgbouncer is missing: install Debian's `pgbouncer` package (scripts/test does) to run the pooler tests",
    )
}

/// PgBouncer in `mode` (`transaction` or `session`) in front of the server on `server_port`,
/// four server connections a pool, its console open to `postgres`.
pub(crate) fn start(server_port: u16, mode: &str) -> Bouncer {
    start_with(server_port, mode, 4, true)
}

/// PgBouncer with `pool_size` server connections a pool, and its console (`SHOW POOLS`) open to
/// `postgres` or to nobody.
pub(crate) fn start_with(server_port: u16, mode: &str, pool_size: u32, console: bool) -> Bouncer {
    let bin = binary();
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let path = dir.path();
    std::fs::write(path.join("userlist.txt"), "\"postgres\" \"\"\n").unwrap();
    std::fs::write(
        path.join("pgbouncer.ini"),
        format!(
            "[databases]\n* = host=127.0.0.1 port={server_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
             listen_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {users}\n\
             pool_mode = {mode}\n{admin}default_pool_size = {pool_size}\nmax_client_conn = 100\n\
             ignore_startup_parameters = extra_float_digits,options\nlogfile = {log}\npidfile = {pid}\n",
            users = path.join("userlist.txt").display(),
            admin = if console { "admin_users = postgres\n" } else { "" },
            log = path.join("pgbouncer.log").display(),
            pid = path.join("pgbouncer.pid").display(),
        ),
    )
    .unwrap();
    // PgBouncer refuses to run as root: as root, it runs as the server's user.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let ini = path.join("pgbouncer.ini");
    let mut command = if root {
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(path)
            .status();
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&bin).arg(&ini);
        c
    } else {
        let mut c = Command::new(&bin);
        c.arg(&ini);
        c
    };
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pgbouncer starts");
    let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable");
    let deadline = Instant::now() + Duration::from_secs(20);
    while postgres::Client::connect(&url, postgres::NoTls).is_err() {
        assert!(
            Instant::now() < deadline,
            "pgbouncer did not accept connections: {}",
            std::fs::read_to_string(path.join("pgbouncer.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Bouncer { port, child, dir }
}
