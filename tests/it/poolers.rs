//! Writing runs through a real PgBouncer (issue 23, section 5): in transaction mode, with
//! more runners than server connections, every revision is applied exactly once and no lock is
//! left; a `transaction:false` section is refused there; in session mode with a pool smaller
//! than the runners, nobody deadlocks.

use std::path::Path;
use std::process::{Child, Command};

use crate::common::pgbouncer;
use crate::common::server::{TestDb, own_server};
use crate::common::write_tree;
use crate::database::rev;

/// Five revisions, each making a table and logging itself: a revision applied twice would log
/// twice (or fail on its table).
fn logged_tree(dir: &Path) {
    let mut files = vec![(
        "001_log.sql".to_owned(),
        rev(
            "log",
            "none",
            "CREATE TABLE applied_log (revision text);\nINSERT INTO applied_log VALUES ('001');",
            "DROP TABLE applied_log;",
        ),
    )];
    for n in 2..=5 {
        files.push((
            format!("{n:03}_t{n}.sql"),
            rev(
                &format!("t{n}"),
                &format!("{:03}", n - 1),
                &format!(
                    "CREATE TABLE t{n} (id int);\nSELECT pg_sleep(0.02);\nINSERT INTO applied_log VALUES ('{n:03}');"
                ),
                &format!("DROP TABLE t{n};\nDELETE FROM applied_log WHERE revision = '{n:03}';"),
            ),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    write_tree(dir, &files);
}

fn spawn_upgrade(dir: &Path, url: &str, extra: &[&str]) -> Child {
    crate::common::spawn_migrate(
        dir,
        url,
        &[&["upgrade", "head", "--lock-wait", "60s"], extra].concat(),
    )
}

fn pooled_url(port: u16, db: &TestDb) -> String {
    format!(
        "postgresql://postgres@127.0.0.1:{port}/{}?sslmode=disable",
        db.name
    )
}

#[test]
fn through_a_transaction_pooler_eight_runners_apply_every_revision_once_twenty_times() {
    let srv = own_server();
    // Four server connections for eight runners, and a console the runners may not read:
    // nothing tells them the pool mode.
    let bouncer = pgbouncer::start_with(srv.port, "transaction", 4, false);
    let dir = tempfile::tempdir().unwrap();
    logged_tree(dir.path());
    for trial in 0..20 {
        let db = srv.database(&format!("pooled_{trial}"));
        let url = pooled_url(bouncer.port, &db);
        // In odd trials, half the runners run the whole plan as one transaction.
        let children: Vec<Child> = (0..8)
            .map(|i| {
                let single: &[&str] = if trial % 2 == 1 && i % 2 == 0 {
                    &["--single-transaction"]
                } else {
                    &[]
                };
                spawn_upgrade(dir.path(), &url, single)
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "trial {trial}: {stderr}");
            assert!(!stderr.contains("prepared statement"), "{stderr}");
        }
        assert_eq!(
            db.strings("SELECT revision || ' ' || count(*) FROM applied_log GROUP BY revision ORDER BY revision"),
            ["001 1", "002 1", "003 1", "004 1", "005 1"],
            "trial {trial}: each revision once"
        );
        assert_eq!(
            db.strings("SELECT version::text FROM public.refinery_schema_history ORDER BY version"),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(db.advisory_locks(), "0", "trial {trial}: a lock was left");
        if trial == 19 {
            // Down through the same pooler, guarded the same way.
            let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
                .current_dir(dir.path())
                .env("MIGRATE_DIR", ".")
                .env("MIGRATE_DATABASE_URL", &url)
                .args(["downgrade", "base"])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                db.one("SELECT count(*) FROM public.refinery_schema_history"),
                "0"
            );
        }
    }
}

#[test]
fn through_a_transaction_pooler_a_transaction_false_section_is_refused_and_nothing_runs() {
    let srv = own_server();
    let bouncer = pgbouncer::start(srv.port, "transaction");
    let db = srv.database("pooled_false");
    let dir = tempfile::tempdir().unwrap();
    index_tree(dir.path());
    let children: Vec<Child> = (0..4)
        .map(|_| spawn_upgrade(dir.path(), &pooled_url(bouncer.port, &db), &[]))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("error[pooled-connection]")
                && stderr.contains("002_index.sql has a `transaction:false` section")
                && stderr.contains("PgBouncer's console says `pool_mode = transaction`")
                && stderr.contains("direct URL"),
            "{stderr}"
        );
    }
    assert_eq!(db.advisory_locks(), "0");
    assert_eq!(
        db.one(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'refinery%' OR tablename = 't'"
        ),
        "0",
        "nothing was created"
    );
}

#[test]
fn through_a_session_pooler_smaller_than_the_runners_nobody_deadlocks() {
    let srv = own_server();
    for console in [true, false] {
        let bouncer = pgbouncer::start_with(srv.port, "session", 4, console);
        let db = srv.database(&format!("session_{console}"));
        let dir = tempfile::tempdir().unwrap();
        logged_tree(dir.path());
        let children: Vec<Child> = (0..6)
            .map(|_| spawn_upgrade(dir.path(), &pooled_url(bouncer.port, &db), &[]))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "console {console}: {stderr}");
        }
        assert_eq!(
            db.one("SELECT count(*) FROM applied_log"),
            "5",
            "console {console}"
        );
        assert_eq!(db.advisory_locks(), "0");
    }
}

/// A plain TCP forwarder to `port`, as a proxy or NAT would be: each client gets its own
/// server connection for its whole life, but the server sees the forwarder's socket.
fn forwarder(port: u16) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let local = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    local
}

fn index_tree(dir: &Path) {
    write_tree(
        dir,
        &[
            (
                "001_t.sql",
                &rev("t", "none", "CREATE TABLE t (a int);", "DROP TABLE t;"),
            ),
            (
                "002_index.sql",
                "-- index\n-- migrate:revises 001\n\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY t_a;\n",
            ),
        ],
    );
}

/// Proof of a direct connection is the server's view of this process's own socket: over TCP
/// and over the server's Unix socket a `transaction:false` section runs under the session
/// lock; through a forwarder nothing proves it, until the user says the path keeps sessions.
#[test]
fn a_direct_connection_is_proven_and_an_unproven_one_needs_the_users_word() {
    let srv = own_server();
    let dir = tempfile::tempdir().unwrap();
    index_tree(dir.path());
    let db = srv.database("direct_tcp");
    let out = spawn_upgrade(dir.path(), &db.url, &[])
        .wait_with_output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let socket_dir = srv
        .socket_dir
        .as_ref()
        .expect("the test cluster has a socket directory");
    let db = srv.database("direct_unix");
    let unix = format!(
        "host={} port={} user=postgres dbname={}",
        socket_dir.display(),
        srv.port,
        db.name
    );
    let out = spawn_upgrade(dir.path(), &unix, &[])
        .wait_with_output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = forwarder(srv.port);
    let db = srv.database("forwarded");
    let url = pooled_url(port, &db);
    let out = spawn_upgrade(dir.path(), &url, &[])
        .wait_with_output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[pooled-connection]")
            && stderr.contains("nothing proves the session stays on one server connection")
            && stderr.contains("--pool-mode session"),
        "{stderr}"
    );
    let out = spawn_upgrade(dir.path(), &url, &["--pool-mode", "session"])
        .wait_with_output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.one("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_a'::regclass"),
        "true"
    );
    assert_eq!(db.advisory_locks(), "0");
}

/// SIGINT through a transaction pooler: the revision's statement is cancelled (PgBouncer 1.18
/// drops the driver's cancel request, so the run also cancels its own tagged statement from a
/// connection of its own), the guarded transaction rolls back with its lock, nothing is recorded.
#[test]
fn an_interrupt_through_a_transaction_pooler_cancels_the_revision_and_leaves_no_lock() {
    let srv = own_server();
    let bouncer = pgbouncer::start_with(srv.port, "transaction", 2, false);
    let db = srv.database("pooled_sigint");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            (
                "002_slow.sql",
                &rev(
                    "slow",
                    "001",
                    "INSERT INTO a VALUES (1);\nSELECT pg_sleep(30) AS pooled_sigint_marker;",
                    "DELETE FROM a;",
                ),
            ),
        ],
    );
    let child = spawn_upgrade(dir.path(), &pooled_url(bouncer.port, &db), &[]);
    let running = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pooled_sigint_marker%' \
                   AND state = 'active' AND pid <> pg_backend_pid()";
    crate::common::wait_until(
        "the slow revision runs",
        std::time::Duration::from_secs(30),
        || db.one(running) == "1",
    );
    let signalled = std::time::Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    // Cancelled, not waited out: well before the 30 s sleep would end.
    assert!(signalled.elapsed().as_secs() < 20, "{stderr}");
    assert!(
        stderr.contains("error[interrupted]") && stderr.contains("002_slow.sql"),
        "{stderr}"
    );
    assert_eq!(db.advisory_locks(), "0");
    assert_eq!(
        db.strings("SELECT version::text FROM public.refinery_schema_history"),
        ["1"]
    );
    assert_eq!(db.one("SELECT count(*) FROM a"), "0");
}
