//! Every PostgreSQL major the tests run on is the one the run asked for (`scripts/test` runs the
//! server tests once per major, 13 to 18, with `MIGRATE_TEST_POSTGRES`), and `verify` runs on
//! the major it is told to, says which, and warns when `pg_version` names another.

use std::path::Path;

use crate::common::server::{bin_dir, expected_major, server};
use crate::common::{migrate_in, output, write_tree};
use crate::database::rev;

#[test]
fn the_server_is_the_major_this_run_tests() {
    let db = server().database("major");
    let number: u32 = db.one("SHOW server_version_num").parse().unwrap();
    assert_eq!(
        number / 10_000,
        expected_major(),
        "the test server is {number}, not the major this run asked for"
    );
}

fn tree(dir: &Path) {
    write_tree(
        dir,
        &[(
            "001_base.sql",
            &rev(
                "base",
                "none",
                "CREATE TABLE base (id int PRIMARY KEY);",
                "DROP TABLE base;",
            ),
        )],
    );
}

fn json(run: &crate::common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

/// `verify --postgres MAJOR` makes its cluster from that major, says so on stderr and in the
/// JSON, and warns when `pg_version` names another major.
#[test]
fn verify_runs_on_the_major_it_is_told_and_says_which() {
    let _turn = crate::common::server::cluster_roles();
    let major = expected_major();
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let other = if major == 18 { 17 } else { 18 };
    std::fs::write(
        dir.path().join("migrate.toml"),
        format!("dir = \".\"\npg_version = {other}\n"),
    )
    .unwrap();
    // The binaries are found on PATH, as a user's would be.
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = output(
        migrate_in(dir.path())
            .env_remove("MIGRATE_POSTGRES_BIN")
            .env("PATH", &path)
            .args([
                "verify",
                "--postgres",
                &major.to_string(),
                "--format",
                "json",
            ]),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let document = json(&run);
    let server = &document["server"];
    let version = server["version"].as_str().unwrap_or_default();
    assert!(
        version.starts_with(&format!("{major}.")),
        "verify ran on {version}, not {major}: {}",
        run.stdout
    );
    assert!(
        server["chosen_by"]
            .as_str()
            .is_some_and(|why| why.contains("`--postgres`")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains(&format!("throwaway PostgreSQL {version} cluster"))
            && run.stderr.contains(&format!(
                "`pg_version` in migrate.toml is {other}, but this runs on PostgreSQL {major}"
            )),
        "{}",
        run.stderr
    );
    // Without `--postgres`, `pg_version` chooses, when this machine has that major.
    std::fs::write(
        dir.path().join("migrate.toml"),
        format!("dir = \".\"\npg_version = {major}\n"),
    )
    .unwrap();
    let run = output(
        migrate_in(dir.path())
            .env_remove("MIGRATE_POSTGRES_BIN")
            .env("PATH", &path)
            .args(["verify", "--format", "json"]),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let document = json(&run);
    let server = &document["server"];
    assert!(
        server["version"]
            .as_str()
            .is_some_and(|v| v.starts_with(&format!("{major}.")))
            && server["chosen_by"]
                .as_str()
                .is_some_and(|why| why.contains(&format!("`pg_version = {major}`"))),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn a_major_or_directory_without_binaries_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let run = output(migrate_in(dir.path()).env("MIGRATE_DIR", ".").args([
        "verify",
        "--postgres",
        "12",
        "--format",
        "concise",
    ]));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "`--postgres` asks for PostgreSQL 12, and this machine has no server binaries of it"
        ),
        "{}",
        run.stderr
    );
    let run = output(
        migrate_in(dir.path())
            .env("MIGRATE_DIR", ".")
            .env("MIGRATE_POSTGRES_BIN", dir.path())
            .args(["verify", "--format", "concise"]),
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("`MIGRATE_POSTGRES_BIN` names")
            && run
                .stderr
                .contains("which holds no PostgreSQL server binaries"),
        "{}",
        run.stderr
    );
}

/// What truly differs in `schema` between majors, as the README's table lists it: before 15 the
/// `public` schema belongs to `postgres` and lets everyone create in it; from 17 a table's
/// owner holds `MAINTAIN` (`m`) among its own privileges.
fn as_on_15(major: u32, text: &str) -> String {
    let mut text = text.to_owned();
    if major < 15 {
        text = text.replace(
            "    postgres {postgres=UC/postgres,=UC/postgres,",
            "    pg_database_owner {pg_database_owner=UC/pg_database_owner,=U/pg_database_owner,",
        );
        text = text.replace(
            "cape_readonly=U/postgres}",
            "cape_readonly=U/pg_database_owner}",
        );
    }
    if major >= 17 {
        text = text.replace("{postgres=arwdDxtm/postgres", "{postgres=arwdDxt/postgres");
    }
    text
}

/// The example project's schema, upgraded on this run's major, is the same text as on 15
/// (`tests/it/expected/example-schema.txt`) once the listed differences are set aside.
#[test]
fn schema_prints_the_same_text_on_every_major_but_what_the_catalog_changed() {
    let root = crate::common::root();
    let run = output(
        migrate_in(&root)
            .env("CAPE_READONLY_PASSWORD", "not-a-secret")
            .env("MIGRATE_POSTGRES_BIN", bin_dir())
            .args(["schema", "--database-variable", "CAPE_DATABASE"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected =
        std::fs::read_to_string(root.join("tests/it/expected/example-schema.txt")).unwrap();
    let major = expected_major();
    let got = as_on_15(major, &run.stdout);
    if got != expected {
        let differing: Vec<String> = expected
            .lines()
            .zip(got.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("15: {a}\n{major}: {b}"))
            .collect();
        panic!(
            "schema on PostgreSQL {major} differs from 15 beyond the README's list:\n{}",
            differing.join("\n")
        );
    }
}
