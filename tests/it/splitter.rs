//! The statement splitter agrees with psql: a corpus of tricky sections, each run under
//! `psql --echo-queries` against a real server, whose echo shows where psql ends every
//! statement, compared with the statements `migrate show --format json` says it will send.

use std::process::Command;

use crate::common::server::server;
use crate::common::{migrate_in, write_tree};

/// Sections whose statement boundaries are easy to get wrong, each with how many statements
/// psql finds in it.
const CORPUS: &[(&str, &str, usize)] = &[
    (
        "dollar quotes with tags",
        "CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN 'a;b'; END $body$;\nSELECT $x$ $$ ; $$ $x$, $$;$$;\nSELECT $a$ $b$ ; $b$ $a$;",
        3,
    ),
    (
        "nested comments",
        "/* a /* b ; */ c ; */ SELECT 1;\nSELECT 2 /* ; */ + /* /* ; */ */ 3;",
        2,
    ),
    (
        "escape strings",
        "SELECT E'it\\'s; ok', E'\\\\';\nSELECT e'\\\\'';' , 'x';\nSELECT U&'d\\0061t;a';",
        3,
    ),
    (
        "sql-standard function bodies",
        "CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END;\nCREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\nCREATE OR REPLACE FUNCTION h2(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN CASE WHEN a > 1 THEN 2 END END; END;",
        3,
    ),
    (
        "a rule with several actions",
        "CREATE TABLE t (n int);\nCREATE TABLE log (n int);\nCREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));\nSELECT 1;",
        4,
    ),
    (
        "begin and end as names",
        "CREATE TABLE e (\"begin\" int, \"end\" int);\nCREATE FUNCTION f2(begin int, \"end\" int) RETURNS int LANGUAGE sql AS 'select 1';\nSELECT 1 AS \"begin\";\nCREATE FUNCTION f3(x int, begin_at int) RETURNS int LANGUAGE sql AS 'select 2';",
        4,
    ),
    (
        "semicolons inside every kind of quote",
        "SELECT ';', \"a;b\" FROM (SELECT 1 AS \"a;b\") s;\nSELECT 1 -- a ; comment\n + 2;\nSELECT $$;$$, $t$;$t$, E';', ';''';\nSELECT (1; 2);",
        4,
    ),
    (
        "transaction statements and a last one without a semicolon",
        "BEGIN;\nSELECT CASE WHEN true THEN ';' END;\nCOMMIT;\nSELECT 3",
        4,
    ),
];

/// The statements psql sends for `sql`, from its echo: each echoed query ends at a `;` and a
/// newline, and psql leaves out comments that stand alone between statements.
fn psql_echo(url: &str, sql: &str) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), sql).unwrap();
    let out = Command::new("psql")
        .args([url, "-X", "-q", "--echo-queries", "-o", "/dev/null", "-f"])
        .arg(file.path())
        .output()
        .expect("psql runs");
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `echo` is psql sending exactly `statements`, in order: each echoed query starts
/// with the statement's text, and what follows before its `;` is only comments or blanks.
fn agrees(echo: &str, statements: &[String]) -> Result<(), String> {
    let mut rest = echo;
    for statement in statements {
        // psql keeps a block comment before a statement in the query; migrate's text starts
        // at the statement's first word.
        rest = skip_comments(rest);
        let Some(after) = rest.strip_prefix(statement.as_str()) else {
            return Err(format!(
                "psql sent {rest:?} where migrate sends {statement:?}"
            ));
        };
        let end = after.find(";\n").map_or(after.len(), |i| i + 2);
        let gap = after[..end]
            .trim_end_matches('\n')
            .trim_end_matches(';')
            .trim();
        if !(gap.is_empty() || gap.starts_with("/*") || gap.starts_with("--")) {
            return Err(format!(
                "psql sent {statement:?} and {gap:?} as one statement, which migrate splits"
            ));
        }
        rest = after[end..].trim_start_matches('\n');
    }
    if rest.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "psql sent {rest:?} after every statement migrate sends"
        ))
    }
}

/// `text` after any leading blanks and comments (block comments nest, as in PostgreSQL).
fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(after) = text.strip_prefix("--") {
            text = after.find('\n').map_or("", |i| &after[i..]);
        } else if text.starts_with("/*") {
            let mut depth = 0usize;
            let mut end = text.len();
            let bytes = text.as_bytes();
            let mut i = 0;
            while i + 1 < bytes.len() {
                if &bytes[i..i + 2] == b"/*" {
                    depth += 1;
                    i += 2;
                } else if &bytes[i..i + 2] == b"*/" {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            text = &text[end..];
        } else {
            return text;
        }
    }
}

#[test]
fn the_splitter_agrees_with_psql_on_a_corpus_of_tricky_sections() {
    for (name, sql, count) in CORPUS {
        let db = server().database("splitter");
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[(
                "001_corpus.sql",
                &format!(
                    "-- corpus\n-- migrate:revises none\n\n-- migrate:up transaction:false\n{sql}\n"
                ),
            )],
        );
        let out = migrate_in(dir.path())
            .env("MIGRATE_DIR", ".")
            .args(["show", "001", "--format", "json"])
            .output()
            .unwrap();
        let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let statements: Vec<String> = document["revision"]["up"]["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(statements.len(), *count, "{name}: {statements:#?}");
        let echo = psql_echo(&db.url, sql);
        if let Err(why) = agrees(&echo, &statements) {
            panic!("{name}: {why}\npsql echoed:\n{echo}");
        }
    }
}
