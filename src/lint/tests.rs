//! Unit tests of `lint`: each rule on a small revision, through the whole path from the file's
//! text to the finding's place.

use super::*;
use crate::revision::{DirFormat, Revises, Revision, RevisionId};
use crate::source::sql_file;

/// A revision with nothing in it, for tests to fill in.
pub(crate) fn revision(path: &str) -> Revision {
    Revision {
        id: RevisionId::name("1"),
        format: DirFormat::Sql,
        slug: "x".to_owned(),
        path: path.to_owned(),
        revises: Revises::Root,
        revises_line: Some(2),
        depends_on: Vec::new(),
        branch_labels: Vec::new(),
        unreadable_labels: false,
        shown_labels: Vec::new(),
        description: Vec::new(),
        up: None,
        down: None,
    }
}

fn findings_with(text: &str, settings: &Settings) -> Vec<(String, usize, usize)> {
    let (parsed, _) = sql_file::parse(text);
    let revision = Revision {
        up: parsed.up,
        down: parsed.down,
        ..revision("001_x.sql")
    };
    let context = Context {
        settings,
        lock_timeout: None,
        statement_timeout: None,
    };
    let mut found = Vec::new();
    for piece in piece::pieces(&revision, text, settings.lint.down) {
        for d in lint_piece(&context, &revision.path, text, &piece) {
            let at = d.location.expect("lint findings have a place");
            found.push((d.rule.name().to_owned(), at.line, at.column));
        }
    }
    found
}

/// Lints any text as a `.sql` revision and as an Alembic one, for the fuzzer.
pub(crate) fn lint_any_text(text: &str) -> usize {
    let settings = settings();
    let context = Context {
        settings: &settings,
        lock_timeout: None,
        statement_timeout: None,
    };
    let (parsed, _) = sql_file::parse(text);
    let native = Revision {
        up: parsed.up,
        down: parsed.down,
        ..revision("001_x.sql")
    };
    let alembic = Revision {
        format: DirFormat::Alembic,
        ..revision("1a_x.py")
    };
    let mut found = 0;
    for revision in [native, alembic] {
        for piece in piece::pieces(&revision, text, true) {
            found += lint_piece(&context, &revision.path, text, &piece).len();
        }
    }
    found
}

fn settings() -> Settings {
    let mut settings = Settings::for_tests();
    settings.run.statement_timeout = Some(Duration::from_mins(1));
    settings
}

fn findings(text: &str) -> Vec<(String, usize, usize)> {
    findings_with(text, &settings())
}

fn names(text: &str) -> Vec<String> {
    findings(text).into_iter().map(|(n, _, _)| n).collect()
}

const HEADER: &str = "-- x\n-- migrate:revises none\n\n";

#[test]
fn squawk_findings_carry_the_place_in_the_file() {
    let text = format!("{HEADER}-- migrate:up\n\nCREATE INDEX ix ON t (a);\n");
    assert_eq!(
        findings(&text),
        [("lint/require-concurrent-index-creation".to_owned(), 6, 1)]
    );
}

#[test]
fn concurrently_needs_transaction_false() {
    let sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);\n";
    let text = format!("{HEADER}-- migrate:up\n{sql}");
    assert_eq!(
        findings(&text),
        [("concurrently-in-transaction".to_owned(), 5, 1)]
    );
    let text = format!("{HEADER}-- migrate:up transaction:false\n{sql}");
    assert!(findings(&text).is_empty(), "{:?}", findings(&text));
    for other in [
        "DROP INDEX CONCURRENTLY ix;",
        "REINDEX INDEX CONCURRENTLY ix;",
        "VACUUM t;",
        "CREATE DATABASE d;",
        "ALTER SYSTEM SET work_mem = '64MB';",
        "CREATE TABLESPACE s LOCATION '/srv/s';",
    ] {
        let text = format!("{HEADER}-- migrate:up\n{other}\n");
        assert!(
            names(&text).contains(&"concurrently-in-transaction".to_owned()),
            "{other}"
        );
    }
}

#[test]
fn add_value_is_refused_in_a_transaction_before_postgresql_12_only() {
    let text = format!("{HEADER}-- migrate:up\nALTER TYPE mood ADD VALUE 'meh';\n");
    assert!(!names(&text).contains(&"concurrently-in-transaction".to_owned()));
    let mut old = settings();
    old.lint.pg_major = 11;
    let found: Vec<String> = findings_with(&text, &old)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(
        found.contains(&"concurrently-in-transaction".to_owned()),
        "{found:?}"
    );
}

#[test]
fn several_statements_outside_a_transaction_are_flagged_at_the_second() {
    let text = format!(
        "{HEADER}-- migrate:up transaction:false\nSET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS b ON t (b);\n"
    );
    assert_eq!(
        findings(&text),
        [("mixed-transaction-statements".to_owned(), 7, 1)]
    );
}

#[test]
fn lock_timeout_turned_off_is_flagged_on_existing_tables_only() {
    let mut off = settings();
    off.run.lock_timeout = Some(Duration::ZERO);
    let alter = "ALTER TABLE users ADD COLUMN note text;\n";
    let text = format!("{HEADER}-- migrate:up\n{alter}");
    let found: Vec<_> = findings_with(&text, &off)
        .into_iter()
        .filter(|f| f.0 == "missing-lock-timeout")
        .collect();
    assert_eq!(found, [("missing-lock-timeout".to_owned(), 5, 1)]);
    // With the default (2 s), or a marker's own, nothing.
    assert!(!names(&text).contains(&"missing-lock-timeout".to_owned()));
    let marked = format!("{HEADER}-- migrate:up lock_timeout:1s\n{alter}");
    assert!(
        findings_with(&marked, &off)
            .iter()
            .all(|f| f.0 != "missing-lock-timeout")
    );
    // A table made in the same revision is not in use yet.
    let fresh = format!("{HEADER}-- migrate:up\nCREATE TABLE users (id bigint);\n{alter}");
    assert!(
        findings_with(&fresh, &off)
            .iter()
            .all(|f| f.0 != "missing-lock-timeout")
    );
    let set = format!("{HEADER}-- migrate:up\nSET lock_timeout = '1s';\n{alter}");
    assert!(
        findings_with(&set, &off)
            .iter()
            .all(|f| f.0 != "missing-lock-timeout")
    );
}

#[test]
fn psql_variables_become_placeholders_and_places_stay_exact() {
    let text = format!(
        "{HEADER}-- migrate:up\nGRANT SELECT ON t TO :\"ROLE\"; CREATE INDEX ix ON t (a);\n"
    );
    assert_eq!(
        findings(&text),
        [("lint/require-concurrent-index-creation".to_owned(), 5, 31)]
    );
}

#[test]
fn down_sections_only_when_asked() {
    let text = format!("{HEADER}-- migrate:up\nSELECT 1;\n\n-- migrate:down\nDROP TABLE t;\n");
    assert!(findings(&text).is_empty());
    let mut down = settings();
    down.lint.down = true;
    assert_eq!(
        findings_with(&text, &down),
        [("lint/ban-drop-table".to_owned(), 8, 1)]
    );
}

#[test]
fn squawk_ignore_comments_are_honoured() {
    let text = format!(
        "{HEADER}-- migrate:up\n-- squawk-ignore require-concurrent-index-creation\nCREATE INDEX ix ON t (a);\n"
    );
    assert!(findings(&text).is_empty(), "{:?}", findings(&text));
    let text = format!(
        "{HEADER}-- migrate:up\n-- squawk-ignore-file require-concurrent-index-creation\nCREATE INDEX ix ON t (a);\nALTER TABLE t ADD COLUMN b bigint NOT NULL;\n"
    );
    assert_eq!(names(&text), ["lint/adding-required-field"]);
}

#[test]
fn unparsable_sql_is_said_and_the_rest_still_linted() {
    let text = format!("{HEADER}-- migrate:up\nCREATE TABEL oops;\nCREATE INDEX ix ON t (a);\n");
    let found = names(&text);
    assert!(found.contains(&"unparsable-sql".to_owned()), "{found:?}");
}

#[test]
fn statement_timeout_is_squawks_rule_when_migrate_sets_none() {
    let text = format!("{HEADER}-- migrate:up\nALTER TABLE t ADD COLUMN c text;\n");
    let bare = Settings::for_tests();
    let found: Vec<String> = findings_with(&text, &bare)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(
        found.contains(&"lint/require-statement-timeout".to_owned()),
        "{found:?}"
    );
    assert!(names(&text).is_empty(), "{:?}", names(&text));
}

#[test]
fn sql_newer_than_pg_version_is_a_finding_from_the_major_that_lacks_it() {
    let cases = [
        ("GRANT MAINTAIN ON things TO keeper;", 17),
        ("REVOKE MAINTAIN ON things FROM keeper;", 17),
        ("GRANT staff TO alice WITH INHERIT FALSE, SET FALSE;", 16),
        ("CREATE TABLE spans (r int4multirange);", 14),
        (
            "ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) VIRTUAL;",
            18,
        ),
        (
            "ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2);",
            18,
        ),
        (
            "ALTER TABLE things ADD CONSTRAINT things_note_required NOT NULL note;",
            18,
        ),
    ];
    for (sql, since) in cases {
        let text = format!("{HEADER}-- migrate:up\n{sql}\n");
        let rule = |major: u32| {
            let mut settings = settings();
            settings.lint.pg_major = major;
            findings_with(&text, &settings)
                .into_iter()
                .filter(|f| f.0 == "newer-than-pg-version")
                .map(|f| (f.1, f.2))
                .collect::<Vec<_>>()
        };
        assert_eq!(rule(since - 1), [(5, 1)], "{sql} on {}", since - 1);
        assert!(rule(since).is_empty(), "{sql} on {since}");
    }
    // What older servers have too is never reported.
    for sql in [
        "GRANT SELECT ON things TO keeper;",
        "GRANT staff TO alice WITH ADMIN OPTION;",
        "ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;",
        "ALTER TABLE things ADD COLUMN id2 int GENERATED ALWAYS AS IDENTITY;",
        "ALTER TABLE things ALTER COLUMN note SET NOT NULL;",
        "CREATE TABLE spans (r int4range);",
    ] {
        let text = format!("{HEADER}-- migrate:up\n{sql}\n");
        let mut settings = settings();
        settings.lint.pg_major = 13;
        let found: Vec<String> = findings_with(&text, &settings)
            .into_iter()
            .map(|f| f.0)
            .filter(|n| n == "newer-than-pg-version")
            .collect();
        assert!(found.is_empty(), "{sql}: {found:?}");
    }
}
