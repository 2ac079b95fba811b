//! `upgrade`, `downgrade`, `stamp`, `current` and `history --indicate-current` against a real
//! PostgreSQL server, one database per test: every guarantee of the runner, proven on the server.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use crate::common::server::{TestDb, server};
use crate::common::{migrate_in, output, write_tree};
use assert_cmd::Command;

/// `migrate` with its migrations in `dir` itself.
fn mig(dir: &Path) -> Command {
    let mut cmd = migrate_in(dir);
    cmd.env("MIGRATE_DIR", ".");
    cmd
}

/// `migrate` in `dir` against `db`, with the URL from the environment variable.
pub(crate) fn run(dir: &Path, db: &TestDb) -> Command {
    let mut cmd = mig(dir);
    cmd.env("MIGRATE_DATABASE_URL", &db.url);
    cmd
}

/// A revision with its own up and down SQL.
pub(crate) fn rev(message: &str, revises: &str, up: &str, down: &str) -> String {
    format!(
        "-- {message}\n-- migrate:revises {revises}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
    )
}

/// Three revisions: a table, a row, a second table.
pub(crate) fn three(dir: &Path) {
    write_tree(
        dir,
        &[
            (
                "001_a.sql",
                &rev(
                    "a",
                    "none",
                    "CREATE TABLE a (id int PRIMARY KEY);",
                    "DROP TABLE a;",
                ),
            ),
            (
                "002_b.sql",
                &rev("b", "001", "INSERT INTO a VALUES (1);", "DELETE FROM a;"),
            ),
            (
                "003_c.sql",
                &rev("c", "002", "CREATE TABLE c (id int);", "DROP TABLE c;"),
            ),
        ],
    );
}

fn versions(db: &TestDb) -> Vec<String> {
    db.strings("SELECT version FROM public.refinery_schema_history ORDER BY version")
}

#[test]
fn upgrade_applies_in_graph_order_records_history_and_reruns_as_a_no_op() {
    let db = server().database("upgrade");
    let dir = tempfile::tempdir().unwrap();
    // A merge: 002 and 003 both revise 001, and 004 joins them.
    write_tree(
        dir.path(),
        &[
            (
                "001_root.sql",
                &rev(
                    "root",
                    "none",
                    "CREATE TABLE log (n int);",
                    "DROP TABLE log;",
                ),
            ),
            (
                "002_left.sql",
                &rev(
                    "left",
                    "001",
                    "INSERT INTO log VALUES (2);",
                    "DELETE FROM log WHERE n = 2;",
                ),
            ),
            (
                "003_right.sql",
                &rev(
                    "right",
                    "001",
                    "INSERT INTO log VALUES (3);",
                    "DELETE FROM log WHERE n = 3;",
                ),
            ),
            (
                "004_merge.sql",
                &rev(
                    "merge",
                    "002 003",
                    "INSERT INTO log VALUES (4);",
                    "DELETE FROM log WHERE n = 4;",
                ),
            ),
        ],
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "one line per revision: {}", out.stdout);
    assert!(lines[3].starts_with("applied   004_merge.sql") && lines[3].ends_with(" ms"));
    assert_eq!(db.strings("SELECT n FROM log ORDER BY n"), ["2", "3", "4"]);
    assert_eq!(versions(&db), ["1", "2", "3", "4"]);
    // refinery's columns, with refinery's checksum of the file as written.
    let text = std::fs::read_to_string(dir.path().join("004_merge.sql")).unwrap();
    let expected = refinery::Migration::unapplied("V4__merge", &text)
        .unwrap()
        .checksum();
    assert_eq!(
        db.one(
            "SELECT name || ' ' || checksum FROM public.refinery_schema_history WHERE version = 4"
        ),
        format!("merge {expected}")
    );
    assert_eq!(
        db.one("SELECT array_to_string(parents, ',') || ' ' || file_name FROM public.refinery_schema_history_migrate WHERE version = 4"),
        "002,003 004_merge.sql"
    );
    let again = output(run(dir.path(), &db).arg("upgrade").arg("head"));
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, "");
    assert!(again.stderr.contains("nothing to do"));
}

#[test]
fn targets_head_base_ids_and_relative_steps() {
    let db = server().database("targets");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(output(run(dir.path(), &db).args(["upgrade", "+1"])).code, 0);
    assert_eq!(versions(&db), ["1"]);
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "002"])).code,
        0
    );
    assert_eq!(versions(&db), ["1", "2"]);
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "head"])).code,
        0
    );
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "-1"])).code,
        0
    );
    assert_eq!(versions(&db), ["1", "2"]);
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "001"])).code,
        0
    );
    assert_eq!(versions(&db), ["1"]);
    assert_eq!(db.one("SELECT count(*) FROM a"), "0");
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "base"])).code,
        0
    );
    assert!(versions(&db).is_empty());
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'c')"),
        "0"
    );
    // A downgrade needs its target; `+N` belongs to upgrade.
    let out = output(run(dir.path(), &db).arg("downgrade"));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("<TARGET>"), "{}", out.stderr);
    let out = output(run(dir.path(), &db).args(["downgrade", "+1"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`downgrade` moves down"),
        "{}",
        out.stderr
    );
}

#[test]
fn stamp_records_without_running_sql() {
    let db = server().database("stamp");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let out = output(run(dir.path(), &db).args(["stamp", "002"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(versions(&db), ["1", "2"]);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"),
        "0"
    );
    assert_eq!(output(run(dir.path(), &db).args(["stamp", "base"])).code, 0);
    assert!(versions(&db).is_empty());
}

#[test]
fn current_and_history_mark_what_is_applied() {
    let db = server().database("current");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "002"])).code,
        0
    );
    let out = output(run(dir.path(), &db).arg("current"));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "002, b\n1 revision pending\n");
    let out = output(run(dir.path(), &db).args(["current", "--verbose"]));
    assert!(
        out.stdout.contains("001_a.sql  applied 20"),
        "{}",
        out.stdout
    );
    let out = output(run(dir.path(), &db).args(["history", "--indicate-current"]));
    assert_eq!(
        out.stdout,
        "002 -> 003 (head), c\n001 -> 002 (current), b\n<base> -> 001 (applied), a\n"
    );
}

#[test]
fn read_only_commands_create_nothing() {
    let db = server().database("readonly");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let out = output(run(dir.path(), &db).arg("current"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("no revision applied"));
    assert_eq!(output(run(dir.path(), &db).args(["history", "-i"])).code, 0);
    assert_eq!(output(run(dir.path(), &db).arg("check")).code, 0);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
        "0"
    );
}

#[test]
fn the_url_comes_from_the_flag_then_two_variables_then_the_config_file() {
    let db = server().database("url");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let bad = "postgresql://nobody@127.0.0.1:1/nothing";
    // None set: the error names all four places.
    let out = output(mig(dir.path()).arg("current"));
    assert_eq!(out.code, 2);
    for place in [
        "--database-url",
        "MIGRATE_DATABASE_URL",
        "DATABASE_URL",
        "database_url",
    ] {
        assert!(out.stderr.contains(place), "{}", out.stderr);
    }
    // The config file is last...
    std::fs::write(
        dir.path().join("migrate.toml"),
        format!("database_url = \"{}\"\n", db.url),
    )
    .unwrap();
    assert_eq!(output(mig(dir.path()).arg("current")).code, 0);
    // ...DATABASE_URL beats it, MIGRATE_DATABASE_URL beats that, and the flag beats all.
    assert_eq!(
        output(mig(dir.path()).arg("current").env("DATABASE_URL", bad)).code,
        2
    );
    let mut cmd = mig(dir.path());
    cmd.arg("current")
        .env("DATABASE_URL", bad)
        .env("MIGRATE_DATABASE_URL", &db.url);
    assert_eq!(output(&mut cmd).code, 0);
    let mut cmd = mig(dir.path());
    cmd.args(["current", "--database-url", &db.url])
        .env("MIGRATE_DATABASE_URL", bad);
    assert_eq!(output(&mut cmd).code, 0);
    // The flag is global: before the subcommand too.
    let mut cmd = mig(dir.path());
    cmd.args(["--database-url", &db.url, "upgrade", "head"])
        .env("MIGRATE_DATABASE_URL", bad);
    assert_eq!(output(&mut cmd).code, 0);
}

#[test]
fn key_value_strings_and_pg_variables_work() {
    let srv = crate::common::server::own_server();
    let db = srv.database("keyvalue");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    // The name and port come from PG* variables; the string only names the database.
    let mut cmd = mig(dir.path());
    cmd.args([
        "upgrade",
        "--database-url",
        &format!("dbname={} sslmode=disable", db.name),
    ])
    .env("PGHOST", "127.0.0.1")
    .env("PGPORT", srv.port.to_string())
    .env("PGUSER", "postgres");
    let out = output(&mut cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A Unix socket in the private socket directory.
    let socket = srv.socket_dir.as_ref().unwrap().display().to_string();
    let mut cmd = mig(dir.path());
    cmd.args([
        "current",
        "--database-url",
        &format!(
            "host={socket} port={} user=postgres dbname={}",
            srv.port, db.name
        ),
    ]);
    let out = output(&mut cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("003 (head)"));
}

#[test]
fn tls_verify_full_checks_the_ca_and_the_host_name() {
    let srv = crate::common::server::own_server();
    let db = srv.database("tls");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let ca = srv.ca_cert.as_ref().unwrap().display().to_string();
    let url = |host: &str, mode: &str| {
        format!(
            "postgresql://postgres@{host}:{}/{}?sslmode={mode}&sslrootcert={ca}",
            srv.port, db.name
        )
    };
    let current = |url: String| output(mig(dir.path()).args(["current", "--database-url", &url]));
    // The certificate names localhost, signed by the test's CA.
    let out = current(url("localhost", "verify-full"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // 127.0.0.1 is not the name on the certificate: verify-full refuses, verify-ca accepts.
    let out = current(url("127.0.0.1", "verify-full"));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("cannot connect"), "{}", out.stderr);
    assert_eq!(current(url("127.0.0.1", "verify-ca")).code, 0);
    // A CA that did not sign the server's certificate fails even verify-ca.
    let other = tempfile::NamedTempFile::new().unwrap();
    let made = StdCommand::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
            "-keyout",
            "/dev/null",
            "-out",
        ])
        .arg(other.path())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let wrong = format!(
        "postgresql://postgres@localhost:{}/{}?sslmode=verify-ca&sslrootcert={}",
        srv.port,
        db.name,
        other.path().display()
    );
    let out = current(wrong);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot connect") && out.stderr.contains("certificate verify failed"),
        "a wrong CA fails with a certificate message: {}",
        out.stderr
    );
    // The server really uses TLS for these connections: a revision records what the server
    // says of its own session, in each mode, and the run's result says it ran.
    let seen = tempfile::tempdir().unwrap();
    write_tree(
        seen.path(),
        &[(
            "001_seen.sql",
            &rev(
                "seen",
                "none",
                "CREATE TABLE tls_seen AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
                "DROP TABLE tls_seen;",
            ),
        )],
    );
    for (host, mode) in [
        ("localhost", "verify-full"),
        ("127.0.0.1", "verify-ca"),
        ("localhost", "require"),
        ("localhost", "prefer"),
    ] {
        let out = output(mig(seen.path()).args(["upgrade", "--database-url", &url(host, mode)]));
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
        assert_eq!(db.one("SELECT ssl::text FROM tls_seen"), "true", "{mode}");
        let out = output(mig(seen.path()).args([
            "downgrade",
            "base",
            "--database-url",
            &url(host, mode),
        ]));
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
    }
    // And `disable` does not: the check can tell.
    let out =
        output(mig(seen.path()).args(["upgrade", "--database-url", &url("localhost", "disable")]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(db.one("SELECT ssl::text FROM tls_seen"), "false");
}

#[test]
fn passwords_never_appear_in_any_output() {
    let _role = crate::common::server::cluster_roles();
    let srv = server();
    let db = srv.database("redact");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let secret = "Sup3rSecretPw";
    let mut admin = db.client();
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE redact_user LOGIN PASSWORD '{secret}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))
        .unwrap();
    // A wrong port, a wrong database, a string that does not parse, and a bad sslmode: none
    // may print the password. A run that succeeds with a password is in `secrets.rs`.
    let urls = [
        format!("postgresql://redact_user:{secret}@127.0.0.1:1/{}", db.name),
        format!(
            "postgresql://redact_user:{secret}@127.0.0.1/{}_missing?sslmode=disable",
            db.name
        ),
        format!("host=127.0.0.1 port=1 user=redact_user password={secret}"),
        format!(
            "postgresql://redact_user:{secret}@/{}?sslmode=bogus",
            db.name
        ),
    ];
    for url in &urls {
        for args in [&["current"][..], &["upgrade"], &["history", "-i"]] {
            let out = output(mig(dir.path()).args(args).arg("--database-url").arg(url));
            assert_ne!(out.code, 0);
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

/// A password with `@`, `/` or `;` unencoded, or a `;` typed for the `:`: libpq reads part of
/// it as the host or the user, and the server echoes the user; no part is shown in any format.
#[test]
fn a_password_with_a_separator_in_it_is_never_shown_in_any_format() {
    let srv = server();
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let authority = srv
        .admin_url
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(host, _)| host.to_owned())
        .unwrap();
    let urls = [
        format!("postgresql://postgres:Zq9x@SecretPW@{authority}/x"),
        format!("postgresql://postgres:Zq9x/SecretPW@{authority}/x"),
        format!("postgresql://postgres;Zq9xSecretPW@{authority}/postgres?sslmode=disable"),
        format!("postgresql://postgres Zq9xSecretPW@{authority}/postgres?sslmode=disable"),
    ];
    for url in &urls {
        for format in ["human", "concise", "json", "github"] {
            for command in ["current", "upgrade"] {
                let out = output(
                    mig(dir.path())
                        .args([command, "--format", format, "--database-url"])
                        .arg(url),
                );
                assert_ne!(out.code, 0, "{url} {format} {command}");
                let all = format!("{}{}", out.stdout, out.stderr);
                assert!(
                    !all.contains("Zq9x") && !all.contains("SecretPW"),
                    "{url} {format} {command}: {all}"
                );
            }
        }
    }
}

/// An identifier variable longer than a name may be: the server cuts it to 63 bytes before it
/// quotes it back, and that prefix is as secret as the whole.
#[test]
fn a_long_variable_value_cut_by_the_server_is_never_shown() {
    let db = server().database("long_secret");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_a.sql",
            &rev("a", "none", "SELECT * FROM :\"T\";", "SELECT 1;"),
        )],
    );
    let secret = format!("Hunter2Secret{}", "q".repeat(80));
    for format in ["human", "concise", "json", "github"] {
        let out = output(
            run(dir.path(), &db)
                .args(["upgrade", "--format", format, "--set"])
                .arg(format!("T={secret}")),
        );
        assert_eq!(out.code, 1, "{format}: {}{}", out.stdout, out.stderr);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains("42P01"), "{format}: {all}");
        assert!(!all.contains("Hunter2Secret"), "{format}: {all}");
    }
}

/// `rollback` (and `revert`) undo one revision by default, as dbmate and sqlx do, and say which;
/// `downgrade` still wants its target.
#[test]
fn rollback_undoes_the_last_revision_and_says_which() {
    let db = server().database("rollback");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(output(run(dir.path(), &db).arg("upgrade")).code, 0);
    let out = output(run(dir.path(), &db).arg("rollback"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("reverted  003_c.sql"), "{}", out.stdout);
    assert_eq!(versions(&db), ["1", "2"]);
    let out = output(run(dir.path(), &db).args(["revert"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("reverted  002_b.sql"), "{}", out.stdout);
    assert_eq!(versions(&db), ["1"]);
    let out = output(run(dir.path(), &db).args(["rollback", "base"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(versions(&db).is_empty());
    let out = output(run(dir.path(), &db).arg("downgrade"));
    assert_eq!(
        out.code, 2,
        "downgrade keeps requiring a target: {}",
        out.stderr
    );
}

#[test]
fn a_failing_revision_names_file_line_and_sqlstate_and_leaves_nothing_behind() {
    let db = server().database("failure");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev(
                    "a",
                    "none",
                    "CREATE TABLE a (id int PRIMARY KEY);",
                    "DROP TABLE a;",
                ),
            ),
            // The third statement fails on a constraint, which the server gives no position for.
            (
                "002_b.sql",
                &rev(
                    "b",
                    "001",
                    "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (1);",
                    "DROP TABLE b;",
                ),
            ),
        ],
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("002_b.sql:7: ERROR 23505: duplicate key value"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("detail: Key (id)=(1) already exists."),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("still in place: 001_a.sql"),
        "{}",
        out.stderr
    );
    assert_eq!(versions(&db), ["1"]);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"),
        "0"
    );
    assert_eq!(db.one("SELECT count(*) FROM a"), "0");
}

#[test]
fn syntax_errors_and_do_block_errors_point_at_their_line() {
    let db = server().database("lines");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "001_a.sql",
            &rev(
                "a",
                "none",
                "CREATE TABLE a (id int);\nSELECT 1;\nSELEC 2;",
                "DROP TABLE a;",
            ),
        )],
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert!(
        out.stderr.contains("001_a.sql:7: ERROR 42601"),
        "{}",
        out.stderr
    );
    write_tree(
        dir.path(),
        &[(
            "001_a.sql",
            &rev(
                "a",
                "none",
                "CREATE TABLE a (id int);\nDO $$\nBEGIN\n  PERFORM 1;\n  RAISE EXCEPTION 'boom' USING HINT = 'try again';\nEND\n$$;",
                "DROP TABLE a;",
            ),
        )],
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("001_a.sql:9: ERROR P0001: boom"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: try again"), "{}", out.stderr);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"),
        "0"
    );
}

#[test]
fn single_transaction_rolls_back_the_whole_plan() {
    let db = server().database("single");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            ),
            ("002_b.sql", &rev("b", "001", "SELECT 1/0;", "SELECT 1;")),
        ],
    );
    let out = output(run(dir.path(), &db).args(["upgrade", "--single-transaction"]));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("nothing was applied"), "{}", out.stderr);
    assert!(versions(&db).is_empty());
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"),
        "0"
    );
    // Without it, the first revision stays.
    assert_eq!(output(run(dir.path(), &db).arg("upgrade")).code, 1);
    assert_eq!(versions(&db), ["1"]);
}

#[test]
fn non_transactional_revisions_run_statement_by_statement_and_resume() {
    let db = server().database("concurrently");
    let dir = tempfile::tempdir().unwrap();
    let up = "CREATE TABLE t (id int, v text);\nINSERT INTO t SELECT g, 'x;y' FROM generate_series(1, 100) g;\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);\nCREATE INDEX CONCURRENTLY t_both ON t (id, v);";
    let text = format!(
        "-- t\n-- migrate:revises none\n\n-- migrate:up transaction:false\n{up}\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS t_both;\nDROP INDEX CONCURRENTLY IF EXISTS t_id;\nDROP TABLE t;\n"
    );
    write_tree(dir.path(), &[("001_t.sql", &text)]);
    // The unique index fails: 'x;y' repeats.
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("001_t.sql:8: ERROR 23505"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("3 of 5 statements"), "{}", out.stderr);
    assert!(
        out.stderr.contains("continues at statement 4"),
        "{}",
        out.stderr
    );
    assert!(versions(&db).is_empty());
    assert_eq!(
        db.one("SELECT progress_done || ' ' || progress_direction FROM public.refinery_schema_history_migrate"),
        "3 up"
    );
    // `current` reports the unfinished run.
    let current = output(run(dir.path(), &db).arg("current"));
    assert_eq!(current.code, 1);
    assert!(
        current.stderr.contains("stopped part-way"),
        "{}",
        current.stderr
    );
    // A downgrade would leave the applied statements behind unrecorded: refused.
    let out = output(run(dir.path(), &db).args(["downgrade", "base"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("stopped part-way through its upgrade"),
        "{}",
        out.stderr
    );
    // Fix the cause (a failed CONCURRENTLY leaves an invalid index behind) and rerun.
    db.client()
        .batch_execute("DROP INDEX t_v; UPDATE t SET v = id::text")
        .unwrap();
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(versions(&db), ["1"]);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"),
        "3"
    );
    assert_eq!(db.one("SELECT count(*) FROM public.refinery_schema_history_migrate WHERE progress_direction IS NOT NULL"), "0");
    // Inside --single-transaction it is refused before anything runs.
    let out = output(run(dir.path(), &db).args(["downgrade", "base", "--single-transaction"]));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("transaction:false"));
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "base"])).code,
        0
    );
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "0"
    );
}

#[test]
fn a_second_runner_waits_then_names_the_lock_holder_and_exits_2() {
    let db = server().database("lock");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(output(run(dir.path(), &db).args(["upgrade", "+1"])).code, 0);
    let mut config: postgres::Config = db.url.parse().unwrap();
    config.application_name("deploy-replica-7");
    let mut holder = config.connect(postgres::NoTls).unwrap();
    holder
        .execute(
            "SELECT pg_advisory_lock(1835624306, hashtext('public.refinery_schema_history'))",
            &[],
        )
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let started = std::time::Instant::now();
    let out = output(run(dir.path(), &db).args(["upgrade", "--lock-wait", "1s"]));
    // It waited the whole second before it gave up: a run that failed at once is no wait.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("note: waiting up to 1s for the migration lock on public.refinery_schema_history, held by"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&format!("pid {pid}")), "{}", out.stderr);
    assert!(out.stderr.contains("deploy-replica-7"), "{}", out.stderr);
    assert!(out.stderr.contains("gave up after 1s"), "{}", out.stderr);
    assert_eq!(versions(&db), ["1"]);
    // Released while a second runner waits: it goes on, and applies each revision once.
    let waiting = spawn_upgrade(dir.path(), &db);
    std::thread::sleep(Duration::from_millis(300));
    drop(holder);
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("waiting up to 1m for the migration lock"),
        "it waited for the holder"
    );
    assert_eq!(versions(&db), ["1", "2", "3"]);
    assert_eq!(db.one("SELECT count(*) FROM a"), "1", "002 ran once");
}

#[test]
fn eight_concurrent_upgrades_apply_every_revision_exactly_once() {
    let db = server().database("concurrent");
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "001_log.sql".to_owned(),
        rev(
            "log",
            "none",
            "CREATE TABLE applied (n int PRIMARY KEY);",
            "DROP TABLE applied;",
        ),
    )];
    for n in 2..=20 {
        files.push((
            format!("{n:03}_step.sql"),
            rev(
                "step",
                &format!("{:03}", n - 1),
                &format!("INSERT INTO applied VALUES ({n});\nSELECT pg_sleep(0.01);"),
                "SELECT 1;",
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(dir.path(), &refs);
    let children: Vec<_> = (0..8)
        .map(|_| {
            StdCommand::new(env!("CARGO_BIN_EXE_migrate"))
                .current_dir(dir.path())
                .env("MIGRATE_DIR", ".")
                .args(["upgrade", "head"])
                .env("MIGRATE_DATABASE_URL", &db.url)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_lines = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        applied_lines += String::from_utf8_lossy(&out.stdout).lines().count();
    }
    assert_eq!(
        applied_lines, 20,
        "each revision applied by exactly one runner"
    );
    assert_eq!(db.one("SELECT count(*) FROM applied"), "19");
    assert_eq!(versions(&db).len(), 20);
}

#[test]
fn upgrade_refuses_a_file_changed_since_it_was_applied() {
    let db = server().database("drift");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "002"])).code,
        0
    );
    // CRLF line endings and a BOM are not a change.
    let path = dir.path().join("001_a.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "head"])).code,
        0
    );
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "002"])).code,
        0
    );
    std::fs::write(&path, text.replace("PRIMARY KEY", "PRIMARY KEY, x int")).unwrap();
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("`001_a.sql` changed since it was applied"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("new revision"), "{}", out.stderr);
    assert_eq!(versions(&db), ["1", "2"]);
}

#[test]
fn a_database_ahead_of_the_files_is_reported_refused_and_can_still_be_downgraded() {
    let db = server().database("ahead");
    let newer = tempfile::tempdir().unwrap();
    three(newer.path());
    assert_eq!(output(run(newer.path(), &db).arg("upgrade")).code, 0);
    // An older release: it only has 001 and 002.
    let older = tempfile::tempdir().unwrap();
    three(older.path());
    std::fs::remove_file(older.path().join("003_c.sql")).unwrap();
    let out = output(run(older.path(), &db).arg("current"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("revision `003` (003_c.sql"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("ahead"), "{}", out.stderr);
    let out = output(run(older.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("ahead"), "{}", out.stderr);
    assert_eq!(
        output(run(older.path(), &db).args(["upgrade", "--allow-unknown"])).code,
        0
    );
    // The down SQL stored when 003 was applied undoes it.
    let out = output(run(older.path(), &db).args(["downgrade", "002"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("reverted  003_c.sql"), "{}", out.stdout);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'c'"),
        "0"
    );
    assert_eq!(versions(&db), ["1", "2"]);
}

#[test]
fn a_killed_client_or_backend_leaves_a_consistent_database_that_reruns_to_head() {
    let db = server().database("killed");
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
                    "CREATE TABLE slow (id int);\nSELECT pg_sleep(3);",
                    "DROP TABLE slow;",
                ),
            ),
        ],
    );
    // The client is killed in the middle of 002.
    let mut child = spawn_upgrade(dir.path(), &db);
    wait_for(&db, SLEEPING, "1");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(versions(&db), ["1"]);
    // The backend carries out what it was sent, the revision's COMMIT included, and ends with
    // its session; the rerun waits for the lock meanwhile and completes.
    let out = output(run(dir.path(), &db).args(["upgrade", "--lock-wait", "30s"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(versions(&db), ["1", "2"]);
    // The server backend is killed in the middle of a revision.
    assert_eq!(
        output(run(dir.path(), &db).args(["downgrade", "001"])).code,
        0
    );
    let child = spawn_upgrade(dir.path(), &db);
    wait_for(&db, SLEEPING, "1");
    db.one("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[revision-failed]")
            && stderr.contains("002_slow.sql")
            && stderr.contains("the connection to the server was lost while the revision ran"),
        "{stderr}"
    );
    assert_eq!(versions(&db), ["1"]);
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'slow'"),
        "0"
    );
    assert_eq!(output(run(dir.path(), &db).arg("upgrade")).code, 0);
    assert_eq!(versions(&db), ["1", "2"]);
}

/// A client killed while its revision runs: the server already has the whole revision, its
/// `COMMIT` included, and carries it out. What holds is that the history never lies: a
/// revision is recorded exactly when its changes are there, whenever the client dies.
#[test]
fn a_killed_client_leaves_each_revision_recorded_with_its_changes_or_not_at_all() {
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
                    "SELECT pg_sleep(1);\nCREATE TABLE slow (id int);",
                    "DROP TABLE slow;",
                ),
            ),
        ],
    );
    let others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    // Killed in the middle of 002's sleep, then at moments spread over the run's first 400 ms.
    for moment in [
        None,
        Some(0),
        Some(40),
        Some(80),
        Some(150),
        Some(250),
        Some(400),
    ] {
        let db = server().database("killed_commit");
        let mut child = spawn_upgrade(dir.path(), &db);
        match moment {
            None => wait_for(
                &db,
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1)%' AND pid <> pg_backend_pid()",
                "1",
            ),
            Some(ms) => std::thread::sleep(Duration::from_millis(ms)),
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // The dead client's backend runs to the end of what it was sent.
        wait_for(&db, others, "0");
        let recorded = if db
            .one("SELECT count(*) FROM pg_tables WHERE tablename = 'refinery_schema_history'")
            == "1"
        {
            versions(&db)
        } else {
            Vec::new()
        };
        let slow = db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'slow'");
        let a = db.one("SELECT count(*) FROM pg_tables WHERE tablename = 'a'");
        assert_eq!(
            recorded.contains(&"2".to_owned()),
            slow == "1",
            "{moment:?}: {recorded:?}"
        );
        assert_eq!(
            recorded.contains(&"1".to_owned()),
            a == "1",
            "{moment:?}: {recorded:?}"
        );
        if moment.is_none() {
            assert_eq!(recorded, ["1", "2"], "a COMMIT already sent is carried out");
        }
        let out = output(run(dir.path(), &db).args(["upgrade", "--lock-wait", "30s"]));
        assert_eq!(out.code, 0, "{moment:?}: {}", out.stderr);
        assert_eq!(versions(&db), ["1", "2"]);
    }
}

/// Counts the other sessions sleeping in the slow revision.
const SLEEPING: &str = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()";

/// `migrate upgrade` in the background, its output captured.
fn spawn_upgrade(dir: &Path, db: &TestDb) -> std::process::Child {
    crate::common::spawn_migrate(dir, &db.url, &["upgrade"])
}

fn wait_for(db: &TestDb, sql: &str, expected: &str) {
    crate::common::wait_until(sql, Duration::from_secs(30), || db.one(sql) == expected);
}

#[test]
fn write_commands_refuse_an_invalid_graph_with_the_check_diagnostics() {
    let db = server().database("invalid");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    write_tree(
        dir.path(),
        &[(
            "003_other.sql",
            &rev("other", "002", "SELECT 1;", "SELECT 1;"),
        )],
    );
    let check = output(mig(dir.path()).arg("check"));
    // The gate's findings are check's own: two files for revision 003.
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains("error[duplicate-revision]")
            && check.stdout.contains("003_c.sql")
            && check.stdout.contains("003_other.sql"),
        "{}",
        check.stdout
    );
    for args in [&["upgrade"][..], &["downgrade", "base"], &["stamp", "head"]] {
        let out = output(run(dir.path(), &db).args(args));
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, check.stdout, "{args:?}");
        assert!(
            out.stderr.contains("error[check-failed]"),
            "{args:?}: the refusal is named: {}",
            out.stderr
        );
    }
    assert_eq!(
        db.one("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
        "0"
    );
}

#[test]
fn revision_numbers_beyond_int4_are_refused_when_a_database_is_used() {
    let db = server().database("int4");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "2147483648_big.sql",
            &rev("big", "none", "SELECT 1;", "SELECT 1;"),
        )],
    );
    assert_eq!(output(mig(dir.path()).arg("check")).code, 0);
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("does not fit the history table's int4"),
        "{}",
        out.stderr
    );
}

#[test]
fn sql_prints_the_script_without_connecting() {
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let mut cmd = mig(dir.path());
    cmd.args(["upgrade", "--sql", "001:head"])
        .env("MIGRATE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x");
    let out = output(&mut cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("-- migrate upgrade --sql 001:head\n")
    );
    assert!(
        !out.stdout.contains("CREATE TABLE IF NOT EXISTS"),
        "001 is applied, so the tables exist"
    );
    assert!(
        out.stdout
            .contains("-- 002_b.sql\nBEGIN;\nINSERT INTO a VALUES (1);\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("VALUES (3, 'c', "), "{}", out.stdout);
    let out = output(mig(dir.path()).args(["downgrade", "--sql", "head:001"]));
    assert!(out.stdout.contains("DROP TABLE c;"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("DELETE FROM \"public\".\"refinery_schema_history\" WHERE version = 2"),
        "{}",
        out.stdout
    );
    let out = output(mig(dir.path()).args(["stamp", "--sql", "head"]));
    assert!(
        out.stdout
            .contains("CREATE TABLE IF NOT EXISTS \"public\".\"refinery_schema_history\"")
    );
    assert!(!out.stdout.contains("INSERT INTO a"));
}

#[test]
fn the_sql_script_runs_under_psql_and_migrate_continues_it() {
    let db = server().database("psqlscript");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let script = output(mig(dir.path()).args(["upgrade", "--sql", "002"])).stdout;
    let status = StdCommand::new("psql")
        .args([&db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", &script])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().count(),
        1,
        "only 003 is left: {}",
        out.stdout
    );
}

#[test]
fn refinery_reads_what_migrate_wrote_and_migrate_continues_what_refinery_wrote() {
    let db = server().database("refinery");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    // refinery applies 001 from the same file text.
    let text = std::fs::read_to_string(dir.path().join("001_a.sql")).unwrap();
    let up_only = text.replace("-- migrate:down\nDROP TABLE a;", "");
    let mut client = db.client();
    let migration = refinery::Migration::unapplied("V1__a", &up_only).unwrap();
    let runner = refinery::Runner::new(&[migration]);
    runner.run(&mut client).unwrap();
    std::fs::write(dir.path().join("001_a.sql"), &up_only).unwrap();
    // refinery ran the file without the down section, so that is the file migrate checks.
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(versions(&db), ["1", "2", "3"]);
    // refinery reads migrate's rows without complaint.
    let runner = refinery::Runner::new(&[]);
    let applied = runner.get_applied_migrations(&mut client).unwrap();
    assert_eq!(
        applied
            .iter()
            .map(refinery::Migration::version)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn the_history_table_is_configurable_and_a_search_path_change_cannot_redirect_it() {
    let db = server().database("table");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_schema.sql",
                &rev(
                    "schema",
                    "none",
                    "CREATE SCHEMA app;\nSET search_path TO app;",
                    "DROP SCHEMA app;",
                ),
            ),
            (
                "002_t.sql",
                &rev(
                    "t",
                    "001",
                    "CREATE TABLE app.t (id int);",
                    "DROP TABLE app.t;",
                ),
            ),
        ],
    );
    std::fs::write(
        dir.path().join("migrate.toml"),
        "history_table = \"ops.schema_history\"\n",
    )
    .unwrap();
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        db.strings("SELECT version FROM ops.schema_history ORDER BY version"),
        ["1", "2"]
    );
    assert_eq!(
        db.one("SELECT count(*) FROM ops.schema_history_migrate"),
        "2"
    );
    assert_eq!(db.one("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%schema_history%' AND schemaname <> 'ops'"), "0");
    // The flag beats the file.
    let out = output(run(dir.path(), &db).args(["current", "--history-table", "public.other"]));
    assert!(
        out.stdout.starts_with("no revision applied"),
        "{}",
        out.stdout
    );
    let out = output(run(dir.path(), &db).args(["current", "--history-table", "Bad Name"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("Bad Name"), "{}", out.stderr);
}

#[test]
fn malformed_history_rows_are_reported_not_a_panic() {
    let db = server().database("malformed");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(
        output(run(dir.path(), &db).args(["upgrade", "001"])).code,
        0
    );
    db.client()
        .batch_execute(
            "UPDATE public.refinery_schema_history SET checksum = 'not a number', applied_on = NULL, name = NULL",
        )
        .unwrap();
    let out = output(run(dir.path(), &db).args(["current", "--verbose"]));
    // A checksum that is not refinery's reads as drift: reported, and `current` fails.
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[checksum-mismatch]"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("changed since applied"),
        "{}",
        out.stdout
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("checksum not a number in the database"),
        "{}",
        out.stderr
    );
    // A history table whose columns are not refinery's is an error, not a crash.
    db.client()
        .batch_execute(
            "ALTER TABLE public.refinery_schema_history ALTER COLUMN name TYPE int USING 0",
        )
        .unwrap();
    let out = output(run(dir.path(), &db).arg("current"));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refinery's format"), "{}", out.stderr);
}

#[test]
fn stamp_clears_the_record_of_an_abandoned_non_transactional_revision() {
    let db = server().database("abandon");
    let dir = tempfile::tempdir().unwrap();
    let text = "-- t\n-- migrate:revises none\n\n-- migrate:up transaction:false\nCREATE TABLE t (id int);\nSELECT 1/0;\n\n-- migrate:down\nDROP TABLE t;\n";
    write_tree(dir.path(), &[("001_t.sql", text)]);
    assert_eq!(output(run(dir.path(), &db).arg("upgrade")).code, 1);
    assert_eq!(output(run(dir.path(), &db).arg("current")).code, 1);
    // Undo by hand, then declare the state.
    db.client().batch_execute("DROP TABLE t").unwrap();
    let out = output(run(dir.path(), &db).args(["stamp", "base"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = output(run(dir.path(), &db).arg("current"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        db.one("SELECT count(*) FROM public.refinery_schema_history_migrate"),
        "0"
    );
}
