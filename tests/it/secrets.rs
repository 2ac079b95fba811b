//! Secrets on runs that succeed and on runs that fail where the secret is: a password in the
//! URL of a real run, in every format and in the JSON `database` field; a psql variable's value
//! in the error of the statement that carries it; the down SQL stored with the variable, not
//! its value (issue 24, item 1).

use std::path::Path;
use std::process::Command;

use crate::common::server::{TestDb, cluster_roles, server};
use crate::common::write_tree;
use crate::database::rev;

const SECRET: &str = "Sup3rSecretPw9";

fn migrate(dir: &Path, url: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir)
        .env("MIGRATE_DIR", ".")
        .env("MIGRATE_DATABASE_URL", url)
        .env("CAPE_READONLY_PASSWORD", SECRET)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A login role with a password that owns `db`, and a URL that carries the password.
fn password_url(db: &TestDb) -> String {
    db.client()
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE secret_user LOGIN PASSWORD '{SECRET}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             ALTER DATABASE {name} OWNER TO secret_user; ALTER SCHEMA public OWNER TO secret_user;",
            name = db.name
        ))
        .unwrap();
    let (_, rest) = db.url.split_once('@').unwrap();
    format!("postgresql://secret_user:{SECRET}@{rest}")
}

#[test]
fn a_successful_run_with_a_password_in_its_url_shows_it_nowhere() {
    let _turn = cluster_roles();
    let db = server().database("secret_run");
    let url = password_url(&db);
    let dir = tempfile::tempdir().unwrap();
    crate::database::three(dir.path());
    for format in ["human", "concise", "json", "github"] {
        for args in [
            &["upgrade", "002"][..],
            &["current", "--verbose"],
            &["history", "--indicate-current"],
            &["upgrade"],
            &["downgrade", "base"],
        ] {
            let (code, all) = migrate(dir.path(), &url, &[args, &["--format", format]].concat());
            assert_eq!(code, 0, "{args:?} {format}: {all}");
            assert!(!all.contains(SECRET), "{args:?} {format}: {all}");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env("MIGRATE_DIR", ".")
        .env("MIGRATE_DATABASE_URL", &url)
        .args(["upgrade", "--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let database = document["database"].as_str().unwrap();
    assert!(
        database.starts_with("secret_user@") && database.ends_with(&format!("/{}", db.name)),
        "{database}"
    );
    assert_eq!(
        db.one("SELECT count(*) FROM public.refinery_schema_history"),
        "3",
        "the run really ran"
    );
    db.client()
        .batch_execute(&format!(
            "ALTER DATABASE {name} OWNER TO postgres; DROP OWNED BY secret_user; DROP ROLE secret_user;",
            name = db.name
        ))
        .unwrap();
}

#[test]
fn the_statement_that_carries_a_secret_fails_and_its_error_shows_no_value() {
    let db = server().database("secret_error");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_role.sql",
            &rev(
                "role",
                "none",
                "CREATE TABLE t (n int);\nINSERT INTO t VALUES (:'CAPE_READONLY_PASSWORD'::int);",
                "DROP TABLE t; SELECT :'CAPE_READONLY_PASSWORD';",
            ),
        )],
    );
    for format in ["human", "concise", "json", "github"] {
        let (code, all) = migrate(dir.path(), &db.url, &["upgrade", "--format", format]);
        assert_eq!(code, 1, "{format}: {all}");
        assert!(
            all.contains("22P02") && all.contains("***") && !all.contains(SECRET),
            "{format}: the error must name the failure and hide the value: {all}"
        );
    }
    // The stored down SQL keeps the variable, never the value.
    std::fs::write(
        dir.path().join("001_role.sql"),
        rev(
            "role",
            "none",
            "CREATE TABLE t (n text);\nINSERT INTO t VALUES (:'CAPE_READONLY_PASSWORD');",
            "DROP TABLE t; SELECT :'CAPE_READONLY_PASSWORD';",
        ),
    )
    .unwrap();
    let (code, all) = migrate(dir.path(), &db.url, &["upgrade"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(
        db.one("SELECT n FROM t"),
        SECRET,
        "the value reached the server"
    );
    let stored = db.one("SELECT down_sql FROM public.refinery_schema_history_migrate");
    assert!(
        stored.contains(":'CAPE_READONLY_PASSWORD'") && !stored.contains(SECRET),
        "{stored}"
    );
}
