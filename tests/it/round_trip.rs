//! A transactional revision's SQL, its history row and the commit travel as one query string:
//! the revision and its record are one atomic unit, whatever the SQL's last line looks like.

use crate::common::server::server;
use crate::common::{output, write_tree};
use crate::database::{rev, run, three};

#[test]
fn a_history_row_that_cannot_be_written_rolls_back_the_revisions_sql() {
    let db = server().database("round_trip_history");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let first = output(run(dir.path(), &db).args(["upgrade", "002"]));
    assert_eq!(first.code, 0, "{}", first.stderr);
    // The history table refuses version 3: the revision's own SQL ran, in the same query string.
    db.client()
        .batch_execute(
            "ALTER TABLE public.refinery_schema_history ADD CONSTRAINT refuse_3 CHECK (version <> 3)",
        )
        .unwrap();
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("cannot write the history row, so the revision was rolled back")
            && out.stderr.contains("refuse_3"),
        "{}",
        out.stderr
    );
    assert_eq!(
        db.strings("SELECT count(*)::text FROM pg_class WHERE relname = 'c'"),
        ["0"],
        "the table 003 creates was rolled back with its history row"
    );
    assert_eq!(
        db.strings("SELECT version::text FROM public.refinery_schema_history ORDER BY 1"),
        ["1", "2"]
    );
    assert_eq!(db.advisory_locks(), "0");
}

#[test]
fn sql_that_ends_without_a_semicolon_or_in_a_comment_is_still_its_own_statement() {
    let db = server().database("round_trip_endings");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_a.sql",
                &rev("a", "none", "CREATE TABLE a (id int)", "DROP TABLE a"),
            ),
            (
                "002_b.sql",
                "-- b\n-- migrate:revises 001\n-- migrate:up\nINSERT INTO a VALUES (1) -- the last line, no semicolon",
            ),
            (
                "003_c.sql",
                "-- c\n-- migrate:revises 002\n-- migrate:up\nINSERT INTO a VALUES (3);\n/* a closing comment */",
            ),
        ],
    );
    let out = output(run(dir.path(), &db).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(db.strings("SELECT id::text FROM a ORDER BY id"), ["1", "3"]);
    assert_eq!(
        db.strings("SELECT version::text FROM public.refinery_schema_history ORDER BY 1"),
        ["1", "2", "3"]
    );
    // The server measured each revision's time, in the same statement as its row.
    assert_eq!(
        db.strings(
            "SELECT count(*)::text FROM public.refinery_schema_history_migrate WHERE execution_ms >= 0"
        ),
        ["3"]
    );
}

#[test]
fn a_no_op_run_on_a_direct_connection_leaves_no_lock_behind() {
    let db = server().database("round_trip_noop");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(output(run(dir.path(), &db).arg("upgrade")).code, 0);
    // The no-op run reads and locks in its first query, and lets the server release the lock
    // when the connection ends.
    for _ in 0..3 {
        let out = output(run(dir.path(), &db).arg("upgrade"));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("nothing to do"), "{}", out.stderr);
    }
    crate::common::wait_until(
        "the lock goes with the connection",
        std::time::Duration::from_secs(30),
        || db.advisory_locks() == "0",
    );
    // A database that has never been migrated takes the long way, and is migrated.
    let fresh = server().database("round_trip_fresh");
    let out = output(run(dir.path(), &fresh).arg("upgrade"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        fresh.strings("SELECT version::text FROM public.refinery_schema_history ORDER BY 1"),
        ["1", "2", "3"]
    );
}
