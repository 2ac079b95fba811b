//! Unit tests of `lexer`.

use super::*;

fn statements(sql: &str) -> Vec<&str> {
    lex(sql).statements.iter().map(|s| s.text(sql)).collect()
}

#[test]
fn splits_on_semicolons_outside_quotes() {
    assert_eq!(
        statements("create table t (a int);\ninsert into t values (1) ; "),
        ["create table t (a int)", "insert into t values (1)"]
    );
}

#[test]
fn keeps_semicolons_inside_strings_identifiers_and_comments() {
    let sql = "select 'a;b', \"c;d\" -- e;f\n from t /* g; /* nested; */ h; */;\nselect 2";
    assert_eq!(
        statements(sql),
        ["select 'a;b', \"c;d\" -- e;f\n from t", "select 2"]
    );
}

#[test]
fn doubled_quotes_and_escape_strings() {
    assert_eq!(
        statements("select 'it''s;'; select E'\\';' ; select e'a\\\\'; select 1"),
        [
            "select 'it''s;'",
            "select E'\\';'",
            "select e'a\\\\'",
            "select 1"
        ]
    );
}

#[test]
fn dollar_quoting_with_and_without_tags() {
    let sql = "do $$ begin raise notice ';'; end $$;\ncreate function f() returns int as $body$ select 1; $body$ language sql;\nselect $1";
    assert_eq!(
        statements(sql),
        [
            "do $$ begin raise notice ';'; end $$",
            "create function f() returns int as $body$ select 1; $body$ language sql",
            "select $1"
        ]
    );
}

#[test]
fn identifier_dollars_are_not_quotes() {
    assert_eq!(
        statements("select a$b$ from t; select 2"),
        ["select a$b$ from t", "select 2"]
    );
}

#[test]
fn sql_standard_function_bodies_keep_their_semicolons() {
    let sql = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END;\nselect 3";
    assert_eq!(
        statements(sql),
        [
            "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END",
            "select 3"
        ]
    );
    // Outside a function, BEGIN is a transaction statement of its own.
    assert_eq!(
        statements("begin; select 1; end;"),
        ["begin", "select 1", "end"]
    );
}

#[test]
fn comment_only_statements_are_dropped() {
    assert_eq!(
        statements("-- only a comment;\n;;  /* x */ ;"),
        Vec::<&str>::new()
    );
}

#[test]
fn unterminated_quotes_run_to_the_end() {
    assert_eq!(
        statements("select 'abc; select 2"),
        ["select 'abc; select 2"]
    );
}

#[test]
fn finds_variables_outside_quotes_only() {
    let sql = "create role r password :'PW'; grant select on t to :\"ROLE\"; select ':''X''', a::text, $$:'Y'$$ -- :'Z'";
    let found: Vec<(String, VariableKind)> = lex(sql)
        .variables
        .into_iter()
        .map(|v| (v.name, v.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("PW".to_owned(), VariableKind::Literal),
            ("ROLE".to_owned(), VariableKind::Identifier)
        ]
    );
}

#[test]
fn lines_are_one_based() {
    assert_eq!(line_of("a\nb\nc", 0), 1);
    assert_eq!(line_of("a\nb\nc", 4), 3);
}

#[test]
fn begin_as_a_parameter_name_opens_no_body() {
    let sql = "CREATE FUNCTION f(begin int, stop int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE INDEX CONCURRENTLY i ON t (a);";
    assert_eq!(
        statements(sql),
        [
            "CREATE FUNCTION f(begin int, stop int) RETURNS int LANGUAGE sql AS 'select 1'",
            "CREATE INDEX CONCURRENTLY i ON t (a)",
        ]
    );
}

#[test]
fn semicolons_inside_parentheses_end_nothing_as_in_psql() {
    assert_eq!(
        statements("select (1; 2); select 3"),
        ["select (1; 2)", "select 3"]
    );
    // An unbalanced `)` does not make the depth negative.
    assert_eq!(statements("select 1); select 2"), ["select 1)", "select 2"]);
}

#[test]
fn a_text_that_ends_in_an_escape_is_no_panic() {
    for sql in ["select E'\\", "E'\\", "select e'abc\\", "E'"] {
        let lexed = lex(sql);
        for statement in &lexed.statements {
            assert!(statement.end <= sql.len(), "{sql:?}");
            let _ = statement.text(sql);
        }
    }
}
