//! `verify` on a shared server, where other sessions create and drop roles while it runs: it
//! drops only the roles its own SQL made, and blames a revision only for a role that revision
//! names (issue 23, section 1).

use std::process::Command;
use std::time::Duration;

use crate::common::server::{TestDb, cluster_roles, own_server};
use crate::common::write_tree;
use crate::database::rev;

fn roles_named(db: &TestDb, name: &str) -> String {
    db.one(&format!(
        "SELECT count(*)::text FROM pg_roles WHERE rolname = '{name}'"
    ))
}

/// Waits until a statement holding `marker` runs on the server, as the revision under test.
fn wait_for_statement(db: &TestDb, marker: &str) {
    let sql = format!(
        "SELECT count(*)::text FROM pg_stat_activity WHERE query LIKE '%{marker}%' AND pid <> pg_backend_pid()"
    );
    crate::common::wait_until("the revision runs", Duration::from_secs(30), || {
        db.one(&sql) != "0"
    });
}

fn spawn_verify(dir: &std::path::Path, url: &str) -> std::process::Child {
    crate::common::spawn_migrate(
        dir,
        url,
        &["verify", "--database-url", url, "--format", "concise"],
    )
}

#[test]
fn a_role_another_session_creates_during_verify_is_neither_dropped_nor_blamed() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_shared_create");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            (
                "002_role.sql",
                &rev(
                    "role",
                    "001",
                    "CREATE ROLE verify_app_role;\nSELECT pg_sleep(1.5) AS verify_shared_create_marker;",
                    "DROP ROLE verify_app_role;",
                ),
            ),
        ],
    );
    let child = spawn_verify(dir.path(), &db.url);
    wait_for_statement(&db, "verify_shared_create_marker");
    db.client()
        .batch_execute("CREATE ROLE verify_prod_role")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let prod_exists = roles_named(&db, "verify_prod_role");
    let app_exists = roles_named(&db, "verify_app_role");
    db.client()
        .batch_execute("DROP ROLE verify_prod_role")
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "a role made elsewhere is no finding:\n{stdout}{stderr}"
    );
    assert_eq!(prod_exists, "1", "verify dropped a role it did not create");
    assert_eq!(app_exists, "0", "the revision's own role is dropped");
    assert!(
        stderr.contains("role verify_prod_role changed while 002_role.sql ran")
            && stderr.contains("verify leaves it alone"),
        "the other session's role is said as a note:\n{stderr}"
    );
}

#[test]
fn a_role_verify_watches_dropped_by_another_session_is_not_blamed_on_the_revision_running() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_shared_drop");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_role.sql",
                &rev(
                    "role",
                    "none",
                    "CREATE ROLE verify_watched;",
                    "DROP ROLE verify_watched;",
                ),
            ),
            (
                "002_wait.sql",
                &rev(
                    "wait",
                    "001",
                    "SELECT pg_sleep(1.5) AS verify_shared_drop_marker;",
                    "SELECT 1;",
                ),
            ),
        ],
    );
    let child = spawn_verify(dir.path(), &db.url);
    wait_for_statement(&db, "verify_shared_drop_marker");
    db.client()
        .batch_execute("DROP ROLE verify_watched")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "002 does not name the role another session dropped:\n{stdout}{stderr}"
    );
    assert!(
        stderr.contains("role verify_watched changed while 002_wait.sql ran"),
        "{stderr}"
    );
    assert_eq!(roles_named(&db, "verify_watched"), "0");
}

/// An interrupt is no failure of the SQL: `interrupted`, at the statement that ran when the
/// revision has one, exit 130; and the scratch database is gone.
#[test]
fn an_interrupted_verify_says_interrupted_not_that_the_sql_failed() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_interrupted");
    for (up, line, note) in [
        (
            "SELECT pg_sleep(30) AS verify_interrupt_marker;",
            ":5:",
            false,
        ),
        (
            "SELECT 1;\nSELECT pg_sleep(30) AS verify_interrupt_marker;",
            ":5:",
            true,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("001_wait.sql", &rev("wait", "none", up, "SELECT 1;"))],
        );
        let child = spawn_verify(dir.path(), &db.url);
        wait_for_statement(&db, "verify_interrupt_marker");
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let all = format!("{stdout}{stderr}");
        assert_eq!(out.status.code(), Some(130), "{all}");
        assert!(
            all.contains(&format!("001_wait.sql{line}1: error[interrupted] interrupted by SIGINT while the upgrade of `001_wait.sql` ran"))
                && !all.contains("upgrade-failed")
                && !all.contains("fix the SQL"),
            "{all}"
        );
        assert_eq!(
            all.contains("the server does not say which of the section's 2 statements was running"),
            note,
            "{all}"
        );
    }
    assert_eq!(
        db.one("SELECT count(*)::text FROM pg_database WHERE datname LIKE 'migrate_verify_%'"),
        "0"
    );
}

/// A full disk is no failure of the SQL: the finding names the disk. The server raises the
/// very SQLSTATE a full disk gives (`disk_full`, 53100); filling a real disk would need a
/// file system of our own.
#[test]
fn a_full_disk_names_the_disk_not_the_sql() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_disk");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_big.sql",
            &rev(
                "big",
                "none",
                "DO $$ BEGIN RAISE EXCEPTION 'could not extend file \"base/16384/16385\": No space left on device' USING ERRCODE = 'disk_full'; END $$;",
                "SELECT 1;",
            ),
        )],
    );
    let out = spawn_verify(dir.path(), &db.url)
        .wait_with_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[upgrade-failed] the upgrade of `001_big.sql` failed because the disk of the server at ")
            && stdout.contains("(its data directory) is full")
            && !stdout.contains("fix the SQL"),
        "{stdout}"
    );
}

/// A variable without a value is refused before anything is made or run, as `upgrade` does,
/// even when the first revisions need none.
#[test]
fn a_missing_variable_is_refused_before_any_revision_runs() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_variable");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            ("002_b.sql", &rev("b", "001", "SELECT 1;", "SELECT 1;")),
            (
                "003_c.sql",
                &rev(
                    "c",
                    "002",
                    "CREATE ROLE verify_c PASSWORD :'MIGRATE_TEST_UNSET_SECRET';",
                    "DROP ROLE verify_c;",
                ),
            ),
        ],
    );
    let out = spawn_verify(dir.path(), &db.url)
        .wait_with_output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("missing-variable") && all.contains("MIGRATE_TEST_UNSET_SECRET"),
        "{all}"
    );
    assert!(
        !all.contains("verifying 001_a.sql"),
        "a revision ran first: {all}"
    );
    assert_eq!(
        db.one("SELECT count(*)::text FROM pg_database WHERE datname LIKE 'migrate_verify_%'"),
        "0"
    );
}

/// verify's result is on stdout, as every command's: each revision verified, and the totals in
/// the JSON document.
#[test]
fn verify_prints_each_revision_it_verified_and_the_totals() {
    let _turn = cluster_roles();
    let db = own_server().database("verify_result");
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
                    "CREATE INDEX a_id ON a (id);",
                    "DROP INDEX a_id;",
                ),
            ),
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env("MIGRATE_DIR", ".")
        .args(["verify", "--database-url", &db.url])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.len() == 2
            && lines[0].starts_with("verified  001_a.sql")
            && lines[1].starts_with("verified  002_b.sql"),
        "{stdout}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env("MIGRATE_DIR", ".")
        .args(["verify", "--database-url", &db.url, "--format", "json"])
        .output()
        .unwrap();
    let document = crate::common::json_document(&out.stdout);
    assert_eq!(document["command"], "verify");
    assert_eq!(document["revisions"][1]["file"], "002_b.sql");
    assert_eq!(document["revisions"][1]["status"], "verified");
    assert_eq!(document["totals"]["revisions"], 2);
    assert_eq!(document["totals"]["failed"], 0);
    assert!(
        document["database"]
            .as_str()
            .is_some_and(|d| d.contains("/migrate_verify_")),
        "{document}"
    );
}
