//! Unit tests of `python`.

use super::*;

fn all(source: &str) -> Result<Lines<'_>, Unterminated> {
    logical_lines(source, |_, _, _| Keep::All)
}

fn kinds(source: &str) -> Vec<Vec<Kind<'_>>> {
    let lines = all(source).unwrap();
    lines
        .lines
        .iter()
        .map(|l| lines.tokens(l).iter().map(|t| t.kind.clone()).collect())
        .collect()
}

fn revision_only(token: &Token<'_>, _: usize, _: usize) -> Keep {
    if token.kind == Kind::Name("revision") {
        Keep::All
    } else {
        Keep::First
    }
}

fn string(value: &str) -> String {
    value.to_owned()
}

#[test]
fn brackets_join_lines_and_comments_vanish() {
    let found = all("a = (\n  'x',  # c\n  \"y\",\n)\nb = 1\n  c = 2\n").unwrap();
    let lines = &found.lines;
    let first = found.tokens(&lines[0]);
    assert_eq!(lines.len(), 3);
    assert_eq!(first.len(), 8);
    assert_eq!(lines[2].indent, 2);
    match &first[5].kind {
        Kind::Str { value, .. } => assert_eq!(value, "y"),
        other => panic!("{other:?}"),
    }
    assert_eq!(first[5].line, 3);
    assert_eq!(first[5].column, 3);
}

#[test]
fn strings_prefixes_and_escapes() {
    let found = kinds("r'a\\b' u\"c\\\"d\" f'{x}' b'y' '''t\n'''\n");
    let values: Vec<Option<String>> = found[0]
        .iter()
        .map(|k| match k {
            Kind::Str { value, .. } => Some(value.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        [
            Some(string("a\\b")),
            Some(string("c\"d")),
            None,
            None,
            Some(string("t\n"))
        ]
    );
}

#[test]
fn a_docstring_may_hold_quotes_and_assignments() {
    let found = kinds("\"\"\"Doc with 'quotes'\nrevision = 'no'\n\"\"\"\nrevision = '1'\n");
    assert_eq!(found.len(), 2);
    assert_eq!(found[1][0], Kind::Name("revision"));
}

#[test]
fn operators() {
    let found = kinds("x: int = 1\ny += 2\nz -> w\n");
    assert_eq!(found[0][1], Kind::Op(":"));
    assert_eq!(found[1][1], Kind::Op("+="));
    assert_eq!(found[2][1], Kind::Op("->"));
}

#[test]
fn skipped_lines_still_track_strings_brackets_and_lines() {
    let source = r#"def f():
    x = ('''a
)''', "b\"", [1,
 2])  # (
    y = 'c'
revision = '1'
"#;
    let found = logical_lines(source, revision_only).unwrap();
    let lines = &found.lines;
    let firsts: Vec<(usize, usize)> = lines.iter().map(|l| (l.first.line, l.indent)).collect();
    assert_eq!(firsts, [(1, 0), (2, 4), (5, 4), (6, 0)]);
    assert_eq!(found.tokens(&lines[3]).len(), 3);
    assert_eq!(found.tokens(&lines[3])[2].column, 12);
    assert!(logical_lines("def f():\n    x = 'open\n", |_, _, _| Keep::Nothing).is_err());
}

#[test]
fn non_ascii_text_in_skipped_lines_keeps_positions_on_character_boundaries() {
    let source = "def f():\n    x = 'é€' + ü  # ñ\n    # 日本\nrevision = 'é'\n";
    let found = logical_lines(source, revision_only).unwrap();
    let last = found.tokens(&found.lines[2]);
    assert_eq!((last[2].line, last[2].column), (4, 12));
    assert!(matches!(&last[2].kind, Kind::Str { value, .. } if value == "é"));
}

#[test]
fn an_unterminated_string_is_an_error() {
    assert_eq!(
        all("x = 'abc\n").unwrap_err(),
        Unterminated { line: 1, column: 5 }
    );
    assert!(all("x = '''abc\n").is_err());
}

#[test]
fn escapes_read_as_python_reads_them() {
    let value = |source: &str| match &kinds(source)[0][0] {
        Kind::Str { value, .. } => value.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(value(r"'caf\u00e9\x21\101'"), "café!A");
    assert_eq!(value(r"'\012'"), "\n");
    assert_eq!(value(r"'\0'"), "\0");
    assert_eq!(
        value(r"'\U0001F600 \a\b\f\v'"),
        "\u{1F600} \x07\x08\x0c\x0b"
    );
    // What Python refuses stays as written.
    assert_eq!(value(r"'\xZZ'"), r"\xZZ");
    assert_eq!(value(r"'\q'"), r"\q");
}
