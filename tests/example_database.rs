//! The example project against a real PostgreSQL: every up section applies, the test data loads
//! and cleans up, the triggers keep the timestamps, and every down section undoes its revision.
//!
//! The server's URL comes from `MIGRATE_TEST_DATABASE_URL` (`scripts/test` starts one). The test
//! makes a database of its own and drops it afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::root;
use migrate::project::Project;

fn server_url() -> Option<String> {
    let url = std::env::var("MIGRATE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    assert!(
        url.is_some() || std::env::var_os("CI").is_none(),
        "MIGRATE_TEST_DATABASE_URL is not set: CI must run the database tests (run scripts/test, which starts a server)"
    );
    url
}

/// Runs `sql` with psql against `url`, stopping at the first error; returns what it printed.
fn psql(url: &str, sql: &str) -> String {
    let mut child = Command::new("psql")
        .args([url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "psql failed on:\n{sql}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

struct TestDatabase {
    server: String,
    name: String,
}

impl TestDatabase {
    fn create(server: &str) -> TestDatabase {
        let name = format!("migrate_example_{}", std::process::id());
        psql(
            server,
            &format!("DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};"),
        );
        TestDatabase {
            server: server.to_owned(),
            name,
        }
    }

    fn url(&self) -> String {
        let (base, _) = self
            .server
            .rsplit_once('/')
            .expect("the URL names a database");
        format!("{base}/{}", self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &self.server,
                "-X",
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

const COUNTS: &str = r#"SELECT (SELECT count(*) FROM "user") || ' ' || (SELECT count(*) FROM tributary) || ' ' ||
    (SELECT count(*) FROM resource) || ' ' || (SELECT count(*) FROM user_attribute) || ' ' ||
    (SELECT count(*) FROM user_tributary);"#;

#[test]
fn the_example_migrates_up_and_down_with_its_test_data() {
    let Some(server) = server_url() else {
        eprintln!("skipped: MIGRATE_TEST_DATABASE_URL is not set (scripts/test sets it)");
        return;
    };
    let database = TestDatabase::create(&server);
    let url = database.url();
    let loaded =
        migrate::source::load(&root().join("migrations"), "migrations", &"the test").unwrap();
    let project = Project::from_loaded(loaded);
    assert!(project.diagnostics().is_empty(), "the example passes check");
    let order = project.graph.topological_order();
    assert_eq!(order.len(), project.revisions.len());

    for &node in &order {
        psql(&url, &project.revisions[node].up.as_ref().unwrap().sql);
    }
    psql(
        &url,
        &std::fs::read_to_string(root().join("fixtures/test/test_data.sql")).unwrap(),
    );
    assert_eq!(
        psql(&url, COUNTS).trim(),
        "6 4 12 9 6",
        "users, tributaries, resources, attributes, memberships"
    );

    // Plain SQL gets the timestamps, and an UPDATE cannot rewrite created_at.
    let stamped = psql(
        &url,
        r#"UPDATE "user" SET first_name = 'Al', created_at = '2000-01-01' WHERE email = 'alice@example.com';
           SELECT created_at > '2001-01-01', last_edited >= created_at FROM "user" WHERE email = 'alice@example.com';"#,
    );
    assert_eq!(stamped.trim(), "t|t");

    psql(
        &url,
        &std::fs::read_to_string(root().join("fixtures/test/cleanup_test_data.sql")).unwrap(),
    );
    assert_eq!(psql(&url, COUNTS).trim(), "0 0 0 0 0");

    for &node in order.iter().rev() {
        let revision = &project.revisions[node];
        let down = revision
            .down
            .as_ref()
            .unwrap_or_else(|| panic!("{} has a down section", revision.path));
        psql(&url, &down.sql);
    }
    let left = psql(
        &url,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';
         SELECT count(*) FROM pg_proc WHERE proname = 'stamp_row';",
    );
    assert_eq!(
        left.split_whitespace().collect::<Vec<_>>(),
        ["0", "0"],
        "every down section undid its revision"
    );
}
