//! The runner under real operating conditions, against a real PostgreSQL: many runners at once
//! on a tree with `transaction:false` index builds, and a database the files have drifted from.

use std::process::Command as StdCommand;

use crate::common::server::{TestDb, server};
use crate::common::write_tree;
use crate::database::{rev, run};

/// A chain of revisions with `CREATE INDEX CONCURRENTLY` builds outside a transaction between
/// ordinary ones.
fn index_builds(dir: &std::path::Path) {
    let mut files = vec![(
        "001_table.sql".to_owned(),
        rev(
            "table",
            "none",
            "CREATE TABLE t (id int, a int, b int, c int);\nINSERT INTO t SELECT g, g, g, g FROM generate_series(1, 20000) g;",
            "DROP TABLE t;",
        ),
    )];
    for (n, column) in [(2, "a"), (4, "b"), (6, "c")] {
        files.push((
            format!("{n:03}_index_{column}.sql"),
            format!(
                "-- index {column}\n-- migrate:revises {:03}\n\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_{column}_idx ON t ({column});\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY t_{column}_idx;\n",
                n - 1
            ),
        ));
        files.push((
            format!("{:03}_after_{column}.sql", n + 1),
            rev(
                "after",
                &format!("{n:03}"),
                &format!("UPDATE t SET {column} = {column} + 1 WHERE id = 1;"),
                "SELECT 1;",
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(dir, &refs);
}

fn concurrent_upgrades(
    dir: &std::path::Path,
    db: &TestDb,
    runners: usize,
) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..runners)
        .map(|_| spawn_upgrade(dir, db, &["head"]))
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

#[test]
fn twelve_concurrent_upgrades_with_index_builds_all_succeed_every_index_valid() {
    for round in 0..3 {
        let db = server().database(&format!("index_builds_{round}"));
        let dir = tempfile::tempdir().unwrap();
        index_builds(dir.path());
        let outputs = concurrent_upgrades(dir.path(), &db, 12);
        let mut applied_lines = 0;
        for out in &outputs {
            assert!(
                out.status.success(),
                "round {round}: a runner failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            applied_lines += String::from_utf8_lossy(&out.stdout).lines().count();
        }
        assert_eq!(
            applied_lines, 7,
            "round {round}: each revision applied once"
        );
        assert_eq!(
            db.one("SELECT count(*) FROM public.refinery_schema_history"),
            "7"
        );
        assert_eq!(
            db.one("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 't\\__\\_idx' AND i.indisvalid"),
            "3",
            "round {round}: every index built and valid"
        );
        assert_eq!(
            db.one("SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
            "0"
        );
        assert_eq!(
            db.advisory_locks(),
            "0",
            "round {round}: no lock left behind"
        );
        // A rerun has nothing to do.
        let again = run(dir.path(), &db).arg("upgrade").output().unwrap();
        assert!(again.status.success());
        assert_eq!(String::from_utf8_lossy(&again.stdout), "");
    }
}

#[test]
fn the_deploy_gate_sees_drift_pending_and_unknown_revisions() {
    let db = server().database("gate_drift");
    let dir = tempfile::tempdir().unwrap();
    crate::database::three(dir.path());
    let current = |args: &[&str]| {
        let out = run(dir.path(), &db)
            .arg("current")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Pending: the gate fails.
    let (code, _, stderr) = current(&["--check-heads"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[not-at-heads]"), "{stderr}");
    assert!(
        run(dir.path(), &db)
            .arg("upgrade")
            .output()
            .unwrap()
            .status
            .success()
    );
    let (code, stdout, _) = current(&["--check-heads"]);
    assert_eq!(
        (code, stdout.trim_end().lines().last()),
        (0, Some("at head"))
    );
    // Drift: an applied file edited. `current` says so, and the gate fails.
    let path = dir.path().join("002_b.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("VALUES (1)", "VALUES (2)")).unwrap();
    for args in [&[][..], &["--check-heads"][..]] {
        let (code, _, stderr) = current(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("error[checksum-mismatch]: `002_b.sql` changed since it was applied"),
            "{args:?}: {stderr}"
        );
    }
    let out = run(dir.path(), &db)
        .args(["current", "--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(document["changed"], serde_json::json!(["002"]));
    std::fs::write(&path, &text).unwrap();
    // Unknown: the database is ahead of these files.
    std::fs::remove_file(dir.path().join("003_c.sql")).unwrap();
    let (code, _, stderr) = current(&["--check-heads"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[unknown-revision]"), "{stderr}");
}

/// `upgrade` started in `dir` against `db`, with `args` after it, its output piped.
pub(crate) fn spawn_upgrade(
    dir: &std::path::Path,
    db: &TestDb,
    args: &[&str],
) -> std::process::Child {
    crate::common::spawn_migrate(dir, &db.url, &[&["upgrade"], args].concat())
}

/// Waits until a session of `db` runs `pg_sleep`, and returns its backend pid.
fn sleeping_backend(db: &TestDb) -> String {
    let sleeping = format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = '{}' AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
        db.name
    );
    let mut pid = None;
    crate::common::wait_until(
        "the revision runs",
        std::time::Duration::from_secs(30),
        || {
            pid = db.strings(&sleeping).into_iter().next();
            pid.is_some()
        },
    );
    pid.unwrap_or_default()
}

/// What a finished child printed and how it exited.
fn finished(child: std::process::Child) -> crate::common::Run {
    let out = child.wait_with_output().unwrap();
    crate::common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Starts `upgrade` in `dir`, waits until its backend runs `pg_sleep`, terminates that backend,
/// and returns what the run printed.
fn upgrade_with_backend_killed(dir: &std::path::Path, db: &TestDb) -> crate::common::Run {
    let child = spawn_upgrade(dir, db, &[]);
    let backend = sleeping_backend(db);
    db.strings(&format!("SELECT pg_terminate_backend({backend})"));
    finished(child)
}

#[test]
fn a_lost_connection_is_one_clear_error_with_the_revisions_state() {
    let db = server().database("lost_connection");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            (
                "002_b.sql",
                &rev(
                    "b",
                    "001",
                    "INSERT INTO a VALUES (1);\nSELECT pg_sleep(30);",
                    "DELETE FROM a;",
                ),
            ),
        ],
    );
    let out = upgrade_with_backend_killed(dir.path(), &db);
    assert_eq!(out.code, 1, "a failed revision: {}", out.stderr);
    assert!(
        out.stderr.contains("error[revision-failed]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("the connection to the server was lost while the revision ran"),
        "{}",
        out.stderr
    );
    for misleading in [
        "cannot take the migration lock",
        "did not fail again",
        "error: ",
    ] {
        assert!(
            !out.stderr.contains(misleading),
            "`{misleading}`: {}",
            out.stderr
        );
    }
    assert_eq!(db.one("SELECT count(*) FROM a"), "0", "002 was rolled back");
    assert_eq!(
        db.strings("SELECT version FROM public.refinery_schema_history"),
        ["1"]
    );

    // Outside a transaction: the statements before the lost one stay, and the rerun continues.
    write_tree(
        dir.path(),
        &[(
            "002_b.sql",
            "-- b\n-- migrate:revises 001\n\n-- migrate:up transaction:false\nINSERT INTO a VALUES (1);\nSELECT pg_sleep(30);\nINSERT INTO a VALUES (3);\n\n-- migrate:down\nDELETE FROM a;\n",
        )],
    );
    let out = upgrade_with_backend_killed(dir.path(), &db);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("lost during statement 2 of 3 (line 6)")
            && out.stderr.contains("it continues at statement 2"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("error: "), "{}", out.stderr);
    // The statement that did not finish may be edited before the rerun; the one that ran not.
    let path = dir.path().join("002_b.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("pg_sleep(30)", "pg_sleep(0)")).unwrap();
    let rerun = run(dir.path(), &db)
        .arg("upgrade")
        .timeout(std::time::Duration::from_mins(1))
        .output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    assert_eq!(db.strings("SELECT id FROM a ORDER BY id"), ["1", "3"]);
}

#[test]
fn an_invalid_index_is_never_recorded_and_the_error_says_how_to_drop_it() {
    let db = server().database("invalid_index");
    let dir = tempfile::tempdir().unwrap();
    let build = |if_not_exists: &str| {
        format!(
            "-- unique\n-- migrate:revises 001\n\n-- migrate:up transaction:false\nCREATE UNIQUE INDEX CONCURRENTLY {if_not_exists}t_v_key ON t (v);\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY t_v_key;\n"
        )
    };
    write_tree(
        dir.path(),
        &[
            (
                "001_t.sql",
                &rev(
                    "t",
                    "none",
                    "CREATE TABLE t (v int);\nINSERT INTO t VALUES (1), (1);",
                    "DROP TABLE t;",
                ),
            ),
            ("002_unique.sql", &build("IF NOT EXISTS ")),
        ],
    );
    let upgrade = || {
        let out = run(dir.path(), &db).arg("upgrade").output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The build fails on the duplicate and leaves an invalid index: the error says so.
    let (code, stderr) = upgrade();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("ERROR 23505"), "{stderr}");
    assert!(
        stderr.contains("left the index `t_v_key` behind, invalid: drop it with `DROP INDEX CONCURRENTLY IF EXISTS \"t_v_key\";`"),
        "{stderr}"
    );
    // The rerun's IF NOT EXISTS skips the invalid index: it is found, and nothing is recorded.
    let (code, stderr) = upgrade();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("index `t_v_key` is invalid"), "{stderr}");
    assert_eq!(
        db.strings("SELECT version FROM public.refinery_schema_history"),
        ["1"]
    );
    // Fixed and dropped, the rerun builds it and records the revision.
    db.strings("DELETE FROM t WHERE ctid <> (SELECT min(ctid) FROM t)");
    db.strings("DROP INDEX t_v_key");
    let (code, stderr) = upgrade();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        db.one("SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
        "0"
    );
    assert_eq!(
        db.strings("SELECT version FROM public.refinery_schema_history ORDER BY 1"),
        ["1", "2"]
    );
}

#[test]
fn messages_that_used_to_mislead() {
    let db = server().database("misleading");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_t.sql",
                &rev("t", "none", "CREATE TABLE t (v int);", "DROP TABLE t;"),
            ),
            (
                "002_index.sql",
                &rev(
                    "index",
                    "001",
                    "CREATE INDEX CONCURRENTLY t_v ON t (v);",
                    "DROP INDEX t_v;",
                ),
            ),
        ],
    );
    let out = run(dir.path(), &db).arg("upgrade").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ERROR 25001"), "{stderr}");
    assert!(
        stderr.contains("mark its section `-- migrate:up transaction:false`"),
        "{stderr}"
    );
    // A missing identifier variable is named as the file writes it.
    write_tree(
        dir.path(),
        &[(
            "002_index.sql",
            &rev(
                "index",
                "001",
                "GRANT SELECT ON t TO :\"MIGRATE_TEST_NO_ROLE\";",
                "SELECT 1;",
            ),
        )],
    );
    let out = run(dir.path(), &db).arg("upgrade").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("uses `:\"MIGRATE_TEST_NO_ROLE\"` without a value"),
        "{stderr}"
    );
}

/// Starts `upgrade`, waits until its backend runs `pg_sleep`, sends `signal` to the process,
/// and returns how it ended, how long after the signal, and when the signal was sent.
fn upgrade_interrupted(
    dir: &std::path::Path,
    db: &TestDb,
    signal: &str,
) -> (crate::common::Run, std::time::Duration, std::time::Instant) {
    let child = spawn_upgrade(dir, db, &[]);
    sleeping_backend(db);
    let signalled = std::time::Instant::now();
    let sent = StdCommand::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let run = finished(child);
    (run, signalled.elapsed(), signalled)
}

#[test]
fn sigint_and_sigterm_cancel_the_statement_roll_back_and_let_go_of_the_lock() {
    for (signal, status) in [("-INT", 130), ("-TERM", 143)] {
        let db = server().database(&format!("interrupt{status}"));
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                (
                    "001_a.sql",
                    &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
                ),
                (
                    "002_b.sql",
                    &rev(
                        "b",
                        "001",
                        "INSERT INTO a VALUES (1);\nSELECT pg_sleep(60);",
                        "DELETE FROM a;",
                    ),
                ),
            ],
        );
        let (out, took, signalled) = upgrade_interrupted(dir.path(), &db, signal);
        assert_eq!(out.code, status, "{signal}: {}", out.stderr);
        // Interrupted, not finished: the revision sleeps 60 s, and the bound is generous for
        // a loaded machine.
        assert!(took.as_secs() < 30, "{signal}: took {took:?}");
        assert!(
            out.stderr.contains(&format!(
                "error[interrupted]: interrupted by SIG{} while `002_b.sql` ran",
                &signal[1..]
            )) && out.stderr.contains("rolled back"),
            "{signal}: {}",
            out.stderr
        );
        // Soon after the signal (well before the 60 s sleep would end): nothing of the run is active (a backend may take
        // a moment to go once its client has), no lock is left, and 002 is neither applied nor
        // recorded.
        let active = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND state = 'active' AND pid <> pg_backend_pid()",
            db.name
        );
        while db.one(&active) != "0" {
            let since = signalled.elapsed();
            assert!(
                since.as_secs() < 30,
                "{signal}: still active after {since:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(db.advisory_locks(), "0", "{signal}");
        assert_eq!(db.one("SELECT count(*) FROM a"), "0", "{signal}");
        assert_eq!(
            db.strings("SELECT version FROM public.refinery_schema_history"),
            ["1"],
            "{signal}"
        );
    }
}

#[test]
fn an_interrupted_transaction_false_revision_says_which_statement_ran_last() {
    let db = server().database("interrupt_statements");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            (
                "002_b.sql",
                "-- b\n-- migrate:revises 001\n\n-- migrate:up transaction:false\nINSERT INTO a VALUES (1);\nSELECT pg_sleep(60);\nINSERT INTO a VALUES (3);\n\n-- migrate:down\nDELETE FROM a;\n",
            ),
        ],
    );
    let (out, took, _) = upgrade_interrupted(dir.path(), &db, "-INT");
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(took.as_secs() < 30, "took {took:?}");
    assert!(
        out.stderr
            .contains("1 of 3 statements are applied, statement 2 (line 6) is not")
            && out.stderr.contains("it continues at statement 2"),
        "{}",
        out.stderr
    );
    assert_eq!(db.advisory_locks(), "0");
    assert_eq!(db.strings("SELECT id FROM a"), ["1"]);
    assert_eq!(
        db.strings("SELECT version FROM public.refinery_schema_history"),
        ["1"]
    );
}

#[test]
fn a_ddl_lock_wait_gives_up_and_retries_so_readers_are_not_queued_behind_it() {
    let db = server().database("lock_retries");
    db.strings("CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_alter.sql",
            &rev(
                "alter",
                "none",
                "ALTER TABLE t ADD COLUMN x int;",
                "ALTER TABLE t DROP COLUMN x;",
            ),
        )],
    );
    // A session in the middle of a transaction that read the table: the ALTER must wait for it.
    let mut blocker = db.client();
    blocker
        .batch_execute("BEGIN; SELECT count(*) FROM t")
        .unwrap();
    let blocker_pid = blocker
        .simple_query("SELECT pg_backend_pid()")
        .unwrap()
        .into_iter()
        .find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap();
    let child = spawn_upgrade(
        dir.path(),
        &db,
        &["--lock-timeout", "200ms", "--lock-retries", "30"],
    );
    // Readers that come while the migration waits and retries are served at once: they are
    // never queued behind an ALTER that waits for its lock for long.
    let mut reader = db.client();
    let mut slowest = std::time::Duration::ZERO;
    let holding = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(300));
    for _ in 0..8 {
        let started = std::time::Instant::now();
        reader.simple_query("SELECT count(*) FROM t").unwrap();
        slowest = slowest.max(started.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let held = holding.elapsed();
    blocker.batch_execute("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Queued behind an ALTER that waited for the whole hold, the first reader would have
    // waited nearly all of it: the bound is relative to the hold measured here, not a clock.
    assert!(
        slowest < held / 2,
        "a reader waited {slowest:?} behind the migration, the blocker held {held:?}"
    );
    assert!(
        stderr.contains("a lock wait ran out of lock_timeout; try 2 of 31"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("pid {blocker_pid} (idle in transaction")),
        "{stderr}"
    );
    // From the second try on, a watcher saw the blocker through `pg_blocking_pids`.
    assert!(
        stderr.contains(&format!(
            "blocked by pid {blocker_pid} (idle in transaction"
        )),
        "{stderr}"
    );
    assert_eq!(
        db.one("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'x'"),
        "1"
    );
}

#[test]
fn a_second_signal_exits_at_once_when_the_first_one_cannot_finish() {
    let db = server().database("second_signal");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_a.sql",
            &rev("a", "none", "SELECT pg_sleep(60);", "SELECT 1;"),
        )],
    );
    let mut child = spawn_upgrade(dir.path(), &db, &[]);
    let backend = sleeping_backend(&db);
    // A stopped backend cannot act on the cancel request: the first signal cannot finish.
    let signal = |name: &str, pid: &str| {
        assert!(
            StdCommand::new("kill")
                .args([name, pid])
                .status()
                .unwrap()
                .success()
        );
    };
    signal("-STOP", &backend);
    let me = child.id().to_string();
    signal("-INT", &me);
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting for the rollback"
    );
    signal("-INT", &me);
    let second = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            second.elapsed().as_secs() < 20,
            "the second signal did not end the run"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    signal("-CONT", &backend);
    assert_eq!(status.code(), Some(130));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "error[interrupted]: a second signal: exiting without waiting for the rollback"
        ),
        "{stderr}"
    );
    // The server rolls back the abandoned session when it notices the client is gone: the
    // revision is not recorded.
    db.strings(&format!("SELECT pg_terminate_backend({backend})"));
    let gone = format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {backend}");
    crate::common::wait_until(
        "the backend goes",
        std::time::Duration::from_secs(30),
        || db.one(&gone) == "0",
    );
    assert_eq!(
        db.one("SELECT count(*) FROM public.refinery_schema_history"),
        "0"
    );
}
