//! Lint: `check --base` lints exactly the revisions the branch adds, each dangerous pattern
//! under its name at its file and line; `migrate lint` lints the named revisions or those after
//! `lint_from`; suppressions, severities and Alembic's `op.execute` literals.

use std::path::Path;

use crate::common::{commit_all, git, git_init, run_in};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join("migrations").join(name), text).unwrap();
}

fn sql(parent: &str, marker: &str, body: &str) -> String {
    format!(
        "-- a revision\n-- migrate:revises {parent}\n\n-- migrate:up{marker}\n{body}\n-- migrate:down\nSELECT 1;\n"
    )
}

/// The repository of [`write_repository`] in a directory of its own.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write_repository(tmp.path());
    tmp
}

/// Every dangerous pattern, as the issue lists them: on `main` as the first two revisions (which
/// have shipped), then on the branch as new ones.
fn write_repository(dir: &Path) {
    git_init(dir);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(
        dir.join("migrate.toml"),
        "statement_timeout = \"1min\"\n\n[rules]\n\"lint/adding-required-field\" = \"error\"\n",
    )
    .unwrap();
    write(
        dir,
        "001_users.sql",
        &sql(
            "none",
            "",
            "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n",
        ),
    );
    // Shipped: the same pattern as 003 below, never reported.
    write(
        dir,
        "002_shipped_index.sql",
        &sql("001", "", "CREATE INDEX ix_shipped ON users (email);\n"),
    );
    commit_all(dir, "base");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write(
        dir,
        "003_email_index.sql",
        &sql("002", "", "CREATE INDEX ix_users_email ON users (email);\n"),
    );
    write(
        dir,
        "004_required_age.sql",
        &sql(
            "003",
            "",
            "ALTER TABLE users ADD COLUMN age bigint NOT NULL;\n",
        ),
    );
    write(
        dir,
        "005_concurrent_in_tx.sql",
        &sql(
            "004",
            "",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_name ON users (name);\n",
        ),
    );
    write(
        dir,
        "006_concurrent_ok.sql",
        &sql(
            "005",
            " transaction:false",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_name2 ON users (name);\n",
        ),
    );
    write(
        dir,
        "007_mixed.sql",
        &sql(
            "006",
            " transaction:false",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON users (id, name);\nDROP INDEX CONCURRENTLY IF EXISTS ix_name;\n",
        ),
    );
    write(
        dir,
        "008_no_lock_timeout.sql",
        &sql(
            "007",
            " lock_timeout:0",
            "ALTER TABLE users RENAME COLUMN name TO full_name;\n",
        ),
    );
    write(
        dir,
        "009_ignored.sql",
        &sql(
            "008",
            "",
            "CREATE INDEX ix_b ON users (email, id); -- migrate:ignore lint/require-concurrent-index-creation -- the table is empty until launch\nCREATE INDEX ix_c ON users (id, email);\n",
        ),
    );
    commit_all(dir, "feature");
}

fn findings(stdout: &str) -> Vec<String> {
    let mut lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("migrations/"))
        .map(|l| {
            // `path:line:col: severity[rule] message` without the message.
            let end = l.find("] ").map_or(l.len(), |i| i + 1);
            l[..end].to_owned()
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn check_base_lints_what_the_branch_adds_with_names_files_and_lines() {
    let tmp = repository();
    let dir = tmp.path();
    let run = run_in(dir, &["check", "--base", "main", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [
            "migrations/003_email_index.sql:5:1: warning[lint/require-concurrent-index-creation]",
            "migrations/004_required_age.sql:5:19: error[lint/adding-required-field]",
            "migrations/005_concurrent_in_tx.sql:5:1: error[concurrently-in-transaction]",
            "migrations/007_mixed.sql:6:1: warning[mixed-transaction-statements]",
            "migrations/008_no_lock_timeout.sql:5:19: warning[lint/renaming-column]",
            "migrations/008_no_lock_timeout.sql:5:1: warning[missing-lock-timeout]",
            "migrations/009_ignored.sql:6:1: warning[lint/require-concurrent-index-creation]",
        ],
        "{}",
        run.stdout
    );
    // The help line is squawk's, and the shipped revision is never linted.
    assert!(!run.stdout.contains("002_shipped_index"), "{}", run.stdout);
    let human = run_in(dir, &["check", "--base", "main"]);
    // The help lines, which no input holds: squawk's own, and migrate's for its own rules.
    for help in [
        "= help: Use `concurrently` to avoid blocking writes",
        "= help: Make the field nullable or add a non-VOLATILE DEFAULT",
        "= help: put it in a revision of its own with `transaction:false` on its marker",
        "= help: see https://squawkhq.com/docs/renaming-column",
    ] {
        assert!(
            human.stdout.contains(help),
            "`{help}` missing:\n{}",
            human.stdout
        );
    }
}

#[test]
fn without_lint_or_with_a_rule_turned_off_the_findings_go() {
    let tmp = repository();
    let dir = tmp.path();
    let run = run_in(
        dir,
        &[
            "check",
            "--base",
            "main",
            "--no-lint",
            "--format",
            "concise",
        ],
    );
    // A statement PostgreSQL always refuses in a transaction is in every gate: it fails at
    // deploy whatever the branch.
    let refused_only = |run: &crate::common::Run| {
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(
            run.stdout
                .lines()
                .all(|l| l.contains("concurrently-in-transaction")
                    || !l.contains("error[") && !l.contains("warning[")),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains("005_concurrent_in_tx.sql:5:1: error[concurrently-in-transaction]"),
            "{}",
            run.stdout
        );
    };
    refused_only(&run);
    // Without a base nothing else is linted, and a lint suppression is not unused for that.
    let run = run_in(dir, &["check", "--format", "concise"]);
    refused_only(&run);
    std::fs::write(
        dir.join("migrate.toml"),
        "statement_timeout = \"1min\"\n\n[rules]\n\"lint/require-concurrent-index-creation\" = \"off\"\nconcurrently-in-transaction = \"warning\"\n\"lint/adding-required-field\" = \"warning\"\n",
    )
    .unwrap();
    let run = run_in(dir, &["check", "--base", "main", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        !run.stdout.contains("require-concurrent-index-creation"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("005_concurrent_in_tx.sql:5:1: warning[concurrently-in-transaction]"),
        "{}",
        run.stdout
    );
    // Per path: the rule off for one file only.
    std::fs::write(
        dir.join("migrate.toml"),
        "statement_timeout = \"1min\"\n\n[per-path-rules]\n\"migrations/003_*.sql\" = { \"lint/require-concurrent-index-creation\" = \"off\" }\n",
    )
    .unwrap();
    let run = run_in(dir, &["lint", "--format", "concise"]);
    assert!(
        !run.stdout.contains("003_email_index.sql:5:1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("009_ignored.sql:6:1: warning[lint/require-concurrent-index-creation]"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_deploy_flag_or_migrate_toml_sets_the_lock_timeout_lint_judges_by() {
    let tmp = repository();
    let dir = tmp.path();
    write(
        dir,
        "008_no_lock_timeout.sql",
        &sql(
            "007",
            "",
            "ALTER TABLE users RENAME COLUMN name TO full_name;\n",
        ),
    );
    let args = ["lint", "008", "--format", "concise"];
    // The negative with its control: lint ran and judged the statement (squawk's finding is
    // there), and only the lock-timeout finding is absent.
    let run = run_in(dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("008_no_lock_timeout.sql:5:19: warning[lint/renaming-column]")
            && !run.stdout.contains("missing-lock-timeout"),
        "{}",
        run.stdout
    );
    std::fs::write(
        dir.join("migrate.toml"),
        "lock_timeout = \"0s\"\nstatement_timeout = \"1min\"\n",
    )
    .unwrap();
    let run = run_in(dir, &args);
    assert!(
        run.stdout
            .contains("008_no_lock_timeout.sql:5:1: warning[missing-lock-timeout]"),
        "{}",
        run.stdout
    );
    let run = run_in(
        dir,
        &["lint", "008", "--lock-timeout", "3s", "--format", "concise"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("008_no_lock_timeout.sql:5:19: warning[lint/renaming-column]")
            && !run.stdout.contains("missing-lock-timeout"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_takes_revisions_by_name_or_after_lint_from() {
    let tmp = repository();
    let dir = tmp.path();
    let run = run_in(dir, &["lint", "003", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        findings(&run.stdout),
        ["migrations/003_email_index.sql:5:1: warning[lint/require-concurrent-index-creation]"]
    );
    assert_eq!(run_in(dir, &["lint", "003", "--strict"]).code, 1);
    std::fs::write(
        dir.join("migrate.toml"),
        "statement_timeout = \"1min\"\nlint_from = \"007\"\n",
    )
    .unwrap();
    let run = run_in(dir, &["lint", "--format", "concise"]);
    let files: Vec<String> = findings(&run.stdout)
        .into_iter()
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        files,
        [
            "migrations/008_no_lock_timeout.sql",
            "migrations/008_no_lock_timeout.sql",
            "migrations/009_ignored.sql"
        ],
        "{}",
        run.stdout
    );
    // Every format names the rule.
    let json = run_in(dir, &["lint", "--format", "json"]);
    assert!(
        json.stdout.contains("\"name\": \"lint/renaming-column\""),
        "{}",
        json.stdout
    );
    assert!(
        json.stdout.contains("\"family\": \"lint\""),
        "{}",
        json.stdout
    );
    let github = run_in(dir, &["lint", "--format", "github"]);
    assert!(
        github.stdout.contains("lint/renaming-column (M045)"),
        "{}",
        github.stdout
    );
    std::fs::write(dir.join("migrate.toml"), "lint_from = \"077\"\n").unwrap();
    let run = run_in(dir, &["lint"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("lint_from"), "{}", run.stderr);
    std::fs::write(dir.join("migrate.toml"), "pg_version = \"fifteen\"\n").unwrap();
    let run = run_in(dir, &["lint"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("migrate.toml") && run.stderr.contains("pg_version"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unused_lint_suppression_is_reported_and_a_used_one_is_not() {
    let tmp = repository();
    let dir = tmp.path();
    write(
        dir,
        "009_ignored.sql",
        &sql(
            "008",
            "",
            "SELECT 1; -- migrate:ignore lint/require-concurrent-index-creation -- nothing here\n",
        ),
    );
    let run = run_in(dir, &["lint", "009", "--format", "concise"]);
    assert!(
        run.stdout
            .contains("009_ignored.sql:5:14: warning[unused-ignore]"),
        "{}",
        run.stdout
    );
    // A used one: it silences the finding on its line and is not reported.
    write(
        dir,
        "009_ignored.sql",
        &sql(
            "008",
            "",
            "CREATE INDEX ix_used ON users (email); -- migrate:ignore lint/require-concurrent-index-creation -- a table of ten rows\n",
        ),
    );
    let run = run_in(dir, &["lint", "009", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "", "the suppression is used, and says nothing");
    // The control: without it, the finding is there.
    write(
        dir,
        "009_ignored.sql",
        &sql("008", "", "CREATE INDEX ix_used ON users (email);\n"),
    );
    let run = run_in(dir, &["lint", "009", "--format", "concise"]);
    assert!(
        run.stdout
            .contains("009_ignored.sql:5:1: warning[lint/require-concurrent-index-creation]"),
        "{}",
        run.stdout
    );
}

#[test]
fn alembic_op_execute_literals_are_linted_with_their_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = dir.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("1a_users.py"),
        "\"\"\"users\n\nRevision ID: 1a\nRevises:\n\"\"\"\nfrom alembic import op\n\nrevision = \"1a\"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute(\"CREATE TABLE users (id bigint PRIMARY KEY, email text)\")\n\n\ndef downgrade():\n    op.execute(\"DROP TABLE users\")\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("2b_index.py"),
        "\"\"\"index\n\nRevision ID: 2b\nRevises: 1a\n\"\"\"\nfrom alembic import op\n\nrevision = \"2b\"\ndown_revision = \"1a\"\n\n\ndef upgrade():\n    op.execute(\"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON users (email)\")\n    with op.get_context().autocommit_block():\n        op.execute(\"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix2 ON users (id)\")\n    op.add_column(\"users\", None)\n\n\ndef downgrade():\n    op.execute(\"DROP INDEX ix\")\n",
    )
    .unwrap();
    let run = run_in(dir, &["lint", "2b", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("alembic/"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0]
            .starts_with("alembic/versions/2b_index.py:13:17: error[concurrently-in-transaction]"),
        "{}",
        run.stdout
    );
    let human = run_in(dir, &["lint", "2b"]);
    assert!(
        human.stdout.contains("autocommit_block"),
        "{}",
        human.stdout
    );
}

#[test]
fn hostile_sql_is_reported_not_parsed_and_never_printed_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    // Nested far deeper than any migration: squawk would take minutes, or overflow its stack.
    let deep = format!("SELECT {}1{};", "(".repeat(131_000), ")".repeat(131_000));
    write(dir, "001_deep.sql", &sql("none", "", &deep));
    write(
        dir,
        "002_escape.sql",
        &sql(
            "001",
            "",
            "ALTER TABLE \u{1b}[31mred ADD COLUMN x bigint;\nCREATE INDEX \"\u{7}bell\" ON t (a);\n",
        ),
    );
    // A tree 30,000 levels deep that squawk is still handed: a `UNION ALL` chain, whose commas
    // end each chain lint counts, and whose whitespace keeps rowan's rehashing linear.
    let union = vec!["SELECT 1, 2"; 30_000].join(" UNION ALL ");
    write(dir, "003_union.sql", &sql("002", "", &format!("{union};")));
    let run = run_in(dir, &["lint"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("this statement nests about 131001 levels deep"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("003_union.sql"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("require-concurrent-index-creation"),
        "{}",
        run.stdout
    );
}

/// `1+1+...` costs squawk's tree builder the square of its length (40,000 terms took 5.6 s), so
/// a chain longer than lint reads is reported at its statement's line and not parsed, even behind
/// a dollar quote holding a quote; big statements of the usual shapes are linted as before.
#[test]
fn an_operator_chain_longer_than_lint_reads_is_reported_at_its_line_not_parsed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    let chain = format!("1{}", "+1".repeat(39_999));
    write(
        dir,
        "001_chain.sql",
        &sql("none", "", &format!("SELECT 1;\nSELECT {chain};\n")),
    );
    // squawk reads `$$'$$` as one dollar-quoted string, so the chain after it is code.
    write(
        dir,
        "002_hidden.sql",
        &sql("001", "", &format!("SELECT $$'$$, {chain};\n")),
    );
    let case = (0..5000)
        .map(|i| format!(" WHEN kind = {i} AND name = 'n{i}' THEN {i}"))
        .collect::<Vec<_>>()
        .concat();
    let rows: Vec<String> = (0..20_000).map(|i| format!("({i}, 'row {i}')")).collect();
    write(
        dir,
        "003_big.sql",
        &sql(
            "002",
            "",
            &format!(
                "UPDATE t SET n = CASE{case} ELSE 0 END;\nINSERT INTO t (a, b) VALUES {};\nCREATE INDEX ix ON t (a);\n",
                rows.join(", ")
            ),
        ),
    );
    let run = run_in(dir, &["lint", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let refusal = |at: &str, terms: usize| {
        format!(
            "migrations/{at}: warning[unparsable-sql] an operator chain of about {terms} terms is longer than lint reads (up to 2000): the section is not linted"
        )
    };
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&refusal("001_chain.sql:6:1", 40_000).as_str()),
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&refusal("002_hidden.sql:5:1", 39_999).as_str()),
        "{}",
        run.stdout
    );
    let big: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("migrations/003_big.sql"))
        .copied()
        .collect();
    assert!(
        big.iter().any(|l| l.starts_with(
            "migrations/003_big.sql:7:1: warning[lint/require-concurrent-index-creation]"
        )),
        "{}",
        run.stdout
    );
    assert!(
        !big.iter().any(|l| l.contains("unparsable-sql")),
        "{}",
        run.stdout
    );
}

/// PostgreSQL is the judge of `concurrently-in-transaction`: each statement is run inside
/// `BEGIN` on the test server, and the rule must fire exactly on those it refuses there
/// (SQLSTATE 25001), no more, no fewer.
#[test]
fn concurrently_in_transaction_fires_exactly_where_postgresql_refuses() {
    let db = crate::common::server::server().database("lint_tx");
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE t (a int); CREATE INDEX ix ON t (a); CREATE TYPE mood AS ENUM ('a');
             CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one; CREATE UNIQUE INDEX mv_one ON mv (one);",
        )
        .unwrap();
    let statements = [
        "CREATE INDEX CONCURRENTLY ix2 ON t (a)",
        "CREATE INDEX ix3 ON t (a)",
        "DROP INDEX CONCURRENTLY ix",
        "DROP INDEX ix",
        "REINDEX INDEX CONCURRENTLY ix",
        "REINDEX INDEX ix",
        "VACUUM t",
        "ANALYZE t",
        "CREATE DATABASE lint_tx_never",
        "DROP DATABASE IF EXISTS lint_tx_never",
        "ALTER SYSTEM SET work_mem = '64MB'",
        "CREATE TABLESPACE lint_tx_never LOCATION '/nonexistent'",
        "DROP TABLESPACE IF EXISTS lint_tx_never",
        "ALTER TYPE mood ADD VALUE 'b'",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
        "ALTER TABLE t ADD COLUMN b int",
        "CLUSTER t USING ix",
    ];
    let (refused, flagged) = judged(
        &statements,
        "pg_version = 15\n",
        "concurrently-in-transaction",
        |statement| {
            client.batch_execute("BEGIN").unwrap();
            let outcome = client.batch_execute(statement);
            client.batch_execute("ROLLBACK").unwrap();
            outcome.is_err_and(|e| {
                assert_eq!(
                    e.code().map(postgres::error::SqlState::code),
                    Some("25001"),
                    "{statement}: {e}"
                );
                true
            })
        },
    );
    assert!(refused.len() >= 8, "{refused:?}");
    assert_eq!(flagged, refused);
}

/// Writes one revision per statement, asks `judge` (PostgreSQL) about each, and returns the
/// revisions it picked and those `migrate lint` flagged with `rule`.
fn judged(
    statements: &[&str],
    toml: &str,
    rule: &str,
    mut judge: impl FnMut(&str) -> bool,
) -> (Vec<String>, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("migrate.toml"), toml).unwrap();
    let mut picked = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        if judge(statement) {
            picked.push(format!("{:03}", i + 1));
        }
        let parent = if i == 0 {
            "none".to_owned()
        } else {
            format!("{i:03}")
        };
        write(
            dir,
            &format!("{:03}_s.sql", i + 1),
            &sql(&parent, "", &format!("{statement};\n")),
        );
    }
    let run = run_in(dir, &["lint", "--format", "concise"]);
    let flagged = run
        .stdout
        .lines()
        .filter(|l| l.contains(&format!("[{rule}]")))
        .map(|l| l.trim_start_matches("migrations/")[..3].to_owned())
        .collect();
    (picked, flagged)
}

/// PostgreSQL is the judge of `missing-lock-timeout` too: each statement runs inside `BEGIN`
/// on the test server, which says in `pg_locks` whether it took `ACCESS EXCLUSIVE` on the
/// table; with `lock_timeout` off, the rule must fire on exactly those.
#[test]
fn missing_lock_timeout_fires_exactly_where_postgresql_takes_access_exclusive() {
    let db = crate::common::server::server().database("lint_locks");
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE p (id int PRIMARY KEY);
             CREATE TABLE t (id int, p int, note text, CONSTRAINT c CHECK (id > 0) NOT VALID);
             CREATE INDEX ix ON t (id);
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        )
        .unwrap();
    let statements = [
        "ALTER TABLE t ADD COLUMN b int",
        "ALTER TABLE t ALTER COLUMN note SET DEFAULT 'x'",
        "ALTER TABLE t ALTER COLUMN id SET STATISTICS 200",
        "ALTER TABLE t VALIDATE CONSTRAINT c",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id) NOT VALID",
        "ALTER TABLE t ADD CONSTRAINT c2 CHECK (id < 100) NOT VALID",
        "ALTER TABLE t SET (fillfactor = 70)",
        "ALTER TABLE t DISABLE TRIGGER tr",
        "ALTER TABLE t RENAME COLUMN note TO remark",
        "ALTER TABLE t CLUSTER ON ix",
        "TRUNCATE t",
        "LOCK TABLE t",
        "LOCK TABLE t IN SHARE MODE",
        "CLUSTER t USING ix",
        "DROP INDEX ix",
        "CREATE INDEX ix2 ON t (p)",
        "REINDEX INDEX ix",
        "COMMENT ON TABLE t IS 'x'",
        "DROP TABLE t",
        "UPDATE t SET note = 'y'",
    ];
    // By oid, taken before: `DROP TABLE t` leaves no `t` to look up by name.
    let table: u32 = client
        .query_one("SELECT 't'::regclass::oid", &[])
        .unwrap()
        .get(0);
    let toml = "lock_timeout = \"0s\"\nstatement_timeout = \"1min\"\n";
    let (exclusive, flagged) = judged(&statements, toml, "missing-lock-timeout", |statement| {
        client.batch_execute("BEGIN").unwrap();
        client
            .batch_execute(statement)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
        let taken: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'AccessExclusiveLock' AND relation = $1",
                &[&table],
            )
            .unwrap()
            .get(0);
        client.batch_execute("ROLLBACK").unwrap();
        taken > 0
    });
    assert!(exclusive.len() >= 8, "{exclusive:?}");
    assert_eq!(flagged, exclusive);
}

/// `lint/require-statement-timeout` is about the file's session, not each statement: once a
/// file, at the first statement it is about, however many follow.
#[test]
fn require_statement_timeout_is_said_once_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    crate::common::write_tree(
        &dir.join("migrations"),
        &[
            (
                "001_a.sql",
                &sql(
                    "none",
                    "",
                    "CREATE TABLE a (id bigint);\nCREATE TABLE b (id bigint);\n",
                ),
            ),
            (
                "002_b.sql",
                &sql(
                    "001",
                    "",
                    "ALTER TABLE a ADD COLUMN y bigint;\nALTER TABLE a ADD COLUMN z bigint;\nALTER TABLE b ADD COLUMN z bigint;\n",
                ),
            ),
        ],
    );
    let run = run_in(dir, &["lint", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains("lint/require-statement-timeout"))
            .collect::<Vec<_>>(),
        [
            "migrations/002_b.sql:5:1: warning[lint/require-statement-timeout] Missing `set statement_timeout` before potentially slow operations"
        ],
        "{}",
        run.stdout
    );
}
