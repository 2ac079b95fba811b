//! Shapes found in real repositories of other tools (33 public projects, read in the survey the
//! README describes), as small fixtures of our own: each was a false finding or a missed tree
//! before, and each must stay right.

use std::path::Path;

use crate::common::{rules, run_in};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn clean(root: &Path) {
    let run = run_in(root, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn goose_go_migrations_and_the_program_beside_them() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            (
                "db/migrations/00001_create_users.sql",
                "-- +goose Up\nCREATE TABLE users (id bigint);\n-- +goose Down\nDROP TABLE users;\n",
            ),
            (
                "db/migrations/00002_rename_root.go",
                "package main\n\nimport \"github.com/pressly/goose/v3\"\n\nfunc init() {\n\tgoose.AddMigrationContext(Up00002, Down00002)\n}\n",
            ),
            ("db/migrations/main.go", "package main\n\nfunc main() {}\n"),
            // A directory of Go migrations only.
            (
                "internal/gomigrations/001_up_down.go",
                "package gomigrations\n\nfunc init() { goose.AddMigration(up001, down001) }\n",
            ),
            (
                "internal/gomigrations/002_more.go",
                "package gomigrations\n\nfunc init() { goose.AddMigration(up002, down002) }\n",
            ),
        ],
    );
    let run = run_in(repo.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let history = run_in(repo.path(), &["history", "--dir", "internal/gomigrations"]);
    assert_eq!(
        history.stdout.lines().count(),
        2,
        "{}{}",
        history.stdout,
        history.stderr
    );
    // Two trees were found: the Go-only one too, with its two migrations.
    assert!(
        run.stdout.contains("`internal/gomigrations` (2 revisions"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`db/migrations` (2 revisions"),
        "{}",
        run.stdout
    );
}

#[test]
fn golang_migrate_up_files_without_down_files() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            (
                "make/migrations/postgresql/0001_initial_schema.up.sql",
                "CREATE TABLE a (id bigint);\n",
            ),
            (
                "make/migrations/postgresql/0002_more.up.sql",
                "CREATE TABLE b (id bigint);\n",
            ),
            (
                "make/migrations/postgresql/0002_more.down.sql",
                "DROP TABLE b;\n",
            ),
        ],
    );
    clean(repo.path());
}

#[test]
fn statements_each_tool_runs_outside_a_transaction_are_not_flagged() {
    let repo = tempfile::tempdir().unwrap();
    let index = "CREATE INDEX CONCURRENTLY i ON t (a);\n";
    write(
        repo.path(),
        &[
            (
                "diesel/migrations/2024-03-05-120032_add_index/up.sql",
                index,
            ),
            (
                "diesel/migrations/2024-03-05-120032_add_index/down.sql",
                "DROP INDEX i;\n",
            ),
            (
                "diesel/migrations/2024-03-05-120032_add_index/metadata.toml",
                "run_in_transaction = false\n",
            ),
            (
                "diesel/migrations/2024-03-01-000000_create/up.sql",
                "CREATE TABLE t (a int);\n",
            ),
            (
                "diesel/migrations/2024-03-01-000000_create/down.sql",
                "DROP TABLE t;\n",
            ),
            (
                "flyway/db/migration/V1__create.sql",
                "CREATE TABLE t (a int);\n",
            ),
            ("flyway/db/migration/V2__index.sql", index),
            ("gm/migrations/1_create.up.sql", "CREATE TABLE t (a int);\n"),
            ("gm/migrations/2_index.up.sql", index),
        ],
    );
    let run = run_in(repo.path(), &["check", "--format", "concise"]);
    assert!(
        !run.stdout.contains("concurrently-in-transaction"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    // Without `metadata.toml`, diesel runs it in a transaction, where PostgreSQL refuses it.
    std::fs::remove_file(
        repo.path()
            .join("diesel/migrations/2024-03-05-120032_add_index/metadata.toml"),
    )
    .unwrap();
    let run = run_in(
        repo.path(),
        &["check", "--dir", "diesel/migrations", "--format", "concise"],
    );
    assert_eq!(
        rules(&run),
        ["concurrently-in-transaction"],
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn diesel_names_without_an_underscore_and_its_string_order() {
    let repo = tempfile::tempdir().unwrap();
    let up = "CREATE TABLE x (id bigint);\n";
    let down = "DROP TABLE x;\n";
    write(
        repo.path(),
        &[
            ("migrations/2020-12-10-000000_b/up.sql", up),
            ("migrations/2020-12-10-000000_b/down.sql", down),
            ("migrations/2020-12-7-190800_a/up.sql", up),
            ("migrations/2020-12-7-190800_a/down.sql", down),
            ("migrations/2023-05-23-1715-update-assignment/up.sql", up),
            (
                "migrations/2023-05-23-1715-update-assignment/down.sql",
                down,
            ),
        ],
    );
    clean(repo.path());
    let history = run_in(repo.path(), &["history"]);
    let order: Vec<&str> = history.stdout.lines().collect();
    // diesel compares versions as strings: `20201270190800` comes after `20201210000000`.
    assert!(order[0].contains("2023052317"), "{order:?}");
    assert!(order[1].contains("20201271908"), "{order:?}");
    assert!(order[2].contains("20201210"), "{order:?}");
}

#[test]
fn references_in_tests_and_docs_are_not_stale_references_of_other_tools() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            (
                "db/migrations/20151129054053_test_migration.sql",
                "-- migrate:up\nCREATE TABLE t (id bigint);\n-- migrate:down\nDROP TABLE t;\n",
            ),
            (
                "pkg/db_test.go",
                "const name = \"db/migrations/001_test_migration.sql\"\n",
            ),
            ("README.md", "Write `000001_test_migration.sql` first.\n"),
        ],
    );
    clean(repo.path());
}

#[test]
fn a_dump_beside_a_nested_dbmate_tree() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            ("migrations/schema.sql", "SET statement_timeout = 0;\n"),
            ("migrations/schema-15.sql", "SET statement_timeout = 0;\n"),
            (
                "migrations/db/migrations/20211115181400_update-auth-permissions.sql",
                "-- migrate:up\nSELECT 1;\n\n-- migrate:down\n",
            ),
            (
                "migrations/db/migrations/20211118015519_create-realtime.sql",
                "-- migrate:up\nSELECT 2;\n\n-- migrate:down\n",
            ),
        ],
    );
    let run = run_in(repo.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 revisions"), "{}", run.stdout);
}

#[test]
fn sqlx_test_fixtures_are_not_a_tree_and_flyway_baselines_are_not_skipped() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nsqlx = \"0.8\"\n",
            ),
            (
                "migrations/20240101000000_init.sql",
                "CREATE TABLE t (id bigint);\n",
            ),
            (
                "tests/fixtures/rustsec/2024_0363.sql",
                "-- https://rustsec.org/advisories/RUSTSEC-2024-0363.html\n",
            ),
        ],
    );
    let run = run_in(repo.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 revision"), "{}", run.stdout);
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        &[
            (
                "db/migration/B1_20_0__baseline.sql",
                "CREATE TABLE t (id bigint);\n",
            ),
            (
                "db/migration/V1_20_1__more.sql",
                "CREATE TABLE u (id bigint);\n",
            ),
        ],
    );
    clean(repo.path());
}
