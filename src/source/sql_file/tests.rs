//! Unit tests of `sql_file`.

use super::*;

fn messages(text: &str) -> Vec<(usize, String)> {
    parse(text)
        .1
        .into_iter()
        .map(|p| (p.line, p.message))
        .collect()
}

#[test]
fn parses_a_full_file() {
    let text = "-- Add readonly role\n-- more words\n-- migrate:revises 040\n\n-- migrate:up\nCREATE ROLE r;\n-- migrate:down\nDROP ROLE r;\n";
    let (parsed, problems) = parse(text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(parsed.description, vec!["Add readonly role", "more words"]);
    assert_eq!(parsed.revises_line, Some(3));
    let Some(Revises::Parents(parents)) = parsed.revises else {
        panic!("parents expected")
    };
    assert_eq!(parents[0].id.as_str(), "040");
    assert_eq!(parents[0].column, 20);
    let up = parsed.up.unwrap();
    assert_eq!(
        (up.line, up.sql.as_str(), up.transaction),
        (5, "CREATE ROLE r;\n", true)
    );
    assert_eq!(parsed.down.unwrap().sql, "DROP ROLE r;\n");
}

#[test]
fn root_merge_and_options() {
    let (parsed, problems) =
        parse("-- migrate:revises none\n-- migrate:up transaction:false\nSELECT 1;\n");
    assert!(problems.is_empty());
    assert!(matches!(parsed.revises, Some(Revises::Root)));
    assert!(!parsed.up.unwrap().transaction);
    let (parsed, _) = parse("-- migrate:revises 040 041\n-- migrate:up\nSELECT 1;\n");
    let Some(Revises::Parents(parents)) = parsed.revises else {
        panic!()
    };
    assert_eq!(parents.len(), 2);
    assert_eq!(parents[1].column, 24);
}

#[test]
fn missing_pieces() {
    assert_eq!(
        messages("-- migrate:up\nSELECT 1;\n"),
        vec![(1, "missing `-- migrate:revises`".to_owned())]
    );
    assert_eq!(
        messages("-- migrate:revises 1\nSELECT 1;\n"),
        vec![(2, "no `-- migrate:up` marker".to_owned())]
    );
    assert_eq!(
        messages("-- migrate:revises 1\n-- migrate:up\n-- just a comment\n\n"),
        vec![(2, "the up section is empty".to_owned())]
    );
    assert_eq!(
        messages(""),
        vec![
            (1, "missing `-- migrate:revises`".to_owned()),
            (1, "no `-- migrate:up` marker".to_owned())
        ]
    );
}

#[test]
fn bad_directives_and_options() {
    let found = messages(
        "-- migrate:revises 1\n-- migrate:reverts 2\n-- migrate:up lock:yes\nSELECT 1;\n-- migrate:up\n-- migrate:revises 3\n",
    );
    assert_eq!(
        found,
        vec![
            (2, "unknown directive `-- migrate:reverts`".to_owned()),
            (3, "unknown option `lock:yes`".to_owned()),
            (5, "second `-- migrate:up` marker".to_owned()),
            (
                6,
                "`-- migrate:revises` must come before `-- migrate:up`".to_owned()
            ),
        ]
    );
    assert_eq!(
        messages("-- migrate:revises 1\n-- migrate:up transaction:maybe\nSELECT 1;\n")[0].1,
        "`transaction` must be `true` or `false`, not `maybe`"
    );
    assert_eq!(
        messages("-- migrate:revises\n-- migrate:up\nSELECT 1;\n")[0].1,
        "`-- migrate:revises` names no revision"
    );
    assert_eq!(
        messages("-- migrate:revises none 3\n-- migrate:up\nSELECT 1;\n")[0].1,
        "`none` cannot be combined with parents"
    );
    assert_eq!(
        messages("-- migrate:revises 3 03\n-- migrate:up\nSELECT 1;\n")[0].1,
        "`03` is named twice"
    );
    assert_eq!(
        messages("-- migrate:revises abc\n-- migrate:up\nSELECT 1;\n")[0].1,
        "`abc` is not a revision number"
    );
}

#[test]
fn sql_in_header_and_down_first() {
    assert_eq!(
        messages("-- migrate:revises 1\nSELECT 0;\n-- migrate:up\nSELECT 1;\n")[0].0,
        2
    );
    assert_eq!(
        messages("-- migrate:revises 1\n-- migrate:down\n-- migrate:up\nSELECT 1;\n")[0].1,
        "`-- migrate:down` comes before `-- migrate:up`"
    );
}

#[test]
fn decodes_bom_crlf_and_rejects_bad_utf8() {
    assert_eq!(
        decode(b"\xEF\xBB\xBF-- a\r\n-- b\r\n").unwrap(),
        "-- a\n-- b\n"
    );
    let problem = decode(b"-- ok\n-- caf\xE9\n").unwrap_err();
    assert_eq!((problem.line, problem.column), (2, 7));
}

#[test]
fn psql_meta_commands_and_copy_from_stdin_are_refused_by_name() {
    let text = "-- x\n-- migrate:revises none\n\n-- migrate:up\n\\set role app\nCOPY t (a) FROM stdin;\n1\n\\.\nSELECT 1;\n";
    let (_, problems) = parse(text);
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (5, "`\\set` is a psql meta-command, which only psql runs"),
            (
                6,
                "`COPY ... FROM STDIN` needs psql to send the rows that follow it"
            ),
        ]
    );
    // COPY from a server file is plain SQL.
    let text = "-- x\n-- migrate:revises none\n\n-- migrate:up\nCOPY t FROM '/srv/t.csv';\n";
    assert!(parse(text).1.is_empty());
}

#[test]
fn a_marker_may_set_the_sections_timeouts() {
    let text = "-- x\n-- migrate:revises none\n\n-- migrate:up transaction:false lock_timeout:5s statement_timeout:10m\nSELECT 1;\n\n-- migrate:down lock_timeout:soon\nSELECT 1;\n";
    let (parsed, problems) = parse(text);
    let up = parsed.up.unwrap();
    assert!(!up.transaction);
    assert_eq!(up.timeouts().lock, Some(std::time::Duration::from_secs(5)));
    assert_eq!(
        up.timeouts().statement,
        Some(std::time::Duration::from_mins(10))
    );
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["`lock_timeout` must be a duration, not `soon`"]);
}

#[test]
fn a_suppression_in_a_section_keeps_the_lines_below_it_in_place() {
    // Assembled, so that this file holds no suppression for `check` to judge.
    let ignore = ["-- migrate", ":ignore lint/ban-drop-table -- reason"].concat();
    let text = format!(
        "-- x\n-- migrate:revises none\n\n-- migrate:up\nSELECT 1;\n{ignore}\nDROP TABLE t;\n"
    );
    let (parsed, problems) = parse(&text);
    assert!(problems.is_empty(), "{problems:?}");
    let up = parsed.up.unwrap();
    let drop = up.sql.find("DROP").unwrap();
    // The marker is line 4; DROP is on line 7 of the file, the third line of the SQL.
    assert_eq!(up.line + crate::sql::line_of(&up.sql, drop), 7);
}
