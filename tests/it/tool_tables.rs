//! `current --check-heads` on each tool's own history table: a release job can assert that the
//! database is at the files' head whatever tool ran the migrations. The tables are created as
//! each tool creates them; dbmate's is also written by dbmate itself (`dbmate_oracle.rs`).

use crate::common::run_in;
use crate::common::server::{TestDb, server};
use crate::layouts::{Tool, clean};

/// The table as the tool creates it, and the rows that record `versions` as applied.
fn record(tool: Tool, db: &TestDb, versions: &[String]) {
    let mut client = db.client();
    let (ddl, insert): (&str, fn(&str) -> String) = match tool {
        Tool::Goose => (
            "CREATE TABLE IF NOT EXISTS goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
             INSERT INTO goose_db_version (version_id, is_applied) SELECT 0, true WHERE NOT EXISTS (SELECT FROM goose_db_version)",
            |v| format!("INSERT INTO goose_db_version (version_id, is_applied) VALUES ({v}, true)"),
        ),
        Tool::GolangMigrate => (
            "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); TRUNCATE schema_migrations",
            |v| format!("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES ({v}, false)"),
        ),
        Tool::Sqlx => (
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
            |v| format!("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ({v}, 'x', true, '\\x00', 1)"),
        ),
        Tool::Dbmate => (
            "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY)",
            |v| format!("INSERT INTO schema_migrations VALUES ('{v}')"),
        ),
        Tool::Flyway => (
            "CREATE TABLE IF NOT EXISTS flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL)",
            |v| format!("INSERT INTO flyway_schema_history SELECT coalesce(max(installed_rank), 0) + 1, '{v}', 'x', 'SQL', 'V{v}__x.sql', 0, 'me', now(), 1, true FROM flyway_schema_history"),
        ),
        Tool::Refinery => (
            "CREATE TABLE IF NOT EXISTS refinery_schema_history (version int4 PRIMARY KEY, name varchar(255), applied_on varchar(255), checksum varchar(255))",
            |v| format!("INSERT INTO refinery_schema_history VALUES ({v}, 'x', 'now', '0')"),
        ),
        Tool::Diesel => (
            "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT current_timestamp)",
            |v| format!("INSERT INTO __diesel_schema_migrations (version) VALUES ('{v}')"),
        ),
    };
    client.batch_execute(ddl).unwrap();
    for version in versions {
        client.batch_execute(&insert(version)).unwrap();
    }
}

#[test]
fn check_heads_reads_every_tools_own_table() {
    for tool in crate::layouts::TOOLS {
        let repo = clean(tool);
        let db = server().database(&format!("tool_{}", tool.dir().len()));
        let heads = |db: &TestDb| {
            run_in(
                repo.path(),
                &[
                    "current",
                    "--check-heads",
                    "--database-url",
                    &db.url,
                    "--format",
                    "concise",
                ],
            )
        };
        let empty = heads(&db);
        assert_eq!(
            empty.code, 1,
            "{tool:?} without a table: {}{}",
            empty.stdout, empty.stderr
        );
        let v = |n| tool.version(n);
        // golang-migrate keeps one row: the newest version.
        let (two, three) = if tool == Tool::GolangMigrate {
            (vec![v(2)], vec![v(3)])
        } else {
            (vec![v(1), v(2)], vec![v(3)])
        };
        record(tool, &db, &two);
        let behind = heads(&db);
        assert_eq!(
            behind.code, 1,
            "{tool:?} at 2 of 3: {}{}",
            behind.stdout, behind.stderr
        );
        assert!(
            behind.stdout.contains("1 revision pending"),
            "{tool:?}: {}",
            behind.stdout
        );
        assert!(
            behind.stderr.contains("not-at-heads") || behind.stdout.contains("not-at-heads"),
            "{tool:?}"
        );
        record(tool, &db, &three);
        let at = heads(&db);
        assert_eq!(at.code, 0, "{tool:?} at head: {}{}", at.stdout, at.stderr);
        assert!(at.stdout.contains("at head"), "{tool:?}: {}", at.stdout);
        // A version no file defines: a release older than the database.
        record(tool, &db, &[v(9)]);
        let ahead = heads(&db);
        assert_eq!(
            ahead.code, 1,
            "{tool:?} ahead: {}{}",
            ahead.stdout, ahead.stderr
        );
        let said = format!("{}{}", ahead.stdout, ahead.stderr);
        assert!(said.contains("unknown-revision"), "{tool:?}: {said}");
    }
}

#[test]
fn a_lower_version_recorded_out_of_order_is_still_pending() {
    // dbmate applies what is missing in any order: versions 1 and 3 applied, 2 merged late.
    let repo = clean(Tool::Dbmate);
    let db = server().database("tool_gap");
    record(
        Tool::Dbmate,
        &db,
        &[Tool::Dbmate.version(1), Tool::Dbmate.version(3)],
    );
    let run = run_in(
        repo.path(),
        &["current", "--check-heads", "--database-url", &db.url],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 revision pending"), "{}", run.stdout);
}

#[test]
fn a_dirty_golang_migrate_table_is_refused() {
    let repo = clean(Tool::GolangMigrate);
    let db = server().database("tool_dirty");
    db.client()
        .batch_execute(
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
             INSERT INTO schema_migrations VALUES (3, true)",
        )
        .unwrap();
    let run = run_in(
        repo.path(),
        &[
            "current",
            "--check-heads",
            "--database-url",
            &db.url,
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("is dirty at version 3"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_table_of_another_shape_fails_with_its_name_and_a_table_far_ahead_is_summed_up() {
    let repo = clean(Tool::Goose);
    let heads = |db: &TestDb, format: &str| {
        run_in(
            repo.path(),
            &[
                "current",
                "--check-heads",
                "--database-url",
                &db.url,
                "--format",
                format,
            ],
        )
    };
    let db = server().database("tool_null");
    db.client()
        .batch_execute(
            "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint, is_applied boolean NOT NULL);
             INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (NULL, true)",
        )
        .unwrap();
    let run = heads(&db, "human");
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("goose_db_version holds a row with no version")
            || run
                .stdout
                .contains("goose_db_version holds a row with no version"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let repo_dbmate = clean(Tool::Dbmate);
    let db = server().database("tool_array");
    db.client()
        .batch_execute("CREATE TABLE schema_migrations (version int[], foo text); INSERT INTO schema_migrations VALUES ('{1}', 'x')")
        .unwrap();
    let run = run_in(repo_dbmate.path(), &["current", "--database-url", &db.url]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(format!("{}{}", run.stdout, run.stderr).contains("which is no version of this tool"));
    let db = server().database("tool_ahead");
    db.client()
        .batch_execute(
            "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL);
             INSERT INTO goose_db_version (version_id, is_applied) SELECT v, true FROM generate_series(0, 5000) AS v",
        )
        .unwrap();
    let run = heads(&db, "json");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let unknown = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == "unknown-revision")
        .count();
    assert_eq!(unknown, 11, "ten named, one summing up the rest");
    let human = heads(&db, "human");
    assert!(
        human
            .stdout
            .contains("past the files: the database has 4997 revisions"),
        "{}",
        human.stdout
    );
}
